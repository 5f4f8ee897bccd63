#include "crawl/url_filter.h"

#include <algorithm>
#include <mutex>
#include <regex>
#include <shared_mutex>

#include "core/strings.h"
#include "url/normalize.h"

namespace riptide::crawl {
namespace {

bool is_http(const url::Url& url) {
  return (url.scheme_type() == url::Scheme::kHttp || url.scheme_type() == url::Scheme::kHttps) &&
         !url.hostname().empty();
}

// After URL parsing a host is an IPv6 literal ("[...]"), or a domain, or an IPv4 address in
// dotted decimal: the parser turns every host whose last label is a number into IPv4.
bool is_ip_address(std::string_view host) {
  if (host.empty() || host.front() == '[') return true;
  const std::string_view last = host.substr(host.rfind('.') + 1);
  return !last.empty() && str::parse_uint(last).has_value();
}

// Second-level labels under which country-code TLDs register names ("bbc.co.uk").
constexpr std::string_view kGenericSecondLevels[] = {"com", "co", "org", "net", "ac", "gov", "edu"};

bool is_subdomain_or_same(std::string_view host, std::string_view root) {
  if (host == root) return true;
  return host.size() > root.size() && host.ends_with(root) &&
         host[host.size() - root.size() - 1] == '.';
}

// '*' matches any run of characters; iterative with one backtrack point (the last '*'), so the
// cost is O(pattern × subject) at worst and there is no recursion.
bool glob_matches(std::string_view glob, std::string_view text) {
  size_t g = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t star_text = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_text = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

Result<std::vector<UrlPattern>> compile_all(const std::vector<std::string>& patterns,
                                            std::string_view what) {
  if (patterns.size() > kMaxPatterns) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) + ": more than " + std::to_string(kMaxPatterns) + " patterns");
  }
  std::vector<UrlPattern> out;
  out.reserve(patterns.size());
  for (const std::string& p : patterns) {
    auto compiled = UrlPattern::compile(p);
    if (!compiled.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + ": " + compiled.error().message());
    }
    out.push_back(std::move(compiled).value());
  }
  return out;
}

}  // namespace

std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "host") return Scope::kHost;
  if (name == "domain") return Scope::kDomain;
  if (name == "subdomains") return Scope::kSubdomains;
  return std::nullopt;
}

std::string_view scope_name(Scope scope) {
  switch (scope) {
    case Scope::kHost:
      return "host";
    case Scope::kDomain:
      return "domain";
    case Scope::kSubdomains:
      return "subdomains";
  }
  return "host";
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kInvalid:
      return "invalid";
    case Verdict::kTooLong:
      return "too_long";
    case Verdict::kOutOfScope:
      return "out_of_scope";
    case Verdict::kExcluded:
      return "excluded";
    case Verdict::kNotIncluded:
      return "not_included";
  }
  return "invalid";
}

std::string_view registrable_domain(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "a.com." names "a.com"
  if (is_ip_address(host)) return host;
  const size_t last_dot = host.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return host;
  const size_t second_dot = host.rfind('.', last_dot - 1);
  if (second_dot == std::string_view::npos) return host;
  const std::string_view tld = host.substr(last_dot + 1);
  const std::string_view second = host.substr(second_dot + 1, last_dot - second_dot - 1);
  bool three_labels = false;
  if (tld.size() == 2) {
    for (std::string_view generic : kGenericSecondLevels) three_labels |= second == generic;
  }
  if (!three_labels) return host.substr(second_dot + 1);
  if (second_dot == 0) return host;
  const size_t third_dot = host.rfind('.', second_dot - 1);
  return third_dot == std::string_view::npos ? host : host.substr(third_dot + 1);
}

std::string_view path_and_query(const url::Url& url) {
  const std::string_view href = url.href_without_fragment();
  const size_t tail = url.pathname().size() + (url.has_query() ? 1 + url.query().size() : 0);
  return href.substr(href.size() - tail);
}

// ---- UrlPattern ----

// libstdc++'s polynomial mode (an extension) runs the regex as a breadth-first NFA simulation
// instead of backtracking: time O(subject × pattern) whatever the pattern, so "(a+)+$" or
// "a*a*a*a*b" cannot blow up on a crawled URL. It refuses back-references (error_complexity).
#ifndef __GLIBCXX__
#error "crawl/url_filter.cc relies on libstdc++'s std::regex_constants::__polynomial"
#endif
constexpr std::regex::flag_type kRegexFlags =
    std::regex::ECMAScript | std::regex::optimize | std::regex_constants::__polynomial;

struct UrlPattern::Regex {
  std::regex re;
};

UrlPattern::UrlPattern(UrlPattern&&) noexcept = default;
UrlPattern& UrlPattern::operator=(UrlPattern&&) noexcept = default;
UrlPattern::~UrlPattern() = default;

Result<UrlPattern> UrlPattern::compile(std::string_view pattern) {
  static constexpr std::string_view kRegexPrefix = "re:";
  if (pattern.empty()) return Error(ErrorCode::kInvalidArgument, "empty URL pattern");
  if (pattern.size() > kMaxPatternBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "URL pattern longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  UrlPattern out;
  out.text_ = std::string(pattern);
  if (!pattern.starts_with(kRegexPrefix)) {
    out.glob_ = out.text_;
    return out;
  }
  const std::string source(pattern.substr(kRegexPrefix.size()));
  if (source.empty()) return Error(ErrorCode::kInvalidArgument, "empty regex in URL pattern");
  try {
    // The pattern alone first: the wrapped form below would accept some invalid patterns
    // ("a)(b" becomes "(?:a)(b)").
    (void)std::regex(source, kRegexFlags);
    // A search is a full match of "anything, the pattern, anything": in polynomial mode that is
    // one linear pass, where regex_search would restart the automaton at every position.
    // '^' and '$' keep their meaning: without multiline they assert the subject's ends.
    out.regex_ = std::make_unique<Regex>(
        Regex{std::regex("[\\s\\S]*(?:" + source + ")[\\s\\S]*", kRegexFlags)});
  } catch (const std::regex_error& e) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid regex \"" + source + "\" in URL pattern: " + e.what());
  }
  return out;
}

bool UrlPattern::matches(std::string_view subject) const {
  if (!regex_) return glob_matches(glob_, subject);
  try {
    return std::regex_match(subject.begin(), subject.end(), regex_->re);
  } catch (const std::regex_error&) {
    return true;
  }
}

// ---- UrlFilter ----

Result<UrlFilter> UrlFilter::create(UrlFilterConfig config, std::span<const std::string> seeds) {
  UrlFilter filter;
  auto include = compile_all(config.include, "include");
  if (!include.ok()) return include.error();
  auto exclude = compile_all(config.exclude, "exclude");
  if (!exclude.ok()) return exclude.error();
  std::vector<std::string> budget_patterns;
  for (const PathBudget& b : config.budgets) budget_patterns.push_back(b.pattern);
  auto budgets = compile_all(budget_patterns, "budget");
  if (!budgets.ok()) return budgets.error();
  filter.include_ = std::move(include).value();
  filter.exclude_ = std::move(exclude).value();
  filter.budgets_ = std::move(budgets).value();
  filter.config_ = std::move(config);

  if (seeds.empty()) return Error(ErrorCode::kInvalidArgument, "a crawl needs at least one seed");
  for (const std::string& seed : seeds) {
    auto canonical = filter.canonicalize(seed);
    if (!canonical.ok()) return canonical.error();
    filter.seeds_.emplace_back(canonical->href());
    filter.scope_roots_.push_back(filter.scope_root(*canonical));
  }
  return filter;
}

std::string UrlFilter::scope_root(const url::Url& canonical) const {
  std::string_view host = canonical.hostname();
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return std::string(config_.scope == Scope::kDomain ? registrable_domain(host) : host);
}

std::vector<std::string> UrlFilter::seeds() const {
  std::shared_lock lock(*roots_mutex_);
  return seeds_;
}

bool UrlFilter::is_seed(std::string_view canonical_href) const {
  std::shared_lock lock(*roots_mutex_);
  return std::find(seeds_.begin(), seeds_.end(), canonical_href) != seeds_.end();
}

void UrlFilter::extend_scope(const url::Url& canonical) {
  std::string root = scope_root(canonical);
  std::unique_lock lock(*roots_mutex_);
  std::string href(canonical.href());
  if (std::find(seeds_.begin(), seeds_.end(), href) == seeds_.end()) seeds_.push_back(href);
  if (std::find(scope_roots_.begin(), scope_roots_.end(), root) == scope_roots_.end()) {
    scope_roots_.push_back(std::move(root));
  }
}

Result<url::Url> UrlFilter::canonicalize(std::string_view link, const url::Url* base) const {
  auto parsed = url::parse(link, base);
  if (!parsed.ok() || !is_http(*parsed)) {
    return Error(ErrorCode::kInvalidArgument,
                 "not an absolute http(s) URL: " + std::string(link.substr(0, 200)));
  }
  std::vector<std::string_view> tracking(config_.tracking_parameters.begin(),
                                         config_.tracking_parameters.end());
  url::NormalizeOptions options;
  options.remove_fragment = true;
  options.remove_tracking_parameters = config_.remove_tracking_parameters && !tracking.empty();
  options.tracking_parameters = tracking;
  return url::normalize(*parsed, options);
}

Verdict UrlFilter::check_scope(const url::Url& canonical) const {
  if (!is_http(canonical)) return Verdict::kInvalid;
  if (path_and_query(canonical).size() > kMaxCrawlPathBytes) return Verdict::kTooLong;
  std::string_view host = canonical.hostname();
  if (host.back() == '.') host.remove_suffix(1);
  std::shared_lock lock(*roots_mutex_);
  for (const std::string& root : scope_roots_) {
    const bool in_scope =
        config_.scope == Scope::kHost ? host == root : is_subdomain_or_same(host, root);
    if (in_scope) return Verdict::kAccepted;
  }
  return Verdict::kOutOfScope;
}

Verdict UrlFilter::check(const url::Url& canonical) const {
  const Verdict scope = check_scope(canonical);
  if (scope != Verdict::kAccepted) return scope;
  const std::string_view subject = path_and_query(canonical);
  for (const UrlPattern& p : exclude_) {
    if (p.matches(subject)) return Verdict::kExcluded;
  }
  if (include_.empty()) return Verdict::kAccepted;
  for (const UrlPattern& p : include_) {
    if (p.matches(subject)) return Verdict::kAccepted;
  }
  return Verdict::kNotIncluded;
}

std::optional<size_t> UrlFilter::budget_for(const url::Url& canonical) const {
  const std::string_view subject = path_and_query(canonical);
  std::optional<size_t> best;
  for (size_t i = 0; i < budgets_.size(); ++i) {
    if (!budgets_[i].matches(subject)) continue;
    if (!best || budgets_[i].text().size() > budgets_[*best].text().size()) best = i;
  }
  return best;
}

}  // namespace riptide::crawl
