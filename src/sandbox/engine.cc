#include "sandbox/engine.h"

#include <prometheus/registry.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "sandbox/runtime.h"

namespace riptide::sandbox {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ExtractionOutcome dead_outcome(TrapKind trap, const Error& error) {
  if (trap == TrapKind::kTimeout || error.code() == ErrorCode::kTimeout) {
    return ExtractionOutcome::kTimeout;
  }
  return trap != TrapKind::kNone ? ExtractionOutcome::kTrap : ExtractionOutcome::kInvalidOutput;
}

}  // namespace

Engine::Engine(const SandboxConfig& config, InstanceFactory factory,
               std::shared_ptr<prometheus::Registry> registry, CircuitBreaker::Clock clock)
    : config_(config), registry_(std::move(registry)) {
  if (!registry_) registry_ = std::make_shared<prometheus::Registry>();
  metrics_ = std::make_unique<SandboxMetrics>(*registry_);
  SandboxMetrics* metrics = metrics_.get();
  bool fallback = config_.fallback_enabled;
  // A degraded sandbox is logged once per transition, not once per request.
  breaker_ = std::make_unique<CircuitBreaker>(
      config_.breaker, std::move(clock), [metrics, fallback](BreakerState state) {
        metrics->breaker_transition(state);
        if (state == BreakerState::kOpen) {
          std::fprintf(stderr, "riptide: sandbox circuit breaker open; %s\n",
                       fallback ? "extracting natively until it recovers"
                                : "extractions fail until it recovers (fallback disabled)");
        }
      });
  pool_ = std::make_unique<Pool>(config_.pool, std::move(factory), metrics);
}

Engine::~Engine() = default;

std::unique_ptr<extract::Extractor> Engine::take_native() {
  {
    std::lock_guard<std::mutex> lock(native_mutex_);
    if (!native_.empty()) {
      std::unique_ptr<extract::Extractor> extractor = std::move(native_.back());
      native_.pop_back();
      return extractor;
    }
  }
  return std::make_unique<extract::Extractor>();
}

void Engine::put_native(std::unique_ptr<extract::Extractor> extractor) {
  std::lock_guard<std::mutex> lock(native_mutex_);
  native_.push_back(std::move(extractor));
}

Result<Extraction> Engine::extract(std::string_view utf8_html, const extract::Options& options,
                                   EngineKind engine) {
  // Both engines enforce the same input limit with the same error, before any work.
  extract::Options bounded = options;
  bounded.max_input_bytes = std::min(bounded.max_input_bytes, config_.instance.max_input_bytes);
  if (utf8_html.size() > bounded.max_input_bytes) {
    metrics_->extraction(engine, ExtractionOutcome::kError, 0);
    return Error(ErrorCode::kResourceLimit, "input of " + std::to_string(utf8_html.size()) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(bounded.max_input_bytes) + " bytes");
  }
  if (engine == EngineKind::kNative) return run_native(utf8_html, bounded, false);
  return run_wasm(utf8_html, bounded);
}

Result<Extraction> Engine::unavailable(std::string message) {
  metrics_->extraction(EngineKind::kWasm, ExtractionOutcome::kUnavailable, 0);
  return Error(ErrorCode::kUnavailable, std::move(message));
}

Result<Extraction> Engine::run_native(std::string_view html, const extract::Options& options,
                                      bool fallback) {
  if (fallback) metrics_->fallback();
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<extract::Extractor> extractor = take_native();
  Result<extract::Record> record = extractor->extract(html, options);
  put_native(std::move(extractor));
  double seconds = seconds_since(start);
  if (!record.ok()) {
    metrics_->extraction(EngineKind::kNative, ExtractionOutcome::kError, seconds);
    return record.error();
  }
  metrics_->extraction(EngineKind::kNative, ExtractionOutcome::kOk, seconds);
  Extraction out{std::move(record).value(), EngineKind::kNative, fallback};
  out.record.stats.time_ms = seconds * 1000;
  return out;
}

Result<Extraction> Engine::run_wasm(std::string_view html, const extract::Options& options) {
  std::optional<CircuitBreaker::Permit> permit = breaker_->allow();
  if (!permit) {
    if (config_.fallback_enabled) return run_native(html, options, true);
    return unavailable("sandbox unavailable: circuit breaker open and native fallback disabled");
  }
  auto start = std::chrono::steady_clock::now();
  Result<Pool::Lease> lease = pool_->acquire();
  if (!lease.ok()) {
    if (lease.error().code() == ErrorCode::kUnavailable) {
      // Overload, not a broken sandbox: neither a breaker failure nor a reason to run natively
      // (that would add load exactly when there is too much).
      breaker_->record(*permit, CircuitBreaker::Outcome::kIgnored);
      return unavailable(lease.error().message());
    }
    // No instance could be made. The page never reached a guest, so running it natively is
    // safe.
    breaker_->record(*permit, CircuitBreaker::Outcome::kFailure);
    if (config_.fallback_enabled) return run_native(html, options, true);
    return unavailable("sandbox unavailable: " + lease.error().message());
  }
  Result<extract::Record> record = (*lease)->extract(html, options);
  bool dead = (*lease)->dead();
  TrapKind trap = (*lease)->last_trap();
  lease->release();
  double seconds = seconds_since(start);
  if (dead) {
    breaker_->record(*permit, CircuitBreaker::Outcome::kFailure);
    Error error = record.ok() ? Error(ErrorCode::kInternal, "guest instance died") : record.error();
    ExtractionOutcome outcome = dead_outcome(trap, error);
    if (outcome == ExtractionOutcome::kTimeout) {
      metrics_->timeout();
    } else if (outcome == ExtractionOutcome::kTrap) {
      metrics_->trap(trap_kind_name(trap));
    }
    metrics_->extraction(EngineKind::kWasm, outcome, seconds);
    return error;
  }
  // A structured error from a live guest is the guest working as intended.
  breaker_->record(*permit, CircuitBreaker::Outcome::kSuccess);
  if (!record.ok()) {
    metrics_->extraction(EngineKind::kWasm, ExtractionOutcome::kError, seconds);
    return record.error();
  }
  metrics_->extraction(EngineKind::kWasm, ExtractionOutcome::kOk, seconds);
  return Extraction{std::move(record).value(), EngineKind::kWasm, false};
}

}  // namespace riptide::sandbox
