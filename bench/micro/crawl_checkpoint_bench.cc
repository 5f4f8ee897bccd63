// What a crawl job's persistence costs (server/crawl_jobs.h checkpoints about once a second at up
// to ~1000 pages/s): one checkpoint of 1000 results of 5 KB with a 10 000-URL frontier snapshot
// (its JSON written, then one store transaction), the two halves separately, reading a frontier
// back, and the reads of GET /v1/crawl/{id}/results (a page at any point of a 10 000-result job)
// and of a resume (every fingerprint). Run on a release build; the database lives in $TMPDIR.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "crawl/state_json.h"
#include "store/sqlite_store.h"
#include "tests/support/temp_dir.h"

namespace {

using riptide::crawl::FrontierState;
using riptide::store::CrawlJobRecord;
using riptide::store::CrawlResultRecord;
using riptide::store::SqliteStore;

constexpr size_t kResultBytes = 5 * 1024;
constexpr size_t kResultsPerCheckpoint = 1000;
constexpr size_t kFrontierUrls = 10'000;
constexpr size_t kStoredResults = 10'000;

// 10 000 URLs: a quarter pending, the rest finished (a crawl well under way).
FrontierState make_frontier() {
  FrontierState state;
  state.seeds = {"https://site.test/"};
  for (size_t i = 0; i < kFrontierUrls; ++i) {
    std::string url = "https://site.test/section/" + std::to_string(i % 37) + "/article-" +
                      std::to_string(i) + "?page=" + std::to_string(i % 5);
    if (i % 4 == 0) {
      state.pending.push_back({std::move(url), static_cast<uint32_t>(i % 6), 0});
    } else {
      state.finished.push_back(std::move(url));
    }
  }
  state.pages_handed_out = state.finished.size();
  state.budget_used = {120, 7};
  state.host_delays_ms = {{"site.test", 1000}};
  return state;
}

std::vector<CrawlResultRecord> make_results(uint64_t first_seq, size_t count) {
  std::vector<CrawlResultRecord> results(count);
  for (size_t i = 0; i < count; ++i) {
    CrawlResultRecord& result = results[i];
    result.seq = first_seq + i;
    result.url = "https://site.test/article-" + std::to_string(result.seq);
    result.ok = true;
    result.simhash = 0x9E37'79B9'7F4A'7C15ull * (result.seq + 1);
    result.json = "{\"url\":\"" + result.url + "\",\"markdown\":\"" +
                  std::string(kResultBytes - result.url.size() - 20, 'm') + "\"}";
  }
  return results;
}

struct Job {
  riptide::testing::TempDir dir;
  std::unique_ptr<SqliteStore> store;
  CrawlJobRecord record;
  uint64_t next_seq = 1;

  Job() {
    auto opened = SqliteStore::open(dir.path(), riptide::store::SqliteStoreOptions{});
    if (!opened.ok()) return;
    store = std::move(*opened);
    record.id = "crawl_0123456789abcdef0123456789abcdef";
    record.owner = "key_bench";
    record.request_json = R"({"url":"https://site.test/"})";
    record.state = riptide::store::CrawlJobState::kRunning;
    if (!store->create_crawl_job(record).ok()) store.reset();
  }

  bool append(const std::vector<CrawlResultRecord>& batch, const std::string* frontier) {
    std::vector<CrawlResultRecord> renumbered = batch;
    for (CrawlResultRecord& result : renumbered) result.seq = next_seq++;
    return store->checkpoint_crawl_job(record, renumbered, frontier).ok();
  }
};

// The whole checkpoint as the job manager does it: snapshot to JSON, then one transaction.
void bm_checkpoint(benchmark::State& state) {
  Job job;
  if (!job.store) return state.SkipWithError("cannot open the store");
  const FrontierState frontier = make_frontier();
  const std::vector<CrawlResultRecord> batch = make_results(1, kResultsPerCheckpoint);
  for (auto _ : state) {
    std::string json = riptide::crawl::frontier_state_to_json(frontier);
    if (!job.append(batch, &json)) return state.SkipWithError("checkpoint failed");
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * kResultsPerCheckpoint * kResultBytes));
}
BENCHMARK(bm_checkpoint)->Unit(benchmark::kMillisecond)->UseRealTime();

// The store transaction alone (1000 results of 5 KB and the frontier row).
void bm_checkpoint_store_only(benchmark::State& state) {
  Job job;
  if (!job.store) return state.SkipWithError("cannot open the store");
  const std::string json = riptide::crawl::frontier_state_to_json(make_frontier());
  const std::vector<CrawlResultRecord> batch = make_results(1, kResultsPerCheckpoint);
  for (auto _ : state) {
    if (!job.append(batch, &json)) return state.SkipWithError("checkpoint failed");
  }
}
BENCHMARK(bm_checkpoint_store_only)->Unit(benchmark::kMillisecond)->UseRealTime();

void bm_frontier_to_json(benchmark::State& state) {
  const FrontierState frontier = make_frontier();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = riptide::crawl::frontier_state_to_json(frontier);
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.counters["json_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(bm_frontier_to_json)->Unit(benchmark::kMillisecond);

void bm_frontier_from_json(benchmark::State& state) {
  const std::string json = riptide::crawl::frontier_state_to_json(make_frontier());
  for (auto _ : state) {
    auto parsed = riptide::crawl::frontier_state_from_json(json);
    if (!parsed.ok()) return state.SkipWithError("frontier did not parse");
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(bm_frontier_from_json)->Unit(benchmark::kMillisecond);

// A job holding 10 000 stored results.
Job& stored_job() {
  static Job job;
  static const bool filled = [] {
    if (!job.store) return false;
    for (size_t done = 0; done < kStoredResults; done += kResultsPerCheckpoint) {
      if (!job.append(make_results(1, kResultsPerCheckpoint), nullptr)) return false;
    }
    return true;
  }();
  if (!filled) job.store.reset();
  return job;
}

// One page of results (limit = the argument) starting at positions spread over the job.
void bm_crawl_results_page(benchmark::State& state) {
  Job& job = stored_job();
  if (!job.store) return state.SkipWithError("cannot fill the store");
  const auto limit = static_cast<size_t>(state.range(0));
  uint64_t after = 0;
  for (auto _ : state) {
    auto page = job.store->crawl_results(job.record.id, after, limit);
    if (!page.ok() || page->empty()) return state.SkipWithError("no page");
    benchmark::DoNotOptimize(page);
    after = (after + 3'331) % (kStoredResults - limit);
  }
}
BENCHMARK(bm_crawl_results_page)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void bm_crawl_fingerprints(benchmark::State& state) {
  Job& job = stored_job();
  if (!job.store) return state.SkipWithError("cannot fill the store");
  for (auto _ : state) {
    auto fingerprints = job.store->crawl_fingerprints(job.record.id);
    if (!fingerprints.ok() || fingerprints->size() != kStoredResults) {
      return state.SkipWithError("wrong fingerprints");
    }
    benchmark::DoNotOptimize(fingerprints);
  }
}
BENCHMARK(bm_crawl_fingerprints)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
