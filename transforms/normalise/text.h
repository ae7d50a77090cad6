/* text.h — text normalisation for matching (issue 6): the one place that turns display
 * text into comparable keys. Every other normaliser (names, companies, addresses,
 * cities) folds through here, so "Jürgen Müller", "JUERGEN MUELLER" and "Jurgen Muller"
 * meet.
 *
 * text_fold(), in order:
 *   1. UTF-8 validation: invalid input is not guessed at; the result is empty and
 *      TEXT_INVALID_UTF8 is set (a counted warning for the caller);
 *   2. mojibake repair: UTF-8 that was read as Windows-1252 and written out again as
 *      UTF-8 ("MÃ¼ller", "â€™") is repaired when the repair is unambiguous (the
 *      bytes, mapped back through cp1252, form valid multi-byte UTF-8): TEXT_REPAIRED;
 *   3. Unicode NFKC and case folding (utf8proc): "ﬁ" -> "fi", "Ｍ" -> "m", "ẞ" -> "ss";
 *   4. diacritics folded: with TEXT_GERMAN the German way (ä/Ä -> ae, ö -> oe, ü -> ue,
 *      ß -> ss), then every remaining mark is dropped (é -> e, ø -> o, ł -> l, æ -> ae);
 *      without it the plain way (ä -> a, ß -> ss);
 *   5. unless TEXT_KEEP_PUNCT: every character that is not a letter or a digit becomes a
 *      space ("O'Brien" -> "o brien", "Smith-Jones" -> "smith jones"); with it, only
 *      white space is touched;
 *   6. white space collapsed to one ASCII space, trimmed.
 * Input longer than TEXT_MAX_BYTES is cut there (at a character boundary) and flagged
 * TEXT_TOO_LONG. An empty result (no letters or digits) is flagged TEXT_EMPTY.
 *
 * The result is appended to out (NUL-terminated). Scripts without case or marks (CJK,
 * Arabic, ...) pass through NFKC unchanged.
 *
 * Details (transforms/normalise/text.c):
 *   - "marks" in 4. are those on Latin, Greek and Cyrillic (and IPA, Armenian) letters;
 *     marks on other scripts (Devanagari vowel signs, Japanese dakuten, Arabic harakat)
 *     are part of the letter and kept, recomposed (NFC);
 *   - the whole input is validated, then cut; mojibake repair runs on the cut text and
 *     is repeated for text encoded twice ("MÃƒÂ¼ller" -> "Müller");
 *   - default-ignorable code points (soft hyphen, zero-width joiners) are removed, not
 *     turned into spaces; control characters (NUL too) are white space; the spacing
 *     modifiers U+02B9..U+02FF (ʼ ʻ) are punctuation;
 *   - TEXT_EMPTY means no letter or digit: the result is then empty even with
 *     TEXT_KEEP_PUNCT ("---" -> ""); invalid UTF-8 sets TEXT_INVALID_UTF8 | TEXT_EMPTY;
 *   - pure-ASCII input takes a fast path without utf8proc; no call allocates except
 *     out's growth and inputs whose decomposition exceeds 2048 code points. */
#ifndef CM_TEXT_H
#define CM_TEXT_H

#include <stddef.h>
#include "pipeline/buf.h"

#define TEXT_MAX_BYTES 1024

/* options */
#define TEXT_GERMAN      1u      /* ä -> ae, ö -> oe, ü -> ue */
#define TEXT_KEEP_PUNCT  2u      /* keep punctuation (e-mail local parts, house numbers) */

/* result flags */
#define TEXT_INVALID_UTF8 1u
#define TEXT_REPAIRED     2u
#define TEXT_TOO_LONG     4u
#define TEXT_EMPTY        8u

/* Fold s[0..len) as above into out; returns the result flags (0 = clean). A failure to
 * allocate leaves out as it was and returns TEXT_EMPTY with out->len unchanged; callers
 * treat it as an empty value. */
unsigned text_fold(const char *s, size_t len, unsigned options, struct buf *out);

/* 1 if s[0..len) is valid UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
int text_valid_utf8(const char *s, size_t len);

/* If s looks like mojibake (UTF-8 decoded as Windows-1252 and encoded again), append the
 * repaired text to out and return 1; else append nothing and return 0. */
int text_repair_mojibake(const char *s, size_t len, struct buf *out);

#endif
