/* http.c — the web-API connector ("connector": "http"): CRM contacts read page by page
 * from a JSON API (HubSpot, Salesforce, Pipedrive, Dynamics, or any API described in
 * the source's "api" object). One record of a page is one raw record.
 *
 * Owns: the source options below, the credentials read from the environment, paging,
 * page parsing, the incremental filter and bookmark, deleted markers, the error
 * messages of a failed page. Borrows: the HTTP client (connectors/http/http_client.c:
 * retries, timeouts, redirects, OAuth2, redaction), the API description and record
 * flattening (connectors/http/http_api.c). The preset's description is the "api" object of
 * the preset's layout file (schemas/<preset>.json); the source's "api" overrides it.
 *
 * Options (in the source object; schemas/http.md has the whole story):
 *   preset               hubspot | salesforce | pipedrive | dynamics | generic
 *   base_url             https://... (the preset's default, if it has one)
 *   api                  an object overriding / giving the API description
 *   auth                 bearer | basic | query | oauth2 | none (default: the preset's
 *                        token kind when token_env is set, oauth2 with client_id_env,
 *                        basic with user_env, else none)
 *   token_env            the variable holding the token (bearer, query)
 *   token_param          query auth: the parameter (the preset's, default api_token)
 *   user_env, password_env                   basic
 *   client_id_env, client_secret_env, token_url, scope     oauth2 (token_url default:
 *                        base_url + the preset's token_path)
 *   page_size            records per page (the preset's default and maximum)
 *   connect_timeout_s 10, low_speed_timeout_s 30, request_timeout_s 300,
 *   max_attempts 5, max_retry_seconds 120, max_page_bytes 64 MiB, max_redirects 5
 *   max_fields 2000, max_value_bytes 1 MiB   a record over them is rejected
 *
 * Secrets come only from the environment; a variable that is unset or empty is a
 * config error naming the variable. No secret is ever written into an error, the
 * description, a record or a reject: URLs go through http_redact_url().
 *
 * Records: fields by dotted path (http_api.h, flat_record); file = the page's redacted
 * URL, line = the record's number in the whole read (1-based), so "url:37" is the 37th
 * record delivered or skipped since the first page. */
#include "connectors/connector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/http/http_api.h"
#include "connectors/http/http_client.h"
#include "pipeline/config.h"

#define HC_RAW_MAX     4096          /* record text kept for rejected_record */
#define HC_EXCERPT     200           /* bytes of an error body quoted */
#define HC_URL_MAX     2048          /* redacted URLs in messages and locations */

struct hc {
    struct api_desc api;
    char preset[64];
    char *base_url;
    long long page_size;
    struct http_options hopt;
    struct http_auth auth;
    char *secrets[4];                /* copies of the secret values, wiped at close */
    char cred_hint[256];             /* "the token in $HUBSPOT_TOKEN": for a 401 */
    char token_url[HC_URL_MAX];      /* oauth2: base_url + the preset's token_path */
    struct http_client *client;

    /* incremental */
    int delta;                       /* reading changes since `since` */
    char *bookmark_in;               /* the bookmark given, verbatim */
    char since[64];                  /* the bookmark as the filter wants it */
    long long since_ms;
    int bookmark_bad;                /* a bookmark came that is no timestamp */
    long long newest_ms;
    int have_newest;
    char bookmark_out[64];

    /* paging */
    const struct api_request *req;
    int started, done;
    char *next_url;                  /* NEXT_URL, LINK: the next page */
    char *cursor;                    /* CURSOR: the value to send back */
    long long offset;                /* OFFSET: the next start */
    long long query_records;         /* records of the current (re-anchored) query */
    long pages;
    long long index;                 /* records met in the whole read */
    long long records, skipped, deleted, rejected;
    double seconds_waiting;          /* in the network and backing off, all pages */
    long retries;                    /* attempts beyond the first, all pages */

    /* the page */
    struct http_response resp;
    json_t *page;
    json_t *list;
    size_t page_i;
    char page_url[HC_URL_MAX];
    char method_url[HC_URL_MAX + 8]; /* the first request, for the description */

    struct flat flat;
    char *raw;
    char why[256];                   /* why flat_record refused a record */
    int failed;
    char fail_msg[CM_ERRBUF];
};

/* ---- options ------------------------------------------------------------------------- */

/* The value of the variable named by option key; *name = the variable's name or NULL
 * when the option is absent. An unset or empty variable is an error naming it. */
static enum cm_status env_secret(struct hc *h, const struct source *src, const char *key,
                                 int required, const char *why, const char **name,
                                 const char **value, char *err)
{
    *value = NULL;
    enum cm_status rc = source_opt_string(src, key, NULL, name, err);
    if (rc)
        return rc;
    if (!*name) {
        if (required)
            return cm_fail(err, CM_ERR_CONFIG, "%s.%s: missing (%s)", src->where, key, why);
        return CM_OK;
    }
    const char *v = getenv(*name);
    if (!v || !*v)
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: the environment variable %s is not set "
                       "or empty", src->where, key, *name);
    for (size_t i = 0; i < sizeof h->secrets / sizeof h->secrets[0]; i++) {
        if (!h->secrets[i]) {
            h->secrets[i] = strdup(v);
            if (!h->secrets[i])
                return cm_fail(err, CM_ERR_NOMEM, "out of memory");
            *value = h->secrets[i];
            return CM_OK;
        }
    }
    return cm_fail(err, CM_ERR_CONFIG, "%s: too many secrets", src->where);
}

static enum cm_status read_auth(struct hc *h, const struct source *src, char *err)
{
    const char *kind = NULL, *token_env = NULL, *user_env = NULL, *id_env = NULL;
    enum cm_status rc = source_opt_string(src, "auth", NULL, &kind, err);
    const char *tmp;
    if (!rc) rc = source_opt_string(src, "token_env", NULL, &token_env, err);
    if (!rc) rc = source_opt_string(src, "user_env", NULL, &user_env, err);
    if (!rc) rc = source_opt_string(src, "client_id_env", NULL, &id_env, err);
    if (rc)
        return rc;
    if (!kind)
        kind = token_env ? h->api.auth : id_env ? "oauth2" : user_env ? "basic" : "none";
    struct http_auth *a = &h->auth;
    memset(a, 0, sizeof *a);
    const char *n1, *n2;
    if (!strcmp(kind, "bearer") || !strcmp(kind, "query")) {
        int query = !strcmp(kind, "query");
        a->kind = query ? HTTP_AUTH_QUERY : HTTP_AUTH_BEARER;
        rc = env_secret(h, src, "token_env", 1, "the environment variable holding the API "
                        "token", &n1, &a->token, err);
        if (!rc && query) {
            a->query_param = h->api.token_param;
            rc = source_opt_string(src, "token_param", a->query_param, &a->query_param, err);
        }
        snprintf(h->cred_hint, sizeof h->cred_hint, "check the token in $%s", n1 ? n1 : "?");
    } else if (!strcmp(kind, "basic")) {
        a->kind = HTTP_AUTH_BASIC;
        rc = env_secret(h, src, "user_env", 1, "the environment variable holding the user",
                        &n1, &a->user, err);
        if (!rc)
            rc = env_secret(h, src, "password_env", 1, "the environment variable holding "
                            "the password", &n2, &a->password, err);
        if (!rc)
            snprintf(h->cred_hint, sizeof h->cred_hint, "check the user and password in $%s "
                     "and $%s", n1, n2);
    } else if (!strcmp(kind, "oauth2")) {
        a->kind = HTTP_AUTH_OAUTH2;
        rc = env_secret(h, src, "client_id_env", 1, "the environment variable holding the "
                        "OAuth2 client id", &n1, &a->client_id, err);
        if (!rc)
            rc = env_secret(h, src, "client_secret_env", 1, "the environment variable "
                            "holding the OAuth2 client secret", &n2, &a->client_secret, err);
        if (!rc)
            rc = source_opt_string(src, "scope", NULL, &a->scope, err);
        if (!rc)
            rc = source_opt_string(src, "token_url", NULL, &tmp, err);
        if (rc)
            return rc;
        if (tmp) {
            a->token_url = tmp;
        } else if (h->api.token_path) {
            snprintf(h->token_url, sizeof h->token_url, "%s%s", h->base_url,
                     h->api.token_path);
            a->token_url = h->token_url;
        } else {
            return cm_fail(err, CM_ERR_CONFIG, "%s.token_url: missing (the OAuth2 token "
                           "endpoint)", src->where);
        }
        snprintf(h->cred_hint, sizeof h->cred_hint, "check the client credentials in $%s "
                 "and $%s", n1, n2);
    } else if (!strcmp(kind, "none")) {
        a->kind = HTTP_AUTH_NONE;
        snprintf(h->cred_hint, sizeof h->cred_hint, "the API wants credentials: set "
                 "token_env (or auth)");
    } else {
        return cm_fail(err, CM_ERR_CONFIG, "%s.auth: must be \"bearer\", \"basic\", "
                       "\"query\", \"oauth2\" or \"none\", not \"%s\"", src->where, kind);
    }
    return rc;
}

static enum cm_status read_http_options(struct hc *h, const struct source *src, char *err)
{
    struct http_options *o = &h->hopt;
    http_options_default(o);
    size_t v;
    enum cm_status rc = source_opt_size(src, "connect_timeout_s", o->connect_timeout_s, 1,
                                        3600, &v, err);
    if (!rc) {
        o->connect_timeout_s = (long)v;
        rc = source_opt_size(src, "low_speed_timeout_s", o->low_speed_seconds, 1, 3600, &v,
                             err);
    }
    if (!rc) {
        o->low_speed_seconds = (long)v;
        rc = source_opt_size(src, "request_timeout_s", o->request_timeout_s, 1, 86400, &v, err);
    }
    if (!rc) {
        o->request_timeout_s = (long)v;
        rc = source_opt_size(src, "max_attempts", o->max_attempts, 1, 100, &v, err);
    }
    if (!rc) {
        o->max_attempts = (int)v;
        rc = source_opt_size(src, "max_retry_seconds", (long long)o->max_retry_seconds, 0,
                             86400, &v, err);
    }
    if (!rc) {
        o->max_retry_seconds = (double)v;
        rc = source_opt_size(src, "max_page_bytes", (long long)o->max_response_bytes, 1024,
                             1LL << 31, &v, err);
    }
    if (!rc) {
        o->max_response_bytes = v;
        rc = source_opt_size(src, "max_redirects", o->max_redirects, 0, 50, &v, err);
    }
    if (!rc)
        o->max_redirects = (int)v;
    return rc;
}

/* The preset's description: the "api" object of its layout file. */
static enum cm_status load_preset(const struct source *src, const char *preset,
                                  json_t **api, char *err)
{
    *api = NULL;
    const char *layout = NULL;
    char path[4096];
    if (!strcmp(preset, "generic")) {
        layout = src->layout;            /* a user's layout may carry its own "api" */
        if (!layout)
            return CM_OK;
    } else {
        layout = preset;
        for (const char *p = preset; *p; p++) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                return cm_fail(err, CM_ERR_CONFIG, "%s.preset: unknown preset \"%s\" (hubspot, "
                               "salesforce, pipedrive, dynamics or generic)", src->where, preset);
        }
    }
    size_t n = strlen(layout);
    if (strchr(layout, '/') || (n >= 5 && !strcmp(layout + n - 5, ".json")))
        snprintf(path, sizeof path, "%s", layout);
    else
        snprintf(path, sizeof path, "%s/%s.json", schemas_dir(), layout);
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (strcmp(preset, "generic") != 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s.preset: unknown preset \"%s\" (hubspot, "
                           "salesforce, pipedrive, dynamics or generic): %s: %s", src->where,
                           preset, path, je.text);
        return CM_OK;                    /* the mapping reports a bad layout */
    }
    json_t *a = json_object_get(root, "api");
    if (!a && strcmp(preset, "generic") != 0) {
        json_decref(root);
        return cm_fail(err, CM_ERR_CONFIG, "%s.preset: %s has no \"api\" description",
                       src->where, path);
    }
    *api = json_incref(a);
    json_decref(root);
    return CM_OK;
}

/* ---- open / close ---------------------------------------------------------------------- */

static void hc_close(void *state)
{
    struct hc *h = state;
    if (!h)
        return;
    http_client_free(h->client);
    for (size_t i = 0; i < sizeof h->secrets / sizeof h->secrets[0]; i++) {
        if (h->secrets[i]) {
            volatile char *p = h->secrets[i];
            while (*p)
                *p++ = '\0';
            free(h->secrets[i]);
        }
    }
    http_response_free(&h->resp);
    json_decref(h->page);
    flat_free(&h->flat);
    api_desc_free(&h->api);
    free(h->base_url);
    free(h->bookmark_in);
    free(h->next_url);
    free(h->cursor);
    free(h->raw);
    free(h);
}

static enum cm_status hc_open(const struct source *src, void **state, char *err)
{
    *state = NULL;
    struct hc *h = calloc(1, sizeof *h);
    if (!h)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    http_response_init(&h->resp);
    const char *preset = NULL, *base = NULL;
    json_t *papi = NULL;
    char where[128];
    size_t max_fields = 2000, max_value = 1 << 20;
    enum cm_status rc = source_opt_string(src, "preset", NULL, &preset, err);
    if (!rc && !preset)
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.preset: missing (hubspot, salesforce, "
                     "pipedrive, dynamics or generic)", src->where);
    if (!rc)
        rc = load_preset(src, preset, &papi, err);
    json_t *override = src->options ? json_object_get(src->options, "api") : NULL;
    if (!rc && !papi && !override)
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.api: missing (the generic preset needs the "
                     "API's description: path, records, pagination)", src->where);
    if (!rc) {
        snprintf(where, sizeof where, "%s.api", src->where);
        char derr[CM_ERRBUF];
        rc = api_desc_load(papi, override, where, &h->api, derr);
        if (rc)
            cm_fail(err, rc, papi ? "%s (with preset %s)" : "%s", derr, preset);
    }
    json_decref(papi);
    if (!rc) {
        snprintf(h->preset, sizeof h->preset, "%s", preset);
        rc = source_opt_string(src, "base_url", h->api.base_url, &base, err);
    }
    if (!rc && !base)
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.base_url: missing (the API's https:// address)",
                     src->where);
    char origin[512];
    if (!rc && api_origin(base, origin, sizeof origin))
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.base_url: must be an http:// or https:// URL",
                     src->where);
    if (!rc) {
        size_t n = strlen(base);
        while (n && base[n - 1] == '/')
            n--;
        h->base_url = strndup(base, n);
        if (!h->base_url)
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    if (!rc)
        rc = source_opt_size(src, "page_size", h->api.page_size, 1, h->api.max_page_size,
                             &max_value, err);
    if (!rc) {
        h->page_size = (long long)max_value;
        rc = source_opt_size(src, "max_fields", 2000, 1, FLAT_COLS_MAX, &max_fields, err);
    }
    if (!rc)
        rc = source_opt_size(src, "max_value_bytes", 1 << 20, 16, 64 << 20, &max_value, err);
    if (!rc)
        rc = read_http_options(h, src, err);
    if (!rc)
        rc = read_auth(h, src, err);
    if (!rc) {
        char cerr[CM_ERRBUF];
        rc = http_client_new(&h->hopt, &h->auth, &h->client, cerr);
        if (rc)
            cm_fail(err, rc, "%s: %s", src->where, cerr);
    }
    if (rc) {
        hc_close(h);
        return rc;
    }
    flat_init(&h->flat, max_fields, max_value);
    h->req = &h->api.full;
    *state = h;
    return CM_OK;
}

/* ---- incremental ----------------------------------------------------------------------- */

static enum cm_status hc_since(void *state, const char *bookmark, int *delta, char *err)
{
    struct hc *h = state;
    (void)err;
    *delta = 0;
    h->delta = 0;
    h->req = &h->api.full;
    if (!bookmark || !*bookmark || !h->api.inc_field)
        return CM_OK;
    h->bookmark_in = strdup(bookmark);
    if (!h->bookmark_in)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    if (api_ts_parse(bookmark, &h->since_ms)) {
        h->bookmark_bad = 1;             /* not ours: read everything, start afresh */
        return CM_OK;
    }
    api_ts_format(h->since_ms, h->api.inc_format, h->since, sizeof h->since);
    h->delta = 1;
    if (!h->api.inc_client)
        h->req = &h->api.delta;
    *delta = 1;
    return CM_OK;
}

static const char *hc_bookmark(void *state)
{
    struct hc *h = state;
    if (!h->api.inc_field)
        return NULL;
    long long best;
    if (h->have_newest && (!h->delta || h->newest_ms > h->since_ms)) {
        best = h->newest_ms;
    } else if (h->delta) {
        return h->bookmark_in;           /* nothing newer */
    } else {
        return NULL;                     /* nothing seen at all */
    }
    api_ts_format(best, h->api.inc_format, h->bookmark_out, sizeof h->bookmark_out);
    return h->bookmark_out;
}

/* ---- pages ---------------------------------------------------------------------------- */

static enum conn_next fail(struct hc *h, char *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum conn_next fail(struct hc *h, char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->fail_msg, sizeof h->fail_msg, fmt, ap);
    va_end(ap);
    h->failed = 1;
    cm_fail(err, CM_ERR_INPUT, "%s", h->fail_msg);
    return CONN_ERROR;
}

/* url with each query value over 32 bytes written "...": a location a person can read
 * (the record's number in the read makes it unique) */
static void shorten_url(const char *url, char *out, size_t cap)
{
    size_t k = 0;
    const char *q = strchr(url, '?');
    for (const char *p = url; *p && k + 4 < cap; ) {
        if (q && p > q && (p[-1] == '=')) {
            size_t n = strcspn(p, "&#");
            if (n > 32) {
                memcpy(out + k, "...", 3);
                k += 3;
                p += n;
                continue;
            }
        }
        out[k++] = *p++;
    }
    out[k] = '\0';
}

/* ~200 bytes of an error body, one line of printable text */
static void excerpt(const struct buf *b, char *out, size_t cap)
{
    size_t k = 0, n = b->len;
    int space = 0;
    for (size_t i = 0; i < n && i < HC_EXCERPT && k + 5 < cap; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = k > 0;
            continue;
        }
        if (space)
            out[k++] = ' ';
        space = 0;
        out[k++] = (c >= 0x20 && c != 0x7f) ? (char)c : '?';
    }
    if (n > HC_EXCERPT && k + 4 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* the value at path as text: a string, or an integer's digits; NULL for none */
static char *text_at(json_t *page, const char *path)
{
    json_t *v = api_path_get(page, path);
    char num[32];
    if (json_is_string(v))
        return json_string_length(v) ? strdup(json_string_value(v)) : NULL;
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(num);
    }
    return NULL;
}

/* How the page says where the next one is; done when nothing. */
static enum conn_next next_page(struct hc *h, size_t n, long long page_newest, char *err)
{
    const struct api_request *r = h->req;
    const char *why;
    char *v;
    switch (r->paging) {
    case API_PAGE_NONE:
        h->done = 1;
        return CONN_RECORD;
    case API_PAGE_CURSOR:
        v = text_at(h->page, r->next);
        if (v && h->cursor && !strcmp(v, h->cursor)) {
            free(v);
            return fail(h, err, "%s: page %ld gives the cursor of the page before it again",
                        h->page_url, h->pages);
        }
        free(h->cursor);
        h->cursor = v;
        h->done = v == NULL;
        h->query_records += (long long)n;
        if (v && h->delta && r->reanchor_after &&
            h->query_records + h->page_size > r->reanchor_after) {
            /* the search stops answering past reanchor_after hits: ask again from
             * the newest time seen (sorted ascending; >= overlaps, keys dedup) */
            char anchor[64];
            if (page_newest < 0)
                return fail(h, err, "%s: page %ld: no %s to start the query again from",
                            h->page_url, h->pages, h->api.inc_field);
            api_ts_format(page_newest, h->api.inc_format, anchor, sizeof anchor);
            if (!strcmp(anchor, h->since))
                return fail(h, err, "%s: more than %lld records changed at %s: the API's "
                            "search cannot page past them", h->page_url, r->reanchor_after,
                            anchor);
            snprintf(h->since, sizeof h->since, "%s", anchor);
            free(h->cursor);
            h->cursor = NULL;
            h->query_records = 0;
        }
        return CONN_RECORD;
    case API_PAGE_OFFSET: {
        json_t *more = r->more ? api_path_get(h->page, r->more) : NULL;
        json_t *nx = r->next ? api_path_get(h->page, r->next) : NULL;
        int has_more = r->more ? json_is_true(more) : json_is_integer(nx);
        if (!has_more) {
            h->done = 1;
            return CONN_RECORD;
        }
        long long start = json_is_integer(nx) ? json_integer_value(nx) : h->offset + (long long)n;
        if (start <= h->offset)
            return fail(h, err, "%s: page %ld: the next start (%lld) does not move on",
                        h->page_url, h->pages, start);
        h->offset = start;
        return CONN_RECORD;
    }
    case API_PAGE_NEXT_URL:
    case API_PAGE_LINK:
        if (r->paging == API_PAGE_LINK)
            v = h->resp.link_next ? strdup(h->resp.link_next) : NULL;
        else
            v = text_at(h->page, r->next);
        if (!v) {
            h->done = 1;
            return CONN_RECORD;
        }
        char *u = api_resolve_next(h->base_url, v, &why);
        if (!u) {
            char red[HC_URL_MAX];
            http_redact_url(v, red, sizeof red);
            free(v);
            return fail(h, err, "%s: page %ld: the next page's URL %s is refused: %s",
                        h->page_url, h->pages, red, why);
        }
        free(v);
        if (h->next_url && !strcmp(u, h->next_url)) {
            free(u);
            return fail(h, err, "%s: page %ld links to itself", h->page_url, h->pages);
        }
        free(h->next_url);
        h->next_url = u;
        return CONN_RECORD;
    }
    return CONN_RECORD;
}

static enum conn_next fetch(struct hc *h, char *err)
{
    const struct api_request *r = h->req;
    const char *since = h->delta && !h->api.inc_client ? h->since : NULL;
    struct buf url = BUF_INIT(0), hb = BUF_INIT(0);
    char *body = NULL;
    const char *headers[17] = { NULL };
    char *hcopy[16] = { NULL };
    char cerr[CM_ERRBUF];
    enum conn_next out = CONN_RECORD;
    enum cm_status rc = CM_OK;
    int post = !strcmp(r->method, "POST");
    const char *param = NULL, *value = NULL;
    char offs[32];

    if (h->started && (r->paging == API_PAGE_NEXT_URL || r->paging == API_PAGE_LINK)) {
        rc = buf_addstr(&url, h->next_url);
        post = 0;                        /* a next URL is fetched as it is */
    } else {
        if (r->paging == API_PAGE_CURSOR && h->cursor) {
            param = r->param;
            value = h->cursor;
        } else if (r->paging == API_PAGE_OFFSET) {
            snprintf(offs, sizeof offs, "%lld", h->offset);
            param = r->param;
            value = offs;
        }
        rc = api_build_url(h->base_url, r, h->page_size, since, post ? NULL : param,
                           post ? NULL : value, &url);
        if (!rc && post) {
            body = api_build_body(r, h->page_size, since, param, value);
            if (!body)
                rc = CM_ERR_NOMEM;
        }
    }
    for (size_t i = 0; !rc && r->headers && i < json_array_size(r->headers) && i < 16; i++) {
        buf_reset(&hb);
        rc = api_expand(json_string_value(json_array_get(r->headers, i)), h->page_size, since,
                        &hb);
        if (!rc) {
            hcopy[i] = strdup(hb.data);
            headers[i] = hcopy[i];
            if (!hcopy[i])
                rc = CM_ERR_NOMEM;
        }
    }
    if (rc) {
        out = fail(h, err, "%s: out of memory building page %ld's request", h->preset,
                   h->pages + 1);
        goto done;
    }
    h->pages++;
    char red[HC_URL_MAX];
    http_redact_url(url.data, red, sizeof red);
    shorten_url(red, h->page_url, sizeof h->page_url);
    if (h->pages == 1) {                 /* the description: the endpoint, no query */
        red[strcspn(red, "?")] = '\0';
        snprintf(h->method_url, sizeof h->method_url, "%s %s", post ? "POST" : "GET", red);
    }
    h->started = 1;
    http_response_free(&h->resp);
    http_response_init(&h->resp);
    rc = http_request(h->client, post ? "POST" : "GET", url.data, headers, body, post,
                      &h->resp, cerr);
    h->seconds_waiting += h->resp.seconds_waiting;
    h->retries += h->resp.attempts > 1 ? h->resp.attempts - 1 : 0;
    if (rc) {
        out = fail(h, err, "page %ld: %s", h->pages, cerr);
        goto done;
    }
    long st = h->resp.status;
    char ex[HC_EXCERPT * 2 + 8];
    if (st == 401) {
        out = fail(h, err, "401 unauthorized from %s: %s", h->page_url, h->cred_hint);
        goto done;
    }
    if (st < 200 || st > 299) {
        excerpt(&h->resp.body, ex, sizeof ex);
        if (h->resp.attempts > 1)
            out = fail(h, err, "HTTP %ld from %s (page %ld, after %d attempts): %s", st,
                       h->page_url, h->pages, h->resp.attempts, ex[0] ? ex : "(no body)");
        else
            out = fail(h, err, "HTTP %ld from %s (page %ld): %s", st, h->page_url, h->pages,
                       ex[0] ? ex : "(no body)");
        goto done;
    }
    json_decref(h->page);
    h->list = NULL;
    json_error_t je;
    h->page = json_loadb(h->resp.body.data ? h->resp.body.data : "", h->resp.body.len,
                         JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!h->page) {
        out = fail(h, err, "%s: page %ld is not valid JSON: line %d column %d: %s",
                   h->page_url, h->pages, je.line, je.column, je.text);
        goto done;
    }
    json_t *list = api_path_get(h->page, r->records);
    if (json_is_null(list) && list) {
        list = NULL;                     /* Pipedrive: "data": null for no records */
        h->list = NULL;
    } else if (!json_is_array(list)) {
        out = fail(h, err, "%s: page %ld has no record list at \"%s\"%s", h->page_url,
                   h->pages, r->records, list ? " (not a list)" : "");
        goto done;
    }
    h->list = list;
    h->page_i = 0;
    size_t n = list ? json_array_size(list) : 0;
    long long page_newest = -1;
    if (h->api.inc_field) {
        for (size_t i = 0; i < n; i++) {
            long long ms;
            json_t *f = api_path_get(json_array_get(list, i), h->api.inc_field);
            if (f && !api_ts_json(f, &ms) && ms > page_newest)
                page_newest = ms;
        }
    }
    out = next_page(h, n, page_newest, err);
done:
    for (size_t i = 0; i < 16; i++)
        free(hcopy[i]);
    free(body);
    buf_free(&url);
    buf_free(&hb);
    return out;
}

/* ---- records --------------------------------------------------------------------------- */

static int is_deleted(const struct hc *h, json_t *rec)
{
    if (!h->api.del_field)
        return 0;
    json_t *v = api_path_get(rec, h->api.del_field);
    if (!v)
        return 0;
    if (h->api.del_equals)
        return json_equal(v, h->api.del_equals);
    return !json_is_null(v) && !json_is_false(v);
}

static void set_raw(struct hc *h, json_t *rec, const char **raw, size_t *len)
{
    free(h->raw);
    h->raw = json_dumps(rec, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t n = h->raw ? strlen(h->raw) : 0;
    *raw = h->raw ? h->raw : "";
    *len = n > HC_RAW_MAX ? HC_RAW_MAX : n;
}

static enum conn_next reject(struct hc *h, json_t *rec, struct reject *rej, const char *fmt,
                             const char *what)
{
    h->rejected++;
    rej->file = h->page_url;
    rej->line = rej->line_end = (long)h->index;
    snprintf(rej->reason, sizeof rej->reason, fmt, (long)h->page_i, h->pages, what);
    set_raw(h, rec, &rej->raw, &rej->raw_len);
    return CONN_REJECT;
}

static enum conn_next hc_next(void *state, struct raw_record *rec, struct reject *rej,
                              char *err)
{
    struct hc *h = state;
    if (h->failed) {
        cm_fail(err, CM_ERR_INPUT, "%s", h->fail_msg);
        return CONN_ERROR;
    }
    for (;;) {
        if (h->list && h->page_i < json_array_size(h->list)) {
            json_t *r = json_array_get(h->list, h->page_i++);
            h->index++;
            if (!json_is_object(r))
                return reject(h, r, rej, "record %ld of page %ld is %s, not a JSON object",
                              json_kind_name(r));
            long long ms;
            json_t *f = h->api.inc_field ? api_path_get(r, h->api.inc_field) : NULL;
            int has_ts = f && !api_ts_json(f, &ms);
            if (has_ts && h->delta && h->api.inc_client && ms < h->since_ms) {
                h->skipped++;            /* the API cannot filter: older than the bookmark */
                continue;
            }
            int deleted = is_deleted(h, r);
            enum cm_status rc = flat_record(&h->flat, r, h->why, sizeof h->why);
            if (rc == CM_ERR_LIMIT)
                return reject(h, r, rej, "record %ld of page %ld: %s", h->why);
            if (rc)
                return fail(h, err, "%s: out of memory at record %lld", h->page_url, h->index);
            if (has_ts && (!h->have_newest || ms > h->newest_ms)) {
                h->newest_ms = ms;
                h->have_newest = 1;
            }
            memset(rec, 0, sizeof *rec);
            rec->nfields = h->flat.ncols;
            rec->names = (const char *const *)h->flat.names;
            rec->names_version = h->flat.names_version;
            rec->values = h->flat.values;
            rec->lengths = h->flat.lengths;
            rec->file = h->page_url;
            rec->line = rec->line_end = (long)h->index;
            rec->deleted = deleted;
            set_raw(h, r, &rec->raw, &rec->raw_len);
            h->records++;
            h->deleted += deleted;
            return CONN_RECORD;
        }
        if (h->done) {
            h->list = NULL;
            return CONN_EOF;
        }
        enum conn_next n = fetch(h, err);
        if (n == CONN_ERROR)
            return n;
    }
}

/* ---- describe -------------------------------------------------------------------------- */

static const char *paging_name(enum api_paging p)
{
    switch (p) {
    case API_PAGE_NONE:     return "one page";
    case API_PAGE_CURSOR:   return "cursor pagination";
    case API_PAGE_NEXT_URL: return "next-URL pagination";
    case API_PAGE_OFFSET:   return "offset pagination";
    case API_PAGE_LINK:     return "Link-header pagination";
    }
    return "?";
}

static enum cm_status hc_describe(void *state, struct buf *out)
{
    const struct hc *h = state;
    enum cm_status rc;
    if (h->method_url[0]) {
        rc = buf_printf(out, "%s", h->method_url);
    } else {
        char red[HC_URL_MAX];
        struct buf u = BUF_INIT(0);
        if (buf_printf(&u, "%s%s", h->base_url, h->req->path) == CM_OK && u.data) {
            http_redact_url(u.data, red, sizeof red);
            red[strcspn(red, "?")] = '\0';
        } else {
            red[0] = '\0';
        }
        buf_free(&u);
        rc = buf_printf(out, "%s %s", h->req->method, red);
    }
    if (!rc)
        rc = buf_printf(out, " (%s, %s", h->preset, paging_name(h->req->paging));
    if (!rc && h->pages)
        rc = buf_printf(out, ", %ld page%s, %lld record%s", h->pages, h->pages == 1 ? "" : "s",
                        h->records, h->records == 1 ? "" : "s");
    if (!rc && h->deleted)
        rc = buf_printf(out, ", %lld deleted", h->deleted);
    if (!rc && h->delta) {
        char iso[64];
        api_ts_format(h->since_ms, API_TS_ISO, iso, sizeof iso);
        rc = buf_printf(out, ", incremental since %s%s", iso,
                        h->api.inc_client ? " (filtered here)" : "");
        if (!rc && h->skipped)
            rc = buf_printf(out, ", %lld unchanged skipped", h->skipped);
    } else if (!rc && h->bookmark_bad) {
        rc = buf_printf(out, ", full read: the bookmark is no timestamp");
    } else if (!rc && h->api.inc_field) {
        rc = buf_printf(out, ", full read");
    }
    if (!rc && h->pages)
        rc = buf_printf(out, ", %.2f s waiting on the server", h->seconds_waiting);
    if (!rc && h->retries)
        rc = buf_printf(out, ", %ld retr%s", h->retries, h->retries == 1 ? "y" : "ies");
    if (!rc)
        rc = buf_addch(out, ')');
    return rc;
}

static enum cm_status hc_fields(void *state, const char *const **names, size_t *n)
{
    (void)state;
    *names = NULL;
    *n = 0;
    return CM_OK;
}

const struct connector http_connector = {
    .version = CONNECTOR_VERSION,
    .name = "http",
    .summary = "CRM web APIs (HubSpot, Salesforce, Pipedrive, Dynamics, generic JSON), paged",
    .xOpen = hc_open,
    .xNext = hc_next,
    .xClose = hc_close,
    .xDescribe = hc_describe,
    .xFields = hc_fields,
    .xSince = hc_since,
    .xBookmark = hc_bookmark,
};
