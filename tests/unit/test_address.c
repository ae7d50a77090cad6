/* test_address.c — addresses to keys (transforms/normalise/address.c), real German and English
 * addresses, table-driven. */
#include "tests/unit/testlib.h"
#include "transforms/normalise/address.h"

static struct countries *countries;

struct addr_case {
    const char *line1, *line2, *postal, *city, *country, *dflt;
    const char *street, *number, *want_postal, *want_city, *want_country;
    unsigned flags;
};

static void check_cases(const struct addr_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct addr_case *t = &cases[i];
        struct contact_address a;
        memset(&a, 0, sizeof a);
        a.lines[0] = t->line1;
        a.lines[1] = t->line2;
        a.nlines = t->line2 ? 2 : t->line1 ? 1 : 0;
        a.postal_code = t->postal;
        a.city = t->city;
        a.country = t->country;
        struct address_key k;
        unsigned flags = address_normalise(&a, t->dflt, countries, &k);
        if (strcmp(k.street, t->street) || strcmp(k.house_number, t->number) ||
            strcmp(k.postal_code, t->want_postal) || strcmp(k.city, t->want_city) ||
            strcmp(k.country, t->want_country) || flags != t->flags || flags != k.flags) {
            fprintf(stderr, "  \"%s\" | %s %s | %s: got [%s] [%s] [%s] [%s] [%s] 0x%x, "
                    "want [%s] [%s] [%s] [%s] [%s] 0x%x\n",
                    t->line1 ? t->line1 : "", t->postal ? t->postal : "",
                    t->city ? t->city : "", t->country ? t->country : "", k.street,
                    k.house_number, k.postal_code, k.city, k.country, flags, t->street,
                    t->number, t->want_postal, t->want_city, t->want_country, t->flags);
            tl_case_failed = 1;
        }
    }
}

#define NONUM ADDRESS_NO_NUMBER
#define UNKNOWN ADDRESS_COUNTRY_UNKNOWN

TEST(german_addresses)
{
    static const struct addr_case cases[] = {
        { "Hauptstraße 12a", NULL, "10115", "Berlin", "Deutschland", NULL,
          "hauptstrasse", "12a", "10115", "berlin", "DE", 0 },
        { "Hauptstr. 12 a", NULL, "10115", "BERLIN", "D", NULL,
          "hauptstrasse", "12a", "10115", "berlin", "DE", 0 },
        { "Hauptstrasse 12A", NULL, "10115", "berlin", "Germany", NULL,
          "hauptstrasse", "12a", "10115", "berlin", "DE", 0 },
        { "Berliner Str. 5", NULL, "60311", "Frankfurt a. M.", "DE", NULL,
          "berliner strasse", "5", "60311", "frankfurt am main", "DE", 0 },
        { "Berliner Straße 5", NULL, "60311", "Frankfurt am Main", NULL, "DE",
          "berliner strasse", "5", "60311", "frankfurt am main", "DE", 0 },
        { "Berliner Strasse 5", NULL, "60311", "Frankfurt/Main", NULL, "DE",
          "berliner strasse", "5", "60311", "frankfurt am main", "DE", 0 },
        { "Zeil 106", NULL, "60313", "Frankfurt a.M.", NULL, "DE",
          "zeil", "106", "60313", "frankfurt am main", "DE", 0 },
        { "Karl-Marx-Allee 90", NULL, "10243", "Berlin", "BRD", NULL,
          "karl marx allee", "90", "10243", "berlin", "DE", 0 },
        { "Am Markt 3 / 2. OG", NULL, "28195", "Bremen", NULL, "DE",
          "am markt", "3", "28195", "bremen", "DE", 0 },
        { "Straße des 17. Juni 114", NULL, "10623", "Berlin", NULL, "DE",
          "strasse des 17 juni", "114", "10623", "berlin", "DE", 0 },
        { "Marienplatz 8", NULL, "80331", "München", NULL, "DE",
          "marienplatz", "8", "80331", "muenchen", "DE", 0 },
        { "Marienpl. 8", NULL, "80331", "Muenchen", NULL, "DE",
          "marienplatz", "8", "80331", "muenchen", "DE", 0 },
        { "Königsallee 60-62", NULL, "40212", "Düsseldorf", NULL, "DE",
          "koenigsallee", "60-62", "40212", "duesseldorf", "DE", 0 },
        { "Schloßstr. 1 - 3", NULL, "01067", "Dresden", NULL, "DE",
          "schlossstrasse", "1-3", "01067", "dresden", "DE", 0 },
        { "Prager Straße 10", NULL, "1067", "Dresden", "Deutschland", NULL,
          "prager strasse", "10", "01067", "dresden", "DE", ADDRESS_POSTAL_RESTORED },
        { "Dorfstr. 7", NULL, "D-04109", "Leipzig", NULL, "DE",
          "dorfstrasse", "7", "04109", "leipzig", "DE", 0 },
        { "Kaiserstraße 1", NULL, "66386", "St. Ingbert", NULL, "DE",
          "kaiserstrasse", "1", "66386", "sankt ingbert", "DE", 0 },
        { "Hauptstr. 2", NULL, "79098", "Freiburg i. Br.", NULL, "DE",
          "hauptstrasse", "2", "79098", "freiburg im breisgau", "DE", 0 },
        { "Karl-Marx-Str. 1", NULL, "15230", "Frankfurt a. d. Oder", NULL, "DE",
          "karl marx strasse", "1", "15230", "frankfurt an der oder", "DE", 0 },
        { "Weg am See 4", NULL, "123", "Musterstadt", NULL, "DE",
          "weg am see", "4", "123", "musterstadt", "DE", ADDRESS_POSTAL_INVALID },
        { "Gartenweg 4b", NULL, "101150", "Berlin", NULL, "DE",
          "gartenweg", "4b", "101150", "berlin", "DE", ADDRESS_POSTAL_INVALID },
        { "c/o Müller GmbH", "Industriestr. 15", "70565", "Stuttgart", NULL, "DE",
          "industriestrasse", "15", "70565", "stuttgart", "DE", 0 },
        { "z. Hd. Frau Schmidt", "Lindenallee 3", "50968", "Köln", NULL, "DE",
          "lindenallee", "3", "50968", "koeln", "DE", 0 },
        { "Postfach 1234", NULL, "53003", "Bonn", NULL, "DE",
          "", "", "53003", "bonn", "DE", ADDRESS_PO_BOX },
        { "Rathausplatz", NULL, "89073", "Ulm", NULL, "DE",
          "rathausplatz", "", "89073", "ulm", "DE", NONUM },
        { "St.-Anna-Str. 2", NULL, "80538", "München", NULL, "DE",
          "st anna strasse", "2", "80538", "muenchen", "DE", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(austrian_and_swiss_addresses)
{
    static const struct addr_case cases[] = {
        { "Stephansplatz 1", NULL, "1010", "Wien", "Österreich", NULL,
          "stephansplatz", "1", "1010", "wien", "AT", 0 },
        { "Mariahilfer Str. 77", NULL, "A-1060", "Wien", "A", NULL,
          "mariahilfer strasse", "77", "1060", "wien", "AT", 0 },
        { "Bahnhofstrasse 45", NULL, "CH-8001", "Zürich", "Schweiz", NULL,
          "bahnhofstrasse", "45", "8001", "zuerich", "CH", 0 },
        { "Bahnhofstr. 45", NULL, "8001", "Zuerich", "Suisse", NULL,
          "bahnhofstrasse", "45", "8001", "zuerich", "CH", 0 },
        { "Rue du Rhône 8", NULL, "120", "Genève", "CH", NULL,
          "rue du rhone", "8", "120", "geneve", "CH", ADDRESS_POSTAL_INVALID },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(english_addresses)
{
    static const struct addr_case cases[] = {
        { "12 Main Street", NULL, "02134", "Boston", "USA", NULL,
          "main street", "12", "02134", "boston", "US", 0 },
        { "12 Main St.", NULL, "2134", "Boston", "U.S.A.", NULL,
          "main street", "12", "02134", "boston", "US", ADDRESS_POSTAL_RESTORED },
        { "12 Main St", NULL, "02134-1234", "Boston", "United States", NULL,
          "main street", "12", "02134-1234", "boston", "US", 0 },
        { "1600 Pennsylvania Ave NW", NULL, "20500", "Washington", "US", NULL,
          "pennsylvania avenue northwest", "1600", "20500", "washington", "US", 0 },
        { "1600 Pennsylvania Avenue Northwest", NULL, "20500", "Washington", NULL, "US",
          "pennsylvania avenue northwest", "1600", "20500", "washington", "US", 0 },
        { "350 5th Ave", NULL, "10118", "New York", NULL, "US",
          "5th avenue", "350", "10118", "new york", "US", 0 },
        { "100 N Main St, Suite 300", NULL, "63101", "St. Louis", NULL, "US",
          "north main street", "100", "63101", "saint louis", "US", 0 },
        { "200 St. Louis Ave", NULL, "63101", "Saint Louis", NULL, "US",
          "saint louis avenue", "200", "63101", "saint louis", "US", 0 },
        { "5 Elm Rd", NULL, "90210", "Beverly Hills", NULL, "US",
          "elm road", "5", "90210", "beverly hills", "US", 0 },
        { "77 Sunset Blvd", NULL, "90028", "Los Angeles", NULL, "US",
          "sunset boulevard", "77", "90028", "los angeles", "US", 0 },
        { "8 Ocean Dr", NULL, "33139", "Miami Beach", NULL, "US",
          "ocean drive", "8", "33139", "miami beach", "US", 0 },
        { "4 Maple Ln", NULL, "1234", "Springfield", NULL, "US",
          "maple lane", "4", "01234", "springfield", "US", ADDRESS_POSTAL_RESTORED },
        { "PO Box 123", NULL, "60601", "Chicago", NULL, "US",
          "", "", "60601", "chicago", "US", ADDRESS_PO_BOX },
        { "P.O. Box 77", NULL, "6060", "Chicago", NULL, "US",
          "", "", "06060", "chicago", "US", ADDRESS_PO_BOX | ADDRESS_POSTAL_RESTORED },
        { "10 Downing Street", NULL, "SW1A 2AA", "London", "UK", NULL,
          "downing street", "10", "SW1A 2AA", "london", "GB", 0 },
        { "10 Downing St", NULL, "sw1a2aa", "LONDON", "England", NULL,
          "downing street", "10", "SW1A 2AA", "london", "GB", 0 },
        { "221B Baker Street", NULL, "NW1 6XE", "London", "Great Britain", NULL,
          "baker street", "221b", "NW1 6XE", "london", "GB", 0 },
        { "1 Princes St", NULL, "EH2 2EQ", "Edinburgh", "Scotland", NULL,
          "princes street", "1", "EH2 2EQ", "edinburgh", "GB", 0 },
        { "3 Castle Sq", NULL, "M1 1AA", "Manchester", "GB", NULL,
          "castle square", "3", "M1 1AA", "manchester", "GB", 0 },
        { "9 Church Ct", NULL, "B33 8TH", "Birmingham", "United Kingdom", NULL,
          "church court", "9", "B33 8TH", "birmingham", "GB", 0 },
        { "1 Queen St", NULL, "CF10 1", "Cardiff", "Wales", NULL,
          "queen street", "1", "CF10 1", "cardiff", "GB", ADDRESS_POSTAL_INVALID },
        { "290 Bremner Blvd", NULL, "m5v3l9", "Toronto", "Canada", NULL,
          "bremner boulevard", "290", "M5V 3L9", "toronto", "CA", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(other_european_postal_codes)
{
    static const struct addr_case cases[] = {
        { "Damrak 1", NULL, "1012lg", "Amsterdam", "Holland", NULL,
          "damrak", "1", "1012 LG", "amsterdam", "NL", 0 },
        { "Damrak 1", NULL, "1012 LG", "Amsterdam", "Niederlande", NULL,
          "damrak", "1", "1012 LG", "amsterdam", "NL", 0 },
        { "ul. Marszałkowska 10", NULL, "00950", "Warszawa", "Polen", NULL,
          "ul marszalkowska", "10", "00-950", "warszawa", "PL", 0 },
        { "Drottninggatan 5", NULL, "11151", "Stockholm", "Schweden", NULL,
          "drottninggatan", "5", "111 51", "stockholm", "SE", 0 },
        { "Strøget 1", NULL, "1160", "København", "DK", NULL,
          "stroget", "1", "1160", "kobenhavn", "DK", 0 },
        { "Rue de Rivoli 99", NULL, "75001", "Paris", "Frankreich", NULL,
          "rue de rivoli", "99", "75001", "paris", "FR", 0 },
        { "Via Roma 1", NULL, "100", "Roma", "Italien", NULL,
          "via roma", "1", "100", "roma", "IT", ADDRESS_POSTAL_INVALID },
        { "Avenue Louise 54", NULL, "1050", "Bruxelles", "Belgique", NULL,
          "avenue louise", "54", "1050", "bruxelles", "BE", 0 },
        { "Karl Johans gate 1", NULL, "150", "Oslo", "Norwegen", NULL,
          "karl johans gate", "1", "150", "oslo", "NO", ADDRESS_POSTAL_INVALID },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(countries_unknown_or_default)
{
    static const struct addr_case cases[] = {
        { "Hauptstr. 1", NULL, "10115", "Berlin", "Atlantis", "DE",
          "hauptstrasse", "1", "10115", "berlin", "DE", UNKNOWN },
        { "Hauptstr. 1", NULL, "10115", "Berlin", NULL, NULL,
          "hauptstrasse", "1", "10115", "berlin", "", UNKNOWN },
        { "Hauptstr. 1", NULL, "1067", "Dresden", NULL, NULL,
          "hauptstrasse", "1", "1067", "dresden", "", UNKNOWN },
        { NULL, NULL, NULL, NULL, NULL, NULL, "", "", "", "", "", UNKNOWN },
        { "\xff\xfe 1", NULL, NULL, "Berlin", NULL, "DE",
          "", "", "", "berlin", "DE", ADDRESS_INVALID_UTF8 | NONUM },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(city_plain_fold_and_po_box_number)
{
    struct contact_address a;
    memset(&a, 0, sizeof a);
    a.lines[0] = "Postfach 10 12 34";
    a.nlines = 1;
    a.city = "MÜNCHEN";
    struct address_key k1, k2, k3;
    address_normalise(&a, "DE", countries, &k1);
    CHECK_STR(k1.po_box, "101234");
    CHECK_STR(k1.city, "muenchen");
    CHECK_STR(k1.city_plain, "munchen");
    a.city = "MUNCHEN";
    address_normalise(&a, "DE", countries, &k2);
    CHECK_STR(k2.city_plain, "munchen");
    a.city = "Muenchen";
    address_normalise(&a, "DE", countries, &k3);
    CHECK_STR(k3.city, "muenchen");
}

/* which line is the street, which the further line (address_extra), and the region */
TEST(street_line_then_further_line_and_region)
{
    static const struct {
        const char *lines[3], *region, *country;
        const char *street, *number, *extra, *want_region;
    } cases[] = {
        /* Febrl: street_number + address_1, then address_2 */
        { { "6 tullaroop street", "willaroo" }, "wa", "AU",
          "tullaroop street", "6", "willaroo", "wa" },
        { { "maltby circuit", "villa 2" }, "NSW", "AU",        /* a number in the further line */
          "maltby circuit", "", "villa 2", "nsw" },
        { { "6", "lakefront retrmnt vlge" }, "qld", "AU",      /* the number alone */
          "", "6", "lakefront retrmnt vlge", "qld" },
        { { "Hauptstraße 5", "Hinterhaus" }, "Bayern", "DE",   /* Outlook's Street, Street 2 */
          "hauptstrasse", "5", "hinterhaus", "bayern" },
        { { "c/o Müller GmbH", "Industriestr. 15", "Gebäude B" }, NULL, "DE",   /* skipped line */
          "industriestrasse", "15", "gebaeude b", "" },
        { { "Postfach 1234", "Am Markt 3", "3. OG" }, NULL, "DE",               /* PO box first */
          "am markt", "3", "3 og", "" },
        { { "12 Main St", "Suite 400", "Building C" }, "IL", "US",   /* the first further line */
          "main street", "12", "suite 400", "il" },
        { { "Rathausplatz" }, NULL, "DE", "rathausplatz", "", "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct contact_address a;
        memset(&a, 0, sizeof a);
        for (int l = 0; l < 3 && cases[i].lines[l]; l++)
            a.lines[a.nlines++] = cases[i].lines[l];
        a.region = cases[i].region;
        struct address_key k;
        address_normalise(&a, cases[i].country, countries, &k);
        CHECK_STR(k.street, cases[i].street);
        CHECK_STR(k.house_number, cases[i].number);
        CHECK_STR(k.extra, cases[i].extra);
        CHECK_STR(k.region, cases[i].want_region);
    }
}

TEST(postal_codes_alone)
{
    char out[32];
    CHECK_INT(address_postal_code("1067", "DE", out, sizeof out), ADDRESS_POSTAL_RESTORED);
    CHECK_STR(out, "01067");
    CHECK_INT(address_postal_code("1010", "AT", out, sizeof out), 0);
    CHECK_STR(out, "1010");
    CHECK_INT(address_postal_code("101", "AT", out, sizeof out), ADDRESS_POSTAL_INVALID);
    CHECK_STR(out, "101");
    CHECK_INT(address_postal_code("4011", "AU", out, sizeof out), 0);
    CHECK_STR(out, "4011");
    CHECK_INT(address_postal_code("800", "AU", out, sizeof out), ADDRESS_POSTAL_INVALID);
    CHECK_INT(address_postal_code(" 8001 ", "CH", out, sizeof out), 0);
    CHECK_STR(out, "8001");
    CHECK_INT(address_postal_code("10115 Berlin", "DE", out, sizeof out),
              ADDRESS_POSTAL_INVALID);
    CHECK_STR(out, "10115 BERLIN");
    CHECK_INT(address_postal_code("ab12 3cd", NULL, out, sizeof out), 0);
    CHECK_STR(out, "AB12 3CD");
    CHECK_INT(address_postal_code("12345", "JP", out, sizeof out), 0);
    CHECK_STR(out, "12345");
    CHECK_INT(address_postal_code("1234-567", "PT", out, sizeof out), 0);
    CHECK_STR(out, "1234-567");
    CHECK_INT(address_postal_code("4.91701E+11", "DE", out, sizeof out),
              ADDRESS_POSTAL_INVALID);
    CHECK_INT(address_postal_code("", "DE", out, sizeof out), 0);
    CHECK_STR(out, "");
}

int main(void)
{
    char err[CM_ERRBUF];
    if (countries_load("schemas/countries.tsv", &countries, err) != CM_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(german_addresses);
    RUN(austrian_and_swiss_addresses);
    RUN(english_addresses);
    RUN(other_european_postal_codes);
    RUN(countries_unknown_or_default);
    RUN(city_plain_fold_and_po_box_number);
    RUN(street_line_then_further_line_and_region);
    RUN(postal_codes_alone);
    countries_free(countries);
    return test_report();
}
