/* run.c — orchestration of `crmerge run` (see run.h).
 *
 *   sources --extract/map--> stage (COPY) + profile store (normalised, in memory)
 *           --resolve (resolve.h)--> clusters --publish (one transaction)--> customer view
 *
 * Rejected records go to a spill file while the sources are read and are written
 * to rejected_record at the end, whether the run publishes or not. The pairs the
 * resolver decides go to a spill file too, staged after resolution and published
 * (match_evidence, review_queue) in the publish transaction. */
#include "pipeline/run.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "connectors/pg/pg_copy.h"
#include "connectors/pg/pg_publish.h"
#include "connectors/pg/pg_target.h"
#include "pipeline/arena.h"
#include "pipeline/clock.h"
#include "pipeline/extract.h"
#include "pipeline/hash.h"
#include "pipeline/resolve_run.h"
#include "pipeline/snapshot.h"
#include "transforms/resolve.h"

struct run_ctx {
    struct pg_target *pg;
    struct profile_store store;  /* every record's match profile, by rec_no */
    size_t source_index;         /* the store's index of the source being read */
    struct snapshot snapshot;    /* what the target holds: change detection */
    FILE *rejects;               /* COPY rows for rejected_record */
    FILE *deleted;               /* COPY rows for stage_deleted */
    FILE *pairs;                 /* COPY rows for stage_pair: the resolver's decided pairs */
    json_t *resolve_report;      /* the resolver's xReport, once it has resolved */
    long long run_id;
    long long nrejects;
    struct buf row;              /* scratch for one spill-file row */
    const struct source *carrying;   /* the source carry_record is replaying */
    struct arena carry_arena;
};

static enum cm_status on_contact(void *ctx, const struct source *src,
                                 const struct contact *c, const char *json, size_t json_len,
                                 const char *location, char *err)
{
    (void)src;
    struct run_ctx *r = ctx;
    uint32_t rec_no;
    char perr[CM_ERRBUF];
    enum cm_status rc = profile_store_add(&r->store, r->source_index, c, &rec_no, perr);
    if (rc)
        return cm_fail(err, rc, "%s: %s", location, perr);
    uint64_t h = hash64(json, json_len, 0);
    char state;
    rc = snapshot_classify(&r->snapshot, c->source, c->source_key, h, &state);
    if (rc)
        return cm_fail(err, rc, "%s: change detection: %s", location, cm_strerror(rc));
    char hash[17];
    hash64_hex(h, hash);
    /* an unchanged record's content is already in the target: send its key only */
    return pgt_stage_record(r->pg, rec_no, state, c, state == 'u' ? NULL : json, json_len,
                            hash, location, err);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xF5 ? 0 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;                                 /* overlong, surrogate, > U+10FFFF */
    return len;
}

/* Raw text of a rejected record for a text column: a record rejected before decoding
 * holds its file's bytes (Windows-1252, say) and may hold NUL bytes. Valid UTF-8 is
 * kept; any other byte is written as the four characters \xNN. COPY-escaped. */
static enum cm_status add_raw_text(struct buf *row, const char *raw, size_t n)
{
    const unsigned char *s = (const unsigned char *)raw;
    size_t i = 0;
    enum cm_status rc = CM_OK;
    while (!rc && i < n) {
        size_t len = s[i] ? utf8_seq(s + i, n - i) : 0;
        if (len) {
            rc = copy_escape(row, raw + i, len);
            i += len;
        } else {
            rc = buf_printf(row, "\\\\x%02x", s[i]);     /* COPY text for \xNN */
            i++;
        }
    }
    return rc;
}

static enum cm_status on_reject(void *ctx, const struct source *src, const char *location,
                                const char *reason, const char *raw, size_t raw_len,
                                char *err)
{
    struct run_ctx *r = ctx;
    struct buf *row = &r->row;
    buf_reset(row);
    enum cm_status rc = buf_printf(row, "%lld\t%lld\t", r->run_id, ++r->nrejects);
    if (!rc) rc = copy_escape(row, src->name, strlen(src->name));
    if (!rc) rc = buf_addch(row, '\t');
    if (!rc) rc = copy_escape(row, location, strlen(location));
    if (!rc) rc = buf_addch(row, '\t');
    if (!rc) rc = copy_escape(row, reason, strlen(reason));
    if (!rc) rc = buf_addch(row, '\t');
    if (!rc)
        rc = raw ? add_raw_text(row, raw, raw_len) : buf_add(row, "\\N", 2);
    if (!rc) rc = buf_addch(row, '\n');
    if (rc)
        return cm_fail(err, rc, "%s: cannot record the rejected record", location);
    if (fwrite(row->data, 1, row->len, r->rejects) != row->len)
        return cm_fail(err, CM_ERR_IO, "rejects spill file: write failed");
    return CM_OK;
}

/* A record the source reported deleted: staged after extraction (pgt_stage_deleted). */
static enum cm_status on_deleted(void *ctx, const struct source *src, const char *key,
                                 const char *location, char *err)
{
    struct run_ctx *r = ctx;
    char state;
    enum cm_status rc = snapshot_classify(&r->snapshot, src->name, key, 0, &state);
    struct buf *row = &r->row;
    buf_reset(row);
    if (!rc) rc = copy_escape(row, src->name, strlen(src->name));
    if (!rc) rc = buf_addch(row, '\t');
    if (!rc) rc = copy_escape(row, key, strlen(key));
    if (!rc) rc = buf_addch(row, '\n');
    if (rc)
        return cm_fail(err, rc, "%s: cannot record the deleted record", location);
    if (fwrite(row->data, 1, row->len, r->deleted) != row->len)
        return cm_fail(err, CM_ERR_IO, "deleted-records spill file: write failed");
    return CM_OK;
}

/* A live record of an incremental source that this run did not deliver: it is kept as
 * the target has it, and takes part in resolution like any other ('k'). */
static enum cm_status carry_record(void *ctx, const char *key, const char *content_hash,
                                   const char *location, const char *json, size_t len,
                                   char *err)
{
    struct run_ctx *r = ctx;
    const char *source = r->carrying->name;
    if (snapshot_seen(&r->snapshot, source, key))
        return CM_OK;
    arena_reset(&r->carry_arena);
    struct contact c;
    char jerr[CM_ERRBUF];
    enum cm_status rc = contact_from_json(json, len, &r->carry_arena, &c, jerr);
    if (rc)
        return cm_fail(err, rc == CM_ERR_NOMEM ? rc : CM_ERR_DB,
                       "source %s, key %s in the target: %s", source, key, jerr);
    uint32_t rec_no;
    char perr[CM_ERRBUF];
    rc = profile_store_add(&r->store, r->source_index, &c, &rec_no, perr);
    if (rc)
        return cm_fail(err, rc, "%s: %s", location, perr);
    return pgt_stage_record(r->pg, rec_no, 'k', &c, NULL, 0, content_hash, location, err);
}

/* A double as COPY text for a double precision column (round-trips exactly). */
static enum cm_status add_double(struct buf *row, double v)
{
    if (isnan(v))
        return buf_addstr(row, "NaN");
    if (isinf(v))
        return buf_addstr(row, v > 0 ? "Infinity" : "-Infinity");
    return buf_printf(row, "%.17g", v);
}

/* The resolver's sink: each decided pair as a row of the pairs spill file
 * (pgt_stage_pairs has the format). */
static enum cm_status on_pair(void *ctx, const struct pair_result *p, char *err)
{
    struct run_ctx *r = ctx;
    if (p->decision != PAIR_MATCH && p->decision != PAIR_REVIEW)
        return CM_OK;               /* only matches and review pairs are kept */
    const char *evidence = p->evidence_json ? p->evidence_json : "[]";
    struct buf *row = &r->row;
    buf_reset(row);
    enum cm_status rc = buf_printf(row, "%u\t%u\t", (unsigned)p->a, (unsigned)p->b);
    if (!rc) rc = add_double(row, p->weight);
    if (!rc) rc = buf_addch(row, '\t');
    if (!rc) rc = add_double(row, p->probability);
    if (!rc) rc = buf_printf(row, "\t%s\t", pair_decision_name(p->decision));
    if (!rc)
        rc = p->rule ? copy_escape(row, p->rule, strlen(p->rule)) : buf_add(row, "\\N", 2);
    if (!rc) rc = buf_addch(row, '\t');
    if (!rc) rc = copy_escape(row, evidence, strlen(evidence));
    if (!rc) rc = buf_addch(row, '\n');
    if (rc)
        return cm_fail(err, rc, "cannot record the decided pair of records %u and %u",
                       (unsigned)p->a, (unsigned)p->b);
    if (fwrite(row->data, 1, row->len, r->pairs) != row->len)
        return cm_fail(err, CM_ERR_IO, "decided-pairs spill file: write failed");
    return CM_OK;
}

/* Write down a source that broke off under allow_partial: in the rejects (so it is
 * seen where rejects are looked at), not counted as a rejected record. */
static enum cm_status note_partial(struct run_ctx *r, const struct source *src,
                                   const char *why, char *err)
{
    char reason[CM_ERRBUF + 160];
    snprintf(reason, sizeof reason, "source broke off (allow_partial): records after this "
             "point were not read and are kept as they were: %s", why);
    return on_reject(r, src, src->name, reason, NULL, 0, err);
}

/* A source that could not be read (on): not the config, the database or memory. */
static int source_broke(enum cm_status rc)
{
    return rc && rc != CM_ERR_CONFIG && rc != CM_ERR_DB && rc != CM_ERR_NOMEM;
}

struct totals {
    long long records, rejected;
    double t_extract, t_resolve, t_publish;
};

static json_t *summary_json(const struct config *cfg, const struct source_stats *stats,
                            size_t nstats, const struct totals *tot,
                            const struct publish_counts *pc, const json_t *resolve,
                            const char *status, const char *error)
{
    json_t *sources = json_array();
    for (size_t i = 0; i < nstats; i++) {
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s}",
            "name", cfg->sources[i].name, "description", stats[i].description,
            "records", (json_int_t)stats[i].records,
            "rejected", (json_int_t)stats[i].rejected,
            "read", stats[i].partial ? "partial" : stats[i].delta ? "changes" : "whole");
        if (stats[i].deleted)
            json_object_set_new(o, "deleted", json_integer(stats[i].deleted));
        if (stats[i].bookmark[0])
            json_object_set_new(o, "bookmark", json_string(stats[i].bookmark));
        if (stats[i].partial)
            json_object_set_new(o, "error", json_string(stats[i].error));
        json_array_append_new(sources, o);
    }
    long long read = tot->records + tot->rejected;
    json_t *s = json_pack("{s:s, s:o, s:I, s:I, s:f, s:f}",
        "status", status, "sources", sources,
        "records_in", (json_int_t)tot->records, "rejected", (json_int_t)tot->rejected,
        "reject_rate", read ? (double)tot->rejected / (double)read : 0.0,
        "reject_rate_max", cfg->reject_rate_max);
    if (pc) {
        json_object_update_new(s, json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
            "records_new", (json_int_t)pc->records_new,
            "records_changed", (json_int_t)pc->records_changed,
            "records_unchanged", (json_int_t)pc->records_unchanged,
            "records_deleted", (json_int_t)pc->records_deleted,
            "records_kept", (json_int_t)pc->records_kept,
            "keys_disambiguated", (json_int_t)pc->keys_disambiguated,
            "clusters", (json_int_t)pc->clusters,
            "merged_records", (json_int_t)(tot->records + pc->records_kept - pc->clusters),
            "customers_new", (json_int_t)pc->customers_new,
            "customers_changed", (json_int_t)pc->customers_changed,
            "customers_retired", (json_int_t)pc->customers_retired,
            "customers_total", (json_int_t)pc->customers_total,
            "unchanged", pc->records_new == 0 && pc->records_changed == 0 &&
                         pc->records_deleted == 0 && pc->customers_new == 0 &&
                         pc->customers_changed == 0 && pc->customers_retired == 0 &&
                         pc->crosswalk_changed == 0));
        json_object_update_new(s, json_pack("{s:I, s:I}",
            "pairs_matched", (json_int_t)pc->pairs_matched,
            "pairs_review", (json_int_t)pc->pairs_review));
    }
    if (resolve)
        json_object_set_new(s, "resolve", json_deep_copy(resolve));
    json_object_set_new(s, "timings_s", json_pack("{s:f, s:f, s:f}",
        "extract", tot->t_extract, "resolve", tot->t_resolve, "publish", tot->t_publish));
    if (error)
        json_object_set_new(s, "error", json_string(error));
    return s;
}

/* The resolver report's count key, else the published count of that name, else 0. */
static long long count_of(const json_t *report, const json_t *summary, const char *key)
{
    const json_t *v = json_object_get(report, key);
    if (!json_is_integer(v))
        v = json_object_get(summary, key);
    return (long long)json_integer_value(v);
}

static void print_summary(FILE *out, long long run_id, const json_t *s)
{
    const char *status = json_string_value(json_object_get(s, "status"));
    fprintf(out, "crmerge run %lld: %s\n", run_id, status);
    size_t i;
    json_t *src;
    json_array_foreach(json_object_get(s, "sources"), i, src) {
        const char *what = json_string_value(json_object_get(src, "description"));
        fprintf(out, "  source %-12s %lld records, %lld rejected  (%s)\n",
                json_string_value(json_object_get(src, "name")),
                (long long)json_integer_value(json_object_get(src, "records")),
                (long long)json_integer_value(json_object_get(src, "rejected")),
                what && *what ? what : "not opened");
        const char *read = json_string_value(json_object_get(src, "read"));
        if (strcmp(read, "changes") == 0)
            fprintf(out, "    changes only, %lld reported deleted; next run from %s\n",
                    (long long)json_integer_value(json_object_get(src, "deleted")),
                    json_string_value(json_object_get(src, "bookmark")));
        else if (strcmp(read, "partial") == 0)
            fprintf(out, "    PARTIAL: %s\n",
                    json_string_value(json_object_get(src, "error")));
    }
#define I(key) ((long long)json_integer_value(json_object_get(s, key)))
    fprintf(out, "  records    %lld read, %lld rejected (%.2f%%, max %.2f%%)\n",
            I("records_in"), I("rejected"),
            100 * json_real_value(json_object_get(s, "reject_rate")),
            100 * json_real_value(json_object_get(s, "reject_rate_max")));
    int published = json_object_get(s, "clusters") != NULL;
    if (published) {
        fprintf(out, "  changes    %lld new, %lld changed, %lld unchanged, %lld deleted\n",
                I("records_new"), I("records_changed"), I("records_unchanged"),
                I("records_deleted"));
        if (I("records_kept"))
            fprintf(out, "  kept       %lld records as they were: not delivered by an "
                         "incremental or partial source in this run\n", I("records_kept"));
    }
    const json_t *res = json_object_get(s, "resolve");
    if (res) {
        const char *method = json_string_value(json_object_get(res, "method"));
        fprintf(out, "  resolve    %s: %lld pairs matched, %lld for review\n",
                method ? method : "", count_of(res, s, "pairs_matched"),
                count_of(res, s, "pairs_review"));
    }
    if (published) {
        fprintf(out, "  customers  %lld (%lld records merged into others); "
                     "%lld new, %lld changed, %lld retired; %lld in the view\n",
                I("clusters"), I("merged_records"), I("customers_new"),
                I("customers_changed"), I("customers_retired"), I("customers_total"));
        if (json_is_true(json_object_get(s, "unchanged")))
            fprintf(out, "  nothing changed since the last run\n");
    }
#undef I
    json_t *t = json_object_get(s, "timings_s");
    fprintf(out, "  timings    extract %.2f s, resolve %.2f s, publish %.2f s\n",
            json_real_value(json_object_get(t, "extract")),
            json_real_value(json_object_get(t, "resolve")),
            json_real_value(json_object_get(t, "publish")));
}

/* Record the end of the run (status, summary, rejects) and print the summary. */
static enum cm_status finish(struct run_ctx *r, const struct config *cfg,
                             const struct source_stats *stats, size_t nstats,
                             const struct totals *tot, const struct publish_counts *pc,
                             int commit, const char *status, const char *error,
                             FILE *out, char *err)
{
    json_t *s = summary_json(cfg, stats, nstats, tot, pc, r->resolve_report, status, error);
    char *text = s ? json_dumps(s, JSON_COMPACT) : NULL;
    enum cm_status rc = CM_ERR_NOMEM;
    if (text) {
        rc = pgt_run_finish(r->pg, r->run_id, commit, status, text, r->rejects, err);
        print_summary(out, r->run_id, s);
    }
    free(text);
    json_decref(s);
    return rc;
}

enum cm_status pipeline_run(const struct config *cfg, const struct run_options *opt,
                            FILE *out, char *err)
{
    struct run_ctx r;
    memset(&r, 0, sizeof r);
    buf_init(&r.row, 0);
    buf_init(&r.snapshot.keys.strings, 0);
    buf_init(&r.snapshot.scratch, 0);
    struct source_stats *stats = calloc(cfg->nsources, sizeof *stats);
    struct totals tot;
    memset(&tot, 0, sizeof tot);
    struct publish_counts pc;
    memset(&pc, 0, sizeof pc);
    const char **names = calloc(cfg->nsources, sizeof *names);
    const char **countries = calloc(cfg->nsources, sizeof *countries);
    r.rejects = tmpfile();
    r.deleted = tmpfile();
    r.pairs = tmpfile();
    const char **whole = calloc(cfg->nsources, sizeof *whole);
    char (*since)[sizeof stats->bookmark] = calloc(cfg->nsources, sizeof *since);
    int *partial_ok = calloc(cfg->nsources, sizeof *partial_ok);
    size_t nwhole = 0;
    enum cm_status rc = CM_OK;
    const struct resolver_ops *ops = NULL;
    void *resolver = NULL;
    uint32_t *cluster_of = NULL;
    if (!stats || !names || !countries || !whole || !since || !partial_ok) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!r.rejects || !r.deleted || !r.pairs) {
        rc = cm_fail(err, CM_ERR_IO, "cannot create the spill files");
        goto done;
    }
    /* the source's default_country, else its layout's (the store copies the code) */
    char (*layout_country)[3] = calloc(cfg->nsources ? cfg->nsources : 1, sizeof *layout_country);
    if (!layout_country)
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !rc && i < cfg->nsources; i++) {
        rc = source_opt_bool(&cfg->sources[i], "allow_partial", 0, &partial_ok[i], err);
        if (!rc)
            rc = extract_default_country(&cfg->sources[i], &countries[i], layout_country[i], err);
        names[i] = cfg->sources[i].name;
    }
    if (!rc) rc = profile_store_init(&r.store, NULL, names, countries, cfg->nsources, err);
    free(layout_country);
    if (!rc) rc = resolver_for(cfg->match, &ops, err);
    char model_path[4096] = "";
    if (!rc) rc = resolve_model_path(cfg, model_path, sizeof model_path, err);
    if (!rc) {
        /* "match"."model": relative to the config file, as sources' paths are */
        struct resolve_config rcfg = { cfg->match, "match", model_path[0] ? model_path : NULL,
                                       0 };
        rc = ops->xNew(&rcfg, &resolver, err);
    }
    if (rc)
        goto done;

    /* every source opens and its layout loads before the database is touched */
    for (size_t i = 0; i < cfg->nsources; i++) {
        char serr[CM_ERRBUF] = "";
        rc = extract_probe(&cfg->sources[i], &stats[i], serr);
        if (partial_ok[i] && source_broke(rc))
            rc = CM_OK;             /* fails again when read, and is kept as it was */
        if (rc) {
            rc = rc == CM_ERR_CONFIG ? CM_ERR_CONFIG : CM_ERR_INPUT;
            cm_fail(err, rc, "source %s failed: %s", cfg->sources[i].name, serr);
            goto done;
        }
    }

    rc = pgt_connect(cfg->schema, &r.pg, err);
    if (!rc) rc = pgt_lock(r.pg, cfg->lock_wait_seconds, err);
    int applied = 0;
    if (!rc) rc = pgt_migrate(r.pg, &applied, err);
    if (!rc && applied)
        fprintf(out, "applied %d migration%s to schema \"%s\"\n", applied,
                applied == 1 ? "" : "s", cfg->schema);
    if (!rc) rc = pgt_run_start(r.pg, cfg->path, &r.run_id, err);
    for (size_t i = 0; !rc && !opt->full && i < cfg->nsources; i++)
        rc = pgt_sync_get(r.pg, cfg->sources[i].name, since[i], sizeof since[i], err);
    if (rc)
        goto done;

    /* extract + map + stage, every source */
    double t0 = now_seconds();
    rc = pgt_stage_begin(r.pg, names, cfg->nsources, &r.snapshot, err);
    struct extract_sink sink = { &r, on_contact, on_reject, on_deleted };
    size_t nread = 0;
    for (size_t i = 0; !rc && i < cfg->nsources; i++) {
        const struct source *src = &cfg->sources[i];
        char serr[CM_ERRBUF] = "";
        r.source_index = i;
        rc = extract_source_since(src, since[i][0] ? since[i] : NULL, &sink, &stats[i], serr);
        nread = i + 1;
        tot.records += stats[i].records;
        tot.rejected += stats[i].rejected;
        if (partial_ok[i] && source_broke(rc)) {
            /* keep what was read; the rest stays as the target has it (carried below) */
            stats[i].partial = 1;
            snprintf(stats[i].error, sizeof stats[i].error, "%s", serr);
            rc = note_partial(&r, src, serr, err);
        }
        if (!rc && (stats[i].delta || stats[i].partial)) {
            r.carrying = src;
            rc = pgt_replay_live(r.pg, src->name, carry_record, &r, serr);
            if (rc)
                cm_fail(err, rc, "source %s: %s", src->name, serr);
        } else if (!rc) {
            whole[nwhole++] = src->name;
        } else if (rc == CM_ERR_DB || rc == CM_ERR_NOMEM) {
            cm_fail(err, rc, "%s", serr);
        } else if (rc) {
            /* a source that cannot be read on fails the run; config errors stay so */
            rc = rc == CM_ERR_CONFIG ? CM_ERR_CONFIG : CM_ERR_INPUT;
            cm_fail(err, rc, "source %s failed: %s", cfg->sources[i].name, serr);
        }
    }
    if (!rc) rc = pgt_stage_end(r.pg, err);
    if (!rc) rc = pgt_stage_deleted(r.pg, r.deleted, err);
    tot.t_extract = now_seconds() - t0;
    if (rc) {
        finish(&r, cfg, stats, nread, &tot, NULL, 0, "failed", err, out, NULL);
        goto done;
    }

    long long read = tot.records + tot.rejected;
    if (read && (double)tot.rejected / (double)read > cfg->reject_rate_max) {
        rc = cm_fail(err, CM_ERR_REJECTS,
                     "%lld of %lld records rejected (%.2f%%), over reject_rate_max %.2f%%: "
                     "nothing published; see rejected_record for run %lld",
                     tot.rejected, read, 100.0 * (double)tot.rejected / (double)read,
                     100.0 * cfg->reject_rate_max, r.run_id);
        finish(&r, cfg, stats, nread, &tot, NULL, 0, "rejected", err, out, NULL);
        goto done;
    }

    /* resolve: clusters from the in-memory keys, then publish */
    t0 = now_seconds();
    size_t duplicate_keys = 0;
    cluster_of = malloc((r.store.n ? r.store.n : 1) * sizeof *cluster_of);
    if (!cluster_of)
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu clusters", r.store.n);
    if (!rc) rc = profile_store_finish(&r.store, 0, err);
    if (!rc) rc = ops->xAdd(resolver, &r.store, 0, (uint32_t)r.store.n, err);
    struct resolve_sink pair_sink = { &r, on_pair };
    if (!rc) rc = ops->xResolve(resolver, &r.store, cluster_of, &pair_sink, err);
    if (!rc) {
        /* for the summary: the resolver's report, naming its method */
        r.resolve_report = ops->xReport ? ops->xReport(resolver) : NULL;
        if (!json_is_object(r.resolve_report)) {
            json_decref(r.resolve_report);
            r.resolve_report = json_object();
        }
        if (!json_is_string(json_object_get(r.resolve_report, "method")))
            json_object_set_new(r.resolve_report, "method", json_string(ops->zName));
    }
    if (!rc) {
        uint32_t *first = NULL;
        rc = profile_store_key_groups(&r.store, &first, &duplicate_keys, err);
        free(first);
    }
    tot.t_resolve = now_seconds() - t0;
    if (!rc) rc = pgt_stage_clusters(r.pg, cluster_of, r.store.n, err);
    if (!rc) rc = pgt_stage_pairs(r.pg, r.pairs, err);
    t0 = now_seconds();
    if (!rc) rc = pgt_publish(r.pg, r.run_id, whole, nwhole,
                                 duplicate_keys > 0, &pc, err);
    /* bookmarks commit with the records they cover; a partial read keeps the old one */
    for (size_t i = 0; !rc && i < cfg->nsources; i++) {
        if (stats[i].bookmark[0] && !stats[i].partial)
            rc = pgt_sync_set(r.pg, cfg->sources[i].name, stats[i].bookmark,
                              !stats[i].delta, r.run_id, err);
    }
    tot.t_publish = now_seconds() - t0;
    if (rc) {
        finish(&r, cfg, stats, nread, &tot, NULL, 0, "failed", err, out, NULL);
        goto done;
    }
    rc = finish(&r, cfg, stats, nread, &tot, &pc, 1, "succeeded", NULL, out, err);

done:
    if (r.rejects)
        fclose(r.rejects);
    if (r.deleted)
        fclose(r.deleted);
    if (r.pairs)
        fclose(r.pairs);
    json_decref(r.resolve_report);
    arena_free(&r.carry_arena);
    free(whole);
    free(since);
    free(partial_ok);
    pgt_close(r.pg);
    if (resolver)
        ops->xFree(resolver);
    free(cluster_of);
    free(countries);
    profile_store_free(&r.store);
    snapshot_free(&r.snapshot);
    buf_free(&r.row);
    free(names);
    free(stats);
    return rc;
}
