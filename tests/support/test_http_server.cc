#include "tests/support/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace riptide::testing {

namespace {

constexpr int kListenBacklog = 512;
constexpr size_t kReadChunkBytes = 16 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

bool has_header(const HttpResponse& response, std::string_view name) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [&](const auto& header) { return iequals(header.first, name); });
}

// Parses the request line and header fields of `head` (without the final CRLF CRLF).
bool parse_head(std::string_view head, HttpRequest& request) {
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  size_t first_space = line.find(' ');
  size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) return false;
  request.method = std::string(line.substr(0, first_space));
  request.target = std::string(line.substr(first_space + 1, last_space - first_space - 1));
  request.version = std::string(line.substr(last_space + 1));
  if (request.target.empty() || request.version.rfind("HTTP/1.", 0) != 0) return false;
  request.path = request.target.substr(0, request.target.find('?'));
  while (line_end != std::string_view::npos) {
    size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view field = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    request.headers.emplace_back(std::string(field.substr(0, colon)),
                                 std::string(trim(field.substr(colon + 1))));
  }
  return true;
}

HttpResponse not_found(const HttpRequest& request) {
  return html_response("<!doctype html><title>404</title><p>no route for " + request.path, 404);
}

HttpResponse error_response(int status) {
  HttpResponse response = html_response(std::string(reason_phrase(status)), status, "text/plain");
  response.close_after = true;
  return response;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

HttpResponse html_response(std::string body, int status, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  if (!content_type.empty()) response.headers.emplace_back("Content-Type", std::move(content_type));
  return response;
}

HttpResponse redirect_response(int status, std::string location) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

TestHttpServer::TestHttpServer(uint16_t port) : fallback_(not_found) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0)
    throw std::runtime_error("test http server: socket: " + std::string(strerror(errno)));
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, kListenBacklog) != 0) {
    std::string why = strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("test http server: bind/listen on 127.0.0.1:" + std::to_string(port) +
                             ": " + why);
  }
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread([this] { accept_loop(); });
}

TestHttpServer::~TestHttpServer() {
  stop();
}

void TestHttpServer::route(std::string path, HttpHandler handler) {
  std::lock_guard lock(routes_mutex_);
  routes_[std::move(path)] = std::move(handler);
}

void TestHttpServer::set_fallback(HttpHandler handler) {
  std::lock_guard lock(routes_mutex_);
  fallback_ = std::move(handler);
}

std::string TestHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<HttpRequest> TestHttpServer::requests() const {
  std::lock_guard lock(log_mutex_);
  return log_;
}

std::vector<HttpRequest> TestHttpServer::requests_for(std::string_view path) const {
  std::lock_guard lock(log_mutex_);
  std::vector<HttpRequest> matching;
  for (const HttpRequest& request : log_) {
    if (request.path == path) matching.push_back(request);
  }
  return matching;
}

size_t TestHttpServer::request_count() const {
  std::lock_guard lock(log_mutex_);
  return log_.size();
}

void TestHttpServer::clear_log() {
  std::lock_guard lock(log_mutex_);
  log_.clear();
}

void TestHttpServer::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    if (stopping_.exchange(true)) return;
  }
  stop_cv_.notify_all();
  // shutdown() wakes the thread blocked in accept()/recv(); the descriptors are closed only after
  // the threads are joined, so no thread ever uses a number the kernel has handed out again.
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listen_fd_);
  std::lock_guard lock(connections_mutex_);
  for (auto& connection : connections_) ::shutdown(connection->fd, SHUT_RDWR);
  for (auto& connection : connections_) {
    connection->thread.join();
    ::close(connection->fd);
  }
  connections_.clear();
}

bool TestHttpServer::wait_unless_stopping(std::chrono::milliseconds duration) {
  std::unique_lock lock(stop_mutex_);
  return !stop_cv_.wait_for(lock, duration, [this] { return stopping_.load(); });
}

void TestHttpServer::reap_finished_connections() {
  std::lock_guard lock(connections_mutex_);
  for (auto it = connections_.begin(); it != connections_.end();) {
    if ((*it)->done.load()) {
      (*it)->thread.join();
      ::close((*it)->fd);
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void TestHttpServer::accept_loop() {
  while (!stopping_.load()) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // the listener was shut down
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    reap_finished_connections();
    uint64_t id = connections_accepted_.fetch_add(1) + 1;
    std::lock_guard lock(connections_mutex_);
    if (stopping_.load()) {
      ::close(fd);
      return;
    }
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    Connection& ref = *connection;
    connections_.push_back(std::move(connection));
    ref.thread = std::thread([this, &ref, id] {
      serve(ref, id);
      // Tell the client we are done (FIN); the descriptor is closed by whoever joins us.
      ::shutdown(ref.fd, SHUT_RDWR);
      ref.done.store(true);
    });
  }
}

HttpHandler TestHttpServer::handler_for(const std::string& path) const {
  std::lock_guard lock(routes_mutex_);
  auto it = routes_.find(path);
  return it != routes_.end() ? it->second : fallback_;
}

void TestHttpServer::serve(Connection& connection, uint64_t id) {
  int fd = connection.fd;
  std::string buffer;
  char chunk[kReadChunkBytes];
  auto read_more = [&]() {
    ssize_t got;
    do {
      got = ::recv(fd, chunk, sizeof chunk, 0);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(got));
    return true;
  };
  auto respond = [&](const HttpRequest& request, const HttpResponse& response, bool close) {
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                       std::string(reason_phrase(response.status)) + "\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    if (response.chunked) {
      head += "Transfer-Encoding: chunked\r\n";
    } else if (!has_header(response, "Content-Length")) {
      head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    }
    if (close) head += "Connection: close\r\n";
    head += "\r\n";
    bool with_body = request.method != "HEAD";
    std::string_view body = with_body ? std::string_view(response.body) : std::string_view();
    // RFC 9112 7.1: each piece as "<hex size>\r\n<data>\r\n", then "0\r\n\r\n".
    auto frame = [&](std::string_view data) {
      if (!response.chunked) return std::string(data);
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", data.size());
      return size + std::string(data) + "\r\n";
    };
    std::string last_chunk = response.chunked && with_body ? "0\r\n\r\n" : "";
    if (response.dribble_bytes == 0) {
      return send_all(fd, head + (body.empty() ? "" : frame(body)) + last_chunk);
    }
    if (!send_all(fd, head)) return false;
    while (!body.empty()) {
      size_t n = std::min(response.dribble_bytes, body.size());
      if (!send_all(fd, frame(body.substr(0, n)))) return false;
      body.remove_prefix(n);
      if (!body.empty() && !wait_unless_stopping(response.dribble_interval)) return false;
    }
    return send_all(fd, last_chunk);
  };

  while (!stopping_.load()) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      // A method is upper-case letters: anything else (a TLS ClientHello to this plain port) is
      // answered at once instead of waiting for a CRLF CRLF that never comes.
      bool not_http = !buffer.empty() && (buffer[0] < 'A' || buffer[0] > 'Z');
      if (not_http) {
        HttpRequest request;
        respond(request, error_response(400), true);
        return;
      }
      if (buffer.size() > kMaxRequestHeaderBytes) {
        HttpRequest request;
        respond(request, error_response(431), true);
        return;
      }
      if (!read_more()) return;  // the client closed (or the server is stopping)
    }
    HttpRequest request;
    request.arrival = std::chrono::steady_clock::now();
    request.connection_id = id;
    if (head_end > kMaxRequestHeaderBytes ||
        !parse_head(std::string_view(buffer).substr(0, head_end), request)) {
      respond(request, error_response(400), true);
      return;
    }
    buffer.erase(0, head_end + 4);
    if (!request.header("Transfer-Encoding").empty()) {
      respond(request, error_response(501), true);  // chunked request bodies: not needed yet
      return;
    }
    std::string length_text = request.header("Content-Length");
    size_t body_length = 0;
    if (!length_text.empty()) {
      auto [end, ec] =
          std::from_chars(length_text.data(), length_text.data() + length_text.size(), body_length);
      if (ec != std::errc() || end != length_text.data() + length_text.size()) {
        respond(request, error_response(400), true);
        return;
      }
      if (body_length > kMaxRequestBodyBytes) {
        respond(request, error_response(413), true);
        return;
      }
    }
    while (buffer.size() < body_length) {
      if (!read_more()) return;
    }
    request.body = buffer.substr(0, body_length);
    buffer.erase(0, body_length);

    bool client_wants_close =
        iequals(request.header("Connection"), "close") ||
        (request.version == "HTTP/1.0" && !iequals(request.header("Connection"), "keep-alive"));
    {
      std::lock_guard lock(log_mutex_);
      log_.push_back(request);
    }
    HttpResponse response = handler_for(request.path)(request);
    if (response.delay.count() > 0 && !wait_unless_stopping(response.delay)) return;
    if (response.close_without_response) return;
    bool close = client_wants_close || response.close_after;
    if (!respond(request, response, close) || close) return;
  }
}

}  // namespace riptide::testing
