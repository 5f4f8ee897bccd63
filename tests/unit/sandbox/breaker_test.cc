#include "sandbox/breaker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

namespace riptide::sandbox {
namespace {

using std::chrono::milliseconds;
using Outcome = CircuitBreaker::Outcome;

// A manual clock: time moves only when the test says so.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
  CircuitBreaker::Clock fn() {
    return [this] { return now; };
  }
  void advance(milliseconds d) { now += d; }
};

BreakerConfig config() {
  BreakerConfig c;
  c.failure_threshold = 3;
  c.window = milliseconds(1000);
  c.recovery_timeout = milliseconds(500);
  c.half_open_max_requests = 2;
  c.success_threshold = 2;
  return c;
}

void fail_once(CircuitBreaker& breaker) {
  std::optional<CircuitBreaker::Permit> permit = breaker.allow();
  ASSERT_TRUE(permit.has_value());
  breaker.record(*permit, Outcome::kFailure);
}

void open_breaker(CircuitBreaker& breaker, uint32_t failures) {
  for (uint32_t i = 0; i < failures; ++i) fail_once(breaker);
  ASSERT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(Breaker, StateNames) {
  EXPECT_EQ(breaker_state_name(BreakerState::kClosed), "closed");
  EXPECT_EQ(breaker_state_name(BreakerState::kOpen), "open");
  EXPECT_EQ(breaker_state_name(BreakerState::kHalfOpen), "half_open");
}

TEST(Breaker, ClosedAdmitsAndStaysClosedBelowThreshold) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  fail_once(breaker);
  fail_once(breaker);
  EXPECT_EQ(breaker.recent_failures(), 2u);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  auto permit = breaker.allow();
  ASSERT_TRUE(permit.has_value());
  EXPECT_FALSE(permit->trial);
}

TEST(Breaker, OpensAtThresholdWithinWindowAndRejects) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  fail_once(breaker);
  clock.advance(milliseconds(400));
  fail_once(breaker);
  clock.advance(milliseconds(400));
  fail_once(breaker);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_FALSE(breaker.allow().has_value());
}

TEST(Breaker, FailuresOlderThanWindowDoNotCount) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  fail_once(breaker);
  fail_once(breaker);
  clock.advance(milliseconds(1000));  // both are now exactly one window old
  fail_once(breaker);
  EXPECT_EQ(breaker.recent_failures(), 1u);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  fail_once(breaker);
  fail_once(breaker);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(Breaker, SuccessesDoNotEraseFailuresInTheWindow) {
  // The window counts failures, not a failure ratio: a burst of traps opens the breaker even
  // when healthy pages are extracted in between.
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  for (int i = 0; i < 2; ++i) {
    fail_once(breaker);
    auto ok = breaker.allow();
    ASSERT_TRUE(ok.has_value());
    breaker.record(*ok, Outcome::kSuccess);
  }
  fail_once(breaker);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

TEST(Breaker, IgnoredOutcomesAreNotFailures) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  for (int i = 0; i < 10; ++i) {
    auto permit = breaker.allow();
    ASSERT_TRUE(permit.has_value());
    breaker.record(*permit, Outcome::kIgnored);
  }
  EXPECT_EQ(breaker.recent_failures(), 0u);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(Breaker, HalfOpenOnlyAfterRecoveryTimeout) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(499));
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_FALSE(breaker.allow().has_value());
  clock.advance(milliseconds(1));
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
}

TEST(Breaker, HalfOpenLimitsTrialsInFlight) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  auto first = breaker.allow();
  auto second = breaker.allow();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(first->trial);
  EXPECT_TRUE(second->trial);
  EXPECT_FALSE(breaker.allow().has_value()) << "a third trial while two are in flight";
  // A trial that never reached the sandbox frees its slot without counting.
  breaker.record(*first, Outcome::kIgnored);
  auto third = breaker.allow();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
}

TEST(Breaker, ClosesAfterSuccessThreshold) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  auto a = breaker.allow();
  ASSERT_TRUE(a.has_value());
  breaker.record(*a, Outcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  auto b = breaker.allow();
  ASSERT_TRUE(b.has_value());
  breaker.record(*b, Outcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  // Closed again with a clean window: it takes the full threshold to reopen.
  EXPECT_EQ(breaker.recent_failures(), 0u);
  fail_once(breaker);
  fail_once(breaker);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(Breaker, SuccessThresholdAboveTrialLimitStillCloses) {
  // Trials are limited in flight, not in total, so sequential trials can reach any threshold.
  FakeClock clock;
  BreakerConfig c = config();
  c.half_open_max_requests = 1;
  c.success_threshold = 4;
  CircuitBreaker breaker(c, clock.fn());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
    auto p = breaker.allow();
    ASSERT_TRUE(p.has_value());
    breaker.record(*p, Outcome::kSuccess);
  }
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(Breaker, FailedTrialReopensAndRestartsRecoveryTimer) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  auto ok = breaker.allow();
  auto bad = breaker.allow();
  ASSERT_TRUE(ok.has_value());
  ASSERT_TRUE(bad.has_value());
  breaker.record(*ok, Outcome::kSuccess);
  clock.advance(milliseconds(100));
  breaker.record(*bad, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  clock.advance(milliseconds(499));
  EXPECT_EQ(breaker.state(), BreakerState::kOpen) << "recovery counts from the reopening";
  clock.advance(milliseconds(1));
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  // The success from the previous half-open period does not carry over.
  auto again = breaker.allow();
  ASSERT_TRUE(again.has_value());
  breaker.record(*again, Outcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
}

TEST(Breaker, OutcomesFromAnEndedStateChangeNothing) {
  FakeClock clock;
  CircuitBreaker breaker(config(), clock.fn());
  // A slow call admitted while closed...
  auto slow = breaker.allow();
  ASSERT_TRUE(slow.has_value());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  auto trial = breaker.allow();
  ASSERT_TRUE(trial.has_value());
  // ...fails after the breaker went half-open: it is not a failed trial.
  breaker.record(*slow, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  breaker.record(*trial, Outcome::kSuccess);
  auto trial2 = breaker.allow();
  ASSERT_TRUE(trial2.has_value());
  breaker.record(*trial2, Outcome::kSuccess);
  ASSERT_EQ(breaker.state(), BreakerState::kClosed);
  // A trial permit reported after the breaker closed does not reopen it either.
  breaker.record(*trial, Outcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  EXPECT_EQ(breaker.recent_failures(), 0u);
}

TEST(Breaker, ListenerSeesEveryTransitionInOrder) {
  FakeClock clock;
  std::vector<BreakerState> seen;
  CircuitBreaker breaker(config(), clock.fn(), [&seen](BreakerState s) { seen.push_back(s); });
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  auto t = breaker.allow();
  ASSERT_TRUE(t.has_value());
  breaker.record(*t, Outcome::kFailure);
  clock.advance(milliseconds(500));
  for (int i = 0; i < 2; ++i) {
    auto p = breaker.allow();
    ASSERT_TRUE(p.has_value());
    breaker.record(*p, Outcome::kSuccess);
  }
  std::vector<BreakerState> want = {BreakerState::kOpen, BreakerState::kHalfOpen,
                                    BreakerState::kOpen, BreakerState::kHalfOpen,
                                    BreakerState::kClosed};
  EXPECT_EQ(seen, want);
}

TEST(Breaker, ZeroSettingsAreTreatedAsOne) {
  FakeClock clock;
  BreakerConfig c{};
  c.failure_threshold = 0;
  c.half_open_max_requests = 0;
  c.success_threshold = 0;
  c.recovery_timeout = milliseconds(10);
  CircuitBreaker breaker(c, clock.fn());
  open_breaker(breaker, 1);
  clock.advance(milliseconds(10));
  auto t = breaker.allow();
  ASSERT_TRUE(t.has_value());
  EXPECT_FALSE(breaker.allow().has_value());
  breaker.record(*t, Outcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST(Breaker, ConcurrentTrialsNeverExceedTheLimit) {
  FakeClock clock;
  BreakerConfig c = config();
  c.success_threshold = 1'000'000;  // stay half-open for the whole test
  CircuitBreaker breaker(c, clock.fn());
  open_breaker(breaker, 3);
  clock.advance(milliseconds(500));
  std::atomic<int> in_flight{0};
  std::atomic<int> worst{0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        auto p = breaker.allow();
        if (!p) continue;
        int now = ++in_flight;
        int prev = worst.load();
        while (now > prev && !worst.compare_exchange_weak(prev, now)) {
        }
        ++admitted;
        --in_flight;
        breaker.record(*p, i % 2 == 0 ? Outcome::kSuccess : Outcome::kIgnored);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(worst.load(), 2);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
}

}  // namespace
}  // namespace riptide::sandbox
