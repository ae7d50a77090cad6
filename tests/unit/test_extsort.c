/* test_extsort.c — the external sort (pipeline/extsort.c): in memory, spilled to
 * several runs, merged in several passes; stable on equal keys; against a reference
 * sort of the same records. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "pipeline/extsort.h"
#include "tests/unit/testlib.h"

struct item {
    char key[24];
    size_t klen;
    unsigned seq;                          /* order of arrival, also the data */
    size_t dlen;                           /* data length: seq as text, padded */
};

static uint64_t rng = 0x1234567;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static int item_cmp(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    size_t m = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->key, b->key, m);
    if (c)
        return c;
    if (a->klen != b->klen)
        return a->klen < b->klen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void make_data(char *out, unsigned seq, size_t dlen)
{
    memset(out, '.', dlen);
    char tmp[16];
    int n = snprintf(tmp, sizeof tmp, "%u", seq);
    memcpy(out, tmp, (size_t)n < dlen ? (size_t)n : dlen);
}

/* Sort n random records with the given chunk and merge memory; compare with qsort. */
static void sort_and_compare(size_t n, size_t memory, size_t merge_memory, size_t keep,
                             struct extsort_stats *st)
{
    struct item *items = calloc(n, sizeof *items);
    static const char alphabet[] = "AB $%&(*9\x80\xff";
    for (size_t i = 0; i < n; i++) {
        items[i].klen = 1 + rnd(12);
        for (size_t k = 0; k < items[i].klen; k++)
            items[i].key[k] = alphabet[rnd(sizeof alphabet - 1)];
        items[i].seq = (unsigned)i;
        items[i].dlen = 8 + rnd(300);
    }
    struct extsort *s = NULL;
    char err[CM_ERRBUF] = "";
    struct extsort_options opt = { memory, NULL };
    CHECK_INT(extsort_new(&opt, &s, err), CM_OK);
    char data[512];
    for (size_t i = 0; i < n; i++) {
        make_data(data, items[i].seq, items[i].dlen);
        CHECK_INT(extsort_add(s, items[i].key, items[i].klen, data, items[i].dlen, err),
                  CM_OK);
    }
    CHECK_INT(extsort_seal(s, keep, err), CM_OK);
    CHECK_INT(extsort_merge(s, merge_memory, err), CM_OK);
    qsort(items, n, sizeof *items, item_cmp);
    size_t got = 0, bad = 0;
    for (;;) {
        const char *k, *d;
        size_t kl, dl;
        CHECK_INT(extsort_next(s, &k, &kl, &d, &dl, err), CM_OK);
        if (!k)
            break;
        if (got < n) {
            make_data(data, items[got].seq, items[got].dlen);
            if (kl != items[got].klen || memcmp(k, items[got].key, kl) != 0 ||
                dl != items[got].dlen || memcmp(d, data, dl) != 0)
                bad++;
        }
        got++;
    }
    CHECK_INT(got, n);
    CHECK_INT(bad, 0);
    extsort_get_stats(s, st);
    CHECK_INT(st->records, n);
    extsort_free(s);
    free(items);
}

TEST(small_input_stays_in_memory)
{
    struct extsort_stats st;
    sort_and_compare(500, 1 << 20, 1 << 20, 1 << 20, &st);
    CHECK_INT(st.in_memory, 1);
    CHECK_INT(st.runs, 0);
    CHECK_INT(st.spilled, 0);
}

TEST(spills_runs_and_merges_them_in_one_pass)
{
    struct extsort_stats st;
    sort_and_compare(3000, 64 * 1024, 1 << 20, 0, &st);
    CHECK_INT(st.in_memory, 0);
    CHECK(st.runs >= 8);
    CHECK_INT(st.merge_passes, 0);
    CHECK(st.spilled > 0);
}

TEST(many_runs_need_several_merge_passes)
{
    struct extsort_stats st;
    sort_and_compare(5000, 4096, 8192, 0, &st);   /* fan-in 2 */
    CHECK(st.runs > 100);
    CHECK(st.merge_passes >= 6);
}

TEST(a_record_larger_than_the_chunk_is_sorted_alone)
{
    struct extsort *s = NULL;
    char err[CM_ERRBUF];
    struct extsort_options opt = { 4096, NULL };
    CHECK_INT(extsort_new(&opt, &s, err), CM_OK);
    static char big[20000];
    memset(big, 'x', sizeof big);
    CHECK_INT(extsort_add(s, "b", 1, "1", 1, err), CM_OK);
    CHECK_INT(extsort_add(s, "a", 1, big, sizeof big, err), CM_OK);
    CHECK_INT(extsort_add(s, "c", 1, "3", 1, err), CM_OK);
    CHECK_INT(extsort_seal(s, 0, err), CM_OK);
    CHECK_INT(extsort_merge(s, 8192, err), CM_OK);
    const char *k, *d;
    size_t kl, dl;
    CHECK_INT(extsort_next(s, &k, &kl, &d, &dl, err), CM_OK);
    CHECK(k && kl == 1 && k[0] == 'a' && dl == sizeof big);
    CHECK_INT(extsort_next(s, &k, &kl, &d, &dl, err), CM_OK);
    CHECK(k && k[0] == 'b');
    CHECK_INT(extsort_next(s, &k, &kl, &d, &dl, err), CM_OK);
    CHECK(k && k[0] == 'c');
    CHECK_INT(extsort_next(s, &k, &kl, &d, &dl, err), CM_OK);
    CHECK(k == NULL);
    extsort_free(s);
}

TEST(empty_input)
{
    struct extsort *s = NULL;
    char err[CM_ERRBUF];
    struct extsort_options opt = { 4096, NULL };
    CHECK_INT(extsort_new(&opt, &s, err), CM_OK);
    CHECK_INT(extsort_seal(s, 0, err), CM_OK);
    CHECK_INT(extsort_merge(s, 8192, err), CM_OK);
    const char *k, *d;
    size_t kl, dl;
    CHECK_INT(extsort_next(s, &k, &kl, &d, &dl, err), CM_OK);
    CHECK(k == NULL);
    extsort_free(s);
}

static int count_sort_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "crmerge-sort-", 13) == 0;
    if (d)
        closedir(d);
    return n;
}

TEST(temporary_files_are_in_tmpdir_and_never_left_behind)
{
    char dir[] = "/tmp/cm-extsort-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    struct extsort *s = NULL;
    char err[CM_ERRBUF];
    struct extsort_options opt = { 4096, dir };
    CHECK_INT(extsort_new(&opt, &s, err), CM_OK);
    char data[100];
    memset(data, 'd', sizeof data);
    for (int i = 0; i < 200; i++)
        CHECK_INT(extsort_add(s, data, 10, data, sizeof data, err), CM_OK);
    CHECK_INT(count_sort_files(dir), 0);              /* unlinked when created */
    extsort_free(s);
    CHECK_INT(count_sort_files(dir), 0);

    struct extsort_options bad = { 4096, "/nonexistent/dir" };
    CHECK_INT(extsort_new(&bad, &s, err), CM_OK);
    enum cm_status rc = CM_OK;
    for (int i = 0; i < 200 && rc == CM_OK; i++)
        rc = extsort_add(s, data, 10, data, sizeof data, err);
    CHECK_INT(rc, CM_ERR_IO);
    CHECK(strstr(err, "cannot create a temporary file in /nonexistent/dir") != NULL);
    extsort_free(s);
    rmdir(dir);
}

TEST(varints_round_trip)
{
    static const uint64_t v[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX,
                                  UINT64_MAX };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned char b[10];
        size_t n = extsort_put_varint(b, v[i]);
        uint64_t back = 0;
        CHECK_INT(extsort_get_varint(b, n, &back), n);
        CHECK(back == v[i]);
        CHECK_INT(extsort_get_varint(b, n - 1, &back), 0);
    }
}

int main(void)
{
    RUN(small_input_stays_in_memory);
    RUN(spills_runs_and_merges_them_in_one_pass);
    RUN(many_runs_need_several_merge_passes);
    RUN(a_record_larger_than_the_chunk_is_sorted_alone);
    RUN(empty_input);
    RUN(temporary_files_are_in_tmpdir_and_never_left_behind);
    RUN(varints_round_trip);
    return test_report();
}
