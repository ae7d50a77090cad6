/* resolve_exact.c — union-find over shared e-mails and source keys (see resolve_exact.h). */
#include "transforms/match/resolve_exact.h"

#include <stdlib.h>
#include <string.h>
#include "pipeline/buf.h"
#include "pipeline/keymap.h"

struct resolver {
    uint32_t *parent;            /* union-find over record numbers */
    size_t nrec, cap;
    struct keymap keys;          /* interned e-mail and (source, key) strings */
    uint32_t *first;             /* key entry -> first record that had it */
    size_t first_cap;
    size_t duplicate_keys;       /* records whose (source, key) was seen before */
    struct buf scratch;          /* the key being looked up */
};

struct resolver *resolver_new(void)
{
    struct resolver *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    buf_init(&r->keys.strings, 0);
    buf_init(&r->scratch, 0);
    return r;
}

void resolver_free(struct resolver *r)
{
    if (!r)
        return;
    free(r->parent);
    free(r->first);
    keymap_free(&r->keys);
    buf_free(&r->scratch);
    free(r);
}

static uint32_t find(struct resolver *r, uint32_t x)
{
    while (r->parent[x] != x) {
        r->parent[x] = r->parent[r->parent[x]];      /* path halving */
        x = r->parent[x];
    }
    return x;
}

static void unite(struct resolver *r, uint32_t a, uint32_t b)
{
    a = find(r, a);
    b = find(r, b);
    if (a == b)
        return;
    if (a < b)                   /* the smaller record number is the root */
        r->parent[b] = a;
    else
        r->parent[a] = b;
}

/* Intern key; unite rec with the first record that had the same key. */
static enum cm_status link_key(struct resolver *r, const char *key, size_t len, uint32_t rec)
{
    uint32_t entry;
    int added;
    enum cm_status rc = keymap_intern(&r->keys, key, len, &entry, &added);
    if (rc)
        return rc;
    if (!added) {
        if (key[0] == 'k')
            r->duplicate_keys++;
        unite(r, r->first[entry], rec);
        return CM_OK;
    }
    if (entry >= r->first_cap) {
        size_t cap = r->first_cap ? r->first_cap * 2 : 4096;
        uint32_t *p = realloc(r->first, cap * sizeof *p);
        if (!p)
            return CM_ERR_NOMEM;
        r->first = p;
        r->first_cap = cap;
    }
    r->first[entry] = rec;
    return CM_OK;
}

int resolver_email_key(const char *email, char *out, size_t cap)
{
    const char *s = email, *e = email + strlen(email);
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    size_t n = (size_t)(e - s);
    if (n == 0 || n + 1 > cap)
        return 0;
    const char *at = memchr(s, '@', n);
    if (!at || at == s || at == e - 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
    return 1;
}

enum cm_status resolver_add(struct resolver *r, const struct contact *c, uint32_t *rec_no)
{
    if (r->nrec == UINT32_MAX)
        return CM_ERR_LIMIT;
    if (r->nrec == r->cap) {
        size_t n = r->cap ? r->cap * 2 : 4096;
        uint32_t *p = realloc(r->parent, n * sizeof *p);
        if (!p)
            return CM_ERR_NOMEM;
        r->parent = p;
        r->cap = n;
    }
    uint32_t rec = (uint32_t)r->nrec++;
    r->parent[rec] = rec;
    *rec_no = rec;

    struct buf *key = &r->scratch;
    enum cm_status rc = CM_OK;
    if (c->source && c->source_key) {
        buf_reset(key);
        rc = buf_addch(key, 'k');
        if (!rc) rc = buf_add(key, c->source, strlen(c->source) + 1);   /* with its NUL */
        if (!rc) rc = buf_addstr(key, c->source_key);
        if (!rc) rc = link_key(r, key->data, key->len, rec);
    }
    for (size_t i = 0; !rc && i < c->nemails; i++) {
        if (!c->emails[i])
            continue;
        size_t n = strlen(c->emails[i]);
        buf_reset(key);
        rc = buf_grow(key, n + 2);
        if (rc)
            break;
        key->data[0] = 'e';
        if (resolver_email_key(c->emails[i], key->data + 1, n + 1))
            rc = link_key(r, key->data, 1 + strlen(key->data + 1), rec);
    }
    return rc;
}

uint32_t resolver_cluster(struct resolver *r, uint32_t rec_no)
{
    return find(r, rec_no);
}

size_t resolver_records(const struct resolver *r)
{
    return r->nrec;
}

size_t resolver_clusters(struct resolver *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrec; i++) {
        if (find(r, (uint32_t)i) == i)
            n++;
    }
    return n;
}

size_t resolver_duplicate_keys(const struct resolver *r)
{
    return r->duplicate_keys;
}
