/* radix.h — LSD radix sorts for the matcher's big arrays (blocking keys, candidate
 * pairs): stable, O(n), with one scratch array of the same size. */
#ifndef CM_RADIX_H
#define CM_RADIX_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/status.h"

struct keyed_rec {
    uint64_t key;
    uint32_t rec;
    uint32_t aux;                /* carried along (a pass's value index, ...) */
};

/* Sort by key, then by rec (stable for equal key and rec). CM_ERR_NOMEM if the scratch
 * array cannot be had. */
enum cm_status radix_sort_keyed(struct keyed_rec *v, size_t n);

/* Sort ascending. */
enum cm_status radix_sort_u64(uint64_t *v, size_t n);

/* Sort and drop repeats; *n gets the new count. */
enum cm_status radix_unique_u64(uint64_t *v, size_t *n);

#endif
