// UTS #46 processing as used by the URL Standard, NFC and Punycode.
#include "url/idna.h"

#include <gtest/gtest.h>

namespace riptide::url {
namespace {

TEST(DomainToAscii, MapsNormalizesAndEncodes) {
  struct Case {
    const char* input;
    const char* expected;  // nullptr: failure
  };
  const Case cases[] = {
      {"B\xC3\xBC"
       "cher.de",
       "xn--bcher-kva.de"},                        // Bücher, mapped to lower case
      {"fa\xC3\x9F.de", "xn--fa-hia.de"},          // ß is kept (non-transitional)
      {"\xE2\x84\xAB.com", "xn--5ca.com"},         // Å (ANGSTROM SIGN) -> å
      {"a\xCC\x8A.com", "xn--5ca.com"},            // a + ring composes (NFC)
      {"\xEF\xBC\xA1\xEF\xBC\xA2.com", "ab.com"},  // full-width letters map to ASCII
      {"a\xE3\x80\x82"
       "b",
       "a.b"},  // ideographic full stop
      {"\xC2\xAD"
       "ab\xC3\xA9",
       "xn--ab-cja"},                                               // soft hyphen is ignored
      {"\xE2\x98\x83.net", "xn--n3h.net"},                          // ☃
      {"\xD9\x85\xD8\xAB\xD8\xA7\xD9\x84.com", "xn--mgbh0fb.com"},  // Arabic label (bidi ok)
      {"\xCC\x81"
       "a.com",
       nullptr},  // starts with a combining mark
      {"a\xE2\x80\x8D"
       "b.com",
       nullptr},                                                          // ZWJ without a virama
      {"\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D.com", "xn--11b6iy14e.com"},  // ZWJ after a virama
      {"\xEF\xBF\xBD.com", nullptr},                                      // U+FFFD is disallowed
      {"\xC3\xA9.xn--a", nullptr},                // bad punycode in a non-ASCII name
      {"\xC3\xA9.xn--ls8h", "xn--9ca.xn--ls8h"},  // valid punycode label is kept
      {"\xD7\x90.1a", nullptr},                   // bidi rule: "1a" in an RTL domain
  };
  for (const auto& c : cases) {
    auto r = domain_to_ascii(c.input);
    if (c.expected == nullptr) {
      EXPECT_FALSE(r.ok()) << c.input << " -> " << (r.ok() ? *r : "");
    } else {
      ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().to_string();
      EXPECT_EQ(*r, c.expected) << c.input;
    }
  }
}

TEST(DomainToAscii, AsciiIsOnlyLowerCased) {
  EXPECT_EQ(*domain_to_ascii("WWW.Example.COM"), "www.example.com");
  EXPECT_EQ(*domain_to_ascii("XN--ZZZ"), "xn--zzz");
  EXPECT_EQ(*domain_to_ascii("a..b"), "a..b");
}

TEST(Nfc, ComposesAndReorders) {
  EXPECT_EQ(to_nfc(U"e\u0301"), U"\u00E9");
  EXPECT_EQ(to_nfc(U"\u1E0B\u0323"), U"\u1E0D\u0307");  // canonical reordering
  EXPECT_EQ(to_nfc(U"\u0958"), U"\u0915\u093C");        // composition exclusion
  EXPECT_EQ(to_nfc(U"\u1100\u1161\u11A8"), U"\uAC01");  // Hangul L+V+T
  EXPECT_EQ(to_nfc(U"\u212B"), U"\u00C5");              // singleton decomposition
  EXPECT_EQ(to_nfc(U"abc"), U"abc");
  EXPECT_EQ(to_nfc(U"a\u0328\u0301"), U"\u0105\u0301");  // blocked/unblocked marks
}

TEST(Punycode, RoundTripsRfc3492Samples) {
  struct Case {
    std::u32string unicode;
    const char* encoded;
  };
  const Case cases[] = {
      {U"b\u00FCcher", "bcher-kva"},
      {U"\u2603", "n3h"},
      {U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "ihqwcrb4cv8a8dqg056pqjye"},
      {U"abc", "abc-"},
      // RFC 3492 7.1 (A) Arabic (Egyptian), with repeated code points.
      {U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639"
       U"\u0631\u0628\u064A\u061F",
       "egbpdaj6bu4bxfgehfvwxn"},
      // RFC 3492 7.1 (L), basic code points mixed in.
      {U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "3B-ww4c5e180e575a65lsy2b"},
  };
  for (const auto& c : cases) {
    std::string encoded;
    ASSERT_TRUE(punycode_encode(c.unicode, encoded));
    EXPECT_EQ(encoded, c.encoded);
    std::u32string decoded;
    ASSERT_TRUE(punycode_decode(c.encoded, decoded));
    EXPECT_EQ(decoded, c.unicode);
  }
}

// Long labels with many distinct and repeated code points (hostile input once made encoding
// quadratic) still round-trip.
TEST(Punycode, LongLabelsRoundTrip) {
  std::u32string label;
  for (char32_t cp = 0x4E00; cp < 0x4E00 + 5000; ++cp) {
    label.push_back(cp);
    if (cp % 7 == 0) label.push_back(U'a');
    if (cp % 5 == 0) label.push_back(0x4E00);
  }
  std::string encoded;
  ASSERT_TRUE(punycode_encode(label, encoded));
  std::u32string decoded;
  ASSERT_TRUE(punycode_decode(encoded, decoded));
  EXPECT_EQ(decoded, label);
}

TEST(Punycode, RejectsMalformedAndOverflowingInput) {
  std::u32string out;
  EXPECT_FALSE(punycode_decode("9", out));  // truncated variable-length integer
  out.clear();
  EXPECT_FALSE(punycode_decode("99999999999", out));  // overflow
  out.clear();
  EXPECT_FALSE(punycode_decode("\xC3\xA9-a", out));  // non-basic code point before '-'
  out.clear();
  EXPECT_FALSE(punycode_decode("a!", out));
}

}  // namespace
}  // namespace riptide::url
