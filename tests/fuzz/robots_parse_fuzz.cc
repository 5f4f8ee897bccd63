// Fuzzes the robots.txt parser and matcher (crawl/robots.h, RFC 9309): robots.txt is whatever
// bytes a site serves. The first line of the input is the request path to judge, the rest the
// robots.txt body. Beyond not crashing or hanging: /robots.txt is always allowed, the path
// normalisation is idempotent and matching a path or its normal form gives the same answer,
// Crawl-delay stays within its clamp, and Sitemap values are single trimmed lines.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawl/robots.h"

namespace {

void check(bool condition, const char* what, std::string_view detail) {
  if (condition) return;
  std::fprintf(stderr, "robots_parse_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check_robots(const riptide::crawl::Robots& robots, std::string_view path) {
  using riptide::crawl::normalize_robots_path;
  check(robots.allowed("/robots.txt"), "/robots.txt disallowed", path);
  const std::string normal = normalize_robots_path(path);
  check(normalize_robots_path(normal) == normal, "normalisation not idempotent", path);
  if (path.find('#') == std::string_view::npos) {
    check(robots.allowed(path) == robots.allowed(normal), "normal form judged differently", path);
  }
  if (const std::optional<double> delay = robots.crawl_delay()) {
    check(*delay >= 0 && *delay <= riptide::crawl::kMaxCrawlDelaySeconds,
          "crawl-delay out of range", path);
  }
  for (const std::string& sitemap : robots.sitemaps()) {
    check(!sitemap.empty() && sitemap.find_first_of("\r\n#") == std::string::npos &&
              sitemap.front() != ' ' && sitemap.back() != ' ',
          "bad sitemap value", sitemap);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view path = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  riptide::crawl::Robots robots = riptide::crawl::Robots::parse(body);
  check_robots(robots, path);
  robots.set_product_token("*");
  check_robots(robots, path);
  // The whole input as a robots.txt, and through the status mapping.
  check_robots(riptide::crawl::Robots::parse(input), path);
  const riptide::crawl::RobotsPolicy policy = riptide::crawl::from_fetch(200, body);
  check(policy.allowed(path) == riptide::crawl::Robots::parse(body).allowed(path),
        "policy disagrees with robots", path);
  return 0;
}
