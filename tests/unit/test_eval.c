/* test_eval.c — clusters against a truth (transforms/match/eval.c): pairwise precision,
 * recall and F1, split persons and mixed clusters on small cases computed by hand; pairs
 * counted from sizes (a 100 000-record cluster); records in only one of the two counted;
 * the CSV files read with quoted keys, errors naming file and line. */
#include <stdlib.h>
#include <unistd.h>
#include "pipeline/buf.h"
#include "tests/unit/testlib.h"
#include "transforms/match/eval.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

struct rec { const char *source, *key, *id; };

static struct eval *eval_of(const struct rec *truth, size_t nt, const struct rec *clusters,
                            size_t nc)
{
    struct eval *e = NULL;
    char err[CM_ERRBUF] = "";
    CHECK_INT(eval_new(&e, err), CM_OK);
    for (size_t i = 0; i < nt; i++)
        CHECK_INT(eval_add_truth(e, truth[i].source, truth[i].key, truth[i].id, "t", err),
                  CM_OK);
    for (size_t i = 0; i < nc; i++)
        CHECK_INT(eval_add_cluster(e, clusters[i].source, clusters[i].key, clusters[i].id,
                                   "c", err), CM_OK);
    return e;
}

static int near(double a, double b)
{
    return a - b < 1e-12 && b - a < 1e-12;
}

/* persons A (r1 r2 r3), B (r4 r5), C (r6), D (r7, not clustered); clusters c1 (r1 r2 r4),
 * c2 (r3), c3 (r5 r6), and r8 that the truth does not know.
 *   true pairs: A 3 + B 1 = 4; predicted: c1 3 + c3 1 = 4;
 *   cells: c1/A 2 records (1 pair), c1/B, c2/A, c3/B, c3/C: correct 1
 *   precision 1/4, recall 1/4, F1 1/4; split: A (c1, c2), B (c1, c3) = 2;
 *   mixed: c1 (2 wrong pairs: r1-r4, r2-r4), c3 (1: r5-r6) */
TEST(hand_computed_case)
{
    static const struct rec truth[] = {
        { "s", "r1", "A" }, { "s", "r2", "A" }, { "t", "r3", "A" }, { "s", "r4", "B" },
        { "t", "r5", "B" }, { "s", "r6", "C" }, { "s", "r7", "D" },
    };
    static const struct rec clusters[] = {
        { "s", "r1", "c1" }, { "s", "r2", "c1" }, { "t", "r3", "c2" }, { "s", "r4", "c1" },
        { "t", "r5", "c3" }, { "s", "r6", "c3" }, { "s", "r8", "c4" },
    };
    struct eval *e = eval_of(truth, N(truth), clusters, N(clusters));
    const struct eval_result *r;
    char err[CM_ERRBUF];
    CHECK_INT(eval_compute(e, 5, &r, err), CM_OK);
    CHECK_INT(r->records, 6);
    CHECK_INT(r->clusters, 3);
    CHECK_INT(r->persons, 3);                     /* D has no clustered record */
    CHECK_INT(r->true_pairs, 4);
    CHECK_INT(r->predicted_pairs, 4);
    CHECK_INT(r->correct_pairs, 1);
    CHECK(near(r->precision, 0.25) && near(r->recall, 0.25) && near(r->f1, 0.25));
    CHECK_INT(r->split_persons, 2);
    CHECK_INT(r->mixed_clusters, 2);
    CHECK_INT(r->unmatched_truth, 1);
    CHECK_STR(r->unmatched_truth_example[0], "s,r7");
    CHECK_INT(r->unmatched_clusters, 1);
    CHECK_STR(r->unmatched_clusters_example[0], "s,r8");
    CHECK_INT(r->nworst, 2);
    CHECK_STR(r->worst[0].cluster, "c1");
    CHECK_INT(r->worst[0].records, 3);
    CHECK_INT(r->worst[0].persons, 2);
    CHECK_INT(r->worst[0].wrong_pairs, 2);
    CHECK_INT(r->worst[0].nmembers, 3);           /* by person, then record order */
    CHECK_STR(r->worst[0].members[0].source_key, "r1");
    CHECK_STR(r->worst[0].members[1].source_key, "r2");
    CHECK_STR(r->worst[0].members[2].source_key, "r4");
    CHECK_STR(r->worst[0].members[2].person, "B");
    CHECK_STR(r->worst[1].cluster, "c3");
    CHECK_INT(r->worst[1].wrong_pairs, 1);

    CHECK_INT(eval_compute(e, 1, &r, err), CM_OK);   /* --worst 1 */
    CHECK_INT(r->nworst, 1);
    json_t *j = eval_to_json(r);
    CHECK(j != NULL);
    static const char *const keys[] = { "records", "clusters", "persons", "true_pairs",
        "predicted_pairs", "correct_pairs", "precision", "recall", "f1", "split_persons",
        "mixed_clusters", "worst", "unmatched_truth", "unmatched_clusters" };
    for (size_t i = 0; j && i < N(keys); i++)
        CHECK(json_object_get(j, keys[i]) != NULL);
    CHECK(near(json_real_value(json_object_get(j, "f1")), 0.25));
    json_t *w = json_array_get(json_object_get(j, "worst"), 0);
    CHECK_STR(json_string_value(json_object_get(w, "cluster_id")), "c1");
    CHECK_INT(json_array_size(json_object_get(w, "members")), 3);
    json_decref(j);
    eval_free(e);
}

TEST(perfect_and_all_singletons)
{
    static const struct rec truth[] = {
        { "s", "1", "p" }, { "s", "2", "p" }, { "s", "3", "q" }, { "s", "4", "q" },
        { "s", "5", "q" }, { "s", "6", "r" },
    };
    static const struct rec perfect[] = {
        { "s", "1", "0" }, { "s", "2", "0" }, { "s", "3", "2" }, { "s", "4", "2" },
        { "s", "5", "2" }, { "s", "6", "5" },
    };
    static const struct rec singletons[] = {  /* the exact resolver on Febrl: no e-mails */
        { "s", "1", "0" }, { "s", "2", "1" }, { "s", "3", "2" }, { "s", "4", "3" },
        { "s", "5", "4" }, { "s", "6", "5" },
    };
    const struct eval_result *r;
    char err[CM_ERRBUF];
    struct eval *e = eval_of(truth, N(truth), perfect, N(perfect));
    CHECK_INT(eval_compute(e, 5, &r, err), CM_OK);
    CHECK_INT(r->true_pairs, 4);
    CHECK_INT(r->correct_pairs, 4);
    CHECK(near(r->precision, 1) && near(r->recall, 1) && near(r->f1, 1));
    CHECK_INT(r->split_persons + r->mixed_clusters + r->nworst, 0);
    eval_free(e);

    e = eval_of(truth, N(truth), singletons, N(singletons));
    CHECK_INT(eval_compute(e, 5, &r, err), CM_OK);
    CHECK_INT(r->clusters, 6);
    CHECK_INT(r->predicted_pairs, 0);
    CHECK(near(r->precision, 1));                 /* no pair predicted: none wrong */
    CHECK(near(r->recall, 0) && near(r->f1, 0));
    CHECK_INT(r->split_persons, 2);
    CHECK_INT(r->mixed_clusters, 0);
    eval_free(e);
}

TEST(pairs_are_counted_from_sizes)
{
    /* 100 000 records of 50 000 persons (two each) all in one cluster */
    struct eval *e = NULL;
    char err[CM_ERRBUF];
    CHECK_INT(eval_new(&e, err), CM_OK);
    for (int i = 0; i < 100000; i++) {
        char key[16], person[16];
        snprintf(key, sizeof key, "k%d", i);
        snprintf(person, sizeof person, "%d", i / 2);
        CHECK_INT(eval_add_truth(e, "big", key, person, "t", err), CM_OK);
        CHECK_INT(eval_add_cluster(e, "big", key, "0", "c", err), CM_OK);
    }
    const struct eval_result *r;
    CHECK_INT(eval_compute(e, 3, &r, err), CM_OK);
    CHECK_INT(r->predicted_pairs, 4999950000LL);  /* 100000 * 99999 / 2 */
    CHECK_INT(r->true_pairs, 50000);
    CHECK_INT(r->correct_pairs, 50000);
    CHECK(near(r->precision, 50000.0 / 4999950000.0) && near(r->recall, 1));
    CHECK_INT(r->worst[0].wrong_pairs, 4999950000LL - 50000);
    CHECK_INT(r->worst[0].persons, 50000);
    CHECK_INT(r->worst[0].nmembers, EVAL_MEMBERS_MAX);   /* the rest are counted */
    eval_free(e);
}

TEST(conflicts_empty_values_and_nothing_in_common)
{
    struct eval *e = NULL;
    char err[CM_ERRBUF];
    CHECK_INT(eval_new(&e, err), CM_OK);
    CHECK_INT(eval_add_truth(e, "s", "1", "p", "truth.csv:2", err), CM_OK);
    CHECK_INT(eval_add_truth(e, "s", "1", "p", "truth.csv:3", err), CM_OK);   /* same: ok */
    CHECK_INT(eval_add_truth(e, "s", "1", "q", "truth.csv:4", err), CM_ERR_INPUT);
    CHECK_STR(err, "truth.csv:4: s,1 is person \"q\" here and \"p\" on an earlier line");
    CHECK_INT(eval_add_truth(e, "s", "", "q", "truth.csv:5", err), CM_ERR_INPUT);
    CHECK_STR(err, "truth.csv:5: empty source_key");
    CHECK_INT(eval_add_cluster(e, "s", "2", "", "c.csv:2", err), CM_ERR_INPUT);
    CHECK_STR(err, "c.csv:2: empty cluster_id");
    CHECK_INT(eval_add_cluster(e, "other", "1", "0", "c.csv:3", err), CM_OK);
    const struct eval_result *r;
    CHECK_INT(eval_compute(e, 3, &r, err), CM_ERR_INPUT);
    CHECK(strstr(err, "no record is in both the truth and the clusters") != NULL);
    CHECK(strstr(err, "e.g. clustered other,1") != NULL);
    eval_free(e);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(csv_files_with_quotes_and_errors_naming_file_and_line)
{
    char truth[64], clusters[64], bad[64];
    snprintf(truth, sizeof truth, "/tmp/test_eval_%ld_t.csv", (long)getpid());
    snprintf(clusters, sizeof clusters, "/tmp/test_eval_%ld_c.csv", (long)getpid());
    snprintf(bad, sizeof bad, "/tmp/test_eval_%ld_b.csv", (long)getpid());
    write_file(truth, "person_id,source,source_key\r\n"          /* any column order */
                      "1,act,\"Cole, Ann\"\r\n1,gm,A1\r\n2,act,\"say \"\"hi\"\"\"\r\n");
    write_file(clusters, "source,source_key,cluster_id,note\n"
                         "act,\"Cole, Ann\",0,x\ngm,A1,0,y\nact,\"say \"\"hi\"\"\",2,z\n");
    struct eval *e = NULL;
    char err[CM_ERRBUF];
    const struct eval_result *r;
    CHECK_INT(eval_new(&e, err), CM_OK);
    CHECK_INT(eval_read_truth(e, truth, err), CM_OK);
    CHECK_INT(eval_read_clusters(e, clusters, err), CM_OK);
    CHECK_INT(eval_compute(e, 3, &r, err), CM_OK);
    CHECK_INT(r->records, 3);
    CHECK_INT(r->unmatched_truth + r->unmatched_clusters, 0);
    CHECK(near(r->f1, 1));
    eval_free(e);

    static const struct { const char *text, *want; } cases[] = {
        { "source,source_key\ns,1\n",
          ":1: the header must name the columns source, source_key and cluster_id (no "
          "\"cluster_id\")" },
        { "source,source_key,cluster_id\ns,1,0\ns,2\n", ":3: 2 fields, header has 3" },
        { "source,source_key,cluster_id\ns,1,0\ns,\"2,0\n", ":3: unbalanced quote" },
        { "source,source_key,cluster_id\ns,,0\n", ":2: empty source_key" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        write_file(bad, cases[i].text);
        CHECK_INT(eval_new(&e, err), CM_OK);
        CHECK_INT(eval_read_clusters(e, bad, err), CM_ERR_INPUT);
        CHECK(strncmp(err, bad, strlen(bad)) == 0);
        CHECK_STR(err + strlen(bad), cases[i].want);
        eval_free(e);
    }
    CHECK_INT(eval_new(&e, err), CM_OK);
    CHECK_INT(eval_read_truth(e, "/nonexistent/truth.csv", err), CM_ERR_CONFIG);
    CHECK(strstr(err, "/nonexistent/truth.csv") != NULL);
    eval_free(e);
    remove(truth);
    remove(clusters);
    remove(bad);
}

TEST(csv_fields_are_quoted_when_they_need_it)
{
    static const struct { const char *in, *want; } cases[] = {
        { "rec-1-org", "rec-1-org" }, { "", "" }, { "Cole, Ann", "\"Cole, Ann\"" },
        { "say \"hi\"", "\"say \"\"hi\"\"\"" }, { "a\nb", "\"a\nb\"" },
        { " A1", "\" A1\"" }, { "A1 ", "\"A1 \"" }, { "\"", "\"\"\"\"" },
    };
    for (size_t i = 0; i < N(cases); i++) {
        struct buf b = BUF_INIT(0);
        CHECK_INT(buf_add_csv_field(&b, cases[i].in), CM_OK);
        CHECK_STR(b.data ? b.data : "", cases[i].want);
        buf_free(&b);
    }
}

int main(void)
{
    RUN(hand_computed_case);
    RUN(perfect_and_all_singletons);
    RUN(pairs_are_counted_from_sizes);
    RUN(conflicts_empty_values_and_nothing_in_common);
    RUN(csv_files_with_quotes_and_errors_naming_file_and_line);
    RUN(csv_fields_are_quoted_when_they_need_it);
    return test_report();
}
