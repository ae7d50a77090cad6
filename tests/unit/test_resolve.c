/* test_resolve.c — the exact-key resolver: shared e-mail or same source key joins
 * records, transitively; nothing else does. */
#include "transforms/match/resolve_exact.h"
#include "testlib.h"

static struct contact person(const char *source, const char *key, const char *email1,
                             const char *email2)
{
    struct contact c;
    memset(&c, 0, sizeof c);
    c.source = source;
    c.source_key = key;
    if (email1)
        c.emails[c.nemails++] = email1;
    if (email2)
        c.emails[c.nemails++] = email2;
    return c;
}

TEST(email_normalised_trim_and_lower_case)
{
    char out[64];
    CHECK(resolver_email_key("  Ann.Cole@Cole.Example \t", out, sizeof out));
    CHECK_STR(out, "ann.cole@cole.example");
    CHECK(!resolver_email_key("", out, sizeof out));
    CHECK(!resolver_email_key("n/a", out, sizeof out));
    CHECK(!resolver_email_key("@cole.example", out, sizeof out));
    CHECK(!resolver_email_key("ann@", out, sizeof out));
}

TEST(shared_email_and_transitive_chains)
{
    struct resolver *r = resolver_new();
    uint32_t n[6];
    struct contact c[6] = {
        person("act", "1", "ann@cole.example", NULL),
        person("gm", "A1", "ANN@cole.example ", "ann.cole@home.example"),
        person("act", "2", "bob@x.example", NULL),
        person("sf", "003", "ann.cole@home.example", NULL),     /* joins 0 via 1 */
        person("act", "3", NULL, NULL),                          /* alone */
        person("gm", "A1", NULL, NULL),                          /* same key as 1 */
    };
    for (int i = 0; i < 6; i++)
        CHECK_INT(resolver_add(r, &c[i], &n[i]), CM_OK);
    CHECK_INT(n[5], 5);
    CHECK_INT(resolver_cluster(r, 0), 0);
    CHECK_INT(resolver_cluster(r, 1), 0);
    CHECK_INT(resolver_cluster(r, 3), 0);
    CHECK_INT(resolver_cluster(r, 5), 0);
    CHECK_INT(resolver_cluster(r, 2), 2);
    CHECK_INT(resolver_cluster(r, 4), 4);
    CHECK_INT(resolver_clusters(r), 3);
    CHECK_INT(resolver_records(r), 6);
    CHECK_INT(resolver_duplicate_keys(r), 1);
    resolver_free(r);
}

TEST(same_key_in_different_sources_is_not_a_match)
{
    struct resolver *r = resolver_new();
    uint32_t a, b;
    struct contact c1 = person("act", "42", NULL, NULL);
    struct contact c2 = person("gm", "42", NULL, NULL);
    resolver_add(r, &c1, &a);
    resolver_add(r, &c2, &b);
    CHECK(resolver_cluster(r, a) != resolver_cluster(r, b));
    CHECK_INT(resolver_duplicate_keys(r), 0);
    resolver_free(r);
}

TEST(many_records_grow_the_table)
{
    struct resolver *r = resolver_new();
    char key[32], mail[48];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(mail, sizeof mail, "person%d@example.com", i / 2);   /* pairs */
        struct contact c = person("s", key, mail, NULL);
        uint32_t n;
        CHECK_INT(resolver_add(r, &c, &n), CM_OK);
    }
    CHECK_INT(resolver_clusters(r), 10000);
    CHECK_INT(resolver_cluster(r, 19999), 19998);
    resolver_free(r);
}

int main(void)
{
    RUN(email_normalised_trim_and_lower_case);
    RUN(shared_email_and_transitive_chains);
    RUN(same_key_in_different_sources_is_not_a_match);
    RUN(many_records_grow_the_table);
    return test_report();
}
