/* dbf.h — the dBase table reader: dBase III/IV, FoxPro and Visual FoxPro .DBF files,
 * with C/N/D/L/M fields, memo files (.DBT dBase III/IV, .FPT FoxPro), the deleted-record
 * flag and the language-driver (code page) byte. Shared by the `dbf` connector (old
 * ACT! contact files) and the GoldMine connector (CONTACT1.DBF, ...).
 *
 * Records come out as raw records like every connector's: field names as stored (upper
 * case), values decoded to UTF-8 and right-trimmed (N fields trimmed both sides, D as
 * YYYYMMDD as stored, L as "T"/"F"/"?" ...; see dbf.c). rec->line is the record number
 * (1-based, counting deleted records), so a location reads "CONTACT1.DBF:12". Deleted
 * records are skipped and counted, never returned. Bad input (a truncated file, a
 * record count that disagrees with the file size, a memo pointer past the end of the
 * memo file) is a reject naming the record, or an error naming the file. */
#ifndef CM_DBF_H
#define CM_DBF_H

#include <stddef.h>
#include "connectors/connector.h"
#include "pipeline/buf.h"
#include "pipeline/status.h"

struct dbf;

struct dbf_options {
    const char *encoding;        /* NULL or "auto": from the language-driver byte, and
                                    windows-1252 when that byte is 0; else an iconv name */
    size_t max_memo_bytes;       /* 0: default 1 MiB; a longer memo rejects its record */
};

/* 1 when h[0..len) (a file's first bytes, at least 32) look like the header of a dBase
 * table: a dBase II-7 / FoxPro / Visual FoxPro version byte, a plausible last-update
 * month and day, header and record lengths. For telling files apart by content; dbf_open
 * says exactly what is wrong with one it cannot read (dBase II and 7 included). */
int dbf_looks_like(const unsigned char *h, size_t len);

enum cm_status dbf_open(const char *path, const struct dbf_options *opt, struct dbf **out,
                        char *err);
size_t dbf_field_count(const struct dbf *d);
const char *const *dbf_field_names(const struct dbf *d);
/* CONN_RECORD, CONN_REJECT, CONN_EOF or CONN_ERROR, as connector.h's xNext. */
enum conn_next dbf_next(struct dbf *d, struct raw_record *rec, struct reject *rej, char *err);
long long dbf_deleted_count(const struct dbf *d);
/* "CONTACT1.DBF: dBase III with memo, cp1252 (language driver 0x03), 48 fields, 1200 records" */
enum cm_status dbf_describe(const struct dbf *d, struct buf *out);
void dbf_close(struct dbf *d);

#endif
