/* compare.h — the matcher's comparisons: for two match profiles, one graded level per
 * field (exact, exact after folding, nickname, Jaro–Winkler bands, phonetic, ...,
 * different, missing on either side). The scorer (score.h) turns levels into weights.
 *
 * Level 0 of every comparison is "missing": a field empty on either side says nothing
 * (weight 0). Level 1 is the strongest agreement, the last level "different"; the
 * levels between are ordered from stronger to weaker agreement and the first that
 * holds is taken.
 *
 * Reads the profile store only (thread-safe: any number of threads may compare). */
#ifndef CM_COMPARE_H
#define CM_COMPARE_H

#include <stdint.h>
#include "transforms/resolve.h"

enum cmp_field {
    CMP_GIVEN, CMP_FAMILY, CMP_BIRTH, CMP_HOUSE, CMP_STREET, CMP_EXTRA, CMP_CITY,
    CMP_POSTAL, CMP_REGION, CMP_EMAIL, CMP_PHONE, CMP_COMPANY, CMP_SUFFIX,
    CMP_COUNT
};

#define CMP_MAX_LEVELS 12

struct cmp_def {
    const char *name;            /* "given_name": in config, model files and evidence */
    int nlevels;
    const char *level[CMP_MAX_LEVELS];
    int tf_level;                /* the level whose weight is adjusted by term frequency
                                    (the shared value's frequency), or -1 */
};

extern const struct cmp_def cmp_defs[CMP_COUNT];

/* Level numbers of the comparisons whose levels others refer to by meaning. */
enum { LV_MISSING = 0, LV_EXACT = 1 };
enum { GIVEN_EXACT = 1, GIVEN_CANON, GIVEN_JW_HIGH, GIVEN_JW_MID, GIVEN_PHONETIC,
       GIVEN_INITIAL, GIVEN_SWAPPED, GIVEN_HALF_SWAPPED, GIVEN_PART, GIVEN_DIFFERENT };
enum { FAMILY_EXACT = 1, FAMILY_JW_HIGH, FAMILY_JW_MID, FAMILY_PART, FAMILY_PHONETIC,
       FAMILY_SWAPPED, FAMILY_HALF_SWAPPED, FAMILY_DIFFERENT };
enum { BIRTH_EXACT = 1, BIRTH_SWAP_DM, BIRTH_ONE_PART, BIRTH_SLIP, BIRTH_DIFFERENT };
enum { EMAIL_EXACT = 1, EMAIL_ROLE, EMAIL_LOCAL, EMAIL_JW, EMAIL_DIFFERENT };
enum { SUFFIX_SAME = 1, SUFFIX_ONE_SIDE, SUFFIX_DIFFERENT };

/* Which comparisons count, by field name; the others always give "missing". */
struct compare_options {
    uint32_t enabled;            /* bit per enum cmp_field */
};

/* The levels of the pair (a, b) into level[CMP_COUNT]. tf_value, if not NULL, gets for
 * each comparison at its tf_level the shared value (a string id, or a phone number),
 * else 0. */
void compare_pair(const struct profile_store *s, const struct compare_options *o,
                  uint32_t a, uint32_t b, uint8_t level[CMP_COUNT], uint64_t tf_value[CMP_COUNT]);

/* tf_value as compare_pair gives it, for levels already known (from cmp_pack): cheap,
 * no string similarity. */
void compare_tf_values(const struct profile_store *s, uint32_t a, uint32_t b,
                       const uint8_t level[CMP_COUNT], uint64_t tf_value[CMP_COUNT]);

/* The field a comparison is called in config ("given_name"), or -1. */
int cmp_find(const char *name);

/* Levels packed 4 bits each (CMP_COUNT <= 16): one code per agreement pattern. */
static inline uint64_t cmp_pack(const uint8_t level[CMP_COUNT])
{
    uint64_t code = 0;
    for (int i = 0; i < CMP_COUNT; i++)
        code |= (uint64_t)level[i] << (4 * i);
    return code;
}

static inline int cmp_level_of(uint64_t code, int field)
{
    return (int)((code >> (4 * field)) & 0xF);
}

#endif
