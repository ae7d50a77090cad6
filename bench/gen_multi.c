/* gen_multi.c — a multi-CRM population with ground truth, for judging identity matching.
 *
 *   gen_multi N OUTDIR [--seed S]
 *
 * Writes N *persons* spread over four systems into OUTDIR:
 *   act.csv              an ACT! export (every value quoted, CRLF, Windows-1252, M/D/YYYY,
 *                        with a "Contact ID" column, so source keys are the export's own)
 *   goldmine/            GoldMine SQL-edition tables: CONTACT1.csv and CONTSUPP.csv (e-mail
 *                        rows, web sites, additional contacts), Windows-1252, NULL, CRLF
 *   siebel.xml           a Siebel EAI XML SiebelMessage of the Contact integration object
 *   hubspot.json         HubSpot contacts in the neutral form tests/http/crm_pages.py serves
 *                        as /crm/v3/objects/contacts pages (hubspot_scenario.json: the
 *                        scenario file for tests/http/server.py)
 *   truth.csv            source,source_key,person_id: one row per record
 *   multi.json           a pipeline config of the four sources (the HubSpot base_url is the
 *                        placeholder http://HUBSPOT_BASE_URL, to be replaced by the server's)
 *   files.json           the same without the HubSpot source
 *
 * A person is in 1 to 4 systems (most in 1 or 2), sometimes twice in one (re-entered),
 * and every record carries the damage of a real multi-CRM estate at the rates in
 * bench/README.md: nicknames, typos, transposed and abbreviated names, umlauts typed
 * out, missing e-mails and phones, phones and addresses written differently, upper-case
 * rows, and a person's e-mail, employer or (by marriage) family name changed between
 * records. Different persons that a naive matcher merges are frequent on purpose:
 * families sharing home, phone and sometimes one e-mail address, colleagues sharing a
 * company's address, switchboard and role mailbox, namesakes, and parents and children
 * of one name at one address (Sr./Jr.).
 *
 * Deterministic for (N, seed) on every machine: own PRNG (splitmix64), never rand();
 * every attribute is a function of the seed and an id, so each file is written in its
 * own pass without holding records. Memory: about 10 bytes a person plus a hash set of
 * the identifying keys (e-mail addresses, phone numbers, name + company) that keeps
 * different persons from sharing one by accident: ~80 MB for a million persons, who make
 * 1.9 million records and 1.0 GB of files in ~18 s. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG ---------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t g_seed = 1;

/* A generator for (stream, id): units, persons, companies and records each draw from
 * their own stream, so changing one never shifts another. */
static uint64_t rng_for(uint64_t stream, uint64_t id)
{
    uint64_t s = g_seed ^ (stream * 0xD1B54A32D192ED03ull);
    splitmix64(&s);
    s ^= id * 0x9E3779B97F4A7C15ull;
    splitmix64(&s);
    return s;
}

static uint32_t below(uint64_t *r, uint32_t n)
{
    return (uint32_t)(((splitmix64(r) >> 32) * (uint64_t)n) >> 32);
}

static int chance(uint64_t *r, unsigned per_mille)
{
    return below(r, 1000) < per_mille;
}

/* Skewed pick: early entries are more frequent (pools list common names first). */
static uint32_t skewed(uint64_t *r, uint32_t n)
{
    uint32_t a = below(r, n), b = below(r, n);
    return a < b ? a : b;
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)COUNT(arr))])
#define PICK_SKEWED(r, arr) ((arr)[skewed((r), (uint32_t)COUNT(arr))])

/* streams */
enum { ST_SHAPE = 1, ST_UNIT, ST_PERSON, ST_SYSTEMS, ST_COMPANY, ST_RECORD, ST_DATES,
       ST_ORDER };

/* ---- pools (UTF-8; ACT! and GoldMine files are written in Windows-1252) -------------- */

static const char *const us_male[] = {
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph",
    "Thomas", "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald",
    "Steven", "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Edward",
    "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric",
    "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel",
    "Gregory", "Frank", "Alexander", "Raymond", "Patrick", "Jack", "Dennis", "Jerry",
    "Tyler", "Aaron", "José", "Henry", "Douglas", "Peter", "Walter", "Nathan", "Zachary",
    "Kyle", "Noah", "Ethan", "Jeremy", "Christian", "Keith", "Roger", "Terry", "Sean",
    "Carl", "Harold", "Arthur", "Lawrence", "Jesús", "Dylan", "Bryan", "Jordan",
    "Albert", "Logan", "Randy", "Ralph", "Roy", "Eugene", "Wayne", "Louis", "Philip",
    "Bradley", "René", "André",
};
static const char *const us_female[] = {
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Nancy", "Lisa", "Margaret", "Sandra", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Dorothy", "Carol", "Amanda", "Melissa", "Deborah",
    "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Shirley",
    "Angela", "Helen", "Anna", "Brenda", "Pamela", "Nicole", "Emma", "Samantha",
    "Katherine", "Christine", "Debra", "Rachel", "Catherine", "Carolyn", "Janet", "Ruth",
    "Maria", "Heather", "Diane", "Virginia", "Julie", "Joyce", "Victoria", "Olivia",
    "Kelly", "Christina", "Lauren", "Joan", "Evelyn", "Judith", "Megan", "Cheryl",
    "Andrea", "Hannah", "Martha", "Jacqueline", "Frances", "Gloria", "Ann", "Teresa",
    "Kathryn", "Sara", "Janice", "Jean", "Alice", "Madison", "Doris", "Abigail", "Julia",
    "Grace", "Denise", "Amber", "Marilyn", "Beverly", "Danielle", "Theresa", "Zoë",
    "Chloé", "Renée", "Noëlle", "Inés",
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
    "Jimenez", "O'Brien", "O'Connor", "McDonald", "MacLeod", "McCarthy", "O'Neill", "Peña",
    "Muñoz", "Gómez", "Hernández", "Schultz", "Kowalski", "Nowak", "Jørgensen",
    "Sørensen", "Dubois", "Lefèvre", "Van Buren", "van Dyke", "Van der Meer", "St. John",
    "Fischer", "Meyer", "DeLuca", "D'Angelo",
};
static const char *const de_male[] = {
    "Thomas", "Michael", "Andreas", "Peter", "Stefan", "Christian", "Frank", "Klaus",
    "Wolfgang", "Jürgen", "Markus", "Uwe", "Bernd", "Matthias", "Alexander", "Martin",
    "Ralf", "Hans", "Werner", "Dieter", "Jörg", "Sven", "Dirk", "Tobias", "Manfred",
    "Helmut", "Günter", "Florian", "Sebastian", "Daniel", "Jan", "Holger", "Rainer",
    "Heinz", "Gerhard", "Karl-Heinz", "Hans-Jürgen", "Johannes", "Friedrich", "Josef",
    "Björn", "Sören", "Jens", "Lutz", "Torsten", "Volker", "Norbert", "Horst", "Kai",
    "Lukas", "Maximilian", "Felix", "Niklas", "Philipp", "Wilhelm", "René", "Günther",
};
static const char *const de_female[] = {
    "Sabine", "Petra", "Claudia", "Andrea", "Monika", "Susanne", "Birgit", "Stefanie",
    "Nicole", "Katrin", "Anja", "Julia", "Christina", "Martina", "Ute", "Heike",
    "Gabriele", "Ursula", "Karin", "Renate", "Sandra", "Silke", "Kerstin", "Bärbel",
    "Jutta", "Angelika", "Elke", "Ingrid", "Brigitte", "Katharina", "Elisabeth",
    "Barbara", "Anna", "Lena", "Laura", "Sophie", "Marie", "Hannah", "Lea", "Jördis",
    "Maren", "Käthe", "Annegret", "Dörte", "Gisela", "Helga", "Doris", "Tanja", "Simone",
    "Franziska", "Johanna", "Cornelia", "Helene", "Theresia", "Anke", "Hélène", "Maike",
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
    "Wolff", "Pfeiffer", "von Böhlen", "von der Heide", "von Ahlen", "van Hoorn",
    "van der Berg", "Ølgaard", "Dupré", "Nowak", "Kowalski", "Großmann", "Weißenborn",
    "Brückner", "Straßburger", "Meißner", "Weißmüller",
};

/* Formal given name -> a nickname schemas/nicknames.tsv maps back to it. */
static const char *const nicknames[][2] = {
    {"Robert", "Bob"}, {"William", "Bill"}, {"Katherine", "Kathy"}, {"Kathleen", "Kathy"},
    {"Catherine", "Cathy"}, {"Richard", "Rick"}, {"James", "Jim"}, {"Michael", "Mike"},
    {"Thomas", "Tom"}, {"Joseph", "Joe"}, {"Charles", "Chuck"}, {"Elizabeth", "Liz"},
    {"Margaret", "Peggy"}, {"Jennifer", "Jenny"}, {"Christopher", "Chris"},
    {"Daniel", "Dan"}, {"Matthew", "Matt"}, {"Anthony", "Tony"}, {"Steven", "Steve"},
    {"Patricia", "Pat"}, {"Susan", "Sue"}, {"Deborah", "Debbie"}, {"Kenneth", "Ken"},
    {"Timothy", "Tim"}, {"Nicholas", "Nick"}, {"Samuel", "Sam"}, {"Alexander", "Alex"},
    {"Rebecca", "Becky"}, {"Edward", "Ted"},
    {"Hans", "Hansi"}, {"Johannes", "Hans"}, {"Friedrich", "Fritz"},
    {"Katharina", "Kathi"}, {"Josef", "Sepp"}, {"Stefanie", "Steffi"},
    {"Ursula", "Uschi"}, {"Tobias", "Tobi"}, {"Sebastian", "Basti"}, {"Andreas", "Andi"},
    {"Maximilian", "Max"}, {"Wilhelm", "Willi"}, {"Barbara", "Babsi"},
    {"Johanna", "Hanne"}, {"Theresia", "Resi"}, {"Helene", "Lene"}, {"Florian", "Flo"},
    {"Cornelia", "Conny"}, {"Wolfgang", "Wolfi"}, {"Franziska", "Franzi"},
    {"Elisabeth", "Lisa"},
};

static const char *nickname_of(const char *given, int de)
{
    for (size_t i = 0; i < COUNT(nicknames); i++) {
        if (strcmp(nicknames[i][0], given) == 0) {
            if (de && strcmp(given, "Michael") == 0)
                return "Micha";
            return nicknames[i][1];
        }
    }
    return NULL;
}

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
    {"Salt Lake City", "UT", "801", "841"}, {"Des Moines", "IA", "515", "503"},
    {"Omaha", "NE", "402", "681"}, {"Richmond", "VA", "804", "232"},
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

/* US streets: a name and a type, written out or abbreviated. */
static const char *const us_street_names[] = {
    "Main", "Oak", "Maple", "Cedar", "Park", "Elm", "Washington", "Lake Shore", "Pine",
    "Market", "Church", "River", "Madison", "Highland", "Sunset", "Commerce", "Lincoln",
    "Jefferson", "Franklin", "Spring", "Hillcrest", "Peachtree", "Technology", "Broad",
    "Union", "Chestnut", "Walnut", "Industrial", "Corporate Center", "Meadow", "2nd",
    "5th", "Forest", "Ridge", "Willow", "Jackson",
};
static const char *const us_street_types[][2] = {
    {"Street", "St"}, {"Street", "St"}, {"Street", "St"}, {"Avenue", "Ave"},
    {"Avenue", "Ave"}, {"Road", "Rd"}, {"Drive", "Dr"}, {"Lane", "Ln"},
    {"Boulevard", "Blvd"}, {"Parkway", "Pkwy"}, {"Court", "Ct"}, {"Place", "Pl"},
};
/* German streets as written out; abbreviations are made from them (straße -> str.). */
static const char *const de_streets[] = {
    "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße",
    "Bergstraße", "Lindenstraße", "Kirchstraße", "Goethestraße", "Schillerstraße",
    "Industriestraße", "Poststraße", "Waldstraße", "Ringstraße", "Münchner Straße",
    "Berliner Straße", "Hamburger Straße", "Frankfurter Straße", "Weißenburger Straße",
    "Friedrich-Ebert-Straße", "Konrad-Adenauer-Straße", "Theodor-Heuss-Straße",
    "Karl-Marx-Straße", "Mühlenweg", "Rosenweg", "Birkenweg", "Wiesenweg", "Marktplatz",
    "Kirchplatz", "Königsallee", "Kastanienallee", "Am Markt", "Am Bahnhof",
    "Große Bleichen", "Lange Reihe", "Unter den Linden", "Gewerbepark Süd",
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
    "GmbH", "GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "OHG",
    "UG (haftungsbeschränkt)",
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
static const char *const us_free[] = {
    "gmail.com", "yahoo.com", "aol.com", "hotmail.com", "comcast.net", "msn.com",
    "att.net", "verizon.net", "outlook.com",
};
static const char *const de_free[] = {
    "web.de", "gmx.de", "t-online.de", "gmx.net", "freenet.de", "arcor.de", "yahoo.de",
    "googlemail.com", "posteo.de",
};
static const char *const us_roles[] = { "info", "sales", "office", "contact", "orders" };
static const char *const de_roles[] = { "info", "office", "vertrieb", "kontakt", "sales" };
static const char *const notes_pool[] = {
    "Met at CeBIT 2008, interested in the \"Enterprise\" package.",
    "Prefers e-mail. Do not call before 10 am.",
    "Sent catalog; follow up in Q3.",
    "Budget approx. €25,000 for next year.",
    "Spricht kein Englisch – bitte auf Deutsch.",
    "Rückruf erbeten wegen Angebot über 12.500 €.",
    "Key account, handle with care.",
    "Moved from old address; see previous record.",
    "Zahlt immer pünktlich.",
    "Left voicemail, no answer.",
};
static const char *const lead_sources[] = {
    "Trade show", "Web", "Referral", "Mailing", "Cold call", "Newsletter",
};

/* ---- small strings ------------------------------------------------------------------- */

struct sbuf { char s[160]; size_t n; };

static void sb_reset(struct sbuf *b) { b->n = 0; b->s[0] = 0; }

static void sb_add(struct sbuf *b, const char *s)
{
    size_t room = sizeof b->s - 1 - b->n;
    while (*s && room--)
        b->s[b->n++] = *s++;
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

static void sb_set(struct sbuf *b, const char *s)
{
    sb_reset(b);
    sb_add(b, s);
}

/* ASCII for e-mail addresses and domains: ä→ae, ß→ss, é→e, ø→oe; letters and digits
 * lower-cased; sep replaces spaces and hyphens, other punctuation is dropped. */
static void sb_ascii(struct sbuf *b, const char *s, const char *sep)
{
    static const struct { const char *from, *to; } fold[] = {
        {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"Ä", "ae"}, {"Ö", "oe"}, {"Ü", "ue"},
        {"ß", "ss"}, {"é", "e"}, {"è", "e"}, {"ê", "e"}, {"ë", "e"}, {"É", "e"},
        {"á", "a"}, {"à", "a"}, {"å", "a"}, {"ó", "o"}, {"ø", "oe"}, {"Ø", "oe"},
        {"ñ", "n"}, {"ú", "u"}, {"ç", "c"}, {"í", "i"},
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

/* Upper or lower case of ASCII and the Latin-1 letters (ä Ä é É ...); ß stays. */
static void sb_case(struct sbuf *b, int upper)
{
    unsigned char *u = (unsigned char *)b->s;
    for (size_t i = 0; i < b->n; i++) {
        if (upper && u[i] >= 'a' && u[i] <= 'z')
            u[i] = (unsigned char)(u[i] - 32);
        else if (!upper && u[i] >= 'A' && u[i] <= 'Z')
            u[i] = (unsigned char)(u[i] + 32);
        else if (u[i] == 0xC3 && i + 1 < b->n) {
            unsigned char c = u[i + 1];
            if (upper && c >= 0xA0 && c <= 0xBE && c != 0xB7)
                u[i + 1] = (unsigned char)(c - 0x20);
            else if (!upper && c >= 0x80 && c <= 0x9E && c != 0x97)
                u[i + 1] = (unsigned char)(c + 0x20);
            i++;
        }
    }
}

/* s with the first occurrence of from replaced by to; 0 when from is not in s. */
static int sb_replace(struct sbuf *b, const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    if (!p)
        return 0;
    sb_reset(b);
    char head[160];
    size_t k = (size_t)(p - s) < sizeof head ? (size_t)(p - s) : sizeof head - 1;
    memcpy(head, s, k);
    head[k] = 0;
    sb_add(b, head);
    sb_add(b, to);
    sb_add(b, p + strlen(from));
    return 1;
}

/* ---- dates --------------------------------------------------------------------------- */

static void civil_from_days(long z, int *yy, int *mm, int *dd)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned long doe = (unsigned long)(z - era * 146097);
    unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned long mp = (5 * doy + 2) / 153;
    *dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *yy = (int)(y + (*mm <= 2));
}

/* ---- output -------------------------------------------------------------------------- */

struct out {
    FILE *f;
    char path[4096];
    char *buf;
    size_t n, cap;
    int cp1252;              /* convert UTF-8 to Windows-1252 */
};

static int g_write_failed;

static void out_open(struct out *o, const char *dir, const char *name, int cp1252)
{
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->f = fopen(o->path, "wb");
    if (!o->f) {
        fprintf(stderr, "gen_multi: %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
    o->cap = 1 << 20;
    o->n = 0;
    o->cp1252 = cp1252;
    o->buf = malloc(o->cap);
    if (!o->buf) {
        fprintf(stderr, "gen_multi: out of memory\n");
        exit(1);
    }
}

static void out_flush(struct out *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
        g_write_failed = 1;
    o->n = 0;
}

static void out_close(struct out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0 || g_write_failed) {
        fprintf(stderr, "gen_multi: %s: write error\n", o->path);
        exit(1);
    }
    free(o->buf);
    o->buf = NULL;
}

static void out_raw(struct out *o, const char *s, size_t k)
{
    if (o->n + k > o->cap)
        out_flush(o);
    if (k > o->cap) {
        if (fwrite(s, 1, k, o->f) != k)
            g_write_failed = 1;
        return;
    }
    memcpy(o->buf + o->n, s, k);
    o->n += k;
}

static void out_s(struct out *o, const char *s)
{
    out_raw(o, s, strlen(s));
}

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

/* Text with '"' doubled when quote is set, in the file's encoding. */
static void out_text(struct out *o, const char *s, int quote)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = strlen(s);
    if (o->n + 2 * k + 8 > o->cap)
        out_flush(o);
    char *p = o->buf + o->n;
    const unsigned char *end = u + k;
    while (u < end) {
        unsigned c = *u;
        if (c == '"' && quote) {
            *p++ = '"';
            *p++ = '"';
            u++;
        } else if (c < 0x80 || !o->cp1252) {
            *p++ = (char)c;
            u++;
        } else {
            uint32_t cp = '?';
            int len = 1;
            if ((c & 0xE0) == 0xC0 && u + 1 < end) {
                cp = ((c & 0x1Fu) << 6) | (u[1] & 0x3Fu);
                len = 2;
            } else if ((c & 0xF0) == 0xE0 && u + 2 < end) {
                cp = ((c & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
                len = 3;
            }
            int b = cp1252_of(cp);
            *p++ = (char)(b < 0 ? '?' : b);
            u += len;
        }
    }
    o->n = (size_t)(p - o->buf);
}

/* An ACT! field: always quoted. */
static void csv_field(struct out *o, const char *s, int first)
{
    if (!first)
        out_raw(o, ",", 1);
    out_raw(o, "\"", 1);
    out_text(o, s ? s : "", 1);
    out_raw(o, "\"", 1);
}

/* A GoldMine SQL-export field: NULL unquoted when absent or empty, else quoted. */
static void gm_field(struct out *o, const char *s, int first)
{
    if (!first)
        out_raw(o, ",", 1);
    if (!s || !*s) {
        out_raw(o, "NULL", 4);
        return;
    }
    out_raw(o, "\"", 1);
    out_text(o, s, 1);
    out_raw(o, "\"", 1);
}

static void xml_text(struct out *o, const char *s)
{
    for (;;) {
        size_t k = strcspn(s, "&<>");
        out_raw(o, s, k);
        s += k;
        if (!*s)
            return;
        out_s(o, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : "&gt;");
        s++;
    }
}

static void xml_leaf(struct out *o, const char *indent, const char *tag, const char *v)
{
    if (!v || !*v)
        return;
    out_s(o, indent);
    out_s(o, "<");
    out_s(o, tag);
    out_s(o, ">");
    xml_text(o, v);
    out_s(o, "</");
    out_s(o, tag);
    out_s(o, ">\n");
}

static void json_str(struct out *o, const char *s)
{
    out_raw(o, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            out_raw(o, e, 2);
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            out_s(o, e);
        } else {
            out_raw(o, (const char *)&c, 1);
        }
    }
    out_raw(o, "\"", 1);
}

/* "key": "value" in a JSON object; skipped when the value is empty. */
static void json_member(struct out *o, int *first, const char *key, const char *v)
{
    if (!v || !*v)
        return;
    out_s(o, *first ? "" : ", ");
    *first = 0;
    json_str(o, key);
    out_s(o, ": ");
    json_str(o, v);
}

/* A CSV value of truth.csv, quoted only when it must be. */
static void truth_value(struct out *o, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) {
        out_raw(o, "\"", 1);
        out_text(o, s, 1);
        out_raw(o, "\"", 1);
    } else {
        out_s(o, s);
    }
}

/* ---- the set of identifying keys ---------------------------------------------------------
 * Two different persons must not share an e-mail address, a mobile or direct number, nor
 * name and company, unless the population means them to (a family's mailbox and home
 * phone, a company's switchboard and role mailbox): the truth would call them two people
 * where nothing tells them apart. A set of 64-bit key hashes catches an accidental clash;
 * the person (or company, or household) is then drawn again (reroll), and the reroll count
 * is kept per id so that later passes regenerate the same one. */

static struct {
    uint64_t *slot;
    size_t mask, used;
} uniq;

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
    h ^= 0xFF;
    h *= 0x100000001B3ull;
    splitmix64(&h);
    h = splitmix64(&h);
    return h ? h : 1;
}

static uint64_t key_of(char kind, const char *s)
{
    char k[2] = {kind, 0};
    return hash_str(hash_str(0xCBF29CE484222325ull, k), s);
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
    if (4 * (uniq.used + 1) > 3 * (uniq.mask + 1)) {    /* keep the load under 3/4 */
        size_t cap = 2 * (uniq.mask + 1);
        uint64_t *old = uniq.slot;
        size_t omask = uniq.mask;
        uniq.slot = calloc(cap, sizeof *uniq.slot);
        if (!uniq.slot) {
            fprintf(stderr, "gen_multi: out of memory\n");
            exit(1);
        }
        uniq.mask = cap - 1;
        for (size_t i = 0; i <= omask; i++) {
            if (old[i]) {
                size_t j = old[i] & uniq.mask;
                while (uniq.slot[j])
                    j = (j + 1) & uniq.mask;
                uniq.slot[j] = old[i];
            }
        }
        free(old);
    }
    size_t i = h & uniq.mask;
    while (uniq.slot[i] && uniq.slot[i] != h)
        i = (i + 1) & uniq.mask;
    if (!uniq.slot[i])
        uniq.used++;
    uniq.slot[i] = h;
}

/* a small list of keys of one candidate, checked and added together */
struct keys { uint64_t k[16]; int n; };

static void keys_add(struct keys *ks, char kind, const char *s)
{
    if (s && *s && ks->n < (int)COUNT(ks->k))
        ks->k[ks->n++] = key_of(kind, s);
}

static int keys_clash(const struct keys *ks)
{
    for (int i = 0; i < ks->n; i++) {
        if (uniq_has(ks->k[i]))
            return 1;
        for (int j = 0; j < i; j++)
            if (ks->k[j] == ks->k[i])
                return 1;
    }
    return 0;
}

static void keys_commit(const struct keys *ks)
{
    for (int i = 0; i < ks->n; i++)
        uniq_add(ks->k[i]);
}

/* ---- phone numbers ------------------------------------------------------------------- */

/* A number as its parts: country, area code without the trunk 0, subscriber digits, and for
 * German company numbers the extension written after the base (030 4711-0 is the
 * switchboard, 030 4711-234 a direct line). */
struct num {
    int de, company;
    char area[6], sub[12], ext[6];
};

static int num_set(const struct num *n) { return n->sub[0] != 0; }

static void num_digits(struct sbuf *b, const struct num *n)     /* for the key set */
{
    sb_reset(b);
    sb_add(b, n->de ? "+49" : "+1");
    sb_add(b, n->area);
    sb_add(b, n->sub);
    if (n->company && n->de)
        sb_add(b, n->ext);
}

static void make_num(struct num *n, uint64_t *r, int de, const char *area, int mobile)
{
    static const char *const de_mob[] = {"151", "160", "170", "171", "172", "176", "1577",
                                         "157", "162", "175"};
    memset(n, 0, sizeof *n);
    n->de = de;
    struct sbuf t;
    sb_reset(&t);
    if (de) {
        snprintf(n->area, sizeof n->area, "%s", mobile ? PICK(r, de_mob) : area);
        int len = mobile ? 7 + (int)below(r, 2) : (strlen(area) <= 2 ? 7 + (int)below(r, 2)
                                                    : 5 + (int)below(r, 3));
        sb_addc(&t, (char)('1' + below(r, 9)));
        while ((int)t.n < len)
            sb_addc(&t, (char)('0' + below(r, 10)));
    } else {
        snprintf(n->area, sizeof n->area, "%s", area);
        sb_num(&t, 200 + below(r, 800), 3);
        sb_num(&t, below(r, 10000), 4);
    }
    snprintf(n->sub, sizeof n->sub, "%s", t.s);
}

/* A company switchboard: German ones a base with extension 0, US ones ending in 00. */
static void make_switchboard(struct num *n, uint64_t *r, int de, const char *area)
{
    memset(n, 0, sizeof *n);
    n->de = de;
    n->company = 1;
    snprintf(n->area, sizeof n->area, "%s", area);
    struct sbuf t;
    sb_reset(&t);
    if (de) {
        int len = strlen(area) <= 2 ? 5 + (int)below(r, 2) : 4 + (int)below(r, 2);
        sb_addc(&t, (char)('1' + below(r, 9)));
        while ((int)t.n < len)
            sb_addc(&t, (char)('0' + below(r, 10)));
        snprintf(n->ext, sizeof n->ext, "0");
    } else {
        sb_num(&t, 200 + below(r, 800), 3);
        sb_num(&t, below(r, 100) * 100, 4);
    }
    snprintf(n->sub, sizeof n->sub, "%s", t.s);
}

enum { PS_US_MASK, PS_US_DASH, PS_US_DOT, PS_US_INTL, PS_US_BARE, PS_US_GM, PS_US_INTL2,
       PS_US_ONE, PS_US_N };
enum { PS_DE_INTL, PS_DE_SLASH, PS_DE_SPACE, PS_DE_PAREN, PS_DE_INTL0, PS_DE_E164,
       PS_DE_DASH, PS_DE_00, PS_DE_N };

/* The number written in a style (PS_US_* or PS_DE_*). ext: an extension to append (US:
 * " x234"; German: the direct line base-234 instead of base-0); NULL: none. */
static void fmt_phone(struct sbuf *b, const struct num *n, int style, const char *ext,
                      uint64_t *r)
{
    sb_reset(b);
    if (!num_set(n))
        return;
    if (n->de) {
        struct sbuf sub;
        sb_reset(&sub);
        sb_add(&sub, n->sub);
        if (n->company) {
            const char *e = ext && *ext ? ext : n->ext;
            if (style != PS_DE_E164)
                sb_addc(&sub, '-');
            sb_add(&sub, e);
        }
        switch (style) {
        case PS_DE_INTL: sb_add(b, "+49 "); sb_add(b, n->area); sb_addc(b, ' '); break;
        case PS_DE_SLASH: sb_addc(b, '0'); sb_add(b, n->area); sb_addc(b, '/'); break;
        case PS_DE_SPACE: sb_addc(b, '0'); sb_add(b, n->area); sb_addc(b, ' '); break;
        case PS_DE_PAREN: sb_add(b, "(0"); sb_add(b, n->area); sb_add(b, ") "); break;
        case PS_DE_INTL0: sb_add(b, "+49 (0)"); sb_add(b, n->area); sb_addc(b, ' '); break;
        case PS_DE_E164: sb_add(b, "+49"); sb_add(b, n->area); break;
        case PS_DE_DASH: sb_addc(b, '0'); sb_add(b, n->area); sb_addc(b, '-'); break;
        default: sb_add(b, "0049 "); sb_add(b, n->area); sb_addc(b, ' '); break;
        }
        sb_add(b, sub.s);
        return;
    }
    char ex[4], ln[5];
    memcpy(ex, n->sub, 3);
    ex[3] = 0;
    memcpy(ln, n->sub + 3, 4);
    ln[4] = 0;
    const char *a = n->area;
    char t[48];
    switch (style) {
    case PS_US_MASK: snprintf(t, sizeof t, "(%s) %s-%s", a, ex, ln); break;
    case PS_US_DASH: snprintf(t, sizeof t, "%s-%s-%s", a, ex, ln); break;
    case PS_US_DOT: snprintf(t, sizeof t, "%s.%s.%s", a, ex, ln); break;
    case PS_US_INTL: snprintf(t, sizeof t, "+1 %s %s %s", a, ex, ln); break;
    case PS_US_BARE: snprintf(t, sizeof t, "%s%s%s", a, ex, ln); break;
    case PS_US_GM: snprintf(t, sizeof t, "(%s)%s-%s", a, ex, ln); break;
    case PS_US_INTL2: snprintf(t, sizeof t, "+1 (%s) %s-%s", a, ex, ln); break;
    default: snprintf(t, sizeof t, "1-%s-%s-%s", a, ex, ln); break;
    }
    sb_add(b, t);
    if (ext && *ext && n->company) {
        sb_add(b, r && chance(r, 500) ? " x" : " ext. ");
        sb_add(b, ext);
    }
}

/* ---- addresses ----------------------------------------------------------------------- */

struct addr {
    int de;
    unsigned city;
    unsigned street, type;        /* de: de_streets[street]; us: name and type */
    char number[8], line2[24], zip[12];
};

static void make_addr(struct addr *a, uint64_t *r, int de, unsigned city, int home)
{
    memset(a, 0, sizeof *a);
    a->de = de;
    a->city = city;
    struct sbuf t;
    sb_reset(&t);
    if (de) {
        a->street = below(r, COUNT(de_streets));
        sb_num(&t, 1 + below(r, home ? 120 : 180), 0);
        if (chance(r, 80))
            sb_addc(&t, (char)('a' + below(r, 3)));
        if (!home && chance(r, 150))
            snprintf(a->line2, sizeof a->line2, "%s", chance(r, 500) ? "2. OG" : "Haus B");
        snprintf(a->zip, sizeof a->zip, "%s%03u", de_cities[city].plz2, below(r, 1000));
    } else {
        a->street = below(r, COUNT(us_street_names));
        a->type = below(r, COUNT(us_street_types));
        sb_num(&t, 1 + below(r, 9800), 0);
        if (home && chance(r, 150))
            snprintf(a->line2, sizeof a->line2, "Apt %u", 1 + below(r, 40));
        else if (!home && chance(r, 300))
            snprintf(a->line2, sizeof a->line2, "Suite %u", 100 * (1 + below(r, 9)));
        snprintf(a->zip, sizeof a->zip, "%s%02u", us_cities[city].zip3, below(r, 100));
    }
    snprintf(a->number, sizeof a->number, "%s", t.s);
}

/* The street line, written out or abbreviated (Straße -> Str., Avenue -> Ave.). */
static void fmt_street(struct sbuf *b, const struct addr *a, int abbrev, uint64_t *r)
{
    sb_reset(b);
    if (a->de) {
        const char *s = de_streets[a->street];
        struct sbuf t;
        if (!abbrev || !(sb_replace(&t, s, "straße", chance(r, 700) ? "str." : "strasse") ||
                         sb_replace(&t, s, "Straße", "Str.") ||
                         sb_replace(&t, s, "platz", "pl.")))
            sb_set(&t, s);
        sb_add(b, t.s);
        sb_addc(b, ' ');
        sb_add(b, a->number);
        return;
    }
    sb_add(b, a->number);
    sb_addc(b, ' ');
    sb_add(b, us_street_names[a->street]);
    sb_addc(b, ' ');
    if (abbrev) {
        sb_add(b, us_street_types[a->type][1]);
        if (chance(r, 500))
            sb_addc(b, '.');
    } else {
        sb_add(b, us_street_types[a->type][0]);
    }
}

static const char *city_name(const struct addr *a)
{
    return a->de ? de_cities[a->city].city : us_cities[a->city].city;
}

static const char *city_area(int de, unsigned city)
{
    return de ? de_cities[city].area : us_cities[city].area;
}

/* ---- companies ----------------------------------------------------------------------- */

struct company {
    int de;
    unsigned city;
    char name[96];                /* with its legal form */
    const char *legal;
    char domain[64], web[80];
    struct addr addr;
    struct num main;
    int email_style;              /* 0 first.last, 1 flast, 2 first_last, 3 lastf */
    const char *role;             /* its role mailbox: info, sales, office, ... */
};

/* Companies are laid out city by city, each city of a country holding about as many as
 * its share of the people (skewed(), like the persons' home cities): the US ones first. */
static uint32_t g_ncompanies, g_ncompanies_us;
static uint32_t g_co_start[2][64], g_co_count[2][64];
static uint16_t *g_company_rr;

static unsigned ncities(int de)
{
    return de ? (unsigned)COUNT(de_cities) : (unsigned)COUNT(us_cities);
}

static void layout_companies(uint32_t total)
{
    uint32_t next = 0;
    for (int de = 0; de < 2; de++) {
        uint64_t share = de ? total * 2 / 5 : total * 3 / 5;
        unsigned n = ncities(de);
        for (unsigned c = 0; c < n; c++) {
            /* skewed(n) picks c with probability (2(n-c)-1)/n^2 */
            uint64_t k = share * (2 * (n - c) - 1) / ((uint64_t)n * n);
            g_co_start[de][c] = next;
            g_co_count[de][c] = k ? (uint32_t)k : 1;
            next += g_co_count[de][c];
        }
        if (!de)
            g_ncompanies_us = next;
    }
    g_ncompanies = next;
}

static unsigned company_city(uint32_t id, int de)
{
    unsigned c = 0;
    while (c + 1 < ncities(de) && id >= g_co_start[de][c + 1])
        c++;
    return c;
}

/* Company id's attributes; rr > 0 gives the same company another domain (a clash). */
static void make_company(struct company *c, uint32_t id, unsigned rr)
{
    uint64_t r = rng_for(ST_COMPANY, id);
    memset(c, 0, sizeof *c);
    c->de = id >= g_ncompanies_us;
    const char *fam = c->de ? PICK(&r, de_family) : PICK(&r, us_family);
    const char *word = c->de ? PICK(&r, de_co_words) : PICK(&r, us_co_words);
    const char *trade = c->de ? PICK(&r, de_co_trades) : PICK(&r, us_co_trades);
    c->legal = c->de ? PICK(&r, de_legal) : PICK(&r, us_legal);
    unsigned style = below(&r, 4);
    struct sbuf n, d1, d2;             /* the name; the two parts of its domain */
    sb_reset(&n);
    sb_reset(&d1);
    sb_reset(&d2);
    if (style == 0) {                           /* "Harper Logistics Inc." */
        sb_add(&n, fam); sb_addc(&n, ' '); sb_add(&n, trade);
        sb_ascii(&d1, fam, ""); sb_ascii(&d2, trade, "");
    } else if (style == 1 && c->de) {           /* "Schmidt & Weber KG" */
        const char *fam2 = PICK(&r, de_family);
        sb_add(&n, fam); sb_add(&n, " & "); sb_add(&n, fam2);
        sb_ascii(&d1, fam, ""); sb_ascii(&d2, fam2, "");
    } else if (style == 1) {                    /* "Smith & Sons" */
        int sons = chance(&r, 500);
        sb_add(&n, fam); sb_add(&n, sons ? " & Sons" : " Brothers");
        sb_ascii(&d1, fam, ""); sb_add(&d2, sons ? "andsons" : "brothers");
    } else {                                    /* "Summit Data Systems LLC" */
        sb_add(&n, word); sb_addc(&n, ' '); sb_add(&n, trade);
        sb_ascii(&d1, word, ""); sb_ascii(&d2, trade, "");
    }
    sb_addc(&n, ' ');
    sb_add(&n, c->legal);
    snprintf(c->name, sizeof c->name, "%s", n.s);
    c->city = company_city(id, c->de);
    /* Another domain when the name's is taken (rr): with a hyphen, the other top-level
     * domain, the city, a number. */
    struct sbuf dom;
    sb_reset(&dom);
    sb_add(&dom, d1.s);
    if (rr % 2 == 1 || style == 1)
        sb_addc(&dom, '-');
    sb_add(&dom, d2.s);
    if (rr >= 4 && rr < 8) {
        sb_addc(&dom, '-');
        sb_ascii(&dom, city_name(&(struct addr){.de = c->de, .city = c->city}), "");
    } else if (rr >= 8) {
        uint64_t rn = rng_for(ST_COMPANY, id | ((uint64_t)rr << 40));
        sb_num(&dom, 2 + below(&rn, 20 * rr), 0);
    }
    const char *tld = c->de ? ".de" : ".com";
    if (rr % 4 >= 2)
        tld = c->de ? ".com" : ".net";
    sb_add(&dom, tld);
    snprintf(c->domain, sizeof c->domain, "%s", dom.s);
    if (chance(&r, 850))
        snprintf(c->web, sizeof c->web, "%s%s", chance(&r, 300) ? "http://www." : "www.",
                 c->domain);
    c->email_style = (int)below(&r, 4);
    c->role = c->de ? PICK(&r, de_roles) : PICK(&r, us_roles);
    make_addr(&c->addr, &r, c->de, c->city, 0);
    uint64_t rp = rng_for(ST_COMPANY, id | ((uint64_t)rr << 40) | (1ull << 60));
    make_switchboard(&c->main, &rp, c->de, city_area(c->de, c->city));
}

static void company_keys(const struct company *c, struct keys *ks)
{
    struct sbuf t;
    ks->n = 0;
    keys_add(ks, 'd', c->domain);
    num_digits(&t, &c->main);
    keys_add(ks, 'p', t.s);
}

static void get_company(struct company *c, uint32_t id)
{
    make_company(c, id, g_company_rr[id]);
}

/* A company of the country, mostly in the person's city, the big ones more often. */
static uint32_t pick_company(uint64_t *r, int de, unsigned city)
{
    if (!chance(r, 800))
        city = skewed(r, ncities(de));
    return g_co_start[de][city] + skewed(r, g_co_count[de][city]);
}

/* ---- units: the households, families and look-alikes persons come in ----------------- */

enum { K_SINGLE, K_HOUSEHOLD, K_PARENT_CHILD, K_NAMESAKE, K_COLLEAGUES, K_NKIND };
static const char *const kind_name[K_NKIND] = {
    "single", "household", "parent_child", "namesake", "colleague_family",
};

/* Shape of unit u (never drawn again): kind, size, and how its members show up. */
struct shape {
    int kind, size;
    int shared_mail;              /* household: 0 none, 1 a family mailbox, 2 a couple's */
    int gm_additional;            /* household: member 1 as a GoldMine additional contact */
};

static void unit_shape_raw(uint32_t u, struct shape *s)
{
    uint64_t r = rng_for(ST_SHAPE, u);
    unsigned k = below(&r, 1000);
    memset(s, 0, sizeof *s);
    if (k < 60) {
        s->kind = K_HOUSEHOLD;
        s->size = chance(&r, 300) ? 3 : 2;
        if (chance(&r, 400))
            s->shared_mail = chance(&r, 600) ? 1 : 2;
        else                      /* (an additional contact has no e-mail address) */
            s->gm_additional = chance(&r, 400);
    } else if (k < 78) {
        s->kind = K_PARENT_CHILD;
        s->size = 2;
    } else if (k < 96) {
        s->kind = K_NAMESAKE;
        s->size = chance(&r, 150) ? 3 : 2;
    } else if (k < 110) {
        s->kind = K_COLLEAGUES;
        s->size = 2;
    } else {
        s->kind = K_SINGLE;
        s->size = 1;
    }
}

static uint32_t g_n, g_nunits;
static uint32_t *g_unit_base;     /* per unit: its first person */
static uint32_t *g_person_unit;   /* per person: its unit */
static uint8_t *g_unit_rr, *g_person_rr;

/* The shape as the population has it: the last unit is cut to N persons, and a unit of
 * one is a single. */
static void unit_shape(uint32_t u, struct shape *s)
{
    unit_shape_raw(u, s);
    if (g_unit_base[u] + (uint32_t)s->size > g_n)
        s->size = (int)(g_n - g_unit_base[u]);
    if (s->size < 2)
        memset(s, 0, sizeof *s), s->size = 1;
}

struct unit {
    uint32_t index, base;         /* base: the first member's person index */
    struct shape sh;
    int de;
    int female[3];
    const char *given[3];         /* each member's */
    const char *family;           /* shared by the kind's members */
    unsigned city;
    struct addr home;
    struct num home_phone;
    char shared_mail[96];
    uint32_t cid;                 /* colleague family: their company */
};

static const char *pick_given(uint64_t *r, int de, int female)
{
    if (de)
        return female ? PICK_SKEWED(r, de_female) : PICK_SKEWED(r, de_male);
    return female ? PICK_SKEWED(r, us_female) : PICK_SKEWED(r, us_male);
}

static const char *pick_family(uint64_t *r, int de)
{
    return de ? PICK_SKEWED(r, de_family) : PICK_SKEWED(r, us_family);
}

static void make_unit(struct unit *u, uint32_t index, unsigned rr)
{
    uint64_t r = rng_for(ST_UNIT + ((uint64_t)rr << 8), index);
    memset(u, 0, sizeof *u);
    u->index = index;
    u->base = g_unit_base[index];
    unit_shape(index, &u->sh);
    int kind = u->sh.kind;
    u->de = chance(&r, 400);
    u->city = skewed(&r, u->de ? COUNT(de_cities) : COUNT(us_cities));

    /* genders and given names: a couple mostly of two genders, different names in a
     * household or among colleagues, one name for namesakes and for parent and child */
    int f0 = kind != K_PARENT_CHILD && chance(&r, 470);     /* Sr. and Jr.: men */
    for (int m = 0; m < u->sh.size; m++) {
        int f = f0;
        if (kind == K_HOUSEHOLD && m == 1)
            f = chance(&r, 900) ? !f0 : chance(&r, 500);
        else if ((kind == K_HOUSEHOLD && m == 2) || (kind == K_COLLEAGUES && m > 0))
            f = chance(&r, 480);
        u->female[m] = f;
        if (m > 0 && (kind == K_NAMESAKE || kind == K_PARENT_CHILD)) {
            u->given[m] = u->given[0];
            continue;
        }
        for (int tries = 0; tries < 16; tries++) {
            if (kind == K_NAMESAKE)         /* the most common names: John Smith */
                u->given[m] = (u->de ? (f ? de_female : de_male) : (f ? us_female : us_male))
                              [below(&r, 10)];
            else
                u->given[m] = pick_given(&r, u->de, f);
            int dup = 0;
            for (int k = 0; k < m; k++)
                dup |= strcmp(u->given[k], u->given[m]) == 0;
            if (!dup)
                break;
        }
    }
    if (kind == K_NAMESAKE || kind == K_COLLEAGUES)     /* Smith, Müller, Schmidt */
        u->family = u->de ? de_family[below(&r, 8)] : us_family[below(&r, 8)];
    else
        u->family = pick_family(&r, u->de);
    if (kind == K_COLLEAGUES)
        u->cid = pick_company(&r, u->de, u->city);

    make_addr(&u->home, &r, u->de, u->city, 1);
    if (kind == K_HOUSEHOLD || kind == K_PARENT_CHILD || chance(&r, 650))
        make_num(&u->home_phone, &r, u->de, city_area(u->de, u->city), 0);

    /* a household's shared free-mail address: the family's (mueller.familie@gmx.de,
     * thesmiths@gmail.com) or the couple's (sabine.und.thomas@web.de) */
    if (u->sh.shared_mail) {
        struct sbuf e, f;
        sb_reset(&e);
        sb_reset(&f);
        sb_ascii(&f, u->family, "");
        unsigned form = u->sh.shared_mail == 2 ? 3 : below(&r, 3);
        if (form == 0) {
            sb_add(&e, f.s);
            sb_add(&e, u->de ? ".familie" : ".family");
        } else if (form == 1) {
            sb_add(&e, u->de ? "familie." : "the");
            sb_add(&e, f.s);
            if (!u->de)
                sb_addc(&e, 's');
        } else if (form == 2) {
            sb_add(&e, f.s);
            sb_add(&e, u->de ? "s" : "family");
        } else {
            sb_ascii(&e, u->given[0], "");
            sb_add(&e, u->de ? (chance(&r, 500) ? ".und." : "und")
                             : (chance(&r, 500) ? ".and." : "and"));
            sb_ascii(&e, u->given[1], "");
        }
        if (rr)                               /* taken: the next free one */
            sb_num(&e, rr + 1, 0);
        sb_addc(&e, '@');
        sb_add(&e, u->de ? PICK(&r, de_free) : PICK(&r, us_free));
        snprintf(u->shared_mail, sizeof u->shared_mail, "%s", e.s);
    }
}

static void unit_keys(const struct unit *u, struct keys *ks)
{
    struct sbuf t;
    ks->n = 0;
    if (num_set(&u->home_phone)) {
        num_digits(&t, &u->home_phone);
        keys_add(ks, 'p', t.s);
    }
    keys_add(ks, 'e', u->shared_mail);
}

/* ---- persons ------------------------------------------------------------------------- */

enum { S_ACT, S_GOLDMINE, S_SIEBEL, S_HUBSPOT, NSRC };

struct job {
    int employed;
    uint32_t cid;
    struct company co;
    const char *title, *dept;
    int phone_kind;               /* 0 direct line, 1 switchboard + extension, 2 switchboard */
    char ext[6];
    struct num direct;
    char email[96];               /* personal work address, "" if none */
};

struct person {
    uint32_t index;               /* 0-based; person_id = index + 1 */
    struct unit u;
    int member, de, female;
    const char *given, *prefix, *suffix;
    const char *family[2];        /* before and after a marriage (the same when none) */
    const char *middle;
    int junior_senior;            /* parent-child: 1 Sr., 2 Jr. */
    struct addr home;
    struct num home_phone, mobile;
    char email[2][96];            /* private address before and after a change */
    char shared_mail[96];         /* the household's, used in some records */
    struct job job[2];            /* employer before and after a change */
    int ev_email, ev_job, ev_married;
    uint8_t nrec[NSRC];           /* 0, 1 or 2 records in each system */
    int total;                    /* records in all systems */
    int common_src;               /* shared-mail household: the system both are in, or -1 */
    const char *status;
};

/* Which systems person p (member m of its unit) is in, and how often: 1 to 4 systems,
 * most in 1 or 2; sometimes twice in one. Members of a household, family or look-alike
 * group often share one system with the first member, so the look-alikes meet. */
static void systems_of(uint32_t p, const struct shape *sh, int m, uint32_t base,
                       uint8_t nrec[NSRC], int *common)
{
    static const unsigned weight[NSRC] = { 35, 25, 22, 18 };
    static const unsigned reenter[NSRC] = { 70, 50, 30, 40 };    /* per mille */
    uint64_t r = rng_for(ST_SYSTEMS, p);
    unsigned k = below(&r, 1000);
    int want = k < 480 ? 1 : k < 800 ? 2 : k < 940 ? 3 : 4;
    int in[NSRC] = {0};
    *common = -1;
    if (sh->shared_mail && m <= 1) {
        /* the shared address is used in one file system by both (never in HubSpot,
         * which keeps one contact per e-mail address) */
        uint64_t rc = rng_for(ST_SYSTEMS, (uint64_t)base | (1ull << 40));
        *common = (int)below(&rc, 3);
        in[*common] = 1;
        want--;
    } else if (m > 0) {
        uint8_t first[NSRC];
        int c0;
        systems_of(base, sh, 0, base, first, &c0);
        if (chance(&r, 700)) {
            for (int s = 0; s < NSRC; s++) {
                if (first[s]) {
                    in[s] = 1;
                    want--;
                    break;
                }
            }
        }
    }
    for (; want > 0; want--) {
        unsigned tot = 0;
        for (int s = 0; s < NSRC; s++)
            tot += in[s] ? 0 : weight[s];
        if (!tot)
            break;
        unsigned x = below(&r, tot);
        for (int s = 0; s < NSRC; s++) {
            if (in[s])
                continue;
            if (x < weight[s]) {
                in[s] = 1;
                break;
            }
            x -= weight[s];
        }
    }
    for (int s = 0; s < NSRC; s++)
        nrec[s] = (uint8_t)(in[s] ? 1 + chance(&r, reenter[s]) : 0);
}

static void make_email_local(struct sbuf *e, uint64_t *r, const char *given,
                             const char *family, int form)
{
    struct sbuf g, f;
    sb_reset(&g);
    sb_reset(&f);
    sb_ascii(&g, given, "");
    sb_ascii(&f, family, "");
    switch (form) {
    case 0: sb_add(e, g.s); sb_addc(e, '.'); sb_add(e, f.s); break;
    case 1: sb_addc(e, g.s[0]); sb_add(e, f.s); break;
    case 2: sb_add(e, f.s); sb_add(e, g.s); break;
    case 3: sb_add(e, g.s); sb_addc(e, '_'); sb_add(e, f.s); break;
    default: sb_add(e, g.s); sb_add(e, f.s); break;
    }
    if (chance(r, 450))
        sb_num(e, 10 + below(r, 90), 0);
}

static void make_private_email(char *out, size_t cap, uint64_t *r, const struct person *p,
                               const char *family, const char *avoid_provider)
{
    struct sbuf e;
    sb_reset(&e);
    make_email_local(&e, r, p->given, family, (int)below(r, 5));
    const char *prov;
    do
        prov = p->de ? PICK(r, de_free) : PICK(r, us_free);
    while (avoid_provider && strstr(avoid_provider, prov));
    sb_addc(&e, '@');
    sb_add(&e, prov);
    snprintf(out, cap, "%s", e.s);
}

/* An employment at company cid (r: its values, rd: what kind of phone); the work e-mail
 * is made of the family name the person had when hired (era 0 or 1): after a marriage
 * the address stays. rr > 1 (the address was taken: two Thomas Müllers at one company)
 * puts a number into it, tmueller2@. */
static void make_job(struct job *j, uint64_t *r, uint64_t *rd, const struct person *p,
                     uint32_t cid, int has_email, int era, unsigned rr)
{
    memset(j, 0, sizeof *j);
    j->employed = 1;
    j->cid = cid;
    get_company(&j->co, cid);
    j->title = p->de ? PICK(r, de_titles) : PICK(r, us_titles);
    j->dept = p->de ? PICK(r, de_depts) : PICK(r, us_depts);
    unsigned k = below(rd, 1000);
    j->phone_kind = k < 400 ? 0 : k < 850 ? 1 : 2;
    snprintf(j->ext, sizeof j->ext, "%u", 10 + below(r, 890));
    if (j->phone_kind == 0) {
        if (p->de) {                 /* Durchwahl: the switchboard's base and its own end */
            j->direct = j->co.main;
            snprintf(j->direct.ext, sizeof j->direct.ext, "%s", j->ext);
        } else {
            make_num(&j->direct, r, 0, j->co.main.area, 0);
        }
    }
    if (has_email) {
        struct sbuf e, g, f;
        sb_reset(&e);
        sb_reset(&g);
        sb_reset(&f);
        sb_ascii(&g, p->given, "");
        sb_ascii(&f, p->family[era], "");
        switch (j->co.email_style) {
        case 0: sb_add(&e, g.s); sb_addc(&e, '.'); sb_add(&e, f.s); break;
        case 1: sb_addc(&e, g.s[0]); sb_add(&e, f.s); break;
        case 2: sb_add(&e, g.s); sb_addc(&e, '_'); sb_add(&e, f.s); break;
        default: sb_add(&e, f.s); sb_addc(&e, g.s[0]); break;
        }
        if (rr > 1)
            sb_num(&e, rr, 0);
        sb_addc(&e, '@');
        sb_add(&e, j->co.domain);
        snprintf(j->email, sizeof j->email, "%s", e.s);
    }
}

/* A namesake, a colleague or a child must not share the first member's company. */
static uint32_t other_company(uint64_t *r, int de, unsigned city, uint32_t not_this)
{
    uint32_t c;
    int tries = 0;
    do
        c = pick_company(r, de, city);
    while (c == not_this && ++tries < 8);
    return c;
}

static void make_person(struct person *p, const struct unit *u, int m, unsigned rr)
{
    uint32_t index = u->base + (uint32_t)m;
    /* Two streams: rd decides what the person has (a mobile, a job, a change, ...) and
     * is the same for every reroll, so rerolls do not bias the rates; r draws the values
     * (names, numbers, addresses, the company), drawn again on a reroll. */
    uint64_t rd = rng_for(ST_PERSON, index);
    uint64_t r = rng_for(ST_PERSON + ((uint64_t)(rr + 1) << 8), index);
    memset(p, 0, sizeof *p);
    p->index = index;
    p->u = *u;
    p->member = m;
    p->de = u->de;
    int kind = u->sh.kind;

    /* name; a married woman's older records have her maiden name */
    p->female = u->female[m];
    p->given = u->given[m];
    const char *fam = u->family;
    if (kind == K_SINGLE)
        fam = pick_family(&r, p->de);
    else if (kind == K_HOUSEHOLD && m == 1 && chance(&rd, 150))
        fam = pick_family(&r, p->de);                     /* partners, not married */
    p->family[0] = p->family[1] = fam;
    if (p->female && ((kind == K_HOUSEHOLD && m == 1 && fam == u->family && chance(&rd, 250)) ||
                      (kind == K_SINGLE && chance(&rd, 40)))) {
        const char *maiden;
        int tries = 0;
        do
            maiden = pick_family(&r, p->de);
        while (maiden == fam && ++tries < 8);
        if (maiden != fam) {
            p->family[0] = maiden;
            p->ev_married = 1;
        }
    }
    if (kind == K_PARENT_CHILD)
        p->junior_senior = m == 0 ? 1 : 2;
    if (chance(&rd, p->de ? 50 : 15))
        p->prefix = p->de && chance(&rd, 200) ? "Prof. Dr." : "Dr.";
    if (!p->de && !p->female && !p->junior_senior && chance(&rd, 15))
        p->suffix = chance(&rd, 500) ? "III" : "II";
    if (!p->de && chance(&rd, 60)) {
        static const char *const middles[] = { "A.", "J.", "M.", "R.", "Lee", "Ann", "Marie" };
        p->middle = PICK(&r, middles);
    }

    /* home: the unit's; namesakes and colleagues after the first live elsewhere (namesakes
     * in another city) */
    if (m == 0 || kind == K_HOUSEHOLD || kind == K_PARENT_CHILD) {
        p->home = u->home;
        p->home_phone = u->home_phone;
    } else {
        unsigned ncity = p->de ? COUNT(de_cities) : COUNT(us_cities);
        unsigned city = skewed(&r, ncity);
        if (kind == K_NAMESAKE)
            city = (u->city + (unsigned)m * (1 + below(&r, (ncity - 1) / 2))) % ncity;
        make_addr(&p->home, &r, p->de, city, 1);
        if (chance(&rd, 650))
            make_num(&p->home_phone, &r, p->de, city_area(p->de, city), 0);
    }
    if (chance(&rd, p->junior_senior ? 850 : 700))
        make_num(&p->mobile, &r, p->de, p->de ? NULL : city_area(p->de, p->home.city), 1);

    /* work: colleagues at their unit's company; namesakes, children and partners at
     * another company than the first member */
    unsigned employed_rate = kind == K_COLLEAGUES ? 1000 : p->junior_senior == 1 ? 450 : 650;
    if (chance(&rd, employed_rate)) {
        uint32_t cid, avoid = UINT32_MAX;
        if (m > 0 && kind != K_COLLEAGUES) {
            struct person q;
            make_person(&q, u, 0, g_person_rr[u->base]);
            if (q.job[0].employed)
                avoid = q.job[0].cid;
        }
        /* (a colleague whose name is taken at the company: rarely, another company) */
        cid = kind == K_COLLEAGUES && rr < 16 ? u->cid
                                              : other_company(&r, p->de, p->home.city, avoid);
        int mail = chance(&rd, 880);
        make_job(&p->job[0], &r, &rd, p, cid, mail, 0, rr);
        p->job[1] = p->job[0];
        if (chance(&rd, 70)) {                            /* changed employer */
            uint32_t cid2 = other_company(&r, p->de, p->home.city, cid);
            int mail2 = p->job[0].email[0] || chance(&rd, 500);
            make_job(&p->job[1], &r, &rd, p, cid2, mail2, 1, rr);
            p->ev_job = 1;
        }
    }

    /* private e-mail, changed for another provider sometimes; a marriage keeps it */
    if (chance(&rd, p->job[0].email[0] ? 550 : 900)) {
        make_private_email(p->email[0], sizeof p->email[0], &r, p, p->family[0], NULL);
        memcpy(p->email[1], p->email[0], sizeof p->email[1]);
        if (chance(&rd, 80)) {
            make_private_email(p->email[1], sizeof p->email[1], &r, p, p->family[1],
                               strchr(p->email[0], '@'));
            p->ev_email = 1;
        }
    }
    if (u->sh.shared_mail && m <= 1)
        snprintf(p->shared_mail, sizeof p->shared_mail, "%s", u->shared_mail);
    p->status = PICK(&r, statuses);

    systems_of(index, &u->sh, m, u->base, p->nrec, &p->common_src);
    if (!p->shared_mail[0])
        p->common_src = -1;
    p->total = 0;
    for (int s = 0; s < NSRC; s++)
        p->total += p->nrec[s];
}

static void person_keys(const struct person *p, struct keys *ks)
{
    struct sbuf t;
    ks->n = 0;
    keys_add(ks, 'e', p->email[0]);
    if (strcmp(p->email[1], p->email[0]) != 0)
        keys_add(ks, 'e', p->email[1]);
    if (num_set(&p->mobile)) {
        num_digits(&t, &p->mobile);
        keys_add(ks, 'p', t.s);
    }
    if (p->member > 0 && (p->u.sh.kind == K_NAMESAKE || p->u.sh.kind == K_COLLEAGUES) &&
        num_set(&p->home_phone)) {                        /* their own home */
        num_digits(&t, &p->home_phone);
        keys_add(ks, 'p', t.s);
    }
    for (int j = 0; j < 2; j++) {
        const struct job *jb = &p->job[j];
        if (!jb->employed || (j == 1 && !p->ev_job))
            continue;
        keys_add(ks, 'e', jb->email);
        char nk[200];
        if (jb->phone_kind == 0 || (jb->phone_kind == 1 && p->de)) {
            struct num d = jb->phone_kind == 0 ? jb->direct : jb->co.main;
            if (p->de)                               /* German: base-extension */
                snprintf(d.ext, sizeof d.ext, "%s", jb->ext);
            num_digits(&t, &d);
            keys_add(ks, 'p', t.s);
        } else if (jb->phone_kind == 1) {             /* the extension is the person's */
            snprintf(nk, sizeof nk, "%lu|%s", (unsigned long)jb->cid, jb->ext);
            keys_add(ks, 'x', nk);
        }
        for (int e = 0; e < 2; e++) {                 /* under either family name */
            if (e == 1 && p->family[1] == p->family[0])
                break;
            snprintf(nk, sizeof nk, "%lu|%s|%s", (unsigned long)jb->cid, p->given,
                     p->family[e]);
            keys_add(ks, 'n', nk);
        }
    }
}

/* Person index's attributes, as pass 0 fixed them. */
static void get_person(struct person *p, uint32_t index)
{
    struct unit u;
    uint32_t ui = g_person_unit[index];
    make_unit(&u, ui, g_unit_rr[ui]);
    make_person(p, &u, (int)(index - u.base), g_person_rr[index]);
}

/* ---- records ------------------------------------------------------------------------- */

/* counts of what the records and persons carry, for the summary */
enum { D_NICK, D_TYPO, D_SWAP, D_INITIAL, D_UMLAUT, D_NOMAIL, D_NOPHONE, D_PHONEFMT,
       D_ABBREV, D_UPPER, D_LOWER, D_COMPANY, D_ROLEMAIL, D_SHAREDMAIL, D_SUFFIX,
       D_ADDITIONAL, D_N };
static const char *const dmg_name[D_N] = {
    "nickname", "typo", "transposed", "initials", "umlauts_out", "email_dropped",
    "phone_dropped", "phone_restyled", "street_abbrev", "upper", "lower", "company_variant",
    "role_mailbox", "shared_mail", "jr_sr_suffix", "gm_additional",
};
static unsigned long g_dmg[D_N], g_records[NSRC], g_reentries, g_records_era1;

struct rec {
    int src, round, era;
    struct sbuf prefix, given, middle, family, suffix, company, title, dept;
    struct sbuf phone, ext, mobile, home, fax;
    struct sbuf line1, line2, city, state, zip, country;
    struct sbuf hline1, hcity, hstate, hzip;     /* ACT!'s home address of an employee */
    struct sbuf email, email2, web;
    long created, edited;
};

/* The record's index among all (person, system, round): unique, the seed of its keys. */
static uint64_t rec_slot(uint32_t person, int src, int round)
{
    return ((uint64_t)person * NSRC + (uint64_t)src) * 2 + (uint64_t)round;
}

/* k-th of the person's records in system order (act, goldmine, siebel, hubspot) */
static int rec_ordinal(const struct person *p, int src, int round)
{
    int k = 0;
    for (int s = 0; s < src; s++)
        k += p->nrec[s];
    return k + round;
}

/* A typo in an ASCII stretch of s: swap, drop, double or replace a letter. */
static void typo(struct sbuf *b, uint64_t *r)
{
    if (b->n < 3)
        return;
    for (int tries = 0; tries < 8; tries++) {
        size_t i = 1 + below(r, (uint32_t)(b->n - 2));   /* never the first letter */
        unsigned char a = (unsigned char)b->s[i], c = (unsigned char)b->s[i + 1];
        if (a < 'a' || a > 'z')
            continue;
        switch (below(r, 4)) {
        case 0:                                           /* swap with the next */
            if (c < 'a' || c > 'z' || c == a)
                continue;
            b->s[i] = (char)c;
            b->s[i + 1] = (char)a;
            return;
        case 1:                                           /* drop */
            memmove(b->s + i, b->s + i + 1, b->n - i);
            b->n--;
            return;
        case 2:                                           /* double */
            if (b->n + 2 >= sizeof b->s)
                continue;
            memmove(b->s + i + 1, b->s + i, b->n - i + 1);
            b->n++;
            return;
        default: {                                        /* a neighbouring key */
            static const char *const row = "qwertyuiopasdfghjklzxcvbnm";
            const char *q = strchr(row, a);
            b->s[i] = q && q[1] ? q[1] : 'e';
            return;
        }
        }
    }
}

/* German umlauts typed out: Müller → Mueller, Weiß → Weiss. */
static int umlauts_out(struct sbuf *b)
{
    static const struct { const char *from, *to; } m[] = {
        {"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}, {"Ä", "Ae"}, {"Ö", "Oe"},
        {"Ü", "Ue"},
    };
    struct sbuf t;
    int changed = 0;
    sb_reset(&t);
    for (const char *s = b->s; *s;) {
        size_t i;
        for (i = 0; i < COUNT(m); i++) {
            size_t k = strlen(m[i].from);
            if (strncmp(s, m[i].from, k) == 0) {
                sb_add(&t, m[i].to);
                s += k;
                changed = 1;
                break;
            }
        }
        if (i == COUNT(m))
            sb_addc(&t, *s++);
    }
    if (changed)
        *b = t;
    return changed;
}

/* "T." for Thomas, "K.-H." for Karl-Heinz */
static void initials(struct sbuf *b, uint64_t *r)
{
    struct sbuf t;
    sb_reset(&t);
    int dot = chance(r, 750);
    for (size_t i = 0; i < b->n; i++) {
        if (i == 0 || b->s[i - 1] == '-') {
            if (i)
                sb_addc(&t, '-');
            size_t k = 1;
            while (i + k < b->n && ((unsigned char)b->s[i + k] & 0xC0) == 0x80)
                k++;
            for (size_t j = 0; j < k; j++)
                sb_addc(&t, b->s[i + j]);
            if (dot)
                sb_addc(&t, '.');
        }
    }
    *b = t;
}

/* The company name as another system has it: legal form dropped or written otherwise,
 * "&" as "und"/"and", capitals. */
static void company_variant(struct sbuf *b, const struct company *c, uint64_t *r)
{
    struct sbuf t;
    switch (below(r, 4)) {
    case 0: {                                             /* without the legal form */
        size_t k = strlen(c->name) - strlen(c->legal);
        sb_reset(b);
        for (size_t i = 0; i + 1 < k; i++)
            sb_addc(b, c->name[i]);
        break;
    }
    case 1:
        if (sb_replace(&t, c->name, "GmbH & Co. KG", "GmbH & Co KG") ||
            sb_replace(&t, c->name, "Inc.", "Inc") ||
            sb_replace(&t, c->name, "Corp.", "Corporation") ||
            sb_replace(&t, c->name, "e.K.", "e. K.") ||
            sb_replace(&t, c->name, "LLC", "L.L.C.")) {
            *b = t;
            break;
        }
        /* fall through */
    case 2:
        if (sb_replace(&t, c->name, " & ", c->de ? " und " : " and ")) {
            *b = t;
            break;
        }
        /* fall through */
    default:
        sb_set(b, c->name);
        sb_case(b, 1);
        break;
    }
}

static int pick_style(uint64_t *r, int de, int src, int restyle)
{
    if (restyle)
        return (int)below(r, de ? PS_DE_N : PS_US_N);
    if (de) {
        static const int by_src[NSRC][3] = {
            {PS_DE_INTL, PS_DE_SLASH, PS_DE_SPACE}, {PS_DE_SLASH, PS_DE_DASH, PS_DE_INTL},
            {PS_DE_E164, PS_DE_E164, PS_DE_E164}, {PS_DE_INTL, PS_DE_SPACE, PS_DE_INTL0},
        };
        return by_src[src][below(r, 3)];
    }
    static const int by_src[NSRC][3] = {
        {PS_US_MASK, PS_US_MASK, PS_US_DASH}, {PS_US_GM, PS_US_GM, PS_US_GM},
        {PS_US_BARE, PS_US_BARE, PS_US_BARE}, {PS_US_DOT, PS_US_INTL, PS_US_DASH},
    };
    return by_src[src][below(r, 3)];
}

static const char *country_text(uint64_t *r, int de, int src)
{
    static const char *const us[NSRC][4] = {
        {"United States", "USA", "", "US"}, {"USA", "USA", "United States", ""},
        {"USA", "USA", "USA", "United States"}, {"United States", "US", "", "USA"},
    };
    static const char *const dee[NSRC][4] = {
        {"Germany", "Deutschland", "DE", ""}, {"Germany", "Deutschland", "", "D"},
        {"Germany", "Germany", "Germany", "Deutschland"}, {"Germany", "DE", "", "Deutschland"},
    };
    return de ? dee[src][below(r, 4)] : us[src][below(r, 4)];
}

#define DAY_2003 12053L
#define DAY_2014 16071L
#define DAY_2024 19723L

/* Render person p's record in system src (round 0: the first, 1: the re-entry), with the
 * damage drawn for it. count: add it to the summary's counts (once per record). */
static void render(struct rec *x, const struct person *p, int src, int round, int count)
{
    uint64_t slot = rec_slot(p->index, src, round);
    uint64_t r = rng_for(ST_RECORD, slot);
    int dmg[D_N] = {0};
    memset(x, 0, sizeof *x);
    x->src = src;
    x->round = round;

    /* era: before or after the person's changes (e-mail, employer, marriage) */
    int k = rec_ordinal(p, src, round);
    int has_event = p->ev_email || p->ev_job || p->ev_married;
    x->era = !has_event ? 0 : p->total == 1 ? (int)chance(&r, 500)
                        : k == 0 ? 0 : k == p->total - 1 ? 1 : (int)chance(&r, 500);
    uint64_t rd = rng_for(ST_DATES, slot);
    int later = has_event ? x->era : (int)chance(&rd, 500);      /* entered after 2014 */
    long lo = later ? DAY_2014 : DAY_2003, hi = later ? DAY_2024 : DAY_2014;
    x->created = lo + (long)below(&rd, (uint32_t)(hi - lo - 30));
    x->edited = x->created + (long)below(&rd, (uint32_t)(DAY_2024 + 300 - x->created));
    const struct job *jb = &p->job[x->era];

    /* names */
    sb_set(&x->given, p->given);
    sb_set(&x->family, p->family[x->era]);
    if (p->prefix && src != S_HUBSPOT && chance(&r, 700))
        sb_set(&x->prefix, p->prefix);
    if (p->middle && src != S_GOLDMINE && chance(&r, 500))
        sb_set(&x->middle, p->middle);
    if (p->suffix && chance(&r, 600))
        sb_set(&x->suffix, p->suffix);
    const char *nick = nickname_of(p->given, p->de);
    if (nick && chance(&r, 250)) {
        sb_set(&x->given, nick);
        dmg[D_NICK] = 1;
    }
    if (chance(&r, 40)) {
        typo(chance(&r, 500) ? &x->given : &x->family, &r);
        dmg[D_TYPO] = 1;
    }
    if (p->de && chance(&r, 150)) {
        int a = umlauts_out(&x->given);
        int b = umlauts_out(&x->family);
        dmg[D_UMLAUT] = a || b;
    }
    if (!dmg[D_NICK] && chance(&r, 25)) {
        initials(&x->given, &r);
        x->middle.n = 0;
        x->middle.s[0] = 0;
        dmg[D_INITIAL] = 1;
    }

    /* phones */
    int restyle = chance(&r, 250);
    dmg[D_PHONEFMT] = restyle;
    int style = pick_style(&r, p->de, src, restyle);
    if (jb->employed) {
        const struct num *main = &jb->co.main;
        if (jb->phone_kind == 0) {
            fmt_phone(&x->phone, &jb->direct, style, jb->direct.ext[0] ? jb->direct.ext : NULL,
                      &r);
        } else if (jb->phone_kind == 1) {
            if (src == S_ACT || src == S_GOLDMINE) {       /* an extension column */
                fmt_phone(&x->phone, main, style, NULL, &r);
                sb_set(&x->ext, jb->ext);
            } else {
                fmt_phone(&x->phone, main, style, src == S_SIEBEL && !p->de ? NULL : jb->ext, &r);
            }
        } else {
            fmt_phone(&x->phone, main, style, NULL, &r);
        }
        if (chance(&r, 200))
            fmt_phone(&x->home, &p->home_phone, style, NULL, &r);
        if (src != S_HUBSPOT && chance(&r, 150)) {     /* the company fax: -99 */
            struct num fax = *main;
            if (main->de) {
                snprintf(fax.ext, sizeof fax.ext, "99");
            } else {
                fax.sub[5] = '9';
                fax.sub[6] = '9';
            }
            fmt_phone(&x->fax, &fax, style, NULL, &r);
        }
    } else {
        fmt_phone(&x->home, &p->home_phone, style, NULL, &r);
    }
    if (num_set(&p->mobile) && chance(&r, 850))
        fmt_phone(&x->mobile, &p->mobile, p->de && !restyle && chance(&r, 300) ? PS_DE_SLASH
                                                                              : style, NULL, &r);
    if (p->junior_senior && !x->mobile.n && num_set(&p->mobile))
        fmt_phone(&x->mobile, &p->mobile, style, NULL, &r);
    if ((x->phone.n || x->mobile.n || x->home.n) && chance(&r, 100)) {
        if (!p->junior_senior) {
            x->phone.n = x->mobile.n = x->home.n = x->fax.n = x->ext.n = 0;
            x->phone.s[0] = x->mobile.s[0] = x->home.s[0] = x->fax.s[0] = x->ext.s[0] = 0;
            dmg[D_NOPHONE] = 1;
        }
    }

    /* e-mails: work and private, the household's shared one, the company's role mailbox */
    const char *priv = p->email[x->era], *work = jb->email;
    const char *first = NULL, *second = NULL;
    if (work[0] && priv[0]) {
        int work_first = chance(&r, 700);
        first = work_first ? work : priv;
        if (chance(&r, src == S_HUBSPOT ? 0 : 150))
            second = work_first ? priv : work;
    } else {
        first = work[0] ? work : priv[0] ? priv : NULL;
    }
    char role[96];
    if (jb->employed && src != S_HUBSPOT && chance(&r, 80)) {
        snprintf(role, sizeof role, "%s@%s", jb->co.role, jb->co.domain);
        if (first && !second && chance(&r, 300))
            second = first;
        first = role;
        dmg[D_ROLEMAIL] = 1;
    }
    if (p->shared_mail[0] && src != S_HUBSPOT &&
        ((src == p->common_src && round == 0) || chance(&r, 400))) {
        if (first && !second && chance(&r, 300))
            second = first;
        first = p->shared_mail;
        dmg[D_SHAREDMAIL] = 1;
    }
    if (src == S_HUBSPOT && round == 1) {     /* HubSpot: one contact per e-mail address */
        struct rec x0;
        render(&x0, p, src, 0, 0);
        const char *alt[3] = { p->email[1 - x->era], work, priv };
        first = NULL;
        for (int i = 0; i < 3; i++) {
            if (alt[i][0] && strcasecmp(alt[i], x0.email.s) != 0) {
                first = alt[i];
                break;
            }
        }
    }
    if (first && !dmg[D_SHAREDMAIL] && (src != S_HUBSPOT || round == 0) && chance(&r, 100)) {
        first = second;
        second = NULL;
        dmg[D_NOMAIL] = 1;
    }
    if (first)
        sb_set(&x->email, first);
    if (second && strcmp(second, first ? first : "") != 0)
        sb_set(&x->email2, second);
    if (x->email.n && chance(&r, 40)) {                    /* Thomas.Mueller@... */
        char *e = x->email.s;
        for (size_t i = 0; e[i] && e[i] != '@'; i++)
            if (e[i] >= 'a' && e[i] <= 'z' && (i == 0 || e[i - 1] == '.'))
                e[i] = (char)(e[i] - 32);
    }

    /* parent and child: the suffix in some records, their own e-mail or mobile in all */
    if (p->junior_senior) {
        int own = (x->email.n && !dmg[D_SHAREDMAIL]) || x->mobile.n;
        if (!own || chance(&r, 500)) {
            sb_set(&x->suffix, p->de ? (p->junior_senior == 1 ? "sen." : "jun.")
                                     : (p->junior_senior == 1 ? "Sr." : "Jr."));
            dmg[D_SUFFIX] = 1;
        }
    }

    /* company and address */
    int abbrev = chance(&r, 300);
    const struct addr *ad = NULL;
    if (jb->employed) {
        int show_company = src != S_HUBSPOT || chance(&r, 750);
        if (show_company) {
            sb_set(&x->company, jb->co.name);
            if (chance(&r, 100)) {
                company_variant(&x->company, &jb->co, &r);
                dmg[D_COMPANY] = 1;
            }
        }
        if (chance(&r, 850))
            sb_set(&x->title, jb->title);
        if (src != S_HUBSPOT)
            sb_set(&x->dept, jb->dept);
        sb_set(&x->web, jb->co.web);
        ad = src == S_SIEBEL ? (chance(&r, 600) ? &p->home : NULL)
           : src == S_HUBSPOT ? (chance(&r, 400) ? &jb->co.addr : NULL) : &jb->co.addr;
    } else {
        ad = src == S_HUBSPOT ? (chance(&r, 400) ? &p->home : NULL)
           : src == S_SIEBEL ? (chance(&r, 950) ? &p->home : NULL) : &p->home;
    }
    if (ad) {
        fmt_street(&x->line1, ad, abbrev, &r);
        dmg[D_ABBREV] = abbrev;
        sb_set(&x->line2, ad->line2);
        sb_set(&x->city, city_name(ad));
        sb_set(&x->zip, ad->zip);
        if (ad->de) {
            if (src == S_SIEBEL || chance(&r, 200))
                sb_set(&x->state, de_cities[ad->city].state);
        } else {
            sb_set(&x->state, us_cities[ad->city].state);
            if (src == S_ACT && chance(&r, 150)) {
                sb_addc(&x->zip, '-');
                sb_num(&x->zip, below(&r, 10000), 4);
            }
        }
        sb_set(&x->country, country_text(&r, ad->de, src));
        if (p->de && chance(&r, 100))
            umlauts_out(&x->line1);
    }
    if (src == S_ACT && jb->employed && chance(&r, 250)) {
        fmt_street(&x->hline1, &p->home, abbrev, &r);
        sb_set(&x->hcity, city_name(&p->home));
        sb_set(&x->hzip, p->home.zip);
        if (!p->de)
            sb_set(&x->hstate, us_cities[p->home.city].state);
    }

    /* given and family swapped */
    if (chance(&r, 15)) {
        struct sbuf t = x->given;
        x->given = x->family;
        x->family = t;
        dmg[D_SWAP] = 1;
    }
    /* upper-case rows; HubSpot's web forms: lower case */
    struct sbuf *cased[] = { &x->given, &x->family, &x->middle, &x->company, &x->line1,
                             &x->line2, &x->city, &x->title, &x->hline1, &x->hcity };
    if (chance(&r, 30)) {
        for (size_t i = 0; i < COUNT(cased); i++)
            sb_case(cased[i], 1);
        dmg[D_UPPER] = 1;
    } else if (src == S_HUBSPOT && chance(&r, 100)) {
        for (size_t i = 0; i < 2; i++)
            sb_case(cased[i], 0);
        dmg[D_LOWER] = 1;
    }

    if (count) {
        for (int i = 0; i < D_N; i++)
            g_dmg[i] += (unsigned long)dmg[i];
        g_records[src]++;
        g_reentries += (unsigned long)round;
        g_records_era1 += (unsigned long)(has_event && x->era);
    }
}

/* The record's full name as ACT!'s Contact and GoldMine's CONTACT hold it. */
static void full_name(struct sbuf *b, const struct rec *x, int with_middle)
{
    sb_reset(b);
    if (x->prefix.n) {
        sb_add(b, x->prefix.s);
        sb_addc(b, ' ');
    }
    sb_add(b, x->given.s);
    if (with_middle && x->middle.n) {
        sb_addc(b, ' ');
        sb_add(b, x->middle.s);
    }
    if (x->given.n)
        sb_addc(b, ' ');
    sb_add(b, x->family.s);
    if (x->suffix.n) {
        const char *s = x->suffix.s;
        sb_add(b, s[0] == 'J' || s[0] == 'S' ? ", " : " ");
        sb_add(b, s);
    }
}

/* ---- keys: the ids each system gives a record ---------------------------------------- */

static uint64_t fmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return x;
}

/* a bijection of 36-bit values: distinct slots give distinct ids */
static uint64_t mix36(uint64_t x)
{
    const uint64_t m = (1ull << 36) - 1;
    x = (x * 0x9E3779B1ull + (g_seed & 0xffffff)) & m;
    x ^= x >> 17;
    x = (x * 0x5DEECE66Dull) & m;
    x ^= x >> 13;
    x = (x * 0x2545F491ull) & m;
    return x;
}

/* ACT!: a GUID, as the unique-id field shows it */
static void act_id(char *out, size_t cap, uint64_t slot)
{
    uint64_t hi = fmix(slot * 31 + g_seed + 7);
    uint64_t lo = mix36(slot);                            /* distinct for distinct slots */
    snprintf(out, cap, "%08X-%04X-%04X-%04X-%012llX", (unsigned)(hi >> 32),
             (unsigned)(hi >> 16) & 0xFFFF, (unsigned)(0x4000 | (hi & 0x0FFF)),
             (unsigned)(0x8000 | ((hi >> 12) & 0x3FFF)),
             (unsigned long long)((lo << 12 | (hi >> 52)) & 0xFFFFFFFFFFFFull));
}

/* GoldMine: 20 bytes, creation date (years from 2000 as A0, A1, ... B0), seconds since
 * midnight, six characters unique per record, and the name's first three letters. */
static const char gm_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()*+-./:;<=>?@[]^_{|}~";

static void gm_accountno(char out[21], uint64_t slot, long created, const char *name)
{
    int y, m, d;
    civil_from_days(created, &y, &m, &d);
    int yy = y - 2000 < 0 ? 0 : y - 2000;
    uint64_t rs = rng_for(ST_DATES, slot | (1ull << 50));
    snprintf(out, 12, "%c%d%02d%02d%05u", 'A' + yy / 10, yy % 10, m, d, below(&rs, 86400));
    uint64_t x = mix36(slot);
    for (int k = 0; k < 6; k++) {
        out[11 + k] = gm_chars[x & 63];
        x >>= 6;
    }
    size_t n = 17;
    for (const char *p = name; n < 20; p += *p != '\0') {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || !*p)
            out[n++] = *p ? *p : 'x';
    }
    out[20] = 0;
}

static void base36(char *out, uint64_t x, int width)
{
    static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int k = width - 1; k >= 0; k--) {
        out[k] = b36[x % 36];
        x /= 36;
    }
    out[width] = 0;
}

/* Siebel: a ROW_ID "1-" and base 36 */
static void siebel_id(char *out, size_t cap, const char *prefix, uint64_t x)
{
    char t[16];
    int w = 1;
    for (uint64_t v = x; v >= 36; v /= 36)
        w++;
    base36(t, x, w);
    snprintf(out, cap, "%s%s", prefix, t);
}

/* ---- writers ------------------------------------------------------------------------- */

static struct out g_truth;

static void truth_row(const char *src, const char *key, uint32_t person)
{
    char id[16];
    out_s(&g_truth, src);
    out_raw(&g_truth, ",", 1);
    truth_value(&g_truth, key);
    snprintf(id, sizeof id, ",%lu\n", (unsigned long)person + 1);
    out_s(&g_truth, id);
}

static void date_mdy(char *out, size_t cap, long day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, cap, "%d/%d/%04d", m, d, y);
}

static const char *const act_header[] = {
    "Contact ID", "Company", "Contact", "First Name", "Last Name", "Title", "Department",
    "Phone", "Phone Extension", "Mobile Phone", "Fax", "Home Phone", "Address 1",
    "Address 2", "City", "State", "ZIP Code", "Country", "Home Address 1", "Home City",
    "Home State", "Home ZIP Code", "E-mail", "E-mail 2", "Web Site", "ID/Status",
    "Create Date", "Edit Date", "Notes", "User 1", "User 2",
};

static void write_act(struct out *o, const struct person *p, const struct rec *x)
{
    char id[48], cd[16], ed[16];
    struct sbuf contact;
    uint64_t slot = rec_slot(p->index, S_ACT, x->round);
    uint64_t r = rng_for(ST_RECORD, slot | (1ull << 50));
    act_id(id, sizeof id, slot);
    full_name(&contact, x, 1);
    date_mdy(cd, sizeof cd, x->created);
    date_mdy(ed, sizeof ed, x->edited);
    char note[400] = "";
    unsigned kind = below(&r, 1000);
    if (kind < 50) {                      /* two lines, CRLF inside the quotes */
        const char *n1 = PICK(&r, notes_pool);
        const char *n2 = PICK(&r, notes_pool);
        snprintf(note, sizeof note, "%s\r\n%s: %s", n1, cd, n2);
    }
    else if (kind < 400)
        snprintf(note, sizeof note, "%s", PICK(&r, notes_pool));
    char user1[16] = "";
    if (chance(&r, 300))
        snprintf(user1, sizeof user1, "%s%05u", p->de ? "K-" : "C-", 10000 + below(&r, 90000));
    const char *v[] = {
        id, x->company.s, contact.s, x->given.s, x->family.s, x->title.s, x->dept.s,
        x->phone.s, x->ext.s, x->mobile.s, x->fax.s, x->home.s, x->line1.s, x->line2.s,
        x->city.s, x->state.s, x->zip.s, x->country.s, x->hline1.s, x->hcity.s, x->hstate.s,
        x->hzip.s, x->email.s, x->email2.s, x->web.s, p->status, cd, ed, note, user1,
        PICK(&r, lead_sources),
    };
    _Static_assert(COUNT(v) == COUNT(act_header), "one value a column");
    for (size_t i = 0; i < COUNT(v); i++)
        csv_field(o, v[i], i == 0);
    out_raw(o, "\r\n", 2);
    truth_row("act", id, p->index);
}

static const char *const c1_header =
    "ACCOUNTNO,COMPANY,CONTACT,LASTNAME,DEPARTMENT,TITLE,SECR,PHONE1,PHONE2,PHONE3,FAX,"
    "EXT1,EXT2,EXT3,EXT4,ADDRESS1,ADDRESS2,ADDRESS3,CITY,STATE,ZIP,COUNTRY,DEAR,SOURCE,"
    "KEY1,KEY2,KEY3,KEY4,KEY5,STATUS,MERGECODES,CREATEBY,CREATEON,OWNER,LASTUSER,"
    "LASTDATE,LASTTIME,RECID,U_COMPANY,U_CONTACT,U_LASTNAME,U_CITY,U_KEY1\r\n";
static const char *const cs_header =
    "ACCOUNTNO,RECTYPE,CONTACT,TITLE,CONTSUPREF,DEAR,PHONE,EXT,FAX,LINKACCT,NOTES,"
    "ADDRESS1,ADDRESS2,ADDRESS3,CITY,STATE,ZIP,COUNTRY,MERGECODES,STATUS,LINKEDDOC,"
    "LASTUSER,LASTDATE,LASTTIME,RECID,U_CONTACT,U_CONTSUPREF,U_ADDRESS1\r\n";

static void gm_date(char *out, size_t cap, long day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d 00:00:00.000", y, m, d);
}

/* an upper-case shadow column (U_COMPANY, ...), a comma first */
static void gm_upper(struct out *o, const char *s)
{
    struct sbuf b;
    sb_set(&b, s ? s : "");
    sb_case(&b, 1);
    gm_field(o, b.s, 0);
}

/* RECIDs: 15 characters, unique per row (stream: 1 CONTACT1, 2 CONTSUPP e-mail and web, 3
 * additional contacts) */
static void gm_recid(char out[16], unsigned stream, uint64_t slot, unsigned k)
{
    base36(out, ((uint64_t)stream << 56) + slot * 4 + k, 15);
}

static void cs_row(struct out *o, const char *acct, const char *type, const char *contact,
                   const char *title, const char *ref, const char *phone, const char *ext,
                   const char *a1, const char *city, const char *zip, const char *recid,
                   const char *date)
{
    const char *v[] = { acct, type, contact, title, ref, NULL, phone, ext, NULL, NULL,
                        NULL, a1, NULL, NULL, city, NULL, zip, NULL, NULL, NULL, NULL,
                        "MASTER", date, "10:00", recid };
    for (size_t i = 0; i < COUNT(v); i++)
        gm_field(o, v[i], i == 0);
    gm_upper(o, contact);
    gm_upper(o, ref);
    gm_upper(o, a1);
    out_raw(o, "\r\n", 2);
}

/* The ACCOUNTNO of person p's first GoldMine record (its own CONTACT1 row). */
static void gm_account_of(char acct[21], const struct person *p, const struct rec *x,
                          int round)
{
    gm_accountno(acct, rec_slot(p->index, S_GOLDMINE, round), x->created, p->given);
}

/* member 1 of a household whose first GoldMine record is an additional contact (CONTSUPP
 * RECTYPE C) of member 0's record, the way a spouse is kept in GoldMine */
static int gm_is_additional(const struct person *p, int round)
{
    if (round != 0 || p->member != 1 || !p->u.sh.gm_additional || !p->nrec[S_GOLDMINE])
        return 0;
    uint8_t first[NSRC];
    int c0;
    systems_of(p->u.base, &p->u.sh, 0, p->u.base, first, &c0);
    return first[S_GOLDMINE] != 0;
}

static void write_goldmine(struct out *c1, struct out *cs, const struct person *p,
                           const struct rec *x)
{
    uint64_t slot = rec_slot(p->index, S_GOLDMINE, x->round);
    char acct[21], recid[16], cd[32], ed[32], key[48];
    struct sbuf contact;
    full_name(&contact, x, 0);
    gm_date(cd, sizeof cd, x->created);
    gm_date(ed, sizeof ed, x->edited);
    if (gm_is_additional(p, x->round)) {
        struct person p0;
        struct rec x0;
        get_person(&p0, p->u.base);
        render(&x0, &p0, S_GOLDMINE, 0, 0);
        gm_account_of(acct, &p0, &x0, 0);
        gm_recid(recid, 3, slot, 0);
        const char *phone = x->home.n ? x->home.s : x->mobile.n ? x->mobile.s : x->phone.s;
        struct sbuf street;
        fmt_street(&street, &p->home, 0, &(uint64_t){slot});
        cs_row(cs, acct, "C", contact.s, x->title.s, NULL, phone, NULL, street.s,
               city_name(&p->home), p->home.zip, recid, ed);
        snprintf(key, sizeof key, "%s/%s", acct, recid);
        truth_row("goldmine", key, p->index);
        g_dmg[D_ADDITIONAL]++;
        return;
    }
    gm_account_of(acct, p, x, x->round);
    gm_recid(recid, 1, slot, 0);
    uint64_t r = rng_for(ST_RECORD, slot | (1ull << 50));
    const char *k1 = p->status[0] ? p->status : NULL;
    /* PHONE1 the work (or home) number, PHONE2 the mobile, PHONE3 a home number */
    const char *ph1 = x->phone.n ? x->phone.s : x->home.s;
    const char *ph3 = x->phone.n ? x->home.s : NULL;
    const char *v[] = {
        acct, x->company.s, contact.s, x->family.s, x->dept.s, x->title.s, NULL, ph1,
        x->mobile.s, ph3, x->fax.s, x->ext.s, NULL, NULL, NULL, x->line1.s, x->line2.s,
        NULL, x->city.s, x->state.s, x->zip.s, x->country.s, x->given.s,
        PICK(&r, lead_sources), k1, NULL, NULL, NULL, NULL, "U0", NULL, "MASTER", cd, NULL,
        "MASTER", ed, "10:00", recid,
    };
    for (size_t i = 0; i < COUNT(v); i++)
        gm_field(c1, v[i], i == 0);
    const char *up[] = { x->company.s, contact.s, x->family.s, x->city.s, k1 };
    for (size_t i = 0; i < COUNT(up); i++)
        gm_upper(c1, up[i]);
    out_raw(c1, "\r\n", 2);
    truth_row("goldmine", acct, p->index);

    /* CONTSUPP: the e-mail addresses (primary first, ZIP "0100"), the web site */
    const char *mails[2] = { x->email.s, x->email2.s };
    for (int i = 0; i < 2; i++) {
        if (!mails[i][0])
            continue;
        char ref[36], over[96];
        size_t len = strlen(mails[i]);
        snprintf(ref, sizeof ref, "%.35s", mails[i]);
        snprintf(over, sizeof over, "%s", len > 35 ? mails[i] + 35 : "");
        gm_recid(recid, 2, slot, (unsigned)i);
        cs_row(cs, acct, "P", chance(&r, 500) ? "E-mail Address" : "e-mail address", NULL,
               ref, NULL, NULL, over, NULL, i == 0 ? "0100" : "0000", recid, ed);
    }
    if (x->web.n && chance(&r, 400)) {
        gm_recid(recid, 2, slot, 2);
        cs_row(cs, acct, "P", "Web Site", NULL, x->web.s, NULL, NULL, NULL, NULL, NULL,
               recid, ed);
    }
}

static void siebel_datetime(char *out, size_t cap, long day, uint64_t *r)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    unsigned hh = 7 + below(r, 12);
    unsigned mi = below(r, 60);
    unsigned ss = below(r, 60);
    snprintf(out, cap, "%02d/%02d/%04d %02u:%02u:%02u", m, d, y, hh, mi, ss);
}

/* Siebel keeps a number in its stored form ("+4930123456") with the display mask after a
 * line break; North American numbers as bare digits. */
static void siebel_phone(struct out *o, const char *tag, const char *v, int de)
{
    if (!v || !*v)
        return;
    char t[96];
    if (de && v[0] == '+' && strchr(v, ' ') == NULL)
        snprintf(t, sizeof t, "%s\n000 0000000", v);
    else
        snprintf(t, sizeof t, "%s", v);
    xml_leaf(o, "   ", tag, t);
}

static void write_siebel(struct out *o, const struct person *p, const struct rec *x)
{
    uint64_t slot = rec_slot(p->index, S_SIEBEL, x->round);
    uint64_t r = rng_for(ST_RECORD, slot | (1ull << 50));
    char id[24], buf[64];
    siebel_id(id, sizeof id, "1-", mix36(slot) + 1679616);
    out_s(o, "  <Contact>\n");
    xml_leaf(o, "   ", "Id", id);
    siebel_datetime(buf, sizeof buf, x->created, &r);
    xml_leaf(o, "   ", "Created", buf);
    siebel_datetime(buf, sizeof buf, x->edited, &r);
    xml_leaf(o, "   ", "Updated", buf);
    xml_leaf(o, "   ", "PersonUId", id);
    const char *mm = x->prefix.n ? x->prefix.s : NULL;
    if (!mm && chance(&r, 500))
        mm = p->de ? (p->female ? "Frau" : "Herr") : (p->female ? "Ms." : "Mr.");
    xml_leaf(o, "   ", "MM", mm);
    xml_leaf(o, "   ", "FirstName", x->given.s);
    xml_leaf(o, "   ", "MiddleName", x->middle.s);
    xml_leaf(o, "   ", "LastName", x->family.s);
    xml_leaf(o, "   ", "Suffix", x->suffix.s);
    xml_leaf(o, "   ", "EmailAddress", x->email.s);
    xml_leaf(o, "   ", "AlternateEmailAddress", x->email2.s);
    siebel_phone(o, "WorkPhone", x->phone.s, p->de);
    siebel_phone(o, "CellularPhone", x->mobile.s, p->de);
    siebel_phone(o, "HomePhone", x->home.s, p->de);
    siebel_phone(o, "FaxPhone", x->fax.s, p->de);
    xml_leaf(o, "   ", "JobTitle", x->title.s);
    xml_leaf(o, "   ", "Department", x->dept.s);
    if (x->company.n) {
        xml_leaf(o, "   ", "Account", x->company.s);
        siebel_id(buf, sizeof buf, "1-A", p->job[x->era].cid + 46656);
        xml_leaf(o, "   ", "AccountId", buf);
    }
    xml_leaf(o, "   ", "Status", chance(&r, 900) ? "Active" : "Inactive");
    if (x->line1.n) {
        siebel_id(buf, sizeof buf, "1-P", mix36(slot) + 1679616);
        out_s(o, "   <ListOfContact_PersonalAddress>\n"
                 "    <Contact_PersonalAddress IsPrimaryMVG=\"Y\">\n");
        xml_leaf(o, "     ", "AddressId", buf);
        xml_leaf(o, "     ", "StreetAddress", x->line1.s);
        xml_leaf(o, "     ", "StreetAddress2", x->line2.s);
        xml_leaf(o, "     ", "City", x->city.s);
        xml_leaf(o, "     ", "State", x->state.s);
        xml_leaf(o, "     ", "PostalCode", x->zip.s);
        xml_leaf(o, "     ", "Country", x->country.s);
        out_s(o, "    </Contact_PersonalAddress>\n   </ListOfContact_PersonalAddress>\n");
    } else {
        out_s(o, "   <ListOfContact_PersonalAddress/>\n");
    }
    out_s(o, "  </Contact>\n");
    truth_row("siebel", id, p->index);
}

static unsigned long g_hubspot_id = 1000;
static int g_hubspot_first = 1;

static void write_hubspot(struct out *o, const struct person *p, const struct rec *x)
{
    uint64_t slot = rec_slot(p->index, S_HUBSPOT, x->round);
    uint64_t r = rng_for(ST_RECORD, slot | (1ull << 50));
    char id[24], upd[40];
    int y, m, d;
    snprintf(id, sizeof id, "%lu", ++g_hubspot_id);
    civil_from_days(x->edited, &y, &m, &d);
    unsigned hh = below(&r, 24);
    unsigned mi = below(&r, 60);
    unsigned ss = below(&r, 60);
    unsigned ms = below(&r, 1000);
    snprintf(upd, sizeof upd, "%04d-%02d-%02dT%02u:%02u:%02u.%03uZ", y, m, d, hh, mi, ss, ms);
    struct sbuf last = x->family;
    if (x->suffix.n) {                    /* typed into the last-name box of the form */
        sb_addc(&last, ' ');
        sb_add(&last, x->suffix.s);
    }
    const char *phone = x->phone.n ? x->phone.s : x->home.s;
    const char *mobile = x->mobile.s;
    if (!phone[0]) {
        phone = mobile;
        mobile = "";
    }
    out_s(o, g_hubspot_first ? "[\n" : ",\n");
    g_hubspot_first = 0;
    int first = 1;
    out_s(o, "{");
    json_member(o, &first, "id", id);
    json_member(o, &first, "first", x->given.s);
    json_member(o, &first, "last", last.s);
    json_member(o, &first, "email", x->email.s);
    json_member(o, &first, "phone", phone);
    json_member(o, &first, "company", x->company.s);
    json_member(o, &first, "updated", upd);
    out_s(o, ", \"deleted\": false, \"properties\": {");
    first = 1;
    json_member(o, &first, "mobilephone", mobile);
    json_member(o, &first, "jobtitle", x->title.s);
    struct sbuf addr = x->line1;
    if (x->line2.n) {
        sb_add(&addr, ", ");
        sb_add(&addr, x->line2.s);
    }
    json_member(o, &first, "address", addr.s);
    json_member(o, &first, "city", x->city.s);
    json_member(o, &first, "state", x->state.s);
    json_member(o, &first, "zip", x->zip.s);
    json_member(o, &first, "country", x->country.s);
    json_member(o, &first, "salutation", x->prefix.s);
    out_s(o, "}}");
    truth_row("hubspot", id, p->index);
}

/* ---- configs ------------------------------------------------------------------------- */

static void write_text(const char *dir, const char *name, const char *text)
{
    struct out o;
    out_open(&o, dir, name, 0);
    out_s(&o, text);
    out_close(&o);
}

static const char *const cfg_files =
    "    { \"name\": \"act\", \"connector\": \"csv\", \"layout\": \"act\",\n"
    "      \"path\": \"act.csv\" },\n"
    "    { \"name\": \"goldmine\", \"connector\": \"goldmine\", \"layout\": \"goldmine\",\n"
    "      \"path\": \"goldmine\" },\n"
    "    { \"name\": \"siebel\", \"connector\": \"siebel_xml\", \"layout\": \"siebel_xml\",\n"
    "      \"path\": \"siebel.xml\" }";

static void write_configs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf,
             "{ \"target\": { \"schema\": \"crm_multi\" },\n  \"sources\": [\n%s,\n"
             "    { \"name\": \"hubspot\", \"connector\": \"http\", \"preset\": \"hubspot\",\n"
             "      \"base_url\": \"http://HUBSPOT_BASE_URL\", \"auth\": \"none\", "
             "\"page_size\": 100 } ],\n  \"reject_rate_max\": 0.01 }\n", cfg_files);
    write_text(dir, "multi.json", buf);
    snprintf(buf, sizeof buf,
             "{ \"target\": { \"schema\": \"crm_multi\" },\n  \"sources\": [\n%s ],\n"
             "  \"reject_rate_max\": 0.01 }\n", cfg_files);
    write_text(dir, "files.json", buf);
    write_text(dir, "hubspot_scenario.json",
               "{ \"routes\": [ { \"crm\": \"hubspot\", \"dataset\": \"hubspot.json\" } ] }\n");
}

/* ---- main ---------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr,
            "usage: gen_multi N OUTDIR [--seed S]\n"
            "  N persons spread over an ACT! export (act.csv), GoldMine tables (goldmine/),\n"
            "  a Siebel EAI XML export (siebel.xml) and HubSpot contacts (hubspot.json, for\n"
            "  tests/http/server.py), with truth.csv (source,source_key,person_id) and the\n"
            "  pipeline configs multi.json and files.json. SEED (default 1) makes it\n"
            "  reproducible.\n");
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

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "gen_multi: out of memory\n");
        exit(1);
    }
    return p;
}

/* a step coprime to n, so i -> (i * step + off) mod n visits every person once */
static uint64_t coprime_step(uint64_t n, uint64_t want)
{
    if (n < 2)
        return 1;
    for (uint64_t s = want % n ? want % n : 1;; s++) {
        uint64_t a = s, b = n;
        while (b) {
            uint64_t t = a % b;
            a = b;
            b = t;
        }
        if (a == 1)
            return s;
    }
}

/* Pass 0: units, companies and persons drawn in order; clashes of identifying keys
 * rerolled and the reroll counts kept. */
static unsigned long g_unresolved;
static unsigned long g_kind_persons[K_NKIND], g_ev_email, g_ev_job, g_ev_married,
                     g_shared_persons, g_with_colleague, g_employed;

static void pass0(void)
{
    /* units: their sizes fix which persons they hold */
    size_t cap = 1024;
    g_unit_base = xcalloc(cap, sizeof *g_unit_base);
    g_person_unit = xcalloc(g_n, sizeof *g_person_unit);
    uint32_t p = 0;
    g_nunits = 0;
    while (p < g_n) {
        struct shape sh;
        unit_shape(g_nunits, &sh);
        if (g_nunits == cap) {
            cap *= 2;
            g_unit_base = realloc(g_unit_base, cap * sizeof *g_unit_base);
            if (!g_unit_base) {
                fprintf(stderr, "gen_multi: out of memory\n");
                exit(1);
            }
        }
        g_unit_base[g_nunits] = p;
        for (int m = 0; m < sh.size && p < g_n; m++)
            g_person_unit[p++] = g_nunits;
        g_nunits++;
    }
    g_unit_rr = xcalloc(g_nunits, 1);
    g_person_rr = xcalloc(g_n, 1);

    /* companies: about one per seven persons, 60% of them American */
    layout_companies(g_n / 7 < 100 ? 100 : g_n / 7);
    g_company_rr = xcalloc(g_ncompanies, sizeof *g_company_rr);
    uint32_t *staff = xcalloc(g_ncompanies, sizeof *staff);
    size_t slots = 1024;
    while (slots < 8 * (size_t)g_n)
        slots <<= 1;
    uniq.slot = xcalloc(slots, sizeof *uniq.slot);
    uniq.mask = slots - 1;
    struct keys ks;
    for (uint32_t c = 0; c < g_ncompanies; c++) {
        struct company co;
        unsigned rr;
        for (rr = 0; rr < 65535; rr++) {
            make_company(&co, c, rr);
            company_keys(&co, &ks);
            if (!keys_clash(&ks))
                break;
        }
        keys_commit(&ks);
        g_company_rr[c] = (uint16_t)rr;
    }

    for (uint32_t ui = 0; ui < g_nunits; ui++) {
        struct unit u;
        unsigned rr;
        for (rr = 0; rr < 255; rr++) {
            make_unit(&u, ui, rr);
            unit_keys(&u, &ks);
            if (!keys_clash(&ks))
                break;
        }
        g_unresolved += rr == 255;
        keys_commit(&ks);
        g_unit_rr[ui] = (uint8_t)rr;
        for (int m = 0; m < u.sh.size; m++) {
            struct person pp;
            uint32_t pi = u.base + (uint32_t)m;
            for (rr = 0; rr < 255; rr++) {
                g_person_rr[pi] = (uint8_t)rr;
                make_person(&pp, &u, m, rr);
                person_keys(&pp, &ks);
                if (!keys_clash(&ks))
                    break;
            }
            g_unresolved += rr == 255;
                keys_commit(&ks);
            int kind = u.sh.size > 1 ? u.sh.kind : K_SINGLE;
            g_kind_persons[kind]++;
            g_ev_email += (unsigned long)pp.ev_email;
            g_ev_job += (unsigned long)pp.ev_job;
            g_ev_married += (unsigned long)pp.ev_married;
            g_shared_persons += pp.shared_mail[0] != 0;
            for (int j = 0; j < 2; j++) {
                if (pp.job[j].employed && (j == 0 || pp.ev_job))
                    staff[pp.job[j].cid]++;
            }
            g_employed += pp.job[0].employed || pp.job[1].employed;
        }
    }
    /* persons with a colleague: another person in the population at one of their companies */
    for (uint32_t i = 0; i < g_n; i++) {
        struct person pp;
        get_person(&pp, i);
        int has = 0;
        for (int j = 0; j < 2; j++)
            if (pp.job[j].employed && (j == 0 || pp.ev_job) && staff[pp.job[j].cid] > 1)
                has = 1;
        g_with_colleague += (unsigned long)has;
    }
    free(staff);
}

/* One file: every person's first record in that system in a scattered order, then the
 * re-entries in another. */
static void write_source(int src, const char *dir)
{
    struct out a, b;
    int two = 0;
    if (src == S_ACT) {
        out_open(&a, dir, "act.csv", 1);
        for (size_t i = 0; i < COUNT(act_header); i++)
            csv_field(&a, act_header[i], i == 0);
        out_raw(&a, "\r\n", 2);
    } else if (src == S_GOLDMINE) {
        char gdir[4096];
        snprintf(gdir, sizeof gdir, "%s/goldmine", dir);
        if (mkdir(gdir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "gen_multi: %s: %s\n", gdir, strerror(errno));
            exit(1);
        }
        out_open(&a, gdir, "CONTACT1.csv", 1);
        out_open(&b, gdir, "CONTSUPP.csv", 1);
        out_s(&a, c1_header);
        out_s(&b, cs_header);
        two = 1;
    } else if (src == S_SIEBEL) {
        out_open(&a, dir, "siebel.xml", 0);
        out_s(&a, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<SiebelMessage MessageId=\"1-MULTI\" MessageType=\"Integration Object\" "
                  "IntObjectName=\"Contact\" IntObjectFormat=\"Siebel Hierarchical\">\n"
                  " <ListOfContact>\n");
    } else {
        out_open(&a, dir, "hubspot.json", 0);
    }
    for (int round = 0; round < 2; round++) {
        uint64_t ro = rng_for(ST_ORDER, (uint64_t)src * 2 + (uint64_t)round);
        uint64_t step = coprime_step(g_n, g_n / 3 + 7919 + below(&ro, 1u << 30));
        uint64_t off = below(&ro, g_n ? g_n : 1);
        for (uint64_t i = 0; i < g_n; i++) {
            uint32_t pi = (uint32_t)((i * step + off) % g_n);
            struct person p;
            struct rec x;
            uint8_t nrec[NSRC];
            int c;
            /* cheap test first: is the person in this system, this often? */
            struct shape sh;
            uint32_t ui = g_person_unit[pi];
            unit_shape(ui, &sh);
            systems_of(pi, &sh, (int)(pi - g_unit_base[ui]), g_unit_base[ui], nrec, &c);
            if (nrec[src] <= round)
                continue;
            get_person(&p, pi);
            render(&x, &p, src, round, 1);
            if (src == S_ACT)
                write_act(&a, &p, &x);
            else if (src == S_GOLDMINE)
                write_goldmine(&a, &b, &p, &x);
            else if (src == S_SIEBEL)
                write_siebel(&a, &p, &x);
            else
                write_hubspot(&a, &p, &x);
        }
    }
    if (src == S_SIEBEL)
        out_s(&a, " </ListOfContact>\n</SiebelMessage>\n");
    if (src == S_HUBSPOT)
        out_s(&a, g_hubspot_first ? "[]\n" : "\n]\n");
    out_close(&a);
    if (two)
        out_close(&b);
}

int main(int argc, char **argv)
{
    uint64_t n = 0;
    const char *dir = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (parse_u64(argv[++i], &g_seed) != 0)
                return usage();
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage();
        } else if (npos == 0 && parse_u64(argv[i], &n) == 0) {
            npos++;
        } else if (npos == 1) {
            dir = argv[i];
            npos++;
        } else {
            return usage();
        }
    }
    if (npos != 2 || n == 0 || n > 100000000ull)
        return usage();
    g_n = (uint32_t)n;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_multi: %s: %s\n", dir, strerror(errno));
        return 1;
    }

    pass0();
    out_open(&g_truth, dir, "truth.csv", 0);
    out_s(&g_truth, "source,source_key,person_id\n");
    for (int s = 0; s < NSRC; s++)
        write_source(s, dir);
    out_close(&g_truth);
    write_configs(dir);

    unsigned long total = 0;
    for (int s = 0; s < NSRC; s++)
        total += g_records[s];
    double tr = total ? 100.0 / (double)total : 0, tp = 100.0 / (double)g_n;
    fprintf(stderr, "gen_multi: %lu persons, %lu records (act %lu, goldmine %lu, siebel %lu, "
            "hubspot %lu; %lu re-entries), seed %llu; records:",
            (unsigned long)g_n, total, g_records[S_ACT], g_records[S_GOLDMINE],
            g_records[S_SIEBEL], g_records[S_HUBSPOT], g_reentries,
            (unsigned long long)g_seed);
    for (int i = 0; i < D_N; i++)
        fprintf(stderr, " %s %.1f%%", dmg_name[i], tr * (double)g_dmg[i]);
    fprintf(stderr, " after_change %.1f%%; persons: email_changed %.1f%% employer_changed %.1f%% "
            "married %.1f%% employed %.1f%% with_colleague %.1f%%",
            tr * (double)g_records_era1, tp * (double)g_ev_email, tp * (double)g_ev_job,
            tp * (double)g_ev_married, tp * (double)g_employed, tp * (double)g_with_colleague);
    for (int k = 1; k < K_NKIND; k++)
        fprintf(stderr, " %s %.1f%%", kind_name[k], tp * (double)g_kind_persons[k]);
    fprintf(stderr, " shared_mail %.1f%%\n", tp * (double)g_shared_persons);
    if (g_unresolved)
        fprintf(stderr, "gen_multi: warning: %lu persons or households share a key by accident\n",
                g_unresolved);

    free(uniq.slot);
    free(g_unit_base);
    free(g_person_unit);
    free(g_unit_rr);
    free(g_person_rr);
    free(g_company_rr);
    return 0;
}
