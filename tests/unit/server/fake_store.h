#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

// An in-memory store::Store for the server's unit tests: a cache with a clock the test sets,
// usage counters, and switches that make the cache fail. API keys are not modelled.
namespace riptide::server::testing {

class FakeStore : public store::Store {
 public:
  Status ping() override { return {}; }
  Status insert_key(const store::ApiKeyRecord&) override { return unsupported(); }
  Result<std::optional<store::ApiKeyRecord>> find_key_by_hash(std::string_view) override {
    return unsupported();
  }
  Result<std::vector<store::ApiKeyRecord>> list_keys() override { return unsupported(); }
  Status revoke_key(std::string_view) override { return unsupported(); }

  void add_usage(std::string_view key_id, const store::Usage& delta) override {
    std::lock_guard lock(mutex_);
    store::Usage& u = usage_[std::string(key_id)];
    u.requests += delta.requests;
    u.pages += delta.pages;
    u.errors += delta.errors;
    u.bytes_in += delta.bytes_in;
    u.bytes_out += delta.bytes_out;
  }
  Result<store::Usage> usage(std::string_view key_id) override {
    std::lock_guard lock(mutex_);
    return usage_[std::string(key_id)];
  }
  Status flush() override { return {}; }

  Result<std::optional<store::CacheEntry>> cache_get(std::string_view key,
                                                     std::chrono::seconds max_age) override {
    std::lock_guard lock(mutex_);
    ++gets;
    if (fail_cache) return Error(ErrorCode::kIo, "disk on fire");
    auto it = cache_.find(std::string(key));
    if (it == cache_.end() || now - it->second.stored_at > max_age.count()) {
      return std::optional<store::CacheEntry>();
    }
    return std::optional<store::CacheEntry>(it->second);
  }
  Status cache_put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mutex_);
    ++puts;
    if (fail_cache) return Error(ErrorCode::kIo, "disk on fire");
    cache_[std::string(key)] = store::CacheEntry{std::string(value), now};
    return {};
  }

  std::vector<std::string> cache_keys() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> keys;
    for (const auto& [key, entry] : cache_) keys.push_back(key);
    return keys;
  }

  // Set by the test.
  int64_t now = 1'000'000;  // Unix seconds the cache stamps and compares with
  bool fail_cache = false;
  // Observed.
  int gets = 0;
  int puts = 0;

 private:
  static Error unsupported() { return Error(ErrorCode::kUnsupported, "not in the fake store"); }

  std::mutex mutex_;
  std::map<std::string, store::CacheEntry> cache_;
  std::map<std::string, store::Usage> usage_;
};

}  // namespace riptide::server::testing
