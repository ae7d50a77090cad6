/* resolve.c — the profile store and the resolver registry (see resolve.h). */
#include "transforms/resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/hash.h"
#include "transforms/match/parallel.h"
#include "transforms/phone_queue.h"

extern const struct resolver_ops exact_resolver;
extern const struct resolver_ops fellegi_sunter_resolver;

static const struct resolver_ops *const resolvers[] = {
    &fellegi_sunter_resolver,    /* the first is the default */
    &exact_resolver,             /* the baseline: shared e-mail or source key */
};
#define NRESOLVERS (sizeof resolvers / sizeof *resolvers)

/* "exact, fellegi_sunter" */
static const char *resolver_names(void)
{
    static char names[128];
    size_t len = 0;
    for (size_t i = 0; i < NRESOLVERS && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                                resolvers[i]->zName);
    return names;
}

const struct resolver_ops *resolver_find(const char *name)
{
    for (size_t i = 0; i < NRESOLVERS; i++) {
        if (strcmp(resolvers[i]->zName, name) == 0)
            return resolvers[i];
    }
    return NULL;
}

enum cm_status resolver_for(const json_t *match, const struct resolver_ops **out, char *err)
{
    const json_t *m = match ? json_object_get(match, "method") : NULL;
    if (!m) {
        *out = resolvers[0];
        return CM_OK;
    }
    if (!json_is_string(m))
        return cm_fail(err, CM_ERR_CONFIG, "match.method: must be a string (one of: %s)",
                       resolver_names());
    *out = resolver_find(json_string_value(m));
    if (!*out)
        return cm_fail(err, CM_ERR_CONFIG, "match.method: unknown method \"%s\" (known: %s)",
                       json_string_value(m), resolver_names());
    return CM_OK;
}

const char *pair_decision_name(enum pair_decision d)
{
    switch (d) {
    case PAIR_MATCH:    return "match";
    case PAIR_REVIEW:   return "review";
    case PAIR_NONMATCH: return "non-match";
    }
    return "?";
}

/* ---- the profile store ---------------------------------------------------------- */

/* The normaliser hands over a phone of the record being added (s->n). */
static void defer_phone(void *ctx, const char *raw, const char *country)
{
    struct profile_store *s = ctx;
    if (s->pending_failed)
        return;
    if (phone_queue_add(s->phones, (uint32_t)s->n, raw, country))
        s->pending_failed = 1;
    else
        s->npending++;
}

static void phone_result(void *ctx, uint32_t rec, const struct phone_norm *norm, unsigned flags)
{
    struct profile_store *s = ctx;
    profile_add_phone(s->norm, &s->profile[rec], norm, flags);
}

enum cm_status profile_store_finish(struct profile_store *s, int threads, char *err)
{
    if (s->pending_failed)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu phone numbers", s->npending);
    if (s->npending == 0)
        return CM_OK;
    enum cm_status rc = phone_queue_finish(s->phones, threads > 0 ? threads : parallel_cores(),
                                           phone_result, s, err);
    if (!rc)
        s->npending = 0;
    return rc;
}

enum cm_status profile_store_init(struct profile_store *s, const struct normaliser_options *opt,
                                  const char *const *sources, const char *const *default_country,
                                  size_t nsources, char *err)
{
    memset(s, 0, sizeof *s);
    if (nsources > UINT16_MAX)
        return cm_fail(err, CM_ERR_LIMIT, "more than %d sources", UINT16_MAX);
    enum cm_status rc = normaliser_new(opt, &s->norm, err);
    if (rc)
        return rc;
    s->sources = calloc(nsources ? nsources : 1, sizeof *s->sources);
    s->source_country = calloc(nsources ? nsources : 1, sizeof *s->source_country);
    if (!s->sources || !s->source_country) {
        profile_store_free(s);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    s->nsources = nsources;
    if (phone_queue_new(parallel_cores() > 1, &s->phones)) {
        profile_store_free(s);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    normaliser_defer_phones(s->norm, defer_phone, s);
    for (size_t i = 0; i < nsources; i++) {
        s->sources[i] = sources[i];
        const char *text = default_country ? default_country[i] : NULL;
        if (!text || !*text)
            continue;
        const char *iso = normaliser_country(s->norm, text);
        if (!iso) {
            profile_store_free(s);
            return cm_fail(err, CM_ERR_CONFIG, "source %s: default_country: unknown country "
                           "\"%s\" (a name or ISO code, e.g. \"DE\", \"Germany\")",
                           sources[i], text);
        }
        memcpy(s->source_country[i], iso, 2);
    }
    return CM_OK;
}

void profile_store_free(struct profile_store *s)
{
    if (!s)
        return;
    normaliser_free(s->norm);
    free(s->profile);
    free(s->source);
    free(s->key_derived);
    free(s->key_off);
    free(s->keys);
    free(s->sources);
    free(s->source_country);
    phone_queue_free(s->phones);
    memset(s, 0, sizeof *s);
}

static enum cm_status grow_records(struct profile_store *s)
{
    size_t cap = s->cap ? s->cap * 2 : 4096;
    struct match_profile *p = realloc(s->profile, cap * sizeof *p);
    if (!p)
        return CM_ERR_NOMEM;
    s->profile = p;
    uint16_t *src = realloc(s->source, cap * sizeof *src);
    if (!src)
        return CM_ERR_NOMEM;
    s->source = src;
    uint8_t *d = realloc(s->key_derived, cap);
    if (!d)
        return CM_ERR_NOMEM;
    s->key_derived = d;
    uint32_t *off = realloc(s->key_off, cap * sizeof *off);
    if (!off)
        return CM_ERR_NOMEM;
    s->key_off = off;
    s->cap = cap;
    return CM_OK;
}

enum cm_status profile_store_add(struct profile_store *s, size_t source,
                                 const struct contact *c, uint32_t *rec_no, char *err)
{
    if (source >= s->nsources)
        return cm_fail(err, CM_ERR_CONFIG, "profile store: no source %zu", source);
    if (s->n >= UINT32_MAX - 1)
        return cm_fail(err, CM_ERR_LIMIT, "more than %u records in one run", UINT32_MAX - 1);
    if (s->n == s->cap && grow_records(s))
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu match profiles", s->n + 1);
    const char *key = c->source_key ? c->source_key : "";
    size_t klen = strlen(key) + 1;
    if (s->keys_len + klen > UINT32_MAX)
        return cm_fail(err, CM_ERR_LIMIT, "source keys of one run exceed 4 GB");
    if (s->keys_len + klen > s->keys_cap) {
        size_t cap = s->keys_cap ? s->keys_cap * 2 : 65536;
        while (cap < s->keys_len + klen)
            cap *= 2;
        char *k = realloc(s->keys, cap);
        if (!k)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for source keys");
        s->keys = k;
        s->keys_cap = cap;
    }
    const char *country = s->source_country[source][0] ? s->source_country[source] : NULL;
    char iso[3];
    if (country) {
        memcpy(iso, country, 2);
        iso[2] = '\0';
        country = iso;
    }
    enum cm_status rc = normalise_contact(s->norm, c, country, &s->profile[s->n]);
    if (rc)
        return cm_fail(err, rc, "cannot normalise: %s", cm_strerror(rc));
    memcpy(s->keys + s->keys_len, key, klen);
    s->key_off[s->n] = (uint32_t)s->keys_len;
    s->keys_len += klen;
    s->source[s->n] = (uint16_t)source;
    s->key_derived[s->n] = c->source_key_derived ? 1 : 0;
    *rec_no = (uint32_t)s->n++;
    return CM_OK;
}

/* ---- records sharing a (source, key) -------------------------------------------- */

struct keyed { uint64_t h; uint32_t rec; };

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

enum cm_status profile_store_key_groups(const struct profile_store *s, uint32_t **first_of,
                                        size_t *duplicates, char *err)
{
    *first_of = NULL;
    *duplicates = 0;
    uint32_t *first = malloc((s->n ? s->n : 1) * sizeof *first);
    struct keyed *k = malloc((s->n ? s->n : 1) * sizeof *k);
    if (!first || !k) {
        free(first);
        free(k);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->n; i++) {
        const char *key = profile_store_key(s, (uint32_t)i);
        first[i] = (uint32_t)i;
        k[i].h = hash64(key, strlen(key), 0x5eed0000u + s->source[i]);
        k[i].rec = (uint32_t)i;
    }
    qsort(k, s->n, sizeof *k, keyed_cmp);
    for (size_t i = 0; i < s->n; ) {
        size_t j = i + 1;
        while (j < s->n && k[j].h == k[i].h)
            j++;
        /* equal hashes: compare the texts (a collision must not unite strangers) */
        for (size_t a = i; a < j; a++) {
            uint32_t ra = k[a].rec;
            if (first[ra] != ra)
                continue;
            for (size_t b = a + 1; b < j; b++) {
                uint32_t rb = k[b].rec;
                if (first[rb] == rb && s->source[ra] == s->source[rb] &&
                    strcmp(profile_store_key(s, ra), profile_store_key(s, rb)) == 0) {
                    first[rb] = ra;
                    (*duplicates)++;
                }
            }
        }
        i = j;
    }
    free(k);
    *first_of = first;
    return CM_OK;
}
