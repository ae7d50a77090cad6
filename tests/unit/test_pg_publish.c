/* test_pg_publish.c — the publish side of the resolve seam (connectors/pg/pg_publish.h)
 * against a real PostgreSQL: decided pairs staged by rec_no become match_evidence rows
 * keyed by (source, key) in order, review pairs go to review_queue, reruns keep what
 * is unchanged, pairs no longer decided or with a deleted record lose their rows, a
 * person's decision in review_queue is left alone, and a run that does not commit
 * changes nothing.
 *
 * Needs a database: it runs only with CRMERGE_TEST_PG=1 and libpq's PG* variables
 * (tests/e2e/t122_match_evidence.sh runs it so); otherwise it reports no cases. It
 * owns the schema "pub_test", dropped at its start. */
#include <libpq-fe.h>
#include <stdlib.h>
#include "connectors/pg/pg_publish.h"
#include "connectors/pg/pg_target.h"
#include "pipeline/buf.h"
#include "pipeline/hash.h"
#include "testlib.h"

#define SCHEMA "pub_test"

static PGconn *db;               /* the test's own session, for setup and checks */
static long long last_run;

/* The first cell of sql's result as text ("" for none), in a static buffer. */
static const char *q(const char *sql)
{
    static char out[4096];
    out[0] = '\0';
    PGresult *res = PQexec(db, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        snprintf(out, sizeof out, "%s", PQgetvalue(res, 0, 0));
    else if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
        fprintf(stderr, "query failed: %s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    return out;
}

static const char EVIDENCE[] =
    "SELECT string_agg(concat_ws('|', source_a, key_a, source_b, key_b, decision, rule, weight),"
    "                  ',' ORDER BY source_a, key_a, source_b, key_b)"
    " FROM " SCHEMA ".match_evidence";
static const char REVIEW[] =
    "SELECT string_agg(concat_ws('|', source_a, key_a, source_b, key_b, status, weight),"
    "                  ',' ORDER BY source_a, key_a, source_b, key_b)"
    " FROM " SCHEMA ".review_queue";

/* The records of every run, by rec_no; keys out of order on purpose. */
static const char *const KEYS[] = { "Z", "A", "C", "D", "B" };

static struct contact record(size_t i)
{
    static const char *const emails[] = { "zoe@example.com", "ann@example.com",
                                          "carl@example.com", "dora@example.com",
                                          "bob@example.com" };
    struct contact c;
    memset(&c, 0, sizeof c);
    c.source = "s";
    c.source_key = KEYS[i];
    c.given_name = "Person";
    c.family_name = KEYS[i];
    c.emails[c.nemails++] = emails[i];
    return c;
}

/* One run of records 0 .. nrec-1 (source "s", read whole) with the decided pairs in
 * pairs (stage_pair's COPY rows), committed or not. */
static enum cm_status run(size_t nrec, const char *pairs, int commit,
                          struct publish_counts *pc, char *err)
{
    struct pg_target *t = NULL;
    struct snapshot snap = SNAPSHOT_INIT;
    struct buf json = BUF_INIT(0);
    const char *const sources[] = { "s" };
    uint32_t cluster_of[5] = { 0, 1, 2, 3, 4 };
    FILE *deleted = tmpfile(), *rows = tmpfile();
    int applied;
    enum cm_status rc = deleted && rows ? CM_OK : cm_fail(err, CM_ERR_IO, "tmpfile");
    if (!rc) rc = pgt_connect(SCHEMA, &t, err);
    if (!rc) rc = pgt_lock(t, 5, err);
    if (!rc) rc = pgt_migrate(t, &applied, err);
    if (!rc) rc = pgt_run_start(t, "test_pg_publish", &last_run, err);
    if (!rc) rc = pgt_stage_begin(t, sources, 1, &snap, err);
    for (size_t i = 0; !rc && i < nrec; i++) {
        struct contact c = record(i);
        buf_reset(&json);
        rc = contact_to_json(&c, &json);
        char state, hash[17];
        uint64_t h = hash64(json.data, json.len, 0);
        hash64_hex(h, hash);
        if (!rc) rc = snapshot_classify(&snap, c.source, c.source_key, h, &state);
        if (!rc) rc = pgt_stage_record(t, (uint32_t)i, state, &c, json.data, json.len, hash,
                                       "test", err);
    }
    if (!rc) rc = pgt_stage_end(t, err);
    if (!rc) rc = pgt_stage_deleted(t, deleted, err);
    if (!rc) rc = pgt_stage_clusters(t, cluster_of, nrec, err);
    if (!rc && fputs(pairs, rows) == EOF)
        rc = cm_fail(err, CM_ERR_IO, "tmpfile");
    if (!rc) rc = pgt_stage_pairs(t, rows, err);
    if (!rc) rc = pgt_publish(t, last_run, sources, 1, 0, pc, err);
    if (t) {
        char ferr[CM_ERRBUF];
        enum cm_status frc = pgt_run_finish(t, last_run, !rc && commit,
                                            !rc && commit ? "succeeded" : "failed", "{}",
                                            NULL, ferr);
        if (!rc && frc)
            rc = cm_fail(err, frc, "%s", ferr);
    }
    pgt_close(t);
    snapshot_free(&snap);
    buf_free(&json);
    if (deleted)
        fclose(deleted);
    if (rows)
        fclose(rows);
    return rc;
}

#define RUN_OK(nrec, pairs, pc) do {                                             \
        char err_[CM_ERRBUF] = "";                                               \
        enum cm_status rc_ = run((nrec), (pairs), 1, (pc), err_);                \
        if (rc_)                                                                 \
            fprintf(stderr, "run failed: %s\n", err_);                           \
        CHECK(rc_ == CM_OK);                                                     \
    } while (0)

static const char AZ_MATCH[] = "0\t1\t0\t1\tmatch\tsame e-mail\t[]\n";
static const char CD_REVIEW[] =
    "2\t3\t3.5\t0.90000000000000002\treview\t\\N\t[{\"level\":\"exact\",\"weight\":3.5}]\n";
static const char CD_REVIEW_HIGHER[] =
    "2\t3\t4\t0.92000000000000004\treview\t\\N\t[{\"level\":\"exact\",\"weight\":4}]\n";

static long long run1;

TEST(pairs_are_keyed_and_ordered)
{
    struct publish_counts pc;
    char pairs[512];
    snprintf(pairs, sizeof pairs, "%s%s", AZ_MATCH, CD_REVIEW);
    RUN_OK(4, pairs, &pc);
    run1 = last_run;
    CHECK_STR(q(EVIDENCE), "s|A|s|Z|match|same e-mail|0,s|C|s|D|review|3.5");
    CHECK_STR(q(REVIEW), "s|C|s|D|open|3.5");
    CHECK_STR(q("SELECT evidence->0->>'level' FROM " SCHEMA ".match_evidence WHERE key_a = 'C'"),
              "exact");
    CHECK_INT(pc.pairs_matched, 1);
    CHECK_INT(pc.pairs_review, 1);
}

TEST(a_rerun_keeps_evidence_and_refreshes_review)
{
    struct publish_counts pc;
    char pairs[512];
    snprintf(pairs, sizeof pairs, "%s%s", AZ_MATCH, CD_REVIEW);
    RUN_OK(4, pairs, &pc);
    char want[64];
    snprintf(want, sizeof want, "%lld", run1);
    CHECK_STR(q("SELECT string_agg(DISTINCT run_id::text, ',') FROM " SCHEMA ".match_evidence"),
              want);
    snprintf(want, sizeof want, "%lld %lld", run1, last_run);
    CHECK_STR(q("SELECT first_run || ' ' || last_run FROM " SCHEMA ".review_queue"), want);
}

TEST(a_persons_decision_is_left_alone)
{
    q("UPDATE " SCHEMA ".review_queue SET status = 'rejected'");
    long long decided = last_run;
    struct publish_counts pc;
    char pairs[512];
    snprintf(pairs, sizeof pairs, "%s%s", AZ_MATCH, CD_REVIEW_HIGHER);
    RUN_OK(4, pairs, &pc);
    CHECK_STR(q(EVIDENCE), "s|A|s|Z|match|same e-mail|0,s|C|s|D|review|4");
    char want[64];
    snprintf(want, sizeof want, "%lld", last_run);
    CHECK_STR(q("SELECT run_id FROM " SCHEMA ".match_evidence WHERE key_a = 'C'"), want);
    CHECK_STR(q(REVIEW), "s|C|s|D|rejected|3.5");
    snprintf(want, sizeof want, "%lld", decided);
    CHECK_STR(q("SELECT last_run FROM " SCHEMA ".review_queue"), want);

    /* no longer reported: its evidence goes, the decided review row stays */
    RUN_OK(5, "0\t1\t0\t1\tmatch\tsame e-mail\t[]\n"
              "1\t2\t2\t0.80000000000000004\treview\t\\N\t[]\n"
              "3\t4\t0\t1\tmatch\tsame e-mail\t[]\n", &pc);
    CHECK_STR(q(EVIDENCE), "s|A|s|C|review|2,s|A|s|Z|match|same e-mail|0,"
                           "s|B|s|D|match|same e-mail|0");
    CHECK_STR(q(REVIEW), "s|A|s|C|open|2,s|C|s|D|rejected|3.5");
    CHECK_INT(pc.pairs_matched, 2);
    CHECK_INT(pc.pairs_review, 1);
}

TEST(pairs_no_longer_decided_or_deleted_go)
{
    struct publish_counts pc;
    /* B (rec 4) is gone from the source: B-D goes with it; A-C is no longer reviewed */
    RUN_OK(4, AZ_MATCH, &pc);
    CHECK_INT(pc.records_deleted, 1);
    CHECK_STR(q(EVIDENCE), "s|A|s|Z|match|same e-mail|0");
    CHECK_STR(q(REVIEW), "s|C|s|D|rejected|3.5");
}

TEST(a_pair_reported_twice_is_one_row)
{
    struct publish_counts pc;
    RUN_OK(4, "1\t0\t1\t0.5\treview\t\\N\t[]\n0\t1\t0\t1\tmatch\tsame e-mail\t[]\n", &pc);
    CHECK_STR(q(EVIDENCE), "s|A|s|Z|match|same e-mail|0");
    CHECK_INT(pc.pairs_matched, 1);
    CHECK_INT(pc.pairs_review, 0);
}

TEST(a_run_that_does_not_commit_changes_nothing)
{
    struct publish_counts pc;
    char err[CM_ERRBUF] = "";
    CHECK(run(4, CD_REVIEW, 0, &pc, err) == CM_OK);
    CHECK_STR(q(EVIDENCE), "s|A|s|Z|match|same e-mail|0");
    CHECK_STR(q(REVIEW), "s|C|s|D|rejected|3.5");
}

TEST(a_bad_pair_row_fails_naming_it)
{
    struct publish_counts pc;
    char err[CM_ERRBUF] = "";
    CHECK(run(4, "0\t1\t0\t1\tmatch\t\\N\tnot json\n", 1, &pc, err) == CM_ERR_DB);
    CHECK(strstr(err, "staging decided pairs") != NULL);
    CHECK_STR(q(EVIDENCE), "s|A|s|Z|match|same e-mail|0");
}

int main(void)
{
    const char *on = getenv("CRMERGE_TEST_PG");
    if (!on || strcmp(on, "1") != 0) {
        printf("# test_pg_publish: needs a database (CRMERGE_TEST_PG=1, PG* variables): "
               "run by tests/e2e/t122_match_evidence.sh\n");
        return test_report();
    }
    unsetenv("CRMERGE_DSN");
    db = PQconnectdb("");
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "test_pg_publish: cannot connect: %s", PQerrorMessage(db));
        PQfinish(db);
        return 1;
    }
    q("SET client_min_messages TO warning");
    q("DROP SCHEMA IF EXISTS " SCHEMA " CASCADE");
    RUN(pairs_are_keyed_and_ordered);
    RUN(a_rerun_keeps_evidence_and_refreshes_review);
    RUN(a_persons_decision_is_left_alone);
    RUN(pairs_no_longer_decided_or_deleted_go);
    RUN(a_pair_reported_twice_is_one_row);
    RUN(a_run_that_does_not_commit_changes_nothing);
    RUN(a_bad_pair_row_fails_naming_it);
    PQfinish(db);
    return test_report();
}
