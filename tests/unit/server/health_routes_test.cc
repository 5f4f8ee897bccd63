#include "server/health_routes.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "sandbox/engine.h"
#include "server/http_server.h"
#include "store/store.h"
#include "tests/support/fake_store.h"
#include "tests/support/http_test_client.h"
#include "tests/unit/sandbox/fake_instance.h"

namespace riptide::server {
namespace {

using riptide::testing::body_json;
using riptide::testing::Client;
using riptide::testing::get;
using riptide::testing::Response;

class HealthRoutesTest : public ::testing::Test {
 protected:
  void start(bool fail_instances = false) {
    registry_ = std::make_shared<prometheus::Registry>();
    world_.fail_creation = fail_instances;
    sandbox::SandboxConfig sandbox_config;
    sandbox_config.pool.initial_pool_size = 2;
    engine_ = std::make_unique<sandbox::Engine>(sandbox_config,
                                                sandbox::testing::fake_factory(&world_), registry_);

    ServerConfig config;
    config.port = 0;
    config.worker_threads = 1;
    config.fetch_threads = 1;
    ServerServices services;
    services.registry = registry_;
    services.logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    server_ = std::make_unique<HttpServer>(config, services);
    register_health_routes(server_->router(), server_->context(),
                           HealthSources{engine_.get(), &store_});
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    if (server_) server_->shutdown();
  }

  Response fetch(std::string_view path) {
    Client client(server_->port());
    return client.request(get(path));
  }

  sandbox::testing::FakeWorld world_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<sandbox::Engine> engine_;
  riptide::testing::FakeStore store_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HealthRoutesTest, LiveIsOk) {
  start();
  Response response = fetch("/health/live");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), R"({"status":"ok"})");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/json");
}

TEST_F(HealthRoutesTest, ReadyWhenPoolWarmAndStoreAnswers) {
  start();
  Response ready = fetch("/health/ready");
  EXPECT_EQ(ready.result_int(), 200);
  EXPECT_EQ(body_json(ready)["status"], "ready");

  store_.fail = true;
  Response not_ready = fetch("/health/ready");
  EXPECT_EQ(not_ready.result_int(), 503);
  nlohmann::json body = body_json(not_ready);
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["failing"]["store"], "io: fake store: disk I/O error");
  EXPECT_FALSE(body["failing"].contains("sandbox"));
}

TEST_F(HealthRoutesTest, NotReadyWithoutWarmInstances) {
  start(/*fail_instances=*/true);
  Response response = fetch("/health/ready");
  EXPECT_EQ(response.result_int(), 503);
  EXPECT_EQ(body_json(response)["failing"]["sandbox"], "pool has 0 of its 2 initial instances");
}

TEST_F(HealthRoutesTest, DetailedReportsEveryComponent) {
  start();
  for (std::string_view path : {"/health", "/health/detailed"}) {
    Response response = fetch(path);
    EXPECT_EQ(response.result_int(), 200) << path;
    nlohmann::json body = body_json(response);
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["version"], kVersion);
    EXPECT_GE(body["uptime_s"].get<int64_t>(), 0);
    const nlohmann::json& components = body["components"];
    EXPECT_EQ(components["sandbox"]["pool"]["idle"], 2);
    EXPECT_EQ(components["sandbox"]["pool"]["in_use"], 0);
    EXPECT_EQ(components["sandbox"]["pool"]["initial"], 2);
    EXPECT_EQ(components["sandbox"]["breaker"], "closed");
    EXPECT_EQ(components["store"]["status"], "ok");
    EXPECT_EQ(components["workers"]["threads"], 1);
    EXPECT_EQ(components["fetch"]["threads"], 1);
  }
  store_.fail = true;
  Response failing = fetch("/health");
  EXPECT_EQ(failing.result_int(), 503);
  EXPECT_EQ(body_json(failing)["status"], "unavailable");
  EXPECT_EQ(body_json(failing)["components"]["store"]["status"], "error");
}

TEST_F(HealthRoutesTest, CircuitBreakersShowStateAndCounts) {
  start();
  Response response = fetch("/health/circuit-breakers");
  EXPECT_EQ(response.result_int(), 200);
  nlohmann::json sandbox_breaker = body_json(response)["breakers"]["sandbox"];
  EXPECT_EQ(sandbox_breaker["state"], "closed");
  EXPECT_EQ(sandbox_breaker["recent_failures"], 0);
  EXPECT_EQ(sandbox_breaker["failure_threshold"], sandbox::kDefaultFailureThreshold);

  // A trapping page is a breaker failure and shows up in the counts.
  ASSERT_FALSE(engine_->extract("trap", extract::Options{}).ok());
  sandbox_breaker = body_json(fetch("/health/circuit-breakers"))["breakers"]["sandbox"];
  EXPECT_EQ(sandbox_breaker["recent_failures"], 1);
  EXPECT_EQ(sandbox_breaker["discarded_instances"], 1);
}

TEST_F(HealthRoutesTest, MetricsServeHttpAndSandboxFamiliesFromOneRegistry) {
  start();
  EXPECT_EQ(fetch("/health/live").result_int(), 200);
  ASSERT_TRUE(engine_->extract("<p>page</p>", extract::Options{}).ok());
  // The first request is counted once its response is written, which may be just after the
  // client read it: wait for it (and for its inflight count to drop) briefly.
  Response response;
  for (int i = 0; i < 100; ++i) {
    response = fetch("/metrics");
    if (response.body().find("riptide_http_inflight 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[boost::beast::http::field::content_type], "text/plain; version=0.0.4");
  const std::string& text = response.body();
  EXPECT_NE(
      text.find(R"(riptide_http_requests_total{method="GET",route="/health/live",status="200"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("riptide_http_request_duration_seconds_bucket{route=\"/health/live\""),
            std::string::npos);
  EXPECT_NE(text.find("riptide_http_connections"), std::string::npos);
  EXPECT_NE(text.find("riptide_http_inflight 1"), std::string::npos);  // this very request
  EXPECT_NE(text.find("riptide_worker_queue_rejections_total{pool=\"worker\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("riptide_sandbox_extractions_total"), std::string::npos);
}

}  // namespace
}  // namespace riptide::server
