#include "server/crawl_jobs.h"

#include <openssl/rand.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "crawl/robots_cache.h"
#include "crawl/state_json.h"
#include "pipeline/record_json.h"
#include "server/extract_service.h"
#include "server/request_json.h"
#include "store/api_key_json.h"

namespace riptide::server {

namespace {

using request_json::quote;
using OrderedJson = nlohmann::ordered_json;

// "crawl_" + 32 hex digits: 128 random bits, so ids can be neither guessed nor enumerated.
constexpr std::string_view kCrawlIdPrefix = "crawl_";
constexpr size_t kCrawlIdRandomBytes = 16;
constexpr size_t kCrawlIdLength = kCrawlIdPrefix.size() + 2 * kCrawlIdRandomBytes;
constexpr char kHexDigits[] = "0123456789abcdef";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every string put in these documents is valid UTF-8 (decoded requests, extracted records), so
// `replace` never fires; it keeps dump() from throwing should that ever be wrong.
std::string dump(const OrderedJson& json) {
  return json.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

Result<std::string> new_crawl_id() {
  std::array<unsigned char, kCrawlIdRandomBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return Error(ErrorCode::kInternal, "the random number generator failed");
  }
  std::string id(kCrawlIdPrefix);
  for (unsigned char b : random) {
    id += kHexDigits[b >> 4];
    id += kHexDigits[b & 15];
  }
  return id;
}

// Ids come from request paths: anything not shaped like one is unknown without asking the store.
bool is_well_formed_id(std::string_view id) {
  if (id.size() != kCrawlIdLength || id.substr(0, kCrawlIdPrefix.size()) != kCrawlIdPrefix) {
    return false;
  }
  return std::all_of(id.begin() + kCrawlIdPrefix.size(), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Error not_found(std::string_view id) {
  return Error(ErrorCode::kNotFound, "no crawl job " + quote(id));
}

OrderedJson optional_time(const std::optional<int64_t>& unix_ms) {
  return unix_ms ? OrderedJson(store::format_time_utc(*unix_ms / 1000)) : OrderedJson(nullptr);
}

// One reported page as the API returns it (docs/api.md "Crawl jobs").
OrderedJson page_to_json(const crawl::CrawlPage& page, uint64_t seq, FormatSet formats) {
  OrderedJson out = OrderedJson::object();
  out["seq"] = seq;
  out["url"] = page.url;
  out["final_url"] = page.final_url;
  out["depth"] = page.depth;
  out["status"] = page.status;
  out["ok"] = page.record.has_value();
  out["skipped"] = page.skipped;
  out["skip_reason"] = page.skipped ? OrderedJson(page.skip_reason) : OrderedJson(nullptr);
  out["duplicate_of"] = page.duplicate_of ? OrderedJson(*page.duplicate_of) : OrderedJson(nullptr);
  if (page.record) {
    out["document"] = filter_document(pipeline::record_to_json(*page.record), formats);
  } else if (page.error) {
    out["error"] = pipeline::error_to_json(*page.error);
  }
  return out;
}

uint64_t reported_pages(const crawl::CrawlProgress& progress) {
  return progress.pages_done + progress.pages_failed + progress.pages_skipped;
}

}  // namespace

nlohmann::ordered_json crawl_job_to_json(const CrawlJobView& view) {
  const store::CrawlJobRecord& record = view.record;
  const crawl::CrawlProgress& progress = view.progress;
  OrderedJson out = OrderedJson::object();
  out["id"] = record.id;
  out["status"] = store::crawl_job_state_name(record.state);
  out["created_at"] = store::format_time_utc(record.created_at / 1000);
  out["started_at"] = optional_time(record.started_at);
  out["finished_at"] = optional_time(record.finished_at);
  int64_t elapsed = 0;
  if (record.started_at) {
    int64_t end = record.finished_at.value_or(now_ms());
    elapsed = std::max<int64_t>(0, end - *record.started_at);
  }
  out["elapsed_ms"] = elapsed;
  out["pages"] = {{"done", progress.pages_done},       {"failed", progress.pages_failed},
                  {"skipped", progress.pages_skipped}, {"duplicates", progress.duplicates},
                  {"queued", progress.queued},         {"in_flight", progress.in_flight}};
  out["error"] = record.error.empty() ? OrderedJson(nullptr) : OrderedJson(record.error);
  OrderedJson request = OrderedJson::parse(record.request_json, nullptr, false);
  out["request"] = request.is_discarded() ? OrderedJson(nullptr) : std::move(request);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The job manager.

struct CrawlJobs::Impl {
  struct Watcher {
    uint64_t after_seq = 0;
    std::function<void()> fn;
  };

  // A job this process is about to run or is running. Fields marked (mutex_) are shared with
  // request threads; the others belong to the runner thread (and its sink) once it took the job.
  struct Job {
    std::string id;
    CrawlRequest request;
    store::CrawlJobRecord record;             // as last stored
    bool started = false;                     // (mutex_) a runner took it from the queue
    bool cancel_requested = false;            // (mutex_) DELETE
    std::shared_ptr<crawl::Crawler> crawler;  // (mutex_) while it runs
    crawl::CrawlProgress counted;             // (mutex_) base + pages reported in this process
    uint64_t stored_seq = 0;                  // (mutex_) last seq in the store
    std::vector<Watcher> watchers;            // (mutex_)
  };

  struct Metrics {
    explicit Metrics(prometheus::Registry& registry)
        : jobs(prometheus::BuildGauge()
                   .Name("riptide_crawl_jobs")
                   .Help("Crawl jobs of this process waiting (queued) or crawling (running)")
                   .Register(registry)),
          queued(jobs.Add({{"state", "queued"}})),
          running(jobs.Add({{"state", "running"}})),
          finished(prometheus::BuildCounter()
                       .Name("riptide_crawl_jobs_finished_total")
                       .Help("Crawl jobs that ended in this process, by final state")
                       .Register(registry)),
          pages(prometheus::BuildCounter()
                    .Name("riptide_crawl_pages_total")
                    .Help("Pages reported by crawl jobs, by outcome (ok, duplicate, failed, "
                          "skipped)")
                    .Register(registry)),
          ok(pages.Add({{"outcome", "ok"}})),
          duplicate(pages.Add({{"outcome", "duplicate"}})),
          failed(pages.Add({{"outcome", "failed"}})),
          skipped(pages.Add({{"outcome", "skipped"}})),
          store_errors(prometheus::BuildCounter()
                           .Name("riptide_crawl_store_errors_total")
                           .Help("Crawl job writes to the store that failed")
                           .Register(registry)
                           .Add({})) {}

    prometheus::Family<prometheus::Gauge>& jobs;
    prometheus::Gauge& queued;
    prometheus::Gauge& running;
    prometheus::Family<prometheus::Counter>& finished;
    prometheus::Family<prometheus::Counter>& pages;
    prometheus::Counter& ok;
    prometheus::Counter& duplicate;
    prometheus::Counter& failed;
    prometheus::Counter& skipped;
    prometheus::Counter& store_errors;
  };

  class Sink;

  Impl(CrawlJobsConfig config, store::Store& store, const fetch::Fetcher& fetcher,
       sandbox::Engine& engine, std::shared_ptr<prometheus::Registry> registry)
      : config_(config),
        store_(store),
        fetcher_(fetcher),
        engine_(engine),
        robots_(fetcher),
        registry_(registry ? std::move(registry) : std::make_shared<prometheus::Registry>()),
        metrics_(*registry_) {
    dispatcher_ = std::thread([this] { dispatch_loop(); });
    uint32_t runners = std::max<uint32_t>(1, config_.max_running);
    for (uint32_t i = 0; i < runners; ++i) runners_.emplace_back([this] { run_loop(); });
  }

  ~Impl() {
    shutdown();
    {
      std::lock_guard lock(mutex_);
      dispatcher_stop_ = true;
    }
    dispatch_cv_.notify_all();
    dispatcher_.join();
  }

  // --- threads --------------------------------------------------------------------------------

  void dispatch_loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      dispatch_cv_.wait(lock, [&] { return dispatcher_stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything posted has run
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  // Runs `task` on the dispatcher thread. Requires mutex_.
  void post_locked(std::function<void()> task) {
    tasks_.push_back(std::move(task));
    dispatch_cv_.notify_one();
  }

  // Hands every watcher of `job` whose results are in (or all of them) to the dispatcher.
  // Requires mutex_.
  void release_watchers_locked(Job& job, bool all) {
    auto ready = [&](const Watcher& w) { return all || job.stored_seq > w.after_seq; };
    for (Watcher& w : job.watchers) {
      if (ready(w)) post_locked(std::move(w.fn));
    }
    std::erase_if(job.watchers, [&](const Watcher& w) { return !w.fn; });
  }

  void run_loop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        run_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;  // queued jobs stay queued in the store: the next start runs them
        job = std::move(queue_.front());
        queue_.pop_front();
        job->started = true;
        metrics_.queued.Decrement();
        metrics_.running.Increment();
      }
      run_job(*job);
    }
  }

  // --- one job --------------------------------------------------------------------------------

  Status store_record(const store::CrawlJobRecord& record,
                      const std::vector<store::CrawlResultRecord>& results,
                      const std::string* frontier_json) {
    Status stored = store_.checkpoint_crawl_job(record, results, frontier_json);
    if (!stored.ok()) metrics_.store_errors.Increment();
    return stored;
  }

  // What a resumed job continues from: the checkpoint, the fingerprints and the counts.
  struct ResumePoint {
    std::optional<crawl::FrontierState> frontier;
    std::vector<std::pair<uint64_t, std::string>> fingerprints;
    crawl::CrawlProgress counted;
    uint64_t last_seq = 0;
  };

  Result<ResumePoint> load_resume_point(const Job& job) {
    ResumePoint point;
    Result<std::optional<std::string>> frontier = store_.crawl_frontier(job.id);
    if (!frontier.ok()) return frontier.error();
    if (!frontier->has_value()) return point;  // never checkpointed: starts afresh
    Result<crawl::FrontierState> state = crawl::frontier_state_from_json(**frontier);
    if (!state.ok()) {
      return Error(ErrorCode::kInternal,
                   "the stored checkpoint is unreadable: " + state.error().message());
    }
    point.frontier = std::move(*state);
    Result<std::vector<std::pair<uint64_t, std::string>>> fingerprints =
        store_.crawl_fingerprints(job.id);
    if (!fingerprints.ok()) return fingerprints.error();
    point.fingerprints = std::move(*fingerprints);
    if (!job.record.progress_json.empty()) {
      Result<crawl::CrawlProgress> progress = crawl::progress_from_json(job.record.progress_json);
      if (progress.ok()) point.counted = *progress;
    }
    point.counted.queued = 0;
    point.counted.in_flight = 0;
    // Results and progress are stored in one transaction, so the counts give the last seq; the
    // store has the final word should they ever disagree.
    point.last_seq = reported_pages(point.counted);
    for (;;) {
      Result<std::vector<store::CrawlResultRecord>> more =
          store_.crawl_results(job.id, point.last_seq, kMaxCrawlResultsPage);
      if (!more.ok()) return more.error();
      if (more->empty()) break;
      point.last_seq = more->back().seq;
    }
    return point;
  }

  void run_job(Job& job);
  void finish_job(Job& job, store::CrawlJobState state, std::string error);

  // --- requests -------------------------------------------------------------------------------

  Result<store::CrawlJobRecord> find(std::string_view id, std::string_view owner) {
    if (!is_well_formed_id(id)) return not_found(id);
    Result<std::optional<store::CrawlJobRecord>> record = store_.get_crawl_job(id);
    if (!record.ok()) return record.error();
    if (!record->has_value()) return not_found(id);
    if (!owner.empty() && (*record)->owner != owner) return not_found(id);
    return std::move(**record);
  }

  // The stored record with its progress: live counts while this process runs it.
  CrawlJobView view_of(store::CrawlJobRecord record) {
    CrawlJobView view;
    if (!record.progress_json.empty()) {
      Result<crawl::CrawlProgress> stored = crawl::progress_from_json(record.progress_json);
      if (stored.ok()) view.progress = *stored;
    }
    std::shared_ptr<crawl::Crawler> crawler;
    {
      std::lock_guard lock(mutex_);
      auto it = active_.find(record.id);
      if (it != active_.end() && it->second->crawler) {
        crawler = it->second->crawler;
        view.progress = it->second->counted;
      }
    }
    // Outside mutex_: the crawler's own locks are held while it calls the sink, which takes
    // mutex_.
    if (crawler) {
      crawl::CrawlProgress live = crawler->progress();
      view.progress.queued = live.queued;
      view.progress.in_flight = live.in_flight;
      view.progress.elapsed += live.elapsed;  // counted holds earlier runs' time
    }
    view.record = std::move(record);
    return view;
  }

  CrawlJobsConfig config_;
  store::Store& store_;
  const fetch::Fetcher& fetcher_;
  sandbox::Engine& engine_;
  crawl::RobotsCache robots_;
  std::shared_ptr<prometheus::Registry> registry_;
  Metrics metrics_;

  mutable std::mutex mutex_;
  std::condition_variable run_cv_;
  std::condition_variable dispatch_cv_;
  bool stopping_ = false;         // (mutex_) shutdown() began
  bool dispatcher_stop_ = false;  // (mutex_) the destructor: the dispatcher drains and ends
  std::deque<std::shared_ptr<Job>> queue_;  // (mutex_) waiting for a runner, in creation order
  std::unordered_map<std::string, std::shared_ptr<Job>> active_;  // (mutex_) queued or running

  // Jobs of `owner` queued or running in this process (mutex_ held).
  uint32_t active_of_locked(std::string_view owner) const {
    uint32_t count = 0;
    for (const auto& [id, job] : active_) count += job->record.owner == owner ? 1 : 0;
    return count;
  }
  std::deque<std::function<void()>> tasks_;  // (mutex_) for the dispatcher
  std::vector<std::thread> runners_;         // max_running threads, each runs one job at a time
  std::thread dispatcher_;                   // when_results callbacks and crawler cancels
  std::once_flag shutdown_once_;

  void shutdown();
};

// Turns reported pages into result records and writes them with each checkpoint. Calls are
// serialised by the crawler.
class CrawlJobs::Impl::Sink final : public crawl::CrawlSink {
 public:
  Sink(Impl& impl, Job& job, uint64_t last_seq) : impl_(impl), job_(job), seq_(last_seq) {}

  void on_page(const crawl::CrawlPage& page) override {
    if (failure_) return;  // the job is failing: nothing more is stored
    ++seq_;
    store::CrawlResultRecord result;
    result.seq = seq_;
    result.url = page.url;
    result.ok = page.record.has_value();
    result.simhash = page.simhash;
    result.json = dump(page_to_json(page, seq_, job_.request.formats));
    pending_.push_back(std::move(result));
    if (page.record) {
      pending_usage_.pages += 1;
      pending_usage_.bytes_in += page.record->stats.input_bytes;
    }

    Metrics& metrics = impl_.metrics_;
    std::lock_guard lock(impl_.mutex_);
    crawl::CrawlProgress& counted = job_.counted;
    if (page.skipped) {
      ++counted.pages_skipped;
      metrics.skipped.Increment();
    } else if (page.record) {
      ++counted.pages_done;
      counted.bytes_fetched += page.record->stats.input_bytes;
      if (page.duplicate_of) {
        ++counted.duplicates;
        metrics.duplicate.Increment();
      } else {
        metrics.ok.Increment();
      }
    } else {
      ++counted.pages_failed;
      metrics.failed.Increment();
    }
  }

  void on_checkpoint(const crawl::FrontierState& state,
                     const crawl::CrawlProgress& progress) override {
    if (failure_) return;
    store::CrawlJobRecord record = job_.record;
    {
      std::lock_guard lock(impl_.mutex_);
      // The counts cover earlier runs of the job too; the crawler's elapsed time only this one.
      crawl::CrawlProgress snapshot = job_.counted;
      snapshot.elapsed += progress.elapsed;
      snapshot.queued = progress.queued;
      snapshot.in_flight = progress.in_flight;
      record.progress_json = crawl::progress_to_json(snapshot);
    }
    std::string frontier = crawl::frontier_state_to_json(state);
    Status stored = impl_.store_record(record, pending_, &frontier);
    if (!stored.ok()) {
      fail(stored.error());
      return;
    }
    job_.record = std::move(record);
    pending_.clear();
    // The key's usage counts a crawl's documents like /v1/extract's, once they are stored.
    if (pending_usage_.pages > 0) impl_.store_.add_usage(job_.record.owner, pending_usage_);
    pending_usage_ = {};
    std::lock_guard lock(impl_.mutex_);
    job_.stored_seq = seq_;
    impl_.release_watchers_locked(job_, /*all=*/false);
  }

  const std::optional<Error>& failure() const { return failure_; }

 private:
  // The store refused a write: the job fails. The crawler is cancelled from the dispatcher
  // thread: this call runs inside the crawler's report lock, so cancelling here could wait on it.
  void fail(const Error& error) {
    failure_ = error;
    pending_.clear();
    std::lock_guard lock(impl_.mutex_);
    if (job_.crawler) {
      impl_.post_locked([crawler = job_.crawler] { crawler->cancel(); });
    }
  }

  Impl& impl_;
  Job& job_;
  uint64_t seq_ = 0;
  std::vector<store::CrawlResultRecord> pending_;  // reported, not yet stored
  store::Usage pending_usage_;                     // documents among pending_, for add_usage
  std::optional<Error> failure_;
};

void CrawlJobs::Impl::run_job(Job& job) {
  ResumePoint point;
  if (job.record.started_at.has_value() || !job.record.progress_json.empty()) {
    Result<ResumePoint> loaded = load_resume_point(job);
    if (!loaded.ok()) {
      finish_job(job, store::CrawlJobState::kFailed,
                 "cannot resume: " + loaded.error().to_string());
      return;
    }
    point = std::move(*loaded);
  }
  crawl::CrawlEnv env{fetcher_, engine_, robots_};
  Result<std::unique_ptr<crawl::Crawler>> created = crawl::Crawler::create(
      env, job.request.options, job.request.seeds, point.frontier ? &*point.frontier : nullptr,
      std::move(point.fingerprints));
  if (!created.ok()) {
    finish_job(job, store::CrawlJobState::kFailed, created.error().to_string());
    return;
  }
  std::shared_ptr<crawl::Crawler> crawler(std::move(*created));

  job.record.state = store::CrawlJobState::kRunning;
  if (!job.record.started_at) job.record.started_at = now_ms();
  if (Status stored = store_record(job.record, {}, nullptr); !stored.ok()) {
    finish_job(job, store::CrawlJobState::kFailed, "store: " + stored.error().message());
    return;
  }

  Sink sink(*this, job, point.last_seq);
  bool cancel_now = false;
  {
    std::lock_guard lock(mutex_);
    job.counted = point.counted;
    job.stored_seq = point.last_seq;
    job.crawler = crawler;
    cancel_now = job.cancel_requested || stopping_;
  }
  if (cancel_now) crawler->cancel();

  crawl::CrawlEnd end = crawler->run(sink);
  std::chrono::milliseconds run_elapsed = crawler->progress().elapsed;

  bool by_user = false;
  bool by_shutdown = false;
  {
    std::lock_guard lock(mutex_);
    job.counted.elapsed += run_elapsed;
    by_user = job.cancel_requested;
    by_shutdown = stopping_;
  }
  if (sink.failure()) {
    finish_job(job, store::CrawlJobState::kFailed, "store: " + sink.failure()->message());
  } else if (end == crawl::CrawlEnd::kCancelled && !by_user && by_shutdown) {
    // Stopped for a restart: the final checkpoint is stored, the state stays "running" so the
    // next start resumes it. Only the manager forgets it.
    std::lock_guard lock(mutex_);
    job.crawler.reset();
    active_.erase(job.id);
    metrics_.running.Decrement();
    release_watchers_locked(job, /*all=*/true);
  } else {
    switch (end) {
      case crawl::CrawlEnd::kCompleted:
        finish_job(job, store::CrawlJobState::kCompleted, "");
        break;
      case crawl::CrawlEnd::kTimeBudget:
        finish_job(job, store::CrawlJobState::kCompleted, "time budget");
        break;
      case crawl::CrawlEnd::kCancelled:
        finish_job(job, store::CrawlJobState::kCancelled, "");
        break;
      case crawl::CrawlEnd::kFailed: {
        std::optional<Error> why = crawler->failure();
        finish_job(job, store::CrawlJobState::kFailed,
                   why ? why->to_string() : std::string("the crawl could not start"));
        break;
      }
    }
  }
}

// Stores the final state (best effort: a store that fails here leaves the job queued or running,
// so the next start runs it again) and forgets the job. Runs on the job's runner thread, or on a
// request thread for a job cancelled while queued.
void CrawlJobs::Impl::finish_job(Job& job, store::CrawlJobState state, std::string error) {
  job.record.state = state;
  job.record.error = std::move(error);
  job.record.finished_at = now_ms();
  {
    std::lock_guard lock(mutex_);
    crawl::CrawlProgress counted = job.counted;
    counted.queued = 0;
    counted.in_flight = 0;
    job.record.progress_json = crawl::progress_to_json(counted);
  }
  (void)store_record(job.record, {}, nullptr);
  std::lock_guard lock(mutex_);
  bool was_running = job.started;
  job.crawler.reset();
  active_.erase(job.id);
  (was_running ? metrics_.running : metrics_.queued).Decrement();
  metrics_.finished.Add({{"state", std::string(store::crawl_job_state_name(state))}}).Increment();
  release_watchers_locked(job, /*all=*/true);
}

void CrawlJobs::Impl::shutdown() {
  std::call_once(shutdown_once_, [this] {
    std::vector<std::shared_ptr<crawl::Crawler>> running;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (auto& [id, job] : active_) {
        if (job->crawler) running.push_back(job->crawler);
        release_watchers_locked(*job, /*all=*/true);
      }
    }
    run_cv_.notify_all();
    for (auto& crawler : running) crawler->cancel();
    // Each runner stores its job's final checkpoint, then sees stopping_ and ends.
    for (std::thread& runner : runners_) runner.join();
    std::lock_guard lock(mutex_);
    for (auto& [id, job] : active_) release_watchers_locked(*job, /*all=*/true);
  });
}

// ---------------------------------------------------------------------------------------------

CrawlJobs::CrawlJobs(CrawlJobsConfig config, store::Store& store, const fetch::Fetcher& fetcher,
                     sandbox::Engine& engine, std::shared_ptr<prometheus::Registry> registry)
    : impl_(std::make_unique<Impl>(config, store, fetcher, engine, std::move(registry))) {}

CrawlJobs::~CrawlJobs() = default;

Result<size_t> CrawlJobs::resume_unfinished() {
  Result<std::vector<store::CrawlJobRecord>> unfinished = impl_->store_.unfinished_crawl_jobs();
  if (!unfinished.ok()) return unfinished.error();
  size_t resumed = 0;
  for (store::CrawlJobRecord& record : *unfinished) {
    {
      std::lock_guard lock(impl_->mutex_);
      if (impl_->stopping_) break;
      if (impl_->active_.count(record.id) != 0) continue;
    }
    auto job = std::make_shared<Impl::Job>();
    job->id = record.id;
    Result<CrawlRequest> request = decode_crawl_job_request(record.request_json, impl_->config_);
    job->record = std::move(record);
    if (!request.ok()) {
      // Written by an older version, or the caps were lowered below what it asked: it cannot run.
      job->record.state = store::CrawlJobState::kFailed;
      job->record.error =
          "cannot resume: the stored request is invalid: " + request.error().message();
      job->record.finished_at = now_ms();
      (void)impl_->store_record(job->record, {}, nullptr);
      continue;
    }
    job->request = std::move(*request);
    // Shown as waiting until a runner takes it (it may wait behind others).
    job->record.state = store::CrawlJobState::kQueued;
    if (Status stored = impl_->store_record(job->record, {}, nullptr); !stored.ok()) {
      return stored.error();
    }
    std::lock_guard lock(impl_->mutex_);
    impl_->active_[job->id] = job;
    impl_->queue_.push_back(job);
    impl_->metrics_.queued.Increment();
    impl_->run_cv_.notify_one();
    ++resumed;
  }
  return resumed;
}

Result<store::CrawlJobRecord> CrawlJobs::submit(std::string owner, CrawlRequest request) {
  Result<std::string> id = new_crawl_id();
  if (!id.ok()) return id.error();
  auto job = std::make_shared<Impl::Job>();
  job->id = *id;
  job->record.id = *id;
  job->record.owner = std::move(owner);
  job->record.request_json = dump(crawl_request_to_json(request));
  job->record.state = store::CrawlJobState::kQueued;
  job->record.created_at = now_ms();
  job->request = std::move(request);
  // One lock from the per-owner check to the insertion, so concurrent submits of one owner
  // cannot overshoot the cap (the store write under it takes about a millisecond).
  std::lock_guard lock(impl_->mutex_);
  if (impl_->stopping_) return Error(ErrorCode::kUnavailable, "the service is shutting down");
  const uint32_t cap = impl_->config_.max_active_per_owner;
  if (impl_->active_of_locked(job->record.owner) >= cap) {
    return Error(ErrorCode::kResourceLimit,
                 "this key already has " + std::to_string(cap) +
                     " crawls queued or running (the limit); cancel one or wait for one to end");
  }
  if (Status created = impl_->store_.create_crawl_job(job->record); !created.ok()) {
    impl_->metrics_.store_errors.Increment();
    return created.error();
  }
  store::CrawlJobRecord record = job->record;
  impl_->active_[job->id] = job;
  impl_->queue_.push_back(std::move(job));
  impl_->metrics_.queued.Increment();
  impl_->run_cv_.notify_one();
  return record;
}

Result<CrawlJobView> CrawlJobs::get(std::string_view id, std::string_view owner) {
  Result<store::CrawlJobRecord> record = impl_->find(id, owner);
  if (!record.ok()) return record.error();
  return impl_->view_of(std::move(*record));
}

Result<std::vector<CrawlJobView>> CrawlJobs::list(std::string_view owner, size_t limit) {
  Result<std::vector<store::CrawlJobRecord>> records = impl_->store_.list_crawl_jobs(owner, limit);
  if (!records.ok()) return records.error();
  std::vector<CrawlJobView> views;
  views.reserve(records->size());
  for (store::CrawlJobRecord& record : *records) {
    views.push_back(impl_->view_of(std::move(record)));
  }
  return views;
}

Result<CrawlJobView> CrawlJobs::cancel(std::string_view id, std::string_view owner) {
  Result<store::CrawlJobRecord> record = impl_->find(id, owner);
  if (!record.ok()) return record.error();
  if (store::is_final(record->state)) return impl_->view_of(std::move(*record));

  std::shared_ptr<Impl::Job> queued;
  std::shared_ptr<crawl::Crawler> crawler;
  bool active = false;
  {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->active_.find(record->id);
    if (it != impl_->active_.end()) {
      active = true;
      std::shared_ptr<Impl::Job> job = it->second;
      job->cancel_requested = true;
      if (!job->started) {
        std::erase(impl_->queue_, job);
        queued = std::move(job);
      } else {
        crawler = job->crawler;  // null while it prepares: it checks cancel_requested after
      }
    }
  }
  if (queued) {
    impl_->finish_job(*queued, store::CrawlJobState::kCancelled, "");
  } else if (crawler) {
    crawler->cancel();
  } else if (!active) {
    // Queued or running in the store with nothing running it in this process (not resumed
    // yet): it simply ends here.
    record->state = store::CrawlJobState::kCancelled;
    record->finished_at = now_ms();
    if (Status stored = impl_->store_record(*record, {}, nullptr); !stored.ok()) {
      return stored.error();
    }
  }
  Result<store::CrawlJobRecord> now = impl_->find(id, owner);
  if (!now.ok()) return now.error();
  return impl_->view_of(std::move(*now));
}

Result<std::vector<store::CrawlResultRecord>> CrawlJobs::results(std::string_view id,
                                                                 std::string_view owner,
                                                                 uint64_t after_seq, size_t limit) {
  Result<store::CrawlJobRecord> record = impl_->find(id, owner);
  if (!record.ok()) return record.error();
  return impl_->store_.crawl_results(record->id, after_seq, std::min(limit, kMaxCrawlResultsPage));
}

void CrawlJobs::when_results(std::string_view id, uint64_t after_seq, std::function<void()> fn) {
  std::lock_guard lock(impl_->mutex_);
  if (!impl_->stopping_) {
    auto it = impl_->active_.find(std::string(id));
    if (it != impl_->active_.end() && it->second->stored_seq <= after_seq) {
      it->second->watchers.push_back(Impl::Watcher{after_seq, std::move(fn)});
      return;
    }
  }
  // Results are in already, the job is not running here (final, unknown) or the manager stops:
  // the caller re-reads and finds out.
  impl_->post_locked(std::move(fn));
}

void CrawlJobs::shutdown() {
  impl_->shutdown();
}

bool CrawlJobs::shutting_down() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->stopping_;
}

}  // namespace riptide::server
