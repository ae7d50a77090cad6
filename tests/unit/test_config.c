/* test_config.c — the pipeline config: defaults, relative paths, and errors that
 * name the JSON path. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "pipeline/config.h"
#include "testlib.h"

static char dir[] = "/tmp/crmerge-test-config-XXXXXX";

static const char *write_config(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* load text, expect failure with exactly this message after the config path */
static void expect_error(const char *text, const char *want)
{
    const char *path = write_config("bad.json", text);
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    enum cm_status rc = config_load(path, &cfg, err);
    CHECK_INT(rc, CM_ERR_CONFIG);
    CHECK(cfg == NULL);
    CHECK_STR(err, want);
}

TEST(defaults_and_relative_paths)
{
    write_config("act.csv", "a,b\n1,2\n");
    const char *path = write_config("ok.json",
        "{\"sources\": [{\"name\": \"act\", \"connector\": \"csv\", \"layout\": \"act\","
        " \"path\": \"act.csv\", \"delimiter\": \";\"}]}");
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(config_load(path, &cfg, err), CM_OK);
    if (!cfg)
        return;
    CHECK_STR(cfg->schema, "crm");
    CHECK(cfg->reject_rate_max == 0.01);
    CHECK_INT(cfg->nsources, 1);
    char want[600];
    snprintf(want, sizeof want, "%s/act.csv", dir);
    CHECK_STR(cfg->sources[0].path, want);
    CHECK_STR(cfg->sources[0].where, "sources[0]");
    const char *delim = NULL;
    CHECK_INT(source_opt_string(&cfg->sources[0], "delimiter", ",", &delim, err), CM_OK);
    CHECK_STR(delim, ";");
    long long n = 0;
    CHECK_INT(source_opt_int(&cfg->sources[0], "delimiter", 1, &n, err), CM_ERR_CONFIG);
    CHECK_STR(err, "sources[0].delimiter: must be an integer, not a string");
    CHECK(config_find_source(cfg, "act") == &cfg->sources[0]);
    CHECK(config_find_source(cfg, "nope") == NULL);
    config_free(cfg);
}

TEST(target_schema_and_reject_rate)
{
    write_config("act.csv", "a\n");
    const char *path = write_config("t.json",
        "{\"target\": {\"schema\": \"sales_2026\"}, \"reject_rate_max\": 0.25,"
        " \"sources\": [{\"name\": \"a\", \"connector\": \"csv\", \"path\": \"act.csv\"}]}");
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(config_load(path, &cfg, err), CM_OK);
    if (!cfg)
        return;
    CHECK_STR(cfg->schema, "sales_2026");
    CHECK(cfg->reject_rate_max == 0.25);
    config_free(cfg);
}

TEST(errors_name_the_json_path)
{
    write_config("act.csv", "a\n");
    expect_error("{\"sources\": []}", "sources: must list at least one source");
    expect_error("{}", "sources: missing");
    expect_error("{\"sources\": {}}", "sources: must be a list, not an object");
    expect_error("{\"sources\": [{\"name\": \"a\", \"connector\": \"csv\", \"path\": \"act.csv\"},"
                 " {\"name\": \"b\", \"connector\": \"csv\", \"path\": \"missing.csv\"}]}",
                 "sources[1].path: missing.csv: file not found");
    expect_error("{\"sources\": [{\"connector\": \"csv\"}]}", "sources[0].name: missing");
    expect_error("{\"sources\": [{\"name\": \"a\", \"connector\": 3}]}",
                 "sources[0].connector: must be a string, not an integer");
    expect_error("{\"sources\": [{\"name\": \"a\", \"connector\": \"csv\"},"
                 " {\"name\": \"a\", \"connector\": \"csv\"}]}",
                 "sources[1].name: \"a\" is already used by sources[0]");
    expect_error("{\"sources\": [{\"name\": \"a b\", \"connector\": \"csv\"}]}",
                 "sources[0].name: \"a b\": use letters, digits, '_', '-' and '.' only");
    expect_error("{\"reject_rate_max\": 2, \"sources\": [{\"name\": \"a\", \"connector\": \"csv\"}]}",
                 "reject_rate_max: must be a number from 0 to 1");
    expect_error("{\"target\": {\"dsn\": \"host=x password=y\"},"
                 " \"sources\": [{\"name\": \"a\", \"connector\": \"csv\"}]}",
                 "target: the database connection comes from the environment "
                 "(PG* variables or CRMERGE_DSN), never from the config file");
}

TEST(syntax_error_names_line_and_column)
{
    const char *path = write_config("syntax.json", "{\n  \"sources\": [\n  ,\n}");
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(config_load(path, &cfg, err), CM_ERR_CONFIG);
    char want[600];
    snprintf(want, sizeof want, "%s:3:3: unexpected token near ','", path);
    CHECK_STR(err, want);
}

TEST(missing_config_file)
{
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(config_load("/nonexistent/pipeline.json", &cfg, err), CM_ERR_CONFIG);
    CHECK(strstr(err, "/nonexistent/pipeline.json: unable to open") == err);
}

TEST(files_on_the_command_line_get_unique_names)
{
    write_config("act.csv", "a\n");
    char p1[600], p2[600];
    snprintf(p1, sizeof p1, "%s/act.csv", dir);
    snprintf(p2, sizeof p2, "%s/./act.csv", dir);
    char *files[] = { p1, p2 };
    struct config *cfg = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(config_from_files("act", "csv", files, 2, &cfg, err), CM_OK);
    if (!cfg)
        return;
    CHECK_STR(cfg->sources[0].name, "act");
    CHECK_STR(cfg->sources[1].name, "act-2");
    CHECK_STR(cfg->sources[1].layout, "act");
    config_free(cfg);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(defaults_and_relative_paths);
    RUN(target_schema_and_reject_rate);
    RUN(errors_name_the_json_path);
    RUN(syntax_error_names_line_and_column);
    RUN(missing_config_file);
    RUN(files_on_the_command_line_get_unique_names);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_report();
}
