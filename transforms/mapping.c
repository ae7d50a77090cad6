/* mapping.c — raw records to canonical contacts, driven by a layout file (see mapping.h;
 * the file format is documented in schemas/README.md).
 *
 * Loading turns the layout into "slots": one per source-column role (given_name, the
 * number of phones[0], line 2 of addresses[0], each key.from column), each with its
 * alias list, normalised for header matching. The first time a header is seen
 * (per names pointer and names_version) every slot is bound to a column index; from
 * then on mapping a record is an array walk with no header comparisons, and every
 * string it makes comes from the caller's per-record arena. */
#include "transforms/mapping.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>
#include "pipeline/config.h"
#include "pipeline/hash.h"
#include "transforms/dates.h"
#include "transforms/names.h"

/* ---- the loaded layout -------------------------------------------------------- */

enum field {
    F_PREFIX, F_GIVEN, F_MIDDLE, F_FAMILY, F_SUFFIX, F_FULL, F_COMPANY, F_DEPARTMENT,
    F_TITLE, F_STATUS, F_CREATED, F_UPDATED, F_BIRTH, NFIELDS
};

static const char *const field_names[NFIELDS] = {
    "prefix", "given_name", "middle_name", "family_name", "suffix", "full_name",
    "company", "department", "title", "status", "created", "source_updated", "birth_date"
};

/* key.derive parts beyond the canonical fields */
enum { DERIVE_EMAIL = NFIELDS, DERIVE_PHONE, MAX_DERIVE = 8 };

#define HEADER_KEY_MAX 256
#define DERIVED_KEY_SEED 0x63726d6b6579ULL    /* never change: derived keys would move */

struct slot {                    /* one source-column role */
    const char **aliases;        /* header keys (see header_key), first found wins */
    size_t naliases;
    const char *path;            /* "phones[0].extension", for messages */
};

/* phone_types / address_types: a type and the words in a type column that mean it,
 * in the layout's order (the first type with a matching word wins) */
struct type_words {
    const char *name;            /* "mobile", "home", ... */
    enum phone_type phone;       /* for phone_types */
    const char **words;          /* as written; compared ignoring ASCII case */
    size_t nwords;
};

struct type_list {
    struct type_words *types;
    size_t n;
};

struct email_rule {
    int from;                    /* slot indexes, -1 = none */
    int type_from;               /* only for skip_types: e-mails have no type */
    const char *split;           /* a cell holds several e-mails, or NULL */
    const char **skip;           /* type words that mean "not an e-mail" (Outlook EX) */
    size_t nskip;
};

struct phone_rule {
    enum phone_type type;        /* fixed, or when type_from says nothing known */
    int number, extension;       /* slot indexes, -1 = none */
    int type_from;
    const char *split;
};

#define MAX_JOIN 4                /* columns joined into one address line */

struct address_rule {
    const char *type;
    int type_from;               /* slot, -1 = none */
    int lines[CONTACT_MAX_LINES][MAX_JOIN];   /* per line its slots, joined by a space */
    int nparts[CONTACT_MAX_LINES];
    int nlines;
    int city, region, postal_code, country;
};

struct alternatives {            /* a detect entry: any of these header keys */
    const char **keys;
    size_t n;
};

struct binding {                 /* slots -> columns for one header */
    const char *const *names;
    unsigned version;
    size_t ncols;
    int valid;
    int *slot_col;               /* per slot: column index or -1 */
    unsigned char *unbound;      /* per column: 1 = no slot reads it (goes to extra) */
    const char **extra_name;     /* per column: its unique name in extra */
    struct arena arena;          /* all of the above */
};

struct mapping {
    struct arena arena;          /* everything loaded from the layout file */
    const char *name, *path;
    const char *connector;       /* the reader this layout is for (default "csv") */
    char default_country[3];     /* ISO alpha-2, or "" */
    enum date_order layout_date_order, date_order;
    int date_auto;               /* the source said "auto" and the pre-pass is to come */
    int split_full_name;
    long long bad_dates;         /* date values not understood (left in extra) */
    struct slot *slots;          /* malloc'd, grows while loading */
    size_t nslots, slots_alloc;
    int field_slot[NFIELDS];
    int *key_slots;
    size_t nkeys;
    int derive[MAX_DERIVE];
    size_t nderive;
    struct email_rule *emails;
    size_t nemails;
    struct type_list phone_types, address_types;
    struct phone_rule *phones;
    size_t nphones;
    struct address_rule *addresses;
    size_t naddresses;
    struct alternatives *required, *typical;
    size_t nrequired, ntypical;
    struct binding bind;
};

/* ---- text helpers ------------------------------------------------------------- */

/* Bytes of the white-space character at p (ASCII, NBSP, the Unicode spaces, line and
 * paragraph separators, BOM), or 0. */
static size_t space_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && (p[1] == 0xA0 || p[1] == 0x85))
        return 2;
    if (n < 3)
        return 0;
    if (p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] <= 0x8A || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
        return 3;
    if ((p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) ||
        (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) ||
        (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||
        (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF))
        return 3;
    return 0;
}

static size_t space_before(const unsigned char *end, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        if (space_at(end - k, k) == k)
            return k;
    }
    return 0;
}

static void trim(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t len = *n, k;
    while (len && (k = space_at(p, len)) != 0) {
        p += k;
        len -= k;
    }
    while (len && (k = space_before(p + len, len)) != 0)
        len -= k;
    *s = (const char *)p;
    *n = len;
}

static int is_white_cp(utf8proc_int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return cp == 0x85 || cp == 0xFEFF ||
           cp == 0x2028 || cp == 0x2029 || utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* Next code point of s[0..n); an invalid byte is returned as -(byte) - 1. */
static size_t next_cp(const char *s, size_t n, utf8proc_int32_t *cp)
{
    if ((unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                                          cp);
    if (k <= 0) {
        *cp = -(utf8proc_int32_t)(unsigned char)s[0] - 1;
        return 1;
    }
    return (size_t)k;
}

/* Append the lower case of cp (or the invalid byte it stands for) at out. */
static size_t put_lower(utf8proc_int32_t cp, char *out)
{
    if (cp < 0) {
        out[0] = (char)(-cp - 1);
        return 1;
    }
    if (cp < 0x80) {
        out[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        return 1;
    }
    return (size_t)utf8proc_encode_char(utf8proc_tolower(cp), (utf8proc_uint8_t *)out);
}

/* The header key of a column name: lower case, without '-', '.', '_' and white space,
 * so "E-mail" == "Email" == "E Mail" and "Phone Ext." == "phone ext". -1 if it does
 * not fit in HEADER_KEY_MAX. */
static int header_key(const char *s, char out[HEADER_KEY_MAX])
{
    size_t n = strlen(s), k = 0;
    while (n) {
        utf8proc_int32_t cp;
        size_t step = next_cp(s, n, &cp);
        s += step;
        n -= step;
        if (cp == '-' || cp == '.' || cp == '_' || (cp >= 0 && is_white_cp(cp)))
            continue;
        char enc[4];
        size_t m = put_lower(cp, enc);
        if (k + m >= HEADER_KEY_MAX)
            return -1;
        memcpy(out + k, enc, m);
        k += m;
    }
    out[k] = '\0';
    return (int)k;
}

/* Append s lower-cased with white-space runs collapsed to one space (the text of a
 * derived key). out needs 2 * strlen(s) bytes. Returns bytes written. */
static size_t key_text(const char *s, char *out)
{
    size_t n = strlen(s), k = 0;
    int pending_space = 0;
    while (n) {
        utf8proc_int32_t cp;
        size_t step = next_cp(s, n, &cp);
        s += step;
        n -= step;
        if (cp >= 0 && is_white_cp(cp)) {
            pending_space = k > 0;
            continue;
        }
        if (pending_space)
            out[k++] = ' ';
        pending_space = 0;
        k += put_lower(cp, out + k);
    }
    return k;
}

static size_t digits_only(const char *s, char *out)
{
    size_t k = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            out[k++] = *s;
    }
    return k;
}

/* Type words: "work,voice", "* Work Fax", "_$!<Mobile>!$_" are read as words, runs of
 * ASCII letters and digits (bytes of UTF-8 letters count as letters), compared
 * ignoring ASCII case. */
static int word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

static int is_one_word(const char *w)
{
    for (; *w; w++) {
        if (!word_byte((unsigned char)*w))
            return 0;
    }
    return 1;
}

/* text[0..n) holds one of words[0..nwords) as a whole word */
static int has_word(const char *text, size_t n, const char *const *words, size_t nwords)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !word_byte((unsigned char)text[i]))
            i++;
        size_t start = i;
        while (i < n && word_byte((unsigned char)text[i]))
            i++;
        for (size_t k = 0; k < nwords && i > start; k++) {
            if (strlen(words[k]) == i - start &&
                strncasecmp(text + start, words[k], i - start) == 0)
                return 1;
        }
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------ */


static const char *path_join(struct mapping *m, const char *base, const char *key)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s%s%s", base, *base ? "." : "", key);
    return arena_strdup(&m->arena, tmp);
}

static const char *path_index(struct mapping *m, const char *base, size_t i)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s[%zu]", base, i);
    return arena_strdup(&m->arena, tmp);
}

/* Keys of obj must be in allowed; keys starting with '_' are comments. */
static enum cm_status check_keys(json_t *obj, const char *path,
                                 const char *const *allowed, char *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = key[0] == '_';
        for (size_t i = 0; !ok && allowed[i]; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            return cm_fail(err, CM_ERR_CONFIG, "%s%s%s: unknown key", path,
                           *path ? "." : "", key);
    }
    return CM_OK;
}

static enum cm_status new_slot(struct mapping *m, const char *path, size_t naliases,
                               int *index)
{
    if (!path)
        return CM_ERR_NOMEM;
    if (m->nslots == m->slots_alloc) {
        size_t alloc = m->slots_alloc ? 2 * m->slots_alloc : 32;
        struct slot *s = realloc(m->slots, alloc * sizeof *s);
        if (!s)
            return CM_ERR_NOMEM;
        m->slots = s;
        m->slots_alloc = alloc;
    }
    struct slot *s = &m->slots[m->nslots];
    s->aliases = arena_alloc(&m->arena, (naliases ? naliases : 1) * sizeof *s->aliases);
    if (!s->aliases)
        return CM_ERR_NOMEM;
    s->naliases = 0;
    s->path = path;
    *index = (int)m->nslots++;
    return CM_OK;
}

/* The slot (or a later alias of the same slot) that already reads this column. */
static const char *alias_owner(const struct mapping *m, const char *key)
{
    for (size_t i = 0; i < m->nslots; i++) {
        for (size_t k = 0; k < m->slots[i].naliases; k++) {
            if (strcmp(m->slots[i].aliases[k], key) == 0)
                return m->slots[i].path;
        }
    }
    return NULL;
}

static enum cm_status add_alias(struct mapping *m, int slot, json_t *v, const char *path,
                                char *err)
{
    char key[HEADER_KEY_MAX];
    if (!path)
        return CM_ERR_NOMEM;
    if (!json_is_string(v) || header_key(json_string_value(v), key) <= 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be a column name (a non-empty string "
                       "of at most %d bytes)", path, HEADER_KEY_MAX - 1);
    const char *owner = alias_owner(m, key);
    if (owner)
        return cm_fail(err, CM_ERR_CONFIG, "%s: column \"%s\" is already read by %s",
                       path, json_string_value(v), owner);
    struct slot *s = &m->slots[slot];
    s->aliases[s->naliases] = arena_strdup(&m->arena, key);
    if (!s->aliases[s->naliases])
        return CM_ERR_NOMEM;
    s->naliases++;
    return CM_OK;
}

/* A column list: "Company" or ["ZIP Code", "Zip"] -> a new slot. */
static enum cm_status parse_columns(struct mapping *m, json_t *v, const char *path,
                                    int *slot, char *err)
{
    if (!path)
        return CM_ERR_NOMEM;
    if (json_is_string(v)) {
        enum cm_status rc = new_slot(m, path, 1, slot);
        return rc ? rc : add_alias(m, *slot, v, path, err);
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be a column name or a non-empty list "
                       "of column names, not %s", path, json_kind_name(v));
    enum cm_status rc = new_slot(m, path, json_array_size(v), slot);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        if (!rc)
            rc = add_alias(m, *slot, item, path_index(m, path, i), err);
    }
    return rc;
}

/* An optional column list: absent or null leaves *slot at -1. */
static enum cm_status parse_optional_columns(struct mapping *m, json_t *obj,
                                             const char *path, const char *key, int *slot,
                                             char *err)
{
    json_t *v = json_object_get(obj, key);
    *slot = -1;
    if (!v || json_is_null(v))
        return CM_OK;
    return parse_columns(m, v, path_join(m, path, key), slot, err);
}

/* A list; *n gets its size, checked against max. */
static enum cm_status get_list(json_t *root, const char *key, size_t max, json_t **out,
                               size_t *n, char *err)
{
    json_t *v = json_object_get(root, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return CM_OK;
    if (!json_is_array(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be a list, not %s", key, json_kind_name(v));
    if (max && json_array_size(v) > max)
        return cm_fail(err, CM_ERR_CONFIG, "%s: at most %zu entries (a contact holds no "
                       "more)", key, max);
    *out = v;
    *n = json_array_size(v);
    return CM_OK;
}

static int field_index(const char *name)
{
    for (int f = 0; f < NFIELDS; f++) {
        if (strcmp(name, field_names[f]) == 0)
            return f;
    }
    return -1;
}

static int is_date_field(int f)
{
    return f == F_CREATED || f == F_UPDATED || f == F_BIRTH;
}

/* fields.<canonical>: a column list, or { "from": columns, "date": true } */
static enum cm_status parse_field(struct mapping *m, int f, json_t *v, char *err)
{
    static const char *const keys[] = { "from", "date", NULL };
    const char *path = path_join(m, "fields", field_names[f]);
    if (!path)
        return CM_ERR_NOMEM;
    if (!json_is_object(v))
        return parse_columns(m, v, path, &m->field_slot[f], err);
    enum cm_status rc = check_keys(v, path, keys, err);
    if (rc)
        return rc;
    json_t *date = json_object_get(v, "date");
    if (date && !json_is_boolean(date))
        return cm_fail(err, CM_ERR_CONFIG, "%s.date: must be true or false, not %s", path,
                       json_kind_name(date));
    if (json_is_true(date) && !is_date_field(f))
        return cm_fail(err, CM_ERR_CONFIG, "%s.date: only created, source_updated and "
                       "birth_date hold dates", path);
    if (json_is_false(date) && is_date_field(f))
        return cm_fail(err, CM_ERR_CONFIG, "%s.date: %s always holds a date", path,
                       field_names[f]);
    json_t *from = json_object_get(v, "from");
    if (!from)
        return cm_fail(err, CM_ERR_CONFIG, "%s.from: missing", path);
    return parse_columns(m, from, path_join(m, path, "from"), &m->field_slot[f], err);
}

static enum cm_status parse_fields(struct mapping *m, json_t *root, char *err)
{
    json_t *fields = json_object_get(root, "fields");
    if (!fields)
        return CM_OK;
    if (!json_is_object(fields))
        return cm_fail(err, CM_ERR_CONFIG, "fields: must be an object, not %s",
                       json_kind_name(fields));
    const char *name;
    json_t *v;
    json_object_foreach(fields, name, v) {
        if (name[0] == '_')
            continue;
        int f = field_index(name);
        if (f < 0)
            return cm_fail(err, CM_ERR_CONFIG, "fields.%s: unknown canonical field", name);
        enum cm_status rc = parse_field(m, f, v, err);
        if (rc)
            return rc;
    }
    return CM_OK;
}

static enum cm_status parse_derive(struct mapping *m, json_t *derive, char *err)
{
    if (!derive) {
        static const int dflt[] = { F_GIVEN, F_FAMILY, F_COMPANY, DERIVE_EMAIL,
                                    DERIVE_PHONE };
        memcpy(m->derive, dflt, sizeof dflt);
        m->nderive = sizeof dflt / sizeof dflt[0];
        return CM_OK;
    }
    if (!json_is_array(derive) || json_array_size(derive) > MAX_DERIVE)
        return cm_fail(err, CM_ERR_CONFIG, "key.derive: must be a list of at most %d "
                       "parts", MAX_DERIVE);
    size_t i;
    json_t *item;
    json_array_foreach(derive, i, item) {
        const char *s = json_is_string(item) ? json_string_value(item) : "";
        int part = field_index(s);
        if (strcmp(s, "email") == 0)
            part = DERIVE_EMAIL;
        else if (strcmp(s, "phone") == 0)
            part = DERIVE_PHONE;
        if (part < 0)
            return cm_fail(err, CM_ERR_CONFIG, "key.derive[%zu]: must be a canonical field, "
                           "\"email\" or \"phone\"", i);
        m->derive[m->nderive++] = part;
    }
    return CM_OK;
}

static enum cm_status parse_key(struct mapping *m, json_t *root, char *err)
{
    static const char *const keys[] = { "from", "derive", NULL };
    json_t *key = json_object_get(root, "key");
    if (!key)
        return parse_derive(m, NULL, err);
    if (!json_is_object(key))
        return cm_fail(err, CM_ERR_CONFIG, "key: must be an object, not %s", json_kind_name(key));
    enum cm_status rc = check_keys(key, "key", keys, err);
    if (rc)
        return rc;
    json_t *from = json_object_get(key, "from");
    if (from && !json_is_array(from) && !json_is_string(from))
        return cm_fail(err, CM_ERR_CONFIG, "key.from: must be a column name or a list of "
                       "column names, not %s", json_kind_name(from));
    m->nkeys = json_is_array(from) ? json_array_size(from) : from ? 1 : 0;
    m->key_slots = arena_alloc(&m->arena, (m->nkeys + 1) * sizeof *m->key_slots);
    if (!m->key_slots)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < m->nkeys; i++) {
        /* each key column is a slot of its own: the first non-empty one is the key */
        const char *path = path_index(m, "key.from", i);
        json_t *column = json_is_array(from) ? json_array_get(from, i) : from;
        rc = new_slot(m, path, 1, &m->key_slots[i]);
        if (!rc)
            rc = add_alias(m, m->key_slots[i], column, path, err);
        if (rc)
            return rc;
    }
    return parse_derive(m, json_object_get(key, "derive"), err);
}

/* "split": a non-empty separator string, or absent */
static enum cm_status parse_split(struct mapping *m, json_t *v, const char *path,
                                  const char **out, char *err)
{
    json_t *split = json_object_get(v, "split");
    *out = NULL;
    if (!split || json_is_null(split))
        return CM_OK;
    if (!json_is_string(split) || json_string_length(split) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.split: must be a non-empty separator "
                       "such as \":::\"", path);
    *out = arena_strdup(&m->arena, json_string_value(split));
    return *out ? CM_OK : CM_ERR_NOMEM;
}

/* a non-empty list of non-empty strings, copied into the arena */
static enum cm_status parse_words(struct mapping *m, json_t *v, const char *path,
                                  const char ***out, size_t *n, char *err)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be a non-empty list of words",
                       path);
    *n = json_array_size(v);
    *out = arena_alloc(&m->arena, *n * sizeof **out);
    if (!*out)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < *n; i++) {
        json_t *w = json_array_get(v, i);
        if (!json_is_string(w) || json_string_length(w) == 0 ||
            !is_one_word(json_string_value(w)))
            return cm_fail(err, CM_ERR_CONFIG, "%s[%zu]: must be one word (letters and "
                           "digits)", path, i);
        (*out)[i] = arena_strdup(&m->arena, json_string_value(w));
        if (!(*out)[i])
            return CM_ERR_NOMEM;
    }
    return CM_OK;
}

/* emails[i]: a column list, or { "from", "split", "type_from", "skip_types" } */
static enum cm_status parse_email(struct mapping *m, json_t *v, const char *path,
                                  struct email_rule *e, char *err)
{
    static const char *const keys[] = { "from", "split", "type_from", "skip_types", NULL };
    e->type_from = -1;
    if (!path)
        return CM_ERR_NOMEM;
    if (!json_is_object(v))
        return parse_columns(m, v, path, &e->from, err);
    enum cm_status rc = check_keys(v, path, keys, err);
    if (rc)
        return rc;
    json_t *from = json_object_get(v, "from");
    if (!from)
        return cm_fail(err, CM_ERR_CONFIG, "%s.from: missing", path);
    rc = parse_columns(m, from, path_join(m, path, "from"), &e->from, err);
    if (!rc)
        rc = parse_split(m, v, path, &e->split, err);
    if (!rc)
        rc = parse_optional_columns(m, v, path, "type_from", &e->type_from, err);
    if (rc)
        return rc;
    json_t *skip = json_object_get(v, "skip_types");
    if ((skip != NULL) != (e->type_from >= 0))
        return cm_fail(err, CM_ERR_CONFIG, "%s: type_from and skip_types go together "
                       "(an e-mail has no type; its type column only says when the value "
                       "is not an e-mail)", path);
    return skip ? parse_words(m, skip, path_join(m, path, "skip_types"), &e->skip,
                              &e->nskip, err)
                : CM_OK;
}

static enum cm_status parse_emails(struct mapping *m, json_t *root, char *err)
{
    json_t *list;
    enum cm_status rc = get_list(root, "emails", CONTACT_MAX_EMAILS, &list, &m->nemails, err);
    if (rc || !list)
        return rc;
    m->emails = arena_calloc(&m->arena, m->nemails * sizeof *m->emails);
    if (!m->emails)
        return CM_ERR_NOMEM;
    for (size_t i = 0; !rc && i < m->nemails; i++)
        rc = parse_email(m, json_array_get(list, i), path_index(m, "emails", i),
                         &m->emails[i], err);
    return rc;
}

/* phone_types / address_types: { "<type>": ["word", ...], ... } in priority order */
static enum cm_status parse_type_list(struct mapping *m, json_t *root, const char *key,
                                      int phone, struct type_list *out, char *err)
{
    json_t *obj = json_object_get(root, key);
    if (!obj || json_is_null(obj))
        return CM_OK;
    if (!json_is_object(obj) || json_object_size(obj) == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object of types and the words "
                       "that mean them, such as { \"mobile\": [\"cell\", \"mobile\"] }",
                       key);
    out->types = arena_calloc(&m->arena, json_object_size(obj) * sizeof *out->types);
    if (!out->types)
        return CM_ERR_NOMEM;
    const char *name;
    json_t *words;
    json_object_foreach(obj, name, words) {
        if (name[0] == '_')
            continue;
        struct type_words *t = &out->types[out->n];
        const char *path = path_join(m, key, name);
        if (!path)
            return CM_ERR_NOMEM;
        if (phone && phone_type_parse(name, &t->phone) != 0)
            return cm_fail(err, CM_ERR_CONFIG, "%s: must be \"work\", \"mobile\", "
                           "\"home\", \"fax\" or \"other\"", path);
        t->name = arena_strdup(&m->arena, name);
        if (!t->name)
            return CM_ERR_NOMEM;
        enum cm_status rc = parse_words(m, words, path, &t->words, &t->nwords, err);
        if (rc)
            return rc;
        out->n++;
    }
    return CM_OK;
}

/* a rule's type_from needs the layout's list of type words */
static enum cm_status check_type_from(const char *path, int type_from,
                                      const struct type_list *types, const char *key,
                                      char *err)
{
    if (type_from >= 0 && types->n == 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.type_from: needs the layout's %s (which "
                       "words of the type column mean which type)", path, key);
    return CM_OK;
}

static enum cm_status parse_phone(struct mapping *m, json_t *v, const char *path,
                                  struct phone_rule *p, char *err)
{
    static const char *const keys[] = { "type", "from", "extension", "type_from", "split",
                                        NULL };
    if (!path)
        return CM_ERR_NOMEM;
    if (!json_is_object(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object, not %s", path,
                       json_kind_name(v));
    enum cm_status rc = check_keys(v, path, keys, err);
    if (rc)
        return rc;
    json_t *type = json_object_get(v, "type");
    int typed_by_column = json_object_get(v, "type_from") != NULL;
    p->type = PHONE_OTHER;
    if ((type || !typed_by_column) &&
        (!json_is_string(type) || phone_type_parse(json_string_value(type), &p->type) != 0))
        return cm_fail(err, CM_ERR_CONFIG, "%s.type: must be \"work\", \"mobile\", "
                       "\"home\", \"fax\" or \"other\"", path);
    json_t *from = json_object_get(v, "from");
    if (!from)
        return cm_fail(err, CM_ERR_CONFIG, "%s.from: missing", path);
    rc = parse_columns(m, from, path_join(m, path, "from"), &p->number, err);
    if (!rc)
        rc = parse_optional_columns(m, v, path, "extension", &p->extension, err);
    if (!rc)
        rc = parse_optional_columns(m, v, path, "type_from", &p->type_from, err);
    if (!rc)
        rc = check_type_from(path, p->type_from, &m->phone_types, "phone_types", err);
    if (!rc)
        rc = parse_split(m, v, path, &p->split, err);
    if (!rc && p->split && p->extension >= 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s: split and extension do not go together "
                       "(which number would the extension belong to?)", path);
    return rc;
}

static enum cm_status parse_phones(struct mapping *m, json_t *root, char *err)
{
    json_t *list;
    enum cm_status rc = get_list(root, "phones", CONTACT_MAX_PHONES, &list, &m->nphones, err);
    if (rc || !list)
        return rc;
    m->phones = arena_calloc(&m->arena, m->nphones * sizeof *m->phones);
    if (!m->phones)
        return CM_ERR_NOMEM;
    for (size_t i = 0; !rc && i < m->nphones; i++)
        rc = parse_phone(m, json_array_get(list, i), path_index(m, "phones", i),
                         &m->phones[i], err);
    return rc;
}

/* lines[i]: a column list, or { "join": [column list, ...] } (at most MAX_JOIN) */
static enum cm_status parse_line(struct mapping *m, json_t *v, const char *path,
                                 struct address_rule *ad, char *err)
{
    static const char *const keys[] = { "join", NULL };
    int line = ad->nlines++;
    if (!path)
        return CM_ERR_NOMEM;
    if (!json_is_object(v)) {
        ad->nparts[line] = 1;
        return parse_columns(m, v, path, &ad->lines[line][0], err);
    }
    enum cm_status rc = check_keys(v, path, keys, err);
    if (rc)
        return rc;
    json_t *join = json_object_get(v, "join");
    if (!json_is_array(join) || json_array_size(join) < 1 ||
        json_array_size(join) > MAX_JOIN)
        return cm_fail(err, CM_ERR_CONFIG, "%s.join: must be a list of 1 to %d column lists "
                       "(their values make the line, joined by a space)", path, MAX_JOIN);
    const char *jpath = path_join(m, path, "join");
    for (size_t k = 0; !rc && k < json_array_size(join); k++)
        rc = parse_columns(m, json_array_get(join, k), path_index(m, jpath, k),
                           &ad->lines[line][ad->nparts[line]++], err);
    return rc;
}

static enum cm_status parse_lines(struct mapping *m, json_t *v, const char *path,
                                  struct address_rule *ad, char *err)
{
    json_t *lines = json_object_get(v, "lines");
    if (!lines || json_is_null(lines))
        return CM_OK;
    if (!json_is_array(lines) || json_array_size(lines) > CONTACT_MAX_LINES)
        return cm_fail(err, CM_ERR_CONFIG, "%s.lines: must be a list of at most %d column "
                       "lists", path, CONTACT_MAX_LINES);
    const char *lpath = path_join(m, path, "lines");
    enum cm_status rc = CM_OK;
    for (size_t i = 0; !rc && i < json_array_size(lines); i++)
        rc = parse_line(m, json_array_get(lines, i), path_index(m, lpath, i), ad, err);
    return rc;
}

static enum cm_status parse_address(struct mapping *m, json_t *v, const char *path,
                                    struct address_rule *ad, char *err)
{
    static const char *const keys[] = { "type", "type_from", "lines", "city", "region",
                                         "postal_code", "country", NULL };
    if (!path)
        return CM_ERR_NOMEM;
    if (!json_is_object(v))
        return cm_fail(err, CM_ERR_CONFIG, "%s: must be an object, not %s", path,
                       json_kind_name(v));
    enum cm_status rc = check_keys(v, path, keys, err);
    if (rc)
        return rc;
    json_t *type = json_object_get(v, "type");
    if (type && (!json_is_string(type) || json_string_length(type) == 0))
        return cm_fail(err, CM_ERR_CONFIG, "%s.type: must be a non-empty string such as "
                       "\"work\" or \"home\"", path);
    ad->type = arena_strdup(&m->arena, type ? json_string_value(type) : "other");
    if (!ad->type)
        return CM_ERR_NOMEM;
    rc = parse_optional_columns(m, v, path, "type_from", &ad->type_from, err);
    if (!rc)
        rc = check_type_from(path, ad->type_from, &m->address_types, "address_types", err);
    if (rc)
        return rc;
    size_t before = m->nslots;
    rc = parse_lines(m, v, path, ad, err);
    if (!rc) rc = parse_optional_columns(m, v, path, "city", &ad->city, err);
    if (!rc) rc = parse_optional_columns(m, v, path, "region", &ad->region, err);
    if (!rc) rc = parse_optional_columns(m, v, path, "postal_code", &ad->postal_code, err);
    if (!rc) rc = parse_optional_columns(m, v, path, "country", &ad->country, err);
    if (!rc && m->nslots == before)
        return cm_fail(err, CM_ERR_CONFIG, "%s: names no columns (lines, city, region, "
                       "postal_code or country)", path);
    return rc;
}

static enum cm_status parse_addresses(struct mapping *m, json_t *root, char *err)
{
    json_t *list;
    enum cm_status rc = get_list(root, "addresses", CONTACT_MAX_ADDRESSES, &list,
                                 &m->naddresses, err);
    if (rc || !list)
        return rc;
    m->addresses = arena_calloc(&m->arena, m->naddresses * sizeof *m->addresses);
    if (!m->addresses)
        return CM_ERR_NOMEM;
    for (size_t i = 0; !rc && i < m->naddresses; i++)
        rc = parse_address(m, json_array_get(list, i), path_index(m, "addresses", i),
                           &m->addresses[i], err);
    return rc;
}

/* detect.required / detect.typical: entries are a column name or a list of them */
static enum cm_status parse_alternatives(struct mapping *m, json_t *detect, const char *key,
                                         struct alternatives **out, size_t *n, char *err)
{
    json_t *list = json_object_get(detect, key);
    if (!list || json_is_null(list))
        return CM_OK;
    if (!json_is_array(list))
        return cm_fail(err, CM_ERR_CONFIG, "detect.%s: must be a list, not %s", key,
                       json_kind_name(list));
    *n = json_array_size(list);
    *out = arena_calloc(&m->arena, (*n ? *n : 1) * sizeof **out);
    if (!*out)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < *n; i++) {
        json_t *e = json_array_get(list, i);
        size_t count = json_is_array(e) ? json_array_size(e) : 1;
        struct alternatives *alt = &(*out)[i];
        alt->keys = arena_alloc(&m->arena, count * sizeof *alt->keys);
        if (!alt->keys)
            return CM_ERR_NOMEM;
        for (size_t k = 0; k < count; k++) {
            json_t *s = json_is_array(e) ? json_array_get(e, k) : e;
            char hk[HEADER_KEY_MAX];
            if (!json_is_string(s) || header_key(json_string_value(s), hk) <= 0)
                return cm_fail(err, CM_ERR_CONFIG, "detect.%s[%zu]: must be a column name "
                               "or a list of column names", key, i);
            alt->keys[alt->n] = arena_strdup(&m->arena, hk);
            if (!alt->keys[alt->n++])
                return CM_ERR_NOMEM;
        }
    }
    return CM_OK;
}

static enum cm_status parse_detect(struct mapping *m, json_t *root, char *err)
{
    static const char *const keys[] = { "required", "typical", NULL };
    json_t *detect = json_object_get(root, "detect");
    if (!detect)
        return CM_OK;
    if (!json_is_object(detect))
        return cm_fail(err, CM_ERR_CONFIG, "detect: must be an object, not %s",
                       json_kind_name(detect));
    enum cm_status rc = check_keys(detect, "detect", keys, err);
    if (!rc)
        rc = parse_alternatives(m, detect, "required", &m->required, &m->nrequired, err);
    if (!rc)
        rc = parse_alternatives(m, detect, "typical", &m->typical, &m->ntypical, err);
    return rc;
}

/* "layout" (default: the file name without .json), "connector" (default "csv"),
 * "date_order", "split_full_name" */
static enum cm_status parse_settings(struct mapping *m, json_t *root, char *err)
{
    json_t *name = json_object_get(root, "layout");
    json_t *conn = json_object_get(root, "connector");
    if (conn && (!json_is_string(conn) || json_string_length(conn) == 0))
        return cm_fail(err, CM_ERR_CONFIG, "connector: must be a non-empty string");
    m->connector = arena_strdup(&m->arena, conn ? json_string_value(conn) : "csv");
    if (!m->connector)
        return CM_ERR_NOMEM;
    json_t *desc = json_object_get(root, "description");
    json_t *order = json_object_get(root, "date_order");
    json_t *country = json_object_get(root, "default_country");
    if (country) {
        const char *cc = json_is_string(country) ? json_string_value(country) : "";
        if (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
            return cm_fail(err, CM_ERR_CONFIG, "default_country: must be an ISO 3166-1 "
                           "alpha-2 code in capitals, such as \"AU\"");
        memcpy(m->default_country, cc, 3);
    }
    json_t *split = json_object_get(root, "split_full_name");
    if (name && (!json_is_string(name) || json_string_length(name) == 0))
        return cm_fail(err, CM_ERR_CONFIG, "layout: must be a non-empty string");
    if (desc && !json_is_string(desc))
        return cm_fail(err, CM_ERR_CONFIG, "description: must be a string");
    if (order && (!json_is_string(order) ||
                  date_order_parse(json_string_value(order), &m->layout_date_order) != 0))
        return cm_fail(err, CM_ERR_CONFIG, "date_order: must be \"MDY\", \"DMY\" or \"YMD\"");
    if (split && !json_is_boolean(split))
        return cm_fail(err, CM_ERR_CONFIG, "split_full_name: must be true or false");
    m->date_order = m->layout_date_order;
    m->split_full_name = json_is_true(split);
    if (name) {
        m->name = arena_strdup(&m->arena, json_string_value(name));
    } else {
        const char *base = strrchr(m->path, '/');
        base = base ? base + 1 : m->path;
        size_t n = strlen(base);
        if (n > 5 && strcmp(base + n - 5, ".json") == 0)
            n -= 5;
        m->name = arena_strndup(&m->arena, base, n);
    }
    return m->name ? CM_OK : CM_ERR_NOMEM;
}

static enum cm_status parse_layout(struct mapping *m, json_t *root, char *err)
{
    static const char *const keys[] = { "layout", "connector", "description", "date_order",
                                        "default_country", "key",
                                        "fields", "split_full_name", "emails", "phones",
                                        "addresses", "phone_types", "address_types",
                                        "detect", "api", NULL };
    if (!json_is_object(root))
        return cm_fail(err, CM_ERR_CONFIG, "a layout must be a JSON object");
    for (int f = 0; f < NFIELDS; f++)
        m->field_slot[f] = -1;
    enum cm_status rc = check_keys(root, "", keys, err);
    if (!rc) rc = parse_settings(m, root, err);
    if (!rc) rc = parse_key(m, root, err);
    if (!rc) rc = parse_fields(m, root, err);
    if (!rc) rc = parse_emails(m, root, err);
    if (!rc) rc = parse_type_list(m, root, "phone_types", 1, &m->phone_types, err);
    if (!rc) rc = parse_type_list(m, root, "address_types", 0, &m->address_types, err);
    if (!rc) rc = parse_phones(m, root, err);
    if (!rc) rc = parse_addresses(m, root, err);
    if (!rc) rc = parse_detect(m, root, err);
    /* "api": the web-API description of an http preset; connectors/http.c reads it */
    if (!rc && json_object_get(root, "api") && !json_is_object(json_object_get(root, "api")))
        rc = cm_fail(err, CM_ERR_CONFIG, "api: must be an object");
    if (rc)
        return rc;
    if (m->split_full_name && m->field_slot[F_FULL] < 0)
        return cm_fail(err, CM_ERR_CONFIG, "split_full_name: needs fields.full_name");
    return CM_OK;
}

static int is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n >= 5 && strcmp(s + n - 5, ".json") == 0);
}

static enum cm_status read_layout(const char *name_or_path, char *path, size_t cap,
                                  json_t **root, char *err)
{
    int by_name = !is_path(name_or_path);
    if (by_name)
        snprintf(path, cap, "%s/%s.json", schemas_dir(), name_or_path);
    else
        snprintf(path, cap, "%s", name_or_path);
    FILE *f = fopen(path, "rb");
    if (!f && by_name && errno == ENOENT)
        return cm_fail(err, CM_ERR_CONFIG, "unknown layout \"%s\" (there is no %s)",
                       name_or_path, path);
    if (!f)
        return cm_fail(err, CM_ERR_IO, "%s: %s", path,
                       errno == ENOENT ? "file not found" : strerror(errno));
    json_error_t je;
    *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!*root)
        return cm_fail(err, CM_ERR_CONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return CM_OK;
}

enum cm_status mapping_load(const char *name_or_path, struct mapping **out, char *err)
{
    char path[PATH_MAX];
    json_t *root = NULL;
    *out = NULL;
    enum cm_status rc = read_layout(name_or_path, path, sizeof path, &root, err);
    if (rc)
        return rc;
    struct mapping *m = calloc(1, sizeof *m);
    if (!m) {
        json_decref(root);
        return cm_fail(err, CM_ERR_NOMEM, "%s: out of memory", path);
    }
    m->path = arena_strdup(&m->arena, path);
    char msg[CM_ERRBUF] = "out of memory";
    rc = m->path ? parse_layout(m, root, msg) : CM_ERR_NOMEM;
    json_decref(root);
    if (rc) {
        mapping_free(m);
        return cm_fail(err, rc, "%s: %s", path, msg);
    }
    *out = m;
    return CM_OK;
}

void mapping_free(struct mapping *m)
{
    if (!m)
        return;
    arena_free(&m->bind.arena);
    arena_free(&m->arena);
    free(m->slots);
    free(m);
}

const char *mapping_connector(const struct mapping *m)
{
    return m->connector;
}

const char *mapping_name(const struct mapping *m)
{
    return m->name;
}

const char *mapping_default_country(const struct mapping *m)
{
    return m->default_country[0] ? m->default_country : NULL;
}

long long mapping_bad_dates(const struct mapping *m)
{
    return m->bad_dates;
}

enum cm_status mapping_configure(struct mapping *m, const struct source *src, char *err)
{
    m->date_order = m->layout_date_order;
    m->date_auto = 0;
    if (!src)
        return CM_OK;
    const char *order = NULL;
    enum cm_status rc = source_opt_string(src, "date_order", NULL, &order, err);
    if (rc || !order)
        return rc;
    if (strcasecmp(order, "auto") == 0) {
        m->date_auto = 1;
        return CM_OK;
    }
    if (date_order_parse(order, &m->date_order) != 0)
        return cm_fail(err, CM_ERR_CONFIG, "%s.date_order: must be \"MDY\", \"DMY\", "
                       "\"YMD\" or \"auto\", not \"%s\"", src->where ? src->where : "source",
                       order);
    return CM_OK;
}

int mapping_date_auto(const struct mapping *m)
{
    return m->date_auto;
}

enum date_order mapping_date_order(const struct mapping *m)
{
    return m->date_order;
}

void mapping_set_date_order(struct mapping *m, enum date_order order)
{
    m->date_order = order;
    m->date_auto = 0;
    m->bind.valid = 0;
}

/* ---- binding a header --------------------------------------------------------- */

/* A unique name for column i in extra: its header name, "column N" when it has none,
 * "Name (2)" when an earlier column has the same name. Made-up names live in the
 * binding; map_extra copies them into the record's arena (see mapping.h). */
static const char *extra_name(struct binding *b, const struct raw_record *rec, size_t i)
{
    const char *name = rec->names[i] && rec->names[i][0] ? rec->names[i] : NULL;
    char tmp[64];
    if (!name) {
        snprintf(tmp, sizeof tmp, "column %zu", i + 1);
        name = tmp;
    }
    const char *out = name == rec->names[i] ? name : arena_strdup(&b->arena, name);
    for (int dup = 2; out; dup++) {
        size_t k = 0;
        while (k < i && strcmp(b->extra_name[k], out) != 0)
            k++;
        if (k == i)
            return out;
        size_t n = strlen(name) + 16;
        char *renamed = arena_alloc(&b->arena, n);
        if (renamed)
            snprintf(renamed, n, "%s (%d)", name, dup);
        out = renamed;
    }
    return NULL;
}

static int find_column(const char *const *keys, const unsigned char *unbound, size_t n,
                       const char *alias)
{
    for (size_t i = 0; i < n; i++) {
        if (unbound[i] && strcmp(keys[i], alias) == 0)
            return (int)i;
    }
    return -1;
}

static enum cm_status bind_columns(struct mapping *m, const struct raw_record *rec)
{
    struct binding *b = &m->bind;
    size_t n = rec->nfields;
    if (b->valid && b->names == rec->names && b->version == rec->names_version &&
        b->ncols == n)
        return CM_OK;
    b->valid = 0;
    arena_reset(&b->arena);
    const char **keys = arena_alloc(&b->arena, (n + 1) * sizeof *keys);
    b->extra_name = arena_alloc(&b->arena, (n + 1) * sizeof *b->extra_name);
    b->unbound = arena_alloc(&b->arena, n + 1);
    b->slot_col = arena_alloc(&b->arena, (m->nslots + 1) * sizeof *b->slot_col);
    if (!keys || !b->extra_name || !b->unbound || !b->slot_col)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char hk[HEADER_KEY_MAX];
        const char *name = rec->names[i] ? rec->names[i] : "";
        keys[i] = arena_strdup(&b->arena, header_key(name, hk) >= 0 ? hk : "");
        b->extra_name[i] = extra_name(b, rec, i);
        b->unbound[i] = 1;
        if (!keys[i] || !b->extra_name[i])
            return CM_ERR_NOMEM;
    }
    for (size_t s = 0; s < m->nslots; s++) {
        int col = -1;
        for (size_t k = 0; col < 0 && k < m->slots[s].naliases; k++)
            col = find_column(keys, b->unbound, n, m->slots[s].aliases[k]);
        b->slot_col[s] = col;
        if (col >= 0)
            b->unbound[col] = 0;
    }
    b->names = rec->names;
    b->version = rec->names_version;
    b->ncols = n;
    b->valid = 1;
    return CM_OK;
}

enum cm_status mapping_date_columns(struct mapping *m, const struct raw_record *rec,
                                    int cols[MAPPING_DATE_COLUMNS])
{
    static const int date_fields[MAPPING_DATE_COLUMNS] = { F_CREATED, F_UPDATED, F_BIRTH };
    for (size_t i = 0; i < MAPPING_DATE_COLUMNS; i++)
        cols[i] = -1;
    enum cm_status rc = bind_columns(m, rec);
    if (rc)
        return rc;
    for (size_t i = 0; i < MAPPING_DATE_COLUMNS; i++) {
        int slot = m->field_slot[date_fields[i]];
        if (slot >= 0)
            cols[i] = m->bind.slot_col[slot];
    }
    return CM_OK;
}

/* ---- mapping one record ------------------------------------------------------- */

struct ctx {
    const struct mapping *m;
    long long *bad_dates;        /* the mapping's count */
    const int *slot_col;
    const struct raw_record *rec;
    struct arena *a;
    unsigned char *to_extra;     /* per column: goes to extra */
    int oom;
};

/* s[0..n) as a NUL-terminated string: in place when it ends where the value ends. */
static const char *terminated(struct ctx *x, const char *s, size_t n, const char *value,
                              size_t value_len)
{
    if (s + n == value + value_len)
        return s;
    char *copy = arena_strndup(x->a, s, n);
    if (!copy)
        x->oom = 1;
    return copy;
}

static const char *raw_value(const struct ctx *x, int col, size_t *len)
{
    const char *v = x->rec->values ? x->rec->values[col] : NULL;
    if (v)
        *len = x->rec->lengths ? x->rec->lengths[col] : strlen(v);
    return v;
}

/* The trimmed value of column col, NULL when absent or empty; *len set when not NULL. */
static const char *cell(struct ctx *x, int col, size_t *len)
{
    size_t n = 0;
    const char *v = raw_value(x, col, &n);
    if (!v)
        return NULL;
    const char *s = v;
    size_t sn = n;
    trim(&s, &sn);
    if (sn == 0)
        return NULL;
    *len = sn;
    return terminated(x, s, sn, v, n);
}

static const char *slot_value(struct ctx *x, int slot, size_t *len)
{
    size_t ignored;
    if (slot < 0 || x->slot_col[slot] < 0)
        return NULL;
    return cell(x, x->slot_col[slot], len ? len : &ignored);
}

/* A date field's value as ISO 8601 (a birth date without a time, perhaps partial);
 * unparseable text stays in extra and is counted. */
static const char *as_date(struct ctx *x, int f, int slot, const char *v, size_t len)
{
    char iso[DATE_ISO_MAX];
    enum date_result r = f == F_BIRTH ? date_day_to_iso(v, len, x->m->date_order, iso)
                                      : date_to_iso(v, len, x->m->date_order, iso);
    switch (r) {
    case DATE_OK: {
        char *copy = arena_strdup(x->a, iso);
        if (!copy)
            x->oom = 1;
        return copy;
    }
    case DATE_EMPTY:
        return NULL;
    case DATE_BAD:
        break;
    }
    x->to_extra[x->slot_col[slot]] = 1;
    (*x->bad_dates)++;
    return NULL;
}

static void map_fields(struct ctx *x, struct contact *c)
{
    const char **dst[NFIELDS] = {
        &c->prefix, &c->given_name, &c->middle_name, &c->family_name, &c->suffix,
        &c->full_name, &c->company, &c->department, &c->title, &c->status, &c->created,
        &c->source_updated, &c->birth_date
    };
    for (int f = 0; f < NFIELDS; f++) {
        size_t len = 0;
        int slot = x->m->field_slot[f];
        const char *v = slot_value(x, slot, &len);
        if (v && is_date_field(f))
            v = as_date(x, f, slot, v, len);
        *dst[f] = v;
    }
}

static void split_name(struct ctx *x, struct contact *c)
{
    if (!x->m->split_full_name || !c->full_name || c->given_name || c->family_name)
        return;
    struct name_parts p;
    if (name_split(c->full_name, x->a, &p) != CM_OK) {
        x->oom = 1;
        return;
    }
    if (!c->prefix) c->prefix = p.prefix;
    if (!c->middle_name) c->middle_name = p.middle;
    if (!c->suffix) c->suffix = p.suffix;
    c->given_name = p.given;
    c->family_name = p.family;
}

static void keep_in_extra(struct ctx *x, int slot)
{
    if (slot >= 0 && x->slot_col[slot] >= 0)
        x->to_extra[x->slot_col[slot]] = 1;
}

/* The values of one cell: the whole value, or with a separator ("split") its pieces,
 * each trimmed, empty ones left out. */
struct pieces {
    const char *p, *end;         /* what is left of the value */
    const char *value;           /* the whole value, for terminated() */
    size_t value_len;
    const char *sep;             /* NULL: one piece */
    size_t seplen;
};

static void pieces_init(struct pieces *it, const char *v, size_t n, const char *sep)
{
    it->p = v;
    it->end = v + n;
    it->value = v;
    it->value_len = n;
    it->sep = sep;
    it->seplen = sep ? strlen(sep) : 0;
}

/* the next non-empty piece as it lies in the value (not NUL-terminated); 0 at the end */
static int piece_span(struct pieces *it, const char **s, size_t *n)
{
    while (it->p && it->p < it->end) {
        const char *start = it->p, *e = it->end;
        if (it->sep) {
            const char *hit = memmem(start, (size_t)(it->end - start), it->sep, it->seplen);
            if (hit)
                e = hit;
        }
        it->p = e < it->end ? e + it->seplen : NULL;
        *s = start;
        *n = (size_t)(e - start);
        trim(s, n);
        if (*n)
            return 1;
    }
    return 0;
}

/* the next non-empty piece, NUL-terminated; NULL at the end */
static const char *piece_next(struct ctx *x, struct pieces *it, size_t *len)
{
    const char *s;
    if (!piece_span(it, &s, len))
        return NULL;
    return terminated(x, s, *len, it->value, it->value_len);
}

static size_t piece_count(const char *v, size_t n, const char *sep)
{
    struct pieces it;
    const char *s;
    size_t count = 0, len;
    pieces_init(&it, v, n, sep);
    while (piece_span(&it, &s, &len))
        count++;
    return count;
}

/* An e-mail column, split if the rule says so; skip_types in its type column mean the
 * value is no e-mail (Outlook's EX: an Exchange DN), which then stays in extra. The
 * type column always stays in extra: the contact keeps no e-mail types. */
static void map_email(struct ctx *x, const struct email_rule *e, struct contact *c)
{
    size_t n, tn;
    const char *v = slot_value(x, e->from, &n);
    const char *t = slot_value(x, e->type_from, &tn);
    if (t)
        keep_in_extra(x, e->type_from);
    if (!v)
        return;
    if (t && has_word(t, tn, e->skip, e->nskip)) {
        keep_in_extra(x, e->from);
        return;
    }
    struct pieces it;
    pieces_init(&it, v, n, e->split);
    const char *one;
    size_t len;
    while ((one = piece_next(x, &it, &len)) != NULL) {
        if (c->nemails == CONTACT_MAX_EMAILS) {
            keep_in_extra(x, e->from);
            return;
        }
        c->emails[c->nemails++] = one;
    }
}

static void map_emails(struct ctx *x, struct contact *c)
{
    for (size_t i = 0; i < x->m->nemails; i++)
        map_email(x, &x->m->emails[i], c);
}

/* the first type of the list with a word in label, or NULL */
static const struct type_words *type_of(const struct type_list *l, const char *label,
                                        size_t n)
{
    for (size_t i = 0; label && i < l->n; i++) {
        if (has_word(label, n, l->types[i].words, l->types[i].nwords))
            return &l->types[i];
    }
    return NULL;
}

/* "x12", "ext. 12", "Ext 12" -> "12" */
static const char *extension_digits(const char *e)
{
    if (strncasecmp(e, "extension", 9) == 0)
        e += 9;
    else if (strncasecmp(e, "ext", 3) == 0)
        e += 3;
    else if (*e == 'x' || *e == 'X')
        e++;
    while (*e == '.' || *e == ':' || *e == ' ')
        e++;
    return e;
}

static const char *phone_number(struct ctx *x, const struct phone_rule *p)
{
    const char *number = slot_value(x, p->number, NULL);
    const char *ext = slot_value(x, p->extension, NULL);
    if (!number) {
        if (ext)                 /* an extension of nothing: keep it in extra */
            x->to_extra[x->slot_col[p->extension]] = 1;
        return NULL;
    }
    if (!ext || !*extension_digits(ext))
        return number;
    ext = extension_digits(ext);
    size_t nn = strlen(number), ne = strlen(ext);
    char *out = arena_alloc(x->a, nn + ne + 3);
    if (!out) {
        x->oom = 1;
        return NULL;
    }
    memcpy(out, number, nn);
    memcpy(out + nn, " x", 2);
    memcpy(out + nn + 2, ext, ne + 1);
    return out;
}

/* A phone's type from its label (the type column), else the rule's type; a label that
 * names no known type stays in extra. */
static enum phone_type phone_type_of(struct ctx *x, const struct phone_rule *p,
                                     const char *label, size_t n)
{
    const struct type_words *t = type_of(&x->m->phone_types, label, n);
    if (label && !t)
        keep_in_extra(x, p->type_from);
    return t ? t->phone : p->type;
}

/* One phone rule: a number (split into several if the rule says so), each typed by
 * its label; with as many labels as numbers in a split cell, the n-th label types
 * the n-th number, else the whole label types them all. */
static void map_phone(struct ctx *x, const struct phone_rule *p, struct contact *c)
{
    size_t tn = 0;
    const char *number = phone_number(x, p);
    const char *label = slot_value(x, p->type_from, &tn);
    if (!number) {
        if (label)               /* a label of nothing: keep it in extra */
            keep_in_extra(x, p->type_from);
        return;
    }
    struct pieces nums, labels;
    pieces_init(&nums, number, strlen(number), p->split);
    int paired = p->split && label &&
                 piece_count(label, tn, p->split) == piece_count(number, nums.value_len,
                                                                 p->split);
    pieces_init(&labels, label, tn, p->split);
    const char *one;
    size_t len;
    while ((one = piece_next(x, &nums, &len)) != NULL) {
        const char *l = label;
        size_t ln = tn;
        if (paired)
            l = piece_next(x, &labels, &ln);
        if (c->nphones == CONTACT_MAX_PHONES) {
            keep_in_extra(x, p->number);
            return;
        }
        c->phones[c->nphones].type = phone_type_of(x, p, l, ln);
        c->phones[c->nphones].number = one;
        c->nphones++;
    }
}

static void map_phones(struct ctx *x, struct contact *c)
{
    for (size_t i = 0; i < x->m->nphones; i++)
        map_phone(x, &x->m->phones[i], c);
}

/* An address's type: from its type column when a word there names one of the layout's
 * address_types, else the rule's type (and the label stays in extra). */
static const char *address_type_of(struct ctx *x, const struct address_rule *r)
{
    size_t n;
    const char *label = slot_value(x, r->type_from, &n);
    const struct type_words *t = type_of(&x->m->address_types, label, n);
    if (label && !t)
        keep_in_extra(x, r->type_from);
    return t ? t->name : r->type;
}

/* An address line: its one column's value, or the non-empty values of its "join"
 * columns with a space between them (Febrl's street_number and address_1). */
static const char *address_line(struct ctx *x, const struct address_rule *r, int k)
{
    const char *part[MAX_JOIN];
    size_t len[MAX_JOIN], n = 0, total = 0;
    for (int p = 0; p < r->nparts[k]; p++) {
        part[n] = slot_value(x, r->lines[k][p], &len[n]);
        if (part[n])
            total += len[n++] + 1;
    }
    if (n <= 1)
        return n ? part[0] : NULL;
    char *line = arena_alloc(x->a, total);
    if (!line) {
        x->oom = 1;
        return NULL;
    }
    size_t at = 0;
    for (size_t p = 0; p < n; p++) {
        if (p)
            line[at++] = ' ';
        memcpy(line + at, part[p], len[p]);
        at += len[p];
    }
    line[at] = '\0';
    return line;
}

static void map_addresses(struct ctx *x, struct contact *c)
{
    for (size_t i = 0; i < x->m->naddresses; i++) {
        const struct address_rule *r = &x->m->addresses[i];
        struct contact_address ad;
        memset(&ad, 0, sizeof ad);
        ad.type = r->type;
        for (int k = 0; k < r->nlines; k++) {
            const char *line = address_line(x, r, k);
            if (line)
                ad.lines[ad.nlines++] = line;
        }
        ad.city = slot_value(x, r->city, NULL);
        ad.region = slot_value(x, r->region, NULL);
        ad.postal_code = slot_value(x, r->postal_code, NULL);
        ad.country = slot_value(x, r->country, NULL);
        if (ad.nlines == 0 && !ad.city && !ad.region && !ad.postal_code && !ad.country) {
            if (slot_value(x, r->type_from, NULL))
                keep_in_extra(x, r->type_from);     /* a label of no address */
            continue;
        }
        ad.type = address_type_of(x, r);
        c->addresses[c->naddresses++] = ad;
    }
}

/* A key column's value: byte-exact, only trailing spaces removed (GoldMine pads
 * ACCOUNTNO); NULL when empty. */
static const char *key_value(struct ctx *x, int col)
{
    size_t n = 0;
    const char *v = raw_value(x, col, &n);
    if (!v)
        return NULL;
    size_t len = n;
    while (len && v[len - 1] == ' ')
        len--;
    return len ? terminated(x, v, len, v, n) : NULL;
}

/* The text of one key.derive part, or NULL. */
static const char *derive_text(const struct contact *c, int part, int *name_used)
{
    if (part == DERIVE_EMAIL)
        return c->nemails ? c->emails[0] : NULL;
    if (part == DERIVE_PHONE)
        return c->nphones ? c->phones[0].number : NULL;
    /* an unsplittable full name ("John and Jane Smith") stands in for given + family */
    if ((part == F_GIVEN || part == F_FAMILY) && !c->given_name && !c->family_name) {
        if (*name_used)
            return NULL;
        *name_used = 1;
        return c->full_name;
    }
    const char *const fields[NFIELDS] = {
        c->prefix, c->given_name, c->middle_name, c->family_name, c->suffix, c->full_name,
        c->company, c->department, c->title, c->status, c->created, c->source_updated,
        c->birth_date
    };
    return fields[part];
}

static enum cm_status derive_key(struct ctx *x, struct contact *c, char *err)
{
    const char *parts[MAX_DERIVE];
    size_t cap = 1;
    int name_used = 0;
    for (size_t i = 0; i < x->m->nderive; i++) {
        parts[i] = derive_text(c, x->m->derive[i], &name_used);
        cap += (parts[i] ? 2 * strlen(parts[i]) : 0) + 1;
    }
    char *text = arena_alloc(x->a, cap);
    if (!text)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    size_t len = 0;
    int filled = 0;
    for (size_t i = 0; i < x->m->nderive; i++) {
        size_t before = len;
        if (parts[i] && x->m->derive[i] == DERIVE_PHONE)
            len += digits_only(parts[i], text + len);
        else if (parts[i])
            len += key_text(parts[i], text + len);
        filled |= len > before;
        text[len++] = '\x1f';    /* a unit separator keeps "ab"+"c" apart from "a"+"bc" */
    }
    if (!filled)
        return cm_fail(err, CM_ERR_INPUT, "no key column and nothing to derive a key from "
                       "(name, company, e-mail, phone all empty)");
    char hex[17], *key = arena_alloc(x->a, 2 + sizeof hex);
    if (!key)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    hash64_hex(hash64(text, len, DERIVED_KEY_SEED), hex);
    memcpy(key, "d:", 2);
    memcpy(key + 2, hex, sizeof hex);
    c->source_key = key;
    c->source_key_derived = 1;
    return CM_OK;
}

/* The first non-empty key.from column; other filled key columns go to extra. */
static enum cm_status map_key(struct ctx *x, struct contact *c, char *err)
{
    for (size_t k = 0; k < x->m->nkeys; k++) {
        int col = x->slot_col[x->m->key_slots[k]];
        const char *v = col >= 0 ? key_value(x, col) : NULL;
        if (v && !c->source_key)
            c->source_key = v;
        else if (v)
            x->to_extra[col] = 1;
    }
    if (x->oom)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    if (c->source_key)
        return CM_OK;
    if (x->m->nderive == 0)
        return cm_fail(err, CM_ERR_INPUT, "no key: the key columns are missing or empty "
                       "and the layout derives no keys");
    return derive_key(x, c, err);
}

static enum cm_status map_extra(struct ctx *x, const struct binding *b, struct contact *c)
{
    size_t n = 0;
    for (size_t i = 0; i < b->ncols; i++)
        n += x->to_extra[i];
    if (n == 0)
        return CM_OK;
    c->extra = arena_alloc(x->a, n * sizeof *c->extra);
    if (!c->extra)
        return CM_ERR_NOMEM;
    for (size_t i = 0; i < b->ncols; i++) {
        size_t len;
        const char *v = x->to_extra[i] ? cell(x, (int)i, &len) : NULL;
        if (!v)
            continue;
        const char *name = b->extra_name[i];
        if (name != x->rec->names[i])
            name = arena_strdup(x->a, name);
        if (!name)
            return CM_ERR_NOMEM;
        c->extra[c->nextra].name = name;
        c->extra[c->nextra].value = v;
        c->nextra++;
    }
    return x->oom ? CM_ERR_NOMEM : CM_OK;
}

enum cm_status mapping_apply(struct mapping *m, const char *source_name,
                             const struct raw_record *rec, struct arena *a,
                             struct contact *c, char *err)
{
    memset(c, 0, sizeof *c);
    c->source = source_name;
    if (bind_columns(m, rec) != CM_OK)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory binding the columns of %s",
                       rec->file ? rec->file : "a record");
    const struct binding *b = &m->bind;
    struct ctx x = { m, &m->bad_dates, b->slot_col, rec, a, arena_alloc(a, b->ncols + 1), 0 };
    if (!x.to_extra)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    memcpy(x.to_extra, b->unbound, b->ncols);

    map_fields(&x, c);
    split_name(&x, c);
    map_emails(&x, c);
    map_phones(&x, c);
    map_addresses(&x, c);
    if (x.oom)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    enum cm_status rc = map_key(&x, c, err);
    if (rc)
        return rc;
    if (map_extra(&x, b, c) != CM_OK)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    return CM_OK;
}

/* ---- detection ---------------------------------------------------------------- */

static int in_header(const struct alternatives *alt, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char hk[HEADER_KEY_MAX];
        if (!names[i] || header_key(names[i], hk) <= 0)
            continue;
        for (size_t k = 0; k < alt->n; k++) {
            if (strcmp(hk, alt->keys[k]) == 0)
                return 1;
        }
    }
    return 0;
}

static int has_key(const char *const *keys, size_t n, const char *key)
{
    for (size_t k = 0; k < n; k++) {
        if (strcmp(keys[k], key) == 0)
            return 1;
    }
    return 0;
}

static int known_column(const struct mapping *m, const char *key)
{
    for (size_t s = 0; s < m->nslots; s++) {
        if (has_key(m->slots[s].aliases, m->slots[s].naliases, key))
            return 1;
    }
    for (size_t i = 0; i < m->nrequired; i++) {
        if (has_key(m->required[i].keys, m->required[i].n, key))
            return 1;
    }
    for (size_t i = 0; i < m->ntypical; i++) {
        if (has_key(m->typical[i].keys, m->typical[i].n, key))
            return 1;
    }
    return 0;
}

/* 0 when a detect.required column is missing; else the share of the header's columns
 * this layout knows (any alias of a rule, a required or a typical column). */
double mapping_header_score(const struct mapping *m, const char *const *names, size_t n)
{
    if (n == 0)
        return 0.0;
    for (size_t r = 0; r < m->nrequired; r++) {
        if (!in_header(&m->required[r], names, n))
            return 0.0;
    }
    size_t known = 0;
    for (size_t i = 0; i < n; i++) {
        char hk[HEADER_KEY_MAX];
        if (names[i] && header_key(names[i], hk) > 0 && known_column(m, hk))
            known++;
    }
    return (double)known / (double)n;
}
