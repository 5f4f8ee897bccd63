#include "url/host.h"

#include <utility>

#include "core/strings.h"
#include "url/idna.h"
#include "url/percent_encode.h"

namespace riptide::url {
namespace {

Error host_error(std::string_view what, std::string_view host) {
  std::string message(what);
  message.append(": ");
  message.append(host.substr(0, 256));
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// 3.2 forbidden host code point (all ASCII).
bool is_forbidden_host_byte(char c) {
  switch (c) {
    case '\0':
    case '\t':
    case '\n':
    case '\r':
    case ' ':
    case '#':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '|':
      return true;
    default:
      return false;
  }
}

// 3.2 forbidden domain code point: forbidden host code points, C0 controls, % and DEL.
bool is_forbidden_domain_byte(char c) {
  auto b = static_cast<unsigned char>(c);
  return is_forbidden_host_byte(c) || b <= 0x1F || c == '%' || b == 0x7F;
}

constexpr uint64_t kIpv4Overflow = uint64_t{1} << 33;

// 3.5 IPv4 number parser. Values that cannot fit an address saturate at kIpv4Overflow, which
// every caller rejects. Returns false on failure.
bool parse_ipv4_number(std::string_view input, uint64_t* out) {
  if (input.empty()) return false;
  int radix = 10;
  if (input.size() >= 2 && input[0] == '0' && (input[1] == 'x' || input[1] == 'X')) {
    input.remove_prefix(2);
    radix = 16;
  } else if (input.size() >= 2 && input[0] == '0') {
    input.remove_prefix(1);
    radix = 8;
  }
  uint64_t value = 0;
  for (char c : input) {
    int digit;
    if (radix == 16) {
      digit = str::hex_value(c);
    } else if (c >= '0' && c < '0' + radix) {
      digit = c - '0';
    } else {
      digit = -1;
    }
    if (digit < 0) return false;
    value = value * static_cast<uint64_t>(radix) + static_cast<uint64_t>(digit);
    if (value > kIpv4Overflow) value = kIpv4Overflow;
  }
  *out = value;
  return true;
}

}  // namespace

bool ends_in_a_number(std::string_view domain) {
  // The last label, ignoring one trailing empty label.
  if (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);
    if (domain.empty()) return false;
  }
  size_t dot = domain.rfind('.');
  std::string_view last = dot == std::string_view::npos ? domain : domain.substr(dot + 1);
  if (last.empty()) return false;
  bool all_digits = true;
  for (char c : last) all_digits = all_digits && str::is_digit(c);
  if (all_digits) return true;
  uint64_t ignored = 0;
  return parse_ipv4_number(last, &ignored);
}

Result<uint32_t> parse_ipv4(std::string_view input) {
  std::string_view rest = input;
  if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  uint64_t numbers[4];
  size_t count = 0;
  for (size_t start = 0;;) {
    size_t dot = rest.find('.', start);
    std::string_view part =
        rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (count == 4) return host_error("IPv4 address has more than four parts", input);
    if (!parse_ipv4_number(part, &numbers[count])) {
      return host_error("invalid IPv4 address part", input);
    }
    ++count;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (size_t i = 0; i + 1 < count; ++i) {
    if (numbers[i] > 255) return host_error("IPv4 address part out of range", input);
  }
  uint64_t last = numbers[count - 1];
  if (last >= (uint64_t{1} << (8 * (5 - count)))) {
    return host_error("IPv4 address out of range", input);
  }
  uint64_t address = last;
  for (size_t i = 0; i + 1 < count; ++i) address += numbers[i] << (8 * (3 - i));
  return static_cast<uint32_t>(address);
}

Result<Ipv6Address> parse_ipv6(std::string_view input) {
  Ipv6Address address{};
  size_t piece = 0;
  size_t compress = SIZE_MAX;
  size_t p = 0;
  const size_t n = input.size();
  auto at = [&](size_t i) { return i < n ? input[i] : '\0'; };
  auto fail = [&](std::string_view why) { return host_error(why, input); };

  if (at(p) == ':') {
    if (at(p + 1) != ':') return fail("IPv6 address starts with a single ':'");
    p += 2;
    ++piece;
    compress = piece;
  }
  while (p < n) {
    if (piece == 8) return fail("IPv6 address has too many pieces");
    if (input[p] == ':') {
      if (compress != SIZE_MAX) return fail("IPv6 address has more than one '::'");
      ++p;
      ++piece;
      compress = piece;
      continue;
    }
    uint32_t value = 0;
    size_t length = 0;
    while (length < 4 && p < n && str::is_hex_digit(input[p])) {
      value = value * 16 + static_cast<uint32_t>(str::hex_value(input[p]));
      ++p;
      ++length;
    }
    if (p < n && input[p] == '.') {
      // An embedded IPv4 address fills the last two pieces.
      if (length == 0) return fail("IPv6 address has an empty IPv4 part");
      p -= length;
      if (piece > 6) return fail("IPv6 address has too many pieces before its IPv4 part");
      int numbers_seen = 0;
      while (p < n) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (input[p] == '.' && numbers_seen < 4) {
            ++p;
          } else {
            return fail("invalid IPv4 part in IPv6 address");
          }
        }
        if (p >= n || !str::is_digit(input[p])) return fail("invalid IPv4 part in IPv6 address");
        while (p < n && str::is_digit(input[p])) {
          int number = input[p] - '0';
          if (ipv4_piece == -1) {
            ipv4_piece = number;
          } else if (ipv4_piece == 0) {
            return fail("IPv4 part in IPv6 address has a leading zero");
          } else {
            ipv4_piece = ipv4_piece * 10 + number;
          }
          if (ipv4_piece > 255) return fail("IPv4 part in IPv6 address out of range");
          ++p;
        }
        address[piece] = static_cast<uint16_t>(address[piece] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece;
      }
      if (numbers_seen != 4) return fail("IPv4 part in IPv6 address is too short");
      break;
    }
    if (p < n && input[p] == ':') {
      ++p;
      if (p >= n) return fail("IPv6 address ends with ':'");
    } else if (p < n) {
      return fail("invalid code point in IPv6 address");
    }
    address[piece] = static_cast<uint16_t>(value);
    ++piece;
  }
  if (compress != SIZE_MAX) {
    size_t swaps = piece - compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(address[piece], address[compress + swaps - 1]);
      --piece;
      --swaps;
    }
  } else if (piece != 8) {
    return fail("IPv6 address is too short");
  }
  return address;
}

std::string serialize_ipv4(uint32_t address) {
  std::string out;
  for (int i = 3; i >= 0; --i) {
    out.append(std::to_string((address >> (8 * i)) & 0xFF));
    if (i > 0) out.push_back('.');
  }
  return out;
}

std::string serialize_ipv6(const Ipv6Address& address) {
  // The first longest run of at least two zero pieces is compressed.
  size_t compress = SIZE_MAX;
  size_t best = 1;
  for (size_t i = 0; i < 8;) {
    if (address[i] != 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < 8 && address[j] == 0) ++j;
    if (j - i > best) {
      best = j - i;
      compress = i;
    }
    i = j;
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 8; ++i) {
    if (i == compress) {
      out.append(i == 0 ? "::" : ":");
      i += best - 1;
      continue;
    }
    uint16_t v = address[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int d = (v >> shift) & 0xF;
      if (d != 0 || started || shift == 0) {
        out.push_back(kHexDigits[d]);
        started = true;
      }
    }
    if (i != 7) out.push_back(':');
  }
  return out;
}

Result<std::string> parse_host(std::string_view input, bool is_opaque) {
  if (!input.empty() && input.front() == '[') {
    if (input.back() != ']' || input.size() < 2) {
      return host_error("IPv6 address is missing its closing ']'", input);
    }
    auto address = parse_ipv6(input.substr(1, input.size() - 2));
    if (!address.ok()) return address.error();
    std::string out = "[";
    out.append(serialize_ipv6(*address));
    out.push_back(']');
    return out;
  }
  if (is_opaque) {
    // 3.5 opaque-host parser.
    for (char c : input) {
      if (is_forbidden_host_byte(c)) return host_error("forbidden host code point", input);
    }
    return percent_encode(input, EncodeSet::kC0Control);
  }
  // Domains: percent-decode, then domain to ASCII (invalid UTF-8 becomes U+FFFD, which UTS #46
  // rejects). Input without '%' or non-ASCII bytes decodes to itself and only needs lower-casing.
  bool plain = true;
  for (char c : input) {
    if (c == '%' || static_cast<unsigned char>(c) >= 0x80) {
      plain = false;
      break;
    }
  }
  std::string result;
  if (plain) {
    result = str::to_lower(input);
  } else {
    auto ascii = domain_to_ascii(percent_decode(input));
    if (!ascii.ok()) return ascii.error();
    result = std::move(*ascii);
  }
  if (result.empty()) return host_error("empty host", input);
  for (char c : result) {
    if (is_forbidden_domain_byte(c)) return host_error("forbidden domain code point", input);
  }
  if (ends_in_a_number(result)) {
    auto address = parse_ipv4(result);
    if (!address.ok()) return address.error();
    return serialize_ipv4(*address);
  }
  return result;
}

}  // namespace riptide::url
