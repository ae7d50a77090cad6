/* test_http.c — the web-API connector: the API descriptions of the presets, request
 * building, timestamps, record flattening (connectors/http_api.c), and records mapped
 * through each preset's layout. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/http_api.h"
#include "pipeline/arena.h"
#include "pipeline/config.h"
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

int main(void)
{
    setenv("CRMERGE_SCHEMAS", "schemas", 1);
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
    return test_report();
}
