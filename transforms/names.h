/* names.h — splitting a display full name ("Dr. Ann B. Cole Jr.") into its parts, for
 * the mapping stage when a source has only a full-name column (ACT!'s "Contact",
 * GoldMine's CONTACT). Display values only: matching normalises later.
 *
 * The rules, simplest correct behaviour first:
 *   - words are separated by white space; parts are re-joined with one space and keep
 *     their spelling and punctuation ("B.", "O'Brien");
 *   - leading honorifics go to prefix: Mr, Mrs, Ms, Miss, Dr, Prof, Herr, Frau, with
 *     or without a dot, several in a row ("Prof. Dr."), joined by "and"/"&"/"und"
 *     ("Mr. and Mrs.");
 *   - trailing generational and academic suffixes go to suffix: Jr, Sr, II, III, IV,
 *     PhD, MD, Esq (dots ignored: "Ph.D."), also after a comma ("Ann Cole, Jr.");
 *   - "Family, Given Middle" (one comma) is the inverted form;
 *   - otherwise the first word is the given name and the last the family name, the
 *     words between are middle names, except that family-name particles stay with the
 *     family name: van, von, de, der, den, del, della, di, da, du, la, le, ter, ten,
 *     zu, dos, das and any word ending in an apostrophe ("van der Berg", "de la Cruz",
 *     "O' Brien");
 *   - a single remaining word is the given name ("Ann"), or the family name when an
 *     honorific precedes it ("Dr. Cole");
 *   - names of two people ("John and Jane Smith") and anything with more than one
 *     name comma are not split: every part stays NULL. */
#ifndef CM_NAMES_H
#define CM_NAMES_H

#include "pipeline/arena.h"
#include "pipeline/status.h"

struct name_parts {
    const char *prefix, *given, *middle, *family, *suffix;   /* NULL = not found */
};

/* Split full into *out; strings are allocated from a. CM_OK or CM_ERR_NOMEM. */
enum cm_status name_split(const char *full, struct arena *a, struct name_parts *out);

#endif
