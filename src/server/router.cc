#include "server/router.h"

#include <cassert>
#include <utility>

namespace riptide::server {
namespace {

// Splits "/a/b/c" into {"a", "b", "c"}; "/" gives {""}; "/a/" gives {"a", ""}.
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Literal-segment positions of a match as a score: a literal at segment i is worth more than
// every later segment together, so the leftmost literal decides.
struct Score {
  std::vector<bool> literal;
  bool operator>(const Score& other) const { return literal > other.literal; }
};

// Whether a route's `pattern_segments` match `segments`; fills `params` and `score` when they do.
bool match_pattern(const std::vector<std::string>& pattern_segments,
                   const std::vector<std::string_view>& segments, std::vector<Header>* params,
                   Score* score) {
  if (pattern_segments.size() != segments.size()) return false;
  params->clear();
  score->literal.assign(segments.size(), false);
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string_view want(pattern_segments[i]);
    if (is_param(want)) {
      if (segments[i].empty()) return false;
      params->emplace_back(std::string(want.substr(1, want.size() - 2)), std::string(segments[i]));
    } else {
      if (want != segments[i]) return false;
      score->literal[i] = true;
    }
  }
  return true;
}

void append_method(std::string& allow, std::string_view method) {
  // Keeps the list free of duplicates ("GET" registered for two patterns matching one path).
  size_t pos = 0;
  while (pos < allow.size()) {
    size_t end = allow.find(", ", pos);
    if (end == std::string::npos) end = allow.size();
    if (std::string_view(allow).substr(pos, end - pos) == method) return;
    pos = end + 2;
  }
  if (!allow.empty()) allow += ", ";
  allow += method;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  for ([[maybe_unused]] std::string_view segment : split_segments(pattern)) {
    assert(segment != "{}");
  }
  for ([[maybe_unused]] const Route& route : routes_) {
    assert(!(route.method == method && route.pattern == pattern));
  }
  Route route;
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.access = access;
  route.handler = std::move(handler);
  route.index = routes_.size();
  for (std::string_view segment : split_segments(route.pattern)) {
    route.segments.emplace_back(segment);
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  std::vector<std::string_view> segments = split_segments(path);
  if (segments.empty()) return result;  // not origin-form ("*", "http://...")

  // HEAD is served by the GET route (without a body).
  std::string_view lookup = method == "HEAD" ? std::string_view("GET") : method;
  std::vector<Header> params;
  Score score;
  Score best_score;
  for (const Route& route : routes_) {
    if (!match_pattern(route.segments, segments, &params, &score)) continue;
    append_method(result.allow, route.method);
    if (route.method == "GET") append_method(result.allow, "HEAD");
    if (route.method != lookup) continue;
    if (result.route == nullptr || score > best_score) {
      result.route = &route;
      result.path_params = params;
      best_score = score;
    }
  }
  if (result.route != nullptr) {
    result.kind = Match::Kind::kFound;
  } else if (!result.allow.empty()) {
    result.kind = Match::Kind::kMethodNotAllowed;
  }
  return result;
}

}  // namespace riptide::server
