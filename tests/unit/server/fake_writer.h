#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/http.h"

namespace riptide::server::testing {

// Long enough for any request of the server's unit tests on a loaded machine; a hang fails
// instead of blocking.
inline constexpr std::chrono::seconds kWaitLimit{20};

// A ResponseWriter that records what the batch does with it. Writes add to pending_bytes while
// `hold` is set (a client that does not read).
class FakeWriter : public ResponseWriter {
 public:
  void send(HttpResponse response) override {
    std::lock_guard lock(mutex_);
    sent_ = std::move(response);
    answered_ = true;
    changed_.notify_all();
  }
  void start_stream(unsigned status, std::string content_type, std::vector<Header>) override {
    std::lock_guard lock(mutex_);
    stream_status_ = status;
    content_type_ = std::move(content_type);
  }
  bool write(std::string data) override {
    std::lock_guard lock(mutex_);
    if (gone_) return false;
    if (hold_) pending_ += data.size();
    chunks_.push_back(std::move(data));
    if (gone_after_writes_ > 0 && chunks_.size() >= gone_after_writes_) gone_ = true;
    changed_.notify_all();
    return true;
  }
  size_t pending_bytes() const override {
    std::lock_guard lock(mutex_);
    return pending_;
  }
  void when_writable(std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    writable_ = std::move(fn);
    changed_.notify_all();
  }
  void finish() override {
    std::lock_guard lock(mutex_);
    finished_ = true;
    answered_ = true;
    changed_.notify_all();
  }
  bool client_gone() const override {
    std::lock_guard lock(mutex_);
    return gone_;
  }

  void hold() {
    std::lock_guard lock(mutex_);
    hold_ = true;
  }
  void gone_after_writes(size_t n) {
    std::lock_guard lock(mutex_);
    gone_after_writes_ = n;
  }
  // Waits until the request was answered: send(), or finish() of a stream.
  bool wait_answered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return answered_; });
  }
  // Waits until the batch asked for when_writable.
  bool wait_asked() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return writable_ != nullptr; });
  }
  // Waits until the producer asked for when_writable again or the request was answered.
  bool wait_asked_or_answered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWaitLimit, [&] { return writable_ != nullptr || answered_; });
  }
  // Empties the buffer and runs the when_writable callback on a thread of its own, as the
  // server's I/O thread would once the socket accepted the bytes.
  void drain() {
    std::function<void()> fn;
    {
      std::lock_guard lock(mutex_);
      fn = std::move(writable_);
      writable_ = nullptr;
      pending_ = 0;
    }
    if (fn) std::thread(fn).join();
  }
  std::vector<std::string> chunks() {
    std::lock_guard lock(mutex_);
    return chunks_;
  }
  // The streamed body's NDJSON lines, parsed.
  std::vector<nlohmann::json> lines() {
    std::vector<nlohmann::json> out;
    for (const std::string& chunk : chunks()) {
      EXPECT_EQ(chunk.back(), '\n');
      out.push_back(nlohmann::json::parse(chunk));
    }
    return out;
  }
  std::optional<HttpResponse> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  std::string content_type() {
    std::lock_guard lock(mutex_);
    return content_type_;
  }
  bool finished() {
    std::lock_guard lock(mutex_);
    return finished_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<HttpResponse> sent_;
  unsigned stream_status_ = 0;
  std::string content_type_;
  std::vector<std::string> chunks_;
  size_t pending_ = 0;
  bool hold_ = false;
  size_t gone_after_writes_ = 0;
  bool gone_ = false;
  bool finished_ = false;
  bool answered_ = false;
  std::function<void()> writable_;
};

}  // namespace riptide::server::testing
