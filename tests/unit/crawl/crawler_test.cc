// The crawler end to end on small local sites (TestHttpServer): breadth-first order and exact
// limits, robots.txt, 429 + Retry-After, near-duplicates, cancel, time budget, checkpoints and
// resume. The large generated-site scenarios are in crawl_site_test.cc.
#include "crawl/crawler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crawl/robots_cache.h"
#include "fetch/fetcher.h"
#include "sandbox/engine.h"
#include "tests/support/site_fetch_config.h"
#include "tests/support/test_http_server.h"

namespace riptide::crawl {
namespace {

using std::chrono::milliseconds;
using testing::html_response;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::TestHttpServer;

// Distinct article-like text of `words` words for page `seed` (a small linear congruential
// generator over a vocabulary), so unrelated pages never look like near-duplicates.
std::string prose(uint64_t seed, size_t words) {
  static const char* const kVocabulary[] = {
      "river",   "harbour",  "lantern", "meadow",  "granite",  "orchard", "violin",  "compass",
      "thunder", "saffron",  "glacier", "pepper",  "canyon",   "velvet",  "ember",   "falcon",
      "marble",  "willow",   "copper",  "quartz",  "harvest",  "beacon",  "prairie", "cobalt",
      "tundra",  "juniper",  "mosaic",  "nectar",  "obsidian", "parsley", "quiver",  "rattan",
      "sequoia", "tamarind", "umber",   "vesper",  "walnut",   "yarrow",  "zephyr",  "anchor",
      "bramble", "cinder",   "dervish", "estuary", "fjord",    "garnet",  "heron",   "indigo"};
  constexpr size_t kCount = sizeof(kVocabulary) / sizeof(kVocabulary[0]);
  uint64_t state = seed * 6364136223846793005ull + 1442695040888963407ull;
  std::string text;
  for (size_t i = 0; i < words; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    if (i > 0) text += (i % 12 == 0) ? ". " : " ";
    text += kVocabulary[(state >> 33) % kCount];
  }
  return text + ".";
}

// A page whose extracted text (full mode) is `text` and whose links are `links`.
std::string page_html(const std::string& title, const std::string& text,
                      const std::vector<std::string>& links) {
  std::string html =
      "<!doctype html><html><head><title>" + title + "</title></head><body><p>" + text + "</p><ul>";
  for (const std::string& link : links)
    html += "<li><a href=\"" + link + "\">" + link + "</a></li>";
  return html + "</ul></body></html>";
}

// A site of pages given by path -> links; each page has its own prose.
void serve_pages(TestHttpServer& site, const std::map<std::string, std::vector<std::string>>& pages,
                 milliseconds delay = milliseconds(0)) {
  uint64_t seed = 1;
  for (const auto& [path, links] : pages) {
    std::string body = page_html(path, prose(seed++, 80), links);
    site.route(path, [body, delay](const HttpRequest&) {
      HttpResponse response = html_response(body);
      response.delay = delay;
      return response;
    });
  }
}

// The binary tree of depth 3 used by the order tests: / -> /a /b, /a -> /a1 /a2, ...
std::map<std::string, std::vector<std::string>> tree_site() {
  return {{"/", {"/a", "/b"}},
          {"/a", {"/a1", "/a2"}},
          {"/b", {"/b1", "/b2"}},
          {"/a1", {"/a1x", "/"}},
          {"/a2", {"/a2x", "/a"}},
          {"/b1", {"/b1x"}},
          {"/b2", {"/b2x", "/b1"}},
          {"/a1x", {}},
          {"/a2x", {}},
          {"/b1x", {}},
          {"/b2x", {}}};
}

// Records what the crawler reports and checks every checkpoint against the pages reported so
// far (the contract of CrawlSink::on_checkpoint).
class RecordingSink : public CrawlSink {
 public:
  void on_page(const CrawlPage& page) override {
    std::lock_guard lock(mutex_);
    pages_.push_back(page);
    if (on_page_hook) on_page_hook(page, pages_.size());
  }
  void on_checkpoint(const FrontierState& state, const CrawlProgress& progress) override {
    std::lock_guard lock(mutex_);
    std::set<std::string> finished(state.finished.begin(), state.finished.end());
    std::set<std::string> pending;
    for (const auto& entry : state.pending) pending.insert(entry.url);
    for (const CrawlPage& page : pages_) {
      if (!finished.contains(page.url)) violations_.push_back("not finished: " + page.url);
      if (pending.contains(page.url)) violations_.push_back("still pending: " + page.url);
    }
    uint64_t reported = progress.pages_done + progress.pages_failed + progress.pages_skipped;
    if (reported != pages_.size()) violations_.push_back("progress does not match the pages");
    checkpoints_.push_back(state);
  }

  std::vector<CrawlPage> pages() const {
    std::lock_guard lock(mutex_);
    return pages_;
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const CrawlPage& page : pages()) out.push_back(page.url);
    return out;
  }
  const CrawlPage* find(const std::string& url) const {
    for (const CrawlPage& page : pages_) {
      if (page.url == url) return &page;
    }
    return nullptr;
  }
  // The page reported for `url`; a test failure and an empty page when there is none.
  const CrawlPage& at(const std::string& url) const {
    if (const CrawlPage* page = find(url)) return *page;
    ADD_FAILURE() << "not reported: " << url;
    return missing_;
  }
  std::vector<FrontierState> checkpoints() const {
    std::lock_guard lock(mutex_);
    return checkpoints_;
  }
  std::vector<std::string> violations() const {
    std::lock_guard lock(mutex_);
    return violations_;
  }

  // Called after each page is recorded, with the number of pages so far.
  std::function<void(const CrawlPage&, size_t)> on_page_hook;

 private:
  mutable std::mutex mutex_;
  std::vector<CrawlPage> pages_;
  std::vector<FrontierState> checkpoints_;
  std::vector<std::string> violations_;
  CrawlPage missing_;
};

class CrawlerTest : public ::testing::Test {
 protected:
  CrawlerTest() : fetcher_(testing::site_fetch_config()), robots_(fetcher_) {
    sandbox::SandboxConfig config;
    config.pool.initial_pool_size = 0;
    config.pool.max_pool_size = 2;
    engine_ = sandbox::Engine::create(config);
  }

  // `threads` fetches at once (sequential by default), no politeness delay, full mode, native.
  static CrawlOptions options(uint32_t threads = 1) {
    CrawlOptions options;
    options.frontier.host_delay = Duration::zero();
    options.frontier.host_concurrency = threads;
    options.frontier.max_depth = 10;
    options.concurrency = threads;
    options.respect_robots = false;
    options.extract.mode = extract::Mode::kFull;
    options.engine_kind = sandbox::EngineKind::kNative;
    return options;
  }

  std::unique_ptr<Crawler> make(CrawlOptions options, std::vector<std::string> seeds,
                                const FrontierState* resume = nullptr,
                                std::vector<std::pair<uint64_t, std::string>> known = {}) {
    auto crawler = Crawler::create(CrawlEnv{fetcher_, *engine_, robots_}, std::move(options),
                                   std::move(seeds), resume, std::move(known));
    EXPECT_TRUE(crawler.ok()) << (crawler.ok() ? "" : crawler.error().to_string());
    return crawler.ok() ? std::move(crawler).value() : nullptr;
  }

  // Crawls `seeds` to the end into `sink`, expecting `end`; the crawler (null when it could not be
  // created, a test failure) for its progress().
  std::unique_ptr<Crawler> crawl(CrawlOptions options, std::vector<std::string> seeds,
                                 RecordingSink& sink, CrawlEnd end = CrawlEnd::kCompleted,
                                 const FrontierState* resume = nullptr,
                                 std::vector<std::pair<uint64_t, std::string>> known = {}) {
    std::unique_ptr<Crawler> crawler =
        make(std::move(options), std::move(seeds), resume, std::move(known));
    if (crawler) {
      EXPECT_EQ(crawler->run(sink), end);
    }
    return crawler;
  }

  // The paths requested from `site`, in arrival order, without robots.txt.
  static std::vector<std::string> requested(const TestHttpServer& site) {
    std::vector<std::string> paths;
    for (const HttpRequest& request : site.requests()) {
      if (request.path != "/robots.txt") paths.push_back(request.target);
    }
    return paths;
  }

  fetch::Fetcher fetcher_;
  RobotsCache robots_;
  std::unique_ptr<sandbox::Engine> engine_;
};

std::vector<std::string> paths_of(const std::vector<std::string>& urls,
                                  const TestHttpServer& site) {
  std::vector<std::string> out;
  const std::string prefix = site.url("");
  for (const std::string& url : urls) out.push_back(url.substr(prefix.size()));
  return out;
}

TEST_F(CrawlerTest, FollowsLinksBreadthFirstToTheMaximumDepth) {
  TestHttpServer site;
  serve_pages(site, tree_site());
  CrawlOptions opts = options();
  opts.frontier.max_depth = 2;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);

  const std::vector<std::string> bfs = {"/", "/a", "/b", "/a1", "/a2", "/b1", "/b2"};
  EXPECT_EQ(requested(site), bfs);
  EXPECT_EQ(paths_of(sink.urls(), site), bfs);
  for (const CrawlPage& page : sink.pages()) {
    ASSERT_TRUE(page.record) << page.url;
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.final_url, page.url);
    EXPECT_FALSE(page.duplicate_of) << page.url;
    EXPECT_NE(page.simhash, 0u);
    EXPECT_EQ(page.depth, page.url == site.url("/")                  ? 0u
                          : page.url.size() == site.url("/a").size() ? 1u
                                                                     : 2u);
  }
  // "/" links /a and /b (both new); /a1 links /a1x (too deep) and "/" (seen).
  EXPECT_EQ(sink.at(site.url("/")).links_found, 2u);
  EXPECT_EQ(sink.at(site.url("/")).links_added, 2u);
  EXPECT_EQ(sink.at(site.url("/a1")).links_found, 2u);
  EXPECT_EQ(sink.at(site.url("/a1")).links_added, 0u);

  CrawlProgress progress = crawler->progress();
  EXPECT_EQ(progress.pages_done, 7u);
  EXPECT_EQ(progress.pages_failed, 0u);
  EXPECT_EQ(progress.queued, 0u);
  EXPECT_EQ(progress.in_flight, 0u);
  EXPECT_GT(progress.bytes_fetched, 7u * 500);
  EXPECT_TRUE(sink.violations().empty()) << sink.violations().front();
  ASSERT_FALSE(sink.checkpoints().empty());  // the final one at least
  EXPECT_TRUE(sink.checkpoints().back().pending.empty());
}

TEST_F(CrawlerTest, StopsAtExactlyMaxPagesInBreadthFirstOrder) {
  TestHttpServer site;
  serve_pages(site, tree_site());
  CrawlOptions opts = options(3);  // hand-outs stop at the limit even with threads to spare
  opts.frontier.max_pages = 4;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  std::vector<std::string> paths = requested(site);
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0], "/");
  // Both depth-1 pages are handed out before any depth-2 page, so the fourth page is one of
  // depth 2. Which one depends on which depth-1 page finished first, and with three fetch
  // threads the requests may reach the site in another order than they were handed out.
  std::sort(paths.begin(), paths.end());
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0], "/");
  EXPECT_TRUE(std::binary_search(paths.begin(), paths.end(), "/a"));
  EXPECT_TRUE(std::binary_search(paths.begin(), paths.end(), "/b"));
  EXPECT_EQ(
      std::count_if(paths.begin(), paths.end(), [](const std::string& p) { return p.size() == 3; }),
      1);
  EXPECT_EQ(sink.pages().size(), 4u);
}

TEST_F(CrawlerTest, ReportsErrorsAndNonHtmlWithoutFollowingThem) {
  TestHttpServer site;
  serve_pages(site, {{"/", {"/missing", "/data.json", "/boom"}}});
  site.route("/data.json",
             [](const HttpRequest&) { return html_response("{}", 200, "application/json"); });
  site.route("/boom", [](const HttpRequest&) { return html_response("oops", 500); });
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  ASSERT_EQ(sink.pages().size(), 4u);
  const CrawlPage* missing = sink.find(site.url("/missing"));
  ASSERT_TRUE(missing && missing->error);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->error->code(), ErrorCode::kFetchFailed);
  EXPECT_EQ(missing->error->message(), "origin answered HTTP 404");
  const CrawlPage* json = sink.find(site.url("/data.json"));
  ASSERT_TRUE(json && json->error);
  EXPECT_EQ(json->error->code(), ErrorCode::kUnsupportedContentType);
  const CrawlPage* boom = sink.find(site.url("/boom"));
  ASSERT_TRUE(boom && boom->error);
  EXPECT_EQ(boom->status, 500);
  EXPECT_EQ(crawler->progress().pages_failed, 3u);
  EXPECT_EQ(crawler->progress().pages_done, 1u);
}

TEST_F(CrawlerTest, DoesNotRequestARedirectTargetAgain) {
  TestHttpServer site;
  serve_pages(site,
              {{"/", {"/old", "/elsewhere"}}, {"/elsewhere", {"/new", "/old"}}, {"/new", {"/"}}});
  site.route("/old", [](const HttpRequest&) { return testing::redirect_response(301, "/new"); });
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_EQ(site.requests_for("/new").size(), 1u);
  EXPECT_EQ(site.requests_for("/old").size(), 1u);
  const CrawlPage* old_page = sink.find(site.url("/old"));
  ASSERT_TRUE(old_page && old_page->record);
  EXPECT_EQ(old_page->final_url, site.url("/new"));
  EXPECT_EQ(old_page->status, 200);
  EXPECT_FALSE(sink.find(site.url("/new")));
  EXPECT_EQ(sink.pages().size(), 3u);
}

TEST_F(CrawlerTest, NeverRequestsWhatRobotsTxtDisallows) {
  TestHttpServer site;
  serve_pages(site, {{"/", {"/private/a", "/public", "/private-not"}},
                     {"/public", {"/private/b"}},
                     {"/private/a", {}},
                     {"/private/b", {}},
                     {"/private-not", {}}});
  site.route("/robots.txt", [](const HttpRequest&) {
    return html_response("User-agent: *\nDisallow: /private/\n", 200, "text/plain");
  });
  CrawlOptions opts = options();
  opts.respect_robots = true;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_TRUE(site.requests_for("/private/a").empty());
  EXPECT_TRUE(site.requests_for("/private/b").empty());
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 1u);
  EXPECT_EQ(site.requests_for("/private-not").size(), 1u);
  for (const char* path : {"/private/a", "/private/b"}) {
    const CrawlPage* page = sink.find(site.url(path));
    ASSERT_TRUE(page) << path;
    EXPECT_TRUE(page->skipped);
    EXPECT_EQ(page->skip_reason, "disallowed by robots.txt");
    EXPECT_FALSE(page->record);
    EXPECT_FALSE(page->error);
    EXPECT_EQ(page->status, 0);
  }
  EXPECT_EQ(crawler->progress().pages_skipped, 2u);
  EXPECT_EQ(crawler->progress().pages_done, 3u);
}

TEST_F(CrawlerTest, AnUnreachableRobotsTxtSkipsTheSiteAndSaysWhy) {
  TestHttpServer site;
  serve_pages(site, {{"/", {"/a"}}, {"/a", {}}});
  site.route("/robots.txt",
             [](const HttpRequest&) { return html_response("down", 503, "text/plain"); });
  CrawlOptions opts = options();
  opts.respect_robots = true;
  RecordingSink sink;
  // RFC 9309 2.3.1.4: a 5xx robots.txt disallows everything; the seed is skipped, not fetched.
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_TRUE(site.requests_for("/").empty());
  const CrawlPage* page = sink.find(site.url("/"));
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->skipped);
  EXPECT_NE(page->skip_reason.find("robots.txt unreachable"), std::string::npos)
      << page->skip_reason;
  EXPECT_FALSE(page->error);
}

TEST_F(CrawlerTest, HonoursCrawlDelayFromRobotsTxt) {
  TestHttpServer site;
  serve_pages(site, {{"/", {"/a", "/b"}}, {"/a", {}}, {"/b", {}}});
  site.route("/robots.txt", [](const HttpRequest&) {
    return html_response("User-agent: *\nCrawl-delay: 0.2\n", 200, "text/plain");
  });
  CrawlOptions opts = options();
  opts.respect_robots = true;
  opts.concurrency = 4;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  std::vector<HttpRequest> log;
  for (const HttpRequest& request : site.requests()) {
    if (request.path != "/robots.txt") log.push_back(request);
  }
  ASSERT_EQ(log.size(), 3u);
  // The first page goes out before robots.txt is known; after that the delay holds.
  EXPECT_GE(log[2].arrival - log[1].arrival, milliseconds(195));
}

TEST_F(CrawlerTest, RetriesAThrottledPageAfterRetryAfterAndReportsItOnce) {
  TestHttpServer site;
  serve_pages(site, {{"/", {"/busy"}}});
  std::atomic<int> calls{0};
  const std::string busy_body = page_html("busy", prose(99, 80), {});
  site.route("/busy", [&calls, busy_body](const HttpRequest&) {
    if (calls.fetch_add(1) == 0) {
      HttpResponse response = html_response("slow down", 429);
      response.headers.emplace_back("Retry-After", "1");
      return response;
    }
    return html_response(busy_body);
  });
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  std::vector<HttpRequest> tries = site.requests_for("/busy");
  ASSERT_EQ(tries.size(), 2u);
  EXPECT_GE(tries[1].arrival - tries[0].arrival, milliseconds(990));
  ASSERT_EQ(sink.pages().size(), 2u);
  const CrawlPage* busy = sink.find(site.url("/busy"));
  ASSERT_TRUE(busy);
  EXPECT_TRUE(busy->record);
  EXPECT_EQ(busy->status, 200);
}

TEST_F(CrawlerTest, FlagsTheSameTextUnderAnotherUrlAsNearDuplicate) {
  TestHttpServer site;
  const std::string article = prose(7, 200);
  site.route("/", [&site](const HttpRequest&) {
    return html_response(page_html("home", prose(1, 80), {"/story", "/story-copy", "/other"}));
  });
  site.route("/story",
             [&](const HttpRequest&) { return html_response(page_html("story", article, {})); });
  // The same article under another URL and title.
  site.route("/story-copy",
             [&](const HttpRequest&) { return html_response(page_html("copy", article, {})); });
  site.route("/other", [&](const HttpRequest&) {
    return html_response(page_html("other", prose(8, 200), {}));
  });
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  ASSERT_EQ(sink.pages().size(), 4u);
  const CrawlPage* story = sink.find(site.url("/story"));
  const CrawlPage* copy = sink.find(site.url("/story-copy"));
  ASSERT_TRUE(story && copy);
  EXPECT_FALSE(story->duplicate_of);  // reported first (breadth-first, one thread)
  ASSERT_TRUE(copy->duplicate_of);
  EXPECT_EQ(*copy->duplicate_of, site.url("/story"));
  EXPECT_FALSE(sink.at(site.url("/other")).duplicate_of);
  EXPECT_FALSE(sink.at(site.url("/")).duplicate_of);
  EXPECT_EQ(crawler->progress().duplicates, 1u);

  // A later crawl that knows the story's fingerprint flags the story itself.
  site.clear_log();
  RecordingSink sink2;
  auto again = crawl(options(), {site.url("/story")}, sink2, CrawlEnd::kCompleted, nullptr,
                     {{story->simhash, "https://elsewhere.test/story"}});
  ASSERT_TRUE(again);
  ASSERT_EQ(sink2.pages().size(), 1u);
  EXPECT_EQ(sink2.pages()[0].duplicate_of, "https://elsewhere.test/story");
}

TEST_F(CrawlerTest, ShortPagesAreNotFingerprinted) {
  TestHttpServer site;
  site.route("/", [](const HttpRequest&) {
    return html_response(page_html("a", "Contact us today", {"/b"}));
  });
  site.route("/b", [](const HttpRequest&) {
    return html_response(page_html("b", "Contact us today", {}));
  });
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  ASSERT_EQ(sink.pages().size(), 2u);
  for (const CrawlPage& page : sink.pages()) {
    EXPECT_EQ(page.simhash, 0u);
    EXPECT_FALSE(page.duplicate_of);
  }
}

// A site whose pages dribble for seconds: cancel must not wait for them.
TEST_F(CrawlerTest, CancelDuringSlowFetchesReturnsWithinASecond) {
  TestHttpServer site;
  std::map<std::string, std::vector<std::string>> pages = {{"/", {}}};
  for (int i = 0; i < 8; ++i) pages["/"].push_back("/slow" + std::to_string(i));
  serve_pages(site, pages);
  const std::string slow_body = page_html("slow", prose(5, 80), {});
  site.set_fallback([slow_body](const HttpRequest&) {
    HttpResponse response = html_response(slow_body);
    response.dribble_bytes = 16;
    response.dribble_interval = milliseconds(100);  // ~10 s per page
    return response;
  });
  CrawlOptions opts = options(4);
  auto crawler = make(opts, {site.url("/")});
  ASSERT_TRUE(crawler);
  RecordingSink sink;
  std::atomic<bool> returned{false};
  Clock::time_point cancelled_at;
  std::thread canceller([&] {
    // Wait until the slow pages are being fetched.
    while (site.request_count() < 5 && !returned.load()) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    cancelled_at = Clock::now();
    crawler->cancel();
  });
  CrawlEnd end = crawler->run(sink);
  const Clock::time_point run_returned = Clock::now();
  returned = true;
  canceller.join();
  EXPECT_EQ(end, CrawlEnd::kCancelled);
  EXPECT_LT(run_returned - cancelled_at, milliseconds(1000));
  // Only the start page was reported; the slow ones are pending in the final checkpoint.
  ASSERT_EQ(sink.pages().size(), 1u);
  ASSERT_FALSE(sink.checkpoints().empty());
  const FrontierState& last = sink.checkpoints().back();
  EXPECT_EQ(last.pending.size(), 8u);
  EXPECT_EQ(last.finished, std::vector<std::string>{site.url("/")});
  EXPECT_TRUE(sink.violations().empty());
}

TEST_F(CrawlerTest, TimeBudgetEndsTheCrawl) {
  TestHttpServer site;
  std::map<std::string, std::vector<std::string>> pages;
  for (int i = 0; i < 50; ++i) {
    pages["/p" + std::to_string(i)] = {"/p" + std::to_string(i + 1)};
  }
  serve_pages(site, pages, milliseconds(50));
  CrawlOptions opts = options();
  opts.time_budget = milliseconds(300);
  auto crawler = make(opts, {site.url("/p0")});
  ASSERT_TRUE(crawler);
  RecordingSink sink;
  const auto start = Clock::now();
  EXPECT_EQ(crawler->run(sink), CrawlEnd::kTimeBudget);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  EXPECT_GE(sink.pages().size(), 2u);
  EXPECT_LE(sink.pages().size(), 7u);
  EXPECT_GE(crawler->progress().elapsed, milliseconds(300));
  EXPECT_TRUE(sink.violations().empty());
}

// A chain of pages with a small delay each, so that periodic checkpoints happen mid-crawl.
TEST_F(CrawlerTest, CheckpointsMatchTheReportedPages) {
  TestHttpServer site;
  std::map<std::string, std::vector<std::string>> pages;
  for (int i = 0; i < 120; ++i) {
    pages["/p" + std::to_string(i)] = {"/p" + std::to_string(i + 1), "/p" + std::to_string(i + 2),
                                       "/p" + std::to_string(i / 2)};
  }
  serve_pages(site, pages, milliseconds(20));
  CrawlOptions opts = options(2);
  opts.frontier.max_depth = 200;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/p0")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_GE(sink.checkpoints().size(), 2u);  // at least one periodic one and the final one
  EXPECT_TRUE(sink.violations().empty()) << sink.violations().front();
  EXPECT_EQ(sink.pages().size(), 122u);  // /p0 ... /p119, /p120 and /p121 (404)
}

TEST_F(CrawlerTest, ResumeFromACheckpointDoesNotRefetchReportedPages) {
  TestHttpServer site;
  std::map<std::string, std::vector<std::string>> pages;
  for (int i = 0; i < 30; ++i) {
    pages["/p" + std::to_string(i)] = {"/p" + std::to_string((i + 1) % 30),
                                       "/p" + std::to_string((i * 7) % 30)};
  }
  serve_pages(site, pages);
  CrawlOptions opts = options(3);
  opts.frontier.max_depth = 100;

  auto first = make(opts, {site.url("/p0")});
  ASSERT_TRUE(first);
  RecordingSink sink1;
  sink1.on_page_hook = [&](const CrawlPage&, size_t count) {
    if (count == 10) first->cancel();
  };
  EXPECT_EQ(first->run(sink1), CrawlEnd::kCancelled);
  ASSERT_FALSE(sink1.checkpoints().empty());
  const FrontierState state = sink1.checkpoints().back();
  EXPECT_TRUE(sink1.violations().empty());
  const std::vector<std::string> reported1 = sink1.urls();
  ASSERT_GE(reported1.size(), 10u);
  ASSERT_LT(reported1.size(), 30u);
  std::vector<std::pair<uint64_t, std::string>> known;
  for (const CrawlPage& page : sink1.pages()) known.emplace_back(page.simhash, page.url);

  site.clear_log();
  RecordingSink sink2;
  auto second = crawl(opts, {}, sink2, CrawlEnd::kCompleted, &state, known);
  ASSERT_TRUE(second);

  // Nothing reported before is requested again, and the two runs together cover the site once.
  for (const std::string& url : reported1) {
    EXPECT_TRUE(site.requests_for(url.substr(site.url("").size())).empty()) << url;
  }
  std::vector<std::string> all = reported1;
  for (const std::string& url : sink2.urls()) all.push_back(url);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  EXPECT_EQ(all.size(), 30u);
  for (const CrawlPage& page : sink2.pages()) EXPECT_FALSE(page.duplicate_of) << page.url;
}

TEST_F(CrawlerTest, ExtractsInTheSandboxByDefault) {
  TestHttpServer site;
  serve_pages(site, tree_site());
  CrawlOptions opts = options(4);
  opts.engine_kind = sandbox::EngineKind::kWasm;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_EQ(sink.pages().size(), 11u);
  for (const CrawlPage& page : sink.pages()) {
    ASSERT_TRUE(page.record) << page.url << " " << page.error->to_string();
    EXPECT_EQ(page.record->url, page.url);
    EXPECT_GE(page.record->word_count, 80u);
  }
  std::vector<std::string> paths = requested(site);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(std::adjacent_find(paths.begin(), paths.end()), paths.end());
}

// Article mode keeps the navigation out of the record, but the crawl still follows it.
TEST_F(CrawlerTest, FollowsNavigationLinksOutsideTheArticle) {
  TestHttpServer site;
  auto article_page = [](const std::string& title, uint64_t seed,
                         const std::vector<std::string>& nav) {
    std::string html =
        "<!doctype html><html><head><title>" + title + "</title></head><body><header><nav><ul>";
    for (const std::string& link : nav)
      html += "<li><a href=\"" + link + "\">" + link + "</a></li>";
    html += "</ul></nav></header><main><article><h1>" + title + "</h1>";
    for (int p = 0; p < 4; ++p) html += "<p>" + prose(seed * 10 + p, 60) + "</p>";
    return html + "</article></main><footer><a href=\"/legal\">Legal</a></footer></body></html>";
  };
  site.route("/", [&](const HttpRequest&) {
    return html_response(article_page("Home", 1, {"/news", "/about"}));
  });
  site.route("/news", [&](const HttpRequest&) {
    return html_response(article_page("News", 2, {"/", "/news?page=2"}));
  });
  site.set_fallback([&](const HttpRequest& request) {
    return html_response(article_page("Other " + request.target, 3 + request.target.size(), {}));
  });
  CrawlOptions opts = options();
  opts.extract.mode = extract::Mode::kArticle;
  opts.engine_kind = sandbox::EngineKind::kWasm;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  std::vector<std::string> paths = requested(site);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/", "/about", "/legal", "/news", "/news?page=2"}));
  const CrawlPage* home = sink.find(site.url("/"));
  ASSERT_TRUE(home && home->record);
  EXPECT_EQ(home->links_found, 3u);
  EXPECT_TRUE(home->record->links.empty());  // the article itself links nowhere
  EXPECT_GE(home->record->word_count, 200u);
}

// The engine is shared (the service's requests use it too): a page that finds no free sandbox
// instance in time is extracted again, not reported as failed.
TEST_F(CrawlerTest, RetriesAnExtractionWhenTheSandboxPoolIsBusy) {
  sandbox::SandboxConfig config;
  config.pool.initial_pool_size = 1;
  config.pool.max_pool_size = 1;
  config.pool.acquire_timeout = milliseconds(150);
  engine_ = sandbox::Engine::create(config);
  TestHttpServer site;
  serve_pages(site, {{"/", {}}});
  auto lease = engine_->pool().acquire();  // someone else's extraction
  ASSERT_TRUE(lease.ok());
  std::thread other([&] {
    std::this_thread::sleep_for(milliseconds(250));  // past the first attempt's timeout
    lease->release();
  });
  CrawlOptions opts = options();
  opts.engine_kind = sandbox::EngineKind::kWasm;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  other.join();
  ASSERT_EQ(sink.pages().size(), 1u);
  EXPECT_TRUE(sink.pages()[0].record) << sink.pages()[0].error->to_string();
  EXPECT_GE(sink.pages()[0].extract_ms, 150);
}

// A site whose robots.txt names a sitemap listing two pages no page links to.
void serve_sitemap_site(TestHttpServer& site) {
  serve_pages(site, {{"/", {"/linked"}}, {"/linked", {}}, {"/orphan-a", {}}, {"/orphan-b", {}}});
  site.route("/robots.txt", [&site](const HttpRequest&) {
    return html_response("User-agent: *\nAllow: /\nSitemap: " + site.url("/map.xml") + "\n", 200,
                         "text/plain");
  });
  site.route("/map.xml", [&site](const HttpRequest&) {
    return html_response(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        "<url><loc>" +
            site.url("/orphan-a") + "</loc></url><url><loc>" + site.url("/orphan-b") +
            "</loc></url><url><loc>http://elsewhere.test/x</loc></url></urlset>",
        200, "application/xml");
  });
}

TEST_F(CrawlerTest, SeedsTheCrawlFromTheSitemapsInRobotsTxt) {
  TestHttpServer site;
  serve_sitemap_site(site);
  CrawlOptions opts = options();
  opts.respect_robots = true;
  opts.use_sitemaps = true;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  // Seeds and sitemap pages at depth 0 (the out-of-scope entry dropped), then depth 1.
  EXPECT_EQ(paths_of(sink.urls(), site),
            (std::vector<std::string>{"/", "/orphan-a", "/orphan-b", "/linked"}));
  const CrawlPage* orphan = sink.find(site.url("/orphan-b"));
  ASSERT_TRUE(orphan);
  EXPECT_EQ(orphan->depth, 0u);
  EXPECT_EQ(site.requests_for("/map.xml").size(), 1u);
  EXPECT_TRUE(site.requests_for("/sitemap.xml").empty());
}

TEST_F(CrawlerTest, SitemapOnlyDoesNotFollowLinks) {
  TestHttpServer site;
  serve_sitemap_site(site);
  CrawlOptions opts = options();
  opts.respect_robots = false;  // robots.txt is still read for its Sitemap lines
  opts.sitemap_only = true;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_EQ(paths_of(sink.urls(), site), (std::vector<std::string>{"/", "/orphan-a", "/orphan-b"}));
  EXPECT_TRUE(site.requests_for("/linked").empty());
  const CrawlPage* home = sink.find(site.url("/"));
  ASSERT_TRUE(home);
  EXPECT_EQ(home->links_found, 1u);
  EXPECT_EQ(home->links_added, 0u);
}

TEST_F(CrawlerTest, FallsBackToSitemapXmlWithoutRobotsTxt) {
  TestHttpServer site;
  serve_pages(site, {{"/", {}}, {"/hidden", {}}});
  site.route("/sitemap.xml", [&site](const HttpRequest&) {
    return html_response(site.url("/hidden") + "\n", 200, "text/plain");  // a text sitemap
  });
  CrawlOptions opts = options();
  opts.use_sitemaps = true;
  RecordingSink sink;
  auto crawler = crawl(opts, {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  EXPECT_EQ(paths_of(sink.urls(), site), (std::vector<std::string>{"/", "/hidden"}));
}

TEST_F(CrawlerTest, TimeBudgetEndsASlowSitemapCollection) {
  TestHttpServer site;
  serve_pages(site, {{"/", {}}});
  site.route("/sitemap.xml", [&site](const HttpRequest&) {
    HttpResponse response =
        html_response(site.url("/") + "\n" + std::string(400, ' '), 200, "text/plain");
    response.dribble_bytes = 8;
    response.dribble_interval = milliseconds(100);  // ~5 s for the whole sitemap
    return response;
  });
  CrawlOptions opts = options();
  opts.use_sitemaps = true;
  opts.time_budget = milliseconds(300);
  RecordingSink sink;
  const auto start = Clock::now();
  auto crawler = crawl(opts, {site.url("/")}, sink, CrawlEnd::kTimeBudget);
  ASSERT_TRUE(crawler);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  EXPECT_TRUE(sink.pages().empty());
  ASSERT_FALSE(sink.checkpoints().empty());
  ASSERT_EQ(sink.checkpoints().back().pending.size(), 1u);  // the seed, for a resume
}

TEST_F(CrawlerTest, ASeedRedirectedToAnotherHostNameCrawlsThatHost) {
  TestHttpServer site;
  // "127.0.0.1" and "localhost" are two host names for scope purposes, like a.com and www.a.com.
  const std::string other = "http://localhost:" + std::to_string(site.port());
  site.route("/", [other](const HttpRequest&) {
    return testing::redirect_response(301, other + "/home");
  });
  serve_pages(site, {{"/home", {"/a"}}, {"/a", {"/b"}}, {"/b", {}}});
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/")}, sink);
  ASSERT_TRUE(crawler);
  // The relative links resolve to localhost, which is in scope once the seed went there.
  EXPECT_EQ(site.requests_for("/home").size(), 1u);
  EXPECT_EQ(site.requests_for("/a").size(), 1u);
  EXPECT_EQ(site.requests_for("/b").size(), 1u);
  EXPECT_TRUE(sink.find(other + "/a"));
  EXPECT_TRUE(sink.find(other + "/b"));
}

TEST_F(CrawlerTest, FailsWhenTheSeedCannotBeFetched) {
  TestHttpServer site;  // nothing routed: the seed is a 404
  RecordingSink sink;
  auto crawler = crawl(options(), {site.url("/nothing")}, sink, CrawlEnd::kFailed);
  ASSERT_TRUE(crawler);
  ASSERT_TRUE(crawler->failure());
  EXPECT_EQ(crawler->failure()->message(), "origin answered HTTP 404");
  EXPECT_EQ(sink.pages().size(), 1u);
}

TEST_F(CrawlerTest, RefusesBadOptions) {
  CrawlOptions opts = options();
  opts.concurrency = 0;
  auto zero = Crawler::create(CrawlEnv{fetcher_, *engine_, robots_}, opts, {"http://a.test/"});
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code(), ErrorCode::kInvalidArgument);
  opts.concurrency = kMaxCrawlConcurrency + 1;
  EXPECT_FALSE(
      Crawler::create(CrawlEnv{fetcher_, *engine_, robots_}, opts, {"http://a.test/"}).ok());
  auto bad_seed =
      Crawler::create(CrawlEnv{fetcher_, *engine_, robots_}, options(), {"ftp://a.test/"});
  ASSERT_FALSE(bad_seed.ok());
  EXPECT_EQ(bad_seed.error().code(), ErrorCode::kInvalidArgument);
  auto no_seed = Crawler::create(CrawlEnv{fetcher_, *engine_, robots_}, options(), {});
  EXPECT_FALSE(no_seed.ok());
}

}  // namespace
}  // namespace riptide::crawl
