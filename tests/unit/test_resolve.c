/* test_resolve.c — the resolve seam (transforms/resolve.h): the profile store, the
 * resolver registry, and the exact-key resolver through its ops table: a shared
 * e-mail (never a role address) or the same source key within one source joins
 * records, transitively; nothing else does. */
#include <stdlib.h>
#include "transforms/resolve.h"
#include "testlib.h"

static struct contact person(const char *source, const char *key, const char *email1,
                             const char *email2)
{
    struct contact c;
    memset(&c, 0, sizeof c);
    c.source = source;
    c.source_key = key;
    c.given_name = "Ann";
    c.family_name = "Cole";
    if (email1)
        c.emails[c.nemails++] = email1;
    if (email2)
        c.emails[c.nemails++] = email2;
    return c;
}

static const char *const SOURCES[] = { "act", "gm", "sf", "s" };

static size_t source_no(const char *name)
{
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(SOURCES[i], name) == 0)
            return i;
    }
    return 99;
}

/* Resolve contacts with the exact resolver; cluster_of gets n entries. */
static void resolve_exact(struct contact *c, size_t n, uint32_t *cluster_of, json_t **report)
{
    struct profile_store s;
    char err[CM_ERRBUF] = "";
    CHECK_INT(profile_store_init(&s, NULL, SOURCES, NULL, 4, err), CM_OK);
    for (size_t i = 0; i < n; i++) {
        uint32_t rec;
        CHECK_INT(profile_store_add(&s, source_no(c[i].source), &c[i], &rec, err), CM_OK);
        CHECK_INT(rec, i);
    }
    CHECK_INT(profile_store_finish(&s, 2, err), CM_OK);
    const struct resolver_ops *ops = resolver_find("exact");
    CHECK(ops != NULL);
    void *r = NULL;
    struct resolve_config cfg = { NULL, "match", NULL, 1 };
    CHECK_INT(ops->xNew(&cfg, &r, err), CM_OK);
    CHECK_INT(ops->xAdd(r, &s, 0, (uint32_t)n, err), CM_OK);
    CHECK_INT(ops->xResolve(r, &s, cluster_of, NULL, err), CM_OK);
    if (report)
        *report = ops->xReport(r);
    ops->xFree(r);
    profile_store_free(&s);
}

TEST(shared_email_and_transitive_chains)
{
    uint32_t cl[7];
    struct contact c[7] = {
        person("act", "1", "ann@cole.example", NULL),
        person("gm", "A1", "\"Ann Cole\" <ANN@cole.example>", "ann.cole@home.example"),
        person("act", "2", "bob@x.example", NULL),
        person("sf", "003", "ann.cole@home.example", NULL),     /* joins 0 via 1 */
        person("act", "3", NULL, NULL),                          /* alone */
        person("gm", "A1", NULL, NULL),                          /* same key as 1 */
        person("gm", "A2", "n/a", NULL),                         /* not an address */
    };
    json_t *rep = NULL;
    resolve_exact(c, 7, cl, &rep);
    CHECK_INT(cl[0], 0);
    CHECK_INT(cl[1], 0);
    CHECK_INT(cl[3], 0);
    CHECK_INT(cl[5], 0);
    CHECK_INT(cl[2], 2);
    CHECK_INT(cl[4], 4);
    CHECK_INT(cl[6], 6);
    CHECK_INT(json_integer_value(json_object_get(rep, "clusters")), 4);
    CHECK_INT(json_integer_value(json_object_get(rep, "duplicate_keys")), 1);
    json_decref(rep);
}

TEST(role_addresses_never_join_people)
{
    uint32_t cl[3];
    struct contact c[3] = {
        person("act", "1", "info@cole.example", NULL),
        person("act", "2", "INFO@cole.example", NULL),
        person("gm", "1", "sales@cole.example", "info@cole.example"),
    };
    resolve_exact(c, 3, cl, NULL);
    CHECK(cl[0] == 0 && cl[1] == 1 && cl[2] == 2);
}

TEST(same_key_in_different_sources_is_not_a_match)
{
    uint32_t cl[2];
    struct contact c[2] = { person("act", "42", NULL, NULL), person("gm", "42", NULL, NULL) };
    resolve_exact(c, 2, cl, NULL);
    CHECK(cl[0] != cl[1]);
}

TEST(many_records_grow_the_store)
{
    enum { N = 20000 };
    struct contact *c = calloc(N, sizeof *c);
    char (*key)[16] = calloc(N, sizeof *key);
    char (*mail)[40] = calloc(N, sizeof *mail);
    uint32_t *cl = calloc(N, sizeof *cl);
    for (int i = 0; i < N; i++) {
        snprintf(key[i], sizeof key[i], "k%d", i);
        snprintf(mail[i], sizeof mail[i], "person%d@example.com", i / 2);   /* pairs */
        c[i] = person("s", key[i], mail[i], NULL);
    }
    json_t *rep = NULL;
    resolve_exact(c, N, cl, &rep);
    CHECK_INT(json_integer_value(json_object_get(rep, "clusters")), N / 2);
    CHECK_INT(cl[N - 1], N - 2);
    json_decref(rep);
    free(c); free(key); free(mail); free(cl);
}

TEST(registry_and_method_names)
{
    const struct resolver_ops *ops = NULL;
    char err[CM_ERRBUF] = "";
    json_t *m = json_pack("{s:s}", "method", "exact");
    CHECK_INT(resolver_for(m, &ops, err), CM_OK);
    CHECK_STR(ops->zName, "exact");
    CHECK_INT(ops->iVersion, RESOLVER_OPS_VERSION);
    json_decref(m);
    m = json_pack("{s:s}", "method", "magic");
    CHECK_INT(resolver_for(m, &ops, err), CM_ERR_CONFIG);
    CHECK(strstr(err, "match.method: unknown method \"magic\"") != NULL);
    json_decref(m);
    CHECK_INT(resolver_for(NULL, &ops, err), CM_OK);
    CHECK(resolver_find("nothing") == NULL);
}

TEST(store_unknown_default_country_is_a_config_error)
{
    struct profile_store s;
    char err[CM_ERRBUF] = "";
    const char *countries[4] = { "Deutschland", NULL, "Atlantis", NULL };
    CHECK_INT(profile_store_init(&s, NULL, SOURCES, countries, 4, err), CM_ERR_CONFIG);
    CHECK(strstr(err, "source sf: default_country: unknown country \"Atlantis\"") != NULL);
    countries[2] = "FR";
    CHECK_INT(profile_store_init(&s, NULL, SOURCES, countries, 4, err), CM_OK);
    CHECK_STR(s.source_country[0], "DE");
    CHECK_STR(s.source_country[2], "FR");
    profile_store_free(&s);
}

/* Phones parsed when the store is finished (each distinct number once, on two
 * threads) give the profiles normalising one by one gives, flags and counts too. */
TEST(store_phones_as_normalise_gives_them)
{
    static const char *const nums[] = { "+49 30 1234567", "030/1234567", "(212) 555-0134",
        "4.91701E+11", "+49 170 7654321", "12", "", "+1 212 555 0134 x12", "+49 30 1234567" };
    enum { N = 40 };
    struct contact c[N];
    const char *countries[4] = { "DE", "US", NULL, NULL };
    struct profile_store s;
    char err[CM_ERRBUF] = "";
    CHECK_INT(profile_store_init(&s, NULL, SOURCES, countries, 4, err), CM_OK);
    struct normaliser *n = NULL;
    CHECK_INT(normaliser_new(NULL, &n, err), CM_OK);
    struct match_profile direct[N];
    for (int i = 0; i < N; i++) {
        c[i] = person(SOURCES[i % 2], "k", NULL, NULL);
        c[i].nphones = (size_t)(1 + i % 3);
        for (size_t k = 0; k < c[i].nphones; k++)
            c[i].phones[k].number = nums[(size_t)i * 3 + k < 9 ? (size_t)i * 3 + k : ((size_t)i + k) % 9];
        uint32_t rec;
        CHECK_INT(profile_store_add(&s, (size_t)(i % 2), &c[i], &rec, err), CM_OK);
        CHECK_INT(normalise_contact(n, &c[i], i % 2 ? "US" : "DE", &direct[i]), CM_OK);
    }
    CHECK_INT(profile_store_finish(&s, 2, err), CM_OK);
    for (int i = 0; i < N; i++) {
        CHECK(memcmp(s.profile[i].phone, direct[i].phone, sizeof direct[i].phone) == 0);
        for (int k = 0; k < PROFILE_PHONES; k++)     /* the line type is not looked up */
            CHECK_INT(s.profile[i].phone_flags[k],
                      direct[i].phone_flags[k] & ~(PPHONE_MOBILE | PPHONE_FIXED));
        CHECK_INT(s.profile[i].flags, direct[i].flags);
    }
    const struct profile_warnings *a = normaliser_warnings(s.norm), *b = normaliser_warnings(n);
    CHECK_INT(a->phone_excel, b->phone_excel);
    CHECK_INT(a->phone_invalid, b->phone_invalid);
    CHECK_INT(a->more_phones, b->more_phones);
    CHECK(b->phone_excel > 0 && b->phone_invalid > 0);
    normaliser_free(n);
    profile_store_free(&s);
}

int main(void)
{
    RUN(shared_email_and_transitive_chains);
    RUN(role_addresses_never_join_people);
    RUN(same_key_in_different_sources_is_not_a_match);
    RUN(many_records_grow_the_store);
    RUN(registry_and_method_names);
    RUN(store_unknown_default_country_is_a_config_error);
    RUN(store_phones_as_normalise_gives_them);
    return test_report();
}
