// Crawl jobs in the store (store.h): the same behaviour table runs against the SQLite store and the
// in-memory FakeStore other tests use, so the fake cannot drift from the real thing. Durability,
// atomicity under a failure inside the transaction and the migration are SQLite-only.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store.h"
#include "tests/support/fake_store.h"
#include "tests/support/temp_dir.h"

namespace riptide::store {
namespace {

CrawlJobRecord make_job(std::string id, std::string owner, int64_t created_at) {
  CrawlJobRecord job;
  job.id = std::move(id);
  job.owner = std::move(owner);
  job.request_json = R"({"url":"https://example.org/","max_pages":10})";
  job.created_at = created_at;
  return job;
}

CrawlResultRecord make_result(uint64_t seq, uint64_t simhash = 0) {
  CrawlResultRecord result;
  result.seq = seq;
  result.url = "https://example.org/page/" + std::to_string(seq);
  result.ok = seq % 3 != 0;
  result.simhash = simhash;
  result.json = R"({"url":"https://example.org/page/)" + std::to_string(seq) + R"("})";
  return result;
}

// Results first..last (inclusive).
std::vector<CrawlResultRecord> results_range(uint64_t first, uint64_t last) {
  std::vector<CrawlResultRecord> results;
  for (uint64_t seq = first; seq <= last; ++seq) results.push_back(make_result(seq));
  return results;
}

std::vector<uint64_t> seqs_of(const std::vector<CrawlResultRecord>& results) {
  std::vector<uint64_t> seqs;
  for (const CrawlResultRecord& result : results) seqs.push_back(result.seq);
  return seqs;
}

std::vector<std::string> ids_of(const std::vector<CrawlJobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const CrawlJobRecord& job : jobs) ids.push_back(job.id);
  return ids;
}

void expect_same_job(const CrawlJobRecord& got, const CrawlJobRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.owner, want.owner);
  EXPECT_EQ(got.request_json, want.request_json);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.error, want.error);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.started_at, want.started_at);
  EXPECT_EQ(got.finished_at, want.finished_at);
  EXPECT_EQ(got.progress_json, want.progress_json);
}

TEST(CrawlJobStateTest, NamesRoundTripAndUnknownNamesAreRefused) {
  const std::vector<std::pair<CrawlJobState, std::string_view>> table = {
      {CrawlJobState::kQueued, "queued"},       {CrawlJobState::kRunning, "running"},
      {CrawlJobState::kCompleted, "completed"}, {CrawlJobState::kCancelled, "cancelled"},
      {CrawlJobState::kFailed, "failed"},
  };
  for (const auto& [state, name] : table) {
    EXPECT_EQ(crawl_job_state_name(state), name);
    EXPECT_EQ(parse_crawl_job_state(name), state);
  }
  for (std::string_view bad : {"", "Queued", "done", "running ", "cancel"}) {
    EXPECT_FALSE(parse_crawl_job_state(bad).has_value()) << bad;
  }
}

enum class Kind { kSqlite, kFake };

class CrawlJobsStoreTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    if (GetParam() == Kind::kFake) {
      store_ = std::make_unique<testing::FakeStore>();
      return;
    }
    SqliteStoreOptions options;
    options.usage_flush_interval = std::chrono::hours(1);
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    store_ = std::move(*opened);
  }

  Store& store() { return *store_; }

  void create(const CrawlJobRecord& job) {
    Status status = store().create_crawl_job(job);
    ASSERT_TRUE(status.ok()) << status.error().to_string();
  }
  std::vector<CrawlResultRecord> results(std::string_view id, uint64_t after_seq = 0,
                                         size_t limit = 1000) {
    Result<std::vector<CrawlResultRecord>> got = store().crawl_results(id, after_seq, limit);
    EXPECT_TRUE(got.ok()) << got.error().to_string();
    return got.ok() ? *got : std::vector<CrawlResultRecord>{};
  }
  CrawlJobRecord get(std::string_view id) {
    Result<std::optional<CrawlJobRecord>> got = store().get_crawl_job(id);
    EXPECT_TRUE(got.ok() && got->has_value());
    return got.ok() && got->has_value() ? **got : CrawlJobRecord{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(CrawlJobsStoreTest, CreatedJobReadsBackAndUnknownIdIsEmpty) {
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  job.progress_json = R"({"pages_done":0})";
  create(job);
  expect_same_job(get("crawl_1"), job);

  Result<std::optional<CrawlJobRecord>> missing = store().get_crawl_job("crawl_2");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  Result<std::optional<std::string>> frontier = store().crawl_frontier("crawl_1");
  ASSERT_TRUE(frontier.ok());
  EXPECT_FALSE(frontier->has_value()) << "no checkpoint saved yet";
  EXPECT_TRUE(results("crawl_1").empty());
  EXPECT_TRUE(results("crawl_unknown").empty());
}

TEST_P(CrawlJobsStoreTest, DuplicateIdIsInvalidArgument) {
  create(make_job("crawl_1", "key_a", 1000));
  Status again = store().create_crawl_job(make_job("crawl_1", "key_b", 2000));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(get("crawl_1").owner, "key_a") << "the first job is kept";
}

TEST_P(CrawlJobsStoreTest, CheckpointAppendsResultsAndReplacesStateAndFrontier) {
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  create(job);

  CrawlJobRecord running = job;
  running.state = CrawlJobState::kRunning;
  running.started_at = 1100;
  running.progress_json = R"({"pages_done":3})";
  // Fields a checkpoint does not own: never changed by it.
  running.owner = "someone_else";
  running.request_json = "{}";
  running.created_at = 5;
  std::string frontier_a = R"({"v":1,"a":1})";
  ASSERT_TRUE(store().checkpoint_crawl_job(running, results_range(1, 3), &frontier_a).ok());

  CrawlJobRecord want = job;
  want.state = CrawlJobState::kRunning;
  want.started_at = 1100;
  want.progress_json = running.progress_json;
  expect_same_job(get("crawl_1"), want);
  EXPECT_EQ(seqs_of(results("crawl_1")), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(store().crawl_frontier("crawl_1").value(), frontier_a);

  // Without a frontier the previous checkpoint stays; an empty batch is a state-only update.
  running.progress_json = R"({"pages_done":5})";
  ASSERT_TRUE(store().checkpoint_crawl_job(running, results_range(4, 5), nullptr).ok());
  ASSERT_TRUE(store().checkpoint_crawl_job(running, {}, nullptr).ok());
  EXPECT_EQ(store().crawl_frontier("crawl_1").value(), frontier_a);
  EXPECT_EQ(get("crawl_1").progress_json, R"({"pages_done":5})");

  CrawlJobRecord done = running;
  done.state = CrawlJobState::kCompleted;
  done.error = "time budget";
  done.finished_at = 1900;
  std::string frontier_b = R"({"v":1,"b":2})";
  ASSERT_TRUE(store().checkpoint_crawl_job(done, results_range(6, 6), &frontier_b).ok());
  CrawlJobRecord final_job = get("crawl_1");
  EXPECT_EQ(final_job.state, CrawlJobState::kCompleted);
  EXPECT_EQ(final_job.error, "time budget");
  EXPECT_EQ(final_job.started_at, 1100);
  EXPECT_EQ(final_job.finished_at, 1900);
  EXPECT_EQ(store().crawl_frontier("crawl_1").value(), frontier_b);
  EXPECT_EQ(seqs_of(results("crawl_1")), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_P(CrawlJobsStoreTest, CheckpointOfUnknownJobIsNotFound) {
  std::string frontier = "{}";
  Status status =
      store().checkpoint_crawl_job(make_job("crawl_x", "k", 1), results_range(1, 2), &frontier);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(results("crawl_x").empty());
}

TEST_P(CrawlJobsStoreTest, SeqGapsRepeatsAndZeroAreRefusedAndChangeNothing) {
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  create(job);
  std::string frontier = "first";
  ASSERT_TRUE(store().checkpoint_crawl_job(job, results_range(1, 3), &frontier).ok());

  CrawlJobRecord changed = job;
  changed.state = CrawlJobState::kFailed;
  changed.progress_json = "changed";
  std::string other_frontier = "second";
  std::vector<std::vector<CrawlResultRecord>> bad_batches = {
      results_range(5, 6),               // gap before the batch
      results_range(3, 4),               // repeats the last stored seq
      results_range(1, 1),               // starts over
      {make_result(0)},                  // seq 0 is never valid
      {make_result(4), make_result(6)},  // gap inside the batch
      {make_result(4), make_result(4)},  // repeat inside the batch
  };
  for (const auto& batch : bad_batches) {
    Status status = store().checkpoint_crawl_job(changed, batch, &other_frontier);
    ASSERT_FALSE(status.ok()) << "batch starting at " << batch.front().seq;
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(seqs_of(results("crawl_1")), (std::vector<uint64_t>{1, 2, 3}));
  expect_same_job(get("crawl_1"), job);
  EXPECT_EQ(store().crawl_frontier("crawl_1").value(), "first");

  // The right continuation is still accepted afterwards.
  ASSERT_TRUE(store().checkpoint_crawl_job(job, results_range(4, 4), nullptr).ok());
  EXPECT_EQ(seqs_of(results("crawl_1")), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST_P(CrawlJobsStoreTest, ResultsRoundTripAndPageByAfterSeqAndLimit) {
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  create(job);
  std::vector<CrawlResultRecord> all = results_range(1, 25);
  all[0].simhash = 0xFFFF'FFFF'FFFF'FFFFull;  // the top bit survives signed SQL integers
  all[1].simhash = 0x8000'0000'0000'0001ull;
  all[2].simhash = 42;
  all[3].json = std::string("{\"text\":\"caf\xC3\xA9 \xE2\x9C\x93\"}");
  ASSERT_TRUE(store().checkpoint_crawl_job(job, {all.begin(), all.begin() + 10}, nullptr).ok());
  ASSERT_TRUE(store().checkpoint_crawl_job(job, {all.begin() + 10, all.end()}, nullptr).ok());

  std::vector<CrawlResultRecord> read;
  uint64_t after = 0;
  std::vector<size_t> page_sizes;
  while (true) {
    std::vector<CrawlResultRecord> page = results("crawl_1", after, 10);
    if (page.empty()) break;
    page_sizes.push_back(page.size());
    after = page.back().seq;
    read.insert(read.end(), page.begin(), page.end());
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{10, 10, 5}));
  ASSERT_EQ(read.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(read[i].seq, all[i].seq);
    EXPECT_EQ(read[i].url, all[i].url);
    EXPECT_EQ(read[i].ok, all[i].ok);
    EXPECT_EQ(read[i].simhash, all[i].simhash);
    EXPECT_EQ(read[i].json, all[i].json);
  }
  EXPECT_EQ(seqs_of(results("crawl_1", 23, 10)), (std::vector<uint64_t>{24, 25}));
  EXPECT_TRUE(results("crawl_1", 25, 10).empty());
  EXPECT_TRUE(results("crawl_1", UINT64_MAX, 10).empty());
  EXPECT_TRUE(results("crawl_1", 0, 0).empty());
  EXPECT_EQ(results("crawl_1", 0, SIZE_MAX).size(), 25u);
}

TEST_P(CrawlJobsStoreTest, FingerprintsAreTheNonZeroOnesInSeqOrder) {
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  create(job);
  create(make_job("crawl_2", "key_a", 1001));
  std::vector<CrawlResultRecord> batch = {make_result(1, 0x8000'0000'0000'0000ull),
                                          make_result(2, 0), make_result(3, 7)};
  ASSERT_TRUE(store().checkpoint_crawl_job(job, batch, nullptr).ok());
  ASSERT_TRUE(store().checkpoint_crawl_job(get("crawl_2"), {make_result(1, 99)}, nullptr).ok());

  Result<std::vector<std::pair<uint64_t, std::string>>> got = store().crawl_fingerprints("crawl_1");
  ASSERT_TRUE(got.ok());
  std::vector<std::pair<uint64_t, std::string>> want = {
      {0x8000'0000'0000'0000ull, "https://example.org/page/1"}, {7, "https://example.org/page/3"}};
  EXPECT_EQ(*got, want);
  EXPECT_TRUE(store().crawl_fingerprints("crawl_unknown").value().empty());
}

TEST_P(CrawlJobsStoreTest, ListIsNewestFirstFilteredByOwnerAndLimited) {
  create(make_job("crawl_old", "key_a", 1000));
  create(make_job("crawl_mid_b", "key_b", 2000));
  create(make_job("crawl_new", "key_a", 3000));
  // Same millisecond as crawl_new but created later: listed before it.
  create(make_job("crawl_same", "key_a", 3000));

  Result<std::vector<CrawlJobRecord>> every = store().list_crawl_jobs("", 10);
  ASSERT_TRUE(every.ok());
  EXPECT_EQ(ids_of(*every),
            (std::vector<std::string>{"crawl_same", "crawl_new", "crawl_mid_b", "crawl_old"}));
  EXPECT_EQ(ids_of(store().list_crawl_jobs("key_a", 10).value()),
            (std::vector<std::string>{"crawl_same", "crawl_new", "crawl_old"}));
  EXPECT_EQ(ids_of(store().list_crawl_jobs("key_a", 2).value()),
            (std::vector<std::string>{"crawl_same", "crawl_new"}));
  EXPECT_EQ(ids_of(store().list_crawl_jobs("key_b", 10).value()),
            (std::vector<std::string>{"crawl_mid_b"}));
  EXPECT_TRUE(store().list_crawl_jobs("key_c", 10).value().empty());
  EXPECT_TRUE(store().list_crawl_jobs("", 0).value().empty());
}

TEST_P(CrawlJobsStoreTest, UnfinishedJobsAreQueuedOrRunningOldestFirst) {
  const std::vector<std::pair<std::string, CrawlJobState>> table = {
      {"crawl_running_new", CrawlJobState::kRunning},
      {"crawl_done", CrawlJobState::kCompleted},
      {"crawl_queued_old", CrawlJobState::kQueued},
      {"crawl_cancelled", CrawlJobState::kCancelled},
      {"crawl_failed", CrawlJobState::kFailed},
      {"crawl_queued_mid", CrawlJobState::kQueued},
  };
  const std::vector<int64_t> created = {3000, 500, 1000, 100, 200, 2000};
  for (size_t i = 0; i < table.size(); ++i) {
    CrawlJobRecord job = make_job(table[i].first, "key_a", created[i]);
    create(job);
    job.state = table[i].second;
    ASSERT_TRUE(store().checkpoint_crawl_job(job, {}, nullptr).ok());
  }
  EXPECT_EQ(
      ids_of(store().unfinished_crawl_jobs().value()),
      (std::vector<std::string>{"crawl_queued_old", "crawl_queued_mid", "crawl_running_new"}));

  CrawlJobRecord finished = get("crawl_queued_mid");
  finished.state = CrawlJobState::kCancelled;
  ASSERT_TRUE(store().checkpoint_crawl_job(finished, {}, nullptr).ok());
  EXPECT_EQ(ids_of(store().unfinished_crawl_jobs().value()),
            (std::vector<std::string>{"crawl_queued_old", "crawl_running_new"}));
}

TEST_P(CrawlJobsStoreTest, DeleteRemovesTheJobItsResultsAndCheckpointOnly) {
  CrawlJobRecord one = make_job("crawl_1", "key_a", 1000);
  CrawlJobRecord two = make_job("crawl_2", "key_a", 2000);
  create(one);
  create(two);
  std::string frontier = "f";
  ASSERT_TRUE(store().checkpoint_crawl_job(one, results_range(1, 4), &frontier).ok());
  ASSERT_TRUE(store().checkpoint_crawl_job(two, results_range(1, 2), &frontier).ok());

  ASSERT_TRUE(store().delete_crawl_job("crawl_1").ok());
  EXPECT_FALSE(store().get_crawl_job("crawl_1").value().has_value());
  EXPECT_TRUE(results("crawl_1").empty());
  EXPECT_FALSE(store().crawl_frontier("crawl_1").value().has_value());
  EXPECT_EQ(ids_of(store().list_crawl_jobs("", 10).value()), (std::vector<std::string>{"crawl_2"}));
  EXPECT_EQ(results("crawl_2").size(), 2u);
  EXPECT_EQ(store().crawl_frontier("crawl_2").value(), "f");

  Status again = store().delete_crawl_job("crawl_1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound);
  Status checkpoint = store().checkpoint_crawl_job(one, results_range(5, 5), nullptr);
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_EQ(checkpoint.error().code(), ErrorCode::kNotFound);

  // The id can be used again and starts from seq 1 (nothing of the old job is left behind).
  create(one);
  ASSERT_TRUE(store().checkpoint_crawl_job(one, results_range(1, 1), nullptr).ok());
  EXPECT_EQ(seqs_of(results("crawl_1")), (std::vector<uint64_t>{1}));
}

INSTANTIATE_TEST_SUITE_P(Stores, CrawlJobsStoreTest, ::testing::Values(Kind::kSqlite, Kind::kFake),
                         [](const ::testing::TestParamInfo<Kind>& param) {
                           return param.param == Kind::kSqlite ? "Sqlite" : "Fake";
                         });

TEST(FakeStoreCrawlJobsTest, FailAnswersIoErrors) {
  testing::FakeStore store;
  ASSERT_TRUE(store.create_crawl_job(make_job("crawl_1", "k", 1)).ok());
  store.fail = true;
  EXPECT_EQ(store.create_crawl_job(make_job("crawl_2", "k", 1)).error().code(), ErrorCode::kIo);
  EXPECT_EQ(store.checkpoint_crawl_job(make_job("crawl_1", "k", 1), {}, nullptr).error().code(),
            ErrorCode::kIo);
  EXPECT_EQ(store.get_crawl_job("crawl_1").error().code(), ErrorCode::kIo);
  EXPECT_EQ(store.crawl_results("crawl_1", 0, 10).error().code(), ErrorCode::kIo);
  EXPECT_EQ(store.unfinished_crawl_jobs().error().code(), ErrorCode::kIo);
  EXPECT_EQ(store.delete_crawl_job("crawl_1").error().code(), ErrorCode::kIo);
  EXPECT_EQ(store.checkpoints.load(), 1);
}

// SQLite only: what is on disk.
class SqliteCrawlJobsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  std::unique_ptr<SqliteStore> open() {
    SqliteStoreOptions options;
    options.usage_flush_interval = std::chrono::hours(1);
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir_.path(), options);
    EXPECT_TRUE(store.ok()) << store.error().to_string();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Runs `sql` on the database file through a second connection, as another process would.
  void exec(const std::string& sql) {
    sqlite3* conn = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / kDatabaseFileName).c_str(), &conn), SQLITE_OK);
    char* message = nullptr;
    int rc = sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message != nullptr ? message : "";
    sqlite3_free(message);
    sqlite3_close(conn);
    ASSERT_EQ(rc, SQLITE_OK) << text;
  }

  int64_t count(const std::string& table) {
    sqlite3* conn = nullptr;
    EXPECT_EQ(sqlite3_open((dir_.path() / kDatabaseFileName).c_str(), &conn), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT count(*) FROM " + table;
    EXPECT_EQ(sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(conn);
    return n;
  }

  testing::TempDir dir_;
};

TEST_F(SqliteCrawlJobsTest, ReopenedFileHasJobsResultsAndCheckpoint) {
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  job.state = CrawlJobState::kRunning;
  job.started_at = 1001;
  job.progress_json = R"({"pages_done":2})";
  std::string frontier(100'000, 'x');  // larger than a page: overflow pages survive too
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->create_crawl_job(make_job("crawl_1", "key_a", 1000)).ok());
    ASSERT_TRUE(store->create_crawl_job(make_job("crawl_2", "key_b", 2000)).ok());
    ASSERT_TRUE(store->checkpoint_crawl_job(job, results_range(1, 2), &frontier).ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  expect_same_job(store->get_crawl_job("crawl_1").value().value(), job);
  EXPECT_EQ(seqs_of(store->crawl_results("crawl_1", 0, 10).value()), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(store->crawl_frontier("crawl_1").value(), frontier);
  EXPECT_EQ(ids_of(store->unfinished_crawl_jobs().value()),
            (std::vector<std::string>{"crawl_1", "crawl_2"}));
  // Seq continuity is remembered across the restart.
  EXPECT_FALSE(store->checkpoint_crawl_job(job, results_range(1, 1), nullptr).ok());
  EXPECT_TRUE(store->checkpoint_crawl_job(job, results_range(3, 3), nullptr).ok());
}

TEST_F(SqliteCrawlJobsTest, CheckpointFailingAtItsLastStatementLeavesNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  ASSERT_TRUE(store->create_crawl_job(job).ok());
  std::string frontier = "before";
  ASSERT_TRUE(store->checkpoint_crawl_job(job, results_range(1, 2), &frontier).ok());

  // The frontier is written after the results and the job row: make that last write fail.
  exec(
      "CREATE TRIGGER fail_frontier_update BEFORE UPDATE ON crawl_frontiers "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
  CrawlJobRecord changed = job;
  changed.state = CrawlJobState::kCompleted;
  changed.finished_at = 2000;
  changed.progress_json = "changed";
  std::string after = "after";
  Status status = store->checkpoint_crawl_job(changed, results_range(3, 500), &after);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("injected failure"), std::string::npos)
      << status.error().to_string();

  EXPECT_EQ(seqs_of(store->crawl_results("crawl_1", 0, 1000).value()),
            (std::vector<uint64_t>{1, 2}));
  expect_same_job(store->get_crawl_job("crawl_1").value().value(), job);
  EXPECT_EQ(store->crawl_frontier("crawl_1").value(), "before");

  // The connection is usable afterwards and the same batch succeeds once the cause is gone.
  exec("DROP TRIGGER fail_frontier_update");
  ASSERT_TRUE(store->checkpoint_crawl_job(changed, results_range(3, 500), &after).ok());
  EXPECT_EQ(store->crawl_results("crawl_1", 0, 1000).value().size(), 500u);
  EXPECT_EQ(store->crawl_frontier("crawl_1").value(), "after");
}

TEST_F(SqliteCrawlJobsTest, DeleteLeavesNoOrphanRows) {
  auto store = open();
  ASSERT_TRUE(store);
  CrawlJobRecord job = make_job("crawl_1", "key_a", 1000);
  ASSERT_TRUE(store->create_crawl_job(job).ok());
  std::string frontier = "f";
  ASSERT_TRUE(store->checkpoint_crawl_job(job, results_range(1, 50), &frontier).ok());
  EXPECT_EQ(count("crawl_results"), 50);
  ASSERT_TRUE(store->delete_crawl_job("crawl_1").ok());
  EXPECT_EQ(count("crawl_jobs"), 0);
  EXPECT_EQ(count("crawl_results"), 0);
  EXPECT_EQ(count("crawl_frontiers"), 0);
}

TEST_F(SqliteCrawlJobsTest, FileFromSchemaOneKeepsItsKeysAndGainsCrawlJobs) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    ApiKeyRecord key;
    key.id = "key_1";
    key.name = "n";
    key.prefix = "rt_a";
    key.sha256_hex = std::string(64, 'a');
    ASSERT_TRUE(store->insert_key(key).ok());
  }
  // What a riptide from before crawl jobs left behind.
  exec(
      "DROP TABLE crawl_frontiers; DROP TABLE crawl_results; DROP TABLE crawl_jobs; "
      "PRAGMA user_version = 1;");
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->list_keys().value().size(), 1u);
  CrawlJobRecord job = make_job("crawl_1", "key_1", 1000);
  ASSERT_TRUE(store->create_crawl_job(job).ok());
  ASSERT_TRUE(store->checkpoint_crawl_job(job, results_range(1, 1), nullptr).ok());
  EXPECT_EQ(store->crawl_results("crawl_1", 0, 10).value().size(), 1u);
}

}  // namespace
}  // namespace riptide::store
