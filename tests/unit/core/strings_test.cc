#include "core/strings.h"

#include <gtest/gtest.h>

namespace riptide::str {
namespace {

TEST(StringsTest, CaseInsensitiveComparisonsAreAsciiOnly) {
  EXPECT_TRUE(iequals("DiV", "div"));
  EXPECT_FALSE(iequals("div", "dív"));
  EXPECT_TRUE(istarts_with("Content-Type", "content-"));
  EXPECT_TRUE(iends_with("index.HTML", ".html"));
  EXPECT_TRUE(icontains("text/HTML; charset=utf-8", "charset"));
  EXPECT_FALSE(icontains("ab", "abc"));
  EXPECT_EQ(to_lower("ÄBC"), "Äbc");
}

TEST(StringsTest, TrimAndSplit) {
  EXPECT_EQ(trim(" \t\n x y \f\r"), "x y");
  EXPECT_EQ(trim("   "), "");
  auto parts = split_whitespace("  a  b\tc\n");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2], "c");
  auto fields = split("a,,b", ',');
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1], "");
  EXPECT_EQ(collapse_whitespace("  a \n\n b  "), "a b");
}

TEST(StringsTest, ParseUintRejectsOverflowAndJunk) {
  EXPECT_EQ(parse_uint("0"), 0u);
  EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_uint("18446744073709551616").has_value());
  EXPECT_FALSE(parse_uint("12a").has_value());
  EXPECT_FALSE(parse_uint("").has_value());
}

TEST(StringsTest, ReplaceAll) {
  EXPECT_EQ(replace_all("a|b|c", "|", "\\|"), "a\\|b\\|c");
  EXPECT_EQ(replace_all("aaa", "aa", "b"), "ba");
}

}  // namespace
}  // namespace riptide::str
