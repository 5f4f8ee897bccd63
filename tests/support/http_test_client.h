#pragma once

// A blocking HTTP/1.1 client for tests of the server (server/http_server.h) over real sockets:
// raw bytes out, Beast's response parser in, so every byte the server sends is checked the way
// a client sees it. Tests only: errors fail the test or throw boost::system::system_error.

#include <sys/socket.h>
#include <sys/time.h>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace riptide::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Response = http::response<http::string_body>;

class Client {
 public:
  explicit Client(uint16_t port, int receive_buffer = 0) : socket_(ioc_) {
    socket_.open(tcp::v4());
    if (receive_buffer > 0)
      socket_.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  void send(std::string_view bytes) {
    net::write(socket_, net::buffer(bytes.data(), bytes.size()));
  }

  // Reads one response; an error (closed connection) fails the test.
  Response read() {
    Response response;
    beast::error_code ec;
    http::read(socket_, buffer_, response, ec);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  Response request(std::string_view raw) {
    send(raw);
    return read();
  }

  // True when the server closed the connection (EOF or reset) within `within`.
  bool closed_by_server(std::chrono::milliseconds within = std::chrono::milliseconds(2000)) {
    set_receive_timeout(within);
    char byte = 0;
    beast::error_code ec;
    size_t n = socket_.read_some(net::buffer(&byte, 1), ec);
    return n == 0 && (ec == net::error::eof || ec == net::error::connection_reset);
  }

  void set_receive_timeout(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  tcp::socket& socket() { return socket_; }
  beast::flat_buffer& buffer() { return buffer_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// "GET path HTTP/1.1" with a Host header and `extra` header lines ("Name: value\r\n").
inline std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// "POST path HTTP/1.1" with Content-Length and `body`.
inline std::string post(std::string_view path, std::string_view body, std::string_view extra = "") {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

// The body parsed as JSON; a discarded value (is_discarded()) when it is not JSON.
inline nlohmann::json body_json(const Response& response) {
  return nlohmann::json::parse(response.body(), nullptr, false);
}

}  // namespace riptide::testing
