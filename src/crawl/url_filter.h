#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "url/url.h"

// Which URLs a crawl may visit, and under which name: canonicalisation on top of url::normalize,
// the scope around the seeds, include/exclude patterns and per-path budgets. Behaviour and the
// pattern syntax: docs/crawl.md, "Frontier".
namespace riptide::crawl {

// The longest path+query a crawl URL may have; longer ones are refused (kTooLong). It also bounds
// the subject, hence the cost, of every pattern match.
inline constexpr size_t kMaxCrawlPathBytes = 2048;
// The longest include/exclude/budget pattern accepted: matching costs O(subject × pattern).
inline constexpr size_t kMaxPatternBytes = 256;
// Most patterns of each kind (include, exclude, budgets): each URL is matched against all.
inline constexpr size_t kMaxPatterns = 256;

// Tracking parameters removed by default (ASCII case-insensitive; a trailing '*' is a prefix).
inline constexpr std::string_view kDefaultTrackingParameters[] = {
    "utm_*", "gclid",  "fbclid", "msclkid", "dclid", "gbraid", "wbraid",
    "yclid", "mc_cid", "mc_eid", "_ga",     "_gl",   "igshid", "ref_src",
};

enum class Scope : uint8_t {
  kHost,        // exactly a seed's host name (any port, http or https)
  kDomain,      // a seed's registrable domain (registrable_domain below) and everything under it
  kSubdomains,  // a seed's host name and its subdomains ("docs.a.com" under seed "a.com")
};

// "host" | "domain" | "subdomains" (the CLI's --scope values).
std::optional<Scope> parse_scope(std::string_view name);
std::string_view scope_name(Scope scope);

// The registrable domain of a host name, by a heuristic (there is no public-suffix list in the
// tree): the last two labels, or the last three when the top-level label has two letters (a
// country code) and the second-level label is one of com/co/org/net/ac/gov/edu ("bbc.co.uk",
// "x.com.au"). IP addresses and single-label hosts are their own domain. Limits: wrong for
// private suffixes ("a.github.io" and "b.github.io" count as one site), for country second levels
// outside that list ("kyoto.jp", "nhs.uk": "nhs.uk" is treated as registrable) and for
// three-letter generic second levels such as "gv.at" only by luck.
std::string_view registrable_domain(std::string_view host);

// One include/exclude/budget pattern, matched against a URL's path plus query ("/a/b?x=1").
// - "re:<ECMAScript regex>": searched (not anchored; write ^ and $ to anchor), compiled once,
//   matched without backtracking (linear in the subject; back-references are refused).
// - anything else is a glob over the whole path+query: '*' matches any run of characters,
//   '/' and '?' included ("**" means the same, for people used to it); every other character
//   is literal. "/blog/*" matches "/blog/", "/blog/a/b" and "/blog/a?page=2".
class UrlPattern {
 public:
  // Fails (kInvalidArgument) on an empty or over-long pattern or a regex std::regex rejects.
  static Result<UrlPattern> compile(std::string_view pattern);

  UrlPattern(UrlPattern&&) noexcept;
  UrlPattern& operator=(UrlPattern&&) noexcept;
  ~UrlPattern();

  // `path_and_query` is at most kMaxCrawlPathBytes long (longer URLs are refused before). A regex
  // that fails while matching (std::regex_error) counts as matching, so an exclude pattern errs
  // on the side of not crawling.
  bool matches(std::string_view path_and_query) const;
  const std::string& text() const { return text_; }

 private:
  struct Regex;
  UrlPattern() = default;

  std::string text_;
  std::string glob_;              // the glob, when not a regex
  std::unique_ptr<Regex> regex_;  // the compiled regex, for "re:" patterns
};

struct PathBudget {
  std::string pattern;  // a UrlPattern
  uint64_t max_pages = 0;
};

struct UrlFilterConfig {
  Scope scope = Scope::kHost;
  // Empty: everything in scope. Otherwise a URL must match at least one.
  std::vector<std::string> include;
  // A URL matching any of these is refused, whatever `include` says.
  std::vector<std::string> exclude;
  bool remove_tracking_parameters = true;
  std::vector<std::string> tracking_parameters{std::begin(kDefaultTrackingParameters),
                                               std::end(kDefaultTrackingParameters)};
  // At most max_pages URLs matching a pattern are admitted; for a URL matching several, the
  // longest pattern (in characters) applies.
  std::vector<PathBudget> budgets;
};

enum class Verdict : uint8_t {
  kAccepted,
  kInvalid,      // not an absolute http(s) URL
  kTooLong,      // path+query longer than kMaxCrawlPathBytes
  kOutOfScope,   // outside the scope around the seeds
  kExcluded,     // matched an exclude pattern
  kNotIncluded,  // include patterns given, none matched
};
std::string_view verdict_name(Verdict verdict);

// Immutable after creation, so it is safe to share between threads.
class UrlFilter {
 public:
  // The seeds are the scope roots (already canonical or not). Fails (kInvalidArgument) on a bad
  // pattern, too many patterns, a seed that is not an absolute http(s) URL, or no seed.
  static Result<UrlFilter> create(UrlFilterConfig config, std::span<const std::string> seeds);

  // The crawl's name for `link` resolved against `base` (nullptr: `link` must be absolute):
  // url::normalize with the fragment and the configured tracking parameters removed. Fails
  // (kInvalidArgument) unless the result is an http(s) URL with a host.
  Result<url::Url> canonicalize(std::string_view link, const url::Url* base = nullptr) const;

  // Scope, length and include/exclude checks on a canonical URL (exclude wins over include).
  Verdict check(const url::Url& canonical) const;
  // check() without the include/exclude patterns (seeds bypass them: they are always fetched).
  Verdict check_scope(const url::Url& canonical) const;

  // The index into config().budgets of the budget that applies to `canonical`, if any.
  std::optional<size_t> budget_for(const url::Url& canonical) const;

  const UrlFilterConfig& config() const { return config_; }
  // The canonical seeds, with the redirect targets extend_scope() added (a copy: thread-safe).
  std::vector<std::string> seeds() const;
  bool is_seed(std::string_view canonical_href) const;

  // Makes `canonical` a seed too and its host (its registrable domain under kDomain) part of the
  // scope: for a seed that redirects to another host name ("http://a.com" → "https://www.a.com/"),
  // whose links would otherwise all be out of scope. Thread-safe against the checks above.
  void extend_scope(const url::Url& canonical);

 private:
  UrlFilter() = default;

  UrlFilterConfig config_;
  std::string scope_root(const url::Url& canonical) const;

  // Guards seeds_ and scope_roots_, which extend_scope() may grow during a crawl (a pointer so
  // the filter stays movable).
  std::unique_ptr<std::shared_mutex> roots_mutex_ = std::make_unique<std::shared_mutex>();
  std::vector<std::string> seeds_;        // canonical seed URLs
  std::vector<std::string> scope_roots_;  // host names or registrable domains, per scope
  std::vector<UrlPattern> include_;
  std::vector<UrlPattern> exclude_;
  std::vector<UrlPattern> budgets_;
};

// The path plus query of `url` ("/a?b=1"), what patterns are matched against.
std::string_view path_and_query(const url::Url& url);

}  // namespace riptide::crawl
