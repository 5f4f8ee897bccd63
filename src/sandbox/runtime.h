#pragma once
// The host side of running wasm2c-translated guest code: traps, the watchdog, host imports and
// per-memory limits. Together with sandbox/wasm_rt.cc (our implementation of every function
// Debian's /usr/include/wasm-rt.h declares; libwasm-rt-impl.a is never linked) this is the
// riptide_wasm_rt library.
//
// How a guest call is guarded
//   call_guest(fn, deadline) takes a sigsetjmp(buf, 0) into the calling thread's jump buffer,
//   marks the thread "in guest" and arms the watchdog, then runs fn (which calls a wasm2c export).
//   Every way the guest can stop abnormally longjmps back there and call_guest returns the
//   TrapKind; kNone means fn returned normally. After any other value the instance is poisoned
//   (its memory, globals and shadow stack are mid-update) and must be freed, never called again.
//   - wasm2c's explicit checks call wasm_rt_trap (unreachable, division by zero, integer overflow,
//     invalid conversion, call_indirect mismatch, uncaught exception).
//   - Loads and stores are not bounds-checked by the generated code: each memory reserves
//     8 GiB + 4 KiB of address space (4 GiB of index + up to 4 GiB of static offset), only the
//     first `pages` are readable, and the SIGSEGV/SIGBUS handler turns a fault inside a
//     reservation into kOutOfBounds. A guest shadow-stack overflow is one of these: with
//     --stack-first the stack pointer runs below address 0, wraps to ~4 GiB and faults.
//   - Deep guest recursion exhausts the native stack: a fault within 1 MiB below the thread's
//     stack is kStackExhausted. The handler runs on a per-thread sigaltstack, installed the first
//     time a thread calls a guest and released when the thread exits.
//   - The watchdog thread sends timeout_signal() to a thread whose call is past its deadline; the
//     handler longjmps with kTimeout.
//   A SIGSEGV/SIGBUS anywhere else — host code, a host import (HostImportScope), the runtime's own
//   functions, or guest code touching memory that is no reservation — is a host bug: the handler
//   hands the signal to the previously installed handler (default action: the process dies).
//
// Signals and masks: handlers are installed with SA_NODEFER | SA_ONSTACK | SA_SIGINFO, and
// sigsetjmp(buf, 0) does not save the signal mask (no syscall per call). After a trap raised from
// a signal handler, call_guest unblocks the three signals explicitly. The first guest call on a
// thread unblocks them too (servers often block every signal in worker threads); do not block
// them again on a thread that runs guests.
//
// Timeouts never interrupt a host import or the runtime's own functions (memory grow/allocate,
// table grow, exception state): if the deadline passes there, the thread is only marked expired
// and traps with kTimeout as soon as it is back in guest code (when the HostImportScope or the
// runtime function ends).
//
// Threads: all trap state is thread-local; call_guest may run on many threads at once, but not
// nested on one thread (a host import must not call back into a guest; a nested call aborts).
// Global state, kept to what the wasm-rt.h API forces: the function-type registry, the tag
// counter, the table of live memory reservations the fault handler consults (lock-free), the
// reservation cache, the watchdog, the saved handlers, the prefault switch and its counters.
//
// Instantiation (Z_<module>_instantiate) allocates memory and tables and may trap when the
// address space is exhausted; call it inside call_guest like any export. Outside call_guest a
// trap is a host bug and aborts the process with a message.

#include <chrono>
#include <csetjmp>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "wasm-rt.h"

namespace riptide::sandbox {

enum class TrapKind : uint8_t {
  kNone,
  kOutOfBounds,        // memory or table access out of bounds, guest stack overflow
  kUnreachable,        // `unreachable` (__builtin_trap, abort in the guest)
  kStackExhausted,     // native stack exhausted by deep guest recursion
  kTimeout,            // the call's deadline passed (watchdog)
  kIntOverflow,        // INT_MIN / -1, out-of-range float → int truncation
  kDivByZero,          // integer division or remainder by zero
  kInvalidConversion,  // NaN → int truncation
  kIndirectCall,       // call_indirect: null entry, index out of range or signature mismatch
  kOther,              // uncaught wasm exception, memory/table allocation failure
};

// "none", "out_of_bounds", "unreachable", "stack_exhausted", "timeout", "int_overflow",
// "div_by_zero", "invalid_conversion", "indirect_call", "other". The view is static.
std::string_view trap_kind_name(TrapKind kind);

// Installs the SIGSEGV/SIGBUS and timeout-signal handlers once per process (thread-safe,
// idempotent); wasm_rt_init() calls it too. Call before the first Z_<module>_init_module.
void init_runtime();

// The real-time signal the watchdog uses to interrupt a guest past its deadline.
int timeout_signal();

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

namespace detail {
struct ThreadState;
// The pieces of call_guest that need no inlining; see call_guest. begin_guest_call returns the
// calling thread's jump buffer (aborts on a nested call); enter_guest marks the thread in guest
// (after the sigsetjmp, so no signal can longjmp to a buffer not yet set); end_guest_call
// disarms the watchdog and turns the sigsetjmp result into the TrapKind.
sigjmp_buf* begin_guest_call(Deadline deadline);
void enter_guest();
TrapKind end_guest_call(int jump_result);
}  // namespace detail

// Runs fn() (typically one wasm2c export call whose result fn stores through a captured
// reference) guarded against traps, with an optional deadline. fn must not own objects with
// non-trivial destructors across the guest call: a trap longjmps over its frame.
template <class F>
[[nodiscard]] TrapKind call_guest(F&& fn, Deadline deadline = kNoDeadline) {
  sigjmp_buf* jump = detail::begin_guest_call(deadline);
  const int jump_result = sigsetjmp(*jump, 0);
  if (jump_result == 0) {
    detail::enter_guest();
    std::forward<F>(fn)();
  }
  return detail::end_guest_call(jump_result);
}

// Any trap poisons the instance: discard it.
inline bool must_discard(TrapKind kind) {
  return kind != TrapKind::kNone;
}

// RAII marker for the body of a host import (a function the guest calls, e.g. WASI's fd_write).
// While one is alive on the current thread, the watchdog never interrupts it, and a SIGSEGV is a
// host crash, not a guest trap. Make it the FIRST local of the import function: if the deadline
// passed during the import, its destructor traps with kTimeout (a longjmp back to call_guest), and
// only locals constructed before it would be skipped. Outside call_guest it does nothing.
class HostImportScope {
 public:
  HostImportScope() noexcept;
  ~HostImportScope();
  HostImportScope(const HostImportScope&) = delete;
  HostImportScope& operator=(const HostImportScope&) = delete;

 private:
  detail::ThreadState* state_;  // null outside call_guest
};

// From a host import: abandon the current guest call, which returns `kind` (e.g. the guest handed
// the import an out-of-range pointer: kOutOfBounds). Like a trap it longjmps, so call it only
// when no object with a non-trivial destructor is alive in the import (after the import's scope
// block closed). Outside call_guest it aborts the process (a host bug).
[[noreturn]] void trap_guest(TrapKind kind);

// Per-memory limits and stats, for memories allocated by wasm_rt_allocate_memory.
//
// Lowers the memory's max_pages (its cap for memory.grow) to `max_pages`, never below its current
// size and never above the maximum the module declared (--max-memory). Returns the new cap.
uint32_t set_memory_max_pages(wasm_rt_memory_t* memory, uint32_t max_pages);
// How many memory.grow requests failed (over the cap, or no address space) since allocation.
uint32_t memory_grow_failures(const wasm_rt_memory_t* memory);
// The highest page count a memory may ever reach: 65535, so that `size` (a uint32_t in
// wasm-rt.h 1.0.32) cannot wrap.
inline constexpr uint32_t kMaxMemoryPages = 65535;
// Number of memory reservations currently alive in the process (instances not yet freed).
size_t live_memory_reservations();

// The reservation cache, off (0) by default: wasm_rt_free_memory then unmaps the whole
// reservation. With n > 0, up to n freed reservations are kept for the next allocations instead:
// zeroed, their first 4 MiB still committed, the rest released (MADV_DONTNEED) and inaccessible.
// A reused reservation is indistinguishable to the guest from a fresh one (all zero, exactly
// `initial` pages accessible) but needs no new page faults: on this VM a first page touch costs
// ~16 µs, which makes up most of an extractor instantiation. Lowering n unmaps the excess at once.
// Thread-safe.
void set_memory_cache_size(size_t reservations);
// Reservations currently held by the cache (not counted in live_memory_reservations).
size_t cached_memory_reservations();

// Prefaulting a module's memory at instantiation. On this VM a first touch of a 4 KiB page costs
// ~15 µs (a guest page fault plus VM exits), and instantiating the extractor touches 51 of them
// (the data segment copy): most of a cold instantiation. One madvise(MADV_POPULATE_WRITE) over the
// same pages costs ~1.3 µs per page, after which the first write to each page still costs ~3.3 µs
// (the hypervisor's side, out of the guest's reach): 4.6 µs instead of 15. So the host learns,
// once per module, which pages an instantiation touched (learn_memory_prefault_plan on the first
// instance) and has later instantiations populate exactly those ranges up front
// (MemoryPrefaultScope).
//
// A plan is only a performance hint: populated pages are ordinary zero-filled anonymous pages, the
// same as a first touch would create, so the guest cannot observe whether a plan was applied. A
// kernel without MADV_POPULATE_WRITE (before 5.14: EINVAL) or any other refusal just leaves the
// pages to be faulted in on first touch.
struct MemoryPrefaultPlan {
  // Byte ranges of a memory, host-page aligned, sorted, neither overlapping nor adjacent.
  struct Range {
    uint64_t offset;
    uint64_t bytes;
  };
  std::vector<Range> ranges;

  uint64_t bytes() const;
};

// The pages of `memory` that are resident now (mincore), coalesced into ranges. Learn after the
// first instance of a module is set up, before it runs anything else. Empty when mincore fails or
// when the memory came from the reservation cache (its residency then reflects earlier guests).
MemoryPrefaultPlan learn_memory_prefault_plan(const wasm_rt_memory_t* memory);

// While alive, every memory wasm_rt_allocate_memory creates on this thread (i.e. in the
// Z_<module>_instantiate called meanwhile) in a new reservation is populated according to `plan`,
// clipped to the memory's initial size (a reservation from the cache keeps its pages resident and
// is left alone). `plan` (may be null: no prefault) must outlive the scope. Scopes nest;
// the innermost wins. The plan pointer is thread-local state of the runtime.
class MemoryPrefaultScope {
 public:
  explicit MemoryPrefaultScope(const MemoryPrefaultPlan* plan) noexcept;
  ~MemoryPrefaultScope();
  MemoryPrefaultScope(const MemoryPrefaultScope&) = delete;
  MemoryPrefaultScope& operator=(const MemoryPrefaultScope&) = delete;

 private:
  const MemoryPrefaultPlan* previous_;
};

// Process-wide switch for applying plans, on by default (benchmarks and tests compare both).
void set_memory_prefault_enabled(bool enabled);
// False once the kernel refused MADV_POPULATE_WRITE with EINVAL (no later attempts).
bool memory_prefault_supported();
// Bytes populated by plans since the process started (all threads).
uint64_t memory_prefaulted_bytes();

}  // namespace riptide::sandbox
