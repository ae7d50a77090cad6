/* test_mapping.c — mapping raw records to canonical contacts (transforms/mapping.c)
 * with the real ACT! layout, schemas/act.json, and a few layout files that are wrong. */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>
#include "pipeline/config.h"
#include "tests/unit/mapped.h"
#include "tests/unit/testlib.h"
#include "transforms/mapping.h"

#define MAX_COLS 64

static unsigned names_version;

static struct mapping *load(const char *path)
{
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    if (mapping_load(path, &m, err) != CM_OK)
        fprintf(stderr, "mapping_load(%s): %s\n", path, err);
    return m;
}

/* Map one record as a connector would hand it over: names, values and lengths. */
static enum cm_status map_row(struct mapping *m, const char *const *names,
                              const char *const *values, size_t n, struct arena *a,
                              struct contact *c, char *err)
{
    static size_t lengths[MAX_COLS];
    for (size_t i = 0; i < n; i++)
        lengths[i] = values[i] ? strlen(values[i]) : 0;
    struct raw_record rec = {
        .nfields = n, .names = names, .names_version = ++names_version,
        .values = values, .lengths = lengths, .file = "act.csv", .line = 2, .line_end = 2
    };
    return mapping_apply(m, "act", &rec, a, c, err);
}

#define N(a) (sizeof (a) / sizeof (a)[0])

TEST(first_and_last_name_are_kept)
{
    static const char *const names[] = { "Company", "Contact", "First Name", "Last Name" };
    const char *values[] = { "Cole Bakery", "Dr. Ann B. Cole Jr.", "Ann", "Cole" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.source, "act");
    CHECK_STR(c.given_name, "Ann");
    CHECK_STR(c.family_name, "Cole");
    CHECK_STR(c.prefix, NULL);             /* first/last filled: Contact is not split */
    CHECK_STR(c.middle_name, NULL);
    CHECK_STR(c.full_name, "Dr. Ann B. Cole Jr.");
    CHECK_STR(c.company, "Cole Bakery");
    CHECK_INT(c.nextra, 0);
    arena_free(&a);
    mapping_free(m);
}

TEST(contact_is_split_when_first_and_last_are_empty)
{
    static const char *const names[] = { "Company", "Contact", "First Name", "Last Name" };
    const char *values[] = { "Cole Bakery", "Dr. Ann B. Cole Jr.", "", "  " };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.prefix, "Dr.");
    CHECK_STR(c.given_name, "Ann");
    CHECK_STR(c.middle_name, "B.");
    CHECK_STR(c.family_name, "Cole");
    CHECK_STR(c.suffix, "Jr.");
    CHECK_STR(c.full_name, "Dr. Ann B. Cole Jr.");
    arena_free(&a);
    mapping_free(m);
}

TEST(header_labels_drift_between_versions)
{
    static const char *const old_names[] = { "Contact", "Phone", "Phone Extension",
                                             "E-mail", "ZIP Code" };
    static const char *const new_names[] = { "Contact", "Phone", "Phone Ext.",
                                             " e-mail address ", "Zip" };
    static const char *const web_names[] = { "Contact", "Phone", "Phone Extension",
                                             "Email", "Postal Code" };
    const char *values[] = { "Ann Cole", "(555) 010-2233", "12", "ann@cole.example",
                             "01067" };
    const char *const *headers[] = { old_names, new_names, web_names };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    for (size_t h = 0; h < 3; h++) {
        struct contact c;
        char err[CM_ERRBUF];
        CHECK_INT(map_row(m, headers[h], values, N(old_names), &a, &c, err), CM_OK);
        CHECK_INT(c.nphones, 1);
        CHECK_STR(c.phones[0].number, "(555) 010-2233 x12");
        CHECK_INT(c.nemails, 1);
        CHECK_STR(c.emails[0], "ann@cole.example");
        CHECK_INT(c.naddresses, 1);
        CHECK_STR(c.addresses[0].postal_code, "01067");
        CHECK_INT(c.nextra, 0);
        arena_reset(&a);
    }
    arena_free(&a);
    mapping_free(m);
}

TEST(phones_are_typed_and_empty_ones_skipped)
{
    static const char *const names[] = { "Contact", "Phone", "Phone Ext.", "Mobile Phone",
                                         "Fax", "Home Phone" };
    const char *values[] = { "Ann Cole", "(555) 010-2233", "", "", "(555) 010-2299",
                             "555 010 7777" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nphones, 3);
    CHECK_INT(c.phones[0].type, PHONE_WORK);
    CHECK_STR(c.phones[0].number, "(555) 010-2233");      /* no extension given */
    CHECK_INT(c.phones[1].type, PHONE_FAX);
    CHECK_STR(c.phones[1].number, "(555) 010-2299");
    CHECK_INT(c.phones[2].type, PHONE_HOME);
    CHECK_STR(c.phones[2].number, "555 010 7777");
    arena_free(&a);
    mapping_free(m);
}

TEST(extension_without_a_number_stays_in_extra)
{
    static const char *const names[] = { "Contact", "Phone", "Phone Extension" };
    const char *values[] = { "Ann Cole", "", "12" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nphones, 0);
    CHECK_STR(contact_extra(&c, "Phone Extension"), "12");
    arena_free(&a);
    mapping_free(m);
}

TEST(address_lines_join_in_order_skipping_empty_ones)
{
    static const char *const names[] = { "Contact", "Address 1", "Address 2", "Address 3",
                                         "City", "State", "ZIP Code", "Country",
                                         "Home Address 1", "Home City" };
    const char *values[] = { "Ann Cole", "Cole Bakery", "", "12 Main Street", "Springfield",
                             "IL", "62701", "USA", "", " " };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.naddresses, 1);            /* the all-empty home address is omitted */
    const struct contact_address *ad = &c.addresses[0];
    CHECK_STR(ad->type, "work");
    CHECK_INT(ad->nlines, 2);
    CHECK_STR(ad->lines[0], "Cole Bakery");
    CHECK_STR(ad->lines[1], "12 Main Street");
    CHECK_STR(ad->city, "Springfield");
    CHECK_STR(ad->region, "IL");
    CHECK_STR(ad->postal_code, "62701");
    CHECK_STR(ad->country, "USA");
    arena_free(&a);
    mapping_free(m);
}

static struct source source_with(json_t *options)
{
    struct source src = { "act", "csv", "act", "act.csv", "sources[0]", options };
    return src;
}

TEST(dates_follow_the_day_month_order)
{
    static const char *const names[] = { "Contact", "Create Date", "Edit Date" };
    const char *values[] = { "Ann Cole", "3/7/2019", "07.03.2019 14:30" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];

    struct source plain = source_with(NULL);          /* no options: the layout's MDY */
    CHECK_INT(mapping_configure(m, &plain, err), CM_OK);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.created, "2019-03-07");
    CHECK_STR(c.source_updated, "2019-07-03T14:30:00");

    json_t *opts = json_pack("{s:s, s:s}", "name", "act", "date_order", "DMY");
    struct source german = source_with(opts);
    CHECK_INT(mapping_configure(m, &german, err), CM_OK);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.created, "2019-07-03");
    CHECK_STR(c.source_updated, "2019-03-07T14:30:00");
    json_decref(opts);
    arena_free(&a);
    mapping_free(m);
}

TEST(a_bad_date_order_option_names_the_source)
{
    struct mapping *m = load("schemas/act.json");
    char err[CM_ERRBUF] = "";
    json_t *opts = json_pack("{s:s}", "date_order", "DDMMYY");
    struct source src = source_with(opts);
    CHECK_INT(mapping_configure(m, &src, err), CM_ERR_CONFIG);
    CHECK_STR(err, "sources[0].date_order: must be \"MDY\", \"DMY\", \"YMD\" or \"auto\", not \"DDMMYY\"");
    json_decref(opts);
    mapping_free(m);
}

TEST(an_unparseable_date_is_kept_raw_in_extra)
{
    static const char *const names[] = { "Contact", "Create Date", "Edit Date" };
    const char *values[] = { "Ann Cole", "next Tuesday", "0/0/00" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.created, NULL);
    CHECK_STR(contact_extra(&c, "Create Date"), "next Tuesday");
    CHECK_STR(c.source_updated, NULL);     /* an empty marker: no date, nothing kept */
    CHECK_STR(contact_extra(&c, "Edit Date"), NULL);
    CHECK_INT(c.nextra, 1);
    arena_free(&a);
    mapping_free(m);
}

/* a layout given as text, written to a temporary file and loaded */
static struct mapping *load_json(const char *json)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_mapping_%ld_l.json", (long)getpid());
    FILE *f = fopen(path, "w");
    fputs(json, f);
    fclose(f);
    struct mapping *m = load(path);
    remove(path);
    return m;
}

TEST(birth_dates_are_days_partial_or_kept_in_extra_and_counted)
{
    static const char *const names[] = { "id", "name", "dob", "Create Date" };
    struct mapping *m = load_json("{ \"key\": { \"from\": \"id\" },"
                                  "  \"fields\": { \"full_name\": \"name\","
                                  "    \"birth_date\": { \"from\": [\"dob\"], \"date\": true },"
                                  "    \"created\": { \"from\": \"Create Date\","
                                  "                   \"date\": true } } }");
    static const struct { const char *dob, *want, *extra; } cases[] = {
        { "19560409", "1956-04-09", NULL },            /* compact, Febrl */
        { "4/9/1956", "1956-04-09", NULL },            /* the layout's MDY */
        { "1956-04-09T00:00:00Z", "1956-04-09", NULL },
        { "1956-04", "1956-04", NULL },
        { "1956", "1956", NULL },
        { "0/0/00", NULL, NULL },                      /* Outlook's "none": not counted */
        { "19951330", NULL, "19951330" },              /* month 13: kept, counted */
        { "--04-09", NULL, "--04-09" },                /* no year */
    };
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK(m != NULL);
    for (size_t i = 0; m && i < N(cases); i++) {
        const char *values[] = { "7", "Ann Cole", cases[i].dob, "" };
        CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
        CHECK_STR(c.birth_date, cases[i].want);
        CHECK_STR(contact_extra(&c, "dob"), cases[i].extra);
    }
    CHECK_INT(m ? mapping_bad_dates(m) : -1, 2);
    const char *bad_created[] = { "7", "Ann Cole", "", "next Tuesday" };
    CHECK_INT(map_row(m, names, bad_created, N(names), &a, &c, err), CM_OK);
    CHECK_INT(mapping_bad_dates(m), 3);                /* created counts too */
    arena_free(&a);
    mapping_free(m);
}

TEST(unmapped_columns_go_to_extra)
{
    static const char *const names[] = { "Contact", "Salutation", "Notes", "User 1",
                                         "Web Site", "Referred By" };
    const char *values[] = { "Ann Cole", "Ann", "line one\r\nline two", "VIP customer",
                             "", "Bob Miller" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nextra, 4);                /* the empty Web Site is not kept */
    CHECK_STR(c.extra[0].name, "Salutation");
    CHECK_STR(c.extra[0].value, "Ann");
    CHECK_STR(c.extra[1].name, "Notes");
    CHECK_STR(c.extra[1].value, "line one\r\nline two");
    CHECK_STR(c.extra[2].name, "User 1");
    CHECK_STR(c.extra[2].value, "VIP customer");
    CHECK_STR(c.extra[3].name, "Referred By");
    CHECK_STR(c.extra[3].value, "Bob Miller");
    arena_free(&a);
    mapping_free(m);
}

TEST(duplicate_header_names_stay_apart_in_extra)
{
    static const char *const names[] = { "Contact", "Notes", "Notes", "" };
    const char *values[] = { "Ann Cole", "first", "second", "third" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nextra, 3);
    CHECK_STR(contact_extra(&c, "Notes"), "first");
    CHECK_STR(contact_extra(&c, "Notes (2)"), "second");
    CHECK_STR(contact_extra(&c, "column 4"), "third");
    arena_free(&a);
    mapping_free(m);
}

TEST(values_are_trimmed_and_empty_values_absent)
{
    static const char *const names[] = { "Contact", "Company", "Department", "Title",
                                         "ID/Status", "Notes" };
    const char *values[] = { " Ann Cole\r\n", "\xc2\xa0" "Cole Bakery\t", "   ",
                             "\xe2\x80\x83", NULL, "  keep  inner  spaces  " };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.full_name, "Ann Cole");
    CHECK_STR(c.company, "Cole Bakery");
    CHECK_STR(c.department, NULL);
    CHECK_STR(c.title, NULL);              /* an em space alone is empty */
    CHECK_STR(c.status, NULL);
    CHECK_STR(contact_extra(&c, "Notes"), "keep  inner  spaces");
    arena_free(&a);
    mapping_free(m);
}

static const char *derived_key(struct mapping *m, const char *first, const char *last,
                               const char *company, const char *email, struct arena *a)
{
    static const char *const names[] = { "First Name", "Last Name", "Company", "E-mail",
                                         "Phone", "Contact" };
    const char *values[] = { first, last, company, email, "(555) 010-2233", "x" };
    struct contact c;
    char err[CM_ERRBUF];
    if (map_row(m, names, values, N(names), a, &c, err) != CM_OK || !c.source_key_derived)
        return NULL;
    return c.source_key;
}

TEST(derived_key_is_stable_and_follows_content)
{
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    const char *k1 = derived_key(m, "Ann", "Cole", "Cole Bakery", "ann@cole.example", &a);
    const char *k2 = derived_key(m, "ANN", " Cole", "Cole  Bakery", "Ann@Cole.example", &a);
    const char *k3 = derived_key(m, "Anne", "Cole", "Cole Bakery", "ann@cole.example", &a);
    CHECK(k1 && k2 && k3);
    /* pinned: a derived key must be the same in tomorrow's run and the next release */
    CHECK_STR(k1, "d:61cd2aa32b7b7b19");
    CHECK_STR(k2, k1);                     /* case and spacing do not move the key */
    CHECK(k3 && k1 && strcmp(k3, k1) != 0);
    CHECK_INT(k1 ? strlen(k1) : 0, 18);
    arena_free(&a);
    mapping_free(m);
}

TEST(derived_key_uses_the_split_name)
{
    static const char *const split_names[] = { "Contact", "Company" };
    const char *split_values[] = { "Ann Cole", "Cole Bakery" };
    static const char *const part_names[] = { "First Name", "Last Name", "Company" };
    const char *part_values[] = { "Ann", "Cole", "Cole Bakery" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c1, c2;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, split_names, split_values, 2, &a, &c1, err), CM_OK);
    CHECK_INT(map_row(m, part_names, part_values, 3, &a, &c2, err), CM_OK);
    CHECK_STR(c1.source_key, c2.source_key);
    CHECK_INT(c1.source_key_derived, 1);
    arena_free(&a);
    mapping_free(m);
}

TEST(contact_id_is_the_key_byte_exact)
{
    static const char *const names[] = { "Contact ID", "Unique ID", "Contact" };
    const char *values[] = { " A3070512345$%&(*9Ann  ", "u-17", "Ann Cole" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, " A3070512345$%&(*9Ann");   /* only trailing spaces go */
    CHECK_INT(c.source_key_derived, 0);
    CHECK_STR(contact_extra(&c, "Contact ID"), NULL);
    CHECK_STR(contact_extra(&c, "Unique ID"), "u-17");        /* the other id is not lost */

    values[0] = "   ";                                 /* blank: the next id column */
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, "u-17");
    CHECK_INT(c.source_key_derived, 0);
    arena_free(&a);
    mapping_free(m);
}

TEST(no_key_and_no_content_is_rejected)
{
    static const char *const names[] = { "Contact ID", "Contact", "Notes", "Phone" };
    const char *values[] = { "", "", "called about the invoice", "n/a" };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF] = "";
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_ERR_INPUT);
    CHECK_STR(err, "no key column and nothing to derive a key from (name, company, e-mail, "
                   "phone all empty)");
    arena_free(&a);
    mapping_free(m);
}

TEST(a_layout_that_derives_no_keys_rejects_rows_without_one)
{
    static const char *const names[] = { "Kundennummer", "Firma", "E-Mail" };
    const char *values[] = { "", "Cole Bakery", "ann@cole.example" };
    struct mapping *m = load("tests/fixtures/mapping/minimal.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF] = "";
    CHECK_STR(m ? mapping_name(m) : NULL, "minimal");
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_ERR_INPUT);
    CHECK_STR(err, "no key: the key columns are missing or empty and the layout derives "
                   "no keys");
    values[0] = "K-1";
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, "K-1");
    CHECK_STR(c.company, "Cole Bakery");
    CHECK_STR(c.emails[0], "ann@cole.example");
    arena_free(&a);
    mapping_free(m);
}

TEST(bad_layout_files_are_config_errors_naming_file_and_path)
{
    static const struct { const char *path, *want; } cases[] = {
        { "tests/fixtures/mapping/bad_field.json",
          "tests/fixtures/mapping/bad_field.json: fields.givn_name: unknown canonical field" },
        { "tests/fixtures/mapping/dup_column.json",
          "tests/fixtures/mapping/dup_column.json: fields.family_name[1]: column "
          "\"first-name\" is already read by fields.given_name" },
        { "tests/fixtures/mapping/bad_phone.json",
          "tests/fixtures/mapping/bad_phone.json: phones[1].type: must be \"work\", "
          "\"mobile\", \"home\", \"fax\" or \"other\"" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        struct mapping *m = NULL;
        char err[CM_ERRBUF] = "";
        CHECK_INT(mapping_load(cases[i].path, &m, err), CM_ERR_CONFIG);
        CHECK_STR(err, cases[i].want);
        CHECK(m == NULL);
    }
}

TEST(layouts_load_by_name)
{
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(mapping_load("act", &m, err), CM_OK);
    CHECK_STR(m ? mapping_name(m) : NULL, "act");
    mapping_free(m);
    m = NULL;
    CHECK_INT(mapping_load("nosuch", &m, err), CM_ERR_CONFIG);
    CHECK(strncmp(err, "unknown layout \"nosuch\" (there is no ", 37) == 0);
}

TEST(header_score_recognises_act)
{
    static const char *const act[] = {
        "Company", "Contact", "First Name", "Last Name", "Salutation", "Title", "Phone",
        "Phone Extension", "Mobile Phone", "Fax", "Address 1", "Address 2", "City",
        "State", "ZIP Code", "Country", "E-mail", "Web Site", "ID/Status", "Referred By",
        "Last Results", "Create Date", "Edit Date", "User 1", "User 2", "Birthday Club"
    };
    static const char *const outlook[] = {
        "First Name", "Last Name", "Company", "Job Title", "Business Street",
        "Business City", "E-mail Address", "Mobile Phone"
    };
    static const char *const products[] = { "SKU", "Description", "Price", "Qty" };
    struct mapping *m = load("schemas/act.json");
    double act_score = mapping_header_score(m, act, N(act));
    CHECK(act_score > 0.95 && act_score < 1.0);     /* one custom column unknown */
    CHECK(mapping_header_score(m, outlook, N(outlook)) == 0.0);  /* no "Contact" */
    CHECK(mapping_header_score(m, products, N(products)) == 0.0);
    CHECK(mapping_header_score(m, NULL, 0) == 0.0);
    mapping_free(m);
}

TEST(binding_is_cached_per_header_version)
{
    const char *names[] = { "Contact", "Company" };
    const char *values[] = { "Ann Cole", "Cole Bakery" };
    size_t lengths[] = { 8, 11 };
    struct raw_record rec = { .nfields = 2, .names = names, .names_version = 7000,
                              .values = values, .lengths = lengths };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(mapping_apply(m, "act", &rec, &a, &c, err), CM_OK);
    CHECK_STR(c.company, "Cole Bakery");
    names[1] = "Department";               /* a new header: the connector bumps the version */
    rec.names_version++;
    CHECK_INT(mapping_apply(m, "act", &rec, &a, &c, err), CM_OK);
    CHECK_STR(c.company, NULL);
    CHECK_STR(c.department, "Cole Bakery");
    arena_free(&a);
    mapping_free(m);
}

TEST(one_mapped_record_as_json)
{
    static const char *const names[] = {
        "Contact ID", "Company", "Contact", "First Name", "Last Name", "Phone",
        "Phone Ext.", "E-mail", "Address 1", "City", "Zip", "Create Date", "Edit Date",
        "Notes"
    };
    const char *values[] = {
        "C-0001", "Cole Bakery", "Ann Cole", "Ann", "Cole", "(555) 010-2233", "12",
        "ann@cole.example", "1 Main St", "Springfield", "01067", "3/7/2019",
        "3/9/2019 4:05 PM", "line one\nline \"two\""
    };
    struct mapping *m = load("schemas/act.json");
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    struct buf json = BUF_INIT(0);
    CHECK_INT(contact_to_json(&c, &json), CM_OK);
    CHECK_STR(json.data,
        "{\"source\":\"act\",\"source_key\":\"C-0001\",\"source_key_derived\":false,"
        "\"source_updated\":\"2019-03-09T16:05:00\",\"prefix\":null,\"given_name\":\"Ann\","
        "\"middle_name\":null,\"family_name\":\"Cole\",\"suffix\":null,"
        "\"full_name\":\"Ann Cole\",\"company\":\"Cole Bakery\",\"department\":null,"
        "\"title\":null,\"emails\":[\"ann@cole.example\"],"
        "\"phones\":[{\"type\":\"work\",\"number\":\"(555) 010-2233 x12\"}],"
        "\"addresses\":[{\"type\":\"work\",\"lines\":[\"1 Main St\"],\"city\":\"Springfield\","
        "\"region\":null,\"postal_code\":\"01067\",\"country\":null}],"
        "\"created\":\"2019-03-07\",\"birth_date\":null,\"status\":null,"
        "\"extra\":{\"Notes\":\"line one\\nline \\\"two\\\"\"}}");
    buf_free(&json);
    arena_free(&a);
    mapping_free(m);
}

/* ---- types from label columns, split cells (tests/fixtures/mapping/typed.json) ---- */

#define TYPED "tests/fixtures/mapping/typed.json"

TEST(phone_types_come_from_the_words_of_a_label)
{
    static const char *const names[] = { "Id", "Phone 1", "Phone 1 Label" };
    static const struct { const char *label; enum phone_type want; int in_extra; } cases[] = {
        { "work,voice",      PHONE_WORK,   0 },    /* vCard TYPE words */
        { "cell,voice",      PHONE_MOBILE, 0 },
        { "WORK;FAX",        PHONE_FAX,    0 },    /* fax is listed before work */
        { "* Work Fax",      PHONE_FAX,    0 },    /* a Google label, '*' = primary */
        { "_$!<Mobile>!$_",  PHONE_MOBILE, 0 },    /* Apple's label */
        { "Main",            PHONE_OTHER,  0 },
        { "Assistant",       PHONE_OTHER,  1 },    /* no known word: the label is kept */
        { "homeoffice",      PHONE_OTHER,  1 },    /* words, not substrings */
        { "",                PHONE_OTHER,  0 },
    };
    struct mapping *m = load(TYPED);
    struct arena a = ARENA_INIT;
    for (size_t i = 0; i < N(cases); i++) {
        const char *values[] = { "1", "+49 30 1234", cases[i].label };
        struct contact c;
        char err[CM_ERRBUF];
        CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
        CHECK_INT(c.nphones, 1);
        if (c.phones[0].type != cases[i].want)
            fprintf(stderr, "  label \"%s\"\n", cases[i].label);
        CHECK_INT(c.phones[0].type, cases[i].want);
        CHECK_STR(contact_extra(&c, "Phone 1 Label"), cases[i].in_extra ? cases[i].label : NULL);
        arena_reset(&a);
    }
    arena_free(&a);
    mapping_free(m);
}

TEST(a_label_without_known_words_leaves_the_rules_type)
{
    static const char *const names[] = { "Id", "Phone 2", "Phone 2 Label", "Phone 1 Label" };
    const char *values[] = { "1", "555 0100", "Durchwahl", "Mobile" };
    struct mapping *m = load(TYPED);
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nphones, 1);
    CHECK_INT(c.phones[0].type, PHONE_WORK);           /* the rule's "type" */
    CHECK_STR(contact_extra(&c, "Phone 2 Label"), "Durchwahl");
    CHECK_STR(contact_extra(&c, "Phone 1 Label"), "Mobile");   /* a label of no number */
    arena_free(&a);
    mapping_free(m);
}

TEST(split_cells_give_several_emails_and_phones)
{
    static const char *const names[] = { "Id", "Mail 2", "Phone 3", "Phone 3 Label" };
    const char *values[] = { "1", "ann@cole.example ::: ann.cole@bakery.example :::  ",
                             "+49 170 1 ::: +49 30 2 ::: 555 3", "Mobile ::: Work ::: Pager" };
    struct mapping *m = load(TYPED);
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nemails, 2);                           /* the empty piece is left out */
    CHECK_STR(c.emails[0], "ann@cole.example");
    CHECK_STR(c.emails[1], "ann.cole@bakery.example");
    CHECK_INT(c.nphones, 3);                           /* one label per number */
    CHECK_STR(c.phones[0].number, "+49 170 1");
    CHECK_INT(c.phones[0].type, PHONE_MOBILE);
    CHECK_STR(c.phones[1].number, "+49 30 2");
    CHECK_INT(c.phones[1].type, PHONE_WORK);
    CHECK_STR(c.phones[2].number, "555 3");
    CHECK_INT(c.phones[2].type, PHONE_OTHER);
    CHECK_STR(contact_extra(&c, "Phone 3 Label"), "Mobile ::: Work ::: Pager");  /* "Pager" */

    values[3] = "* Mobile";                            /* one label for all of them */
    arena_reset(&a);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nphones, 3);
    CHECK_INT(c.phones[0].type, PHONE_MOBILE);
    CHECK_INT(c.phones[2].type, PHONE_MOBILE);
    CHECK_INT(c.nextra, 0);

    values[1] = "ann@cole.example";                    /* no separator: one value */
    arena_reset(&a);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nemails, 1);
    CHECK_STR(c.emails[0], "ann@cole.example");
    arena_free(&a);
    mapping_free(m);
}

TEST(skip_types_keep_what_is_no_email_in_extra)
{
    static const char *const names[] = { "Id", "Name", "Mail", "Mail Type" };
    const char *dn = "/o=ExchangeLabs/ou=Exchange Administrative Group "
                     "(FYDIBOHF23SPDLT)/cn=Recipients/cn=ann.cole";
    const char *values[] = { "1", "Ann Cole", dn, "EX" };
    struct mapping *m = load(TYPED);
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nemails, 0);
    CHECK_STR(contact_extra(&c, "Mail"), dn);
    CHECK_STR(contact_extra(&c, "Mail Type"), "EX");

    values[2] = "ann@cole.example";
    values[3] = "SMTP";
    arena_reset(&a);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.nemails, 1);
    CHECK_STR(c.emails[0], "ann@cole.example");
    CHECK_STR(contact_extra(&c, "Mail Type"), "SMTP");         /* e-mails keep no type */
    CHECK_STR(contact_extra(&c, "Mail"), NULL);
    arena_free(&a);
    mapping_free(m);
}

TEST(address_types_come_from_a_label)
{
    static const char *const names[] = { "Id", "Street", "City", "Address Label" };
    const char *values[] = { "1", "Hauptstr. 5", "Berlin", "PRIVAT" };
    struct mapping *m = load(TYPED);
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.naddresses, 1);
    CHECK_STR(c.addresses[0].type, "home");
    CHECK_INT(c.nextra, 0);

    values[3] = "Ferienhaus";
    arena_reset(&a);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_STR(c.addresses[0].type, "other");           /* the rule's default */
    CHECK_STR(contact_extra(&c, "Address Label"), "Ferienhaus");

    values[1] = values[2] = "";                        /* a label of no address */
    arena_reset(&a);
    CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
    CHECK_INT(c.naddresses, 0);
    CHECK_STR(contact_extra(&c, "Address Label"), "Ferienhaus");
    arena_free(&a);
    mapping_free(m);
}

/* a layout given as text, loaded from a temporary file; err without the path */
static enum cm_status load_text(const char *json, char *err)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_mapping_%ld.json", (long)getpid());
    FILE *f = fopen(path, "w");
    fputs(json, f);
    fclose(f);
    struct mapping *m = NULL;
    char msg[CM_ERRBUF] = "";
    enum cm_status rc = mapping_load(path, &m, msg);
    mapping_free(m);
    remove(path);
    size_t n = strlen(path);
    snprintf(err, CM_ERRBUF, "%s", strncmp(msg, path, n) == 0 ? msg + n + 2 : msg);
    return rc;
}

TEST(bad_type_and_split_rules_are_config_errors)
{
    static const struct { const char *json, *want; } cases[] = {
        { "{\"phones\": [{\"from\": \"P\", \"type_from\": \"L\"}]}",
          "phones[0].type_from: needs the layout's phone_types (which words of the type "
          "column mean which type)" },
        { "{\"phone_types\": {\"cell\": [\"mobile\"]}}",
          "phone_types.cell: must be \"work\", \"mobile\", \"home\", \"fax\" or \"other\"" },
        { "{\"phone_types\": {\"fax\": [\"work fax\"]}}",
          "phone_types.fax[0]: must be one word (letters and digits)" },
        { "{\"phone_types\": {\"fax\": []}}",
          "phone_types.fax: must be a non-empty list of words" },
        { "{\"phones\": [{\"type\": \"work\", \"from\": \"P\", \"extension\": \"E\", "
          "\"split\": \":::\"}]}",
          "phones[0]: split and extension do not go together (which number would the "
          "extension belong to?)" },
        { "{\"emails\": [{\"from\": \"M\", \"split\": \"\"}]}",
          "emails[0].split: must be a non-empty separator such as \":::\"" },
        { "{\"emails\": [{\"from\": \"M\", \"type_from\": \"T\"}]}",
          "emails[0]: type_from and skip_types go together (an e-mail has no type; its "
          "type column only says when the value is not an e-mail)" },
        { "{\"emails\": [{\"from\": \"M\", \"typ_from\": \"T\"}]}",
          "emails[0].typ_from: unknown key" },
        { "{\"addresses\": [{\"type_from\": \"L\", \"city\": \"C\"}]}",
          "addresses[0].type_from: needs the layout's address_types (which words of the "
          "type column mean which type)" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char err[CM_ERRBUF];
        CHECK_INT(load_text(cases[i].json, err), CM_ERR_CONFIG);
        CHECK_STR(err, cases[i].want);
    }
    char err[CM_ERRBUF];
    CHECK_INT(load_text("{\"phone_types\": {\"mobile\": [\"cell\"]}, \"phones\": "
                        "[{\"from\": \"P\", \"type_from\": \"L\"}]}", err), CM_OK);
}

TEST(address_lines_may_join_columns)
{
    static const char *const names[] = { "id", "no", "street", "more", "town" };
    struct mapping *m = load_json("{ \"key\": { \"from\": \"id\" }, \"addresses\": [ {"
                                  "  \"lines\": [ { \"join\": [\"no\", [\"street\", \"road\"]] },"
                                  "              [\"more\"] ], \"city\": \"town\" } ],"
                                  "  \"default_country\": \"AU\" }");
    static const struct { const char *no, *street, *more, *line0, *line1; } cases[] = {
        { "6", "tullaroop street", "willaroo", "6 tullaroop street", "willaroo" },
        { " ", "maltby circuit", "", "maltby circuit", NULL },  /* an empty part left out */
        { "52", "", "north downs", "52", "north downs" },
        { "", "", "coaling", "coaling", NULL },                /* the lines move up */
    };
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF];
    CHECK(m != NULL);
    for (size_t i = 0; m && i < N(cases); i++) {
        const char *values[] = { "k", cases[i].no, cases[i].street, cases[i].more, "bondi" };
        CHECK_INT(map_row(m, names, values, N(names), &a, &c, err), CM_OK);
        CHECK_STR(c.addresses[0].lines[0], cases[i].line0);
        CHECK_STR(c.addresses[0].nlines > 1 ? c.addresses[0].lines[1] : NULL, cases[i].line1);
        CHECK_INT(c.nextra, 0);
    }
    CHECK_STR(m ? mapping_default_country(m) : NULL, "AU");
    arena_free(&a);
    mapping_free(m);
    m = load("schemas/act.json");
    CHECK_STR(mapping_default_country(m), NULL);
    mapping_free(m);
}

TEST(bad_joins_and_default_countries_are_config_errors)
{
    static const struct { const char *json, *want; } cases[] = {
        { "{\"addresses\": [{\"lines\": [{\"join\": []}]}]}",
          "addresses[0].lines[0].join: must be a list of 1 to 4 column lists (their values "
          "make the line, joined by a space)" },
        { "{\"addresses\": [{\"lines\": [\"a\", "
          "{\"join\": [\"b\", \"c\", \"d\", \"e\", \"f\"]}]}]}",
          "addresses[0].lines[1].join: must be a list of 1 to 4 column lists (their values "
          "make the line, joined by a space)" },
        { "{\"addresses\": [{\"lines\": [{\"joins\": [\"a\"]}]}]}",
          "addresses[0].lines[0].joins: unknown key" },
        { "{\"addresses\": [{\"lines\": [{\"join\": [\"a\", \"a\"]}]}]}",
          "addresses[0].lines[0].join[1]: column \"a\" is already read by "
          "addresses[0].lines[0].join[0]" },
        { "{\"default_country\": \"Australia\"}",
          "default_country: must be an ISO 3166-1 alpha-2 code in capitals, such as \"AU\"" },
        { "{\"default_country\": \"au\"}",
          "default_country: must be an ISO 3166-1 alpha-2 code in capitals, such as \"AU\"" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        char err[CM_ERRBUF];
        CHECK_INT(load_text(cases[i].json, err), CM_ERR_CONFIG);
        CHECK_STR(err, cases[i].want);
    }
}

int main(void)
{
    RUN(first_and_last_name_are_kept);
    RUN(contact_is_split_when_first_and_last_are_empty);
    RUN(header_labels_drift_between_versions);
    RUN(phones_are_typed_and_empty_ones_skipped);
    RUN(extension_without_a_number_stays_in_extra);
    RUN(address_lines_join_in_order_skipping_empty_ones);
    RUN(dates_follow_the_day_month_order);
    RUN(a_bad_date_order_option_names_the_source);
    RUN(an_unparseable_date_is_kept_raw_in_extra);
    RUN(birth_dates_are_days_partial_or_kept_in_extra_and_counted);
    RUN(unmapped_columns_go_to_extra);
    RUN(duplicate_header_names_stay_apart_in_extra);
    RUN(values_are_trimmed_and_empty_values_absent);
    RUN(derived_key_is_stable_and_follows_content);
    RUN(derived_key_uses_the_split_name);
    RUN(contact_id_is_the_key_byte_exact);
    RUN(no_key_and_no_content_is_rejected);
    RUN(a_layout_that_derives_no_keys_rejects_rows_without_one);
    RUN(bad_layout_files_are_config_errors_naming_file_and_path);
    RUN(layouts_load_by_name);
    RUN(header_score_recognises_act);
    RUN(binding_is_cached_per_header_version);
    RUN(one_mapped_record_as_json);
    RUN(phone_types_come_from_the_words_of_a_label);
    RUN(a_label_without_known_words_leaves_the_rules_type);
    RUN(split_cells_give_several_emails_and_phones);
    RUN(skip_types_keep_what_is_no_email_in_extra);
    RUN(address_types_come_from_a_label);
    RUN(bad_type_and_split_rules_are_config_errors);
    RUN(address_lines_may_join_columns);
    RUN(bad_joins_and_default_countries_are_config_errors);
    return test_report();
}
