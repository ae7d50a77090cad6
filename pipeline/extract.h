/* extract.h — the streaming core shared by `extract`, `check` and `run`: read one
 * source through its connector, map each raw record to a canonical contact, and hand
 * contacts and rejects to a sink. One record is in memory at a time. */
#ifndef CM_EXTRACT_H
#define CM_EXTRACT_H

#include <stddef.h>
#include "pipeline/config.h"
#include "pipeline/contact.h"
#include "pipeline/status.h"

struct source_stats {
    long long records;           /* contacts mapped */
    long long rejected;          /* records rejected by the reader or the mapping */
    long long bad_dates;         /* date values not understood: left out, kept in extra */
    char description[CM_ERRBUF]; /* the connector's one-line description */
    char connector[64];          /* the connector and layout read with: "auto" resolved */
    char layout[256];
    long long deleted;           /* records the source reported deleted (web APIs) */
    int delta;                   /* 1: only changes since the bookmark were read */
    char bookmark[2048];         /* where the next run starts ("" = none; see connector.h) */
    int partial;                 /* set by the run: the source broke off, allow_partial */
    char error[CM_ERRBUF];       /*   kept what was read; why it broke off */
    char date_order[128];        /* "date_order": "auto" only: what was decided and why
                                    ("DMY (auto: 3 values are day-first)"); else "" */
};

struct extract_sink {
    void *ctx;
    /* json: the contact's canonical JSON; location: "file:line" or "file:first-last" */
    enum cm_status (*on_contact)(void *ctx, const struct source *src,
                                 const struct contact *c, const char *json, size_t json_len,
                                 const char *location, char *err);
    enum cm_status (*on_reject)(void *ctx, const struct source *src, const char *location,
                                const char *reason, const char *raw, size_t raw_len,
                                char *err);
    /* A record the source reports deleted (its key, mapped as for a contact); may be
     * NULL: such records are then only counted. */
    enum cm_status (*on_deleted)(void *ctx, const struct source *src, const char *source_key,
                                 const char *location, char *err);
};

/* Read src to its end. With "date_order": "auto" the source is read once before (only
 * its date columns are looked at, nothing is kept) to decide the day/month order:
 * values such as "13.03.2019" prove DMY, "03/13/2019" MDY; both in one source is a
 * CM_ERR_CONFIG naming the column(s) and an example of each; no proof leaves the
 * layout's order. Not for incremental (web-API) connectors. A sink error or a source that cannot be read on (missing
 * file, broken stream) stops it with that status; single bad records do not. */
enum cm_status extract_source(const struct source *src, const struct extract_sink *sink,
                              struct source_stats *st, char *err);

/* The same for an incremental source: since is the bookmark of the last published run
 * (NULL: read everything). Afterwards st->delta and st->bookmark say what was read and
 * where the next run starts. Connectors without incremental reads ignore since. */
enum cm_status extract_source_since(const struct source *src, const char *since,
                                    const struct extract_sink *sink,
                                    struct source_stats *st, char *err);

/* The country of a source's national phone numbers and postal codes when a record's
 * address names none: its "default_country" (text as configured, NULL when none), else
 * its layout's "default_country" (copied into buf), else NULL. A layout that cannot be
 * loaded gives NULL here; reading the source reports it. */
enum cm_status extract_default_country(const struct source *src, const char **out,
                                       char buf[3], char *err);

/* Open and close src without reading records: does it open, what will be read. */
enum cm_status extract_probe(const struct source *src, struct source_stats *st, char *err);

#endif
