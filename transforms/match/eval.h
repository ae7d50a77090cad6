/* eval.h — clusters measured against a truth (`crmerge eval`; DESIGN.md, "Evaluation").
 *
 * A record is a (source, source_key). The truth gives each record a person id, the
 * clusters (a resolver's output: `crmerge resolve --clusters-out`, or cluster_of[] in
 * process) give each record a cluster id. Measured over the records that are in both:
 *   true pairs       pairs of records with the same person
 *   predicted pairs  pairs of records in the same cluster
 *   correct pairs    pairs that are both
 *   precision = correct / predicted, recall = correct / true, F1 their harmonic mean;
 *   a ratio over no pairs is 1 (no predicted pair: nothing was wrongly joined; no true
 *   pair: nothing was to be found), and F1 is 0 when precision and recall are
 *   split persons     persons whose records lie in more than one cluster
 *   mixed clusters    clusters that hold records of more than one person, the worst
 *                     (most wrongly joined pairs) with their members
 * Pairs are counted from sizes, n(n-1)/2 over the cells of the cluster x person
 * contingency table, never by enumerating them: a 100 000-record cluster costs no
 * more than its records.
 *
 * Records in only one of the two are not measured; they are counted (unmatched_truth,
 * unmatched_clusters) with a few examples, never dropped silently. A (source,
 * source_key) that appears twice in the truth must name one person (twice the same is
 * read once); in the clusters each row is a record (a source may repeat a key: both
 * records get the truth's person).
 *
 * Ownership: an eval copies what it is given; the result and every string in it belong
 * to the eval and live until eval_free. Nothing here prints except eval_print. */
#ifndef CM_EVAL_H
#define CM_EVAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pipeline/status.h"

#define EVAL_MEMBERS_MAX 50      /* members kept of each worst cluster */
#define EVAL_EXAMPLES 3          /* unmatched records named */

struct eval;

struct eval_member {
    const char *source, *source_key, *person;
};

struct eval_cluster {            /* one of the worst mixed clusters */
    const char *cluster;         /* its id */
    size_t records, persons;
    unsigned long long wrong_pairs;          /* pairs of different persons joined */
    const struct eval_member *members;       /* in record order, at most EVAL_MEMBERS_MAX */
    size_t nmembers;
};

struct eval_result {
    size_t records, clusters, persons;       /* of the records in both */
    unsigned long long true_pairs, predicted_pairs, correct_pairs;
    double precision, recall, f1;
    size_t split_persons, mixed_clusters;
    const struct eval_cluster *worst;        /* most wrong pairs first */
    size_t nworst;
    size_t unmatched_truth, unmatched_clusters;
    const char *unmatched_truth_example[EVAL_EXAMPLES];      /* "source,source_key" */
    const char *unmatched_clusters_example[EVAL_EXAMPLES];
};

enum cm_status eval_new(struct eval **out, char *err);
void eval_free(struct eval *e);

/* One record of the truth / of the clusters; where ("truth.csv:12") names it in
 * messages. CM_ERR_INPUT for an empty value or a record the truth gives two persons. */
enum cm_status eval_add_truth(struct eval *e, const char *source, const char *source_key,
                              const char *person, const char *where, char *err);
enum cm_status eval_add_cluster(struct eval *e, const char *source, const char *source_key,
                                const char *cluster, const char *where, char *err);

/* Read a CSV file with a header naming source, source_key and person_id (truth) or
 * cluster_id (clusters), in any order, other columns ignored; quoted fields as RFC 4180
 * (keys may hold commas). A file that cannot be opened is CM_ERR_CONFIG; a missing
 * column, a bad row or value is CM_ERR_INPUT naming the file and line. */
enum cm_status eval_read_truth(struct eval *e, const char *path, char *err);

/* The truth's person of a record as a number (0, 1, ... for the persons read), or
 * UINT32_MAX when the truth does not name the record. */
uint32_t eval_truth_person(const struct eval *e, const char *source, const char *source_key);
enum cm_status eval_read_clusters(struct eval *e, const char *path, char *err);

/* Measure what was added; the worst mixed clusters, up to `worst` of them. No record in
 * both is CM_ERR_INPUT (the source names of the two files differ, most likely): every
 * ratio would be one of no pairs. */
enum cm_status eval_compute(struct eval *e, size_t worst, const struct eval_result **out,
                            char *err);

/* The result as lines ("records 1000", "clusters 980 (persons 500)", "precision
 * 0.981234", ...) or as one JSON object (a new reference; NULL out of memory). */
enum cm_status eval_print(const struct eval_result *r, FILE *out);
json_t *eval_to_json(const struct eval_result *r);

#endif
