// Fuzzes the API's request decoding (server/api_request.h, and POST /v1/crawl's in
// server/crawl_jobs.h): every input goes through the five decoders. Each must either refuse with
// kInvalidArgument and a message that is valid UTF-8 (the message is sent back inside a JSON error
// body) or give a request that keeps the decoders' promises: http(s) URLs that parse back to
// themselves, batch sizes and concurrency within the configured limits, a non-empty format set,
// selectors exactly when the mode is custom; a crawl job within the caps whose stored form decodes
// back to the same request.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/utf8.h"
#include "server/api_request.h"
#include "server/crawl_jobs.h"
#include "url/url.h"

namespace {

using namespace riptide;

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "api_request_fuzz: %s\n", what);
  std::abort();
}

// Small limits so the fuzzer reaches them.
server::ServerConfig fuzz_config() {
  server::ServerConfig config;
  config.max_batch_items = 4;
  config.default_batch_concurrency = 2;
  config.max_batch_concurrency = 3;
  return config;
}

template <typename T>
bool refused_cleanly(const Result<T>& result) {
  if (result.ok()) return false;
  check(result.error().code() == ErrorCode::kInvalidArgument, "refusal is not invalid_argument");
  check(!result.error().message().empty(), "refusal without a message");
  check(utf8::is_valid(result.error().message()), "refusal message is not valid UTF-8");
  return true;
}

void check_url(const std::string& href, bool may_be_empty) {
  if (href.empty()) {
    check(may_be_empty, "empty URL for a page that is fetched");
    return;
  }
  Result<url::Url> parsed = url::parse(href);
  check(parsed.ok(), "decoded URL does not parse");
  check(parsed->scheme_type() == url::Scheme::kHttp || parsed->scheme_type() == url::Scheme::kHttps,
        "decoded URL is not http(s)");
  check(parsed->href() == href, "decoded URL is not in serialized form");
}

void check_options(const server::ExtractOptions& options) {
  check(options.formats != 0 && (options.formats & ~server::kAllFormats) == 0, "bad format set");
  check((options.mode == extract::Mode::kCustom) == !options.selectors.empty(),
        "selectors without custom mode, or custom mode without selectors");
  check(options.selectors.size() <= server::kMaxSelectors, "too many selectors");
  if (options.max_age) {
    check(options.max_age->count() >= 0 && *options.max_age <= server::kMaxCacheAge,
          "max_age out of range");
  }
}

void check_batch(const server::BatchRequest& batch, const server::ServerConfig& config) {
  check(!batch.items.empty() && batch.items.size() <= config.max_batch_items, "batch size");
  check(batch.concurrency >= 1 && batch.concurrency <= config.max_batch_concurrency,
        "batch concurrency");
  for (const server::PageInput& item : batch.items) check_url(item.url, false);
  check_options(batch.options);
}

void check_crawl_job(const server::CrawlRequest& job, const server::CrawlJobsConfig& config) {
  check(!job.seeds.empty() && job.seeds.size() <= server::kMaxCrawlSeeds, "crawl seed count");
  for (const std::string& seed : job.seeds) check_url(seed, false);
  const crawl::FrontierConfig& frontier = job.options.frontier;
  check(frontier.max_pages >= 1 && frontier.max_pages <= config.max_pages_cap, "crawl max_pages");
  check(frontier.max_depth <= server::kMaxCrawlDepth, "crawl max_depth");
  check(frontier.host_concurrency >= 1 &&
            frontier.host_concurrency <= server::kMaxCrawlHostConcurrency,
        "crawl host_concurrency");
  check(job.options.concurrency >= 1 && job.options.concurrency <= crawl::kMaxCrawlConcurrency,
        "crawl concurrency");
  check(frontier.host_delay.count() >= 0 && frontier.host_delay <= server::kMaxCrawlRequestDelay,
        "crawl delay");
  check(job.formats != 0 && (job.formats & ~server::kAllFormats) == 0, "crawl format set");
  // The stored form (what a restarted service decodes) must give the same request back.
  nlohmann::ordered_json stored = server::crawl_request_to_json(job);
  auto again = server::decode_crawl_job_request(stored.dump(), config);
  check(again.ok(), "stored crawl request does not decode");
  check(server::crawl_request_to_json(*again) == stored, "stored crawl request changes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const server::ServerConfig config = fuzz_config();

  for (server::Dialect dialect : {server::Dialect::kV1, server::Dialect::kCompat}) {
    auto single = server::decode_extract_request(body, dialect);
    if (!refused_cleanly(single)) {
      check(single->page.html.has_value() || !single->page.url.empty(), "neither url nor html");
      check_url(single->page.url, single->page.html.has_value());
      check_options(single->options);
    }
    auto batch = server::decode_batch_request(body, dialect, config);
    if (!refused_cleanly(batch)) check_batch(*batch, config);
  }
  auto crawl = server::decode_crawl_request(body, config);
  if (!refused_cleanly(crawl)) check_batch(*crawl, config);
  server::CrawlJobsConfig crawl_config;
  crawl_config.max_pages_cap = 50;
  auto job = server::decode_crawl_job_request(body, crawl_config);
  if (!refused_cleanly(job)) check_crawl_job(*job, crawl_config);
  auto key = server::decode_key_request(body);
  if (!refused_cleanly(key)) {
    check(!key->name.empty() && utf8::is_valid(key->name), "key name");
  }
  return 0;
}
