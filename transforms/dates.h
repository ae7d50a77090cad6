/* dates.h — legacy date text to ISO 8601, for the mapping stage (transforms/mapping.c).
 *
 * Accepted (after the caller has trimmed the value):
 *   numeric dates       3/7/2019, 07.03.2019, 7-3-19     day/month order from `order`
 *   ISO and compact     2019-03-07, 2019/03/07, 20190307 (always year first)
 *   Oracle style        07-MAR-19, 7 Mar 2019 (English month abbreviations)
 *   an optional time    after 'T', spaces or (DB2) '-':  14:30, 14:30:00, 14:30:00.000,
 *                       2:30 PM, 14.30.00.000000; after a compact date also ISO basic
 *                       T1430 and T143000 (vCard's REV: 20240502T091403Z);
 *                       then optionally Z, +02:00, +0200, +02
 * Two-digit years use a fixed pivot of 50: yy < 50 is 20yy, otherwise 19yy ("19" -> 2019,
 * "49" -> 2049, "50" -> 1950, "87" -> 1987); the pivot does not move with the clock, so
 * a run is repeatable. The calendar is checked (no 30 February, no month 13).
 *
 * Output: "2019-03-07", or "2019-03-07T14:30:00" when a time was given (seconds
 * default to 00, fractions are dropped), with the zone appended as given ("Z" or
 * "+02:00"). Empty markers of legacy systems -- any date with day and month 0
 * ("0/0/00", "00000000", "0000-00-00") and the OLE zero date 1899-12-30 -- are
 * DATE_EMPTY, not an error. */
#ifndef CM_DATES_H
#define CM_DATES_H

#include <stddef.h>

#define DATE_ISO_MAX 32          /* "2019-03-07T14:30:00+02:00" + NUL fits */

enum date_order { DATE_MDY, DATE_DMY, DATE_YMD };

enum date_result {
    DATE_OK = 0,                 /* out holds the ISO text */
    DATE_EMPTY,                  /* an empty marker: the value means "no date" */
    DATE_BAD                     /* not a date crmerge understands */
};

/* A date without its time, for birth dates: what date_to_iso reads, cut to the day
 * ("19560409", "4/9/1956", "1956-04-09T00:00:00Z" -> "1956-04-09"; a zone given does not
 * move the day), or a partial date as sources hold them: "1956-04" / "1956" (year first,
 * four digits; the month 1-12) are written back so. A year 0000 is DATE_EMPTY; a day or
 * month that is no date ("19951330", "--04-15" without a year) is DATE_BAD. */
enum date_result date_day_to_iso(const char *s, size_t len, enum date_order order,
                                 char out[DATE_ISO_MAX]);

/* "MDY", "DMY", "YMD" (any case): 0 and *out set, or -1 */
int date_order_parse(const char *s, enum date_order *out);
const char *date_order_name(enum date_order order);

/* Parse s[0..len) into out. */
enum date_result date_to_iso(const char *s, size_t len, enum date_order order,
                             char out[DATE_ISO_MAX]);

/* ---- "date_order": "auto": the day/month order decided from a whole column ----
 *
 * The pipeline reads an "auto" source once before the real read and adds every raw
 * value of each date column to that column's votes. A value that parses as DMY but not
 * as MDY ("13.03.2019", "31/12/1999") is evidence for DMY; one that parses as MDY only
 * ("03/13/2019") for MDY. Values that read the same either way (ISO, compact, Oracle
 * style, "05/05/2019"), ambiguous ones ("03/07/2019") and unparseable ones prove
 * nothing. The calendar counts: "02/30/2019" is no evidence (neither order gives a
 * date). YMD is never decided by a vote. */
#define DATE_VOTE_EXAMPLE 48    /* bytes kept of an example value (NUL included) */

struct date_votes {             /* zero-initialise ({0} or memset) before the first add */
    long long dmy, mdy;          /* values that prove DMY, MDY */
    long long ambiguous;         /* valid both ways, with different dates */
    long long neutral;           /* the same date either way, or not a date */
    char dmy_example[DATE_VOTE_EXAMPLE], mdy_example[DATE_VOTE_EXAMPLE];  /* the first */
};

enum date_vote {
    DATE_VOTE_NONE = 0,          /* no evidence: keep the configured order */
    DATE_VOTE_DECIDED,           /* *out is DATE_DMY or DATE_MDY */
    DATE_VOTE_CONFLICT           /* evidence both ways: the examples show one of each */
};

/* Add one value (trimmed by the caller; empty values are best left out). */
void date_votes_add(struct date_votes *v, const char *text, size_t len);

/* The order the votes prove. One contradicting value is enough for a conflict: a column
 * that holds both "13.03.2019" and "03/13/2019" cannot be read right either way. */
enum date_vote date_votes_decide(const struct date_votes *v, enum date_order *out);

#endif
