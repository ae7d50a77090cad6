/* email.c — email_normalise(): the rules of email.h; IDN domains through libidn2. */
#include "transforms/normalise/email.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include "transforms/normalise/text.h"

#define LOCAL_MAX  64
#define DOMAIN_MAX 255
#define ADDR_MAX   254

const char *const email_role_names[] = {
    "accounts", "admin", "billing", "buchhaltung", "contact", "hello", "hr", "info",
    "jobs", "karriere", "kontakt", "mail", "marketing", "no-reply", "no_reply",
    "noreply", "office", "post", "presse", "press", "sales", "service", "support",
    "team", "vertrieb", "webmaster",
    NULL
};

/* Domains whose provider documents "+tag" delivery (rule 8); gmail's are below. */
static const char *const plus_tag_domains[] = {
    "outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com", "mac.com",
    "protonmail.com", "proton.me", "fastmail.com",
    NULL
};

/* Free-mail providers people hold private addresses at (US, German, European). */
static const char *const freemail_domains[] = {
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.de", "yahoo.co.uk", "yahoo.fr",
    "aol.com", "aol.de", "hotmail.com", "hotmail.de", "hotmail.co.uk", "outlook.com",
    "outlook.de", "live.com", "live.de", "msn.com", "icloud.com", "me.com", "mac.com",
    "comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net", "charter.net",
    "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de",
    "arcor.de", "posteo.de", "mail.de", "online.de", "bluewin.ch", "protonmail.com",
    "proton.me", "orange.fr", "free.fr", "laposte.net", "libero.it", "mail.ru", "yandex.ru",
    NULL
};

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
    while (*len && is_space(**s))
        (*s)++, (*len)--;
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static int is_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* RFC 5322 atext, and UTF-8 beyond ASCII (validated before) */
static int local_char(char ch)
{
    return is_alnum(ch) || (unsigned char)ch >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~", ch);
}

static int local_ok(const char *s, size_t len)
{
    if (len == 0 || len > LOCAL_MAX || s[0] == '.' || s[len - 1] == '.')
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return 0;
        } else if (!local_char(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* An ASCII, lower-case domain: labels, hyphens, a TLD not all digits. */
static int domain_ok(const char *d, size_t len)
{
    if (len == 0 || len > DOMAIN_MAX)
        return 0;
    size_t labels = 0, start = 0;
    int all_digits = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && d[i] != '.') {
            if (!is_alnum(d[i]) && d[i] != '-')
                return 0;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > 63 || d[start] == '-' || d[i - 1] == '-')
            return 0;
        all_digits = strspn(d + start, "0123456789") >= n;
        labels++;
        start = i + 1;
    }
    return labels >= 2 && !all_digits;
}

static int in_list(const char *s, size_t len, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
            return 1;
    return 0;
}

unsigned email_normalise(const char *raw, unsigned options, struct buf *out)
{
    if (!raw)
        raw = "";
    size_t len = strlen(raw);
    if (len > EMAIL_MAX_RAW || !text_valid_utf8(raw, len))
        return EMAIL_INVALID;
    const char *s = raw;
    trim(&s, &len);
    if (len == 0)
        return EMAIL_EMPTY;

    /* rule 3: display name, angle brackets, mailto: */
    if (s[len - 1] == '>') {
        const char *lt = NULL;
        for (size_t i = 0; i < len; i++)
            if (s[i] == '<')
                lt = s + i;
        if (!lt)
            return EMAIL_INVALID;
        len = (size_t)(s + len - 1 - (lt + 1));
        s = lt + 1;
        trim(&s, &len);
    }
    if (len >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
        s += 7, len -= 7;
        const char *q = memchr(s, '?', len);
        if (q)
            len = (size_t)(q - s);
        trim(&s, &len);
    }
    if (len == 0)
        return EMAIL_INVALID;

    /* rule 4: one "@", the local part */
    const char *at = memchr(s, '@', len);
    if (!at || memchr(at + 1, '@', len - (size_t)(at + 1 - s)))
        return EMAIL_INVALID;
    const char *local = s, *dom = at + 1;
    size_t local_len = (size_t)(at - s), dom_len = len - local_len - 1;
    if (!local_ok(local, local_len) || dom_len == 0 || dom_len > DOMAIN_MAX)
        return EMAIL_INVALID;

    /* rule 5: the domain, lower case, ASCII */
    char dbuf[DOMAIN_MAX + 1];
    int ascii = 1;
    for (size_t i = 0; i < dom_len; i++) {
        if ((unsigned char)dom[i] >= 0x80)
            ascii = 0;
        dbuf[i] = lower(dom[i]);
    }
    dbuf[dom_len] = '\0';
    if (!ascii) {
        char *a = NULL;
        if (idn2_to_ascii_8z(dbuf, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
            idn2_free(a);
            return EMAIL_INVALID;
        }
        size_t alen = strlen(a);
        if (alen > DOMAIN_MAX) {
            idn2_free(a);
            return EMAIL_INVALID;
        }
        memcpy(dbuf, a, alen + 1);
        idn2_free(a);
        for (size_t i = 0; i < alen; i++)
            dbuf[i] = lower(dbuf[i]);
        dom_len = alen;
    }
    if (!domain_ok(dbuf, dom_len))
        return EMAIL_INVALID;

    /* rule 6: the local part's ASCII letters lower-cased */
    char lbuf[LOCAL_MAX + 1];
    for (size_t i = 0; i < local_len; i++)
        lbuf[i] = lower(local[i]);
    lbuf[local_len] = '\0';
    if (local_len + 1 + dom_len > ADDR_MAX)
        return EMAIL_INVALID;

    unsigned flags = 0;
    const char *plus = local_len > 1 ? memchr(lbuf + 1, '+', local_len - 1) : NULL;
    size_t base_len = plus ? (size_t)(plus - lbuf) : local_len;
    if (in_list(lbuf, base_len, email_role_names))
        flags |= EMAIL_ROLE;
    if (in_list(dbuf, dom_len, freemail_domains))
        flags |= EMAIL_FREEMAIL;

    /* rule 8 */
    if (options & EMAIL_PROVIDER_RULES) {
        int gmail = strcmp(dbuf, "gmail.com") == 0 || strcmp(dbuf, "googlemail.com") == 0;
        if (gmail || in_list(dbuf, dom_len, plus_tag_domains)) {
            size_t n = 0;
            for (size_t i = 0; i < base_len; i++)
                if (!(gmail && lbuf[i] == '.'))
                    lbuf[n++] = lbuf[i];
            if (n > 0 && n != local_len) {
                lbuf[n] = '\0';
                local_len = n;
                flags |= EMAIL_PROVIDER_RULES;
            }
        }
        if (gmail && strcmp(dbuf, "googlemail.com") == 0) {
            strcpy(dbuf, "gmail.com");
            dom_len = strlen(dbuf);
            flags |= EMAIL_PROVIDER_RULES;
        }
    }

    size_t before = out->len;
    if (buf_add(out, lbuf, local_len) || buf_addch(out, '@') || buf_add(out, dbuf, dom_len)) {
        out->len = before;
        if (out->data)
            out->data[before] = '\0';
        return EMAIL_INVALID | EMAIL_NOMEM;
    }
    return flags;
}
