#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

// Hosts (URL Standard section 3): domains, IPv4 and IPv6 addresses, opaque hosts.
namespace riptide::url {

using Ipv6Address = std::array<uint16_t, 8>;

// 3.5 Host parsing. `input` is the raw host text of a URL (still percent-encoded); `is_opaque`
// is true for non-special schemes. Returns the serialized host: an ASCII domain, a dotted IPv4
// address, a bracketed compressed IPv6 address, or an opaque host.
Result<std::string> parse_host(std::string_view input, bool is_opaque);

// 3.5 IPv4 parser (decimal, octal "0…" and hex "0x…" parts; 1 to 4 parts).
Result<uint32_t> parse_ipv4(std::string_view input);
// 3.5 IPv6 parser; `input` is the text between the brackets.
Result<Ipv6Address> parse_ipv6(std::string_view input);

// 3.6 Host serializing.
std::string serialize_ipv4(uint32_t address);
// Without brackets; the longest run of two or more zero pieces is compressed to "::".
std::string serialize_ipv6(const Ipv6Address& address);

// 3.5 "ends in a number checker": whether a domain must be parsed as an IPv4 address.
bool ends_in_a_number(std::string_view domain);

}  // namespace riptide::url
