/* test_siebel_xml.c — the Siebel EAI XML connector (connectors/siebel_xml.c), driven
 * through its method table the way extract.c drives it, and the Siebel layouts
 * (schemas/siebel_xml.json, schemas/siebel_eim.json) through mapping.
 * Most cases compare a transcript of what the reader produced, one line per record:
 *     "4-36: Id=1-2AB3C|FirstName=Jürgen|..."     a record, its lines, present fields
 *     "R18: not well formed: ..."                  a reject and its reason
 * Fixtures: tests/fixtures/siebel (README.md there lists them); large and generated
 * inputs go to temporary files. */
#include <jansson.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
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

extern const struct connector siebel_xml_connector;
extern const struct connector csv_connector;

#define FX "tests/fixtures/siebel/"

static enum cm_status rd_open_with(struct reader *r, const struct connector *conn,
                                   const char *path, const char *opts)
{
    return reader_open(r, conn, "siebel", path, opts);
}

static enum cm_status rd_open(struct reader *r, const char *path, const char *opts)
{
    return rd_open_with(r, &siebel_xml_connector, path, opts);
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

/* one line for a record: its present fields, name=value */
static void add_record(struct buf *b, const struct raw_record *rec)
{
    add_lines(b, "", rec->line, rec->line_end);
    int first = 1;
    for (size_t i = 0; i < rec->nfields; i++) {
        if (!rec->values[i])
            continue;
        if (!first)
            buf_addch(b, '|');
        first = 0;
        buf_printf(b, "%s=", rec->names[i]);
        reader_add_value(b, rec->values[i], rec->lengths[i], "");
    }
    buf_addch(b, '\n');
}

/* everything the reader yields after open, one line per record or reject */
static char *transcript_of(struct reader *r)
{
    struct buf b = BUF_INIT(0);
    buf_addstr(&b, "");
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        enum conn_next n = rd_next(r, &rec, &rej);
        if (n == CONN_EOF)
            break;
        if (n == CONN_ERROR) {
            buf_printf(&b, "ERROR: %s\n", r->err);
            break;
        }
        if (n == CONN_REJECT) {
            add_lines(&b, "R", rej.line, rej.line_end);
            buf_printf(&b, "%s\n", rej.reason);
            continue;
        }
        add_record(&b, &rec);
    }
    return buf_detach(&b, NULL);
}

/* open, read to the end, close: the transcript, or "OPEN: err" */
static char *transcript(const char *path, const char *opts)
{
    struct reader r;
    char *t;
    if (rd_open(&r, path, opts) != CM_OK) {
        size_t n = strlen(r.err) + 8;
        t = malloc(n);
        snprintf(t, n, "OPEN: %s", r.err);
    } else {
        t = transcript_of(&r);
    }
    rd_close(&r);
    return t;
}

static char *tmp_path(const char *tag)
{
    static char path[128];
    snprintf(path, sizeof path, "/tmp/test_siebel_xml_%ld_%s", (long)getpid(), tag);
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

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *field(const struct raw_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        if (strcmp(rec->names[i], name) == 0)
            return rec->values[i];
    }
    return "(no such field)";
}

static long field_index(const struct raw_record *rec, const char *name)
{
    for (size_t i = 0; i < rec->nfields; i++) {
        if (strcmp(rec->names[i], name) == 0)
            return (long)i;
    }
    return -1;
}

/* ---- records and field names ------------------------------------------------------ */

TEST(contacts_become_records_named_by_tag)
{
    char *t = transcript(FX "contacts.xml", NULL);
    CHECK_STR(t,
        "4-36: Id=1-2AB3C|Created=03/07/2019 14:30:00|Updated=2019-03-08T09:15:00|"
        "PersonUId=1-2AB3C|FirstName=Jürgen|MiddleName=|LastName=Müller|"
        "EmailAddress=juergen.mueller@mueller-soehne.example|WorkPhone=+4930123456|"
        "CellularPhone=+491701234567|JobTitle=Geschäftsführer|"
        "Account=Müller & Söhne GmbH|"
        "Contact_PersonalAddress.StreetAddress=Hauptstraße 12|"
        "Contact_PersonalAddress.StreetAddress2=Hinterhaus|"
        "Contact_PersonalAddress.City=Berlin|Contact_PersonalAddress.State=BE|"
        "Contact_PersonalAddress.PostalCode=10115|Contact_PersonalAddress.Country=Germany|"
        "Contact_PersonalAddress#2.StreetAddress=Gartenweg 7|"
        "Contact_PersonalAddress#2.City=Potsdam|Contact_PersonalAddress#2.State=BB|"
        "Contact_PersonalAddress#2.PostalCode=14467|"
        "Contact_PersonalAddress#2.Country=Germany\n"
        "37-65: Id=1-2AB3D|Created=11/30/2020 08:05:00|Updated=12/01/2020 17:45:10|"
        "FirstName=Ann|MiddleName=B.|LastName=Cole|EmailAddress=ann@cole.example|"
        "WorkPhone=2125550134|JobTitle=Owner|Account=Cole Bakery|"
        "Contact_PersonalAddress.StreetAddress=12 Main Street|"
        "Contact_PersonalAddress.City=New York|Contact_PersonalAddress.State=NY|"
        "Contact_PersonalAddress.PostalCode=10001|Contact_PersonalAddress.Country=USA|"
        "HomePhone=2125550199|FaxPhone=2125550135|"
        "Contact_AlternatePhone.AlternatePhone=2125550111|"
        "Contact_AlternatePhone.AlternatePhoneType=Assistant\n"
        "66: Id=1+AB+3CD|FirstName=Zoë|LastName=Šimková|EmailAddress=zoe@simkova.example|"
        "WorkPhone=+420221234567\n");
    free(t);
}

TEST(primary_child_is_number_one_and_comes_first)
{
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(rd_open(&r, FX "contacts.xml", NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    /* Berlin is second in the file but IsPrimaryMVG="Y" */
    CHECK_STR(field(&rec, "Contact_PersonalAddress.City"), "Berlin");
    CHECK_STR(field(&rec, "Contact_PersonalAddress#2.City"), "Potsdam");
    long berlin = field_index(&rec, "Contact_PersonalAddress.City");
    long potsdam = field_index(&rec, "Contact_PersonalAddress#2.City");
    CHECK(berlin >= 0 && potsdam >= 0 && berlin < potsdam);
    CHECK_STR(rec.file, FX "contacts.xml");
    CHECK_STR(rec.raw, "<Contact> at line 4");
    CHECK_INT(rec.raw_len, strlen("<Contact> at line 4"));
    rd_close(&r);

    char *t = transcript(FX "custom_path.xml",
                         "{\"record_path\": \"ListOfCrmPerson/CrmPerson\"}");
    CHECK_STR(t,
        "5: Id=1-C1|FirstName=Ann|LastName=Cole|"
        "CrmPerson_Email.EmailAddress=ann@cole.example|"
        "CrmPerson_Email#2.EmailAddress=ann@work.example|"
        "CrmPerson_Email#3.EmailAddress=ann@old.example\n"
        "6: Id=1-C2|FirstName=Bob|LastName=Dole\n");
    free(t);
}

TEST(names_stay_put_while_records_add_no_new_field)
{
    struct reader r;
    struct raw_record a, b, c;
    struct reject rej;
    CHECK_INT(rd_open(&r, FX "contacts.xml", NULL), CM_OK);
    CHECK_INT(rd_next(&r, &a, &rej), CONN_RECORD);
    unsigned va = a.names_version;
    size_t na = a.nfields;
    CHECK_INT(rd_next(&r, &b, &rej), CONN_RECORD);   /* HomePhone, FaxPhone, ... new */
    CHECK(b.names_version != va);
    CHECK(b.nfields > na);
    /* the first record's fields keep their places; what b lacks is absent */
    CHECK_STR(b.names[0], "Id");
    CHECK_STR(b.names[3], "PersonUId");
    CHECK(b.values[3] == NULL);
    unsigned vb = b.names_version;
    size_t nb = b.nfields;
    const char *const *names_b = b.names;
    CHECK_INT(rd_next(&r, &c, &rej), CONN_RECORD);   /* nothing new */
    CHECK_INT(c.names_version, vb);
    CHECK_INT(c.nfields, nb);
    CHECK(c.names == names_b);
    CHECK_STR(field(&c, "Created"), NULL);
    CHECK_STR(field(&c, "Id"), "1+AB+3CD");
    CHECK_INT(rd_next(&r, &c, &rej), CONN_EOF);
    CHECK_INT(rd_next(&r, &c, &rej), CONN_EOF);
    rd_close(&r);
}

TEST(describe_names_the_message_and_the_record_path)
{
    struct reader r;
    struct buf d = BUF_INIT(0);
    CHECK_INT(rd_open(&r, FX "contacts.xml", NULL), CM_OK);
    CHECK_INT(siebel_xml_connector.xDescribe(r.st, &d), CM_OK);
    CHECK_STR(d.data, "contacts.xml: SiebelMessage IntObjectName=Contact, "
                      "record path ListOfContact/Contact");
    const char *const *names = (const char *const *)&d;
    size_t n = 99;
    CHECK_INT(siebel_xml_connector.xFields(r.st, &names, &n), CM_OK);
    CHECK_INT(n, 0);
    rd_close(&r);
    buf_free(&d);
    CHECK_INT(siebel_xml_connector.version, CONNECTOR_VERSION);
    CHECK_STR(siebel_xml_connector.name, "siebel_xml");
}

TEST(wrong_record_path_is_an_error_not_an_empty_source)
{
    char *t = transcript(FX "custom_path.xml", NULL);
    CHECK_STR(t, "ERROR: " FX "custom_path.xml: no <ListOfContact> element under "
                 "<SiebelMessage>: nothing matches the record path ListOfContact/Contact "
                 "(set \"record_path\" for a custom integration object)\n");
    free(t);
    /* an empty list is an empty export */
    static const char empty[] =
        "<SiebelMessage IntObjectName=\"Contact\"><ListOfContact/></SiebelMessage>";
    t = transcript(write_tmp("empty.xml", empty, sizeof empty - 1), NULL);
    CHECK_STR(t, "");
    free(t);
    unlink(tmp_path("empty.xml"));
}

TEST(other_elements_among_the_records_are_rejected)
{
    static const char xml[] =
        "<SiebelMessage>\n"
        " <ListOfContact>\n"
        "  <Contact><Id>1-A</Id></Contact>\n"
        "  <Account><Name>Cole Bakery</Name></Account>\n"
        "  <Contact><Id>1-B</Id></Contact>\n"
        " </ListOfContact>\n"
        " <ListOfAction><Action><Id>1-Z</Id></Action></ListOfAction>\n"
        "</SiebelMessage>\n";
    char *t = transcript(write_tmp("other.xml", xml, sizeof xml - 1), NULL);
    CHECK_STR(t,
        "3: Id=1-A\n"
        "R4: unexpected element <Account> in <ListOfContact>: not a record "
        "(record path ListOfContact/Contact)\n"
        "5: Id=1-B\n");
    free(t);
    unlink(tmp_path("other.xml"));
}

TEST(phone_masks_are_cut_only_in_phone_fields)
{
    static const char xml[] =
        "<SiebelMessage><ListOfContact><Contact>"
        "<Id>1-P</Id><WorkPhone>+4930123456\r\n000 000000</WorkPhone>"
        "<MainFaxNumber>+4930999\n000 000</MainFaxNumber>"
        "<HomePhone>\n  +4930555\n000 000</HomePhone>"
        "<Comment>line one\nline two</Comment>"
        "<PhoneExtension>12\n3</PhoneExtension>"
        "</Contact></ListOfContact></SiebelMessage>";
    char *t = transcript(write_tmp("phones.xml", xml, sizeof xml - 1), NULL);
    /* XML turns CR LF into LF; the mask goes; a leading break is not the cut;
     * Comment and PhoneExtension are not phones */
    CHECK_STR(t, "1-7: Id=1-P|WorkPhone=+4930123456|MainFaxNumber=+4930999|"
                 "HomePhone=\\n  +4930555|Comment=line one\\nline two|"
                 "PhoneExtension=12\\n3\n");
    free(t);
    unlink(tmp_path("phones.xml"));
}

TEST(repeated_and_nested_elements_are_numbered)
{
    static const char xml[] =
        "<SiebelMessage><ListOfContact><Contact>"
        "<Id>1-N</Id><EmailAddress>a@x.example</EmailAddress>"
        "<EmailAddress>b@x.example</EmailAddress>"
        "<ListOfContact_Account>"
        "<Contact_Account><AccountName>Old Co</AccountName></Contact_Account>"
        "<Contact_Account IsPrimaryMVG=\"Y\"><AccountName>New Co</AccountName>"
        "<ListOfAccount_Address><Account_Address><City>Köln</City></Account_Address>"
        "<Account_Address IsPrimaryMVG=\"Y\"><City>Bonn</City></Account_Address>"
        "</ListOfAccount_Address></Contact_Account>"
        "</ListOfContact_Account>"
        "<Note>a <b>bold</b> word</Note>"
        "</Contact></ListOfContact></SiebelMessage>";
    char *t = transcript(write_tmp("nested.xml", xml, sizeof xml - 1), NULL);
    CHECK_STR(t, "1: Id=1-N|EmailAddress=a@x.example|EmailAddress#2=b@x.example|"
                 "Contact_Account.AccountName=New Co|"
                 "Contact_Account.Account_Address.City=Bonn|"
                 "Contact_Account.Account_Address#2.City=Köln|"
                 "Contact_Account#2.AccountName=Old Co|"
                 "Note.#text=a |Note.b=bold|Note.#text#2= word\n");
    free(t);
    unlink(tmp_path("nested.xml"));
}

TEST(lines_of_a_one_line_document)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?><SiebelMessage><ListOfContact><Contact><Id>1-A</Id>"
        "</Contact><Contact><Id>1-B</Id></Contact></ListOfContact></SiebelMessage>";
    char *t = transcript(write_tmp("oneline.xml", xml, sizeof xml - 1), NULL);
    CHECK_STR(t, "1: Id=1-A\n1: Id=1-B\n");
    free(t);
    unlink(tmp_path("oneline.xml"));
}

TEST(gzip_and_utf16_exports_are_read)
{
    FILE *f = fopen(FX "contacts.xml", "rb");
    static char data[8192];
    size_t n = f ? fread(data, 1, sizeof data, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 2000);
    char *want = transcript(FX "contacts.xml", NULL);

    gzFile gz = gzopen(tmp_path("c.xml.gz"), "wb");
    gzwrite(gz, data, (unsigned)n);
    gzclose(gz);
    char *got = transcript(tmp_path("c.xml.gz"), NULL);
    CHECK_STR(got, want);
    free(got);
    unlink(tmp_path("c.xml.gz"));

    /* UTF-16LE with a BOM, declared encoding="UTF-8" left as it was: the BOM wins */
    static char u16[20000];
    size_t k = 0;
    u16[k++] = '\xFF';
    u16[k++] = '\xFE';
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)data[i];
        unsigned cp;
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        for (size_t j = 1; j < len; j++)
            cp = (cp << 6) | ((unsigned char)data[i + j] & 0x3F);
        i += len;
        u16[k++] = (char)(cp & 0xFF);
        u16[k++] = (char)(cp >> 8);
    }
    got = transcript(write_tmp("c16.xml", u16, k), NULL);
    CHECK_STR(got, want);
    free(got);
    unlink(tmp_path("c16.xml"));
    free(want);
}

/* ---- bad input -------------------------------------------------------------------- */

TEST(a_break_midway_keeps_the_records_before_it)
{
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    CHECK_INT(rd_open(&r, FX "broken.xml", NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    CHECK_STR(field(&rec, "Id"), "1-B1");
    CHECK_INT(rec.line, 4);
    CHECK_INT(rec.line_end, 8);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    CHECK_STR(field(&rec, "Id"), "1-B2");
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_REJECT);
    CHECK_STR(rej.file, FX "broken.xml");
    CHECK_INT(rej.line, 18);
    CHECK_INT(rej.line_end, 18);
    CHECK_STR(rej.reason, "not well formed: Opening and ending tag mismatch: FirstName "
                          "line 16 and Contact \xe2\x80\x94 the rest of the file was not read");
    CHECK_INT(rej.raw_len, strlen("<Contact> at line 14"));
    CHECK(rej.raw && memcmp(rej.raw, "<Contact> at line 14", rej.raw_len) == 0);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_EOF);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_EOF);
    rd_close(&r);
}

/* A break far into a large file: the reader is past its first chunk, and libxml2
 * has parsed up to 512 bytes beyond the last node it handed out. */
TEST(a_break_in_a_large_file_keeps_every_complete_record)
{
    struct buf x = BUF_INIT(0);
    buf_addstr(&x, "<?xml version=\"1.0\"?>\n<SiebelMessage>\n<ListOfContact>\n");
    for (int i = 0; i < 3000; i++)
        buf_printf(&x, "<Contact>\n <Id>1-%d</Id>\n <LastName>N%d</LastName>\n</Contact>\n",
                   i, i);
    buf_addstr(&x, "<Contact><Id>1-X</Id><</Contact>\n</ListOfContact>\n</SiebelMessage>\n");
    struct reader r;
    CHECK_INT(rd_open(&r, write_tmp("big_broken.xml", x.data, x.len), NULL), CM_OK);
    long records = 0, rejects = 0, last_line = 0;
    char reason[CM_ERRBUF + 32] = "";
    for (;;) {
        struct raw_record rec;
        struct reject rej;
        enum conn_next n = rd_next(&r, &rec, &rej);
        if (n == CONN_RECORD) {
            records++;
            last_line = rec.line;
        } else if (n == CONN_REJECT) {
            rejects++;
            snprintf(reason, sizeof reason, "%ld: %s", rej.line, rej.reason);
        } else {
            CHECK_INT(n, CONN_EOF);
            break;
        }
    }
    CHECK_INT(records, 3000);
    CHECK_INT(rejects, 1);
    CHECK_INT(last_line, 4 + 2999 * 4);
    CHECK_STR(reason, "12004: not well formed: StartTag: invalid element name "
                      "\xe2\x80\x94 the rest of the file was not read");
    rd_close(&r);
    unlink(tmp_path("big_broken.xml"));
    buf_free(&x);
}

TEST(not_xml_fails_at_open)
{
    static const char junk[] = "Id,FirstName\n1-2AB3C,Ann\n";
    char *t = transcript(write_tmp("junk.xml", junk, sizeof junk - 1), NULL);
    CHECK(strncmp(t, "OPEN: /tmp/test_siebel_xml_", 27) == 0);
    CHECK(strstr(t, "junk.xml:1: not XML: Document is empty") != NULL);
    free(t);
    t = transcript(write_tmp("void.xml", "", 0), NULL);
    CHECK(strstr(t, "void.xml: not XML: the file is empty") != NULL);
    free(t);
    static const char half[] = "<?xml version=\"1.0\"?>\n<SiebelMessage><ListOf";
    t = transcript(write_tmp("half.xml", half, sizeof half - 1), NULL);
    CHECK(strstr(t, "OPEN: ") == NULL);         /* the root started: a break, not "not XML" */
    CHECK(strstr(t, "R2: not well formed: ") == t);
    free(t);
    t = transcript(FX "no_such_file.xml", NULL);
    CHECK(strstr(t, "OPEN: sources[0]: " FX "no_such_file.xml") == t);
    free(t);
    unlink(tmp_path("junk.xml"));
    unlink(tmp_path("void.xml"));
    unlink(tmp_path("half.xml"));
}

TEST(external_entities_are_refused_at_open)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *t = transcript(FX "xxe.xml", NULL);
    CHECK_STR(t, "OPEN: " FX "xxe.xml:2: DOCTYPE not allowed (external entities and "
                 "entity expansion are refused)");
    CHECK(strstr(t, "root:") == NULL);                   /* nothing of /etc/passwd */
    free(t);
    CHECK(seconds_since(&t0) < 1.0);
}

TEST(entity_expansion_bomb_is_refused_at_open)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *t = transcript(FX "billion_laughs.xml", NULL);
    CHECK_STR(t, "OPEN: " FX "billion_laughs.xml:2: DOCTYPE not allowed (external "
                 "entities and entity expansion are refused)");
    free(t);
    CHECK(seconds_since(&t0) < 1.0);
}

TEST(a_doctype_anywhere_in_the_prolog_is_refused)
{
    static const char bom[] = "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- a <!DOCTYPE in a "
                              "comment is fine -->\n<?pi x?>\n<!DOCTYPE SiebelMessage>\n"
                              "<SiebelMessage/>\n";
    char *t = transcript(write_tmp("bom.xml", bom, sizeof bom - 1), NULL);
    CHECK(strstr(t, "bom.xml:4: DOCTYPE not allowed") != NULL);
    free(t);
    static const char ok[] = "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- <!DOCTYPE -->\n"
                             "<SiebelMessage><ListOfContact><Contact><Id>1-A</Id>"
                             "</Contact></ListOfContact></SiebelMessage>\n";
    t = transcript(write_tmp("ok.xml", ok, sizeof ok - 1), NULL);
    CHECK_STR(t, "3: Id=1-A\n");
    free(t);
    /* UTF-16: the declaration is seen after transcoding */
    static const char u16[] = "\xFF\xFE<\0!\0D\0O\0C\0T\0Y\0P\0E\0 \0x\0>\0<\0x\0/\0>\0";
    t = transcript(write_tmp("u16.xml", u16, sizeof u16 - 1), NULL);
    CHECK(strstr(t, "u16.xml:1: DOCTYPE not allowed") != NULL);
    free(t);
    unlink(tmp_path("bom.xml"));
    unlink(tmp_path("ok.xml"));
    unlink(tmp_path("u16.xml"));
}

TEST(deep_nesting_is_an_error)
{
    char *t = transcript(FX "deep.xml", NULL);
    CHECK_STR(t, "ERROR: " FX "deep.xml:2: elements nested deeper than max_depth (64)\n");
    free(t);
    t = transcript(FX "deep.xml", "{\"max_depth\": 10}");
    CHECK_STR(t, "ERROR: " FX "deep.xml:2: elements nested deeper than max_depth (10)\n");
    free(t);
    /* a million levels, off the record path: refused as quickly */
    struct buf x = BUF_INIT(0);
    buf_addstr(&x, "<SiebelMessage><ListOfContact>");
    for (int i = 0; i < 1000000; i++)
        buf_addstr(&x, "<a>");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    t = transcript(write_tmp("bomb.xml", x.data, x.len), NULL);
    CHECK(strstr(t, "bomb.xml:1: elements nested deeper than max_depth (64)") != NULL);
    CHECK(seconds_since(&t0) < 1.0);
    free(t);
    buf_free(&x);
    unlink(tmp_path("bomb.xml"));
}

TEST(a_record_over_max_record_bytes_is_rejected)
{
    struct buf x = BUF_INIT(0);
    buf_addstr(&x, "<SiebelMessage>\n<ListOfContact>\n<Contact><Id>1-A</Id><Comment>");
    for (int i = 0; i < 300; i++)
        buf_addstr(&x, "word ");
    buf_addstr(&x, "</Comment></Contact>\n<Contact><Id>1-B</Id></Contact>\n"
                   "</ListOfContact>\n</SiebelMessage>\n");
    const char *path = write_tmp("big.xml", x.data, x.len);
    /* one text over the limit: the reason names its element */
    char *t = transcript(path, "{\"max_record_bytes\": 1024}");
    CHECK_STR(t, "R3: <Comment> over max_record_bytes (1024 bytes of text and field "
                 "names)\n4: Id=1-B\n");
    free(t);
    t = transcript(path, NULL);
    CHECK(strncmp(t, "3: Id=1-A|Comment=word word", 27) == 0);
    free(t);
    /* many fields, each under it: the record element */
    buf_reset(&x);
    buf_addstr(&x, "<SiebelMessage>\n<ListOfContact>\n<Contact><Id>1-A</Id>");
    for (int i = 0; i < 30; i++)
        buf_addstr(&x, "<Comment>words and words and words and words</Comment>");
    buf_addstr(&x, "</Contact>\n<Contact><Id>1-B</Id></Contact>\n</ListOfContact>\n"
                   "</SiebelMessage>\n");
    t = transcript(write_tmp("big.xml", x.data, x.len), "{\"max_record_bytes\": 1024}");
    CHECK_STR(t, "R3: <Contact> over max_record_bytes (1024 bytes of text and field "
                 "names)\n4: Id=1-B\n");
    free(t);
    buf_free(&x);
    unlink(tmp_path("big.xml"));
}

/* ---- huge texts: cut before libxml2, the record rejected, the rest read ----------- */

/* Megabytes of the huge texts below: TEST_BIG_MB in the environment (valgrind runs a
 * smaller case), else 100. */
static size_t big_bytes(void)
{
    const char *e = getenv("TEST_BIG_MB");
    long mb = e ? atol(e) : 100;
    return (size_t)(mb > 0 ? mb : 100) << 20;
}

/* Write piece over and over, total bytes in all (a whole number of pieces), through a
 * buffer of 1 MiB. */
static void put_repeated(FILE *f, const char *piece, size_t total)
{
    static char chunk[1 << 20];
    size_t n = strlen(piece), fill = sizeof chunk / n * n;
    for (size_t i = 0; i < fill; i += n)
        memcpy(chunk + i, piece, n);
    for (size_t left = total; left;) {
        size_t k = left < fill ? left : fill;
        fwrite(chunk, 1, k, f);
        left -= k;
    }
}

/* The export of the brief: contacts 1-A (lines 4-7), 1-B from line 8 whose <Comment>
 * starts with open, 1-C after it. big_open() writes up to open, big_close() from
 * close on. */
static FILE *big_open(const char *path, const char *decl, const char *open)
{
    FILE *f = fopen(path, "wb");
    if (f)
        fprintf(f, "%s\n<SiebelMessage IntObjectName=\"Contact\">\n<ListOfContact>\n"
                   "<Contact>\n<Id>1-A</Id>\n<LastName>Before</LastName>\n</Contact>\n"
                   "<Contact>\n<Id>1-B</Id>\n%s", decl, open);
    return f;
}

static void big_close(FILE *f, const char *close)
{
    fprintf(f, "%s\n</Contact>\n<Contact>\n<Id>1-C</Id>\n<LastName>After</LastName>\n"
               "</Contact>\n</ListOfContact>\n</SiebelMessage>\n", close);
    fclose(f);
}

/* ... with piece repeated to total bytes between open and close */
static const char *write_big(const char *tag, const char *decl, const char *open,
                             const char *piece, size_t total, const char *close)
{
    const char *path = tmp_path(tag);
    FILE *f = big_open(path, decl, open);
    if (f) {
        put_repeated(f, piece, total);
        big_close(f, close);
    }
    return path;
}

/* "4-7: Id=1-A ... R8-E: <Comment> over ... E+1-E+4: Id=1-C", E the line of </Contact> */
static char *big_want(long end, const char *limit)
{
    struct buf b = BUF_INIT(0);
    buf_printf(&b, "4-7: Id=1-A|LastName=Before\nR8-%ld: <Comment> over max_record_bytes "
                   "(%s bytes of text and field names)\n%ld-%ld: Id=1-C|LastName=After\n",
               end, limit, end + 1, end + 4);
    return buf_detach(&b, NULL);
}

static void check_big(const char *path, const char *opts, long end, const char *limit)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *t = transcript(path, opts);
    char *want = big_want(end, limit);
    CHECK_STR(t, want);
    CHECK(seconds_since(&t0) < 5.0);
    free(want);
    free(t);
    unlink(path);
}

TEST(a_huge_field_rejects_its_record_and_the_rest_is_read)
{
    size_t n = big_bytes();
    const char *path = write_big("h_text.xml", "<?xml version=\"1.0\"?>", "<Comment>", "A",
                                 n, "</Comment>");
    struct rusage before, after;         /* never read whole: the peak grows far less */
    getrusage(RUSAGE_SELF, &before);
    check_big(path, NULL, 11, "4194304");
    getrusage(RUSAGE_SELF, &after);
    CHECK(after.ru_maxrss - before.ru_maxrss < 48 * 1024);
    /* the reject tells the record, not the text */
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    path = write_big("h_text.xml", "", "<Comment>", "A", 16 << 20, "</Comment>");
    CHECK_INT(rd_open(&r, path, NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_REJECT);
    CHECK_STR(rej.file, path);
    CHECK_INT(rej.line, 8);
    CHECK_INT(rej.raw_len, strlen("<Contact> at line 8"));
    CHECK(rej.raw && memcmp(rej.raw, "<Contact> at line 8", rej.raw_len) == 0);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    CHECK_STR(field(&rec, "Id"), "1-C");
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_EOF);
    rd_close(&r);
    unlink(path);
}

TEST(a_huge_cdata_section_is_cut_the_same)
{
    check_big(write_big("h_cdata.xml", "", "<Comment><![CDATA[", "A", big_bytes(),
                        "]]></Comment>"), NULL, 11, "4194304");
    /* text, then CDATA, then text: one text node, one cut */
    check_big(write_big("h_mixed.xml", "", "<Comment>abc<![CDATA[", "A", 8 << 20,
                        "]]>def</Comment>"), NULL, 11, "4194304");
}

TEST(line_breaks_in_a_huge_field_keep_later_lines_right)
{
    size_t n = big_bytes();              /* lines of 100 bytes */
    long breaks = (long)(n / 100);
    check_big(write_big("h_lines.xml", "", "<Comment>",
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                        "AAAAAAAAAAAAAAAAAAAAAAAA\n", n / 100 * 100, "</Comment>"),
              NULL, 11 + breaks, "4194304");
    /* nothing but line breaks */
    check_big(write_big("h_nl.xml", "", "<Comment>", "\n", 20 << 20, "</Comment>"),
              NULL, 11 + (20 << 20), "4194304");
    /* and a break after them: its line is the file's */
    const char *path = write_big("h_break.xml", "", "<Comment>", "\n", 20 << 20,
                                 "</Comment><Bad></Contact>");
    char *t = transcript(path, NULL);
    struct buf want = BUF_INIT(0);
    /* (a line quoted in libxml2's message is its own count, without the cut's) */
    buf_printf(&want, "4-7: Id=1-A|LastName=Before\nR%ld: not well formed: Opening and "
                      "ending tag mismatch: Bad line ", 10L + (20 << 20));
    CHECK(strncmp(t, want.data, want.len) == 0);
    buf_free(&want);
    free(t);
    unlink(path);
}

TEST(a_huge_field_is_cut_between_characters)
{
    /* ä is 2 bytes in UTF-8: a cut inside one would break the document */
    check_big(write_big("h_uml.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                        "<Comment>", "\xc3\xa4", big_bytes(), "</Comment>"),
              NULL, 11, "4194304");
    check_big(write_big("h_euro.xml", "", "<Comment>", "x\xe2\x82\xac", 20 << 20,
                        "</Comment>"), "{\"max_record_bytes\": 1025}", 11, "1025");
    /* latin1: each byte 2 bytes of UTF-8 for libxml2, weighed so */
    check_big(write_big("h_latin.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
                        "<Comment>", "\xe4", 20 << 20, "</Comment>"), NULL, 11, "4194304");
    check_big(write_big("h_cp.xml", "", "<Comment>", "\x80", 20 << 20, "</Comment>"),
              "{\"encoding\": \"windows-1252\"}", 11, "4194304");
}

TEST(a_smaller_limit_cuts_sooner)
{
    check_big(write_big("h_small.xml", "", "<Comment>", "A", 20 << 20, "</Comment>"),
              "{\"max_record_bytes\": 1024}", 11, "1024");
    check_big(write_big("h_max.xml", "", "<Comment>", "A", 20 << 20, "</Comment>"),
              "{\"max_record_bytes\": 8388608}", 11, "8388608");
    /* a text just under the limit is read whole */
    const char *path = write_big("h_under.xml", "", "<Comment>", "A", 900, "</Comment>");
    char *t = transcript(path, "{\"max_record_bytes\": 1024}");
    CHECK(strstr(t, "\n8-11: Id=1-B|Comment=AAAA") != NULL);
    free(t);
    unlink(path);
}

TEST(a_huge_utf16_field_is_cut_after_transcoding)
{
    struct buf x = BUF_INIT(0);
    buf_addstr(&x, "\xFF\xFE");
    const char *head = "<SiebelMessage>\n<ListOfContact>\n<Contact><Id>1-A</Id><Comment>";
    const char *tail = "</Comment></Contact>\n<Contact><Id>1-B</Id></Contact>\n"
                       "</ListOfContact>\n</SiebelMessage>\n";
    for (const char *p = head; *p; p++)
        buf_add(&x, (char[]){ *p, 0 }, 2);
    for (int i = 0; i < 20000; i++)
        buf_add(&x, "\xe4\x00", 2);      /* ä */
    for (const char *p = tail; *p; p++)
        buf_add(&x, (char[]){ *p, 0 }, 2);
    char *t = transcript(write_tmp("h16.xml", x.data, x.len), "{\"max_record_bytes\": 1024}");
    CHECK_STR(t, "R3: <Comment> over max_record_bytes (1024 bytes of text and field "
                 "names)\n4: Id=1-B\n");
    free(t);
    buf_free(&x);
    unlink(tmp_path("h16.xml"));
}

TEST(huge_blanks_attributes_and_comments_are_cut_and_read_past)
{
    /* between records: not in one, nothing rejected */
    const char *path = tmp_path("h_blank.xml");
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs("<SiebelMessage>\n<ListOfContact>\n<Contact><Id>1-A</Id></Contact>", f);
        put_repeated(f, " \n", 20 << 20);
        fputs("<Contact><Id>1-B</Id></Contact>\n</ListOfContact>\n</SiebelMessage>\n", f);
        fclose(f);
    }
    char *t = transcript(path, NULL);
    struct buf want = BUF_INIT(0);
    buf_printf(&want, "3: Id=1-A\n%ld: Id=1-B\n", 3L + (10 << 20));
    CHECK_STR(t, want.data);
    free(t);
    unlink(path);
    /* in a record: attribute values are no data; a comment is no text */
    path = tmp_path("h_attr.xml");
    f = big_open(path, "", "<Comment Note=\"");
    if (f) {
        put_repeated(f, "A\n", 20 << 20);
        fputs("\">short<!--", f);
        put_repeated(f, "B\n", 20 << 20);
        big_close(f, "--></Comment>");
    }
    t = transcript(path, NULL);
    long end = 11 + (20 << 20);          /* 10M line breaks in each */
    buf_reset(&want);
    buf_printf(&want, "4-7: Id=1-A|LastName=Before\n8-%ld: Id=1-B|Comment=short\n"
                      "%ld-%ld: Id=1-C|LastName=After\n", end, end + 1, end + 4);
    CHECK_STR(t, want.data);
    free(t);
    /* a comment never closed: a break, on the file's last line */
    f = big_open(path, "", "<!--");
    if (f) {
        put_repeated(f, "B\n", 20 << 20);
        fclose(f);
    }
    t = transcript(path, NULL);
    buf_reset(&want);
    buf_printf(&want, "4-7: Id=1-A|LastName=Before\nR%ld: not well formed: Comment not "
                      "terminated \xe2\x80\x94 the rest of the file was not read\n",
               10L + (10 << 20));
    CHECK_STR(t, want.data);
    free(t);
    buf_free(&want);
    unlink(path);
}

TEST(an_encoding_the_cut_does_not_know_is_read_uncut)
{
    /* Shift_JIS: multi-byte, so not cut; a small export reads as before */
    static const char sjis[] = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n"
                               "<SiebelMessage><ListOfContact><Contact><Id>1</Id>"
                               "<LastName>\x93\xfa\x96\x7b</LastName></Contact>"
                               "</ListOfContact></SiebelMessage>\n";
    char *t = transcript(write_tmp("sjis.xml", sjis, sizeof sjis - 1), NULL);
    CHECK_STR(t, "2: Id=1|LastName=日本\n");
    free(t);
    unlink(tmp_path("sjis.xml"));
}

TEST(options_are_checked)
{
    char *t = transcript(FX "contacts.xml", "{\"record_path\": \"/SiebelMessage/Contact\"}");
    CHECK_STR(t, "OPEN: sources[0].record_path: \"/SiebelMessage/Contact\" is not an "
                 "element path relative to the root element, such as "
                 "\"ListOfContact/Contact\"");
    free(t);
    t = transcript(FX "contacts.xml", "{\"record_path\": \"ListOfContact//Contact\"}");
    CHECK(strstr(t, "sources[0].record_path: \"ListOfContact//Contact\" is not") != NULL);
    free(t);
    t = transcript(FX "contacts.xml", "{\"max_depth\": 3}");
    CHECK_STR(t, "OPEN: sources[0].max_depth: must be between 4 (the record path and its "
                 "fields) and 256");
    free(t);
    t = transcript(FX "contacts.xml", "{\"max_record_bytes\": 10}");
    CHECK_STR(t, "OPEN: sources[0].max_record_bytes: must be between 1024 and 8388608 "
                 "(below libxml2's limit of 10000000 bytes of one text)");
    free(t);
    t = transcript(FX "contacts.xml", "{\"max_record_bytes\": 8388609}");
    CHECK(strstr(t, "must be between 1024 and 8388608") != NULL);
    free(t);
    t = transcript(FX "contacts.xml", "{\"max_depth\": \"64\"}");
    CHECK_STR(t, "OPEN: sources[0].max_depth: must be an integer, not a string");
    free(t);
    t = transcript(FX "contacts.xml", "{\"encoding\": \"klingon\"}");
    CHECK_STR(t, "OPEN: sources[0].encoding: unknown encoding \"klingon\"");
    free(t);
}

TEST(encoding_is_declared_or_configured)
{
    /* declared: libxml2 decodes */
    static const char latin[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                                "<SiebelMessage><ListOfContact><Contact><Id>1</Id>"
                                "<LastName>M\xfcller</LastName></Contact></ListOfContact>"
                                "</SiebelMessage>\n";
    char *t = transcript(write_tmp("latin.xml", latin, sizeof latin - 1), NULL);
    CHECK_STR(t, "2: Id=1|LastName=Müller\n");
    free(t);
    /* undeclared legacy bytes: not UTF-8, a break; unless the source names its code page */
    static const char cp[] = "<SiebelMessage><ListOfContact><Contact><Id>1</Id>"
                             "<LastName>M\xfcller \x80</LastName></Contact></ListOfContact>"
                             "</SiebelMessage>\n";
    const char *path = write_tmp("cp1252.xml", cp, sizeof cp - 1);
    t = transcript(path, NULL);
    CHECK_STR(t, "R1: not well formed: Input is not proper UTF-8, indicate encoding ! "
                 "Bytes: 0xFC 0x6C 0x6C 0x65 \xe2\x80\x94 the rest of the file was not read\n");
    free(t);
    t = transcript(path, "{\"encoding\": \"windows-1252\"}");
    CHECK_STR(t, "1: Id=1|LastName=Müller \xe2\x82\xac\n");
    free(t);
    unlink(tmp_path("latin.xml"));
    unlink(tmp_path("cp1252.xml"));
}

/* ---- the layouts ------------------------------------------------------------------ */

static struct mapping *load(const char *path)
{
    struct mapping *m = NULL;
    char err[CM_ERRBUF] = "";
    if (mapping_load(path, &m, err) != CM_OK)
        fprintf(stderr, "mapping_load(%s): %s\n", path, err);
    return m;
}

TEST(siebel_xml_layout_maps_a_contact)
{
    struct mapping *m = load("schemas/siebel_xml.json");
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK_STR(mapping_connector(m), "siebel_xml");
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF] = "";
    CHECK_INT(rd_open(&r, FX "contacts.xml", NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    memset(&c, 0, sizeof c);
    CHECK_INT(mapping_apply(m, "siebel", &rec, &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, "1-2AB3C");
    CHECK_INT(c.source_key_derived, 0);
    CHECK_STR(c.given_name, "Jürgen");
    CHECK_STR(c.middle_name, NULL);
    CHECK_STR(c.family_name, "Müller");
    CHECK_STR(c.company, "Müller & Söhne GmbH");
    CHECK_STR(c.title, "Geschäftsführer");
    CHECK_STR(c.created, "2019-03-07T14:30:00");
    CHECK_STR(c.source_updated, "2019-03-08T09:15:00");
    CHECK_INT(c.nemails, 1);
    CHECK_STR(c.emails[0], "juergen.mueller@mueller-soehne.example");
    CHECK_INT(c.nphones, 2);
    CHECK_INT(c.phones[0].type, PHONE_WORK);
    CHECK_STR(c.phones[0].number, "+4930123456");
    CHECK_INT(c.phones[1].type, PHONE_MOBILE);
    CHECK_STR(c.phones[1].number, "+491701234567");
    CHECK_INT(c.naddresses, 2);
    CHECK_STR(c.addresses[0].type, "home");
    CHECK_INT(c.addresses[0].nlines, 2);
    CHECK_STR(c.addresses[0].lines[0], "Hauptstraße 12");
    CHECK_STR(c.addresses[0].lines[1], "Hinterhaus");
    CHECK_STR(c.addresses[0].city, "Berlin");
    CHECK_STR(c.addresses[0].region, "BE");
    CHECK_STR(c.addresses[0].postal_code, "10115");
    CHECK_STR(c.addresses[0].country, "Germany");
    CHECK_STR(c.addresses[1].city, "Potsdam");
    CHECK_INT(c.nextra, 1);
    CHECK_STR(contact_extra(&c, "PersonUId"), "1-2AB3C");

    /* 1-2AB3D: US phones as bare digits, the alternate phone typed other */
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    arena_reset(&a);
    memset(&c, 0, sizeof c);
    CHECK_INT(mapping_apply(m, "siebel", &rec, &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, "1-2AB3D");
    CHECK_STR(c.created, "2020-11-30T08:05:00");
    CHECK_INT(c.nphones, 4);
    CHECK_STR(c.phones[2].number, "2125550135");
    CHECK_INT(c.phones[2].type, PHONE_FAX);
    CHECK_STR(c.phones[3].number, "2125550111");
    CHECK_INT(c.phones[3].type, PHONE_OTHER);
    CHECK_STR(contact_extra(&c, "Contact_AlternatePhone.AlternatePhoneType"), "Assistant");

    /* 1+AB+3CD: the EIM-style ROW_ID is kept byte for byte */
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    arena_reset(&a);
    memset(&c, 0, sizeof c);
    CHECK_INT(mapping_apply(m, "siebel", &rec, &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, "1+AB+3CD");
    CHECK_STR(c.given_name, "Zoë");
    CHECK_STR(c.phones[0].number, "+420221234567");
    CHECK_INT(c.naddresses, 0);
    rd_close(&r);

    /* no Id: no key, and none is derived */
    static const char xml[] = "<SiebelMessage><ListOfContact><Contact><FirstName>Ann"
                              "</FirstName><LastName>Cole</LastName></Contact>"
                              "</ListOfContact></SiebelMessage>";
    CHECK_INT(rd_open(&r, write_tmp("noid.xml", xml, sizeof xml - 1), NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    arena_reset(&a);
    memset(&c, 0, sizeof c);
    CHECK_INT(mapping_apply(m, "siebel", &rec, &a, &c, err), CM_ERR_INPUT);
    CHECK(err[0] != '\0');
    rd_close(&r);
    unlink(tmp_path("noid.xml"));

    arena_free(&a);
    mapping_free(m);
}

TEST(siebel_eim_layout_maps_an_eim_contact_row)
{
    struct mapping *m = load("schemas/siebel_eim.json");
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK_STR(mapping_connector(m), "csv");
    struct reader r;
    struct raw_record rec;
    struct reject rej;
    struct arena a = ARENA_INIT;
    struct contact c;
    char err[CM_ERRBUF] = "";
    CHECK_INT(rd_open_with(&r, &csv_connector, FX "eim_contact.csv", NULL), CM_OK);
    CHECK_INT(rd_next(&r, &rec, &rej), CONN_RECORD);
    memset(&c, 0, sizeof c);
    CHECK_INT(mapping_apply(m, "siebel_eim", &rec, &a, &c, err), CM_OK);
    CHECK_STR(c.source_key, "1-2AB3C");
    CHECK_STR(c.prefix, "Herr");
    CHECK_STR(c.given_name, "Jürgen");
    CHECK_STR(c.middle_name, NULL);
    CHECK_STR(c.family_name, "Müller");
    CHECK_STR(c.title, "Geschäftsführer");
    CHECK_INT(c.nemails, 1);
    CHECK_STR(c.emails[0], "juergen.mueller@mueller-soehne.example");
    CHECK_INT(c.nphones, 2);
    CHECK_INT(c.phones[0].type, PHONE_WORK);
    CHECK_STR(c.phones[0].number, "+4930123456 000 000000");
    CHECK_INT(c.phones[1].type, PHONE_MOBILE);
    CHECK_STR(c.created, NULL);
    /* the interface row's columns and the organization stay in extra */
    CHECK_STR(contact_extra(&c, "ROW_ID"), "1+EIM+1");
    CHECK_STR(contact_extra(&c, "IF_ROW_BATCH_NUM"), "100");
    CHECK_STR(contact_extra(&c, "IF_ROW_STAT"), "EXPORTED");
    CHECK_STR(contact_extra(&c, "CON_BU"), "Default Organization");
    CHECK_STR(c.birth_date, "1971-07-12");                /* CON_BIRTH_DT */
    CHECK_STR(contact_extra(&c, "CON_BIRTH_DT"), NULL);
    CHECK_STR(contact_extra(&c, "CREATED"), "07-MAR-19");
    CHECK_STR(contact_extra(&c, "LAST_UPD"), "08-MAR-19");
    CHECK_INT(c.nextra, 6);
    rd_close(&r);
    arena_free(&a);
    mapping_free(m);
}

int main(void)
{
    RUN(contacts_become_records_named_by_tag);
    RUN(primary_child_is_number_one_and_comes_first);
    RUN(names_stay_put_while_records_add_no_new_field);
    RUN(describe_names_the_message_and_the_record_path);
    RUN(wrong_record_path_is_an_error_not_an_empty_source);
    RUN(other_elements_among_the_records_are_rejected);
    RUN(phone_masks_are_cut_only_in_phone_fields);
    RUN(repeated_and_nested_elements_are_numbered);
    RUN(lines_of_a_one_line_document);
    RUN(gzip_and_utf16_exports_are_read);
    RUN(a_break_midway_keeps_the_records_before_it);
    RUN(a_break_in_a_large_file_keeps_every_complete_record);
    RUN(not_xml_fails_at_open);
    RUN(external_entities_are_refused_at_open);
    RUN(entity_expansion_bomb_is_refused_at_open);
    RUN(a_doctype_anywhere_in_the_prolog_is_refused);
    RUN(deep_nesting_is_an_error);
    RUN(a_record_over_max_record_bytes_is_rejected);
    RUN(a_huge_field_rejects_its_record_and_the_rest_is_read);
    RUN(a_huge_cdata_section_is_cut_the_same);
    RUN(line_breaks_in_a_huge_field_keep_later_lines_right);
    RUN(a_huge_field_is_cut_between_characters);
    RUN(a_smaller_limit_cuts_sooner);
    RUN(a_huge_utf16_field_is_cut_after_transcoding);
    RUN(huge_blanks_attributes_and_comments_are_cut_and_read_past);
    RUN(an_encoding_the_cut_does_not_know_is_read_uncut);
    RUN(options_are_checked);
    RUN(encoding_is_declared_or_configured);
    RUN(siebel_xml_layout_maps_a_contact);
    RUN(siebel_eim_layout_maps_an_eim_contact_row);
    return test_report();
}
