/* parallel.h — run a loop over [0, n) in up to `threads` contiguous chunks, one
 * pthread each (the calling thread takes the first). Chunks are fixed by n and
 * threads, so results written by index are the same whatever the scheduling. */
#ifndef CM_PARALLEL_H
#define CM_PARALLEL_H

#include <stddef.h>

typedef void parallel_fn(void *ctx, size_t begin, size_t end, int worker);

/* Threads that fail to start are done by the caller: never an error. */
void parallel_for(size_t n, int threads, parallel_fn *fn, void *ctx);

/* Cores this process may use (at least 1). */
int parallel_cores(void);

#endif
