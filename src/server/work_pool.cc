#include "server/work_pool.h"

#include <pthread.h>

#include <prometheus/counter.h>

#include <algorithm>
#include <utility>

namespace riptide::server {

WorkPool::WorkPool(std::string name, uint32_t threads, uint32_t queue_capacity,
                   prometheus::Counter* rejections)
    : name_(std::move(name)), queue_capacity_(queue_capacity), rejections_(rejections) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads_.reserve(threads);
  for (uint32_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
    // Linux limits thread names to 15 characters.
    std::string thread_name = name_.substr(0, 11) + "-" + std::to_string(i % 100);
    pthread_setname_np(threads_.back().native_handle(), thread_name.c_str());
  }
}

WorkPool::~WorkPool() {
  stop();
}

bool WorkPool::try_submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < queue_capacity_) {
      queue_.push_back(std::move(task));
      ready_.notify_one();
      return true;
    }
  }
  if (rejections_ != nullptr) rejections_->Increment();
  return false;
}

void WorkPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  std::lock_guard lock(mutex_);
  threads_.clear();
}

size_t WorkPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t WorkPool::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void WorkPool::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++active_;
    lock.unlock();
    task();
    task = nullptr;  // destroy captures (a writer) outside the lock
    lock.lock();
    --active_;
  }
}

}  // namespace riptide::server
