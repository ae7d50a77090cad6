/* test_text.c — text folding for matching (transforms/normalise/text.c), table-driven. */
#include "tests/unit/testlib.h"
#include "transforms/normalise/text.h"

#include <stdlib.h>

struct fold_case {
    const char *in;
    unsigned    options;
    const char *want;
    unsigned    flags;
};

static void check_cases(const struct fold_case *cases, size_t n)
{
    struct buf out = BUF_INIT(0);
    for (size_t i = 0; i < n; i++) {
        const struct fold_case *k = &cases[i];
        buf_reset(&out);
        int before = tl_case_failed;
        tl_case_failed = 0;
        unsigned flags = text_fold(k->in, strlen(k->in), k->options, &out);
        CHECK_STR(out.data, k->want);
        CHECK_INT(flags, k->flags);
        CHECK_INT(out.len, strlen(k->want));
        if (tl_case_failed)
            fprintf(stderr, "  ... while folding \"%s\" (options %u)\n", k->in, k->options);
        tl_case_failed |= before;
    }
    buf_free(&out);
}

#define G TEXT_GERMAN
#define P TEXT_KEEP_PUNCT

TEST(ascii)
{
    static const struct fold_case cases[] = {
        { "Ann Cole",          0, "ann cole", 0 },
        { "  Ann   Cole ",     0, "ann cole", 0 },
        { "\tANN\r\nCOLE\t",   0, "ann cole", 0 },
        { "O'Brien",           0, "o brien", 0 },
        { "Smith-Jones",       0, "smith jones", 0 },
        { "Smith - Jones",     0, "smith jones", 0 },
        { "Dr. Ann B. Cole",   0, "dr ann b cole", 0 },
        { "Hauptstr. 12a",     0, "hauptstr 12a", 0 },
        { "Juergen Mueller",   G, "juergen mueller", 0 },
        { "STRASSE",           G, "strasse", 0 },
        { "ann.cole@x",        P, "ann.cole@x", 0 },
        { "  Ann.Cole@X.com  ", P, "ann.cole@x.com", 0 },
        { "Smith-Jones, Ann",  P, "smith-jones, ann", 0 },
        { "a \t\n b",          P, "a b", 0 },
        { "",                  0, "", TEXT_EMPTY },
        { "   ",               0, "", TEXT_EMPTY },
        { "---",               0, "", TEXT_EMPTY },
        { "---",               P, "", TEXT_EMPTY },
        { "'.,;",              0, "", TEXT_EMPTY },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(german)
{
    static const struct fold_case cases[] = {
        /* Jürgen Müller meets JÜRGEN MÜLLER and Juergen Mueller under TEXT_GERMAN */
        { "Jürgen Müller",        G, "juergen mueller", 0 },
        { "JÜRGEN MÜLLER",        G, "juergen mueller", 0 },
        { "Juergen Mueller",      G, "juergen mueller", 0 },
        { "Ju\xCC\x88rgen Mu\xCC\x88ller", G, "juergen mueller", 0 },  /* u + U+0308 */
        { "JU\xCC\x88RGEN",       G, "juergen", 0 },
        { "Köln",                 G, "koeln", 0 },
        { "ÄRZTE ÖL ÜBER",        G, "aerzte oel ueber", 0 },
        { "Straße",               G, "strasse", 0 },
        { "STRAẞE",               G, "strasse", 0 },
        { "Jörg Müller-Lüdenscheidt", G, "joerg mueller luedenscheidt", 0 },
        { "Café Zürich",          G, "cafe zuerich", 0 },      /* é still loses its mark */
        { "Citroën",              G, "citroen", 0 },           /* ë is no German umlaut */
        /* the plain way */
        { "Müller",               0, "muller", 0 },
        { "MÜLLER",               0, "muller", 0 },
        { "Jürgen Müller",        0, "jurgen muller", 0 },
        { "Mu\xCC\x88ller",       0, "muller", 0 },
        { "Straße",               0, "strasse", 0 },
        { "STRAẞE",               0, "strasse", 0 },
        { "Straße",               P, "strasse", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(compatibility_and_marks)
{
    static const struct fold_case cases[] = {
        { "Ｍüller",              0, "muller", 0 },            /* fullwidth M */
        { "Ｍüller",              G, "mueller", 0 },
        { "ﬁsh",                  0, "fish", 0 },
        { "José",                 0, "jose", 0 },
        { "Jose\xCC\x81",         0, "jose", 0 },             /* e + U+0301 */
        { "François Lefèvre",     0, "francois lefevre", 0 },
        { "Hélène Àlvarez-Núñez", 0, "helene alvarez nunez", 0 },
        { "Łódź",                 0, "lodz", 0 },
        { "Ærø",                  0, "aero", 0 },
        { "Ørsted",               0, "orsted", 0 },
        { "Œuvre",                0, "oeuvre", 0 },
        { "Þór Ðiðriksson",       0, "thor didriksson", 0 },
        { "Đorđević",             0, "dordevic", 0 },
        { "Kırıkkale",            0, "kirikkale", 0 },
        { "İstanbul",             0, "istanbul", 0 },
        { "Dvořák",               0, "dvorak", 0 },
        { "Mül\xC2\xADler",       0, "muller", 0 },           /* soft hyphen is ignorable */
        { "Ann\xC2\xA0" "Cole",   0, "ann cole", 0 },         /* no-break space */
        { "Ann\xE2\x80\x83" "Cole", 0, "ann cole", 0 },       /* em space */
        { "O’Brien",              0, "o brien", 0 },
        { "Oʼbrien",              0, "o brien", 0 },          /* U+02BC */
        { "Smith–Jones",          0, "smith jones", 0 },      /* en dash */
        { "O’Brien",              P, "o’brien", 0 },
        { "«Ann»",                0, "ann", 0 },
        { "Nr. ①",                0, "nr 1", 0 },
        { "x²",                   0, "x2", 0 },
        { "€ — …",                0, "", TEXT_EMPTY },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(other_scripts)
{
    static const struct fold_case cases[] = {
        { "ΣΊΣΥΦΟΣ",              0, "σισυφοσ", 0 },
        { "σίσυφος",              0, "σισυφοσ", 0 },
        { "Москва",               0, "москва", 0 },
        { "МОСКВА",               0, "москва", 0 },
        { "Пётр",                 0, "петр", 0 },
        { "東京都",               0, "東京都", 0 },
        { "山田 太郎",            0, "山田 太郎", 0 },
        { "山田　太郎",           0, "山田 太郎", 0 },        /* ideographic space */
        { "ガギグ",               0, "ガギグ", 0 },           /* dakuten kept */
        { "ｶﾞｷﾞ",                 0, "ガギ", 0 },             /* halfwidth -> NFKC */
        { "서울",                 0, "서울", 0 },             /* Hangul recomposed */
        { "हिन्दी",                0, "हिन्दी", 0 },             /* Devanagari signs kept */
        { "محمد",                 0, "محمد", 0 },
        { "Ann 東京",             0, "ann 東京", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(mojibake)
{
    static const struct fold_case cases[] = {
        { "MÃ¼ller",              0, "muller", TEXT_REPAIRED },
        { "MÃ¼ller",              G, "mueller", TEXT_REPAIRED },
        { "JosÃ©",                0, "jose", TEXT_REPAIRED },
        { "Renâ€™s",              0, "ren s", TEXT_REPAIRED },
        { "Renâ€™s",              P, "ren’s", TEXT_REPAIRED },
        { "Ã©tude",               0, "etude", TEXT_REPAIRED },  /* C3 A9 is é */
        { "StraÃŸe",              0, "strasse", TEXT_REPAIRED },
        { "MÃƒÂ¼ller",            G, "mueller", TEXT_REPAIRED },   /* twice encoded */
        /* not mojibake: left as they are */
        { "Müller",               0, "muller", 0 },
        { "Ãtude",                0, "atude", 0 },      /* C3 74: not UTF-8 */
        { "ÄÖÜ äöü",              G, "aeoeue aeoeue", 0 },
        { "Œuvre",                0, "oeuvre", 0 },     /* 8C alone: not UTF-8 */
        { "café ½",               0, "cafe 1 2", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);

    struct buf out = BUF_INIT(0);
    static const char *const bad[] = {
        "Müller", "Ãtude", "plain", "Ren’s", "", "Łódź",
    };
    CHECK(text_repair_mojibake("MÃ¼ller", strlen("MÃ¼ller"), &out) == 1);
    CHECK_STR(out.data, "Müller");
    buf_reset(&out);
    CHECK(text_repair_mojibake("Renâ€™s", strlen("Renâ€™s"), &out) == 1);
    CHECK_STR(out.data, "Ren’s");
    buf_reset(&out);
    CHECK(text_repair_mojibake("JosÃ©", strlen("JosÃ©"), &out) == 1);
    CHECK_STR(out.data, "José");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_reset(&out);
        CHECK_INT(text_repair_mojibake(bad[i], strlen(bad[i]), &out), 0);
        CHECK_INT(out.len, 0);
    }
    CHECK_INT(text_repair_mojibake("\xFF", 1, &out), 0);
    buf_free(&out);
}

TEST(invalid_utf8)
{
    static const struct fold_case cases[] = {
        { "M\xFFller",            0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },
        { "\xC0\x80",             0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },   /* overlong */
        { "\xE0\x80\xAF",         0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },   /* overlong */
        { "a\xED\xA0\x80z",       0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },   /* surrogate */
        { "M\xC3",                0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },   /* truncated */
        { "\xE2\x82",             0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },
        { "\xF4\x90\x80\x80",     0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },   /* > 10FFFF */
        { "\x80",                 0, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },
        { "M\xFCller",            G, "", TEXT_INVALID_UTF8 | TEXT_EMPTY },   /* Latin-1 */
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);

    CHECK(text_valid_utf8("Müller 東京 \xF0\x9F\x98\x80", strlen("Müller 東京 \xF0\x9F\x98\x80")));
    CHECK(text_valid_utf8("", 0));
    CHECK(!text_valid_utf8("\xED\xA0\x80", 3));
    CHECK(!text_valid_utf8("\xC1\xBF", 2));
    CHECK(!text_valid_utf8("\xF8\x88\x80\x80\x80", 5));
    CHECK(text_valid_utf8("\xF4\x8F\xBF\xBF", 4));
}

/* an embedded NUL is a control character: a space */
TEST(embedded_nul)
{
    struct buf out = BUF_INIT(0);
    CHECK_INT(text_fold("Ann\0Cole", 8, 0, &out), 0);
    CHECK_STR(out.data, "ann cole");
    buf_reset(&out);
    CHECK_INT(text_fold("Jürgen\0Cole", 12, 0, &out), 0);
    CHECK_STR(out.data, "jurgen cole");
    buf_free(&out);
}

TEST(too_long)
{
    struct buf out = BUF_INIT(0);
    char *s = malloc(5001);
    CHECK(s != NULL);
    if (!s)
        return;

    memset(s, 'a', 5000);
    s[5000] = '\0';
    CHECK_INT(text_fold(s, 5000, 0, &out), TEXT_TOO_LONG);
    CHECK_INT(out.len, TEXT_MAX_BYTES);

    /* "ü" (2 bytes) from byte 1: the cut falls into the middle of one, which is dropped */
    s[0] = 'x';
    for (size_t i = 1; i + 1 < 5000; i += 2)
        memcpy(s + i, "\xC3\xBC", 2);
    s[4999] = 'y';
    buf_reset(&out);
    CHECK_INT(text_fold(s, 5000, G, &out), TEXT_TOO_LONG);
    CHECK_INT(out.len, 1 + 2 * 511);         /* x + 511 "ue" from 1023 bytes */
    CHECK(out.data[0] == 'x' && out.data[out.len - 1] == 'e');
    buf_reset(&out);
    CHECK_INT(text_fold(s, 5000, 0, &out), TEXT_TOO_LONG);
    CHECK_INT(out.len, 512);
    CHECK(text_valid_utf8(out.data, out.len));

    /* 3-byte characters: 1024 = 3 * 341 + 1, so the cut lands 1 byte into one */
    for (size_t i = 0; i + 3 <= 5000; i += 3)
        memcpy(s + i, "\xE6\x9D\xB1", 3);    /* 東 */
    buf_reset(&out);
    CHECK_INT(text_fold(s, 4998, 0, &out), TEXT_TOO_LONG);
    CHECK_INT(out.len, 3 * 341);
    CHECK(text_valid_utf8(out.data, out.len));

    /* exactly TEXT_MAX_BYTES is not too long */
    memset(s, 'b', TEXT_MAX_BYTES);
    buf_reset(&out);
    CHECK_INT(text_fold(s, TEXT_MAX_BYTES, 0, &out), 0);
    CHECK_INT(out.len, TEXT_MAX_BYTES);

    /* a long decomposition (more code points than the stack arrays hold) */
    for (size_t i = 0; i + 3 <= 1020; i += 3)
        memcpy(s + i, "\xEF\xB7\xBA", 3);    /* U+FDFA: 18 code points under NFKD */
    buf_reset(&out);
    CHECK_INT(text_fold(s, 1020, 0, &out), 0);
    CHECK(out.len > 1020 * 5);
    CHECK(text_valid_utf8(out.data, out.len));
    free(s);
    buf_free(&out);
}

TEST(appends_and_fails_cleanly)
{
    struct buf out = BUF_INIT(0);
    CHECK_INT(buf_addstr(&out, "k:"), CM_OK);
    CHECK_INT(text_fold("Müller", strlen("Müller"), G, &out), 0);
    CHECK_STR(out.data, "k:mueller");
    CHECK_INT(text_fold("---", 3, 0, &out), TEXT_EMPTY);
    CHECK_STR(out.data, "k:mueller");
    CHECK_INT(text_fold("\xFF", 1, 0, &out), TEXT_INVALID_UTF8 | TEXT_EMPTY);
    CHECK_STR(out.data, "k:mueller");
    buf_free(&out);

    /* a capped buffer too small for the result is left as it was */
    struct buf small = BUF_INIT(8);
    CHECK_INT(buf_addstr(&small, "ab"), CM_OK);
    CHECK_INT(text_fold("Annabelle Cole", 14, 0, &small), TEXT_EMPTY);
    CHECK_STR(small.data, "ab");
    CHECK_INT(text_fold("Jürgen Müller", strlen("Jürgen Müller"), G, &small), TEXT_EMPTY);
    CHECK_STR(small.data, "ab");
    CHECK_INT(text_fold("Ann", 3, 0, &small), 0);
    CHECK_STR(small.data, "abann");
    buf_free(&small);

    /* the empty result is still a NUL-terminated string */
    struct buf fresh = BUF_INIT(0);
    CHECK_INT(text_fold("", 0, 0, &fresh), TEXT_EMPTY);
    CHECK_STR(fresh.data, "");
    buf_free(&fresh);
}

int main(void)
{
    RUN(ascii);
    RUN(german);
    RUN(compatibility_and_marks);
    RUN(other_scripts);
    RUN(mojibake);
    RUN(invalid_utf8);
    RUN(embedded_nul);
    RUN(too_long);
    RUN(appends_and_fails_cleanly);
    return test_report();
}
