/* main.c — the crmerge command line: a table of commands, one function each.
 * Maps statuses to the documented exit codes; the only place that exits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "connectors/pg/pg_target.h"
#include "pipeline/config.h"
#include "pipeline/detect.h"
#include "pipeline/explain.h"
#include "pipeline/extract.h"
#include "pipeline/resolve_run.h"
#include "pipeline/run.h"
#include "transforms/match/eval.h"
#include "transforms/normalise/profile.h"
#include "transforms/mapping.h"

#define CRMERGE_VERSION "0.1.0"

/* Exit codes (a contract for cron jobs; README.md lists them). */
enum exit_code {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,           /* out of memory, a bug */
    EXIT_USAGE = 2,              /* bad command line */
    EXIT_CONFIG = 3,             /* config or layout file wrong */
    EXIT_REJECTS = 4,            /* reject rate over reject_rate_max: nothing published */
    EXIT_SOURCE = 5,             /* a source could not be read */
    EXIT_DATABASE = 6,           /* PostgreSQL failed: nothing published */
    EXIT_BUSY = 7                /* another run holds the target's lock */
};

static int exit_code(enum cm_status rc)
{
    switch (rc) {
    case CM_OK:          return EXIT_OK;
    case CM_ERR_USAGE:   return EXIT_USAGE;
    case CM_ERR_CONFIG:  return EXIT_CONFIG;
    case CM_ERR_REJECTS: return EXIT_REJECTS;
    case CM_ERR_IO:
    case CM_ERR_INPUT:
    case CM_ERR_LIMIT:   return EXIT_SOURCE;
    case CM_ERR_DB:      return EXIT_DATABASE;
    case CM_ERR_BUSY:    return EXIT_BUSY;
    case CM_ERR_NOMEM:   return EXIT_INTERNAL;
    }
    return EXIT_INTERNAL;
}

static int fail(enum cm_status rc, const char *msg)
{
    fprintf(stderr, "crmerge: %s\n", msg);
    return exit_code(rc);
}

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
    const char *help;
};

static const struct command *find_command(const char *name);

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

static int print_command_help(const char *name)
{
    const struct command *c = find_command(name);
    printf("usage: %s\n\n%s\n", c->usage, c->help);
    return EXIT_OK;
}

/* -c CONFIG and an optional --source NAME; other flags per command. */
struct common_opts {
    const char *config;
    const char *source;
    const char *layout;
    int full;                    /* run --full */
};

static int parse_common(int argc, char **argv, struct common_opts *o, int allow_source,
                        int allow_layout)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "source", required_argument, NULL, 's' },
        { "layout", required_argument, NULL, 'l' },
        { "full", no_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 }
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+c:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 's':
            if (!allow_source)
                goto bad;
            o->source = optarg;
            break;
        case 'l':
            if (!allow_layout)
                goto bad;
            o->layout = optarg;
            break;
        case 'f':
            if (strcmp(argv[0], "run") != 0)
                goto bad;
            o->full = 1;
            break;
        default:
            goto bad;
        }
    }
    return 0;
bad:
    fprintf(stderr, "crmerge %s: unknown or incomplete option '%s' (see crmerge %s --help)\n",
            argv[0], argv[optind - 1], argv[0]);
    return -1;
}

static int load_config(const char *path, struct config **cfg)
{
    if (!path) {
        fprintf(stderr, "crmerge: missing -c CONFIG\n");
        return EXIT_USAGE;
    }
    char err[CM_ERRBUF];
    enum cm_status rc = config_load(path, cfg, err);
    if (rc)
        return fail(rc, err);
    return EXIT_OK;
}

/* ---- run ------------------------------------------------------------------------ */

static int cmd_run(int argc, char **argv)
{
    struct common_opts o;
    if (parse_common(argc, argv, &o, 0, 0) || optind != argc)
        return EXIT_USAGE;
    struct config *cfg;
    int code = load_config(o.config, &cfg);
    if (code)
        return code;
    char err[CM_ERRBUF] = "";
    struct run_options ropt = { o.full };
    enum cm_status rc = pipeline_run(cfg, &ropt, stdout, err);
    config_free(cfg);
    fflush(stdout);
    if (rc)
        return fail(rc, err);
    return EXIT_OK;
}

/* ---- extract -------------------------------------------------------------------- */

struct extract_out {
    FILE *out;
};

static enum cm_status print_contact(void *ctx, const struct source *src,
                                    const struct contact *c, const char *json,
                                    size_t json_len, const char *location, char *err)
{
    (void)src;
    (void)c;
    struct extract_out *x = ctx;
    if (fwrite(json, 1, json_len, x->out) != json_len || putc('\n', x->out) == EOF)
        return cm_fail(err, CM_ERR_IO, "%s: cannot write to standard output", location);
    return CM_OK;
}

static enum cm_status print_reject(void *ctx, const struct source *src, const char *location,
                                   const char *reason, const char *raw, size_t raw_len,
                                   char *err)
{
    (void)ctx;
    (void)raw;
    (void)raw_len;
    (void)err;
    fprintf(stderr, "rejected: %s: %s: %s\n", src->name, location, reason);
    return CM_OK;
}

static enum cm_status print_deleted(void *ctx, const struct source *src, const char *key,
                                    const char *location, char *err)
{
    (void)ctx;
    (void)err;
    fprintf(stderr, "deleted: %s: %s: key %s\n", src->name, location, key);
    return CM_OK;
}

/* ", 3 dates not understood (kept in extra)" when a source had any, else "". */
static const char *bad_dates_note(const struct source_stats *st, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (st->bad_dates)
        snprintf(buf, cap, ", %lld date%s not understood (kept in extra)", st->bad_dates,
                 st->bad_dates == 1 ? "" : "s");
    return buf;
}

/* The sources a command reads: -c CONFIG [--source NAME], or --layout NAME FILE... (a
 * config made from the files, one source each). 0 and *cfg set, or the exit code. */
static int config_of(const char *cmd, const struct common_opts *o, int with_source,
                     char **files, int nfiles, struct config **cfg)
{
    *cfg = NULL;
    char err[CM_ERRBUF] = "";
    if (o->layout) {
        if (o->config || o->source || nfiles == 0) {
            fprintf(stderr, "crmerge %s: use either -c CONFIG%s or --layout NAME FILE...\n",
                    cmd, with_source ? " [--source NAME]" : "");
            return EXIT_USAGE;
        }
        /* the layout says which reader its files need */
        struct mapping *m = NULL;
        char connector[64] = "auto";               /* with layout auto: detected */
        enum cm_status rc = CM_OK;
        if (strcmp(o->layout, "auto") != 0) {
            rc = mapping_load(o->layout, &m, err);
            if (rc)
                return fail(rc, err);
            snprintf(connector, sizeof connector, "%s", mapping_connector(m));
            mapping_free(m);
        }
        rc = config_from_files(o->layout, connector, files, (size_t)nfiles, cfg, err);
        if (rc)
            return fail(rc, err);
        return EXIT_OK;
    }
    if (nfiles) {
        fprintf(stderr, "crmerge %s: unexpected argument '%s'\n", cmd, files[0]);
        return EXIT_USAGE;
    }
    int code = load_config(o->config, cfg);
    if (code)
        return code;
    if (o->source && !config_find_source(*cfg, o->source)) {
        config_free(*cfg);
        *cfg = NULL;
        fprintf(stderr, "crmerge %s: --source %s: no such source in %s\n", cmd, o->source,
                o->config);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The sources of `extract` and `normalise` (config_of). */
static int load_sources(const char *cmd, int argc, char **argv, struct common_opts *o,
                        struct config **cfg)
{
    *cfg = NULL;
    if (parse_common(argc, argv, o, 1, 1))
        return EXIT_USAGE;
    return config_of(cmd, o, 1, argv + optind, argc - optind, cfg);
}

static int cmd_extract(int argc, char **argv)
{
    struct common_opts o;
    struct config *cfg;
    int code = load_sources("extract", argc, argv, &o, &cfg);
    if (code)
        return code;
    char err[CM_ERRBUF] = "";
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct extract_out x = { stdout };
    struct extract_sink sink = { &x, print_contact, print_reject, print_deleted };
    enum cm_status rc = CM_OK;
    for (size_t i = 0; !rc && i < cfg->nsources; i++) {
        const struct source *src = &cfg->sources[i];
        if (o.source && strcmp(o.source, src->name) != 0)
            continue;
        struct source_stats st;
        char note[96];
        rc = extract_source(src, &sink, &st, err);
        if (!rc)
            fprintf(stderr, "extracted: %s: %lld records, %lld rejected%s%s (%s)\n", src->name,
                    st.records, st.rejected, st.deleted ? ", some reported deleted" : "",
                    bad_dates_note(&st, note, sizeof note), st.description);
    }
    fflush(stdout);
    config_free(cfg);
    if (rc)
        return fail(rc, err);
    return EXIT_OK;
}

/* ---- normalise ------------------------------------------------------------------ */

struct normalise_out {
    struct normaliser *norm;
    const char *country;         /* the source's default_country, or NULL */
    struct buf line;
    long long records;
};

static enum cm_status print_profile(void *ctx, const struct source *src,
                                    const struct contact *c, const char *json,
                                    size_t json_len, const char *location, char *err)
{
    (void)src; (void)json; (void)json_len;
    struct normalise_out *x = ctx;
    struct match_profile p;
    enum cm_status rc = normalise_contact(x->norm, c, x->country, &p);
    if (rc)
        return cm_fail(err, rc, "%s: cannot normalise: %s", location, cm_strerror(rc));
    struct buf *b = &x->line;
    buf_reset(b);
    rc = buf_addstr(b, "{\"source\":");
    if (!rc) rc = json_add_string(b, c->source, strlen(c->source));
    if (!rc) rc = buf_addstr(b, ",\"source_key\":");
    if (!rc) rc = json_add_string(b, c->source_key, strlen(c->source_key));
    if (!rc) rc = buf_addstr(b, ",\"location\":");
    if (!rc) rc = json_add_string(b, location, strlen(location));
    if (!rc) rc = buf_addstr(b, ",\"profile\":");
    if (!rc) rc = profile_to_json(x->norm, &p, b);
    if (!rc) rc = buf_addstr(b, "}\n");
    if (rc)
        return cm_fail(err, rc, "%s: profile too large to print", location);
    if (fwrite(b->data, 1, b->len, stdout) != b->len)
        return cm_fail(err, CM_ERR_IO, "%s: cannot write to standard output", location);
    x->records++;
    return CM_OK;
}

static void print_warnings(const struct profile_warnings *w)
{
    const struct { const char *what; long long n; } items[] = {
        { "invalid UTF-8 (left empty)", w->invalid_utf8 }, { "cut at 1024 bytes", w->too_long },
        { "mojibake repaired", w->repaired }, { "no usable name", w->name_empty },
        { "names with digits or only punctuation", w->name_odd },
        { "invalid e-mails (kept as given, not compared)", w->email_invalid },
        { "role e-mails (info@, sales@...)", w->email_role },
        { "invalid phones (kept as given, not compared)", w->phone_invalid },
        { "phones mangled by Excel (4.91701E+11)", w->phone_excel },
        { "national phones without a country", w->phone_no_country },
        { "unknown countries", w->country_unknown },
        { "invalid postal codes (kept as given)", w->postal_invalid },
        { "postal codes with a leading zero restored", w->postal_restored },
        { "e-mails past the profile's 2", w->more_emails },
        { "phones past the profile's 2", w->more_phones },
        { "birth dates not in ISO form (left out)", w->birth_date_invalid },
    };
    for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
        if (items[i].n)
            fprintf(stderr, "  warning: %lld %s\n", items[i].n, items[i].what);
    }
}

static int cmd_normalise(int argc, char **argv)
{
    struct common_opts o;
    struct config *cfg;
    int code = load_sources("normalise", argc, argv, &o, &cfg);
    if (code)
        return code;
    char err[CM_ERRBUF] = "";
    struct normalise_out x = { NULL, NULL, BUF_INIT(0), 0 };
    enum cm_status rc = normaliser_new(NULL, &x.norm, err);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct extract_sink sink = { &x, print_profile, print_reject, print_deleted };
    for (size_t i = 0; !rc && i < cfg->nsources; i++) {
        const struct source *src = &cfg->sources[i];
        if (o.source && strcmp(o.source, src->name) != 0)
            continue;
        char layout_country[3];
        rc = extract_default_country(src, &x.country, layout_country, err);
        if (!rc && x.country) {
            const char *iso = normaliser_country(x.norm, x.country);
            if (!iso)
                rc = cm_fail(err, CM_ERR_CONFIG, "%s.default_country: unknown country \"%s\" "
                             "(an ISO code such as \"DE\", or a name)", src->where, x.country);
            x.country = iso;
        }
        struct source_stats st;
        char note[96];
        long long before = x.records;
        if (!rc)
            rc = extract_source(src, &sink, &st, err);
        if (!rc)
            fprintf(stderr, "normalised: %s: %lld records, %lld rejected%s (%s)\n", src->name,
                    x.records - before, st.rejected, bad_dates_note(&st, note, sizeof note),
                    st.description);
    }
    fflush(stdout);
    if (x.norm)
        print_warnings(normaliser_warnings(x.norm));
    normaliser_free(x.norm);
    buf_free(&x.line);
    config_free(cfg);
    if (rc)
        return fail(rc, err);
    return EXIT_OK;
}

/* ---- resolve, eval ---------------------------------------------------------------- */

enum resolve_cmd { RC_RESOLVE, RC_EVAL, RC_EXPLAIN, RC_TRAIN };

struct resolve_opts {
    struct common_opts src;      /* -c CONFIG or --layout NAME (the FILEs follow) */
    const char *method;          /* --method NAME */
    const char *model;           /* --model FILE (resolve, eval, explain) */
    const char *model_out;       /* train --model-out FILE */
    const char *clusters_out;    /* resolve --clusters-out FILE */
    const char *truth, *clusters;    /* eval --truth FILE, --clusters FILE */
    int json;                    /* eval --json */
    size_t worst;                /* eval --worst N */
};

/* The options each of resolve, eval, explain and train takes (getopt letters). */
static const char *const resolve_cmd_name[] = { "resolve", "eval", "explain", "train" };
static const char *const resolve_cmd_opts[] = { "clmoM", "clmtkjwM", "clmM", "clmO" };

/* The options of resolve, eval, explain or train, anywhere on the line: the other
 * arguments (FILEs of --layout, explain's SOURCE:KEYs) are left at argv[optind...]. */
static int parse_resolve(int argc, char **argv, enum resolve_cmd cmd, struct resolve_opts *o)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "layout", required_argument, NULL, 'l' },
        { "method", required_argument, NULL, 'm' },
        { "clusters-out", required_argument, NULL, 'o' },
        { "truth", required_argument, NULL, 't' },
        { "clusters", required_argument, NULL, 'k' },
        { "json", no_argument, NULL, 'j' },
        { "worst", required_argument, NULL, 'w' },
        { "model", required_argument, NULL, 'M' },
        { "model-out", required_argument, NULL, 'O' },
        { NULL, 0, NULL, 0 }
    };
    memset(o, 0, sizeof *o);
    o->worst = 5;
    optind = 1;
    opterr = 0;
    int ch, idx = -1;
    while ((ch = getopt_long(argc, argv, "c:", longopts, &idx)) != -1) {
        if (ch != '?' && ch != ':' && !strchr(resolve_cmd_opts[cmd], ch)) {
            size_t other = 0;
            while (!strchr(resolve_cmd_opts[other], ch))
                other++;
            fprintf(stderr, "crmerge %s: --%s is an option of crmerge %s (see crmerge %s "
                            "--help)\n", argv[0], longopts[idx].name, resolve_cmd_name[other],
                    argv[0]);
            return -1;
        }
        switch (ch) {
        case 'c': o->src.config = optarg; break;
        case 'l': o->src.layout = optarg; break;
        case 'm': o->method = optarg; break;
        case 'o': o->clusters_out = optarg; break;
        case 't': o->truth = optarg; break;
        case 'k': o->clusters = optarg; break;
        case 'j': o->json = 1; break;
        case 'M': o->model = optarg; break;
        case 'O': o->model_out = optarg; break;
        case 'w': {
            char *end;
            errno = 0;
            long long n = strtoll(optarg, &end, 10);
            if (end == optarg || *end || n < 0 || errno) {
                fprintf(stderr, "crmerge eval: --worst %s: must be a number of clusters, 0 or "
                                "more\n", optarg);
                return -1;
            }
            o->worst = (size_t)n;
            break;
        }
        default:
            fprintf(stderr, "crmerge %s: unknown or incomplete option '%s' (see crmerge %s "
                            "--help)\n", argv[0], argv[optind - 1], argv[0]);
            return -1;
        }
    }
    return 0;
}

static void print_rejected(void *ctx, const char *source, const char *location,
                           const char *reason)
{
    (void)ctx;
    fprintf(stderr, "rejected: %s: %s: %s\n", source, location, reason);
}

/* What was read and resolved, on stderr: a line per source, the totals and times, and
 * (with_report) the resolver's report as one compact JSON line. */
static void print_resolve_summary(const struct resolve_run *rr, const struct config *cfg,
                                  int with_report)
{
    for (size_t i = 0; i < rr->nsources; i++) {
        const struct source_stats *st = &rr->stats[i];
        char note[96];
        fprintf(stderr, "read: %s: %lld records, %lld rejected%s (%s)\n", cfg->sources[i].name,
                st->records, st->rejected, bad_dates_note(st, note, sizeof note),
                st->description);
    }
    fprintf(stderr, "resolved: %lld records (%lld rejected), method %s: %zu clusters; "
                    "extract+normalise %.2f s, resolve %.2f s\n", rr->records, rr->rejected,
            rr->ops->zName, rr->clusters, rr->t_extract, rr->t_resolve);
    char *report = rr->report && with_report
                 ? json_dumps(rr->report, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (report)
        fprintf(stderr, "report: %s\n", report);
    free(report);
}

/* -c CONFIG or --layout NAME FILE...: extract, normalise, resolve (resolve_run.h).
 * on_record (may be NULL) sees every record as it is added. The exit code of a bad
 * command line, else 0 with *rc the status of the work. */
/* Called between reading and resolving (eval: the truth's persons for the report). */
typedef enum cm_status (*after_fill_fn)(void *ctx, struct resolve_run *rr, char *err);

static int resolve_sources_then(const char *cmd, const struct resolve_opts *o, char **files,
                                int nfiles, int train, struct resolve_run *rr,
                                struct config **cfg,
                                void (*on_record)(void *, uint32_t, const char *),
                                void *record_ctx, after_fill_fn after_fill, void *fill_ctx,
                                char *err, enum cm_status *rc)
{
    *rc = CM_OK;
    memset(rr, 0, sizeof *rr);
    int code = config_of(cmd, &o->src, 0, files, nfiles, cfg);
    if (code)
        return code;
    struct resolve_run_options ropt = { o->method, o->model, train };
    *rc = resolve_run_prepare(rr, *cfg, &ropt, err);
    rr->on_record = on_record;
    rr->record_ctx = record_ctx;
    if (!*rc) *rc = resolve_run_fill(rr, *cfg, print_rejected, NULL, err);
    if (!*rc && after_fill) *rc = after_fill(fill_ctx, rr, err);
    if (!*rc) *rc = resolve_run_resolve(rr, err);
    return EXIT_OK;
}

static int resolve_sources(const char *cmd, const struct resolve_opts *o, char **files,
                           int nfiles, int train, struct resolve_run *rr, struct config **cfg,
                           void (*on_record)(void *, uint32_t, const char *), void *record_ctx,
                           char *err, enum cm_status *rc)
{
    return resolve_sources_then(cmd, o, files, nfiles, train, rr, cfg, on_record, record_ctx,
                                NULL, NULL, err, rc);
}

static int cmd_resolve(int argc, char **argv)
{
    struct resolve_opts o;
    if (parse_resolve(argc, argv, RC_RESOLVE, &o))
        return EXIT_USAGE;
    if (!o.clusters_out) {
        fprintf(stderr, "crmerge resolve: missing --clusters-out FILE (where the clusters "
                        "go: source,source_key,cluster_id)\n");
        return EXIT_USAGE;
    }
    struct resolve_run rr;
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    enum cm_status rc;
    int code = resolve_sources("resolve", &o, argv + optind, argc - optind, 0, &rr, &cfg,
                               NULL, NULL, err, &rc);
    if (code)
        return code;
    if (!rc) rc = resolve_run_write_clusters(&rr, o.clusters_out, err);
    if (!rc) print_resolve_summary(&rr, cfg, 1);
    resolve_run_free(&rr);
    config_free(cfg);
    return rc ? fail(rc, err) : EXIT_OK;
}

/* the store's clusters, as a clusters file would give them */
static enum cm_status clusters_to_eval(const struct resolve_run *rr, struct eval *e,
                                       char *err)
{
    enum cm_status rc = CM_OK;
    for (uint32_t i = 0; !rc && i < rr->store.n; i++) {
        char id[16];
        snprintf(id, sizeof id, "%u", rr->cluster_of[i]);
        rc = eval_add_cluster(e, profile_store_source(&rr->store, i),
                              profile_store_key(&rr->store, i), id, "the store", err);
    }
    return rc;
}

/* The truth's person of every record in the store, so the resolver's report says how
 * many true pairs blocking found (pair completeness). */
static enum cm_status truth_to_store(void *ctx, struct resolve_run *rr, char *err)
{
    struct eval *e = ctx;
    uint32_t *person = malloc((rr->store.n ? rr->store.n : 1) * sizeof *person);
    if (!person)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory for the truth");
    for (uint32_t i = 0; i < rr->store.n; i++)
        person[i] = eval_truth_person(e, profile_store_source(&rr->store, i),
                                      profile_store_key(&rr->store, i));
    rr->store.truth_person = person;
    return CM_OK;
}

/* The blocking figures of the report when a truth was given, or NULL. */
static const json_t *report_blocking(const struct resolve_run *rr)
{
    const json_t *b = rr->report ? json_object_get(rr->report, "blocking") : NULL;
    return b && json_object_get(b, "pair_completeness") ? b : NULL;
}

static int cmd_eval(int argc, char **argv)
{
    struct resolve_opts o;
    if (parse_resolve(argc, argv, RC_EVAL, &o))
        return EXIT_USAGE;
    int resolve_here = o.src.config || o.src.layout;
    const char *problem = !o.truth ? "missing --truth TRUTH.csv (source,source_key,person_id)"
        : o.clusters && (resolve_here || optind < argc)
            ? "use --clusters FILE or the sources to resolve (-c CONFIG or --layout NAME "
              "FILE...), not both"
        : !o.clusters && !resolve_here
            ? "name the clusters: --clusters FILE (crmerge resolve --clusters-out), or the "
              "sources to resolve: -c CONFIG or --layout NAME FILE..."
        : o.clusters && o.method ? "--method goes with -c CONFIG or --layout NAME FILE..."
        : o.clusters && o.model ? "--model goes with -c CONFIG or --layout NAME FILE..."
        : NULL;
    if (problem) {
        fprintf(stderr, "crmerge eval: %s\n", problem);
        return EXIT_USAGE;
    }
    struct eval *e = NULL;
    struct resolve_run rr;
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    memset(&rr, 0, sizeof rr);
    enum cm_status rc = eval_new(&e, err);
    if (!rc) rc = eval_read_truth(e, o.truth, err);
    if (!rc && o.clusters) {
        rc = eval_read_clusters(e, o.clusters, err);
    } else if (!rc) {
        int code = resolve_sources_then("eval", &o, argv + optind, argc - optind, 0, &rr, &cfg,
                                        NULL, NULL, truth_to_store, e, err, &rc);
        if (code) {
            eval_free(e);
            return code;
        }
        if (!rc) rc = clusters_to_eval(&rr, e, err);
        if (!rc) print_resolve_summary(&rr, cfg, 1);
    }
    const struct eval_result *r = NULL;
    if (!rc) rc = eval_compute(e, o.worst, &r, err);
    const json_t *blk = rc ? NULL : report_blocking(&rr);
    if (!rc && o.json) {
        json_t *j = eval_to_json(r);
        if (j && blk)
            json_object_set_new(j, "blocking_pair_completeness",
                                json_real(json_real_value(json_object_get(blk, "pair_completeness"))));
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(12)) : NULL;
        if (text)
            printf("%s\n", text);
        else
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        free(text);
        json_decref(j);
    } else if (!rc) {
        rc = eval_print(r, stdout);
        if (!rc && blk)
            printf("blocking %lld of %lld true pairs were candidates (pair completeness %.6f), "
                   "%lld candidate pairs in all\n",
                   (long long)json_integer_value(json_object_get(blk, "true_pairs_blocked")),
                   (long long)json_integer_value(json_object_get(blk, "true_pairs")),
                   json_real_value(json_object_get(blk, "pair_completeness")),
                   (long long)json_integer_value(json_object_get(blk, "pairs")));
    }
    if (!rc && fflush(stdout) != 0)
        rc = cm_fail(err, CM_ERR_IO, "cannot write to standard output");
    eval_free(e);
    free((uint32_t *)rr.store.truth_person);         /* truth_to_store's: the store borrows */
    rr.store.truth_person = NULL;
    resolve_run_free(&rr);
    config_free(cfg);
    return rc ? fail(rc, err) : EXIT_OK;
}

/* ---- explain, train ---------------------------------------------------------------- */

/* Where the two records of explain were read: caught as the store is filled. */
struct explain_watch {
    char source[2][256];
    const char *key[2];
    const struct profile_store *store;
    char location[2][512];
    int seen[2];
};

static void watch_record(void *ctx, uint32_t rec, const char *location)
{
    struct explain_watch *w = ctx;
    for (int i = 0; i < 2; i++) {
        if (!w->seen[i] && strcmp(profile_store_key(w->store, rec), w->key[i]) == 0 &&
            strcmp(profile_store_source(w->store, rec), w->source[i]) == 0) {
            snprintf(w->location[i], sizeof w->location[i], "%s", location);
            w->seen[i] = 1;
        }
    }
}

static int cmd_explain(int argc, char **argv)
{
    struct resolve_opts o;
    if (parse_resolve(argc, argv, RC_EXPLAIN, &o))
        return EXIT_USAGE;
    int nargs = argc - optind;
    if (nargs < 2 || (!o.src.layout && nargs != 2) || (o.src.layout && nargs < 3)) {
        fprintf(stderr, "crmerge explain: name the sources (-c CONFIG or --layout NAME "
                        "FILE...) and two records, SOURCE:KEY SOURCE:KEY\n");
        return EXIT_USAGE;
    }
    char **keys = argv + argc - 2;
    struct explain_watch w;
    char err[CM_ERRBUF] = "";
    memset(&w, 0, sizeof w);
    for (int i = 0; i < 2; i++) {
        if (explain_split(keys[i], w.source[i], sizeof w.source[i], &w.key[i], err)) {
            fprintf(stderr, "crmerge explain: %s\n", err);
            return EXIT_USAGE;
        }
    }
    struct resolve_run rr;
    struct config *cfg = NULL;
    enum cm_status rc;
    w.store = &rr.store;         /* read as the records arrive */
    int code = resolve_sources("explain", &o, argv + optind, nargs - 2, 0, &rr, &cfg,
                               watch_record, &w, err, &rc);
    if (code)
        return code;
    uint32_t a = 0, b = 0;
    if (!rc) print_resolve_summary(&rr, cfg, 0);
    if (!rc) rc = explain_find(&rr, keys[0], &a, err);
    if (!rc) rc = explain_find(&rr, keys[1], &b, err);
    if (!rc && a == b)
        rc = cm_fail(err, CM_ERR_USAGE, "%s and %s are one record: name two", keys[0], keys[1]);
    struct buf out = BUF_INIT(0);
    if (!rc) rc = explain_pair(&rr, a, b, w.seen[0] ? w.location[0] : NULL,
                               w.seen[1] ? w.location[1] : NULL, &out, err);
    if (!rc && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0))
        rc = cm_fail(err, CM_ERR_IO, "cannot write to standard output");
    buf_free(&out);
    resolve_run_free(&rr);
    config_free(cfg);
    return rc ? fail(rc, err) : EXIT_OK;
}

/* A number of the model file's, for the summary (-1 when it has none). */
static double model_number(const json_t *model, const char *group, const char *key)
{
    const json_t *g = group ? json_object_get(model, group) : model;
    const json_t *v = json_object_get(g, key);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static int cmd_train(int argc, char **argv)
{
    struct resolve_opts o;
    if (parse_resolve(argc, argv, RC_TRAIN, &o))
        return EXIT_USAGE;
    if (!o.model_out) {
        fprintf(stderr, "crmerge train: missing --model-out FILE.json (where the trained "
                        "model goes)\n");
        return EXIT_USAGE;
    }
    struct resolve_run rr;
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    enum cm_status rc;
    int code = resolve_sources("train", &o, argv + optind, argc - optind, 1, &rr, &cfg, NULL,
                               NULL, err, &rc);
    if (code)
        return code;
    json_t *model = NULL;
    if (!rc) rc = resolve_run_write_model(&rr, o.model_out, &model, err);
    if (!rc) {
        print_resolve_summary(&rr, cfg, 0);
        fprintf(stderr, "trained: %.0f records, %.0f candidate pairs, prior match rate %.6f, "
                        "%.0f EM iterations; model written to %s\n",
                model_number(model, "trained_on", "records"),
                model_number(model, "trained_on", "candidate_pairs"),
                model_number(model, NULL, "prior_match_rate"),
                model_number(model, "trained_on", "em_iterations"), o.model_out);
    }
    json_decref(model);
    resolve_run_free(&rr);
    config_free(cfg);
    return rc ? fail(rc, err) : EXIT_OK;
}

/* ---- check ---------------------------------------------------------------------- */

static enum cm_status count_contact(void *ctx, const struct source *src,
                                    const struct contact *c, const char *json,
                                    size_t json_len, const char *location, char *err)
{
    (void)ctx; (void)src; (void)c; (void)json; (void)json_len; (void)location; (void)err;
    return CM_OK;
}

static enum cm_status count_reject(void *ctx, const struct source *src, const char *location,
                                   const char *reason, const char *raw, size_t raw_len,
                                   char *err)
{
    (void)raw; (void)raw_len; (void)err;
    long long *shown = ctx;
    if ((*shown)++ < 5)
        printf("    rejected %s: %s: %s\n", src->name, location, reason);
    return CM_OK;
}

static int cmd_check(int argc, char **argv)
{
    struct common_opts o;
    if (parse_common(argc, argv, &o, 0, 0) || optind != argc)
        return EXIT_USAGE;
    struct config *cfg;
    int code = load_config(o.config, &cfg);
    if (code)
        return code;
    printf("config %s: ok; %zu source%s, schema \"%s\", reject_rate_max %.2f%%\n",
           o.config, cfg->nsources, cfg->nsources == 1 ? "" : "s", cfg->schema,
           100 * cfg->reject_rate_max);
    int worst = EXIT_OK;
    char err[CM_ERRBUF];
    long long total = 0, rejected = 0;
    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct source *src = &cfg->sources[i];
        struct source_stats st;
        long long shown = 0;
        struct extract_sink sink = { &shown, count_contact, count_reject };
        enum cm_status rc = extract_source(src, &sink, &st, err);
        if (rc) {
            printf("source %s: FAILED: %s\n", src->name, err);
            if (!worst)
                worst = exit_code(rc);
            continue;
        }
        printf("source %s: %s connector, layout %s%s: %s\n", src->name, st.connector,
               st.layout, src->layout && strcmp(src->layout, "auto") == 0 ? " (detected)" : "",
               st.description);
        if (st.date_order[0])
            printf("  dates read as %s\n", st.date_order);
        printf("  a run would read %lld records and reject %lld%s\n", st.records, st.rejected,
               st.deleted ? " (and see some reported deleted)" : "");
        if (st.bad_dates)
            printf("  %lld date value%s not understood: left out, kept in extra\n",
                   st.bad_dates, st.bad_dates == 1 ? "" : "s");
        total += st.records;
        rejected += st.rejected;
    }
    long long read = total + rejected;
    if (read && (double)rejected / (double)read > cfg->reject_rate_max) {
        printf("rejects: %lld of %lld (%.2f%%) is over reject_rate_max: a run would publish "
               "nothing\n", rejected, read, 100.0 * (double)rejected / (double)read);
        if (!worst)
            worst = EXIT_REJECTS;
    }

    struct pg_target *pg = NULL;
    enum cm_status rc = pgt_connect(cfg->schema, &pg, err);
    char version[256];
    int active = 0, pending = 0;
    if (!rc) rc = pgt_probe(pg, version, sizeof version, &active, err);
    if (!rc) rc = pgt_pending_migrations(pg, &pending, err);
    if (rc) {
        printf("database: FAILED: %s\n", err);
        if (!worst)
            worst = exit_code(rc);
    } else {
        printf("database: %s; schema \"%s\": %d migration%s to apply; %s\n", version,
               cfg->schema, pending, pending == 1 ? "" : "s",
               active ? "a run is in progress now" : "no run in progress");
    }
    pgt_close(pg);
    config_free(cfg);
    printf("check: %s (nothing was written)\n", worst ? "problems found" : "ok");
    return worst;
}

/* ---- detect --------------------------------------------------------------------- */

static int cmd_detect(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "crmerge detect: name at least one file\n");
        return EXIT_USAGE;
    }
    int code = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        struct detect_result r;
        char err[CM_ERRBUF], line[CM_ERRBUF];
        enum cm_status rc = detect_file(argv[i], NULL, &r, err);
        if (rc) {
            fprintf(stderr, "crmerge: %s\n", err);
            code = exit_code(rc);
            continue;
        }
        detect_format(&r, line, sizeof line);
        printf("%s: %s\n", argv[i], line);
        if (r.verdict != DETECT_MATCH && !code)
            code = EXIT_SOURCE;
    }
    return code;
}

/* ---- help, version -------------------------------------------------------------- */

static const struct command commands[] = {
    { "run", cmd_run, "crmerge run -c CONFIG [--full]",
      "Extract every source, map, resolve and publish the customer view into PostgreSQL in\n"
      "one transaction. The connection comes from the environment (CRMERGE_DSN or PGHOST,\n"
      "PGPORT, PGUSER, PGDATABASE, PGPASSWORD...). Prints the run summary; the run, its\n"
      "summary and every rejected record are stored in the target schema.\n"
      "Incremental sources (web APIs) read only what changed since the bookmark their last\n"
      "published run stored in sync_state; --full reads every source whole (records no\n"
      "longer delivered are then marked deleted) and stores new bookmarks.\n"
      "Exit codes: 0 ok, 2 usage, 3 config, 4 reject rate exceeded, 5 source failure,\n"
      "6 database failure, 7 another run holds the lock, 1 internal error." },
    { "check", cmd_check, "crmerge check -c CONFIG",
      "Validate the config, read every source as a run would (counting records and\n"
      "rejects) and test the database connection, without writing anything." },
    { "detect", cmd_detect, "crmerge detect FILE...",
      "Say which known layout each file (or GoldMine directory) matches, with a confidence\n"
      "from 0 to 1 and how it was told (header, magic bytes, root element), or \"unknown\"\n"
      "with the nearest candidates, or \"ambiguous\" naming them. Exit 0 when every file\n"
      "matched, 5 otherwise. A source with \"layout\": \"auto\" uses the same detection." },
    { "normalise", cmd_normalise,
      "crmerge normalise -c CONFIG [--source NAME]\n       crmerge normalise --layout NAME FILE...",
      "Print each record's match profile as JSON Lines on stdout, next to its source and\n"
      "key: exactly what the matcher compares (given and family names folded the German\n"
      "and the plain way, canonical given names, phonetic codes, company without its legal\n"
      "form, e-mails, phones in E.164, street, house number, postal code, city, country).\n"
      "A source's \"default_country\" (ISO alpha-2; else its layout's) reads national phone\n"
      "numbers and postal codes when the record's address names no country. Counted\n"
      "warnings on stderr." },
    { "resolve", cmd_resolve,
      "crmerge resolve -c CONFIG --clusters-out FILE.csv [--method NAME] [--model FILE]\n"
      "       crmerge resolve --layout NAME FILE... --clusters-out FILE.csv [--method NAME]\n"
      "                       [--model FILE]",
      "Decide which records are the same customer, without the database: read every\n"
      "source (each FILE its own source, named after it), normalise each record into the\n"
      "profile store and run the resolver the config's \"match\" names (--method exact or\n"
      "fellegi_sunter overrides it; --model FILE scores with a model crmerge train wrote\n"
      "instead of the config's \"match\": {\"model\": ...} or training on the input).\n"
      "Writes FILE.csv: source,source_key,cluster_id with a header, one row per record\n"
      "in the order read, the cluster id the smallest record number of its cluster.\n"
      "On stderr: a line per source, records, rejects, clusters,\n"
      "seconds per stage, and the resolver's report as one JSON line (\"report: {...}\").\n"
      "Exit codes: 0 ok, 2 usage (missing --clusters-out, unknown --method, --model\n"
      "with the exact resolver), 3 config or a model file that cannot be read, 5 a\n"
      "source or FILE.csv could not be read or written." },
    { "eval", cmd_eval,
      "crmerge eval --truth TRUTH.csv --clusters CLUSTERS.csv [--json] [--worst N]\n"
      "       crmerge eval --truth TRUTH.csv -c CONFIG [--method NAME] [--model FILE] [--json]\n"
      "                    [--worst N]\n"
      "       crmerge eval --truth TRUTH.csv --layout NAME FILE... [--method NAME] [...]",
      "Measure clusters against a truth. TRUTH.csv: source,source_key,person_id with a\n"
      "header (bench/febrl_truth.sh writes it for the Febrl data sets); CLUSTERS.csv:\n"
      "source,source_key,cluster_id (crmerge resolve --clusters-out), or the sources to\n"
      "resolve here as crmerge resolve does (--method, --model as there). Prints\n"
      "records, clusters (persons), the pairs, pairwise precision, recall and f1\n"
      "(6 decimals; a ratio of no pairs is 1),\n"
      "split persons (records in more than one cluster), mixed clusters (more than one\n"
      "person), records in only one of the two files, and the N worst mixed clusters\n"
      "(default 5) with their records. --json: one JSON object instead (records,\n"
      "clusters, persons, true_pairs, predicted_pairs, correct_pairs, precision, recall,\n"
      "f1, split_persons, mixed_clusters, worst, unmatched_truth, unmatched_clusters).\n"
      "Exit codes: 0 ok, 2 usage, 3 config or a file that cannot be opened, 5 a file\n"
      "that cannot be read (errors name file and line) or a source that cannot." },
    { "explain", cmd_explain,
      "crmerge explain -c CONFIG [--method NAME] [--model FILE] SOURCE:KEY SOURCE:KEY\n"
      "       crmerge explain --layout NAME FILE... [--method NAME] [--model FILE] SOURCE:KEY\n"
      "                       SOURCE:KEY",
      "Say why two records are, or are not, one customer. Reads and resolves the sources\n"
      "as crmerge resolve does, then prints the two records side by side (where each was\n"
      "read and the normalised values compared: names, e-mails, phones, address, company,\n"
      "birth date) and the resolver's account: each comparison's level and weight with the\n"
      "running total, the total, the match probability, the rule that decided if any, the\n"
      "decision, the blocking passes that bring the two together, and whether they ended\n"
      "in one cluster. A record is SOURCE:KEY, split at the first ':' (keys may hold more).\n"
      "Exit codes: 0 ok, 2 usage (an argument without ':'), 3 config or a record that is\n"
      "not there (the message names the sources), 5 a source could not be read." },
    { "train", cmd_train,
      "crmerge train -c CONFIG --model-out FILE.json [--method NAME]\n"
      "       crmerge train --layout NAME FILE... --model-out FILE.json [--method NAME]",
      "Train the matcher's weights on the sources (read and resolved as crmerge resolve\n"
      "does; a model the config names is not loaded) and write them to FILE.json (written\n"
      "beside it and renamed into place). \"match\": {\"model\": \"FILE.json\"} in a config\n"
      "(relative to the config file) or --model FILE on resolve, eval and explain then\n"
      "score with it instead of training on every run, so nightly runs score alike. On\n"
      "stderr: records, candidate pairs, the prior match rate, EM iterations.\n"
      "Exit codes: 0 ok, 2 usage (no --model-out; a method without a model, exact),\n"
      "3 config, 5 a source or FILE.json could not be read or written." },
    { "extract", cmd_extract,
      "crmerge extract -c CONFIG [--source NAME]\n       crmerge extract --layout NAME FILE...",
      "Print the canonical records as JSON Lines on stdout, one per record. Rejected\n"
      "records are reported on stderr with file, line and reason. Keys: source,\n"
      "source_key, source_key_derived, source_updated, prefix, given_name, middle_name,\n"
      "family_name, suffix, full_name, company, department, title, emails, phones,\n"
      "addresses, created, birth_date, status, extra. Date values that cannot be read\n"
      "are left out, kept in extra and counted on stderr." },
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: crmerge COMMAND [options]\n\n"
                 "crmerge turns scattered CRM exports into one customer view in PostgreSQL.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *nl = strchr(commands[i].help, '\n');
        fprintf(out, "  %-9s %.*s\n", commands[i].name,
                nl ? (int)(nl - commands[i].help) : (int)strlen(commands[i].help),
                commands[i].help);
    }
    fprintf(out, "\n'crmerge COMMAND --help' for a command's options; --version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc > 2 && find_command(argv[2]))
            return print_command_help(argv[2]);
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("crmerge %s\n", CRMERGE_VERSION);
        return EXIT_OK;
    }
    const struct command *cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "crmerge: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (wants_help(argc - 1, argv + 1))
        return print_command_help(cmd->name);
    return cmd->fn(argc - 1, argv + 1);
}
