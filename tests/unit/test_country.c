/* test_country.c — country text to alpha-2 (transforms/normalise/country.c, schemas/countries.tsv). */
#include <stdlib.h>
#include "tests/unit/testlib.h"
#include "transforms/normalise/country.h"

static struct countries *shipped;

struct country_case {
    const char *in;
    const char *want;            /* NULL: unknown */
};

static void check_cases(const struct country_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = country_code(shipped, cases[i].in);
        if (!((got == NULL && cases[i].want == NULL) ||
              (got && cases[i].want && strcmp(got, cases[i].want) == 0))) {
            fprintf(stderr, "  \"%s\": %s, want %s\n", cases[i].in, got ? got : "NULL",
                    cases[i].want ? cases[i].want : "NULL");
            tl_case_failed = 1;
        }
    }
}

TEST(the_shipped_table_loads)
{
    char err[CM_ERRBUF] = "";
    CHECK_INT(countries_load("schemas/countries.tsv", &shipped, err), CM_OK);
    CHECK_STR(err, "");
    CHECK_INT(countries_count(shipped), 249);
    CHECK_STR(country_alpha3(shipped, "DE"), "DEU");
    CHECK_STR(country_alpha3(shipped, "XX"), NULL);
}

TEST(germany)
{
    static const struct country_case cases[] = {
        { "Deutschland", "DE" }, { "DEUTSCHLAND", "DE" }, { "deutschland ", "DE" },
        { "Germany", "DE" }, { "Allemagne", "DE" }, { "D", "DE" }, { "d", "DE" },
        { "DE", "DE" }, { "De", "DE" }, { "DEU", "DE" }, { "BRD", "DE" },
        { "Bundesrepublik Deutschland", "DE" }, { "Federal Republic of Germany", "DE" },
        { "  Bundesrepublik   Deutschland  ", "DE" }, { "D.", "DE" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(united_states_and_kingdom)
{
    static const struct country_case cases[] = {
        { "USA", "US" }, { "U.S.A.", "US" }, { "U.S.", "US" }, { "US", "US" },
        { "United States", "US" }, { "United States of America", "US" },
        { "Vereinigte Staaten", "US" }, { "États-Unis", "US" }, { "Etats-Unis", "US" },
        { "ETATS UNIS", "US" },
        { "UK", "GB" }, { "U.K.", "GB" }, { "GB", "GB" }, { "GBR", "GB" },
        { "Great Britain", "GB" }, { "United Kingdom", "GB" }, { "England", "GB" },
        { "Scotland", "GB" }, { "Wales", "GB" }, { "Northern Ireland", "GB" },
        { "Großbritannien", "GB" }, { "Grossbritannien", "GB" }, { "Royaume-Uni", "GB" },
        { "Vereinigtes Königreich", "GB" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(neighbours_and_their_car_codes)
{
    static const struct country_case cases[] = {
        { "Schweiz", "CH" }, { "Suisse", "CH" }, { "Svizzera", "CH" }, { "CH", "CH" },
        { "Switzerland", "CH" }, { "CHE", "CH" },
        { "Österreich", "AT" }, { "Oesterreich", "AT" }, { "OSTERREICH", "AT" },
        { "Autriche", "AT" }, { "Austria", "AT" }, { "A", "AT" }, { "AT", "AT" },
        { "Niederlande", "NL" }, { "Holland", "NL" }, { "Pays-Bas", "NL" },
        { "Nederland", "NL" }, { "The Netherlands", "NL" }, { "NL", "NL" },
        { "F", "FR" }, { "Frankreich", "FR" }, { "I", "IT" }, { "Italien", "IT" },
        { "B", "BE" }, { "Belgien", "BE" }, { "België", "BE" }, { "L", "LU" },
        { "Luxemburg", "LU" }, { "DK", "DK" }, { "Dänemark", "DK" }, { "Daenemark", "DK" },
        { "S", "SE" }, { "Schweden", "SE" }, { "N", "NO" }, { "Norwegen", "NO" },
        { "FIN", "FI" }, { "Finnland", "FI" }, { "PL", "PL" }, { "Polen", "PL" },
        { "CZ", "CZ" }, { "Tschechien", "CZ" }, { "Czech Republic", "CZ" },
        { "E", "ES" }, { "Spanien", "ES" }, { "España", "ES" }, { "P", "PT" },
        { "IRL", "IE" }, { "Irland", "IE" }, { "Éire", "IE" },
        { "FL", "LI" }, { "Liechtenstein", "LI" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(the_rest_of_the_world)
{
    static const struct country_case cases[] = {
        { "Türkei", "TR" }, { "Turkey", "TR" }, { "Türkiye", "TR" }, { "Russland", "RU" },
        { "Russia", "RU" }, { "China", "CN" }, { "Volksrepublik China", "CN" },
        { "Japan", "JP" }, { "Südkorea", "KR" }, { "South Korea", "KR" },
        { "Nordkorea", "KP" }, { "Côte d'Ivoire", "CI" }, { "Cote d Ivoire", "CI" },
        { "Elfenbeinküste", "CI" }, { "Ivory Coast", "CI" }, { "Ägypten", "EG" },
        { "Egypt", "EG" }, { "Brasilien", "BR" }, { "Mexiko", "MX" }, { "México", "MX" },
        { "Kanada", "CA" }, { "Canada", "CA" }, { "Australien", "AU" },
        { "Neuseeland", "NZ" }, { "Südafrika", "ZA" }, { "Vereinigte Arabische Emirate", "AE" },
        { "UAE", "AE" }, { "Åland Islands", "AX" }, { "Curaçao", "CW" },
        { "Saint Barthélemy", "BL" }, { "Réunion", "RE" }, { "Island", "IS" },
        { "Iceland", "IS" }, { "Swaziland", "SZ" }, { "Burma", "MM" }, { "Macedonia", "MK" },
        { "Weißrussland", "BY" }, { "Congo", "CG" }, { "DR Congo", "CD" },
        { "Demokratische Republik Kongo", "CD" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(unknown_text_is_null)
{
    static const struct country_case cases[] = {
        { "", NULL }, { "   ", NULL }, { "---", NULL }, { "Atlantis", NULL },
        { "XX", NULL }, { "Germany DE", NULL }, { "EU", NULL }, { "Europe", NULL },
        { "Bavaria", NULL }, { "ZZZ", NULL }, { "\xff\xfe", NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
    CHECK_STR(country_code(shipped, NULL), NULL);
    CHECK_STR(country_code(NULL, "DE"), NULL);
}

/* Every alpha-2 and alpha-3 code of the table is that country. */
TEST(every_code_maps_to_itself)
{
    FILE *f = fopen("schemas/countries.tsv", "r");
    char line[4096];
    int n = 0;
    CHECK(f != NULL);
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char a2[3] = { line[0], line[1], 0 }, a3[4] = { line[3], line[4], line[5], 0 };
        const char *got2 = country_code(shipped, a2), *got3 = country_code(shipped, a3);
        if (!got2 || strcmp(got2, a2) != 0 || !got3 || strcmp(got3, a2) != 0) {
            fprintf(stderr, "  %s / %s: %s / %s\n", a2, a3, got2 ? got2 : "NULL",
                    got3 ? got3 : "NULL");
            tl_case_failed = 1;
        }
        n++;
    }
    if (f)
        fclose(f);
    CHECK_INT(n, 249);
}

static enum cm_status load_text(const char *text, char *err)
{
    const char *path = "build/test_country.tsv";
    FILE *f = fopen(path, "w");
    if (!f)
        return CM_ERR_IO;
    fputs(text, f);
    fclose(f);
    struct countries *c = NULL;
    enum cm_status rc = countries_load(path, &c, err);
    countries_free(c);
    remove(path);
    return rc;
}

TEST(bad_tables_name_file_and_line)
{
    char err[CM_ERRBUF] = "";
    CHECK_INT(load_text("# c\nDE\tDEU\tGermany\tHolland\nNL\tNLD\tNetherlands\tHolland\n", err),
              CM_ERR_CONFIG);
    CHECK_STR(err, "build/test_country.tsv:3: \"Holland\" also names DE (line 2)");
    CHECK_INT(load_text("DE\tDEU\n", err), CM_ERR_CONFIG);
    CHECK_STR(err, "build/test_country.tsv:1: want alpha-2, alpha-3 and a name, separated by "
                   "tabs");
    CHECK_INT(load_text("\nde\tDEU\tGermany\n", err), CM_ERR_CONFIG);
    CHECK_STR(err, "build/test_country.tsv:2: \"de\" \"DEU\" are not an alpha-2 and an "
                   "alpha-3 code (upper case letters)");
    CHECK_INT(load_text("DE\tDEU\tGermany\t\n", err), CM_ERR_CONFIG);
    CHECK_STR(err, "build/test_country.tsv:1: field 4 is empty");
    CHECK_INT(load_text("DE\tDEU\tGermany\t--\n", err), CM_ERR_CONFIG);
    CHECK_STR(err, "build/test_country.tsv:1: \"--\" is not a name (invalid UTF-8, too long, "
                   "or no letters or digits)");
    CHECK_INT(load_text("# nothing\n", err), CM_ERR_CONFIG);
    CHECK_STR(err, "build/test_country.tsv: no countries");
    struct countries *c = NULL;
    CHECK_INT(countries_load("build/no-such-file.tsv", &c, err), CM_ERR_IO);
    CHECK_STR(err, "build/no-such-file.tsv: file not found");
    CHECK(c == NULL);
}

int main(void)
{
    RUN(the_shipped_table_loads);
    if (!shipped)
        return test_report();
    RUN(germany);
    RUN(united_states_and_kingdom);
    RUN(neighbours_and_their_car_codes);
    RUN(the_rest_of_the_world);
    RUN(unknown_text_is_null);
    RUN(every_code_maps_to_itself);
    RUN(bad_tables_name_file_and_line);
    countries_free(shipped);
    return test_report();
}
