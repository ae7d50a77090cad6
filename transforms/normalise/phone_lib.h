/* phone_lib.h — the extern "C" face of libphonenumber (transforms/normalise/phone_shim.cc), for
 * transforms/normalise/phone.c only. Plain C types; no C++ exception crosses it. */
#ifndef CM_PHONE_LIB_H
#define CM_PHONE_LIB_H

#include "transforms/normalise/phone.h"

#ifdef __cplusplus
extern "C" {
#endif

enum phone_lib_status {
    PHONE_LIB_VALID = 0,     /* IsValidNumber */
    PHONE_LIB_POSSIBLE,      /* IsPossibleNumber (length fits), not valid */
    PHONE_LIB_IMPOSSIBLE,    /* parsed, but neither */
    PHONE_LIB_NO_COUNTRY,    /* INVALID_COUNTRY_CODE_ERROR: national, no or bad region */
    PHONE_LIB_NOT_A_NUMBER,  /* any other parse error */
    PHONE_LIB_FAILED         /* an exception (out of memory) */
};

/* Parse the UTF-8 text with region (upper-case alpha-2 or NULL). On VALID and POSSIBLE,
 * out's e164, e164_num, country_code, region, line and extension are filled (an
 * extension longer than 11 characters is left out and PHONE_EXT_DROPPED set in
 * out->flags); otherwise out is left as it was. details 0: region and line are left
 * unknown (libphonenumber's region and line-type lookups are half of the time). */
enum phone_lib_status phone_lib_parse(const char *text, const char *region, int details,
                                      struct phone_norm *out);

#ifdef __cplusplus
}
#endif

#endif
