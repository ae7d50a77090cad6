/* config.c — loading and validating the pipeline config (see config.h). */
#include "pipeline/config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
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
                       src->where, key, type_name(v));
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
                       src->where, key, type_name(v));
    *out = json_integer_value(v);
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
                       src->where, key, type_name(v));
    *out = json_is_true(v);
    return CM_OK;
}
