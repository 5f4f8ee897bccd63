// Crawl URL canonicalisation, scope, include/exclude patterns and budgets.
#include "crawl/url_filter.h"

#include <gtest/gtest.h>

#include <chrono>

namespace riptide::crawl {
namespace {

UrlFilter make_filter(UrlFilterConfig config, std::vector<std::string> seeds) {
  auto filter = UrlFilter::create(std::move(config), seeds);
  EXPECT_TRUE(filter.ok()) << (filter.ok() ? "" : filter.error().to_string());
  return std::move(filter).value();
}

std::string canonical(const UrlFilter& filter, std::string_view link) {
  auto url = filter.canonicalize(link);
  return url.ok() ? std::string(url->href()) : "error: " + url.error().message();
}

TEST(UrlFilter, Canonicalisation) {
  const UrlFilter filter = make_filter({}, {"https://example.com/"});
  struct Case {
    const char* input;
    const char* expected;
  };
  const Case cases[] = {
      {"HTTPS://Example.COM:443/a/./b/../c#section", "https://example.com/a/c"},
      {"https://example.com/p?utm_source=x&id=7&UTM_campaign=y", "https://example.com/p?id=7"},
      {"https://example.com/p?gclid=1&fbclid=2&msclkid=3&dclid=4&gbraid=5&wbraid=6",
       "https://example.com/p"},
      {"https://example.com/p?yclid=1&mc_cid=2&mc_eid=3&_ga=4&_gl=5&igshid=6&ref_src=7&q=1",
       "https://example.com/p?q=1"},
      {"https://example.com/p?", "https://example.com/p"},
      {"https://example.com/%7euser", "https://example.com/~user"},
      // Parameter order is kept: some servers give it meaning.
      {"https://example.com/?b=2&a=1", "https://example.com/?b=2&a=1"},
      {"http://example.com:8080/x", "http://example.com:8080/x"},
  };
  for (const Case& c : cases) EXPECT_EQ(canonical(filter, c.input), c.expected) << c.input;
}

TEST(UrlFilter, RefusesNonHttpUrls) {
  const UrlFilter filter = make_filter({}, {"https://example.com/"});
  for (const char* bad : {"mailto:a@example.com", "javascript:alert(1)", "ftp://example.com/x",
                          "/relative/without/base", "file:///etc/passwd", "http://"}) {
    EXPECT_FALSE(filter.canonicalize(bad).ok()) << bad;
  }
}

TEST(UrlFilter, ResolvesAgainstTheBase) {
  const UrlFilter filter = make_filter({}, {"https://example.com/"});
  auto base = url::parse("https://example.com/docs/intro.html");
  ASSERT_TRUE(base.ok());
  auto url = filter.canonicalize("../blog/post#comments", &*base);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->href(), "https://example.com/blog/post");
}

TEST(UrlFilter, TrackingParametersAreConfigurable) {
  UrlFilterConfig config;
  config.tracking_parameters = {"session", "x_*"};
  const UrlFilter custom = make_filter(config, {"https://example.com/"});
  EXPECT_EQ(canonical(custom, "https://example.com/?session=1&x_a=2&utm_source=3"),
            "https://example.com/?utm_source=3");
  UrlFilterConfig keep;
  keep.remove_tracking_parameters = false;
  const UrlFilter keeping = make_filter(keep, {"https://example.com/"});
  EXPECT_EQ(canonical(keeping, "https://example.com/?utm_source=3#f"),
            "https://example.com/?utm_source=3");
}

TEST(RegistrableDomain, Heuristic) {
  struct Case {
    const char* host;
    const char* domain;
  };
  const Case cases[] = {
      {"example.com", "example.com"},
      {"www.example.com", "example.com"},
      {"a.b.example.org", "example.org"},
      {"www.bbc.co.uk", "bbc.co.uk"},
      {"bbc.co.uk", "bbc.co.uk"},
      {"shop.example.com.au", "example.com.au"},
      {"news.example.ac.jp", "example.ac.jp"},
      {"example.de", "example.de"},
      {"www.example.de", "example.de"},
      // Three-letter TLD: "com" is not a registry label there.
      {"x.com.info", "com.info"},
      {"localhost", "localhost"},
      {"127.0.0.1", "127.0.0.1"},
      {"[::1]", "[::1]"},
      {"co.uk", "co.uk"},
      {"www.example.com.", "example.com"},
      // The documented limit: private suffixes are not known.
      {"alice.github.io", "github.io"},
  };
  for (const Case& c : cases) EXPECT_EQ(registrable_domain(c.host), c.domain) << c.host;
}

TEST(UrlFilter, Scopes) {
  struct Case {
    Scope scope;
    const char* url;
    Verdict expected;
  };
  const Case cases[] = {
      {Scope::kHost, "https://blog.example.com/a", Verdict::kAccepted},
      {Scope::kHost, "http://blog.example.com:8080/a", Verdict::kAccepted},
      {Scope::kHost, "https://example.com/a", Verdict::kOutOfScope},
      {Scope::kHost, "https://x.blog.example.com/a", Verdict::kOutOfScope},
      {Scope::kSubdomains, "https://blog.example.com/a", Verdict::kAccepted},
      {Scope::kSubdomains, "https://x.blog.example.com/a", Verdict::kAccepted},
      {Scope::kSubdomains, "https://example.com/a", Verdict::kOutOfScope},
      {Scope::kSubdomains, "https://evilblog.example.com/a", Verdict::kOutOfScope},
      {Scope::kDomain, "https://example.com/a", Verdict::kAccepted},
      {Scope::kDomain, "https://shop.example.com/a", Verdict::kAccepted},
      {Scope::kDomain, "https://example.com.evil.net/a", Verdict::kOutOfScope},
      {Scope::kDomain, "https://notexample.com/a", Verdict::kOutOfScope},
  };
  for (const Case& c : cases) {
    UrlFilterConfig config;
    config.scope = c.scope;
    const UrlFilter filter = make_filter(config, {"https://blog.example.com/start"});
    auto url = filter.canonicalize(c.url);
    ASSERT_TRUE(url.ok()) << c.url;
    EXPECT_EQ(verdict_name(filter.check(*url)), verdict_name(c.expected))
        << scope_name(c.scope) << " " << c.url;
  }
}

TEST(UrlFilter, SeveralSeedsWidenTheScope) {
  const UrlFilter filter = make_filter({}, {"https://a.test/", "https://b.test/x"});
  for (const char* url : {"https://a.test/1", "https://b.test/2"}) {
    EXPECT_EQ(filter.check(*filter.canonicalize(url)), Verdict::kAccepted) << url;
  }
  EXPECT_EQ(filter.check(*filter.canonicalize("https://c.test/")), Verdict::kOutOfScope);
}

TEST(UrlFilter, ScopeNames) {
  for (Scope s : {Scope::kHost, Scope::kDomain, Scope::kSubdomains}) {
    EXPECT_EQ(parse_scope(scope_name(s)), s);
  }
  EXPECT_FALSE(parse_scope("everything").has_value());
}

TEST(UrlPattern, Globs) {
  struct Case {
    const char* pattern;
    const char* subject;
    bool matches;
  };
  const Case cases[] = {
      {"/blog/*", "/blog/", true},
      {"/blog/*", "/blog/a/b", true},
      {"/blog/*", "/blog/a?page=2", true},
      {"/blog/*", "/blog", false},
      {"/blog/*", "/news/blog/a", false},
      {"*/print", "/a/b/print", true},
      {"*/print", "/a/b/print/x", false},
      {"/a/**/c", "/a/x/y/c", true},
      {"*.pdf", "/files/report.pdf", true},
      {"*.pdf", "/files/report.pdf.html", false},
      {"*?sort=*", "/list?sort=asc", true},
      {"/exact", "/exact", true},
      {"/exact", "/exact/", false},
      // '.' and '?' are literal in globs.
      {"/a.b", "/axb", false},
      {"/a?", "/ab", false},
      {"*a*a*a*a*a*b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
       false},
  };
  for (const Case& c : cases) {
    auto p = UrlPattern::compile(c.pattern);
    ASSERT_TRUE(p.ok()) << c.pattern;
    EXPECT_EQ(p->matches(c.subject), c.matches) << c.pattern << " ~ " << c.subject;
  }
}

TEST(UrlPattern, Regexes) {
  auto p = UrlPattern::compile(R"(re:^/docs/v\d+/)");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->matches("/docs/v2/intro"));
  EXPECT_FALSE(p->matches("/docs/latest/intro"));
  EXPECT_FALSE(p->matches("/x/docs/v2/"));
  // Searched, not anchored.
  auto q = UrlPattern::compile("re:session=");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->matches("/a?x=1&session=2"));
}

TEST(UrlPattern, RefusesBadPatterns) {
  for (const std::string& bad : {std::string(""), std::string("re:"), std::string("re:(unclosed"),
                                 std::string("re:[z-a]"), std::string(kMaxPatternBytes + 1, 'a')}) {
    auto p = UrlPattern::compile(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument);
  }
}

// Patterns that make a backtracking matcher exponential (or a high-degree polynomial) against
// the longest path a crawl URL may have answer at once: regexes run as an NFA simulation.
TEST(UrlPattern, PathologicalRegexesMatchInLinearTime) {
  const std::string subject = "/" + std::string(kMaxCrawlPathBytes - 2, 'a') + "!";
  const auto start = std::chrono::steady_clock::now();
  for (const char* pathological :
       {"re:^/(a+)+$", "re:(a|aa)+$", "re:a*a*a*a*a*a*b", "re:(.*)*x", "re:(a*)*(a|b)*(a*b*)*c"}) {
    auto p = UrlPattern::compile(pathological);
    ASSERT_TRUE(p.ok()) << pathological;
    EXPECT_FALSE(p->matches(subject)) << pathological;
  }
  auto nested = UrlPattern::compile("re:^/(a+)+!$");
  ASSERT_TRUE(nested.ok());
  EXPECT_TRUE(nested->matches(subject));
  // A backtracking matcher needs minutes to hours here; the NFA a few milliseconds each.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(UrlPattern, RegexSearchKeepsAnchorsAndRefusesBackReferences) {
  auto anchored = UrlPattern::compile(R"(re:\.pdf$)");
  ASSERT_TRUE(anchored.ok());
  EXPECT_TRUE(anchored->matches("/a/report.pdf"));
  EXPECT_FALSE(anchored->matches("/a/report.pdf.html"));
  auto alternation = UrlPattern::compile("re:^/a|^/b");  // top-level '|' stays one pattern
  ASSERT_TRUE(alternation.ok());
  EXPECT_TRUE(alternation->matches("/b/x"));
  EXPECT_FALSE(alternation->matches("/c/a"));
  EXPECT_FALSE(UrlPattern::compile(R"(re:(a)\1)").ok());
  // Unbalanced groups are refused although the wrapped form would parse.
  EXPECT_FALSE(UrlPattern::compile("re:a)(b").ok());
}

TEST(UrlFilter, IncludeExcludeExcludeWins) {
  UrlFilterConfig config;
  config.include = {"/docs/*", "re:^/blog/\\d{4}/"};
  config.exclude = {"*/draft*", "re:[?&]print="};
  const UrlFilter filter = make_filter(config, {"https://example.com/"});
  struct Case {
    const char* url;
    Verdict expected;
  };
  const Case cases[] = {
      {"https://example.com/docs/a", Verdict::kAccepted},
      {"https://example.com/blog/2024/post", Verdict::kAccepted},
      {"https://example.com/blog/latest", Verdict::kNotIncluded},
      {"https://example.com/", Verdict::kNotIncluded},
      {"https://example.com/docs/draft-1", Verdict::kExcluded},
      {"https://example.com/docs/a?print=1", Verdict::kExcluded},
      {"https://other.com/docs/a", Verdict::kOutOfScope},
  };
  for (const Case& c : cases) {
    auto url = filter.canonicalize(c.url);
    ASSERT_TRUE(url.ok());
    EXPECT_EQ(verdict_name(filter.check(*url)), verdict_name(c.expected)) << c.url;
  }
}

TEST(UrlFilter, OverLongUrlsAreRefused) {
  const UrlFilter filter = make_filter({}, {"https://example.com/"});
  auto url = filter.canonicalize("https://example.com/" + std::string(kMaxCrawlPathBytes, 'a'));
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(filter.check(*url), Verdict::kTooLong);
}

TEST(UrlFilter, LongestBudgetPatternApplies) {
  UrlFilterConfig config;
  config.budgets = {{"/blog/*", 100}, {"/blog/2024/*", 5}, {"re:\\.pdf$", 1}};
  const UrlFilter filter = make_filter(config, {"https://example.com/"});
  auto budget = [&](const char* u) { return filter.budget_for(*filter.canonicalize(u)); };
  EXPECT_EQ(budget("https://example.com/blog/a"), 0u);
  EXPECT_EQ(budget("https://example.com/blog/2024/a"), 1u);
  EXPECT_EQ(budget("https://example.com/x.pdf"), 2u);
  EXPECT_EQ(budget("https://example.com/about"), std::nullopt);
}

TEST(UrlFilter, CreateRefusesBadConfiguration) {
  UrlFilterConfig bad_pattern;
  bad_pattern.exclude = {"re:("};
  EXPECT_FALSE(UrlFilter::create(bad_pattern, std::vector<std::string>{"https://a.test/"}).ok());
  EXPECT_FALSE(UrlFilter::create({}, std::vector<std::string>{}).ok());
  EXPECT_FALSE(UrlFilter::create({}, std::vector<std::string>{"not a url"}).ok());
  UrlFilterConfig too_many;
  too_many.include.assign(kMaxPatterns + 1, "/a");
  EXPECT_FALSE(UrlFilter::create(too_many, std::vector<std::string>{"https://a.test/"}).ok());
}

}  // namespace
}  // namespace riptide::crawl
