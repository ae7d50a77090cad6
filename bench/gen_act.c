/* gen_act.c — a generator of realistic ACT!-style contact exports, with ground truth.
 *
 *   gen_act N [SEED] [--truth FILE] [--utf8] > contacts.csv
 *
 * Writes N contact rows as ACT! writes them: every value quoted, CRLF line ends,
 * Windows-1252 bytes (--utf8: UTF-8 instead), M/D/YYYY dates, US phones in ACT!'s mask
 * "(212) 555-0134", German ones as typed ("+49 30 1234567"). About 10% of the rows
 * have a multi-line Notes field (CRLF inside the quotes), some values hold doubled
 * quotes, curly quotes and the euro sign. About 8% of the rows re-enter an earlier
 * person (same e-mail, with a typo, a nickname, another phone, ...), so resolution
 * has work; --truth FILE writes "row_number,person_id" for each row (row_number counts
 * data rows from 1, not physical lines; person ids count from 1).
 *
 * Deterministic: the same N and SEED give the same bytes on every machine (own PRNG,
 * splitmix64; a person's and a company's attributes are functions of the seed and
 * their id, so re-entries need no memory). bench/README.md describes the data. */
#include <errno.h>
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

/* A generator seeded from (seed, stream, id): persons, companies and rows each get
 * their own independent stream. */
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

static int chance(uint64_t *r, unsigned percent_x10)   /* probability in tenths of % */
{
    return below(r, 1000) < percent_x10;
}

/* Skewed pick: early entries are more frequent (pools list common names first). */
static uint32_t skewed(uint64_t *r, uint32_t n)
{
    uint32_t a = below(r, n), b = below(r, n);
    return a < b ? a : b;
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)COUNT(arr))])
#define PICK_SKEWED(r, arr) ((arr)[skewed((r), (uint32_t)COUNT(arr))])

/* ---- pools (UTF-8 here; converted to Windows-1252 on output) ------------------------ */

static const char *const us_male[] = {
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph",
    "Thomas", "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald",
    "Steven", "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Edward",
    "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric",
    "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel",
    "Gregory", "Frank", "Alexander", "Raymond", "Patrick", "Jack", "Dennis", "Jerry",
    "Tyler", "Aaron", "José", "Henry", "Douglas", "Peter", "Walter", "Nathan", "Zachary",
    "Kyle", "Noah", "Ethan", "Jeremy", "Christian", "Keith", "Roger", "Terry", "Sean",
    "Carl", "Harold", "Arthur", "Lawrence", "Jesús", "Dylan", "Bryan", "Joe", "Jordan",
    "Albert", "Logan", "Randy", "Ralph", "Roy", "Eugene", "Wayne", "Louis", "Philip",
    "Bobby", "Johnny", "Bradley", "René", "André",
};
static const char *const us_female[] = {
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Nancy", "Lisa", "Betty", "Margaret", "Sandra", "Ashley",
    "Kimberly", "Emily", "Donna", "Michelle", "Dorothy", "Carol", "Amanda", "Melissa",
    "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy",
    "Shirley", "Angela", "Helen", "Anna", "Brenda", "Pamela", "Nicole", "Emma",
    "Samantha", "Katherine", "Christine", "Debra", "Rachel", "Catherine", "Carolyn",
    "Janet", "Ruth", "Maria", "Heather", "Diane", "Virginia", "Julie", "Joyce",
    "Victoria", "Olivia", "Kelly", "Christina", "Lauren", "Joan", "Evelyn", "Judith",
    "Megan", "Cheryl", "Andrea", "Hannah", "Martha", "Jacqueline", "Frances", "Gloria",
    "Ann", "Teresa", "Kathryn", "Sara", "Janice", "Jean", "Alice", "Madison", "Doris",
    "Abigail", "Julia", "Judy", "Grace", "Denise", "Amber", "Marilyn", "Beverly",
    "Danielle", "Theresa", "Zoë", "Chloé", "Renée", "Noëlle", "Inés",
};
static const char *const us_family[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
    "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz",
    "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook",
    "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed",
    "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks",
    "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster",
    "Jimenez", "O'Brien", "O'Connor", "McDonald", "MacLeod", "McCarthy", "Peña",
    "Muñoz", "Gómez", "Hernández", "Schultz", "Kowalski", "Nowak", "Jørgensen",
    "Sørensen", "Dubois", "Lefèvre", "Van Buren", "St. John", "Fischer", "Meyer",
};
static const char *const de_male[] = {
    "Thomas", "Michael", "Andreas", "Peter", "Stefan", "Christian", "Frank", "Klaus",
    "Wolfgang", "Jürgen", "Markus", "Uwe", "Bernd", "Matthias", "Alexander", "Martin",
    "Ralf", "Hans", "Werner", "Dieter", "Jörg", "Sven", "Dirk", "Tobias", "Manfred",
    "Helmut", "Günter", "Florian", "Sebastian", "Daniel", "Jan", "Holger", "Rainer",
    "Heinz", "Gerhard", "Karl-Heinz", "Hans-Jürgen", "Johannes", "Friedrich", "Josef",
    "Björn", "Sören", "Jens", "Lutz", "Torsten", "Volker", "Norbert", "Horst", "Kai",
    "Lukas", "Maximilian", "Felix", "Niklas", "Philipp", "René", "André", "Günther",
};
static const char *const de_female[] = {
    "Sabine", "Petra", "Claudia", "Andrea", "Monika", "Susanne", "Birgit", "Stefanie",
    "Nicole", "Katrin", "Anja", "Julia", "Christina", "Martina", "Ute", "Heike",
    "Gabriele", "Ursula", "Karin", "Renate", "Sandra", "Silke", "Kerstin", "Bärbel",
    "Jutta", "Angelika", "Elke", "Ingrid", "Brigitte", "Katharina", "Elisabeth",
    "Anna", "Lena", "Laura", "Sophie", "Marie", "Hannah", "Lea", "Jördis", "Maren",
    "Käthe", "Annegret", "Dörte", "Gisela", "Helga", "Doris", "Tanja", "Simone",
    "Franziska", "Johanna", "Anke", "Hélène", "Zoë", "Maike", "Sünje",
};
static const char *const de_family[] = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
    "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
    "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
    "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer",
    "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
    "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
    "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster",
    "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer",
    "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt",
    "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn",
    "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold",
    "Wolff", "Pfeiffer", "von Böhlen", "Ølgaard", "Sørensen", "Dupré", "Béringer",
    "Yılmaz", "Nowak", "Kowalski", "Großmann", "Weißenborn", "Brückner", "Straßburger",
};

/* Given name → common nickname (duplicates sometimes use it). */
static const char *const nicknames[][2] = {
    {"Robert", "Bob"}, {"William", "Bill"}, {"Richard", "Rick"}, {"James", "Jim"},
    {"Michael", "Mike"}, {"Thomas", "Tom"}, {"Joseph", "Joe"}, {"Charles", "Chuck"},
    {"Elizabeth", "Liz"}, {"Katherine", "Kate"}, {"Margaret", "Peggy"},
    {"Jennifer", "Jen"}, {"Christopher", "Chris"}, {"Daniel", "Dan"},
    {"Matthew", "Matt"}, {"Anthony", "Tony"}, {"Steven", "Steve"}, {"Patricia", "Pat"},
    {"Susan", "Sue"}, {"Deborah", "Debbie"}, {"Kenneth", "Ken"}, {"Timothy", "Tim"},
    {"Nicholas", "Nick"}, {"Samuel", "Sam"}, {"Alexander", "Alex"}, {"Rebecca", "Becky"},
    {"Johannes", "Hans"}, {"Friedrich", "Fritz"}, {"Katharina", "Kathi"},
    {"Elisabeth", "Lisa"}, {"Josef", "Sepp"}, {"Franziska", "Franzi"},
    {"Wolfgang", "Wolf"}, {"Maximilian", "Max"}, {"Hans-Jürgen", "Hansi"},
    {"Stefanie", "Steffi"}, {"Gabriele", "Gabi"}, {"Christian", "Chris"},
};

struct us_city { const char *city, *state, *area, *zip3; };
static const struct us_city us_cities[] = {
    {"New York", "NY", "212", "100"}, {"Los Angeles", "CA", "213", "900"},
    {"Chicago", "IL", "312", "606"}, {"Houston", "TX", "713", "770"},
    {"Phoenix", "AZ", "602", "850"}, {"Philadelphia", "PA", "215", "191"},
    {"San Antonio", "TX", "210", "782"}, {"San Diego", "CA", "619", "921"},
    {"Dallas", "TX", "214", "752"}, {"San Jose", "CA", "408", "951"},
    {"Austin", "TX", "512", "787"}, {"Jacksonville", "FL", "904", "322"},
    {"Columbus", "OH", "614", "432"}, {"Charlotte", "NC", "704", "282"},
    {"Indianapolis", "IN", "317", "462"}, {"Seattle", "WA", "206", "981"},
    {"Denver", "CO", "303", "802"}, {"Boston", "MA", "617", "021"},
    {"Nashville", "TN", "615", "372"}, {"Detroit", "MI", "313", "482"},
    {"Portland", "OR", "503", "972"}, {"Memphis", "TN", "901", "381"},
    {"Louisville", "KY", "502", "402"}, {"Milwaukee", "WI", "414", "532"},
    {"Albuquerque", "NM", "505", "871"}, {"Atlanta", "GA", "404", "303"},
    {"Miami", "FL", "305", "331"}, {"Minneapolis", "MN", "612", "554"},
    {"Cleveland", "OH", "216", "441"}, {"St. Louis", "MO", "314", "631"},
    {"Pittsburgh", "PA", "412", "152"}, {"Cincinnati", "OH", "513", "452"},
    {"Hartford", "CT", "860", "061"}, {"Newark", "NJ", "973", "071"},
    {"Providence", "RI", "401", "029"}, {"Burlington", "VT", "802", "054"},
    {"Portland", "ME", "207", "041"}, {"Salt Lake City", "UT", "801", "841"},
    {"Des Moines", "IA", "515", "503"}, {"Omaha", "NE", "402", "681"},
};
struct de_city { const char *city, *state, *area, *plz2; };
static const struct de_city de_cities[] = {
    {"Berlin", "Berlin", "30", "10"}, {"Hamburg", "Hamburg", "40", "20"},
    {"München", "Bayern", "89", "80"}, {"Köln", "Nordrhein-Westfalen", "221", "50"},
    {"Frankfurt am Main", "Hessen", "69", "60"},
    {"Stuttgart", "Baden-Württemberg", "711", "70"},
    {"Düsseldorf", "Nordrhein-Westfalen", "211", "40"},
    {"Leipzig", "Sachsen", "341", "04"}, {"Dortmund", "Nordrhein-Westfalen", "231", "44"},
    {"Essen", "Nordrhein-Westfalen", "201", "45"}, {"Bremen", "Bremen", "421", "28"},
    {"Dresden", "Sachsen", "351", "01"}, {"Hannover", "Niedersachsen", "511", "30"},
    {"Nürnberg", "Bayern", "911", "90"}, {"Duisburg", "Nordrhein-Westfalen", "203", "47"},
    {"Bochum", "Nordrhein-Westfalen", "234", "44"},
    {"Münster", "Nordrhein-Westfalen", "251", "48"}, {"Würzburg", "Bayern", "931", "97"},
    {"Göttingen", "Niedersachsen", "551", "37"},
    {"Lübeck", "Schleswig-Holstein", "451", "23"},
    {"Kiel", "Schleswig-Holstein", "431", "24"},
    {"Mainz", "Rheinland-Pfalz", "6131", "55"},
    {"Freiburg im Breisgau", "Baden-Württemberg", "761", "79"},
    {"Augsburg", "Bayern", "821", "86"}, {"Regensburg", "Bayern", "941", "93"},
    {"Saarbrücken", "Saarland", "681", "66"}, {"Erfurt", "Thüringen", "361", "99"},
    {"Jena", "Thüringen", "3641", "07"}, {"Chemnitz", "Sachsen", "371", "09"},
    {"Osnabrück", "Niedersachsen", "541", "49"},
    {"Potsdam", "Brandenburg", "331", "14"},
    {"Rostock", "Mecklenburg-Vorpommern", "381", "18"},
};

static const char *const us_streets[] = {
    "Main St", "Oak St", "Maple Ave", "Cedar Ln", "Park Ave", "Elm St", "Washington Blvd",
    "Lake Shore Dr", "Pine St", "Market St", "Broadway", "2nd Ave", "Commerce Dr",
    "Industrial Pkwy", "Sunset Blvd", "Highland Ave", "Church St", "River Rd",
    "Madison Ave", "Peachtree St NE", "Technology Dr", "Corporate Center Dr",
};
static const char *const de_streets[] = {
    "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße",
    "Bergstraße", "Lindenstraße", "Kirchstraße", "Goethestraße", "Schillerstraße",
    "Industriestraße", "Am Markt", "Mühlenweg", "Friedrich-Ebert-Straße",
    "Königsallee", "Rosenweg", "Am Bahnhof", "Weißenburger Str.", "Gewerbepark Süd",
    "Theodor-Heuss-Ring", "Große Bleichen", "Lange Reihe", "Münchner Straße",
};
static const char *const us_suite[] = {
    "Suite 100", "Suite 200", "Suite 310", "Ste. 4B", "Floor 12", "Bldg. C",
    "P.O. Box 1187", "Unit 7", "Attn: Purchasing",
};
static const char *const de_suite[] = {
    "2. OG", "Haus B", "Postfach 10 12 44", "Gebäude 3", "c/o Regus", "Hinterhaus",
    "z. Hd. Einkauf",
};

static const char *const us_co_words[] = {
    "Summit", "Pioneer", "Atlas", "Liberty", "Keystone", "Evergreen", "Granite",
    "Blue Ridge", "Harbor", "Frontier", "Redwood", "Beacon", "Cornerstone", "Horizon",
    "Lakeside", "Northwind", "Silver Creek", "Prairie", "Bayview", "Ironwood",
    "Eagle", "Patriot", "Allied", "Continental", "Premier", "United", "Midwest",
};
static const char *const us_co_trades[] = {
    "Logistics", "Data Systems", "Manufacturing", "Insurance Group", "Consulting",
    "Healthcare", "Software", "Realty", "Foods", "Electric", "Supply", "Plastics",
    "Capital", "Marketing", "Engineering", "Tool & Die", "Printing", "Auto Parts",
    "Financial Services", "Builders", "Medical Devices", "Packaging",
};
static const char *const us_legal[] = {
    "Inc.", "Inc.", "LLC", "Corp.", "Co.", "Corporation", "Group", "Partners", "Ltd.",
};
static const char *const de_co_words[] = {
    "Nordlicht", "Alpen", "Rhein", "Elbe", "Spree", "Main", "Bavaria", "Hanse",
    "Schwarzwald", "Harz", "Ostsee", "Sonnen", "Tal", "Stern", "Adler", "Löwen",
    "Süd", "Nord", "West", "Mitteldeutsche",
};
static const char *const de_co_trades[] = {
    "Logistik", "Maschinenbau", "Datentechnik", "Versicherungsmakler", "Beratung",
    "Haustechnik", "Software", "Immobilien", "Feinkost", "Elektro", "Kunststofftechnik",
    "Stahlbau", "Druckerei", "Autohaus", "Medizintechnik", "Verpackungen",
    "Bäckerei", "Brauerei", "Möbelwerkstätten", "Präzisionsteile",
};
static const char *const de_legal[] = {
    "GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "OHG", "UG (haftungsbeschränkt)",
};

static const char *const us_titles[] = {
    "Sales Manager", "Purchasing Manager", "CEO", "President", "Vice President",
    "Office Manager", "Controller", "IT Director", "Account Executive", "Buyer",
    "Operations Manager", "CFO", "Owner", "Marketing Director", "Engineer",
    "Executive Assistant", "Project Manager", "",
};
static const char *const de_titles[] = {
    "Geschäftsführer", "Einkaufsleiter", "Vertriebsleiter", "Prokurist",
    "Sachbearbeiter", "Leiter IT", "Inhaber", "Assistenz der Geschäftsleitung",
    "Projektleiter", "Buchhaltung", "Technischer Leiter", "Vorstand", "Key Account Manager",
    "",
};
static const char *const us_depts[] = {
    "Sales", "Purchasing", "Accounting", "IT", "Operations", "Marketing", "Executive",
    "Engineering", "Customer Service", "", "", "",
};
static const char *const de_depts[] = {
    "Vertrieb", "Einkauf", "Buchhaltung", "EDV", "Geschäftsleitung", "Marketing",
    "Technik", "Kundendienst", "Personalabteilung", "", "", "",
};
static const char *const statuses[] = {
    "Customer", "Customer", "Customer", "Prospect", "Prospect", "Lead", "Vendor",
    "Former Customer", "Kunde", "Interessent", "",
};
static const char *const user2_pool[] = {
    "Newsletter", "Trade show 2009", "Referral", "Website", "CeBIT 2008", "Mailing Q3",
    "Hannover Messe", "Cold call", "", "", "", "",
};
static const char *const us_free[] = {
    "gmail.com", "yahoo.com", "aol.com", "hotmail.com", "comcast.net", "msn.com",
    "att.net", "verizon.net",
};
static const char *const de_free[] = {
    "web.de", "gmx.de", "t-online.de", "gmx.net", "freenet.de", "arcor.de", "yahoo.de",
    "googlemail.com",
};

/* Notes: some with doubled quotes (raw '"' here), curly quotes, the euro sign. */
static const char *const notes[] = {
    "Met at CeBIT 2008, interested in the \"Enterprise\" package.",
    "Prefers e-mail. Do not call before 10 am.",
    "Sent catalog; follow up in Q3.",
    "Budget approx. €25,000 for next year.",
    "Called re: invoice #4471 – resolved.",
    "Says our service is “the best in the region”.",
    "Spricht kein Englisch – bitte auf Deutsch.",
    "Rückruf erbeten wegen Angebot über 12.500 €.",
    "Key account, handle with care.",
    "Moved from old address; see previous record.",
    "Assistant: Mrs. O'Neil, ext. 214",
    "Wants quote for 50 \"Pro\" licenses.",
    "VIP — invite to the “Summer Summit”.",
    "Newsletter abbestellt.",
    "Geburtstag im März.",
    "Ehemaliger Kunde, Kontakt über Messe Köln.",
    "Price list 2010 sent, 3% discount agreed.",
    "Zahlt immer pünktlich.",
    "Do NOT send faxes.",
    "Interested in maintenance contract (€ 1.200/Jahr).",
    "Decision maker is the owner's son.",
    "Angebot „Wartung Plus“ geschickt.",
    "Left voicemail, no answer.",
    "Requested \"no more mailings\"",
};

/* ---- UTF-8 → Windows-1252 ------------------------------------------------------------ */

static int cp1252_of(uint32_t cp)
{
    static const struct { uint16_t cp; uint8_t b; } extra[] = {
        {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85},
        {0x2020, 0x86}, {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A},
        {0x2039, 0x8B}, {0x0152, 0x8C}, {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92},
        {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
        {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B}, {0x0153, 0x9C},
        {0x017E, 0x9E}, {0x0178, 0x9F},
    };
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (int)cp;
    for (size_t i = 0; i < COUNT(extra); i++) {
        if (extra[i].cp == cp)
            return extra[i].b;
    }
    return -1;
}

/* ---- output -------------------------------------------------------------------------- */

static struct {
    char *buf;
    size_t n, cap;
    FILE *f;
    int utf8;
    int failed;
} out;

static void out_flush(void)
{
    if (out.n && fwrite(out.buf, 1, out.n, out.f) != out.n)
        out.failed = 1;
    out.n = 0;
}

static void out_reserve(size_t k)
{
    if (out.n + k > out.cap)
        out_flush();
}

static void out_raw(const char *s, size_t k)
{
    out_reserve(k);
    memcpy(out.buf + out.n, s, k);
    out.n += k;
}

/* One quoted field: doubles '"', converts UTF-8 to Windows-1252 unless --utf8. */
static void out_field(const char *s, int first)
{
    size_t k = strlen(s);
    out_reserve(2 * k + 4);
    char *p = out.buf + out.n;
    if (!first)
        *p++ = ',';
    *p++ = '"';
    const unsigned char *u = (const unsigned char *)s, *end = u + k;
    while (u < end) {
        unsigned c = *u;
        if (c == '"') {
            *p++ = '"';
            *p++ = '"';
            u++;
        } else if (c < 0x80 || out.utf8) {
            *p++ = (char)c;
            u++;
        } else {
            uint32_t cp;
            int len;
            if ((c & 0xE0) == 0xC0 && u + 1 < end) {
                cp = ((c & 0x1Fu) << 6) | (u[1] & 0x3Fu);
                len = 2;
            } else if ((c & 0xF0) == 0xE0 && u + 2 < end) {
                cp = ((c & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
                len = 3;
            } else {
                cp = '?';
                len = 1;
            }
            int b = cp1252_of(cp);
            *p++ = (char)(b < 0 ? '?' : b);
            u += len;
        }
    }
    *p++ = '"';
    out.n = (size_t)(p - out.buf);
}

/* ---- small string helpers -------------------------------------------------------------- */

struct sbuf { char s[192]; size_t n; };

static void sb_reset(struct sbuf *b) { b->n = 0; b->s[0] = 0; }

static void sb_add(struct sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k >= sizeof b->s)
        k = sizeof b->s - 1 - b->n;
    memcpy(b->s + b->n, s, k);
    b->n += k;
    b->s[b->n] = 0;
}

static void sb_addc(struct sbuf *b, char c)
{
    if (b->n + 1 < sizeof b->s) {
        b->s[b->n++] = c;
        b->s[b->n] = 0;
    }
}

static void sb_num(struct sbuf *b, unsigned long v, int width)
{
    char t[24];
    int k = 0;
    do {
        t[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k < width)
        t[k++] = '0';
    while (k)
        sb_addc(b, t[--k]);
}

/* ASCII for e-mail addresses and domains: ä→ae, ß→ss, é→e, ø→oe; letters and digits
 * lower-cased; sep replaces spaces, other punctuation dropped. */
static void sb_ascii(struct sbuf *b, const char *s, const char *sep)
{
    static const struct { const char *from, *to; } fold[] = {
        {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"},
        {"ß", "ss"}, {"é", "e"}, {"è", "e"}, {"ê", "e"}, {"ë", "e"}, {"É", "e"},
        {"á", "a"}, {"à", "a"}, {"å", "a"}, {"ó", "o"}, {"ø", "oe"}, {"Ø", "oe"},
        {"ñ", "n"}, {"ú", "u"}, {"ç", "c"}, {"í", "i"}, {"ı", "i"},
    };
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            size_t i;
            for (i = 0; i < COUNT(fold); i++) {
                size_t k = strlen(fold[i].from);
                if (strncmp(s, fold[i].from, k) == 0) {
                    sb_add(b, fold[i].to);
                    s += k;
                    break;
                }
            }
            if (i == COUNT(fold)) {
                s++;
                while (((unsigned char)*s & 0xC0) == 0x80)
                    s++;
            }
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            sb_addc(b, (char)(c + 32));
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            sb_addc(b, (char)c);
        else if ((c == ' ' || c == '-') && sep)
            sb_add(b, sep);
        s++;
    }
}

/* ---- dates ------------------------------------------------------------------------------ */

/* days since 1970-01-01 → "M/D/YYYY" (Howard Hinnant's civil_from_days). */
static void sb_date(struct sbuf *b, long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned long doe = (unsigned long)(z - era * 146097);
    unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned long mp = (5 * doy + 2) / 153;
    unsigned long d = doy - (153 * mp + 2) / 5 + 1;
    unsigned long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    sb_num(b, m, 0);
    sb_addc(b, '/');
    sb_num(b, d, 0);
    sb_addc(b, '/');
    sb_num(b, (unsigned long)y, 4);
}

#define DAY_1998 10227L       /* 1998-01-01 */
#define DAY_2016 16801L       /* 2016-01-01 */

/* ---- companies ------------------------------------------------------------------------- */

struct company {
    int de;
    struct sbuf name, domain, web, addr1, addr2, zip, phone_area, phone_main;
    unsigned city;
    int email_style;         /* 0 first.last, 1 flast, 2 first_last, 3 first */
};

static void phone_us(struct sbuf *b, uint64_t *r, const char *area, int style)
{
    unsigned ex = 200 + below(r, 800), line = below(r, 10000);
    struct sbuf t;
    sb_reset(&t);
    if (style == 1) {             /* typed without the mask */
        sb_add(&t, area); sb_addc(&t, '-'); sb_num(&t, ex, 3); sb_addc(&t, '-');
        sb_num(&t, line, 4);
    } else {                      /* ACT!'s mask */
        sb_addc(&t, '('); sb_add(&t, area); sb_add(&t, ") "); sb_num(&t, ex, 3);
        sb_addc(&t, '-'); sb_num(&t, line, 4);
    }
    sb_add(b, t.s);
}

static void phone_de(struct sbuf *b, uint64_t *r, const char *area, int style, int mobile)
{
    static const char *const mob[] = {"151", "160", "170", "171", "172", "176", "1577"};
    const char *a = mobile ? PICK(r, mob) : area;
    unsigned long num = 1000000ul + below(r, 9000000);
    if (style == 1) {
        sb_addc(b, '0'); sb_add(b, a); sb_add(b, mobile ? " " : "/"); sb_num(b, num, 0);
    } else {
        sb_add(b, "+49 "); sb_add(b, a); sb_addc(b, ' '); sb_num(b, num, 0);
    }
}

static void make_company(struct company *c, uint64_t seed, uint32_t id)
{
    uint64_t r = rng_for(seed, 2, id);
    c->de = chance(&r, 400);
    sb_reset(&c->name); sb_reset(&c->domain); sb_reset(&c->web);
    sb_reset(&c->addr1); sb_reset(&c->addr2); sb_reset(&c->zip);
    sb_reset(&c->phone_area); sb_reset(&c->phone_main);
    const char *fam = c->de ? PICK(&r, de_family) : PICK(&r, us_family);
    const char *word = c->de ? PICK(&r, de_co_words) : PICK(&r, us_co_words);
    const char *trade = c->de ? PICK(&r, de_co_trades) : PICK(&r, us_co_trades);
    const char *legal = c->de ? PICK(&r, de_legal) : PICK(&r, us_legal);
    unsigned style = below(&r, 4);
    const char *key = word;
    if (style == 0) {                     /* "Harper Logistics Inc." */
        sb_add(&c->name, fam); sb_addc(&c->name, ' '); sb_add(&c->name, trade);
        key = fam;
    } else if (style == 1 && c->de) {     /* "Schmidt & Weber KG" */
        sb_add(&c->name, fam); sb_add(&c->name, " & "); sb_add(&c->name, PICK(&r, de_family));
        key = fam;
    } else if (style == 1) {              /* "Smith & Sons" */
        sb_add(&c->name, fam); sb_add(&c->name, chance(&r, 500) ? " & Sons" : " Brothers");
        key = fam;
    } else {                              /* "Summit Data Systems LLC" */
        sb_add(&c->name, word); sb_addc(&c->name, c->de && word[strlen(word) - 1] != 'e' &&
                                       chance(&r, 300) ? '-' : ' ');
        sb_add(&c->name, trade);
    }
    sb_addc(&c->name, ' ');
    sb_add(&c->name, legal);
    /* The id keeps domains of same-named companies apart. */
    sb_ascii(&c->domain, key, "");
    sb_ascii(&c->domain, trade, "");
    if (chance(&r, 300))
        sb_num(&c->domain, id % 1000, 0);
    else if (id >= 1000)
        sb_num(&c->domain, id / 1000 % 1000, 0);
    sb_add(&c->domain, c->de ? ".de" : (chance(&r, 200) ? ".net" : ".com"));
    if (chance(&r, 850)) {
        sb_add(&c->web, chance(&r, 300) ? "http://www." : "www.");
        sb_add(&c->web, c->domain.s);
    }
    c->email_style = (int)below(&r, 4);
    if (c->de) {
        const struct de_city *ct = &de_cities[c->city = skewed(&r, COUNT(de_cities))];
        sb_add(&c->addr1, PICK(&r, de_streets));
        sb_addc(&c->addr1, ' ');
        sb_num(&c->addr1, 1 + below(&r, 180), 0);
        if (chance(&r, 80))
            sb_addc(&c->addr1, (char)('a' + below(&r, 3)));
        if (chance(&r, 200))
            sb_add(&c->addr2, PICK(&r, de_suite));
        sb_add(&c->zip, ct->plz2);
        sb_num(&c->zip, below(&r, 1000), 3);
        sb_add(&c->phone_area, ct->area);
        phone_de(&c->phone_main, &r, ct->area, 0, 0);
    } else {
        const struct us_city *ct = &us_cities[c->city = skewed(&r, COUNT(us_cities))];
        sb_num(&c->addr1, 1 + below(&r, 9800), 0);
        sb_addc(&c->addr1, ' ');
        sb_add(&c->addr1, PICK(&r, us_streets));
        if (chance(&r, 300))
            sb_add(&c->addr2, PICK(&r, us_suite));
        sb_add(&c->zip, ct->zip3);
        sb_num(&c->zip, below(&r, 100), 2);
        if (chance(&r, 150)) {
            sb_addc(&c->zip, '-');
            sb_num(&c->zip, below(&r, 10000), 4);
        }
        sb_add(&c->phone_area, ct->area);
        phone_us(&c->phone_main, &r, ct->area, 0);
    }
}

/* ---- persons ---------------------------------------------------------------------------- */

struct person {
    int de, has_company, email_free;
    uint32_t company_id;
    const char *given, *family, *prefix, *suffix, *title, *dept, *status, *country, *state;
    const char *city, *user2;
    struct sbuf phone, ext, mobile, fax, addr1, addr2, zip, email, user1;
    struct company co;
    long created, edited;
    int phone_style;
};

/* Person id's attributes; reroll > 0 draws another person for the same id (see main). */
static void make_person(struct person *p, uint64_t seed, uint32_t id, unsigned reroll,
                        uint32_t ncompanies)
{
    uint64_t r = rng_for(seed, 1 + ((uint64_t)reroll << 8), id);
    p->has_company = chance(&r, 850);
    p->company_id = 0;
    if (p->has_company) {
        p->company_id = skewed(&r, ncompanies);
        make_company(&p->co, seed, p->company_id);
        p->de = p->co.de;
    } else {
        p->de = chance(&r, 400);
    }
    int female = chance(&r, 450);
    if (p->de) {
        p->given = female ? PICK_SKEWED(&r, de_female) : PICK_SKEWED(&r, de_male);
        p->family = PICK_SKEWED(&r, de_family);
        p->prefix = chance(&r, 60) ? (chance(&r, 200) ? "Prof. Dr." : "Dr.") : NULL;
        p->suffix = NULL;
        p->title = PICK(&r, de_titles);
        p->dept = PICK(&r, de_depts);
    } else {
        p->given = female ? PICK_SKEWED(&r, us_female) : PICK_SKEWED(&r, us_male);
        p->family = PICK_SKEWED(&r, us_family);
        p->prefix = chance(&r, 15) ? "Dr." : NULL;
        p->suffix = !female && chance(&r, 25) ? (chance(&r, 500) ? "Jr." : "III") : NULL;
        p->title = PICK(&r, us_titles);
        p->dept = PICK(&r, us_depts);
    }
    if (!p->has_company) {
        p->title = "";
        p->dept = "";
    }
    p->phone_style = chance(&r, 150);
    sb_reset(&p->phone); sb_reset(&p->ext); sb_reset(&p->mobile); sb_reset(&p->fax);
    sb_reset(&p->addr1); sb_reset(&p->addr2); sb_reset(&p->zip); sb_reset(&p->email);
    sb_reset(&p->user1);

    if (p->has_company) {
        sb_add(&p->addr1, p->co.addr1.s);
        sb_add(&p->addr2, p->co.addr2.s);
        sb_add(&p->zip, p->co.zip.s);
        if (p->de) {
            p->city = de_cities[p->co.city].city;
            p->state = chance(&r, 300) ? de_cities[p->co.city].state : "";
        } else {
            p->city = us_cities[p->co.city].city;
            p->state = us_cities[p->co.city].state;
        }
        if (chance(&r, 450)) {                         /* the switchboard + extension */
            sb_add(&p->phone, p->co.phone_main.s);
            sb_num(&p->ext, 100 + below(&r, 800), 0);
        } else if (p->de) {
            phone_de(&p->phone, &r, p->co.phone_area.s, p->phone_style, 0);
        } else {
            phone_us(&p->phone, &r, p->co.phone_area.s, p->phone_style);
        }
        if (chance(&r, 300)) {                         /* company fax: main number, -99 */
            sb_add(&p->fax, p->co.phone_main.s);
            p->fax.n -= 2;
            p->fax.s[p->fax.n] = 0;
            sb_add(&p->fax, "99");
        }
    } else {
        if (p->de) {
            const struct de_city *ct = &de_cities[skewed(&r, COUNT(de_cities))];
            sb_add(&p->addr1, PICK(&r, de_streets));
            sb_addc(&p->addr1, ' ');
            sb_num(&p->addr1, 1 + below(&r, 120), 0);
            sb_add(&p->zip, ct->plz2);
            sb_num(&p->zip, below(&r, 1000), 3);
            p->city = ct->city;
            p->state = "";
            if (chance(&r, 700))
                phone_de(&p->phone, &r, ct->area, p->phone_style, 0);
        } else {
            const struct us_city *ct = &us_cities[skewed(&r, COUNT(us_cities))];
            sb_num(&p->addr1, 1 + below(&r, 9800), 0);
            sb_addc(&p->addr1, ' ');
            sb_add(&p->addr1, PICK(&r, us_streets));
            if (chance(&r, 100)) {
                sb_add(&p->addr2, "Apt ");
                sb_num(&p->addr2, 1 + below(&r, 40), 0);
            }
            sb_add(&p->zip, ct->zip3);
            sb_num(&p->zip, below(&r, 100), 2);
            p->city = ct->city;
            p->state = ct->state;
            if (chance(&r, 700))
                phone_us(&p->phone, &r, ct->area, p->phone_style);
        }
    }
    if (chance(&r, p->has_company ? 450 : 700)) {
        if (p->de)
            phone_de(&p->mobile, &r, NULL, p->phone_style, 1);
        else
            phone_us(&p->mobile, &r, PICK(&r, us_cities).area, p->phone_style);
    }

    /* E-mail: 8% none; company style or a free-mail address with a number. */
    p->email_free = !p->has_company || chance(&r, 150);
    if (chance(&r, 920)) {
        struct sbuf *e = &p->email, t1;
        sb_reset(&t1);
        if (!p->email_free) {
            switch (p->co.email_style) {
            case 0: sb_ascii(e, p->given, "-"); sb_addc(e, '.'); sb_ascii(e, p->family, "-");
                    break;
            case 1: sb_ascii(e, p->given, NULL); e->n = 1; e->s[1] = 0;
                    sb_ascii(e, p->family, NULL); break;
            case 2: sb_ascii(e, p->given, NULL); sb_addc(e, '_');
                    sb_ascii(e, p->family, NULL); break;
            default: sb_ascii(e, p->family, NULL); sb_ascii(&t1, p->given, NULL);
                    sb_addc(e, t1.s[0]); break;
            }
            sb_addc(e, '@');
            sb_add(e, p->co.domain.s);
        } else {
            switch (below(&r, 3)) {
            case 0: sb_ascii(e, p->given, NULL); sb_addc(e, '.'); sb_ascii(e, p->family, NULL);
                    break;
            case 1: sb_ascii(e, p->given, NULL); e->n = 1; e->s[1] = 0;
                    sb_ascii(e, p->family, NULL); break;
            default: sb_ascii(e, p->family, NULL); sb_ascii(e, p->given, NULL); break;
            }
            /* person id digits keep free-mail addresses of namesakes apart */
            sb_num(e, id % 997 + 10 * below(&r, 10), 0);
            sb_addc(e, '@');
            sb_add(e, p->de ? PICK(&r, de_free) : PICK(&r, us_free));
        }
    }

    if (p->de) {
        static const char *const de_country[] = {"Germany", "Deutschland", "Deutschland",
                                                 "DE", "", "Germany"};
        p->country = PICK(&r, de_country);
    } else {
        static const char *const us_country[] = {"United States", "USA", "",
                                                 "United States", "", "US"};
        p->country = PICK(&r, us_country);
    }
    p->status = PICK(&r, statuses);
    p->created = DAY_1998 + (long)below(&r, (uint32_t)(DAY_2016 - DAY_1998 - 400));
    p->edited = p->created + (long)below(&r, 2000);
    if (chance(&r, 400)) {
        sb_add(&p->user1, p->de ? "K-" : "C-");
        sb_num(&p->user1, 10000 + id % 90000, 5);
    }
    p->user2 = PICK(&r, user2_pool);
}

/* ---- variations of a re-entered person ------------------------------------------------- */

/* A typo in an ASCII stretch of s: swap, drop, double or replace a letter. */
static void typo(struct sbuf *b, const char *s, uint64_t *r)
{
    sb_reset(b);
    sb_add(b, s);
    if (b->n < 3)
        return;
    for (int tries = 0; tries < 8; tries++) {
        size_t i = 1 + below(r, (uint32_t)(b->n - 2));  /* never the first letter */
        unsigned char a = (unsigned char)b->s[i], c = (unsigned char)b->s[i + 1];
        if (a >= 0x80 || a < 'a' || a > 'z')
            continue;
        switch (below(r, 4)) {
        case 0:                                          /* swap with the next */
            if (c < 'a' || c > 'z' || c == a)
                continue;
            b->s[i] = (char)c;
            b->s[i + 1] = (char)a;
            return;
        case 1:                                          /* drop */
            memmove(b->s + i, b->s + i + 1, b->n - i);
            b->n--;
            return;
        case 2:                                          /* double */
            if (b->n + 2 >= sizeof b->s)
                continue;
            memmove(b->s + i + 1, b->s + i, b->n - i + 1);
            b->n++;
            return;
        default: {                                       /* a neighbouring key */
            static const char *const near = "qwertyuiopasdfghjklzxcvbnm";
            const char *q = strchr(near, a);
            b->s[i] = q && q[1] ? q[1] : 'e';
            return;
        }
        }
    }
}

/* German umlauts typed out: Müller → Mueller, Weiß → Weiss. */
static int umlauts_out(struct sbuf *b, const char *s)
{
    static const struct { const char *from, *to; } m[] = {
        {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "Ae"}, {"Ö", "Oe"},
        {"Ü", "Ue"}, {"é", "e"}, {"ø", "o"},
    };
    int changed = 0;
    sb_reset(b);
    while (*s) {
        size_t i;
        for (i = 0; i < COUNT(m); i++) {
            size_t k = strlen(m[i].from);
            if (strncmp(s, m[i].from, k) == 0) {
                sb_add(b, m[i].to);
                s += k;
                changed = 1;
                break;
            }
        }
        if (i == COUNT(m))
            sb_addc(b, *s++);
    }
    return changed;
}

/* ---- one row ------------------------------------------------------------------------ */

static void write_row(const struct person *p, uint64_t *r, int dup, long created_base)
{
    struct sbuf given, family, contact, phone, mobile, email, company, addr1, t;
    sb_reset(&given); sb_add(&given, p->given);
    sb_reset(&family); sb_add(&family, p->family);
    sb_reset(&phone); sb_add(&phone, p->phone.s);
    sb_reset(&mobile); sb_add(&mobile, p->mobile.s);
    sb_reset(&email); sb_add(&email, p->email.s);
    sb_reset(&company); if (p->has_company) sb_add(&company, p->co.name.s);
    sb_reset(&addr1); sb_add(&addr1, p->addr1.s);
    const char *title = p->title;
    long created = created_base, edited = created_base + (p->edited - p->created);

    if (dup) {
        /* The same person, typed in again: one or two changes, never the e-mail. */
        int changes = 1 + chance(r, 350);
        for (int k = 0; k < changes; k++) {
            switch (below(r, 8)) {
            case 0:
                typo(&t, family.s, r);
                family = t;
                break;
            case 1:
                typo(&t, given.s, r);
                given = t;
                break;
            case 2: {
                const char *nick = NULL;
                for (size_t i = 0; i < COUNT(nicknames); i++) {
                    if (strcmp(nicknames[i][0], p->given) == 0)
                        nick = nicknames[i][1];
                }
                if (nick) {
                    sb_reset(&given);
                    sb_add(&given, nick);
                } else if (umlauts_out(&t, family.s)) {
                    family = t;
                } else {
                    typo(&t, given.s, r);
                    given = t;
                }
                break;
            }
            case 3:                                     /* another phone */
                sb_reset(&phone);
                if (p->de)
                    phone_de(&phone, r, p->has_company ? p->co.phone_area.s : "30",
                             p->phone_style, 0);
                else
                    phone_us(&phone, r, p->has_company ? p->co.phone_area.s : "212",
                             p->phone_style);
                break;
            case 4:                                     /* mobile changed or added */
                sb_reset(&mobile);
                if (p->de)
                    phone_de(&mobile, r, NULL, 0, 1);
                else
                    phone_us(&mobile, r, "917", 0);
                break;
            case 5:                                     /* umlauts typed out, or case */
                if (umlauts_out(&t, family.s)) {
                    family = t;
                } else {
                    for (size_t i = 0; i < email.n && email.s[i] != '@'; i++) {
                        if (email.s[i] >= 'a' && email.s[i] <= 'z' && (i == 0 ||
                            email.s[i - 1] == '.'))
                            email.s[i] = (char)(email.s[i] - 32);
                    }
                }
                break;
            case 6:                                     /* the company written otherwise */
                if (p->has_company) {
                    sb_reset(&company);
                    for (const char *c = p->co.name.s; *c; c++) {
                        unsigned char u = (unsigned char)*c;
                        sb_addc(&company, u >= 'a' && u <= 'z' ? (char)(u - 32) : *c);
                    }
                    if (company.n > 1 && company.s[company.n - 1] == '.')
                        company.s[--company.n] = 0;
                } else {
                    title = p->de ? "Privat" : "Private";
                }
                break;
            default:                                    /* a new job title, new address */
                title = p->de ? PICK(r, de_titles) : PICK(r, us_titles);
                if (chance(r, 400)) {
                    sb_reset(&addr1);
                    if (p->de) {
                        sb_add(&addr1, PICK(r, de_streets));
                        sb_addc(&addr1, ' ');
                        sb_num(&addr1, 1 + below(r, 120), 0);
                    } else {
                        sb_num(&addr1, 1 + below(r, 9800), 0);
                        sb_addc(&addr1, ' ');
                        sb_add(&addr1, PICK(r, us_streets));
                    }
                }
                break;
            }
        }
    }

    sb_reset(&contact);
    if (p->prefix) {
        sb_add(&contact, p->prefix);
        sb_addc(&contact, ' ');
    }
    sb_add(&contact, given.s);
    sb_addc(&contact, ' ');
    sb_add(&contact, family.s);
    if (p->suffix) {
        sb_add(&contact, p->de ? " " : ", ");
        sb_add(&contact, p->suffix);
    }

    /* Notes: half empty; about 10% of the rows several lines (CRLF inside quotes). */
    char note[1024];
    size_t nn = 0;
    note[0] = 0;
    unsigned kind = below(r, 1000);
    if (kind < 100) {
        int lines = 2 + (int)below(r, 3);
        uint32_t last = COUNT(notes);
        for (int k = 0; k < lines; k++) {
            struct sbuf d;
            sb_reset(&d);
            if (chance(r, 500)) {
                sb_date(&d, created + (long)below(r, 1500));
                sb_add(&d, ": ");
            }
            uint32_t ni = below(r, (uint32_t)COUNT(notes) - 1);
            if (ni >= last)                              /* not the previous line again */
                ni++;
            last = ni;
            const char *n = notes[ni];
            int w = snprintf(note + nn, sizeof note - nn, "%s%s%s", k ? "\r\n" : "", d.s, n);
            if (w > 0 && (size_t)w < sizeof note - nn)
                nn += (size_t)w;
        }
    } else if (kind < 500) {
        snprintf(note, sizeof note, "%s", PICK(r, notes));
    }

    struct sbuf cd, ed;
    sb_reset(&cd);
    sb_date(&cd, created);
    sb_reset(&ed);
    sb_date(&ed, edited);

    out_field(company.s, 1);
    out_field(contact.s, 0);
    out_field(given.s, 0);
    out_field(family.s, 0);
    out_field(title, 0);
    out_field(p->dept, 0);
    out_field(phone.s, 0);
    out_field(p->ext.s, 0);
    out_field(mobile.s, 0);
    out_field(p->fax.s, 0);
    out_field(addr1.s, 0);
    out_field(p->addr2.s, 0);
    out_field(p->city, 0);
    out_field(p->state, 0);
    out_field(p->zip.s, 0);
    out_field(p->country, 0);
    out_field(email.s, 0);
    out_field(p->has_company ? p->co.web.s : "", 0);
    out_field(p->status, 0);
    out_field(cd.s, 0);
    out_field(ed.s, 0);
    out_field(note, 0);
    out_field(p->user1.s, 0);
    out_field(p->user2, 0);
    out_raw("\r\n", 2);
}

/* ---- distinct persons ------------------------------------------------------------------
 * Two different persons must not share an e-mail address, nor name and company: the
 * ground truth would call them two people where no one could tell them apart. A set
 * of 64-bit key hashes catches that; such a person is drawn again (reroll), and the
 * reroll count is kept per id so a re-entry regenerates the same person. */

static struct {
    uint64_t *slot;
    size_t mask;
    uint8_t *reroll;         /* per person id */
} uniq;

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    h ^= 0xFF;
    return h * 0x100000001B3ull;
}

static uint64_t finish_hash(uint64_t h)
{
    splitmix64(&h);
    h = splitmix64(&h);
    return h ? h : 1;                                    /* 0 marks an empty slot */
}

static int uniq_has(uint64_t h)
{
    for (size_t i = h & uniq.mask; uniq.slot[i]; i = (i + 1) & uniq.mask) {
        if (uniq.slot[i] == h)
            return 1;
    }
    return 0;
}

static void uniq_add(uint64_t h)
{
    size_t i = h & uniq.mask;
    while (uniq.slot[i] && uniq.slot[i] != h)
        i = (i + 1) & uniq.mask;
    uniq.slot[i] = h;
}

/* The person's identifying keys: e-mail (if any), and company + name (if employed). */
static int person_keys(const struct person *p, uint64_t k[2])
{
    int n = 0;
    if (p->email.n)
        k[n++] = finish_hash(hash_str(0xCBF29CE484222325ull, p->email.s));
    if (p->has_company) {
        uint64_t h = 0xCBF29CE484222325ull ^ ((uint64_t)p->company_id << 8);
        h = hash_str(hash_str(h, p->given), p->family);
        k[n++] = finish_hash(h);
    }
    return n;
}

static void new_person(struct person *p, uint64_t seed, uint32_t id, uint32_t ncompanies)
{
    uint64_t k[2];
    unsigned rr;
    int n = 0;
    for (rr = 0; rr < 255; rr++) {
        make_person(p, seed, id, rr, ncompanies);
        n = person_keys(p, k);
        int clash = 0;
        for (int i = 0; i < n; i++)
            clash |= uniq_has(k[i]);
        if (!clash)
            break;
    }
    for (int i = 0; i < n; i++)
        uniq_add(k[i]);
    uniq.reroll[id] = (uint8_t)rr;
}

/* ---- main -------------------------------------------------------------------------------- */

static const char *const header[] = {
    "Company", "Contact", "First Name", "Last Name", "Title", "Department", "Phone",
    "Phone Extension", "Mobile Phone", "Fax", "Address 1", "Address 2", "City", "State",
    "ZIP Code", "Country", "E-mail", "Web Site", "ID/Status", "Create Date", "Edit Date",
    "Notes", "User 1", "User 2",
};

static int usage(void)
{
    fprintf(stderr,
            "usage: gen_act N [SEED] [--truth FILE] [--utf8] > contacts.csv\n"
            "  N rows of an ACT!-style contact export (Windows-1252, CRLF, every value\n"
            "  quoted), ~8%% of them re-entries of an earlier person. SEED (default 1) makes\n"
            "  the output reproducible. --truth FILE writes row_number,person_id per row.\n"
            "  --utf8 writes UTF-8 instead of Windows-1252.\n");
    return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n = 0, seed = 1;
    const char *truth_path = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--truth") == 0 && i + 1 < argc) {
            truth_path = argv[++i];
        } else if (strcmp(argv[i], "--utf8") == 0) {
            out.utf8 = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage();
        } else if (npos == 0 && parse_u64(argv[i], &n) == 0) {
            npos++;
        } else if (npos == 1 && parse_u64(argv[i], &seed) == 0) {
            npos++;
        } else {
            return usage();
        }
    }
    if (npos == 0 || n > 0xFFFFFFF0ull)
        return usage();

    FILE *truth = NULL;
    if (truth_path) {
        truth = fopen(truth_path, "w");
        if (!truth) {
            fprintf(stderr, "gen_act: %s: %s\n", truth_path, strerror(errno));
            return 1;
        }
        fputs("row_number,person_id\n", truth);
    }
    out.cap = 1 << 20;
    out.buf = malloc(out.cap);
    out.f = stdout;
    size_t slots = 1024;
    while (slots < 4 * n)                                /* two keys a person, load <= 1/2 */
        slots <<= 1;
    uniq.slot = calloc(slots, sizeof *uniq.slot);
    uniq.mask = slots - 1;
    uniq.reroll = calloc(n + 1, 1);
    if (!out.buf || !uniq.slot || !uniq.reroll) {
        fprintf(stderr, "gen_act: out of memory\n");
        return 1;
    }

    for (size_t i = 0; i < COUNT(header); i++)
        out_field(header[i], i == 0);
    out_raw("\r\n", 2);

    /* Companies: about one per six persons, so colleagues share them. */
    uint32_t ncompanies = (uint32_t)(n / 6 < 50 ? 50 : n / 6);
    uint32_t persons = 0, dups = 0;
    struct person p;
    for (uint64_t row = 1; row <= n; row++) {
        uint64_t r = rng_for(seed, 3, row);
        uint32_t pid = 0;
        int dup = 0;
        /* 8% re-entries of an earlier person with an e-mail (tries a few). */
        if (persons > 10 && chance(&r, 80)) {
            for (int tries = 0; tries < 4 && !dup; tries++) {
                pid = 1 + below(&r, persons);
                make_person(&p, seed, pid, uniq.reroll[pid], ncompanies);
                dup = p.email.n > 0;
            }
        }
        if (!dup) {
            pid = ++persons;
            new_person(&p, seed, pid, ncompanies);
        } else {
            dups++;
        }
        long created = p.created;
        if (dup)      /* entered again later */
            created += 30 + (long)below(&r, 1500);
        write_row(&p, &r, dup, created);
        if (truth)
            fprintf(truth, "%llu,%lu\n", (unsigned long long)row, (unsigned long)pid);
    }
    out_flush();
    if (fflush(stdout) != 0 || out.failed) {
        fprintf(stderr, "gen_act: write error: %s\n", strerror(errno));
        return 1;
    }
    if (truth && fclose(truth) != 0) {
        fprintf(stderr, "gen_act: %s: write error\n", truth_path);
        return 1;
    }
    fprintf(stderr, "gen_act: %llu rows, %lu persons, %lu re-entries (seed %llu)\n",
            (unsigned long long)n, (unsigned long)persons, (unsigned long)dups,
            (unsigned long long)seed);
    free(out.buf);
    free(uniq.slot);
    free(uniq.reroll);
    return 0;
}
