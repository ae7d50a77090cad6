/* address.c — postal addresses to comparable keys (see address.h). Street lines are
 * folded with punctuation kept (text_fold TEXT_KEEP_PUNCT), cut into words, the name
 * words rewritten from small abbreviation tables, then folded again without
 * punctuation. Postal codes are checked against per-country patterns in code. */
#include "transforms/normalise/address.h"

#include <stdio.h>
#include <string.h>
#include "pipeline/buf.h"
#include "transforms/normalise/text.h"

#define MAX_WORDS 32

/* ---- postal codes ------------------------------------------------------------- */

/* A pattern: '9' a digit, 'A' a letter, ' ' and '-' separators written in the standard
 * form (optional in the input). restore: codes are 5 digits and may start with 0. */
struct postal_rule {
    char country[3];
    int restore;
    const char *prefixes[3];     /* country prefixes written before the code ("D-01067") */
    const char *patterns[7];
};

static const struct postal_rule postal_rules[] = {
    { "DE", 1, { "D", "DE" }, { "99999" } },
    { "US", 1, { "US", "USA" }, { "99999", "99999-9999" } },
    { "FR", 1, { "F", "FR" }, { "99999" } },
    { "IT", 1, { "I", "IT" }, { "99999" } },
    { "ES", 1, { "E", "ES" }, { "99999" } },
    { "AT", 0, { "A", "AT" }, { "9999" } },
    { "CH", 0, { "CH" }, { "9999" } },
    { "LI", 0, { "FL", "LI" }, { "9999" } },
    { "DK", 0, { "DK" }, { "9999" } },
    { "BE", 0, { "B", "BE" }, { "9999" } },
    { "NO", 0, { "N", "NO" }, { "9999" } },
    { "LU", 0, { "L", "LU" }, { "9999" } },
    { "AU", 0, { "AU" }, { "9999" } },
    { "NZ", 0, { "NZ" }, { "9999" } },
    { "NL", 0, { "NL" }, { "9999 AA" } },
    { "PL", 0, { "PL" }, { "99-999" } },
    { "SE", 0, { "S", "SE" }, { "999 99" } },
    { "FI", 0, { "FIN", "FI" }, { "99999" } },
    { "CZ", 0, { "CZ" }, { "999 99" } },
    { "SK", 0, { "SK" }, { "999 99" } },
    { "PT", 0, { "P", "PT" }, { "9999-999" } },
    { "CA", 0, { NULL }, { "A9A 9A9" } },
    { "GB", 0, { NULL }, { "A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA",
                            "AA9A 9AA" } },
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 32) : c; }

static const struct postal_rule *postal_rule_for(const char *country)
{
    for (size_t i = 0; country && i < sizeof postal_rules / sizeof postal_rules[0]; i++) {
        if (strcmp(postal_rules[i].country, country) == 0)
            return &postal_rules[i];
    }
    return NULL;
}

/* skeleton: the letters and digits of a code (upper case) */
static int fits(const char *skeleton, const char *pattern, char *out, size_t cap)
{
    size_t k = 0;
    const char *s = skeleton;
    for (const char *p = pattern; *p; p++) {
        if (*p == ' ' || *p == '-') {
            if (k + 1 >= cap)
                return 0;
            out[k++] = *p;
            continue;
        }
        if (!*s || (*p == '9' && !is_digit(*s)) || (*p == 'A' && !is_alpha(*s)) ||
            k + 1 >= cap)
            return 0;
        out[k++] = *s++;
    }
    out[k] = '\0';
    return *s == '\0';
}

static int fits_any(const struct postal_rule *r, const char *skeleton, char *out, size_t cap)
{
    for (size_t i = 0; i < sizeof r->patterns / sizeof r->patterns[0] && r->patterns[i]; i++) {
        if (fits(skeleton, r->patterns[i], out, cap))
            return 1;
    }
    return 0;
}

static void copy_cut(char *out, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;                     /* not inside a UTF-8 character */
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

unsigned address_postal_code(const char *text, const char *country, char *out, size_t cap)
{
    char given[64], skeleton[64];
    size_t n = 0, k = 0;
    out[0] = '\0';
    if (!text || cap == 0)
        return 0;
    if (!text_valid_utf8(text, strlen(text)))
        return ADDRESS_INVALID_UTF8 | ADDRESS_POSTAL_INVALID;   /* left out, never copied */
    /* the text trimmed, white space collapsed, upper case */
    for (const char *p = text; *p && n + 1 < sizeof given; p++) {
        char c = *p == '\t' || *p == '\r' || *p == '\n' ? ' ' : upper(*p);
        if (c == ' ' && (n == 0 || given[n - 1] == ' '))
            continue;
        given[n++] = c;
    }
    while (n && (given[n - 1] == ' ' || !text_valid_utf8(given, n)))
        n--;                         /* and not cut inside a character */
    given[n] = '\0';
    if (n == 0)
        return 0;
    const struct postal_rule *r = postal_rule_for(country);
    if (!r) {
        copy_cut(out, cap, given, n);
        return 0;
    }
    /* a country prefix: "D-01067", "CH 8001" */
    const char *code = given;
    size_t letters = 0;
    while (is_alpha(given[letters]))
        letters++;
    if (letters && (given[letters] == '-' || given[letters] == ' ') &&
        is_digit(given[letters + 1])) {
        for (size_t i = 0; i < 3 && r->prefixes[i]; i++) {
            if (strlen(r->prefixes[i]) == letters &&
                strncmp(given, r->prefixes[i], letters) == 0)
                code = given + letters + 1;
        }
    }
    int odd = 0, all_digits = 1;
    for (const char *p = code; *p; p++) {
        if (is_digit(*p) || is_alpha(*p))
            skeleton[k++] = *p;
        else if (*p != ' ' && *p != '-')
            odd = 1;
        all_digits &= is_digit(*p) || *p == ' ' || *p == '-';
    }
    skeleton[k] = '\0';
    if (!odd && fits_any(r, skeleton, out, cap))
        return 0;
    if (!odd && r->restore && all_digits) {
        char padded[sizeof skeleton + 1];
        padded[0] = '0';
        memcpy(padded + 1, skeleton, k + 1);
        if (fits_any(r, padded, out, cap))
            return ADDRESS_POSTAL_RESTORED;
    }
    copy_cut(out, cap, given, n);
    return ADDRESS_POSTAL_INVALID;
}

/* ---- words -------------------------------------------------------------------- */

struct words {
    char *w[MAX_WORDS];
    size_t n;
    int dot[MAX_WORDS];          /* the word ended in '.' (an abbreviation) */
    int comma[MAX_WORDS];        /* the word ended in ',' (what follows is another part) */
};

/* Cut folded text (modified) into words; trailing '.' and ',' are noted and dropped. */
static void split_words(char *s, struct words *w)
{
    char *save = NULL;
    w->n = 0;
    for (char *p = strtok_r(s, " ", &save); p && w->n < MAX_WORDS;
         p = strtok_r(NULL, " ", &save)) {
        size_t len = strlen(p);
        int dot = 0, comma = 0;
        while (len && (p[len - 1] == '.' || p[len - 1] == ',' || p[len - 1] == ';')) {
            dot |= p[len - 1] == '.';
            comma |= p[len - 1] != '.';
            p[--len] = '\0';
        }
        w->w[w->n] = p;
        w->dot[w->n] = dot;
        w->comma[w->n] = comma;
        if (len || comma)
            w->n++;
    }
}

static unsigned fold_into(const char *s, size_t n, unsigned options, struct buf *b)
{
    buf_reset(b);
    unsigned f = text_fold(s, n, options, b);
    if (!b->data && buf_addstr(b, "") != CM_OK)
        return TEXT_EMPTY;
    return f;
}

static unsigned text_flags(unsigned f)
{
    return (f & TEXT_INVALID_UTF8 ? ADDRESS_INVALID_UTF8 : 0) |
           (f & TEXT_TOO_LONG ? ADDRESS_TOO_LONG : 0) |
           (f & TEXT_REPAIRED ? ADDRESS_REPAIRED : 0);
}

/* the key: the words joined and folded again without punctuation */
static unsigned put_key(const char *const *w, size_t n, unsigned options, char *out,
                        size_t cap)
{
    struct buf joined = BUF_INIT(0), folded = BUF_INIT(0);
    unsigned flags = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf_addstr(&joined, i ? " " : "") || buf_addstr(&joined, w[i]))
            break;
    }
    out[0] = '\0';
    if (joined.data) {
        fold_into(joined.data, joined.len, options, &folded);
        if (folded.data) {
            if (folded.len >= cap)
                flags |= ADDRESS_TOO_LONG;
            copy_cut(out, cap, folded.data, folded.len);
        }
    }
    buf_free(&joined);
    buf_free(&folded);
    return flags;
}

static int in_list(const char *word, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(word, list[i]) == 0)
            return 1;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* ---- streets ------------------------------------------------------------------ */

static int german_country(const char *c)
{
    return !*c || !strcmp(c, "DE") || !strcmp(c, "AT") || !strcmp(c, "CH") ||
           !strcmp(c, "LI") || !strcmp(c, "LU");
}

static int english_country(const char *c)
{
    return !*c || !strcmp(c, "GB") || !strcmp(c, "US") || !strcmp(c, "CA") ||
           !strcmp(c, "AU") || !strcmp(c, "NZ") || !strcmp(c, "IE");
}

struct abbrev {
    const char *from, *to;
};

static const struct abbrev english_words[] = {
    { "ave", "avenue" }, { "av", "avenue" }, { "rd", "road" }, { "blvd", "boulevard" },
    { "ln", "lane" }, { "ct", "court" }, { "sq", "square" }, { "pkwy", "parkway" },
    { "hwy", "highway" }, { "cir", "circle" }, { "ter", "terrace" }, { "pl", "place" },
    { "n", "north" }, { "s", "south" }, { "e", "east" }, { "w", "west" },
    { "ne", "northeast" }, { "nw", "northwest" }, { "se", "southeast" },
    { "sw", "southwest" }, { NULL, NULL }
};

static const char *lookup(const struct abbrev *t, const char *w)
{
    for (size_t i = 0; t[i].from; i++) {
        if (strcmp(t[i].from, w) == 0)
            return t[i].to;
    }
    return NULL;
}

static int is_direction(const char *w)
{
    static const char *const d[] = { "n", "s", "e", "w", "ne", "nw", "se", "sw", "north",
                                     "south", "east", "west", NULL };
    return in_list(w, d);
}

/* Rewrite the words of a street name in place (storage for new words in store). */
static void expand_street(struct words *w, size_t n, const char *country,
                          char store[MAX_WORDS][ADDRESS_KEY_MAX])
{
    int german = german_country(country), english = english_country(country);
    for (size_t i = 0; i < n; i++) {
        char *word = w->w[i];
        /* the last word, directions after it aside: "Main St N" */
        size_t last = n;
        while (last > 1 && is_direction(w->w[last - 1]))
            last--;
        int is_last = i + 1 == last;
        if (german && (!strcmp(word, "str") || !strcmp(word, "strasse"))) {
            w->w[i] = (char *)"strasse";
        } else if (german && (ends_with(word, "str") || (w->dot[i] && ends_with(word, "-str")))) {
            snprintf(store[i], ADDRESS_KEY_MAX, "%.*sstrasse", (int)(strlen(word) - 3), word);
            w->w[i] = store[i];
        } else if (german && w->dot[i] && !strcmp(word, "pl")) {
            w->w[i] = (char *)"platz";
        } else if (german && w->dot[i] && ends_with(word, "pl")) {
            snprintf(store[i], ADDRESS_KEY_MAX, "%.*splatz", (int)(strlen(word) - 2), word);
            w->w[i] = store[i];
        } else if (!strcmp(word, "st") && english) {
            w->w[i] = (char *)(is_last ? "street" : "saint");
        } else if (!strcmp(word, "st") && german && i + 1 < n) {
            w->w[i] = (char *)"sankt";
        } else if (!strcmp(word, "dr") && english && is_last) {
            w->w[i] = (char *)"drive";
        } else if (english && (!german || strcmp(word, "pl") != 0) && lookup(english_words, word) &&
                   (strlen(word) > 1 || n > 1) &&
                   (is_direction(word) ? n > 1 : is_last || i + 1 < n)) {
            w->w[i] = (char *)lookup(english_words, word);
        }
    }
}

/* a house number word: starts with a digit and is no ordinal ("17." in "Straße des
 * 17. Juni") */
static int number_word(const struct words *w, size_t i)
{
    return is_digit(w->w[i][0]) && !(w->dot[i] && i + 1 < w->n && !w->comma[i]);
}

static int stop_word(const char *word)
{
    static const char *const stops[] = { "/", "-", "suite", "ste", "apt", "unit", "#",
                                         "fl", "floor", "og", "eg", "etage", "whg", NULL };
    return in_list(word, stops) || word[0] == '#';
}

static unsigned street_line(const char *line, const char *country, struct address_key *out)
{
    struct buf b = BUF_INIT(0);
    unsigned flags = text_flags(fold_into(line, strlen(line), TEXT_GERMAN | TEXT_KEEP_PUNCT, &b));
    if (!b.data) {
        buf_free(&b);
        return flags;
    }
    struct words w;
    char store[MAX_WORDS][ADDRESS_KEY_MAX];
    split_words(b.data, &w);
    size_t start = 0, end = w.n, num = w.n;
    char number[64] = "";
    if (w.n == 1 && is_digit(w.w[0][0])) {               /* "6": a number, no name */
        num = 0;
        start = end = 1;
    } else if (w.n > 1 && number_word(&w, 0)) {          /* "12 Main Street" */
        num = 0;
        start = 1;
        for (end = start; end < w.n && !stop_word(w.w[end]); end++) {
            if (w.comma[end]) {
                end++;
                break;
            }
        }
    } else {
        for (size_t i = 1; i < w.n; i++) {
            if (number_word(&w, i)) {
                num = i;
                break;
            }
            if (w.comma[i]) {
                break;
            }
        }
        end = num < w.n ? num : w.n;
        while (end > 0 && stop_word(w.w[end - 1]))
            end--;
    }
    if (num < w.n) {
        snprintf(number, sizeof number, "%s", w.w[num]);
        size_t next = num + 1;
        /* "12 a", "12 - 14" */
        if (num > 0 && next < w.n && !w.comma[num] && strlen(w.w[next]) == 1 &&
            is_alpha(w.w[next][0])) {
            strncat(number, w.w[next], sizeof number - strlen(number) - 1);
        } else if (num > 0 && next + 1 < w.n && !strcmp(w.w[next], "-") &&
                   is_digit(w.w[next + 1][0])) {
            strncat(number, "-", sizeof number - strlen(number) - 1);
            strncat(number, w.w[next + 1], sizeof number - strlen(number) - 1);
        }
    } else {
        flags |= ADDRESS_NO_NUMBER;
    }
    copy_cut(out->house_number, sizeof out->house_number, number, strlen(number));
    expand_street(&w, end, country, store);
    flags |= put_key((const char *const *)w.w + start, end - start, TEXT_GERMAN, out->street,
                     sizeof out->street);
    buf_free(&b);
    return flags;
}

/* ---- lines: which is the street, which a PO box, which to skip ----------------- */

enum line_kind { LINE_STREET, LINE_SKIP, LINE_PO_BOX };

static enum line_kind line_kind(const char *line, char *box, size_t cap)
{
    static const char *const skip[] = { "c o", "z hd", "attn", "attention", "zu handen",
                                        "zhd", NULL };
    static const char *const po[] = { "postfach", "pf", "po box", "p o box", "pob",
                                      "post box", "postbox", "box", "boite postale", "bp",
                                      "b p", "postbus", "apartado", "casella postale",
                                      NULL };
    struct buf b = BUF_INIT(0);
    enum line_kind kind = LINE_STREET;
    unsigned f = fold_into(line, strlen(line), 0, &b);
    const char *s = b.data ? b.data : "";
    if (!*s && !(f & TEXT_INVALID_UTF8))      /* invalid text: street_line flags it */
        kind = LINE_SKIP;
    for (size_t i = 0; kind == LINE_STREET && skip[i]; i++) {
        size_t n = strlen(skip[i]);
        if (strncmp(s, skip[i], n) == 0 && (s[n] == ' ' || !s[n]))
            kind = LINE_SKIP;
    }
    for (size_t i = 0; kind == LINE_STREET && po[i]; i++) {
        size_t n = strlen(po[i]);
        if (strncmp(s, po[i], n) == 0 && (s[n] == ' ' || !s[n])) {
            const char *d = s + n;
            while (*d == ' ')
                d++;
            if (!*d || is_digit(*d)) {
                kind = LINE_PO_BOX;
                size_t k = 0;
                for (; *d && k + 1 < cap; d++) {
                    if (is_digit(*d))
                        box[k++] = *d;
                }
                box[k] = '\0';
            }
        }
    }
    buf_free(&b);
    return kind;
}

/* ---- cities ------------------------------------------------------------------- */

/* German short forms written out; w holds folded words without punctuation */
static size_t expand_city(char **w, size_t n, const char *saint, char **out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 3 < cap; i++) {
        const char *word = w[i];
        const char *next = i + 1 < n ? w[i + 1] : "";
        if (!strcmp(word, "a") && !strcmp(next, "m")) {          /* a. M. */
            out[k++] = (char *)"am";
            out[k++] = (char *)"main";
            i++;
        } else if (!strcmp(word, "a") && !strcmp(next, "d")) {   /* a. d. Oder */
            out[k++] = (char *)"an";
            out[k++] = (char *)"der";
            i++;
        } else if (!strcmp(word, "a") && *next) {
            out[k++] = (char *)"am";
        } else if (!strcmp(word, "i") && !strcmp(next, "br")) {  /* Freiburg i. Br. */
            out[k++] = (char *)"im";
            out[k++] = (char *)"breisgau";
            i++;
        } else if (!strcmp(word, "i") && *next) {
            out[k++] = (char *)"im";
        } else if (!strcmp(word, "b") && *next) {
            out[k++] = (char *)"bei";
        } else if (!strcmp(word, "st") && i == 0 && *next) {
            out[k++] = (char *)saint;
        } else if (!strcmp(word, "main") && i > 0 && strcmp(w[i - 1], "am") != 0 &&
                   strcmp(w[i - 1], "a") != 0) {                  /* Frankfurt/Main */
            out[k++] = (char *)"am";
            out[k++] = (char *)"main";
        } else {
            out[k++] = w[i];
        }
    }
    return k;
}

static unsigned city_key(const char *city, const char *country, unsigned options, char *out,
                         size_t cap)
{
    struct buf b = BUF_INIT(0);
    unsigned flags = text_flags(fold_into(city, strlen(city), options, &b));
    out[0] = '\0';
    if (b.data) {
        struct words w;
        char *expanded[MAX_WORDS * 2];
        split_words(b.data, &w);
        const char *saint = *country && english_country(country) ? "saint" : "sankt";
        size_t n = expand_city(w.w, w.n, saint, expanded, sizeof expanded / sizeof expanded[0]);
        flags |= put_key((const char *const *)expanded, n, options, out, cap);
    }
    buf_free(&b);
    return flags;
}

/* ---- lines that are only folded ------------------------------------------------ */

static unsigned folded_key(const char *text, char *out, size_t cap)
{
    struct buf b = BUF_INIT(0);
    unsigned flags = text_flags(fold_into(text, strlen(text), TEXT_GERMAN, &b));
    out[0] = '\0';
    if (b.data) {
        if (b.len >= cap)
            flags |= ADDRESS_TOO_LONG;
        copy_cut(out, cap, b.data, b.len);
    }
    buf_free(&b);
    return flags;
}

/* ---- the whole address -------------------------------------------------------- */

unsigned address_normalise(const struct contact_address *a, const char *default_country,
                           const struct countries *countries, struct address_key *out)
{
    memset(out, 0, sizeof *out);
    if (!a)
        return 0;
    unsigned flags = 0;
    const char *code = NULL;
    if (a->country && *a->country) {
        code = country_code(countries, a->country);
        if (!code)
            flags |= ADDRESS_COUNTRY_UNKNOWN;
    }
    if (!code && default_country && *default_country)
        code = country_code(countries, default_country);    /* "de", "Germany" too */
    if (!code)
        flags |= ADDRESS_COUNTRY_UNKNOWN;
    if (code)
        copy_cut(out->country, sizeof out->country, code, strlen(code));

    int have_street = 0;
    for (int i = 0; i < a->nlines && i < CONTACT_MAX_LINES; i++) {
        const char *line = a->lines[i];
        if (!line || !*line)
            continue;
        char box[sizeof out->po_box] = "";
        enum line_kind kind = line_kind(line, box, sizeof box);
        if (kind == LINE_PO_BOX) {
            flags |= ADDRESS_PO_BOX;
            if (!out->po_box[0])
                copy_cut(out->po_box, sizeof out->po_box, box, strlen(box));
        } else if (kind == LINE_STREET && !have_street) {
            have_street = 1;
            flags |= street_line(line, out->country, out);
        } else if (kind == LINE_STREET && !out->extra[0]) {
            flags |= folded_key(line, out->extra, sizeof out->extra);
        }
    }
    if (a->region && *a->region)
        flags |= folded_key(a->region, out->region, sizeof out->region);
    if (a->postal_code && *a->postal_code)
        flags |= address_postal_code(a->postal_code, out->country[0] ? out->country : NULL,
                                     out->postal_code, sizeof out->postal_code);
    if (a->city && *a->city) {
        flags |= city_key(a->city, out->country, TEXT_GERMAN, out->city, sizeof out->city);
        flags |= city_key(a->city, out->country, 0, out->city_plain, sizeof out->city_plain);
    }
    out->flags = flags;
    return flags;
}
