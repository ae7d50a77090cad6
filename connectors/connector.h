/* connector.h — the connector interface: how crmerge reads one source.
 *
 * A connector turns a source (a file, a directory of tables, a web API) into a stream
 * of raw records: ordered (field name, value) pairs, values already decoded to UTF-8.
 * It knows nothing of the canonical contact; transforms/mapping.c maps raw records.
 *
 * Each connector is one file exporting one `const struct connector`; all are listed in
 * connector_registry (connectors/registry.c) and found by connector_find(name).
 * The method table only ever grows at the end; `version` says how far it goes. */
#ifndef CM_CONNECTOR_H
#define CM_CONNECTOR_H

#include <stddef.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

struct source;                   /* pipeline/config.h */

struct raw_record {
    size_t nfields;
    const char *const *names;    /* field names (owned by the connector) */
    unsigned names_version;      /* changes whenever `names` changes: mapping caches
                                    its column binding per version */
    const char *const *values;   /* UTF-8, NUL-terminated; NULL = absent */
    const size_t *lengths;       /* byte length of each value */
    const char *file;            /* file the record came from */
    long line, line_end;         /* first and last physical line, 1-based */
    const char *raw;             /* the record's bytes as read (for rejected_record), */
    size_t raw_len;              /*   possibly cut to a limit */
    int deleted;                 /* the source reports this record deleted or archived
                                    (web APIs): its fields may hold only the key */
};

struct reject {                  /* one unreadable record: rejected, counted, reported */
    const char *file;
    long line, line_end;
    char reason[CM_ERRBUF];      /* lower case, names what was wrong */
    const char *raw;             /* bytes of the rejected text, possibly cut */
    size_t raw_len;
};

enum conn_next {
    CONN_RECORD = 0,             /* *rec filled; valid until the next call */
    CONN_REJECT,                 /* *rej filled; reading goes on */
    CONN_EOF,                    /* no more records */
    CONN_ERROR                   /* the source cannot be read on: err says why */
};

#define CONNECTOR_VERSION 3

struct connector {
    int version;                 /* CONNECTOR_VERSION the table was written for */
    const char *name;            /* "csv", the "connector" value in the config */
    const char *summary;         /* one line for --help */

    /* Open the source described by src (src->options holds the connector's own
     * settings). On failure return a status and explain in err. */
    enum cm_status (*xOpen)(const struct source *src, void **state, char *err);

    /* Produce the next record or reject. Pointers in rec / rej stay valid until the
     * next call to xNext or xClose. */
    enum conn_next (*xNext)(void *state, struct raw_record *rec, struct reject *rej,
                            char *err);

    /* Release everything; state may be NULL. */
    void (*xClose)(void *state);

    /* Append a one-line description of what is being read (file, encoding,
     * delimiter, columns) for `crmerge check` and the run log. */
    enum cm_status (*xDescribe)(void *state, struct buf *out);

    /* ---- version 2 ---- */

    /* The field names the source will yield, when known before the first record (a
     * CSV header, DBF field descriptors); *n = 0 when not known up front (XML, vCard).
     * Used by layout detection. The array stays valid until xClose. */
    enum cm_status (*xFields)(void *state, const char *const **names, size_t *n);

    /* ---- version 3: incremental sources (web APIs) ---- */

    /* Called at most once, after xOpen and before the first xNext. bookmark: what
     * xBookmark returned at the end of the last published run (NULL: none, or a full
     * refresh was asked for). Set *delta = 1 when this read will deliver only what
     * changed since the bookmark (records not delivered are then kept as they were, and
     * only records flagged `deleted` are deleted); *delta = 0 when it delivers the whole
     * source (records not delivered are marked deleted). NULL method: always whole. */
    enum cm_status (*xSince)(void *state, const char *bookmark, int *delta, char *err);

    /* After CONN_EOF: the bookmark the next run starts from (the newest modification
     * time or change cursor seen; the old bookmark when nothing newer came), or NULL
     * for none. Valid until xClose. Stored only when the run publishes. */
    const char *(*xBookmark)(void *state);
};

extern const struct connector *const connector_registry[];

/* NULL for an unknown name */
const struct connector *connector_find(const char *name);

#endif
