#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sockaddr;

// The SSRF guard: which IP addresses a fetch may connect to. The fetcher asks it about the
// address libcurl is about to connect to (after DNS resolution, on every redirect hop), so a name
// that resolves to an internal address, or re-resolves to one (DNS rebinding), is refused.
namespace riptide::fetch {

// An IPv4 or IPv6 address. IPv4 addresses are held in their IPv4-mapped IPv6 form
// (::ffff:a.b.c.d, RFC 4291 2.5.5.2), so one 128-bit comparison serves both families.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  bool is_v4() const;  // an IPv4 address (stored IPv4-mapped)
  // "127.0.0.1", "::1" (inet_ntop's text; IPv4 in dotted form).
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A CIDR block; `prefix_bits` counts over the 128-bit form, so "10.0.0.0/8" has 104.
struct CidrBlock {
  IpAddress network;  // host bits cleared
  uint8_t prefix_bits = 128;

  bool contains(const IpAddress& address) const;
};

// A literal address in the strict dotted-quad IPv4 or RFC 4291 IPv6 text forms (inet_pton: no
// "127.1", no octal or hex parts, no zone "%eth0", no brackets).
std::optional<IpAddress> parse_ip_address(std::string_view text);

// "10.0.0.0/8", "fc00::/7", or a single address ("127.0.0.1" = /32, "::1" = /128). Host bits
// below the prefix are cleared ("10.1.2.3/8" is 10.0.0.0/8). kInvalidArgument names the text.
Result<CidrBlock> parse_cidr(std::string_view text);

// The address of a sockaddr_in / sockaddr_in6 (nullopt for any other family or a short length).
std::optional<IpAddress> address_from_sockaddr(const sockaddr* address, size_t length);

// Why the guard refuses `address` by default ("loopback", "private", "link-local / cloud
// metadata", ...), or nullopt for a public address. IPv6 forms that embed an IPv4 address
// (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16) are judged
// by the IPv4 address they carry, since that is where the packets end up.
std::optional<std::string_view> non_public_reason(const IpAddress& address);

class AddressGuard {
 public:
  // Refuses every non-public address unless `allow_private_networks`; `allow` blocks are admitted
  // whatever they hold.
  AddressGuard(bool allow_private_networks, std::vector<CidrBlock> allow)
      : allow_private_networks_(allow_private_networks), allow_(std::move(allow)) {}

  // kInvalidArgument naming the first malformed entry of `allow_cidrs`.
  static Result<AddressGuard> create(bool allow_private_networks,
                                     const std::vector<std::string>& allow_cidrs);

  // nullopt when a connection to `address` is allowed, otherwise the reason it is refused. An
  // address with an embedded IPv4 address is admitted by an allow block holding either form.
  std::optional<std::string_view> refusal(const IpAddress& address) const;

 private:
  bool allow_private_networks_ = false;
  std::vector<CidrBlock> allow_;
};

}  // namespace riptide::fetch
