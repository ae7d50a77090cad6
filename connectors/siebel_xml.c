/* siebel_xml.c — the Siebel EAI XML connector ("connector": "siebel_xml"): a
 * SiebelMessage export of an integration object (Contact, or a custom one), streamed.
 *
 * Owns: the options below, the walk from XML elements to raw records and the naming of
 * their fields, the refusal of DTDs and entities, hard limits, and the reject for a
 * document that breaks midway. Borrows the byte stream from textin.c (plain or gzip,
 * BOM, UTF-16 transcoded to UTF-8), the cut of huge texts from xmlcut.c and the XML
 * parsing from libxml2's xmlTextReader.
 *
 * Options (in the source object):
 *   record_path       "ListOfContact/Contact": the element path, relative to the root
 *                     element, of one record (custom integration objects rename the
 *                     ListOf... tags)
 *   max_depth         64: elements nested deeper than this (the root is 1) stop the
 *                     source with an error
 *   max_record_bytes  4194304: text plus field names of one record; a larger record
 *                     is rejected, as is one with a single text (or CDATA section)
 *                     longer than this as written in the file. At most 8388608 (8 MiB),
 *                     below libxml2's limit of 10000000 bytes for one text
 *   max_input_bytes   0 (no cap): decompressed bytes; more ends the source
 *   encoding          "auto" (default): a BOM, else the XML declaration, else UTF-8;
 *                     or a name ("windows-1252") that overrides the declaration, for
 *                     a file written in a legacy code page that declares none
 *
 * Fields. Every leaf element (no child elements) inside a record is one field, named
 * by its tag: <Id>, <FirstName>, <WorkPhone>. Elements with children name their
 * leaves' fields "<Tag>.<Leaf>"; ListOf... wrappers are left out of names, so
 *   <ListOfContact_PersonalAddress><Contact_PersonalAddress><City>
 * gives "Contact_PersonalAddress.City". Repeated elements of one tag under the same
 * parent are numbered from 1 and the number shows from 2 on: the second address's city
 * is "Contact_PersonalAddress#2.City", a second <EmailAddress> is "EmailAddress#2".
 * The child with IsPrimaryMVG="Y" is number 1 wherever it stands (the others keep
 * their order after it), and its fields come first in the record. Nesting goes on the
 * same way ("Contact_Account#2.Account_Address.City"). Other attributes are ignored:
 * in EAI messages they are message control (operation, searchspec), not data. Text
 * outside leaves (mixed content), which EAI never writes, is kept as a leaf named
 * "#text" of its element ("Note.#text", "Note.#text#2"; "#text" for the record
 * element itself). Namespace prefixes are dropped.
 * Values are the UTF-8 text libxml2 gives (entities &amp; and character references
 * resolved, CDATA as text), untrimmed, except for phones: in a field whose tag ends in
 * "Phone", "PhoneNumber", "PhoneNum", "Fax" or "FaxNumber" (any case), Siebel's
 * display mask after the number ("+4930123456" LF "000 000000") is cut at the first
 * CR or LF that follows a non-blank character. schemas/siebel_xml.md says the same
 * for layout writers.
 *
 * Security: the parser runs with XML_PARSE_NONET, without NOENT (no entity
 * substitution), DTDLOAD, DTDATTR or HUGE. A DOCTYPE is refused before libxml2 sees
 * it: the read callback watches the prolog and fails the input at "<!DOCTYPE" (and
 * at any other "<!" declaration there), so no internal subset is parsed, no entity
 * declared, nothing loaded; a DOCTYPE node the reader reports anyway is refused too.
 * An entity reference node inside a record rejects that record.
 *
 * Huge texts: libxml2 (without XML_PARSE_HUGE, rightly) refuses a text node of over 10
 * MB, and that would end the document there; before that it holds all of it. So the
 * bytes pass through a cut on their way from textin to libxml2 (xmlcut.h, in the read
 * callback, after the prolog watch): a run of text or CDATA over max_record_bytes, as
 * written, is cut just past it and the rest dropped; a marker comment where it ended
 * rejects the record it is in ("<Comment> over max_record_bytes", naming the element
 * that held the text), or nothing outside records. Attribute values (all of one tag
 * together), comments and PIs are cut likewise, without a reject: none is data here
 * (IsPrimaryMVG="Y" is never that long). Line breaks dropped are counted in the
 * markers, see Lines. The cut runs when libxml2 reads the bytes as UTF-8 (no
 * declaration, a declared or configured UTF-8, UTF-16 transcoded by textin; cut at
 * character boundaries) or as a single-byte code page (windows-1252, latin1, ...: each
 * byte weighed as its UTF-8 length). Other encodings (Shift_JIS, Big5, EBCDIC, UCS-4)
 * pass uncut, and a text over 10 MB in them breaks the document as before.
 *
 * Streaming: the reader is walked node by node (no tree of the document, no Expand);
 * a record's text goes into one reused buffer, its fields into reused arrays; the
 * reader frees each record's nodes behind it. Columns: every field name met so far is
 * a column of every later record, absent (NULL) where a record lacks it, so names and
 * names_version change only when a new name turns up and mapping binds its columns a
 * handful of times per file, not once per record. Names are interned as (parent name,
 * tag, number); past SX_NAMES_MAX of them the set starts afresh.
 *
 * Breaks: libxml2's reader refuses to return any node once the parser has met an
 * error, including nodes it had already parsed (the parser runs up to 512 bytes
 * ahead). So on an error the walk goes on over the part of the tree the parser did
 * build, up to the elements that were still open when the error came: records that
 * were complete before the break are returned; then one reject at the line libxml2
 * names, with its message ("not well formed: ... the rest of the file was not read";
 * the location carries the line, the reason does not repeat it), and the source ends.
 *
 * Lines: libxml2 keeps element lines in 16 bits, so a record's line is taken from the
 * text node before it (XML_PARSE_BIG_LINES keeps text lines whole), which ends where
 * the record's start tag begins; line_end likewise from the text before its end tag.
 * libxml2 does not see the line breaks a cut dropped: each marker carries their count,
 * and every line libxml2 gives after it (of a node, of the error that breaks the
 * document) is moved on by the counts so far (file_line()); the markers come in
 * document order, in the reader and in the tree walk after a break alike. A line quoted
 * inside libxml2's message text ("... Bad line 12 and Contact") is its own count. */
#include "connectors/connector.h"

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/formats/codepage.h"
#include "connectors/formats/textin.h"
#include "connectors/formats/xmlcut.h"
#include "pipeline/config.h"

#define SX_PATH_MAX       32             /* segments in record_path */
#define SX_DEPTH_LIMIT    256            /* largest max_depth (libxml2's own limit) */
#define SX_LIMIT_MAX      XMLCUT_CAP_MAX /* largest max_record_bytes */
#define SX_FIELD_COST     16             /* bytes counted per field besides its text */
#define SX_RAW_MAX        96             /* the "<Contact> at line N" description */
#define SX_NONE           UINT32_MAX
#define SX_INPUT_CHUNK    (64 * 1024)    /* bytes taken from textin at a time */
#define SX_NAMES_MAX      16384          /* names kept across records, then forgotten */
#define SX_NAMETEXT_MAX   (1 << 20)      /* ... and their bytes */
#define SX_TAG_CACHE      127            /* element names remembered by pointer */

/* ---- state ---------------------------------------------------------------------- */

enum prolog {            /* the read callback's watch for a DOCTYPE */
    PRO_TEXT, PRO_LT, PRO_BANG, PRO_BANG_DASH, PRO_COMMENT, PRO_PI, PRO_DONE
};

struct tag {             /* an element name, measured and hashed once */
    const char *s;       /* libxml2's dictionary string: one pointer per name */
    uint32_t len;
    uint64_t h;
};

struct field {           /* one value of the record being read */
    uint32_t scope;      /* the scope its name starts with (0: the record) */
    uint32_t ord;        /* its number among same-tag siblings, 1-based */
    struct tag tag;      /* leaf tag; "#text" for mixed text of the scope itself */
    size_t off, len;     /* value in s->text */
};

struct scope {           /* an element with child elements, below the record */
    uint32_t parent;     /* scope its name continues */
    uint32_t ord;
    struct tag tag;
    int primary;         /* IsPrimaryMVG="Y" */
    int late_primary;    /* a child scope is primary but not number 1 */
    uint32_t first_field, end_field;   /* its fields in s->fields */
    size_t name_len;     /* upper bound, for the budget */
    uint32_t name;       /* its interned name, set at the record's end */
};

/* An interned name: (parent name, tag, number) -> "parent.tag#number". Field names
 * and scope names share the table; a name used by a field has a column. */
struct iname {
    uint32_t parent, ord, dup;
    uint32_t tag_len;
    const char *tag;     /* the tag as last met, for a quick compare */
    uint64_t hash;
    size_t off, len;     /* the full name in s->nametext */
    int32_t col;         /* its column, -1 if no field had it yet */
};

struct frame {           /* an open element inside the record */
    struct tag tag;
    uint32_t nparent;    /* scope its name continues */
    uint32_t ord;
    uint32_t scope;      /* own scope once it has children (SX_NONE before) */
    size_t text_off;     /* where its pending text starts in s->text */
    int wrapper;         /* a ListOf... element: left out of names */
    int primary;
    int has_child;
};

struct ordslot {         /* counts of tags per scope, for the ordinals */
    uint32_t gen, scope, count;
    uint64_t hash;
    struct tag tag;
};

enum walk { WALK_READER, WALK_TREE, WALK_DONE };
enum tphase { T_ENTER, T_AFTER_START, T_LEAVE };
enum step { STEP_OK, STEP_EOF, STEP_BREAK, STEP_ERROR };

struct sx {
    char *file;
    const char *base;                    /* file's base name, for messages */
    struct textin *ti;
    xmlTextReaderPtr reader;
    char *path_text;                     /* record_path as written, then its segments */
    const char *path[SX_PATH_MAX];
    int npath;
    int max_depth;
    size_t max_record;

    /* input and prolog watch (the read callback) */
    char in[SX_INPUT_CHUNK];
    size_t in_off, in_len;
    unsigned long long in_total;         /* bytes read so far */
    int in_eof;
    enum prolog pro;
    int pro_dashes;
    long pro_line;
    long doctype_line;                   /* > 0: a DOCTYPE was refused there */
    int io_failed;
    char io_err[CM_ERRBUF];

    /* the cut of oversize texts between textin and libxml2 (xmlcut.h) */
    int cut_on;                          /* the bytes are UTF-8 or a single-byte page */
    struct xmlcut cut;
    char cut_text[XMLCUT_MARK_MAX];      /* its marker comments start so */
    unsigned char widths[256];           /* UTF-8 lengths of a single-byte page */
    long line_shift;                     /* line breaks it dropped before this node */

    /* the first parse error */
    int have_error;
    int error_open_known;                /* error_open is known (a parser error) */
    long error_line;
    char error_msg[CM_ERRBUF];
    xmlDocPtr error_doc;
    xmlNodePtr error_open;               /* innermost element open at the error */

    /* the walk */
    enum walk walk;
    xmlNodePtr last_node;                /* last node taken from the reader */
    int last_depth;
    int last_started;                    /* it was the start of a non-empty element */
    xmlNodePtr tnode;                    /* tree walk after an error */
    enum tphase tphase;
    int tdepth;

    /* document position */
    char *root_name;
    char *object_name;                   /* the root's IntObjectName */
    int root_seen;
    int matched;                         /* leading record_path segments open */
    int parent_seen;                     /* a record's parent element was seen */
    int skip_depth;                      /* > 0: inside a skipped element at this depth */
    long last_line;                      /* line where the last text node ended */

    /* the record being read */
    int in_record;
    long rec_line, rec_line_end;
    int rec_too_big;
    char rec_cut[64];                    /* element whose text was cut (over the limit) */
    char rec_entity[64];                 /* an entity reference met in it */
    size_t used;                         /* against max_record */
    struct buf text;
    struct frame *frames;
    int nframes, frames_alloc;
    struct field *fields;
    uint32_t nfields, fields_alloc;
    struct scope *scopes;
    uint32_t nscopes, scopes_alloc;
    struct field *tmp;                   /* for moving a primary child first */
    uint32_t tmp_alloc;
    struct ordslot *ords;
    uint32_t ords_size, ords_used, ords_gen;

    /* the columns: every field name seen so far, in order of first appearance */
    struct iname *inames;                /* [0] is the record itself (empty name) */
    uint32_t ninames, inames_alloc;
    uint32_t *itable;                    /* hash table of iname ids, 0 = empty */
    uint32_t itable_size;
    struct buf nametext;                 /* the names, NUL-terminated */
    uint32_t *col_name;                  /* column -> iname */
    size_t ncols, cols_alloc;
    uint32_t *filled;                    /* columns the last record set */
    size_t nfilled, filled_alloc;

    /* what xNext hands out */
    const char **names;
    size_t names_alloc;
    unsigned names_version;
    int names_stale;                     /* columns added or nametext moved */
    const char **values;                 /* NULL: absent in this record */
    size_t *lengths;
    size_t values_alloc, lengths_alloc;
    char raw[SX_RAW_MAX];
    char raw_rej[SX_RAW_MAX];

    struct tag text_tag;                 /* "#text" */
    struct tag tags[SX_TAG_CACHE];       /* see tag_cached() */
    int pending;                         /* CONN_RECORD / CONN_REJECT ready, or -1 */
    struct reject rej;
    int finished;                        /* EOF (or error) already returned */
    int failed;
};

/* ---- small helpers --------------------------------------------------------------- */

static int grow32(void **p, uint32_t *alloc, uint32_t want, size_t size)
{
    size_t a = *alloc;
    if (array_grow(p, &a, want, size))
        return -1;
    *alloc = (uint32_t)a;
    return 0;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return 0;
    }
    return 1;
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static struct tag tag_of(const char *name)
{
    struct tag t = { name, 0, 1469598103934665603ull };
    for (const unsigned char *p = (const unsigned char *)name; *p; p++, t.len++)
        t.h = (t.h ^ *p) * 1099511628211ull;
    return t;
}

/* tag_of() for element names, remembered by pointer: libxml2's dictionary gives one
 * pointer per name for the reader's life */
static struct tag tag_cached(struct sx *s, const char *name)
{
    struct tag *c = &s->tags[((uintptr_t)name >> 4) % SX_TAG_CACHE];
    if (c->s != name)
        *c = tag_of(name);
    return *c;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xBF58476D1CE4E5B9ull;
}

static int same_tag(const struct tag *a, const char *b, uint32_t blen)
{
    return a->s == b || (a->len == blen && memcmp(a->s, b, blen) == 0);
}

static int is_phone_tag(const struct tag *t)
{
    const char *tag = t->s;
    size_t n = t->len;
    if (n < 3)
        return 0;
    char last = (char)(tag[n - 1] | 0x20), before = (char)(tag[n - 2] | 0x20);
    if (!(last == 'e' && before == 'n') && last != 'r' && last != 'm' && last != 'x')
        return 0;                        /* the common case, without a compare */
    return ends_with_ci(tag, n, "phone") || ends_with_ci(tag, n, "phonenumber") ||
           ends_with_ci(tag, n, "phonenum") || ends_with_ci(tag, n, "fax") ||
           ends_with_ci(tag, n, "faxnumber");
}

static int is_wrapper_tag(const char *tag)
{
    return strncmp(tag, "ListOf", 6) == 0;
}

/* A line libxml2 gives, as a line of the file: the cut's markers so far say how many
 * line breaks it did not see. */
static long file_line(const struct sx *s, long line)
{
    return line > 0 ? line + s->line_shift : line;
}

/* Line where a text node ends (the next markup starts there). */
static long text_line(xmlNodePtr n)
{
    if (n->line != 65535)
        return n->line;
    return (long)(intptr_t)n->psvi;      /* XML_PARSE_BIG_LINES keeps it there */
}

static const char *node_name(xmlNodePtr n)
{
    return n->name ? (const char *)n->name : "";
}

/* ---- input: textin, and the watch for a DOCTYPE in the prolog --------------------- */

static void watch_prolog(struct sx *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n && s->pro != PRO_DONE; i++) {
        char c = p[i];
        if (c == '\0')                   /* UTF-16 leftovers, never in UTF-8 markup */
            continue;
        if (c == '\n')
            s->pro_line++;
        switch (s->pro) {
        case PRO_TEXT:
            if (c == '<')
                s->pro = PRO_LT;
            break;
        case PRO_LT:
            s->pro = c == '?' ? PRO_PI : c == '!' ? PRO_BANG : PRO_DONE;
            break;
        case PRO_BANG:
            if (c != '-') {              /* <!DOCTYPE, <!ENTITY, <![CDATA[ */
                s->doctype_line = s->pro_line;
                return;
            }
            s->pro = PRO_BANG_DASH;
            break;
        case PRO_BANG_DASH:
            s->pro = c == '-' ? PRO_COMMENT : PRO_DONE;   /* "<!-x": libxml2 says */
            s->pro_dashes = 0;
            break;
        case PRO_COMMENT:
            if (c == '>' && s->pro_dashes >= 2)
                s->pro = PRO_TEXT;
            s->pro_dashes = c == '-' ? s->pro_dashes + 1 : 0;
            break;
        case PRO_PI:
            if (c == '>' && s->pro_dashes)
                s->pro = PRO_TEXT;
            s->pro_dashes = c == '?';
            break;
        case PRO_DONE:
            break;
        }
    }
}

/* The next chunk from textin, the prolog watched on the way. -1: fail the input. */
static int refill(struct sx *s)
{
    size_t got = 0;
    if (textin_read(s->ti, s->in, sizeof s->in, &got, s->io_err) != CM_OK) {
        s->io_failed = 1;
        return -1;
    }
    s->in_off = 0;
    s->in_len = got;
    s->in_total += got;
    s->in_eof = got == 0;
    if (s->pro != PRO_DONE) {
        watch_prolog(s, s->in, got);
        if (s->doctype_line)
            return -1;                   /* libxml2 never sees the declaration */
    }
    return 0;
}

/* libxml2's read callback. It asks for as little as 4 bytes (encoding detection), so
 * input goes through a buffer of our own; the prolog is watched as it is filled, and
 * the bytes pass the cut on their way out. */
static int read_input(void *ctx, char *buffer, int len)
{
    struct sx *s = ctx;
    if (s->doctype_line || s->io_failed)
        return -1;
    size_t room = len > 0 ? (size_t)len : 0, done = 0;
    while (done < room) {
        if (s->in_off == s->in_len && !s->in_eof) {
            if (done)
                break;
            if (refill(s))
                return -1;
        }
        if (s->in_off == s->in_len) {    /* the end of the input */
            if (s->cut_on)
                done += xmlcut_finish(&s->cut, buffer + done, room - done);
            break;
        }
        const char *p = s->in + s->in_off;
        size_t n = s->in_len - s->in_off, used;
        if (s->cut_on) {
            done += xmlcut_filter(&s->cut, p, n, &used, buffer + done, room - done);
        } else {
            used = n < room - done ? n : room - done;
            memcpy(buffer + done, p, used);
            done += used;
        }
        s->in_off += used;
    }
    return (int)done;
}

/* The encoding named by the XML declaration at the start of p[0..n): 1 (the name in
 * name), 0 (no declaration, or one without an encoding: UTF-8), -1 (p does not start
 * like an XML document in an ASCII-compatible encoding, or the declaration is longer
 * than what is there). */
static int declared_encoding(const char *p, size_t n, char *name, size_t size)
{
    if (n < 6 || memcmp(p, "<?xml", 5) != 0 || !is_blank(p + 5, 1))
        return n == 0 || p[0] == '<' || is_blank(p, 1) ? 0 : -1;
    const char *end = memmem(p, n < 1024 ? n : 1024, "?>", 2);
    if (!end)
        return -1;
    const char *e = memmem(p, (size_t)(end - p), "encoding", 8);
    if (!e)
        return 0;
    for (e += 8; e < end && is_blank(e, 1); e++)
        ;
    if (e == end || *e++ != '=')
        return -1;
    while (e < end && is_blank(e, 1))
        e++;
    if (e == end || (*e != '"' && *e != '\''))
        return -1;
    const char *q = memchr(e + 1, *e, (size_t)(end - e - 1));
    if (!q || (size_t)(q - e - 1) >= size)
        return -1;
    memcpy(name, e + 1, (size_t)(q - e - 1));
    name[q - e - 1] = '\0';
    return 1;
}

/* Put the cut between textin and libxml2 when libxml2 will read the bytes as UTF-8
 * (the default, a declaration or the encoding option saying so, UTF-16 transcoded by
 * textin) or as a single-byte code page. Anything else (Shift_JIS, EBCDIC, UCS-4, an
 * encoding iconv does not know) goes by uncut. The first chunk is read for this. */
static void start_cut(struct sx *s, const char *encoding)
{
    char declared[64];
    if (refill(s))
        return;                          /* read_input() fails the input */
    if (!encoding) {
        int d = declared_encoding(s->in, s->in_len, declared, sizeof declared);
        if (d < 0)
            return;
        encoding = d ? declared : "UTF-8";
    }
    const unsigned char *widths = NULL;
    if (strcasecmp(encoding, "UTF-8") != 0 && strcasecmp(encoding, "UTF8") != 0) {
        struct codepage *cp;
        if (codepage_open_label(encoding, &cp, NULL) != CM_OK)
            return;
        int single = codepage_utf8_lengths(cp, s->widths);
        codepage_close(cp);
        if (!single)
            return;
        widths = s->widths;
    }
    /* the marker is not to be forged by a comment in the file */
    uint64_t nonce = mix(mix((uint64_t)time(NULL), (uint64_t)(uintptr_t)s),
                         (uint64_t)clock());
    snprintf(s->cut_text, sizeof s->cut_text, "crmerge-cut-%016llx",
             (unsigned long long)nonce);
    xmlcut_init(&s->cut, s->max_record, s->cut_text, widths);
    s->cut_on = 1;
}

/* libxml2 reports errors here (nothing is printed). The error that breaks the
 * document is the last one raised while the parser still counted it well-formed
 * (libxml2 clears the flag just after reporting); the elements open at that moment are
 * the ones not complete. */
static void on_xml_error(void *arg, xmlErrorPtr e)
{
    struct sx *s = arg;
    if (!e || e->level < XML_ERR_ERROR)
        return;
    xmlParserCtxtPtr ctxt = NULL;
    if (e->domain == XML_FROM_PARSER || e->domain == XML_FROM_NAMESPACE)
        ctxt = e->ctxt;
    if (ctxt && !ctxt->wellFormed)
        return;                          /* broken already: that error stands */
    s->have_error = 1;
    s->error_line = e->line;
    const char *m = e->message ? e->message : "parse error";
    size_t n = 0;
    for (; *m && n + 1 < sizeof s->error_msg; m++) {
        char c = *m == '\n' || *m == '\r' ? ' ' : *m;
        if (c == ' ' && (n == 0 || s->error_msg[n - 1] == ' '))
            continue;
        s->error_msg[n++] = c;
    }
    while (n && s->error_msg[n - 1] == ' ')
        n--;
    s->error_msg[n] = '\0';
    s->error_doc = ctxt ? ctxt->myDoc : NULL;
    s->error_open = ctxt ? ctxt->node : NULL;
    s->error_open_known = ctxt != NULL;
}

/* ---- the record: frames, scopes, fields ------------------------------------------ */

/* Functions that build the record return 0, -1 (out of memory) or 1 (the record went
 * over max_record_bytes: it is marked and will be rejected). */

static int charge(struct sx *s, size_t n)
{
    if (s->rec_too_big || s->used + n > s->max_record) {
        s->rec_too_big = 1;
        return 1;
    }
    s->used += n;
    return 0;
}

/* The next number for tag among the children of scope (1, 2, ...). */
static int next_ord(struct sx *s, uint32_t scope, const struct tag *tag, uint32_t *ord)
{
    uint64_t h = mix(tag->h, scope);
    if ((s->ords_used + 1) * 2 > s->ords_size) {
        uint32_t size = s->ords_size ? s->ords_size * 2 : 64;
        struct ordslot *t = calloc(size, sizeof *t);
        if (!t)
            return -1;
        for (uint32_t i = 0; i < s->ords_size; i++) {
            struct ordslot *o = &s->ords[i];
            if (o->gen != s->ords_gen)
                continue;
            uint32_t k = (uint32_t)o->hash & (size - 1);
            while (t[k].gen == s->ords_gen)
                k = (k + 1) & (size - 1);
            t[k] = *o;
        }
        free(s->ords);
        s->ords = t;
        s->ords_size = size;
    }
    uint32_t k = (uint32_t)h & (s->ords_size - 1);
    for (;; k = (k + 1) & (s->ords_size - 1)) {
        struct ordslot *o = &s->ords[k];
        if (o->gen != s->ords_gen) {
            *o = (struct ordslot){ s->ords_gen, scope, 1, h, *tag };
            s->ords_used++;
            *ord = 1;
            return 0;
        }
        if (o->hash == h && o->scope == scope && same_tag(tag, o->tag.s, o->tag.len)) {
            *ord = ++o->count;
            return 0;
        }
    }
}

/* Forget every name (the table has grown past its cap with names that may never
 * come again): the next record starts a new set of columns. */
static void names_reset(struct sx *s)
{
    s->ninames = 1;
    s->inames[0] = (struct iname){ 0, 0, 0, 0, NULL, 0, 0, 0, -1 };
    if (s->itable)
        memset(s->itable, 0, (size_t)s->itable_size * sizeof *s->itable);
    buf_reset(&s->nametext);
    s->ncols = 0;
    s->nfilled = 0;
    s->names_stale = 1;
}

static void record_reset(struct sx *s)
{
    if (s->ninames > SX_NAMES_MAX || s->nametext.len > SX_NAMETEXT_MAX)
        names_reset(s);
    buf_reset(&s->text);
    s->nframes = 0;
    s->nfields = 0;
    s->nscopes = 0;
    s->used = 0;
    s->rec_too_big = 0;
    s->rec_cut[0] = '\0';
    s->rec_entity[0] = '\0';
    s->ords_used = 0;
    if (++s->ords_gen == 0) {            /* wrapped: clear for real */
        if (s->ords)
            memset(s->ords, 0, (size_t)s->ords_size * sizeof *s->ords);
        s->ords_gen = 1;
    }
}

static int new_scope(struct sx *s, uint32_t parent, const struct tag *tag, uint32_t ord,
                     int primary, uint32_t *out)
{
    size_t name_len = (parent ? s->scopes[parent].name_len + 1 : 0) + tag->len + 11;
    if (charge(s, name_len + SX_FIELD_COST))
        return 1;
    if (grow32((void **)&s->scopes, &s->scopes_alloc, s->nscopes + 1, sizeof *s->scopes))
        return -1;
    struct scope *sc = &s->scopes[s->nscopes];
    memset(sc, 0, sizeof *sc);
    sc->parent = parent;
    sc->tag = *tag;
    sc->ord = ord;
    sc->primary = primary;
    sc->first_field = s->nfields;
    sc->name_len = name_len;
    *out = s->nscopes++;
    return 0;
}

/* Add a field whose value is s->text from off to the end; NUL-terminates it. */
static int add_field(struct sx *s, uint32_t scope, const struct tag *tag, uint32_t ord,
                     size_t off)
{
    size_t len = s->text.len - off;
    if (len && is_phone_tag(tag)) {
        const char *v = s->text.data + off;
        size_t k = 0;
        while (k < len && (v[k] == ' ' || v[k] == '\t' || v[k] == '\r' || v[k] == '\n'))
            k++;
        for (; k < len; k++) {
            if (v[k] == '\r' || v[k] == '\n') {
                len = k;
                break;
            }
        }
    }
    size_t name_len = s->scopes[scope].name_len + 1 + tag->len + 11;
    if (charge(s, name_len + SX_FIELD_COST + 1))
        return 1;
    s->text.len = off + len;
    if (buf_addch(&s->text, '\0'))
        return -1;
    if (grow32((void **)&s->fields, &s->fields_alloc, s->nfields + 1, sizeof *s->fields))
        return -1;
    s->fields[s->nfields++] = (struct field){ scope, ord, *tag, off, len };
    return 0;
}

/* Text of frame f since its start or its last child: blank (indentation) is dropped;
 * anything else is mixed content and kept as a field of its own. */
static int flush_text(struct sx *s, struct frame *f)
{
    size_t n = s->text.len - f->text_off;
    if (n == 0)
        return 0;
    if (is_blank(s->text.data + f->text_off, n)) {
        s->used -= n;
        s->text.len = f->text_off;
        s->text.data[s->text.len] = '\0';
        return 0;
    }
    uint32_t scope = f->scope != SX_NONE ? f->scope : f->nparent, ord;
    if (next_ord(s, scope, &s->text_tag, &ord))
        return -1;
    int rc = add_field(s, scope, &s->text_tag, ord, f->text_off);
    f->text_off = s->text.len;
    return rc;
}

/* The children of scope p are complete: the primary child of each tag becomes number 1
 * and its fields move before its earlier siblings'. */
static int primary_first(struct sx *s, uint32_t p)
{
    if (!s->scopes[p].late_primary)
        return 0;
    for (uint32_t i = p + 1; i < s->nscopes; i++) {
        struct scope *c = &s->scopes[i];
        if (c->parent != p || !c->primary || c->ord == 1)
            continue;
        uint32_t first = SX_NONE, k = c->ord;
        int earlier_primary = 0;
        for (uint32_t j = p + 1; j < i; j++) {
            const struct scope *d = &s->scopes[j];
            if (d->parent == p && same_tag(&d->tag, c->tag.s, c->tag.len)) {
                earlier_primary |= d->primary;
                if (d->ord == 1)
                    first = j;
            }
        }
        if (earlier_primary || first == SX_NONE)
            continue;
        for (uint32_t j = p + 1; j < i; j++) {
            struct scope *d = &s->scopes[j];
            if (d->parent == p && same_tag(&d->tag, c->tag.s, c->tag.len) && d->ord < k)
                d->ord++;
        }
        c->ord = 1;
        /* rotate the fields [a, e) so that the primary's [b, e) comes first */
        uint32_t a = s->scopes[first].first_field, b = c->first_field, e = c->end_field;
        uint32_t nb = e - b;
        if (nb == 0 || b <= a)
            continue;
        if (grow32((void **)&s->tmp, &s->tmp_alloc, nb, sizeof *s->tmp))
            return -1;
        memcpy(s->tmp, s->fields + b, nb * sizeof *s->tmp);
        memmove(s->fields + a + nb, s->fields + a, (b - a) * sizeof *s->fields);
        memcpy(s->fields + a, s->tmp, nb * sizeof *s->tmp);
        for (uint32_t j = p + 1; j < s->nscopes; j++) {
            struct scope *d = &s->scopes[j];
            if (j == i) {
                d->first_field = a;
                d->end_field = a + nb;
            } else if (d->parent == p && d->first_field >= a && d->end_field <= b) {
                d->first_field += nb;
                d->end_field += nb;
            }
        }
    }
    return 0;
}

/* ---- names and the record handed out ------------------------------------------- */

static int itable_put(struct sx *s, uint32_t id)
{
    uint32_t mask = s->itable_size - 1, k = (uint32_t)s->inames[id].hash & mask;
    while (s->itable[k])
        k = (k + 1) & mask;
    s->itable[k] = id;
    return 0;
}

/* The id of "parent.tag#ord" (dup > 0: " (dup+1)" appended), interned. */
static int intern(struct sx *s, uint32_t parent, const struct tag *tag, uint32_t ord,
                  uint32_t dup, uint32_t *out)
{
    uint64_t h = mix(mix(mix(tag->h, parent), ord), dup);
    if (s->itable_size) {
        uint32_t mask = s->itable_size - 1;
        for (uint32_t k = (uint32_t)h & mask; s->itable[k]; k = (k + 1) & mask) {
            struct iname *e = &s->inames[s->itable[k]];
            if (e->hash != h || e->parent != parent || e->ord != ord || e->dup != dup)
                continue;
            if (e->tag != tag->s) {
                const char *etag = s->nametext.data + e->off +
                                   (e->parent ? s->inames[e->parent].len + 1 : 0);
                if (!same_tag(tag, etag, e->tag_len))
                    continue;
                e->tag = tag->s;
            }
            *out = s->itable[k];
            return 0;
        }
    }
    if ((s->ninames + 1) * 2 > s->itable_size) {
        uint32_t size = s->itable_size ? s->itable_size * 2 : 256;
        uint32_t *t = calloc(size, sizeof *t);
        if (!t)
            return -1;
        free(s->itable);
        s->itable = t;
        s->itable_size = size;
        for (uint32_t i = 1; i < s->ninames; i++)
            itable_put(s, i);
    }
    if (grow32((void **)&s->inames, &s->inames_alloc, s->ninames + 1, sizeof *s->inames))
        return -1;
    struct buf *b = &s->nametext;
    char *old = b->data;
    size_t off = b->len;
    const struct iname *p = &s->inames[parent];
    if (parent) {
        if (buf_grow(b, p->len + 1))
            return -1;
        memcpy(b->data + b->len, b->data + p->off, p->len);
        b->len += p->len;
        b->data[b->len++] = '.';
    }
    if (buf_add(b, tag->s, tag->len) || (ord > 1 && buf_printf(b, "#%u", ord)) ||
        (dup && buf_printf(b, " (%u)", dup + 1)) || buf_addch(b, '\0'))
        return -1;
    if (b->data != old)
        s->names_stale = 1;
    uint32_t id = s->ninames++;
    s->inames[id] = (struct iname){ parent, ord, dup, tag->len, tag->s, h, off,
                                    b->len - 1 - off, -1 };
    itable_put(s, id);
    *out = id;
    return 0;
}

/* The column for a field, made on its first appearance. A name the record already
 * filled (possible only with '.' inside tags) gets " (2)", " (3)", ... */
static int column(struct sx *s, uint32_t parent, const struct tag *tag, uint32_t ord,
                  size_t *col)
{
    for (uint32_t dup = 0;; dup++) {
        uint32_t id;
        if (intern(s, parent, tag, ord, dup, &id))
            return -1;
        struct iname *e = &s->inames[id];
        if (e->col < 0) {
            if (array_grow((void **)&s->col_name, &s->cols_alloc, s->ncols + 1,
                     sizeof *s->col_name) ||
                array_grow((void **)&s->values, &s->values_alloc, s->ncols + 1,
                     sizeof *s->values) ||
                array_grow((void **)&s->lengths, &s->lengths_alloc, s->ncols + 1,
                     sizeof *s->lengths))
                return -1;
            e->col = (int32_t)s->ncols;
            s->col_name[s->ncols] = id;
            s->values[s->ncols] = NULL;
            s->lengths[s->ncols] = 0;
            s->ncols++;
            s->names_stale = 1;
        }
        if (!s->values[e->col]) {
            *col = (size_t)e->col;
            return 0;
        }
    }
}

static int set_columns(struct sx *s)
{
    for (size_t i = 0; i < s->nfilled; i++) {
        s->values[s->filled[i]] = NULL;
        s->lengths[s->filled[i]] = 0;
    }
    s->nfilled = 0;
    s->scopes[0].name = 0;
    for (uint32_t i = 1; i < s->nscopes; i++) {     /* parents come before children */
        struct scope *sc = &s->scopes[i];
        if (intern(s, s->scopes[sc->parent].name, &sc->tag, sc->ord, 0, &sc->name))
            return -1;
    }
    if (array_grow((void **)&s->filled, &s->filled_alloc, s->nfields + 1, sizeof *s->filled))
        return -1;
    for (uint32_t i = 0; i < s->nfields; i++) {
        const struct field *f = &s->fields[i];
        size_t col;
        if (column(s, s->scopes[f->scope].name, &f->tag, f->ord, &col))
            return -1;
        s->values[col] = s->text.data + f->off;
        s->lengths[col] = f->len;
        s->filled[s->nfilled++] = (uint32_t)col;
    }
    if (s->names_stale) {
        if (array_grow((void **)&s->names, &s->names_alloc, s->ncols + 1, sizeof *s->names))
            return -1;
        for (size_t c = 0; c < s->ncols; c++)
            s->names[c] = s->nametext.data + s->inames[s->col_name[c]].off;
        s->names_version++;
        s->names_stale = 0;
    }
    return 0;
}

static void set_reject(struct sx *s, long line, long line_end, const char *raw)
{
    memset(&s->rej, 0, sizeof s->rej);
    s->rej.file = s->file;
    s->rej.line = line;
    s->rej.line_end = line_end > line ? line_end : line;
    if (raw) {
        snprintf(s->raw_rej, sizeof s->raw_rej, "%s", raw);
        s->rej.raw = s->raw_rej;
        s->rej.raw_len = strlen(s->raw_rej);
    }
    s->pending = CONN_REJECT;
}

static int finish_record(struct sx *s, long line_end)
{
    s->in_record = 0;
    s->nframes = 0;
    s->rec_line_end = line_end > s->rec_line ? line_end : s->rec_line;
    if (s->rec_too_big) {
        set_reject(s, s->rec_line, line_end, s->raw);
        snprintf(s->rej.reason, sizeof s->rej.reason,
                 "<%.100s> over max_record_bytes (%zu bytes of text and field names)",
                 s->rec_cut[0] ? s->rec_cut : s->path[s->npath - 1], s->max_record);
        return 0;
    }
    if (s->rec_entity[0]) {
        set_reject(s, s->rec_line, line_end, s->raw);
        snprintf(s->rej.reason, sizeof s->rej.reason,
                 "entity reference &%s; in <%.100s> (entities are not expanded)",
                 s->rec_entity, s->path[s->npath - 1]);
        return 0;
    }
    if (primary_first(s, 0) || set_columns(s))
        return -1;
    s->pending = CONN_RECORD;
    return 0;
}

/* ---- events ---------------------------------------------------------------------- */

/* Events return 0, -1 (out of memory) or 1 (an error that ends the source, in err). */

static int fail(struct sx *s, char *err, long line, const char *msg)
{
    if (line > 0)
        cm_fail(err, CM_ERR_INPUT, "%s:%ld: %s", s->file, line, msg);
    else
        cm_fail(err, CM_ERR_INPUT, "%s: %s", s->file, msg);
    return 1;
}

static int primary_attr(xmlNodePtr n)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (a->name && !strcmp((const char *)a->name, "IsPrimaryMVG")) {
            const xmlNode *t = a->children;
            return t && t->type == XML_TEXT_NODE && t->content &&
                   (t->content[0] == 'Y' || t->content[0] == 'y') && !t->content[1];
        }
    }
    return 0;
}

static int grow_frames(struct sx *s, int want)
{
    size_t alloc = (size_t)s->frames_alloc;
    if (array_grow((void **)&s->frames, &alloc, (size_t)want, sizeof *s->frames))
        return -1;
    s->frames_alloc = (int)alloc;
    return 0;
}

static int record_child_start(struct sx *s, xmlNodePtr n)
{
    if (grow_frames(s, s->nframes + 1))
        return -1;
    struct frame *parent = &s->frames[s->nframes - 1];
    struct frame *f = &s->frames[s->nframes++];
    memset(f, 0, sizeof *f);
    f->scope = SX_NONE;
    f->ord = 1;
    if (s->rec_too_big)
        return 0;
    f->tag = tag_cached(s, node_name(n));
    int rc = 0;
    if (!parent->has_child) {
        parent->has_child = 1;
        if (!parent->wrapper) {          /* it has children: a scope of its own */
            rc = new_scope(s, parent->nparent, &parent->tag, parent->ord, parent->primary,
                           &parent->scope);
            if (!rc && parent->primary && parent->ord > 1)
                s->scopes[parent->nparent].late_primary = 1;
        }
    }
    if (!rc)
        rc = flush_text(s, parent);
    if (rc)
        return rc < 0 ? -1 : 0;
    f->wrapper = is_wrapper_tag(f->tag.s);
    f->primary = !f->wrapper && n->properties && primary_attr(n);
    f->nparent = parent->scope != SX_NONE ? parent->scope : parent->nparent;
    f->text_off = s->text.len;
    if (!f->wrapper && next_ord(s, f->nparent, &f->tag, &f->ord))
        return -1;
    return 0;
}

static int record_child_end(struct sx *s)
{
    struct frame *f = &s->frames[--s->nframes];
    if (s->rec_too_big)
        return 0;
    int rc;
    if (!f->has_child) {
        size_t n = s->text.len - f->text_off;
        if (f->wrapper && (n == 0 || is_blank(s->text.data + f->text_off, n))) {
            s->used -= n;                /* <ListOfContact_PersonalAddress/> */
            s->text.len = f->text_off;
            s->text.data[s->text.len] = '\0';
            rc = 0;
        } else {
            rc = add_field(s, f->nparent, &f->tag, f->ord, f->text_off);
        }
    } else {
        rc = flush_text(s, f);
        if (!rc && f->scope != SX_NONE) {
            s->scopes[f->scope].end_field = s->nfields;
            rc = primary_first(s, f->scope);
        }
    }
    s->frames[s->nframes - 1].text_off = s->text.len;
    return rc < 0 ? -1 : 0;
}

static int ev_start(struct sx *s, xmlNodePtr n, int depth, int empty, char *err)
{
    if (depth + 1 > s->max_depth) {
        char msg[96];
        snprintf(msg, sizeof msg, "elements nested deeper than max_depth (%d)",
                 s->max_depth);
        return fail(s, err, n->line > 0 && n->line != 65535 ? file_line(s, n->line) :
                     s->last_line, msg);
    }
    if (s->skip_depth)
        return 0;
    const char *tag = node_name(n);
    if (s->in_record) {
        int rc = record_child_start(s, n);
        if (!rc && empty)
            rc = record_child_end(s);
        return rc;
    }
    if (depth == 0) {
        s->root_seen = 1;
        if (s->npath == 1)
            s->parent_seen = 1;
        if (s->root_name)
            return 0;
        s->root_name = strdup(tag);
        if (!s->root_name)
            return -1;
        xmlChar *io = xmlGetNoNsProp(n, (const xmlChar *)"IntObjectName");
        if (io) {
            s->object_name = strdup((const char *)io);
            xmlFree(io);
            if (!s->object_name)
                return -1;
        }
        return 0;
    }
    if (depth < s->npath) {
        if (s->matched == depth - 1 && !strcmp(tag, s->path[depth - 1])) {
            if (depth == s->npath - 1)
                s->parent_seen = 1;
            s->matched = empty ? depth - 1 : depth;
        } else if (!empty) {
            s->skip_depth = depth;       /* off the record path */
        }
        return 0;
    }
    /* depth == npath: a child of a records' parent */
    long line = s->last_line > 0 ? s->last_line :
                n->line != 65535 ? file_line(s, n->line) : 1;
    if (strcmp(tag, s->path[s->npath - 1]) != 0) {
        set_reject(s, line, line, NULL);
        snprintf(s->rej.reason, sizeof s->rej.reason,
                 "unexpected element <%.100s> in <%.100s>: not a record (record path %.200s)",
                 tag, s->npath > 1 ? s->path[s->npath - 2] : s->root_name, s->path_text);
        if (!empty)
            s->skip_depth = depth;
        return 0;
    }
    record_reset(s);
    s->in_record = 1;
    s->rec_line = line;
    snprintf(s->raw, sizeof s->raw, "<%.40s> at line %ld", tag, line);
    if (grow32((void **)&s->scopes, &s->scopes_alloc, 1, sizeof *s->scopes) ||
        grow_frames(s, 1))
        return -1;
    memset(&s->scopes[0], 0, sizeof s->scopes[0]);
    s->nscopes = 1;
    memset(&s->frames[0], 0, sizeof s->frames[0]);
    s->frames[0].tag = tag_of(tag);
    s->frames[0].ord = 1;
    s->frames[0].has_child = 1;
    s->nframes = 1;
    return empty ? finish_record(s, line) : 0;
}

static int ev_end(struct sx *s, int depth)
{
    if (s->skip_depth) {
        if (depth == s->skip_depth)
            s->skip_depth = 0;
        return 0;
    }
    if (s->in_record) {
        if (depth > s->npath)
            return record_child_end(s);
        if (!s->rec_too_big) {           /* the record element */
            if (flush_text(s, &s->frames[0]) < 0)
                return -1;
            s->scopes[0].end_field = s->nfields;
        }
        return finish_record(s, s->last_line);
    }
    if (depth >= 1 && depth < s->npath && s->matched >= depth)
        s->matched = depth - 1;
    return 0;
}

static int ev_text(struct sx *s, xmlNodePtr n)
{
    long line = text_line(n);
    if (line > 0)
        s->last_line = file_line(s, line);
    if (!s->in_record || s->skip_depth || s->rec_too_big)
        return 0;
    const char *v = (const char *)n->content;
    if (!v || !*v)
        return 0;
    size_t len = strlen(v);
    const struct frame *f = &s->frames[s->nframes - 1];
    if (f->has_child && f->text_off == s->text.len && is_blank(v, len))
        return 0;                        /* indentation between elements */
    if (charge(s, len))
        return 0;
    return buf_add(&s->text, v, len) ? -1 : 0;
}

/* A comment. The cut's marker (xmlcut.h), "<cut_text> text|lines N", says that N line
 * breaks were dropped before it (libxml2's lines from here on are N short), and after
 * "text" that the text before it, in the innermost open element, went over
 * max_record_bytes and was not read whole: its record is rejected. */
static void ev_comment(struct sx *s, xmlNodePtr n)
{
    const char *c = (const char *)n->content;
    size_t k = strlen(s->cut_text);
    if (!s->cut_on || !c || strncmp(c, s->cut_text, k) != 0 || c[k] != ' ')
        return;
    int text = strncmp(c + k + 1, "text ", 5) == 0;
    s->line_shift += strtol(c + k + (text ? 6 : 7), NULL, 10);
    if (!text || !s->in_record || s->skip_depth || s->rec_cut[0])
        return;
    const char *tag = s->frames[s->nframes - 1].tag.s;   /* NULL: opened when over */
    snprintf(s->rec_cut, sizeof s->rec_cut, "%.60s", tag ? tag : s->path[s->npath - 1]);
    s->rec_too_big = 1;
}

static void ev_entity(struct sx *s, xmlNodePtr n)
{
    if (s->in_record && !s->skip_depth && !s->rec_entity[0])
        snprintf(s->rec_entity, sizeof s->rec_entity, "%.60s", node_name(n));
}

/* ---- the walk: the reader, then (after a parse error) the tree it left ----------- */

static int doctype_refused(struct sx *s, char *err)
{
    return fail(s, err, s->doctype_line, "DOCTYPE not allowed (external entities and "
                "entity expansion are refused)");
}

static int element_open(const struct sx *s, xmlNodePtr n)
{
    for (xmlNodePtr o = s->error_open; o; o = o->parent) {
        if (o == n)
            return 1;
    }
    return 0;
}

/* The reader has stopped on a parse error: walk on over the tree libxml2 built before
 * it, from where the reader stopped. */
static enum step start_tree_walk(struct sx *s)
{
    s->walk = WALK_DONE;
    if (!s->have_error || !s->error_open_known)
        return STEP_BREAK;               /* not knowing what is complete: stop */
    if (s->last_node) {
        s->tnode = s->last_node;
        s->tdepth = s->last_depth;
        s->tphase = s->last_started ? T_AFTER_START : T_LEAVE;
    } else {
        if (!s->error_doc || !s->error_doc->children)
            return STEP_BREAK;
        s->tnode = s->error_doc->children;
        s->tdepth = 0;
        s->tphase = T_ENTER;
    }
    s->walk = WALK_TREE;
    return STEP_OK;
}

static enum step dispatch(struct sx *s, int rc)
{
    if (rc) {
        s->failed = 1;
        return STEP_ERROR;
    }
    return STEP_OK;
}

static enum step tree_step(struct sx *s, char *err)
{
    for (;;) {
        xmlNodePtr n = s->tnode;
        if (s->tphase == T_AFTER_START) {
            if (n->children) {
                s->tnode = n->children;
                s->tdepth++;
                s->tphase = T_ENTER;
                continue;
            }
            if (element_open(s, n))
                return STEP_BREAK;
            s->tphase = T_LEAVE;
            return dispatch(s, ev_end(s, s->tdepth));
        }
        if (s->tphase == T_LEAVE) {
            if (n->next) {
                s->tnode = n->next;
                s->tphase = T_ENTER;
                continue;
            }
            xmlNodePtr p = n->parent;
            if (!p || p->type != XML_ELEMENT_NODE || element_open(s, p))
                return STEP_BREAK;
            s->tnode = p;
            s->tdepth--;
            return dispatch(s, ev_end(s, s->tdepth));
        }
        switch (n->type) {               /* T_ENTER */
        case XML_ELEMENT_NODE:
            if (n->children) {
                s->tphase = T_AFTER_START;
                return dispatch(s, ev_start(s, n, s->tdepth, 0, err));
            }
            if (element_open(s, n))
                return STEP_BREAK;
            s->tphase = T_LEAVE;
            return dispatch(s, ev_start(s, n, s->tdepth, 1, err));
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            s->tphase = T_LEAVE;
            return dispatch(s, ev_text(s, n));
        case XML_ENTITY_REF_NODE:
            s->tphase = T_LEAVE;
            ev_entity(s, n);
            return STEP_OK;
        case XML_COMMENT_NODE:
            s->tphase = T_LEAVE;
            ev_comment(s, n);
            return STEP_OK;
        case XML_DTD_NODE:
            return dispatch(s, doctype_refused(s, err));
        default:
            s->tphase = T_LEAVE;
            continue;
        }
    }
}

static enum step reader_step(struct sx *s, char *err)
{
    int ret = xmlTextReaderRead(s->reader);
    if (s->doctype_line)
        return dispatch(s, doctype_refused(s, err));
    if (s->io_failed) {
        cm_fail(err, CM_ERR_IO, "%s", s->io_err);
        return dispatch(s, 1);
    }
    if (ret == 0)
        return STEP_EOF;
    if (ret < 0)
        return start_tree_walk(s);
    xmlNodePtr n = xmlTextReaderCurrentNode(s->reader);
    if (!n)
        return STEP_OK;
    int depth = xmlTextReaderDepth(s->reader);
    s->last_node = n;
    s->last_depth = depth;
    s->last_started = 0;
    /* the node's own type, except to tell an element's start from its end:
     * xmlTextReaderNodeType() would look up xml:space for every text node */
    switch (n->type) {
    case XML_ELEMENT_NODE:
        if (xmlTextReaderNodeType(s->reader) == XML_READER_TYPE_END_ELEMENT)
            return dispatch(s, ev_end(s, depth));
        s->last_started = xmlTextReaderIsEmptyElement(s->reader) != 1;
        return dispatch(s, ev_start(s, n, depth, !s->last_started, err));
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        return dispatch(s, ev_text(s, n));
    case XML_ENTITY_REF_NODE:
        ev_entity(s, n);
        return STEP_OK;
    case XML_COMMENT_NODE:
        ev_comment(s, n);
        return STEP_OK;
    case XML_DTD_NODE:
    case XML_DOCUMENT_TYPE_NODE:
        return dispatch(s, doctype_refused(s, err));
    default:
        return STEP_OK;
    }
}

/* One node further. STEP_BREAK: the document broke and nothing more can be read. */
static enum step step(struct sx *s, char *err)
{
    enum step st = STEP_BREAK;
    if (s->walk == WALK_READER)
        st = reader_step(s, err);
    else if (s->walk == WALK_TREE)
        st = tree_step(s, err);
    if (st == STEP_BREAK)
        s->walk = WALK_DONE;
    if (st == STEP_ERROR && !err[0])
        cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", s->file);
    return st;
}

/* ---- the connector ------------------------------------------------------------- */

static void sx_close(void *state)
{
    struct sx *s = state;
    if (!s)
        return;
    if (s->reader)
        xmlFreeTextReader(s->reader);
    textin_close(s->ti);
    buf_free(&s->text);
    buf_free(&s->nametext);
    free(s->inames);
    free(s->itable);
    free(s->col_name);
    free(s->filled);
    free(s->frames);
    free(s->fields);
    free(s->scopes);
    free(s->tmp);
    free(s->ords);
    free(s->names);
    free(s->values);
    free(s->lengths);
    free(s->root_name);
    free(s->object_name);
    free(s->path_text);
    free(s->file);
    free(s);
}

/* record_path is kept twice in one allocation: as written (for messages), then split
 * into its segments. */
static enum cm_status read_options(struct sx *s, const struct source *src,
                                   long long *max_input, const char **encoding, char *err)
{
    const char *path;
    long long depth, record;
    enum cm_status rc = source_opt_string(src, "record_path", "ListOfContact/Contact",
                                          &path, err);
    if (!rc)
        rc = source_opt_string(src, "encoding", "auto", encoding, err);
    if (!rc)
        rc = source_opt_int(src, "max_depth", 64, &depth, err);
    if (!rc)
        rc = source_opt_int(src, "max_record_bytes", 4 << 20, &record, err);
    if (!rc)
        rc = source_opt_int(src, "max_input_bytes", 0, max_input, err);
    if (rc)
        return rc;
    size_t n = strlen(path);
    s->path_text = malloc(2 * n + 2);
    if (!s->path_text)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    memcpy(s->path_text, path, n + 1);
    char *p = s->path_text + n + 1;
    memcpy(p, path, n + 1);
    int bad = n == 0 || path[0] == '/' || path[n - 1] == '/' || strstr(path, "//");
    while (!bad) {
        if (s->npath == SX_PATH_MAX) {
            bad = 1;
            break;
        }
        s->path[s->npath++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    if (bad)
        return cm_fail(err, CM_ERR_CONFIG, "%s.record_path: \"%s\" is not an element path "
                       "relative to the root element, such as \"ListOfContact/Contact\"",
                       src->where, path);
    if (depth < s->npath + 2 || depth > SX_DEPTH_LIMIT)
        return cm_fail(err, CM_ERR_CONFIG, "%s.max_depth: must be between %d (the record "
                       "path and its fields) and %d", src->where, s->npath + 2,
                       SX_DEPTH_LIMIT);
    if (record < 1024 || record > SX_LIMIT_MAX)
        return cm_fail(err, CM_ERR_CONFIG, "%s.max_record_bytes: must be between 1024 "
                       "and %u (below libxml2's limit of 10000000 bytes of one text)",
                       src->where, SX_LIMIT_MAX);
    if (*max_input < 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.max_input_bytes: must not be negative",
                       src->where);
    if (!strcasecmp(*encoding, "auto")) {
        *encoding = NULL;
    } else {
        xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(*encoding);
        if (!h)
            return cm_fail(err, CM_ERR_CONFIG, "%s.encoding: unknown encoding \"%s\"",
                           src->where, *encoding);
        xmlCharEncCloseFunc(h);
    }
    s->max_depth = (int)depth;
    s->max_record = (size_t)record;
    return CM_OK;
}

static enum cm_status sx_open(const struct source *src, void **state, char *err)
{
    *state = NULL;
    if (!src->path)
        return cm_fail(err, CM_ERR_CONFIG, "%s.path: missing", src->where);
    struct sx *s = calloc(1, sizeof *s);
    if (!s)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    s->pending = -1;
    s->pro_line = 1;
    s->text_tag = tag_of("#text");
    s->ords_gen = 1;
    buf_init(&s->text, 0);
    if (grow32((void **)&s->inames, &s->inames_alloc, 64, sizeof *s->inames)) {
        free(s);
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    }
    buf_init(&s->nametext, 0);
    names_reset(s);
    long long max_input;
    const char *encoding;
    char terr[CM_ERRBUF];
    enum cm_status rc = read_options(s, src, &max_input, &encoding, err);
    if (rc)
        goto fail;
    s->file = strdup(src->path);
    if (!s->file) {
        rc = cm_fail(err, CM_ERR_NOMEM, "out of memory");
        goto fail;
    }
    s->base = strrchr(s->file, '/') ? strrchr(s->file, '/') + 1 : s->file;
    rc = textin_open(&s->ti, src->path, "auto", max_input, terr);
    if (rc) {
        cm_fail(err, rc, "%s: %s", src->where, terr);
        goto fail;
    }
    /* UTF-16 arrives transcoded to UTF-8 (a BOM wins): its declaration must not switch
     * back; a configured encoding overrides the declaration too */
    if (!strncmp(textin_encoding(s->ti), "utf-16", 6))
        encoding = "UTF-8";
    start_cut(s, encoding);
    int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
                  XML_PARSE_BIG_LINES | (encoding ? XML_PARSE_IGNORE_ENC : 0);
    s->reader = xmlReaderForIO(read_input, NULL, s, s->file, encoding, options);
    if (!s->reader) {
        rc = cm_fail(err, CM_ERR_NOMEM, "%s: cannot start the XML reader", s->file);
        goto fail;
    }
    xmlTextReaderSetStructuredErrorHandler(s->reader, on_xml_error, s);
    /* read up to the root element: a DOCTYPE or a file that is not XML fails here */
    terr[0] = '\0';
    while (!s->root_seen) {
        enum step st = step(s, terr);
        if (st == STEP_ERROR) {
            rc = cm_fail(err, CM_ERR_INPUT, "%s", terr);
            goto fail;
        }
        if (st == STEP_EOF || (st == STEP_BREAK && !s->root_seen)) {
            if (s->in_total == 0)
                rc = cm_fail(err, CM_ERR_INPUT, "%s: not XML: the file is empty", s->file);
            else if (s->have_error)
                rc = cm_fail(err, CM_ERR_INPUT, "%s:%ld: not XML: %s", s->file,
                             file_line(s, s->error_line), s->error_msg);
            else
                rc = cm_fail(err, CM_ERR_INPUT, "%s: not XML: no root element", s->file);
            goto fail;
        }
        if (st == STEP_BREAK)
            break;
    }
    *state = s;
    return CM_OK;
fail:
    sx_close(s);
    return rc;
}

static void fill_record(struct sx *s, struct raw_record *rec)
{
    rec->nfields = s->ncols;
    rec->names = s->names;
    rec->names_version = s->names_version;
    rec->values = s->values;
    rec->lengths = s->lengths;
    rec->file = s->file;
    rec->line = s->rec_line;
    rec->line_end = s->rec_line_end;
    rec->raw = s->raw;
    rec->raw_len = strlen(s->raw);
}

static enum conn_next sx_next(void *state, struct raw_record *rec, struct reject *rej,
                              char *err)
{
    struct sx *s = state;
    if (s->failed)
        return CONN_ERROR;
    if (s->finished)
        return CONN_EOF;
    char terr[CM_ERRBUF];                /* written only on an error */
    terr[0] = '\0';
    for (;;) {
        if (s->pending >= 0) {
            int p = s->pending;
            s->pending = -1;
            if (p == CONN_RECORD) {
                fill_record(s, rec);
                return CONN_RECORD;
            }
            *rej = s->rej;
            return CONN_REJECT;
        }
        enum step st = step(s, terr);
        if (st == STEP_OK)
            continue;
        if (st == STEP_ERROR) {
            s->failed = 1;
            cm_fail(err, CM_ERR_INPUT, "%s", terr);
            return CONN_ERROR;
        }
        s->finished = 1;
        if (st == STEP_BREAK) {
            long line = s->error_line > 0 ? file_line(s, s->error_line) : s->last_line;
            set_reject(s, line, line, s->in_record ? s->raw : NULL);
            snprintf(s->rej.reason, sizeof s->rej.reason,
                     "not well formed: %.300s \xe2\x80\x94 the rest of the file was not read",
                     s->have_error ? s->error_msg : "the XML reader stopped");
            *rej = s->rej;
            return CONN_REJECT;
        }
        /* EOF */
        if (!s->parent_seen) {
            s->failed = 1;
            cm_fail(err, CM_ERR_INPUT, "%s: no <%s> element under <%s>: nothing matches "
                    "the record path %s (set \"record_path\" for a custom integration "
                    "object)", s->file, s->npath > 1 ? s->path[s->npath - 2] : "?",
                    s->root_name ? s->root_name : "?", s->path_text);
            return CONN_ERROR;
        }
        return CONN_EOF;
    }
}

static enum cm_status sx_describe(void *state, struct buf *out)
{
    const struct sx *s = state;
    enum cm_status rc = buf_printf(out, "%s: %s", s->base,
                                   s->root_name ? s->root_name : "(no root)");
    if (!rc && s->object_name)
        rc = buf_printf(out, " IntObjectName=%s", s->object_name);
    if (!rc)
        rc = buf_printf(out, ", record path %s", s->path_text);
    if (!rc && textin_is_gzip(s->ti))
        rc = buf_addstr(out, ", gzip");
    return rc;
}

static enum cm_status sx_fields(void *state, const char *const **names, size_t *n)
{
    (void)state;
    *names = NULL;
    *n = 0;
    return CM_OK;
}

const struct connector siebel_xml_connector = {
    .version = CONNECTOR_VERSION,
    .name = "siebel_xml",
    .summary = "Siebel EAI XML (SiebelMessage) integration object exports, streamed",
    .xOpen = sx_open,
    .xNext = sx_next,
    .xClose = sx_close,
    .xDescribe = sx_describe,
    .xFields = sx_fields,
};
