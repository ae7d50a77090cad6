/* strsim.c — Jaro–Winkler and single-slip tests (see strsim.h). */
#include "transforms/match/strsim.h"

#include <string.h>

#define JW_MAX 64

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
    size_t longer = alen > blen ? alen : blen;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    unsigned char amatch[JW_MAX] = { 0 }, bmatch[JW_MAX] = { 0 };
    size_t matches = 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < blen ? i + window + 1 : blen;
        for (size_t j = lo; j < hi; j++) {
            if (!bmatch[j] && a[i] == b[j]) {
                amatch[i] = bmatch[j] = 1;
                matches++;
                break;
            }
        }
    }
    if (matches == 0)
        return 0.0;
    size_t transpositions = 0, j = 0;
    for (size_t i = 0; i < alen; i++) {
        if (!amatch[i])
            continue;
        while (!bmatch[j])
            j++;
        if (a[i] != b[j])
            transpositions++;
        j++;
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
