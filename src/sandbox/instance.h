#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "guest/abi.h"
#include "sandbox/runtime.h"

// One instance of the extractor guest (src/guest, compiled to wasm32-wasi and translated by
// wasm2c): its linear memory, its WASI imports and its call state. The host side of the guest ABI
// (docs/abi.md): everything the guest hands back is bounds-checked and decoded with the fuzzed
// decoder in guest/abi.h before it is used.
namespace riptide::sandbox {

struct InstanceLimits {
  // Linear-memory cap in 64 KiB wasm pages; the module's own maximum is lowered to this after
  // instantiation (it can only be lowered, never raised past the link-time --max-memory).
  uint32_t max_pages = 4096;  // 256 MiB
  // Wall-clock budget of one guest call; past it the watchdog traps the guest (kTimeout).
  std::chrono::milliseconds timeout{5000};
  // Inputs larger than this are rejected with kResourceLimit before they reach the guest.
  size_t max_input_bytes = size_t{10} << 20;
  // An encoded result larger than this is rejected (kResourceLimit) and the instance is dead.
  size_t max_output_bytes = size_t{64} << 20;
};

// Not thread-safe: one thread uses an instance at a time (the pool hands it out exclusively).
// After a trap, a timeout or invalid output the instance is dead() and must be discarded.
// Whether the guest buffer [ptr, ptr + len) lies inside a linear memory of `memory_bytes` bytes.
// 64-bit arithmetic: a (ptr, len) whose 32-bit sum wraps is out of range, not a small buffer.
constexpr bool guest_range_ok(uint64_t memory_bytes, uint32_t ptr, uint32_t len) {
  return uint64_t{ptr} + len <= memory_bytes;
}

struct GuestModule;  // sandbox/guest_module.h

// The extractor guest built from src/guest (wasm2c module riptide_extractor).
const GuestModule& extractor_guest_module();

class ExtractorInstance {
 public:
  // Instantiates the module, runs its `_initialize`, lowers its memory cap and checks its ABI
  // version. Errors: kInternal (instantiation trapped, ABI version mismatch). The module's first
  // instance teaches it which memory pages its setup touches; later instances have those pages
  // populated in one go (sandbox/runtime.h, MemoryPrefaultPlan).
  static Result<std::unique_ptr<ExtractorInstance>> create(const InstanceLimits& limits);
  // The same for any module implementing the guest ABI (e.g. a hostile test guest); `module`
  // must outlive the instance.
  static Result<std::unique_ptr<ExtractorInstance>> create(const GuestModule& module,
                                                           const InstanceLimits& limits);
  ~ExtractorInstance();
  ExtractorInstance(const ExtractorInstance&) = delete;
  ExtractorInstance& operator=(const ExtractorInstance&) = delete;

  // Extracts in the guest. Same results as extract::Extractor::extract, with Stats::time_ms
  // (guest call, host clock) and Stats::memory_pages (the memory's size afterwards) filled.
  // Errors: the guest's structured errors with their ErrorCode; kTimeout (dead); kInternal
  // "guest trap: <kind>" (dead, last_trap() set); kInternal "invalid guest output: …" (dead);
  // kResourceLimit for input over max_input_bytes (alive) or output over max_output_bytes (dead).
  Result<extract::Record> extract(std::string_view html, const extract::Options& options);

  // The guest's version, build and modes (guest ABI `info`).
  Result<guest::GuestInfo> info();
  // The modes the guest supports (guest ABI `modes`).
  Result<std::vector<extract::Mode>> modes();
  // The guest answers and can extract a small built-in page (if not, the instance is dead).
  Status health();
  // Drops the guest's cached parser/document buffers (its memory stays at its current size).
  Status reset();

  bool dead() const { return dead_; }
  TrapKind last_trap() const { return last_trap_; }
  uint32_t current_pages() const;
  uint32_t peak_pages() const { return peak_pages_; }
  uint64_t uses() const { return uses_; }
  uint64_t grow_failures() const;

 private:
  struct State;
  ExtractorInstance(const GuestModule& module, const InstanceLimits& limits);
  // Runs `fn` (wasm2c export calls) under call_guest with the call deadline; a trap or timeout
  // marks the instance dead and comes back as the documented Error.
  template <class F>
  Status guarded(F&& fn);
  void note_pages();
  // [ptr, ptr + len) in guest memory after checking it lies inside the memory and len <= max_len
  // (either failure marks the instance dead). The view lives until the next guest call.
  Result<std::string_view> guest_bytes(uint32_t ptr, uint32_t len, size_t max_len);

  InstanceLimits limits_;
  std::unique_ptr<State> state_;
  bool dead_ = false;
  TrapKind last_trap_ = TrapKind::kNone;
  uint32_t peak_pages_ = 0;
  uint64_t uses_ = 0;
};

}  // namespace riptide::sandbox
