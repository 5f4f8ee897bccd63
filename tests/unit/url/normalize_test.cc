// Crawl normalisation of URLs.
#include "url/normalize.h"

#include <gtest/gtest.h>

namespace riptide::url {
namespace {

std::string normalized(const char* input, const NormalizeOptions& options = {}) {
  auto url = parse(input);
  EXPECT_TRUE(url.ok()) << input;
  if (!url.ok()) return "";
  return std::string(normalize(*url, options).href());
}

TEST(Normalize, DefaultOptions) {
  EXPECT_EQ(normalized("HTTP://Example.COM:80/a/./b/../c#frag"), "http://example.com/a/c");
  EXPECT_EQ(normalized("https://h/p?"), "https://h/p");
  EXPECT_EQ(normalized("https://h/p?#x"), "https://h/p");
  EXPECT_EQ(normalized("https://h/p?utm_source=x&id=7&UTM_Medium=y&fbclid=z&gclid=1"),
            "https://h/p?id=7");
  EXPECT_EQ(normalized("https://h/p?mc_cid=1&mc_eid=2"), "https://h/p");
  EXPECT_EQ(normalized("https://h/p?a=1&&b=2&"), "https://h/p?a=1&b=2");
  // Unreserved characters are decoded, other escapes get upper-case hex digits.
  EXPECT_EQ(normalized("https://h/%7euser/%41%2f%2a?q=%7e%2f"), "https://h/~user/A%2F%2A?q=~%2F");
  // Parameter order is meaningful to some servers: kept unless sorting is asked for.
  EXPECT_EQ(normalized("https://h/?b=2&a=1"), "https://h/?b=2&a=1");
  // Already normal URLs are unchanged.
  EXPECT_EQ(normalized("https://h/a?b=1"), "https://h/a?b=1");
}

// Found by url_parse_fuzz: decoding "%41" after a stray "%7" created the escape "%7A", so a
// second normalisation changed the URL again.
TEST(Normalize, DecodingNeverCreatesANewEscape) {
  const char* input = "http://h/%7%411e/%%41/%2%42";
  const std::string once = normalized(input);
  EXPECT_EQ(once, "http://h/%7%411e/%%41/%2%42");
  EXPECT_EQ(normalized(once.c_str()), once);
}

TEST(Normalize, SortsQueryParametersStably) {
  NormalizeOptions options;
  options.sort_query_parameters = true;
  EXPECT_EQ(normalized("https://h/?b=2&a=1&b=1&a=0", options), "https://h/?a=1&a=0&b=2&b=1");
}

TEST(Normalize, OptionsCanKeepEverything) {
  NormalizeOptions keep;
  keep.remove_fragment = false;
  keep.remove_tracking_parameters = false;
  keep.remove_empty_query = false;
  keep.normalize_percent_encoding = false;
  EXPECT_EQ(normalized("https://h/%7e?utm_source=x&&#f", keep), "https://h/%7e?utm_source=x&&#f");
  EXPECT_EQ(normalized("https://h/p?", keep), "https://h/p?");
}

TEST(Normalize, OpaqueAndHostlessUrls) {
  EXPECT_EQ(normalized("mailto:a@b?utm_source=x#f"), "mailto:a@b");
  EXPECT_EQ(normalized("web+demo:/.//x/%7e"), "web+demo:/.//x/~");
}

TEST(TrackingParameters, NamedListAndUtmPrefix) {
  EXPECT_TRUE(is_tracking_parameter("utm_anything"));
  EXPECT_TRUE(is_tracking_parameter("GCLID"));
  EXPECT_TRUE(is_tracking_parameter("mc_eid"));
  EXPECT_FALSE(is_tracking_parameter("id"));
  EXPECT_FALSE(is_tracking_parameter("utm"));
  EXPECT_TRUE(is_tracking_parameter("ref_src"));
}

// A caller's list replaces the built-in one; a trailing '*' is a prefix match.
TEST(TrackingParameters, CustomListReplacesTheBuiltInOne) {
  const std::string_view names[] = {"sid", "trk_*"};
  NormalizeOptions options;
  options.tracking_parameters = names;
  EXPECT_EQ(normalized("https://h/p?SID=1&trk_a=2&trk=3&utm_source=x&gclid=y", options),
            "https://h/p?trk=3&utm_source=x&gclid=y");
}

}  // namespace
}  // namespace riptide::url
