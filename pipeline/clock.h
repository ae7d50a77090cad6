/* clock.h — seconds on the monotonic clock, for the stage timings runs report. */
#ifndef CM_CLOCK_H
#define CM_CLOCK_H

#include <time.h>

static inline double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
