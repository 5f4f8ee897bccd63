#include "crawl/robots_cache.h"

#include <condition_variable>
#include <utility>

#include "fetch/fetcher.h"
#include "url/url.h"

namespace riptide::crawl {

namespace {
// What a redirect overflow is passed to from_fetch() as: it treats every 3xx alike ("the fetcher
// already followed kMaxRobotsRedirects"), and the error does not say which 3xx the last hop was.
constexpr int kRedirectOverflowStatus = 302;
// How often a waiter with a cancel flag looks at it (the fetcher's own cancel check is as fast).
constexpr std::chrono::milliseconds kCancelCheckInterval{50};

bool is_set(const std::atomic<bool>* flag) {
  return flag != nullptr && flag->load(std::memory_order_relaxed);
}
}  // namespace

// One origin's robots.txt: in flight until `ready`, then a policy until `expires_at`. All fields
// are guarded by RobotsCache::mutex_.
struct RobotsCache::Entry {
  bool ready = false;
  // The fetching caller was cancelled: no policy; the entry has left the map and waiters look
  // again.
  bool abandoned = false;
  std::condition_variable ready_cv;  // notified when `ready` turns true
  std::shared_ptr<const RobotsPolicy> policy;
  Clock::time_point fetched_at;
  Clock::time_point expires_at;
};

RobotsCache::RobotsCache(const fetch::Fetcher& fetcher, std::string user_agent_token,
                         std::function<Clock::time_point()> clock, size_t max_origins)
    : fetcher_(fetcher),
      token_(std::move(user_agent_token)),
      clock_(clock ? std::move(clock) : [] { return Clock::now(); }),
      max_origins_(max_origins) {}

RobotsCache::~RobotsCache() = default;

std::shared_ptr<const RobotsPolicy> RobotsCache::get(std::string_view origin,
                                                     const std::atomic<bool>* cancel) {
  auto unreachable = [&] {
    return std::make_shared<const RobotsPolicy>(from_fetch(0, {}, token_));
  };
  Result<url::Url> parsed = url::parse(origin);
  if (!parsed.ok() || (parsed->scheme_type() != url::Scheme::kHttp &&
                       parsed->scheme_type() != url::Scheme::kHttps)) {
    return unreachable();
  }
  std::string key = parsed->origin();

  std::unique_lock lock(mutex_);
  for (;;) {
    auto it = entries_.find(key);
    if (it == entries_.end()) break;
    std::shared_ptr<Entry> entry = it->second;
    // Single flight: whoever comes while the first caller fetches waits for its answer.
    if (cancel == nullptr) {
      entry->ready_cv.wait(lock, [&] { return entry->ready; });
    } else {
      while (!entry->ready) {
        if (is_set(cancel)) return unreachable();
        entry->ready_cv.wait_for(lock, kCancelCheckInterval);
      }
    }
    if (entry->abandoned) continue;  // that fetch was cancelled: look again
    if (clock_() < entry->expires_at) return entry->policy;
    // Expired: this caller fetches again (a waiter on the old entry got the old answer).
    break;
  }
  if (is_set(cancel)) return unreachable();  // no fetch for a caller that is stopping
  auto entry = std::make_shared<Entry>();
  entries_[key] = entry;
  ++fetches_;
  evict_locked();
  lock.unlock();

  std::optional<RobotsPolicy> fetched = fetch_policy(key, cancel);

  lock.lock();
  if (!fetched) {
    entry->abandoned = true;
    entry->ready = true;
    if (auto it = entries_.find(key); it != entries_.end() && it->second == entry) {
      entries_.erase(it);
    }
    entry->ready_cv.notify_all();
    return unreachable();
  }
  auto policy = std::make_shared<const RobotsPolicy>(std::move(*fetched));
  entry->policy = policy;
  entry->fetched_at = clock_();
  entry->expires_at = entry->fetched_at + policy->refetch_after;
  entry->ready = true;
  entry->ready_cv.notify_all();
  return policy;
}

std::optional<RobotsPolicy> RobotsCache::fetch_policy(const std::string& origin,
                                                      const std::atomic<bool>* cancel) const {
  fetch::FetchOptions options;
  options.raw = true;
  options.cancel = cancel;
  options.max_redirects = kMaxRobotsRedirects;
  options.max_body_bytes = kMaxRobotsBytes;
  options.truncate_body = true;  // RFC 9309 2.5: the first 500 KiB count, the rest is ignored
  Result<fetch::FetchResponse> response = fetcher_.fetch(origin + "/robots.txt", options);
  if (response.ok()) return from_fetch(response->status, response->body, token_);
  if (is_set(cancel)) return std::nullopt;  // our caller stopped; the site said nothing
  if (fetch::is_too_many_redirects(response.error())) {
    // RFC 9309 2.3.1.2: more than five redirects may be treated as "unavailable", which is
    // what from_fetch does with a 3xx (the status the last hop answered).
    return from_fetch(kRedirectOverflowStatus, {}, token_);
  }
  // DNS, connection, TLS errors, timeouts, a refused address, a redirect loop: no answer from
  // the server, so "unreachable" (2.3.1.4).
  RobotsPolicy policy = from_fetch(0, {}, token_);
  policy.fetch_error = response.error();
  return policy;
}

void RobotsCache::evict_locked() {
  while (entries_.size() > max_origins_) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      // An entry still being fetched has callers waiting on it; it is not dropped.
      if (!it->second->ready) continue;
      if (oldest == entries_.end() || it->second->fetched_at < oldest->second->fetched_at) {
        oldest = it;
      }
    }
    if (oldest == entries_.end()) return;  // every entry is in flight
    entries_.erase(oldest);
  }
}

uint64_t RobotsCache::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

size_t RobotsCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace riptide::crawl
