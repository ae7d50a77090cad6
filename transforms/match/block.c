/* block.c — blocking passes, caps and the pass report (see block.h). */
#include "transforms/match/block.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/hash.h"
#include "transforms/match/compare.h"
#include "transforms/match/radix.h"

static const char *const part_names[BP_COUNT] = {
    [BP_EMAIL] = "email", [BP_PHONE] = "phone", [BP_GIVEN] = "given",
    [BP_GIVEN_INITIAL] = "given_initial", [BP_GIVEN_CANON] = "given_canonical",
    [BP_GIVEN_PHONETIC] = "given_phonetic", [BP_FAMILY] = "family",
    [BP_FAMILY_INITIAL] = "family_initial", [BP_FAMILY_PHONETIC] = "family_phonetic",
    [BP_BIRTH_DATE] = "birth_date", [BP_BIRTH_YEAR] = "birth_year",
    [BP_POSTAL_CODE] = "postal_code", [BP_CITY] = "city", [BP_STREET] = "street",
    [BP_HOUSE_NUMBER] = "house_number", [BP_COMPANY] = "company", [BP_REGION] = "region", [BP_NAME_PAIR] = "name_pair",
    [BP_NAME_ANY] = "name_any",
};

const char *block_part_name(enum block_part p)
{
    return p < BP_COUNT ? part_names[p] : "?";
}

static int part_find(const char *name)
{
    for (int i = 0; i < BP_COUNT; i++) {
        if (strcmp(part_names[i], name) == 0)
            return i;
    }
    return -1;
}

static void pass_name(struct block_pass *p)
{
    size_t len = 0;
    if (p->window)
        len += (size_t)snprintf(p->name, sizeof p->name, "sorted:");
    for (int i = 0; i < p->nparts && len < sizeof p->name; i++)
        len += (size_t)snprintf(p->name + len, sizeof p->name - len, "%s%s", i ? "+" : "",
                                part_names[p->part[i]]);
}

static struct block_pass make_pass(size_t cap, int window, int n, ...)
{
    struct block_pass p;
    memset(&p, 0, sizeof p);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < BLOCK_MAX_PARTS; i++)
        p.part[p.nparts++] = (enum block_part)va_arg(ap, int);
    va_end(ap);
    p.window = window;
    p.cap = cap;
    pass_name(&p);
    return p;
}

/* The defaults: what identifies a person in CRM data (e-mail, phone), then names with
 * an address or birth date part, each pair of parts chosen so that one typo in any
 * single field still leaves the pair blocked together by another pass. */
size_t block_default_passes(struct block_pass *out, size_t cap)
{
    struct block_pass d[] = {
        make_pass(200, 0, 1, BP_EMAIL),
        make_pass(20, 0, 1, BP_PHONE),       /* a number many share is a switchboard */
        make_pass(300, 0, 2, BP_FAMILY_PHONETIC, BP_POSTAL_CODE),
        make_pass(30, 0, 3, BP_FAMILY, BP_GIVEN_INITIAL, BP_CITY),
        make_pass(300, 0, 2, BP_COMPANY, BP_FAMILY),
        make_pass(300, 0, 2, BP_GIVEN_CANON, BP_BIRTH_DATE),
        make_pass(20, 0, 1, BP_NAME_PAIR),   /* 20 John Smiths: a name is no address */
        make_pass(300, 0, 3, BP_STREET, BP_HOUSE_NUMBER, BP_POSTAL_CODE),
        make_pass(300, 0, 2, BP_BIRTH_DATE, BP_POSTAL_CODE),
        make_pass(300, 0, 2, BP_GIVEN_PHONETIC, BP_POSTAL_CODE),
        make_pass(300, 0, 3, BP_STREET, BP_HOUSE_NUMBER, BP_GIVEN_INITIAL),
        make_pass(300, 0, 2, BP_BIRTH_DATE, BP_FAMILY_INITIAL),
        make_pass(300, 0, 1, BP_BIRTH_DATE),
        make_pass(300, 0, 2, BP_NAME_ANY, BP_POSTAL_CODE),
        make_pass(0, 4, 2, BP_FAMILY, BP_GIVEN),
        make_pass(0, 4, 2, BP_STREET, BP_HOUSE_NUMBER),
    };
    size_t n = sizeof d / sizeof *d;
    if (n > cap)
        n = cap;
    memcpy(out, d, n * sizeof *d);
    return n;
}

static enum cm_status parts_from_json(const json_t *list, const char *where,
                                      struct block_pass *p, char *err)
{
    size_t i;
    const json_t *v;
    if (json_array_size(list) == 0 || json_array_size(list) > BLOCK_MAX_PARTS)
        return cm_fail(err, CM_ERR_CONFIG, "%s: a pass has 1 to %d key parts", where,
                       BLOCK_MAX_PARTS);
    json_array_foreach(list, i, v) {
        int part = json_is_string(v) ? part_find(json_string_value(v)) : -1;
        if (part < 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s[%zu]: unknown key part%s%s%s (known: email, "
                           "phone, given, given_initial, given_canonical, given_phonetic, "
                           "family, family_initial, family_phonetic, birth_date, birth_year, "
                           "postal_code, city, street, house_number, company, region, name_pair, name_any)",
                           where, i, json_is_string(v) ? " \"" : "",
                           json_is_string(v) ? json_string_value(v) : "", json_is_string(v) ? "\"" : "");
        p->part[p->nparts++] = (enum block_part)part;
    }
    return CM_OK;
}

enum cm_status block_passes_from_json(const json_t *list, const char *where,
                                      struct block_pass *out, size_t cap, size_t *n, char *err)
{
    *n = 0;
    if (!json_is_array(list) || json_array_size(list) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be a non-empty list of passes", where);
    if (json_array_size(list) > cap)
        return cm_fail(err, CM_ERR_CONFIG, "%s: at most %zu passes", where, cap);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) {
        char at[160];
        snprintf(at, sizeof at, "%s[%zu]", where, i);
        struct block_pass p;
        memset(&p, 0, sizeof p);
        p.cap = 300;
        enum cm_status rc = CM_OK;
        if (json_is_string(v)) {
            json_t *one = json_pack("[O]", v);
            rc = parts_from_json(one, at, &p, err);
            json_decref(one);
        } else if (json_is_array(v)) {
            rc = parts_from_json(v, at, &p, err);
        } else if (json_is_object(v)) {
            const char *key;
            json_t *val;
            json_object_foreach((json_t *)v, key, val) {
                if (strcmp(key, "parts") && strcmp(key, "cap") && strcmp(key, "sorted") &&
                    strcmp(key, "window"))
                    return cm_fail(err, CM_ERR_CONFIG, "%s.%s: unknown key (known: parts, cap, "
                                   "sorted, window)", at, key);
            }
            const json_t *parts = json_object_get(v, "parts");
            const json_t *sorted = json_object_get(v, "sorted");
            if (!!parts == !!sorted)
                return cm_fail(err, CM_ERR_CONFIG, "%s: needs \"parts\" or \"sorted\" (one)", at);
            json_t *list1 = json_is_string(parts ? parts : sorted)
                          ? json_pack("[O]", parts ? parts : sorted)
                          : json_incref((json_t *)(parts ? parts : sorted));
            rc = parts_from_json(list1, at, &p, err);
            json_decref(list1);
            const json_t *c = json_object_get(v, "cap");
            if (!rc && c) {
                if (!json_is_integer(c) || json_integer_value(c) < 2)
                    return cm_fail(err, CM_ERR_CONFIG, "%s.cap: must be an integer >= 2", at);
                p.cap = (size_t)json_integer_value(c);
            }
            if (!rc && sorted) {
                const json_t *w = json_object_get(v, "window");
                p.window = 4;
                if (w && (!json_is_integer(w) || json_integer_value(w) < 2 ||
                          json_integer_value(w) > 100))
                    return cm_fail(err, CM_ERR_CONFIG, "%s.window: must be 2 to 100", at);
                if (w)
                    p.window = (int)json_integer_value(w);
            }
        } else {
            return cm_fail(err, CM_ERR_CONFIG, "%s: a pass is a key part name, a list of them, "
                           "or an object", at);
        }
        if (rc)
            return rc;
        pass_name(&p);
        out[(*n)++] = p;
    }
    return CM_OK;
}

/* ---- keys ----------------------------------------------------------------------- */

#define MAX_VALUES 2             /* values a multi-valued part contributes */

/* The values of one part of a record (0..MAX_VALUES), as 64-bit numbers. */
static int part_values(const struct profile_store *s, const struct match_profile *p,
                       enum block_part part, uint64_t v[MAX_VALUES])
{
    int n = 0;
    switch (part) {
    case BP_EMAIL:
        for (int i = 0; i < PROFILE_EMAILS && n < MAX_VALUES; i++) {
            if (p->email[i] && !(p->email_flags[i] & (PEMAIL_ROLE | PEMAIL_INVALID)))
                v[n++] = p->email[i];
        }
        return n;
    case BP_PHONE:
        for (int i = 0; i < PROFILE_PHONES && n < MAX_VALUES; i++) {
            if (p->phone[i] && !(p->phone_flags[i] & (PPHONE_INVALID | PPHONE_EXCEL)))
                v[n++] = p->phone[i];
        }
        return n;
    case BP_GIVEN:          v[0] = p->given; return p->given != 0;
    case BP_FAMILY:         v[0] = p->family; return p->family != 0;
    case BP_GIVEN_INITIAL:
        if (!p->given)
            return 0;
        v[0] = (unsigned char)profile_text(s->norm, p->given)[0];
        return 1;
    case BP_FAMILY_INITIAL:
        if (!p->family)
            return 0;
        v[0] = (unsigned char)profile_text(s->norm, p->family)[0];
        return 1;
    case BP_GIVEN_CANON:
        for (int i = 0; i < PROFILE_CANON && n < MAX_VALUES; i++) {
            if (p->given_canon[i])
                v[n++] = p->given_canon[i];
        }
        if (n == 0 && p->given)
            v[n++] = p->given;
        return n;
    case BP_GIVEN_PHONETIC:
        for (int i = 0; i < 2 && n < MAX_VALUES; i++) {
            if (p->given_dm[i] && (i == 0 || p->given_dm[1] != p->given_dm[0]))
                v[n++] = p->given_dm[i];
        }
        return n;
    case BP_FAMILY_PHONETIC:
        for (int i = 0; i < 2 && n < MAX_VALUES; i++) {
            if (p->family_dm[i] && (i == 0 || p->family_dm[1] != p->family_dm[0]))
                v[n++] = p->family_dm[i];
        }
        return n;
    case BP_BIRTH_DATE:     v[0] = p->birth_date; return p->birth_date % 100 != 0;
    case BP_BIRTH_YEAR:     v[0] = p->birth_date / 10000; return p->birth_date != 0;
    case BP_POSTAL_CODE:    v[0] = p->postal_code; return p->postal_code != 0;
    case BP_CITY:           v[0] = p->city; return p->city != 0;
    case BP_STREET:         v[0] = p->street; return p->street != 0;
    case BP_HOUSE_NUMBER:   v[0] = p->house_number; return p->house_number != 0;
    case BP_COMPANY:        v[0] = p->company; return p->company != 0;
    case BP_REGION:         v[0] = p->region; return p->region != 0;
    case BP_NAME_ANY:
        if (p->given)
            v[n++] = p->given;
        if (p->family && p->family != p->given)
            v[n++] = p->family;
        return n;
    case BP_NAME_PAIR:
        if (!p->given || !p->family)
            return 0;
        v[0] = p->given < p->family ? (uint64_t)p->given << 32 | p->family
                                    : (uint64_t)p->family << 32 | p->given;
        return 1;
    case BP_COUNT:          break;
    }
    return 0;
}

/* Describe one part value in words for the capped-block report. */
static int part_text(const struct profile_store *s, enum block_part part, uint64_t v,
                     char *out, size_t cap)
{
    char code[9];
    switch (part) {
    case BP_PHONE:
        return snprintf(out, cap, "%s=+%llu", part_names[part], (unsigned long long)v);
    case BP_GIVEN_INITIAL: case BP_FAMILY_INITIAL:
        return snprintf(out, cap, "%s=%c", part_names[part], (char)v);
    case BP_GIVEN_PHONETIC: case BP_FAMILY_PHONETIC:
        unpack_code4((uint32_t)v, code);
        return snprintf(out, cap, "%s=%s", part_names[part], code);
    case BP_BIRTH_DATE: case BP_BIRTH_YEAR:
        return snprintf(out, cap, "%s=%llu", part_names[part], (unsigned long long)v);
    default:
        return snprintf(out, cap, "%s=%s", part_names[part], profile_text(s->norm, (uint32_t)v));
    }
}

/* Keys of record rec in pass p (one per combination of values, at most 4). */
static int record_keys(const struct profile_store *s, const struct block_pass *p, uint32_t rec,
                       uint64_t keys[4], uint8_t choice[4][BLOCK_MAX_PARTS])
{
    uint64_t vals[BLOCK_MAX_PARTS][MAX_VALUES];
    int nv[BLOCK_MAX_PARTS];
    int combos = 1;
    for (int i = 0; i < p->nparts; i++) {
        nv[i] = part_values(s, &s->profile[rec], p->part[i], vals[i]);
        if (nv[i] == 0)
            return 0;
        combos *= nv[i];
    }
    int nk = 0;
    for (int c = 0; c < combos && nk < 4; c++) {
        uint64_t buf[BLOCK_MAX_PARTS];
        int rest = c;
        for (int i = 0; i < p->nparts; i++) {
            int k = rest % nv[i];
            rest /= nv[i];
            choice[nk][i] = (uint8_t)k;
            buf[i] = vals[i][k] * 0x9E3779B97F4A7C15ull + (uint64_t)p->part[i];
        }
        keys[nk++] = hash64(buf, (size_t)p->nparts * sizeof *buf, 0xb10c);
    }
    return nk;
}

uint32_t block_shared_passes(const struct profile_store *s, const struct block_pass *passes,
                             size_t npasses, uint32_t a, uint32_t b)
{
    uint32_t mask = 0;
    for (size_t i = 0; i < npasses && i < 32; i++) {
        if (passes[i].window)
            continue;
        uint64_t ka[4], kb[4];
        uint8_t choice[4][BLOCK_MAX_PARTS];
        int na = record_keys(s, &passes[i], a, ka, choice);
        int nb = record_keys(s, &passes[i], b, kb, choice);
        for (int x = 0; x < na; x++) {
            for (int y = 0; y < nb; y++) {
                if (ka[x] == kb[y])
                    mask |= 1u << i;
            }
        }
    }
    return mask;
}

/* ---- pairs ---------------------------------------------------------------------- */

struct pairbuf {
    uint64_t *v;
    size_t n, cap;
};

static int pair_push(struct pairbuf *b, uint32_t x, uint32_t y)
{
    if (x == y)
        return 0;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1 << 16;
        uint64_t *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return -1;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = x < y ? (uint64_t)x << 32 | y : (uint64_t)y << 32 | x;
    return 0;
}

static void note_capped(const struct profile_store *s, const struct block_pass *p,
                        struct block_pass_stats *st, uint32_t rec, size_t size)
{
    st->capped_blocks++;
    st->capped_records += size;
    size_t at = st->ncapped_shown;
    if (at == BLOCK_CAPPED_SHOWN) {
        if (size <= st->capped[at - 1].records)
            return;
        at--;
    } else {
        st->ncapped_shown++;
    }
    while (at > 0 && st->capped[at - 1].records < size) {
        st->capped[at] = st->capped[at - 1];
        at--;
    }
    struct block_capped *c = &st->capped[at];
    c->records = size;
    c->key[0] = '\0';
    uint64_t keys[4];
    uint8_t choice[4][BLOCK_MAX_PARTS];
    if (p->window || record_keys(s, p, rec, keys, choice) == 0)
        return;
    size_t len = 0;
    for (int i = 0; i < p->nparts && len < sizeof c->key; i++) {
        uint64_t vals[MAX_VALUES];
        part_values(s, &s->profile[rec], p->part[i], vals);
        if (i)
            len += (size_t)snprintf(c->key + len, sizeof c->key - len, " ");
        if (len < sizeof c->key)
            len += (size_t)part_text(s, p->part[i], vals[choice[0][i]], c->key + len,
                                     sizeof c->key - len);
    }
}

/* Sort key of a record for a sorted-neighbourhood pass: the first bytes of its parts'
 * texts (6 of the first, 2 of the second). */
static uint64_t sort_key(const struct profile_store *s, const struct block_pass *p, uint32_t rec)
{
    uint64_t k = 0;
    int width[2] = { p->nparts > 1 ? 6 : 8, 2 };
    int shift = 64;
    for (int i = 0; i < p->nparts && i < 2; i++) {
        uint64_t v[MAX_VALUES];
        const char *t = "";
        if (part_values(s, &s->profile[rec], p->part[i], v) > 0)
            t = profile_text(s->norm, (uint32_t)v[0]);
        for (int j = 0; j < width[i]; j++) {
            shift -= 8;
            unsigned char ch = *t ? (unsigned char)*t++ : 0;
            k |= (uint64_t)ch << shift;
        }
    }
    return k;
}

/* Every record's keys of pass p (for a sorted pass its sort key), sorted by key then
 * record: *out (malloc'd) and *n; *keyed counts the records with a key. */
static enum cm_status pass_keys(const struct profile_store *s, const struct block_pass *p,
                                struct keyed_rec **out, size_t *n, size_t *keyed)
{
    *out = NULL;
    *n = *keyed = 0;
    struct keyed_rec *k = malloc((s->n * (p->window ? 1 : 4) + 1) * sizeof *k);
    if (!k)
        return CM_ERR_NOMEM;
    size_t nk = 0;
    for (uint32_t r = 0; r < s->n; r++) {
        if (p->window) {
            uint64_t v[MAX_VALUES];
            if (part_values(s, &s->profile[r], p->part[0], v) == 0)
                continue;
            k[nk++] = (struct keyed_rec){ sort_key(s, p, r), r, 0 };
            (*keyed)++;
            continue;
        }
        uint64_t keys[4];
        uint8_t choice[4][BLOCK_MAX_PARTS];
        int nr = record_keys(s, p, r, keys, choice);
        for (int i = 0; i < nr; i++)
            k[nk++] = (struct keyed_rec){ keys[i], r, 0 };
        *keyed += nr > 0;
    }
    if (radix_sort_keyed(k, nk)) {
        free(k);
        return CM_ERR_NOMEM;
    }
    *out = k;
    *n = nk;
    return CM_OK;
}

static enum cm_status run_pass(const struct profile_store *s, const struct block_pass *p,
                               struct pairbuf *out, struct block_pass_stats *st)
{
    memset(st, 0, sizeof *st);
    struct keyed_rec *k;
    size_t nk;
    enum cm_status rc = pass_keys(s, p, &k, &nk, &st->keyed);
    if (rc)
        return rc;
    size_t before = out->n;
    if (!rc && p->window) {
        for (size_t i = 0; !rc && i < nk; i++) {
            for (size_t j = i + 1; j < nk && j < i + (size_t)p->window; j++) {
                if (pair_push(out, k[i].rec, k[j].rec))
                    rc = CM_ERR_NOMEM;
            }
        }
    } else if (!rc) {
        for (size_t i = 0; !rc && i < nk; ) {
            size_t j = i + 1;
            while (j < nk && k[j].key == k[i].key)
                j++;
            size_t size = j - i;
            if (size > p->cap) {
                note_capped(s, p, st, k[i].rec, size);
            } else {
                for (size_t a = i; !rc && a < j; a++) {
                    for (size_t b = a + 1; b < j; b++) {
                        if (k[a].rec != k[b].rec && pair_push(out, k[a].rec, k[b].rec)) {
                            rc = CM_ERR_NOMEM;
                            break;
                        }
                    }
                }
            }
            i = j;
        }
    }
    st->pairs = out->n - before;
    free(k);
    return rc;
}

enum cm_status block_groups(const struct profile_store *s, const struct block_pass *p,
                            block_group_fn *fn, void *ctx, char *err)
{
    struct keyed_rec *k;
    size_t nk, keyed;
    uint32_t *recs = malloc((s->n + 1) * sizeof *recs);
    enum cm_status rc = recs ? pass_keys(s, p, &k, &nk, &keyed) : CM_ERR_NOMEM;
    if (rc) {
        free(recs);
        return cm_fail(err, rc, "out of memory for blocking");
    }
    for (size_t i = 0; !rc && i < nk; ) {
        size_t j = i + 1, n = 1;
        recs[0] = k[i].rec;
        while (j < nk && k[j].key == k[i].key) {
            if (k[j].rec != recs[n - 1])
                recs[n++] = k[j].rec;
            j++;
        }
        if (n >= 2 && fn(ctx, recs, n))
            break;
        i = j;
    }
    free(k);
    free(recs);
    return rc;
}

struct pass_job {
    const struct profile_store *s;
    const struct block_pass *passes;
    size_t npasses;
    size_t next;                 /* next pass to take (under lock) */
    pthread_mutex_t lock;
    struct pairbuf *bufs;        /* one per pass */
    struct block_stats *st;
    enum cm_status rc;
};

static void *pass_worker(void *arg)
{
    struct pass_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        int stop = j->rc != CM_OK;
        pthread_mutex_unlock(&j->lock);
        if (stop || i >= j->npasses)
            return NULL;
        enum cm_status rc = run_pass(j->s, &j->passes[i], &j->bufs[i], &j->st->pass[i]);
        if (rc) {
            pthread_mutex_lock(&j->lock);
            j->rc = rc;
            pthread_mutex_unlock(&j->lock);
        }
    }
}

enum cm_status block_pairs(const struct profile_store *s, const struct block_pass *passes,
                           size_t npasses, int threads, uint64_t **pairs, size_t *npairs,
                           struct block_stats *st, struct block_samples *samples, char *err)
{
    *pairs = NULL;
    *npairs = 0;
    memset(st, 0, sizeof *st);
    if (npasses > BLOCK_MAX_PASSES)
        return cm_fail(err, CM_ERR_CONFIG, "at most %d blocking passes", BLOCK_MAX_PASSES);
    st->npasses = npasses;
    struct pass_job j = { s, passes, npasses, 0, PTHREAD_MUTEX_INITIALIZER, NULL, st, CM_OK };
    j.bufs = calloc(npasses ? npasses : 1, sizeof *j.bufs);
    if (!j.bufs)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for blocking");
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > npasses)
        threads = (int)(npasses ? npasses : 1);
    pthread_t tid[16];
    int started = 0;
    for (int t = 1; t < threads && t < 16; t++) {
        if (pthread_create(&tid[started], NULL, pass_worker, &j) == 0)
            started++;
    }
    pass_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&j.lock);

    size_t total = 0;
    for (size_t i = 0; i < npasses; i++)
        total += j.bufs[i].n;
    uint64_t *all = j.rc ? NULL : malloc((total ? total : 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; s->truth_person && i < npasses; i++) {
        size_t t = 0;           /* what each pass finds of the truth, before merging */
        for (size_t k = 0; k < j.bufs[i].n; k++) {
            uint32_t a = s->truth_person[j.bufs[i].v[k] >> 32];
            t += a != UINT32_MAX && a == s->truth_person[(uint32_t)j.bufs[i].v[k]];
        }
        st->pass[i].true_pairs = t;
    }
    for (size_t i = 0; i < npasses; i++) {
        if (all && j.bufs[i].n)
            memcpy(all + n, j.bufs[i].v, j.bufs[i].n * sizeof *all);
        n += j.bufs[i].n;
        if (samples && all && j.bufs[i].n) {
            /* the first pairs of a pass: its blocks come in hashed-key order, so they are
             * a spread of blocks, not the first names of the alphabet */
            size_t take = j.bufs[i].n < samples->max ? j.bufs[i].n : samples->max;
            samples->pair[i] = malloc((take ? take : 1) * sizeof *samples->pair[i]);
            if (samples->pair[i]) {
                memcpy(samples->pair[i], j.bufs[i].v, take * sizeof *samples->pair[i]);
                samples->n[i] = take;
            }
        }
        free(j.bufs[i].v);
    }
    free(j.bufs);
    if (!all)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu candidate pairs", total);
    if (radix_unique_u64(all, &n)) {
        free(all);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory sorting %zu candidate pairs", total);
    }
    st->pairs = n;
    double all_pairs = (double)s->n * ((double)s->n - 1) / 2;
    st->reduction_ratio = all_pairs > 0 ? 1.0 - (double)n / all_pairs : 0;
    *pairs = all;
    *npairs = n;
    return CM_OK;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

enum cm_status block_completeness(const struct profile_store *s, const uint64_t *pairs,
                                  size_t npairs, struct block_stats *st, char *err)
{
    st->with_truth = 0;
    if (!s->truth_person)
        return CM_OK;
    uint32_t *p = malloc((s->n ? s->n : 1) * sizeof *p);
    if (!p)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for the truth");
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->truth_person[i] != UINT32_MAX)
            p[k++] = s->truth_person[i];
    }
    qsort(p, k, sizeof *p, u32_cmp);
    size_t total = 0;
    for (size_t i = 0; i < k; ) {
        size_t j = i + 1;
        while (j < k && p[j] == p[i])
            j++;
        total += (j - i) * (j - i - 1) / 2;
        i = j;
    }
    free(p);
    size_t found = 0;
    for (size_t i = 0; i < npairs; i++) {
        uint32_t a = s->truth_person[pairs[i] >> 32], b = s->truth_person[(uint32_t)pairs[i]];
        found += a != UINT32_MAX && a == b;
    }
    st->true_pairs = total;
    st->true_pairs_found = found;
    st->with_truth = 1;
    return CM_OK;
}

uint32_t block_pass_comparisons(const struct block_pass *p)
{
    uint32_t m = 0;
    for (int i = 0; i < p->nparts; i++) {
        switch (p->part[i]) {
        case BP_EMAIL:          m |= 1u << CMP_EMAIL; break;
        case BP_PHONE:          m |= 1u << CMP_PHONE; break;
        case BP_GIVEN: case BP_GIVEN_INITIAL: case BP_GIVEN_CANON: case BP_GIVEN_PHONETIC:
                                m |= 1u << CMP_GIVEN; break;
        case BP_FAMILY: case BP_FAMILY_INITIAL: case BP_FAMILY_PHONETIC:
                                m |= 1u << CMP_FAMILY; break;
        case BP_BIRTH_DATE: case BP_BIRTH_YEAR:
                                m |= 1u << CMP_BIRTH; break;
        case BP_POSTAL_CODE:    m |= 1u << CMP_POSTAL; break;
        case BP_CITY:           m |= 1u << CMP_CITY; break;
        case BP_STREET:         m |= 1u << CMP_STREET; break;
        case BP_HOUSE_NUMBER:   m |= 1u << CMP_HOUSE; break;
        case BP_COMPANY:        m |= 1u << CMP_COMPANY; break;
        case BP_REGION:         m |= 1u << CMP_REGION; break;
        case BP_NAME_PAIR: case BP_NAME_ANY:
                                m |= 1u << CMP_GIVEN | 1u << CMP_FAMILY; break;
        case BP_COUNT:          break;
        }
    }
    /* Where a person is (address, employer, its switchboard) is one fact seen in many
     * fields: pairs blocked on part of it agree on the rest far more often than
     * independence says (colleagues, households). Such a pass teaches none of them. */
    const uint32_t where = 1u << CMP_HOUSE | 1u << CMP_STREET | 1u << CMP_EXTRA |
                           1u << CMP_CITY | 1u << CMP_POSTAL | 1u << CMP_REGION |
                           1u << CMP_COMPANY | 1u << CMP_PHONE;
    if (m & where)
        m |= where;
    return m;
}

json_t *block_stats_json(const struct block_pass *passes, const struct block_stats *st)
{
    json_t *list = json_array();
    for (size_t i = 0; i < st->npasses; i++) {
        const struct block_pass_stats *p = &st->pass[i];
        json_t *capped = json_array();
        for (size_t c = 0; c < p->ncapped_shown; c++)
            json_array_append_new(capped, json_pack("{s:s, s:I}", "key", p->capped[c].key,
                                                    "records", (json_int_t)p->capped[c].records));
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}",
            "pass", passes[i].name, "records_keyed", (json_int_t)p->keyed,
            "pairs", (json_int_t)p->pairs, "capped_blocks", (json_int_t)p->capped_blocks,
            "capped_records", (json_int_t)p->capped_records, "biggest_capped", capped);
        if (o && st->with_truth)
            json_object_set_new(o, "true_pairs", json_integer((json_int_t)p->true_pairs));
        json_array_append_new(list, o);
    }
    json_t *j = json_pack("{s:o, s:I, s:f}", "passes", list, "pairs", (json_int_t)st->pairs,
                          "reduction_ratio", st->reduction_ratio);
    if (j && st->with_truth)
        json_object_update_new(j, json_pack("{s:I, s:I, s:f}",
            "true_pairs", (json_int_t)st->true_pairs,
            "true_pairs_blocked", (json_int_t)st->true_pairs_found,
            "pair_completeness", st->true_pairs ? (double)st->true_pairs_found /
                                                  (double)st->true_pairs : 1.0));
    return j;
}
