#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

// IDNA for URL hosts: UTS #46 ToASCII with the options the URL Standard's "domain to ASCII"
// uses (3.3 IDNA): CheckHyphens=false, CheckBidi=true, CheckJoiners=true,
// UseSTD3ASCIIRules=false, Transitional_Processing=false, VerifyDnsLength=false,
// IgnoreInvalidPunycode=false.
namespace riptide::url {

// URL Standard 3.3 "domain to ASCII" (beStrict=false): an ASCII domain is lower-cased and kept;
// otherwise UTS #46 section 4.2 ToASCII of the UTF-8 domain (invalid UTF-8 decodes to U+FFFD, which
// is disallowed). Returns the ASCII domain, or an error when UTS #46 records any error. The URL
// Standard's own follow-up checks (empty result, forbidden domain code points) are the caller's.
Result<std::string> domain_to_ascii(std::string_view domain);

// Unicode Normalization Form C (UAX #15) of a sequence of code points.
std::u32string to_nfc(std::u32string_view input);

// RFC 3492 Punycode. Both return false on malformed input or arithmetic overflow.
bool punycode_encode(std::u32string_view input, std::string& out);
bool punycode_decode(std::string_view input, std::u32string& out);

}  // namespace riptide::url
