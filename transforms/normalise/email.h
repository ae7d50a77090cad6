/* email.h — e-mail addresses to one comparable form for matching (issue 6). Called by
 * the mapping and matching stages once per address of a record; IDN domains go through
 * libidn2. The raw text stays the caller's: an address that cannot be normalised is
 * flagged, never dropped.
 *
 * email_normalise(), in order:
 *   1. more than EMAIL_MAX_RAW bytes, or invalid UTF-8: EMAIL_INVALID;
 *   2. white space trimmed; nothing left: EMAIL_EMPTY (not EMAIL_INVALID);
 *   3. the wrappers CRMs and mail clients leave are taken off: a display name
 *      ("Ann Cole <ann@x.example>", "\"Cole, Ann\" <ann@x.example>": what stands in the
 *      last <...>), angle brackets ("<ann@x.example>"), "mailto:" (any case; a "?..."
 *      query after the address is dropped), then white space again;
 *   4. syntax (RFC 5321/5322 dot-atom, what CRMs hold; no quoted local parts, comments
 *      or [IP] literals), else EMAIL_INVALID: exactly one "@"; local part 1-64 bytes of
 *      letters, digits, ! # $ % & ' * + - / = ? ^ _ ` { | } ~ and dots, or UTF-8 beyond
 *      ASCII (RFC 6531), no dot first, last or twice in a row; domain at most 255 bytes
 *      (as ASCII), at least two labels of 1-63 letters, digits and hyphens, no hyphen
 *      first or last, the last label (TLD) not all digits; the whole at most 254 bytes;
 *   5. the domain lower-cased and, when it is not ASCII, converted to its ASCII form by
 *      libidn2 (IDNA2008 with TR46 non-transitional mapping: "Müller.de" ->
 *      "xn--mller-kva.de"); a domain libidn2 refuses is EMAIL_INVALID;
 *   6. the local part's ASCII letters lower-cased. RFC 5321 lets a server tell
 *      "Ann" from "ann", but no mail system CRMs deal with does, and exports change the
 *      case freely; non-ASCII letters of a local part are kept as given;
 *   7. EMAIL_ROLE when the local part (before any "+tag", case-insensitive) is one of
 *      email_role_names[] (info, sales, office, kontakt, support, ... below): such an
 *      address names a company or a desk, not a person; the matcher must not join people
 *      on it;
 *   8. with EMAIL_PROVIDER_RULES (off by default: it rewrites what was written, for
 *      matching keys only, never for display), the provider's own equivalences, only
 *      where the provider documents them:
 *        gmail.com, googlemail.com: dots in the local part removed, "+tag" dropped,
 *          googlemail.com -> gmail.com (one mailbox, Google's documentation);
 *        outlook.com, hotmail.com, live.com, icloud.com, me.com, mac.com,
 *          protonmail.com, proton.me, fastmail.com: "+tag" dropped (plus addressing);
 *          dots are kept (they are significant there);
 *        every other domain: nothing (most servers deliver "a+b" to a mailbox of that
 *          very name, and dots are significant). A "+" first in the local part is no
 *          tag. EMAIL_PROVIDER_RULES is set in the result when something was changed.
 *
 * The result is appended to out only when neither EMAIL_INVALID nor EMAIL_EMPTY is set;
 * if out cannot grow (its cap, or out of memory) nothing is appended and EMAIL_INVALID
 * is returned with EMAIL_NOMEM. */
#ifndef CM_EMAIL_H
#define CM_EMAIL_H

#include <stddef.h>
#include "pipeline/buf.h"

#define EMAIL_MAX_RAW 1024

/* options */
#define EMAIL_PROVIDER_RULES 0x01u  /* gmail dots/+tag, +tag of a short list (rule 8) */

/* result flags */
#define EMAIL_INVALID        0x02u  /* not an address by rule 4 (or 1, 5); nothing appended */
#define EMAIL_EMPTY          0x04u  /* empty or white space only; nothing appended */
#define EMAIL_ROLE           0x08u  /* info@, sales@, ...: a company's, not a person's */
#define EMAIL_NOMEM          0x10u  /* out could not grow (with EMAIL_INVALID) */
#define EMAIL_FREEMAIL       0x20u  /* a free-mail provider's (gmail.com, gmx.de, ...):
                                       a private address, not an employer's */
/* EMAIL_PROVIDER_RULES (0x01) in the result: provider rules changed the address */

/* Normalise raw (NUL-terminated; NULL is empty) as above; the result, when there is one,
 * is appended to out (NUL-terminated). Returns the flags (0 = a plain address). */
unsigned email_normalise(const char *raw, unsigned options, struct buf *out);

/* The role local parts of rule 7, lower case, NULL-terminated. */
extern const char *const email_role_names[];

#endif
