/* test_match.c — the Fellegi–Sunter matcher (transforms/match/): string similarity,
 * comparison levels, EM on a synthetic mixture, term-frequency ordering, cluster repair
 * of a weak chain, overrides, and the same clusters for one and two threads on the
 * Febrl data (read in place from ../shared/data/febrl/ when present). */
#include <math.h>
#include <stdlib.h>
#include "transforms/match/cluster.h"
#include "transforms/match/compare.h"
#include "transforms/match/score.h"
#include "transforms/match/strsim.h"
#include "transforms/resolve.h"
#include "testlib.h"

static const char *const SRC[] = { "crm" };

static struct contact person(const char *key, const char *given, const char *family,
                             const char *email, const char *street, const char *city)
{
    struct contact c;
    memset(&c, 0, sizeof c);
    c.source = "crm";
    c.source_key = key;
    c.given_name = given;
    c.family_name = family;
    if (email)
        c.emails[c.nemails++] = email;
    if (street || city) {
        c.naddresses = 1;
        c.addresses[0].type = "home";
        c.addresses[0].lines[0] = street;
        c.addresses[0].nlines = street ? 1 : 0;
        c.addresses[0].city = city;
        c.addresses[0].country = "DE";
    }
    return c;
}

static void store_of(struct profile_store *s, struct contact *c, size_t n)
{
    char err[CM_ERRBUF];
    CHECK_INT(profile_store_init(s, NULL, SRC, NULL, 1, err), CM_OK);
    for (size_t i = 0; i < n; i++) {
        uint32_t rec;
        CHECK_INT(profile_store_add(s, 0, &c[i], &rec, err), CM_OK);
    }
    CHECK_INT(profile_store_finish(s, 2, err), CM_OK);
}

TEST(jaro_winkler_published_values)
{
    /* Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813 */
    CHECK(fabs(jaro_winkler("martha", 6, "marhta", 6) - 0.961) < 0.001);
    CHECK(fabs(jaro_winkler("dwayne", 6, "duane", 5) - 0.840) < 0.001);
    CHECK(fabs(jaro_winkler("dixon", 5, "dicksonx", 8) - 0.813) < 0.001);
    CHECK(jaro_winkler("abc", 3, "abc", 3) == 1.0);
    CHECK(jaro_winkler("", 0, "abc", 3) == 0.0);
    CHECK(one_slip("19560409", "19560490", 8));
    CHECK(one_slip("2119", "2191", 4));         /* adjacent digits swapped */
    CHECK(one_slip("2119", "2911", 4) == 0);    /* two changes apart */
    CHECK(one_slip("2119", "2129", 4));
}

TEST(comparison_levels)
{
    struct contact c[] = {
        person("1", "Robert", "Müller", "bob@x.example", "Hauptstraße 5", "Berlin"),
        person("2", "Bob", "Mueller", "BOB@x.example", "Hauptstr. 5", "Berlin"),
        person("3", "Mueller", "Robert", NULL, NULL, NULL),
        person("4", "Katharina", "Schmidt", "kathi77@y.example", NULL, "Köln"),
        person("5", "Katharina", "Schmitt", "kathi77@z.example", NULL, "Koeln"),
    };
    struct profile_store s;
    store_of(&s, c, 5);
    uint8_t lv[CMP_COUNT];
    uint64_t tf[CMP_COUNT];
    compare_pair(&s, NULL, 0, 1, lv, tf);
    CHECK_INT(lv[CMP_GIVEN], GIVEN_CANON);          /* Bob is a Robert */
    CHECK_INT(lv[CMP_FAMILY], FAMILY_EXACT);        /* ü folded the German way */
    CHECK_INT(lv[CMP_EMAIL], EMAIL_EXACT);
    CHECK_INT(lv[CMP_STREET], LV_EXACT);            /* Str. is Straße */
    CHECK_INT(lv[CMP_HOUSE], LV_EXACT);
    CHECK(tf[CMP_FAMILY] != 0);
    compare_pair(&s, NULL, 0, 2, lv, tf);
    CHECK_INT(lv[CMP_GIVEN], GIVEN_SWAPPED);
    CHECK_INT(lv[CMP_FAMILY], FAMILY_SWAPPED);
    CHECK_INT(lv[CMP_EMAIL], LV_MISSING);
    compare_pair(&s, NULL, 3, 4, lv, tf);
    CHECK_INT(lv[CMP_GIVEN], GIVEN_EXACT);
    CHECK_INT(lv[CMP_FAMILY], FAMILY_JW_HIGH);      /* Schmidt / Schmitt */
    CHECK_INT(lv[CMP_EMAIL], EMAIL_LOCAL);          /* same local part, other domain */
    CHECK_INT(lv[CMP_CITY], LV_EXACT);              /* Köln / Koeln */
    compare_pair(&s, NULL, 0, 3, lv, tf);
    CHECK_INT(lv[CMP_GIVEN], GIVEN_DIFFERENT);
    CHECK_INT(lv[CMP_EMAIL], EMAIL_DIFFERENT);
    profile_store_free(&s);
}

/* Birth dates compared through profiles set by hand. */
TEST(birth_date_levels)
{
    struct contact c[] = { person("1", "A", "B", NULL, NULL, NULL),
                           person("2", "A", "B", NULL, NULL, NULL) };
    struct profile_store s;
    store_of(&s, c, 2);
    struct { uint32_t a, b; int level; } cases[] = {
        { 19560409, 19560409, BIRTH_EXACT }, { 19560409, 19560904, BIRTH_SWAP_DM },
        { 19560409, 19570409, BIRTH_ONE_PART }, { 19560409, 19506409, BIRTH_SLIP },
        { 19560409, 19850614, BIRTH_DIFFERENT }, { 19560000, 19560409, BIRTH_ONE_PART },
        { 0, 19560409, LV_MISSING },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        s.profile[0].birth_date = cases[i].a;
        s.profile[1].birth_date = cases[i].b;
        uint8_t lv[CMP_COUNT];
        compare_pair(&s, NULL, 0, 1, lv, NULL);
        CHECK_INT(lv[CMP_BIRTH], cases[i].level);
    }
    profile_store_free(&s);
}

/* A mixture with known m and u on two comparisons: EM recovers m and the share. */
TEST(em_recovers_a_known_mixture)
{
    enum { N = 20000 };
    uint64_t *codes = malloc(N * sizeof *codes);
    uint64_t state = 7;
    size_t matches = 0;
    for (int i = 0; i < N; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double r1 = (double)(state >> 11) / 9007199254740992.0;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double r2 = (double)(state >> 11) / 9007199254740992.0;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double r3 = (double)(state >> 11) / 9007199254740992.0;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double r4 = (double)(state >> 11) / 9007199254740992.0;
        int match = r1 < 0.2;
        matches += match;
        uint8_t lv[CMP_COUNT] = { 0 };
        /* given: exact with m 0.9 / u 0.05, else different; family the same with 0.8 / 0.1 */
        lv[CMP_GIVEN] = r2 < (match ? 0.9 : 0.05) ? GIVEN_EXACT : GIVEN_DIFFERENT;
        lv[CMP_FAMILY] = r3 < (match ? 0.8 : 0.1) ? FAMILY_EXACT : FAMILY_DIFFERENT;
        lv[CMP_REGION] = r4 < (match ? 0.85 : 0.2) ? LV_EXACT : 2;
        codes[i] = cmp_pack(lv);
    }
    struct fs_model m;
    memset(&m, 0, sizeof m);
    for (int c = 0; c < CMP_COUNT; c++) {
        for (int l = 0; l < CMP_MAX_LEVELS; l++)
            m.u[c][l] = 1.0 / cmp_defs[c].nlevels;
    }
    /* u as random pairs would give it (the non-match shares) */
    m.u[CMP_GIVEN][GIVEN_EXACT] = 0.05;
    m.u[CMP_GIVEN][GIVEN_DIFFERENT] = 0.95;
    m.u[CMP_FAMILY][FAMILY_EXACT] = 0.1;
    m.u[CMP_FAMILY][FAMILY_DIFFERENT] = 0.9;
    m.u[CMP_REGION][LV_EXACT] = 0.2;
    m.u[CMP_REGION][2] = 0.8;
    char err[CM_ERRBUF];
    model_initial_m(&m);
    CHECK_INT(model_train_em(&m, codes, N, 500, 0, err), CM_OK);
    CHECK(fabs(m.lambda - (double)matches / N) < 0.03);
    CHECK(fabs(m.m[CMP_GIVEN][GIVEN_EXACT] - 0.9) < 0.05);
    CHECK(fabs(m.m[CMP_FAMILY][FAMILY_EXACT] - 0.8) < 0.05);
    CHECK(fabs(m.m[CMP_REGION][LV_EXACT] - 0.85) < 0.05);
    free(codes);
}

/* A shared rare surname weighs more than a shared common one. */
TEST(term_frequency_rare_names_count_more)
{
    enum { N = 200 };
    struct contact *c = calloc(N, sizeof *c);
    char (*key)[16] = calloc(N, sizeof *key);
    for (int i = 0; i < N; i++) {
        snprintf(key[i], sizeof key[i], "%d", i);
        c[i] = person(key[i], i % 2 ? "Anna" : "Jan", i < 2 ? "Quirinius" : "Müller",
                      NULL, NULL, NULL);
    }
    struct profile_store s;
    store_of(&s, c, N);
    struct tf_tables t;
    memset(&t, 0, sizeof t);
    t.max_bonus = 10;
    t.min_share = 1.0 / N;
    char err[CM_ERRBUF];
    CHECK_INT(tf_build(&t, &s, err), CM_OK);
    struct fs_model m;
    memset(&m, 0, sizeof m);
    m.m[CMP_FAMILY][FAMILY_EXACT] = 0.9;
    m.u[CMP_FAMILY][FAMILY_EXACT] = 0.01;
    double rare = tf_weight(&t, &m, CMP_FAMILY, s.profile[0].family);
    double common = tf_weight(&t, &m, CMP_FAMILY, s.profile[5].family);
    CHECK(rare > common + 5);
    CHECK(rare <= model_level_weight(&m, CMP_FAMILY, FAMILY_EXACT) + 10 + 1e-9);
    tf_free(&t);
    profile_store_free(&s);
    free(c);
    free(key);
}

/* A–B and B–C accepted, A–C plainly different: repair keeps A and C apart; a
 * cannot-link (-INFINITY) inside a component is respected. */
static double chain_weight(void *ctx, uint32_t a, uint32_t b)
{
    (void)ctx;
    if (a > b) { uint32_t t = a; a = b; b = t; }
    if (a == 0 && b == 1) return 12;       /* A-B strong */
    if (a == 1 && b == 2) return 4;        /* B-C weak link */
    if (a == 0 && b == 2) return -20;      /* A-C different people */
    if (a == 3 && b == 4) return 10;
    if (a == 4 && b == 5) return 10;
    if (a == 3 && b == 5) return -INFINITY;   /* cannot-link */
    return -30;
}

TEST(cluster_repair_breaks_a_weak_chain_and_respects_cannot_link)
{
    struct cluster_edge e[] = { { 0, 1, 12 }, { 1, 2, 4 }, { 3, 4, 10 }, { 4, 5, 10 } };
    uint32_t cl[6];
    struct cluster_stats st;
    struct cluster_options o = { 3.17, 300 };          /* probability 0.9 */
    char err[CM_ERRBUF];
    CHECK_INT(cluster_records(6, e, 4, chain_weight, NULL, &o, cl, &st, err), CM_OK);
    CHECK_INT(cl[0], 0);
    CHECK_INT(cl[1], 0);
    CHECK_INT(cl[2], 2);                               /* split off */
    CHECK(cl[3] != cl[5]);                             /* cannot-link */
    CHECK(cl[4] == cl[3] || cl[4] == cl[5]);
    CHECK_INT(st.components_repaired, 2);
    CHECK_INT(st.components_split, 2);
    /* connected components alone would have made two clusters of three */
    CHECK_INT(st.clusters, 4);
}

/* Overrides from the config: must-link joins, cannot-link separates. */
TEST(overrides_always_win)
{
    struct contact c[] = {
        person("a", "Ann", "Cole", "ann@cole.example", "Baker St 12", "Springfield"),
        person("b", "Ann", "Cole", "ann@cole.example", "Baker St 12", "Springfield"),
        person("c", "Zoe", "Quinn", "zq@q.example", NULL, "Berlin"),
        person("d", "Max", "Power", "max@p.example", NULL, "Hamburg"),
    };
    struct profile_store s;
    store_of(&s, c, 4);
    json_error_t je;
    json_t *m = json_loads("{\"method\":\"fellegi_sunter\", \"cannot_link\": [[\"crm:a\", \"crm:b\"]],"
                           " \"must_link\": [[\"crm:c\", \"crm:d\"]]}", 0, &je);
    const struct resolver_ops *ops = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(resolver_for(m, &ops, err), CM_OK);
    struct resolve_config cfg = { m, "match", NULL, 1 };
    void *r = NULL;
    CHECK_INT(ops->xNew(&cfg, &r, err), CM_OK);
    uint32_t cl[4];
    CHECK_INT(ops->xResolve(r, &s, cl, NULL, err), CM_OK);
    CHECK(cl[0] != cl[1]);
    CHECK(cl[2] == cl[3]);
    struct buf b = BUF_INIT(0);
    CHECK_INT(ops->xExplain(r, &s, 0, 1, cl, &b, err), CM_OK);
    CHECK(strstr(b.data, "rule: cannot-link override") != NULL);
    CHECK(strstr(b.data, "clusters: different customers") != NULL);
    buf_free(&b);
    ops->xFree(r);
    json_decref(m);
    profile_store_free(&s);
}

/* Spouses and colleagues: one address, one company, one switchboard, different given
 * names. The matcher keeps them apart and says which rule did; the same person's two
 * records still merge. */
TEST(household_rule_keeps_colleagues_apart)
{
    struct contact c[] = {
        person("1", "Ann", "Cole", "ann@cole.example", "Baker St 12", "Springfield"),
        person("2", "Tom", "Cole", "tom@cole.example", "Baker St 12", "Springfield"),
        person("3", "Ann", "Cole", "ann@cole.example", "Baker Street 12", "Springfield"),
        person("4", "Zoe", "Quinn", "zq@q.example", "Elm Ave 3", "Berlin"),
    };
    for (int i = 0; i < 4; i++) {
        c[i].company = i < 3 ? "Cole Bakery" : "Quinn AG";
        c[i].phones[0].number = i < 3 ? "+1 217 555 0100" : "+49 30 1234567";
        c[i].nphones = 1;
    }
    struct profile_store s;
    store_of(&s, c, 4);
    const struct resolver_ops *ops = resolver_find("fellegi_sunter");
    char err[CM_ERRBUF] = "";
    struct resolve_config cfg = { NULL, "match", NULL, 1 };
    void *r = NULL;
    CHECK_INT(ops->xNew(&cfg, &r, err), CM_OK);
    uint32_t cl[4];
    CHECK_INT(ops->xResolve(r, &s, cl, NULL, err), CM_OK);
    CHECK(cl[0] == cl[2]);                   /* Ann twice: one customer */
    CHECK(cl[1] != cl[0]);                   /* Tom is not Ann */
    CHECK(cl[3] != cl[0]);
    struct buf b = BUF_INIT(0);
    CHECK_INT(ops->xExplain(r, &s, 0, 1, cl, &b, err), CM_OK);
    CHECK(strstr(b.data, "rule: different given names") != NULL);
    buf_free(&b);
    ops->xFree(r);
    profile_store_free(&s);
}

/* Father and son: one name, one home, one phone, "Sr." on one record, their own
 * e-mails. Kept apart, with the rule said. */
TEST(parent_and_child_kept_apart)
{
    struct contact c[] = {
        person("1", "John", "Smith", "john.smith@gmail.com", "Main St 1", "Springfield"),
        person("2", "John", "Smith", "jsmith.sr@aol.com", "Main St 1", "Springfield"),
        person("3", "Mary", "Jones", "mary@jones.example", "Elm Ave 3", "Shelbyville"),
    };
    c[1].suffix = "Sr.";
    for (int i = 0; i < 3; i++) {
        c[i].phones[0].number = i < 2 ? "+1 217 555 0111" : "+1 217 555 0999";
        c[i].nphones = 1;
    }
    struct profile_store s;
    store_of(&s, c, 3);
    const struct resolver_ops *ops = resolver_find("fellegi_sunter");
    char err[CM_ERRBUF] = "";
    struct resolve_config cfg = { NULL, "match", NULL, 1 };
    void *r = NULL;
    CHECK_INT(ops->xNew(&cfg, &r, err), CM_OK);
    uint32_t cl[3];
    CHECK_INT(ops->xResolve(r, &s, cl, NULL, err), CM_OK);
    CHECK(cl[0] != cl[1]);
    struct buf b = BUF_INIT(0);
    CHECK_INT(ops->xExplain(r, &s, 0, 1, cl, &b, err), CM_OK);
    CHECK(strstr(b.data, "rule: one home, one name, Jr. or Sr.") != NULL);
    buf_free(&b);
    ops->xFree(r);
    profile_store_free(&s);
}

TEST(config_errors_name_the_key)
{
    const struct resolver_ops *ops = resolver_find("fellegi_sunter");
    const char *bad[][2] = {
        { "{\"match_threshold\": 1.5}", "match.match_threshold" },
        { "{\"blocking\": [[\"surname\"]]}", "match.blocking[0][0]: unknown key part \"surname\"" },
        { "{\"compare\": [\"ssn\"]}", "match.compare[0]: unknown comparison" },
        { "{\"treshold\": 0.9}", "match.treshold: unknown key" },
        { "{\"rules\": {\"no_twins\": true}}", "match.rules.no_twins: unknown rule" },
        { "{\"must_link\": [[\"a\"]]}", "match.must_link[0]" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_error_t je;
        json_t *m = json_loads(bad[i][0], 0, &je);
        struct resolve_config cfg = { m, "match", NULL, 1 };
        void *r = NULL;
        char err[CM_ERRBUF] = "";
        CHECK_INT(ops->xNew(&cfg, &r, err), CM_ERR_CONFIG);
        if (!strstr(err, bad[i][1]))
            fprintf(stderr, "  got: %s\n", err);
        CHECK(strstr(err, bad[i][1]) != NULL);
        json_decref(m);
    }
}

/* ---- Febrl dataset 1: accuracy floor and determinism across thread counts ---- */

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

TEST(febrl_dataset1_accuracy_and_threads)
{
    FILE *f = fopen("../shared/data/febrl/dataset1.csv", "r");
    if (!f) {
        fprintf(stderr, "  (skipped: ../shared/data/febrl/dataset1.csv not found)\n");
        return;
    }
    enum { MAX = 1200 };
    static char lines[MAX][512];
    static char *fld[MAX][11];
    int person_of[MAX];
    size_t n = 0;
    char line[512];
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    while (n < MAX && fgets(lines[n], sizeof lines[n], f)) {
        char *p = lines[n], *tok;
        int k = 0;
        while ((tok = strsep(&p, ",")) && k < 11)
            fld[n][k++] = trim(tok);
        person_of[n] = atoi(fld[n][0] + 4);
        n++;
    }
    fclose(f);
    CHECK_INT(n, 1000);
    struct profile_store s;
    char err[CM_ERRBUF];
    const char *au[] = { "AU" };
    CHECK_INT(profile_store_init(&s, NULL, SRC, au, 1, err), CM_OK);
    static char street[MAX][160];
    for (size_t i = 0; i < n; i++) {
        struct contact c;
        memset(&c, 0, sizeof c);
        c.source = "crm";
        c.source_key = fld[i][0];
        c.given_name = *fld[i][1] ? fld[i][1] : NULL;
        c.family_name = *fld[i][2] ? fld[i][2] : NULL;
        snprintf(street[i], sizeof street[i], "%s %s", fld[i][3], fld[i][4]);
        c.naddresses = 1;
        c.addresses[0].lines[0] = trim(street[i]);
        c.addresses[0].lines[1] = *fld[i][5] ? fld[i][5] : NULL;
        c.addresses[0].nlines = *fld[i][5] ? 2 : 1;
        c.addresses[0].city = *fld[i][6] ? fld[i][6] : NULL;
        c.addresses[0].postal_code = *fld[i][7] ? fld[i][7] : NULL;
        c.addresses[0].region = *fld[i][8] ? fld[i][8] : NULL;
        c.birth_date = NULL;
        uint32_t rec;
        CHECK_INT(profile_store_add(&s, 0, &c, &rec, err), CM_OK);
        unsigned d = (unsigned)atoi(fld[i][9]);
        unsigned mo = d / 100 % 100, dd = d % 100;
        s.profile[rec].birth_date = mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 ? d : 0;
    }
    CHECK_INT(profile_store_finish(&s, 0, err), CM_OK);
    const struct resolver_ops *ops = resolver_find("fellegi_sunter");
    uint32_t *cl[2];
    for (int t = 0; t < 2; t++) {
        json_t *m = json_pack("{s:i}", "threads", t + 1);
        struct resolve_config cfg = { m, "match", NULL, 0 };
        void *r = NULL;
        cl[t] = malloc(n * sizeof *cl[t]);
        CHECK_INT(ops->xNew(&cfg, &r, err), CM_OK);
        CHECK_INT(ops->xResolve(r, &s, cl[t], NULL, err), CM_OK);
        ops->xFree(r);
        json_decref(m);
    }
    CHECK(memcmp(cl[0], cl[1], n * sizeof *cl[0]) == 0);
    long long tp = 0, pred = 0, truth = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            int same_c = cl[0][i] == cl[0][j], same_p = person_of[i] == person_of[j];
            tp += same_c && same_p;
            pred += same_c;
            truth += same_p;
        }
    }
    double p = pred ? (double)tp / (double)pred : 0, rc = truth ? (double)tp / (double)truth : 0;
    double f1 = p + rc > 0 ? 2 * p * rc / (p + rc) : 0;
    fprintf(stderr, "  febrl dataset1: precision %.4f recall %.4f f1 %.4f\n", p, rc, f1);
    CHECK(f1 >= 0.998);           /* the target for dataset 1 */
    free(cl[0]);
    free(cl[1]);
    profile_store_free(&s);
}

int main(void)
{
    RUN(jaro_winkler_published_values);
    RUN(comparison_levels);
    RUN(birth_date_levels);
    RUN(em_recovers_a_known_mixture);
    RUN(term_frequency_rare_names_count_more);
    RUN(cluster_repair_breaks_a_weak_chain_and_respects_cannot_link);
    RUN(overrides_always_win);
    RUN(household_rule_keeps_colleagues_apart);
    RUN(parent_and_child_kept_apart);
    RUN(config_errors_name_the_key);
    RUN(febrl_dataset1_accuracy_and_threads);
    return test_report();
}
