#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/result.h"
#include "crawl/frontier.h"
#include "crawl/robots_cache.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "sandbox/engine.h"

namespace riptide::fetch {
class Fetcher;
}

// One crawl, end to end (docs/crawl.md "Crawler"): seeds (and optionally sitemaps) feed the
// frontier; fetch threads take URLs from it when politeness allows, check robots.txt (cached per
// origin), fetch, hand the HTML to extraction threads (the sandbox engine), fingerprint the text
// (SimHash) to flag near-duplicates, add the page's links back to the frontier and report the page
// to a sink. Used by `riptide crawl` (sink: JSONL file / Markdown directory) and by the service's
// crawl jobs (server/crawl_jobs.h; sink: the store).
//
//   coordinator ─ frontier.next(now) ─▶ fetch threads (options.concurrency, blocking libcurl)
//        ▲                                   │ robots allowed? → fetch → 2xx HTML?
//        │                                   ▼
//        └── links, done() ◀── extraction threads (engine pool size) ◀── bounded hand-off queue
//                                            │
//                                            ▼  sink.on_page(page)   (serialised, in finish order)
namespace riptide::crawl {

// Pages fetched at once across all hosts of one crawl (the "global concurrency").
inline constexpr uint32_t kDefaultCrawlConcurrency = 8;
inline constexpr uint32_t kMaxCrawlConcurrency = 64;
// How often the crawler offers the sink a consistent checkpoint (frontier snapshot + progress).
inline constexpr std::chrono::milliseconds kCheckpointInterval{1000};
// A page whose extracted text has fewer words than this is never compared by SimHash (a few
// words of boilerplate would mark unrelated short pages as duplicates).
inline constexpr uint32_t kMinWordsForFingerprint = 50;

struct CrawlOptions {
  // Scope, include/exclude, budgets, order, max_depth, max_pages, host_delay, host_concurrency.
  FrontierConfig frontier;
  uint32_t concurrency = kDefaultCrawlConcurrency;
  // 0 = no limit. When it runs out the crawl ends with CrawlEnd::kTimeBudget.
  std::chrono::milliseconds time_budget{0};
  // robots.txt is always fetched and obeyed unless this is false (tests, owners crawling their
  // own site). Its Crawl-delay raises a host's delay: delay = max(host_delay, Crawl-delay).
  bool respect_robots = true;
  // Seed from the sitemaps too: robots.txt "Sitemap:" lines, else /sitemap.xml of each seed's
  // origin; indexes and gzip followed (sitemap_fetch.h caps). Sitemap URLs enter at depth 0.
  bool use_sitemaps = false;
  // Only the sitemap URLs (and the seeds) are crawled: links found on pages are not followed.
  bool sitemap_only = false;
  // Mode, selectors, include_html; `url` is set per page by the crawler.
  extract::Options extract;
  sandbox::EngineKind engine_kind = sandbox::EngineKind::kWasm;
};

// One finished URL, reported once to the sink. Robots-disallowed URLs are reported too
// (`skipped` true, no record, no error, status 0): the user sees why a linked page is missing.
struct CrawlPage {
  std::string url;        // canonical URL handed out by the frontier
  std::string final_url;  // after redirects ("" when not fetched)
  uint32_t depth = 0;
  int status = 0;  // HTTP status of the final hop; 0 when there was no response
  // The extracted record for a 2xx HTML page (language settled, stats filled). Its page_links
  // (every link of the page, what the crawler follows) are filled whatever the mode.
  std::optional<extract::Record> record;
  // Why there is no record (not skipped): fetch errors as the fetcher gives them, a non-2xx
  // answer as kFetchFailed "origin answered HTTP 404", extraction errors as the engine gives them.
  std::optional<Error> error;
  bool skipped = false;  // robots.txt disallowed it: not requested
  // Why it was skipped: "disallowed by robots.txt", or "robots.txt unreachable (...): every
  // page of the site is disallowed for now" (RFC 9309 2.3.1.4). "" when not skipped.
  std::string skip_reason;
  uint64_t simhash = 0;  // of record->text; 0 when not fingerprinted
  // The first earlier page of this crawl whose fingerprint is within kNearDuplicateBits.
  std::optional<std::string> duplicate_of;
  uint32_t links_found = 0;  // links on the page (record->page_links)
  uint32_t links_added = 0;  // of those, newly queued by the frontier
  double fetch_ms = 0;
  double extract_ms = 0;
};

struct CrawlProgress {
  uint64_t pages_done = 0;     // reported pages with a record
  uint64_t pages_failed = 0;   // reported pages with an error (not skipped)
  uint64_t pages_skipped = 0;  // robots.txt
  uint64_t duplicates = 0;     // pages with duplicate_of
  uint64_t queued = 0;         // frontier counts at the time of the call
  uint64_t in_flight = 0;
  uint64_t bytes_fetched = 0;  // HTML bytes of the pages extracted
  std::chrono::milliseconds elapsed{0};
};

// Where finished pages go. Calls are serialised by the crawler (never two at once), so a sink
// needs no lock of its own; they come from several threads: on_page from the crawler's own
// threads, on_checkpoint from the thread that called run(). A sink that throws a std::exception
// fails the crawl (CrawlEnd::kFailed, failure() has the message); the page it was given is not
// marked done, so it stays pending in the final checkpoint.
class CrawlSink {
 public:
  virtual ~CrawlSink() = default;
  // A page is reported before its links are visible to the frontier's snapshots.
  virtual void on_page(const CrawlPage& page) = 0;
  // Every kCheckpointInterval and once at the end: a frontier snapshot consistent with the pages
  // reported so far (every reported URL is in `state.finished`, no reported URL is pending), so a
  // crawl restored from it refetches nothing that was reported. Persist both in one transaction.
  virtual void on_checkpoint(const FrontierState& state, const CrawlProgress& progress) {
    (void)state;
    (void)progress;
  }
};

enum class CrawlEnd : uint8_t {
  kCompleted,   // the frontier ran dry or max_pages was reached
  kCancelled,   // cancel() was called
  kTimeBudget,  // options.time_budget ran out
  kFailed,      // could not start (every seed refused, ...); see Crawler::failure()
};
std::string_view crawl_end_name(CrawlEnd end);

// What a crawl uses; all must outlive the Crawler.
struct CrawlEnv {
  const fetch::Fetcher& fetcher;
  sandbox::Engine& engine;
  RobotsCache& robots;  // may be shared by several crawls
};

class Crawler {
 public:
  // Validates `options` (UrlFilter, seeds: kInvalidArgument naming the bad one). With `resume`,
  // continues that snapshot (FrontierState from on_checkpoint) and treats `known_fingerprints`
  // (the simhashes of pages reported before, with their URLs) as already seen.
  static Result<std::unique_ptr<Crawler>> create(
      CrawlEnv env, CrawlOptions options, std::vector<std::string> seeds,
      const FrontierState* resume = nullptr,
      std::vector<std::pair<uint64_t, std::string>> known_fingerprints = {});
  ~Crawler();
  Crawler(const Crawler&) = delete;
  Crawler& operator=(const Crawler&) = delete;

  // Crawls until the end, on the calling thread plus the crawler's own threads, and returns how
  // it ended; the final on_checkpoint has been delivered by then. Call once.
  CrawlEnd run(CrawlSink& sink);

  // Thread-safe, any time: run() returns within about a second. In-flight transfers are aborted;
  // pages not reported stay pending in the final checkpoint (a resume fetches them).
  void cancel();

  // Thread-safe, any time (progress bars, GET /v1/crawl/{id}).
  CrawlProgress progress() const;

  // After run() returned kFailed: why.
  std::optional<Error> failure() const;

 private:
  struct Impl;
  explicit Crawler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace riptide::crawl
