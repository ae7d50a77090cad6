/* keymap.c — open-addressing string interning (see keymap.h). */
#include "pipeline/keymap.h"

#include <stdlib.h>
#include <string.h>
#include "pipeline/hash.h"

struct keymap_slot {
    uint64_t hash;               /* 0 = empty */
    uint32_t entry;
    uint32_t len;
};

static uint64_t key_hash(const char *key, size_t len)
{
    return hash64(key, len, 0x6b65796d6170ULL) | 1;      /* never 0 */
}

static enum cm_status grow(struct keymap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 1024;
    struct keymap_slot *s = calloc(n, sizeof *s);
    if (!s)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < m->nslots; i++) {
        if (!m->slots[i].hash)
            continue;
        size_t j = m->slots[i].hash & (n - 1);
        while (s[j].hash)
            j = (j + 1) & (n - 1);
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->nslots = n;
    return CM_OK;
}

static int matches(const struct keymap *m, const struct keymap_slot *s, uint64_t h,
                   const char *key, size_t len)
{
    return s->hash == h && s->len == len &&
           memcmp(m->strings.data + m->offsets[s->entry], key, len) == 0;
}

int keymap_find(const struct keymap *m, const char *key, size_t len, uint32_t *entry)
{
    if (!m->nslots)
        return -1;
    uint64_t h = key_hash(key, len);
    for (size_t j = h & (m->nslots - 1);; j = (j + 1) & (m->nslots - 1)) {
        const struct keymap_slot *s = &m->slots[j];
        if (!s->hash)
            return -1;
        if (matches(m, s, h, key, len)) {
            *entry = s->entry;
            return 0;
        }
    }
}

enum cm_status keymap_intern(struct keymap *m, const char *key, size_t len,
                             uint32_t *entry, int *added)
{
    if (len > UINT32_MAX || m->count >= UINT32_MAX)
        return CM_ERR_LIMIT;
    if ((m->count + 1) * 4 > m->nslots * 3) {
        enum cm_status rc = grow(m);
        if (rc)
            return rc;
    }
    uint64_t h = key_hash(key, len);
    size_t j = h & (m->nslots - 1);
    for (;; j = (j + 1) & (m->nslots - 1)) {
        struct keymap_slot *s = &m->slots[j];
        if (!s->hash)
            break;
        if (matches(m, s, h, key, len)) {
            *entry = s->entry;
            *added = 0;
            return CM_OK;
        }
    }
    if (m->count == m->offsets_cap) {
        size_t cap = m->offsets_cap ? m->offsets_cap * 2 : 1024;
        size_t *p = realloc(m->offsets, cap * sizeof *p);
        if (!p)
            return CM_ERR_NOMEM;
        m->offsets = p;
        m->offsets_cap = cap;
    }
    size_t off = m->strings.len;
    enum cm_status rc = buf_add(&m->strings, key, len);
    if (!rc)
        rc = buf_addch(&m->strings, '\0');
    if (rc)
        return rc;
    m->offsets[m->count] = off;
    m->slots[j] = (struct keymap_slot){ h, (uint32_t)m->count, (uint32_t)len };
    *entry = (uint32_t)m->count++;
    *added = 1;
    return CM_OK;
}

const char *keymap_key(const struct keymap *m, uint32_t entry)
{
    return m->strings.data + m->offsets[entry];
}

void keymap_free(struct keymap *m)
{
    free(m->slots);
    free(m->offsets);
    buf_free(&m->strings);
    m->slots = NULL;
    m->offsets = NULL;
    m->nslots = m->count = m->offsets_cap = 0;
}
