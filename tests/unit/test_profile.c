/* test_profile.c — canonical contacts to match profiles (transforms/normalise/profile.c): the
 * spellings one person gets in different CRMs meet in one profile; bad input is flagged
 * and counted, never a crash; the profile stays compact. */
#include <stdlib.h>
#include "transforms/normalise/profile.h"
#include "tests/unit/testlib.h"

static struct normaliser *norm;

static void profile_of(const struct contact *c, const char *country, struct match_profile *p,
                       struct buf *json)
{
    CHECK_INT(normalise_contact(norm, c, country, p), CM_OK);
    buf_reset(json);
    CHECK_INT(profile_to_json(norm, p, json), CM_OK);
}

static const char *text(uint32_t id)
{
    return profile_text(norm, id);
}

TEST(one_person_three_spellings)
{
    /* the same person as three CRMs wrote her: umlauts, transliterated, upper case
     * with the title in the given name and the legal form abbreviated differently */
    struct contact a = { .source = "act", .source_key = "1", .given_name = "Jürgen",
                         .family_name = "Müller", .company = "Müller GmbH & Co. KG",
                         .emails = { "Juergen.Mueller@Example.DE " }, .nemails = 1,
                         .phones = { { PHONE_WORK, "+49 (0)30 1234567" } }, .nphones = 1 };
    struct contact b = { .source = "gm", .source_key = "2", .full_name = "MUELLER, JUERGEN",
                         .company = "MUELLER GMBH & CO KG",
                         .emails = { "juergen.mueller@example.de" }, .nemails = 1,
                         .phones = { { PHONE_WORK, "030/1234567" } }, .nphones = 1 };
    struct contact c = { .source = "sf", .source_key = "3", .given_name = "Dr. Jurgen",
                         .family_name = "Muller", .company = "Muller GmbH u. Co. KG",
                         .phones = { { PHONE_WORK, "0049 30 1234567" } }, .nphones = 1 };
    struct match_profile pa, pb, pc;
    struct buf j = BUF_INIT(0);
    profile_of(&a, "DE", &pa, &j);
    profile_of(&b, "DE", &pb, &j);
    profile_of(&c, "DE", &pc, &j);
    CHECK_STR(text(pa.given), "juergen");
    CHECK_STR(text(pa.given_plain), "jurgen");
    CHECK_STR(text(pa.family), "mueller");
    CHECK(pa.given == pb.given && pa.family == pb.family);
    CHECK(pa.given_plain == pc.given);                   /* the plain fold meets "Jurgen" */
    CHECK(pa.family_plain == pc.family);
    CHECK_STR(text(pc.honorific), "dr");
    CHECK(pa.company == pb.company && pa.legal_form == pb.legal_form);
    CHECK_STR(text(pa.company), "mueller");
    CHECK_STR(text(pa.legal_form), "gmbh & co kg");
    CHECK(pa.email[0] && pa.email[0] == pb.email[0]);
    CHECK(pa.phone[0] == 49301234567ULL && pb.phone[0] == pa.phone[0] &&
          pc.phone[0] == pa.phone[0]);
    CHECK(pa.family_kp == pc.family_kp && pa.family_dm[0] == pc.family_dm[0]);
    buf_free(&j);
}

TEST(nicknames_roles_addresses)
{
    struct contact c = { .source = "s", .source_key = "k", .given_name = "Bob",
                         .family_name = "Smith Jr.", .company = "ACME, Inc.",
                         .emails = { "info@acme.example", "bob@acme.example",
                                     "robert@home.example" }, .nemails = 3,
                         .phones = { { PHONE_WORK, "(555) 010-2233 x12" },
                                     { PHONE_MOBILE, "4.91701E+11" } }, .nphones = 2,
                         .naddresses = 1 };
    c.addresses[0] = (struct contact_address){ .lines = { "12 Main St." }, .nlines = 1,
                                               .city = "Springfield", .postal_code = "2134",
                                               .country = "USA" };
    struct match_profile p;
    struct buf j = BUF_INIT(0);
    profile_of(&c, NULL, &p, &j);
    CHECK_STR(text(p.given_canon[0]), "robert");
    CHECK_STR(text(p.suffix), "jr");
    CHECK_STR(text(p.legal_form), "inc");
    CHECK(p.email_flags[0] & PEMAIL_ROLE);
    CHECK(p.flags & PROFILE_MORE_EMAILS);                 /* the third is counted */
    CHECK(p.phone[0] == 15550102233ULL && (p.phone_flags[0] & PPHONE_EXT));
    CHECK(p.phone[1] == 0);                               /* Excel's number: nothing invented */
    CHECK(p.country[0] == 'U' && p.country[1] == 'S');    /* the address's country read the phone */
    CHECK_STR(text(p.street), "main street");
    CHECK_STR(text(p.house_number), "12");
    CHECK_STR(text(p.postal_code), "02134");
    CHECK(p.flags & PROFILE_POSTAL_RESTORED);
    CHECK(strstr(j.data, "\"given_canonical\":[\"robert\"]") != NULL);
    CHECK(strstr(j.data, "\"e164\":\"+15550102233\"") != NULL);
    CHECK(strstr(j.data, "\"country\":\"US\"") != NULL);
    CHECK(normaliser_warnings(norm)->phone_excel >= 1);
    buf_free(&j);
}

TEST(bad_input_is_flagged_and_counted)
{
    char *huge = malloc(10001);
    memset(huge, 'a', 10000);
    huge[10000] = '\0';
    struct profile_warnings before = *normaliser_warnings(norm);
    struct contact c = { .source = "s", .source_key = "k", .given_name = "\xff\xfe",
                         .family_name = huge, .company = "---",
                         .emails = { "ann@@x.de" }, .nemails = 1,
                         .phones = { { PHONE_WORK, "call me maybe" } }, .nphones = 1 };
    struct match_profile p;
    struct buf j = BUF_INIT(0);
    profile_of(&c, "DE", &p, &j);
    CHECK(p.flags & PROFILE_INVALID_UTF8);
    CHECK(p.flags & PROFILE_TOO_LONG);
    CHECK(p.given == 0);                                  /* invalid UTF-8: left empty */
    CHECK(p.company == 0 && p.email[0] == 0 && p.phone[0] == 0);
    const struct profile_warnings *w = normaliser_warnings(norm);
    CHECK(w->invalid_utf8 > before.invalid_utf8);
    CHECK(w->email_invalid > before.email_invalid);
    CHECK(w->phone_invalid > before.phone_invalid);

    struct contact punct = { .source = "s", .source_key = "k2", .given_name = "!!!",
                             .family_name = "Ann2" };
    profile_of(&punct, NULL, &p, &j);
    CHECK(p.flags & PROFILE_NAME_ODD);
    CHECK(strstr(j.data, "name_odd") != NULL);
    struct contact empty = { .source = "s", .source_key = "k3" };
    profile_of(&empty, NULL, &p, &j);
    CHECK(p.flags & PROFILE_NAME_EMPTY);
    CHECK_STR(j.data, "{\"flags\":[\"name_empty\"]}");
    free(huge);
    buf_free(&j);
}

TEST(birth_date_region_and_further_address_line)
{
    /* a Febrl record as the febrl layout maps it */
    struct contact c = { .source = "dataset1", .source_key = "rec-1496-org",
                         .given_name = "mitchell", .family_name = "green",
                         .birth_date = "1956-04-09", .naddresses = 1 };
    c.addresses[0] = (struct contact_address){ .lines = { "7 wallaby place", "delmar" },
                                               .nlines = 2, .city = "cleveland",
                                               .region = "sa", .postal_code = "2119" };
    struct match_profile p;
    struct buf j = BUF_INIT(0);
    profile_of(&c, "AU", &p, &j);
    CHECK_INT(p.birth_date, 19560409);
    CHECK_STR(text(p.street), "wallaby place");
    CHECK_STR(text(p.house_number), "7");
    CHECK_STR(text(p.address_extra), "delmar");       /* address_2: not the street */
    CHECK_STR(text(p.city), "cleveland");
    CHECK_STR(text(p.region), "sa");
    CHECK_STR(text(p.postal_code), "2119");
    CHECK(p.country[0] == 'A' && p.country[1] == 'U');
    CHECK(strstr(j.data, "\"birth_date\":\"1956-04-09\"") != NULL);
    CHECK(strstr(j.data, "\"street\":\"wallaby place\",\"house_number\":\"7\","
                         "\"address_extra\":\"delmar\",\"postal_code\":\"2119\","
                         "\"city\":\"cleveland\",\"region\":\"sa\",\"country\":\"AU\"") != NULL);

    /* partial dates keep what is known; a date not in ISO form is left out, counted */
    static const struct { const char *text; uint32_t want; const char *json; } dates[] = {
        { "1956-04", 19560400, "\"birth_date\":\"1956-04\"" },
        { "1956", 19560000, "\"birth_date\":\"1956\"" },
        { "09.04.1956", 0, NULL },
        { "1956-13-01", 0, NULL },
        { "1956-00", 0, NULL },
        { "1956-04-00", 0, NULL },
    };
    long long before = normaliser_warnings(norm)->birth_date_invalid;
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        struct contact d = { .source = "s", .source_key = "k", .family_name = "Cole",
                             .birth_date = dates[i].text };
        profile_of(&d, NULL, &p, &j);
        CHECK_INT(p.birth_date, dates[i].want);
        CHECK(dates[i].json ? strstr(j.data, dates[i].json) != NULL
                            : strstr(j.data, "birth_date") == NULL);
    }
    CHECK_INT(normaliser_warnings(norm)->birth_date_invalid - before, 4);
    buf_free(&j);
}

TEST(compact)
{
    CHECK(sizeof(struct match_profile) <= 136);
    char out[9], four[5];
    unpack_digits8(pack_digits8("0657"), out);
    CHECK_STR(out, "0657");
    unpack_digits8(pack_digits8("657526820"), out);      /* longer codes keep 8 digits */
    CHECK_STR(out, "65752682");
    unpack_code4(pack_code4("XMT"), four);
    CHECK_STR(four, "XMT");
    unpack_code4(pack_code4(""), four);
    CHECK_STR(four, "");
}

int main(void)
{
    char err[CM_ERRBUF];
    if (normaliser_new(NULL, &norm, err) != CM_OK) {
        fprintf(stderr, "normaliser_new: %s\n", err);
        return 1;
    }
    RUN(one_person_three_spellings);
    RUN(nicknames_roles_addresses);
    RUN(bad_input_is_flagged_and_counted);
    RUN(birth_date_region_and_further_address_line);
    RUN(compact);
    normaliser_free(norm);
    return test_report();
}
