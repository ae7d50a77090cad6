/* codepage.c — legacy code pages to UTF-8 (see codepage.h). Borrows glibc iconv: one
 * descriptor per page, asked once per byte value at open for a single-byte page. */
#include "connectors/formats/codepage.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct codepage {
    iconv_t cd;
    int single_byte;            /* decoded from the table below */
    unsigned char sb_len[256];  /* UTF-8 length of each byte, 0 = not in the page */
    char sb_utf8[256][4];
    char label[64];             /* codepage_name */
};

/* A single-byte, ASCII-compatible code page (windows-1252, latin1, cp850...) is a table
 * of 256 entries: ask iconv for each byte once instead of calling it per record.
 * Returns 0 for anything else (multi-byte, stateful): those stay per-call iconv. */
static int build_table(struct codepage *cp)
{
    for (int b = 0; b < 256; b++) {
        char in = (char)b, out[8];
        char *ip = &in, *op = out;
        size_t il = 1, ol = sizeof out;
        iconv(cp->cd, NULL, NULL, NULL, NULL);
        if (iconv(cp->cd, &ip, &il, &op, &ol) == (size_t)-1) {
            if (errno != EILSEQ)
                return 0;               /* EINVAL: the start of a longer sequence */
            cp->sb_len[b] = 0;
            continue;
        }
        size_t n = (size_t)(op - out);
        if (n == 0 || n > 4 || (b < 0x80 && (n != 1 || out[0] != (char)b)))
            return 0;                   /* stateful, or not ASCII-compatible */
        cp->sb_len[b] = (unsigned char)n;
        memcpy(cp->sb_utf8[b], out, n);
    }
    return 1;
}

enum cm_status codepage_open(const char *iconv_name, struct codepage **out)
{
    *out = NULL;
    struct codepage *cp = calloc(1, sizeof *cp);
    if (!cp)
        return CM_ERR_NOMEM;
    cp->cd = iconv_open("UTF-8", iconv_name);
    if (cp->cd == (iconv_t)-1) {
        free(cp);
        return CM_ERR_CONFIG;
    }
    cp->single_byte = build_table(cp);
    snprintf(cp->label, sizeof cp->label, "%s", iconv_name);
    *out = cp;
    return CM_OK;
}

enum cm_status codepage_open_label(const char *name, struct codepage **out, char *err)
{
    const char *iconv_name = name, *label = name;
    *out = NULL;
    if (!strcasecmp(name, "windows-1252") || !strcasecmp(name, "cp1252")) {
        iconv_name = "WINDOWS-1252";
        label = "windows-1252";
    } else if (!strcasecmp(name, "latin1") || !strcasecmp(name, "iso-8859-1")) {
        iconv_name = "ISO-8859-1";
        label = "latin1";
    } else if (!strncasecmp(name, "utf-32", 6) || !strncasecmp(name, "ucs-", 4)) {
        return cm_fail(err, CM_ERR_CONFIG, "unknown encoding \"%s\"", name);
    }
    enum cm_status rc = codepage_open(iconv_name, out);
    if (rc == CM_ERR_CONFIG)
        return cm_fail(err, rc, "unknown encoding \"%s\"", name);
    if (rc)
        return cm_fail(err, rc, "out of memory");
    snprintf((*out)->label, sizeof (*out)->label, "%s", label);
    return CM_OK;
}

int codepage_utf8_lengths(const struct codepage *cp, unsigned char utf8_len[256])
{
    if (!cp->single_byte)
        return 0;
    memcpy(utf8_len, cp->sb_len, 256);
    return 1;
}

const char *codepage_name(const struct codepage *cp)
{
    return cp->label;
}

void codepage_close(struct codepage *cp)
{
    if (!cp)
        return;
    iconv_close(cp->cd);
    free(cp);
}

int codepage_is_single_byte(const struct codepage *cp)
{
    return cp->single_byte;
}

static enum cm_status decode_table(const struct codepage *cp, const char *in, size_t len,
                                   struct buf *out, size_t *bad)
{
    enum cm_status rc = buf_grow(out, len * 4);
    if (rc)
        return rc;
    char *o = out->data + out->len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            *o++ = (char)c;
            continue;
        }
        size_t n = cp->sb_len[c];
        if (n == 0) {
            *bad = i;
            out->data[out->len] = '\0';
            return CM_ERR_INPUT;
        }
        memcpy(o, cp->sb_utf8[c], 4);
        o += n;
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return CM_OK;
}

static enum cm_status decode_iconv(struct codepage *cp, const char *in, size_t len,
                                   struct buf *out, size_t *bad)
{
    enum cm_status rc = buf_grow(out, len * 3 + 16);
    if (rc)
        return rc;
    iconv(cp->cd, NULL, NULL, NULL, NULL);
    char *ip = (char *)in;
    size_t il = len;
    char *op = out->data + out->len;
    size_t ol = out->alloc - 1 - out->len;
    for (;;) {
        size_t r = iconv(cp->cd, &ip, &il, &op, &ol);
        if (r != (size_t)-1)
            r = iconv(cp->cd, NULL, NULL, &op, &ol);   /* end any shift state */
        if (r != (size_t)-1)
            break;
        if (errno != E2BIG) {
            *bad = (size_t)(ip - in);
            out->data[out->len] = '\0';
            return CM_ERR_INPUT;
        }
        size_t done = (size_t)(op - out->data);
        rc = buf_grow(out, done - out->len + il * 4 + 16);
        if (rc)
            return rc;
        op = out->data + done;
        ol = out->alloc - 1 - done;
    }
    out->len = (size_t)(op - out->data);
    out->data[out->len] = '\0';
    return CM_OK;
}

enum cm_status codepage_decode(struct codepage *cp, const char *in, size_t len,
                               struct buf *out, size_t *bad)
{
    *bad = 0;
    if (cp->single_byte)
        return decode_table(cp, in, len, out, bad);
    return decode_iconv(cp, in, len, out, bad);
}
