/* pg_copy.h — COPY ... FROM STDIN in text format: the one function that escapes
 * values, and a writer that sends rows to the server in large chunks.
 *
 * Usage: copy_begin(conn, "COPY t (a, b) FROM STDIN") ; per row copy_field()/
 * copy_null() then copy_end_row() ; copy_finish(w, NULL) to commit the COPY, or
 * copy_finish(w, "reason") to make the server abort it. */
#ifndef CM_PG_COPY_H
#define CM_PG_COPY_H

#include <libpq-fe.h>
#include <stddef.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

/* Append s (len bytes) escaped for COPY text format: backslash, tab, newline and
 * carriage return become \\ \t \n \r. NUL bytes cannot be stored: they are refused. */
enum cm_status copy_escape(struct buf *out, const char *s, size_t len);

struct copy_writer {
    PGconn *conn;
    struct buf chunk;
    int fields_in_row;
    long long rows;
};

enum cm_status copy_begin(struct copy_writer *w, PGconn *conn, const char *sql, char *err);
enum cm_status copy_field(struct copy_writer *w, const char *s, size_t len, char *err);
enum cm_status copy_fieldz(struct copy_writer *w, const char *s, char *err); /* NULL -> \N */
enum cm_status copy_null(struct copy_writer *w, char *err);
enum cm_status copy_end_row(struct copy_writer *w, char *err);
/* abort_reason NULL: finish normally; else the server aborts the COPY with it. */
enum cm_status copy_finish(struct copy_writer *w, const char *abort_reason, char *err);
void copy_discard(struct copy_writer *w);   /* free buffers after an error */

#endif
