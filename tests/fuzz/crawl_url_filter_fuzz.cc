// Fuzzes what crawl users and crawled pages control: include/exclude/budget patterns (the first
// line of the input, as a glob or an "re:" regex) and links (the rest, resolved against a page).
// Any pattern must compile or fail cleanly, and match without crashing or hanging; a pattern
// without '*' that is not a regex matches exactly itself; canonicalisation must be idempotent and
// a canonical URL's verdict must not change when it is canonicalised again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "crawl/url_filter.h"

namespace {

void check(bool condition, const char* what, std::string_view detail) {
  if (condition) return;
  std::fprintf(stderr, "crawl_url_filter_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using riptide::crawl::UrlFilter;
  using riptide::crawl::UrlPattern;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view pattern = input.substr(0, newline);
  const std::string_view link =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const std::string_view subject = link.substr(0, riptide::crawl::kMaxCrawlPathBytes);

  auto compiled = UrlPattern::compile(pattern);
  if (compiled.ok()) {
    const bool matched = compiled->matches(subject);
    if (!pattern.starts_with("re:") && pattern.find('*') == std::string_view::npos) {
      check(matched == (pattern == subject), "a literal glob must match exactly itself", pattern);
    }
  }

  riptide::crawl::UrlFilterConfig config;
  config.scope = riptide::crawl::Scope::kSubdomains;
  if (compiled.ok()) config.exclude.emplace_back(pattern);
  auto filter = UrlFilter::create(config, std::vector<std::string>{"https://example.com/a/"});
  check(filter.ok() || !compiled.ok(), "a filter with a valid pattern must build", pattern);
  if (!filter.ok()) return 0;
  auto base = riptide::url::parse("https://www.example.com/dir/page?x=1");
  auto url = filter->canonicalize(link, &*base);
  if (!url.ok()) return 0;
  auto again = filter->canonicalize(url->href());
  check(again.ok(), "a canonical URL must canonicalise", url->href());
  check(again->href() == url->href(), "canonicalisation is not idempotent", url->href());
  check(filter->check(*url) == filter->check(*again), "verdict changed", url->href());
  (void)riptide::crawl::registrable_domain(url->hostname());
  return 0;
}
