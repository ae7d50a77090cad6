/* http_api.h — the parts of the web-API connector (connectors/http.c) that need no
 * network: the API description (a preset layout's "api" object, overridden by the
 * source's own "api"), request building (URLs, query encoding, POST bodies from
 * templates), JSON paths into a page, timestamps of the incremental field, and the
 * flattening of a JSON record into raw fields. The format of the description is
 * documented in schemas/http.md.
 *
 * Owns: struct api_desc (its merged JSON), struct flat (its columns). Borrows nothing
 * past a call except as said. */
#ifndef CM_HTTP_API_H
#define CM_HTTP_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

enum api_paging {
    API_PAGE_NONE = 0,           /* one page */
    API_PAGE_CURSOR,             /* a value in the page, sent back as a parameter */
    API_PAGE_NEXT_URL,           /* a URL in the page (relative to the base, or absolute) */
    API_PAGE_OFFSET,             /* a start offset parameter, a "more" flag in the page */
    API_PAGE_LINK                /* RFC 8288 Link: <...>; rel="next" */
};

enum api_ts {                    /* how a bookmark is written for the API's filter */
    API_TS_ISO = 0,              /* 2024-05-02T09:14:03Z (seconds, cut down) */
    API_TS_ISO_MS,               /* 2024-05-02T09:14:03.120Z */
    API_TS_EPOCH_MS,             /* 1714641243120 */
    API_TS_DATETIME              /* 2024-05-02 09:14:03 (UTC) */
};

struct api_request {             /* one way of asking for pages; strings borrowed from root */
    const char *method;          /* "GET" or "POST" */
    const char *path;            /* relative to the base URL, may hold a query */
    json_t *query;               /* name -> template string, or NULL */
    json_t *body;                /* POST: the JSON body template, or NULL */
    json_t *headers;             /* list of "Name: template" strings, or NULL */
    const char *records;         /* path of the record list; "." = the page is the list */
    enum api_paging paging;
    const char *next;            /* CURSOR, NEXT_URL: path of the value; OFFSET: of the next start */
    const char *param;           /* CURSOR: query parameter (GET) or body field (POST);
                                    OFFSET: query parameter */
    const char *more;            /* OFFSET: path of the "more items" flag, or NULL */
    long long reanchor_after;    /* CURSOR: after this many records of one query, start
                                    it again from the newest time seen (0: never) */
};

struct api_desc {
    json_t *root;                /* the merged description (owned) */
    struct api_request full;     /* a whole read */
    struct api_request delta;    /* a read since a bookmark (== full with a client filter) */
    const char *base_url;        /* default base URL, or NULL */
    const char *id;              /* the id field, for messages; may be NULL */
    long long page_size, max_page_size;
    const char *auth;            /* auth when the source names a token: "bearer", "query" */
    const char *token_param;     /* query auth: "api_token" */
    const char *token_path;      /* oauth2: token endpoint relative to the base URL, or NULL */
    const char *inc_field;       /* path of the incremental field; NULL: no incremental reads */
    enum api_ts inc_format;
    int inc_client;              /* the API has no filter: records older than the bookmark
                                    are read and dropped by the connector */
    const char *del_field;       /* path of the deleted marker, or NULL */
    json_t *del_equals;          /* the value that means deleted; NULL: any non-null,
                                    non-false value */
};

/* Merge preset (may be NULL) with override (may be NULL; objects merged key by key,
 * "body" replaced whole) and validate. where names the JSON path for messages. */
enum cm_status api_desc_load(const json_t *preset, const json_t *override, const char *where,
                             struct api_desc *d, char *err);
void api_desc_free(struct api_desc *d);

/* The value at a dotted path in v: an object key may itself hold dots ("@odata.nextLink"),
 * the longest key that matches wins; "." is v itself. NULL if absent. */
json_t *api_path_get(json_t *v, const char *path);

/* A timestamp (ISO 8601 with or without fraction / offset / 'T', "YYYY-MM-DD HH:MM:SS",
 * a date, or all digits = epoch milliseconds; a JSON integer too) to epoch ms. -1 if
 * not one. */
int api_ts_parse(const char *s, long long *ms);
int api_ts_json(const json_t *v, long long *ms);
void api_ts_format(long long ms, enum api_ts fmt, char *out, size_t cap);

/* Percent-encode a query value (unreserved characters and , : / @ $ ' ( ) ! * kept). */
enum cm_status api_url_encode(const char *s, struct buf *out);

/* {page_size} and {since} replaced in tmpl. */
enum cm_status api_expand(const char *tmpl, long long page_size, const char *since,
                          struct buf *out);

/* base + req->path + the query (templates expanded, values encoded), then
 * param=value when param is not NULL (replacing a query entry of that name). */
enum cm_status api_build_url(const char *base, const struct api_request *req,
                             long long page_size, const char *since, const char *param,
                             const char *value, struct buf *out);

/* The POST body: the template with strings expanded (a string that is exactly
 * "{page_size}" becomes a number), field = value set at the top when field is not NULL.
 * malloc'd; NULL out of memory. */
char *api_build_body(const struct api_request *req, long long page_size, const char *since,
                     const char *field, const char *value);

/* The origin ("https://host:port") of an http(s) URL into out; -1 if it is none. */
int api_origin(const char *url, char *out, size_t cap);

/* A next-page URL from the page: absolute as is, "/path" against base's origin.
 * malloc'd; NULL when it is neither or leaves base's origin (*why says which). */
char *api_resolve_next(const char *base, const char *next, const char **why);

/* ---- flattening ------------------------------------------------------------------ */

/* A JSON record becomes raw fields by dotted path: {"properties": {"firstname": "Ann"}}
 * gives properties.firstname; array elements are numbered from 1 (email.1.value,
 * tags.1, tags.2); null, empty objects and empty arrays give nothing; numbers and
 * booleans their JSON text. Columns: every name met so far is a column of every later
 * record (NULL where a record lacks it); names_version changes when a name is added;
 * past FLAT_COLS_MAX names the set starts afresh. */
#define FLAT_COLS_MAX 8192
#define FLAT_NAME_MAX 256
#define FLAT_DEPTH_MAX 32

struct flat {
    size_t max_fields;           /* fields one record may have */
    size_t max_value;            /* bytes one value may have */
    char **names;                /* the columns (owned) */
    const char **values;         /* this record's values (NULL = absent) */
    size_t *lengths;
    size_t ncols, alloc;
    unsigned names_version;
    uint32_t *table;             /* name -> column + 1, open addressing */
    size_t table_size;
    size_t *offs;                /* value offsets in text, per column (SIZE_MAX: none) */
    struct buf text;             /* this record's values, NUL-separated */
    size_t nfields;              /* fields of this record */
};

void flat_init(struct flat *f, size_t max_fields, size_t max_value);
void flat_free(struct flat *f);

/* Flatten obj into f's columns. CM_ERR_LIMIT (why: the field and the limit) means the
 * record is over a limit: reject it; CM_ERR_NOMEM. */
enum cm_status flat_record(struct flat *f, const json_t *obj, char *why, size_t cap);

#endif
