/* mapped.h — a connector and a layout for a unit test: records read and mapped to the
 * canonical contact one at a time, as extract does (built on reader.h).
 *
 *   struct mapped x;
 *   CHECK_INT(mapped_open(&x, &csv_connector, "schemas/outlook.json", path), CM_OK);
 *   while (mapped_next(&x) == CONN_RECORD) ... x.c ... contact_extra(&x.c, "Notes") ...
 *   mapped_close(&x);
 *
 * On a failed open x.err says why; mapped_close is still safe. */
#ifndef CM_TEST_MAPPED_H
#define CM_TEST_MAPPED_H

#include <string.h>
#include "pipeline/arena.h"
#include "pipeline/contact.h"
#include "tests/unit/reader.h"
#include "transforms/mapping.h"

struct mapped {
    struct reader r;
    struct mapping *m;
    struct arena a;
    struct raw_record rec;
    struct contact c;
    char err[CM_ERRBUF];
};

/* The source is named after the connector ("csv", "vcard"). */
static inline enum cm_status mapped_open(struct mapped *x, const struct connector *conn,
                                         const char *layout, const char *path)
{
    memset(x, 0, sizeof *x);
    enum cm_status rc = mapping_load(layout, &x->m, x->err);
    if (rc)
        return rc;
    rc = reader_open(&x->r, conn, conn->name, path, NULL);
    if (rc)
        snprintf(x->err, sizeof x->err, "%s", x->r.err);
    return rc;
}

/* The next record, mapped; CONN_REJECT also when the mapping refuses it (x->err). */
static inline enum conn_next mapped_next(struct mapped *x)
{
    struct reject rej;
    enum conn_next n = reader_next(&x->r, &x->rec, &rej);
    if (n != CONN_RECORD)
        return n;
    arena_reset(&x->a);
    if (mapping_apply(x->m, x->r.src.name, &x->rec, &x->a, &x->c, x->err) != CM_OK)
        return CONN_REJECT;
    return CONN_RECORD;
}

static inline void mapped_close(struct mapped *x)
{
    reader_close(&x->r);
    mapping_free(x->m);
    arena_free(&x->a);
}

/* The value of the contact's extra field `name`, or NULL. */
static inline const char *contact_extra(const struct contact *c, const char *name)
{
    for (size_t i = 0; i < c->nextra; i++) {
        if (strcmp(c->extra[i].name, name) == 0)
            return c->extra[i].value;
    }
    return NULL;
}

#endif
