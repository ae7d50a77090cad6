/* status.h — crmerge's one status enum and the error buffer convention.
 *
 * Library functions return enum cm_status (CM_OK == 0) and, on failure, write a
 * lower-case message into an error buffer the caller owns (char err[CM_ERRBUF]),
 * saying what failed first and naming the file / line / value:
 *     "act.csv:12: unbalanced quote"
 * Nothing in library code prints or exits; main.c maps statuses to exit codes. */
#ifndef CM_STATUS_H
#define CM_STATUS_H

#include <stddef.h>

#define CM_ERRBUF 512

enum cm_status {
    CM_OK = 0,
    CM_ERR_NOMEM,      /* allocation failed */
    CM_ERR_IO,         /* a file could not be opened or read */
    CM_ERR_CONFIG,     /* the pipeline config or a mapping file is wrong */
    CM_ERR_INPUT,      /* a source is unreadable as a whole (not a single bad record) */
    CM_ERR_LIMIT,      /* a hard limit (field, record, buffer size) was exceeded */
    CM_ERR_DB,         /* PostgreSQL refused or failed */
    CM_ERR_BUSY,       /* another run holds the target's lock */
    CM_ERR_REJECTS,    /* more rejected records than reject_rate_max allows */
    CM_ERR_USAGE       /* bad command line */
};

const char *cm_strerror(enum cm_status status);

/* printf into err (may be NULL); returns status so callers can write
 *     return cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(errno)); */
enum cm_status cm_fail(char *err, enum cm_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
