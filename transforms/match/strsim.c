/* strsim.c — Jaro–Winkler and single-slip tests (see strsim.h). */
#include "transforms/match/strsim.h"

#include <stdint.h>
#include <string.h>

#define JW_MAX 64

/* Jaro–Winkler with bit sets: for each character of b the positions it holds, so a
 * character of a finds its first unused match inside the window with a few bit
 * operations (the matcher calls this tens of millions of times). */
double jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > JW_MAX)
        alen = JW_MAX;
    if (blen > JW_MAX)
        blen = JW_MAX;
    if (alen == 0 || blen == 0)
        return 0.0;
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1.0;
    uint64_t pos[256];           /* set only where a or b has the character */
    for (size_t i = 0; i < alen; i++)
        pos[(unsigned char)a[i]] = 0;
    for (size_t j = 0; j < blen; j++)
        pos[(unsigned char)b[j]] = 0;
    for (size_t j = 0; j < blen; j++)
        pos[(unsigned char)b[j]] |= 1ull << j;
    size_t longer = alen > blen ? alen : blen;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    uint64_t bused = 0, aused = 0;
    size_t matches = 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char ch = (unsigned char)a[i];
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < blen ? i + window + 1 : blen;
        uint64_t win = (hi >= 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
        uint64_t cand = pos[ch] & win & ~bused;
        if (cand) {
            bused |= cand & -cand;
            aused |= 1ull << i;
            matches++;
        }
    }
    if (matches == 0)
        return 0.0;
    size_t transpositions = 0;
    uint64_t x = aused, y = bused;
    while (x) {
        int i = __builtin_ctzll(x), j = __builtin_ctzll(y);
        if (a[i] != b[j])
            transpositions++;
        x &= x - 1;
        y &= y - 1;
    }
    double m = (double)matches;
    double jaro = (m / (double)alen + m / (double)blen + (m - (double)transpositions / 2.0) / m)
                  / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

int one_slip(const char *a, const char *b, size_t len)
{
    size_t first = len, diffs = 0;
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            if (first == len)
                first = i;
            diffs++;
        }
    }
    if (diffs == 1)
        return 1;
    return diffs == 2 && first + 1 < len && a[first] == b[first + 1] &&
           a[first + 1] == b[first];
}
