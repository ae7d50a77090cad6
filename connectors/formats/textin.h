/* textin.h — the byte input layer of the text connectors (csv): one file, plain or
 * gzip, as a stream of bytes plus the rules that turn a record's bytes into UTF-8.
 *
 * Owns: opening the file (gzip found by its magic bytes, not its name), the
 * decompressed-size cap (max_input_bytes), the BOM (detected, stripped, and it always
 * wins over the declared encoding), UTF-16 (with a BOM, or without one from the NUL
 * pattern of the first 4 KiB) transcoded to UTF-8 as a byte stream, and the encoding
 * of everything else, applied per record by textin_decode():
 *   utf-8       checked strictly; a record with invalid bytes is the caller's reject
 *   legacy      any iconv code page ("windows-1252", "latin1", "cp850", ...)
 *   auto        decided by the first non-ASCII text: valid UTF-8 gives utf-8,
 *               anything else windows-1252. textin_open() looks for it in the first
 *               read (256 KiB); if that is all ASCII, the first record holding a
 *               non-ASCII byte decides.
 * UTF-16 input is delivered as UTF-8; a unit that is not valid UTF-16 (a lone
 * surrogate, an odd trailing byte) becomes the byte 0xFF, which is never valid UTF-8,
 * so textin_decode() reports the record that held it.
 *
 * Stream offsets (textin_read, textin_seek) count delivered bytes, after the BOM and
 * after transcoding. Nothing here prints or exits. */
#ifndef CM_TEXTIN_H
#define CM_TEXTIN_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/buf.h"
#include "pipeline/status.h"

struct textin;

/* Open path. encoding is the user's option ("auto", "utf-8", "windows-1252",
 * "cp1252", "latin1", "iso-8859-1", "utf-16le", "utf-16be", "utf-16" or any iconv
 * name); max_input_bytes caps the decompressed bytes read (0 = no cap).
 * Errors: CM_ERR_IO "path: No such file or directory", CM_ERR_CONFIG
 * "unknown encoding \"x\"" (the caller adds the option's JSON path). */
enum cm_status textin_open(struct textin **out, const char *path, const char *encoding,
                           long long max_input_bytes, char *err);
void textin_close(struct textin *ti);

/* Read up to cap (>= 16) bytes into dst; *got == 0 means end of input.
 * Errors (the source cannot be read on): CM_ERR_IO read error or truncated gzip,
 * CM_ERR_LIMIT input over max_input_bytes; err names the file. */
enum cm_status textin_read(struct textin *ti, char *dst, size_t cap, size_t *got,
                           char *err);

/* Go back (or forward) to a stream offset; the next read starts there. */
enum cm_status textin_seek(struct textin *ti, uint64_t offset, char *err);

/* Decode one record's bytes to UTF-8. in may hold NULs (field separators); they are
 * kept. *out is in itself when no conversion is needed (ASCII, valid UTF-8),
 * otherwise it points into a buffer owned by ti, valid until the next call.
 * CM_ERR_INPUT: the bytes are not valid in the file's encoding; *bad is the offset
 * in `in` of the first bad byte. */
enum cm_status textin_decode(struct textin *ti, const char *in, size_t len,
                             const char **out, size_t *out_len, size_t *bad);

/* What is being read, for messages and descriptions. */
const char *textin_encoding(const struct textin *ti);  /* "windows-1252", "utf-16le",
                                                          "auto" while undecided */
const char *textin_how(const struct textin *ti);       /* "bom", "detected",
                                                          "declared" or "auto" */
int textin_is_gzip(const struct textin *ti);
int textin_is_utf8(const struct textin *ti);           /* records are UTF-8 checked */

/* Length of the longest valid UTF-8 prefix of s (n when all of it is valid).
 * With partial_ok, a sequence cut short by the end of s counts as valid. */
size_t utf8_valid_prefix(const char *s, size_t n, int partial_ok);

#endif
