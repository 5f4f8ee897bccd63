#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// A small libcurl client for the integration tests: one request, the whole response (status,
// headers, body) and when each piece of the body arrived, so streaming tests can tell a line that
// was sent the moment it was ready from one buffered until the end.
namespace riptide::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;
using SteadyTime = std::chrono::steady_clock::time_point;

// Long enough for a debug build extracting a page; short enough that a hung server fails a test
// instead of the whole CTest run.
inline constexpr std::chrono::milliseconds kDefaultRequestTimeout{20'000};

struct BodyChunk {
  SteadyTime arrived;
  std::string data;
};

struct TimedLine {
  SteadyTime arrived;  // when the chunk holding its final '\n' arrived
  std::string text;    // without the '\n' (and without a trailing '\r')
};

struct HttpResult {
  // Transport outcome: empty when an HTTP response was received, else libcurl's message
  // ("Couldn't connect to server: ..."); `connect_failed` tells a refused connection apart.
  std::string transport_error;
  bool connect_failed = false;

  long status = 0;
  Headers headers;  // in the order received; names as sent
  std::string body;
  std::vector<BodyChunk> chunks;
  SteadyTime started;
  SteadyTime finished;

  bool ok() const { return transport_error.empty(); }
  // The first header with this name (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
  // Every value of a header (Set-Cookie style repeats), in order.
  std::vector<std::string> header_values(std::string_view name) const;
  // The body split at '\n' with the time each line was complete; a last line without '\n' is
  // included with the time the response finished.
  std::vector<TimedLine> lines() const;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // absolute
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout = kDefaultRequestTimeout;
};

// Performs one request on a fresh connection. Thread-safe (each call owns its handle).
HttpResult perform(const ClientRequest& request);

// Convenience for the common shapes. `base` is "http://127.0.0.1:PORT".
class HttpClient {
 public:
  HttpClient() = default;
  explicit HttpClient(std::string base) : base_(std::move(base)) {}

  const std::string& base() const { return base_; }

  HttpResult get(std::string_view path, const Headers& headers = {}) const;
  // POST with Content-Type: application/json unless `headers` sets one.
  HttpResult post(std::string_view path, std::string body, const Headers& headers = {}) const;
  HttpResult send(std::string method, std::string_view path, std::string body = {},
                  const Headers& headers = {},
                  std::chrono::milliseconds timeout = kDefaultRequestTimeout) const;

 private:
  std::string base_;
};

// `Authorization: Bearer <key>` plus `extra`.
Headers bearer(std::string_view key, Headers extra = {});

}  // namespace riptide::testing
