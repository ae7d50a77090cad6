/* testlib.h — the tiny unit-test harness: table-driven cases, one binary per module.
 *
 *   TEST(reads_quoted_newline) { ... CHECK(x == 1); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(reads_quoted_newline); return test_report(); }
 *
 * Each binary prints one line per failed check and ends with "RESULT <passed> <failed>"
 * (cases, not checks), which tests/run_unit.sh adds up. Tests run from the repository
 * root, so fixtures are at "tests/fixtures/...". */
#ifndef CM_TESTLIB_H
#define CM_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int tl_passed, tl_failed, tl_case_failed;
static const char *tl_case;

#define TEST(name) static void name(void)

#define CHECK(cond) do {                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n",                     \
                    __FILE__, __LINE__, tl_case, #cond);                         \
            tl_case_failed = 1;                                                  \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want) do {                                                \
        const char *g_ = (got), *w_ = (want);                                    \
        if (!((g_ == NULL && w_ == NULL) ||                                      \
              (g_ && w_ && strcmp(g_, w_) == 0))) {                              \
            fprintf(stderr, "%s:%d: %s: %s is \"%s\", want \"%s\"\n",            \
                    __FILE__, __LINE__, tl_case, #got,                           \
                    g_ ? g_ : "(null)", w_ ? w_ : "(null)");                     \
            tl_case_failed = 1;                                                  \
        }                                                                        \
    } while (0)

#define CHECK_INT(got, want) do {                                                \
        long long g_ = (long long)(got), w_ = (long long)(want);                 \
        if (g_ != w_) {                                                          \
            fprintf(stderr, "%s:%d: %s: %s is %lld, want %lld\n",                \
                    __FILE__, __LINE__, tl_case, #got, g_, w_);                  \
            tl_case_failed = 1;                                                  \
        }                                                                        \
    } while (0)

#define RUN(name) do {                                                           \
        tl_case = #name;                                                         \
        tl_case_failed = 0;                                                      \
        name();                                                                  \
        if (tl_case_failed) {                                                    \
            tl_failed++;                                                         \
            fprintf(stderr, "FAIL %s\n", #name);                                 \
        } else {                                                                 \
            tl_passed++;                                                         \
        }                                                                        \
    } while (0)

static inline int test_report(void)
{
    printf("RESULT %d %d\n", tl_passed, tl_failed);
    return tl_failed ? 1 : 0;
}

#endif
