/* gen_siebel.c — a generator of Siebel EAI XML contact exports (a SiebelMessage of the
 * Contact integration object), for timing the siebel_xml connector.
 *
 *   gen_siebel N [SEED] > export.xml
 *   gen_siebel 1000000 42 > siebel_1m.xml         # ~960 MB, ~5 s
 *
 * Writes N <Contact> elements under <SiebelMessage><ListOfContact>, pretty-printed one
 * element a line as Siebel's EAI XML converter writes them: Id (a ROW_ID such as
 * "1-2AB3C", unique per contact), PersonUId, Created / Updated ("03/07/2019 14:30:00"),
 * name parts (UTF-8: Jürgen Müller, José, Søren), EmailAddress, WorkPhone /
 * CellularPhone / HomePhone / FaxPhone (German numbers as Siebel stores them, "+4930123456"
 * a line break and the display mask "000 000000"; North American ones as bare digits),
 * JobTitle, Account (some with "&amp;"), and 0-2 Contact_PersonalAddress children under
 * ListOfContact_PersonalAddress; with two, the IsPrimaryMVG="Y" one is second in about
 * half of the contacts. A typical contact is ~20 fields and ~960 bytes.
 *
 * Deterministic: the same N and SEED (default 1) give the same bytes on every machine
 * (own PRNG, splitmix64, one stream per contact). Memory is constant. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG ------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_for(uint64_t seed, uint64_t id)
{
    uint64_t s = seed * 0xD1B54A32D192ED03ull;
    splitmix64(&s);
    s ^= id * 0x9E3779B97F4A7C15ull;
    splitmix64(&s);
    return s;
}

static uint32_t below(uint64_t *r, uint32_t n)
{
    return (uint32_t)(((splitmix64(r) >> 32) * (uint64_t)n) >> 32);
}

static int percent(uint64_t *r, unsigned p)
{
    return below(r, 100) < p;
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)COUNT(arr))])

/* ---- pools ------------------------------------------------------------------------ */

static const char *const us_given[] = {
    "James", "John", "Robert", "Michael", "William", "David", "Mary", "Patricia",
    "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
    "José", "Jesús", "René", "André", "Zoë", "Chloé", "Ann", "Brian", "Kevin", "Nancy",
};
static const char *const us_family[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernández", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "O'Brien", "Cole", "Peña", "Nuñez",
};
static const char *const de_given[] = {
    "Jürgen", "Günter", "Jörg", "Sören", "Søren", "Klaus", "Stefan", "Andreas", "Uwe",
    "Ursula", "Jutta", "Käthe", "Bärbel", "Monika", "Sabine", "Petra", "Maren", "Anja",
};
static const char *const de_family[] = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
    "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Groß",
};
static const char *const middles[] = { "A.", "B.", "J.", "Marie", "Lee", "K." };
static const char *const titles[] = {
    "Sales Manager", "Account Executive", "Purchasing Agent", "CEO", "CFO",
    "IT Director", "Office Manager", "Geschäftsführer", "Einkaufsleiterin",
    "Vertriebsleiter", "Buyer", "Engineer",
};
static const char *const trades[] = {
    "Bakery", "Motors", "Logistics", "Consulting", "Software", "Steel", "Foods",
    "Pharma", "Insurance", "Textiles",
};
static const char *const legal_us[] = { "Inc.", "LLC", "Corp.", "& Sons", "& Co." };
static const char *const legal_de[] = { "GmbH", "AG", "GmbH & Co. KG", "& Söhne", "KG" };
static const char *const us_cities[][3] = {
    { "New York", "NY", "100" }, { "Chicago", "IL", "606" }, { "Houston", "TX", "770" },
    { "Phoenix", "AZ", "850" }, { "Seattle", "WA", "981" }, { "Boston", "MA", "021" },
};
static const char *const us_area[] = { "212", "312", "713", "602", "206", "617" };
static const char *const de_cities[][3] = {
    { "Berlin", "BE", "10" }, { "München", "BY", "80" }, { "Köln", "NW", "50" },
    { "Dresden", "SN", "01" }, { "Düsseldorf", "NW", "40" }, { "Leipzig", "SN", "04" },
};
static const char *const de_area[] = { "30", "89", "221", "351", "211", "341" };
static const char *const streets_us[] = {
    "Main Street", "Oak Avenue", "Maple Drive", "Park Road", "Cedar Lane", "Elm Street",
};
static const char *const streets_de[] = {
    "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Am Markt",
    "Lindenallee",
};
static const char *const mail_domains[] = {
    "gmail.com", "web.de", "gmx.de", "yahoo.com", "outlook.com", "t-online.de",
};

/* ---- output ----------------------------------------------------------------------- */

static void put(const char *s)
{
    fputs(s, stdout);
}

/* s with & < > escaped */
static void put_text(const char *s)
{
    for (;;) {
        size_t n = strcspn(s, "&<>");
        fwrite(s, 1, n, stdout);
        s += n;
        if (!*s)
            return;
        put(*s == '&' ? "&amp;" : *s == '<' ? "&lt;" : "&gt;");
        s++;
    }
}

static void leaf(const char *indent, const char *tag, const char *value)
{
    put(indent);
    if (!value || !*value) {
        printf("<%s/>\n", tag);
        return;
    }
    printf("<%s>", tag);
    put_text(value);
    printf("</%s>\n", tag);
}

/* e-mail local parts and domains: ASCII only (ä -> ae, é -> e, ' dropped) */
static void ascii_lower(char *out, size_t cap, const char *s)
{
    static const struct { const char *from, *to; } fold[] = {
        { "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "ß", "ss" }, { "Ä", "ae" },
        { "Ö", "oe" }, { "Ü", "ue" }, { "é", "e" }, { "è", "e" }, { "ë", "e" },
        { "ø", "oe" }, { "ñ", "n" }, { "ú", "u" }, { "á", "a" },
    };
    size_t n = 0;
    while (*s && n + 3 < cap) {
        size_t k;
        for (k = 0; k < COUNT(fold); k++) {
            size_t fl = strlen(fold[k].from);
            if (strncmp(s, fold[k].from, fl) == 0) {
                for (const char *t = fold[k].to; *t; t++)
                    out[n++] = *t;
                s += fl;
                break;
            }
        }
        if (k < COUNT(fold))
            continue;
        unsigned char c = (unsigned char)*s++;
        if (c >= 'A' && c <= 'Z')
            out[n++] = (char)(c + 32);
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

/* A ROW_ID: "1-" and base 36; i * 37 + 46656 is injective, so ids are unique. */
static void row_id(char *out, uint64_t i, const char *prefix)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char tmp[16];
    size_t n = 0;
    uint64_t v = i * 37 + 46656;
    do {
        tmp[n++] = digits[v % 36];
        v /= 36;
    } while (v);
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    while (n)
        out[p++] = tmp[--n];
    out[p] = '\0';
}

static void siebel_date(char *out, size_t cap, uint64_t *r, int year_min)
{
    snprintf(out, cap, "%02u/%02u/%04u %02u:%02u:%02u", below(r, 12) + 1, below(r, 28) + 1,
             (unsigned)year_min + below(r, 6), below(r, 24), below(r, 60), below(r, 60));
}

/* German numbers as Siebel stores them: "+49" digits, a line break, the display mask */
static void phone(char *out, size_t cap, uint64_t *r, int german, const char *area)
{
    if (german) {
        unsigned local = 1000000 + below(r, 8999999);
        size_t alen = strlen(area);
        snprintf(out, cap, "+49%s%u\n%.*s %s", area, local, (int)alen, "0000",
                 "0000000");
    } else {
        snprintf(out, cap, "%s555%04u", area, below(r, 10000));
    }
}

struct address { char street[96], street2[64], city[32], state[8], zip[16], country[32]; };

static void make_address(struct address *a, uint64_t *r, int german)
{
    if (german) {
        unsigned k = below(r, (uint32_t)COUNT(de_cities));
        snprintf(a->street, sizeof a->street, "%s %u", PICK(r, streets_de), below(r, 120) + 1);
        snprintf(a->city, sizeof a->city, "%s", de_cities[k][0]);
        snprintf(a->state, sizeof a->state, "%s", de_cities[k][1]);
        snprintf(a->zip, sizeof a->zip, "%s%03u", de_cities[k][2], below(r, 1000));
        snprintf(a->country, sizeof a->country, "Germany");
    } else {
        unsigned k = below(r, (uint32_t)COUNT(us_cities));
        snprintf(a->street, sizeof a->street, "%u %s", below(r, 9000) + 100,
                 PICK(r, streets_us));
        snprintf(a->city, sizeof a->city, "%s", us_cities[k][0]);
        snprintf(a->state, sizeof a->state, "%s", us_cities[k][1]);
        snprintf(a->zip, sizeof a->zip, "%s%02u", us_cities[k][2], below(r, 100));
        snprintf(a->country, sizeof a->country, "USA");
    }
    a->street2[0] = '\0';
    if (percent(r, 15))
        snprintf(a->street2, sizeof a->street2, german ? "Hinterhaus, %u. OG" : "Suite %u",
                 below(r, 5) + 1);
}

static void put_address(const struct address *a, int primary, const char *id)
{
    put(primary ? "     <Contact_PersonalAddress IsPrimaryMVG=\"Y\">\n"
                : "     <Contact_PersonalAddress IsPrimaryMVG=\"N\">\n");
    leaf("      ", "AddressId", id);
    leaf("      ", "StreetAddress", a->street);
    if (a->street2[0])
        leaf("      ", "StreetAddress2", a->street2);
    leaf("      ", "City", a->city);
    leaf("      ", "State", a->state);
    leaf("      ", "PostalCode", a->zip);
    leaf("      ", "Country", a->country);
    put("     </Contact_PersonalAddress>\n");
}

static void contact(uint64_t seed, uint64_t i)
{
    uint64_t r = rng_for(seed, i);
    int german = percent(&r, 40);
    const char *given = german ? PICK(&r, de_given) : PICK(&r, us_given);
    const char *family = german ? PICK(&r, de_family) : PICK(&r, us_family);
    unsigned city = below(&r, 6);
    const char *area = german ? de_area[city] : us_area[city];
    char id[24], buf[160], local[64], dom[64];

    put("  <Contact>\n");
    row_id(id, i, "1-");
    leaf("   ", "Id", id);
    siebel_date(buf, sizeof buf, &r, 2012);
    leaf("   ", "Created", buf);
    siebel_date(buf, sizeof buf, &r, 2018);
    leaf("   ", "Updated", buf);
    leaf("   ", "PersonUId", id);
    leaf("   ", "FirstName", given);
    leaf("   ", "MiddleName", percent(&r, 20) ? PICK(&r, middles) : NULL);
    leaf("   ", "LastName", family);
    if (!percent(&r, 8)) {
        char g[32], f[32];
        ascii_lower(g, sizeof g, given);
        ascii_lower(f, sizeof f, family);
        snprintf(local, sizeof local, "%s.%s", g, f);
        if (percent(&r, 60)) {
            ascii_lower(dom, sizeof dom, PICK(&r, trades));
            snprintf(buf, sizeof buf, "%s@%s%u.example", local, dom, below(&r, 5000));
        } else {
            snprintf(buf, sizeof buf, "%s%u@%s", local, below(&r, 100), PICK(&r, mail_domains));
        }
        leaf("   ", "EmailAddress", buf);
    }
    phone(buf, sizeof buf, &r, german, area);
    leaf("   ", "WorkPhone", buf);
    if (percent(&r, 70)) {
        if (german)
            snprintf(buf, sizeof buf, "+491%u%07u\n0000 0000000", 50 + below(&r, 30),
                     below(&r, 10000000));
        else
            phone(buf, sizeof buf, &r, 0, area);
        leaf("   ", "CellularPhone", buf);
    }
    if (percent(&r, 20)) {
        phone(buf, sizeof buf, &r, german, area);
        leaf("   ", "HomePhone", buf);
    }
    if (percent(&r, 15)) {
        phone(buf, sizeof buf, &r, german, area);
        leaf("   ", "FaxPhone", buf);
    }
    leaf("   ", "JobTitle", PICK(&r, titles));
    if (percent(&r, 85)) {
        snprintf(buf, sizeof buf, "%s %s %s", german ? PICK(&r, de_family) : PICK(&r, us_family),
                 PICK(&r, trades), german ? PICK(&r, legal_de) : PICK(&r, legal_us));
        leaf("   ", "Account", buf);
        row_id(id, below(&r, 200000), "1-A");
        leaf("   ", "AccountId", id);
    }
    leaf("   ", "Status", percent(&r, 90) ? "Active" : "Inactive");
    unsigned naddr = percent(&r, 5) ? 0 : percent(&r, 27) ? 2 : 1;
    if (naddr == 0) {
        put("   <ListOfContact_PersonalAddress/>\n");
    } else {
        struct address a[2];
        char aid[2][24];
        for (unsigned k = 0; k < naddr; k++) {
            make_address(&a[k], &r, german);
            row_id(aid[k], i * 2 + k, "1-P");
        }
        unsigned primary = naddr == 2 && percent(&r, 50) ? 1 : 0;
        put("   <ListOfContact_PersonalAddress>\n");
        for (unsigned k = 0; k < naddr; k++)
            put_address(&a[k], k == primary, aid[k]);
        put("   </ListOfContact_PersonalAddress>\n");
    }
    put("  </Contact>\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_siebel N [SEED] > export.xml\n");
        return 2;
    }
    char *end;
    unsigned long long n = strtoull(argv[1], &end, 10);
    if (*end) {
        fprintf(stderr, "gen_siebel: N must be a number\n");
        return 2;
    }
    uint64_t seed = 1;
    if (argc == 3) {
        seed = strtoull(argv[2], &end, 10);
        if (*end) {
            fprintf(stderr, "gen_siebel: SEED must be a number\n");
            return 2;
        }
    }
    static char obuf[1 << 20];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<SiebelMessage MessageId=\"1-GEN\" MessageType=\"Integration Object\" "
        "IntObjectName=\"Contact\" IntObjectFormat=\"Siebel Hierarchical\">\n"
        " <ListOfContact>\n");
    for (uint64_t i = 0; i < n; i++)
        contact(seed, i);
    put(" </ListOfContact>\n</SiebelMessage>\n");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("gen_siebel: write");
        return 1;
    }
    return 0;
}
