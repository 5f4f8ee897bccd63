#include "server/crawl_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "sandbox/engine.h"
#include "store/store.h"
#include "tests/support/site_fetch_config.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_http_server.h"
#include "tests/unit/sandbox/metric_value.h"

namespace riptide::server {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using Json = nlohmann::json;
using riptide::testing::HttpRequest;
using riptide::testing::HttpResponse;
using riptide::testing::TempDir;
using riptide::testing::TestHttpServer;
using sandbox::testing::metric_value;

// Long enough for a loaded 2-core machine; the crawls below take tens of milliseconds.
constexpr auto kWaitLimit = std::chrono::seconds(20);

// Distinct article text per page (a few hundred words from a small vocabulary, varied by a
// seeded generator) so SimHash never calls two pages duplicates.
std::string article_text(uint32_t page) {
  static constexpr const char* kWords[] = {
      "tide",   "harbour", "current", "estuary", "salt",    "moon",   "spring", "neap",
      "surge",  "shore",   "channel", "pilot",   "ebb",     "flood",  "chart",  "sounding",
      "buoy",   "lock",    "quay",    "dredge",  "sandbar", "reef",   "swell",  "gale",
      "beacon", "marsh",   "inlet",   "jetty",   "keel",    "rudder", "anchor", "mooring"};
  uint32_t state = page * 2654435761u + 12345u;
  std::string text;
  for (int sentence = 0; sentence < 12; ++sentence) {
    for (int word = 0; word < 14; ++word) {
      state = state * 1664525u + 1013904223u;
      text += kWords[(state >> 16) % std::size(kWords)];
      text += word == 13 ? ". " : " ";
    }
  }
  return text;
}

// A chain of pages /p0 → /p1 → ... → /p{n-1}, each also linking back to /p0 (a cycle the seen-set
// must break). `slow` delays every response; with `dangling` the last page links to /p{n}, a 404.
class ChainSite {
 public:
  explicit ChainSite(uint32_t pages, milliseconds slow = milliseconds(0), bool dangling = false)
      : pages_(pages), dangling_(dangling) {
    site_.set_fallback([this, slow](const HttpRequest& request) {
      uint32_t n = 0;
      if (request.path.size() < 3 || request.path.compare(0, 2, "/p") != 0 ||
          std::from_chars(request.path.data() + 2, request.path.data() + request.path.size(), n)
                  .ec != std::errc() ||
          n >= pages_) {
        return riptide::testing::html_response("<title>missing</title>", 404);
      }
      if (hold_ && n == *hold_) wait_for_release();
      HttpResponse response = riptide::testing::html_response(page(n));
      response.delay = slow;
      return response;
    });
  }

  ~ChainSite() { release(); }  // a held request must not keep the server from stopping

  std::string url(uint32_t n) const { return site_.url("/p" + std::to_string(n)); }
  TestHttpServer& server() { return site_; }

  // Requests for /p{n} block (up to kWaitLimit) until release(); entered() tells when one came.
  void hold(uint32_t n) { hold_ = n; }
  bool wait_entered() {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWaitLimit, [&] { return entered_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }

  // Requests per path in the log.
  std::map<std::string, int> request_counts() const {
    std::map<std::string, int> counts;
    for (const HttpRequest& request : site_.requests()) ++counts[request.path];
    return counts;
  }

 private:
  std::string page(uint32_t n) const {
    std::string html =
        "<!doctype html><html><head><title>Page " + std::to_string(n) +
        "</title></head><body><nav><a href=\"/p0\">home</a></nav><article><h1>Page " +
        std::to_string(n) + "</h1><p>" + article_text(n) + "</p>";
    if (n + 1 < pages_ || dangling_)
      html += "<p><a href=\"/p" + std::to_string(n + 1) + "\">next</a></p>";
    return html + "</article></body></html>";
  }

  void wait_for_release() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, kWaitLimit, [&] { return released_; });
  }

  uint32_t pages_;
  bool dangling_;
  std::optional<uint32_t> hold_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool released_ = false;
  TestHttpServer site_;  // last: stopped (its handler threads joined) before the rest goes
};

// Delegates to the real store but refuses every checkpoint that carries results, as a store whose
// disk filled up mid-crawl would; state-only writes still work.
class ResultsRefusingStore : public store::Store {
 public:
  explicit ResultsRefusingStore(store::Store& inner) : inner_(inner) {}
  Status ping() override { return inner_.ping(); }
  Status insert_key(const store::ApiKeyRecord& key) override { return inner_.insert_key(key); }
  Result<std::optional<store::ApiKeyRecord>> find_key_by_hash(std::string_view hash) override {
    return inner_.find_key_by_hash(hash);
  }
  Result<std::vector<store::ApiKeyRecord>> list_keys() override { return inner_.list_keys(); }
  Status revoke_key(std::string_view id) override { return inner_.revoke_key(id); }
  void add_usage(std::string_view key_id, const store::Usage& delta) override {
    inner_.add_usage(key_id, delta);
  }
  Result<store::Usage> usage(std::string_view key_id) override { return inner_.usage(key_id); }
  Status flush() override { return inner_.flush(); }
  Result<std::optional<store::CacheEntry>> cache_get(std::string_view key,
                                                     std::chrono::seconds max_age) override {
    return inner_.cache_get(key, max_age);
  }
  Status cache_put(std::string_view key, std::string_view value) override {
    return inner_.cache_put(key, value);
  }
  Status create_crawl_job(const store::CrawlJobRecord& job) override {
    return inner_.create_crawl_job(job);
  }
  Status checkpoint_crawl_job(const store::CrawlJobRecord& job,
                              const std::vector<store::CrawlResultRecord>& results,
                              const std::string* frontier_json) override {
    if (!results.empty()) return Error(ErrorCode::kIo, "disk full");
    return inner_.checkpoint_crawl_job(job, results, frontier_json);
  }
  Result<std::optional<store::CrawlJobRecord>> get_crawl_job(std::string_view id) override {
    return inner_.get_crawl_job(id);
  }
  Result<std::optional<std::string>> crawl_frontier(std::string_view id) override {
    return inner_.crawl_frontier(id);
  }
  Result<std::vector<store::CrawlJobRecord>> list_crawl_jobs(std::string_view owner,
                                                             size_t limit) override {
    return inner_.list_crawl_jobs(owner, limit);
  }
  Result<std::vector<store::CrawlJobRecord>> unfinished_crawl_jobs() override {
    return inner_.unfinished_crawl_jobs();
  }
  Result<std::vector<store::CrawlResultRecord>> crawl_results(std::string_view id,
                                                              uint64_t after_seq,
                                                              size_t limit) override {
    return inner_.crawl_results(id, after_seq, limit);
  }
  Result<std::vector<std::pair<uint64_t, std::string>>> crawl_fingerprints(
      std::string_view id) override {
    return inner_.crawl_fingerprints(id);
  }
  Status delete_crawl_job(std::string_view id) override { return inner_.delete_crawl_job(id); }

 private:
  store::Store& inner_;
};

class CrawlJobsTest : public ::testing::Test {
 protected:
  CrawlJobsTest() {
    Result<std::unique_ptr<store::Store>> opened = store::open_sqlite_store(dir_.path(), 1 << 20);
    if (opened.ok()) store_ = std::move(*opened);
    fetcher_ = std::make_unique<fetch::Fetcher>(riptide::testing::site_fetch_config());
    sandbox::SandboxConfig sandbox_config;
    sandbox_config.pool.initial_pool_size = 0;
    sandbox_config.pool.max_pool_size = 2;
    engine_ = sandbox::Engine::create(sandbox_config);
  }

  void SetUp() override { ASSERT_TRUE(store_) << "cannot open a SQLite store in " << dir_.path(); }

  std::unique_ptr<CrawlJobs> make_jobs(
      uint32_t max_running = kDefaultMaxRunningCrawls, store::Store* store = nullptr,
      uint32_t max_active_per_owner = kDefaultMaxActiveCrawlsPerOwner) {
    CrawlJobsConfig config;
    config.max_running = max_running;
    config.max_active_per_owner = max_active_per_owner;
    config.engine_kind = sandbox::EngineKind::kNative;  // same records, faster under Debug
    registry_ = std::make_shared<prometheus::Registry>();
    return std::make_unique<CrawlJobs>(config, store ? *store : *store_, *fetcher_, *engine_,
                                       registry_);
  }

  // A request for `seed`; `extra` holds more members ("formats": [...]). No politeness delay
  // and no robots.txt unless `extra` asks: the site is the test's own.
  static CrawlRequest request(const std::string& seed, const std::string& extra = "") {
    std::string body =
        R"({"url": ")" + seed + R"(", "delay": 0, "max_depth": 50, "respect_robots": false)";
    if (!extra.empty()) body += ", " + extra;
    body += "}";
    CrawlJobsConfig config;
    config.engine_kind = sandbox::EngineKind::kNative;
    Result<CrawlRequest> decoded = decode_crawl_job_request(body, config);
    EXPECT_TRUE(decoded.ok()) << decoded.error().to_string() << " in " << body;
    return decoded.ok() ? std::move(*decoded) : CrawlRequest{};
  }

  // Polls until the job is final (or kWaitLimit passes).
  static CrawlJobView wait_final(CrawlJobs& jobs, const std::string& id) {
    return wait_for(jobs, id,
                    [](const CrawlJobView& v) { return store::is_final(v.record.state); });
  }

  template <typename Predicate>
  static CrawlJobView wait_for(CrawlJobs& jobs, const std::string& id, Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    for (;;) {
      Result<CrawlJobView> view = jobs.get(id, "");
      if (!view.ok()) {
        ADD_FAILURE() << view.error().to_string();
        return {};
      }
      if (done(*view) || std::chrono::steady_clock::now() > deadline) return *view;
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  std::vector<store::CrawlResultRecord> all_results(const std::string& id) {
    Result<std::vector<store::CrawlResultRecord>> results =
        store_->crawl_results(id, 0, kMaxCrawlResultsPage);
    EXPECT_TRUE(results.ok()) << results.error().to_string();
    return results.ok() ? *results : std::vector<store::CrawlResultRecord>{};
  }

  double metric(const std::string& name, const std::map<std::string, std::string>& labels) {
    return metric_value(*registry_, name, labels);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fetch::Fetcher> fetcher_;
  std::unique_ptr<sandbox::Engine> engine_;
  std::shared_ptr<prometheus::Registry> registry_;
};

TEST_F(CrawlJobsTest, SubmittedJobCompletesWithItsResultsInTheStore) {
  ChainSite site(6);
  auto jobs = make_jobs();
  Result<store::CrawlJobRecord> submitted = jobs->submit(
      "key_a", request(site.url(0), R"("respect_robots": true, "formats": ["metadata", "text"])"));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  EXPECT_THAT(submitted->id, MatchesRegex("crawl_[0-9a-f]{32}"));
  EXPECT_EQ(submitted->state, store::CrawlJobState::kQueued);

  CrawlJobView view = wait_final(*jobs, submitted->id);
  ASSERT_EQ(view.record.state, store::CrawlJobState::kCompleted) << view.record.error;
  EXPECT_EQ(view.record.error, "");
  EXPECT_EQ(view.progress.pages_done, 6u);
  EXPECT_EQ(view.progress.pages_failed, 0u);
  ASSERT_TRUE(view.record.started_at && view.record.finished_at);
  EXPECT_LE(*view.record.started_at, *view.record.finished_at);

  std::vector<store::CrawlResultRecord> results = all_results(submitted->id);
  ASSERT_EQ(results.size(), 6u);
  std::set<std::string> urls;
  for (size_t i = 0; i < results.size(); ++i) {
    const store::CrawlResultRecord& result = results[i];
    EXPECT_EQ(result.seq, i + 1);
    EXPECT_TRUE(result.ok);
    EXPECT_NE(result.simhash, 0u);  // a few hundred words: fingerprinted
    urls.insert(result.url);
    Json json = Json::parse(result.json);
    EXPECT_EQ(json["seq"], i + 1);
    EXPECT_EQ(json["url"], result.url);
    EXPECT_EQ(json["status"], 200);
    EXPECT_EQ(json["ok"], true);
    EXPECT_EQ(json["skipped"], false);
    EXPECT_TRUE(json["duplicate_of"].is_null());
    EXPECT_FALSE(json.contains("error"));
    // Only the formats asked for (url and stats always).
    const Json& document = json["document"];
    EXPECT_THAT(document["title"].get<std::string>(), HasSubstr("Page"));
    EXPECT_THAT(document["text"].get<std::string>(), HasSubstr("tide"));
    EXPECT_FALSE(document.contains("markdown"));
    EXPECT_FALSE(document.contains("html"));
    EXPECT_FALSE(document.contains("links"));
    EXPECT_TRUE(document.contains("stats"));
  }
  std::set<std::string> expected;
  for (uint32_t n = 0; n < 6; ++n) expected.insert(site.url(n));
  EXPECT_EQ(urls, expected);

  // Each page fetched once; robots.txt once for the origin.
  for (const auto& [path, count] : site.request_counts()) EXPECT_EQ(count, 1) << path;
  EXPECT_EQ(site.request_counts()["/robots.txt"], 1);

  nlohmann::ordered_json shown = crawl_job_to_json(view);
  EXPECT_EQ(shown["id"], submitted->id);
  EXPECT_EQ(shown["status"], "completed");
  EXPECT_EQ(shown["pages"]["done"], 6);
  EXPECT_EQ(shown["pages"]["queued"], 0);
  EXPECT_TRUE(shown["finished_at"].is_string());
  EXPECT_TRUE(shown["error"].is_null());
  EXPECT_EQ(shown["request"]["urls"][0], site.url(0));
  EXPECT_EQ(shown["request"]["formats"], nlohmann::ordered_json::parse(R"(["text", "metadata"])"));

  EXPECT_EQ(metric("riptide_crawl_pages_total", {{"outcome", "ok"}}), 6);
  EXPECT_EQ(metric("riptide_crawl_jobs", {{"state", "running"}}), 0);
  EXPECT_EQ(metric("riptide_crawl_jobs", {{"state", "queued"}}), 0);
  EXPECT_EQ(metric("riptide_crawl_jobs_finished_total", {{"state", "completed"}}), 1);

  // The key's usage counts the crawl's documents and their HTML bytes, like /v1/extract's.
  Result<store::Usage> usage = store_->usage("key_a");
  ASSERT_TRUE(usage.ok()) << usage.error().to_string();
  EXPECT_EQ(usage->pages, 6u);
  EXPECT_EQ(usage->bytes_in, view.progress.bytes_fetched);
  EXPECT_GT(usage->bytes_in, 0u);
}

TEST_F(CrawlJobsTest, FailedPagesAreResultsWithTheirError) {
  ChainSite site(2, milliseconds(0), /*dangling=*/true);
  auto jobs = make_jobs();
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request(site.url(0)));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  CrawlJobView view = wait_final(*jobs, submitted->id);
  EXPECT_EQ(view.record.state, store::CrawlJobState::kCompleted) << view.record.error;
  EXPECT_EQ(view.progress.pages_done, 2u);
  EXPECT_EQ(view.progress.pages_failed, 1u);
  std::vector<store::CrawlResultRecord> results = all_results(submitted->id);
  ASSERT_EQ(results.size(), 3u);
  const store::CrawlResultRecord& missing = results[2];
  EXPECT_EQ(missing.url, site.url(2));
  EXPECT_FALSE(missing.ok);
  Json json = Json::parse(missing.json);
  EXPECT_EQ(json["status"], 404);
  EXPECT_EQ(json["ok"], false);
  EXPECT_FALSE(json.contains("document"));
  EXPECT_EQ(json["error"]["code"], "fetch_failed");
  EXPECT_EQ(metric("riptide_crawl_pages_total", {{"outcome", "failed"}}), 1);
}

TEST_F(CrawlJobsTest, ACrawlThatCannotStartFailsWithTheReason) {
  ChainSite site(1);
  auto jobs = make_jobs();
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request(site.url(7)));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  CrawlJobView view = wait_final(*jobs, submitted->id);
  EXPECT_EQ(view.record.state, store::CrawlJobState::kFailed);
  EXPECT_THAT(view.record.error, HasSubstr("404"));
  EXPECT_EQ(crawl_job_to_json(view)["error"], view.record.error);
  EXPECT_EQ(metric("riptide_crawl_jobs_finished_total", {{"state", "failed"}}), 1);
}

TEST_F(CrawlJobsTest, WhenResultsRunsOnceResultsAreStored) {
  ChainSite site(3);
  auto jobs = make_jobs();
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request(site.url(0)));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  std::promise<std::thread::id> called;
  jobs->when_results(submitted->id, 0, [&] { called.set_value(std::this_thread::get_id()); });
  std::future<std::thread::id> future = called.get_future();
  ASSERT_EQ(future.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
  // Called because results were stored (or the job ended, which stores them too).
  Result<std::vector<store::CrawlResultRecord>> results = jobs->results(submitted->id, "", 0, 10);
  ASSERT_TRUE(results.ok());
  EXPECT_FALSE(results->empty());

  // Unknown ids and final jobs answer at once (on the manager's thread).
  std::promise<void> unknown;
  jobs->when_results("crawl_00000000000000000000000000000000", 0, [&] { unknown.set_value(); });
  EXPECT_EQ(unknown.get_future().wait_for(kWaitLimit), std::future_status::ready);
  wait_final(*jobs, submitted->id);
  std::promise<void> final_job;
  jobs->when_results(submitted->id, 1000, [&] { final_job.set_value(); });
  EXPECT_EQ(final_job.get_future().wait_for(kWaitLimit), std::future_status::ready);
}

TEST_F(CrawlJobsTest, AnotherOwnersJobIsNotFound) {
  ChainSite site(2);
  auto jobs = make_jobs();
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request(site.url(0)));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  wait_final(*jobs, submitted->id);

  EXPECT_EQ(jobs->get(submitted->id, "key_b").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(jobs->results(submitted->id, "key_b", 0, 10).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(jobs->cancel(submitted->id, "key_b").error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(jobs->get(submitted->id, "key_a").ok());
  EXPECT_TRUE(jobs->get(submitted->id, "").ok());  // admin keys see every job
  EXPECT_EQ(jobs->results(submitted->id, "key_a", 0, 10)->size(), 2u);

  Result<std::vector<CrawlJobView>> mine = jobs->list("key_a", 10);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].record.id, submitted->id);
  EXPECT_TRUE(jobs->list("key_b", 10)->empty());

  // Ids that are not ids, and unknown ones, are kNotFound too.
  EXPECT_EQ(jobs->get("crawl_../../etc", "").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(jobs->get("crawl_ffffffffffffffffffffffffffffffff", "").error().code(),
            ErrorCode::kNotFound);
}

TEST_F(CrawlJobsTest, CancelStopsARunningCrawlWithinASecond) {
  ChainSite site(200, milliseconds(50));
  auto jobs = make_jobs();
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request(site.url(0)));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  wait_for(*jobs, submitted->id, [](const CrawlJobView& v) { return v.progress.pages_done >= 2; });

  auto start = std::chrono::steady_clock::now();
  Result<CrawlJobView> cancelled = jobs->cancel(submitted->id, "key_a");
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().to_string();
  CrawlJobView view = wait_final(*jobs, submitted->id);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(view.record.state, store::CrawlJobState::kCancelled);
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  // What was reported before the cancel is kept.
  std::vector<store::CrawlResultRecord> results = all_results(submitted->id);
  EXPECT_GE(results.size(), 2u);
  EXPECT_LT(results.size(), 200u);
  EXPECT_EQ(view.progress.pages_done, results.size());

  // Cancelling a final job returns it as it is.
  Result<CrawlJobView> again = jobs->cancel(submitted->id, "key_a");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->record.state, store::CrawlJobState::kCancelled);
}

TEST_F(CrawlJobsTest, JobsBeyondMaxRunningWaitAndStartInCreationOrder) {
  ChainSite slow(200, milliseconds(30));
  ChainSite quick(3);
  auto jobs = make_jobs(/*max_running=*/1);
  Result<store::CrawlJobRecord> first = jobs->submit("key_a", request(slow.url(0)));
  Result<store::CrawlJobRecord> second = jobs->submit("key_a", request(quick.url(0)));
  Result<store::CrawlJobRecord> third = jobs->submit("key_a", request(quick.url(1)));
  Result<store::CrawlJobRecord> dropped = jobs->submit("key_a", request(quick.url(2)));
  ASSERT_TRUE(first.ok() && second.ok() && third.ok() && dropped.ok());

  wait_for(*jobs, first->id,
           [](const CrawlJobView& v) { return v.record.state == store::CrawlJobState::kRunning; });
  EXPECT_EQ(jobs->get(second->id, "")->record.state, store::CrawlJobState::kQueued);
  EXPECT_EQ(metric("riptide_crawl_jobs", {{"state", "queued"}}), 3);
  EXPECT_EQ(metric("riptide_crawl_jobs", {{"state", "running"}}), 1);

  // A queued job is cancelled at once, without running.
  Result<CrawlJobView> cancelled = jobs->cancel(dropped->id, "key_a");
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->record.state, store::CrawlJobState::kCancelled);
  EXPECT_FALSE(cancelled->record.started_at.has_value());

  ASSERT_TRUE(jobs->cancel(first->id, "key_a").ok());
  CrawlJobView a = wait_final(*jobs, first->id);
  CrawlJobView b = wait_final(*jobs, second->id);
  CrawlJobView c = wait_final(*jobs, third->id);
  EXPECT_EQ(a.record.state, store::CrawlJobState::kCancelled);
  EXPECT_EQ(b.record.state, store::CrawlJobState::kCompleted);
  EXPECT_EQ(c.record.state, store::CrawlJobState::kCompleted);
  ASSERT_TRUE(a.record.finished_at && b.record.started_at && b.record.finished_at &&
              c.record.started_at);
  // One slot: each starts after the one before it ended, in the order they were submitted.
  EXPECT_GE(*b.record.started_at, *a.record.finished_at);
  EXPECT_GE(*c.record.started_at, *b.record.finished_at);
  EXPECT_TRUE(all_results(dropped->id).empty());
  EXPECT_EQ(quick.request_counts()["/p2"], 2);  // by the second and the third job, not the dropped
}

TEST_F(CrawlJobsTest, AnOwnerBeyondItsActiveJobCapIsRefusedUntilOneEnds) {
  ChainSite slow(200, milliseconds(30));
  auto jobs = make_jobs(/*max_running=*/1, nullptr, /*max_active_per_owner=*/2);
  Result<store::CrawlJobRecord> running = jobs->submit("key_a", request(slow.url(0)));
  Result<store::CrawlJobRecord> queued = jobs->submit("key_a", request(slow.url(1)));
  ASSERT_TRUE(running.ok() && queued.ok());
  Result<store::CrawlJobRecord> third = jobs->submit("key_a", request(slow.url(2)));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code(), ErrorCode::kResourceLimit);
  EXPECT_EQ(jobs->list("key_a", 10)->size(), 2u);  // the refused one was never stored
  // Another key is not affected by key_a's jobs.
  Result<store::CrawlJobRecord> other = jobs->submit("key_b", request(slow.url(3)));
  ASSERT_TRUE(other.ok());
  // Once one of key_a's jobs ends, key_a may submit again.
  ASSERT_TRUE(jobs->cancel(queued->id, "key_a").ok());
  Result<store::CrawlJobRecord> again = jobs->submit("key_a", request(slow.url(4)));
  EXPECT_TRUE(again.ok());
  for (const auto* id : {&running->id, &other->id, &again->id}) {
    ASSERT_TRUE(jobs->cancel(*id, "").ok());
  }
}

TEST_F(CrawlJobsTest, ShutdownMidCrawlThenANewManagerResumesWithoutRefetching) {
  constexpr uint32_t kPages = 10;
  constexpr uint32_t kHeld = 5;
  ChainSite site(kPages);
  site.hold(kHeld);
  std::string id;
  {
    auto jobs = make_jobs();
    Result<store::CrawlJobRecord> submitted =
        jobs->submit("key_a", request(site.url(0), R"("concurrency": 1)"));
    ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
    id = submitted->id;
    ASSERT_TRUE(site.wait_entered());  // /p5 is being fetched: /p0../p4 are reported
    auto start = std::chrono::steady_clock::now();
    jobs->shutdown();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
    EXPECT_TRUE(jobs->shutting_down());
  }
  site.release();

  // Left "running" with its checkpoint: the five pages reported before the shutdown.
  Result<std::optional<store::CrawlJobRecord>> stored = store_->get_crawl_job(id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->state, store::CrawlJobState::kRunning);
  EXPECT_EQ(all_results(id).size(), kHeld);

  auto jobs = make_jobs();
  Result<size_t> resumed = jobs->resume_unfinished();
  ASSERT_TRUE(resumed.ok()) << resumed.error().to_string();
  EXPECT_EQ(*resumed, 1u);
  CrawlJobView view = wait_final(*jobs, id);
  ASSERT_EQ(view.record.state, store::CrawlJobState::kCompleted) << view.record.error;
  EXPECT_EQ(view.progress.pages_done, kPages);  // counted across both runs

  std::vector<store::CrawlResultRecord> results = all_results(id);
  ASSERT_EQ(results.size(), kPages);
  std::set<std::string> urls;
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].seq, i + 1);
    urls.insert(results[i].url);
  }
  EXPECT_EQ(urls.size(), kPages);
  // Only the page in flight at the shutdown (aborted, never reported) was requested again.
  for (const auto& [path, count] : site.request_counts()) {
    EXPECT_EQ(count, path == "/p" + std::to_string(kHeld) ? 2 : 1) << path;
  }
}

TEST_F(CrawlJobsTest, AStoreThatFailsMidCrawlFailsTheJob) {
  ChainSite site(4);
  ResultsRefusingStore refusing(*store_);
  auto jobs = make_jobs(kDefaultMaxRunningCrawls, &refusing);
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request(site.url(0)));
  ASSERT_TRUE(submitted.ok()) << submitted.error().to_string();
  CrawlJobView view = wait_final(*jobs, submitted->id);
  EXPECT_EQ(view.record.state, store::CrawlJobState::kFailed);
  EXPECT_THAT(view.record.error, HasSubstr("disk full"));
  EXPECT_TRUE(all_results(submitted->id).empty());
  EXPECT_GE(metric("riptide_crawl_store_errors_total", {}), 1);
}

TEST_F(CrawlJobsTest, SubmitAfterShutdownIsRefused) {
  auto jobs = make_jobs();
  jobs->shutdown();
  jobs->shutdown();  // idempotent
  Result<store::CrawlJobRecord> submitted = jobs->submit("key_a", request("http://127.0.0.1:9/"));
  ASSERT_FALSE(submitted.ok());
  EXPECT_EQ(submitted.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace riptide::server
