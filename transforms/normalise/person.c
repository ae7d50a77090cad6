/* person.c — person names for matching and the nickname table (see person.h).
 *
 * A name field is read as words (white space and commas separate them) with names.c's
 * word mechanics (names.h); titles and suffixes are recognised on the raw words, by a key (lower case, no
 * dots), before folding, so "Dr.-Ing." and "Ph.D." are still whole. What remains is
 * folded by text_fold() and coded by phonetic.c. The nickname table interns every name
 * once (keymap) and keeps per name the range of its canonical names. */
#include "transforms/normalise/person.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/buf.h"
#include "pipeline/config.h"
#include "pipeline/keymap.h"
#include "transforms/names.h"
#include "transforms/normalise/text.h"

/* ---- the nickname table ------------------------------------------------------------ */

struct nicknames {
    struct keymap names;         /* every nickname and canonical name, interned */
    uint32_t *first;             /* per name: its first canonical in canon */
    uint32_t *count;             /* per name: how many (0: not a nickname) */
    uint32_t *line;              /* per name: the line that made it a nickname */
    size_t nalloc;
    uint32_t *canon_ids;         /* canonical names of all lines, as name entries */
    size_t ncanon, canon_alloc;
    const char **canon;          /* the same as strings, built once loading is done */
    size_t nnick;
};

void nicknames_free(struct nicknames *nk)
{
    if (!nk)
        return;
    keymap_free(&nk->names);
    free(nk->first);
    free(nk->count);
    free(nk->line);
    free(nk->canon_ids);
    free(nk->canon);
    free(nk);
}

size_t nicknames_count(const struct nicknames *nk)
{
    return nk ? nk->nnick : 0;
}

/* Folded names only: a-z, single inner spaces. */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' ? s[i + 1] == ' ' : !(s[i] >= 'a' && s[i] <= 'z'))
            return 0;
    }
    return 1;
}

static enum cm_status intern(struct nicknames *nk, const char *s, size_t n, uint32_t *entry)
{
    int added;
    enum cm_status rc = keymap_intern(&nk->names, s, n, entry, &added);
    if (rc || !added)
        return rc;
    if (nk->names.count > nk->nalloc) {
        size_t alloc = nk->nalloc, a2 = nk->nalloc, a3 = nk->nalloc;
        if (array_grow((void **)&nk->first, &alloc, nk->names.count, sizeof *nk->first) ||
            array_grow((void **)&nk->count, &a2, nk->names.count, sizeof *nk->count) ||
            array_grow((void **)&nk->line, &a3, nk->names.count, sizeof *nk->line))
            return CM_ERR_NOMEM;
        /* the three grow alike; keep the smallest as the common size */
        nk->nalloc = alloc < a2 ? (alloc < a3 ? alloc : a3) : (a2 < a3 ? a2 : a3);
    }
    nk->first[*entry] = 0;
    nk->count[*entry] = 0;
    nk->line[*entry] = 0;
    return CM_OK;
}

/* One line "nickname<TAB>canonical,canonical" (no newline). */
static enum cm_status parse_line(struct nicknames *nk, const char *path, unsigned lineno,
                                 char *s, char *err)
{
    char *tab = strchr(s, '\t');
    if (!tab)
        return cm_fail(err, CM_ERR_CONFIG, "%s:%u: no tab after the nickname", path, lineno);
    size_t nlen = (size_t)(tab - s);
    if (!valid_name(s, nlen))
        return cm_fail(err, CM_ERR_CONFIG,
                       "%s:%u: \"%.*s\": a name is folded: lower-case a-z and single spaces",
                       path, lineno, (int)(nlen > 64 ? 64 : nlen), s);
    uint32_t nick;
    enum cm_status rc = intern(nk, s, nlen, &nick);
    if (rc)
        return cm_fail(err, rc, "%s:%u: out of memory", path, lineno);
    if (nk->count[nick])
        return cm_fail(err, CM_ERR_CONFIG, "%s:%u: \"%.*s\" is already on line %u", path,
                       lineno, (int)nlen, s, nk->line[nick]);

    uint32_t ids[NICKNAMES_MAX_CANON];
    size_t nids = 0;
    for (char *p = tab + 1;;) {
        char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (!valid_name(p, len))
            return cm_fail(err, CM_ERR_CONFIG,
                           "%s:%u: \"%.*s\": a canonical name is folded: lower-case a-z "
                           "and single spaces", path, lineno, (int)(len > 64 ? 64 : len), p);
        if (nids == NICKNAMES_MAX_CANON)
            return cm_fail(err, CM_ERR_CONFIG, "%s:%u: more than %d canonical names", path,
                           lineno, NICKNAMES_MAX_CANON);
        uint32_t id;
        rc = intern(nk, p, len, &id);
        if (rc)
            return cm_fail(err, rc, "%s:%u: out of memory", path, lineno);
        for (size_t k = 0; k < nids; k++) {
            if (ids[k] == id)
                return cm_fail(err, CM_ERR_CONFIG, "%s:%u: \"%.*s\" is listed twice", path,
                               lineno, (int)len, p);
        }
        ids[nids++] = id;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (array_grow((void **)&nk->canon_ids, &nk->canon_alloc, nk->ncanon + nids,
                   sizeof *nk->canon_ids))
        return cm_fail(err, CM_ERR_NOMEM, "%s:%u: out of memory", path, lineno);
    nk->first[nick] = (uint32_t)nk->ncanon;
    nk->count[nick] = (uint32_t)nids;
    nk->line[nick] = lineno;
    memcpy(nk->canon_ids + nk->ncanon, ids, nids * sizeof *ids);
    nk->ncanon += nids;
    nk->nnick++;
    return CM_OK;
}

enum cm_status nicknames_load(const char *path, struct nicknames **out, char *err)
{
    char dflt[4096];
    *out = NULL;
    if (!path) {
        snprintf(dflt, sizeof dflt, "%s/%s", schemas_dir(), NICKNAMES_FILE);
        path = dflt;
    }
    FILE *f = fopen(path, "r");
    if (!f)
        return cm_fail(err, CM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct nicknames *nk = calloc(1, sizeof *nk);
    if (!nk) {
        fclose(f);
        return cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", path);
    }
    enum cm_status rc = CM_OK;
    char line[1024];
    unsigned lineno = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f)) {
            rc = cm_fail(err, CM_ERR_CONFIG, "%s:%u: line longer than %zu bytes", path,
                         lineno, sizeof line - 2);
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        rc = parse_line(nk, path, lineno, line, err);
    }
    if (!rc && ferror(f))
        rc = cm_fail(err, CM_ERR_IO, "%s: read error", path);
    fclose(f);
    if (!rc && nk->ncanon) {
        nk->canon = malloc(nk->ncanon * sizeof *nk->canon);
        if (!nk->canon)
            rc = cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", path);
        for (size_t i = 0; !rc && i < nk->ncanon; i++)
            nk->canon[i] = keymap_key(&nk->names, nk->canon_ids[i]);
    }
    if (rc) {
        nicknames_free(nk);
        return rc;
    }
    *out = nk;
    return CM_OK;
}

int nicknames_lookup(const struct nicknames *nk, const char *folded,
                     const char *const **canon, size_t *n)
{
    uint32_t e;
    if (!nk || keymap_find(&nk->names, folded, strlen(folded), &e) != 0 || !nk->count[e])
        return 0;
    *canon = nk->canon + nk->first[e];
    *n = nk->count[e];
    return 1;
}

/* ---- words of a raw name field ------------------------------------------------------ */

/* The word mechanics are names.c's (names.h): a name field's words are separated by
 * white space and commas; keys are lower case without dots. */
#define KEY_MAX   24

/* The words of s; -1 if there are more than NAME_MAX_WORDS (the field is then not taken
 * apart, only folded). */
static int split_words(const char *s, struct name_word *w, int *nw)
{
    return name_words_split(s, strlen(s), 1, w, nw);
}

/* The key of w, its length, or 0 if the word cannot be a title or suffix (too long). */
static size_t word_key(const struct name_word *w, char key[KEY_MAX])
{
    return name_word_key(w, key, KEY_MAX) ? strlen(key) : 0;
}

static int has_dot(const struct name_word *w)
{
    return memchr(w->s, '.', w->n) != NULL;
}

/* A title; after_title: the word before was one ("Dr. med.", "Dr. rer. nat.").
 * names.c's honorifics and degrees, and more: matching strips every title a source may
 * put in a name field, while the display split (name_split) keeps these extras as name
 * words ("Hon.", "Ing." can be a given name there) and so leaves its output as it was. */
static int is_title(const struct name_word *w, int after_title)
{
    static const char *const titles[] = {
        "hon", "ing", "dipl-oec", "dipl-psych", "dipl-biol", "dipl-chem", "dipl-volkswirt",
        "dipl-betriebswirt", "prof-dr", "univ-prof", NULL };
    static const char *const dotted[] = { "hr", "fr", NULL };     /* "Hr." but not "Hr" */
    static const char *const after_dr[] = { "med", "dent", "vet", "phil", "jur", "rer",
                                            "nat", "pol", "oec", "habil", "mult", "hc",
                                            "h", "c", "theol", "sc", NULL };
    char key[KEY_MAX];
    size_t k = word_key(w, key);
    if (!k)
        return 0;
    if (name_is_honorific(key, k) || name_is_degree(key, k) || name_key_in(key, k, titles) ||
        (has_dot(w) && name_key_in(key, k, dotted)))
        return 1;
    return after_title && name_key_in(key, k, after_dr);
}

/* A suffix: names.c's, and the dotted German "jun." / "sen." (undotted they are
 * names: "Jun"). */
static int is_suffix(const struct name_word *w)
{
    static const char *const dotted[] = { "jun", "sen", NULL };   /* "jun." not "Jun" */
    char key[KEY_MAX];
    size_t k = word_key(w, key);
    if (!k)
        return 0;
    return name_is_suffix(key, k) || (has_dot(w) && name_key_in(key, k, dotted));
}

/* A list of keys joined by spaces ("prof dr ing"), hyphens as spaces. */
struct keys {
    char s[128];
    size_t n;
};

static void keys_add(struct keys *k, const struct name_word *w)
{
    char key[KEY_MAX];
    size_t len = word_key(w, key);
    if (!len)
        return;
    if (k->n + len + 2 > sizeof k->s)
        return;                      /* a dozen titles already: the rest is noise */
    if (k->n)
        k->s[k->n++] = ' ';
    for (size_t i = 0; i < len; i++)
        k->s[k->n++] = key[i] == '-' ? ' ' : key[i];
    k->s[k->n] = '\0';
}

static void keys_all(struct keys *k, const char *s)
{
    struct name_word w[NAME_MAX_WORDS];
    int n;
    if (!s || split_words(s, w, &n) != 0)
        return;
    for (int i = 0; i < n; i++)
        keys_add(k, &w[i]);
}

/* ---- normalising ---------------------------------------------------------------------- */

struct ctx {
    struct arena *a;
    struct buf b;
    struct keys honorific, suffix;
    struct keys tail_titles;         /* "Müller, Jürgen, Dr.": after the others */
    unsigned flags;
    int oom;
};

/* No words at all (white space and commas only); more than NAME_MAX_WORDS is not. */
static int blank(const char *s)
{
    struct name_word w[NAME_MAX_WORDS];
    int n;
    return !s || (split_words(s, w, &n) == 0 && n == 0);
}

/* A given, middle or family field without its leading titles and trailing suffixes
 * (those go to the honorific and suffix); NULL when nothing is left. */
static const char *strip_field(struct ctx *c, const char *s)
{
    if (blank(s))
        return NULL;
    struct name_word w[NAME_MAX_WORDS];
    int n;
    if (split_words(s, w, &n) != 0)
        return s;
    int from = 0, to = n;
    /* "med." right after a title is one too, also when the title was in the prefix */
    while (from < to &&
           is_title(&w[from], from > 0 ? is_title(&w[from - 1], 1) : c->honorific.n > 0)) {
        keys_add(&c->honorific, &w[from]);
        from++;
    }
    int keep = to;
    while (keep - from > 1 && is_suffix(&w[keep - 1]))
        keep--;
    for (int i = keep; i < to; i++)
        keys_add(&c->suffix, &w[i]);
    if (from >= keep)
        return NULL;
    return name_words_join(c->a, w, from, keep, &c->oom);
}

/* The fold of raw (NULL for none or an empty result), flags noted. */
static const char *fold(struct ctx *c, const char *raw, unsigned options)
{
    if (blank(raw))
        return NULL;
    size_t len = strlen(raw);
    if (len > PERSON_MAX_BYTES)
        c->flags |= PERSON_TOO_LONG;
    buf_reset(&c->b);
    unsigned r = text_fold(raw, len, options, &c->b);
    if (r & TEXT_INVALID_UTF8)
        c->flags |= PERSON_INVALID_UTF8;
    else if (r & TEXT_EMPTY)
        c->flags |= PERSON_PUNCT;
    if (r & TEXT_TOO_LONG)
        c->flags |= PERSON_TOO_LONG;
    if (r & TEXT_REPAIRED)
        c->flags |= PERSON_REPAIRED;
    if ((r & TEXT_EMPTY) || !c->b.data || c->b.len == 0)
        return NULL;
    if (strpbrk(c->b.data, "0123456789"))
        c->flags |= PERSON_DIGITS;
    char *out = arena_strndup(c->a, c->b.data, c->b.len);
    if (!out)
        c->oom = 1;
    return out;
}

/* German and plain fold of raw: *german, and *plain only when it differs. */
static void fold_both(struct ctx *c, const char *raw, const char **german, const char **plain)
{
    *german = fold(c, raw, TEXT_GERMAN);
    *plain = NULL;
    if (*german) {
        const char *p = fold(c, raw, 0);
        if (p && strcmp(p, *german) != 0)
            *plain = p;
    }
}

/* A particle of a folded family name: names.c's, and a few more that matching drops
 * from family_core but the display split does not take as particles, because they are
 * also names or name parts of their own ("Ann Lo Chen", "Af", "Dei"). */
static int is_particle(const char *w, size_t n)
{
    static const char *const extras[] = { "dei", "lo", "af", "av", NULL };
    return name_is_particle(w, n) || name_key_in(w, n, extras);
}

/* Prefixes written apart or with an apostrophe, joined to the name ("o neil"). */
static int is_joined_prefix(const char *w, size_t n)
{
    return (n == 1 && (w[0] == 'o' || w[0] == 'd')) || (n == 2 && memcmp(w, "mc", 2) == 0) ||
           (n == 3 && memcmp(w, "mac", 3) == 0);
}

/* family_core of a folded family name (words separated by single spaces). */
static const char *family_core(struct ctx *c, const char *family)
{
    if (!family)
        return NULL;
    const char *p = family;
    for (;;) {                       /* leading particles, while a word follows */
        const char *sp = strchr(p, ' ');
        if (!sp || !is_particle(p, (size_t)(sp - p)))
            break;
        p = sp + 1;
    }
    size_t len = strlen(p);
    char *out = arena_alloc(c->a, len + 1);
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    const char *sp = strchr(p, ' ');
    if (sp && is_joined_prefix(p, (size_t)(sp - p))) {
        size_t k = (size_t)(sp - p);
        memcpy(out, p, k);
        memcpy(out + k, sp + 1, len - k);    /* the rest and its NUL */
    } else {
        memcpy(out, p, len + 1);
    }
    return out;
}

/* Initials of the words of given and middle; sets *only when every given word is one
 * ASCII letter. */
static const char *initials(struct ctx *c, const char *given, const char *middle, int *only)
{
    *only = 0;
    if (!given && !middle)
        return NULL;
    size_t cap = (given ? strlen(given) : 0) + (middle ? strlen(middle) : 0) + 2;
    char *out = arena_alloc(c->a, cap);
    if (!out) {
        c->oom = 1;
        return NULL;
    }
    size_t k = 0;
    int all_single = given != NULL;
    const char *parts[2] = { given, middle };
    for (int part = 0; part < 2; part++) {
        const char *s = parts[part];
        for (size_t i = 0; s && s[i];) {
            size_t start = i;
            while (s[i] && s[i] != ' ')
                i++;
            size_t wl = i - start;
            /* the first character: one UTF-8 sequence */
            size_t cl = 1;
            while (cl < wl && ((unsigned char)s[start + cl] & 0xC0) == 0x80)
                cl++;
            if (part == 0 && !(wl == 1 && s[start] >= 'a' && s[start] <= 'z'))
                all_single = 0;
            if (k)
                out[k++] = ' ';
            memcpy(out + k, s + start, cl);
            k += cl;
            while (s[i] == ' ')
                i++;
        }
    }
    out[k] = '\0';
    *only = all_single;
    return out;
}

/* Canonical given names: the whole name, else its first word, else the name itself. */
static void canonical(struct ctx *c, const struct nicknames *nk, const char *given,
                      const char *given_plain, struct person_norm *out)
{
    if (nicknames_lookup(nk, given, &out->canon, &out->ncanon))
        return;
    if (given_plain && nicknames_lookup(nk, given_plain, &out->canon, &out->ncanon))
        return;
    const char *sp = strchr(given, ' ');
    if (sp) {
        char first[64];
        size_t n = (size_t)(sp - given);
        if (n < sizeof first) {
            memcpy(first, given, n);
            first[n] = '\0';
            if (nicknames_lookup(nk, first, &out->canon, &out->ncanon))
                return;
        }
    }
    const char **self = arena_alloc(c->a, sizeof *self);
    if (!self) {
        c->oom = 1;
        return;
    }
    self[0] = given;
    out->canon = self;
    out->ncanon = 1;
}

static void codes(const char *german, const char *plain, char dm[2][DM_MAX],
                  char kp[PERSON_KP_MAX])
{
    if (!german)
        return;
    double_metaphone(plain ? plain : german, dm[0], dm[1]);
    koelner_phonetik(german, kp, PERSON_KP_MAX);
}

struct person_fields person_fields_of(const struct contact *c)
{
    struct person_fields f = { c->prefix, c->given_name, c->middle_name, c->family_name,
                               c->suffix, c->full_name };
    return f;
}

/* Split the full name: trailing comma segments of titles only go to the honorific
 * ("Müller, Jürgen, Dr."), the rest to name_split(). */
static void split_full(struct ctx *c, const char *full, struct name_parts *parts)
{
    memset(parts, 0, sizeof *parts);
    char *copy = arena_strdup(c->a, full);
    if (!copy) {
        c->oom = 1;
        return;
    }
    char *cut = NULL;                /* where the trailing title segments start */
    for (;;) {
        char *comma = strrchr(copy, ',');
        if (!comma)
            break;
        struct name_word w[NAME_MAX_WORDS];
        int n, all = 1;
        if (split_words(comma + 1, w, &n) != 0 || n == 0)
            break;
        for (int i = 0; i < n && all; i++)
            all = is_title(&w[i], i > 0);
        if (!all)
            break;
        if (cut)
            *cut = ',';              /* put the later segment back for now */
        *comma = '\0';
        cut = comma;
    }
    if (cut)                         /* every segment after cut is titles */
        keys_all(&c->tail_titles, cut + 1);
    if (name_split(copy, c->a, parts) != CM_OK)
        c->oom = 1;
    if (!parts->prefix && !parts->given && !parts->middle && !parts->family &&
        !parts->suffix && !blank(copy))
        c->flags |= PERSON_UNSPLIT;
}

enum cm_status person_normalise(const struct person_fields *f, const struct nicknames *nk,
                                struct arena *a, struct person_norm *out)
{
    memset(out, 0, sizeof *out);
    struct ctx c = { .a = a, .b = BUF_INIT(0) };

    const char *prefix = f->prefix, *suffix = f->suffix;
    const char *given = f->given, *middle = f->middle, *family = f->family;
    keys_all(&c.honorific, prefix);
    keys_all(&c.suffix, suffix);
    struct name_parts parts;
    if (blank(given) && blank(family) && !blank(f->full)) {
        split_full(&c, f->full, &parts);
        keys_all(&c.honorific, parts.prefix);
        keys_all(&c.suffix, parts.suffix);
        given = parts.given;
        family = parts.family;
        if (blank(middle))
            middle = parts.middle;
    }

    given = strip_field(&c, given);
    middle = strip_field(&c, middle);
    family = strip_field(&c, family);
    while (!given && middle && !c.oom) {   /* "Hon. John Smith": the given was a title */
        const char *sp = strchr(middle, ' ');
        if (sp) {
            given = arena_strndup(a, middle, (size_t)(sp - middle));
            middle = sp + 1;
            if (!given)
                c.oom = 1;
        } else {
            given = middle;
            middle = NULL;
        }
        given = strip_field(&c, given);
    }

    fold_both(&c, given, &out->given, &out->given_plain);
    const char *middle_plain;
    fold_both(&c, middle, &out->middle, &middle_plain);
    fold_both(&c, family, &out->family, &out->family_plain);
    out->family_core = family_core(&c, out->family);
    const char *core_plain = out->family_plain ? family_core(&c, out->family_plain) : NULL;

    int only_initials;
    out->initials = initials(&c, out->given, out->middle, &only_initials);
    if (only_initials)
        c.flags |= PERSON_INITIALS;
    if (out->given && !only_initials) {
        canonical(&c, nk, out->given, out->given_plain, out);
        codes(out->given, out->given_plain, out->given_dm, out->given_kp);
    }
    codes(out->family_core, core_plain, out->family_dm, out->family_kp);

    if (!out->given && !out->family)
        c.flags |= PERSON_EMPTY;
    keys_all(&c.honorific, c.tail_titles.n ? c.tail_titles.s : NULL);
    /* the prefix and suffix fields are the source's text: folded like the names (a field
     * of broken UTF-8 is flagged and left out, never copied) */
    if (c.honorific.n)
        out->honorific = fold(&c, c.honorific.s, TEXT_GERMAN);
    if (c.suffix.n)
        out->suffix = fold(&c, c.suffix.s, TEXT_GERMAN);
    out->flags = c.flags;
    buf_free(&c.b);
    if (c.oom) {
        memset(out, 0, sizeof *out);
        return CM_ERR_NOMEM;
    }
    return CM_OK;
}
