#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

// An in-memory store::Store for unit tests of its users (access control, API handlers): keys and
// usage behave like the SQLite store's, the cache is a plain map stamped with `now` (the system
// clock unless a test sets it), and `fail` makes every call answer an I/O error, as a store whose
// disk went away would.
namespace riptide::testing {

class FakeStore : public store::Store {
 public:
  Status ping() override { return check(); }

  Status insert_key(const store::ApiKeyRecord& key) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    for (const auto& k : keys_) {
      if (k.id == key.id || k.sha256_hex == key.sha256_hex) {
        return Error(ErrorCode::kInvalidArgument, "duplicate key " + key.id);
      }
    }
    keys_.push_back(key);
    return {};
  }

  Result<std::optional<store::ApiKeyRecord>> find_key_by_hash(
      std::string_view sha256_hex) override {
    std::lock_guard lock(mutex_);
    ++find_calls;
    if (fail) return failure();
    for (const auto& k : keys_) {
      if (k.sha256_hex == sha256_hex) return std::optional<store::ApiKeyRecord>(k);
    }
    return std::optional<store::ApiKeyRecord>();
  }

  Result<std::vector<store::ApiKeyRecord>> list_keys() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    return keys_;
  }

  Status revoke_key(std::string_view id_or_prefix) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    for (auto& k : keys_) {
      if (k.id == id_or_prefix || k.prefix == id_or_prefix) {
        k.revoked_at = 1;
        return {};
      }
    }
    return Error(ErrorCode::kNotFound, "no such key");
  }

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
    if (fail) return failure();
    auto it = usage_.find(std::string(key_id));
    return it == usage_.end() ? store::Usage{} : it->second;
  }

  Status flush() override { return check(); }

  Result<std::optional<store::CacheEntry>> cache_get(std::string_view key,
                                                     std::chrono::seconds max_age) override {
    std::lock_guard lock(mutex_);
    ++cache_gets;
    if (fail) return failure();
    auto it = cache_.find(std::string(key));
    if (it == cache_.end() || now_seconds() - it->second.stored_at > max_age.count()) {
      return std::optional<store::CacheEntry>();
    }
    return std::optional<store::CacheEntry>(it->second);
  }

  Status cache_put(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mutex_);
    ++cache_puts;
    if (fail) return failure();
    cache_[std::string(key)] = store::CacheEntry{std::string(value), now_seconds()};
    return {};
  }

  std::atomic<bool> fail{false};
  std::atomic<int> find_calls{0};
  std::atomic<int> cache_gets{0};
  std::atomic<int> cache_puts{0};
  // Unix seconds the cache stamps entries with and ages them by; 0 = the system clock.
  std::atomic<int64_t> now{0};

 private:
  static Error failure() { return Error(ErrorCode::kIo, "fake store: disk I/O error"); }
  Status check() const { return fail ? Status(failure()) : Status(); }
  int64_t now_seconds() const {
    if (now != 0) return now;
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  std::mutex mutex_;
  std::vector<store::ApiKeyRecord> keys_;
  std::map<std::string, store::Usage> usage_;
  std::map<std::string, store::CacheEntry> cache_;
};

}  // namespace riptide::testing
