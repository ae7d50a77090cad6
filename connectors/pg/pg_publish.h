/* pg_publish.h — staging and the publish transaction of `crmerge run`: every record of
 * the run is streamed with COPY into temporary staging tables (by its rec_no, the
 * profile store's record number), the resolver's clusters (cluster_of[]) and decided
 * pairs are staged by rec_no, and pgt_publish writes source records, customers,
 * crosswalk, match evidence and review queue set-based, inside ONE transaction that
 * pgt_run_finish (pg_target.h) commits or rolls back.
 *
 * Called by pipeline/run.c only, on a session from pgt_connect, after pgt_run_start:
 *   pgt_stage_begin (opens the transaction, loads the change-detection snapshot)
 *   -> pgt_stage_record ... -> pgt_stage_end -> pgt_stage_deleted
 *   -> pgt_stage_clusters -> pgt_stage_pairs -> pgt_publish.
 * SQL values go only through COPY or parameters; identifiers are quoted. */
#ifndef CM_PG_PUBLISH_H
#define CM_PG_PUBLISH_H

#include <stdint.h>
#include <stdio.h>
#include "connectors/pg/pg_target.h"
#include "pipeline/contact.h"
#include "pipeline/snapshot.h"
#include "pipeline/status.h"

struct publish_counts {
    long long records_new, records_changed, records_unchanged, records_deleted;
    long long records_kept;      /* not delivered by an incremental source: kept as they were */
    long long keys_disambiguated;
    long long clusters;
    long long customers_new, customers_changed, customers_retired, customers_total;
    long long crosswalk_changed;
    long long pairs_matched;     /* match_evidence rows of this run's decisions: 'match' */
    long long pairs_review;      /* ... and 'review' (also in review_queue) */
};

/* Open the publish transaction, load into snap what the target holds for the sources
 * named (change detection), and start streaming records into staging. */
enum cm_status pgt_stage_begin(struct pg_target *t, const char *const *sources,
                               size_t nsources, struct snapshot *snap, char *err);
/* state: 'n', 'c', 'u' or 'd' from snapshot_classify, json may be NULL for 'u'; or
 * 'k' (kept): a record an incremental source did not deliver again, carried into the
 * run from the target (json NULL). */
enum cm_status pgt_stage_record(struct pg_target *t, uint32_t rec_no, char state,
                                const struct contact *c, const char *json, size_t json_len,
                                const char *content_hash, const char *location, char *err);
enum cm_status pgt_stage_end(struct pg_target *t, char *err);

/* Records an incremental source reported deleted: a spill file of COPY text rows
 * "source\tsource_key\n". After pgt_stage_end, before pgt_publish. */
enum cm_status pgt_stage_deleted(struct pg_target *t, FILE *rows, char *err);

/* cluster_of[rec_no]: each staged record's cluster (the resolver's output). */
enum cm_status pgt_stage_clusters(struct pg_target *t, const uint32_t *cluster_of, size_t n,
                                  char *err);

/* The pairs the resolver decided (resolve.h's pair_result): a spill file of COPY text
 * rows "rec_a\trec_b\tweight\tprobability\tdecision\trule\tevidence\n", records by
 * rec_no, decision "match" or "review", rule \N when none, evidence a JSON array. After
 * pgt_stage_end, before pgt_publish. */
enum cm_status pgt_stage_pairs(struct pg_target *t, FILE *rows, char *err);

/* Set-based upserts of source records, customers and crosswalk. Records of the sources
 * named in `whole` (read whole in this run) that this run did not deliver are marked
 * deleted; so are the records staged by pgt_stage_deleted.
 * Then the staged pairs replace match_evidence for pairs between records of this run
 * (a pair no longer decided loses its row, as does a pair with a record deleted now);
 * review pairs go into review_queue, whose open rows this run no longer sends to
 * review are removed (rows a person decided are left alone). */
enum cm_status pgt_publish(struct pg_target *t, long long run_id,
                           const char *const *whole, size_t nwhole,
                           int disambiguate_keys, struct publish_counts *out, char *err);

#endif
