/* xmlcut.c — the cut of oversize texts in an XML byte stream (see xmlcut.h).
 *
 * The lexer has three modes. Passing (almost always): the input goes out unchanged
 * while the states are followed with memchr() hops; a tag and the text after it that
 * are shorter than hop_max together are hopped over without looking inside. Seeking:
 * a measure has reached the cap; bytes pass one by one until a cut point (or the end
 * of the text, value, comment or PI, and then no cut is needed). Dropping: bytes are
 * counted for their line breaks and dropped until what was cut ends; then what takes
 * its place (the marker) is queued in head and written before any further input. */
#include "connectors/formats/xmlcut.h"

#include <stdio.h>
#include <string.h>

enum xc_state {
    XC_TEXT,             /* character data */
    XC_LT,               /* after '<' */
    XC_BANG,             /* after "<!" */
    XC_BANG_DASH,        /* after "<!-" */
    XC_CDATA_OPEN,       /* after "<![" and k characters of "CDATA[" */
    XC_CDATA,            /* k: ']' just before (up to 2) */
    XC_COMMENT,          /* k: '-' just before (up to 2) */
    XC_PI,               /* k: '?' just before */
    XC_TAG,              /* a tag, outside quotes (also "<!DOCTYPE ...>" in content) */
    XC_VALUE             /* a quoted attribute value */
};

enum xc_mode { XC_PASS, XC_SEEK, XC_DROP };

void xmlcut_init(struct xmlcut *c, size_t cap, const char *marker,
                 const unsigned char *utf8_len)
{
    memset(c, 0, sizeof *c);
    c->cap = cap;
    c->hop_max = cap;
    if (utf8_len) {
        unsigned wmax = 1;
        c->single = 1;
        for (int b = 0; b < 256; b++) {
            /* a byte not in the page is an error for the parser; 1 will do */
            c->widths[b] = utf8_len[b] ? utf8_len[b] : 1;
            if (c->widths[b] > wmax)
                wmax = c->widths[b];
        }
        c->hop_max = cap / wmax;
    }
    snprintf(c->marker, sizeof c->marker, "%s", marker);
}

unsigned long long xmlcut_cuts(const struct xmlcut *c)
{
    return c->cuts;
}

/* ---- what is written in place of a cut ------------------------------------------ */

/* What is written when a cut part has ended: closing (" -->", " ?>" or ""), then the
 * marker "<!--marker kind N-->", N the line breaks dropped, after a text always, after
 * the others when N > 0. After a text, one more line break (or a blank) as text, so
 * that the text node before the next tag is made on that tag's line (libxml2 gives a
 * text node the line where its first piece ends). */
static void write_marker(struct xmlcut *c, const char *closing, int text)
{
    uint64_t nl = c->nl;
    int n;
    if (!text && !nl)
        n = snprintf(c->head, sizeof c->head, "%s", closing);
    else
        n = snprintf(c->head, sizeof c->head, "%s<!--%s %s %llu-->%s", closing, c->marker,
                     text ? "text" : "lines", (unsigned long long)(text && nl ? nl - 1 : nl),
                     !text ? "" : nl ? "\n" : " ");
    c->head_len = n > 0 && (size_t)n < sizeof c->head ? (size_t)n : 0;
    c->head_off = 0;
    c->nl = 0;
}

static int pending(const struct xmlcut *c)
{
    return c->head_off < c->head_len;
}

/* Write what is queued, as far as room allows. */
static size_t emit(struct xmlcut *c, char *out, size_t room)
{
    size_t n = c->head_len - c->head_off;
    if (n > room)
        n = room;
    memcpy(out, c->head + c->head_off, n);
    c->head_off += n;
    return n;
}

/* ---- measuring ------------------------------------------------------------------ */

/* Add the weight of [p, e) to *n. Returns NULL, or the first byte that would take *n
 * past the cap (*n then holds the weight of the bytes before it). */
static const char *add(const struct xmlcut *c, size_t *n, const char *p, const char *e)
{
    if (!c->single) {
        size_t k = (size_t)(e - p);
        if (k <= c->cap - *n) {
            *n += k;
            return NULL;
        }
        p += c->cap - *n;
        *n = c->cap;
        return p;
    }
    for (; p < e; p++) {
        size_t w = c->widths[(unsigned char)*p];
        if (w > c->cap - *n)
            return p;
        *n += w;
    }
    return NULL;
}

/* The closing marks ("]]", "--", "?") of the current state, and how many it takes. */
static char mark_of(const struct xmlcut *c, int *need)
{
    *need = c->st == XC_PI ? 1 : 2;
    return c->st == XC_CDATA ? ']' : c->st == XC_COMMENT ? '-' : '?';
}

/* Marks just before e (at most 2), counting k from before p when [p, e) is all marks. */
static int marks_before(const char *p, const char *e, char mark, int k)
{
    int n = 0;
    while (e > p && e[-1] == mark && n < 2) {
        e--;
        n++;
    }
    if (e == p)
        n += k;
    return n < 2 ? n : 2;
}

/* Just past the "]]>", "-->" or "?>" that ends the current state in [p, lim), or NULL. */
static const char *find_close(const struct xmlcut *c, const char *p, const char *lim)
{
    int need;
    char mark = mark_of(c, &need);
    for (const char *s = p; s < lim;) {
        const char *g = memchr(s, '>', (size_t)(lim - s));
        if (!g)
            return NULL;
        if (marks_before(p, g, mark, c->k) >= need)
            return g + 1;
        s = g + 1;
    }
    return NULL;
}

static void count_nl(struct xmlcut *c, const char *p, const char *e)
{
    uint64_t n = 0;
    for (; p < e; p++)
        n += *p == '\n';
    c->nl += n;
}

/* ---- passing --------------------------------------------------------------------- */

/* Markup that ends the text run starts here. */
static const char *enter(struct xmlcut *c, int st, const char *p)
{
    c->st = st;
    c->k = 0;
    c->unit = 0;
    c->run = 0;
    return p;
}

static const char *start_seek(struct xmlcut *c, const char *x)
{
    c->mode = XC_SEEK;
    c->seek = 0;
    c->seek_semi = 0;
    return x;
}

/* The first '<' in [p, lim) followed by ch, or lim. p[0] is not ch. */
static const char *find_open(const char *p, const char *lim, char ch)
{
    for (const char *s = p; s < lim;) {
        const char *x = memchr(s, ch, (size_t)(lim - s));
        if (!x)
            break;
        if (x[-1] == '<')
            return x - 1;
        s = x + 1;
    }
    return lim;
}

/* A tag starts at p (just past its '<'). Up to the next comment, CDATA section or PI
 * ("<!", "<?"), every '<' starts a tag, and a tag with the text after it, at most
 * hop_max bytes together, holds nothing over the cap: go to the last '<' before it
 * whose segments are all that short. Returns where the lexer goes on. */
static const char *hop(struct xmlcut *c, const char *p, const char *lim)
{
    const char *stop = find_open(p, lim, '!');
    stop = find_open(p, stop, '?');
    if (stop == lim && lim[-1] == '<')
        stop--;                          /* what it opens is not read yet */
    const char *q = memrchr(p, '<', (size_t)(stop - p));
    enter(c, XC_TAG, p);
    if (!q)
        return p;
    while ((size_t)(q - p) > c->hop_max) {
        const char *m = memrchr(p, '<', c->hop_max);
        if (!m)
            return p;                    /* a longer one: measure it */
        p = m + 1;
    }
    return q + 1;
}

static const char *scan_text(struct xmlcut *c, const char *p, const char *lim)
{
    const char *q = memchr(p, '<', (size_t)(lim - p));
    const char *x = add(c, &c->run, p, q ? q : lim);
    if (x)
        return start_seek(c, x);
    if (!q)
        return lim;
    c->st = XC_LT;                       /* the run goes on if a CDATA section starts */
    return q + 1;
}

/* The byte after "<", "<!", "<!-" or "<![": what the markup is. */
static const char *scan_open(struct xmlcut *c, const char *p, const char *lim)
{
    char b = *p;
    switch (c->st) {
    case XC_LT:
        if (b == '!') {
            c->st = XC_BANG;
            return p + 1;
        }
        if (b == '?')
            return enter(c, XC_PI, p + 1);
        return hop(c, p, lim);
    case XC_BANG:
        if (b == '-') {
            c->st = XC_BANG_DASH;
            return p + 1;
        }
        if (b == '[') {
            c->st = XC_CDATA_OPEN;
            c->k = 0;
            return p + 1;
        }
        return enter(c, XC_TAG, p);
    case XC_BANG_DASH:
        return b == '-' ? enter(c, XC_COMMENT, p + 1) : enter(c, XC_TAG, p);
    default:                             /* XC_CDATA_OPEN */
        if (b != "CDATA["[c->k])
            return enter(c, XC_TAG, p);
        if (++c->k == 6) {
            c->st = XC_CDATA;            /* the text run goes on */
            c->k = 0;
        }
        return p + 1;
    }
}

static const char *scan_tag(struct xmlcut *c, const char *p, const char *lim)
{
    for (; p < lim; p++) {
        char b = *p;
        if (b == '>') {
            c->st = XC_TEXT;
            c->run = 0;
            if (c->nl_after_tag) {
                c->nl_after_tag = 0;
                write_marker(c, "", 0);
            }
            return p + 1;
        }
        if (b == '"' || b == '\'') {
            c->st = XC_VALUE;
            c->quote = b;
            if (c->unit >= c->cap)       /* the tag's values are over: drop it whole */
                c->mode = XC_DROP;
            return p + 1;
        }
    }
    return lim;
}

static const char *scan_value(struct xmlcut *c, const char *p, const char *lim)
{
    const char *q = memchr(p, c->quote, (size_t)(lim - p));
    const char *x = add(c, &c->unit, p, q ? q : lim);
    if (x)
        return start_seek(c, x);
    if (!q)
        return lim;
    c->st = XC_TAG;
    return q + 1;
}

/* CDATA, comment or PI: up to its end. */
static const char *scan_close(struct xmlcut *c, const char *p, const char *lim)
{
    int need;
    char mark = mark_of(c, &need);
    const char *close = find_close(c, p, lim);
    const char *x = add(c, c->st == XC_CDATA ? &c->run : &c->unit, p, close ? close : lim);
    if (x) {
        c->k = marks_before(p, x, mark, c->k);
        return start_seek(c, x);
    }
    if (!close) {
        c->k = marks_before(p, lim, mark, c->k);
        return lim;
    }
    if (c->st == XC_CDATA) {
        c->st = XC_TEXT;                 /* the text run goes on */
        c->k = 0;
        return close;
    }
    return enter(c, XC_TEXT, close);
}

static const char *scan(struct xmlcut *c, const char *p, const char *lim)
{
    while (p < lim && c->mode == XC_PASS && !pending(c)) {
        switch (c->st) {
        case XC_TEXT:
            p = scan_text(c, p, lim);
            break;
        case XC_TAG:
            p = scan_tag(c, p, lim);
            break;
        case XC_VALUE:
            p = scan_value(c, p, lim);
            break;
        case XC_CDATA:
        case XC_COMMENT:
        case XC_PI:
            p = scan_close(c, p, lim);
            break;
        default:
            p = scan_open(c, p, lim);
            break;
        }
    }
    return p;
}

/* ---- seeking a cut point --------------------------------------------------------- */

/* Byte b ends what is being measured: consume it. */
static int ends_here(struct xmlcut *c, unsigned char b)
{
    switch (c->st) {
    case XC_TEXT:
        if (b != '<')
            return 0;
        c->st = XC_LT;
        return 1;
    case XC_VALUE:
        if (b != (unsigned char)c->quote)
            return 0;
        c->st = XC_TAG;
        return 1;
    case XC_CDATA:
        if (b != '>' || c->k < 2)
            return 0;
        c->st = XC_TEXT;                 /* the run goes on, and may be cut there */
        c->k = 0;
        return 1;
    default:                             /* XC_COMMENT, XC_PI */
        if (b != '>' || c->k < (c->st == XC_PI ? 1 : 2))
            return 0;
        enter(c, XC_TEXT, NULL);
        return 1;
    }
}

static int cut_point(const struct xmlcut *c, unsigned char b)
{
    if (!c->single && (b & 0xC0) == 0x80)
        return 0;                        /* inside a UTF-8 character */
    if (c->st == XC_TEXT || c->st == XC_VALUE)
        return b == '&' || c->seek_semi || c->seek >= XMLCUT_REF_MAX;
    return 1;
}

static void start_drop(struct xmlcut *c)
{
    c->mode = XC_DROP;
    c->cuts++;
    if (c->st == XC_CDATA) {
        memcpy(c->head, "]]>", 3);       /* closed at the cut */
        c->head_len = 3;
        c->head_off = 0;
    }
}

static const char *seek(struct xmlcut *c, const char *p, const char *lim)
{
    for (; p < lim; p++) {
        unsigned char b = (unsigned char)*p;
        if (ends_here(c, b)) {
            c->mode = XC_PASS;
            return p + 1;
        }
        if (cut_point(c, b)) {
            start_drop(c);
            return p;
        }
        c->seek++;
        c->seek_semi = b == ';';
        if (c->st != XC_TEXT && c->st != XC_VALUE) {
            int need;
            char mark = mark_of(c, &need);
            c->k = b == (unsigned char)mark ? (c->k < 2 ? c->k + 1 : 2) : 0;
        }
    }
    return p;
}

/* ---- dropping -------------------------------------------------------------------- */

/* A text run was cut and has ended. */
static void end_text_drop(struct xmlcut *c)
{
    c->mode = XC_PASS;
    c->run = 0;
    write_marker(c, "", 1);
}

static const char *drop(struct xmlcut *c, const char *p, const char *lim)
{
    const char *q;
    if (c->st == XC_TEXT || c->st == XC_VALUE) {
        q = memchr(p, c->st == XC_TEXT ? '<' : c->quote, (size_t)(lim - p));
        count_nl(c, p, q ? q : lim);
        if (!q)
            return lim;
        if (c->st == XC_TEXT) {
            end_text_drop(c);            /* the '<' is read on as usual */
        } else {
            c->mode = XC_PASS;           /* the quote passes; a marker after the tag */
            c->nl_after_tag = c->nl > 0;
        }
        return q;
    }
    int need;
    char mark = mark_of(c, &need);
    q = find_close(c, p, lim);
    count_nl(c, p, q ? q : lim);
    if (!q) {
        c->k = marks_before(p, lim, mark, c->k);
        return lim;
    }
    if (c->st == XC_CDATA) {
        end_text_drop(c);                /* "]]>" was written at the cut */
    } else {
        c->mode = XC_PASS;
        write_marker(c, c->st == XC_COMMENT ? " -->" : " ?>", 0);
    }
    return enter(c, XC_TEXT, q);
}

/* ---- the filter ------------------------------------------------------------------ */

size_t xmlcut_filter(struct xmlcut *c, const char *in, size_t n, size_t *used,
                     char *out, size_t room)
{
    const char *p = in, *end = in + n;
    size_t w = 0;
    for (;;) {
        w += emit(c, out + w, room - w);
        if (pending(c) || w == room || p == end)
            break;
        if (c->mode == XC_DROP) {
            p = drop(c, p, end);
            continue;
        }
        size_t k = (size_t)(end - p) < room - w ? (size_t)(end - p) : room - w;
        const char *q = c->mode == XC_SEEK ? seek(c, p, p + k) : scan(c, p, p + k);
        memcpy(out + w, p, (size_t)(q - p));
        w += (size_t)(q - p);
        p = q;
    }
    *used = (size_t)(p - in);
    return w;
}

size_t xmlcut_finish(struct xmlcut *c, char *out, size_t room)
{
    if (c->mode == XC_DROP) {            /* the document ends in what was cut */
        if (c->st == XC_TEXT || c->st == XC_CDATA) {
            end_text_drop(c);
        } else if (c->nl && (c->st == XC_COMMENT || c->st == XC_PI)) {
            /* end it for the marker, open another for the parser to find unended */
            write_marker(c, c->st == XC_COMMENT ? " -->" : " ?>", 0);
            size_t n = strlen(c->head), k = c->st == XC_COMMENT ? 4 : 2;
            if (n + k < sizeof c->head) {
                memcpy(c->head + n, c->st == XC_COMMENT ? "<!--" : "<?", k + 1);
                c->head_len = n + k;
            }
        }
        c->mode = XC_PASS;
    }
    c->nl = 0;
    c->nl_after_tag = 0;
    return emit(c, out, room);
}
