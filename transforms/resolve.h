/* resolve.h — the resolve seam: what identity resolution takes and gives, whichever
 * resolver does it.
 *
 *   extract -> map -> normalise -> profile store --resolver--> cluster_of[] + decided pairs
 *
 * The profile store holds one match profile per record, by record number (0, 1, 2 ...
 * in the order records were added: the run's rec_no), with the record's source and
 * source key. It is append-only; it owns the normaliser whose string pool the
 * profiles' ids point into. Phone numbers are parsed when the store is finished
 * (profile_store_finish), on all cores, each distinct number once, without their line
 * type (mobile / fixed: not compared), so PPHONE_MOBILE / PPHONE_FIXED stay unset.
 *
 * A resolver is a versioned const table of methods, like a connector (connector.h):
 * one file per resolver, listed in resolve.c's registry, found by name. Slots are only
 * ever added at the end, and iVersion says how many there are.
 *   "exact"           transforms/match/resolve_exact.c: shared e-mail (never a role
 *                     address) or same source key within a source, closed transitively.
 *                     Kept as a baseline and as the matcher's exact blocking pass.
 *   "fellegi_sunter"  transforms/match/matcher.c: blocking, graded comparisons,
 *                     Fellegi–Sunter weights with EM and term frequencies, clustering
 *                     that repairs weak chains (the default).
 *
 * The output: cluster_of[rec] for every record, the smallest record number of its
 * cluster (deterministic for a given input order, whatever the thread count), and a
 * callback for each decided pair: accepted pairs and pairs sent to review, with their
 * weight, probability and evidence, which the run writes to match_evidence /
 * review_queue.
 *
 * Threading rule: the store and the normaliser are written only while records are
 * added (one thread: extraction) and by profile_store_finish (its phone-parsing threads
 * write disjoint result slots; the profiles are filled after they end). From xResolve
 * on they are read-only, and a resolver
 * may read them from any number of threads; everything a thread writes (pair buffers,
 * scratch) is its own, and results are merged in record order. */
#ifndef CM_RESOLVE_H
#define CM_RESOLVE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "pipeline/buf.h"
#include "pipeline/contact.h"
#include "pipeline/status.h"
#include "transforms/normalise/profile.h"

/* ---- the profile store ---------------------------------------------------------- */

struct profile_store {
    struct normaliser *norm;     /* owned; its pool holds the profiles' strings */
    struct match_profile *profile;
    uint16_t *source;            /* index into sources[] */
    uint8_t *key_derived;        /* 1: the source key was derived from content */
    uint32_t *key_off;           /* offset of the record's source key in keys */
    size_t n, cap;
    char *keys;                  /* NUL-terminated source keys, back to back */
    size_t keys_len, keys_cap;
    const char **sources;        /* source names (borrowed from the config) */
    struct phone_queue *phones;  /* phone numbers waiting to be parsed (phone_queue.h) */
    size_t npending;             /* how many: profile_store_finish empties it */
    int pending_failed;          /* out of memory while queueing: finish says so */
    char (*source_country)[3];   /* per source: its default_country ("" = none) */
    size_t nsources;
    /* Optional, for measuring (`crmerge eval`): each record's person in a ground truth,
     * UINT32_MAX where the truth does not know it; n entries, borrowed. A resolver may
     * report how many true pairs its blocking found; it never decides by it. */
    const uint32_t *truth_person;
};

/* A store for the sources named (borrowed: they must outlive it); default_country per
 * source may be NULL (none) or a list of nsources ISO alpha-2 codes or NULLs. */
enum cm_status profile_store_init(struct profile_store *s, const struct normaliser_options *opt,
                                  const char *const *sources, const char *const *default_country,
                                  size_t nsources, char *err);
void profile_store_free(struct profile_store *s);

/* Normalise c and append it; *rec_no gets its record number. source: index in the
 * store's sources. */
enum cm_status profile_store_add(struct profile_store *s, size_t source,
                                 const struct contact *c, uint32_t *rec_no, char *err);

/* After the last profile_store_add, before any resolver reads the store: parse the
 * records' phone numbers not yet parsed (a background thread parses them while records
 * are added), each distinct (number, country) once, on `threads` threads (0: one per
 * core), into the profiles. Resolvers refuse an unfinished store. */
enum cm_status profile_store_finish(struct profile_store *s, int threads, char *err);

static inline const char *profile_store_key(const struct profile_store *s, uint32_t rec)
{
    return s->keys + s->key_off[rec];
}
static inline const char *profile_store_source(const struct profile_store *s, uint32_t rec)
{
    return s->sources[s->source[rec]];
}

/* Records that repeat a (source, source key): first_of[rec] is the first record with
 * the same source and key (rec itself for the first or only one); *duplicates counts
 * the repeats. The caller frees *first_of. Both resolvers keep such records together. */
enum cm_status profile_store_key_groups(const struct profile_store *s, uint32_t **first_of,
                                        size_t *duplicates, char *err);

/* ---- resolvers ------------------------------------------------------------------ */

enum pair_decision {
    PAIR_MATCH = 1,              /* same customer */
    PAIR_REVIEW = 2,             /* between the thresholds: a person should look */
    PAIR_NONMATCH = 3            /* only reported by explain, never to the sink */
};

const char *pair_decision_name(enum pair_decision d);   /* "match", "review", "non-match" */

/* One decided pair, as the sink sees it. */
struct pair_result {
    uint32_t a, b;               /* record numbers, a < b */
    double weight;               /* total match weight (log2 Bayes factor, prior included) */
    double probability;          /* match probability from the weight */
    enum pair_decision decision;
    const char *rule;            /* the hard rule or override that decided, or NULL */
    const char *evidence_json;   /* per comparison: level, weight; a JSON array */
};

struct resolve_sink {
    void *ctx;
    /* Called from one thread, in a deterministic order; may be NULL. */
    enum cm_status (*on_pair)(void *ctx, const struct pair_result *p, char *err);
};

/* What a resolver is configured with. */
struct resolve_config {
    const json_t *match;         /* the config's "match" object, or NULL (defaults) */
    const char *where;           /* its JSON path for messages ("match") */
    const char *model_path;      /* trained parameters to load, or NULL: "match"."model"
                                    (as written), or train now */
    int threads;                 /* 0: one per core */
};

#define RESOLVER_OPS_VERSION 1

struct resolver_ops {
    int iVersion;                /* RESOLVER_OPS_VERSION when these slots are filled */
    const char *zName;           /* "exact", "fellegi_sunter" */
    /* A resolver for this configuration; a wrong "match" object is CM_ERR_CONFIG
     * naming its JSON path. */
    enum cm_status (*xNew)(const struct resolve_config *cfg, void **out, char *err);
    /* Records first .. first+count-1 of the store are new (may index them now). */
    enum cm_status (*xAdd)(void *r, const struct profile_store *s, uint32_t first,
                           uint32_t count, char *err);
    /* Decide every record's cluster: cluster_of has s->n entries. Pairs to the sink. */
    enum cm_status (*xResolve)(void *r, const struct profile_store *s, uint32_t *cluster_of,
                               const struct resolve_sink *sink, char *err);
    /* What happened, for the run summary and `resolve` (a new reference; may be NULL). */
    json_t *(*xReport)(void *r);
    void (*xFree)(void *r);
    /* After xResolve: why records a and b are (not) one customer, as lines a person can
     * read (each comparison's level and weight, the total, the decision, the clusters),
     * appended to out. */
    enum cm_status (*xExplain)(void *r, const struct profile_store *s, uint32_t a, uint32_t b,
                               const uint32_t *cluster_of, struct buf *out, char *err);
    /* After xResolve: the trained parameters as a model file `"match": {"model": FILE}`
     * loads (a new reference), or NULL for a resolver without any. */
    json_t *(*xModel)(void *r);
};

/* The resolver called name, or NULL. */
const struct resolver_ops *resolver_find(const char *name);

/* The resolver a "match" object asks for ("method"; default "fellegi_sunter"), or a
 * CM_ERR_CONFIG naming the unknown method. */
enum cm_status resolver_for(const json_t *match, const struct resolver_ops **out, char *err);

#endif
