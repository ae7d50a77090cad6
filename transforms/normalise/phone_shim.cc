// phone_shim.cc — extern "C" over libphonenumber's PhoneNumberUtil (C++), the only C++
// in crmerge. Owns nothing: PhoneNumberUtil is the library's thread-safe singleton.
// Called by transforms/normalise/phone.c through transforms/normalise/phone_lib.h.
#include "transforms/normalise/phone_lib.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static enum phone_line map_line(PhoneNumberUtil::PhoneNumberType t)
{
    switch (t) {
    case PhoneNumberUtil::FIXED_LINE:           return PHONE_LINE_FIXED;
    case PhoneNumberUtil::MOBILE:               return PHONE_LINE_MOBILE;
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return PHONE_LINE_FIXED_OR_MOBILE;
    case PhoneNumberUtil::TOLL_FREE:            return PHONE_LINE_TOLL_FREE;
    case PhoneNumberUtil::PREMIUM_RATE:         return PHONE_LINE_PREMIUM_RATE;
    case PhoneNumberUtil::SHARED_COST:          return PHONE_LINE_SHARED_COST;
    case PhoneNumberUtil::VOIP:                 return PHONE_LINE_VOIP;
    case PhoneNumberUtil::PERSONAL_NUMBER:      return PHONE_LINE_PERSONAL;
    case PhoneNumberUtil::PAGER:                return PHONE_LINE_PAGER;
    case PhoneNumberUtil::UAN:                  return PHONE_LINE_UAN;
    case PhoneNumberUtil::VOICEMAIL:            return PHONE_LINE_VOICEMAIL;
    default:                                    return PHONE_LINE_UNKNOWN;
    }
}

static enum phone_lib_status parse(const char *text, const char *region, int details,
                                   struct phone_norm *out)
{
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    PhoneNumber n;
    PhoneNumberUtil::ErrorType e = util.Parse(text, region ? region : "ZZ", &n);
    if (e == PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR)
        return PHONE_LIB_NO_COUNTRY;
    if (e != PhoneNumberUtil::NO_PARSING_ERROR)
        return PHONE_LIB_NOT_A_NUMBER;

    enum phone_lib_status st;
    if (util.IsValidNumber(n))
        st = PHONE_LIB_VALID;
    else if (util.IsPossibleNumber(n))
        st = PHONE_LIB_POSSIBLE;
    else
        return PHONE_LIB_IMPOSSIBLE;

    std::string s;
    util.Format(n, PhoneNumberUtil::E164, &s);
    if (s.size() >= sizeof out->e164 || s.size() < 2 || s[0] != '+')
        return PHONE_LIB_IMPOSSIBLE;
    std::memcpy(out->e164, s.c_str(), s.size() + 1);
    uint64_t v = 0;
    for (size_t i = 1; i < s.size(); i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    out->e164_num = v;
    out->country_code = (uint16_t)n.country_code();

    out->region[0] = '\0';
    out->line = PHONE_LINE_UNKNOWN;
    if (details) {
        std::string r;
        util.GetRegionCodeForNumber(n, &r);
        if (r.size() == 2 && r != "ZZ")
            std::memcpy(out->region, r.c_str(), 3);
        if (st == PHONE_LIB_VALID)
            out->line = map_line(util.GetNumberType(n));
    }

    out->extension[0] = '\0';
    if (n.has_extension()) {
        const std::string &x = n.extension();
        if (x.size() < sizeof out->extension)
            std::memcpy(out->extension, x.c_str(), x.size() + 1);
        else
            out->flags |= PHONE_EXT_DROPPED;
    }
    return st;
}

extern "C" enum phone_lib_status phone_lib_parse(const char *text, const char *region,
                                                 int details, struct phone_norm *out)
{
    try {
        return parse(text, region, details, out);
    } catch (...) {
        return PHONE_LIB_FAILED;
    }
}
