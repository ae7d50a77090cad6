/* http_client.c — the HTTP client of the web-API connector (contract: http_client.h).
 *
 * One libcurl easy handle per client, reused for every request so connections are kept
 * alive; curl_easy_reset() before each attempt clears the options but keeps the
 * connection and DNS caches. A request is run() attempt by attempt: transfer() does one,
 * the loop decides from the curl code, the status and Retry-After whether and how long
 * to wait. Auth headers or the query token are added per request; OAuth2 tokens are
 * fetched through the same loop and cached in the client.
 *
 * Options left at 0 where curl would read 0 as "no limit" (timeouts, low-speed limits,
 * max_response_bytes) take their defaults; max_attempts below 1 is 1.
 *
 * curl_global_init() runs once, in the first http_client_new(): it is not thread-safe,
 * which crmerge (single-threaded) can live with; it is never undone.
 *
 * Secrets: URLs in messages go through redact() (which also hides the client's own query
 * parameter), and every error leaving http_request() is scrubbed of the client's
 * secrets as a last line of defence. Nothing here logs. */
#include "connectors/http/http_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define HTTP_DEFAULT_USER_AGENT "crmerge/0.1.0"   /* keep in step with pipeline/main.c */
#define HTTP_LINK_MAX (64 * 1024)                 /* Link header bytes kept per response */
#define HTTP_TOKEN_MAX_BYTES (1024 * 1024)        /* an OAuth2 token response at most */

struct http_client {
    CURL *curl;
    struct http_options opt;
    char *user_agent;
    enum http_auth_kind kind;
    char *token, *query_param, *user, *password;     /* copies of struct http_auth's */
    char *token_url, *client_id, *client_secret, *scope;
    char *access_token;          /* OAUTH2: the cached token, or NULL */
    double access_expiry;        /* monotonic seconds after which it is stale; 0 = never */
    uint64_t rng;                /* xorshift64* state for the backoff jitter */
    /* the attempt in flight */
    struct http_response *resp;
    struct buf link;             /* the Link header values of the current response */
    char *cur_retry_after;       /* its Retry-After, or NULL */
    int over_limit, nomem;
    char errbuf[CURL_ERROR_SIZE];
};

/* one request as run() sends it */
struct req {
    const char *method;
    const char *url;             /* as sent (query token included) */
    const char *shown;           /* redacted, for messages */
    struct curl_slist *headers;
    const char *body;            /* or NULL */
    int may_retry;
    size_t max_bytes;
};

/* ---- small helpers ---------------------------------------------------------------- */

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void real_sleep(double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec ts, rem;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
        ts = rem;
}

static uint64_t seed_rng(void)
{
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
            s = 0;
        close(fd);
    }
    if (!s)
        s = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)&s;
    return s ? s : 0x9E3779B97F4A7C15ULL;
}

/* uniform in [0, 1) */
static double rand01(struct http_client *c)
{
    uint64_t x = c->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c->rng = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

static void free_secret(char **s)
{
    if (*s) {
        memset(*s, 0, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

/* err with every occurrence of secret replaced by "***" */
static void scrub(char *err, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (!err || n < 4)
        return;
    char *p;
    while ((p = strstr(err, secret)) != NULL) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
    }
}

static void scrub_all(const struct http_client *c, char *err)
{
    scrub(err, c->token);
    scrub(err, c->password);
    scrub(err, c->client_secret);
    scrub(err, c->access_token);
}

/* ---- URLs -------------------------------------------------------------------------- */

static int is_secret_param(const char *name, size_t n, const char *extra)
{
    static const char *const names[] = {
        "token", "api_token", "access_token", "key", "api_key", "apikey", "secret",
        "client_secret", "password", "signature", "sig", "code", NULL
    };
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncasecmp(names[i], name, n) == 0)
            return 1;
    return extra && strlen(extra) == n && strncasecmp(extra, name, n) == 0;
}

struct out { char *p; size_t cap, len; };

static void put(struct out *o, const char *s, size_t n)
{
    while (n-- && o->len + 1 < o->cap)
        o->p[o->len++] = *s++;
    o->p[o->len] = '\0';
}

/* the name=value pairs of s[0..n) with secret values replaced */
static void put_params(struct out *o, const char *s, size_t n, const char *extra)
{
    const char *end = s + n;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(stop - s));
        if (eq && is_secret_param(s, (size_t)(eq - s), extra)) {
            put(o, s, (size_t)(eq - s) + 1);
            put(o, "***", 3);
        } else {
            put(o, s, (size_t)(stop - s));
        }
        if (amp)
            put(o, "&", 1);
        s = amp ? amp + 1 : end;
    }
}

static void redact(const char *url, const char *extra, char *out, size_t cap)
{
    if (!out || !cap)
        return;
    struct out o = { out, cap, 0 };
    out[0] = '\0';
    if (!url)
        return;
    const char *p = url;
    const char *sep = strstr(url, "://");
    if (sep && sep > url && strcspn(url, ":/?#") == (size_t)(sep - url)) {
        put(&o, url, (size_t)(sep + 3 - url));
        p = sep + 3;
        size_t alen = strcspn(p, "/?#");
        const char *at = NULL;
        for (const char *q = p; q < p + alen; q++)
            if (*q == '@')
                at = q;
        if (at) {
            put(&o, "***@", 4);
            put(&o, at + 1, (size_t)(p + alen - at - 1));
        } else {
            put(&o, p, alen);
        }
        p += alen;
    }
    size_t plen = strcspn(p, "?#");
    put(&o, p, plen);
    p += plen;
    if (*p == '?') {
        size_t qlen = strcspn(p + 1, "#");
        put(&o, "?", 1);
        put_params(&o, p + 1, qlen, extra);
        p += 1 + qlen;
    }
    if (*p == '#') {
        put(&o, "#", 1);
        put_params(&o, p + 1, strlen(p + 1), extra);
    }
}

void http_redact_url(const char *url, char *out, size_t cap)
{
    redact(url, NULL, out, cap);
}

/* 1 if url parses and its scheme is http or https */
static int is_http_url(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL;
    int ok = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK)
        ok = strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
    curl_free(scheme);
    curl_url_cleanup(u);
    return ok;
}

/* url without any `param=` in its query, then with param=<escaped value> appended when
 * value is not NULL; malloc'd, NULL when out of memory */
static char *set_query_param(CURL *h, const char *url, const char *param, const char *value)
{
    size_t head = strcspn(url, "?#");
    const char *frag = strchr(url + head, '#');
    const char *q = url[head] == '?' ? url + head + 1 : NULL;
    size_t qlen = q ? (frag ? (size_t)(frag - q) : strlen(q)) : 0;
    size_t plen = strlen(param);
    char *esc = value ? curl_easy_escape(h, value, 0) : NULL;
    if (value && !esc)
        return NULL;
    struct buf b = BUF_INIT(0);
    int rc = buf_add(&b, url, head) != CM_OK;
    int first = 1;
    for (const char *s = q, *end = q + qlen; q && s < end;) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        int drop = (size_t)(stop - s) >= plen && strncmp(s, param, plen) == 0 &&
                   (s + plen == stop || s[plen] == '=');
        if (!drop && stop > s) {
            rc |= buf_addch(&b, first ? '?' : '&') != CM_OK;
            rc |= buf_add(&b, s, (size_t)(stop - s)) != CM_OK;
            first = 0;
        }
        s = amp ? amp + 1 : end;
    }
    if (esc)
        rc |= buf_printf(&b, "%c%s=%s", first ? '?' : '&', param, esc) != CM_OK;
    if (frag)
        rc |= buf_addstr(&b, frag) != CM_OK;
    curl_free(esc);
    if (rc) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

/* ---- Link and Retry-After ------------------------------------------------------------ */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* resolved against base (when there is one); malloc'd or NULL */
static char *resolve(const char *target, const char *base_url)
{
    CURLU *u = curl_url();
    char *s = NULL, *res = NULL;
    if (!u)
        return NULL;
    if (base_url && curl_url_set(u, CURLUPART_URL, base_url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        u = curl_url();
        if (!u)
            return NULL;
    }
    if (curl_url_set(u, CURLUPART_URL, target, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
        res = strdup(s);
    curl_free(s);
    curl_url_cleanup(u);
    return res;
}

/* does the rel value v[0..n) (space-separated relation types) contain "next"? */
static int rel_has_next(const char *v, size_t n)
{
    const char *end = v + n;
    while (v < end) {
        while (v < end && isspace((unsigned char)*v))
            v++;
        const char *w = v;
        while (v < end && !isspace((unsigned char)*v))
            v++;
        if (v - w == 4 && strncasecmp(w, "next", 4) == 0)
            return 1;
    }
    return 0;
}

char *http_link_next(const char *link_header, const char *base_url)
{
    const char *p = link_header;
    if (!p)
        return NULL;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p != '<')
            return NULL;                      /* end, or not a Link value we can read */
        const char *t = ++p, *gt = strchr(p, '>');
        if (!gt)
            return NULL;
        size_t tlen = (size_t)(gt - t);
        int next = 0, seen_rel = 0;
        p = skip_ws(gt + 1);
        while (*p == ';') {                   /* link-params */
            p = skip_ws(p + 1);
            const char *name = p;
            while (*p && !strchr("=;, \t", *p))
                p++;
            size_t nlen = (size_t)(p - name);
            p = skip_ws(p);
            char val[512];
            size_t vlen = 0;
            if (*p == '=') {
                p = skip_ws(p + 1);
                if (*p == '"') {
                    for (p++; *p && *p != '"'; p++) {
                        if (*p == '\\' && p[1])
                            p++;
                        if (vlen + 1 < sizeof val)
                            val[vlen++] = *p;
                    }
                    if (*p == '"')
                        p++;
                } else {
                    while (*p && !strchr(";, \t", *p)) {
                        if (vlen + 1 < sizeof val)
                            val[vlen++] = *p;
                        p++;
                    }
                }
            }
            if (nlen == 3 && strncasecmp(name, "rel", 3) == 0 && !seen_rel) {
                seen_rel = 1;                 /* RFC 8288: only the first rel counts */
                next = rel_has_next(val, vlen);
            }
            p = skip_ws(p);
        }
        if (next) {
            char *target = strndup(t, tlen);
            char *res = target ? resolve(target, base_url) : NULL;
            free(target);
            return res;
        }
        while (*p && *p != ',')               /* junk after the params: skip the link */
            p++;
    }
}

static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_of(const char *s)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    for (int i = 0; i < 12; i++)
        if (strcmp(s, mon[i]) == 0)
            return i + 1;
    return 0;
}

static int day_name_ok(const char *s, int long_form)
{
    static const char *const day[] = { "Monday", "Tuesday", "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday" };
    for (int i = 0; i < 7; i++)
        if (long_form ? strcmp(s, day[i]) == 0 : strncmp(s, day[i], 3) == 0 && !s[3])
            return 1;
    return 0;
}

double http_retry_after_seconds(const char *value, double now_epoch)
{
    if (!value)
        return -1;
    const char *p = skip_ws(value);
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (!n || n > 64)
        return -1;
    char s[65];
    memcpy(s, p, n);
    s[n] = '\0';
    if (strspn(s, "0123456789") == n) {               /* delta-seconds */
        double v = 0;
        for (size_t i = 0; i < n && v < 1e12; i++)
            v = v * 10 + (s[i] - '0');
        return v;
    }
    char wd[16], mon[4];
    int d = 0, y = 0, hh = 0, mm = 0, ss = 0, used = 0, yy_two = 0, ok = 0;
    /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n",
               wd, &d, mon, &y, &hh, &mm, &ss, &used) == 7 && used == (int)n)
        ok = day_name_ok(wd, 0);
    /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
    used = 0;
    if (!ok && sscanf(s, "%9[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n",
                      wd, &d, mon, &y, &hh, &mm, &ss, &used) == 7 && used == (int)n)
        ok = yy_two = day_name_ok(wd, 1);
    /* asctime: Sun Nov  6 08:49:37 1994 */
    used = 0;
    if (!ok && sscanf(s, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n",
                      wd, mon, &d, &hh, &mm, &ss, &y, &used) == 7 && used == (int)n)
        ok = day_name_ok(wd, 0);
    if (!ok)
        return -1;
    int m = month_of(mon);
    if (!m || d < 1 || d > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
        ss > 60 || y < 0)
        return -1;
    if (yy_two) {            /* RFC 9110: a year over 50 years ahead is in the past */
        long now_year = 1970 + (long)(now_epoch / 31556952.0);
        y += 2000;
        if (y > now_year + 50)
            y -= 100;
    }
    double t = (double)days_from_civil(y, m, d) * 86400.0 + hh * 3600 + mm * 60 + ss;
    return t > now_epoch ? t - now_epoch : 0;
}

/* ---- options, responses, clients ------------------------------------------------------ */

void http_options_default(struct http_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_s = 10;
    o->low_speed_seconds = 30;
    o->low_speed_bytes = 1;
    o->request_timeout_s = 300;
    o->max_attempts = 5;
    o->max_retry_seconds = 120;
    o->backoff_base_s = 0.5;
    o->backoff_max_s = 30;
    o->max_response_bytes = (size_t)64 << 20;
    o->max_redirects = 5;
    o->user_agent = HTTP_DEFAULT_USER_AGENT;
    o->sleep_fn = NULL;
    o->sleep_ctx = NULL;
}

void http_response_init(struct http_response *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->body, 0);
}

void http_response_free(struct http_response *r)
{
    buf_free(&r->body);
    free(r->link_next);
    free(r->retry_after);
    r->link_next = r->retry_after = NULL;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->user_agent);
    free_secret(&c->token);
    free(c->query_param);
    free(c->user);
    free_secret(&c->password);
    free(c->token_url);
    free(c->client_id);
    free_secret(&c->client_secret);
    free(c->scope);
    free_secret(&c->access_token);
    buf_free(&c->link);
    free(c->cur_retry_after);
    free(c);
}

static enum cm_status check_auth(const struct http_client *c, char *err)
{
    switch (c->kind) {
    case HTTP_AUTH_NONE:
        return CM_OK;
    case HTTP_AUTH_BEARER:
        if (!c->token || !*c->token)
            return cm_fail(err, CM_ERR_CONFIG, "http auth bearer: no token");
        return CM_OK;
    case HTTP_AUTH_BASIC:
        if (!c->user)
            return cm_fail(err, CM_ERR_CONFIG, "http auth basic: no user");
        return CM_OK;
    case HTTP_AUTH_QUERY:
        if (!c->token || !*c->token || !c->query_param || !*c->query_param)
            return cm_fail(err, CM_ERR_CONFIG, "http auth query: needs a parameter name "
                           "and a token");
        return CM_OK;
    case HTTP_AUTH_OAUTH2:
        if (!c->token_url || !c->client_id || !c->client_secret)
            return cm_fail(err, CM_ERR_CONFIG, "http auth oauth2: needs token_url, "
                           "client_id and client_secret");
        if (!is_http_url(c->token_url)) {
            char shown[256];
            redact(c->token_url, NULL, shown, sizeof shown);
            return cm_fail(err, CM_ERR_CONFIG, "http auth oauth2: token_url %s: not an "
                           "http(s) URL", shown);
        }
        return CM_OK;
    }
    return cm_fail(err, CM_ERR_CONFIG, "http auth: unknown kind %d", (int)c->kind);
}

enum cm_status http_client_new(const struct http_options *opt, const struct http_auth *auth,
                               struct http_client **out, char *err)
{
    static int curl_ready;      /* curl_global_init once; crmerge is single-threaded */
    *out = NULL;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return cm_fail(err, CM_ERR_IO, "curl_global_init failed");
        curl_ready = 1;
    }
    struct http_client *c = calloc(1, sizeof *c);
    if (!c)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    struct http_options d;
    http_options_default(&d);
    if (opt) {
        c->opt = *opt;
        if (c->opt.connect_timeout_s <= 0) c->opt.connect_timeout_s = d.connect_timeout_s;
        if (c->opt.low_speed_seconds <= 0) c->opt.low_speed_seconds = d.low_speed_seconds;
        if (c->opt.low_speed_bytes <= 0) c->opt.low_speed_bytes = d.low_speed_bytes;
        if (c->opt.request_timeout_s <= 0) c->opt.request_timeout_s = d.request_timeout_s;
        if (c->opt.max_response_bytes == 0) c->opt.max_response_bytes = d.max_response_bytes;
        if (c->opt.max_attempts < 1) c->opt.max_attempts = 1;
        if (c->opt.max_retry_seconds < 0) c->opt.max_retry_seconds = 0;
        if (c->opt.backoff_base_s < 0) c->opt.backoff_base_s = 0;
        if (c->opt.backoff_max_s < 0) c->opt.backoff_max_s = 0;
        if (c->opt.max_redirects < 0) c->opt.max_redirects = 0;
    } else {
        c->opt = d;
    }
    struct http_auth none = { HTTP_AUTH_NONE };
    if (!auth)
        auth = &none;
    c->kind = auth->kind;
    int bad = dup_opt(&c->user_agent, c->opt.user_agent ? c->opt.user_agent
                                                          : HTTP_DEFAULT_USER_AGENT);
    c->opt.user_agent = NULL;   /* the copy is used */
    bad |= dup_opt(&c->token, auth->token);
    bad |= dup_opt(&c->query_param, auth->query_param);
    bad |= dup_opt(&c->user, auth->user);
    bad |= dup_opt(&c->password, auth->password);
    bad |= dup_opt(&c->token_url, auth->token_url);
    bad |= dup_opt(&c->client_id, auth->client_id);
    bad |= dup_opt(&c->client_secret, auth->client_secret);
    bad |= dup_opt(&c->scope, auth->scope);
    buf_init(&c->link, HTTP_LINK_MAX);
    c->rng = seed_rng();
    enum cm_status rc = CM_OK;
    if (bad)
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = check_auth(c, err);
    if (!rc) {
        c->curl = curl_easy_init();
        if (!c->curl)
            rc = cm_fail(err, CM_ERR_NOMEM, "curl_easy_init failed");
    }
    if (rc) {
        http_client_free(c);
        return rc;
    }
    *out = c;
    return CM_OK;
}

/* ---- one attempt ------------------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    struct http_client *c = ud;
    enum cm_status rc = buf_add(&c->resp->body, data, size * n);
    if (rc == CM_ERR_LIMIT)
        c->over_limit = 1;
    else if (rc)
        c->nomem = 1;
    return rc ? 0 : size * n;
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    struct http_client *c = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {        /* a new response begins */
        buf_reset(&c->link);
        free(c->cur_retry_after);
        c->cur_retry_after = NULL;
        return len;
    }
    const char *colon = memchr(line, ':', len), *end = line + len;
    if (!colon)
        return len;
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t vlen = (size_t)(end - v);
    if (nlen == 4 && strncasecmp(line, "link", 4) == 0) {
        if (c->link.len)
            buf_add(&c->link, ", ", 2);      /* over HTTP_LINK_MAX: the rest is dropped */
        buf_add(&c->link, v, vlen);
    } else if (nlen == 11 && strncasecmp(line, "retry-after", 11) == 0) {
        free(c->cur_retry_after);
        free(c->resp->retry_after);
        c->cur_retry_after = strndup(v, vlen);
        c->resp->retry_after = strndup(v, vlen);
        if (!c->cur_retry_after || !c->resp->retry_after) {
            c->nomem = 1;
            return 0;
        }
    }
    return len;
}

static CURLcode transfer(struct http_client *c, const struct req *q, struct http_response *resp)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    buf_reset(&resp->body);
    resp->body.cap = q->max_bytes;
    resp->status = 0;
    buf_reset(&c->link);
    free(c->cur_retry_after);
    c->cur_retry_after = NULL;
    c->over_limit = c->nomem = 0;
    c->errbuf[0] = '\0';
    c->resp = resp;

    curl_easy_setopt(h, CURLOPT_URL, q->url);
#if LIBCURL_VERSION_NUM >= 0x075500            /* 7.85.0: the _STR forms */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)c->opt.max_redirects);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->opt.connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, c->opt.low_speed_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->opt.low_speed_seconds);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->opt.request_timeout_s);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");     /* decoded size is capped too */
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)q->max_bytes);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, q->headers);
    if (c->kind == HTTP_AUTH_BASIC) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    if (strcmp(q->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(q->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body ? q->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(q->body ? strlen(q->body) : 0));
    }

    CURLcode rc = curl_easy_perform(h);
    double t = 0;
    if (curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &t) == CURLE_OK)
        resp->seconds_waiting += t;
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        resp->status = status;
    }
    return rc;
}

static int retryable_code(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int retryable_status(long status)
{
    return status == 429 || status >= 500;
}

/* The attempts of one request: CM_OK with resp->status once a response is final (or
 * the retries of a retryable status are spent); CM_ERR_INPUT when none could be had. */
static enum cm_status run(struct http_client *c, const struct req *q,
                          struct http_response *resp, char *err)
{
    double waited = 0;
    for (int attempt = 1;; attempt++) {
        CURLcode rc = transfer(c, q, resp);
        resp->attempts++;
        if (c->nomem)
            return cm_fail(err, CM_ERR_NOMEM, "%s %s: out of memory", q->method, q->shown);
        if ((rc == CURLE_WRITE_ERROR && c->over_limit) || rc == CURLE_FILESIZE_EXCEEDED)
            return cm_fail(err, CM_ERR_INPUT, "%s %s: response larger than %zu bytes",
                           q->method, q->shown, q->max_bytes);
        int again = q->may_retry && (rc == CURLE_OK ? retryable_status(resp->status)
                                                     : retryable_code(rc));
        double wait = 0;
        if (again && attempt >= c->opt.max_attempts)
            again = 0;
        if (again) {
            double left = c->opt.max_retry_seconds - waited;
            double ra = c->cur_retry_after
                        ? http_retry_after_seconds(c->cur_retry_after, (double)time(NULL))
                        : -1;
            if (ra >= 0) {                   /* honoured, up to what is left */
                wait = ra;
                if (ra > left) {
                    wait = left;
                    again = left > 0;
                }
            } else {                         /* full jitter */
                double cap = c->opt.backoff_base_s;
                for (int k = 1; k < attempt && cap < c->opt.backoff_max_s; k++)
                    cap *= 2;
                if (cap > c->opt.backoff_max_s)
                    cap = c->opt.backoff_max_s;
                wait = cap * rand01(c);
                again = waited + wait <= c->opt.max_retry_seconds;
            }
        }
        if (!again) {
            if (rc == CURLE_OK)
                return CM_OK;
            return cm_fail(err, CM_ERR_INPUT, "%s %s: %s (after %d attempt%s)", q->method,
                           q->shown, c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc),
                           resp->attempts, resp->attempts == 1 ? "" : "s");
        }
        if (c->opt.sleep_fn)
            c->opt.sleep_fn(wait, c->opt.sleep_ctx);
        else
            real_sleep(wait);
        waited += wait;
        resp->seconds_waiting += wait;
    }
}

/* ---- OAuth2 client credentials ----------------------------------------------------------- */

static int token_fresh(const struct http_client *c)
{
    return c->access_token && (c->access_expiry == 0 || mono_now() < c->access_expiry);
}

static enum cm_status fetch_token(struct http_client *c, char *err)
{
    char shown[512], inner[CM_ERRBUF];
    redact(c->token_url, NULL, shown, sizeof shown);
    free_secret(&c->access_token);

    char *id = curl_easy_escape(c->curl, c->client_id, 0);
    char *secret = curl_easy_escape(c->curl, c->client_secret, 0);
    char *scope = c->scope ? curl_easy_escape(c->curl, c->scope, 0) : NULL;
    struct buf form = BUF_INIT(0);
    enum cm_status rc = CM_ERR_NOMEM;
    if (id && secret && (scope || !c->scope))
        rc = buf_printf(&form, "grant_type=client_credentials&client_id=%s&client_secret=%s"
                        "%s%s", id, secret, scope ? "&scope=" : "", scope ? scope : "");
    if (secret)
        memset(secret, 0, strlen(secret));
    curl_free(id);
    curl_free(secret);
    curl_free(scope);
    struct curl_slist *hdrs = NULL, *t;
    const char *const lines[] = { "Content-Type: application/x-www-form-urlencoded",
                                  "Accept: application/json", "Expect:" };
    for (size_t i = 0; !rc && i < sizeof lines / sizeof *lines; i++) {
        t = curl_slist_append(hdrs, lines[i]);
        if (!t)
            rc = CM_ERR_NOMEM;
        else
            hdrs = t;
    }
    if (rc) {
        if (form.data)
            memset(form.data, 0, form.len);
        buf_free(&form);
        curl_slist_free_all(hdrs);
        return cm_fail(err, rc, "oauth2 token request to %s: out of memory", shown);
    }
    size_t max = c->opt.max_response_bytes < HTTP_TOKEN_MAX_BYTES
                 ? c->opt.max_response_bytes : HTTP_TOKEN_MAX_BYTES;
    struct req q = { "POST", c->token_url, shown, hdrs, form.data, 1, max };
    struct http_response tr;
    http_response_init(&tr);
    rc = run(c, &q, &tr, inner);
    memset(form.data, 0, form.len);
    buf_free(&form);
    curl_slist_free_all(hdrs);
    if (rc) {
        http_response_free(&tr);
        return cm_fail(err, rc, "oauth2 token request failed: %s", inner);
    }
    json_error_t jerr;
    json_t *doc = tr.body.data ? json_loadb(tr.body.data, tr.body.len, 0, &jerr) : NULL;
    const char *access = json_string_value(json_object_get(doc, "access_token"));
    const char *type = json_string_value(json_object_get(doc, "token_type"));
    json_t *exp = json_object_get(doc, "expires_in");
    if (tr.status != 200 || !access || !*access) {
        const char *e = json_string_value(json_object_get(doc, "error"));
        if (tr.status == 200)
            rc = cm_fail(err, CM_ERR_INPUT, "oauth2 token request to %s: no access_token "
                         "in the response", shown);
        else
            rc = cm_fail(err, CM_ERR_INPUT, "oauth2 token request to %s: HTTP %ld%s%.100s%s",
                         shown, tr.status, e ? " (" : "", e ? e : "", e ? ")" : "");
    } else if (type && strcasecmp(type, "bearer") != 0) {
        rc = cm_fail(err, CM_ERR_INPUT, "oauth2 token request to %s: token_type \"%.40s\" "
                     "is not bearer", shown, type);
    } else {
        double life = -1;
        if (json_is_number(exp))
            life = json_number_value(exp);
        else if (json_is_string(exp))
            life = strtod(json_string_value(exp), NULL);
        c->access_token = strdup(access);
        if (!c->access_token) {
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        } else if (life > 0) {   /* refreshed 30 s before expiry, or 10% of a short life */
            double margin = life * 0.1 < 30 ? life * 0.1 : 30;
            c->access_expiry = mono_now() + life - margin;
        } else {
            c->access_expiry = 0;    /* no lifetime given: used until a 401 */
        }
    }
    json_decref(doc);
    if (tr.body.data)
        memset(tr.body.data, 0, tr.body.len);
    http_response_free(&tr);
    return rc;
}

/* ---- requests -------------------------------------------------------------------------- */

static int add_line(struct curl_slist **l, const char *line)
{
    struct curl_slist *t = curl_slist_append(*l, line);
    if (!t)
        return 0;
    *l = t;
    return 1;
}

/* the caller's headers, then ours (Expect off, Content-Type, Authorization: Bearer) */
static enum cm_status build_headers(const struct http_client *c, const char *const *headers,
                                    const char *body, struct curl_slist **out)
{
    struct curl_slist *l = NULL;
    int has_type = 0, ok = 1;
    for (size_t i = 0; headers && headers[i] && ok; i++) {
        if (strncasecmp(headers[i], "content-type:", 13) == 0)
            has_type = 1;
        ok = add_line(&l, headers[i]);
    }
    ok = ok && add_line(&l, "Expect:");
    if (ok && body && !has_type)
        ok = add_line(&l, "Content-Type: application/json");
    const char *bearer = c->kind == HTTP_AUTH_BEARER ? c->token
                         : c->kind == HTTP_AUTH_OAUTH2 ? c->access_token : NULL;
    if (ok && bearer) {
        size_t n = strlen(bearer) + sizeof "Authorization: Bearer ";
        char *line = malloc(n);
        ok = line != NULL;
        if (ok) {
            snprintf(line, n, "Authorization: Bearer %s", bearer);
            ok = add_line(&l, line);
            memset(line, 0, n);
            free(line);
        }
    }
    if (!ok) {
        curl_slist_free_all(l);
        return CM_ERR_NOMEM;
    }
    *out = l;
    return CM_OK;
}

static enum cm_status request(struct http_client *c, struct req *q, const char *url,
                              const char *const *headers, struct http_response *resp,
                              char *err)
{
    enum cm_status rc = CM_OK;
    if (c->kind == HTTP_AUTH_OAUTH2 && !token_fresh(c))
        rc = fetch_token(c, err);
    if (!rc)
        rc = build_headers(c, headers, q->body, &q->headers);
    if (rc == CM_ERR_NOMEM)
        return cm_fail(err, rc, "%s %s: out of memory", q->method, q->shown);
    if (!rc)
        rc = run(c, q, resp, err);
    curl_slist_free_all(q->headers);
    q->headers = NULL;
    if (!rc && c->kind == HTTP_AUTH_OAUTH2 && resp->status == 401) {
        rc = fetch_token(c, err);            /* once: a second 401 goes to the caller */
        if (!rc)
            rc = build_headers(c, headers, q->body, &q->headers);
        if (rc == CM_ERR_NOMEM)
            return cm_fail(err, rc, "%s %s: out of memory", q->method, q->shown);
        if (!rc)
            rc = run(c, q, resp, err);
        curl_slist_free_all(q->headers);
        q->headers = NULL;
    }
    if (!rc && resp->link_next == NULL && c->link.len) {
        char *eff = NULL;
        curl_easy_getinfo(c->curl, CURLINFO_EFFECTIVE_URL, &eff);
        resp->link_next = http_link_next(c->link.data, eff ? eff : url);
        if (resp->link_next && c->kind == HTTP_AUTH_QUERY) {  /* no token in it */
            char *clean = set_query_param(c->curl, resp->link_next, c->query_param, NULL);
            free(resp->link_next);
            resp->link_next = clean;
        }
    }
    if (!rc && !resp->body.data)
        rc = buf_addstr(&resp->body, "");
    return rc;
}

enum cm_status http_request(struct http_client *c, const char *method, const char *url,
                            const char *const *headers, const char *body, int retry_post,
                            struct http_response *resp, char *err)
{
    char shown[1024];
    redact(url, c->kind == HTTP_AUTH_QUERY ? c->query_param : NULL, shown, sizeof shown);
    buf_reset(&resp->body);
    free(resp->link_next);
    free(resp->retry_after);
    resp->link_next = resp->retry_after = NULL;
    resp->status = 0;
    resp->attempts = 0;
    resp->seconds_waiting = 0;
    if (!method || !*method || strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(method))
        return cm_fail(err, CM_ERR_CONFIG, "http request: bad method \"%.20s\"",
                       method ? method : "");
    if (!url || !is_http_url(url))
        return cm_fail(err, CM_ERR_CONFIG, "%s %s: not an http(s) URL", method, shown);

    char *sent = c->kind == HTTP_AUTH_QUERY
                 ? set_query_param(c->curl, url, c->query_param, c->token) : strdup(url);
    if (!sent)
        return cm_fail(err, CM_ERR_NOMEM, "%s %s: out of memory", method, shown);
    int unsafe = strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0;
    struct req q = { method, sent, shown, NULL, body, !unsafe || retry_post,
                     c->opt.max_response_bytes };
    enum cm_status rc = request(c, &q, url, headers, resp, err);
    if (c->kind == HTTP_AUTH_QUERY)
        memset(sent, 0, strlen(sent));
    free(sent);
    if (rc)
        scrub_all(c, err);
    return rc;
}

enum cm_status http_get(struct http_client *c, const char *url, const char *const *headers,
                        struct http_response *resp, char *err)
{
    return http_request(c, "GET", url, headers, NULL, 0, resp, err);
}
