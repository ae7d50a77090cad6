/* text.c — text folding for matching (see text.h for the contract).
 *
 * Two paths:
 *   - pure ASCII (most names): one pass, no utf8proc, no allocation beyond out;
 *   - otherwise: utf8proc_decompose (NFKD + case fold + default ignorables dropped) into
 *     a code-point array on the stack, one pass that folds German umlauts, drops marks
 *     on Latin/Greek/Cyrillic bases, maps the few letters without a decomposition
 *     (ø ł đ æ œ þ ð ı ħ ŧ), turns punctuation into spaces and collapses white space,
 *     then canonical composition (NFC) and UTF-8 encoding into out. Only inputs whose
 *     decomposition exceeds the stack arrays allocate (and free) a heap array.
 *
 * Marks on bases of other scripts (Devanagari vowel signs, Japanese dakuten, Arabic
 * harakat, Hebrew points) are kept and recomposed, so those scripts pass through NFKC
 * unchanged as text.h promises. */
#include "transforms/normalise/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define STACK_CPS 2048   /* decomposed code points handled without malloc */

/* ---- UTF-8 validation ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;                            /* continuation byte or overlong C0/C1 */
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;                        /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0;                        /* surrogate */
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;                        /* overlong */
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;                        /* > U+10FFFF */
        return 4;
    }
    return 0;
}

int text_valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, len - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* ---- mojibake ------------------------------------------------------------------------ */

/* The code points Windows-1252 gives to bytes 0x80..0x9F (0 = undefined there; such a
 * byte decodes, in the tools that produce mojibake, to the C1 control of the same
 * value, which code points <= U+00FF already cover). */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* The cp1252 byte for code point c, or -1. */
static int cp1252_byte(int32_t c)
{
    if (c <= 0xFF)
        return c;
    for (int i = 0; i < 32; i++)
        if (cp1252_high[i] == c)
            return 0x80 + i;
    return -1;
}

/* Back-map valid UTF-8 s[0..len) through cp1252 into dst (room for len bytes: every
 * code point maps to one byte, at most as long as its encoding); the length of the
 * repair, or 0 when s is not unambiguous mojibake. */
static size_t repair_into(const char *s, size_t len, char *dst)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = 0;
    int nonascii = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            dst[n++] = (char)p[i++];
            continue;
        }
        int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0)
            return 0;
        int b = cp1252_byte(c);
        if (b < 0)
            return 0;
        dst[n++] = (char)b;
        i += (size_t)k;
        nonascii = 1;
    }
    if (!nonascii || !text_valid_utf8(dst, n))
        return 0;
    return n;        /* valid, and with a byte >= 0x80, hence a multi-byte sequence */
}

int text_repair_mojibake(const char *s, size_t len, struct buf *out)
{
    if (!text_valid_utf8(s, len))
        return 0;
    char stackbuf[TEXT_MAX_BYTES];
    char *tmp = len <= sizeof stackbuf ? stackbuf : malloc(len ? len : 1);
    if (!tmp)
        return 0;
    size_t n = repair_into(s, len, tmp);
    int ok = n > 0 && buf_add(out, tmp, n) == CM_OK;
    if (tmp != stackbuf)
        free(tmp);
    return ok;
}

/* ---- folding ------------------------------------------------------------------------- */

static int ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Pure ASCII s[0..len): fold straight into out (room already made). */
static size_t fold_ascii(const unsigned char *s, size_t len, unsigned options, char *dst,
                         int *alnum)
{
    size_t n = 0;
    int pending = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        int keep;
        if (ascii_alnum(c)) {
            keep = 1;
            *alnum = 1;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
        } else if (options & TEXT_KEEP_PUNCT) {
            keep = c > 0x20 && c < 0x7F;     /* controls and white space -> space */
        } else {
            keep = 0;
        }
        if (!keep) {
            pending = 1;
            continue;
        }
        if (pending && n > 0)
            dst[n++] = ' ';
        pending = 0;
        dst[n++] = (char)c;
    }
    return n;
}

/* Bases whose marks are diacritics to drop: Latin, IPA, Greek, Cyrillic, Armenian and
 * their extension blocks. */
static int european_base(int32_t c)
{
    return c < 0x0590 || (c >= 0x1C80 && c <= 0x1C8F) || (c >= 0x1D00 && c <= 0x1FFF) ||
           (c >= 0x2C60 && c <= 0x2C7F) || (c >= 0xA640 && c <= 0xA69F) ||
           (c >= 0xA720 && c <= 0xA7FF) || (c >= 0xAB30 && c <= 0xAB6F);
}

/* Letters (after case folding) without a decomposition: their ASCII spelling, or NULL. */
static const char *letter_spelling(int32_t c)
{
    switch (c) {
    case 0x00E6: return "ae";   /* æ */
    case 0x00F0: return "d";    /* ð */
    case 0x00F8: return "o";    /* ø */
    case 0x00FE: return "th";   /* þ */
    case 0x0111: return "d";    /* đ */
    case 0x0127: return "h";    /* ħ */
    case 0x0131: return "i";    /* ı */
    case 0x0142: return "l";    /* ł */
    case 0x0153: return "oe";   /* œ */
    case 0x0167: return "t";    /* ŧ */
    default:     return NULL;
    }
}

enum cp_class { CP_WORD, CP_MARK, CP_SPACE, CP_PUNCT };

static enum cp_class classify(int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return CP_WORD;
    case UTF8PROC_CATEGORY_LM:
        /* the apostrophe- and accent-like spacing modifiers (ʼ ʻ ˈ) are punctuation */
        return c >= 0x02B9 && c <= 0x02FF ? CP_PUNCT : CP_WORD;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return CP_MARK;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
        return CP_SPACE;
    default:
        return CP_PUNCT;
    }
}

/* The per-code-point pass over the NFKD + case-folded a[0..n) into b (room for 2n):
 * umlauts, marks, letter table, punctuation, white space. Returns b's length. */
static size_t fold_cps(const int32_t *a, size_t n, unsigned options, int32_t *b, int *alnum)
{
    size_t m = 0;
    int pending = 0;
    int32_t base = 0;           /* the last base letter, 0 after a space or at the start */
    for (size_t i = 0; i < n; i++) {
        int32_t c = a[i];
        if (c < 0x80) {
            if (ascii_alnum((unsigned char)c)) {
                *alnum = 1;
                goto word;
            }
            if ((options & TEXT_KEEP_PUNCT) && c > 0x20 && c < 0x7F)
                goto word;
            pending = 1;
            base = 0;
            continue;
        }
        switch (classify(c)) {
        case CP_MARK:
            if (base == 0 || european_base(base)) {
                if (c == 0x0308 && (options & TEXT_GERMAN) &&
                    (base == 'a' || base == 'o' || base == 'u')) {
                    b[m++] = 'e';
                    base = 'e';              /* one e per umlaut */
                }
                continue;                    /* dropped */
            }
            b[m++] = c;                      /* kept: recomposed below */
            continue;
        case CP_SPACE:
            pending = 1;
            base = 0;
            continue;
        case CP_PUNCT:
            if (options & TEXT_KEEP_PUNCT)
                goto word;
            pending = 1;
            base = 0;
            continue;
        case CP_WORD:
            *alnum = 1;
            break;
        }
        {
            const char *sp = letter_spelling(c);
            if (sp) {
                if (pending && m > 0)
                    b[m++] = ' ';
                pending = 0;
                while (*sp)
                    b[m++] = (unsigned char)*sp++;
                base = b[m - 1];
                continue;
            }
        }
    word:
        if (pending && m > 0)
            b[m++] = ' ';
        pending = 0;
        b[m++] = c;
        base = c;
    }
    return m;
}

/* Drop whatever was appended to out since base (used on failure). */
static unsigned rollback(struct buf *out, size_t base)
{
    out->len = base;
    if (out->data)
        out->data[base] = '\0';
    return TEXT_EMPTY;
}

static unsigned fold_unicode(const char *s, size_t len, unsigned options, struct buf *out,
                             size_t start, unsigned flags)
{
    int32_t stack_a[STACK_CPS], stack_b[2 * STACK_CPS];
    int32_t *a = stack_a, *b = stack_b, *heap = NULL;
    const utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                  UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;

    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s,
                                            (utf8proc_ssize_t)len, a, STACK_CPS, opt);
    if (n < 0)
        return rollback(out, start) | (n == UTF8PROC_ERROR_INVALIDUTF8 ?
                                       TEXT_INVALID_UTF8 : 0);
    if (n > STACK_CPS) {
        heap = malloc((size_t)n * 3 * sizeof *heap);
        if (!heap)
            return rollback(out, start);
        a = heap;
        b = heap + n;
        n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, a, n,
                               opt);
        if (n < 0) {
            free(heap);
            return rollback(out, start);
        }
    }

    int alnum = 0;
    size_t m = fold_cps(a, (size_t)n, options, b, &alnum);
    if (m > 0) {
        utf8proc_ssize_t r = utf8proc_normalize_utf32(b, (utf8proc_ssize_t)m,
                                                      UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (r < 0) {
            free(heap);
            return rollback(out, start);
        }
        m = (size_t)r;
    }

    size_t bytes = 0;
    for (size_t i = 0; i < m; i++)
        bytes += b[i] < 0x80 ? 1 : b[i] < 0x800 ? 2 : b[i] < 0x10000 ? 3 : 4;
    if (!alnum)
        bytes = 0;
    if (buf_grow(out, bytes) != CM_OK) {
        free(heap);
        return rollback(out, start);
    }
    if (alnum) {
        utf8proc_uint8_t *dst = (utf8proc_uint8_t *)out->data + out->len;
        for (size_t i = 0; i < m; i++)
            dst += utf8proc_encode_char(b[i], dst);
        out->len += bytes;
    }
    out->data[out->len] = '\0';
    free(heap);
    if (out->len == start)
        flags |= TEXT_EMPTY;
    return flags;
}

unsigned text_fold(const char *s, size_t len, unsigned options, struct buf *out)
{
    size_t start = out->len;
    unsigned flags = 0;

    if (buf_grow(out, 0) != CM_OK)
        return TEXT_EMPTY;
    out->data[out->len] = '\0';
    if (!s)
        len = 0;

    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && p[i] < 0x80)
        i++;
    int ascii = i == len;

    if (!ascii && !text_valid_utf8(s + i, len - i))
        return TEXT_INVALID_UTF8 | TEXT_EMPTY;

    if (len > TEXT_MAX_BYTES) {
        size_t cut = TEXT_MAX_BYTES;
        while (cut > 0 && (p[cut] & 0xC0) == 0x80)
            cut--;
        len = cut;
        flags |= TEXT_TOO_LONG;
    }

    if (ascii) {
        int alnum = 0;
        if (buf_grow(out, len) != CM_OK)
            return rollback(out, start);
        size_t n = fold_ascii(p, len, options, out->data + out->len, &alnum);
        out->len += alnum ? n : 0;
        out->data[out->len] = '\0';
        return flags | (out->len == start ? TEXT_EMPTY : 0);
    }

    /* mojibake: repaired text is never longer; repeat for doubly encoded text */
    char fixed[2][TEXT_MAX_BYTES];
    for (int pass = 0; pass < 3; pass++) {
        size_t n = repair_into(s, len, fixed[pass & 1]);
        if (n == 0)
            break;
        s = fixed[pass & 1];
        len = n;
        flags |= TEXT_REPAIRED;
    }
    return fold_unicode(s, len, options, out, start, flags);
}
