/* config.h — the pipeline config (a contract: users' files depend on these names).
 *
 *   { "target":  { "schema": "crm" },
 *     "sources": [ { "name": "act", "connector": "csv", "layout": "act",
 *                    "path": "exports/act.csv" } ],
 *     "reject_rate_max": 0.01 }
 *
 * Relative paths are resolved from the config file's directory. Errors name the JSON
 * path ("sources[2].path: file not found"). The database connection never comes from
 * here: it comes from the environment (PG* variables or CRMERGE_DSN). */
#ifndef CM_CONFIG_H
#define CM_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include "pipeline/status.h"

struct source {
    const char *name;            /* stored wherever lineage is kept */
    const char *connector;       /* "csv", ... */
    const char *layout;          /* mapping name ("act"), a mapping file path, or "auto" */
    const char *path;            /* resolved path of the file or directory */
    const char *where;           /* JSON path for messages: "sources[0]" */
    json_t *options;             /* the source's whole JSON object (borrowed) */
};

struct config {
    char *path;                  /* the config file, as given */
    char *dir;                   /* its directory, for relative paths */
    const char *schema;          /* target.schema, default "crm" */
    double reject_rate_max;      /* default 0.01 */
    int lock_wait_seconds;       /* target.lock_wait_seconds, default 60 */
    struct source *sources;
    size_t nsources;
    const json_t *match;         /* the "match" object (identity resolution), or NULL;
                                    checked by the resolver it names (transforms/resolve.h) */
    json_t *root;                /* owns every string above */
};

/* Load and validate; on failure err names the JSON path and the problem. */
enum cm_status config_load(const char *path, struct config **out, char *err);
void config_free(struct config *cfg);

/* A config without a file, for `extract --layout NAME FILE...`: one source per file,
 * read by `connector`, named after the file's base name. */
enum cm_status config_from_files(const char *layout, const char *connector,
                                 char *const *files, size_t nfiles, struct config **out,
                                 char *err);

const struct source *config_find_source(const struct config *cfg, const char *name);

/* Option helpers for connectors: look up a key in src->options, with a default.
 * A present value of the wrong type is an error naming "<where>.<key>". */
enum cm_status source_opt_string(const struct source *src, const char *key,
                                 const char *dflt, const char **out, char *err);
enum cm_status source_opt_int(const struct source *src, const char *key,
                              long long dflt, long long *out, char *err);
enum cm_status source_opt_bool(const struct source *src, const char *key,
                               int dflt, int *out, char *err);
/* A size or limit: an integer from min to max ("<where>.<key>: must be between ..."). */
enum cm_status source_opt_size(const struct source *src, const char *key, long long dflt,
                               long long min, long long max, size_t *out, char *err);

/* "an object", "a list", "a string", ... for messages about JSON of the wrong type */
const char *json_kind_name(const json_t *v);

/* Where crmerge's data files are: $CRMERGE_SCHEMAS, else schemas/ beside the binary. */
const char *schemas_dir(void);

#endif
