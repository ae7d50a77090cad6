/* test_dbf.c — the dBase reader (connectors/formats/dbf_file.c) and the dbf connector and layout
 * (connectors/dbf.c, schemas/act_dbf.json).
 *
 * Most cases compare a transcript of what the reader yielded, one line per record or
 * reject:
 *     "2: Anna Ölmann|Düsseldorf|-7.50|19991231|F|..."   record 2, its values in order
 *     "R4: record 4 of 5 is cut short: ..."               a reject at record 4
 *     "R5-8: records 5 to 8 ..."                          a reject spanning records
 * absent values as <null>, line breaks as \r \n. Fixtures: tests/fixtures/dbf
 * (README.md there says what each file exercises); a few odd files are written into
 * temporary files here. */
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "connectors/formats/dbf_file.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"
#include "pipeline/contact.h"
#include "tests/unit/reader.h"
#include "tests/unit/testlib.h"
#include "transforms/mapping.h"

extern const struct connector dbf_connector;

#define FX "tests/fixtures/dbf/"
#define GM "tests/fixtures/goldmine/dbf/"

/* ---- helpers ---------------------------------------------------------------------- */

/* Everything d yields from here on, as a transcript; the last line is "E" (end) or
 * "ERROR: <err>". Checks that every record names its file and that lengths agree. */
static char *drain(struct dbf *d, const char *path)
{
    struct buf t = BUF_INIT(0);
    char err[CM_ERRBUF];
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next n = dbf_next(d, &rec, &rej, err);
        if (n == CONN_EOF) {
            buf_addstr(&t, "E");
            break;
        }
        if (n == CONN_ERROR) {
            buf_printf(&t, "ERROR: %s", err);
            break;
        }
        if (n == CONN_REJECT) {
            CHECK_STR(rej.file, path);
            if (rej.line_end > rej.line)
                buf_printf(&t, "R%ld-%ld: %s\n", rej.line, rej.line_end, rej.reason);
            else
                buf_printf(&t, "R%ld: %s\n", rej.line, rej.reason);
            continue;
        }
        CHECK_STR(rec.file, path);
        CHECK(rec.line == rec.line_end);
        CHECK(rec.nfields == dbf_field_count(d));
        buf_printf(&t, "%ld: ", rec.line);
        for (size_t i = 0; i < rec.nfields; i++) {
            if (rec.values[i])
                CHECK(strlen(rec.values[i]) == rec.lengths[i]);
            if (i)
                buf_addch(&t, '|');
            reader_add_value(&t, rec.values[i], rec.lengths[i], "<null>");
        }
        buf_addch(&t, '\n');
    }
    return buf_detach(&t, NULL);
}

static char *transcript(const char *path, const char *encoding, size_t max_memo)
{
    struct dbf_options o = { encoding, max_memo };
    struct dbf *d = NULL;
    char err[CM_ERRBUF];
    if (dbf_open(path, &o, &d, err) != CM_OK) {
        size_t n = strlen(err) + 16;
        char *s = malloc(n);
        snprintf(s, n, "OPEN: %s", err);
        return s;
    }
    char *t = drain(d, path);
    dbf_close(d);
    return t;
}

static char *names_of(struct dbf *d)
{
    struct buf b = BUF_INIT(0);
    const char *const *names = dbf_field_names(d);
    for (size_t i = 0; i < dbf_field_count(d); i++)
        buf_printf(&b, "%s%s", i ? "," : "", names[i]);
    return buf_detach(&b, NULL);
}

static char *describe(struct dbf *d)
{
    struct buf b = BUF_INIT(0);
    CHECK_INT(dbf_describe(d, &b), CM_OK);
    return buf_detach(&b, NULL);
}

/* Open path, check its names and its description before and after reading it all,
 * and return the transcript. */
static char *read_checked(const char *path, const char *names, const char *before,
                          const char *after)
{
    struct dbf *d = NULL;
    char err[CM_ERRBUF] = "";
    struct dbf_options o = { NULL, 0 };
    CHECK_INT(dbf_open(path, &o, &d, err), CM_OK);
    if (!d) {
        fprintf(stderr, "  %s\n", err);
        return strdup("");
    }
    char *s = names_of(d);
    CHECK_STR(s, names);
    free(s);
    s = describe(d);
    CHECK_STR(s, before);
    free(s);
    char *t = drain(d, path);
    s = describe(d);
    CHECK_STR(s, after);
    free(s);
    dbf_close(d);
    return t;
}

static void check_transcript(const char *path, const char *encoding, size_t max_memo,
                             const char *want)
{
    char *t = transcript(path, encoding, max_memo);
    CHECK_STR(t, want);
    free(t);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(data, 1, n, f) == n);
    fclose(f);
}

/* A dBase III header for one C field of width w and count records. */
static size_t tiny_header(unsigned char *h, unsigned char version, uint32_t count,
                          const char *field, char type, unsigned char w)
{
    memset(h, 0, 65);
    h[0] = version;
    h[1] = 124;
    h[2] = 1;
    h[3] = 15;
    memcpy(h + 4, &count, 4);
    h[8] = 65;
    h[10] = (unsigned char)(w + 1);
    h[29] = 0x03;
    memcpy(h + 32, field, strlen(field));
    h[43] = (unsigned char)type;
    h[48] = w;
    h[64] = 0x0D;
    return 65;
}

/* ---- the dBase dialects ------------------------------------------------------------- */

TEST(dbase3_with_memo_cp437)
{
    char *t = read_checked(FX "db3memo.dbf", "NAME,CITY,AMOUNT,JOINED,ACTIVE,NOTES",
        "db3memo.dbf: dBase III with memo, cp437 (language driver 0x01), 6 fields, "
        "3 records",
        "db3memo.dbf: dBase III with memo, cp437 (language driver 0x01), 6 fields, "
        "3 records");
    /* the memo file is DB3MEMO.DBT: found whatever its case */
    struct buf want = BUF_INIT(0);
    buf_addstr(&want, "1: J\xc3\xbcrgen Gro\xc3\x9f|K\xc3\xb6ln|123.45|20190307|T|"
                      "Ruft montags an, Gr\xc3\xbc\xc3\x9f" "e an Frau Gro\xc3\x9f.\n");
    buf_addstr(&want, "2: Anna \xc3\x96lmann|D\xc3\xbcsseldorf|-7.50|19991231|F|");
    for (int i = 0; i < 30; i++)                      /* a memo over two 512-byte blocks */
        buf_addstr(&want, "Erster Besuch im M\xc3\xa4rz. ");
    buf_addstr(&want, "\\r\\nZweite Zeile, weich umbrochen.\n");  /* 0x8D 0x0A: a space */
    buf_addstr(&want, "3: Leer||||?|\nE");                      /* blanks, L '?' */
    CHECK_STR(t, want.data);
    buf_free(&want);
    free(t);
}

TEST(dbase4_memo_block_size_from_its_header_and_a_deleted_record)
{
    struct buf want = BUF_INIT(0);
    buf_addstr(&want, "1: B\xc3\xa4" "ckerei Z\xc3\xbcrcher AG|Z\xc3\xbcrich|12.50|20010915|T|"
                      "Lieferung nur \xc3\xbc" "ber den Hof.\\r\\nTor 3.\n");
    buf_addstr(&want, "3: Stra\xc3\x9f" "e & Co|Genf||20240229|F|");
    for (int i = 0; i < 100; i++)                     /* 1300 bytes: two 1024-byte blocks */
        buf_addstr(&want, "Z\xc3\xbcrich-Notiz ");
    buf_addstr(&want, "\nE");
    char *t = read_checked(FX "db4memo.dbf", "FIRMA,ORT,RABATT,SEIT,AKTIV,BEMERKUNG",
        "db4memo.dbf: dBase IV with memo, cp850 (language driver 0x02), 6 fields, "
        "3 records",
        "db4memo.dbf: dBase IV with memo, cp850 (language driver 0x02), 6 fields, "
        "3 records, 1 deleted record skipped");
    CHECK_STR(t, want.data);                  /* record 2 is deleted: never yielded */
    buf_free(&want);
    free(t);

    struct dbf *d = NULL;
    char err[CM_ERRBUF];
    CHECK_INT(dbf_open(FX "db4memo.dbf", NULL, &d, err), CM_OK);
    CHECK_INT(dbf_deleted_count(d), 0);
    free(drain(d, FX "db4memo.dbf"));
    CHECK_INT(dbf_deleted_count(d), 1);
    dbf_close(d);
}

TEST(foxpro_fpt_memo_cp1252)
{
    struct buf want = BUF_INIT(0);
    buf_addstr(&want, "1: Caf\xc3\xa9 M\xc3\xbcller|1234.50|Zahlt per \xc3\x9c" "berweisung "
                      "\xe2\x80\x93 p\xc3\xbcnktlich.\n2: Zweiter Kunde|99.00|");
    for (int i = 0; i < 20; i++)
        buf_addstr(&want, "Lange Notiz. ");
    buf_addstr(&want, "\n3: Ohne Notiz||\nE");
    char *t = read_checked(FX "fox26.dbf", "KUNDE,UMSATZ,NOTIZ",
        "fox26.dbf: FoxPro 2.x with memo, cp1252 (language driver 0x03), 3 fields, "
        "3 records",
        "fox26.dbf: FoxPro 2.x with memo, cp1252 (language driver 0x03), 3 fields, "
        "3 records");
    CHECK_STR(t, want.data);
    buf_free(&want);
    free(t);
}

TEST(visual_foxpro_binary_types_nulls_and_hidden_fields)
{
    char *t = read_checked(FX "vfp.dbf", "ID,NAME,BALANCE,UPDATED,SCORE,ACTIVE,NOTES",
        "vfp.dbf: Visual FoxPro with memo, cp1252 (language driver 0x03), 7 fields, "
        "2 records, not read: PHOTO (general)",
        "vfp.dbf: Visual FoxPro with memo, cp1252 (language driver 0x03), 7 fields, "
        "2 records, not read: PHOTO (general)");
    /* I, C, Y (4 decimals), T, B (2 decimals), L, M by a binary pointer; record 2's
     * NAME is null by _NullFlags, its datetime is empty, its memo pointer 0 */
    CHECK_STR(t, "1: 1001|Zo\xc3\xab \xc3\x84rger|-123.4500|2023-11-02 14:30:05|98.75|T|"
                 "Gr\xc3\xb6\xc3\x9f" "ter Kunde 2023.\n"
                 "2: -7|<null>|5.0000||0.50|F|\n"
                 "E");
    free(t);
}

TEST(act_contact_table_windows_1252_by_default)
{
    char *t = read_checked(FX "act6.dbf",
        "UNIQUE_ID,COMPANY,NAME,FIRST_NAME,LAST_NAME,SALUTATION,TITLE,DEPARTMENT,PHONE,"
        "PHONE_EXT,FAX,MOBILE_PHO,HOME_PHONE,ADDR1,ADDR2,ADDR3,CITY,STATE,ZIP,COUNTRY,"
        "ID_STATUS,REFERREDBY,LASTRESULT,NAME2,TITLE2,PHONE2,PHONE2_EXT,USER1,USER2,"
        "CREATE_DAT,EDIT_DATE,CONT_TYPE",
        "act6.dbf: dBase III, cp1252 (no language driver: the default), 32 fields, "
        "5 records",
        "act6.dbf: dBase III, cp1252 (no language driver: the default), 32 fields, "
        "5 records, 1 deleted record skipped");
    /* record 2: umlauts, ß, the euro sign (0x80) and curly quotes (0x93, 0x94) */
    CHECK(strstr(t, "\n2: 0A1B2C3D4E60|M\xc3\xbcller & S\xc3\xb6hne GmbH|"
                    "Dr. J\xc3\xbcrgen Wei\xc3\x9f|J\xc3\xbcrgen|Wei\xc3\x9f|") != NULL);
    CHECK(strstr(t, "|Budget 5.000 \xe2\x82\xac|\xe2\x80\x9cPremium\xe2\x80\x9d|20180131|"
                    "20240120|1\n") != NULL);
    CHECK(strstr(t, "\n3: ") == NULL);                    /* deleted */
    CHECK(strstr(t, "\n4: 0A1B2C3D4E62||Bob Smith, Jr.|") != NULL);
    CHECK(strstr(t, "|20210505|00000000|2\nE") != NULL);  /* D as stored */
    free(t);
}

/* ---- text fields: NUL bytes, long widths, bytes outside the code page ----------------- */

TEST(nul_padding_is_read_a_nul_inside_a_value_rejects)
{
    struct buf want = BUF_INIT(0);
    buf_addstr(&want, "1: A1|");
    for (int i = 0; i < 280; i++)                     /* a 300-byte C field (Clipper) */
        buf_addch(&want, 'x');
    buf_addstr(&want, "\nR2: record 2, field CODE: a NUL byte inside the value (byte 3 of "
                      "8): damage?\n"
                      "R3: record 3, field TEXT: byte 0x81 is not valid in cp1252\n"
                      "4: D4|\n"                       /* all NULs: empty */
                      "E");
    check_transcript(FX "clipper.dbf", NULL, 0, want.data);
    buf_free(&want);

    /* the reject carries the record's bytes as read */
    struct dbf *d = NULL;
    char err[CM_ERRBUF];
    CHECK_INT(dbf_open(FX "clipper.dbf", NULL, &d, err), CM_OK);
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(dbf_next(d, &rec, &rej, err), CONN_RECORD);
    CHECK_INT(rec.raw_len, 309);
    CHECK(memcmp(rec.raw, " A1\0\0", 5) == 0);
    CHECK_INT(dbf_next(d, &rec, &rej, err), CONN_REJECT);
    CHECK_INT(rej.raw_len, 309);
    CHECK(memcmp(rej.raw, " B2\0\0CD", 7) == 0);
    dbf_close(d);
}

/* ---- damaged tables ----------------------------------------------------------------- */

TEST(truncated_file_keeps_the_records_before_and_rejects_the_rest)
{
    char *t = read_checked(FX "truncated.dbf", "NAME,QTY",
        "truncated.dbf: dBase III, cp1252 (language driver 0x03), 2 fields, 5 records by "
        "the header but 3 in the file and one cut short",
        "truncated.dbf: dBase III, cp1252 (language driver 0x03), 2 fields, 5 records by "
        "the header but 3 in the file and one cut short");
    CHECK_STR(t, "1: row 1|1\n2: row 2|2\n3: row 3|3\n"
                 "R4: record 4 of 5 is cut short: the file ends after 10 of its 14 bytes\n"
                 "R5: record 5 of 5 is missing: the file ends inside record 4\n"
                 "E");
    free(t);

    /* cut at a record boundary, several missing: one reject spans them */
    char path[] = "/tmp/cm-dbf-cut-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unsigned char buf[65 + 3 * 6];
    tiny_header(buf, 0x03, 8, "NAME", 'C', 5);
    memcpy(buf + 65, " one   two   three", 18);
    write_bytes(path, buf, sizeof buf);
    check_transcript(path, NULL, 0, "1: one\n2: two\n3: three\n"
                     "R4-8: records 4 to 8 of 8 are missing: the file ends after record 3\n"
                     "E");
    /* the end-of-file mark in place of record 2's flag ends the table there */
    buf[65 + 6] = 0x1A;
    write_bytes(path, buf, sizeof buf);
    check_transcript(path, NULL, 0, "1: one\n"
                     "R2-8: records 2 to 8 of 8 are missing: the file ends after record 1\n"
                     "E");
    unlink(path);
}

TEST(stale_record_count_reads_every_record_there)
{
    char *t = read_checked(FX "stale_count.dbf", "NAME,QTY",
        "stale_count.dbf: dBase III, cp1252 (language driver 0x03), 2 fields, 2 records "
        "by the header but 3 in the file",
        "stale_count.dbf: dBase III, cp1252 (language driver 0x03), 2 fields, 2 records "
        "by the header but 3 in the file");
    CHECK_STR(t, "1: row 1|1\n2: row 2|2\n3: row 3|3\nE");
    free(t);
}

TEST(memo_pointer_past_the_end_or_not_a_number_rejects_its_record)
{
    check_transcript(FX "bad_memo.dbf", NULL, 0,
        "1: ok|a fine memo\n"
        "R2: record 2, field NOTES: memo block 99 is past the end of bad_memo.dbt "
        "(1024 bytes)\n"
        "R3: record 3, field NOTES: memo pointer \"12x\" is not a block number\n"
        "E");
}

/* A VFP-less FoxPro table whose one memo says it is `len` bytes long; the memo file is
 * as long as that (sparse), so only the limit stops it. */
static void write_big_memo_table(const char *dbf, const char *fpt, uint32_t len)
{
    unsigned char h[65 + 11];
    tiny_header(h, 0xF5, 1, "NOTES", 'M', 10);
    memcpy(h + 65, "          8", 11);            /* flag, then block 8 */
    write_bytes(dbf, h, sizeof h);
    unsigned char m[512 + 8] = { 0 };
    m[7] = 64;                                    /* block size 64, big-endian */
    m[512 + 3] = 1;                               /* type 1: text */
    m[512 + 4] = (unsigned char)(len >> 24);
    m[512 + 5] = (unsigned char)(len >> 16);
    m[512 + 6] = (unsigned char)(len >> 8);
    m[512 + 7] = (unsigned char)len;
    write_bytes(fpt, m, sizeof m);
    CHECK(truncate(fpt, (off_t)(520 + (uint64_t)len)) == 0);
}

TEST(memo_over_max_memo_bytes_is_rejected_without_being_read)
{
    char dir[] = "/tmp/cm-dbf-memo-XXXXXX", dbf[128], fpt[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(dbf, sizeof dbf, "%s/big.dbf", dir);
    snprintf(fpt, sizeof fpt, "%s/BIG.FPT", dir);
    write_big_memo_table(dbf, fpt, 100u * 1024 * 1024);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    check_transcript(dbf, NULL, 0, "R1: record 1, field NOTES: memo of 104857600 bytes is "
                     "over max_memo_bytes (1048576)\nE");
    getrusage(RUSAGE_SELF, &after);
    CHECK(after.ru_maxrss - before.ru_maxrss < 20 * 1024);     /* KiB: far below 100 MB */

    /* within a raised limit it is read (zeros here: a NUL is reported, not truncated) */
    write_big_memo_table(dbf, fpt, 5000);
    check_transcript(dbf, NULL, 4999, "R1: record 1, field NOTES: memo of 5000 bytes is over "
                     "max_memo_bytes (4999)\nE");
    check_transcript(dbf, NULL, 5000, "R1: record 1, field NOTES: the memo holds a NUL byte "
                     "(byte 1 of 5000): binary data or damage\nE");
    /* a dBase III memo has no length: it is read a piece at a time up to the limit */
    check_transcript(FX "db3memo.dbf", NULL, 100,
        "1: J\xc3\xbcrgen Gro\xc3\x9f|K\xc3\xb6ln|123.45|20190307|T|Ruft montags an, "
        "Gr\xc3\xbc\xc3\x9f" "e an Frau Gro\xc3\x9f.\n"
        "R2: record 2, field NOTES: memo longer than max_memo_bytes (100)\n"
        "3: Leer||||?|\nE");
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

static void check_open_error(const char *path, const char *encoding, enum cm_status want,
                             const char *message)
{
    struct dbf_options o = { encoding, 0 };
    struct dbf *d = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(dbf_open(path, &o, &d, err), want);
    CHECK(d == NULL);
    CHECK_STR(err, message);
}

TEST(unreadable_tables_are_errors_naming_the_file)
{
    check_open_error(FX "no_memo.dbf", NULL, CM_ERR_INPUT,
        FX "no_memo.dbf: memo file not found: expected " FX "no_memo.dbt (any case) beside "
        "the table");
    check_open_error(FX "bad_reclen.dbf", NULL, CM_ERR_INPUT,
        FX "bad_reclen.dbf: record length 20 in the header, but the field descriptors add "
        "up to 14 (1 flag byte and 2 fields)");
    check_open_error(FX "bad_hdrlen.dbf", NULL, CM_ERR_INPUT,
        FX "bad_hdrlen.dbf: header length 65 is too short: its 2 field descriptors end at "
        "byte 97");
    check_open_error(FX "unknown_ld.dbf", NULL, CM_ERR_INPUT,
        FX "unknown_ld.dbf: unknown language driver 0xF0 (byte 29): set \"encoding\" to "
        "the table's code page");
    check_open_error(FX "unknown_ld.dbf", "no-such-page", CM_ERR_CONFIG,
        "unknown encoding \"no-such-page\"");
    check_open_error(FX "nope.dbf", NULL, CM_ERR_IO,
        FX "nope.dbf: No such file or directory");
    check_open_error(FX "README.md", NULL, CM_ERR_INPUT,
        FX "README.md: not a dBase table this reader knows (version byte 0x23)");
    check_open_error(FX, NULL, CM_ERR_IO, FX ": not a regular file");

    char path[] = "/tmp/cm-dbf-bad-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char want[256];
    unsigned char h[65 + 6];
    tiny_header(h, 0x04, 1, "NAME", 'C', 5);
    memcpy(h + 65, " abcde", 6);
    write_bytes(path, h, sizeof h);
    snprintf(want, sizeof want, "%s: a dBase 7 table (version byte 0x04): not supported; "
             "save it as dBase IV or III", path);
    check_open_error(path, NULL, CM_ERR_INPUT, want);
    tiny_header(h, 0x30, 1, "NAME", 'C', 5);          /* VFP: 263 bytes more header */
    h[8] = 65 + 263 - 256;
    h[9] = 1;
    write_bytes(path, h, 65);
    snprintf(want, sizeof want, "%s: header length 328 is past the end of the file (65 "
             "bytes)", path);
    check_open_error(path, NULL, CM_ERR_INPUT, want);
    tiny_header(h, 0x03, 1, "NAME", 'V', 5);
    write_bytes(path, h, sizeof h);
    snprintf(want, sizeof want, "%s: field NAME: type 'V' (varchar) is not supported", path);
    check_open_error(path, NULL, CM_ERR_INPUT, want);
    tiny_header(h, 0x03, 1, "BORN", 'D', 5);
    write_bytes(path, h, sizeof h);
    snprintf(want, sizeof want, "%s: field BORN: type D must be 8 bytes wide, not 5", path);
    check_open_error(path, NULL, CM_ERR_INPUT, want);
    write_bytes(path, h, 20);
    snprintf(want, sizeof want, "%s: not a dBase table: 20 bytes, shorter than the 32-byte "
             "header", path);
    check_open_error(path, NULL, CM_ERR_INPUT, want);
    unlink(path);
}

TEST(encoding_option_wins_over_the_language_driver)
{
    check_transcript(FX "unknown_ld.dbf", "cp850", 0, "1: Gr\xc3\xbc\xc3\x9f" "e|1\nE");
    /* cp437 read as windows-1252 by mistake: 0x81 (cp437 u-umlaut) is not in it */
    check_transcript(FX "db3memo.dbf", "windows-1252", 0,
        "R1: record 1, field NAME: byte 0x81 is not valid in windows-1252\n"
        "R2: record 2, field CITY: byte 0x81 is not valid in windows-1252\n"
        "3: Leer||||?|\nE");
}

/* ---- the connector, the layout, detection --------------------------------------------- */

static enum cm_status conn_open(struct reader *c, const char *path, const char *opts)
{
    return reader_open(c, &dbf_connector, "act", path, opts);
}

static void conn_close(struct reader *c)
{
    reader_close(c);
}

TEST(connector_options_and_errors_name_the_source)
{
    struct reader c;
    CHECK_INT(conn_open(&c, FX "unknown_ld.dbf", "{\"encoding\": \"bogus\"}"), CM_ERR_CONFIG);
    CHECK_STR(c.err, "sources[0].encoding: unknown encoding \"bogus\"");
    conn_close(&c);
    CHECK_INT(conn_open(&c, FX "unknown_ld.dbf", NULL), CM_ERR_INPUT);
    CHECK_STR(c.err, "sources[0]: " FX "unknown_ld.dbf: unknown language driver 0xF0 (byte "
                     "29): set \"encoding\" to the table's code page");
    conn_close(&c);
    CHECK_INT(conn_open(&c, FX "act6.dbf", "{\"max_memo_bytes\": 0}"), CM_ERR_CONFIG);
    CHECK_STR(c.err, "sources[0].max_memo_bytes: must be between 1 and 1073741824, not 0");
    conn_close(&c);
    CHECK_INT(conn_open(&c, NULL, NULL), CM_ERR_CONFIG);
    CHECK_STR(c.err, "sources[0].path: missing");
    conn_close(&c);

    CHECK_INT(conn_open(&c, FX "unknown_ld.dbf", "{\"encoding\": \"cp850\"}"), CM_OK);
    struct buf d = BUF_INIT(0);
    CHECK_INT(dbf_connector.xDescribe(c.st, &d), CM_OK);
    CHECK_STR(d.data, "unknown_ld.dbf: dBase III, cp850 (encoding option; language driver "
                      "0xF0), 2 fields, 1 records");
    buf_free(&d);
    const char *const *names;
    size_t n;
    CHECK_INT(dbf_connector.xFields(c.st, &names, &n), CM_OK);
    CHECK_INT(n, 2);
    CHECK_STR(names[0], "NAME");
    CHECK_STR(names[1], "QTY");
    conn_close(&c);
    CHECK(connector_find("dbf") == &dbf_connector);
}

TEST(act_dbf_layout_maps_a_contact)
{
    struct reader c;
    CHECK_INT(conn_open(&c, FX "act6.dbf", NULL), CM_OK);
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(mapping_load("schemas/act_dbf.json", &m, err), CM_OK);
    CHECK_STR(mapping_connector(m), "dbf");
    struct arena a = ARENA_INIT;
    struct buf json = BUF_INIT(0);
    int records = 0;
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        enum conn_next nx = dbf_connector.xNext(c.st, &rec, &rej, c.err);
        if (nx != CONN_RECORD)
            break;
        struct contact ct;
        arena_reset(&a);
        CHECK_INT(mapping_apply(m, "act", &rec, &a, &ct, err), CM_OK);
        if (++records == 2)
            CHECK_INT(contact_to_json(&ct, &json), CM_OK);
        if (records == 3) {                               /* NAME only: split */
            CHECK_STR(ct.given_name, "Bob");
            CHECK_STR(ct.family_name, "Smith");
            CHECK_STR(ct.suffix, "Jr.");
        }
    }
    CHECK_INT(records, 4);
    CHECK_STR(json.data,
        "{\"source\":\"act\",\"source_key\":\"0A1B2C3D4E60\",\"source_key_derived\":false,"
        "\"source_updated\":\"2024-01-20\",\"prefix\":null,\"given_name\":\"J\xc3\xbcrgen\","
        "\"middle_name\":null,\"family_name\":\"Wei\xc3\x9f\",\"suffix\":null,"
        "\"full_name\":\"Dr. J\xc3\xbcrgen Wei\xc3\x9f\","
        "\"company\":\"M\xc3\xbcller & S\xc3\xb6hne GmbH\",\"department\":null,"
        "\"title\":\"Gesch\xc3\xa4" "ftsf\xc3\xbchrer\",\"emails\":[],"
        "\"phones\":[{\"type\":\"work\",\"number\":\"+49 30 1234567\"}],"
        "\"addresses\":[{\"type\":\"work\",\"lines\":[\"Hauptstra\xc3\x9f" "e 5\"],"
        "\"city\":\"Berlin\",\"region\":null,\"postal_code\":\"10115\","
        "\"country\":\"Deutschland\"}],\"created\":\"2018-01-31\",\"birth_date\":null,"
        "\"status\":\"Interessent\","
        "\"extra\":{\"SALUTATION\":\"Herr Dr. Wei\xc3\x9f\",\"USER1\":\"Budget 5.000 "
        "\xe2\x82\xac\",\"USER2\":\"\xe2\x80\x9cPremium\xe2\x80\x9d\",\"CONT_TYPE\":\"1\"}}");
    buf_free(&json);
    arena_free(&a);
    mapping_free(m);
    conn_close(&c);
}

/* The header score of a layout on a table's field names. */
static double score(const char *layout, const char *path)
{
    struct mapping *m = NULL;
    char err[CM_ERRBUF];
    struct dbf *d = NULL;
    CHECK_INT(mapping_load(layout, &m, err), CM_OK);
    CHECK_INT(dbf_open(path, NULL, &d, err), CM_OK);
    double s = m && d ? mapping_header_score(m, dbf_field_names(d), dbf_field_count(d)) : -1;
    dbf_close(d);
    mapping_free(m);
    return s;
}

TEST(detection_tells_act_from_goldmine_tables)
{
    CHECK(score("schemas/act_dbf.json", FX "act6.dbf") > 0.99);
    CHECK(score("schemas/goldmine.json", FX "act6.dbf") == 0.0);     /* no ACCOUNTNO */
    CHECK(score("schemas/act.json", FX "act6.dbf") == 0.0);          /* no "Contact" */
    CHECK(score("schemas/goldmine.json", GM "CONTACT1.DBF") > 0.99);
    CHECK(score("schemas/act_dbf.json", GM "CONTACT1.DBF") == 0.0);  /* no NAME */
}

int main(void)
{
    RUN(dbase3_with_memo_cp437);
    RUN(dbase4_memo_block_size_from_its_header_and_a_deleted_record);
    RUN(foxpro_fpt_memo_cp1252);
    RUN(visual_foxpro_binary_types_nulls_and_hidden_fields);
    RUN(act_contact_table_windows_1252_by_default);
    RUN(nul_padding_is_read_a_nul_inside_a_value_rejects);
    RUN(truncated_file_keeps_the_records_before_and_rejects_the_rest);
    RUN(stale_record_count_reads_every_record_there);
    RUN(memo_pointer_past_the_end_or_not_a_number_rejects_its_record);
    RUN(memo_over_max_memo_bytes_is_rejected_without_being_read);
    RUN(unreadable_tables_are_errors_naming_the_file);
    RUN(encoding_option_wins_over_the_language_driver);
    RUN(connector_options_and_errors_name_the_source);
    RUN(act_dbf_layout_maps_a_contact);
    RUN(detection_tells_act_from_goldmine_tables);
    return test_report();
}
