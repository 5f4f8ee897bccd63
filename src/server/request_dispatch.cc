#include "server/request_dispatch.h"

#include <fmt/format.h>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace riptide::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

void apply_request_limits(RequestParser& parser, const ServerConfig& config) {
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(config.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(config.max_body_bytes);
}

ReadFailure classify_read_error(beast::error_code ec) {
  if (ec == http::error::header_limit) return ReadFailure::kHeaderTooLarge;
  if (ec == http::error::body_limit) return ReadFailure::kBodyTooLarge;
  // An incomplete message is the client leaving, not a malformed one.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == http::error::need_more) {
    return ReadFailure::kGone;
  }
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return ReadFailure::kMalformed;
  }
  return ReadFailure::kGone;  // timeout, eof, reset, aborted
}

HttpResponse read_failure_response(ReadFailure failure, beast::error_code ec,
                                   const ServerConfig& config, std::string_view request_id) {
  switch (failure) {
    case ReadFailure::kHeaderTooLarge:
      return error_response(431, "header_too_large",
                            fmt::format("request header exceeds {} bytes", config.max_header_bytes),
                            request_id);
    case ReadFailure::kBodyTooLarge:
      return error_response(413, "payload_too_large",
                            fmt::format("request body exceeds {} bytes", config.max_body_bytes),
                            request_id);
    case ReadFailure::kMalformed:
    case ReadFailure::kGone:
      break;
  }
  return error_response(400, "bad_request", "malformed HTTP request: " + ec.message(), request_id);
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

HttpRequest to_http_request(http::request<http::string_body>&& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  request.version = req.version();
  request.headers.reserve(16);
  for (const auto& field : req.base()) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(req.body());
  return request;
}

Routing route_request(const Router& router, HttpRequest& request, bool cors_allowed) {
  Routing routing;
  // CORS preflight (and plain OPTIONS): the methods the path supports.
  if (request.method == "OPTIONS") {
    Router::Match match = router.match("OPTIONS", request.path);
    if (match.allow.empty()) {
      routing.answer =
          error_response(404, "not_found", "no route for " + request.path, request.request_id);
      return routing;
    }
    HttpResponse response;
    response.status = 204;
    response.headers.emplace_back("Allow", match.allow + ", OPTIONS");
    if (cors_allowed) {
      response.headers.emplace_back("Access-Control-Allow-Methods", match.allow + ", OPTIONS");
      response.headers.emplace_back("Access-Control-Allow-Headers", std::string(kCorsAllowHeaders));
      response.headers.emplace_back("Access-Control-Max-Age", std::to_string(kCorsMaxAgeSeconds));
    }
    routing.answer = std::move(response);
    return routing;
  }

  Router::Match match = router.match(request.method, request.path);
  switch (match.kind) {
    case Router::Match::Kind::kNotFound:
      routing.answer =
          error_response(404, "not_found", "no route for " + request.method + " " + request.path,
                         request.request_id);
      break;
    case Router::Match::Kind::kMethodNotAllowed: {
      HttpResponse response = error_response(
          405, "method_not_allowed",
          request.method + " is not allowed on " + request.path + " (allowed: " + match.allow + ")",
          request.request_id);
      response.headers.emplace_back("Allow", match.allow);
      routing.answer = std::move(response);
      break;
    }
    case Router::Match::Kind::kFound:
      routing.route = match.route;
      request.route = match.route->pattern;
      request.path_params = std::move(match.path_params);
      break;
  }
  return routing;
}

}  // namespace riptide::server
