#include "fetch/address_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <span>

namespace riptide::fetch {

namespace {

// The ::ffff:0:0/96 prefix of IPv4-mapped addresses (RFC 4291 2.5.5.2).
constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr uint8_t kV4PrefixBits = 96;
// Longest CIDR text: a full IPv6 address with an embedded IPv4 tail plus "/128".
constexpr size_t kMaxCidrTextBytes = 64;

IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress address;
  std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), address.bytes.begin());
  address.bytes[12] = a;
  address.bytes[13] = b;
  address.bytes[14] = c;
  address.bytes[15] = d;
  return address;
}

IpAddress v6(std::initializer_list<uint16_t> groups) {
  IpAddress address;
  size_t i = 0;
  for (uint16_t group : groups) {
    address.bytes[i++] = static_cast<uint8_t>(group >> 8);
    address.bytes[i++] = static_cast<uint8_t>(group & 0xff);
  }
  return address;
}

struct Blocked {
  CidrBlock block;
  std::string_view reason;
};

// IPv4 special-purpose blocks that are not the public internet (RFC 6890 and the IANA IPv4
// Special-Purpose Address Registry), plus multicast and the reserved 240/4.
const std::vector<Blocked>& blocked_v4() {
  static const std::vector<Blocked> blocks = {
      {{v4(0, 0, 0, 0), kV4PrefixBits + 8}, "\"this network\" (0.0.0.0/8)"},
      {{v4(10, 0, 0, 0), kV4PrefixBits + 8}, "private (10.0.0.0/8)"},
      {{v4(100, 64, 0, 0), kV4PrefixBits + 10}, "carrier-grade NAT (100.64.0.0/10)"},
      {{v4(127, 0, 0, 0), kV4PrefixBits + 8}, "loopback (127.0.0.0/8)"},
      {{v4(169, 254, 0, 0), kV4PrefixBits + 16}, "link-local / cloud metadata (169.254.0.0/16)"},
      {{v4(172, 16, 0, 0), kV4PrefixBits + 12}, "private (172.16.0.0/12)"},
      {{v4(192, 0, 0, 0), kV4PrefixBits + 24}, "IETF protocol assignments (192.0.0.0/24)"},
      {{v4(192, 0, 2, 0), kV4PrefixBits + 24}, "documentation (192.0.2.0/24)"},
      {{v4(192, 168, 0, 0), kV4PrefixBits + 16}, "private (192.168.0.0/16)"},
      {{v4(198, 18, 0, 0), kV4PrefixBits + 15}, "benchmarking (198.18.0.0/15)"},
      {{v4(198, 51, 100, 0), kV4PrefixBits + 24}, "documentation (198.51.100.0/24)"},
      {{v4(203, 0, 113, 0), kV4PrefixBits + 24}, "documentation (203.0.113.0/24)"},
      {{v4(224, 0, 0, 0), kV4PrefixBits + 4}, "multicast (224.0.0.0/4)"},
      // 240/4 contains the limited broadcast address 255.255.255.255.
      {{v4(240, 0, 0, 0), kV4PrefixBits + 4}, "reserved / broadcast (240.0.0.0/4)"},
  };
  return blocks;
}

// IPv6 blocks refused outright (RFC 6890 / IANA IPv6 Special-Purpose Address Registry).
const std::vector<Blocked>& blocked_v6() {
  static const std::vector<Blocked> blocks = {
      {{v6({}), 128}, "unspecified (::/128)"},
      {{v6({0, 0, 0, 0, 0, 0, 0, 1}), 128}, "loopback (::1)"},
      {{v6({0x64, 0xff9b, 1}), 48}, "local-use NAT64 (64:ff9b:1::/48)"},
      {{v6({0x2001, 0x0db8}), 32}, "documentation (2001:db8::/32)"},
      {{v6({0xfc00}), 7}, "unique local (fc00::/7)"},
      {{v6({0xfe80}), 10}, "link-local (fe80::/10)"},
      // Deprecated site-local (RFC 3879), still routed internally by some networks.
      {{v6({0xfec0}), 10}, "site-local (fec0::/10)"},
      {{v6({0xff00}), 8}, "multicast (ff00::/8)"},
  };
  return blocks;
}

// The IPv4 address an IPv6 address carries where the packets actually go: IPv4-mapped
// (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96, RFC 2765), IPv4-compatible (::/96,
// deprecated), NAT64 well-known prefix (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, RFC 3056).
std::optional<IpAddress> embedded_v4(const IpAddress& address) {
  const auto& b = address.bytes;
  auto tail = [&](size_t at) { return v4(b[at], b[at + 1], b[at + 2], b[at + 3]); };
  auto zero = [&](size_t from, size_t to) {
    return std::all_of(b.begin() + from, b.begin() + to, [](uint8_t x) { return x == 0; });
  };
  if (zero(0, 10) && b[10] == 0xff && b[11] == 0xff) return tail(12);
  if (zero(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) return tail(12);
  if (zero(0, 12)) return tail(12);
  if (CidrBlock{v6({0x64, 0xff9b}), 96}.contains(address)) return tail(12);
  if (b[0] == 0x20 && b[1] == 0x02) return tail(2);
  return std::nullopt;
}

std::optional<std::string_view> find_block(std::span<const Blocked> blocks,
                                           const IpAddress& address) {
  for (const Blocked& blocked : blocks) {
    if (blocked.block.contains(address)) return blocked.reason;
  }
  return std::nullopt;
}

}  // namespace

bool IpAddress::is_v4() const {
  return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin());
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

bool CidrBlock::contains(const IpAddress& address) const {
  size_t full = prefix_bits / 8;
  if (!std::equal(network.bytes.begin(), network.bytes.begin() + full, address.bytes.begin())) {
    return false;
  }
  unsigned rest = prefix_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (network.bytes[full] & mask) == (address.bytes[full] & mask);
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  // inet_pton needs a NUL-terminated string; anything this long is not an address.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());
  IpAddress address;
  if (text.find(':') == std::string_view::npos) {
    uint8_t octets[4];
    if (inet_pton(AF_INET, buffer, octets) != 1) return std::nullopt;
    return v4(octets[0], octets[1], octets[2], octets[3]);
  }
  if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) return std::nullopt;
  return address;
}

Result<CidrBlock> parse_cidr(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    std::string shown(text.substr(0, kMaxCidrTextBytes));
    return Error(ErrorCode::kInvalidArgument,
                 "invalid CIDR block \"" + shown + "\": " + std::string(why));
  };
  if (text.size() > kMaxCidrTextBytes) return invalid("too long");
  size_t slash = text.find('/');
  std::optional<IpAddress> address = parse_ip_address(text.substr(0, slash));
  if (!address) return invalid("not an IPv4 or IPv6 address");
  bool is_v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  unsigned family_bits = is_v4 ? 32 : 128;
  unsigned prefix = family_bits;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    // from_chars accepts neither '+' nor whitespace; require every character to be consumed.
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      return invalid("the prefix length is not a number");
    }
    if (prefix > family_bits) {
      return invalid("the prefix length exceeds " + std::to_string(family_bits));
    }
  }
  CidrBlock block;
  block.prefix_bits = static_cast<uint8_t>(is_v4 ? prefix + kV4PrefixBits : prefix);
  for (size_t i = 0; i < address->bytes.size(); ++i) {
    unsigned first_bit = static_cast<unsigned>(i) * 8;
    if (first_bit >= block.prefix_bits) {
      address->bytes[i] = 0;
    } else if (first_bit + 8 > block.prefix_bits) {
      address->bytes[i] &= static_cast<uint8_t>(0xff << (first_bit + 8 - block.prefix_bits));
    }
  }
  block.network = *address;
  return block;
}

std::optional<IpAddress> address_from_sockaddr(const sockaddr* address, size_t length) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, address, sizeof in);
    const auto* octets = reinterpret_cast<const uint8_t*>(&in.sin_addr.s_addr);
    return v4(octets[0], octets[1], octets[2], octets[3]);
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, address, sizeof in6);
    IpAddress result;
    std::memcpy(result.bytes.data(), &in6.sin6_addr, result.bytes.size());
    return result;
  }
  return std::nullopt;
}

std::optional<std::string_view> non_public_reason(const IpAddress& address) {
  // ::/128 and ::1 (the first two rows) first: they also look IPv4-compatible (0.0.0.0, 0.0.0.1).
  std::span<const Blocked> v6_blocks = blocked_v6();
  if (auto reason = find_block(v6_blocks.first(2), address)) return reason;
  if (std::optional<IpAddress> inner = embedded_v4(address))
    return find_block(blocked_v4(), *inner);
  return find_block(v6_blocks, address);
}

Result<AddressGuard> AddressGuard::create(bool allow_private_networks,
                                          const std::vector<std::string>& allow_cidrs) {
  std::vector<CidrBlock> allow;
  allow.reserve(allow_cidrs.size());
  for (const std::string& text : allow_cidrs) {
    Result<CidrBlock> block = parse_cidr(text);
    if (!block.ok()) return block.error();
    allow.push_back(*block);
  }
  return AddressGuard(allow_private_networks, std::move(allow));
}

std::optional<std::string_view> AddressGuard::refusal(const IpAddress& address) const {
  if (allow_private_networks_) return std::nullopt;
  std::optional<std::string_view> reason = non_public_reason(address);
  if (!reason) return std::nullopt;
  std::optional<IpAddress> inner = embedded_v4(address);
  for (const CidrBlock& block : allow_) {
    if (block.contains(address) || (inner && block.contains(*inner))) return std::nullopt;
  }
  return reason;
}

}  // namespace riptide::fetch
