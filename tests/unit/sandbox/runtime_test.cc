// The wasm-rt runtime against hostile guests (tests/sandbox/guests/hostile.c): every way a guest
// can misbehave ends in its documented TrapKind, the process survives, and a fresh instance works
// afterwards; a host crash stays a crash.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "hostile.h"
#include "sandbox/runtime.h"
#include "wasm-rt.h"

// The guest's one import module. The test controls what the import does.
struct Z_riptide_test_instance_t {
  std::atomic<bool> completed{false};
  std::atomic<bool> interrupted{false};
  // When set, the import has a bounds bug: it writes just past the guest memory's end. That is
  // inside the memory's reservation, where a fault in guest code would be a trap.
  wasm_rt_memory_t* crash_into = nullptr;
};

// A host bug: a write to a page the host itself mapped inaccessible (not a null pointer, which
// UBSan would report before the fault happens).
void write_to_forbidden_page() {
  void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *static_cast<volatile int*>(page) = 1;
}

extern "C" void Z_riptide_testZ_sleep_ms(Z_riptide_test_instance_t* imports, u32 ms) {
  riptide::sandbox::HostImportScope scope;
  if (imports->crash_into != nullptr) {
    *reinterpret_cast<volatile int*>(imports->crash_into->data + imports->crash_into->size) = 1;
  }
  timespec request{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000};
  // nanosleep fails with EINTR if any signal handler ran while it slept.
  if (nanosleep(&request, nullptr) != 0 && errno == EINTR) imports->interrupted = true;
  imports->completed = true;
}

namespace riptide::sandbox {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr uint32_t kGuestMaxPages = 4194304 / 65536;  // MAX_MEMORY in CMakeLists.txt

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    init_runtime();
    Z_hostile_init_module();
  });
}

// One instance of the hostile guest, instantiated inside call_guest as runtime.h asks.
class Guest {
 public:
  Guest() {
    init_once();
    const TrapKind kind = call_guest([&] { Z_hostile_instantiate(&instance_, &imports_); });
    EXPECT_EQ(kind, TrapKind::kNone);
  }
  ~Guest() { Z_hostile_free(&instance_); }
  Guest(const Guest&) = delete;
  Guest& operator=(const Guest&) = delete;

  Z_hostile_instance_t* get() { return &instance_; }
  Z_riptide_test_instance_t& imports() { return imports_; }
  wasm_rt_memory_t* memory() { return Z_hostileZ_memory(&instance_); }

 private:
  Z_hostile_instance_t instance_{};
  Z_riptide_test_instance_t imports_;
};

// A fresh instance computes correctly and starts from its own initial state.
void expect_fresh_instance_works() {
  Guest guest;
  u32 sum = 0;
  u32 first_bump = 0;
  EXPECT_EQ(call_guest([&] {
              sum = Z_hostileZ_add(guest.get(), 2, 3);
              first_bump = Z_hostileZ_bump(guest.get());
            }),
            TrapKind::kNone);
  EXPECT_EQ(sum, 5u);
  EXPECT_EQ(first_bump, 1u);
}

TEST(SandboxRuntime, WellBehavedCallReturnsItsResult) {
  Guest guest;
  u32 result = 0;
  EXPECT_EQ(call_guest([&] { result = Z_hostileZ_add(guest.get(), 40, 2); }), TrapKind::kNone);
  EXPECT_EQ(result, 42u);
  // State persists across calls on one instance.
  u32 bumps = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call_guest([&] { bumps = Z_hostileZ_bump(guest.get()); }), TrapKind::kNone);
  }
  EXPECT_EQ(bumps, 3u);
}

TEST(SandboxRuntime, OutOfBoundsLoadsAndStoresTrap) {
  const u32 addresses[] = {0xFFFFFFFCu, 0x80000000u, 0u};
  for (u32 address : addresses) {
    Guest guest;
    const u32 end = guest.memory()->size;
    const u32 target = address == 0 ? end : address;  // 0 stands for "one past the end"
    EXPECT_EQ(call_guest([&] { Z_hostileZ_load_at(guest.get(), target); }), TrapKind::kOutOfBounds)
        << target;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_store_at(guest.get(), target, 7); }),
              TrapKind::kOutOfBounds)
        << target;
  }
  // The last in-bounds word is fine.
  Guest guest;
  EXPECT_EQ(call_guest([&] { Z_hostileZ_store_at(guest.get(), guest.memory()->size - 4, 7); }),
            TrapKind::kNone);
  expect_fresh_instance_works();
}

TEST(SandboxRuntime, ExplicitTrapsHaveTheirKinds) {
  {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_hit_unreachable(guest.get()); }), TrapKind::kUnreachable);
  }
  {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_divide(guest.get(), 1, 0); }), TrapKind::kDivByZero);
  }
  {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_divide(guest.get(), static_cast<u32>(INT_MIN), -1); }),
              TrapKind::kIntOverflow);
  }
  {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_call_mismatched(guest.get(), 1); }),
              TrapKind::kIndirectCall);
  }
  {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_call_null(guest.get(), 1); }), TrapKind::kIndirectCall);
  }
  expect_fresh_instance_works();
}

TEST(SandboxRuntime, ShadowStackOverflowIsOutOfBounds) {
  Guest guest;
  // A little recursion fits in the 64 KiB guest stack.
  u32 result = 0;
  EXPECT_EQ(call_guest([&] { result = Z_hostileZ_overflow_shadow_stack(guest.get(), 10); }),
            TrapKind::kNone);
  EXPECT_EQ(result, 55u);
  // --stack-first: the stack pointer runs below 0 and wraps into the guard region.
  EXPECT_EQ(call_guest([&] { Z_hostileZ_overflow_shadow_stack(guest.get(), 1000000); }),
            TrapKind::kOutOfBounds);
  expect_fresh_instance_works();
}

TEST(SandboxRuntime, DeepNativeRecursionIsStackExhaustion) {
  {
    Guest guest;
    u32 result = 0;
    EXPECT_EQ(call_guest([&] { result = Z_hostileZ_overflow_native_stack(guest.get(), 1000); }),
              TrapKind::kNone);
    EXPECT_EQ(result, 1000u);
    EXPECT_EQ(call_guest([&] { Z_hostileZ_overflow_native_stack(guest.get(), INT_MAX); }),
              TrapKind::kStackExhausted);
  }
  expect_fresh_instance_works();
  // Same on a thread with a stack of its own (the main thread's stack is special in Linux).
  std::thread other([] {
    {
      Guest guest;
      EXPECT_EQ(call_guest([&] { Z_hostileZ_overflow_native_stack(guest.get(), INT_MAX); }),
                TrapKind::kStackExhausted);
    }
    expect_fresh_instance_works();
  });
  other.join();
}

TEST(SandboxRuntime, InfiniteLoopTimesOut) {
  Guest guest;
  const auto start = steady_clock::now();
  const TrapKind kind =
      call_guest([&] { Z_hostileZ_spin_forever(guest.get()); }, start + milliseconds(50));
  EXPECT_EQ(kind, TrapKind::kTimeout);
  EXPECT_GE(steady_clock::now() - start, milliseconds(50));  // never before the deadline
  expect_fresh_instance_works();
}

// The watchdog's signal often lands inside wasm_rt_grow_memory here; the runtime must defer it
// to the end of the function (and not lose it: the watchdog signals each call once).
TEST(SandboxRuntime, TimeoutLandingInARuntimeFunctionIsDeferredNotLost) {
  for (int i = 0; i < 20; ++i) {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_grow_by_zero_forever(guest.get()); },
                         steady_clock::now() + milliseconds(5)),
              TrapKind::kTimeout);
  }
}

TEST(SandboxRuntime, DeadlineInThePastTrapsBeforeRunning) {
  Guest guest;
  u32 bumps = 0;
  EXPECT_EQ(call_guest([&] { bumps = Z_hostileZ_bump(guest.get()); },
                       steady_clock::now() - milliseconds(1)),
            TrapKind::kTimeout);
  EXPECT_EQ(bumps, 0u);
}

TEST(SandboxRuntime, CallsWithinTheirDeadlineAreNotInterrupted) {
  Guest guest;
  for (int i = 0; i < 1000; ++i) {
    u32 sum = 0;
    ASSERT_EQ(call_guest([&] { sum = Z_hostileZ_add(guest.get(), i, 1); },
                         steady_clock::now() + milliseconds(1000)),
              TrapKind::kNone);
    ASSERT_EQ(sum, static_cast<u32>(i + 1));
  }
}

TEST(SandboxRuntime, TimeoutWorksAfterAFaultTrapOnTheSameThread) {
  // A trap from the SIGSEGV handler leaves the handler's blocked signals behind (sigsetjmp(buf, 0)
  // does not restore the mask); the runtime must unblock them or the next timeout never fires.
  {
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_load_at(guest.get(), 0xFFFFFFF0u); }),
              TrapKind::kOutOfBounds);
  }
  Guest guest;
  EXPECT_EQ(call_guest([&] { Z_hostileZ_spin_forever(guest.get()); },
                       steady_clock::now() + milliseconds(20)),
            TrapKind::kTimeout);
  sigset_t blocked;
  pthread_sigmask(SIG_BLOCK, nullptr, &blocked);
  EXPECT_FALSE(sigismember(&blocked, SIGSEGV));
  EXPECT_FALSE(sigismember(&blocked, timeout_signal()));
}

// One watchdog serves every thread: a call registered later with an earlier deadline must wake it
// (here a 10 s call is already waiting), and each thread gets its own timeout.
TEST(SandboxRuntime, WatchdogServesManyThreadsWithDifferentDeadlines) {
  init_once();
  std::atomic<bool> long_call_ok{false};
  std::thread long_call([&] {
    Guest guest;
    u32 result = 0;
    long_call_ok = call_guest([&] { result = Z_hostileZ_sleep_in_host(guest.get(), 300); },
                              steady_clock::now() + std::chrono::seconds(10)) == TrapKind::kNone &&
                   result == 42;
  });
  std::this_thread::sleep_for(milliseconds(50));
  std::vector<std::thread> spinners;
  for (int i = 1; i <= 3; ++i) {
    spinners.emplace_back([i] {
      Guest guest;
      const auto start = steady_clock::now();
      const auto budget = milliseconds(20 * i);
      EXPECT_EQ(call_guest([&] { Z_hostileZ_spin_forever(guest.get()); }, start + budget),
                TrapKind::kTimeout);
      const auto elapsed = steady_clock::now() - start;
      EXPECT_GE(elapsed, budget);
      EXPECT_LT(elapsed, std::chrono::seconds(5));  // not left waiting for the 10 s deadline
    });
  }
  for (std::thread& spinner : spinners) spinner.join();
  long_call.join();
  EXPECT_TRUE(long_call_ok);
}

TEST(SandboxRuntime, ThreadsThatBlockEverySignalStillTrapAndTimeOut) {
  init_once();
  std::thread worker([] {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    Guest guest;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_load_at(guest.get(), 0xFFFFFFF0u); }),
              TrapKind::kOutOfBounds);
    Guest spinner;
    EXPECT_EQ(call_guest([&] { Z_hostileZ_spin_forever(spinner.get()); },
                         steady_clock::now() + milliseconds(20)),
              TrapKind::kTimeout);
  });
  worker.join();
}

TEST(SandboxRuntime, TimeoutNeverFiresInsideAHostImport) {
  Guest guest;
  u32 result = 0;
  const auto start = steady_clock::now();
  // The import sleeps 150 ms, far past the 20 ms deadline: it must complete undisturbed, and the
  // call traps when control returns to guest code.
  const TrapKind kind = call_guest([&] { result = Z_hostileZ_sleep_in_host(guest.get(), 150); },
                                   start + milliseconds(20));
  EXPECT_EQ(kind, TrapKind::kTimeout);
  EXPECT_TRUE(guest.imports().completed);
  EXPECT_FALSE(guest.imports().interrupted);
  EXPECT_EQ(result, 0u);  // the guest never got to return 42
  EXPECT_GE(steady_clock::now() - start, milliseconds(150));
  expect_fresh_instance_works();
}

TEST(SandboxRuntime, HostImportWithinTheDeadlineReturnsNormally) {
  Guest guest;
  u32 result = 0;
  EXPECT_EQ(call_guest([&] { result = Z_hostileZ_sleep_in_host(guest.get(), 1); },
                       steady_clock::now() + milliseconds(2000)),
            TrapKind::kNone);
  EXPECT_EQ(result, 42u);
  EXPECT_TRUE(guest.imports().completed);
}

TEST(SandboxRuntime, MemoryBombIsCappedAndCounted) {
  Guest guest;
  EXPECT_EQ(guest.memory()->max_pages, kGuestMaxPages);
  u32 pages = 0;
  EXPECT_EQ(call_guest([&] { pages = Z_hostileZ_grow_until_refused(guest.get()); }),
            TrapKind::kNone);
  EXPECT_EQ(pages, kGuestMaxPages);
  EXPECT_EQ(guest.memory()->pages, kGuestMaxPages);
  EXPECT_GE(memory_grow_failures(guest.memory()), 2u);  // one refusal per loop in the guest
  // All of the granted memory is usable.
  EXPECT_EQ(call_guest([&] { Z_hostileZ_store_at(guest.get(), guest.memory()->size - 4, 1); }),
            TrapKind::kNone);
}

TEST(SandboxRuntime, HostLoweredCapIsRespected) {
  Guest guest;
  const uint32_t initial = guest.memory()->pages;
  EXPECT_EQ(set_memory_max_pages(guest.memory(), initial + 3), initial + 3);
  u32 pages = 0;
  EXPECT_EQ(call_guest([&] { pages = Z_hostileZ_grow_until_refused(guest.get()); }),
            TrapKind::kNone);
  EXPECT_EQ(pages, initial + 3);
  // Never below the current size, never above what the module declared.
  EXPECT_EQ(set_memory_max_pages(guest.memory(), 0), initial + 3);
  EXPECT_EQ(set_memory_max_pages(guest.memory(), 100000), kGuestMaxPages);
}

TEST(SandboxRuntime, MemoryBombThenWritePastTheEndTraps) {
  {
    Guest guest;
    set_memory_max_pages(guest.memory(), 8);
    EXPECT_EQ(call_guest([&] { Z_hostileZ_grow_then_write_past_end(guest.get()); }),
              TrapKind::kOutOfBounds);
    EXPECT_EQ(guest.memory()->pages, 8u);
    EXPECT_GE(memory_grow_failures(guest.memory()), 1u);
  }
  expect_fresh_instance_works();
}

// The kinds each thread cycles through: signal-based (SIGSEGV) and wasm_rt_trap-based traps.
TrapKind trap_once(int round) {
  Guest guest;
  switch (round % 4) {
    case 0:
      return call_guest([&] { Z_hostileZ_load_at(guest.get(), 0xFFFFFFF0u); });
    case 1:
      return call_guest([&] { Z_hostileZ_hit_unreachable(guest.get()); });
    case 2:
      return call_guest([&] { Z_hostileZ_overflow_shadow_stack(guest.get(), 1000000); });
    default:
      return call_guest([&] { Z_hostileZ_divide(guest.get(), 1, 0); });
  }
}

TrapKind expected_trap(int round) {
  constexpr TrapKind kKinds[] = {TrapKind::kOutOfBounds, TrapKind::kUnreachable,
                                 TrapKind::kOutOfBounds, TrapKind::kDivByZero};
  return kKinds[round % 4];
}

TEST(SandboxRuntime, TwoThreadsTrappingAtTheSameTimeAThousandTimes) {
  init_once();
  std::atomic<int> mismatches{0};
  auto worker = [&] {
    for (int round = 0; round < 1000; ++round) {
      if (trap_once(round) != expected_trap(round)) ++mismatches;
      Guest guest;
      u32 sum = 0;
      if (call_guest([&] { sum = Z_hostileZ_add(guest.get(), round, 1); }) != TrapKind::kNone ||
          sum != static_cast<u32>(round + 1)) {
        ++mismatches;
      }
    }
  };
  std::thread first(worker);
  std::thread second(worker);
  first.join();
  second.join();
  EXPECT_EQ(mismatches.load(), 0);
}

uint64_t virtual_size_pages() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages;
}

// Creates and destroys 10 000 instances, half of them grown to the cap, and checks that neither
// the address space nor the count of live reservations grows.
void expect_create_destroy_cycles_leave_virtual_size_flat() {
  init_once();
  const size_t live_before = live_memory_reservations();
  for (int i = 0; i < 100; ++i) Guest guest;  // warm up allocator caches
  const uint64_t before = virtual_size_pages();
  for (int i = 0; i < 10000; ++i) {
    Guest guest;
    if (i % 2 == 0) {  // half of them grow, so committed pages are released too
      u32 pages = 0;
      ASSERT_EQ(call_guest([&] { pages = Z_hostileZ_grow_until_refused(guest.get()); }),
                TrapKind::kNone);
    }
  }
  const uint64_t after = virtual_size_pages();
  // One leaked reservation alone would add 8 GiB (2 Mi pages of 4 KiB).
  EXPECT_LE(after, before + 4096) << "virtual size grew from " << before << " to " << after
                                  << " pages";
  EXPECT_EQ(live_memory_reservations(), live_before);
}

TEST(SandboxRuntime, TenThousandCreateDestroyCyclesLeaveVirtualSizeFlat) {
  expect_create_destroy_cycles_leave_virtual_size_flat();
}

// Turns the reservation cache on for one test.
class ReservationCache {
 public:
  explicit ReservationCache(size_t size) { set_memory_cache_size(size); }
  ~ReservationCache() { set_memory_cache_size(0); }
  ReservationCache(const ReservationCache&) = delete;
  ReservationCache& operator=(const ReservationCache&) = delete;
};

TEST(SandboxRuntime, TenThousandCyclesWithTheReservationCacheLeaveVirtualSizeFlat) {
  ReservationCache cache(4);
  expect_create_destroy_cycles_leave_virtual_size_flat();
  EXPECT_LE(cached_memory_reservations(), 4u);
}

// Reads one byte as guest code would: a fault there is a trap, not a crash.
TrapKind probe(const wasm_rt_memory_t& memory, uint64_t offset) {
  return call_guest([&] { (void)*static_cast<volatile uint8_t*>(memory.data + offset); });
}

TEST(SandboxRuntime, ReusedReservationsAreZeroedAndExactlySized) {
  init_runtime();
  ReservationCache cache(1);
  constexpr uint32_t kPage = 65536;
  // First life: grow well past the 4 MiB the cache keeps committed, fill everything.
  wasm_rt_memory_t first;
  wasm_rt_allocate_memory(&first, 2, 1000);
  ASSERT_EQ(wasm_rt_grow_memory(&first, 198), 2u);
  std::memset(first.data, 0xA5, first.size);
  uint8_t* const reservation = first.data;
  wasm_rt_free_memory(&first);
  EXPECT_EQ(cached_memory_reservations(), 1u);

  // Second life, smaller: the same reservation, all zero, exactly 3 pages accessible.
  wasm_rt_memory_t second;
  wasm_rt_allocate_memory(&second, 3, 1000);
  EXPECT_EQ(second.data, reservation);
  EXPECT_EQ(cached_memory_reservations(), 0u);
  ASSERT_EQ(second.size, 3 * kPage);
  bool all_zero = true;
  for (uint32_t i = 0; i < second.size; ++i) all_zero = all_zero && second.data[i] == 0;
  EXPECT_TRUE(all_zero);
  EXPECT_EQ(probe(second, second.size - 1), TrapKind::kNone);
  EXPECT_EQ(probe(second, second.size), TrapKind::kOutOfBounds);
  EXPECT_EQ(probe(second, 100 * kPage), TrapKind::kOutOfBounds);
  // Growing into what the first life had written yields zero pages, as memory.grow must.
  ASSERT_EQ(wasm_rt_grow_memory(&second, 197), 3u);
  all_zero = true;
  for (uint32_t i = 0; i < second.size; ++i) all_zero = all_zero && second.data[i] == 0;
  EXPECT_TRUE(all_zero);
  EXPECT_EQ(probe(second, second.size), TrapKind::kOutOfBounds);
  wasm_rt_free_memory(&second);

  // A cache of one keeps one; turning it off unmaps it.
  wasm_rt_memory_t third;
  wasm_rt_memory_t fourth;
  wasm_rt_allocate_memory(&third, 1, 10);
  wasm_rt_allocate_memory(&fourth, 1, 10);
  wasm_rt_free_memory(&third);
  wasm_rt_free_memory(&fourth);
  EXPECT_EQ(cached_memory_reservations(), 1u);
  set_memory_cache_size(0);
  EXPECT_EQ(cached_memory_reservations(), 0u);
}

#if defined(__SANITIZE_ADDRESS__)
// ASan installed its SIGSEGV handler before ours; the runtime forwards a host fault to it, and it
// reports the crash and exits.
#define EXPECT_HOST_CRASH(statement) EXPECT_DEATH(statement, "AddressSanitizer: SEGV")
#else
#define EXPECT_HOST_CRASH(statement) EXPECT_EXIT(statement, ::testing::KilledBySignal(SIGSEGV), "")
#endif

TEST(SandboxRuntimeDeathTest, HostSegfaultOutsideGuestCodeStillKills) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  init_once();
  EXPECT_HOST_CRASH(write_to_forbidden_page());
}

TEST(SandboxRuntimeDeathTest, SegfaultInsideAHostImportStillKills) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  init_once();
  EXPECT_HOST_CRASH({
    Guest guest;
    guest.imports().crash_into = guest.memory();
    (void)call_guest([&] { Z_hostileZ_sleep_in_host(guest.get(), 1); });
  });
}

TEST(SandboxRuntimeDeathTest, TrapOutsideAGuestCallAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  init_once();
  EXPECT_DEATH(wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE), "outside call_guest");
}

TEST(SandboxRuntime, FunctionTypesAreInterned) {
  init_runtime();
  const uint32_t a = wasm_rt_register_func_type(2, 1, WASM_RT_I32, WASM_RT_F64, WASM_RT_I64);
  const uint32_t b = wasm_rt_register_func_type(1, 0, WASM_RT_EXTERNREF);
  EXPECT_NE(a, b);
  EXPECT_NE(a, 0u);  // 0 is the null funcref's type
  EXPECT_EQ(wasm_rt_register_func_type(2, 1, WASM_RT_I32, WASM_RT_F64, WASM_RT_I64), a);
  // Same types, different split between params and results.
  EXPECT_NE(wasm_rt_register_func_type(1, 2, WASM_RT_I32, WASM_RT_F64, WASM_RT_I64), a);
  // Registration from many threads at once agrees on one index per signature.
  std::vector<uint32_t> seen(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&seen, t] {
      uint32_t index = 0;
      for (int i = 0; i < 200; ++i) {
        index = wasm_rt_register_func_type(3, 0, WASM_RT_F32, WASM_RT_F32, WASM_RT_FUNCREF);
      }
      seen[t] = index;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (uint32_t index : seen) EXPECT_EQ(index, seen[0]);
}

TEST(SandboxRuntime, TablesGrowUpToTheirMaximum) {
  init_runtime();
  wasm_rt_funcref_table_t table;
  wasm_rt_allocate_funcref_table(&table, 2, 5);
  EXPECT_EQ(table.size, 2u);
  EXPECT_EQ(table.data[1].func, nullptr);
  const wasm_rt_funcref_t init{7, reinterpret_cast<wasm_rt_function_ptr_t>(&init_once), nullptr};
  EXPECT_EQ(wasm_rt_grow_funcref_table(&table, 3, init), 2u);
  EXPECT_EQ(table.size, 5u);
  EXPECT_EQ(table.data[4].func_type, 7u);
  EXPECT_EQ(wasm_rt_grow_funcref_table(&table, 1, init), UINT32_MAX);
  wasm_rt_free_funcref_table(&table);
  EXPECT_EQ(table.data, nullptr);

  wasm_rt_externref_table_t refs;
  wasm_rt_allocate_externref_table(&refs, 0, UINT32_MAX);
  int object = 0;
  EXPECT_EQ(wasm_rt_grow_externref_table(&refs, 4, &object), 0u);
  EXPECT_EQ(refs.data[3], &object);
  wasm_rt_free_externref_table(&refs);
}

TEST(SandboxRuntime, ExceptionStateIsPerThread) {
  init_runtime();
  const uint32_t tag = wasm_rt_register_tag(8);
  EXPECT_NE(wasm_rt_register_tag(8), tag);
  const uint64_t payload = 0x1122334455667788u;
  wasm_rt_load_exception(tag, sizeof payload, &payload);
  EXPECT_EQ(wasm_rt_exception_tag(), tag);
  ASSERT_EQ(wasm_rt_exception_size(), sizeof payload);
  EXPECT_EQ(std::memcmp(wasm_rt_exception(), &payload, sizeof payload), 0);
  std::thread other([] { EXPECT_EQ(wasm_rt_exception_size(), 0u); });
  other.join();
  // A throw with no catching try block in the guest is a trap.
  EXPECT_EQ(call_guest([] { wasm_rt_throw(); }), TrapKind::kOther);
}

TEST(SandboxRuntime, TrapKindNames) {
  EXPECT_EQ(trap_kind_name(TrapKind::kNone), "none");
  EXPECT_EQ(trap_kind_name(TrapKind::kOutOfBounds), "out_of_bounds");
  EXPECT_EQ(trap_kind_name(TrapKind::kStackExhausted), "stack_exhausted");
  EXPECT_EQ(trap_kind_name(TrapKind::kTimeout), "timeout");
  EXPECT_EQ(trap_kind_name(TrapKind::kIndirectCall), "indirect_call");
  EXPECT_TRUE(must_discard(TrapKind::kTimeout));
  EXPECT_FALSE(must_discard(TrapKind::kNone));
}

}  // namespace
}  // namespace riptide::sandbox
