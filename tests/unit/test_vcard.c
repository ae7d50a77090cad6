/* test_vcard.c — the vCard connector (connectors/vcard.c), driven through its method
 * table the way extract.c drives it, and the vCard layout (schemas/vcard.json) through
 * mapping: the values a user would check, the field names layouts rely on, and bad
 * input. Transcripts are one line per record or reject:
 *     "1-20: FN=Dr. Jürgen Müller|..."      a record, its lines, its present fields
 *     "R1-4: no END:VCARD before ..."        a reject, its lines and reason
 * Fixtures: tests/fixtures/vcard (README.md there lists them); large inputs are
 * generated into /tmp. */
#include <jansson.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include "connectors/connector.h"
#include "pipeline/arena.h"
#include "pipeline/buf.h"
#include "pipeline/config.h"
#include "pipeline/contact.h"
#include "tests/unit/reader.h"
#include "tests/unit/mapped.h"
#include "tests/unit/testlib.h"
#include "transforms/mapping.h"

extern const struct connector vcard_connector;

#define FX "tests/fixtures/vcard/"

/* ---- the harness ------------------------------------------------------------------- */

static enum cm_status rd_open(struct reader *r, const char *path, const char *opts)
{
    return reader_open(r, &vcard_connector, "vcf", path, opts);
}

static void rd_close(struct reader *r)
{
    reader_close(r);
}

static enum conn_next rd_next(struct reader *r, struct raw_record *rec, struct reject *rej)
{
    return reader_next(r, rec, rej);
}

static void add_lines(struct buf *b, const char *tag, long line, long line_end)
{
    if (line == line_end)
        buf_printf(b, "%s%ld: ", tag, line);
    else
        buf_printf(b, "%s%ld-%ld: ", tag, line, line_end);
}

static void add_record(struct buf *b, const struct raw_record *rec)
{
    add_lines(b, "", rec->line, rec->line_end);
    int first = 1;
    for (size_t i = 0; i < rec->nfields; i++) {
        if (!rec->values[i])
            continue;
        buf_printf(b, "%s%s=", first ? "" : "|", rec->names[i]);
        reader_add_value(b, rec->values[i], rec->lengths[i], "");
        first = 0;
    }
    buf_addch(b, '\n');
}

/* open, read to the end, close: one line per record or reject, or "OPEN: err" */
static char *transcript(const char *path, const char *opts)
{
    struct reader r;
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "");
    if (rd_open(&r, path, opts) != CM_OK) {
        buf_printf(&b, "OPEN: %s", r.err);
        rd_close(&r);
        return buf_detach(&b, NULL);
    }
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        enum conn_next n = rd_next(&r, &rec, &rej);
        if (n == CONN_EOF)
            break;
        if (n == CONN_ERROR) {
            buf_printf(&b, "ERROR: %s\n", r.err);
            break;
        }
        if (n == CONN_REJECT) {
            CHECK_STR(rej.file, path);
            add_lines(&b, "R", rej.line, rej.line_end);
            buf_printf(&b, "%s\n", rej.reason);
            continue;
        }
        CHECK_STR(rec.file, path);
        add_record(&b, &rec);
    }
    rd_close(&r);
    return buf_detach(&b, NULL);
}

static const char *field(const struct raw_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        if (strcmp(rec->names[i], name) == 0)
            return rec->values[i];
    }
    return "(no such field)";
}

/* the reader and the vCard layout: records mapped one at a time */
static enum cm_status mp_open(struct mapped *x, const char *path)
{
    return mapped_open(x, &vcard_connector, "schemas/vcard.json", path);
}

/* the next record, mapped; CONN_REJECT also when mapping refuses it */
static enum conn_next mp_next(struct mapped *x)
{
    return mapped_next(x);
}

static void mp_close(struct mapped *x)
{
    mapped_close(x);
}

static char *tmp_path(const char *tag)
{
    static char path[128];
    snprintf(path, sizeof path, "/tmp/test_vcard_%ld_%s", (long)getpid(), tag);
    return path;
}

static char *write_tmp(const char *tag, const char *data, size_t n)
{
    char *path = tmp_path(tag);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
    return path;
}

static char *write_tmp_str(const char *tag, const char *data)
{
    return write_tmp(tag, data, strlen(data));
}

/* ---- vCard 2.1 as Outlook writes it ------------------------------------------------ */

TEST(outlook_21_windows_1252_and_quoted_printable)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, FX "outlook21.vcf"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_INT(x.rec.line, 1);
    CHECK_INT(x.rec.line_end, 20);
    CHECK_STR(c->prefix, "Dr.");
    CHECK_STR(c->given_name, "Jürgen");                /* CHARSET=Windows-1252 bytes */
    CHECK_STR(c->family_name, "Müller");
    CHECK_STR(c->full_name, "Dr. Jürgen Müller");
    CHECK_STR(c->company, "Bäckerei Müller GmbH");
    CHECK_STR(c->department, "Vertrieb");
    CHECK_STR(c->title, "Geschäftsführer");
    CHECK_INT(c->nemails, 2);                          /* the PREF one first */
    CHECK_STR(c->emails[0], "juergen.mueller@baeckerei-mueller.example");
    CHECK_STR(c->emails[1], "j.mueller@privat.example");
    CHECK_STR(contact_extra(c, "EMAIL 1 TYPE"), "internet");
    CHECK_INT(c->nphones, 3);
    CHECK_INT(c->phones[0].type, PHONE_WORK);          /* TEL;WORK;VOICE */
    CHECK_STR(c->phones[0].number, "+49 30 1234567");
    CHECK_INT(c->phones[1].type, PHONE_MOBILE);        /* TEL;CELL;VOICE */
    CHECK_STR(c->phones[1].number, "+49 170 7654321");
    CHECK_INT(c->phones[2].type, PHONE_FAX);           /* TEL;WORK;FAX */
    CHECK_STR(c->phones[2].number, "+49 30 1234568");
    CHECK_INT(c->naddresses, 1);
    CHECK_STR(c->addresses[0].type, "work");
    CHECK_INT(c->addresses[0].nlines, 1);
    CHECK_STR(c->addresses[0].lines[0], "Hauptstraße 5");
    CHECK_STR(c->addresses[0].city, "Berlin");
    CHECK_STR(c->addresses[0].postal_code, "10115");
    CHECK_STR(c->addresses[0].country, "Deutschland");
    CHECK_STR(c->source_updated, "2024-05-02T09:14:03Z");
    CHECK(c->source_key_derived);                      /* no UID */
    CHECK(strncmp(c->source_key, "d:", 2) == 0);
    /* quoted-printable: =0D=0A, =80 is € in windows-1252, soft breaks ('=' at the line
     * end) joined whatever the next line starts with */
    CHECK_STR(contact_extra(c, "NOTE"), "Kunde seit 2009.\r\nZahlt € bar, bitte nicht vor 9 Uhr "
                                "anrufen.");
    CHECK_STR(contact_extra(c, "LABEL"), "Hauptstraße 5\r\n10115 Berlin\r\nDeutschland");
    CHECK_STR(contact_extra(c, "LABEL TYPE"), "work");
    CHECK_STR(contact_extra(c, "X-MS-OL-DEFAULT-POSTAL-ADDRESS"), "2");

    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_INT(x.rec.line, 21);
    CHECK_INT(x.rec.line_end, 33);
    CHECK_STR(c->given_name, "Siobhán");               /* no CHARSET: the file's, */
    CHECK_STR(c->family_name, "O’Brien");              /* detected windows-1252 */
    CHECK_INT(c->nemails, 1);
    CHECK_STR(c->emails[0], "siobhan@obrien.example"); /* after the PHOTO's blank line */
    CHECK_INT(c->nphones, 1);
    CHECK_INT(c->phones[0].type, PHONE_HOME);
    CHECK_STR(c->addresses[0].type, "home");
    CHECK_STR(c->addresses[0].lines[0], "12 Sráid na Siopaí");
    CHECK_STR(c->addresses[0].city, "Baile Átha Cliath");
    CHECK_STR(c->addresses[0].country, "Éire");
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);
}

TEST(card_text_is_the_raw_record)
{
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(rd_open(&r, FX "outlook21.vcf", NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    CHECK(rec.raw_len > 100);
    CHECK(rec.raw && strncmp(rec.raw, "BEGIN:VCARD\r\nVERSION:2.1\r\nN;LANGUAGE=de;", 40) == 0);
    CHECK(rec.raw && memcmp(rec.raw + rec.raw_len - 11, "END:VCARD\r\n", 11) == 0);
    rd_close(&r);

    CHECK_INT(rd_open(&r, FX "apple30.vcf", NULL), CM_OK);   /* 4.7 KB, the photo */
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    CHECK_INT(rec.raw_len, 4096);                                /* cut */
    CHECK(rec.raw && strncmp(rec.raw, "BEGIN:VCARD\r\nVERSION:3.0\r\n", 26) == 0);
    rd_close(&r);
}

/* ---- vCard 2.1 as old phones write it -------------------------------------------- */

TEST(phone_21_latin1_quoted_printable_agent_and_lf)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, FX "phone21.vcf"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_INT(x.rec.line, 1);
    CHECK_INT(x.rec.line_end, 21);
    CHECK_STR(c->given_name, "Günter");               /* ISO-8859-1, quoted-printable */
    CHECK_STR(c->family_name, "Größer");
    CHECK_STR(c->full_name, "Günter Größer");
    CHECK_INT(c->nphones, 3);
    CHECK_INT(c->phones[0].type, PHONE_WORK);          /* TEL;PREF;WORK comes first */
    CHECK_STR(c->phones[0].number, "030 555 0100");
    CHECK_INT(c->phones[1].type, PHONE_MOBILE);
    CHECK_STR(c->phones[1].number, "+4917012345678");
    CHECK_INT(c->phones[2].type, PHONE_HOME);
    CHECK_STR(c->phones[2].number, "030 555 0199");
    CHECK_INT(c->nemails, 1);
    CHECK_STR(c->emails[0], "guenter@groesser.example");
    /* the unindented base64 photo and its blank line are read past; the embedded
     * card of AGENT is its value, not a card of its own */
    CHECK_STR(contact_extra(c, "AGENT"), "BEGIN:VCARD\nVERSION:2.1\nN:Hahn;Petra\n"
                                 "TEL;WORK:030 555 0111\nEND:VCARD");
    CHECK_STR(contact_extra(c, "NOTE"), "Assistentin: Petra Hahn\nGrüße");   /* UTF-8 QP */
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);
}

/* ---- vCard 3.0 as Apple and Google write it ------------------------------------------ */

TEST(apple_30_groups_labels_pref_and_folding)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, FX "apple30.vcf"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_STR(c->given_name, "Ayşe");
    CHECK_STR(c->family_name, "Çelik");
    CHECK_STR(c->company, "Çelik Danışmanlık");
    CHECK_STR(c->department, NULL);                    /* "ORG:...;" empty unit */
    CHECK_STR(c->title, "Geschäftsführerin");
    CHECK_INT(c->nemails, 2);                          /* type=pref first */
    CHECK_STR(c->emails[0], "ayse@celik.example");
    CHECK_STR(c->emails[1], "ayse.celik@mail.example");
    CHECK_STR(contact_extra(c, "EMAIL 1 TYPE"), "internet,work");
    CHECK_STR(contact_extra(c, "EMAIL 2 TYPE"), "internet,home");
    CHECK_INT(c->nphones, 3);
    CHECK_INT(c->phones[0].type, PHONE_MOBILE);
    CHECK_STR(c->phones[0].number, "+49 151 2345 6789");
    CHECK_INT(c->phones[1].type, PHONE_WORK);
    CHECK_INT(c->phones[2].type, PHONE_OTHER);         /* item1.TEL: no TYPE */
    CHECK_STR(c->phones[2].number, "+49 89 123 457");
    CHECK_STR(contact_extra(c, "TEL 3 LABEL"), "Other");       /* item1.X-ABLabel unwrapped */
    CHECK_INT(c->naddresses, 1);
    CHECK_STR(c->addresses[0].type, "work");
    CHECK_STR(c->addresses[0].lines[0], "Leopoldstraße 12\nRückgebäude");   /* \n */
    CHECK_STR(c->addresses[0].city, "München");
    CHECK_STR(c->addresses[0].region, "Bayern");
    CHECK_STR(contact_extra(c, "URL 1"), "https://celik.example");
    CHECK_STR(contact_extra(c, "URL 1 LABEL"), "HomePage");
    CHECK_STR(contact_extra(c, "X-ABRELATEDNAMES LABEL"), "Kollege, Vertrieb");
    CHECK_STR(contact_extra(c, "X-ABADR"), "de");
    /* a folded line, cut inside the UTF-8 of "ä"; escapes \, \; \n */
    CHECK_STR(contact_extra(c, "NOTE"), "Trifft sich gern zum Kaffee, nicht vor 9.30 Uhr.\n"
                                "Lieblingskuchen: Käsekuchen mit Schmand; dazu schwarzen "
                                "Tee.");
    CHECK_STR(c->birth_date, "1984-03-07");               /* BDAY;VALUE=date: */
    CHECK_STR(contact_extra(c, "BDAY"), NULL);
    CHECK_STR(contact_extra(c, "PRODID"), NULL);               /* describes the file */
    CHECK_STR(contact_extra(c, "PHOTO"), NULL);                /* never held */
    CHECK_INT(x.rec.line_end, 73);                     /* the folded photo read past */
    CHECK_INT(mp_next(&x), CONN_EOF);
    mp_close(&x);
}

TEST(google_30_types_escapes_and_categories)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, FX "google30.vcf"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_STR(c->given_name, "Ben");
    CHECK_STR(c->family_name, "Weiß");
    CHECK_STR(c->company, "Firma Weiß KG");
    CHECK_INT(c->nemails, 2);
    CHECK_STR(c->emails[0], "ben@weiss.example");
    CHECK_STR(c->emails[1], "b.weiss@firma.example");
    CHECK_INT(c->nphones, 2);
    CHECK_INT(c->phones[0].type, PHONE_MOBILE);
    CHECK_INT(c->phones[1].type, PHONE_WORK);
    CHECK_STR(c->addresses[0].type, "home");
    CHECK_STR(c->addresses[0].city, "Hamburg");
    CHECK_STR(contact_extra(c, "URL 1"), "https://weiss.example/ben");   /* Google's "\:" */
    CHECK_STR(contact_extra(c, "URL 1 LABEL"), NULL);                    /* an empty label */
    CHECK_STR(contact_extra(c, "CATEGORIES"), "myContacts,Kunden");
    mp_close(&x);
}

/* ---- vCard 4.0 ------------------------------------------------------------------------ */

TEST(v40_uid_pref_tel_uri_and_label_parameter)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, FX "v40.vcf"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    const struct contact *c = &x.c;
    CHECK_STR(c->source_key, "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1");
    CHECK(!c->source_key_derived);
    CHECK_STR(c->prefix, "Prof. Dr.");
    CHECK_STR(c->given_name, "Zoë");
    CHECK_STR(c->middle_name, "Ann,Marie");            /* a list, as written */
    CHECK_STR(c->family_name, "Ångström-Nakamura");
    CHECK_STR(c->suffix, "PhD");
    CHECK_STR(c->company, "Nordlys AS");
    CHECK_STR(c->department, "Forskning");
    CHECK_STR(contact_extra(c, "ORG.3"), "Team 3");
    CHECK_INT(c->nemails, 3);                          /* PREF=1, PREF=2, none */
    CHECK_STR(c->emails[0], "zoe@home.example");
    CHECK_STR(c->emails[1], "zoe@nordlys.example");
    CHECK_STR(c->emails[2], "zoe.a@other.example");
    CHECK_INT(c->nphones, 2);
    CHECK_INT(c->phones[0].type, PHONE_WORK);          /* TYPE="work,voice" */
    CHECK_STR(c->phones[0].number, "+47-21-00-00-00 x123");   /* tel: URI, ;ext= */
    CHECK_INT(c->phones[1].type, PHONE_MOBILE);
    CHECK_STR(c->phones[1].number, "+47-900-00-000");
    CHECK_STR(contact_extra(c, "ADR 1 FORMATTED"), "Nordlys AS\nStortingsgata 4\n0158 Oslo");
    CHECK_STR(c->source_updated, "2024-05-02T09:14:03Z");
    CHECK_STR(contact_extra(c, "X-SOCIALPROFILE"), "https://example.social/@zoe");
    CHECK_STR(contact_extra(c, "X-SOCIALPROFILE TYPE"), "mastodon");

    CHECK_INT(mp_next(&x), CONN_RECORD);               /* FN only: split for the name */
    CHECK_STR(c->given_name, "Lee");
    CHECK_STR(c->family_name, "Kim");
    CHECK(c->source_key_derived);
    CHECK_INT(x.rec.line, 18);
    CHECK_INT(x.rec.line_end, 22);
    mp_close(&x);
}

TEST(utf16_with_a_bom)
{
    struct mapped x;
    CHECK_INT(mp_open(&x, FX "utf16le_bom.vcf"), CM_OK);
    CHECK_INT(mp_next(&x), CONN_RECORD);
    CHECK_STR(x.c.given_name, "Åse");
    CHECK_STR(x.c.family_name, "Øster");
    CHECK_STR(x.c.emails[0], "aase@oester.example");
    mp_close(&x);
}

/* ---- the field names (schemas/README.md documents them) ----------------------------- */

TEST(raw_field_names)
{
    char *t = transcript(FX "v40.vcf", NULL);
    CHECK_STR(t,
        "1-17: KIND=individual|UID=urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1|"
        "FN=Zoë Ångström-Nakamura|GENDER=F|REV=2024-05-02T09:14:03Z|"
        "X-SOCIALPROFILE=https://example.social/@zoe|X-SOCIALPROFILE TYPE=mastodon|"
        "EMAIL 1=zoe@home.example|EMAIL 1 TYPE=home|EMAIL 2=zoe@nordlys.example|"
        "EMAIL 2 TYPE=work|EMAIL 3=zoe.a@other.example|TEL 1=+47-21-00-00-00 x123|"
        "TEL 1 TYPE=work,voice|TEL 2=+47-900-00-000|TEL 2 TYPE=cell,text|"
        "ADR 1.street=Stortingsgata 4|ADR 1.locality=Oslo|ADR 1.code=0158|"
        "ADR 1.country=Norge|ADR 1 TYPE=work|"
        "ADR 1 FORMATTED=Nordlys AS\\nStortingsgata 4\\n0158 Oslo|"
        "N.family=Ångström-Nakamura|N.given=Zoë|N.middle=Ann,Marie|N.prefix=Prof. Dr.|"
        "N.suffix=PhD|ORG.name=Nordlys AS|ORG.unit=Forskning|ORG.3=Team 3\n"
        "18-22: FN=Lee Kim|EMAIL 1=lee.kim@example.org\n");
    free(t);
    /* repeats of a property, a 2.1 ADR with every part, an unused X-ABLabel */
    const char *path = write_tmp_str("names.vcf",
        "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE:one\r\nNOTE:two\r\n"
        "ADR;DOM;PARCEL:Box 7;Apt 2;1 Main St;Springfield;IL;62701;USA\r\n"
        "X-ABLabel:orphan\r\nN:Cole;Ann;;;;extra part\r\nEND:VCARD\r\n");
    t = transcript(path, NULL);
    CHECK_STR(t,
        "1-8: NOTE=one|NOTE 2=two|ADR 1.pobox=Box 7|ADR 1.ext=Apt 2|ADR 1.street=1 Main St|"
        "ADR 1.locality=Springfield|ADR 1.region=IL|ADR 1.code=62701|ADR 1.country=USA|"
        "ADR 1 TYPE=dom,parcel|N.family=Cole|N.given=Ann|N.6=extra part|"
        "X-ABLABEL=orphan\n");
    free(t);
    remove(path);
}

TEST(names_stay_put_while_cards_bring_no_new_field)
{
    const char *path = write_tmp_str("versions.vcf",
        "BEGIN:VCARD\nFN:A\nEMAIL:a@x.example\nEND:VCARD\n"
        "BEGIN:VCARD\nEMAIL:b@x.example\nFN:B\nEND:VCARD\n"
        "BEGIN:VCARD\nFN:C\nEMAIL:c@x.example\nEMAIL:c2@x.example\nEND:VCARD\n"
        "BEGIN:VCARD\nFN:D\nEND:VCARD\n");
    struct reader r;
    struct raw_record a, b;
    struct reject rej;
    CHECK_INT(rd_open(&r, path, NULL), CM_OK);
    CHECK_INT(rd_next(&r, &a, &rej), CONN_RECORD);
    unsigned va = a.names_version;
    CHECK_INT(rd_next(&r, &b, &rej), CONN_RECORD);
    CHECK_INT(b.names_version, va);                    /* same names, other order */
    CHECK_STR(field(&b, "FN"), "B");
    CHECK_INT(rd_next(&r, &b, &rej), CONN_RECORD);
    CHECK(b.names_version != va);                      /* EMAIL 2 is new */
    CHECK_INT(b.nfields, 3);
    unsigned vc = b.names_version;
    CHECK_INT(rd_next(&r, &b, &rej), CONN_RECORD);
    CHECK_INT(b.names_version, vc);
    CHECK_INT(b.nfields, 3);                           /* every name met so far */
    CHECK_STR(field(&b, "FN"), "D");
    CHECK(field(&b, "EMAIL 1") == NULL);               /* absent in this card */
    rd_close(&r);
    remove(path);
}

/* ---- unfolding, line ends, versions ------------------------------------------------- */

TEST(unfolding_follows_the_version)
{
    /* 3.0 drops the one blank a folded line starts with; 2.1 keeps it (RFC 822);
     * CR alone ends a line too */
    const char *path = write_tmp_str("fold.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:Hauptstra\r\n \xc3\x9f" "e\r\n\t5\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\rVERSION:2.1\rNOTE:Hauptstrasse\r\n 5\rEND:VCARD\r");
    char *t = transcript(path, NULL);
    CHECK_STR(t, "1-6: NOTE=Hauptstraße5\n"
                 "7-11: NOTE=Hauptstrasse 5\n");
    free(t);
    remove(path);
}

TEST(a_soft_break_never_swallows_the_end)
{
    const char *path = write_tmp_str("softend.vcf",
        "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=\r\n"
        "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:2.1\r\n"
        "NOTE;QUOTED-PRINTABLE:one=\r\n\r\nFN:Two\r\nEND:VCARD\r\n");
    char *t = transcript(path, NULL);
    CHECK_STR(t, "1-4: NOTE=café\n"
                 "5-10: NOTE=one|FN=Two\n");           /* an empty line ends it too */
    free(t);
    remove(path);
}

/* Cards of many lengths, so that line ends (CR LF too) fall on every offset of the
 * read window; and the same through gzip. */
TEST(line_ends_anywhere_in_the_window)
{
    struct buf b = BUF_INIT(0);
    for (int i = 0; i < 4000; i++) {
        buf_printf(&b, "BEGIN:VCARD\r\nUID:u%d\r\nNOTE:", i);
        for (int k = 0; k < (i * 37) % 700; k++)
            buf_addch(&b, (char)('a' + k % 26));
        buf_addstr(&b, i % 3 ? "\r\nEND:VCARD\r\n" : "\n END\rEND:VCARD\r");
    }
    const char *path = write_tmp("window.vcf", b.data, b.len);
    char gz[160];
    snprintf(gz, sizeof gz, "%s.gz", path);
    gzFile g = gzopen(gz, "wb");
    gzwrite(g, b.data, (unsigned)b.len);
    gzclose(g);
    const char *files[] = { path, gz };
    for (int f = 0; f < 2; f++) {
        struct reader r;
        struct raw_record rec;
        struct reject rej;
        CHECK_INT(rd_open(&r, files[f], NULL), CM_OK);
        int i = 0, bad = 0;
        while (rd_next(&r, &rec, &rej) == CONN_RECORD) {
            char uid[16];
            snprintf(uid, sizeof uid, "u%d", i);
            size_t want = (size_t)(i * 37) % 700 + (i % 3 ? 0 : 3);
            const char *note = field(&rec, "NOTE");
            bad += strcmp(field(&rec, "UID"), uid) != 0 ||
                   (want ? !note || strlen(note) != want : note != NULL);
            i++;
        }
        CHECK_INT(i, 4000);
        CHECK_INT(bad, 0);
        rd_close(&r);
    }
    buf_free(&b);
    remove(path);
    remove(gz);
}

TEST(a_long_line_across_reads)
{
    /* a 700 KB value under a 1 MB limit: read in pieces, kept whole */
    size_t n = 700 * 1024;
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "BEGIN:VCARD\r\nNOTE:");
    for (size_t i = 0; i < n; i++)
        buf_addch(&b, (char)('a' + i % 26));
    buf_addstr(&b, "\r\nFN:After\r\nEND:VCARD\r\n");
    const char *path = write_tmp("long.vcf", b.data, b.len);
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(rd_open(&r, path, NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    const char *note = field(&rec, "NOTE");
    CHECK(note && strlen(note) == n && note[n - 1] == (char)('a' + (n - 1) % 26));
    CHECK_STR(field(&rec, "FN"), "After");
    CHECK_INT(rec.line_end, 4);
    rd_close(&r);
    buf_free(&b);
    remove(path);
}

/* ---- bad input: each names the file (rej.file) and the line ---------------------------- */

TEST(a_card_without_end_is_rejected_and_the_next_is_read)
{
    char *t = transcript(FX "no_end.vcf", NULL);
    CHECK_STR(t, "R1-4: no END:VCARD before the BEGIN:VCARD at line 5\n"
                 "5-9: FN=Next Card|UID=next-1\n"
                 "R10-12: no END:VCARD before the end of the file\n");
    free(t);
}

TEST(a_property_line_without_colon)
{
    char *t = transcript(FX "no_colon.vcf", NULL);
    CHECK_STR(t, "R1-5: line 4: no ':' in the property line \"NOTE this line has no "
                 "colon\"\n"
                 "6-10: FN=Good Card|UID=good-1\n");
    free(t);
}

TEST(a_nul_byte)
{
    char *t = transcript(FX "nul.vcf", NULL);
    CHECK_STR(t, "R1-5: line 4: NUL byte in the property line\n"
                 "6-10: FN=Good Card|UID=good-1\n");
    free(t);
}

TEST(an_unknown_charset)
{
    char *t = transcript(FX "bad_charset.vcf", NULL);
    CHECK_STR(t, "R1-4: line 3: N: unknown CHARSET \"X-KLINGON\"\n"
                 "5-9: FN=Good Card|UID=good-1\n");
    free(t);
}

TEST(bytes_not_valid_in_their_charset)
{
    const char *path = write_tmp_str("badbytes.vcf",
        "BEGIN:VCARD\nVERSION:4.0\nFN:Ren\xe9\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=windows-1252:Ren\x81;X\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN;CHARSET=UTF-8:Ren\xc3\nEND:VCARD\n");
    char *t = transcript(path, "{\"encoding\": \"utf-8\"}");
    CHECK_STR(t, "R1-4: line 3: FN: invalid utf-8 at byte offset 3\n"
                 "R5-8: line 7: N: byte 0x81 at byte offset 3 is not valid windows-1252\n"
                 "R9-12: line 11: FN: invalid UTF-8 at byte offset 3\n");
    free(t);
    remove(path);
}

TEST(text_outside_cards)
{
    char *t = transcript(FX "junk.vcf", NULL);
    CHECK_STR(t, "R1-2: text outside BEGIN:VCARD ... END:VCARD\n"
                 "4-8: FN=Good Card|UID=good-1\n"
                 "R9: text outside BEGIN:VCARD ... END:VCARD\n");
    free(t);
    const char *path = write_tmp_str("notvcf.csv", "Name,E-mail\nAnn,ann@x.example\n");
    t = transcript(path, NULL);
    CHECK(strncmp(t, "ERROR: /tmp/", 12) == 0);
    CHECK(strstr(t, "notvcf.csv: not a vCard file: no BEGIN:VCARD in it\n") != NULL);
    free(t);
    remove(path);
    path = write_tmp_str("empty.vcf", "");
    t = transcript(path, NULL);
    CHECK_STR(t, "");                                  /* nothing: no records */
    free(t);
    remove(path);
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

TEST(a_100_mb_property_is_rejected_without_being_held)
{
    const char *path = tmp_path("huge.vcf");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Huge\r\nNOTE:", f);
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 100; i++)
        fwrite(block, 1, sizeof block, f);
    fputs("\r\n more\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Small\r\nEND:VCARD\r\n", f);
    fclose(f);
    long before = max_rss_kb();
    char *t = transcript(path, NULL);
    CHECK_STR(t, "R1-6: line 4: NOTE: longer than max_property_bytes (1048576)\n"
                 "7-9: FN=Small\n");
    free(t);
    CHECK(max_rss_kb() - before < 16 * 1024);          /* far below 100 MB */
    remove(path);

    /* the limit is an option: a 5000-byte value under max_property_bytes 1024 */
    char note[5001];
    memset(note, 'y', 5000);
    note[5000] = '\0';
    struct buf b = BUF_INIT(0);
    buf_printf(&b, "BEGIN:VCARD\nFN:A\nNOTE:%s\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\n",
               note);
    path = write_tmp("limit.vcf", b.data, b.len);
    t = transcript(path, "{\"max_property_bytes\": 1024}");
    CHECK_STR(t, "R1-4: line 3: NOTE: longer than max_property_bytes (1024)\n"
                 "5-7: FN=B\n");
    free(t);
    t = transcript(path, "{\"max_card_bytes\": 4096}");
    CHECK_STR(t, "R1-4: the card exceeds max_card_bytes (4096)\n"
                 "5-7: FN=B\n");
    free(t);
    t = transcript(path, "{\"max_property_bytes\": 10}");
    CHECK_STR(t, "OPEN: sources[0].max_property_bytes: must be between 64 and 1073741824, "
                 "not 10");
    free(t);
    buf_free(&b);
    remove(path);
}

TEST(a_large_photo_is_read_past)
{
    /* 3 MB of base64, folded: over max_property_bytes, but never held */
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pic\r\nPHOTO;ENCODING=b;TYPE=JPEG:");
    for (int i = 0; i < 40000; i++)
        buf_addstr(&b, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\r\n ");
    buf_addstr(&b, "QUJD\r\nEMAIL:pic@x.example\r\nEND:VCARD\r\n");
    const char *path = write_tmp("photo.vcf", b.data, b.len);
    char *t = transcript(path, NULL);
    CHECK_STR(t, "1-40006: FN=Pic|EMAIL 1=pic@x.example\n");
    free(t);
    buf_free(&b);
    remove(path);
}

TEST(a_nested_card_without_agent_is_a_missing_end)
{
    const char *path = write_tmp_str("nested.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Outer\n"
        "BEGIN:VCARD\nFN:Inner\nEND:VCARD\n"
        "END:VCARD\n");
    char *t = transcript(path, NULL);
    CHECK_STR(t, "R1-3: no END:VCARD before the BEGIN:VCARD at line 4\n"
                 "4-6: FN=Inner\n"
                 "R7: text outside BEGIN:VCARD ... END:VCARD\n");
    free(t);
    remove(path);
    /* 3.0 writes an agent's card as one escaped value */
    path = write_tmp_str("agent30.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Outer\n"
        "AGENT:BEGIN:VCARD\\nFN:Susan Thomas\\nTEL:+1-919-555-1234\\nEND:VCARD\\n\n"
        "END:VCARD\n");
    t = transcript(path, NULL);
    CHECK_STR(t, "1-5: FN=Outer|AGENT=BEGIN:VCARD\\nFN:Susan Thomas\\nTEL:+1-919-555-1234"
                 "\\nEND:VCARD\\n\n");
    free(t);
    remove(path);
}

TEST(describe_and_open_errors)
{
    struct reader r;
    CHECK_INT(rd_open(&r, FX "outlook21.vcf", NULL), CM_OK);
    struct buf d = BUF_INIT(0);
    CHECK_INT(vcard_connector.xDescribe(r.st, &d), CM_OK);
    CHECK_STR(d.data, "outlook21.vcf: vCard, text windows-1252 (detected)");
    const char *const *names;
    size_t n = 99;
    CHECK_INT(vcard_connector.xFields(r.st, &names, &n), CM_OK);
    CHECK_INT(n, 0);                                   /* not known up front */
    buf_free(&d);
    rd_close(&r);

    CHECK_INT(rd_open(&r, FX "no_such.vcf", NULL), CM_ERR_IO);
    CHECK_STR(r.err, "sources[0]: " FX "no_such.vcf: No such file or directory");
    rd_close(&r);
    CHECK_INT(rd_open(&r, FX "v40.vcf", "{\"encoding\": \"x-nonesuch\"}"), CM_ERR_CONFIG);
    CHECK_STR(r.err, "sources[0].encoding: unknown encoding \"x-nonesuch\"");
    rd_close(&r);
}

int main(void)
{
    RUN(outlook_21_windows_1252_and_quoted_printable);
    RUN(card_text_is_the_raw_record);
    RUN(phone_21_latin1_quoted_printable_agent_and_lf);
    RUN(apple_30_groups_labels_pref_and_folding);
    RUN(google_30_types_escapes_and_categories);
    RUN(v40_uid_pref_tel_uri_and_label_parameter);
    RUN(utf16_with_a_bom);
    RUN(raw_field_names);
    RUN(names_stay_put_while_cards_bring_no_new_field);
    RUN(unfolding_follows_the_version);
    RUN(a_soft_break_never_swallows_the_end);
    RUN(line_ends_anywhere_in_the_window);
    RUN(a_long_line_across_reads);
    RUN(a_card_without_end_is_rejected_and_the_next_is_read);
    RUN(a_property_line_without_colon);
    RUN(a_nul_byte);
    RUN(an_unknown_charset);
    RUN(bytes_not_valid_in_their_charset);
    RUN(text_outside_cards);
    RUN(a_100_mb_property_is_rejected_without_being_held);
    RUN(a_large_photo_is_read_past);
    RUN(a_nested_card_without_agent_is_a_missing_end);
    RUN(describe_and_open_errors);
    return test_report();
}
