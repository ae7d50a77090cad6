/* strsim.h — string similarity for the matcher's comparisons: Jaro–Winkler on folded
 * keys (bytes; the normalisers have already folded case, marks and punctuation). */
#ifndef CM_STRSIM_H
#define CM_STRSIM_H

#include <stddef.h>

/* Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4); 1 for equal
 * strings, 0 when either is empty. Only the first 64 bytes of each are compared. */
double jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/* 1 when a and b (same length) differ in exactly one position or by one swap of two
 * adjacent characters: the typing slips of a date or postal code. */
int one_slip(const char *a, const char *b, size_t len);

#endif
