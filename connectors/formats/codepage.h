/* codepage.h — a legacy code page (windows-1252, cp437, cp850, Shift-JIS, ...) decoded
 * to UTF-8. Shared by the text input layer (textin.c: CSV, XML) and the dBase reader
 * (dbf.c), so every connector decodes a code page the same way.
 *
 * Borrows glibc iconv. A single-byte, ASCII-compatible page is asked once per byte value
 * at open and then decoded from that 256-entry table; anything else (multi-byte,
 * stateful) goes through iconv per call. Bytes the page does not define (0x81 in
 * windows-1252) are errors, never replaced.
 *
 * Ownership: codepage_open() allocates, codepage_close() frees; decoding appends to a
 * buffer the caller owns. Nothing here prints or exits. */
#ifndef CM_CODEPAGE_H
#define CM_CODEPAGE_H

#include <stddef.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

struct codepage;

/* iconv_name: any name iconv knows ("WINDOWS-1252", "CP850", "SHIFT_JIS"). Errors:
 * CM_ERR_CONFIG when iconv does not know it (no message: the caller names the option),
 * CM_ERR_NOMEM. */
enum cm_status codepage_open(const char *iconv_name, struct codepage **out);
/* The same for an encoding name as people and files write it ("cp1252", "Windows-1252",
 * "ISO-8859-1", "latin1", "CP850", vCard's CHARSET=...): the common labels are
 * normalised, UTF-32 / UCS refused (not ASCII-compatible). CM_ERR_CONFIG
 * "unknown encoding \"x\"" in err (which may be NULL). */
enum cm_status codepage_open_label(const char *name, struct codepage **out, char *err);
void codepage_close(struct codepage *cp);               /* cp may be NULL */

/* For a single-byte page: utf8_len[b] = the UTF-8 length of byte b (1 for ASCII, 2 or 3
 * above, 0 for a byte not in the page), and 1 returned. 0 for a multi-byte or stateful
 * encoding (Shift_JIS, ISO-2022-JP), utf8_len untouched. */
int codepage_utf8_lengths(const struct codepage *cp, unsigned char utf8_len[256]);

/* "windows-1252", "latin1", or the name it was opened with */
const char *codepage_name(const struct codepage *cp);

/* 1 when decoded from a table (a single-byte, ASCII-compatible page) */
int codepage_is_single_byte(const struct codepage *cp);

/* Append the UTF-8 of in[0..len) to out (NUL-terminated as buf keeps it). NUL bytes
 * in `in` are kept. CM_ERR_INPUT: in[*bad] is not valid in the page (out may hold part
 * of the text); CM_ERR_NOMEM / CM_ERR_LIMIT from the buffer. */
enum cm_status codepage_decode(struct codepage *cp, const char *in, size_t len,
                               struct buf *out, size_t *bad);

#endif
