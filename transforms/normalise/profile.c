/* profile.c — a canonical contact to its match profile (see profile.h): each field
 * through its normaliser (text, person, company, email, phone, address, country), the
 * results interned in one string pool. */
#include "transforms/normalise/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/arena.h"
#include "pipeline/config.h"
#include "pipeline/keymap.h"
#include "transforms/normalise/address.h"
#include "transforms/normalise/company.h"
#include "transforms/normalise/country.h"
#include "transforms/normalise/email.h"
#include "transforms/normalise/person.h"
#include "transforms/normalise/phone.h"
#include "transforms/normalise/text.h"

struct normaliser {
    struct keymap pool;          /* entry e is id e + 1; id 0 = absent */
    struct nicknames *nicknames;
    struct countries *countries;
    struct phone_cache *phones;
    phone_defer_fn *defer_phone;     /* set: phones are handed out, not parsed here */
    void *defer_ctx;
    unsigned email_options;
    struct arena arena;          /* per record */
    struct buf scratch, scratch2;
    struct profile_warnings warn;
};

/* ---- packing ---------------------------------------------------------------------- */

uint32_t pack_code4(const char *code)
{
    uint32_t v = 0;
    for (int i = 0; i < 4 && code[i]; i++)
        v |= (uint32_t)(unsigned char)code[i] << (24 - 8 * i);
    return v;
}

void unpack_code4(uint32_t v, char out[5])
{
    int n = 0;
    for (int i = 0; i < 4; i++) {
        char ch = (char)(v >> (24 - 8 * i));
        if (!ch)
            break;
        out[n++] = ch;
    }
    out[n] = '\0';
}

/* digit + 1 in each nibble, so that "0" is not confused with the end */
uint32_t pack_digits8(const char *digits)
{
    uint32_t v = 0;
    for (int i = 0; i < 8 && digits[i] >= '0' && digits[i] <= '9'; i++)
        v |= (uint32_t)(digits[i] - '0' + 1) << (28 - 4 * i);
    return v;
}

void unpack_digits8(uint32_t v, char out[9])
{
    int n = 0;
    for (int i = 0; i < 8; i++) {
        unsigned d = (v >> (28 - 4 * i)) & 15;
        if (!d)
            break;
        out[n++] = (char)('0' + d - 1);
    }
    out[n] = '\0';
}

/* ---- the pool ------------------------------------------------------------------- */

static enum cm_status intern(struct normaliser *n, const char *s, uint32_t *id)
{
    *id = 0;
    if (!s || !*s)
        return CM_OK;
    uint32_t e;
    int added;
    enum cm_status rc = keymap_intern(&n->pool, s, strlen(s), &e, &added);
    if (!rc)
        *id = e + 1;
    return rc;
}

const char *normaliser_country(const struct normaliser *n, const char *text)
{
    return country_code(n->countries, text);
}

const char *profile_text(const struct normaliser *n, uint32_t id)
{
    return id ? keymap_key(&n->pool, id - 1) : "";
}

size_t normaliser_pool_count(const struct normaliser *n)
{
    return n->pool.count;
}

size_t normaliser_pool_bytes(const struct normaliser *n)
{
    return n->pool.nslots * 16 + n->pool.offsets_cap * sizeof(size_t) + n->pool.strings.alloc;
}

const struct profile_warnings *normaliser_warnings(const struct normaliser *n)
{
    return &n->warn;
}

/* ---- setup ------------------------------------------------------------------------ */

enum cm_status normaliser_new(const struct normaliser_options *opt, struct normaliser **out,
                              char *err)
{
    *out = NULL;
    struct normaliser *n = calloc(1, sizeof *n);
    if (!n)
        return cm_fail(err, CM_ERR_NOMEM, "out of memory");
    buf_init(&n->pool.strings, 0);
    buf_init(&n->scratch, 0);
    buf_init(&n->scratch2, 0);
    const char *dir = opt && opt->schemas ? opt->schemas : schemas_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/nicknames.tsv", dir);
    enum cm_status rc = nicknames_load(path, &n->nicknames, err);
    if (!rc) {
        snprintf(path, sizeof path, "%s/countries.tsv", dir);
        rc = countries_load(path, &n->countries, err);
    }
    if (!rc) {
        n->phones = phone_cache_new(opt ? opt->phone_cache_entries : 0);
        if (!n->phones)
            rc = cm_fail(err, CM_ERR_NOMEM, "out of memory for the phone cache");
    }
    n->email_options = opt && opt->email_provider_rules ? EMAIL_PROVIDER_RULES : 0;
    if (rc) {
        normaliser_free(n);
        return rc;
    }
    *out = n;
    return CM_OK;
}

void normaliser_free(struct normaliser *n)
{
    if (!n)
        return;
    keymap_free(&n->pool);
    nicknames_free(n->nicknames);
    countries_free(n->countries);
    phone_cache_free(n->phones);
    arena_free(&n->arena);
    buf_free(&n->scratch);
    buf_free(&n->scratch2);
    free(n);
}

/* ---- the fields ------------------------------------------------------------------- */

static void text_warnings(struct normaliser *n, unsigned tflags, struct match_profile *p)
{
    if (tflags & TEXT_INVALID_UTF8) {
        p->flags |= PROFILE_INVALID_UTF8;
        n->warn.invalid_utf8++;
    }
    if (tflags & TEXT_TOO_LONG) {
        p->flags |= PROFILE_TOO_LONG;
        n->warn.too_long++;
    }
    if (tflags & TEXT_REPAIRED) {
        p->flags |= PROFILE_REPAIRED;
        n->warn.repaired++;
    }
}

static enum cm_status person(struct normaliser *n, const struct contact *c,
                             struct match_profile *p)
{
    struct person_fields f = person_fields_of(c);
    struct person_norm pn;
    enum cm_status rc = person_normalise(&f, n->nicknames, &n->arena, &pn);
    if (rc)
        return rc;
    if (pn.flags & PERSON_INVALID_UTF8) {
        p->flags |= PROFILE_INVALID_UTF8;
        n->warn.invalid_utf8++;
    }
    if (pn.flags & PERSON_TOO_LONG) {
        p->flags |= PROFILE_TOO_LONG;
        n->warn.too_long++;
    }
    if (pn.flags & PERSON_REPAIRED) {
        p->flags |= PROFILE_REPAIRED;
        n->warn.repaired++;
    }
    if (pn.flags & PERSON_EMPTY) {
        p->flags |= PROFILE_NAME_EMPTY;
        n->warn.name_empty++;
    }
    if (pn.flags & PERSON_INITIALS)
        p->flags |= PROFILE_NAME_INITIALS;
    if (pn.flags & (PERSON_DIGITS | PERSON_PUNCT)) {
        p->flags |= PROFILE_NAME_ODD;
        n->warn.name_odd++;
    }
    rc = intern(n, pn.given ? pn.given : pn.initials, &p->given);
    if (!rc) rc = intern(n, pn.given_plain, &p->given_plain);
    if (!rc) rc = intern(n, pn.family, &p->family);
    if (!rc) rc = intern(n, pn.family_plain, &p->family_plain);
    if (!rc) rc = intern(n, pn.middle, &p->middle);
    if (!rc) rc = intern(n, pn.honorific, &p->honorific);
    if (!rc) rc = intern(n, pn.suffix, &p->suffix);
    for (size_t i = 0; !rc && i < pn.ncanon && i < PROFILE_CANON; i++)
        rc = intern(n, pn.canon[i], &p->given_canon[i]);
    for (int i = 0; i < 2; i++) {
        p->given_dm[i] = pack_code4(pn.given_dm[i]);
        p->family_dm[i] = pack_code4(pn.family_dm[i]);
    }
    p->given_kp = pack_digits8(pn.given_kp);
    p->family_kp = pack_digits8(pn.family_kp);
    return rc;
}

static enum cm_status company(struct normaliser *n, const struct contact *c,
                              struct match_profile *p)
{
    if (!c->company)
        return CM_OK;
    struct company_norm cn;
    buf_reset(&n->scratch);
    enum cm_status rc = company_normalise(c->company, strlen(c->company), TEXT_GERMAN,
                                          &n->scratch, &cn);
    if (rc)
        return rc;
    text_warnings(n, cn.flags & (COMPANY_INVALID_UTF8 | COMPANY_TOO_LONG | COMPANY_REPAIRED),
                  p);
    if (!rc) rc = intern(n, n->scratch.data, &p->company);
    if (!rc) rc = intern(n, cn.legal_form, &p->legal_form);
    return rc;
}

static enum cm_status emails(struct normaliser *n, const struct contact *c,
                             struct match_profile *p)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nemails; i++) {
        buf_reset(&n->scratch);
        unsigned f = email_normalise(c->emails[i], n->email_options, &n->scratch);
        if (f & EMAIL_NOMEM)
            return CM_ERR_NOMEM;
        if (f & EMAIL_EMPTY)
            continue;
        if (f & EMAIL_INVALID) {
            n->warn.email_invalid++;         /* the raw text stays in the contact */
            continue;
        }
        if (f & EMAIL_ROLE)
            n->warn.email_role++;
        if (k == PROFILE_EMAILS) {
            p->flags |= PROFILE_MORE_EMAILS;
            n->warn.more_emails++;
            break;
        }
        enum cm_status rc = intern(n, n->scratch.data, &p->email[k]);
        if (rc)
            return rc;
        p->email_flags[k++] = (uint8_t)((f & EMAIL_ROLE ? PEMAIL_ROLE : 0) |
                                        (f & EMAIL_FREEMAIL ? PEMAIL_FREEMAIL : 0));
    }
    return CM_OK;
}

void normaliser_defer_phones(struct normaliser *n, phone_defer_fn *fn, void *ctx)
{
    n->defer_phone = fn;
    n->defer_ctx = ctx;
}

void profile_add_phone(struct normaliser *n, struct match_profile *p,
                       const struct phone_norm *pn, unsigned f)
{
    if (f & PHONE_EMPTY || p->flags & PROFILE_MORE_PHONES)
        return;                              /* nothing, or past the profile's phones */
    if (f & PHONE_EXCEL_MANGLED)
        n->warn.phone_excel++;
    else if (f & PHONE_NO_COUNTRY)
        n->warn.phone_no_country++;
    else if (f & PHONE_INVALID)
        n->warn.phone_invalid++;
    if (!pn->e164_num)
        return;                              /* flagged above; the raw text stays */
    size_t k = 0;
    while (k < PROFILE_PHONES && p->phone[k])
        k++;
    if (k == PROFILE_PHONES) {
        p->flags |= PROFILE_MORE_PHONES;
        n->warn.more_phones++;
        return;
    }
    uint8_t pf = 0;
    if (pn->line == PHONE_LINE_MOBILE)
        pf |= PPHONE_MOBILE;
    else if (pn->line == PHONE_LINE_FIXED)
        pf |= PPHONE_FIXED;
    if (pn->extension[0])
        pf |= PPHONE_EXT;
    if (f & PHONE_POSSIBLE_ONLY)
        pf |= PPHONE_INVALID;
    p->phone[k] = pn->e164_num;
    p->phone_flags[k] = pf;
}

static void phones(struct normaliser *n, const struct contact *c, const char *country,
                   struct match_profile *p)
{
    for (size_t i = 0; i < c->nphones; i++) {
        if (n->defer_phone) {
            n->defer_phone(n->defer_ctx, c->phones[i].number ? c->phones[i].number : "",
                           country);
            continue;
        }
        struct phone_norm pn;
        unsigned f = phone_normalise(n->phones, c->phones[i].number, country, &pn);
        profile_add_phone(n, p, &pn, f);
    }
}

static enum cm_status address(struct normaliser *n, const struct contact_address *a,
                              const char *default_country, struct match_profile *p)
{
    struct address_key k;
    unsigned f = address_normalise(a, default_country, n->countries, &k);
    text_warnings(n, (f & ADDRESS_INVALID_UTF8 ? TEXT_INVALID_UTF8 : 0) |
                     (f & ADDRESS_TOO_LONG ? TEXT_TOO_LONG : 0) |
                     (f & ADDRESS_REPAIRED ? TEXT_REPAIRED : 0), p);
    if (f & ADDRESS_COUNTRY_UNKNOWN) {
        p->flags |= PROFILE_COUNTRY_UNKNOWN;
        n->warn.country_unknown++;
    }
    if (f & ADDRESS_POSTAL_INVALID) {
        p->flags |= PROFILE_POSTAL_INVALID;
        n->warn.postal_invalid++;
    }
    if (f & ADDRESS_POSTAL_RESTORED) {
        p->flags |= PROFILE_POSTAL_RESTORED;
        n->warn.postal_restored++;
    }
    if (f & ADDRESS_PO_BOX)
        p->flags |= PROFILE_PO_BOX;
    if (k.country[0] && k.country[1]) {
        p->country[0] = k.country[0];
        p->country[1] = k.country[1];
    }
    enum cm_status rc = intern(n, k.street, &p->street);
    if (!rc) rc = intern(n, k.house_number[0] ? k.house_number : k.po_box, &p->house_number);
    if (!rc) rc = intern(n, k.postal_code, &p->postal_code);
    if (!rc) rc = intern(n, k.city, &p->city);
    if (!rc) rc = intern(n, k.extra, &p->address_extra);
    if (!rc) rc = intern(n, k.region, &p->region);
    return rc;
}

/* n digits at s, or -1 */
static int digits_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "1956-04-09" -> 19560409, "1956-04" -> 19560400, "1956" -> 19560000 (the mapping's
 * forms, contact.h); anything else 0 and counted (a hand-made or damaged contact). */
static uint32_t birth_date(struct normaliser *n, const char *text)
{
    if (!text || !*text)
        return 0;
    size_t len = strlen(text);
    int y = len == 4 || len == 7 || len == 10 ? digits_at(text, 4) : -1;
    int m = len >= 7 && text[4] == '-' ? digits_at(text + 5, 2) : len == 4 ? 0 : -1;
    int d = len == 10 && text[7] == '-' ? digits_at(text + 8, 2) : len < 10 ? 0 : -1;
    if (y < 1 || m < 0 || m > 12 || d < 0 || d > 31 || (len >= 7 && m == 0) ||
        (len == 10 && d == 0)) {
        n->warn.birth_date_invalid++;
        return 0;
    }
    return (uint32_t)(y * 10000 + m * 100 + d);
}

enum cm_status normalise_contact(struct normaliser *n, const struct contact *c,
                                 const char *default_country, struct match_profile *p)
{
    memset(p, 0, sizeof *p);
    arena_reset(&n->arena);
    enum cm_status rc = person(n, c, p);
    if (!rc) rc = company(n, c, p);
    if (!rc) rc = emails(n, c, p);
    if (rc)
        return rc;
    /* the address first: its country is the phones' default */
    const char *country = default_country;
    char code[3] = "";
    if (c->naddresses) {
        rc = address(n, &c->addresses[0], default_country, p);
        if (rc)
            return rc;
    }
    if (p->country[0]) {
        code[0] = p->country[0];
        code[1] = p->country[1];
        country = code;
    }
    phones(n, c, country, p);
    p->birth_date = birth_date(n, c->birth_date);
    return CM_OK;
}

/* ---- JSON ------------------------------------------------------------------------- */

static enum cm_status add_text(const struct normaliser *n, struct buf *out, const char *key,
                               uint32_t id, int *first)
{
    if (!id)
        return CM_OK;
    enum cm_status rc = buf_printf(out, "%s\"%s\":", *first ? "" : ",", key);
    *first = 0;
    const char *s = profile_text(n, id);
    return rc ? rc : json_add_string(out, s, strlen(s));
}

static enum cm_status add_list(const struct normaliser *n, struct buf *out, const char *key,
                               const uint32_t *ids, size_t count, int *first)
{
    if (!count || !ids[0])
        return CM_OK;
    enum cm_status rc = buf_printf(out, "%s\"%s\":[", *first ? "" : ",", key);
    *first = 0;
    for (size_t i = 0; !rc && i < count && ids[i]; i++) {
        const char *s = profile_text(n, ids[i]);
        if (i)
            rc = buf_addch(out, ',');
        if (!rc)
            rc = json_add_string(out, s, strlen(s));
    }
    return rc ? rc : buf_addch(out, ']');
}

static enum cm_status add_codes(struct buf *out, const char *key, const uint32_t dm[2],
                                uint32_t kp, int *first)
{
    char a[5], b[5], k[9];
    unpack_code4(dm[0], a);
    unpack_code4(dm[1], b);
    unpack_digits8(kp, k);
    if (!a[0] && !k[0])
        return CM_OK;
    enum cm_status rc = buf_printf(out, "%s\"%s\":{\"metaphone\":[\"%s\",\"%s\"],"
                                   "\"koelner\":\"%s\"}", *first ? "" : ",", key, a, b, k);
    *first = 0;
    return rc;
}

static const struct { unsigned flag; const char *name; } profile_flag_names[] = {
    { PROFILE_NAME_EMPTY, "name_empty" },       { PROFILE_NAME_INITIALS, "name_initials" },
    { PROFILE_NAME_ODD, "name_odd" },           { PROFILE_INVALID_UTF8, "invalid_utf8" },
    { PROFILE_TOO_LONG, "too_long" },           { PROFILE_REPAIRED, "mojibake_repaired" },
    { PROFILE_MORE_EMAILS, "more_emails" },     { PROFILE_MORE_PHONES, "more_phones" },
    { PROFILE_COUNTRY_UNKNOWN, "country_unknown" },
    { PROFILE_POSTAL_INVALID, "postal_invalid" },
    { PROFILE_POSTAL_RESTORED, "postal_zero_restored" }, { PROFILE_PO_BOX, "po_box" },
};

enum cm_status profile_to_json(const struct normaliser *n, const struct match_profile *p,
                               struct buf *out)
{
    int first = 1;
    enum cm_status rc = buf_addch(out, '{');
    if (!rc) rc = add_text(n, out, "given", p->given, &first);
    if (!rc) rc = add_text(n, out, "given_plain", p->given_plain, &first);
    if (!rc) rc = add_list(n, out, "given_canonical", p->given_canon, PROFILE_CANON, &first);
    if (!rc) rc = add_text(n, out, "middle", p->middle, &first);
    if (!rc) rc = add_text(n, out, "family", p->family, &first);
    if (!rc) rc = add_text(n, out, "family_plain", p->family_plain, &first);
    if (!rc) rc = add_text(n, out, "honorific", p->honorific, &first);
    if (!rc) rc = add_text(n, out, "suffix", p->suffix, &first);
    if (!rc) rc = add_codes(out, "given_phonetic", p->given_dm, p->given_kp, &first);
    if (!rc) rc = add_codes(out, "family_phonetic", p->family_dm, p->family_kp, &first);
    if (!rc && p->birth_date) {
        unsigned y = p->birth_date / 10000, m = p->birth_date / 100 % 100,
                 d = p->birth_date % 100;
        rc = buf_printf(out, "%s\"birth_date\":\"%04u", first ? "" : ",", y);
        if (!rc && m) rc = buf_printf(out, "-%02u", m);
        if (!rc && d) rc = buf_printf(out, "-%02u", d);
        if (!rc) rc = buf_addch(out, '"');
        first = 0;
    }
    if (!rc) rc = add_text(n, out, "company", p->company, &first);
    if (!rc) rc = add_text(n, out, "legal_form", p->legal_form, &first);
    if (!rc && p->email[0]) {
        rc = buf_printf(out, "%s\"emails\":[", first ? "" : ",");
        first = 0;
        for (int i = 0; !rc && i < PROFILE_EMAILS && p->email[i]; i++) {
            const char *s = profile_text(n, p->email[i]);
            if (i) rc = buf_addch(out, ',');
            if (!rc) rc = buf_addstr(out, "{\"email\":");
            if (!rc) rc = json_add_string(out, s, strlen(s));
            if (!rc) rc = buf_addstr(out, p->email_flags[i] & PEMAIL_ROLE ? ",\"role\":true}"
                                                                     : "}");
        }
        if (!rc) rc = buf_addch(out, ']');
    }
    if (!rc && p->phone[0]) {
        rc = buf_printf(out, "%s\"phones\":[", first ? "" : ",");
        first = 0;
        for (int i = 0; !rc && i < PROFILE_PHONES && p->phone[i]; i++) {
            uint8_t f = p->phone_flags[i];
            rc = buf_printf(out, "%s{\"e164\":\"+%llu\",\"line\":\"%s\"%s%s}", i ? "," : "",
                            (unsigned long long)p->phone[i],
                            f & PPHONE_MOBILE ? "mobile" : f & PPHONE_FIXED ? "fixed" : "other",
                            f & PPHONE_EXT ? ",\"extension\":true" : "",
                            f & PPHONE_INVALID ? ",\"possible_only\":true" : "");
        }
        if (!rc) rc = buf_addch(out, ']');
    }
    if (!rc) rc = add_text(n, out, "street", p->street, &first);
    if (!rc) rc = add_text(n, out, "house_number", p->house_number, &first);
    if (!rc) rc = add_text(n, out, "address_extra", p->address_extra, &first);
    if (!rc) rc = add_text(n, out, "postal_code", p->postal_code, &first);
    if (!rc) rc = add_text(n, out, "city", p->city, &first);
    if (!rc) rc = add_text(n, out, "region", p->region, &first);
    if (!rc && p->country[0]) {
        rc = buf_printf(out, "%s\"country\":\"%c%c\"", first ? "" : ",", p->country[0],
                        p->country[1]);
        first = 0;
    }
    if (!rc && p->flags) {
        rc = buf_printf(out, "%s\"flags\":[", first ? "" : ",");
        int k = 0;
        for (size_t i = 0; !rc && i < sizeof profile_flag_names / sizeof *profile_flag_names;
             i++) {
            if (p->flags & profile_flag_names[i].flag)
                rc = buf_printf(out, "%s\"%s\"", k++ ? "," : "", profile_flag_names[i].name);
        }
        if (!rc) rc = buf_addch(out, ']');
    }
    if (!rc) rc = buf_addch(out, '}');
    return rc;
}
