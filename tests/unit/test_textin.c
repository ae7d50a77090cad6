/* test_textin.c — the byte input layer of the text connectors: UTF-8 checking,
 * UTF-16 transcoding across read boundaries, seeking back, per-record decoding. */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "connectors/formats/codepage.h"
#include "connectors/formats/textin.h"
#include "pipeline/buf.h"
#include "tests/unit/testlib.h"

#define CHUNK (256 * 1024)      /* textin's raw read size */

static void temp_path(char *path, size_t n, const char *tag)
{
    snprintf(path, n, "/tmp/test_textin_%ld_%s", (long)getpid(), tag);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

/* everything textin delivers, read in pieces of `step` bytes */
static void read_all(struct textin *ti, struct buf *out, size_t step)
{
    char tmp[65536];
    char err[CM_ERRBUF];
    for (;;) {
        size_t got;
        CHECK_INT(textin_read(ti, tmp, step, &got, err), CM_OK);
        if (got == 0)
            break;
        buf_add(out, tmp, got);
    }
}

TEST(utf8_valid_prefix_rejects_what_utf8_forbids)
{
    struct { const char *s; size_t want; } cases[] = {
        { "plain ascii text", 16 },
        { "K\xc3\xb6ln", 5 },                       /* ö */
        { "\xe2\x82\xac 5", 5 },                    /* € */
        { "\xf0\x9f\x98\x80", 4 },                  /* U+1F600 */
        { "Ren\xe9,Paris", 3 },                     /* a cp1252 byte */
        { "a\xc0\xaf" "b", 1 },                     /* overlong '/' */
        { "a\xe0\x80\xaf", 1 },                     /* overlong, 3 bytes */
        { "ab\xed\xa0\x80", 2 },                    /* a UTF-16 surrogate */
        { "\xf4\x90\x80\x80", 0 },                  /* above U+10FFFF */
        { "abc\x80", 3 },                           /* a lone continuation byte */
        { "abcdefghijklmnop\xff", 16 },             /* after the 8-byte fast path */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(utf8_valid_prefix(cases[i].s, strlen(cases[i].s), 0), cases[i].want);
    CHECK_INT(utf8_valid_prefix("ab\xe2\x82", 4, 0), 2);    /* cut short */
    CHECK_INT(utf8_valid_prefix("ab\xe2\x82", 4, 1), 4);    /* ... allowed */
    CHECK_INT(utf8_valid_prefix("ab\xe2\x41", 4, 1), 2);    /* not just cut short */
}

/* a surrogate pair (U+1F600) straddling the end of the first 256 KiB read */
TEST(utf16_sequence_split_across_reads)
{
    struct buf in = BUF_INIT(0);
    buf_add(&in, "\xff\xfe", 2);
    while (in.len < CHUNK - 2)
        buf_add(&in, "a\0", 2);
    buf_add(&in, "\x3d\xd8\x00\xde", 4);           /* D83D DE00 */
    buf_add(&in, "z\0", 2);
    char path[128];
    temp_path(path, sizeof path, "split16.csv");
    write_file(path, in.data, in.len);
    struct textin *ti;
    char err[CM_ERRBUF];
    CHECK_INT(textin_open(&ti, path, "auto", 0, err), CM_OK);
    CHECK_STR(textin_encoding(ti), "utf-16le");
    CHECK_STR(textin_how(ti), "bom");
    struct buf out = BUF_INIT(0);
    read_all(ti, &out, 1000);
    size_t na = (CHUNK - 4) / 2;
    CHECK_INT(out.len, na + 4 + 1);
    CHECK(out.len == na + 5 && memcmp(out.data + na, "\xf0\x9f\x98\x80z", 5) == 0);

    /* back to an offset near the end: transcoding starts again from the top */
    CHECK_INT(textin_seek(ti, na - 2, err), CM_OK);
    buf_reset(&out);
    read_all(ti, &out, 4096);
    CHECK_INT(out.len, 7);
    CHECK(memcmp(out.data, "aa\xf0\x9f\x98\x80z", 7) == 0);
    textin_close(ti);
    buf_free(&out);
    buf_free(&in);
    unlink(path);
}

TEST(utf16_lone_surrogate_and_odd_tail_become_invalid_bytes)
{
    char path[128];
    temp_path(path, sizeof path, "lone16.csv");
    write_file(path, "\xfe\xff\x00" "a\xd8\x00\x00" "b\x00", 9);   /* BE: a, D800, b, odd */
    struct textin *ti;
    char err[CM_ERRBUF];
    CHECK_INT(textin_open(&ti, path, "auto", 0, err), CM_OK);
    struct buf out = BUF_INIT(0);
    read_all(ti, &out, 64);
    CHECK_INT(out.len, 4);
    CHECK(memcmp(out.data, "a\xff" "b\xff", 4) == 0);
    const char *dec;
    size_t dlen, bad = 99;
    CHECK_INT(textin_decode(ti, out.data, out.len, &dec, &dlen, &bad), CM_ERR_INPUT);
    CHECK_INT(bad, 1);
    textin_close(ti);
    buf_free(&out);
    unlink(path);
}

TEST(seek_back_in_plain_and_gzip_input)
{
    const char *text = "line one\nline two\nline three\n";
    char path[128], gzpath[128];
    temp_path(path, sizeof path, "seek.csv");
    temp_path(gzpath, sizeof gzpath, "seek.gz");
    write_file(path, text, strlen(text));
    gzFile gz = gzopen(gzpath, "wb");
    gzwrite(gz, text, (unsigned)strlen(text));
    gzclose(gz);
    const char *paths[2] = { path, gzpath };
    for (int i = 0; i < 2; i++) {
        struct textin *ti;
        char err[CM_ERRBUF];
        CHECK_INT(textin_open(&ti, paths[i], "auto", 0, err), CM_OK);
        CHECK_INT(textin_is_gzip(ti), i);
        struct buf out = BUF_INIT(0);
        read_all(ti, &out, 5);
        CHECK_STR(out.data, text);
        CHECK_INT(textin_seek(ti, 9, err), CM_OK);
        buf_reset(&out);
        read_all(ti, &out, 5);
        CHECK_STR(out.data, "line two\nline three\n");
        textin_close(ti);
        buf_free(&out);
    }
    unlink(path);
    unlink(gzpath);
}

TEST(decode_auto_decides_once)
{
    char path[128];
    temp_path(path, sizeof path, "ascii.csv");
    write_file(path, "a,b\n", 4);
    struct textin *ti;
    char err[CM_ERRBUF];
    const char *out;
    size_t len, bad;

    /* all ASCII at open: undecided; a cp1252 record decides windows-1252 */
    CHECK_INT(textin_open(&ti, path, "auto", 0, err), CM_OK);
    CHECK_STR(textin_how(ti), "auto");
    CHECK_INT(textin_decode(ti, "x\x80y", 3, &out, &len, &bad), CM_OK);
    CHECK_INT(len, 5);
    CHECK(memcmp(out, "x\xe2\x82\xacy", 5) == 0);
    CHECK_STR(textin_encoding(ti), "windows-1252");
    CHECK_STR(textin_how(ti), "detected");
    textin_close(ti);

    /* valid UTF-8 first: utf-8 from then on, and cp1252 bytes are bad */
    CHECK_INT(textin_open(&ti, path, "auto", 0, err), CM_OK);
    CHECK_INT(textin_decode(ti, "K\xc3\xb6ln", 5, &out, &len, &bad), CM_OK);
    CHECK_STR(textin_encoding(ti), "utf-8");
    CHECK_INT(textin_decode(ti, "Ren\xe9\0x", 6, &out, &len, &bad), CM_ERR_INPUT);
    CHECK_INT(bad, 3);
    textin_close(ti);

    /* declared latin1: NULs between fields survive the conversion */
    CHECK_INT(textin_open(&ti, path, "iso-8859-1", 0, err), CM_OK);
    CHECK_INT(textin_decode(ti, "\xe9\0\x80", 3, &out, &len, &bad), CM_OK);
    CHECK_INT(len, 5);
    CHECK(memcmp(out, "\xc3\xa9\0\xc2\x80", 5) == 0);
    textin_close(ti);

    /* a multi-byte legacy page goes through iconv record by record */
    CHECK_INT(textin_open(&ti, path, "shift_jis", 0, err), CM_OK);
    CHECK_INT(textin_decode(ti, "\x93\xfa\x96\x7b,a", 6, &out, &len, &bad), CM_OK);
    CHECK_INT(len, 8);
    CHECK(memcmp(out, "\xe6\x97\xa5\xe6\x9c\xac,a", 8) == 0);
    CHECK_INT(textin_decode(ti, "ab\x93", 3, &out, &len, &bad), CM_ERR_INPUT);
    CHECK_INT(bad, 2);
    textin_close(ti);
    unlink(path);
}

TEST(open_errors)
{
    struct textin *ti;
    char err[CM_ERRBUF];
    CHECK_INT(textin_open(&ti, "tests/fixtures/csv/none.csv", "auto", 0, err), CM_ERR_IO);
    CHECK_STR(err, "tests/fixtures/csv/none.csv: No such file or directory");
    CHECK_INT(textin_open(&ti, "tests/fixtures/csv", "auto", 0, err), CM_ERR_IO);
    CHECK_STR(err, "tests/fixtures/csv: Is a directory");
    CHECK_INT(textin_open(&ti, "tests/fixtures/csv/empty.csv", "utf-32", 0, err),
              CM_ERR_CONFIG);
    CHECK_STR(err, "unknown encoding \"utf-32\"");
}

TEST(code_pages_decode_values_on_their_own)
{
    struct codepage *cp = NULL;
    struct buf out = BUF_INIT(0);
    char err[CM_ERRBUF] = "";
    size_t bad = 99;
    CHECK_INT(codepage_open_label("CP1252", &cp, err), CM_OK);      /* a label, any case */
    CHECK_STR(codepage_name(cp), "windows-1252");
    buf_reset(&out);
    CHECK_INT(codepage_decode(cp, "M\xfcller \x80 5", 10, &out, &bad), CM_OK);
    CHECK_STR(out.data, "M\xc3\xbcller \xe2\x82\xac 5");
    buf_reset(&out);
    CHECK_INT(codepage_decode(cp, "ab\x81", 3, &out, &bad), CM_ERR_INPUT);
    CHECK_INT(bad, 2);                                     /* 0x81: not in cp1252 */
    codepage_close(cp);

    CHECK_INT(codepage_open_label("ISO-8859-1", &cp, err), CM_OK);
    CHECK_STR(codepage_name(cp), "latin1");
    buf_reset(&out);
    CHECK_INT(codepage_decode(cp, "J\xfcrgen", 7, &out, &bad), CM_OK);
    CHECK_STR(out.data, "J\xc3\xbcrgen");
    codepage_close(cp);

    CHECK_INT(codepage_open_label("SHIFT_JIS", &cp, err), CM_OK);  /* multi-byte: iconv */
    buf_reset(&out);
    CHECK_INT(codepage_decode(cp, "\x93\xfa\x96\x7b", 4, &out, &bad), CM_OK);
    CHECK_STR(out.data, "\xe6\x97\xa5\xe6\x9c\xac");      /* 日本 */
    codepage_close(cp);

    cp = NULL;
    CHECK_INT(codepage_open_label("X-NO-SUCH", &cp, err), CM_ERR_CONFIG);
    CHECK_STR(err, "unknown encoding \"X-NO-SUCH\"");
    CHECK(cp == NULL);
    CHECK_INT(codepage_open_label("UTF-32LE", &cp, err), CM_ERR_CONFIG);
    codepage_close(NULL);
    buf_free(&out);
}

int main(void)
{
    RUN(utf8_valid_prefix_rejects_what_utf8_forbids);
    RUN(utf16_sequence_split_across_reads);
    RUN(utf16_lone_surrogate_and_odd_tail_become_invalid_bytes);
    RUN(seek_back_in_plain_and_gzip_input);
    RUN(decode_auto_decides_once);
    RUN(open_errors);
    RUN(code_pages_decode_values_on_their_own);
    return test_report();
}
