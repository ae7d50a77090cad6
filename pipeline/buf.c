/* buf.c — growable byte buffer with a hard cap (see buf.h). */
#include "pipeline/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *data = b->data;
    if (!data) {
        data = calloc(1, 1);
    }
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return data;
}

enum cm_status buf_grow(struct buf *b, size_t n)
{
    if (b->cap && (n > b->cap || b->len > b->cap - n))
        return CM_ERR_LIMIT;
    if (b->len + n + 1 <= b->alloc)
        return CM_OK;
    size_t want = b->alloc ? b->alloc : 64;
    while (want < b->len + n + 1)
        want *= 2;
    if (b->cap && want > b->cap + 1)
        want = b->cap + 1;
    char *p = realloc(b->data, want);
    if (!p)
        return CM_ERR_NOMEM;
    b->data = p;
    b->alloc = want;
    return CM_OK;
}

enum cm_status buf_add(struct buf *b, const void *data, size_t n)
{
    enum cm_status rc = buf_grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CM_OK;
}

enum cm_status buf_addstr(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

enum cm_status buf_addch(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

enum cm_status buf_printf(struct buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CM_ERR_INPUT;
    if ((size_t)n < sizeof small)
        return buf_add(b, small, (size_t)n);
    enum cm_status rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CM_OK;
}

enum cm_status buf_add_csv_field(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && !(n && (s[0] == ' ' || s[n - 1] == ' ')))
        return buf_add(b, s, n);
    enum cm_status rc = buf_addch(b, '"');
    for (const char *q = strchr(s, '"'); !rc && q; q = strchr(s, '"')) {
        rc = buf_add(b, s, (size_t)(q - s) + 1);      /* up to and with the quote */
        if (!rc)
            rc = buf_addch(b, '"');                   /* doubled */
        s = q + 1;
    }
    if (!rc)
        rc = buf_addstr(b, s);
    return rc ? rc : buf_addch(b, '"');
}

int array_grow(void **p, size_t *alloc, size_t want, size_t size)
{
    if (want <= *alloc)
        return 0;
    size_t n = *alloc ? *alloc : 16;
    while (n < want)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return -1;
    *p = q;
    *alloc = n;
    return 0;
}
