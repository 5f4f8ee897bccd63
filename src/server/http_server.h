#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/config.h"
#include "server/http.h"
#include "server/router.h"

namespace prometheus {
class Registry;
}
namespace spdlog {
class logger;
}
namespace riptide::store {
class Store;
}

// The HTTP/1.1 server (Boost.Beast over Asio): io_threads threads run one io_context, each
// connection on its own strand. Per connection: keep-alive, a header limit (431), a body limit
// decided from Content-Length before the body is read (413; chunked bodies are counted too),
// the read timeout for a whole request once its first byte arrived (slow-loris), the idle
// timeout between requests, the write timeout, Connection: close and HTTP/1.0, malformed
// requests answered 400 and closed. See server/http.h for what handlers see.
//
// Use: construct, add routes to router() (with context() for the pools), start(), and later
// shutdown() (graceful: stop accepting, answer requests on open connections with
// Connection: close, let in-flight requests and streams finish for up to shutdown_grace, close
// the rest, drain the pools). Not copyable; start() and shutdown() from one thread.
namespace riptide::server {

// AccessControl::admit (server/access.h), or a test's stand-in.
using AdmitFunction = std::function<Admission(std::string_view authorization, bool admin_only)>;

struct ServerServices {
  // Checks keys and rate limits on kKey / kAdmin routes; called on an I/O thread. Required when
  // such routes exist (start() refuses otherwise).
  AdmitFunction admit;
  // Receives per-key usage (requests, errors, bytes_out) of authenticated requests; may be null.
  store::Store* usage_store = nullptr;
  // The process's metrics registry; null = a private one.
  std::shared_ptr<prometheus::Registry> registry;
  // Where access-log lines and lifecycle events go (JSON lines); null = make_json_logger().
  std::shared_ptr<spdlog::logger> logger;
};

// An asynchronous spdlog logger writing one JSON object per line to stderr
// ({"ts":"2026-12-03T10:00:00.123Z","level":"info",...}). Log through ServerContext::log or
// log_json_line, which produce the fields; a plain message would not be JSON. Never blocks the
// caller: when its queue is full the oldest lines are dropped.
std::shared_ptr<spdlog::logger> make_json_logger(const std::string& name);
// Writes `fields_json` (already formatted JSON members without braces: "\"a\":1,\"b\":\"x\"")
// as one line on a logger made by make_json_logger.
void log_json_line(spdlog::logger& logger, ServerContext::LogLevel level,
                   std::string_view fields_json);
// `text` as the body of a JSON string (quotes, backslashes, control characters escaped;
// invalid UTF-8 bytes become \ufffd), appended to `out`.
void append_json_escaped(std::string& out, std::string_view text);

class HttpServer {
 public:
  HttpServer(ServerConfig config, ServerServices services);
  // shutdown() when still running.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Router& router();
  // The pools, config, registry and log for route handlers; valid for the server's lifetime.
  ServerContext& context();

  // Binds config.host:config.port (port 0 = any free port) and starts the I/O threads.
  // Errors: kInvalidArgument host is not an IP address; kIo the address cannot be bound.
  Status start();
  // The bound port (the real one after start() with port 0).
  uint16_t port() const;

  // Graceful shutdown (see above); returns when every connection is closed and the pools have
  // run their queued tasks. Idempotent; safe before start().
  void shutdown();

  // Requests being handled now (read, not yet fully answered), streams included.
  uint64_t inflight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riptide::server
