/* snapshot.h — change detection against what the target already holds.
 *
 * Before a run reads its sources it loads, for those sources, every (source, key) the
 * target has with its content hash and whether it is live (connectors/pg/pg_publish.c
 * fills it). Each record read is then classified as it streams by:
 *   'n' new        — the target has no such key: stage it whole
 *   'c' changed    — its content hash differs, or it was deleted: stage it whole
 *   'u' unchanged  — same hash, live: stage only its key (no canonical JSON)
 *   'd' duplicate  — its key already came by in this run: stage it whole; the
 *                    loader tells the repeats apart and classifies them again
 * Memory: the interned keys plus 9 bytes per key. */
#ifndef CM_SNAPSHOT_H
#define CM_SNAPSHOT_H

#include <stdint.h>
#include "pipeline/keymap.h"
#include "pipeline/status.h"

struct snapshot {
    struct keymap keys;          /* "source\0key" */
    uint64_t *hash;              /* per entry; content hash in the target */
    unsigned char *flags;        /* per entry: SNAP_IN_TARGET, SNAP_LIVE, SNAP_SEEN */
    size_t cap;
    struct buf scratch;
};

#define SNAP_IN_TARGET 1
#define SNAP_LIVE      2
#define SNAP_SEEN      4         /* read in this run */

#define SNAPSHOT_INIT { KEYMAP_INIT, NULL, NULL, 0, BUF_INIT(0) }

/* Record what the target holds for one key (while loading). */
enum cm_status snapshot_add(struct snapshot *s, const char *source, const char *key,
                            uint64_t hash, int live);
/* Classify a record read in this run (see above); *state gets 'n', 'c', 'u' or 'd'. */
enum cm_status snapshot_classify(struct snapshot *s, const char *source, const char *key,
                                 uint64_t hash, char *state);
/* 1 when (source, key) came by in this run (classified, or reported deleted). */
int snapshot_seen(struct snapshot *s, const char *source, const char *key);
void snapshot_free(struct snapshot *s);

#endif
