#include "server/batch_runner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "pipeline/record_json.h"
#include "server/work_pool.h"

namespace riptide::server {

namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& json) {
  // Records hold valid UTF-8; `replace` only keeps dump() from throwing on a bug.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool contains_ascii_ci(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          auto lower = [](char c) {
                            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
                          };
                          return lower(a) == lower(b);
                        });
  return it != haystack.end();
}

class BatchRun : public std::enable_shared_from_this<BatchRun> {
 public:
  BatchRun(const BatchEnv& env, BatchRequest request, BatchOutput output,
           std::shared_ptr<ResponseWriter> writer, std::function<void(const BatchTotals&)> on_done)
      : env_(env),
        options_(std::move(request.options)),
        concurrency_(std::max<uint32_t>(1, request.concurrency)),
        output_(output),
        writer_(std::move(writer)),
        on_done_(std::move(on_done)),
        start_(std::chrono::steady_clock::now()) {
    totals_.total = static_cast<uint32_t>(request.items.size());
    urls_.reserve(request.items.size());
    for (PageInput& item : request.items) {
      urls_.push_back(item.url);
      pages_.push_back(std::make_shared<PageInput>(std::move(item)));
    }
    for (size_t i = 0; i < pages_.size(); ++i) waiting_.push_back(i);
    if (output_ == BatchOutput::kJson) results_.resize(pages_.size());
  }

  void start() {
    if (output_ == BatchOutput::kNdjson) {
      writer_->start_stream(200, "application/x-ndjson");
    } else if (output_ == BatchOutput::kSse) {
      // Proxies such as nginx buffer responses unless told not to; an event stream must not be.
      writer_->start_stream(200, "text/event-stream", {{"X-Accel-Buffering", "no"}});
    }
    launch();
  }

 private:
  bool streaming() const { return output_ != BatchOutput::kJson; }

  // Starts items while the limits allow; finishes the batch when nothing is left to do.
  void launch() {
    std::unique_lock lock(mutex_);
    while (in_flight_ < concurrency_ && !waiting_.empty() && !gone_) {
      if (writer_->client_gone()) {
        gone_ = true;
        break;
      }
      if (streaming() && writer_->pending_bytes() >= env_.stream_buffer_bytes) {
        if (!waiting_writable_) {
          waiting_writable_ = true;
          writer_->when_writable([self = shared_from_this()] { self->resume_writable(); });
        }
        break;
      }
      size_t index = waiting_.front();
      waiting_.pop_front();
      ++in_flight_;
      if (!submit(index)) {
        // The pool is full: the item waits at the head of the line. Another item finishing
        // launches again; with none in flight, a timer does.
        --in_flight_;
        waiting_.push_front(index);
        if (in_flight_ == 0 && !retry_scheduled_) {
          retry_scheduled_ = true;
          env_.delayed.run_after(kCapacityRetryDelay, [self = shared_from_this()] {
            {
              std::lock_guard relock(self->mutex_);
              self->retry_scheduled_ = false;
            }
            self->launch();
          });
        }
        break;
      }
    }
    finish_if_done(lock);
  }

  void resume_writable() {
    {
      std::lock_guard lock(mutex_);
      waiting_writable_ = false;
    }
    launch();
  }

  // Hands item `index` to its first pool. Called with mutex_ held (try_submit only queues).
  bool submit(size_t index) {
    std::shared_ptr<PageInput> page = pages_[index];
    auto self = shared_from_this();
    if (!page->fetches()) {
      return env_.workers.try_submit([self, index, page] {
        self->complete(index, self->env_.service.run(std::move(*page), self->options_));
      });
    }
    return env_.fetchers.try_submit([self, index, page] {
      Result<LoadedPage> loaded = self->env_.service.load(std::move(*page), self->options_);
      if (!loaded.ok()) return self->complete(index, loaded.error());
      if (loaded->cached.has_value()) {
        // Filtering a cached record is cheap: no need for a worker.
        return self->complete(index,
                              self->env_.service.extract(std::move(*loaded), self->options_));
      }
      self->extract_on_worker(index, std::make_shared<LoadedPage>(std::move(*loaded)));
    });
  }

  // The second stage; a full worker queue makes the item wait (it stays in flight) rather than
  // fail.
  void extract_on_worker(size_t index, std::shared_ptr<LoadedPage> loaded) {
    auto self = shared_from_this();
    bool queued = env_.workers.try_submit([self, index, loaded] {
      self->complete(index, self->env_.service.extract(std::move(*loaded), self->options_));
    });
    if (!queued) {
      env_.delayed.run_after(kCapacityRetryDelay,
                             [self, index, loaded] { self->extract_on_worker(index, loaded); });
    }
  }

  void complete(size_t index, Result<Document> result) {
    pages_[index].reset();  // the HTML is no longer needed
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
      Json item;
      if (result.ok()) {
        ++totals_.succeeded;
        totals_.bytes_in += result->input_bytes;
        item["type"] = "result";
        item["index"] = index;
        item["url"] = urls_[index];
        if (result->cache != CacheStatus::kNone) {
          item["cache"] = std::string(cache_status_name(result->cache));
        }
        item["document"] = std::move(result->json);
      } else {
        ++totals_.failed;
        item["type"] = "error";
        item["index"] = index;
        item["url"] = urls_[index];
        item["error"] = pipeline::error_to_json(result.error());
      }
      switch (output_) {
        case BatchOutput::kJson:
          results_[index] = std::move(item);
          break;
        case BatchOutput::kNdjson:
          writer_->write(dump(item) + "\n");
          break;
        case BatchOutput::kSse: {
          const char* event = result.ok() ? "result" : "error";
          Json progress = {{"done", totals_.succeeded + totals_.failed},
                           {"total", totals_.total},
                           {"failed", totals_.failed}};
          writer_->write(std::string("event: ") + event + "\ndata: " + dump(item) +
                         "\n\nevent: progress\ndata: " + dump(progress) + "\n\n");
          break;
        }
      }
    }
    launch();
  }

  // Ends the batch once every item finished, or the client is gone and none is in flight.
  void finish_if_done(std::unique_lock<std::mutex>& lock) {
    bool all_done = waiting_.empty() && in_flight_ == 0;
    if (finished_ || !(all_done || (gone_ && in_flight_ == 0))) return;
    finished_ = true;
    totals_.skipped = static_cast<uint32_t>(waiting_.size());
    totals_.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count();
    Json summary = {{"total", totals_.total},
                    {"succeeded", totals_.succeeded},
                    {"failed", totals_.failed},
                    {"elapsed_ms", totals_.elapsed_ms}};
    switch (output_) {
      case BatchOutput::kJson: {
        Json body = {{"results", Json::array()}, {"summary", std::move(summary)}};
        for (Json& result : results_) body["results"].push_back(std::move(result));
        HttpResponse response;
        response.body = dump(body);
        writer_->send(std::move(response));
        break;
      }
      case BatchOutput::kNdjson:
        // One line per item and nothing else: the end of the chunked body marks completion.
        writer_->finish();
        break;
      case BatchOutput::kSse:
        writer_->write("event: done\ndata: " + dump(summary) + "\n\n");
        writer_->finish();
        break;
    }
    BatchTotals totals = totals_;
    lock.unlock();
    if (on_done_) on_done_(totals);
  }

  const BatchEnv env_;
  const ExtractOptions options_;
  const uint32_t concurrency_;
  const BatchOutput output_;
  const std::shared_ptr<ResponseWriter> writer_;
  const std::function<void(const BatchTotals&)> on_done_;
  const std::chrono::steady_clock::time_point start_;
  std::vector<std::string> urls_;
  // Each item's input until it finishes (shared with the task that runs it, so a task the pool
  // refused leaves it here).
  std::vector<std::shared_ptr<PageInput>> pages_;

  std::mutex mutex_;
  std::deque<size_t> waiting_;  // items not started, in input order
  uint32_t in_flight_ = 0;
  bool gone_ = false;
  bool waiting_writable_ = false;
  bool retry_scheduled_ = false;
  bool finished_ = false;
  std::vector<Json> results_;  // kJson: each item's result in its input slot
  BatchTotals totals_;
};

}  // namespace

BatchOutput batch_output(std::string_view accept, BatchOutput fallback) {
  if (contains_ascii_ci(accept, "text/event-stream")) return BatchOutput::kSse;
  if (contains_ascii_ci(accept, "application/x-ndjson")) return BatchOutput::kNdjson;
  return fallback;
}

DelayedRunner::DelayedRunner() : thread_([this] { loop(); }) {}

DelayedRunner::~DelayedRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void DelayedRunner::run_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    entries_.push_back({std::chrono::steady_clock::now() + delay, std::move(fn)});
  }
  changed_.notify_all();
}

void DelayedRunner::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto earliest = std::min_element(entries_.begin(), entries_.end(),
                                     [](const Entry& a, const Entry& b) { return a.due < b.due; });
    if (earliest->due > std::chrono::steady_clock::now()) {
      changed_.wait_until(lock, earliest->due);
      continue;
    }
    std::function<void()> fn = std::move(earliest->fn);
    entries_.erase(earliest);
    lock.unlock();
    fn();
    lock.lock();
  }
}

void run_batch(const BatchEnv& env, BatchRequest request, BatchOutput output,
               std::shared_ptr<ResponseWriter> writer,
               std::function<void(const BatchTotals&)> on_done) {
  auto run = std::make_shared<BatchRun>(env, std::move(request), output, std::move(writer),
                                        std::move(on_done));
  run->start();
}

}  // namespace riptide::server
