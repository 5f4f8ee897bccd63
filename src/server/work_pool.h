#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace prometheus {
class Counter;
}

// A fixed set of threads running submitted tasks from a bounded queue. When the queue is full
// try_submit() refuses at once instead of queueing without limit: the server answers 503 with
// Retry-After (ARCHITECTURE.md "CPU work off the I/O threads").
namespace riptide::server {

class WorkPool {
 public:
  using Task = std::function<void()>;

  // `threads` (0 = one per hardware thread) run tasks; at most `queue_capacity` tasks wait.
  // `rejections` (may be null, must outlive the pool) counts refused submissions. `name` names
  // the threads ("worker", "fetch") for debuggers.
  WorkPool(std::string name, uint32_t threads, uint32_t queue_capacity,
           prometheus::Counter* rejections = nullptr);
  // Runs every queued task, then joins the threads (stop()).
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (and `task` destroyed unrun) when the queue is full or the pool is
  // stopped. Thread-safe; never blocks on a running task. A task that throws terminates the
  // process (a bug: handlers turn failures into responses).
  [[nodiscard]] bool try_submit(Task task);

  // Refuses new tasks, runs those already queued, joins the threads. Idempotent.
  void stop();

  uint32_t threads() const { return static_cast<uint32_t>(threads_.size()); }
  uint32_t queue_capacity() const { return queue_capacity_; }
  // Tasks waiting (not running).
  size_t queued() const;
  // Tasks running now.
  size_t active() const;

 private:
  void run();

  std::string name_;
  uint32_t queue_capacity_;
  prometheus::Counter* rejections_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> queue_;
  size_t active_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace riptide::server
