/* extsort.h — an external sort of byte records by key, in bounded memory.
 *
 * Records (a key and a data part, both arbitrary bytes) are added one by one. They
 * collect in one in-memory chunk of at most `memory` bytes (records and their index
 * share it); a full chunk is sorted and written to a temporary file as a sorted run.
 * When adding is done, the runs are merged k ways (in several passes when there are
 * more runs than the merge memory can hold read buffers for) and read back in key
 * order. An input that fits in its chunk may stay in memory and never touch the disk.
 *
 * Order: keys compare as unsigned bytes (memcmp), a key that is a prefix of another
 * sorts first; equal keys keep the order they were added in (the sort is stable).
 *
 * Temporary file: one per sorter, created in $TMPDIR (else /tmp) as crmerge-sort-XXXXXX
 * and unlinked at once, so it never outlives the process, even a killed one; its
 * space is freed by extsort_free(). Runs are segments of that one file, so a sort
 * needs one file descriptor whatever the number of runs.
 *
 * Memory: the chunk (at most `memory` bytes, or one record when a single record is
 * larger), a 256 KiB write buffer while spilling, and during the merge one read
 * buffer per merged run out of the merge memory (at least 4 KiB each; a buffer grows
 * to hold one record larger than itself).
 *
 * Ownership: the sorter owns everything; pointers from extsort_next() stay valid
 * until the next call to extsort_next() or extsort_free(). */
#ifndef CM_EXTSORT_H
#define CM_EXTSORT_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/status.h"

struct extsort;

struct extsort_options {
    size_t memory;               /* bytes for the in-memory chunk; at least 4 KiB */
    const char *tmpdir;          /* NULL: $TMPDIR, else /tmp */
};

struct extsort_stats {
    unsigned long long records;  /* added */
    unsigned long long spilled;  /* bytes written to the temporary file (all passes) */
    size_t runs;                 /* sorted runs written by the chunk phase */
    size_t merge_passes;         /* intermediate passes before the final merge */
    int in_memory;               /* 1: kept in memory, no temporary file */
};

enum cm_status extsort_new(const struct extsort_options *opt, struct extsort **out,
                           char *err);

/* Add one record; the bytes are copied. */
enum cm_status extsort_add(struct extsort *s, const void *key, size_t klen,
                           const void *data, size_t dlen, char *err);

/* Adding is done. keep_limit: when nothing was spilled yet and the records take at
 * most keep_limit bytes, they are sorted and kept in memory; otherwise the last chunk
 * is written as a run and the chunk memory freed. */
enum cm_status extsort_seal(struct extsort *s, size_t keep_limit, char *err);

/* Bytes of memory the sorter holds now (the chunk; after extsort_seal, only a kept
 * chunk). */
size_t extsort_held(const struct extsort *s);

/* Prepare to read back, merging runs with at most merge_memory bytes of read buffers.
 * Called once, after extsort_seal. */
enum cm_status extsort_merge(struct extsort *s, size_t merge_memory, char *err);

/* The next record in key order: *key set, or *key == NULL at the end. */
enum cm_status extsort_next(struct extsort *s, const char **key, size_t *klen,
                            const char **data, size_t *dlen, char *err);

void extsort_get_stats(const struct extsort *s, struct extsort_stats *st);

/* Release memory and the temporary file; s may be NULL. */
void extsort_free(struct extsort *s);

/* LEB128 varints, for callers that pack records: put writes at most 10 bytes and
 * returns how many; get returns the bytes read, or 0 when p[0..n) holds no whole
 * varint. */
size_t extsort_put_varint(unsigned char *p, uint64_t v);
size_t extsort_get_varint(const unsigned char *p, size_t n, uint64_t *v);

#endif
