/* phone_queue.h — the phone numbers of a profile store waiting to be parsed.
 *
 * libphonenumber parses some 30,000 numbers a second on one core: for a million
 * records that is most of normalising. So the profile store queues each raw number
 * (with the country it is read in) while records are added; a background thread on
 * another core parses the queue as it grows, while extraction goes on; finishing stops
 * it and parses what is left on all cores, each distinct number once (separators
 * aside: "+49 30 1234567" and "+49-30-1234567" are one number).
 *
 * One producer (the thread adding records), one background worker, then the finishing
 * threads; the worker reads only entries the producer has published, and the results
 * are handed out in the order the numbers were queued. */
#ifndef CM_PHONE_QUEUE_H
#define CM_PHONE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "pipeline/status.h"
#include "transforms/normalise/phone.h"

struct phone_queue;

/* background: start a worker thread (on a machine of one core, pass 0). */
enum cm_status phone_queue_new(int background, struct phone_queue **out);
void phone_queue_free(struct phone_queue *q);

/* Queue raw (copied) for record rec, read in country (alpha-2 or NULL). CM_ERR_NOMEM
 * when it cannot be kept. */
enum cm_status phone_queue_add(struct phone_queue *q, uint32_t rec, const char *raw,
                               const char *country);

size_t phone_queue_count(const struct phone_queue *q);

typedef void phone_result_fn(void *ctx, uint32_t rec, const struct phone_norm *norm,
                             unsigned flags);

/* Stop the worker, parse what it has not, then call fn for every queued number in
 * queue order; the queue is empty afterwards. threads: for the rest (>= 1). */
enum cm_status phone_queue_finish(struct phone_queue *q, int threads, phone_result_fn *fn,
                                  void *ctx, char *err);

#endif
