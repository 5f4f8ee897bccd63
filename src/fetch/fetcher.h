#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace prometheus {
class Registry;
}

// Fetching web pages over HTTP(S) with libcurl (docs/fetch.md): redirects
// re-checked hop by hop, decompression with a cap on decoded bytes, timeouts, a size cap, the
// SSRF guard (fetch/address_guard.h) on every connection, a content-type check, and the HTML
// Standard's encoding sniffing to UTF-8 (fetch/charset.h).
namespace riptide::fetch {

inline constexpr uint32_t kMaxRedirects = 10;
inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{10'000};
inline constexpr std::chrono::milliseconds kDefaultTotalTimeout{30'000};
// Bytes of body accepted after decompression (a page larger than the extractor's 10 MiB input
// limit is useless; the cap is what stops a zip bomb).
inline constexpr size_t kDefaultMaxBodyBytes = size_t{10} << 20;
// Bytes accepted on the wire (compressed), checked before decoding.
inline constexpr size_t kDefaultMaxWireBytes = size_t{10} << 20;
inline constexpr const char* kDefaultUserAgent =
    "Mozilla/5.0 (compatible; riptide/0.1; +https://github.com/riptide-extract/riptide)";

struct FetchConfig {
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
  std::chrono::milliseconds total_timeout = kDefaultTotalTimeout;
  uint32_t max_redirects = kMaxRedirects;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  size_t max_wire_bytes = kDefaultMaxWireBytes;
  std::string user_agent = kDefaultUserAgent;
  // SSRF guard: false (default) refuses loopback, private, link-local, CGNAT, multicast,
  // reserved and cloud-metadata addresses after DNS resolution and on every redirect hop.
  bool allow_private_networks = false;
  // CIDR blocks admitted even though the guard would refuse them ("127.0.0.1/32", "10.0.0.0/8",
  // "::1/128"). Malformed entries are a configuration error (FetchConfig::validate).
  std::vector<std::string> allow_cidrs;

  // kInvalidArgument naming the first malformed allow_cidrs entry.
  Status validate() const;
};

struct FetchResponse {
  std::string url;        // as requested
  std::string final_url;  // after redirects
  int status = 0;         // HTTP status of the final hop
  std::string content_type;
  // Set for a 2xx HTML/XHTML response: the body decoded to UTF-8, and the encoding it was in
  // ("windows-1251") with where that came from ("http", "meta", ...; fetch/charset.h).
  std::string html;
  std::string encoding;
  std::string encoding_source;
  size_t body_bytes = 0;               // decoded (decompressed) body bytes received
  std::vector<std::string> redirects;  // every URL redirected to, in order
  // The Retry-After header of a 429/503, in seconds (0 when absent); crawling honours it.
  uint32_t retry_after_seconds = 0;
  double elapsed_ms = 0;
  // FetchOptions::raw only: the body as received after content decoding (gzip/br), for any
  // status and content type, not charset-converted (robots.txt, sitemaps). `html` stays empty.
  std::string body;
  // FetchOptions::truncate_body only: the body was cut at the call's max_body_bytes (the rest was
  // not read and the connection was closed).
  bool truncated = false;
};

// The start of the error message (after the URL) when a chain has more than max_redirects
// redirects: robots.txt treats that case as "unavailable" (RFC 9309 2.3.1.2), unlike other
// kFetchFailed errors, so it must be told apart.
inline constexpr std::string_view kTooManyRedirects = "too many redirects";

// Per-call options of Fetcher::fetch.
struct FetchOptions {
  // Return the body of any status and any content type in FetchResponse::body (no HTML check,
  // no charset conversion). More than max_redirects redirects is still kFetchFailed, with the
  // message "too many redirects" (robots.txt treats that as unavailable).
  bool raw = false;
  // Set to true by another thread to abort the transfer promptly (checked by libcurl's progress
  // callback and between socket waits of at most 50 ms, so also while the server sends nothing):
  // the fetch ends with kTimeout "cancelled". May be null.
  const std::atomic<bool>* cancel = nullptr;
  // Overrides FetchConfig::max_redirects for this call when set (robots.txt: kMaxRobotsRedirects).
  std::optional<uint32_t> max_redirects;
  // Overrides FetchConfig::max_body_bytes for this call when non-zero (robots.txt: 500 KiB,
  // sitemaps: 50 MB decoded).
  size_t max_body_bytes = 0;
  // Overrides FetchConfig::max_wire_bytes for this call when non-zero (sitemaps: an uncompressed
  // 50 MB sitemap is 50 MB on the wire too).
  size_t max_wire_bytes = 0;
  // A body longer than the call's max_body_bytes is cut there and returned with
  // FetchResponse::truncated set, instead of failing with kResourceLimit (robots.txt: RFC 9309
  // 2.5 asks for the first 500 KiB to be parsed, not for the file to be refused). The reading
  // stops at the cut, so the wire cap from a Content-Length is not applied either.
  bool truncate_body = false;
};

// True when `error` is the "more than max_redirects redirects" failure (kTooManyRedirects).
bool is_too_many_redirects(const Error& error);

// Thread-safe: any number of threads may call fetch() at once (each transfer uses its own curl
// handle; handles are reused per thread).
class Fetcher {
 public:
  // `registry` receives riptide_fetch_total{outcome} and riptide_fetch_duration_seconds; null
  // for none.
  explicit Fetcher(FetchConfig config, std::shared_ptr<prometheus::Registry> registry = nullptr);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // GET `url` (http or https only). A response for any HTTP status; for a 2xx the body must be
  // HTML or XHTML (Content-Type text/html or application/xhtml+xml, or no Content-Type and a body
  // that sniffs as HTML) and comes back decoded in `html`. For other statuses `html` is empty.
  // Errors: kInvalidArgument bad URL or scheme; kBlockedAddress the SSRF guard refused an
  // address (any hop); kUnsupportedContentType a 2xx that is not HTML ("application/pdf");
  // kResourceLimit body over max_wire_bytes / max_body_bytes (a zip bomb); kTimeout connect or
  // total timeout; kFetchFailed DNS, connection, TLS errors or more than max_redirects redirects.
  Result<FetchResponse> fetch(std::string_view url) const;
  // The same with per-call options: `raw` lifts the HTML requirement (any 2xx type, body in
  // FetchResponse::body); cancel, limit overrides and truncation as FetchOptions describes.
  Result<FetchResponse> fetch(std::string_view url, const FetchOptions& options) const;

  const FetchConfig& config() const { return config_; }

 private:
  struct Impl;
  FetchConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace riptide::fetch
