#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "sandbox/breaker.h"
#include "sandbox/config.h"
#include "sandbox/metrics.h"
#include "sandbox/pool.h"

namespace prometheus {
class Registry;
}

// The extraction facade the CLI and the server call (docs/sandbox.md "Engine"): extraction in
// the WebAssembly sandbox through the pool and the circuit breaker, with the native fallback.
//
//   breaker closed/half-open ─▶ pool.acquire ─▶ guest extract
//     trap / timeout / invalid output ─▶ the error; the breaker counts a failure; the page is
//                                         NEVER retried natively (that would hand input that
//                                         broke the guest to the unprotected path)
//     pool exhausted ─▶ kUnavailable (not a sandbox failure)
//     instance cannot be created ─▶ a breaker failure; native fallback when enabled
//   breaker open ─▶ native fallback when enabled, else a fast kUnavailable
//
// Thread-safe: one Engine serves every thread of a process.
namespace riptide::sandbox {

// Instances of the extractor guest (ExtractorInstance) with `config`'s limits. Defined in
// engine_wasm.cc, part of riptide_sandbox with the guest itself.
InstanceFactory wasm_instance_factory(const InstanceConfig& config);

struct Extraction {
  extract::Record record;
  EngineKind engine = EngineKind::kWasm;  // which engine produced the record
  bool fallback = false;                  // native because the sandbox was unavailable
};

class Engine {
 public:
  // The real sandbox: wasm_instance_factory(config.instance) (riptide_sandbox). `registry`
  // receives the metrics (a private one is made when null).
  static std::unique_ptr<Engine> create(const SandboxConfig& config,
                                        std::shared_ptr<prometheus::Registry> registry = nullptr);
  // Any instance factory (tests use fakes) and breaker clock.
  Engine(const SandboxConfig& config, InstanceFactory factory,
         std::shared_ptr<prometheus::Registry> registry, CircuitBreaker::Clock clock = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Extracts `utf8_html` with `engine` (kNative skips the sandbox entirely, e.g. for
  // `riptide extract --engine native`). Same records and error codes from both engines.
  // Errors besides the extractor's own: kResourceLimit input over config.instance.max_input_bytes;
  // kUnavailable pool exhausted, or breaker open with the fallback disabled; kTimeout and
  // kInternal "guest trap: …" / "invalid guest output: …" when the page broke the guest.
  Result<Extraction> extract(std::string_view utf8_html, const extract::Options& options,
                             EngineKind engine = EngineKind::kWasm);

  const SandboxConfig& config() const { return config_; }
  prometheus::Registry& registry() { return *registry_; }
  Pool& pool() { return *pool_; }
  CircuitBreaker& breaker() { return *breaker_; }

 private:
  Result<Extraction> run_native(std::string_view html, const extract::Options& options,
                                bool fallback);
  Result<Extraction> run_wasm(std::string_view html, const extract::Options& options);
  Result<Extraction> unavailable(std::string message);
  std::unique_ptr<extract::Extractor> take_native();
  void put_native(std::unique_ptr<extract::Extractor> extractor);

  SandboxConfig config_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<SandboxMetrics> metrics_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::unique_ptr<Pool> pool_;
  // Native extractors keep their parser buffers between calls; one per concurrent caller.
  std::mutex native_mutex_;
  std::vector<std::unique_ptr<extract::Extractor>> native_;
};

}  // namespace riptide::sandbox
