#include "sandbox/pool.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <utility>

#include "sandbox/metrics.h"

namespace riptide::sandbox {

struct Pool::Slot {
  std::unique_ptr<PooledInstance> instance;
  uint64_t id = 0;
  uint64_t uses = 0;
  uint64_t grow_failures_reported = 0;
};

Pool::Lease::Lease(Pool* pool, std::unique_ptr<Slot> slot) : pool_(pool), slot_(std::move(slot)) {}

Pool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), slot_(std::move(other.slot_)) {}

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    slot_ = std::move(other.slot_);
  }
  return *this;
}

Pool::Lease::~Lease() {
  release();
}

PooledInstance& Pool::Lease::instance() {
  assert(slot_ != nullptr);
  return *slot_->instance;
}

uint64_t Pool::Lease::id() const {
  return slot_ ? slot_->id : 0;
}

void Pool::Lease::release() {
  if (pool_ != nullptr && slot_ != nullptr) pool_->give_back(std::move(slot_));
  pool_ = nullptr;
}

Pool::Pool(const PoolConfig& config, InstanceFactory factory, SandboxMetrics* metrics)
    : config_(config), factory_(std::move(factory)), metrics_(metrics) {
  config_.max_pool_size = std::max<uint32_t>(config_.max_pool_size, 1);
  config_.initial_pool_size = std::min(config_.initial_pool_size, config_.max_pool_size);
  config_.max_uses_per_instance = std::max<uint64_t>(config_.max_uses_per_instance, 1);
  top_up();
}

Pool::~Pool() {
  std::lock_guard<std::mutex> lock(mutex_);
  assert(alive_ == idle_.size() && "every lease must be returned before the pool is destroyed");
  idle_.clear();
}

Result<std::unique_ptr<Pool::Slot>> Pool::create_slot() {
  auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<PooledInstance>> made = factory_();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!made.ok()) {
    --alive_;
    ++stats_.creation_failures;
    if (metrics_ != nullptr) metrics_->instantiation_failure();
    // The reserved place is free again: a waiter may create in it.
    returned_.notify_one();
    return made.error();
  }
  auto slot = std::make_unique<Slot>();
  slot->instance = std::move(made).value();
  slot->id = next_id_++;
  InstanceStats& s = live_[slot->id];
  s.id = slot->id;
  s.current_pages = slot->instance->current_pages();
  s.peak_pages = slot->instance->peak_pages();
  peak_pages_seen_ = std::max(peak_pages_seen_, s.peak_pages);
  ++stats_.created;
  if (metrics_ != nullptr) metrics_->instantiation(seconds);
  return slot;
}

void Pool::top_up() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (alive_ < config_.initial_pool_size) {
    ++alive_;
    lock.unlock();
    Result<std::unique_ptr<Slot>> slot = create_slot();
    lock.lock();
    // A factory that fails now will likely fail again; acquire() retries on demand.
    if (!slot.ok()) break;
    idle_.push_back(std::move(slot).value());
    publish_locked();
    returned_.notify_one();
  }
}

Result<Pool::Lease> Pool::acquire() {
  std::unique_lock<std::mutex> lock(mutex_);
  auto deadline = std::chrono::steady_clock::now() + config_.acquire_timeout;
  for (;;) {
    if (!idle_.empty()) {
      // Most recently returned first: its memory is the likeliest to be in cache.
      std::unique_ptr<Slot> slot = std::move(idle_.back());
      idle_.pop_back();
      live_[slot->id].in_use = true;
      ++stats_.hits;
      if (metrics_ != nullptr) metrics_->pool_hit();
      publish_locked();
      return Lease(this, std::move(slot));
    }
    if (alive_ < config_.max_pool_size) {
      ++alive_;
      ++stats_.misses;
      if (metrics_ != nullptr) metrics_->pool_miss();
      lock.unlock();
      Result<std::unique_ptr<Slot>> slot = create_slot();
      if (!slot.ok()) return slot.error();
      lock.lock();
      live_[(*slot)->id].in_use = true;
      publish_locked();
      return Lease(this, std::move(slot).value());
    }
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        alive_ >= config_.max_pool_size) {
      ++stats_.exhausted;
      if (metrics_ != nullptr) metrics_->pool_exhausted();
      return Error(ErrorCode::kUnavailable,
                   "pool exhausted: no sandbox instance became free within " +
                       std::to_string(config_.acquire_timeout.count()) + " ms (all " +
                       std::to_string(config_.max_pool_size) + " in use)");
    }
  }
}

void Pool::give_back(std::unique_ptr<Slot> slot) {
  // The slot is ours alone until it is back in idle_, so its instance can be read unlocked.
  PooledInstance& instance = *slot->instance;
  ++slot->uses;
  bool dead = instance.dead();
  uint32_t current = instance.current_pages();
  uint32_t peak = instance.peak_pages();
  uint64_t grow_failures = instance.grow_failures();
  std::optional<RetireReason> retire;
  if (dead) {
    retire = RetireReason::kDead;
  } else if (slot->uses >= config_.max_uses_per_instance) {
    retire = RetireReason::kUses;
  } else if (uint64_t{current} * kWasmPageBytes > config_.recycle_memory_bytes) {
    retire = RetireReason::kMemory;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (metrics_ != nullptr && grow_failures > slot->grow_failures_reported) {
      metrics_->grow_failures(grow_failures - slot->grow_failures_reported);
    }
    slot->grow_failures_reported = grow_failures;
    peak_pages_seen_ = std::max(peak_pages_seen_, peak);
    if (retire) {
      live_.erase(slot->id);
      --alive_;
      switch (*retire) {
        case RetireReason::kDead:
          ++stats_.discarded;
          break;
        case RetireReason::kUses:
          ++stats_.recycled_uses;
          break;
        case RetireReason::kMemory:
          ++stats_.recycled_memory;
          break;
      }
      if (metrics_ != nullptr) metrics_->retired(*retire);
    } else {
      InstanceStats& s = live_[slot->id];
      s.uses = slot->uses;
      s.current_pages = current;
      s.peak_pages = peak;
      s.grow_failures = grow_failures;
      s.in_use = false;
      idle_.push_back(std::move(slot));
    }
    publish_locked();
    returned_.notify_one();
  }
  if (retire) {
    // Freeing the instance (its memory reservation) happens outside the lock; a replacement is
    // made now so the next caller finds a warm instance.
    slot.reset();
    top_up();
  }
}

void Pool::publish_locked() {
  if (metrics_ == nullptr) return;
  uint32_t in_use = 0;
  uint64_t current = 0;
  for (const auto& [id, s] : live_) {
    in_use += s.in_use ? 1 : 0;
    current += s.current_pages;
  }
  metrics_->pool_instances(static_cast<uint32_t>(idle_.size()), in_use);
  metrics_->memory_pages(current, peak_pages_seen_);
}

PoolStats Pool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  PoolStats out = stats_;
  out.idle = static_cast<uint32_t>(idle_.size());
  out.in_use = static_cast<uint32_t>(
      std::count_if(live_.begin(), live_.end(), [](const auto& e) { return e.second.in_use; }));
  return out;
}

std::vector<InstanceStats> Pool::instance_stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<InstanceStats> out;
  out.reserve(live_.size());
  for (const auto& [id, s] : live_) out.push_back(s);
  return out;
}

}  // namespace riptide::sandbox
