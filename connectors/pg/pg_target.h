/* pg_target.h — the PostgreSQL target: the connection (from the environment only),
 * the one-run-at-a-time lock, crmerge's own migrations, the run log, and the atomic
 * publish of a run.
 *
 * A run goes:  pgt_connect -> pgt_lock -> pgt_migrate -> pgt_run_start
 *   -> pgt_stage_begin (loads the change-detection snapshot)
 *   -> pgt_stage_record ... (pgt_replay_live for incremental sources) -> pgt_stage_end
 *   -> pgt_stage_deleted -> pgt_stage_clusters -> pgt_publish -> pgt_sync_set
 *   -> pgt_run_finish(commit or not).
 * Staging and publish happen in ONE transaction that pgt_run_finish commits, or
 * rolls back so the previous published state stays untouched; the run row and its
 * rejected records are then written in a transaction of their own. SQL values go
 * only through COPY or parameters; identifiers are quoted. */
#ifndef CM_PG_TARGET_H
#define CM_PG_TARGET_H

#include <stdint.h>
#include <stdio.h>
#include "pipeline/contact.h"
#include "pipeline/snapshot.h"
#include "pipeline/status.h"

struct pg_target;

struct publish_counts {
    long long records_new, records_changed, records_unchanged, records_deleted;
    long long records_kept;      /* not delivered by an incremental source: kept as they were */
    long long keys_disambiguated;
    long long clusters;
    long long customers_new, customers_changed, customers_retired, customers_total;
    long long crosswalk_changed;
};

/* CRMERGE_DSN if set, else libpq's PG* variables. Never logs the connection string. */
enum cm_status pgt_connect(const char *schema, struct pg_target **out, char *err);
void pgt_close(struct pg_target *t);

/* Session advisory lock on the schema; waits up to wait_seconds, then CM_ERR_BUSY.
 * Marks runs left 'running' by a crashed process as 'abandoned'. */
enum cm_status pgt_lock(struct pg_target *t, int wait_seconds, char *err);

/* Apply schemas/sql/NNN_*.sql not yet recorded in schema_migration. */
enum cm_status pgt_migrate(struct pg_target *t, int *applied, char *err);
/* Read-only: how many migrations a run would apply (for `crmerge check`). */
enum cm_status pgt_pending_migrations(struct pg_target *t, int *pending, char *err);

/* Read-only probe for `crmerge check`: server version, whether a run holds the lock. */
enum cm_status pgt_probe(struct pg_target *t, char *version, size_t cap, int *run_active,
                         char *err);

enum cm_status pgt_run_start(struct pg_target *t, const char *config_path,
                             long long *run_id, char *err);

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
/* cluster_of[rec_no]: each staged record's cluster (the resolver's output). */
enum cm_status pgt_stage_clusters(struct pg_target *t, const uint32_t *cluster_of, size_t n,
                                  char *err);

/* Records an incremental source reported deleted: a spill file of COPY text rows
 * "source\tsource_key\n". After pgt_stage_end, before pgt_publish. */
enum cm_status pgt_stage_deleted(struct pg_target *t, FILE *rows, char *err);

/* Set-based upserts of source records, customers and crosswalk. Records of the sources
 * named in `whole` (read whole in this run) that this run did not deliver are marked
 * deleted; so are the records staged by pgt_stage_deleted. */
enum cm_status pgt_publish(struct pg_target *t, long long run_id,
                           const char *const *whole, size_t nwhole,
                           int disambiguate_keys, struct publish_counts *out, char *err);

/* ---- incremental sources ---- */

/* The bookmark stored for source (out gets "" when none). */
enum cm_status pgt_sync_get(struct pg_target *t, const char *source, char *out, size_t cap,
                            char *err);
/* Store a source's bookmark inside the publish transaction (after pgt_publish): it is
 * committed with the records or not at all. whole: the source was read whole. */
enum cm_status pgt_sync_set(struct pg_target *t, const char *source, const char *bookmark,
                            int whole, long long run_id, char *err);

/* Each live record the target holds for source: key, content hash, location and
 * canonical JSON without its "extra" (unmapped source fields: not compared, and often
 * half the text). Read on a second session of its own, so it works while the publish
 * transaction streams COPY; it sees what the last run published. */
typedef enum cm_status pgt_record_fn(void *ctx, const char *key, const char *content_hash,
                                     const char *location, const char *json, size_t len,
                                     char *err);
enum cm_status pgt_replay_live(struct pg_target *t, const char *source, pgt_record_fn *fn,
                               void *ctx, char *err);

/* End the run. commit: commit the publish transaction; else roll it back. Then
 * record status, summary (JSON text) and the rejects (a file of COPY text rows
 * "run_id\tseq\tsource\tlocation\treason\traw\n", may be NULL). */
enum cm_status pgt_run_finish(struct pg_target *t, long long run_id, int commit,
                              const char *status, const char *summary_json,
                              FILE *rejects, char *err);

#endif
