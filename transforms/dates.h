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
 * Two-digit years use a pivot: yy < 50 is 20yy, otherwise 19yy ("19" -> 2019,
 * "87" -> 1987). The calendar is checked (no 30 February, no month 13).
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

/* "MDY", "DMY", "YMD" (any case): 0 and *out set, or -1 */
int date_order_parse(const char *s, enum date_order *out);
const char *date_order_name(enum date_order order);

/* Parse s[0..len) into out. */
enum date_result date_to_iso(const char *s, size_t len, enum date_order order,
                             char out[DATE_ISO_MAX]);

#endif
