/* phonetic.h — phonetic codes of one name for matching (issue 6): names that sound alike
 * get equal codes, so "Smith"/"Schmidt" and "Meier"/"Mayer" can be candidate pairs.
 *
 * Two algorithms, each for the spelling it was made for:
 *   - Double Metaphone (Lawrence Philips, C/C++ Users Journal, June 2000): English and
 *     the many European names spelt the English way. Written here from the published
 *     rule set (the reference implementation's rules, not its code). Input: the plain
 *     ASCII fold of the name (text_fold without TEXT_GERMAN), either case; bytes other
 *     than ASCII letters are read past, white space separates words ("van der Berg").
 *   - Kölner Phonetik (Hans Joachim Postel, 1969): German spelling. Input: UTF-8, either
 *     case; ä ö ü are vowels and ß is s, so "Müller", "Mueller" and "MÜLLER" agree.
 *     Other bytes than letters are read past ("Müller-Lüdenscheidt" is one code).
 *
 * Neither allocates nor fails; an input without letters gives empty codes. */
#ifndef CM_PHONETIC_H
#define CM_PHONETIC_H

#include <stddef.h>

#define DM_CODE_LEN 4                /* Philips' classic code length */
#define DM_MAX      (DM_CODE_LEN + 1)

/* Primary and alternate Double Metaphone codes of word[0..strlen), up to DM_CODE_LEN
 * characters each, NUL-terminated. The alternate equals the primary when no rule gave
 * the word a second pronunciation ("Thompson": TMPS, TMPS), so comparing any code of
 * one name with any code of the other needs no special case. */
void double_metaphone(const char *word, char primary[DM_MAX], char alternate[DM_MAX]);

/* The Kölner Phonetik code of word (digits; repeated digits collapsed, every 0 but a
 * leading one removed) written to out, cut at cap - 1 bytes and NUL-terminated (cap > 0).
 * Returns the length of the whole code, which may exceed cap - 1 (as snprintf). */
size_t koelner_phonetik(const char *word, char *out, size_t cap);

#endif
