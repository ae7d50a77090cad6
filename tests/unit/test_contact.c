/* test_contact.c — the canonical contact's JSON form (pipeline/contact.c): what
 * contact_to_json writes, contact_from_json reads back the same, including the key
 * order PostgreSQL's jsonb gives it when a run carries a stored record forward. */
#include "pipeline/arena.h"
#include "pipeline/contact.h"
#include "tests/unit/testlib.h"

static struct contact full_contact(void)
{
    static struct contact_field extra[] = { { "User 1", "VIP" }, { "Notiz", "Grüße\n\"x\"" } };
    struct contact c = {
        .source = "hubspot", .source_key = "5101", .source_updated = "2024-05-02T09:14:03Z",
        .prefix = "Dr.", .given_name = "Jürgen", .family_name = "Müller", .suffix = "Jr.",
        .full_name = "Dr. Jürgen Müller Jr.", .company = "Müller GmbH", .title = "CEO",
        .emails = { "j@mueller.example", "jm@home.example" }, .nemails = 2,
        .phones = { { PHONE_MOBILE, "+49 170 1234567" }, { PHONE_FAX, "030 123" } },
        .nphones = 2,
        .naddresses = 1, .created = "2019-03-07", .birth_date = "1956-04",
        .status = "Customer",
        .extra = extra, .nextra = 2,
    };
    struct contact_address a = { .type = "work", .lines = { "Hauptstr. 1", "Hof 2" },
                                 .nlines = 2, .city = "Berlin", .postal_code = "10115",
                                 .country = "DE" };
    c.addresses[0] = a;
    return c;
}

TEST(round_trip)
{
    struct contact c = full_contact(), back;
    struct buf a = BUF_INIT(0), b = BUF_INIT(0);
    struct arena arena = ARENA_INIT;
    char err[CM_ERRBUF] = "";
    CHECK_INT(contact_to_json(&c, &a), CM_OK);
    CHECK_INT(contact_from_json(a.data, a.len, &arena, &back, err), CM_OK);
    CHECK_INT(contact_to_json(&back, &b), CM_OK);
    CHECK_STR(b.data, a.data);
    CHECK_INT(back.phones[0].type, PHONE_MOBILE);
    CHECK_STR(back.birth_date, "1956-04");
    CHECK(strstr(a.data, "\"created\":\"2019-03-07\",\"birth_date\":\"1956-04\","
                         "\"status\":\"Customer\"") != NULL);      /* the documented order */
    buf_free(&a);
    buf_free(&b);
    arena_free(&arena);
}

TEST(jsonb_key_order_and_nulls)
{
    /* jsonb sorts keys by length, then bytes; absent values are null */
    const char *stored =
        "{\"extra\": {}, \"phones\": [{\"type\": \"pager\", \"number\": \"123\"}],"
        " \"source\": \"sf\", \"emails\": [\"a@b.example\", null], \"prefix\": null,"
        " \"source_key\": \"003A\", \"addresses\": [], \"given_name\": \"Ann\","
        " \"source_key_derived\": true}";
    struct contact c;
    struct arena arena = ARENA_INIT;
    char err[CM_ERRBUF] = "";
    CHECK_INT(contact_from_json(stored, strlen(stored), &arena, &c, err), CM_OK);
    CHECK_STR(c.source_key, "003A");
    CHECK_INT(c.source_key_derived, 1);
    CHECK_STR(c.given_name, "Ann");
    CHECK(c.prefix == NULL);
    CHECK_INT((int)c.nemails, 1);
    CHECK_INT((int)c.nphones, 1);
    CHECK_INT(c.phones[0].type, PHONE_OTHER);          /* unknown type word: other */
    arena_free(&arena);
}

TEST(not_a_contact)
{
    struct contact c;
    struct arena arena = ARENA_INIT;
    char err[CM_ERRBUF] = "";
    CHECK_INT(contact_from_json("[1,2]", 5, &arena, &c, err), CM_ERR_INPUT);
    CHECK(strstr(err, "not a JSON object") != NULL);
    CHECK_INT(contact_from_json("{\"source\":\"x\"", 13, &arena, &c, err), CM_ERR_INPUT);
    CHECK_INT(contact_from_json("{\"source\":\"x\"}", 14, &arena, &c, err), CM_ERR_INPUT);
    CHECK(strstr(err, "no source_key") != NULL);
    arena_free(&arena);
}

int main(void)
{
    RUN(round_trip);
    RUN(jsonb_key_order_and_nulls);
    RUN(not_a_contact);
    return test_report();
}
