/* goldmine.c — the GoldMine connector ("connector": "goldmine"): a GoldMine database's
 * CONTACT1, CONTACT2 and CONTSUPP tables, joined on ACCOUNTNO into one raw record per
 * contact, plus one per additional contact (FORMATS.md §2).
 *
 * Owns: finding the tables, the join, and the fields it synthesizes. Borrows the CSV
 * connector (csv.c) and the dBase reader (dbf.h) to read each table, and extsort.c to
 * sort them.
 *
 * Options (in the source object):
 *   path             a directory holding the tables (CONTACT1.csv, contact1.DBF,
 *                    Contsupp.CSV, ...: names case-insensitive, .csv/.txt/.tsv (plain or
 *                    .gz) or .dbf), or the CONTACT1 file itself (its siblings are found
 *                    beside it)
 *   contact1, contact2, contsupp
 *                    explicit table files; relative names are relative to `path` when
 *                    it is a directory, to its directory when it is a file, else to the
 *                    current directory. CONTACT2 and CONTSUPP are optional.
 *   sort_memory_mb   memory for sorting the tables (default 64; a number, fractions
 *                    allowed)
 *   encoding, delimiter, short_rows, max_field_bytes, max_record_bytes, max_input_bytes
 *                    passed to the CSV reader of each CSV table (csv.c); `encoding` also
 *                    to the dBase reader
 * A table is read as dBase when its name ends in .dbf or its first bytes are a dBase
 * header, else as CSV (delimiter and encoding sniffed unless given). In every table a
 * value that is the literal text NULL (SQL Server exports) is absent, and the upper-case
 * shadow columns of the SQL editions (U_COMPANY, U_KEY1, any name starting "U_") are
 * dropped.
 *
 * Records, in ACCOUNTNO byte order (ties in file order):
 *   a contact: the CONTACT1 row's columns as named in the file; its CONTACT2 row's
 *     columns (not ACCOUNTNO and RECID; a name CONTACT1 also has becomes "CONTACT2.NAME");
 *     and fields made from its CONTSUPP "P" rows:
 *       "E-mail 1", "E-mail 2", ...   RECTYPE P, CONTACT "E-mail Address" (any case): the
 *                                     address in CONTSUPREF, ADDRESS1 appended (overflow);
 *                                     primary ones (2nd character of ZIP '1') first
 *       "Web Site 1", ...             CONTACT "Web Site": CONTSUPREF, or NOTES when the
 *                                     reference is empty or the start of NOTES (long URL)
 *       "Detail: <label>"             any other P row, named by its CONTACT label (a
 *                                     repeated label gets " (2)", ...): CONTSUPREF, or
 *                                     NOTES when the reference is empty
 *     rec->file and rec->line are the CONTACT1 row's.
 *   an additional contact (CONTSUPP RECTYPE C), right after its contact: the CONTSUPP
 *     row's columns under CONTACT1's names where they mean the same (CONTACT, TITLE,
 *     ADDRESS1..., PHONE as PHONE1, EXT as EXT1, RECID, ...; others as named, or
 *     "CONTSUPP.NAME" when CONTACT2 has that name), COMPANY = its contact's company,
 *     "Linked ACCOUNTNO" = its contact's ACCOUNTNO, and no ACCOUNTNO of its own.
 *     rec->file and rec->line are the CONTSUPP row's.
 * Every record has "crmerge key": the ACCOUNTNO (trailing spaces removed, nothing else
 * changed) for a contact, ACCOUNTNO "/" RECID of the CONTSUPP row for an additional
 * contact. All records share one names array: a field a record lacks is absent, and
 * the names grow (names_version changes) when a new synthesized name appears.
 * CONTSUPP rows of RECTYPE R, L, O, H (and any other) are not contact data: skipped
 * and counted.
 *
 * Rejects: a row without ACCOUNTNO; a CONTACT2 or CONTSUPP row whose ACCOUNTNO has no
 * CONTACT1 row ("orphan"); a second CONTACT2 row for one ACCOUNTNO; an additional
 * contact without RECID; P rows past 256 for one contact. Each names the row's file
 * and line; its raw text is rebuilt from the row's values as CSV (shadow columns left
 * out). The readers' own rejects pass through unchanged.
 *
 * The join is a sort-merge, so no table is ever held whole in memory. The first xNext
 * reads CONTACT1, then CONTACT2, then CONTSUPP, each into an external sort by ACCOUNTNO
 * (extsort.h: chunks of at most sort_memory_mb sorted in memory, spilled to one
 * unlinked temporary file per table in $TMPDIR, merged k ways); rejects found while
 * reading are returned as they come. A table small enough stays in memory (at most
 * half of what is left of the budget), so small exports never touch the disk. Then
 * the three sorted streams are merged in step. Memory: sort_memory_mb for the sort
 * chunks and merge buffers together, plus the readers' buffers, a 256 KiB write buffer
 * while spilling and the current record. Temporary files go with xClose (and with the
 * process, whatever happens). */
#include "connectors/connector.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "connectors/formats/dbf_file.h"
#include "pipeline/extsort.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"

extern const struct connector csv_connector;

#define GM_DEFAULT_SORT_MB 64
#define GM_MAX_SORT_MB     (1024.0 * 1024.0)
#define GM_MAX_DYN         1024        /* synthesized names kept at once */
#define GM_DYN_HASH        4096        /* open addressing slots for them (power of 2) */
#define GM_MAX_P_ROWS      256         /* CONTSUPP P rows joined to one contact */
#define GM_RAW_MAX         4096        /* rebuilt raw text of a reject */

enum { T_C1, T_C2, T_CS, NTAB };

static const char *const tab_name[NTAB] = { "CONTACT1", "CONTACT2", "CONTSUPP" };
static const char *const tab_opt[NTAB] = { "contact1", "contact2", "contsupp" };

/* CONTSUPP sort classes: the P rows of an account before its C rows */
#define CLS_P '0'
#define CLS_C '1'

/* columns of a CONTSUPP P or C row the join reads by name */
enum { CS_CONTACT, CS_CONTSUPREF, CS_ADDRESS1, CS_ZIP, CS_NOTES, CS_RECID, NCS };
static const char *const cs_col_name[NCS] = {
    "CONTACT", "CONTSUPREF", "ADDRESS1", "ZIP", "NOTES", "RECID"
};

struct table {
    char *path;                  /* NULL: the table is not there */
    const char *base;            /* file name, for describe */
    int is_dbf;
    void *csv;                   /* the CSV reader while reading, or */
    struct dbf *dbf;             /* the dBase reader */
    json_t *csv_opts;
    struct source csv_src;
    size_t ncols;                /* columns in the file */
    const char **names;          /* copies, in gm->arena */
    int acct, rectype;           /* file column, -1 */
    int *kept;                   /* file column -> kept index, -1 dropped */
    int *kept_col;               /* kept index -> file column */
    size_t nkept;
    int *slot;                   /* kept index -> output field, -1 not shown */
    int cs[NCS];                 /* CONTSUPP: kept index of each column read, -1 */
    long long rows, rejects, skipped, p_rows, c_rows;
    char desc[512];              /* the reader's description, kept after closing */
    struct extsort *sort;
    int done;
};

struct stream {                  /* the head of one sorted table */
    int has;
    const char *key;             /* ACCOUNTNO (not NUL-terminated) */
    size_t klen;
    char cls;                    /* CONTSUPP: CLS_P or CLS_C */
    long line, line_end;
    const char **v;              /* per kept column, NUL-terminated, NULL = absent */
    size_t *vl;
};

struct synth {                   /* a field made from a P row */
    int kind;                    /* 0 e-mail, 1 web site, 2 detail */
    int primary;
    const char *label;           /* detail label */
    const char *value;
    size_t len;
};

enum phase { PH_READ, PH_JOIN, PH_FAILED };

struct gm {
    struct table t[NTAB];
    size_t memory;               /* sort budget, bytes */
    size_t kept_bytes;           /* held by tables kept in memory */
    struct arena arena;          /* names and paths, for the whole source */

    const char **names;          /* static names, then synthesized ones */
    size_t nstatic, nnames;
    unsigned version;
    const char **vals;
    size_t *lens;
    int s_key, s_acct, s_company, s_linked;
    struct arena dyn_arena;      /* synthesized names */
    int dyn_hash[GM_DYN_HASH];   /* name -> field index + 1 */

    enum phase phase;
    int reading;                 /* table being read */
    struct buf enc, skey;        /* a row being packed for the sort */
    const char **pack_v;         /* ... its kept values and lengths */
    size_t *pack_l;
    struct stream st[NTAB];
    int adv[NTAB];               /* advance this stream on the next call */
    struct buf parent_key, parent_company;
    int in_group, have_last;     /* emitting the parent's additional contacts */
    struct arena rec_arena;      /* per record */
    struct synth *syn;
    struct buf raw;
};

/* ---- small helpers -------------------------------------------------------------- */

static int is_null_literal(const char *v, size_t n)
{
    return n == 4 && memcmp(v, "NULL", 4) == 0;
}

static size_t rtrim_spaces(const char *v, size_t n)
{
    while (n > 0 && v[n - 1] == ' ')
        n--;
    return n;
}

static int is_shadow(const char *name)
{
    return (name[0] == 'U' || name[0] == 'u') && name[1] == '_';
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int find_name(const char *const *names, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++) {
        if (names[i] && strcasecmp(names[i], want) == 0)
            return (int)i;
    }
    return -1;
}

/* The value of file column j of rec: NULL when absent, empty or the NULL literal. */
static const char *rec_value(const struct raw_record *rec, int j, size_t *len)
{
    if (j < 0 || (size_t)j >= rec->nfields || !rec->values[j])
        return NULL;
    size_t n = rec->lengths[j];
    if (n == 0 || is_null_literal(rec->values[j], n))
        return NULL;
    *len = n;
    return rec->values[j];
}

/* ---- finding the tables --------------------------------------------------------- */

static int table_of_file(const char *name)
{
    char low[64];
    size_t n = strlen(name);
    if (n >= sizeof low || name[0] == '.')
        return -1;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    if (n > 3 && strcmp(low + n - 3, ".gz") == 0)
        low[n - 3] = '\0';
    char *dot = strchr(low, '.');
    if (!dot)
        return -1;
    *dot = '\0';
    const char *ext = dot + 1;
    if (strcmp(ext, "csv") && strcmp(ext, "txt") && strcmp(ext, "tsv") &&
        strcmp(ext, "dbf"))
        return -1;
    for (int t = 0; t < NTAB; t++) {
        if (strcmp(low, tab_opt[t]) == 0)
            return t;
    }
    return -1;
}

static char *join_path(struct gm *g, const char *dir, const char *name)
{
    if (!dir || name[0] == '/')
        return arena_strdup(&g->arena, name);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = arena_alloc(&g->arena, n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Tables not named explicitly, from the files in dir. */
static enum cm_status scan_dir(struct gm *g, const struct source *src, const char *dir,
                               char *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: %s: %s", src->where, dir,
                       strerror(errno));
    int explicit[NTAB];
    for (int t = 0; t < NTAB; t++)
        explicit[t] = g->t[t].path != NULL;
    enum cm_status rc = CM_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        int t = table_of_file(e->d_name);
        if (t < 0 || explicit[t])
            continue;
        if (g->t[t].path) {
            rc = cm_fail(err, CM_ERR_CONFIG, "%s.path: %s holds two %s tables (%s and %s): "
                         "name one with \"%s\"", src->where, dir, tab_name[t],
                         base_name(g->t[t].path), e->d_name, tab_opt[t]);
            break;
        }
        g->t[t].path = join_path(g, dir, e->d_name);
        if (!g->t[t].path)
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    return rc;
}

static enum cm_status find_tables(struct gm *g, const struct source *src, char *err)
{
    const char *dir = NULL;
    int path_is_file = 0;
    if (src->path) {
        struct stat st;
        if (stat(src->path, &st) != 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s.path: %s: %s", src->where, src->path,
                           strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            dir = src->path;
        } else {
            path_is_file = 1;
            const char *slash = strrchr(src->path, '/');
            dir = slash ? arena_strndup(&g->arena, src->path,
                                        slash == src->path ? 1 : (size_t)(slash - src->path))
                        : ".";
            if (!dir)
                return cm_fail(err, CM_ERR_NOMEM, "out of memory");
        }
    }
    for (int t = 0; t < NTAB; t++) {
        const char *p;
        enum cm_status rc = source_opt_string(src, tab_opt[t], NULL, &p, err);
        if (rc)
            return rc;
        if (!p)
            continue;
        if (t == T_C1 && path_is_file)
            return cm_fail(err, CM_ERR_CONFIG, "%s.contact1: path already names the "
                           "CONTACT1 file %s", src->where, src->path);
        g->t[t].path = join_path(g, dir, p);
        if (!g->t[t].path)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory");
        struct stat st;
        if (stat(g->t[t].path, &st) != 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s.%s: %s: %s", src->where, tab_opt[t],
                           g->t[t].path, errno == ENOENT ? "file not found" : strerror(errno));
        if (S_ISDIR(st.st_mode))
            return cm_fail(err, CM_ERR_CONFIG, "%s.%s: %s: a directory, not a table file",
                           src->where, tab_opt[t], g->t[t].path);
    }
    if (path_is_file) {
        g->t[T_C1].path = arena_strdup(&g->arena, src->path);
        if (!g->t[T_C1].path)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    if (dir) {
        enum cm_status rc = scan_dir(g, src, dir, err);
        if (rc)
            return rc;
    }
    if (!g->t[T_C1].path) {
        if (!src->path)
            return cm_fail(err, CM_ERR_CONFIG, "%s: name the tables' directory in \"path\" "
                           "or the CONTACT1 file in \"contact1\"", src->where);
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: no CONTACT1 table (CONTACT1.csv or "
                       "CONTACT1.dbf) in %s", src->where, dir);
    }
    for (int t = 0; t < NTAB; t++) {
        if (g->t[t].path)
            g->t[t].base = base_name(g->t[t].path);
    }
    return CM_OK;
}

/* dBase by name or by its first bytes (version, a plausible date, header length). */
static int looks_like_dbf(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".dbf") == 0)
        return 1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char h[32];
    size_t got = fread(h, 1, sizeof h, f);
    fclose(f);
    return dbf_looks_like(h, got);
}

/* ---- options -------------------------------------------------------------------- */

static enum cm_status read_memory(struct gm *g, const struct source *src, char *err)
{
    json_t *v = src->options ? json_object_get(src->options, "sort_memory_mb") : NULL;
    double mb = GM_DEFAULT_SORT_MB;
    if (v && !json_is_null(v)) {
        if (!json_is_number(v))
            return cm_fail(err, CM_ERR_CONFIG, "%s.sort_memory_mb: must be a number, not %s",
                           src->where, json_kind_name(v));
        mb = json_number_value(v);
        if (!(mb > 0) || mb > GM_MAX_SORT_MB)
            return cm_fail(err, CM_ERR_CONFIG, "%s.sort_memory_mb: must be more than 0 and "
                           "at most %.0f, not %g", src->where, GM_MAX_SORT_MB, mb);
    }
    g->memory = (size_t)(mb * 1024 * 1024);
    if (g->memory < 16 * 1024)
        g->memory = 16 * 1024;
    return CM_OK;
}

/* The CSV reader's source: the table's path, the pass-through options. */
static enum cm_status csv_source(struct gm *g, struct table *t, const struct source *src,
                                 char *err)
{
    static const char *const pass[] = { "encoding", "delimiter", "short_rows",
                                        "max_field_bytes", "max_record_bytes",
                                        "max_input_bytes" };
    t->csv_opts = json_object();
    if (!t->csv_opts)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++) {
        json_t *v = src->options ? json_object_get(src->options, pass[i]) : NULL;
        if (v && json_object_set(t->csv_opts, pass[i], v) != 0)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    t->csv_src.name = src->name;
    t->csv_src.connector = "csv";
    t->csv_src.layout = NULL;
    t->csv_src.path = t->path;
    t->csv_src.where = src->where;
    t->csv_src.options = t->csv_opts;
    (void)g;
    return CM_OK;
}

/* ---- opening a table ------------------------------------------------------------ */

static enum cm_status open_table(struct gm *g, int ti, const struct source *src, char *err)
{
    struct table *t = &g->t[ti];
    t->acct = t->rectype = -1;
    for (int k = 0; k < NCS; k++)
        t->cs[k] = -1;
    t->is_dbf = looks_like_dbf(t->path);
    const char *const *names;
    size_t n;
    enum cm_status rc;
    if (t->is_dbf) {
        const char *enc;
        rc = source_opt_string(src, "encoding", NULL, &enc, err);
        if (rc)
            return rc;
        struct dbf_options o = { enc, 0 };
        char derr[CM_ERRBUF];
        rc = dbf_open(t->path, &o, &t->dbf, derr);
        if (rc)
            return cm_fail(err, rc, "%s: %s", src->where, derr);
        names = dbf_field_names(t->dbf);
        n = dbf_field_count(t->dbf);
    } else {
        rc = csv_source(g, t, src, err);
        if (rc)
            return rc;
        rc = csv_connector.xOpen(&t->csv_src, &t->csv, err);
        if (rc)
            return rc;
        rc = csv_connector.xFields(t->csv, &names, &n);
        if (rc)
            return cm_fail(err, rc, "%s: %s: cannot read the header", src->where, t->path);
    }
    if (n == 0)
        return cm_fail(err, CM_ERR_INPUT, "%s: %s: no header", src->where, t->path);

    t->ncols = n;
    t->names = arena_alloc(&g->arena, n * sizeof *t->names);
    t->kept = arena_alloc(&g->arena, n * sizeof *t->kept);
    t->kept_col = arena_alloc(&g->arena, n * sizeof *t->kept_col);
    t->slot = arena_alloc(&g->arena, n * sizeof *t->slot);
    if (!t->names || !t->kept || !t->kept_col || !t->slot)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < n; j++) {
        t->names[j] = arena_strdup(&g->arena, names[j] ? names[j] : "");
        if (!t->names[j])
            return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    t->acct = find_name(t->names, n, "ACCOUNTNO");
    if (t->acct < 0)
        return cm_fail(err, CM_ERR_INPUT, "%s: %s: no ACCOUNTNO column: not a GoldMine %s "
                       "table", src->where, t->path, tab_name[ti]);
    if (ti == T_CS) {
        t->rectype = find_name(t->names, n, "RECTYPE");
        if (t->rectype < 0)
            return cm_fail(err, CM_ERR_INPUT, "%s: %s: no RECTYPE column: not a GoldMine "
                           "CONTSUPP table", src->where, t->path);
    }
    for (size_t j = 0; j < n; j++) {
        t->kept[j] = -1;
        if ((int)j == t->acct || (int)j == t->rectype || is_shadow(t->names[j]))
            continue;
        t->kept[j] = (int)t->nkept;
        t->kept_col[t->nkept] = (int)j;
        t->slot[t->nkept] = -1;
        t->nkept++;
    }
    if (ti == T_CS) {
        for (int k = 0; k < NCS; k++) {
            int j = find_name(t->names, n, cs_col_name[k]);
            t->cs[k] = j >= 0 ? t->kept[j] : -1;
        }
    }
    return CM_OK;
}

/* ---- the output names ------------------------------------------------------------- */

/* A new output field named name, or prefix.name when prefix is not NULL. */
static enum cm_status add_static(struct gm *g, const char *name, const char *prefix,
                                 int *slot)
{
    const char *nm = name;
    if (prefix) {
        size_t n = strlen(prefix) + strlen(name) + 2;
        char *p = arena_alloc(&g->arena, n);
        if (!p)
            return CM_ERR_NOMEM;
        snprintf(p, n, "%s.%s", prefix, name);
        nm = p;
    }
    *slot = (int)g->nnames;
    g->names[g->nnames++] = nm;
    return CM_OK;
}

/* crmerge key, ACCOUNTNO, CONTACT1's columns, CONTACT2's, Linked ACCOUNTNO, then the
 * columns of additional contacts that CONTACT1 has no name for. */
static enum cm_status build_names(struct gm *g)
{
    size_t cap = 4 + GM_MAX_DYN;
    for (int ti = 0; ti < NTAB; ti++)
        cap += g->t[ti].nkept;
    g->names = calloc(cap, sizeof *g->names);
    g->vals = calloc(cap, sizeof *g->vals);
    g->lens = calloc(cap, sizeof *g->lens);
    if (!g->names || !g->vals || !g->lens)
        return CM_ERR_NOMEM;
    struct table *c1 = &g->t[T_C1], *c2 = &g->t[T_C2], *cs = &g->t[T_CS];
    g->names[g->nnames] = "crmerge key";
    g->s_key = (int)g->nnames++;
    g->names[g->nnames] = c1->names[c1->acct];
    g->s_acct = (int)g->nnames++;
    for (size_t k = 0; k < c1->nkept; k++) {
        c1->slot[k] = (int)g->nnames;
        g->names[g->nnames++] = c1->names[c1->kept_col[k]];
    }
    int company = find_name(c1->names, c1->ncols, "COMPANY");
    g->s_company = company >= 0 && c1->kept[company] >= 0 ? c1->slot[c1->kept[company]] : -1;
    size_t c1_end = g->nnames;
    for (size_t k = 0; c2->path && k < c2->nkept; k++) {
        const char *name = c2->names[c2->kept_col[k]];
        if (strcasecmp(name, "RECID") == 0)
            continue;                                  /* CONTACT2's own row id */
        int clash = find_name(g->names, g->nnames, name) >= 0;
        if (add_static(g, name, clash ? tab_name[T_C2] : NULL, &c2->slot[k]) != CM_OK)
            return CM_ERR_NOMEM;
    }
    g->names[g->nnames] = "Linked ACCOUNTNO";
    g->s_linked = (int)g->nnames++;
    for (size_t k = 0; cs->path && k < cs->nkept; k++) {
        const char *name = cs->names[cs->kept_col[k]];
        const char *as = strcasecmp(name, "PHONE") == 0 ? "PHONE1"
                       : strcasecmp(name, "EXT") == 0 ? "EXT1" : name;
        int j = find_name(g->names + 2, c1_end - 2, as);
        if (j >= 0) {
            cs->slot[k] = j + 2;
            continue;
        }
        int clash = find_name(g->names, g->nnames, name) >= 0;
        if (add_static(g, name, clash ? tab_name[T_CS] : NULL, &cs->slot[k]) != CM_OK)
            return CM_ERR_NOMEM;
    }
    g->nstatic = g->nnames;
    g->version = 1;
    return CM_OK;
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static void dyn_reset(struct gm *g)
{
    g->nnames = g->nstatic;
    memset(g->dyn_hash, 0, sizeof g->dyn_hash);
    arena_reset(&g->dyn_arena);
    g->version++;
}

/* The field index of a synthesized name, added when new. */
static int dyn_slot(struct gm *g, const char *name)
{
    uint32_t h = name_hash(name) & (GM_DYN_HASH - 1);
    while (g->dyn_hash[h]) {
        int i = g->dyn_hash[h] - 1;
        if (strcmp(g->names[i], name) == 0)
            return i;
        h = (h + 1) & (GM_DYN_HASH - 1);
    }
    char *copy = arena_strdup(&g->dyn_arena, name);
    if (!copy)
        return -1;
    int i = (int)g->nnames++;
    g->names[i] = copy;
    g->vals[i] = NULL;
    g->lens[i] = 0;
    g->dyn_hash[h] = i + 1;
    g->version++;
    return i;
}

/* ---- reading the tables into the sorts ------------------------------------------ */

/* The reader's own description into t->desc, while it is open. */
static void describe_reader(struct table *t)
{
    struct buf d = BUF_INIT(sizeof t->desc - 1);
    enum cm_status rc = CM_ERR_INPUT;
    if (t->csv)
        rc = csv_connector.xDescribe(t->csv, &d);
    else if (t->dbf)
        rc = dbf_describe(t->dbf, &d);
    if (rc == CM_OK && d.data)
        snprintf(t->desc, sizeof t->desc, "%s", d.data);
    buf_free(&d);
}

static void close_reader(struct table *t)
{
    describe_reader(t);
    if (t->csv)
        csv_connector.xClose(t->csv);
    if (t->dbf)
        dbf_close(t->dbf);
    t->csv = NULL;
    t->dbf = NULL;
}

static enum conn_next table_next(struct table *t, struct raw_record *rec,
                                 struct reject *rej, char *err)
{
    if (t->dbf)
        return dbf_next(t->dbf, rec, rej, err);
    return csv_connector.xNext(t->csv, rec, rej, err);
}

/* A row for the sort: varint line, varint extra lines, then per kept column a varint
 * (0 = absent, else length + 1) and the bytes with a NUL after them. Sized first,
 * written once. */
static enum cm_status pack_row(struct gm *g, struct table *t, const struct raw_record *rec,
                               char *err)
{
    struct buf *b = &g->enc;
    size_t need = 20;
    const char **pv = g->pack_v;
    size_t *pl = g->pack_l;
    for (size_t k = 0; k < t->nkept; k++) {
        pl[k] = 0;
        pv[k] = rec_value(rec, t->kept_col[k], &pl[k]);
        need += 10 + (pv[k] ? pl[k] + 1 : 0);
    }
    buf_reset(b);
    if (buf_grow(b, need))
        return cm_fail(err, CM_ERR_NOMEM, "out of memory packing a row of %s", t->path);
    unsigned char *p = (unsigned char *)b->data;
    p += extsort_put_varint(p, (uint64_t)(rec->line > 0 ? rec->line : 0));
    p += extsort_put_varint(p, (uint64_t)(rec->line_end > rec->line ?
                                          rec->line_end - rec->line : 0));
    for (size_t k = 0; k < t->nkept; k++) {
        size_t len = pl[k];
        const char *v = pv[k];
        p += extsort_put_varint(p, v ? (uint64_t)len + 1 : 0);
        if (v) {
            memcpy(p, v, len);
            p[len] = '\0';
            p += len + 1;
        }
    }
    b->len = (size_t)((char *)p - b->data);
    b->data[b->len] = '\0';
    return CM_OK;
}

static void raw_add(struct buf *b, int first, const char *v, size_t n);
static void raw_done(struct buf *b, struct reject *rej);

/* Reject a row as read; its raw text is the CSV reader's, or for a dBase table the
 * row's values rebuilt as CSV (readable, and like the join's rejects). */
static enum conn_next reject_row(struct gm *g, struct reject *rej, int ti,
                                 const struct table *t, const struct raw_record *rec,
                                 size_t alen)
{
    rej->file = t->path;
    rej->line = rec->line;
    rej->line_end = rec->line_end;
    rej->raw = rec->raw;
    rej->raw_len = rec->raw_len;
    if (t->dbf || !rec->raw) {
        struct buf *b = &g->raw;
        buf_reset(b);
        int first = 1;
        for (size_t j = 0; j < rec->nfields && j < t->ncols && b->len < GM_RAW_MAX; j++) {
            if (t->kept[j] < 0 && (int)j != t->acct && (int)j != t->rectype)
                continue;                                   /* a shadow column */
            raw_add(b, first, rec->values[j], rec->values[j] ? rec->lengths[j] : 0);
            first = 0;
        }
        raw_done(b, rej);
    }
    snprintf(rej->reason, sizeof rej->reason, "%s row %s", tab_name[ti],
             alen ? "with a NUL byte in its ACCOUNTNO" : "without ACCOUNTNO");
    return CONN_REJECT;
}

static enum cm_status start_sort(struct gm *g, struct table *t, char *err)
{
    size_t left = g->memory - g->kept_bytes;
    struct extsort_options o = { left, NULL };
    return extsort_new(&o, &t->sort, err);
}

static enum cm_status finish_table(struct gm *g, struct table *t, char *err)
{
    close_reader(t);
    t->done = 1;
    if (!t->sort)
        return CM_OK;
    enum cm_status rc = extsort_seal(t->sort, (g->memory - g->kept_bytes) / 2, err);
    if (rc)
        return rc;
    g->kept_bytes += extsort_held(t->sort);
    return CM_OK;
}

static enum cm_status stream_advance(struct gm *g, int ti, char *err);

static enum cm_status start_join(struct gm *g, char *err)
{
    size_t spilled = 0;
    for (int ti = 0; ti < NTAB; ti++) {
        struct extsort_stats st;
        if (!g->t[ti].sort)
            continue;
        extsort_get_stats(g->t[ti].sort, &st);
        spilled += !st.in_memory;
    }
    size_t merge = g->memory > g->kept_bytes ? g->memory - g->kept_bytes : 0;
    if (spilled)
        merge /= spilled;
    for (int ti = 0; ti < NTAB; ti++) {
        struct table *t = &g->t[ti];
        if (!t->sort)
            continue;
        enum cm_status rc = extsort_merge(t->sort, merge, err);
        if (rc)
            return rc;
        g->st[ti].v = calloc(t->nkept + 1, sizeof *g->st[ti].v);
        g->st[ti].vl = calloc(t->nkept + 1, sizeof *g->st[ti].vl);
        if (!g->st[ti].v || !g->st[ti].vl)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory");
        rc = stream_advance(g, ti, err);
        if (rc)
            return rc;
    }
    g->phase = PH_JOIN;
    return CM_OK;
}

/* Read on until a reject to return, or every table is sorted (CONN_RECORD: go on to
 * the join). */
static enum conn_next read_tables(struct gm *g, struct reject *rej, char *err)
{
    while (g->reading < NTAB) {
        struct table *t = &g->t[g->reading];
        if (!t->path || t->done) {
            g->reading++;
            continue;
        }
        enum cm_status rc;
        if (!t->sort) {
            rc = start_sort(g, t, err);
            if (rc)
                return CONN_ERROR;
        }
        struct raw_record rec;
        memset(&rec, 0, sizeof rec);
        enum conn_next r = table_next(t, &rec, rej, err);
        if (r == CONN_ERROR)
            return CONN_ERROR;
        if (r == CONN_REJECT) {
            t->rejects++;
            return CONN_REJECT;
        }
        if (r == CONN_EOF) {
            rc = finish_table(g, t, err);
            if (rc)
                return CONN_ERROR;
            g->reading++;
            continue;
        }
        t->rows++;
        char cls = 0;
        if (t->rectype >= 0) {
            size_t tl = 0;
            const char *ty = rec_value(&rec, t->rectype, &tl);
            while (ty && tl && *ty == ' ') {
                ty++;
                tl--;
            }
            char c = ty && tl ? (char)toupper((unsigned char)ty[0]) : 0;
            if (c != 'P' && c != 'C') {
                t->skipped++;
                continue;
            }
            cls = c == 'P' ? CLS_P : CLS_C;
        }
        size_t alen = 0;
        const char *acct = rec_value(&rec, t->acct, &alen);
        alen = acct ? rtrim_spaces(acct, alen) : 0;
        if (alen == 0 || memchr(acct, '\0', alen)) {
            t->rejects++;
            return reject_row(g, rej, g->reading, t, &rec, alen);
        }
        if (cls == CLS_P)
            t->p_rows++;
        else if (cls == CLS_C)
            t->c_rows++;
        rc = pack_row(g, t, &rec, err);
        if (!rc && cls) {
            buf_reset(&g->skey);
            rc = buf_add(&g->skey, acct, alen);
            if (!rc)
                rc = buf_addch(&g->skey, '\0');
            if (!rc)
                rc = buf_addch(&g->skey, cls);
            if (!rc)
                rc = extsort_add(t->sort, g->skey.data, g->skey.len, g->enc.data, g->enc.len,
                                 err);
        } else if (!rc) {
            rc = extsort_add(t->sort, acct, alen, g->enc.data, g->enc.len, err);
        }
        if (rc) {
            char e2[CM_ERRBUF];
            snprintf(e2, sizeof e2, "%s", err);
            cm_fail(err, rc, "%s: sorting %s: %s", t->path, tab_name[g->reading], e2);
            return CONN_ERROR;
        }
    }
    return start_join(g, err) ? CONN_ERROR : CONN_RECORD;
}

/* ---- the join ------------------------------------------------------------------- */

static enum cm_status stream_advance(struct gm *g, int ti, char *err)
{
    struct stream *s = &g->st[ti];
    struct table *t = &g->t[ti];
    s->has = 0;
    const char *k, *d;
    size_t kl, dl;
    enum cm_status rc = extsort_next(t->sort, &k, &kl, &d, &dl, err);
    if (rc || !k)
        return rc;
    s->key = k;
    s->klen = kl;
    if (ti == T_CS) {
        s->cls = k[kl - 1];
        s->klen = kl - 2;
    }
    const unsigned char *p = (const unsigned char *)d, *end = p + dl;
    uint64_t line, span, len;
    size_t n = extsort_get_varint(p, (size_t)(end - p), &line);
    size_t m = n ? extsort_get_varint(p + n, (size_t)(end - p) - n, &span) : 0;
    if (!n || !m)
        goto corrupt;
    p += n + m;
    s->line = (long)line;
    s->line_end = (long)(line + span);
    for (size_t c = 0; c < t->nkept; c++) {
        n = extsort_get_varint(p, (size_t)(end - p), &len);
        if (!n)
            goto corrupt;
        p += n;
        if (len == 0) {
            s->v[c] = NULL;
            s->vl[c] = 0;
            continue;
        }
        if (len > (uint64_t)(end - p))
            goto corrupt;
        s->v[c] = (const char *)p;
        s->vl[c] = (size_t)len - 1;
        p += len;
    }
    s->has = 1;
    return CM_OK;
corrupt:
    return cm_fail(err, CM_ERR_IO, "%s: a sorted row of %s is damaged", t->path,
                   tab_name[ti]);
}

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

static int is_parent(const struct gm *g, const struct stream *s)
{
    return g->have_last && key_cmp(s->key, s->klen, g->parent_key.data,
                                   g->parent_key.len) == 0;
}

/* One value of a rebuilt row, CSV-quoted when it needs to be. */
static void raw_add(struct buf *b, int first, const char *v, size_t n)
{
    if (!first)
        buf_addch(b, ',');
    if (v && (memchr(v, ',', n) || memchr(v, '"', n) || memchr(v, '\n', n) ||
              memchr(v, '\r', n))) {
        buf_addch(b, '"');
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '"')
                buf_addch(b, '"');
            buf_addch(b, v[i]);
        }
        buf_addch(b, '"');
    } else if (v) {
        buf_add(b, v, n);
    }
}

static void raw_done(struct buf *b, struct reject *rej)
{
    rej->raw = b->data ? b->data : "";
    rej->raw_len = b->len < GM_RAW_MAX ? b->len : GM_RAW_MAX;
}

/* The head of stream ti as CSV, for a reject's raw text: its columns in file order,
 * shadow columns left out. */
static void rebuild_raw(struct gm *g, int ti, struct reject *rej)
{
    struct table *t = &g->t[ti];
    struct stream *s = &g->st[ti];
    struct buf *b = &g->raw;
    buf_reset(b);
    int first = 1;
    for (size_t j = 0; j < t->ncols && b->len < GM_RAW_MAX; j++) {
        char cls[2] = { s->cls == CLS_C ? 'C' : 'P', 0 };
        if ((int)j == t->acct)
            raw_add(b, first, s->key, s->klen);
        else if ((int)j == t->rectype)
            raw_add(b, first, cls, 1);
        else if (t->kept[j] >= 0)
            raw_add(b, first, s->v[t->kept[j]], s->vl[t->kept[j]]);
        else
            continue;
        first = 0;
    }
    raw_done(b, rej);
}

/* Reject the head of stream ti: "<what> \"<ACCOUNTNO>\"<after>". */
static enum conn_next reject_stream(struct gm *g, int ti, struct reject *rej,
                                    const char *what, const char *after)
{
    struct stream *s = &g->st[ti];
    rej->file = g->t[ti].path;
    rej->line = s->line;
    rej->line_end = s->line_end;
    int n = (int)(s->klen > 100 ? 100 : s->klen);
    snprintf(rej->reason, sizeof rej->reason, "%s \"%.*s%s\"%s", what, n, s->key,
             s->klen > 100 ? "..." : "", after);
    rebuild_raw(g, ti, rej);
    g->t[ti].rejects++;
    g->adv[ti] = 1;
    return CONN_REJECT;
}

static const char *stream_str(const struct stream *s, int col, size_t *len)
{
    if (col < 0 || !s->v[col] || s->vl[col] == 0)
        return NULL;
    *len = s->vl[col];
    return s->v[col];
}

/* s[0..n) without surrounding white space */
static const char *trimmed(const char *s, size_t *n)
{
    while (*n && isspace((unsigned char)s[0])) {
        s++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)s[*n - 1]))
        (*n)--;
    return s;
}

static int label_is(const char *s, size_t n, const char *want)
{
    s = trimmed(s, &n);
    return n == strlen(want) && strncasecmp(s, want, n) == 0;
}

/* What a P row adds to its contact: 1 (*out filled), 0 nothing, -1 out of memory. */
static int take_p_row(struct gm *g, const struct stream *s, struct synth *out)
{
    const struct table *t = &g->t[T_CS];
    size_t ll = 0, rl = 0, al = 0, nl = 0, zl = 0;
    const char *label = stream_str(s, t->cs[CS_CONTACT], &ll);
    const char *ref = stream_str(s, t->cs[CS_CONTSUPREF], &rl);
    const char *notes = stream_str(s, t->cs[CS_NOTES], &nl);
    memset(out, 0, sizeof *out);
    if (label && label_is(label, ll, "E-mail Address")) {
        const char *a1 = stream_str(s, t->cs[CS_ADDRESS1], &al);
        const char *zip = stream_str(s, t->cs[CS_ZIP], &zl);
        if (!ref && !a1)
            return 0;
        char *v = arena_alloc(&g->rec_arena, rl + al + 1);
        if (!v)
            return -1;
        if (ref)
            memcpy(v, ref, rl);
        if (a1)
            memcpy(v + rl, a1, al);
        v[rl + al] = '\0';
        out->kind = 0;
        out->primary = zip && zl >= 2 && zip[1] == '1';
        out->value = v;
        out->len = rl + al;
        return 1;
    }
    const char *v = ref;
    size_t vl = rl;
    if (label && label_is(label, ll, "Web Site")) {
        out->kind = 1;
        if (notes && (!ref || (nl > rl && memcmp(notes, ref, rl) == 0))) {
            v = notes;
            vl = nl;
        }
    } else {
        out->kind = 2;
        if (!ref) {
            v = notes;
            vl = nl;
        }
        size_t tl = ll;
        const char *lab = label ? trimmed(label, &tl) : NULL;
        out->label = lab && tl ? arena_strndup(&g->rec_arena, lab, tl) : "(no label)";
        if (!out->label)
            return -1;
    }
    if (!v)
        return 0;
    out->value = arena_strndup(&g->rec_arena, v, vl);
    out->len = vl;
    return out->value ? 1 : -1;
}

static enum cm_status set_synth(struct gm *g, size_t nsyn)
{
    if (g->nnames - g->nstatic + nsyn > GM_MAX_DYN)
        dyn_reset(g);
    int email = 0, web = 0;
    char name[300];
    for (int pass = 0; pass < 2; pass++) {          /* primary e-mails first */
        for (size_t i = 0; i < nsyn; i++) {
            struct synth *y = &g->syn[i];
            if (y->kind != 0 || y->primary != !pass)
                continue;
            snprintf(name, sizeof name, "E-mail %d", ++email);
            int slot = dyn_slot(g, name);
            if (slot < 0)
                return CM_ERR_NOMEM;
            g->vals[slot] = y->value;
            g->lens[slot] = y->len;
        }
    }
    for (size_t i = 0; i < nsyn; i++) {
        struct synth *y = &g->syn[i];
        if (y->kind == 0)
            continue;
        if (y->kind == 1) {
            snprintf(name, sizeof name, "Web Site %d", ++web);
        } else {
            snprintf(name, sizeof name, "Detail: %.200s", y->label);
            for (int dup = 2; dyn_slot(g, name) >= 0 && g->vals[dyn_slot(g, name)]; dup++)
                snprintf(name, sizeof name, "Detail: %.200s (%d)", y->label, dup);
        }
        int slot = dyn_slot(g, name);
        if (slot < 0)
            return CM_ERR_NOMEM;
        g->vals[slot] = y->value;
        g->lens[slot] = y->len;
    }
    return CM_OK;
}

static void clear_values(struct gm *g)
{
    memset(g->vals, 0, g->nnames * sizeof *g->vals);
    memset(g->lens, 0, g->nnames * sizeof *g->lens);
}

static void fill_record(struct gm *g, struct raw_record *rec, const char *file,
                        const struct stream *s)
{
    rec->nfields = g->nnames;
    rec->names = g->names;
    rec->names_version = g->version;
    rec->values = g->vals;
    rec->lengths = g->lens;
    rec->file = file;
    rec->line = s->line;
    rec->line_end = s->line_end;
    rec->raw = NULL;
    rec->raw_len = 0;
}

static void put_stream(struct gm *g, const struct table *t, const struct stream *s)
{
    for (size_t k = 0; k < t->nkept; k++) {
        int slot = t->slot[k];
        if (slot >= 0 && s->v[k]) {
            g->vals[slot] = s->v[k];
            g->lens[slot] = s->vl[k];
        }
    }
}

static enum conn_next emit_contact(struct gm *g, struct raw_record *rec, char *err)
{
    struct stream *c1 = &g->st[T_C1], *c2 = &g->st[T_C2], *cs = &g->st[T_CS];
    char *key = arena_strndup(&g->rec_arena, c1->key, c1->klen);
    if (!key)
        goto nomem;
    /* the P rows first: they may add names */
    size_t nsyn = 0;
    while (cs->has && cs->cls == CLS_P && nsyn < GM_MAX_P_ROWS &&
           key_cmp(cs->key, cs->klen, c1->key, c1->klen) == 0) {
        int r = take_p_row(g, cs, &g->syn[nsyn]);
        if (r < 0)
            goto nomem;
        nsyn += (size_t)r;
        if (stream_advance(g, T_CS, err))
            return CONN_ERROR;
    }
    clear_values(g);
    if (set_synth(g, nsyn))
        goto nomem;
    g->vals[g->s_key] = g->vals[g->s_acct] = key;
    g->lens[g->s_key] = g->lens[g->s_acct] = c1->klen;
    put_stream(g, &g->t[T_C1], c1);
    if (c2->has && key_cmp(c2->key, c2->klen, c1->key, c1->klen) == 0) {
        put_stream(g, &g->t[T_C2], c2);
        g->adv[T_C2] = 1;
    }
    buf_reset(&g->parent_key);
    buf_reset(&g->parent_company);
    if (buf_add(&g->parent_key, c1->key, c1->klen))
        goto nomem;
    if (g->s_company >= 0 && g->vals[g->s_company] &&
        buf_add(&g->parent_company, g->vals[g->s_company], g->lens[g->s_company]))
        goto nomem;
    g->have_last = 1;
    g->in_group = 1;
    g->adv[T_C1] = 1;
    fill_record(g, rec, g->t[T_C1].path, c1);
    return CONN_RECORD;
nomem:
    cm_fail(err, CM_ERR_NOMEM, "out of memory joining ACCOUNTNO \"%.*s\"",
            (int)(c1->klen > 100 ? 100 : c1->klen), c1->key);
    return CONN_ERROR;
}

static enum conn_next emit_additional(struct gm *g, struct raw_record *rec,
                                      struct reject *rej, char *err)
{
    struct stream *cs = &g->st[T_CS];
    const struct table *t = &g->t[T_CS];
    size_t rl = 0;
    const char *recid = stream_str(cs, t->cs[CS_RECID], &rl);
    rl = recid ? rtrim_spaces(recid, rl) : 0;
    if (rl == 0)
        return reject_stream(g, T_CS, rej, "additional contact (CONTSUPP RECTYPE C) of "
                             "ACCOUNTNO", " without RECID: it has no stable key");
    size_t kl = g->parent_key.len + 1 + rl;
    char *key = arena_alloc(&g->rec_arena, kl + 1);
    if (!key) {
        cm_fail(err, CM_ERR_NOMEM, "out of memory");
        return CONN_ERROR;
    }
    memcpy(key, g->parent_key.data, g->parent_key.len);
    key[g->parent_key.len] = '/';
    memcpy(key + g->parent_key.len + 1, recid, rl);
    key[kl] = '\0';
    clear_values(g);
    put_stream(g, t, cs);
    g->vals[g->s_key] = key;
    g->lens[g->s_key] = kl;
    g->vals[g->s_linked] = g->parent_key.data;
    g->lens[g->s_linked] = g->parent_key.len;
    if (g->s_company >= 0 && g->parent_company.len) {
        g->vals[g->s_company] = g->parent_company.data;
        g->lens[g->s_company] = g->parent_company.len;
    }
    g->adv[T_CS] = 1;
    fill_record(g, rec, t->path, cs);
    return CONN_RECORD;
}

static enum conn_next join_next(struct gm *g, struct raw_record *rec, struct reject *rej,
                                char *err)
{
    for (int ti = 0; ti < NTAB; ti++) {
        if (g->adv[ti]) {
            g->adv[ti] = 0;
            if (stream_advance(g, ti, err))
                return CONN_ERROR;
        }
    }
    struct stream *c1 = &g->st[T_C1], *c2 = &g->st[T_C2], *cs = &g->st[T_CS];
    if (g->in_group && cs->has && is_parent(g, cs)) {
        if (cs->cls == CLS_C)
            return emit_additional(g, rec, rej, err);
        return reject_stream(g, T_CS, rej, "CONTSUPP row not joined: more than 256 "
                             "details for ACCOUNTNO", "");
    }
    g->in_group = 0;
    if (c2->has && (!c1->has || key_cmp(c2->key, c2->klen, c1->key, c1->klen) < 0)) {
        if (is_parent(g, c2))
            return reject_stream(g, T_C2, rej, "duplicate CONTACT2 row: a second one for "
                                 "ACCOUNTNO", "");
        return reject_stream(g, T_C2, rej, "orphan CONTACT2 row: no CONTACT1 with "
                             "ACCOUNTNO", "");
    }
    if (cs->has && (!c1->has || key_cmp(cs->key, cs->klen, c1->key, c1->klen) < 0))
        return reject_stream(g, T_CS, rej, "orphan CONTSUPP row: no CONTACT1 with "
                             "ACCOUNTNO", "");
    if (!c1->has)
        return CONN_EOF;
    return emit_contact(g, rec, err);
}

/* ---- the connector -------------------------------------------------------------- */

static void gm_close(void *state)
{
    struct gm *g = state;
    if (!g)
        return;
    for (int ti = 0; ti < NTAB; ti++) {
        struct table *t = &g->t[ti];
        if (t->csv)
            csv_connector.xClose(t->csv);
        if (t->dbf)
            dbf_close(t->dbf);
        json_decref(t->csv_opts);
        extsort_free(t->sort);
        free(g->st[ti].v);
        free(g->st[ti].vl);
    }
    free(g->names);
    free(g->vals);
    free(g->lens);
    free(g->syn);
    free(g->pack_v);
    free(g->pack_l);
    buf_free(&g->enc);
    buf_free(&g->skey);
    buf_free(&g->parent_key);
    buf_free(&g->parent_company);
    buf_free(&g->raw);
    arena_free(&g->arena);
    arena_free(&g->dyn_arena);
    arena_free(&g->rec_arena);
    free(g);
}

static enum cm_status gm_open(const struct source *src, void **state, char *err)
{
    *state = NULL;
    struct gm *g = calloc(1, sizeof *g);
    if (!g)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    buf_init(&g->enc, 0);
    buf_init(&g->skey, 0);
    buf_init(&g->parent_key, 0);
    buf_init(&g->parent_company, 0);
    buf_init(&g->raw, 0);
    enum cm_status rc = read_memory(g, src, err);
    if (!rc)
        rc = find_tables(g, src, err);
    for (int ti = 0; !rc && ti < NTAB; ti++) {
        if (g->t[ti].path)
            rc = open_table(g, ti, src, err);
    }
    if (!rc && build_names(g) != CM_OK)
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    if (!rc) {
        size_t most = 1;
        for (int ti = 0; ti < NTAB; ti++)
            most = g->t[ti].nkept > most ? g->t[ti].nkept : most;
        g->syn = calloc(GM_MAX_P_ROWS, sizeof *g->syn);
        g->pack_v = calloc(most, sizeof *g->pack_v);
        g->pack_l = calloc(most, sizeof *g->pack_l);
        if (!g->syn || !g->pack_v || !g->pack_l)
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    if (rc) {
        gm_close(g);
        return rc;
    }
    *state = g;
    return CM_OK;
}

static enum conn_next gm_next(void *state, struct raw_record *rec, struct reject *rej,
                              char *err)
{
    struct gm *g = state;
    if (g->phase == PH_FAILED)
        return CONN_ERROR;
    arena_reset(&g->rec_arena);
    enum conn_next r;
    if (g->phase == PH_READ) {
        r = read_tables(g, rej, err);
        if (r != CONN_RECORD) {
            if (r == CONN_ERROR)
                g->phase = PH_FAILED;
            return r;
        }
    }
    r = join_next(g, rec, rej, err);
    if (r == CONN_ERROR)
        g->phase = PH_FAILED;
    return r;
}

static enum cm_status gm_describe(void *state, struct buf *out)
{
    struct gm *g = state;
    enum cm_status rc = CM_OK;
    int first = 1;
    for (int ti = 0; !rc && ti < NTAB; ti++) {
        struct table *t = &g->t[ti];
        if (!t->path)
            continue;
        if (!first)
            rc = buf_addstr(out, "; ");
        first = 0;
        if (t->csv || t->dbf)
            describe_reader(t);
        if (!rc && strncasecmp(t->base, tab_name[ti], strlen(tab_name[ti])) != 0)
            rc = buf_printf(out, "%s ", tab_name[ti]);
        if (!rc)
            rc = buf_addstr(out, t->desc[0] ? t->desc : t->base);
        if (!rc)
            rc = buf_printf(out, ", %lld rows", t->rows);
        if (!rc && ti == T_CS)
            rc = buf_printf(out, " (%lld details, %lld additional contacts, %lld other "
                            "rows skipped)", t->p_rows, t->c_rows, t->skipped);
    }
    for (int ti = 0; !rc && ti < NTAB; ti++) {
        if (!g->t[ti].path)
            rc = buf_printf(out, "; no %s", tab_name[ti]);
    }
    struct extsort_stats sum = { 0 }, st;
    int sorted = 0, in_memory = 1;
    for (int ti = 0; ti < NTAB; ti++) {
        if (!g->t[ti].sort)
            continue;
        extsort_get_stats(g->t[ti].sort, &st);
        sorted = 1;
        sum.runs += st.runs;
        sum.merge_passes += st.merge_passes;
        sum.spilled += st.spilled;
        in_memory &= st.in_memory || st.runs == 0;
    }
    if (!rc && sorted && in_memory)
        rc = buf_addstr(out, "; sorted in memory");
    else if (!rc && sorted)
        rc = buf_printf(out, "; sorted in %zu runs, %zu merge passes, %.1f MiB spilled",
                        sum.runs, sum.merge_passes, (double)sum.spilled / (1024 * 1024));
    return rc;
}

static enum cm_status gm_fields(void *state, const char *const **names, size_t *n)
{
    const struct gm *g = state;
    *names = g->names;
    *n = g->nstatic;
    return CM_OK;
}

const struct connector goldmine_connector = {
    .version = CONNECTOR_VERSION,
    .name = "goldmine",
    .summary = "GoldMine CONTACT1 + CONTACT2 + CONTSUPP tables (CSV or dBase), joined",
    .xOpen = gm_open,
    .xNext = gm_next,
    .xClose = gm_close,
    .xDescribe = gm_describe,
    .xFields = gm_fields,
};
