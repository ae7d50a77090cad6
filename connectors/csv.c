/* csv.c — the CSV connector ("connector": "csv"): delimited text exports as ACT!,
 * GoldMine, Outlook and friends really write them.
 *
 * Owns: the options below, delimiter sniffing, the header (names trimmed, made unique),
 * RFC 4180 parsing with the quirks of legacy files, hard limits, and the reject
 * reasons. Borrows the byte stream and the encoding rules from textin.c.
 *
 * Options (in the source object):
 *   delimiter         ",", ";", "\t" (or "tab"), "|" or "auto" (default: sniffed)
 *   skip_initial_space  true: spaces right after a delimiter belong to it, not to the
 *                     next value (Febrl's "a, b, c"; a quote after them opens a quoted
 *                     field); false: they are part of the value; "auto" (default): true
 *                     when every delimiter of the first record is followed by a space
 *   encoding          "auto" (default), "utf-8", "windows-1252", "latin1", "utf-16le",
 *                     "utf-16be" or any iconv name; a BOM always wins
 *   header            true (default): the first non-empty record names the fields
 *   columns           ["Company", ...]: field names (header false), or names that
 *                     override the header's (header true: the header row is skipped)
 *   short_rows        "reject" (default) or "pad" (missing fields are absent)
 *   max_field_bytes   1048576: a longer field rejects its record
 *   max_record_bytes  8388608: a longer record is rejected
 *   max_input_bytes   0 (no cap): decompressed bytes; more ends the source
 *
 * Reading: bytes come into one window buffer in large chunks; a record is parsed where
 * it lies (the next quote, delimiter, CR, LF or NUL found eight bytes at a time), field
 * values are copied once into a reused value buffer, NUL-terminated; nothing is
 * allocated per record. A record that does not fit in the window moves to its front and
 * more is read behind it; the window never grows past max_record_bytes plus two chunks.
 * A record over a limit is skipped chunk by chunk, never buffered.
 * A record with a bad quote is rejected as its first physical line only, and parsing
 * starts again after that line, from the window or, if the window no longer holds it,
 * by seeking the input back. */
#include "connectors/connector.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/formats/textin.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"
#include "pipeline/hash.h"

#define CSV_CHUNK          (256 * 1024)  /* bytes read at a time */
#define CSV_RAW_MAX        4096          /* record text kept for rejected_record */
#define CSV_MAX_FIELDS     65536         /* fields kept per record */
#define CSV_SNIFF_RECORDS  20            /* records looked at to choose the delimiter */
#define CSV_LIMIT_MAX      (1LL << 30)   /* largest max_*_bytes accepted */

enum pres {              /* what parse_record found */
    P_OK,                /* a whole record */
    P_MORE,              /* the window ends inside the record: read more */
    P_UNBALANCED,        /* a bad quote: reject the record's first line */
    P_UNBALANCED_LONG,   /* ... and that line is too long to hold: skip it */
    P_FIELD_BIG,         /* over max_field_bytes: skip the record */
    P_RECORD_BIG,        /* over max_record_bytes: skip the record */
    P_NOMEM
};

struct prec {            /* one parsed record, offsets into the window */
    size_t nf;           /* fields kept (at most CSV_MAX_FIELDS) */
    size_t nfields;      /* fields seen */
    size_t vlen;         /* bytes used in vals */
    size_t body_end;     /* end of the record's text (before its line end) */
    size_t end;          /* after its line end */
    int terminated;      /* ended by a line end rather than the end of input */
    long inner;          /* line ends inside quoted fields */
    size_t first_nl;     /* after the first line end in the record, 0 = none */
    size_t first_body;   /* ... and where that line end starts */
    size_t nul_field;    /* first field holding a NUL byte, 1-based */
    size_t big_field;    /* the field over max_field_bytes, 1-based */
    size_t stop;         /* where parsing stopped on a limit */
    int in_quote;        /* ... inside a quoted field */
};

struct csv {
    struct textin *ti;
    char *file;                  /* src->path, rec->file */
    char delim;
    int delim_sniffed;
    int skip_space;              /* spaces after a delimiter are skipped */
    int skip_space_sniffed;
    int header;
    int pad;
    size_t max_field, max_record;

    struct buf win;              /* stream bytes from win_off; NUL after the last */
    size_t pos;                  /* where the next record starts */
    uint64_t win_off;
    int eof;                     /* nothing more to read behind the window */
    int failed;
    long line;                   /* physical line at pos, 1-based */
    unsigned char ucls[256];     /* bytes that end an unquoted run */
    unsigned char qcls[256];     /* bytes that end a quoted run */

    struct buf vals;             /* values of the current record, NUL-separated */
    const char **fval;           /* per field: value, length */
    size_t *flen;
    size_t fcap;
    struct prec r;

    const char **names;          /* the header; stable for the whole file */
    size_t ncols;
    int have_names;
    struct arena arena;          /* names */

    char rawcut[CSV_RAW_MAX];    /* text of a record that had to be skipped */
    size_t rawcut_len;
};

enum outcome { O_RECORD, O_REJECT, O_EOF, O_ERROR };

/* ---- the window ------------------------------------------------------------ */

/* Keep the bytes from pos on, read more behind them. */
static enum cm_status fill(struct csv *c, char *err)
{
    size_t keep = c->win.len - c->pos;
    if (c->pos) {
        memmove(c->win.data, c->win.data + c->pos, keep);
        c->win_off += c->pos;
        c->win.len = keep;
        c->pos = 0;
    }
    enum cm_status rc;
    if (!c->win.data || c->win.alloc - c->win.len - 1 < CSV_CHUNK / 2) {
        rc = buf_grow(&c->win, CSV_CHUNK);
        if (rc)
            return cm_fail(err, rc, "%s: out of memory for the read buffer", c->file);
    }
    rc = buf_grow(&c->vals, c->win.alloc + 2);      /* values never outgrow the text */
    if (rc)
        return cm_fail(err, rc, "%s: out of memory for the read buffer", c->file);
    size_t got;
    rc = textin_read(c->ti, c->win.data + c->win.len, c->win.alloc - c->win.len - 1, &got,
                     err);
    if (rc)
        return rc;
    if (got == 0)
        c->eof = 1;
    c->win.len += got;
    c->win.data[c->win.len] = '\0';                /* sentinel: stops every scan */
    return CM_OK;
}

/* Drop the window and read from stream offset off (a bad quote found too late). */
static enum cm_status restart_at(struct csv *c, uint64_t off, char *err)
{
    enum cm_status rc = textin_seek(c->ti, off, err);
    if (rc)
        return rc;
    c->win.len = 0;
    c->win.data[0] = '\0';
    c->pos = 0;
    c->win_off = off;
    c->eof = 0;
    return CM_OK;
}

static void set_classes(struct csv *c)
{
    memset(c->ucls, 0, sizeof c->ucls);
    memset(c->qcls, 0, sizeof c->qcls);
    c->ucls[(unsigned char)c->delim] = 1;
    c->ucls['\r'] = c->ucls['\n'] = c->ucls['\0'] = 1;
    c->qcls['"'] = 1;
    c->qcls['\r'] = c->qcls['\n'] = c->qcls['\0'] = 1;
}

/* ---- parsing ---------------------------------------------------------------- */

/* The first offset from i holding a stop byte: `stop`, CR, LF or NUL (cls says the same
 * as a table). Eight bytes at a time where it can: a byte equal to c makes the lowest
 * set bit of zero_byte(w ^ c * ONES) mark it, exactly for the first such byte. The
 * window's NUL sentinel at p[n] ends the byte loop. */
#define ONES 0x0101010101010101ULL
#define zero_byte(v) (((v) - ONES) & ~(v) & 0x8080808080808080ULL)

static inline size_t scan(const unsigned char *p, size_t i, size_t n, unsigned char stop,
                          const unsigned char *cls)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t s8 = stop * ONES, cr8 = '\r' * ONES, lf8 = '\n' * ONES;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t m = zero_byte(w ^ s8) | zero_byte(w ^ cr8) | zero_byte(w ^ lf8) |
                     zero_byte(w);
        if (m)
            return i + ((size_t)__builtin_ctzll(m) >> 3);
        i += 8;
    }
#else
    (void)n;
    (void)stop;
#endif
    while (!cls[p[i]])
        i++;
    return i;
}

static int grow_fields(struct csv *c, size_t want)
{
    if (want <= c->fcap)
        return 1;
    size_t cap = c->fcap ? c->fcap : 64;
    while (cap < want)
        cap *= 2;
    const char **v = realloc(c->fval, cap * sizeof *v);
    if (!v)
        return 0;
    c->fval = v;
    size_t *l = realloc(c->flen, cap * sizeof *l);
    if (!l)
        return 0;
    c->flen = l;
    c->fcap = cap;
    return 1;
}

static enum pres over_limit(struct prec *r, size_t i, int in_quote, int field)
{
    r->stop = i;
    r->in_quote = in_quote;
    r->big_field = field ? r->nfields + 1 : 0;
    return field ? P_FIELD_BIG : P_RECORD_BIG;
}

/* A closing quote followed by text: find the end of the record's first line. */
static enum pres junk_after_quote(struct csv *c, struct prec *r, size_t i)
{
    if (r->first_nl)
        return P_UNBALANCED;
    const char *p = c->win.data;
    size_t n = c->win.len;
    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    if (i == n && !c->eof) {
        if (n - c->pos > c->max_record) {
            r->stop = n;
            return P_UNBALANCED_LONG;
        }
        return P_MORE;
    }
    r->first_body = i;
    if (i < n && p[i] == '\r') {
        if (i + 1 == n && !c->eof)
            return P_MORE;
        if (i + 1 < n && p[i + 1] == '\n')
            i++;
    }
    r->first_nl = i < n ? i + 1 : n;
    return P_UNBALANCED;
}

/* Parse the record at c->pos. Values go to c->vals, fields to c->fval / c->flen. */
static enum pres parse_record(struct csv *c, struct prec *r)
{
    const unsigned char *p = (const unsigned char *)c->win.data;
    const size_t n = c->win.len, start = c->pos;
    const unsigned char delim = (unsigned char)c->delim;
    char *v = c->vals.data;
    size_t i = start, vl = 0;
    memset(r, 0, sizeof *r);
    for (;;) {
        size_t fstart = vl;
        if (i < n && p[i] == '"') {
            i++;
            for (;;) {
                size_t s = i;
                i = scan(p, i, n, '"', c->qcls);
                memcpy(v + vl, p + s, i - s);
                vl += i - s;
                if (vl - fstart > c->max_field || i - start > c->max_record)
                    return over_limit(r, i, 1, vl - fstart > c->max_field);
                if (i == n) {
                    if (!c->eof)
                        return P_MORE;
                    return P_UNBALANCED;              /* the quote runs to the end */
                }
                unsigned char ch = p[i];
                if (ch == '"') {
                    if (i + 1 == n && !c->eof)
                        return P_MORE;
                    if (i + 1 < n && p[i + 1] == '"') {
                        v[vl++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;                            /* the closing quote */
                }
                if (ch == '\0') {
                    if (!r->nul_field)
                        r->nul_field = r->nfields + 1;
                    v[vl++] = '\0';
                    i++;
                    continue;
                }
                size_t body = i;                      /* a line end, kept as it is */
                if (ch == '\r') {
                    if (i + 1 == n && !c->eof)
                        return P_MORE;
                    if (i + 1 < n && p[i + 1] == '\n')
                        v[vl++] = (char)p[i++];
                }
                v[vl++] = (char)p[i++];
                r->inner++;
                if (!r->first_nl) {
                    r->first_nl = i;
                    r->first_body = body;
                }
            }
            if (i < n && p[i] != delim && p[i] != '\r' && p[i] != '\n')
                return junk_after_quote(c, r, i);
        } else {
            size_t s = i;
            for (;;) {
                i = scan(p, i, n, delim, c->ucls);
                if (i == n || p[i] != '\0')
                    break;
                if (!r->nul_field)
                    r->nul_field = r->nfields + 1;
                i++;
            }
            memcpy(v + vl, p + s, i - s);
            vl += i - s;
            if (vl - fstart > c->max_field || i - start > c->max_record)
                return over_limit(r, i, 0, vl - fstart > c->max_field);
            if (i == n && !c->eof)
                return P_MORE;
        }

        v[vl++] = '\0';                               /* the field ends here */
        if (r->nf == c->fcap && c->fcap < CSV_MAX_FIELDS && !grow_fields(c, c->fcap + 1))
            return P_NOMEM;
        if (r->nf < c->fcap) {
            c->fval[r->nf] = v + fstart;
            c->flen[r->nf] = vl - 1 - fstart;
            r->nf++;
        }
        r->nfields++;
        if (i == n) {
            r->body_end = r->end = n;
            break;
        }
        if (p[i] == delim) {
            i++;
            while (c->skip_space && i < n && p[i] == ' ')
                i++;
            continue;
        }
        r->body_end = i;                              /* CR, LF or CRLF */
        if (p[i] == '\r') {
            if (i + 1 == n && !c->eof)
                return P_MORE;
            if (i + 1 < n && p[i + 1] == '\n')
                i++;
        }
        r->end = i + 1;
        r->terminated = 1;
        break;
    }
    r->vlen = vl;
    return P_OK;
}

/* ---- skipping what cannot be held ------------------------------------------ */

enum skip_state { SK_FIELD, SK_UNQUOTED, SK_QUOTED, SK_QUOTE, SK_CR };

struct skip {
    long lines;            /* line ends passed inside quotes */
    int bad_quote;         /* a quote ran to the end of the input, or a closing quote
                              was followed by text */
    uint64_t first_nl;     /* stream offset after the record's first line end, 0 = not
                              known yet (the caller sets it when it knows) */
};

static void keep_rawcut(struct csv *c)
{
    size_t n = c->win.len - c->pos;
    c->rawcut_len = n < CSV_RAW_MAX ? n : CSV_RAW_MAX;
    memcpy(c->rawcut, c->win.data + c->pos, c->rawcut_len);
}

/* Skip the rest of a record from window offset i, reading on chunk by chunk and keeping
 * nothing. With line_only, quotes mean nothing: the first line end ends it. Leaves
 * c->pos after the record's line end, except when a bad quote is found and the
 * record's first line end is known: then the caller goes back there. */
static enum cm_status skip_rest(struct csv *c, size_t i, enum skip_state st, int line_only,
                                struct skip *s, char *err)
{
    int prev_cr = 0;
    for (;;) {
        const char *p = c->win.data;
        size_t n = c->win.len;
        for (; i < n; i++) {
            char ch = p[i];
            if (st == SK_CR) {                        /* the record ended with CR */
                c->pos = ch == '\n' ? i + 1 : i;
                return CM_OK;
            }
            if (st == SK_QUOTED && !line_only) {
                if (ch == '"') {
                    st = SK_QUOTE;
                } else if (ch == '\r' || (ch == '\n' && !prev_cr)) {
                    s->lines++;
                    if (!s->first_nl)
                        s->first_nl = c->win_off + i + 1;
                } else if (ch == '\n' && s->first_nl == c->win_off + i) {
                    s->first_nl++;                    /* CRLF */
                }
                prev_cr = ch == '\r';
                continue;
            }
            if (ch == '\r' || ch == '\n') {
                if (ch == '\n') {
                    c->pos = i + 1;
                    return CM_OK;
                }
                st = SK_CR;
                continue;
            }
            if (line_only)
                continue;
            if (ch == c->delim) {
                st = SK_FIELD;
            } else if (ch == ' ' && st == SK_FIELD && c->skip_space) {
                continue;                             /* part of the delimiter */
            } else if (ch == '"' && (st == SK_FIELD || st == SK_QUOTE)) {
                st = SK_QUOTED;                       /* opens, or "" inside quotes */
            } else if (st == SK_QUOTE) {              /* text after a closing quote */
                s->bad_quote = 1;
                if (s->first_nl)
                    return CM_OK;
                line_only = 1;                        /* one long line: skip it */
            } else {
                st = SK_UNQUOTED;
            }
        }
        if (c->eof) {
            if (st == SK_QUOTED && !line_only)
                s->bad_quote = 1;
            c->pos = n;
            return CM_OK;
        }
        c->pos = n;                                   /* drop it all, read on */
        enum cm_status rc = fill(c, err);
        if (rc)
            return rc;
        i = 0;
    }
}

/* ---- rejects ------------------------------------------------------------------ */

static enum outcome reject(struct reject *rej, const struct csv *c, long line,
                           long line_end, const char *raw, size_t raw_len)
{
    rej->file = c->file;
    rej->line = line;
    rej->line_end = line_end;
    rej->raw = raw;
    rej->raw_len = raw_len < CSV_RAW_MAX ? raw_len : CSV_RAW_MAX;
    return O_REJECT;
}

/* A bad quote: reject the record's first physical line, parse on after it. */
static enum outcome reject_first_line(struct csv *c, struct reject *rej)
{
    const struct prec *r = &c->r;
    long line = c->line;
    const char *raw = c->win.data + c->pos;
    size_t body = r->first_nl ? r->first_body : c->win.len;
    snprintf(rej->reason, sizeof rej->reason, "unbalanced quote");
    c->pos = r->first_nl ? r->first_nl : c->win.len;
    c->line++;
    return reject(rej, c, line, line, raw, body - (size_t)(raw - c->win.data));
}

static void cut_at_line_end(struct csv *c)
{
    for (size_t k = 0; k < c->rawcut_len; k++) {
        if (c->rawcut[k] == '\r' || c->rawcut[k] == '\n') {
            c->rawcut_len = k;
            return;
        }
    }
}

static const char *field_name(const struct csv *c, size_t k)
{
    return c->have_names && k < c->ncols ? c->names[k] : NULL;
}

/* " (Notes)": the header name of field k (0-based) for a reject reason, or "". */
static const char *field_label(const struct csv *c, size_t k, char out[300])
{
    const char *name = field_name(c, k);
    out[0] = '\0';
    if (name)
        snprintf(out, 300, " (%.256s)", name);
    return out;
}

/* A record over a limit, or a bad quote on a line too long to hold: skip it. */
static enum outcome reject_skipped(struct csv *c, enum pres pr, struct reject *rej,
                                   char *err)
{
    struct prec r = c->r;
    long line = c->line;
    struct skip s = { 0, 0, r.first_nl ? c->win_off + r.first_nl : 0 };
    keep_rawcut(c);
    enum skip_state st = r.in_quote ? SK_QUOTED : SK_UNQUOTED;
    enum cm_status rc = skip_rest(c, r.stop, st, pr == P_UNBALANCED_LONG, &s, err);
    if (rc)
        return O_ERROR;
    if (pr == P_UNBALANCED_LONG || s.bad_quote) {
        /* only the record's first line is bad: parse on after it */
        snprintf(rej->reason, sizeof rej->reason, "unbalanced quote");
        cut_at_line_end(c);
        if (s.bad_quote && s.first_nl) {
            rc = restart_at(c, s.first_nl, err);
            if (rc)
                return O_ERROR;
        }
        c->line = line + 1;
        return reject(rej, c, line, line, c->rawcut, c->rawcut_len);
    }
    char col[300];
    if (pr == P_FIELD_BIG)
        snprintf(rej->reason, sizeof rej->reason, "field %zu%s exceeds max_field_bytes (%zu)",
                 r.big_field, field_label(c, r.big_field - 1, col), c->max_field);
    else
        snprintf(rej->reason, sizeof rej->reason,
                 "record exceeds max_record_bytes (%zu)", c->max_record);
    long line_end = line + r.inner + s.lines;
    c->line = line_end + 1;
    return reject(rej, c, line, line_end, c->rawcut, c->rawcut_len);
}

/* ---- records ------------------------------------------------------------------ */

/* Decode the record's values to UTF-8; a bad byte rejects the record. */
static int decode_record(struct csv *c, long line, struct reject *rej, char *err)
{
    struct prec *r = &c->r;
    const char *out;
    size_t out_len, bad;
    enum cm_status rc = textin_decode(c->ti, c->vals.data, r->vlen, &out, &out_len, &bad);
    if (rc == CM_ERR_INPUT) {
        size_t k = 0;
        while (k + 1 < r->nf && (size_t)(c->fval[k + 1] - c->vals.data) <= bad)
            k++;
        size_t off = bad - (size_t)(c->fval[k] - c->vals.data);
        char col[300];
        field_label(c, k, col);
        if (textin_is_utf8(c->ti))
            snprintf(rej->reason, sizeof rej->reason,
                     "invalid %s in field %zu%s at byte offset %zu",
                     textin_encoding(c->ti), k + 1, col, off);
        else
            snprintf(rej->reason, sizeof rej->reason,
                     "byte 0x%02x in field %zu%s at byte offset %zu is not "
                     "valid %s", (unsigned char)c->vals.data[bad], k + 1, col, off,
                     textin_encoding(c->ti));
        return 0;
    }
    if (rc) {
        cm_fail(err, rc, "%s:%ld: cannot decode record: %s", c->file, line,
                cm_strerror(rc));
        return -1;
    }
    if (out != c->vals.data) {                        /* converted: find the fields */
        const char *q = out, *end = out + out_len;
        for (size_t k = 0; k < r->nf; k++) {
            const char *z = memchr(q, '\0', (size_t)(end - q));
            if (!z)
                z = end;
            c->fval[k] = q;
            c->flen[k] = (size_t)(z - q);
            q = z < end ? z + 1 : end;
        }
    }
    return 1;
}

/* Read the next record: parsed, checked and decoded into c->fval / c->flen. */
static enum outcome read_record(struct csv *c, struct raw_record *rec, struct reject *rej,
                                char *err)
{
    for (;;) {
        const char *p = c->win.data;
        if (c->pos == c->win.len) {                   /* need bytes */
            if (c->eof)
                return O_EOF;
            if (fill(c, err))
                return O_ERROR;
            continue;
        }
        if (p[c->pos] == '\n' || p[c->pos] == '\r') { /* blank line */
            if (p[c->pos] == '\r' && c->pos + 1 == c->win.len && !c->eof) {
                if (fill(c, err))
                    return O_ERROR;
                continue;
            }
            c->pos += (p[c->pos] == '\r' && p[c->pos + 1] == '\n') ? 2 : 1;
            c->line++;
            continue;
        }
        enum pres pr = parse_record(c, &c->r);
        if (pr == P_MORE) {
            if (fill(c, err))
                return O_ERROR;
            continue;
        }
        if (pr == P_NOMEM) {
            cm_fail(err, CM_ERR_NOMEM, "%s:%ld: out of memory", c->file, c->line);
            return O_ERROR;
        }
        if (pr == P_UNBALANCED)
            return reject_first_line(c, rej);
        if (pr != P_OK)
            return reject_skipped(c, pr, rej, err);

        const struct prec *r = &c->r;
        long line = c->line, line_end = c->line + r->inner;
        const char *raw = c->win.data + c->pos;
        size_t raw_len = r->body_end - c->pos;
        c->pos = r->end;
        c->line = line_end + 1;
        if (r->nul_field) {
            char col[300];
            snprintf(rej->reason, sizeof rej->reason, "NUL byte in field %zu%s",
                     r->nul_field, field_label(c, r->nul_field - 1, col));
            return reject(rej, c, line, line_end, raw, raw_len);
        }
        if (r->nfields > CSV_MAX_FIELDS) {
            snprintf(rej->reason, sizeof rej->reason, "more than %d fields",
                     CSV_MAX_FIELDS);
            return reject(rej, c, line, line_end, raw, raw_len);
        }
        if (r->nfields == 1 && raw_len == 1 && raw[0] == '\x1a' && c->eof &&
            c->pos == c->win.len)
            continue;                                 /* DOS end-of-file mark */
        if (c->have_names && r->nfields != c->ncols) {
            size_t k = c->ncols;
            while (k < r->nf && c->flen[k] == 0)
                k++;
            int empty_extra = r->nfields > c->ncols && k == r->nfields;
            int padded = r->nfields < c->ncols && c->pad;
            if (!empty_extra && !padded) {
                snprintf(rej->reason, sizeof rej->reason, "%zu fields, %s %zu",
                         r->nfields, c->header ? "header has" : "expected",
                         c->ncols);
                return reject(rej, c, line, line_end, raw, raw_len);
            }
        }
        int ok = decode_record(c, line, rej, err);
        if (ok < 0)
            return O_ERROR;
        if (!ok)
            return reject(rej, c, line, line_end, raw, raw_len);
        rec->file = c->file;
        rec->line = line;
        rec->line_end = line_end;
        rec->raw = raw;
        rec->raw_len = raw_len < CSV_RAW_MAX ? raw_len : CSV_RAW_MAX;
        return O_RECORD;
    }
}

/* ---- the header ------------------------------------------------------------- */

struct name_slot { const char *name; unsigned next_n; };

static struct name_slot *slot_for(struct name_slot *t, size_t mask, const char *s)
{
    size_t h = (size_t)hash64(s, strlen(s), 0) & mask;
    while (t[h].name && strcmp(t[h].name, s) != 0)
        h = (h + 1) & mask;
    return &t[h];
}

static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {     /* a stray BOM */
        p += 3;
        len -= 3;
    }
    while (len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
        len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
                   p[len - 1] == '\n'))
        len--;
    *s = p;
    *n = len;
}

/* Names for nh fields, taken from the columns option, else (with from_fields) from the
 * header record's fields; empty names become "column N", repeats get " (2)", " (3)". */
static enum cm_status set_names(struct csv *c, size_t nh, const json_t *columns,
                                int from_fields, char *err)
{
    size_t ncol = columns ? json_array_size(columns) : 0;
    size_t n = nh > ncol ? nh : ncol;
    size_t tsize = 16;
    while (tsize < n * 2)
        tsize *= 2;
    struct name_slot *table = calloc(tsize, sizeof *table);
    c->names = arena_alloc(&c->arena, (n ? n : 1) * sizeof *c->names);
    if (!table || !c->names || !grow_fields(c, n + 1))
        goto nomem;
    for (size_t k = 0; k < n; k++) {
        const char *s;
        size_t len;
        if (k < ncol) {
            s = json_string_value(json_array_get(columns, k));
            len = strlen(s);
        } else if (from_fields) {
            s = c->fval[k];
            len = c->flen[k];
        } else {
            s = "";
            len = 0;
        }
        trim(&s, &len);
        char *name = len ? arena_strndup(&c->arena, s, len) : NULL;
        if (!len) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "column %zu", k + 1);
            name = arena_strdup(&c->arena, tmp);
        }
        if (!name)
            goto nomem;
        struct name_slot *slot = slot_for(table, tsize - 1, name);
        if (slot->name) {                             /* a repeat */
            unsigned u = slot->next_n ? slot->next_n : 2;
            char *alt = NULL;
            struct name_slot *free_slot;
            do {
                size_t alen = strlen(name) + 16;
                alt = arena_alloc(&c->arena, alen);
                if (!alt)
                    goto nomem;
                snprintf(alt, alen, "%s (%u)", name, u++);
                free_slot = slot_for(table, tsize - 1, alt);
            } while (free_slot->name);
            slot->next_n = u;
            name = alt;
            slot = free_slot;
        }
        slot->name = name;
        c->names[k] = name;
    }
    free(table);
    c->ncols = n;
    c->have_names = 1;
    return CM_OK;
nomem:
    free(table);
    return cm_fail(err, CM_ERR_NOMEM, "%s: out of memory for the header", c->file);
}

static enum cm_status read_header(struct csv *c, const json_t *columns, char *err)
{
    struct raw_record rec;
    struct reject rej;
    enum outcome o = read_record(c, &rec, &rej, err);
    if (o == O_ERROR)
        return CM_ERR_INPUT;
    if (o == O_EOF)
        return CM_OK;                                 /* an empty file */
    if (o == O_REJECT)
        return cm_fail(err, CM_ERR_INPUT, "%s: bad header: %s", c->file, rej.reason);
    return set_names(c, c->r.nf, columns, 1, err);
}

/* ---- the delimiter ----------------------------------------------------------- */

/* Count the candidates outside quotes in the first records; choose the one whose count
 * in the first record is matched by the most records (then the larger count, then
 * the order , ; tab |). */
static char sniff_delimiter(const char *p, size_t n, int eof)
{
    static const char cand[4] = { ',', ';', '\t', '|' };
    size_t counts[CSV_SNIFF_RECORDS][4], cur[4] = { 0 }, nrec = 0;
    int in_q = 0, field_start = 1, nonblank = 0;
    for (size_t i = 0; i < n && nrec < CSV_SNIFF_RECORDS; i++) {
        char ch = p[i];
        if (in_q) {
            if (ch == '"' && i + 1 < n && p[i + 1] == '"')
                i++;
            else if (ch == '"')
                in_q = 0;
            continue;
        }
        if (ch == '\r' || ch == '\n') {
            if (nonblank)
                memcpy(counts[nrec++], cur, sizeof cur);
            memset(cur, 0, sizeof cur);
            nonblank = 0;
            field_start = 1;
            continue;
        }
        nonblank = 1;
        const char *k = memchr(cand, ch, sizeof cand);
        if (k && ch) {
            cur[k - cand]++;
            field_start = 1;
        } else if (ch == '"' && field_start) {
            in_q = 1;
            field_start = 0;
        } else if (ch != ' ') {
            field_start = 0;
        }
    }
    if (eof && nonblank && !in_q && nrec < CSV_SNIFF_RECORDS)
        memcpy(counts[nrec++], cur, sizeof cur);
    int best = -1;
    size_t best_score = 0, best_h = 0;
    for (int k = 0; k < 4 && nrec; k++) {
        size_t h = counts[0][k], score = 0;
        if (h == 0)
            continue;
        for (size_t r = 0; r < nrec; r++)
            score += counts[r][k] == h;
        if (best < 0 || score > best_score || (score == best_score && h > best_h)) {
            best = k;
            best_score = score;
            best_h = h;
        }
    }
    return best < 0 ? ',' : cand[best];
}

/* "a, b, c": 1 when the first non-blank record has a delimiter outside quotes and
 * every one of them is followed by a space. */
static int sniff_initial_space(const char *p, size_t n, char delim)
{
    size_t delims = 0, spaced = 0;
    int in_q = 0, field_start = 1;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (in_q) {
            if (ch == '"' && i + 1 < n && p[i + 1] == '"')
                i++;
            else if (ch == '"')
                in_q = 0;
            continue;
        }
        if (ch == '\r' || ch == '\n') {
            if (delims)
                break;                                /* the first record's end */
            field_start = 1;
            continue;
        }
        if (ch == delim) {
            delims++;
            spaced += i + 1 < n && p[i + 1] == ' ';
            field_start = 1;
        } else if (ch == '"' && field_start) {
            in_q = 1;
            field_start = 0;
        } else if (ch != ' ') {
            field_start = 0;
        }
    }
    return delims > 0 && spaced == delims;
}

/* ---- options ---------------------------------------------------------------- */

static enum cm_status read_options(struct csv *c, const struct source *src,
                                   const char **encoding, long long *max_input,
                                   const json_t **columns, char *err)
{
    const char *s;
    enum cm_status rc = source_opt_string(src, "delimiter", "auto", &s, err);
    if (rc)
        return rc;
    if (!strcmp(s, "auto"))
        c->delim_sniffed = 1;
    else if (!strcmp(s, "\t") || !strcmp(s, "tab"))
        c->delim = '\t';
    else if (!strcmp(s, ",") || !strcmp(s, ";") || !strcmp(s, "|"))
        c->delim = s[0];
    else
        return cm_fail(err, CM_ERR_CONFIG, "%s.delimiter: must be \",\", \";\", \"\\t\", "
                       "\"|\" or \"auto\", not \"%s\"", src->where, s);

    const json_t *skip = src->options ? json_object_get(src->options, "skip_initial_space")
                                      : NULL;
    if (!skip || (json_is_string(skip) && !strcmp(json_string_value(skip), "auto")))
        c->skip_space_sniffed = 1;
    else if (json_is_boolean(skip))
        c->skip_space = json_is_true(skip);
    else
        return cm_fail(err, CM_ERR_CONFIG, "%s.skip_initial_space: must be true, false or "
                       "\"auto\"", src->where);

    rc = source_opt_string(src, "encoding", "auto", encoding, err);
    if (!rc)
        rc = source_opt_bool(src, "header", 1, &c->header, err);
    if (!rc)
        rc = source_opt_string(src, "short_rows", "reject", &s, err);
    if (rc)
        return rc;
    if (strcmp(s, "reject") && strcmp(s, "pad"))
        return cm_fail(err, CM_ERR_CONFIG, "%s.short_rows: must be \"reject\" or \"pad\", "
                       "not \"%s\"", src->where, s);
    c->pad = !strcmp(s, "pad");

    rc = source_opt_size(src, "max_field_bytes", 1048576, 1, CSV_LIMIT_MAX, &c->max_field,
                         err);
    if (!rc)
        rc = source_opt_size(src, "max_record_bytes", 8388608, 1, CSV_LIMIT_MAX,
                             &c->max_record, err);
    if (!rc)
        rc = source_opt_int(src, "max_input_bytes", 0, max_input, err);
    if (rc)
        return rc;
    if (*max_input < 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.max_input_bytes: must be 0 (no cap) or more, "
                       "not %lld", src->where, *max_input);

    const json_t *cols = src->options ? json_object_get(src->options, "columns") : NULL;
    *columns = NULL;
    if (cols && !json_is_null(cols)) {
        if (!json_is_array(cols))
            return cm_fail(err, CM_ERR_CONFIG, "%s.columns: must be an array of strings",
                           src->where);
        for (size_t k = 0; k < json_array_size(cols); k++) {
            if (!json_is_string(json_array_get(cols, k)))
                return cm_fail(err, CM_ERR_CONFIG, "%s.columns[%zu]: must be a string",
                               src->where, k);
        }
        if (json_array_size(cols) > CSV_MAX_FIELDS)
            return cm_fail(err, CM_ERR_CONFIG, "%s.columns: more than %d names",
                           src->where, CSV_MAX_FIELDS);
        *columns = json_array_size(cols) ? cols : NULL;
    }
    return CM_OK;
}

/* ---- the connector ------------------------------------------------------------ */

static void csv_close(void *state)
{
    struct csv *c = state;
    if (!c)
        return;
    textin_close(c->ti);
    buf_free(&c->win);
    buf_free(&c->vals);
    free(c->fval);
    free(c->flen);
    arena_free(&c->arena);
    free(c->file);
    free(c);
}

static enum cm_status csv_open(const struct source *src, void **state, char *err)
{
    *state = NULL;
    if (!src->path)
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: missing", src->where);
    struct csv *c = calloc(1, sizeof *c);
    if (!c)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    const char *encoding;
    long long max_input;
    const json_t *columns;
    char terr[CM_ERRBUF];
    enum cm_status rc = read_options(c, src, &encoding, &max_input, &columns, err);
    if (rc)
        goto fail;
    c->file = strdup(src->path);
    if (!c->file) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    buf_init(&c->win, c->max_record + 2 * (size_t)CSV_CHUNK);
    buf_init(&c->vals, 0);
    rc = textin_open(&c->ti, src->path, encoding, max_input, terr);
    if (rc == CM_ERR_CONFIG) {
        cm_fail(err, rc, "%s.encoding: %s", src->where, terr);
        goto fail;
    }
    if (rc) {
        cm_fail(err, rc, "%s: %s", src->where, terr);
        goto fail;
    }
    rc = fill(c, terr);
    if (rc) {
        cm_fail(err, rc, "%s: %s", src->where, terr);
        goto fail;
    }
    if (c->delim_sniffed)
        c->delim = sniff_delimiter(c->win.data, c->win.len, c->eof);
    if (c->skip_space_sniffed)
        c->skip_space = sniff_initial_space(c->win.data, c->win.len, c->delim);
    set_classes(c);
    c->line = 1;
    if (c->header)
        rc = read_header(c, columns, terr);
    else if (columns)
        rc = set_names(c, 0, columns, 0, terr);
    if (rc) {
        cm_fail(err, rc, "%s: %s", src->where, terr);
        goto fail;
    }
    *state = c;
    return CM_OK;
fail:
    csv_close(c);
    return rc;
}

static enum conn_next csv_next(void *state, struct raw_record *rec, struct reject *rej,
                               char *err)
{
    struct csv *c = state;
    if (c->failed)
        return CONN_ERROR;
    enum outcome o = read_record(c, rec, rej, err);
    if (o == O_EOF)
        return CONN_EOF;
    if (o == O_ERROR) {
        c->failed = 1;
        return CONN_ERROR;
    }
    if (o == O_REJECT)
        return CONN_REJECT;
    if (!c->have_names && set_names(c, c->r.nf, NULL, 0, err) != CM_OK) {
        c->failed = 1;                                /* no header, no columns */
        return CONN_ERROR;
    }
    for (size_t k = c->r.nf; k < c->ncols; k++) {     /* short_rows: pad */
        c->fval[k] = NULL;
        c->flen[k] = 0;
    }
    rec->nfields = c->ncols;
    rec->names = c->names;
    rec->names_version = 1;
    rec->values = c->fval;
    rec->lengths = c->flen;
    return CONN_RECORD;
}

static enum cm_status csv_describe(void *state, struct buf *out)
{
    const struct csv *c = state;
    const char *base = strrchr(c->file, '/');
    base = base ? base + 1 : c->file;
    const char *how = textin_how(c->ti);
    enum cm_status rc;
    if (!strcmp(how, "auto"))
        rc = buf_printf(out, "%s: auto (ascii so far)", base);
    else
        rc = buf_printf(out, "%s: %s (%s)", base, textin_encoding(c->ti), how);
    if (rc)
        return rc;
    if (c->delim == '\t')
        rc = buf_addstr(out, ", delimiter tab");
    else
        rc = buf_printf(out, ", delimiter '%c'", c->delim);
    if (!rc && c->skip_space)
        rc = buf_addstr(out, " and the spaces after it");
    if (!rc && c->header && c->have_names)
        rc = buf_printf(out, ", header with %zu columns", c->ncols);
    else if (!rc && c->header)
        rc = buf_addstr(out, ", empty");
    else if (!rc && c->have_names)
        rc = buf_printf(out, ", no header, %zu columns", c->ncols);
    else if (!rc)
        rc = buf_addstr(out, ", no header");
    if (!rc && textin_is_gzip(c->ti))
        rc = buf_addstr(out, ", gzip");
    return rc;
}

static enum cm_status csv_fields(void *state, const char *const **names, size_t *n)
{
    const struct csv *c = state;
    *names = c->have_names ? (const char *const *)c->names : NULL;
    *n = c->have_names ? c->ncols : 0;
    return CM_OK;
}

const struct connector csv_connector = {
    .version = CONNECTOR_VERSION,
    .name = "csv",
    .summary = "delimited text (CSV, TSV), plain or gzip, any encoding",
    .xOpen = csv_open,
    .xNext = csv_next,
    .xClose = csv_close,
    .xDescribe = csv_describe,
    .xFields = csv_fields,
};
