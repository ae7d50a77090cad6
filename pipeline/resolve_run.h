/* resolve_run.h — identity resolution without the database: every source of a config
 * extracted, each record normalised into the profile store (transforms/resolve.h), one
 * resolver run over the store. `crmerge resolve`, `crmerge eval -c / --layout` (and
 * `explain` to come) share it; `crmerge run` (pipeline/run.c) fills its store the same
 * way, with the records staged for publishing as they pass.
 *
 *   struct resolve_run rr;
 *   rc = resolve_run_prepare(&rr, cfg, method, err);   the resolver, an empty store
 *   rc = resolve_run_fill(&rr, cfg, on_reject, ctx, err);   extract + normalise
 *   rc = resolve_run_resolve(&rr, err);                 cluster_of[], the report
 *   rc = resolve_run_write_clusters(&rr, path, err);
 *   resolve_run_free(&rr);                              always, whatever failed
 *
 * Sources: each source of the config is its own source in the store, in config order
 * (`--layout NAME FILE...`: each file), with its default country
 * (extract_default_country: the source's "default_country", else its layout's).
 * Records are numbered in the order they are read; cluster_of[rec] is the smallest
 * record number of rec's cluster. Nothing here prints: rejected records go to the
 * caller's callback, figures stay in the struct. */
#ifndef CM_RESOLVE_RUN_H
#define CM_RESOLVE_RUN_H

#include <jansson.h>
#include <stdint.h>
#include "pipeline/config.h"
#include "pipeline/extract.h"
#include "transforms/resolve.h"

struct resolve_run {
    struct profile_store store;  /* every record, by record number */
    const struct resolver_ops *ops;
    void *resolver;
    uint32_t *cluster_of;        /* store.n entries, after resolve_run_resolve */
    size_t clusters;             /* how many */
    json_t *report;              /* the resolver's xReport (may stay NULL) */
    struct source_stats *stats;  /* per source of the config, after resolve_run_fill */
    size_t nsources;
    long long records, rejected, bad_dates;  /* over all sources */
    double t_extract, t_resolve; /* seconds: extract + map + normalise; resolve */
    const char **names, **countries;         /* what the store was made with */
    char (*layout_country)[3];
};

/* A rejected record, as extract reports it (source, "file:line", reason). */
typedef void (*resolve_reject_fn)(void *ctx, const char *source, const char *location,
                                  const char *reason);

/* Zero rr, pick the resolver and make it, make the empty store. method: a resolver's
 * name (`--method`; an unknown one is CM_ERR_USAGE naming the known ones), or NULL for
 * what the config's "match" object says (a wrong one is CM_ERR_CONFIG). A source
 * default country no table knows is CM_ERR_CONFIG naming the source. */
enum cm_status resolve_run_prepare(struct resolve_run *rr, const struct config *cfg,
                                   const char *method, char *err);

/* Read every source of cfg into the store. A source that cannot be read stops it
 * (its status; err names the source); single bad records are rejected and go on. */
enum cm_status resolve_run_fill(struct resolve_run *rr, const struct config *cfg,
                                resolve_reject_fn on_reject, void *ctx, char *err);

/* The resolver over the whole store: cluster_of, clusters, report, t_resolve. */
enum cm_status resolve_run_resolve(struct resolve_run *rr, char *err);

/* `source,source_key,cluster_id` with a header, one row per record in record order,
 * values quoted where they need it; written to path.tmp and renamed over path, so a
 * failure leaves no half file. */
enum cm_status resolve_run_write_clusters(const struct resolve_run *rr, const char *path,
                                          char *err);

void resolve_run_free(struct resolve_run *rr);

#endif
