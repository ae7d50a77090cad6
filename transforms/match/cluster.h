/* cluster.h — from accepted pairs to clusters, without chains of weak links.
 *
 * Connected components over the accepted pairs would let A–B and B–C make A, B and C
 * one customer even when A and C are plainly different people (two spouses linked
 * through the family's shared mailbox). So each component of three or more records is
 * repaired: every pair inside it is scored (weight_fn), and the component is rebuilt
 * by average linkage: groups merge, best first, while the mean weight between them is
 * at least merge_weight and no pair across them is vetoed (a cannot-link override or
 * a hard rule: weight_fn returns -INFINITY). A component larger than repair_max is
 * first cut into parts of at most repair_max records along its strongest pairs.
 * Must-link pairs are merged first and never split.
 *
 * Deterministic: the same input gives the same clusters whatever the order of pairs
 * of equal weight. cluster_of[rec] is the smallest record number of rec's cluster. */
#ifndef CM_CLUSTER_H
#define CM_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/status.h"

struct cluster_edge {
    uint32_t a, b;
    double weight;               /* bits; must-link edges: +INFINITY */
};

/* The weight of any pair (bits), -INFINITY if the two must never be one customer. */
typedef double cluster_weight_fn(void *ctx, uint32_t a, uint32_t b);

struct cluster_options {
    double merge_weight;         /* average linkage goes on while the mean is >= this */
    size_t repair_max;           /* largest component repaired whole (default 300) */
};

struct cluster_stats {
    size_t clusters;
    size_t components_repaired;  /* components of 3+ records checked pair by pair */
    size_t components_split;     /* ... that did not stay one cluster */
    size_t records_split_off;    /* records that left their component's largest cluster */
    size_t components_cut;       /* components over repair_max, cut first */
    size_t largest_cluster;
};

enum cm_status cluster_records(size_t n, const struct cluster_edge *edges, size_t nedges,
                               cluster_weight_fn *fn, void *ctx, const struct cluster_options *o,
                               uint32_t *cluster_of, struct cluster_stats *st, char *err);

#endif
