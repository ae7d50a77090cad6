/* dbf.c — the dBase table reader (see dbf.h): dBase III, dBase IV, FoxPro 2.x and Visual
 * FoxPro .DBF files, their .DBT / .FPT memo files and their code pages.
 *
 * Owns: the header and field descriptors (checked against each other and against the
 * file size), the record loop, field values, memo lookups, and the reject reasons.
 * Borrows codepage.c for the code page (the same decoding as the CSV reader).
 *
 * Reading: records are read whole, many at a time, into one buffer of about 256 KiB
 * (pread from the data offset; the table is never held in memory). Values are copied
 * once into a reused value buffer, NUL-terminated. A memo is read by pread from its
 * block, only after its length has been checked against max_memo_bytes.
 *
 * Values, by field type:
 *   C        decoded, right-trimmed (spaces and NULs: NUL padding is read as dBase
 *            writers use it); a NUL followed by other bytes rejects the record (damage,
 *            never truncated at)
 *   N, F     trimmed both sides, as stored ("12.50", "-3", "*****" on overflow)
 *   D        YYYYMMDD as stored, trimmed (blank: "")
 *   L        "T" (T t Y y), "F" (F f N n), "" (blank), "?" (anything else)
 *   M        the memo text, decoded (blank pointer: ""); dBase's soft line break
 *            0x8D 0x0A becomes a space
 *   I        VFP integer, decimal text
 *   Y        VFP currency, "-12.3400" (four decimals)
 *   T        VFP datetime, "YYYY-MM-DD HH:MM:SS" (day 0: "")
 *   B        VFP double, with the descriptor's decimals ("%.*f"), else "%.15g"; in
 *            dBase IV a binary memo: not read
 *   G, P     OLE objects and pictures: not read, named by dbf_describe
 * VFP's hidden _NullFlags field is not a field: its bits make nullable fields absent.
 * Other types (V, Q, @, +, O ...) are refused at open, naming the field.
 *
 * Memo files: beside the table, same base name, .dbt or .fpt in any case.
 *   .DBT of dBase III (version 0x83): 512-byte blocks, text up to the first 0x1A.
 *   .DBT of dBase IV: the block size from the memo header (bytes 20-21), each memo
 *            starting FF FF 08 00 plus a little-endian length that counts those 8 bytes
 *            (such a block is recognised in a dBase III file too).
 *   .FPT (FoxPro, VFP): big-endian block size in the header (bytes 6-7), each memo a
 *            big-endian type and length, then the bytes.
 * Memo pointers are 10 ASCII digits, or 4 binary bytes in VFP.
 *
 * Records: the deleted flag '*' skips and counts a record; any other flag byte is a
 * live record (as dBase reads it), except 0x1A, the end-of-file mark, which ends the
 * table. The header's record count is checked against (size - header) / record length:
 * whole records are read whatever the count says; a record cut short by the end of the
 * file, and records the header counts but the file does not hold, are rejected (the
 * missing ones as one reject spanning their numbers). */
#include "connectors/formats/dbf_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/formats/codepage.h"
#include "pipeline/arena.h"

#define DBF_CHUNK        (256 * 1024)   /* bytes of records read at a time */
#define DBF_RAW_MAX      4096           /* record bytes kept for a reject */
#define DBF_MEMO_DEFAULT (1024 * 1024)
#define DBF_MEMO_SCAN    4096           /* dBase III memos are read this much at a time */
#define DBF_HEADER       32
#define DBF_DESC         32
#define DBF_BACKLINK     263            /* VFP: after the descriptors */
#define DBF_MAX_FIELDS   2046           /* what a 16-bit header length can describe */
#define MEMO_HEADER      512

enum family { F_DB3, F_DB4, F_FOX, F_VFP };
static const char *const family_name[] = { "dBase III", "dBase IV", "FoxPro 2.x",
                                           "Visual FoxPro" };

enum kind {
    K_TEXT, K_NUMBER, K_DATE, K_LOGICAL, K_MEMO, K_INT, K_CURRENCY, K_DATETIME,
    K_DOUBLE, K_SKIP
};

enum memo_kind { MEMO_NONE, MEMO_DBT3, MEMO_DBT4, MEMO_FPT };

struct field {
    const char *name;            /* decoded, in the arena */
    char type;
    enum kind kind;
    size_t off, len;             /* in the record; off counts the flag byte */
    unsigned dec;
    int null_bit;                /* bit in _NullFlags, -1: not nullable */
    int out;                     /* index among the fields yielded, -1: not yielded */
};

struct dbf {
    char *path;
    const char *base;
    int fd;
    unsigned char version, ldid;
    enum family fam;
    size_t hdrlen, reclen;
    uint32_t hdr_count;          /* records the header says */
    uint64_t whole;              /* whole records to read (up to an 0x1A mark) */
    uint64_t in_file;            /* whole records the file holds */
    size_t partial;              /* bytes of a record cut short after them */
    uint64_t next;               /* 0-based number of the next record */
    int cut_done, missing_done, failed;
    long long deleted;

    struct field *f;
    size_t nf;
    const char **names;          /* the fields yielded, in file order */
    size_t nout;
    int nullflags;               /* field index of _NullFlags, -1 */
    struct buf skipped;          /* "PHOTO (general), ..." for describe */

    int mfd;
    char *mpath;
    enum memo_kind mkind;
    uint64_t msize;
    size_t mblock, max_memo;
    struct buf memo;             /* one memo's bytes */

    struct codepage *cp;
    char enc[64];                /* "cp1252" */
    char enc_how[96];            /* "language driver 0x03" */

    unsigned char *rbuf;         /* records read, whole */
    size_t rcap, rlen, rpos;     /* in records */
    struct buf vals;             /* values of the current record, NUL-terminated */
    size_t *voff;                /* per field yielded: offset in vals, SIZE_MAX absent */
    const char **values;
    size_t *lengths;
    struct arena arena;
};

/* ---- small helpers ---------------------------------------------------------------- */

static uint32_t le32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t le64s(const unsigned char *p)
{
    uint64_t v = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
    int64_t s;
    memcpy(&s, &v, sizeof s);
    return s;
}

static int is_ascii(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            return 0;
    }
    for (; i < n; i++) {
        if (s[i] & 0x80)
            return 0;
    }
    return 1;
}

static int blank(unsigned char c) { return c == ' ' || c == '\0'; }

/* ---- code pages --------------------------------------------------------------------- */

struct ldid { unsigned char id; const char *iconv; const char *label; };

/* Language driver ids as dBase, FoxPro and Visual FoxPro write them (byte 29). */
static const struct ldid ldids[] = {
    { 0x01, "CP437", "cp437" },          { 0x02, "CP850", "cp850" },
    { 0x03, "WINDOWS-1252", "cp1252" },  { 0x04, "MACINTOSH", "mac-roman" },
    { 0x08, "CP865", "cp865" },          { 0x09, "CP437", "cp437" },
    { 0x0A, "CP850", "cp850" },          { 0x0B, "CP437", "cp437" },
    { 0x0D, "CP437", "cp437" },          { 0x0E, "CP850", "cp850" },
    { 0x0F, "CP437", "cp437" },          { 0x10, "CP850", "cp850" },
    { 0x11, "CP437", "cp437" },          { 0x12, "CP850", "cp850" },
    { 0x13, "CP932", "cp932" },          { 0x14, "CP850", "cp850" },
    { 0x15, "CP437", "cp437" },          { 0x16, "CP850", "cp850" },
    { 0x17, "CP865", "cp865" },          { 0x18, "CP437", "cp437" },
    { 0x19, "CP437", "cp437" },          { 0x1A, "CP850", "cp850" },
    { 0x1B, "CP437", "cp437" },          { 0x1C, "CP863", "cp863" },
    { 0x1D, "CP850", "cp850" },          { 0x1F, "CP852", "cp852" },
    { 0x22, "CP852", "cp852" },          { 0x23, "CP852", "cp852" },
    { 0x24, "CP860", "cp860" },          { 0x25, "CP850", "cp850" },
    { 0x26, "CP866", "cp866" },          { 0x37, "CP850", "cp850" },
    { 0x40, "CP852", "cp852" },          { 0x4D, "CP936", "cp936" },
    { 0x4E, "CP949", "cp949" },          { 0x4F, "CP950", "cp950" },
    { 0x50, "CP874", "cp874" },          { 0x57, "WINDOWS-1252", "cp1252" },
    { 0x58, "WINDOWS-1252", "cp1252" },  { 0x59, "WINDOWS-1252", "cp1252" },
    { 0x64, "CP852", "cp852" },          { 0x65, "CP866", "cp866" },
    { 0x66, "CP865", "cp865" },          { 0x67, "CP861", "cp861" },
    { 0x6A, "CP737", "cp737" },          { 0x6B, "CP857", "cp857" },
    { 0x6C, "CP863", "cp863" },
    { 0x78, "CP950", "cp950" },          { 0x79, "CP949", "cp949" },
    { 0x7A, "CP936", "cp936" },          { 0x7B, "CP932", "cp932" },
    { 0x7C, "CP874", "cp874" },          { 0x7D, "WINDOWS-1255", "cp1255" },
    { 0x7E, "WINDOWS-1256", "cp1256" },  { 0x86, "CP737", "cp737" },
    { 0x87, "CP852", "cp852" },          { 0x88, "CP857", "cp857" },
    { 0x96, "MAC-CYRILLIC", "mac-cyrillic" },
    { 0x97, "MAC-CENTRALEUROPE", "mac-centraleurope" },
    { 0xC8, "WINDOWS-1250", "cp1250" },  { 0xC9, "WINDOWS-1251", "cp1251" },
    { 0xCA, "WINDOWS-1254", "cp1254" },  { 0xCB, "WINDOWS-1253", "cp1253" },
    { 0xCC, "WINDOWS-1257", "cp1257" },
};

static enum cm_status choose_code_page(struct dbf *d, const char *encoding, char *err)
{
    const char *iconv_name, *label;
    if (encoding && strcasecmp(encoding, "auto") != 0) {
        iconv_name = label = encoding;
        snprintf(d->enc_how, sizeof d->enc_how, "encoding option; language driver 0x%02X",
                 d->ldid);
    } else if (d->ldid == 0) {
        iconv_name = "WINDOWS-1252";
        label = "cp1252";
        snprintf(d->enc_how, sizeof d->enc_how, "no language driver: the default");
    } else {
        const struct ldid *l = NULL;
        for (size_t i = 0; i < sizeof ldids / sizeof ldids[0] && !l; i++)
            l = ldids[i].id == d->ldid ? &ldids[i] : NULL;
        if (!l)
            return cm_fail(err, CM_ERR_INPUT, "%s: unknown language driver 0x%02X (byte 29): "
                           "set \"encoding\" to the table's code page", d->path, d->ldid);
        iconv_name = l->iconv;
        label = l->label;
        snprintf(d->enc_how, sizeof d->enc_how, "language driver 0x%02X", d->ldid);
    }
    snprintf(d->enc, sizeof d->enc, "%s", label);
    enum cm_status rc = codepage_open(iconv_name, &d->cp);
    if (rc == CM_ERR_CONFIG)
        return cm_fail(err, rc, "unknown encoding \"%s\"", iconv_name);
    if (rc)
        return cm_fail(err, rc, "out of memory");
    return CM_OK;
}

/* ---- the header --------------------------------------------------------------------- */

static enum cm_status read_exact(int fd, void *dst, size_t n, uint64_t off, size_t *got)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)dst + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return CM_ERR_IO;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return CM_OK;
}

int dbf_looks_like(const unsigned char *h, size_t len)
{
    static const unsigned char versions[] = { 0x02, 0x03, 0x04, 0x30, 0x31, 0x32, 0x83,
                                              0x8B, 0x8C, 0x8E, 0xF5, 0xFB };
    if (len < 32 || !memchr(versions, h[0], sizeof versions))
        return 0;
    unsigned header = h[8] | (unsigned)h[9] << 8, reclen = h[10] | (unsigned)h[11] << 8;
    return h[2] >= 1 && h[2] <= 12 && h[3] >= 1 && h[3] <= 31 && header >= 33 &&
           reclen >= 1;
}

static enum cm_status read_version(struct dbf *d, const unsigned char *h, char *err)
{
    d->version = h[0];
    switch (h[0]) {
    case 0x03: case 0x83:             d->fam = F_DB3; return CM_OK;
    case 0x8B: case 0x8E:             d->fam = F_DB4; return CM_OK;
    case 0xF5: case 0xFB:             d->fam = F_FOX; return CM_OK;
    case 0x30: case 0x31: case 0x32: d->fam = F_VFP; return CM_OK;
    case 0x04: case 0x8C:
        return cm_fail(err, CM_ERR_INPUT, "%s: a dBase 7 table (version byte 0x%02X): not "
                       "supported; save it as dBase IV or III", d->path, h[0]);
    case 0x02:
        return cm_fail(err, CM_ERR_INPUT, "%s: a dBase II table (version byte 0x02): not "
                       "supported", d->path);
    default:
        return cm_fail(err, CM_ERR_INPUT, "%s: not a dBase table this reader knows "
                       "(version byte 0x%02X)", d->path, h[0]);
    }
}

/* The field descriptors of the header bytes h[0..n): how many before the 0x0D mark. */
static enum cm_status count_descriptors(struct dbf *d, const unsigned char *h, size_t n,
                                        size_t *nf, char *err)
{
    size_t pos = DBF_HEADER;
    while (pos < n && h[pos] != 0x0D) {
        if (pos == d->hdrlen && (d->hdrlen - DBF_HEADER) % DBF_DESC == 0)
            break;                          /* no end mark, but the header ends here */
        if (pos + DBF_DESC > n)
            return cm_fail(err, CM_ERR_INPUT, "%s: the field descriptors have no end mark "
                           "(0x0D) before byte %zu", d->path, n);
        pos += DBF_DESC;
    }
    *nf = (pos - DBF_HEADER) / DBF_DESC;
    if (*nf == 0)
        return cm_fail(err, CM_ERR_INPUT, "%s: no field descriptors", d->path);
    size_t need = pos + (pos < n && h[pos] == 0x0D) + (d->fam == F_VFP ? DBF_BACKLINK : 0);
    if (d->hdrlen < need)
        return cm_fail(err, CM_ERR_INPUT, "%s: header length %zu is too short: its %zu field "
                       "descriptors%s end at byte %zu", d->path, d->hdrlen, *nf,
                       d->fam == F_VFP ? " and the 263-byte backlink" : "", need);
    return CM_OK;
}

/* How a field type is read; 0 for a type this reader does not know. */
static int kind_of(const struct dbf *d, char type, enum kind *kind)
{
    switch (type) {
    case 'C': *kind = K_TEXT; return 1;
    case 'N': case 'F': *kind = K_NUMBER; return 1;
    case 'D': *kind = K_DATE; return 1;
    case 'L': *kind = K_LOGICAL; return 1;
    case 'M': *kind = K_MEMO; return 1;
    case 'I': *kind = K_INT; return 1;
    case 'Y': *kind = K_CURRENCY; return 1;
    case 'T': *kind = K_DATETIME; return 1;
    case 'B': *kind = d->fam == F_VFP ? K_DOUBLE : K_SKIP; return 1;
    case 'G': case 'P': case '0': *kind = K_SKIP; return 1;
    default: return 0;
    }
}

/* the width a type must have, 0: any */
static size_t fixed_width(const struct dbf *d, const struct field *f)
{
    switch (f->kind) {
    case K_DATE: case K_CURRENCY: case K_DATETIME: case K_DOUBLE: return 8;
    case K_LOGICAL: return 1;
    case K_INT: return 4;
    case K_MEMO: return d->fam == F_VFP && f->len == 4 ? 4 : 10;
    default: return 0;
    }
}

static const char *type_word(char type)
{
    switch (type) {
    case 'G': return "general";
    case 'P': return "picture";
    case 'B': return "binary";
    case 'V': return "varchar";
    case 'Q': return "varbinary";
    case '@': return "timestamp";
    case '+': return "autoincrement";
    case 'O': return "double";
    default: return "unknown";
    }
}

/* A field name as stored (up to 11 bytes, NUL-ended), decoded; "column N" if empty. */
static enum cm_status field_name(struct dbf *d, const unsigned char *p, size_t k,
                                 const char **out, char *err)
{
    size_t n = 0;
    while (n < 11 && p[n])
        n++;
    while (n && p[n - 1] == ' ')
        n--;
    struct buf b = BUF_INIT(0);
    size_t bad;
    enum cm_status rc;
    if (n == 0)
        rc = buf_printf(&b, "column %zu", k + 1);
    else
        rc = codepage_decode(d->cp, (const char *)p, n, &b, &bad);
    if (rc == CM_ERR_INPUT)
        rc = cm_fail(err, rc, "%s: field %zu: its name has byte 0x%02X, not %s", d->path,
                     k + 1, p[bad], d->enc);
    else if (rc)
        rc = cm_fail(err, rc, "out of memory");
    if (!rc) {
        *out = arena_strdup(&d->arena, b.data);
        if (!*out)
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    buf_free(&b);
    return rc;
}

static int name_taken(const struct dbf *d, const char *name)
{
    for (size_t i = 0; i < d->nout; i++) {
        if (strcasecmp(d->names[i], name) == 0)
            return 1;
    }
    return 0;
}

/* A name already yielded gets " (2)", " (3)", ... */
static enum cm_status unique_name(struct dbf *d, struct field *f, char *err)
{
    const char *stem = f->name;
    for (unsigned dup = 2; name_taken(d, f->name); dup++) {
        size_t n = strlen(stem) + 16;
        char *alt = arena_alloc(&d->arena, n);
        if (!alt)
            return cm_fail(err, CM_ERR_NOMEM, "out of memory");
        snprintf(alt, n, "%s (%u)", stem, dup);
        f->name = alt;
    }
    return CM_OK;
}

static enum cm_status note_skipped(struct dbf *d, const struct field *f)
{
    if (f->type == '0')
        return CM_OK;
    enum cm_status rc = CM_OK;
    if (d->skipped.len)
        rc = buf_addstr(&d->skipped, ", ");
    if (!rc)
        rc = buf_printf(&d->skipped, "%s (%s)", f->name, type_word(f->type));
    return rc;
}

/* One descriptor: name, type, width; rejects what cannot be read. */
static enum cm_status read_descriptor(struct dbf *d, const unsigned char *p, size_t k,
                                      size_t off, char *err)
{
    struct field *f = &d->f[k];
    enum cm_status rc = field_name(d, p, k, &f->name, err);
    if (rc)
        return rc;
    f->type = (char)p[11];
    f->off = off;
    f->len = p[16];
    f->dec = p[17];
    f->null_bit = -1;
    f->out = -1;
    if (f->type == 'C' && f->dec) {
        f->len |= (size_t)f->dec << 8;      /* Clipper, Harbour: C fields over 255 */
        f->dec = 0;
    }
    if (!kind_of(d, f->type, &f->kind))
        return cm_fail(err, CM_ERR_INPUT, "%s: field %s: type '%c' (%s) is not supported",
                       d->path, f->name, f->type >= 0x20 && f->type < 0x7F ? f->type : '?',
                       type_word(f->type));
    if (f->len == 0)
        return cm_fail(err, CM_ERR_INPUT, "%s: field %s has width 0", d->path, f->name);
    size_t w = fixed_width(d, f);
    if (w && f->len != w)
        return cm_fail(err, CM_ERR_INPUT, "%s: field %s: type %c must be %zu bytes wide, "
                       "not %zu", d->path, f->name, f->type, w, f->len);
    if (f->type == '0')                     /* VFP's hidden _NullFlags */
        d->nullflags = (int)k;
    if (f->kind == K_SKIP && note_skipped(d, f) != CM_OK)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    return CM_OK;
}

static enum cm_status read_fields(struct dbf *d, const unsigned char *h, size_t nf,
                                  char *err)
{
    d->f = arena_calloc(&d->arena, nf * sizeof *d->f);
    d->names = arena_calloc(&d->arena, nf * sizeof *d->names);
    if (!d->f || !d->names)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    d->nf = nf;
    size_t off = 1;
    int bits = 0;
    for (size_t k = 0; k < nf; k++) {
        const unsigned char *p = h + DBF_HEADER + k * DBF_DESC;
        enum cm_status rc = read_descriptor(d, p, k, off, err);
        if (rc)
            return rc;
        struct field *f = &d->f[k];
        off += f->len;
        if (d->fam == F_VFP && (p[18] & 0x02) && f->kind != K_SKIP)
            f->null_bit = bits++;
        if (f->kind == K_SKIP)
            continue;
        rc = unique_name(d, f, err);
        if (rc)
            return rc;
        f->out = (int)d->nout;
        d->names[d->nout++] = f->name;
    }
    if (off != d->reclen)
        return cm_fail(err, CM_ERR_INPUT, "%s: record length %zu in the header, but the "
                       "field descriptors add up to %zu (1 flag byte and %zu fields)", d->path,
                       d->reclen, off, nf);
    if (bits && (d->nullflags < 0 || (size_t)(bits + 7) / 8 > d->f[d->nullflags].len))
        return cm_fail(err, CM_ERR_INPUT, "%s: %d nullable fields but no _NullFlags field "
                       "wide enough for them", d->path, bits);
    if (d->nout == 0)
        return cm_fail(err, CM_ERR_INPUT, "%s: no field this reader can read (only %s)",
                       d->path, d->skipped.data ? d->skipped.data : "hidden fields");
    return CM_OK;
}

/* Records in the file, from its size: whole ones, and the bytes of one cut short. */
static enum cm_status size_up(struct dbf *d, uint64_t size, int last_is_eof_mark,
                              char *err)
{
    if (d->hdrlen > size)
        return cm_fail(err, CM_ERR_INPUT, "%s: header length %zu is past the end of the "
                       "file (%llu bytes)", d->path, d->hdrlen, (unsigned long long)size);
    uint64_t data = size - d->hdrlen;
    d->whole = d->in_file = data / d->reclen;
    d->partial = (size_t)(data % d->reclen);
    if (d->whole >= d->hdr_count || (d->partial == 1 && last_is_eof_mark))
        d->partial = 0;                     /* the end mark, or bytes after the count */
    return CM_OK;
}

static enum cm_status read_header(struct dbf *d, const struct dbf_options *opt, char *err)
{
    struct stat st;
    if (fstat(d->fd, &st) != 0)
        return cm_fail(err, CM_ERR_IO, "%s: %s", d->path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return cm_fail(err, CM_ERR_IO, "%s: not a regular file", d->path);
    uint64_t size = (uint64_t)st.st_size;
    size_t cap = DBF_HEADER + DBF_DESC * DBF_MAX_FIELDS + 1 + DBF_BACKLINK;
    unsigned char *h = malloc(cap);
    if (!h)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    size_t got;
    enum cm_status rc = read_exact(d->fd, h, cap, 0, &got);
    if (rc) {
        rc = cm_fail(err, rc, "%s: read error: %s", d->path, strerror(errno));
        goto done;
    }
    if (got < DBF_HEADER) {
        rc = cm_fail(err, CM_ERR_INPUT, "%s: not a dBase table: %zu bytes, shorter than the "
                     "32-byte header", d->path, got);
        goto done;
    }
    rc = read_version(d, h, err);
    if (rc)
        goto done;
    d->hdr_count = le32(h + 4);
    d->hdrlen = le16(h + 8);
    d->reclen = le16(h + 10);
    d->ldid = h[29];
    if (d->hdrlen < DBF_HEADER + 1 || d->reclen < 1) {
        rc = cm_fail(err, CM_ERR_INPUT, "%s: impossible header: header length %zu, record "
                     "length %zu", d->path, d->hdrlen, d->reclen);
        goto done;
    }
    rc = choose_code_page(d, opt ? opt->encoding : NULL, err);
    size_t nf = 0;
    if (!rc)
        rc = count_descriptors(d, h, got, &nf, err);
    if (!rc)
        rc = read_fields(d, h, nf, err);
    unsigned char last = 0;
    if (!rc && size > d->hdrlen) {
        size_t one;
        rc = read_exact(d->fd, &last, 1, size - 1, &one);
        if (rc)
            rc = cm_fail(err, rc, "%s: read error: %s", d->path, strerror(errno));
    }
    if (!rc)
        rc = size_up(d, size, last == 0x1A, err);
done:
    free(h);
    return rc;
}

/* ---- the memo file ------------------------------------------------------------------ */

static int needs_memo(const struct dbf *d)
{
    for (size_t k = 0; k < d->nf; k++) {
        if (d->f[k].kind == K_MEMO)
            return 1;
    }
    return 0;
}

/* path with its extension replaced by ext (same case as the table's) */
static char *sibling(const char *path, const char *ext_lower)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    size_t stem = dot ? (size_t)(dot - path) : strlen(path);
    int upper = dot && dot[1] >= 'A' && dot[1] <= 'Z';
    char *s = malloc(stem + 5);
    if (!s)
        return NULL;
    memcpy(s, path, stem);
    s[stem] = '.';
    for (int i = 0; i < 3; i++)
        s[stem + 1 + i] = upper ? (char)(ext_lower[i] - 'a' + 'A') : ext_lower[i];
    s[stem + 4] = '\0';
    return s;
}

/* The memo file beside the table whose name is `want` in any case, or NULL. */
static char *find_ci(const char *want)
{
    const char *slash = strrchr(want, '/');
    char *dir = slash ? strndup(want, slash == want ? 1 : (size_t)(slash - want))
                      : strdup(".");
    const char *name = slash ? slash + 1 : want;
    if (!dir)
        return NULL;
    DIR *dh = opendir(dir);
    char *found = NULL;
    struct dirent *e;
    while (dh && !found && (e = readdir(dh)) != NULL) {
        if (strcasecmp(e->d_name, name) != 0)
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        found = malloc(n);
        if (found)
            snprintf(found, n, "%s/%s", dir, e->d_name);
    }
    if (dh)
        closedir(dh);
    free(dir);
    return found;
}

static enum cm_status memo_header(struct dbf *d, char *err)
{
    unsigned char h[MEMO_HEADER];
    size_t got;
    if (read_exact(d->mfd, h, sizeof h, 0, &got))
        return cm_fail(err, CM_ERR_IO, "%s: read error: %s", d->mpath, strerror(errno));
    if (got < 24)
        return cm_fail(err, CM_ERR_INPUT, "%s: memo file of %zu bytes, too short for its "
                       "header", d->mpath, got);
    if (d->mkind == MEMO_FPT)
        d->mblock = (size_t)h[6] << 8 | h[7];
    else if (d->mkind == MEMO_DBT4)
        d->mblock = le16(h + 20) ? le16(h + 20) : 512;
    else
        d->mblock = 512;
    if (d->mblock == 0)
        return cm_fail(err, CM_ERR_INPUT, "%s: memo file header gives block size 0",
                       d->mpath);
    return CM_OK;
}

static enum cm_status open_memo(struct dbf *d, char *err)
{
    int fox = d->fam == F_FOX || d->fam == F_VFP;
    char *want = sibling(d->path, fox ? "fpt" : "dbt");
    char *other = sibling(d->path, fox ? "dbt" : "fpt");
    if (!want || !other) {
        free(want);
        free(other);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    d->mpath = find_ci(want);
    if (!d->mpath)
        d->mpath = find_ci(other);
    enum cm_status rc = CM_OK;
    if (!d->mpath)
        rc = cm_fail(err, CM_ERR_INPUT, "%s: memo file not found: expected %s (any case) "
                     "beside the table", d->path, want);
    free(want);
    free(other);
    if (rc)
        return rc;
    size_t n = strlen(d->mpath);
    if (strcasecmp(d->mpath + n - 4, ".fpt") == 0)
        d->mkind = MEMO_FPT;
    else
        d->mkind = d->version == 0x83 || d->version == 0x03 ? MEMO_DBT3 : MEMO_DBT4;
    d->mfd = open(d->mpath, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (d->mfd < 0 || fstat(d->mfd, &st) != 0)
        return cm_fail(err, CM_ERR_IO, "%s: %s", d->mpath, strerror(errno));
    d->msize = (uint64_t)st.st_size;
    return memo_header(d, err);
}

/* ---- opening and closing --------------------------------------------------------------- */

enum cm_status dbf_open(const char *path, const struct dbf_options *opt, struct dbf **out,
                        char *err)
{
    *out = NULL;
    struct dbf *d = calloc(1, sizeof *d);
    if (!d)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    d->fd = d->mfd = -1;
    d->nullflags = -1;
    buf_init(&d->vals, 0);
    buf_init(&d->memo, 0);
    buf_init(&d->skipped, 0);
    d->max_memo = opt && opt->max_memo_bytes ? opt->max_memo_bytes : DBF_MEMO_DEFAULT;
    d->path = strdup(path);
    enum cm_status rc = CM_OK;
    if (!d->path) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    d->base = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
    d->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (d->fd < 0) {
        rc = cm_fail(err, CM_ERR_IO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    rc = read_header(d, opt, err);
    if (!rc && needs_memo(d))
        rc = open_memo(d, err);
    if (rc)
        goto fail;
    d->rcap = DBF_CHUNK / d->reclen ? DBF_CHUNK / d->reclen : 1;
    d->rbuf = malloc(d->rcap * d->reclen);
    d->voff = calloc(d->nout, sizeof *d->voff);
    d->values = calloc(d->nout, sizeof *d->values);
    d->lengths = calloc(d->nout, sizeof *d->lengths);
    if (!d->rbuf || !d->voff || !d->values || !d->lengths) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    *out = d;
    return CM_OK;
fail:
    dbf_close(d);
    return rc;
}

void dbf_close(struct dbf *d)
{
    if (!d)
        return;
    if (d->fd >= 0)
        close(d->fd);
    if (d->mfd >= 0)
        close(d->mfd);
    codepage_close(d->cp);
    buf_free(&d->vals);
    buf_free(&d->memo);
    buf_free(&d->skipped);
    arena_free(&d->arena);
    free(d->rbuf);
    free(d->voff);
    free(d->values);
    free(d->lengths);
    free(d->mpath);
    free(d->path);
    free(d);
}

size_t dbf_field_count(const struct dbf *d) { return d->nout; }
const char *const *dbf_field_names(const struct dbf *d) { return d->names; }
long long dbf_deleted_count(const struct dbf *d) { return d->deleted; }

/* ---- values ----------------------------------------------------------------------------- */

/* The reason of a reject, into rej; returns 1 (reject) for `return why(...)`. */
static int why(struct reject *rej, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int why(struct reject *rej, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rej->reason, sizeof rej->reason, fmt, ap);
    va_end(ap);
    return 1;
}

/* Start value k at the end of vals; end_value() closes it. */
static void begin_value(struct dbf *d, const struct field *f)
{
    d->voff[f->out] = d->vals.len;
}

static enum cm_status end_value(struct dbf *d, const struct field *f)
{
    d->lengths[f->out] = d->vals.len - d->voff[f->out];
    return buf_addch(&d->vals, '\0');
}

/* bytes as UTF-8: copied when ASCII, else decoded; 1 = reject, -1 = out of memory */
static int put_text(struct dbf *d, const struct field *f, const unsigned char *p, size_t n,
                    int ascii, uint64_t recno, struct reject *rej)
{
    begin_value(d, f);
    size_t bad = 0;
    enum cm_status rc;
    if (ascii || is_ascii(p, n))
        rc = buf_add(&d->vals, p, n);
    else
        rc = codepage_decode(d->cp, (const char *)p, n, &d->vals, &bad);
    if (rc == CM_ERR_INPUT)
        return why(rej, "record %llu, field %s: byte 0x%02X is not valid in %s",
                   (unsigned long long)recno, f->name, p[bad], d->enc);
    if (rc || end_value(d, f))
        return -1;
    return 0;
}

static int put_ascii(struct dbf *d, const struct field *f, const char *s, size_t n)
{
    begin_value(d, f);
    if (buf_add(&d->vals, s, n) || end_value(d, f))
        return -1;
    return 0;
}

/* Without trailing spaces and NULs; eight spaces at a time first (fields are mostly
 * padding). */
static size_t rtrim(const unsigned char *p, size_t n)
{
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p + n - 8, 8);
        if (w != 0x2020202020202020ULL)
            break;
        n -= 8;
    }
    while (n && blank(p[n - 1]))
        n--;
    return n;
}

static const unsigned char *trim(const unsigned char *p, size_t *n)
{
    *n = rtrim(p, *n);
    while (*n && blank(*p)) {
        p++;
        (*n)--;
    }
    return p;
}

static const char *logical(unsigned char c)
{
    if (c == 'T' || c == 't' || c == 'Y' || c == 'y')
        return "T";
    if (c == 'F' || c == 'f' || c == 'N' || c == 'n')
        return "F";
    return blank(c) ? "" : "?";
}

/* A Julian day number as YYYY-MM-DD (Fliegel and Van Flandern). */
static int civil_date(long long jd, char *out, size_t cap)
{
    long long l = jd + 68569, n = 4 * l / 146097;
    l -= (146097 * n + 3) / 4;
    long long i = 4000 * (l + 1) / 1461001;
    l = l - 1461 * i / 4 + 31;
    long long j = 80 * l / 2447, day = l - 2447 * j / 80;
    l = j / 11;
    long long month = j + 2 - 12 * l, year = 100 * (n - 49) + i + l;
    return snprintf(out, cap, "%04lld-%02lld-%02lld", year, month, day);
}

/* I, Y, T and VFP's B: binary values as text */
static size_t binary_text(const struct field *f, const unsigned char *p, char *out,
                          size_t cap)
{
    int n = 0;
    if (f->kind == K_INT) {
        int32_t v;
        uint32_t u = le32(p);
        memcpy(&v, &u, sizeof v);
        n = snprintf(out, cap, "%ld", (long)v);
    } else if (f->kind == K_CURRENCY) {
        int64_t v = le64s(p);
        unsigned long long a = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
        n = snprintf(out, cap, "%s%llu.%04llu", v < 0 ? "-" : "", a / 10000, a % 10000);
    } else if (f->kind == K_DATETIME) {
        uint32_t day = le32(p), ms = le32(p + 4);
        if (day == 0)
            return 0;
        unsigned secs = (unsigned)((ms + 500) / 1000);
        if (secs > 86399)
            secs = 86399;
        n = civil_date(day, out, cap);
        n += snprintf(out + n, cap - (size_t)n, " %02u:%02u:%02u", secs / 3600,
                      secs / 60 % 60, secs % 60);
    } else {
        uint64_t bits = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
        double x;
        memcpy(&x, &bits, sizeof x);
        n = f->dec ? snprintf(out, cap, "%.*f", (int)f->dec, x)
                   : snprintf(out, cap, "%.15g", x);
    }
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* ---- memos ------------------------------------------------------------------------------- */

enum mres { M_OK, M_EMPTY, M_REJECT, M_ERROR };

static const char *memo_base(const struct dbf *d)
{
    const char *s = strrchr(d->mpath, '/');
    return s ? s + 1 : d->mpath;
}

/* The block number of a memo field: 10 ASCII digits (blank: none), or 4 bytes (VFP). */
static enum mres memo_block(const struct dbf *d, const struct field *f,
                            const unsigned char *p, uint64_t recno, uint32_t *block,
                            struct reject *rej)
{
    (void)d;
    if (f->len == 4) {
        *block = le32(p);
        return *block ? M_OK : M_EMPTY;
    }
    size_t n = f->len;
    const unsigned char *s = trim(p, &n);
    uint64_t b = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || b > UINT32_MAX / 10) {
            why(rej, "record %llu, field %s: memo pointer \"%.*s\" is not a block number",
                (unsigned long long)recno, f->name, (int)n, (const char *)s);
            return M_REJECT;
        }
        b = b * 10 + (uint64_t)(s[i] - '0');
    }
    *block = (uint32_t)b;
    return b ? M_OK : M_EMPTY;
}

static enum mres memo_read(struct dbf *d, uint64_t off, size_t n, char *err)
{
    buf_reset(&d->memo);
    size_t got;
    if (buf_grow(&d->memo, n)) {
        cm_fail(err, CM_ERR_NOMEM, "out of memory for a memo of %zu bytes", n);
        return M_ERROR;
    }
    if (read_exact(d->mfd, d->memo.data, n, off, &got)) {
        cm_fail(err, CM_ERR_IO, "%s: read error: %s", d->mpath, strerror(errno));
        return M_ERROR;
    }
    d->memo.len = got;
    d->memo.data[got] = '\0';
    return M_OK;
}

/* A memo with its length up front (FoxPro, dBase IV): checked, then read. */
static enum mres memo_sized(struct dbf *d, const struct field *f, uint64_t recno,
                            uint32_t block, uint64_t start, uint64_t len,
                            struct reject *rej, char *err)
{
    if (len > d->max_memo) {
        why(rej, "record %llu, field %s: memo of %llu bytes is over max_memo_bytes (%zu)",
            (unsigned long long)recno, f->name, (unsigned long long)len, d->max_memo);
        return M_REJECT;
    }
    if (start + len > d->msize) {
        why(rej, "record %llu, field %s: memo in block %lu says %llu bytes, past the end of "
            "%s (%llu bytes)", (unsigned long long)recno, f->name, (unsigned long)block,
            (unsigned long long)len, memo_base(d), (unsigned long long)d->msize);
        return M_REJECT;
    }
    return memo_read(d, start, (size_t)len, err);
}

/* A dBase III memo: text up to the first 0x1A, read a piece at a time. */
static enum mres memo_scan(struct dbf *d, const struct field *f, uint64_t recno,
                           uint64_t off, struct reject *rej, char *err)
{
    buf_reset(&d->memo);
    for (;;) {
        if (buf_grow(&d->memo, DBF_MEMO_SCAN)) {
            cm_fail(err, CM_ERR_NOMEM, "out of memory reading a memo");
            return M_ERROR;
        }
        size_t got;
        char *at = d->memo.data + d->memo.len;
        if (read_exact(d->mfd, at, DBF_MEMO_SCAN, off + d->memo.len, &got)) {
            cm_fail(err, CM_ERR_IO, "%s: read error: %s", d->mpath, strerror(errno));
            return M_ERROR;
        }
        char *end = memchr(at, 0x1A, got);
        d->memo.len += end ? (size_t)(end - at) : got;
        d->memo.data[d->memo.len] = '\0';
        if (d->memo.len > d->max_memo) {
            why(rej, "record %llu, field %s: memo longer than max_memo_bytes (%zu)",
                (unsigned long long)recno, f->name, d->max_memo);
            return M_REJECT;
        }
        if (end || got < DBF_MEMO_SCAN)
            return M_OK;                  /* the end mark, or the end of the file */
    }
}

/* The memo's bytes into d->memo. */
static enum mres memo_bytes(struct dbf *d, const struct field *f, const unsigned char *p,
                            uint64_t recno, struct reject *rej, char *err)
{
    uint32_t block;
    enum mres m = memo_block(d, f, p, recno, &block, rej);
    if (m != M_OK)
        return m;
    uint64_t off = (uint64_t)block * d->mblock;
    unsigned char h[8];
    size_t got = 0;
    if (off < d->msize && read_exact(d->mfd, h, sizeof h, off, &got)) {
        cm_fail(err, CM_ERR_IO, "%s: read error: %s", d->mpath, strerror(errno));
        return M_ERROR;
    }
    if (got == 0 || (d->mkind == MEMO_FPT && got < 8)) {
        why(rej, "record %llu, field %s: memo block %lu is past the end of %s (%llu bytes)",
            (unsigned long long)recno, f->name, (unsigned long)block, memo_base(d),
            (unsigned long long)d->msize);
        return M_REJECT;
    }
    if (d->mkind == MEMO_FPT)
        return memo_sized(d, f, recno, block, off + 8, be32(h + 4), rej, err);
    if (got == 8 && h[0] == 0xFF && h[1] == 0xFF && h[2] == 0x08 && h[3] == 0x00) {
        uint32_t len = le32(h + 4);           /* dBase IV: counts these 8 bytes */
        return memo_sized(d, f, recno, block, off + 8, len >= 8 ? len - 8 : 0, rej, err);
    }
    return memo_scan(d, f, recno, off, rej, err);
}

/* A .DBT memo: end marks and padding at its end gone, dBase's soft line break 0x8D 0x0A
 * (word wrap) as a space. FoxPro memos have an exact length: kept as they are. */
static void memo_clean(struct dbf *d)
{
    struct buf *m = &d->memo;
    if (d->mkind == MEMO_FPT)
        return;
    while (m->len && (m->data[m->len - 1] == 0x1A || m->data[m->len - 1] == 0x1F ||
                      m->data[m->len - 1] == '\0'))
        m->len--;
    size_t o = 0;
    for (size_t i = 0; i < m->len; i++) {
        if ((unsigned char)m->data[i] == 0x8D && i + 1 < m->len && m->data[i + 1] == '\n') {
            if (o == 0 || m->data[o - 1] != ' ')
                m->data[o++] = ' ';
            i++;
            continue;
        }
        m->data[o++] = m->data[i];
    }
    m->len = o;
    m->data[o] = '\0';
}

static int memo_value(struct dbf *d, const struct field *f, const unsigned char *p,
                      uint64_t recno, struct reject *rej, char *err)
{
    enum mres m = memo_bytes(d, f, p, recno, rej, err);
    if (m == M_ERROR)
        return -2;
    if (m == M_REJECT)
        return 1;
    if (m == M_EMPTY)
        return put_ascii(d, f, "", 0);
    memo_clean(d);
    const char *nul = memchr(d->memo.data, '\0', d->memo.len);
    if (nul)
        return why(rej, "record %llu, field %s: the memo holds a NUL byte (byte %zu of "
                   "%zu): binary data or damage", (unsigned long long)recno, f->name,
                   (size_t)(nul - d->memo.data) + 1, d->memo.len);
    return put_text(d, f, (const unsigned char *)d->memo.data, d->memo.len, 0, recno, rej);
}

/* ---- records ------------------------------------------------------------------------------ */

/* One field's value: 0, 1 reject (reason in rej), -1 out of memory, -2 error (err). */
static int field_value(struct dbf *d, const struct field *f, const unsigned char *rec,
                       int ascii, uint64_t recno, struct reject *rej, char *err)
{
    const unsigned char *p = rec + f->off;
    size_t n = f->len;
    char tmp[64];
    switch (f->kind) {
    case K_TEXT: {
        n = rtrim(p, n);
        const unsigned char *nul = memchr(p, '\0', n);
        if (nul)
            return why(rej, "record %llu, field %s: a NUL byte inside the value (byte %zu "
                       "of %zu): damage?", (unsigned long long)recno, f->name,
                       (size_t)(nul - p) + 1, f->len);
        return put_text(d, f, p, n, ascii, recno, rej);
    }
    case K_NUMBER:
    case K_DATE:
        p = trim(p, &n);
        return put_text(d, f, p, n, ascii, recno, rej);
    case K_LOGICAL: {
        const char *v = logical(p[0]);
        return put_ascii(d, f, v, strlen(v));
    }
    case K_MEMO:
        return memo_value(d, f, p, recno, rej, err);
    default:
        n = binary_text(f, p, tmp, sizeof tmp);
        return put_ascii(d, f, tmp, n);
    }
}

static int is_null(const struct dbf *d, const struct field *f, const unsigned char *rec)
{
    if (f->null_bit < 0 || d->nullflags < 0)
        return 0;
    const unsigned char *flags = rec + d->f[d->nullflags].off;
    return flags[f->null_bit / 8] >> (f->null_bit % 8) & 1;
}

static enum conn_next reject_record(struct dbf *d, struct reject *rej, uint64_t recno,
                                    const unsigned char *raw, size_t raw_len)
{
    rej->file = d->path;
    rej->line = rej->line_end = (long)recno;
    rej->raw = (const char *)raw;
    rej->raw_len = raw_len < DBF_RAW_MAX ? raw_len : DBF_RAW_MAX;
    return CONN_REJECT;
}

static enum conn_next read_record(struct dbf *d, const unsigned char *r, uint64_t recno,
                                  struct raw_record *rec, struct reject *rej, char *err)
{
    buf_reset(&d->vals);
    if (buf_grow(&d->vals, d->reclen * 4 + d->nout * 24 + 64)) {
        cm_fail(err, CM_ERR_NOMEM, "%s: out of memory for record %llu", d->path,
                (unsigned long long)recno);
        return CONN_ERROR;
    }
    int ascii = is_ascii(r, d->reclen);
    for (size_t k = 0; k < d->nf; k++) {
        const struct field *f = &d->f[k];
        if (f->out < 0)
            continue;
        if (is_null(d, f, r)) {
            d->voff[f->out] = SIZE_MAX;
            continue;
        }
        int v = field_value(d, f, r, ascii, recno, rej, err);
        if (v == 1)
            return reject_record(d, rej, recno, r, d->reclen);
        if (v == -1)
            cm_fail(err, CM_ERR_NOMEM, "%s: out of memory for record %llu", d->path,
                    (unsigned long long)recno);
        if (v < 0)
            return CONN_ERROR;
    }
    for (size_t k = 0; k < d->nout; k++) {
        int absent = d->voff[k] == SIZE_MAX;
        d->values[k] = absent ? NULL : d->vals.data + d->voff[k];
        if (absent)
            d->lengths[k] = 0;
    }
    rec->nfields = d->nout;
    rec->names = d->names;
    rec->names_version = 1;
    rec->values = d->values;
    rec->lengths = d->lengths;
    rec->file = d->path;
    rec->line = rec->line_end = (long)recno;
    rec->raw = (const char *)r;
    rec->raw_len = d->reclen < DBF_RAW_MAX ? d->reclen : DBF_RAW_MAX;
    return CONN_RECORD;
}

static enum cm_status fill(struct dbf *d, char *err)
{
    uint64_t left = d->whole - d->next;
    size_t want = left < d->rcap ? (size_t)left : d->rcap, got;
    if (read_exact(d->fd, d->rbuf, want * d->reclen, d->hdrlen + d->next * d->reclen, &got))
        return cm_fail(err, CM_ERR_IO, "%s: read error: %s", d->path, strerror(errno));
    if (got < want * d->reclen)
        return cm_fail(err, CM_ERR_IO, "%s: the file ended inside record %llu while it was "
                       "read: was it changed?", d->path,
                       (unsigned long long)(d->next + got / d->reclen + 1));
    d->rlen = want;
    d->rpos = 0;
    return CM_OK;
}

/* After the whole records: the one cut short, then the ones missing. */
static enum conn_next tail(struct dbf *d, struct reject *rej, char *err)
{
    uint64_t count = d->hdr_count;
    if (d->partial && !d->cut_done) {
        d->cut_done = 1;
        uint64_t recno = d->whole + 1;
        size_t got;
        if (read_exact(d->fd, d->rbuf, d->partial, d->hdrlen + d->whole * d->reclen, &got)) {
            cm_fail(err, CM_ERR_IO, "%s: read error: %s", d->path, strerror(errno));
            d->failed = 1;
            return CONN_ERROR;
        }
        why(rej, "record %llu of %llu is cut short: the file ends after %zu of its %zu "
            "bytes", (unsigned long long)recno, (unsigned long long)count, d->partial,
            d->reclen);
        return reject_record(d, rej, recno, d->rbuf, got);
    }
    uint64_t first = d->whole + (d->partial ? 2 : 1);
    if (count >= first && !d->missing_done) {
        d->missing_done = 1;
        const char *where = d->partial ? "inside" : "after";
        uint64_t last_seen = first - 1;
        if (first == count)
            why(rej, "record %llu of %llu is missing: the file ends %s record %llu",
                (unsigned long long)first, (unsigned long long)count, where,
                (unsigned long long)last_seen);
        else
            why(rej, "records %llu to %llu of %llu are missing: the file ends %s record %llu",
                (unsigned long long)first, (unsigned long long)count,
                (unsigned long long)count, where, (unsigned long long)last_seen);
        reject_record(d, rej, first, NULL, 0);
        rej->line_end = (long)count;
        return CONN_REJECT;
    }
    return CONN_EOF;
}

enum conn_next dbf_next(struct dbf *d, struct raw_record *rec, struct reject *rej, char *err)
{
    if (d->failed)
        return CONN_ERROR;
    for (;;) {
        if (d->next >= d->whole)
            return tail(d, rej, err);
        if (d->rpos == d->rlen && fill(d, err) != CM_OK) {
            d->failed = 1;
            return CONN_ERROR;
        }
        const unsigned char *r = d->rbuf + d->rpos * d->reclen;
        d->rpos++;
        uint64_t recno = ++d->next;
        if (r[0] == '*') {
            d->deleted++;
            continue;
        }
        if (r[0] == 0x1A) {                   /* the end-of-file mark: the table ends */
            d->whole = recno - 1;
            d->partial = 0;
            continue;
        }
        enum conn_next res = read_record(d, r, recno, rec, rej, err);
        if (res == CONN_ERROR)
            d->failed = 1;
        return res;
    }
}

/* ---- description ------------------------------------------------------------------------ */

enum cm_status dbf_describe(const struct dbf *d, struct buf *out)
{
    enum cm_status rc = buf_printf(out, "%s: %s%s, %s (%s), %zu fields", d->base,
                                   family_name[d->fam], d->mkind ? " with memo" : "",
                                   d->enc, d->enc_how, d->nout);
    if (!rc && d->in_file == d->hdr_count && !d->partial)
        rc = buf_printf(out, ", %lu records", (unsigned long)d->hdr_count);
    else if (!rc)
        rc = buf_printf(out, ", %lu records by the header but %llu in the file%s",
                        (unsigned long)d->hdr_count, (unsigned long long)d->in_file,
                        d->partial ? " and one cut short" : "");
    if (!rc && d->skipped.len)
        rc = buf_printf(out, ", not read: %s", d->skipped.data);
    if (!rc && d->deleted)
        rc = buf_printf(out, ", %lld deleted record%s skipped", d->deleted,
                        d->deleted == 1 ? "" : "s");
    return rc;
}
