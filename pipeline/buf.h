/* buf.h — a growable byte buffer with a hard cap.
 *
 * Invariants: after BUF_INIT(cap) or buf_init(), data is NULL or NUL-terminated at
 * data[len]; len < alloc when data != NULL; growth past cap fails with CM_ERR_LIMIT
 * instead of allocating whatever the input asks for (cap 0 = no cap).
 * buf_reset() keeps the memory for reuse; buf_free() releases it; buf_detach()
 * is the only way to take ownership of data. */
#ifndef CM_BUF_H
#define CM_BUF_H

#include <stddef.h>
#include "pipeline/status.h"

struct buf {
    char  *data;
    size_t len;
    size_t alloc;
    size_t cap;     /* maximum len; 0 = unlimited */
};

#define BUF_INIT(capacity) { NULL, 0, 0, (capacity) }

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
static inline void buf_reset(struct buf *b) { b->len = 0; if (b->data) b->data[0] = '\0'; }
char *buf_detach(struct buf *b, size_t *len);

/* make room for n more bytes (plus the NUL) */
enum cm_status buf_grow(struct buf *b, size_t n);
enum cm_status buf_add(struct buf *b, const void *data, size_t n);
enum cm_status buf_addstr(struct buf *b, const char *s);
enum cm_status buf_addch(struct buf *b, char c);
enum cm_status buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append s as one CSV field (RFC 4180): as it is, or in double quotes with inner quotes
 * doubled when it holds a comma, a quote, CR or LF, or begins or ends with a space (a
 * reader that trims would lose it). */
enum cm_status buf_add_csv_field(struct buf *b, const char *s);

/* Grow the array *p of elements of `size` bytes, *alloc of them, to hold at least want
 * (doubling, from 16). 0, or -1 out of memory (*p and *alloc unchanged). */
int array_grow(void **p, size_t *alloc, size_t want, size_t size);

#endif
