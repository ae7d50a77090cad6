/* test_email.c — e-mail addresses to their comparable form (transforms/normalise/email.c),
 * table-driven: trimming and wrappers, case, IDN, syntax, limits, roles, provider rules. */
#include <stdlib.h>

#include "tests/unit/testlib.h"
#include "transforms/normalise/email.h"

struct email_case {
    const char *raw;
    unsigned options;
    const char *want;        /* NULL: nothing appended */
    unsigned flags;
};

#define INV EMAIL_INVALID
#define PR  EMAIL_PROVIDER_RULES

static void check_cases(const struct email_case *cases, size_t n)
{
    struct buf b = BUF_INIT(0);
    for (size_t i = 0; i < n; i++) {
        const struct email_case *k = &cases[i];
        buf_reset(&b);
        unsigned f = email_normalise(k->raw, k->options, &b);
        int before = tl_case_failed;
        tl_case_failed = 0;
        CHECK_INT(f, k->flags);
        if (k->want) {
            CHECK_STR(b.data, k->want);
        } else {
            CHECK_INT(b.len, 0);
        }
        if (tl_case_failed)
            fprintf(stderr, "  ... while normalising \"%s\"\n", k->raw);
        tl_case_failed |= before;
    }
    buf_free(&b);
}

#define CHECK_CASES(cases) check_cases(cases, sizeof cases / sizeof cases[0])

TEST(trimming_and_wrappers)
{
    static const struct email_case cases[] = {
        { "Ann.Cole@Example.COM ",                0, "ann.cole@example.com", 0 },
        { "  ann@x.example\t\r\n",                0, "ann@x.example", 0 },
        { "<ann@x.example>",                      0, "ann@x.example", 0 },
        { " < ann@x.example > ",                  0, "ann@x.example", 0 },
        { "Ann Cole <ann@x.example>",             0, "ann@x.example", 0 },
        { "\"Cole, Ann\" <Ann@X.Example>",        0, "ann@x.example", 0 },
        { "mailto:ann@x.example",                 0, "ann@x.example", 0 },
        { "MAILTO:Ann@X.example?subject=Hi",      0, "ann@x.example", 0 },
        { "<mailto:ann@x.example>",               0, "ann@x.example", 0 },
        { "Ann Cole <ann@x.example",              0, NULL, INV },
        { "Ann Cole ann@x.example>",              0, NULL, INV },
        { "<>",                                   0, NULL, INV },
        { "mailto:",                              0, NULL, INV },
    };
    CHECK_CASES(cases);
}

TEST(empty)
{
    static const struct email_case cases[] = {
        { "",       0, NULL, EMAIL_EMPTY },
        { "  \t ",  0, NULL, EMAIL_EMPTY },
        { NULL,     0, NULL, EMAIL_EMPTY },
    };
    CHECK_CASES(cases);
}

TEST(idn_domains)
{
    static const struct email_case cases[] = {
        { "<ann@müller.de>",           0, "ann@xn--mller-kva.de", 0 },
        { "ann@MÜLLER.de",             0, "ann@xn--mller-kva.de", 0 },
        { "ann@xn--mller-kva.de",      0, "ann@xn--mller-kva.de", 0 },
        { "jörg@müller.de",            0, "jörg@xn--mller-kva.de", 0 },   /* RFC 6531 */
        { "JÖRG@example.com",          0, "jÖrg@example.com", 0 },       /* ASCII only */
        { "ann@straße.de",             0, "ann@xn--strae-oqa.de", 0 },    /* non-transitional */
        { "ann@bücher.example",        0, "ann@xn--bcher-kva.example", 0 },
        /* TR46 maps a zero-width space away; IDNA2008 refuses symbols */
        { "ann@m\xc3\xbc\xe2\x80\x8bller.de", 0, "ann@xn--mller-kva.de", 0 },
        { "ann@\xe2\x98\x83.de",     0, NULL, INV },
        { "ann@m\xc3\xbcller .de",    0, NULL, INV },
    };
    CHECK_CASES(cases);
}

TEST(syntax)
{
    static const struct email_case cases[] = {
        { "ann@@x.de",             0, NULL, INV },
        { "ann@x@y.de",            0, NULL, INV },
        { "ann.x.de",              0, NULL, INV },
        { "@x.de",                 0, NULL, INV },
        { "ann@",                  0, NULL, INV },
        { "ann@x",                 0, NULL, INV },
        { "ann@-x.de",             0, NULL, INV },
        { "ann@x-.de",             0, NULL, INV },
        { "ann@x..de",             0, NULL, INV },
        { "ann@.x.de",             0, NULL, INV },
        { "ann@x.de.",             0, NULL, INV },
        { ".ann@x.de",             0, NULL, INV },
        { "ann.@x.de",             0, NULL, INV },
        { "ann..cole@x.de",        0, NULL, INV },
        { "ann@x.123",             0, NULL, INV },
        { "ann@192.168.0.1",       0, NULL, INV },
        { "ann@[192.168.0.1]",     0, NULL, INV },
        { "ann cole@x.de",         0, NULL, INV },
        { "\"ann cole\"@x.de",     0, NULL, INV },
        { "ann(c)@x.de",           0, NULL, INV },
        { "ann@x_y.de",            0, NULL, INV },
        { "ann,cole@x.de",         0, NULL, INV },
        { "ann@x.de, bob@y.de",    0, NULL, INV },
        { "o'brien@x.ie",          0, "o'brien@x.ie", 0 },
        { "a!#$%&*+/=?^_`{|}~-b@x.de", 0, "a!#$%&*+/=?^_`{|}~-b@x.de", 0 },
        { "ann@x1.de",             0, "ann@x1.de", 0 },
        { "ann@123.example.de",    0, "ann@123.example.de", 0 },
        { "ann@x.co.uk",           0, "ann@x.co.uk", 0 },
        { "ann@x-y.de",            0, "ann@x-y.de", 0 },
        { "a@b.cd",                0, "a@b.cd", 0 },
        { "ann\xff@x.de",          0, NULL, INV },
        { "ann@x\xc3.de",          0, NULL, INV },
    };
    CHECK_CASES(cases);
}

TEST(length_limits)
{
    char local64[100], local65[100], label63[100], label64[100], longdom[400], huge[400];
    memset(local64, 'a', 64);
    strcpy(local64 + 64, "@x.de");
    memset(local65, 'a', 65);
    strcpy(local65 + 65, "@x.de");
    strcpy(label63, "ann@");
    memset(label63 + 4, 'b', 63);
    strcpy(label63 + 67, ".de");
    strcpy(label64, "ann@");
    memset(label64 + 4, 'b', 64);
    strcpy(label64 + 68, ".de");
    /* 4 labels of 60 + ".de": 247 bytes of domain, 251 in all: fits */
    strcpy(longdom, "ann@");
    for (int i = 0; i < 4; i++) {
        memset(longdom + 4 + i * 61, 'c', 60);
        longdom[4 + i * 61 + 60] = '.';
    }
    strcpy(longdom + 4 + 4 * 61, "de");
    /* 300 bytes: over every limit */
    memset(huge, 'd', 300);
    memcpy(huge + 200, "@example.com", 12);
    huge[300] = '\0';
    char bigger[EMAIL_MAX_RAW + 10];
    memset(bigger, ' ', sizeof bigger - 1);
    bigger[sizeof bigger - 1] = '\0';
    memcpy(bigger, "ann@x.de", 8);
    const struct email_case cases[] = {
        { local64, 0, local64, 0 },
        { local65, 0, NULL, INV },
        { label63, 0, label63, 0 },
        { label64, 0, NULL, INV },
        { longdom, 0, longdom, 0 },
        { huge,    0, NULL, INV },
        { bigger,  0, NULL, INV },
    };
    CHECK_CASES(cases);
}

TEST(roles)
{
    static const struct email_case cases[] = {
        { "info@firma.de",          0, "info@firma.de", EMAIL_ROLE },
        { "INFO@Firma.de",          0, "info@firma.de", EMAIL_ROLE },
        { "Kontakt@firma.de",       0, "kontakt@firma.de", EMAIL_ROLE },
        { "sales+web@x.com",        0, "sales+web@x.com", EMAIL_ROLE },
        { "no-reply@x.com",         0, "no-reply@x.com", EMAIL_ROLE },
        { "noreply@x.com",          0, "noreply@x.com", EMAIL_ROLE },
        { "buchhaltung@x.de",       0, "buchhaltung@x.de", EMAIL_ROLE },
        { "hr@x.de",                0, "hr@x.de", EMAIL_ROLE },
        { "information@x.de",       0, "information@x.de", 0 },
        { "info.cole@x.de",         0, "info.cole@x.de", 0 },
        { "ann@info.de",            0, "ann@info.de", 0 },
    };
    CHECK_CASES(cases);
    size_t n = 0;
    for (const char *const *r = email_role_names; *r; r++)
        n++;
    CHECK(n >= 26);
}

TEST(provider_rules)
{
#define FM EMAIL_FREEMAIL
    static const struct email_case cases[] = {
        /* off by default: nothing but case */
        { "Ann.Cole+crm@GMail.com",      0,  "ann.cole+crm@gmail.com", FM },
        { "ann.cole@googlemail.com",     0,  "ann.cole@googlemail.com", FM },
        /* on */
        { "Ann.Cole+crm@GMail.com",      PR, "anncole@gmail.com", PR | FM },
        { "a.n.n.cole@gmail.com",        PR, "anncole@gmail.com", PR | FM },
        { "ann.cole@googlemail.com",     PR, "anncole@gmail.com", PR | FM },
        { "anncole@gmail.com",           PR, "anncole@gmail.com", FM },
        { "ann.cole+x@outlook.com",      PR, "ann.cole@outlook.com", PR | FM },
        { "ann+x@hotmail.com",           PR, "ann@hotmail.com", PR | FM },
        { "ann+x@icloud.com",            PR, "ann@icloud.com", PR | FM },
        { "ann.cole+x@web.de",           PR, "ann.cole+x@web.de", FM },
        { "ann.cole+x@firma.de",         PR, "ann.cole+x@firma.de", 0 },
        { "ann+x@gmail.com.evil.example", PR, "ann+x@gmail.com.evil.example", 0 },
        { "+x@gmail.com",                PR, "+x@gmail.com", FM },
        { "info+x@gmail.com",            PR, "info@gmail.com", PR | EMAIL_ROLE | FM },
    };
    CHECK_CASES(cases);
}

/* Private addresses: the free-mail providers, whatever the case; an employer's is not. */
TEST(freemail)
{
    static const struct email_case cases[] = {
        { "Jan.Berg@GMX.DE",             0,  "jan.berg@gmx.de", FM },
        { "jberg@t-online.de",           0,  "jberg@t-online.de", FM },
        { "j.berg@comcast.net",          0,  "j.berg@comcast.net", FM },
        { "j.berg@berg-gmbh.de",         0,  "j.berg@berg-gmbh.de", 0 },
        { "j.berg@gmx.de.example",       0,  "j.berg@gmx.de.example", 0 },
    };
    CHECK_CASES(cases);
#undef FM
}

TEST(appends_and_respects_the_cap)
{
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "x;");
    CHECK_INT(email_normalise("Ann@X.de", 0, &b), 0);
    CHECK_STR(b.data, "x;ann@x.de");
    buf_free(&b);

    struct buf small = BUF_INIT(8);
    buf_addstr(&small, "ab");
    CHECK_INT(email_normalise("ann@example.com", 0, &small), EMAIL_INVALID | EMAIL_NOMEM);
    CHECK_STR(small.data, "ab");
    CHECK_INT(small.len, 2);
    buf_free(&small);
}

int main(void)
{
    RUN(trimming_and_wrappers);
    RUN(empty);
    RUN(idn_domains);
    RUN(syntax);
    RUN(length_limits);
    RUN(roles);
    RUN(provider_rules);
    RUN(freemail);
    RUN(appends_and_respects_the_cap);
    return test_report();
}
