/* test_http.c — the web-API connector: the API descriptions of the presets, request
 * building, timestamps, record flattening (connectors/http/http_api.c), records mapped
 * through each preset's layout, and the connector (connectors/http.c) over real
 * loopback HTTP against tests/http/server.py with tests/http/crm_pages.py: every
 * preset's paging, incremental reads and bookmarks, deleted markers, and the page
 * faults (bad JSON, no record list, 404, 401).
 *
 * One server runs for the whole binary (tests/unit/loopback.h); cases tell their
 * requests apart by a path prefix in base_url where they need the log. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/http/http_api.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"
#include "tests/unit/loopback.h"
#include "tests/unit/testlib.h"
#include "transforms/mapping.h"

/* ---- helpers ---------------------------------------------------------------------- */

static json_t *preset_api(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "schemas/%s.json", name);
    json_t *root = json_load_file(path, 0, NULL);
    json_t *api = json_incref(json_object_get(root, "api"));
    json_decref(root);
    return api;
}

/* value of column name in f, or NULL */
static const char *fv(const struct flat *f, const char *name)
{
    for (size_t i = 0; i < f->ncols; i++) {
        if (!strcmp(f->names[i], name))
            return f->values[i];
    }
    return NULL;
}

/* ---- timestamps ---------------------------------------------------------------------- */

TEST(timestamps_parse_every_api_form)
{
    long long ms = 0;
    CHECK_INT(api_ts_parse("2024-05-02T09:14:03.120Z", &ms), 0);
    CHECK_INT(ms, 1714641243120LL);
    CHECK_INT(api_ts_parse("2024-05-02T09:14:03.000+0000", &ms), 0);       /* Salesforce */
    CHECK_INT(ms, 1714641243000LL);
    CHECK_INT(api_ts_parse("2024-05-02T11:14:03+02:00", &ms), 0);
    CHECK_INT(ms, 1714641243000LL);
    CHECK_INT(api_ts_parse("2024-05-02 09:14:03", &ms), 0);                /* Pipedrive */
    CHECK_INT(ms, 1714641243000LL);
    CHECK_INT(api_ts_parse("1714641243120", &ms), 0);                      /* epoch ms */
    CHECK_INT(ms, 1714641243120LL);
    CHECK_INT(api_ts_parse("2024-05-02", &ms), 0);
    CHECK_INT(ms, 1714608000000LL);
    CHECK_INT(api_ts_parse("1970-01-01T00:00:00Z", &ms), 0);
    CHECK_INT(ms, 0);
    CHECK_INT(api_ts_parse("2024-02-30T00:00:00Z", &ms), -1);
    CHECK_INT(api_ts_parse("yesterday", &ms), -1);
    CHECK_INT(api_ts_parse("2024-05-02T09:14", &ms), 0);
    CHECK_INT(api_ts_parse("2024-05-02T09:14:03.Z", &ms), -1);
    CHECK_INT(api_ts_parse("", &ms), -1);
}

TEST(timestamps_format_as_each_filter_wants)
{
    char out[64];
    api_ts_format(1714641243120LL, API_TS_ISO, out, sizeof out);
    CHECK_STR(out, "2024-05-02T09:14:03Z");                /* cut down: >= overlaps */
    api_ts_format(1714641243120LL, API_TS_ISO_MS, out, sizeof out);
    CHECK_STR(out, "2024-05-02T09:14:03.120Z");
    api_ts_format(1714641243120LL, API_TS_EPOCH_MS, out, sizeof out);
    CHECK_STR(out, "1714641243120");
    api_ts_format(1714641243120LL, API_TS_DATETIME, out, sizeof out);
    CHECK_STR(out, "2024-05-02 09:14:03");
}

/* ---- descriptions ------------------------------------------------------------------- */

TEST(every_preset_loads)
{
    static const char *const presets[] = { "hubspot", "salesforce", "pipedrive", "dynamics" };
    for (size_t i = 0; i < 4; i++) {
        json_t *api = preset_api(presets[i]);
        CHECK(api != NULL);
        struct api_desc d;
        char err[CM_ERRBUF] = "";
        CHECK_INT(api_desc_load(api, NULL, "api", &d, err), CM_OK);
        CHECK_STR(err, "");
        CHECK(d.inc_field != NULL);
        CHECK(d.del_field != NULL);
        CHECK(d.full.paging != API_PAGE_NONE);
        api_desc_free(&d);
        json_decref(api);
        struct mapping *m = NULL;                 /* the layout side accepts "api" */
        char path[256];
        snprintf(path, sizeof path, "schemas/%s.json", presets[i]);
        CHECK_INT(mapping_load(path, &m, err), CM_OK);
        CHECK_STR(err, "");
        if (m)
            CHECK_STR(mapping_connector(m), "http");
        mapping_free(m);
    }
}

TEST(description_errors_name_the_key)
{
    static const struct { const char *json, *want; } cases[] = {
        { "{\"records\": \"data\"}", "api.path: missing (the endpoint, relative to base_url)" },
        { "{\"path\": \"/x\"}", "api.records: missing (the path of the record list in a page, "
                                "\".\" when the page is the list)" },
        { "{\"path\": \"/x\", \"records\": \".\", \"pagnation\": {}}", "api.pagnation: unknown key" },
        { "{\"path\": \"/x\", \"records\": \".\", \"pagination\": {\"style\": \"pages\"}}",
          "api.pagination.style: must be \"cursor\", \"next_url\", \"offset\", \"link_header\" "
          "or \"none\"" },
        { "{\"path\": \"/x\", \"records\": \".\", \"pagination\": {\"style\": \"cursor\", "
          "\"next\": \"n\"}}",
          "api.pagination.param: missing (the parameter that sends the cursor back)" },
        { "{\"path\": \"/x\", \"records\": \".\", \"method\": \"POST\"}",
          "api.body: a POST needs a body" },
        { "{\"path\": \"/x\", \"records\": \".\", \"incremental\": {\"field\": \"u\"}}",
          "api.incremental: a server-side filter must send {since} (in query, path or body)" },
        { "{\"path\": \"/x\", \"records\": \".\", \"incremental\": {\"field\": \"u\", "
          "\"format\": \"unix\", \"filter\": \"client\"}}",
          "api.incremental.format: must be \"iso\", \"iso_ms\", \"epoch_ms\" or \"datetime\"" },
        { "{\"path\": \"/x\", \"records\": \".\", \"page_size\": 0}",
          "api.page_size: must be an integer from 1 to 1000" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = json_loads(cases[i].json, 0, NULL);
        struct api_desc d;
        char err[CM_ERRBUF] = "";
        CHECK_INT(api_desc_load(NULL, o, "api", &d, err), CM_ERR_CONFIG);
        CHECK_STR(err, cases[i].want);
        api_desc_free(&d);
        json_decref(o);
    }
}

TEST(source_api_overrides_the_preset)
{
    json_t *api = preset_api("hubspot");
    json_t *o = json_loads("{\"query\": {\"properties\": \"email\"}, \"page_size\": 10}", 0, NULL);
    struct api_desc d;
    char err[CM_ERRBUF] = "";
    CHECK_INT(api_desc_load(api, o, "sources[0].api", &d, err), CM_OK);
    CHECK_INT(d.page_size, 10);
    struct buf u = BUF_INIT(0);
    CHECK_INT(api_build_url("https://api.hubapi.com/", &d.full, d.page_size, NULL, "after",
                            "5102", &u), CM_OK);
    CHECK_STR(u.data, "https://api.hubapi.com/crm/v3/objects/contacts?limit=10&archived=false"
                      "&properties=email&after=5102");
    buf_free(&u);
    api_desc_free(&d);
    json_decref(api);
    json_decref(o);
}

/* ---- requests -------------------------------------------------------------------------- */

TEST(salesforce_soql_is_encoded_with_the_bookmark)
{
    json_t *api = preset_api("salesforce");
    struct api_desc d;
    char err[CM_ERRBUF] = "";
    CHECK_INT(api_desc_load(api, NULL, "api", &d, err), CM_OK);
    struct buf u = BUF_INIT(0);
    CHECK_INT(api_build_url("https://x.my.salesforce.com", &d.delta, 2000,
                            "2024-05-02T09:14:03Z", NULL, NULL, &u), CM_OK);
    CHECK(strstr(u.data, "/services/data/v59.0/queryAll?q=SELECT%20Id,%20Salutation,") != NULL);
    CHECK(strstr(u.data, "%20WHERE%20SystemModstamp%20%3E%3D%202024-05-02T09:14:03Z%20ORDER%20BY"
                         "%20SystemModstamp%20ASC") != NULL);
    buf_reset(&u);
    CHECK_INT(api_expand(json_string_value(json_array_get(d.full.headers, 0)), 2000, NULL, &u),
              CM_OK);
    CHECK_STR(u.data, "Sforce-Query-Options: batchSize=2000");
    buf_free(&u);
    api_desc_free(&d);
    json_decref(api);
}

TEST(hubspot_search_body_from_the_template)
{
    json_t *api = preset_api("hubspot");
    struct api_desc d;
    char err[CM_ERRBUF] = "";
    CHECK_INT(api_desc_load(api, NULL, "api", &d, err), CM_OK);
    CHECK_STR(d.delta.method, "POST");
    CHECK(d.delta.query == NULL);                 /* another endpoint: not the list's query */
    CHECK_INT(d.delta.reanchor_after, 10000);
    char *body = api_build_body(&d.delta, 100, "1714641243120", "after", "200");
    json_t *b = json_loads(body, 0, NULL);
    CHECK_STR(json_string_value(api_path_get(b, "filterGroups.1.filters.1.value")),
              "1714641243120");
    CHECK_STR(json_string_value(api_path_get(b, "filterGroups.1.filters.1.operator")), "GTE");
    CHECK_INT(json_integer_value(json_object_get(b, "limit")), 100);
    CHECK_STR(json_string_value(json_object_get(b, "after")), "200");
    json_decref(b);
    free(body);
    api_desc_free(&d);
    json_decref(api);
}

TEST(dynamics_filter_and_paths_with_dots)
{
    json_t *api = preset_api("dynamics");
    struct api_desc d;
    char err[CM_ERRBUF] = "";
    CHECK_INT(api_desc_load(api, NULL, "api", &d, err), CM_OK);
    struct buf u = BUF_INIT(0);
    CHECK_INT(api_build_url("https://org.crm.dynamics.com", &d.delta, 500,
                            "2024-05-02T09:14:03Z", NULL, NULL, &u), CM_OK);
    CHECK(strstr(u.data, "&$filter=modifiedon%20ge%202024-05-02T09:14:03Z") != NULL);
    buf_free(&u);
    json_t *page = json_loads("{\"@odata.nextLink\": \"https://org.crm.dynamics.com/n\","
                              " \"a\": {\"b.c\": {\"d\": 1}}, \"value\": []}", 0, NULL);
    CHECK_STR(json_string_value(api_path_get(page, "@odata.nextLink")),
              "https://org.crm.dynamics.com/n");
    CHECK_INT(json_integer_value(api_path_get(page, "a.b.c.d")), 1);
    CHECK(api_path_get(page, "a.b") == NULL);
    CHECK(api_path_get(page, ".") == page);
    json_decref(page);
    api_desc_free(&d);
    json_decref(api);
}

TEST(next_urls_stay_on_the_base_host)
{
    const char *why;
    char *u = api_resolve_next("https://x.my.salesforce.com",
                               "/services/data/v59.0/query/01g-2000", &why);
    CHECK_STR(u, "https://x.my.salesforce.com/services/data/v59.0/query/01g-2000");
    free(u);
    u = api_resolve_next("http://127.0.0.1:8080/api", "http://127.0.0.1:8080/x?p=2", &why);
    CHECK_STR(u, "http://127.0.0.1:8080/x?p=2");
    free(u);
    u = api_resolve_next("https://org.crm.dynamics.com", "https://evil.example/steal", &why);
    CHECK(u == NULL);
    CHECK_STR(why, "it leaves the base URL's host (the credentials are not sent elsewhere)");
    u = api_resolve_next("https://org.crm.dynamics.com", "ftp://org.crm.dynamics.com/x", &why);
    CHECK(u == NULL);
}

TEST(query_values_are_percent_encoded)
{
    struct buf b = BUF_INIT(0);
    CHECK_INT(api_url_encode("a b&c=d+e/f:g,h#%é", &b), CM_OK);
    CHECK_STR(b.data, "a%20b%26c%3Dd%2Be/f:g,h%23%25%C3%A9");
    buf_free(&b);
}

/* ---- flattening --------------------------------------------------------------------------- */

TEST(flatten_dotted_numbered_typed)
{
    struct flat f;
    flat_init(&f, 100, 1000);
    json_t *r = json_loads("{\"id\": 7, \"name\": \"Ann\", \"email\": [{\"value\": \"a@x\", "
                           "\"primary\": true}, {\"value\": \"b@x\", \"label\": \"home\"}], "
                           "\"tags\": [\"vip\", 3], \"org\": {\"name\": \"Cole\", \"x\": null},"
                           " \"score\": 0.1, \"big\": 1e300, \"empty\": {}, \"none\": []}",
                           0, NULL);
    char why[CM_ERRBUF] = "";
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_OK);
    CHECK_STR(fv(&f, "id"), "7");
    CHECK_STR(fv(&f, "name"), "Ann");
    CHECK_STR(fv(&f, "email.1.value"), "a@x");
    CHECK_STR(fv(&f, "email.1.primary"), "true");
    CHECK_STR(fv(&f, "email.2.label"), "home");
    CHECK_STR(fv(&f, "tags.1"), "vip");
    CHECK_STR(fv(&f, "tags.2"), "3");
    CHECK_STR(fv(&f, "org.name"), "Cole");
    CHECK_STR(fv(&f, "score"), "0.1");
    CHECK_STR(fv(&f, "big"), "1e+300");
    CHECK_INT(f.ncols, 11);                       /* null, {} and [] give nothing */
    unsigned v1 = f.names_version;
    json_decref(r);

    /* the next record: same names, no new version; an absent one is NULL */
    r = json_loads("{\"id\": 8, \"name\": \"Bo\"}", 0, NULL);
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_OK);
    CHECK_INT(f.names_version, v1);
    CHECK_STR(fv(&f, "id"), "8");
    CHECK(fv(&f, "email.1.value") == NULL);
    json_decref(r);

    /* a new name: a new version */
    r = json_loads("{\"id\": 9, \"phone\": [{\"value\": \"+1\"}]}", 0, NULL);
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_OK);
    CHECK(f.names_version != v1);
    CHECK_STR(fv(&f, "phone.1.value"), "+1");
    CHECK(fv(&f, "name") == NULL);
    json_decref(r);
    flat_free(&f);
}

TEST(flatten_limits_reject_the_record)
{
    struct flat f;
    flat_init(&f, 3, 8);
    char why[CM_ERRBUF] = "";
    json_t *r = json_loads("{\"a\": \"123456789\"}", 0, NULL);
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_ERR_LIMIT);
    CHECK_STR(why, "field \"a\" is 9 bytes, over max_value_bytes 8");
    json_decref(r);
    r = json_loads("{\"a\": [1, 2, 3, 4]}", 0, NULL);
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_ERR_LIMIT);
    CHECK_STR(why, "more than 3 fields (max_fields)");
    json_decref(r);
    r = json_loads("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                   0, NULL);
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_ERR_LIMIT);
    CHECK(strstr(why, "nested deeper than 32 levels") != NULL);
    json_decref(r);
    r = json_loads("{\"ok\": \"yes\"}", 0, NULL);          /* the next record is fine */
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_OK);
    CHECK_STR(fv(&f, "ok"), "yes");
    json_decref(r);
    flat_free(&f);
}

TEST(flatten_past_the_column_cap_starts_afresh)
{
    struct flat f;
    flat_init(&f, 100000, 100);
    char why[CM_ERRBUF];
    json_t *r = json_object();
    for (int i = 0; i < FLAT_COLS_MAX; i++) {
        char k[32];
        snprintf(k, sizeof k, "k%d", i);
        json_object_set_new(r, k, json_integer(i));
    }
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_OK);
    CHECK_INT(f.ncols, FLAT_COLS_MAX);
    json_decref(r);
    r = json_loads("{\"k1\": 1, \"new\": 2}", 0, NULL);
    CHECK_INT(flat_record(&f, r, why, sizeof why), CM_OK);
    CHECK_INT(f.ncols, 2);
    CHECK_STR(fv(&f, "new"), "2");
    CHECK_STR(fv(&f, "k1"), "1");
    json_decref(r);
    flat_free(&f);
}

/* ---- records through the preset layouts ---------------------------------------------------- */

/* Flatten json, map it with the layout; the contact's JSON. */
static char *map_one(const char *layout, const char *json)
{
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    char path[256];
    snprintf(path, sizeof path, "schemas/%s.json", layout);
    if (mapping_load(path, &m, err) != CM_OK) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    struct flat f;
    flat_init(&f, 1000, 1 << 20);
    json_t *r = json_loads(json, 0, NULL);
    char *out = NULL;
    if (r && flat_record(&f, r, err, sizeof err) == CM_OK) {
        struct raw_record rec;
        memset(&rec, 0, sizeof rec);
        rec.nfields = f.ncols;
        rec.names = (const char *const *)f.names;
        rec.names_version = f.names_version;
        rec.values = f.values;
        rec.lengths = f.lengths;
        rec.file = "page";
        rec.line = 1;
        struct arena a = ARENA_INIT;
        struct contact c;
        memset(&c, 0, sizeof c);
        if (mapping_apply(m, "test", &rec, &a, &c, err) == CM_OK) {
            struct buf j = BUF_INIT(0);
            contact_to_json(&c, &j);
            out = buf_detach(&j, NULL);
        } else {
            fprintf(stderr, "%s\n", err);
        }
        arena_free(&a);
    }
    json_decref(r);
    flat_free(&f);
    mapping_free(m);
    return out;
}

static int has(const char *hay, const char *needle)
{
    int ok = hay && strstr(hay, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  missing %s in %s\n", needle, hay ? hay : "(null)");
    return ok;
}

TEST(preset_layouts_map_real_records)
{
    char *c = map_one("hubspot", "{\"id\":\"5101\",\"properties\":{\"firstname\":\"Ann\","
                      "\"lastname\":\"Cole\",\"email\":\"ann@cole.example\",\"phone\":\"+1 555 0100\","
                      "\"company\":\"Cole Ltd\",\"lastmodifieddate\":\"2024-05-02T09:14:03.120Z\"},"
                      "\"updatedAt\":\"2024-05-02T09:14:03.120Z\",\"archived\":false}");
    CHECK(has(c, "\"source_key\":\"5101\""));
    CHECK(has(c, "\"given_name\":\"Ann\""));
    CHECK(has(c, "\"family_name\":\"Cole\""));
    CHECK(has(c, "\"company\":\"Cole Ltd\""));
    CHECK(has(c, "\"emails\":[\"ann@cole.example\"]"));
    CHECK(has(c, "{\"type\":\"work\",\"number\":\"+1 555 0100\"}"));
    CHECK(has(c, "\"source_updated\":\"2024-05-02T09:14:03"));
    free(c);
    c = map_one("salesforce", "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/x\"},"
                "\"Id\":\"003A\",\"FirstName\":\"Bo\",\"LastName\":\"Dahl\",\"Email\":\"bo@d.example\","
                "\"Phone\":\"555\",\"Account\":{\"attributes\":{\"type\":\"Account\"},\"Name\":\"Dahl AB\"},"
                "\"SystemModstamp\":\"2024-05-02T09:14:03.000+0000\",\"IsDeleted\":false}");
    CHECK(has(c, "\"source_key\":\"003A\""));
    CHECK(has(c, "\"company\":\"Dahl AB\""));
    CHECK(has(c, "\"emails\":[\"bo@d.example\"]"));
    CHECK(has(c, "\"source_updated\":\"2024-05-02T09:14:03"));
    free(c);
    c = map_one("pipedrive", "{\"id\":12,\"name\":\"Cy Eze\",\"first_name\":\"Cy\",\"last_name\":"
                "\"Eze\",\"org_name\":\"Eze plc\",\"email\":[{\"value\":\"cy@e.example\",\"label\":"
                "\"work\",\"primary\":true},{\"value\":\"cy@home.example\",\"label\":\"home\"}],"
                "\"phone\":[{\"value\":\"+44 7700\",\"label\":\"mobile\",\"primary\":true}],"
                "\"update_time\":\"2024-05-02 09:14:03\",\"active_flag\":true}");
    CHECK(has(c, "\"source_key\":\"12\""));
    CHECK(has(c, "\"emails\":[\"cy@e.example\",\"cy@home.example\"]"));
    CHECK(has(c, "{\"type\":\"mobile\",\"number\":\"+44 7700\"}"));
    CHECK(has(c, "\"company\":\"Eze plc\""));
    free(c);
    c = map_one("dynamics", "{\"@odata.etag\":\"W/\\\"1\\\"\",\"contactid\":\"0001-guid\","
                "\"firstname\":\"Di\",\"lastname\":\"Fox\",\"emailaddress1\":\"di@f.example\","
                "\"telephone1\":\"555 0101\",\"_parentcustomerid_value@OData.Community.Display.V1."
                "FormattedValue\":\"Fox GmbH\",\"modifiedon\":\"2024-05-02T09:14:03Z\"}");
    CHECK(has(c, "\"source_key\":\"0001-guid\""));
    CHECK(has(c, "\"company\":\"Fox GmbH\""));
    CHECK(has(c, "\"emails\":[\"di@f.example\"]"));
    CHECK(has(c, "{\"type\":\"work\",\"number\":\"555 0101\"}"));
    free(c);
}

/* ---- the connector over loopback HTTP -------------------------------------------------- */

extern const struct connector http_connector;

static const char scenario[] =
    "{\"routes\": [\n"
    " {\"path\": \"/t401/crm/v3/objects/contacts\", \"crm\": \"hubspot\","
    "  \"dataset\": \"contacts.json\", \"token\": \"the-right-token\"},\n"
    " {\"path\": \"/t404/contacts\", \"crm\": \"link\", \"dataset\": \"contacts.json\","
    "  \"fault_page\": 1, \"fault\": 404},\n"
    " {\"path\": \"/trunc/contacts\", \"crm\": \"link\", \"dataset\": \"contacts.json\","
    "  \"fault_page\": 2, \"fault\": \"truncated\"},\n"
    " {\"path\": \"/norec/contacts\", \"crm\": \"link\", \"dataset\": \"contacts.json\","
    "  \"fault_page\": 2, \"fault\": \"no_records\"},\n"
    " {\"path\": \"/anchor/crm/v3/objects/contacts/search\", \"method\": \"POST\","
    "  \"crm\": \"hubspot\", \"dataset\": \"contacts.json\", \"search_limit\": 4},\n"
    " {\"crm\": \"hubspot\", \"dataset\": \"contacts.json\", \"token\": \"hs-token-1\"},\n"
    " {\"crm\": \"salesforce\", \"dataset\": \"contacts.json\", \"token\": \"sf-token-2\"},\n"
    " {\"crm\": \"pipedrive\", \"dataset\": \"contacts.json\", \"token\": \"pd-token-3\"},\n"
    " {\"crm\": \"dynamics\", \"dataset\": \"contacts.json\", \"token\": \"dy-token-4\"},\n"
    " {\"crm\": \"link\", \"dataset\": \"contacts.json\"}\n"
    "], \"default_status\": 404}\n";

static struct loopback lb;

/* the server, with the dataset its routes page through */
static int server_start(void)
{
    char path[128], chunk[4096];
    if (loopback_start(&lb, scenario))
        return -1;
    loopback_path(&lb, "contacts.json", path, sizeof path);
    FILE *in = fopen("tests/fixtures/http/contacts.json", "rb"), *out = fopen(path, "wb");
    size_t n;
    int rc = in && out ? 0 : -1;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
        rc = fwrite(chunk, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out))
        rc = -1;
    return rc;
}

/* One read of an http source, as extract does it, with what came out. */
struct got {
    enum cm_status open_rc;
    int delta;
    enum conn_next end;          /* CONN_EOF or CONN_ERROR */
    char err[CM_ERRBUF];
    char keys[1024];             /* mapped source keys, comma-separated, in order */
    char deleted[256];           /* keys flagged deleted */
    char first_email[128], first_phone[64], first_company[64];
    char location[512];          /* of the first record */
    char bookmark[64];           /* xBookmark, "(null)" for none */
    char describe[CM_ERRBUF];
    int records, rejects;
};

static void append(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s%s", n ? "," : "", s);
}

/* opts: the source object (JSON text) without name/connector; base_url is added as
 * lb.base + prefix. */
static void read_source(const char *opts, const char *prefix, const char *bookmark,
                        struct got *g)
{
    memset(g, 0, sizeof *g);
    json_t *o = json_loads(opts, 0, NULL);
    char base[256];
    snprintf(base, sizeof base, "%s%s", lb.base, prefix);
    json_object_set_new(o, "base_url", json_string(base));
    struct source src = { .name = "api", .connector = "http", .where = "sources[0]",
                          .options = o };
    src.layout = json_string_value(json_object_get(o, "layout"));
    if (!src.layout)
        src.layout = json_string_value(json_object_get(o, "preset"));
    struct mapping *m = NULL;
    void *st = NULL;
    g->open_rc = mapping_load(src.layout, &m, g->err);
    if (!g->open_rc)
        g->open_rc = http_connector.xOpen(&src, &st, g->err);
    if (!g->open_rc)
        g->open_rc = http_connector.xSince(st, bookmark, &g->delta, g->err);
    struct arena a = ARENA_INIT;
    for (;;) {
        if (g->open_rc)
            break;
        struct raw_record rec;
        struct reject rej;
        memset(&rec, 0, sizeof rec);
        memset(&rej, 0, sizeof rej);
        enum conn_next n = http_connector.xNext(st, &rec, &rej, g->err);
        if (n == CONN_EOF || n == CONN_ERROR) {
            g->end = n;
            break;
        }
        if (n == CONN_REJECT) {
            g->rejects++;
            continue;
        }
        arena_reset(&a);
        struct contact c;
        memset(&c, 0, sizeof c);
        char why[CM_ERRBUF];
        if (mapping_apply(m, "api", &rec, &a, &c, why) != CM_OK) {
            g->rejects++;
            continue;
        }
        if (!g->records++) {
            snprintf(g->first_email, sizeof g->first_email, "%s", c.nemails ? c.emails[0] : "");
            snprintf(g->first_phone, sizeof g->first_phone, "%s",
                     c.nphones ? c.phones[0].number : "");
            snprintf(g->first_company, sizeof g->first_company, "%s",
                     c.company ? c.company : "");
            snprintf(g->location, sizeof g->location, "%s:%ld", rec.file, rec.line);
        }
        append(g->keys, sizeof g->keys, c.source_key);
        if (rec.deleted)
            append(g->deleted, sizeof g->deleted, c.source_key);
    }
    if (!g->open_rc) {
        const char *b = g->end == CONN_EOF ? http_connector.xBookmark(st) : NULL;
        snprintf(g->bookmark, sizeof g->bookmark, "%s", b ? b : "(null)");
        struct buf d = BUF_INIT(0);
        http_connector.xDescribe(st, &d);
        snprintf(g->describe, sizeof g->describe, "%s", d.data ? d.data : "");
        buf_free(&d);
    }
    arena_free(&a);
    if (st)
        http_connector.xClose(st);
    mapping_free(m);
    json_decref(o);
}

static const char *const all_ids = "1,2,3,4,5,6,7,8,9,10";

TEST(hubspot_full_read_pages_and_deleted)
{
    struct got g;
    read_source("{\"preset\": \"hubspot\", \"token_env\": \"T_HUBSPOT\", \"page_size\": 4}",
                "", NULL, &g);
    CHECK_INT(g.open_rc, CM_OK);
    CHECK_STR(g.err, "");
    CHECK_INT(g.end, CONN_EOF);
    CHECK_INT(g.delta, 0);
    CHECK_STR(g.keys, all_ids);
    CHECK_STR(g.deleted, "4");
    CHECK_STR(g.first_email, "ann.cole@cole.example");
    CHECK_STR(g.first_phone, "+1 555 0101");
    CHECK_STR(g.first_company, "Cole Ltd");
    CHECK(strstr(g.location, "/crm/v3/objects/contacts?limit=4&archived=false&properties=...:1"));
    CHECK_STR(g.bookmark, "1714907471000");            /* 2024-05-05T11:11:11Z, epoch ms */
    CHECK(strstr(g.describe, "/crm/v3/objects/contacts (hubspot, cursor pagination, 3 pages, "
                             "10 records, 1 deleted, full read, ") != NULL);
    CHECK(strstr(g.describe, " s waiting on the server)") != NULL);   /* no retries: none said */
    CHECK(strstr(g.describe, "hs-token-1") == NULL);
}

TEST(hubspot_incremental_uses_search_from_the_bookmark)
{
    struct got g;
    read_source("{\"preset\": \"hubspot\", \"token_env\": \"T_HUBSPOT\", \"page_size\": 2}",
                "", "1714641243000", &g);
    CHECK_STR(g.err, "");
    CHECK_INT(g.delta, 1);
    CHECK_STR(g.keys, "3,4,5,7,9");                    /* ascending lastmodifieddate */
    CHECK_STR(g.deleted, "4");
    CHECK_STR(g.bookmark, "1714907471000");
    CHECK(strstr(g.describe, "POST ") == g.describe);
    CHECK(strstr(g.describe, "incremental since 2024-05-02T09:14:03Z") != NULL);
    json_t *reqs = loopback_requests(&lb, "/crm/v3/objects/contacts/search*");
    CHECK_INT(json_array_size(reqs), 3);
    json_t *body = json_loads(json_string_value(json_object_get(json_array_get(reqs, 1), "body")),
                              0, NULL);
    CHECK_STR(json_string_value(api_path_get(body, "filterGroups.1.filters.1.value")),
              "1714641243000");
    CHECK_STR(json_string_value(json_object_get(body, "after")), "2");
    json_decref(body);
    json_decref(reqs);

    /* nothing changed since: no records, the bookmark stays */
    read_source("{\"preset\": \"hubspot\", \"token_env\": \"T_HUBSPOT\"}", "",
                "1717200000000", &g);
    CHECK_STR(g.keys, "");
    CHECK_INT(g.end, CONN_EOF);
    CHECK_STR(g.bookmark, "1717200000000");
}

TEST(hubspot_search_reanchors_at_its_hit_limit)
{
    struct got g;
    /* the server refuses after + limit > 4: past 4 hits the query starts again */
    read_source("{\"preset\": \"hubspot\", \"page_size\": 2, \"api\": {\"incremental\": "
                "{\"pagination\": {\"reanchor_after\": 4}}}}", "/anchor", "1714641243000", &g);
    CHECK_STR(g.err, "");
    CHECK_INT(g.end, CONN_EOF);
    CHECK_STR(g.keys, "3,4,5,7,7,9");                  /* 7 again: >= overlaps */
    CHECK_STR(g.bookmark, "1714907471000");
    json_t *reqs = loopback_requests(&lb, "/anchor/*");
    CHECK_INT(json_array_size(reqs), 3);
    json_t *body = json_loads(json_string_value(json_object_get(json_array_get(reqs, 2), "body")),
                              0, NULL);
    CHECK_STR(json_string_value(api_path_get(body, "filterGroups.1.filters.1.value")),
              "1714808710000");                        /* 2024-05-04T07:45:10Z, contact 7 */
    CHECK(json_object_get(body, "after") == NULL);
    json_decref(body);
    json_decref(reqs);
}

TEST(salesforce_full_and_incremental)
{
    struct got g;
    read_source("{\"preset\": \"salesforce\", \"token_env\": \"T_SALESFORCE\", "
                "\"page_size\": 4}", "", NULL, &g);
    CHECK_STR(g.err, "");
    CHECK_STR(g.keys, all_ids);
    CHECK_STR(g.deleted, "4");                         /* queryAll: IsDeleted */
    CHECK_STR(g.first_company, "Cole Ltd");            /* Account.Name */
    CHECK_STR(g.first_email, "ann.cole@cole.example");
    CHECK_STR(g.bookmark, "2024-05-05T11:11:11Z");
    CHECK(strstr(g.describe, "3 pages") != NULL);
    read_source("{\"preset\": \"salesforce\", \"token_env\": \"T_SALESFORCE\", "
                "\"page_size\": 2}", "", "2024-05-02T09:14:03Z", &g);
    CHECK_STR(g.err, "");
    CHECK_INT(g.delta, 1);
    CHECK_STR(g.keys, "3,4,5,7,9");
    CHECK_STR(g.bookmark, "2024-05-05T11:11:11Z");
    json_t *reqs = loopback_requests(&lb, "/services/data/v59.0/queryAll*");
    int found = 0;
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        const char *q = json_string_value(json_object_get(json_array_get(reqs, i), "query"));
        found |= q && strstr(q, "WHERE%20SystemModstamp%20%3E%3D%202024-05-02T09:14:03Z") != NULL;
    }
    CHECK(found);
    json_decref(reqs);
}

TEST(pipedrive_offset_paging_and_client_filter)
{
    struct got g;
    read_source("{\"preset\": \"pipedrive\", \"token_env\": \"T_PIPEDRIVE\", "
                "\"page_size\": 4}", "", NULL, &g);
    CHECK_STR(g.err, "");
    CHECK_STR(g.keys, all_ids);
    CHECK_STR(g.deleted, "4");                         /* active_flag: false */
    CHECK_STR(g.first_email, "ann.cole@cole.example");
    CHECK_STR(g.first_phone, "+1 555 0101");
    CHECK_STR(g.bookmark, "2024-05-05 11:11:11");
    CHECK(strstr(g.location, "/v1/persons?limit=4&start=0:1") != NULL);
    CHECK(strstr(g.location, "pd-token-3") == NULL);   /* the api_token is redacted */
    read_source("{\"preset\": \"pipedrive\", \"token_env\": \"T_PIPEDRIVE\", "
                "\"page_size\": 4}", "", "2024-05-02 09:14:03", &g);
    CHECK_INT(g.delta, 1);
    CHECK_STR(g.keys, "3,4,5,7,9");
    CHECK_STR(g.bookmark, "2024-05-05 11:11:11");
    CHECK(strstr(g.describe, "(filtered here), 5 unchanged skipped") != NULL);
}

TEST(dynamics_next_link_filter_and_removed)
{
    struct got g;
    read_source("{\"preset\": \"dynamics\", \"token_env\": \"T_DYNAMICS\", "
                "\"page_size\": 4}", "", NULL, &g);
    CHECK_STR(g.err, "");
    CHECK_INT(g.records, 9);                           /* a full read leaves deleted rows out */
    CHECK_STR(g.deleted, "");
    CHECK_STR(g.first_company, "Cole Ltd");
    CHECK_STR(g.bookmark, "2024-05-05T11:11:11Z");
    CHECK(strstr(g.describe, "3 pages") != NULL);
    json_t *reqs = loopback_requests(&lb, "/api/data/v9.2/contacts*");
    const char *prefer = json_string_value(json_object_get(json_object_get(
        json_array_get(reqs, 0), "headers"), "Prefer"));
    CHECK(prefer && strstr(prefer, "odata.maxpagesize=4") != NULL);
    json_decref(reqs);
    read_source("{\"preset\": \"dynamics\", \"token_env\": \"T_DYNAMICS\", "
                "\"page_size\": 2}", "", "2024-05-02T09:14:03Z", &g);
    CHECK_STR(g.err, "");
    CHECK_INT(g.records, 5);
    CHECK_STR(g.deleted, "00000004-0000-4000-8000-000000000004");     /* "@removed" */
    CHECK_STR(g.bookmark, "2024-05-05T11:11:11Z");
}

static const char generic[] =
    "{\"preset\": \"generic\", \"layout\": \"tests/fixtures/http/generic_layout.json\","
    " \"page_size\": 4, \"api\": {\"path\": \"/contacts\", \"query\": {\"per_page\": "
    "\"{page_size}\"}, \"records\": \".\", \"pagination\": {\"style\": \"link_header\"},"
    " \"incremental\": {\"field\": \"updated_at\", \"query\": {\"updated_since\": "
    "\"{since}\"}}, \"deleted\": {\"field\": \"deleted\", \"equals\": true}}}";

TEST(generic_link_header_api_from_config)
{
    struct got g;
    read_source(generic, "", NULL, &g);
    CHECK_STR(g.err, "");
    CHECK_STR(g.keys, all_ids);
    CHECK_STR(g.deleted, "4");
    CHECK_STR(g.first_email, "ann.cole@cole.example");
    CHECK(strstr(g.describe, "(generic, Link-header pagination, 3 pages, 10 records") != NULL);
    read_source(generic, "", "2024-05-02T09:14:03Z", &g);
    CHECK_STR(g.keys, "3,4,5,7,9");
    CHECK_STR(g.bookmark, "2024-05-05T11:11:11Z");
}

TEST(broken_pages_fail_the_source)
{
    struct got g;
    const char *opts = "{\"preset\": \"generic\", \"layout\": "
                       "\"tests/fixtures/http/generic_layout.json\", \"page_size\": 4, "
                       "\"api\": {\"path\": \"/contacts\", \"query\": {\"per_page\": "
                       "\"{page_size}\"}, \"records\": \".\", \"pagination\": "
                       "{\"style\": \"link_header\"}}}";
    read_source(opts, "/trunc", NULL, &g);
    CHECK_INT(g.end, CONN_ERROR);
    CHECK_INT(g.records, 4);                           /* page 1 was delivered */
    CHECK(strstr(g.err, "/trunc/contacts?per_page=4&page=2: page 2 is not valid JSON: line 1 "
                        "column ") != NULL);
    read_source(opts, "/norec", NULL, &g);
    CHECK_INT(g.end, CONN_ERROR);
    CHECK(strstr(g.err, "/norec/contacts?per_page=4&page=2: page 2 has no record list at "
                        "\".\" (not a list)") != NULL);
    read_source(opts, "/t404", NULL, &g);
    CHECK_INT(g.end, CONN_ERROR);
    CHECK(strstr(g.err, "HTTP 404 from ") == g.err);
    CHECK(strstr(g.err, "/t404/contacts?per_page=4 (page 1): {\"status\": \"error\", "
                        "\"message\": \"injected 404 on page 1\"") != NULL);
}

TEST(unauthorized_names_the_variable_not_the_token)
{
    struct got g;
    read_source("{\"preset\": \"hubspot\", \"token_env\": \"T_WRONG\"}", "/t401", NULL, &g);
    CHECK_INT(g.end, CONN_ERROR);
    CHECK(strstr(g.err, "401 unauthorized from ") == g.err);
    CHECK(strstr(g.err, ": check the token in $T_WRONG") != NULL);
    CHECK(strstr(g.err, "wrong-secret-xyz") == NULL);
    CHECK_INT(g.records, 0);
}

TEST(config_errors_name_the_key_or_variable)
{
    struct got g;
    read_source("{\"preset\": \"hubspot\", \"token_env\": \"T_UNSET_VARIABLE\"}", "",
                NULL, &g);
    CHECK_INT(g.open_rc, CM_ERR_CONFIG);
    CHECK_STR(g.err, "sources[0].token_env: the environment variable T_UNSET_VARIABLE is not "
                     "set or empty");
    read_source("{\"preset\": \"hubspot\", \"auth\": \"basic\", \"user_env\": "
                "\"T_HUBSPOT\"}", "", NULL, &g);
    CHECK_STR(g.err, "sources[0].password_env: missing (the environment variable holding the "
                     "password)");
    read_source("{\"preset\": \"hubspot\", \"page_size\": 500}", "", NULL, &g);
    CHECK_STR(g.err, "sources[0].page_size: must be between 1 and 100, not 500");
    read_source("{\"preset\": \"generic\", \"layout\": \"tests/fixtures/http/"
                "generic_layout.json\"}", "", NULL, &g);
    CHECK_STR(g.err, "sources[0].api: missing (the generic preset needs the API's description: "
                     "path, records, pagination)");
    read_source("{\"preset\": \"hubspot\", \"api\": {\"pagination\": {\"style\": "
                "\"pages\"}}}", "", NULL, &g);
    CHECK_STR(g.err, "sources[0].api.pagination.style: must be \"cursor\", \"next_url\", "
                     "\"offset\", \"link_header\" or \"none\" (with preset hubspot)");
}

int main(void)
{
    setenv("CRMERGE_SCHEMAS", "schemas", 1);
    setenv("T_HUBSPOT", "hs-token-1", 1);
    setenv("T_SALESFORCE", "sf-token-2", 1);
    setenv("T_PIPEDRIVE", "pd-token-3", 1);
    setenv("T_DYNAMICS", "dy-token-4", 1);
    setenv("T_WRONG", "wrong-secret-xyz", 1);
    unsetenv("T_UNSET_VARIABLE");
    RUN(timestamps_parse_every_api_form);
    RUN(timestamps_format_as_each_filter_wants);
    RUN(every_preset_loads);
    RUN(description_errors_name_the_key);
    RUN(source_api_overrides_the_preset);
    RUN(salesforce_soql_is_encoded_with_the_bookmark);
    RUN(hubspot_search_body_from_the_template);
    RUN(dynamics_filter_and_paths_with_dots);
    RUN(next_urls_stay_on_the_base_host);
    RUN(query_values_are_percent_encoded);
    RUN(flatten_dotted_numbered_typed);
    RUN(flatten_limits_reject_the_record);
    RUN(flatten_past_the_column_cap_starts_afresh);
    RUN(preset_layouts_map_real_records);
    if (server_start() != 0) {
        fprintf(stderr, "test_http: the loopback server did not start\n");
        loopback_stop(&lb);
        return 1;
    }
    RUN(hubspot_full_read_pages_and_deleted);
    RUN(hubspot_incremental_uses_search_from_the_bookmark);
    RUN(hubspot_search_reanchors_at_its_hit_limit);
    RUN(salesforce_full_and_incremental);
    RUN(pipedrive_offset_paging_and_client_filter);
    RUN(dynamics_next_link_filter_and_removed);
    RUN(generic_link_header_api_from_config);
    RUN(broken_pages_fail_the_source);
    RUN(unauthorized_names_the_variable_not_the_token);
    RUN(config_errors_name_the_key_or_variable);
    loopback_stop(&lb);
    return test_report();
}
