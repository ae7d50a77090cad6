/* explain.c — why two records are (not) one customer (see explain.h). */
#include "pipeline/explain.h"

#include <stdio.h>
#include <string.h>

enum cm_status explain_split(const char *arg, char *source_out, size_t cap, const char **key,
                             char *err)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        return cm_fail(err, CM_ERR_USAGE, "'%s': name a record as SOURCE:KEY (the source's "
                       "name, a colon, its source key)", arg);
    size_t n = (size_t)(colon - arg);
    if (n >= cap)
        return cm_fail(err, CM_ERR_USAGE, "'%s': source name too long", arg);
    memcpy(source_out, arg, n);
    source_out[n] = '\0';
    *key = colon + 1;
    return CM_OK;
}

enum cm_status explain_find(const struct resolve_run *rr, const char *arg, uint32_t *rec,
                            char *err)
{
    char source[256];
    const char *key;
    enum cm_status rc = explain_split(arg, source, sizeof source, &key, err);
    if (rc)
        return rc;
    *rec = resolve_run_find(rr, source, key);
    if (*rec != UINT32_MAX)
        return CM_OK;
    const struct profile_store *s = &rr->store;
    size_t known = s->nsources;
    for (size_t i = 0; i < s->nsources; i++) {
        if (strcmp(s->sources[i], source) == 0)
            known = i;
    }
    char list[CM_ERRBUF / 2] = "";
    size_t len = 0;
    for (size_t i = 0; i < s->nsources && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                s->sources[i]);
    if (known < s->nsources)
        return cm_fail(err, CM_ERR_CONFIG, "%s: source %s has no record with key \"%s\" "
                       "(sources: %s)", arg, source, key, list);
    return cm_fail(err, CM_ERR_CONFIG, "%s: no source called %s (sources: %s)", arg, source,
                   list[0] ? list : "none");
}

/* ---- the two records ----------------------------------------------------------------- */

/* The rows shown: the profile's fields in the words of the comparisons. */
enum field {
    F_GIVEN, F_FAMILY, F_SUFFIX, F_EMAIL, F_PHONE, F_STREET, F_HOUSE, F_EXTRA, F_POSTAL,
    F_CITY, F_REGION, F_COUNTRY, F_COMPANY, F_BIRTH, F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "given_name", "family_name", "suffix", "email", "phone", "street", "house_number",
    "address_extra", "postal_code", "city", "region", "country", "company", "birth_date"
};

/* Field f of record rec as words into out ("" when the record has none). */
static enum cm_status field_text(const struct profile_store *s, uint32_t rec, int f,
                                 struct buf *out)
{
    const struct normaliser *n = s->norm;
    const struct match_profile *p = &s->profile[rec];
    enum cm_status rc = CM_OK;
    buf_reset(out);
    switch (f) {
    case F_GIVEN: {
        /* nicknames: the canonical names compared beside it, "bob (robert)" */
        int shown = 0;
        rc = buf_addstr(out, profile_text(n, p->given));
        for (int i = 0; !rc && i < PROFILE_CANON && p->given_canon[i]; i++) {
            if (p->given_canon[i] != p->given)
                rc = buf_printf(out, "%s%s", shown++ ? ", " : " (",
                                profile_text(n, p->given_canon[i]));
        }
        if (!rc && shown)
            rc = buf_addch(out, ')');
        break;
    }
    case F_FAMILY:  rc = buf_addstr(out, profile_text(n, p->family)); break;
    case F_SUFFIX:  rc = buf_addstr(out, profile_text(n, p->suffix)); break;
    case F_EMAIL:
        for (int i = 0; !rc && i < PROFILE_EMAILS && p->email[i]; i++)
            rc = buf_printf(out, "%s%s%s", i ? ", " : "", profile_text(n, p->email[i]),
                            p->email_flags[i] & PEMAIL_ROLE ? " (role)" : "");
        break;
    case F_PHONE:
        for (int i = 0; !rc && i < PROFILE_PHONES && p->phone[i]; i++)
            rc = buf_printf(out, "%s+%llu", i ? ", " : "", (unsigned long long)p->phone[i]);
        break;
    case F_STREET:  rc = buf_addstr(out, profile_text(n, p->street)); break;
    case F_HOUSE:   rc = buf_addstr(out, profile_text(n, p->house_number)); break;
    case F_EXTRA:   rc = buf_addstr(out, profile_text(n, p->address_extra)); break;
    case F_POSTAL:  rc = buf_addstr(out, profile_text(n, p->postal_code)); break;
    case F_CITY:    rc = buf_addstr(out, profile_text(n, p->city)); break;
    case F_REGION:  rc = buf_addstr(out, profile_text(n, p->region)); break;
    case F_COUNTRY:
        if (p->country[0])
            rc = buf_printf(out, "%c%c", p->country[0], p->country[1]);
        break;
    case F_COMPANY:
        rc = buf_addstr(out, profile_text(n, p->company));
        if (!rc && p->company && p->legal_form)
            rc = buf_printf(out, " (%s)", profile_text(n, p->legal_form));
        break;
    case F_BIRTH:
        if (p->birth_date) {
            unsigned y = p->birth_date / 10000, m = p->birth_date / 100 % 100,
                     d = p->birth_date % 100;
            rc = buf_printf(out, "%04u", y);
            if (!rc && m) rc = buf_printf(out, "-%02u", m);
            if (!rc && d) rc = buf_printf(out, "-%02u", d);
        }
        break;
    }
    if (!rc && !out->data)
        rc = buf_addstr(out, "");
    return rc;
}

/* Characters, not bytes, for lining up columns of UTF-8. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static enum cm_status add_padded(struct buf *out, const char *s, size_t width)
{
    enum cm_status rc = buf_addstr(out, s);
    for (size_t w = text_width(s); !rc && w < width; w++)
        rc = buf_addch(out, ' ');
    return rc;
}

#define COLUMN_MIN 24
#define COLUMN_MAX 40

static enum cm_status records_side_by_side(const struct resolve_run *rr, uint32_t a, uint32_t b,
                                           const char *loc_a, const char *loc_b,
                                           struct buf *out)
{
    const struct profile_store *s = &rr->store;
    struct buf va = BUF_INIT(0), vb = BUF_INIT(0);
    enum cm_status rc = buf_printf(out, "record a: %s:%s%s%s\n", profile_store_source(s, a),
                                   profile_store_key(s, a), loc_a ? "  at " : "",
                                   loc_a ? loc_a : "");
    if (!rc) rc = buf_printf(out, "record b: %s:%s%s%s\n\n", profile_store_source(s, b),
                             profile_store_key(s, b), loc_b ? "  at " : "", loc_b ? loc_b : "");
    size_t width = COLUMN_MIN;
    for (int f = 0; !rc && f < F_COUNT; f++) {
        rc = field_text(s, a, f, &va);
        if (!rc && text_width(va.data) + 2 > width)
            width = text_width(va.data) + 2 > COLUMN_MAX ? COLUMN_MAX : text_width(va.data) + 2;
    }
    if (!rc) rc = add_padded(out, "", 16);
    if (!rc) rc = add_padded(out, "a", width);
    if (!rc) rc = buf_addstr(out, "b\n");
    for (int f = 0; !rc && f < F_COUNT; f++) {
        rc = field_text(s, a, f, &va);
        if (!rc) rc = field_text(s, b, f, &vb);
        if (rc || (!va.len && !vb.len))
            continue;            /* neither has it: nothing to compare */
        rc = add_padded(out, field_names[f], 16);
        if (!rc) rc = add_padded(out, va.len ? va.data : "-", width);
        if (!rc) rc = buf_printf(out, "%s\n", vb.len ? vb.data : "-");
    }
    buf_free(&va);
    buf_free(&vb);
    return rc;
}

enum cm_status explain_pair(const struct resolve_run *rr, uint32_t a, uint32_t b,
                            const char *loc_a, const char *loc_b, struct buf *out, char *err)
{
    enum cm_status rc = records_side_by_side(rr, a, b, loc_a, loc_b, out);
    if (!rc) rc = buf_printf(out, "\nresolver: %s\n", rr->ops->zName);
    if (rc)
        return cm_fail(err, rc, "out of memory");
    if (rr->ops->xExplain)
        return rr->ops->xExplain(rr->resolver, &rr->store, a, b, rr->cluster_of, out, err);
    if (strcmp(rr->ops->zName, "exact") == 0)
        rc = buf_addstr(out, "the exact resolver joins records by shared e-mail or source "
                             "key; no weights\n");
    else
        rc = buf_printf(out, "the %s resolver explains no pair; no weights\n",
                        rr->ops->zName);
    if (!rc)
        rc = buf_printf(out, "clusters: %s (%u and %u)\n",
                        rr->cluster_of[a] == rr->cluster_of[b] ? "same customer"
                                                               : "different customers",
                        rr->cluster_of[a], rr->cluster_of[b]);
    return rc ? cm_fail(err, rc, "out of memory") : CM_OK;
}
