#include "core/utf8.h"

#include <gtest/gtest.h>

namespace riptide::utf8 {
namespace {

TEST(Utf8Test, EncodesAllLengthsAndReplacesSurrogates) {
  std::string out;
  append(out, U'A');
  append(out, 0xE9);
  append(out, 0x20AC);
  append(out, 0x1F600);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  std::string bad;
  append(bad, 0xD800);
  append(bad, 0x110000);
  EXPECT_EQ(bad, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8Test, DecodeConsumesMaximalInvalidSubpart) {
  size_t len;
  // E2 82 followed by ASCII: one U+FFFD for the two-byte truncated sequence.
  std::string s =
      "\xE2\x82"
      "A";
  EXPECT_EQ(decode(s.data(), s.data() + s.size(), &len), kReplacement);
  EXPECT_EQ(len, 2u);
  // Overlong encoding C0 80: each byte is its own error.
  std::string overlong = "\xC0\x80";
  EXPECT_EQ(decode(overlong.data(), overlong.data() + 2, &len), kReplacement);
  EXPECT_EQ(len, 1u);
  // Encoded surrogate ED A0 80.
  std::string sur = "\xED\xA0\x80";
  EXPECT_EQ(decode(sur.data(), sur.data() + 3, &len), kReplacement);
  EXPECT_EQ(len, 1u);
}

TEST(Utf8Test, ValidationAndSanitize) {
  EXPECT_TRUE(is_valid("plain ascii"));
  EXPECT_TRUE(is_valid("\xEF\xBF\xBD"));  // U+FFFD itself is valid
  EXPECT_EQ(find_invalid("ab\xFF"
                         "cd"),
            2u);
  EXPECT_EQ(sanitize("ab\xFF"
                     "cd"),
            "ab\xEF\xBF\xBD"
            "cd");
  EXPECT_EQ(sanitize("\xF0\x9F\x98"), "\xEF\xBF\xBD");  // truncated 4-byte: one replacement
  EXPECT_EQ(length("a\xC3\xA9\xF0\x9F\x98\x80"), 3u);
  std::string with_nul("a\0b", 3);
  EXPECT_TRUE(is_valid(with_nul));
}

}  // namespace
}  // namespace riptide::utf8
