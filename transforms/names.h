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
 *   - trailing generational and academic suffixes go to suffix: Jr, Jnr, Sr, Snr, II,
 *     III, IV, PhD, MD, MBA, MSc, Esq (dots ignored: "Ph.D."), also after a comma
 *     ("Ann Cole, Jr.");
 *   - "Family, Given Middle" (one comma) is the inverted form;
 *   - otherwise the first word is the given name and the last the family name, the
 *     words between are middle names, except that family-name particles stay with the
 *     family name: van, von, vom, de, der, den, des, del, della, di, da, du, do, la,
 *     le, ter, ten, zu, zum, zur, op, het, dos, das and any word ending in an
 *     apostrophe ("van der Berg", "de la Cruz", "op den Berg", "O' Brien");
 *   - a single remaining word is the given name ("Ann"), or the family name when an
 *     honorific precedes it ("Dr. Cole");
 *   - names of two people ("John and Jane Smith") and anything with more than one
 *     name comma are not split: every part stays NULL. */
#ifndef CM_NAMES_H
#define CM_NAMES_H

#include <stddef.h>
#include "pipeline/arena.h"
#include "pipeline/status.h"

struct name_parts {
    const char *prefix, *given, *middle, *family, *suffix;   /* NULL = not found */
};

/* Split full into *out; strings are allocated from a. CM_OK or CM_ERR_NOMEM. */
enum cm_status name_split(const char *full, struct arena *a, struct name_parts *out);

/* ---- the word mechanics, shared with person.c (matching) ----------------------------
 * A word is a (pointer, length) range into the caller's string. */
#define NAME_MAX_WORDS 32

struct name_word {
    const char *s;
    size_t n;
};

/* The words of s[0..n), separated by white space, and by commas too when commas is
 * set; *nw of them into w[NAME_MAX_WORDS]. -1 if there are more than NAME_MAX_WORDS. */
int name_words_split(const char *s, size_t n, int commas, struct name_word *w, int *nw);

/* The word's key: lower case (ASCII), dots dropped, into key[cap]. 0 if the key is
 * empty or does not fit (then the word is no title, suffix or particle). */
int name_word_key(const struct name_word *w, char *key, size_t cap);

/* 1 if s[0..n) is one of the NULL-terminated list. */
int name_key_in(const char *s, size_t n, const char *const *list);

/* Words w[from..to) joined with single spaces, from a; NULL for none, or NULL with
 * *oom set when a is out of memory. */
const char *name_words_join(struct arena *a, const struct name_word *w, int from, int to,
                            int *oom);

/* The keys every name reader treats as a suffix ("jr", "phd", ...) and as a family-name
 * particle ("van", "de", ...): s[0..n) a key (lower case, no dots). The display split
 * uses exactly these; person.c adds the matcher's extras (see there). */
int name_is_suffix(const char *s, size_t n);
int name_is_particle(const char *s, size_t n);

/* Titles before a name, as keys: honorifics ("mr", "dr", "herr", ...; the display split
 * takes them only without an inner dot) and German degrees ("dipl-ing", "dr-ing", "mag",
 * ...). person.c adds the matcher's extras. */
int name_is_honorific(const char *s, size_t n);
int name_is_degree(const char *s, size_t n);

#endif
