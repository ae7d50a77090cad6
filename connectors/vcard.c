/* vcard.c — the vCard connector ("connector": "vcard"): .vcf files of one or many
 * cards, vCard 2.1, 3.0 (RFC 2426) and 4.0 (RFC 6350), as Outlook, old phones, Apple
 * and Google write them. One card is one record.
 *
 * Owns: the options below, lines and unfolding, property heads (group, name,
 * parameters), quoted-printable and per-property CHARSET decoding, escapes, the naming
 * of fields, hard limits, and the reject reasons. Borrows the byte stream (plain or
 * gzip, BOM, UTF-16 transcoded) and the file's text encoding from textin.c, and its
 * code pages for CHARSET=.
 *
 * Options (in the source object):
 *   encoding            "auto" (default): text without a CHARSET parameter is UTF-8
 *                       when valid, else windows-1252; or any name textin knows
 *   max_property_bytes  1048576: a longer property line (unfolded) rejects its card
 *   max_card_bytes      8388608: the text kept for one card (values plus 32 bytes a
 *                       property); more rejects the card
 *   max_input_bytes     0 (no cap): decompressed bytes; more ends the source
 *
 * Fields. Names are upper case for properties and parameters, lower case for the parts
 * of a structured value ("<property>[ <n>][.<part>]", "<property>[ <n>] TYPE"):
 *   FN, TITLE, ROLE, BDAY, NOTE, UID, REV, NICKNAME, CATEGORIES, X-..., ...
 *                       one field per property, named as written (upper case);
 *                       a repeat is "NOTE 2", "NOTE 3", ...
 *   N.family  N.given  N.middle  N.prefix  N.suffix
 *   ORG.name  ORG.unit              further units: ORG.3, ORG.4, ...
 *   EMAIL 1, TEL 1, URL 1, ADR 1    numbered from 1 for every card: the preferred ones
 *                                   first (PREF=1 before PREF=2 before TYPE=pref / a
 *                                   2.1 bare PREF before none), then in file order
 *   ADR 1.pobox  ADR 1.ext  ADR 1.street  ADR 1.locality  ADR 1.region  ADR 1.code
 *   ADR 1.country                   parts past these, and past N's five: ".8", ".6"
 *   EMAIL 1 TYPE, TEL 1 TYPE, ...   the type words, lower case, comma-separated, from
 *                                   every form: 2.1 "TEL;WORK;VOICE:", 3.0
 *                                   "TYPE=work,voice" or repeated TYPE=, 4.0
 *                                   TYPE="work,voice"; "pref" is left out (the order
 *                                   says it)
 *   EMAIL 1 LABEL, X-ABDATE LABEL   the X-ABLabel of the property's group (Apple's
 *                                   "item1.EMAIL" + "item1.X-ABLabel:_$!<Other>!$_"
 *                                   gives "Other"); groups are otherwise dropped
 *   ADR 1 FORMATTED                 4.0's LABEL parameter of an address
 * Values are UTF-8, unescaped (3.0/4.0: \n \N \, \; \\, and \x is x; 2.1: \;), the
 * parts of N, ADR and ORG split at unescaped ';'. A "tel:" URI loses its scheme and
 * ";ext=" becomes " x"; "mailto:" is dropped from e-mails. Empty values are left out.
 * Not kept: BEGIN, END, VERSION, PRODID (they describe the file), parameters other
 * than TYPE, PREF, CHARSET, ENCODING and ADR's LABEL (LANGUAGE, VALUE, ...), and
 * PHOTO, LOGO, SOUND, KEY and any base64 value: those are read past, never held
 * (2.1's unindented base64 lines and the blank line that ends them included).
 * A 2.1/3.0 AGENT whose value is an embedded card ("AGENT:" then BEGIN:VCARD ...
 * END:VCARD) keeps that card's lines as the AGENT value.
 *
 * Text. A line ends at CRLF, LF or CR. Unfolding: a line starting with a space or a
 * tab continues the one before; 3.0/4.0 drop that one character, 2.1 keeps it (RFC
 * 822 folding; the VERSION line of the card decides, else the last card's, else 3.0).
 * A quoted-printable value ending in '=' continues on the next line whatever it starts
 * with (a soft line break), except before a line END:VCARD; an empty line ends it.
 * Bytes: quoted-printable first, then CHARSET=... when given (UTF-8 checked, others
 * through textin's code pages), else the file's encoding; a BOM (UTF-8 or UTF-16) wins
 * over CHARSET= for text written as it is, CHARSET= always decides for quoted-printable
 * bytes.
 *
 * Streaming: lines are cut from one window buffer; a card's values go into one reused
 * buffer, its properties into a reused array; a property over a limit is read on
 * without being held. Columns: every field name met so far is a column of every
 * later record, absent (NULL) where a card lacks it; names and names_version change
 * only when a new name turns up. Past VC_NAMES_MAX names the set starts afresh.
 *
 * Rejects (the card's BEGIN to END lines; the reason names the line): a card without
 * END:VCARD (before the next BEGIN:VCARD or the end of the file), a property line
 * without ':', a NUL byte, a bad property name, an unknown CHARSET, bytes not valid in
 * their charset, a property over max_property_bytes, a card over max_card_bytes; text
 * outside BEGIN:VCARD ... END:VCARD is one reject per run of lines. A file with text
 * but no BEGIN:VCARD at all is not a vCard file: an error. */
#include "connectors/connector.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/formats/codepage.h"
#include "connectors/formats/textin.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"
#include "pipeline/hash.h"

#define VC_CHUNK        (256 * 1024)     /* bytes read at a time */
#define VC_WINDOW       (2 * VC_CHUNK)   /* a longer physical line comes in pieces */
#define VC_RAW_MAX      4096             /* card text kept for rejected_record */
#define VC_LIMIT_MAX    (1LL << 30)      /* largest max_*_bytes accepted */
#define VC_PROP_COST    32               /* bytes counted per property besides text */
#define VC_NAME_MAX     128              /* longest property name */
#define VC_FIELD_MAX    (VC_NAME_MAX + 48)
#define VC_NAMES_MAX    16384            /* names kept across cards, then forgotten */
#define VC_CHARSETS     8                /* code pages kept open */
#define VC_NO_PREF      101              /* rank of a value without PREF */

/* ---- state ---------------------------------------------------------------------- */

enum kind {              /* what a property is to the naming */
    K_OTHER,             /* named as written */
    K_EMAIL, K_TEL, K_URL, K_ADR,        /* numbered from 1 */
    K_N, K_ORG,          /* structured */
    K_LABEL,             /* X-ABLabel: labels its group */
    K_AGENT,             /* AGENT: may be followed by an embedded card */
    K_FILE,              /* VERSION, PRODID: not kept */
    K_BINARY             /* PHOTO, LOGO, SOUND, KEY, base64: read past */
};

struct pline {           /* a physical line, or the next piece of a long one */
    const char *p;
    size_t len;          /* its bytes, without the line end */
    size_t eol;          /* bytes of its line end: 0, 1 or 2 */
    int whole;           /* the line ends here (a line end, or the end of the input) */
    int end;             /* nothing is left to read */
};

struct head {            /* a property line's name and parameters */
    size_t colon;        /* offset of the ':' before the value */
    size_t group, group_len, name, name_len;     /* offsets in the line */
    enum kind kind;
    int qp, base64, bad_name;
    int rank;            /* PREF=n or TYPE=pref: 1..100; VC_NO_PREF */
    char charset[48];    /* "" = none */
    int has_label;       /* a LABEL parameter (4.0 ADR), in lline.label */
};

struct lline {           /* a logical (unfolded) property line */
    struct buf text;     /* its bytes, cut at max_property_bytes */
    long line, line_end;
    int too_long, nul, head_done;
    int quote;           /* the head scan is inside a quoted parameter value */
    size_t scanned;      /* head scan position */
    unsigned char last;  /* the last byte read, held or not */
    struct head h;
    struct buf types;    /* the head's type words, "work,voice" */
    struct buf label;    /* the head's LABEL parameter, decoded */
};

struct prop {            /* one kept property of the card; offsets into c->text */
    uint32_t seq;        /* its place in the card */
    uint8_t kind;
    uint8_t rank;
    uint16_t nparts;     /* NUL-separated parts from `value` on */
    uint32_t name;       /* its upper-case name */
    uint32_t group;      /* 0: none */
    uint32_t value;
    uint32_t types;      /* 0: none */
    uint32_t formatted;  /* 0: none */
    uint32_t label;      /* 0: none (set from the group's X-ABLabel) */
    int used;            /* an X-ABLabel that labelled a property */
};

struct iname {           /* an interned field name */
    uint64_t hash;
    const char *s;
    uint32_t len;
    int32_t col;         /* -1: no column yet (a counter only) */
    uint32_t gen, count; /* per-card count of a property name (repeats) */
};

struct charset {
    char name[48];
    struct codepage *cp;
};

struct vc {
    char *file;
    const char *base;
    struct textin *ti;
    int unicode;                         /* a BOM or UTF-16: text is UTF-8 already */
    size_t max_prop, max_card;

    /* the window */
    char *win;
    size_t win_len, pos;
    int eof;
    long line;                           /* physical line at pos, 1-based */
    struct buf lraw;                     /* bytes of the logical line being read */

    struct lline ll;
    int v21;                             /* the card is 2.1: unfold keeps the blank */
    int file_v21;                        /* the last VERSION seen said 2.1 */

    /* the card */
    int in_card, seen_card;
    long card_line, card_last;
    char card_err[CM_ERRBUF];            /* "" while the card is good */
    struct buf text;                     /* its values; offset 0 is never a value */
    struct prop *props;
    size_t nprops, props_alloc;
    uint32_t *order;
    size_t order_alloc;
    long agent_line;                     /* last property was an empty AGENT */
    int nested;                          /* depth inside an embedded card */
    struct buf craw;                     /* card text, cut */

    /* text outside cards */
    long junk_line, junk_end;
    struct buf jraw;
    struct buf rraw;                     /* raw of the reject handed out */

    /* decoding */
    struct buf qbuf, cbuf;
    struct charset charsets[VC_CHARSETS];
    size_t ncharsets;

    /* the columns */
    struct iname *table;
    size_t table_size, ninames;
    struct arena name_arena;
    uint32_t gen;
    const char **names;
    const char **values;
    size_t *lengths;
    size_t ncols, cols_alloc;
    unsigned names_version;
    uint32_t *filled;
    size_t nfilled, filled_alloc;

    int failed;
};

/* ---- small helpers ---------------------------------------------------------------- */

static int upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* s[0..n) is the literal word, any case */
#define SAME_CI(s, n, word) ((n) == sizeof(word) - 1 && strncasecmp((s), (word), (n)) == 0)

static int is_name_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static int is_base64_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=' || c == ' ' || c == '\t'))
            return 0;
    }
    return n > 0;
}

/* the line is exactly BEGIN:VCARD / END:VCARD (any case, trailing blanks allowed) */
static int is_marker(const char *s, size_t n, const char *marker)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return strlen(marker) == n && strncasecmp(s, marker, n) == 0;
}

/* at most max bytes of s, for a reason: printable ASCII kept, others as '?' */
static void quote_cut(char *out, size_t cap, const char *s, size_t n, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && i < max && k + 4 < cap; i++)
        out[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (n > max && k + 4 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* ---- physical lines ------------------------------------------------------------------ */

/* Keep the bytes from pos on, read more behind them. */
static enum cm_status fill(struct vc *v, char *err)
{
    size_t keep = v->win_len - v->pos;
    memmove(v->win, v->win + v->pos, keep);
    v->win_len = keep;
    v->pos = 0;
    size_t got;
    enum cm_status rc = textin_read(v->ti, v->win + v->win_len, VC_WINDOW - v->win_len,
                                    &got, err);
    if (rc)
        return rc;
    if (got == 0)
        v->eof = 1;
    v->win_len += got;
    return CM_OK;
}

/* The physical line at pos (not taken), or its next piece when it is longer than the
 * window. Pointers stay valid until the next peek_line. */
static enum cm_status peek_line(struct vc *v, struct pline *pl, char *err)
{
    for (;;) {
        const char *p = v->win + v->pos;
        size_t n = v->win_len - v->pos;
        const char *nl = memchr(p, '\n', n);
        size_t upto = nl ? (size_t)(nl - p) : n;
        const char *cr = memchr(p, '\r', upto);
        int full = n > VC_WINDOW - 16;           /* no room to read more behind it */
        memset(pl, 0, sizeof *pl);
        pl->p = p;
        if (cr && (size_t)(cr - p) + 1 == n && !v->eof) {
            if (full) {
                pl->len = n - 1;                  /* a piece; the CR comes next */
                return CM_OK;
            }
            enum cm_status rc = fill(v, err);     /* CR LF across the window's end? */
            if (rc)
                return rc;
            continue;
        }
        if (cr || nl) {
            pl->len = cr ? (size_t)(cr - p) : upto;
            pl->eol = cr && pl->len + 1 < n && p[pl->len + 1] == '\n' ? 2 : 1;
            pl->whole = 1;
            return CM_OK;
        }
        if (v->eof) {
            pl->len = n;
            pl->whole = 1;
            pl->end = n == 0;
            return CM_OK;
        }
        if (full) {
            pl->len = n;                          /* a piece of a long line */
            return CM_OK;
        }
        enum cm_status rc = fill(v, err);
        if (rc)
            return rc;
    }
}

/* Take what peek_line gave: its bytes go to the logical line's raw text. */
static void take(struct vc *v, const struct pline *pl)
{
    size_t n = pl->len + pl->eol;
    if (v->lraw.len < VC_RAW_MAX) {
        size_t room = VC_RAW_MAX - v->lraw.len;
        if (buf_add(&v->lraw, pl->p, n < room ? n : room) != CM_OK)
            v->lraw.len = VC_RAW_MAX;             /* keep less, read on */
    }
    v->pos += n;
    if (pl->whole)
        v->line++;
}

/* ---- property heads ------------------------------------------------------------------ */

static enum kind kind_of(const char *name, size_t n)
{
#define KIND(word, kind) { word, sizeof(word) - 1, kind }
    static const struct { const char *name; size_t len; enum kind kind; } kinds[] = {
        KIND("EMAIL", K_EMAIL), KIND("TEL", K_TEL), KIND("URL", K_URL), KIND("ADR", K_ADR),
        KIND("N", K_N), KIND("ORG", K_ORG), KIND("X-ABLABEL", K_LABEL),
        KIND("AGENT", K_AGENT), KIND("VERSION", K_FILE), KIND("PRODID", K_FILE),
        KIND("PHOTO", K_BINARY), KIND("LOGO", K_BINARY), KIND("SOUND", K_BINARY),
        KIND("KEY", K_BINARY),
    };
#undef KIND
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (kinds[i].len == n && strncasecmp(name, kinds[i].name, n) == 0)
            return kinds[i].kind;
    }
    return K_OTHER;
}

/* Add a type word (lower case, once; "pref" is the order's business). */
static void add_type(struct lline *ll, const char *w, size_t n)
{
    while (n && (*w == ' ' || *w == '"')) {
        w++;
        n--;
    }
    while (n && (w[n - 1] == ' ' || w[n - 1] == '"'))
        n--;
    if (n == 0 || n > 64)
        return;
    char word[65];
    for (size_t i = 0; i < n; i++)
        word[i] = (char)lower((unsigned char)w[i]);
    word[n] = '\0';
    if (!strcmp(word, "pref")) {
        if (ll->h.rank > 1)
            ll->h.rank = 1;
        return;
    }
    const char *t = ll->types.data;
    for (size_t i = 0; t && i < ll->types.len; ) {       /* already there? */
        const char *comma = memchr(t + i, ',', ll->types.len - i);
        size_t end = comma ? (size_t)(comma - t) : ll->types.len;
        if (end - i == n && !memcmp(t + i, word, n))
            return;
        i = end + 1;
    }
    if (ll->types.len)
        buf_addch(&ll->types, ',');
    buf_add(&ll->types, word, n);
}

/* RFC 6868 ^n ^^ ^' in a parameter value, quotes removed */
static void set_label(struct lline *ll, const char *s, size_t n)
{
    buf_reset(&ll->label);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '^' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == 'N')) {
            c = '\n';
            i++;
        } else if (c == '^' && i + 1 < n && (s[i + 1] == '^' || s[i + 1] == '\'')) {
            c = s[i + 1] == '^' ? '^' : '"';
            i++;
        }
        buf_addch(&ll->label, c);
    }
}

/* One parameter: NAME=value[,value] or a bare 2.1 word. */
static void add_param(struct lline *ll, const char *s, size_t n)
{
    struct head *h = &ll->h;
    const char *eq = memchr(s, '=', n);
    if (!eq) {                                   /* 2.1: TEL;WORK;VOICE, QUOTED-PRINTABLE */
        if (SAME_CI(s, n, "QUOTED-PRINTABLE"))
            h->qp = 1;
        else if (SAME_CI(s, n, "BASE64") || SAME_CI(s, n, "B"))
            h->base64 = 1;
        else if (!SAME_CI(s, n, "8BIT") && !SAME_CI(s, n, "7BIT"))
            add_type(ll, s, n);
        return;
    }
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    const char *val = eq + 1;
    if (SAME_CI(s, kn, "TYPE")) {
        while (vn) {
            const char *comma = memchr(val, ',', vn);
            size_t wn = comma ? (size_t)(comma - val) : vn;
            add_type(ll, val, wn);
            val += wn;
            vn -= wn;
            if (comma) {
                val++;
                vn--;
            }
        }
    } else if (SAME_CI(s, kn, "ENCODING")) {
        if (SAME_CI(val, vn, "QUOTED-PRINTABLE"))
            h->qp = 1;
        else if (SAME_CI(val, vn, "BASE64") || SAME_CI(val, vn, "B"))
            h->base64 = 1;
    } else if (SAME_CI(s, kn, "CHARSET")) {
        if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
            val++;
            vn -= 2;
        }
        snprintf(h->charset, sizeof h->charset, "%.*s", (int)vn, val);
        if (vn == 0)
            snprintf(h->charset, sizeof h->charset, "?");
    } else if (SAME_CI(s, kn, "PREF")) {
        int rank = 0;
        for (size_t i = 0; i < vn && val[i] >= '0' && val[i] <= '9' && rank < 1000; i++)
            rank = rank * 10 + (val[i] - '0');
        if (rank >= 1 && rank < h->rank)
            h->rank = rank > 100 ? 100 : rank;
    } else if (SAME_CI(s, kn, "LABEL")) {
        set_label(ll, val, vn);
        h->has_label = 1;
    }
}

/* The head of ll->text up to colon: group, name, parameters. */
static void parse_head(struct lline *ll, size_t colon)
{
    struct head *h = &ll->h;
    const char *s = ll->text.data;
    memset(h, 0, sizeof *h);
    h->colon = colon;
    h->rank = VC_NO_PREF;
    buf_reset(&ll->types);
    size_t i = 0;
    while (i < colon && s[i] != ';')
        i++;
    const char *dot = memchr(s, '.', i);
    h->name = dot ? (size_t)(dot - s) + 1 : 0;
    h->name_len = i - h->name;
    h->group_len = dot ? (size_t)(dot - s) : 0;
    for (size_t k = h->name; k < i; k++)
        h->bad_name |= !is_name_byte((unsigned char)s[k]);
    h->bad_name |= h->name_len == 0 || h->name_len > VC_NAME_MAX || (dot && dot == s);
    h->kind = kind_of(s + h->name, h->name_len);
    while (i < colon) {                          /* ;param;param... */
        size_t start = ++i;
        int q = 0;
        while (i < colon && (q || s[i] != ';')) {
            if (s[i] == '"')
                q = !q;
            i++;
        }
        if (i > start)
            add_param(ll, s + start, i - start);
    }
    if (h->base64)
        h->kind = K_BINARY;
}

/* Look for the ':' that ends the head in what has come so far (quotes respected). */
static void scan_head(struct lline *ll)
{
    const char *s = ll->text.data;
    for (size_t i = ll->scanned; i < ll->text.len; i++) {
        if (s[i] == '"') {
            ll->quote = !ll->quote;
        } else if (s[i] == ':' && !ll->quote) {
            parse_head(ll, i);
            ll->head_done = 1;
            if (ll->h.kind == K_BINARY)
                ll->text.len = i + 1;            /* the value is never held */
            return;
        }
    }
    ll->scanned = ll->text.len;
}

/* ---- logical lines ------------------------------------------------------------------ */

static int skipping(const struct lline *ll)
{
    return ll->head_done && ll->h.kind == K_BINARY;
}

/* Add bytes of the line: held up to max_property_bytes, never for a binary value. */
static void line_add(struct vc *v, struct lline *ll, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (memchr(p, '\0', n))
        ll->nul = 1;
    ll->last = (unsigned char)p[n - 1];
    if (skipping(ll) || ll->too_long)
        return;
    if (ll->text.len + n > v->max_prop) {
        n = v->max_prop - ll->text.len;
        ll->too_long = 1;
    }
    if (buf_add(&ll->text, p, n) != CM_OK)
        ll->too_long = 1;
    if (!ll->head_done)
        scan_head(ll);
}

/* Take the physical line pl (all its pieces) into ll, dropping its first `drop` bytes. */
static enum cm_status take_line(struct vc *v, struct lline *ll, struct pline *pl,
                                size_t drop, char *err)
{
    if (pl->whole && pl->len == drop)
        ll->last = 0;                            /* an empty line ends a soft break */
    for (;;) {
        line_add(v, ll, pl->p + drop, pl->len - drop);
        drop = 0;
        int whole = pl->whole;
        take(v, pl);
        if (whole)
            return CM_OK;
        enum cm_status rc = peek_line(v, pl, err);
        if (rc)
            return rc;
    }
}

/* A quoted-printable value that ends in '=' goes on in the next line. */
static int soft_break(const struct lline *ll, const struct pline *next)
{
    return ll->head_done && ll->h.qp && ll->last == '=' &&
           !is_marker(next->p, next->len, "END:VCARD");
}

/* The next logical line: blank lines skipped, folded and soft-broken lines joined,
 * binary values read past. *got = 0 at the end of the input. */
static enum cm_status read_logical(struct vc *v, struct lline *ll, int *got, char *err)
{
    struct pline pl;
    enum cm_status rc;
    *got = 0;
    for (;;) {
        rc = peek_line(v, &pl, err);
        if (rc || pl.end)
            return rc;
        if (pl.len || !pl.whole)
            break;
        take(v, &pl);                            /* a blank line */
    }
    buf_reset(&ll->text);
    buf_reset(&v->lraw);
    ll->line = v->line;
    ll->too_long = ll->nul = ll->head_done = ll->quote = 0;
    ll->scanned = 0;
    ll->last = 0;
    rc = take_line(v, ll, &pl, 0, err);
    while (!rc) {
        rc = peek_line(v, &pl, err);
        if (rc || pl.end)
            break;
        if (soft_break(ll, &pl)) {
            if (!ll->too_long && ll->text.len && ll->text.data[ll->text.len - 1] == '=')
                ll->text.len--;                  /* the '=' of the soft break */
            rc = take_line(v, ll, &pl, 0, err);
        } else if (pl.len && (pl.p[0] == ' ' || pl.p[0] == '\t')) {
            rc = take_line(v, ll, &pl, v->v21 ? 0 : 1, err);
        } else if (skipping(ll) && is_base64_line(pl.p, pl.len)) {
            rc = take_line(v, ll, &pl, 0, err);  /* 2.1: base64 lines not indented */
        } else if (skipping(ll) && pl.len == 0 && pl.whole) {
            take(v, &pl);                        /* the blank line that ends them */
            break;
        } else {
            break;
        }
    }
    if (rc)
        return rc;
    if (ll->text.data)
        ll->text.data[ll->text.len] = '\0';
    ll->line_end = v->line - 1;
    *got = 1;
    return CM_OK;
}

/* ---- values ------------------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* =XX to bytes; '=' not followed by two hex digits stays as it is */
static enum cm_status qp_decode(const char *s, size_t n, struct buf *out)
{
    buf_reset(out);
    enum cm_status rc = buf_grow(out, n + 1);
    if (rc)
        return rc;
    char *o = out->data;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '=' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        } else if (s[i] == '=' && i + 1 == n) {
            break;                               /* a soft break at the very end */
        } else {
            *o++ = s[i];
        }
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return CM_OK;
}

static int is_utf8_name(const char *cs)
{
    return !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8") ||
           !strcasecmp(cs, "us-ascii") || !strcasecmp(cs, "ascii");
}

/* The code page for a CHARSET, opened once; NULL for a name iconv does not know. */
static struct codepage *charset_of(struct vc *v, const char *name)
{
    for (size_t i = 0; i < v->ncharsets; i++) {
        if (!strcasecmp(v->charsets[i].name, name))
            return v->charsets[i].cp;
    }
    struct codepage *cp;
    if (codepage_open_label(name, &cp, NULL) != CM_OK)
        return NULL;
    if (v->ncharsets == VC_CHARSETS) {           /* full: forget the last one */
        codepage_close(v->charsets[--v->ncharsets].cp);
    }
    struct charset *c = &v->charsets[v->ncharsets++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->cp = cp;
    return cp;
}

/* The card fails with a reason (the first one stands). */
static void card_fail(struct vc *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void card_fail(struct vc *v, const char *fmt, ...)
{
    if (v->card_err[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->card_err, sizeof v->card_err, fmt, ap);
    va_end(ap);
}

/* A property's name for reasons: "EMAIL" */
static const char *head_name(const struct lline *ll, char *out, size_t cap)
{
    quote_cut(out, cap, ll->text.data + ll->h.name, ll->h.name_len, 40);
    for (char *p = out; *p; p++)
        *p = (char)upper((unsigned char)*p);
    return out;
}

/* The card fails on bytes of a value that are not valid in their encoding. */
static void fail_bytes(struct vc *v, const struct lline *ll, const char *s, size_t bad,
                       const char *encoding, int utf8)
{
    char name[64];
    head_name(ll, name, sizeof name);
    if (utf8)
        card_fail(v, "line %ld: %s: invalid %s at byte offset %zu", ll->line, name,
                  encoding, bad);
    else
        card_fail(v, "line %ld: %s: byte 0x%02x at byte offset %zu is not valid %s",
                  ll->line, name, (unsigned char)s[bad], bad, encoding);
}

/* Bytes in the value's own CHARSET to UTF-8: 0 on a bad value, -1 out of memory. */
static int decode_charset(struct vc *v, const struct lline *ll, const char *cs,
                          const char **s, size_t *n)
{
    size_t bad;
    if (is_utf8_name(cs)) {
        bad = utf8_valid_prefix(*s, *n, 0);
        if (bad < *n)
            fail_bytes(v, ll, *s, bad, cs, 1);
        return bad == *n;
    }
    struct codepage *cp = charset_of(v, cs);
    if (!cp) {
        char name[64], q[64];
        quote_cut(q, sizeof q, cs, strlen(cs), 40);
        card_fail(v, "line %ld: %s: unknown CHARSET \"%s\"", ll->line,
                  head_name(ll, name, sizeof name), q);
        return 0;
    }
    buf_reset(&v->cbuf);
    enum cm_status rc = codepage_decode(cp, *s, *n, &v->cbuf, &bad);
    if (rc == CM_ERR_INPUT)
        fail_bytes(v, ll, *s, bad, codepage_name(cp), 0);
    if (rc)
        return rc == CM_ERR_INPUT ? 0 : -1;
    *s = v->cbuf.data;
    *n = v->cbuf.len;
    return 1;
}

/* The value's bytes as UTF-8: quoted-printable decoded, then its CHARSET or the file's
 * encoding. 0 on a bad value (the card fails), -1 out of memory. */
static int decode_value(struct vc *v, const struct lline *ll, const char **s, size_t *n)
{
    const struct head *h = &ll->h;
    if (h->qp) {
        if (qp_decode(*s, *n, &v->qbuf) != CM_OK)
            return -1;
        *s = v->qbuf.data;
        *n = v->qbuf.len;
    }
    if (h->charset[0] && (h->qp || !v->unicode))
        return decode_charset(v, ll, h->charset, s, n);
    const char *out;
    size_t out_len, bad;
    enum cm_status rc = textin_decode(v->ti, *s, *n, &out, &out_len, &bad);
    if (rc == CM_ERR_INPUT)
        fail_bytes(v, ll, *s, bad, textin_encoding(v->ti), textin_is_utf8(v->ti));
    if (rc)
        return rc == CM_ERR_INPUT ? 0 : -1;
    *s = out;
    *n = out_len;
    return 1;
}

/* Append the value to the card's text, unescaped; a structured value (N, ADR, ORG) is
 * split at unescaped ';' into NUL-separated parts. Returns the number of parts, 0 when
 * all are empty (nothing is kept), -1 out of memory. */
static int store_parts(struct vc *v, const char *s, size_t n, int structured)
{
    size_t start = v->text.len;
    if (buf_grow(&v->text, n + 2) != CM_OK)
        return -1;
    char *o = v->text.data + v->text.len;
    int parts = 1, filled = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n && (!v->v21 || s[i + 1] == ';')) {
            c = s[++i];
            if (!v->v21 && (c == 'n' || c == 'N'))
                c = '\n';
        } else if (c == ';' && structured) {
            *o++ = '\0';
            parts++;
            continue;
        }
        *o++ = c;
        filled = 1;
    }
    *o++ = '\0';
    v->text.len = (size_t)(o - v->text.data);
    if (!filled) {
        v->text.len = start;
        return 0;
    }
    return parts;
}

/* "tel:+1-555-0100;ext=12" -> "+1-555-0100 x12"; "mailto:a@b" -> "a@b" */
static void strip_uri(char *s, enum kind kind)
{
    const char *scheme = kind == K_TEL ? "tel:" : "mailto:";
    size_t k = strlen(scheme), n = strlen(s);
    if (n < k || strncasecmp(s, scheme, k) != 0)
        return;
    memmove(s, s + k, n - k + 1);
    char *ext = kind == K_TEL ? strstr(s, ";ext=") : NULL;
    if (ext) {
        memcpy(ext, " x", 2);
        memmove(ext + 2, ext + 5, strlen(ext + 5) + 1);
    }
}

/* a copy of len bytes at the end of the card's text; its offset, 0 out of memory */
static uint32_t store_text(struct vc *v, const char *s, size_t len)
{
    uint32_t off = (uint32_t)v->text.len;
    if (buf_add(&v->text, s, len) != CM_OK || buf_addch(&v->text, '\0') != CM_OK)
        return 0;
    return off;
}

static uint32_t store_upper(struct vc *v, const char *s, size_t len)
{
    uint32_t off = store_text(v, s, len);
    for (size_t i = 0; off && i < len; i++)
        v->text.data[off + i] = (char)upper((unsigned char)v->text.data[off + i]);
    return off;
}

static struct prop *new_prop(struct vc *v)
{
    if (array_grow((void **)&v->props, &v->props_alloc, v->nprops + 1, sizeof *v->props))
        return NULL;
    struct prop *p = &v->props[v->nprops];
    memset(p, 0, sizeof *p);
    p->seq = (uint32_t)v->nprops;
    return p;
}

static int over_card_limit(struct vc *v)
{
    if (v->text.len + (v->nprops + 1) * VC_PROP_COST <= v->max_card)
        return 0;
    card_fail(v, "the card exceeds max_card_bytes (%zu)", v->max_card);
    return 1;
}

/* Keep the property of ll. -1 out of memory. */
static int keep_property(struct vc *v, const struct lline *ll)
{
    const struct head *h = &ll->h;
    const char *s = ll->text.data + h->colon + 1;
    size_t n = ll->text.len - h->colon - 1;
    int ok = decode_value(v, ll, &s, &n);
    if (ok <= 0)
        return ok;
    size_t mark = v->text.len;
    int structured = h->kind == K_N || h->kind == K_ADR || h->kind == K_ORG;
    struct prop *p = new_prop(v);
    if (!p)
        return -1;
    p->value = (uint32_t)v->text.len;
    int parts = store_parts(v, s, n, structured);
    if (parts <= 0)
        return parts;
    if (h->kind == K_TEL || h->kind == K_EMAIL)
        strip_uri(v->text.data + p->value, h->kind);
    p->nparts = (uint16_t)(parts > UINT16_MAX ? UINT16_MAX : parts);
    p->kind = (uint8_t)h->kind;
    p->rank = (uint8_t)h->rank;
    p->name = store_upper(v, ll->text.data + h->name, h->name_len);
    if (h->group_len)
        p->group = store_text(v, ll->text.data + h->group, h->group_len);
    if (ll->types.len)
        p->types = store_text(v, ll->types.data, ll->types.len);
    if (h->has_label && ll->label.len)
        p->formatted = store_text(v, ll->label.data, ll->label.len);
    if (!p->name || (h->group_len && !p->group) || (ll->types.len && !p->types) ||
        (h->has_label && ll->label.len && !p->formatted))
        return -1;
    if (over_card_limit(v)) {
        v->text.len = mark;
        return 1;
    }
    v->nprops++;
    return 1;
}

/* One property line of the card. -1 out of memory. */
static int add_property(struct vc *v, const struct lline *ll)
{
    const struct head *h = &ll->h;
    char name[64], q[64];
    v->agent_line = 0;
    if (v->card_err[0])
        return 0;                                /* failed: read on to END:VCARD */
    if (ll->nul) {
        card_fail(v, "line %ld: NUL byte in the property line", ll->line);
        return 0;
    }
    if (!ll->head_done) {
        quote_cut(q, sizeof q, ll->text.data, ll->text.len, 40);
        card_fail(v, "line %ld: no ':' in the property line \"%s\"", ll->line, q);
        return 0;
    }
    if (h->bad_name) {
        quote_cut(q, sizeof q, ll->text.data, h->colon, 40);
        card_fail(v, "line %ld: \"%s\" is not a property name", ll->line, q);
        return 0;
    }
    if (ll->too_long) {
        card_fail(v, "line %ld: %s: longer than max_property_bytes (%zu)", ll->line,
                  head_name(ll, name, sizeof name), v->max_prop);
        return 0;
    }
    if (h->kind == K_BINARY)
        return 0;
    if (h->kind == K_FILE) {
        if (SAME_CI(ll->text.data + h->name, h->name_len, "VERSION"))
            v->v21 = v->file_v21 = !strncmp(ll->text.data + h->colon + 1, "2.1", 3);
        return 0;
    }
    if (h->kind == K_AGENT && h->colon + 1 == ll->text.len) {
        v->agent_line = ll->line;                /* an embedded card may follow */
        return 0;
    }
    return keep_property(v, ll);
}

/* ---- the embedded card of an AGENT ------------------------------------------------------ */

/* Its lines, each decoded as the file's text, become the AGENT value. */
static int nested_line(struct vc *v, const struct lline *ll, int begin, int end)
{
    v->nested += begin - end;
    if (v->card_err[0])
        return 0;
    if (ll->nul || ll->too_long) {
        card_fail(v, "line %ld: AGENT: %s in the embedded card", ll->line,
                  ll->nul ? "NUL byte" : "a line longer than max_property_bytes");
        return 0;
    }
    const char *s = ll->text.data;
    size_t n = ll->text.len, bad;
    const char *out;
    enum cm_status rc = textin_decode(v->ti, s, n, &out, &n, &bad);
    if (rc == CM_ERR_INPUT) {
        card_fail(v, "line %ld: AGENT: the embedded card is not valid %s", ll->line,
                  textin_encoding(v->ti));
        return 0;
    }
    if (rc)
        return -1;
    v->text.len--;                               /* the AGENT value, last of the card */
    if (buf_addch(&v->text, '\n') || buf_add(&v->text, out, n) || buf_addch(&v->text, '\0'))
        return -1;
    over_card_limit(v);
    return 0;
}

static int nested_start(struct vc *v, const struct lline *ll)
{
    v->nested = 1;
    if (v->card_err[0])
        return 0;
    struct prop *p = new_prop(v);
    if (!p)
        return -1;
    p->kind = K_OTHER;
    p->rank = VC_NO_PREF;
    p->nparts = 1;
    p->name = store_text(v, "AGENT", 5);
    p->value = store_text(v, ll->text.data, ll->text.len);
    if (!p->name || !p->value)
        return -1;
    v->nprops++;
    return 0;
}

/* ---- the columns ---------------------------------------------------------------------- */

static void names_reset(struct vc *v)
{
    free(v->table);
    v->table = NULL;
    v->table_size = v->ninames = 0;
    arena_reset(&v->name_arena);
    v->ncols = 0;
    v->nfilled = 0;
    v->names_version++;
}

static int table_grow(struct vc *v)
{
    size_t size = v->table_size ? v->table_size * 2 : 256;
    struct iname *t = calloc(size, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < v->table_size; i++) {
        if (!v->table[i].s)
            continue;
        size_t k = v->table[i].hash & (size - 1);
        while (t[k].s)
            k = (k + 1) & (size - 1);
        t[k] = v->table[i];
    }
    free(v->table);
    v->table = t;
    v->table_size = size;
    return 0;
}

static struct iname *intern(struct vc *v, const char *s, size_t n)
{
    if ((v->ninames + 1) * 2 > v->table_size && table_grow(v))
        return NULL;
    uint64_t h = hash64(s, n, 0);
    size_t k = h & (v->table_size - 1);
    for (;; k = (k + 1) & (v->table_size - 1)) {
        struct iname *e = &v->table[k];
        if (!e->s)
            break;
        if (e->hash == h && e->len == n && !memcmp(e->s, s, n))
            return e;
    }
    struct iname *e = &v->table[k];
    e->s = arena_strndup(&v->name_arena, s, n);
    if (!e->s)
        return NULL;
    e->hash = h;
    e->len = (uint32_t)n;
    e->col = -1;
    v->ninames++;
    return e;
}

/* names, values and lengths grow together */
static int grow_columns(struct vc *v, size_t want)
{
    if (want <= v->cols_alloc)
        return 0;
    size_t n = v->cols_alloc ? 2 * v->cols_alloc : 64;
    const char **names = realloc(v->names, n * sizeof *names);
    if (!names)
        return -1;
    v->names = names;
    const char **values = realloc(v->values, n * sizeof *values);
    if (!values)
        return -1;
    v->values = values;
    size_t *lengths = realloc(v->lengths, n * sizeof *lengths);
    if (!lengths)
        return -1;
    v->lengths = lengths;
    v->cols_alloc = n;
    return 0;
}

/* Set the field `name` of this record (its column made when new). */
static int set_field(struct vc *v, const char *name, size_t n, uint32_t value)
{
    struct iname *e = intern(v, name, n);
    if (!e)
        return -1;
    if (e->col < 0) {
        if (grow_columns(v, v->ncols + 1))
            return -1;
        e->col = (int32_t)v->ncols;
        v->names[v->ncols] = e->s;
        v->values[v->ncols] = NULL;
        v->ncols++;
        v->names_version++;
    }
    if (array_grow((void **)&v->filled, &v->filled_alloc, v->nfilled + 1, sizeof *v->filled))
        return -1;
    if (!v->values[e->col])
        v->filled[v->nfilled++] = (uint32_t)e->col;
    v->values[e->col] = v->text.data + value;
    v->lengths[e->col] = strlen(v->text.data + value);
    return 0;
}

static void clear_fields(struct vc *v)
{
    for (size_t i = 0; i < v->nfilled; i++)
        v->values[v->filled[i]] = NULL;
    v->nfilled = 0;
}

/* ---- naming a card's fields ------------------------------------------------------------ */

static const char *const n_parts[] = { ".family", ".given", ".middle", ".prefix",
                                       ".suffix" };
static const char *const adr_parts[] = { ".pobox", ".ext", ".street", ".locality",
                                         ".region", ".code", ".country" };
static const char *const org_parts[] = { ".name", ".unit" };

static int numbered(int kind)
{
    return kind == K_EMAIL || kind == K_TEL || kind == K_URL || kind == K_ADR;
}

/* numbered kinds by preference, everything else in file order */
static int by_kind_rank_seq(const void *a, const void *b, void *ctx)
{
    const struct vc *v = ctx;
    const struct prop *p = &v->props[*(const uint32_t *)a];
    const struct prop *q = &v->props[*(const uint32_t *)b];
    if (p->kind != q->kind)
        return p->kind < q->kind ? -1 : 1;
    if (numbered(p->kind) && p->rank != q->rank)
        return p->rank < q->rank ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* grouped properties by group (any case), labels after the rest, then file order */
static int by_group(const void *a, const void *b, void *ctx)
{
    const struct vc *v = ctx;
    const struct prop *p = &v->props[*(const uint32_t *)a];
    const struct prop *q = &v->props[*(const uint32_t *)b];
    int c = strcasecmp(v->text.data + p->group, v->text.data + q->group);
    if (c)
        return c;
    if ((p->kind == K_LABEL) != (q->kind == K_LABEL))
        return p->kind == K_LABEL ? 1 : -1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Apple's "_$!<Mobile>!$_" is "Mobile" */
static void unwrap_label(char *s)
{
    size_t n = strlen(s);
    if (n >= 8 && !strncmp(s, "_$!<", 4) && !strcmp(s + n - 4, ">!$_")) {
        memmove(s, s + 4, n - 8);
        s[n - 8] = '\0';
    }
}

/* Each group's X-ABLabel labels the group's other properties. */
static int resolve_labels(struct vc *v)
{
    size_t n = 0;
    if (array_grow((void **)&v->order, &v->order_alloc, v->nprops + 1, sizeof *v->order))
        return -1;
    for (size_t i = 0; i < v->nprops; i++) {
        if (v->props[i].group)
            v->order[n++] = (uint32_t)i;
    }
    qsort_r(v->order, n, sizeof *v->order, by_group, v);
    const char *text = v->text.data;
    for (size_t i = 0; i < n; ) {
        size_t j = i;
        while (j < n && !strcasecmp(text + v->props[v->order[j]].group,
                                    text + v->props[v->order[i]].group))
            j++;
        struct prop *label = &v->props[v->order[j - 1]];
        if (label->kind == K_LABEL) {
            unwrap_label(v->text.data + label->value);
            for (size_t k = i; k < j && v->props[v->order[k]].kind != K_LABEL; k++) {
                v->props[v->order[k]].label = label->value;
                label->used = 1;
            }
        }
        i = j;
    }
    return 0;
}

static size_t put(char *out, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (at + n >= VC_FIELD_MAX)
        n = at + 1 < VC_FIELD_MAX ? VC_FIELD_MAX - 1 - at : 0;
    memcpy(out + at, s, n);
    return at + n;
}

/* " 12" */
static size_t put_num(char *out, size_t at, unsigned n)
{
    char tmp[16];
    size_t k = sizeof tmp;
    tmp[--k] = '\0';
    do {
        tmp[--k] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    tmp[--k] = ' ';
    return put(out, at, tmp + k);
}

/* The base of a property's field names: "EMAIL 2", "NOTE", "NOTE 2", "N". */
static int base_name(struct vc *v, const struct prop *p, unsigned nth, char *out,
                     size_t *len)
{
    const char *name = v->text.data + p->name;
    if (p->kind == K_LABEL)
        name = "X-ABLABEL";                      /* an X-ABLabel of no property */
    size_t at = put(out, 0, name);
    if (!numbered(p->kind)) {
        struct iname *e = intern(v, out, at);
        if (!e)
            return -1;
        if (e->gen != v->gen) {
            e->gen = v->gen;
            e->count = 0;
        }
        nth = ++e->count;
    }
    if (numbered(p->kind) || nth > 1)
        at = put_num(out, at, nth);
    *len = at;
    return 0;
}

static int set_named(struct vc *v, char *base, size_t at, const char *suffix, uint32_t off)
{
    size_t n = put(base, at, suffix);
    return set_field(v, base, n, off);
}

/* The fields of one property. */
static int name_property(struct vc *v, const struct prop *p, unsigned nth)
{
    char f[VC_FIELD_MAX];
    size_t at;
    if (base_name(v, p, nth, f, &at))
        return -1;
    const char *const *parts = NULL;
    size_t nnamed = 0;
    if (p->kind == K_N) {
        parts = n_parts;
        nnamed = 5;
    } else if (p->kind == K_ADR) {
        parts = adr_parts;
        nnamed = 7;
    } else if (p->kind == K_ORG) {
        parts = org_parts;
        nnamed = 2;
    }
    uint32_t off = p->value;
    for (size_t k = 0; k < p->nparts; k++) {
        size_t len = strlen(v->text.data + off);
        char pos[32];
        const char *suffix = "";
        if (parts && k < nnamed) {
            suffix = parts[k];
        } else if (parts) {
            snprintf(pos, sizeof pos, ".%zu", k + 1);   /* past the named parts */
            suffix = pos;
        }
        if (len && set_named(v, f, at, suffix, off))
            return -1;
        off += (uint32_t)len + 1;
    }
    if (p->types && set_named(v, f, at, " TYPE", p->types))
        return -1;
    if (p->label && v->text.data[p->label] && set_named(v, f, at, " LABEL", p->label))
        return -1;
    if (p->formatted && set_named(v, f, at, " FORMATTED", p->formatted))
        return -1;
    return 0;
}

/* All fields of the card, numbered kinds by preference. */
static int name_fields(struct vc *v)
{
    if (v->ninames > VC_NAMES_MAX)
        names_reset(v);
    v->gen++;
    clear_fields(v);
    if (resolve_labels(v))
        return -1;
    for (size_t i = 0; i < v->nprops; i++)
        v->order[i] = (uint32_t)i;
    qsort_r(v->order, v->nprops, sizeof *v->order, by_kind_rank_seq, v);
    unsigned nth = 0;
    int kind = -1;
    for (size_t i = 0; i < v->nprops; i++) {
        const struct prop *p = &v->props[v->order[i]];
        nth = p->kind == kind ? nth + 1 : 1;
        kind = p->kind;
        if (p->kind == K_LABEL && p->used)
            continue;
        if (name_property(v, p, nth))
            return -1;
    }
    return 0;
}

/* ---- cards -------------------------------------------------------------------------- */

static void card_start(struct vc *v, const struct lline *ll)
{
    v->in_card = v->seen_card = 1;
    v->card_line = ll->line;
    v->card_last = ll->line_end;
    v->card_err[0] = '\0';
    v->nprops = 0;
    v->nested = 0;
    v->agent_line = 0;
    v->v21 = v->file_v21;
    buf_reset(&v->text);
    buf_addch(&v->text, '\0');                   /* offset 0 means "none" */
    buf_reset(&v->craw);
    buf_add(&v->craw, v->lraw.data, v->lraw.len);
}

static void raw_append(struct buf *raw, const struct buf *lraw)
{
    if (raw->len >= VC_RAW_MAX)
        return;
    size_t room = VC_RAW_MAX - raw->len;
    buf_add(raw, lraw->data, lraw->len < room ? lraw->len : room);
}

static enum conn_next set_reject(struct vc *v, struct reject *rej, long line,
                                 long line_end, const struct buf *raw)
{
    buf_reset(&v->rraw);
    buf_add(&v->rraw, raw->data, raw->len);
    rej->file = v->file;
    rej->line = line;
    rej->line_end = line_end;
    rej->raw = v->rraw.data ? v->rraw.data : "";
    rej->raw_len = v->rraw.len;
    return CONN_REJECT;
}

static enum conn_next card_reject(struct vc *v, struct reject *rej)
{
    snprintf(rej->reason, sizeof rej->reason, "%s", v->card_err);
    v->in_card = 0;
    return set_reject(v, rej, v->card_line, v->card_last, &v->craw);
}

static enum conn_next junk_reject(struct vc *v, struct reject *rej)
{
    snprintf(rej->reason, sizeof rej->reason,
             "text outside BEGIN:VCARD ... END:VCARD");
    long line = v->junk_line;
    v->junk_line = 0;
    return set_reject(v, rej, line, v->junk_end, &v->jraw);
}

static enum conn_next card_record(struct vc *v, struct raw_record *rec,
                                  struct reject *rej, char *err)
{
    v->in_card = 0;
    if (v->card_err[0])
        return card_reject(v, rej);
    if (name_fields(v)) {
        v->failed = 1;
        cm_fail(err, CM_ERR_NOMEM, "%s:%ld: out of memory", v->file, v->card_line);
        return CONN_ERROR;
    }
    rec->nfields = v->ncols;
    rec->names = v->names;
    rec->names_version = v->names_version;
    rec->values = v->values;
    rec->lengths = v->lengths;
    rec->file = v->file;
    rec->line = v->card_line;
    rec->line_end = v->card_last;
    rec->raw = v->craw.data ? v->craw.data : "";
    rec->raw_len = v->craw.len;
    return CONN_RECORD;
}

static enum conn_next at_end(struct vc *v, struct reject *rej, char *err)
{
    if (v->in_card) {                            /* this reason wins over any other */
        snprintf(v->card_err, sizeof v->card_err,
                 "no END:VCARD before the end of the file");
        return card_reject(v, rej);
    }
    if (v->junk_line && !v->seen_card) {
        v->failed = 1;
        cm_fail(err, CM_ERR_INPUT, "%s: not a vCard file: no BEGIN:VCARD in it", v->file);
        return CONN_ERROR;
    }
    if (v->junk_line)
        return junk_reject(v, rej);
    return CONN_EOF;
}

/* A line outside any card. */
static void junk_add(struct vc *v, const struct lline *ll)
{
    if (!v->junk_line) {
        v->junk_line = ll->line;
        buf_reset(&v->jraw);
    }
    v->junk_end = ll->line_end;
    raw_append(&v->jraw, &v->lraw);
}

static enum conn_next vc_next(void *state, struct raw_record *rec, struct reject *rej,
                              char *err)
{
    struct vc *v = state;
    struct lline *ll = &v->ll;
    char terr[CM_ERRBUF];
    if (v->failed)
        return CONN_ERROR;
    for (;;) {
        int got;
        if (read_logical(v, ll, &got, terr) != CM_OK) {
            v->failed = 1;
            cm_fail(err, CM_ERR_IO, "%s", terr);
            return CONN_ERROR;
        }
        if (!got)
            return at_end(v, rej, err);
        int begin = is_marker(ll->text.data, ll->text.len, "BEGIN:VCARD");
        int end = is_marker(ll->text.data, ll->text.len, "END:VCARD");
        if (!v->in_card) {
            if (!begin) {
                junk_add(v, ll);
                continue;
            }
            int junk = v->junk_line != 0;
            enum conn_next r = junk ? junk_reject(v, rej) : CONN_EOF;
            card_start(v, ll);
            if (junk)
                return r;
            continue;
        }
        if (begin && !v->nested && !v->agent_line) {
            snprintf(v->card_err, sizeof v->card_err,  /* this reason wins */
                     "no END:VCARD before the BEGIN:VCARD at line %ld", ll->line);
            enum conn_next r = card_reject(v, rej);
            card_start(v, ll);
            return r;
        }
        raw_append(&v->craw, &v->lraw);
        int rc = 0;
        if (v->nested) {
            rc = nested_line(v, ll, begin, end);
        } else if (begin) {
            rc = nested_start(v, ll);
        } else if (end) {
            v->card_last = ll->line_end;
            return card_record(v, rec, rej, err);
        } else {
            rc = add_property(v, ll);
        }
        v->card_last = ll->line_end;
        if (rc < 0) {
            v->failed = 1;
            cm_fail(err, CM_ERR_NOMEM, "%s:%ld: out of memory", v->file, ll->line);
            return CONN_ERROR;
        }
    }
}

/* ---- options, open, close ---------------------------------------------------------- */

static enum cm_status read_options(struct vc *v, const struct source *src,
                                   const char **encoding, long long *max_input, char *err)
{
    enum cm_status rc = source_opt_string(src, "encoding", "auto", encoding, err);
    if (!rc)
        rc = source_opt_size(src, "max_property_bytes", 1048576, 64, VC_LIMIT_MAX,
                             &v->max_prop, err);
    if (!rc)
        rc = source_opt_size(src, "max_card_bytes", 8388608, 256, VC_LIMIT_MAX, &v->max_card,
                             err);
    if (!rc)
        rc = source_opt_int(src, "max_input_bytes", 0, max_input, err);
    if (!rc && *max_input < 0)
        rc = cm_fail(err, CM_ERR_CONFIG, "%s.max_input_bytes: must be 0 (no cap) or more, "
                     "not %lld", src->where, *max_input);
    return rc;
}

static void vc_close(void *state)
{
    struct vc *v = state;
    if (!v)
        return;
    textin_close(v->ti);
    for (size_t i = 0; i < v->ncharsets; i++)
        codepage_close(v->charsets[i].cp);
    struct buf *bufs[] = { &v->lraw, &v->ll.text, &v->ll.types, &v->ll.label, &v->text,
                           &v->craw, &v->jraw, &v->rraw, &v->qbuf, &v->cbuf };
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        buf_free(bufs[i]);
    free(v->win);
    free(v->props);
    free(v->order);
    free(v->table);
    arena_free(&v->name_arena);
    free(v->names);
    free(v->values);
    free(v->lengths);
    free(v->filled);
    free(v->file);
    free(v);
}

static enum cm_status vc_open(const struct source *src, void **state, char *err)
{
    *state = NULL;
    if (!src->path)
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: missing", src->where);
    struct vc *v = calloc(1, sizeof *v);
    if (!v)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    v->line = 1;
    const char *encoding;
    long long max_input;
    char terr[CM_ERRBUF];
    enum cm_status rc = read_options(v, src, &encoding, &max_input, err);
    if (rc)
        goto fail;
    v->file = strdup(src->path);
    v->win = malloc(VC_WINDOW + 1);
    if (!v->file || !v->win) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    v->base = strrchr(v->file, '/') ? strrchr(v->file, '/') + 1 : v->file;
    rc = textin_open(&v->ti, src->path, encoding, max_input, terr);
    if (rc) {
        cm_fail(err, rc, rc == CM_ERR_CONFIG ? "%s.encoding: %s" : "%s: %s", src->where,
                terr);
        goto fail;
    }
    v->unicode = !strcmp(textin_how(v->ti), "bom") ||
                 !strncmp(textin_encoding(v->ti), "utf-16", 6);
    *state = v;
    return CM_OK;
fail:
    vc_close(v);
    return rc;
}

static enum cm_status vc_describe(void *state, struct buf *out)
{
    const struct vc *v = state;
    const char *how = textin_how(v->ti);
    enum cm_status rc;
    if (!strcmp(how, "auto"))
        rc = buf_printf(out, "%s: vCard, text auto (ascii so far)", v->base);
    else
        rc = buf_printf(out, "%s: vCard, text %s (%s)", v->base, textin_encoding(v->ti), how);
    if (!rc && textin_is_gzip(v->ti))
        rc = buf_addstr(out, ", gzip");
    return rc;
}

static enum cm_status vc_fields(void *state, const char *const **names, size_t *n)
{
    (void)state;
    *names = NULL;
    *n = 0;
    return CM_OK;
}

const struct connector vcard_connector = {
    .version = CONNECTOR_VERSION,
    .name = "vcard",
    .summary = "vCard 2.1, 3.0 and 4.0 (.vcf), one card a record, streamed",
    .xOpen = vc_open,
    .xNext = vc_next,
    .xClose = vc_close,
    .xDescribe = vc_describe,
    .xFields = vc_fields,
};
