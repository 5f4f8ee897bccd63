#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

// robots.txt per RFC 9309 (Robots Exclusion Protocol): parsing, group selection for our product
// token, and the allow/disallow decision for a URL's path and query. What is honoured, and what
// is not, is summarised in docs/crawl.md ("robots.txt").
namespace riptide::crawl {

// RFC 9309 2.5: crawlers must parse at least the first 500 KiB. We parse exactly that much and
// ignore the rest (the line cut by the limit included, see Robots::parse).
inline constexpr size_t kMaxRobotsBytes = 500 * 1024;

// The product token we look for in user-agent lines (RFC 9309 2.2.1). It is the token of the
// fetcher's User-Agent header ("... riptide/0.1 ...").
inline constexpr std::string_view kProductToken = "riptide";

// Crawl-delay is not part of RFC 9309; we honour it per group, in (decimal) seconds, but never
// wait longer than this between two requests to a host: a site asking for more is still crawled,
// just at this pace. Operators can lower the pace further in the crawl configuration.
inline constexpr double kMaxCrawlDelaySeconds = 60.0;

// RFC 9309 2.3.1.4: while robots.txt is unreachable (5xx, network error) the crawler must assume
// a complete disallow. It asks again after this long (per host).
inline constexpr std::chrono::seconds kUnreachableRetry = std::chrono::minutes(10);

// RFC 9309 2.4: a cached robots.txt should not be used for more than 24 hours.
inline constexpr std::chrono::seconds kRobotsCacheTtl = std::chrono::hours(24);

// RFC 9309 2.3.1.2: crawlers should follow at least five consecutive redirects when fetching
// robots.txt and may treat more as "unavailable". The crawler sets FetchConfig::max_redirects to
// this for robots.txt; a 3xx that still reaches from_fetch() counts as unavailable (allow all).
inline constexpr uint32_t kMaxRobotsRedirects = 5;

// One parsed robots.txt. Cheap to query: the rules of the groups that apply to the product token
// are selected and sorted once (at parse, or when the token changes), so allowed() only
// normalises the path and scans those rules, longest first. Copyable and movable; owns its data.
class Robots {
 public:
  // An empty file: no groups, everything allowed.
  Robots() = default;

  // Parses robots.txt `body` (any bytes: a UTF-8 BOM, CR / LF / CRLF line ends, comments and
  // garbage lines are all handled) and selects the groups for `product_token`. Never fails;
  // only the first kMaxRobotsBytes are read.
  static Robots parse(std::string_view body, std::string_view product_token = kProductToken);

  // Re-selects the groups for another product token (RFC 9309 2.2.1: matched case-insensitively).
  void set_product_token(std::string_view product_token);

  // RFC 9309 2.2.2: may the crawler fetch `path_and_query` (the URL's path plus "?query", as
  // sent in the request line; a "#fragment" is ignored, an empty string means "/")? The longest
  // matching rule decides, an allow rule wins a tie, no matching rule means allowed, and
  // "/robots.txt" is always allowed.
  bool allowed(std::string_view path_and_query) const;

  // Crawl-delay of the selected groups in seconds, clamped to [0, kMaxCrawlDelaySeconds]; the
  // largest when several selected groups give one. nullopt when none does.
  std::optional<double> crawl_delay() const { return crawl_delay_; }

  // Every "Sitemap:" value in the file (RFC 9309 2.2.4: not tied to any group), in file order,
  // without duplicates. Values are not validated as URLs here.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }

  // True when a group names `product_token` itself (not just "*"); for logging and tests.
  bool has_specific_group() const { return specific_group_; }

 private:
  // A rule's path pattern, compiled once (RFC 9309 2.2.3 special characters): the literal pieces
  // between "*" wildcards, already in the normalised percent-encoding form, and whether the
  // pattern ended with the "$" anchor.
  struct Rule {
    bool allow = false;
    bool anchored = false;
    size_t length = 0;  // octets of the normalised pattern, for "longest match" (2.2.2)
    std::vector<std::string> pieces;
  };
  struct Group {
    std::vector<std::string> agents;  // product tokens as written; "*" for the wildcard group
    std::vector<Rule> rules;
    std::optional<double> crawl_delay;
  };

  static Rule compile_rule(bool allow, std::string_view pattern);
  static bool matches(const Rule& rule, std::string_view path);
  void select_groups();

  std::vector<Group> groups_;
  std::string product_token_{kProductToken};
  // Copies of the rules that apply, longest first and allow before disallow at equal length
  // (copies, so that a copied Robots never points into another one's groups).
  std::vector<Rule> selected_;
  std::optional<double> crawl_delay_;
  std::vector<std::string> sitemaps_;
  bool specific_group_ = false;
};

// Which robots.txt answer a policy came from (RFC 9309 2.3.1).
enum class RobotsSource : uint8_t {
  kParsed,       // 2xx: the body was parsed
  kUnavailable,  // 4xx (including 404) or too many redirects: everything allowed (2.3.1.3)
  kUnreachable,  // 5xx, 429 or a network error: everything disallowed (2.3.1.4)
};

// What the crawler does with one host's robots.txt fetch.
struct RobotsPolicy {
  RobotsSource source = RobotsSource::kUnavailable;
  Robots robots;  // meaningful for kParsed only
  // When to fetch robots.txt again: kUnreachableRetry for kUnreachable, kRobotsCacheTtl otherwise.
  std::chrono::seconds refetch_after = kRobotsCacheTtl;
  // Why a policy is kUnreachable when no server answered (the fetch error: DNS, timeout, the
  // SSRF guard's kBlockedAddress, ...); unset when a status decided it. Lets the crawler report
  // a refused address as such instead of as a robots.txt verdict.
  std::optional<Error> fetch_error;

  bool allowed(std::string_view path_and_query) const;
  std::optional<double> crawl_delay() const;
};

// Maps a robots.txt fetch to a policy (a pure function: the crawler does the fetching). `status`
// is the HTTP status of the final response, or 0 when there was none (DNS failure, refused
// connection, timeout, TLS error). 2xx parses `body`; 3xx (the fetcher already followed
// kMaxRobotsRedirects) and 4xx allow everything; 429, 5xx, 0 and anything else (1xx, nonsense)
// disallow everything for kUnreachableRetry. 429 is treated like 5xx although it falls in RFC
// 9309's 4xx "unavailable" range: it says "slow down", and crawling the whole site is the
// opposite.
RobotsPolicy from_fetch(int status, std::string_view body,
                        std::string_view product_token = kProductToken);

// RFC 9309 2.2.2 percent-encoding normalisation, exposed for tests: the form in which rule
// patterns and request paths are compared. Octets that need encoding (non-ASCII, controls,
// space, and "\"<>\\^`{|}") are encoded, escapes of every other octet are decoded, except the
// octets that delimit the component they are in: "/" and "?" in the path, "&", "=", "+" and ";"
// in the query ("/a%2Fb" and "/a/b" stay different resources), and "%" and "#" anywhere. Hex
// digits are upper-cased. A "%" not followed by two hex digits becomes "%25". Idempotent.
std::string normalize_robots_path(std::string_view path_and_query);

}  // namespace riptide::crawl
