/* test_names.c — splitting display full names (transforms/names.c), table-driven. */
#include "tests/unit/testlib.h"
#include "transforms/names.h"

struct name_case {
    const char *full;
    const char *prefix, *given, *middle, *family, *suffix;
};

static void check_cases(const struct name_case *cases, size_t n)
{
    struct arena a = ARENA_INIT;
    for (size_t i = 0; i < n; i++) {
        struct name_parts p;
        const struct name_case *k = &cases[i];
        CHECK_INT(name_split(k->full, &a, &p), CM_OK);
        int before = tl_case_failed;
        tl_case_failed = 0;
        CHECK_STR(p.prefix, k->prefix);
        CHECK_STR(p.given, k->given);
        CHECK_STR(p.middle, k->middle);
        CHECK_STR(p.family, k->family);
        CHECK_STR(p.suffix, k->suffix);
        if (tl_case_failed)
            fprintf(stderr, "  ... while splitting \"%s\"\n", k->full);
        tl_case_failed |= before;
        arena_reset(&a);
    }
    arena_free(&a);
}

TEST(natural_order)
{
    static const struct name_case cases[] = {
        { "Ann Cole",            NULL, "Ann", NULL, "Cole", NULL },
        { "Ann",                 NULL, "Ann", NULL, NULL, NULL },
        { "Ann B. Cole",         NULL, "Ann", "B.", "Cole", NULL },
        { "Ann Marie Beth Cole", NULL, "Ann", "Marie Beth", "Cole", NULL },
        { "  Ann \t Cole  ",     NULL, "Ann", NULL, "Cole", NULL },
        { "Seán O'Brien",        NULL, "Seán", NULL, "O'Brien", NULL },
        { "Jörg Müller-Lüdenscheidt", NULL, "Jörg", NULL, "Müller-Lüdenscheidt", NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(honorifics_and_suffixes)
{
    static const struct name_case cases[] = {
        { "Dr. Ann B. Cole Jr.",     "Dr.", "Ann", "B.", "Cole", "Jr." },
        { "Dr Ann Cole",             "Dr", "Ann", NULL, "Cole", NULL },
        { "Prof. Dr. Hans Müller",   "Prof. Dr.", "Hans", NULL, "Müller", NULL },
        { "Frau Eva Schulz",         "Frau", "Eva", NULL, "Schulz", NULL },
        { "Herr Meier",              "Herr", NULL, NULL, "Meier", NULL },
        { "Dr. Cole",                "Dr.", NULL, NULL, "Cole", NULL },
        { "Dipl.-Ing. Frank Krause", "Dipl.-Ing.", "Frank", NULL, "Krause", NULL },
        { "Prof. Dr.-Ing. Eva Braun", "Prof. Dr.-Ing.", "Eva", NULL, "Braun", NULL },
        { "Miss Ann Cole",           "Miss", "Ann", NULL, "Cole", NULL },
        { "John Smith III",          NULL, "John", NULL, "Smith", "III" },
        { "Ann Cole MBA",            NULL, "Ann", NULL, "Cole", "MBA" },
        { "Tom Brown Jnr",           NULL, "Tom", NULL, "Brown", "Jnr" },
        { "Ann Cole Jr. PhD",        NULL, "Ann", NULL, "Cole", "Jr. PhD" },
        { "Ann Cole, Ph.D.",         NULL, "Ann", NULL, "Cole", "Ph.D." },
        { "Ann Cole, Jr., Esq.",     NULL, "Ann", NULL, "Cole", "Jr. Esq." },
        { "Mr. and Mrs. John Smith", "Mr. and Mrs.", "John", NULL, "Smith", NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(inverted_with_comma)
{
    static const struct name_case cases[] = {
        { "Cole, Ann",            NULL, "Ann", NULL, "Cole", NULL },
        { "Cole, Ann B.",         NULL, "Ann", "B.", "Cole", NULL },
        { "Cole, Dr. Ann",        "Dr.", "Ann", NULL, "Cole", NULL },
        { "Cole Jr., Ann",        NULL, "Ann", NULL, "Cole", "Jr." },
        { "Cole, Ann, Jr.",       NULL, "Ann", NULL, "Cole", "Jr." },
        { "van der Berg, Jan",    NULL, "Jan", NULL, "van der Berg", NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(family_name_particles)
{
    static const struct name_case cases[] = {
        { "Ludwig van Beethoven",   NULL, "Ludwig", NULL, "van Beethoven", NULL },
        { "Jan van der Berg",       NULL, "Jan", NULL, "van der Berg", NULL },
        { "Maria de la Cruz",       NULL, "Maria", NULL, "de la Cruz", NULL },
        { "Ann Marie du Pont",      NULL, "Ann", "Marie", "du Pont", NULL },
        { "Dr. Ursula von der Leyen", "Dr.", "Ursula", NULL, "von der Leyen", NULL },
        { "Ann O' Brien",           NULL, "Ann", NULL, "O' Brien", NULL },
        { "Dick Van Dyke",          NULL, "Dick", NULL, "Van Dyke", NULL },
        { "Van Morrison",           NULL, "Van", NULL, "Morrison", NULL },
        { "Hans vom Berg",          NULL, "Hans", NULL, "vom Berg", NULL },
        { "Jan op den Berg",        NULL, "Jan", NULL, "op den Berg", NULL },
        { "Anna zur Mühlen",        NULL, "Anna", NULL, "zur Mühlen", NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(left_unsplit)
{
    static const struct name_case cases[] = {
        { "",                     NULL, NULL, NULL, NULL, NULL },
        { "   ",                  NULL, NULL, NULL, NULL, NULL },
        { "John and Jane Smith",  NULL, NULL, NULL, NULL, NULL },
        { "John & Jane Smith",    NULL, NULL, NULL, NULL, NULL },
        { "Cole, Ann, Berlin",    NULL, NULL, NULL, NULL, NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

int main(void)
{
    RUN(natural_order);
    RUN(honorifics_and_suffixes);
    RUN(inverted_with_comma);
    RUN(family_name_particles);
    RUN(left_unsplit);
    return test_report();
}
