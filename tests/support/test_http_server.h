#pragma once

// A local HTTP/1.1 site for tests that fetch or crawl: TestHttpServer listens on 127.0.0.1, port 0
// (the kernel picks a free one), serves routes the test registers, and logs every request.
//
//   riptide::testing::TestHttpServer site;
//   site.route("/page", [](const HttpRequest&) { return html_response("<p>hi</p>"); });
//   site.route("/old", [&](const HttpRequest&) { return redirect_response(301, "/page"); });
//   site.set_fallback([](const HttpRequest& r) { return html_response(page_for(r.path)); });
//   fetch(site.url("/old"));
//   EXPECT_EQ(site.requests_for("/page").size(), 1u);
//
// - Routes match the path exactly (the target without "?query"); anything unrouted goes to the
//   fallback handler (a catch-all, e.g. a generated site of thousands of pages), by default a 404.
//   Handlers run on the connection's thread, so they must be thread-safe; they may be replaced
//   while the server runs.
// - HTTP/1.1 keep-alive: a connection serves requests until the client closes it, sends
//   "Connection: close" (or is HTTP/1.0 without keep-alive), or a response asks to close.
//   connection_count() tells how many TCP connections were accepted (keep-alive reuse shows as
//   fewer connections than requests).
// - Misbehaviour for timeout and robustness tests, per response: `delay` before anything is sent,
//   `dribble_bytes` / `dribble_interval` to send the body slowly, `chunked` for a body without a
//   Content-Length, `close_without_response` to drop the connection after reading the request.
//   Waits end early when the server stops.
// - Every request (method, target, headers, body, arrival time, connection) is logged before its
//   handler runs; requests() / requests_for() return copies, safe while the server runs.
// - One thread per connection (finished ones are joined as new ones arrive); the destructor (or
//   stop()) closes the listener and every open connection and joins all threads.
// - Requests larger than kMaxRequestHeaderBytes of headers or kMaxRequestBodyBytes of body are
//   answered 431 / 413 and the connection is closed.
//
// The constructor throws std::runtime_error when it cannot listen (tests only).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace riptide::testing {

inline constexpr size_t kMaxRequestHeaderBytes = 64 * 1024;
inline constexpr size_t kMaxRequestBodyBytes = 8 * 1024 * 1024;

struct HttpRequest {
  std::string method;                                        // "GET"
  std::string target;                                        // "/path?query" as sent
  std::string path;                                          // "/path"
  std::string version;                                       // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;
  std::chrono::steady_clock::time_point arrival;  // when the request's headers were complete
  uint64_t connection_id = 0;                     // 1 for the first connection accepted, ...

  // The first header named `name` (ASCII case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  // Sent as given. Content-Length is added unless present or `chunked`; Connection: close is
  // added when the server closes the connection after this response.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Transfer-Encoding: chunked, no Content-Length (one chunk, or one per dribble piece): a body
  // whose size the client cannot know in advance.
  bool chunked = false;
  std::chrono::milliseconds delay{0};  // wait this long before sending anything
  // When non-zero, the body is sent `dribble_bytes` at a time with `dribble_interval` between.
  size_t dribble_bytes = 0;
  std::chrono::milliseconds dribble_interval{0};
  bool close_without_response = false;  // read the request, then close the connection
  bool close_after = false;             // close the connection after this response
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Convenience responses.
HttpResponse html_response(std::string body, int status = 200,
                           std::string content_type = "text/html; charset=utf-8");
HttpResponse redirect_response(int status, std::string location);

class TestHttpServer {
 public:
  // Listens on 127.0.0.1:`port`; 0 (tests) lets the kernel pick a free port.
  explicit TestHttpServer(uint16_t port = 0);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  void route(std::string path, HttpHandler handler);
  void set_fallback(HttpHandler handler);

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>" + path (path should start with '/').
  std::string url(std::string_view path = "/") const;

  std::vector<HttpRequest> requests() const;
  std::vector<HttpRequest> requests_for(std::string_view path) const;
  size_t request_count() const;
  size_t connection_count() const { return connections_accepted_.load(); }
  void clear_log();

  // Stops accepting, closes every connection, joins every thread. Idempotent.
  void stop();

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void accept_loop();
  void serve(Connection& connection, uint64_t id);
  HttpHandler handler_for(const std::string& path) const;
  // Waits up to `duration`; false when the server is stopping.
  bool wait_unless_stopping(std::chrono::milliseconds duration);
  void reap_finished_connections();

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> connections_accepted_{0};

  mutable std::mutex routes_mutex_;
  std::map<std::string, HttpHandler, std::less<>> routes_;
  HttpHandler fallback_;

  mutable std::mutex log_mutex_;
  std::vector<HttpRequest> log_;

  std::mutex connections_mutex_;
  std::list<std::unique_ptr<Connection>> connections_;

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
};

}  // namespace riptide::testing
