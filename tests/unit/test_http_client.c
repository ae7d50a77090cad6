/* test_http_client.c — connectors/http/http_client.c over real loopback HTTP.
 *
 * One tests/http/server.py runs for the whole binary (tests/unit/loopback.h). Every
 * case uses its own paths of the one scenario below, so the server's request log (one
 * JSON line per request) tells each case what arrived. Waits between attempts go to
 * the sleep_fn hook and are recorded, never slept; only the OAuth2 expiry case sleeps
 * for real (1 s). The pure functions (Link, Retry-After, redaction) are
 * table-driven. */
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "connectors/http/http_client.h"
#include "tests/unit/loopback.h"
#include "tests/unit/testlib.h"

/* ---- the server -------------------------------------------------------------------- */

static const char scenario[] =
    "{\"routes\": [\n"
    " {\"path\": \"/plain\", \"body\": \"hello\"},\n"
    " {\"path\": \"/redir\", \"status\": 301, \"headers\": {\"Location\": \"/plain\"}},\n"
    " {\"path\": \"/links\", \"body\": [], \"headers\": {\"Link\":"
    "   \"<{base}/links?page=1>; rel=\\\"prev\\\", <?page=3>; rel=\\\"next last\\\"\"}},\n"
    " {\"path\": \"/ra429\", \"status\": 429, \"headers\": {\"Retry-After\": \"1\"}, \"times\": 1},\n"
    " {\"path\": \"/ra429\", \"body\": \"ok\"},\n"
    " {\"path\": \"/radate\", \"status\": 503, \"times\": 1,"
    "   \"headers\": {\"Retry-After\": \"Sun, 06 Nov 1994 08:49:37 GMT\"}},\n"
    " {\"path\": \"/radate\", \"body\": \"ok\"},\n"
    " {\"path\": \"/500once\", \"status\": 500, \"times\": 1},\n"
    " {\"path\": \"/500once\", \"body\": \"ok\"},\n"
    " {\"path\": \"/503\", \"status\": 503, \"body\": \"down\"},\n"
    " {\"path\": \"/503ra\", \"status\": 503, \"headers\": {\"Retry-After\": \"10\"}},\n"
    " {\"method\": \"POST\", \"path\": \"/post503\", \"status\": 503},\n"
    " {\"method\": \"POST\", \"path\": \"/search\", \"body\": \"found\","
    "   \"require_headers\": {\"Content-Type\": \"application/json\"}},\n"
    " {\"path\": \"/stall\", \"body\": \"ab\","
    "   \"stall\": 3},\n"
    " {\"path\": \"/trunc1\", \"body\": \"0123456789\", \"truncate\": 3, \"times\": 1},\n"
    " {\"path\": \"/trunc1\", \"body\": \"0123456789\"},\n"
    " {\"path\": \"/trunc\", \"body\": \"0123456789\", \"truncate\": 3},\n"
    " {\"path\": \"/close\", \"close\": true},\n"
    " {\"path\": \"/big\", \"body_file\": \"big.txt\"},\n"
    " {\"path\": \"/gzbomb\", \"body_file\": \"bomb.gz\","
    "   \"headers\": {\"Content-Encoding\": \"gzip\"}},\n"
    " {\"path\": \"/tofile\", \"status\": 302, \"headers\": {\"Location\": \"file:///etc/passwd\"}},\n"
    " {\"path\": \"/loop\", \"status\": 302, \"headers\": {\"Location\": \"{base}/loop\"}},\n"
    " {\"path\": \"/bearer\", \"body\": \"bearer ok\","
    "   \"require_headers\": {\"Authorization\": \"Bearer b-token-123\"}},\n"
    " {\"path\": \"/basic\", \"body\": \"basic ok\","
    "   \"require_headers\": {\"Authorization\": \"Basic YWxpY2U6cHctc2VjcmV0LTk=\"}},\n"
    " {\"path\": \"/qtok\", \"query\": {\"api_token\": \"q-secret-77\", \"start\": \"0\"},"
    "   \"body\": \"query ok\","
    "   \"headers\": {\"Link\": \"<{base}/qtok?start=1&api_token=q-secret-77>; rel=next\"}},\n"
    " {\"path\": \"/qfail\", \"status\": 503},\n"
    " {\"method\": \"POST\", \"path\": \"/tok1\", \"oauth_token\": {\"client_id\": \"cid\","
    "   \"client_secret\": \"csecret-42\", \"scope\": \"api read\", \"expires_in\": 3600}},\n"
    " {\"method\": \"POST\", \"path\": \"/tok2\", \"oauth_token\": {\"client_id\": \"cid\","
    "   \"client_secret\": \"csecret-42\", \"expires_in\": 1}},\n"
    " {\"method\": \"POST\", \"path\": \"/tok3\", \"oauth_token\": {\"client_id\": \"cid\","
    "   \"client_secret\": \"csecret-42\", \"expires_in\": 3600}},\n"
    " {\"method\": \"POST\", \"path\": \"/tok4\", \"oauth_token\": {\"client_id\": \"cid\","
    "   \"client_secret\": \"csecret-42\", \"expires_in\": 3600}},\n"
    " {\"method\": \"POST\", \"path\": \"/tok5\", \"oauth_token\": {\"client_id\": \"cid\","
    "   \"client_secret\": \"csecret-42\", \"expires_in\": 3600}},\n"
    " {\"path\": \"/odata\", \"require_oauth\": true, \"body\": {\"value\": []}},\n"
    " {\"path\": \"/oflaky\", \"status\": 401, \"times\": 1},\n"
    " {\"path\": \"/oflaky\", \"require_oauth\": true, \"body\": \"ok\"},\n"
    " {\"path\": \"/o401\", \"status\": 401, \"body\": {\"error\": \"nope\"}}\n"
    "], \"default_status\": 404}\n";

static struct loopback lb;

/* the server, and the files its routes serve: 2000 bytes for /big, and 1 MB of zeros
 * gzip'd to about a kilobyte for /gzbomb (a small Content-Length, a big body) */
static int server_start(void)
{
    static const char zeros[4096];
    char big[2000], path[128];
    memset(big, 'x', sizeof big);
    if (loopback_start(&lb, scenario) || loopback_write(&lb, "big.txt", big, sizeof big))
        return -1;
    loopback_path(&lb, "bomb.gz", path, sizeof path);
    gzFile gz = gzopen(path, "wb9");
    if (!gz)
        return -1;
    for (int i = 0; i < 256; i++)
        gzwrite(gz, zeros, sizeof zeros);
    gzclose(gz);
    return 0;
}

static const char *url_of(char *out, size_t n, const char *path)
{
    snprintf(out, n, "%s%s", lb.base, path);
    return out;
}

static size_t count_requests(const char *path)
{
    json_t *a = loopback_requests(&lb, path);
    size_t n = json_array_size(a);
    json_decref(a);
    return n;
}

/* header name of the last request to path, or "" */
static void last_header(const char *path, const char *name, char *out, size_t n)
{
    json_t *a = loopback_requests(&lb, path);
    json_t *h = json_object_get(json_array_get(a, json_array_size(a) - 1), "headers");
    const char *v = json_string_value(json_object_get(h, name));
    snprintf(out, n, "%s", v ? v : "");
    json_decref(a);
}

/* ---- clients --------------------------------------------------------------------------- */

struct waits {
    int n;
    double w[128];
};

static void record_wait(double seconds, void *ctx)
{
    struct waits *w = ctx;
    if (w->n < 128)
        w->w[w->n++] = seconds;
}

static double sum_waits(const struct waits *w)
{
    double s = 0;
    for (int i = 0; i < w->n; i++)
        s += w->w[i];
    return s;
}

/* defaults with fast, recorded waits */
static void test_options(struct http_options *o, struct waits *w)
{
    http_options_default(o);
    memset(w, 0, sizeof *w);
    o->sleep_fn = record_wait;
    o->sleep_ctx = w;
    o->connect_timeout_s = 5;
    o->request_timeout_s = 10;
    o->low_speed_seconds = 5;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* a fresh client in *c and an empty response in *r: rc (caller frees both) */
static enum cm_status client_with(const struct http_options *o, const struct http_auth *a,
                                  struct http_client **c, struct http_response *r, char *err)
{
    http_response_init(r);
    return http_client_new(o, a, c, err);
}

/* one GET with a fresh client: rc, the response in *r (caller frees) */
static enum cm_status get_with(const struct http_options *o, const struct http_auth *a,
                               const char *path, struct http_response *r, char *err)
{
    struct http_client *c = NULL;
    char url[256];
    enum cm_status rc = client_with(o, a, &c, r, err);
    if (rc)
        return rc;
    rc = http_get(c, url_of(url, sizeof url, path), NULL, r, err);
    http_client_free(c);
    return rc;
}

/* a port nothing listens on */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(fd, (struct sockaddr *)&a, &len)) {
        if (fd >= 0)
            close(fd);
        return 1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- pure functions -------------------------------------------------------------------- */

TEST(link_next_cases)
{
    static const struct { const char *hdr, *base, *want; } cases[] = {
        { "<https://a.example/p?page=2>; rel=\"next\"", NULL, "https://a.example/p?page=2" },
        { "<https://a.example/1>; rel=\"prev\", <https://a.example/3>; rel=next", NULL,
          "https://a.example/3" },
        { "<https://a.example/3>; rel=\"last next\"", NULL, "https://a.example/3" },
        { "<https://a.example/x>; title=\"next, please\"; rel=\"prev\", "
          "<https://a.example/y>; REL=\"Next\"", NULL, "https://a.example/y" },
        { "</items?page=2>; rel=\"next\"", "https://api.example/v1/items?page=1",
          "https://api.example/items?page=2" },
        { "<page2>; rel=next", "https://api.example/v1/items", "https://api.example/v1/page2" },
        { "<?after=5>;rel=next", "https://api.example/v1/items?after=4",
          "https://api.example/v1/items?after=5" },
        { "<https://a.example/x>; rel=\"next\"; rel=\"prev\"", NULL, "https://a.example/x" },
        { "<https://a.example/x>; rel=\"prev\"; rel=\"next\"", NULL, NULL },
        { "<https://a.example/1>; rel=\"prev\"", NULL, NULL },
        { "<https://a.example/1>; rel=\"nextpage\"", NULL, NULL },
        { "", NULL, NULL },
        { "garbage; rel=next", NULL, NULL },
        { "<https://a.example/1; rel=next", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = http_link_next(cases[i].hdr, cases[i].base);
        CHECK_STR(got, cases[i].want);
        free(got);
    }
    CHECK(http_link_next(NULL, "https://a.example/") == NULL);
}

TEST(retry_after_cases)
{
    const double now = 784111777;                  /* Sun, 06 Nov 1994 08:49:37 GMT */
    static const struct { const char *v; double want; } cases[] = {
        { "120", 120 }, { " 5 ", 5 }, { "0", 0 },
        { "Sun, 06 Nov 1994 08:50:37 GMT", 60 },
        { "Sunday, 06-Nov-94 08:50:37 GMT", 60 },
        { "Sun Nov  6 08:50:37 1994", 60 },
        { "Mon, 07 Nov 1994 08:49:37 GMT", 86400 },
        { "Sun, 06 Nov 1994 08:48:37 GMT", 0 },       /* past: now */
        { "Sat, 01 Jan 1994 00:00:00 GMT", 0 },
        { "soon", -1 }, { "-5", -1 }, { "1.5", -1 }, { "", -1 },
        { "Sun, 06 Nov 1994 08:49:37 PST", -1 },
        { "Xyz, 06 Nov 1994 08:49:37 GMT", -1 },
        { "Sun, 06 Foo 1994 08:49:37 GMT", -1 },
        { "Sun, 06 Nov 1994 25:49:37 GMT", -1 },
        { "Sun, 06 Nov 1994 08:49:37 GMT trailing", -1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double got = http_retry_after_seconds(cases[i].v, now);
        if (got != cases[i].want)
            fprintf(stderr, "  retry-after \"%s\": %g, want %g\n", cases[i].v, got,
                    cases[i].want);
        CHECK(got == cases[i].want);
    }
    CHECK(http_retry_after_seconds(NULL, now) == -1);
}

TEST(redact_cases)
{
    static const struct { const char *url, *want; } cases[] = {
        { "https://user:pw@api.example/v1?api_token=abc&limit=5",
          "https://***@api.example/v1?api_token=***&limit=5" },
        { "https://x.example/?Access_Token=t#frag", "https://x.example/?Access_Token=***#frag" },
        { "https://x.example/p?keys=1&key=2&sig=3&code=&apikey=4&API_KEY=5",
          "https://x.example/p?keys=1&key=***&sig=***&code=***&apikey=***&API_KEY=***" },
        { "https://x.example/cb#access_token=abc&state=s",
          "https://x.example/cb#access_token=***&state=s" },
        { "/v1/persons?api_token=z&start=0", "/v1/persons?api_token=***&start=0" },
        { "https://x.example/a@b?password", "https://x.example/a@b?password" },
        { "https://x.example/p?client_secret=s&secret=t&signature=u&token=v",
          "https://x.example/p?client_secret=***&secret=***&signature=***&token=***" },
        { "http://127.0.0.1:8080/", "http://127.0.0.1:8080/" },
    };
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        http_redact_url(cases[i].url, out, sizeof out);
        CHECK_STR(out, cases[i].want);
    }
    char small[10];
    http_redact_url("https://example.com/", small, sizeof small);
    CHECK_STR(small, "https://e");
    http_redact_url("https://u:secretpw@example.com/", small, sizeof small);
    CHECK(strstr(small, "secretpw") == NULL);
}

TEST(config_errors)
{
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    struct http_auth bearer = { HTTP_AUTH_BEARER };
    CHECK_INT(http_client_new(NULL, &bearer, &c, err), CM_ERR_CONFIG);
    CHECK(c == NULL);
    struct http_auth oauth = { HTTP_AUTH_OAUTH2, .token_url = "ftp://x.example/token",
                               .client_id = "i", .client_secret = "s" };
    CHECK_INT(http_client_new(NULL, &oauth, &c, err), CM_ERR_CONFIG);

    CHECK_INT(http_client_new(NULL, NULL, &c, err), CM_OK);
    http_response_init(&r);
    static const char *const bad[] = { "ftp://x.example/y", "file:///etc/passwd",
                                       "not a url", "", "gopher://x.example/" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_INT(http_get(c, bad[i], NULL, &r, err), CM_ERR_CONFIG);
        CHECK(strstr(err, "not an http(s) URL") != NULL);
    }
    CHECK_INT(http_request(c, "get me", "http://127.0.0.1/", NULL, NULL, 0, &r, err),
              CM_ERR_CONFIG);
    http_response_free(&r);
    http_client_free(c);
}

/* ---- over loopback ------------------------------------------------------------------- */

TEST(get_plain_and_reuse)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", url[256];
    test_options(&o, &w);
    CHECK_INT(client_with(&o, NULL, &c, &r, err), CM_OK);
    for (int i = 0; i < 3; i++) {           /* one client, one response, reused */
        CHECK_INT(http_get(c, url_of(url, sizeof url, "/plain"), NULL, &r, err), CM_OK);
        CHECK_INT(r.status, 200);
        CHECK_STR(r.body.data, "hello");
        CHECK_INT(r.body.len, 5);
        CHECK_INT(r.attempts, 1);
        CHECK(r.link_next == NULL);
    }
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/redir"), NULL, &r, err), CM_OK);
    CHECK_STR(r.body.data, "hello");
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/nowhere"), NULL, &r, err), CM_OK);
    CHECK_INT(r.status, 404);
    char ua[64];
    last_header("/plain", "User-Agent", ua, sizeof ua);
    CHECK(strncmp(ua, "crmerge/", 8) == 0);
    http_response_free(&r);
    http_client_free(c);
    CHECK_INT(w.n, 0);
}

TEST(link_next_over_http)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "", want[256];
    test_options(&o, &w);
    CHECK_INT(get_with(&o, NULL, "/links", &r, err), CM_OK);
    CHECK_STR(r.link_next, url_of(want, sizeof want, "/links?page=3"));
    CHECK_STR(r.body.data, "[]");
    http_response_free(&r);
}

TEST(retry_429_retry_after_seconds)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    CHECK_INT(get_with(&o, NULL, "/ra429", &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.attempts, 2);
    CHECK_INT(w.n, 1);
    CHECK(w.w[0] == 1.0);
    CHECK_STR(r.retry_after, "1");
    CHECK(r.seconds_waiting >= 1.0);
    http_response_free(&r);
}

TEST(retry_after_http_date)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    o.backoff_base_s = 100;            /* a backoff would wait; a past date waits 0 */
    o.backoff_max_s = 100;
    o.max_retry_seconds = 1000;
    CHECK_INT(get_with(&o, NULL, "/radate", &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.attempts, 2);
    CHECK_INT(w.n, 1);
    CHECK(w.w[0] == 0);
    http_response_free(&r);
}

TEST(retry_500_once)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    CHECK_INT(get_with(&o, NULL, "/500once", &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.data, "ok");
    CHECK_INT(r.attempts, 2);
    CHECK_INT(w.n, 1);
    CHECK(w.w[0] >= 0 && w.w[0] < o.backoff_base_s);      /* full jitter, first step */
    http_response_free(&r);
}

TEST(retry_503_until_max_attempts)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    o.max_attempts = 4;
    o.backoff_base_s = 1;
    o.backoff_max_s = 3;
    size_t before = count_requests("/503");
    CHECK_INT(get_with(&o, NULL, "/503", &r, err), CM_OK);
    CHECK_INT(r.status, 503);
    CHECK_STR(r.body.data, "down");
    CHECK_INT(r.attempts, 4);
    CHECK_INT(count_requests("/503") - before, 4);
    CHECK_INT(w.n, 3);
    CHECK(w.w[0] < 1 && w.w[1] < 2 && w.w[2] < 3);        /* base * 2^k, capped */
    http_response_free(&r);
}

TEST(retry_total_time_cap)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    o.max_attempts = 10;
    o.max_retry_seconds = 3;
    /* Retry-After: 10 is honoured up to the 3 s left, then no time is left */
    CHECK_INT(get_with(&o, NULL, "/503ra", &r, err), CM_OK);
    CHECK_INT(r.status, 503);
    CHECK_INT(r.attempts, 2);
    CHECK_INT(w.n, 1);
    CHECK(w.w[0] == 3);
    http_response_free(&r);
    /* jittered backoff: the waits never add up past the cap */
    test_options(&o, &w);
    o.max_attempts = 100;
    o.backoff_base_s = 1;
    o.backoff_max_s = 1;
    o.max_retry_seconds = 2.5;
    CHECK_INT(get_with(&o, NULL, "/503", &r, err), CM_OK);
    CHECK_INT(r.status, 503);
    CHECK(r.attempts >= 2 && r.attempts < 100);
    CHECK_INT(w.n, r.attempts - 1);
    CHECK(sum_waits(&w) <= 2.5);
    http_response_free(&r);
}

TEST(post_retried_only_when_a_read)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", url[256];
    test_options(&o, &w);
    o.max_attempts = 3;
    CHECK_INT(client_with(&o, NULL, &c, &r, err), CM_OK);
    url_of(url, sizeof url, "/post503");
    CHECK_INT(http_request(c, "POST", url, NULL, "{}", 0, &r, err), CM_OK);
    CHECK_INT(r.status, 503);
    CHECK_INT(r.attempts, 1);
    CHECK_INT(http_request(c, "POST", url, NULL, "{}", 1, &r, err), CM_OK);
    CHECK_INT(r.status, 503);
    CHECK_INT(r.attempts, 3);
    const char *const hdrs[] = { "Accept: application/json", NULL };
    CHECK_INT(http_request(c, "POST", url_of(url, sizeof url, "/search"), hdrs,
                           "{\"q\":\"ann\"}", 1, &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.data, "found");
    json_t *a = loopback_requests(&lb, "/search");
    CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "body")),
              "{\"q\":\"ann\"}");
    json_decref(a);
    http_response_free(&r);
    http_client_free(c);
}

TEST(stall_hits_low_speed_timeout)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    o.low_speed_seconds = 1;
    o.max_attempts = 2;
    double t0 = now_s();
    CHECK_INT(get_with(&o, NULL, "/stall", &r, err), CM_ERR_INPUT);
    double took = now_s() - t0;
    CHECK(took < 5);
    CHECK_INT(r.attempts, 2);
    CHECK(strstr(err, "/stall") != NULL);
    CHECK(strstr(err, "after 2 attempts") != NULL);
    http_response_free(&r);
}

TEST(truncated_body)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    CHECK_INT(get_with(&o, NULL, "/trunc1", &r, err), CM_OK);    /* retried */
    CHECK_INT(r.attempts, 2);
    CHECK_STR(r.body.data, "0123456789");
    http_response_free(&r);
    o.max_attempts = 2;
    CHECK_INT(get_with(&o, NULL, "/trunc", &r, err), CM_ERR_INPUT);
    CHECK_INT(r.attempts, 2);
    CHECK(strstr(err, "/trunc") != NULL);
    http_response_free(&r);
    CHECK_INT(get_with(&o, NULL, "/close", &r, err), CM_ERR_INPUT);  /* nothing at all */
    CHECK_INT(r.attempts, 2);
    http_response_free(&r);
}

TEST(connection_refused)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", url[256];
    test_options(&o, &w);
    o.max_attempts = 3;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/x?api_key=k-secret-55&limit=5",
             closed_port());
    CHECK_INT(client_with(&o, NULL, &c, &r, err), CM_OK);
    CHECK_INT(http_get(c, url, NULL, &r, err), CM_ERR_INPUT);
    CHECK_INT(r.attempts, 3);
    CHECK_INT(w.n, 2);
    CHECK(strstr(err, "/v1/x?api_key=***&limit=5") != NULL);
    CHECK(strstr(err, "k-secret-55") == NULL);
    CHECK(strstr(err, "after 3 attempts") != NULL);
    http_response_free(&r);
    http_client_free(c);
}

TEST(response_over_limit)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    o.max_response_bytes = 1000;
    CHECK_INT(get_with(&o, NULL, "/big", &r, err), CM_ERR_INPUT);   /* Content-Length */
    CHECK(strstr(err, "response larger than 1000 bytes") != NULL);
    CHECK_INT(r.attempts, 1);
    http_response_free(&r);
    o.max_response_bytes = 100000;              /* gzip: small on the wire, 1 MB decoded */
    CHECK_INT(get_with(&o, NULL, "/gzbomb", &r, err), CM_ERR_INPUT);
    CHECK(strstr(err, "response larger than 100000 bytes") != NULL);
    http_response_free(&r);
    o.max_response_bytes = 2000;                /* exactly the limit is fine */
    CHECK_INT(get_with(&o, NULL, "/big", &r, err), CM_OK);
    CHECK_INT(r.body.len, 2000);
    http_response_free(&r);
}

TEST(redirects)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "";
    test_options(&o, &w);
    CHECK_INT(get_with(&o, NULL, "/tofile", &r, err), CM_ERR_INPUT);
    CHECK(strstr(err, "/tofile") != NULL);
    CHECK_INT(r.attempts, 1);
    http_response_free(&r);
    o.max_redirects = 3;
    size_t before = count_requests("/loop");
    CHECK_INT(get_with(&o, NULL, "/loop", &r, err), CM_ERR_INPUT);
    CHECK_INT(count_requests("/loop") - before, 4);
    CHECK_INT(r.attempts, 1);
    http_response_free(&r);
}

TEST(bearer_and_basic)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "", got[128];
    test_options(&o, &w);
    struct http_auth bearer = { HTTP_AUTH_BEARER, .token = "b-token-123" };
    CHECK_INT(get_with(&o, &bearer, "/bearer", &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.data, "bearer ok");
    last_header("/bearer", "Authorization", got, sizeof got);
    CHECK_STR(got, "Bearer b-token-123");
    http_response_free(&r);
    struct http_auth basic = { HTTP_AUTH_BASIC, .user = "alice", .password = "pw-secret-9" };
    CHECK_INT(get_with(&o, &basic, "/basic", &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.data, "basic ok");
    http_response_free(&r);
    struct http_auth wrong = { HTTP_AUTH_BASIC, .user = "alice", .password = "nope" };
    CHECK_INT(get_with(&o, &wrong, "/basic", &r, err), CM_OK);
    CHECK_INT(r.status, 404);
    http_response_free(&r);
}

TEST(query_token)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", url[256], want[256];
    test_options(&o, &w);
    o.max_attempts = 2;
    struct http_auth q = { HTTP_AUTH_QUERY, .token = "q-secret-77", .query_param = "api_token" };
    CHECK_INT(client_with(&o, &q, &c, &r, err), CM_OK);
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/qtok?start=0"), NULL, &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.data, "query ok");
    /* the next link comes back without the token: it is added to every request */
    CHECK_STR(r.link_next, url_of(want, sizeof want, "/qtok?start=1"));
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/qtok?api_token=old&start=0"), NULL, &r,
                       err), CM_OK);
    CHECK_INT(r.status, 200);
    json_t *a = loopback_requests(&lb, "/qtok");
    CHECK_STR(json_string_value(json_object_get(json_array_get(a, 1), "query")),
              "start=0&api_token=q-secret-77");
    json_decref(a);
    http_client_free(c);
    /* a failure names the URL, never the token, also under a parameter name of its own */
    struct http_auth q2 = { HTTP_AUTH_QUERY, .token = "q-secret-88", .query_param = "auth" };
    CHECK_INT(http_client_new(&o, &q2, &c, err), CM_OK);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/persons?auth=q-secret-88", closed_port());
    CHECK_INT(http_get(c, url, NULL, &r, err), CM_ERR_INPUT);
    CHECK(strstr(err, "/persons?auth=***") != NULL);
    CHECK(strstr(err, "q-secret-88") == NULL);
    http_response_free(&r);
    http_client_free(c);
}

static struct http_auth oauth_to(const char *token_path, char *url, size_t n)
{
    struct http_auth a = { HTTP_AUTH_OAUTH2, .token_url = url_of(url, n, token_path),
                           .client_id = "cid", .client_secret = "csecret-42" };
    return a;
}

TEST(oauth2_token_cached)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", turl[256], url[256];
    test_options(&o, &w);
    struct http_auth a = oauth_to("/tok1", turl, sizeof turl);
    a.scope = "api read";
    CHECK_INT(client_with(&o, &a, &c, &r, err), CM_OK);
    for (int i = 0; i < 2; i++) {
        CHECK_INT(http_get(c, url_of(url, sizeof url, "/odata"), NULL, &r, err), CM_OK);
        CHECK_INT(r.status, 200);
        CHECK_STR(r.body.data, "{\"value\": []}");
    }
    CHECK_INT(count_requests("/tok1"), 1);
    json_t *t = loopback_requests(&lb, "/tok1");
    const char *form = json_string_value(json_object_get(json_array_get(t, 0), "body"));
    CHECK_STR(form, "grant_type=client_credentials&client_id=cid&client_secret=csecret-42"
                    "&scope=api%20read");
    json_decref(t);
    http_response_free(&r);
    http_client_free(c);
}

TEST(oauth2_token_refetched_after_expiry)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", turl[256], url[256];
    test_options(&o, &w);
    struct http_auth a = oauth_to("/tok2", turl, sizeof turl);   /* expires_in 1 */
    CHECK_INT(client_with(&o, &a, &c, &r, err), CM_OK);
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/odata"), NULL, &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    struct timespec ts = { 1, 0 };     /* past the 0.9 s the client keeps it */
    nanosleep(&ts, NULL);
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/odata"), NULL, &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.attempts, 1);
    CHECK_INT(count_requests("/tok2"), 2);
    http_response_free(&r);
    http_client_free(c);
}

TEST(oauth2_401_refetches_once)
{
    struct http_options o;
    struct waits w;
    struct http_client *c = NULL;
    struct http_response r;
    char err[CM_ERRBUF] = "", turl[256], url[256];
    test_options(&o, &w);
    struct http_auth a = oauth_to("/tok3", turl, sizeof turl);
    CHECK_INT(client_with(&o, &a, &c, &r, err), CM_OK);
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/oflaky"), NULL, &r, err), CM_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body.data, "ok");
    CHECK_INT(r.attempts, 2);
    CHECK_INT(count_requests("/tok3"), 2);
    http_client_free(c);
    /* a second 401 is the caller's */
    a = oauth_to("/tok4", turl, sizeof turl);
    CHECK_INT(http_client_new(&o, &a, &c, err), CM_OK);
    CHECK_INT(http_get(c, url_of(url, sizeof url, "/o401"), NULL, &r, err), CM_OK);
    CHECK_INT(r.status, 401);
    CHECK_INT(r.attempts, 2);
    CHECK_INT(count_requests("/tok4"), 2);
    CHECK_INT(count_requests("/o401"), 2);
    http_response_free(&r);
    http_client_free(c);
}

TEST(oauth2_wrong_secret)
{
    struct http_options o;
    struct waits w;
    struct http_response r;
    char err[CM_ERRBUF] = "", turl[256];
    test_options(&o, &w);
    struct http_auth a = oauth_to("/tok5", turl, sizeof turl);
    a.client_secret = "wrong-secret-xyz";
    CHECK_INT(get_with(&o, &a, "/odata", &r, err), CM_ERR_INPUT);
    CHECK(strstr(err, "/tok5") != NULL);
    CHECK(strstr(err, "401") != NULL);
    CHECK(strstr(err, "invalid_client") != NULL);
    CHECK(strstr(err, "wrong-secret-xyz") == NULL);
    CHECK_INT(count_requests("/tok5"), 1);          /* a 401 from the token URL: no retry */
    http_response_free(&r);
}

int main(void)
{
    RUN(link_next_cases);
    RUN(retry_after_cases);
    RUN(redact_cases);
    RUN(config_errors);
    if (server_start()) {
        fprintf(stderr, "test_http_client: the loopback server did not start\n");
        tl_failed++;
        loopback_stop(&lb);
        return test_report();
    }
    RUN(get_plain_and_reuse);
    RUN(link_next_over_http);
    RUN(retry_429_retry_after_seconds);
    RUN(retry_after_http_date);
    RUN(retry_500_once);
    RUN(retry_503_until_max_attempts);
    RUN(retry_total_time_cap);
    RUN(post_retried_only_when_a_read);
    RUN(stall_hits_low_speed_timeout);
    RUN(truncated_body);
    RUN(connection_refused);
    RUN(response_over_limit);
    RUN(redirects);
    RUN(bearer_and_basic);
    RUN(query_token);
    RUN(oauth2_token_cached);
    RUN(oauth2_token_refetched_after_expiry);
    RUN(oauth2_401_refetches_once);
    RUN(oauth2_wrong_secret);
    loopback_stop(&lb);
    return test_report();
}
