#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/result.h"
#include "store/store.h"

// The embedded store: one SQLite file (docs/operations.md "Data directory").
namespace riptide::store {

struct SqliteConnection;  // sqlite_store.cc: the connection and its prepared statements

inline constexpr const char* kDatabaseFileName = "riptide.db";
// How long a statement waits for another process's write lock (`riptide keys create` while
// `riptide serve` runs) before failing with "database is locked".
inline constexpr std::chrono::milliseconds kBusyTimeout{5000};
// Usage counters are written at most this long after add_usage (the contract allows a second).
inline constexpr std::chrono::milliseconds kUsageFlushInterval{1000};

// Reads an environment variable; std::nullopt when unset. Injectable so tests need not touch the
// process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// The process environment (getenv).
std::optional<std::string> process_env(const std::string& name);

// Where the service keeps its state when no --data-dir is given (XDG Base Directory spec 0.8,
// $XDG_STATE_HOME): $XDG_STATE_HOME/riptide when that is set to an absolute path, else
// $HOME/.local/state/riptide, else (no HOME) the home directory of the current user from the
// password database.
std::filesystem::path default_data_dir(const EnvLookup& env);
std::filesystem::path default_data_dir();

struct SqliteStoreOptions {
  uint64_t cache_max_bytes = 0;  // the cache evicts its oldest entries beyond this
  std::chrono::milliseconds usage_flush_interval = kUsageFlushInterval;
  std::chrono::milliseconds busy_timeout = kBusyTimeout;
  // Unix seconds "now" for stored_at, revoked_at and last_used_at; tests inject their own.
  std::function<int64_t()> clock;
};

// Thread-safe: one connection guarded by a mutex (each call is one short statement or
// transaction), plus a background thread that writes buffered usage counters.
class SqliteStore final : public Store {
 public:
  // The schema version this build writes (PRAGMA user_version). A newer file is refused.
  static int schema_version();

  // Creates `data_dir` (and parents) and riptide.db in it if missing, and migrates an older
  // schema forward. Errors: kIo (cannot create the directory, open or read the file: "file is
  // not a database" for a corrupt one), kUnsupported (written by a newer riptide).
  static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& data_dir,
                                                   SqliteStoreOptions options);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Also an error while buffered usage cannot be written (disk full, file locked for longer
  // than busy_timeout): readiness then reports the store as failing.
  Status ping() override;
  // kInvalidArgument when the id or the hash already exists.
  Status insert_key(const ApiKeyRecord& key) override;
  Result<std::optional<ApiKeyRecord>> find_key_by_hash(std::string_view sha256_hex) override;
  Result<std::vector<ApiKeyRecord>> list_keys() override;
  // `id_or_prefix` is a key id, or the start of a key id or of a key's shown prefix; it must
  // name exactly one key (kInvalidArgument listing the candidates otherwise). Revoking a revoked
  // key keeps its first revoked_at.
  Status revoke_key(std::string_view id_or_prefix) override;

  // Buffered; usage() includes deltas not yet written. Writing also sets the key's last_used_at.
  void add_usage(std::string_view key_id, const Usage& delta) override;
  Result<Usage> usage(std::string_view key_id) override;
  Status flush() override;

  Result<std::optional<CacheEntry>> cache_get(std::string_view key,
                                              std::chrono::seconds max_age) override;
  // An entry larger than cache_max_bytes on its own is not stored.
  Status cache_put(std::string_view key, std::string_view value) override;

  // Crawl jobs as store::Store documents them. crawl_results and crawl_fingerprints of an
  // unknown id are empty.
  Status create_crawl_job(const CrawlJobRecord& job) override;
  Status checkpoint_crawl_job(const CrawlJobRecord& job,
                              const std::vector<CrawlResultRecord>& results,
                              const std::string* frontier_json) override;
  Result<std::optional<CrawlJobRecord>> get_crawl_job(std::string_view id) override;
  Result<std::optional<std::string>> crawl_frontier(std::string_view id) override;
  Result<std::vector<CrawlJobRecord>> list_crawl_jobs(std::string_view owner,
                                                      size_t limit) override;
  Result<std::vector<CrawlJobRecord>> unfinished_crawl_jobs() override;
  Result<std::vector<CrawlResultRecord>> crawl_results(std::string_view id, uint64_t after_seq,
                                                       size_t limit) override;
  Result<std::vector<std::pair<uint64_t, std::string>>> crawl_fingerprints(
      std::string_view id) override;
  Status delete_crawl_job(std::string_view id) override;

  // What the cache holds: the sum of its values' bytes (what cache_max_bytes bounds) and its
  // number of entries.
  struct CacheSize {
    uint64_t bytes = 0;
    uint64_t entries = 0;
  };
  Result<CacheSize> cache_size();
  const std::filesystem::path& path() const { return path_; }

 private:
  struct PendingUsage;
  SqliteStore(std::filesystem::path path, SqliteStoreOptions options,
              std::unique_ptr<SqliteConnection> db);
  void flush_loop(const std::stop_token& stop);
  int64_t now() const;

  std::filesystem::path path_;
  SqliteStoreOptions options_;
  std::unique_ptr<SqliteConnection> db_;  // guarded by its own mutex
  std::unique_ptr<PendingUsage> pending_;
  std::jthread flusher_;  // last member: stopped and joined before the others are destroyed
};

}  // namespace riptide::store
