// What the WebAssembly sandbox costs (issue 4 targets, release build): instantiating an extractor
// instance, one guest call (the ABI `info` round trip), and extracting every page of
// ../shared/corpus in the sandbox (one warm instance) against the same code natively. The
// sandbox/native ratio is the ratio of the two corpus benchmarks' times. `riptide bench sandbox`
// prints the same figures per page (medians) without Google Benchmark.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "extract/extractor.h"
#include "fetch/charset.h"
#include "sandbox/config.h"
#include "sandbox/instance.h"
#include "sandbox/runtime.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace {

using riptide::sandbox::ExtractorInstance;
using riptide::sandbox::InstanceLimits;

std::unique_ptr<ExtractorInstance> new_instance(benchmark::State& state) {
  auto made = ExtractorInstance::create(InstanceLimits{});
  if (!made.ok()) {
    state.SkipWithError(made.error().to_string().c_str());
    return nullptr;
  }
  return std::move(*made);
}

// range(0): freed reservations the runtime keeps (0 = every instance faults its memory in anew;
// the engine's default is what a pooled replacement costs).
void bm_instantiate(benchmark::State& state) {
  riptide::sandbox::set_memory_cache_size(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto made = ExtractorInstance::create(InstanceLimits{});
    if (!made.ok()) {
      state.SkipWithError(made.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(made);
  }
  riptide::sandbox::set_memory_cache_size(0);
}
BENCHMARK(bm_instantiate)
    ->Arg(0)
    ->Arg(riptide::sandbox::kDefaultReservationCache)
    ->Unit(benchmark::kMicrosecond);

// Cold instantiation without the module's learned prefault plan (sandbox/runtime.h,
// MemoryPrefaultPlan): every page the setup touches is a separate page fault.
void bm_instantiate_no_prefault(benchmark::State& state) {
  riptide::sandbox::set_memory_prefault_enabled(false);
  bm_instantiate(state);
  riptide::sandbox::set_memory_prefault_enabled(true);
}
BENCHMARK(bm_instantiate_no_prefault)->Arg(0)->Unit(benchmark::kMicrosecond);

void bm_guest_call(benchmark::State& state) {
  std::unique_ptr<ExtractorInstance> instance = new_instance(state);
  if (!instance) return;
  for (auto _ : state) {
    auto info = instance->info();
    benchmark::DoNotOptimize(info);
  }
}
BENCHMARK(bm_guest_call)->Unit(benchmark::kMicrosecond);

// Every page, decoded to UTF-8 once before timing.
std::vector<std::string> load_pages() {
  std::vector<std::string> pages;
  auto paths = riptide::testing::corpus_page_paths(RIPTIDE_SHARED_DIR "/corpus");
  if (!paths.ok()) return pages;
  for (const std::string& path : *paths) {
    auto bytes = riptide::testing::read_page_bytes(path);
    if (!bytes.ok()) continue;
    auto text = riptide::fetch::decode_html(*bytes);
    if (text.ok()) pages.push_back(std::move(*text));
  }
  return pages;
}

// One iteration = one pass over the corpus; items_per_second is pages per second.
template <typename Extract>
void run_corpus(benchmark::State& state, const std::vector<std::string>& pages, Extract&& extract) {
  if (pages.empty()) {
    state.SkipWithError("no corpus pages (RIPTIDE_SHARED_DIR/corpus)");
    return;
  }
  riptide::extract::Options options;
  for (auto _ : state) {
    for (const std::string& page : pages) {
      auto record = extract(page, options);
      benchmark::DoNotOptimize(record);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(pages.size()));
}

void bm_corpus_native(benchmark::State& state, const std::vector<std::string>& pages) {
  riptide::extract::Extractor extractor;
  run_corpus(state, pages, [&](const std::string& page, const riptide::extract::Options& o) {
    return extractor.extract(page, o);
  });
}

void bm_corpus_wasm(benchmark::State& state, const std::vector<std::string>& pages) {
  std::unique_ptr<ExtractorInstance> instance = new_instance(state);
  if (!instance) return;
  run_corpus(state, pages, [&](const std::string& page, const riptide::extract::Options& o) {
    return instance->extract(page, o);
  });
}

}  // namespace

int main(int argc, char** argv) {
  riptide::sandbox::init_runtime();
  std::vector<std::string> pages = load_pages();
  benchmark::RegisterBenchmark("bm_corpus_native", bm_corpus_native, pages)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("bm_corpus_wasm", bm_corpus_wasm, pages)
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
