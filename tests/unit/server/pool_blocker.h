#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "server/work_pool.h"
#include "tests/unit/server/fake_writer.h"

namespace riptide::server::testing {

// Waits (bounded) until `pool` runs and holds nothing: the tests use one-thread pools, and a
// task of the previous request may still be returning after it answered.
inline bool wait_idle(const WorkPool& pool) {
  auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (pool.active() != 0 || pool.queued() != 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Blocks the pool's one thread and fills its one queue slot until release(). The gate is shared
// with the tasks, which may still run after the blocker is gone.
class PoolBlocker {
 public:
  explicit PoolBlocker(WorkPool& pool) : gate_(std::make_shared<Gate>()) {
    auto wait = [gate = gate_] {
      std::unique_lock lock(gate->mutex);
      gate->cv.wait(lock, [&] { return gate->open; });
    };
    EXPECT_TRUE(wait_idle(pool));
    EXPECT_TRUE(pool.try_submit(wait));
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (pool.active() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(pool.try_submit(wait));
  }
  ~PoolBlocker() { release(); }
  void release() {
    std::lock_guard lock(gate_->mutex);
    gate_->open = true;
    gate_->cv.notify_all();
  }

 private:
  struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
  };
  std::shared_ptr<Gate> gate_;
};

}  // namespace riptide::server::testing
