/* score.c — Fellegi–Sunter weights, u from random pairs, EM for m and the prior, term
 * frequencies, and the model file (see score.h). */
#include "transforms/match/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "transforms/match/parallel.h"
#include "transforms/match/radix.h"

#define PROB_FLOOR 1e-6
#define PRIOR_PAIRS 25.0         /* weight of the starting m in EM (see model_train_em) */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Shares of the non-missing levels from counts, with half a pseudo-count each. */
static void shares(const double *count, int nlevels, double *out)
{
    double total = 0;
    for (int l = 1; l < nlevels; l++)
        total += count[l] + 0.5;
    out[0] = 1;
    for (int l = 1; l < nlevels; l++)
        out[l] = (count[l] + 0.5) / total;
}

/* The u of typical contact data, level by level (the last level, "different", takes
 * the rest): what random pairs of a few hundred thousand CRM and register records
 * show. Used only to steady u on small inputs (model_estimate_u). */
static const double U_PRIOR[CMP_COUNT][CMP_MAX_LEVELS] = {
    [CMP_GIVEN]   = { 0, .004, .0015, .0015, .002, .0015, .003, .0001, .002, .0001 },
    [CMP_FAMILY]  = { 0, .004, .0015, .0025, .0001, .003, .0001, .002 },
    [CMP_BIRTH]   = { 0, .0006, .00005, .004, .0001 },
    [CMP_HOUSE]   = { 0, .02, .02 },
    [CMP_STREET]  = { 0, .003, .001, .009 },
    [CMP_EXTRA]   = { 0, .001, .001 },
    [CMP_CITY]    = { 0, .02, .0005, .003 },
    [CMP_POSTAL]  = { 0, .002, .005 },
    [CMP_REGION]  = { 0, .1 },
    [CMP_EMAIL]   = { 0, .00005, .0001, .00005, .00005 },
    [CMP_PHONE]   = { 0, .0001, .00005 },
    [CMP_COMPANY] = { 0, .001, .0005 },
    [CMP_SUFFIX]  = { 0, .4, .3 },
};
#define U_PRIOR_PAIRS 2000.0

#define U_CHUNKS 64              /* fixed, so the sample does not depend on threads */

struct u_job {
    const struct profile_store *s;
    const struct compare_options *o;
    size_t per_chunk;
    uint64_t seed;
    uint64_t (*count)[CMP_COUNT][CMP_MAX_LEVELS];   /* per chunk */
    size_t *done;
};

static void u_chunk(void *ctx, size_t begin, size_t end, int worker)
{
    (void)worker;
    struct u_job *j = ctx;
    for (size_t chunk = begin; chunk < end; chunk++) {
        uint64_t state = j->seed ^ (chunk * 0xD1B54A32D192ED03ull);
        splitmix64(&state);
        for (size_t i = 0; i < j->per_chunk; i++) {
            uint32_t a = (uint32_t)((splitmix64(&state) >> 32) * j->s->n >> 32);
            uint32_t b = (uint32_t)((splitmix64(&state) >> 32) * j->s->n >> 32);
            if (a == b)
                continue;
            uint8_t level[CMP_COUNT];
            compare_pair(j->s, j->o, a, b, level, NULL);
            for (int c = 0; c < CMP_COUNT; c++)
                j->count[chunk][c][level[c]]++;
            j->done[chunk]++;
        }
    }
}

enum cm_status model_estimate_u(struct fs_model *model, const struct profile_store *s,
                                const struct compare_options *o, size_t samples, uint64_t seed,
                                int threads, char *err)
{
    uint64_t (*count)[CMP_COUNT][CMP_MAX_LEVELS] = calloc(U_CHUNKS, sizeof *count);
    size_t *done = calloc(U_CHUNKS, sizeof *done);
    if (!count || !done) {
        free(count);
        free(done);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    if (s->n >= 2) {
        struct u_job j = { s, o, (samples + U_CHUNKS - 1) / U_CHUNKS, seed, count, done };
        parallel_for(U_CHUNKS, threads, u_chunk, &j);
    }
    double total[CMP_COUNT][CMP_MAX_LEVELS];
    memset(total, 0, sizeof total);
    size_t all = 0;
    /* A sample cannot know more than the distinct pairs there are: a file of six records
     * has fifteen, and if three of the six are one person the sample says a third of
     * all strangers share a name. Below some thousands of distinct pairs the typical
     * u of contact data (U_PRIOR) weighs in, as U_PRIOR_PAIRS pairs already seen. */
    double distinct = (double)s->n * ((double)s->n - 1) / 2;
    for (size_t k = 0; k < U_CHUNKS; k++) {
        all += done[k];
        for (int c = 0; c < CMP_COUNT; c++) {
            for (int l = 0; l < CMP_MAX_LEVELS; l++)
                total[c][l] += (double)count[k][c][l];
        }
    }
    for (int c = 0; c < CMP_COUNT; c++) {
        shares(total[c], cmp_defs[c].nlevels, model->u[c]);
        double seen = 0;
        for (int l = 1; l < cmp_defs[c].nlevels; l++)
            seen += total[c][l];
        double weight = seen < distinct ? seen : distinct;
        double rest = 1;
        for (int l = 1; l < cmp_defs[c].nlevels - 1; l++)
            rest -= U_PRIOR[c][l];
        for (int l = 1; l < cmp_defs[c].nlevels; l++) {
            double prior = l < cmp_defs[c].nlevels - 1 ? U_PRIOR[c][l] : rest;
            model->u[c][l] = (model->u[c][l] * weight + prior * U_PRIOR_PAIRS) /
                             (weight + U_PRIOR_PAIRS);
        }
    }
    model->u_samples = all;
    model->trained_records = s->n;
    free(count);
    free(done);
    return CM_OK;
}

/* Starting m: most pairs of one person agree exactly, few are "different". */
void model_initial_m(struct fs_model *model)
{
    for (int c = 0; c < CMP_COUNT; c++) {
        int nl = cmp_defs[c].nlevels;
        model->m[c][0] = 1;
        if (nl == 3) {
            model->m[c][1] = 0.9;
            model->m[c][2] = 0.1;
            continue;
        }
        model->m[c][1] = 0.85;
        model->m[c][nl - 1] = 0.03;
        for (int l = 2; l < nl - 1; l++)
            model->m[c][l] = 0.12 / (nl - 3);
    }
}

struct pattern { uint64_t code; double count; };

enum cm_status model_train_em(struct fs_model *model, const uint64_t *codes, size_t n,
                              int max_iterations, int fixed_m, char *err)
{
    uint64_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu patterns", n);
    memcpy(sorted, codes, n * sizeof *sorted);
    if (radix_sort_u64(sorted, n)) {
        free(sorted);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory sorting %zu patterns", n);
    }
    /* distinct patterns with their counts, in place */
    struct pattern *pat = malloc((n ? n : 1) * sizeof *pat);
    size_t np = 0;
    for (size_t i = 0; pat && i < n; i++) {
        if (np && pat[np - 1].code == sorted[i])
            pat[np - 1].count += 1;
        else
            pat[np++] = (struct pattern){ sorted[i], 1 };
    }
    free(sorted);
    if (!pat)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu patterns", n);

    /* MAP rather than plain EM: the starting m counts as PRIOR_PAIRS pairs already
     * seen, so a run of a few dozen records gets sensible weights instead of whatever
     * its handful of pairs suggests; on thousands of pairs the data decide. */
    double m0[CMP_COUNT][CMP_MAX_LEVELS];
    memcpy(m0, model->m, sizeof m0);
    /* the non-match class starts from the random pairs' u and is re-estimated on the
     * candidate pairs too (uc): blocked non-matches agree on their blocking keys far
     * more often than random pairs, and a class with u fixed would take them for
     * matches. Weights use m from here and u from the random pairs. */
    double uc[CMP_COUNT][CMP_MAX_LEVELS];
    memcpy(uc, model->u, sizeof uc);
    model->lambda = 0.1;
    model->trained_pairs = n;
    double change = 0;
    int it = 0;
    for (it = 0; it < max_iterations && np; it++) {
        double mc[CMP_COUNT][CMP_MAX_LEVELS], ucount[CMP_COUNT][CMP_MAX_LEVELS];
        memset(mc, 0, sizeof mc);
        memset(ucount, 0, sizeof ucount);
        double matches = 0, total = 0;
        double lw[CMP_COUNT][CMP_MAX_LEVELS];
        for (int c = 0; c < CMP_COUNT; c++) {
            for (int l = 0; l < cmp_defs[c].nlevels; l++)
                lw[c][l] = l ? log(model->m[c][l] / uc[c][l]) : 0;
        }
        double prior = log(model->lambda / (1 - model->lambda));
        for (size_t i = 0; i < np; i++) {
            double w = prior;
            for (int c = 0; c < CMP_COUNT; c++)
                w += lw[c][cmp_level_of(pat[i].code, c)];
            double g = w > 30 ? 1 : w < -30 ? 0 : 1 / (1 + exp(-w));
            double gc = g * pat[i].count, hc = (1 - g) * pat[i].count;
            for (int c = 0; c < CMP_COUNT; c++) {
                mc[c][cmp_level_of(pat[i].code, c)] += gc;
                ucount[c][cmp_level_of(pat[i].code, c)] += hc;
            }
            matches += gc;
            total += pat[i].count;
        }
        change = 0;
        for (int c = 0; c < CMP_COUNT; c++) {
            double m_new[CMP_MAX_LEVELS];
            double seen = 0;
            for (int l = 1; l < cmp_defs[c].nlevels; l++)
                seen += mc[c][l];
            for (int l = 1; l < cmp_defs[c].nlevels; l++)
                mc[c][l] += PRIOR_PAIRS * m0[c][l] * (seen > 0 ? 1 : 0);
            shares(mc[c], cmp_defs[c].nlevels, m_new);
            shares(ucount[c], cmp_defs[c].nlevels, uc[c]);
            for (int l = 1; !fixed_m && l < cmp_defs[c].nlevels; l++) {
                if (m_new[l] < PROB_FLOOR)
                    m_new[l] = PROB_FLOOR;
                change = fmax(change, fabs(m_new[l] - model->m[c][l]));
                model->m[c][l] = m_new[l];
            }
        }
        double lambda = total > 0 ? matches / total : 0.5;
        if (lambda < 1e-6)
            lambda = 1e-6;
        if (lambda > 1 - 1e-6)
            lambda = 1 - 1e-6;
        change = fmax(change, fabs(lambda - model->lambda));
        model->lambda = lambda;
        if (change < 1e-7) {
            it++;
            break;
        }
    }
    model->em_iterations = it;
    model->em_last_change = change;
    free(pat);
    return CM_OK;
}

double model_level_weight(const struct fs_model *model, int cmp, int level)
{
    if (level == 0)
        return 0;
    return log2(model->m[cmp][level] / model->u[cmp][level]);
}

double model_prior_weight(const struct fs_model *model)
{
    return log2(model->lambda / (1 - model->lambda));
}

/* ---- the model file ------------------------------------------------------------- */

json_t *model_to_json(const struct fs_model *model)
{
    json_t *cmps = json_object();
    for (int c = 0; c < CMP_COUNT; c++) {
        json_t *levels = json_object();
        for (int l = 1; l < cmp_defs[c].nlevels; l++)
            json_object_set_new(levels, cmp_defs[c].level[l],
                json_pack("{s:f, s:f, s:f}", "m", model->m[c][l], "u", model->u[c][l],
                          "weight", model_level_weight(model, c, l)));
        json_object_set_new(cmps, cmp_defs[c].name, levels);
    }
    return json_pack("{s:s, s:i, s:f, s:o, s:{s:I, s:I, s:I, s:i}}",
        "model", "crmerge fellegi_sunter", "version", 1, "prior_match_rate", model->lambda,
        "comparisons", cmps, "trained_on", "records", (json_int_t)model->trained_records,
        "candidate_pairs", (json_int_t)model->trained_pairs,
        "random_pairs", (json_int_t)model->u_samples, "em_iterations", model->em_iterations);
}

static enum cm_status prob_of(const json_t *o, const char *key, const char *where, double *out,
                              char *err)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1)
        return cm_fail(err, CM_ERR_CONFIG, "%s: \"%s\" must be a probability in (0, 1]",
                       where, key);
    *out = json_number_value(v);
    return CM_OK;
}

enum cm_status model_from_json(const json_t *j, const char *where, struct fs_model *model,
                               char *err)
{
    memset(model, 0, sizeof *model);
    const json_t *ver = json_object_get(j, "version");
    if (!json_is_object(j) || !json_is_integer(ver) || json_integer_value(ver) != 1)
        return cm_fail(err, CM_ERR_CONFIG, "%s: not a crmerge model file (version 1): make one "
                       "with crmerge train", where);
    char at[600];
    enum cm_status rc = prob_of(j, "prior_match_rate", where, &model->lambda, err);
    if (rc)
        return rc;
    if (model->lambda >= 1)
        model->lambda = 1 - 1e-9;
    const json_t *cmps = json_object_get(j, "comparisons");
    for (int c = 0; c < CMP_COUNT; c++) {
        const json_t *levels = json_object_get(cmps, cmp_defs[c].name);
        model->m[c][0] = model->u[c][0] = 1;
        for (int l = 1; l < cmp_defs[c].nlevels; l++) {
            const json_t *lv = json_object_get(levels, cmp_defs[c].level[l]);
            snprintf(at, sizeof at, "%s: comparisons.%s.%s", where, cmp_defs[c].name,
                     cmp_defs[c].level[l]);
            if (!json_is_object(lv))
                return cm_fail(err, CM_ERR_CONFIG, "%s: missing (the model was trained by "
                               "another version: run crmerge train again)", at);
            rc = prob_of(lv, "m", at, &model->m[c][l], err);
            if (!rc) rc = prob_of(lv, "u", at, &model->u[c][l], err);
            if (rc)
                return rc;
        }
    }
    const json_t *t = json_object_get(j, "trained_on");
    model->trained_records = (size_t)json_integer_value(json_object_get(t, "records"));
    model->trained_pairs = (size_t)json_integer_value(json_object_get(t, "candidate_pairs"));
    model->u_samples = (size_t)json_integer_value(json_object_get(t, "random_pairs"));
    return CM_OK;
}

/* ---- term frequencies ----------------------------------------------------------- */

static int field_values(const struct match_profile *p, int cmp, uint64_t v[4])
{
    int n = 0;
    switch (cmp) {
    case CMP_GIVEN:
        if (p->given) v[n++] = p->given;
        if (p->given_plain && p->given_plain != p->given) v[n++] = p->given_plain;
        break;
    case CMP_FAMILY:
        if (p->family) v[n++] = p->family;
        if (p->family_plain && p->family_plain != p->family) v[n++] = p->family_plain;
        break;
    case CMP_STREET:  if (p->street) v[n++] = p->street; break;
    case CMP_EXTRA:   if (p->address_extra) v[n++] = p->address_extra; break;
    case CMP_CITY:    if (p->city) v[n++] = p->city; break;
    case CMP_COMPANY: if (p->company) v[n++] = p->company; break;
    case CMP_EMAIL:
        for (int i = 0; i < PROFILE_EMAILS; i++) {
            if (p->email[i] && !(p->email_flags[i] & (PEMAIL_ROLE | PEMAIL_INVALID)))
                v[n++] = p->email[i];
        }
        break;
    case CMP_PHONE:
        for (int i = 0; i < PROFILE_PHONES; i++) {
            if (p->phone[i] && (i == 0 || p->phone[i] != p->phone[0]))
                v[n++] = p->phone[i];
        }
        break;
    default:
        break;
    }
    return n;
}

enum cm_status tf_build(struct tf_tables *t, const struct profile_store *s, char *err)
{
    for (int c = 0; c < CMP_COUNT; c++) {
        struct tf_table *f = &t->field[c];
        memset(f, 0, sizeof *f);
        if (cmp_defs[c].tf_level < 0)
            continue;
        uint64_t *all = malloc((s->n * 2 + 1) * sizeof *all);
        if (!all)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for term frequencies");
        size_t n = 0;
        for (size_t r = 0; r < s->n; r++) {
            uint64_t v[4];
            int k = field_values(&s->profile[r], c, v);
            for (int i = 0; i < k && i < 2; i++)
                all[n++] = v[i];
            f->records += k > 0;
        }
        if (radix_sort_u64(all, n)) {
            free(all);
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for term frequencies");
        }
        f->value = malloc((n ? n : 1) * sizeof *f->value);
        f->count = malloc((n ? n : 1) * sizeof *f->count);
        if (!f->value || !f->count) {
            free(all);
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for term frequencies");
        }
        for (size_t i = 0; i < n; i++) {
            if (f->n && f->value[f->n - 1] == all[i]) {
                f->count[f->n - 1]++;
            } else {
                f->value[f->n] = all[i];
                f->count[f->n++] = 1;
            }
        }
        free(all);
    }
    return CM_OK;
}

void tf_free(struct tf_tables *t)
{
    for (int c = 0; c < CMP_COUNT; c++) {
        free(t->field[c].value);
        free(t->field[c].count);
        memset(&t->field[c], 0, sizeof t->field[c]);
    }
}

double tf_weight(const struct tf_tables *t, const struct fs_model *model, int cmp, uint64_t v)
{
    int level = cmp_defs[cmp].tf_level;
    double base = model_level_weight(model, cmp, level);
    const struct tf_table *f = &t->field[cmp];
    if (!f->n || !v)
        return base;
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (f->value[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == f->n || f->value[lo] != v)
        return base;
    double share = (double)f->count[lo] / (double)(f->records ? f->records : 1);
    if (share < t->min_share)
        share = t->min_share;
    double w = log2(model->m[cmp][level] / share);
    if (w > base + t->max_bonus)
        w = base + t->max_bonus;
    if (w < base - 8)
        w = base - 8;
    return w;
}
