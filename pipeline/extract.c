/* extract.c — connector -> mapping -> sink, one record at a time (see extract.h). */
#include "pipeline/extract.h"

#include <stdio.h>
#include <string.h>
#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/detect.h"
#include "transforms/mapping.h"

static void format_location(char *out, size_t cap, const char *file, long line, long end)
{
    if (end > line)
        snprintf(out, cap, "%s:%ld-%ld", file ? file : "?", line, end);
    else
        snprintf(out, cap, "%s:%ld", file ? file : "?", line);
}

/* The source's connector and layout, "auto" resolved by detection, opened. With
 * "connector": "auto" (only beside "layout": "auto") detection picks the reader too. */
static enum cm_status open_source(const struct source *src, const struct connector **conn,
                                  struct mapping **map, void **state,
                                  struct source_stats *st, char *err)
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
    *conn = connector_find(cname);
    if (!*conn)
        return cm_fail(err, CM_ERR_CONFIG, "%s.connector: unknown connector \"%s\"",
                       src->where, cname);
    char merr[CM_ERRBUF];
    enum cm_status rc = mapping_load(layout, map, merr);
    if (rc)
        return cm_fail(err, rc, "%s.layout: %s", src->where, merr);
    if (strcmp(mapping_connector(*map), cname) != 0) {
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.layout: %s is a layout for the %s connector, "
                     "not %s", src->where, layout, mapping_connector(*map), cname);
    } else {
        rc = mapping_configure(*map, src, err);
        if (!rc)
            rc = (*conn)->xOpen(src, state, err);
    }
    if (rc) {
        mapping_free(*map);
        *map = NULL;
    }
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
    enum cm_status rc = open_source(src, &conn, &map, &state, st, err);
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
    enum cm_status rc = open_source(src, &conn, &map, &state, st, err);
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
