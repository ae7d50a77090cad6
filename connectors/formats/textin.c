/* textin.c — file / gzip input, BOM and UTF-16 handling, per-record decoding
 * (see textin.h). Borrows zlib (gzread reads plain and gzip files alike), glibc iconv
 * (one descriptor per file for UTF-16) and codepage.c (a legacy code page). */
#include "connectors/formats/textin.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "connectors/formats/codepage.h"

#define TI_CHUNK (256 * 1024)   /* raw read size */
#define TI_SNIFF 4096           /* bytes looked at for a BOM-less UTF-16 file */
#define TI_BAD   '\xFF'         /* stands in for invalid UTF-16; never valid UTF-8 */

enum ti_enc { TI_AUTO, TI_UTF8, TI_LEGACY };
enum ti_utf16 { TI_NOT16 = 0, TI_LE, TI_BE };

struct textin {
    gzFile gz;
    char *path;
    int gzip;
    long long max_input;        /* cap on decompressed bytes, 0 = none */
    long long nread;            /* decompressed bytes taken from gz */
    uint64_t pos;               /* stream offset of the next delivered byte */
    size_t bom_len;

    enum ti_utf16 utf16;        /* transcoding a UTF-16 stream */
    iconv_t stream_cd;
    char *raw;                  /* bytes read but not yet delivered */
    size_t raw_off, raw_len;
    int raw_eof;
    int need_more;              /* raw ends inside a UTF-16 sequence */

    enum ti_enc enc;            /* how records are decoded */
    struct codepage *cp;        /* TI_LEGACY */
    char name[64];              /* encoding label */
    const char *how;
    struct buf dec;             /* textin_decode output */
};

static const iconv_t NO_CD = (iconv_t)-1;

/* ---- UTF-8 ---------------------------------------------------------------- */

static int is_ascii(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            return 0;
    }
    for (; i < n; i++) {
        if ((unsigned char)s[i] & 0x80)
            return 0;
    }
    return 1;
}

size_t utf8_valid_prefix(const char *s, size_t n, int partial_ok)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i == n)
            break;
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;      /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;                  /* no overlong forms */
            if (c == 0xED)
                hi = 0x9F;                  /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;                  /* nothing above U+10FFFF */
        } else {
            return i;
        }
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n)
                return partial_ok ? n : i;
            unsigned d = p[i + k];
            unsigned klo = k == 1 ? lo : 0x80, khi = k == 1 ? hi : 0xBF;
            if (d < klo || d > khi)
                return i;
        }
        i += need + 1;
    }
    return n;
}

/* ---- reading -------------------------------------------------------------- */

/* gzread with the input cap; *got == 0 is the end of the input */
static enum cm_status gz_take(struct textin *ti, char *dst, size_t want, size_t *got,
                              char *err)
{
    *got = 0;
    if (ti->max_input) {
        long long left = ti->max_input - ti->nread + 1;   /* +1: see the excess */
        if ((long long)want > left)
            want = (size_t)left;
    }
    if (want > (size_t)INT_MAX / 2)
        want = (size_t)INT_MAX / 2;
    int n = gzread(ti->gz, dst, (unsigned)want);
    if (n < 0) {
        int zerr;
        const char *msg = gzerror(ti->gz, &zerr);
        return cm_fail(err, CM_ERR_IO, "%s: read error: %s", ti->path,
                       zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    if (n == 0) {
        int zerr;
        gzerror(ti->gz, &zerr);
        if (zerr == Z_BUF_ERROR)
            return cm_fail(err, CM_ERR_IO, "%s: truncated gzip stream", ti->path);
        return CM_OK;
    }
    ti->nread += n;
    if (ti->max_input && ti->nread > ti->max_input)
        return cm_fail(err, CM_ERR_LIMIT, "%s: input exceeds max_input_bytes (%lld)",
                       ti->path, ti->max_input);
    *got = (size_t)n;
    return CM_OK;
}

/* keep the undelivered raw bytes, read more behind them */
static enum cm_status raw_fill(struct textin *ti, char *err)
{
    size_t keep = ti->raw_len - ti->raw_off;
    memmove(ti->raw, ti->raw + ti->raw_off, keep);
    ti->raw_off = 0;
    ti->raw_len = keep;
    size_t got;
    enum cm_status rc = gz_take(ti, ti->raw + keep, TI_CHUNK - keep, &got, err);
    if (rc)
        return rc;
    ti->raw_len += got;
    if (got == 0)
        ti->raw_eof = 1;
    return CM_OK;
}

static enum cm_status read_utf16(struct textin *ti, char *dst, size_t cap, size_t *got,
                                 char *err)
{
    char *out = dst;
    size_t outleft = cap;
    while (out == dst) {
        if (ti->raw_off == ti->raw_len || ti->need_more) {
            if (ti->raw_eof) {
                if (ti->raw_off < ti->raw_len) {    /* an odd byte or half a pair */
                    *out++ = TI_BAD;
                    ti->raw_off = ti->raw_len;
                }
                break;
            }
            enum cm_status rc = raw_fill(ti, err);
            if (rc)
                return rc;
            ti->need_more = 0;
            continue;
        }
        char *in = ti->raw + ti->raw_off;
        size_t inleft = ti->raw_len - ti->raw_off;
        size_t r = iconv(ti->stream_cd, &in, &inleft, &out, &outleft);
        int e = errno;
        ti->raw_off = (size_t)(in - ti->raw);
        if (r != (size_t)-1)
            continue;
        if (e == E2BIG)
            break;
        if (e == EINVAL) {                          /* sequence cut by the chunk end */
            ti->need_more = 1;
            continue;
        }
        if (e != EILSEQ)
            return cm_fail(err, CM_ERR_IO, "%s: utf-16 conversion: %s", ti->path,
                           strerror(e));
        if (outleft == 0)
            break;
        *out++ = TI_BAD;                            /* lone surrogate: skip one unit */
        outleft--;
        ti->raw_off += inleft < 2 ? inleft : 2;
        iconv(ti->stream_cd, NULL, NULL, NULL, NULL);
    }
    *got = (size_t)(out - dst);
    ti->pos += *got;
    return CM_OK;
}

enum cm_status textin_read(struct textin *ti, char *dst, size_t cap, size_t *got,
                           char *err)
{
    *got = 0;
    if (ti->utf16)
        return read_utf16(ti, dst, cap, got, err);
    if (ti->raw_off < ti->raw_len) {
        size_t n = ti->raw_len - ti->raw_off;
        if (n > cap)
            n = cap;
        memcpy(dst, ti->raw + ti->raw_off, n);
        ti->raw_off += n;
        ti->pos += n;
        *got = n;
        return CM_OK;
    }
    enum cm_status rc = gz_take(ti, dst, cap, got, err);
    ti->pos += *got;
    return rc;
}

enum cm_status textin_seek(struct textin *ti, uint64_t offset, char *err)
{
    ti->raw_off = ti->raw_len = 0;
    ti->raw_eof = 0;
    ti->need_more = 0;
    if (!ti->utf16) {
        z_off_t r = gzseek(ti->gz, (z_off_t)(ti->bom_len + offset), SEEK_SET);
        if (r < 0)
            return cm_fail(err, CM_ERR_IO, "%s: cannot seek back to offset %llu",
                           ti->path, (unsigned long long)offset);
        ti->nread = (long long)r;
        ti->pos = offset;
        return CM_OK;
    }
    /* UTF-16: start again and transcode up to offset */
    if (gzrewind(ti->gz) != 0)
        return cm_fail(err, CM_ERR_IO, "%s: cannot rewind", ti->path);
    ti->nread = 0;
    ti->pos = 0;
    iconv(ti->stream_cd, NULL, NULL, NULL, NULL);
    enum cm_status rc = raw_fill(ti, err);
    if (rc)
        return rc;
    ti->raw_off = ti->raw_len < ti->bom_len ? ti->raw_len : ti->bom_len;
    char scratch[4096];
    while (ti->pos < offset) {
        uint64_t left = offset - ti->pos;
        size_t got;
        rc = read_utf16(ti, scratch, left < sizeof scratch ? (size_t)left : sizeof scratch,
                        &got, err);
        if (rc)
            return rc;
        if (got == 0)
            return cm_fail(err, CM_ERR_IO, "%s: cannot seek back to offset %llu",
                           ti->path, (unsigned long long)offset);
    }
    return CM_OK;
}

/* ---- opening ------------------------------------------------------------- */

static enum ti_utf16 utf16_guess(const unsigned char *p, size_t n)
{
    if (n > TI_SNIFF)
        n = TI_SNIFF;
    size_t pairs = n / 2, even = 0, odd = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        even += p[i] == 0;
        odd += p[i + 1] == 0;
    }
    if (pairs == 0)
        return TI_NOT16;
    if (odd * 4 >= pairs && even * 8 <= odd)
        return TI_LE;                   /* ASCII in UTF-16LE: "a\0b\0" */
    if (even * 4 >= pairs && odd * 8 <= even)
        return TI_BE;
    return TI_NOT16;
}

static void set_name(struct textin *ti, const char *name, const char *how)
{
    snprintf(ti->name, sizeof ti->name, "%s", name);
    ti->how = how;
}

/* A legacy code page by its label ("windows-1252", "cp850", ...): codepage.c normalises
 * the common labels and names an unknown one in err (which may be NULL). */
static enum cm_status open_legacy(struct textin *ti, const char *label, const char *how,
                                  char *err)
{
    codepage_close(ti->cp);
    ti->cp = NULL;
    enum cm_status rc = codepage_open_label(label, &ti->cp, err);
    if (rc)
        return rc;
    ti->enc = TI_LEGACY;
    set_name(ti, codepage_name(ti->cp), how);
    return CM_OK;
}

/* the declared encoding, before looking at the file */
static enum cm_status declare(struct textin *ti, const char *enc, enum ti_utf16 *want16,
                              char *err)
{
    *want16 = TI_NOT16;
    if (!strcasecmp(enc, "auto")) {
        ti->enc = TI_AUTO;
        set_name(ti, "auto", "auto");
        return CM_OK;
    }
    if (!strcasecmp(enc, "utf-8") || !strcasecmp(enc, "utf8")) {
        ti->enc = TI_UTF8;
        set_name(ti, "utf-8", "declared");
        return CM_OK;
    }
    if (!strcasecmp(enc, "utf-16le") || !strcasecmp(enc, "utf-16be") ||
        !strcasecmp(enc, "utf-16")) {
        *want16 = !strcasecmp(enc, "utf-16be") ? TI_BE : TI_LE;
        ti->enc = TI_UTF8;
        set_name(ti, !strcasecmp(enc, "utf-16be") ? "utf-16be" : "utf-16le", "declared");
        return CM_OK;
    }
    return open_legacy(ti, enc, "declared", err);
}

static enum cm_status start_utf16(struct textin *ti, enum ti_utf16 kind, const char *how,
                                  char *err)
{
    codepage_close(ti->cp);
    ti->cp = NULL;
    ti->stream_cd = iconv_open("UTF-8", kind == TI_BE ? "UTF-16BE" : "UTF-16LE");
    if (ti->stream_cd == NO_CD)
        return cm_fail(err, CM_ERR_IO, "%s: utf-16 conversion unavailable: %s",
                       ti->path, strerror(errno));
    ti->utf16 = kind;
    ti->enc = TI_UTF8;
    set_name(ti, kind == TI_BE ? "utf-16be" : "utf-16le", how);
    return CM_OK;
}

/* auto: the physical line holding the first non-ASCII byte of the first read decides */
static void decide_from_peek(struct textin *ti)
{
    const char *p = ti->raw + ti->raw_off;
    size_t n = ti->raw_len - ti->raw_off, i = 0;
    while (i < n && !((unsigned char)p[i] & 0x80))
        i++;
    if (i == n)
        return;                         /* all ASCII: the first such record decides */
    size_t ls = i, le = i;
    while (ls > 0 && p[ls - 1] != '\n' && p[ls - 1] != '\r')
        ls--;
    while (le < n && p[le] != '\n' && p[le] != '\r')
        le++;
    if (utf8_valid_prefix(p + ls, le - ls, le == n) == le - ls) {
        ti->enc = TI_UTF8;
        set_name(ti, "utf-8", "detected");
    } else if (open_legacy(ti, "windows-1252", "detected", NULL) != CM_OK) {
        ti->enc = TI_AUTO;              /* cannot happen with glibc; decide later */
    }
}

static enum cm_status look_at_start(struct textin *ti, enum ti_utf16 want16, char *err)
{
    const unsigned char *p = (const unsigned char *)ti->raw;
    size_t n = ti->raw_len;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        ti->bom_len = 3;
        ti->raw_off = 3;
        codepage_close(ti->cp);
        ti->cp = NULL;
        ti->enc = TI_UTF8;
        set_name(ti, "utf-8", "bom");
        return CM_OK;
    }
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
        ti->bom_len = 2;
        ti->raw_off = 2;
        return start_utf16(ti, p[0] == 0xFF ? TI_LE : TI_BE, "bom", err);
    }
    if (want16) {
        enum ti_utf16 guess = utf16_guess(p, n);
        return start_utf16(ti, guess ? guess : want16, "declared", err);
    }
    if (ti->enc == TI_AUTO) {
        enum ti_utf16 guess = utf16_guess(p, n);
        if (guess)
            return start_utf16(ti, guess, "detected", err);
        decide_from_peek(ti);
    }
    return CM_OK;
}

enum cm_status textin_open(struct textin **out, const char *path, const char *encoding,
                           long long max_input_bytes, char *err)
{
    *out = NULL;
    struct textin *ti = calloc(1, sizeof *ti);
    if (!ti)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    ti->stream_cd = NO_CD;
    ti->max_input = max_input_bytes;
    buf_init(&ti->dec, 0);
    enum cm_status rc = CM_ERR_NOMEM;
    ti->path = strdup(path);
    ti->raw = malloc(TI_CHUNK);
    if (!ti->path || !ti->raw) {
        cm_fail(err, rc, "out of memory");
        goto fail;
    }
    enum ti_utf16 want16;
    rc = declare(ti, encoding ? encoding : "auto", &want16, err);
    if (rc)
        goto fail;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    struct stat stbuf;
    if (fstat(fd, &stbuf) == 0 && S_ISDIR(stbuf.st_mode)) {
        close(fd);
        rc = cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(EISDIR));
        goto fail;
    }
    ti->gz = gzdopen(fd, "rb");
    if (!ti->gz) {
        close(fd);
        rc = cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    gzbuffer(ti->gz, TI_CHUNK);
    rc = raw_fill(ti, err);
    if (rc)
        goto fail;
    ti->gzip = !gzdirect(ti->gz);
    rc = look_at_start(ti, want16, err);
    if (rc)
        goto fail;
    *out = ti;
    return CM_OK;
fail:
    textin_close(ti);
    return rc;
}

void textin_close(struct textin *ti)
{
    if (!ti)
        return;
    if (ti->gz)
        gzclose(ti->gz);
    if (ti->stream_cd != NO_CD)
        iconv_close(ti->stream_cd);
    codepage_close(ti->cp);
    buf_free(&ti->dec);
    free(ti->raw);
    free(ti->path);
    free(ti);
}

/* ---- records --------------------------------------------------------------- */

static enum cm_status convert(struct textin *ti, const char *in, size_t len,
                              const char **out, size_t *out_len, size_t *bad)
{
    buf_reset(&ti->dec);
    enum cm_status rc = codepage_decode(ti->cp, in, len, &ti->dec, bad);
    if (rc)
        return rc;
    *out = ti->dec.data;
    *out_len = ti->dec.len;
    return CM_OK;
}

enum cm_status textin_decode(struct textin *ti, const char *in, size_t len,
                             const char **out, size_t *out_len, size_t *bad)
{
    *out = in;
    *out_len = len;
    *bad = 0;
    if (is_ascii(in, len))
        return CM_OK;
    if (ti->enc == TI_AUTO) {
        if (utf8_valid_prefix(in, len, 0) == len) {
            ti->enc = TI_UTF8;
            set_name(ti, "utf-8", "detected");
            return CM_OK;
        }
        enum cm_status rc = open_legacy(ti, "windows-1252", "detected", NULL);
        if (rc)
            return rc;
    }
    if (ti->enc == TI_UTF8) {
        size_t ok = utf8_valid_prefix(in, len, 0);
        if (ok == len)
            return CM_OK;
        *bad = ok;
        return CM_ERR_INPUT;
    }
    return convert(ti, in, len, out, out_len, bad);
}

const char *textin_encoding(const struct textin *ti) { return ti->name; }
const char *textin_how(const struct textin *ti) { return ti->how; }
int textin_is_gzip(const struct textin *ti) { return ti->gzip; }
int textin_is_utf8(const struct textin *ti) { return ti->enc == TI_UTF8; }
