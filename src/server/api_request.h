#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "extract/record.h"
#include "server/config.h"

// Decoding the JSON bodies of the API routes (docs/api.md) into plain structs. Every malformed
// body is a kInvalidArgument whose message names the field ("mode must be one of article, full,
// metadata, custom"); the handlers answer it with 400 and the message as is. Nothing here does
// I/O, so the decoders are fuzzed directly (tests/fuzz/api_request_fuzz.cc).
namespace riptide::server {

// What a document response carries besides url and stats (the "formats" field).
enum class Format : uint8_t {
  kMarkdown = 1 << 0,
  kText = 1 << 1,
  kHtml = 1 << 2,
  kLinks = 1 << 3,
  kMedia = 1 << 4,
  // title, byline, published, site_name, description, language, categories, word_count,
  // reading_time, quality_score.
  kMetadata = 1 << 5,
};
// A set of Formats, one bit each.
using FormatSet = uint8_t;
inline constexpr FormatSet kAllFormats = 0x3f;
inline bool has_format(FormatSet set, Format format) {
  return (set & static_cast<FormatSet>(format)) != 0;
}

// Limits of a request beyond the HTTP body size (ServerConfig::max_body_bytes).
// Brackets open at once; deeper bodies are refused before nlohmann::json builds them (its parser
// would allocate one node per bracket, so 24 MiB of "[" would take gigabytes).
inline constexpr uint32_t kMaxRequestJsonDepth = 32;
// CSS selectors of a custom-mode request (each may itself be a comma-separated list; the selector
// parser bounds each one's length and nesting).
inline constexpr size_t kMaxSelectors = 64;
// max_age beyond this is treated as this: older entries than ten years do not exist, and a bound
// keeps the store's `now - max_age` arithmetic far from overflow.
inline constexpr std::chrono::seconds kMaxCacheAge{10LL * 365 * 24 * 3600};

// How every item of a request is extracted and answered.
struct ExtractOptions {
  extract::Mode mode = extract::Mode::kArticle;
  std::vector<std::string> selectors;  // mode custom only (at least one)
  FormatSet formats = kAllFormats;
  // The oldest cached document the caller accepts; nullopt = ServerConfig::cache_max_age, 0 = a
  // fresh fetch.
  std::optional<std::chrono::seconds> max_age;
};

// One page: a URL to fetch, or HTML given in the request (then `url` is only the base for links
// and the record's url, and may be empty).
struct PageInput {
  std::string url;  // an http(s) URL as serialized by url::parse, or ""
  std::optional<std::string> html;
  bool fetches() const { return !html.has_value(); }
};

// POST /v1/extract, POST /api/extract, POST /extract.
struct ExtractRequest {
  PageInput page;
  ExtractOptions options;
};

// POST /v1/batch, /extract/stream, /crawl, /crawl/stream.
struct BatchRequest {
  std::vector<PageInput> items;  // in input order, 1..max_batch_items
  ExtractOptions options;
  // Items in flight at once: ServerConfig::default_batch_concurrency when absent; values above
  // ServerConfig::max_batch_concurrency are lowered to it.
  uint32_t concurrency = 0;
};

// POST /api/auth/keys.
struct KeyRequest {
  std::string name;
  bool admin = false;
  uint32_t rate_per_minute = 0;  // 0 = the server's default
  uint32_t burst = 0;
  uint32_t concurrency = 0;
};

// Which body shape a route accepts. The /v1 routes refuse fields they do not know (a typo such as
// "fromats" would otherwise be silently ignored); the compatibility routes ignore them, so the
// seed system's clients keep working when they send options riptide does not have.
enum class Dialect : uint8_t { kV1, kCompat };

// {url | html (+url), mode, selectors, formats, max_age}.
Result<ExtractRequest> decode_extract_request(std::string_view body, Dialect dialect);

// {urls: [...] | items: [{url, html?}], mode, selectors, formats, concurrency, max_age}: /v1/batch
// (kV1) and /extract/stream (kCompat).
Result<BatchRequest> decode_batch_request(std::string_view body, Dialect dialect,
                                          const ServerConfig& config);

// The seed system's crawl body: {urls: [...], options: {mode, selectors, formats, concurrency,
// max_age, ...}}; other options (depth, limits of the seed crawler) are ignored.
Result<BatchRequest> decode_crawl_request(std::string_view body, const ServerConfig& config);

// {name, admin?, rate_per_minute?, burst?, concurrency?}.
Result<KeyRequest> decode_key_request(std::string_view body);

// "markdown" | "text" | "html" | "links" | "media" | "metadata"
std::string_view format_name(Format format);

}  // namespace riptide::server
