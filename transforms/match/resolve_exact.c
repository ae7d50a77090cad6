/* resolve_exact.c — the exact-key resolver ("method": "exact"), crmerge's first and
 * deliberately limited identity resolution, kept as a baseline to measure the matcher
 * against: two records are one customer when they share a normalised e-mail address
 * (email.c's form; role addresses such as info@ and invalid ones never count) or repeat
 * a source key within one source; closed transitively. Nothing fuzzy: no names, no
 * phones. It is the matcher's e-mail blocking pass (block.c) with every block taken as
 * one customer, no more.
 *
 * It chains strangers who share one address (a family's mailbox) into one customer:
 * use it only to compare. */
#include <stdlib.h>
#include <string.h>
#include "transforms/match/block.h"
#include "transforms/match/unionfind.h"
#include "transforms/resolve.h"

struct exact {
    size_t pairs, duplicate_keys, clusters, records;
};

static enum cm_status exact_new(const struct resolve_config *cfg, void **out, char *err)
{
    (void)cfg;
    struct exact *x = calloc(1, sizeof *x);
    if (!x)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    *out = x;
    return CM_OK;
}

static enum cm_status exact_add(void *r, const struct profile_store *s, uint32_t first,
                                uint32_t count, char *err)
{
    (void)r; (void)s; (void)first; (void)count; (void)err;
    return CM_OK;                /* everything happens in resolve */
}

static enum cm_status report(const struct resolve_sink *sink, uint32_t a, uint32_t b,
                             const char *rule, char *err)
{
    if (!sink || !sink->on_pair)
        return CM_OK;
    struct pair_result p = { a < b ? a : b, a < b ? b : a, 0, 1, PAIR_MATCH, rule, "[]" };
    return sink->on_pair(sink->ctx, &p, err);
}

struct unite_ctx {
    struct exact *x;
    uint32_t *parent;
    const struct resolve_sink *sink;
    enum cm_status rc;
    char *err;
};

/* Every record of a block with the first: all share the key. */
static int unite_group(void *ctx, const uint32_t *recs, size_t n)
{
    struct unite_ctx *u = ctx;
    for (size_t i = 1; i < n && !u->rc; i++) {
        if (uf_unite(u->parent, recs[0], recs[i])) {
            u->x->pairs++;
            u->rc = report(u->sink, recs[0], recs[i], "same e-mail", u->err);
        }
    }
    return u->rc != CM_OK;
}

static enum cm_status exact_resolve(void *r, const struct profile_store *s, uint32_t *cluster_of,
                                    const struct resolve_sink *sink, char *err)
{
    struct exact *x = r;
    if (s->npending)
        return cm_fail(err, CM_ERR_CONFIG, "the profile store was not finished "
                       "(profile_store_finish) before resolving");
    uint32_t *first = NULL;
    enum cm_status rc = profile_store_key_groups(s, &first, &x->duplicate_keys, err);
    if (rc)
        return rc;
    uf_init(cluster_of, s->n);
    for (size_t i = 0; !rc && i < s->n; i++) {
        if (first[i] != i && uf_unite(cluster_of, first[i], (uint32_t)i)) {
            x->pairs++;
            rc = report(sink, first[i], (uint32_t)i, "same source key", err);
        }
    }
    free(first);
    /* the matcher's e-mail blocking pass, every block united whole */
    struct block_pass email;
    size_t npass = 0;
    json_t *spec = json_pack("[s]", "email");
    if (!rc) rc = block_passes_from_json(spec, "exact", &email, 1, &npass, err);
    json_decref(spec);
    struct unite_ctx u = { x, cluster_of, sink, CM_OK, err };
    if (!rc) rc = block_groups(s, &email, unite_group, &u, err);
    if (!rc) rc = u.rc;
    x->clusters = 0;
    for (size_t i = 0; i < s->n; i++) {
        cluster_of[i] = uf_find(cluster_of, (uint32_t)i);
        if (cluster_of[i] == i)
            x->clusters++;
    }
    x->records = s->n;
    return rc;
}

static json_t *exact_report(void *r)
{
    struct exact *x = r;
    return json_pack("{s:s, s:I, s:I, s:I, s:I}", "method", "exact",
                     "records", (json_int_t)x->records, "clusters", (json_int_t)x->clusters,
                     "pairs_matched", (json_int_t)x->pairs,
                     "duplicate_keys", (json_int_t)x->duplicate_keys);
}

static void exact_free(void *r)
{
    free(r);
}

const struct resolver_ops exact_resolver = {
    RESOLVER_OPS_VERSION,
    "exact",
    exact_new,
    exact_add,
    exact_resolve,
    exact_report,
    exact_free,
};
