/* test_dates.c — legacy date text to ISO 8601 (transforms/dates.c), table-driven. */
#include "tests/unit/testlib.h"
#include "transforms/dates.h"

struct date_case {
    const char *in;
    enum date_order order;
    enum date_result want_rc;
    const char *want;            /* ISO text when DATE_OK */
};

typedef enum date_result (*date_fn)(const char *, size_t, enum date_order,
                                    char[DATE_ISO_MAX]);

static void check_cases_of(date_fn fn, const struct date_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[DATE_ISO_MAX];
        enum date_result rc = fn(cases[i].in, strlen(cases[i].in), cases[i].order, out);
        if (rc != cases[i].want_rc) {
            fprintf(stderr, "  \"%s\" (%s): result %d, want %d\n", cases[i].in,
                    date_order_name(cases[i].order), (int)rc, (int)cases[i].want_rc);
            tl_case_failed = 1;
            continue;
        }
        if (rc == DATE_OK)
            CHECK_STR(out, cases[i].want);
    }
}

static void check_cases(const struct date_case *cases, size_t n)
{
    check_cases_of(date_to_iso, cases, n);
}

TEST(act_locale_dates)
{
    static const struct date_case cases[] = {
        { "3/7/2019",            DATE_MDY, DATE_OK, "2019-03-07" },
        { "03/07/2019",          DATE_MDY, DATE_OK, "2019-03-07" },
        { "3/7/2019",            DATE_DMY, DATE_OK, "2019-07-03" },
        { "07.03.2019",          DATE_DMY, DATE_OK, "2019-03-07" },
        { "7.3.19",              DATE_DMY, DATE_OK, "2019-03-07" },
        { "12/31/1999",          DATE_MDY, DATE_OK, "1999-12-31" },
        { "31/12/1999",          DATE_DMY, DATE_OK, "1999-12-31" },
        { "3/7/2019 14:30",      DATE_MDY, DATE_OK, "2019-03-07T14:30:00" },
        { "3/7/2019 2:30 PM",    DATE_MDY, DATE_OK, "2019-03-07T14:30:00" },
        { "3/7/2019 12:05:09 AM", DATE_MDY, DATE_OK, "2019-03-07T00:05:09" },
        { "3/7/2019 12:00 pm",   DATE_MDY, DATE_OK, "2019-03-07T12:00:00" },
        { "07.03.2019 09:15:00", DATE_DMY, DATE_OK, "2019-03-07T09:15:00" },
        { "19/03/07",            DATE_YMD, DATE_OK, "2019-03-07" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(iso_and_compact_dates_ignore_the_order)
{
    static const struct date_case cases[] = {
        { "2019-03-07",              DATE_DMY, DATE_OK, "2019-03-07" },
        { "2019-03-07",              DATE_MDY, DATE_OK, "2019-03-07" },
        { "2019/03/07",              DATE_MDY, DATE_OK, "2019-03-07" },
        { "20190307",                DATE_MDY, DATE_OK, "2019-03-07" },
        { "2019-03-07 14:30:00",     DATE_MDY, DATE_OK, "2019-03-07T14:30:00" },
        { "2019-03-07 00:00:00.000", DATE_MDY, DATE_OK, "2019-03-07T00:00:00" },
        { "2019-03-07T14:30:00",     DATE_MDY, DATE_OK, "2019-03-07T14:30:00" },
        { "2024-05-02T09:14:03.120Z", DATE_MDY, DATE_OK, "2024-05-02T09:14:03Z" },
        { "2024-05-02T09:14:03+02:00", DATE_MDY, DATE_OK, "2024-05-02T09:14:03+02:00" },
        { "2024-05-02T09:14:03-0500", DATE_MDY, DATE_OK, "2024-05-02T09:14:03-05:00" },
        { "2019-03-07-14.30.00.000000", DATE_MDY, DATE_OK, "2019-03-07T14:30:00" },
        { "07-MAR-19",               DATE_MDY, DATE_OK, "2019-03-07" },
        { "7 Mar 2019",              DATE_DMY, DATE_OK, "2019-03-07" },
        /* ISO 8601 basic, as vCard's REV writes it */
        { "20240502T091403Z",        DATE_MDY, DATE_OK, "2024-05-02T09:14:03Z" },
        { "20240502T0914",           DATE_DMY, DATE_OK, "2024-05-02T09:14:00" },
        { "20240502T091403.5+0200",  DATE_MDY, DATE_OK, "2024-05-02T09:14:03+02:00" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(two_digit_year_pivot)
{
    static const struct date_case cases[] = {
        { "3/7/00", DATE_MDY, DATE_OK, "2000-03-07" },
        { "3/7/49", DATE_MDY, DATE_OK, "2049-03-07" },
        { "3/7/50", DATE_MDY, DATE_OK, "1950-03-07" },
        { "3/7/99", DATE_MDY, DATE_OK, "1999-03-07" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(empty_markers)
{
    static const struct date_case cases[] = {
        { "0/0/00",              DATE_MDY, DATE_EMPTY, NULL },
        { "00000000",            DATE_MDY, DATE_EMPTY, NULL },
        { "0000-00-00",          DATE_MDY, DATE_EMPTY, NULL },
        { "00.00.0000",          DATE_DMY, DATE_EMPTY, NULL },
        { "1899-12-30",          DATE_MDY, DATE_EMPTY, NULL },
        { "1899-12-30 00:00:00", DATE_MDY, DATE_EMPTY, NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(rejects_what_is_not_a_date)
{
    static const struct date_case cases[] = {
        { "",                 DATE_MDY, DATE_BAD, NULL },
        { "soon",             DATE_MDY, DATE_BAD, NULL },
        { "2/30/2019",        DATE_MDY, DATE_BAD, NULL },   /* no 30 February */
        { "2/29/2019",        DATE_MDY, DATE_BAD, NULL },
        { "13/07/2019",       DATE_MDY, DATE_BAD, NULL },
        { "2019-13-01",       DATE_MDY, DATE_BAD, NULL },
        { "3/7/219",          DATE_MDY, DATE_BAD, NULL },   /* 3-digit year */
        { "3/7-2019",         DATE_MDY, DATE_BAD, NULL },   /* mixed separators */
        { "3/7/2019 25:00",   DATE_MDY, DATE_BAD, NULL },
        { "3/7/2019 13:00 PM", DATE_MDY, DATE_BAD, NULL },
        { "3/7/2019 14:61",   DATE_MDY, DATE_BAD, NULL },
        { "3/7/2019 soon",    DATE_MDY, DATE_BAD, NULL },
        { "3/7/2019x",        DATE_MDY, DATE_BAD, NULL },
        { "07-XYZ-19",        DATE_MDY, DATE_BAD, NULL },
        { "2019030",          DATE_MDY, DATE_BAD, NULL },
        { "07/03/2019",       DATE_YMD, DATE_BAD, NULL },
        { "20240502T0914031", DATE_MDY, DATE_BAD, NULL },   /* a digit too many */
        { "20240502T091",     DATE_MDY, DATE_BAD, NULL },
        { "20240502T246000",  DATE_MDY, DATE_BAD, NULL },
        { "2024-05-02T0914",  DATE_MDY, DATE_BAD, NULL },   /* basic time, extended date */
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(leap_days)
{
    static const struct date_case cases[] = {
        { "2/29/2020", DATE_MDY, DATE_OK, "2020-02-29" },
        { "2000-02-29", DATE_MDY, DATE_OK, "2000-02-29" },
        { "1900-02-29", DATE_MDY, DATE_BAD, NULL },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

TEST(birth_dates_are_days_or_partial)
{
    static const struct date_case cases[] = {
        { "19560409",             DATE_MDY, DATE_OK,    "1956-04-09" },   /* Febrl, vCard */
        { "1956-04-09",           DATE_DMY, DATE_OK,    "1956-04-09" },
        { "4/9/1956",             DATE_MDY, DATE_OK,    "1956-04-09" },   /* Outlook */
        { "4/9/1956",             DATE_DMY, DATE_OK,    "1956-09-04" },
        { "1956-04-09T00:00:00Z", DATE_YMD, DATE_OK,    "1956-04-09" },   /* the time cut */
        { "09-APR-56",            DATE_MDY, DATE_OK,    "1956-04-09" },   /* Oracle */
        { "1956-04",              DATE_YMD, DATE_OK,    "1956-04" },      /* partial */
        { "1956-4",               DATE_MDY, DATE_OK,    "1956-04" },
        { "1956",                 DATE_MDY, DATE_OK,    "1956" },
        { "0/0/00",               DATE_MDY, DATE_EMPTY, NULL },           /* Outlook's none */
        { "0000",                 DATE_MDY, DATE_EMPTY, NULL },
        { "19951330",             DATE_MDY, DATE_BAD,   NULL },           /* month 13 */
        { "19560230",             DATE_MDY, DATE_BAD,   NULL },
        { "1956-13",              DATE_MDY, DATE_BAD,   NULL },
        { "1956-00",              DATE_MDY, DATE_BAD,   NULL },
        { "--04-09",              DATE_YMD, DATE_BAD,   NULL },           /* no year */
        { "195",                  DATE_MDY, DATE_BAD,   NULL },
        { "19560",                DATE_MDY, DATE_BAD,   NULL },
        { "1956-04-",             DATE_MDY, DATE_BAD,   NULL },
        { "1956x",                DATE_MDY, DATE_BAD,   NULL },
    };
    check_cases_of(date_day_to_iso, cases, sizeof cases / sizeof cases[0]);
}

TEST(date_order_names)
{
    enum date_order o = DATE_MDY;
    CHECK_INT(date_order_parse("DMY", &o), 0);
    CHECK_INT(o, DATE_DMY);
    CHECK_INT(date_order_parse("ymd", &o), 0);
    CHECK_INT(o, DATE_YMD);
    CHECK_INT(date_order_parse("DM", &o), -1);
    CHECK_STR(date_order_name(DATE_MDY), "MDY");
}

static struct date_votes vote_all(const char *const *values)
{
    struct date_votes v;
    memset(&v, 0, sizeof v);
    for (size_t i = 0; values[i]; i++)
        date_votes_add(&v, values[i], strlen(values[i]));
    return v;
}

TEST(votes_prove_dmy)
{
    static const char *const col[] = { "03.03.2019", "07.03.2019", "13.03.2019",
                                       "01.02.2020", "31.12.1999 14:30", NULL };
    struct date_votes v = vote_all(col);
    enum date_order o = DATE_MDY;
    CHECK_INT(v.dmy, 2);
    CHECK_INT(v.mdy, 0);
    CHECK_INT(v.ambiguous, 2);
    CHECK_INT(v.neutral, 1);
    CHECK_STR(v.dmy_example, "13.03.2019");
    CHECK_INT(date_votes_decide(&v, &o), DATE_VOTE_DECIDED);
    CHECK_INT(o, DATE_DMY);
}

TEST(votes_prove_mdy)
{
    static const char *const col[] = { "03/07/2019", "3/13/2019 2:30 PM", "12/31/99",
                                       "2019-03-07", "0/0/00", NULL };
    struct date_votes v = vote_all(col);
    enum date_order o = DATE_DMY;
    CHECK_INT(v.mdy, 2);
    CHECK_INT(v.dmy, 0);
    CHECK_STR(v.mdy_example, "3/13/2019 2:30 PM");
    CHECK_INT(date_votes_decide(&v, &o), DATE_VOTE_DECIDED);
    CHECK_INT(o, DATE_MDY);
}

TEST(votes_neutral_values_prove_nothing)
{
    static const char *const col[] = { "2019-03-07", "20190307", "07-MAR-19", "7 Mar 2019",
                                       "05/05/2019", "0/0/00", "02/30/2019", "13/13/2019",
                                       "hello", "2019-03-07T14:30:00Z", NULL };
    struct date_votes v = vote_all(col);
    enum date_order o = DATE_YMD;
    CHECK_INT(v.dmy + v.mdy + v.ambiguous, 0);
    CHECK_INT(v.neutral, 10);
    CHECK_INT(date_votes_decide(&v, &o), DATE_VOTE_NONE);
    CHECK_INT(o, DATE_YMD);
    static const char *const ambiguous[] = { "03/07/2019", "1/2/2020", NULL };
    v = vote_all(ambiguous);
    CHECK_INT(v.ambiguous, 2);
    CHECK_INT(date_votes_decide(&v, &o), DATE_VOTE_NONE);
    CHECK_INT(date_votes_decide(&(struct date_votes){ 0 }, &o), DATE_VOTE_NONE);
}

TEST(votes_conflict_keeps_one_example_each)
{
    static const char *const col[] = { "13.03.2019", "03/13/2019", "25.12.2020",
                                       "12/25/2020", NULL };
    struct date_votes v = vote_all(col);
    enum date_order o = DATE_MDY;
    CHECK_INT(date_votes_decide(&v, &o), DATE_VOTE_CONFLICT);
    CHECK_STR(v.dmy_example, "13.03.2019");
    CHECK_STR(v.mdy_example, "03/13/2019");
    CHECK_INT(o, DATE_MDY);
}

TEST(vote_example_is_cut)
{
    struct date_votes v;
    memset(&v, 0, sizeof v);
    const char *long_one = "13.03.2019 14:30:00.000000000000000000000000000000000000000";
    date_votes_add(&v, long_one, strlen(long_one));
    CHECK_INT(v.dmy, 1);
    CHECK_INT(strlen(v.dmy_example), DATE_VOTE_EXAMPLE - 1);
}

int main(void)
{
    RUN(act_locale_dates);
    RUN(iso_and_compact_dates_ignore_the_order);
    RUN(two_digit_year_pivot);
    RUN(empty_markers);
    RUN(rejects_what_is_not_a_date);
    RUN(leap_days);
    RUN(birth_dates_are_days_or_partial);
    RUN(date_order_names);
    RUN(votes_prove_dmy);
    RUN(votes_prove_mdy);
    RUN(votes_neutral_values_prove_nothing);
    RUN(votes_conflict_keeps_one_example_each);
    RUN(vote_example_is_cut);
    return test_report();
}
