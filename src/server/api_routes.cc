#include "server/api_routes.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "server/work_pool.h"
#include "store/api_key_json.h"
#include "store/api_keys.h"
#include "store/store.h"

namespace riptide::server {

namespace {

using Json = nlohmann::ordered_json;

// Bodies up to this size are decoded on the I/O thread (a URL request is a few hundred bytes;
// parsing takes microseconds). Larger ones — HTML in the body, up to max_body_bytes — are decoded
// on a worker, so an I/O thread never spends milliseconds parsing JSON while its other
// connections wait.
constexpr size_t kInlineDecodeBytes = size_t{64} << 10;

// The batch routes: which body they read and how they answer by default (Accept may ask for
// NDJSON or SSE on any of them).
enum class BatchRoute : uint8_t {
  kV1Batch,        // /v1/batch: the /v1 body, JSON
  kExtractStream,  // /extract/stream: the /v1/batch body (compat), NDJSON
  kCrawl,          // /crawl: {urls, options}, JSON
  kCrawlStream,    // /crawl/stream: {urls, options}, NDJSON
};

struct Api {
  ServerContext& context;
  ApiServices services;

  // Pages and HTML bytes of a key's request (the server counts requests, errors and bytes out).
  void account(const std::optional<std::string>& key_id, uint64_t pages, uint64_t bytes_in) {
    if (!key_id.has_value()) return;
    store::Usage usage;
    usage.pages = pages;
    usage.bytes_in = bytes_in;
    services.store.add_usage(*key_id, usage);
  }
};

// One page's request while it moves between the pools.
struct SingleJob {
  std::shared_ptr<Api> api;
  std::string request_id;
  std::optional<std::string> key_id;
  ExtractOptions options;
  std::shared_ptr<ResponseWriter> writer;

  void answer(Result<Document> document) {
    if (!document.ok()) {
      writer->send(
          error_response(document.error(), request_id, api->context.config.retry_after_seconds));
      return;
    }
    api->account(key_id, 1, document->input_bytes);
    HttpResponse response;
    response.body = document->json.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (document->cache != CacheStatus::kNone) {
      response.headers.emplace_back("X-Cache", std::string(cache_status_name(document->cache)));
    }
    writer->send(std::move(response));
  }

  // A single request is not queued behind a full pool: the client retries (Retry-After).
  void busy(std::string_view pool) {
    answer(Error(ErrorCode::kUnavailable, std::string(pool) + " queue is full; retry later"));
  }
};

// Where a handler's continuation runs: on a worker the extraction runs inline instead of being
// queued again.
enum class Thread : uint8_t { kOther, kWorker };

// Runs `handle(request, thread)` on this I/O thread when the body is small, else on a worker
// (503 + Retry-After when the worker queue is full).
template <typename Handle>
void decode_where_cheap(const std::shared_ptr<Api>& api, HttpRequest request,
                        std::shared_ptr<ResponseWriter> writer, Handle handle) {
  if (request.body.size() <= kInlineDecodeBytes) {
    handle(std::move(request), std::move(writer), Thread::kOther);
    return;
  }
  std::string request_id = request.request_id;
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  bool queued = api->context.workers.try_submit(
      [shared, writer, handle] { handle(std::move(*shared), writer, Thread::kWorker); });
  if (!queued) {
    writer->send(error_response(Error(ErrorCode::kUnavailable, "worker queue is full; retry later"),
                                request_id, api->context.config.retry_after_seconds));
  }
}

void extract_on_worker(std::shared_ptr<SingleJob> job, std::shared_ptr<LoadedPage> loaded,
                       Thread thread) {
  auto run = [job, loaded] {
    job->answer(job->api->services.service.extract(std::move(*loaded), job->options));
  };
  if (thread == Thread::kWorker) return run();  // already there
  if (!job->api->context.workers.try_submit(run)) job->busy("worker");
}

void handle_extract(const std::shared_ptr<Api>& api, Dialect dialect, HttpRequest request,
                    std::shared_ptr<ResponseWriter> writer, Thread thread) {
  Result<ExtractRequest> decoded = decode_extract_request(request.body, dialect);
  if (!decoded.ok()) {
    writer->send(error_response(decoded.error(), request.request_id, 0));
    return;
  }
  auto job = std::make_shared<SingleJob>();
  job->api = api;
  job->request_id = std::move(request.request_id);
  if (request.principal.has_value()) job->key_id = request.principal->key_id;
  job->options = std::move(decoded->options);
  job->writer = std::move(writer);

  auto page = std::make_shared<PageInput>(std::move(decoded->page));
  if (!page->fetches()) {
    // HTML in the request: load() only moves it, so straight to a worker.
    Result<LoadedPage> loaded = api->services.service.load(std::move(*page), job->options);
    if (!loaded.ok()) return job->answer(loaded.error());
    return extract_on_worker(job, std::make_shared<LoadedPage>(std::move(*loaded)), thread);
  }
  bool queued = api->context.fetchers.try_submit([job, page] {
    Result<LoadedPage> loaded = job->api->services.service.load(std::move(*page), job->options);
    if (!loaded.ok()) return job->answer(loaded.error());
    if (loaded->cached.has_value()) {
      // A cache hit is only filtered: no worker needed.
      return job->answer(job->api->services.service.extract(std::move(*loaded), job->options));
    }
    extract_on_worker(job, std::make_shared<LoadedPage>(std::move(*loaded)), Thread::kOther);
  });
  if (!queued) job->busy("fetch");
}

void handle_batch(const std::shared_ptr<Api>& api, BatchRoute route, HttpRequest request,
                  std::shared_ptr<ResponseWriter> writer, Thread /*thread: any*/) {
  const ServerConfig& config = api->context.config;
  Result<BatchRequest> decoded = route == BatchRoute::kV1Batch
                                     ? decode_batch_request(request.body, Dialect::kV1, config)
                                 : route == BatchRoute::kExtractStream
                                     ? decode_batch_request(request.body, Dialect::kCompat, config)
                                     : decode_crawl_request(request.body, config);
  if (!decoded.ok()) {
    writer->send(error_response(decoded.error(), request.request_id, 0));
    return;
  }
  BatchOutput fallback = route == BatchRoute::kV1Batch || route == BatchRoute::kCrawl
                             ? BatchOutput::kJson
                             : BatchOutput::kNdjson;
  BatchOutput output = batch_output(request.header("Accept"), fallback);
  std::optional<std::string> key_id;
  if (request.principal.has_value()) key_id = request.principal->key_id;
  BatchEnv env{api->services.service, api->context.fetchers, api->context.workers,
               api->services.delayed, config.stream_buffer_bytes};
  run_batch(env, std::move(*decoded), output, std::move(writer),
            [api, key_id](const BatchTotals& totals) {
              api->account(key_id, totals.succeeded, totals.bytes_in);
            });
}

// POST /api/auth/keys (admin keys only): the key is in this response and nowhere else.
void handle_create_key(const std::shared_ptr<Api>& api, HttpRequest request,
                       std::shared_ptr<ResponseWriter> writer) {
  Result<KeyRequest> decoded = decode_key_request(request.body);
  if (!decoded.ok()) {
    writer->send(error_response(decoded.error(), request.request_id, 0));
    return;
  }
  auto key = std::make_shared<KeyRequest>(std::move(*decoded));
  std::string request_id = request.request_id;
  uint32_t retry_after = api->context.config.retry_after_seconds;
  // The store writes to disk: not on the I/O thread.
  bool queued = api->context.fetchers.try_submit([api, key, writer, request_id, retry_after] {
    store::KeyLimits limits{key->rate_per_minute, key->burst, key->concurrency};
    Result<store::CreatedKey> created =
        store::create_api_key(api->services.store, key->name, key->admin, limits);
    if (!created.ok()) {
      writer->send(error_response(created.error(), request_id, retry_after));
      return;
    }
    Json body = {{"key", created->key}};
    body.update(store::api_key_to_json(created->record));
    HttpResponse response;
    response.status = 201;
    response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    writer->send(std::move(response));
  });
  if (!queued) {
    writer->send(error_response(Error(ErrorCode::kUnavailable, "fetch queue is full; retry later"),
                                request_id, retry_after));
  }
}

}  // namespace

void register_api_routes(Router& router, ServerContext& context, ApiServices services) {
  auto api = std::make_shared<Api>(Api{context, services});
  auto extract = [api](Dialect dialect) {
    return [api, dialect](HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
      decode_where_cheap(
          api, std::move(request), std::move(writer),
          [api, dialect](HttpRequest r, std::shared_ptr<ResponseWriter> w, Thread thread) {
            handle_extract(api, dialect, std::move(r), std::move(w), thread);
          });
    };
  };
  auto batch = [api](BatchRoute route) {
    return [api, route](HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
      decode_where_cheap(
          api, std::move(request), std::move(writer),
          [api, route](HttpRequest r, std::shared_ptr<ResponseWriter> w, Thread thread) {
            handle_batch(api, route, std::move(r), std::move(w), thread);
          });
    };
  };
  router.add("POST", "/v1/extract", Access::kKey, extract(Dialect::kV1));
  router.add("POST", "/v1/batch", Access::kKey, batch(BatchRoute::kV1Batch));
  router.add("POST", "/api/extract", Access::kKey, extract(Dialect::kCompat));
  router.add("POST", "/extract", Access::kKey, extract(Dialect::kCompat));
  router.add("POST", "/extract/stream", Access::kKey, batch(BatchRoute::kExtractStream));
  router.add("POST", "/crawl", Access::kKey, batch(BatchRoute::kCrawl));
  router.add("POST", "/crawl/stream", Access::kKey, batch(BatchRoute::kCrawlStream));
  router.add("POST", "/api/auth/keys", Access::kAdmin,
             [api](HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
               handle_create_key(api, std::move(request), std::move(writer));
             });
}

}  // namespace riptide::server
