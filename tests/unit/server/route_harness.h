#pragma once

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/batch_runner.h"
#include "server/config.h"
#include "server/http.h"
#include "server/router.h"
#include "server/work_pool.h"
#include "tests/unit/server/fake_writer.h"

namespace riptide::server::testing {

// The server's side of route handlers, for tests without sockets: the configuration, one-thread
// pools with one queue slot each (so a test can fill them), the context and a router; call()
// runs a route the way the server does once it admitted a request. Declare it last in a fixture:
// destroyed first, its pools run their queued tasks while what those tasks use still exists.
struct RouteHarness {
  ServerConfig config;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  // Before the pools: destroyed after them, as in riptide serve.
  DelayedRunner delayed;
  WorkPool workers{"test-work", 1, 1};
  WorkPool fetchers{"test-fetch", 1, 1};
  ServerContext context{config, workers, fetchers, registry, {}};
  Router router;

  // `target` is the path with its query; `wait` for the answer (a stream's finish()). A test that
  // sets up the writer first (hold()) passes it as `writer`.
  std::shared_ptr<FakeWriter> call(const std::string& method, const std::string& target,
                                   std::string body, std::vector<Header> headers,
                                   Principal principal, bool wait = true,
                                   std::shared_ptr<FakeWriter> writer = nullptr) {
    HttpRequest request;
    request.method = method;
    request.target = target;
    const size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    Router::Match match = router.match(method, request.path);
    EXPECT_EQ(match.kind, Router::Match::Kind::kFound) << method << " " << target;
    if (writer == nullptr) writer = std::make_shared<FakeWriter>();
    if (match.kind != Router::Match::Kind::kFound) return writer;
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.request_id = "req-1";
    request.route = match.route->pattern;
    request.path_params = match.path_params;
    request.principal = std::move(principal);
    match.route->handler(std::move(request), writer);
    if (wait) {
      EXPECT_TRUE(writer->wait_answered()) << method << " " << target;
    }
    return writer;
  }
};

// The sent response's body as JSON (discarded when none or not JSON).
inline nlohmann::json body_of(const std::shared_ptr<FakeWriter>& writer) {
  const std::optional<HttpResponse> sent = writer->sent();
  if (!sent) return nlohmann::json();
  return nlohmann::json::parse(sent->body, nullptr, false);
}

// A header of the sent response.
inline std::optional<std::string> header_of(const std::shared_ptr<FakeWriter>& writer,
                                            std::string_view name) {
  const std::optional<HttpResponse> sent = writer->sent();
  if (!sent) return std::nullopt;
  for (const Header& header : sent->headers) {
    if (header.first == name) return header.second;
  }
  return std::nullopt;
}

}  // namespace riptide::server::testing
