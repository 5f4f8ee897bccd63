// Memory prefault plans (sandbox/runtime.h): a plan is learned from the pages a memory has
// touched, applied to the next memory allocated inside a MemoryPrefaultScope (clipped to its
// size), and never changes what the memory holds.

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "sandbox/runtime.h"
#include "wasm-rt.h"

namespace riptide::sandbox {
namespace {

constexpr uint32_t kWasmPages = 4;  // 256 KiB: 64 host pages of 4 KiB

uint64_t host_page() {
  return static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Host pages of `memory` resident now, by index.
std::vector<uint64_t> resident_pages(const wasm_rt_memory_t& memory) {
  const uint64_t pages = memory.size / host_page();
  std::vector<unsigned char> flags(pages);
  EXPECT_EQ(mincore(memory.data, memory.size, flags.data()), 0);
  std::vector<uint64_t> resident;
  for (uint64_t i = 0; i < pages; ++i) {
    if ((flags[i] & 1) != 0) resident.push_back(i);
  }
  return resident;
}

// A fresh memory (never from the reservation cache), allocated inside `plan`'s scope.
struct Memory {
  explicit Memory(const MemoryPrefaultPlan* plan = nullptr) {
    MemoryPrefaultScope scope(plan);
    wasm_rt_allocate_memory(&memory, kWasmPages, kWasmPages);
  }
  ~Memory() { wasm_rt_free_memory(&memory); }
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  void touch(uint64_t host_page_index) { memory.data[host_page_index * host_page() + 17] = 1; }

  wasm_rt_memory_t memory{};
};

MemoryPrefaultPlan plan_of(std::vector<std::pair<uint64_t, uint64_t>> page_ranges) {
  MemoryPrefaultPlan plan;
  for (auto [first, count] : page_ranges) {
    plan.ranges.push_back({first * host_page(), count * host_page()});
  }
  return plan;
}

class SandboxMemoryPrefault : public ::testing::Test {
 protected:
  void SetUp() override {
    init_runtime();
    set_memory_cache_size(0);
    set_memory_prefault_enabled(true);
  }
  void TearDown() override {
    set_memory_cache_size(0);
    set_memory_prefault_enabled(true);
  }
};

TEST_F(SandboxMemoryPrefault, PlanHoldsTheTouchedPagesCoalesced) {
  Memory m;
  for (uint64_t page : {0, 1, 2, 7, 30, 63}) m.touch(page);
  MemoryPrefaultPlan plan = learn_memory_prefault_plan(&m.memory);
  ASSERT_EQ(plan.ranges.size(), 4u);
  const uint64_t p = host_page();
  EXPECT_EQ(plan.ranges[0].offset, 0u);
  EXPECT_EQ(plan.ranges[0].bytes, 3 * p);
  EXPECT_EQ(plan.ranges[1].offset, 7 * p);
  EXPECT_EQ(plan.ranges[1].bytes, p);
  EXPECT_EQ(plan.ranges[2].offset, 30 * p);
  EXPECT_EQ(plan.ranges[3].offset, 63 * p);
  EXPECT_EQ(plan.bytes(), 6 * p);
}

TEST_F(SandboxMemoryPrefault, UntouchedMemoryTeachesNothing) {
  Memory m;
  EXPECT_TRUE(learn_memory_prefault_plan(&m.memory).ranges.empty());
}

TEST_F(SandboxMemoryPrefault, ScopedPlanPopulatesExactlyItsPagesClippedToTheMemory) {
  // The second range runs past the memory's 64 host pages: only 60..63 can be populated.
  const MemoryPrefaultPlan plan = plan_of({{2, 2}, {60, 20}});
  const uint64_t before = memory_prefaulted_bytes();
  Memory m(&plan);
  if (!memory_prefault_supported()) GTEST_SKIP() << "kernel refuses MADV_POPULATE_WRITE";
  EXPECT_EQ(resident_pages(m.memory), (std::vector<uint64_t>{2, 3, 60, 61, 62, 63}));
  EXPECT_GE(memory_prefaulted_bytes() - before, 6 * host_page());
  // What was learned from the prefaulted memory is the plan as applied.
  MemoryPrefaultPlan learned = learn_memory_prefault_plan(&m.memory);
  ASSERT_EQ(learned.ranges.size(), 2u);
  EXPECT_EQ(learned.ranges[1].offset, 60 * host_page());
  EXPECT_EQ(learned.ranges[1].bytes, 4 * host_page());
}

TEST_F(SandboxMemoryPrefault, PrefaultedMemoryIsAllZeroAndFullySized) {
  const MemoryPrefaultPlan plan = plan_of({{0, 64}});
  Memory m(&plan);
  EXPECT_EQ(m.memory.pages, kWasmPages);
  EXPECT_EQ(m.memory.size, kWasmPages * 65536u);
  uint64_t nonzero = 0;
  for (uint32_t i = 0; i < m.memory.size; ++i) nonzero += m.memory.data[i] != 0;
  EXPECT_EQ(nonzero, 0u);
}

TEST_F(SandboxMemoryPrefault, PlanAppliesOnlyInsideItsScope) {
  const MemoryPrefaultPlan plan = plan_of({{5, 3}});
  {
    MemoryPrefaultScope outer(&plan);
    MemoryPrefaultScope inner(nullptr);  // the innermost scope wins
    wasm_rt_memory_t memory{};
    wasm_rt_allocate_memory(&memory, kWasmPages, kWasmPages);
    EXPECT_TRUE(resident_pages(memory).empty());
    wasm_rt_free_memory(&memory);
  }
  Memory after;  // the scopes are gone
  EXPECT_TRUE(resident_pages(after.memory).empty());
}

TEST_F(SandboxMemoryPrefault, SwitchedOffNothingIsPopulated) {
  const MemoryPrefaultPlan plan = plan_of({{0, 8}});
  set_memory_prefault_enabled(false);
  Memory m(&plan);
  EXPECT_TRUE(resident_pages(m.memory).empty());
}

TEST_F(SandboxMemoryPrefault, ReusedReservationsTeachNothing) {
  set_memory_cache_size(1);
  {
    Memory first;
    first.touch(3);
  }
  ASSERT_EQ(cached_memory_reservations(), 1u);
  Memory reused;
  EXPECT_EQ(cached_memory_reservations(), 0u);
  // Page 3 is still resident from the first memory (zeroed in place): learning from it would
  // teach the next instance a page its own guest never touched.
  EXPECT_TRUE(learn_memory_prefault_plan(&reused.memory).ranges.empty());
}

}  // namespace
}  // namespace riptide::sandbox
