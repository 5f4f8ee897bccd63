#pragma once

#include <chrono>

#include "server/http.h"
#include "server/router.h"

namespace riptide::sandbox {
class Engine;
}
namespace riptide::store {
class Store;
}

// The public operational routes (docs/api.md "Health and metrics"):
//   GET /health/live              200 {"status":"ok"} while the process serves HTTP (lean: the
//                                 load target is 20 000 req/s)
//   GET /health/ready             200 when the sandbox pool has its initial instances and the
//                                 store answers, else 503 naming the failing components
//   GET /health, /health/detailed every component: sandbox pool and breaker, store, worker and
//                                 fetch pools, uptime_s, version (503 when not ready)
//   GET /health/circuit-breakers  the sandbox breaker's state and counts
//   GET /metrics                  the registry in the Prometheus text format 0.0.4
namespace riptide::server {

inline constexpr const char* kVersion = "0.1.0";

struct HealthSources {
  // Both may be null (tests of the server alone); a missing component is not reported.
  sandbox::Engine* engine = nullptr;
  store::Store* store = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Registers the routes above. `sources` members must outlive the server. The checks that may
// wait (store.ping()) run on context.fetchers, never on an I/O thread.
void register_health_routes(Router& router, ServerContext& context, HealthSources sources);

}  // namespace riptide::server
