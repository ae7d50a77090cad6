/* xmlcut.h — a byte filter on an XML stream on its way to the parser (libxml2): what
 * the parser would have to hold whole, and refuses past 10,000,000 bytes, is cut at a
 * cap, so a huge text costs neither the memory nor the rest of the document.
 *
 * Owns: a small lexer over the bytes (character data, tags and their quoted attribute
 * values, comments, CDATA sections, processing instructions; references are passed,
 * not resolved), the cuts, and what takes the place of the cut bytes. Three things are
 * measured, each against the cap:
 *   a text run     character data up to the next markup, CDATA sections included (the
 *                  parser joins them into one text node). Past the cap the rest of the
 *                  run is dropped; a CDATA section cut short is closed ("]]>") at once.
 *   attribute values  all values of one tag together: past the cap the rest of the
 *                  value is dropped (its closing quote is kept), as are the tag's later
 *                  values.
 *   a comment, a PI   past the cap the rest is dropped, then " -->" or " ?>" ends it.
 * Where the dropped part ended (after the tag, for a value) a marker comment tells the
 * reader of the document what happened:
 *   <!--MARKER text N-->   a text run was cut: the text node before it is not whole
 *   <!--MARKER lines N-->  a value, comment or PI was cut (only when N > 0)
 * N is the count of line breaks dropped: the parser's line numbers after the marker are
 * N short of the file's (writing the breaks back would cost the parser their bytes: the
 * reader keeps every node up to the next start tag). After a text marker follows one
 * more line break as text (or a blank, when none was dropped, and then N counts it
 * not), so that the text node before the next tag starts on that tag's line: the parser
 * gives a text node the line where its first piece ends.
 * A cut is made at a character boundary (UTF-8: never before a continuation byte; a
 * single-byte code page: anywhere) and not inside a reference: it waits for a '&', a
 * ';', the end of the text or XMLCUT_REF_MAX bytes.
 *
 * Measure: bytes as written (a reference, a CR LF count in full), each byte of a
 * single-byte code page as long as its UTF-8 form. That is at least what the parser
 * makes of them, so a cap of at most XMLCUT_CAP_MAX keeps every text, value, comment
 * and PI the parser gets under its limit: a cut passes at most the cap plus
 * XMLCUT_REF_MAX + 3 bytes. Anything longer than that is cut.
 *
 * Input: UTF-8 or a single-byte ASCII-compatible code page (the caller passes UTF-16,
 * multi-byte code pages and EBCDIC by without the filter). The filter checks no
 * well-formedness: broken markup stays broken for the parser to report (a comment or
 * PI cut short by the end of the input is ended for its marker and opened again).
 * Tags themselves (names, blanks between attributes) are not measured.
 *
 * Nothing is allocated; the struct is the caller's (fields are private). */
#ifndef CM_XMLCUT_H
#define CM_XMLCUT_H

#include <stddef.h>
#include <stdint.h>

#define XMLCUT_CAP_MAX   (8u << 20)   /* below libxml2's 10,000,000 bytes per text */
#define XMLCUT_REF_MAX   32           /* bytes a cut waits for a reference to end */
#define XMLCUT_MARK_MAX  48           /* longest marker text */

struct xmlcut {
    size_t cap;
    size_t hop_max;                   /* a tag and its text this short need no look */
    int single;                       /* a single-byte code page, weighed by widths */
    unsigned char widths[256];
    char marker[XMLCUT_MARK_MAX + 1];

    int st, mode;                     /* lexer state; passing, seeking a cut, dropping */
    int k;                            /* marks or "CDATA[" characters seen */
    char quote;                       /* of the attribute value being read */
    size_t run;                       /* the text run so far */
    size_t unit;                      /* the tag's values, or the comment / PI, so far */
    size_t seek;                      /* bytes passed since the cap was reached */
    int seek_semi;                    /* the last of them was ';' */
    uint64_t nl;                      /* line breaks dropped by the current cut */
    int nl_after_tag;                 /* its marker waits for the end of the tag */

    char head[XMLCUT_MARK_MAX + 64];  /* what takes the place of a cut, to write */
    size_t head_len, head_off;

    unsigned long long cuts;
};

/* Start on a new stream. cap: 1 .. XMLCUT_CAP_MAX. marker: the start of the marker
 * comments (at most XMLCUT_MARK_MAX bytes, no "--", such that no comment in the input
 * starts with it: a random part). utf8_len: NULL
 * for UTF-8 input, else the UTF-8 length of each byte of the single-byte code page
 * (codepage_utf8_lengths()). */
void xmlcut_init(struct xmlcut *c, size_t cap, const char *marker,
                 const unsigned char *utf8_len);

/* Filter the next input, in[0..n), into out[0..room): returns the bytes written and
 * sets *used to the input bytes taken (all of them, unless out filled up first). */
size_t xmlcut_filter(struct xmlcut *c, const char *in, size_t n, size_t *used,
                     char *out, size_t room);

/* At the end of the input: what is still to be written (a text cut short by the end
 * gets its marker). Call until it returns 0; then the stream is done. */
size_t xmlcut_finish(struct xmlcut *c, char *out, size_t room);

/* Cuts made so far. */
unsigned long long xmlcut_cuts(const struct xmlcut *c);

#endif
