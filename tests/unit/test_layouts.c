/* test_layouts.c — the Outlook, Google Contacts and Febrl CSV layouts
 * (schemas/outlook.json, schemas/google.json, schemas/febrl.json) read as crmerge reads
 * them: the csv connector, then mapping.
 * The values a user would check, Exchange DNs that are no e-mails, cells split at
 * " ::: ", and detection that never mixes up ACT!, Outlook and Google headers.
 * Fixtures: tests/fixtures/outlook, tests/fixtures/google, tests/fixtures/febrl (README.md
 * in each). */
#include <jansson.h>
#include <stdlib.h>

#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"
#include "pipeline/contact.h"
#include "pipeline/detect.h"
#include "tests/unit/mapped.h"
#include "tests/unit/testlib.h"
#include "transforms/mapping.h"
#include "transforms/normalise/profile.h"

extern const struct connector csv_connector;

/* the csv connector and a layout: records mapped one at a time */
static enum cm_status mp_open(struct mapped *x, const char *layout, const char *path)
{
    enum cm_status rc = mapped_open(x, &csv_connector, layout, path);
    if (rc)
        fprintf(stderr, "  %s: %s\n", path, x->err);
    return rc;
}

static enum conn_next mp_next(struct mapped *x)
{
    return mapped_next(x);
}

static void mp_close(struct mapped *x)
{
    mapped_close(x);
}

#define OUTLOOK "tests/fixtures/outlook/"
#define FEBRL "tests/fixtures/febrl/"
#define GOOGLE "tests/fixtures/google/"
#define EX_DN "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)" \
              "/cn=Recipients/cn=5f2a8c1e9b7d4e3fa1c2b3d4e5f60718-"

/* ---- Outlook ---------------------------------------------------------------------- */

TEST(outlook_classic_windows_1252)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, "outlook", OUTLOOK "outlook_classic.csv"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_INT(x.rec.line, 2);
    CHECK_INT(x.rec.line_end, 3);                      /* Notes hold a line break */
    CHECK_STR(c->prefix, "Dr.");                       /* Outlook's "Title" */
    CHECK_STR(c->given_name, "Jürgen");
    CHECK_STR(c->family_name, "Müller");
    CHECK_STR(c->company, "Bäckerei Müller GmbH");
    CHECK_STR(c->department, "Vertrieb");
    CHECK_STR(c->title, "Geschäftsführer");            /* "Job Title" */
    CHECK_INT(c->nemails, 1);                          /* E-mail 2 is an Exchange DN */
    CHECK_STR(c->emails[0], "juergen.mueller@baeckerei-mueller.example");
    CHECK_STR(contact_extra(c, "E-mail 2 Address"), EX_DN "juergen.mu");
    CHECK_STR(contact_extra(c, "E-mail 2 Type"), "EX");
    CHECK_STR(contact_extra(c, "E-mail Type"), "SMTP");
    CHECK_INT(c->nphones, 3);
    CHECK_INT(c->phones[0].type, PHONE_WORK);
    CHECK_STR(c->phones[0].number, "+49 30 1234567");
    CHECK_INT(c->phones[1].type, PHONE_MOBILE);
    CHECK_STR(c->phones[1].number, "+49 170 7654321");
    CHECK_INT(c->phones[2].type, PHONE_FAX);
    CHECK_STR(c->phones[2].number, "+49 30 1234568");
    CHECK_INT(c->naddresses, 1);
    CHECK_STR(c->addresses[0].type, "work");
    CHECK_INT(c->addresses[0].nlines, 2);
    CHECK_STR(c->addresses[0].lines[0], "Hauptstraße 5");
    CHECK_STR(c->addresses[0].lines[1], "Hinterhaus");
    CHECK_STR(c->addresses[0].city, "Berlin");
    CHECK_STR(c->addresses[0].postal_code, "10115");
    CHECK_STR(c->addresses[0].country, "Deutschland");
    CHECK_STR(contact_extra(c, "Notes"), "Zahlt € bar.\r\n„Bitte nicht vor 9 Uhr anrufen“ – sagt er.");
    CHECK_STR(c->birth_date, "1970-03-07");            /* Birthday, in the layout's MDY */
    CHECK_STR(contact_extra(c, "Birthday"), NULL);
    CHECK(c->source_key_derived);

    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_INT(x.rec.line, 4);
    CHECK_STR(c->given_name, "Siobhán");
    CHECK_STR(c->family_name, "O’Brien");              /* 0x92 in windows-1252 */
    CHECK_STR(c->emails[0], "siobhan@obrien.example");
    CHECK_INT(c->phones[0].type, PHONE_HOME);
    CHECK_STR(c->addresses[0].type, "home");
    CHECK_STR(c->addresses[0].country, "Éire");

    CHECK_INT(mp_next(&x), CONN_RECORD);               /* only an Exchange address */
    CHECK_INT(x.rec.line, 5);
    CHECK_STR(c->family_name, "Øster");
    CHECK_INT(c->nemails, 0);
    CHECK_STR(contact_extra(c, "E-mail Address"), EX_DN "ingrid.oes");
    CHECK_STR(contact_extra(c, "E-mail Type"), "EX");
    CHECK_STR(contact_extra(c, "E-mail Display Name"), "Ingrid Øster");
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);
}

TEST(outlook_com_utf8_with_bom)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, "outlook", OUTLOOK "outlook_com.csv"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_STR(c->prefix, "Prof.");
    CHECK_STR(c->given_name, "Zoë");                   /* the BOM gone from "First Name" */
    CHECK_STR(c->family_name, "Ångström");
    CHECK_STR(c->title, "Forskningsleder");
    CHECK_INT(c->nemails, 2);
    CHECK_STR(c->emails[1], "zoe@home.example");
    CHECK_INT(c->nphones, 2);
    CHECK_INT(c->phones[0].type, PHONE_WORK);
    CHECK_INT(c->phones[1].type, PHONE_MOBILE);
    CHECK_STR(contact_extra(c, "Notes"), "Foretrekker e-post, \"ikke telefon\".");
    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_INT(x.rec.line, 3);
    CHECK_INT(x.rec.line_end, 4);
    CHECK_STR(c->company, "Cole Bakery, Inc.");
    CHECK_STR(c->addresses[0].lines[0], "12 Main Street\nApt 4");
    CHECK_STR(c->addresses[0].region, "IL");
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);
}

/* ---- Google ------------------------------------------------------------------------ */

TEST(google_current_splits_values_joined_by_three_colons)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, "google", GOOGLE "google_contacts.csv"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_INT(x.rec.line, 2);
    CHECK_INT(x.rec.line_end, 6);
    CHECK_STR(c->given_name, "Ann");
    CHECK_STR(c->family_name, "Cole");
    CHECK_STR(c->company, "Cole Bakery");
    CHECK_STR(c->title, "Owner");
    CHECK_INT(c->nemails, 3);                          /* "a ::: b" is two e-mails */
    CHECK_STR(c->emails[0], "ann@cole.example");
    CHECK_STR(c->emails[1], "ann.cole@bakery.example");
    CHECK_STR(c->emails[2], "ann@home.example");
    CHECK_STR(contact_extra(c, "E-mail 1 - Label"), "* Work");
    CHECK_INT(c->nphones, 3);
    CHECK_INT(c->phones[0].type, PHONE_MOBILE);
    CHECK_STR(c->phones[0].number, "+49 170 1234567");
    CHECK_INT(c->phones[1].type, PHONE_FAX);           /* "Work Fax ::: Work" */
    CHECK_STR(c->phones[1].number, "+49 30 999");
    CHECK_INT(c->phones[2].type, PHONE_WORK);
    CHECK_STR(c->phones[2].number, "+49 30 998");
    CHECK_INT(c->naddresses, 1);
    CHECK_STR(c->addresses[0].type, "home");
    CHECK_INT(c->addresses[0].nlines, 2);
    CHECK_STR(c->addresses[0].lines[1], "Apt 2");      /* Extended Address */
    CHECK_STR(c->addresses[0].city, "Potsdam");
    CHECK_STR(contact_extra(c, "Labels"), "* myContacts ::: Kunden");
    CHECK_STR(c->birth_date, "1980-04-12");
    CHECK_STR(contact_extra(c, "Birthday"), NULL);

    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_STR(c->prefix, "Dr.");
    CHECK_STR(c->middle_name, "Karl");
    CHECK_STR(c->family_name, "Weiß");
    CHECK_STR(c->department, "Einkauf");
    CHECK_INT(c->nphones, 2);
    CHECK_INT(c->phones[0].type, PHONE_OTHER);         /* "Main" */
    CHECK_INT(c->phones[1].type, PHONE_OTHER);
    CHECK_STR(contact_extra(c, "Phone 2 - Label"), "Assistant");   /* a label of no known type */
    CHECK_STR(contact_extra(c, "Phone 1 - Label"), NULL);
    CHECK_STR(c->addresses[0].type, "work");

    CHECK_INT(mp_next(&x), CONN_RECORD);               /* nothing but a phone */
    CHECK_INT(x.rec.line, 8);
    CHECK_STR(c->given_name, NULL);
    CHECK_INT(c->nphones, 1);
    CHECK(c->source_key_derived);                      /* from the phone's digits */
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);
}

TEST(google_legacy_type_columns_and_name)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, "google", GOOGLE "google_legacy.csv"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_STR(c->given_name, "Ben");
    CHECK_STR(c->family_name, "Weiß");
    CHECK_STR(c->full_name, "Ben Weiß");
    CHECK_STR(c->company, "Firma Weiß KG");            /* Organization 1 - Name */
    CHECK_STR(c->title, "Einkauf");
    CHECK_INT(c->nemails, 3);
    CHECK_STR(c->emails[1], "b.weiss@firma.example");
    CHECK_STR(c->emails[2], "ben@firma.example");
    CHECK_INT(c->nphones, 2);
    CHECK_INT(c->phones[0].type, PHONE_MOBILE);        /* Phone 1 - Type */
    CHECK_INT(c->phones[1].type, PHONE_FAX);           /* "Home Fax": fax first */
    CHECK_STR(c->addresses[0].type, "home");
    CHECK_STR(contact_extra(c, "Group Membership"), "* My Contacts ::: Kunden");

    CHECK_INT(mp_next(&x), CONN_RECORD);               /* Name split: no Given/Family */
    CHECK_STR(c->prefix, "Dr.");
    CHECK_STR(c->given_name, "Maren");
    CHECK_STR(c->family_name, "Schumacher");
    CHECK_STR(c->emails[0], "maren@schumacher.example");
    mp_close(&x);
}

/* ---- Febrl --------------------------------------------------------------------------- */

TEST(febrl_records_with_the_comma_space_separator)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, "febrl", FEBRL "febrl_a.csv"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_STR(c->source_key, "rec-7-org");             /* byte-exact, no leading space */
    CHECK(!c->source_key_derived);
    CHECK_STR(c->given_name, "emily");
    CHECK_STR(c->family_name, "carter");
    CHECK_STR(c->birth_date, "1972-04-15");
    CHECK_INT(c->naddresses, 1);
    CHECK_STR(c->addresses[0].type, "home");
    CHECK_INT(c->addresses[0].nlines, 2);
    CHECK_STR(c->addresses[0].lines[0], "12 wattle street");   /* street_number + address_1 */
    CHECK_STR(c->addresses[0].lines[1], "rosedale");           /* address_2 */
    CHECK_STR(c->addresses[0].city, "bondi");
    CHECK_STR(c->addresses[0].region, "nsw");
    CHECK_STR(c->addresses[0].postal_code, "2026");
    CHECK_STR(c->addresses[0].country, NULL);          /* the layout's default: not invented */
    CHECK_INT(c->nextra, 1);
    CHECK_STR(contact_extra(c, "soc_sec_id"), "4821937");      /* kept, never compared */

    CHECK_INT(mp_next(&x), CONN_RECORD);               /* no given name, no number */
    CHECK_STR(c->source_key, "rec-8-org");
    CHECK_STR(c->given_name, NULL);
    CHECK_STR(c->addresses[0].lines[0], "banksia crescent");
    CHECK_STR(c->birth_date, NULL);                    /* 19851330: no month 13 */
    CHECK_STR(contact_extra(c, "date_of_birth"), "19851330");
    CHECK_INT(mapping_bad_dates(x.m), 1);

    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_STR(c->source_key, "rec-7-dup-0");
    CHECK_INT(c->addresses[0].nlines, 1);              /* no address_2 */

    CHECK_INT(mp_next(&x), CONN_RECORD);               /* a number without its street */
    CHECK_STR(c->family_name, "o'brien");
    CHECK_INT(c->addresses[0].nlines, 2);
    CHECK_STR(c->addresses[0].lines[0], "5");
    CHECK_STR(c->addresses[0].lines[1], "villa 2");
    CHECK_STR(c->birth_date, NULL);
    CHECK_STR(contact_extra(c, "date_of_birth"), NULL);        /* empty: nothing to keep */
    CHECK_INT(mp_next(&x), CONN_EOF);
    CHECK_INT(mapping_bad_dates(x.m), 1);
    CHECK_STR(mapping_default_country(x.m), "AU");

    /* the match profile: street and further line apart, the layout's country */
    struct normaliser *norm;
    char err[CM_ERRBUF];
    CHECK_INT(normaliser_new(NULL, &norm, err), CM_OK);
    struct match_profile p;
    CHECK_INT(normalise_contact(norm, c, mapping_default_country(x.m), &p), CM_OK);
    CHECK_STR(profile_text(norm, p.street), "");
    CHECK_STR(profile_text(norm, p.house_number), "5");
    CHECK_STR(profile_text(norm, p.address_extra), "villa 2");
    CHECK_STR(profile_text(norm, p.region), "tas");
    CHECK_STR(profile_text(norm, p.postal_code), "7000");
    CHECK(p.country[0] == 'A' && p.country[1] == 'U');
    CHECK(!(p.flags & PROFILE_POSTAL_INVALID));
    normaliser_free(norm);
    mp_close(&x);

    CHECK_INT(mp_open(&x, "febrl", FEBRL "febrl_b.csv"), CM_OK);   /* the linkage form */
    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_STR(c->source_key, "rec-9-dup-0");
    CHECK_STR(c->addresses[0].lines[0], "5");
    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_STR(c->addresses[0].lines[0], "banksia cres");
    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_STR(c->birth_date, "1985");                  /* the year alone */
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);

    struct detect_result r;
    CHECK_INT(detect_file(FEBRL "febrl_a.csv", NULL, &r, err), CM_OK);
    CHECK_INT(r.verdict, DETECT_MATCH);
    CHECK_STR(r.candidates[0].layout, "febrl");
}

/* ---- detection: ACT!, Outlook, Google and Febrl never mixed up ----------------------- */

static void header_of(const char *path, struct mapped *x, const char *const **names,
                      size_t *n)
{
    CHECK_INT(mp_open(x, "act", path), CM_OK);
    CHECK_INT(csv_connector.xFields(x->r.st, names, n), CM_OK);
}

TEST(act_outlook_google_and_febrl_headers_are_never_ambiguous)
{
    static const struct { const char *path, *layout; } files[] = {
        { "examples/exports/act_head_office.csv", "act" },
        { "examples/exports/act_berlin.txt", "act" },
        { OUTLOOK "outlook_classic.csv", "outlook" },
        { OUTLOOK "outlook_com.csv", "outlook" },
        { GOOGLE "google_contacts.csv", "google" },
        { GOOGLE "google_legacy.csv", "google" },
        { FEBRL "febrl_a.csv", "febrl" },
    };
    static const char *const layouts[] = { "act", "outlook", "google", "febrl" };
    enum { NLAYOUTS = sizeof layouts / sizeof layouts[0] };
    struct mapping *m[NLAYOUTS];
    char err[CM_ERRBUF];
    for (size_t l = 0; l < NLAYOUTS; l++)
        CHECK_INT(mapping_load(layouts[l], &m[l], err), CM_OK);
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        struct mapped x;
        const char *const *names;
        size_t n;
        header_of(files[f].path, &x, &names, &n);
        for (size_t l = 0; l < NLAYOUTS; l++) {
            double score = mapping_header_score(m[l], names, n);
            int own = strcmp(layouts[l], files[f].layout) == 0;
            if (own ? score < 0.95 : score != 0.0)
                fprintf(stderr, "  %s: %s scores %.2f\n", files[f].path, layouts[l], score);
            CHECK(own ? score >= 0.95 : score == 0.0);
        }
        mp_close(&x);

        struct detect_result r;
        CHECK_INT(detect_file(files[f].path, NULL, &r, err), CM_OK);
        CHECK_INT(r.verdict, DETECT_MATCH);
        CHECK_STR(r.candidates[0].layout, files[f].layout);
    }
    for (size_t l = 0; l < NLAYOUTS; l++)
        mapping_free(m[l]);
}

int main(void)
{
    RUN(outlook_classic_windows_1252);
    RUN(outlook_com_utf8_with_bom);
    RUN(google_current_splits_values_joined_by_three_colons);
    RUN(google_legacy_type_columns_and_name);
    RUN(febrl_records_with_the_comma_space_separator);
    RUN(act_outlook_google_and_febrl_headers_are_never_ambiguous);
    return test_report();
}
