/* pg_copy.c — COPY text escaping and the chunked COPY writer (see pg_copy.h). */
#include "connectors/pg/pg_copy.h"

#include <string.h>

#define COPY_CHUNK (256 * 1024)

enum cm_status copy_escape(struct buf *out, const char *s, size_t len)
{
    enum cm_status rc = buf_grow(out, len);
    if (rc)
        return rc;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i], e;
        switch (c) {
        case '\\': e = '\\'; break;
        case '\t': e = 't'; break;
        case '\n': e = 'n'; break;
        case '\r': e = 'r'; break;
        case '\0': return CM_ERR_INPUT;
        default: continue;
        }
        char esc[2] = { '\\', e };
        rc = buf_add(out, s + start, i - start);
        if (!rc)
            rc = buf_add(out, esc, 2);
        if (rc)
            return rc;
        start = i + 1;
    }
    return buf_add(out, s + start, len - start);
}

static enum cm_status send_chunk(struct copy_writer *w, char *err)
{
    if (w->chunk.len == 0)
        return CM_OK;
    if (PQputCopyData(w->conn, w->chunk.data, (int)w->chunk.len) != 1)
        return cm_fail(err, CM_ERR_DB, "copy: %s", PQerrorMessage(w->conn));
    buf_reset(&w->chunk);
    return CM_OK;
}

enum cm_status copy_begin(struct copy_writer *w, PGconn *conn, const char *sql, char *err)
{
    memset(w, 0, sizeof *w);
    w->conn = conn;
    buf_init(&w->chunk, 0);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        enum cm_status rc = cm_fail(err, CM_ERR_DB, "copy: %s", PQerrorMessage(conn));
        PQclear(res);
        return rc;
    }
    PQclear(res);
    return CM_OK;
}

static enum cm_status separator(struct copy_writer *w)
{
    return w->fields_in_row++ ? buf_addch(&w->chunk, '\t') : CM_OK;
}

enum cm_status copy_field(struct copy_writer *w, const char *s, size_t len, char *err)
{
    enum cm_status rc = separator(w);
    if (!rc)
        rc = copy_escape(&w->chunk, s, len);
    if (rc == CM_ERR_INPUT)
        return cm_fail(err, rc, "copy: a value contains a NUL byte");
    if (rc)
        return cm_fail(err, rc, "copy: %s", cm_strerror(rc));
    return CM_OK;
}

enum cm_status copy_fieldz(struct copy_writer *w, const char *s, char *err)
{
    if (!s)
        return copy_null(w, err);
    return copy_field(w, s, strlen(s), err);
}

enum cm_status copy_null(struct copy_writer *w, char *err)
{
    enum cm_status rc = separator(w);
    if (!rc)
        rc = buf_add(&w->chunk, "\\N", 2);
    if (rc)
        return cm_fail(err, rc, "copy: %s", cm_strerror(rc));
    return CM_OK;
}

enum cm_status copy_end_row(struct copy_writer *w, char *err)
{
    enum cm_status rc = buf_addch(&w->chunk, '\n');
    if (rc)
        return cm_fail(err, rc, "copy: %s", cm_strerror(rc));
    w->fields_in_row = 0;
    w->rows++;
    if (w->chunk.len >= COPY_CHUNK)
        return send_chunk(w, err);
    return CM_OK;
}

enum cm_status copy_finish(struct copy_writer *w, const char *abort_reason, char *err)
{
    enum cm_status rc = abort_reason ? CM_OK : send_chunk(w, err);
    if (rc)
        abort_reason = "crmerge could not send a row";
    if (PQputCopyEnd(w->conn, abort_reason) != 1 && !rc)
        rc = cm_fail(err, CM_ERR_DB, "copy: %s", PQerrorMessage(w->conn));
    PGresult *res;
    while ((res = PQgetResult(w->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc && !abort_reason)
            rc = cm_fail(err, CM_ERR_DB, "copy: %s", PQresultErrorMessage(res));
        PQclear(res);
    }
    buf_free(&w->chunk);
    if (!rc && abort_reason)
        rc = cm_fail(err, CM_ERR_DB, "copy aborted: %s", abort_reason);
    return rc;
}

void copy_discard(struct copy_writer *w)
{
    buf_free(&w->chunk);
}
