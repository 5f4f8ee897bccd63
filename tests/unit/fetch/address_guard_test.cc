#include "fetch/address_guard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <string>

namespace riptide::fetch {
namespace {

IpAddress ip(const char* text) {
  std::optional<IpAddress> address = parse_ip_address(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

// Every address the default guard must refuse, with the reason it names, and a public neighbour
// just outside the block where there is one.
struct RefusedCase {
  const char* address;
  const char* reason_part;
};

TEST(AddressGuard, RefusesEveryNonPublicBlockByDefault) {
  const RefusedCase cases[] = {
      {"0.0.0.0", "this network"},
      {"0.255.255.255", "this network"},
      {"10.0.0.0", "private"},
      {"10.1.2.3", "private"},
      {"10.255.255.255", "private"},
      {"100.64.0.1", "carrier-grade NAT"},
      {"100.127.255.255", "carrier-grade NAT"},
      {"127.0.0.1", "loopback"},
      {"127.0.0.2", "loopback"},
      {"127.255.255.254", "loopback"},
      {"169.254.169.254", "cloud metadata"},
      {"169.254.0.1", "link-local"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.0.0.1", "IETF"},
      {"192.0.2.10", "documentation"},
      {"192.168.1.1", "private"},
      {"198.18.0.1", "benchmarking"},
      {"198.19.255.255", "benchmarking"},
      {"198.51.100.7", "documentation"},
      {"203.0.113.9", "documentation"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"240.0.0.1", "reserved"},
      {"255.255.255.255", "broadcast"},
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"0:0:0:0:0:0:0:1", "loopback"},
      {"fc00::1", "unique local"},
      {"fd12:3456:789a::1", "unique local"},
      {"fe80::1", "link-local"},
      {"febf:ffff::1", "link-local"},
      {"fec0::1", "site-local"},
      {"ff02::1", "multicast"},
      {"2001:db8::1", "documentation"},
      {"64:ff9b:1::1", "NAT64"},
      // IPv6 forms carrying an IPv4 address are judged by that address.
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:7f00:1", "loopback"},
      {"::ffff:10.0.0.1", "private"},
      {"::ffff:169.254.169.254", "cloud metadata"},
      {"::127.0.0.1", "loopback"},          // IPv4-compatible (deprecated)
      {"::ffff:0:192.168.0.1", "private"},  // IPv4-translated (RFC 2765)
      {"64:ff9b::7f00:1", "loopback"},      // NAT64 of 127.0.0.1
      {"64:ff9b::a9fe:a9fe", "cloud metadata"},
      {"64:ff9b::10.0.0.1", "private"},
      {"2002:7f00:1::", "loopback"},  // 6to4 of 127.0.0.1
      {"2002:a00:1::1", "private"},   // 6to4 of 10.0.0.1
  };
  AddressGuard guard(false, {});
  for (const RefusedCase& c : cases) {
    std::optional<std::string_view> reason = guard.refusal(ip(c.address));
    ASSERT_TRUE(reason.has_value()) << c.address << " should be refused";
    EXPECT_NE(reason->find(c.reason_part), std::string_view::npos)
        << c.address << " refused as \"" << *reason << "\", expected \"" << c.reason_part << "\"";
  }
}

TEST(AddressGuard, AdmitsPublicAddresses) {
  const char* cases[] = {
      "1.1.1.1",          "8.8.8.8",         "9.255.255.255",     "11.0.0.0",
      "100.63.255.255",   "100.128.0.0",     "126.255.255.255",   "128.0.0.0",
      "169.253.255.255",  "169.255.0.0",     "172.15.255.255",    "172.32.0.0",
      "192.0.1.1",        "192.0.3.1",       "192.167.255.255",   "192.169.0.0",
      "198.17.255.255",   "198.20.0.0",      "198.51.99.1",       "203.0.112.1",
      "223.255.255.255",  "2606:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8",
      "64:ff9b::808:808", "2002:808:808::1", "2001:db9::1",       "fbff::1",
      "fe7f::1",
  };
  AddressGuard guard(false, {});
  for (const char* text : cases) {
    std::optional<std::string_view> reason = guard.refusal(ip(text));
    EXPECT_FALSE(reason.has_value()) << text << " refused as " << reason.value_or("");
  }
}

TEST(AddressGuard, AllowPrivateNetworksAdmitsEverything) {
  AddressGuard guard(true, {});
  for (const char* text : {"127.0.0.1", "10.1.2.3", "::1", "169.254.169.254", "fe80::1"}) {
    EXPECT_FALSE(guard.refusal(ip(text)).has_value()) << text;
  }
}

TEST(AddressGuard, AllowCidrsAdmitOnlyTheirBlocks) {
  Result<AddressGuard> guard = AddressGuard::create(false, {"127.0.0.1/32", "10.0.0.0/8", "::1"});
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  EXPECT_FALSE(guard->refusal(ip("127.0.0.1")).has_value());
  EXPECT_FALSE(guard->refusal(ip("::ffff:127.0.0.1")).has_value());  // the same address
  EXPECT_FALSE(guard->refusal(ip("64:ff9b::7f00:1")).has_value());   // NAT64 of it
  EXPECT_FALSE(guard->refusal(ip("10.200.3.4")).has_value());
  EXPECT_FALSE(guard->refusal(ip("::1")).has_value());
  EXPECT_TRUE(guard->refusal(ip("127.0.0.2")).has_value());
  EXPECT_TRUE(guard->refusal(ip("192.168.0.1")).has_value());
  EXPECT_TRUE(guard->refusal(ip("169.254.169.254")).has_value());
  EXPECT_TRUE(guard->refusal(ip("fe80::1")).has_value());
}

TEST(AddressGuard, CreateRejectsAMalformedAllowEntry) {
  Result<AddressGuard> guard = AddressGuard::create(false, {"127.0.0.1/32", "10.0.0.0/33"});
  ASSERT_FALSE(guard.ok());
  EXPECT_EQ(guard.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(guard.error().message().find("10.0.0.0/33"), std::string::npos);
}

struct CidrCase {
  const char* text;
  const char* network;   // expected network address (host bits cleared)
  unsigned prefix_bits;  // over the 128-bit form
};

TEST(ParseCidr, AcceptsIpv4AndIpv6BlocksAndSingleAddresses) {
  const CidrCase cases[] = {
      {"10.0.0.0/8", "10.0.0.0", 104},
      {"10.1.2.3/8", "10.0.0.0", 104},  // host bits cleared
      {"127.0.0.1", "127.0.0.1", 128},
      {"127.0.0.1/32", "127.0.0.1", 128},
      {"0.0.0.0/0", "0.0.0.0", 96},
      {"100.64.0.0/10", "100.64.0.0", 106},
      {"172.31.0.0/12", "172.16.0.0", 108},
      {"::1", "::1", 128},
      {"::/0", "::", 0},
      {"fc00::/7", "fc00::", 7},
      {"fd00::1/7", "fc00::", 7},
      {"fe80::/10", "fe80::", 10},
      {"2001:db8::/32", "2001:db8::", 32},
      {"::ffff:10.0.0.0/104", "10.0.0.0", 104},
  };
  for (const CidrCase& c : cases) {
    Result<CidrBlock> block = parse_cidr(c.text);
    ASSERT_TRUE(block.ok()) << c.text << ": " << block.error().to_string();
    EXPECT_EQ(block->network.to_string(), c.network) << c.text;
    EXPECT_EQ(block->prefix_bits, c.prefix_bits) << c.text;
  }
}

TEST(ParseCidr, RejectsMalformedBlocks) {
  const char* cases[] = {
      "",
      "/8",
      "10.0.0.0/",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/-1",
      "10.0.0.0/+8",
      "10.0.0.0/8 ",
      " 10.0.0.0/8",
      "10.0.0.0/8/8",
      "10.0.0/8",
      "127.1",
      "0x7f.0.0.1",
      "0177.0.0.1",
      "2130706433",
      "10.0.0.256",
      "[::1]",
      "fe80::1%eth0",
      "::1/1a",
      "example.com",
      "10.0.0.0/08x",
      "1:2:3:4:5:6:7:8:9",
  };
  for (const char* text : cases) {
    Result<CidrBlock> block = parse_cidr(text);
    EXPECT_FALSE(block.ok()) << "\"" << text << "\" parsed";
    if (!block.ok()) {
      EXPECT_EQ(block.error().code(), ErrorCode::kInvalidArgument);
    }
  }
  // Long input is refused before it reaches inet_pton, and the message quotes only its start.
  Result<CidrBlock> long_block = parse_cidr(std::string(100'000, '1'));
  ASSERT_FALSE(long_block.ok());
  EXPECT_LT(long_block.error().message().size(), 200u);
}

TEST(CidrBlock, ContainsRespectsPartialBytePrefixes) {
  Result<CidrBlock> block = parse_cidr("100.64.0.0/10");
  ASSERT_TRUE(block.ok());
  EXPECT_TRUE(block->contains(ip("100.64.0.0")));
  EXPECT_TRUE(block->contains(ip("100.127.255.255")));
  EXPECT_FALSE(block->contains(ip("100.128.0.0")));
  EXPECT_FALSE(block->contains(ip("100.63.255.255")));
  // An IPv4 block never contains an IPv6 address that is not IPv4-mapped.
  EXPECT_FALSE(block->contains(ip("64:ff9b::6440:1")));
}

TEST(AddressFromSockaddr, ReadsBothFamiliesAndRejectsOthers) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
  std::optional<IpAddress> v4 =
      address_from_sockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof in);
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->to_string(), "169.254.169.254");
  EXPECT_TRUE(v4->is_v4());

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
  std::optional<IpAddress> mapped =
      address_from_sockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof in6);
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped->to_string(), "127.0.0.1");

  // Short lengths and other families are not addresses the guard can judge.
  EXPECT_FALSE(
      address_from_sockaddr(reinterpret_cast<const sockaddr*>(&in6), sizeof in).has_value());
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  EXPECT_FALSE(
      address_from_sockaddr(reinterpret_cast<const sockaddr*>(&un), sizeof un).has_value());
  EXPECT_FALSE(address_from_sockaddr(nullptr, 0).has_value());
}

}  // namespace
}  // namespace riptide::fetch
