#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sandbox/breaker.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

// The sandbox's counters, gauges and histograms (names in docs/sandbox.md "Metrics"), registered
// in a prometheus-cpp registry that the server exposes at /metrics. Every method is thread-safe
// and cheap (atomic updates on metrics created up front; trap kinds are looked up by label).
namespace riptide::sandbox {

enum class EngineKind : uint8_t { kWasm, kNative };
// "wasm" | "native"
std::string_view engine_kind_name(EngineKind engine);

// How one extraction ended, as the `outcome` label of riptide_sandbox_extractions_total.
enum class ExtractionOutcome : uint8_t {
  kOk,             // a record
  kError,          // the extractor answered with an error (bad input, limit, unsupported mode)
  kTrap,           // the guest trapped (instance discarded)
  kTimeout,        // the guest ran past its deadline (instance discarded)
  kInvalidOutput,  // the guest's output failed validation (instance discarded)
  kUnavailable,    // refused before running: pool exhausted, breaker open without fallback,
                   // no instance could be created
};
std::string_view extraction_outcome_name(ExtractionOutcome outcome);

// Why the pool let go of an instance.
enum class RetireReason : uint8_t { kUses, kMemory, kDead };
std::string_view retire_reason_name(RetireReason reason);

class SandboxMetrics {
 public:
  // Registers the sandbox's metric families in `registry`, which must outlive this object.
  explicit SandboxMetrics(prometheus::Registry& registry);
  ~SandboxMetrics();
  SandboxMetrics(const SandboxMetrics&) = delete;
  SandboxMetrics& operator=(const SandboxMetrics&) = delete;

  void extraction(EngineKind engine, ExtractionOutcome outcome, double seconds);
  // `kind` is the runtime's trap kind name ("out_of_bounds", "unreachable", ...).
  void trap(std::string_view kind);
  void timeout();
  // A native extraction run because the breaker was open (or no instance could be created).
  void fallback();
  void instantiation(double seconds);
  void instantiation_failure();
  void pool_hit();
  void pool_miss();
  void pool_exhausted();
  void retired(RetireReason reason);
  // Pool occupancy after a change.
  void pool_instances(uint32_t idle, uint32_t in_use);
  // Memory of live instances: the sum of their current pages and the highest peak any instance
  // reached since start.
  void memory_pages(uint64_t current_total, uint32_t peak);
  void grow_failures(uint64_t count);
  void breaker_transition(BreakerState to);

 private:
  struct Families;
  std::unique_ptr<Families> f_;
};

// The registry in the Prometheus text exposition format (version 0.0.4), what /metrics serves.
std::string metrics_text(const prometheus::Registry& registry);

}  // namespace riptide::sandbox
