#include "server/http_server.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "server/work_pool.h"
#include "tests/support/http_test_client.h"

// The server core over real sockets on 127.0.0.1, port 0, with short timeouts. The client is
// blocking Asio with Beast's response parser, so every byte the server sends is checked as a
// client sees it.
namespace riptide::server {
namespace {

// The client's namespace aliases (beast, http, net) serve the raw socket work below too.
using namespace riptide::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A JSON error answer: the status and {"error": {"code"}} agree.
void expect_error(const Response& response, int status, std::string_view code) {
  EXPECT_EQ(response.result_int(), status);
  EXPECT_EQ(body_json(response)["error"]["code"], code);
}

struct FakeLease : Lease {
  explicit FakeLease(std::atomic<int>* held) : held_(held) { ++*held_; }
  ~FakeLease() override { --*held_; }
  std::atomic<int>* held_;
};

ServerConfig test_config() {
  ServerConfig config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.io_threads = 2;
  config.worker_threads = 2;
  config.worker_queue = 16;
  config.fetch_threads = 1;
  config.fetch_queue = 4;
  config.read_timeout = 400ms;
  config.idle_timeout = 2000ms;
  config.write_timeout = 2000ms;
  config.shutdown_grace = 3000ms;
  config.max_header_bytes = 2048;
  config.max_body_bytes = 4096;
  config.cors_origins = {"https://app.example"};
  return config;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerConfig config = test_config()) {
    ServerServices services;
    services.registry = std::make_shared<prometheus::Registry>();
    // Quiet: the access log is exercised, its lines go nowhere.
    services.logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    services.admit = [this](std::string_view authorization, bool admin_only) {
      Admission admission;
      admission.rate = {60, 59, 1, 0};
      if (authorization.empty()) {
        admission.denial = Denial::kMissingKey;
        admission.message = "missing API key";
      } else if (authorization == "Bearer slow-down") {
        admission.denial = Denial::kRateLimited;
        admission.message = "rate limit exceeded";
        admission.rate = {60, 0, 30, 7};
      } else if (admin_only && authorization != "Bearer admin") {
        admission.denial = Denial::kNotAdmin;
        admission.message = "admin key required";
      } else {
        admission.principal.key_id = "key_1";
        admission.lease = std::make_unique<FakeLease>(&leases_held_);
      }
      return admission;
    };
    server_ = std::make_unique<HttpServer>(config, services);
    add_routes(server_->router(), server_->context());
    Status status = server_->start();
    ASSERT_TRUE(status.ok()) << status.error().to_string();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_) server_->shutdown();
  }

  void add_routes(Router& router, ServerContext& context) {
    router.add("GET", "/hello", Access::kPublic, [](HttpRequest request, auto writer) {
      writer->send(json_response(200, {{"hello", "world"}, {"id", request.request_id}}));
    });
    router.add("POST", "/echo", Access::kPublic, [](HttpRequest request, auto writer) {
      HttpResponse response;
      response.content_type = "text/plain";
      response.body = request.body;
      response.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=1");
      response.headers.emplace_back("X-Good", "yes");
      writer->send(std::move(response));
    });
    router.add("GET", "/items/{id}", Access::kPublic, [](HttpRequest request, auto writer) {
      writer->send(json_response(
          200, {{"id", request.path_param("id")}, {"q", request.query_param("q").value_or("-")}}));
    });
    router.add("GET", "/silent", Access::kPublic, [](HttpRequest, auto) {});
    router.add("GET", "/throws", Access::kPublic,
               [](HttpRequest, auto) { throw std::runtime_error("boom"); });
    router.add("POST", "/private", Access::kKey, [this](HttpRequest request, auto writer) {
      seen_key_ = request.principal ? request.principal->key_id : "";
      writer->send(json_response(200, {{"key", seen_key_}, {"leases_held", leases_held_.load()}}));
    });
    router.add("POST", "/admin", Access::kAdmin, [](HttpRequest, auto writer) {
      writer->send(json_response(201, {{"ok", true}}));
    });
    // Answers from a worker once the test releases it.
    router.add("GET", "/slow", Access::kPublic, [this, &context](HttpRequest, auto writer) {
      slow_started_.set_value();
      bool queued = context.workers.try_submit([this, writer] {
        slow_release_.get_future().wait();
        writer->send(json_response(200, {{"slow", true}}));
      });
      if (!queued) writer->send(error_response(503, "unavailable", "busy", "", 1));
    });
    // Line by line, each line written after the test asks for it.
    router.add("GET", "/lines", Access::kPublic, [this, &context](HttpRequest, auto writer) {
      writer->start_stream(200, "application/x-ndjson");
      bool queued = context.workers.try_submit([this, writer] {
        for (int i = 0; i < 3; ++i) {
          line_wanted_[i].get_future().wait();
          writer->write("{\"line\":" + std::to_string(i) + "}\n");
        }
        writer->finish();
      });
      ASSERT_TRUE(queued);
    });
  }

  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> leases_held_{0};
  std::string seen_key_;
  std::promise<void> slow_started_;
  std::promise<void> slow_release_;
  std::promise<void> line_wanted_[3];
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  Client client(port_);
  for (int i = 0; i < 3; ++i) {
    Response response = client.request(get("/hello"));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_TRUE(response.keep_alive());
    EXPECT_EQ(body_json(response)["hello"], "world");
  }
  // Pipelined: two requests in one write, two answers in order.
  client.send(get("/items/a") + get("/items/b"));
  EXPECT_EQ(body_json(client.read())["id"], "a");
  EXPECT_EQ(body_json(client.read())["id"], "b");
}

TEST_F(HttpServerTest, PathParamsAndQuery) {
  start();
  Client client(port_);
  nlohmann::json body = body_json(client.request(get("/items/x%2Fy?q=a+b&z=1")));
  EXPECT_EQ(body["id"], "x%2Fy");
  EXPECT_EQ(body["q"], "a b");
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  start();
  Client client(port_);
  Response missing = client.request(get("/nope"));
  expect_error(missing, 404, "not_found");
  Response wrong = client.request(get("/echo"));
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "POST");
  EXPECT_EQ(body_json(wrong)["error"]["code"], "method_not_allowed");
  // Both kept the connection.
  EXPECT_EQ(client.request(get("/hello")).result_int(), 200);
}

TEST_F(HttpServerTest, BodyOverLimitIs413BeforeTheBodyIsRead) {
  start();
  Client client(port_);
  // Content-Length announces 1 MB but nothing follows: the answer cannot wait for the body.
  client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n");
  Response response = client.read();
  expect_error(response, 413, "payload_too_large");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  start();
  Client client(port_);
  std::string chunk(3000, 'x');
  std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) request += "bb8\r\n" + chunk + "\r\n";
  request += "0\r\n\r\n";
  client.send(request);
  EXPECT_EQ(client.read().result_int(), 413);
}

TEST_F(HttpServerTest, BodyWithinLimitIsDelivered) {
  start();
  Client client(port_);
  std::string body(4096, 'b');
  Response response = client.request(post("/echo", body));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), body);
  // Handler headers with CR/LF are dropped; clean ones pass.
  EXPECT_EQ(response["X-Good"], "yes");
  EXPECT_EQ(response.find("X-Evil"), response.end());
  EXPECT_EQ(response.find(http::field::set_cookie), response.end());
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  start();
  Client client(port_);
  client.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  client.set_receive_timeout(2000ms);
  std::string interim(25, '\0');
  net::read(client.socket(), net::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  client.send("hello");
  Response response = client.read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "hello");
}

TEST_F(HttpServerTest, HeaderOverLimitIs431) {
  start();
  Client client(port_);
  Response response = client.request(get("/hello", "X-Big: " + std::string(3000, 'h') + "\r\n"));
  expect_error(response, 431, "header_too_large");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, MalformedRequestIs400AndClosed) {
  start();
  for (std::string_view garbage :
       {"GARBAGE\r\n\r\n", "GET /hello HTTP/9.9\r\n\r\n",
        "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",
        // Request smuggling: two framings, or two lengths, are refused rather than guessed.
        "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
        "0\r\n\r\n"}) {
    Client client(port_);
    client.send(garbage);
    Response response = client.read();
    EXPECT_EQ(response.result_int(), 400) << garbage;
    EXPECT_EQ(body_json(response)["error"]["code"], "bad_request");
    EXPECT_TRUE(client.closed_by_server()) << garbage;
  }
}

TEST_F(HttpServerTest, SlowLorisIsDroppedAtReadTimeout) {
  start();  // read_timeout 400 ms
  Client client(port_);
  Clock::time_point begin = Clock::now();
  std::string request = get("/hello", "X-Slow: " + std::string(40, 's') + "\r\n");
  // One byte every 20 ms would take over a second: the server must cut it off at ~400 ms.
  bool closed = false;
  for (char c : request) {
    beast::error_code ec;
    net::write(client.socket(), net::buffer(&c, 1), ec);
    if (ec) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
    if (Clock::now() - begin > 700ms) break;
  }
  if (!closed) closed = client.closed_by_server(1000ms);
  EXPECT_TRUE(closed);
  auto elapsed = Clock::now() - begin;
  EXPECT_GE(elapsed, 380ms);
  EXPECT_LT(elapsed, 1500ms);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerConfig config = test_config();
  config.idle_timeout = 200ms;
  start(config);
  Client client(port_);
  EXPECT_EQ(client.request(get("/hello")).result_int(), 200);
  Clock::time_point begin = Clock::now();
  EXPECT_TRUE(client.closed_by_server(2000ms));
  EXPECT_LT(Clock::now() - begin, 1000ms);
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
  start();
  {
    Client client(port_);
    Response response = client.request(get("/hello", "Connection: close\r\n"));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response[http::field::connection], "close");
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    Client client(port_);
    Response response = client.request("GET /hello HTTP/1.0\r\n\r\n");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    Client client(port_);
    Response response = client.request("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(response[http::field::connection], "keep-alive");
    EXPECT_EQ(client.request("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").result_int(),
              200);
  }
}

TEST_F(HttpServerTest, HeadAnswersWithoutBody) {
  start();
  Client client(port_);
  client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a HEAD response has no body whatever Content-Length says
  http::read(client.socket(), client.buffer(), parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_NE(parser.get()[http::field::content_length], "0");
  // Nothing else follows: the next response starts right after the head.
  EXPECT_EQ(client.request(get("/hello")).result_int(), 200);
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGenerated) {
  start();
  Client client(port_);
  Response echoed = client.request(get("/nope", "X-Request-Id: client-id_1.2\r\n"));
  EXPECT_EQ(echoed["X-Request-Id"], "client-id_1.2");
  EXPECT_EQ(body_json(echoed)["error"]["request_id"], "client-id_1.2");

  for (std::string bad : {std::string(65, 'a'), std::string("has space"), std::string("x;y")}) {
    Response fresh = client.request(get("/hello", "X-Request-Id: " + bad + "\r\n"));
    std::string id(fresh["X-Request-Id"]);
    EXPECT_NE(id, bad);
    EXPECT_EQ(id.size(), 16u) << id;
    EXPECT_EQ(body_json(fresh)["id"], id);  // the handler saw the same id
  }
  std::string a(client.request(get("/hello"))["X-Request-Id"]);
  std::string b(client.request(get("/hello"))["X-Request-Id"]);
  EXPECT_NE(a, b);
}

TEST_F(HttpServerTest, EveryResponseCarriesSecurityHeaders) {
  start();
  Client client(port_);
  for (const std::string& raw : {get("/hello"), get("/nope"), post("/private", "{}")}) {
    Response response = client.request(raw);
    EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(response["X-Frame-Options"], "DENY");
    EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(response["Content-Security-Policy"], "default-src 'none'; frame-ancestors 'none'");
    EXPECT_EQ(response["Cache-Control"], "no-store");
    EXPECT_EQ(response[http::field::server], "riptide/0.1.0");
    EXPECT_FALSE(response["X-Request-Id"].empty());
  }
}

TEST_F(HttpServerTest, CorsPreflightAndAllowedOrigins) {
  start();
  Client client(port_);
  Response preflight = client.request(
      "OPTIONS /echo HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\n"
      "Access-Control-Request-Method: POST\r\n"
      "Access-Control-Request-Headers: authorization, content-type\r\n\r\n");
  EXPECT_EQ(preflight.result_int(), 204);
  EXPECT_EQ(preflight["Access-Control-Allow-Origin"], "https://app.example");
  EXPECT_EQ(preflight["Access-Control-Allow-Methods"], "POST, OPTIONS");
  EXPECT_EQ(preflight["Access-Control-Allow-Headers"], "Authorization, Content-Type, X-Request-Id");
  EXPECT_EQ(preflight[http::field::vary], "Origin");

  Response simple = client.request(get("/hello", "Origin: https://app.example\r\n"));
  EXPECT_EQ(simple["Access-Control-Allow-Origin"], "https://app.example");
  EXPECT_NE(simple["Access-Control-Expose-Headers"].find("X-Request-Id"), std::string::npos);

  Response other = client.request(get("/hello", "Origin: https://evil.example\r\n"));
  EXPECT_EQ(other.find("Access-Control-Allow-Origin"), other.end());
  EXPECT_EQ(other[http::field::vary], "Origin");

  EXPECT_EQ(client.request("OPTIONS /nope HTTP/1.1\r\nHost: t\r\n\r\n").result_int(), 404);
}

TEST_F(HttpServerTest, AuthenticatedRoutesMapDenialsAndCarryRateHeaders) {
  start();
  Client client(port_);
  Response missing = client.request(post("/private", "{}"));
  expect_error(missing, 401, "unauthorized");
  EXPECT_EQ(body_json(missing)["error"]["message"], "missing API key");

  Response limited = client.request(post("/private", "{}", "Authorization: Bearer slow-down\r\n"));
  expect_error(limited, 429, "rate_limited");
  EXPECT_EQ(limited[http::field::retry_after], "7");
  EXPECT_EQ(limited["X-RateLimit-Remaining"], "0");
  EXPECT_EQ(limited["X-RateLimit-Reset"], "30");

  Response ok = client.request(post("/private", "{}", "Authorization: Bearer good\r\n"));
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(body_json(ok)["key"], "key_1");
  EXPECT_EQ(ok["X-RateLimit-Limit"], "60");
  EXPECT_EQ(ok["X-RateLimit-Remaining"], "59");
  EXPECT_EQ(body_json(ok)["leases_held"], 1);  // held while the handler ran
  // ... and released once the response went out (just after the client may have read it).
  for (int i = 0; i < 200 && leases_held_.load() != 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(leases_held_.load(), 0);

  Response not_admin = client.request(post("/admin", "{}", "Authorization: Bearer good\r\n"));
  expect_error(not_admin, 403, "forbidden");
  EXPECT_EQ(client.request(post("/admin", "{}", "Authorization: Bearer admin\r\n")).result_int(),
            201);
  // Public routes carry no rate headers.
  Response open = client.request(get("/hello"));
  EXPECT_EQ(open.find("X-RateLimit-Limit"), open.end());
}

TEST_F(HttpServerTest, HandlerThatDoesNotAnswerOrThrowsGives500) {
  start();
  Client client(port_);
  Response silent = client.request(get("/silent"));
  expect_error(silent, 500, "internal");
  EXPECT_EQ(client.request(get("/throws")).result_int(), 500);
  EXPECT_EQ(client.request(get("/hello")).result_int(), 200);
}

TEST_F(HttpServerTest, StreamDeliversEachLineWhenWritten) {
  start();
  Client client(port_);
  client.send(get("/lines"));
  std::string received;
  auto on_chunk = [&](uint64_t, std::string_view body, beast::error_code&) {
    received += body;
    return body.size();
  };
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  http::read_header(client.socket(), client.buffer(), parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_TRUE(parser.get().chunked());
  EXPECT_EQ(parser.get()[http::field::content_type], "application/x-ndjson");
  parser.on_chunk_body(on_chunk);
  client.set_receive_timeout(3000ms);
  for (int i = 0; i < 3; ++i) {
    // The next line is only produced after this one arrived: a server that buffered the stream
    // until finish() would deadlock here (and fail on the receive timeout).
    line_wanted_[i].set_value();
    std::string want = "{\"line\":" + std::to_string(i) + "}\n";
    while (received.find(want) == std::string::npos) {
      beast::error_code ec;
      http::read_some(client.socket(), client.buffer(), parser, ec);
      ASSERT_FALSE(ec) << ec.message();
    }
  }
  beast::error_code ec;
  while (!parser.is_done() && !ec) http::read_some(client.socket(), client.buffer(), parser, ec);
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(received, "{\"line\":0}\n{\"line\":1}\n{\"line\":2}\n");
  // The connection is reused after a finished stream.
  EXPECT_EQ(client.request(get("/hello")).result_int(), 200);
}

TEST_F(HttpServerTest, StreamAppliesBackpressureToSlowReader) {
  ServerConfig config = test_config();
  config.stream_buffer_bytes = 64 << 10;
  config.write_timeout = 5000ms;
  constexpr size_t kChunk = 16 << 10;
  constexpr size_t kTotal = size_t{32} << 20;
  std::atomic<size_t> produced{0};
  std::atomic<size_t> max_pending{0};
  std::promise<void> done;
  // A producer that writes while pending_bytes() is under the limit, then waits for
  // when_writable: the pattern http.h documents.
  struct Producer : std::enable_shared_from_this<Producer> {
    std::shared_ptr<ResponseWriter> writer;
    size_t limit = 0;
    std::atomic<size_t>* produced = nullptr;
    std::atomic<size_t>* max_pending = nullptr;
    std::promise<void>* done = nullptr;
    void run() {
      while (*produced < kTotal) {
        if (writer->client_gone()) return;
        size_t pending = writer->pending_bytes();
        if (pending > *max_pending) *max_pending = pending;
        if (pending >= limit) {
          writer->when_writable([self = shared_from_this()] { self->run(); });
          return;
        }
        writer->write(std::string(kChunk, 'a' + static_cast<char>((*produced / kChunk) % 26)));
        *produced += kChunk;
      }
      writer->finish();
      done->set_value();
    }
  };
  ServerServices services;
  services.logger =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto streaming = std::make_unique<HttpServer>(config, services);
  streaming->router().add("GET", "/big", Access::kPublic, [&](HttpRequest, auto writer) {
    writer->start_stream(200, "application/octet-stream");
    auto producer = std::make_shared<Producer>();
    producer->writer = writer;
    producer->limit = config.stream_buffer_bytes;
    producer->produced = &produced;
    producer->max_pending = &max_pending;
    producer->done = &done;
    producer->run();
  });
  ASSERT_TRUE(streaming->start().ok());
  // A small receive buffer so that the kernel does not absorb the whole stream.
  Client client(streaming->port(), 16 << 10);
  client.send(get("/big"));
  std::this_thread::sleep_for(300ms);  // not reading: the producer must stall
  size_t stalled_at = produced.load();
  EXPECT_LT(stalled_at, kTotal / 2) << "the producer was not held back";
  EXPECT_LE(max_pending.load(), config.stream_buffer_bytes + kChunk);

  http::response_parser<http::string_body> parser;
  parser.body_limit(kTotal + 1);
  http::read(client.socket(), client.buffer(), parser);
  EXPECT_EQ(parser.get().body().size(), kTotal);
  EXPECT_EQ(parser.get().body()[kTotal - 1], 'a' + static_cast<char>((kTotal / kChunk - 1) % 26));
  EXPECT_EQ(done.get_future().wait_for(2s), std::future_status::ready);
  EXPECT_LE(max_pending.load(), config.stream_buffer_bytes + kChunk);
  streaming->shutdown();
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequest) {
  start();
  Client client(port_);
  client.send(get("/slow"));
  slow_started_.get_future().wait();
  EXPECT_EQ(server_->inflight(), 1u);

  std::thread stopper([this] { server_->shutdown(); });
  // New connections are refused once shutdown began.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    try {
      Client late(port_);
      late.send(get("/hello"));
      refused = late.closed_by_server(200ms);
    } catch (const boost::system::system_error&) {
      refused = true;
    }
    if (!refused) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused);

  slow_release_.set_value();
  Response response = client.read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(body_json(response)["slow"], true);
  EXPECT_EQ(response[http::field::connection], "close");
  stopper.join();
  EXPECT_EQ(server_->inflight(), 0u);
}

TEST_F(HttpServerTest, ShutdownCutsOffRequestsPastTheGrace) {
  ServerConfig config = test_config();
  config.shutdown_grace = 200ms;
  start(config);
  Client client(port_);
  client.send(get("/slow"));
  slow_started_.get_future().wait();
  Clock::time_point begin = Clock::now();
  std::thread releaser([this] {
    std::this_thread::sleep_for(600ms);
    slow_release_.set_value();
  });
  server_->shutdown();
  EXPECT_LT(Clock::now() - begin, 2000ms);
  EXPECT_TRUE(client.closed_by_server());
  releaser.join();
}

TEST_F(HttpServerTest, WriterKeptPastTheServerFailsQuietly) {
  // Against http.h's rule, a handler keeps its writer after the server is gone: its calls must
  // fail as "client gone", not touch freed memory (ASan would report it).
  ServerConfig config = test_config();
  config.shutdown_grace = 100ms;
  ServerServices services;
  services.logger =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::shared_ptr<ResponseWriter> kept;
  std::promise<void> handled;
  auto server = std::make_unique<HttpServer>(config, services);
  server->router().add("GET", "/keep", Access::kPublic, [&](HttpRequest, auto writer) {
    kept = writer;
    handled.set_value();
  });
  ASSERT_TRUE(server->start().ok());
  Client client(server->port());
  client.send(get("/keep"));
  handled.get_future().wait();
  server.reset();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_TRUE(kept->client_gone());
  kept->start_stream(200, "application/x-ndjson");
  EXPECT_FALSE(kept->write("{}\n"));
  kept->finish();
  kept.reset();
}

TEST_F(HttpServerTest, ExcessConnectionsAreClosedAtOnce) {
  ServerConfig config = test_config();
  config.max_connections = 1;
  start(config);
  Client first(port_);
  EXPECT_EQ(first.request(get("/hello")).result_int(), 200);
  Client second(port_);
  EXPECT_TRUE(second.closed_by_server(1000ms));
  EXPECT_EQ(first.request(get("/hello")).result_int(), 200);
}

TEST_F(HttpServerTest, StartFailsOnBadHostOrBusyPort) {
  ServerConfig config = test_config();
  config.host = "not-an-ip";
  HttpServer bad(config, {});
  Status status = bad.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);

  start();
  config.host = "127.0.0.1";
  config.port = port_;
  HttpServer busy(config, {});
  status = busy.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kIo);
}

TEST_F(HttpServerTest, KeyRoutesNeedAccessControl) {
  HttpServer server(test_config(), {});
  server.router().add("POST", "/private", Access::kKey, [](HttpRequest, auto) {});
  EXPECT_FALSE(server.start().ok());
}

}  // namespace
}  // namespace riptide::server
