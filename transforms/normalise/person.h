/* person.h — a contact's person name, normalised for matching (issue 6), and the
 * nickname table it uses. Called by the normaliser that builds match profiles
 * (profile.h); display values stay in the contact.
 *
 * person_normalise() takes the name fields of a contact (any may be NULL):
 *   - when given and family are both empty, the full name is split with name_split()
 *     (names.h); comma segments that are only titles go to the honorific first
 *     ("Müller, Jürgen, Dr.");
 *   - titles go to honorific wherever a source put them: the prefix field, or leading
 *     in the given / family field ("Dr. Hans" as given). Herr, Frau, Hr., Fr., Dr. (with
 *     med, phil, rer nat, h.c., ...), Prof., Dr.-Ing., Dipl.-Ing., Dipl.-Kfm. and the
 *     other Dipl. degrees, Mag., Ing., Mr, Mrs, Ms, Miss, Mx, Sir, Dame, Rev., Hon.;
 *     written as keys: lower case, no dots, hyphens as spaces ("prof dr ing");
 *   - suffixes go to suffix, from the suffix field or trailing in the given / family
 *     field: Jr., Sr., Jun., Sen., II, III, IV, PhD, MD, MBA, MSc, Esq. (same key form:
 *     "jr phd");
 *   - given, middle and family are folded with text_fold(): the German way (TEXT_GERMAN:
 *     "juergen") and the plain way ("jurgen", kept only when it differs);
 *   - the family name keeps its particles ("von mueller", "o neil"); family_core is the
 *     key without leading particles (von, van, de, der, la, ten, zu, ...) and with an
 *     O' / Mc / Mac / D' prefix joined to the name: "mueller", "oneil", "mcdonald";
 *   - initials are the first letters of the given and middle words ("j r r"); a given
 *     name written only as initials ("J. R. R.") sets PERSON_INITIALS and gets no
 *     canonical names and no phonetic codes;
 *   - canonical given names come from the nickname table: the whole folded given name,
 *     else its first word ("hans peter" -> hans, johannes, johann); a name the table
 *     does not know is its own canonical ("juergen");
 *   - phonetic codes (phonetic.h): Double Metaphone of the plain fold, Kölner Phonetik of
 *     the German fold, for the given name and for family_core.
 * Nothing is silently changed: a name with digits ("Ann2") is kept and flagged, a name
 * of punctuation only ("---") becomes empty and is flagged. */
#ifndef CM_PERSON_H
#define CM_PERSON_H

#include <stddef.h>
#include "pipeline/arena.h"
#include "pipeline/contact.h"
#include "pipeline/status.h"
#include "transforms/normalise/phonetic.h"

/* ---- the nickname table (schemas/nicknames.tsv) ------------------------------------ */

/* Lines "nickname<TAB>canonical[,canonical...]", '#' comments, names folded (a-z and
 * single spaces); at most NICKNAMES_MAX_CANON canonical names a line, each nickname on
 * one line only. */
#define NICKNAMES_MAX_CANON 16
#define NICKNAMES_FILE "nicknames.tsv"

struct nicknames;

/* Load the table at path (NULL: schemas_dir()/nicknames.tsv). On failure err names the
 * file and line ("nicknames.tsv:12: no tab after the nickname"). */
enum cm_status nicknames_load(const char *path, struct nicknames **out, char *err);

/* The canonical names of a folded given name: 1 and *canon / *n set (the strings belong
 * to the table), or 0 if the name is not a nickname in the table. */
int nicknames_lookup(const struct nicknames *nk, const char *folded,
                     const char *const **canon, size_t *n);

size_t nicknames_count(const struct nicknames *nk);          /* nicknames (lines) */
void nicknames_free(struct nicknames *nk);

/* ---- person names -------------------------------------------------------------------- */

/* flags */
#define PERSON_EMPTY        0x001u   /* neither a given nor a family name */
#define PERSON_INITIALS     0x002u   /* the given name is initials only ("J. R.") */
#define PERSON_DIGITS       0x004u   /* digits in a name ("Ann2"): kept, flagged */
#define PERSON_PUNCT        0x008u   /* a name field of punctuation only: left empty */
#define PERSON_INVALID_UTF8 0x010u   /* a name field not UTF-8: left empty */
#define PERSON_TOO_LONG     0x020u   /* a name field over PERSON_MAX_BYTES */
#define PERSON_REPAIRED     0x040u   /* mojibake repaired in a name field */
#define PERSON_UNSPLIT      0x080u   /* a full name name_split() leaves alone ("A and B") */

#define PERSON_MAX_BYTES 256         /* longer is no person's name (still folded) */
#define PERSON_KP_MAX    16          /* Kölner code, cut */

/* The name fields of one contact, borrowed; any may be NULL. */
struct person_fields {
    const char *prefix, *given, *middle, *family, *suffix, *full;
};

/* A normalised person. Strings are NUL-terminated, in the arena passed to
 * person_normalise() (canon may point into the nickname table); NULL = none. */
struct person_norm {
    const char *honorific;           /* "herr dr", "prof dr ing" */
    const char *suffix;              /* "jr", "iii phd" */
    const char *given;               /* German fold: "juergen", "hans peter" */
    const char *given_plain;         /* plain fold when it differs: "jurgen" */
    const char *middle;              /* German fold of the middle names */
    const char *initials;            /* "j", "h p", "j r r" */
    const char *family;              /* German fold, particles kept: "von der heide" */
    const char *family_plain;        /* plain fold when it differs */
    const char *family_core;         /* without particles: "heide", "oneil" */
    const char *const *canon;        /* canonical given names, ncanon of them */
    size_t ncanon;
    char given_dm[2][DM_MAX];        /* Double Metaphone primary, alternate ("" none) */
    char family_dm[2][DM_MAX];       /* ... of family_core */
    char given_kp[PERSON_KP_MAX];    /* Kölner Phonetik ("" none) */
    char family_kp[PERSON_KP_MAX];   /* ... of family_core */
    unsigned flags;                  /* PERSON_* */
};

/* The name fields of a contact. */
struct person_fields person_fields_of(const struct contact *c);

/* Normalise f into *out, strings from a; nk may be NULL (no canonical names beyond the
 * name itself). CM_OK, or CM_ERR_NOMEM (out then cleared). Bad input is flagged, never
 * an error. */
enum cm_status person_normalise(const struct person_fields *f, const struct nicknames *nk,
                                struct arena *a, struct person_norm *out);

#endif
