/* detect.c — layout detection (see detect.h). */
#include "pipeline/detect.h"

#include <ctype.h>
#include <dirent.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>
#include "connectors/connector.h"
#include "connectors/formats/dbf_file.h"
#include "pipeline/config.h"
#include "transforms/mapping.h"

#define SNIFF_BYTES 4096

/* The first bytes of the file, through gzip if it is compressed; UTF-16 text is
 * reduced to its ASCII bytes (enough to recognise BEGIN:VCARD or '<'). */
static size_t sniff(const char *path, unsigned char *buf, size_t cap, int *gzip)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return 0;
    *gzip = !gzdirect(f);
    int n = gzread(f, buf, (unsigned)cap);
    gzclose(f);
    if (n <= 0)
        return 0;
    size_t len = (size_t)n;
    if (len >= 2 && ((buf[0] == 0xFF && buf[1] == 0xFE) || (buf[0] == 0xFE && buf[1] == 0xFF))) {
        size_t k = 0;
        for (size_t i = 2; i < len; i++) {
            if (buf[i])
                buf[k++] = buf[i];
        }
        len = k;
    } else if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
        memmove(buf, buf + 3, len - 3);
        len -= 3;
    }
    return len;
}

static int starts_with_ci(const unsigned char *buf, size_t len, const char *word)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    size_t n = strlen(word);
    return len - i >= n && strncasecmp((const char *)buf + i, word, n) == 0;
}

/* "BEGIN:VCARD" on one of the first five lines: exporters may write a title line or two
 * before the first card (the vcard reader rejects that text, naming its lines). Not
 * further in: a CSV note may quote a card. */
static int has_vcard_line(const unsigned char *buf, size_t len)
{
    int line = 1;
    for (size_t i = 0; i < len && line <= 5; i++) {
        if ((i == 0 || buf[i - 1] == '\n') && starts_with_ci(buf + i, len - i, "BEGIN:VCARD"))
            return 1;
        line += buf[i] == '\n';
    }
    return 0;
}

/* A dBase header: a version the reader knows, a plausible date (month and day bytes
 * are control characters, never text), a header that fits the file. The record count
 * is not checked against the size: a truncated table is still a table, and the dbf
 * reader reports what is missing. */
static int looks_like_dbf(const unsigned char *b, size_t len, const char *path)
{
    struct stat st;
    unsigned header = len >= 32 ? (b[8] | (unsigned)b[9] << 8) : 0;
    return dbf_looks_like(b, len) && b[1] <= 200 && stat(path, &st) == 0 &&
           (off_t)header <= st.st_size;
}

static int has_contact1(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL)
        found = strncasecmp(e->d_name, "contact1.", 9) == 0;
    closedir(d);
    return found;
}

/* The root element's name from the first bytes of an ASCII-compatible document:
 * past the XML declaration, processing instructions, comments and a DOCTYPE. For a
 * file libxml2 stops reading before its first element (broken early, in one chunk). */
static void scan_root(const unsigned char *b, size_t len, char *root, size_t cap)
{
    size_t i = 0;
    while (i < len) {
        if (b[i] != '<') {
            i++;
            continue;
        }
        const char *end = NULL;
        if (i + 1 < len && b[i + 1] == '?')
            end = "?>";
        else if (i + 3 < len && memcmp(b + i + 1, "!--", 3) == 0)
            end = "-->";
        else if (i + 1 < len && b[i + 1] == '!')
            end = ">";
        if (end) {
            const unsigned char *e = memmem(b + i, len - i, end, strlen(end));
            if (!e)
                return;
            i = (size_t)(e - b) + strlen(end);
            continue;
        }
        size_t k = 0, j = i + 1;
        while (j < len && k + 1 < cap && (isalnum(b[j]) || b[j] == '_' || b[j] == '-' ||
                                           b[j] == '.' || b[j] == ':'))
            root[k++] = (char)b[j++];
        root[k] = '\0';
        char *colon = strrchr(root, ':');             /* the local name, as libxml2's */
        if (colon)
            memmove(root, colon + 1, strlen(colon));
        return;
    }
}

static void xml_root(const char *path, char *root, size_t cap)
{
    root[0] = '\0';
    xmlTextReaderPtr r = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                          XML_PARSE_NOWARNING);
    if (!r)
        return;
    while (xmlTextReaderRead(r) == 1) {
        if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) {
            const xmlChar *name = xmlTextReaderConstLocalName(r);
            snprintf(root, cap, "%s", name ? (const char *)name : "");
            break;
        }
    }
    xmlFreeTextReader(r);
}

/* The file's kind and how it was told. */
static void file_kind(const char *path, struct detect_result *out)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(out->kind, sizeof out->kind, "%s", has_contact1(path) ? "goldmine" : "dir");
        snprintf(out->how, sizeof out->how, "a directory%s",
                 has_contact1(path) ? " with CONTACT1" : "");
        return;
    }
    unsigned char buf[SNIFF_BYTES];
    int gzip = 0;
    size_t len = sniff(path, buf, sizeof buf, &gzip);
    if (has_vcard_line(buf, len)) {
        snprintf(out->kind, sizeof out->kind, "vcard");
        snprintf(out->how, sizeof out->how, "BEGIN:VCARD");
    } else if (starts_with_ci(buf, len, "<")) {
        char root[64];
        xml_root(path, root, sizeof root);
        if (!root[0])
            scan_root(buf, len, root, sizeof root);
        int siebel = strcmp(root, "SiebelMessage") == 0;
        snprintf(out->kind, sizeof out->kind, "%s", siebel ? "siebel_xml" : "xml");
        snprintf(out->how, sizeof out->how, "root element %.50s", root[0] ? root : "?");
    } else if (!gzip && looks_like_dbf(buf, len, path)) {
        snprintf(out->kind, sizeof out->kind, "dbf");
        snprintf(out->how, sizeof out->how, "dBase header");
    } else {
        snprintf(out->kind, sizeof out->kind, "csv");
        snprintf(out->how, sizeof out->how, "header");
    }
    if (gzip) {
        size_t n = strlen(out->how);
        snprintf(out->how + n, sizeof out->how - n, ", gzip");
    }
}

/* Which layouts a kind of file can use: by connector name. Header-bearing kinds
 * (csv, dbf) also try GoldMine's table layouts, to say "this is a GoldMine table". */
static int layout_fits(const char *kind, const char *connector)
{
    if (strcmp(kind, "csv") == 0 || strcmp(kind, "dbf") == 0)
        return strcmp(connector, "csv") == 0 || strcmp(connector, "dbf") == 0 ||
               strcmp(connector, "goldmine") == 0;
    return strcmp(kind, connector) == 0;
}

/* The header of a CSV or DBF file, through its connector. */
static enum cm_status header_of(const char *path, const char *kind,
                                const struct connector **conn, void **state,
                                const char *const **names, size_t *n, char *err)
{
    *conn = connector_find(kind);
    if (!*conn || (*conn)->version < 2 || !(*conn)->xFields)
        return cm_fail(err, CM_ERR_INPUT, "%s: no reader for %s files", path, kind);
    struct source src = { "detect", kind, NULL, path, path, NULL };
    enum cm_status rc = (*conn)->xOpen(&src, state, err);
    if (rc)
        return rc;
    return (*conn)->xFields(*state, names, n);
}

static void add_candidate(struct detect_result *out, const char *layout,
                          const char *connector, double score)
{
    size_t at = out->ncandidates;
    while (at > 0 && out->candidates[at - 1].score < score)
        at--;
    if (at >= DETECT_MAX_CANDIDATES)
        return;
    size_t last = out->ncandidates < DETECT_MAX_CANDIDATES ? out->ncandidates
                                                           : DETECT_MAX_CANDIDATES - 1;
    memmove(&out->candidates[at + 1], &out->candidates[at],
            (last - at) * sizeof out->candidates[0]);
    struct detect_candidate *c = &out->candidates[at];
    snprintf(c->layout, sizeof c->layout, "%s", layout);
    snprintf(c->connector, sizeof c->connector, "%s", connector);
    c->score = score;
    if (out->ncandidates < DETECT_MAX_CANDIDATES)
        out->ncandidates++;
}

static int is_layout_file(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

enum cm_status detect_file(const char *path, const char *only_connector,
                           struct detect_result *out, char *err)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0)
        return cm_fail(err, CM_ERR_IO, "%s: file not found", path);
    file_kind(path, out);

    const struct connector *conn = NULL;
    void *state = NULL;
    const char *const *names = NULL;
    size_t nnames = 0;
    int by_header = strcmp(out->kind, "csv") == 0 || strcmp(out->kind, "dbf") == 0;
    if (by_header) {
        enum cm_status rc = header_of(path, out->kind, &conn, &state, &names, &nnames, err);
        if (rc) {
            if (conn && state)
                conn->xClose(state);
            return rc;
        }
    }

    DIR *d = opendir(schemas_dir());
    if (!d) {
        if (conn)
            conn->xClose(state);
        return cm_fail(err, CM_ERR_IO, "%s: cannot list the layouts", schemas_dir());
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_layout_file(e->d_name))
            continue;
        char lpath[4096];
        snprintf(lpath, sizeof lpath, "%s/%s", schemas_dir(), e->d_name);
        struct mapping *m = NULL;
        char merr[CM_ERRBUF];
        if (mapping_load(lpath, &m, merr) != CM_OK)
            continue;                 /* a broken layout is reported when it is used */
        const char *mc = mapping_connector(m);
        if (layout_fits(out->kind, mc) && (!only_connector || strcmp(only_connector, mc) == 0)) {
            double score = by_header ? mapping_header_score(m, names, nnames) : 1.0;
            add_candidate(out, mapping_name(m), mc, score);
        }
        mapping_free(m);
    }
    closedir(d);
    if (conn)
        conn->xClose(state);

    if (!by_header && out->ncandidates > 1) {
        /* several layouts for one reader (no header to tell them apart) */
        out->verdict = DETECT_AMBIGUOUS;
    } else if (out->ncandidates == 0 || out->candidates[0].score < DETECT_MIN_SCORE) {
        out->verdict = DETECT_UNKNOWN;
    } else if (out->ncandidates > 1 &&
               out->candidates[0].score - out->candidates[1].score < DETECT_MARGIN) {
        out->verdict = DETECT_AMBIGUOUS;
    } else {
        out->verdict = DETECT_MATCH;
    }
    return CM_OK;
}

void detect_format(const struct detect_result *r, char *out, size_t cap)
{
    size_t n = 0;
#define ADD(...) do { int k_ = snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__); \
                      if (k_ > 0) n += (size_t)k_; } while (0)
    if (r->verdict == DETECT_MATCH) {
        ADD("%s (%s connector, %.2f, by %s)", r->candidates[0].layout,
            r->candidates[0].connector, r->candidates[0].score, r->how);
        return;
    }
    ADD("%s", r->verdict == DETECT_UNKNOWN ? "unknown" : "ambiguous");
    if (r->ncandidates == 0) {
        ADD(" (a %s file, by %s; no layout for it)", r->kind, r->how);
        return;
    }
    ADD(r->verdict == DETECT_UNKNOWN ? " (nearest: " : " (candidates: ");
    for (size_t i = 0; i < r->ncandidates && i < 3; i++)
        ADD("%s%s %.2f", i ? ", " : "", r->candidates[i].layout, r->candidates[i].score);
    ADD(")");
#undef ADD
}
