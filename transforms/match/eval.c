/* eval.c — clusters against a truth (see eval.h). Records are interned by (source,
 * source_key); person and cluster ids by their text. compute() sorts the measured records
 * by (cluster, person) once: each run of equal pairs is a cell of the contingency table,
 * each run of equal clusters a cluster, and every pair count is n(n-1)/2 of a run. */
#include "transforms/match/eval.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/buf.h"
#include "pipeline/config.h"
#include "pipeline/keymap.h"

#define NONE UINT32_MAX

struct eval {
    struct keymap records;       /* "source\0source_key" -> entry */
    uint32_t *person_of;         /* per entry: the truth's person, or NONE */
    unsigned char *clustered;    /* per entry: 1 once a cluster row named it */
    size_t entries_alloc;
    struct keymap persons, clusters;         /* id text -> index */
    uint32_t *row_record, *row_cluster;      /* the cluster rows, in the order given */
    size_t nrows, rows_alloc;
    struct arena arena;          /* the result's strings and arrays */
    struct eval_result result;
};

enum cm_status eval_new(struct eval **out, char *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    buf_init(&(*out)->records.strings, 0);
    buf_init(&(*out)->persons.strings, 0);
    buf_init(&(*out)->clusters.strings, 0);
    return CM_OK;
}

void eval_free(struct eval *e)
{
    if (!e)
        return;
    keymap_free(&e->records);
    keymap_free(&e->persons);
    keymap_free(&e->clusters);
    free(e->person_of);
    free(e->clustered);
    free(e->row_record);
    free(e->row_cluster);
    arena_free(&e->arena);
    free(e);
}

/* ---- adding records --------------------------------------------------------------- */

/* The entry of (source, source_key), created with no person when new. */
static enum cm_status record_entry(struct eval *e, const char *source, const char *key,
                                   uint32_t *entry)
{
    size_t ls = strlen(source), lk = strlen(key);
    char stack[256];
    char *joined = ls + lk + 2 <= sizeof stack ? stack : malloc(ls + lk + 2);
    if (!joined)
        return CM_ERR_NOMEM;
    memcpy(joined, source, ls + 1);                   /* "source\0key" */
    memcpy(joined + ls + 1, key, lk);
    int added = 0;
    enum cm_status rc = keymap_intern(&e->records, joined, ls + 1 + lk, entry, &added);
    if (joined != stack)
        free(joined);
    if (rc || !added)
        return rc;
    if (*entry >= e->entries_alloc) {
        size_t alloc = e->entries_alloc;
        if (array_grow((void **)&e->person_of, &alloc, *entry + 1, sizeof *e->person_of))
            return CM_ERR_NOMEM;
        alloc = e->entries_alloc;
        if (array_grow((void **)&e->clustered, &alloc, *entry + 1, sizeof *e->clustered))
            return CM_ERR_NOMEM;
        e->entries_alloc = alloc;
    }
    e->person_of[*entry] = NONE;
    e->clustered[*entry] = 0;
    return CM_OK;
}

uint32_t eval_truth_person(const struct eval *e, const char *source, const char *key)
{
    size_t ls = strlen(source), lk = strlen(key);
    char stack[512];
    if (ls + lk + 2 > sizeof stack)
        return UINT32_MAX;
    memcpy(stack, source, ls + 1);
    memcpy(stack + ls + 1, key, lk);
    uint32_t entry;
    if (keymap_find(&e->records, stack, ls + 1 + lk, &entry) != 0)
        return UINT32_MAX;
    return e->person_of[entry] == NONE ? UINT32_MAX : e->person_of[entry];
}

static const char *entry_source(const struct eval *e, uint32_t entry)
{
    return keymap_key(&e->records, entry);
}

static const char *entry_key(const struct eval *e, uint32_t entry)
{
    const char *s = keymap_key(&e->records, entry);
    return s + strlen(s) + 1;
}

static enum cm_status check_values(const char *source, const char *key, const char *id,
                                   const char *id_name, const char *where, char *err)
{
    const char *empty = !source || !*source ? "source" : !key || !*key ? "source_key"
                      : !id || !*id ? id_name : NULL;
    if (empty)
        return cm_fail(err, CM_ERR_INPUT, "%s: empty %s", where, empty);
    return CM_OK;
}

enum cm_status eval_add_truth(struct eval *e, const char *source, const char *source_key,
                              const char *person, const char *where, char *err)
{
    enum cm_status rc = check_values(source, source_key, person, "person_id", where, err);
    if (rc)
        return rc;
    uint32_t entry, p;
    int added;
    rc = record_entry(e, source, source_key, &entry);
    if (!rc)
        rc = keymap_intern(&e->persons, person, strlen(person), &p, &added);
    if (rc)
        return cm_fail(err, rc, "%s: out of memory", where);
    if (e->person_of[entry] != NONE && e->person_of[entry] != p)
        return cm_fail(err, CM_ERR_INPUT, "%s: %s,%s is person \"%s\" here and \"%s\" on an "
                       "earlier line", where, source, source_key, person,
                       keymap_key(&e->persons, e->person_of[entry]));
    e->person_of[entry] = p;
    return CM_OK;
}

enum cm_status eval_add_cluster(struct eval *e, const char *source, const char *source_key,
                                const char *cluster, const char *where, char *err)
{
    enum cm_status rc = check_values(source, source_key, cluster, "cluster_id", where, err);
    if (rc)
        return rc;
    uint32_t entry, c;
    int added;
    rc = record_entry(e, source, source_key, &entry);
    if (!rc)
        rc = keymap_intern(&e->clusters, cluster, strlen(cluster), &c, &added);
    if (!rc && e->nrows == UINT32_MAX)
        return cm_fail(err, CM_ERR_LIMIT, "%s: more than %u records", where, UINT32_MAX);
    if (!rc && e->nrows == e->rows_alloc) {
        size_t alloc = e->rows_alloc;
        if (array_grow((void **)&e->row_record, &alloc, e->nrows + 1, sizeof *e->row_record))
            rc = CM_ERR_NOMEM;
        alloc = e->rows_alloc;
        if (!rc && array_grow((void **)&e->row_cluster, &alloc, e->nrows + 1,
                              sizeof *e->row_cluster))
            rc = CM_ERR_NOMEM;
        if (!rc)
            e->rows_alloc = alloc;
    }
    if (rc)
        return cm_fail(err, rc, "%s: out of memory", where);
    e->row_record[e->nrows] = entry;
    e->row_cluster[e->nrows] = c;
    e->nrows++;
    e->clustered[entry] = 1;
    return CM_OK;
}

/* ---- reading the CSV files -------------------------------------------------------- */

static int column_of(const char *const *names, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++) {
        if (names[i] && strcmp(names[i], want) == 0)
            return (int)i;
    }
    return -1;
}

/* where: the option naming the file ("--truth"); id: "person_id" or "cluster_id" */
static enum cm_status read_csv(struct eval *e, const char *path, const char *option,
                               const char *id, int truth, char *err)
{
    const struct connector *csv = connector_find("csv");
    json_t *opts = json_pack("{s:s, s:b}", "delimiter", ",", "skip_initial_space", 0);
    if (!csv || !opts) {
        json_decref(opts);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    struct source src = { option + 2, "csv", NULL, path, option, opts };
    void *st = NULL;
    char cerr[CM_ERRBUF] = "";
    enum cm_status rc = csv->xOpen(&src, &st, cerr);
    if (rc) {
        json_decref(opts);
        return cm_fail(err, rc == CM_ERR_IO ? CM_ERR_CONFIG : rc, "%s", cerr);
    }
    const char *const *names = NULL;
    size_t ncols = 0;
    csv->xFields(st, &names, &ncols);
    int col[3] = { column_of(names, ncols, "source"), column_of(names, ncols, "source_key"),
                   column_of(names, ncols, id) };
    if (col[0] < 0 || col[1] < 0 || col[2] < 0)
        rc = cm_fail(err, CM_ERR_INPUT, "%s:1: the header must name the columns source, "
                     "source_key and %s (no \"%s\")", path, id,
                     col[0] < 0 ? "source" : col[1] < 0 ? "source_key" : id);
    while (!rc) {
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next next = csv->xNext(st, &rec, &rej, cerr);
        if (next == CONN_EOF)
            break;
        if (next == CONN_ERROR) {
            rc = cm_fail(err, CM_ERR_INPUT, "%s", cerr);
            break;
        }
        if (next == CONN_REJECT) {
            rc = cm_fail(err, CM_ERR_INPUT, "%s:%ld: %s", path, rej.line, rej.reason);
            break;
        }
        char where[CM_ERRBUF];
        snprintf(where, sizeof where, "%s:%ld", path, rec.line);
        const char *v[3];
        for (int k = 0; k < 3; k++)
            v[k] = (size_t)col[k] < rec.nfields ? rec.values[col[k]] : NULL;
        rc = truth ? eval_add_truth(e, v[0], v[1], v[2], where, err)
                   : eval_add_cluster(e, v[0], v[1], v[2], where, err);
    }
    csv->xClose(st);
    json_decref(opts);
    return rc;
}

enum cm_status eval_read_truth(struct eval *e, const char *path, char *err)
{
    return read_csv(e, path, "--truth", "person_id", 1, err);
}

enum cm_status eval_read_clusters(struct eval *e, const char *path, char *err)
{
    return read_csv(e, path, "--clusters", "cluster_id", 0, err);
}

/* ---- measuring -------------------------------------------------------------------- */

struct cell_rec { uint32_t cluster, person, row; };

static int cell_cmp(const void *a, const void *b)
{
    const struct cell_rec *x = a, *y = b;
    if (x->cluster != y->cluster)
        return x->cluster < y->cluster ? -1 : 1;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static unsigned long long pairs(unsigned long long n)
{
    return n ? n * (n - 1) / 2 : 0;
}

struct mixed {                   /* a mixed cluster: its run in the sorted records */
    size_t start, records, persons;
    unsigned long long wrong;
    const char *id;
};

static int mixed_cmp(const void *a, const void *b)
{
    const struct mixed *x = a, *y = b;
    if (x->wrong != y->wrong)
        return x->wrong > y->wrong ? -1 : 1;
    if (x->records != y->records)
        return x->records > y->records ? -1 : 1;
    return strcmp(x->id, y->id);
}

static double ratio(unsigned long long num, unsigned long long den)
{
    return den ? (double)num / (double)den : 1.0;
}

/* "source,source_key" in the arena */
static const char *record_text(struct eval *e, uint32_t entry)
{
    struct buf b = BUF_INIT(0);
    const char *out = NULL;
    if (buf_add_csv_field(&b, entry_source(e, entry)) == CM_OK && buf_addch(&b, ',') == CM_OK &&
        buf_add_csv_field(&b, entry_key(e, entry)) == CM_OK)
        out = arena_strdup(&e->arena, b.data);
    buf_free(&b);
    return out;
}

static enum cm_status unmatched(struct eval *e, struct eval_result *r)
{
    for (size_t i = 0; i < e->nrows; i++) {
        uint32_t entry = e->row_record[i];
        if (e->person_of[entry] != NONE)
            continue;
        if (r->unmatched_clusters < EVAL_EXAMPLES &&
            !(r->unmatched_clusters_example[r->unmatched_clusters] = record_text(e, entry)))
            return CM_ERR_NOMEM;
        r->unmatched_clusters++;
    }
    for (uint32_t entry = 0; entry < e->records.count; entry++) {
        if (e->person_of[entry] == NONE || e->clustered[entry])
            continue;
        if (r->unmatched_truth < EVAL_EXAMPLES &&
            !(r->unmatched_truth_example[r->unmatched_truth] = record_text(e, entry)))
            return CM_ERR_NOMEM;
        r->unmatched_truth++;
    }
    return CM_OK;
}

/* The worst of the mixed clusters with their members, into r. */
static enum cm_status worst_clusters(struct eval *e, const struct cell_rec *cells,
                                     struct mixed *mixed, size_t nmixed, size_t want,
                                     struct eval_result *r)
{
    qsort(mixed, nmixed, sizeof *mixed, mixed_cmp);
    r->nworst = nmixed < want ? nmixed : want;
    struct eval_cluster *w = arena_calloc(&e->arena, (r->nworst + 1) * sizeof *w);
    if (!w)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < r->nworst; i++) {
        const struct mixed *m = &mixed[i];
        size_t n = m->records < EVAL_MEMBERS_MAX ? m->records : EVAL_MEMBERS_MAX;
        struct eval_member *mem = arena_alloc(&e->arena, (n + 1) * sizeof *mem);
        if (!mem)
            return CM_ERR_NOMEM;
        for (size_t k = 0; k < n; k++) {
            const struct cell_rec *c = &cells[m->start + k];
            uint32_t entry = e->row_record[c->row];
            mem[k] = (struct eval_member){ entry_source(e, entry), entry_key(e, entry),
                                           keymap_key(&e->persons, c->person) };
        }
        w[i] = (struct eval_cluster){ m->id, m->records, m->persons, m->wrong, mem, n };
    }
    r->worst = w;
    return CM_OK;
}

enum cm_status eval_compute(struct eval *e, size_t want_worst, const struct eval_result **out,
                            char *err)
{
    struct eval_result *r = &e->result;
    arena_reset(&e->arena);
    memset(r, 0, sizeof *r);
    *out = NULL;
    size_t npersons = e->persons.count;
    struct cell_rec *cells = malloc((e->nrows + 1) * sizeof *cells);
    size_t *person_size = calloc(npersons + 1, sizeof *person_size);
    size_t *person_cells = calloc(npersons + 1, sizeof *person_cells);
    struct mixed *mixed = malloc((e->nrows + 1) * sizeof *mixed);
    enum cm_status rc = cells && person_size && person_cells && mixed ? unmatched(e, r)
                                                                      : CM_ERR_NOMEM;
    size_t n = 0, nmixed = 0;
    for (size_t i = 0; !rc && i < e->nrows; i++) {
        uint32_t p = e->person_of[e->row_record[i]];
        if (p != NONE)
            cells[n++] = (struct cell_rec){ e->row_cluster[i], p, (uint32_t)i };
    }
    if (!rc && n == 0)
        rc = cm_fail(err, CM_ERR_INPUT, "no record is in both the truth and the clusters "
                     "(%zu cluster rows, %zu truth records not among them%s%s): do the "
                     "source names match?", e->nrows, r->unmatched_truth,
                     r->unmatched_clusters ? "; e.g. clustered " : "",
                     r->unmatched_clusters ? r->unmatched_clusters_example[0] : "");
    if (!rc)
        qsort(cells, n, sizeof *cells, cell_cmp);
    for (size_t i = 0; !rc && i < n; ) {             /* one cluster */
        size_t j = i, ncells = 0;
        unsigned long long correct = 0;
        while (j < n && cells[j].cluster == cells[i].cluster) {
            size_t k = j;                             /* one cell */
            while (k < n && cells[k].cluster == cells[j].cluster &&
                   cells[k].person == cells[j].person)
                k++;
            correct += pairs(k - j);
            person_size[cells[j].person] += k - j;
            person_cells[cells[j].person]++;
            ncells++;
            j = k;
        }
        unsigned long long predicted = pairs(j - i);
        r->clusters++;
        r->predicted_pairs += predicted;
        r->correct_pairs += correct;
        if (ncells > 1)
            mixed[nmixed++] = (struct mixed){ i, j - i, ncells, predicted - correct,
                                              keymap_key(&e->clusters, cells[i].cluster) };
        i = j;
    }
    for (size_t p = 0; !rc && p < npersons; p++) {
        if (!person_size[p])
            continue;
        r->persons++;
        r->true_pairs += pairs(person_size[p]);
        r->split_persons += person_cells[p] > 1;
    }
    if (!rc) {
        r->records = n;
        r->mixed_clusters = nmixed;
        r->precision = ratio(r->correct_pairs, r->predicted_pairs);
        r->recall = ratio(r->correct_pairs, r->true_pairs);
        r->f1 = r->precision + r->recall > 0
                    ? 2 * r->precision * r->recall / (r->precision + r->recall) : 0.0;
        rc = worst_clusters(e, cells, mixed, nmixed, want_worst, r);
    }
    free(cells);
    free(person_size);
    free(person_cells);
    free(mixed);
    if (rc == CM_ERR_NOMEM)
        return cm_fail(err, rc, "out of memory measuring %zu records", e->nrows);
    if (rc)
        return rc;
    *out = r;
    return CM_OK;
}

/* ---- output ----------------------------------------------------------------------- */

static void print_member(FILE *out, const struct eval_member *m)
{
    struct buf b = BUF_INIT(0);
    if (buf_add_csv_field(&b, m->source) == CM_OK && buf_addch(&b, ',') == CM_OK &&
        buf_add_csv_field(&b, m->source_key) == CM_OK && buf_addch(&b, ',') == CM_OK &&
        buf_add_csv_field(&b, m->person) == CM_OK)
        fprintf(out, "    %s\n", b.data);
    buf_free(&b);
}

static void print_unmatched(FILE *out, const char *what, size_t n,
                            const char *const examples[EVAL_EXAMPLES])
{
    fprintf(out, "%s %zu", what, n);
    for (size_t i = 0; i < n && i < EVAL_EXAMPLES; i++)
        fprintf(out, "%s%s", i ? "; " : " (not measured: ", examples[i]);
    fprintf(out, "%s\n", n > EVAL_EXAMPLES ? "; ...)" : n ? ")" : "");
}

enum cm_status eval_print(const struct eval_result *r, FILE *out)
{
    fprintf(out, "records %zu\n", r->records);
    fprintf(out, "clusters %zu (persons %zu)\n", r->clusters, r->persons);
    fprintf(out, "pairs %llu true, %llu predicted, %llu correct\n", r->true_pairs,
            r->predicted_pairs, r->correct_pairs);
    fprintf(out, "precision %.6f\n", r->precision);
    fprintf(out, "recall %.6f\n", r->recall);
    fprintf(out, "f1 %.6f\n", r->f1);
    fprintf(out, "split_persons %zu\n", r->split_persons);
    fprintf(out, "mixed_clusters %zu\n", r->mixed_clusters);
    print_unmatched(out, "unmatched_truth", r->unmatched_truth, r->unmatched_truth_example);
    print_unmatched(out, "unmatched_clusters", r->unmatched_clusters,
                    r->unmatched_clusters_example);
    for (size_t i = 0; i < r->nworst; i++) {
        const struct eval_cluster *c = &r->worst[i];
        if (i == 0)
            fprintf(out, "worst mixed clusters (most wrongly joined pairs first; members "
                         "source,source_key,person_id):\n");
        fprintf(out, "  cluster %s: %zu records, %zu persons, %llu wrong pairs\n", c->cluster,
                c->records, c->persons, c->wrong_pairs);
        for (size_t k = 0; k < c->nmembers; k++)
            print_member(out, &c->members[k]);
        if (c->records > c->nmembers)
            fprintf(out, "    ... and %zu more\n", c->records - c->nmembers);
    }
    return ferror(out) ? CM_ERR_IO : CM_OK;
}

static json_t *examples_json(size_t n, const char *const examples[EVAL_EXAMPLES])
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n && i < EVAL_EXAMPLES; i++)
        json_array_append_new(a, json_string(examples[i]));
    return a;
}

json_t *eval_to_json(const struct eval_result *r)
{
    json_t *worst = json_array();
    for (size_t i = 0; worst && i < r->nworst; i++) {
        const struct eval_cluster *c = &r->worst[i];
        json_t *members = json_array();
        for (size_t k = 0; members && k < c->nmembers; k++)
            json_array_append_new(members, json_pack("{s:s, s:s, s:s}",
                                                     "source", c->members[k].source,
                                                     "source_key", c->members[k].source_key,
                                                     "person_id", c->members[k].person));
        json_array_append_new(worst, json_pack("{s:s, s:I, s:I, s:I, s:o, s:I}",
                                               "cluster_id", c->cluster,
                                               "records", (json_int_t)c->records,
                                               "persons", (json_int_t)c->persons,
                                               "wrong_pairs", (json_int_t)c->wrong_pairs,
                                               "members", members, "members_omitted",
                                               (json_int_t)(c->records - c->nmembers)));
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:o, s:I, "
                     "s:I, s:o, s:o}",
                     "records", (json_int_t)r->records,
                     "clusters", (json_int_t)r->clusters,
                     "persons", (json_int_t)r->persons,
                     "true_pairs", (json_int_t)r->true_pairs,
                     "predicted_pairs", (json_int_t)r->predicted_pairs,
                     "correct_pairs", (json_int_t)r->correct_pairs,
                     "precision", r->precision, "recall", r->recall, "f1", r->f1,
                     "split_persons", (json_int_t)r->split_persons,
                     "mixed_clusters", (json_int_t)r->mixed_clusters,
                     "worst", worst,
                     "unmatched_truth", (json_int_t)r->unmatched_truth,
                     "unmatched_clusters", (json_int_t)r->unmatched_clusters,
                     "unmatched_truth_examples",
                     examples_json(r->unmatched_truth, r->unmatched_truth_example),
                     "unmatched_clusters_examples",
                     examples_json(r->unmatched_clusters, r->unmatched_clusters_example));
}
