#pragma once

#include <cstddef>
#include <memory>

#include "server/http.h"
#include "server/router.h"

// The crawl job routes (docs/api.md "Crawl jobs", docs/openapi.yaml):
//
//   POST   /v1/crawl               start a job: 202 + the job, Location: /v1/crawl/{id}
//   GET    /v1/crawl               the caller's jobs, newest first (?limit=)
//   GET    /v1/crawl/{id}          the job: state, pages done/failed/queued, elapsed, request
//   GET    /v1/crawl/{id}/results  a page of results {results, next_after, done} (?after=&limit=),
//                                  or a live stream (Accept or ?stream=ndjson|sse)
//   DELETE /v1/crawl/{id}          cancel: 200 + the job
//
// A job belongs to the API key that created it; another key gets 404 as for an unknown id, an
// admin key sees every job. Every store read or write runs on the context's fetch pool (never on
// an I/O thread); a full pool answers 503 with Retry-After.
//
// A results stream sends the stored results after `after`, then each new one as the job stores
// it, and ends when the job is final:
//
//   step (fetch pool): writer backlog ≥ stream_buffer_bytes ─▶ when_writable(step)
//                      read the job, then results > after (at most kCrawlStreamBatch) ─▶ write
//                      a full batch ─▶ step again; final job, caught up ─▶ end
//                      else ─▶ CrawlJobs::when_results(after, step)
//
// NDJSON: one line per result (the stored result object), nothing else. SSE: `status` events
// (the job, whenever its state or page counts changed), `result` events with `id: SEQ` (a
// reconnecting EventSource sends Last-Event-ID and resumes after it), then `done` with the final
// job. The job is read before its results, so a final state seen means every result is stored.
// Once CrawlJobs::shutdown() began (SIGTERM), every stream ends at its next step (the manager wakes
// the waiting ones): a job left "running" gets no more results in this process, and a stream
// kept open would hold the HTTP shutdown for its whole grace period. Clients resume with ?after=
// or Last-Event-ID against the restarted service.
namespace riptide::server {

class CrawlJobs;
class DelayedRunner;
struct CrawlJobsConfig;

// GET /v1/crawl: jobs listed by default and at most (?limit= beyond it is lowered to it).
inline constexpr size_t kDefaultCrawlJobsListed = 20;
inline constexpr size_t kMaxCrawlJobsListed = 100;
// Results one stream step reads from the store and writes: bounds the step's memory and how long
// it holds a fetch thread; a backlog larger than this is sent in several steps.
inline constexpr size_t kCrawlStreamBatch = 100;

// What the routes use besides the server's context; all outlive the routes (`riptide serve`
// declares them before the server).
struct CrawlServices {
  CrawlJobs& jobs;
  // The caps POST /v1/crawl decodes against (the same the job manager was built with).
  const CrawlJobsConfig& config;
  // Retries a stream step when the fetch pool is full.
  DelayedRunner& delayed;
};

void register_crawl_routes(Router& router, ServerContext& context, CrawlServices services);

}  // namespace riptide::server
