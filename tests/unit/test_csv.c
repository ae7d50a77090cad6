/* test_csv.c — the CSV connector, driven through its method table the way extract.c
 * drives it. Most cases compare a transcript of what the reader produced:
 *     "2-3: Cole Bakery|Ann Cole|line one\r\nline two"   a record, its lines, values
 *     "R5: unbalanced quote"                      a reject and its reason
 * Fixtures: tests/fixtures/csv (README.md there lists their bytes); big inputs are
 * generated into temporary files. */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "connectors/connector.h"
#include "pipeline/buf.h"
#include "pipeline/config.h"
#include "tests/unit/reader.h"
#include "tests/unit/testlib.h"

extern const struct connector csv_connector;

#define FX "tests/fixtures/csv/"

static enum cm_status rd_open(struct reader *r, const char *path, const char *opts)
{
    return reader_open(r, &csv_connector, "test", path, opts);
}

static void rd_close(struct reader *r)
{
    reader_close(r);
}

static void add_lines(struct buf *b, const char *tag, long line, long line_end)
{
    if (line == line_end)
        buf_printf(b, "%s%ld: ", tag, line);
    else
        buf_printf(b, "%s%ld-%ld: ", tag, line, line_end);
}

/* everything the reader yields after open, one line per record or reject */
static char *transcript_of(struct reader *r)
{
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "");
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next n = csv_connector.xNext(r->st, &rec, &rej, r->err);
        if (n == CONN_EOF)
            break;
        if (n == CONN_ERROR) {
            buf_printf(&b, "ERROR: %s\n", r->err);
            break;
        }
        if (n == CONN_REJECT) {
            add_lines(&b, "R", rej.line, rej.line_end);
            buf_printf(&b, "%s\n", rej.reason);
            continue;
        }
        add_lines(&b, "", rec.line, rec.line_end);
        for (size_t i = 0; i < rec.nfields; i++) {
            if (i)
                buf_addch(&b, '|');
            reader_add_value(&b, rec.values[i], rec.lengths[i], "<absent>");
        }
        buf_addch(&b, '\n');
    }
    return buf_detach(&b, NULL);
}

/* open, read to the end, close: the transcript, or "OPEN: err" */
static char *transcript(const char *path, const char *opts)
{
    struct reader r;
    char *t;
    if (rd_open(&r, path, opts) != CM_OK) {
        size_t n = strlen(r.err) + 8;
        t = malloc(n);
        snprintf(t, n, "OPEN: %s", r.err);
    } else {
        t = transcript_of(&r);
    }
    rd_close(&r);
    return t;
}

#define CHECK_TRANSCRIPT(path, opts, want) do {                                  \
        char *t_ = transcript((path), (opts));                                   \
        CHECK_STR(t_, (want));                                                   \
        free(t_);                                                                \
    } while (0)

/* the header names, joined with '|' */
static char *names_of(const char *path, const char *opts)
{
    struct reader r;
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "");
    if (rd_open(&r, path, opts) == CM_OK) {
        struct raw_record rec;
        struct reject rej;
        if (csv_connector.xNext(r.st, &rec, &rej, r.err) == CONN_RECORD) {
            for (size_t i = 0; i < rec.nfields; i++)
                buf_printf(&b, "%s%s", i ? "|" : "", rec.names[i]);
        }
    } else {
        buf_printf(&b, "OPEN: %s", r.err);
    }
    rd_close(&r);
    return buf_detach(&b, NULL);
}

#define CHECK_NAMES(path, opts, want) do {                                       \
        char *n_ = names_of((path), (opts));                                     \
        CHECK_STR(n_, (want));                                                   \
        free(n_);                                                                \
    } while (0)

static char *describe(const char *path, const char *opts)
{
    struct reader r;
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "");
    if (rd_open(&r, path, opts) == CM_OK)
        csv_connector.xDescribe(r.st, &b);
    else
        buf_printf(&b, "OPEN: %s", r.err);
    rd_close(&r);
    return buf_detach(&b, NULL);
}

#define CHECK_DESCRIBE(path, opts, want) do {                                    \
        char *d_ = describe((path), (opts));                                     \
        CHECK_STR(d_, (want));                                                   \
        free(d_);                                                                \
    } while (0)

static char *open_error(const char *path, const char *opts)
{
    struct reader r;
    enum cm_status rc = rd_open(&r, path, opts);
    char *e = strdup(rc ? r.err : "(opened)");
    rd_close(&r);
    return e;
}

#define CHECK_OPEN_ERROR(path, opts, want) do {                                  \
        char *e_ = open_error((path), (opts));                                   \
        CHECK_STR(e_, (want));                                                   \
        free(e_);                                                                \
    } while (0)

/* a temporary file holding the given bytes; the caller unlinks it */
static void temp_path(char *path, size_t n, const char *tag)
{
    snprintf(path, n, "/tmp/test_csv_%ld_%s", (long)getpid(), tag);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

static void write_gz(const char *path, const char *data, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    gzwrite(gz, data, (unsigned)len);
    gzclose(gz);
}

/* ---- quotes ------------------------------------------------------------------- */

TEST(quoted_newline_is_kept_and_spans_two_lines)
{
    CHECK_TRANSCRIPT(FX "quoted_newline.csv", NULL,
        "2-3: Cole Bakery|Ann Cole|line one\\r\\nline two\n"
        "4: Mills & Co|Bob Mills|said \"hi\" twice\n");
    CHECK_NAMES(FX "quoted_newline.csv", NULL, "Company|Contact|Notes");
}

TEST(record_fields_point_at_file_lengths_and_raw_text)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "quoted_newline.csv", NULL), CM_OK);
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_RECORD);
    CHECK_STR(rec.file, FX "quoted_newline.csv");
    CHECK_INT(rec.nfields, 3);
    CHECK_INT(rec.names_version, 1);
    CHECK_INT(rec.lengths[2], 18);
    CHECK_INT(strlen(rec.values[2]), 18);
    CHECK_INT(rec.raw_len, strlen("\"Cole Bakery\",\"Ann Cole\",\"line one\r\nline two\""));
    CHECK(memcmp(rec.raw, "\"Cole Bakery\"", 13) == 0);
    const char *const *names = rec.names;
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_RECORD);
    CHECK(rec.names == names);                      /* stable for the whole file */
    CHECK_STR(rec.values[2], "said \"hi\" twice");
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_EOF);
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_EOF);
    rd_close(&r);
}

TEST(bare_quote_in_unquoted_field_is_literal)
{
    CHECK_TRANSCRIPT(FX "bare_quote.csv", NULL, "2: 12\" pipe|3/4\"\n");
}

TEST(unbalanced_quote_rejects_only_its_line)
{
    CHECK_TRANSCRIPT(FX "unbalanced_mid.csv", NULL,
        "2: Cole Bakery|Ann\n"
        "R3: unbalanced quote\n"
        "4: Baker|Carl\n"
        "5: Dunn|Dora\n");
    struct reader r;
    CHECK_INT(rd_open(&r, FX "unbalanced_mid.csv", NULL), CM_OK);
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_RECORD);
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_REJECT);
    CHECK_STR(rej.file, FX "unbalanced_mid.csv");
    CHECK_INT(rej.raw_len, strlen("\"Mills \"and\" Sons\",Bob"));
    CHECK(memcmp(rej.raw, "\"Mills \"and\" Sons\",Bob", rej.raw_len) == 0);
    rd_close(&r);
}

TEST(quote_open_to_end_of_file_rejects_only_its_line)
{
    CHECK_TRANSCRIPT(FX "unterminated_eof.csv", NULL,
        "2: Cole|Ann\n"
        "R3: unbalanced quote\n"
        "4: Baker|Carl\n"
        "5: Dunn|Dora\n");
}

/* the open quote swallows more than max_field_bytes before the end of the file: the
 * reader has skipped past it without buffering, and must go back for the good lines */
static void check_unbalanced_far_from_end(int gz)
{
    struct buf in = BUF_INIT(0);
    buf_addstr(&in, "id,name\n1,ok\n2,\"open\n");
    for (int i = 0; i < 2000; i++)
        buf_printf(&in, "%d,fine\n", i + 3);
    char path[128];
    temp_path(path, sizeof path, gz ? "unbal.gz" : "unbal.csv");
    if (gz)
        write_gz(path, in.data, in.len);
    else
        write_file(path, in.data, in.len);
    char *t = transcript(path, "{\"max_field_bytes\": 64}");
    CHECK(strncmp(t, "2: 1|ok\nR3: unbalanced quote\n4: 3|fine\n", 39) == 0);
    CHECK(strstr(t, "\n2002: 2001|fine\n") != NULL);
    size_t lines = 0;
    for (const char *p = t; *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 2002);
    free(t);
    unlink(path);
    buf_free(&in);
}

TEST(unbalanced_quote_far_from_end_goes_back_for_the_good_lines)
{
    check_unbalanced_far_from_end(0);
    check_unbalanced_far_from_end(1);
}

TEST(bad_quote_found_while_skipping_an_oversized_field)
{
    char path[128];
    temp_path(path, sizeof path, "skipquote.csv");
    char a[101], b[101];
    memset(a, 'A', 100);
    memset(b, 'B', 100);
    a[100] = b[100] = '\0';
    struct buf in = BUF_INIT(0);
    /* the quote closes on the next line, followed by text: line 3 alone is bad */
    buf_printf(&in, "id,notes\n1,ok\n2,\"%s\n%s\"junk,x\n3,fine\n4,fine\n", a, b);
    write_file(path, in.data, in.len);
    CHECK_TRANSCRIPT(path, "{\"max_field_bytes\": 64}",
        "2: 1|ok\n"
        "R3: unbalanced quote\n"
        "R4: field 1 (id) exceeds max_field_bytes (64)\n"
        "5: 3|fine\n"
        "6: 4|fine\n");
    /* the same on one line: the line is skipped */
    buf_reset(&in);
    buf_printf(&in, "id,notes\n1,ok\n2,\"%s\"junk,x\n3,fine\n", a);
    write_file(path, in.data, in.len);
    CHECK_TRANSCRIPT(path, "{\"max_field_bytes\": 64}",
        "2: 1|ok\n"
        "R3: unbalanced quote\n"
        "4: 3|fine\n");
    unlink(path);
    buf_free(&in);
}

/* ---- delimiters --------------------------------------------------------------- */

TEST(delimiter_is_sniffed)
{
    CHECK_TRANSCRIPT(FX "delim_comma.csv", NULL, "2: Cole|Berlin|555\n3: Mills|Paris|556\n");
    CHECK_TRANSCRIPT(FX "delim_semicolon.csv", NULL,
                     "2: Cole, Ann|Berlin|555\n3: Mills, Bob|Paris|556\n");
    CHECK_TRANSCRIPT(FX "delim_tab.tsv", NULL, "2: Cole, Ann|Berlin|555\n3: Mills|Paris|556\n");
    CHECK_TRANSCRIPT(FX "delim_pipe.txt", NULL,
                     "2: Cole; Ann|Berlin|555\n3: Mills|Paris, FR|556\n");
    CHECK_DESCRIBE(FX "delim_tab.tsv", NULL,
                   "delim_tab.tsv: auto (ascii so far), delimiter tab, header with 3 columns");
    CHECK_DESCRIBE(FX "delim_pipe.txt", NULL,
                   "delim_pipe.txt: auto (ascii so far), delimiter '|', header with 3 columns");
}

TEST(delimiter_forced_by_option)
{
    CHECK_NAMES(FX "forced_delim.csv", NULL, "a;b|c");
    CHECK_NAMES(FX "forced_delim.csv", "{\"delimiter\": \";\"}", "a|b,c");
    CHECK_TRANSCRIPT(FX "forced_delim.csv", "{\"delimiter\": \";\"}", "2: 1|2,3\n");
    CHECK_TRANSCRIPT(FX "delim_comma.csv", "{\"delimiter\": \"\\t\"}",
                     "2: Cole,Berlin,555\n3: Mills,Paris,556\n");
}

TEST(spaces_after_the_delimiter_are_skipped_when_every_one_has_them)
{
    CHECK_NAMES(FX "initial_space.csv", NULL, "rec_id|given_name|surname|note");
    CHECK_TRANSCRIPT(FX "initial_space.csv", NULL,
                     "2: rec-1-org|ann|cole|a, b\n3: rec-1-dup-0||cole|two\n");
    CHECK_DESCRIBE(FX "initial_space.csv", NULL,
                   "initial_space.csv: auto (ascii so far), delimiter ',' and the spaces "
                   "after it, header with 4 columns");
    /* forced off: the spaces are the values' (a quote after one is then literal) */
    CHECK_TRANSCRIPT(FX "initial_space.csv", "{\"skip_initial_space\": false}",
                     "R2: 5 fields, header has 4\n3: rec-1-dup-0| | cole|  two\n");
    /* not every delimiter of the first record has a space: auto leaves them */
    CHECK_TRANSCRIPT(FX "initial_space_mixed.csv", NULL, "2: Cole| Berlin|555\n");
    CHECK_TRANSCRIPT(FX "initial_space_mixed.csv", "{\"skip_initial_space\": true}",
                     "2: Cole|Berlin|555\n");
    CHECK_OPEN_ERROR(FX "initial_space.csv", "{\"skip_initial_space\": \"yes\"}",
                     "sources[0].skip_initial_space: must be true, false or \"auto\"");
}

/* ---- encodings ---------------------------------------------------------------- */

TEST(utf8_bom_is_stripped_from_the_first_header)
{
    CHECK_NAMES(FX "bom_utf8.csv", NULL, "Name|City");
    CHECK_TRANSCRIPT(FX "bom_utf8.csv", NULL, "2: José|München\n");
    CHECK_DESCRIBE(FX "bom_utf8.csv", NULL,
                   "bom_utf8.csv: utf-8 (bom), delimiter ',', header with 2 columns");
    /* the BOM wins over a declared code page */
    CHECK_TRANSCRIPT(FX "bom_utf8.csv", "{\"encoding\": \"latin1\"}", "2: José|München\n");
}

TEST(utf16_with_bom_le_and_be)
{
    const char *want = "2: José|Zürich\n3: € Cole|Köln\n";
    CHECK_TRANSCRIPT(FX "utf16le_bom.csv", NULL, want);
    CHECK_TRANSCRIPT(FX "utf16be_bom.csv", NULL, want);
    CHECK_NAMES(FX "utf16le_bom.csv", NULL, "Name|City");
    CHECK_NAMES(FX "utf16be_bom.csv", NULL, "Name|City");
    CHECK_DESCRIBE(FX "utf16be_bom.csv", NULL,
                   "utf16be_bom.csv: utf-16be (bom), delimiter ',', header with 2 columns");
}

TEST(utf16_without_bom_found_by_nul_pattern)
{
    CHECK_TRANSCRIPT(FX "utf16le_nobom.csv", NULL, "2: José|Zürich\n3: € Cole|Köln\n");
    CHECK_DESCRIBE(FX "utf16le_nobom.csv", NULL,
                   "utf16le_nobom.csv: utf-16le (detected), delimiter ',', "
                   "header with 2 columns");
    CHECK_TRANSCRIPT(FX "utf16le_nobom.csv", "{\"encoding\": \"utf-16le\"}",
                     "2: José|Zürich\n3: € Cole|Köln\n");
}

TEST(cp1252_detected_euro_and_curly_quotes)
{
    CHECK_TRANSCRIPT(FX "cp1252.csv", NULL, "2: René|“quoted” € 5\n");
    CHECK_TRANSCRIPT(FX "cp1252.csv", "{\"encoding\": \"cp1252\"}", "2: René|“quoted” € 5\n");
    CHECK_DESCRIBE(FX "cp1252.csv", NULL,
                   "cp1252.csv: windows-1252 (detected), delimiter ',', header with 2 columns");
}

TEST(latin1_forced_maps_0x80_to_0x9f_to_controls)
{
    CHECK_TRANSCRIPT(FX "cp1252.csv", "{\"encoding\": \"latin1\"}",
                     "2: René|\xc2\x93quoted\xc2\x94 \xc2\x80 5\n");
    CHECK_TRANSCRIPT(FX "latin1.csv", "{\"encoding\": \"iso-8859-1\"}",
                     "2: Müller|Köln\n3: Straße|Åre\n");
    CHECK_DESCRIBE(FX "latin1.csv", "{\"encoding\": \"latin1\"}",
                   "latin1.csv: latin1 (declared), delimiter ',', header with 2 columns");
}

TEST(invalid_utf8_line_rejected_neighbours_kept)
{
    const char *want = "2: José|Köln\n"
                       "R3: invalid utf-8 in field 1 (Name) at byte offset 3\n"
                       "4: Zoë|Zürich\n";
    CHECK_TRANSCRIPT(FX "mixed_utf8.csv", NULL, want);
    CHECK_TRANSCRIPT(FX "mixed_utf8.csv", "{\"encoding\": \"utf-8\"}", want);
}

TEST(other_iconv_code_page_and_bytes_it_cannot_map)
{
    char path[128];
    temp_path(path, sizeof path, "cp850.csv");
    write_file(path, "Name,City\nM\x81ller,K\x94ln\n", 22);       /* cp850 ü, ö */
    CHECK_TRANSCRIPT(path, "{\"encoding\": \"cp850\"}", "2: Müller|Köln\n");
    /* 0x81 is undefined in windows-1252 */
    CHECK_TRANSCRIPT(path, "{\"encoding\": \"windows-1252\"}",
        "R2: byte 0x81 in field 1 (Name) at byte offset 1 is not valid "
        "windows-1252\n");
    unlink(path);
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"encoding\": \"klingon\"}",
                     "sources[0].encoding: unknown encoding \"klingon\"");
}

TEST(invalid_utf16_rejects_its_record)
{
    char path[128];
    temp_path(path, sizeof path, "lone16.csv");
    /* UTF-16LE: "Name\r\n" "a" D800 "b\r\n" "ok\r\n" — a lone high surrogate on line 2 */
    const char bytes[] = "\xff\xfe" "N\0a\0m\0e\0\r\0\n\0" "a\0\x00\xd8" "b\0\r\0\n\0"
                         "o\0k\0\r\0\n\0";
    write_file(path, bytes, sizeof bytes - 1);
    CHECK_TRANSCRIPT(path, NULL,
        "R2: invalid utf-16le in field 1 (Name) at byte offset 1\n"
        "3: ok\n");
    unlink(path);
}

/* ---- line ends and blank lines -------------------------------------------------- */

TEST(cr_only_and_mixed_line_ends)
{
    CHECK_TRANSCRIPT(FX "cr_only.csv", NULL, "2: c|d\n3: e|f\n");
    CHECK_TRANSCRIPT(FX "mixed_eol.csv", NULL, "2: 1|2\n3: 3|4\n4: 5|6\n6: 7|8\n");
    char path[128];
    temp_path(path, sizeof path, "ctrlz.csv");
    write_file(path, "a,b\r\n1,2\r\n\x1a", 11);     /* DOS end-of-file mark */
    CHECK_TRANSCRIPT(path, NULL, "2: 1|2\n");
    unlink(path);
}

/* ---- gzip and the input cap ------------------------------------------------------ */

TEST(gzip_found_by_magic_bytes)
{
    CHECK_TRANSCRIPT(FX "contacts.dat", NULL, "2: Cole|Berlin\n3: Mills|Paris\n");
    CHECK_DESCRIBE(FX "contacts.dat", NULL,
                   "contacts.dat: auto (ascii so far), delimiter ',', header with 2 columns, "
                   "gzip");
}

TEST(max_input_bytes_caps_decompressed_input)
{
    CHECK_OPEN_ERROR(FX "contacts.dat", "{\"max_input_bytes\": 10}",
        "sources[0]: " FX "contacts.dat: input exceeds max_input_bytes (10)");
    /* over the cap after the first read: the source ends with an error */
    struct buf in = BUF_INIT(0);
    buf_addstr(&in, "id,name\n");
    while (in.len < 1000000)
        buf_addstr(&in, "12345,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    char path[128];
    temp_path(path, sizeof path, "bomb.gz");
    write_gz(path, in.data, in.len);
    char *t = transcript(path, "{\"max_input_bytes\": 600000}");
    char want[256];
    snprintf(want, sizeof want, "ERROR: %s: input exceeds max_input_bytes (600000)\n", path);
    CHECK(strlen(t) > strlen(want) && strcmp(t + strlen(t) - strlen(want), want) == 0);
    free(t);
    char *ok = transcript(path, "{\"max_input_bytes\": 2000000}");
    CHECK(strstr(ok, "ERROR") == NULL);
    free(ok);
    unlink(path);
    buf_free(&in);
}

TEST(truncated_gzip_ends_the_source)
{
    struct buf in = BUF_INIT(0);
    buf_addstr(&in, "id,name\n");
    for (int i = 0; i < 50000; i++)
        buf_printf(&in, "%d,name %d\n", i, i * 7919);
    char path[128];
    temp_path(path, sizeof path, "trunc.gz");
    write_gz(path, in.data, in.len);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CHECK(truncate(path, size / 2) == 0);
    char *t = transcript(path, NULL);
    char want[256];
    snprintf(want, sizeof want, "ERROR: %s: truncated gzip stream\n", path);
    CHECK(strlen(t) > strlen(want) && strcmp(t + strlen(t) - strlen(want), want) == 0);
    free(t);
    unlink(path);
    buf_free(&in);
}

/* ---- row lengths ------------------------------------------------------------------- */

TEST(long_rows_rejected_trailing_delimiter_accepted_short_rows_rejected)
{
    CHECK_TRANSCRIPT(FX "ragged.csv", NULL,
        "2: 1|2|3\n"
        "R3: 5 fields, header has 3\n"
        "4: 1|2|3\n"
        "R5: 2 fields, header has 3\n"
        "6: 7|8|9\n");
}

TEST(short_rows_padded_with_absent_values)
{
    CHECK_TRANSCRIPT(FX "ragged.csv", "{\"short_rows\": \"pad\"}",
        "2: 1|2|3\n"
        "R3: 5 fields, header has 3\n"
        "4: 1|2|3\n"
        "5: 1|2|<absent>\n"
        "6: 7|8|9\n");
}

/* ---- damage and limits --------------------------------------------------------------- */

TEST(nul_byte_rejects_the_record_without_truncating)
{
    CHECK_TRANSCRIPT(FX "nul.csv", NULL,
        "R2: NUL byte in field 4 (d)\n"
        "3: 5|6|7|8\n");
    struct reader r;
    CHECK_INT(rd_open(&r, FX "nul.csv", NULL), CM_OK);
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_REJECT);
    CHECK_INT(rej.raw_len, 9);                      /* "1,2,3,x\0y" whole */
    CHECK(memcmp(rej.raw, "1,2,3,x\0y", 9) == 0);
    rd_close(&r);
}

TEST(field_over_max_field_bytes_is_skipped_not_buffered)
{
    char path[128];
    temp_path(path, sizeof path, "bigfield.csv");
    size_t big = 5u << 20;                          /* 5 MiB in one field */
    struct buf in = BUF_INIT(0);
    buf_addstr(&in, "id,notes,tail\n1,short,x\n2,");
    buf_grow(&in, big);
    memset(in.data + in.len, 'A', big);
    in.len += big;
    buf_addstr(&in, ",x\n3,\"");
    for (int i = 0; i < 3000; i++)                  /* quoted, 3000 lines */
        buf_addstr(&in, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\r\n");
    buf_addstr(&in, "\",y\n4,after,z\n");
    write_file(path, in.data, in.len);
    CHECK_TRANSCRIPT(path, "{\"max_field_bytes\": 64}",
        "2: 1|short|x\n"
        "R3: field 2 (notes) exceeds max_field_bytes (64)\n"
        "R4-3004: field 2 (notes) exceeds max_field_bytes (64)\n"
        "3005: 4|after|z\n");
    CHECK_TRANSCRIPT(path, "{\"max_record_bytes\": 1000}",
        "2: 1|short|x\n"
        "R3: record exceeds max_record_bytes (1000)\n"
        "R4-3004: record exceeds max_record_bytes (1000)\n"
        "3005: 4|after|z\n");
    struct reader r;
    CHECK_INT(rd_open(&r, path, "{\"max_field_bytes\": 64}"), CM_OK);
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_RECORD);
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_REJECT);
    CHECK_INT(rej.raw_len, 4096);                   /* the start of the record, cut */
    CHECK(memcmp(rej.raw, "2,AAAA", 6) == 0);
    rd_close(&r);
    unlink(path);
    buf_free(&in);
}

TEST(long_record_within_limits_is_read_whole)
{
    char path[128];
    temp_path(path, sizeof path, "longrec.csv");
    struct buf in = BUF_INIT(0);
    buf_addstr(&in, "id,notes\n1,\"");
    for (int i = 0; i < 100000; i++)                /* 1.2 MB over several reads */
        buf_addstr(&in, "0123456789\r\n");
    buf_addstr(&in, "\"\n2,end\n");
    write_file(path, in.data, in.len);
    struct reader r;
    CHECK_INT(rd_open(&r, path, "{\"max_field_bytes\": 2000000}"), CM_OK);
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_RECORD);
    CHECK_INT(rec.lengths[1], 1200000);
    CHECK_INT(rec.line, 2);
    CHECK_INT(rec.line_end, 100002);
    CHECK_INT(rec.raw_len, 4096);
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_RECORD);
    CHECK_STR(rec.values[1], "end");
    CHECK_INT(rec.line, 100003);
    CHECK_INT(csv_connector.xNext(r.st, &rec, &rej, r.err), CONN_EOF);
    rd_close(&r);
    unlink(path);
    buf_free(&in);
}

/* ---- headers ------------------------------------------------------------------------ */

TEST(no_header_with_columns_option)
{
    const char *opts = "{\"header\": false, \"columns\": [\"Company\", \"Contact\", \"Phone\"]}";
    CHECK_NAMES(FX "noheader.csv", opts, "Company|Contact|Phone");
    CHECK_TRANSCRIPT(FX "noheader.csv", opts, "1: Cole|Ann|555\n2: Mills|Bob|556\n");
    CHECK_DESCRIBE(FX "noheader.csv", opts,
                   "noheader.csv: auto (ascii so far), delimiter ',', no header, 3 columns");
    CHECK_NAMES(FX "noheader.csv", "{\"header\": false}", "column 1|column 2|column 3");
    /* header true and columns: the names are replaced, the header row still skipped */
    CHECK_NAMES(FX "delim_comma.csv", "{\"columns\": [\"nom\", \"ville\"]}",
                "nom|ville|Phone");
    CHECK_TRANSCRIPT(FX "delim_comma.csv", "{\"columns\": [\"nom\", \"ville\"]}",
                     "2: Cole|Berlin|555\n3: Mills|Paris|556\n");
}

TEST(duplicate_and_empty_header_names)
{
    CHECK_NAMES(FX "dup_header.csv", NULL, "Phone|Name|Phone (2)|column 4|Phone (3)");
}

TEST(empty_file_and_header_only)
{
    CHECK_TRANSCRIPT(FX "empty.csv", NULL, "");
    CHECK_DESCRIBE(FX "empty.csv", NULL, "empty.csv: auto (ascii so far), delimiter ',', empty");
    CHECK_TRANSCRIPT(FX "header_only.csv", NULL, "");
    CHECK_DESCRIBE(FX "header_only.csv", NULL,
                   "header_only.csv: auto (ascii so far), delimiter ',', header with 3 columns");
}

TEST(bad_header_fails_open)
{
    char path[128];
    temp_path(path, sizeof path, "badhdr.csv");
    write_file(path, "\"Name\"x,City\n1,2\n", 17);
    char want[256];
    snprintf(want, sizeof want, "sources[0]: %s: bad header: unbalanced quote", path);
    CHECK_OPEN_ERROR(path, NULL, want);
    unlink(path);
}

/* ---- configuration errors -------------------------------------------------------------- */

TEST(missing_file_and_bad_options)
{
    CHECK_OPEN_ERROR(FX "nope.csv", NULL,
                     "sources[0]: " FX "nope.csv: No such file or directory");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"header\": \"yes\"}",
                     "sources[0].header: must be true or false, not a string");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"delimiter\": \"x\"}",
                     "sources[0].delimiter: must be \",\", \";\", \"\\t\", \"|\" or \"auto\", "
                     "not \"x\"");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"short_rows\": \"drop\"}",
                     "sources[0].short_rows: must be \"reject\" or \"pad\", not \"drop\"");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"max_field_bytes\": 0}",
                     "sources[0].max_field_bytes: must be between 1 and 1073741824, not 0");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"max_record_bytes\": \"big\"}",
                     "sources[0].max_record_bytes: must be an integer, not a string");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"columns\": [\"a\", 2]}",
                     "sources[0].columns[1]: must be a string");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"columns\": \"a,b\"}",
                     "sources[0].columns: must be an array of strings");
    CHECK_OPEN_ERROR(FX "delim_comma.csv", "{\"max_input_bytes\": -1}",
                     "sources[0].max_input_bytes: must be 0 (no cap) or more, not -1");
}

int main(void)
{
    RUN(quoted_newline_is_kept_and_spans_two_lines);
    RUN(record_fields_point_at_file_lengths_and_raw_text);
    RUN(bare_quote_in_unquoted_field_is_literal);
    RUN(unbalanced_quote_rejects_only_its_line);
    RUN(quote_open_to_end_of_file_rejects_only_its_line);
    RUN(unbalanced_quote_far_from_end_goes_back_for_the_good_lines);
    RUN(bad_quote_found_while_skipping_an_oversized_field);
    RUN(delimiter_is_sniffed);
    RUN(delimiter_forced_by_option);
    RUN(spaces_after_the_delimiter_are_skipped_when_every_one_has_them);
    RUN(utf8_bom_is_stripped_from_the_first_header);
    RUN(utf16_with_bom_le_and_be);
    RUN(utf16_without_bom_found_by_nul_pattern);
    RUN(cp1252_detected_euro_and_curly_quotes);
    RUN(latin1_forced_maps_0x80_to_0x9f_to_controls);
    RUN(invalid_utf8_line_rejected_neighbours_kept);
    RUN(other_iconv_code_page_and_bytes_it_cannot_map);
    RUN(invalid_utf16_rejects_its_record);
    RUN(cr_only_and_mixed_line_ends);
    RUN(gzip_found_by_magic_bytes);
    RUN(max_input_bytes_caps_decompressed_input);
    RUN(truncated_gzip_ends_the_source);
    RUN(long_rows_rejected_trailing_delimiter_accepted_short_rows_rejected);
    RUN(short_rows_padded_with_absent_values);
    RUN(nul_byte_rejects_the_record_without_truncating);
    RUN(field_over_max_field_bytes_is_skipped_not_buffered);
    RUN(long_record_within_limits_is_read_whole);
    RUN(no_header_with_columns_option);
    RUN(duplicate_and_empty_header_names);
    RUN(empty_file_and_header_only);
    RUN(bad_header_fails_open);
    RUN(missing_file_and_bad_options);
    return test_report();
}
