#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

// WHATWG URL Standard (https://url.spec.whatwg.org/): parsing, serialization, resolution.
namespace riptide::url {

// Schemes the standard treats specially (4.1 "special scheme"); everything else is kOther.
enum class Scheme : uint8_t { kOther, kHttp, kHttps, kWs, kWss, kFtp, kFile };

// A parsed URL, stored compactly as its serialization (href) plus component offsets, so the
// getters are views into one string. The views live as long as the Url is neither modified nor
// destroyed. Getters are named after the URL Standard's API (and the WPT urltestdata fields).
// A default-constructed Url is empty (href "") and only useful as a placeholder.
class Url {
 public:
  // Serialization (4.5 URL serializing).
  std::string_view href() const { return href_; }
  // "https:" (scheme plus ':').
  std::string_view protocol() const { return std::string_view(href_).substr(0, scheme_end_ + 1); }
  // "https" (no ':'), always ASCII lower case.
  std::string_view scheme() const { return std::string_view(href_).substr(0, scheme_end_); }
  std::string_view username() const;
  std::string_view password() const;
  // hostname plus ":port" when the URL has a port.
  std::string_view host() const;
  std::string_view hostname() const;
  // The port as text, "" when the URL has none (a scheme's default port is never stored).
  std::string_view port() const;
  std::string_view pathname() const;
  // "?query", or "" when the query is null or empty.
  std::string_view search() const;
  // "#fragment", or "" when the fragment is null or empty.
  std::string_view hash() const;
  // 4.7 origin serialization: "scheme://host[:port]" for http(s)/ws(s)/ftp, blob: URLs wrapping
  // one of those, and "null" (an opaque origin) otherwise.
  std::string origin() const;

  Scheme scheme_type() const { return scheme_type_; }
  bool is_special() const { return scheme_type_ != Scheme::kOther; }
  // The host is non-null (it may be empty, as in "file:///x").
  bool has_host() const { return has_host_; }
  bool has_credentials() const { return username_end_ > username_start() || has_password(); }
  bool has_opaque_path() const { return has_opaque_path_; }
  bool has_query() const { return query_start_ != kNone; }
  bool has_fragment() const { return fragment_start_ != kNone; }
  // The port, or nullopt when null.
  std::optional<uint16_t> port_number() const {
    return port_ < 0 ? std::nullopt : std::optional<uint16_t>(static_cast<uint16_t>(port_));
  }
  // The port, or the scheme's default port when null; 0 when the scheme has none.
  uint16_t port_or_default() const;
  // The query without '?' ("" when null); the fragment without '#'.
  std::string_view query() const;
  std::string_view fragment() const;

  // The serialization without the fragment (4.5 with exclude fragment set).
  std::string_view href_without_fragment() const {
    return std::string_view(href_).substr(0, has_fragment() ? fragment_start_ : href_.size());
  }

  // Setters with the URL Standard's API semantics (6.1 URL class): `value` is parsed into this
  // URL as the corresponding attribute setter does, and values the standard ignores or rejects
  // leave the URL unchanged. Each returns true when the URL changed. Views obtained earlier are
  // invalidated by any change.
  bool set_href(std::string_view value);
  bool set_protocol(std::string_view value);
  bool set_username(std::string_view value);
  bool set_password(std::string_view value);
  bool set_host(std::string_view value);
  bool set_hostname(std::string_view value);
  bool set_port(std::string_view value);
  bool set_pathname(std::string_view value);
  bool set_search(std::string_view value);
  bool set_hash(std::string_view value);

  friend bool operator==(const Url& a, const Url& b) { return a.href_ == b.href_; }

 private:
  friend class UrlBuilder;
  static constexpr uint32_t kNone = UINT32_MAX;

  uint32_t username_start() const { return scheme_end_ + 3; }
  bool has_password() const {
    return has_host_ && username_end_ < host_start_ && href_[username_end_] == ':';
  }
  uint32_t path_end() const {
    if (has_query()) return query_start_;
    if (has_fragment()) return fragment_start_;
    return static_cast<uint32_t>(href_.size());
  }

  std::string href_;
  uint32_t scheme_end_ = 0;    // index of the ':' after the scheme
  uint32_t username_end_ = 0;  // end of the username (authority URLs only)
  uint32_t host_start_ = 0;    // start of the hostname (after "//" and any "user:pass@")
  uint32_t host_end_ = 0;      // end of the hostname
  uint32_t path_start_ = 0;    // start of the pathname
  uint32_t query_start_ = kNone;
  uint32_t fragment_start_ = kNone;
  int32_t port_ = -1;
  Scheme scheme_type_ = Scheme::kOther;
  bool has_host_ = false;
  bool has_opaque_path_ = false;
};

// 4.4 basic URL parser (without state override). Fails on any input the standard rejects, and on
// input longer than limits::kMaxUrlBytes. Relative input is resolved against `base`.
Result<Url> parse(std::string_view input, const Url* base = nullptr);

// Parses `input` relative to the absolute URL `base` (both strings).
Result<Url> parse(std::string_view input, std::string_view base);

// The default port of a special scheme (4.1), or -1.
int default_port(Scheme scheme);

}  // namespace riptide::url
