#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "sandbox/config.h"

// A pool of sandboxed extractor instances (docs/sandbox.md "Pool"): pre-warmed at start, reused
// across calls, recycled after max_uses_per_instance extractions or once an instance's memory has
// grown past recycle_memory_bytes, discarded after any trap, timeout or invalid output, and a
// bounded wait for a free instance that ends in a clear kUnavailable "pool exhausted" error.
//
// The pool manages instances through the small PooledInstance interface so tests can hand it
// fakes; engine.cc adapts ExtractorInstance (instance.h) to it.
namespace riptide::sandbox {

enum class TrapKind : uint8_t;  // sandbox/runtime.h
class SandboxMetrics;

class PooledInstance {
 public:
  virtual ~PooledInstance() = default;
  virtual Result<extract::Record> extract(std::string_view html,
                                          const extract::Options& options) = 0;
  // True after a trap, timeout or invalid output: the pool discards the instance.
  virtual bool dead() const = 0;
  virtual TrapKind last_trap() const = 0;
  virtual uint32_t current_pages() const = 0;
  virtual uint32_t peak_pages() const = 0;
  virtual uint64_t grow_failures() const = 0;
};

// Makes one fresh instance; called with no pool lock held, possibly from several threads.
using InstanceFactory = std::function<Result<std::unique_ptr<PooledInstance>>()>;

// One live instance as the pool last saw it (figures are refreshed whenever it is returned).
struct InstanceStats {
  uint64_t id = 0;  // 1, 2, ... in creation order
  uint64_t uses = 0;
  uint32_t current_pages = 0;
  uint32_t peak_pages = 0;
  uint64_t grow_failures = 0;
  bool in_use = false;
};

struct PoolStats {
  uint32_t idle = 0;
  uint32_t in_use = 0;
  uint64_t created = 0;
  uint64_t creation_failures = 0;
  uint64_t hits = 0;       // acquisitions served by an idle instance
  uint64_t misses = 0;     // acquisitions that had to create one
  uint64_t exhausted = 0;  // acquisitions that timed out
  uint64_t recycled_uses = 0;
  uint64_t recycled_memory = 0;
  uint64_t discarded = 0;  // dead instances (trap, timeout, invalid output)
};

class Pool {
 private:
  struct Slot;

 public:
  // Exclusive use of one instance; returns it to the pool when destroyed. Must not outlive the
  // pool.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    PooledInstance& instance();
    PooledInstance* operator->() { return &instance(); }
    uint64_t id() const;
    // Gives the instance back now (what the destructor does).
    void release();

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<Slot> slot);
    Pool* pool_ = nullptr;
    std::unique_ptr<Slot> slot_;
  };

  // Creates config.initial_pool_size instances up front (failures are counted in stats and
  // metrics, not fatal: acquire() retries creation). `metrics` may be null and must outlive the
  // pool.
  Pool(const PoolConfig& config, InstanceFactory factory, SandboxMetrics* metrics = nullptr);
  // Every lease must have been returned.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // An idle instance, or a new one while fewer than max_pool_size are alive; otherwise waits up
  // to acquire_timeout for one to be returned. Errors: kUnavailable "pool exhausted: …" after
  // the wait; the factory's error when a new instance cannot be created.
  Result<Lease> acquire();

  PoolStats stats() const;
  // Every live instance, idle and in use, by id.
  std::vector<InstanceStats> instance_stats() const;

 private:
  // Takes an instance back: retires it when dead, over its uses or over the memory threshold,
  // and then tops the pool up to initial_pool_size.
  void give_back(std::unique_ptr<Slot> slot);
  // Creates one instance; called without the lock, after counting it in alive_.
  Result<std::unique_ptr<Slot>> create_slot();
  void top_up();
  void publish_locked();

  PoolConfig config_;
  InstanceFactory factory_;
  SandboxMetrics* metrics_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Slot>> idle_;
  // Instances alive (idle, in use) plus those being created.
  uint32_t alive_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, InstanceStats> live_;
  // The highest peak_pages of any instance so far, retired ones included.
  uint32_t peak_pages_seen_ = 0;
  PoolStats stats_;
};

}  // namespace riptide::sandbox
