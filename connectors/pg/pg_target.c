/* pg_target.c — the PostgreSQL session of a run (see pg_target.h): connection, lock,
 * migrations, run log, sync state, replay of live records, and the SQL helpers that
 * pg_publish.c shares (pg_internal.h). */
#include "connectors/pg/pg_target.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "connectors/pg/pg_copy.h"
#include "connectors/pg/pg_internal.h"
#include "pipeline/config.h"

/* ---- SQL helpers (pg_internal.h) ---------------------------------------------- */

enum cm_status pgi_db_fail(struct pg_target *t, PGresult *res, const char *what, char *err)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(t->conn);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    cm_fail(err, CM_ERR_DB, "%s: %.*s", what, (int)n, msg);
    PQclear(res);
    return CM_ERR_DB;
}

enum cm_status pgi_exec(struct pg_target *t, const char *sql, const char *what, char *err)
{
    PGresult *res = PQexec(t->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pgi_db_fail(t, res, what, err);
    PQclear(res);
    return CM_OK;
}

enum cm_status pgi_exec_params(struct pg_target *t, const char *sql, int n,
                               const char *const *values, const char *what,
                               PGresult **res_out, char *err)
{
    PGresult *res = PQexecParams(t->conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pgi_db_fail(t, res, what, err);
    if (res_out)
        *res_out = res;
    else
        PQclear(res);
    return CM_OK;
}

long long pgi_cell_ll(PGresult *res, int row, int col)
{
    if (PQntuples(res) <= row || PQgetisnull(res, row, col))
        return 0;
    return atoll(PQgetvalue(res, row, col));
}

enum cm_status pgi_copy_file(struct pg_target *t, const char *sql, FILE *rows, char *err)
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
        enum cm_status rc = pgi_db_fail(t, NULL, "schema name", err);
        pgt_close(t);
        return rc;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SET search_path TO %s", t->schema_ident);
    /* temp_buffers must be set before the session's first temporary table: staging
     * a million rows through the default 8 MB spills to disk */
    enum cm_status rc = pgi_exec(t, "SET client_min_messages TO warning;"
                                    "SET temp_buffers TO '256MB'", "session setup", err);
    if (!rc)
        rc = pgi_exec(t, sql, "session setup", err);
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
        enum cm_status rc = pgi_exec_params(t, "SELECT pg_try_advisory_lock(hashtext($1))", 1,
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
    enum cm_status rc = pgi_exec_params(t,
        "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'run'",
        1, p, "run lock", &res, err);
    if (rc)
        return rc;
    int have_run_table = PQntuples(res) > 0;
    PQclear(res);
    if (have_run_table)
        return pgi_exec(t, "UPDATE run SET status = 'abandoned', finished = now() "
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
    enum cm_status rc = pgi_exec_params(t,
        "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migration'",
        1, p, "migrations", res, err);
    if (rc)
        return rc;
    int exists = PQntuples(*res) > 0;
    PQclear(*res);
    *res = NULL;
    if (!exists)
        return CM_OK;
    return pgi_exec_params(t, "SELECT version FROM schema_migration", 0, NULL, "migrations",
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
    enum cm_status rc = pgi_exec(t, sql, "migrations", err);
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
        rc = pgi_exec(t, "BEGIN", what, err);
        if (!rc)
            rc = pgi_exec(t, body, what, err);
        free(body);
        if (!rc) {
            char vbuf[16];
            snprintf(vbuf, sizeof vbuf, "%d", version);
            const char *p[] = { vbuf, names[i] };
            rc = pgi_exec_params(t, "INSERT INTO schema_migration (version, name)"
                                    " VALUES ($1, $2)", 2, p, what, NULL, err);
        }
        if (!rc)
            rc = pgi_exec(t, "COMMIT", what, err);
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
    enum cm_status rc = pgi_exec(t, "SET default_transaction_read_only = on", "check", err);
    if (!rc)
        rc = pgi_exec_params(t, "SELECT current_setting('server_version'), current_database(),"
                                " current_user, pg_try_advisory_lock(hashtext($1))",
                             1, p, "check", &res, err);
    if (rc)
        return rc;
    snprintf(version, cap, "PostgreSQL %s, database \"%s\" as \"%s\"",
             PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    *run_active = PQgetvalue(res, 0, 3)[0] != 't';
    PQclear(res);
    if (!*run_active)
        rc = pgi_exec_params(t, "SELECT pg_advisory_unlock(hashtext($1))", 1, p, "check",
                             NULL, err);
    return rc;
}

enum cm_status pgt_run_start(struct pg_target *t, const char *config_path,
                             long long *run_id, char *err)
{
    const char *p[] = { config_path };
    PGresult *res = NULL;
    enum cm_status rc = pgi_exec_params(t,
        "INSERT INTO run (status, config) VALUES ('running', $1) RETURNING run_id",
        1, p, "run start", &res, err);
    if (rc)
        return rc;
    *run_id = pgi_cell_ll(res, 0, 0);
    PQclear(res);
    return CM_OK;
}

static enum cm_status copy_rejects(struct pg_target *t, FILE *rejects, char *err)
{
    if (!rejects)
        return CM_OK;
    return pgi_copy_file(t, "COPY rejected_record (run_id, seq, source, location, reason, raw)"
                            " FROM STDIN", rejects, err);
}

/* ---- incremental sources ------------------------------------------------------- */

enum cm_status pgt_sync_get(struct pg_target *t, const char *source, char *out, size_t cap,
                            char *err)
{
    out[0] = '\0';
    const char *p[] = { source };
    PGresult *res = NULL;
    enum cm_status rc = pgi_exec_params(t, "SELECT bookmark FROM sync_state WHERE source = $1",
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
    return pgi_exec_params(t,
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
        return pgi_db_fail(t->reader, NULL, "carrying records forward", err);
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
        rc = pgi_exec(t, "BEGIN", "run finish", err);
    t->in_publish = 0;
    if (!rc) rc = copy_rejects(t, rejects, err);
    if (!rc) {
        char run[24];
        snprintf(run, sizeof run, "%lld", run_id);
        const char *p[] = { run, status, summary_json };
        rc = pgi_exec_params(t, "UPDATE run SET status = $2, summary = $3::jsonb,"
                                " finished = now() WHERE run_id = $1",
                             3, p, "run finish", NULL, err);
    }
    if (!rc)
        rc = pgi_exec(t, "COMMIT", "run finish", err);
    else
        PQclear(PQexec(t->conn, "ROLLBACK"));
    return rc;
}
