/* explain.h — `crmerge explain`: why two records are, or are not, one customer.
 *
 * After resolve_run_resolve (pipeline/resolve_run.h): the two records side by side with
 * the values the resolver compares (the match profile in words: names, e-mails, phones,
 * address, company, birth date), then the resolver's own account (its xExplain: each
 * comparison's level and weight, the running total, probability, rule, decision,
 * blocking passes, clusters). A resolver without xExplain (the exact one) gets a line
 * saying how it decides and whether the two ended in one cluster. */
#ifndef CM_EXPLAIN_H
#define CM_EXPLAIN_H

#include <stdint.h>
#include "pipeline/buf.h"
#include "pipeline/resolve_run.h"

/* Split "SOURCE:KEY" at its first ':' (the key may hold more): source into
 * source_out (cap bytes), *key into arg. CM_ERR_USAGE unless both parts are there. */
enum cm_status explain_split(const char *arg, char *source_out, size_t cap, const char **key,
                             char *err);

/* The record "SOURCE:KEY" names, or CM_ERR_CONFIG naming it and the sources there are. */
enum cm_status explain_find(const struct resolve_run *rr, const char *arg, uint32_t *rec,
                            char *err);

/* The waterfall for records a and b, appended to out. loc_a / loc_b: where each was
 * read ("file:line"), or NULL. */
enum cm_status explain_pair(const struct resolve_run *rr, uint32_t a, uint32_t b,
                            const char *loc_a, const char *loc_b, struct buf *out, char *err);

#endif
