#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

// Configuration of the extraction sandbox (docs/sandbox.md "Configuration and defaults"): the
// limits of one instance, the pool, the circuit breaker and the native fallback. Every default is
// a named constant so the documentation, the CLI and the server agree on one value.
namespace riptide::sandbox {

// A WebAssembly page is 64 KiB (WebAssembly Core spec 2.0, 2.3.8 "Memory Types").
inline constexpr uint64_t kWasmPageBytes = 64 * 1024;

// Memory one instance may grow to. The guest's own `--max-memory` link cap is the hard ceiling;
// this lowers it at instantiation.
inline constexpr uint64_t kDefaultMemoryBytes = uint64_t{256} << 20;
// Wall time one extraction may take before the watchdog traps the guest.
inline constexpr std::chrono::milliseconds kDefaultTimeout{5000};
// Largest page (bytes of UTF-8) handed to the extractor. Smaller than limits::kMaxHtmlBytes
// (what the parser itself can survive): 10 MiB is far above any real article and keeps a
// 256 MiB guest memory clear of the DOM's worst case.
inline constexpr size_t kDefaultMaxInputBytes = size_t{10} << 20;
// Largest encoded result the host accepts from the guest. A full-mode record of a 10 MiB page
// carries its text, Markdown and HTML (each at most a few times the input with escaping) plus
// links and media; 64 MiB bounds that while stopping a guest that writes garbage lengths.
inline constexpr size_t kDefaultMaxOutputBytes = size_t{64} << 20;

// Pool. Instances made when the pool starts, and kept warm after recycling.
inline constexpr uint32_t kDefaultInitialPoolSize = 2;
// Instances alive at once (idle + in use); further acquirers wait.
inline constexpr uint32_t kDefaultMaxPoolSize = 8;
// An instance is recycled (destroyed, replaced by a fresh one) after this many extractions, so
// fragmentation or state a guest bug left behind cannot accumulate.
inline constexpr uint64_t kDefaultMaxUsesPerInstance = 1000;
// ... or when its linear memory has grown past this (wasm memories never shrink, so one huge
// page would otherwise pin its peak memory for the instance's lifetime).
inline constexpr uint64_t kDefaultRecycleMemoryBytes = uint64_t{64} << 20;
// How long acquire() waits for a free instance before failing with "pool exhausted".
inline constexpr std::chrono::milliseconds kDefaultAcquireTimeout{1000};
// Freed memory reservations the runtime keeps for the next instances (set_memory_cache_size in
// runtime.h): a replacement instance then reuses already-faulted pages instead of faulting in its
// data segment afresh, which is most of an instantiation's cost. Each costs up to 4 MiB of
// resident memory; recycling and discards replace one or two instances at a time.
inline constexpr uint32_t kDefaultReservationCache = 2;

// Circuit breaker (see breaker.h for the state machine).
inline constexpr uint32_t kDefaultFailureThreshold = 5;
inline constexpr std::chrono::milliseconds kDefaultFailureWindow{60'000};
inline constexpr std::chrono::milliseconds kDefaultRecoveryTimeout{30'000};
inline constexpr uint32_t kDefaultHalfOpenMaxRequests = 3;
inline constexpr uint32_t kDefaultSuccessThreshold = 3;

struct InstanceConfig {
  uint64_t memory_bytes = kDefaultMemoryBytes;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  size_t max_input_bytes = kDefaultMaxInputBytes;
  size_t max_output_bytes = kDefaultMaxOutputBytes;

  // memory_bytes in whole wasm pages (rounded down, at least 1).
  uint32_t max_pages() const {
    uint64_t pages = memory_bytes / kWasmPageBytes;
    if (pages == 0) return 1;
    return pages > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(pages);
  }
};

struct PoolConfig {
  uint32_t initial_pool_size = kDefaultInitialPoolSize;
  uint32_t max_pool_size = kDefaultMaxPoolSize;
  uint64_t max_uses_per_instance = kDefaultMaxUsesPerInstance;
  uint64_t recycle_memory_bytes = kDefaultRecycleMemoryBytes;
  std::chrono::milliseconds acquire_timeout = kDefaultAcquireTimeout;
  // Process-wide: the last Engine::create sets it.
  uint32_t reservation_cache = kDefaultReservationCache;
};

struct BreakerConfig {
  // Failures within `window` that open the breaker.
  uint32_t failure_threshold = kDefaultFailureThreshold;
  std::chrono::milliseconds window = kDefaultFailureWindow;
  // Time spent open before trial calls are let through (half-open).
  std::chrono::milliseconds recovery_timeout = kDefaultRecoveryTimeout;
  // Trial calls in flight at once while half-open; more callers are rejected as if open.
  uint32_t half_open_max_requests = kDefaultHalfOpenMaxRequests;
  // Successful trials that close the breaker again.
  uint32_t success_threshold = kDefaultSuccessThreshold;
};

struct SandboxConfig {
  InstanceConfig instance;
  PoolConfig pool;
  BreakerConfig breaker;
  // While the breaker is open, extract natively (the same src/extract code) instead of failing.
  // Never applies to a page that trapped or timed out in the guest.
  bool fallback_enabled = true;
};

}  // namespace riptide::sandbox
