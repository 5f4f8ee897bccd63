#include "server/batch_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/work_pool.h"
#include "tests/support/fake_store.h"
#include "tests/unit/server/fake_writer.h"

namespace riptide::server {
namespace {

using testing::FakeWriter;
using testing::kWaitLimit;

using namespace std::chrono_literals;
using Json = nlohmann::json;

std::string page(const std::string& title) {
  return "<html><head><title>" + title + "</title></head><body><article><p>" + title +
         " is a page about tides and the moon, long enough to be the main content.</p>"
         "</article></body></html>";
}

// Pages by URL, each with an optional delay; counts fetches and how many ran at once.
class SlowOrigin {
 public:
  void add(const std::string& url, int status, std::chrono::milliseconds delay = 0ms) {
    pages_[url] = {status, delay};
  }
  Result<fetch::FetchResponse> fetch(std::string_view url) {
    int now = ++running_;
    int seen = max_running_.load();
    while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
    }
    ++fetches_;
    const Entry& entry = pages_.at(std::string(url));
    std::this_thread::sleep_for(entry.delay);
    fetch::FetchResponse response;
    response.url = response.final_url = std::string(url);
    response.status = entry.status;
    if (entry.status == 200) response.html = page(std::string(url));
    --running_;
    return response;
  }
  int fetches() const { return fetches_; }
  int max_running() const { return max_running_; }

 private:
  struct Entry {
    int status;
    std::chrono::milliseconds delay;
  };
  std::map<std::string, Entry> pages_;
  std::atomic<int> fetches_{0};
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
};

class BatchRunnerTest : public ::testing::Test {
 protected:
  BatchRunnerTest() {
    sandbox::SandboxConfig config;
    config.pool.initial_pool_size = 0;
    engine_ = sandbox::Engine::create(config);
    ExtractServiceOptions options;
    options.engine_kind = sandbox::EngineKind::kNative;
    service_ = std::make_unique<ExtractService>(
        *engine_, [this](std::string_view url) { return origin_.fetch(url); }, &store_, options);
  }

  BatchEnv env(size_t stream_buffer_bytes = kStreamBufferBytes) {
    return BatchEnv{*service_, fetchers_, workers_, delayed_, stream_buffer_bytes};
  }

  static BatchRequest urls(std::vector<std::string> list, uint32_t concurrency) {
    BatchRequest request;
    for (std::string& url : list) request.items.push_back(PageInput{std::move(url), std::nullopt});
    request.concurrency = concurrency;
    return request;
  }

  // Runs a batch and waits for its on_done.
  BatchTotals run(BatchRequest request, BatchOutput output, std::shared_ptr<FakeWriter> writer,
                  const BatchEnv& batch_env) {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<BatchTotals> totals;
    run_batch(batch_env, std::move(request), output, writer, [&](const BatchTotals& t) {
      std::lock_guard lock(mutex);
      totals = t;
      cv.notify_all();
    });
    std::unique_lock lock(mutex);
    EXPECT_TRUE(cv.wait_for(lock, kWaitLimit, [&] { return totals.has_value(); }));
    return totals.value_or(BatchTotals{});
  }

  SlowOrigin origin_;
  riptide::testing::FakeStore store_;
  std::unique_ptr<sandbox::Engine> engine_;
  std::unique_ptr<ExtractService> service_;
  WorkPool fetchers_{"test-fetch", 4, 64};
  WorkPool workers_{"test-work", 2, 64};
  DelayedRunner delayed_;
};

TEST(BatchOutput, FromAcceptHeader) {
  EXPECT_EQ(batch_output("", BatchOutput::kJson), BatchOutput::kJson);
  EXPECT_EQ(batch_output("application/json", BatchOutput::kNdjson), BatchOutput::kNdjson);
  EXPECT_EQ(batch_output("application/x-ndjson", BatchOutput::kJson), BatchOutput::kNdjson);
  EXPECT_EQ(batch_output("Text/Event-Stream", BatchOutput::kJson), BatchOutput::kSse);
  EXPECT_EQ(batch_output("application/json, text/event-stream;q=0.9", BatchOutput::kJson),
            BatchOutput::kSse);
}

TEST_F(BatchRunnerTest, JsonResultsAreInInputOrderWhateverFinishesFirst) {
  origin_.add("https://a.example/slow", 200, 80ms);
  origin_.add("https://a.example/gone", 404);
  origin_.add("https://a.example/fast", 200);
  auto writer = std::make_shared<FakeWriter>();
  BatchTotals totals =
      run(urls({"https://a.example/slow", "https://a.example/gone", "https://a.example/fast"}, 3),
          BatchOutput::kJson, writer, env());
  ASSERT_TRUE(writer->sent().has_value());
  EXPECT_TRUE(writer->chunks().empty()) << "JSON is one response, not a stream";
  Json body = Json::parse(writer->sent()->body);
  ASSERT_EQ(body["results"].size(), 3u);
  EXPECT_EQ(body["results"][0]["type"], "result");
  EXPECT_EQ(body["results"][0]["url"], "https://a.example/slow");
  EXPECT_EQ(body["results"][0]["document"]["title"], "https://a.example/slow");
  EXPECT_EQ(body["results"][1]["type"], "error");
  EXPECT_EQ(body["results"][1]["error"]["code"], "fetch_failed");
  EXPECT_EQ(body["results"][1]["error"]["message"], "origin answered HTTP 404");
  EXPECT_EQ(body["results"][2]["url"], "https://a.example/fast");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(body["results"][i]["index"], i);
  EXPECT_EQ(body["summary"]["total"], 3);
  EXPECT_EQ(body["summary"]["succeeded"], 2);
  EXPECT_EQ(body["summary"]["failed"], 1);
  EXPECT_EQ(totals.succeeded, 2u);
  EXPECT_EQ(totals.failed, 1u);
  EXPECT_GT(totals.bytes_in, 0u);
}

TEST_F(BatchRunnerTest, NdjsonLinesArriveAsItemsFinish) {
  origin_.add("https://a.example/slow", 200, 80ms);
  origin_.add("https://a.example/fast", 200);
  auto writer = std::make_shared<FakeWriter>();
  run(urls({"https://a.example/slow", "https://a.example/fast"}, 2), BatchOutput::kNdjson, writer,
      env());
  EXPECT_EQ(writer->content_type(), "application/x-ndjson");
  EXPECT_TRUE(writer->finished());
  std::vector<Json> lines = writer->lines();
  ASSERT_EQ(lines.size(), 2u) << "one line per item, nothing else";
  EXPECT_EQ(lines[0]["index"], 1) << "the fast page is written first";
  EXPECT_EQ(lines[0]["type"], "result");
  EXPECT_EQ(lines[0]["cache"], "miss");
  EXPECT_EQ(lines[1]["index"], 0);
}

TEST_F(BatchRunnerTest, SseEventsWithProgressAndDone) {
  origin_.add("https://a.example/1", 200);
  origin_.add("https://a.example/2", 500);
  auto writer = std::make_shared<FakeWriter>();
  BatchRequest request = urls({"https://a.example/1", "https://a.example/2"}, 1);
  run(std::move(request), BatchOutput::kSse, writer, env());
  EXPECT_EQ(writer->content_type(), "text/event-stream");
  std::string body;
  for (const std::string& chunk : writer->chunks()) body += chunk;
  // Concurrency 1: the items finish in order.
  size_t result = body.find("event: result\ndata: {\"type\":\"result\",\"index\":0,");
  size_t progress1 = body.find("event: progress\ndata: {\"done\":1,\"total\":2,\"failed\":0}\n\n");
  size_t error = body.find("event: error\ndata: {\"type\":\"error\",\"index\":1,");
  size_t progress2 = body.find("event: progress\ndata: {\"done\":2,\"total\":2,\"failed\":1}\n\n");
  size_t done = body.find("event: done\ndata: {\"total\":2,\"succeeded\":1,\"failed\":1,");
  ASSERT_NE(done, std::string::npos) << body;
  EXPECT_LT(result, progress1);
  EXPECT_LT(progress1, error);
  EXPECT_LT(error, progress2);
  EXPECT_LT(progress2, done);
  EXPECT_EQ(body.substr(body.size() - 2), "\n\n");
  EXPECT_TRUE(writer->finished());
}

TEST_F(BatchRunnerTest, AtMostConcurrencyItemsInFlight) {
  std::vector<std::string> list;
  for (int i = 0; i < 8; ++i) {
    list.push_back("https://a.example/" + std::to_string(i));
    origin_.add(list.back(), 200, 15ms);
  }
  auto writer = std::make_shared<FakeWriter>();
  BatchTotals totals = run(urls(list, 2), BatchOutput::kNdjson, writer, env());
  EXPECT_EQ(totals.succeeded, 8u);
  EXPECT_EQ(origin_.max_running(), 2) << "fetch pool has 4 threads; the batch allows 2";
}

TEST_F(BatchRunnerTest, SlowClientPausesTheBatch) {
  origin_.add("https://a.example/1", 200);
  origin_.add("https://a.example/2", 200);
  origin_.add("https://a.example/3", 200);
  auto writer = std::make_shared<FakeWriter>();
  writer->hold();
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  // A 1-byte buffer: every written line puts the writer over it.
  run_batch(env(1), urls({"https://a.example/1", "https://a.example/2", "https://a.example/3"}, 1),
            BatchOutput::kNdjson, writer, [&](const BatchTotals&) {
              std::lock_guard lock(mutex);
              done = true;
              cv.notify_all();
            });
  // After each of the first two items the batch asks to be told when the client caught up, and
  // starts nothing meanwhile; after the last one it finishes.
  for (int item = 1; item <= 2; ++item) {
    ASSERT_TRUE(writer->wait_asked()) << "no when_writable after item " << item;
    EXPECT_EQ(origin_.fetches(), item);
    writer->drain();
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, kWaitLimit, [&] { return done; }));
  EXPECT_EQ(writer->lines().size(), 3u);
}

TEST_F(BatchRunnerTest, ClientGoneStopsLaunching) {
  for (int i = 1; i <= 4; ++i) origin_.add("https://a.example/" + std::to_string(i), 200);
  auto writer = std::make_shared<FakeWriter>();
  writer->gone_after_writes(1);
  BatchTotals totals = run(urls({"https://a.example/1", "https://a.example/2",
                                 "https://a.example/3", "https://a.example/4"},
                                1),
                           BatchOutput::kNdjson, writer, env());
  EXPECT_EQ(origin_.fetches(), 1);
  EXPECT_EQ(totals.succeeded, 1u);
  EXPECT_EQ(totals.skipped, 3u);
}

TEST_F(BatchRunnerTest, FullPoolMakesItemsWaitNotFail) {
  // One worker thread, one queue slot: a blocked task and a queued one fill it.
  WorkPool workers("test-full", 1, 1);
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool open = false;
  auto blocked = [&] {
    std::unique_lock lock(gate_mutex);
    gate_cv.wait(lock, [&] { return open; });
  };
  ASSERT_TRUE(workers.try_submit(blocked));
  // Wait until the worker took the first task, so the second one sits in the queue.
  while (workers.active() == 0) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(workers.try_submit(blocked));
  ASSERT_FALSE(workers.try_submit([] {})) << "the pool is full";

  BatchRequest request;
  for (int i = 0; i < 3; ++i) {
    request.items.push_back(PageInput{"https://a.example/" + std::to_string(i), page("p")});
  }
  request.concurrency = 2;
  auto writer = std::make_shared<FakeWriter>();
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<BatchTotals> totals;
  run_batch(BatchEnv{*service_, fetchers_, workers, delayed_, kStreamBufferBytes},
            std::move(request), BatchOutput::kNdjson, writer, [&](const BatchTotals& t) {
              std::lock_guard lock(mutex);
              totals = t;
              cv.notify_all();
            });
  // Several retry periods pass with the pool still full: nothing fails.
  std::this_thread::sleep_for(kCapacityRetryDelay * 5);
  EXPECT_TRUE(writer->chunks().empty());
  {
    std::lock_guard lock(gate_mutex);
    open = true;
  }
  gate_cv.notify_all();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, kWaitLimit, [&] { return totals.has_value(); }));
  EXPECT_EQ(totals->succeeded, 3u);
  EXPECT_EQ(totals->failed, 0u);
}

TEST(DelayedRunner, RunsInDueOrder) {
  DelayedRunner runner;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<int> order;
  for (auto [delay, tag] : {std::pair{30ms, 3}, std::pair{1ms, 1}, std::pair{15ms, 2}}) {
    int value = tag;
    runner.run_after(delay, [&, value] {
      std::lock_guard lock(mutex);
      order.push_back(value);
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, kWaitLimit, [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace riptide::server
