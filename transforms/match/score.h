/* score.h — Fellegi–Sunter scoring: per comparison level an m-probability (the level's
 * share among pairs of one person) and a u-probability (its share among pairs of
 * different people); a level's weight is log2(m / u), a pair's weight the prior
 * log-odds plus the sum over its comparisons, its match probability 1 / (1 + 2^-w).
 *
 * Training needs no labels: u from random pairs of records (a fixed seed, so the same
 * input trains the same model), m and the match rate among candidate pairs (the
 * prior) by expectation–maximisation over the candidate pairs' agreement patterns.
 * Term frequencies then refine the exact levels of names, streets, cities, e-mails
 * and phones: agreeing on a value a share p of records hold has u = p, so a shared
 * rare surname counts more than a shared "Müller" (capped, tf_max_bonus bits above
 * the level's average weight). A model is saved to and loaded from JSON (`crmerge
 * train`), so nightly runs score alike. */
#ifndef CM_SCORE_H
#define CM_SCORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "transforms/match/compare.h"

struct fs_model {
    double lambda;               /* share of matches among candidate pairs (the prior) */
    double m[CMP_COUNT][CMP_MAX_LEVELS];
    double u[CMP_COUNT][CMP_MAX_LEVELS];
    int em_iterations;           /* what training did (0 for a loaded model) */
    double em_last_change;
    size_t u_samples, trained_pairs, trained_records;
};

/* Term-frequency tables, one per comparison with a tf_level: value -> records holding it. */
struct tf_table {
    uint64_t *value;
    uint32_t *count;
    size_t n;
    size_t records;              /* records holding any value of the field */
};

struct tf_tables {
    struct tf_table field[CMP_COUNT];
    double max_bonus;            /* bits a rare value may add over the level's weight */
    double min_share;            /* floor of a value's share (u) */
};

/* u from `samples` random record pairs (deterministic for seed, whatever the number of
 * threads), into model->u. */
enum cm_status model_estimate_u(struct fs_model *model, const struct profile_store *s,
                                const struct compare_options *o, size_t samples, uint64_t seed,
                                int threads, char *err);

/* The starting m (most pairs of one person agree exactly, few are "different"). */
void model_initial_m(struct fs_model *model);

/* m and lambda by EM over the agreement patterns of candidate pairs (codes from
 * cmp_pack; unsorted is fine), starting from model->m. u stays as estimated. fixed_m:
 * keep m, estimate only lambda (the prior among these pairs). */
enum cm_status model_train_em(struct fs_model *model, const uint64_t *codes, size_t n,
                              int max_iterations, int fixed_m, char *err);

/* The weight of one comparison level, in bits (0 for missing). */
double model_level_weight(const struct fs_model *model, int cmp, int level);

/* The prior log-odds in bits: log2(lambda / (1 - lambda)). */
double model_prior_weight(const struct fs_model *model);

json_t *model_to_json(const struct fs_model *model);
/* CM_ERR_CONFIG naming what is wrong (where = the file name). */
enum cm_status model_from_json(const json_t *j, const char *where, struct fs_model *model,
                               char *err);

enum cm_status tf_build(struct tf_tables *t, const struct profile_store *s, char *err);
void tf_free(struct tf_tables *t);

/* The weight of comparison cmp at its tf_level for the shared value v: log2(m / share),
 * between the level's weight - 8 and + max_bonus. */
double tf_weight(const struct tf_tables *t, const struct fs_model *model, int cmp, uint64_t v);

#endif
