#pragma once
// A wasm2c-translated module that implements the guest ABI (docs/abi.md), seen through a table of
// its entry points. ExtractorInstance calls the module only through this table, so any module with
// the ABI's exports plugs in: the real extractor (extractor_guest_module() in sandbox/instance.h)
// and hostile test guests with another module name. The cost is one indirect call per export.
//
// wasm2c names everything after the module (Z_<module>_instantiate, Z_<module>Z_riptide_alloc,
// ...), so a table is written with RIPTIDE_GUEST_MODULE(function, module) next to an include of
// the module's generated header. The module must import nothing: its instantiate takes only the
// instance.

#include <atomic>
#include <cstdint>
#include <mutex>

#include "sandbox/runtime.h"
#include "wasm-rt.h"

namespace riptide::sandbox {

// Per-module process state: the module's one-time initialisation and the prefault plan learned
// from its first instance (runtime.h, MemoryPrefaultPlan). The plan is written once under the
// mutex, then published by `learned_` and never changed, so readers take no lock.
class GuestModuleState {
 public:
  // Runs init_runtime() and the module's init_module once per process.
  void init_once(void (*init_module)());
  // The learned plan, or null before the first instance was set up.
  const MemoryPrefaultPlan* prefault_plan() const {
    return learned_.load(std::memory_order_acquire) ? &plan_ : nullptr;
  }
  // Learns the plan from a freshly set-up instance's memory, unless one was learned already.
  void learn_prefault_plan(const wasm_rt_memory_t* memory);

 private:
  std::once_flag init_;
  std::mutex mutex_;
  std::atomic<bool> learned_{false};
  MemoryPrefaultPlan plan_;
};

// `instance` is the module's Z_<module>_instance_t, owned through new_instance/delete_instance.
struct GuestModule {
  const char* name;
  GuestModuleState* state;
  void (*init_module)();
  void* (*new_instance)();  // value-initialised (all zero), not yet instantiated
  void (*delete_instance)(void* instance);
  void (*instantiate)(void* instance);
  void (*free)(void* instance);
  wasm_rt_memory_t* (*memory)(void* instance);
  // The ABI's exports.
  void (*initialize)(void* instance);
  uint32_t (*abi_version)(void* instance);
  uint32_t (*alloc)(void* instance, uint32_t size);
  void (*release)(void* instance, uint32_t ptr);  // riptide_free
  uint32_t (*extract)(void* instance, uint32_t ptr, uint32_t len);
  uint32_t (*result_ptr)(void* instance);
  uint32_t (*result_len)(void* instance);
  uint32_t (*info)(void* instance);
  uint32_t (*modes)(void* instance);
  uint32_t (*health)(void* instance);
  uint32_t (*reset)(void* instance);
};

}  // namespace riptide::sandbox

// Defines `const riptide::sandbox::GuestModule& function()` for the wasm2c module `module` (its
// generated header must be included first). Each export becomes a captureless lambda that
// forwards to the generated function, so the table holds plain function pointers.
#define RIPTIDE_GUEST_MODULE(function, module)                                                     \
  const ::riptide::sandbox::GuestModule& function() {                                              \
    using Instance = Z_##module##_instance_t;                                                      \
    static ::riptide::sandbox::GuestModuleState state;                                             \
    static const ::riptide::sandbox::GuestModule table{                                            \
        .name = #module,                                                                           \
        .state = &state,                                                                           \
        .init_module = [] { Z_##module##_init_module(); },                                         \
        .new_instance = []() -> void* { return new Instance{}; },                                  \
        .delete_instance = [](void* i) { delete static_cast<Instance*>(i); },                      \
        .instantiate = [](void* i) { Z_##module##_instantiate(static_cast<Instance*>(i)); },       \
        .free = [](void* i) { Z_##module##_free(static_cast<Instance*>(i)); },                     \
        .memory = [](void* i) { return Z_##module##Z_memory(static_cast<Instance*>(i)); },         \
        .initialize = [](void* i) { Z_##module##Z__initialize(static_cast<Instance*>(i)); },       \
        .abi_version =                                                                             \
            [](void* i) { return Z_##module##Z_riptide_abi_version(static_cast<Instance*>(i)); },  \
        .alloc =                                                                                   \
            [](void* i, uint32_t size) {                                                           \
              return Z_##module##Z_riptide_alloc(static_cast<Instance*>(i), size);                 \
            },                                                                                     \
        .release =                                                                                 \
            [](void* i, uint32_t ptr) {                                                            \
              Z_##module##Z_riptide_free(static_cast<Instance*>(i), ptr);                          \
            },                                                                                     \
        .extract =                                                                                 \
            [](void* i, uint32_t ptr, uint32_t len) {                                              \
              return Z_##module##Z_riptide_extract(static_cast<Instance*>(i), ptr, len);           \
            },                                                                                     \
        .result_ptr =                                                                              \
            [](void* i) { return Z_##module##Z_riptide_result_ptr(static_cast<Instance*>(i)); },   \
        .result_len =                                                                              \
            [](void* i) { return Z_##module##Z_riptide_result_len(static_cast<Instance*>(i)); },   \
        .info = [](void* i) { return Z_##module##Z_riptide_info(static_cast<Instance*>(i)); },     \
        .modes = [](void* i) { return Z_##module##Z_riptide_modes(static_cast<Instance*>(i)); },   \
        .health = [](void* i) { return Z_##module##Z_riptide_health(static_cast<Instance*>(i)); }, \
        .reset = [](void* i) { return Z_##module##Z_riptide_reset(static_cast<Instance*>(i)); },   \
    };                                                                                             \
    return table;                                                                                  \
  }
