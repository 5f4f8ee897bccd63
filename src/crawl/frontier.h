#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/result.h"
#include "crawl/url_filter.h"

// The crawl frontier: which URL to fetch next, and when. It owns the seen-set (no canonical URL is
// admitted twice, ever), per-host queues, the depth/page/per-path limits and per-host politeness
// (delay, concurrency, back-off on 429/503). Pure logic: the caller fetches and passes the time
// in, so tests drive it with a fake clock. Thread-safe: every method takes one internal lock.
// Behaviour in detail: docs/crawl.md, "Frontier".
namespace riptide::crawl {

using Clock = std::chrono::steady_clock;
using Duration = Clock::duration;

// The longest a host is ever put on hold by back-off or Retry-After: a server answering
// "Retry-After: 86400" must not stall a crawl for a day.
inline constexpr Duration kMaxBackoff = std::chrono::minutes(10);
// The first back-off step when the host's delay is shorter (a delay of 0 must still back off).
inline constexpr Duration kMinBackoff = std::chrono::seconds(1);
// How often one URL is handed out in total when the host keeps answering 429/503.
inline constexpr uint32_t kMaxFetchAttempts = 3;
// Default politeness (issue 6: per-host concurrency 1-2, delay >= 1 s).
inline constexpr Duration kDefaultHostDelay = std::chrono::seconds(1);
inline constexpr uint32_t kDefaultHostConcurrency = 1;

enum class Order : uint8_t {
  kBreadthFirst,  // by depth, then discovery order
  kBestFirst,     // by url_score (higher first), then depth, then discovery order
};

struct FrontierConfig {
  UrlFilterConfig filter;
  Order order = Order::kBreadthFirst;
  // Seeds have depth 0; a link found on a page at depth d has depth d + 1.
  uint32_t max_depth = 3;
  // Pages handed out for fetching, failures included; 0 = no limit.
  uint64_t max_pages = 0;
  Duration host_delay = kDefaultHostDelay;
  uint32_t host_concurrency = kDefaultHostConcurrency;
};

// A URL handed out by next(); give it back to done() exactly once.
struct FrontierItem {
  std::string url;   // canonical
  std::string host;  // host name plus ":port" when not default: the politeness key
  uint32_t depth = 0;
  uint32_t attempts = 0;  // 1 on the first hand-out
};

// What a fetch came to, for done().
struct FetchOutcome {
  enum class Kind : uint8_t {
    kOk,         // any response that is not a 429/503 (404 included): the page is finished
    kFailed,     // network or other failure: the page is finished, not retried
    kThrottled,  // HTTP 429 or 503: the host backs off and the page is retried (kMaxFetchAttempts)
    // Not requested after all (robots.txt disallows it, known only once the host's robots.txt is
    // in): the page is finished, does not count against max_pages and costs the host no delay.
    kSkipped,
  };
  Kind kind = Kind::kOk;
  // The response's Retry-After, when it had one.
  std::optional<Duration> retry_after;
};

struct NextResult {
  enum class Kind : uint8_t {
    kUrl,       // `item` is to be fetched now
    kWait,      // nothing is ready before `ready_at`; call again then (or after a done())
    kBusy,      // nothing will be ready until a done() (hosts at their concurrency cap)
    kFinished,  // nothing queued, nothing in flight (or max_pages reached): the crawl is over
  };
  Kind kind = Kind::kFinished;
  FrontierItem item;
  Clock::time_point ready_at{};
};

// Why add() did or did not queue a URL.
enum class AddResult : uint8_t {
  kAdded,
  kDuplicate,  // already seen (queued, in flight or done)
  kInvalid,    // not an absolute http(s) URL
  kTooLong,    // see kMaxCrawlPathBytes
  kOutOfScope,
  kExcluded,
  kNotIncluded,
  kTooDeep,     // depth > max_depth
  kOverBudget,  // its per-path budget is used up
};
std::string_view add_result_name(AddResult result);

// The score best-first order ranks by (higher first): 100 minus 10 per path segment, 5 per query
// parameter and 30 when the URL looks like pagination ("/page/2", "/p/3", "page-2", "?page=2",
// "?p=3", "?offset=20", "?start=20"). Short, parameter-free, non-pagination URLs come first.
int url_score(const url::Url& url);

// Everything needed to resume a crawl: plain data, for the store to persist as it likes.
struct FrontierState {
  struct Entry {
    std::string url;  // canonical
    uint32_t depth = 0;
    uint32_t attempts = 0;  // > 0: handed out before (counted in pages_handed_out already)
  };
  std::vector<std::string> seeds;
  // Queued and in-flight URLs in the configured order (ignoring host timing); in flight at the
  // snapshot means not done, so they are handed out again (not counted again against max_pages).
  std::vector<Entry> pending;
  // Every other canonical URL ever admitted (fetched or given up): never admitted again.
  std::vector<std::string> finished;
  uint64_t pages_handed_out = 0;
  // Pages admitted per config.filter.budgets entry (same order).
  std::vector<uint64_t> budget_used;
  // Per-host delays set by set_host_delay (robots.txt Crawl-delay), in milliseconds.
  std::vector<std::pair<std::string, int64_t>> host_delays_ms;
};

class Frontier {
 public:
  // Fails on a bad filter configuration or seed (UrlFilter::create). The seeds are queued at
  // depth 0; they bypass include/exclude (a crawl always fetches its seeds) but not budgets.
  static Result<std::unique_ptr<Frontier>> create(FrontierConfig config,
                                                  const std::vector<std::string>& seeds);
  // A frontier that continues from `state` (same config as the snapshotted crawl): the remaining
  // URLs come out in the same order; host timing (delays waited, back-off) starts afresh.
  static Result<std::unique_ptr<Frontier>> restore(FrontierConfig config,
                                                   const FrontierState& state);

  Frontier(const Frontier&) = delete;
  Frontier& operator=(const Frontier&) = delete;

  // Admits `link` (resolved against `base`, which may be null for absolute links) found on a page
  // at depth `depth - 1`, after canonicalisation, filters, depth, the seen-set and budgets.
  AddResult add(std::string_view link, const url::Url* base, uint32_t depth);

  // Records that the page at `url` (absolute) was fetched under another name: a redirect target
  // the fetcher followed. Its canonical form joins the seen-set as finished, so a later link to it
  // is a duplicate instead of a second request. Out-of-scope URLs are ignored (they could never
  // be admitted anyway); nothing is queued and no budget or max_pages count changes. True when
  // the URL was not seen before (false: already queued, in flight or done, or not in scope).
  bool add_fetched(std::string_view url);

  // The next URL to fetch at `now`: from hosts whose next-allowed time is <= now and whose
  // in-flight count is < host_concurrency, the queued URL that comes first in the configured order
  // (depth, discovery order for breadth-first). So with breadth-first, no URL at depth d is handed
  // out while an available host holds a queued URL at depth < d.
  NextResult next(Clock::time_point now);

  // Reports the fetch of an item from next(). The host's next-allowed time becomes at least
  // now + delay; a throttled outcome also backs the host off (see FetchOutcome, kMaxBackoff).
  void done(const FrontierItem& item, Clock::time_point now, const FetchOutcome& outcome);

  // `seed` (a seed as handed out) was fetched and redirected to `final_url` on another host name
  // ("http://a.com" → "https://www.a.com/"): the target becomes a seed too and its host part of
  // the scope, so the site's links are followed (kept in snapshot().seeds, so a resume keeps
  // it). Nothing happens when `seed` is not a seed or `final_url` is already in scope. True when
  // the scope grew.
  bool extend_scope_for_seed(std::string_view seed, std::string_view final_url);

  // The delay between requests to `host` (FrontierItem::host form), e.g. robots.txt Crawl-delay.
  void set_host_delay(std::string_view host, Duration delay);

  FrontierState snapshot() const;

  struct Counts {
    uint64_t queued = 0;
    uint64_t in_flight = 0;
    uint64_t handed_out = 0;  // pages counted against max_pages
    uint64_t seen = 0;        // canonical URLs ever admitted
  };
  Counts counts() const;

  const UrlFilter& filter() const { return filter_; }

 private:
  // Orders a host's queue and the hosts: (rank, sequence); lower first.
  struct Key {
    int64_t rank = 0;
    uint64_t sequence = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  struct Queued {
    std::string url;
    uint32_t depth = 0;
    uint32_t attempts = 0;
  };
  struct InFlight {
    Key key;
    std::string host;
    uint32_t depth = 0;
    uint32_t attempts = 0;
    // The host's next-allowed time before and after this hand-out, to undo it for kSkipped.
    Clock::time_point next_allowed_before{};
    Clock::time_point next_allowed_after{};
  };
  struct Host {
    std::map<Key, Queued> queue;
    Clock::time_point next_allowed{};
    uint32_t in_flight = 0;
    uint32_t backoff_level = 0;     // consecutive throttled answers
    std::optional<Duration> delay;  // set_host_delay; else the config's
  };

  Frontier(FrontierConfig config, UrlFilter filter);
  Key key_for(const url::Url& url, uint32_t depth);
  void enqueue(const std::string& host, Key key, Queued entry);
  // Keeps heads_ in step with a host's queue; `old_head` is its head before the change.
  void update_head(const std::string& host, const Host& state, std::optional<Key> old_head);
  Duration delay_of(const Host& host) const;
  bool limit_reached() const;

  mutable std::mutex mutex_;
  const FrontierConfig config_;
  UrlFilter filter_;  // const but for extend_scope_for_seed
  uint64_t next_sequence_ = 0;
  uint64_t handed_out_ = 0;
  uint64_t queued_ = 0;
  uint64_t retries_queued_ = 0;  // queued entries with attempts > 0
  std::vector<uint64_t> budget_used_;
  std::unordered_set<std::string> seen_;
  std::unordered_map<std::string, Host> hosts_;
  std::unordered_map<std::string, InFlight> in_flight_;  // by canonical URL
  // The head key of each host with a non-empty queue: hosts in the order of their best URL.
  std::set<std::pair<Key, std::string>> heads_;
};

}  // namespace riptide::crawl
