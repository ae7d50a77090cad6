/* cluster.c — components, cutting oversize ones, average-linkage repair (see cluster.h). */
#include "transforms/match/cluster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "transforms/match/unionfind.h"

static int edge_by_weight(const void *x, const void *y)
{
    const struct cluster_edge *a = x, *b = y;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* Average linkage over k members (global record numbers in member[]): writes each
 * member's final group root (a global record number) into root[]. */
static enum cm_status repair(const uint32_t *member, size_t k, cluster_weight_fn *fn, void *ctx,
                             double merge_weight, uint32_t *parent, size_t *groups_out)
{
    double *sum = malloc(k * k * sizeof *sum);
    unsigned char *veto = calloc(k * k, 1);
    size_t *size = malloc(k * sizeof *size);
    unsigned char *alive = malloc(k);
    if (!sum || !veto || !size || !alive) {
        free(sum); free(veto); free(size); free(alive);
        return CM_ERR_NOMEM;
    }
    for (size_t i = 0; i < k; i++) {
        size[i] = 1;
        alive[i] = 1;
        sum[i * k + i] = 0;
        for (size_t j = i + 1; j < k; j++) {
            double w = fn(ctx, member[i], member[j]);
            if (w == -INFINITY) {
                veto[i * k + j] = veto[j * k + i] = 1;
                w = -1000;
            }
            if (w > 1000)
                w = 1000;
            sum[i * k + j] = sum[j * k + i] = w;
        }
    }
    size_t groups = k;
    for (;;) {
        double best = -INFINITY;
        size_t bi = 0, bj = 0;
        for (size_t i = 0; i < k; i++) {
            if (!alive[i])
                continue;
            for (size_t j = i + 1; j < k; j++) {
                if (!alive[j] || veto[i * k + j])
                    continue;
                double avg = sum[i * k + j] / (double)(size[i] * size[j]);
                if (avg > best) {
                    best = avg;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (best == -INFINITY || best < merge_weight)
            break;
        /* merge bj into bi */
        for (size_t x = 0; x < k; x++) {
            if (!alive[x] || x == bi || x == bj)
                continue;
            sum[bi * k + x] = sum[x * k + bi] = sum[bi * k + x] + sum[bj * k + x];
            veto[bi * k + x] = veto[x * k + bi] = veto[bi * k + x] | veto[bj * k + x];
        }
        size[bi] += size[bj];
        alive[bj] = 0;
        uf_unite(parent, member[bi], member[bj]);
        groups--;
    }
    *groups_out = groups;
    free(sum); free(veto); free(size); free(alive);
    return CM_OK;
}

enum cm_status cluster_records(size_t n, const struct cluster_edge *edges, size_t nedges,
                               cluster_weight_fn *fn, void *ctx, const struct cluster_options *o,
                               uint32_t *cluster_of, struct cluster_stats *st, char *err)
{
    memset(st, 0, sizeof *st);
    size_t repair_max = o->repair_max ? o->repair_max : 300;
    uint32_t *comp = malloc((n ? n : 1) * sizeof *comp);      /* component parent */
    uint32_t *csize = calloc(n ? n : 1, sizeof *csize);
    struct cluster_edge *sorted = malloc((nedges ? nedges : 1) * sizeof *sorted);
    if (!comp || !csize || !sorted) {
        free(comp); free(csize); free(sorted);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for clustering");
    }
    /* components, strongest pairs first, none over repair_max (those are "cut") */
    memcpy(sorted, edges, nedges * sizeof *sorted);
    qsort(sorted, nedges, sizeof *sorted, edge_by_weight);
    uf_init(comp, n);
    for (size_t i = 0; i < n; i++)
        csize[i] = 1;
    for (size_t i = 0; i < nedges; i++) {
        uint32_t ra = uf_find(comp, sorted[i].a), rb = uf_find(comp, sorted[i].b);
        if (ra == rb)
            continue;
        if (csize[ra] + csize[rb] > repair_max && sorted[i].weight != INFINITY) {
            st->components_cut++;
            continue;
        }
        uf_unite(comp, ra, rb);
        uint32_t r = uf_find(comp, ra);
        csize[r] = csize[ra] + csize[rb];
    }
    free(sorted);

    /* members of each component, in record order: counting sort by root */
    uint32_t *start = calloc(n + 1, sizeof *start);
    uint32_t *member = malloc((n ? n : 1) * sizeof *member);
    if (!start || !member) {
        free(comp); free(csize); free(start); free(member);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for clustering");
    }
    for (size_t i = 0; i < n; i++) {
        comp[i] = uf_find(comp, (uint32_t)i);    /* each record's root, compressed */
        start[comp[i] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    uint32_t *fill = csize;                      /* reuse as write cursors */
    memcpy(fill, start, n * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        member[fill[comp[i]]++] = (uint32_t)i;

    /* final clusters: pairs of a component merge only through repair */
    uf_init(cluster_of, n);
    enum cm_status rc = CM_OK;
    for (size_t r = 0; !rc && r < n; r++) {
        size_t k = start[r + 1] - start[r];
        const uint32_t *m = member + start[r];
        if (k < 2)
            continue;
        if (k == 2) {
            uf_unite(cluster_of, m[0], m[1]);
            continue;
        }
        size_t groups = 0;
        rc = repair(m, k, fn, ctx, o->merge_weight, cluster_of, &groups);
        st->components_repaired++;
        if (!rc && groups > 1) {
            st->components_split++;
            /* records outside the largest group */
            size_t largest = 0;
            for (size_t i = 0; i < k; i++) {
                size_t same = 0;
                for (size_t j = 0; j < k; j++)
                    same += uf_find(cluster_of, m[j]) == uf_find(cluster_of, m[i]);
                if (same > largest)
                    largest = same;
            }
            st->records_split_off += k - largest;
        }
    }
    if (rc) {
        free(comp); free(csize); free(start); free(member);
        return cm_fail(err, rc, "out of memory repairing clusters");
    }
    memset(csize, 0, n * sizeof *csize);
    for (size_t i = 0; i < n; i++) {
        cluster_of[i] = uf_find(cluster_of, (uint32_t)i);
        if (++csize[cluster_of[i]] > st->largest_cluster)
            st->largest_cluster = csize[cluster_of[i]];
        if (cluster_of[i] == i)
            st->clusters++;
    }
    free(comp); free(csize); free(start); free(member);
    return CM_OK;
}
