/* address.h — one postal address to comparable keys (issue 6), for the match profile.
 *
 * address_normalise() reads a struct contact_address as the source gave it and fills an
 * address_key:
 *   country      ISO 3166-1 alpha-2 from the address's country text (country.h), else
 *                default_country; text no table knows leaves "" and ADDRESS_COUNTRY_UNKNOWN
 *   street       the street line (the first line that is neither a PO box nor a
 *                "c/o" / "z. Hd." / "Attn" line: lines come in the source's order, the
 *                street first, the layout says so) cut into name and number: the name, folded the German way (text.h) with the common
 *                abbreviations written out: German (DE AT CH LI LU, and unknown countries)
 *                "Str." / "str" / "Straße" -> "strasse", also as a suffix ("Hauptstr." =
 *                "Hauptstraße" = "hauptstrasse"), "Pl." -> "platz"; English (GB US CA AU
 *                NZ IE, and unknown countries) St -> street, Ave -> avenue, Rd, Blvd,
 *                Ln, Dr, Ct, Sq, Pl, Pkwy, Hwy and N/S/E/W/NE/... directions; "St." is
 *                "saint" unless it is the last word ("St. Louis Ave" = "saint louis
 *                avenue", "Main St" = "main street"), "Dr" is "drive" only as the last word
 *   house_number "12a", "12-14", "12/1": the first number after the name ("Hauptstraße
 *                12 a"), or before it in English style ("12 Main Street"); ordinals are
 *                part of the name ("Straße des 17. Juni 114"); what follows the number
 *                ("/ 2. OG", ", Suite 300") is left out. A street line that is only a
 *                number ("6": Febrl's street_number without its street) is the house
 *                number, with no street name
 *   extra        the next line after the street line that is neither a PO box nor a
 *                skipped line: a building, an estate, a locality ("Hinterhaus", "Suite
 *                400", Febrl's address_2 "rosetta village"), folded the German way;
 *                further lines are not kept (a line before the street line is a skipped
 *                or PO box line, so it never becomes extra)
 *   region       the state / province / county as given, folded the German way ("NSW",
 *                "Bayern": no names to codes)
 *   po_box       the number of a "Postfach" / "PO Box" / "Boîte postale" line
 *                (ADDRESS_PO_BOX); "c/o", "z. Hd." and "Attn" lines are skipped
 *   postal_code  checked against the country's pattern and written the standard way
 *                ("1234ab" -> "1234 AB", "sw1a1aa" -> "SW1A 1AA", "D-01067" -> "01067");
 *                a code that does not fit is kept as given (trimmed, upper case) and
 *                flagged ADDRESS_POSTAL_INVALID. A leading zero lost to a spreadsheet
 *                ("1067") is put back only for countries whose codes are 5 digits and
 *                may start with 0 (DE, US, FR, IT, ES; ADDRESS_POSTAL_RESTORED), never
 *                for 4-digit countries. Countries without a pattern: kept, unchecked
 *   city         folded the German way, with the common German short forms written out
 *                ("Frankfurt a. M." = "Frankfurt/Main" = "frankfurt am main", "a. d."
 *                -> "an der", "i." -> "im", "b." -> "bei", "St. Ingbert" -> "sankt
 *                ingbert"; in English-speaking countries "St." is "saint": "St. Louis"
 *                = "Saint Louis"); city_plain is the same folded the plain way. Compare both:
 *                "München" / "Muenchen" meet on city, "München" / "MUNCHEN" on
 *                city_plain.
 * Every key is "" when absent. Keys longer than their buffer are cut (ADDRESS_TOO_LONG). */
#ifndef CM_ADDRESS_H
#define CM_ADDRESS_H

#include "pipeline/contact.h"
#include "transforms/normalise/country.h"

#define ADDRESS_KEY_MAX 256

/* flags */
#define ADDRESS_COUNTRY_UNKNOWN 0x01u  /* a country text no table knows (or none at all) */
#define ADDRESS_POSTAL_INVALID  0x02u  /* does not fit the country's pattern: kept as given */
#define ADDRESS_POSTAL_RESTORED 0x04u  /* leading zero restored (DE 1067 -> 01067) */
#define ADDRESS_PO_BOX          0x08u  /* a PO box line */
#define ADDRESS_NO_NUMBER       0x10u  /* a street without a house number */
#define ADDRESS_INVALID_UTF8    0x20u  /* some part was not UTF-8: left empty */
#define ADDRESS_TOO_LONG        0x40u
#define ADDRESS_REPAIRED        0x80u  /* mojibake repaired in some part */

struct address_key {
    char country[3];
    char street[ADDRESS_KEY_MAX];
    char house_number[32];
    char po_box[32];
    char postal_code[32];
    char city[ADDRESS_KEY_MAX];
    char city_plain[ADDRESS_KEY_MAX];
    char extra[ADDRESS_KEY_MAX];
    char region[ADDRESS_KEY_MAX];
    unsigned flags;
};

/* Fill *out from a (see above); returns out->flags. countries may be NULL (every
 * country text is then unknown; the default country is still used). A NULL or empty
 * default_country means none. No allocation outlives the call. */
unsigned address_normalise(const struct contact_address *a, const char *default_country,
                           const struct countries *countries, struct address_key *out);

/* Check and normalise a postal code for a country (alpha-2, may be NULL): the standard
 * form into out and 0, or the trimmed upper-case text and ADDRESS_POSTAL_INVALID;
 * ADDRESS_POSTAL_RESTORED as above. */
unsigned address_postal_code(const char *text, const char *country, char *out, size_t cap);

#endif
