/* gen_vcard.c — a generator of large .vcf files for the vCard connector's benchmark.
 *
 *   gen_vcard N [SEED] > contacts.vcf
 *
 * Writes N cards, CRLF, as the usual exporters write them: about 40% vCard 3.0 in
 * Apple's manner (type=pref, item1.X-ABLabel groups, long NOTE lines folded at 75
 * octets, some inside a UTF-8 sequence), 30% 2.1 in Android's (names and notes in
 * quoted-printable UTF-8 with soft line breaks, bare TEL;CELL types) and 30% 4.0
 * (UID, PREF=1, tel: URIs). Each card has a name, 1-3 e-mails, 1-3 phones, 0-2
 * addresses, often a company, title, note and birthday; half have a UID; about 1% carry
 * an 8 KB base64 PHOTO (read past, never held). All text is UTF-8 (German and Nordic
 * names with umlauts and ß). Deterministic: the same N and SEED give the same bytes
 * (own PRNG, splitmix64). Prints "gen_vcard: N cards (seed S)" on stderr. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t below(uint64_t *r, uint32_t n)
{
    return (uint32_t)(((splitmix64(r) >> 32) * (uint64_t)n) >> 32);
}

static const char *pick(uint64_t *r, const char *const *list, size_t n)
{
    return list[below(r, (uint32_t)n)];
}

#define PICK(r, list) pick(r, list, COUNT(list))

static const char *const given[] = {
    "Anna", "Jürgen", "Günter", "Sören", "Jörg", "Maren", "Björn", "Åse", "Zoë", "Ann",
    "Robert", "Maria", "Thomas", "Sabine", "Michael", "Petra", "Stefan", "Ingrid",
    "Hans-Peter", "Renée", "José", "Ayşe", "Łukasz", "Chloé", "Mette", "Lars"
};
static const char *const family[] = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Größer", "Böhm", "Köhler",
    "Jäger", "Hoffmann", "Ångström", "Øster", "Cole", "Smith", "O'Brien", "Martínez",
    "Çelik", "Nowak", "Lefèvre", "Andersen", "Becker", "Schäfer", "Krüger", "Vogel"
};
static const char *const companies[] = {
    "Bäckerei Müller GmbH", "Cole Bakery", "Nordlys AS", "Schäfer & Söhne KG",
    "Weiß Logistik", "Example Corp.", "Jäger Maschinenbau AG", "Øresund Consulting",
    "Café Lefèvre", "Krüger IT-Service"
};
static const char *const titles[] = {
    "Geschäftsführer", "Einkauf", "Vertriebsleiterin", "Owner", "CTO", "Buchhaltung",
    "Projektmanager", "Sales Manager"
};
static const char *const streets[] = {
    "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schloßallee", "Main Street",
    "Storgata", "Königsweg", "Mühlenstraße"
};
static const char *const cities[] = {
    "Berlin", "München", "Köln", "Düsseldorf", "Hamburg", "Oslo", "Springfield",
    "Göteborg"
};
static const char *const domains[] = {
    "example.com", "example.org", "mail.example", "web.example", "firma.example"
};
static const char *const notes[] = {
    "Kunde seit 2009, zahlt pünktlich; bevorzugt Anrufe am Vormittag, nicht vor 9 Uhr.",
    "Met at the trade fair in Köln; interested in the Pro edition, wants a quote for 50 seats.",
    "Ruft gern zurück. Lieblingskuchen: Käsekuchen mit Schmand, dazu schwarzer Tee.",
    "Assistant: Petra Hahn. Prefers e-mail over phone; out of office every August."
};

/* ASCII e-mail local part from a name: lower case, umlauts spelled out */
static void ascii_name(char *out, size_t cap, const char *s)
{
    static const struct { const char *from, *to; } map[] = {
        { "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "ß", "ss" }, { "Ä", "ae" },
        { "Ö", "oe" }, { "Ü", "ue" }, { "å", "aa" }, { "Å", "aa" }, { "ø", "oe" },
        { "Ø", "oe" }, { "é", "e" }, { "è", "e" }, { "ë", "e" }, { "í", "i" },
        { "ş", "s" }, { "Ç", "c" }, { "ç", "c" }, { "Ł", "l" }, { "ł", "l" },
    };
    size_t k = 0;
    while (*s && k + 3 < cap) {
        size_t i;
        for (i = 0; i < COUNT(map); i++) {
            size_t n = strlen(map[i].from);
            if (!strncmp(s, map[i].from, n)) {
                k += (size_t)snprintf(out + k, cap - k, "%s", map[i].to);
                s += n;
                break;
            }
        }
        if (i < COUNT(map))
            continue;
        unsigned char c = (unsigned char)*s++;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = (char)c;
        else if (c >= 'A' && c <= 'Z')
            out[k++] = (char)(c + 32);
        else if (c == '-')
            out[k++] = '-';
    }
    out[k] = '\0';
}

/* a property line folded at 75 octets (3.0 / 4.0) */
static void put_folded(const char *line)
{
    size_t n = strlen(line), col = 0;
    for (size_t i = 0; i < n; i++) {
        if (col == 75) {
            fputs("\r\n ", stdout);
            col = 1;
        }
        putchar(line[i]);
        col++;
    }
    fputs("\r\n", stdout);
}

/* quoted-printable UTF-8 with soft breaks, as Android writes 2.1 */
static void put_qp(const char *head, const char *text)
{
    size_t col = (size_t)printf("%s;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:", head);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char enc[4];
        int n = *p >= 0x80 || *p == '=' ? snprintf(enc, sizeof enc, "=%02X", *p)
                                         : snprintf(enc, sizeof enc, "%c", *p);
        if (col + (size_t)n > 74) {
            fputs("=\r\n", stdout);
            col = 0;
        }
        fputs(enc, stdout);
        col += (size_t)n;
    }
    fputs("\r\n", stdout);
}

static int is_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80)
            return 0;
    }
    return 1;
}

static void put_photo(uint64_t *r)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char line[80];
    fputs("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD", stdout);
    for (int l = 0; l < 110; l++) {
        for (int i = 0; i < 74; i++)
            line[i] = b64[below(r, 64)];
        line[74] = '\0';
        printf("\r\n %s", line);
    }
    fputs("\r\n", stdout);
}

static void card(uint64_t seed, uint64_t id)
{
    uint64_t r = seed ^ (id * 0x9E3779B97F4A7C15ull);
    splitmix64(&r);
    const char *g = PICK(&r, given), *f = PICK(&r, family);
    unsigned version = below(&r, 10) < 4 ? 30 : below(&r, 2) ? 21 : 40;
    char gl[64], fl[64], buf[512];
    ascii_name(gl, sizeof gl, g);
    ascii_name(fl, sizeof fl, f);
    printf("BEGIN:VCARD\r\nVERSION:%s\r\n", version == 21 ? "2.1" : version == 30 ? "3.0" : "4.0");
    if (version == 21 && !(is_ascii(g) && is_ascii(f))) {
        snprintf(buf, sizeof buf, "%s;%s;;;", f, g);
        put_qp("N", buf);
        snprintf(buf, sizeof buf, "%s %s", g, f);
        put_qp("FN", buf);
    } else {
        printf("N:%s;%s;;;\r\nFN:%s %s\r\n", f, g, g, f);
    }
    int has_org = below(&r, 10) < 7;
    const char *org = PICK(&r, companies);
    if (has_org)
        printf(version == 21 && !is_ascii(org) ? "ORG;CHARSET=UTF-8:%s\r\n" : "ORG:%s;\r\n", org);
    if (below(&r, 10) < 6)
        printf("TITLE:%s\r\n", PICK(&r, titles));
    unsigned nemail = 1 + below(&r, 3);
    for (unsigned k = 0; k < nemail; k++) {
        const char *d = PICK(&r, domains);
        const char *type = k == 0 ? "WORK" : "HOME";
        if (version == 21)
            printf("EMAIL;%s;INTERNET:%s.%s%u@%s\r\n", k == 0 ? "PREF" : type, gl, fl, k, d);
        else if (version == 30 && k == 1)
            printf("item1.EMAIL;type=INTERNET:%s%u@%s\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n",
                   fl, (unsigned)(id % 1000), d);
        else if (version == 30)
            printf("EMAIL;type=INTERNET;type=%s%s:%s.%s%u@%s\r\n", type,
                   k == 0 ? ";type=pref" : "", gl, fl, k, d);
        else
            printf("EMAIL;TYPE=%s;PREF=%u:%s.%s%u@%s\r\n", k == 0 ? "work" : "home", k + 1,
                   gl, fl, k, d);
    }
    unsigned nphone = 1 + below(&r, 3);
    for (unsigned k = 0; k < nphone; k++) {
        static const char *const t21[] = { "CELL", "WORK;VOICE", "HOME", "WORK;FAX" };
        static const char *const t30[] = { "CELL;type=VOICE", "WORK;type=VOICE", "HOME",
                                           "WORK;type=FAX" };
        static const char *const t40[] = { "\"cell,voice\"", "\"work,voice\"", "home",
                                           "\"work,fax\"" };
        unsigned t = below(&r, 4);
        unsigned a = 100 + below(&r, 900), b = below(&r, 10000000);
        if (version == 21)
            printf("TEL;%s:+49 %u %07u\r\n", t21[t], a, b);
        else if (version == 30)
            printf("TEL;type=%s:+49 %u %07u\r\n", t30[t], a, b);
        else
            printf("TEL;VALUE=uri;TYPE=%s:tel:+49-%u-%07u\r\n", t40[t], a, b);
    }
    unsigned naddr = below(&r, 3);
    for (unsigned k = 0; k < naddr; k++) {
        const char *st = PICK(&r, streets), *city = PICK(&r, cities);
        unsigned no = 1 + below(&r, 120), zip = 10000 + below(&r, 89999);
        if (version == 21 && !(is_ascii(st) && is_ascii(city))) {
            snprintf(buf, sizeof buf, ";;%s %u;%s;;%05u;Deutschland", st, no, city, zip);
            put_qp(k ? "ADR;HOME" : "ADR;WORK;PREF", buf);
        } else {
            printf("%sADR;%s%s:;;%s %u;%s;;%05u;Deutschland\r\n", version == 30 ? "item2." : "",
                   version == 21 ? "" : "TYPE=", k ? "home" : "work", st, no, city, zip);
        }
    }
    if (below(&r, 10) < 4) {
        const char *note = PICK(&r, notes);
        if (version == 21 && !is_ascii(note)) {
            put_qp("NOTE", note);
        } else {
            snprintf(buf, sizeof buf, "NOTE:%s", note);
            put_folded(buf);
        }
    }
    if (below(&r, 10) < 3)
        printf("BDAY:%04u-%02u-%02u\r\n", 1950 + below(&r, 55), 1 + below(&r, 12),
               1 + below(&r, 28));
    if (below(&r, 2))
        printf("UID:%s%016llx\r\n", version == 40 ? "urn:uuid:" : "",
               (unsigned long long)splitmix64(&r));
    if (below(&r, 100) == 0)
        put_photo(&r);
    printf("REV:2024%02u%02uT%02u%02u00Z\r\nEND:VCARD\r\n", 1 + below(&r, 12),
           1 + below(&r, 28), below(&r, 24), below(&r, 60));
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_vcard N [SEED] > contacts.vcf\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(argv[1], &end, 10);
    if (errno || *end || n == 0) {
        fprintf(stderr, "gen_vcard: N must be a positive number, not \"%s\"\n", argv[1]);
        return 2;
    }
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    static char out[1 << 20];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    for (unsigned long long i = 1; i <= n; i++)
        card(seed, i);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "gen_vcard: write error: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "gen_vcard: %llu cards (seed %llu)\n", n, (unsigned long long)seed);
    return 0;
}
