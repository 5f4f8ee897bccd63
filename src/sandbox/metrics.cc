#include "sandbox/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <atomic>

namespace riptide::sandbox {

std::string_view engine_kind_name(EngineKind engine) {
  return engine == EngineKind::kWasm ? "wasm" : "native";
}

std::string_view extraction_outcome_name(ExtractionOutcome outcome) {
  switch (outcome) {
    case ExtractionOutcome::kOk:
      return "ok";
    case ExtractionOutcome::kError:
      return "error";
    case ExtractionOutcome::kTrap:
      return "trap";
    case ExtractionOutcome::kTimeout:
      return "timeout";
    case ExtractionOutcome::kInvalidOutput:
      return "invalid_output";
    case ExtractionOutcome::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

std::string_view retire_reason_name(RetireReason reason) {
  switch (reason) {
    case RetireReason::kUses:
      return "uses";
    case RetireReason::kMemory:
      return "memory";
    case RetireReason::kDead:
      return "dead";
  }
  return "unknown";
}

namespace {

constexpr size_t kEngines = 2;
constexpr size_t kOutcomes = 6;
constexpr size_t kReasons = 3;

// Extraction latency: from a small page in the sandbox (~100 µs) to the 5 s default timeout.
const prometheus::Histogram::BucketBoundaries kExtractionBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
// Instantiation: tens of microseconds when healthy (ARCHITECTURE.md), milliseconds when not.
const prometheus::Histogram::BucketBoundaries kInstantiationBuckets = {
    0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05};

}  // namespace

struct SandboxMetrics::Families {
  prometheus::Family<prometheus::Counter>* traps = nullptr;
  std::array<std::array<prometheus::Counter*, kOutcomes>, kEngines> extractions{};
  std::array<prometheus::Histogram*, kEngines> extraction_seconds{};
  prometheus::Counter* timeouts = nullptr;
  prometheus::Counter* fallbacks = nullptr;
  prometheus::Counter* instantiations = nullptr;
  prometheus::Counter* instantiation_failures = nullptr;
  prometheus::Histogram* instantiation_seconds = nullptr;
  prometheus::Counter* pool_hits = nullptr;
  prometheus::Counter* pool_misses = nullptr;
  prometheus::Counter* pool_exhausted = nullptr;
  std::array<prometheus::Counter*, kReasons> retired{};
  prometheus::Gauge* idle = nullptr;
  prometheus::Gauge* in_use = nullptr;
  prometheus::Gauge* pages_current = nullptr;
  prometheus::Gauge* pages_peak = nullptr;
  prometheus::Counter* grow_failures = nullptr;
  prometheus::Gauge* breaker_state = nullptr;
  std::array<prometheus::Counter*, 3> breaker_transitions{};
  std::atomic<uint32_t> peak{0};
};

SandboxMetrics::SandboxMetrics(prometheus::Registry& registry) : f_(std::make_unique<Families>()) {
  auto& extractions = prometheus::BuildCounter()
                          .Name("riptide_sandbox_extractions_total")
                          .Help("Extractions by engine (wasm, native) and outcome")
                          .Register(registry);
  auto& seconds = prometheus::BuildHistogram()
                      .Name("riptide_sandbox_extraction_seconds")
                      .Help("Wall time of one extraction by engine")
                      .Register(registry);
  for (size_t e = 0; e < kEngines; ++e) {
    std::string engine(engine_kind_name(static_cast<EngineKind>(e)));
    for (size_t o = 0; o < kOutcomes; ++o) {
      std::string outcome(extraction_outcome_name(static_cast<ExtractionOutcome>(o)));
      f_->extractions[e][o] = &extractions.Add({{"engine", engine}, {"outcome", outcome}});
    }
    f_->extraction_seconds[e] = &seconds.Add({{"engine", engine}}, kExtractionBuckets);
  }
  f_->traps = &prometheus::BuildCounter()
                   .Name("riptide_sandbox_traps_total")
                   .Help("Guest traps by kind (out_of_bounds, unreachable, stack_exhausted, ...)")
                   .Register(registry);
  f_->timeouts = &prometheus::BuildCounter()
                      .Name("riptide_sandbox_timeouts_total")
                      .Help("Extractions the watchdog stopped at their deadline")
                      .Register(registry)
                      .Add({});
  f_->fallbacks = &prometheus::BuildCounter()
                       .Name("riptide_sandbox_fallbacks_total")
                       .Help("Extractions run natively because the sandbox was unavailable")
                       .Register(registry)
                       .Add({});
  f_->instantiations = &prometheus::BuildCounter()
                            .Name("riptide_sandbox_instantiations_total")
                            .Help("Guest instances created")
                            .Register(registry)
                            .Add({});
  f_->instantiation_failures = &prometheus::BuildCounter()
                                    .Name("riptide_sandbox_instantiation_failures_total")
                                    .Help("Guest instances that could not be created")
                                    .Register(registry)
                                    .Add({});
  f_->instantiation_seconds = &prometheus::BuildHistogram()
                                   .Name("riptide_sandbox_instantiation_seconds")
                                   .Help("Time to create one guest instance")
                                   .Register(registry)
                                   .Add({}, kInstantiationBuckets);
  auto& acquisitions = prometheus::BuildCounter()
                           .Name("riptide_sandbox_pool_acquisitions_total")
                           .Help(
                               "Pool acquisitions: hit (idle instance), miss (new instance), "
                               "exhausted (none free in time)")
                           .Register(registry);
  f_->pool_hits = &acquisitions.Add({{"result", "hit"}});
  f_->pool_misses = &acquisitions.Add({{"result", "miss"}});
  f_->pool_exhausted = &acquisitions.Add({{"result", "exhausted"}});
  auto& retired = prometheus::BuildCounter()
                      .Name("riptide_sandbox_instances_retired_total")
                      .Help(
                          "Instances let go by the pool: uses (recycled after N uses), memory "
                          "(recycled above the memory threshold), dead (trap/timeout/invalid "
                          "output)")
                      .Register(registry);
  for (size_t r = 0; r < kReasons; ++r) {
    f_->retired[r] =
        &retired.Add({{"reason", std::string(retire_reason_name(static_cast<RetireReason>(r)))}});
  }
  auto& instances = prometheus::BuildGauge()
                        .Name("riptide_sandbox_pool_instances")
                        .Help("Live instances by state (idle, in_use)")
                        .Register(registry);
  f_->idle = &instances.Add({{"state", "idle"}});
  f_->in_use = &instances.Add({{"state", "in_use"}});
  auto& pages = prometheus::BuildGauge()
                    .Name("riptide_sandbox_memory_pages")
                    .Help(
                        "Guest memory in 64 KiB pages: current (sum over live instances) and "
                        "peak (highest any instance reached)")
                    .Register(registry);
  f_->pages_current = &pages.Add({{"stat", "current"}});
  f_->pages_peak = &pages.Add({{"stat", "peak"}});
  f_->grow_failures = &prometheus::BuildCounter()
                           .Name("riptide_sandbox_memory_grow_failures_total")
                           .Help("memory.grow requests refused by an instance's page cap")
                           .Register(registry)
                           .Add({});
  f_->breaker_state = &prometheus::BuildGauge()
                           .Name("riptide_sandbox_breaker_state")
                           .Help("Circuit breaker state: 0 closed, 1 open, 2 half-open")
                           .Register(registry)
                           .Add({});
  auto& transitions = prometheus::BuildCounter()
                          .Name("riptide_sandbox_breaker_transitions_total")
                          .Help("Circuit breaker transitions by the state entered")
                          .Register(registry);
  for (size_t s = 0; s < 3; ++s) {
    f_->breaker_transitions[s] =
        &transitions.Add({{"to", std::string(breaker_state_name(static_cast<BreakerState>(s)))}});
  }
}

SandboxMetrics::~SandboxMetrics() = default;

void SandboxMetrics::extraction(EngineKind engine, ExtractionOutcome outcome, double seconds) {
  auto e = static_cast<size_t>(engine);
  f_->extractions[e][static_cast<size_t>(outcome)]->Increment();
  f_->extraction_seconds[e]->Observe(seconds);
}

void SandboxMetrics::trap(std::string_view kind) {
  f_->traps->Add({{"kind", std::string(kind)}}).Increment();
}

void SandboxMetrics::timeout() {
  f_->timeouts->Increment();
}
void SandboxMetrics::fallback() {
  f_->fallbacks->Increment();
}

void SandboxMetrics::instantiation(double seconds) {
  f_->instantiations->Increment();
  f_->instantiation_seconds->Observe(seconds);
}

void SandboxMetrics::instantiation_failure() {
  f_->instantiation_failures->Increment();
}
void SandboxMetrics::pool_hit() {
  f_->pool_hits->Increment();
}
void SandboxMetrics::pool_miss() {
  f_->pool_misses->Increment();
}
void SandboxMetrics::pool_exhausted() {
  f_->pool_exhausted->Increment();
}

void SandboxMetrics::retired(RetireReason reason) {
  f_->retired[static_cast<size_t>(reason)]->Increment();
}

void SandboxMetrics::pool_instances(uint32_t idle, uint32_t in_use) {
  f_->idle->Set(idle);
  f_->in_use->Set(in_use);
}

void SandboxMetrics::memory_pages(uint64_t current_total, uint32_t peak) {
  f_->pages_current->Set(static_cast<double>(current_total));
  uint32_t seen = f_->peak.load(std::memory_order_relaxed);
  while (peak > seen && !f_->peak.compare_exchange_weak(seen, peak, std::memory_order_relaxed)) {
  }
  f_->pages_peak->Set(std::max(seen, peak));
}

void SandboxMetrics::grow_failures(uint64_t count) {
  if (count > 0) f_->grow_failures->Increment(static_cast<double>(count));
}

void SandboxMetrics::breaker_transition(BreakerState state) {
  f_->breaker_state->Set(static_cast<double>(state));
  f_->breaker_transitions[static_cast<size_t>(state)]->Increment();
}

std::string metrics_text(const prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

}  // namespace riptide::sandbox
