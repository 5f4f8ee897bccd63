#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

// Maps (method, path) to a handler. Patterns are literal paths whose segments may be `{name}`,
// which matches one non-empty segment ("/v1/crawl/{id}" matches "/v1/crawl/abc", not
// "/v1/crawl/" or "/v1/crawl/a/b"). Literal segments are compared exactly (case-sensitive, no
// percent-decoding, a trailing '/' matters). When several patterns match, the one with the most
// literal segments (leftmost first) wins, so "/v1/crawl/active" beats "/v1/crawl/{id}".
// Routes are added before the server starts; matching is then read-only and thread-safe.
namespace riptide::server {

struct Route {
  std::string method;
  std::string pattern;  // also the route's metrics and log label
  Access access = Access::kPublic;
  Handler handler;
  size_t index = 0;  // position in Router::routes(), for per-route metrics
  // The pattern split at '/' once, when the route is added (matching runs per request).
  std::vector<std::string> segments;
};

class Router {
 public:
  // Adds a route. Adding the same (method, pattern) twice, or a pattern that does not start
  // with '/' or has an empty segment name ("{}"), is a programming error (asserts).
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    enum class Kind : uint8_t { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Route* route = nullptr;     // kFound
    std::vector<Header> path_params;  // kFound: {name, value} per {name} segment
    // kMethodNotAllowed, and kFound too: the methods the path supports, "GET, HEAD, POST"
    // style, for Allow and CORS preflight. HEAD is implied by GET (answered without a body).
    std::string allow;
  };
  // `path` is the request path without the query.
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace riptide::server
