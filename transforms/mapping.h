/* mapping.h — maps a connector's raw records to canonical contacts, driven by a
 * layout file in schemas/ (data, not code: adding a CRM layout is adding a JSON file).
 *
 * A layout names, for each canonical field, the source columns that may feed it
 * (an alias list: header labels drift between product versions), with small declared
 * transforms: split a full name when the name parts are empty, join address lines,
 * parse a date in a declared day/month order, type a phone column (or take its type
 * from the words of a label column), append an extension column, split a cell that
 * holds several e-mails or phones, leave a value whose type says it is no e-mail.
 * Every source field no rule used is kept in contact.extra. The file format is
 * documented in schemas/README.md. */
#ifndef CM_MAPPING_H
#define CM_MAPPING_H

#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/contact.h"
#include "pipeline/status.h"
#include "transforms/dates.h"

struct mapping;
struct source;

/* Load a layout by name ("act" -> <schemas_dir>/act.json) or by path (contains '/' or
 * ends in ".json"). */
enum cm_status mapping_load(const char *name_or_path, struct mapping **out, char *err);
void mapping_free(struct mapping *m);
const char *mapping_name(const struct mapping *m);
/* The connector the layout is written for: its "connector" key, default "csv". */
const char *mapping_connector(const struct mapping *m);

/* The layout's "default_country" (ISO alpha-2: the country of national phone numbers
 * and postal codes when a record's address names none, for sources that set none
 * themselves), or NULL. */
const char *mapping_default_country(const struct mapping *m);

/* Per-source settings that override the layout: "date_order" ("MDY", "DMY", "YMD", or
 * "auto": decided from the source's date columns, see mapping_date_columns). */
enum cm_status mapping_configure(struct mapping *m, const struct source *src, char *err);

/* ---- "date_order": "auto" (pipeline/extract.c reads the source once beforehand) ---- */

#define MAPPING_DATE_COLUMNS 3   /* created, source_updated, birth_date */

/* 1 when the source asked for "auto" and no order has been set yet. */
int mapping_date_auto(const struct mapping *m);
/* The order dates are read in now (the layout's or the source's). */
enum date_order mapping_date_order(const struct mapping *m);
/* The columns of rec that the layout reads as dates: cols[0] feeds created, cols[1]
 * source_updated, cols[2] birth_date; -1 where the layout maps none or rec's header has
 * none. Binds rec's header the way mapping_apply does. */
enum cm_status mapping_date_columns(struct mapping *m, const struct raw_record *rec,
                                    int cols[MAPPING_DATE_COLUMNS]);
/* Set the order decided by the pre-pass; "auto" is then settled. Also forgets the
 * header binding of the pre-pass (its reader's names go away with its reader). */
void mapping_set_date_order(struct mapping *m, enum date_order order);

/* Map one raw record. Strings in *c point into rec or into a (reset by the caller per
 * record). A record that cannot be mapped (no key and nothing to derive one from)
 * returns CM_ERR_INPUT with the reason in err: the caller rejects it. */
enum cm_status mapping_apply(struct mapping *m, const char *source_name,
                             const struct raw_record *rec, struct arena *a,
                             struct contact *c, char *err);

/* Date values (created, source_updated, birth_date) mapping_apply could not read since
 * the layout was loaded: each was left out of its field and kept in extra. */
long long mapping_bad_dates(const struct mapping *m);

/* How well a header row matches this layout, 0.0 .. 1.0 (for `crmerge detect`). */
double mapping_header_score(const struct mapping *m, const char *const *names, size_t n);

#endif
