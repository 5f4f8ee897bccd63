#include "url/url.h"

#include <utility>

#include "core/limits.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "url/host.h"
#include "url/percent_encode.h"

namespace riptide::url {

// The parsed components of a URL (4.1 URL representation) before they are serialized into a
// Url. The path is kept serialized: a list path ["a", "b"] is "/a/b", the empty list is "", and
// an opaque path is the path itself.
struct UrlRecord {
  std::string scheme;
  Scheme type = Scheme::kOther;
  std::string username;
  std::string password;
  bool has_host = false;
  std::string host;
  int32_t port = -1;
  std::string path;
  bool opaque_path = false;
  bool has_query = false;
  std::string query;
  bool has_fragment = false;
  std::string fragment;
};

class UrlBuilder {
 public:
  // 4.5 URL serializing, recording where each component starts.
  static Url build(const UrlRecord& r) {
    Url url;
    std::string& out = url.href_;
    out.reserve(r.scheme.size() + r.username.size() + r.password.size() + r.host.size() +
                r.path.size() + r.query.size() + r.fragment.size() + 16);
    out.append(r.scheme);
    out.push_back(':');
    url.scheme_end_ = static_cast<uint32_t>(r.scheme.size());
    url.scheme_type_ = r.type;
    url.has_host_ = r.has_host;
    url.has_opaque_path_ = r.opaque_path;
    url.port_ = r.port;
    if (r.has_host) {
      out.append("//");
      if (!r.username.empty() || !r.password.empty()) {
        out.append(r.username);
        url.username_end_ = static_cast<uint32_t>(out.size());
        if (!r.password.empty()) {
          out.push_back(':');
          out.append(r.password);
        }
        out.push_back('@');
      } else {
        url.username_end_ = static_cast<uint32_t>(out.size());
      }
      url.host_start_ = static_cast<uint32_t>(out.size());
      out.append(r.host);
      url.host_end_ = static_cast<uint32_t>(out.size());
      if (r.port >= 0) {
        out.push_back(':');
        out.append(std::to_string(r.port));
      }
    } else {
      url.username_end_ = url.host_start_ = url.host_end_ = url.scheme_end_ + 1;
      // A host-less URL whose path starts with an empty segment would otherwise reparse with
      // that segment as its host.
      if (!r.opaque_path && r.path.size() > 1 && r.path[0] == '/' && r.path[1] == '/') {
        out.append("/.");
      }
    }
    url.path_start_ = static_cast<uint32_t>(out.size());
    out.append(r.path);
    if (r.has_query) {
      url.query_start_ = static_cast<uint32_t>(out.size());
      out.push_back('?');
      out.append(r.query);
    }
    if (r.has_fragment) {
      url.fragment_start_ = static_cast<uint32_t>(out.size());
      out.push_back('#');
      out.append(r.fragment);
    }
    return url;
  }

  // All components of a parsed URL, for the setters.
  static UrlRecord decompose(const Url& url) {
    UrlRecord r;
    copy_scheme(url, r);
    copy_authority(url, r);
    copy_path(url, r);
    copy_query(url, r);
    r.has_fragment = url.has_fragment();
    r.fragment.assign(url.fragment());
    return r;
  }

  // Replaces `url` by `next`; true when the serialization changed.
  static bool replace(Url& url, Url next) {
    const bool changed = next.href_ != url.href_;
    url = std::move(next);
    return changed;
  }

  // The components of an already parsed URL, for resolving relative references against it.
  static void copy_scheme(const Url& base, UrlRecord& r) {
    r.scheme.assign(base.scheme());
    r.type = base.scheme_type();
  }
  static void copy_authority(const Url& base, UrlRecord& r) {
    r.username.assign(base.username());
    r.password.assign(base.password());
    r.has_host = base.has_host();
    r.host.assign(base.hostname());
    r.port = base.port_;
  }
  static void copy_path(const Url& base, UrlRecord& r) {
    r.path.assign(base.pathname());
    r.opaque_path = base.has_opaque_path();
  }
  static void copy_query(const Url& base, UrlRecord& r) {
    r.has_query = base.has_query();
    r.query.assign(base.query());
  }
};

std::string_view Url::username() const {
  if (!has_host_) return {};
  return std::string_view(href_).substr(username_start(), username_end_ - username_start());
}

std::string_view Url::password() const {
  if (!has_password()) return {};
  return std::string_view(href_).substr(username_end_ + 1, host_start_ - 1 - (username_end_ + 1));
}

std::string_view Url::hostname() const {
  if (!has_host_) return {};
  return std::string_view(href_).substr(host_start_, host_end_ - host_start_);
}

std::string_view Url::host() const {
  if (!has_host_) return {};
  uint32_t end = port_ >= 0 ? path_start_ : host_end_;
  return std::string_view(href_).substr(host_start_, end - host_start_);
}

std::string_view Url::port() const {
  if (port_ < 0) return {};
  return std::string_view(href_).substr(host_end_ + 1, path_start_ - host_end_ - 1);
}

std::string_view Url::pathname() const {
  return std::string_view(href_).substr(path_start_, path_end() - path_start_);
}

std::string_view Url::query() const {
  if (!has_query()) return {};
  uint32_t end = has_fragment() ? fragment_start_ : static_cast<uint32_t>(href_.size());
  return std::string_view(href_).substr(query_start_ + 1, end - query_start_ - 1);
}

std::string_view Url::search() const {
  std::string_view q = query();
  if (q.empty()) return {};
  return std::string_view(href_).substr(query_start_, q.size() + 1);
}

std::string_view Url::fragment() const {
  if (!has_fragment()) return {};
  return std::string_view(href_).substr(fragment_start_ + 1);
}

std::string_view Url::hash() const {
  if (!has_fragment() || fragment_start_ + 1 == href_.size()) return {};
  return std::string_view(href_).substr(fragment_start_);
}

std::string Url::origin() const {
  switch (scheme_type_) {
    case Scheme::kHttp:
    case Scheme::kHttps:
    case Scheme::kWs:
    case Scheme::kWss:
    case Scheme::kFtp: {
      std::string out(scheme());
      out.append("://");
      out.append(host());
      return out;
    }
    case Scheme::kFile:
      return "null";  // 4.7: a file URL's origin is implementation-defined; opaque here.
    case Scheme::kOther:
      break;
  }
  if (scheme() == "blob") {
    // 4.7: the origin of the URL in a blob URL's path, if that is an http(s) URL.
    auto inner = parse(pathname());
    if (inner.ok() &&
        (inner->scheme_type() == Scheme::kHttp || inner->scheme_type() == Scheme::kHttps)) {
      return inner->origin();
    }
  }
  return "null";
}

uint16_t Url::port_or_default() const {
  if (port_ >= 0) return static_cast<uint16_t>(port_);
  int port = default_port(scheme_type_);
  return port < 0 ? 0 : static_cast<uint16_t>(port);
}

int default_port(Scheme scheme) {
  switch (scheme) {
    case Scheme::kHttp:
    case Scheme::kWs:
      return 80;
    case Scheme::kHttps:
    case Scheme::kWss:
      return 443;
    case Scheme::kFtp:
      return 21;
    case Scheme::kFile:
    case Scheme::kOther:
      break;
  }
  return -1;
}

namespace {

Scheme classify_scheme(std::string_view s) {
  switch (s.size()) {
    case 2:
      if (s == "ws") return Scheme::kWs;
      break;
    case 3:
      if (s == "wss") return Scheme::kWss;
      if (s == "ftp") return Scheme::kFtp;
      break;
    case 4:
      if (s == "http") return Scheme::kHttp;
      if (s == "file") return Scheme::kFile;
      break;
    case 5:
      if (s == "https") return Scheme::kHttps;
      break;
    default:
      break;
  }
  return Scheme::kOther;
}

// 4.2 URL miscellaneous.
bool is_windows_drive_letter(std::string_view s) {
  return s.size() == 2 && str::is_alpha(s[0]) && (s[1] == ':' || s[1] == '|');
}
bool is_normalized_windows_drive_letter(std::string_view s) {
  return s.size() == 2 && str::is_alpha(s[0]) && s[1] == ':';
}
bool starts_with_windows_drive_letter(std::string_view s) {
  if (s.size() < 2 || !is_windows_drive_letter(s.substr(0, 2))) return false;
  if (s.size() == 2) return true;
  char c = s[2];
  return c == '/' || c == '\\' || c == '?' || c == '#';
}
bool is_single_dot_segment(std::string_view s) {
  return s == "." || str::iequals(s, "%2e");
}
bool is_double_dot_segment(std::string_view s) {
  return s == ".." || str::iequals(s, ".%2e") || str::iequals(s, "%2e.") ||
         str::iequals(s, "%2e%2e");
}

// The first segment of a serialized list path ("/C:/x" -> "C:").
std::string_view first_segment(std::string_view path) {
  if (path.empty()) return {};
  size_t end = path.find('/', 1);
  return path.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
}

// 4.1 shorten a URL's path.
void shorten_path(UrlRecord& r) {
  if (r.type == Scheme::kFile && r.path.size() == 3 &&
      is_normalized_windows_drive_letter(std::string_view(r.path).substr(1))) {
    return;
  }
  size_t slash = r.path.rfind('/');
  if (slash != std::string::npos) r.path.resize(slash);
}

enum class State : uint8_t {
  kSchemeStart,
  kScheme,
  kNoScheme,
  kSpecialRelativeOrAuthority,
  kPathOrAuthority,
  kRelative,
  kRelativeSlash,
  kSpecialAuthoritySlashes,
  kSpecialAuthorityIgnoreSlashes,
  kAuthority,
  kHost,
  kHostname,  // only as a state override: the host state, for the hostname setter
  kPort,
  kFile,
  kFileSlash,
  kFileHost,
  kPathStart,
  kPath,
  kOpaquePath,
  kQuery,
  kFragment,
};

constexpr int kEof = -1;

// Bytes that end a run of ordinary bytes in a parser state.
struct StopSet {
  bool stop[256];
};
constexpr StopSet make_stops(std::string_view bytes) {
  StopSet set{};
  for (char c : bytes) set.stop[static_cast<unsigned char>(c)] = true;
  return set;
}
constexpr StopSet kAuthorityStops = make_stops("@/?#");
constexpr StopSet kHostStops = make_stops(":/?#[]");
constexpr StopSet kPathStops = make_stops("/?#");
constexpr StopSet kOpaquePathStops = make_stops("?# ");
constexpr StopSet kQueryStops = make_stops("#");

Error parse_error(std::string_view what, std::string_view input) {
  std::string message(what);
  message.append(": ");
  message.append(input.substr(0, 256));
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// 4.4 basic URL parser, over bytes: every non-ASCII code point only ever gets UTF-8
// percent-encoded or handed to the host parser whole, so code points need not be decoded here.
class Parser {
 public:
  Parser(std::string_view input, const Url* base) : in_(input), base_(base) {}
  // For the API setters: parse `input` into an existing URL, starting in (and limited by) the
  // state `state_override` (4.4 "state override").
  Parser(std::string_view input, UrlRecord record, State state_override)
      : in_(input), base_(nullptr), r_(std::move(record)), override_(state_override) {}

  // Runs the state machine. False when the input is rejected (see error()); true when it parsed,
  // including a setter's early "return".
  bool run() {
    State state = override_.value_or(State::kSchemeStart);
    const bool has_override = override_.has_value();
    std::string buffer;
    bool at_sign_seen = false;
    bool inside_brackets = false;
    bool password_token_seen = false;
    const size_t n = in_.size();
    size_t p = 0;
    auto remaining_starts_with = [&](char ch) { return p + 1 < n && in_[p + 1] == ch; };
    // End of the run of bytes after p that a state treats like the byte at p (none of `stops`,
    // nor '\\' in a special URL when `backslash` is set). States consume such runs in one step
    // instead of byte by byte; that is only a speed-up of the standard's per-code-point loop.
    auto run_end = [&](const StopSet& stops, bool backslash) {
      size_t q = p + 1;
      while (q < n && !stops.stop[static_cast<unsigned char>(in_[q])] &&
             !(backslash && in_[q] == '\\')) {
        ++q;
      }
      return q;
    };
    const bool base_is_file = base_ != nullptr && base_->scheme_type() == Scheme::kFile;

    for (;;) {
      const int c = p < n ? static_cast<unsigned char>(in_[p]) : kEof;
      const bool special = r_.type != Scheme::kOther;
      switch (state) {
        case State::kSchemeStart:  // 4.4 scheme start state
          if (c != kEof && str::is_alpha(static_cast<char>(c))) {
            buffer.push_back(str::to_lower(static_cast<char>(c)));
            state = State::kScheme;
          } else if (!has_override) {
            state = State::kNoScheme;
            --p;
          } else {
            return fail("invalid scheme");
          }
          break;

        case State::kScheme:  // 4.4 scheme state
          if (c != kEof &&
              (str::is_alnum(static_cast<char>(c)) || c == '+' || c == '-' || c == '.')) {
            buffer.push_back(str::to_lower(static_cast<char>(c)));
          } else if (c == ':') {
            const Scheme type = classify_scheme(buffer);
            if (has_override) {
              // The protocol setter cannot move a URL between special and non-special schemes,
              // give a URL with credentials, a port or an empty host the scheme "file".
              if ((r_.type != Scheme::kOther) != (type != Scheme::kOther)) return true;
              if ((!r_.username.empty() || !r_.password.empty() || r_.port >= 0) &&
                  type == Scheme::kFile) {
                return true;
              }
              if (r_.type == Scheme::kFile && r_.has_host && r_.host.empty()) return true;
            }
            r_.scheme = std::move(buffer);
            buffer.clear();
            r_.type = type;
            if (has_override) {
              if (r_.port == default_port(r_.type)) r_.port = -1;
              return true;
            }
            if (r_.type == Scheme::kFile) {
              state = State::kFile;
            } else if (r_.type != Scheme::kOther && base_ != nullptr &&
                       base_->scheme() == r_.scheme) {
              state = State::kSpecialRelativeOrAuthority;
            } else if (r_.type != Scheme::kOther) {
              state = State::kSpecialAuthoritySlashes;
            } else if (remaining_starts_with('/')) {
              state = State::kPathOrAuthority;
              ++p;
            } else {
              r_.opaque_path = true;
              state = State::kOpaquePath;
            }
          } else if (!has_override) {
            buffer.clear();
            state = State::kNoScheme;
            p = static_cast<size_t>(-1);  // start over from the first code point
          } else {
            return fail("invalid scheme");
          }
          break;

        case State::kNoScheme:  // 4.4 no scheme state
          if (base_ == nullptr || (base_->has_opaque_path() && c != '#')) {
            return fail("relative URL without a base");
          }
          if (base_->has_opaque_path() && c == '#') {
            UrlBuilder::copy_scheme(*base_, r_);
            UrlBuilder::copy_path(*base_, r_);
            UrlBuilder::copy_query(*base_, r_);
            r_.has_fragment = true;
            state = State::kFragment;
          } else if (!base_is_file) {
            state = State::kRelative;
            --p;
          } else {
            state = State::kFile;
            --p;
          }
          break;

        case State::kSpecialRelativeOrAuthority:
          if (c == '/' && remaining_starts_with('/')) {
            state = State::kSpecialAuthorityIgnoreSlashes;
            ++p;
          } else {
            state = State::kRelative;
            --p;
          }
          break;

        case State::kPathOrAuthority:
          if (c == '/') {
            state = State::kAuthority;
          } else {
            state = State::kPath;
            --p;
          }
          break;

        case State::kRelative:  // 4.4 relative state
          UrlBuilder::copy_scheme(*base_, r_);
          if (c == '/') {
            state = State::kRelativeSlash;
          } else if (r_.type != Scheme::kOther && c == '\\') {
            state = State::kRelativeSlash;
          } else {
            UrlBuilder::copy_authority(*base_, r_);
            UrlBuilder::copy_path(*base_, r_);
            UrlBuilder::copy_query(*base_, r_);
            if (c == '?') {
              r_.has_query = true;
              r_.query.clear();
              state = State::kQuery;
            } else if (c == '#') {
              r_.has_fragment = true;
              state = State::kFragment;
            } else if (c != kEof) {
              r_.has_query = false;
              r_.query.clear();
              shorten_path(r_);
              state = State::kPath;
              --p;
            }
          }
          break;

        case State::kRelativeSlash:
          if (special && (c == '/' || c == '\\')) {
            state = State::kSpecialAuthorityIgnoreSlashes;
          } else if (c == '/') {
            state = State::kAuthority;
          } else {
            UrlBuilder::copy_authority(*base_, r_);
            state = State::kPath;
            --p;
          }
          break;

        case State::kSpecialAuthoritySlashes:
          state = State::kSpecialAuthorityIgnoreSlashes;
          if (c == '/' && remaining_starts_with('/')) {
            ++p;
          } else {
            --p;
          }
          break;

        case State::kSpecialAuthorityIgnoreSlashes:
          if (c != '/' && c != '\\') {
            state = State::kAuthority;
            --p;
          }
          break;

        case State::kAuthority:  // 4.4 authority state
          if (c == '@') {
            if (at_sign_seen) buffer.insert(0, "%40");
            at_sign_seen = true;
            for (char b : buffer) {
              if (b == ':' && !password_token_seen) {
                password_token_seen = true;
                continue;
              }
              char one[1] = {b};
              percent_encode_append(password_token_seen ? r_.password : r_.username,
                                    std::string_view(one, 1), EncodeSet::kUserinfo);
            }
            buffer.clear();
          } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\')) {
            if (at_sign_seen && buffer.empty()) {
              return fail("credentials without a host");
            }
            p -= buffer.size() + 1;
            buffer.clear();
            state = State::kHost;
          } else {
            const size_t q = run_end(kAuthorityStops, special);
            buffer.append(in_.data() + p, q - p);
            p = q - 1;
          }
          break;

        case State::kHost:  // 4.4 host state and hostname state
        case State::kHostname:
          if (has_override && r_.type == Scheme::kFile) {
            --p;
            state = State::kFileHost;
          } else if (c == ':' && !inside_brackets) {
            if (buffer.empty()) return fail("missing host");
            if (override_ == State::kHostname) return fail("port in hostname");
            if (!set_host(buffer, special)) return false;
            buffer.clear();
            state = State::kPort;
          } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\')) {
            --p;
            if (special && buffer.empty()) return fail("missing host");
            if (has_override && buffer.empty() &&
                (!r_.username.empty() || !r_.password.empty() || r_.port >= 0)) {
              return fail("empty host with credentials or port");
            }
            if (!set_host(buffer, special)) return false;
            buffer.clear();
            if (has_override) return true;
            state = State::kPathStart;
          } else if (c == '[' || c == ']') {
            inside_brackets = c == '[';
            buffer.push_back(static_cast<char>(c));
          } else {
            const size_t q = run_end(kHostStops, special);
            buffer.append(in_.data() + p, q - p);
            p = q - 1;
          }
          break;

        case State::kPort:  // 4.4 port state
          if (c != kEof && str::is_digit(static_cast<char>(c))) {
            buffer.push_back(static_cast<char>(c));
          } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special && c == '\\') ||
                     has_override) {
            if (!buffer.empty()) {
              uint32_t port = 0;
              for (char d : buffer) {
                port = port * 10 + static_cast<uint32_t>(d - '0');
                if (port > 65535) return fail("port out of range");
              }
              r_.port = static_cast<int32_t>(port) == default_port(r_.type)
                            ? -1
                            : static_cast<int32_t>(port);
              buffer.clear();
            }
            if (has_override) return true;
            state = State::kPathStart;
            --p;
          } else {
            return fail("invalid port");
          }
          break;

        case State::kFile:  // 4.4 file state
          r_.scheme = "file";
          r_.type = Scheme::kFile;
          r_.has_host = true;
          r_.host.clear();
          if (c == '/' || c == '\\') {
            state = State::kFileSlash;
          } else if (base_is_file) {
            r_.has_host = base_->has_host();
            r_.host.assign(base_->hostname());
            UrlBuilder::copy_path(*base_, r_);
            UrlBuilder::copy_query(*base_, r_);
            if (c == '?') {
              r_.has_query = true;
              r_.query.clear();
              state = State::kQuery;
            } else if (c == '#') {
              r_.has_fragment = true;
              state = State::kFragment;
            } else if (c != kEof) {
              r_.has_query = false;
              r_.query.clear();
              if (!starts_with_windows_drive_letter(in_.substr(p))) {
                shorten_path(r_);
              } else {
                r_.path.clear();
              }
              state = State::kPath;
              --p;
            }
          } else {
            state = State::kPath;
            --p;
          }
          break;

        case State::kFileSlash:  // 4.4 file slash state
          if (c == '/' || c == '\\') {
            state = State::kFileHost;
          } else {
            if (base_is_file) {
              r_.has_host = base_->has_host();
              r_.host.assign(base_->hostname());
              std::string_view base_first = first_segment(base_->pathname());
              if (!starts_with_windows_drive_letter(in_.substr(p)) &&
                  is_normalized_windows_drive_letter(base_first)) {
                r_.path.push_back('/');
                r_.path.append(base_first);
              }
            }
            state = State::kPath;
            --p;
          }
          break;

        case State::kFileHost:  // 4.4 file host state
          if (c == kEof || c == '/' || c == '\\' || c == '?' || c == '#') {
            --p;
            if (!has_override && is_windows_drive_letter(buffer)) {
              // The buffer is kept: the path state takes it as the first segment.
              state = State::kPath;
            } else if (buffer.empty()) {
              r_.has_host = true;
              r_.host.clear();
              if (has_override) return true;
              state = State::kPathStart;
            } else {
              if (!set_host(buffer, /*special=*/true)) return false;
              if (r_.host == "localhost") r_.host.clear();
              if (has_override) return true;
              buffer.clear();
              state = State::kPathStart;
            }
          } else {
            buffer.push_back(static_cast<char>(c));
          }
          break;

        case State::kPathStart:  // 4.4 path start state
          if (special) {
            state = State::kPath;
            if (c != '/' && c != '\\') --p;
          } else if (!has_override && c == '?') {
            r_.has_query = true;
            state = State::kQuery;
          } else if (!has_override && c == '#') {
            r_.has_fragment = true;
            state = State::kFragment;
          } else if (c != kEof) {
            state = State::kPath;
            if (c != '/') --p;
          } else if (has_override && !r_.has_host) {
            r_.path.push_back('/');
          }
          break;

        case State::kPath: {  // 4.4 path state
          const bool slash = c == '/' || (special && c == '\\');
          // With a state override (the pathname setter) '?' and '#' are path code points.
          if (c == kEof || slash || (!has_override && (c == '?' || c == '#'))) {
            if (is_double_dot_segment(buffer)) {
              shorten_path(r_);
              if (!slash) r_.path.push_back('/');
            } else if (is_single_dot_segment(buffer) && !slash) {
              r_.path.push_back('/');
            } else if (!is_single_dot_segment(buffer)) {
              if (r_.type == Scheme::kFile && r_.path.empty() && is_windows_drive_letter(buffer)) {
                buffer[1] = ':';
              }
              r_.path.push_back('/');
              r_.path.append(buffer);
            }
            buffer.clear();
            if (c == '?') {
              r_.has_query = true;
              r_.query.clear();
              state = State::kQuery;
            } else if (c == '#') {
              r_.has_fragment = true;
              state = State::kFragment;
            }
          } else {
            const size_t q = run_end(kPathStops, special);
            percent_encode_append(buffer, in_.substr(p, q - p), EncodeSet::kPath);
            p = q - 1;
          }
          break;
        }

        case State::kOpaquePath:  // 4.4 opaque path state
          if (c == '?') {
            r_.has_query = true;
            state = State::kQuery;
          } else if (c == '#') {
            r_.has_fragment = true;
            state = State::kFragment;
          } else if (c == ' ') {
            // A space right before the query or fragment is encoded so that it survives
            // serialization round trips.
            if (remaining_starts_with('?') || remaining_starts_with('#')) {
              r_.path.append("%20");
            } else {
              r_.path.push_back(' ');
            }
          } else if (c != kEof) {
            const size_t q = run_end(kOpaquePathStops, false);
            percent_encode_append(r_.path, in_.substr(p, q - p), EncodeSet::kC0Control);
            p = q - 1;
          }
          break;

        case State::kQuery: {  // 4.4 query state (UTF-8 encoding, so bytes encode directly)
          if (c == '#' && !has_override) {
            r_.has_fragment = true;
            state = State::kFragment;
          } else if (c != kEof) {
            const size_t q = run_end(kQueryStops, false);
            percent_encode_append(r_.query, in_.substr(p, q - p),
                                  special ? EncodeSet::kSpecialQuery : EncodeSet::kQuery);
            p = q - 1;
          }
          break;
        }

        case State::kFragment:  // 4.4 fragment state
          if (c != kEof) {
            percent_encode_append(r_.fragment, in_.substr(p), EncodeSet::kFragment);
            p = n - 1;
          }
          break;
      }
      if (p == n) break;
      ++p;
    }
    return true;
  }

  const UrlRecord& record() const { return r_; }
  const Error& error() const { return error_; }

 private:
  bool fail(std::string_view what) {
    error_ = parse_error(what, in_);
    return false;
  }

  bool set_host(std::string_view text, bool special) {
    auto host = parse_host(text, !special);
    if (!host.ok()) {
      error_ = host.error();
      return false;
    }
    r_.has_host = true;
    r_.host = std::move(*host);
    return true;
  }

  std::string_view in_;
  const Url* base_;
  UrlRecord r_;
  std::optional<State> override_;
  Error error_;
};

// The setters run the basic URL parser without stripping leading and trailing C0 controls and
// spaces, but still without ASCII tabs and newlines (4.4 steps 2-3).
std::string setter_input(std::string_view value) {
  std::string cleaned;
  cleaned.reserve(value.size());
  for (char c : value) {
    if (c != '\t' && c != '\n' && c != '\r') cleaned.push_back(c);
  }
  if (!utf8::is_valid(cleaned)) cleaned = utf8::sanitize(cleaned);
  return cleaned;
}

// Basic URL parse `value` into `record` with a state override, then replace `url`. As in the
// standard, where the parser modifies the URL in place, a failure keeps what was set before it
// (a host setter value "h:65536" still sets the host).
bool apply_setter(Url& url, UrlRecord record, std::string_view value, State state) {
  if (value.size() > limits::kMaxUrlBytes) return false;
  const std::string input = setter_input(value);
  Parser parser(input, std::move(record), state);
  (void)parser.run();
  return UrlBuilder::replace(url, UrlBuilder::build(parser.record()));
}

// 6.1 "potentially strip trailing spaces from an opaque path".
void strip_trailing_spaces_from_opaque_path(UrlRecord& r) {
  if (!r.opaque_path || r.has_fragment || r.has_query) return;
  while (!r.path.empty() && r.path.back() == ' ') r.path.pop_back();
}

Result<Url> run_parser(std::string_view input, const Url* base) {
  Parser parser(input, base);
  if (!parser.run()) return parser.error();
  return UrlBuilder::build(parser.record());
}

bool is_c0_or_space(char c) {
  return static_cast<unsigned char>(c) <= 0x20;
}

}  // namespace

Result<Url> parse(std::string_view input, const Url* base) {
  if (input.size() > limits::kMaxUrlBytes) {
    return Error(ErrorCode::kResourceLimit,
                 "URL longer than " + std::to_string(limits::kMaxUrlBytes) + " bytes");
  }
  // 4.4 basic URL parser steps 1-3: strip leading and trailing C0 control or space, then remove
  // every ASCII tab or newline.
  while (!input.empty() && is_c0_or_space(input.front())) input.remove_prefix(1);
  while (!input.empty() && is_c0_or_space(input.back())) input.remove_suffix(1);
  bool clean = true;
  for (char c : input) {
    if (c == '\t' || c == '\n' || c == '\r' || static_cast<unsigned char>(c) >= 0x80) {
      clean = false;
      break;
    }
  }
  if (clean) return run_parser(input, base);
  std::string cleaned;
  cleaned.reserve(input.size());
  for (char c : input) {
    if (c != '\t' && c != '\n' && c != '\r') cleaned.push_back(c);
  }
  // The standard parses scalar values: invalid UTF-8 is read as U+FFFD.
  if (!utf8::is_valid(cleaned)) cleaned = utf8::sanitize(cleaned);
  return run_parser(cleaned, base);
}

Result<Url> parse(std::string_view input, std::string_view base) {
  auto base_url = parse(base);
  if (!base_url.ok()) return base_url.error();
  return parse(input, &*base_url);
}

// 6.1 URL class setters.

bool Url::set_href(std::string_view value) {
  auto parsed = parse(value);
  if (!parsed.ok()) return false;
  return UrlBuilder::replace(*this, std::move(parsed).value());
}

bool Url::set_protocol(std::string_view value) {
  std::string input(value);
  input.push_back(':');
  return apply_setter(*this, UrlBuilder::decompose(*this), input, State::kSchemeStart);
}

bool Url::set_username(std::string_view value) {
  // "cannot have a username/password/port": no host, an empty host, or a file URL.
  if (!has_host_ || hostname().empty() || scheme_type_ == Scheme::kFile) return false;
  UrlRecord r = UrlBuilder::decompose(*this);
  r.username = percent_encode(value, EncodeSet::kUserinfo);
  return UrlBuilder::replace(*this, UrlBuilder::build(r));
}

bool Url::set_password(std::string_view value) {
  if (!has_host_ || hostname().empty() || scheme_type_ == Scheme::kFile) return false;
  UrlRecord r = UrlBuilder::decompose(*this);
  r.password = percent_encode(value, EncodeSet::kUserinfo);
  return UrlBuilder::replace(*this, UrlBuilder::build(r));
}

bool Url::set_host(std::string_view value) {
  if (has_opaque_path_) return false;
  return apply_setter(*this, UrlBuilder::decompose(*this), value, State::kHost);
}

bool Url::set_hostname(std::string_view value) {
  if (has_opaque_path_) return false;
  return apply_setter(*this, UrlBuilder::decompose(*this), value, State::kHostname);
}

bool Url::set_port(std::string_view value) {
  if (!has_host_ || hostname().empty() || scheme_type_ == Scheme::kFile) return false;
  UrlRecord r = UrlBuilder::decompose(*this);
  if (value.empty()) {
    r.port = -1;
    return UrlBuilder::replace(*this, UrlBuilder::build(r));
  }
  return apply_setter(*this, std::move(r), value, State::kPort);
}

bool Url::set_pathname(std::string_view value) {
  if (has_opaque_path_) return false;
  UrlRecord r = UrlBuilder::decompose(*this);
  r.path.clear();
  return apply_setter(*this, std::move(r), value, State::kPathStart);
}

namespace {

// The search and hash setters share one shape: an empty value removes the component (and the
// opaque path's trailing spaces, URL Standard "potentially strip trailing spaces"); otherwise
// the leading '?'/'#' is dropped and the value is parsed in `state` into a fresh component.
bool set_query_or_fragment(Url& url, std::string_view value, char lead, State state,
                           bool UrlRecord::*present, std::string UrlRecord::*component) {
  UrlRecord r = UrlBuilder::decompose(url);
  r.*component = std::string();
  if (value.empty()) {
    r.*present = false;
    strip_trailing_spaces_from_opaque_path(r);
    return UrlBuilder::replace(url, UrlBuilder::build(r));
  }
  if (value.front() == lead) value.remove_prefix(1);
  r.*present = true;
  return apply_setter(url, std::move(r), value, state);
}

}  // namespace

bool Url::set_search(std::string_view value) {
  return set_query_or_fragment(*this, value, '?', State::kQuery, &UrlRecord::has_query,
                               &UrlRecord::query);
}

bool Url::set_hash(std::string_view value) {
  return set_query_or_fragment(*this, value, '#', State::kFragment, &UrlRecord::has_fragment,
                               &UrlRecord::fragment);
}

}  // namespace riptide::url
