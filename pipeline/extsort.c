/* extsort.c — external sort of byte records by key (see extsort.h).
 *
 * The chunk is one allocation: records grow from its front, each as a 8-byte header
 * (u32 key length, u32 data length, host order) followed by the key and the data; the
 * index grows from its back, one 16-byte entry per record (the key's first 8 bytes as
 * a big-endian integer, and the record's offset). When the two meet and the chunk is
 * at its budget, the index is sorted in place (introsort; by the prefix, then the rest
 * of the key, then the offset, which is the order of arrival: the sort is stable) and
 * the records are written in that order as one run. Runs on disk use the same record
 * format. The merge is a binary heap of run readers, ties going to the earlier run. */
#include "pipeline/extsort.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ES_HDR        8                   /* u32 klen, u32 dlen */
#define ES_MIN_MEMORY 4096
#define ES_WBUF       (256 * 1024)
#define ES_MIN_READ   4096                /* smallest read buffer per merged run */
#define ES_GOOD_READ  (64 * 1024)         /* read buffer worth merging fewer runs for */
#define ES_MAX_READ   (4 * 1024 * 1024)

struct ent {
    uint64_t prefix;                      /* key bytes 0..7, big-endian, zero-padded */
    uint64_t off;                         /* record offset in the chunk */
};

struct run {
    uint64_t start, end;                  /* byte range in the temporary file */
};

struct reader {                           /* one run being merged */
    uint64_t pos, end;                    /* next file byte to read, end of the run */
    char *buf;
    size_t cap, len, at;                  /* buffered bytes [at, len) */
    size_t idx;                           /* run order: ties go to the lower */
    const char *key, *data;               /* the current record */
    uint32_t klen, dlen;
};

struct merger {
    struct reader *rd;
    size_t n;
    size_t *heap;                         /* reader indexes, least record on top */
    size_t nheap;
    int started;
};

struct extsort {
    size_t memory;
    char tmpdir[1024];
    int fd;                               /* -1 until the first spill */
    char path[1100];                      /* for messages (unlinked at once) */
    uint64_t fend;                        /* end of the file: where the next run goes */

    char *mem;                            /* the chunk */
    size_t mcap, dlen, n;
    struct ent *ents;                     /* mem + mcap - n entries, or kept index */

    struct run *runs;
    size_t nruns, rcap;

    char *wbuf;
    size_t wlen;

    int sealed, merging, in_memory;
    size_t it;                            /* in-memory read position */
    struct merger mg;

    struct extsort_stats st;
};

/* ---- varints ------------------------------------------------------------------ */

size_t extsort_put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

size_t extsort_get_varint(const unsigned char *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* ---- keys --------------------------------------------------------------------- */

static uint64_t key_prefix(const unsigned char *k, size_t n)
{
    uint64_t p = 0;
    for (size_t i = 0; i < 8; i++)
        p = (p << 8) | (i < n ? k[i] : 0);
    return p;
}

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int ent_cmp(const void *pa, const void *pb, void *ctx)
{
    const struct ent *a = pa, *b = pb;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    const char *mem = ctx;
    uint32_t ka, kb;
    memcpy(&ka, mem + a->off, 4);
    memcpy(&kb, mem + b->off, 4);
    size_t m = ka < kb ? ka : kb;
    if (m > 8) {
        int c = memcmp(mem + a->off + ES_HDR + 8, mem + b->off + ES_HDR + 8, m - 8);
        if (c)
            return c;
    }
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return a->off < b->off ? -1 : 1;
}

/* ---- the temporary file ------------------------------------------------------- */

static enum cm_status tmp_open(struct extsort *s, char *err)
{
    snprintf(s->path, sizeof s->path, "%s/crmerge-sort-XXXXXX", s->tmpdir);
    s->fd = mkstemp(s->path);
    if (s->fd < 0)
        return cm_fail(err, CM_ERR_IO, "cannot create a temporary file in %s: %s",
                       s->tmpdir, strerror(errno));
    unlink(s->path);                      /* gone with the process, whatever happens */
    s->wbuf = malloc(ES_WBUF);
    if (!s->wbuf)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for the sort's write buffer");
    return CM_OK;
}

static enum cm_status tmp_flush(struct extsort *s, char *err)
{
    size_t done = 0;
    while (done < s->wlen) {
        ssize_t w = pwrite(s->fd, s->wbuf + done, s->wlen - done, (off_t)s->fend);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return cm_fail(err, CM_ERR_IO, "temporary file %s: write failed: %s", s->path,
                           w < 0 ? strerror(errno) : "no progress");
        done += (size_t)w;
        s->fend += (uint64_t)w;
        s->st.spilled += (uint64_t)w;
    }
    s->wlen = 0;
    return CM_OK;
}

static enum cm_status tmp_write(struct extsort *s, const char *p, size_t n, char *err)
{
    while (n > 0) {
        if (s->wlen == ES_WBUF) {
            enum cm_status rc = tmp_flush(s, err);
            if (rc)
                return rc;
        }
        size_t k = ES_WBUF - s->wlen < n ? ES_WBUF - s->wlen : n;
        memcpy(s->wbuf + s->wlen, p, k);
        s->wlen += k;
        p += k;
        n -= k;
    }
    return CM_OK;
}

static enum cm_status add_run(struct extsort *s, uint64_t start, char *err)
{
    if (s->nruns == s->rcap) {
        size_t cap = s->rcap ? 2 * s->rcap : 16;
        struct run *r = realloc(s->runs, cap * sizeof *r);
        if (!r)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for the sort's runs");
        s->runs = r;
        s->rcap = cap;
    }
    s->runs[s->nruns].start = start;
    s->runs[s->nruns].end = s->fend;
    s->nruns++;
    return CM_OK;
}

/* ---- the chunk ---------------------------------------------------------------- */

/* Introsort of the index, in place (qsort may allocate a copy of the array, which the
 * memory budget does not allow for). ent_cmp is a total order (ties go by offset),
 * so the result is the stable order whatever the algorithm. */
static void ent_swap(struct ent *a, struct ent *b)
{
    struct ent t = *a;
    *a = *b;
    *b = t;
}

static void ent_sift(struct ent *a, size_t i, size_t n, const char *mem)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && ent_cmp(&a[c], &a[c + 1], (void *)mem) < 0)
            c++;
        if (ent_cmp(&a[i], &a[c], (void *)mem) >= 0)
            return;
        ent_swap(&a[i], &a[c]);
        i = c;
    }
}

static void ent_heapsort(struct ent *a, size_t n, const char *mem)
{
    for (size_t i = n / 2; i-- > 0;)
        ent_sift(a, i, n, mem);
    for (size_t k = n; k-- > 1;) {
        ent_swap(&a[0], &a[k]);
        ent_sift(a, 0, k, mem);
    }
}

static void ent_sort(struct ent *a, size_t n, const char *mem, int depth)
{
    void *m = (void *)mem;
    while (n > 24) {
        if (depth-- <= 0) {
            ent_heapsort(a, n, mem);
            return;
        }
        size_t mid = n / 2;                       /* median of three, as sentinels */
        if (ent_cmp(&a[mid], &a[0], m) < 0)
            ent_swap(&a[mid], &a[0]);
        if (ent_cmp(&a[n - 1], &a[mid], m) < 0) {
            ent_swap(&a[n - 1], &a[mid]);
            if (ent_cmp(&a[mid], &a[0], m) < 0)
                ent_swap(&a[mid], &a[0]);
        }
        struct ent pivot = a[mid];
        size_t i = 0, j = n - 1;
        for (;;) {                                /* Hoare: [0, j] <= pivot <= [j+1, n) */
            while (ent_cmp(&a[i], &pivot, m) < 0)
                i++;
            while (ent_cmp(&pivot, &a[j], m) < 0)
                j--;
            if (i >= j)
                break;
            ent_swap(&a[i], &a[j]);
            i++;
            j--;
        }
        size_t left = j + 1;
        if (left < n - left) {                    /* recurse on the smaller part */
            ent_sort(a, left, mem, depth);
            a += left;
            n -= left;
        } else {
            ent_sort(a + left, n - left, mem, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {              /* insertion sort for the rest */
        struct ent x = a[i];
        size_t j = i;
        while (j > 0 && ent_cmp(&x, &a[j - 1], m) < 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static void chunk_sort(struct extsort *s)
{
    int depth = 0;
    for (size_t n = s->n; n > 1; n >>= 1)
        depth += 2;
    ent_sort(s->ents, s->n, s->mem, depth);
}

static enum cm_status spill(struct extsort *s, char *err)
{
    enum cm_status rc;
    if (s->fd < 0) {
        rc = tmp_open(s, err);
        if (rc)
            return rc;
    }
    chunk_sort(s);
    uint64_t start = s->fend;
    for (size_t i = 0; i < s->n; i++) {
        const char *r = s->mem + s->ents[i].off;
        uint32_t k, d;
        memcpy(&k, r, 4);
        memcpy(&d, r + 4, 4);
        rc = tmp_write(s, r, ES_HDR + (size_t)k + d, err);
        if (rc)
            return rc;
    }
    rc = tmp_flush(s, err);
    if (rc)
        return rc;
    rc = add_run(s, start, err);
    if (rc)
        return rc;
    s->st.runs++;
    s->n = 0;
    s->dlen = 0;
    s->ents = (struct ent *)(void *)(s->mem + s->mcap);
    return CM_OK;
}

static size_t round16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static enum cm_status chunk_grow(struct extsort *s, size_t need, char *err)
{
    size_t cap = s->mcap ? 2 * s->mcap : 64 * 1024;
    if (cap > s->memory)
        cap = s->memory;
    if (cap < need)
        cap = need;
    cap = round16(cap);
    char *m = realloc(s->mem, cap);
    if (!m)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for the sort chunk (%zu bytes)",
                       cap);
    size_t ebytes = s->n * sizeof(struct ent);
    memmove(m + cap - ebytes, m + s->mcap - ebytes, ebytes);
    s->mem = m;
    s->mcap = cap;
    s->ents = (struct ent *)(void *)(m + cap - ebytes);
    return CM_OK;
}

/* ---- merging ------------------------------------------------------------------ */

static enum cm_status reader_fill(struct extsort *s, struct reader *r, size_t need,
                                  char *err)
{
    if (r->at) {
        memmove(r->buf, r->buf + r->at, r->len - r->at);
        r->len -= r->at;
        r->at = 0;
    }
    if (need > r->cap) {
        char *b = realloc(r->buf, need);
        if (!b)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory reading a sorted run");
        r->buf = b;
        r->cap = need;
    }
    while (r->len < need && r->pos < r->end) {
        size_t want = r->cap - r->len;
        if (want > r->end - r->pos)
            want = (size_t)(r->end - r->pos);
        ssize_t got = pread(s->fd, r->buf + r->len, want, (off_t)r->pos);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return cm_fail(err, CM_ERR_IO, "temporary file %s: read failed: %s", s->path,
                           got < 0 ? strerror(errno) : "unexpected end");
        r->len += (size_t)got;
        r->pos += (uint64_t)got;
    }
    return CM_OK;
}

/* Step r to its next record; *got = 0 at the end of its run. */
static enum cm_status reader_next(struct extsort *s, struct reader *r, int *got, char *err)
{
    enum cm_status rc;
    *got = 0;
    if (r->len - r->at < ES_HDR) {
        if (r->len == r->at && r->pos == r->end)
            return CM_OK;
        rc = reader_fill(s, r, ES_HDR, err);
        if (rc)
            return rc;
        if (r->len - r->at < ES_HDR)
            return cm_fail(err, CM_ERR_IO, "temporary file %s: a run ends inside a record",
                           s->path);
    }
    uint32_t k, d;
    memcpy(&k, r->buf + r->at, 4);
    memcpy(&d, r->buf + r->at + 4, 4);
    size_t need = ES_HDR + (size_t)k + d;
    if (r->len - r->at < need) {
        rc = reader_fill(s, r, need, err);
        if (rc)
            return rc;
        if (r->len - r->at < need)
            return cm_fail(err, CM_ERR_IO, "temporary file %s: a run ends inside a record",
                           s->path);
    }
    r->key = r->buf + r->at + ES_HDR;
    r->klen = k;
    r->data = r->key + k;
    r->dlen = d;
    r->at += need;
    *got = 1;
    return CM_OK;
}

static int reader_less(const struct reader *a, const struct reader *b)
{
    int c = key_cmp(a->key, a->klen, b->key, b->klen);
    return c < 0 || (c == 0 && a->idx < b->idx);
}

static void sift_down(struct merger *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, best = i;
        if (l < m->nheap && reader_less(&m->rd[m->heap[l]], &m->rd[m->heap[best]]))
            best = l;
        if (l + 1 < m->nheap && reader_less(&m->rd[m->heap[l + 1]], &m->rd[m->heap[best]]))
            best = l + 1;
        if (best == i)
            return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[best];
        m->heap[best] = t;
        i = best;
    }
}

static void merger_free(struct merger *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->rd[i].buf);
    free(m->rd);
    free(m->heap);
    memset(m, 0, sizeof *m);
}

static enum cm_status merger_init(struct merger *m, const struct run *runs, size_t n,
                                  size_t bufsize, char *err)
{
    memset(m, 0, sizeof *m);
    m->rd = calloc(n ? n : 1, sizeof *m->rd);
    m->heap = calloc(n ? n : 1, sizeof *m->heap);
    if (!m->rd || !m->heap) {
        merger_free(m);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for the merge");
    }
    m->n = n;
    for (size_t i = 0; i < n; i++) {
        struct reader *r = &m->rd[i];
        r->pos = runs[i].start;
        r->end = runs[i].end;
        r->idx = i;
        r->cap = bufsize;
        r->buf = malloc(bufsize);
        if (!r->buf) {
            merger_free(m);
            return cm_fail(err, CM_ERR_NOMEM, "out of memory for the merge's buffers");
        }
    }
    return CM_OK;
}

/* The least record of the merge: *r NULL at the end. */
static enum cm_status merger_next(struct extsort *s, struct merger *m,
                                  const struct reader **out, char *err)
{
    enum cm_status rc;
    int got;
    *out = NULL;
    if (!m->started) {
        m->started = 1;
        for (size_t i = 0; i < m->n; i++) {
            rc = reader_next(s, &m->rd[i], &got, err);
            if (rc)
                return rc;
            if (got)
                m->heap[m->nheap++] = i;
        }
        for (size_t i = m->nheap / 2; i-- > 0;)
            sift_down(m, i);
    } else if (m->nheap) {
        rc = reader_next(s, &m->rd[m->heap[0]], &got, err);
        if (rc)
            return rc;
        if (!got)
            m->heap[0] = m->heap[--m->nheap];
        sift_down(m, 0);
    }
    if (m->nheap)
        *out = &m->rd[m->heap[0]];
    return CM_OK;
}

/* Merge runs[first .. first+n) into one run at the end of the file. */
static enum cm_status merge_group(struct extsort *s, const struct run *runs, size_t n,
                                  size_t bufsize, struct run *out, char *err)
{
    struct merger m;
    enum cm_status rc = merger_init(&m, runs, n, bufsize, err);
    if (rc)
        return rc;
    uint64_t start = s->fend;
    for (;;) {
        const struct reader *r;
        rc = merger_next(s, &m, &r, err);
        if (rc || !r)
            break;
        rc = tmp_write(s, r->key - ES_HDR, ES_HDR + (size_t)r->klen + r->dlen, err);
        if (rc)
            break;
    }
    if (!rc)
        rc = tmp_flush(s, err);
    merger_free(&m);
    out->start = start;
    out->end = s->fend;
    return rc;
}

/* ---- the interface ------------------------------------------------------------ */

enum cm_status extsort_new(const struct extsort_options *opt, struct extsort **out,
                           char *err)
{
    *out = NULL;
    struct extsort *s = calloc(1, sizeof *s);
    if (!s)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    s->memory = opt->memory < ES_MIN_MEMORY ? ES_MIN_MEMORY : round16(opt->memory);
    const char *dir = opt->tmpdir;
    if (!dir || !*dir)
        dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (strlen(dir) >= sizeof s->tmpdir) {
        free(s);
        return cm_fail(err, CM_ERR_CONFIG, "temporary directory name too long: %.100s...",
                       dir);
    }
    snprintf(s->tmpdir, sizeof s->tmpdir, "%s", dir);
    s->fd = -1;
    *out = s;
    return CM_OK;
}

enum cm_status extsort_add(struct extsort *s, const void *key, size_t klen,
                           const void *data, size_t dlen, char *err)
{
    if (s->sealed)
        return cm_fail(err, CM_ERR_INPUT, "extsort_add after extsort_seal");
    if (klen > UINT32_MAX || dlen > UINT32_MAX - klen - ES_HDR)
        return cm_fail(err, CM_ERR_LIMIT, "a record of %zu bytes is too large to sort",
                       klen + dlen);
    size_t rec = ES_HDR + klen + dlen;
    size_t need = round16(s->dlen + rec) + (s->n + 1) * sizeof(struct ent);
    enum cm_status rc;
    if (need > s->mcap) {
        if (need > s->memory && s->n > 0) {
            rc = spill(s, err);
            if (rc)
                return rc;
            need = round16(rec) + sizeof(struct ent);
        }
        if (need > s->mcap) {
            rc = chunk_grow(s, need, err);
            if (rc)
                return rc;
        }
    }
    char *p = s->mem + s->dlen;
    uint32_t k32 = (uint32_t)klen, d32 = (uint32_t)dlen;
    memcpy(p, &k32, 4);
    memcpy(p + 4, &d32, 4);
    if (klen)
        memcpy(p + ES_HDR, key, klen);
    if (dlen)
        memcpy(p + ES_HDR + klen, data, dlen);
    s->ents--;
    s->ents->prefix = key_prefix(key, klen);
    s->ents->off = s->dlen;
    s->dlen += rec;
    s->n++;
    s->st.records++;
    return CM_OK;
}

enum cm_status extsort_seal(struct extsort *s, size_t keep_limit, char *err)
{
    if (s->sealed)
        return CM_OK;
    s->sealed = 1;
    size_t used = round16(s->dlen) + s->n * sizeof(struct ent);
    if (s->nruns == 0 && used <= keep_limit) {
        s->in_memory = 1;
        s->st.in_memory = 1;
        if (s->n == 0) {
            free(s->mem);
            s->mem = NULL;
            s->mcap = 0;
            s->ents = NULL;
            return CM_OK;
        }
        chunk_sort(s);
        /* shrink: the sorted index right after the records */
        size_t ebytes = s->n * sizeof(struct ent);
        size_t at = round16(s->dlen);
        memmove(s->mem + at, s->ents, ebytes);
        char *m = realloc(s->mem, at + ebytes);
        if (m) {
            s->mem = m;
            s->mcap = at + ebytes;
        }
        s->ents = (struct ent *)(void *)(s->mem + at);
        return CM_OK;
    }
    if (s->n > 0) {
        enum cm_status rc = spill(s, err);
        if (rc)
            return rc;
    }
    free(s->mem);
    s->mem = NULL;
    s->mcap = 0;
    s->ents = NULL;
    return CM_OK;
}

size_t extsort_held(const struct extsort *s)
{
    return s->mcap;
}

enum cm_status extsort_merge(struct extsort *s, size_t merge_memory, char *err)
{
    if (!s->sealed)
        return cm_fail(err, CM_ERR_INPUT, "extsort_merge before extsort_seal");
    if (s->merging)
        return cm_fail(err, CM_ERR_INPUT, "extsort_merge called twice");
    s->merging = 1;
    if (s->in_memory)
        return CM_OK;
    size_t fan = merge_memory / ES_GOOD_READ;
    if (fan < 16) {
        fan = merge_memory / ES_MIN_READ;
        if (fan > 16)
            fan = 16;
    }
    if (fan < 2)
        fan = 2;
    enum cm_status rc;
    while (s->nruns > fan) {
        size_t bufsize = merge_memory / fan;
        if (bufsize < ES_MIN_READ)
            bufsize = ES_MIN_READ;
        size_t out = 0;
        for (size_t i = 0; i < s->nruns; i += fan) {
            size_t n = s->nruns - i < fan ? s->nruns - i : fan;
            struct run merged;
            if (n == 1) {
                merged = s->runs[i];
            } else {
                rc = merge_group(s, s->runs + i, n, bufsize, &merged, err);
                if (rc)
                    return rc;
            }
            s->runs[out++] = merged;          /* out <= i: the group is already read */
        }
        s->nruns = out;
        s->st.merge_passes++;
    }
    free(s->wbuf);
    s->wbuf = NULL;
    size_t bufsize = s->nruns ? merge_memory / s->nruns : ES_MIN_READ;
    if (bufsize < ES_MIN_READ)
        bufsize = ES_MIN_READ;
    if (bufsize > ES_MAX_READ)
        bufsize = ES_MAX_READ;
    return merger_init(&s->mg, s->runs, s->nruns, bufsize, err);
}

enum cm_status extsort_next(struct extsort *s, const char **key, size_t *klen,
                            const char **data, size_t *dlen, char *err)
{
    *key = NULL;
    *klen = *dlen = 0;
    *data = NULL;
    if (!s->merging)
        return cm_fail(err, CM_ERR_INPUT, "extsort_next before extsort_merge");
    if (s->in_memory) {
        if (s->it >= s->n)
            return CM_OK;
        const char *r = s->mem + s->ents[s->it++].off;
        uint32_t k, d;
        memcpy(&k, r, 4);
        memcpy(&d, r + 4, 4);
        *key = r + ES_HDR;
        *klen = k;
        *data = r + ES_HDR + k;
        *dlen = d;
        return CM_OK;
    }
    const struct reader *r;
    enum cm_status rc = merger_next(s, &s->mg, &r, err);
    if (rc || !r)
        return rc;
    *key = r->key;
    *klen = r->klen;
    *data = r->data;
    *dlen = r->dlen;
    return CM_OK;
}

void extsort_get_stats(const struct extsort *s, struct extsort_stats *st)
{
    *st = s->st;
}

void extsort_free(struct extsort *s)
{
    if (!s)
        return;
    merger_free(&s->mg);
    if (s->fd >= 0)
        close(s->fd);
    free(s->mem);
    free(s->runs);
    free(s->wbuf);
    free(s);
}
