/* http_api.c — the web-API description, request building, timestamps and record
 * flattening of the http connector (see http_api.h); no network here. */
#include "connectors/http/http_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pipeline/config.h"
#include "pipeline/hash.h"

/* ---- the description ---------------------------------------------------------------- */

/* a deep copy of preset with override merged in: objects key by key, "body" whole */
static json_t *merge(const json_t *preset, const json_t *override)
{
    json_t *out = preset ? json_deep_copy(preset) : json_object();
    if (!out || !override)
        return out;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)override, key, v) {
        json_t *old = json_object_get(out, key);
        json_t *nv;
        if (old && json_is_object(old) && json_is_object(v) && strcmp(key, "body") != 0)
            nv = merge(old, v);
        else
            nv = json_deep_copy(v);
        if (!nv || json_object_set_new(out, key, nv)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static enum cm_status check_keys(const json_t *obj, const char *where,
                                 const char *const *allowed, char *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        int ok = key[0] == '_';
        for (size_t i = 0; !ok && allowed[i]; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            return cm_fail(err, CM_ERR_CONFIG, "%s.%s: unknown key", where, key);
    }
    return CM_OK;
}

static enum cm_status get_str(const json_t *obj, const char *key, const char *where,
                              const char **out, char *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return CM_OK;                        /* *out keeps its default */
    if (!json_is_string(v) || json_string_length(v) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be a non-empty string", where, key);
    *out = json_string_value(v);
    return CM_OK;
}

static enum cm_status get_int(const json_t *obj, const char *key, const char *where,
                              long long min, long long max, long long *out, char *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return CM_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return cm_fail(err, CM_ERR_CONFIG, "%s.%s: must be an integer from %lld to %lld",
                       where, key, min, max);
    *out = json_integer_value(v);
    return CM_OK;
}

static enum cm_status parse_request(json_t *obj, const char *where, struct api_request *r,
                                    char *err)
{
    char w[160];
    enum cm_status rc = get_str(obj, "method", where, &r->method, err);
    if (!rc) rc = get_str(obj, "path", where, &r->path, err);
    if (!rc) rc = get_str(obj, "records", where, &r->records, err);
    if (rc)
        return rc;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "POST") != 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.method: must be \"GET\" or \"POST\"", where);
    json_t *q = json_object_get(obj, "query");
    if (q) {
        const char *k;
        json_t *v;
        if (!json_is_object(q))
            return cm_fail(err, CM_ERR_CONFIG, "%s.query: must be an object", where);
        json_object_foreach(q, k, v) {
            if (!json_is_string(v))
                return cm_fail(err, CM_ERR_CONFIG, "%s.query.%s: must be a string", where, k);
        }
        r->query = q;
    }
    json_t *h = json_object_get(obj, "headers");
    if (h) {
        if (!json_is_array(h))
            return cm_fail(err, CM_ERR_CONFIG, "%s.headers: must be a list", where);
        for (size_t i = 0; i < json_array_size(h); i++) {
            const char *s = json_string_value(json_array_get(h, i));
            if (!s || !strchr(s, ':') || strpbrk(s, "\r\n"))
                return cm_fail(err, CM_ERR_CONFIG, "%s.headers[%zu]: must be a string "
                               "\"Name: value\"", where, i);
        }
        r->headers = h;
    }
    json_t *b = json_object_get(obj, "body");
    if (b) {
        if (!json_is_object(b))
            return cm_fail(err, CM_ERR_CONFIG, "%s.body: must be an object", where);
        r->body = b;
    }
    if (!strcmp(r->method, "POST") && !r->body)
        return cm_fail(err, CM_ERR_CONFIG, "%s.body: a POST needs a body", where);
    json_t *p = json_object_get(obj, "pagination");
    if (p) {
        static const char *const keys[] = { "style", "next", "param", "more",
                                            "reanchor_after", NULL };
        snprintf(w, sizeof w, "%s.pagination", where);
        if (!json_is_object(p))
            return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object", w);
        rc = check_keys(p, w, keys, err);
        const char *style = NULL;
        if (!rc) rc = get_str(p, "style", w, &style, err);
        if (!rc) rc = get_str(p, "next", w, &r->next, err);
        if (!rc) rc = get_str(p, "param", w, &r->param, err);
        if (!rc) rc = get_str(p, "more", w, &r->more, err);
        if (!rc) rc = get_int(p, "reanchor_after", w, 0, 1LL << 40, &r->reanchor_after, err);
        if (rc)
            return rc;
        if (!style)
            return cm_fail(err, CM_ERR_CONFIG, "%s.style: missing", w);
        if (!strcmp(style, "none"))
            r->paging = API_PAGE_NONE;
        else if (!strcmp(style, "cursor"))
            r->paging = API_PAGE_CURSOR;
        else if (!strcmp(style, "next_url"))
            r->paging = API_PAGE_NEXT_URL;
        else if (!strcmp(style, "offset"))
            r->paging = API_PAGE_OFFSET;
        else if (!strcmp(style, "link_header"))
            r->paging = API_PAGE_LINK;
        else
            return cm_fail(err, CM_ERR_CONFIG, "%s.style: must be \"cursor\", \"next_url\", "
                           "\"offset\", \"link_header\" or \"none\"", w);
    }
    if ((r->paging == API_PAGE_CURSOR || r->paging == API_PAGE_NEXT_URL) && !r->next)
        return cm_fail(err, CM_ERR_CONFIG, "%s.pagination.next: missing (the path of the "
                       "%s in a page)", where,
                       r->paging == API_PAGE_CURSOR ? "cursor" : "next page's URL");
    if ((r->paging == API_PAGE_CURSOR || r->paging == API_PAGE_OFFSET) && !r->param)
        return cm_fail(err, CM_ERR_CONFIG, "%s.pagination.param: missing (the parameter "
                       "that sends the %s back)", where,
                       r->paging == API_PAGE_CURSOR ? "cursor" : "start offset");
    if (r->paging == API_PAGE_OFFSET && !r->more && !r->next)
        return cm_fail(err, CM_ERR_CONFIG, "%s.pagination: \"offset\" needs \"more\" or "
                       "\"next\"", where);
    return CM_OK;
}

enum cm_status api_desc_load(const json_t *preset, const json_t *override, const char *where,
                             struct api_desc *d, char *err)
{
    static const char *const keys[] = {
        "base_url", "method", "path", "query", "headers", "body", "records", "pagination",
        "page_size", "max_page_size", "id", "auth", "token_param", "token_path",
        "incremental", "deleted", NULL };
    static const char *const inc_keys[] = {
        "field", "format", "filter", "method", "path", "query", "headers", "body",
        "records", "pagination", NULL };
    static const char *const del_keys[] = { "field", "equals", NULL };
    char w[160];
    memset(d, 0, sizeof *d);
    if (override && !json_is_object(override))
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object", where);
    d->root = merge(preset, override);
    if (!d->root)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    json_t *root = d->root;
    enum cm_status rc = check_keys(root, where, keys, err);
    if (rc)
        return rc;
    d->full.method = "GET";
    d->page_size = 100;
    d->max_page_size = 1000;
    d->auth = "bearer";
    d->token_param = "api_token";
    rc = get_str(root, "base_url", where, &d->base_url, err);
    if (!rc) rc = get_str(root, "id", where, &d->id, err);
    if (!rc) rc = get_str(root, "auth", where, &d->auth, err);
    if (!rc) rc = get_str(root, "token_param", where, &d->token_param, err);
    if (!rc) rc = get_str(root, "token_path", where, &d->token_path, err);
    if (!rc) rc = get_int(root, "max_page_size", where, 1, 1000000, &d->max_page_size, err);
    if (!rc) rc = get_int(root, "page_size", where, 1, d->max_page_size, &d->page_size, err);
    if (!rc) rc = parse_request(root, where, &d->full, err);
    if (rc)
        return rc;
    if (strcmp(d->auth, "bearer") != 0 && strcmp(d->auth, "query") != 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.auth: must be \"bearer\" or \"query\" (how "
                       "a token is sent)", where);
    if (!d->full.path)
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: missing (the endpoint, relative to "
                       "base_url)", where);
    if (!d->full.records)
        return cm_fail(err, CM_ERR_CONFIG, "%s.records: missing (the path of the record "
                       "list in a page, \".\" when the page is the list)", where);
    d->delta = d->full;

    json_t *inc = json_object_get(root, "incremental");
    if (inc && !json_is_null(inc)) {
        snprintf(w, sizeof w, "%s.incremental", where);
        if (!json_is_object(inc))
            return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object", w);
        const char *format = "iso", *filter = "server";
        rc = check_keys(inc, w, inc_keys, err);
        if (!rc) rc = get_str(inc, "field", w, &d->inc_field, err);
        if (!rc) rc = get_str(inc, "format", w, &format, err);
        if (!rc) rc = get_str(inc, "filter", w, &filter, err);
        if (rc)
            return rc;
        if (!d->inc_field)
            return cm_fail(err, CM_ERR_CONFIG, "%s.field: missing", w);
        if (!strcmp(format, "iso"))
            d->inc_format = API_TS_ISO;
        else if (!strcmp(format, "iso_ms"))
            d->inc_format = API_TS_ISO_MS;
        else if (!strcmp(format, "epoch_ms"))
            d->inc_format = API_TS_EPOCH_MS;
        else if (!strcmp(format, "datetime"))
            d->inc_format = API_TS_DATETIME;
        else
            return cm_fail(err, CM_ERR_CONFIG, "%s.format: must be \"iso\", \"iso_ms\", "
                           "\"epoch_ms\" or \"datetime\"", w);
        if (!strcmp(filter, "client")) {
            d->inc_client = 1;
            static const char *const req_keys[] = { "method", "path", "query", "headers",
                                                    "body", "records", "pagination", NULL };
            for (size_t i = 0; req_keys[i]; i++) {
                if (json_object_get(inc, req_keys[i]))
                    return cm_fail(err, CM_ERR_CONFIG, "%s.%s: a client-side filter reads "
                                   "the whole list: no request of its own", w, req_keys[i]);
            }
        } else if (strcmp(filter, "server") != 0) {
            return cm_fail(err, CM_ERR_CONFIG, "%s.filter: must be \"server\" or \"client\"", w);
        } else {
            /* the delta request: the full one with these keys replaced; another
             * "path" is another endpoint: the full one's query and body are not
             * its own; else its query entries replace or add to the full one's */
            json_t *q = json_object_get(inc, "query");
            if (json_object_get(inc, "path")) {
                d->delta.query = NULL;
                d->delta.body = NULL;
            } else if (q && d->full.query && json_is_object(q)) {
                json_t *mq = json_deep_copy(d->full.query);
                if (!mq || json_object_update(mq, q) || json_object_set_new(inc, "query", mq))
                    return cm_fail(err, CM_ERR_NOMEM, "out of memory");
            }
            if (json_object_get(inc, "method") && !json_object_get(inc, "body"))
                d->delta.body = NULL;
            rc = parse_request(inc, w, &d->delta, err);
            if (rc)
                return rc;
            int uses = 0;
            char *s = json_dumps(inc, JSON_COMPACT);
            uses = s && strstr(s, "{since}") != NULL;
            free(s);
            if (!uses)
                return cm_fail(err, CM_ERR_CONFIG, "%s: a server-side filter must send "
                               "{since} (in query, path or body)", w);
        }
    }

    json_t *del = json_object_get(root, "deleted");
    if (del && !json_is_null(del)) {
        snprintf(w, sizeof w, "%s.deleted", where);
        if (!json_is_object(del))
            return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object", w);
        rc = check_keys(del, w, del_keys, err);
        if (!rc) rc = get_str(del, "field", w, &d->del_field, err);
        if (rc)
            return rc;
        if (!d->del_field)
            return cm_fail(err, CM_ERR_CONFIG, "%s.field: missing", w);
        d->del_equals = json_object_get(del, "equals");
    }
    return CM_OK;
}

void api_desc_free(struct api_desc *d)
{
    json_decref(d->root);
    memset(d, 0, sizeof *d);
}

/* ---- paths ------------------------------------------------------------------------- */

json_t *api_path_get(json_t *v, const char *path)
{
    if (!v || !path)
        return NULL;
    if (!strcmp(path, "."))
        return v;
    if (json_is_object(v)) {
        json_t *whole = json_object_get(v, path);
        if (whole)
            return whole;
        /* the longest key before a dot that exists */
        for (const char *dot = strrchr(path, '.'); dot; ) {
            size_t n = (size_t)(dot - path);
            if (n > 0 && n < 512) {
                char key[512];
                memcpy(key, path, n);
                key[n] = '\0';
                json_t *c = json_object_get(v, key);
                if (c && (json_is_object(c) || json_is_array(c))) {
                    json_t *r = api_path_get(c, dot + 1);
                    if (r)
                        return r;
                }
            }
            const char *prev = NULL;
            for (const char *p = path; p < dot; p++) {
                if (*p == '.')
                    prev = p;
            }
            dot = prev;
        }
        return NULL;
    }
    if (json_is_array(v)) {                 /* "1.value": 1-based */
        char *end;
        long i = strtol(path, &end, 10);
        if (end == path || i < 1 || (size_t)i > json_array_size(v))
            return NULL;
        if (*end == '\0')
            return json_array_get(v, (size_t)i - 1);
        if (*end == '.')
            return api_path_get(json_array_get(v, (size_t)i - 1), end + 1);
    }
    return NULL;
}

/* ---- timestamps -------------------------------------------------------------------- */

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int api_ts_parse(const char *s, long long *ms)
{
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    if (n == 0)
        return -1;
    size_t k = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9')
        k++;
    if (k == n) {                            /* epoch milliseconds */
        if (n > 15)
            return -1;
        *ms = strtoll(s, NULL, 10);
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0, msec = 0;
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return -1;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return -1;
    size_t i = 10;
    long long off = 0;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        i++;
        if (i + 5 > n || digits(s + i, 2, &h) || s[i + 2] != ':' || digits(s + i + 3, 2, &mi))
            return -1;
        i += 5;
        if (i < n && s[i] == ':') {
            if (i + 3 > n || digits(s + i + 1, 2, &sec))
                return -1;
            i += 3;
            if (i < n && (s[i] == '.' || s[i] == ',')) {
                i++;
                int places = 0;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    if (places < 3)
                        msec = msec * 10 + (s[i] - '0');
                    places++;
                    i++;
                }
                if (places == 0)
                    return -1;
                for (; places < 3; places++)
                    msec *= 10;
            }
        }
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int oh, om;
            int sign = s[i] == '+' ? 1 : -1;
            i++;
            if (i + 2 > n || digits(s + i, 2, &oh))
                return -1;
            i += 2;
            if (i < n && s[i] == ':')
                i++;
            if (i + 2 > n || digits(s + i, 2, &om))
                return -1;
            i += 2;
            off = sign * (oh * 3600LL + om * 60LL);
        }
    }
    if (i != n)
        return -1;
    long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ms = ((days * 86400LL + h * 3600LL + mi * 60LL + sec) - off) * 1000LL + msec;
    return 0;
}

int api_ts_json(const json_t *v, long long *ms)
{
    if (json_is_integer(v)) {
        *ms = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v))
        return api_ts_parse(json_string_value(v), ms);
    return -1;
}

void api_ts_format(long long ms, enum api_ts fmt, char *out, size_t cap)
{
    if (fmt == API_TS_EPOCH_MS) {
        snprintf(out, cap, "%lld", ms);
        return;
    }
    long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int frac = (int)(ms - secs * 1000);
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char day[32];
    strftime(day, sizeof day, fmt == API_TS_DATETIME ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S",
             &tm);
    if (fmt == API_TS_ISO_MS)
        snprintf(out, cap, "%s.%03dZ", day, frac);
    else if (fmt == API_TS_ISO)
        snprintf(out, cap, "%sZ", day);
    else
        snprintf(out, cap, "%s", day);
}

/* ---- requests ------------------------------------------------------------------------ */

enum cm_status api_url_encode(const char *s, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    enum cm_status rc = buf_grow(out, 0);
    for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~,:/@$'()!*", *p)) {
            rc = buf_addch(out, (char)*p);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            rc = buf_add(out, e, 3);
        }
    }
    return rc;
}

enum cm_status api_expand(const char *tmpl, long long page_size, const char *since,
                          struct buf *out)
{
    enum cm_status rc = buf_grow(out, 0);
    for (const char *p = tmpl; !rc && *p; ) {
        if (!strncmp(p, "{page_size}", 11)) {
            rc = buf_printf(out, "%lld", page_size);
            p += 11;
        } else if (!strncmp(p, "{since}", 7)) {
            rc = buf_addstr(out, since ? since : "");
            p += 7;
        } else {
            rc = buf_addch(out, *p++);
        }
    }
    return rc;
}

enum cm_status api_build_url(const char *base, const struct api_request *req,
                             long long page_size, const char *since, const char *param,
                             const char *value, struct buf *out)
{
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    enum cm_status rc = buf_add(out, base, blen);
    if (!rc && req->path[0] != '/')
        rc = buf_addch(out, '/');
    if (!rc)
        rc = api_expand(req->path, page_size, since, out);
    int sep = strchr(req->path, '?') ? '&' : '?';
    struct buf v = BUF_INIT(0);
    const char *key;
    json_t *t;
    if (req->query) {
        json_object_foreach(req->query, key, t) {
            if (rc)
                break;
            if (param && !strcmp(key, param))
                continue;
            buf_reset(&v);
            rc = api_expand(json_string_value(t), page_size, since, &v);
            if (!rc) rc = buf_printf(out, "%c%s=", sep, key);
            if (!rc) rc = api_url_encode(v.data, out);
            sep = '&';
        }
    }
    if (!rc && param && value) {
        rc = buf_printf(out, "%c%s=", sep, param);
        if (!rc) rc = api_url_encode(value, out);
    }
    buf_free(&v);
    return rc;
}

static json_t *expand_json(const json_t *t, long long page_size, const char *since)
{
    if (json_is_string(t)) {
        const char *s = json_string_value(t);
        if (!strcmp(s, "{page_size}"))
            return json_integer(page_size);
        if (!strchr(s, '{'))
            return json_deep_copy(t);
        struct buf b = BUF_INIT(0);
        json_t *r = api_expand(s, page_size, since, &b) ? NULL : json_string(b.data ? b.data : "");
        buf_free(&b);
        return r;
    }
    if (json_is_object(t)) {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)t, k, v) {
            if (!o || json_object_set_new(o, k, expand_json(v, page_size, since))) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    if (json_is_array(t)) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < json_array_size(t); i++) {
            if (json_array_append_new(a, expand_json(json_array_get(t, i), page_size, since))) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    return json_deep_copy(t);
}

char *api_build_body(const struct api_request *req, long long page_size, const char *since,
                     const char *field, const char *value)
{
    json_t *b = expand_json(req->body, page_size, since);
    if (!b)
        return NULL;
    if (field && value && json_object_set_new(b, field, json_string(value))) {
        json_decref(b);
        return NULL;
    }
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

int api_origin(const char *url, char *out, size_t cap)
{
    const char *rest;
    if (!strncasecmp(url, "https://", 8))
        rest = url + 8;
    else if (!strncasecmp(url, "http://", 7))
        rest = url + 7;
    else
        return -1;
    size_t n = strcspn(rest, "/?#");
    if (n == 0 || (size_t)(rest - url) + n + 1 > cap)
        return -1;
    size_t total = (size_t)(rest - url) + n;
    for (size_t i = 0; i < total; i++) {
        char c = url[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[total] = '\0';
    return 0;
}

char *api_resolve_next(const char *base, const char *next, const char **why)
{
    char bo[512], no[512];
    *why = NULL;
    if (api_origin(base, bo, sizeof bo)) {
        *why = "the base URL is not http(s)";
        return NULL;
    }
    if (next[0] == '/' && next[1] != '/') {
        size_t n = strlen(bo) + strlen(next) + 1;
        char *u = malloc(n);
        if (u)
            snprintf(u, n, "%s%s", bo, next);
        else
            *why = "out of memory";
        return u;
    }
    if (api_origin(next, no, sizeof no)) {
        *why = "it is neither an http(s) URL nor a path";
        return NULL;
    }
    if (strcmp(bo, no) != 0) {
        *why = "it leaves the base URL's host (the credentials are not sent elsewhere)";
        return NULL;
    }
    char *u = strdup(next);
    if (!u)
        *why = "out of memory";
    return u;
}

/* ---- flattening --------------------------------------------------------------------- */

void flat_init(struct flat *f, size_t max_fields, size_t max_value)
{
    memset(f, 0, sizeof *f);
    f->max_fields = max_fields;
    f->max_value = max_value;
    buf_init(&f->text, 0);
}

static void flat_forget(struct flat *f)
{
    for (size_t i = 0; i < f->ncols; i++)
        free(f->names[i]);
    f->ncols = 0;
    if (f->table)
        memset(f->table, 0, f->table_size * sizeof *f->table);
}

void flat_free(struct flat *f)
{
    flat_forget(f);
    free(f->names);
    free(f->values);
    free(f->lengths);
    free(f->offs);
    free(f->table);
    buf_free(&f->text);
    memset(f, 0, sizeof *f);
}

/* the column of name, added when new; -1 out of memory */
static long column(struct flat *f, const char *name, size_t n)
{
    if (f->ncols * 2 + 2 > f->table_size) {
        size_t size = f->table_size ? f->table_size * 2 : 256;
        uint32_t *t = calloc(size, sizeof *t);
        if (!t)
            return -1;
        for (size_t i = 0; i < f->ncols; i++) {
            size_t h = hash64(f->names[i], strlen(f->names[i]), 0) & (size - 1);
            while (t[h])
                h = (h + 1) & (size - 1);
            t[h] = (uint32_t)i + 1;
        }
        free(f->table);
        f->table = t;
        f->table_size = size;
    }
    size_t h = hash64(name, n, 0) & (f->table_size - 1);
    while (f->table[h]) {
        const char *c = f->names[f->table[h] - 1];
        if (strlen(c) == n && !memcmp(c, name, n))
            return (long)f->table[h] - 1;
        h = (h + 1) & (f->table_size - 1);
    }
    if (f->ncols == f->alloc) {
        size_t alloc = f->alloc ? f->alloc * 2 : 32;
        char **nn = realloc(f->names, alloc * sizeof *nn);
        if (!nn)
            return -1;
        f->names = nn;
        const char **vv = realloc(f->values, alloc * sizeof *vv);
        if (!vv)
            return -1;
        f->values = vv;
        size_t *ll = realloc(f->lengths, alloc * sizeof *ll);
        if (!ll)
            return -1;
        f->lengths = ll;
        size_t *oo = realloc(f->offs, alloc * sizeof *oo);
        if (!oo)
            return -1;
        f->offs = oo;
        f->alloc = alloc;
    }
    char *copy = strndup(name, n);
    if (!copy)
        return -1;
    f->names[f->ncols] = copy;
    f->offs[f->ncols] = (size_t)-1;
    f->table[h] = (uint32_t)f->ncols + 1;
    f->names_version++;
    return (long)f->ncols++;
}

/* the shortest %g text that reads back as d */
static void real_text(double d, char *out, size_t cap)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, cap, "%.*g", p, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

struct walk {
    struct flat *f;
    char name[FLAT_NAME_MAX + 1];
    char *why;
    size_t cap;
    int reset;               /* the column set overflowed: start afresh */
    int allow;               /* new names past FLAT_COLS_MAX allowed (after a reset) */
};

static enum cm_status put(struct walk *w, size_t nlen, const char *v, size_t vlen)
{
    struct flat *f = w->f;
    if (++f->nfields > f->max_fields) {
        snprintf(w->why, w->cap, "more than %zu fields (max_fields)", f->max_fields);
        return CM_ERR_LIMIT;
    }
    if (vlen > f->max_value) {
        snprintf(w->why, w->cap, "field \"%.*s\" is %zu bytes, over max_value_bytes %zu",
                 (int)(nlen > 100 ? 100 : nlen), w->name, vlen, f->max_value);
        return CM_ERR_LIMIT;
    }
    if (f->ncols >= FLAT_COLS_MAX && !w->allow) {
        long found = -1;              /* only a new name overflows */
        size_t h = f->table_size ? hash64(w->name, nlen, 0) & (f->table_size - 1) : 0;
        while (f->table_size && f->table[h]) {
            const char *c = f->names[f->table[h] - 1];
            if (strlen(c) == nlen && !memcmp(c, w->name, nlen)) {
                found = (long)f->table[h] - 1;
                break;
            }
            h = (h + 1) & (f->table_size - 1);
        }
        if (found < 0) {
            w->reset = 1;
            return CM_OK;
        }
    }
    long col = column(f, w->name, nlen);
    if (col < 0)
        return CM_ERR_NOMEM;
    f->offs[col] = f->text.len;
    f->lengths[col] = vlen;
    enum cm_status rc = buf_add(&f->text, v, vlen);
    if (!rc)
        rc = buf_addch(&f->text, '\0');
    return rc;
}

static enum cm_status walk(struct walk *w, const json_t *v, size_t nlen, int depth)
{
    char num[64];
    if (depth > FLAT_DEPTH_MAX) {
        snprintf(w->why, w->cap, "nested deeper than %d levels at \"%.*s\"", FLAT_DEPTH_MAX,
                 (int)(nlen > 100 ? 100 : nlen), w->name);
        return CM_ERR_LIMIT;
    }
    switch (json_typeof(v)) {
    case JSON_NULL:
        return CM_OK;
    case JSON_STRING:
        return put(w, nlen, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return put(w, nlen, num, strlen(num));
    case JSON_REAL:
        real_text(json_real_value(v), num, sizeof num);
        return put(w, nlen, num, strlen(num));
    case JSON_TRUE:
        return put(w, nlen, "true", 4);
    case JSON_FALSE:
        return put(w, nlen, "false", 5);
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    int is_obj = json_is_object(v);
    size_t count = is_obj ? json_object_size(v) : json_array_size(v);
    void *it = is_obj ? json_object_iter((json_t *)v) : NULL;
    for (size_t i = 0; i < count; i++) {
        const char *key;
        char idx[24];
        json_t *child;
        if (is_obj) {
            key = json_object_iter_key(it);
            child = json_object_iter_value(it);
            it = json_object_iter_next((json_t *)v, it);
        } else {
            snprintf(idx, sizeof idx, "%zu", i + 1);
            key = idx;
            child = json_array_get(v, i);
        }
        size_t klen = strlen(key);
        size_t n = nlen + (nlen ? 1 : 0) + klen;
        if (n > FLAT_NAME_MAX) {
            snprintf(w->why, w->cap, "field name \"%.*s...\" longer than %d bytes",
                     (int)(nlen > 100 ? 100 : nlen), w->name, FLAT_NAME_MAX);
            return CM_ERR_LIMIT;
        }
        if (nlen)
            w->name[nlen] = '.';
        memcpy(w->name + n - klen, key, klen);
        w->name[n] = '\0';
        enum cm_status rc = walk(w, child, n, depth + 1);
        w->name[nlen] = '\0';
        if (rc || w->reset)
            return rc;
    }
    return CM_OK;
}

enum cm_status flat_record(struct flat *f, const json_t *obj, char *why, size_t cap)
{
    struct walk w = { .f = f, .why = why, .cap = cap };
    for (;;) {
        for (size_t i = 0; i < f->ncols; i++)
            f->offs[i] = (size_t)-1;
        buf_reset(&f->text);
        f->nfields = 0;
        w.reset = 0;
        w.name[0] = '\0';
        enum cm_status rc = walk(&w, obj, 0, 0);
        if (rc)
            return rc;
        if (!w.reset)
            break;
        flat_forget(f);                  /* too many names: start afresh with this record's */
        f->names_version++;
        w.allow = 1;
    }
    for (size_t i = 0; i < f->ncols; i++) {
        if (f->offs[i] == (size_t)-1) {
            f->values[i] = NULL;
            f->lengths[i] = 0;
        } else {
            f->values[i] = f->text.data + f->offs[i];
        }
    }
    return CM_OK;
}
