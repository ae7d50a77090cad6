/* extract.c — connector -> mapping -> sink, one record at a time (see extract.h). */
#include "pipeline/extract.h"

#include <stdio.h>
#include <string.h>
#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/detect.h"
#include "transforms/dates.h"
#include "transforms/mapping.h"

static void format_location(char *out, size_t cap, const char *file, long line, long end)
{
    if (end > line)
        snprintf(out, cap, "%s:%ld-%ld", file ? file : "?", line, end);
    else
        snprintf(out, cap, "%s:%ld", file ? file : "?", line);
}

/* ---- "date_order": "auto": a pre-pass over the date columns ---------------------- */

struct date_column {
    struct date_votes votes;
    char name[128];              /* its header, for messages */
};

static void vote_value(struct date_column *dc, const struct raw_record *rec, int col)
{
    if (col < 0 || (size_t)col >= rec->nfields || !rec->values || !rec->values[col])
        return;
    const char *v = rec->values[col];
    size_t n = rec->lengths ? rec->lengths[col] : strlen(v);
    while (n && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    if (!n)
        return;
    if (!dc->name[0])
        snprintf(dc->name, sizeof dc->name, "%s",
                 rec->names && rec->names[col] ? rec->names[col] : "?");
    date_votes_add(&dc->votes, v, n);
}

/* Read the source once (a second reader of its own), voting per date column. */
static enum cm_status collect_date_votes(const struct source *src,
                                         const struct connector *conn, struct mapping *map,
                                         struct date_column cols[MAPPING_DATE_COLUMNS],
                                         char *err)
{
    void *state = NULL;
    enum cm_status rc = conn->xOpen(src, &state, err);
    if (rc)
        return rc;
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next next = conn->xNext(state, &rec, &rej, err);
        if (next == CONN_EOF)
            break;
        if (next == CONN_ERROR) {
            rc = CM_ERR_INPUT;
            break;
        }
        if (next == CONN_REJECT || rec.deleted)
            continue;
        int at[MAPPING_DATE_COLUMNS];
        rc = mapping_date_columns(map, &rec, at);
        if (rc) {
            cm_fail(err, rc, "%s: out of memory", src->name);
            break;
        }
        for (size_t i = 0; i < MAPPING_DATE_COLUMNS; i++)
            vote_value(&cols[i], &rec, at[i]);
    }
    conn->xClose(state);
    return rc;
}

/* "date_order": "auto": decide DMY or MDY for the whole source (see extract.h). */
static enum cm_status decide_date_order(const struct source *src,
                                        const struct connector *conn, struct mapping *map,
                                        struct source_stats *st, char *err)
{
    if (conn->version >= 3 && conn->xSince)
        return cm_fail(err, CM_ERR_CONFIG, "%s.date_order: \"auto\" reads the source "
                       "twice, which the %s connector does not do; name the order (\"DMY\", "
                       "\"MDY\" or \"YMD\")", src->where, conn->name);
    struct date_column cols[MAPPING_DATE_COLUMNS];
    memset(cols, 0, sizeof cols);
    enum date_order fallback = mapping_date_order(map), order = fallback;
    enum cm_status rc = collect_date_votes(src, conn, map, cols, err);
    mapping_set_date_order(map, fallback);          /* forgets the pre-pass's header */
    if (rc)
        return rc;
    const struct date_column *decided_by = NULL;
    long long proof = 0, ambiguous = 0;
    for (size_t i = 0; i < MAPPING_DATE_COLUMNS; i++) {
        const struct date_column *dc = &cols[i];
        enum date_order o = fallback;
        enum date_vote vote = date_votes_decide(&dc->votes, &o);
        ambiguous += dc->votes.ambiguous;
        if (vote == DATE_VOTE_CONFLICT)
            return cm_fail(err, CM_ERR_CONFIG, "%s.date_order: auto: column \"%s\" holds "
                           "day-first dates (\"%s\") and month-first dates (\"%s\"); name "
                           "the order", src->where, dc->name, dc->votes.dmy_example,
                           dc->votes.mdy_example);
        if (vote != DATE_VOTE_DECIDED)
            continue;
        if (decided_by && o != order) {
            const struct date_column *dmy = o == DATE_DMY ? dc : decided_by;
            const struct date_column *mdy = o == DATE_DMY ? decided_by : dc;
            return cm_fail(err, CM_ERR_CONFIG, "%s.date_order: auto: column \"%s\" holds "
                           "day-first dates (\"%s\") and column \"%s\" month-first dates "
                           "(\"%s\"); name the order", src->where, dmy->name,
                           dmy->votes.dmy_example, mdy->name, mdy->votes.mdy_example);
        }
        decided_by = dc;
        order = o;
        proof += dc->votes.dmy + dc->votes.mdy;
    }
    if (decided_by)
        snprintf(st->date_order, sizeof st->date_order, "%s (auto: %lld value%s %s, "
                 "%lld ambiguous)", date_order_name(order), proof, proof == 1 ? " is" : "s are",
                 order == DATE_DMY ? "day-first" : "month-first", ambiguous);
    else
        snprintf(st->date_order, sizeof st->date_order, "%s (auto: no value decides, "
                 "%lld ambiguous; the layout's order)", date_order_name(order), ambiguous);
    mapping_set_date_order(map, order);
    return CM_OK;
}

/* The layout and connector a source is read with, "auto" resolved by detection (with
 * "connector": "auto", only beside "layout": "auto", detection picks the reader too),
 * into st->layout and st->connector. */
static enum cm_status which_layout(const struct source *src, struct source_stats *st,
                                   char *err)
{
    const char *layout = src->layout, *cname = src->connector;
    if (!layout && strcmp(cname, "http") == 0) {
        /* a web-API preset is a layout file with an "api" section (schemas/README.md) */
        enum cm_status rc = source_opt_string(src, "preset", NULL, &layout, err);
        if (rc)
            return rc;
        if (!layout || strcmp(layout, "generic") == 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s.layout: missing: an http source needs "
                           "a \"preset\" (hubspot, salesforce, pipedrive, dynamics) or, "
                           "with \"preset\": \"generic\", a \"layout\"", src->where);
    }
    if (!layout)
        return cm_fail(err, CM_ERR_CONFIG, "%s.layout: missing (a layout name such as "
                       "\"act\", or the path of a layout file)", src->where);
    int auto_layout = strcmp(layout, "auto") == 0, auto_conn = strcmp(cname, "auto") == 0;
    if (auto_conn && !auto_layout)
        return cm_fail(err, CM_ERR_CONFIG, "%s.connector: \"auto\" needs \"layout\": "
                       "\"auto\" (or name the connector)", src->where);
    struct detect_result found;
    if (auto_layout) {
        char derr[CM_ERRBUF];
        enum cm_status rc = detect_file(src->path ? src->path : "", auto_conn ? NULL : cname,
                                        &found, derr);
        if (rc)
            return cm_fail(err, rc, "%s.layout: auto: %s", src->where, derr);
        if (found.verdict != DETECT_MATCH) {
            char what[CM_ERRBUF];
            detect_format(&found, what, sizeof what);
            return cm_fail(err, CM_ERR_CONFIG, "%s.layout: auto: %s is %s; name the layout",
                           src->where, src->path, what);
        }
        layout = found.candidates[0].layout;
        cname = found.candidates[0].connector;
    }
    snprintf(st->connector, sizeof st->connector, "%s", cname);
    snprintf(st->layout, sizeof st->layout, "%s", layout);
    return CM_OK;
}

/* The source's connector and layout (which_layout), opened. */
static enum cm_status open_source(const struct source *src, const struct connector **conn,
                                  struct mapping **map, void **state, int decide_dates,
                                  struct source_stats *st, char *err)
{
    enum cm_status rc = which_layout(src, st, err);
    if (rc)
        return rc;
    const char *layout = st->layout, *cname = st->connector;
    *conn = connector_find(cname);
    if (!*conn)
        return cm_fail(err, CM_ERR_CONFIG, "%s.connector: unknown connector \"%s\"",
                       src->where, cname);
    char merr[CM_ERRBUF];
    rc = mapping_load(layout, map, merr);
    if (rc)
        return cm_fail(err, rc, "%s.layout: %s", src->where, merr);
    if (strcmp(mapping_connector(*map), cname) != 0) {
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.layout: %s is a layout for the %s connector, "
                     "not %s", src->where, layout, mapping_connector(*map), cname);
    } else {
        rc = mapping_configure(*map, src, err);
        if (!rc && decide_dates && mapping_date_auto(*map))
            rc = decide_date_order(src, *conn, *map, st, err);
        if (!rc)
            rc = (*conn)->xOpen(src, state, err);
    }
    if (rc) {
        mapping_free(*map);
        *map = NULL;
    }
    return rc;
}

enum cm_status extract_default_country(const struct source *src, const char **out,
                                       char buf[3], char *err)
{
    *out = NULL;
    enum cm_status rc = source_opt_string(src, "default_country", NULL, out, err);
    if (rc || *out)
        return rc;
    struct source_stats st;
    memset(&st, 0, sizeof st);
    rc = which_layout(src, &st, err);
    struct mapping *map = NULL;
    char merr[CM_ERRBUF];
    if (!rc && mapping_load(st.layout, &map, merr) != CM_OK)
        map = NULL;                     /* reading the source names what is wrong */
    const char *cc = map ? mapping_default_country(map) : NULL;
    if (cc) {
        memcpy(buf, cc, 3);
        *out = buf;
    }
    mapping_free(map);
    return rc;
}

static void describe(const struct connector *conn, void *state, struct source_stats *st)
{
    struct buf d = BUF_INIT(sizeof st->description - 1);
    if (conn->xDescribe(state, &d) == CM_OK && d.data)
        snprintf(st->description, sizeof st->description, "%s", d.data);
    buf_free(&d);
}

enum cm_status extract_probe(const struct source *src, struct source_stats *st, char *err)
{
    memset(st, 0, sizeof *st);
    const struct connector *conn;
    struct mapping *map = NULL;
    void *state = NULL;
    enum cm_status rc = open_source(src, &conn, &map, &state, 0, st, err);
    if (rc)
        return rc;
    describe(conn, state, st);
    conn->xClose(state);
    mapping_free(map);
    return CM_OK;
}

enum cm_status extract_source(const struct source *src, const struct extract_sink *sink,
                              struct source_stats *st, char *err)
{
    return extract_source_since(src, NULL, sink, st, err);
}

enum cm_status extract_source_since(const struct source *src, const char *since,
                                    const struct extract_sink *sink,
                                    struct source_stats *st, char *err)
{
    memset(st, 0, sizeof *st);
    const struct connector *conn;
    struct mapping *map = NULL;
    void *state = NULL;
    enum cm_status rc = open_source(src, &conn, &map, &state, 1, st, err);
    if (rc)
        return rc;
    int incremental = conn->version >= 3 && conn->xSince && conn->xBookmark;
    if (incremental) {
        rc = conn->xSince(state, since, &st->delta, err);
        if (rc) {
            conn->xClose(state);
            mapping_free(map);
            return rc;
        }
    }
    describe(conn, state, st);

    struct arena arena = ARENA_INIT;
    struct buf json = BUF_INIT(0);
    char location[1024];
    char reason[CM_ERRBUF];
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next next = conn->xNext(state, &rec, &rej, err);
        if (next == CONN_EOF)
            break;
        if (next == CONN_ERROR) {
            rc = CM_ERR_INPUT;
            break;
        }
        if (next == CONN_REJECT) {
            st->rejected++;
            format_location(location, sizeof location, rej.file, rej.line, rej.line_end);
            rc = sink->on_reject(sink->ctx, src, location, rej.reason, rej.raw, rej.raw_len,
                                 err);
            if (rc)
                break;
            continue;
        }
        format_location(location, sizeof location, rec.file, rec.line, rec.line_end);
        arena_reset(&arena);
        struct contact c;
        memset(&c, 0, sizeof c);
        rc = mapping_apply(map, src->name, &rec, &arena, &c, reason);
        if (rc == CM_ERR_INPUT) {
            st->rejected++;
            rc = sink->on_reject(sink->ctx, src, location, reason, rec.raw, rec.raw_len, err);
            if (rc)
                break;
            continue;
        }
        if (rc) {
            cm_fail(err, rc, "%s: %s", location, reason);
            break;
        }
        if (rec.deleted) {
            st->deleted++;
            if (sink->on_deleted)
                rc = sink->on_deleted(sink->ctx, src, c.source_key, location, err);
            if (rc)
                break;
            continue;
        }
        buf_reset(&json);
        rc = contact_to_json(&c, &json);
        if (rc) {
            cm_fail(err, rc, "%s: record too large to encode", location);
            break;
        }
        st->records++;
        rc = sink->on_contact(sink->ctx, src, &c, json.data, json.len, location, err);
        if (rc)
            break;
    }
    buf_free(&json);
    arena_free(&arena);
    describe(conn, state, st);          /* again: what was read, not only what was opened */
    st->bad_dates = mapping_bad_dates(map);
    if (!rc && incremental) {
        const char *b = conn->xBookmark(state);
        if (b && strlen(b) >= sizeof st->bookmark)
            rc = cm_fail(err, CM_ERR_LIMIT, "%s: bookmark longer than %zu bytes", src->name,
                         sizeof st->bookmark - 1);
        else if (b)
            snprintf(st->bookmark, sizeof st->bookmark, "%s", b);
    }
    conn->xClose(state);
    mapping_free(map);
    return rc;
}
