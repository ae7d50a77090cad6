/* test_pg_copy.c — COPY text escaping: the one function every loaded value passes. */
#include "connectors/pg/pg_copy.h"
#include "testlib.h"

static struct buf b = BUF_INIT(0);

static const char *escaped(const char *s, size_t len)
{
    buf_reset(&b);
    if (copy_escape(&b, s, len) != CM_OK)
        return "(refused)";
    return b.data ? b.data : "";
}

TEST(escapes_the_four_specials)
{
    CHECK_STR(escaped("plain", 5), "plain");
    CHECK_STR(escaped("a\tb", 3), "a\\tb");
    CHECK_STR(escaped("line one\r\nline two", 18), "line one\\r\\nline two");
    CHECK_STR(escaped("C:\\temp", 7), "C:\\\\temp");
    CHECK_STR(escaped("\\N", 2), "\\\\N");          /* the text \N is not NULL */
    CHECK_STR(escaped("Müller €", strlen("Müller €")), "Müller €");
    CHECK_STR(escaped("", 0), "");
}

TEST(refuses_nul_bytes)
{
    CHECK_STR(escaped("a\0b", 3), "(refused)");
}

int main(void)
{
    RUN(escapes_the_four_specials);
    RUN(refuses_nul_bytes);
    buf_free(&b);
    return test_report();
}
