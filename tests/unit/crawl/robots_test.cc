#include "crawl/robots.h"

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace riptide::crawl {
namespace {

using namespace std::string_view_literals;

bool allowed(std::string_view body, std::string_view path, std::string_view token = kProductToken) {
  return Robots::parse(body, token).allowed(path);
}

struct PathCase {
  const char* agent;
  const char* path;
  bool allowed;
};

void expect_cases(std::string_view body, std::initializer_list<PathCase> cases) {
  for (const PathCase& c : cases) {
    EXPECT_EQ(allowed(body, c.path, c.agent), c.allowed)
        << "agent " << c.agent << ", path " << c.path << "\nrobots.txt:\n"
        << body;
  }
}

// One "Disallow: <rule>" in the "*" group, and whether it disallows `path`.
struct RuleCase {
  const char* rule;
  const char* path;
  bool disallowed;
};

template <size_t N>
void expect_rule_cases(const RuleCase (&cases)[N]) {
  for (const RuleCase& c : cases) {
    const std::string body = std::string("User-agent: *\nDisallow: ") + c.rule + "\n";
    EXPECT_EQ(allowed(body, c.path), !c.disallowed) << "Disallow: " << c.rule << " path " << c.path;
  }
}

// ---- RFC 9309 section 5: the examples, with the outcomes the RFC describes. ----

// 5.1, verbatim (including the "EOF" line the figure ends with, which is not a record).
constexpr std::string_view kRfcSimpleExample =
    "User-Agent: *\n"
    "Disallow: *.gif$\n"
    "Disallow: /example/\n"
    "Allow: /publications/\n"
    "\n"
    "User-Agent: foobot\n"
    "Disallow:/\n"
    "Allow:/example/page.html\n"
    "Allow:/example/allowed.gif\n"
    "\n"
    "User-Agent: barbot\n"
    "User-Agent: bazbot\n"
    "Disallow: /example/page.html\n"
    "\n"
    "User-Agent: quxbot\n"
    "\n"
    "EOF\n";

TEST(RobotsRfc9309, SimpleExampleStarGroup) {
  // "*": allowed /publications/, not /example/ nor anything ending in .gif.
  expect_cases(kRfcSimpleExample, {
                                      {"riptide", "/publications/", true},
                                      {"riptide", "/publications/paper.pdf", true},
                                      {"riptide", "/example/", false},
                                      {"riptide", "/example/page.html", false},
                                      {"riptide", "/images/cat.gif", false},
                                      {"riptide", "/cat.gif", false},
                                      // "$" anchors at the end: a query follows the .gif.
                                      {"riptide", "/images/cat.gif?size=2", true},
                                      {"riptide", "/cat.gif.html", true},
                                      // Allow: /publications/ is longer than *.gif$.
                                      {"riptide", "/publications/fig.gif", true},
                                      {"riptide", "/", true},
                                      {"riptide", "/about", true},
                                  });
}

TEST(RobotsRfc9309, SimpleExampleFoobotOnlyTwoPaths) {
  expect_cases(kRfcSimpleExample, {
                                      {"foobot", "/example/page.html", true},
                                      {"foobot", "/example/allowed.gif", true},
                                      {"foobot", "/", false},
                                      {"foobot", "/example/other.html", false},
                                      {"foobot", "/publications/", false},
                                      // The product token is matched case-insensitively.
                                      {"FooBot", "/example/page.html", true},
                                      {"FOOBOT", "/index.html", false},
                                  });
}

TEST(RobotsRfc9309, SimpleExampleBarbotAndBazbotShareAGroup) {
  for (const char* bot : {"barbot", "bazbot"}) {
    expect_cases(kRfcSimpleExample, {
                                        {bot, "/example/page.html", false},
                                        // Not governed by "*": .gif and /example/ are fine.
                                        {bot, "/example/other.gif", true},
                                        {bot, "/example/", true},
                                        {bot, "/", true},
                                    });
  }
}

TEST(RobotsRfc9309, SimpleExampleQuxbotEmptyGroupAllowsEverything) {
  // An empty group naming the crawler is still its group: no fallback to "*".
  expect_cases(kRfcSimpleExample, {
                                      {"quxbot", "/example/page.html", true},
                                      {"quxbot", "/cat.gif", true},
                                      {"quxbot", "/", true},
                                  });
  EXPECT_TRUE(Robots::parse(kRfcSimpleExample, "quxbot").has_specific_group());
  EXPECT_FALSE(Robots::parse(kRfcSimpleExample, "riptide").has_specific_group());
}

TEST(RobotsRfc9309, LongestMatch) {
  // 5.2: the longest rule is used.
  constexpr std::string_view kBody =
      "User-Agent: foobot\n"
      "Allow: /example/page/\n"
      "Disallow: /example/page/disallowed.gif\n";
  expect_cases(kBody, {
                          {"foobot", "/example/page/", true},
                          {"foobot", "/example/page/index.html", true},
                          {"foobot", "/example/page/disallowed.gif", false},
                          // No group for us and no "*" group: no rules apply.
                          {"riptide", "/example/page/disallowed.gif", true},
                      });
}

TEST(RobotsRfc9309, MergesGroupsForTheSameAgent) {
  // 2.2.1 figure: two groups naming ExampleBot are combined.
  constexpr std::string_view kBody =
      "user-agent: ExampleBot\n"
      "disallow: /foo\n"
      "disallow: /bar\n"
      "\n"
      "user-agent: ExampleBot\n"
      "disallow: /baz\n";
  expect_cases(kBody, {
                          {"ExampleBot", "/foo", false},
                          {"ExampleBot", "/bar/x", false},
                          {"ExampleBot", "/baz", false},
                          {"ExampleBot", "/qux", true},
                      });
}

TEST(RobotsRfc9309, SpecialCharacters) {
  // 2.2.3 figure 5: "#" comments, "$" end anchor, "*" wildcard.
  expect_cases(
      "user-agent: *\ndisallow: /\nallow: / # comment in line\n# comment on its own line\n",
      {{"riptide", "/anything", true}});
  expect_cases("user-agent: *\ndisallow: /\nallow: /this/path/exactly$\n",
               {
                   {"riptide", "/this/path/exactly", true},
                   {"riptide", "/this/path/exactly/", false},
                   {"riptide", "/this/path/exactly?x=1", false},
               });
  expect_cases("user-agent: *\ndisallow: /\nallow: /this/*/exactly\n",
               {
                   {"riptide", "/this/a/exactly", true},
                   {"riptide", "/this/a/b/exactly", true},  // "*" crosses "/"
                   {"riptide", "/this//exactly", true},
                   {"riptide", "/this/exactly", false},
               });
  // Figure 6: percent-encoded "*" and "$" in a pattern match those characters literally.
  expect_cases("user-agent: *\ndisallow: /path/file-with-a-%2A.html\ndisallow: /path/foo-%24\n",
               {
                   {"riptide", "/path/file-with-a-*.html", false},
                   {"riptide", "/path/file-with-a-%2a.html", false},
                   {"riptide", "/path/file-with-a-x.html", true},
                   {"riptide", "/path/foo-$", false},
                   {"riptide", "/path/foo-", true},
               });
}

TEST(RobotsRfc9309, PercentEncodingTable) {
  // 2.2.2 figure 4: each path and its "path to match" are the same resource. We compare in one
  // normal form (unreserved octets decoded), so we check both sides normalise alike and that a
  // rule written either way matches a request written the other way.
  const struct {
    const char* path;
    const char* path_to_match;
  } rows[] = {
      {"/foo/bar?baz=quz", "/foo/bar?baz=quz"},
      {"/foo/bar?baz=https://foo.bar", "/foo/bar?baz=https%3A%2F%2Ffoo.bar"},
      {"/foo/bar/\xE3\x83\x84", "/foo/bar/%E3%83%84"},
      {"/foo/bar/%E3%83%84", "/foo/bar/%E3%83%84"},
      {"/foo/bar/%62%61%7A", "/foo/bar/baz"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(normalize_robots_path(row.path), normalize_robots_path(row.path_to_match))
        << row.path;
    const std::string rule_path = std::string("user-agent: *\ndisallow: ") + row.path + "$\n";
    const std::string rule_match =
        std::string("user-agent: *\ndisallow: ") + row.path_to_match + "$\n";
    EXPECT_FALSE(allowed(rule_path, row.path_to_match)) << row.path;
    EXPECT_FALSE(allowed(rule_match, row.path)) << row.path;
  }
  EXPECT_EQ(normalize_robots_path("/foo/bar/\xE3\x83\x84"), "/foo/bar/%E3%83%84");
  EXPECT_EQ(normalize_robots_path("/foo/bar/%62%61%7A"), "/foo/bar/baz");
}

// ---- Matching edge cases (2.2.2, 2.2.3). ----

TEST(RobotsMatching, WildcardsAndAnchors) {
  const RuleCase cases[] = {
      {"/", "/", true},
      {"/", "/anything?q", true},
      {"/fish", "/fish", true},
      {"/fish", "/fish.html", true},
      {"/fish", "/fish/salmon.html", true},
      {"/fish", "/fishheads", true},
      {"/fish", "/Fish.asp", false},  // paths are case-sensitive
      {"/fish", "/catfish", false},
      {"/fish", "/?id=fish", false},
      {"/fish*", "/fishheads/yummy.html", true},
      {"/fish/", "/fish", false},
      {"/fish/", "/fish/?id=anything", true},
      {"/*.php", "/filename.php", true},
      {"/*.php", "/folder/filename.php?parameters", true},
      {"/*.php", "/windows.PHP", false},
      {"/*.php$", "/filename.php", true},
      {"/*.php$", "/filename.php?parameters", false},
      {"/*.php$", "/filename.php5", false},
      {"/fish*.php", "/fish.php", true},
      {"/fish*.php", "/fishheads/catfish.php?parameters", true},
      {"/fish*.php", "/Fish.PHP", false},
      {"*.gif$", "/a/b.gif", true},
      {"*", "/x", true},
      {"/**", "/x", true},
      {"/a**b", "/ab", true},
      {"/a*b*c$", "/a-b-c", true},
      {"/a*b*c$", "/a-b-c-d", false},
      {"/a*b*c$", "/abcbc", true},
      {"/a*bc$", "/abc", true},
      {"/a*bc$", "/ab", false},
      {"/ab*$", "/ab", true},
      {"/ab*$", "/abzzz", true},
      {"/$", "/", true},
      {"/$", "/a", false},
      {"/a$b", "/a$b", true},  // "$" is only special at the end
      {"/*?q=", "/search?q=shoes", true},
      {"/*?q=", "/search", false},
      {"/*?", "/page?", true},
      {"/*?", "/page", false},
  };
  expect_rule_cases(cases);
}

TEST(RobotsMatching, LongestMatchAndTies) {
  expect_cases("User-agent: *\nAllow: /p\nDisallow: /\n",
               {{"riptide", "/page", true}, {"riptide", "/other", false}});
  // Equal length: allow wins (2.2.2).
  expect_cases("User-agent: *\nDisallow: /folder\nAllow: /folder\n",
               {{"riptide", "/folder/page", true}});
  expect_cases("User-agent: *\nAllow: /folder\nDisallow: /folder\n",
               {{"riptide", "/folder/page", true}});
  // Length counts the pattern's octets, wildcards included, not what they matched.
  expect_cases("User-agent: *\nAllow: /$\nDisallow: /\n",
               {{"riptide", "/", true}, {"riptide", "/page.htm", false}});
  expect_cases("User-agent: *\nAllow: /page\nDisallow: /*.htm\n",
               {{"riptide", "/page.htm", false}, {"riptide", "/page", true}});
  expect_cases("User-agent: *\nAllow: /page\nDisallow: /*.ph\n", {{"riptide", "/page.php5", true}});
}

TEST(RobotsMatching, RobotsTxtAlwaysAllowedAndEmptyDisallowAllows) {
  expect_cases("User-agent: *\nDisallow: /\n", {
                                                   {"riptide", "/robots.txt", true},
                                                   {"riptide", "/%72obots.txt", true},
                                                   {"riptide", "/robots.txt?x=1", true},
                                                   {"riptide", "/robots.txt.bak", false},
                                                   {"riptide", "/index.html", false},
                                                   {"riptide", "", false},  // empty means "/"
                                               });
  expect_cases("User-agent: *\nDisallow:\n", {{"riptide", "/", true}, {"riptide", "/x", true}});
  expect_cases("User-agent: *\nDisallow: \t \n", {{"riptide", "/x", true}});
}

TEST(RobotsMatching, PercentEncodingNormalisation) {
  const RuleCase cases[] = {
      // Unreserved characters: escape and character are the same; hex case does not matter.
      {"/~joe/", "/%7Ejoe/index.html", true},
      {"/%7ejoe/", "/~joe/index.html", true},
      {"/a%3cd.html", "/a%3Cd.html", true},
      {"/a<d.html", "/a%3Cd.html", true},
      {"/a%3Cd.html", "/a<d.html", true},
      // An encoded "/" is not a path separator: different resources.
      {"/a%2Fb", "/a/b", false},
      {"/a/b", "/a%2Fb", false},
      {"/a%2fb", "/a%2Fb", true},
      {"/a%2Fb", "/a%2Fb", true},
      // ...and an encoded "?" in the path is not the start of the query.
      {"/a%3Fb", "/a?b", false},
      {"/a?b", "/a%3Fb", false},
      // In the query, "&" "=" "+" ";" separate; ":" "/" "?" do not.
      {"/q?x=a&y=b", "/q?x=a&y=b", true},
      {"/q?x=a%26y=b", "/q?x=a&y=b", false},
      {"/q?x=a+b", "/q?x=a%2Bb", false},
      {"/q?u=http://x/y", "/q?u=http%3A%2F%2Fx%2Fy", true},
      {"/q?u=a?b", "/q?u=a%3Fb", true},
      // Non-ASCII (UTF-8 paths) compare in their encoded form.
      {"/caf\xC3\xA9", "/caf%C3%A9", true},
      {"/caf%c3%a9", "/caf\xC3\xA9/menu", true},
      {"/\xE6\x97\xA5\xE6\x9C\xAC", "/%E6%97%A5%E6%9C%AC/", true},
      // Invalid UTF-8 is still just octets.
      {"/\xFF", "/%FF", true},
      // Spaces and other never-raw characters.
      {"/a b", "/a%20b", true},
      // A stray "%" is a literal "%25".
      {"/100%", "/100%25", true},
      {"/100%zz", "/100%25zz", true},
      {"/%25", "/%", true},
      {"/%2525", "/%25", false},
      // Decoding never creates a new escape: "%2541" is "%" "41", not "A".
      {"/%2541", "/A", false},
      {"/%2541", "/%2541", true},
  };
  expect_rule_cases(cases);
}

TEST(RobotsMatching, NormalisationIsIdempotent) {
  for (const char* path : {"/a%2fb%7e", "/%", "/%%41", "/%4", "/\xC3\xA9?q=%3a&x=%26", "/ ? #"}) {
    const std::string once = normalize_robots_path(path);
    EXPECT_EQ(normalize_robots_path(once), once) << path;
  }
}

TEST(RobotsMatching, FragmentIsIgnored) {
  expect_cases("User-agent: *\nDisallow: /a$\n", {{"riptide", "/a#section", false}});
}

// ---- Groups (2.2.1). ----

TEST(RobotsGroups, ProductTokenMatching) {
  constexpr std::string_view kBody =
      "User-agent: Riptide/0.1 (+https://example.com)\n"
      "Disallow: /ours\n"
      "\n"
      "User-agent: riptide-news\n"
      "Disallow: /news\n"
      "\n"
      "User-agent: riptide2\n"
      "Disallow: /two\n"
      "\n"
      "User-agent: *\n"
      "Disallow: /star\n";
  expect_cases(kBody, {
                          // "Riptide/0.1 ..." names the token "Riptide": ours, any case.
                          {"riptide", "/ours", false},
                          // A longer token is another crawler.
                          {"riptide", "/news", true},
                          {"riptide", "/two", true},
                          // Ours replaces "*" entirely.
                          {"riptide", "/star", true},
                          {"riptide-news", "/news", false},
                          {"otherbot", "/star", false},
                          {"otherbot", "/ours", true},
                      });
}

TEST(RobotsGroups, StarGroupsMergeAndNoGroupAllows) {
  expect_cases(
      "User-agent: *\nDisallow: /a\n\nUser-agent: foo\nDisallow: /b\n\n"
      "User-agent: *\nDisallow: /c\n",
      {{"riptide", "/a", false}, {"riptide", "/b", true}, {"riptide", "/c", false}});
  expect_cases("User-agent: foo\nDisallow: /\n", {{"riptide", "/x", true}});
  expect_cases("", {{"riptide", "/x", true}});
  // A "*" followed by junk still counts as the wildcard.
  expect_cases("User-agent: * # everyone\nDisallow: /x\n", {{"riptide", "/x", false}});
}

TEST(RobotsGroups, GroupBoundaries) {
  // Consecutive user-agent lines share a group, even across blank lines and comments.
  expect_cases("User-agent: a\n\n# note\nUser-agent: riptide\nDisallow: /x\n",
               {{"riptide", "/x", false}, {"a", "/x", false}});
  // A user-agent line after a rule starts a new group.
  expect_cases("User-agent: riptide\nDisallow: /x\nUser-agent: b\nDisallow: /y\n",
               {{"riptide", "/x", false}, {"riptide", "/y", true}});
  // Sitemap and unknown lines do not end a group.
  expect_cases(
      "User-agent: riptide\nDisallow: /x\nSitemap: https://e.com/s.xml\nHost: e.com\n"
      "Disallow: /y\n",
      {{"riptide", "/y", false}});
  // Rules before any user-agent line belong to no group.
  expect_cases("Disallow: /\nAllow: /x\n", {{"riptide", "/", true}});
  expect_cases("Disallow: /\nUser-agent: *\nDisallow: /private\n",
               {{"riptide", "/", true}, {"riptide", "/private", false}});
}

TEST(RobotsGroups, ChangingTheProductToken) {
  Robots robots = Robots::parse(kRfcSimpleExample);
  EXPECT_FALSE(robots.allowed("/example/page.html"));
  robots.set_product_token("foobot");
  EXPECT_TRUE(robots.allowed("/example/page.html"));
  EXPECT_FALSE(robots.allowed("/"));
  robots.set_product_token("quxbot");
  EXPECT_TRUE(robots.allowed("/"));
  // A copy is independent of the original (rules are owned, not borrowed).
  Robots copy = robots;
  copy.set_product_token("foobot");
  EXPECT_TRUE(robots.allowed("/"));
  EXPECT_FALSE(copy.allowed("/"));
}

TEST(RobotsGroups, CopiesOutliveTheOriginal) {
  Robots copy;
  RobotsPolicy policy;
  {
    const Robots original = Robots::parse("User-agent: *\nDisallow: /x\n");
    copy = original;
    policy = from_fetch(200, "User-agent: *\nDisallow: /y\n");
  }
  const RobotsPolicy policy_copy = policy;
  policy = RobotsPolicy{};
  EXPECT_FALSE(copy.allowed("/x"));
  EXPECT_TRUE(copy.allowed("/y"));
  EXPECT_FALSE(policy_copy.allowed("/y"));
  EXPECT_TRUE(policy.allowed("/y"));
}

// ---- Syntax robustness (2.2). ----

TEST(RobotsSyntax, CaseBomLineEndsAndWhitespace) {
  constexpr std::string_view kBodies[] = {
      "USER-AGENT: *\nDISALLOW: /x\n",
      "uSeR-aGeNt:*\ndIsAlLoW:/x",
      "\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n",
      "User-agent: *\r\nDisallow: /x\r\n",
      "User-agent: *\rDisallow: /x\r",
      "  User-agent  :  *  \n\tDisallow\t:\t/x\t\n",
      "User-agent: *\n\n\n\r\n\rDisallow: /x",
  };
  for (std::string_view body : kBodies) {
    EXPECT_FALSE(allowed(body, "/x/y")) << body;
    EXPECT_TRUE(allowed(body, "/y")) << body;
  }
  // A BOM anywhere else is not skipped (it is part of the first field name there).
  EXPECT_TRUE(allowed("\n\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n", "/x"));
}

TEST(RobotsSyntax, GarbageLinesAreIgnored) {
  constexpr std::string_view kBody =
      "<html><body>Not a robots.txt</body></html>\n"
      "User-agent: *\n"
      "this line has no colon\n"
      ": empty name\n"
      "Disallow /no-colon\n"
      "Disallow: no-leading-slash\n"
      "Disalow: /typo\n"
      "\x01\x02\x00garbage: \xFF\xFE\n"
      "Disallow: /real\n"sv;  // sv: the body contains a NUL
  const Robots robots = Robots::parse(kBody);
  EXPECT_FALSE(robots.allowed("/real"));
  EXPECT_TRUE(robots.allowed("/no-colon"));
  EXPECT_TRUE(robots.allowed("/no-leading-slash"));
  EXPECT_TRUE(robots.allowed("/typo"));
  EXPECT_TRUE(robots.allowed("/"));
}

TEST(RobotsSyntax, HugeFileIsCutAtTheLimit) {
  // Rules past kMaxRobotsBytes are ignored, however much follows.
  std::string body = "User-agent: *\nDisallow: /first\n";
  body.append(kMaxRobotsBytes - body.size(), '\n');
  body += "Disallow: /after-the-limit\n";
  for (int i = 0; i < 200000; ++i) body += "Disallow: /more\n";  // several MiB in total
  const Robots robots = Robots::parse(body);
  EXPECT_FALSE(robots.allowed("/first"));
  EXPECT_TRUE(robots.allowed("/after-the-limit"));
  EXPECT_TRUE(robots.allowed("/more"));

  // The line the limit cuts is dropped: kept, "Allow: /public-area" would become "Allow: /p".
  std::string cut = "User-agent: *\nDisallow: /\n";
  cut.append(kMaxRobotsBytes - 9 - cut.size(), '\n');
  cut += "Allow: /public-area\n";
  ASSERT_EQ(cut.substr(kMaxRobotsBytes - 9, 9), "Allow: /p");
  const Robots truncated = Robots::parse(cut);
  EXPECT_FALSE(truncated.allowed("/p"));
  EXPECT_FALSE(truncated.allowed("/public-area"));
  // Under the limit the line is kept.
  const std::string small = "User-agent: *\nDisallow: /\nAllow: /public-area\n";
  EXPECT_TRUE(Robots::parse(small).allowed("/public-area"));
}

TEST(RobotsSyntax, ManyRulesStayFast) {
  // 20 000 wildcard rules (about 500 KiB) and a long path: parse once, match many times.
  std::string body = "User-agent: *\n";
  for (int i = 0; i < 20000; ++i) body += "Disallow: /*a*b*" + std::to_string(i) + "$\n";
  const Robots robots = Robots::parse(body);
  const std::string path = "/" + std::string(2000, 'a') + "b";
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(robots.allowed(path));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

// ---- Crawl-delay and Sitemap. ----

TEST(RobotsExtensions, CrawlDelay) {
  struct Case {
    const char* body;
    std::optional<double> delay;
  };
  const Case cases[] = {
      {"User-agent: *\nCrawl-delay: 10\n", 10.0},
      {"User-agent: *\ncrawl-DELAY: 0.5\n", 0.5},
      {"User-agent: *\nCrawl-delay: 0\n", 0.0},
      {"User-agent: *\nCrawl-delay: 86400\n", kMaxCrawlDelaySeconds},
      {"User-agent: *\nCrawl-delay: -1\n", std::nullopt},
      {"User-agent: *\nCrawl-delay: soon\n", std::nullopt},
      {"User-agent: *\nCrawl-delay: 10s\n", std::nullopt},
      {"User-agent: *\nCrawl-delay: inf\n", std::nullopt},
      {"User-agent: *\nCrawl-delay: nan\n", std::nullopt},
      {"User-agent: *\nCrawl-delay:\n", std::nullopt},
      {"Crawl-delay: 5\nUser-agent: *\n", std::nullopt},  // outside any group
      {"User-agent: other\nCrawl-delay: 5\n", std::nullopt},
      // Ours wins over "*", even when smaller.
      {"User-agent: *\nCrawl-delay: 30\n\nUser-agent: riptide\nCrawl-delay: 4\n", 4.0},
      // Several values for us: the largest.
      {"User-agent: riptide\nCrawl-delay: 2\n\nUser-agent: riptide\nCrawl-delay: 3\n", 3.0},
      {"User-agent: riptide\nCrawl-delay: 3\nCrawl-delay: 1\n", 3.0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Robots::parse(c.body).crawl_delay(), c.delay) << c.body;
  }
}

TEST(RobotsExtensions, CrawlDelayDoesNotJoinTheNextUserAgentIntoItsGroup) {
  const Robots robots =
      Robots::parse("User-agent: riptide\nCrawl-delay: 5\nUser-agent: b\nDisallow: /\n");
  EXPECT_EQ(robots.crawl_delay(), 5.0);
  EXPECT_TRUE(robots.allowed("/x"));
}

TEST(RobotsExtensions, SitemapsAnywhereInFileOrderWithoutDuplicates) {
  const Robots robots = Robots::parse(
      "Sitemap: https://example.com/a.xml\n"
      "User-agent: other\n"
      "sitemap:https://example.com/b.xml # trailing comment\n"
      "Disallow: /\n"
      "SITEMAP: https://example.com/a.xml\n"
      "Sitemap:\n"
      "User-agent: *\n"
      "Sitemap: https://example.com/c.xml.gz\n");
  EXPECT_EQ(robots.sitemaps(),
            (std::vector<std::string>{"https://example.com/a.xml", "https://example.com/b.xml",
                                      "https://example.com/c.xml.gz"}));
  // Sitemap lines do not affect groups: "*" still has no rules.
  EXPECT_TRUE(robots.allowed("/"));
}

// ---- Fetch status handling (2.3.1). ----

TEST(RobotsFromFetch, Statuses) {
  constexpr std::string_view kBody = "User-agent: *\nDisallow: /private\nCrawl-delay: 2\n";
  struct Case {
    int status;
    RobotsSource source;
    bool private_allowed;
    bool public_allowed;
  };
  const Case cases[] = {
      {200, RobotsSource::kParsed, false, true},
      {203, RobotsSource::kParsed, false, true},
      {301, RobotsSource::kUnavailable, true, true},  // more than kMaxRobotsRedirects
      {400, RobotsSource::kUnavailable, true, true},
      {401, RobotsSource::kUnavailable, true, true},
      {403, RobotsSource::kUnavailable, true, true},
      {404, RobotsSource::kUnavailable, true, true},
      {410, RobotsSource::kUnavailable, true, true},
      {429, RobotsSource::kUnreachable, false, false},
      {500, RobotsSource::kUnreachable, false, false},
      {503, RobotsSource::kUnreachable, false, false},
      {599, RobotsSource::kUnreachable, false, false},
      {0, RobotsSource::kUnreachable, false, false},  // network error
      {100, RobotsSource::kUnreachable, false, false},
      {-1, RobotsSource::kUnreachable, false, false},
      {700, RobotsSource::kUnreachable, false, false},
  };
  for (const Case& c : cases) {
    const RobotsPolicy policy = from_fetch(c.status, kBody);
    EXPECT_EQ(policy.source, c.source) << c.status;
    EXPECT_EQ(policy.allowed("/private/x"), c.private_allowed) << c.status;
    EXPECT_EQ(policy.allowed("/public"), c.public_allowed) << c.status;
    EXPECT_EQ(policy.refetch_after,
              c.source == RobotsSource::kUnreachable ? kUnreachableRetry : kRobotsCacheTtl)
        << c.status;
    EXPECT_EQ(policy.crawl_delay(),
              c.source == RobotsSource::kParsed ? std::optional<double>(2.0) : std::nullopt)
        << c.status;
  }
  // An error page body is never parsed as rules.
  EXPECT_TRUE(from_fetch(404, "User-agent: *\nDisallow: /\n").allowed("/x"));
  EXPECT_TRUE(from_fetch(200, "User-agent: foobot\nDisallow: /\n", "riptide").allowed("/x"));
  EXPECT_FALSE(from_fetch(200, "User-agent: foobot\nDisallow: /\n", "foobot").allowed("/x"));
}

}  // namespace
}  // namespace riptide::crawl
