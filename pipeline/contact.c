/* contact.c — the canonical contact's JSON form (see contact.h). Hand-written writer:
 * one pass, no allocation per field, so extraction stays fast. */
#include "pipeline/contact.h"

#include <jansson.h>
#include <string.h>
#include "pipeline/arena.h"

static const char *const phone_names[] = { "work", "mobile", "home", "fax", "other" };

const char *phone_type_name(enum phone_type t)
{
    if ((unsigned)t > PHONE_OTHER)
        return "other";
    return phone_names[t];
}

int phone_type_parse(const char *name, enum phone_type *out)
{
    for (int i = 0; i <= PHONE_OTHER; i++) {
        if (strcmp(name, phone_names[i]) == 0) {
            *out = (enum phone_type)i;
            return 0;
        }
    }
    return -1;
}

/* 1 for the bytes a JSON string must escape: controls, '"' and '\\' */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, ['\\'] = 1,
};

enum cm_status json_add_string(struct buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    enum cm_status rc = buf_grow(out, len + 2);
    if (rc)
        return rc;
    out->data[out->len++] = '"';
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!needs_escape[ch])
            continue;
        rc = buf_add(out, s + start, i - start);
        if (rc)
            return rc;
        char esc[7] = { '\\', 0 };
        size_t n = 2;
        switch (ch) {
        case '"':  esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[ch >> 4]; esc[5] = hex[ch & 15];
            n = 6;
        }
        rc = buf_add(out, esc, n);
        if (rc)
            return rc;
        start = i + 1;
    }
    rc = buf_add(out, s + start, len - start);
    if (rc)
        return rc;
    return buf_addch(out, '"');
}

static enum cm_status add_opt(struct buf *out, const char *s)
{
    if (!s)
        return buf_add(out, "null", 4);
    return json_add_string(out, s, strlen(s));
}

/* ,"key":value — no printf: this runs for every field of every record */
static enum cm_status add_key(struct buf *out, const char *key, const char *value)
{
    size_t n = strlen(key);
    enum cm_status rc = buf_grow(out, n + 4);
    if (rc)
        return rc;
    char *p = out->data + out->len;
    p[0] = ',';
    p[1] = '"';
    memcpy(p + 2, key, n);
    p[n + 2] = '"';
    p[n + 3] = ':';
    out->len += n + 4;
    out->data[out->len] = '\0';
    return add_opt(out, value);
}

static enum cm_status add_address(struct buf *out, const struct contact_address *a)
{
    enum cm_status rc = buf_addstr(out, "{\"type\":");
    if (!rc) rc = add_opt(out, a->type);
    if (!rc) rc = buf_addstr(out, ",\"lines\":[");
    for (int i = 0; !rc && i < a->nlines; i++) {
        if (i)
            rc = buf_addch(out, ',');
        if (!rc)
            rc = add_opt(out, a->lines[i]);
    }
    if (!rc) rc = buf_addch(out, ']');
    if (!rc) rc = add_key(out, "city", a->city);
    if (!rc) rc = add_key(out, "region", a->region);
    if (!rc) rc = add_key(out, "postal_code", a->postal_code);
    if (!rc) rc = add_key(out, "country", a->country);
    if (!rc) rc = buf_addch(out, '}');
    return rc;
}

enum cm_status contact_to_json(const struct contact *c, struct buf *out)
{
    enum cm_status rc = buf_addstr(out, "{\"source\":");
    if (!rc) rc = add_opt(out, c->source);
    if (!rc) rc = add_key(out, "source_key", c->source_key);
    if (!rc) rc = buf_addstr(out, c->source_key_derived ? ",\"source_key_derived\":true"
                                                        : ",\"source_key_derived\":false");
    if (!rc) rc = add_key(out, "source_updated", c->source_updated);
    if (!rc) rc = add_key(out, "prefix", c->prefix);
    if (!rc) rc = add_key(out, "given_name", c->given_name);
    if (!rc) rc = add_key(out, "middle_name", c->middle_name);
    if (!rc) rc = add_key(out, "family_name", c->family_name);
    if (!rc) rc = add_key(out, "suffix", c->suffix);
    if (!rc) rc = add_key(out, "full_name", c->full_name);
    if (!rc) rc = add_key(out, "company", c->company);
    if (!rc) rc = add_key(out, "department", c->department);
    if (!rc) rc = add_key(out, "title", c->title);

    if (!rc) rc = buf_addstr(out, ",\"emails\":[");
    for (size_t i = 0; !rc && i < c->nemails; i++) {
        if (i)
            rc = buf_addch(out, ',');
        if (!rc)
            rc = add_opt(out, c->emails[i]);
    }
    if (!rc) rc = buf_addstr(out, "],\"phones\":[");
    for (size_t i = 0; !rc && i < c->nphones; i++) {
        rc = buf_addstr(out, i ? ",{\"type\":" : "{\"type\":");
        if (!rc) rc = add_opt(out, phone_type_name(c->phones[i].type));
        if (!rc) rc = add_key(out, "number", c->phones[i].number);
        if (!rc) rc = buf_addch(out, '}');
    }
    if (!rc) rc = buf_addstr(out, "],\"addresses\":[");
    for (size_t i = 0; !rc && i < c->naddresses; i++) {
        if (i)
            rc = buf_addch(out, ',');
        if (!rc)
            rc = add_address(out, &c->addresses[i]);
    }
    if (!rc) rc = buf_addch(out, ']');
    if (!rc) rc = add_key(out, "created", c->created);
    if (!rc) rc = add_key(out, "birth_date", c->birth_date);
    if (!rc) rc = add_key(out, "status", c->status);
    if (!rc) rc = buf_addstr(out, ",\"extra\":{");
    for (size_t i = 0; !rc && i < c->nextra; i++) {
        if (i)
            rc = buf_addch(out, ',');
        if (!rc) rc = add_opt(out, c->extra[i].name);
        if (!rc) rc = buf_addch(out, ':');
        if (!rc) rc = add_opt(out, c->extra[i].value);
    }
    if (!rc) rc = buf_addstr(out, "}}");
    return rc;
}

/* ---- reading the JSON form back ------------------------------------------------ */

/* A copy of the JSON string v in the arena; NULL when v is not a string. */
static const char *copy_string(struct arena *a, json_t *v, int *oom)
{
    if (!json_is_string(v))
        return NULL;
    char *s = arena_strndup(a, json_string_value(v), json_string_length(v));
    if (!s)
        *oom = 1;
    return s;
}

static const char *take(struct arena *a, json_t *obj, const char *key, int *oom)
{
    return copy_string(a, json_object_get(obj, key), oom);
}

static void take_address(struct arena *a, json_t *o, struct contact_address *addr, int *oom)
{
    addr->type = take(a, o, "type", oom);
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(o, "lines"), i, line) {
        if (addr->nlines < CONTACT_MAX_LINES && json_is_string(line))
            addr->lines[addr->nlines++] = copy_string(a, line, oom);
    }
    addr->city = take(a, o, "city", oom);
    addr->region = take(a, o, "region", oom);
    addr->postal_code = take(a, o, "postal_code", oom);
    addr->country = take(a, o, "country", oom);
}

enum cm_status contact_from_json(const char *json, size_t len, struct arena *arena,
                                 struct contact *c, char *err)
{
    memset(c, 0, sizeof *c);
    json_error_t jerr;
    json_t *o = json_loadb(json, len, 0, &jerr);
    if (!o)
        return cm_fail(err, CM_ERR_INPUT, "canonical contact: %s", jerr.text);
    if (!json_is_object(o)) {
        json_decref(o);
        return cm_fail(err, CM_ERR_INPUT, "canonical contact: not a JSON object");
    }
    int oom = 0;
    c->source = take(arena, o, "source", &oom);
    c->source_key = take(arena, o, "source_key", &oom);
    c->source_key_derived = json_is_true(json_object_get(o, "source_key_derived"));
    c->source_updated = take(arena, o, "source_updated", &oom);
    c->prefix = take(arena, o, "prefix", &oom);
    c->given_name = take(arena, o, "given_name", &oom);
    c->middle_name = take(arena, o, "middle_name", &oom);
    c->family_name = take(arena, o, "family_name", &oom);
    c->suffix = take(arena, o, "suffix", &oom);
    c->full_name = take(arena, o, "full_name", &oom);
    c->company = take(arena, o, "company", &oom);
    c->department = take(arena, o, "department", &oom);
    c->title = take(arena, o, "title", &oom);
    c->created = take(arena, o, "created", &oom);
    c->birth_date = take(arena, o, "birth_date", &oom);
    c->status = take(arena, o, "status", &oom);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "emails"), i, v) {
        if (c->nemails < CONTACT_MAX_EMAILS && json_is_string(v))
            c->emails[c->nemails++] = copy_string(arena, v, &oom);
    }
    json_array_foreach(json_object_get(o, "phones"), i, v) {
        if (c->nphones >= CONTACT_MAX_PHONES)
            break;
        struct contact_phone *ph = &c->phones[c->nphones];
        ph->number = take(arena, v, "number", &oom);
        json_t *type = json_object_get(v, "type");
        if (!json_is_string(type) || phone_type_parse(json_string_value(type), &ph->type))
            ph->type = PHONE_OTHER;
        if (ph->number)
            c->nphones++;
    }
    json_array_foreach(json_object_get(o, "addresses"), i, v) {
        if (c->naddresses < CONTACT_MAX_ADDRESSES && json_is_object(v))
            take_address(arena, v, &c->addresses[c->naddresses++], &oom);
    }
    json_t *extra = json_object_get(o, "extra");
    size_t n = json_is_object(extra) ? json_object_size(extra) : 0;
    if (n) {
        c->extra = arena_calloc(arena, n * sizeof *c->extra);
        if (!c->extra)
            oom = 1;
        const char *key;
        json_object_foreach(extra, key, v) {
            if (!c->extra || !json_is_string(v))
                continue;
            struct contact_field *f = &c->extra[c->nextra++];
            f->name = arena_strdup(arena, key);
            f->value = copy_string(arena, v, &oom);
            if (!f->name || !f->value)
                oom = 1;
        }
    }
    json_decref(o);
    if (oom)
        return cm_fail(err, CM_ERR_NOMEM, "canonical contact: out of memory");
    if (!c->source_key)
        return cm_fail(err, CM_ERR_INPUT, "canonical contact: no source_key");
    return CM_OK;
}
