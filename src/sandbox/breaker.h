#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "sandbox/config.h"

// A circuit breaker around the sandbox (docs/sandbox.md "Circuit breaker"):
//
//   closed ──failure_threshold failures within `window`──▶ open
//   open ──recovery_timeout elapsed──▶ half-open
//   half-open: at most half_open_max_requests trial calls in flight at once;
//              a failed trial ──▶ open (the recovery timeout starts again)
//              success_threshold successful trials ──▶ closed
//
// Callers ask allow() before each call and report the outcome with record(). A permit carries
// the breaker's generation (bumped on every transition), so an outcome reported after the state
// it was admitted in has ended (a slow call finishing after the breaker opened) changes nothing.
// Thread-safe; the clock is injectable for tests.
namespace riptide::sandbox {

enum class BreakerState : uint8_t { kClosed, kOpen, kHalfOpen };
// "closed" | "open" | "half_open"
std::string_view breaker_state_name(BreakerState state);

class CircuitBreaker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // Called after every transition with the new state, under the breaker's lock: keep it cheap
  // and never call back into the breaker.
  using Listener = std::function<void(BreakerState)>;

  // What a call should count as once it is done.
  enum class Outcome : uint8_t {
    kSuccess,  // the protected component worked (its answer may still be an input error)
    kFailure,  // the component failed (trap, timeout, invalid output, instantiation failure)
    kIgnored,  // the call never reached the component (e.g. no instance was free)
  };

  struct Permit {
    uint64_t generation = 0;
    bool trial = false;  // admitted while half-open
  };

  // `clock` defaults to std::chrono::steady_clock::now. Thresholds and maxima below 1 are
  // treated as 1.
  explicit CircuitBreaker(const BreakerConfig& config, Clock clock = {}, Listener listener = {});

  // A permit when the call may go to the component; nullopt when it must not (open, or
  // half-open with every trial slot taken). May move open → half-open when the recovery
  // timeout has elapsed.
  std::optional<Permit> allow();
  // Reports how an admitted call went. Every permit must be reported exactly once.
  void record(const Permit& permit, Outcome outcome);

  // The current state; open → half-open happens here too once the timeout has elapsed, so the
  // reported state is what the next allow() would see.
  BreakerState state();
  // Failures counted in the current window (closed state), for tests and metrics.
  uint32_t recent_failures();

 private:
  void transition_locked(BreakerState to, std::chrono::steady_clock::time_point now);
  void advance_locked(std::chrono::steady_clock::time_point now);
  void prune_locked(std::chrono::steady_clock::time_point now);

  BreakerConfig config_;
  Clock clock_;
  Listener listener_;
  std::mutex mutex_;
  BreakerState state_ = BreakerState::kClosed;
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point opened_at_{};
  // Times of the failures in the current window, oldest first (at most failure_threshold).
  std::deque<std::chrono::steady_clock::time_point> failures_;
  uint32_t trials_in_flight_ = 0;
  uint32_t trial_successes_ = 0;
};

}  // namespace riptide::sandbox
