// Host parsing (URL Standard section 3.5): IPv4 in all its numeric forms, IPv6 with compression,
// opaque hosts and domains.
#include "url/host.h"

#include <gtest/gtest.h>

namespace riptide::url {
namespace {

struct HostCase {
  const char* input;
  const char* expected;  // nullptr: failure
};

void expect_hosts(const std::vector<HostCase>& cases, bool opaque) {
  for (const auto& c : cases) {
    auto host = parse_host(c.input, opaque);
    if (c.expected == nullptr) {
      EXPECT_FALSE(host.ok()) << c.input << " -> " << (host.ok() ? *host : "");
    } else {
      ASSERT_TRUE(host.ok()) << c.input << ": " << host.error().to_string();
      EXPECT_EQ(*host, c.expected) << c.input;
    }
  }
}

TEST(Ipv4, NumericForms) {
  expect_hosts({{"192.168.0.1", "192.168.0.1"},
                {"0x7f.1", "127.0.0.1"},           // hex part, last part fills 3 bytes
                {"0300.0250.0.1", "192.168.0.1"},  // octal parts
                {"3232235521", "192.168.0.1"},     // one 32-bit number
                {"0xC0A80001", "192.168.0.1"},
                {"1.2.3.4.", "1.2.3.4"},  // one trailing dot is allowed
                {"0x", "0.0.0.0"},        // "0x" alone is zero
                {"4294967295", "255.255.255.255"},
                {"4294967296", nullptr},  // 2^32
                {"1.2.3.256", nullptr},
                {"256.1.1.1", nullptr},
                {"1.2.3.4.5", nullptr},   // five parts
                {"1.2..3", nullptr},      // empty part
                {"09.1.1.1", nullptr},    // 9 is not octal
                {"0x1g.1.1.1", nullptr},  // ends in a number, so every part must be one
                {"1.2.3.a", "1.2.3.a"},   // does not end in a number: a domain
                {"1.2.3.09", nullptr},    // ends in a number that is not valid
                {"999999999999999999999999999", nullptr}},
               false);
}

TEST(Ipv4, EndsInANumber) {
  EXPECT_TRUE(ends_in_a_number("a.1"));
  EXPECT_TRUE(ends_in_a_number("a.0x1f."));
  EXPECT_TRUE(ends_in_a_number("0x"));
  EXPECT_FALSE(ends_in_a_number("a.1b"));
  EXPECT_FALSE(ends_in_a_number("1.a"));
  EXPECT_FALSE(ends_in_a_number("."));
}

TEST(Ipv6, ParsesAndCompresses) {
  expect_hosts({{"[::1]", "[::1]"},
                {"[::]", "[::]"},
                {"[1:0:0:0:0:0:0:1]", "[1::1]"},
                {"[1:0:0:2:0:0:0:3]", "[1:0:0:2::3]"},       // the longest run is compressed
                {"[1:0:0:2:0:0:3:4]", "[1::2:0:0:3:4]"},     // the first of equal runs wins
                {"[1:0:2:3:4:5:6:7]", "[1:0:2:3:4:5:6:7]"},  // a single zero is not compressed
                {"[ABCD:EF01::0001]", "[abcd:ef01::1]"},
                {"[::ffff:192.168.0.1]", "[::ffff:c0a8:1]"},  // embedded IPv4
                {"[1:2:3:4:5:6:1.2.3.4]", "[1:2:3:4:5:6:102:304]"},
                {"[::1.2.3.4]", "[::102:304]"},
                {"[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8]"},
                {"[1:2:3:4:5:6:7:8:9]", nullptr},
                {"[1::2::3]", nullptr},
                {"[:1]", nullptr},
                {"[1:]", nullptr},
                {"[12345::]", nullptr},
                {"[::1.2.3.04]", nullptr},  // leading zero in the IPv4 part
                {"[::1.2.3]", nullptr},
                {"[::1.2.3.256]", nullptr},
                {"[1:2:3:4:5:6:7:1.2.3.4]", nullptr},
                {"[::1", nullptr},
                {"[g::]", nullptr}},
               false);
  // IPv6 is parsed for opaque hosts as well.
  expect_hosts({{"[::2]", "[::2]"}, {"[x]", nullptr}}, true);
}

TEST(Ipv6, SerializerDirect) {
  EXPECT_EQ(serialize_ipv6({0, 0, 0, 0, 0, 0, 0, 0}), "::");
  EXPECT_EQ(serialize_ipv6({1, 0, 0, 0, 0, 0, 0, 0}), "1::");
  EXPECT_EQ(serialize_ipv6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), "2001:db8::1:0:0:1");
  EXPECT_EQ(serialize_ipv4(0x7F000001), "127.0.0.1");
}

TEST(OpaqueHost, KeepsCaseAndRejectsForbiddenCodePoints) {
  expect_hosts({{"Host.Example", "Host.Example"},
                {"h%20st", "h%20st"},
                {"h\xC3\xA9", "h%C3%A9"},
                {"a b", nullptr},
                {"a<b", nullptr},
                {"a^b", nullptr},
                {"a|b", nullptr},
                {"a@b", nullptr}},
               true);
}

TEST(Domain, LowerCasesDecodesAndChecksForbiddenCodePoints) {
  expect_hosts({{"EXAMPLE.com", "example.com"},
                {"ex%41mple.com", "example.com"},  // percent-decoded before IDNA
                {"%F0%9F%92%A9.la", "xn--ls8h.la"},
                {"ex%25ample.com", nullptr},  // % after decoding is forbidden
                {"a%00b", nullptr},
                {"a\x7f"
                 "b",
                 nullptr},
                {"%FF.com", nullptr},  // invalid UTF-8 -> U+FFFD, disallowed
                {"xn--", "xn--"}},     // ASCII domains are only lower-cased
               false);
}

}  // namespace
}  // namespace riptide::url
