/* resolve_exact.h — the exact-key resolver: crmerge's first, deliberately limited
 * identity resolution, until the probabilistic matcher (blocking, Fellegi–Sunter)
 * replaces it.
 *
 * Two records are the same customer when they share a normalised e-mail address
 * (trimmed, ASCII lower-cased, shaped like local@domain) or, within one source, the
 * same source key; the relation is closed transitively (union-find). Nothing else is
 * compared: no names, no phones, no fuzzy matching.
 *
 * Memory: per record 4 bytes plus its distinct keys (e-mails, source keys), interned
 * once; full records are not held. */
#ifndef CM_RESOLVE_EXACT_H
#define CM_RESOLVE_EXACT_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/contact.h"
#include "pipeline/status.h"

struct resolver;

struct resolver *resolver_new(void);
void resolver_free(struct resolver *r);

/* Add a record; *rec_no is its number (0, 1, 2, ... in order of addition). */
enum cm_status resolver_add(struct resolver *r, const struct contact *c, uint32_t *rec_no);

/* The cluster of a record: the smallest record number in it (stable for a given
 * input order). Call after every record was added. */
uint32_t resolver_cluster(struct resolver *r, uint32_t rec_no);

size_t resolver_records(const struct resolver *r);
size_t resolver_clusters(struct resolver *r);

/* How many records repeated a (source, source key) already seen. */
size_t resolver_duplicate_keys(const struct resolver *r);

/* The e-mail as the resolver compares it, into out (cap bytes); 0 if it is not
 * usable as a key (empty, no '@'). */
int resolver_email_key(const char *email, char *out, size_t cap);

#endif
