#include "server/extract_service.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <utility>

#include "pipeline/extract_page.h"
#include "pipeline/record_json.h"
#include "store/store.h"
#include "url/normalize.h"
#include "url/url.h"

namespace riptide::server {

namespace {

using Json = nlohmann::ordered_json;

// The record's members each format keeps (record_to_json's names); url and stats are always
// kept.
constexpr std::string_view kMetadataFields[] = {
    "title",    "byline",     "published",  "site_name",    "description",
    "language", "categories", "word_count", "reading_time", "quality_score"};

bool kept(std::string_view field, FormatSet formats) {
  if (field == "url" || field == "stats") return true;
  if (field == "markdown") return has_format(formats, Format::kMarkdown);
  if (field == "text") return has_format(formats, Format::kText);
  if (field == "html") return has_format(formats, Format::kHtml);
  if (field == "links") return has_format(formats, Format::kLinks);
  if (field == "media") return has_format(formats, Format::kMedia);
  for (std::string_view metadata : kMetadataFields) {
    if (field == metadata) return has_format(formats, Format::kMetadata);
  }
  // A field added to the record later is shown until a format claims it.
  return true;
}

// A record's JSON as stored in the cache. The record's strings are valid UTF-8 (the sandbox
// validates the guest's output), so `replace` never fires; it only keeps dump() from throwing.
std::string serialize(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string_view cache_status_name(CacheStatus status) {
  switch (status) {
    case CacheStatus::kNone:
      return "none";
    case CacheStatus::kHit:
      return "hit";
    case CacheStatus::kMiss:
      return "miss";
  }
  return "none";
}

std::string cache_key(std::string_view url, const ExtractOptions& options) {
  std::string normalized(url);
  if (Result<url::Url> parsed = url::parse(url); parsed.ok()) {
    normalized = std::string(url::normalize(*parsed).href());
  }
  // "v1" names this layout and the record's JSON shape: bump it when either changes, so old
  // entries are never read as new ones.
  Json key = Json::array({"v1", normalized, extract::mode_name(options.mode), options.selectors});
  return serialize(key);
}

Json filter_document(Json record, FormatSet formats) {
  if (formats == kAllFormats || !record.is_object()) return record;
  Json out = Json::object();
  for (auto& [field, value] : record.items()) {
    if (kept(field, formats)) out[field] = std::move(value);
  }
  return out;
}

struct ExtractService::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : outcomes(prometheus::BuildCounter()
                     .Name("riptide_extract_total")
                     .Help("Pages the API answered, by outcome: ok or the error code")
                     .Register(registry)),
        ok(outcomes.Add({{"outcome", "ok"}})),
        cache(prometheus::BuildCounter()
                  .Name("riptide_cache_total")
                  .Help("Response cache lookups of URL requests, by result (hit, miss)")
                  .Register(registry)),
        hit(cache.Add({{"result", "hit"}})),
        miss(cache.Add({{"result", "miss"}})),
        store_errors(prometheus::BuildCounter()
                         .Name("riptide_cache_errors_total")
                         .Help("Response cache reads and writes that failed (served uncached)")
                         .Register(registry)),
        get_error(store_errors.Add({{"op", "get"}})),
        put_error(store_errors.Add({{"op", "put"}})) {}

  prometheus::Family<prometheus::Counter>& outcomes;
  prometheus::Counter& ok;
  prometheus::Family<prometheus::Counter>& cache;
  prometheus::Counter& hit;
  prometheus::Counter& miss;
  prometheus::Family<prometheus::Counter>& store_errors;
  prometheus::Counter& get_error;
  prometheus::Counter& put_error;
};

ExtractService::ExtractService(sandbox::Engine& engine, FetchFunction fetch, store::Store* store,
                               ExtractServiceOptions options,
                               std::shared_ptr<prometheus::Registry> registry)
    : engine_(engine),
      fetch_(std::move(fetch)),
      store_(store),
      options_(options),
      registry_(registry ? std::move(registry) : std::make_shared<prometheus::Registry>()),
      metrics_(std::make_unique<Metrics>(*registry_)) {}

ExtractService::~ExtractService() = default;

void ExtractService::count(const Error* error) {
  if (error == nullptr) {
    metrics_->ok.Increment();
  } else {
    // Family::Add returns the existing counter for a label set it has seen.
    metrics_->outcomes.Add({{"outcome", std::string(error_code_name(error->code()))}}).Increment();
  }
}

Result<LoadedPage> ExtractService::load(PageInput page, const ExtractOptions& options) {
  LoadedPage loaded;
  loaded.url = std::move(page.url);
  loaded.base_url = loaded.url;
  if (page.html.has_value()) {
    loaded.html = std::move(*page.html);
    return loaded;
  }

  std::chrono::seconds max_age = options.max_age.value_or(options_.cache_max_age);
  if (store_ != nullptr) {
    loaded.cache_key = cache_key(loaded.url, options);
    loaded.cache = CacheStatus::kMiss;
    // max_age 0 asks for a fresh fetch: skip the lookup, still store the new record.
    if (max_age.count() > 0) {
      Result<std::optional<store::CacheEntry>> entry = store_->cache_get(loaded.cache_key, max_age);
      if (!entry.ok()) {
        metrics_->get_error.Increment();
      } else if (entry->has_value()) {
        Json stored = Json::parse((*entry)->value, nullptr, /*allow_exceptions=*/false);
        if (stored.is_object()) {
          metrics_->hit.Increment();
          loaded.cached = std::move(stored);
          loaded.cache = CacheStatus::kHit;
          return loaded;
        }
        // An unreadable entry (another version wrote it, or it was damaged): fetch anew and
        // overwrite it.
        metrics_->get_error.Increment();
      }
    }
    metrics_->miss.Increment();
  }

  Result<fetch::FetchResponse> response = fetch_(loaded.url);
  if (!response.ok()) {
    count(&response.error());
    return response.error();
  }
  if (response->status < 200 || response->status > 299) {
    Error error(ErrorCode::kFetchFailed,
                "origin answered HTTP " + std::to_string(response->status));
    count(&error);
    return error;
  }
  loaded.html = std::move(response->html);
  if (!response->final_url.empty()) loaded.base_url = std::move(response->final_url);
  return loaded;
}

Result<Document> ExtractService::extract(LoadedPage page, const ExtractOptions& options) {
  Document document;
  document.cache = page.cache;
  if (page.cached.has_value()) {
    count(nullptr);
    document.json = filter_document(std::move(*page.cached), options.formats);
    return document;
  }

  extract::Options extract_options;
  extract_options.mode = options.mode;
  extract_options.selectors = options.selectors;
  extract_options.url = page.base_url;
  // A cached record serves later requests with any formats, so it keeps its html.
  extract_options.include_html =
      !page.cache_key.empty() || has_format(options.formats, Format::kHtml);
  Result<extract::Record> record =
      pipeline::extract_page(engine_, options_.engine_kind, page.html, extract_options);
  if (!record.ok()) {
    count(&record.error());
    return record.error();
  }
  count(nullptr);
  document.input_bytes = page.html.size();
  Json json = pipeline::record_to_json(*record);
  if (!page.cache_key.empty() && store_ != nullptr) {
    if (!store_->cache_put(page.cache_key, serialize(json)).ok()) metrics_->put_error.Increment();
  }
  document.json = filter_document(std::move(json), options.formats);
  return document;
}

Result<Document> ExtractService::run(PageInput page, const ExtractOptions& options) {
  Result<LoadedPage> loaded = load(std::move(page), options);
  if (!loaded.ok()) return loaded.error();
  return extract(std::move(*loaded), options);
}

}  // namespace riptide::server
