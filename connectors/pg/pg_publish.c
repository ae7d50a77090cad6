/* pg_publish.c — staging and the publish transaction of a run (see pg_publish.h). */
#include "connectors/pg/pg_publish.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include "connectors/pg/pg_copy.h"
#include "connectors/pg/pg_internal.h"

/* Inject a failure at a named publish step, for the tests that prove a failed
 * publish leaves the previous view intact: CRMERGE_FAULT=<step> fails there;
 * CRMERGE_FAULT=sleep_<step> holds the transaction open there for 5 s, so a test can
 * kill the connection mid-publish. Test-only; documented in tests/README.md. */
static enum cm_status fault_point(struct pg_target *t, const char *step, char *err)
{
    const char *f = getenv("CRMERGE_FAULT");
    if (!f)
        return CM_OK;
    if (strcmp(f, step) == 0)
        return cm_fail(err, CM_ERR_DB, "publish: injected fault at %s (CRMERGE_FAULT)", step);
    if (strncmp(f, "sleep_", 6) == 0 && strcmp(f + 6, step) == 0)
        return pgi_exec(t, "SELECT pg_sleep(5)", "publish", err);
    return CM_OK;
}

/* '{"a","b"}' for a text[] parameter; source names are [A-Za-z0-9_.-] (config.c). */
static enum cm_status sources_array(const char *const *sources, size_t n, struct buf *out)
{
    enum cm_status rc = buf_addch(out, '{');
    for (size_t i = 0; !rc && i < n; i++)
        rc = buf_printf(out, "%s\"%s\"", i ? "," : "", sources[i]);
    if (!rc)
        rc = buf_addch(out, '}');
    return rc;
}

/* ---- staging ------------------------------------------------------------------ */

/* Fill snap with the target's (source, key, content hash, live) for the sources named;
 * streamed row by row so a million keys do not sit in one result. */
static enum cm_status load_snapshot(struct pg_target *t, const char *const *sources,
                                    size_t nsources, struct snapshot *snap, char *err)
{
    struct buf arr = BUF_INIT(0);
    enum cm_status rc = sources_array(sources, nsources, &arr);
    if (rc)
        return rc;
    const char *p[] = { arr.data };
    int sent = PQsendQueryParams(t->conn,
        "SELECT source, source_key, content_hash, deleted_run IS NULL FROM source_record"
        " WHERE source = ANY ($1::text[])", 1, NULL, p, NULL, NULL, 0);
    buf_free(&arr);
    if (!sent || !PQsetSingleRowMode(t->conn))
        return pgi_db_fail(t, NULL, "snapshot", err);
    PGresult *res;
    while ((res = PQgetResult(t->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && !rc) {
            uint64_t hash = strtoull(PQgetvalue(res, 0, 2), NULL, 16);
            rc = snapshot_add(snap, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), hash,
                              PQgetvalue(res, 0, 3)[0] == 't');
            if (rc)
                cm_fail(err, rc, "snapshot: %s", cm_strerror(rc));
        } else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && !rc) {
            rc = cm_fail(err, CM_ERR_DB, "snapshot: %s", PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    return rc;
}

enum cm_status pgt_stage_begin(struct pg_target *t, const char *const *sources,
                               size_t nsources, struct snapshot *snap, char *err)
{
    enum cm_status rc = pgi_exec(t,
        "BEGIN;"
        "SET LOCAL work_mem TO '256MB';"
        "SET LOCAL maintenance_work_mem TO '256MB';"
        "CREATE TEMP TABLE stage_record ("
        " rec_no integer NOT NULL, state \"char\" NOT NULL, source text NOT NULL,"
        " source_key text NOT NULL, key_derived boolean NOT NULL, content_hash text NOT NULL,"
        " canonical jsonb, location text, source_updated text,"
        " display_name text, given_name text, family_name text, company text,"
        " email text, phone text, city text, country text) ON COMMIT DROP;"
        "CREATE TEMP TABLE stage_cluster ("
        " rec_no integer NOT NULL, cluster integer NOT NULL) ON COMMIT DROP;"
        "CREATE TEMP TABLE stage_deleted ("
        " source text NOT NULL, source_key text NOT NULL) ON COMMIT DROP;"
        "CREATE TEMP TABLE stage_pair ("
        " rec_a integer NOT NULL, rec_b integer NOT NULL, weight double precision NOT NULL,"
        " probability double precision NOT NULL, decision text NOT NULL, rule text,"
        " evidence jsonb NOT NULL) ON COMMIT DROP;"
        "CREATE TEMP TABLE stage_gone ("
        " source text NOT NULL, source_key text NOT NULL) ON COMMIT DROP",
        "staging", err);
    if (rc)
        return rc;
    t->in_publish = 1;
    rc = load_snapshot(t, sources, nsources, snap, err);
    if (rc)
        return rc;
    rc = copy_begin(&t->copy, t->conn,
                    "COPY stage_record (rec_no, state, source, source_key, key_derived, "
                    "content_hash, canonical, location, source_updated, display_name, "
                    "given_name, family_name, company, email, phone, city, country) "
                    "FROM STDIN", err);
    if (rc)
        return rc;
    t->copy_open = 1;
    return CM_OK;
}

/* "Given Family", else the full name, else the company, else the first e-mail */
static enum cm_status copy_display_name(struct copy_writer *w, const struct contact *c,
                                        char *err)
{
    if (c->given_name && c->family_name) {
        char name[512];
        int n = snprintf(name, sizeof name, "%s %s", c->given_name, c->family_name);
        if (n > 0 && (size_t)n < sizeof name)
            return copy_field(w, name, (size_t)n, err);
    }
    const char *name = c->full_name ? c->full_name
                     : c->family_name ? c->family_name
                     : c->given_name ? c->given_name
                     : c->company ? c->company
                     : c->nemails ? c->emails[0] : NULL;
    return copy_fieldz(w, name, err);
}

enum cm_status pgt_stage_record(struct pg_target *t, uint32_t rec_no, char state,
                                const struct contact *c, const char *json, size_t json_len,
                                const char *content_hash, const char *location, char *err)
{
    char num[16];
    snprintf(num, sizeof num, "%u", rec_no);
    char st[2] = { state, '\0' };
    struct copy_writer *w = &t->copy;
    enum cm_status rc = copy_fieldz(w, num, err);
    if (!rc) rc = copy_fieldz(w, st, err);
    if (!rc) rc = copy_fieldz(w, c->source, err);
    if (!rc) rc = copy_fieldz(w, c->source_key, err);
    if (!rc) rc = copy_fieldz(w, c->source_key_derived ? "t" : "f", err);
    if (!rc) rc = copy_fieldz(w, content_hash, err);
    if (!rc) rc = json ? copy_field(w, json, json_len, err) : copy_null(w, err);
    if (!rc) rc = copy_fieldz(w, location, err);
    /* the display fields of the golden record, so publish needs no JSON access */
    const struct contact_address *addr = c->naddresses ? &c->addresses[0] : NULL;
    if (!rc) rc = copy_fieldz(w, c->source_updated, err);
    if (!rc) rc = copy_display_name(w, c, err);
    if (!rc) rc = copy_fieldz(w, c->given_name, err);
    if (!rc) rc = copy_fieldz(w, c->family_name, err);
    if (!rc) rc = copy_fieldz(w, c->company, err);
    if (!rc) rc = copy_fieldz(w, c->nemails ? c->emails[0] : NULL, err);
    if (!rc) rc = copy_fieldz(w, c->nphones ? c->phones[0].number : NULL, err);
    if (!rc) rc = copy_fieldz(w, addr ? addr->city : NULL, err);
    if (!rc) rc = copy_fieldz(w, addr ? addr->country : NULL, err);
    if (!rc) rc = copy_end_row(w, err);
    return rc;
}

enum cm_status pgt_stage_end(struct pg_target *t, char *err)
{
    t->copy_open = 0;
    return copy_finish(&t->copy, NULL, err);
}

enum cm_status pgt_stage_clusters(struct pg_target *t, const uint32_t *cluster_of, size_t n,
                                  char *err)
{
    enum cm_status rc = copy_begin(&t->copy, t->conn,
                                   "COPY stage_cluster (rec_no, cluster) FROM STDIN", err);
    if (rc)
        return rc;
    t->copy_open = 1;
    for (size_t i = 0; !rc && i < n; i++) {
        char rec[24], cluster[16];
        snprintf(rec, sizeof rec, "%zu", i);
        snprintf(cluster, sizeof cluster, "%u", cluster_of[i]);
        rc = copy_fieldz(&t->copy, rec, err);
        if (!rc) rc = copy_fieldz(&t->copy, cluster, err);
        if (!rc) rc = copy_end_row(&t->copy, err);
    }
    t->copy_open = 0;
    enum cm_status frc = copy_finish(&t->copy, rc ? "staging clusters failed" : NULL, err);
    if (rc)
        return rc;
    if (frc)
        return frc;
    return pgi_exec(t, "CREATE INDEX ON stage_record (rec_no); ANALYZE stage_record; "
                       "CREATE INDEX ON stage_cluster (rec_no); ANALYZE stage_cluster",
                    "staging", err);
}

enum cm_status pgt_stage_deleted(struct pg_target *t, FILE *rows, char *err)
{
    return pgi_copy_file(t, "COPY stage_deleted (source, source_key) FROM STDIN", rows, err);
}

enum cm_status pgt_stage_pairs(struct pg_target *t, FILE *rows, char *err)
{
    char cerr[CM_ERRBUF] = "";
    enum cm_status rc = pgi_copy_file(t, "COPY stage_pair (rec_a, rec_b, weight, probability,"
                                         " decision, rule, evidence) FROM STDIN", rows, cerr);
    if (rc)
        return cm_fail(err, rc, "staging decided pairs: %s", cerr);
    return pgi_exec(t, "ANALYZE stage_pair", "staging decided pairs", err);
}

/* ---- publish -------------------------------------------------------------------- */

/* Two records of one source with one key (an export that repeats an id, or two
 * people indistinguishable by the content a derived key is built from): the one
 * with the smallest content hash keeps the key, the others get "~<hash prefix>"
 * (and "~N" among byte-identical rows). Deterministic for a given set of rows,
 * whatever their order in the file. Only the repeated keys are touched: their rows
 * get their canonical JSON (an unchanged first occurrence was staged without it),
 * new keys, and are classified again against the target. */
static const char SQL_DISAMBIGUATE[] =
    "CREATE TEMP TABLE stage_dup ON COMMIT DROP AS"
    " SELECT rec_no, source_key || CASE WHEN rank = 1 THEN '' ELSE '~' || left(content_hash, 8)"
    "        || CASE WHEN same > 1 THEN '~' || same ELSE '' END END AS new_key"
    " FROM (SELECT rec_no, source_key, content_hash,"
    "         row_number() OVER (PARTITION BY source, source_key"
    "                            ORDER BY content_hash, rec_no) AS rank,"
    "         row_number() OVER (PARTITION BY source, source_key, content_hash"
    "                            ORDER BY rec_no) AS same"
    "       FROM stage_record"
    "       WHERE (source, source_key) IN (SELECT source, source_key FROM stage_record"
    "                                      WHERE state = 'd')) ranked;"
    "UPDATE stage_record s SET canonical = r.canonical"
    " FROM stage_dup d, source_record r"
    " WHERE s.rec_no = d.rec_no AND s.canonical IS NULL"
    "   AND r.source = s.source AND r.source_key = s.source_key;"
    "UPDATE stage_record s SET source_key = d.new_key,"
    "   canonical = jsonb_set(s.canonical, '{source_key}', to_jsonb(d.new_key))"
    " FROM stage_dup d WHERE s.rec_no = d.rec_no AND d.new_key <> s.source_key;"
    "UPDATE stage_record s SET state = coalesce("
    "   (SELECT CASE WHEN r.content_hash <> s.content_hash OR r.deleted_run IS NOT NULL"
    "                THEN 'c' ELSE 'u' END"
    "    FROM source_record r WHERE r.source = s.source AND r.source_key = s.source_key),"
    "   'n')"
    " FROM stage_dup d WHERE s.rec_no = d.rec_no";

/* new / changed (or back from deleted) / unchanged; kept: not delivered by an
 * incremental source, carried into the run from the target */
static const char SQL_RECORD_COUNTS[] =
    "SELECT count(*) FILTER (WHERE state = 'n'), count(*) FILTER (WHERE state = 'c'),"
    "       count(*) FILTER (WHERE state = 'u') FROM stage_record";
static const char SQL_KEPT_COUNT[] =
    "SELECT count(*) FROM stage_record WHERE state = 'k'";

/* Unchanged records: seen again in this run. */
static const char SQL_SEEN_RECORDS[] =
    "UPDATE source_record r SET last_seen_run = $1, location = s.location"
    " FROM stage_record s"
    " WHERE s.state = 'u' AND r.source = s.source AND r.source_key = s.source_key";

/* Changed records, or records back after being deleted: new content. */
static const char SQL_CHANGED_RECORDS[] =
    "UPDATE source_record r SET last_seen_run = $1, changed_run = $1, location = s.location,"
    "  deleted_run = NULL, key_derived = s.key_derived, content_hash = s.content_hash,"
    "  canonical = s.canonical"
    " FROM stage_record s"
    " WHERE s.state = 'c' AND r.source = s.source AND r.source_key = s.source_key";

static const char SQL_INSERT_RECORDS[] =
    "INSERT INTO source_record (source, source_key, key_derived, content_hash,"
    "  canonical, location, first_seen_run, last_seen_run, changed_run)"
    " SELECT source, source_key, key_derived, content_hash, canonical, location, $1, $1, $1"
    " FROM stage_record WHERE state = 'n'";

/* Sources read whole: what they no longer deliver is gone. */
static const char SQL_MARK_DELETED[] =
    "UPDATE source_record r SET deleted_run = $1"
    " WHERE r.source = ANY ($2::text[]) AND r.deleted_run IS NULL"
    "   AND r.last_seen_run <> $1";

/* Records an incremental source reported deleted (unless it also delivered them live
 * in this run). */
static const char SQL_SOURCE_DELETED[] =
    "UPDATE source_record r SET deleted_run = $1"
    " FROM (SELECT DISTINCT source, source_key FROM stage_deleted) d"
    " WHERE r.source = d.source AND r.source_key = d.source_key AND r.deleted_run IS NULL"
    "   AND NOT EXISTS (SELECT 1 FROM stage_record s"
    "                   WHERE s.source = d.source AND s.source_key = d.source_key)";

/* Each cluster inherits the customer id most of its records carried (ties: the
 * oldest id); an id claimed by several clusters (a split) stays with the largest;
 * the rest get new ids, numbered in cluster order. The golden record for now: the
 * display fields of the cluster's most recently edited record (ties: source, key);
 * survivorship proper comes with the golden-record issue. */
static const char SQL_ASSIGN[] =
    "CREATE TEMP TABLE stage_assign ON COMMIT DROP AS"
    " WITH size AS (SELECT cluster, count(*) AS n FROM stage_cluster GROUP BY cluster),"
    " votes AS (SELECT c.cluster, x.customer_id, count(*) AS n"
    "           FROM stage_cluster c JOIN stage_record s USING (rec_no)"
    "           JOIN crosswalk x ON x.source = s.source AND x.source_key = s.source_key"
    "           GROUP BY c.cluster, x.customer_id),"
    " preferred AS (SELECT DISTINCT ON (cluster) cluster, customer_id FROM votes"
    "               ORDER BY cluster, n DESC, customer_id),"
    " kept AS (SELECT DISTINCT ON (p.customer_id) p.cluster, p.customer_id"
    "          FROM preferred p JOIN size USING (cluster)"
    "          ORDER BY p.customer_id, size.n DESC, p.cluster),"
    " golden AS (SELECT DISTINCT ON (c.cluster) c.cluster, s.rec_no"
    "            FROM stage_cluster c JOIN stage_record s USING (rec_no)"
    "            ORDER BY c.cluster, s.source_updated DESC NULLS LAST,"
    "                     s.source, s.source_key)"
    " SELECT size.cluster, size.n::integer AS n, kept.customer_id, golden.rec_no,"
    "        kept.customer_id IS NULL AS is_new"
    " FROM size JOIN golden USING (cluster) LEFT JOIN kept USING (cluster);"
    "UPDATE stage_assign a SET customer_id = f.id"
    " FROM (SELECT cluster, nextval('customer_id_seq') AS id"
    "       FROM (SELECT cluster FROM stage_assign WHERE customer_id IS NULL"
    "             ORDER BY cluster) o) f"
    " WHERE a.cluster = f.cluster;"
    "ANALYZE stage_assign";

static const char SQL_INSERT_CUSTOMERS[] =
    "INSERT INTO customer (customer_id, display_name, given_name, family_name, company,"
    "  email, phone, city, country, record_count, created_run, updated_run)"
    " SELECT a.customer_id, s.display_name, s.given_name, s.family_name, s.company,"
    "   s.email, s.phone, s.city, s.country, a.n, $1, $1"
    " FROM stage_assign a JOIN stage_record s USING (rec_no)"
    " WHERE a.is_new";

static const char SQL_UPDATE_CUSTOMERS[] =
    "UPDATE customer cu SET display_name = s.display_name, given_name = s.given_name,"
    "  family_name = s.family_name, company = s.company, email = s.email, phone = s.phone,"
    "  city = s.city, country = s.country, record_count = a.n, updated_run = $1,"
    "  retired_run = NULL"
    " FROM stage_assign a JOIN stage_record s USING (rec_no)"
    " WHERE NOT a.is_new AND cu.customer_id = a.customer_id"
    "   AND (cu.display_name, cu.given_name, cu.family_name, cu.company, cu.email,"
    "        cu.phone, cu.city, cu.country, cu.record_count, cu.retired_run)"
    "       IS DISTINCT FROM"
    "       (s.display_name, s.given_name, s.family_name, s.company, s.email,"
    "        s.phone, s.city, s.country, a.n, NULL::bigint)";

static const char SQL_UPDATE_CROSSWALK[] =
    "UPDATE crosswalk x SET customer_id = a.customer_id, assigned_run = $1"
    " FROM stage_record s JOIN stage_cluster c USING (rec_no)"
    " JOIN stage_assign a USING (cluster)"
    " WHERE x.source = s.source AND x.source_key = s.source_key"
    "   AND x.customer_id <> a.customer_id";

static const char SQL_INSERT_CROSSWALK[] =
    "INSERT INTO crosswalk (source, source_key, customer_id, assigned_run)"
    " SELECT s.source, s.source_key, a.customer_id, $1"
    " FROM stage_record s JOIN stage_cluster c USING (rec_no)"
    " JOIN stage_assign a USING (cluster)"
    " WHERE NOT EXISTS (SELECT 1 FROM crosswalk x"
    "                   WHERE x.source = s.source AND x.source_key = s.source_key)";

static const char SQL_DROP_DELETED_CROSSWALK[] =
    "DELETE FROM crosswalk x USING source_record r"
    " WHERE x.source = r.source AND x.source_key = r.source_key AND r.deleted_run = $1";

static const char SQL_RETIRE[] =
    "UPDATE customer cu SET retired_run = $1, updated_run = $1"
    " WHERE cu.retired_run IS NULL"
    "   AND NOT EXISTS (SELECT 1 FROM crosswalk x WHERE x.customer_id = cu.customer_id)";

/* ---- match evidence and review queue ---- */

/* The run's decided pairs (stage_pair, by rec_no) keyed by their records' source and
 * key (after disambiguation), each pair ordered byte-wise as match_evidence's CHECK
 * wants; a pair reported twice keeps its 'match'. */
static const char SQL_KEY_PAIRS[] =
    "CREATE TEMP TABLE stage_evidence ON COMMIT DROP AS"
    " SELECT DISTINCT ON (source_a, key_a, source_b, key_b) *"
    " FROM (SELECT CASE WHEN o.a_first THEN sa.source ELSE sb.source END AS source_a,"
    "              CASE WHEN o.a_first THEN sa.source_key ELSE sb.source_key END AS key_a,"
    "              CASE WHEN o.a_first THEN sb.source ELSE sa.source END AS source_b,"
    "              CASE WHEN o.a_first THEN sb.source_key ELSE sa.source_key END AS key_b,"
    "              p.weight, p.probability, p.decision, p.rule, p.evidence"
    "       FROM stage_pair p"
    "       JOIN stage_record sa ON sa.rec_no = p.rec_a"
    "       JOIN stage_record sb ON sb.rec_no = p.rec_b,"
    "       LATERAL (SELECT (sa.source COLLATE \"C\", sa.source_key COLLATE \"C\")"
    "                       < (sb.source, sb.source_key) AS a_first) o"
    "       WHERE (sa.source, sa.source_key) <> (sb.source, sb.source_key)) k"
    " ORDER BY source_a, key_a, source_b, key_b, decision, weight DESC;"
    "ANALYZE stage_evidence";

/* The records this run marked deleted (their pairs are decided no more). */
static const char SQL_GONE[] =
    "INSERT INTO stage_gone (source, source_key)"
    " SELECT source, source_key FROM source_record WHERE deleted_run = $1";

/* Evidence of pairs between two records of this run that it no longer decides, and
 * of pairs with a record it marked deleted. A pair with a record the run did not see
 * (of a source no longer in the config) is left as it is. NOT IN, not NOT EXISTS: a
 * hashed filter whatever the estimates (an anti join planned from a fresh table's
 * missing statistics took 6 s for 8 000 pairs). */
static const char SQL_DROP_STALE_EVIDENCE[] =
    "DELETE FROM match_evidence e USING stage_record sa, stage_record sb"
    " WHERE sa.source = e.source_a AND sa.source_key = e.key_a"
    "   AND sb.source = e.source_b AND sb.source_key = e.key_b"
    "   AND (e.source_a, e.key_a, e.source_b, e.key_b) NOT IN"
    "       (SELECT source_a, key_a, source_b, key_b FROM stage_evidence);"
    "DELETE FROM match_evidence e USING stage_gone g"
    " WHERE g.source = e.source_a AND g.source_key = e.key_a;"
    "DELETE FROM match_evidence e USING stage_gone g"
    " WHERE g.source = e.source_b AND g.source_key = e.key_b";

/* This run's decisions; a pair decided as before keeps its row (and run_id). */
static const char SQL_UPSERT_EVIDENCE[] =
    "INSERT INTO match_evidence AS e (source_a, key_a, source_b, key_b, weight, probability,"
    "  decision, rule, evidence, run_id)"
    " SELECT source_a, key_a, source_b, key_b, weight, probability, decision, rule, evidence, $1"
    " FROM stage_evidence"
    " ON CONFLICT (source_a, key_a, source_b, key_b) DO UPDATE"
    " SET weight = excluded.weight, probability = excluded.probability,"
    "     decision = excluded.decision, rule = excluded.rule, evidence = excluded.evidence,"
    "     run_id = excluded.run_id"
    " WHERE (e.weight, e.probability, e.decision, e.rule, e.evidence) IS DISTINCT FROM"
    "       (excluded.weight, excluded.probability, excluded.decision, excluded.rule,"
    "        excluded.evidence)";

/* Review pairs in; open ones refreshed; a person's decision (status not 'open') is
 * left alone. */
static const char SQL_UPSERT_REVIEW[] =
    "INSERT INTO review_queue AS q (source_a, key_a, source_b, key_b, weight, probability,"
    "  evidence, first_run, last_run)"
    " SELECT source_a, key_a, source_b, key_b, weight, probability, evidence, $1, $1"
    " FROM stage_evidence WHERE decision = 'review'"
    " ON CONFLICT (source_a, key_a, source_b, key_b) DO UPDATE"
    " SET weight = excluded.weight, probability = excluded.probability,"
    "     evidence = excluded.evidence, last_run = excluded.last_run"
    " WHERE q.status = 'open'";

/* Open pairs this run no longer sends to review (same scope as the evidence). */
static const char SQL_DROP_STALE_REVIEW[] =
    "DELETE FROM review_queue q USING stage_record sa, stage_record sb"
    " WHERE q.status = 'open'"
    "   AND sa.source = q.source_a AND sa.source_key = q.key_a"
    "   AND sb.source = q.source_b AND sb.source_key = q.key_b"
    "   AND (q.source_a, q.key_a, q.source_b, q.key_b) NOT IN"
    "       (SELECT source_a, key_a, source_b, key_b FROM stage_evidence"
    "        WHERE decision = 'review');"
    "DELETE FROM review_queue q USING stage_gone g"
    " WHERE q.status = 'open' AND g.source = q.source_a AND g.source_key = q.key_a;"
    "DELETE FROM review_queue q USING stage_gone g"
    " WHERE q.status = 'open' AND g.source = q.source_b AND g.source_key = q.key_b";

static enum cm_status count_query(struct pg_target *t, const char *sql, int nparams,
                                  const char *const *params, const char *what,
                                  long long *a, long long *b, long long *c, char *err)
{
    PGresult *res = NULL;
    enum cm_status rc = pgi_exec_params(t, sql, nparams, params, what, &res, err);
    if (rc)
        return rc;
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        if (a)
            *a = atoll(PQcmdTuples(res));
    } else {
        if (a) *a = pgi_cell_ll(res, 0, 0);
        if (b) *b = pgi_cell_ll(res, 0, 1);
        if (c) *c = pgi_cell_ll(res, 0, 2);
    }
    PQclear(res);
    return CM_OK;
}

/* match_evidence and review_queue for the pairs of this run (stage_pair), after the
 * records are written and the deleted ones marked. */
static enum cm_status publish_evidence(struct pg_target *t, const char *const *p1,
                                       struct publish_counts *out, char *err)
{
    enum cm_status rc = pgi_exec(t, SQL_KEY_PAIRS, "publish: match evidence", err);
    if (!rc) rc = pgi_exec_params(t, SQL_GONE, 1, p1, "publish: match evidence", NULL, err);
    if (!rc) rc = pgi_exec(t, SQL_DROP_STALE_EVIDENCE, "publish: match evidence", err);
    if (!rc) rc = pgi_exec_params(t, SQL_UPSERT_EVIDENCE, 1, p1, "publish: match evidence",
                                  NULL, err);
    if (!rc) rc = pgi_exec(t, SQL_DROP_STALE_REVIEW, "publish: review queue", err);
    if (!rc) rc = pgi_exec_params(t, SQL_UPSERT_REVIEW, 1, p1, "publish: review queue",
                                  NULL, err);
    if (!rc) rc = count_query(t, "SELECT count(*) FILTER (WHERE decision = 'match'),"
                                 " count(*) FILTER (WHERE decision = 'review')"
                                 " FROM stage_evidence", 0, NULL, "publish: match evidence",
                              &out->pairs_matched, &out->pairs_review, NULL, err);
    return rc;
}

enum cm_status pgt_publish(struct pg_target *t, long long run_id,
                           const char *const *whole, size_t nwhole,
                           int disambiguate_keys, struct publish_counts *out, char *err)
{
    memset(out, 0, sizeof *out);
    char run[24];
    snprintf(run, sizeof run, "%lld", run_id);
    struct buf arr = BUF_INIT(0);
    enum cm_status rc = sources_array(whole, nwhole, &arr);
    if (rc) {
        buf_free(&arr);
        return cm_fail(err, rc, "publish: out of memory");
    }
    const char *p1[] = { run };
    const char *p2[] = { run, arr.data };

    long long n = 0;
    if (disambiguate_keys) {
        rc = pgi_exec(t, SQL_DISAMBIGUATE, "publish: duplicate keys", err);
        if (!rc) rc = count_query(t, "SELECT count(*) FROM stage_dup d"
                                     " JOIN stage_record s USING (rec_no)"
                                     " WHERE s.source_key = d.new_key AND d.new_key LIKE '%~%'",
                                  0, NULL, "publish: duplicate keys",
                                  &out->keys_disambiguated, NULL, NULL, err);
    }
    if (!rc) rc = count_query(t, SQL_RECORD_COUNTS, 0, NULL, "publish: compare records",
                              &out->records_new, &out->records_changed,
                              &out->records_unchanged, err);
    if (!rc) rc = count_query(t, SQL_KEPT_COUNT, 0, NULL, "publish: compare records",
                              &out->records_kept, NULL, NULL, err);
    if (!rc) rc = pgi_exec_params(t, SQL_SEEN_RECORDS, 1, p1, "publish: source records",
                                  NULL, err);
    if (!rc) rc = pgi_exec_params(t, SQL_CHANGED_RECORDS, 1, p1, "publish: source records",
                                  NULL, err);
    if (!rc) rc = pgi_exec_params(t, SQL_INSERT_RECORDS, 1, p1, "publish: source records",
                                  NULL, err);
    if (!rc) rc = fault_point(t, "after_records", err);
    if (!rc) rc = count_query(t, SQL_MARK_DELETED, 2, p2, "publish: deleted records",
                              &out->records_deleted, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_SOURCE_DELETED, 1, p1, "publish: deleted records",
                              &n, NULL, NULL, err);
    out->records_deleted += n;
    n = 0;
    if (!rc) rc = pgi_exec(t, SQL_ASSIGN, "publish: assign customer ids", err);
    if (!rc) rc = count_query(t, SQL_INSERT_CUSTOMERS, 1, p1, "publish: customers",
                              &out->customers_new, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_UPDATE_CUSTOMERS, 1, p1, "publish: customers",
                              &out->customers_changed, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_UPDATE_CROSSWALK, 1, p1, "publish: crosswalk",
                              &out->crosswalk_changed, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_INSERT_CROSSWALK, 1, p1, "publish: crosswalk",
                              &n, NULL, NULL, err);
    out->crosswalk_changed += n;
    if (!rc) rc = pgi_exec_params(t, SQL_DROP_DELETED_CROSSWALK, 1, p1, "publish: crosswalk",
                                  NULL, err);
    if (!rc) rc = count_query(t, SQL_RETIRE, 1, p1, "publish: retire customers",
                              &out->customers_retired, NULL, NULL, err);
    if (!rc) rc = publish_evidence(t, p1, out, err);
    if (!rc) rc = count_query(t,
        "SELECT (SELECT count(*) FROM stage_assign),"
        " (SELECT count(*) FROM customer WHERE retired_run IS NULL)", 0, NULL,
        "publish: totals", &out->clusters, &out->customers_total, NULL, err);
    if (!rc) rc = fault_point(t, "before_commit", err);
    buf_free(&arr);
    return rc;
}
