/* test_phone.c — phone numbers to E.164 (transforms/normalise/phone.c over libphonenumber),
 * table-driven; also the cache (hits, bounded refill) and a rough parse rate. */
#include <stdlib.h>
#include <time.h>

#include "tests/unit/testlib.h"
#include "transforms/normalise/phone.h"

struct phone_case {
    const char *raw, *country;
    const char *e164, *ext;
    enum phone_line line;
    unsigned flags;
};

static void check_cases(const struct phone_case *cases, size_t n, struct phone_cache *cache)
{
    for (size_t i = 0; i < n; i++) {
        const struct phone_case *k = &cases[i];
        struct phone_norm p;
        unsigned f = phone_normalise(cache, k->raw, k->country, &p);
        int before = tl_case_failed;
        tl_case_failed = 0;
        CHECK_INT(f, k->flags);
        CHECK_INT(p.flags, k->flags);
        CHECK_STR(p.e164, k->e164);
        CHECK_STR(p.extension, k->ext);
        CHECK_STR(phone_line_name(p.line), phone_line_name(k->line));
        if (k->e164[0]) {
            char back[24];
            snprintf(back, sizeof back, "+%llu", (unsigned long long)p.e164_num);
            CHECK_STR(back, k->e164);
        } else {
            CHECK_INT(p.e164_num, 0);
        }
        if (tl_case_failed)
            fprintf(stderr, "  ... while normalising \"%s\" (%s)\n", k->raw,
                    k->country ? k->country : "no country");
        tl_case_failed |= before;
    }
}

#define CHECK_CASES(cases) check_cases(cases, sizeof cases / sizeof cases[0], NULL)

#define FIX PHONE_LINE_FIXED
#define MOB PHONE_LINE_MOBILE
#define FOM PHONE_LINE_FIXED_OR_MOBILE
#define UNK PHONE_LINE_UNKNOWN

TEST(international_forms)
{
    static const struct phone_case cases[] = {
        { "+49 30 1234567",       "DE", "+49301234567", "", FIX, 0 },
        { "+49 (0)30 1234567",    "DE", "+49301234567", "", FIX, 0 },
        { "+49 (0)30 1234567",    NULL, "+49301234567", "", FIX, 0 },
        { "+49 (0) 30-123 45 67", "US", "+49301234567", "", FIX, 0 },
        { "0049 30 1234567",      "DE", "+49301234567", "", FIX, 0 },
        { "00 49 30 1234567",     "DE", "+49301234567", "", FIX, 0 },
        { "0049 30 1234567",      NULL, "+49301234567", "", FIX, 0 },
        { "0049 30 1234567",      "US", "+49301234567", "", FIX, 0 },   /* US IDD is 011 */
        { "0011 49 30 1234567",   "AU", "+49301234567", "", FIX, 0 },   /* AU's IDD */
        { "+44 20 7946 0958",     NULL, "+442079460958", "", FIX, 0 },
        { "+49 170 1234567",      NULL, "+491701234567", "", MOB, 0 },
        { "+41 44 668 18 00",     NULL, "+41446681800", "", FIX, 0 },  /* Zürich */
        { "+41 79 123 45 67",     NULL, "+41791234567", "", MOB, 0 },
        { "+43 1 5127 500",       NULL, "+4315127500", "", FIX, 0 },   /* Vienna */
        { "+43 664 1234567",      NULL, "+436641234567", "", MOB, 0 },
        { "+1 650-253-0000",      NULL, "+16502530000", "", FOM, 0 },
        { "\t +49 30 1234567 \r\n", NULL, "+49301234567", "", FIX, 0 },
    };
    CHECK_CASES(cases);
}

TEST(national_forms_with_default_country)
{
    static const struct phone_case cases[] = {
        { "030/1234567",     "DE", "+49301234567", "", FIX, 0 },
        { "030/1234567",     "de", "+49301234567", "", FIX, 0 },
        { "(030) 123 45 67", "DE", "+49301234567", "", FIX, 0 },
        { "0170 1234567",    "DE", "+491701234567", "", MOB, 0 },
        { "(650) 253-0000",  "US", "+16502530000", "", FOM, 0 },
        { "020 7946 0958",   "GB", "+442079460958", "", FIX, 0 },
        { "07911 123456",    "GB", "+447911123456", "", MOB, 0 },
        { "07911 123456",    "UK", "+447911123456", "", MOB, 0 },   /* UK read as GB */
        { "044 668 18 00",   "CH", "+41446681800", "", FIX, 0 },
        { "01 5127 500",     "AT", "+4315127500", "", FIX, 0 },
        { "0664 1234567",    "AT", "+436641234567", "", MOB, 0 },
        /* an international number wins over the default country */
        { "+44 20 7946 0958", "DE", "+442079460958", "", FIX, 0 },
    };
    CHECK_CASES(cases);
}

TEST(possible_but_not_valid)
{
    static const struct phone_case cases[] = {
        /* 555-01xx is fictional; 07700 900xxx is Ofcom's drama range: right length,
         * never assigned */
        { "(555) 010-2233", "US", "+15550102233", "", UNK, PHONE_POSSIBLE_ONLY },
        { "07700 900123",   "GB", "+447700900123", "", UNK, PHONE_POSSIBLE_ONLY },
        { "+49 30 12",      NULL, "+493012", "", UNK, PHONE_POSSIBLE_ONLY },
    };
    CHECK_CASES(cases);
}

TEST(extensions)
{
    static const struct phone_case cases[] = {
        { "+1 (555) 010-2233 x123",        NULL, "+15550102233", "123", UNK, PHONE_POSSIBLE_ONLY },
        { "+1 650 253 0000 ext. 123",      NULL, "+16502530000", "123", FOM, 0 },
        { "+1 650 253 0000 ext 123",       NULL, "+16502530000", "123", FOM, 0 },
        { "+1 650 253 0000 extension 77",  NULL, "+16502530000", "77", FOM, 0 },
        { "+1 650 253 0000 #12",           NULL, "+16502530000", "12", FOM, 0 },
        /* RFC 3966: read, but "tel" and "ext=" count as letters */
        { "tel:+1-650-253-0000;ext=12",    NULL, "+16502530000", "12", FOM, PHONE_HAS_LETTERS },
        { "+49 30 1234567 Durchwahl -45",  NULL, "+49301234567", "45", FIX, 0 },
        { "030 1234567 Durchw. 45",        "DE", "+49301234567", "45", FIX, 0 },
        { "030 1234567 DW 45",             "DE", "+49301234567", "45", FIX, 0 },
        { "030 1234567 Nebenstelle 45",    "DE", "+49301234567", "45", FIX, 0 },
        { "+1 650 253 0000 ext. 1234567890123", NULL, "+16502530000", "", FOM, PHONE_EXT_DROPPED },
    };
    CHECK_CASES(cases);
}

TEST(no_country)
{
    static const struct phone_case cases[] = {
        { "030/1234567",  NULL, "", "", UNK, PHONE_INVALID | PHONE_NO_COUNTRY },
        { "030/1234567",  "",   "", "", UNK, PHONE_INVALID | PHONE_NO_COUNTRY },
        { "030/1234567",  "Germany", "", "", UNK, PHONE_INVALID | PHONE_NO_COUNTRY },
        /* a code libphonenumber does not know is no country either */
        { "030/1234567",  "XY", "", "", UNK, PHONE_INVALID | PHONE_NO_COUNTRY },
    };
    CHECK_CASES(cases);
}

TEST(excel_damage)
{
    /* digits lost, "+"/"00" and leading zeros lost: flagged, nothing invented, even
     * when the mantissa holds all 12 digits */
    static const struct phone_case cases[] = {
        { "4.91701E+11",       "DE", "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
        { "4,91701E+11",       "DE", "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
        { "4.91701234567E+11", "DE", "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
        { " 4.91701E+11 ",     NULL, "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
        { "4.91701e11",        NULL, "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
        { "+4.91701E+11",      NULL, "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
    };
    CHECK_CASES(cases);
}

TEST(letters)
{
    static const struct phone_case cases[] = {
        { "call me",            "DE", "", "", UNK, PHONE_INVALID | PHONE_HAS_LETTERS },
        { "n/a",                "DE", "", "", UNK, PHONE_INVALID | PHONE_HAS_LETTERS },
        { "Tel. 030 1234567",   "DE", "+49301234567", "", FIX, PHONE_HAS_LETTERS },
        { "1-800-FLOWERS",      "US", "+18003569377", "", PHONE_LINE_TOLL_FREE, PHONE_HAS_LETTERS },
        /* letters beside a valid number are not read as a keypad */
        { "030 1234567 xyz",    "DE", "+49301234567", "", FIX, PHONE_HAS_LETTERS },
        { "030 1234567 abends", "DE", "+49301234567", "", FIX, PHONE_HAS_LETTERS },
        { "Mobil: 0170 1234567", "DE", "+491701234567", "", MOB, PHONE_HAS_LETTERS },
        { "0800 FLOWERS",       "DE", "+498003569377", "", PHONE_LINE_TOLL_FREE, PHONE_HAS_LETTERS },
    };
    CHECK_CASES(cases);
}

TEST(empty_and_garbage)
{
    char longish[201];
    memset(longish, '7', 200);
    longish[200] = '\0';
    char garbage[201];
    for (int i = 0; i < 200; i++)
        garbage[i] = "ab 1-(#"[i % 7];
    garbage[200] = '\0';
    char mid[101];
    memset(mid, '1', 100);
    mid[100] = '\0';
    const struct phone_case cases[] = {
        { "",                 "DE", "", "", UNK, PHONE_EMPTY },
        { "   \t ",           "DE", "", "", UNK, PHONE_EMPTY },
        { longish,            "DE", "", "", UNK, PHONE_INVALID | PHONE_TOO_LONG },
        { garbage,            "DE", "", "", UNK, PHONE_INVALID | PHONE_TOO_LONG },
        { mid,                "DE", "", "", UNK, PHONE_INVALID },
        { "030 1234\xff" "567", "DE", "", "", UNK, PHONE_INVALID },
        { "\xc3\x28",         "DE", "", "", UNK, PHONE_INVALID },
        { "\xed\xa0\x80",     "DE", "", "", UNK, PHONE_INVALID },   /* a surrogate */
        { "---",              "DE", "", "", UNK, PHONE_INVALID },
        { "0",                "DE", "", "", UNK, PHONE_INVALID },
        { "+",                NULL, "", "", UNK, PHONE_INVALID },
        { "+999 1234567",     NULL, "", "", UNK, PHONE_INVALID },
    };
    CHECK_CASES(cases);
    struct phone_norm p;
    CHECK_INT(phone_normalise(NULL, NULL, "DE", &p), PHONE_EMPTY);
}

TEST(cache_gives_the_same_results)
{
    static const struct phone_case cases[] = {
        { "030/1234567",      "DE", "+49301234567", "", FIX, 0 },
        { "030/1234567",      NULL, "", "", UNK, PHONE_INVALID | PHONE_NO_COUNTRY },
        { "030/1234567",      "AT", "+43301234567", "", UNK, PHONE_POSSIBLE_ONLY },
        { "4.91701E+11",      "DE", "", "", UNK, PHONE_INVALID | PHONE_EXCEL_MANGLED },
        { "+44 20 7946 0958", NULL, "+442079460958", "", FIX, 0 },
        { "+1 650 253 0000 ext. 123", NULL, "+16502530000", "123", FOM, 0 },
        { "",                 NULL, "", "", UNK, PHONE_EMPTY },
    };
    struct phone_cache *c = phone_cache_new(4);    /* smaller than the table: refills */
    CHECK(c != NULL);
    for (int round = 0; round < 3; round++)
        check_cases(cases, sizeof cases / sizeof cases[0], c);
    size_t hits, misses;
    phone_cache_stats(c, &hits, &misses);
    CHECK_INT(hits + misses, 21);
    struct phone_norm p;
    phone_normalise(c, "+49 170 1234567", NULL, &p);
    phone_normalise(c, "+49 170 1234567", NULL, &p);
    CHECK_STR(p.e164, "+491701234567");
    size_t hits2;
    phone_cache_stats(c, &hits2, NULL);
    CHECK_INT(hits2, hits + 1);
    phone_cache_free(c);

    c = phone_cache_new(0);
    for (int round = 0; round < 3; round++)
        check_cases(cases, sizeof cases / sizeof cases[0], c);
    phone_cache_stats(c, &hits, &misses);
    CHECK_INT(misses, 7);
    CHECK_INT(hits, 14);
    phone_cache_free(c);
    phone_cache_free(NULL);
}

TEST(line_names)
{
    CHECK_STR(phone_line_name(PHONE_LINE_MOBILE), "mobile");
    CHECK_STR(phone_line_name(PHONE_LINE_FIXED_OR_MOBILE), "fixed_or_mobile");
    CHECK_STR(phone_line_name(PHONE_LINE_TOLL_FREE), "toll_free");
    CHECK_STR(phone_line_name(PHONE_LINE_VOIP), "voip");
    CHECK_STR(phone_line_name((enum phone_line)99), "unknown");
}

int main(void)
{
    RUN(international_forms);
    RUN(national_forms_with_default_country);
    RUN(possible_but_not_valid);
    RUN(extensions);
    RUN(no_country);
    RUN(excel_damage);
    RUN(letters);
    RUN(empty_and_garbage);
    RUN(cache_gives_the_same_results);
    RUN(line_names);
    return test_report();
}
