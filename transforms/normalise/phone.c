/* phone.c — phone_normalise(): the rules of phone.h around libphonenumber (reached
 * through transforms/normalise/phone_shim.cc), and the bounded result cache. */
#include "transforms/normalise/phone.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/hash.h"
#include "transforms/normalise/phone_lib.h"
#include "transforms/normalise/text.h"

/* ---- the cache ------------------------------------------------------------------ */

#define CACHE_KEY_MAX 47            /* longer raw text is parsed every time */
#define CACHE_DEFAULT 65536

struct cache_entry {
    uint64_t hash;
    char key[CACHE_KEY_MAX + 1];    /* raw text */
    char country[3];                /* default country as used ("" for none) */
    struct phone_norm norm;
};

struct phone_cache {
    uint32_t *slots;                /* 0 = free, else index + 1 into entries */
    size_t mask;                    /* slots - 1 (a power of two >= 2 * max) */
    struct cache_entry *entries;
    size_t used, max;
    size_t hits, misses;
};

struct phone_cache *phone_cache_new(size_t max_entries)
{
    if (max_entries == 0)
        max_entries = CACHE_DEFAULT;
    if (max_entries > (size_t)1 << 28)
        return NULL;
    size_t nslots = 16;
    while (nslots < 2 * max_entries)
        nslots *= 2;
    struct phone_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->slots = calloc(nslots, sizeof *c->slots);
    c->entries = malloc(max_entries * sizeof *c->entries);
    if (!c->slots || !c->entries) {
        phone_cache_free(c);
        return NULL;
    }
    c->mask = nslots - 1;
    c->max = max_entries;
    return c;
}

void phone_cache_free(struct phone_cache *c)
{
    if (!c)
        return;
    free(c->slots);
    free(c->entries);
    free(c);
}

void phone_cache_stats(const struct phone_cache *c, size_t *hits, size_t *misses)
{
    if (hits)
        *hits = c ? c->hits : 0;
    if (misses)
        *misses = c ? c->misses : 0;
}

/* The slot holding (raw, country), or the free slot where it belongs. */
static uint32_t *cache_slot(struct phone_cache *c, uint64_t h, const char *raw,
                            const char *country)
{
    for (size_t i = (size_t)h & c->mask;; i = (i + 1) & c->mask) {
        uint32_t *s = &c->slots[i];
        if (*s == 0)
            return s;
        const struct cache_entry *e = &c->entries[*s - 1];
        if (e->hash == h && strcmp(e->key, raw) == 0 && strcmp(e->country, country) == 0)
            return s;
    }
}

static void cache_put(struct phone_cache *c, uint32_t *slot, uint64_t h, const char *raw,
                      const char *country, const struct phone_norm *norm)
{
    if (c->used == c->max) {        /* full: start again (the slot found is stale) */
        memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
        c->used = 0;
        slot = cache_slot(c, h, raw, country);
    }
    struct cache_entry *e = &c->entries[c->used];
    e->hash = h;
    strcpy(e->key, raw);
    strcpy(e->country, country);
    e->norm = *norm;
    *slot = (uint32_t)++c->used;
}

/* ---- text helpers ----------------------------------------------------------------- */

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* "4.91701E+11", "4,91701E+11", "491701E11": what Excel shows of a long number. */
static int excel_scientific(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < len && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == '.' || s[i] == ',')) {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i >= len || (s[i] != 'E' && s[i] != 'e'))
        return 0;
    i++;
    if (i < len && s[i] == '+')
        i++;
    size_t exp = 0;
    while (i < len && isdigit((unsigned char)s[i]))
        i++, exp++;
    return exp > 0 && i == len;
}

/* Words that introduce an extension (lower case): libphonenumber's own, which it
 * reads, and the German ones, which are rewritten to "ext." for it. */
static const char *const lib_ext_words[] = { "x", "ext", "extn", "extension" };
static const char *const german_ext_words[] = {
    "durchwahl", "durchw", "dw", "nebenstelle", "app", "apparat",
};

static int word_in(const char *w, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], w, n) == 0)
            return 1;
    return 0;
}

/* The letters s[start..end) are followed by ".", ":", blanks or "-" and then a digit. */
static int digit_follows(const char *s, size_t len, size_t end)
{
    size_t i = end;
    if (i < len && (s[i] == '.' || s[i] == ':'))
        i++;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '-'))
        i++;
    return i < len && isdigit((unsigned char)s[i]);
}

/* Copy s[0..len) to out (room for 2 * len + 1), German extension words rewritten to
 * "ext."; returns whether a run of letters other than an extension word was seen.
 * With blank_letters, such runs are copied as spaces. */
static int rewrite(const char *s, size_t len, char *out, int blank_letters)
{
    int letters = 0;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (!isalpha((unsigned char)s[i])) {
            out[o++] = s[i++];
            continue;
        }
        size_t end = i;
        while (end < len && isalpha((unsigned char)s[end]))
            end++;
        int before_digit = digit_follows(s, len, end);
        if (before_digit && word_in(s + i, end - i, german_ext_words,
                                    sizeof german_ext_words / sizeof *german_ext_words)) {
            memcpy(out + o, " ext", 4);
            o += 4;
        } else {
            int other = !before_digit ||
                        !word_in(s + i, end - i, lib_ext_words,
                                 sizeof lib_ext_words / sizeof *lib_ext_words);
            letters |= other;
            if (other && blank_letters)
                memset(out + o, ' ', end - i);
            else
                memcpy(out + o, s + i, end - i);
            o += end - i;
        }
        i = end;
    }
    out[o] = '\0';
    return letters;
}

/* ---- phone_normalise ---------------------------------------------------------------- */

/* Upper-case alpha-2 into cc ("" for none); "UK" is "GB". */
static void country_code(const char *dc, char cc[3])
{
    cc[0] = cc[1] = cc[2] = '\0';           /* all three: cc[1] seeds the cache hash */
    if (!dc || !isalpha((unsigned char)dc[0]) || !isalpha((unsigned char)dc[1]) || dc[2])
        return;
    cc[0] = (char)toupper((unsigned char)dc[0]);
    cc[1] = (char)toupper((unsigned char)dc[1]);
    cc[2] = '\0';
    if (strcmp(cc, "UK") == 0)
        strcpy(cc, "GB");
}

/* A leading "00" (blanks allowed after it) before a digit 1-9: the text from there
 * with "+" in front, into alt; 0 when there is none. */
static int idd_as_plus(const char *text, char *alt, size_t altsize)
{
    if (text[0] != '0' || text[1] != '0')
        return 0;
    const char *p = text + 2;
    while (*p == ' ' || *p == '-' || *p == '.')
        p++;
    if (*p < '1' || *p > '9' || strlen(p) + 2 > altsize)
        return 0;
    alt[0] = '+';
    strcpy(alt + 1, p);
    return 1;
}

static unsigned normalise(const char *raw, const char *cc, int details, struct phone_norm *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(raw);
    while (len && is_space(raw[len - 1]))
        len--;
    while (len && is_space(*raw))
        raw++, len--;
    if (len == 0)
        return out->flags = PHONE_EMPTY;
    if (len > PHONE_MAX_RAW)
        return out->flags = PHONE_INVALID | PHONE_TOO_LONG;
    if (!text_valid_utf8(raw, len))
        return out->flags = PHONE_INVALID;
    if (excel_scientific(raw, len))
        return out->flags = PHONE_INVALID | PHONE_EXCEL_MANGLED;

    /* text: as given (German extension words rewritten), for libphonenumber's vanity
     * letters; digits: the same with the other letters blanked, tried first. */
    char text[2 * PHONE_MAX_RAW + 1], digits[sizeof text], alt[sizeof text + 1];
    const char *tries[4];
    size_t ntries = 0;
    if (rewrite(raw, len, text, 0)) {
        out->flags |= PHONE_HAS_LETTERS;
        rewrite(raw, len, digits, 1);
        tries[ntries++] = digits;
        if (idd_as_plus(digits, alt, sizeof alt))
            tries[ntries++] = alt;
    }
    tries[ntries++] = text;
    if (!(out->flags & PHONE_HAS_LETTERS) && idd_as_plus(text, alt, sizeof alt))
        tries[ntries++] = alt;

    /* the best of the readings; the first wins a tie */
    const char *region = cc[0] ? cc : NULL;
    enum phone_lib_status st = PHONE_LIB_FAILED;
    int international = 0;
    for (size_t i = 0; i < ntries && st != PHONE_LIB_VALID; i++) {
        struct phone_norm again = *out;
        enum phone_lib_status st2 = phone_lib_parse(tries[i], region, details, &again);
        if (st2 < st) {
            st = st2;
            *out = again;
        }
        international |= tries[i][strspn(tries[i], " \t")] == '+';
    }
    if (international && st == PHONE_LIB_NO_COUNTRY)
        st = PHONE_LIB_NOT_A_NUMBER;    /* "+999 ...": a country code that is none */
    switch (st) {
    case PHONE_LIB_VALID:
        break;
    case PHONE_LIB_POSSIBLE:
        out->flags |= PHONE_POSSIBLE_ONLY;
        break;
    case PHONE_LIB_NO_COUNTRY:
        out->flags |= PHONE_INVALID | PHONE_NO_COUNTRY;   /* none, or one unknown */
        break;
    default:
        out->flags |= PHONE_INVALID;
        break;
    }
    return out->flags;
}

unsigned phone_normalise(struct phone_cache *cache, const char *raw,
                         const char *default_country, struct phone_norm *out)
{
    char cc[3];
    country_code(default_country, cc);
    if (!raw)
        raw = "";
    size_t len = strlen(raw);
    if (!cache || len > CACHE_KEY_MAX)
        return normalise(raw, cc, 1, out);

    uint64_t h = hash64(raw, len, (uint64_t)(unsigned char)cc[0] << 8 | (unsigned char)cc[1]);
    uint32_t *slot = cache_slot(cache, h, raw, cc);
    if (*slot) {
        cache->hits++;
        *out = cache->entries[*slot - 1].norm;
        return out->flags;
    }
    cache->misses++;
    unsigned flags = normalise(raw, cc, 1, out);
    cache_put(cache, slot, h, raw, cc, out);
    return flags;
}

unsigned phone_normalise_key(const char *raw, const char *default_country,
                             struct phone_norm *out)
{
    char cc[3];
    country_code(default_country, cc);
    return normalise(raw ? raw : "", cc, 0, out);
}

const char *phone_line_name(enum phone_line t)
{
    static const char *const names[] = {
        [PHONE_LINE_UNKNOWN] = "unknown",           [PHONE_LINE_FIXED] = "fixed",
        [PHONE_LINE_MOBILE] = "mobile",             [PHONE_LINE_FIXED_OR_MOBILE] = "fixed_or_mobile",
        [PHONE_LINE_TOLL_FREE] = "toll_free",       [PHONE_LINE_PREMIUM_RATE] = "premium_rate",
        [PHONE_LINE_SHARED_COST] = "shared_cost",   [PHONE_LINE_VOIP] = "voip",
        [PHONE_LINE_PERSONAL] = "personal",         [PHONE_LINE_PAGER] = "pager",
        [PHONE_LINE_UAN] = "uan",                   [PHONE_LINE_VOICEMAIL] = "voicemail",
    };
    if ((unsigned)t >= sizeof names / sizeof *names)
        return "unknown";
    return names[t];
}
