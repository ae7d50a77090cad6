/* bench_normalise.c — `make bench`: the normaliser's speed and the match profile's size.
 *
 *   bench_normalise LAYOUT FILE
 *
 * Reads FILE through its connector and layout (as `crmerge extract` does) several times in
 * one process, so that the time of reading and mapping can be taken off:
 *   1. extract only                                   (the baseline)
 *   2. extract + normalise, phone cache cold          (every number parsed once)
 *   3. extract + normalise, phone cache warm          (the same numbers again)
 *   4. extract + normalise without phones             (the rest of the normaliser alone)
 * and times phone parsing alone over the file's numbers (cold, then warm). The profiles of
 * pass 2 are kept in one array, so the bytes a profile costs are measured as the matcher
 * will hold them: sizeof(struct match_profile) plus the string pool per record.
 * One line of key=value figures per measurement on stdout; bench/run.sh tabulates them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pipeline/config.h"
#include "pipeline/extract.h"
#include "transforms/normalise/phone.h"
#include "transforms/normalise/profile.h"

struct pass {
    struct normaliser *norm;     /* NULL: extract only */
    int no_phones;
    struct match_profile *keep;  /* where to keep the profiles, or NULL */
    size_t n, cap;
    /* phone-only timing */
    struct phone_cache *pcache;
    char **numbers;
    size_t nnumbers, numbers_cap;
    int collect;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static enum cm_status on_contact(void *ctx, const struct source *src, const struct contact *c,
                                 const char *json, size_t json_len, const char *location,
                                 char *err)
{
    (void)src; (void)json; (void)json_len;
    struct pass *p = ctx;
    if (p->collect) {
        for (size_t i = 0; i < c->nphones; i++) {
            if (p->nnumbers == p->numbers_cap &&
                array_grow((void **)&p->numbers, &p->numbers_cap, p->nnumbers + 1,
                           sizeof *p->numbers))
                return CM_ERR_NOMEM;
            p->numbers[p->nnumbers] = strdup(c->phones[i].number);
            if (!p->numbers[p->nnumbers++])
                return CM_ERR_NOMEM;
        }
    }
    if (!p->norm)
        return CM_OK;
    struct match_profile prof, *dst = &prof;
    if (p->keep && p->n < p->cap)
        dst = &p->keep[p->n];
    struct contact copy;
    if (p->no_phones) {
        copy = *c;
        copy.nphones = 0;
        c = &copy;
    }
    enum cm_status rc = normalise_contact(p->norm, c, NULL, dst);
    if (rc)
        return cm_fail(err, rc, "%s: normalise failed", location);
    p->n++;
    return CM_OK;
}

static enum cm_status on_reject(void *ctx, const struct source *src, const char *location,
                                const char *reason, const char *raw, size_t raw_len, char *err)
{
    (void)ctx; (void)src; (void)location; (void)reason; (void)raw; (void)raw_len; (void)err;
    return CM_OK;
}

static double run_pass(const struct source *src, struct pass *p, long long *records)
{
    struct extract_sink sink = { p, on_contact, on_reject, NULL };
    struct source_stats st;
    char err[CM_ERRBUF];
    p->n = 0;
    double t0 = now();
    if (extract_source(src, &sink, &st, err)) {
        fprintf(stderr, "bench_normalise: %s\n", err);
        exit(1);
    }
    *records = st.records;
    return now() - t0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_normalise LAYOUT FILE\n");
        return 2;
    }
    char *files[] = { argv[2] };
    struct config *cfg;
    char err[CM_ERRBUF];
    if (config_from_files(argv[1], "csv", files, 1, &cfg, err)) {
        fprintf(stderr, "bench_normalise: %s\n", err);
        return 1;
    }
    const struct source *src = &cfg->sources[0];
    struct normaliser_options opt = { NULL, 0, 4u << 20 };   /* every number fits: warm = all hits */
    struct normaliser *norm;
    if (normaliser_new(&opt, &norm, err)) {
        fprintf(stderr, "bench_normalise: %s\n", err);
        return 1;
    }
    long long n = 0;
    struct pass base = { 0 };
    base.collect = 1;
    double t_base = run_pass(src, &base, &n);

    struct pass cold = { 0 };
    cold.norm = norm;
    cold.cap = (size_t)n;
    cold.keep = calloc(cold.cap ? cold.cap : 1, sizeof *cold.keep);
    double t_cold = run_pass(src, &cold, &n);
    size_t pool = normaliser_pool_bytes(norm);

    struct pass warm = { 0 };
    warm.norm = norm;
    double t_warm = run_pass(src, &warm, &n);

    struct pass nophone = { 0 };
    nophone.norm = norm;
    nophone.no_phones = 1;
    double t_nophone = run_pass(src, &nophone, &n);

    /* phone parsing alone: a fresh cache, cold then warm */
    struct phone_cache *pc = phone_cache_new(4u << 20);
    struct phone_norm pn;
    double t0 = now();
    for (size_t i = 0; i < base.nnumbers; i++)
        phone_normalise(pc, base.numbers[i], "DE", &pn);
    double t_phone_cold = now() - t0;
    t0 = now();
    for (size_t i = 0; i < base.nnumbers; i++)
        phone_normalise(pc, base.numbers[i], "DE", &pn);
    double t_phone_warm = now() - t0;

    printf("records=%lld extract_s=%.3f cold_s=%.3f warm_s=%.3f nophone_s=%.3f\n", n, t_base,
           t_cold, t_warm, t_nophone);
    printf("normalise_cold_per_s=%.0f normalise_warm_per_s=%.0f normalise_nophone_per_s=%.0f\n",
           n / (t_cold - t_base), n / (t_warm - t_base), n / (t_nophone - t_base));
    printf("phones=%zu phone_cold_per_s=%.0f phone_warm_per_s=%.0f\n", base.nnumbers,
           base.nnumbers / t_phone_cold, base.nnumbers / t_phone_warm);
    printf("profile_struct_bytes=%zu pool_bytes=%zu bytes_per_profile=%.1f\n",
           sizeof(struct match_profile), pool,
           (double)sizeof(struct match_profile) + (double)pool / (double)(n ? n : 1));

    phone_cache_free(pc);
    for (size_t i = 0; i < base.nnumbers; i++)
        free(base.numbers[i]);
    free(base.numbers);
    free(cold.keep);
    normaliser_free(norm);
    config_free(cfg);
    return 0;
}
