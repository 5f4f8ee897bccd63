// Graceful shutdown of a real riptide serve (docs/operations.md "Stopping"): on SIGTERM it stops
// accepting connections, lets requests and streams in flight finish, and exits 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "api_checks.h"
#include "serve_fixture.h"
#include "test_site.h"

namespace riptide::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How long the site may take to see the request riptide serve fetches for it.
constexpr milliseconds kArrivalDeadline{5000};
constexpr milliseconds kPollInterval{5};

// Each test owns its server: shutting it down is the test.
class ShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    add_test_site_routes(site_);
    std::string error;
    server_ = ServeProcess::start(site_fetching_options(), &error);
    ASSERT_TRUE(server_ != nullptr) << error;
  }

  void TearDown() override {
    if (HasFailure() && server_ != nullptr) {
      std::cerr << "--- riptide serve's log ---\n"
                << tail_lines(server_->stderr_text(), 40) << "\n";
    }
    server_.reset();  // SIGTERM (SIGKILL if needed) when a test left it running
  }

  // Waits until the site has received `count` requests for `path`.
  ::testing::AssertionResult site_received(std::string_view path, size_t count = 1) {
    const auto deadline = Clock::now() + kArrivalDeadline;
    while (site_.requests_for(path).size() < count) {
      if (Clock::now() > deadline) {
        return ::testing::AssertionFailure() << "the site never saw " << path;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    return ::testing::AssertionSuccess();
  }

  // After SIGTERM: polls with new connections until one is refused. True when refused while
  // `in_flight` is still running (the refusal came from the drain, not from the exit).
  template <typename T>
  ::testing::AssertionResult refuses_new_connections_while(const std::future<T>& in_flight) {
    const HttpClient client = server_->client();
    const auto deadline = Clock::now() + kSlowPageDelay;
    while (Clock::now() < deadline) {
      const HttpResult probe = client.send("GET", "/health/live", {}, {}, milliseconds(500));
      if (probe.connect_failed) {
        if (in_flight.wait_for(milliseconds(0)) == std::future_status::ready) {
          return ::testing::AssertionFailure()
                 << "refused only after the in-flight request had finished";
        }
        return ::testing::AssertionSuccess();
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    return ::testing::AssertionFailure() << "new connections were still accepted after SIGTERM";
  }

  TestHttpServer site_;
  std::unique_ptr<ServeProcess> server_;
};

TEST_F(ShutdownTest, InFlightRequestCompletesAndTheProcessExitsZero) {
  const HttpClient client = server_->client();
  const std::string key = server_->key("user");
  const std::string url = site_.url("/slow");
  std::future<HttpResult> in_flight = std::async(std::launch::async, [client, key, url] {
    return client.post("/v1/extract", nlohmann::json{{"url", url}}.dump(), bearer(key));
  });
  ASSERT_TRUE(site_received("/slow"));
  server_->signal(SIGTERM);

  EXPECT_TRUE(refuses_new_connections_while(in_flight));
  const HttpResult result = in_flight.get();
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_EQ(body_json(result).value("title", ""), kSecondTitle);
  EXPECT_EQ(server_->wait(kServeStopTimeout), std::optional<int>(0));
}

TEST_F(ShutdownTest, StreamInFlightSendsEveryLine) {
  const HttpClient client = server_->client();
  const std::string key = server_->key("user");
  const nlohmann::json body = {
      {"urls", {site_.url("/article"), site_.url("/slow"), site_.url("/second")}}};
  std::future<HttpResult> in_flight = std::async(std::launch::async, [client, key, body] {
    return client.post("/v1/batch", body.dump(), bearer(key, {{"Accept", "application/x-ndjson"}}));
  });
  ASSERT_TRUE(site_received("/slow"));
  server_->signal(SIGTERM);

  const HttpResult result = in_flight.get();
  ASSERT_EQ(result.status, 200) << describe(result);
  ASSERT_TRUE(result.ok()) << result.transport_error;
  // One line per item: nothing was cut off by the shutdown.
  EXPECT_EQ(result.lines().size(), 3u) << result.body;
  EXPECT_EQ(server_->wait(kServeStopTimeout), std::optional<int>(0));
}

TEST_F(ShutdownTest, IdleServerExitsPromptly) {
  ASSERT_EQ(server_->client().get("/health/live").status, 200);
  const auto start = Clock::now();
  server_->signal(SIGTERM);
  // Nothing in flight: no reason to wait for the grace period.
  EXPECT_EQ(server_->wait(kServeStopTimeout), std::optional<int>(0));
  EXPECT_LT(Clock::now() - start, milliseconds(3000));
  EXPECT_TRUE(server_->client().get("/health/live").connect_failed);
}

}  // namespace
}  // namespace riptide::testing
