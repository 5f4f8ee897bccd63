#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// Durable state of a riptide service (docs/operations.md "Data directory"): API keys, usage
// counters and the response cache; later crawl jobs. One interface; SQLite is the embedded
// default (store/sqlite_store.h), Redis the scale-out implementation.
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
};

// The embedded default: one SQLite file `riptide.db` in `data_dir` (created if missing, with
// parents), WAL mode. The cache evicts its oldest entries beyond `cache_max_bytes`.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 uint64_t cache_max_bytes);

}  // namespace riptide::store
