/* phone_queue.c — queued phone numbers, a background parser, and the parallel finish
 * (see phone_queue.h). */
#include "transforms/phone_queue.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pipeline/hash.h"
#include "transforms/match/parallel.h"
#include "transforms/match/radix.h"

#define CHUNK       65536        /* entries per chunk: chunks never move */
#define MAX_CHUNKS  65536        /* 4 billion numbers */
#define INLINE_TEXT 44           /* longer raw texts wait for the finish */

struct entry {
    uint32_t rec;
    uint8_t len;                 /* strlen(text), or 255: the text is in long_text */
    char country[2];
    char text[INLINE_TEXT + 1];
    uint32_t long_off;           /* offset in long_text when len == 255 */
};

struct result {
    struct phone_norm norm;
    unsigned flags;
    int done;
};

struct phone_queue {
    struct entry **chunk;        /* MAX_CHUNKS pointers, filled as needed */
    struct result **res;
    size_t n;                    /* entries added (the producer's count) */
    char *long_text;             /* producer and finish only */
    size_t long_len, long_cap;
    atomic_size_t published;     /* entries the worker may read */
    atomic_size_t parsed;        /* the prefix the worker has parsed */
    atomic_int stop;
    pthread_t worker;
    int worker_started;
};

static struct entry *entry_at(const struct phone_queue *q, size_t i)
{
    return &q->chunk[i / CHUNK][i % CHUNK];
}

static struct result *result_at(const struct phone_queue *q, size_t i)
{
    return &q->res[i / CHUNK][i % CHUNK];
}

static const char *text_of(const struct phone_queue *q, const struct entry *e)
{
    return e->len == 255 ? q->long_text + e->long_off : e->text;
}

static void parse_entry(const struct phone_queue *q, const struct entry *e, struct result *r)
{
    char cc[3] = { e->country[0], e->country[1], 0 };
    r->flags = phone_normalise_key(text_of(q, e), cc[0] ? cc : NULL, &r->norm);
    r->done = 1;
}

static void *worker_main(void *arg)
{
    struct phone_queue *q = arg;
    size_t i = 0;
    for (;;) {
        size_t avail = atomic_load_explicit(&q->published, memory_order_acquire);
        if (i == avail) {
            if (atomic_load_explicit(&q->stop, memory_order_acquire))
                break;
            struct timespec ts = { 0, 200000 };          /* 0.2 ms */
            nanosleep(&ts, NULL);
            continue;
        }
        for (; i < avail && !atomic_load_explicit(&q->stop, memory_order_relaxed); i++) {
            const struct entry *e = entry_at(q, i);
            if (e->len != 255)   /* long texts live in a buffer that may move */
                parse_entry(q, e, result_at(q, i));
            atomic_store_explicit(&q->parsed, i + 1, memory_order_release);
        }
        if (atomic_load_explicit(&q->stop, memory_order_relaxed))
            break;
    }
    return NULL;
}

enum cm_status phone_queue_new(int background, struct phone_queue **out)
{
    struct phone_queue *q = calloc(1, sizeof *q);
    if (!q)
        return CM_ERR_NOMEM;
    q->chunk = calloc(MAX_CHUNKS, sizeof *q->chunk);
    q->res = calloc(MAX_CHUNKS, sizeof *q->res);
    if (!q->chunk || !q->res) {
        phone_queue_free(q);
        return CM_ERR_NOMEM;
    }
    atomic_init(&q->published, 0);
    atomic_init(&q->parsed, 0);
    atomic_init(&q->stop, 0);
    if (background && pthread_create(&q->worker, NULL, worker_main, q) == 0)
        q->worker_started = 1;
    *out = q;
    return CM_OK;
}

static void stop_worker(struct phone_queue *q)
{
    if (!q->worker_started)
        return;
    atomic_store_explicit(&q->stop, 1, memory_order_release);
    pthread_join(q->worker, NULL);
    q->worker_started = 0;
}

void phone_queue_free(struct phone_queue *q)
{
    if (!q)
        return;
    stop_worker(q);
    for (size_t i = 0; q->chunk && i < MAX_CHUNKS && q->chunk[i]; i++) {
        free(q->chunk[i]);
        free(q->res[i]);
    }
    free(q->chunk);
    free(q->res);
    free(q->long_text);
    free(q);
}

enum cm_status phone_queue_add(struct phone_queue *q, uint32_t rec, const char *raw,
                               const char *country)
{
    size_t i = q->n;
    if (i / CHUNK >= MAX_CHUNKS)
        return CM_ERR_LIMIT;
    if (i % CHUNK == 0 && !q->chunk[i / CHUNK]) {
        q->chunk[i / CHUNK] = malloc(CHUNK * sizeof **q->chunk);
        q->res[i / CHUNK] = malloc(CHUNK * sizeof **q->res);
        if (!q->chunk[i / CHUNK] || !q->res[i / CHUNK])
            return CM_ERR_NOMEM;
    }
    struct entry *e = entry_at(q, i);
    size_t len = strlen(raw);
    e->rec = rec;
    e->country[0] = country ? country[0] : 0;
    e->country[1] = country ? country[1] : 0;
    if (len <= INLINE_TEXT) {
        e->len = (uint8_t)len;
        memcpy(e->text, raw, len + 1);
    } else {
        if (q->long_len + len + 1 > q->long_cap) {
            size_t cap = q->long_cap ? q->long_cap * 2 : 4096;
            while (cap < q->long_len + len + 1)
                cap *= 2;
            char *t = cap > UINT32_MAX ? NULL : realloc(q->long_text, cap);
            if (!t)
                return CM_ERR_NOMEM;
            q->long_text = t;
            q->long_cap = cap;
        }
        e->len = 255;
        e->long_off = (uint32_t)q->long_len;
        memcpy(q->long_text + q->long_len, raw, len + 1);
        q->long_len += len + 1;
    }
    result_at(q, i)->done = 0;
    q->n = i + 1;
    atomic_store_explicit(&q->published, q->n, memory_order_release);
    return CM_OK;
}

size_t phone_queue_count(const struct phone_queue *q)
{
    return q->n;
}

/* ---- the finish ----------------------------------------------------------------- */

/* The text without the separators libphonenumber ignores; a "(0" is kept as written
 * ("+49 (0)30" drops that 0). Its length. */
static size_t phone_key(const char *t, char *out, size_t cap)
{
    size_t n = 0;
    int keep = strstr(t, "(0") != NULL;
    for (; *t && n + 1 < cap; t++) {
        if (!keep && strchr(" -./()", *t))
            continue;
        out[n++] = *t;
    }
    out[n] = '\0';
    return n;
}

static int same_number(const struct phone_queue *q, size_t x, size_t y)
{
    const struct entry *a = entry_at(q, x), *b = entry_at(q, y);
    if (a->country[0] != b->country[0] || a->country[1] != b->country[1])
        return 0;
    char ka[256], kb[256];
    phone_key(text_of(q, a), ka, sizeof ka);
    phone_key(text_of(q, b), kb, sizeof kb);
    return strcmp(ka, kb) == 0;
}

struct finish_job {
    const struct phone_queue *q;
    const uint32_t *first;       /* the entry parsed for each distinct number */
};

static void parse_distinct(void *ctx, size_t begin, size_t end, int worker)
{
    (void)worker;
    const struct finish_job *j = ctx;
    for (size_t i = begin; i < end; i++)
        parse_entry(j->q, entry_at(j->q, j->first[i]), result_at(j->q, j->first[i]));
}

enum cm_status phone_queue_finish(struct phone_queue *q, int threads, phone_result_fn *fn,
                                  void *ctx, char *err)
{
    stop_worker(q);
    size_t n = q->n;
    /* what the worker left: entries without a result */
    size_t left = 0;
    for (size_t i = 0; i < n; i++)
        left += !result_at(q, i)->done;
    struct keyed_rec *k = malloc((left ? left : 1) * sizeof *k);
    uint32_t *first = malloc((left ? left : 1) * sizeof *first);
    enum cm_status rc = CM_OK;
    if (!k || !first) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu phone numbers", left);
        goto done;
    }
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        if (result_at(q, i)->done)
            continue;
        const struct entry *e = entry_at(q, i);
        char key[256];
        size_t len = phone_key(text_of(q, e), key, sizeof key);
        k[nk++] = (struct keyed_rec){ hash64(key, len, ((uint64_t)(unsigned char)e->country[0]
                                      << 8) | (unsigned char)e->country[1]), (uint32_t)i, 0 };
    }
    if (radix_sort_keyed(k, nk)) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory sorting %zu phone numbers", nk);
        goto done;
    }
    /* distinct numbers: each entry against the distinct ones of its hash group (one,
     * but for a collision) */
    size_t nu = 0;
    for (size_t i = 0; i < nk; ) {
        size_t j = i + 1;
        while (j < nk && k[j].key == k[i].key)
            j++;
        size_t group_first = nu;
        for (size_t a = i; a < j; a++) {
            size_t u = group_first;
            while (u < nu && !same_number(q, first[u], k[a].rec))
                u++;
            if (u == nu)
                first[nu++] = k[a].rec;
            k[a].aux = first[u];
        }
        i = j;
    }
    struct finish_job job = { q, first };
    parallel_for(nu, threads, parse_distinct, &job);
    for (size_t a = 0; a < nk; a++) {            /* twins take their parsed twin's result */
        if (k[a].aux != k[a].rec)
            *result_at(q, k[a].rec) = *result_at(q, k[a].aux);
    }
    for (size_t i = 0; i < n; i++) {
        const struct result *r = result_at(q, i);
        fn(ctx, entry_at(q, i)->rec, &r->norm, r->flags);
    }
    /* empty again; the chunks go (the matcher needs the memory next) */
    for (size_t c = 0; c < MAX_CHUNKS && q->chunk[c]; c++) {
        free(q->chunk[c]);
        free(q->res[c]);
        q->chunk[c] = NULL;
        q->res[c] = NULL;
    }
    q->n = 0;
    q->long_len = 0;
    atomic_store(&q->published, 0);
    atomic_store(&q->parsed, 0);
done:
    free(k);
    free(first);
    return rc;
}
