/* phone.h — telephone numbers to E.164 for matching (issue 6), over Google's
 * libphonenumber (Debian libphonenumber-dev, C++), reached only through the extern "C"
 * shim transforms/normalise/phone_shim.cc; nothing of C++ shows here. Called by the mapping and
 * matching stages, once per phone of a record.
 *
 * phone_normalise() never drops a number: the raw text stays the caller's, and what
 * could not be made of it is said in the flags. Rules, in order:
 *   1. trim white space; nothing left: PHONE_EMPTY (not PHONE_INVALID);
 *   2. invalid UTF-8 or more than PHONE_MAX_RAW bytes: PHONE_INVALID (with
 *      PHONE_TOO_LONG for the second), the library is not asked;
 *   3. Excel's damage (FORMATS.md 6): a number shown in scientific notation
 *      ("4.91701E+11", "4,91701E+11", "4.91701234567E+11") has lost its "+" or "00", its
 *      leading zeros and often digits: PHONE_EXCEL_MANGLED | PHONE_INVALID, and no E.164
 *      is made up, even when the mantissa happens to hold every digit;
 *   4. German extension words ("Durchwahl 45", "Durchw. 45", "DW 45", "Nebenstelle 45",
 *      "App. 45") are read like libphonenumber's own "ext. 45", "x45", "#45", ";ext=45":
 *      the extension goes to out->extension, the E.164 is the main number's (a German
 *      direct-dial number is the two run together, but that is not ours to invent);
 *   5. libphonenumber parses with default_country (ISO 3166 alpha-2, any case; "UK" is
 *      read as "GB"; NULL, "" or a code the library does not know = none): a national
 *      number ("030/1234567") needs one, else PHONE_NO_COUNTRY | PHONE_INVALID.
 *      "+49 (0)30 1234567" (the trunk "0" inside an international number) is read as
 *      +49301234567. "0049 ..." and "00 49 ..." are international: libphonenumber
 *      knows the default country's IDD prefix; when there is no default country, or
 *      the number is not valid read that way, a leading "00" is read as "+";
 *   6. valid for its region (IsValidNumber): e164, e164_num, region, line filled, no
 *      flag. Possible length but not valid (new ranges the metadata lacks, made-up
 *      numbers): the same fields filled and PHONE_POSSIBLE_ONLY; the caller may match
 *      on them but should not trust them. Anything else: PHONE_INVALID, e164 empty.
 *   7. letters: a run of ASCII letters that is not an extension word (rule 4, "ext",
 *      "x" before digits) sets PHONE_HAS_LETTERS ("call me", "Tel. 030 1234567",
 *      "1-800-FLOWERS", "tel:...;ext=1"). It is a warning, not a rejection: the text is
 *      read first with those letters blanked ("Tel. 030 1234567" -> +49301234567;
 *      "030 1234567 xyz" is not read as the keypad digits 999), and only when that gives
 *      no valid number as libphonenumber reads it, vanity letters converted by the
 *      keypad ("1-800-FLOWERS" -> +18003569377, "0800 FLOWERS" in DE); the result is
 *      kept as in rule 6; with no number in it, PHONE_INVALID as well.
 *
 * Parsing costs microseconds (regular expressions over metadata); the same raw
 * strings recur (switchboards), so results are cached per (raw, default country) in a
 * struct phone_cache: bounded, one per thread (not locked), NULL for no cache. */
#ifndef CM_PHONE_H
#define CM_PHONE_H

#include <stddef.h>
#include <stdint.h>

#define PHONE_MAX_RAW 128           /* longer raw text is PHONE_INVALID | PHONE_TOO_LONG */

/* result flags (phone_normalise returns them; also out->flags) */
#define PHONE_INVALID       0x01u   /* no number could be made of it; e164 is empty */
#define PHONE_EXCEL_MANGLED 0x02u   /* scientific notation: digits lost (also INVALID) */
#define PHONE_NO_COUNTRY    0x04u   /* national number, no default country (also INVALID) */
#define PHONE_HAS_LETTERS   0x08u   /* letters other than an extension word (a warning) */
#define PHONE_POSSIBLE_ONLY 0x10u   /* possible length, not a valid number; e164 filled */
#define PHONE_EMPTY         0x20u   /* empty or white space only (not INVALID) */
#define PHONE_TOO_LONG      0x40u   /* raw over PHONE_MAX_RAW bytes (also INVALID) */
#define PHONE_EXT_DROPPED   0x80u   /* an extension of more than 11 digits was not kept */

enum phone_line {                   /* libphonenumber's GetNumberType */
    PHONE_LINE_UNKNOWN = 0,
    PHONE_LINE_FIXED,
    PHONE_LINE_MOBILE,
    PHONE_LINE_FIXED_OR_MOBILE,     /* the US, Canada, ...: the number does not say */
    PHONE_LINE_TOLL_FREE,
    PHONE_LINE_PREMIUM_RATE,
    PHONE_LINE_SHARED_COST,
    PHONE_LINE_VOIP,
    PHONE_LINE_PERSONAL,
    PHONE_LINE_PAGER,
    PHONE_LINE_UAN,
    PHONE_LINE_VOICEMAIL
};

struct phone_norm {
    char     e164[20];              /* "+49301234567"; "" unless valid or possible-only */
    char     extension[12];         /* digits, "" for none */
    uint64_t e164_num;              /* the E.164 digits as a number (49301234567), 0 for
                                     * none; lossless: E.164 has at most 15 digits and
                                     * never a leading zero, "+%llu" gives e164 back */
    char     region[3];             /* "DE", the number's region; "" when unknown */
    uint16_t country_code;          /* 49; 0 for none */
    enum phone_line line;           /* the (mobile, fixed, ...) line type */
    unsigned flags;
};

struct phone_cache;

/* A cache of at most max_entries results (0: a default of 65536), ~130 bytes each,
 * allocated at once; when full it is emptied and refilled (a recurring number is back
 * in it after its next parse). NULL when out of memory. */
struct phone_cache *phone_cache_new(size_t max_entries);
void phone_cache_free(struct phone_cache *c);
/* hits and misses so far (either pointer may be NULL) */
void phone_cache_stats(const struct phone_cache *c, size_t *hits, size_t *misses);

/* Normalise raw (NUL-terminated) as above into *out; returns out->flags (0 = a valid
 * number). cache may be NULL; default_country may be NULL. */
unsigned phone_normalise(struct phone_cache *cache, const char *raw,
                         const char *default_country, struct phone_norm *out);

/* The same without the region and line type (left "" and unknown) and without a cache:
 * what matching needs, in half the time; thread-safe. */
unsigned phone_normalise_key(const char *raw, const char *default_country,
                             struct phone_norm *out);

/* "mobile", "fixed", "fixed_or_mobile", "toll_free", ..., "unknown" */
const char *phone_line_name(enum phone_line t);

#endif
