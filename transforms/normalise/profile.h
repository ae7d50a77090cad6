/* profile.h — the match profile: the compact, normalised form of one canonical contact
 * that the matcher compares (issue 6). Display values stay in the contact; the profile
 * holds only keys: "Jürgen Müller" becomes given "juergen" / "jurgen", family
 * "mueller" / "muller", canonical given names, phonetic codes, the company without its
 * legal form, e-mails lower-cased with IDN domains in ASCII, phones in E.164, street /
 * house number / postal code / city folded, the country as ISO 3166-1 alpha-2.
 *
 * The matcher holds millions of profiles in memory, so a profile is a fixed struct of
 * small integers: strings are interned once in the normaliser's pool (ids; 0 = absent),
 * phones are E.164 digits in a uint64, phonetic codes are packed into a uint32. What a
 * profile cannot hold (a third e-mail, a fourth phone) is counted, not silently
 * dropped: PROFILE_MORE_EMAILS / PROFILE_MORE_PHONES.
 *
 * The normaliser owns the pool, the reference data (nicknames, countries, legal forms)
 * and the phone cache; one normaliser serves a whole run, single-threaded. Bad input
 * (invalid UTF-8, absurd lengths, names of punctuation, numbers with letters) yields
 * an empty or flagged value and a counted warning, never a crash or a silent change of
 * meaning. */
#ifndef CM_PROFILE_H
#define CM_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/buf.h"
#include "pipeline/contact.h"
#include "pipeline/status.h"

#define PROFILE_EMAILS 2
#define PROFILE_PHONES 2
#define PROFILE_CANON  2         /* canonical given names kept (nicknames) */

/* profile flags */
#define PROFILE_NAME_EMPTY      0x0001u   /* no usable given or family name */
#define PROFILE_NAME_INITIALS   0x0002u   /* the given name is initials only */
#define PROFILE_NAME_ODD        0x0004u   /* digits in a name, or all punctuation */
#define PROFILE_INVALID_UTF8    0x0008u   /* some field was not UTF-8: left empty */
#define PROFILE_TOO_LONG        0x0010u   /* some field was cut at TEXT_MAX_BYTES */
#define PROFILE_REPAIRED        0x0020u   /* mojibake repaired in some field */
#define PROFILE_MORE_EMAILS     0x0040u
#define PROFILE_MORE_PHONES     0x0080u
#define PROFILE_COUNTRY_UNKNOWN 0x0100u   /* a country text no table knows */
#define PROFILE_POSTAL_INVALID  0x0200u
#define PROFILE_POSTAL_RESTORED 0x0400u   /* leading zero restored (DE 1067 -> 01067) */
#define PROFILE_PO_BOX          0x0800u

/* per e-mail / per phone flags */
#define PEMAIL_INVALID  1u       /* kept out of the profile's key: the raw text stays in the contact */
#define PEMAIL_ROLE     2u       /* info@, sales@: identifies a company, not a person */
#define PEMAIL_FREEMAIL 4u       /* at a free-mail provider: a private address */
#define PPHONE_INVALID  1u
#define PPHONE_EXCEL    2u       /* 4.91701E+11: digits lost, nothing invented */
#define PPHONE_MOBILE   4u
#define PPHONE_FIXED    8u
#define PPHONE_EXT      16u      /* had an extension (not part of the key) */

struct match_profile {
    uint32_t given, given_plain;         /* folded German way; plain way if different */
    uint32_t family, family_plain;
    uint32_t middle;                     /* middle names, folded */
    uint32_t honorific, suffix;          /* "dr", "prof dr" / "jr" */
    uint32_t given_canon[PROFILE_CANON]; /* Bob -> robert; Hans -> hans, johannes */
    uint32_t given_dm[2], family_dm[2];  /* Double Metaphone primary, alternate (packed) */
    uint32_t given_kp, family_kp;        /* Kölner Phonetik (packed digits) */
    uint32_t company, legal_form;        /* "mueller", "gmbh & co kg" */
    uint32_t email[PROFILE_EMAILS];
    uint64_t phone[PROFILE_PHONES];      /* E.164 digits without '+', 0 = none */
    uint32_t street, house_number, postal_code, city;
    uint32_t address_extra;              /* further address line (building, locality), folded */
    uint32_t region;                     /* state / province / county, folded */
    uint32_t birth_date;                 /* YYYYMMDD; YYYYMM00 / YYYY0000 when only the month /
                                            year is known; 0 = none */
    char country[2];                     /* ISO 3166-1 alpha-2, or 0 0 */
    uint16_t flags;                      /* PROFILE_* */
    uint8_t email_flags[PROFILE_EMAILS];
    uint8_t phone_flags[PROFILE_PHONES];
};

/* Warnings counted over everything a normaliser saw (the run summary shows them). */
struct profile_warnings {
    long long invalid_utf8, too_long, repaired, name_empty, name_odd;
    long long email_invalid, email_role, phone_invalid, phone_excel, phone_no_country;
    long long country_unknown, postal_invalid, postal_restored, more_emails, more_phones;
    long long birth_date_invalid;        /* a contact's birth_date not in ISO form: left out */
};

struct normaliser_options {
    const char *schemas;         /* directory of the data files; NULL: schemas_dir() */
    int email_provider_rules;    /* gmail dots / +tags (off by default) */
    size_t phone_cache_entries;  /* 0: the default */
};

struct normaliser;

enum cm_status normaliser_new(const struct normaliser_options *opt, struct normaliser **out,
                              char *err);
void normaliser_free(struct normaliser *n);

/* Normalise c into *p. default_country: ISO alpha-2 used for phones and postal codes when
 * the record's own address names no country (the source's "default_country"), or NULL. */
enum cm_status normalise_contact(struct normaliser *n, const struct contact *c,
                                 const char *default_country, struct match_profile *p);

/* Deferred phones, for a caller that parses phone numbers on several threads (the
 * profile store: libphonenumber parses some 65,000 numbers a second on one core, most
 * of a million-record normalisation). Once set, normalise_contact leaves the profile's
 * phones empty and hands fn each raw number with the country it would be read in (the
 * record's address country, else the default; NULL for none), in order. The caller
 * parses them (phone_normalise) and adds the results to the profile in the same order
 * with profile_add_phone, which flags and counts exactly as normalise_contact would. */
typedef void phone_defer_fn(void *ctx, const char *raw, const char *country);
void normaliser_defer_phones(struct normaliser *n, phone_defer_fn *fn, void *ctx);

struct phone_norm;
void profile_add_phone(struct normaliser *n, struct match_profile *p,
                       const struct phone_norm *pn, unsigned flags);

/* The ISO alpha-2 code of a country name or code in any of the table's languages
 * ("Deutschland", "DEU", "D" -> "DE"), or NULL: for checking a source's default_country. */
const char *normaliser_country(const struct normaliser *n, const char *text);

/* The interned text of an id ("" for 0). */
const char *profile_text(const struct normaliser *n, uint32_t id);

/* Append p as one JSON object (no newline): the keys the matcher compares, in words. */
enum cm_status profile_to_json(const struct normaliser *n, const struct match_profile *p,
                               struct buf *out);

const struct profile_warnings *normaliser_warnings(const struct normaliser *n);

/* How many strings the pool holds: ids run from 1 to this (for arrays indexed by id). */
size_t normaliser_pool_count(const struct normaliser *n);

/* Bytes held by the string pool (for the bytes-per-profile figure). */
size_t normaliser_pool_bytes(const struct normaliser *n);

/* Phonetic codes packed into / out of 32 bits: up to 4 ASCII characters (Double
 * Metaphone), or up to 8 digits 0-8 (Kölner; longer codes keep their first 8). */
uint32_t pack_code4(const char *code);
uint32_t pack_digits8(const char *digits);
void unpack_code4(uint32_t v, char out[5]);
void unpack_digits8(uint32_t v, char out[9]);

#endif
