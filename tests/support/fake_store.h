#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store.h"

// An in-memory store::Store for unit tests of its users (access control, API handlers, crawl jobs):
// keys, usage and crawl jobs behave like the SQLite store's (same errors, orders and seq checks;
// a failed checkpoint changes nothing), the cache is a plain map stamped with `now` (the system
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

  Status create_crawl_job(const store::CrawlJobRecord& job) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    if (find_job(job.id) != nullptr) {
      return Error(ErrorCode::kInvalidArgument, "duplicate crawl job " + job.id);
    }
    jobs_.push_back(Job{job, {}, std::nullopt});
    return {};
  }

  Status checkpoint_crawl_job(const store::CrawlJobRecord& job,
                              const std::vector<store::CrawlResultRecord>& results,
                              const std::string* frontier_json) override {
    std::lock_guard lock(mutex_);
    ++checkpoints;
    if (fail) return failure();
    Job* stored = find_job(job.id);
    if (stored == nullptr) return Error(ErrorCode::kNotFound, "no crawl job " + job.id);
    uint64_t next = stored->results.empty() ? 1 : stored->results.back().seq + 1;
    for (const store::CrawlResultRecord& result : results) {
      if (result.seq != next++) {
        return Error(ErrorCode::kInvalidArgument, "crawl result seq out of order");
      }
    }
    stored->results.insert(stored->results.end(), results.begin(), results.end());
    store::CrawlJobRecord& record = stored->record;
    record.state = job.state;
    record.error = job.error;
    record.started_at = job.started_at;
    record.finished_at = job.finished_at;
    record.progress_json = job.progress_json;
    if (frontier_json != nullptr) stored->frontier = *frontier_json;
    return {};
  }

  Result<std::optional<store::CrawlJobRecord>> get_crawl_job(std::string_view id) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    const Job* job = find_job(id);
    if (job == nullptr) return std::optional<store::CrawlJobRecord>();
    return std::optional<store::CrawlJobRecord>(job->record);
  }

  Result<std::optional<std::string>> crawl_frontier(std::string_view id) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    const Job* job = find_job(id);
    return job == nullptr ? std::optional<std::string>() : job->frontier;
  }

  // Newest first: by created_at, then the later created (the SQLite store's order).
  Result<std::vector<store::CrawlJobRecord>> list_crawl_jobs(std::string_view owner,
                                                             size_t limit) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    std::vector<const Job*> order;
    for (const Job& job : jobs_) {
      if (owner.empty() || job.record.owner == owner) order.push_back(&job);
    }
    std::stable_sort(order.begin(), order.end(), [](const Job* a, const Job* b) {
      return a->record.created_at < b->record.created_at;
    });
    std::vector<store::CrawlJobRecord> out;
    for (auto it = order.rbegin(); it != order.rend() && out.size() < limit; ++it) {
      out.push_back((*it)->record);
    }
    return out;
  }

  Result<std::vector<store::CrawlJobRecord>> unfinished_crawl_jobs() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    std::vector<store::CrawlJobRecord> out;
    for (const Job& job : jobs_) {
      if (!store::is_final(job.record.state)) out.push_back(job.record);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
    return out;
  }

  Result<std::vector<store::CrawlResultRecord>> crawl_results(std::string_view id,
                                                              uint64_t after_seq,
                                                              size_t limit) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    std::vector<store::CrawlResultRecord> out;
    const Job* job = find_job(id);
    if (job == nullptr) return out;
    // seqs are 1, 2, 3, ...: result i has seq i + 1.
    for (size_t i = after_seq < job->results.size() ? after_seq : job->results.size();
         i < job->results.size() && out.size() < limit; ++i) {
      out.push_back(job->results[i]);
    }
    return out;
  }

  Result<std::vector<std::pair<uint64_t, std::string>>> crawl_fingerprints(
      std::string_view id) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    std::vector<std::pair<uint64_t, std::string>> out;
    if (const Job* job = find_job(id)) {
      for (const store::CrawlResultRecord& result : job->results) {
        if (result.simhash != 0) out.emplace_back(result.simhash, result.url);
      }
    }
    return out;
  }

  Status delete_crawl_job(std::string_view id) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure();
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      if (it->record.id == id) {
        jobs_.erase(it);
        return {};
      }
    }
    return Error(ErrorCode::kNotFound, "no crawl job " + std::string(id));
  }

  std::atomic<bool> fail{false};
  std::atomic<int> checkpoints{0};  // checkpoint_crawl_job calls, failed ones included
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

  struct Job {
    store::CrawlJobRecord record;
    std::vector<store::CrawlResultRecord> results;
    std::optional<std::string> frontier;
  };
  Job* find_job(std::string_view id) {
    for (Job& job : jobs_) {
      if (job.record.id == id) return &job;
    }
    return nullptr;
  }

  std::mutex mutex_;
  std::vector<Job> jobs_;  // creation order
  std::vector<store::ApiKeyRecord> keys_;
  std::map<std::string, store::Usage> usage_;
  std::map<std::string, store::CacheEntry> cache_;
};

}  // namespace riptide::testing
