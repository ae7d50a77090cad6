/* status.c — status names and the error-buffer helper (see status.h). */
#include "pipeline/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *cm_strerror(enum cm_status status)
{
    switch (status) {
    case CM_OK:          return "ok";
    case CM_ERR_NOMEM:   return "out of memory";
    case CM_ERR_IO:      return "i/o error";
    case CM_ERR_CONFIG:  return "configuration error";
    case CM_ERR_INPUT:   return "unreadable input";
    case CM_ERR_LIMIT:   return "limit exceeded";
    case CM_ERR_DB:      return "database error";
    case CM_ERR_BUSY:    return "target busy";
    case CM_ERR_REJECTS: return "reject rate exceeded";
    case CM_ERR_USAGE:   return "usage error";
    }
    return "unknown status";
}

enum cm_status cm_fail(char *err, enum cm_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, CM_ERRBUF, fmt, ap);
        va_end(ap);
    }
    return status;
}
