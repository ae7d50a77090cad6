/* resolve_run.c — extract -> profile store -> resolver, no database (see resolve_run.h). */
#include "pipeline/resolve_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pipeline/buf.h"
#include "pipeline/clock.h"

/* The resolver `--method NAME` names, or CM_ERR_USAGE with the known ones (resolver_for
 * knows them; its message names the config key, this one the option). */
static enum cm_status method_named(const char *method, const struct resolver_ops **ops,
                                   char *err)
{
    json_t *m = json_pack("{s:s}", "method", method);
    if (!m)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    char msg[CM_ERRBUF] = "";
    enum cm_status rc = resolver_for(m, ops, msg);
    json_decref(m);
    if (rc == CM_ERR_CONFIG) {
        const char *why = strstr(msg, "unknown method");
        return cm_fail(err, CM_ERR_USAGE, "--method: %s", why ? why : msg);
    }
    return rc ? cm_fail(err, rc, "%s", msg) : CM_OK;
}

enum cm_status resolve_model_path(const struct config *cfg, char *out, size_t cap, char *err)
{
    out[0] = '\0';
    const json_t *m = cfg->match ? json_object_get(cfg->match, "model") : NULL;
    if (!json_is_string(m))
        return CM_OK;
    const char *name = json_string_value(m);
    int n = name[0] == '/' || strcmp(cfg->dir, ".") == 0
          ? snprintf(out, cap, "%s", name)
          : snprintf(out, cap, "%s/%s", cfg->dir, name);
    if (n < 0 || (size_t)n >= cap)
        return cm_fail(err, CM_ERR_CONFIG, "match.model: %s: path too long", name);
    return CM_OK;
}

/* The resolver's "match" object: the config's, without "model" when training. */
static enum cm_status match_object(struct resolve_run *rr, const struct config *cfg, int train,
                                   char *err)
{
    if (!cfg->match)
        return CM_OK;
    rr->match = json_copy((json_t *)cfg->match);
    if (!rr->match)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    if (train)
        json_object_del(rr->match, "model");
    return CM_OK;
}

enum cm_status resolve_run_prepare(struct resolve_run *rr, const struct config *cfg,
                                   const struct resolve_run_options *opt, char *err)
{
    static const struct resolve_run_options none = { NULL, NULL, 0 };
    if (!opt)
        opt = &none;
    memset(rr, 0, sizeof *rr);
    size_t n = cfg->nsources;
    rr->nsources = n;
    rr->names = calloc(n + 1, sizeof *rr->names);
    rr->countries = calloc(n + 1, sizeof *rr->countries);
    rr->layout_country = calloc(n + 1, sizeof *rr->layout_country);
    rr->stats = calloc(n + 1, sizeof *rr->stats);
    if (!rr->names || !rr->countries || !rr->layout_country || !rr->stats)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    enum cm_status rc = opt->method ? method_named(opt->method, &rr->ops, err)
                                    : resolver_for(cfg->match, &rr->ops, err);
    if (!rc && opt->train && !rr->ops->xModel)
        return cm_fail(err, CM_ERR_USAGE, "the %s resolver has no model to train (use "
                       "--method fellegi_sunter)", rr->ops->zName);
    if (!rc && opt->model && !rr->ops->xModel)
        return cm_fail(err, CM_ERR_USAGE, "--model: the %s resolver has no model (it takes "
                       "no weights; use --method fellegi_sunter)", rr->ops->zName);
    if (!rc) rc = match_object(rr, cfg, opt->train, err);
    if (!rc && opt->model && !opt->train) {
        if ((size_t)snprintf(rr->model_path, sizeof rr->model_path, "%s", opt->model) >=
            sizeof rr->model_path)
            rc = cm_fail(err, CM_ERR_USAGE, "--model: path too long");
    } else if (!rc && !opt->train) {
        rc = resolve_model_path(cfg, rr->model_path, sizeof rr->model_path, err);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        rr->names[i] = cfg->sources[i].name;
        rc = extract_default_country(&cfg->sources[i], &rr->countries[i],
                                     rr->layout_country[i], err);
    }
    if (!rc)
        rc = profile_store_init(&rr->store, NULL, rr->names, rr->countries, n, err);
    if (!rc) {
        struct resolve_config rcfg = { rr->match, "match",
                                       rr->model_path[0] ? rr->model_path : NULL, 0 };
        char rerr[CM_ERRBUF] = "";
        rc = rr->ops->xNew(&rcfg, &rr->resolver, rerr);
        /* the model named on the command line: say so, not "match.model" */
        const char *prefix = "match.model: ";
        if (rc && opt->model && strncmp(rerr, prefix, strlen(prefix)) == 0)
            cm_fail(err, rc, "--model: %s", rerr + strlen(prefix));
        else if (rc)
            cm_fail(err, rc, "%s", rerr);
    }
    return rc;
}

/* ---- filling the store ------------------------------------------------------------- */

struct fill_ctx {
    struct resolve_run *rr;
    size_t source;               /* the store's index of the source being read */
    resolve_reject_fn on_reject;
    void *ctx;
};

static enum cm_status on_contact(void *ctx, const struct source *src,
                                 const struct contact *c, const char *json, size_t json_len,
                                 const char *location, char *err)
{
    (void)src; (void)json; (void)json_len;
    struct fill_ctx *f = ctx;
    uint32_t rec;
    char perr[CM_ERRBUF];
    enum cm_status rc = profile_store_add(&f->rr->store, f->source, c, &rec, perr);
    if (rc)
        return cm_fail(err, rc, "%s: %s", location, perr);
    if (f->rr->on_record)
        f->rr->on_record(f->rr->record_ctx, rec, location);
    return CM_OK;
}

static enum cm_status on_reject(void *ctx, const struct source *src, const char *location,
                                const char *reason, const char *raw, size_t raw_len,
                                char *err)
{
    (void)raw; (void)raw_len; (void)err;
    struct fill_ctx *f = ctx;
    if (f->on_reject)
        f->on_reject(f->ctx, src->name, location, reason);
    return CM_OK;
}

enum cm_status resolve_run_fill(struct resolve_run *rr, const struct config *cfg,
                                resolve_reject_fn reject, void *ctx, char *err)
{
    struct fill_ctx f = { rr, 0, reject, ctx };
    struct extract_sink sink = { &f, on_contact, on_reject, NULL };
    double t0 = now_seconds();
    enum cm_status rc = CM_OK;
    for (size_t i = 0; !rc && i < cfg->nsources; i++) {
        char serr[CM_ERRBUF] = "";
        f.source = i;
        rc = extract_source(&cfg->sources[i], &sink, &rr->stats[i], serr);
        if (rc)
            cm_fail(err, rc, "source %s: %s", cfg->sources[i].name, serr);
        rr->records += rr->stats[i].records;
        rr->rejected += rr->stats[i].rejected;
        rr->bad_dates += rr->stats[i].bad_dates;
    }
    rr->t_extract = now_seconds() - t0;
    return rc;
}

/* ---- resolving --------------------------------------------------------------------- */

enum cm_status resolve_run_resolve(struct resolve_run *rr, char *err)
{
    const struct profile_store *s = &rr->store;
    double t0 = now_seconds();
    enum cm_status frc = profile_store_finish(&rr->store, 0, err);
    if (frc)
        return frc;
    rr->cluster_of = malloc((s->n ? s->n : 1) * sizeof *rr->cluster_of);
    if (!rr->cluster_of)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for %zu clusters", s->n);
    enum cm_status rc = rr->ops->xAdd(rr->resolver, s, 0, (uint32_t)s->n, err);
    if (!rc)
        rc = rr->ops->xResolve(rr->resolver, s, rr->cluster_of, NULL, err);
    rr->t_resolve = now_seconds() - t0;
    if (rc)
        return rc;
    rr->clusters = 0;
    for (size_t i = 0; i < s->n; i++)
        rr->clusters += rr->cluster_of[i] == i;
    rr->report = rr->ops->xReport ? rr->ops->xReport(rr->resolver) : NULL;
    return CM_OK;
}

/* Close a file written as tmp and rename it to path, unless writing already failed;
 * 1 (tmp removed, *saved the errno that says why) when anything failed. */
static int close_into_place(FILE *out, const char *tmp, const char *path, int failed,
                            int *saved)
{
    if (fclose(out) != 0 && !failed) {
        failed = 1;
        *saved = errno;
    }
    if (!failed && rename(tmp, path) != 0) {
        failed = 1;
        *saved = errno;
    }
    if (failed)
        remove(tmp);
    return failed;
}

enum cm_status resolve_run_write_clusters(const struct resolve_run *rr, const char *path,
                                          char *err)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return cm_fail(err, CM_ERR_USAGE, "--clusters-out: path too long");
    FILE *out = fopen(tmp, "w");
    if (!out)
        return cm_fail(err, CM_ERR_IO, "%s: cannot write (%s): %s", path, tmp,
                       strerror(errno));
    struct buf line = BUF_INIT(0);
    enum cm_status rc = fputs("source,source_key,cluster_id\n", out) < 0 ? CM_ERR_IO : CM_OK;
    for (size_t i = 0; !rc && i < rr->store.n; i++) {
        buf_reset(&line);
        rc = buf_add_csv_field(&line, profile_store_source(&rr->store, (uint32_t)i));
        if (!rc) rc = buf_addch(&line, ',');
        if (!rc) rc = buf_add_csv_field(&line, profile_store_key(&rr->store, (uint32_t)i));
        if (!rc) rc = buf_printf(&line, ",%u\n", rr->cluster_of[i]);
        if (!rc && fwrite(line.data, 1, line.len, out) != line.len)
            rc = CM_ERR_IO;
    }
    buf_free(&line);
    int saved = errno;
    if (!close_into_place(out, tmp, path, rc != CM_OK, &saved))
        return CM_OK;
    if (rc == CM_ERR_NOMEM)
        return cm_fail(err, rc, "%s: out of memory", path);
    return cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(saved));
}

uint32_t resolve_run_find(const struct resolve_run *rr, const char *source, const char *key)
{
    const struct profile_store *s = &rr->store;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(profile_store_key(s, (uint32_t)i), key) == 0 &&
            strcmp(profile_store_source(s, (uint32_t)i), source) == 0)
            return (uint32_t)i;
    }
    return UINT32_MAX;
}

enum cm_status resolve_run_write_model(const struct resolve_run *rr, const char *path,
                                       json_t **model, char *err)
{
    if (model)
        *model = NULL;
    if (!rr->ops->xModel)
        return cm_fail(err, CM_ERR_USAGE, "the %s resolver has no model to train (use "
                       "--method fellegi_sunter)", rr->ops->zName);
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return cm_fail(err, CM_ERR_USAGE, "--model-out: path too long");
    json_t *j = rr->ops->xModel(rr->resolver);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (!text) {
        json_decref(j);
        return cm_fail(err, CM_ERR_NOMEM, "%s: out of memory for the model", path);
    }
    FILE *out = fopen(tmp, "w");
    if (!out) {
        int saved = errno;
        free(text);
        json_decref(j);
        return cm_fail(err, CM_ERR_IO, "%s: cannot write (%s): %s", path, tmp,
                       strerror(saved));
    }
    size_t len = strlen(text);
    int failed = fwrite(text, 1, len, out) != len || fputc('\n', out) == EOF;
    int saved = errno;
    free(text);
    if (close_into_place(out, tmp, path, failed, &saved)) {
        json_decref(j);
        return cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(saved));
    }
    if (model)
        *model = j;
    else
        json_decref(j);
    return CM_OK;
}

void resolve_run_free(struct resolve_run *rr)
{
    if (rr->resolver)
        rr->ops->xFree(rr->resolver);
    profile_store_free(&rr->store);
    json_decref(rr->report);
    json_decref(rr->match);
    free(rr->cluster_of);
    free(rr->stats);
    free(rr->names);
    free(rr->countries);
    free(rr->layout_country);
    memset(rr, 0, sizeof *rr);
}
