/* country.c — schemas/countries.tsv loaded into a sorted key table (see country.h).
 * Every code and name is stored under its German and its plain fold; a lookup folds
 * the text the same two ways and binary-searches. */
#include "transforms/normalise/country.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/arena.h"
#include "pipeline/buf.h"
#include "pipeline/config.h"
#include "transforms/normalise/text.h"

#define COUNTRY_LINE_MAX 4096

struct country {
    char alpha2[3], alpha3[4];
    long line;                   /* in the file, for messages */
};

struct key {
    const char *text;            /* folded */
    size_t country;              /* index into countries */
    const char *name;            /* as written, for messages */
};

struct countries {
    struct arena arena;          /* key texts and names */
    struct country *list;
    size_t n, alloc;
    struct key *keys;
    size_t nkeys, keys_alloc;
};

static int is_upper_code(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    }
    return 1;
}

static enum cm_status add_key(struct countries *c, const char *name, unsigned options,
                              struct buf *fold)
{
    buf_reset(fold);
    unsigned flags = text_fold(name, strlen(name), options, fold);
    if (flags & (TEXT_INVALID_UTF8 | TEXT_EMPTY | TEXT_TOO_LONG))
        return CM_ERR_INPUT;
    if (array_grow((void **)&c->keys, &c->keys_alloc, c->nkeys + 1, sizeof *c->keys))
        return CM_ERR_NOMEM;
    struct key *k = &c->keys[c->nkeys];
    k->text = arena_strndup(&c->arena, fold->data, fold->len);
    k->name = arena_strdup(&c->arena, name);
    k->country = c->n - 1;
    if (!k->text || !k->name)
        return CM_ERR_NOMEM;
    c->nkeys++;
    return CM_OK;
}

/* One line: alpha-2 TAB alpha-3 TAB name [TAB name]... (line is modified) */
static enum cm_status parse_line(struct countries *c, char *line, const char *path,
                                 long lineno, struct buf *fold, char *err)
{
    char *fields[256];
    size_t nf = 0;
    for (char *p = line; p && nf < sizeof fields / sizeof fields[0];) {
        fields[nf++] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    if (nf < 3)
        return cm_fail(err, CM_ERR_CONFIG, "%s:%ld: want alpha-2, alpha-3 and a name, "
                       "separated by tabs", path, lineno);
    if (!is_upper_code(fields[0], 2) || !is_upper_code(fields[1], 3))
        return cm_fail(err, CM_ERR_CONFIG, "%s:%ld: \"%.20s\" \"%.20s\" are not an alpha-2 "
                       "and an alpha-3 code (upper case letters)", path, lineno, fields[0],
                       fields[1]);
    if (array_grow((void **)&c->list, &c->alloc, c->n + 1, sizeof *c->list))
        return cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", path);
    struct country *co = &c->list[c->n++];
    memcpy(co->alpha2, fields[0], 3);
    memcpy(co->alpha3, fields[1], 4);
    co->line = lineno;
    for (size_t i = 0; i < nf; i++) {
        if (!fields[i][0])
            return cm_fail(err, CM_ERR_CONFIG, "%s:%ld: field %zu is empty", path, lineno,
                           i + 1);
        enum cm_status rc = add_key(c, fields[i], TEXT_GERMAN, fold);
        if (!rc)
            rc = add_key(c, fields[i], 0, fold);
        if (rc == CM_ERR_NOMEM)
            return cm_fail(err, rc, "%s: out of memory", path);
        if (rc)
            return cm_fail(err, CM_ERR_CONFIG, "%s:%ld: \"%.100s\" is not a name (invalid "
                           "UTF-8, too long, or no letters or digits)", path, lineno,
                           fields[i]);
    }
    return CM_OK;
}

static int key_cmp(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    int r = strcmp(x->text, y->text);
    if (r)
        return r;
    return x->country < y->country ? -1 : x->country > y->country;
}

/* Sort the keys; a key naming two countries is an error; repeats of one are dropped. */
static enum cm_status index_keys(struct countries *c, const char *path, char *err)
{
    if (c->nkeys)
        qsort(c->keys, c->nkeys, sizeof *c->keys, key_cmp);
    size_t out = 0;
    for (size_t i = 0; i < c->nkeys; i++) {
        if (out && strcmp(c->keys[out - 1].text, c->keys[i].text) == 0) {
            const struct key *a = &c->keys[out - 1], *b = &c->keys[i];
            if (a->country != b->country)
                return cm_fail(err, CM_ERR_CONFIG, "%s:%ld: \"%s\" also names %s (line %ld)",
                               path, c->list[b->country].line, b->name,
                               c->list[a->country].alpha2, c->list[a->country].line);
            continue;
        }
        c->keys[out++] = c->keys[i];
    }
    c->nkeys = out;
    return CM_OK;
}

static enum cm_status read_table(struct countries *c, FILE *f, const char *path, char *err)
{
    char line[COUNTRY_LINE_MAX];
    struct buf fold = BUF_INIT(0);
    enum cm_status rc = CM_OK;
    long lineno = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            rc = cm_fail(err, CM_ERR_CONFIG, "%s:%ld: line longer than %d bytes", path,
                         lineno, COUNTRY_LINE_MAX - 2);
            break;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        rc = parse_line(c, line, path, lineno, &fold, err);
    }
    if (!rc && ferror(f))
        rc = cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(errno));
    buf_free(&fold);
    if (!rc && c->n == 0)
        rc = cm_fail(err, CM_ERR_CONFIG, "%s: no countries", path);
    return rc ? rc : index_keys(c, path, err);
}

enum cm_status countries_load(const char *path, struct countries **out, char *err)
{
    char dflt[4096];
    *out = NULL;
    if (!path) {
        snprintf(dflt, sizeof dflt, "%s/countries.tsv", schemas_dir());
        path = dflt;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return cm_fail(err, CM_ERR_IO, "%s: %s", path,
                       errno == ENOENT ? "file not found" : strerror(errno));
    struct countries *c = calloc(1, sizeof *c);
    enum cm_status rc = c ? read_table(c, f, path, err)
                          : cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", path);
    fclose(f);
    if (rc) {
        countries_free(c);
        return rc;
    }
    *out = c;
    return CM_OK;
}

void countries_free(struct countries *c)
{
    if (!c)
        return;
    arena_free(&c->arena);
    free(c->list);
    free(c->keys);
    free(c);
}

static const struct key *find(const struct countries *c, const char *folded)
{
    struct key probe = { folded, 0, NULL };
    size_t lo = 0, hi = c->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(c->keys[mid].text, probe.text);
        if (r == 0)
            return &c->keys[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *country_code(const struct countries *c, const char *text)
{
    if (!c || !text)
        return NULL;
    static const unsigned ways[2] = { TEXT_GERMAN, 0 };
    const struct key *k = NULL;
    struct buf fold = BUF_INIT(0);
    for (int i = 0; i < 2 && !k; i++) {
        buf_reset(&fold);
        unsigned flags = text_fold(text, strlen(text), ways[i], &fold);
        if (flags & (TEXT_INVALID_UTF8 | TEXT_EMPTY))
            break;
        k = find(c, fold.data);
    }
    buf_free(&fold);
    return k ? c->list[k->country].alpha2 : NULL;
}

const char *country_alpha3(const struct countries *c, const char *alpha2)
{
    for (size_t i = 0; c && alpha2 && i < c->n; i++) {
        if (strcmp(c->list[i].alpha2, alpha2) == 0)
            return c->list[i].alpha3;
    }
    return NULL;
}

size_t countries_count(const struct countries *c)
{
    return c ? c->n : 0;
}
