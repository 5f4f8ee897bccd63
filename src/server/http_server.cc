#include "server/http_server.h"

#include <fmt/format.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <pthread.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "server/request_dispatch.h"
#include "server/work_pool.h"
#include "store/store.h"

namespace riptide::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kServerName = "riptide/0.1.0";
// Bytes asked for by the first read on an idle connection (the parser reads on from there).
constexpr size_t kFirstReadBytes = 16 << 10;
// After answering a request whose body was not read (413, 431, 400), the connection reads and
// discards what the client still sends for this long / this many bytes before closing, so that
// the client reads the answer instead of a connection reset (RFC 9112 9.6).
constexpr std::chrono::milliseconds kLingerTimeout{500};
constexpr size_t kLingerMaxBytes = size_t{4} << 20;
// accept() failing (EMFILE: out of descriptors) is retried after this pause, not in a busy loop.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
// Lines the async logger holds before dropping the oldest (it never blocks an I/O thread).
constexpr size_t kLogQueueLines = 8192;
constexpr std::string_view kCorsExposeHeaders =
    "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset";
constexpr std::string_view kUnmatchedRoute = "unmatched";

// Headers every response carries (docs/api.md "Security headers").
constexpr std::string_view kFixedHeaders =
    "Server: riptide/0.1.0\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    "Cache-Control: no-store\r\n";

// A header line a handler may set: no CR, LF or NUL anywhere (response splitting), a token
// name, and none of the framing headers the server owns.
bool allowed_extra_header(const Header& h) {
  if (h.first.empty()) return false;
  for (char c : h.first) {
    bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  for (char c : h.second) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return !str::iequals(h.first, "content-length") && !str::iequals(h.first, "transfer-encoding") &&
         !str::iequals(h.first, "connection") && !str::iequals(h.first, "content-type");
}

// The metrics label of a method: the common ones by name, anything else "other", so a client
// inventing methods cannot grow the label set without bound.
std::string_view method_label(std::string_view method, uint32_t* id) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST", "PUT",
                                                "DELETE", "OPTIONS", "PATCH"};
  for (uint32_t i = 0; i < std::size(kKnown); ++i) {
    if (kKnown[i] == method) {
      *id = i;
      return kKnown[i];
    }
  }
  *id = std::size(kKnown);
  return "other";
}

std::string_view denial_reason(Denial denial) {
  switch (denial) {
    case Denial::kMissingKey:
      return "missing_key";
    case Denial::kInvalidKey:
      return "invalid_key";
    case Denial::kRevokedKey:
      return "revoked_key";
    case Denial::kNotAdmin:
      return "not_admin";
    case Denial::kRateLimited:
      return "rate_limited";
    case Denial::kConcurrency:
      return "concurrency";
    case Denial::kStoreError:
      return "store_error";
  }
  return "unknown";
}

// Status and error code of a denial (docs/api.md "Authentication").
std::pair<unsigned, std::string_view> denial_status(Denial denial) {
  switch (denial) {
    case Denial::kMissingKey:
    case Denial::kInvalidKey:
      return {401, "unauthorized"};
    case Denial::kRevokedKey:
    case Denial::kNotAdmin:
      return {403, "forbidden"};
    case Denial::kRateLimited:
    case Denial::kConcurrency:
      return {429, "rate_limited"};
    case Denial::kStoreError:
      return {503, "unavailable"};
  }
  return {500, "internal"};
}

std::string_view log_level_name(ServerContext::LogLevel level) {
  switch (level) {
    case ServerContext::LogLevel::kDebug:
      return "debug";
    case ServerContext::LogLevel::kInfo:
      return "info";
    case ServerContext::LogLevel::kWarn:
      return "warn";
    case ServerContext::LogLevel::kError:
      return "error";
  }
  return "info";
}

spdlog::level::level_enum spdlog_level(ServerContext::LogLevel level) {
  switch (level) {
    case ServerContext::LogLevel::kDebug:
      return spdlog::level::debug;
    case ServerContext::LogLevel::kInfo:
      return spdlog::level::info;
    case ServerContext::LogLevel::kWarn:
      return spdlog::level::warn;
    case ServerContext::LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

void append_json_field(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += ',';
  out += '"';
  out += name;
  out += "\":\"";
  append_json_escaped(out, value);
  out += '"';
}

// riptide_http_* metrics (docs/operations.md "Metrics").
class HttpMetrics {
 public:
  explicit HttpMetrics(prometheus::Registry& registry)
      : requests_(prometheus::BuildCounter()
                      .Name("riptide_http_requests_total")
                      .Help("HTTP requests answered, by route pattern, method and status")
                      .Register(registry)),
        durations_(prometheus::BuildHistogram()
                       .Name("riptide_http_request_duration_seconds")
                       .Help("Time from a request's last byte read to its response's last byte "
                             "written, by route pattern")
                       .Register(registry)),
        rate_rejections_(prometheus::BuildCounter()
                             .Name("riptide_rate_limit_rejections_total")
                             .Help("Requests refused by access control, by reason")
                             .Register(registry)),
        queue_rejections_(prometheus::BuildCounter()
                              .Name("riptide_worker_queue_rejections_total")
                              .Help("Tasks refused because a pool's queue was full, by pool")
                              .Register(registry)),
        connections(prometheus::BuildGauge()
                        .Name("riptide_http_connections")
                        .Help("Open client connections")
                        .Register(registry)
                        .Add({})),
        inflight(prometheus::BuildGauge()
                     .Name("riptide_http_inflight")
                     .Help("Requests being handled (read, not yet fully answered)")
                     .Register(registry)
                     .Add({})),
        worker_rejections(queue_rejections_.Add({{"pool", "worker"}})),
        fetch_rejections(queue_rejections_.Add({{"pool", "fetch"}})) {}

  // One histogram per route plus one for unmatched requests, made before serving so the request
  // path only indexes a vector.
  void prepare(const Router& router) {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    for (const Route& route : router.routes()) {
      route_durations_.push_back(&durations_.Add({{"route", route.pattern}}, kBuckets));
    }
    route_durations_.push_back(
        &durations_.Add({{"route", std::string(kUnmatchedRoute)}}, kBuckets));
  }

  // `route_slot` indexes Router::routes(), routes().size() for unmatched.
  void request(size_t route_slot, std::string_view route, std::string_view method, unsigned status,
               double seconds) {
    route_durations_[route_slot]->Observe(seconds);
    uint32_t method_id = 0;
    std::string_view method_name = method_label(method, &method_id);
    uint64_t key = (uint64_t{route_slot} << 32) | (uint64_t{method_id} << 16) | status;
    prometheus::Counter* counter = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto it = request_counters_.find(key);
      if (it == request_counters_.end()) {
        counter = &requests_.Add({{"route", std::string(route)},
                                  {"method", std::string(method_name)},
                                  {"status", std::to_string(status)}});
        request_counters_.emplace(key, counter);
      } else {
        counter = it->second;
      }
    }
    counter->Increment();
  }

  void rejection(Denial denial) {
    rate_rejections_.Add({{"reason", std::string(denial_reason(denial))}}).Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  prometheus::Family<prometheus::Counter>& rate_rejections_;
  prometheus::Family<prometheus::Counter>& queue_rejections_;
  std::vector<prometheus::Histogram*> route_durations_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, prometheus::Counter*> request_counters_;

 public:
  prometheus::Gauge& connections;
  prometheus::Gauge& inflight;
  prometheus::Counter& worker_rejections;
  prometheus::Counter& fetch_rejections;
};

class Connection;

// Everything the connections share. Owned by HttpServer::Impl and by every connection, so that a
// writer a handler kept past the server's end (against the rule in http.h) still finds its
// connection, socket and io_context alive: its calls then fail as "client gone" instead of
// touching freed memory. shutdown() closes every connection and drains the pools first.
class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(ServerConfig config_in, ServerServices services_in)
      : config(std::move(config_in)),
        services(std::move(services_in)),
        registry(services.registry ? services.registry : std::make_shared<prometheus::Registry>()),
        logger(services.logger ? services.logger : make_json_logger("riptide")),
        metrics(*registry),
        workers("worker", config.worker_threads, config.worker_queue, &metrics.worker_rejections),
        fetchers("fetch", config.fetch_threads, config.fetch_queue, &metrics.fetch_rejections),
        context{
            config, workers, fetchers, registry,
            [this](ServerContext::LogLevel level, std::string_view event, std::string_view message,
                   const std::vector<Header>& fields) { log(level, event, message, fields); }},
        acceptor(net::make_strand(ioc)),
        accept_retry(acceptor.get_executor()) {
    for (const std::string& origin : config.cors_origins) {
      if (origin == "*") cors_any = true;
    }
    std::random_device seed_source;
    id_seed = (uint64_t{seed_source()} << 32) ^ seed_source();
  }

  void log(ServerContext::LogLevel level, std::string_view event, std::string_view message,
           const std::vector<Header>& fields = {}) {
    if (!logger->should_log(spdlog_level(level))) return;
    std::string line;
    append_json_field(line, "event", event);
    if (!message.empty()) append_json_field(line, "msg", message);
    for (const Header& field : fields) append_json_field(line, field.first, field.second);
    log_json_line(*logger, level, line);
  }

  // A fresh request id: splitmix64 of a per-process random seed plus a counter. splitmix64 is a
  // bijection, so ids never repeat within a process and look unrelated to each other.
  std::string fresh_request_id() {
    uint64_t z =
        id_seed + (next_id.fetch_add(1, std::memory_order_relaxed) + 1) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return fmt::format("{:016x}", z);
  }

  // The value for Access-Control-Allow-Origin, or empty when `origin` is not allowed.
  std::string_view cors_allow_origin(std::string_view origin) const {
    if (origin.empty() || config.cors_origins.empty()) return {};
    if (cors_any) return "*";
    for (const std::string& allowed : config.cors_origins) {
      if (allowed == origin) return origin;
    }
    return {};
  }

  bool draining() const { return draining_.load(std::memory_order_acquire); }

  void exchange_started() {
    inflight_.fetch_add(1, std::memory_order_relaxed);
    metrics.inflight.Increment();
  }
  void exchange_done() {
    metrics.inflight.Decrement();
    if (inflight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(idle_mutex_);
      idle_.notify_all();
    }
  }
  uint64_t inflight() const { return inflight_.load(std::memory_order_relaxed); }

  void connection_opened(const std::shared_ptr<Connection>& connection);
  void connection_closed(Connection* connection) {
    metrics.connections.Decrement();
    connection_count_.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard lock(connections_mutex_);
    connections_.erase(connection);
  }

  Status start();
  void shutdown();

  ServerConfig config;
  ServerServices services;
  std::shared_ptr<prometheus::Registry> registry;
  std::shared_ptr<spdlog::logger> logger;
  HttpMetrics metrics;
  Router router;
  WorkPool workers;
  WorkPool fetchers;
  ServerContext context;
  bool cors_any = false;
  uint16_t port = 0;

 private:
  void accept_next();
  void close_all_connections();

  uint64_t id_seed = 0;
  std::atomic<uint64_t> next_id{0};
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> inflight_{0};
  std::atomic<uint64_t> connection_count_{0};
  std::mutex idle_mutex_;
  std::condition_variable idle_;
  std::mutex connections_mutex_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
  bool started_ = false;
  bool stopped_ = false;
  // Declared last among what connections use: destroyed first.
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  tcp::acceptor acceptor;
  net::steady_timer accept_retry;
  std::vector<std::thread> threads_;
};

// One client connection: reads a request, hands it to its route, writes the answer, repeats
// while keep-alive. All socket work runs on the connection's strand; the output queue is shared
// with the ResponseWriter (any thread) under out_mutex_.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerCore> core, tcp::socket socket)
      : core_owner_(std::move(core)), core_(*core_owner_), stream_(std::move(socket)) {
    beast::error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", peer.address().to_string(), peer.port());
    // Streamed lines and small responses go out at once instead of waiting for Nagle.
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
  ~Connection() { core_.connection_closed(this); }

  void start() {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->wait_for_request(); });
  }
  // From any thread: close now (shutdown; in-flight exchanges are cut off).
  void close_from_outside() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(false); });
  }

  // --- used by ConnectionWriter, from any thread ---
  void answer(uint64_t exchange_id, HttpResponse response);
  void begin_stream(uint64_t exchange_id, unsigned status, std::string_view content_type,
                    const std::vector<Header>& headers);
  bool stream_data(uint64_t exchange_id, std::string data);
  void end_stream(uint64_t exchange_id, bool complete);
  size_t pending_bytes() const {
    std::lock_guard lock(out_mutex_);
    return pending_;
  }
  bool gone() const { return gone_.load(std::memory_order_acquire); }
  void when_writable(std::function<void()> fn);

 private:
  enum class Outcome : uint8_t { kComplete, kAborted, kClientGone };

  struct Exchange {
    uint64_t id = 0;
    std::string request_id;
    std::string method;
    std::string path;
    std::string route = std::string(kUnmatchedRoute);
    size_t route_slot = 0;
    unsigned version = 11;
    bool head = false;        // HEAD: the GET answer without its body
    bool keep_alive = false;  // what the client asked for (and the server may keep)
    std::string cors_origin;  // Access-Control-Allow-Origin value; empty = none
    std::optional<RateInfo> rate;
    std::unique_ptr<Lease> lease;
    std::string key_id;
    SteadyClock::time_point start;
    // Set when the response head is queued.
    unsigned status = 0;
    bool close_after = true;
    bool chunked = false;
  };

  void wait_for_request();
  void read_header();
  void on_header(beast::error_code ec);
  void read_body();
  void on_read_error(beast::error_code ec);
  void dispatch();
  void begin_exchange(const http::request_parser<http::string_body>::value_type* request);
  void refuse(ReadFailure failure, beast::error_code ec);

  std::string serialize_head(unsigned status, std::string_view content_type,
                             const std::vector<Header>& headers,
                             std::optional<size_t> content_length);
  bool enqueue(uint64_t exchange_id, std::string bytes, bool last, bool abort);
  void flush();
  void on_write(beast::error_code ec, size_t bytes);
  void finish_exchange(Outcome outcome);
  void close(bool linger);
  void linger_read();

  std::shared_ptr<ServerCore> core_owner_;  // keeps the io_context alive (see ServerCore)
  ServerCore& core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  Exchange exchange_;
  bool closed_ = false;
  size_t lingered_ = 0;
  uint64_t exchanges_ = 0;  // exchanges begun on this connection; ids start at 1

  // Output of the current exchange, shared with writers on other threads.
  mutable std::mutex out_mutex_;
  uint64_t out_exchange_ = 0;  // exchange id that may write; 0 = none
  std::string out_queue_;      // bytes not yet handed to the socket
  std::string out_writing_;    // bytes being written (strand only)
  size_t pending_ = 0;         // out_queue_ + out_writing_
  size_t bytes_sent_ = 0;
  bool write_scheduled_ = false;
  bool out_last_ = false;   // the exchange's last bytes are queued
  bool out_abort_ = false;  // ... and the stream was cut off, not finished
  bool finished_ = false;   // finish_exchange ran
  std::vector<std::function<void()>> waiters_;
  std::atomic<bool> gone_{false};
};

class ConnectionWriter final : public ResponseWriter {
 public:
  ConnectionWriter(std::shared_ptr<Connection> connection, uint64_t exchange_id,
                   std::string request_id)
      : connection_(std::move(connection)),
        exchange_id_(exchange_id),
        request_id_(std::move(request_id)) {}

  ~ConnectionWriter() override {
    if (phase_ == Phase::kNone) {
      connection_->answer(
          exchange_id_, error_response(500, "internal", "the handler did not answer", request_id_));
    } else if (phase_ == Phase::kStreaming) {
      connection_->end_stream(exchange_id_, false);
    }
  }

  // Each call holds the writer's lock, so calls from several threads reach the connection one
  // at a time and in the order they took the lock (start_stream before the first write).
  void send(HttpResponse response) override {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::kNone) return;
    phase_ = Phase::kDone;
    connection_->answer(exchange_id_, std::move(response));
  }
  void start_stream(unsigned status, std::string content_type,
                    std::vector<Header> headers) override {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::kNone) return;
    phase_ = Phase::kStreaming;
    connection_->begin_stream(exchange_id_, status, content_type, headers);
  }
  bool write(std::string data) override {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::kStreaming) return false;
    return connection_->stream_data(exchange_id_, std::move(data));
  }
  size_t pending_bytes() const override { return connection_->pending_bytes(); }
  void when_writable(std::function<void()> fn) override {
    connection_->when_writable(std::move(fn));
  }
  void finish() override {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::kStreaming) return;
    phase_ = Phase::kDone;
    connection_->end_stream(exchange_id_, true);
  }
  bool client_gone() const override { return connection_->gone(); }

 private:
  enum class Phase : uint8_t { kNone, kStreaming, kDone };

  std::shared_ptr<Connection> connection_;
  uint64_t exchange_id_;
  std::string request_id_;
  std::mutex mutex_;
  Phase phase_ = Phase::kNone;
};

// ---------------------------------------------------------------------------------------------
// Reading

void Connection::wait_for_request() {
  if (closed_) return;
  if (core_.draining()) {
    close(false);
    return;
  }
  // Bytes of a pipelined request already buffered: its read timeout starts now.
  if (buffer_.size() > 0) {
    read_header();
    return;
  }
  // Idle keep-alive: wait for the first byte of the next request up to idle_timeout.
  stream_.expires_after(core_.config.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (ec) {
                              self->close(false);
                              return;
                            }
                            self->buffer_.commit(n);
                            self->read_header();
                          });
}

void Connection::read_header() {
  parser_.emplace();
  apply_request_limits(*parser_, core_.config);
  // One deadline for the whole request, header and body (slow-loris).
  stream_.expires_after(core_.config.read_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  if (parser_->is_done()) {
    dispatch();
    return;
  }
  // curl and others wait (a second, by default) for "100 Continue" before sending a large body.
  const auto& request = parser_->get();
  if (request.version() >= 11 && str::iequals(request[http::field::expect], "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code write_ec, size_t) {
                       if (write_ec) {
                         self->close(false);
                         return;
                       }
                       self->read_body();
                     });
    return;
  }
  read_body();
}

void Connection::read_body() {
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) {
                       self->on_read_error(ec);
                       return;
                     }
                     self->dispatch();
                   });
}

void Connection::on_read_error(beast::error_code ec) {
  ReadFailure failure = classify_read_error(ec);
  if (failure == ReadFailure::kGone) {
    // The client went away or was too slow (read_timeout): nobody to answer.
    if (ec == beast::error::timeout) {
      core_.log(ServerContext::LogLevel::kDebug, "read_timeout", "request not received in time",
                {{"remote", remote_}});
    }
    close(false);
    return;
  }
  refuse(failure, ec);
}

// ---------------------------------------------------------------------------------------------
// Dispatch

void Connection::begin_exchange(const http::request_parser<http::string_body>::value_type* req) {
  exchange_ = Exchange();
  exchange_.start = SteadyClock::now();
  exchange_.route_slot = core_.router.routes().size();
  if (req != nullptr) {
    std::string_view client_id(req->base()["X-Request-Id"]);
    exchange_.request_id =
        sane_request_id(client_id) ? std::string(client_id) : core_.fresh_request_id();
    exchange_.method = std::string(req->method_string());
    std::string_view target(req->target());
    exchange_.path = std::string(target.substr(0, target.find('?')));
    exchange_.version = req->version();
    exchange_.keep_alive = req->keep_alive();
    exchange_.head = req->method() == http::verb::head;
    exchange_.cors_origin = std::string(core_.cors_allow_origin(req->base()[http::field::origin]));
  } else {
    exchange_.request_id = core_.fresh_request_id();
  }
  {
    std::lock_guard lock(out_mutex_);
    exchange_.id = ++exchanges_;
    out_exchange_ = exchange_.id;
    out_queue_.clear();
    pending_ = 0;
    bytes_sent_ = 0;
    write_scheduled_ = false;
    out_last_ = false;
    out_abort_ = false;
    finished_ = false;
  }
  core_.exchange_started();
}

void Connection::refuse(ReadFailure failure, beast::error_code ec) {
  // The header may be complete (413 from Content-Length): name the request in the log.
  const http::request_parser<http::string_body>::value_type* req =
      parser_ && parser_->is_header_done() ? &parser_->get() : nullptr;
  begin_exchange(req);
  exchange_.keep_alive = false;  // the rest of the request is unread: the connection is done
  stream_.expires_never();
  answer(exchange_.id, read_failure_response(failure, ec, core_.config, exchange_.request_id));
}

void Connection::dispatch() {
  stream_.expires_never();  // the handler's time is not the client's read timeout
  http::request<http::string_body> req = parser_->release();
  parser_.reset();
  begin_exchange(&req);

  HttpRequest request = to_http_request(std::move(req));
  request.request_id = exchange_.request_id;
  request.remote = remote_;

  auto writer =
      std::make_shared<ConnectionWriter>(shared_from_this(), exchange_.id, exchange_.request_id);
  const std::string& id = exchange_.request_id;

  Routing routing = route_request(core_.router, request, !exchange_.cors_origin.empty());
  if (routing.answer) {
    writer->send(std::move(*routing.answer));
    return;
  }
  const Route& route = *routing.route;
  exchange_.route = route.pattern;
  exchange_.route_slot = route.index;

  if (route.access != Access::kPublic) {
    Admission admission =
        core_.services.admit(request.header("Authorization"), route.access == Access::kAdmin);
    exchange_.rate = admission.rate;
    if (admission.denial) {
      core_.metrics.rejection(*admission.denial);
      auto [status, code] = denial_status(*admission.denial);
      uint32_t retry_after = admission.rate.retry_after_seconds;
      if (status == 503 && retry_after == 0) retry_after = core_.config.retry_after_seconds;
      if (status == 429 && retry_after == 0) retry_after = 1;
      std::string message = admission.message.empty() ? std::string(code) : admission.message;
      writer->send(error_response(status, code, message, id,
                                  status == 429 || status == 503 ? retry_after : 0));
      return;
    }
    exchange_.lease = std::move(admission.lease);
    exchange_.key_id = admission.principal.key_id;
    request.principal = std::move(admission.principal);
  }

  try {
    route.handler(std::move(request), writer);
  } catch (const std::exception& e) {
    // A bug in a handler: answer (if it had not) rather than take the process down.
    core_.log(ServerContext::LogLevel::kError, "handler_exception", e.what(),
              {{"request_id", id}, {"route", route.pattern}});
    writer->send(error_response(500, "internal", "internal error", id));
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

std::string Connection::serialize_head(unsigned status, std::string_view content_type,
                                       const std::vector<Header>& headers,
                                       std::optional<size_t> content_length) {
  if (status < 100 || status > 999) status = 500;
  // Keep-alive only when the client wants it, the server is not draining and the body's end is
  // visible to the client (HTTP/1.0 streams end with the connection).
  bool close_after =
      !exchange_.keep_alive || core_.draining() || (!content_length && exchange_.version < 11);
  std::string head;
  head.reserve(512);
  fmt::format_to(std::back_inserter(head), "HTTP/1.1 {} {}\r\n", status,
                 std::string_view(http::obsolete_reason(static_cast<http::status>(status))));
  head += kFixedHeaders;
  head += "X-Request-Id: ";
  head += exchange_.request_id;
  head += "\r\n";
  if (!core_.config.cors_origins.empty()) {
    if (!exchange_.cors_origin.empty()) {
      head += "Access-Control-Allow-Origin: ";
      head += exchange_.cors_origin;
      head += "\r\nAccess-Control-Expose-Headers: ";
      head += kCorsExposeHeaders;
      head += "\r\n";
    }
    if (!core_.cors_any) head += "Vary: Origin\r\n";
  }
  if (exchange_.rate) {
    fmt::format_to(std::back_inserter(head),
                   "X-RateLimit-Limit: {}\r\nX-RateLimit-Remaining: {}\r\nX-RateLimit-Reset: "
                   "{}\r\n",
                   exchange_.rate->limit, exchange_.rate->remaining, exchange_.rate->reset_seconds);
  }
  bool no_body = status == 204 || status == 304 || status < 200;
  if (!no_body) {
    head += "Content-Type: ";
    head += content_type;
    head += "\r\n";
    if (content_length) {
      fmt::format_to(std::back_inserter(head), "Content-Length: {}\r\n", *content_length);
    } else if (exchange_.version >= 11) {
      head += "Transfer-Encoding: chunked\r\n";
    }
  }
  if (close_after) {
    head += "Connection: close\r\n";
  } else if (exchange_.version < 11) {
    head += "Connection: keep-alive\r\n";
  }
  for (const Header& h : headers) {
    if (!allowed_extra_header(h)) continue;
    head += h.first;
    head += ": ";
    head += h.second;
    head += "\r\n";
  }
  head += "\r\n";
  {
    std::lock_guard lock(out_mutex_);
    exchange_.status = status;
    exchange_.close_after = close_after;
    exchange_.chunked = !content_length && exchange_.version >= 11 && !no_body;
  }
  return head;
}

void Connection::answer(uint64_t exchange_id, HttpResponse response) {
  {
    std::lock_guard lock(out_mutex_);
    if (exchange_id != out_exchange_ || out_last_) return;
  }
  bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
  std::string bytes = serialize_head(response.status, response.content_type, response.headers,
                                     response.body.size());
  if (!exchange_.head && !no_body) bytes += response.body;
  enqueue(exchange_id, std::move(bytes), true, false);
}

void Connection::begin_stream(uint64_t exchange_id, unsigned status, std::string_view content_type,
                              const std::vector<Header>& headers) {
  {
    std::lock_guard lock(out_mutex_);
    if (exchange_id != out_exchange_ || out_last_) return;
  }
  enqueue(exchange_id, serialize_head(status, content_type, headers, std::nullopt), false, false);
}

bool Connection::stream_data(uint64_t exchange_id, std::string data) {
  if (data.empty()) return !gone();
  if (exchange_.head) return !gone();
  if (exchange_.chunked) {
    std::string framed = fmt::format("{:x}\r\n", data.size());
    framed += data;
    framed += "\r\n";
    return enqueue(exchange_id, std::move(framed), false, false);
  }
  return enqueue(exchange_id, std::move(data), false, false);
}

void Connection::end_stream(uint64_t exchange_id, bool complete) {
  std::string tail = complete && exchange_.chunked && !exchange_.head ? "0\r\n\r\n" : "";
  enqueue(exchange_id, std::move(tail), true, !complete);
}

void Connection::when_writable(std::function<void()> fn) {
  {
    std::lock_guard lock(out_mutex_);
    if (!gone() && pending_ >= core_.config.stream_buffer_bytes) {
      waiters_.push_back(std::move(fn));
      return;
    }
  }
  net::post(stream_.get_executor(), std::move(fn));
}

bool Connection::enqueue(uint64_t exchange_id, std::string bytes, bool last, bool abort) {
  bool schedule = false;
  {
    std::lock_guard lock(out_mutex_);
    if (gone() || exchange_id != out_exchange_ || out_last_) return false;
    pending_ += bytes.size();
    if (out_queue_.empty()) {
      out_queue_ = std::move(bytes);
    } else {
      out_queue_ += bytes;
    }
    if (last) {
      out_last_ = true;
      out_abort_ = abort;
    }
    if (!write_scheduled_) {
      write_scheduled_ = true;
      schedule = true;
    }
  }
  // Always through the strand, never inline: a caller may be a waiter run by on_write.
  if (schedule) net::post(stream_.get_executor(), [self = shared_from_this()] { self->flush(); });
  return true;
}

void Connection::flush() {
  bool done = false;
  bool abort = false;
  {
    std::lock_guard lock(out_mutex_);
    if (closed_) return;
    out_writing_.swap(out_queue_);
    out_queue_.clear();
    if (out_writing_.empty()) {
      write_scheduled_ = false;
      done = out_last_;
      abort = out_abort_;
    }
  }
  if (out_writing_.empty()) {
    if (done) finish_exchange(abort ? Outcome::kAborted : Outcome::kComplete);
    return;
  }
  stream_.expires_after(core_.config.write_timeout);
  net::async_write(
      stream_, net::buffer(out_writing_),
      [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_write(ec, n); });
}

void Connection::on_write(beast::error_code ec, size_t bytes) {
  std::vector<std::function<void()>> ready;
  bool more = false;
  bool done = false;
  bool abort = false;
  {
    std::lock_guard lock(out_mutex_);
    out_writing_.clear();
    pending_ -= std::min(pending_, bytes);
    bytes_sent_ += bytes;
    if (ec) {
      gone_.store(true, std::memory_order_release);
      ready.swap(waiters_);
    } else {
      if (pending_ < core_.config.stream_buffer_bytes) ready.swap(waiters_);
      if (!out_queue_.empty()) {
        more = true;
      } else {
        write_scheduled_ = false;
        done = out_last_;
        abort = out_abort_;
      }
    }
  }
  for (auto& fn : ready) fn();
  if (ec) {
    finish_exchange(Outcome::kClientGone);
    close(false);
    return;
  }
  if (more) {
    flush();
  } else if (done) {
    finish_exchange(abort ? Outcome::kAborted : Outcome::kComplete);
  }
}

void Connection::finish_exchange(Outcome outcome) {
  size_t bytes = 0;
  unsigned status = 0;
  bool close_after = true;
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(out_mutex_);
    if (finished_ || out_exchange_ == 0) return;
    finished_ = true;
    out_exchange_ = 0;  // late writes of this exchange are refused
    bytes = bytes_sent_;
    status = exchange_.status;
    close_after = exchange_.close_after;
    ready.swap(waiters_);
  }
  for (auto& fn : ready) net::post(stream_.get_executor(), std::move(fn));
  double seconds = std::chrono::duration<double>(SteadyClock::now() - exchange_.start).count();
  // A request cut off before its head was written is logged as the 499 of common proxies.
  if (status == 0) status = 499;
  core_.metrics.request(exchange_.route_slot, exchange_.route, exchange_.method, status, seconds);
  if (core_.config.access_log && core_.logger->should_log(spdlog::level::info)) {
    std::string line;
    append_json_field(line, "event", "access");
    append_json_field(line, "request_id", exchange_.request_id);
    append_json_field(line, "method", exchange_.method);
    append_json_field(line, "path", exchange_.path);
    append_json_field(line, "route", exchange_.route);
    fmt::format_to(std::back_inserter(line), ",\"status\":{},\"bytes\":{},\"duration_ms\":{:.3f}",
                   status, bytes, seconds * 1000.0);
    append_json_field(line, "key_id", exchange_.key_id);
    append_json_field(line, "remote", remote_);
    if (outcome != Outcome::kComplete) {
      append_json_field(line, "outcome", outcome == Outcome::kAborted ? "aborted" : "client_gone");
    }
    log_json_line(*core_.logger, ServerContext::LogLevel::kInfo, line);
  }
  if (core_.services.usage_store != nullptr && !exchange_.key_id.empty()) {
    store::Usage usage;
    usage.requests = 1;
    usage.errors = status >= 400 ? 1 : 0;
    usage.bytes_out = bytes;
    core_.services.usage_store->add_usage(exchange_.key_id, usage);
  }
  exchange_.lease.reset();
  core_.exchange_done();

  if (outcome == Outcome::kComplete && !close_after && !closed_) {
    wait_for_request();
  } else {
    // After a refused request (413, 431, 400) the client may still be sending: linger.
    close(outcome == Outcome::kComplete);
  }
}

void Connection::close(bool linger) {
  if (closed_) return;
  closed_ = true;
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(out_mutex_);
    gone_.store(true, std::memory_order_release);
    ready.swap(waiters_);
  }
  for (auto& fn : ready) fn();
  // An exchange still open (its handler runs, or its stream was cut) ends here.
  finish_exchange(Outcome::kClientGone);
  beast::error_code ec;
  if (linger && stream_.socket().is_open()) {
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
      stream_.expires_after(kLingerTimeout);
      linger_read();
      return;
    }
  }
  stream_.close();
}

void Connection::linger_read() {
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->lingered_ += n;
                            if (ec || self->lingered_ > kLingerMaxBytes) {
                              self->stream_.close();
                              return;
                            }
                            self->buffer_.commit(n);
                            self->linger_read();
                          });
}

// ---------------------------------------------------------------------------------------------
// Server lifecycle

void ServerCore::connection_opened(const std::shared_ptr<Connection>& connection) {
  metrics.connections.Increment();
  std::lock_guard lock(connections_mutex_);
  connections_.emplace(connection.get(), connection);
}

Status ServerCore::start() {
  if (started_) return Error(ErrorCode::kInvalidArgument, "server already started");
  for (const Route& route : router.routes()) {
    if (route.access != Access::kPublic && !services.admit) {
      return Error(ErrorCode::kInvalidArgument,
                   "route " + route.pattern + " needs an API key but no access control is set");
    }
  }
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(config.host, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument,
                 "host must be an IP address, got \"" + config.host + "\"");
  }
  tcp::endpoint endpoint(address, config.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 fmt::format("cannot listen on {}:{}: {}", config.host, config.port, ec.message()));
  }
  port = acceptor.local_endpoint().port();
  metrics.prepare(router);
  started_ = true;
  work_.emplace(ioc.get_executor());
  net::post(acceptor.get_executor(), [this] { accept_next(); });
  uint32_t io_threads = std::max<uint32_t>(1, config.io_threads);
  for (uint32_t i = 0; i < io_threads; ++i) {
    threads_.emplace_back([this] { ioc.run(); });
    pthread_setname_np(threads_.back().native_handle(), ("http-io-" + std::to_string(i)).c_str());
  }
  log(ServerContext::LogLevel::kInfo, "listening", "",
      {{"host", config.host},
       {"port", std::to_string(port)},
       {"io_threads", std::to_string(io_threads)},
       {"worker_threads", std::to_string(workers.threads())},
       {"fetch_threads", std::to_string(fetchers.threads())}});
  return Status::ok_status();
}

void ServerCore::accept_next() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || ec == net::error::operation_aborted) return;
    if (ec) {
      log(ServerContext::LogLevel::kWarn, "accept_failed", ec.message());
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor.is_open()) accept_next();
      });
      return;
    }
    if (connection_count_.load(std::memory_order_relaxed) >= config.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over max_connections: refused at once
    } else {
      connection_count_.fetch_add(1, std::memory_order_relaxed);
      auto connection = std::make_shared<Connection>(shared_from_this(), std::move(socket));
      connection_opened(connection);
      connection->start();
    }
    accept_next();
  });
}

void ServerCore::close_all_connections() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(connections_mutex_);
    for (auto& entry : connections_) {
      if (auto connection = entry.second.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) connection->close_from_outside();
}

void ServerCore::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (!started_) {
    fetchers.stop();
    workers.stop();
    return;
  }
  log(ServerContext::LogLevel::kInfo, "shutdown", "no longer accepting connections",
      {{"inflight", std::to_string(inflight())}});
  draining_.store(true, std::memory_order_release);
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ec;
    acceptor.close(ec);
    accept_retry.cancel();
  });
  bool drained = false;
  {
    std::unique_lock lock(idle_mutex_);
    drained = idle_.wait_for(lock, config.shutdown_grace, [this] { return inflight() == 0; });
  }
  if (drained) {
    log(ServerContext::LogLevel::kInfo, "shutdown", "in-flight requests finished");
  } else {
    log(ServerContext::LogLevel::kWarn, "shutdown", "grace period over, cutting off requests",
        {{"inflight", std::to_string(inflight())}});
  }
  close_all_connections();
  // Tasks still queued belong to requests whose connections are now closed; they run (and
  // find their clients gone) so that every writer is released before the I/O threads stop.
  fetchers.stop();
  workers.stop();
  work_.reset();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  log(ServerContext::LogLevel::kInfo, "shutdown", "stopped");
  logger->flush();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // A well-formed UTF-8 sequence is copied; anything else becomes U+FFFD (JSON is UTF-8).
      size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
      bool ok = len > 0 && len <= text.size() - i && c <= 0xf4;
      for (size_t k = 1; ok && k < len; ++k) {
        ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
      }
      if (ok && len >= 3) {
        auto c1 = static_cast<unsigned char>(text[i + 1]);
        if (c == 0xe0 && c1 < 0xa0) ok = false;   // overlong
        if (c == 0xed && c1 >= 0xa0) ok = false;  // surrogate
        if (c == 0xf0 && c1 < 0x90) ok = false;   // overlong
        if (c == 0xf4 && c1 >= 0x90) ok = false;  // above U+10FFFF
      }
      if (ok) {
        out.append(text.substr(i, len));
        i += len;
      } else {
        out += "\\ufffd";
        ++i;
      }
    }
  }
}

std::shared_ptr<spdlog::logger> make_json_logger(const std::string& name) {
  // The logger owns its thread pool (no global spdlog state): the holder keeps both alive and
  // destroys the logger first.
  struct Holder {
    std::shared_ptr<spdlog::details::thread_pool> pool;
    std::shared_ptr<spdlog::async_logger> logger;
  };
  auto holder = std::make_shared<Holder>();
  holder->pool = std::make_shared<spdlog::details::thread_pool>(kLogQueueLines, 1);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  holder->logger = std::make_shared<spdlog::async_logger>(
      name, std::move(sink), holder->pool, spdlog::async_overflow_policy::overrun_oldest);
  holder->logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ",%v})",
                              spdlog::pattern_time_type::utc);
  holder->logger->set_level(spdlog::level::info);
  holder->logger->flush_on(spdlog::level::warn);
  return std::shared_ptr<spdlog::logger>(holder, holder->logger.get());
}

void log_json_line(spdlog::logger& logger, ServerContext::LogLevel level,
                   std::string_view fields_json) {
  std::string line = "\"level\":\"";
  line += log_level_name(level);
  line += '"';
  if (!fields_json.empty()) {
    line += ',';
    line += fields_json;
  }
  // The pattern (make_json_logger) writes the opening {"ts":...} and the closing brace.
  logger.log(spdlog_level(level), std::string_view(line));
}

struct HttpServer::Impl {
  std::shared_ptr<ServerCore> core;
};

HttpServer::HttpServer(ServerConfig config, ServerServices services)
    : impl_(std::make_unique<Impl>(
          Impl{std::make_shared<ServerCore>(std::move(config), std::move(services))})) {}

HttpServer::~HttpServer() {
  impl_->core->shutdown();
}

Router& HttpServer::router() {
  return impl_->core->router;
}
ServerContext& HttpServer::context() {
  return impl_->core->context;
}
Status HttpServer::start() {
  return impl_->core->start();
}
uint16_t HttpServer::port() const {
  return impl_->core->port;
}
void HttpServer::shutdown() {
  impl_->core->shutdown();
}
uint64_t HttpServer::inflight() const {
  return impl_->core->inflight();
}

}  // namespace riptide::server
