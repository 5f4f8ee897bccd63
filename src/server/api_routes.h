#pragma once

#include "server/batch_runner.h"
#include "server/extract_service.h"
#include "server/http.h"
#include "server/router.h"

namespace riptide::store {
class Store;
}

// The API's routes (docs/api.md, docs/openapi.yaml):
//
//   POST /v1/extract        one page: {url | html (+url), mode, selectors, formats, max_age}
//   POST /v1/batch          many pages; JSON, or NDJSON / SSE by the Accept header
//   POST /api/extract       compatibility: the /v1/extract handler (unknown fields ignored)
//   POST /extract           compatibility: the /v1/extract handler
//   POST /extract/stream    compatibility: the /v1/batch handler, NDJSON unless SSE is asked for
//   POST /crawl             compatibility: {urls, options} → the /v1/batch handler, JSON
//   POST /crawl/stream      compatibility: {urls, options} → the /v1/batch handler, NDJSON / SSE
//   POST /api/auth/keys     admin keys only: create an API key (201 with the key, shown once)
//
// A single page runs its fetch on the fetch pool and its extraction on the worker pool; either
// pool full answers 503 with Retry-After. Batches wait for capacity instead (batch_runner.h).
namespace riptide::server {

// What the routes use besides the server's context. Owned by `riptide serve` and destroyed after
// the server (so after every handler and pool task).
struct ApiServices {
  ExtractService& service;
  // Usage counters (pages, bytes_in) and API keys.
  store::Store& store;
  DelayedRunner& delayed;
};

void register_api_routes(Router& router, ServerContext& context, ApiServices services);

}  // namespace riptide::server
