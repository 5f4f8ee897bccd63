#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "crawl/robots.h"

namespace riptide::fetch {
class Fetcher;
}

// robots.txt per origin, fetched once and shared (docs/crawl.md "robots.txt"): the first caller
// for an origin fetches "<scheme>://<host>[:port]/robots.txt" (raw body, any content type, up to
// kMaxRobotsBytes, at most kMaxRobotsRedirects redirects) and turns the answer into a RobotsPolicy
// with from_fetch(); callers for the same origin meanwhile wait for that one fetch (no second
// request). The policy is kept for its refetch_after (24 h parsed/4xx, 10 min unreachable).
namespace riptide::crawl {

// Bounds the cache: beyond this many origins the least recently fetched ones are dropped.
inline constexpr size_t kMaxRobotsCacheOrigins = 10'000;

class RobotsCache {
 public:
  using Clock = std::chrono::steady_clock;
  // `fetcher` must outlive the cache. `user_agent_token` selects the robots.txt group. `clock`
  // (default steady_clock::now) decides expiry; tests pass a fake one. `max_origins` bounds the
  // cache (tests lower it).
  explicit RobotsCache(const fetch::Fetcher& fetcher,
                       std::string user_agent_token = std::string(kProductToken),
                       std::function<Clock::time_point()> clock = {},
                       size_t max_origins = kMaxRobotsCacheOrigins);
  ~RobotsCache();
  RobotsCache(const RobotsCache&) = delete;
  RobotsCache& operator=(const RobotsCache&) = delete;

  // The policy for `origin` ("https://example.com", "http://127.0.0.1:8080": scheme, host and
  // non-default port, no path; a path, query or fragment is ignored, and the origin is
  // normalised by the URL parser, so "HTTP://Example.com:80/x" is "http://example.com"). Blocks
  // while the robots.txt is fetched. Never fails: a network error is an unreachable policy
  // (everything disallowed for kUnreachableRetry); so is an origin that is not an http(s) URL,
  // which is neither fetched nor cached.
  // `cancel` (may be null; a crawl's stop flag) ends the wait within about 50 ms once set, and
  // aborts the fetch when this caller is the one fetching: the answer is then an unreachable
  // policy that is not cached (the site said nothing), and other callers waiting for that fetch
  // fetch again themselves.
  std::shared_ptr<const RobotsPolicy> get(std::string_view origin,
                                          const std::atomic<bool>* cancel = nullptr);

  // Fetches made so far (tests: one per origin and TTL).
  uint64_t fetch_count() const;
  // Origins cached or being fetched.
  size_t size() const;

 private:
  struct Entry;
  const fetch::Fetcher& fetcher_;
  std::string token_;
  std::function<Clock::time_point()> clock_;
  size_t max_origins_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
  uint64_t fetches_ = 0;

  // Fetches robots.txt of `origin` and maps the answer to a policy (no lock held); nullopt when
  // `cancel` aborted the fetch.
  std::optional<RobotsPolicy> fetch_policy(const std::string& origin,
                                           const std::atomic<bool>* cancel) const;
  // Drops the least recently fetched finished entries while over max_origins_ (mutex_ held).
  void evict_locked();
};

}  // namespace riptide::crawl
