/* block.h — blocking: which pairs of records the matcher compares at all.
 *
 * Comparing every pair is n²/2 (5·10¹¹ for a million records); blocking compares only
 * records that share a key in at least one pass. A pass is a list of key parts
 * ("family_phonetic" + "postal_code"): records with every part present and equal meet.
 * Multi-valued parts (two e-mails, two phones, nicknames) give a record one key per
 * value. A sorted-neighbourhood pass sorts by a part instead and pairs each record
 * with the next window-1 records, which finds typos blocking on equality misses.
 *
 * Blocks larger than a pass's cap are not expanded (40,000 records on "info@" or on a
 * head-office number would be 8·10⁸ pairs of strangers): they are counted and the
 * biggest are reported with their key, so a user sees what was skipped. E-mail keys
 * never use role addresses (info@, sales@) or invalid ones.
 *
 * Pairs of all passes are merged and de-duplicated: one uint64 per pair,
 * (a << 32) | b with a < b, sorted. Reads the store only. */
#ifndef CM_BLOCK_H
#define CM_BLOCK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "transforms/resolve.h"

enum block_part {
    BP_EMAIL, BP_PHONE, BP_GIVEN, BP_GIVEN_INITIAL, BP_GIVEN_CANON, BP_GIVEN_PHONETIC,
    BP_FAMILY, BP_FAMILY_INITIAL, BP_FAMILY_PHONETIC, BP_BIRTH_DATE, BP_BIRTH_YEAR,
    BP_POSTAL_CODE, BP_CITY, BP_STREET, BP_HOUSE_NUMBER, BP_COMPANY, BP_REGION,
    BP_NAME_PAIR,                /* given and family as a set: finds swapped names */
    BP_NAME_ANY,                 /* given or family (two values): a name in the wrong field */
    BP_COUNT
};

#define BLOCK_MAX_PARTS  4
#define BLOCK_MAX_PASSES 24
#define BLOCK_CAPPED_SHOWN 5

struct block_pass {
    char name[96];               /* "family_phonetic+postal_code", "sorted:family" */
    int nparts;
    enum block_part part[BLOCK_MAX_PARTS];
    int window;                  /* > 0: sorted neighbourhood on part[0] (+ part[1]...) */
    size_t cap;                  /* largest block expanded */
};

struct block_capped {            /* a block that was too big */
    char key[128];               /* its key in words: "phone=4930123456" */
    size_t records;
};

struct block_pass_stats {
    size_t keyed;                /* records with a key in this pass */
    size_t pairs;                /* pairs it produced (before merging with other passes) */
    size_t true_pairs;           /* with a truth: pairs of one person among them */
    size_t capped_blocks, capped_records;
    struct block_capped capped[BLOCK_CAPPED_SHOWN];   /* the biggest, largest first */
    size_t ncapped_shown;
};

/* Up to max pairs of each pass, for training m pass by pass (score.h); the caller sets
 * max and frees pair[i]. */
struct block_samples {
    size_t max;
    uint64_t *pair[BLOCK_MAX_PASSES];
    size_t n[BLOCK_MAX_PASSES];
};

struct block_stats {
    size_t npasses;
    struct block_pass_stats pass[BLOCK_MAX_PASSES];
    size_t pairs;                /* distinct pairs of all passes */
    double reduction_ratio;      /* 1 - pairs / (n(n-1)/2) */
    /* with a truth (profile_store.truth_person): pairs of one person, and how many of
     * them blocking made candidates; pair completeness = found / true */
    size_t true_pairs, true_pairs_found;
    int with_truth;
};

/* Fill st's truth figures from the candidate pairs (sorted, distinct). */
enum cm_status block_completeness(const struct profile_store *s, const uint64_t *pairs,
                                  size_t npairs, struct block_stats *st, char *err);

/* The default passes for contacts. */
size_t block_default_passes(struct block_pass *out, size_t cap);

/* Passes from a config list ("blocking": [ "email", ["family", "city"],
 * {"parts": [...], "cap": 500}, {"sorted": "family", "window": 5} ]); CM_ERR_CONFIG
 * naming where (e.g. "match.blocking[2]") and the known part names. */
enum cm_status block_passes_from_json(const json_t *list, const char *where,
                                      struct block_pass *out, size_t cap, size_t *n, char *err);

const char *block_part_name(enum block_part p);

/* Candidate pairs of every pass into *pairs (malloc'd; the caller frees), sorted and
 * distinct. threads: passes run in parallel up to this many. samples may be NULL. */
enum cm_status block_pairs(const struct profile_store *s, const struct block_pass *passes,
                           size_t npasses, int threads, uint64_t **pairs, size_t *npairs,
                           struct block_stats *st, struct block_samples *samples, char *err);

/* The comparisons (bit per enum cmp_field) a pass's key parts agree on by construction:
 * its own pairs cannot teach how often matches agree there. */
uint32_t block_pass_comparisons(const struct block_pass *p);

/* Which equality passes give records a and b a common key (bit i for passes[i]); sorted
 * passes are not told (their pairs depend on the neighbours). For explain. */
uint32_t block_shared_passes(const struct profile_store *s, const struct block_pass *passes,
                             size_t npasses, uint32_t a, uint32_t b);

/* The records that share each key of an equality pass, block by block, whatever the
 * cap (recs sorted, n >= 2): what the exact resolver unites. fn returns non-zero to
 * stop. */
typedef int block_group_fn(void *ctx, const uint32_t *recs, size_t n);
enum cm_status block_groups(const struct profile_store *s, const struct block_pass *p,
                            block_group_fn *fn, void *ctx, char *err);

/* The pass report as JSON (a new reference). */
json_t *block_stats_json(const struct block_pass *passes, const struct block_stats *st);

#endif
