/* test_company.c — company names as matching keys (transforms/normalise/company.c), table-driven. */
#include "tests/unit/testlib.h"
#include "transforms/normalise/company.h"

#include <stdlib.h>

struct company_case {
    const char *name;
    unsigned    options;
    const char *key;
    const char *legal_form;
    unsigned    flags;
};

#define G TEXT_GERMAN

static void check_cases(const struct company_case *cases, size_t n)
{
    struct buf key = BUF_INIT(0);
    for (size_t i = 0; i < n; i++) {
        const struct company_case *k = &cases[i];
        struct company_norm res;
        buf_reset(&key);
        int before = tl_case_failed;
        tl_case_failed = 0;
        CHECK_INT(company_normalise(k->name, strlen(k->name), k->options, &key, &res), CM_OK);
        CHECK_STR(key.data, k->key);
        CHECK_STR(res.legal_form, k->legal_form);
        CHECK_INT(res.flags, k->flags);
        if (tl_case_failed)
            fprintf(stderr, "  ... while normalising \"%s\" (options %u)\n", k->name,
                    k->options);
        tl_case_failed |= before;
    }
    buf_free(&key);
}

TEST(german_forms)
{
    static const struct company_case cases[] = {
        { "Müller GmbH & Co. KG",          G, "mueller", "gmbh & co kg", 0 },
        { "MUELLER GMBH & CO KG",          G, "mueller", "gmbh & co kg", 0 },
        { "Müller GmbH u. Co. KG",         G, "mueller", "gmbh & co kg", 0 },
        { "Müller GmbH und Co. KG",        G, "mueller", "gmbh & co kg", 0 },
        { "Müller GmbH&Co.KG",             G, "mueller", "gmbh & co kg", 0 },
        { "Müller G.m.b.H. & Co. K.G.",    G, "mueller", "gmbh & co kg", 0 },
        { "Müller GmbH & Co. KG",          0, "muller", "gmbh & co kg", 0 },
        { "Müller & Co. KG",               G, "mueller", "kg", 0 },
        { "Müller GmbH",                   G, "mueller", "gmbh", 0 },
        { "Müller G.m.b.H.",               G, "mueller", "gmbh", 0 },
        { "Müller Gesellschaft mit beschränkter Haftung", G, "mueller", "gmbh", 0 },
        { "Müller Gesellschaft mit beschränkter Haftung", 0, "muller", "gmbh", 0 },
        { "Lebenshilfe Werkstätten gGmbH", G, "lebenshilfe werkstaetten", "ggmbh", 0 },
        { "Siemens Aktiengesellschaft",    G, "siemens", "ag", 0 },
        { "Siemens AG",                    G, "siemens", "ag", 0 },
        { "Deutsche Bank AG",              G, "deutsche bank", "ag", 0 },
        { "Henkel AG & Co. KGaA",          G, "henkel", "ag & co kgaa", 0 },
        { "Merck KGaA",                    G, "merck", "kgaa", 0 },
        { "Schmidt OHG",                   G, "schmidt", "ohg", 0 },
        { "Foo e.K.",                      G, "foo", "ek", 0 },
        { "Foo e. Kfm.",                   G, "foo", "ek", 0 },
        { "Verein e.V.",                   G, "verein", "ev", 0 },
        { "Turnverein 1860 eV",            G, "turnverein 1860", "ev", 0 },
        { "Volksbank Mittelhessen eG",     G, "volksbank mittelhessen", "eg", 0 },
        { "Beispiel UG (haftungsbeschränkt)", G, "beispiel", "ug", 0 },
        { "Beispiel UG (haftungsbeschränkt)", 0, "beispiel", "ug", 0 },
        { "Beispiel UG (haftungsbeschränkt) & Co. KG", G, "beispiel", "ug & co kg", 0 },
        { "Meier & Partner PartG mbB",     G, "meier and partner", "partg mbb", 0 },
        { "Allianz SE",                    G, "allianz", "se", 0 },
        { "Schulz GbR",                    G, "schulz", "gbr", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(english_forms)
{
    static const struct company_case cases[] = {
        { "Acme, Inc.",                    G, "acme", "inc", 0 },
        { "ACME INC",                      G, "acme", "inc", 0 },
        { "Acme Incorporated",             G, "acme", "inc", 0 },
        { "Acme Corp.",                    G, "acme", "corp", 0 },
        { "Acme Corporation",              G, "acme", "corp", 0 },
        { "Acme LLC",                      G, "acme", "llc", 0 },
        { "Acme L.L.C.",                   G, "acme", "llc", 0 },
        { "Baker & McKenzie LLP",          G, "baker and mckenzie", "llp", 0 },
        { "Smith & Sons Ltd.",             G, "smith and sons", "ltd", 0 },
        { "Smith and Sons Limited",        G, "smith and sons", "ltd", 0 },
        { "Smith und Sons",                G, "smith and sons", NULL, 0 },
        { "Smith & Co.",                   G, "smith", "co", 0 },
        { "The Boots Company PLC",         G, "boots", "plc", 0 },
        { "Boots plc",                     G, "boots", "plc", 0 },
        { "The Coca-Cola Company",         G, "coca cola", "co", 0 },
        { "Wells Fargo & Company",         G, "wells fargo", "co", 0 },
        { "Blackstone Group L.P.",         G, "blackstone group", "lp", 0 },
        { "Woolworths Pty. Ltd.",          G, "woolworths", "pty ltd", 0 },
        { "Tata Consultancy Pvt Ltd",      G, "tata consultancy", "pvt ltd", 0 },
        { "Samsung Electronics Co., Ltd.", G, "samsung electronics", "co ltd", 0 },
        { "O'Reilly Media, Inc.",          G, "o reilly media", "inc", 0 },
        { "Theatre Royal Ltd",             G, "theatre royal", "ltd", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(other_forms)
{
    static const struct company_case cases[] = {
        { "Carrefour S.A.",                G, "carrefour", "sa", 0 },
        { "Carrefour SA",                  G, "carrefour", "sa", 0 },
        { "Dupont S.à r.l.",               G, "dupont", "sarl", 0 },
        { "Dupont SARL",                   G, "dupont", "sarl", 0 },
        { "Dupont SAS",                    G, "dupont", "sas", 0 },
        { "Moët et Chandon",               0, "moet and chandon", NULL, 0 },
        { "Shell Nederland B.V.",          G, "shell nederland", "bv", 0 },
        { "Philips N.V.",                  G, "philips", "nv", 0 },
        { "Volvo AB",                      G, "volvo", "ab", 0 },
        { "Maersk A/S",                    G, "maersk", "as", 0 },
        { "Equinor ASA",                   G, "equinor", "asa", 0 },
        { "Nokia Oyj",                     G, "nokia", "oy", 0 },
        { "Fiat S.p.A.",                   G, "fiat", "spa", 0 },
        { "Rossi S.r.l.",                  G, "rossi", "srl", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(kept_as_they_are)
{
    static const struct company_case cases[] = {
        { "AG",                            G, "ag", "ag", COMPANY_FORM_ONLY },
        { "GmbH",                          G, "gmbh", "gmbh", COMPANY_FORM_ONLY },
        { "G.m.b.H.",                      G, "g m b h", "gmbh", COMPANY_FORM_ONLY },
        { "GmbH & Co. KG",                 G, "gmbh and co kg", "gmbh & co kg",
          COMPANY_FORM_ONLY },
        { "The Company",                   G, "company", "co", COMPANY_FORM_ONLY },
        { "Siemens AG Österreich",         G, "siemens ag oesterreich", NULL, 0 },
        { "Agfa",                          G, "agfa", NULL, 0 },
        { "The",                           G, "the", NULL, 0 },
        { "Theodor Müller",                G, "theodor mueller", NULL, 0 },
        { "Müller & Söhne",                G, "mueller and soehne", NULL, 0 },
        { "Müller & & Söhne &",            G, "mueller and soehne and", NULL, 0 },
        { "& Co",                          G, "and", "co", 0 },
        { "MÃ¼ller GmbH",                  G, "mueller", "gmbh", COMPANY_REPAIRED },
        { "東京電力",                      G, "東京電力", NULL, 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(bad_names)
{
    static const struct company_case cases[] = {
        { "",                              G, "", NULL, COMPANY_EMPTY },
        { "---",                           G, "", NULL, COMPANY_EMPTY },
        { " & ",                           G, "and", NULL, 0 },
        { "M\xFCller GmbH",                G, "", NULL, COMPANY_INVALID_UTF8 | COMPANY_EMPTY },
        { "Foo & \xC0\x80 GmbH",           G, "", NULL, COMPANY_INVALID_UTF8 | COMPANY_EMPTY },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);

    /* a 10 kB name is cut at TEXT_MAX_BYTES: no legal form at the (lost) end */
    struct buf key = BUF_INIT(0);
    struct company_norm res;
    char *s = malloc(10241);
    CHECK(s != NULL);
    if (!s)
        return;
    for (size_t i = 0; i < 10240; i += 5)
        memcpy(s + i, "Bäck ", 5);
    memcpy(s + 10240 - 5, " GmbH", 5);
    s[10240] = '\0';
    CHECK_INT(company_normalise(s, 10240, G, &key, &res), CM_OK);
    CHECK_INT(res.flags, COMPANY_TOO_LONG);
    CHECK(res.legal_form == NULL);
    CHECK(key.len > 0 && key.len < 2 * TEXT_MAX_BYTES);
    CHECK(text_valid_utf8(key.data, key.len));
    s[20] = '\xFF';
    buf_reset(&key);
    CHECK_INT(company_normalise(s, 10240, G, &key, &res), CM_OK);
    CHECK_INT(res.flags, COMPANY_INVALID_UTF8 | COMPANY_EMPTY);
    CHECK_INT(key.len, 0);
    free(s);

    /* appends; a key that cannot grow is left as it was */
    buf_reset(&key);
    CHECK_INT(buf_addstr(&key, "c:"), CM_OK);
    CHECK_INT(company_normalise("Acme, Inc.", 10, G, &key, &res), CM_OK);
    CHECK_STR(key.data, "c:acme");
    buf_free(&key);
    struct buf small = BUF_INIT(6);
    CHECK_INT(buf_addstr(&small, "c:"), CM_OK);
    CHECK_INT(company_normalise("Smith Sons", 10, G, &small, &res), CM_ERR_LIMIT);
    CHECK_STR(small.data, "c:");
    CHECK_INT(res.flags, COMPANY_EMPTY);
    CHECK_INT(company_normalise("A & B", 5, G, &small, &res), CM_ERR_LIMIT);
    CHECK_STR(small.data, "c:");
    CHECK_INT(company_normalise("Ab et", 5, G, &small, &res), CM_ERR_LIMIT);
    CHECK_STR(small.data, "c:");
    CHECK_INT(company_normalise("A et", 4, G, &small, &res), CM_ERR_LIMIT); /* "and" */
    CHECK_STR(small.data, "c:");
    CHECK_INT(company_normalise("A Co", 4, G, &small, &res), CM_OK);   /* "a co" fits */
    CHECK_STR(small.data, "c:a");
    CHECK_STR(res.legal_form, "co");
    buf_free(&small);
}

TEST(same_keys)
{
    static const char *const groups[][4] = {
        { "Müller GmbH & Co. KG", "MUELLER GMBH & CO KG", "Mueller GmbH + Co. KG", NULL },
        { "Acme, Inc.", "ACME INC", "Acme Incorporated", "acme" },
        { "Smith & Sons Ltd.", "Smith and Sons Limited", "SMITH UND SONS LTD", NULL },
        { "The Coca-Cola Company", "Coca Cola Co.", "COCA-COLA", NULL },
    };
    struct buf a = BUF_INIT(0), b = BUF_INIT(0);
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        struct company_norm res;
        buf_reset(&a);
        company_normalise(groups[g][0], strlen(groups[g][0]), G, &a, &res);
        for (size_t i = 1; i < 4 && groups[g][i]; i++) {
            buf_reset(&b);
            company_normalise(groups[g][i], strlen(groups[g][i]), G, &b, &res);
            CHECK_STR(b.data, a.data);
        }
    }
    buf_free(&a);
    buf_free(&b);
}

TEST(table_is_sorted)
{
    size_t n;
    const struct company_form *f = company_forms(&n);
    CHECK(n > 100);
    for (size_t i = 1; i < n; i++)
        if (strcmp(f[i - 1].spelling, f[i].spelling) >= 0) {
            fprintf(stderr, "  out of order: \"%s\" \"%s\"\n", f[i - 1].spelling,
                    f[i].spelling);
            CHECK(0);
        }
    for (size_t i = 0; i < n; i++)
        CHECK(strlen(f[i].spelling) < 64 && f[i].code[0]);
}

int main(void)
{
    RUN(german_forms);
    RUN(english_forms);
    RUN(other_forms);
    RUN(kept_as_they_are);
    RUN(bad_names);
    RUN(same_keys);
    RUN(table_is_sorted);
    return test_report();
}
