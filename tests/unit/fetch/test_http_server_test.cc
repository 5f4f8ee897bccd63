// The test site itself (tests/support/test_http_server.h), driven by a raw socket client so each
// behaviour other tests rely on (routing, keep-alive, the log, slow and broken responses) is
// checked without the fetcher in the way.
#include "tests/support/test_http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>

namespace riptide::testing {
namespace {

using std::chrono::milliseconds;

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }

  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
  }
  // Reads until the server closes the connection.
  std::string read_all() {
    char chunk[4096];
    ssize_t got;
    while ((got = ::recv(fd_, chunk, sizeof chunk, 0)) > 0) {
      buffer_.append(chunk, static_cast<size_t>(got));
    }
    return std::exchange(buffer_, {});
  }
  // Reads one response (head + Content-Length body); "" when the server closed first.
  std::string read_response() {
    while (true) {
      size_t head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t at = buffer_.find("Content-Length: ");
        size_t length = at < head_end ? std::stoul(buffer_.substr(at + 16)) : 0;
        if (buffer_.size() >= head_end + 4 + length) {
          std::string response = buffer_.substr(0, head_end + 4 + length);
          buffer_.erase(0, response.size());
          return response;
        }
      }
      char chunk[4096];
      ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got <= 0) return {};
      buffer_.append(chunk, static_cast<size_t>(got));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

TEST(TestHttpServer, ServesRoutesAndFallbackOnKeepAliveConnection) {
  TestHttpServer site;
  site.route("/a", [](const HttpRequest&) { return html_response("<p>a</p>"); });
  RawClient client(site.port());
  ASSERT_TRUE(client.connected());
  client.send("GET /a?x=1 HTTP/1.1\r\nHost: t\r\nX-Test: yes\r\n\r\n");
  std::string first = client.read_response();
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(first.find("\r\n\r\n<p>a</p>"), std::string::npos);

  client.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string second = client.read_response();
  EXPECT_EQ(second.rfind("HTTP/1.1 404", 0), 0u) << second;

  site.set_fallback([](const HttpRequest& r) { return html_response("page " + r.path); });
  client.send("GET /p/1 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(client.read_response().find("page /p/1"), std::string::npos);

  EXPECT_EQ(site.connection_count(), 1u);
  std::vector<HttpRequest> log = site.requests();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].method, "GET");
  EXPECT_EQ(log[0].target, "/a?x=1");
  EXPECT_EQ(log[0].path, "/a");
  EXPECT_EQ(log[0].header("x-test"), "yes");
  EXPECT_EQ(log[0].connection_id, log[2].connection_id);
  EXPECT_LE(log[0].arrival, log[1].arrival);
  EXPECT_EQ(site.requests_for("/p/1").size(), 1u);
}

TEST(TestHttpServer, ConnectionCloseAndBrokenResponses) {
  TestHttpServer site;
  site.route("/drop", [](const HttpRequest&) {
    HttpResponse response;
    response.close_without_response = true;
    return response;
  });
  {
    RawClient client(site.port());
    client.send("GET /drop HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(client.read_response(), "");
  }
  {
    RawClient client(site.port());
    client.send("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    EXPECT_NE(client.read_response().find("Connection: close\r\n"), std::string::npos);
    EXPECT_EQ(client.read_response(), "");  // then the server closes
  }
  {
    RawClient client(site.port());
    client.send("NONSENSE\r\n\r\n");
    EXPECT_EQ(client.read_response().rfind("HTTP/1.1 400", 0), 0u);
  }
  {
    RawClient client(site.port());
    client.send(std::string("\x16\x03\x01\x02\x00", 5));  // the start of a TLS ClientHello
    EXPECT_EQ(client.read_response().rfind("HTTP/1.1 400", 0), 0u);
  }
  EXPECT_EQ(site.requests_for("/drop").size(), 1u);
}

TEST(TestHttpServer, ServesThousandsOfPagesAndConnections) {
  // What a crawl test needs: a generated site behind the catch-all, many requests on one
  // keep-alive connection and many short connections (finished connection threads are reaped).
  constexpr int kKeepAliveRequests = 2000;
  constexpr int kShortConnections = 300;
  TestHttpServer site;
  site.set_fallback([](const HttpRequest& request) { return html_response("<p>" + request.path); });
  RawClient client(site.port());
  for (int i = 0; i < kKeepAliveRequests; ++i) {
    std::string path = "/page/" + std::to_string(i);
    client.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_NE(client.read_response().find("\r\n\r\n<p>" + path), std::string::npos) << path;
  }
  for (int i = 0; i < kShortConnections; ++i) {
    RawClient one(site.port());
    one.send("GET /short HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ASSERT_NE(one.read_response().find("<p>/short"), std::string::npos) << i;
  }
  EXPECT_EQ(site.request_count(), static_cast<size_t>(kKeepAliveRequests + kShortConnections));
  EXPECT_EQ(site.connection_count(), static_cast<size_t>(1 + kShortConnections));
  EXPECT_EQ(site.requests_for("/page/1999").size(), 1u);
}

TEST(TestHttpServer, ChunkedBodiesHaveNoContentLength) {
  TestHttpServer site;
  site.route("/chunked", [](const HttpRequest&) {
    HttpResponse response = html_response("hello world");
    response.chunked = true;
    response.dribble_bytes = 6;
    return response;
  });
  RawClient client(site.port());
  client.send("GET /chunked HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::string response = client.read_all();
  EXPECT_NE(response.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.find("Content-Length"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"), std::string::npos)
      << response;
}

TEST(TestHttpServer, DelayAndDribbleSlowTheResponse) {
  TestHttpServer site;
  site.route("/slow", [](const HttpRequest&) {
    HttpResponse response = html_response("0123456789");
    response.delay = milliseconds(50);
    response.dribble_bytes = 5;
    response.dribble_interval = milliseconds(50);
    return response;
  });
  RawClient client(site.port());
  auto start = std::chrono::steady_clock::now();
  client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string response = client.read_response();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_NE(response.find("\r\n\r\n0123456789"), std::string::npos);
  EXPECT_GE(elapsed, milliseconds(100));
}

TEST(TestHttpServer, StopEndsSlowResponsesPromptly) {
  auto site = std::make_unique<TestHttpServer>();
  site->route("/forever", [](const HttpRequest&) {
    HttpResponse response = html_response("x");
    response.delay = std::chrono::minutes(10);
    return response;
  });
  RawClient client(site->port());
  client.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n");
  while (site->request_count() == 0) std::this_thread::sleep_for(milliseconds(1));
  auto start = std::chrono::steady_clock::now();
  site.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace riptide::testing
