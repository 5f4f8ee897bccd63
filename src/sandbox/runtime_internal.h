#pragma once
// Shared between sandbox/runtime.cc (calls, signals, watchdog) and sandbox/wasm_rt.cc (the
// wasm-rt.h functions). Not for use outside riptide_wasm_rt.

#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sandbox/runtime.h"

namespace riptide::sandbox::detail {

// Everything the runtime knows about one thread. Created the first time the thread calls a guest
// (or uses a runtime function that needs it), deleted when the thread exits. The signal handlers
// reach it through a thread_local pointer; fields they read are atomics or are written only by
// the owning thread outside any handler.
struct ThreadState {
  sigjmp_buf jump;
  // True between enter_guest and the end of the call (a longjmp target exists).
  std::atomic<bool> in_guest{false};
  // Nesting of HostImportScope / RuntimeScope on this thread during a call.
  std::atomic<uint32_t> import_depth{0};
  std::atomic<uint32_t> runtime_depth{0};
  // Each call gets a new id; the watchdog stores the id of the call it found past its deadline
  // in expired_call, so a late signal can never hit the thread's next call.
  std::atomic<uint64_t> call_id{0};
  std::atomic<uint64_t> expired_call{0};
  bool in_call = false;
  // Set when a trap came from a signal handler: the signals must be unblocked again.
  bool trap_from_signal = false;
  Deadline deadline = kNoDeadline;
  // The thread's native stack [stack_lo, stack_hi), for telling stack exhaustion from OOB.
  uintptr_t stack_lo = 0;
  uintptr_t stack_hi = 0;
  // The alternate signal stack we installed (null if the thread already had one).
  void* alt_stack = nullptr;
  size_t alt_stack_bytes = 0;
  // Watchdog list links (guarded by the watchdog's mutex).
  ThreadState* watch_prev = nullptr;
  ThreadState* watch_next = nullptr;
  bool watched = false;
  unsigned long pthread = 0;  // pthread_t
  // wasm exception handling (wasm-rt.h): the active exception and the unwind target.
  jmp_buf* unwind_target = nullptr;
  uint32_t exception_tag = 0;
  std::vector<uint8_t> exception_data;
};

// The calling thread's state, created on first use.
ThreadState* thread_state();
// The calling thread's state if it has one (async-signal-safe).
ThreadState* thread_state_if_any();

// Leaves the current guest call with `kind` (longjmp to call_guest). If the thread is in no call,
// a trap is a host bug: prints `kind` and aborts.
[[noreturn]] void trap(TrapKind kind);

// Traps with kTimeout if the watchdog marked the current call expired while the thread could not
// be interrupted. Called when a HostImportScope or RuntimeScope ends.
void trap_if_expired(ThreadState* state);

// Marks a runtime function (memory/table allocation and growth, exception state): no timeout
// interrupts it (it may be mid-mmap or mid-malloc), a fault in it is a host crash; a timeout that
// came meanwhile traps when the outermost scope ends.
class RuntimeScope {
 public:
  RuntimeScope() noexcept : state_(thread_state_if_any()) {
    if (state_ != nullptr) state_->runtime_depth.fetch_add(1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
  ~RuntimeScope() {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (state_ != nullptr && state_->runtime_depth.fetch_sub(1, std::memory_order_relaxed) == 1) {
      trap_if_expired(state_);
    }
  }
  RuntimeScope(const RuntimeScope&) = delete;
  RuntimeScope& operator=(const RuntimeScope&) = delete;

 private:
  ThreadState* state_;
};

// Is `address` inside a live memory reservation? Lock-free and async-signal-safe.
bool in_memory_reservation(uintptr_t address);

// wasm_rt_is_initialized() is true from here on (called by init_runtime).
void mark_runtime_initialized();

}  // namespace riptide::sandbox::detail
