/* phonetic.c — Double Metaphone and Kölner Phonetik (see phonetic.h).
 *
 * Double Metaphone walks the word once, left to right; at each letter a rule looks at
 * the letters around it and appends to the primary code, the alternate code or both.
 * The rules are Philips' own, in his order (the first that applies wins); the comments
 * name the words each rule is for, as his do. Kölner Phonetik gives each letter a digit
 * from its neighbours, then collapses repeats and drops the zeros. */
#include "transforms/normalise/phonetic.h"

#include <string.h>

/* ---- Double Metaphone ------------------------------------------------------------- */

#define DM_BUILD 8                   /* codes are built a little longer, then cut */

struct dm {
    const char *s;
    int len, last;                   /* last = len - 1 */
    int slavo_germanic;              /* W, K, CZ or WITZ anywhere in the word */
    char p[DM_BUILD + 1], a[DM_BUILD + 1];
    int plen, alen;
};

/* The letter at i, upper-cased; beyond the end the word is padded with spaces (rules
 * look for "VAN " and "IER "), before the start there is nothing. */
static char ch(const struct dm *d, int i)
{
    if (i < 0)
        return '\0';
    if (i >= d->len)
        return ' ';
    char c = d->s[i];
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* 1 if one of the '|'-separated alternatives starts at position start. */
static int is_at(const struct dm *d, int start, const char *alternatives)
{
    if (start < 0)
        return 0;
    const char *alt = alternatives;
    for (;;) {
        const char *end = strchr(alt, '|');
        int n = end ? (int)(end - alt) : (int)strlen(alt);
        int i = 0;
        while (i < n && ch(d, start + i) == alt[i])
            i++;
        if (i == n)
            return 1;
        if (!end)
            return 0;
        alt = end + 1;
    }
}

static int is_vowel(const struct dm *d, int i)
{
    if (i < 0 || i >= d->len)
        return 0;
    return strchr("AEIOUY", ch(d, i)) != NULL;
}

static void append(char *code, int *len, const char *s)
{
    for (; *s && *len < DM_BUILD; s++)
        code[(*len)++] = *s;
    code[*len] = '\0';
}

/* Both codes get main. */
static void add(struct dm *d, const char *main)
{
    append(d->p, &d->plen, main);
    append(d->a, &d->alen, main);
}

/* The primary gets main, the alternate alt; alt " " means the alternate gets nothing. */
static void add2(struct dm *d, const char *main, const char *alt)
{
    append(d->p, &d->plen, main);
    if (alt[0] != ' ')
        append(d->a, &d->alen, alt);
}

static int germanic_start(const struct dm *d)
{
    return is_at(d, 0, "VAN |VON |SCH");
}

/* Each letter's rule returns how many letters it consumed. */

static int dm_c(struct dm *d, int i)
{
    /* various Germanic: "bacher", "macher", not "bach" before i/e */
    if (i > 1 && !is_vowel(d, i - 2) && is_at(d, i - 1, "ACH") && ch(d, i + 2) != 'I' &&
        (ch(d, i + 2) != 'E' || is_at(d, i - 2, "BACHER|MACHER"))) {
        add(d, "K");
        return 2;
    }
    if (i == 0 && is_at(d, i, "CAESAR")) {
        add(d, "S");
        return 2;
    }
    if (is_at(d, i, "CHIA")) {                       /* Italian "chianti" */
        add(d, "K");
        return 2;
    }
    if (is_at(d, i, "CH")) {
        if (i > 0 && is_at(d, i, "CHAE")) {          /* "michael" */
            add2(d, "K", "X");
            return 2;
        }
        /* Greek roots: "chemistry", "chorus", not "chore" */
        if (i == 0 && (is_at(d, i + 1, "HARAC|HARIS|HOR|HYM|HIA|HEM")) &&
            !is_at(d, 0, "CHORE")) {
            add(d, "K");
            return 2;
        }
        /* Germanic, Greek or otherwise "ch" for "kh": "architect" but not "arch";
         * "wachtler", "wechsler" but not "tichner" */
        if (germanic_start(d) || is_at(d, i - 2, "ORCHES|ARCHIT|ORCHID") ||
            is_at(d, i + 2, "T|S") ||
            ((is_at(d, i - 1, "A|O|U|E") || i == 0) &&
             is_at(d, i + 2, "L|R|N|M|B|H|F|V|W| "))) {
            add(d, "K");
        } else if (i > 0) {
            if (is_at(d, 0, "MC"))                   /* "McHugh" */
                add(d, "K");
            else
                add2(d, "X", "K");
        } else {
            add(d, "X");
        }
        return 2;
    }
    if (is_at(d, i, "CZ") && !is_at(d, i - 2, "WICZ")) {   /* "czerny" */
        add2(d, "S", "X");
        return 2;
    }
    if (is_at(d, i + 1, "CIA")) {                    /* "focaccia" */
        add(d, "X");
        return 3;
    }
    /* double C, but not "McClellan" */
    if (is_at(d, i, "CC") && !(i == 1 && ch(d, 0) == 'M')) {
        /* "bellocchio" but not "bacchus" */
        if (is_at(d, i + 2, "I|E|H") && !is_at(d, i + 2, "HU")) {
            if ((i == 1 && ch(d, i - 1) == 'A') || is_at(d, i - 1, "UCCEE|UCCES"))
                add(d, "KS");                        /* "accident", "succeed" */
            else
                add(d, "X");                         /* "bacci", "bertucci" */
            return 3;
        }
        add(d, "K");                                 /* Pierce's rule */
        return 2;
    }
    if (is_at(d, i, "CK|CG|CQ")) {
        add(d, "K");
        return 2;
    }
    if (is_at(d, i, "CI|CE|CY")) {
        if (is_at(d, i, "CIO|CIE|CIA"))              /* Italian against English */
            add2(d, "S", "X");
        else
            add(d, "S");
        return 2;
    }
    add(d, "K");
    if (is_at(d, i + 1, " C| Q| G"))                 /* "mac caffrey", "mac gregor" */
        return 3;
    if (is_at(d, i + 1, "C|K|Q") && !is_at(d, i + 1, "CE|CI"))
        return 2;
    return 1;
}

static int dm_d(struct dm *d, int i)
{
    if (is_at(d, i, "DG")) {
        if (is_at(d, i + 2, "I|E|Y")) {              /* "edge" */
            add(d, "J");
            return 3;
        }
        add(d, "TK");                                /* "edgar" */
        return 2;
    }
    add(d, "T");
    return is_at(d, i, "DT|DD") ? 2 : 1;
}

static int dm_gh(struct dm *d, int i)
{
    if (i > 0 && !is_vowel(d, i - 1)) {
        add(d, "K");
        return 2;
    }
    if (i == 0) {                                    /* "ghislane", "ghiradelli" */
        add(d, ch(d, i + 2) == 'I' ? "J" : "K");
        return 2;
    }
    /* Parker's rule: "hugh", "bough", "broughton" */
    if ((i > 1 && is_at(d, i - 2, "B|H|D")) || (i > 2 && is_at(d, i - 3, "B|H|D")) ||
        (i > 3 && is_at(d, i - 4, "B|H")))
        return 2;
    /* "laugh", "McLaughlin", "cough", "gough", "rough", "tough" */
    if (i > 2 && ch(d, i - 1) == 'U' && is_at(d, i - 3, "C|G|L|R|T"))
        add(d, "F");
    else if (i > 0 && ch(d, i - 1) != 'I')
        add(d, "K");
    return 2;
}

static int dm_g(struct dm *d, int i)
{
    if (ch(d, i + 1) == 'H')
        return dm_gh(d, i);
    if (ch(d, i + 1) == 'N') {
        if (i == 1 && is_vowel(d, 0) && !d->slavo_germanic)
            add2(d, "KN", "N");
        else if (!is_at(d, i + 2, "EY") && ch(d, i + 1) != 'Y' && !d->slavo_germanic)
            add2(d, "N", "KN");                      /* not "cagney" */
        else
            add(d, "KN");
        return 2;
    }
    if (is_at(d, i + 1, "LI") && !d->slavo_germanic) {  /* "tagliaro" */
        add2(d, "KL", "L");
        return 2;
    }
    /* -ges-, -gep-, -gel-, -gie- at the start */
    if (i == 0 && (ch(d, i + 1) == 'Y' ||
                   is_at(d, i + 1, "ES|EP|EB|EL|EY|IB|IL|IN|IE|EI|ER"))) {
        add2(d, "K", "J");
        return 2;
    }
    /* -ger-, -gy- */
    if ((is_at(d, i + 1, "ER") || ch(d, i + 1) == 'Y') &&
        !is_at(d, 0, "DANGER|RANGER|MANGER") && !is_at(d, i - 1, "E|I") &&
        !is_at(d, i - 1, "RGY|OGY")) {
        add2(d, "K", "J");
        return 2;
    }
    /* Italian: "biaggi" */
    if (is_at(d, i + 1, "E|I|Y") || is_at(d, i - 1, "AGGI|OGGI")) {
        if (germanic_start(d) || is_at(d, i + 1, "ET"))
            add(d, "K");                             /* obviously Germanic */
        else if (is_at(d, i + 1, "IER "))
            add(d, "J");                             /* French ending */
        else
            add2(d, "J", "K");
        return 2;
    }
    add(d, "K");
    return ch(d, i + 1) == 'G' ? 2 : 1;
}

static int dm_j(struct dm *d, int i)
{
    /* obviously Spanish: "jose", "san jacinto" */
    if (is_at(d, i, "JOSE") || is_at(d, 0, "SAN ")) {
        if ((i == 0 && ch(d, i + 4) == ' ') || is_at(d, 0, "SAN "))
            add(d, "H");
        else
            add2(d, "J", "H");
        return 1;
    }
    if (i == 0 && !is_at(d, i, "JOSE")) {
        add2(d, "J", "A");                           /* "Yankelovich", "Jankelowicz" */
    } else if (is_vowel(d, i - 1) && !d->slavo_germanic &&
               (ch(d, i + 1) == 'A' || ch(d, i + 1) == 'O')) {
        add2(d, "J", "H");                           /* Spanish "bajador" */
    } else if (i == d->last) {
        add2(d, "J", " ");
    } else if (!is_at(d, i + 1, "L|T|K|S|N|M|B|Z") && !is_at(d, i - 1, "S|K|L")) {
        add(d, "J");
    }
    return ch(d, i + 1) == 'J' ? 2 : 1;
}

static int dm_l(struct dm *d, int i)
{
    if (ch(d, i + 1) != 'L') {
        add(d, "L");
        return 1;
    }
    /* Spanish: "cabrillo", "gallegos" */
    if ((i == d->len - 3 && is_at(d, i - 1, "ILLO|ILLA|ALLE")) ||
        ((is_at(d, d->last - 1, "AS|OS") || is_at(d, d->last, "A|O")) &&
         is_at(d, i - 1, "ALLE")))
        add2(d, "L", " ");
    else
        add(d, "L");
    return 2;
}

static int dm_s(struct dm *d, int i)
{
    if (is_at(d, i - 1, "ISL|YSL"))                  /* "island", "isle", "carlysle" */
        return 1;
    if (i == 0 && is_at(d, i, "SUGAR")) {
        add2(d, "X", "S");
        return 1;
    }
    if (is_at(d, i, "SH")) {
        if (is_at(d, i + 1, "HEIM|HOEK|HOLM|HOLZ"))  /* Germanic */
            add(d, "S");
        else
            add(d, "X");
        return 2;
    }
    if (is_at(d, i, "SIO|SIA")) {                    /* Italian and Armenian */
        if (d->slavo_germanic)
            add(d, "S");
        else
            add2(d, "S", "X");
        return 3;
    }
    /* German and anglicised: "smith" meets "schmidt", "snider" meets "schneider";
     * also Slavic -sz- (Hungarian "s") */
    if ((i == 0 && is_at(d, i + 1, "M|N|L|W")) || is_at(d, i + 1, "Z")) {
        add2(d, "S", "X");
        return is_at(d, i + 1, "Z") ? 2 : 1;
    }
    if (is_at(d, i, "SC")) {
        if (ch(d, i + 2) == 'H') {                   /* Schlesinger's rule */
            if (is_at(d, i + 3, "OO|ER|EN|UY|ED|EM")) {   /* Dutch: "school" */
                if (is_at(d, i + 3, "ER|EN"))
                    add2(d, "X", "SK");              /* "schermerhorn", "schenker" */
                else
                    add(d, "SK");
                return 3;
            }
            if (i == 0 && !is_vowel(d, 3) && ch(d, 3) != 'W')
                add2(d, "X", "S");
            else
                add(d, "X");
            return 3;
        }
        if (is_at(d, i + 2, "I|E|Y"))
            add(d, "S");
        else
            add(d, "SK");
        return 3;
    }
    if (i == d->last && is_at(d, i - 2, "AI|OI"))    /* French "resnais", "artois" */
        add2(d, "", "S");
    else
        add(d, "S");
    return is_at(d, i + 1, "S|Z") ? 2 : 1;
}

static int dm_t(struct dm *d, int i)
{
    if (is_at(d, i, "TION|TIA|TCH")) {
        add(d, "X");
        return 3;
    }
    if (is_at(d, i, "TH|TTH")) {
        /* "thomas", "thames", or Germanic */
        if (is_at(d, i + 2, "OM|AM") || germanic_start(d))
            add(d, "T");
        else
            add2(d, "0", "T");
        return 2;
    }
    add(d, "T");
    return is_at(d, i + 1, "T|D") ? 2 : 1;
}

static int dm_w(struct dm *d, int i)
{
    if (is_at(d, i, "WR")) {
        add(d, "R");
        return 2;
    }
    if (i == 0 && (is_vowel(d, i + 1) || is_at(d, i, "WH"))) {
        if (is_vowel(d, i + 1))
            add2(d, "A", "F");                       /* "Wasserman" meets "Vasserman" */
        else
            add(d, "A");                             /* "Uomo" meets "Womo" */
    }
    /* "Arnow" meets "Arnoff" */
    if ((i == d->last && is_vowel(d, i - 1)) ||
        is_at(d, i - 1, "EWSKI|EWSKY|OWSKI|OWSKY") || is_at(d, 0, "SCH")) {
        add2(d, "", "F");
        return 1;
    }
    if (is_at(d, i, "WICZ|WITZ")) {                  /* Polish "filipowicz" */
        add2(d, "TS", "FX");
        return 4;
    }
    return 1;
}

static int dm_x(struct dm *d, int i)
{
    /* French "breaux" */
    if (!(i == d->last && (is_at(d, i - 3, "IAU|EAU") || is_at(d, i - 2, "AU|OU"))))
        add(d, "KS");
    return is_at(d, i + 1, "C|X") ? 2 : 1;
}

static int dm_z(struct dm *d, int i)
{
    if (ch(d, i + 1) == 'H') {                       /* Chinese pinyin "zhao" */
        add(d, "J");
        return 2;
    }
    if (is_at(d, i + 1, "ZO|ZI|ZA") ||
        (d->slavo_germanic && i > 0 && ch(d, i - 1) != 'T'))
        add2(d, "S", "TS");
    else
        add(d, "S");
    return ch(d, i + 1) == 'Z' ? 2 : 1;
}

/* A letter that is coded the same everywhere, its double read as one. */
static int dm_plain(struct dm *d, int i, const char *code)
{
    add(d, code);
    return ch(d, i + 1) == ch(d, i) ? 2 : 1;
}

static int dm_letter(struct dm *d, int i)
{
    char c = ch(d, i);
    switch (c) {
    case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
        if (i == 0)
            add(d, "A");                             /* every initial vowel is A */
        return 1;
    case 'B':
        return dm_plain(d, i, "P");                  /* "-mb" was read with the M */
    case 'C':
        return dm_c(d, i);
    case 'D':
        return dm_d(d, i);
    case 'F':
        return dm_plain(d, i, "F");
    case 'G':
        return dm_g(d, i);
    case 'H':
        /* kept only first or between vowels (and before a vowel) */
        if ((i == 0 || is_vowel(d, i - 1)) && is_vowel(d, i + 1)) {
            add(d, "H");
            return 2;
        }
        return 1;
    case 'J':
        return dm_j(d, i);
    case 'K':
        return dm_plain(d, i, "K");
    case 'L':
        return dm_l(d, i);
    case 'M':
        add(d, "M");
        /* "dumb", "thumb", "plumber" */
        if ((is_at(d, i - 1, "UMB") && (i + 1 == d->last || is_at(d, i + 2, "ER"))) ||
            ch(d, i + 1) == 'M')
            return 2;
        return 1;
    case 'N':
        return dm_plain(d, i, "N");
    case 'P':
        if (ch(d, i + 1) == 'H') {
            add(d, "F");
            return 2;
        }
        add(d, "P");
        return is_at(d, i + 1, "P|B") ? 2 : 1;       /* "campbell", "raspberry" */
    case 'Q':
        return dm_plain(d, i, "K");
    case 'R':
        /* French "rogier", but not "hochmeier" */
        if (i == d->last && !d->slavo_germanic && is_at(d, i - 2, "IE") &&
            !is_at(d, i - 4, "ME|MA"))
            add2(d, "", "R");
        else
            add(d, "R");
        return ch(d, i + 1) == 'R' ? 2 : 1;
    case 'S':
        return dm_s(d, i);
    case 'T':
        return dm_t(d, i);
    case 'V':
        return dm_plain(d, i, "F");
    case 'W':
        return dm_w(d, i);
    case 'X':
        return dm_x(d, i);
    case 'Z':
        return dm_z(d, i);
    default:
        return 1;
    }
}

static int slavo_germanic(const struct dm *d)
{
    for (int i = 0; i < d->len; i++) {
        char c = ch(d, i);
        if (c == 'W' || c == 'K' || (c == 'C' && ch(d, i + 1) == 'Z'))
            return 1;                                /* WITZ has its W */
    }
    return 0;
}

void double_metaphone(const char *word, char primary[DM_MAX], char alternate[DM_MAX])
{
    struct dm d;
    memset(&d, 0, sizeof d);
    size_t n = strlen(word);
    d.s = word;
    d.len = n > 4096 ? 4096 : (int)n;                /* a name is never this long */
    d.last = d.len - 1;
    d.slavo_germanic = slavo_germanic(&d);

    int i = 0;
    if (is_at(&d, 0, "GN|KN|PN|WR|PS"))              /* silent first letter */
        i = 1;
    if (ch(&d, 0) == 'X') {                          /* "Xavier": X is Z, coded S */
        add(&d, "S");
        i = 1;
    }
    while ((d.plen < DM_CODE_LEN || d.alen < DM_CODE_LEN) && i < d.len)
        i += dm_letter(&d, i);

    d.p[d.plen < DM_CODE_LEN ? d.plen : DM_CODE_LEN] = '\0';
    d.a[d.alen < DM_CODE_LEN ? d.alen : DM_CODE_LEN] = '\0';
    memcpy(primary, d.p, DM_MAX);
    memcpy(alternate, d.a, DM_MAX);
}

/* ---- Kölner Phonetik -------------------------------------------------------------- */

/* Letters are reduced to upper-case ASCII, with two stand-ins: '*' for ä ö ü (vowels
 * that are in none of the context lists) and '$' for ß (an S sound, also in none). */
#define KP_UMLAUT '*'
#define KP_SHARP_S '$'

static char kp_letter(const unsigned char *s, size_t *i)
{
    unsigned char c = s[*i];
    if (c >= 'a' && c <= 'z') {
        (*i)++;
        return (char)(c - 'a' + 'A');
    }
    if (c >= 'A' && c <= 'Z') {
        (*i)++;
        return (char)c;
    }
    if (c == 0xC3 && s[*i + 1]) {
        unsigned char c2 = s[*i + 1];
        *i += 2;
        switch (c2) {
        case 0xA4: case 0xB6: case 0xBC:             /* ä ö ü */
        case 0x84: case 0x96: case 0x9C:             /* Ä Ö Ü */
            return KP_UMLAUT;
        case 0x9F:                                   /* ß */
            return KP_SHARP_S;
        default:
            return '\0';
        }
    }
    (*i)++;
    return '\0';                                     /* anything else is read past */
}

static int in(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* The digits of letter c between prev and next ('\0' at the word's edges). */
static const char *kp_code(char c, char prev, char next, int onset)
{
    switch (c) {
    case 'A': case 'E': case 'I': case 'J': case 'O': case 'U': case 'Y': case KP_UMLAUT:
        return "0";
    case 'H':
        return "";
    case 'B':
        return "1";
    case 'P':
        return next == 'H' ? "3" : "1";
    case 'D': case 'T':
        return in(next, "CSZ") ? "8" : "2";
    case 'F': case 'V': case 'W':
        return "3";
    case 'G': case 'K': case 'Q':
        return "4";
    case 'C':
        if (onset)
            return in(next, "AHKLOQRUX") ? "4" : "8";
        return in(next, "AHKOQUX") && !in(prev, "SZ") ? "4" : "8";
    case 'X':
        return in(prev, "CKQ") ? "8" : "48";
    case 'L':
        return "5";
    case 'M': case 'N':
        return "6";
    case 'R':
        return "7";
    case 'S': case 'Z': case KP_SHARP_S:
        return "8";
    default:
        return "";
    }
}

size_t koelner_phonetik(const char *word, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)word;
    size_t i = 0, n = 0;
    char prev = '\0', cur = '\0', last_digit = '\0';
    int first = 1;

    while (s[i] && cur == '\0')                      /* the first letter */
        cur = kp_letter(s, &i);
    while (cur != '\0') {
        char next = '\0';
        while (s[i] && next == '\0')
            next = kp_letter(s, &i);
        for (const char *d = kp_code(cur, prev, next, prev == '\0'); *d; d++) {
            if (*d == last_digit)
                continue;                            /* repeats collapse */
            last_digit = *d;
            if (*d != '0' || first) {                /* zeros go, but a leading one */
                if (n + 1 < cap)
                    out[n] = *d;
                n++;
            }
            first = 0;
        }
        prev = cur;
        cur = next;
    }
    if (cap > 0)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}
