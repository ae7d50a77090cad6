/* matcher.c — the Fellegi–Sunter resolver ("method": "fellegi_sunter", the default):
 *
 *   block (block.c) -> compare every candidate pair (compare.c) -> train u on random
 *   pairs and m + the prior by EM, or load a model (score.c) -> weight each pair with
 *   term frequencies and the hard rules -> decide match / review -> cluster with
 *   repair (cluster.c) -> report decided pairs with their evidence.
 *
 * Configuration: the "match" object of the pipeline config (README, "Identity
 * resolution"); every key has a default. Comparing and weighting run on `threads`
 * threads over fixed chunks of the sorted pair list; everything else is sequential,
 * so the output is the same for any thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pipeline/clock.h"
#include "pipeline/hash.h"
#include "transforms/match/block.h"
#include "transforms/match/cluster.h"
#include "transforms/match/compare.h"
#include "transforms/match/parallel.h"
#include "transforms/match/score.h"
#include "transforms/resolve.h"

struct override { uint32_t a, b; };

struct matcher {
    /* configuration */
    struct block_pass passes[BLOCK_MAX_PASSES];
    size_t npasses;
    struct compare_options cmp;
    double match_threshold, review_threshold, cluster_threshold;
    double prior;                /* > 0: fixed prior match rate instead of EM's */
    int use_tf;
    double tf_max_bonus;
    size_t random_pairs;
    int random_pairs_set;        /* given in the config: used as it is */
    uint64_t seed;
    int em_iterations;
    int threads;
    int rule_birth, rule_suffix, rule_same_source, rule_household, rule_private_emails;
    int contact_data;            /* most records carry e-mails, phones or employers */
    size_t repair_max;
    json_t *must_spec, *cannot_spec;   /* ["source:key", "source:key"] lists */
    char model_path[4096];
    int model_loaded;

    /* state of the last xResolve */
    const struct profile_store *s;
    struct fs_model model;
    struct tf_tables tf;
    struct override *must, *cannot;
    size_t nmust, ncannot;
    struct block_stats bstats;
    struct cluster_stats cstats;
    size_t pairs, matched, review, vetoed, review_by_rule, split_pairs;
    double t_block, t_compare, t_train, t_score, t_cluster;
};

static double logit2(double p)
{
    return log2(p / (1 - p));
}

/* ---- configuration -------------------------------------------------------------- */

static enum cm_status get_prob(const json_t *m, const char *key, double def, double *out,
                               char *err)
{
    const json_t *v = m ? json_object_get(m, key) : NULL;
    *out = def;
    if (!v)
        return CM_OK;
    if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) >= 1)
        return cm_fail(err, CM_ERR_CONFIG, "match.%s: must be a probability between 0 and 1 "
                       "(exclusive)", key);
    *out = json_number_value(v);
    return CM_OK;
}

static enum cm_status get_bool(const json_t *obj, const char *where, const char *key, int def,
                               int *out, char *err)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = def;
    if (!v)
        return CM_OK;
    if (!json_is_boolean(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be true or false", where, key);
    *out = json_is_true(v);
    return CM_OK;
}

static enum cm_status get_int(const json_t *m, const char *key, long long lo, long long hi,
                              long long def, long long *out, char *err)
{
    const json_t *v = m ? json_object_get(m, key) : NULL;
    *out = def;
    if (!v)
        return CM_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return cm_fail(err, CM_ERR_CONFIG, "match.%s: must be an integer from %lld to %lld",
                       key, lo, hi);
    *out = json_integer_value(v);
    return CM_OK;
}

static const char *const MATCH_KEYS[] = {
    "method", "blocking", "compare", "match_threshold", "review_threshold",
    "cluster_threshold", "prior", "term_frequencies", "tf_max_bonus", "random_pairs", "seed",
    "em_iterations", "threads", "rules", "must_link", "cannot_link", "model", "repair_max",
    NULL
};

static enum cm_status check_pairs(const json_t *list, const char *key, char *err)
{
    if (!list)
        return CM_OK;
    size_t i;
    const json_t *p;
    if (!json_is_array(list))
        return cm_fail(err, CM_ERR_CONFIG, "match.%s: must be a list of [\"SOURCE:KEY\", "
                       "\"SOURCE:KEY\"] pairs", key);
    json_array_foreach(list, i, p) {
        if (!json_is_array(p) || json_array_size(p) != 2 ||
            !json_is_string(json_array_get(p, 0)) || !json_is_string(json_array_get(p, 1)) ||
            !strchr(json_string_value(json_array_get(p, 0)), ':') ||
            !strchr(json_string_value(json_array_get(p, 1)), ':'))
            return cm_fail(err, CM_ERR_CONFIG, "match.%s[%zu]: must be [\"SOURCE:KEY\", "
                           "\"SOURCE:KEY\"]", key, i);
    }
    return CM_OK;
}

static enum cm_status configure(struct matcher *x, const struct resolve_config *cfg, char *err)
{
    const json_t *m = cfg ? cfg->match : NULL;
    if (m) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)m, key, v) {
            int known = 0;
            for (int i = 0; MATCH_KEYS[i]; i++)
                known |= strcmp(MATCH_KEYS[i], key) == 0;
            if (!known && key[0] != '_')
                return cm_fail(err, CM_ERR_CONFIG, "match.%s: unknown key (known: method, "
                               "blocking, compare, match_threshold, review_threshold, "
                               "cluster_threshold, prior, term_frequencies, tf_max_bonus, "
                               "random_pairs, seed, em_iterations, threads, rules, must_link, "
                               "cannot_link, model, repair_max)", key);
        }
    }
    enum cm_status rc;
    const json_t *blocking = m ? json_object_get(m, "blocking") : NULL;
    if (blocking) {
        rc = block_passes_from_json(blocking, "match.blocking", x->passes, BLOCK_MAX_PASSES,
                                    &x->npasses, err);
        if (rc)
            return rc;
    } else {
        x->npasses = block_default_passes(x->passes, BLOCK_MAX_PASSES);
    }
    x->cmp.enabled = (1u << CMP_COUNT) - 1;
    const json_t *compare = m ? json_object_get(m, "compare") : NULL;
    if (compare) {
        size_t i;
        const json_t *v;
        if (!json_is_array(compare) || json_array_size(compare) == 0)
            return cm_fail(err, CM_ERR_CONFIG, "match.compare: must be a non-empty list of "
                           "comparison names");
        x->cmp.enabled = 0;
        json_array_foreach(compare, i, v) {
            int c = json_is_string(v) ? cmp_find(json_string_value(v)) : -1;
            if (c < 0)
                return cm_fail(err, CM_ERR_CONFIG, "match.compare[%zu]: unknown comparison (known: "
                               "given_name, family_name, birth_date, house_number, street, "
                               "address_extra, city, postal_code, region, email, phone, company, "
                               "suffix)", i);
            x->cmp.enabled |= 1u << c;
        }
    }
    rc = get_prob(m, "match_threshold", 0.8, &x->match_threshold, err);
    if (!rc) rc = get_prob(m, "review_threshold", 0.3, &x->review_threshold, err);
    if (!rc) rc = get_prob(m, "cluster_threshold", x->match_threshold, &x->cluster_threshold, err);
    if (!rc && m && json_object_get(m, "prior"))
        rc = get_prob(m, "prior", 0.5, &x->prior, err);
    if (rc)
        return rc;
    if (x->review_threshold > x->match_threshold)
        return cm_fail(err, CM_ERR_CONFIG, "match.review_threshold: must not be above "
                       "match_threshold (%g)", x->match_threshold);
    rc = get_bool(m, "match", "term_frequencies", 1, &x->use_tf, err);
    long long v = 0;
    if (!rc) {
        const json_t *b = m ? json_object_get(m, "tf_max_bonus") : NULL;
        x->tf_max_bonus = 6;
        if (b && (!json_is_number(b) || json_number_value(b) < 0 || json_number_value(b) > 30))
            return cm_fail(err, CM_ERR_CONFIG, "match.tf_max_bonus: must be 0 to 30 (bits)");
        if (b)
            x->tf_max_bonus = json_number_value(b);
    }
    if (!rc) rc = get_int(m, "random_pairs", 1000, 100000000, 100000, &v, err);
    x->random_pairs = (size_t)v;
    x->random_pairs_set = m && json_object_get(m, "random_pairs");
    if (!rc) rc = get_int(m, "seed", 0, INT64_MAX, 20261208, &v, err);
    x->seed = (uint64_t)v;
    if (!rc) rc = get_int(m, "em_iterations", 1, 10000, 100, &v, err);
    x->em_iterations = (int)v;
    if (!rc) rc = get_int(m, "threads", 0, 64, 0, &v, err);
    x->threads = v ? (int)v : (cfg && cfg->threads ? cfg->threads : parallel_cores());
    if (!rc) rc = get_int(m, "repair_max", 3, 5000, 300, &v, err);
    x->repair_max = (size_t)v;
    if (rc)
        return rc;
    const json_t *rules = m ? json_object_get(m, "rules") : NULL;
    if (rules && !json_is_object(rules))
        return cm_fail(err, CM_ERR_CONFIG, "match.rules: must be an object");
    rc = get_bool(rules, "match.rules", "different_birth_dates_never_merge", 0, &x->rule_birth, err);
    if (!rc) rc = get_bool(rules, "match.rules", "different_suffixes_never_merge", 1,
                           &x->rule_suffix, err);
    if (!rc) rc = get_bool(rules, "match.rules", "same_source_needs_more_than_name", 1,
                           &x->rule_same_source, err);
    if (!rc) rc = get_bool(rules, "match.rules", "different_given_names_need_personal_evidence",
                           1, &x->rule_household, err);
    if (!rc) rc = get_bool(rules, "match.rules", "private_emails_at_one_home_are_two_people",
                           0, &x->rule_private_emails, err);
    if (!rc && rules) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)rules, key, val) {
            if (strcmp(key, "different_birth_dates_never_merge") &&
                strcmp(key, "different_suffixes_never_merge") &&
                strcmp(key, "same_source_needs_more_than_name") &&
                strcmp(key, "different_given_names_need_personal_evidence") &&
                strcmp(key, "private_emails_at_one_home_are_two_people"))
                return cm_fail(err, CM_ERR_CONFIG, "match.rules.%s: unknown rule (known: "
                               "different_birth_dates_never_merge, different_suffixes_never_merge, "
                               "same_source_needs_more_than_name, different_given_names_need_personal_evidence, "
                               "private_emails_at_one_home_are_two_people)", key);
        }
    }
    if (!rc) rc = check_pairs(m ? json_object_get(m, "must_link") : NULL, "must_link", err);
    if (!rc) rc = check_pairs(m ? json_object_get(m, "cannot_link") : NULL, "cannot_link", err);
    if (rc)
        return rc;
    x->must_spec = m ? json_incref(json_object_get(m, "must_link")) : NULL;
    x->cannot_spec = m ? json_incref(json_object_get(m, "cannot_link")) : NULL;
    const char *model = cfg && cfg->model_path ? cfg->model_path : NULL;
    const json_t *mm = m ? json_object_get(m, "model") : NULL;
    if (!model && mm) {
        if (!json_is_string(mm))
            return cm_fail(err, CM_ERR_CONFIG, "match.model: must be a file name");
        model = json_string_value(mm);
    }
    if (model)
        snprintf(x->model_path, sizeof x->model_path, "%s", model);
    return CM_OK;
}

static enum cm_status fs_new(const struct resolve_config *cfg, void **out, char *err)
{
    struct matcher *x = calloc(1, sizeof *x);
    if (!x)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    enum cm_status rc = configure(x, cfg, err);
    if (!rc && x->model_path[0]) {
        json_error_t je;
        json_t *j = json_load_file(x->model_path, 0, &je);
        if (!j)
            rc = cm_fail(err, CM_ERR_CONFIG, "match.model: %s: %s", x->model_path, je.text);
        else
            rc = model_from_json(j, x->model_path, &x->model, err);
        json_decref(j);
        x->model_loaded = !rc;
    }
    if (rc) {
        json_decref(x->must_spec);
        json_decref(x->cannot_spec);
        free(x);
        return rc;
    }
    x->tf.max_bonus = x->tf_max_bonus;
    *out = x;
    return CM_OK;
}

static enum cm_status fs_add(void *r, const struct profile_store *s, uint32_t first,
                             uint32_t count, char *err)
{
    (void)r; (void)s; (void)first; (void)count; (void)err;
    return CM_OK;                /* blocking indexes the whole store in xResolve */
}

/* ---- overrides ------------------------------------------------------------------ */

struct key_index { uint64_t h; uint32_t rec; };

static uint64_t key_hash(const char *source, size_t slen, const char *key)
{
    return hash64(key, strlen(key), hash64(source, slen, 0x0eed));
}

static int key_index_cmp(const void *a, const void *b)
{
    const struct key_index *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* The record of "source:key", or UINT32_MAX. */
static uint32_t find_record(const struct profile_store *s, const struct key_index *ix,
                            const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon)
        return UINT32_MAX;
    size_t slen = (size_t)(colon - spec);
    uint64_t h = key_hash(spec, slen, colon + 1);
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix[mid].h < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->n && ix[lo].h == h; lo++) {
        uint32_t r = ix[lo].rec;
        const char *src = profile_store_source(s, r);
        if (strlen(src) == slen && memcmp(src, spec, slen) == 0 &&
            strcmp(profile_store_key(s, r), colon + 1) == 0)
            return r;
    }
    return UINT32_MAX;
}

static enum cm_status load_overrides(struct matcher *x, const struct profile_store *s, char *err)
{
    free(x->must);
    free(x->cannot);
    x->must = x->cannot = NULL;
    x->nmust = x->ncannot = 0;
    size_t total = json_array_size(x->must_spec) + json_array_size(x->cannot_spec);
    if (!total)
        return CM_OK;
    struct key_index *ix = malloc((s->n ? s->n : 1) * sizeof *ix);
    x->must = calloc(json_array_size(x->must_spec) + 1, sizeof *x->must);
    x->cannot = calloc(json_array_size(x->cannot_spec) + 1, sizeof *x->cannot);
    if (!ix || !x->must || !x->cannot) {
        free(ix);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for overrides");
    }
    for (size_t i = 0; i < s->n; i++) {
        const char *src = profile_store_source(s, (uint32_t)i);
        ix[i] = (struct key_index){ key_hash(src, strlen(src), profile_store_key(s, (uint32_t)i)),
                                    (uint32_t)i };
    }
    qsort(ix, s->n, sizeof *ix, key_index_cmp);
    for (int kind = 0; kind < 2; kind++) {
        const json_t *list = kind ? x->cannot_spec : x->must_spec;
        size_t i;
        const json_t *p;
        json_array_foreach(list, i, p) {
            uint32_t a = find_record(s, ix, json_string_value(json_array_get(p, 0)));
            uint32_t b = find_record(s, ix, json_string_value(json_array_get(p, 1)));
            if (a == UINT32_MAX || b == UINT32_MAX || a == b)
                continue;        /* a record not in this run: the override waits */
            struct override o = { a < b ? a : b, a < b ? b : a };
            if (kind)
                x->cannot[x->ncannot++] = o;
            else
                x->must[x->nmust++] = o;
        }
    }
    free(ix);
    return CM_OK;
}

static int is_cannot(const struct matcher *x, uint32_t a, uint32_t b)
{
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < x->ncannot; i++) {
        if (x->cannot[i].a == a && x->cannot[i].b == b)
            return 1;
    }
    return 0;
}

/* ---- weighing one pair ---------------------------------------------------------- */

struct weighed {
    double total;                /* bits, prior included; -INFINITY: vetoed */
    double w[CMP_COUNT];
    uint8_t level[CMP_COUNT];
    double where_damping;        /* bits taken off the address fields' sum (they overlap) */
    const char *rule;            /* the rule that vetoed or capped it */
    int capped;                  /* a rule keeps the pair from merging: 1 a person may review
                                    it (when it would have merged), 2 two people (household,
                                    colleagues): kept apart, not queued */
};

/* Term frequencies of a field held by fewer records say more about the duplicates than
 * about the population: not used. */
#define TF_MIN_RECORDS 1000

#define WHERE_DAMPING 0.5

static int where_cmp(int c)
{
    return c == CMP_HOUSE || c == CMP_STREET || c == CMP_EXTRA || c == CMP_CITY ||
           c == CMP_POSTAL || c == CMP_REGION || c == CMP_COMPANY;
}

static int name_cmp(int c)
{
    return c == CMP_GIVEN || c == CMP_FAMILY || c == CMP_SUFFIX;
}

/* The weight of a pair whose levels (out->level) and shared values (tfv) are known. */
static int given_differs(int level);

/* A private (free-mail, not role) address among the record's e-mails. */
static int has_freemail(const struct match_profile *p)
{
    for (int i = 0; i < PROFILE_EMAILS; i++) {
        if (p->email[i] && (p->email_flags[i] & PEMAIL_FREEMAIL) &&
            !(p->email_flags[i] & (PEMAIL_ROLE | PEMAIL_INVALID)))
            return 1;
    }
    return 0;
}

static void weigh_levels(const struct matcher *x, uint32_t a, uint32_t b,
                         const uint64_t tfv[CMP_COUNT], struct weighed *out)
{
    const struct profile_store *s = x->s;
    out->rule = NULL;
    out->capped = 0;
    out->total = model_prior_weight(&x->model);
    double other = 0, where_sum = 0, where_max = 0, away_sum = 0, away_min = 0;
    for (int c = 0; c < CMP_COUNT; c++) {
        int l = out->level[c];
        double w = (x->use_tf && l && l == cmp_defs[c].tf_level && tfv[c] &&
                    x->tf.field[c].records >= TF_MIN_RECORDS)
                 ? tf_weight(&x->tf, &x->model, c, tfv[c])
                 : model_level_weight(&x->model, c, l);
        /* names in the wrong fields are never better evidence than names in the right
         * ones (rare levels get large learned weights) */
        if ((c == CMP_GIVEN && (l == GIVEN_SWAPPED || l == GIVEN_HALF_SWAPPED)) ||
            (c == CMP_FAMILY && (l == FAMILY_SWAPPED || l == FAMILY_HALF_SWAPPED)))
            w = fmin(w, model_level_weight(&x->model, c, LV_EXACT));
        /* a street is an address only with its house number: with the numbers
         * different it says "neighbours", no more */
        if ((c == CMP_STREET || c == CMP_EXTRA) && w > 0 && out->level[CMP_HOUSE] == 3)
            w *= 0.25;
        out->w[c] = w;
        if (where_cmp(c) && w > 0) {
            where_sum += w;          /* agreement on where: damped below */
            if (w > where_max)
                where_max = w;
        } else if (where_cmp(c) && w < 0 && c != CMP_COMPANY) {
            away_sum += w;           /* disagreement on the address: damped too */
            if (w < away_min)
                away_min = w;
        } else {
            out->total += w;
        }
        if (!name_cmp(c) && w > 0)
            other += w;
    }
    /* The fields of one address (and the employer at it) agree together: counted as
     * independent they would say the same thing four or five times over. The strongest
     * counts whole, the others half. */
    out->where_damping = (where_sum - where_max) * WHERE_DAMPING;
    out->total += where_sum - out->where_damping;
    /* and so do the fields of two different addresses (a person who moved): the
     * strongest disagreement whole, the others half */
    out->where_damping -= (away_sum - away_min) * WHERE_DAMPING;
    out->total += away_sum - (away_sum - away_min) * WHERE_DAMPING;
    if (x->ncannot && is_cannot(x, a, b)) {
        out->rule = "cannot-link override";
        out->total = -INFINITY;
    } else if (x->rule_birth && out->level[CMP_BIRTH] == BIRTH_DIFFERENT) {
        out->rule = "different dates of birth never merge";
        out->total = -INFINITY;
    } else if (x->rule_suffix && out->level[CMP_SUFFIX] == SUFFIX_DIFFERENT) {
        out->rule = "different name suffixes (Jr./Sr.) never merge";
        out->total = -INFINITY;
    } else if (x->rule_household && given_differs(out->level[CMP_GIVEN]) &&
               !(out->level[CMP_BIRTH] >= BIRTH_EXACT && out->level[CMP_BIRTH] < BIRTH_DIFFERENT) &&
               x->contact_data) {
        /* spouses, parent and child, colleagues: one address, phone, company, even one
         * family mailbox, and different given names. In contact data (most records
         * carry e-mails, phones or employers) only a birth date, which a person has
         * alone, lets such a pair merge. (A register of names, addresses and birth
         * dates, with none of those, is left to the weights.) */
        out->rule = "different given names: a shared address, phone, company or mailbox alone does not merge";
        out->capped = 2;
    } else if (x->rule_household && out->level[CMP_FAMILY] == FAMILY_DIFFERENT &&
               out->level[CMP_EMAIL] != EMAIL_EXACT &&
               !(out->level[CMP_BIRTH] >= BIRTH_EXACT && out->level[CMP_BIRTH] < BIRTH_DIFFERENT) &&
               x->contact_data) {
        /* colleagues and neighbours: a workplace or address shared, the family names
         * different. A married name keeps its own e-mail: that, or a birth date, lets
         * the pair merge. */
        out->rule = "different family names: a shared address, phone or company alone does not merge";
        out->capped = 2;
    } else if (x->rule_private_emails && x->contact_data && out->level[CMP_EMAIL] == EMAIL_DIFFERENT &&
               (out->level[CMP_PHONE] == LV_EXACT ||
                (out->level[CMP_HOUSE] == LV_EXACT && out->level[CMP_STREET] == LV_EXACT)) &&
               has_freemail(&s->profile[a]) && has_freemail(&s->profile[b]) &&
               !(out->level[CMP_BIRTH] >= BIRTH_EXACT && out->level[CMP_BIRTH] < BIRTH_DIFFERENT)) {
        /* one name, one home, two private addresses of their own: parent and child (the
         * same person's work and private addresses do not count here) */
        out->rule = "one home and two private e-mail addresses: a parent and child look like this";
        out->capped = 2;
    } else if (x->rule_household && x->contact_data &&
               out->level[CMP_SUFFIX] == SUFFIX_ONE_SIDE && out->level[CMP_EMAIL] != EMAIL_EXACT &&
               (out->level[CMP_PHONE] == LV_EXACT ||
                (out->level[CMP_HOUSE] == LV_EXACT && out->level[CMP_STREET] == LV_EXACT))) {
        /* a Jr. or Sr. on one record, one home, no e-mail in common: a father and son
         * are two people; the same man's records share an address */
        out->rule = "one home, one name, Jr. or Sr. on one: parent and child look like this";
        out->capped = 2;
    } else if (x->rule_household && x->contact_data && other <= 0) {
        /* contact data where two records have nothing but names in common: namesakes
         * look the same */
        out->rule = "only the names agree: a name alone does not merge";
        out->capped = 1;
    } else if (x->rule_same_source && s->source[a] == s->source[b] && !s->key_derived[a] &&
               !s->key_derived[b] && out->level[CMP_EMAIL] >= EMAIL_LOCAL && other <= 0) {
        out->rule = "same source, different keys and e-mails: a name alone does not merge";
        out->capped = 1;
    }
}

static void weigh(const struct matcher *x, uint32_t a, uint32_t b, struct weighed *out)
{
    uint64_t tfv[CMP_COUNT];
    compare_pair(x->s, &x->cmp, a, b, out->level, tfv);
    weigh_levels(x, a, b, tfv, out);
}

/* Given names that name another person in contact data: different, or one the other's
 * family name while the other names differ (two colleagues, Pamela James and James
 * Garcia). Names only alike (Jaro–Winkler, phonetic) are left to the weights: typos. */
static int given_differs(int level)
{
    return level == GIVEN_DIFFERENT || level == GIVEN_HALF_SWAPPED;
}

static double probability(double w)
{
    if (w == -INFINITY)
        return 0;
    return 1 / (1 + exp2(-w));
}

static enum pair_decision decide(const struct matcher *x, const struct weighed *p)
{
    double prob = probability(p->total);
    if (p->capped == 2)
        return PAIR_NONMATCH;
    if (p->capped)
        return prob >= x->match_threshold ? PAIR_REVIEW : PAIR_NONMATCH;
    if (prob >= x->match_threshold)
        return PAIR_MATCH;
    if (prob >= x->review_threshold)
        return PAIR_REVIEW;
    return PAIR_NONMATCH;
}

/* ---- the parallel passes over pairs --------------------------------------------- */

struct pass_ctx {
    struct matcher *x;
    const uint64_t *pairs;
    uint64_t *codes;
    float *weight;               /* total bits; -INFINITY vetoed */
    uint8_t *decision;
};

static void compare_chunk(void *ctx, size_t begin, size_t end, int worker)
{
    (void)worker;
    struct pass_ctx *p = ctx;
    for (size_t i = begin; i < end; i++) {
        uint8_t level[CMP_COUNT];
        compare_pair(p->x->s, &p->x->cmp, (uint32_t)(p->pairs[i] >> 32), (uint32_t)p->pairs[i],
                     level, NULL);
        p->codes[i] = cmp_pack(level);
    }
}

/* The weight of candidate pair i from the levels the compare pass packed into codes[i]
 * (no string is compared again). */
static void weigh_coded(const struct pass_ctx *p, size_t i, struct weighed *w)
{
    uint32_t a = (uint32_t)(p->pairs[i] >> 32), b = (uint32_t)p->pairs[i];
    uint64_t tfv[CMP_COUNT];
    for (int c = 0; c < CMP_COUNT; c++)
        w->level[c] = (uint8_t)cmp_level_of(p->codes[i], c);
    compare_tf_values(p->x->s, a, b, w->level, tfv);
    weigh_levels(p->x, a, b, tfv, w);
}

static void score_chunk(void *ctx, size_t begin, size_t end, int worker)
{
    (void)worker;
    struct pass_ctx *p = ctx;
    for (size_t i = begin; i < end; i++) {
        struct weighed w;
        weigh_coded(p, i, &w);
        p->weight[i] = (float)w.total;
        p->decision[i] = (uint8_t)decide(p->x, &w) | (w.rule ? 0x80 : 0);
    }
}

static double cluster_weight(void *ctx, uint32_t a, uint32_t b)
{
    const struct matcher *x = ctx;
    struct weighed w;
    weigh(x, a, b, &w);
    /* a pair a rule says is two people (different given names at one address, ...)
     * does not end in one cluster through others either; a pair that merely has too
     * little to merge on its own (only the names agree) may, through stronger links */
    return w.capped == 2 ? -INFINITY : w.total;
}

/* ---- evidence ------------------------------------------------------------------- */

static enum cm_status evidence_json(const struct weighed *w, struct buf *out)
{
    buf_reset(out);
    enum cm_status rc = buf_addch(out, '[');
    int first = 1;
    for (int c = 0; !rc && c < CMP_COUNT; c++) {
        if (!w->level[c])
            continue;
        rc = buf_printf(out, "%s{\"comparison\":\"%s\",\"level\":\"%s\",\"weight\":%.2f}",
                        first ? "" : ",", cmp_defs[c].name, cmp_defs[c].level[w->level[c]],
                        w->w[c]);
        first = 0;
    }
    if (!rc) rc = buf_addch(out, ']');
    return rc;
}

static enum cm_status report_pairs(struct matcher *x, const struct pass_ctx *p, size_t n,
                                   const uint32_t *cluster_of, const struct resolve_sink *sink,
                                   char *err)
{
    struct buf ev = BUF_INIT(0);
    enum cm_status rc = CM_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        int d = p->decision[i] & 0x7F;
        if (d != PAIR_MATCH && d != PAIR_REVIEW)
            continue;
        uint32_t a = (uint32_t)(p->pairs[i] >> 32), b = (uint32_t)p->pairs[i];
        enum pair_decision decision = (enum pair_decision)d;
        int kept_apart = decision == PAIR_MATCH && cluster_of[a] != cluster_of[b];
        if (kept_apart) {
            decision = PAIR_REVIEW;      /* accepted, then kept apart by the repair */
            x->split_pairs++;
        }
        if (!sink || !sink->on_pair)
            continue;
        struct weighed w;
        weigh_coded(p, i, &w);
        const char *rule = kept_apart ? "kept apart by clustering: a weak link between stronger "
                                        "groups" : w.rule;
        rc = evidence_json(&w, &ev);
        if (rc) {
            rc = cm_fail(err, rc, "out of memory for evidence");
            break;
        }
        struct pair_result pr = { a, b, w.total, probability(w.total), decision, rule, ev.data };
        rc = sink->on_pair(sink->ctx, &pr, err);
    }
    buf_free(&ev);
    return rc;
}

/* ---- training ------------------------------------------------------------------- */

#define TRAIN_PAIRS_PER_PASS 200000
#define TRAIN_MIN_PAIRS 50

/* m, pass by pass: EM on one pass's pairs learns m for the comparisons its key does not
 * fix (pairs blocked on the address say how often one person's names agree, pairs
 * blocked on names how often the address does). Each comparison's m is the mean over
 * the passes that could learn it, weighted by their expected matches; a comparison no
 * pass can learn keeps the starting m. One EM over all candidate pairs would instead
 * take the biggest group of look-alikes (the colleagues at one address) for the
 * matches. */
static enum cm_status train_m(struct matcher *x, const struct block_samples *samples, char *err)
{
    const struct profile_store *s = x->s;
    model_initial_m(&x->model);
    double msum[CMP_COUNT][CMP_MAX_LEVELS], wsum[CMP_COUNT];
    memset(msum, 0, sizeof msum);
    memset(wsum, 0, sizeof wsum);
    for (size_t i = 0; i < x->npasses; i++) {
        size_t n = samples->n[i];
        if (n < TRAIN_MIN_PAIRS)
            continue;
        uint64_t *codes = malloc(n * sizeof *codes);
        if (!codes)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for training");
        struct pass_ctx p = { x, samples->pair[i], codes, NULL, NULL };
        parallel_for(n, x->threads, compare_chunk, &p);
        /* what the key fixes says nothing here: those comparisons count as missing */
        uint32_t fixed = block_pass_comparisons(&x->passes[i]);
        uint64_t keep = ~0ull;
        for (int c = 0; c < CMP_COUNT; c++) {
            if (fixed & 1u << c)
                keep &= ~(0xFull << (4 * c));
        }
        for (size_t k = 0; k < n; k++)
            codes[k] &= keep;
        struct fs_model mi = x->model;
        enum cm_status rc = model_train_em(&mi, codes, n, x->em_iterations, 0, err);
        free(codes);
        if (rc)
            return rc;
        double weight = mi.lambda * (double)n;
        for (int c = 0; c < CMP_COUNT; c++) {
            if (fixed & 1u << c)
                continue;
            for (int l = 1; l < cmp_defs[c].nlevels; l++)
                msum[c][l] += weight * mi.m[c][l];
            wsum[c] += weight;
        }
    }
    (void)s;
    for (int c = 0; c < CMP_COUNT; c++) {
        if (wsum[c] <= 0)
            continue;
        for (int l = 1; l < cmp_defs[c].nlevels; l++)
            x->model.m[c][l] = msum[c][l] / wsum[c];
    }
    return CM_OK;
}

/* ---- resolve -------------------------------------------------------------------- */

static enum cm_status fs_resolve(void *r, const struct profile_store *s, uint32_t *cluster_of,
                                 const struct resolve_sink *sink, char *err)
{
    struct matcher *x = r;
    if (s->npending)
        return cm_fail(err, CM_ERR_CONFIG, "the profile store was not finished "
                       "(profile_store_finish) before resolving");
    x->s = s;
    x->pairs = x->matched = x->review = x->vetoed = x->review_by_rule = x->split_pairs = 0;
    tf_free(&x->tf);
    enum cm_status rc = load_overrides(x, s, err);
    if (rc)
        return rc;
    size_t with_contact = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct match_profile *pr = &s->profile[i];
        with_contact += pr->email[0] || pr->phone[0] || pr->company;
    }
    x->contact_data = s->n && with_contact * 10 >= s->n * 3;      /* 30% or more */

    double t0 = now_seconds();
    uint64_t *pairs = NULL;
    size_t npairs = 0;
    struct block_samples samples;
    memset(&samples, 0, sizeof samples);
    samples.max = x->model_loaded ? 0 : TRAIN_PAIRS_PER_PASS;
    rc = block_pairs(s, x->passes, x->npasses, x->threads, &pairs, &npairs, &x->bstats,
                     x->model_loaded ? NULL : &samples, err);
    if (rc)
        return rc;
    x->pairs = npairs;
    rc = block_completeness(s, pairs, npairs, &x->bstats, err);
    if (rc) {
        free(pairs);
        for (size_t i = 0; i < BLOCK_MAX_PASSES; i++)
            free(samples.pair[i]);
        return rc;
    }
    double t1 = now_seconds();
    x->t_block = t1 - t0;

    struct pass_ctx p = { x, pairs, NULL, NULL, NULL };
    p.codes = malloc((npairs ? npairs : 1) * sizeof *p.codes);
    p.weight = malloc((npairs ? npairs : 1) * sizeof *p.weight);
    p.decision = malloc(npairs ? npairs : 1);
    uint32_t *same_key = NULL;
    size_t dup_keys = 0;
    struct cluster_edge *edges = NULL;
    if (!p.codes || !p.weight || !p.decision) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu candidate pairs", npairs);
        goto done;
    }
    parallel_for(npairs, x->threads, compare_chunk, &p);
    double t2 = now_seconds();
    x->t_compare = t2 - t1;

    if (!x->model_loaded) {
        /* small inputs need fewer random pairs: 20 per record, at least 20,000 */
        size_t want = s->n * 20 > 20000 ? s->n * 20 : 20000;
        if (!x->random_pairs_set && want < x->random_pairs)
            x->random_pairs = want;
        rc = model_estimate_u(&x->model, s, &x->cmp, x->random_pairs, x->seed, x->threads, err);
        if (!rc) rc = train_m(x, &samples, err);
        if (!rc) rc = model_train_em(&x->model, p.codes, npairs, x->em_iterations, 1, err);
        if (rc)
            goto done;
    }
    if (!x->model_loaded && s->n > 1) {
        /* The weights compare with random pairs (u), so the prior is the match rate
         * among all pairs, not among the candidates: EM's share of matches among the
         * candidates times the candidates' share of all pairs (nearly every match is
         * a candidate). With the candidates' rate instead, ten Mark Millers in one city
         * would all look like one man. */
        double all = (double)s->n * ((double)s->n - 1) / 2;
        double rate = x->model.lambda * (double)npairs / all;
        x->model.lambda = rate < 1e-12 ? 1e-12 : rate > 0.5 ? 0.5 : rate;
    }
    if (x->prior > 0)
        x->model.lambda = x->prior;
    double t3 = now_seconds();
    x->t_train = t3 - t2;

    if (x->use_tf) {
        x->tf.max_bonus = x->tf_max_bonus;
        x->tf.min_share = 1.0 / (double)(s->n > 1 ? s->n : 2);
        rc = tf_build(&x->tf, s, err);
        if (rc)
            goto done;
    }
    parallel_for(npairs, x->threads, score_chunk, &p);
    double t4 = now_seconds();
    x->t_score = t4 - t3;

    /* accepted pairs and must-links (overrides, repeated source keys) to clustering */
    rc = profile_store_key_groups(s, &same_key, &dup_keys, err);
    if (rc)
        goto done;
    size_t nedges = 0;
    for (size_t i = 0; i < npairs; i++) {
        int d = p.decision[i] & 0x7F;
        x->matched += d == PAIR_MATCH;
        x->review += d == PAIR_REVIEW;
        x->vetoed += p.weight[i] == -INFINITY;
        x->review_by_rule += d == PAIR_REVIEW && (p.decision[i] & 0x80);
    }
    edges = malloc((x->matched + x->nmust + dup_keys + 1) * sizeof *edges);
    if (!edges) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu accepted pairs", x->matched);
        goto done;
    }
    for (size_t i = 0; i < npairs; i++) {
        if ((p.decision[i] & 0x7F) == PAIR_MATCH)
            edges[nedges++] = (struct cluster_edge){ (uint32_t)(pairs[i] >> 32),
                                                     (uint32_t)pairs[i], p.weight[i] };
    }
    for (size_t i = 0; i < x->nmust; i++)
        edges[nedges++] = (struct cluster_edge){ x->must[i].a, x->must[i].b, INFINITY };
    for (size_t i = 0; i < s->n; i++) {
        if (same_key[i] != i)
            edges[nedges++] = (struct cluster_edge){ same_key[i], (uint32_t)i, INFINITY };
    }
    struct cluster_options co = { logit2(x->cluster_threshold), x->repair_max };
    rc = cluster_records(s->n, edges, nedges, cluster_weight, x, &co, cluster_of, &x->cstats, err);
    double t5 = now_seconds();
    x->t_cluster = t5 - t4;
    if (!rc)
        rc = report_pairs(x, &p, npairs, cluster_of, sink, err);

done:
    for (size_t i = 0; i < BLOCK_MAX_PASSES; i++)
        free(samples.pair[i]);
    free(edges);
    free(same_key);
    free(p.codes);
    free(p.weight);
    free(p.decision);
    free(pairs);
    return rc;
}

static json_t *fs_report(void *r)
{
    struct matcher *x = r;
    const struct fs_model *m = &x->model;
    json_t *model = json_pack("{s:f, s:b, s:I, s:I, s:I, s:i}",
        "prior_match_rate", m->lambda, "loaded", x->model_loaded,
        "trained_records", (json_int_t)m->trained_records,
        "trained_pairs", (json_int_t)m->trained_pairs, "random_pairs", (json_int_t)m->u_samples,
        "em_iterations", m->em_iterations);
    return json_pack("{s:s, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, "
                     "s:I, s:I}, s:{s:f, s:f, s:f, s:f, s:f}, s:i, s:f, s:f}",
        "method", "fellegi_sunter", "records", (json_int_t)(x->s ? x->s->n : 0),
        "blocking", block_stats_json(x->passes, &x->bstats), "model", model,
        "pairs_compared", (json_int_t)x->pairs, "pairs_matched", (json_int_t)x->matched,
        "pairs_review", (json_int_t)x->review, "pairs_vetoed", (json_int_t)x->vetoed,
        "pairs_review_by_rule", (json_int_t)x->review_by_rule,
        "pairs_kept_apart", (json_int_t)x->split_pairs,
        "clusters", "clusters", (json_int_t)x->cstats.clusters,
        "repaired", (json_int_t)x->cstats.components_repaired,
        "split", (json_int_t)x->cstats.components_split,
        "records_split_off", (json_int_t)x->cstats.records_split_off,
        "cut", (json_int_t)x->cstats.components_cut,
        "largest", (json_int_t)x->cstats.largest_cluster,
        "timings_s", "block", x->t_block, "compare", x->t_compare, "train", x->t_train,
        "score", x->t_score, "cluster", x->t_cluster,
        "threads", x->threads, "match_threshold", x->match_threshold,
        "review_threshold", x->review_threshold);
}

/* ---- explain -------------------------------------------------------------------- */

static enum cm_status fs_explain(void *r, const struct profile_store *s, uint32_t a, uint32_t b,
                                 const uint32_t *cluster_of, struct buf *out, char *err)
{
    struct matcher *x = r;
    x->s = s;
    struct weighed w;
    weigh(x, a, b, &w);
    enum cm_status rc = buf_printf(out, "%-16s %-34s %9s\n", "comparison", "level", "weight");
    if (!rc) rc = buf_printf(out, "%-16s %-34s %+9.2f  (prior: %.3g of all record pairs match)\n",
                             "prior", "", model_prior_weight(&x->model), x->model.lambda);
    double running = model_prior_weight(&x->model);
    for (int c = 0; !rc && c < CMP_COUNT; c++) {
        if (!(x->cmp.enabled & 1u << c))
            continue;
        running += w.w[c];
        int tf = x->use_tf && w.level[c] && w.level[c] == cmp_defs[c].tf_level &&
                 x->tf.field[c].records >= TF_MIN_RECORDS;
        rc = buf_printf(out, "%-16s %-34s %+9.2f  %s= %+.2f\n", cmp_defs[c].name,
                        cmp_defs[c].level[w.level[c]], w.w[c], tf ? "(term frequency) " : "",
                        running);
    }
    if (!rc && w.where_damping != 0) {
        running -= w.where_damping;
        rc = buf_printf(out, "%-16s %-34s %+9.2f  = %+.2f\n", "address once",
                        "(address fields say one thing)", -w.where_damping, running);
    }
    double prob = probability(w.total);
    enum pair_decision d = decide(x, &w);
    if (!rc) rc = buf_printf(out, "%-16s %-34s %+9.2f  probability %.6f\n", "total", "",
                             w.total, prob);
    if (!rc && w.rule)
        rc = buf_printf(out, "rule: %s\n", w.rule);
    if (!rc) rc = buf_printf(out, "decision: %s (match at >= %g, review at >= %g)\n",
                             pair_decision_name(d), x->match_threshold, x->review_threshold);
    uint32_t met = block_shared_passes(s, x->passes, x->npasses, a, b);
    if (!rc) rc = buf_printf(out, "blocking: %s", met ? "met in" : "no equality pass brings "
                             "them together (a sorted-neighbourhood pass may)");
    for (size_t i = 0; !rc && i < x->npasses; i++) {
        if (met & 1u << i)
            rc = buf_printf(out, " %s", x->passes[i].name);
    }
    if (!rc) rc = buf_addch(out, '\n');
    if (!rc && cluster_of)
        rc = buf_printf(out, "clusters: %s (%u and %u)\n",
                        cluster_of[a] == cluster_of[b] ? "same customer" : "different customers",
                        cluster_of[a], cluster_of[b]);
    if (rc)
        return cm_fail(err, rc, "out of memory");
    return CM_OK;
}

static json_t *fs_model(void *r)
{
    return model_to_json(&((struct matcher *)r)->model);
}

static void fs_free(void *r)
{
    struct matcher *x = r;
    if (!x)
        return;
    tf_free(&x->tf);
    free(x->must);
    free(x->cannot);
    json_decref(x->must_spec);
    json_decref(x->cannot_spec);
    free(x);
}

const struct resolver_ops fellegi_sunter_resolver = {
    RESOLVER_OPS_VERSION,
    "fellegi_sunter",
    fs_new,
    fs_add,
    fs_resolve,
    fs_report,
    fs_free,
    fs_explain,
    fs_model,
};
