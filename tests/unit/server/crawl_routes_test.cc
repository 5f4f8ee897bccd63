#include "server/crawl_routes.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "sandbox/engine.h"
#include "server/batch_runner.h"
#include "server/crawl_jobs.h"
#include "server/work_pool.h"
#include "store/store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tree_site.h"
#include "tests/unit/server/fake_writer.h"
#include "tests/unit/server/pool_blocker.h"
#include "tests/unit/server/route_harness.h"

// The crawl routes called the way the server calls them (router match, then the handler with a
// request and a writer), over a real job manager, SQLite store, fetcher and native engine
// crawling a TreeSite: what each route answers, query errors, owners, a full pool, and the
// results stream's backpressure and shutdown. End-to-end HTTP is tests/integration/crawl_test.cc.
namespace riptide::server {
namespace {

using Json = nlohmann::json;
using riptide::testing::TreeSite;
using testing::body_of;
using testing::FakeWriter;
using testing::header_of;
using testing::kWaitLimit;
using testing::PoolBlocker;

// Small enough that a few results fill it: the stream must pause for a slow reader.
constexpr size_t kStreamBuffer = 1024;

class CrawlRoutesTest : public ::testing::Test {
 protected:
  CrawlRoutesTest() {
    Result<std::unique_ptr<store::Store>> opened = store::open_sqlite_store(dir_.path(), 1 << 20);
    EXPECT_TRUE(opened.ok()) << opened.error().to_string();
    store_ = std::move(opened).value();
    fetch::FetchConfig fetch_config;
    fetch_config.allow_private_networks = true;  // the site is on loopback
    fetcher_ = std::make_unique<fetch::Fetcher>(fetch_config);
    sandbox::SandboxConfig sandbox_config;
    sandbox_config.pool.initial_pool_size = 0;
    engine_ = sandbox::Engine::create(sandbox_config);
    jobs_config_.engine_kind = sandbox::EngineKind::kNative;
    jobs_ = std::make_unique<CrawlJobs>(jobs_config_, *store_, *fetcher_, *engine_);
    server_.config.retry_after_seconds = 7;
    server_.config.stream_buffer_bytes = kStreamBuffer;
    register_crawl_routes(server_.router, server_.context,
                          CrawlServices{*jobs_, jobs_config_, server_.delayed});
  }
  ~CrawlRoutesTest() override { jobs_->shutdown(); }

  // Calls the route as the server would after admitting `key_id`; `wait` for the answer.
  std::shared_ptr<FakeWriter> call(const std::string& method, const std::string& target,
                                   std::string body = {}, std::vector<Header> headers = {},
                                   const std::string& key_id = "key_a", bool admin = false,
                                   bool wait = true) {
    return server_.call(method, target, std::move(body), std::move(headers),
                        Principal{key_id, "test", admin}, wait);
  }

  static unsigned status_of(const std::shared_ptr<FakeWriter>& writer) {
    return writer->sent() ? writer->sent()->status : 0;
  }
  // POST /v1/crawl of `site` with `delay` seconds between requests; the new job's id.
  std::string submit(const TreeSite& site, double delay, const std::string& key_id = "key_a") {
    Json body = {{"url", site.root()}, {"max_depth", 10},         {"delay", delay},
                 {"concurrency", 1},   {"respect_robots", false}, {"formats", {"metadata"}}};
    auto writer = call("POST", "/v1/crawl", body.dump(), {}, key_id);
    EXPECT_EQ(status_of(writer), 202u) << (writer->sent() ? writer->sent()->body : "");
    return body_of(writer).value("id", "");
  }

  // Polls the manager until the job is final.
  bool wait_final(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      Result<CrawlJobView> job = jobs_->get(id, "");
      if (job.ok() && store::is_final(job->record.state)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // The NDJSON lines of every chunk written, parsed.
  static std::vector<Json> ndjson(const std::shared_ptr<FakeWriter>& writer) {
    std::vector<Json> out;
    for (const std::string& chunk : writer->chunks()) {
      size_t start = 0;
      for (size_t end = chunk.find('\n'); end != std::string::npos;
           start = end + 1, end = chunk.find('\n', start)) {
        out.push_back(Json::parse(chunk.substr(start, end - start), nullptr, false));
      }
      EXPECT_EQ(start, chunk.size()) << "a chunk ends inside a line";
    }
    return out;
  }

  riptide::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fetch::Fetcher> fetcher_;
  std::unique_ptr<sandbox::Engine> engine_;
  CrawlJobsConfig jobs_config_;
  std::unique_ptr<CrawlJobs> jobs_;
  // Last: destroyed first, so its pools finish their tasks while the job manager still exists.
  testing::RouteHarness server_;
};

TEST_F(CrawlRoutesTest, EveryRouteIsRegisteredForKeys) {
  const std::pair<const char*, const char*> routes[] = {{"POST", "/v1/crawl"},
                                                        {"GET", "/v1/crawl"},
                                                        {"GET", "/v1/crawl/x"},
                                                        {"DELETE", "/v1/crawl/x"},
                                                        {"GET", "/v1/crawl/x/results"}};
  for (const auto& [method, path] : routes) {
    Router::Match match = server_.router.match(method, path);
    ASSERT_EQ(match.kind, Router::Match::Kind::kFound) << method << " " << path;
    EXPECT_EQ(match.route->access, Access::kKey) << path;
  }
  EXPECT_EQ(server_.router.match("PUT", "/v1/crawl/x").kind,
            Router::Match::Kind::kMethodNotAllowed);
}

TEST_F(CrawlRoutesTest, MalformedQueriesAre400NamingTheParameter) {
  struct Case {
    const char* target;
    std::vector<Header> headers;
    const char* names;
  };
  const Case cases[] = {
      {"/v1/crawl/x/results?after=-1", {}, "after"},
      {"/v1/crawl/x/results?after=1e3", {}, "after"},
      {"/v1/crawl/x/results?limit=0", {}, "limit"},
      {"/v1/crawl/x/results?limit=ten", {}, "limit"},
      {"/v1/crawl/x/results?stream=xml", {}, "stream"},
      {"/v1/crawl/x/results?stream=sse", {{"Last-Event-ID", "seven"}}, "Last-Event-ID"},
      {"/v1/crawl?limit=0", {}, "limit"},
  };
  for (const Case& c : cases) {
    auto writer = call("GET", c.target, {}, c.headers);
    EXPECT_EQ(status_of(writer), 400u) << c.target;
    const std::string message = body_of(writer)["error"].value("message", "");
    EXPECT_NE(message.find(c.names), std::string::npos) << c.target << ": " << message;
  }
  // A Last-Event-ID outside an SSE request is not read.
  EXPECT_EQ(status_of(call("GET", "/v1/crawl/x/results", {}, {{"Last-Event-ID", "seven"}})), 404u);
}

TEST_F(CrawlRoutesTest, JobsAreTheirOwnersOnlyAdminsSeeAll) {
  TreeSite site(3);
  const std::string id = submit(site, 0);
  ASSERT_FALSE(id.empty());
  for (const char* method : {"GET", "DELETE"}) {
    auto other = call(method, "/v1/crawl/" + id, {}, {}, "key_b");
    EXPECT_EQ(status_of(other), 404u) << method;
    EXPECT_EQ(body_of(other)["error"]["code"], "not_found");
  }
  auto stream = call("GET", "/v1/crawl/" + id + "/results?stream=ndjson", {}, {}, "key_b");
  EXPECT_EQ(status_of(stream), 404u) << "a refused stream is a plain 404, not an empty stream";
  EXPECT_TRUE(body_of(call("GET", "/v1/crawl", {}, {}, "key_b"))["jobs"].empty());

  auto admin = call("GET", "/v1/crawl/" + id, {}, {}, "key_admin", true);
  EXPECT_EQ(status_of(admin), 200u);
  EXPECT_EQ(body_of(admin)["id"], id);
  auto mine = call("GET", "/v1/crawl?limit=5");
  ASSERT_EQ(body_of(mine)["jobs"].size(), 1u);
  EXPECT_EQ(body_of(mine)["jobs"][0]["id"], id);
  ASSERT_TRUE(wait_final(id));
}

TEST_F(CrawlRoutesTest, SubmitAnswers202WithLocationAndBadBodiesAre400) {
  TreeSite site(3);
  auto bad = call("POST", "/v1/crawl", Json{{"url", site.root()}, {"scope", "planet"}}.dump());
  EXPECT_EQ(status_of(bad), 400u);
  EXPECT_NE(body_of(bad)["error"].value("message", "").find("scope"), std::string::npos);

  auto writer = call("POST", "/v1/crawl", Json{{"url", site.root()}, {"delay", 0}}.dump());
  ASSERT_EQ(status_of(writer), 202u);
  const std::string id = body_of(writer).value("id", "");
  EXPECT_EQ(header_of(writer, "Location"), "/v1/crawl/" + id);
  ASSERT_TRUE(wait_final(id));
}

TEST_F(CrawlRoutesTest, FullPoolIs503WithRetryAfter) {
  PoolBlocker blocked(server_.fetchers);
  auto writer = call("GET", "/v1/crawl/whatever");
  EXPECT_EQ(status_of(writer), 503u);
  EXPECT_EQ(body_of(writer)["error"]["code"], "unavailable");
  EXPECT_EQ(header_of(writer, "Retry-After"), "7");
}

TEST_F(CrawlRoutesTest, PagesSpliceTheStoredResultsAndSayWhenDone) {
  TreeSite site(5);
  const std::string id = submit(site, 0);
  ASSERT_TRUE(wait_final(id));
  auto first = call("GET", "/v1/crawl/" + id + "/results?limit=3");
  ASSERT_EQ(status_of(first), 200u);
  Json page = body_of(first);
  ASSERT_EQ(page["results"].size(), 3u) << page.dump();
  EXPECT_EQ(page["results"][0]["seq"], 1);
  EXPECT_EQ(page["next_after"], 3);
  EXPECT_EQ(page["done"], false);
  auto rest = call("GET", "/v1/crawl/" + id + "/results?after=3&limit=3");
  page = body_of(rest);
  ASSERT_EQ(page["results"].size(), 2u) << page.dump();
  EXPECT_EQ(page["results"][1]["seq"], 5);
  EXPECT_EQ(page["next_after"], 5);
  EXPECT_EQ(page["done"], true);
  // Past the end: nothing, the same next_after, done.
  page = body_of(call("GET", "/v1/crawl/" + id + "/results?after=9"));
  EXPECT_TRUE(page["results"].empty());
  EXPECT_EQ(page["next_after"], 9);
  EXPECT_EQ(page["done"], true);
}

TEST_F(CrawlRoutesTest, StreamPausesForASlowReaderAndResumes) {
  constexpr int kPages = 12;
  TreeSite site(kPages);
  const std::string id = submit(site, 0);
  ASSERT_TRUE(wait_final(id));

  auto writer = std::make_shared<FakeWriter>();
  writer->hold();  // the client reads nothing until drain()
  server_.call("GET", "/v1/crawl/" + id + "/results", {}, {{"Accept", "application/x-ndjson"}},
               Principal{"key_a", "test", false}, /*wait=*/false, writer);
  ASSERT_TRUE(writer->wait_asked()) << "the stream never waited for the reader";
  EXPECT_EQ(writer->content_type(), "application/x-ndjson");
  const size_t written = ndjson(writer).size();
  EXPECT_GT(written, 0u);
  EXPECT_LT(written, static_cast<size_t>(kPages)) << "a slow reader did not pause the stream";
  EXPECT_FALSE(writer->finished());

  // The reader catches up: the stream continues from where it stopped, then ends.
  for (int round = 0; round < kPages && !writer->finished(); ++round) {
    writer->drain();
    writer->wait_asked_or_answered();
  }
  ASSERT_TRUE(writer->wait_answered());
  const std::vector<Json> lines = ndjson(writer);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kPages));
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["seq"], i + 1);
}

TEST_F(CrawlRoutesTest, ShutdownEndsAStreamWaitingForResults) {
  TreeSite site(7);
  // Ten seconds between requests: after the first page the job waits, and so does the stream.
  const std::string id = submit(site, 10);
  auto writer = call("GET", "/v1/crawl/" + id + "/results?stream=sse", {}, {}, "key_a", false,
                     /*wait=*/false);
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (writer->chunks().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // status + the first result
  }
  ASSERT_GE(writer->chunks().size(), 2u);
  EXPECT_FALSE(writer->finished());

  const auto started = std::chrono::steady_clock::now();
  jobs_->shutdown();
  ASSERT_TRUE(writer->wait_answered());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(writer->finished());
  // The job stays "running" for the next start to resume; no "done" was sent.
  EXPECT_EQ(jobs_->get(id, "")->record.state, store::CrawlJobState::kRunning);
  for (const std::string& chunk : writer->chunks()) {
    EXPECT_EQ(chunk.find("event: done"), std::string::npos);
  }
}

}  // namespace
}  // namespace riptide::server
