#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

// Durable state of a riptide service (docs/operations.md "Data directory"): API keys, usage
// counters, the response cache and crawl jobs with their results. One interface; SQLite is the
// embedded default (store/sqlite_store.h), Redis the scale-out implementation.
namespace riptide::store {

// An API key as stored: never the key itself, only its SHA-256 (store/api_keys.h).
struct ApiKeyRecord {
  std::string id;          // stable public identifier ("key_3f9a1c2b"), used by list/revoke
  std::string name;        // free text given at creation
  std::string prefix;      // first characters of the key ("rt_AbC1"), shown by list to recognise it
  std::string sha256_hex;  // lowercase hex SHA-256 of the whole key
  bool admin = false;      // may create keys over the API (POST /api/auth/keys)
  int64_t created_at = 0;  // Unix seconds
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> last_used_at;
  uint32_t rate_per_minute = 0;  // 0 = the server's default
  uint32_t burst = 0;            // 0 = the server's default
  uint32_t concurrency = 0;      // 0 = the server's default
};

// Counters per key (or per "anonymous" with --no-auth).
struct Usage {
  uint64_t requests = 0;
  uint64_t pages = 0;      // documents extracted
  uint64_t errors = 0;     // requests answered with an error
  uint64_t bytes_in = 0;   // HTML bytes extracted
  uint64_t bytes_out = 0;  // response bytes
};

struct CacheEntry {
  std::string value;      // what was stored (a serialized document record)
  int64_t stored_at = 0;  // Unix seconds
};

// A crawl job (POST /v1/crawl, server/crawl_jobs.h). Times are Unix milliseconds.
enum class CrawlJobState : uint8_t { kQueued, kRunning, kCompleted, kCancelled, kFailed };
std::string_view crawl_job_state_name(CrawlJobState state);  // "queued", "running", ...
std::optional<CrawlJobState> parse_crawl_job_state(std::string_view name);
inline bool is_final(CrawlJobState state) {
  return state == CrawlJobState::kCompleted || state == CrawlJobState::kCancelled ||
         state == CrawlJobState::kFailed;
}

struct CrawlJobRecord {
  std::string id;     // "crawl_" + 32 hex digits (128 random bits)
  std::string owner;  // the API key id that created it ("anonymous" with --no-auth)
  // The request as accepted (normalised JSON): a restarted service rebuilds the crawl from it.
  std::string request_json;
  CrawlJobState state = CrawlJobState::kQueued;
  std::string error;  // kFailed: why; kCompleted: "" or how it ended early ("time budget")
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  // Progress at the last checkpoint (crawl::CrawlProgress as JSON, "" before the first).
  std::string progress_json;
};

// One reported page of a crawl, in report order.
struct CrawlResultRecord {
  uint64_t seq = 0;  // 1, 2, 3, ... per job, in the order the crawler reported the pages
  std::string url;
  bool ok = false;       // a document (false: an error or a robots skip)
  uint64_t simhash = 0;  // 0 when not fingerprinted
  std::string json;      // the result object as the API returns it (one NDJSON line, no '\n')
};

// Thread-safe: every method may be called from any thread.
class Store {
 public:
  virtual ~Store() = default;

  // The store answers (readiness). Error when its file or server is unusable.
  virtual Status ping() = 0;

  // API keys.
  virtual Status insert_key(const ApiKeyRecord& key) = 0;
  // The key whose SHA-256 matches (revoked ones included: the caller answers 403 for them).
  virtual Result<std::optional<ApiKeyRecord>> find_key_by_hash(std::string_view sha256_hex) = 0;
  virtual Result<std::vector<ApiKeyRecord>> list_keys() = 0;
  // Revokes by id (or unique prefix of the key). kNotFound when none matches.
  virtual Status revoke_key(std::string_view id_or_prefix) = 0;

  // Usage counters; may be buffered in memory and written at most a second later (and on
  // flush/destruction), so the request path never waits on a disk write.
  virtual void add_usage(std::string_view key_id, const Usage& delta) = 0;
  virtual Result<Usage> usage(std::string_view key_id) = 0;
  virtual Status flush() = 0;

  // Response cache keyed by an opaque string (the server uses normalised URL + mode + options).
  // A hit only when the entry is at most `max_age` old.
  virtual Result<std::optional<CacheEntry>> cache_get(std::string_view key,
                                                      std::chrono::seconds max_age) = 0;
  virtual Status cache_put(std::string_view key, std::string_view value) = 0;

  // Crawl jobs (a store without them, such as a test fake, answers kUnsupported).
  // kInvalidArgument when the id exists.
  virtual Status create_crawl_job(const CrawlJobRecord& /*job*/) { return unsupported(); }
  // One transaction: appends `results` (their seqs continue the job's, no gaps; kInvalidArgument
  // otherwise), replaces the job's state/error/times/progress_json with `job`'s, and, when
  // `frontier_json` is non-null, its resume checkpoint. kNotFound for an unknown id.
  virtual Status checkpoint_crawl_job(const CrawlJobRecord& /*job*/,
                                      const std::vector<CrawlResultRecord>& /*results*/,
                                      const std::string* /*frontier_json*/) {
    return unsupported();
  }
  virtual Result<std::optional<CrawlJobRecord>> get_crawl_job(std::string_view /*id*/) {
    return unsupported();
  }
  // The last checkpoint's frontier (crawl::FrontierState as JSON); nullopt when none was saved.
  virtual Result<std::optional<std::string>> crawl_frontier(std::string_view /*id*/) {
    return unsupported();
  }
  // Jobs newest first; `owner` "" = every owner. At most `limit`.
  virtual Result<std::vector<CrawlJobRecord>> list_crawl_jobs(std::string_view /*owner*/,
                                                              size_t /*limit*/) {
    return unsupported();
  }
  // Jobs a restarted service must resume (state queued or running), oldest first.
  virtual Result<std::vector<CrawlJobRecord>> unfinished_crawl_jobs() { return unsupported(); }
  // Results with seq > after_seq, in seq order, at most `limit`.
  virtual Result<std::vector<CrawlResultRecord>> crawl_results(std::string_view /*id*/,
                                                               uint64_t /*after_seq*/,
                                                               size_t /*limit*/) {
    return unsupported();
  }
  // (simhash, url) of every fingerprinted result (simhash != 0), for dedup after a resume.
  virtual Result<std::vector<std::pair<uint64_t, std::string>>> crawl_fingerprints(
      std::string_view /*id*/) {
    return unsupported();
  }
  // Removes a job and its results (retention). kNotFound for an unknown id.
  virtual Status delete_crawl_job(std::string_view /*id*/) { return unsupported(); }

 protected:
  static Error unsupported() { return Error(ErrorCode::kUnsupported, "crawl jobs not supported"); }
};

// The embedded default: one SQLite file `riptide.db` in `data_dir` (created if missing, with
// parents), WAL mode. The cache evicts its oldest entries beyond `cache_max_bytes`.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 uint64_t cache_max_bytes);

}  // namespace riptide::store
