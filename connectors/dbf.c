/* dbf_connector.c — the dBase connector ("connector": "dbf"): one .DBF table, such as
 * the contact table of ACT! 2.x-6.x, read by the dBase reader (dbf.h) with its memo
 * file. Owns only the options; the reader owns the format.
 *
 * Options (in the source object):
 *   path              the .DBF file (its .DBT / .FPT memo file is found beside it)
 *   encoding          "auto" (default): the table's language-driver byte, windows-1252
 *                     when that byte is 0; else any iconv name ("cp850", "cp437",
 *                     "windows-1252", ...), which wins over the byte
 *   max_memo_bytes    1048576: a longer memo rejects its record
 * Records are the table's live records in file order; rec->line is the record number
 * (deleted ones count), so a reject reads "ACT.DBF:12". */
#include "connectors/connector.h"

#include <stdio.h>
#include <stdlib.h>

#include "connectors/formats/dbf_file.h"
#include "pipeline/config.h"

#define DBF_MEMO_LIMIT_MAX (1LL << 30)

static enum cm_status dbfc_open(const struct source *src, void **state, char *err)
{
    *state = NULL;
    if (!src->path)
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: missing", src->where);
    const char *encoding;
    long long max_memo;
    enum cm_status rc = source_opt_string(src, "encoding", "auto", &encoding, err);
    if (!rc)
        rc = source_opt_int(src, "max_memo_bytes", 1048576, &max_memo, err);
    if (rc)
        return rc;
    if (max_memo < 1 || max_memo > DBF_MEMO_LIMIT_MAX)
        return cm_fail(err, CM_ERR_CONFIG, "%s.max_memo_bytes: must be between 1 and %lld, "
                       "not %lld", src->where, DBF_MEMO_LIMIT_MAX, max_memo);
    struct dbf_options o = { encoding, (size_t)max_memo };
    struct dbf *d = NULL;
    char derr[CM_ERRBUF];
    rc = dbf_open(src->path, &o, &d, derr);
    if (rc == CM_ERR_CONFIG)
        return cm_fail(err, rc, "%s.encoding: %s", src->where, derr);
    if (rc)
        return cm_fail(err, rc, "%s: %s", src->where, derr);
    *state = d;
    return CM_OK;
}

static enum conn_next dbfc_next(void *state, struct raw_record *rec, struct reject *rej,
                                char *err)
{
    return dbf_next(state, rec, rej, err);
}

static void dbfc_close(void *state)
{
    dbf_close(state);
}

static enum cm_status dbfc_describe(void *state, struct buf *out)
{
    return dbf_describe(state, out);
}

static enum cm_status dbfc_fields(void *state, const char *const **names, size_t *n)
{
    *names = dbf_field_names(state);
    *n = dbf_field_count(state);
    return CM_OK;
}

const struct connector dbf_connector = {
    .version = CONNECTOR_VERSION,
    .name = "dbf",
    .summary = "a dBase table (.DBF: dBase III/IV, FoxPro, Visual FoxPro) with its memo file",
    .xOpen = dbfc_open,
    .xNext = dbfc_next,
    .xClose = dbfc_close,
    .xDescribe = dbfc_describe,
    .xFields = dbfc_fields,
};
