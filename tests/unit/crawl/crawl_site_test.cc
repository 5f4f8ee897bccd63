// crawl::Crawler end to end over the generated site (tests/support/crawl_site.h): the real
// fetcher on loopback, the real sandbox engine, robots.txt and sitemaps as served. Every
// assertion is read from the site's request log or the pages reported to the sink, and every
// expectation is computed from the generator's page table (depths, robots flags, duplicates),
// never written by hand.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crawl/crawler.h"
#include "crawl/robots_cache.h"
#include "fetch/fetcher.h"
#include "sandbox/config.h"
#include "sandbox/engine.h"
#include "tests/support/crawl_site.h"

namespace riptide::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Request arrivals are stamped by the site when a request's headers are complete, not when the
// crawler started it, so two arrivals can be closer than the two starts by the difference in
// their network latency (loopback, a warm keep-alive connection: well under this).
constexpr milliseconds kArrivalJitter{2};
// The crawler's promise: run() returns within about a second of cancel().
constexpr milliseconds kCancelWithin{1000};

// The fetcher, sandbox engine and the crawl's collaborators, shared by every test of the binary
// (the engine's pool is the expensive part). Created on first use and intentionally never
// destroyed: crawl threads are gone by then, and static destruction order is not ours to rely on.
struct Shared {
  Shared() : fetcher(fetch_config()), engine(sandbox::Engine::create(sandbox::SandboxConfig{})) {}
  static fetch::FetchConfig fetch_config() {
    fetch::FetchConfig config;
    config.allow_private_networks = true;
    config.connect_timeout = milliseconds(2000);
    config.total_timeout = milliseconds(10'000);
    return config;
  }
  fetch::Fetcher fetcher;
  std::unique_ptr<sandbox::Engine> engine;
};

Shared& shared() {
  static Shared* instance = new Shared();
  return *instance;
}

class RecordingSink : public crawl::CrawlSink {
 public:
  void on_page(const crawl::CrawlPage& page) override {
    pages.push_back(page);
    if (after_page) after_page(page);
  }
  void on_checkpoint(const crawl::FrontierState& state,
                     const crawl::CrawlProgress& progress) override {
    checkpoint = state;
    last_progress = progress;
    ++checkpoints;
  }

  // Called after each page is recorded, on the crawler's thread.
  std::function<void(const crawl::CrawlPage&)> after_page;
  std::vector<crawl::CrawlPage> pages;
  std::optional<crawl::FrontierState> checkpoint;
  crawl::CrawlProgress last_progress;
  size_t checkpoints = 0;
};

// Politeness off, one host slot: the crawl is strictly sequential, so breadth-first order (and
// hence every depth) is exactly the generator's BFS.
crawl::CrawlOptions sequential_options(uint32_t max_depth) {
  crawl::CrawlOptions options;
  options.frontier.max_depth = max_depth;
  options.frontier.host_delay = milliseconds(0);
  options.frontier.host_concurrency = 1;
  options.concurrency = 4;
  return options;
}

// As fast as the machine goes: for crawls whose outcome does not depend on the order.
crawl::CrawlOptions parallel_options(uint32_t max_depth) {
  crawl::CrawlOptions options = sequential_options(max_depth);
  options.frontier.host_concurrency = 8;
  options.concurrency = 8;
  return options;
}

// One crawl with its own robots.txt cache (so each crawl fetches robots.txt itself).
struct Crawl {
  std::unique_ptr<crawl::RobotsCache> robots;
  std::unique_ptr<crawl::Crawler> crawler;
  RecordingSink sink;
  std::optional<crawl::CrawlEnd> end;

  crawl::CrawlEnd run() {
    end = crawler->run(sink);
    return *end;
  }
};

std::unique_ptr<Crawl> make_crawl(const CrawlSite& site, crawl::CrawlOptions options,
                                  const crawl::FrontierState* resume = nullptr,
                                  std::vector<std::pair<uint64_t, std::string>> known = {}) {
  auto crawl = std::make_unique<Crawl>();
  crawl->robots = std::make_unique<crawl::RobotsCache>(shared().fetcher);
  auto crawler =
      crawl::Crawler::create({shared().fetcher, *shared().engine, *crawl->robots},
                             std::move(options), {site.url("/")}, resume, std::move(known));
  EXPECT_TRUE(crawler.ok()) << crawler.error().message();
  if (crawler.ok()) crawl->crawler = std::move(crawler).value();
  return crawl;
}

// The targets requested (robots.txt and sitemaps left out), with how often.
std::map<std::string, size_t> request_counts(const CrawlSite& site) {
  std::map<std::string, size_t> counts;
  for (const HttpRequest& request : site.page_requests()) ++counts[request.target];
  return counts;
}

std::set<std::string> keys(const std::map<std::string, size_t>& counts) {
  std::set<std::string> out;
  for (const auto& [key, count] : counts) out.insert(key);
  return out;
}

// "/articles/3" for "http://127.0.0.1:port/articles/3".
std::string target_of(const CrawlSite& site, const std::string& url) {
  const std::string origin = site.url("");
  return url.rfind(origin, 0) == 0 ? url.substr(origin.size()) : url;
}

void expect_each_requested_once(const std::map<std::string, size_t>& counts) {
  for (const auto& [target, count] : counts) EXPECT_EQ(count, 1u) << target << " requested twice";
}

// Gaps between consecutive page requests, in arrival order.
std::vector<milliseconds> arrival_gaps(const CrawlSite& site) {
  std::vector<HttpRequest> requests = site.page_requests();
  std::vector<milliseconds> gaps;
  for (size_t i = 1; i < requests.size(); ++i) {
    gaps.push_back(
        std::chrono::duration_cast<milliseconds>(requests[i].arrival - requests[i - 1].arrival));
  }
  return gaps;
}

// ---------------------------------------------------------------------------------------------
// One crawl of a whole site (every trap on), checked from several sides.

class WholeSiteCrawl : public ::testing::Test {
 protected:
  static constexpr uint32_t kPages = 600;

  static void SetUpTestSuite() {
    site_ = new CrawlSite({.pages = kPages, .duplicate_every = 25, .throttle_once = false});
    crawl_ = make_crawl(*site_, parallel_options(100)).release();
    if (crawl_->crawler) crawl_->run();
  }
  static void TearDownTestSuite() {
    delete crawl_;
    delete site_;
  }
  void SetUp() override { ASSERT_EQ(crawl_->end, crawl::CrawlEnd::kCompleted); }

  static std::map<std::string, const crawl::CrawlPage*> reported() {
    std::map<std::string, const crawl::CrawlPage*> pages;
    for (const crawl::CrawlPage& page : crawl_->sink.pages) {
      EXPECT_TRUE(pages.emplace(target_of(*site_, page.url), &page).second)
          << page.url << " reported twice";
    }
    return pages;
  }

  static CrawlSite* site_;
  static Crawl* crawl_;
};
CrawlSite* WholeSiteCrawl::site_ = nullptr;
Crawl* WholeSiteCrawl::crawl_ = nullptr;

TEST_F(WholeSiteCrawl, RequestsExactlyTheReachableAllowedPagesEachOnce) {
  const auto counts = request_counts(*site_);
  EXPECT_EQ(keys(counts), site_->expected_targets({.max_depth = 100}));
  expect_each_requested_once(counts);
  EXPECT_EQ(site_->server().requests_for("/robots.txt").size(), 1u);
}

TEST_F(WholeSiteCrawl, NeverRequestsDisallowedTrackingOrOutOfScopeUrls) {
  const std::string host = "127.0.0.1:" + std::to_string(site_->port());
  for (const HttpRequest& request : site_->server().requests()) {
    const SitePage* page = site_->page(request.target);
    EXPECT_TRUE(page == nullptr || !page->disallowed) << request.target;
    EXPECT_EQ(request.target.find("utm_"), std::string::npos) << request.target;
    EXPECT_EQ(request.target.find("ref_src"), std::string::npos) << request.target;
    // The home page links the same server as "localhost": another host, out of scope.
    EXPECT_EQ(request.header("Host"), host) << request.target;
  }
}

TEST_F(WholeSiteCrawl, ReportsDisallowedPagesAsSkippedAndErrorsAsErrors) {
  size_t disallowed = 0;
  for (const auto& [target, page] : reported()) {
    const SitePage* site_page = site_->page(target);
    ASSERT_NE(site_page, nullptr) << target;
    SCOPED_TRACE(target);
    EXPECT_EQ(page->skipped, site_page->disallowed);
    if (site_page->disallowed) {
      ++disallowed;
      EXPECT_FALSE(page->record);
      EXPECT_FALSE(page->error);
    } else if (site_page->status == 404 || site_page->status == 500) {
      EXPECT_EQ(page->status, site_page->status);
      EXPECT_TRUE(page->error);
      EXPECT_FALSE(page->record);
    } else {
      EXPECT_EQ(page->status, 200);
      EXPECT_TRUE(page->record);
    }
  }
  size_t expected_disallowed = 0;
  for (const SitePage& page : site_->pages()) expected_disallowed += page.disallowed;
  EXPECT_EQ(disallowed, expected_disallowed);
  EXPECT_GT(disallowed, 0u);
}

TEST_F(WholeSiteCrawl, FollowsRedirectChainsToTheirEnd) {
  size_t redirects = 0;
  for (const auto& [target, page] : reported()) {
    if (target.rfind("/old/", 0) != 0) continue;
    ++redirects;
    const std::string number = target.substr(5);
    EXPECT_EQ(page->final_url, site_->url("/moved/" + number));
    EXPECT_EQ(page->status, 200);
    EXPECT_TRUE(page->record);
  }
  EXPECT_EQ(redirects, kPages / 40);
}

TEST_F(WholeSiteCrawl, FlagsExactlyTheDuplicates) {
  size_t duplicates = 0;
  for (const auto& [target, page] : reported()) {
    const SitePage* site_page = site_->page(target);
    if (site_page->kind == SitePageKind::kDuplicate) {
      ++duplicates;
      EXPECT_EQ(page->duplicate_of, site_->url(site_page->duplicate_of)) << target;
    } else {
      EXPECT_FALSE(page->duplicate_of) << target << " flagged as a copy of " << *page->duplicate_of;
    }
  }
  EXPECT_EQ(duplicates, kPages / 25);
  EXPECT_EQ(crawl_->sink.last_progress.duplicates, kPages / 25);
}

// ---------------------------------------------------------------------------------------------
// Limits.

TEST(CrawlSiteLimits, DepthLimitIsExact) {
  CrawlSite site({.pages = 2000, .throttle_once = false});
  for (uint32_t max_depth : {2u, 4u}) {
    SCOPED_TRACE(max_depth);
    site.server().clear_log();
    auto crawl = make_crawl(site, sequential_options(max_depth));
    ASSERT_TRUE(crawl->crawler);
    EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);
    const auto counts = request_counts(site);
    EXPECT_EQ(keys(counts), site.expected_targets({.max_depth = max_depth}));
    expect_each_requested_once(counts);
    for (const crawl::CrawlPage& page : crawl->sink.pages) {
      EXPECT_EQ(page.depth, site.page(target_of(site, page.url))->depth) << page.url;
    }
  }
}

TEST(CrawlSiteLimits, MaxPagesIsExactAndBreadthFirst) {
  constexpr uint64_t kMaxPages = 60;
  CrawlSite site({.pages = 2000, .throttle_once = false});
  crawl::CrawlOptions options = sequential_options(100);
  options.frontier.max_pages = kMaxPages;
  auto crawl = make_crawl(site, options);
  ASSERT_TRUE(crawl->crawler);
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);

  // Pages counted: every reported page that was requested (robots.txt skips are not).
  size_t counted = 0;
  uint32_t deepest = 0;
  for (const crawl::CrawlPage& page : crawl->sink.pages) {
    if (page.skipped) continue;
    ++counted;
    deepest = std::max(deepest, page.depth);
  }
  EXPECT_EQ(counted, kMaxPages);
  // The requests: one per counted page, plus the later hops of redirect chains.
  auto counts = request_counts(site);
  expect_each_requested_once(counts);
  size_t first_hops = 0;
  for (const auto& [target, count] : counts) {
    const SitePage* page = site.page(target);
    ASSERT_NE(page, nullptr) << target;
    const bool later_hop = target.rfind("/older/", 0) == 0 || target.rfind("/moved/", 0) == 0;
    first_hops += !later_hop;
  }
  EXPECT_EQ(first_hops, kMaxPages);
  // Breadth-first: every page shallower than the deepest one fetched was fetched.
  ASSERT_GT(deepest, 0u);
  for (const std::string& target : site.expected_targets({.max_depth = deepest - 1})) {
    EXPECT_EQ(counts.count(target), 1u) << target << " (depth < " << deepest << ") not fetched";
  }
}

TEST(CrawlSiteLimits, PathBudgetsAndExcludesAreExact) {
  CrawlSite site({.pages = 200, .throttle_once = false});
  crawl::CrawlOptions options = parallel_options(100);
  options.frontier.filter.budgets = {{"/chain/*", 5}};
  options.frontier.filter.exclude = {"/list*", "re:^/articles/1\\d\\d$"};
  auto crawl = make_crawl(site, options);
  ASSERT_TRUE(crawl->crawler);
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);
  const auto counts = request_counts(site);
  expect_each_requested_once(counts);
  std::set<std::string> chain;
  for (const auto& [target, count] : counts) {
    if (target.rfind("/chain/", 0) == 0) chain.insert(target);
    EXPECT_NE(target.rfind("/list", 0), 0u) << target;
    EXPECT_FALSE(target.size() == 13 && target.rfind("/articles/1", 0) == 0) << target;
  }
  // The chain is discovered one page after the other, so the budget takes its first five.
  EXPECT_EQ(chain,
            (std::set<std::string>{"/chain/0", "/chain/1", "/chain/2", "/chain/3", "/chain/4"}));
  EXPECT_EQ(counts.count("/articles/99"), 1u);
}

// ---------------------------------------------------------------------------------------------
// Politeness.

// Crawls max_pages pages of `site` (one host) and checks that every request arrived at least
// `delay` after the one before it.
void expect_requests_spaced(const CrawlSite& site, crawl::CrawlOptions options,
                            milliseconds delay) {
  auto crawl = make_crawl(site, options);
  ASSERT_TRUE(crawl->crawler);
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);
  const std::vector<milliseconds> gaps = arrival_gaps(site);
  ASSERT_EQ(gaps.size(), options.frontier.max_pages - 1);
  for (milliseconds gap : gaps) EXPECT_GE(gap, delay - kArrivalJitter);
}

TEST(CrawlSitePoliteness, HostDelaySpacesEveryRequest) {
  constexpr milliseconds kDelay{50};
  CrawlSite site(CrawlSiteConfig::plain(100));
  crawl::CrawlOptions options = parallel_options(100);
  options.frontier.host_delay = kDelay;
  // Several slots for the host: only the delay keeps the requests apart.
  options.frontier.host_concurrency = 4;
  options.frontier.max_pages = 12;
  expect_requests_spaced(site, options, kDelay);
}

TEST(CrawlSitePoliteness, RobotsCrawlDelayRaisesTheDelay) {
  CrawlSiteConfig config = CrawlSiteConfig::plain(100);
  config.crawl_delay_seconds = 0.120;
  CrawlSite site(config);
  crawl::CrawlOptions options = parallel_options(100);
  options.frontier.host_delay = milliseconds(0);
  options.frontier.max_pages = 6;
  expect_requests_spaced(site, options, milliseconds(120));
}

TEST(CrawlSitePoliteness, ThrottledPageIsRetriedAfterRetryAfterAndTheHostWaits) {
  constexpr milliseconds kRetryAfter{1000};
  CrawlSite site({.pages = 3,
                  .chain_length = 0,
                  .orphans = 0,
                  .listings = false,
                  .throttle_once = true,
                  .retry_after_seconds = 1,
                  .sitemaps = false});
  auto crawl = make_crawl(site, sequential_options(2));
  ASSERT_TRUE(crawl->crawler);
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);
  const std::vector<HttpRequest> busy = site.server().requests_for("/busy");
  ASSERT_EQ(busy.size(), 2u);
  EXPECT_GE(busy[1].arrival - busy[0].arrival, kRetryAfter);
  // The whole host waits, not only the page.
  for (const HttpRequest& request : site.server().requests()) {
    const bool during = request.arrival > busy[0].arrival && request.arrival < busy[1].arrival;
    EXPECT_FALSE(during) << request.target << " requested while the host was backing off";
  }
  auto page = std::find_if(crawl->sink.pages.begin(), crawl->sink.pages.end(),
                           [&](const crawl::CrawlPage& p) { return p.url == site.url("/busy"); });
  ASSERT_NE(page, crawl->sink.pages.end());
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(page->record);
}

// ---------------------------------------------------------------------------------------------
// Sitemaps.

TEST(CrawlSiteSitemaps, SeedsPagesLinkedFromNowhere) {
  CrawlSite site({.pages = 300, .throttle_once = false});
  crawl::CrawlOptions options = parallel_options(0);
  options.use_sitemaps = true;
  auto crawl = make_crawl(site, options);
  ASSERT_TRUE(crawl->crawler);
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);
  const auto counts = request_counts(site);
  // Depth 0: the seed and the sitemap pages, orphans included; the disallowed entry skipped.
  EXPECT_EQ(keys(counts), site.expected_targets({.max_depth = 0, .use_sitemaps = true}));
  EXPECT_EQ(counts.count("/orphan/0"), 1u);
  expect_each_requested_once(counts);
  // robots.txt names the index; it and both gzip children are read once, /sitemap.xml never.
  EXPECT_EQ(site.server().requests_for("/sitemap_index.xml").size(), 1u);
  EXPECT_EQ(site.server().requests_for("/sitemap.xml").size(), 0u);
  for (uint32_t n = 1; n <= CrawlSite::kSitemapChildren; ++n) {
    EXPECT_EQ(site.server().requests_for("/sitemaps/pages-" + std::to_string(n) + ".xml.gz").size(),
              1u);
  }
}

TEST(CrawlSiteSitemaps, SitemapOnlyFollowsNoLinks) {
  CrawlSite site({.pages = 300, .throttle_once = false});
  crawl::CrawlOptions options = parallel_options(100);
  options.use_sitemaps = true;
  options.sitemap_only = true;
  auto crawl = make_crawl(site, options);
  ASSERT_TRUE(crawl->crawler);
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCompleted);
  std::set<std::string> expected = {"/"};
  for (const SitePage& page : site.pages()) {
    if (page.in_sitemap && !page.disallowed) expected.insert(page.target);
  }
  EXPECT_EQ(keys(request_counts(site)), expected);
}

// ---------------------------------------------------------------------------------------------
// Cancel and resume.

TEST(CrawlSiteCancel, StopsWithinASecondWithTransfersInFlight) {
  // Articles answer after 5 s: when cancel() comes, eight transfers are waiting on them.
  CrawlSite site({.pages = 500, .throttle_once = false, .article_delay = milliseconds(5000)});
  auto crawl = make_crawl(site, parallel_options(100));
  ASSERT_TRUE(crawl->crawler);
  std::mutex mutex;
  std::optional<Clock::time_point> cancelled_at;
  std::thread canceller;
  crawl->sink.after_page = [&](const crawl::CrawlPage& page) {
    if (page.url != site.url("/")) return;
    canceller = std::thread([&] {
      std::this_thread::sleep_for(milliseconds(200));
      std::lock_guard lock(mutex);
      cancelled_at = Clock::now();
      crawl->crawler->cancel();
    });
  };
  EXPECT_EQ(crawl->run(), crawl::CrawlEnd::kCancelled);
  const Clock::time_point returned = Clock::now();
  if (canceller.joinable()) canceller.join();
  ASSERT_TRUE(cancelled_at);
  EXPECT_LT(returned - *cancelled_at, kCancelWithin);
  // Nothing is requested after run() returned.
  const size_t requests = site.server().request_count();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(site.server().request_count(), requests);
  // The pages in flight were not reported, so the final checkpoint keeps them pending.
  ASSERT_TRUE(crawl->sink.checkpoint);
  std::set<std::string> pending;
  for (const auto& entry : crawl->sink.checkpoint->pending) pending.insert(entry.url);
  for (const HttpRequest& request : site.page_requests()) {
    if (request.path.rfind("/articles/", 0) == 0) {
      EXPECT_EQ(pending.count(site.url(request.target)), 1u) << request.target;
    }
  }
}

TEST(CrawlSiteCancel, ResumeFromTheCheckpointFetchesNothingReportedAgain) {
  constexpr size_t kCancelAfter = 150;
  CrawlSite site({.pages = 500, .duplicate_every = 20, .throttle_once = false});
  const std::set<std::string> expected = site.expected_targets({.max_depth = 100});

  auto first = make_crawl(site, parallel_options(100));
  ASSERT_TRUE(first->crawler);
  first->sink.after_page = [&](const crawl::CrawlPage&) {
    if (first->sink.pages.size() == kCancelAfter) first->crawler->cancel();
  };
  EXPECT_EQ(first->run(), crawl::CrawlEnd::kCancelled);
  ASSERT_TRUE(first->sink.checkpoint);
  const auto first_requests = request_counts(site);
  std::set<std::string> reported_first;
  std::vector<std::pair<uint64_t, std::string>> fingerprints;
  for (const crawl::CrawlPage& page : first->sink.pages) {
    reported_first.insert(target_of(site, page.url));
    if (!page.final_url.empty()) reported_first.insert(target_of(site, page.final_url));
    if (page.simhash != 0) fingerprints.emplace_back(page.simhash, page.url);
  }
  ASSERT_GE(first->sink.pages.size(), kCancelAfter);
  ASSERT_LT(first->sink.pages.size(), expected.size());

  site.server().clear_log();
  auto second = make_crawl(site, parallel_options(100), &*first->sink.checkpoint, fingerprints);
  ASSERT_TRUE(second->crawler);
  EXPECT_EQ(second->run(), crawl::CrawlEnd::kCompleted);
  const auto second_requests = request_counts(site);
  expect_each_requested_once(second_requests);

  // Nothing reported before the cancel is requested again, not even a redirect hop.
  for (const auto& [target, count] : second_requests) {
    EXPECT_EQ(reported_first.count(target), 0u) << target << " refetched after the resume";
  }
  // Together the two runs request the whole site; only pages in flight at the cancel (not
  // reported, so pending in the checkpoint) may have been requested by both.
  std::set<std::string> pending;
  for (const auto& entry : first->sink.checkpoint->pending) {
    pending.insert(target_of(site, entry.url));
  }
  std::set<std::string> all = keys(first_requests);
  size_t both = 0;
  for (const auto& [target, count] : second_requests) {
    if (all.insert(target).second) continue;
    ++both;
    const bool later_hop = target.rfind("/older/", 0) == 0 || target.rfind("/moved/", 0) == 0;
    EXPECT_TRUE(later_hop || pending.count(target) == 1) << target << " requested twice";
  }
  EXPECT_EQ(all, expected);
  EXPECT_LE(both, 3 * parallel_options(100).concurrency) << "more refetches than pages in flight";

  // Each page is reported exactly once over the two runs, and a copy found after the resume of
  // an article reported before it is still flagged (the known fingerprints).
  std::map<std::string, const crawl::CrawlPage*> reported;
  for (const Crawl* run : {first.get(), second.get()}) {
    for (const crawl::CrawlPage& page : run->sink.pages) {
      EXPECT_TRUE(reported.emplace(target_of(site, page.url), &page).second) << page.url;
    }
  }
  for (const SitePage& page : site.pages()) {
    if (page.kind != SitePageKind::kDuplicate) continue;
    auto it = reported.find(page.target);
    ASSERT_NE(it, reported.end()) << page.target;
    EXPECT_EQ(it->second->duplicate_of, site.url(page.duplicate_of)) << page.target;
  }
}

}  // namespace
}  // namespace riptide::testing
