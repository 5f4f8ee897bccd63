// The per-origin robots.txt cache (crawl/robots_cache.h) against the local test site: one fetch
// per origin however many threads ask, the RFC 9309 status mapping on real responses, redirects,
// the 500 KiB cap, expiry on a fake clock and the origin bound.
#include "crawl/robots_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "tests/support/site_fetch_config.h"
#include "tests/support/test_http_server.h"

namespace riptide::crawl {
namespace {

using std::chrono::milliseconds;
using testing::html_response;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::redirect_response;
using testing::site_fetch_config;
using testing::TestHttpServer;

HttpResponse robots_response(std::string body, int status = 200) {
  return html_response(std::move(body), status, "text/plain");
}

// A clock the test moves by hand.
struct FakeClock {
  RobotsCache::Clock::time_point now = RobotsCache::Clock::time_point{} + std::chrono::hours(1);
  std::function<RobotsCache::Clock::time_point()> function() {
    return [this] { return now; };
  }
};

// The site's origin, "http://127.0.0.1:<port>".
std::string origin_of(const TestHttpServer& site) {
  std::string url = site.url("/");
  return url.substr(0, url.size() - 1);
}

TEST(RobotsCache, ConcurrentCallersShareOneFetch) {
  TestHttpServer site;
  site.route("/robots.txt", [](const HttpRequest&) {
    HttpResponse response = robots_response("User-agent: *\nDisallow: /private\n");
    response.delay = milliseconds(100);  // every thread arrives while the first one fetches
    return response;
  });
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  constexpr int kThreads = 20;
  std::vector<std::shared_ptr<const RobotsPolicy>> policies(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { policies[i] = cache.get(origin_of(site)); });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 1u);
  EXPECT_EQ(site.request_count(), 1u);
  EXPECT_EQ(cache.fetch_count(), 1u);
  for (const auto& policy : policies) {
    ASSERT_NE(policy, nullptr);
    EXPECT_EQ(policy, policies[0]);  // the same shared answer
    EXPECT_EQ(policy->source, RobotsSource::kParsed);
    EXPECT_FALSE(policy->allowed("/private/x"));
    EXPECT_TRUE(policy->allowed("/public"));
  }
  // Later calls, with the origin written differently, are served from the cache.
  cache.get(origin_of(site) + "/some/page?q=1");
  EXPECT_EQ(site.request_count(), 1u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(RobotsCache, SendsTheProductTokenGroupAndOurUserAgent) {
  TestHttpServer site;
  site.route("/robots.txt", [](const HttpRequest&) {
    return robots_response("User-agent: *\nDisallow: /\n\nUser-agent: riptide\nAllow: /\n");
  });
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  EXPECT_TRUE(cache.get(origin_of(site))->allowed("/page"));
  ASSERT_EQ(site.request_count(), 1u);
  EXPECT_NE(site.requests()[0].header("User-Agent").find("riptide/"), std::string::npos);

  RobotsCache other_bot(fetcher, "otherbot");
  EXPECT_FALSE(other_bot.get(origin_of(site))->allowed("/page"));
}

TEST(RobotsCache, NotFoundAllowsEverything) {
  TestHttpServer site;  // no /robots.txt route: the default fallback answers 404
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  std::shared_ptr<const RobotsPolicy> policy = cache.get(origin_of(site));
  EXPECT_EQ(policy->source, RobotsSource::kUnavailable);
  EXPECT_TRUE(policy->allowed("/anything"));
  EXPECT_EQ(policy->refetch_after, kRobotsCacheTtl);
}

TEST(RobotsCache, ServerErrorDisallowsEverythingForTenMinutes) {
  TestHttpServer site;
  std::atomic<int> status{500};
  site.route("/robots.txt",
             [&](const HttpRequest&) { return robots_response("oops", status.load()); });
  fetch::Fetcher fetcher(site_fetch_config());
  FakeClock clock;
  RobotsCache cache(fetcher, std::string(kProductToken), clock.function());
  std::shared_ptr<const RobotsPolicy> policy = cache.get(origin_of(site));
  EXPECT_EQ(policy->source, RobotsSource::kUnreachable);
  EXPECT_FALSE(policy->allowed("/"));
  EXPECT_FALSE(policy->allowed("/page"));

  status = 404;
  clock.now += kUnreachableRetry - std::chrono::seconds(1);
  EXPECT_FALSE(cache.get(origin_of(site))->allowed("/page"));
  EXPECT_EQ(site.request_count(), 1u);
  clock.now += std::chrono::seconds(1);
  EXPECT_TRUE(cache.get(origin_of(site))->allowed("/page"));
  EXPECT_EQ(site.request_count(), 2u);
  EXPECT_EQ(cache.fetch_count(), 2u);
}

TEST(RobotsCache, ParsedFilesExpireAfterTheirTtl) {
  TestHttpServer site;
  std::atomic<bool> changed{false};
  site.route("/robots.txt", [&](const HttpRequest&) {
    return robots_response(changed ? "User-agent: *\nDisallow: /new\n"
                                   : "User-agent: *\nDisallow: /old\n");
  });
  fetch::Fetcher fetcher(site_fetch_config());
  FakeClock clock;
  RobotsCache cache(fetcher, std::string(kProductToken), clock.function());
  EXPECT_FALSE(cache.get(origin_of(site))->allowed("/old"));
  changed = true;
  clock.now += kRobotsCacheTtl - std::chrono::seconds(1);
  EXPECT_FALSE(cache.get(origin_of(site))->allowed("/old"));  // still the cached file
  EXPECT_EQ(site.request_count(), 1u);
  clock.now += std::chrono::seconds(1);
  std::shared_ptr<const RobotsPolicy> fresh = cache.get(origin_of(site));
  EXPECT_TRUE(fresh->allowed("/old"));
  EXPECT_FALSE(fresh->allowed("/new"));
  EXPECT_EQ(site.request_count(), 2u);
}

TEST(RobotsCache, FollowsARedirectToAnotherPath) {
  TestHttpServer site;
  site.route("/robots.txt",
             [](const HttpRequest&) { return redirect_response(301, "/static/robots.txt"); });
  site.route("/static/robots.txt",
             [](const HttpRequest&) { return robots_response("User-agent: *\nDisallow: /x\n"); });
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  std::shared_ptr<const RobotsPolicy> policy = cache.get(origin_of(site));
  EXPECT_EQ(policy->source, RobotsSource::kParsed);
  EXPECT_FALSE(policy->allowed("/x"));
  EXPECT_TRUE(policy->allowed("/y"));
}

// /robots.txt redirects to /hop/1, ... /hop/N serves a file disallowing everything.
void serve_redirect_chain(TestHttpServer& site, int redirects) {
  site.set_fallback([redirects](const HttpRequest& request) {
    int n = request.path == "/robots.txt" ? 0 : std::stoi(request.path.substr(5));
    if (n == redirects) return robots_response("User-agent: *\nDisallow: /\n");
    return redirect_response(302, "/hop/" + std::to_string(n + 1));
  });
}

TEST(RobotsCache, MoreThanFiveRedirectsAllowsEverything) {
  TestHttpServer five;
  serve_redirect_chain(five, 5);
  TestHttpServer six;
  serve_redirect_chain(six, 6);
  fetch::Fetcher fetcher(site_fetch_config());  // the config allows 10; robots.txt gets 5
  RobotsCache cache(fetcher);
  std::shared_ptr<const RobotsPolicy> followed = cache.get(origin_of(five));
  EXPECT_EQ(followed->source, RobotsSource::kParsed);
  EXPECT_FALSE(followed->allowed("/page"));
  std::shared_ptr<const RobotsPolicy> overflow = cache.get(origin_of(six));
  EXPECT_EQ(overflow->source, RobotsSource::kUnavailable);
  EXPECT_TRUE(overflow->allowed("/page"));
  EXPECT_EQ(overflow->refetch_after, kRobotsCacheTtl);
  EXPECT_EQ(six.request_count(), 6u);  // /robots.txt and five hops; /hop/6 is never asked for
}

TEST(RobotsCache, NetworkErrorsDisallowEverything) {
  TestHttpServer site;
  site.route("/robots.txt", [](const HttpRequest&) {
    HttpResponse response;
    response.close_without_response = true;
    return response;
  });
  TestHttpServer slow;
  slow.route("/robots.txt", [](const HttpRequest&) {
    HttpResponse response = robots_response("User-agent: *\nAllow: /\n");
    response.delay = milliseconds(2'000);
    return response;
  });
  TestHttpServer loop;
  loop.route("/robots.txt", [](const HttpRequest&) { return redirect_response(302, "/a"); });
  loop.route("/a", [](const HttpRequest&) { return redirect_response(302, "/robots.txt"); });
  fetch::FetchConfig config = site_fetch_config();
  config.total_timeout = milliseconds(200);
  fetch::Fetcher fetcher(config);
  RobotsCache cache(fetcher);
  for (const TestHttpServer* server : {&site, &slow, &loop}) {
    std::shared_ptr<const RobotsPolicy> policy = cache.get(origin_of(*server));
    EXPECT_EQ(policy->source, RobotsSource::kUnreachable) << origin_of(*server);
    EXPECT_FALSE(policy->allowed("/page"));
    EXPECT_EQ(policy->refetch_after, kUnreachableRetry);
  }
  // The SSRF guard refusing the address is no answer either.
  fetch::Fetcher guarded{fetch::FetchConfig{}};
  RobotsCache guarded_cache(guarded);
  EXPECT_EQ(guarded_cache.get(origin_of(site))->source, RobotsSource::kUnreachable);
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 1u);  // only the first cache connected
}

TEST(RobotsCache, ParsesAnOversizeFileUpToTheCap) {
  // A rule inside the first 500 KiB, padding, and a rule beyond the cap.
  std::string file = "User-agent: *\nDisallow: /early\n";
  while (file.size() < kMaxRobotsBytes + 1'000) file += "# padding padding padding padding\n";
  file += "Disallow: /late\n";
  TestHttpServer site;
  site.route("/robots.txt", [&](const HttpRequest&) { return robots_response(file); });
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  std::shared_ptr<const RobotsPolicy> policy = cache.get(origin_of(site));
  EXPECT_EQ(policy->source, RobotsSource::kParsed);
  EXPECT_FALSE(policy->allowed("/early"));
  EXPECT_TRUE(policy->allowed("/late"));
}

TEST(RobotsCache, BadOriginsAreDisallowedWithoutAFetch) {
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  for (const char* origin : {"", "not a url", "ftp://example.com", "mailto:a@b.c"}) {
    std::shared_ptr<const RobotsPolicy> policy = cache.get(origin);
    EXPECT_EQ(policy->source, RobotsSource::kUnreachable) << origin;
    EXPECT_FALSE(policy->allowed("/")) << origin;
  }
  EXPECT_EQ(cache.fetch_count(), 0u);
  EXPECT_EQ(cache.size(), 0u);
}

// Serves a robots.txt that answers only after 5 s while `slow` is true (for the cancel tests).
void route_slow_robots(TestHttpServer& site, const std::atomic<bool>& slow) {
  site.route("/robots.txt", [&slow](const HttpRequest&) {
    HttpResponse response = robots_response("User-agent: *\nDisallow: /x\n");
    if (slow) response.delay = milliseconds(5'000);
    return response;
  });
}

// Waits until `site` has logged a request for robots.txt.
void wait_for_robots_request(const TestHttpServer& site) {
  while (site.requests_for("/robots.txt").empty()) std::this_thread::sleep_for(milliseconds(5));
}

TEST(RobotsCache, CancelEndsTheFetchPromptlyAndCachesNothing) {
  TestHttpServer site;
  std::atomic<bool> slow{true};
  route_slow_robots(site, slow);
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  std::atomic<bool> stop{false};
  std::thread canceller([&] {
    wait_for_robots_request(site);
    stop = true;
  });
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const RobotsPolicy> policy = cache.get(origin_of(site), &stop);
  auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_LT(elapsed, milliseconds(1'000));
  EXPECT_EQ(policy->source, RobotsSource::kUnreachable);
  EXPECT_EQ(cache.size(), 0u);  // the crawl stopped, the site said nothing: not remembered

  // A caller that is stopping already does not fetch at all.
  EXPECT_EQ(cache.get(origin_of(site), &stop)->source, RobotsSource::kUnreachable);
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 1u);

  slow = false;
  std::shared_ptr<const RobotsPolicy> fresh = cache.get(origin_of(site));
  EXPECT_EQ(fresh->source, RobotsSource::kParsed);
  EXPECT_FALSE(fresh->allowed("/x"));
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 2u);
}

TEST(RobotsCache, CancelEndsTheWaitForAnotherCallersFetch) {
  TestHttpServer site;
  site.route("/robots.txt", [&](const HttpRequest&) {
    HttpResponse response = robots_response("User-agent: *\nDisallow: /x\n");
    response.delay = milliseconds(600);
    return response;
  });
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  std::shared_ptr<const RobotsPolicy> first;
  std::thread fetching([&] { first = cache.get(origin_of(site)); });
  wait_for_robots_request(site);
  std::atomic<bool> stop{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));  // the waiter below is waiting by then
    stop = true;
  });
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const RobotsPolicy> waiter = cache.get(origin_of(site), &stop);
  auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  fetching.join();
  EXPECT_LT(elapsed, milliseconds(400));  // not the 600 ms of the fetch
  EXPECT_EQ(waiter->source, RobotsSource::kUnreachable);
  // The first caller's fetch was not disturbed and is cached.
  EXPECT_EQ(first->source, RobotsSource::kParsed);
  EXPECT_EQ(cache.get(origin_of(site)), first);
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 1u);
}

TEST(RobotsCache, AWaiterFetchesItselfWhenTheFetchingCallerIsCancelled) {
  TestHttpServer site;
  std::atomic<bool> slow{true};
  route_slow_robots(site, slow);
  fetch::Fetcher fetcher(site_fetch_config());
  RobotsCache cache(fetcher);
  std::atomic<bool> stop{false};
  std::shared_ptr<const RobotsPolicy> cancelled;
  std::thread fetching([&] { cancelled = cache.get(origin_of(site), &stop); });
  wait_for_robots_request(site);
  std::shared_ptr<const RobotsPolicy> waited;
  std::thread waiting([&] { waited = cache.get(origin_of(site)); });  // no cancel flag
  std::this_thread::sleep_for(milliseconds(50));                      // let it start waiting
  slow = false;
  stop = true;
  fetching.join();
  waiting.join();
  EXPECT_EQ(cancelled->source, RobotsSource::kUnreachable);
  // The waiter did not take the cancelled caller's non-answer: it asked the site itself.
  EXPECT_EQ(waited->source, RobotsSource::kParsed);
  EXPECT_FALSE(waited->allowed("/x"));
  EXPECT_EQ(site.requests_for("/robots.txt").size(), 2u);
}

TEST(RobotsCache, DropsTheLeastRecentlyFetchedOriginBeyondTheBound) {
  std::vector<std::unique_ptr<TestHttpServer>> sites;
  for (int i = 0; i < 4; ++i) {
    sites.push_back(std::make_unique<TestHttpServer>());
    sites.back()->route("/robots.txt",
                        [](const HttpRequest&) { return robots_response("User-agent: *\n"); });
  }
  fetch::Fetcher fetcher(site_fetch_config());
  FakeClock clock;
  RobotsCache cache(fetcher, std::string(kProductToken), clock.function(), 3);
  for (const auto& site : sites) {
    cache.get(origin_of(*site));
    clock.now += std::chrono::seconds(1);
  }
  EXPECT_EQ(cache.size(), 3u);
  // sites[0] was fetched first, so it was dropped; the others are still cached.
  for (int i = 1; i < 4; ++i) cache.get(origin_of(*sites[i]));
  EXPECT_EQ(cache.fetch_count(), 4u);
  cache.get(origin_of(*sites[0]));
  EXPECT_EQ(cache.fetch_count(), 5u);
  EXPECT_EQ(sites[0]->request_count(), 2u);
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace riptide::crawl
