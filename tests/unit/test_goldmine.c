/* test_goldmine.c — the GoldMine connector (connectors/goldmine.c), driven through its
 * method table the way extract.c drives it, and its layout schemas/goldmine.json.
 *
 * Each record or reject the connector yields is kept as a JSON object (its non-absent
 * fields, plus "@at" = file:line and "@reject" = the reason) so cases can look at any
 * field. Fixtures: tests/fixtures/goldmine (README.md there lists their rows); the
 * join test generates a larger set into a temporary directory. */
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/buf.h"
#include "pipeline/config.h"
#include "pipeline/contact.h"
#include "tests/unit/reader.h"
#include "tests/unit/testlib.h"
#include "transforms/mapping.h"

extern const struct connector goldmine_connector;

#define FX "tests/fixtures/goldmine/"

#define ANN "A3070512345$%&(*9Ann"
#define BOB "B0021433210 ,\"!Q7Bob"
#define DEE " 0010100001abcdefDee"
#define LONG_URL "http://www.bob-smith.example/a/rather/long/path/to/the/practice/page.html"

static enum cm_status rd_open(struct reader *r, const char *path, const char *opts)
{
    return reader_open(r, &goldmine_connector, "gm", path, opts);
}

static void rd_close(struct reader *r)
{
    reader_close(r);
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static json_t *at(const char *file, long line)
{
    char loc[512];
    snprintf(loc, sizeof loc, "%s:%ld", base(file), line);
    return json_string(loc);
}

/* Everything the connector yields, as a JSON array of objects. */
static json_t *read_all(struct reader *r)
{
    json_t *out = json_array();
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next n = goldmine_connector.xNext(r->st, &rec, &rej, r->err);
        if (n == CONN_EOF)
            break;
        if (n == CONN_ERROR) {
            json_array_append_new(out, json_pack("{ss}", "@error", r->err));
            break;
        }
        json_t *o = json_object();
        if (n == CONN_REJECT) {
            json_object_set_new(o, "@reject", json_string(rej.reason));
            json_object_set_new(o, "@at", at(rej.file, rej.line));
            json_object_set_new(o, "@raw", json_stringn(rej.raw ? rej.raw : "",
                                                        rej.raw ? rej.raw_len : 0));
        } else {
            json_object_set_new(o, "@at", at(rec.file, rec.line));
            for (size_t i = 0; i < rec.nfields; i++) {
                if (rec.values[i]) {
                    CHECK(strlen(rec.values[i]) == rec.lengths[i]);
                    json_object_set_new(o, rec.names[i], json_stringn(rec.values[i],
                                                                      rec.lengths[i]));
                }
            }
        }
        json_array_append_new(out, o);
    }
    return out;
}

static const char *get(const json_t *all, size_t i, const char *name)
{
    return json_string_value(json_object_get(json_array_get(all, i), name));
}

/* ---- the SQL-edition CSV set ---------------------------------------------------- */

TEST(sql_export_joins_into_contacts_in_accountno_order)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "sql", NULL), CM_OK);
    json_t *all = read_all(&r);
    CHECK_INT(json_array_size(all), 7);
    /* read phase: the CONTACT1 row whose ACCOUNTNO is NULL */
    CHECK_STR(get(all, 0, "@reject"), "CONTACT1 row without ACCOUNTNO");
    CHECK_STR(get(all, 0, "@at"), "CONTACT1.csv:4");
    CHECK(strstr(get(all, 0, "@raw"), "\"No Key Ltd\"") != NULL);
    /* then the join, in ACCOUNTNO byte order: ' ' < 'A' < 'B' */
    CHECK_STR(get(all, 1, "crmerge key"), DEE);         /* leading space kept, padding gone */
    CHECK_STR(get(all, 1, "@at"), "CONTACT1.csv:5");
    CHECK_STR(get(all, 2, "crmerge key"), ANN);
    CHECK_STR(get(all, 2, "@at"), "CONTACT1.csv:2");
    CHECK_STR(get(all, 3, "crmerge key"), ANN "/ZX3K0P7)%4XC(S6");
    CHECK_STR(get(all, 3, "@at"), "contsupp.csv:7");
    CHECK_STR(get(all, 4, "crmerge key"), BOB);
    CHECK_STR(get(all, 4, "@at"), "CONTACT1.csv:3");
    /* orphans come where their ACCOUNTNO sorts: after every contact here */
    CHECK_STR(get(all, 5, "@reject"),
              "orphan CONTACT2 row: no CONTACT1 with ACCOUNTNO \"Y8888888888YYYYYYYYY\"");
    CHECK_STR(get(all, 5, "@at"), "Contact2.CSV:3");
    CHECK_STR(get(all, 5, "@raw"), "Y8888888888YYYYYYYYY,,,,,,Retail,,ZX3K0P7)%4XB(R2");
    CHECK_STR(get(all, 6, "@reject"),
              "orphan CONTSUPP row: no CONTACT1 with ACCOUNTNO \"Z9999999999ZZZZZZZZZ\"");
    CHECK_STR(get(all, 6, "@at"), "contsupp.csv:8");
    CHECK(strstr(get(all, 6, "@raw"), "Z9999999999ZZZZZZZZZ,P,E-mail Address,,"
                                      "ghost@nowhere.example,") == get(all, 6, "@raw"));
    json_decref(all);
    rd_close(&r);
}

TEST(contact_fields_contact2_and_contsupp_details)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "sql", NULL), CM_OK);
    json_t *all = read_all(&r);
    json_t *ann = json_array_get(all, 2);
    CHECK_STR(get(all, 2, "ACCOUNTNO"), ANN);
    CHECK_STR(get(all, 2, "CONTACT"), "Ann Cole");
    CHECK_STR(get(all, 2, "CREATEON"), "2019-03-07 00:00:00.000");
    CHECK_STR(get(all, 2, "RECID"), "ZX3K0P7)%4XA(Q1");     /* CONTACT1's, not CONTACT2's */
    CHECK(json_object_get(ann, "SECR") == NULL);           /* NULL literal: absent */
    CHECK(json_object_get(ann, "U_COMPANY") == NULL);      /* shadow columns dropped */
    CHECK(json_object_get(ann, "U_KEY1") == NULL);
    /* CONTACT2: fixed and user fields */
    CHECK_STR(get(all, 2, "CALLBACKON"), "2023-12-01 00:00:00.000");
    CHECK_STR(get(all, 2, "USERDEF01"), "VIP");
    CHECK_STR(get(all, 2, "UCUSTTYPE"), "Wholesale");
    CHECK_STR(get(all, 2, "UREGION"), "Midwest");
    CHECK(json_object_get(ann, "LASTCONTON") == NULL);
    /* CONTSUPP P rows: the primary e-mail (ZIP "0100") first, overflow appended */
    CHECK_STR(get(all, 2, "E-mail 1"), "ann@cole-bakery.example");
    CHECK_STR(get(all, 2, "E-mail 2"), "ann.cole@home.example");
    CHECK(json_object_get(ann, "E-mail 3") == NULL);
    CHECK_STR(get(all, 2, "Web Site 1"), "www.colebakery.example");
    CHECK_STR(get(all, 2, "Detail: Spouse"), "Joe Cole");
    CHECK(json_object_get(ann, "Linked ACCOUNTNO") == NULL);
    CHECK_INT(json_object_size(ann), 1 + 40);               /* @at and 40 fields */

    /* Bob: no company; the long URL is in NOTES; the R row is not contact data */
    json_t *bob = json_array_get(all, 4);
    CHECK(json_object_get(bob, "COMPANY") == NULL);
    CHECK_STR(get(all, 4, "E-mail 1"), "bob@smith.example");
    CHECK_STR(get(all, 4, "Web Site 1"), LONG_URL);
    CHECK_STR(get(all, 4, "UREGION"), "EMEA");
    CHECK(json_object_get(bob, "Detail: Referral") == NULL);

    /* Dee: no CONTACT2 row, no CONTSUPP rows */
    json_t *dee = json_array_get(all, 1);
    CHECK_STR(get(all, 1, "COMPANY"), "M\xc3\xbcller & S\xc3\xb6hne GmbH");
    CHECK(json_object_get(dee, "E-mail 1") == NULL);
    CHECK(json_object_get(dee, "UREGION") == NULL);
    json_decref(all);
    rd_close(&r);
}

TEST(additional_contact_is_its_own_record_linked_to_the_company)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "sql", NULL), CM_OK);
    json_t *all = read_all(&r);
    json_t *ben = json_array_get(all, 3);
    CHECK_STR(get(all, 3, "crmerge key"), ANN "/ZX3K0P7)%4XC(S6");
    CHECK_STR(get(all, 3, "Linked ACCOUNTNO"), ANN);
    CHECK(json_object_get(ben, "ACCOUNTNO") == NULL);
    CHECK_STR(get(all, 3, "COMPANY"), "Cole Bakery");
    CHECK_STR(get(all, 3, "CONTACT"), "Ben Miller");
    CHECK_STR(get(all, 3, "TITLE"), "Head Baker");
    CHECK_STR(get(all, 3, "PHONE1"), "(555)010-2240");   /* CONTSUPP's PHONE */
    CHECK_STR(get(all, 3, "EXT1"), "3");                 /* and EXT */
    CHECK_STR(get(all, 3, "ADDRESS1"), "2 Mill Lane");
    CHECK_STR(get(all, 3, "CITY"), "Springfield");
    CHECK_STR(get(all, 3, "CONTSUPREF"), "Deliveries");
    CHECK_STR(get(all, 3, "RECID"), "ZX3K0P7)%4XC(S6");
    CHECK_STR(get(all, 3, "LASTDATE"), "2023-11-02 00:00:00.000");
    CHECK(json_object_get(ben, "E-mail 1") == NULL);
    CHECK(json_object_get(ben, "UCUSTTYPE") == NULL);
    CHECK(json_object_get(ben, "U_CONTACT") == NULL);
    CHECK(json_object_get(ben, "RECTYPE") == NULL);
    json_decref(all);
    rd_close(&r);
}

TEST(fields_and_describe)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "sql", NULL), CM_OK);
    const char *const *names;
    size_t n;
    CHECK_INT(goldmine_connector.xFields(r.st, &names, &n), CM_OK);
    /* crmerge key, ACCOUNTNO, 37 CONTACT1 columns (3 shadows dropped), 7 CONTACT2 ones,
     * Linked ACCOUNTNO, 4 CONTSUPP columns CONTACT1 has no name for */
    CHECK_INT(n, 2 + 37 + 7 + 1 + 4);
    CHECK_STR(names[0], "crmerge key");
    CHECK_STR(names[1], "ACCOUNTNO");
    CHECK_STR(names[2], "COMPANY");
    CHECK_STR(names[39], "CALLBACKON");
    CHECK_STR(names[45], "UREGION");
    CHECK_STR(names[46], "Linked ACCOUNTNO");
    CHECK_STR(names[47], "CONTSUPREF");
    CHECK_STR(names[48], "LINKACCT");
    CHECK_STR(names[49], "NOTES");
    CHECK_STR(names[50], "LINKEDDOC");
    for (size_t i = 0; i < n; i++)
        CHECK(strncmp(names[i], "U_", 2) != 0 && strcmp(names[i], "RECTYPE") != 0);

    struct buf d = BUF_INIT(0);
    CHECK_INT(goldmine_connector.xDescribe(r.st, &d), CM_OK);
    CHECK(strstr(d.data, "CONTACT1.csv: ") == d.data);
    CHECK(strstr(d.data, ", 0 rows; Contact2.CSV: ") != NULL);
    json_t *all = read_all(&r);
    buf_reset(&d);
    CHECK_INT(goldmine_connector.xDescribe(r.st, &d), CM_OK);
    CHECK(strstr(d.data, "header with 41 columns, 4 rows; Contact2.CSV: ") != NULL);
    CHECK(strstr(d.data, "header with 28 columns, 9 rows (7 details, 1 additional "
                         "contacts, 1 other rows skipped); sorted in memory") != NULL);
    buf_free(&d);
    json_decref(all);
    rd_close(&r);
}

/* ---- the dBase edition: the same rows as .DBF tables ------------------------------ */

static int is_date_field(const char *name)
{
    return !strcmp(name, "CREATEON") || !strcmp(name, "LASTDATE") ||
           !strcmp(name, "CALLBACKON") || !strcmp(name, "LASTCONTON");
}

TEST(dbf_edition_gives_the_same_records)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "sql", NULL), CM_OK);
    json_t *csv = read_all(&r);
    rd_close(&r);
    CHECK_INT(rd_open(&r, FX "dbf", NULL), CM_OK);
    json_t *dbf = read_all(&r);
    struct buf d = BUF_INIT(0);
    CHECK_INT(goldmine_connector.xDescribe(r.st, &d), CM_OK);
    CHECK(strstr(d.data, "CONTACT1.DBF: ") == d.data);
    CHECK(strstr(d.data, "1 deleted record skipped, 4 rows; contact2.dbf: ") != NULL);
    CHECK(strstr(d.data, "9 rows (7 details, 1 additional contacts, 1 other rows "
                         "skipped); sorted in memory") != NULL);
    buf_free(&d);
    rd_close(&r);

    /* locations are record numbers; the deleted record 5 never shows */
    static const char *const at[] = { "CONTACT1.DBF:3", "CONTACT1.DBF:4", "CONTACT1.DBF:1",
                                      "CONTSUPP.DBF:6", "CONTACT1.DBF:2", "contact2.dbf:2",
                                      "CONTSUPP.DBF:7" };
    CHECK_INT(json_array_size(dbf), 7);
    for (size_t i = 0; i < 7 && i < json_array_size(dbf); i++)
        CHECK_STR(get(dbf, i, "@at"), at[i]);
    CHECK_STR(get(dbf, 0, "@raw"), ",No Key Ltd,Nora Key,Key,,,,,,,,,,,,,,,,,,,,,,,,,,U0,,"
                                   "MASTER,20210505,,MASTER,,,ZX3K0P7)%4XA(Q3");
    CHECK_STR(get(dbf, 1, "crmerge key"), DEE);
    CHECK_STR(get(dbf, 1, "COMPANY"), "M\xc3\xbcller & S\xc3\xb6hne GmbH");   /* cp1252 */
    CHECK_STR(get(dbf, 2, "CREATEON"), "20190307");                           /* D field */
    CHECK_STR(get(dbf, 4, "Web Site 1"), LONG_URL);                           /* memo */

    /* every other field as in the CSV export */
    for (size_t i = 1; i < 7 && i < json_array_size(csv); i++) {
        json_t *a = json_array_get(csv, i), *b = json_array_get(dbf, i);
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v) {
            if (k[0] == '@' || is_date_field(k))
                continue;
            const char *other = json_string_value(json_object_get(b, k));
            if (!other || strcmp(other, json_string_value(v)) != 0)
                fprintf(stderr, "record %zu field %s: csv \"%s\", dbf \"%s\"\n", i, k,
                        json_string_value(v), other ? other : "(absent)");
            CHECK(other && strcmp(other, json_string_value(v)) == 0);
        }
        CHECK_INT(json_object_size(b), json_object_size(a));
    }
    json_decref(csv);
    json_decref(dbf);
}

/* ---- through the layout ---------------------------------------------------------- */

TEST(layout_maps_a_joined_contact)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "sql", NULL), CM_OK);
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(mapping_load("schemas/goldmine.json", &m, err), CM_OK);
    CHECK_STR(mapping_connector(m), "goldmine");
    struct arena a = ARENA_INIT;
    struct buf json = BUF_INIT(0);
    struct buf ben = BUF_INIT(0);
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        enum conn_next n = goldmine_connector.xNext(r.st, &rec, &rej, r.err);
        if (n == CONN_EOF || n == CONN_ERROR)
            break;
        if (n == CONN_REJECT)
            continue;
        struct contact c;
        arena_reset(&a);
        CHECK_INT(mapping_apply(m, "gm", &rec, &a, &c, err), CM_OK);
        if (c.source_key && strcmp(c.source_key, ANN) == 0)
            CHECK_INT(contact_to_json(&c, &json), CM_OK);
        if (c.source_key && strcmp(c.source_key, ANN "/ZX3K0P7)%4XC(S6") == 0)
            CHECK_INT(contact_to_json(&c, &ben), CM_OK);
    }
    CHECK_STR(json.data,
        "{\"source\":\"gm\",\"source_key\":\"A3070512345$%&(*9Ann\","
        "\"source_key_derived\":false,\"source_updated\":\"2023-11-02T00:00:00\","
        "\"prefix\":null,\"given_name\":\"Ann\",\"middle_name\":null,"
        "\"family_name\":\"Cole\",\"suffix\":null,\"full_name\":\"Ann Cole\","
        "\"company\":\"Cole Bakery\",\"department\":\"Sales\",\"title\":\"Owner\","
        "\"emails\":[\"ann@cole-bakery.example\",\"ann.cole@home.example\"],"
        "\"phones\":[{\"type\":\"work\",\"number\":\"(555)010-2233 x12\"},"
        "{\"type\":\"work\",\"number\":\"(555)010-2234\"},"
        "{\"type\":\"other\",\"number\":\"(555)010-2235 x9\"},"
        "{\"type\":\"fax\",\"number\":\"(555)010-2299 x7\"}],"
        "\"addresses\":[{\"type\":\"work\",\"lines\":[\"1 Main St\",\"Suite 4\"],"
        "\"city\":\"Springfield\",\"region\":\"IL\",\"postal_code\":\"62701\","
        "\"country\":\"USA\"}],"
        "\"created\":\"2019-03-07T00:00:00\",\"birth_date\":null,\"status\":\"Customer\","
        "\"extra\":{\"ACCOUNTNO\":\"A3070512345$%&(*9Ann\",\"LASTNAME\":\"Cole\","
        "\"DEAR\":\"Ann\",\"SOURCE\":\"Trade show\",\"KEY2\":\"Bakery\",\"STATUS\":\"U0\","
        "\"CREATEBY\":\"MASTER\",\"LASTUSER\":\"MASTER\",\"LASTTIME\":\"14:30\","
        "\"RECID\":\"ZX3K0P7)%4XA(Q1\",\"CALLBACKON\":\"2023-12-01 00:00:00.000\","
        "\"PREVRESULT\":\"Left message\",\"USERDEF01\":\"VIP\",\"UCUSTTYPE\":\"Wholesale\","
        "\"UREGION\":\"Midwest\",\"Web Site 1\":\"www.colebakery.example\","
        "\"Detail: Spouse\":\"Joe Cole\"}}");
    CHECK(strstr(ben.data, "\"given_name\":\"Ben\"") != NULL);
    CHECK(strstr(ben.data, "\"family_name\":\"Miller\"") != NULL);
    CHECK(strstr(ben.data, "\"company\":\"Cole Bakery\"") != NULL);
    CHECK(strstr(ben.data, "\"title\":\"Head Baker\"") != NULL);
    CHECK(strstr(ben.data, "{\"type\":\"work\",\"number\":\"(555)010-2240 x3\"}") != NULL);
    CHECK(strstr(ben.data, "\"Linked ACCOUNTNO\":\"A3070512345$%&(*9Ann\"") != NULL);
    CHECK(strstr(ben.data, "\"CONTSUPREF\":\"Deliveries\"") != NULL);
    buf_free(&json);
    buf_free(&ben);
    arena_free(&a);
    mapping_free(m);
    rd_close(&r);
}

TEST(layout_scores_a_contact1_header)
{
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(mapping_load("schemas/goldmine.json", &m, err), CM_OK);
    static const char *const c1[] = {
        "ACCOUNTNO", "COMPANY", "CONTACT", "LASTNAME", "DEPARTMENT", "TITLE", "SECR",
        "PHONE1", "PHONE2", "PHONE3", "FAX", "EXT1", "EXT2", "EXT3", "EXT4", "ADDRESS1",
        "ADDRESS2", "ADDRESS3", "CITY", "STATE", "ZIP", "COUNTRY", "DEAR", "SOURCE",
        "KEY1", "KEY2", "KEY3", "KEY4", "KEY5", "STATUS", "MERGECODES", "CREATEBY",
        "CREATEON", "OWNER", "LASTUSER", "LASTDATE", "LASTTIME", "RECID", "U_COMPANY",
        "U_CONTACT", "U_KEY1"
    };
    CHECK(mapping_header_score(m, c1, sizeof c1 / sizeof c1[0]) > 0.99);
    static const char *const act[] = { "Company", "Contact", "First Name", "Phone" };
    CHECK(mapping_header_score(m, act, 4) == 0.0);          /* no ACCOUNTNO */
    mapping_free(m);
}

/* ---- finding the tables ---------------------------------------------------------- */

TEST(tables_by_explicit_path_or_beside_contact1)
{
    struct reader r;
    /* path is the CONTACT1 file: the others are found beside it */
    CHECK_INT(rd_open(&r, FX "sql/CONTACT1.csv", NULL), CM_OK);
    json_t *all = read_all(&r);
    CHECK_INT(json_array_size(all), 7);
    json_decref(all);
    rd_close(&r);

    /* explicit names, relative to path; CONTSUPP left out */
    CHECK_INT(rd_open(&r, FX "sql", "{\"contact2\": \"Contact2.CSV\", "
                                    "\"contsupp\": null, \"contact1\": \"CONTACT1.csv\"}"),
              CM_OK);
    rd_close(&r);
    CHECK_INT(rd_open(&r, NULL, "{\"contact1\": \"" FX "sql/CONTACT1.csv\"}"), CM_OK);
    all = read_all(&r);                      /* CONTACT1 alone: no joined fields */
    CHECK_INT(json_array_size(all), 4);
    CHECK_STR(get(all, 2, "crmerge key"), ANN);
    CHECK(json_object_get(json_array_get(all, 2), "E-mail 1") == NULL);
    json_decref(all);
    struct buf d = BUF_INIT(0);
    CHECK_INT(goldmine_connector.xDescribe(r.st, &d), CM_OK);
    CHECK(strstr(d.data, "; no CONTACT2; no CONTSUPP") != NULL);
    buf_free(&d);
    rd_close(&r);
}

TEST(configuration_errors_name_the_option)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX, NULL), CM_ERR_CONFIG);
    CHECK_STR(r.err, "sources[0].path: no CONTACT1 table (CONTACT1.csv or CONTACT1.dbf) in "
                     FX);
    rd_close(&r);
    CHECK_INT(rd_open(&r, FX "sql", "{\"contsupp\": \"nope.csv\"}"), CM_ERR_CONFIG);
    CHECK_STR(r.err, "sources[0].contsupp: " FX "sql/nope.csv: file not found");
    rd_close(&r);
    CHECK_INT(rd_open(&r, FX "sql", "{\"sort_memory_mb\": 0}"), CM_ERR_CONFIG);
    CHECK_STR(r.err, "sources[0].sort_memory_mb: must be more than 0 and at most 1048576, "
                     "not 0");
    rd_close(&r);
    CHECK_INT(rd_open(&r, FX "sql", "{\"sort_memory_mb\": \"64\"}"), CM_ERR_CONFIG);
    CHECK_STR(r.err, "sources[0].sort_memory_mb: must be a number, not a string");
    rd_close(&r);
    CHECK_INT(rd_open(&r, FX "sql/CONTACT1.csv", "{\"contact1\": \"x.csv\"}"), CM_ERR_CONFIG);
    rd_close(&r);
    CHECK_INT(rd_open(&r, NULL, NULL), CM_ERR_CONFIG);
    CHECK_STR(r.err, "sources[0]: name the tables' directory in \"path\" or the CONTACT1 "
                     "file in \"contact1\"");
    rd_close(&r);
    /* not a GoldMine table */
    CHECK_INT(rd_open(&r, NULL, "{\"contact1\": \"tests/fixtures/csv/delim_comma.csv\"}"),
              CM_ERR_INPUT);
    CHECK_STR(r.err, "sources[0]: tests/fixtures/csv/delim_comma.csv: no ACCOUNTNO column: "
                     "not a GoldMine CONTACT1 table");
    rd_close(&r);
}

/* ---- odd rows --------------------------------------------------------------------- */

static void write_file(const char *path, const char *text);

TEST(odd_rows_are_rejected_or_kept_apart)
{
    char dir[] = "/tmp/cm-gm-odd-XXXXXX", path[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/CONTACT1.csv", dir);
    write_file(path, "ACCOUNTNO,COMPANY,CONTACT\n"
                     "K1,Acme,Al One\n"
                     "K2,Beta,Bo Two\n");
    snprintf(path, sizeof path, "%s/CONTACT2.csv", dir);
    write_file(path, "ACCOUNTNO,COMPANY,UX\n"                 /* COMPANY: a name clash */
                     "K1,C2 company,first\n"
                     "K1,C2 company,second\n");             /* a duplicate */
    struct buf cs = BUF_INIT(0);
    buf_addstr(&cs, "ACCOUNTNO,RECTYPE,CONTACT,CONTSUPREF,NOTES,ZIP,RECID\n");
    buf_addstr(&cs, "K1,P,Hobby,Chess,,,h1\n"
                    "K1,P,Hobby,Golf,,,h2\n"                 /* the same label again */
                    "K1,P,,unlabelled,,,u1\n"
                    "K1,P,Web Site,www.a.example,some notes,,w1\n"
                    "K1,C,No Recid,,,,\n"                      /* no RECID: no key */
                    "K1,p,E-MAIL ADDRESS,lower@rectype.example,,01,e1\n"
                    "K1,P,E-mail Address,,,,e2\n");           /* empty: nothing to add */
    for (int i = 0; i < 256; i++)
        buf_printf(&cs, "K2,P,Detail %d,v%d,,,d%d\n", i, i, i);
    buf_addstr(&cs, "K2,P,One Too Many,x,,,d256\n"
                    "K2,C,Carl Extra,,,,c1\n");
    snprintf(path, sizeof path, "%s/CONTSUPP.csv", dir);
    write_file(path, cs.data);
    buf_free(&cs);

    struct reader r;
    CHECK_INT(rd_open(&r, dir, NULL), CM_OK);
    json_t *all = read_all(&r);
    CHECK_INT(json_array_size(all), 6);
    CHECK_STR(get(all, 0, "crmerge key"), "K1");
    CHECK_STR(get(all, 0, "COMPANY"), "Acme");
    CHECK_STR(get(all, 0, "CONTACT2.COMPANY"), "C2 company");
    CHECK_STR(get(all, 0, "UX"), "first");
    CHECK_STR(get(all, 0, "Detail: Hobby"), "Chess");
    CHECK_STR(get(all, 0, "Detail: Hobby (2)"), "Golf");
    CHECK_STR(get(all, 0, "Detail: (no label)"), "unlabelled");
    CHECK_STR(get(all, 0, "Web Site 1"), "www.a.example");   /* NOTES is not the URL */
    CHECK_STR(get(all, 0, "E-mail 1"), "lower@rectype.example");
    CHECK(json_object_get(json_array_get(all, 0), "E-mail 2") == NULL);
    CHECK_STR(get(all, 1, "@reject"), "additional contact (CONTSUPP RECTYPE C) of ACCOUNTNO "
                                      "\"K1\" without RECID: it has no stable key");
    CHECK_STR(get(all, 1, "@at"), "CONTSUPP.csv:6");
    CHECK_STR(get(all, 2, "@reject"), "duplicate CONTACT2 row: a second one for ACCOUNTNO "
                                      "\"K1\"");
    CHECK_STR(get(all, 2, "@at"), "CONTACT2.csv:3");
    CHECK_STR(get(all, 3, "crmerge key"), "K2");
    CHECK_STR(get(all, 3, "Detail: Detail 255"), "v255");
    CHECK(json_object_get(json_array_get(all, 3), "Detail: One Too Many") == NULL);
    CHECK_STR(get(all, 4, "@reject"), "CONTSUPP row not joined: more than 256 details for "
                                      "ACCOUNTNO \"K2\"");
    CHECK_STR(get(all, 4, "@at"), "CONTSUPP.csv:265");
    CHECK_STR(get(all, 5, "crmerge key"), "K2/c1");
    CHECK_STR(get(all, 5, "COMPANY"), "Beta");
    CHECK_STR(get(all, 5, "CONTACT"), "Carl Extra");
    json_decref(all);
    rd_close(&r);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK_INT(system(path), 0);
}

/* ---- a generated set, sorted in far less memory than it takes ------------------ */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

struct gen_contact {
    char key[24];
    int line;                /* in CONTACT1 */
    int has_c2;
    int nmail, primary;      /* e-mails: index of the primary one, -1 none */
    int nadd;                /* additional contacts */
};

static int cmp_key(const void *a, const void *b)
{
    const struct gen_contact *x = a, *y = b;
    return strcmp(x->key, y->key);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

TEST(join_spills_and_merges_in_tiny_memory)
{
    enum { N = 3000 };
    static struct gen_contact gc[N];
    rng_state = 42;
    char dir[] = "/tmp/cm-gm-join-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char tmp[64], path[128];
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    mkdir(tmp, 0700);

    struct buf c1 = BUF_INIT(0), c2 = BUF_INIT(0), cs = BUF_INIT(0);
    buf_addstr(&c1, "ACCOUNTNO,COMPANY,CONTACT,U_COMPANY\n");
    buf_addstr(&c2, "ACCOUNTNO,UCUSTTYPE,RECID\n");
    buf_addstr(&cs, "ACCOUNTNO,RECTYPE,CONTACT,CONTSUPREF,ZIP,RECID\n");
    static const char alphabet[] = "AB $%&(*9z";
    for (int i = 0; i < N; i++) {
        struct gen_contact *g = &gc[i];
        for (int k = 0; k < 12; k++)     /* short keys from a small alphabet: many ties */
            g->key[k] = alphabet[rnd(sizeof alphabet - 1)];
        snprintf(g->key + 12, sizeof g->key - 12, "%04d", i);
        g->line = i + 2;
        g->has_c2 = rnd(3) != 0;
        g->nmail = (int)rnd(4);
        g->primary = g->nmail ? (int)rnd((uint32_t)g->nmail + 1) - 1 : -1;
        g->nadd = rnd(4) == 0;
        buf_printf(&c1, "\"%s\",Company %d,Person %d,COMPANY %d\n", g->key, i, i, i);
    }
    /* CONTACT2 and CONTSUPP rows in an order of their own: walk the contacts backwards,
     * e-mails interleaved with R rows; orphans spread through */
    int c2_line = 1, cs_line = 1, orphans = 0;
    for (int i = N - 1; i >= 0; i--) {
        struct gen_contact *g = &gc[i];
        if (g->has_c2) {
            buf_printf(&c2, "\"%s\",Type %d,R2-%d\n", g->key, i, i);
            c2_line++;
        }
        for (int m = 0; m < g->nmail; m++) {
            buf_printf(&cs, "\"%s\",P,E-mail Address,mail%d.%d@example.org,%s,S-%d-%d\n",
                       g->key, i, m, m == g->primary ? "0100" : "0000", i, m);
            buf_printf(&cs, "\"%s\",R,Referral,x,,R-%d-%d\n", g->key, i, m);
            cs_line += 2;
        }
        if (g->nadd) {
            buf_printf(&cs, "\"%s\",C,Helper %d,,,C-%d\n", g->key, i, i);
            cs_line++;
        }
        if (i % 500 == 7) {
            buf_printf(&cs, "\"~orphan%d\",P,Web Site,www.x.example,,O-%d\n", i, i);
            cs_line++;
            orphans++;
        }
    }
    snprintf(path, sizeof path, "%s/CONTACT1.csv", dir);
    write_file(path, c1.data);
    snprintf(path, sizeof path, "%s/CONTACT2.csv", dir);
    write_file(path, c2.data);
    snprintf(path, sizeof path, "%s/CONTSUPP.csv", dir);
    write_file(path, cs.data);

    /* the expected join, built the naive way */
    qsort(gc, N, sizeof gc[0], cmp_key);
    const char *old_tmp = getenv("TMPDIR");
    char *saved = old_tmp ? strdup(old_tmp) : NULL;
    setenv("TMPDIR", tmp, 1);
    struct reader r;
    CHECK_INT(rd_open(&r, dir, "{\"sort_memory_mb\": 0.05}"), CM_OK);
    size_t nrec = 0, nrej = 0, bad = 0, i = 0;
    int saw_merge = 0, pending_add = 0;
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        enum conn_next n = goldmine_connector.xNext(r.st, &rec, &rej, r.err);
        if (n == CONN_EOF || n == CONN_ERROR) {
            CHECK_INT(n, CONN_EOF);
            break;
        }
        if (!saw_merge) {
            saw_merge = 1;
            CHECK_INT(count_files(tmp, "crmerge-sort-"), 0);   /* unlinked already */
        }
        if (n == CONN_REJECT) {
            nrej++;
            if (!strstr(rej.reason, "orphan CONTSUPP row: no CONTACT1 with ACCOUNTNO "
                                    "\"~orphan"))
                bad++;
            continue;
        }
        nrec++;
        if (i >= N) {
            bad++;
            continue;
        }
        char want[1024], got[1024];
        const char *key = NULL, *mail[4] = { 0 }, *type = NULL, *linked = NULL, *comp = NULL;
        for (size_t f = 0; f < rec.nfields; f++) {
            const char *nm = rec.names[f], *v = rec.values[f];
            if (!v)
                continue;
            if (!strcmp(nm, "crmerge key"))
                key = v;
            else if (!strncmp(nm, "E-mail ", 7) && nm[7] >= '1' && nm[7] <= '4' && !nm[8])
                mail[nm[7] - '1'] = v;
            else if (!strcmp(nm, "UCUSTTYPE"))
                type = v;
            else if (!strcmp(nm, "Linked ACCOUNTNO"))
                linked = v;
            else if (!strcmp(nm, "COMPANY"))
                comp = v;
        }
        snprintf(got, sizeof got, "%s|%s|%s|%s|%s|%s|%s|%s", key, mail[0] ? mail[0] : "-",
                 mail[1] ? mail[1] : "-", mail[2] ? mail[2] : "-", mail[3] ? mail[3] : "-",
                 type ? type : "-", linked ? linked : "-", comp ? comp : "-");
        struct gen_contact *g = &gc[i];
        int idx = atoi(g->key + 12);
        if (pending_add) {                /* the additional contact of the last contact */
            snprintf(want, sizeof want, "%s/C-%d|-|-|-|-|-|%s|Company %d", g->key, idx,
                     g->key, idx);
            pending_add = 0;
            i++;
        } else {
            /* e-mails: the primary first, then the others in file order */
            char m[4][64], t[32];
            int k = 0;
            if (g->primary >= 0)
                snprintf(m[k++], sizeof m[0], "mail%d.%d@example.org", idx, g->primary);
            for (int e = 0; e < g->nmail; e++) {
                if (e != g->primary)
                    snprintf(m[k++], sizeof m[0], "mail%d.%d@example.org", idx, e);
            }
            for (; k < 4; k++)
                strcpy(m[k], "-");
            snprintf(t, sizeof t, "Type %d", idx);
            snprintf(want, sizeof want, "%s|%s|%s|%s|%s|%s|-|Company %d", g->key, m[0], m[1],
                     m[2], m[3], g->has_c2 ? t : "-", idx);
            if (g->nadd)
                pending_add = 1;
            else
                i++;
        }
        if (strcmp(want, got) != 0 && bad++ < 5)
            fprintf(stderr, "want %s\n got %s\n", want, got);
    }
    size_t adds = 0;
    for (int k = 0; k < N; k++)
        adds += (size_t)gc[k].nadd;
    CHECK_INT(bad, 0);
    CHECK_INT(nrec, N + adds);
    CHECK_INT(nrej, (size_t)orphans);
    struct buf d = BUF_INIT(0);
    CHECK_INT(goldmine_connector.xDescribe(r.st, &d), CM_OK);
    unsigned runs = 0, passes = 0;
    const char *s = strstr(d.data, "; sorted in ");
    CHECK(s && sscanf(s, "; sorted in %u runs, %u merge passes", &runs, &passes) == 2);
    if (runs <= 10 || passes < 1)
        fprintf(stderr, "%s\n", d.data);
    CHECK(runs > 10);                              /* many chunks ... */
    CHECK(passes >= 1);                            /* ... more than one merge can take */
    buf_free(&d);
    rd_close(&r);
    CHECK_INT(count_files(tmp, "crmerge-sort-"), 0);
    if (saved) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
    buf_free(&c1);
    buf_free(&c2);
    buf_free(&cs);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK_INT(system(path), 0);
}

int main(void)
{
    RUN(sql_export_joins_into_contacts_in_accountno_order);
    RUN(contact_fields_contact2_and_contsupp_details);
    RUN(additional_contact_is_its_own_record_linked_to_the_company);
    RUN(fields_and_describe);
    RUN(dbf_edition_gives_the_same_records);
    RUN(layout_maps_a_joined_contact);
    RUN(layout_scores_a_contact1_header);
    RUN(tables_by_explicit_path_or_beside_contact1);
    RUN(configuration_errors_name_the_option);
    RUN(odd_rows_are_rejected_or_kept_apart);
    RUN(join_spills_and_merges_in_tiny_memory);
    return test_report();
}
