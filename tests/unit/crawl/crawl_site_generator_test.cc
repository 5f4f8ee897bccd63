// The generated crawl test site (tests/support/crawl_site.h) is what it claims to be: the crawl
// scenario tests and the benchmark compute their expectations from its page table, so the table
// is checked here against what the server actually serves, read by riptide's own robots.txt,
// sitemap and extraction code.

#include "tests/support/crawl_site.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crawl/robots.h"
#include "crawl/simhash.h"
#include "crawl/sitemap.h"
#include "crawl/url_filter.h"
#include "extract/extractor.h"
#include "fetch/fetcher.h"
#include "tests/support/http_test_client.h"

namespace riptide::testing {
namespace {

using crawl::Robots;

// Small enough to extract every page in well under a second, large enough for every feature.
constexpr uint32_t kPages = 300;

// One GET on a fresh connection, answered as is (no redirect followed, any content type).
struct Answer {
  int status = 0;
  std::string body;
  std::string location;
  std::string retry_after;
};

Answer fetch_raw(const CrawlSite& site, std::string_view url_or_target) {
  std::string target(url_or_target);
  if (target.rfind(site.url(""), 0) == 0) target.erase(0, site.url("").size());
  Client client(site.port());
  Response response = client.request(get(target));
  return {static_cast<int>(response.result_int()), response.body(),
          std::string(response[http::field::location]),
          std::string(response[http::field::retry_after])};
}

class CrawlSiteGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { site_ = new CrawlSite({.pages = kPages}); }
  static void TearDownTestSuite() {
    delete site_;
    site_ = nullptr;
  }
  void SetUp() override { site_->server().clear_log(); }

  static CrawlSite* site_;
};
CrawlSite* CrawlSiteGeneratorTest::site_ = nullptr;

std::map<SitePageKind, size_t> count_kinds(const CrawlSite& site) {
  std::map<SitePageKind, size_t> kinds;
  for (const SitePage& page : site.pages()) ++kinds[page.kind];
  return kinds;
}

TEST_F(CrawlSiteGeneratorTest, HasEveryKindOfPage) {
  auto kinds = count_kinds(*site_);
  EXPECT_EQ(kinds[SitePageKind::kHome], 1u);
  EXPECT_EQ(kinds[SitePageKind::kListing], 2u);
  EXPECT_EQ(kinds[SitePageKind::kArticle], kPages);
  EXPECT_EQ(kinds[SitePageKind::kChain], 20u);
  EXPECT_EQ(kinds[SitePageKind::kDuplicate], kPages / 50);
  EXPECT_EQ(kinds[SitePageKind::kRedirect], 2 * (kPages / 40));  // two hops each
  EXPECT_EQ(kinds[SitePageKind::kRedirectTarget], kPages / 40);
  EXPECT_EQ(kinds[SitePageKind::kNotFound], kPages / 60);
  EXPECT_EQ(kinds[SitePageKind::kServerError], kPages / 70);
  EXPECT_EQ(kinds[SitePageKind::kDisallowed], kPages / 30 + kPages / 35);
  EXPECT_EQ(kinds[SitePageKind::kAllowedPrivate], kPages / 45);
  EXPECT_EQ(kinds[SitePageKind::kThrottled], 1u);
  EXPECT_EQ(kinds[SitePageKind::kOrphan], 5u);
}

TEST_F(CrawlSiteGeneratorTest, DepthsAreShortestLinkDistances) {
  // A page at depth d > 0 is linked from a page at depth d - 1 (or is a redirect hop of a page
  // at depth d), and no link leads more than one level down.
  std::map<std::string, std::vector<const SitePage*>> linked_from;
  for (const SitePage& page : site_->pages()) {
    for (const std::string& target : page.links) linked_from[target].push_back(&page);
    if (!page.redirect_to.empty()) linked_from[page.redirect_to].push_back(&page);
  }
  for (const SitePage& page : site_->pages()) {
    SCOPED_TRACE(page.target);
    if (page.kind == SitePageKind::kOrphan) {
      EXPECT_FALSE(page.depth);
      EXPECT_EQ(page.sitemap_depth, 0u);
      continue;
    }
    ASSERT_TRUE(page.depth);
    if (page.target == "/") {
      EXPECT_EQ(*page.depth, 0u);
      continue;
    }
    bool reached_from_above = false;
    for (const SitePage* from : linked_from[page.target]) {
      if (!from->depth) continue;
      const uint32_t step = from->redirect_to == page.target ? 0 : 1;
      EXPECT_LE(*page.depth, *from->depth + step) << "from " << from->target;
      reached_from_above |= *from->depth + step == *page.depth;
    }
    EXPECT_TRUE(reached_from_above);
  }
  // The chain hangs off the home page alone: /chain/<j> is at depth j + 1.
  EXPECT_EQ(site_->page("/chain/0")->depth, 1u);
  EXPECT_EQ(site_->page("/chain/19")->depth, 20u);
  // The last chain page is in the sitemaps, so a sitemap-seeded crawl reaches it at depth 0
  // and its predecessor at 1.
  EXPECT_EQ(site_->page("/chain/19")->sitemap_depth, 0u);
  EXPECT_EQ(site_->page("/chain/18")->sitemap_depth, 1u);
}

TEST_F(CrawlSiteGeneratorTest, ExpectedTargetsFollowDepthRobotsAndSitemaps) {
  EXPECT_EQ(site_->expected_targets({.max_depth = 0}), std::set<std::string>{"/"});
  const std::set<std::string> depth1 = site_->expected_targets({.max_depth = 1});
  EXPECT_EQ(depth1, (std::set<std::string>{"/", "/articles/0", "/chain/0", "/list?sort=a",
                                           "/list?sort=b", "/busy"}));
  const auto polite = site_->expected_targets({.max_depth = 100});
  const auto rude = site_->expected_targets({.max_depth = 100, .respect_robots = false});
  EXPECT_EQ(rude.size() - polite.size(), kPages / 30 + kPages / 35);
  EXPECT_EQ(polite.count("/private/29"), 0u);
  EXPECT_EQ(polite.count("/private/public-44"), 1u);
  // Orphans only with sitemaps; the disallowed sitemap entry never with robots respected.
  EXPECT_EQ(polite.count("/orphan/0"), 0u);
  const auto seeded = site_->expected_targets({.max_depth = 100, .use_sitemaps = true});
  EXPECT_EQ(seeded.size(), polite.size() + 5);
  EXPECT_EQ(seeded.count("/orphan/4"), 1u);
}

TEST_F(CrawlSiteGeneratorTest, RobotsTxtMatchesTheDisallowedFlags) {
  const Answer response = fetch_raw(*site_, "/robots.txt");
  EXPECT_EQ(response.status, 200);
  const Robots robots = Robots::parse(response.body);
  size_t disallowed = 0;
  for (const SitePage& page : site_->pages()) {
    EXPECT_EQ(robots.allowed(page.target), !page.disallowed) << page.target;
    disallowed += page.disallowed;
  }
  EXPECT_GT(disallowed, 0u);
  EXPECT_EQ(robots.sitemaps(), std::vector<std::string>{site_->url("/sitemap_index.xml")});
  EXPECT_FALSE(robots.crawl_delay());
  // The other bot's group does not apply to riptide, but it does to that bot.
  EXPECT_FALSE(Robots::parse(response.body, "otherbot").allowed("/articles/0"));
}

TEST_F(CrawlSiteGeneratorTest, CrawlDelayIsWrittenWhenConfigured) {
  CrawlSite delayed({.pages = 10, .crawl_delay_seconds = 0.25});
  const Robots robots = Robots::parse(fetch_raw(delayed, "/robots.txt").body);
  ASSERT_TRUE(robots.crawl_delay());
  EXPECT_DOUBLE_EQ(*robots.crawl_delay(), 0.25);
}

TEST_F(CrawlSiteGeneratorTest, SitemapIndexWithGzipChildrenListsTheSitemapPages) {
  auto index = crawl::parse_sitemap(fetch_raw(*site_, "/sitemap_index.xml").body);
  ASSERT_TRUE(index.ok()) << index.error().message();
  ASSERT_EQ(index->kind, crawl::SitemapKind::kIndex);
  ASSERT_EQ(index->entries.size(), CrawlSite::kSitemapChildren);
  std::set<std::string> listed;
  for (const crawl::SitemapEntry& child : index->entries) {
    const Answer response = fetch_raw(*site_, child.url);
    EXPECT_TRUE(crawl::is_gzip(response.body)) << child.url;
    auto urlset = crawl::parse_sitemap(response.body);
    ASSERT_TRUE(urlset.ok()) << urlset.error().message();
    EXPECT_EQ(urlset->kind, crawl::SitemapKind::kUrlset);
    EXPECT_EQ(urlset->skipped, 0u);
    for (const crawl::SitemapEntry& entry : urlset->entries) listed.insert(entry.url);
  }
  std::set<std::string> expected;
  for (const SitePage& page : site_->pages()) {
    if (page.in_sitemap) expected.insert(site_->url(page.target));
  }
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(expected.size(), 5u + kPages / 10 + 1 + 1);  // orphans, articles, chain end, private
  // /sitemap.xml is the same index, for crawls that do not read robots.txt.
  EXPECT_EQ(fetch_raw(*site_, "/sitemap.xml").body, fetch_raw(*site_, "/sitemap_index.xml").body);
}

// Every HTML page, extracted in article mode the way the crawler does: 300-600 words, and the
// links riptide finds are exactly the page table's links (after crawl canonicalisation) plus the
// out-of-scope ones, so a crawl of the site follows the graph the depths were computed on.
TEST_F(CrawlSiteGeneratorTest, ExtractedPagesHaveTheirWordsAndExactlyTheirLinks) {
  const auto filter = crawl::UrlFilter::create({}, std::vector<std::string>{site_->url("/")});
  ASSERT_TRUE(filter.ok());
  extract::Extractor extractor;
  size_t extracted = 0;
  for (const SitePage& page : site_->pages()) {
    if (page.status != 200) continue;
    SCOPED_TRACE(page.target);
    extract::Options options;
    options.url = site_->url(page.target);
    auto record = extractor.extract(site_->html(page.target), options);
    ASSERT_TRUE(record.ok()) << record.error().message();
    EXPECT_GE(record->word_count, kSiteMinWords);
    EXPECT_LE(record->word_count, kSiteMaxWords + 40);  // title, byline and headings count too
    std::set<std::string> links;
    for (const extract::Link& link : record->links) {
      auto canonical = filter->canonicalize(link.url);
      ASSERT_TRUE(canonical.ok()) << link.url;
      if (filter->check(*canonical) != crawl::Verdict::kAccepted) continue;
      links.insert(std::string(crawl::path_and_query(*canonical)));
    }
    EXPECT_EQ(links, std::set<std::string>(page.links.begin(), page.links.end()));
    ++extracted;
  }
  EXPECT_GT(extracted, kPages);
}

TEST_F(CrawlSiteGeneratorTest, DuplicatesShareTheirOriginalsTextAndOthersDoNot) {
  extract::Extractor extractor;
  auto text_of = [&](const std::string& target) {
    extract::Options options;
    options.url = site_->url(target);
    auto record = extractor.extract(site_->html(target), options);
    EXPECT_TRUE(record.ok());
    return record.ok() ? record->text : std::string();
  };
  size_t duplicates = 0;
  for (const SitePage& page : site_->pages()) {
    if (page.kind != SitePageKind::kDuplicate) continue;
    SCOPED_TRACE(page.target);
    const std::string copy = text_of(page.target);
    EXPECT_EQ(copy, text_of(page.duplicate_of));
    EXPECT_EQ(crawl::simhash(copy), crawl::simhash(text_of(page.duplicate_of)));
    ++duplicates;
  }
  EXPECT_EQ(duplicates, kPages / 50);
  // Distinct articles are far apart, so a crawler flags only the real duplicates.
  for (uint32_t i = 0; i + 1 < 40; ++i) {
    const uint64_t a = crawl::simhash(text_of("/articles/" + std::to_string(i)));
    const uint64_t b = crawl::simhash(text_of("/articles/" + std::to_string(i + 1)));
    EXPECT_FALSE(crawl::is_near_duplicate(a, b)) << i;
  }
}

TEST_F(CrawlSiteGeneratorTest, RedirectChainsErrorsThrottleAndSlowArticles) {
  const Answer first = fetch_raw(*site_, "/old/39");
  EXPECT_EQ(first.status, 301);
  EXPECT_EQ(first.location, "/older/39");
  const Answer second = fetch_raw(*site_, "/older/39");
  EXPECT_EQ(second.status, 301);
  EXPECT_EQ(second.location, site_->url("/moved/39"));
  // libcurl (the crawler's fetcher) resolves both hops.
  fetch::FetchConfig config;
  config.allow_private_networks = true;
  const fetch::Fetcher fetcher(config);
  fetch::FetchResponse followed = fetcher.fetch(site_->url("/old/39")).value();
  EXPECT_EQ(followed.status, 200);
  EXPECT_EQ(followed.final_url, site_->url("/moved/39"));
  EXPECT_EQ(followed.redirects.size(), 2u);
  EXPECT_EQ(site_->server().requests_for("/old/39")[0].target, "/old/39");

  EXPECT_EQ(fetch_raw(*site_, "/missing/59").status, 404);
  EXPECT_EQ(fetch_raw(*site_, "/broken/69").status, 500);
  EXPECT_EQ(fetch_raw(*site_, "/nothing/here").status, 404);

  CrawlSite throttled({.pages = 5, .retry_after_seconds = 7});
  const Answer busy = fetch_raw(throttled, "/busy");
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.retry_after, "7");
  EXPECT_EQ(fetch_raw(throttled, "/busy").status, 200);
  EXPECT_EQ(fetch_raw(throttled, "/busy").status, 200);

  CrawlSite slow({.pages = 5, .article_delay = std::chrono::milliseconds(200)});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(fetch_raw(slow, "/").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(fetch_raw(slow, "/articles/1").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

TEST_F(CrawlSiteGeneratorTest, PageRequestsLeaveOutRobotsAndSitemaps) {
  for (const char* target : {"/robots.txt", "/sitemap_index.xml", "/sitemaps/pages-1.xml.gz",
                             "/articles/3", "/list?sort=b"}) {
    EXPECT_EQ(fetch_raw(*site_, target).status, 200) << target;
  }
  std::vector<std::string> targets;
  for (const HttpRequest& request : site_->page_requests()) targets.push_back(request.target);
  EXPECT_EQ(targets, (std::vector<std::string>{"/articles/3", "/list?sort=b"}));
}

TEST(CrawlSiteGenerator, SameSeedSameSiteOtherSeedOtherText) {
  CrawlSite a({.pages = 50, .seed = 7});
  CrawlSite b({.pages = 50, .seed = 7});
  CrawlSite c({.pages = 50, .seed = 8});
  ASSERT_EQ(a.pages().size(), b.pages().size());
  for (size_t i = 0; i < a.pages().size(); ++i) {
    EXPECT_EQ(a.pages()[i].target, b.pages()[i].target);
    EXPECT_EQ(a.pages()[i].links, b.pages()[i].links);
    EXPECT_EQ(a.pages()[i].depth, b.pages()[i].depth);
  }
  // Bodies differ only in the port of absolute links, so compare a page without any (article
  // i links its parent absolutely when i % 3 == 1).
  EXPECT_EQ(a.html("/articles/8"), b.html("/articles/8"));
  EXPECT_NE(a.html("/articles/8"), c.html("/articles/8"));
}

TEST(CrawlSiteGenerator, PlainSiteIsHomeAndArticlesOnly) {
  CrawlSite site(CrawlSiteConfig::plain(1000));
  EXPECT_EQ(site.pages().size(), 1001u);
  EXPECT_EQ(site.expected_targets({.max_depth = 50}).size(), 1001u);
  uint32_t deepest = 0;
  for (const SitePage& page : site.pages()) deepest = std::max(deepest, page.depth.value());
  EXPECT_LT(deepest, 12u);
  EXPECT_TRUE(Robots::parse(fetch_raw(site, "/robots.txt").body).allowed("/articles/1"));
  EXPECT_EQ(fetch_raw(site, "/sitemap.xml").status, 404);
}

TEST(CrawlSiteGenerator, RefusesABadConfig) {
  EXPECT_THROW(CrawlSite({.pages = 0}), std::invalid_argument);
  EXPECT_THROW(CrawlSite({.pages = 10, .fanout = 0}), std::invalid_argument);
  // More children than an article's prose has room for links.
  EXPECT_THROW(CrawlSite({.pages = 100, .fanout = 40}), std::invalid_argument);
  EXPECT_NO_THROW(CrawlSite({.pages = 100, .fanout = 20}));
  EXPECT_THROW(CrawlSite({.pages = 10, .crawl_delay_seconds = -1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace riptide::testing
