/* test_person.c — person names for matching and the nickname table
 * (transforms/normalise/person.c), table-driven with real German and English names. */
#include <stdlib.h>
#include "tests/unit/testlib.h"
#include "transforms/normalise/person.h"

static struct nicknames *nk;

struct person_case {
    struct person_fields in;
    const char *honorific, *suffix, *given, *given_plain, *middle, *initials;
    const char *family, *family_core, *canon;     /* canon: the names joined by ',' */
    unsigned flags;
};

#define FULL(s) { NULL, NULL, NULL, NULL, NULL, (s) }

static void join_canon(const struct person_norm *p, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p->ncanon; i++)
        k += (size_t)snprintf(out + k, k < cap ? cap - k : 0, "%s%s", i ? "," : "",
                              p->canon[i]);
}

static void check_cases(const struct person_case *cases, size_t n)
{
    struct arena a = ARENA_INIT;
    for (size_t i = 0; i < n; i++) {
        const struct person_case *k = &cases[i];
        struct person_norm p;
        int before = tl_case_failed;
        tl_case_failed = 0;
        CHECK_INT(person_normalise(&k->in, nk, &a, &p), CM_OK);
        char canon[256];
        join_canon(&p, canon, sizeof canon);
        CHECK_STR(p.honorific, k->honorific);
        CHECK_STR(p.suffix, k->suffix);
        CHECK_STR(p.given, k->given);
        CHECK_STR(p.given_plain, k->given_plain);
        CHECK_STR(p.middle, k->middle);
        CHECK_STR(p.initials, k->initials);
        CHECK_STR(p.family, k->family);
        CHECK_STR(p.family_core, k->family_core);
        CHECK_STR(canon, k->canon);
        CHECK_INT(p.flags, k->flags);
        if (tl_case_failed)
            fprintf(stderr, "  ... case %zu: full \"%s\", given \"%s\", family \"%s\"\n", i,
                    k->in.full ? k->in.full : "(null)", k->in.given ? k->in.given : "(null)",
                    k->in.family ? k->in.family : "(null)");
        tl_case_failed |= before;
        arena_reset(&a);
    }
    arena_free(&a);
}

TEST(full_names_german)
{
    static const struct person_case cases[] = {
        { FULL("Herr Dr. Jürgen Müller"), "herr dr", NULL, "juergen", "jurgen", NULL, "j",
          "mueller", "mueller", "juergen", 0 },
        { FULL("MÜLLER, JÜRGEN"), NULL, NULL, "juergen", "jurgen", NULL, "j",
          "mueller", "mueller", "juergen", 0 },
        { FULL("Müller, Jürgen, Dr."), "dr", NULL, "juergen", "jurgen", NULL, "j",
          "mueller", "mueller", "juergen", 0 },
        { FULL("Prof. Dr.-Ing. Hans-Peter von der Heide"), "prof dr ing", NULL,
          "hans peter", NULL, NULL, "h p", "von der heide", "heide", "hans,johannes,johann",
          0 },
        { FULL("Uschi Meyer"), NULL, NULL, "uschi", NULL, NULL, "u", "meyer", "meyer",
          "ursula", 0 },
        { FULL("Sepp Huber"), NULL, NULL, "sepp", NULL, NULL, "s", "huber", "huber",
          "josef,joseph", 0 },
        { FULL("Frau Eva Schulz"), "frau", NULL, "eva", NULL, NULL, "e", "schulz", "schulz",
          "eva", 0 },
        { FULL("Dipl.-Ing. Frank Krause"), "dipl ing", NULL, "frank", NULL, NULL, "f",
          "krause", "krause", "frank,francis,franklin", 0 },
        { FULL("Mag. Anna Huber"), "mag", NULL, "anna", NULL, NULL, "a", "huber", "huber",
          "anna,ann,anne", 0 },
        { FULL("Ing. Karl Gruber"), "ing", NULL, "karl", NULL, NULL, "k", "gruber", "gruber",
          "karl,carl", 0 },
        { FULL("Dr. med. Thomas Weber"), "dr med", NULL, "thomas", NULL, NULL, "t", "weber",
          "weber", "thomas", 0 },
        { FULL("Prof. Dr. Dr. h.c. mult. Paul Kirchhof"), "prof dr dr hc mult", NULL, "paul",
          NULL, NULL, "p", "kirchhof", "kirchhof", "paul", 0 },
        { FULL("Käthe Kollwitz"), NULL, NULL, "kaethe", "kathe", NULL, "k", "kollwitz",
          "kollwitz", "katharina", 0 },
        { FULL("Liesel Meier"), NULL, NULL, "liesel", NULL, NULL, "l", "meier", "meier",
          "elisabeth,elizabeth", 0 },
        { FULL("Fritz Lang"), NULL, NULL, "fritz", NULL, NULL, "f", "lang", "lang",
          "fritz,frederick,friedrich", 0 },
        { FULL("Willi Brandt"), NULL, NULL, "willi", NULL, NULL, "w", "brandt", "brandt",
          "wilhelm", 0 },
        { FULL("Hansi Hinterseer"), NULL, NULL, "hansi", NULL, NULL, "h", "hinterseer",
          "hinterseer", "hans,johannes,johann", 0 },
        { FULL("Toni Kroos"), NULL, NULL, "toni", NULL, NULL, "t", "kroos", "kroos",
          "toni,antonia,anton", 0 },
        { FULL("Gretel Bauer"), NULL, NULL, "gretel", NULL, NULL, "g", "bauer", "bauer",
          "margarete,margarethe", 0 },
        { FULL("Resi Huber"), NULL, NULL, "resi", NULL, NULL, "r", "huber", "huber",
          "theresia,therese,theresa,teresa", 0 },
        { FULL("Heinz Rühmann"), NULL, NULL, "heinz", NULL, NULL, "h", "ruehmann", "ruehmann",
          "heinz,heinrich", 0 },
        { FULL("Lutz Meyer"), NULL, NULL, "lutz", NULL, NULL, "l", "meyer", "meyer",
          "ludwig", 0 },
        { FULL("Kathi Schmidt"), NULL, NULL, "kathi", NULL, NULL, "k", "schmidt", "schmidt",
          "katharina", 0 },
        { FULL("Jürgen von Müller"), NULL, NULL, "juergen", "jurgen", NULL, "j",
          "von mueller", "mueller", "juergen", 0 },
        { FULL("Ludwig van Beethoven"), NULL, NULL, "ludwig", NULL, NULL, "l",
          "van beethoven", "beethoven", "ludwig", 0 },
        { FULL("Hans vom Berg"), NULL, NULL, "hans", NULL, NULL, "h", "vom berg", "berg",
          "hans,johannes,johann", 0 },
        { FULL("Thomas Müller-Lüdenscheidt"), NULL, NULL, "thomas", NULL, NULL, "t",
          "mueller luedenscheidt", "mueller luedenscheidt", "thomas", 0 },
        { FULL("Jörg Weiß"), NULL, NULL, "joerg", "jorg", NULL, "j", "weiss", "weiss",
          "joerg", 0 },
        { FULL("Zoë Schäfer-Öztürk"), NULL, NULL, "zoe", NULL, NULL, "z",
          "schaefer oeztuerk", "schaefer oeztuerk", "zoe", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(full_names_english)
{
    static const struct person_case cases[] = {
        { FULL("Bob Smith Jr."), NULL, "jr", "bob", NULL, NULL, "b", "smith", "smith",
          "robert", 0 },
        { FULL("Ann Cole MBA"), NULL, "mba", "ann", NULL, NULL, "a", "cole", "cole",
          "ann,anne,anna", 0 },
        { FULL("J. R. R. Tolkien"), NULL, NULL, "j", NULL, "r r", "j r r", "tolkien",
          "tolkien", "", PERSON_INITIALS },
        { FULL("Mary-Kate O'Neil"), NULL, NULL, "mary kate", NULL, NULL, "m k", "o neil",
          "oneil", "mary kate", 0 },
        { FULL("Ann"), NULL, NULL, "ann", NULL, NULL, "a", NULL, NULL, "ann,anne,anna", 0 },
        { FULL(""), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "", PERSON_EMPTY },
        { FULL("---"), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "",
          PERSON_PUNCT | PERSON_EMPTY },
        { FULL("Ann2 Cole"), NULL, NULL, "ann2", NULL, NULL, "a", "cole", "cole", "ann2",
          PERSON_DIGITS },
        { FULL("Dr. Cole"), "dr", NULL, NULL, NULL, NULL, NULL, "cole", "cole", "", 0 },
        { FULL("Mr. and Mrs. John Smith"), "mr and mrs", NULL, "john", NULL, NULL, "j",
          "smith", "smith", "john", 0 },
        { FULL("John and Jane Smith"), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "",
          PERSON_UNSPLIT | PERSON_EMPTY },
        { FULL("Ann Cole, Ph.D."), NULL, "phd", "ann", NULL, NULL, "a", "cole", "cole",
          "ann,anne,anna", 0 },
        { FULL("John Smith III"), NULL, "iii", "john", NULL, NULL, "j", "smith", "smith",
          "john", 0 },
        { FULL("Seán O'Brien"), NULL, NULL, "sean", NULL, NULL, "s", "o brien", "obrien",
          "sean", 0 },
        { FULL("Hon. John Smith"), "hon", NULL, "john", NULL, NULL, "j", "smith", "smith",
          "john", 0 },
        { FULL("van der Berg, Jan"), NULL, NULL, "jan", NULL, NULL, "j", "van der berg",
          "berg", "jan,janet,johannes,johann", 0 },
        { FULL("Sir Patrick Stewart"), "sir", NULL, "patrick", NULL, NULL, "p", "stewart",
          "stewart", "patrick", 0 },
        { FULL("Rev. Martin Luther King Jr."), "rev", "jr", "martin", NULL, "luther", "m l",
          "king", "king", "martin", 0 },
        { FULL("Peggy Sue"), NULL, NULL, "peggy", NULL, NULL, "p", "sue", "sue",
          "margaret", 0 },
        { FULL("Bill Gates"), NULL, NULL, "bill", NULL, NULL, "b", "gates", "gates",
          "william", 0 },
        { FULL("Liz Taylor"), NULL, NULL, "liz", NULL, NULL, "l", "taylor", "taylor",
          "elizabeth,elisabeth", 0 },
        { FULL("Ronald McDonald"), NULL, NULL, "ronald", NULL, NULL, "r", "mcdonald",
          "mcdonald", "ronald", 0 },
        { FULL("José García"), NULL, NULL, "jose", NULL, NULL, "j", "garcia", "garcia",
          "jose", 0 },
        { FULL("Ødegaard, Martin"), NULL, NULL, "martin", NULL, NULL, "m", "odegaard",
          "odegaard", "martin", 0 },
        { FULL("Dame Judi Dench"), "dame", NULL, "judi", NULL, NULL, "j", "dench", "dench",
          "judi", 0 },
        { FULL("Miss Ann Cole"), "miss", NULL, "ann", NULL, NULL, "a", "cole", "cole",
          "ann,anne,anna", 0 },
        { FULL("Cathy Jones"), NULL, NULL, "cathy", NULL, NULL, "c", "jones", "jones",
          "catherine,katherine,kathryn,catharine,katharine", 0 },
        { FULL("Ms Rebekah Brooks"), "ms", NULL, "rebekah", NULL, NULL, "r", "brooks",
          "brooks", "rebekah", 0 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(separate_fields)
{
    static const struct person_case cases[] = {
        { { NULL, "Dr. Hans", NULL, "Müller", NULL, NULL }, "dr", NULL, "hans", NULL, NULL,
          "h", "mueller", "mueller", "hans,johannes,johann", 0 },
        { { "Herr", "Jürgen", NULL, "Müller", NULL, NULL }, "herr", NULL, "juergen",
          "jurgen", NULL, "j", "mueller", "mueller", "juergen", 0 },
        { { NULL, "Bob", NULL, "Smith", "Jr.", NULL }, NULL, "jr", "bob", NULL, NULL, "b",
          "smith", "smith", "robert", 0 },
        { { NULL, "J.R.", NULL, "Ewing", NULL, NULL }, NULL, NULL, "j r", NULL, NULL, "j r",
          "ewing", "ewing", "", PERSON_INITIALS },
        { { NULL, "John", NULL, "Smith Jr.", NULL, NULL }, NULL, "jr", "john", NULL, NULL,
          "j", "smith", "smith", "john", 0 },
        { { NULL, "Anna Maria", NULL, "Schmidt", NULL, NULL }, NULL, NULL, "anna maria",
          NULL, NULL, "a m", "schmidt", "schmidt", "anna,ann,anne", 0 },
        { { "Prof. Dr.", "Eva", "Maria", "Braun", "", NULL }, "prof dr", NULL, "eva", NULL,
          "maria", "e m", "braun", "braun", "eva", 0 },
        { { NULL, "Hans", NULL, "Dr. Müller", NULL, NULL }, "dr", NULL, "hans", NULL, NULL,
          "h", "mueller", "mueller", "hans,johannes,johann", 0 },
        { { NULL, "  ", NULL, "  ", NULL, "Kim Lee" }, NULL, NULL, "kim", NULL, NULL, "k",
          "lee", "lee", "kim,kimberly", 0 },
        { { NULL, "Ann", NULL, "Cole", NULL, "ignored when the parts are there" }, NULL,
          NULL, "ann", NULL, NULL, "a", "cole", "cole", "ann,anne,anna", 0 },
        { { NULL, NULL, NULL, NULL, NULL, NULL }, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, "", PERSON_EMPTY },
        { { NULL, "!!!", NULL, "Meier", NULL, NULL }, NULL, NULL, NULL, NULL, NULL, NULL,
          "meier", "meier", "", PERSON_PUNCT },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(bad_input_is_flagged)
{
    static const struct person_case cases[] = {
        /* UTF-8 read as Windows-1252 and written again */
        { FULL("MÃ¼ller, Hans"), NULL, NULL, "hans", NULL, NULL, "h", "mueller", "mueller",
          "hans,johannes,johann", PERSON_REPAIRED },
        /* Latin-1 bytes in a UTF-8 field: left empty, not guessed at */
        { { NULL, "Hans", NULL, "M\xfcller", NULL, NULL }, NULL, NULL, "hans", NULL, NULL,
          "h", NULL, NULL, "hans,johannes,johann", PERSON_INVALID_UTF8 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);

    struct arena a = ARENA_INIT;
    char big[400];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct person_fields f = { NULL, big, NULL, "Cole", NULL, NULL };
    struct person_norm p;
    CHECK_INT(person_normalise(&f, nk, &a, &p), CM_OK);
    CHECK(p.flags & PERSON_TOO_LONG);
    CHECK_INT(strlen(p.given), sizeof big - 1);

    /* more words than a name has: folded whole, not taken apart */
    char many[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(many, "Dr. ");
    strcat(many, "Cole");
    struct person_fields g = { NULL, NULL, NULL, many, NULL, NULL };
    CHECK_INT(person_normalise(&g, nk, &a, &p), CM_OK);
    CHECK(strncmp(p.family, "dr dr ", 6) == 0);
    arena_free(&a);
}

TEST(phonetic_codes)
{
    struct arena a = ARENA_INIT;
    struct person_norm p;
    struct person_fields f = FULL("Catherine Schmidt");
    CHECK_INT(person_normalise(&f, nk, &a, &p), CM_OK);
    CHECK_STR(p.given_dm[0], "K0RN");
    CHECK_STR(p.given_dm[1], "KTRN");
    CHECK_STR(p.family_dm[0], "XMT");
    CHECK_STR(p.family_dm[1], "SMT");
    CHECK_STR(p.family_kp, "862");

    /* DM on the plain fold, Kölner on the German fold; particles left out */
    struct person_fields g = FULL("Jürgen von Müller");
    CHECK_INT(person_normalise(&g, nk, &a, &p), CM_OK);
    CHECK_STR(p.family_dm[0], "MLR");
    CHECK_STR(p.family_kp, "657");
    CHECK_STR(p.given_kp, "0746");
    struct person_fields h = FULL("Juergen Mueller");
    struct person_norm q;
    CHECK_INT(person_normalise(&h, nk, &a, &q), CM_OK);
    CHECK_STR(q.family_kp, p.family_kp);
    CHECK_STR(q.given_kp, p.given_kp);

    struct person_fields m = FULL("Thomas Müller-Lüdenscheidt");
    CHECK_INT(person_normalise(&m, nk, &a, &p), CM_OK);
    CHECK_STR(p.family_kp, "65752682");

    /* initials get no codes */
    struct person_fields i = FULL("J. Smith");
    CHECK_INT(person_normalise(&i, nk, &a, &p), CM_OK);
    CHECK_STR(p.given_dm[0], "");
    CHECK_STR(p.given_kp, "");
    CHECK_STR(p.family_dm[0], "SM0");
    arena_free(&a);
}

TEST(without_a_nickname_table)
{
    struct arena a = ARENA_INIT;
    struct person_norm p;
    struct person_fields f = FULL("Bob Smith");
    CHECK_INT(person_normalise(&f, NULL, &a, &p), CM_OK);
    CHECK_INT(p.ncanon, 1);
    CHECK_STR(p.canon[0], "bob");
    struct person_fields c = { NULL, NULL, NULL, NULL, NULL, NULL };
    struct contact ct;
    memset(&ct, 0, sizeof ct);
    ct.given_name = "Ann";
    ct.full_name = "Ann Cole";
    c = person_fields_of(&ct);
    CHECK_STR(c.given, "Ann");
    CHECK_STR(c.full, "Ann Cole");
    CHECK(c.family == NULL);
    arena_free(&a);
}

/* ---- the nickname table ---- */

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

TEST(table_shipped)
{
    CHECK(nk != NULL);
    CHECK(nicknames_count(nk) >= 400);
    const char *const *canon;
    size_t n;
    CHECK(nicknames_lookup(nk, "bobby", &canon, &n));
    CHECK_INT(n, 1);
    CHECK_STR(canon[0], "robert");
    CHECK(nicknames_lookup(nk, "kaethe", &canon, &n));
    CHECK_STR(canon[0], "katharina");
    CHECK(!nicknames_lookup(nk, "käthe", &canon, &n));     /* keys are folded */
    CHECK(!nicknames_lookup(nk, "robert", &canon, &n));    /* canonical only */
    CHECK(!nicknames_lookup(nk, "xyzzy", &canon, &n));

    /* the default path: schemas_dir()/nicknames.tsv */
    struct nicknames *d = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(nicknames_load(NULL, &d, err), CM_OK);
    CHECK_INT(nicknames_count(d), nicknames_count(nk));
    nicknames_free(d);
}

TEST(table_errors_name_file_and_line)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        { "# c\nbob\trobert\nbill william\n", "nick.tsv:3: no tab after the nickname" },
        { "Bob\trobert\n",
          "nick.tsv:1: \"Bob\": a name is folded: lower-case a-z and single spaces" },
        { "bob\trobert,\n",
          "nick.tsv:1: \"\": a canonical name is folded: lower-case a-z and single spaces" },
        { "bob\trobert\n\nbob\trobin\n", "nick.tsv:3: \"bob\" is already on line 1" },
        { "bob\trobert,robert\n", "nick.tsv:1: \"robert\" is listed twice" },
        { "k\u00e4the\tkatharina\n",
          "nick.tsv:1: \"k\u00e4the\": a name is folded: lower-case a-z and single spaces" },
        { "x\ta,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", "nick.tsv:1: more than 16 canonical names" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = write_file("nick.tsv", cases[i].text);
        struct nicknames *t = NULL;
        char err[CM_ERRBUF] = "";
        CHECK_INT(nicknames_load(path, &t, err), CM_ERR_CONFIG);
        CHECK(t == NULL);
        const char *slash = strrchr(err, '/');
        CHECK_STR(slash ? slash + 1 : err, cases[i].err);
        remove(path);
    }
    struct nicknames *t = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(nicknames_load("/nonexistent/nick.tsv", &t, err), CM_ERR_IO);
    CHECK_STR(err, "/nonexistent/nick.tsv: cannot open: No such file or directory");

    /* CRLF line ends and comments are fine; an empty file is an empty table */
    const char *path = write_file("nick.tsv", "# x\r\nbob\trobert\r\nmary ann\tmary,ann\r\n");
    CHECK_INT(nicknames_load(path, &t, err), CM_OK);
    CHECK_INT(nicknames_count(t), 2);
    const char *const *canon;
    size_t n;
    CHECK(nicknames_lookup(t, "mary ann", &canon, &n));
    CHECK_INT(n, 2);
    CHECK_STR(canon[1], "ann");
    nicknames_free(t);
    path = write_file("nick.tsv", "");
    CHECK_INT(nicknames_load(path, &t, err), CM_OK);
    CHECK(!nicknames_lookup(t, "bob", &canon, &n));
    nicknames_free(t);
    remove(path);
}

int main(void)
{
    char err[CM_ERRBUF] = "";
    if (nicknames_load("schemas/nicknames.tsv", &nk, err) != CM_OK)
        fprintf(stderr, "test_person: %s\n", err);
    RUN(table_shipped);
    RUN(table_errors_name_file_and_line);
    RUN(full_names_german);
    RUN(full_names_english);
    RUN(separate_fields);
    RUN(bad_input_is_flagged);
    RUN(phonetic_codes);
    RUN(without_a_nickname_table);
    nicknames_free(nk);
    return test_report();
}
