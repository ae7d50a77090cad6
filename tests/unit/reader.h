/* reader.h — one connector opened on one file for a unit test, with the source object
 * the pipeline would build for it (name, connector, path, options from JSON text).
 *
 *   struct reader r;
 *   CHECK_INT(reader_open(&r, &csv_connector, "test", path, "{\"header\": false}"), CM_OK);
 *   while (reader_next(&r, &rec, &rej) != CONN_EOF) ...
 *   reader_close(&r);
 *
 * On a failed open r.err says why; reader_close is still safe. */
#ifndef CM_TEST_READER_H
#define CM_TEST_READER_H

#include <jansson.h>
#include <string.h>
#include "connectors/connector.h"
#include "pipeline/buf.h"
#include "pipeline/config.h"

struct reader {
    const struct connector *conn;
    struct source src;
    json_t *opts;
    void *st;
    char err[CM_ERRBUF];
};

static inline enum cm_status reader_open(struct reader *r, const struct connector *conn,
                                         const char *name, const char *path,
                                         const char *opts)
{
    memset(r, 0, sizeof *r);
    r->conn = conn;
    r->opts = json_loads(opts ? opts : "{}", 0, NULL);
    r->src.name = name;
    r->src.connector = conn->name;
    r->src.path = path;
    r->src.where = "sources[0]";
    r->src.options = r->opts;
    return conn->xOpen(&r->src, &r->st, r->err);
}

static inline void reader_close(struct reader *r)
{
    if (!r->conn)
        return;                  /* never opened */
    r->conn->xClose(r->st);
    json_decref(r->opts);
}

/* The next record or reject, both cleared first. */
static inline enum conn_next reader_next(struct reader *r, struct raw_record *rec,
                                         struct reject *rej)
{
    memset(rec, 0, sizeof *rec);
    memset(rej, 0, sizeof *rej);
    return r->conn->xNext(r->st, rec, rej, r->err);
}

/* Append v[0..n) to b with CR and LF shown as \r and \n (one record per transcript
 * line); a NULL v appends `absent`. */
static inline void reader_add_value(struct buf *b, const char *v, size_t n,
                                    const char *absent)
{
    if (!v) {
        buf_addstr(b, absent);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\r')
            buf_addstr(b, "\\r");
        else if (v[i] == '\n')
            buf_addstr(b, "\\n");
        else
            buf_addch(b, v[i]);
    }
}

#endif
