#pragma once

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string_view>

#include "server/config.h"
#include "server/http.h"
#include "server/router.h"

// The decisions the server makes about a request before any handler runs, as plain functions
// over Beast's parser (no sockets), so that the request fuzzer (tests/fuzz/http_request_fuzz.cc)
// runs exactly the server's code: limits, refusals, conversion to HttpRequest, routing.
// Internal to src/server and its tests.
namespace riptide::server {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Header and body limits from `config` (431 / 413 beyond them; the body limit is checked against
// Content-Length before the body is read, and counted for chunked bodies).
void apply_request_limits(RequestParser& parser, const ServerConfig& config);

enum class ReadFailure : uint8_t {
  kHeaderTooLarge,  // 431
  kBodyTooLarge,    // 413
  kMalformed,       // 400
  kGone,            // the client closed, reset or was too slow: nobody to answer
};
ReadFailure classify_read_error(boost::beast::error_code ec);
// The answer to a refused request (not kGone); the connection closes after it.
HttpResponse read_failure_response(ReadFailure failure, boost::beast::error_code ec,
                                   const ServerConfig& config, std::string_view request_id);

// The client's X-Request-Id is used when it is 1..kMaxRequestIdLength of [A-Za-z0-9._-].
bool sane_request_id(std::string_view id);

// method, target, path, query, version, headers and body (moved) of a parsed request.
HttpRequest to_http_request(boost::beast::http::request<boost::beast::http::string_body>&& request);

// What happens to a request: a route to run (after access control), or an answer the server
// gives itself: OPTIONS (204 with Allow, plus the CORS preflight headers when `cors_allowed`),
// 404 for an unknown path, 405 with Allow for a wrong method. Fills request.route and
// request.path_params when a route matches.
struct Routing {
  const Route* route = nullptr;
  std::optional<HttpResponse> answer;
};
Routing route_request(const Router& router, HttpRequest& request, bool cors_allowed);

inline constexpr std::string_view kCorsAllowHeaders = "Authorization, Content-Type, X-Request-Id";
inline constexpr int kCorsMaxAgeSeconds = 600;

}  // namespace riptide::server
