#include "server/health_routes.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>

#include "sandbox/engine.h"
#include "sandbox/metrics.h"
#include "server/work_pool.h"
#include "store/store.h"

namespace riptide::server {
namespace {

nlohmann::json pool_json(const WorkPool& pool) {
  return {{"threads", pool.threads()},
          {"queue_capacity", pool.queue_capacity()},
          {"queued", pool.queued()},
          {"active", pool.active()}};
}

nlohmann::json breaker_json(sandbox::Engine& engine) {
  const sandbox::BreakerConfig& config = engine.config().breaker;
  sandbox::PoolStats pool = engine.pool().stats();
  return {{"state", sandbox::breaker_state_name(engine.breaker().state())},
          {"recent_failures", engine.breaker().recent_failures()},
          {"failure_threshold", config.failure_threshold},
          {"window_ms", config.window.count()},
          {"recovery_timeout_ms", config.recovery_timeout.count()},
          {"fallback_enabled", engine.config().fallback_enabled},
          // Instances thrown away after a trap, timeout or invalid output: what the breaker
          // counts as failures.
          {"discarded_instances", pool.discarded},
          {"creation_failures", pool.creation_failures}};
}

// The state of every component and which of them keep the service from being ready.
struct Report {
  nlohmann::json components = nlohmann::json::object();
  nlohmann::json failing = nlohmann::json::object();  // component -> reason
  bool degraded = false;                              // ready, but on a fallback path
};

Report check(const HealthSources& sources, ServerContext& context) {
  Report report;
  if (sources.engine != nullptr) {
    sandbox::Engine& engine = *sources.engine;
    sandbox::PoolStats stats = engine.pool().stats();
    const sandbox::PoolConfig& config = engine.config().pool;
    uint32_t live = stats.idle + stats.in_use;
    sandbox::BreakerState state = engine.breaker().state();
    report.components["sandbox"] = {{"pool",
                                     {{"idle", stats.idle},
                                      {"in_use", stats.in_use},
                                      {"initial", config.initial_pool_size},
                                      {"max", config.max_pool_size},
                                      {"created", stats.created},
                                      {"creation_failures", stats.creation_failures},
                                      {"exhausted", stats.exhausted}}},
                                    {"breaker", sandbox::breaker_state_name(state)}};
    if (live < config.initial_pool_size) {
      report.failing["sandbox"] = "pool has " + std::to_string(live) + " of its " +
                                  std::to_string(config.initial_pool_size) + " initial instances";
    }
    if (state != sandbox::BreakerState::kClosed) report.degraded = true;
  }
  if (sources.store != nullptr) {
    Status ping = sources.store->ping();
    if (ping.ok()) {
      report.components["store"] = {{"status", "ok"}};
    } else {
      report.components["store"] = {{"status", "error"}, {"message", ping.error().to_string()}};
      report.failing["store"] = ping.error().to_string();
    }
  }
  report.components["workers"] = pool_json(context.workers);
  report.components["fetch"] = pool_json(context.fetchers);
  return report;
}

// Runs `respond` on the fetch pool (store.ping() may wait on a lock or the disk); 503 when that
// pool is full.
void off_io_thread(ServerContext& context, std::shared_ptr<ResponseWriter> writer,
                   std::string request_id, std::function<HttpResponse()> respond) {
  auto task = [writer, respond = std::move(respond)] { writer->send(respond()); };
  if (!context.fetchers.try_submit(std::move(task))) {
    writer->send(error_response(503, "unavailable", "too busy to check health", request_id,
                                context.config.retry_after_seconds));
  }
}

}  // namespace

void register_health_routes(Router& router, ServerContext& context, HealthSources sources) {
  ServerContext* ctx = &context;

  router.add("GET", "/health/live", Access::kPublic, [](HttpRequest, auto writer) {
    HttpResponse response;
    response.body = R"({"status":"ok"})";
    writer->send(std::move(response));
  });

  router.add("GET", "/health/ready", Access::kPublic,
             [ctx, sources](HttpRequest request, auto writer) {
               off_io_thread(*ctx, writer, request.request_id, [ctx, sources] {
                 Report report = check(sources, *ctx);
                 if (report.failing.empty()) return json_response(200, {{"status", "ready"}});
                 return json_response(503, {{"status", "not_ready"}, {"failing", report.failing}});
               });
             });

  auto detailed = [ctx, sources](HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
    off_io_thread(*ctx, writer, request.request_id, [ctx, sources] {
      Report report = check(sources, *ctx);
      auto uptime = std::chrono::steady_clock::now() - sources.started;
      const char* status = !report.failing.empty() ? "unavailable"
                           : report.degraded       ? "degraded"
                                                   : "ok";
      nlohmann::json body = {
          {"status", status},
          {"version", kVersion},
          {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
          {"components", report.components}};
      if (!report.failing.empty()) body["failing"] = report.failing;
      return json_response(report.failing.empty() ? 200 : 503, body);
    });
  };
  router.add("GET", "/health", Access::kPublic, detailed);
  router.add("GET", "/health/detailed", Access::kPublic, detailed);

  router.add("GET", "/health/circuit-breakers", Access::kPublic,
             [sources](HttpRequest, auto writer) {
               nlohmann::json body = nlohmann::json::object();
               if (sources.engine != nullptr) body["sandbox"] = breaker_json(*sources.engine);
               writer->send(json_response(200, {{"breakers", body}}));
             });

  router.add("GET", "/metrics", Access::kPublic, [ctx](HttpRequest, auto writer) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = sandbox::metrics_text(*ctx->registry);
    writer->send(std::move(response));
  });
}

}  // namespace riptide::server
