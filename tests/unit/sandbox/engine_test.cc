#include "sandbox/engine.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/unit/sandbox/fake_instance.h"
#include "tests/unit/sandbox/metric_value.h"

namespace riptide::sandbox {
namespace {

using std::chrono::milliseconds;
using testing::fake_factory;
using testing::FakeWorld;
using testing::metric_value;

constexpr const char* kPage =
    "<html><head><title>Ferry back in service</title></head><body><article><p>The harbour "
    "ferry resumed its crossings on Monday after three months in dry dock.</p></article>"
    "</body></html>";

// An engine on fake instances with a manual breaker clock.
struct Fixture {
  FakeWorld world;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::chrono::steady_clock::time_point now{std::chrono::seconds(100)};
  std::unique_ptr<Engine> engine;

  explicit Fixture(bool fallback = true) {
    SandboxConfig config;
    config.pool.initial_pool_size = 1;
    config.pool.max_pool_size = 1;
    config.pool.acquire_timeout = milliseconds(20);
    config.breaker.failure_threshold = 2;
    config.breaker.window = milliseconds(10'000);
    config.breaker.recovery_timeout = milliseconds(1000);
    config.breaker.half_open_max_requests = 1;
    config.breaker.success_threshold = 1;
    config.instance.max_input_bytes = 4096;
    config.fallback_enabled = fallback;
    engine =
        std::make_unique<Engine>(config, fake_factory(&world), registry, [this] { return now; });
  }
  Result<Extraction> run(std::string_view page, EngineKind kind = EngineKind::kWasm) {
    return engine->extract(page, extract::Options{}, kind);
  }
  double extractions(const char* engine_name, const char* outcome) {
    return metric_value(*registry, "riptide_sandbox_extractions_total",
                        {{"engine", engine_name}, {"outcome", outcome}});
  }
  void open_breaker() {
    for (int i = 0; i < 2; ++i) ASSERT_FALSE(run("trap").ok());
    ASSERT_EQ(engine->breaker().state(), BreakerState::kOpen);
  }
};

TEST(Engine, ExtractsInTheSandboxByDefault) {
  Fixture f;
  Result<Extraction> out = f.run("hello");
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->engine, EngineKind::kWasm);
  EXPECT_FALSE(out->fallback);
  EXPECT_EQ(out->record.title, "hello");
  EXPECT_EQ(f.world.extractions.load(), 1);
  EXPECT_EQ(f.extractions("wasm", "ok"), 1);
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_extraction_seconds", {{"engine", "wasm"}}),
            1);
}

TEST(Engine, NativeEngineSkipsTheSandbox) {
  Fixture f;
  Result<Extraction> out = f.run(kPage, EngineKind::kNative);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->engine, EngineKind::kNative);
  EXPECT_FALSE(out->fallback);
  EXPECT_EQ(out->record.title, "Ferry back in service");
  EXPECT_EQ(f.world.extractions.load(), 0);
  EXPECT_EQ(f.extractions("native", "ok"), 1);
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_fallbacks_total"), 0);
}

TEST(Engine, TrapIsAnErrorAndNeverRetriedNatively) {
  Fixture f;
  Result<Extraction> out = f.run("trap");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(out.error().message(), "guest trap: out_of_bounds");
  EXPECT_EQ(f.extractions("native", "ok") + f.extractions("native", "error"), 0);
  EXPECT_EQ(f.extractions("wasm", "trap"), 1);
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_traps_total", {{"kind", "out_of_bounds"}}),
            1);
  EXPECT_EQ(f.engine->breaker().recent_failures(), 1u);
  EXPECT_EQ(f.engine->pool().stats().discarded, 1u);
}

TEST(Engine, TimeoutIsAnErrorAndNeverRetriedNatively) {
  Fixture f;
  Result<Extraction> out = f.run("timeout");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(f.extractions("wasm", "timeout"), 1);
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_timeouts_total"), 1);
  EXPECT_EQ(f.extractions("native", "ok"), 0);
  EXPECT_EQ(f.engine->breaker().recent_failures(), 1u);
}

TEST(Engine, InvalidGuestOutputIsAnError) {
  Fixture f;
  Result<Extraction> out = f.run("garbage");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(f.extractions("wasm", "invalid_output"), 1);
  EXPECT_EQ(f.extractions("native", "ok"), 0);
}

TEST(Engine, GuestInputErrorPassesThroughAndIsNoBreakerFailure) {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    Result<Extraction> out = f.run("bad-input");
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code(), ErrorCode::kInvalidInput);
  }
  EXPECT_EQ(f.engine->breaker().state(), BreakerState::kClosed);
  EXPECT_EQ(f.extractions("wasm", "error"), 5);
  EXPECT_EQ(f.engine->pool().stats().discarded, 0u);
}

TEST(Engine, FallsBackToNativeWhileTheBreakerIsOpen) {
  Fixture f;
  f.open_breaker();
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_breaker_state"), 1);
  int guest_calls = f.world.extractions.load();
  Result<Extraction> out = f.run(kPage);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->engine, EngineKind::kNative);
  EXPECT_TRUE(out->fallback);
  EXPECT_EQ(out->record.title, "Ferry back in service");
  EXPECT_EQ(f.world.extractions.load(), guest_calls) << "the guest is not called while open";
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_fallbacks_total"), 1);
  EXPECT_EQ(f.extractions("native", "ok"), 1);
}

TEST(Engine, FailsFastWhenOpenAndFallbackDisabled) {
  Fixture f(/*fallback=*/false);
  f.open_breaker();
  int guest_calls = f.world.extractions.load();
  auto start = std::chrono::steady_clock::now();
  Result<Extraction> out = f.run(kPage);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(out.error().message().find("circuit breaker open"), std::string::npos);
  EXPECT_LT(took, milliseconds(20)) << "no wait for an instance";
  EXPECT_EQ(f.world.extractions.load(), guest_calls);
  EXPECT_EQ(f.extractions("native", "ok"), 0);
  EXPECT_EQ(f.extractions("wasm", "unavailable"), 1);
}

TEST(Engine, RecoversThroughHalfOpenTrial) {
  Fixture f;
  f.open_breaker();
  f.now += milliseconds(1000);
  Result<Extraction> out = f.run("hello");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->engine, EngineKind::kWasm) << "the trial goes to the sandbox";
  EXPECT_EQ(f.engine->breaker().state(), BreakerState::kClosed);
  EXPECT_EQ(metric_value(*f.registry, "riptide_sandbox_breaker_state"), 0);
  EXPECT_EQ(
      metric_value(*f.registry, "riptide_sandbox_breaker_transitions_total", {{"to", "half_open"}}),
      1);
}

TEST(Engine, TrapDuringHalfOpenTrialReopensWithoutNativeRetry) {
  Fixture f;
  f.open_breaker();
  f.now += milliseconds(1000);
  Result<Extraction> out = f.run("trap");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(f.engine->breaker().state(), BreakerState::kOpen);
  EXPECT_EQ(f.extractions("native", "ok"), 0);
}

TEST(Engine, PoolExhaustedIsUnavailableNotABreakerFailure) {
  Fixture f;
  Result<Pool::Lease> held = f.engine->pool().acquire();  // the only instance
  ASSERT_TRUE(held.ok());
  Result<Extraction> out = f.run(kPage);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(out.error().message().find("pool exhausted"), std::string::npos);
  EXPECT_EQ(f.engine->breaker().recent_failures(), 0u);
  EXPECT_EQ(f.extractions("native", "ok"), 0) << "overload is not solved by running natively";
}

TEST(Engine, InstantiationFailureFallsBackWhenEnabled) {
  Fixture f;
  f.world.fail_creation = true;
  Result<Pool::Lease> trapped = f.engine->pool().acquire();
  ASSERT_TRUE(trapped.ok());
  (void)(*trapped)->extract("trap", {});
  trapped->release();  // the pool cannot replace it
  Result<Extraction> out = f.run(kPage);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(out->engine, EngineKind::kNative);
  EXPECT_TRUE(out->fallback);
  EXPECT_EQ(f.engine->breaker().recent_failures(), 1u);
}

TEST(Engine, InstantiationFailureIsUnavailableWithoutFallback) {
  Fixture f(/*fallback=*/false);
  f.world.fail_creation = true;
  Result<Pool::Lease> trapped = f.engine->pool().acquire();
  ASSERT_TRUE(trapped.ok());
  (void)(*trapped)->extract("trap", {});
  trapped->release();
  Result<Extraction> out = f.run(kPage);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(out.error().message().find("instantiation failed"), std::string::npos);
}

TEST(Engine, InputLimitIsTheSameErrorForBothEngines) {
  Fixture f;
  std::string big(4097, 'x');
  Result<Extraction> wasm = f.run(big);
  Result<Extraction> native = f.run(big, EngineKind::kNative);
  ASSERT_FALSE(wasm.ok());
  ASSERT_FALSE(native.ok());
  EXPECT_EQ(wasm.error().code(), ErrorCode::kResourceLimit);
  EXPECT_EQ(wasm.error().to_string(), native.error().to_string());
  EXPECT_EQ(f.world.extractions.load(), 0);
  EXPECT_TRUE(f.run(std::string(4096, 'x')).ok()) << "the limit itself is allowed";
}

}  // namespace
}  // namespace riptide::sandbox
