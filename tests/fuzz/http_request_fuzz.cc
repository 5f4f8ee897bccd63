// Fuzzes what the server does with raw request bytes before a handler runs
// (server/request_dispatch.h): Beast's request parser with the server's limits, the refusal for
// a failed parse (400/413/431), the conversion to HttpRequest, the header/query/path accessors
// and the router (404/405/OPTIONS and {param} routes). The input is split in two at a point
// chosen by its first byte, as a client's bytes arrive in pieces, and fed like the server feeds
// the parser. Invariants: a refusal is 400, 413 or 431 with a JSON error body; a routed request
// matches its route's method and pattern; an answered one is 204, 404 or 405.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/request_dispatch.h"

namespace {

namespace http = boost::beast::http;
using riptide::server::Access;
using riptide::server::HttpRequest;
using riptide::server::HttpResponse;
using riptide::server::ReadFailure;

// Small limits so that the fuzzer reaches them with short inputs.
constexpr size_t kFuzzMaxHeaderBytes = 1024;
constexpr size_t kFuzzMaxBodyBytes = 4096;

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "http_request_fuzz: %s\n", what);
  std::abort();
}

const riptide::server::Router& router() {
  static const riptide::server::Router routes = [] {
    riptide::server::Router r;
    auto none = [](HttpRequest, std::shared_ptr<riptide::server::ResponseWriter>) {};
    r.add("GET", "/health/live", Access::kPublic, none);
    r.add("POST", "/v1/extract", Access::kKey, none);
    r.add("POST", "/v1/batch", Access::kKey, none);
    r.add("GET", "/v1/crawl/{id}", Access::kKey, none);
    r.add("DELETE", "/v1/crawl/{id}", Access::kKey, none);
    r.add("GET", "/v1/crawl/{id}/pages/{page}", Access::kKey, none);
    r.add("POST", "/api/auth/keys", Access::kAdmin, none);
    return r;
  }();
  return routes;
}

void check_error_body(const HttpResponse& response) {
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  check(!body.is_discarded() && body["error"].is_object(), "error body is not JSON");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  riptide::server::ServerConfig config;
  config.max_header_bytes = kFuzzMaxHeaderBytes;
  config.max_body_bytes = kFuzzMaxBodyBytes;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t split = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);

  riptide::server::RequestParser parser;
  riptide::server::apply_request_limits(parser, config);
  boost::beast::error_code ec;
  std::string buffered;
  for (std::string_view piece : {bytes.substr(0, split), bytes.substr(split)}) {
    buffered.append(piece);
    while (!ec && !buffered.empty() && !parser.is_done()) {
      size_t used = parser.put(boost::asio::buffer(buffered.data(), buffered.size()), ec);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      buffered.erase(0, used);
      if (used == 0) break;
    }
    if (ec) break;
  }
  if (!ec && !parser.is_done()) {
    parser.put_eof(ec);  // the client closed: a close-delimited request cannot exist
    if (!ec && !parser.is_done()) return 0;
  }

  if (ec) {
    ReadFailure failure = riptide::server::classify_read_error(ec);
    if (failure == ReadFailure::kGone) return 0;
    HttpResponse response =
        riptide::server::read_failure_response(failure, ec, config, "fuzz-request");
    check(response.status == 400 || response.status == 413 || response.status == 431,
          "refusal status");
    check(failure != ReadFailure::kBodyTooLarge || response.status == 413, "body limit not 413");
    check_error_body(response);
    return 0;
  }

  HttpRequest request = riptide::server::to_http_request(parser.release());
  check(request.body.size() <= kFuzzMaxBodyBytes, "body over the limit was accepted");
  check(request.target.compare(0, request.path.size(), request.path) == 0, "path not a prefix");
  request.request_id = riptide::server::sane_request_id(request.header("x-request-id"))
                           ? std::string(request.header("x-request-id"))
                           : std::string("fresh");
  (void)request.query_param("url");
  (void)request.query_param(request.query);
  (void)request.has_header("authorization");

  riptide::server::Routing routing =
      riptide::server::route_request(router(), request, !request.header("origin").empty());
  if (routing.route != nullptr) {
    check(!routing.answer, "both a route and an answer");
    check(routing.route->method == request.method ||
              (request.method == "HEAD" && routing.route->method == "GET"),
          "route method differs");
    check(request.route == routing.route->pattern, "route label not set");
    for (const auto& param : request.path_params) {
      check(!param.second.empty() && param.second.find('/') == std::string::npos,
            "path parameter empty or spans segments");
      check(request.path_param(param.first) == param.second, "path_param lookup");
    }
  } else {
    check(routing.answer.has_value(), "neither a route nor an answer");
    unsigned status = routing.answer->status;
    check(status == 204 || status == 404 || status == 405, "answer status");
    if (status != 204) check_error_body(*routing.answer);
  }
  return 0;
}
