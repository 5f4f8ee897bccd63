#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.h"
#include "server/access.h"
#include "server/config.h"

namespace prometheus {
class Registry;
}

// The contract between the HTTP server core (server/http_server.h) and the route handlers
// (the API in server/api_routes.h, health and metrics in server/health_routes.h).
//
//   I/O thread: read request ─▶ limits, request id, CORS, router match (404/405/OPTIONS)
//               ─▶ AccessControl::admit for key/admin routes (401/403/429/503)
//               ─▶ handler(request, writer)          (must not block: submit work to a pool)
//   any thread: writer->send(response) or writer->start_stream / write / finish
//
// Every response gets X-Request-Id, the security headers, Server, CORS headers (when the
// request's Origin is allowed) and, on authenticated routes, X-RateLimit-*; handlers add only
// their own headers. Usage counters (store::Store::add_usage) of authenticated requests: the
// server adds `requests`, `errors` (status >= 400) and `bytes_out`; handlers add `pages` and
// `bytes_in`.
namespace riptide::server {

class Router;
class WorkPool;

// One header line as received (name in the client's case) or to be sent.
using Header = std::pair<std::string, std::string>;

// Who may call a route.
enum class Access : uint8_t {
  kPublic,  // anyone; no Authorization needed (health, metrics)
  kKey,     // a valid API key (or anyone under --no-auth), rate limited
  kAdmin,   // an admin key (POST /api/auth/keys)
};

struct HttpRequest {
  std::string method;     // "GET", "POST", ... (as sent; methods are case-sensitive)
  std::string target;     // the request-target as sent: "/v1/crawl/abc?x=1"
  std::string path;       // target up to '?', not percent-decoded: "/v1/crawl/abc"
  std::string query;      // after '?', not decoded: "x=1" (empty when absent)
  unsigned version = 11;  // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<Header> headers;
  std::string body;
  // The client's X-Request-Id when it is a sane token (letters, digits, '-', '_', '.', at most
  // kMaxRequestIdLength), else a fresh random id. Goes into every error body and log line.
  std::string request_id;
  std::string remote;  // peer address "127.0.0.1:50412"
  // The route's pattern ("/v1/crawl/{id}"): the metrics and access-log label.
  std::string route;
  // Values of the pattern's {name} segments, in order: {"id", "abc"}.
  std::vector<Header> path_params;
  // Set on kKey / kAdmin routes once AccessControl admitted the request.
  std::optional<Principal> principal;

  // The first header with this name, compared case-insensitively; empty when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // The first query parameter `name` (application/x-www-form-urlencoded: '+' is a space,
  // %XX decoded); nullopt when absent. "?a" gives a = "".
  std::optional<std::string> query_param(std::string_view name) const;
  // The value of the pattern segment {name}; empty when the route has no such segment.
  std::string_view path_param(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (e.g. Retry-After, Location). Names or values containing CR or LF are
  // dropped by the server (header injection).
  std::vector<Header> headers;
};

// `body` serialised (compact) with content type application/json.
HttpResponse json_response(unsigned status, const nlohmann::json& body);

// The standard error body {"error": {"code", "message", "request_id"}}. A non-zero
// `retry_after_seconds` adds a Retry-After header (429, 503).
HttpResponse error_response(unsigned status, std::string_view code, std::string_view message,
                            std::string_view request_id, uint32_t retry_after_seconds = 0);

// The HTTP status an ErrorCode maps to (docs/api.md "Errors"). The request's fault is 400:
// invalid_argument, unsupported (an unknown mode). blocked_address is 403: the request is well
// formed but names an address the service refuses by policy (its code, unlike an auth refusal's
// "forbidden", says so; no other key changes it). The document's fault is 422 (invalid_input,
// parse_error, resource_limit: the request was well formed, the page could not be extracted);
// unsupported_content_type 415 (the page is a PDF, an image...); not_found 404; fetch_failed 502;
// unavailable 503; timeout 504; io, internal 500.
unsigned http_status_for(ErrorCode code);
// error_response with http_status_for(error.code()) and error_code_name as the code; a 503 gets
// Retry-After `retry_after_seconds`.
HttpResponse error_response(const Error& error, std::string_view request_id,
                            uint32_t retry_after_seconds);

// How a handler answers. Thread-safe: any thread may call any method, at any later time (the
// handler may return first and answer from a worker). A request is answered exactly once:
//   send(response)                                   a whole response; or
//   start_stream(...) then write(...)* then finish() a streamed response (chunked transfer
//                                                    encoding; HTTP/1.0 clients get the bytes
//                                                    unframed and the connection closes after).
// Calls out of that order are ignored. A writer dropped without an answer answers 500; a stream
// dropped without finish() is cut off (the client sees an incomplete chunked body).
// The server object must outlive every writer: do the work on the context's pools, which the
// server drains before it stops.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  virtual void send(HttpResponse response) = 0;

  // Starts a streamed response (e.g. application/x-ndjson, text/event-stream). `headers` are
  // extra headers as in HttpResponse.
  virtual void start_stream(unsigned status, std::string content_type,
                            std::vector<Header> headers = {}) = 0;
  // Queues `data` and flushes it to the client promptly (a written NDJSON line reaches the
  // client at once, not at the end). Never blocks. False when the client is gone (the data is
  // dropped; stop producing). Empty data is ignored.
  virtual bool write(std::string data) = 0;
  // Bytes written but not yet accepted by the client's socket.
  virtual size_t pending_bytes() const = 0;
  // Backpressure: `fn` is called once, on an I/O thread, when pending_bytes() is below the
  // server's stream_buffer_bytes or the client is gone (check client_gone() inside). When that
  // is already the case it is posted at once, never run inside this call. `fn` must not block.
  // The producer pattern: write while pending_bytes() < stream_buffer_bytes, then
  // when_writable(resume).
  virtual void when_writable(std::function<void()> fn) = 0;
  // Ends the stream (the final chunk). The request completes once it reached the client.
  virtual void finish() = 0;
  // The client closed the connection, a write failed or timed out, or the server is closing.
  virtual bool client_gone() const = 0;
};

// A route handler. Runs on an I/O thread and must not block (no extraction, no fetch, no disk):
// submit the work to ServerContext::workers / fetchers and answer through the writer.
using Handler = std::function<void(HttpRequest request, std::shared_ptr<ResponseWriter> writer)>;

// What the server hands to the code that registers routes. Every member outlives the handlers.
struct ServerContext {
  const ServerConfig& config;
  // CPU-bound work (extraction). Bounded: try_submit() false when full → answer 503 with
  // Retry-After config.retry_after_seconds (error code "unavailable").
  WorkPool& workers;
  // Blocking fetches (libcurl transfers waiting on the network), so they never occupy the CPU
  // workers. Same contract as `workers`.
  WorkPool& fetchers;
  // The process's one metrics registry (the sandbox's metrics are in it too); /metrics serves it.
  std::shared_ptr<prometheus::Registry> registry;

  enum class LogLevel : uint8_t { kDebug, kInfo, kWarn, kError };
  // One structured JSON line on the server's log: {"ts", "level", "event", "msg"} plus
  // `fields` (values are strings, escaped here). Thread-safe, never blocks on I/O.
  std::function<void(LogLevel level, std::string_view event, std::string_view message,
                     const std::vector<Header>& fields)>
      log;
};

inline constexpr size_t kMaxRequestIdLength = 64;

}  // namespace riptide::server
