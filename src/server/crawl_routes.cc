#include "server/crawl_routes.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "server/batch_runner.h"
#include "server/crawl_jobs.h"
#include "server/work_pool.h"
#include "store/store.h"

namespace riptide::server {

namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& json) {
  // Stored results and job records are valid UTF-8; `replace` only keeps dump() from throwing.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse ordered_json_response(unsigned status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = dump(body);
  return response;
}

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// ?limit=N: `fallback` when absent, lowered to `max`, at least 1.
Result<size_t> limit_param(const HttpRequest& request, size_t fallback, size_t max) {
  std::optional<std::string> text = request.query_param("limit");
  if (!text.has_value()) return fallback;
  std::optional<uint64_t> value = str::parse_uint(*text);
  if (!value.has_value() || *value == 0) {
    return invalid("limit must be a positive integer, got '" + *text + "'");
  }
  return static_cast<size_t>(std::min<uint64_t>(*value, max));
}

// The owner a request acts for: "" (every owner) for an admin key.
std::string owner_filter(const HttpRequest& request) {
  if (!request.principal.has_value()) return "anonymous";
  return request.principal->admin ? std::string() : request.principal->key_id;
}

// The owner a new job gets: the key that created it.
std::string owner_of(const HttpRequest& request) {
  return request.principal.has_value() ? request.principal->key_id : std::string("anonymous");
}

// What an SSE status event compares: a new one is sent when any of these changed.
std::string status_signature(const Json& job) {
  Json key = {{"status", job.value("status", Json())}, {"pages", job.value("pages", Json())}};
  return dump(key);
}

// What the handlers share.
struct CrawlApi : std::enable_shared_from_this<CrawlApi> {
  CrawlApi(ServerContext& c, CrawlServices s) : context(c), services(s) {}

  ServerContext& context;
  CrawlServices services;

  // Runs `fn` on the fetch pool (store access is disk I/O: never on the I/O thread); a full pool
  // answers 503 with Retry-After.
  void on_store_thread(const std::shared_ptr<ResponseWriter>& writer, std::string request_id,
                       std::function<void()> fn) {
    if (!context.fetchers.try_submit(std::move(fn))) {
      writer->send(
          error_response(Error(ErrorCode::kUnavailable, "fetch queue is full; retry later"),
                         request_id, context.config.retry_after_seconds));
    }
  }

  void send_error(const std::shared_ptr<ResponseWriter>& writer, const Error& error,
                  std::string_view request_id) {
    writer->send(error_response(error, request_id, context.config.retry_after_seconds));
  }

  void submit(HttpRequest request, std::shared_ptr<ResponseWriter> writer);
  void list(HttpRequest request, std::shared_ptr<ResponseWriter> writer);
  void get(HttpRequest request, std::shared_ptr<ResponseWriter> writer);
  void cancel(HttpRequest request, std::shared_ptr<ResponseWriter> writer);
  void results(HttpRequest request, std::shared_ptr<ResponseWriter> writer);

  // GET and DELETE /v1/crawl/{id}: `action` (CrawlJobs::get or cancel) on the fetch pool, then
  // the job.
  using JobAction = Result<CrawlJobView> (CrawlJobs::*)(std::string_view, std::string_view);
  void answer_job(HttpRequest request, std::shared_ptr<ResponseWriter> writer, JobAction action);
};

// One live results stream (NDJSON or SSE). Steps run on the fetch pool; between steps the stream
// waits in CrawlJobs::when_results or ResponseWriter::when_writable, holding no thread.
class ResultStream : public std::enable_shared_from_this<ResultStream> {
 public:
  ResultStream(std::shared_ptr<CrawlApi> api, std::string id, std::string owner, uint64_t after,
               BatchOutput output, std::shared_ptr<ResponseWriter> writer)
      : api_(std::move(api)),
        id_(std::move(id)),
        owner_(std::move(owner)),
        after_(after),
        output_(output),
        writer_(std::move(writer)) {}

  // The response has started: the first step reads what is already stored.
  void start(Json job) {
    if (output_ == BatchOutput::kSse) {
      // Proxies such as nginx buffer responses unless told not to; an event stream must not be.
      writer_->start_stream(200, "text/event-stream", {{"X-Accel-Buffering", "no"}});
      send_status(job);
    } else {
      writer_->start_stream(200, "application/x-ndjson");
    }
    step();
  }

  // Queues the next step on the fetch pool; a full pool retries after kCapacityRetryDelay.
  void schedule() {
    auto self = shared_from_this();
    if (!api_->context.fetchers.try_submit([self] { self->step(); })) {
      api_->services.delayed.run_after(kCapacityRetryDelay, [self] { self->schedule(); });
    }
  }

 private:
  bool sse() const { return output_ == BatchOutput::kSse; }

  void step() {
    if (writer_->client_gone()) return;  // nothing to send to; the writer ends the request
    CrawlJobs& jobs = api_->services.jobs;
    if (jobs.shutting_down()) {
      writer_->finish();
      return;
    }
    if (writer_->pending_bytes() >= api_->context.config.stream_buffer_bytes) {
      auto self = shared_from_this();
      writer_->when_writable([self] { self->schedule(); });
      return;
    }
    // The job first: when it is final here, every result it will ever have is stored.
    Result<CrawlJobView> view = jobs.get(id_, owner_);
    if (!view.ok()) return fail(view.error());
    Json job = crawl_job_to_json(*view);
    const bool final = store::is_final(view->record.state);
    Result<std::vector<store::CrawlResultRecord>> page =
        jobs.results(id_, owner_, after_, kCrawlStreamBatch);
    if (!page.ok()) return fail(page.error());

    if (sse()) send_status(job);
    // Results up to the writer's free buffer (at least one, so a stream always moves), in one
    // write; the rest is read again next step.
    const size_t buffer = api_->context.config.stream_buffer_bytes;
    const size_t pending = writer_->pending_bytes();
    const size_t room = pending < buffer ? buffer - pending : 0;
    std::string out;
    size_t sent = 0;
    for (const store::CrawlResultRecord& result : *page) {
      if (sse()) {
        out +=
            "id: " + std::to_string(result.seq) + "\nevent: result\ndata: " + result.json + "\n\n";
      } else {
        out += result.json;
        out += '\n';
      }
      after_ = result.seq;
      ++sent;
      if (out.size() >= room) break;
    }
    if (!out.empty() && !writer_->write(std::move(out))) return;  // the client is gone

    if (sent < page->size() || page->size() == kCrawlStreamBatch) {
      // More is stored already: the next step waits for the buffer to drain if it must, and
      // lets other tasks of the pool run in between.
      schedule();
      return;
    }
    if (final) {
      if (sse()) writer_->write("event: done\ndata: " + dump(job) + "\n\n");
      writer_->finish();
      return;
    }
    auto self = shared_from_this();
    jobs.when_results(id_, after_, [self] { self->schedule(); });
  }

  // The job vanished (deleted) or the store failed mid-stream: the status line is long gone, so
  // SSE says why in an `error` event; NDJSON just ends.
  void fail(const Error& error) {
    if (sse()) {
      Json body = {{"code", error_code_name(error.code())}, {"message", error.message()}};
      writer_->write("event: error\ndata: " + dump(body) + "\n\n");
    }
    writer_->finish();
  }

  void send_status(const Json& job) {
    std::string signature = status_signature(job);
    if (signature == last_status_) return;
    last_status_ = std::move(signature);
    writer_->write("event: status\ndata: " + dump(job) + "\n\n");
  }

  const std::shared_ptr<CrawlApi> api_;
  const std::string id_;
  const std::string owner_;
  uint64_t after_;  // the last seq sent; steps never overlap, so no lock
  const BatchOutput output_;
  const std::shared_ptr<ResponseWriter> writer_;
  std::string last_status_;
};

// ?stream=ndjson|sse, else the Accept header, else a JSON page.
Result<BatchOutput> results_output(const HttpRequest& request) {
  std::optional<std::string> stream = request.query_param("stream");
  if (!stream.has_value()) return batch_output(request.header("Accept"), BatchOutput::kJson);
  if (*stream == "ndjson") return BatchOutput::kNdjson;
  if (*stream == "sse") return BatchOutput::kSse;
  return invalid("stream must be ndjson or sse, got '" + *stream + "'");
}

// Where results start: ?after=SEQ (0 when absent); for SSE a Last-Event-ID header (a reconnecting
// EventSource repeats the original URL) takes precedence.
Result<uint64_t> results_after(const HttpRequest& request, BatchOutput output) {
  if (output == BatchOutput::kSse && request.has_header("Last-Event-ID")) {
    std::string_view text = request.header("Last-Event-ID");
    std::optional<uint64_t> seq = str::parse_uint(text);
    if (!seq.has_value()) {
      return invalid("Last-Event-ID must be a result seq, got '" + std::string(text) + "'");
    }
    return *seq;
  }
  std::optional<std::string> text = request.query_param("after");
  if (!text.has_value()) return uint64_t{0};
  std::optional<uint64_t> seq = str::parse_uint(*text);
  if (!seq.has_value())
    return invalid("after must be a result seq (integer >= 0), got '" + *text + "'");
  return *seq;
}

void CrawlApi::submit(HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
  auto self = shared_from_this();
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  // Decoding builds the URL filter (patterns compile): the pool, like the store write after it.
  on_store_thread(writer, shared->request_id, [self, shared, writer] {
    Result<CrawlRequest> decoded = decode_crawl_job_request(shared->body, self->services.config);
    if (!decoded.ok()) return self->send_error(writer, decoded.error(), shared->request_id);
    Result<store::CrawlJobRecord> record =
        self->services.jobs.submit(owner_of(*shared), std::move(*decoded));
    if (!record.ok() && record.error().code() == ErrorCode::kResourceLimit) {
      // The key's cap on queued + running crawls: a limit of the caller's, like a rate limit.
      return writer->send(
          error_response(429, "too_many_crawls", record.error().message(), shared->request_id));
    }
    if (!record.ok()) return self->send_error(writer, record.error(), shared->request_id);
    HttpResponse response =
        ordered_json_response(202, crawl_job_to_json(CrawlJobView{*record, {}}));
    response.headers.emplace_back("Location", "/v1/crawl/" + record->id);
    writer->send(std::move(response));
  });
}

void CrawlApi::list(HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
  Result<size_t> limit = limit_param(request, kDefaultCrawlJobsListed, kMaxCrawlJobsListed);
  if (!limit.ok()) return send_error(writer, limit.error(), request.request_id);
  auto self = shared_from_this();
  std::string owner = owner_filter(request);
  std::string request_id = request.request_id;
  on_store_thread(writer, request_id, [self, writer, owner, request_id, limit = *limit] {
    Result<std::vector<CrawlJobView>> jobs = self->services.jobs.list(owner, limit);
    if (!jobs.ok()) return self->send_error(writer, jobs.error(), request_id);
    Json body = {{"jobs", Json::array()}};
    for (const CrawlJobView& job : *jobs) body["jobs"].push_back(crawl_job_to_json(job));
    writer->send(ordered_json_response(200, body));
  });
}

void CrawlApi::answer_job(HttpRequest request, std::shared_ptr<ResponseWriter> writer,
                          JobAction action) {
  auto self = shared_from_this();
  std::string id(request.path_param("id"));
  std::string owner = owner_filter(request);
  std::string request_id = request.request_id;
  on_store_thread(writer, request_id, [self, writer, id, owner, request_id, action] {
    Result<CrawlJobView> job = (self->services.jobs.*action)(id, owner);
    if (!job.ok()) return self->send_error(writer, job.error(), request_id);
    writer->send(ordered_json_response(200, crawl_job_to_json(*job)));
  });
}

void CrawlApi::get(HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
  answer_job(std::move(request), std::move(writer), &CrawlJobs::get);
}

void CrawlApi::cancel(HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
  answer_job(std::move(request), std::move(writer), &CrawlJobs::cancel);
}

void CrawlApi::results(HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
  Result<BatchOutput> output = results_output(request);
  if (!output.ok()) return send_error(writer, output.error(), request.request_id);
  Result<uint64_t> after = results_after(request, *output);
  if (!after.ok()) return send_error(writer, after.error(), request.request_id);
  Result<size_t> limit = limit_param(request, kDefaultCrawlResultsPage, kMaxCrawlResultsPage);
  if (!limit.ok()) return send_error(writer, limit.error(), request.request_id);

  auto self = shared_from_this();
  std::string id(request.path_param("id"));
  std::string owner = owner_filter(request);
  std::string request_id = request.request_id;
  on_store_thread(
      writer, request_id,
      [self, writer, id, owner, request_id, output = *output, after = *after, limit = *limit] {
        CrawlJobs& jobs = self->services.jobs;
        // The job first (404 before any stream starts; and a final state seen here means the
        // results read next are all there are).
        Result<CrawlJobView> job = jobs.get(id, owner);
        if (!job.ok()) return self->send_error(writer, job.error(), request_id);
        if (output != BatchOutput::kJson) {
          auto stream = std::make_shared<ResultStream>(self, id, owner, after, output, writer);
          return stream->start(crawl_job_to_json(*job));
        }
        Result<std::vector<store::CrawlResultRecord>> page = jobs.results(id, owner, after, limit);
        if (!page.ok()) return self->send_error(writer, page.error(), request_id);
        // The stored objects are already JSON: spliced in, not parsed and dumped again.
        std::string body = "{\"results\":[";
        uint64_t next_after = after;
        for (size_t i = 0; i < page->size(); ++i) {
          if (i > 0) body += ',';
          body += (*page)[i].json;
          next_after = (*page)[i].seq;
        }
        const bool done = store::is_final(job->record.state) && page->size() < limit;
        body += "],\"next_after\":" + std::to_string(next_after) +
                ",\"done\":" + (done ? "true" : "false") + "}";
        HttpResponse response;
        response.body = std::move(body);
        writer->send(std::move(response));
      });
}

}  // namespace

void register_crawl_routes(Router& router, ServerContext& context, CrawlServices services) {
  auto api = std::make_shared<CrawlApi>(context, services);
  using Method = void (CrawlApi::*)(HttpRequest, std::shared_ptr<ResponseWriter>);
  auto handler = [api](Method method) {
    return [api, method](HttpRequest request, std::shared_ptr<ResponseWriter> writer) {
      ((*api).*method)(std::move(request), std::move(writer));
    };
  };
  router.add("POST", "/v1/crawl", Access::kKey, handler(&CrawlApi::submit));
  router.add("GET", "/v1/crawl", Access::kKey, handler(&CrawlApi::list));
  router.add("GET", "/v1/crawl/{id}", Access::kKey, handler(&CrawlApi::get));
  router.add("DELETE", "/v1/crawl/{id}", Access::kKey, handler(&CrawlApi::cancel));
  router.add("GET", "/v1/crawl/{id}/results", Access::kKey, handler(&CrawlApi::results));
}

}  // namespace riptide::server
