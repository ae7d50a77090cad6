/* arena.h — a bump allocator for one unit of work (one record, one batch).
 *
 * Everything allocated from an arena is freed at once by arena_reset() (which keeps
 * the first chunk for reuse) or arena_free(). Allocation never fails silently:
 * NULL means out of memory. Zero-initialised: ARENA_INIT. */
#ifndef CM_ARENA_H
#define CM_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t used_bytes;        /* bytes handed out since the last reset */
};

#define ARENA_INIT { NULL, 0 }

void *arena_alloc(struct arena *a, size_t n);             /* 16-byte aligned, not zeroed */
void *arena_calloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);  /* NUL-terminated copy */
char *arena_strdup(struct arena *a, const char *s);
void  arena_reset(struct arena *a);
void  arena_free(struct arena *a);

#endif
