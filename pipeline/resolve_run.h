/* resolve_run.h — identity resolution without the database: every source of a config
 * extracted, each record normalised into the profile store (transforms/resolve.h), one
 * resolver run over the store. `crmerge resolve`, `crmerge eval -c / --layout`,
 * `crmerge explain` and `crmerge train` share it; `crmerge run` (pipeline/run.c) fills
 * its store the same way, with the records staged for publishing as they pass.
 *
 *   struct resolve_run rr;
 *   struct resolve_run_options opt = { method, model, 0 };
 *   rc = resolve_run_prepare(&rr, cfg, &opt, err);     the resolver, an empty store
 *   rc = resolve_run_fill(&rr, cfg, on_reject, ctx, err);   extract + normalise
 *   rc = resolve_run_resolve(&rr, err);                 cluster_of[], the report
 *   rc = resolve_run_write_clusters(&rr, path, err);    or _write_model, explain
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
    json_t *match;               /* a copy of the config's "match" (train: without "model") */
    char model_path[4096];       /* the model file the resolver loads, or "" */
    /* Optional, set before resolve_run_fill: called for every record added to the
     * store with its record number and location ("file:line"). */
    void (*on_record)(void *ctx, uint32_t rec, const char *location);
    void *record_ctx;
};

struct resolve_run_options {
    const char *method;          /* `--method NAME`, or NULL: the config's "match" says */
    const char *model;           /* `--model FILE` (as given), or NULL: "match"."model",
                                    relative to the config file's directory */
    int train;                   /* 1 (`crmerge train`): load no model, train on the input */
};

/* A rejected record, as extract reports it (source, "file:line", reason). */
typedef void (*resolve_reject_fn)(void *ctx, const char *source, const char *location,
                                  const char *reason);

/* Zero rr, pick the resolver and make it, make the empty store. opt->method: a
 * resolver's name (`--method`; an unknown one is CM_ERR_USAGE naming the known ones), or
 * NULL for what the config's "match" object says (a wrong one is CM_ERR_CONFIG). The
 * model: opt->model, else "match"."model" (resolve_model_path); `--model` for a resolver
 * without models is CM_ERR_USAGE, a model file that cannot be read CM_ERR_CONFIG naming
 * it. A source default country no table knows is CM_ERR_CONFIG naming the source.
 * opt may be NULL (the config decides everything). */
enum cm_status resolve_run_prepare(struct resolve_run *rr, const struct config *cfg,
                                   const struct resolve_run_options *opt, char *err);

/* The model file a config's "match"."model" names, into out (cap bytes): a relative
 * name is taken from the config file's directory, as sources' paths are. "" when
 * "match" has no "model" or it is not a string (the resolver says what is wrong). */
enum cm_status resolve_model_path(const struct config *cfg, char *out, size_t cap, char *err);

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

/* The record of source name + source key (the first, if the key repeats), or
 * UINT32_MAX. */
uint32_t resolve_run_find(const struct resolve_run *rr, const char *source, const char *key);

/* After resolve_run_resolve: the resolver's trained parameters (xModel) as pretty
 * JSON, written to path.tmp and renamed over path. *model (may be NULL) gets them (a
 * new reference, the caller's). A resolver without a model is CM_ERR_USAGE. */
enum cm_status resolve_run_write_model(const struct resolve_run *rr, const char *path,
                                       json_t **model, char *err);

void resolve_run_free(struct resolve_run *rr);

#endif
