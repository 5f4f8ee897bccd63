#include "crawl/robots.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_set>

#include "core/strings.h"

namespace riptide::crawl {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kRobotsPath = "/robots.txt";
constexpr char kHexDigits[] = "0123456789ABCDEF";

// RFC 9309 2.2: whitespace around names and values is not significant.
std::string_view trim_blanks(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Octets that are never valid unencoded in a URI (RFC 3986 2: non-ASCII, controls, space and the
// excluded US-ASCII characters). Their raw and encoded forms compare equal because the raw form
// is encoded.
bool needs_encoding(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7F) return true;
  return std::string_view("\"<>\\^`{|}").find(c) != std::string_view::npos;
}

// Appends the normalised form (see normalize_robots_path) of consecutive pieces of one path and
// query. Keeps whether a "?" was seen, so that a pattern split at "*" wildcards is normalised
// exactly as the whole request path would be.
class PathNormalizer {
 public:
  void append(std::string& out, std::string_view in) {
    for (size_t i = 0; i < in.size(); ++i) {
      const char c = in[i];
      if (c == '%') {
        if (in.size() - i > 2 && str::is_hex_digit(in[i + 1]) && str::is_hex_digit(in[i + 2])) {
          const char decoded =
              static_cast<char>(str::hex_value(in[i + 1]) * 16 + str::hex_value(in[i + 2]));
          if (is_delimiter(decoded)) {
            append_escape(out, decoded);
          } else {
            append_octet(out, decoded);
          }
          i += 2;
        } else {
          append_escape(out, '%');  // a stray "%" is data: "%25"
        }
        continue;
      }
      if (c == '?') in_query_ = true;
      append_octet(out, c);
    }
  }

 private:
  // RFC 9309 2.2.2 asks for octets to be compared in one encoding. An escape is only a different
  // resource from its octet when the octet would delimit the component: "/a%2Fb" is one path
  // segment, "/a/b" two; "q=a%26b" one query parameter, "q=a&b" two. "%" and "#" can never stand
  // unencoded for themselves.
  bool is_delimiter(char decoded) const {
    if (decoded == '%' || decoded == '#') return true;
    if (in_query_) return decoded == '&' || decoded == '=' || decoded == '+' || decoded == ';';
    return decoded == '/' || decoded == '?';
  }
  static void append_escape(std::string& out, char octet) {
    const auto u = static_cast<unsigned char>(octet);
    out.push_back('%');
    out.push_back(kHexDigits[u >> 4]);
    out.push_back(kHexDigits[u & 0xF]);
  }
  static void append_octet(std::string& out, char octet) {
    if (needs_encoding(octet)) {
      append_escape(out, octet);
    } else {
      out.push_back(octet);
    }
  }

  bool in_query_ = false;
};

// RFC 9309 2.2.1: the product token of a user-agent line is its value up to the first character
// that cannot be part of a token ("ExampleBot/1.2 (+https://...)" names "ExampleBot"). The RFC's
// identifier is letters, "-" and "_"; digits are kept too so that "bot2" does not name "bot".
std::string_view user_agent_token(std::string_view value) {
  if (!value.empty() && value.front() == '*') return "*";
  size_t end = 0;
  while (end < value.size() &&
         (str::is_alnum(value[end]) || value[end] == '-' || value[end] == '_')) {
    ++end;
  }
  return value.substr(0, end);
}

// Crawl-delay in decimal seconds ("10", "0.5"); nullopt for anything else (negative, "inf",
// "10s", garbage). Clamped to kMaxCrawlDelaySeconds.
std::optional<double> parse_crawl_delay(std::string_view value) {
  double seconds = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, seconds, std::chars_format::fixed);
  if (ec != std::errc() || ptr != end || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  return std::min(seconds, kMaxCrawlDelaySeconds);
}

// The part of `body` that is parsed: at most kMaxRobotsBytes, without a UTF-8 BOM (RFC 9309 2.2
// allows one), and, when the limit cut the file, without the cut line: a truncated
// "Allow: /public-but-not-this" would allow more than the site meant.
std::string_view parsed_part(std::string_view body) {
  if (body.size() > kMaxRobotsBytes) {
    body = body.substr(0, kMaxRobotsBytes);
    const size_t last_end = body.find_last_of("\r\n");
    body = last_end == std::string_view::npos ? std::string_view() : body.substr(0, last_end);
  }
  if (body.substr(0, kUtf8Bom.size()) == kUtf8Bom) body.remove_prefix(kUtf8Bom.size());
  return body;
}

}  // namespace

std::string normalize_robots_path(std::string_view path_and_query) {
  std::string out;
  out.reserve(path_and_query.size());
  PathNormalizer().append(out, path_and_query);
  return out;
}

Robots Robots::parse(std::string_view body, std::string_view product_token) {
  Robots robots;
  robots.product_token_ = std::string(product_token);
  std::unordered_set<std::string> seen_sitemaps;
  // RFC 9309 2.1: a group is one or more user-agent lines followed by rules; a user-agent line
  // after a rule starts the next group. Rules before the first user-agent line belong to no group
  // and are ignored.
  bool last_was_user_agent = false;
  body = parsed_part(body);
  size_t pos = 0;
  while (pos < body.size()) {
    // Lines end at CR, LF or CRLF (2.2); a CRLF yields an extra empty line, which is harmless.
    size_t end = body.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    // 2.2.3: "#" starts a comment, to the end of the line.
    line = line.substr(0, line.find('#'));
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // blank, comment-only or garbage
    const std::string_view name = trim_blanks(line.substr(0, colon));
    const std::string_view value = trim_blanks(line.substr(colon + 1));

    // 2.2: field names are case-insensitive.
    if (str::iequals(name, "user-agent")) {
      if (!last_was_user_agent) robots.groups_.emplace_back();
      robots.groups_.back().agents.emplace_back(user_agent_token(value));
      last_was_user_agent = true;
    } else if (str::iequals(name, "allow") || str::iequals(name, "disallow")) {
      if (robots.groups_.empty()) continue;
      last_was_user_agent = false;
      // 2.2.2: a path pattern starts with "/"; "*" is accepted too (a common "Disallow: *.gif$").
      // An empty value means no rule ("Disallow:" allows everything); anything else is ignored.
      if (value.empty() || (value.front() != '/' && value.front() != '*')) continue;
      robots.groups_.back().rules.push_back(compile_rule(str::iequals(name, "allow"), value));
    } else if (str::iequals(name, "crawl-delay")) {
      if (robots.groups_.empty()) continue;
      last_was_user_agent = false;
      const std::optional<double> delay = parse_crawl_delay(value);
      std::optional<double>& group_delay = robots.groups_.back().crawl_delay;
      if (delay && (!group_delay || *delay > *group_delay)) group_delay = delay;
    } else if (str::iequals(name, "sitemap")) {
      // 2.2.4: other records such as Sitemap are not part of any group and do not end one.
      if (!value.empty() && seen_sitemaps.emplace(value).second) {
        robots.sitemaps_.emplace_back(value);
      }
    }
    // Unknown fields are ignored and leave the group structure alone (2.2.4).
  }
  robots.select_groups();
  return robots;
}

// RFC 9309 2.2.3: "$" at the end anchors the pattern at the end of the path; "*" matches any
// sequence of octets. Elsewhere "$" is an ordinary character, and "%2A" and "%24" are the literal
// characters (they are normalised to "*" and "$" inside a piece, where nothing is special).
Robots::Rule Robots::compile_rule(bool allow, std::string_view pattern) {
  Rule rule;
  rule.allow = allow;
  if (!pattern.empty() && pattern.back() == '$') {
    rule.anchored = true;
    pattern.remove_suffix(1);
  }
  rule.length = rule.anchored ? 1 : 0;
  PathNormalizer normalizer;  // one for the whole pattern: a "?" in one piece affects the next
  rule.pieces.emplace_back();
  size_t start = 0;
  while (true) {
    const size_t star = pattern.find('*', start);
    const size_t literal_end = star == std::string_view::npos ? pattern.size() : star;
    const size_t before = rule.pieces.back().size();
    normalizer.append(rule.pieces.back(), pattern.substr(start, literal_end - start));
    rule.length += rule.pieces.back().size() - before;
    if (star == std::string_view::npos) break;
    ++rule.length;
    // Consecutive wildcards are one wildcard: no empty piece between them.
    if (rule.pieces.size() == 1 || !rule.pieces.back().empty()) rule.pieces.emplace_back();
    start = star + 1;
  }
  return rule;
}

void Robots::set_product_token(std::string_view product_token) {
  product_token_ = std::string(product_token);
  select_groups();
}

// RFC 9309 2.2.1: the groups whose user-agent lines name our product token, merged; else the
// "*" groups, merged; else no rules at all.
void Robots::select_groups() {
  selected_.clear();
  crawl_delay_.reset();
  const auto names = [](const Group& group, std::string_view token) {
    return std::any_of(group.agents.begin(), group.agents.end(),
                       [token](const std::string& agent) { return str::iequals(agent, token); });
  };
  specific_group_ = !product_token_.empty() &&
                    std::any_of(groups_.begin(), groups_.end(),
                                [&](const Group& group) { return names(group, product_token_); });
  const std::string_view wanted = specific_group_ ? std::string_view(product_token_) : "*";
  for (const Group& group : groups_) {
    if (!names(group, wanted)) continue;
    selected_.insert(selected_.end(), group.rules.begin(), group.rules.end());
    if (group.crawl_delay && (!crawl_delay_ || *group.crawl_delay > *crawl_delay_)) {
      crawl_delay_ = group.crawl_delay;
    }
  }
  // 2.2.2: the longest match wins, and an allow rule wins over a disallow rule of equal length.
  // Sorted that way, the first rule that matches decides.
  std::stable_sort(selected_.begin(), selected_.end(), [](const Rule& a, const Rule& b) {
    if (a.length != b.length) return a.length > b.length;
    return a.allow && !b.allow;
  });
}

bool Robots::matches(const Rule& rule, std::string_view path) {
  const std::vector<std::string>& pieces = rule.pieces;
  // The first piece is anchored at the start of the path (rules are prefixes).
  if (path.substr(0, pieces.front().size()) != pieces.front()) return false;
  size_t pos = pieces.front().size();
  if (pieces.size() == 1) return !rule.anchored || pos == path.size();
  // Middle pieces: taking the leftmost occurrence of each leaves the most room for the rest, so
  // a greedy scan finds a match whenever one exists.
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    const size_t found = path.find(pieces[i], pos);
    if (found == std::string_view::npos) return false;
    pos = found + pieces[i].size();
  }
  const std::string& last = pieces.back();
  if (rule.anchored) {
    return path.size() - pos >= last.size() && path.substr(path.size() - last.size()) == last;
  }
  return path.find(last, pos) != std::string_view::npos;
}

bool Robots::allowed(std::string_view path_and_query) const {
  path_and_query = path_and_query.substr(0, path_and_query.find('#'));
  if (path_and_query.empty()) path_and_query = "/";
  const std::string path = normalize_robots_path(path_and_query);
  // 2.2.2: "/robots.txt" is implicitly allowed.
  if (std::string_view(path).substr(0, path.find('?')) == kRobotsPath) return true;
  for (const Rule& rule : selected_) {
    if (matches(rule, path)) return rule.allow;
  }
  return true;
}

bool RobotsPolicy::allowed(std::string_view path_and_query) const {
  switch (source) {
    case RobotsSource::kParsed:
      return robots.allowed(path_and_query);
    case RobotsSource::kUnavailable:
      return true;
    case RobotsSource::kUnreachable:
      return false;
  }
  return false;
}

std::optional<double> RobotsPolicy::crawl_delay() const {
  if (source != RobotsSource::kParsed) return std::nullopt;
  return robots.crawl_delay();
}

RobotsPolicy from_fetch(int status, std::string_view body, std::string_view product_token) {
  RobotsPolicy policy;
  if (status >= 200 && status <= 299) {
    // 2.3.1.1: a successful download is parsed.
    policy.source = RobotsSource::kParsed;
    policy.robots = Robots::parse(body, product_token);
  } else if (status >= 300 && status <= 499 && status != 429) {
    // 2.3.1.2 (redirects beyond kMaxRobotsRedirects) and 2.3.1.3: "unavailable" means the
    // crawler may access any resource.
    policy.source = RobotsSource::kUnavailable;
  } else {
    // 2.3.1.4: server errors and network errors mean a complete disallow, for now.
    policy.source = RobotsSource::kUnreachable;
    policy.refetch_after = kUnreachableRetry;
  }
  return policy;
}

}  // namespace riptide::crawl
