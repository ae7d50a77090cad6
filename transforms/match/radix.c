/* radix.c — LSD radix sorts, 16 bits a pass, skipping passes where every value has the
 * same digit (see radix.h). */
#include "transforms/match/radix.h"

#include <stdlib.h>
#include <string.h>

#define DIGITS 65536

/* One counting pass of 16 bits at shift over the u64 at offset in each element. */
#define RADIX_PASS(TYPE, KEYEXPR)                                                    \
    do {                                                                             \
        memset(count, 0, DIGITS * sizeof *count);                                    \
        for (size_t i = 0; i < n; i++) {                                             \
            const TYPE *e = &src[i];                                                 \
            count[(KEYEXPR >> shift) & 0xFFFF]++;                                    \
        }                                                                            \
        size_t sum = 0, used = 0;                                                    \
        for (size_t d = 0; d < DIGITS; d++) {                                        \
            size_t c = count[d];                                                     \
            used += c != 0;                                                          \
            count[d] = sum;                                                          \
            sum += c;                                                                \
        }                                                                            \
        if (used <= 1)                                                               \
            continue;            /* every value has this digit: nothing moves */     \
        for (size_t i = 0; i < n; i++) {                                             \
            const TYPE *e = &src[i];                                                 \
            dst[count[(KEYEXPR >> shift) & 0xFFFF]++] = *e;                          \
        }                                                                            \
        TYPE *t = src;                                                               \
        src = dst;                                                                   \
        dst = t;                                                                     \
    } while (0)

enum cm_status radix_sort_keyed(struct keyed_rec *v, size_t n)
{
    if (n < 2)
        return CM_OK;
    struct keyed_rec *tmp = malloc(n * sizeof *tmp);
    size_t *count = malloc(DIGITS * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return CM_ERR_NOMEM;
    }
    struct keyed_rec *src = v, *dst = tmp;
    for (int shift = 0; shift < 32; shift += 16)
        RADIX_PASS(struct keyed_rec, (uint64_t)e->rec);
    for (int shift = 0; shift < 64; shift += 16)
        RADIX_PASS(struct keyed_rec, e->key);
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
    free(count);
    return CM_OK;
}

enum cm_status radix_sort_u64(uint64_t *v, size_t n)
{
    if (n < 2)
        return CM_OK;
    uint64_t *tmp = malloc(n * sizeof *tmp);
    size_t *count = malloc(DIGITS * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return CM_ERR_NOMEM;
    }
    uint64_t *src = v, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16)
        RADIX_PASS(uint64_t, *e);
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
    free(count);
    return CM_OK;
}

enum cm_status radix_unique_u64(uint64_t *v, size_t *n)
{
    enum cm_status rc = radix_sort_u64(v, *n);
    if (rc || *n < 2)
        return rc;
    size_t out = 1;
    for (size_t i = 1; i < *n; i++) {
        if (v[i] != v[out - 1])
            v[out++] = v[i];
    }
    *n = out;
    return CM_OK;
}
