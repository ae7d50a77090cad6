/* country.h — country text to ISO 3166-1 alpha-2, for address normalisation (issue 6).
 *
 * The names live in data, schemas/countries.tsv (its header states the format and the
 * sources): per country the alpha-2 and alpha-3 codes, the English, German and French
 * names and the variants CRM users type ("BRD", "U.S.A.", "Holland", the old car codes
 * "D", "A", "CH", "FIN", "IRL"). Text is matched through text_fold (transforms/normalise/text.h),
 * German and plain, so case, diacritics, punctuation and spacing do not matter:
 * "Österreich", "OESTERREICH", "osterreich" and "Autriche" are all "AT". A 2-letter text
 * that is an alpha-2 code is that country (the loader refuses a name that would mean
 * another). England, Scotland, Wales and Northern Ireland are "GB".
 *
 * Who calls it: transforms/normalise/address.c (address_normalise). Unknown text is NULL: the
 * caller flags it, nothing is guessed. */
#ifndef CM_COUNTRY_H
#define CM_COUNTRY_H

#include <stddef.h>
#include "pipeline/status.h"

struct countries;

/* Load the table; path NULL means <schemas_dir()>/countries.tsv. Errors name the file
 * and line ("countries.tsv:12: \"Holland\" also names NL (line 160)"). */
enum cm_status countries_load(const char *path, struct countries **out, char *err);
void countries_free(struct countries *c);

/* The alpha-2 code ("DE") of the country text names, or NULL when the text names no
 * country (or is empty or invalid UTF-8). The string is owned by c. */
const char *country_code(const struct countries *c, const char *text);

/* The alpha-3 code of an alpha-2 code ("DE" -> "DEU"), NULL if it is not in the table. */
const char *country_alpha3(const struct countries *c, const char *alpha2);

/* How many countries the table holds (249 for the shipped file). */
size_t countries_count(const struct countries *c);

#endif
