#include "crawl/crawler.h"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "crawl/fingerprint_index.h"
#include "crawl/simhash.h"
#include "crawl/sitemap_fetch.h"
#include "fetch/fetcher.h"
#include "pipeline/extract_page.h"
#include "url/url.h"

namespace riptide::crawl {

namespace {

// Fetched pages waiting for an extraction thread, per extraction thread. Two keep every extractor
// busy while the next fetches complete; more would only hold more pages in memory (and drop more
// work on cancel) without extracting any faster.
constexpr size_t kHandOffPerExtractor = 2;
// Extractions of one page while the engine answers kUnavailable (its pool had no free instance
// within the acquire timeout: the service's requests share the engine with its crawls). The page
// did nothing wrong, so it is tried again before being reported as failed.
constexpr uint32_t kMaxExtractAttempts = 3;

using Millis = std::chrono::duration<double, std::milli>;

bool is_throttle_status(int status) {
  return status == 429 || status == 503;
}

Error origin_error(int status) {
  return Error(ErrorCode::kFetchFailed, "origin answered HTTP " + std::to_string(status));
}

// CrawlPage::skip_reason for a page `policy` disallows. Built with append, not "literal" +
// std::string (GCC 12 reports a false -Wrestrict for that at -O3).
std::string skip_reason(const RobotsPolicy& policy) {
  if (policy.source != RobotsSource::kUnreachable) return "disallowed by robots.txt";
  std::string reason = "robots.txt unreachable (";
  reason += policy.fetch_error ? policy.fetch_error->message() : "the server answered an error";
  reason += "): every page of the site is disallowed for now";
  return reason;
}

}  // namespace

std::string_view crawl_end_name(CrawlEnd end) {
  switch (end) {
    case CrawlEnd::kCompleted:
      return "completed";
    case CrawlEnd::kCancelled:
      return "cancelled";
    case CrawlEnd::kTimeBudget:
      return "time_budget";
    case CrawlEnd::kFailed:
      return "failed";
  }
  return "unknown";
}

struct Crawler::Impl {
  // A 2xx HTML page on its way from a fetch thread to an extraction thread.
  struct Fetched {
    FrontierItem item;
    fetch::FetchResponse response;
    double fetch_ms = 0;
  };

  Impl(CrawlEnv env_in, CrawlOptions options_in, std::unique_ptr<Frontier> frontier_in,
       bool resumed_in)
      : env(env_in),
        options(std::move(options_in)),
        frontier(std::move(frontier_in)),
        resumed(resumed_in) {}

  // The next item of `queue`, waiting on `ready`; nullopt once the threads shut down.
  template <typename T>
  std::optional<T> take(std::deque<T>& queue, std::condition_variable& ready);
  void fetch_loop();
  void extract_loop();
  void fetch_one(FrontierItem item);
  void extract_one(Fetched fetched);
  // Reports a page and marks it done in the frontier, atomically with respect to checkpoints.
  void finish(CrawlPage& page, const FrontierItem& item, const FetchOutcome& outcome,
              const extract::Record* links_from);
  void apply_crawl_delay(const std::string& host, const RobotsPolicy& policy);
  void seed_from_sitemaps();
  // seed_from_sitemaps on a thread of its own, stopping the crawl for its time budget when
  // `deadline` comes first (a slow sitemap server must not hold a crawl past its budget).
  void collect_sitemaps_until(Clock::time_point deadline);
  void checkpoint();
  CrawlProgress progress_locked_counts() const;
  // Wakes the coordinator: something it waits for (a free fetch thread, a done(), a stop) changed.
  void notify_coordinator();
  // Stops the crawl for `end` unless it is already stopping; in-flight work is dropped.
  void stop(CrawlEnd end);
  // A sink call that threw: the crawl fails with the exception's message.
  void sink_failed(const char* what);

  CrawlEnv env;
  const CrawlOptions options;
  std::unique_ptr<Frontier> frontier;
  const bool resumed;
  uint32_t extractors = 1;
  size_t hand_off_capacity = kHandOffPerExtractor;

  // Set once to stop: every fetch watches it (FetchOptions::cancel) and no thread reports a page
  // after it is set.
  std::atomic<bool> stopping{false};
  std::atomic<bool> ran{false};

  // Scheduling state, guarded by `mutex`.
  mutable std::mutex mutex;
  std::condition_variable coordinator_cv;
  std::condition_variable fetch_cv;
  std::condition_variable extract_cv;
  std::condition_variable hand_off_space_cv;
  std::deque<FrontierItem> fetch_queue;
  std::deque<Fetched> hand_off;
  uint32_t fetch_free = 0;  // fetch threads neither fetching nor holding a queued item
  uint64_t events = 0;      // bumped on every change the coordinator may be waiting for
  bool shutdown = false;    // threads exit
  std::optional<CrawlEnd> stop_reason;
  std::optional<Error> failure;
  std::unordered_map<std::string, Duration> applied_delays;  // host -> delay set from robots.txt

  // Reporting, guarded by `report_mutex`: held across links added + on_page + done() and across
  // snapshot + on_checkpoint, so every checkpoint matches the pages reported before it.
  std::mutex report_mutex;
  CrawlSink* sink = nullptr;
  FingerprintIndex fingerprints;
  std::optional<Error> first_error;  // of the first failed page (kFailed when nothing worked)

  // Progress, readable at any time without a lock.
  std::atomic<uint64_t> pages_done{0};
  std::atomic<uint64_t> pages_failed{0};
  std::atomic<uint64_t> pages_skipped{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> bytes_fetched{0};
  std::atomic<int64_t> started_at{0};  // Clock ticks; 0 until run() starts
  std::atomic<int64_t> ended_at{0};    // Clock ticks; 0 until run() ends
};

void Crawler::Impl::notify_coordinator() {
  {
    std::lock_guard lock(mutex);
    ++events;
  }
  coordinator_cv.notify_one();
}

void Crawler::Impl::stop(CrawlEnd end) {
  {
    std::lock_guard lock(mutex);
    if (!stop_reason) stop_reason = end;
    ++events;
    // Under the mutex, so a thread that just found `stopping` false in a wait predicate is
    // waiting by the time the notifications below go out.
    stopping.store(true);
  }
  coordinator_cv.notify_all();
  hand_off_space_cv.notify_all();
}

void Crawler::Impl::sink_failed(const char* what) {
  {
    std::lock_guard lock(mutex);
    if (!failure) failure = Error(ErrorCode::kInternal, std::string("crawl sink: ") + what);
  }
  stop(CrawlEnd::kFailed);
}

void Crawler::Impl::apply_crawl_delay(const std::string& host, const RobotsPolicy& policy) {
  std::optional<double> seconds = policy.crawl_delay();
  if (!seconds) return;
  const Duration delay =
      std::max(options.frontier.host_delay,
               std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*seconds)));
  {
    std::lock_guard lock(mutex);
    auto [it, inserted] = applied_delays.try_emplace(host, delay);
    if (!inserted && it->second == delay) return;
    it->second = delay;
  }
  frontier->set_host_delay(host, delay);
}

template <typename T>
std::optional<T> Crawler::Impl::take(std::deque<T>& queue, std::condition_variable& ready) {
  std::unique_lock lock(mutex);
  ready.wait(lock, [&] { return shutdown || !queue.empty(); });
  if (shutdown) return std::nullopt;
  std::optional<T> item(std::move(queue.front()));
  queue.pop_front();
  return item;
}

void Crawler::Impl::fetch_loop() {
  while (std::optional<FrontierItem> item = take(fetch_queue, fetch_cv)) {
    if (!stopping.load()) fetch_one(std::move(*item));
    {
      std::lock_guard lock(mutex);
      ++fetch_free;
      ++events;
    }
    coordinator_cv.notify_one();
  }
}

void Crawler::Impl::fetch_one(FrontierItem item) {
  CrawlPage page;
  page.url = item.url;
  page.depth = item.depth;

  if (options.respect_robots) {
    // The frontier hands out canonical URLs only, which always parse.
    Result<url::Url> parsed = url::parse(item.url);
    if (!parsed.ok()) {
      page.error = parsed.error();
      finish(page, item, FetchOutcome{FetchOutcome::Kind::kFailed, std::nullopt}, nullptr);
      return;
    }
    std::shared_ptr<const RobotsPolicy> policy = env.robots.get(parsed->origin(), &stopping);
    // A stop cut the robots.txt fetch short: its "disallow all" answer says nothing of the site.
    if (stopping.load()) return;
    apply_crawl_delay(item.host, *policy);
    if (policy->source == RobotsSource::kUnreachable && policy->fetch_error &&
        policy->fetch_error->code() == ErrorCode::kBlockedAddress) {
      // The SSRF guard refused the site's address: the page itself would be refused the same
      // way, so it is reported as that error (as /v1/extract does), not as a robots.txt verdict.
      page.error = *policy->fetch_error;
      finish(page, item, FetchOutcome{FetchOutcome::Kind::kFailed, std::nullopt}, nullptr);
      return;
    }
    if (!policy->allowed(path_and_query(*parsed))) {
      page.skipped = true;
      page.skip_reason = skip_reason(*policy);
      finish(page, item, FetchOutcome{FetchOutcome::Kind::kSkipped, std::nullopt}, nullptr);
      return;
    }
  }

  fetch::FetchOptions fetch_options;
  fetch_options.cancel = &stopping;
  const auto start = Clock::now();
  Result<fetch::FetchResponse> response = env.fetcher.fetch(item.url, fetch_options);
  page.fetch_ms = Millis(Clock::now() - start).count();
  if (stopping.load()) return;  // aborted, or about to be dropped: not reported, not done

  if (!response.ok()) {
    page.error = response.error();
    finish(page, item, FetchOutcome{FetchOutcome::Kind::kFailed, std::nullopt}, nullptr);
    return;
  }
  page.final_url = response->final_url;
  page.status = response->status;
  // The fetcher followed redirects: the pages redirected to have been requested now, so links to
  // them later must not request them again.
  // A seed redirected to another host name: its site is that host now (http://a.com →
  // https://www.a.com/), so the scope follows it before the redirect targets are marked fetched.
  if (item.depth == 0 && !response->redirects.empty()) {
    (void)frontier->extend_scope_for_seed(item.url, response->final_url);
  }
  for (const std::string& target : response->redirects) (void)frontier->add_fetched(target);
  if (is_throttle_status(response->status)) {
    FetchOutcome outcome{FetchOutcome::Kind::kThrottled, std::nullopt};
    if (response->retry_after_seconds > 0) {
      outcome.retry_after = std::chrono::seconds(response->retry_after_seconds);
    }
    if (item.attempts < kMaxFetchAttempts) {
      // The frontier queues it again after the back-off; it is reported after its last attempt.
      frontier->done(item, Clock::now(), outcome);
      notify_coordinator();
      return;
    }
    page.error = origin_error(response->status);
    finish(page, item, outcome, nullptr);
    return;
  }
  if (response->status < 200 || response->status > 299) {
    page.error = origin_error(response->status);
    finish(page, item, FetchOutcome{}, nullptr);
    return;
  }

  Fetched fetched{std::move(item), std::move(*response), page.fetch_ms};
  {
    std::unique_lock lock(mutex);
    hand_off_space_cv.wait(lock,
                           [&] { return stopping.load() || hand_off.size() < hand_off_capacity; });
    if (stopping.load()) return;
    hand_off.push_back(std::move(fetched));
  }
  extract_cv.notify_one();
}

void Crawler::Impl::extract_loop() {
  while (std::optional<Fetched> fetched = take(hand_off, extract_cv)) {
    hand_off_space_cv.notify_one();
    if (!stopping.load()) extract_one(std::move(*fetched));
  }
}

void Crawler::Impl::extract_one(Fetched fetched) {
  CrawlPage page;
  page.url = fetched.item.url;
  page.final_url = std::move(fetched.response.final_url);
  page.depth = fetched.item.depth;
  page.status = fetched.response.status;
  page.fetch_ms = fetched.fetch_ms;

  extract::Options extract_options = options.extract;
  extract_options.url = page.final_url;
  // The links to follow are all of the page's, navigation and pagination included; the record's
  // own `links` are only those of the extracted content (none in metadata mode).
  extract_options.page_links = true;
  const auto start = Clock::now();
  Result<extract::Record> record = pipeline::extract_page(env.engine, options.engine_kind,
                                                          fetched.response.html, extract_options);
  for (uint32_t attempt = 1; attempt < kMaxExtractAttempts && !record.ok() &&
                             record.error().code() == ErrorCode::kUnavailable && !stopping.load();
       ++attempt) {
    record = pipeline::extract_page(env.engine, options.engine_kind, fetched.response.html,
                                    extract_options);
  }
  page.extract_ms = Millis(Clock::now() - start).count();
  bytes_fetched.fetch_add(fetched.response.html.size());
  fetched.response.html = std::string();  // the page can be large; it is not needed any more

  if (!record.ok()) {
    page.error = record.error();
    finish(page, fetched.item, FetchOutcome{}, nullptr);
    return;
  }
  page.record = std::move(*record);
  if (page.record->word_count >= kMinWordsForFingerprint) {
    page.simhash = simhash(page.record->text);
  }
  finish(page, fetched.item, FetchOutcome{}, &*page.record);
}

void Crawler::Impl::finish(CrawlPage& page, const FrontierItem& item, const FetchOutcome& outcome,
                           const extract::Record* links_from) {
  {
    std::lock_guard report(report_mutex);
    // Pages still in flight when the crawl stops are neither reported nor done: the final
    // checkpoint lists them as pending, so a resume fetches them again.
    if (stopping.load()) return;

    if (page.simhash != 0) {
      if (const std::string* earlier = fingerprints.find(page.simhash))
        page.duplicate_of = *earlier;
      fingerprints.add(page.simhash, page.url);
    }
    if (links_from != nullptr) {
      page.links_found = static_cast<uint32_t>(links_from->page_links.size());
      // Links of a page at max_depth could only be refused as too deep.
      if (!options.sitemap_only && item.depth < options.frontier.max_depth) {
        for (const extract::Link& link : links_from->page_links) {
          if (frontier->add(link.url, nullptr, item.depth + 1) == AddResult::kAdded) {
            ++page.links_added;
          }
        }
      }
    }

    if (page.skipped) {
      pages_skipped.fetch_add(1);
    } else if (page.record) {
      pages_done.fetch_add(1);
    } else {
      pages_failed.fetch_add(1);
      if (!first_error && page.error) first_error = page.error;
    }
    if (page.duplicate_of) duplicates.fetch_add(1);

    bool sink_ok = true;
    try {
      sink->on_page(page);
    } catch (const std::exception& e) {
      sink_ok = false;
      sink_failed(e.what());
    }
    // A page the sink could not take stays pending, like one in flight at a cancel.
    if (sink_ok) frontier->done(item, Clock::now(), outcome);
  }
  notify_coordinator();
}

CrawlProgress Crawler::Impl::progress_locked_counts() const {
  CrawlProgress progress;
  progress.pages_done = pages_done.load();
  progress.pages_failed = pages_failed.load();
  progress.pages_skipped = pages_skipped.load();
  progress.duplicates = duplicates.load();
  progress.bytes_fetched = bytes_fetched.load();
  const Frontier::Counts counts = frontier->counts();
  progress.queued = counts.queued;
  progress.in_flight = counts.in_flight;
  const int64_t start = started_at.load();
  if (start != 0) {
    int64_t end = ended_at.load();
    if (end == 0) end = Clock::now().time_since_epoch().count();
    progress.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Duration(end - start));
  }
  return progress;
}

void Crawler::Impl::checkpoint() {
  std::lock_guard report(report_mutex);
  const FrontierState state = frontier->snapshot();
  try {
    sink->on_checkpoint(state, progress_locked_counts());
  } catch (const std::exception& e) {
    sink_failed(e.what());
  }
}

void Crawler::Impl::collect_sitemaps_until(Clock::time_point deadline) {
  bool collected = false;  // guarded by `mutex`
  std::thread collector([&] {
    seed_from_sitemaps();
    {
      std::lock_guard lock(mutex);
      collected = true;
    }
    coordinator_cv.notify_all();
  });
  {
    std::unique_lock lock(mutex);
    if (deadline == Clock::time_point::max()) {
      coordinator_cv.wait(lock, [&] { return collected; });
    } else if (!coordinator_cv.wait_until(lock, deadline, [&] { return collected; })) {
      lock.unlock();
      stop(CrawlEnd::kTimeBudget);  // the collection watches `stopping` and returns promptly
    }
  }
  collector.join();
}

void Crawler::Impl::seed_from_sitemaps() {
  std::vector<std::string> sitemap_urls;
  std::vector<std::string> origins;
  for (const std::string& seed : frontier->filter().seeds()) {
    Result<url::Url> parsed = url::parse(seed);
    if (!parsed.ok()) continue;
    std::string origin = parsed->origin();
    if (std::find(origins.begin(), origins.end(), origin) != origins.end()) continue;
    origins.push_back(origin);
    std::shared_ptr<const RobotsPolicy> policy = env.robots.get(origin, &stopping);
    const std::vector<std::string>& listed = policy->robots.sitemaps();
    if (policy->source == RobotsSource::kParsed && !listed.empty()) {
      sitemap_urls.insert(sitemap_urls.end(), listed.begin(), listed.end());
    } else {
      sitemap_urls.push_back(origin + "/sitemap.xml");
    }
  }
  SitemapCollection collection = collect_sitemaps(env.fetcher, sitemap_urls, &stopping);
  for (const SitemapEntry& entry : collection.pages) {
    (void)frontier->add(entry.url, nullptr, 0);
  }
}

Result<std::unique_ptr<Crawler>> Crawler::create(
    CrawlEnv env, CrawlOptions options, std::vector<std::string> seeds, const FrontierState* resume,
    std::vector<std::pair<uint64_t, std::string>> known_fingerprints) {
  if (options.concurrency == 0 || options.concurrency > kMaxCrawlConcurrency) {
    return Error(ErrorCode::kInvalidArgument, "crawl concurrency must be 1.." +
                                                  std::to_string(kMaxCrawlConcurrency) + ", not " +
                                                  std::to_string(options.concurrency));
  }
  if (options.frontier.host_concurrency == 0) {
    return Error(ErrorCode::kInvalidArgument, "host concurrency must be at least 1");
  }
  if (options.sitemap_only && !options.use_sitemaps) options.use_sitemaps = true;
  Result<std::unique_ptr<Frontier>> frontier = resume != nullptr
                                                   ? Frontier::restore(options.frontier, *resume)
                                                   : Frontier::create(options.frontier, seeds);
  if (!frontier.ok()) return frontier.error();

  auto impl =
      std::make_unique<Impl>(env, std::move(options), std::move(*frontier), resume != nullptr);
  impl->extractors = std::max<uint32_t>(1, env.engine.config().pool.max_pool_size);
  impl->hand_off_capacity = size_t{impl->extractors} * kHandOffPerExtractor;
  for (auto& [fingerprint, url] : known_fingerprints) {
    if (fingerprint != 0) impl->fingerprints.add(fingerprint, std::move(url));
  }
  return std::unique_ptr<Crawler>(new Crawler(std::move(impl)));
}

Crawler::Crawler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Crawler::~Crawler() = default;

CrawlEnd Crawler::run(CrawlSink& sink) {
  Impl& impl = *impl_;
  const bool ran_before = impl.ran.exchange(true);
  assert(!ran_before && "Crawler::run is called once");
  (void)ran_before;
  impl.sink = &sink;
  const Clock::time_point start = Clock::now();
  impl.started_at.store(start.time_since_epoch().count());
  // No time budget: a deadline that never comes.
  const Clock::time_point deadline = impl.options.time_budget.count() > 0
                                         ? start + impl.options.time_budget
                                         : Clock::time_point::max();

  // A resumed crawl already holds its sitemap URLs in the restored frontier.
  if (impl.options.use_sitemaps && !impl.resumed) impl.collect_sitemaps_until(deadline);

  impl.fetch_free = impl.options.concurrency;
  std::vector<std::thread> threads;
  threads.reserve(impl.options.concurrency + impl.extractors);
  for (uint32_t i = 0; i < impl.options.concurrency; ++i) {
    threads.emplace_back([&impl] { impl.fetch_loop(); });
  }
  for (uint32_t i = 0; i < impl.extractors; ++i) {
    threads.emplace_back([&impl] { impl.extract_loop(); });
  }

  // The coordinator: hands URLs to free fetch threads as the frontier releases them, sleeping
  // until the next URL is due, a done() or freed fetch thread may release one, a checkpoint is
  // due, or the crawl stops.
  Clock::time_point next_checkpoint = start + kCheckpointInterval;
  CrawlEnd end = CrawlEnd::kCompleted;
  std::unique_lock lock(impl.mutex);
  while (true) {
    if (impl.stop_reason) {
      end = *impl.stop_reason;
      break;
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      lock.unlock();
      impl.stop(CrawlEnd::kTimeBudget);
      lock.lock();
      continue;
    }
    if (now >= next_checkpoint) {
      lock.unlock();
      impl.checkpoint();
      lock.lock();
      next_checkpoint = now + kCheckpointInterval;
      continue;
    }
    Clock::time_point wake = std::min(next_checkpoint, deadline);
    const uint64_t seen = impl.events;
    if (impl.fetch_free > 0) {
      lock.unlock();
      NextResult next = impl.frontier->next(now);
      lock.lock();
      if (next.kind == NextResult::Kind::kUrl) {
        --impl.fetch_free;
        impl.fetch_queue.push_back(std::move(next.item));
        impl.fetch_cv.notify_one();
        continue;
      }
      if (next.kind == NextResult::Kind::kFinished) break;
      if (next.kind == NextResult::Kind::kWait) wake = std::min(wake, next.ready_at);
    }
    impl.coordinator_cv.wait_until(lock, wake, [&] { return impl.events != seen; });
  }
  impl.shutdown = true;
  impl.stopping.store(true);  // aborts transfers still running after a stop
  lock.unlock();
  impl.fetch_cv.notify_all();
  impl.extract_cv.notify_all();
  impl.hand_off_space_cv.notify_all();
  for (std::thread& thread : threads) thread.join();

  impl.ended_at.store(Clock::now().time_since_epoch().count());
  // The final checkpoint: after a stop it lists the pages in flight as pending. It must go out
  // even though `stopping` is set, so it does not go through the stop check.
  impl.checkpoint();
  {
    std::lock_guard guard(impl.mutex);
    if (impl.failure) end = CrawlEnd::kFailed;  // the sink failed, maybe at the last checkpoint
    // A fresh crawl in which every page failed never started: its seeds could not be fetched.
    if (end == CrawlEnd::kCompleted && !impl.resumed && impl.pages_done.load() == 0 &&
        impl.pages_skipped.load() == 0 && impl.first_error) {
      end = CrawlEnd::kFailed;
      impl.failure = impl.first_error;
    }
  }
  return end;
}

void Crawler::cancel() {
  impl_->stop(CrawlEnd::kCancelled);
}

CrawlProgress Crawler::progress() const {
  return impl_->progress_locked_counts();
}

std::optional<Error> Crawler::failure() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->failure;
}

}  // namespace riptide::crawl
