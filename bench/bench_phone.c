/* bench_phone.c — phone_normalise() parse rate (transforms/normalise/phone.h): numbers/s cold
 * (no cache, every number new), with the cache cold (first sight of each), and warm
 * (the same numbers again, all hits).
 *
 *   make tools && build/bench/bench_phone [N]        (N distinct numbers, default 200000)
 *
 * The numbers are the shapes gen_act writes and CRMs hold: German national and
 * international, US with and without ACT!'s mask, British, Swiss, Austrian, some with
 * extensions, some Excel-mangled or empty; deterministic (own PRNG). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "transforms/normalise/phone.h"

static uint64_t rng = 42;
static uint64_t next(void)                  /* splitmix64 */
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void make_number(char *out, size_t size, const char **country)
{
    unsigned d = (unsigned)(next() % 10000000);
    unsigned a = 200 + (unsigned)(next() % 700);
    switch (next() % 10) {
    case 0: snprintf(out, size, "+49 30 %07u", d); *country = "DE"; break;
    case 1: snprintf(out, size, "030/%07u", d); *country = "DE"; break;
    case 2: snprintf(out, size, "+49 171 %07u", d); *country = "DE"; break;
    case 3: snprintf(out, size, "(%u) 555-%04u", a, d % 10000); *country = "US"; break;
    case 4: snprintf(out, size, "%u-555-%04u x%u", a, d % 10000, d % 900 + 100);
            *country = "US"; break;
    case 5: snprintf(out, size, "+44 20 7946 %04u", d % 10000); *country = NULL; break;
    case 6: snprintf(out, size, "044 668 %02u %02u", d % 100, d / 100 % 100);
            *country = "CH"; break;
    case 7: snprintf(out, size, "+43 1 %07u", d); *country = "AT"; break;
    case 8: snprintf(out, size, "0049 (0)89 %06u", d % 1000000); *country = "DE"; break;
    default: snprintf(out, size, "%u.%05uE+11", d % 9 + 1, d % 100000); *country = "DE";
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    if (n == 0)
        n = 1;
    char (*raw)[40] = malloc(n * sizeof *raw);
    const char **cc = malloc(n * sizeof *cc);
    if (!raw || !cc)
        return 1;
    for (size_t i = 0; i < n; i++)
        make_number(raw[i], sizeof raw[i], &cc[i]);

    struct phone_norm p;
    size_t valid = 0;
    phone_normalise(NULL, "+49 30 1234567", NULL, &p);   /* the library's metadata load */

    double t0 = now();
    for (size_t i = 0; i < n; i++)
        valid += phone_normalise(NULL, raw[i], cc[i], &p) == 0;
    double t_nocache = now() - t0;

    struct phone_cache *c = phone_cache_new(n);
    t0 = now();
    for (size_t i = 0; i < n; i++)
        phone_normalise(c, raw[i], cc[i], &p);
    double t_cold = now() - t0;
    t0 = now();
    for (size_t i = 0; i < n; i++)
        phone_normalise(c, raw[i], cc[i], &p);
    double t_warm = now() - t0;
    size_t hits, misses;
    phone_cache_stats(c, &hits, &misses);
    phone_cache_free(c);

    printf("numbers %zu (valid %zu)\n", n, valid);
    printf("no cache      %10.0f numbers/s\n", n / t_nocache);
    printf("cache, cold   %10.0f numbers/s\n", n / t_cold);
    printf("cache, warm   %10.0f numbers/s (hits %zu, misses %zu)\n", n / t_warm, hits, misses);
    free(raw);
    free(cc);
    return 0;
}
