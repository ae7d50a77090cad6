/* gen_goldmine.c — a generator of GoldMine SQL-edition table exports for the benchmark.
 *
 *   gen_goldmine N SEED OUTDIR
 *
 * Writes OUTDIR/CONTACT1.csv (N contacts), OUTDIR/CONTACT2.csv (about 90% of them) and
 * OUTDIR/CONTSUPP.csv (about 3 rows per contact) as a GoldMine SQL edition exports its
 * tables: a header of column names, CRLF, strings quoted, the literal NULL unquoted,
 * datetimes `2019-03-07 00:00:00.000`, upper-case shadow columns (U_COMPANY, ...).
 *
 * ACCOUNTNOs are 20 bytes as GoldMine makes them: the creation date (YYMMDD, years
 * from 2000 coded A0, A1, ... B0), five digits of seconds since midnight, six
 * characters from a set with spaces and punctuation (`$%&(*` ...; never a quote or a
 * comma) and the first three letters of the name; unique per contact. CONTACT1 is
 * written in creation order (not ACCOUNTNO order); CONTSUPP in three interleaved
 * rounds over the contacts, so one contact's rows are far apart, as a table
 * clustered on RECID is. CONTSUPP rows, per contact on average: 1.3 e-mail addresses
 * (RECTYPE P, "E-mail Address", ZIP "0100" on the primary one), 0.4 web sites, 0.4
 * user-named details, 0.3 additional contacts (RECTYPE C), 0.6 history-like R/L/O/H
 * rows; about 1 in 2000 CONTSUPP rows and 1 in 5000 CONTACT2 rows is an orphan (an
 * ACCOUNTNO CONTACT1 does not have).
 *
 * Deterministic: the same N and SEED give the same bytes (own PRNG, splitmix64; each
 * contact's attributes are a function of SEED and its index, so nothing is held in
 * memory; never two draws in one argument list, whose order C leaves open: gcc and
 * clang write the same bytes). 1M contacts: about 1.3 GB in about 5 s. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG ------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_for(uint64_t seed, uint64_t stream, uint64_t id)
{
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ull);
    splitmix64(&s);
    s ^= id * 0x9E3779B97F4A7C15ull;
    splitmix64(&s);
    return s;
}

static uint32_t below(uint64_t *r, uint32_t n)
{
    return (uint32_t)(((splitmix64(r) >> 32) * (uint64_t)n) >> 32);
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)COUNT(arr))])

/* ---- pools ------------------------------------------------------------------------- */

static const char *const given[] = {
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Nancy", "Lisa", "Ann", "Anna", "Stefan", "Jürgen", "Sabine", "Petra",
    "Björn", "Zoë", "René", "José", "Inés", "Kai", "Lena", "Paul", "Emma", "Noah", "Olivia",
};
static const char *const family[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Wilson", "Anderson", "Taylor", "Moore", "Martin", "Lee", "Clark", "Lewis", "Walker",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schäfer", "Köhler", "O'Brien", "McDonald", "Peña", "Van Buren", "Nguyen", "Patel",
};
static const char *const company_word[] = {
    "Acme", "Globex", "Initech", "Umbrella", "Cole", "Hooli", "Vandelay", "Stark",
    "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Müller", "Bäckerei", "Nordwind", "Aurora",
};
static const char *const company_kind[] = {
    "Bakery", "Industries", "Systems", "Consulting", "Logistics", "GmbH", "Inc.",
    "& Sons", "Partners", "Holding AG", "Ltd", "Trading",
};
static const char *const title[] = {
    "Owner", "CEO", "Sales Manager", "Buyer", "Head of IT", "Accountant", "Assistant",
    "Geschäftsführer", "Einkauf", "Office Manager",
};
static const char *const dept[] = { "Sales", "Purchasing", "IT", "Finance", "Vertrieb" };
static const struct { const char *city, *state, *zip, *country; } place[] = {
    { "Springfield", "IL", "62701", "USA" },
    { "New York", "NY", "10001", "USA" },
    { "Austin", "TX", "78701", "United States" },
    { "Berlin", NULL, "10115", "Germany" },
    { "Dresden", NULL, "01067", "Deutschland" },
    { "München", NULL, "80331", "Germany" },
    { "London", NULL, "EC1A 1BB", "United Kingdom" },
};
static const char *const street[] = {
    "Main St", "Oak Ave", "Hauptstraße", "Bahnhofstr.", "High Street", "Elm Road",
};
static const char *const key1[] = { "Customer", "Prospect", "Vendor", "Former Customer" };
static const char *const source[] = { "Trade show", "Web", "Referral", "Mailing" };
static const char *const detail[] = {
    "Spouse", "Birthday", "Hobby", "Assistant", "Credit Limit", "Newsletter",
};
static const char *const other_type[] = { "R", "L", "O", "H" };
static const char key_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()*+-./:;<=>?@[]^_{|}~";
_Static_assert(sizeof key_chars == 64 + 1, "64 key characters: 6 bits each");

/* ---- output ------------------------------------------------------------------------ */

struct out {
    FILE *f;
    const char *path;
    char buf[1 << 16];
    size_t len;
};

static void out_flush(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        fprintf(stderr, "gen_goldmine: %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
    o->len = 0;
}

static void out_raw(struct out *o, const char *s, size_t n)
{
    if (o->len + n > sizeof o->buf) {
        out_flush(o);
        if (n > sizeof o->buf) {
            fwrite(s, 1, n, o->f);
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_str(struct out *o, const char *s)
{
    out_raw(o, s, strlen(s));
}

/* A field: NULL for absent, else quoted (quotes doubled). sep: write a comma first. */
static void field(struct out *o, const char *v, int sep)
{
    if (sep)
        out_raw(o, ",", 1);
    if (!v) {
        out_raw(o, "NULL", 4);
        return;
    }
    out_raw(o, "\"", 1);
    for (const char *q; (q = strchr(v, '"')) != NULL; v = q + 1)
        out_raw(o, v, (size_t)(q + 1 - v)), out_raw(o, "\"", 1);
    out_str(o, v);
    out_raw(o, "\"", 1);
}

static void upper_field(struct out *o, const char *v)
{
    char u[256];
    size_t n = 0;
    if (!v) {
        field(o, NULL, 1);
        return;
    }
    for (; v[n] && n < sizeof u - 1; n++)
        u[n] = v[n] >= 'a' && v[n] <= 'z' ? (char)(v[n] - 32) : v[n];
    u[n] = '\0';
    field(o, u, 1);
}

static void eol(struct out *o)
{
    out_raw(o, "\r\n", 2);
}

static void open_out(struct out *o, const char *dir, const char *name, char *path,
                     size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    o->path = path;
    o->len = 0;
    o->f = fopen(path, "wb");
    if (!o->f) {
        fprintf(stderr, "gen_goldmine: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void close_out(struct out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0) {
        fprintf(stderr, "gen_goldmine: %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
}

/* ---- one contact --------------------------------------------------------------------- */

struct contact {
    char acct[21];
    char name[96], first[48], last[48], company[96], email_local[96], domain[64];
    char created[64], updated[64], recid[16];
    int year, month, day, place, has_company;
    int nmail, primary, nweb, ndetail, nadd, nother;
};

static uint64_t g_seed;
static unsigned long long g_n;

/* Six key characters, unique per contact index: i mixed bijectively mod 64^6. */
static void unique_chars(unsigned long long i, char *out)
{
    uint64_t m = 1ull << 36;                               /* 64^6 */
    uint64_t x = (i * 0x9E3779B1ull + (g_seed & 0xffff) * 0x10001ull) & (m - 1);
    x = (x * 0x5DEECE66Dull + 0xB) & (m - 1);              /* odd multiplier: bijective */
    for (int k = 0; k < 6; k++) {
        out[k] = key_chars[x & 63];
        x >>= 6;
    }
}

static void recid_for(uint64_t stream, unsigned long long i, char *out)
{
    static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t x = stream * 0x100000000ull + i;
    for (int k = 14; k >= 0; k--) {
        out[k] = b36[x % 36];
        x /= 36;
    }
    out[15] = '\0';
}

/* A US number in GoldMine's mask, the random parts drawn in a fixed order (never two
 * draws in one argument list: C leaves their order to the compiler). */
static void phone_number(uint64_t *r, char *out, size_t cap)
{
    unsigned a = below(r, 1000);
    unsigned b = below(r, 10000);
    snprintf(out, cap, "(555)%03u-%04u", a, b);
}

/* v in exactly w decimal digits at p */
static void put_num(char *p, unsigned v, int w)
{
    while (w-- > 0) {
        p[w] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Contact i. full = 0 (the CONTSUPP rounds): only what CONTSUPP rows use is formatted;
 * the random draws are the same either way. */
static void make_contact(unsigned long long i, struct contact *c, int full)
{
    uint64_t r = rng_for(g_seed, 1, i);
    memset(c, 0, sizeof *c);
    const char *gv = PICK(&r, given), *fm = PICK(&r, family);
    if (full) {
        snprintf(c->first, sizeof c->first, "%s", gv);
        snprintf(c->last, sizeof c->last, "%s", fm);
        snprintf(c->name, sizeof c->name, "%s %s", gv, fm);
    }
    /* created in index order over 2003..2023: CONTACT1 comes in creation order */
    unsigned long long day_no = g_n ? i * 7670ull / g_n : 0;
    c->year = 2003 + (int)(day_no / 365);
    c->month = 1 + (int)(day_no % 365) / 31 % 12;
    c->day = 1 + (int)(day_no % 28);
    unsigned secs = below(&r, 86400);
    int yy = c->year - 2000;
    c->acct[0] = (char)('A' + yy / 10);
    put_num(c->acct + 1, (unsigned)yy % 10, 1);
    put_num(c->acct + 2, (unsigned)c->month, 2);
    put_num(c->acct + 4, (unsigned)c->day, 2);
    put_num(c->acct + 6, secs, 5);
    unique_chars(i, c->acct + 11);
    size_t n = 17;
    for (const char *p = gv; n < 20; p += *p != '\0') {   /* ASCII letters of the name */
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || !*p)
            c->acct[n++] = *p ? *p : 'x';
    }
    c->acct[20] = '\0';
    if (full)
        snprintf(c->created, sizeof c->created, "%04d-%02d-%02d 00:00:00.000", c->year,
                 c->month, c->day);
    int uy = c->year + (int)below(&r, 2024 - (unsigned)c->year + 1);
    memcpy(c->updated, "0000-00-00 00:00:00.000", 24);
    put_num(c->updated, (unsigned)uy, 4);
    put_num(c->updated + 5, 1 + below(&r, 12), 2);
    put_num(c->updated + 8, 1 + below(&r, 28), 2);
    recid_for(1, i, c->recid);
    c->place = (int)below(&r, COUNT(place));
    c->has_company = below(&r, 100) < 85;
    unsigned long long co = i / 6;                          /* colleagues share a company */
    uint64_t rc = rng_for(g_seed, 2, co);
    if (full) {
        const char *word = PICK(&rc, company_word);
        const char *kind = PICK(&rc, company_kind);
        snprintf(c->company, sizeof c->company, "%s %s", word, kind);
    }
    snprintf(c->domain, sizeof c->domain, "%s%llu.example", c->has_company ? "co" : "mail",
             c->has_company ? co : i % 97);
    /* one in ten has a local part long enough to overflow CONTSUPREF into ADDRESS1 */
    snprintf(c->email_local, sizeof c->email_local, below(&r, 10) ? "user%llu"
             : "customer.service.department.%llu", i);
    /* CONTSUPP rows */
    unsigned m = below(&r, 100);
    c->nmail = m < 10 ? 0 : m < 70 ? 1 : m < 95 ? 2 : 3;
    c->primary = c->nmail ? (int)below(&r, (uint32_t)c->nmail) : -1;
    c->nweb = below(&r, 100) < 40;
    c->ndetail = below(&r, 100) < 40;
    c->nadd = below(&r, 100) < 30;
    c->nother = (int)below(&r, 100) < 60;
}

static void write_contact1(struct out *o, unsigned long long i, const struct contact *c)
{
    uint64_t r = rng_for(g_seed, 3, i);
    const char *co = c->has_company ? c->company : NULL;
    const char *k1 = PICK(&r, key1);
    char phone1[32], phone2[32], fax[32], ext1[8], a1[64];
    phone_number(&r, phone1, sizeof phone1);
    phone_number(&r, phone2, sizeof phone2);
    phone_number(&r, fax, sizeof fax);
    snprintf(ext1, sizeof ext1, "%u", 10 + below(&r, 90));
    unsigned house = 1 + below(&r, 200);
    snprintf(a1, sizeof a1, "%u %s", house, PICK(&r, street));
    int has2 = below(&r, 100) < 30, hasfax = below(&r, 100) < 40, hasext = below(&r, 2);
    const char *dp = below(&r, 2) ? PICK(&r, dept) : NULL;
    const char *tt = below(&r, 100) < 70 ? PICK(&r, title) : NULL;
    field(o, c->acct, 0);
    field(o, co, 1);
    field(o, c->name, 1);
    field(o, c->last, 1);
    field(o, dp, 1);
    field(o, tt, 1);
    field(o, NULL, 1);                                      /* SECR */
    field(o, phone1, 1);
    field(o, has2 ? phone2 : NULL, 1);
    field(o, NULL, 1);                                      /* PHONE3 */
    field(o, hasfax ? fax : NULL, 1);
    field(o, hasext ? ext1 : NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);                                      /* EXT2..4 */
    field(o, a1, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, place[c->place].city, 1);
    field(o, place[c->place].state, 1);
    field(o, place[c->place].zip, 1);
    field(o, place[c->place].country, 1);
    field(o, c->first, 1);                                  /* DEAR */
    field(o, PICK(&r, source), 1);
    field(o, k1, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);                                      /* KEY2..5 */
    field(o, "U0", 1);
    field(o, NULL, 1);                                      /* MERGECODES */
    field(o, "MASTER", 1);
    field(o, c->created, 1);
    field(o, NULL, 1);                                      /* OWNER */
    field(o, "MASTER", 1);
    field(o, c->updated, 1);
    field(o, "10:00", 1);
    field(o, c->recid, 1);
    upper_field(o, co);
    upper_field(o, c->name);
    upper_field(o, c->last);
    upper_field(o, place[c->place].city);
    upper_field(o, k1);
    eol(o);
}

static void write_contact2(struct out *o, unsigned long long i, const char *acct)
{
    uint64_t r = rng_for(g_seed, 4, i);
    char recid[16], cb[32];
    recid_for(2, i, recid);
    unsigned month = 1 + below(&r, 12);
    unsigned day = 1 + below(&r, 28);
    snprintf(cb, sizeof cb, "2024-%02u-%02u 00:00:00.000", month, day);
    static const char *const types[] = { "Wholesale", "Retail", "Online", "Partner" };
    static const char *const regions[] = { "Midwest", "EMEA", "West", "North", "DACH" };
    field(o, acct, 0);
    field(o, below(&r, 3) ? NULL : cb, 1);
    field(o, NULL, 1);
    field(o, below(&r, 2) ? "Left message" : NULL, 1);
    field(o, below(&r, 10) ? NULL : "VIP", 1);
    field(o, NULL, 1);
    field(o, PICK(&r, types), 1);
    field(o, PICK(&r, regions), 1);
    field(o, recid, 1);
    eol(o);
}

/* One CONTSUPP row: ACCOUNTNO, RECTYPE, CONTACT, TITLE, CONTSUPREF, DEAR, PHONE, EXT,
 * FAX, LINKACCT, NOTES, ADDRESS1-3, CITY, STATE, ZIP, COUNTRY, MERGECODES, STATUS,
 * LINKEDDOC, LASTUSER, LASTDATE, LASTTIME, RECID, U_CONTACT, U_CONTSUPREF, U_ADDRESS1 */
static void cs_row(struct out *o, const char *acct, const char *type, const char *contact,
                   const char *ttl, const char *ref, const char *phone, const char *notes,
                   const char *a1, const char *zip, const char *recid, const char *date)
{
    field(o, acct, 0);
    field(o, type, 1);
    field(o, contact, 1);
    field(o, ttl, 1);
    field(o, ref, 1);
    field(o, NULL, 1);
    field(o, phone, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, notes, 1);
    field(o, a1, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, zip, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, NULL, 1);
    field(o, "MASTER", 1);
    field(o, date, 1);
    field(o, "10:00", 1);
    field(o, recid, 1);
    upper_field(o, contact);
    upper_field(o, ref);
    upper_field(o, a1);
    eol(o);
}

static unsigned long long g_csrow;

static void write_contsupp(struct out *o, unsigned long long i, int round,
                           const struct contact *c)
{
    char recid[16], ref[256], buf[256], a1[32], phone[32];
    uint64_t r = rng_for(g_seed, 5 + (uint64_t)round, i);
    /* round 0: e-mails; round 1: web site, detail, R/L/O/H; round 2: additional contact */
    if (round == 0) {
        for (int m = 0; m < c->nmail; m++) {
            recid_for(3, g_csrow++, recid);
            snprintf(buf, sizeof buf, "%s%s@%s", c->email_local, m ? "+alt" : "", c->domain);
            const char *extra = NULL;
            if (strlen(buf) > 35) {                 /* CONTSUPREF holds 35: overflow */
                memcpy(ref, buf, 35);
                ref[35] = '\0';
                extra = buf + 35;
            } else {
                snprintf(ref, sizeof ref, "%s", buf);
            }
            cs_row(o, c->acct, "P", m % 2 ? "e-mail address" : "E-mail Address", NULL, ref,
                   NULL, NULL, extra, m == c->primary ? "0100" : "0000", recid, c->updated);
        }
    } else if (round == 1) {
        if (c->nweb) {
            recid_for(3, g_csrow++, recid);
            snprintf(ref, sizeof ref, "www.%s", c->domain);
            cs_row(o, c->acct, "P", "Web Site", NULL, ref, NULL, NULL, NULL, NULL, recid,
                   c->updated);
        }
        if (c->ndetail) {
            recid_for(3, g_csrow++, recid);
            snprintf(ref, sizeof ref, "value %u", below(&r, 1000));
            cs_row(o, c->acct, "P", PICK(&r, detail), NULL, ref, NULL, NULL, NULL, NULL,
                   recid, c->updated);
        }
        if (c->nother) {
            recid_for(3, g_csrow++, recid);
            cs_row(o, c->acct, PICK(&r, other_type), "Referral", NULL, "see history", NULL,
                   "Met at the trade show.", NULL, NULL, recid, c->updated);
        }
    } else if (c->nadd) {
        uint64_t rn = rng_for(g_seed, 9, i);
        recid_for(3, g_csrow++, recid);
        const char *gv = PICK(&rn, given);
        const char *fm = PICK(&rn, family);
        snprintf(buf, sizeof buf, "%s %s", gv, fm);
        phone_number(&rn, phone, sizeof phone);
        snprintf(a1, sizeof a1, "%u Side St", 1 + below(&rn, 99));
        cs_row(o, c->acct, "C", buf, PICK(&rn, title), NULL, phone, NULL, a1,
               place[c->place].zip, recid, c->updated);
    }
}

/* ---- main ---------------------------------------------------------------------------- */

static const char *const c1_header =
    "ACCOUNTNO,COMPANY,CONTACT,LASTNAME,DEPARTMENT,TITLE,SECR,PHONE1,PHONE2,PHONE3,FAX,"
    "EXT1,EXT2,EXT3,EXT4,ADDRESS1,ADDRESS2,ADDRESS3,CITY,STATE,ZIP,COUNTRY,DEAR,SOURCE,"
    "KEY1,KEY2,KEY3,KEY4,KEY5,STATUS,MERGECODES,CREATEBY,CREATEON,OWNER,LASTUSER,"
    "LASTDATE,LASTTIME,RECID,U_COMPANY,U_CONTACT,U_LASTNAME,U_CITY,U_KEY1\r\n";
static const char *const c2_header =
    "ACCOUNTNO,CALLBACKON,LASTCONTON,PREVRESULT,USERDEF01,USERDEF02,UCUSTTYPE,UREGION,"
    "RECID\r\n";
static const char *const cs_header =
    "ACCOUNTNO,RECTYPE,CONTACT,TITLE,CONTSUPREF,DEAR,PHONE,EXT,FAX,LINKACCT,NOTES,"
    "ADDRESS1,ADDRESS2,ADDRESS3,CITY,STATE,ZIP,COUNTRY,MERGECODES,STATUS,LINKEDDOC,"
    "LASTUSER,LASTDATE,LASTTIME,RECID,U_CONTACT,U_CONTSUPREF,U_ADDRESS1\r\n";

/* a step coprime to n, so i -> (i * step + off) mod n visits every contact once */
static unsigned long long coprime_step(unsigned long long n, unsigned long long want)
{
    if (n < 2)
        return 1;
    for (unsigned long long s = want % n ? want % n : 1;; s++) {
        unsigned long long a = s, b = n;
        while (b) {
            unsigned long long t = a % b;
            a = b;
            b = t;
        }
        if (a == 1)
            return s;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_goldmine N SEED OUTDIR\n");
        return 2;
    }
    char *end;
    errno = 0;
    g_n = strtoull(argv[1], &end, 10);
    if (errno || *end || argv[1][0] == '-') {
        fprintf(stderr, "gen_goldmine: N must be a count, not \"%s\"\n", argv[1]);
        return 2;
    }
    g_seed = strtoull(argv[2], &end, 10);
    if (*end) {
        fprintf(stderr, "gen_goldmine: SEED must be a number, not \"%s\"\n", argv[2]);
        return 2;
    }
    const char *dir = argv[3];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_goldmine: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    static struct out c1, c2, cs;
    char p1[4096], p2[4096], p3[4096];
    open_out(&c1, dir, "CONTACT1.csv", p1, sizeof p1);
    open_out(&c2, dir, "CONTACT2.csv", p2, sizeof p2);
    open_out(&cs, dir, "CONTSUPP.csv", p3, sizeof p3);
    out_str(&c1, c1_header);
    out_str(&c2, c2_header);
    out_str(&cs, cs_header);

    struct contact c;
    for (unsigned long long i = 0; i < g_n; i++) {
        make_contact(i, &c, 1);
        write_contact1(&c1, i, &c);
        uint64_t r = rng_for(g_seed, 8, i);
        if (below(&r, 100) < 90)
            write_contact2(&c2, i, c.acct);
        if (below(&r, 5000) == 0) {
            char orphan[32];
            snprintf(orphan, sizeof orphan, "ZZ%018llu", i % 1000000000000000000ull);
            write_contact2(&c2, i, orphan);
        }
    }
    /* CONTSUPP: three rounds, each visiting the contacts in a scattered order */
    for (int round = 0; round < 3; round++) {
        unsigned long long step = coprime_step(g_n, 7919ull * (unsigned)(round + 1) + g_n / 3);
        for (unsigned long long k = 0; k < g_n; k++) {
            unsigned long long i = (k * step + (unsigned long long)round * 17) % g_n;
            make_contact(i, &c, 0);
            write_contsupp(&cs, i, round, &c);
            if (round == 0 && k % 2000 == 1999) {
                char orphan[32], recid[16];
                snprintf(orphan, sizeof orphan, "ZZ%018llu", k % 1000000000000000000ull);
                recid_for(4, k, recid);
                cs_row(&cs, orphan, "P", "E-mail Address", NULL, "orphan@nowhere.example",
                       NULL, NULL, NULL, "0100", recid, c.updated);
            }
        }
    }
    close_out(&c1);
    close_out(&c2);
    close_out(&cs);
    return 0;
}
