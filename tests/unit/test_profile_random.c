/* test_profile_random.c — the normalisers on arbitrary bytes: random contacts whose fields
 * mix ASCII, valid multi-byte UTF-8, broken UTF-8, punctuation, digits, letters in phone
 * numbers and very long values. Every record must normalise (CM_OK), a field of invalid
 * UTF-8 must be flagged, and the profile's text must be valid UTF-8. Deterministic
 * (splitmix64, fixed seed); `make sanitize` runs it under ASan + UBSan. */
#include <stdlib.h>
#include "transforms/normalise/profile.h"
#include "transforms/normalise/text.h"
#include "tests/unit/testlib.h"

static uint64_t seed = 0x5eed;

static uint64_t next(void)
{
    uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const char *const pieces[] = {
    "Jürgen", "MÜLLER", "Dr.", "von der", "O'Brien", "GmbH & Co. KG", "+49 (0)30 ",
    "4.91701E+11", "x12", "@", "..", "ÃŸ", "â€™", "ß", "ẞ", "Ø", "ﬁ", "Ｍ", "Москва", "東京",
    "\xcc\x88", "\xff", "\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "---", " ", "\t", "0", "12a",
    "Str.", "St.", "Postfach", "D-", "Deutschland", "USA", "info", "ext.", "Durchwahl",
    "mailto:", "<", ">", ",", "&", "und", "The ", "Inc.", "e.K.", "xn--", "\x01",
};

/* a random value into buf (cap bytes, NUL-terminated); sometimes very long */
static char *random_value(char *buf, size_t cap, int *bad_utf8)
{
    size_t len = 0, want = next() % 8 == 0 ? cap - 1 : next() % 60;
    while (len < want) {
        const char *p = pieces[next() % (sizeof pieces / sizeof *pieces)];
        size_t n = strlen(p);
        if (len + n >= cap)
            break;
        memcpy(buf + len, p, n);
        len += n;
    }
    buf[len] = '\0';
    *bad_utf8 |= !text_valid_utf8(buf, len);
    return len ? buf : NULL;
}

TEST(random_contacts)
{
    struct normaliser *n;
    char err[CM_ERRBUF];
    CHECK_INT(normaliser_new(NULL, &n, err), CM_OK);
    static char vals[16][4096];
    struct buf json = BUF_INIT(0);
    for (int i = 0; i < 10000; i++) {
        int bad_name = 0, other = 0;
        struct contact c = { .source = "s", .source_key = "k" };
        c.given_name = random_value(vals[0], sizeof vals[0], &bad_name);
        c.family_name = random_value(vals[1], sizeof vals[1], &bad_name);
        c.full_name = next() % 3 ? NULL : random_value(vals[2], sizeof vals[2], &other);
        c.prefix = next() % 4 ? NULL : random_value(vals[3], sizeof vals[3], &other);
        c.company = random_value(vals[4], sizeof vals[4], &other);
        for (int k = 0; k < 3; k++) {
            const char *e = random_value(vals[5 + k], sizeof vals[5 + k], &other);
            if (e)
                c.emails[c.nemails++] = e;
            const char *ph = random_value(vals[8 + k], sizeof vals[8 + k], &other);
            if (ph)
                c.phones[c.nphones++] = (struct contact_phone){ PHONE_WORK, ph };
        }
        c.naddresses = 1;
        c.addresses[0].nlines = 1;
        c.addresses[0].lines[0] = random_value(vals[11], sizeof vals[11], &other);
        c.addresses[0].city = random_value(vals[12], sizeof vals[12], &other);
        c.addresses[0].postal_code = random_value(vals[13], sizeof vals[13], &other);
        c.addresses[0].country = random_value(vals[14], sizeof vals[14], &other);
        struct match_profile p;
        enum cm_status rc = normalise_contact(n, &c, next() % 2 ? "DE" : NULL, &p);
        CHECK_INT(rc, CM_OK);
        if (rc)
            break;
        if (bad_name && !(p.flags & PROFILE_INVALID_UTF8)) {
            fprintf(stderr, "  record %d: invalid UTF-8 in a name not flagged\n", i);
            CHECK(0);
            break;
        }
        buf_reset(&json);
        CHECK_INT(profile_to_json(n, &p, &json), CM_OK);
        if (!text_valid_utf8(json.data, json.len)) {
            fprintf(stderr, "  record %d: the profile is not valid UTF-8: %s\n", i, json.data);
            CHECK(0);
            break;
        }
    }
    buf_free(&json);
    normaliser_free(n);
}

int main(void)
{
    RUN(random_contacts);
    return test_report();
}
