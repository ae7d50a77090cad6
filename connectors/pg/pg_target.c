/* pg_target.c — the PostgreSQL target (see pg_target.h). */
#include "connectors/pg/pg_target.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "connectors/pg/pg_copy.h"
#include "pipeline/config.h"
#include "pipeline/snapshot.h"

struct pg_target {
    PGconn *conn;
    char schema[64];
    char *schema_ident;          /* quoted identifier, from PQescapeIdentifier */
    int in_publish;              /* the publish transaction is open */
    struct copy_writer copy;
    int copy_open;
    struct pg_target *reader;    /* a second session for pgt_replay_live, opened lazily */
};

/* ---- small helpers ----------------------------------------------------------- */

static enum cm_status db_fail(struct pg_target *t, PGresult *res, const char *what, char *err)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(t->conn);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    cm_fail(err, CM_ERR_DB, "%s: %.*s", what, (int)n, msg);
    PQclear(res);
    return CM_ERR_DB;
}

static enum cm_status exec(struct pg_target *t, const char *sql, const char *what, char *err)
{
    PGresult *res = PQexec(t->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return db_fail(t, res, what, err);
    PQclear(res);
    return CM_OK;
}

/* Run a parameterised statement; values as text. *res_out gets the result if wanted. */
static enum cm_status exec_params(struct pg_target *t, const char *sql, int n,
                                  const char *const *values, const char *what,
                                  PGresult **res_out, char *err)
{
    PGresult *res = PQexecParams(t->conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return db_fail(t, res, what, err);
    if (res_out)
        *res_out = res;
    else
        PQclear(res);
    return CM_OK;
}

static long long cell_ll(PGresult *res, int row, int col)
{
    if (PQntuples(res) <= row || PQgetisnull(res, row, col))
        return 0;
    return atoll(PQgetvalue(res, row, col));
}

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
        return exec(t, "SELECT pg_sleep(5)", "publish", err);
    return CM_OK;
}

/* ---- connection, lock, migrations -------------------------------------------- */

enum cm_status pgt_connect(const char *schema, struct pg_target **out, char *err)
{
    *out = NULL;
    struct pg_target *t = calloc(1, sizeof *t);
    if (!t)
        return CM_ERR_NOMEM;
    snprintf(t->schema, sizeof t->schema, "%s", schema);
    const char *dsn = getenv("CRMERGE_DSN");
    const char *keys[] = { "dbname", "application_name", "fallback_application_name", NULL };
    const char *vals[] = { dsn && *dsn ? dsn : NULL, "crmerge", "crmerge", NULL };
    if (!vals[0]) {
        keys[0] = "application_name";
        vals[0] = "crmerge";
        keys[1] = NULL;
    }
    t->conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(t->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(t->conn);
        size_t n = strlen(msg);
        while (n && msg[n - 1] == '\n')
            n--;
        cm_fail(err, CM_ERR_DB, "database connection failed (from %s): %.*s",
                dsn && *dsn ? "CRMERGE_DSN" : "PG* environment variables", (int)n, msg);
        pgt_close(t);
        return CM_ERR_DB;
    }
    t->schema_ident = PQescapeIdentifier(t->conn, t->schema, strlen(t->schema));
    if (!t->schema_ident) {
        enum cm_status rc = db_fail(t, NULL, "schema name", err);
        pgt_close(t);
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SET search_path TO %s", t->schema_ident);
    /* temp_buffers must be set before the session's first temporary table: staging
     * a million rows through the default 8 MB spills to disk */
    enum cm_status rc = exec(t, "SET client_min_messages TO warning;"
                                "SET temp_buffers TO '256MB'", "session setup", err);
    if (!rc)
        rc = exec(t, sql, "session setup", err);
    if (rc) {
        pgt_close(t);
        return rc;
    }
    *out = t;
    return CM_OK;
}

void pgt_close(struct pg_target *t)
{
    if (!t)
        return;
    if (t->copy_open)
        copy_discard(&t->copy);
    if (t->schema_ident)
        PQfreemem(t->schema_ident);
    PQfinish(t->conn);
    pgt_close(t->reader);
    free(t);
}

enum cm_status pgt_lock(struct pg_target *t, int wait_seconds, char *err)
{
    char key[96];
    snprintf(key, sizeof key, "crmerge:%s", t->schema);
    const char *params[] = { key };
    time_t start = time(NULL);
    for (;;) {
        PGresult *res = NULL;
        enum cm_status rc = exec_params(t, "SELECT pg_try_advisory_lock(hashtext($1))", 1,
                                        params, "run lock", &res, err);
        if (rc)
            return rc;
        int got = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (got)
            break;
        if (time(NULL) - start >= wait_seconds)
            return cm_fail(err, CM_ERR_BUSY,
                           "another crmerge run holds the lock on schema \"%s\" "
                           "(waited %d s; target.lock_wait_seconds)", t->schema, wait_seconds);
        sleep(1);
    }
    /* a run row still 'running' now belongs to a process that died */
    PGresult *res = NULL;
    const char *p[] = { t->schema };
    enum cm_status rc = exec_params(t,
        "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'run'",
        1, p, "run lock", &res, err);
    if (rc)
        return rc;
    int have_run_table = PQntuples(res) > 0;
    PQclear(res);
    if (have_run_table)
        return exec(t, "UPDATE run SET status = 'abandoned', finished = now() "
                       "WHERE status = 'running'", "run lock", err);
    return CM_OK;
}

static int is_migration(const char *name)
{
    size_t n = strlen(name);
    return n > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
           name[2] >= '0' && name[2] <= '9' && name[3] == '_' &&
           strcmp(name + n - 4, ".sql") == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The migration files, sorted; caller frees each name and the array. */
static enum cm_status list_migrations(char ***names_out, size_t *n_out, char *sql_dir,
                                      size_t dir_cap, char *err)
{
    snprintf(sql_dir, dir_cap, "%s/sql", schemas_dir());
    DIR *d = opendir(sql_dir);
    if (!d)
        return cm_fail(err, CM_ERR_IO, "%s: cannot open the migrations directory", sql_dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_migration(e->d_name))
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown || !(grown[n] = strdup(e->d_name))) {
            names = grown ? grown : names;
            for (size_t i = 0; i < n; i++)
                free(names[i]);
            free(names);
            closedir(d);
            return CM_ERR_NOMEM;
        }
        names = grown;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    *names_out = names;
    *n_out = n;
    return CM_OK;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT(16 * 1024 * 1024);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_add(&b, chunk, got)) {
            buf_free(&b);
            fclose(f);
            return NULL;
        }
    }
    fclose(f);
    return buf_detach(&b, NULL);
}

static enum cm_status applied_versions(struct pg_target *t, PGresult **res, char *err)
{
    const char *p[] = { t->schema };
    enum cm_status rc = exec_params(t,
        "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migration'",
        1, p, "migrations", res, err);
    if (rc)
        return rc;
    int exists = PQntuples(*res) > 0;
    PQclear(*res);
    *res = NULL;
    if (!exists)
        return CM_OK;
    return exec_params(t, "SELECT version FROM schema_migration", 0, NULL, "migrations",
                       res, err);
}

static int version_applied(PGresult *res, int version)
{
    for (int i = 0; res && i < PQntuples(res); i++) {
        if (atoi(PQgetvalue(res, i, 0)) == version)
            return 1;
    }
    return 0;
}

enum cm_status pgt_pending_migrations(struct pg_target *t, int *pending, char *err)
{
    char dir[4096];
    char **names;
    size_t n;
    enum cm_status rc = list_migrations(&names, &n, dir, sizeof dir, err);
    if (rc)
        return rc;
    PGresult *res = NULL;
    rc = applied_versions(t, &res, err);
    *pending = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (!version_applied(res, atoi(names[i])))
            (*pending)++;
    }
    PQclear(res);
    free_names(names, n);
    return rc;
}

enum cm_status pgt_migrate(struct pg_target *t, int *applied, char *err)
{
    *applied = 0;
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE SCHEMA IF NOT EXISTS %s; "
             "CREATE TABLE IF NOT EXISTS schema_migration ("
             " version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())", t->schema_ident);
    enum cm_status rc = exec(t, sql, "migrations", err);
    if (rc)
        return rc;

    char dir[4096];
    char **names;
    size_t n;
    rc = list_migrations(&names, &n, dir, sizeof dir, err);
    if (rc)
        return rc;
    PGresult *done = NULL;
    rc = applied_versions(t, &done, err);
    for (size_t i = 0; !rc && i < n; i++) {
        int version = atoi(names[i]);
        if (version_applied(done, version))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *body = read_file(path);
        if (!body) {
            rc = cm_fail(err, CM_ERR_IO, "%s: cannot read migration", path);
            break;
        }
        char what[300];
        snprintf(what, sizeof what, "migration %s", names[i]);
        rc = exec(t, "BEGIN", what, err);
        if (!rc)
            rc = exec(t, body, what, err);
        free(body);
        if (!rc) {
            char vbuf[16];
            snprintf(vbuf, sizeof vbuf, "%d", version);
            const char *p[] = { vbuf, names[i] };
            rc = exec_params(t, "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
                             2, p, what, NULL, err);
        }
        if (!rc)
            rc = exec(t, "COMMIT", what, err);
        if (rc) {
            PQclear(PQexec(t->conn, "ROLLBACK"));
            break;
        }
        (*applied)++;
    }
    PQclear(done);
    free_names(names, n);
    return rc;
}

enum cm_status pgt_probe(struct pg_target *t, char *version, size_t cap, int *run_active,
                         char *err)
{
    char key[96];
    snprintf(key, sizeof key, "crmerge:%s", t->schema);
    const char *p[] = { key };
    PGresult *res = NULL;
    enum cm_status rc = exec(t, "SET default_transaction_read_only = on", "check", err);
    if (!rc)
        rc = exec_params(t, "SELECT current_setting('server_version'), current_database(),"
                            " current_user, pg_try_advisory_lock(hashtext($1))",
                         1, p, "check", &res, err);
    if (rc)
        return rc;
    snprintf(version, cap, "PostgreSQL %s, database \"%s\" as \"%s\"",
             PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    *run_active = PQgetvalue(res, 0, 3)[0] != 't';
    PQclear(res);
    if (!*run_active)
        rc = exec_params(t, "SELECT pg_advisory_unlock(hashtext($1))", 1, p, "check",
                         NULL, err);
    return rc;
}

enum cm_status pgt_run_start(struct pg_target *t, const char *config_path,
                             long long *run_id, char *err)
{
    const char *p[] = { config_path };
    PGresult *res = NULL;
    enum cm_status rc = exec_params(t,
        "INSERT INTO run (status, config) VALUES ('running', $1) RETURNING run_id",
        1, p, "run start", &res, err);
    if (rc)
        return rc;
    *run_id = cell_ll(res, 0, 0);
    PQclear(res);
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
        return db_fail(t, NULL, "snapshot", err);
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
    enum cm_status rc = exec(t,
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
    return exec(t, "CREATE INDEX ON stage_record (rec_no); ANALYZE stage_record; "
                   "CREATE INDEX ON stage_cluster (rec_no); ANALYZE stage_cluster",
                "staging", err);
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

static enum cm_status count_query(struct pg_target *t, const char *sql, int nparams,
                                  const char *const *params, const char *what,
                                  long long *a, long long *b, long long *c, char *err)
{
    PGresult *res = NULL;
    enum cm_status rc = exec_params(t, sql, nparams, params, what, &res, err);
    if (rc)
        return rc;
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        if (a)
            *a = atoll(PQcmdTuples(res));
    } else {
        if (a) *a = cell_ll(res, 0, 0);
        if (b) *b = cell_ll(res, 0, 1);
        if (c) *c = cell_ll(res, 0, 2);
    }
    PQclear(res);
    return CM_OK;
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
    if (rc)
        return rc;
    const char *p1[] = { run };
    const char *p2[] = { run, arr.data };

    long long n = 0;
    if (disambiguate_keys) {
        rc = exec(t, SQL_DISAMBIGUATE, "publish: duplicate keys", err);
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
    if (!rc) rc = exec_params(t, SQL_SEEN_RECORDS, 1, p1, "publish: source records",
                              NULL, err);
    if (!rc) rc = exec_params(t, SQL_CHANGED_RECORDS, 1, p1, "publish: source records",
                              NULL, err);
    if (!rc) rc = exec_params(t, SQL_INSERT_RECORDS, 1, p1, "publish: source records",
                              NULL, err);
    if (!rc) rc = fault_point(t, "after_records", err);
    if (!rc) rc = count_query(t, SQL_MARK_DELETED, 2, p2, "publish: deleted records",
                              &out->records_deleted, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_SOURCE_DELETED, 1, p1, "publish: deleted records",
                              &n, NULL, NULL, err);
    out->records_deleted += n;
    n = 0;
    if (!rc) rc = exec(t, SQL_ASSIGN, "publish: assign customer ids", err);
    if (!rc) rc = count_query(t, SQL_INSERT_CUSTOMERS, 1, p1, "publish: customers",
                              &out->customers_new, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_UPDATE_CUSTOMERS, 1, p1, "publish: customers",
                              &out->customers_changed, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_UPDATE_CROSSWALK, 1, p1, "publish: crosswalk",
                              &out->crosswalk_changed, NULL, NULL, err);
    if (!rc) rc = count_query(t, SQL_INSERT_CROSSWALK, 1, p1, "publish: crosswalk",
                              &n, NULL, NULL, err);
    out->crosswalk_changed += n;
    if (!rc) rc = exec_params(t, SQL_DROP_DELETED_CROSSWALK, 1, p1, "publish: crosswalk",
                              NULL, err);
    if (!rc) rc = count_query(t, SQL_RETIRE, 1, p1, "publish: retire customers",
                              &out->customers_retired, NULL, NULL, err);
    if (!rc) rc = count_query(t,
        "SELECT (SELECT count(*) FROM stage_assign),"
        " (SELECT count(*) FROM customer WHERE retired_run IS NULL)", 0, NULL,
        "publish: totals", &out->clusters, &out->customers_total, NULL, err);
    if (!rc) rc = fault_point(t, "before_commit", err);
    buf_free(&arr);
    return rc;
}

/* COPY the text rows of a spill file into a table (sql: the COPY statement). */
static enum cm_status copy_file(struct pg_target *t, const char *sql, FILE *rows, char *err)
{
    struct copy_writer w;
    enum cm_status rc = copy_begin(&w, t->conn, sql, err);
    if (rc)
        return rc;
    rewind(rows);
    char chunk[65536];
    size_t got;
    while (!rc && (got = fread(chunk, 1, sizeof chunk, rows)) > 0) {
        rc = buf_add(&w.chunk, chunk, got);
        if (!rc && w.chunk.len >= sizeof chunk * 4) {
            if (PQputCopyData(t->conn, w.chunk.data, (int)w.chunk.len) != 1)
                rc = CM_ERR_DB;
            buf_reset(&w.chunk);
        }
    }
    return copy_finish(&w, rc ? "could not send a spill file" : NULL, err);
}

static enum cm_status copy_rejects(struct pg_target *t, FILE *rejects, char *err)
{
    if (!rejects)
        return CM_OK;
    return copy_file(t, "COPY rejected_record (run_id, seq, source, location, reason, raw)"
                        " FROM STDIN", rejects, err);
}

enum cm_status pgt_stage_deleted(struct pg_target *t, FILE *rows, char *err)
{
    return copy_file(t, "COPY stage_deleted (source, source_key) FROM STDIN", rows, err);
}

/* ---- incremental sources ------------------------------------------------------- */

enum cm_status pgt_sync_get(struct pg_target *t, const char *source, char *out, size_t cap,
                            char *err)
{
    out[0] = '\0';
    const char *p[] = { source };
    PGresult *res = NULL;
    enum cm_status rc = exec_params(t, "SELECT bookmark FROM sync_state WHERE source = $1",
                                    1, p, "sync state", &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 1) {
        const char *b = PQgetvalue(res, 0, 0);
        if (strlen(b) >= cap)
            rc = cm_fail(err, CM_ERR_LIMIT, "sync state: bookmark of %s longer than %zu bytes",
                         source, cap - 1);
        else
            snprintf(out, cap, "%s", b);
    }
    PQclear(res);
    return rc;
}

enum cm_status pgt_sync_set(struct pg_target *t, const char *source, const char *bookmark,
                            int whole, long long run_id, char *err)
{
    char run[24];
    snprintf(run, sizeof run, "%lld", run_id);
    const char *p[] = { source, bookmark, run, whole ? "t" : "f" };
    return exec_params(t,
        "INSERT INTO sync_state AS s (source, bookmark, updated_run, full_run)"
        " VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN $3::bigint END)"
        " ON CONFLICT (source) DO UPDATE SET bookmark = excluded.bookmark,"
        "   updated_run = excluded.updated_run, updated_at = now(),"
        "   full_run = coalesce(excluded.full_run, s.full_run)",
        4, p, "sync state", NULL, err);
}

enum cm_status pgt_replay_live(struct pg_target *t, const char *source, pgt_record_fn *fn,
                               void *ctx, char *err)
{
    if (!t->reader) {
        enum cm_status rc = pgt_connect(t->schema, &t->reader, err);
        if (rc)
            return rc;
    }
    PGconn *conn = t->reader->conn;
    const char *p[] = { source };
    if (!PQsendQueryParams(conn,
            "SELECT source_key, content_hash, location, (canonical - 'extra')::text"
            " FROM source_record WHERE source = $1 AND deleted_run IS NULL",
            1, NULL, p, NULL, NULL, 0) ||
        !PQsetSingleRowMode(conn))
        return db_fail(t->reader, NULL, "carrying records forward", err);
    enum cm_status rc = CM_OK;
    PGresult *res;
    while ((res = PQgetResult(conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE && !rc) {
            rc = fn(ctx, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
                    PQgetvalue(res, 0, 3), (size_t)PQgetlength(res, 0, 3), err);
        } else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && !rc) {
            rc = cm_fail(err, CM_ERR_DB, "carrying records forward: %s",
                         PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    return rc;
}

enum cm_status pgt_run_finish(struct pg_target *t, long long run_id, int commit,
                              const char *status, const char *summary_json,
                              FILE *rejects, char *err)
{
    enum cm_status rc = CM_OK;
    if (t->copy_open) {
        copy_finish(&t->copy, "run failed", NULL);
        t->copy_open = 0;
    }
    if (t->in_publish && !commit) {
        PQclear(PQexec(t->conn, "ROLLBACK"));
        t->in_publish = 0;
    }
    if (!t->in_publish)
        rc = exec(t, "BEGIN", "run finish", err);
    t->in_publish = 0;
    if (!rc) rc = copy_rejects(t, rejects, err);
    if (!rc) {
        char run[24];
        snprintf(run, sizeof run, "%lld", run_id);
        const char *p[] = { run, status, summary_json };
        rc = exec_params(t, "UPDATE run SET status = $2, summary = $3::jsonb,"
                            " finished = now() WHERE run_id = $1",
                         3, p, "run finish", NULL, err);
    }
    if (!rc)
        rc = exec(t, "COMMIT", "run finish", err);
    else
        PQclear(PQexec(t->conn, "ROLLBACK"));
    return rc;
}
