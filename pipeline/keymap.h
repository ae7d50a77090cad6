/* keymap.h — interning hash map from byte strings to dense entry numbers.
 *
 * keymap_intern() returns the entry number of a key (0, 1, 2, ... in order of first
 * insertion) and says whether it was new; callers keep their values in their own
 * arrays indexed by entry number. Keys are copied once into one growing buffer; the
 * table holds 16 bytes per slot. This is the compact in-memory index of the stages
 * that must see every record (resolution, change detection): no full records. */
#ifndef CM_KEYMAP_H
#define CM_KEYMAP_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

struct keymap_slot;

struct keymap {
    struct keymap_slot *slots;
    size_t nslots;               /* a power of two, or 0 */
    size_t count;                /* entries */
    size_t *offsets;             /* entry -> offset of its key in strings */
    size_t offsets_cap;
    struct buf strings;          /* keys, each followed by a NUL */
};

#define KEYMAP_INIT { NULL, 0, 0, NULL, 0, BUF_INIT(0) }

/* *entry gets the key's number; *added 1 if it was not there before. */
enum cm_status keymap_intern(struct keymap *m, const char *key, size_t len,
                             uint32_t *entry, int *added);
/* 0 and *entry set if present, -1 if not. */
int keymap_find(const struct keymap *m, const char *key, size_t len, uint32_t *entry);
/* The key of an entry (NUL-terminated; may contain NULs if the key did). */
const char *keymap_key(const struct keymap *m, uint32_t entry);
void keymap_free(struct keymap *m);

#endif
