// The crawl frontier: order, seen-set, limits, budgets, politeness on a fake clock, resume.
#include "crawl/frontier.h"

#include <gtest/gtest.h>

#include <bit>
#include <functional>
#include <set>
#include <thread>

namespace riptide::crawl {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = NextResult::Kind;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

FrontierConfig fast_config() {
  FrontierConfig config;
  config.host_delay = Duration::zero();
  config.host_concurrency = 1;
  config.max_depth = 1000000;
  return config;
}

std::unique_ptr<Frontier> make(FrontierConfig config, std::vector<std::string> seeds) {
  auto frontier = Frontier::create(std::move(config), seeds);
  EXPECT_TRUE(frontier.ok()) << (frontier.ok() ? "" : frontier.error().to_string());
  return std::move(frontier).value();
}

// The links of page `i` of an n-page site: cycles back to earlier pages and the start, the same
// targets under tracking-parameter and fragment variants, and a relative link.
std::vector<std::string> site_links(size_t i, size_t n) {
  const std::string base = "https://site.test/p/";
  return {base + std::to_string((i + 1) % n),
          base + std::to_string((i * 7 + 3) % n) + "?utm_source=feed",
          base + std::to_string((i + 1) % n) + "#top",
          base + "0",
          "/p/" + std::to_string((i + 2) % n),
          base + std::to_string(i)};
}

// Fetches everything the frontier hands out (every fetch succeeds at once), following
// `links_of(url)` at depth + 1, and returns the URLs in hand-out order. The clock jumps to the
// ready time whenever the frontier says to wait.
std::vector<std::string> drain(
    Frontier& frontier, const std::function<std::vector<std::string>(const std::string&)>& links_of,
    Clock::time_point now = kT0) {
  // No test site here has more than 10 000 pages; a frontier that hands out more is repeating
  // URLs (a broken seen-set would otherwise loop forever instead of failing).
  constexpr size_t kMaxHandOuts = 20'000;
  std::vector<std::string> order;
  for (;;) {
    NextResult next = frontier.next(now);
    if (next.kind == Kind::kFinished) break;
    if (order.size() >= kMaxHandOuts) {
      ADD_FAILURE() << "the frontier handed out more than " << kMaxHandOuts << " URLs";
      break;
    }
    if (next.kind == Kind::kWait) {
      EXPECT_GT(next.ready_at, now);
      now = next.ready_at;
      continue;
    }
    EXPECT_EQ(next.kind, Kind::kUrl);
    if (next.kind != Kind::kUrl) break;
    order.push_back(next.item.url);
    auto base = url::parse(next.item.url);
    for (const std::string& link : links_of(next.item.url)) {
      (void)frontier.add(link, &*base, next.item.depth + 1);
    }
    frontier.done(next.item, now, {});
  }
  return order;
}

size_t page_number(const std::string& url) {
  return std::stoul(url.substr(url.rfind('/') + 1));
}

TEST(Frontier, NoUrlIsHandedOutTwiceInACyclicSite) {
  constexpr size_t kPages = 10000;
  auto frontier = make(fast_config(), {"https://site.test/p/0"});
  const auto order =
      drain(*frontier, [](const std::string& url) { return site_links(page_number(url), kPages); });
  const std::set<std::string> unique(order.begin(), order.end());
  EXPECT_EQ(order.size(), kPages);
  EXPECT_EQ(unique.size(), kPages);
  for (const std::string& url : order) EXPECT_EQ(url.find_first_of("#?"), std::string::npos);
  // Once fetched, a URL is never admitted again.
  EXPECT_EQ(frontier->add("https://site.test/p/5#x", nullptr, 1), AddResult::kDuplicate);
  EXPECT_EQ(frontier->counts().seen, kPages);
}

// A binary tree of pages: /n has children /2n+1 and /2n+2; page n sits at depth floor(log2(n+1)).
std::vector<std::string> tree_links(const std::string& url) {
  const size_t n = page_number(url);
  return {"https://site.test/" + std::to_string(2 * n + 1),
          "https://site.test/" + std::to_string(2 * n + 2)};
}
uint32_t tree_depth(size_t n) {
  return static_cast<uint32_t>(std::bit_width(n + 1) - 1);
}

TEST(Frontier, MaxDepthIsExact) {
  FrontierConfig config = fast_config();
  config.max_depth = 4;
  auto frontier = make(config, {"https://site.test/0"});
  const auto order = drain(*frontier, tree_links);
  EXPECT_EQ(order.size(), 31u);  // 1 + 2 + 4 + 8 + 16 pages at depths 0..4
  for (const std::string& url : order) EXPECT_LE(tree_depth(page_number(url)), 4u);
  EXPECT_EQ(frontier->add("https://site.test/99", nullptr, 5), AddResult::kTooDeep);
}

TEST(Frontier, BreadthFirstOrderOnOneHost) {
  FrontierConfig config = fast_config();
  config.max_depth = 6;
  auto frontier = make(config, {"https://site.test/0"});
  const auto order = drain(*frontier, tree_links);
  ASSERT_EQ(order.size(), 127u);
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(page_number(order[i]), i);  // level order
}

// Out-of-order discovery (a depth-2 link found before a depth-1 link on another host) does not
// break depth order among available hosts.
TEST(Frontier, BreadthFirstAcrossHosts) {
  FrontierConfig config = fast_config();
  config.filter.scope = Scope::kDomain;
  auto frontier = make(config, {"https://a.site.test/"});
  ASSERT_EQ(frontier->add("https://b.site.test/deep", nullptr, 2), AddResult::kAdded);
  ASSERT_EQ(frontier->add("https://a.site.test/deep", nullptr, 2), AddResult::kAdded);
  ASSERT_EQ(frontier->add("https://b.site.test/shallow", nullptr, 1), AddResult::kAdded);
  ASSERT_EQ(frontier->add("https://c.site.test/shallow", nullptr, 1), AddResult::kAdded);
  std::vector<std::pair<std::string, uint32_t>> order;
  for (NextResult r = frontier->next(kT0); r.kind == Kind::kUrl; r = frontier->next(kT0)) {
    order.emplace_back(r.item.url, r.item.depth);
    frontier->done(r.item, kT0, {});
  }
  const std::vector<std::pair<std::string, uint32_t>> expected = {
      {"https://a.site.test/", 0},        {"https://b.site.test/shallow", 1},
      {"https://c.site.test/shallow", 1}, {"https://b.site.test/deep", 2},
      {"https://a.site.test/deep", 2},
  };
  EXPECT_EQ(order, expected);
}

// A host that is not available (delay, concurrency) does not hold up the others: its shallow
// page waits while another host's deeper page goes out.
TEST(Frontier, UnavailableHostsAreSkipped) {
  FrontierConfig config = fast_config();
  config.filter.scope = Scope::kDomain;
  config.host_delay = seconds(10);
  auto frontier = make(config, {"https://a.site.test/"});
  ASSERT_EQ(frontier->add("https://a.site.test/1", nullptr, 1), AddResult::kAdded);
  ASSERT_EQ(frontier->add("https://b.site.test/2", nullptr, 2), AddResult::kAdded);
  NextResult first = frontier->next(kT0);
  ASSERT_EQ(first.kind, Kind::kUrl);
  EXPECT_EQ(first.item.url, "https://a.site.test/");
  frontier->done(first.item, kT0, {});
  NextResult second = frontier->next(kT0);
  ASSERT_EQ(second.kind, Kind::kUrl);
  EXPECT_EQ(second.item.url, "https://b.site.test/2");
  frontier->done(second.item, kT0, {});
  NextResult third = frontier->next(kT0);
  ASSERT_EQ(third.kind, Kind::kWait);
  EXPECT_EQ(third.ready_at, kT0 + seconds(10));
  NextResult fourth = frontier->next(kT0 + seconds(10));
  ASSERT_EQ(fourth.kind, Kind::kUrl);
  EXPECT_EQ(fourth.item.url, "https://a.site.test/1");
}

TEST(Frontier, MaxPagesIsExactAndCountsFailures) {
  FrontierConfig config = fast_config();
  config.max_pages = 137;
  auto frontier = make(config, {"https://site.test/p/0"});
  size_t handed_out = 0;
  for (NextResult r = frontier->next(kT0); r.kind == Kind::kUrl; r = frontier->next(kT0)) {
    ++handed_out;
    for (const std::string& link : site_links(page_number(r.item.url), 10000)) {
      (void)frontier->add(link, nullptr, r.item.depth + 1);
    }
    // Every other fetch fails: it still used up one page of the budget.
    FetchOutcome outcome;
    if (handed_out % 2 == 0) outcome.kind = FetchOutcome::Kind::kFailed;
    frontier->done(r.item, kT0, outcome);
  }
  EXPECT_EQ(handed_out, 137u);
  EXPECT_EQ(frontier->next(kT0).kind, Kind::kFinished);
  EXPECT_EQ(frontier->counts().handed_out, 137u);
  EXPECT_GT(frontier->counts().queued, 0u);  // left unfetched
}

// A page robots.txt disallows is reported as skipped: no page of max_pages and no delay used.
TEST(Frontier, SkippedPagesCostNothing) {
  FrontierConfig config = fast_config();
  config.max_pages = 2;
  config.host_delay = seconds(5);
  auto frontier = make(config, {"https://site.test/0"});
  for (int i = 1; i <= 3; ++i) {
    (void)frontier->add("https://site.test/" + std::to_string(i), nullptr, 1);
  }
  std::vector<std::string> fetched;
  NextResult r = frontier->next(kT0);
  ASSERT_EQ(r.kind, Kind::kUrl);
  frontier->done(r.item, kT0, {FetchOutcome::Kind::kSkipped, std::nullopt});
  EXPECT_EQ(frontier->counts().handed_out, 0u);
  Clock::time_point now = kT0;
  for (r = frontier->next(now); r.kind != Kind::kFinished; r = frontier->next(now)) {
    if (r.kind == Kind::kWait) {
      now = r.ready_at;
      continue;
    }
    ASSERT_EQ(r.kind, Kind::kUrl);
    fetched.push_back(r.item.url);
    frontier->done(r.item, now, {});
  }
  // The skip did not delay the first real request, and max_pages still allowed two fetches.
  EXPECT_EQ(fetched, (std::vector<std::string>{"https://site.test/1", "https://site.test/2"}));
  EXPECT_EQ(now, kT0 + seconds(5));
}

TEST(Frontier, PathBudgetsAreExact) {
  FrontierConfig config = fast_config();
  config.filter.budgets = {{"/blog/*", 10}, {"/blog/2024/*", 3}};
  auto frontier = make(config, {"https://site.test/"});
  int added_blog = 0;
  int added_2024 = 0;
  int added_other = 0;
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    added_blog += frontier->add("https://site.test/blog/" + n, nullptr, 1) == AddResult::kAdded;
    added_2024 +=
        frontier->add("https://site.test/blog/2024/" + n, nullptr, 1) == AddResult::kAdded;
    added_other += frontier->add("https://site.test/about/" + n, nullptr, 1) == AddResult::kAdded;
  }
  EXPECT_EQ(added_blog, 10);
  EXPECT_EQ(added_2024, 3);
  EXPECT_EQ(added_other, 50);
  EXPECT_EQ(frontier->add("https://site.test/blog/new", nullptr, 1), AddResult::kOverBudget);
  EXPECT_EQ(drain(*frontier, [](const std::string&) { return std::vector<std::string>{}; }).size(),
            1u + 10 + 3 + 50);
}

TEST(Frontier, AddReportsWhy) {
  FrontierConfig config = fast_config();
  config.max_depth = 2;
  config.filter.exclude = {"/private/*"};
  config.filter.include = {"/docs/*"};
  auto frontier = make(config, {"https://site.test/"});
  EXPECT_EQ(frontier->add("https://site.test/docs/a", nullptr, 1), AddResult::kAdded);
  EXPECT_EQ(frontier->add("https://site.test/docs/a?utm_medium=x", nullptr, 1),
            AddResult::kDuplicate);
  EXPECT_EQ(frontier->add("https://site.test/private/docs/x", nullptr, 1), AddResult::kExcluded);
  EXPECT_EQ(frontier->add("https://site.test/about", nullptr, 1), AddResult::kNotIncluded);
  EXPECT_EQ(frontier->add("https://other.test/docs/a", nullptr, 1), AddResult::kOutOfScope);
  EXPECT_EQ(frontier->add("mailto:x@site.test", nullptr, 1), AddResult::kInvalid);
  EXPECT_EQ(frontier->add("https://site.test/docs/b", nullptr, 3), AddResult::kTooDeep);
  EXPECT_EQ(
      frontier->add("https://site.test/docs/" + std::string(kMaxCrawlPathBytes, 'x'), nullptr, 1),
      AddResult::kTooLong);
  // The seed bypasses include: it is handed out first.
  NextResult r = frontier->next(kT0);
  ASSERT_EQ(r.kind, Kind::kUrl);
  EXPECT_EQ(r.item.url, "https://site.test/");
  EXPECT_EQ(add_result_name(AddResult::kOverBudget), "over_budget");
}

TEST(Frontier, RedirectTargetsAreNotAdmittedAgain) {
  auto frontier = make(fast_config(), {"https://site.test/"});
  // "/old" redirected to "/new?utm_source=x": the canonical "/new" counts as fetched.
  EXPECT_TRUE(frontier->add_fetched("https://site.test/new?utm_source=x#top"));
  EXPECT_FALSE(frontier->add_fetched("https://site.test/new"));
  EXPECT_EQ(frontier->add("https://site.test/new", nullptr, 1), AddResult::kDuplicate);
  // Already known (the seed), out of scope or invalid: not recorded.
  EXPECT_FALSE(frontier->add_fetched("https://site.test/"));
  EXPECT_FALSE(frontier->add_fetched("https://other.test/new"));
  EXPECT_FALSE(frontier->add_fetched("not a url"));
  EXPECT_EQ(frontier->counts().queued, 1u);  // the seed only
  EXPECT_EQ(frontier->counts().handed_out, 0u);
  const FrontierState state = frontier->snapshot();
  EXPECT_EQ(state.finished, std::vector<std::string>{"https://site.test/new"});
}

TEST(Frontier, BestFirstPrefersShortPlainUrls) {
  FrontierConfig config = fast_config();
  config.order = Order::kBestFirst;
  auto frontier = make(config, {"https://site.test/"});
  for (const char* link :
       {"https://site.test/a/b/c", "https://site.test/news?page=2", "https://site.test/a?x=1",
        "https://site.test/blog/page/3", "https://site.test/a", "https://site.test/a/b"}) {
    ASSERT_EQ(frontier->add(link, nullptr, 1), AddResult::kAdded) << link;
  }
  const auto order =
      drain(*frontier, [](const std::string&) { return std::vector<std::string>{}; });
  const std::vector<std::string> expected = {
      "https://site.test/",
      "https://site.test/a",
      "https://site.test/a?x=1",
      "https://site.test/a/b",
      "https://site.test/a/b/c",
      "https://site.test/news?page=2",
      "https://site.test/blog/page/3",
  };
  EXPECT_EQ(order, expected);
}

TEST(UrlScore, Rules) {
  auto score = [](const char* u) { return url_score(*url::parse(u)); };
  EXPECT_EQ(score("https://h/"), 100);
  EXPECT_EQ(score("https://h/a/b"), 80);
  EXPECT_EQ(score("https://h/a?x=1&y=2"), 80);
  EXPECT_EQ(score("https://h/list?page=2"), 55);
  EXPECT_EQ(score("https://h/list/page/2"), 40);
  EXPECT_EQ(score("https://h/list/page-2"), 50);
  EXPECT_EQ(score("https://h/list?offset=20"), 55);
  EXPECT_EQ(score("https://h/page/about"), 80);  // "page" without a number is not pagination
}

TEST(Frontier, DelayAndHostConcurrency) {
  FrontierConfig config = fast_config();
  config.host_delay = seconds(2);
  auto frontier = make(config, {"https://site.test/0"});
  for (int i = 1; i <= 3; ++i) {
    (void)frontier->add("https://site.test/" + std::to_string(i), nullptr, 1);
  }
  NextResult a = frontier->next(kT0);
  ASSERT_EQ(a.kind, Kind::kUrl);
  // In flight at the concurrency cap of 1: only a done() frees the host.
  EXPECT_EQ(frontier->next(kT0 + seconds(5)).kind, Kind::kBusy);
  frontier->done(a.item, kT0 + milliseconds(500), {});
  // Both rules hold: 2 s after the request started and 2 s after its response.
  NextResult wait = frontier->next(kT0 + milliseconds(500));
  ASSERT_EQ(wait.kind, Kind::kWait);
  EXPECT_EQ(wait.ready_at, kT0 + milliseconds(2500));
  EXPECT_EQ(frontier->next(kT0 + milliseconds(2499)).kind, Kind::kWait);
  EXPECT_EQ(frontier->next(kT0 + milliseconds(2500)).kind, Kind::kUrl);

  // Concurrency 2 with no delay: two in flight, the third waits for a done().
  FrontierConfig two = fast_config();
  two.host_concurrency = 2;
  auto parallel = make(two, {"https://site.test/0"});
  for (int i = 1; i <= 3; ++i) {
    (void)parallel->add("https://site.test/" + std::to_string(i), nullptr, 1);
  }
  NextResult p1 = parallel->next(kT0);
  NextResult p2 = parallel->next(kT0);
  ASSERT_EQ(p1.kind, Kind::kUrl);
  ASSERT_EQ(p2.kind, Kind::kUrl);
  EXPECT_EQ(parallel->next(kT0).kind, Kind::kBusy);
  parallel->done(p2.item, kT0, {});
  EXPECT_EQ(parallel->next(kT0).kind, Kind::kUrl);
}

TEST(Frontier, PerHostDelayOverridesTheDefault) {
  FrontierConfig config = fast_config();
  config.host_delay = seconds(1);
  auto frontier = make(config, {"https://site.test/0"});
  (void)frontier->add("https://site.test/1", nullptr, 1);
  frontier->set_host_delay("site.test", seconds(7));  // robots.txt Crawl-delay: 7
  NextResult a = frontier->next(kT0);
  ASSERT_EQ(a.kind, Kind::kUrl);
  frontier->done(a.item, kT0, {});
  NextResult wait = frontier->next(kT0);
  ASSERT_EQ(wait.kind, Kind::kWait);
  EXPECT_EQ(wait.ready_at, kT0 + seconds(7));
}

TEST(Frontier, BackOffDoublesAndHonoursRetryAfter) {
  FrontierConfig config = fast_config();
  config.host_delay = seconds(1);
  auto frontier = make(config, {"https://site.test/0"});
  (void)frontier->add("https://site.test/1", nullptr, 1);
  const FetchOutcome throttled{FetchOutcome::Kind::kThrottled, std::nullopt};

  Clock::time_point now = kT0;
  std::vector<Duration> waits;
  std::vector<uint32_t> attempts;
  for (int i = 0; i < 3; ++i) {
    NextResult r = frontier->next(now);
    ASSERT_EQ(r.kind, Kind::kUrl);
    EXPECT_EQ(r.item.url, "https://site.test/0");  // the throttled page is retried first
    attempts.push_back(r.item.attempts);
    frontier->done(r.item, now, throttled);
    NextResult w = frontier->next(now);
    ASSERT_EQ(w.kind, Kind::kWait);
    waits.push_back(w.ready_at - now);
    now = w.ready_at;
  }
  EXPECT_EQ(waits, (std::vector<Duration>{seconds(1), seconds(2), seconds(4)}));
  EXPECT_EQ(attempts, (std::vector<uint32_t>{1, 2, 3}));
  // Three attempts used: the page is given up, the next one goes out, still one page counted.
  NextResult next = frontier->next(now);
  ASSERT_EQ(next.kind, Kind::kUrl);
  EXPECT_EQ(next.item.url, "https://site.test/1");
  EXPECT_EQ(frontier->counts().handed_out, 2u);

  // Retry-After longer than the back-off wins; a success resets the back-off.
  frontier->done(next.item, now, {FetchOutcome::Kind::kThrottled, seconds(30)});
  NextResult w = frontier->next(now);
  ASSERT_EQ(w.kind, Kind::kWait);
  EXPECT_EQ(w.ready_at, now + seconds(30));
  now = w.ready_at;
  NextResult retry = frontier->next(now);
  ASSERT_EQ(retry.kind, Kind::kUrl);
  frontier->done(retry.item, now, {});
  (void)frontier->add("https://site.test/2", nullptr, 1);
  now += seconds(1);
  NextResult after_ok = frontier->next(now);
  ASSERT_EQ(after_ok.kind, Kind::kUrl);
  frontier->done(after_ok.item, now, throttled);
  EXPECT_EQ(frontier->next(now).ready_at, now + seconds(1));  // level 1 again
}

TEST(Frontier, RetryAfterIsCapped) {
  FrontierConfig config = fast_config();
  auto frontier = make(config, {"https://site.test/0"});
  NextResult r = frontier->next(kT0);
  ASSERT_EQ(r.kind, Kind::kUrl);
  frontier->done(r.item, kT0, {FetchOutcome::Kind::kThrottled, std::chrono::hours(24)});
  NextResult w = frontier->next(kT0);
  ASSERT_EQ(w.kind, Kind::kWait);
  EXPECT_EQ(w.ready_at, kT0 + kMaxBackoff);
  // Even with no delay configured, a throttled host waits kMinBackoff.
  NextResult again = frontier->next(kT0 + kMaxBackoff);
  ASSERT_EQ(again.kind, Kind::kUrl);
  frontier->done(again.item, kT0 + kMaxBackoff, {FetchOutcome::Kind::kThrottled, std::nullopt});
  EXPECT_EQ(frontier->next(kT0 + kMaxBackoff).ready_at, kT0 + kMaxBackoff + 2 * kMinBackoff);
}

TEST(Frontier, ResumeGivesTheSameRemainingOrder) {
  constexpr size_t kPages = 500;
  FrontierConfig config = fast_config();
  config.filter.scope = Scope::kDomain;
  config.filter.budgets = {{"/p/1*", 40}};
  config.max_pages = 400;
  const auto links = [](const std::string& url) {
    const size_t n = page_number(url);
    std::vector<std::string> out = site_links(n, kPages);
    out.push_back("https://other.site.test/p/" + std::to_string((n * 3) % kPages));
    return out;
  };
  auto original = make(config, {"https://site.test/p/0"});
  original->set_host_delay("other.site.test", milliseconds(1500));
  // Fetch 50 pages, leave one in flight, snapshot.
  Clock::time_point now = kT0;
  for (int fetched = 0; fetched < 50;) {
    NextResult r = original->next(now);
    if (r.kind == Kind::kWait) {
      now = r.ready_at;
      continue;
    }
    ASSERT_EQ(r.kind, Kind::kUrl);
    for (const std::string& link : links(r.item.url)) {
      (void)original->add(link, nullptr, r.item.depth + 1);
    }
    original->done(r.item, now, {});
    ++fetched;
  }
  NextResult in_flight = original->next(now + seconds(10));
  ASSERT_EQ(in_flight.kind, Kind::kUrl);
  const FrontierState state = original->snapshot();
  EXPECT_EQ(state.pages_handed_out, 51u);
  ASSERT_EQ(state.host_delays_ms.size(), 1u);
  EXPECT_EQ(state.host_delays_ms[0].second, 1500);

  auto resumed_result = Frontier::restore(config, state);
  ASSERT_TRUE(resumed_result.ok()) << resumed_result.error().to_string();
  auto resumed = std::move(resumed_result).value();
  EXPECT_EQ(resumed->counts().seen, original->counts().seen);
  EXPECT_EQ(resumed->counts().handed_out, 51u);

  // The original finishes its in-flight page as the snapshot could not know; the resumed one
  // fetches it again (it was not done). From there both must hand out the same sequence.
  original->done(in_flight.item, now, {FetchOutcome::Kind::kThrottled, std::nullopt});
  const Clock::time_point later = now + kMaxBackoff;
  const auto rest_original = drain(*original, links, later);
  const auto rest_resumed = drain(*resumed, links, later);
  EXPECT_EQ(rest_resumed, rest_original);
  EXPECT_EQ(resumed->counts().handed_out, 400u);
  EXPECT_EQ(original->counts().handed_out, 400u);
  EXPECT_FALSE(rest_resumed.empty());
  EXPECT_EQ(rest_resumed.front(), in_flight.item.url);
}

TEST(Frontier, RestoreRefusesMismatchedState) {
  FrontierConfig config = fast_config();
  config.filter.budgets = {{"/a/*", 1}};
  FrontierState state;
  state.seeds = {"https://site.test/"};
  EXPECT_FALSE(Frontier::restore(config, state).ok());  // no budget counts
  state.budget_used = {0};
  state.pending = {{"not a url", 0, 0}};
  EXPECT_FALSE(Frontier::restore(config, state).ok());
}

// Workers calling next/add/done from several threads still see every page exactly once.
TEST(Frontier, ConcurrentWorkers) {
  constexpr size_t kPages = 3000;
  FrontierConfig config = fast_config();
  config.host_concurrency = 8;
  auto frontier = make(config, {"https://site.test/p/0"});
  std::mutex mutex;
  std::vector<std::string> fetched;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        NextResult r = frontier->next(kT0);
        if (r.kind == Kind::kFinished) return;
        if (r.kind != Kind::kUrl) {
          std::this_thread::yield();
          continue;
        }
        for (const std::string& link : site_links(page_number(r.item.url), kPages)) {
          (void)frontier->add(link, nullptr, r.item.depth + 1);
        }
        {
          std::lock_guard lock(mutex);
          fetched.push_back(r.item.url);
        }
        frontier->done(r.item, kT0, {});
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(fetched.size(), kPages);
  EXPECT_EQ(std::set<std::string>(fetched.begin(), fetched.end()).size(), kPages);
}

}  // namespace
TEST(Frontier, ASeedsRedirectTargetOnAnotherHostJoinsTheScopeAndSurvivesAResume) {
  FrontierConfig config = fast_config();
  auto frontier = make(config, {"http://a.test/"});
  EXPECT_EQ(frontier->add("https://www.a.test/x", nullptr, 1), AddResult::kOutOfScope);
  // Only a seed's redirect extends the scope, and only once.
  EXPECT_FALSE(frontier->extend_scope_for_seed("http://a.test/page", "https://b.test/"));
  EXPECT_TRUE(frontier->extend_scope_for_seed("http://a.test/", "https://www.a.test/home"));
  EXPECT_FALSE(frontier->extend_scope_for_seed("http://a.test/", "https://www.a.test/home"));
  EXPECT_EQ(frontier->add("https://www.a.test/x", nullptr, 1), AddResult::kAdded);
  EXPECT_EQ(frontier->add("https://b.test/x", nullptr, 1), AddResult::kOutOfScope);

  FrontierState state = frontier->snapshot();
  EXPECT_EQ(state.seeds, (std::vector<std::string>{"http://a.test/", "https://www.a.test/home"}));
  auto resumed = Frontier::restore(config, state);
  ASSERT_TRUE(resumed.ok()) << resumed.error().to_string();
  EXPECT_EQ((*resumed)->add("https://www.a.test/y", nullptr, 1), AddResult::kAdded);
}

}  // namespace riptide::crawl
