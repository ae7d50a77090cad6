/* pg_target.h — the PostgreSQL target's session: the connection (from the environment
 * only), the one-run-at-a-time lock, crmerge's own migrations, the run log, the sync
 * state of incremental sources, the replay of live records, and the read-only probes
 * of `crmerge check`. Staging and the publish transaction are pg_publish.h's.
 *
 * Called by pipeline/run.c (`crmerge run`) and pipeline/main.c (`crmerge check`).
 * A run goes:  pgt_connect -> pgt_lock -> pgt_migrate -> pgt_run_start -> pgt_sync_get
 *   -> staging and publish (pg_publish.h), pgt_replay_live for incremental sources
 *   -> pgt_sync_set -> pgt_run_finish(commit or not).
 * pgt_run_finish commits the publish transaction, or rolls it back so the previous
 * published state stays untouched; the run row and its rejected records are then
 * written in a transaction of their own. SQL values go only through COPY or
 * parameters; identifiers are quoted. */
#ifndef CM_PG_TARGET_H
#define CM_PG_TARGET_H

#include <stddef.h>
#include <stdio.h>
#include "pipeline/status.h"

struct pg_target;

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
