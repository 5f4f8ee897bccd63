#include "sandbox/breaker.h"

#include <algorithm>
#include <utility>

namespace riptide::sandbox {

std::string_view breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(const BreakerConfig& config, Clock clock, Listener listener)
    : config_(config), clock_(std::move(clock)), listener_(std::move(listener)) {
  config_.failure_threshold = std::max<uint32_t>(config_.failure_threshold, 1);
  config_.half_open_max_requests = std::max<uint32_t>(config_.half_open_max_requests, 1);
  config_.success_threshold = std::max<uint32_t>(config_.success_threshold, 1);
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

void CircuitBreaker::transition_locked(BreakerState to, std::chrono::steady_clock::time_point now) {
  state_ = to;
  ++generation_;
  failures_.clear();
  trials_in_flight_ = 0;
  trial_successes_ = 0;
  if (to == BreakerState::kOpen) opened_at_ = now;
  if (listener_) listener_(to);
}

void CircuitBreaker::advance_locked(std::chrono::steady_clock::time_point now) {
  if (state_ == BreakerState::kOpen && now - opened_at_ >= config_.recovery_timeout) {
    transition_locked(BreakerState::kHalfOpen, now);
  }
}

void CircuitBreaker::prune_locked(std::chrono::steady_clock::time_point now) {
  while (!failures_.empty() && now - failures_.front() >= config_.window) failures_.pop_front();
}

std::optional<CircuitBreaker::Permit> CircuitBreaker::allow() {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mutex_);
  advance_locked(now);
  switch (state_) {
    case BreakerState::kClosed:
      return Permit{generation_, false};
    case BreakerState::kOpen:
      return std::nullopt;
    case BreakerState::kHalfOpen:
      if (trials_in_flight_ >= config_.half_open_max_requests) return std::nullopt;
      ++trials_in_flight_;
      return Permit{generation_, true};
  }
  return std::nullopt;
}

void CircuitBreaker::record(const Permit& permit, Outcome outcome) {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mutex_);
  // Admitted under a state that has since ended: its outcome belongs to that state.
  if (permit.generation != generation_) return;
  if (permit.trial) {
    // Same generation and a trial permit: the breaker is still half-open.
    --trials_in_flight_;
    if (outcome == Outcome::kFailure) {
      transition_locked(BreakerState::kOpen, now);
    } else if (outcome == Outcome::kSuccess && ++trial_successes_ >= config_.success_threshold) {
      transition_locked(BreakerState::kClosed, now);
    }
    return;
  }
  if (state_ != BreakerState::kClosed || outcome != Outcome::kFailure) return;
  prune_locked(now);
  failures_.push_back(now);
  if (failures_.size() >= config_.failure_threshold) transition_locked(BreakerState::kOpen, now);
}

BreakerState CircuitBreaker::state() {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mutex_);
  advance_locked(now);
  return state_;
}

uint32_t CircuitBreaker::recent_failures() {
  auto now = clock_();
  std::lock_guard<std::mutex> lock(mutex_);
  prune_locked(now);
  return static_cast<uint32_t>(failures_.size());
}

}  // namespace riptide::sandbox
