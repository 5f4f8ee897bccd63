#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "crawl/crawler.h"
#include "server/api_request.h"
#include "store/store.h"

namespace prometheus {
class Registry;
}
namespace riptide::fetch {
class Fetcher;
}
namespace riptide::sandbox {
class Engine;
}

// Crawl jobs of the service (docs/api.md "Crawl jobs"): POST /v1/crawl starts one, GET shows its
// status and results, DELETE cancels it. Each running job is a crawl::Crawler on threads of its
// own; its sink turns pages into result objects (filtered by the request's formats) and writes
// them with the frontier checkpoint in one store transaction (store::Store::checkpoint_crawl_job),
// so a restarted `riptide serve` keeps finished crawls and resumes interrupted ones without
// refetching what was reported.
//
//   submit ─▶ store: queued ─▶ (a running slot free) ─▶ running ─▶ checkpoints every second
//          ─▶ completed | cancelled | failed (final checkpoint, final state)
//   shutdown ─▶ running crawls stopped, state left "running" ─▶ next start: resume_unfinished()
namespace riptide::server {

// Crawls running at once; further jobs wait in state "queued".
inline constexpr uint32_t kDefaultMaxRunningCrawls = 2;
// Jobs one owner (API key) may have queued or running at once: without it one key could queue
// crawls without end and hold every running slot. submit() beyond it is kResourceLimit, which
// POST /v1/crawl answers 429 "too_many_crawls".
inline constexpr uint32_t kDefaultMaxActiveCrawlsPerOwner = 10;
// The server's cap on a job's max_pages (a request above it is lowered to it; absent = the cap).
inline constexpr uint64_t kDefaultMaxCrawlPages = 10'000;
// The server's cap on a job's max_depth.
inline constexpr uint32_t kMaxCrawlDepth = 100;
// Results per page of GET /v1/crawl/{id}/results: default and maximum of ?limit=.
inline constexpr size_t kDefaultCrawlResultsPage = 100;
inline constexpr size_t kMaxCrawlResultsPage = 1000;
// Seed URLs of one job (url or urls[]).
inline constexpr size_t kMaxCrawlSeeds = 100;
// The largest per-host delay a request may ask for (robots.txt Crawl-delay is clamped alike).
inline constexpr std::chrono::milliseconds kMaxCrawlRequestDelay{60'000};
// Per-host concurrency a request may ask for: beyond a few connections a crawl is no longer
// polite to the site, whatever the request says.
inline constexpr uint32_t kMaxCrawlHostConcurrency = 16;
// The longest time_budget a request may give (0 = none).
inline constexpr std::chrono::milliseconds kMaxCrawlTimeBudget{7LL * 24 * 3600 * 1000};

// POST /v1/crawl, decoded (server/api_request.h parse_crawl_request):
//   {url | urls[], max_depth, max_pages, include[], exclude[], budgets{pattern: n}, scope,
//    sitemap: false|true|"only", order: "bfs"|"best", delay (seconds), host_concurrency,
//    concurrency, time_budget (seconds), respect_robots, mode, selectors, formats}
struct CrawlRequest {
  std::vector<std::string> seeds;
  crawl::CrawlOptions options;
  FormatSet formats = kAllFormats;
};

struct CrawlJobsConfig {
  uint32_t max_running = kDefaultMaxRunningCrawls;
  uint32_t max_active_per_owner = kDefaultMaxActiveCrawlsPerOwner;
  uint64_t max_pages_cap = kDefaultMaxCrawlPages;
  sandbox::EngineKind engine_kind = sandbox::EngineKind::kWasm;
};

// Decodes a POST /v1/crawl body (fields above; unknown fields are kInvalidArgument naming them,
// as for /v1/extract). max_pages and max_depth above the config's caps are lowered to them.
// Politeness defaults are crawl/'s (delay 1 s, host concurrency 1); a request may lower the delay
// to 0 (the operator's own site) but the robots.txt Crawl-delay still applies.
Result<CrawlRequest> decode_crawl_job_request(std::string_view body, const CrawlJobsConfig& config);
// The request in the same JSON form with every default filled in: stored as the job's
// request_json (decoded again on resume) and shown by GET /v1/crawl/{id}.
nlohmann::ordered_json crawl_request_to_json(const CrawlRequest& request);

// A job as GET /v1/crawl/{id} shows it: the stored record, with live progress while it runs.
struct CrawlJobView {
  store::CrawlJobRecord record;
  crawl::CrawlProgress progress;
};
// {"id", "status", "created_at", "started_at", "finished_at", "elapsed_ms", "pages": {"done",
//  "failed", "skipped", "duplicates", "queued", "in_flight"}, "error", "request"} (docs/api.md).
nlohmann::ordered_json crawl_job_to_json(const CrawlJobView& view);

class CrawlJobs {
 public:
  // All references must outlive the object. `registry` receives riptide_crawl_jobs{state} and
  // riptide_crawl_pages_total{outcome}; null for none.
  CrawlJobs(CrawlJobsConfig config, store::Store& store, const fetch::Fetcher& fetcher,
            sandbox::Engine& engine, std::shared_ptr<prometheus::Registry> registry = nullptr);
  // shutdown(), then joins every thread.
  ~CrawlJobs();
  CrawlJobs(const CrawlJobs&) = delete;
  CrawlJobs& operator=(const CrawlJobs&) = delete;

  // At startup: every job the store holds as queued or running is queued again; running ones
  // continue from their last checkpoint. Returns how many.
  Result<size_t> resume_unfinished();

  // Stores the job as queued, starts it when a running slot is free, returns its record.
  // kResourceLimit when `owner` already has config.max_active_per_owner jobs queued or running.
  Result<store::CrawlJobRecord> submit(std::string owner, CrawlRequest request);

  // `owner` "" means any owner (admin keys); another owner's job is kNotFound, like an unknown id.
  Result<CrawlJobView> get(std::string_view id, std::string_view owner);
  Result<std::vector<CrawlJobView>> list(std::string_view owner, size_t limit);
  // Cancels a queued or running job (running: the crawler stops within about a second and the
  // state becomes cancelled once its final checkpoint is stored). A final job is returned as is.
  Result<CrawlJobView> cancel(std::string_view id, std::string_view owner);
  // Stored results with seq > after_seq, at most `limit` (kMaxCrawlResultsPage).
  Result<std::vector<store::CrawlResultRecord>> results(std::string_view id, std::string_view owner,
                                                        uint64_t after_seq, size_t limit);

  // Streaming: `fn` runs once (on a thread of the job manager, never inside this call) when job
  // `id` has stored results with seq > after_seq, or is in a final state, or the manager shuts
  // down. Unknown ids run `fn` too (the caller re-reads and finds out).
  void when_results(std::string_view id, uint64_t after_seq, std::function<void()> fn);

  // Stops every running crawl (each stores its checkpoint; its state stays "running" so the next
  // start resumes it) and runs pending when_results callbacks. Waits for the running crawls to
  // store their checkpoints (about a second). Idempotent.
  void shutdown();
  // True once shutdown() began: streams stop waiting (when_results then answers at once, and a
  // job left "running" will not end in this process).
  bool shutting_down() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riptide::server
