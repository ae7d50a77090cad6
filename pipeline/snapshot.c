/* snapshot.c — change detection against the target's content hashes (see snapshot.h). */
#include "pipeline/snapshot.h"

#include <stdlib.h>
#include <string.h>

static enum cm_status lookup(struct snapshot *s, const char *source, const char *key,
                             uint32_t *entry, int *added)
{
    struct buf *b = &s->scratch;
    buf_reset(b);
    enum cm_status rc = buf_add(b, source, strlen(source) + 1);     /* with its NUL */
    if (!rc) rc = buf_addstr(b, key);
    if (!rc) rc = keymap_intern(&s->keys, b->data, b->len, entry, added);
    if (rc || !*added)
        return rc;
    if (*entry >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        uint64_t *h = realloc(s->hash, cap * sizeof *h);
        if (!h)
            return CM_ERR_NOMEM;
        s->hash = h;
        unsigned char *f = realloc(s->flags, cap);
        if (!f)
            return CM_ERR_NOMEM;
        s->flags = f;
        s->cap = cap;
    }
    s->hash[*entry] = 0;
    s->flags[*entry] = 0;
    return CM_OK;
}

enum cm_status snapshot_add(struct snapshot *s, const char *source, const char *key,
                            uint64_t hash, int live)
{
    uint32_t e;
    int added;
    enum cm_status rc = lookup(s, source, key, &e, &added);
    if (rc)
        return rc;
    s->hash[e] = hash;
    s->flags[e] = SNAP_IN_TARGET | (live ? SNAP_LIVE : 0);
    return CM_OK;
}

enum cm_status snapshot_classify(struct snapshot *s, const char *source, const char *key,
                                 uint64_t hash, char *state)
{
    uint32_t e;
    int added;
    enum cm_status rc = lookup(s, source, key, &e, &added);
    if (rc)
        return rc;
    unsigned char f = s->flags[e];
    if (f & SNAP_SEEN)
        *state = 'd';
    else if (!(f & SNAP_IN_TARGET))
        *state = 'n';
    else if (!(f & SNAP_LIVE) || s->hash[e] != hash)
        *state = 'c';
    else
        *state = 'u';
    s->flags[e] = f | SNAP_SEEN;
    return CM_OK;
}

int snapshot_seen(struct snapshot *s, const char *source, const char *key)
{
    struct buf *b = &s->scratch;
    buf_reset(b);
    if (buf_add(b, source, strlen(source) + 1) || buf_addstr(b, key))
        return 0;
    uint32_t e;
    return keymap_find(&s->keys, b->data, b->len, &e) == 0 && (s->flags[e] & SNAP_SEEN) != 0;
}

void snapshot_free(struct snapshot *s)
{
    keymap_free(&s->keys);
    free(s->hash);
    free(s->flags);
    buf_free(&s->scratch);
    s->hash = NULL;
    s->flags = NULL;
    s->cap = 0;
}
