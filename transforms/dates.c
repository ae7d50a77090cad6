/* dates.c — legacy date text to ISO 8601 (see dates.h). A small hand-written scanner:
 * a date part, an optional time part, an optional zone, then the end of the text;
 * anything else is DATE_BAD. No locale, no allocation. */
#include "transforms/dates.h"

#include <string.h>
#include <strings.h>

struct scan {
    const char *p, *end;
};

struct when {
    int year, month, day;
    int year_first;              /* 2019-03-07...: DB2 may join the time with '-' */
    int basic;                   /* 20190307: the time may be basic too (T143000) */
    int has_time, hour, minute, second;
    int has_zone, zone_sign, zone_hour, zone_minute;  /* zone_sign 0 = "Z" */
};

static int at(const struct scan *s, char c)
{
    return s->p < s->end && *s->p == c;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Read up to max digits; returns how many were read (0 = none). */
static int digits(struct scan *s, int max, int *val)
{
    int n = 0, v = 0;
    while (n < max && s->p < s->end && is_digit(*s->p)) {
        v = v * 10 + (*s->p - '0');
        s->p++;
        n++;
    }
    *val = v;
    return n;
}

static int exact_digits(struct scan *s, int n, int *val)
{
    return digits(s, n, val) == n;
}

static int month_from_name(struct scan *s)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    const char *start = s->p;
    while (s->p < s->end && lower(*s->p) >= 'a' && lower(*s->p) <= 'z')
        s->p++;
    if (s->p - start != 3)
        return 0;
    for (int m = 0; m < 12; m++) {
        if (lower(start[0]) == names[3 * m] && lower(start[1]) == names[3 * m + 1] &&
            lower(start[2]) == names[3 * m + 2])
            return m + 1;
    }
    return 0;
}

static int year_from(int val, int ndigits)
{
    if (ndigits == 2)
        return val < 50 ? 2000 + val : 1900 + val;
    return val;
}

static int read_year(struct scan *s, int *year)
{
    int v, n = digits(s, 4, &v);
    if (n != 2 && n != 4)
        return 0;
    *year = year_from(v, n);
    return 1;
}

/* 1-2 digits, a separator, then a month name: "07-MAR-19", "7 Mar 2019" */
static int date_named(struct scan *s, int day, struct when *w)
{
    char sep = *s->p++;
    int month = month_from_name(s);
    if (!month || !at(s, sep))
        return 0;
    s->p++;
    w->day = day;
    w->month = month;
    return read_year(s, &w->year);
}

/* a, b, c with one separator, order as configured: "3/7/2019", "07.03.19" */
static int date_short(struct scan *s, int a, int na, enum date_order order, struct when *w)
{
    char sep = *s->p++;
    int b, c;
    if (!digits(s, 2, &b) || !at(s, sep))
        return 0;
    s->p++;
    const char *cstart = s->p;
    int nc = digits(s, 4, &c);
    if (order == DATE_YMD) {
        if (nc < 1 || nc > 2)
            return 0;
        w->year = year_from(a, na == 2 ? 2 : 4);
        w->month = b;
        w->day = c;
        return na == 2;
    }
    s->p = cstart;
    if (!read_year(s, &w->year))
        return 0;
    w->month = order == DATE_MDY ? a : b;
    w->day = order == DATE_MDY ? b : a;
    return 1;
}

static int date_part(struct scan *s, enum date_order order, struct when *w)
{
    int a;
    int na = digits(s, 8, &a);
    if (na == 8) {
        w->year = a / 10000;
        w->month = a / 100 % 100;
        w->day = a % 100;
        w->basic = 1;
        return 1;
    }
    if (s->p >= s->end)
        return 0;
    char sep = *s->p;
    if (na == 4 && (sep == '-' || sep == '/' || sep == '.')) {
        s->p++;
        w->year = a;
        w->year_first = sep == '-';
        if (!digits(s, 2, &w->month) || !at(s, sep))
            return 0;
        s->p++;
        return digits(s, 2, &w->day) > 0;
    }
    if (na < 1 || na > 2)
        return 0;
    if ((sep == '-' || sep == ' ' || sep == '.' || sep == '/') && s->p + 1 < s->end &&
        lower(s->p[1]) >= 'a' && lower(s->p[1]) <= 'z')
        return date_named(s, a, w);
    if (sep == '-' || sep == '/' || sep == '.')
        return date_short(s, a, na, order, w);
    return 0;
}

static int skip_spaces(struct scan *s)
{
    const char *start = s->p;
    while (at(s, ' '))
        s->p++;
    return s->p > start;
}

/* " AM", "pm" after a time */
static int meridiem(struct scan *s, int *hour)
{
    const char *save = s->p;
    skip_spaces(s);
    if (s->end - s->p < 2 || lower(s->p[1]) != 'm' ||
        (lower(s->p[0]) != 'a' && lower(s->p[0]) != 'p')) {
        s->p = save;
        return 1;                /* no marker: nothing to do */
    }
    int pm = lower(s->p[0]) == 'p';
    s->p += 2;
    if (*hour < 1 || *hour > 12)
        return 0;
    *hour = *hour % 12 + (pm ? 12 : 0);
    return 1;
}

static int zone_part(struct scan *s, struct when *w)
{
    if (at(s, 'Z') || at(s, 'z')) {
        s->p++;
        w->has_zone = 1;
        return 1;
    }
    if (!at(s, '+') && !at(s, '-'))
        return 1;
    w->zone_sign = *s->p++ == '+' ? '+' : '-';
    w->has_zone = 1;
    if (!exact_digits(s, 2, &w->zone_hour))
        return 0;
    if (at(s, ':'))
        s->p++;
    if (s->p < s->end && !exact_digits(s, 2, &w->zone_minute))
        return 0;
    return w->zone_hour <= 14 && w->zone_minute <= 59;
}

/* ".000" / ",5" after the seconds: read past (fractions are dropped) */
static void skip_fraction(struct scan *s)
{
    if ((at(s, '.') || at(s, ',')) && s->p + 1 < s->end && is_digit(s->p[1])) {
        int ignored;
        s->p++;
        while (digits(s, 9, &ignored) == 9)
            ;
    }
}

static int time_end(struct scan *s, struct when *w)
{
    w->has_time = 1;
    return w->hour <= 23 && w->minute <= 59 && w->second <= 59 && zone_part(s, w);
}

/* after a basic date: HHMM or HHMMSS, fraction and zone as usual (vCard's REV) */
static int basic_time(struct scan *s, struct when *w)
{
    if (!exact_digits(s, 2, &w->minute))
        return 0;
    if (s->p < s->end && is_digit(*s->p) && !exact_digits(s, 2, &w->second))
        return 0;
    skip_fraction(s);
    return time_end(s, w);
}

static int time_part(struct scan *s, struct when *w)
{
    int nh = digits(s, 2, &w->hour);
    if (!nh)
        return 0;
    if (w->basic && nh == 2 && s->p < s->end && is_digit(*s->p))
        return basic_time(s, w);
    if (!at(s, ':') && !at(s, '.'))
        return 0;
    char sep = *s->p++;
    if (!exact_digits(s, 2, &w->minute))
        return 0;
    if (at(s, sep) && s->p + 1 < s->end && is_digit(s->p[1])) {
        s->p++;
        if (!exact_digits(s, 2, &w->second))
            return 0;
        skip_fraction(s);
    }
    return meridiem(s, &w->hour) && time_end(s, w);
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_day(int y, int m, int d)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* n decimal digits of v at out (no snprintf: this runs for every dated record) */
static char *put_num(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return out + n;
}

static void format_iso(const struct when *w, char out[DATE_ISO_MAX])
{
    char *p = put_num(out, w->year, 4);
    *p++ = '-';
    p = put_num(p, w->month, 2);
    *p++ = '-';
    p = put_num(p, w->day, 2);
    if (w->has_time) {
        *p++ = 'T';
        p = put_num(p, w->hour, 2);
        *p++ = ':';
        p = put_num(p, w->minute, 2);
        *p++ = ':';
        p = put_num(p, w->second, 2);
    }
    if (w->has_zone && w->zone_sign == 0) {
        *p++ = 'Z';
    } else if (w->has_zone) {
        *p++ = (char)w->zone_sign;
        p = put_num(p, w->zone_hour, 2);
        *p++ = ':';
        p = put_num(p, w->zone_minute, 2);
    }
    *p = '\0';
}

enum date_result date_to_iso(const char *text, size_t len, enum date_order order,
                             char out[DATE_ISO_MAX])
{
    struct scan s = { text, text + len };
    struct when w;
    memset(&w, 0, sizeof w);
    out[0] = '\0';
    if (!date_part(&s, order, &w))
        return DATE_BAD;
    if (s.p < s.end) {
        int sep = skip_spaces(&s);
        if (!sep && (at(&s, 'T') || (w.year_first && at(&s, '-')))) {
            s.p++;
            sep = 1;
        }
        if (!sep || !time_part(&s, &w))
            return DATE_BAD;
    }
    if (s.p != s.end)
        return DATE_BAD;
    if (w.month == 0 && w.day == 0)
        return DATE_EMPTY;
    if (w.year == 1899 && w.month == 12 && w.day == 30)
        return DATE_EMPTY;
    if (!valid_day(w.year, w.month, w.day))
        return DATE_BAD;
    format_iso(&w, out);
    return DATE_OK;
}

/* "1956" or "1956-04": a year of four digits, then perhaps '-' and a month */
static enum date_result partial_to_iso(const char *text, size_t len, char out[DATE_ISO_MAX])
{
    struct scan s = { text, text + len };
    int year, month = 0;
    if (!exact_digits(&s, 4, &year) || (s.p < s.end && is_digit(*s.p)))
        return DATE_BAD;
    if (at(&s, '-')) {
        s.p++;
        int n = digits(&s, 2, &month);
        if (n == 0 || month < 1 || month > 12)
            return DATE_BAD;
    }
    if (s.p != s.end)
        return DATE_BAD;
    if (year == 0)
        return DATE_EMPTY;
    char *p = put_num(out, year, 4);
    if (month) {
        *p++ = '-';
        p = put_num(p, month, 2);
    }
    *p = '\0';
    return DATE_OK;
}

enum date_result date_day_to_iso(const char *text, size_t len, enum date_order order,
                                 char out[DATE_ISO_MAX])
{
    enum date_result r = date_to_iso(text, len, order, out);
    if (r == DATE_OK) {
        out[10] = '\0';                /* "YYYY-MM-DD", whatever followed */
        return DATE_OK;
    }
    if (r == DATE_EMPTY)
        return r;
    return partial_to_iso(text, len, out);
}

static const char *const order_names[] = { "MDY", "DMY", "YMD" };

int date_order_parse(const char *s, enum date_order *out)
{
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(s, order_names[i]) == 0) {
            *out = (enum date_order)i;
            return 0;
        }
    }
    return -1;
}

const char *date_order_name(enum date_order order)
{
    return (unsigned)order <= DATE_YMD ? order_names[order] : "MDY";
}

/* ---- votes for "date_order": "auto" ---------------------------------------------- */

static void keep_example(char dst[DATE_VOTE_EXAMPLE], const char *text, size_t len)
{
    if (dst[0])
        return;
    if (len >= DATE_VOTE_EXAMPLE)
        len = DATE_VOTE_EXAMPLE - 1;
    memcpy(dst, text, len);
    dst[len] = '\0';
}

void date_votes_add(struct date_votes *v, const char *text, size_t len)
{
    char as_dmy[DATE_ISO_MAX], as_mdy[DATE_ISO_MAX];
    int dmy = date_to_iso(text, len, DATE_DMY, as_dmy) == DATE_OK;
    int mdy = date_to_iso(text, len, DATE_MDY, as_mdy) == DATE_OK;
    if (dmy && !mdy) {
        v->dmy++;
        keep_example(v->dmy_example, text, len);
    } else if (mdy && !dmy) {
        v->mdy++;
        keep_example(v->mdy_example, text, len);
    } else if (dmy && strcmp(as_dmy, as_mdy) != 0) {
        v->ambiguous++;
    } else {
        v->neutral++;
    }
}

enum date_vote date_votes_decide(const struct date_votes *v, enum date_order *out)
{
    if (v->dmy && v->mdy)
        return DATE_VOTE_CONFLICT;
    if (!v->dmy && !v->mdy)
        return DATE_VOTE_NONE;
    *out = v->dmy ? DATE_DMY : DATE_MDY;
    return DATE_VOTE_DECIDED;
}
