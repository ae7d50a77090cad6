/* test_xmlcut.c — the cut of oversize texts in an XML byte stream (connectors/formats/xmlcut.c).
 * Every case is filtered several times, the input and the output room parted
 * differently (one byte at a time up to whole): the output must not depend on how the
 * bytes arrive. Small caps keep the cases readable: a cut passes the cap, then up to
 * XMLCUT_REF_MAX (32) bytes while it waits for a reference to end. */
#include <libxml/parser.h>
#include <stdlib.h>

#include "connectors/formats/xmlcut.h"
#include "pipeline/buf.h"
#include "tests/unit/testlib.h"

/* the marker after a text cut: N line breaks dropped, then one more (or a blank) */
#define MARK0 "<!--M text 0--> "
#define MARK(n) "<!--M text " #n "-->\n"
#define LINES(n) "<!--M lines " #n "-->"

/* in filtered with input pieces of `piece` bytes and an output room of `room` */
static char *filter_by(const char *in, size_t n, size_t cap, const unsigned char *widths,
                       size_t piece, size_t room, unsigned long long *cuts)
{
    struct xmlcut c;
    struct buf out = BUF_INIT(0);
    char *o = malloc(room);
    xmlcut_init(&c, cap, "M", widths);
    for (size_t off = 0; off < n;) {
        size_t k = n - off < piece ? n - off : piece, used;
        while (k) {
            size_t w = xmlcut_filter(&c, in + off, k, &used, o, room);
            buf_add(&out, o, w);
            off += used;
            k -= used;
        }
    }
    for (size_t w; (w = xmlcut_finish(&c, o, room)) > 0;)
        buf_add(&out, o, w);
    free(o);
    if (cuts)
        *cuts = xmlcut_cuts(&c);
    buf_addch(&out, '\0');
    return buf_detach(&out, NULL);
}

/* in filtered whole, and the same bytes parted every which way must give the same */
static char *filter_w(const char *in, size_t n, size_t cap, const unsigned char *widths)
{
    static const size_t pieces[][2] = { { 1, 1 }, { 1, 4096 }, { 3, 2 }, { 7, 5 },
                                        { 4096, 1 }, { 64, 64 } };
    char *want = filter_by(in, n, cap, widths, n ? n : 1, 1 << 20, NULL);
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        char *got = filter_by(in, n, cap, widths, pieces[i][0], pieces[i][1], NULL);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "pieces %zu/%zu differ\n", pieces[i][0], pieces[i][1]);
            CHECK_STR(got, want);
        }
        free(got);
    }
    return want;
}

static char *filter(const char *in, size_t cap)
{
    return filter_w(in, strlen(in), cap, NULL);
}

static char *rep(const char *s, int n)
{
    struct buf b = BUF_INIT(0);
    for (int i = 0; i < n; i++)
        buf_addstr(&b, s);
    buf_addch(&b, '\0');
    return buf_detach(&b, NULL);
}

/* a printf into a fresh string */
static char *fmt(const char *f, const char *a, const char *b, const char *c)
{
    struct buf x = BUF_INIT(0);
    buf_printf(&x, f, a, b ? b : "", c ? c : "");
    buf_addch(&x, '\0');
    return buf_detach(&x, NULL);
}

static void check_filter(const char *in, size_t cap, const char *want)
{
    char *got = filter(in, cap);
    CHECK_STR(got, want);
    free(got);
}

TEST(what_is_under_the_cap_passes_unchanged)
{
    FILE *f = fopen("tests/fixtures/siebel/contacts.xml", "rb");
    static char data[16384];
    size_t n = f ? fread(data, 1, sizeof data - 1, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 2000);
    data[n] = '\0';
    check_filter(data, 1024, data);
    static const char misc[] =
        "<?xml version=\"1.0\"?>\n<!-- a <comment> -->\n<?pi <data>?>\n<r a='>' b=\"<\">"
        "x &amp; y<![CDATA[<b>]]]]>z<!---->\n<e/><f g=\"h\"/></r>\n";
    check_filter(misc, 1024, misc);
    char *x = rep("<t>abc</t>", 1000);        /* a long stretch of short tags */
    check_filter(x, 16, x);
    free(x);
}

TEST(a_text_run_is_cut_at_the_cap_and_marked)
{
    char *x = rep("x", 100), *in, *want;
    /* the cap (8), then 32 bytes waiting for a reference to end, then the cut */
    in = fmt("<a>%s</a>\n<b/>", x, NULL, NULL);
    want = fmt("<a>%.40s" MARK0 "</a>\n<b/>", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    /* a little over the cap: the run ends before the cut */
    check_filter("<a>xxxxxxxxxxxxxxx</a>", 8, "<a>xxxxxxxxxxxxxxx</a>");
    /* not inside a reference: before a '&' or just after a ';' */
    check_filter("<a>xxxxxxxxxx&amp;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</a>", 8,
                 "<a>xxxxxxxxxx" MARK0 "</a>");
    check_filter("<a>xxxxxx&#233;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</a>", 8,
                 "<a>xxxxxx&#233;" MARK0 "</a>");
    /* the run goes on through CDATA sections: they are one text node; after the
     * marker, text is a new one */
    check_filter("<a>xxxx<![CDATA[yyyyyyyyyyyy]]>z</a>", 8,
                 "<a>xxxx<![CDATA[yyyy]]>" MARK0 "z</a>");
    /* the end of the input ends the run */
    in = fmt("<a>%s", x, NULL, NULL);
    want = fmt("<a>%.40s" MARK0, x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    free(x);
}

TEST(the_marker_counts_the_line_breaks_cut)
{
    char *x = rep("x", 60), *in, *want;
    /* the last as text: the text node before </a> is made on its line */
    in = fmt("<a>%s\n\nyy\nyy</a>\n<b/>", x, NULL, NULL);
    want = fmt("<a>%.40s" MARK(2) "</a>\n<b/>", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    check_filter("<a>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nyy</a>", 8,
                 "<a>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" MARK(0) "</a>");
    /* however many: the marker costs the parser nothing more */
    char *nl = rep("\n", 1000000);
    in = fmt("<a>%s%s</a>", x, nl, NULL);
    want = fmt("<a>%.40s" MARK(999999) "</a>", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    free(nl);
    free(x);
}

TEST(a_cdata_section_is_closed_at_the_cut)
{
    char *x = rep("x", 100), *in, *want;
    in = fmt("<a><![CDATA[%s\n]]>after\n</a>", x, NULL, NULL);
    want = fmt("<a><![CDATA[%.8s]]>" MARK(0) "after\n</a>", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    /* "]]" at the cut: still one end */
    check_filter("<a><![CDATA[xxxxxxx]]]]]]]>t</a>", 8, "<a><![CDATA[xxxxxxx]]]>" MARK0 "t</a>");
    free(x);
}

TEST(a_cut_is_at_a_character_boundary)
{
    char *a = rep("\xc3\xa4", 100), *in, *want;    /* ä: two bytes */
    in = fmt("<a><![CDATA[%s]]></a>", a, NULL, NULL);
    /* 9 bytes reach the cap; the 10th ends the fifth ä */
    want = fmt("<a><![CDATA[%.10s]]>" MARK0 "</a>", a, NULL, NULL);
    check_filter(in, 9, want);
    free(in);
    free(want);
    char *e = rep("\xe2\x82\xac", 100);             /* €: three bytes */
    in = fmt("<a>%s</a>", e, NULL, NULL);
    want = fmt("<a>%.42s" MARK0 "</a>", e, NULL, NULL);   /* 8 + 32, then to the end of € */
    check_filter(in, 8, want);
    free(in);
    free(want);
    free(e);
    free(a);
}

TEST(a_single_byte_page_weighs_each_byte_as_its_utf8)
{
    unsigned char w[256];
    for (int b = 0; b < 256; b++)
        w[b] = b < 0x80 ? 1 : 2;                     /* latin1 */
    char *hi = rep("\xe4", 100), *in, *want;
    in = fmt("<a><![CDATA[%s]]></a>", hi, NULL, NULL);
    want = fmt("<a><![CDATA[%.4s]]>" MARK0 "</a>", hi, NULL, NULL);   /* 4 x 2 = 8 */
    char *got = filter_w(in, strlen(in), 8, w);
    CHECK_STR(got, want);
    free(got);
    free(in);
    free(want);
    free(hi);
}

TEST(attribute_values_are_cut_without_a_marker)
{
    char *x = rep("x", 100), *in, *want;
    in = fmt("<a b=\"%s\" c='yy' d=\"\">t</a>\n", x, NULL, NULL);
    /* the tag's values together: b is cut, c and d are over already */
    want = fmt("<a b=\"%.40s\" c='' d=\"\">t</a>\n", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    /* line breaks cut: told after the tag */
    in = fmt("<a b=\"%s\n\" c='\n'>t</a>\n", x, NULL, NULL);
    want = fmt("<a b=\"%.40s\" c=''>" LINES(2) "t</a>\n", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    /* '>' in a value is no end of the tag */
    check_filter("<a b='>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>'>t</a>", 8,
                 "<a b='>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>'>t</a>");
    free(x);
}

TEST(comments_and_pis_are_cut_and_ended)
{
    char *x = rep("x", 100), *in, *want;
    in = fmt("<r><!--%s\n-->\n<a>t</a><?pi %s\n\n?><!--%s--></r>", x, x, x);
    want = fmt("<r><!--%.8s -->" LINES(1) "\n<a>t</a><?pi %.5s ?>" LINES(2) "<!--%.8s --></r>",
               x, x, x);
    check_filter(in, 8, want);
    free(in);
    free(want);
    /* a '-' at the cut does not make "--->" */
    check_filter("<r><!--xxxxxxx-------------x--></r>", 8, "<r><!--xxxxxxx- --></r>");
    /* cut short by the end: ended for the marker, opened again for the parser */
    in = fmt("<r><!--%s\n\n", x, NULL, NULL);
    want = fmt("<r><!--%.8s -->" LINES(2) "<!--", x, NULL, NULL);
    check_filter(in, 8, want);
    free(in);
    free(want);
    free(x);
}

TEST(cuts_are_counted)
{
    unsigned long long cuts = 0;
    char *x = rep("x", 100), *in;
    in = fmt("<a>%s</a><b c='%s'/><!--%s-->", x, x, x);
    free(filter_by(in, strlen(in), 8, NULL, 5, 7, &cuts));
    CHECK_INT(cuts, 3);
    free(in);
    free(x);
}

/* a document of random pieces: whatever is cut, the markers account for every line
 * break dropped */
TEST(random_documents_keep_their_lines)
{
    static const char *const bits[] = {
        "<a>", "</a>", "<b x='1'>", "</b>", "<c/>", "text", "\n", "&amp;", "&#233;",
        "\xc3\xa4", "\xe2\x82\xac", "<![CDATA[", "]]>", "<!--", "-->", "<?p ", "?>",
        " y=\"v\n\"", "      ", "]", "-", "?", ";"
    };
    srand(7);
    for (int round = 0; round < 40; round++) {
        struct buf d = BUF_INIT(0);
        int state = 0;                  /* 0 content, 1 cdata, 2 comment, 3 pi */
        for (int i = 0; i < 3000; i++) {
            const char *b = bits[rand() % (sizeof bits / sizeof bits[0])];
            if (state == 0 && (!strcmp(b, "]]>") || !strcmp(b, "-->") || !strcmp(b, "?>")))
                continue;
            if (state == 0 && b[0] == ' ' && b[1] == 'y')
                continue;
            if (state != 0 && b[0] == '<' && b[1] != '!' && b[1] != '?')
                continue;
            if (state == 0 && !strcmp(b, "<![CDATA["))
                state = 1;
            else if (state == 0 && !strcmp(b, "<!--"))
                state = 2;
            else if (state == 0 && !strcmp(b, "<?p "))
                state = 3;
            else if ((state == 1 && !strcmp(b, "]]>")) || (state == 2 && !strcmp(b, "-->")) ||
                     (state == 3 && !strcmp(b, "?>")))
                state = 0;
            else if (state != 0 && (b[0] == '<' || b[0] == ']' || b[0] == '-' ||
                                    b[0] == '?' || b[0] == '>'))
                continue;
            for (int r = rand() % 3 == 0 ? 1 + rand() % 40 : 1; r > 0; r--)
                buf_addstr(&d, b);
        }
        buf_addstr(&d, state == 1 ? "]]>" : state == 2 ? "-->" : state == 3 ? "?>" : "");
        size_t cap = 16 + (size_t)(rand() % 200);
        char *got = filter_w(d.data, d.len, cap, NULL);
        size_t nl_in = 0, nl_out = 0;
        for (size_t i = 0; i < d.len; i++)
            nl_in += d.data[i] == '\n';
        for (const char *p = got; *p; p++) {
            nl_out += *p == '\n';
            if (!strncmp(p, "<!--M ", 6))       /* "text N" or "lines N" */
                nl_out += strtoull(p + (p[6] == 't' ? 11 : 12), NULL, 10);
        }
        CHECK_INT(nl_out, nl_in);
        free(got);
        got = filter_w(d.data, d.len, XMLCUT_CAP_MAX, NULL);
        CHECK(strcmp(got, d.data) == 0);
        free(got);
        buf_free(&d);
    }
}

/* ---- random well-formed documents stay well-formed --------------------------------- */

static void random_text(struct buf *d, int raw)
{
    static const char *const text[] = { "x", "text ", "\n", "&amp;", "&#233;", "&#x20AC;",
                                        "\xc3\xa4", "\xe2\x82\xac", "x]", ">", "-", "?", ";" };
    static const char *const markup[] = { "x", "\n", "\xc3\xa4", "<", "&", "y z" };
    for (int i = rand() % 4; i > 0; i--) {
        const char *t = raw ? markup[rand() % 6] : text[rand() % 13];
        for (int r = rand() % 3 == 0 ? 1 + rand() % 60 : 1; r > 0; r--)
            buf_addstr(d, t);
    }
}

static void random_element(struct buf *d, int depth)
{
    buf_printf(d, "<e%d", depth);
    for (int i = rand() % 3; i > 0; i--) {
        buf_printf(d, "%sa%d=\"", rand() % 2 ? " " : "\n ", i);
        random_text(d, 0);
        buf_addch(d, '"');
    }
    if (rand() % 5 == 0) {
        buf_addstr(d, "/>");
        return;
    }
    buf_addch(d, '>');
    for (int i = rand() % 5; i > 0; i--) {
        static const char *const open[] = { "<![CDATA[", "<!--", "<?pi " };
        static const char *const close[] = { "]]>", "-->", "?>" };
        int k = rand() % 6;
        if (k < 2) {
            random_text(d, 0);
        } else if (k == 2) {
            if (depth < 6) {
                buf_addstr(d, "\n ");
                random_element(d, depth + 1);
            }
        } else {
            buf_addstr(d, open[k - 3]);
            random_text(d, 1);
            buf_addstr(d, close[k - 3]);
        }
    }
    buf_printf(d, "</e%d\n>", depth);
}

TEST(random_well_formed_documents_stay_well_formed)
{
    srand(11);
    for (int round = 0; round < 400; round++) {
        struct buf d = BUF_INIT(0);
        buf_addstr(&d, "<?xml version=\"1.0\"?>\n");
        random_element(&d, 0);
        size_t cap = 64 + (size_t)(rand() % 64);
        char *got = filter_by(d.data, d.len, cap, NULL, 1 + (size_t)(rand() % 50),
                              1 + (size_t)(rand() % 50), NULL);
        xmlDocPtr in = xmlReadMemory(d.data, (int)d.len, "in", NULL,
                                     XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        xmlDocPtr out = xmlReadMemory(got, (int)strlen(got), "out", NULL,
                                      XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        CHECK(in != NULL);
        CHECK(out != NULL);
        if (!out)
            fprintf(stderr, "cap %zu:\n%s\n--- filtered to ---\n%s\n", cap, d.data, got);
        xmlFreeDoc(in);
        xmlFreeDoc(out);
        free(got);
        buf_free(&d);
        if (!out)
            break;
    }
}

int main(void)
{
    RUN(what_is_under_the_cap_passes_unchanged);
    RUN(a_text_run_is_cut_at_the_cap_and_marked);
    RUN(the_marker_counts_the_line_breaks_cut);
    RUN(a_cdata_section_is_closed_at_the_cut);
    RUN(a_cut_is_at_a_character_boundary);
    RUN(a_single_byte_page_weighs_each_byte_as_its_utf8);
    RUN(attribute_values_are_cut_without_a_marker);
    RUN(comments_and_pis_are_cut_and_ended);
    RUN(cuts_are_counted);
    RUN(random_documents_keep_their_lines);
    RUN(random_well_formed_documents_stay_well_formed);
    xmlCleanupParser();
    return test_report();
}
