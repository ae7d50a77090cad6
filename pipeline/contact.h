/* contact.h — the canonical contact: the one record shape every connector's output
 * is mapped to (DESIGN.md, "The canonical contact"), and its JSON form.
 *
 * Strings are UTF-8 and NUL-terminated; NULL means absent (mapping turns empty and
 * all-blank values into NULL). A contact owns nothing: its strings and arrays live in
 * the arena or raw record of the unit of work that filled it. Values are as the
 * source gave them; normalisation for matching happens later (transforms/). */
#ifndef CM_CONTACT_H
#define CM_CONTACT_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/buf.h"

#define CONTACT_MAX_EMAILS    16
#define CONTACT_MAX_PHONES    16
#define CONTACT_MAX_ADDRESSES 8
#define CONTACT_MAX_LINES     4

enum phone_type { PHONE_WORK, PHONE_MOBILE, PHONE_HOME, PHONE_FAX, PHONE_OTHER };

struct contact_phone {
    enum phone_type type;
    const char *number;          /* as given, extension appended as " x123" */
};

struct contact_address {
    const char *type;            /* "work", "home", "other", ... */
    const char *lines[CONTACT_MAX_LINES];
    int nlines;
    const char *city, *region, *postal_code, *country;
};

struct contact_field {           /* an unmapped source field, kept in "extra" */
    const char *name;
    const char *value;
};

struct contact {
    const char *source;
    const char *source_key;
    int source_key_derived;      /* 1: key derived from content (no id column) */
    const char *source_updated;  /* ISO 8601 */
    const char *prefix, *given_name, *middle_name, *family_name, *suffix, *full_name;
    const char *company, *department, *title;
    const char *emails[CONTACT_MAX_EMAILS];
    size_t nemails;
    struct contact_phone phones[CONTACT_MAX_PHONES];
    size_t nphones;
    struct contact_address addresses[CONTACT_MAX_ADDRESSES];
    size_t naddresses;
    const char *created;         /* ISO 8601 */
    const char *birth_date;      /* ISO 8601 date "YYYY-MM-DD", or "YYYY-MM" / "YYYY" when
                                    the source holds only the month or the year */
    const char *status;
    struct contact_field *extra;
    size_t nextra;
};

const char *phone_type_name(enum phone_type t);
int phone_type_parse(const char *name, enum phone_type *out);   /* 0 ok, -1 unknown */

/* Append the contact as one JSON object (no newline), keys in the documented order:
 * source, source_key, source_key_derived, source_updated, prefix, given_name,
 * middle_name, family_name, suffix, full_name, company, department, title, emails,
 * phones, addresses, created, birth_date, status, extra. Absent strings are null. */
enum cm_status contact_to_json(const struct contact *c, struct buf *out);

struct arena;

/* The inverse of contact_to_json: fill c from a canonical JSON object (as stored in
 * source_record.canonical), strings copied into arena. Used to carry a record an
 * incremental source did not deliver again into the run. CM_ERR_INPUT (err says
 * what) for text that is not a canonical contact; arrays past the CONTACT_MAX_* limits
 * are cut. */
enum cm_status contact_from_json(const char *json, size_t len, struct arena *arena,
                                 struct contact *c, char *err);

/* Append s as a JSON string literal (quotes included). Invalid UTF-8 is never
 * produced by crmerge's readers; control characters are escaped. */
enum cm_status json_add_string(struct buf *out, const char *s, size_t len);

#endif
