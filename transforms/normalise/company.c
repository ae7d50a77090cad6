/* company.c — company names as matching keys (see company.h).
 *
 * The name is folded segment by segment between "&" characters (text_fold turns "&"
 * into a space, so the segments are joined with the word "and" here); one pass then
 * rewrites the words ("the", "und", "et"); the legal form is found by running the last
 * words together ("g m b h" -> "gmbh") and looking each run up in the sorted table. */
#include "transforms/normalise/company.h"

#include <string.h>

#define MAX_FORM_WORDS 8     /* "g m b h and co k g" */
#define MAX_FORM_CHARS 64    /* longer than the longest spelling */

/* Sorted by spelling (strcmp): tests/unit/test_company.c checks it. */
static const struct company_form forms[] = {
    { "ab",                                   "ab" },
    { "ag",                                   "ag" },
    { "agandcokg",                            "ag & co kg" },
    { "agandcokgaa",                          "ag & co kgaa" },
    { "agcokg",                               "ag & co kg" },
    { "agcokgaa",                             "ag & co kgaa" },
    { "aksjeselskap",                         "as" },
    { "aktiebolag",                           "ab" },
    { "aktiengesellschaft",                   "ag" },
    { "aktieselskab",                         "as" },
    { "allmennaksjeselskap",                  "asa" },
    { "anpartsselskab",                       "aps" },
    { "aps",                                  "aps" },
    { "as",                                   "as" },
    { "asa",                                  "asa" },
    { "beslotenvennootschap",                 "bv" },
    { "bv",                                   "bv" },
    { "cie",                                  "co" },
    { "co",                                   "co" },
    { "colimited",                            "co ltd" },
    { "coltd",                                "co ltd" },
    { "compagnie",                            "co" },
    { "company",                              "co" },
    { "companylimited",                       "co ltd" },
    { "corp",                                 "corp" },
    { "corporation",                          "corp" },
    { "eg",                                   "eg" },
    { "eingetragenegenossenschaft",           "eg" },
    { "eingetragenekauffrau",                 "ek" },
    { "eingetragenerkaufmann",                "ek" },
    { "eingetragenerverein",                  "ev" },
    { "ek",                                   "ek" },
    { "ekfm",                                 "ek" },
    { "ekfr",                                 "ek" },
    { "europaeischegesellschaft",             "se" },
    { "europaischegesellschaft",              "se" },
    { "ev",                                   "ev" },
    { "gbr",                                  "gbr" },
    { "gemeinnuetzigegmbh",                   "ggmbh" },
    { "gemeinnutzigegmbh",                    "ggmbh" },
    { "gesellschaftbuergerlichenrechts",      "gbr" },
    { "gesellschaftburgerlichenrechts",       "gbr" },
    { "gesellschaftmbh",                      "gmbh" },
    { "gesellschaftmitbeschraenkterhaftung",  "gmbh" },
    { "gesellschaftmitbeschrankterhaftung",   "gmbh" },
    { "gesmbh",                               "gmbh" },
    { "ggmbh",                                "ggmbh" },
    { "gmbh",                                 "gmbh" },
    { "gmbhandcokg",                          "gmbh & co kg" },
    { "gmbhandcokgaa",                        "gmbh & co kgaa" },
    { "gmbhcokg",                             "gmbh & co kg" },
    { "gmbhcokgaa",                           "gmbh & co kgaa" },
    { "gmbhucokg",                            "gmbh & co kg" },
    { "inc",                                  "inc" },
    { "incorporated",                         "inc" },
    { "kg",                                   "kg" },
    { "kgaa",                                 "kgaa" },
    { "kommanditgesellschaft",                "kg" },
    { "kommanditgesellschaftaufaktien",       "kgaa" },
    { "limited",                              "ltd" },
    { "limitedliabilitycompany",              "llc" },
    { "limitedliabilitypartnership",          "llp" },
    { "limitedpartnership",                   "lp" },
    { "llc",                                  "llc" },
    { "llp",                                  "llp" },
    { "lp",                                   "lp" },
    { "ltd",                                  "ltd" },
    { "mbb",                                  "mbb" },
    { "naamlozevennootschap",                 "nv" },
    { "nv",                                   "nv" },
    { "offenehandelsgesellschaft",            "ohg" },
    { "ohg",                                  "ohg" },
    { "osakeyhtio",                           "oy" },
    { "osakeyhtioe",                          "oy" },
    { "oy",                                   "oy" },
    { "oyj",                                  "oy" },
    { "partg",                                "partg" },
    { "partgmbb",                             "partg mbb" },
    { "partnerschaftsgesellschaft",           "partg" },
    { "partnerschaftsgesellschaftmbb",        "partg mbb" },
    { "plc",                                  "plc" },
    { "privatelimited",                       "pvt ltd" },
    { "proprietarylimited",                   "pty ltd" },
    { "ptelimited",                           "pte ltd" },
    { "pteltd",                               "pte ltd" },
    { "ptylimited",                           "pty ltd" },
    { "ptyltd",                               "pty ltd" },
    { "publiclimitedcompany",                 "plc" },
    { "pvtlimited",                           "pvt ltd" },
    { "pvtltd",                               "pvt ltd" },
    { "sa",                                   "sa" },
    { "sarl",                                 "sarl" },
    { "sas",                                  "sas" },
    { "se",                                   "se" },
    { "seandcokg",                            "se & co kg" },
    { "seandcokgaa",                          "se & co kgaa" },
    { "secokg",                               "se & co kg" },
    { "secokgaa",                             "se & co kgaa" },
    { "sl",                                   "sl" },
    { "sociedadanonima",                      "sa" },
    { "sociedadlimitada",                     "sl" },
    { "societaaresponsabilitalimitata",       "srl" },
    { "societaperazioni",                     "spa" },
    { "societaseuropaea",                     "se" },
    { "societeanonyme",                       "sa" },
    { "societearesponsabilitelimitee",        "sarl" },
    { "societeparactionssimplifiee",          "sas" },
    { "spa",                                  "spa" },
    { "spzoo",                                "sp z oo" },
    { "srl",                                  "srl" },
    { "sro",                                  "sro" },
    { "ug",                                   "ug" },
    { "ugandcokg",                            "ug & co kg" },
    { "ugcokg",                               "ug & co kg" },
    { "ughaftungsbeschraenkt",                "ug" },
    { "ughaftungsbeschraenktandcokg",         "ug & co kg" },
    { "ughaftungsbeschrankt",                 "ug" },
    { "ughaftungsbeschranktandcokg",          "ug & co kg" },
    { "unternehmergesellschaft",              "ug" },
    { "unternehmergesellschafthaftungsbeschraenkt", "ug" },
    { "unternehmergesellschafthaftungsbeschrankt",  "ug" },
};

#define NFORMS (sizeof forms / sizeof forms[0])

const struct company_form *company_forms(size_t *n)
{
    *n = NFORMS;
    return forms;
}

static const char *form_code(const char *spelling)
{
    size_t lo = 0, hi = NFORMS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(spelling, forms[mid].spelling);
        if (c == 0)
            return forms[mid].code;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int word_is(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(w, s, n) == 0;
}

/* text_fold() into a capped key said "empty": 1 if the segment does fold to something,
 * so it was key that could not grow (text.h reports both the same way). */
static int key_full(const char *s, size_t len, unsigned options)
{
    struct buf tmp = BUF_INIT(0);
    unsigned f = text_fold(s, len, options, &tmp);
    int full = !(f & TEXT_EMPTY) || tmp.len > 0;
    buf_free(&tmp);
    return full;
}

/* Fold name[0..len) into key, "&" by "&", the segments joined by the word "and".
 * Returns the text_fold flags. */
static unsigned fold_segments(const char *name, size_t len, unsigned options,
                              struct buf *key, size_t start)
{
    unsigned flags = 0;
    size_t i = 0;
    for (;;) {
        const char *amp = memchr(name + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - name) : len;
        size_t before = key->len;
        unsigned f = text_fold(name + i, end - i, options, key);
        if (f & TEXT_INVALID_UTF8)
            return f;
        if (f == TEXT_EMPTY && key->cap && end > i && key_full(name + i, end - i, options))
            return TEXT_EMPTY;
        flags |= f & (TEXT_REPAIRED | TEXT_TOO_LONG);
        if (key->len == before && before > start && key->data[before - 1] == ' ')
            key->data[--key->len] = '\0';        /* nothing after the "and " */
        if (!amp)
            break;
        if (key->len > start && buf_addch(key, ' ') != CM_OK)
            return TEXT_EMPTY;
        if (buf_addstr(key, "and ") != CM_OK)
            return TEXT_EMPTY;
        i = end + 1;
    }
    return flags;
}

/* Rewrite the words of key[start..) in place: "und", "et", "and" -> one "and"; a leading
 * "the" (when more follows) dropped. Only "et" -> "and" needs one more byte. */
static enum cm_status rewrite_words(struct buf *key, size_t start)
{
    size_t r = start, w = start, end = key->len;
    int first = 1, last_and = 0;
    while (r < end) {
        size_t j = r;
        while (j < end && key->data[j] != ' ')
            j++;
        size_t n = j - r;
        int skip = 0;
        if (first && j < end && word_is(key->data + r, n, "the")) {
            skip = 1;
        } else if (word_is(key->data + r, n, "et")) {
            enum cm_status rc = buf_grow(key, 1);
            if (rc)
                return rc;
            memmove(key->data + r + 1, key->data + r, end - r + 1);   /* and the NUL */
            end++;
            key->len++;
            memcpy(key->data + r, "and", 3);
            j = r + 3;
            n = 3;
        } else if (word_is(key->data + r, n, "und")) {
            memcpy(key->data + r, "and", 3);
        }
        first = 0;
        if (word_is(key->data + r, n, "and")) {
            skip = last_and;
            last_and = 1;
        } else if (!skip) {
            last_and = 0;
        }
        if (!skip) {
            if (w > start)
                key->data[w++] = ' ';        /* w < r here: output never outruns input */
            memmove(key->data + w, key->data + r, n);
            w += n;
        }
        r = j + 1;
    }
    key->len = w;
    key->data[w] = '\0';
    return CM_OK;
}

/* The legal form at the end of key[start..): stripped (and its code returned) when a
 * word remains before it; when allow_whole and the whole key is one form, its code is
 * returned and *whole set, nothing stripped. */
static const char *strip_form(struct buf *key, size_t start, int allow_whole, int *whole)
{
    size_t wstart[MAX_FORM_WORDS + 1];       /* word starts, the last word first */
    size_t nw = 0, p = key->len;
    while (p > start && nw < MAX_FORM_WORDS + 1) {
        size_t q = p;
        while (q > start && key->data[q - 1] != ' ')
            q--;
        wstart[nw++] = q;
        if (q == start)
            break;
        p = q - 1;
    }
    if (nw == 0)
        return NULL;
    int all = wstart[nw - 1] == start;       /* every word of the key was collected */
    size_t kmax = nw;
    if (kmax > MAX_FORM_WORDS)
        kmax = MAX_FORM_WORDS;

    /* the last kmax words run together; off[k] = where the last k begin */
    char run[MAX_FORM_CHARS];
    size_t off[MAX_FORM_WORDS + 1];
    while (kmax > 0 && key->len - wstart[kmax - 1] >= MAX_FORM_CHARS)
        kmax--;
    size_t n = 0;
    for (size_t k = kmax; k > 0; k--) {
        off[k] = n;
        for (size_t i = wstart[k - 1]; i < key->len && key->data[i] != ' '; i++)
            run[n++] = key->data[i];
    }
    run[n] = '\0';

    for (size_t k = kmax; k > 0; k--) {
        const char *code = form_code(run + off[k]);
        if (!code)
            continue;
        if (all && k == nw) {                /* the whole name */
            if (!allow_whole)
                continue;
            *whole = 1;
            return code;
        }
        key->len = wstart[k - 1] - 1;        /* and the space before */
        key->data[key->len] = '\0';
        return code;
    }
    return NULL;
}

/* Drop a last word "and" when a word remains before it. */
static void strip_and(struct buf *key, size_t start)
{
    if (key->len - start > 4 && memcmp(key->data + key->len - 4, " and", 4) == 0) {
        key->len -= 4;
        key->data[key->len] = '\0';
    }
}

enum cm_status company_normalise(const char *name, size_t len, unsigned options,
                                 struct buf *key, struct company_norm *res)
{
    size_t start = key->len;
    enum cm_status rc;

    res->legal_form = NULL;
    res->flags = 0;
    options &= TEXT_GERMAN;
    if (!name)
        len = 0;
    rc = buf_grow(key, 0);
    if (rc) {
        res->flags = COMPANY_EMPTY;
        return rc;
    }
    key->data[key->len] = '\0';

    if (len > TEXT_MAX_BYTES) {
        if (!text_valid_utf8(name, len)) {
            res->flags = COMPANY_INVALID_UTF8 | COMPANY_EMPTY;
            return CM_OK;
        }
        size_t cut = TEXT_MAX_BYTES;
        while (cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
            cut--;
        len = cut;
        res->flags |= COMPANY_TOO_LONG;
    }

    unsigned f = fold_segments(name, len, options, key, start);
    if (f & (TEXT_INVALID_UTF8 | TEXT_EMPTY)) {
        /* TEXT_EMPTY here: key could not grow (empty segments do not report it) */
        key->len = start;
        key->data[start] = '\0';
        res->flags = f & TEXT_INVALID_UTF8 ? COMPANY_INVALID_UTF8 | COMPANY_EMPTY
                                           : COMPANY_EMPTY;
        if (f & TEXT_INVALID_UTF8)
            return CM_OK;
        return key->cap ? CM_ERR_LIMIT : CM_ERR_NOMEM;
    }
    res->flags |= f;

    rc = rewrite_words(key, start);
    if (rc) {
        key->len = start;
        key->data[start] = '\0';
        res->flags = COMPANY_EMPTY;
        return rc;
    }

    int whole = 0;
    res->legal_form = strip_form(key, start, 1, &whole);
    if (whole) {
        res->flags |= COMPANY_FORM_ONLY;
    } else if (res->legal_form) {
        strip_and(key, start);
        if (strip_form(key, start, 0, &whole))
            strip_and(key, start);
    }
    if (key->len == start)
        res->flags |= COMPANY_EMPTY;
    return CM_OK;
}
