#include "sandbox/pool.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "sandbox/metrics.h"
#include "tests/unit/sandbox/fake_instance.h"
#include "tests/unit/sandbox/metric_value.h"

namespace riptide::sandbox {
namespace {

using std::chrono::milliseconds;
using testing::fake_factory;
using testing::FakeWorld;
using testing::metric_value;

PoolConfig small_pool() {
  PoolConfig c;
  c.initial_pool_size = 1;
  c.max_pool_size = 2;
  c.max_uses_per_instance = 100;
  c.recycle_memory_bytes = 64 * kWasmPageBytes;
  c.acquire_timeout = milliseconds(50);
  return c;
}

// One extraction on a leased instance; returns the instance's id.
uint64_t use(Pool& pool, std::string_view page) {
  Result<Pool::Lease> lease = pool.acquire();
  EXPECT_TRUE(lease.ok()) << (lease.ok() ? "" : lease.error().to_string());
  if (!lease.ok()) return 0;
  (void)(*lease)->extract(page, extract::Options{});
  return lease->id();
}

TEST(Pool, PrewarmsInitialInstances) {
  FakeWorld world;
  PoolConfig c = small_pool();
  c.initial_pool_size = 2;
  Pool pool(c, fake_factory(&world));
  EXPECT_EQ(world.created.load(), 2);
  PoolStats s = pool.stats();
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.created, 2u);
  EXPECT_EQ(pool.instance_stats().size(), 2u);
}

TEST(Pool, InitialSizeIsCappedByMaxSize) {
  FakeWorld world;
  PoolConfig c = small_pool();
  c.initial_pool_size = 10;
  Pool pool(c, fake_factory(&world));
  EXPECT_EQ(world.created.load(), 2);
}

TEST(Pool, ReusesAReturnedInstance) {
  FakeWorld world;
  Pool pool(small_pool(), fake_factory(&world));
  uint64_t first = use(pool, "a");
  uint64_t second = use(pool, "b");
  EXPECT_EQ(first, second);
  EXPECT_EQ(world.created.load(), 1);
  PoolStats s = pool.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 0u);
  std::vector<InstanceStats> instances = pool.instance_stats();
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0].uses, 2u);
  EXPECT_FALSE(instances[0].in_use);
}

TEST(Pool, CreatesUpToMaxThenFailsWithPoolExhausted) {
  FakeWorld world;
  Pool pool(small_pool(), fake_factory(&world));
  Result<Pool::Lease> a = pool.acquire();
  Result<Pool::Lease> b = pool.acquire();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->id(), b->id());
  EXPECT_EQ(pool.stats().misses, 1u);
  EXPECT_EQ(pool.stats().in_use, 2u);
  auto start = std::chrono::steady_clock::now();
  Result<Pool::Lease> c = pool.acquire();
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(c.error().message().find("pool exhausted"), std::string::npos);
  EXPECT_GE(waited, milliseconds(50)) << "gives up only after the acquire timeout";
  EXPECT_EQ(pool.stats().exhausted, 1u);
  EXPECT_EQ(world.created.load(), 2);
}

TEST(Pool, WaiterGetsTheInstanceReturnedDuringItsWait) {
  FakeWorld world;
  PoolConfig c = small_pool();
  c.max_pool_size = 1;
  c.acquire_timeout = milliseconds(5000);
  Pool pool(c, fake_factory(&world));
  Result<Pool::Lease> held = pool.acquire();
  ASSERT_TRUE(held.ok());
  uint64_t held_id = held->id();
  std::atomic<uint64_t> got{0};
  std::thread waiter([&] {
    Result<Pool::Lease> lease = pool.acquire();
    if (lease.ok()) got = lease->id();
  });
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(got.load(), 0u) << "must wait while the only instance is in use";
  held->release();
  waiter.join();
  EXPECT_EQ(got.load(), held_id);
}

TEST(Pool, RecyclesAfterMaxUses) {
  FakeWorld world;
  PoolConfig c = small_pool();
  c.max_uses_per_instance = 3;
  Pool pool(c, fake_factory(&world));
  uint64_t first = use(pool, "a");
  EXPECT_EQ(use(pool, "a"), first);
  EXPECT_EQ(use(pool, "a"), first);
  EXPECT_EQ(world.destroyed.load(), 1) << "retired after its third use";
  uint64_t next = use(pool, "a");
  EXPECT_NE(next, first);
  PoolStats s = pool.stats();
  EXPECT_EQ(s.recycled_uses, 1u);
  EXPECT_EQ(s.created, 2u);
  EXPECT_EQ(s.idle, 1u) << "topped up to initial_pool_size";
}

TEST(Pool, RecyclesAboveMemoryThreshold) {
  FakeWorld world;
  world.initial_pages = 16;
  Pool pool(small_pool(), fake_factory(&world));  // threshold 64 pages
  uint64_t first = use(pool, "grow:48");          // 64 pages: at the threshold, kept
  EXPECT_EQ(pool.stats().recycled_memory, 0u);
  ASSERT_EQ(pool.instance_stats().size(), 1u);
  EXPECT_EQ(pool.instance_stats()[0].current_pages, 64u);
  EXPECT_EQ(use(pool, "grow:1"), first);  // 65 pages: over it
  EXPECT_EQ(pool.stats().recycled_memory, 1u);
  EXPECT_EQ(world.destroyed.load(), 1);
  EXPECT_NE(use(pool, "a"), first);
}

TEST(Pool, DiscardsAfterTrapTimeoutOrInvalidOutput) {
  for (const char* page : {"trap", "timeout", "garbage"}) {
    SCOPED_TRACE(page);
    FakeWorld world;
    Pool pool(small_pool(), fake_factory(&world));
    uint64_t first = use(pool, page);
    EXPECT_EQ(world.destroyed.load(), 1);
    EXPECT_EQ(pool.stats().discarded, 1u);
    uint64_t next = use(pool, "a");
    EXPECT_NE(next, first) << "a dead instance is never handed out again";
  }
}

TEST(Pool, StructuredGuestErrorKeepsTheInstance) {
  FakeWorld world;
  Pool pool(small_pool(), fake_factory(&world));
  uint64_t first = use(pool, "bad-input");
  EXPECT_EQ(use(pool, "a"), first);
  EXPECT_EQ(pool.stats().discarded, 0u);
}

TEST(Pool, CreationFailureIsReportedAndRetriedLater) {
  FakeWorld world;
  world.fail_creation = true;
  Pool pool(small_pool(), fake_factory(&world));
  EXPECT_EQ(pool.stats().creation_failures, 1u);
  Result<Pool::Lease> lease = pool.acquire();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(lease.error().message(), "instantiation failed");
  world.fail_creation = false;
  // The failed creations did not use up places in the pool.
  Result<Pool::Lease> a = pool.acquire();
  Result<Pool::Lease> b = pool.acquire();
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(b.ok());
}

TEST(Pool, InstanceStatsTrackPagesAndGrowFailures) {
  FakeWorld world;
  world.max_pages = 20;
  Pool pool(small_pool(), fake_factory(&world));
  use(pool, "grow:2");
  use(pool, "grow:100");  // over the cap: a failed grow
  std::vector<InstanceStats> s = pool.instance_stats();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].uses, 2u);
  EXPECT_EQ(s[0].current_pages, 18u);
  EXPECT_EQ(s[0].peak_pages, 18u);
  EXPECT_EQ(s[0].grow_failures, 1u);
}

TEST(Pool, ConcurrentAcquireNeverExceedsMaxAndLosesNothing) {
  FakeWorld world;
  PoolConfig c = small_pool();
  c.max_pool_size = 3;
  c.acquire_timeout = milliseconds(10'000);
  c.max_uses_per_instance = 50;  // recycling under contention too
  Pool pool(c, fake_factory(&world));
  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        Result<Pool::Lease> lease = pool.acquire();
        if (!lease.ok()) {
          ++failures;
          continue;
        }
        // Every 97th call traps, so discards and replacements race with acquisitions.
        (void)(*lease)->extract((t * kRounds + i) % 97 == 0 ? "trap" : "page", {});
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(world.extractions.load(), kThreads * kRounds);
  EXPECT_LE(world.max_in_use.load(), 3);
  PoolStats s = pool.stats();
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_EQ(s.hits + s.misses, uint64_t{kThreads * kRounds});
  EXPECT_GT(s.discarded, 0u);
  EXPECT_GT(s.recycled_uses, 0u);
  // Everything created was either destroyed or is still idle in the pool.
  EXPECT_EQ(world.created.load() - world.destroyed.load(), static_cast<int>(s.idle));
  EXPECT_LE(s.idle, 3u);
}

TEST(Pool, ReportsMetrics) {
  prometheus::Registry registry;
  SandboxMetrics metrics(registry);
  FakeWorld world;
  PoolConfig c = small_pool();
  c.max_pool_size = 1;
  c.acquire_timeout = milliseconds(1);
  Pool pool(c, fake_factory(&world), &metrics);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_instantiations_total"), 1);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_instantiation_seconds"), 1);
  use(pool, "grow:4");
  {
    Result<Pool::Lease> held = pool.acquire();
    ASSERT_TRUE(held.ok());
    EXPECT_EQ(metric_value(registry, "riptide_sandbox_pool_instances", {{"state", "in_use"}}), 1);
    EXPECT_FALSE(pool.acquire().ok());
    (void)(*held)->extract("trap", {});
  }
  use(pool, "a");  // served by the replacement made when the trapped one was discarded
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_pool_acquisitions_total", {{"result", "hit"}}),
            3);
  EXPECT_EQ(
      metric_value(registry, "riptide_sandbox_pool_acquisitions_total", {{"result", "exhausted"}}),
      1);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_instances_retired_total", {{"reason", "dead"}}),
            1);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_instantiations_total"), 2);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_memory_pages", {{"stat", "peak"}}), 20);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_memory_pages", {{"stat", "current"}}), 16);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_pool_instances", {{"state", "idle"}}), 1);
  EXPECT_EQ(metric_value(registry, "riptide_sandbox_pool_instances", {{"state", "in_use"}}), 0);
}

}  // namespace
}  // namespace riptide::sandbox
