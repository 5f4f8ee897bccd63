#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "tests/support/temp_dir.h"

namespace riptide::store {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

ApiKeyRecord make_key(std::string id, std::string prefix, std::string hash) {
  ApiKeyRecord key;
  key.id = std::move(id);
  key.name = "name of " + key.id;
  key.prefix = std::move(prefix);
  key.sha256_hex = std::move(hash);
  key.created_at = 1'700'000'000;
  return key;
}

// A store on a fresh directory with a clock the test moves by hand.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  SqliteStoreOptions options(uint64_t cache_max_bytes = uint64_t{1} << 20) {
    SqliteStoreOptions o;
    o.cache_max_bytes = cache_max_bytes;
    // Long enough that only an explicit flush() writes, unless a test shortens it.
    o.usage_flush_interval = std::chrono::hours(1);
    o.clock = [this] { return clock_.load(); };
    return o;
  }

  std::unique_ptr<SqliteStore> open(SqliteStoreOptions o) {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir_.path(), std::move(o));
    EXPECT_TRUE(store.ok()) << store.error().to_string();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::unique_ptr<SqliteStore> open() { return open(options()); }

  testing::TempDir dir_;
  std::atomic<int64_t> clock_{1'000'000};
};

TEST_F(SqliteStoreTest, CreatesDirectoryAndWalDatabase) {
  fs::path nested = dir_.path() / "a" / "b";
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(nested, options());
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_TRUE(fs::is_regular_file(nested / "riptide.db"));
  EXPECT_EQ((*store)->path(), nested / "riptide.db");
  EXPECT_TRUE((*store)->ping().ok());
  ASSERT_TRUE((*store)->insert_key(make_key("key_1", "rt_a", "aa")).ok());
  // WAL mode keeps a -wal file beside the database while it is open.
  EXPECT_TRUE(fs::exists(nested / "riptide.db-wal"));
  // The directory riptide created is private to the user (key hashes, fetched pages).
  EXPECT_EQ(fs::status(nested).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(SqliteStoreTest, KeysRoundTrip) {
  auto store = open();
  ASSERT_TRUE(store);
  ApiKeyRecord first = make_key("key_1", "rt_Abc1", std::string(64, 'a'));
  first.admin = true;
  first.rate_per_minute = 60;
  first.burst = 7;
  first.concurrency = 3;
  first.last_used_at = 1'700'000'100;
  ApiKeyRecord second = make_key("key_2", "rt_Xyz9", std::string(64, 'b'));
  second.created_at = first.created_at + 1;
  second.name = "ünïcode name";
  ASSERT_TRUE(store->insert_key(second).ok());
  ASSERT_TRUE(store->insert_key(first).ok());

  Result<std::optional<ApiKeyRecord>> found = store->find_key_by_hash(first.sha256_hex);
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  ASSERT_TRUE(found->has_value());
  const ApiKeyRecord& got = **found;
  EXPECT_EQ(got.id, "key_1");
  EXPECT_EQ(got.name, first.name);
  EXPECT_EQ(got.prefix, "rt_Abc1");
  EXPECT_EQ(got.sha256_hex, first.sha256_hex);
  EXPECT_TRUE(got.admin);
  EXPECT_EQ(got.created_at, first.created_at);
  EXPECT_FALSE(got.revoked_at.has_value());
  EXPECT_EQ(got.last_used_at, first.last_used_at);
  EXPECT_EQ(got.rate_per_minute, 60u);
  EXPECT_EQ(got.burst, 7u);
  EXPECT_EQ(got.concurrency, 3u);

  Result<std::vector<ApiKeyRecord>> keys = store->list_keys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, "key_1");  // oldest first
  EXPECT_EQ((*keys)[1].id, "key_2");
  EXPECT_EQ((*keys)[1].name, "ünïcode name");
  EXPECT_FALSE((*keys)[1].admin);
  EXPECT_FALSE((*keys)[1].last_used_at.has_value());
}

TEST_F(SqliteStoreTest, UnknownHashIsEmptyNotError) {
  auto store = open();
  ASSERT_TRUE(store->insert_key(make_key("key_1", "rt_a", "aa")).ok());
  Result<std::optional<ApiKeyRecord>> found = store->find_key_by_hash("ab");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  found = store->find_key_by_hash("");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(SqliteStoreTest, DuplicateIdOrHashIsInvalidArgument) {
  auto store = open();
  ASSERT_TRUE(store->insert_key(make_key("key_1", "rt_a", "aa")).ok());
  Status same_id = store->insert_key(make_key("key_1", "rt_b", "bb"));
  ASSERT_FALSE(same_id.ok());
  EXPECT_EQ(same_id.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(same_id.error().message().find("UNIQUE"), std::string::npos)
      << same_id.error().message();
  Status same_hash = store->insert_key(make_key("key_2", "rt_b", "aa"));
  ASSERT_FALSE(same_hash.ok());
  EXPECT_EQ(same_hash.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->list_keys()->size(), 1u);
}

TEST_F(SqliteStoreTest, RevokeById) {
  auto store = open();
  ASSERT_TRUE(store->insert_key(make_key("key_1", "rt_a", "aa")).ok());
  ASSERT_TRUE(store->insert_key(make_key("key_2", "rt_b", "bb")).ok());
  clock_ = 5000;
  ASSERT_TRUE(store->revoke_key("key_1").ok());
  // Revoked keys are still found, so the caller can answer 403 rather than 401.
  auto found = store->find_key_by_hash("aa");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->revoked_at, 5000);
  EXPECT_FALSE((*store->find_key_by_hash("bb"))->revoked_at.has_value());
  // Revoking again succeeds and keeps the first time.
  clock_ = 6000;
  ASSERT_TRUE(store->revoke_key("key_1").ok());
  EXPECT_EQ((*store->find_key_by_hash("aa"))->revoked_at, 5000);
}

TEST_F(SqliteStoreTest, RevokeByUniquePrefix) {
  auto store = open();
  ASSERT_TRUE(store->insert_key(make_key("key_3f9a", "rt_AbC1", "aa")).ok());
  ASSERT_TRUE(store->insert_key(make_key("key_3f00", "rt_AbD2", "bb")).ok());
  ASSERT_TRUE(store->insert_key(make_key("key_7777", "rt_Zz99", "cc")).ok());

  // The shown key prefix, or the start of it, or the start of an id.
  ASSERT_TRUE(store->revoke_key("rt_AbC").ok());
  EXPECT_TRUE((*store->find_key_by_hash("aa"))->revoked_at.has_value());
  EXPECT_FALSE((*store->find_key_by_hash("bb"))->revoked_at.has_value());
  ASSERT_TRUE(store->revoke_key("key_77").ok());
  EXPECT_TRUE((*store->find_key_by_hash("cc"))->revoked_at.has_value());
  EXPECT_FALSE((*store->find_key_by_hash("bb"))->revoked_at.has_value());
}

TEST_F(SqliteStoreTest, RevokeAmbiguousUnknownOrEmptyIsAnError) {
  auto store = open();
  ASSERT_TRUE(store->insert_key(make_key("key_3f9a", "rt_AbC1", "aa")).ok());
  ASSERT_TRUE(store->insert_key(make_key("key_3f00", "rt_AbD2", "bb")).ok());

  Status ambiguous = store->revoke_key("rt_Ab");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(ambiguous.error().message().find("key_3f9a"), std::string::npos);
  EXPECT_NE(ambiguous.error().message().find("key_3f00"), std::string::npos);
  EXPECT_EQ(store->revoke_key("key_3f").error().code(), ErrorCode::kInvalidArgument);

  Status unknown = store->revoke_key("rt_Q");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message().find("rt_Q"), std::string::npos);
  EXPECT_EQ(store->revoke_key("").error().code(), ErrorCode::kInvalidArgument);
  // A prefix is matched literally: SQL wildcards are not wildcards.
  EXPECT_EQ(store->revoke_key("%").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->revoke_key("rt_A_C").error().code(), ErrorCode::kNotFound);

  // Nothing was revoked by the failed attempts.
  Result<std::vector<ApiKeyRecord>> keys = store->list_keys();
  ASSERT_TRUE(keys.ok());
  for (const ApiKeyRecord& key : *keys) EXPECT_FALSE(key.revoked_at.has_value());
}

TEST_F(SqliteStoreTest, UsageIsBufferedUntilFlushAndPersists) {
  auto store = open();
  ASSERT_TRUE(store->insert_key(make_key("key_1", "rt_a", "aa")).ok());
  clock_ = 4242;
  store->add_usage("key_1", Usage{1, 2, 0, 100, 300});
  store->add_usage("key_1", Usage{1, 1, 1, 50, 20});
  store->add_usage("anonymous", Usage{5, 0, 0, 0, 0});

  // The writer sees its own buffered counts at once...
  Result<Usage> usage = store->usage("key_1");
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->requests, 2u);
  EXPECT_EQ(usage->pages, 3u);
  EXPECT_EQ(usage->errors, 1u);
  EXPECT_EQ(usage->bytes_in, 150u);
  EXPECT_EQ(usage->bytes_out, 320u);
  // ...but nothing reached the file yet: another connection (`riptide keys` in another process)
  // still reads zero.
  {
    auto other = open();
    ASSERT_TRUE(other);
    EXPECT_EQ(other->usage("key_1")->requests, 0u);
    EXPECT_FALSE((*other->find_key_by_hash("aa"))->last_used_at.has_value());
  }
  ASSERT_TRUE(store->flush().ok());
  {
    auto other = open();
    EXPECT_EQ(other->usage("key_1")->requests, 2u);
    EXPECT_EQ(other->usage("key_1")->bytes_out, 320u);
    EXPECT_EQ(other->usage("anonymous")->requests, 5u);
    EXPECT_EQ((*other->find_key_by_hash("aa"))->last_used_at, 4242);
  }
  // After the flush the buffer is empty: usage is not counted twice.
  EXPECT_EQ(store->usage("key_1")->requests, 2u);

  // Destruction flushes what is left; a reopened store adds to the stored counts.
  store->add_usage("key_1", Usage{10, 0, 0, 0, 0});
  store.reset();
  store = open();
  EXPECT_EQ(store->usage("key_1")->requests, 12u);
  EXPECT_EQ(store->usage("key_1")->pages, 3u);
  EXPECT_EQ(store->usage("never_used")->requests, 0u);
}

TEST_F(SqliteStoreTest, FailedFlushKeepsCountsAndFailsPingUntilWritten) {
  SqliteStoreOptions o = options();
  o.busy_timeout = std::chrono::milliseconds(20);
  auto store = open(std::move(o));
  ASSERT_TRUE(store);
  store->add_usage("key_1", Usage{2, 0, 0, 0, 0});
  // Another process holds the write lock (`riptide keys` mid-transaction, a backup tool).
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "riptide.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  Status failed = store->flush();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kIo);
  EXPECT_NE(failed.error().message().find("locked"), std::string::npos) << failed.error().message();
  Status ping = store->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_NE(ping.error().message().find("usage counters cannot be written"), std::string::npos);
  // Nothing was lost, and counting goes on.
  EXPECT_EQ(store->usage("key_1")->requests, 2u);
  store->add_usage("key_1", Usage{1, 0, 0, 0, 0});

  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  ASSERT_TRUE(store->flush().ok());
  EXPECT_TRUE(store->ping().ok());
  store.reset();
  store = open();
  EXPECT_EQ(store->usage("key_1")->requests, 3u);
}

TEST_F(SqliteStoreTest, BackgroundThreadFlushesWithinInterval) {
  SqliteStoreOptions o = options();
  o.usage_flush_interval = std::chrono::milliseconds(20);
  auto store = open(std::move(o));
  store->add_usage("key_1", Usage{3, 0, 0, 0, 0});
  auto reader = open();
  // Poll the file through a second connection; the writer never calls flush().
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  uint64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    seen = reader->usage("key_1")->requests;
    if (seen == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(seen, 3u);
}

TEST_F(SqliteStoreTest, CacheHonoursMaxAge) {
  auto store = open();
  clock_ = 1000;
  ASSERT_TRUE(store->cache_put("https://example.com/|article", "{\"title\":\"A\"}").ok());

  clock_ = 1030;
  auto hit = store->cache_get("https://example.com/|article", seconds(60));
  ASSERT_TRUE(hit.ok()) << hit.error().to_string();
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->value, "{\"title\":\"A\"}");
  EXPECT_EQ((*hit)->stored_at, 1000);
  // Exactly max_age old is still fresh; one second more is not.
  clock_ = 1060;
  EXPECT_TRUE(store->cache_get("https://example.com/|article", seconds(60))->has_value());
  clock_ = 1061;
  EXPECT_FALSE(store->cache_get("https://example.com/|article", seconds(60))->has_value());
  EXPECT_TRUE(store->cache_get("https://example.com/|article", seconds(3600))->has_value());
  // max_age 0 asks for a fresh fetch.
  EXPECT_FALSE(store->cache_get("https://example.com/|article", seconds(0))->has_value());
  // Another mode is another key.
  EXPECT_FALSE(store->cache_get("https://example.com/|full", seconds(3600))->has_value());

  // Storing again replaces the value and its age.
  clock_ = 2000;
  ASSERT_TRUE(store->cache_put("https://example.com/|article", "{\"title\":\"B\"}").ok());
  clock_ = 2010;
  auto again = store->cache_get("https://example.com/|article", seconds(60));
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->value, "{\"title\":\"B\"}");
  EXPECT_EQ((*again)->stored_at, 2000);
  EXPECT_EQ(store->cache_size()->entries, 1u);
}

TEST_F(SqliteStoreTest, CacheKeepsBinaryValuesExactly) {
  auto store = open();
  std::string value("a\0b\xff\xfe", 5);
  ASSERT_TRUE(store->cache_put("k", value).ok());
  auto hit = store->cache_get("k", seconds(10));
  ASSERT_TRUE(hit.ok() && hit->has_value());
  EXPECT_EQ((*hit)->value, value);
  ASSERT_TRUE(store->cache_put("empty", "").ok());
  auto empty = store->cache_get("empty", seconds(10));
  ASSERT_TRUE(empty.ok() && empty->has_value());
  EXPECT_EQ((*empty)->value, "");
}

TEST_F(SqliteStoreTest, CacheEvictsOldestBeyondMaxBytes) {
  auto store = open(options(1000));
  for (int i = 1; i <= 3; ++i) {
    clock_ = i;
    ASSERT_TRUE(store->cache_put("k" + std::to_string(i), std::string(300, 'x')).ok());
  }
  EXPECT_EQ(store->cache_size()->bytes, 900u);
  clock_ = 4;
  ASSERT_TRUE(store->cache_put("k4", std::string(300, 'y')).ok());
  // 1200 > 1000: the oldest entry goes, nothing else.
  EXPECT_EQ(store->cache_size()->bytes, 900u);
  EXPECT_EQ(store->cache_size()->entries, 3u);
  EXPECT_FALSE(store->cache_get("k1", seconds(100))->has_value());
  for (const char* key : {"k2", "k3", "k4"}) {
    EXPECT_TRUE(store->cache_get(key, seconds(100))->has_value()) << key;
  }

  // Replacing an entry counts the new size, not both.
  clock_ = 5;
  ASSERT_TRUE(store->cache_put("k2", std::string(100, 'z')).ok());
  EXPECT_EQ(store->cache_size()->bytes, 700u);

  // One big entry evicts as many old ones as needed: 700 + 900 - 1000 = 600 bytes to free →
  // k3 (300, stored at 3) and k4 (300, stored at 4); k2 was re-stored at 5 and stays.
  clock_ = 6;
  ASSERT_TRUE(store->cache_put("big", std::string(900, 'b')).ok());
  EXPECT_EQ(store->cache_size()->bytes, 1000u);
  EXPECT_TRUE(store->cache_get("k2", seconds(100))->has_value());
  EXPECT_FALSE(store->cache_get("k3", seconds(100))->has_value());
  EXPECT_FALSE(store->cache_get("k4", seconds(100))->has_value());
  EXPECT_TRUE(store->cache_get("big", seconds(100))->has_value());

  // An entry larger than the whole cache is not stored and evicts nothing.
  ASSERT_TRUE(store->cache_put("huge", std::string(1001, 'h')).ok());
  EXPECT_FALSE(store->cache_get("huge", seconds(100))->has_value());
  EXPECT_EQ(store->cache_size()->bytes, 1000u);

  // The size survives a reopen (it lives in the file, not in memory).
  store.reset();
  store = open(options(1000));
  EXPECT_EQ(store->cache_size()->bytes, 1000u);
  EXPECT_EQ(store->cache_size()->entries, 2u);
}

TEST_F(SqliteStoreTest, ConcurrentUseFromEightThreads) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 150;
  auto store = open(options(50'000));
  for (int t = 0; t < kThreads; ++t) {
    std::string id = "key_" + std::to_string(t);
    ASSERT_TRUE(store->insert_key(make_key(id, "rt_" + std::to_string(t), "hash" + id)).ok());
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string id = "key_" + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        store->add_usage(id, Usage{1, 1, 0, 10, 20});
        store->add_usage("shared", Usage{1, 0, 0, 0, 0});
        auto key = store->find_key_by_hash("hash" + id);
        if (!key.ok() || !key->has_value() || (*key)->id != id) ++failures;
        std::string cache_key = id + "/" + std::to_string(i % 10);
        if (!store->cache_put(cache_key, std::string(200, static_cast<char>('a' + t))).ok()) {
          ++failures;
        }
        auto hit = store->cache_get(cache_key, seconds(60));
        // Another thread's put may evict it, but a hit must carry this thread's bytes.
        if (!hit.ok() || (hit->has_value() && (*hit)->value[0] != 'a' + t)) ++failures;
        if (i % 50 == 0 && !store->flush().ok()) ++failures;
        if (!store->usage(id).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(store->flush().ok());
  store.reset();
  store = open(options(50'000));
  for (int t = 0; t < kThreads; ++t) {
    Usage usage = *store->usage("key_" + std::to_string(t));
    EXPECT_EQ(usage.requests, uint64_t{kRounds});
    EXPECT_EQ(usage.bytes_out, uint64_t{kRounds} * 20);
  }
  EXPECT_EQ(store->usage("shared")->requests, uint64_t{kThreads} * kRounds);
  EXPECT_LE(store->cache_size()->bytes, 50'000u);
}

TEST_F(SqliteStoreTest, ReopensExistingDatabase) {
  {
    auto store = open();
    ASSERT_TRUE(store->insert_key(make_key("key_1", "rt_a", "aa")).ok());
    ASSERT_TRUE(store->cache_put("k", "v").ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->ping().ok());
  EXPECT_EQ(store->list_keys()->size(), 1u);
  EXPECT_TRUE(store->cache_get("k", seconds(10))->has_value());

  // The generic entry point opens the same file.
  Result<std::unique_ptr<Store>> generic = open_sqlite_store(dir_.path(), 1 << 20);
  ASSERT_TRUE(generic.ok()) << generic.error().to_string();
  EXPECT_EQ((*generic)->list_keys()->size(), 1u);
}

// Sets PRAGMA user_version of the test's riptide.db through SQLite directly.
void set_user_version(const fs::path& db_path, int version) {
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &conn), SQLITE_OK);
  std::string sql = "PRAGMA user_version = " + std::to_string(version);
  EXPECT_EQ(sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(conn);
}

TEST_F(SqliteStoreTest, RefusesSchemaFromNewerRiptide) {
  { ASSERT_TRUE(open()); }
  set_user_version(dir_.path() / "riptide.db", SqliteStore::schema_version() + 1);
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir_.path(), options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message().find("newer"), std::string::npos) << store.error().message();
}

TEST_F(SqliteStoreTest, CorruptFileIsAClearError) {
  {
    std::ofstream out(dir_.path() / "riptide.db", std::ios::binary);
    for (int i = 0; i < 200; ++i) out << "this is not an SQLite database, just text. ";
  }
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(dir_.path(), options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::kIo);
  EXPECT_NE(store.error().message().find("not a database"), std::string::npos)
      << store.error().message();
  EXPECT_NE(store.error().message().find("riptide.db"), std::string::npos);
}

TEST_F(SqliteStoreTest, UnwritableDirectoryIsAClearError) {
  // /proc refuses new files even to root, so this runs under any user.
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open("/proc", options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::kIo);
  EXPECT_NE(store.error().message().find("/proc/riptide.db"), std::string::npos)
      << store.error().message();

  Result<std::unique_ptr<SqliteStore>> below = SqliteStore::open("/proc/riptide/x", options());
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.error().code(), ErrorCode::kIo);
  EXPECT_NE(below.error().message().find("cannot create data directory"), std::string::npos)
      << below.error().message();

  // A regular file where the directory should be.
  fs::path file = dir_.path() / "file";
  std::ofstream(file) << "x";
  Result<std::unique_ptr<SqliteStore>> on_file = SqliteStore::open(file, options());
  ASSERT_FALSE(on_file.ok());
  EXPECT_EQ(on_file.error().code(), ErrorCode::kIo);
}

TEST_F(SqliteStoreTest, ReadOnlyDirectoryIsAClearError) {
  if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions (see /proc case above)";
  fs::path ro = dir_.path() / "ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(ro, options());
  fs::permissions(ro, fs::perms::owner_all);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::kIo);
  EXPECT_NE(store.error().message().find("riptide.db"), std::string::npos);
}

TEST(DefaultDataDir, FollowsXdgStateHomeThenHome) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  };
  EXPECT_EQ(default_data_dir(env({{"XDG_STATE_HOME", "/var/state"}, {"HOME", "/home/u"}})),
            fs::path("/var/state/riptide"));
  EXPECT_EQ(default_data_dir(env({{"HOME", "/home/u"}})), fs::path("/home/u/.local/state/riptide"));
  // Empty or relative XDG_STATE_HOME is ignored (XDG Base Directory spec).
  EXPECT_EQ(default_data_dir(env({{"XDG_STATE_HOME", ""}, {"HOME", "/home/u"}})),
            fs::path("/home/u/.local/state/riptide"));
  EXPECT_EQ(default_data_dir(env({{"XDG_STATE_HOME", "state"}, {"HOME", "/home/u"}})),
            fs::path("/home/u/.local/state/riptide"));
  // No HOME: the password database's home of the current user; still an absolute path.
  fs::path fallback = default_data_dir(env({}));
  EXPECT_TRUE(fallback.is_absolute()) << fallback;
  EXPECT_EQ(fallback.filename(), "riptide");
}

}  // namespace
}  // namespace riptide::store
