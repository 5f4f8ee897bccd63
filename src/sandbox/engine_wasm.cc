// The parts of the engine that need the extractor guest (riptide_sandbox): ExtractorInstance
// adapted to the pool's PooledInstance interface.
#include <prometheus/registry.h>

#include <memory>
#include <utility>

#include "sandbox/engine.h"
#include "sandbox/instance.h"
#include "sandbox/runtime.h"

namespace riptide::sandbox {

namespace {

// ExtractorInstance as the pool sees it.
class WasmInstance final : public PooledInstance {
 public:
  explicit WasmInstance(std::unique_ptr<ExtractorInstance> instance)
      : instance_(std::move(instance)) {}
  Result<extract::Record> extract(std::string_view html, const extract::Options& options) override {
    return instance_->extract(html, options);
  }
  bool dead() const override { return instance_->dead(); }
  TrapKind last_trap() const override { return instance_->last_trap(); }
  uint32_t current_pages() const override { return instance_->current_pages(); }
  uint32_t peak_pages() const override { return instance_->peak_pages(); }
  uint64_t grow_failures() const override { return instance_->grow_failures(); }

 private:
  std::unique_ptr<ExtractorInstance> instance_;
};

}  // namespace

InstanceFactory wasm_instance_factory(const InstanceConfig& config) {
  InstanceLimits limits;
  limits.max_pages = config.max_pages();
  limits.timeout = config.timeout;
  limits.max_input_bytes = config.max_input_bytes;
  limits.max_output_bytes = config.max_output_bytes;
  return [limits]() -> Result<std::unique_ptr<PooledInstance>> {
    Result<std::unique_ptr<ExtractorInstance>> made = ExtractorInstance::create(limits);
    if (!made.ok()) return made.error();
    return std::unique_ptr<PooledInstance>(std::make_unique<WasmInstance>(std::move(*made)));
  };
}

std::unique_ptr<Engine> Engine::create(const SandboxConfig& config,
                                       std::shared_ptr<prometheus::Registry> registry) {
  init_runtime();
  set_memory_cache_size(config.pool.reservation_cache);
  return std::make_unique<Engine>(config, wasm_instance_factory(config.instance),
                                  std::move(registry));
}

}  // namespace riptide::sandbox
