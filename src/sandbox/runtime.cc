// Guarded guest calls: per-thread state, the SIGSEGV/SIGBUS and timeout handlers, the watchdog.
// The design is described in sandbox/runtime.h.

#include "sandbox/runtime.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "sandbox/runtime_internal.h"

namespace riptide::sandbox {
namespace {

using detail::ThreadState;

// A fault this close below the lowest address of the thread's stack is stack exhaustion: the
// kernel's stack guard gap is 1 MiB (256 pages) by default, glibc's thread guard one page, and
// -fstack-clash-protection keeps the generated code's probes within a page of the stack pointer.
constexpr uintptr_t kStackGuardWindow = uintptr_t{1} << 20;
constexpr uintptr_t kStackTopSlack = uintptr_t{64} * 1024;
constexpr size_t kAltStackBytes = size_t{64} * 1024;

// The signal handlers read this pointer, so it must not need lazy TLS allocation.
thread_local ThreadState* tls_state __attribute__((tls_model("initial-exec"))) = nullptr;

// Owns the thread's state; its destructor runs when the thread exits.
struct ThreadStateOwner {
  ThreadState* state = nullptr;
  ~ThreadStateOwner() {
    if (state == nullptr) return;
    tls_state = nullptr;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (state->alt_stack != nullptr) {
      stack_t disable{};
      disable.ss_flags = SS_DISABLE;
      sigaltstack(&disable, nullptr);
      munmap(state->alt_stack, state->alt_stack_bytes);
    }
    delete state;
  }
};
thread_local ThreadStateOwner tls_owner;

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;
int g_timeout_signal = 0;
std::once_flag g_init_once;

// Gives the thread an alternate signal stack unless it already has one, so the fault handler can
// run when the native stack itself is exhausted. A guard page below it catches handler overflow.
void install_alt_stack(ThreadState* state) {
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) return;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const long min_bytes = sysconf(_SC_SIGSTKSZ);
  const size_t bytes =
      std::max(kAltStackBytes, min_bytes > 0 ? 4 * static_cast<size_t>(min_bytes) : size_t{0});
  void* mem =
      mmap(nullptr, bytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return;  // Then a native stack overflow kills the process.
  mprotect(mem, page, PROT_NONE);
  stack_t stack{};
  stack.ss_sp = static_cast<char*>(mem) + page;
  stack.ss_size = bytes;
  if (sigaltstack(&stack, nullptr) != 0) {
    munmap(mem, bytes + page);
    return;
  }
  state->alt_stack = mem;
  state->alt_stack_bytes = bytes + page;
}

ThreadState* create_thread_state() {
  auto* state = new ThreadState;
  state->pthread = pthread_self();
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* stack_addr = nullptr;
    size_t stack_bytes = 0;
    if (pthread_attr_getstack(&attr, &stack_addr, &stack_bytes) == 0) {
      state->stack_lo = reinterpret_cast<uintptr_t>(stack_addr);
      state->stack_hi = state->stack_lo + stack_bytes;
    }
    pthread_attr_destroy(&attr);
  }
  install_alt_stack(state);
  // Servers often block every signal in worker threads (leaving them to one sigwait thread). A
  // blocked SIGSEGV would turn a guest's out-of-bounds access into a kill, a blocked timeout
  // signal would let a guest run forever: a thread that runs guests must take both.
  sigset_t needed;
  sigemptyset(&needed);
  sigaddset(&needed, SIGSEGV);
  sigaddset(&needed, SIGBUS);
  sigaddset(&needed, timeout_signal());
  pthread_sigmask(SIG_UNBLOCK, &needed, nullptr);
  tls_owner.state = state;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tls_state = state;
  return state;
}

bool near_stack_limit(const ThreadState* state, uintptr_t address) {
  if (state->stack_lo == 0) return false;
  return address < state->stack_lo + kStackTopSlack &&
         address + kStackGuardWindow >= state->stack_lo;
}

bool interruptible(const ThreadState* state) {
  return state->in_guest.load(std::memory_order_relaxed) &&
         state->import_depth.load(std::memory_order_relaxed) == 0 &&
         state->runtime_depth.load(std::memory_order_relaxed) == 0;
}

[[noreturn]] void jump_from_signal(ThreadState* state, TrapKind kind) {
  state->in_guest.store(false, std::memory_order_relaxed);
  state->trap_from_signal = true;
  siglongjmp(state->jump, static_cast<int>(kind));
}

// Not a guest trap: let whoever handled the signal before us decide. With no previous handler the
// default action is restored; a real fault then repeats when the handler returns and kills the
// process with the right signal and context, a signal sent by kill() is raised again.
void forward_fault(int signal_number, siginfo_t* info, void* context) {
  const struct sigaction& previous = signal_number == SIGBUS ? g_previous_bus : g_previous_segv;
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(signal_number, info, context);
    return;
  }
  if ((previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler != SIG_DFL &&
      previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signal_number);
    return;
  }
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(signal_number, &default_action, nullptr);
  if (info->si_code <= 0) raise(signal_number);
}

void on_fault(int signal_number, siginfo_t* info, void* context) {
  ThreadState* state = tls_state;
  if (state != nullptr && interruptible(state)) {
    const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    if (near_stack_limit(state, address)) jump_from_signal(state, TrapKind::kStackExhausted);
    if (detail::in_memory_reservation(address)) jump_from_signal(state, TrapKind::kOutOfBounds);
  }
  forward_fault(signal_number, info, context);
}

void on_timeout(int, siginfo_t*, void*) {
  ThreadState* state = tls_state;
  if (state == nullptr) return;
  // A signal meant for an earlier call of this thread, or one that found the thread in a host
  // import or runtime function (then the scope's end traps): nothing to do here.
  if (state->expired_call.load(std::memory_order_acquire) !=
      state->call_id.load(std::memory_order_relaxed)) {
    return;
  }
  if (interruptible(state)) jump_from_signal(state, TrapKind::kTimeout);
}

int pick_timeout_signal() {
  // The first real-time signal nobody else handles, leaving SIGRTMIN..+1 to others by convention.
  for (int candidate = SIGRTMIN + 2; candidate <= SIGRTMAX; ++candidate) {
    struct sigaction current {};
    if (sigaction(candidate, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) == 0 &&
        current.sa_handler == SIG_DFL) {
      return candidate;
    }
  }
  std::fprintf(stderr, "riptide sandbox: no free real-time signal for the watchdog\n");
  std::abort();
}

void install_handlers() {
  g_timeout_signal = pick_timeout_signal();
  struct sigaction fault {};
  fault.sa_sigaction = on_fault;
  fault.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&fault.sa_mask);
  sigaddset(&fault.sa_mask, g_timeout_signal);
  sigaction(SIGSEGV, &fault, &g_previous_segv);
  sigaction(SIGBUS, &fault, &g_previous_bus);

  struct sigaction timeout {};
  timeout.sa_sigaction = on_timeout;
  timeout.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESTART;
  sigemptyset(&timeout.sa_mask);
  sigaction(g_timeout_signal, &timeout, nullptr);
}

// The single watchdog thread. Threads in a call with a deadline are linked into a list; the
// watchdog sleeps until the earliest deadline, then marks each expired call and signals its
// thread when it is in guest code (never in a host import or runtime function: those trap when
// they end). Started on the first call with a deadline; lives until the process exits.
class Watchdog {
 public:
  void watch(ThreadState* state) {
    std::lock_guard<std::mutex> lock(mutex_);
    state->watch_prev = nullptr;
    state->watch_next = head_;
    if (head_ != nullptr) head_->watch_prev = state;
    head_ = state;
    state->watched = true;
    if (!started_) {
      started_ = true;
      std::thread([this] { run(); }).detach();
    } else if (state->deadline < wake_) {
      wake_ = state->deadline;
      wakeup_.notify_one();
    }
  }

  void unwatch(ThreadState* state) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state->watch_prev != nullptr) state->watch_prev->watch_next = state->watch_next;
    if (state->watch_next != nullptr) state->watch_next->watch_prev = state->watch_prev;
    if (head_ == state) head_ = state->watch_next;
    state->watch_prev = state->watch_next = nullptr;
    state->watched = false;
  }

 private:
  void run() {
    // This thread never runs guests; keep the timeout signal away from it.
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, g_timeout_signal);
    pthread_sigmask(SIG_BLOCK, &block, nullptr);
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      const Deadline now = std::chrono::steady_clock::now();
      Deadline next = kNoDeadline;
      for (ThreadState* state = head_; state != nullptr; state = state->watch_next) {
        const uint64_t call = state->call_id.load(std::memory_order_relaxed);
        if (state->expired_call.load(std::memory_order_relaxed) == call) continue;
        if (state->deadline > now) {
          next = std::min(next, state->deadline);
          continue;
        }
        state->expired_call.store(call, std::memory_order_release);
        // The thread cannot leave its call (unwatch needs the mutex), so it still exists.
        if (interruptible(state)) pthread_kill(state->pthread, g_timeout_signal);
      }
      wake_ = next;
      if (next == kNoDeadline) {
        wakeup_.wait(lock);
      } else {
        wakeup_.wait_until(lock, next);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wakeup_;
  ThreadState* head_ = nullptr;
  Deadline wake_ = kNoDeadline;
  bool started_ = false;
};

Watchdog& watchdog() {
  static Watchdog* instance = new Watchdog();  // never destroyed: its thread outlives main
  return *instance;
}

}  // namespace

std::string_view trap_kind_name(TrapKind kind) {
  switch (kind) {
    case TrapKind::kNone:
      return "none";
    case TrapKind::kOutOfBounds:
      return "out_of_bounds";
    case TrapKind::kUnreachable:
      return "unreachable";
    case TrapKind::kStackExhausted:
      return "stack_exhausted";
    case TrapKind::kTimeout:
      return "timeout";
    case TrapKind::kIntOverflow:
      return "int_overflow";
    case TrapKind::kDivByZero:
      return "div_by_zero";
    case TrapKind::kInvalidConversion:
      return "invalid_conversion";
    case TrapKind::kIndirectCall:
      return "indirect_call";
    case TrapKind::kOther:
      return "other";
  }
  return "other";
}

void init_runtime() {
  std::call_once(g_init_once, [] {
    install_handlers();
    detail::mark_runtime_initialized();
  });
}

int timeout_signal() {
  init_runtime();
  return g_timeout_signal;
}

HostImportScope::HostImportScope() noexcept : state_(tls_state) {
  if (state_ == nullptr || !state_->in_call) {
    state_ = nullptr;
    return;
  }
  state_->import_depth.fetch_add(1, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

HostImportScope::~HostImportScope() {
  if (state_ == nullptr) return;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (state_->import_depth.fetch_sub(1, std::memory_order_relaxed) == 1) {
    detail::trap_if_expired(state_);
  }
}

void trap_guest(TrapKind kind) {
  detail::trap(kind);
}

namespace detail {

ThreadState* thread_state() {
  ThreadState* state = tls_state;
  return state != nullptr ? state : create_thread_state();
}

ThreadState* thread_state_if_any() {
  return tls_state;
}

void trap(TrapKind kind) {
  ThreadState* state = tls_state;
  if (state == nullptr || !state->in_call || !state->in_guest.load(std::memory_order_relaxed)) {
    std::fprintf(stderr, "riptide sandbox: guest trap (%s) outside call_guest\n",
                 trap_kind_name(kind).data());
    std::abort();
  }
  state->in_guest.store(false, std::memory_order_relaxed);
  siglongjmp(state->jump, static_cast<int>(kind));
}

void trap_if_expired(ThreadState* state) {
  if (state->in_call && interruptible(state) &&
      state->expired_call.load(std::memory_order_acquire) ==
          state->call_id.load(std::memory_order_relaxed)) {
    trap(TrapKind::kTimeout);
  }
}

sigjmp_buf* begin_guest_call(Deadline deadline) {
  ThreadState* state = thread_state();
  if (state->in_call) {
    std::fprintf(stderr, "riptide sandbox: nested call_guest on one thread\n");
    std::abort();
  }
  state->in_call = true;
  state->trap_from_signal = false;
  state->unwind_target = nullptr;
  state->deadline = deadline;
  state->call_id.store(state->call_id.load(std::memory_order_relaxed) + 1,
                       std::memory_order_relaxed);
  if (deadline != kNoDeadline) watchdog().watch(state);
  return &state->jump;
}

void enter_guest() {
  ThreadState* state = tls_state;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  state->in_guest.store(true, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (state->deadline != kNoDeadline && std::chrono::steady_clock::now() >= state->deadline) {
    trap(TrapKind::kTimeout);
  }
}

TrapKind end_guest_call(int jump_result) {
  ThreadState* state = tls_state;
  state->in_guest.store(false, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (state->watched) watchdog().unwatch(state);
  if (state->trap_from_signal) {
    // sigsetjmp(buf, 0) does not restore the mask: unblock what the handler's entry blocked.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGSEGV);
    sigaddset(&unblock, SIGBUS);
    sigaddset(&unblock, g_timeout_signal);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    state->trap_from_signal = false;
  }
  state->import_depth.store(0, std::memory_order_relaxed);
  state->runtime_depth.store(0, std::memory_order_relaxed);
  state->unwind_target = nullptr;
  state->in_call = false;
  return jump_result == 0 ? TrapKind::kNone : static_cast<TrapKind>(jump_result);
}

}  // namespace detail
}  // namespace riptide::sandbox
