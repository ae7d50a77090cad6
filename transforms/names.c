/* names.c — splitting a display full name into prefix / given / middle / family /
 * suffix (see names.h for the rules), and the word mechanics person.c shares: words,
 * keys, joining, the suffix / particle / title lists. Words are (pointer, length)
 * ranges into the input; only the joined parts are copied, into the caller's arena. */
#include "transforms/names.h"

#include <string.h>

#define MAX_SEGMENTS 4

struct words {
    struct name_word w[NAME_MAX_WORDS];
    int n;
};

/* ---- the shared word mechanics (names.h) ---------------------------------------------- */

static int is_sep(char c, int commas)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' ||
           (commas && c == ',');
}

int name_words_split(const char *s, size_t n, int commas, struct name_word *w, int *nw)
{
    int k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && is_sep(s[i], commas))
            i++;
        if (i == n)
            break;
        size_t start = i;
        while (i < n && !is_sep(s[i], commas))
            i++;
        if (k == NAME_MAX_WORDS)
            return -1;
        w[k].s = s + start;
        w[k].n = i - start;
        k++;
    }
    *nw = k;
    return 0;
}

int name_word_key(const struct name_word *w, char *key, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++) {
        char c = w->s[i];
        if (c == '.')
            continue;
        if (k + 1 >= cap)
            return 0;
        key[k++] = (c >= 'A' && c <= 'Z') ? (char)(c + 'a' - 'A') : c;
    }
    key[k] = '\0';
    return k > 0;
}

int name_key_in(const char *s, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return 1;
    }
    return 0;
}

const char *name_words_join(struct arena *a, const struct name_word *w, int from, int to,
                            int *oom)
{
    if (from >= to)
        return NULL;
    size_t len = 0;
    for (int i = from; i < to; i++)
        len += w[i].n + 1;
    char *out = arena_alloc(a, len);
    if (!out) {
        *oom = 1;
        return NULL;
    }
    char *p = out;
    for (int i = from; i < to; i++) {
        if (i > from)
            *p++ = ' ';
        memcpy(p, w[i].s, w[i].n);
        p += w[i].n;
    }
    *p = '\0';
    return out;
}

int name_is_suffix(const char *s, size_t n)
{
    static const char *const list[] = { "jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd",
                                         "md", "mba", "msc", "esq", NULL };
    return name_key_in(s, n, list);
}

int name_is_particle(const char *s, size_t n)
{
    static const char *const list[] = { "van", "von", "vom", "de", "der", "den", "des", "del",
                                         "della", "di", "da", "du", "do", "la", "le", "ter",
                                         "ten", "zu", "zum", "zur", "op", "het", "dos", "das",
                                         NULL };
    return name_key_in(s, n, list);
}

int name_is_honorific(const char *s, size_t n)
{
    static const char *const list[] = { "mr", "mrs", "ms", "mx", "miss", "dr", "prof",
                                         "herr", "frau", "sir", "dame", "rev", NULL };
    return name_key_in(s, n, list);
}

int name_is_degree(const char *s, size_t n)
{
    static const char *const list[] = { "dipl-ing", "dr-ing", "dipl-kfm", "dipl-kff",
                                         "dipl-inf", "dipl-phys", "dipl-math", "mag", NULL };
    return name_key_in(s, n, list);
}

/* ---- splitting a display name ------------------------------------------------------- */

/* The key of a word for the lists, its length, or 0: a word of 16 bytes or more is on
 * none of them. */
static size_t key_of(const struct name_word *w, char key[16])
{
    if (w->n >= 16 || !name_word_key(w, key, 16))
        return 0;
    return strlen(key);
}

static int in_list(const struct name_word *w, const char *const *list)
{
    char key[16];
    size_t k = key_of(w, key);
    return k && name_key_in(key, k, list);
}

static int is_prefix(const struct name_word *w)
{
    char key[16];
    size_t k = key_of(w, key);
    if (!k)
        return 0;
    /* German academic and engineering degrees written before the name, where dots
     * sit inside the word: "Dipl.-Ing.", "Dr.-Ing.", "Dipl.-Kfm." */
    if (name_is_degree(key, k))
        return 1;
    /* "Dr" and "Dr." but not "D.r." */
    return memchr(w->s, '.', w->n ? w->n - 1 : 0) == NULL && name_is_honorific(key, k);
}

static int is_suffix(const struct name_word *w)
{
    char key[16];
    size_t k = key_of(w, key);
    return k && name_is_suffix(key, k);
}

static int is_conjunction(const struct name_word *w)
{
    static const char *const list[] = { "and", "&", "und", "+", NULL };
    return in_list(w, list);
}

static int is_particle(const struct name_word *w)
{
    if (w->n >= 2 && w->s[w->n - 1] == '\'')
        return 1;
    if (w->n >= 4 && memcmp(w->s + w->n - 3, "\xe2\x80\x99", 3) == 0)   /* O’ */
        return 1;
    char key[16];
    size_t k = memchr(w->s, '.', w->n) == NULL ? key_of(w, key) : 0;
    return k && name_is_particle(key, k);
}

static void push(struct words *list, const struct name_word *w)
{
    if (list->n < NAME_MAX_WORDS)
        list->w[list->n++] = *w;
}

/* Leading honorifics of w[*from..to): moved to prefixes. */
static void take_prefixes(const struct words *ws, int *from, int to, struct words *prefixes)
{
    int i = *from;
    while (i < to) {
        if (is_prefix(&ws->w[i])) {
            push(prefixes, &ws->w[i]);
            i++;
        } else if (i > *from && i + 1 < to && is_conjunction(&ws->w[i]) &&
                   is_prefix(&ws->w[i + 1])) {
            push(prefixes, &ws->w[i]);
            push(prefixes, &ws->w[i + 1]);
            i += 2;
        } else {
            break;
        }
    }
    *from = i;
}

/* Trailing suffixes of w[from..*to): moved to the front of suffixes, in order. */
static void take_suffixes(const struct words *ws, int from, int *to, struct words *suffixes)
{
    int i = *to;
    while (i > from && is_suffix(&ws->w[i - 1]))
        i--;
    struct words found = { .n = 0 };
    for (int k = i; k < *to; k++)
        push(&found, &ws->w[k]);
    for (int k = 0; k < suffixes->n; k++)
        push(&found, &suffixes->w[k]);
    *suffixes = found;
    *to = i;
}

static int has_conjunction(const struct words *ws, int from, int to)
{
    for (int i = from; i < to; i++) {
        if (is_conjunction(&ws->w[i]))
            return 1;
    }
    return 0;
}

/* Where the family name starts in w[from..to), to - from >= 2: the last word, or an
 * earlier particle when only particles follow it up to the last word. */
static int family_start(const struct words *ws, int from, int to)
{
    for (int i = from + 1; i < to - 1; i++) {
        int all = 1;
        for (int k = i; k < to - 1 && all; k++)
            all = is_particle(&ws->w[k]);
        if (all)
            return i;
    }
    return to - 1;
}

struct split {
    struct words prefixes, suffixes;
    const struct words *given_ws, *family_ws;   /* which word list each range is in */
    int given_from, given_to, family_from, family_to;
};

/* "Dr. Ann B. Cole Jr.": one segment, natural order. */
static int split_natural(const struct words *ws, struct split *sp)
{
    int from = 0, to = ws->n;
    take_prefixes(ws, &from, to, &sp->prefixes);
    take_suffixes(ws, from, &to, &sp->suffixes);
    if (has_conjunction(ws, from, to))
        return -1;
    sp->given_ws = sp->family_ws = ws;
    if (to - from == 1 && sp->prefixes.n > 0) {
        sp->family_from = from;
        sp->family_to = to;
        return 0;
    }
    if (to - from == 1) {
        sp->given_from = from;
        sp->given_to = to;
        return 0;
    }
    if (to - from < 1)
        return 0;
    int f = family_start(ws, from, to);
    sp->given_from = from;
    sp->given_to = f;            /* given = first word, middle = the rest up to f */
    sp->family_from = f;
    sp->family_to = to;
    return 0;
}

/* "Cole Jr., Dr. Ann B.": family part, then given part. */
static int split_inverted(const struct words *fam, const struct words *giv,
                          struct split *sp)
{
    int ffrom = 0, fto = fam->n, gfrom = 0, gto = giv->n;
    take_prefixes(fam, &ffrom, fto, &sp->prefixes);
    take_prefixes(giv, &gfrom, gto, &sp->prefixes);
    take_suffixes(giv, gfrom, &gto, &sp->suffixes);
    take_suffixes(fam, ffrom, &fto, &sp->suffixes);
    if (has_conjunction(fam, ffrom, fto) || has_conjunction(giv, gfrom, gto))
        return -1;
    sp->family_ws = fam;
    sp->family_from = ffrom;
    sp->family_to = fto;
    sp->given_ws = giv;
    sp->given_from = gfrom;
    sp->given_to = gto;
    return 0;
}

static int all_suffixes(const struct words *ws)
{
    for (int i = 0; i < ws->n; i++) {
        if (!is_suffix(&ws->w[i]))
            return 0;
    }
    return ws->n > 0;
}

/* Comma segments of full; trailing all-suffix segments go to sp->suffixes. */
static int split_segments(const char *full, struct words *seg, int *nseg, struct split *sp)
{
    int n = 0;
    const char *p = full;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == MAX_SEGMENTS || name_words_split(p, len, 0, seg[n].w, &seg[n].n) != 0)
            return -1;
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    while (n > 1 && all_suffixes(&seg[n - 1])) {
        n--;
        struct words rest = sp->suffixes;
        sp->suffixes = seg[n];
        for (int k = 0; k < rest.n; k++)
            push(&sp->suffixes, &rest.w[k]);
    }
    *nseg = n;
    return 0;
}

static void clear(struct name_parts *out)
{
    memset(out, 0, sizeof *out);
}

enum cm_status name_split(const char *full, struct arena *a, struct name_parts *out)
{
    clear(out);
    struct words seg[MAX_SEGMENTS];
    struct split sp;
    memset(&sp, 0, sizeof sp);
    int nseg = 0, rc;
    if (split_segments(full, seg, &nseg, &sp) != 0)
        return CM_OK;
    if (nseg == 1)
        rc = split_natural(&seg[0], &sp);
    else if (nseg == 2)
        rc = split_inverted(&seg[0], &seg[1], &sp);
    else
        rc = -1;
    if (rc != 0)
        return CM_OK;

    int oom = 0;
    out->prefix = name_words_join(a, sp.prefixes.w, 0, sp.prefixes.n, &oom);
    out->suffix = name_words_join(a, sp.suffixes.w, 0, sp.suffixes.n, &oom);
    if (sp.given_ws) {
        int given_to = sp.given_from < sp.given_to ? sp.given_from + 1 : sp.given_from;
        out->given = name_words_join(a, sp.given_ws->w, sp.given_from, given_to, &oom);
        out->middle = name_words_join(a, sp.given_ws->w, sp.given_from + 1, sp.given_to,
                                      &oom);
    }
    if (sp.family_ws)
        out->family = name_words_join(a, sp.family_ws->w, sp.family_from, sp.family_to,
                                      &oom);
    if (oom) {
        clear(out);
        return CM_ERR_NOMEM;
    }
    return CM_OK;
}
