/* parallel.c — fixed-chunk parallel loops over pthreads (see parallel.h). */
#include "transforms/match/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#define MAX_THREADS 64

struct chunk {
    parallel_fn *fn;
    void *ctx;
    size_t begin, end;
    int worker;
};

static void *run_chunk(void *arg)
{
    struct chunk *c = arg;
    c->fn(c->ctx, c->begin, c->end, c->worker);
    return NULL;
}

void parallel_for(size_t n, int threads, parallel_fn *fn, void *ctx)
{
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if ((size_t)threads > n)
        threads = n ? (int)n : 1;
    struct chunk c[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = { 0 };
    for (int t = 0; t < threads; t++)
        c[t] = (struct chunk){ fn, ctx, n * (size_t)t / (size_t)threads,
                               n * (size_t)(t + 1) / (size_t)threads, t };
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_chunk, &c[t]) == 0;
    run_chunk(&c[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_chunk(&c[t]);
    }
}

int parallel_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
