/* company.h — company names as matching keys (issue 6): "Müller GmbH & Co. KG",
 * "MUELLER GMBH & CO KG" and "Müller GmbH u. Co. KG" all become the key "mueller" with the
 * legal form "gmbh & co kg".
 *
 * company_normalise(), in order:
 *   1. the name is folded with text_fold() (text.h) and the given options (TEXT_GERMAN
 *      for the primary key; call again with 0 for the plain variant "muller" when a
 *      caller wants both; TEXT_KEEP_PUNCT is ignored); "&" is a word of its own;
 *   2. "&", "and", "und", "et" become the one word "and" ("Smith & Sons" = "Smith and
 *      Sons" = "Smith und Sons"); a leading "the" is dropped ("The Coca-Cola Company");
 *   3. the legal form at the end is stripped and recorded as its canonical short code:
 *      written out or abbreviated, with or without dots or spaces ("GmbH", "G.m.b.H.",
 *      "Gesellschaft mit beschränkter Haftung" -> "gmbh"; "e.V." -> "ev"; "S.à r.l." ->
 *      "sarl"; "A/S" -> "as"; "Pty. Ltd." -> "pty ltd"). The longest form wins, so
 *      "GmbH & Co. KG" is one form, never "KG". After it, one more form and a trailing
 *      "and" go too ("The Boots Company PLC" -> "boots", legal form "plc"; "Smith & Co."
 *      -> "smith"). A legal form is never stripped when nothing would remain: "AG"
 *      alone stays the key "ag" (legal form "ag", COMPANY_FORM_ONLY). Legal forms in the
 *      middle of a name ("Siemens AG Österreich") stay.
 * The legal forms are a table in code (company.c, sorted, looked up by binary search):
 * the German, English, French, Benelux, Nordic, Italian, Spanish, Polish/Czech and
 * Commonwealth forms; company_forms() lists it.
 *
 * Nothing is allocated per call except the growth of key (and, for a key with a cap, a
 * scratch fold of a segment that folds to nothing, to tell "---" from a full key). */
#ifndef CM_COMPANY_H
#define CM_COMPANY_H

#include <stddef.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"
#include "transforms/normalise/text.h"

/* result flags: the text_fold() flags of the name, and one of its own */
#define COMPANY_INVALID_UTF8 TEXT_INVALID_UTF8   /* key empty */
#define COMPANY_REPAIRED     TEXT_REPAIRED       /* mojibake repaired */
#define COMPANY_TOO_LONG     TEXT_TOO_LONG       /* cut at TEXT_MAX_BYTES */
#define COMPANY_EMPTY        TEXT_EMPTY          /* no letter or digit: key empty */
#define COMPANY_FORM_ONLY    16u                 /* the name is only a legal form: kept */

struct company_norm {
    const char *legal_form;  /* canonical code ("gmbh & co kg", "inc"); static; NULL = none */
    unsigned    flags;       /* COMPANY_* */
};

/* Append the matching key of name[0..len) to key (NUL-terminated) and describe it in
 * *res. CM_OK, also for bad names (see res->flags: the key is then empty); CM_ERR_LIMIT
 * (key's cap) or CM_ERR_NOMEM when key cannot grow, key then as it was, legal_form NULL
 * and res->flags COMPANY_EMPTY (an allocation failure inside text_fold() shows as
 * COMPANY_EMPTY with CM_OK, as text.h has it). "& Co" alone gives the key "and". */
enum cm_status company_normalise(const char *name, size_t len, unsigned options,
                                 struct buf *key, struct company_norm *res);

struct company_form {
    const char *spelling;    /* the folded words run together: "gmbhandcokg" */
    const char *code;        /* "gmbh & co kg" */
};

/* The legal-form table, sorted by spelling; *n gets its length. */
const struct company_form *company_forms(size_t *n);

#endif
