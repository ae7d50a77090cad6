/* config.c — loading and validating the pipeline config (see config.h). */
#include "pipeline/config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *json_kind_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "a list";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL:    return "a number";
    case JSON_TRUE:
    case JSON_FALSE:   return "a boolean";
    case JSON_NULL:    return "null";
    }
    return "a value";
}

enum cm_status source_opt_string(const struct source *src, const char *key,
                                 const char *dflt, const char **out, char *err)
{
    json_t *v = src->options ? json_object_get(src->options, key) : NULL;
    if (!v || json_is_null(v)) {
        *out = dflt;
        return CM_OK;
    }
    if (!json_is_string(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be a string, not %s",
                       src->where, key, json_kind_name(v));
    *out = json_string_value(v);
    return CM_OK;
}

enum cm_status source_opt_int(const struct source *src, const char *key,
                              long long dflt, long long *out, char *err)
{
    json_t *v = src->options ? json_object_get(src->options, key) : NULL;
    if (!v || json_is_null(v)) {
        *out = dflt;
        return CM_OK;
    }
    if (!json_is_integer(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be an integer, not %s",
                       src->where, key, json_kind_name(v));
    *out = json_integer_value(v);
    return CM_OK;
}

enum cm_status source_opt_size(const struct source *src, const char *key, long long dflt,
                               long long min, long long max, size_t *out, char *err)
{
    long long v = dflt;
    enum cm_status rc = source_opt_int(src, key, dflt, &v, err);
    if (rc)
        return rc;
    if (v < min || v > max)
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be between %lld and %lld, not %lld",
                       src->where, key, min, max, v);
    *out = (size_t)v;
    return CM_OK;
}

enum cm_status source_opt_bool(const struct source *src, const char *key,
                               int dflt, int *out, char *err)
{
    json_t *v = src->options ? json_object_get(src->options, key) : NULL;
    if (!v || json_is_null(v)) {
        *out = dflt;
        return CM_OK;
    }
    if (!json_is_boolean(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be true or false, not %s",
                       src->where, key, json_kind_name(v));
    *out = json_is_true(v);
    return CM_OK;
}

/* ---- loading ---------------------------------------------------------------- */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Resolve p against dir unless absolute; the result is owned by root (kept alive as a
 * JSON string stored under a private key) so every config string has one owner. */
static const char *resolve_path(json_t *owner, const char *dir, const char *p)
{
    if (p[0] == '/' || strcmp(dir, ".") == 0)
        return p;
    size_t n = strlen(dir) + strlen(p) + 2;
    char *full = malloc(n);
    if (!full)
        return NULL;
    snprintf(full, n, "%s/%s", dir, p);
    json_t *s = json_string(full);
    free(full);
    if (!s)
        return NULL;
    json_object_set_new(owner, "_resolved_path", s);
    return json_string_value(s);
}

static enum cm_status get_string(json_t *obj, const char *key, const char *where,
                                 int required, const char **out, char *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return cm_fail(err, CM_ERR_CONFIG, "%s.%s: missing", where, key);
        *out = NULL;
        return CM_OK;
    }
    if (!json_is_string(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be a string, not %s",
                       where, key, json_kind_name(v));
    if (json_string_length(v) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must not be empty", where, key);
    *out = json_string_value(v);
    return CM_OK;
}

static int name_char(unsigned char c)
{
    return c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int valid_name(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (!name_char((unsigned char)*p))
            return 0;
    }
    return *s != '\0';
}

static enum cm_status load_source(struct config *cfg, size_t i, json_t *obj, char *err)
{
    struct source *src = &cfg->sources[i];
    char where[64];
    snprintf(where, sizeof where, "sources[%zu]", i);
    json_t *w = json_string(where);
    if (!w)
        return CM_ERR_NOMEM;
    json_object_set_new(obj, "_where", w);
    src->where = json_string_value(w);
    src->options = obj;

    enum cm_status rc = get_string(obj, "name", where, 1, &src->name, err);
    if (!rc) rc = get_string(obj, "connector", where, 1, &src->connector, err);
    if (!rc) rc = get_string(obj, "layout", where, 0, &src->layout, err);
    const char *path = NULL;
    if (!rc) rc = get_string(obj, "path", where, 0, &path, err);
    if (rc)
        return rc;
    if (!valid_name(src->name))
        return cm_fail(err, CM_ERR_CONFIG,
                       "%s.name: \"%s\": use letters, digits, '_', '-' and '.' only",
                       where, src->name);
    for (size_t j = 0; j < i; j++) {
        if (strcmp(cfg->sources[j].name, src->name) == 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s.name: \"%s\" is already used by %s",
                           where, src->name, cfg->sources[j].where);
    }
    if (path) {
        src->path = resolve_path(obj, cfg->dir, path);
        if (!src->path)
            return CM_ERR_NOMEM;
        struct stat st;
        if (stat(src->path, &st) != 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s.path: %s: %s", where, path,
                           errno == ENOENT ? "file not found" : strerror(errno));
    }
    return CM_OK;
}

static enum cm_status load_root(struct config *cfg, char *err)
{
    json_t *root = cfg->root;
    if (!json_is_object(root))
        return cm_fail(err, CM_ERR_CONFIG, "%s: the config must be a JSON object", cfg->path);

    cfg->schema = "crm";
    cfg->reject_rate_max = 0.01;
    cfg->lock_wait_seconds = 60;
    json_t *target = json_object_get(root, "target");
    if (target && !json_is_object(target))
        return cm_fail(err, CM_ERR_CONFIG, "target: must be an object, not %s",
                       json_kind_name(target));
    if (target) {
        const char *schema = NULL;
        enum cm_status rc = get_string(target, "schema", "target", 0, &schema, err);
        if (rc)
            return rc;
        if (schema)
            cfg->schema = schema;
        json_t *lw = json_object_get(target, "lock_wait_seconds");
        if (lw && (!json_is_integer(lw) || json_integer_value(lw) < 0))
            return cm_fail(err, CM_ERR_CONFIG,
                           "target.lock_wait_seconds: must be a non-negative integer");
        if (lw)
            cfg->lock_wait_seconds = (int)json_integer_value(lw);
        if (json_object_get(target, "dsn") || json_object_get(target, "password"))
            return cm_fail(err, CM_ERR_CONFIG,
                           "target: the database connection comes from the environment "
                           "(PG* variables or CRMERGE_DSN), never from the config file");
    }
    if (strlen(cfg->schema) > 63)
        return cm_fail(err, CM_ERR_CONFIG, "target.schema: longer than 63 bytes");

    json_t *rr = json_object_get(root, "reject_rate_max");
    if (rr) {
        if (!json_is_number(rr) || json_number_value(rr) < 0 || json_number_value(rr) > 1)
            return cm_fail(err, CM_ERR_CONFIG,
                           "reject_rate_max: must be a number from 0 to 1");
        cfg->reject_rate_max = json_number_value(rr);
    }

    cfg->match = json_object_get(root, "match");
    if (cfg->match && !json_is_object(cfg->match))
        return cm_fail(err, CM_ERR_CONFIG, "match: must be an object, not %s",
                       json_kind_name(cfg->match));

    json_t *sources = json_object_get(root, "sources");
    if (!sources)
        return cm_fail(err, CM_ERR_CONFIG, "sources: missing");
    if (!json_is_array(sources))
        return cm_fail(err, CM_ERR_CONFIG, "sources: must be a list, not %s",
                       json_kind_name(sources));
    if (json_array_size(sources) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "sources: must list at least one source");
    cfg->nsources = json_array_size(sources);
    cfg->sources = calloc(cfg->nsources, sizeof *cfg->sources);
    if (!cfg->sources)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < cfg->nsources; i++) {
        json_t *obj = json_array_get(sources, i);
        if (!json_is_object(obj))
            return cm_fail(err, CM_ERR_CONFIG, "sources[%zu]: must be an object, not %s",
                           i, json_kind_name(obj));
        enum cm_status rc = load_source(cfg, i, obj, err);
        if (rc)
            return rc;
    }
    return CM_OK;
}

enum cm_status config_load(const char *path, struct config **out, char *err)
{
    *out = NULL;
    struct config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return CM_ERR_NOMEM;
    cfg->path = strdup(path);
    cfg->dir = dir_of(path);
    if (!cfg->path || !cfg->dir) {
        config_free(cfg);
        return CM_ERR_NOMEM;
    }
    json_error_t jerr;
    cfg->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!cfg->root) {
        enum cm_status rc;
        if (jerr.line < 1)
            rc = cm_fail(err, CM_ERR_CONFIG, "%s: %s", path, jerr.text);
        else
            rc = cm_fail(err, CM_ERR_CONFIG, "%s:%d:%d: %s", path, jerr.line, jerr.column,
                         jerr.text);
        config_free(cfg);
        return rc;
    }
    enum cm_status rc = load_root(cfg, err);
    if (rc) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return CM_OK;
}

enum cm_status config_from_files(const char *layout, const char *connector,
                                 char *const *files, size_t nfiles, struct config **out,
                                 char *err)
{
    *out = NULL;
    json_t *sources = json_array();
    if (!sources)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < nfiles; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        char name[256];
        snprintf(name, sizeof name, "%s", base);
        char *dot = strchr(name, '.');
        if (dot && dot != name)
            *dot = '\0';
        for (char *p = name; *p; p++) {
            if (!name_char((unsigned char)*p))
                *p = '_';
        }
        /* two files with one base name: keep names unique */
        char unique[300];
        snprintf(unique, sizeof unique, "%s", name);
        for (size_t j = 0, k = 2; j < json_array_size(sources); j++) {
            const char *other = json_string_value(
                json_object_get(json_array_get(sources, j), "name"));
            if (strcmp(other, unique) == 0) {
                snprintf(unique, sizeof unique, "%s-%zu", name, k++);
                j = (size_t)-1;
            }
        }
        json_array_append_new(sources, json_pack("{s:s, s:s, s:s, s:s}", "name", unique,
                                                 "connector", connector, "layout", layout,
                                                 "path", files[i]));
    }
    struct config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        json_decref(sources);
        return CM_ERR_NOMEM;
    }
    cfg->path = strdup("(command line)");
    cfg->dir = strdup(".");
    cfg->root = json_pack("{s:o}", "sources", sources);
    if (!cfg->path || !cfg->dir || !cfg->root) {
        config_free(cfg);
        return CM_ERR_NOMEM;
    }
    enum cm_status rc = load_root(cfg, err);
    if (rc) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return CM_OK;
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    free(cfg->sources);
    json_decref(cfg->root);
    free(cfg->path);
    free(cfg->dir);
    free(cfg);
}

const struct source *config_find_source(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nsources; i++) {
        if (strcmp(cfg->sources[i].name, name) == 0)
            return &cfg->sources[i];
    }
    return NULL;
}

const char *schemas_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    const char *env = getenv("CRMERGE_SCHEMAS");
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* ./crmerge at the top, or build/crmerge, or build/tests/test_x */
            static const char *const up[] = { "/schemas", "/../schemas", "/../../schemas" };
            for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
                char cand[PATH_MAX + 32];
                snprintf(cand, sizeof cand, "%s%s", exe, up[i]);
                struct stat st;
                if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode) &&
                    realpath(cand, dir) != NULL)
                    return dir;
            }
        }
    }
    snprintf(dir, sizeof dir, "schemas");
    return dir;
}
