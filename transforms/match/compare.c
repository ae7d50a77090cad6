/* compare.c — graded field comparisons of two match profiles (see compare.h). */
#include "transforms/match/compare.h"

#include <string.h>
#include "transforms/match/strsim.h"

const struct cmp_def cmp_defs[CMP_COUNT] = {
    [CMP_GIVEN] = { "given_name", 11,
        { "missing", "exact", "nickname", "jaro_winkler>=0.92", "jaro_winkler>=0.85",
          "phonetic", "initial", "swapped_with_family", "half_swapped", "one_part_of_other",
          "different" }, GIVEN_EXACT },
    [CMP_FAMILY] = { "family_name", 9,
        { "missing", "exact", "jaro_winkler>=0.92", "jaro_winkler>=0.84", "one_part_of_other",
          "phonetic", "swapped_with_given", "half_swapped", "different" }, FAMILY_EXACT },
    [CMP_BIRTH] = { "birth_date", 6,
        { "missing", "exact", "day_month_swapped", "one_part_differs", "one_digit_slip",
          "different" }, -1 },
    [CMP_HOUSE] = { "house_number", 4, { "missing", "exact", "one_digit_slip", "different" }, -1 },
    [CMP_STREET] = { "street", 5,
        { "missing", "exact", "jaro_winkler>=0.92", "jaro_winkler>=0.84", "different" },
        LV_EXACT },
    [CMP_EXTRA] = { "address_extra", 4,
        { "missing", "exact", "jaro_winkler>=0.90", "different" }, LV_EXACT },
    [CMP_CITY] = { "city", 5,
        { "missing", "exact", "jaro_winkler>=0.92", "jaro_winkler>=0.84", "different" },
        LV_EXACT },
    [CMP_POSTAL] = { "postal_code", 4, { "missing", "exact", "one_digit_slip", "different" }, -1 },
    [CMP_REGION] = { "region", 3, { "missing", "exact", "different" }, -1 },
    [CMP_EMAIL] = { "email", 6,
        { "missing", "exact", "shared_role_mailbox", "same_local_part", "jaro_winkler>=0.94",
          "different" }, EMAIL_EXACT },
    [CMP_PHONE] = { "phone", 4, { "missing", "exact", "last_7_digits", "different" }, LV_EXACT },
    [CMP_COMPANY] = { "company", 4, { "missing", "exact", "jaro_winkler>=0.90", "different" },
                      LV_EXACT },
    [CMP_SUFFIX] = { "suffix", 4, { "missing", "same", "on_one_side_only", "different" }, -1 },
};

int cmp_find(const char *name)
{
    for (int i = 0; i < CMP_COUNT; i++) {
        if (strcmp(cmp_defs[i].name, name) == 0)
            return i;
    }
    return -1;
}

struct text { const char *s; size_t len; };

static struct text text_of(const struct profile_store *s, uint32_t id)
{
    struct text t = { "", 0 };
    if (id) {
        t.s = profile_text(s->norm, id);
        t.len = strlen(t.s);
    }
    return t;
}

/* The best Jaro–Winkler over the folded forms (German way, plain way) of two names. */
static double best_jw(const struct profile_store *s, uint32_t a1, uint32_t a2,
                      uint32_t b1, uint32_t b2)
{
    uint32_t av[2] = { a1, a2 }, bv[2] = { b1, b2 };
    double best = 0;
    for (int i = 0; i < 2; i++) {
        if (!av[i])
            continue;
        struct text ta = text_of(s, av[i]);
        for (int j = 0; j < 2; j++) {
            if (!bv[j])
                continue;
            struct text tb = text_of(s, bv[j]);
            double sim = jaro_winkler(ta.s, ta.len, tb.s, tb.len);
            if (sim > best)
                best = sim;
        }
    }
    return best;
}

static int same_id(uint32_t a1, uint32_t a2, uint32_t b1, uint32_t b2)
{
    return (a1 && (a1 == b1 || a1 == b2)) || (a2 && (a2 == b1 || a2 == b2));
}

static int same_code(const uint32_t a[2], const uint32_t b[2])
{
    return a[0] && (a[0] == b[0] || a[0] == b[1] || (a[1] && (a[1] == b[0] || a[1] == b[1])));
}

/* A name written in the other field: a's given as b's family (or typo'd, JW >= 0.92). */
static int crossed(const struct profile_store *s, uint32_t x, uint32_t x_plain, uint32_t y,
                   uint32_t y_plain)
{
    if (!x || !y)
        return 0;
    return x == y || best_jw(s, x, x_plain, y, y_plain) >= 0.92;
}

/* Given and family written the other way round: 2 both crossed, 1 one name in the
 * other's field and the other name lost or different ("Simon Lee" / "Paul Simon" is
 * half; so are two colleagues whose names happen to cross: EM weighs it), 0 neither. */
static int swapped_names(const struct profile_store *s, const struct match_profile *a,
                         const struct match_profile *b)
{
    int x = crossed(s, a->given, a->given_plain, b->family, b->family_plain);
    int y = crossed(s, a->family, a->family_plain, b->given, b->given_plain);
    if (x + y == 1)              /* half: only an exact crossing ("mitchell"/"michelle" is none) */
        return (a->given && a->given == b->family) || (a->family && a->family == b->given);
    return x + y;
}

static int one_part_of_other(struct text x, struct text y);

static uint8_t cmp_given(const struct profile_store *s, const struct match_profile *a,
                         const struct match_profile *b)
{
    if (!a->given || !b->given)
        return LV_MISSING;
    if (same_id(a->given, a->given_plain, b->given, b->given_plain))
        return GIVEN_EXACT;
    int swap = swapped_names(s, a, b);
    if (swap)
        return swap == 2 ? GIVEN_SWAPPED : GIVEN_HALF_SWAPPED;
    for (int i = 0; i < PROFILE_CANON; i++) {
        for (int j = 0; j < PROFILE_CANON; j++) {
            if (a->given_canon[i] && a->given_canon[i] == b->given_canon[j])
                return GIVEN_CANON;
        }
    }
    struct text ta = text_of(s, a->given), tb = text_of(s, b->given);
    if ((ta.len == 1 || tb.len == 1) && ta.s[0] == tb.s[0])
        return GIVEN_INITIAL;
    /* a short form the nickname table lacks: "chris" of "christopher", "alex" */
    struct text sh = ta.len < tb.len ? ta : tb, lo = ta.len < tb.len ? tb : ta;
    if (sh.len >= 3 && lo.len >= sh.len + 2 && memcmp(sh.s, lo.s, sh.len) == 0)
        return GIVEN_CANON;
    double jw = best_jw(s, a->given, a->given_plain, b->given, b->given_plain);
    if (jw >= 0.92)
        return GIVEN_JW_HIGH;
    if (jw >= 0.85)
        return GIVEN_JW_MID;
    if (ta.len > 1 && tb.len > 1 && same_code(a->given_dm, b->given_dm))
        return GIVEN_PHONETIC;
    if (one_part_of_other(ta, tb))
        return GIVEN_PART;
    return GIVEN_DIFFERENT;
}

/* One name's words all among the other's: "mueller" in "mueller luedenscheidt". */
static int one_part_of_other(struct text x, struct text y)
{
    if (x.len > y.len) {
        struct text t = x;
        x = y;
        y = t;
    }
    if (x.len < 3 || x.len == y.len)
        return 0;
    const char *p = y.s;
    while ((p = strstr(p, x.s)) != NULL) {
        int starts = p == y.s || p[-1] == ' ';
        int ends = p[x.len] == '\0' || p[x.len] == ' ';
        if (starts && ends)
            return 1;
        p++;
    }
    return 0;
}

static uint8_t cmp_family(const struct profile_store *s, const struct match_profile *a,
                          const struct match_profile *b)
{
    if (!a->family || !b->family)
        return LV_MISSING;
    if (same_id(a->family, a->family_plain, b->family, b->family_plain))
        return FAMILY_EXACT;
    int swap = swapped_names(s, a, b);
    if (swap)
        return swap == 2 ? FAMILY_SWAPPED : FAMILY_HALF_SWAPPED;
    double jw = best_jw(s, a->family, a->family_plain, b->family, b->family_plain);
    if (jw >= 0.92)
        return FAMILY_JW_HIGH;
    if (jw >= 0.84)
        return FAMILY_JW_MID;
    if (one_part_of_other(text_of(s, a->family), text_of(s, b->family)))
        return FAMILY_PART;
    if (same_code(a->family_dm, b->family_dm) ||
        (a->family_kp && a->family_kp == b->family_kp))
        return FAMILY_PHONETIC;
    return FAMILY_DIFFERENT;
}

static uint8_t cmp_birth(uint32_t a, uint32_t b)
{
    if (!a || !b)
        return LV_MISSING;
    if (a == b)
        return BIRTH_EXACT;
    unsigned ay = a / 10000, am = a / 100 % 100, ad = a % 100;
    unsigned by = b / 10000, bm = b / 100 % 100, bd = b % 100;
    if (!am || !bm || !ad || !bd) {          /* a partial date: what both know */
        if (ay != by)
            return BIRTH_DIFFERENT;
        return (!am || !bm || am == bm) ? BIRTH_ONE_PART : BIRTH_DIFFERENT;
    }
    if (ay == by && am == bd && ad == bm)
        return BIRTH_SWAP_DM;
    int same = (ay == by) + (am == bm) + (ad == bd);
    if (same == 2)
        return BIRTH_ONE_PART;
    char sa[9], sb[9];
    for (int i = 7; i >= 0; i--) {
        sa[i] = (char)('0' + a % 10);
        sb[i] = (char)('0' + b % 10);
        a /= 10;
        b /= 10;
    }
    return one_slip(sa, sb, 8) ? BIRTH_SLIP : BIRTH_DIFFERENT;
}

/* exact / one slip (same length) / different, for short codes and numbers. */
static uint8_t cmp_code(const struct profile_store *s, uint32_t a, uint32_t b)
{
    if (!a || !b)
        return LV_MISSING;
    if (a == b)
        return LV_EXACT;
    struct text ta = text_of(s, a), tb = text_of(s, b);
    if (ta.len == tb.len && one_slip(ta.s, tb.s, ta.len))
        return 2;
    return 3;
}

/* exact / Jaro–Winkler bands / different. nbands thresholds, descending. */
static uint8_t cmp_text(const struct profile_store *s, uint32_t a, uint32_t b,
                        const double *band, int nbands)
{
    if (!a || !b)
        return LV_MISSING;
    if (a == b)
        return LV_EXACT;
    struct text ta = text_of(s, a), tb = text_of(s, b);
    double jw = jaro_winkler(ta.s, ta.len, tb.s, tb.len);
    for (int i = 0; i < nbands; i++) {
        if (jw >= band[i])
            return (uint8_t)(2 + i);
    }
    return (uint8_t)(2 + nbands);
}

/* A local part made of the person's family name ("john.smith", "jsmith"): namesakes
 * at other providers have it too, so it says no more than the names already do. */
static int local_is_name(const struct profile_store *s, const char *local, size_t len,
                         const struct match_profile *p)
{
    uint32_t fam[2] = { p->family, p->family_plain };
    for (int i = 0; i < 2; i++) {
        if (!fam[i])
            continue;
        const char *f = profile_text(s->norm, fam[i]);
        size_t flen = strlen(f);
        if (flen < 3 || flen > len)
            continue;
        for (size_t at = 0; at + flen <= len; at++) {
            if (memcmp(local + at, f, flen) == 0)
                return 1;
        }
    }
    return 0;
}

static uint8_t cmp_email(const struct profile_store *s, const struct match_profile *a,
                         const struct match_profile *b)
{
    int any_a = 0, any_b = 0, role_shared = 0, local = 0;
    double best = 0;
    for (int i = 0; i < PROFILE_EMAILS; i++) {
        uint32_t ea = a->email[i];
        if (!ea || (a->email_flags[i] & PEMAIL_INVALID))
            continue;
        int role_a = (a->email_flags[i] & PEMAIL_ROLE) != 0;
        any_a |= !role_a;
        for (int j = 0; j < PROFILE_EMAILS; j++) {
            uint32_t eb = b->email[j];
            if (!eb || (b->email_flags[j] & PEMAIL_INVALID))
                continue;
            int role_b = (b->email_flags[j] & PEMAIL_ROLE) != 0;
            if (role_a || role_b) {
                role_shared |= ea == eb;
                continue;
            }
            if (ea == eb)
                return EMAIL_EXACT;
            struct text ta = text_of(s, ea), tb = text_of(s, eb);
            const char *at_a = strchr(ta.s, '@'), *at_b = strchr(tb.s, '@');
            if (at_a && at_b && at_a - ta.s == at_b - tb.s && at_a - ta.s >= 4 &&
                memcmp(ta.s, tb.s, (size_t)(at_a - ta.s)) == 0 &&
                !local_is_name(s, ta.s, (size_t)(at_a - ta.s), a))
                local = 1;
            double jw = jaro_winkler(ta.s, ta.len, tb.s, tb.len);
            if (jw > best)
                best = jw;
        }
    }
    for (int j = 0; j < PROFILE_EMAILS; j++) {
        if (b->email[j] && !(b->email_flags[j] & (PEMAIL_INVALID | PEMAIL_ROLE)))
            any_b = 1;
    }
    if (local)
        return EMAIL_LOCAL;
    if (any_a && any_b)
        return best >= 0.94 ? EMAIL_JW : EMAIL_DIFFERENT;
    return role_shared ? EMAIL_ROLE : LV_MISSING;
}

static int digits(uint64_t v)
{
    int n = 0;
    while (v) {
        n++;
        v /= 10;
    }
    return n;
}

static uint8_t cmp_phone(const struct match_profile *a, const struct match_profile *b)
{
    int any = 0, last7 = 0;
    for (int i = 0; i < PROFILE_PHONES; i++) {
        if (!a->phone[i])
            continue;
        for (int j = 0; j < PROFILE_PHONES; j++) {
            if (!b->phone[j])
                continue;
            any = 1;
            if (a->phone[i] == b->phone[j])
                return LV_EXACT;
            if (a->phone[i] % 10000000u == b->phone[j] % 10000000u &&
                digits(a->phone[i]) == digits(b->phone[j]))
                last7 = 1;
        }
    }
    return !any ? LV_MISSING : last7 ? 2 : 3;
}

void compare_pair(const struct profile_store *s, const struct compare_options *o,
                  uint32_t ra, uint32_t rb, uint8_t level[CMP_COUNT], uint64_t tf_value[CMP_COUNT])
{
    static const double jw92_84[] = { 0.92, 0.84 }, jw90[] = { 0.90 };
    const struct match_profile *a = &s->profile[ra], *b = &s->profile[rb];
    uint32_t on = o ? o->enabled : ~0u;
    memset(level, 0, CMP_COUNT);
    if (on & 1u << CMP_GIVEN)   level[CMP_GIVEN] = cmp_given(s, a, b);
    if (on & 1u << CMP_FAMILY)  level[CMP_FAMILY] = cmp_family(s, a, b);
    if (on & 1u << CMP_BIRTH)   level[CMP_BIRTH] = cmp_birth(a->birth_date, b->birth_date);
    if (on & 1u << CMP_HOUSE)   level[CMP_HOUSE] = cmp_code(s, a->house_number, b->house_number);
    if (on & 1u << CMP_STREET)
        level[CMP_STREET] = cmp_text(s, a->street, b->street, jw92_84, 2);
    if (on & 1u << CMP_EXTRA)
        level[CMP_EXTRA] = cmp_text(s, a->address_extra, b->address_extra, jw90, 1);
    if (on & 1u << CMP_CITY)
        level[CMP_CITY] = cmp_text(s, a->city, b->city, jw92_84, 2);
    if (on & 1u << CMP_POSTAL)  level[CMP_POSTAL] = cmp_code(s, a->postal_code, b->postal_code);
    if ((on & 1u << CMP_REGION) && a->region && b->region)
        level[CMP_REGION] = a->region == b->region ? LV_EXACT : 2;
    if (on & 1u << CMP_EMAIL)   level[CMP_EMAIL] = cmp_email(s, a, b);
    if (on & 1u << CMP_PHONE)   level[CMP_PHONE] = cmp_phone(a, b);
    if (on & 1u << CMP_COMPANY)
        level[CMP_COMPANY] = cmp_text(s, a->company, b->company, jw90, 1);
    if ((on & 1u << CMP_SUFFIX) && (a->suffix || b->suffix) && a->given && b->given)
        level[CMP_SUFFIX] = !a->suffix || !b->suffix ? SUFFIX_ONE_SIDE
                          : a->suffix == b->suffix ? SUFFIX_SAME : SUFFIX_DIFFERENT;
    if (tf_value)
        compare_tf_values(s, ra, rb, level, tf_value);
}

void compare_tf_values(const struct profile_store *s, uint32_t ra, uint32_t rb,
                       const uint8_t level[CMP_COUNT], uint64_t tf[CMP_COUNT])
{
    const struct match_profile *a = &s->profile[ra], *b = &s->profile[rb];
    memset(tf, 0, CMP_COUNT * sizeof *tf);
    if (level[CMP_GIVEN] == GIVEN_EXACT)
        tf[CMP_GIVEN] = a->given == b->given ? a->given : (a->given_plain ? a->given_plain : a->given);
    if (level[CMP_FAMILY] == FAMILY_EXACT)
        tf[CMP_FAMILY] = a->family == b->family ? a->family
                       : (a->family_plain ? a->family_plain : a->family);
    if (level[CMP_STREET] == LV_EXACT)
        tf[CMP_STREET] = a->street;
    if (level[CMP_EXTRA] == LV_EXACT)
        tf[CMP_EXTRA] = a->address_extra;
    if (level[CMP_CITY] == LV_EXACT)
        tf[CMP_CITY] = a->city;
    if (level[CMP_COMPANY] == LV_EXACT)
        tf[CMP_COMPANY] = a->company;
    if (level[CMP_EMAIL] == EMAIL_EXACT) {
        for (int i = 0; i < PROFILE_EMAILS && !tf[CMP_EMAIL]; i++) {
            for (int j = 0; j < PROFILE_EMAILS; j++) {
                if (a->email[i] && a->email[i] == b->email[j] &&
                    !(a->email_flags[i] & (PEMAIL_ROLE | PEMAIL_INVALID)))
                    tf[CMP_EMAIL] = a->email[i];
            }
        }
    }
    if (level[CMP_PHONE] == LV_EXACT) {
        for (int i = 0; i < PROFILE_PHONES && !tf[CMP_PHONE]; i++) {
            for (int j = 0; j < PROFILE_PHONES; j++) {
                if (a->phone[i] && a->phone[i] == b->phone[j])
                    tf[CMP_PHONE] = a->phone[i];
            }
        }
    }
}
