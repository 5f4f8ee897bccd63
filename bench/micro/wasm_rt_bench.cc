// Costs of the wasm-rt runtime (src/sandbox) on a small guest (tests/sandbox/guests/hostile.c,
// four of its exports; instantiation writes one data segment, as every real guest does):
// instantiating and freeing an instance (one 8 GiB reservation, a table, data segments), an empty
// guest call through call_guest with and without a deadline (the per-call overhead the sandbox
// adds), a trap and its recovery, and memory.grow.

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "bench_guest.h"
#include "sandbox/runtime.h"

namespace {

using riptide::sandbox::call_guest;
using riptide::sandbox::TrapKind;

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    riptide::sandbox::init_runtime();
    Z_bench_guest_init_module();
  });
}

// One instance for the duration of a benchmark.
class Instance {
 public:
  Instance() {
    init_once();
    (void)call_guest([&] { Z_bench_guest_instantiate(&instance_); });
  }
  ~Instance() { Z_bench_guest_free(&instance_); }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  Z_bench_guest_instance_t* get() { return &instance_; }

 private:
  Z_bench_guest_instance_t instance_;
};

void BM_InstantiateAndFree(benchmark::State& state) {
  for (auto _ : state) {
    Instance instance;
    benchmark::DoNotOptimize(instance.get());
  }
}
BENCHMARK(BM_InstantiateAndFree);

// The same with the reservation cache on: the freed reservation is zeroed and reused, so neither
// the mapping nor the data segment's page is made again.
void BM_InstantiateAndFreeWithCache(benchmark::State& state) {
  riptide::sandbox::set_memory_cache_size(1);
  for (auto _ : state) {
    Instance instance;
    benchmark::DoNotOptimize(instance.get());
  }
  riptide::sandbox::set_memory_cache_size(0);
}
BENCHMARK(BM_InstantiateAndFreeWithCache);

// The guest's `add`, called directly: the floor the guarded calls are compared with.
void BM_UnguardedCall(benchmark::State& state) {
  Instance instance;
  u32 sum = 0;
  for (auto _ : state) {
    sum = Z_bench_guestZ_add(instance.get(), sum, 1);
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_UnguardedCall);

void BM_GuardedCall(benchmark::State& state) {
  Instance instance;
  u32 sum = 0;
  for (auto _ : state) {
    TrapKind kind = call_guest([&] { sum = Z_bench_guestZ_add(instance.get(), sum, 1); });
    benchmark::DoNotOptimize(kind);
  }
}
BENCHMARK(BM_GuardedCall);

// With a deadline the call is also registered with the watchdog (a mutex and a clock read).
void BM_GuardedCallWithDeadline(benchmark::State& state) {
  Instance instance;
  u32 sum = 0;
  for (auto _ : state) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    TrapKind kind = call_guest([&] { sum = Z_bench_guestZ_add(instance.get(), sum, 1); }, deadline);
    benchmark::DoNotOptimize(kind);
  }
}
BENCHMARK(BM_GuardedCallWithDeadline);

// An out-of-bounds load: fault, signal handler, longjmp, unblocking the signals.
void BM_TrapOutOfBounds(benchmark::State& state) {
  Instance instance;
  for (auto _ : state) {
    TrapKind kind = call_guest([&] { Z_bench_guestZ_load_at(instance.get(), 0xFFFFFFF0u); });
    benchmark::DoNotOptimize(kind);
  }
}
BENCHMARK(BM_TrapOutOfBounds);

// memory.grow from 2 pages to the 4 MiB cap (17 grows, 2 refused), on a fresh instance each time.
void BM_MemoryGrowToCap(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto instance = std::make_unique<Instance>();
    state.ResumeTiming();
    u32 pages = 0;
    TrapKind kind = call_guest([&] { pages = Z_bench_guestZ_grow_until_refused(instance->get()); });
    benchmark::DoNotOptimize(kind);
    state.PauseTiming();
    instance.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_MemoryGrowToCap);

}  // namespace

BENCHMARK_MAIN();
