// The SQLite store's costs on the request path: a key lookup by hash, buffering usage, a cache
// hit, a cache write with eviction, and the usage flush the background thread does each second.
// Run on a release build; the database lives in $TMPDIR.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "store/sqlite_store.h"
#include "tests/support/temp_dir.h"

namespace {

using riptide::store::ApiKeyRecord;
using riptide::store::SqliteStore;
using riptide::store::SqliteStoreOptions;
using riptide::store::Usage;

// A serialized record of a median corpus page is ~40 KB of JSON.
constexpr size_t kRecordBytes = 40 * 1024;
constexpr int kKeys = 100;

struct Fixture {
  riptide::testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;

  explicit Fixture(uint64_t cache_max_bytes) {
    SqliteStoreOptions options;
    options.cache_max_bytes = cache_max_bytes;
    auto opened = SqliteStore::open(dir.path(), options);
    if (!opened.ok()) return;
    store = std::move(*opened);
    for (int i = 0; i < kKeys; ++i) {
      ApiKeyRecord key;
      key.id = "key_" + std::to_string(i);
      key.prefix = "rt_" + std::to_string(i);
      key.sha256_hex = std::string(60, 'a') + std::to_string(1000 + i);
      (void)store->insert_key(key);
    }
  }
};

// One fixture shared by the threads of a multi-threaded run.
Fixture& shared_fixture() {
  static Fixture fixture(uint64_t{64} << 20);
  return fixture;
}

void bm_find_key_by_hash(benchmark::State& state) {
  SqliteStore& store = *shared_fixture().store;
  std::string hash = std::string(60, 'a') + std::to_string(1000 + state.thread_index() % kKeys);
  for (auto _ : state) {
    auto key = store.find_key_by_hash(hash);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(bm_find_key_by_hash)->Threads(1)->Threads(2)->UseRealTime();

void bm_add_usage(benchmark::State& state) {
  SqliteStore& store = *shared_fixture().store;
  std::string id = "key_" + std::to_string(state.thread_index());
  for (auto _ : state) store.add_usage(id, Usage{1, 1, 0, 1000, 2000});
}
BENCHMARK(bm_add_usage)->Threads(1)->Threads(2)->UseRealTime();

void bm_cache_get_hit(benchmark::State& state) {
  SqliteStore& store = *shared_fixture().store;
  (void)store.cache_put("https://example.com/page|article", std::string(kRecordBytes, 'x'));
  for (auto _ : state) {
    auto hit = store.cache_get("https://example.com/page|article", std::chrono::seconds(3600));
    benchmark::DoNotOptimize(hit);
  }
}
BENCHMARK(bm_cache_get_hit);

// Every put beyond the first 64 evicts the oldest entry (a full cache in steady state).
void bm_cache_put_evicting(benchmark::State& state) {
  Fixture fixture(uint64_t{64} * kRecordBytes);
  std::string value(kRecordBytes, 'v');
  uint64_t n = 0;
  for (auto _ : state) {
    auto status = fixture.store->cache_put("https://example.com/" + std::to_string(n++), value);
    benchmark::DoNotOptimize(status);
  }
  state.SetBytesProcessed(static_cast<int64_t>(n * kRecordBytes));
}
BENCHMARK(bm_cache_put_evicting);

// What the background thread does each second: one transaction for state.range(0) keys.
void bm_flush_usage(benchmark::State& state) {
  Fixture fixture(0);
  for (auto _ : state) {
    for (int i = 0; i < state.range(0); ++i) {
      fixture.store->add_usage("key_" + std::to_string(i), Usage{1, 1, 0, 10, 20});
    }
    auto status = fixture.store->flush();
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(bm_flush_usage)->Arg(1)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
