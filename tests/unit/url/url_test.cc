// URL parsing, serialization and relative resolution (URL Standard section 4).
#include "url/url.h"

#include <gtest/gtest.h>

#include <string>

#include "core/limits.h"

namespace riptide::url {
namespace {

struct Components {
  const char* input;
  const char* base;  // nullptr: no base
  const char* href;
  const char* protocol;
  const char* username;
  const char* password;
  const char* host;
  const char* hostname;
  const char* port;
  const char* pathname;
  const char* search;
  const char* hash;
};

class UrlComponentsTest : public testing::TestWithParam<Components> {};

TEST_P(UrlComponentsTest, ParsesIntoExpectedComponents) {
  const Components& c = GetParam();
  Result<Url> url = c.base ? parse(c.input, std::string_view(c.base)) : parse(c.input);
  ASSERT_TRUE(url.ok()) << c.input << ": " << url.error().to_string();
  EXPECT_EQ(url->href(), c.href);
  EXPECT_EQ(url->protocol(), c.protocol);
  EXPECT_EQ(url->username(), c.username);
  EXPECT_EQ(url->password(), c.password);
  EXPECT_EQ(url->host(), c.host);
  EXPECT_EQ(url->hostname(), c.hostname);
  EXPECT_EQ(url->port(), c.port);
  EXPECT_EQ(url->pathname(), c.pathname);
  EXPECT_EQ(url->search(), c.search);
  EXPECT_EQ(url->hash(), c.hash);
  // A serialization parses back to itself.
  Result<Url> again = parse(url->href());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->href(), url->href());
}

INSTANTIATE_TEST_SUITE_P(
    Absolute, UrlComponentsTest,
    testing::Values(
        Components{"https://user:pa%20ss@Example.COM:8080/a/b?q=1#frag", nullptr,
                   "https://user:pa%20ss@example.com:8080/a/b?q=1#frag", "https:", "user",
                   "pa%20ss", "example.com:8080", "example.com", "8080", "/a/b", "?q=1", "#frag"},
        // Default ports are dropped, an empty path becomes "/".
        Components{"HTTP://example.com:80", nullptr, "http://example.com/", "http:", "", "",
                   "example.com", "example.com", "", "/", "", ""},
        Components{"wss://h:443/", nullptr, "wss://h/", "wss:", "", "", "h", "h", "", "/", "", ""},
        // Leading/trailing C0 controls and spaces are stripped, tabs and newlines removed.
        Components{" \t\x01http://ex\nample.org/p\ta\rth \x1f", nullptr, "http://example.org/path",
                   "http:", "", "", "example.org", "example.org", "", "/path", "", ""},
        // Dot segments, including percent-encoded ones, and backslashes in special URLs.
        Components{"http://h/a/./b/../c/%2e%2E/d\\e", nullptr, "http://h/a/d/e", "http:", "", "",
                   "h", "h", "", "/a/d/e", "", ""},
        // Percent-encoding: path, query (special adds '), fragment sets; non-ASCII as UTF-8.
        Components{"http://h/a b<>\"{}^`|?x=' <>#f `<>", nullptr,
                   "http://h/a%20b%3C%3E%22%7B%7D%5E%60|?x=%27%20%3C%3E#f%20%60%3C%3E", "http:", "",
                   "", "h", "h", "", "/a%20b%3C%3E%22%7B%7D%5E%60|", "?x=%27%20%3C%3E",
                   "#f%20%60%3C%3E"},
        Components{"http://h/\xC3\xA9?\xC3\xA9#\xC3\xA9", nullptr, "http://h/%C3%A9?%C3%A9#%C3%A9",
                   "http:", "", "", "h", "h", "", "/%C3%A9", "?%C3%A9", "#%C3%A9"},
        // Non-special query keeps '.
        Components{"foo://h/p?a='", nullptr, "foo://h/p?a='", "foo:", "", "", "h", "h", "", "/p",
                   "?a='", ""},
        // Opaque paths.
        Components{"mailto:Someone@Example.com", nullptr, "mailto:Someone@Example.com",
                   "mailto:", "", "", "", "", "", "Someone@Example.com", "", ""},
        Components{"data:text/plain,a b ?q", nullptr, "data:text/plain,a b%20?q", "data:", "", "",
                   "", "", "", "text/plain,a b%20", "?q", ""},
        // Non-special URL with an opaque host, keeping case and escaping only C0/non-ASCII.
        Components{"git+ssh://Git@GitHub.com:22/x.git", nullptr,
                   "git+ssh://Git@GitHub.com:22/x.git", "git+ssh:", "Git", "", "GitHub.com:22",
                   "GitHub.com", "22", "/x.git", "", ""},
        // A host-less non-special path starting with "//" is serialized with "/.".
        Components{"web+demo:/.//not-a-host/", nullptr, "web+demo:/.//not-a-host/", "web+demo:", "",
                   "", "", "", "", "//not-a-host/", "", ""},
        // Empty query and fragment are kept in href but not in search/hash.
        Components{"http://h/?#", nullptr, "http://h/?#", "http:", "", "", "h", "h", "", "/", "",
                   ""},
        // Credentials: the last '@' ends them; the first ':' separates the password.
        Components{"http://a@b:c:d@h/", nullptr, "http://a%40b:c%3Ad@h/", "http:", "a%40b", "c%3Ad",
                   "h", "h", "", "/", "", ""}));

INSTANTIATE_TEST_SUITE_P(
    File, UrlComponentsTest,
    testing::Values(Components{"file:///C:/x/../../y", nullptr, "file:///C:/y", "file:", "", "", "",
                               "", "", "/C:/y", "", ""},
                    Components{"file:c|/a", nullptr, "file:///c:/a", "file:", "", "", "", "", "",
                               "/c:/a", "", ""},
                    Components{"file://LOCALHOST/etc", nullptr, "file:///etc", "file:", "", "", "",
                               "", "", "/etc", "", ""},
                    Components{"file://server/share", nullptr, "file://server/share", "file:", "",
                               "", "server", "server", "", "/share", "", ""},
                    // A drive letter in the base survives a path-absolute reference.
                    Components{"/z", "file:///C:/a/b", "file:///C:/z", "file:", "", "", "", "", "",
                               "/C:/z", "", ""}));

INSTANTIATE_TEST_SUITE_P(
    Relative, UrlComponentsTest,
    testing::Values(Components{"../d?x", "http://h/a/b/c", "http://h/a/d?x", "http:", "", "", "h",
                               "h", "", "/a/d", "?x", ""},
                    Components{"//other:81/p", "https://h/a", "https://other:81/p", "https:", "",
                               "", "other:81", "other", "81", "/p", "", ""},
                    Components{"?q", "http://h/a/b#f", "http://h/a/b?q", "http:", "", "", "h", "h",
                               "", "/a/b", "?q", ""},
                    Components{"#g", "http://h/a?q", "http://h/a?q#g", "http:", "", "", "h", "h",
                               "", "/a", "?q", "#g"},
                    Components{"", "http://h/a?q#f", "http://h/a?q", "http:", "", "", "h", "h", "",
                               "/a", "?q", ""},
                    Components{"\\x", "http://h/a/b", "http://h/x", "http:", "", "", "h", "h", "",
                               "/x", "", ""},
                    // Same special scheme without slashes is relative; another scheme is absolute.
                    Components{"http:g", "http://h/a/b", "http://h/a/g", "http:", "", "", "h", "h",
                               "", "/a/g", "", ""},
                    Components{"https:g", "http://h/a/b", "https://g/", "https:", "", "", "g", "g",
                               "", "/", "", ""},
                    Components{"#x", "mailto:a@b", "mailto:a@b#x", "mailto:", "", "", "", "", "",
                               "a@b", "", "#x"},
                    Components{"g/../../..", "foo://h/a/b", "foo://h/", "foo:", "", "", "h", "h",
                               "", "/", "", ""}));

TEST(UrlParse, RejectsInvalidInput) {
  for (const char* input : {"", "http://", "http://a b/", "http://h:65536/", "http://h:8a/",
                            "http://[::1/", "http://[1:2:3:4:5:6:7:8:9]/", "http://1.2.3.256/",
                            "http://user@/", "https://ex%00ample.com/", "http://xn--a.\xC3\xA9/",
                            "foo://h^/", "relative/path", "http://%zz%66oo/"}) {
    EXPECT_FALSE(parse(input).ok()) << input;
  }
  // Only a fragment may be resolved against a URL with an opaque path.
  auto base = parse("mailto:a@b");
  ASSERT_TRUE(base.ok());
  EXPECT_FALSE(parse("x", &*base).ok());
  EXPECT_TRUE(parse("#x", &*base).ok());
}

TEST(UrlParse, LongInputIsAnErrorNotACrash) {
  std::string long_url = "http://h/" + std::string(limits::kMaxUrlBytes, 'a');
  auto url = parse(long_url);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().code(), ErrorCode::kResourceLimit);
  // Just below the limit parses.
  EXPECT_TRUE(parse(long_url.substr(0, limits::kMaxUrlBytes)).ok());
}

TEST(UrlParse, InvalidUtf8BecomesReplacementCharacter) {
  auto url = parse("http://h/\xFF?\xC3");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->pathname(), "/%EF%BF%BD");
  EXPECT_EQ(url->search(), "?%EF%BF%BD");
}

TEST(UrlParse, PortLeadingZerosAndDefaults) {
  EXPECT_EQ(parse("http://h:0000080/")->port(), "");
  EXPECT_EQ(parse("http://h:00081/")->port(), "81");
  EXPECT_EQ(parse("http://h:/")->href(), "http://h/");
  EXPECT_EQ(parse("ftp://h:21/")->port_number(), std::nullopt);
  EXPECT_EQ(parse("foo://h:21/")->port_number(), 21);
  EXPECT_EQ(parse("https://h/")->port_or_default(), 443);
  EXPECT_EQ(parse("ws://h:8080/")->port_or_default(), 8080);
  EXPECT_EQ(parse("foo://h/")->port_or_default(), 0);
}

TEST(UrlOrigin, SerializesTupleOrNull) {
  EXPECT_EQ(parse("https://Ex.com:443/a?b")->origin(), "https://ex.com");
  EXPECT_EQ(parse("http://ex.com:8080/")->origin(), "http://ex.com:8080");
  EXPECT_EQ(parse("blob:https://ex.com/uuid")->origin(), "https://ex.com");
  EXPECT_EQ(parse("file:///x")->origin(), "null");
  EXPECT_EQ(parse("foo://h/")->origin(), "null");
  EXPECT_EQ(parse("blob:ftp://h/")->origin(), "null");
}

TEST(UrlAccessors, FlagsDescribeTheRecord) {
  auto url = parse("https://u:p@h/p?q#f");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->is_special());
  EXPECT_TRUE(url->has_credentials());
  EXPECT_TRUE(url->has_host());
  EXPECT_EQ(url->query(), "q");
  EXPECT_EQ(url->fragment(), "f");
  EXPECT_EQ(url->href_without_fragment(), "https://u:p@h/p?q");
  auto opaque = parse("sc:x");
  ASSERT_TRUE(opaque.ok());
  EXPECT_TRUE(opaque->has_opaque_path());
  EXPECT_FALSE(opaque->has_host());
  EXPECT_FALSE(opaque->has_credentials());
}

TEST(UrlSetters, FollowTheStandardsApi) {
  auto url = parse("https://user@example.com:8080/a/b?q=1#f");
  ASSERT_TRUE(url.ok());
  Url& u = *url;
  EXPECT_TRUE(u.set_search("?x=a b"));
  EXPECT_EQ(u.href(), "https://user@example.com:8080/a/b?x=a%20b#f");
  EXPECT_TRUE(u.set_hash(""));
  EXPECT_EQ(u.href(), "https://user@example.com:8080/a/b?x=a%20b");
  EXPECT_TRUE(u.set_pathname("/c d/../e?#"));  // '?' and '#' are path code points here
  EXPECT_EQ(u.pathname(), "/e%3F%23");
  EXPECT_TRUE(u.set_port("443"));  // the default port is not stored
  EXPECT_EQ(u.port(), "");
  EXPECT_TRUE(
      u.set_hostname("B\xC3\xBC"
                     "cher.de"));
  EXPECT_EQ(u.host(), "xn--bcher-kva.de");
  EXPECT_FALSE(u.set_hostname("h:1"));  // a port is not part of a hostname
  EXPECT_TRUE(u.set_host("h:81"));
  EXPECT_EQ(u.host(), "h:81");
  EXPECT_TRUE(u.set_username("a:b"));
  EXPECT_TRUE(u.set_password("p@ss"));
  EXPECT_EQ(u.href(), "https://a%3Ab:p%40ss@h:81/e%3F%23?x=a%20b");
  EXPECT_TRUE(u.set_protocol("wss"));
  EXPECT_EQ(u.protocol(), "wss:");
  EXPECT_FALSE(u.set_protocol("foo"));    // special to non-special is ignored
  EXPECT_FALSE(u.set_search("x=a%20b"));  // same value: unchanged
  EXPECT_TRUE(u.set_href("http://other/"));
  EXPECT_FALSE(u.set_href("not a url"));
  EXPECT_EQ(u.href(), "http://other/");
}

TEST(UrlSetters, IgnoredWhereTheStandardIgnoresThem) {
  auto file = parse("file:///tmp/x");
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(file->set_username("u"));
  EXPECT_FALSE(file->set_port("1"));
  auto opaque = parse("mailto:a@b");
  ASSERT_TRUE(opaque.ok());
  EXPECT_FALSE(opaque->set_pathname("x"));
  EXPECT_FALSE(opaque->set_host("h"));
  EXPECT_TRUE(opaque->set_search("s"));
  EXPECT_EQ(opaque->href(), "mailto:a@b?s");
}

}  // namespace
}  // namespace riptide::url
