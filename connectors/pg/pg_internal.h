/* pg_internal.h — PRIVATE to the PostgreSQL target: only the .c files in connectors/pg/
 * include it. Everything else goes through pg_target.h (the session, lock, migrations,
 * run log, sync state) and pg_publish.h (staging and the publish transaction).
 *
 * What both halves need: the session struct and the small helpers that run SQL on it,
 * defined in pg_target.c. The helpers write a lower-case message naming `what` into
 * err on failure and return CM_ERR_DB; values go only as parameters or COPY rows. */
#ifndef CM_PG_INTERNAL_H
#define CM_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdio.h>
#include "connectors/pg/pg_copy.h"
#include "pipeline/status.h"

struct pg_target {
    PGconn *conn;
    char schema[64];
    char *schema_ident;          /* quoted identifier, from PQescapeIdentifier */
    int in_publish;              /* the publish transaction is open (pg_publish.c opens it,
                                  * pgt_run_finish commits or rolls it back) */
    struct copy_writer copy;     /* the COPY streaming into staging, if copy_open */
    int copy_open;
    struct pg_target *reader;    /* a second session for pgt_replay_live, opened lazily */
};

/* "what: <server message>" into err; clears res (may be NULL: the connection's error). */
enum cm_status pgi_db_fail(struct pg_target *t, PGresult *res, const char *what, char *err);

/* One or more statements without parameters. */
enum cm_status pgi_exec(struct pg_target *t, const char *sql, const char *what, char *err);

/* A parameterised statement, values as text; *res_out gets the result if not NULL
 * (the caller clears it). */
enum cm_status pgi_exec_params(struct pg_target *t, const char *sql, int n,
                               const char *const *values, const char *what,
                               PGresult **res_out, char *err);

/* The integer in a result cell, 0 for a missing row or NULL. */
long long pgi_cell_ll(PGresult *res, int row, int col);

/* COPY the text rows of a spill file (from its start) into a table; sql is the COPY
 * statement. */
enum cm_status pgi_copy_file(struct pg_target *t, const char *sql, FILE *rows, char *err);

#endif
