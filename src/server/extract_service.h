#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "fetch/fetcher.h"
#include "sandbox/engine.h"
#include "server/api_request.h"
#include "server/config.h"

namespace prometheus {
class Registry;
}

namespace riptide::store {
class Store;
}

// One page through the service (docs/api.md "Pipeline"), in two stages so the handlers can run
// each on its own pool:
//
//   load     (fetch pool)   cache lookup (URL requests) ─▶ hit: the stored record
//                           miss ─▶ fetch (redirects, SSRF guard, charset → UTF-8); a non-2xx
//                           origin answer is fetch_failed "origin answered HTTP 404"
//   extract  (worker pool)  sandbox::Engine ─▶ language (CLD2) ─▶ record JSON ─▶ cache put
//                           ─▶ the `formats` the caller asked for
//
// HTML given in the request skips the cache and the fetch: load() does no I/O for it.
// Thread-safe: one service serves every thread.
namespace riptide::server {

// Whether a response came from the response cache: the X-Cache header ("hit" / "miss"; none for
// HTML given in the request, which is never cached).
enum class CacheStatus : uint8_t { kNone, kHit, kMiss };
std::string_view cache_status_name(CacheStatus status);

// What the first stage hands to the second.
struct LoadedPage {
  std::string url;        // as requested ("" for HTML without a URL)
  std::string html;       // UTF-8; empty on a cache hit
  std::string base_url;   // where the HTML came from (after redirects): the extractor's page URL
  std::string cache_key;  // "" when the result must not be cached (HTML given in the request)
  // A cache hit: the stored record (every field; extract() filters it).
  std::optional<nlohmann::ordered_json> cached;
  CacheStatus cache = CacheStatus::kNone;
};

// An extracted document ready to send.
struct Document {
  nlohmann::ordered_json json;  // record_to_json filtered by the request's formats
  CacheStatus cache = CacheStatus::kNone;
  uint64_t input_bytes = 0;  // HTML bytes extracted (0 for a cache hit): usage accounting
};

// Fetches one URL: fetch::Fetcher::fetch in production, a fake in tests.
using FetchFunction = std::function<Result<fetch::FetchResponse>(std::string_view url)>;

// The cache key of a URL request: url::normalize(url) (fragment and tracking parameters dropped)
// + mode + selectors, as a JSON array so no separator can be forged. Formats are not part of it:
// the full record is cached and filtered per request.
std::string cache_key(std::string_view url, const ExtractOptions& options);

// `record` (record_to_json's object) with only what `formats` asks for; url and stats always.
nlohmann::ordered_json filter_document(nlohmann::ordered_json record, FormatSet formats);

struct ExtractServiceOptions {
  // kWasm in the service; kNative only for tests and `riptide serve --engine native`.
  sandbox::EngineKind engine_kind = sandbox::EngineKind::kWasm;
  std::chrono::seconds cache_max_age = kDefaultCacheMaxAge;
};

class ExtractService {
 public:
  // `engine` and `store` must outlive the service; `store` may be null (no cache). `registry`
  // receives riptide_extract_total{outcome} and riptide_cache_total{result}; null for none.
  ExtractService(sandbox::Engine& engine, FetchFunction fetch, store::Store* store,
                 ExtractServiceOptions options,
                 std::shared_ptr<prometheus::Registry> registry = nullptr);
  ~ExtractService();
  ExtractService(const ExtractService&) = delete;
  ExtractService& operator=(const ExtractService&) = delete;

  // Stage 1: for a URL, the cache lookup (unless max_age is 0) and on a miss the fetch; blocks on
  // the network, so it belongs on the fetch pool. For HTML in the request it only moves the HTML.
  Result<LoadedPage> load(PageInput page, const ExtractOptions& options);

  // Stage 2: extraction (CPU-bound, the worker pool), language, JSON, cache put, formats. A
  // cache hit only filters the stored record, so the caller may run it anywhere.
  Result<Document> extract(LoadedPage page, const ExtractOptions& options);

  // Both stages on the calling thread (tests, the crawler's workers).
  Result<Document> run(PageInput page, const ExtractOptions& options);

 private:
  struct Metrics;
  void count(const Error* error);

  sandbox::Engine& engine_;
  FetchFunction fetch_;
  store::Store* store_;
  ExtractServiceOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace riptide::server
