/* http_client.h — the HTTP client of the web-API connector (connectors/http.c): one
 * request at a time over libcurl, with everything a nightly sync needs to survive a
 * real CRM API and nothing it does not.
 *
 *   - only http:// and https://, also on redirects (CURLOPT_PROTOCOLS_STR /
 *     REDIR_PROTOCOLS_STR); redirects followed up to max_redirects; TLS verification
 *     always on (no option turns it off);
 *   - connect timeout and a low-speed timeout (fewer than low_speed_bytes per second for
 *     low_speed_seconds aborts the transfer): a stalled server does not hang the run;
 *   - a response body larger than max_response_bytes is an error, not an allocation;
 *   - retries with exponential backoff and full jitter on connection errors, timeouts,
 *     429 and 5xx, honouring Retry-After (delta-seconds or an HTTP date), capped by
 *     max_attempts and by max_retry_seconds of total waiting; POST is retried only
 *     when the caller says it is a read (a search);
 *   - auth: bearer token, basic, an API token as a query parameter (Pipedrive), and
 *     OAuth2 client credentials (token fetched from token_url, cached until shortly
 *     before expires_in, fetched again once on a 401);
 *   - secrets (tokens, passwords, client secrets, the values of secret query
 *     parameters, URL user info) never appear in an error message: URLs in messages
 *     go through http_redact_url().
 *
 * Secrets are passed in by the caller (read from the environment variables the
 * config names); this module never reads the config or the environment itself. */
#ifndef CM_HTTP_CLIENT_H
#define CM_HTTP_CLIENT_H

#include <stddef.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

enum http_auth_kind {
    HTTP_AUTH_NONE = 0,
    HTTP_AUTH_BEARER,            /* Authorization: Bearer <token> */
    HTTP_AUTH_BASIC,             /* user + password */
    HTTP_AUTH_QUERY,             /* ?<query_param>=<token> on every request */
    HTTP_AUTH_OAUTH2             /* client credentials against token_url */
};

struct http_auth {
    enum http_auth_kind kind;
    const char *token;           /* BEARER, QUERY */
    const char *query_param;     /* QUERY: "api_token" */
    const char *user, *password; /* BASIC */
    const char *token_url;       /* OAUTH2: POST grant_type=client_credentials */
    const char *client_id, *client_secret, *scope;    /* OAUTH2; scope may be NULL */
};

struct http_options {
    long connect_timeout_s;      /* default 10 */
    long low_speed_seconds;      /* default 30: abort below low_speed_bytes/s that long */
    long low_speed_bytes;        /* default 1 */
    long request_timeout_s;      /* whole transfer, default 300 */
    int max_attempts;            /* per request, first try included; default 5 */
    double max_retry_seconds;    /* total waiting between attempts per request; default 120 */
    double backoff_base_s;       /* first backoff; default 0.5, doubled per attempt */
    double backoff_max_s;        /* one wait at most (Retry-After above it: that is
                                    honoured up to max_retry_seconds); default 30 */
    size_t max_response_bytes;   /* default 64 MiB */
    int max_redirects;           /* default 5 */
    const char *user_agent;      /* default "crmerge/<version>" */
    /* Test hook: called instead of sleeping for each wait between attempts (seconds,
     * sleep_ctx). NULL (the default) = really sleep (nanosleep). */
    void (*sleep_fn)(double seconds, void *ctx);
    void *sleep_ctx;
};

/* Fill o with the defaults above. */
void http_options_default(struct http_options *o);

struct http_response {
    long status;                 /* final HTTP status (after retries) */
    struct buf body;             /* the body, NUL-terminated */
    char *link_next;             /* RFC 8288 Link header, rel="next" target, absolute; or NULL */
    char *retry_after;           /* the last Retry-After header seen, or NULL */
    int attempts;                /* attempts made for this request */
    double seconds_waiting;      /* time in the network (all attempts) plus backoff sleeps */
};

void http_response_init(struct http_response *r);
void http_response_free(struct http_response *r);

struct http_client;

/* auth's strings are copied. */
enum cm_status http_client_new(const struct http_options *opt, const struct http_auth *auth,
                               struct http_client **out, char *err);
void http_client_free(struct http_client *c);

/* One request, retried as above. headers: NULL-terminated "Name: value" lines (may be
 * NULL). body: for POST (NULL for GET), sent as application/json. Returns CM_OK when a
 * response arrived, whatever its status: the caller judges 4xx; retryable statuses are
 * only returned once the retries are spent (resp->status says which). Fails with
 * CM_ERR_INPUT (err: what, the redacted URL, after how many attempts) when no
 * response could be had: connection errors, timeouts, a body over the limit, a
 * redirect to another protocol; with CM_ERR_CONFIG for a URL that is not http(s). */
enum cm_status http_request(struct http_client *c, const char *method, const char *url,
                            const char *const *headers, const char *body, int retry_post,
                            struct http_response *resp, char *err);

/* Convenience: GET. */
enum cm_status http_get(struct http_client *c, const char *url, const char *const *headers,
                        struct http_response *resp, char *err);

/* url with the user info and the values of secret query parameters (token, api_token,
 * access_token, key, api_key, apikey, secret, client_secret, password, signature, sig,
 * code; case-insensitive) replaced by "***"; cut to fit out (cap bytes). */
void http_redact_url(const char *url, char *out, size_t cap);

/* Seconds to wait for a Retry-After value (delta-seconds or an IMF-fixdate / RFC 850 /
 * asctime HTTP date, compared with now); -1 if the value is not one. */
double http_retry_after_seconds(const char *value, double now_epoch);

/* The target of the rel="next" link in an RFC 8288 Link header value (several links,
 * quoted or bare rel, several rel values), resolved against base; malloc'd; NULL when
 * there is none. */
char *http_link_next(const char *link_header, const char *base_url);

#endif
