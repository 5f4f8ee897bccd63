#include "store/sqlite_store.h"

#include <pwd.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace riptide::store {

namespace {

// Forward migrations: entry i takes the schema from version i to i + 1 (PRAGMA user_version).
// Never edit a released entry; append a new one.
constexpr std::array<const char*, 2> kMigrations = {
    // 1: API keys, usage counters, the response cache. cache_size holds the cache's total value
    // bytes, kept by triggers, so eviction never scans the table and stays right when another
    // process writes the same file.
    R"sql(
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  sha256_hex TEXT NOT NULL UNIQUE,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER,
  rate_per_minute INTEGER NOT NULL DEFAULT 0,
  burst INTEGER NOT NULL DEFAULT 0,
  concurrency INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE usage (
  key_id TEXT PRIMARY KEY,
  requests INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  bytes_in INTEGER NOT NULL DEFAULT 0,
  bytes_out INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE cache (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  bytes INTEGER NOT NULL,
  stored_at INTEGER NOT NULL
);
CREATE INDEX cache_by_age ON cache (stored_at);
CREATE TABLE cache_size (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  bytes INTEGER NOT NULL,
  entries INTEGER NOT NULL
);
INSERT INTO cache_size VALUES (0, 0, 0);
CREATE TRIGGER cache_size_insert AFTER INSERT ON cache BEGIN
  UPDATE cache_size SET bytes = bytes + NEW.bytes, entries = entries + 1;
END;
CREATE TRIGGER cache_size_delete AFTER DELETE ON cache BEGIN
  UPDATE cache_size SET bytes = bytes - OLD.bytes, entries = entries - 1;
END;
CREATE TRIGGER cache_size_update AFTER UPDATE OF bytes ON cache BEGIN
  UPDATE cache_size SET bytes = bytes - OLD.bytes + NEW.bytes;
END;
)sql",
    // 2: crawl jobs (server/crawl_jobs.h), their results in report order and each job's last
    // frontier checkpoint. last_seq is the seq of the job's last stored result, so appending
    // checks continuity without scanning the results. Results and checkpoint go with their job
    // (ON DELETE CASCADE; the connection enables foreign keys). States are stored by name
    // (crawl_job_state_name) so the file reads without riptide.
    R"sql(
CREATE TABLE crawl_jobs (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  request_json TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('queued', 'running', 'completed', 'cancelled', 'failed')),
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  progress_json TEXT NOT NULL DEFAULT '',
  last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX crawl_jobs_by_age ON crawl_jobs (created_at);
CREATE INDEX crawl_jobs_by_owner ON crawl_jobs (owner, created_at);
CREATE INDEX crawl_jobs_unfinished ON crawl_jobs (created_at) WHERE state IN ('queued', 'running');
CREATE TABLE crawl_results (
  job_id TEXT NOT NULL REFERENCES crawl_jobs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  url TEXT NOT NULL,
  ok INTEGER NOT NULL,
  simhash INTEGER NOT NULL DEFAULT 0,
  json TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
);
CREATE TABLE crawl_frontiers (
  job_id TEXT PRIMARY KEY REFERENCES crawl_jobs (id) ON DELETE CASCADE,
  state_json TEXT NOT NULL
);
)sql",
};

constexpr int kSchemaVersion = static_cast<int>(kMigrations.size());

// Prepared once per connection and reused (SQLITE_PREPARE_PERSISTENT).
enum Stmt : size_t {
  kBegin,
  kCommit,
  kRollback,
  kUserVersion,
  kInsertKey,
  kFindKeyByHash,
  kListKeys,
  kKeyById,
  kKeysByPrefix,
  kRevokeKey,
  kTouchKey,
  kGetUsage,
  kAddUsage,
  kCacheGet,
  kCachePut,
  kCacheSize,
  kCacheOldest,
  kCacheDelete,
  kInsertCrawlJob,
  kCrawlJobLastSeq,
  kUpdateCrawlJob,
  kInsertCrawlResult,
  kPutCrawlFrontier,
  kGetCrawlJob,
  kGetCrawlFrontier,
  kListCrawlJobs,
  kListCrawlJobsOfOwner,
  kUnfinishedCrawlJobs,
  kCrawlResults,
  kCrawlFingerprints,
  kDeleteCrawlJob,
  kStmtCount,
};

#define RIPTIDE_KEY_COLUMNS                                                                      \
  "id, name, prefix, sha256_hex, admin, created_at, revoked_at, last_used_at, rate_per_minute, " \
  "burst, concurrency"

#define RIPTIDE_CRAWL_JOB_COLUMNS                                                \
  "id, owner, request_json, state, error, created_at, started_at, finished_at, " \
  "progress_json"

constexpr std::array<const char*, kStmtCount> kStatements = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "PRAGMA user_version",
    "INSERT INTO api_keys (" RIPTIDE_KEY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "SELECT " RIPTIDE_KEY_COLUMNS " FROM api_keys WHERE sha256_hex = ?",
    "SELECT " RIPTIDE_KEY_COLUMNS " FROM api_keys ORDER BY created_at, id",
    "SELECT id FROM api_keys WHERE id = ?1",
    "SELECT id FROM api_keys WHERE substr(id, 1, length(?1)) = ?1 "
    "OR substr(prefix, 1, length(?1)) = ?1 ORDER BY id",
    "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
    "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?2) WHERE id = ?1",
    "SELECT requests, pages, errors, bytes_in, bytes_out FROM usage WHERE key_id = ?",
    "INSERT INTO usage (key_id, requests, pages, errors, bytes_in, bytes_out) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key_id) DO UPDATE SET "
    "requests = requests + ?2, pages = pages + ?3, errors = errors + ?4, "
    "bytes_in = bytes_in + ?5, bytes_out = bytes_out + ?6",
    "SELECT value, stored_at FROM cache WHERE key = ?",
    "INSERT INTO cache (key, value, bytes, stored_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (key) DO UPDATE SET value = ?2, bytes = ?3, stored_at = ?4",
    "SELECT bytes, entries FROM cache_size",
    // Oldest first; the index on stored_at (which carries the rowid) gives this order.
    "SELECT rowid, bytes FROM cache ORDER BY stored_at, rowid",
    "DELETE FROM cache WHERE rowid = ?",
    "INSERT INTO crawl_jobs (" RIPTIDE_CRAWL_JOB_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "SELECT last_seq FROM crawl_jobs WHERE id = ?",
    "UPDATE crawl_jobs SET state = ?2, error = ?3, started_at = ?4, finished_at = ?5, "
    "progress_json = ?6, last_seq = ?7 WHERE id = ?1",
    "INSERT INTO crawl_results (job_id, seq, url, ok, simhash, json) VALUES (?, ?, ?, ?, ?, ?)",
    "INSERT INTO crawl_frontiers (job_id, state_json) VALUES (?1, ?2) "
    "ON CONFLICT (job_id) DO UPDATE SET state_json = ?2",
    "SELECT " RIPTIDE_CRAWL_JOB_COLUMNS " FROM crawl_jobs WHERE id = ?",
    "SELECT state_json FROM crawl_frontiers WHERE job_id = ?",
    // rowid breaks ties between jobs created in the same millisecond: creation order.
    "SELECT " RIPTIDE_CRAWL_JOB_COLUMNS
    " FROM crawl_jobs ORDER BY created_at DESC, rowid DESC LIMIT ?",
    "SELECT " RIPTIDE_CRAWL_JOB_COLUMNS
    " FROM crawl_jobs WHERE owner = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
    "SELECT " RIPTIDE_CRAWL_JOB_COLUMNS
    " FROM crawl_jobs WHERE state IN ('queued', 'running') ORDER BY created_at, rowid",
    "SELECT seq, url, ok, simhash, json FROM crawl_results WHERE job_id = ? AND seq > ? "
    "ORDER BY seq LIMIT ?",
    "SELECT simhash, url FROM crawl_results WHERE job_id = ? AND simhash != 0 ORDER BY seq",
    "DELETE FROM crawl_jobs WHERE id = ?",
};

#undef RIPTIDE_KEY_COLUMNS
#undef RIPTIDE_CRAWL_JOB_COLUMNS

int64_t system_unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SQLite stores integers as signed 64 bits; counters beyond that are clamped, not wrapped.
int64_t to_sql_int(uint64_t value) {
  return value > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(value);
}

// A constraint violation (duplicate key id or hash) is the caller's mistake; anything else is the
// file or the disk.
Error sqlite_error(sqlite3* conn, int rc, std::string_view what) {
  ErrorCode code = (rc & 0xff) == SQLITE_CONSTRAINT ? ErrorCode::kInvalidArgument : ErrorCode::kIo;
  const char* detail = conn != nullptr ? sqlite3_errmsg(conn) : sqlite3_errstr(rc);
  return Error(code, std::string(what) + ": " + detail);
}

// One use of a prepared statement: binds, steps, and on scope exit resets it and clears its
// bindings (so bound string_views are never read after the caller's data is gone).
class Use {
 public:
  Use(sqlite3* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  // SQLITE_STATIC: the caller's bytes stay alive until this Use resets the statement.
  Use& text(int index, std::string_view value) {
    sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
  }
  Use& blob(int index, std::string_view value) {
    sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_STATIC);
    return *this;
  }
  Use& integer(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Use& optional_integer(int index, const std::optional<int64_t>& value) {
    if (value) return integer(index, *value);
    sqlite3_bind_null(stmt_, index);
    return *this;
  }

  // true: a row is ready; false: done. Errors carry `what` and SQLite's message.
  Result<bool> step(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(conn_, rc, what);
  }
  Status run(std::string_view what) {
    Result<bool> row = step(what);
    if (!row) return row.error();
    return Status::ok_status();
  }

  int64_t column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
  bool column_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
  std::string column_bytes(int index) const {
    const void* data = sqlite3_column_blob(stmt_, index);
    int size = sqlite3_column_bytes(stmt_, index);
    if (data == nullptr || size <= 0) return {};
    return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
  }

 private:
  sqlite3* conn_;
  sqlite3_stmt* stmt_;
};

uint32_t column_u32(const Use& use, int index) {
  int64_t value = use.column_int(index);
  return value < 0 ? 0 : value > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(value);
}

uint64_t column_u64(const Use& use, int index) {
  int64_t value = use.column_int(index);
  return value < 0 ? 0 : static_cast<uint64_t>(value);
}

ApiKeyRecord read_key(const Use& row) {
  ApiKeyRecord key;
  key.id = row.column_bytes(0);
  key.name = row.column_bytes(1);
  key.prefix = row.column_bytes(2);
  key.sha256_hex = row.column_bytes(3);
  key.admin = row.column_int(4) != 0;
  key.created_at = row.column_int(5);
  if (!row.column_null(6)) key.revoked_at = row.column_int(6);
  if (!row.column_null(7)) key.last_used_at = row.column_int(7);
  key.rate_per_minute = column_u32(row, 8);
  key.burst = column_u32(row, 9);
  key.concurrency = column_u32(row, 10);
  return key;
}

Use& bind_crawl_job(Use& use, const CrawlJobRecord& job) {
  return use.text(1, job.id)
      .text(2, job.owner)
      .text(3, job.request_json)
      .text(4, crawl_job_state_name(job.state))
      .text(5, job.error)
      .integer(6, job.created_at)
      .optional_integer(7, job.started_at)
      .optional_integer(8, job.finished_at)
      .text(9, job.progress_json);
}

// A row of RIPTIDE_CRAWL_JOB_COLUMNS. The CHECK constraint keeps unknown states out, so one here
// means the file was edited by hand: an I/O-class error, not a crash.
Result<CrawlJobRecord> read_crawl_job(const Use& row) {
  CrawlJobRecord job;
  job.id = row.column_bytes(0);
  job.owner = row.column_bytes(1);
  job.request_json = row.column_bytes(2);
  std::string state = row.column_bytes(3);
  std::optional<CrawlJobState> parsed = parse_crawl_job_state(state);
  if (!parsed) {
    return Error(ErrorCode::kIo, "crawl job " + job.id + " has an unknown state '" + state + "'");
  }
  job.state = *parsed;
  job.error = row.column_bytes(4);
  job.created_at = row.column_int(5);
  if (!row.column_null(6)) job.started_at = row.column_int(6);
  if (!row.column_null(7)) job.finished_at = row.column_int(7);
  job.progress_json = row.column_bytes(8);
  return job;
}

// SQLite integers are signed: a 64-bit fingerprint is stored as the int64 with the same bits.
int64_t simhash_to_sql(uint64_t simhash) {
  return static_cast<int64_t>(simhash);
}
uint64_t simhash_from_sql(int64_t value) {
  return static_cast<uint64_t>(value);
}

void add_to(Usage& total, const Usage& delta) {
  total.requests += delta.requests;
  total.pages += delta.pages;
  total.errors += delta.errors;
  total.bytes_in += delta.bytes_in;
  total.bytes_out += delta.bytes_out;
}

// Lets the usage map be searched with a string_view (no allocation per add_usage).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace

// The connection and its prepared statements. Every use holds `mutex`.
struct SqliteConnection {
  std::mutex mutex;
  sqlite3* conn = nullptr;
  std::array<sqlite3_stmt*, kStmtCount> stmts{};
  // Why the last usage flush failed; cleared by the next one that writes everything.
  std::optional<Error> flush_error;

  ~SqliteConnection() {
    for (sqlite3_stmt* stmt : stmts) sqlite3_finalize(stmt);
    sqlite3_close_v2(conn);
  }

  Use use(Stmt stmt) { return Use(conn, stmts[stmt]); }

  Status exec(const char* sql, std::string_view what) {
    int rc = sqlite3_exec(conn, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(conn, rc, what);
    return Status::ok_status();
  }

  Result<SqliteStore::CacheSize> cache_size() {
    Use use = this->use(kCacheSize);
    Result<bool> row = use.step("read cache size");
    if (!row) return row.error();
    if (!*row) return SqliteStore::CacheSize{};
    return SqliteStore::CacheSize{column_u64(use, 0), column_u64(use, 1)};
  }

  Result<int> user_version() {
    Use use = this->use(kUserVersion);
    Result<bool> row = use.step("read schema version");
    if (!row) return row.error();
    return static_cast<int>(use.column_int(0));
  }
};

namespace {

// BEGIN IMMEDIATE (takes the write lock at once, so a busy file waits busy_timeout at the start
// rather than failing mid-transaction); rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(SqliteConnection& db) : db_(db) {}
  ~Transaction() {
    if (active_) (void)db_.use(kRollback).run("rollback");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin() {
    Status status = db_.use(kBegin).run("begin transaction");
    active_ = status.ok();
    return status;
  }
  Status commit() {
    Status status = db_.use(kCommit).run("commit");
    if (status.ok()) active_ = false;
    return status;
  }

 private:
  SqliteConnection& db_;
  bool active_ = false;
};

// Applies the migrations the file has not seen yet, each in its own transaction. The version is
// re-read inside the transaction: two processes opening a new file at once migrate it once.
Status migrate(SqliteConnection& db) {
  Result<int> version = db.user_version();
  if (!version) return version.error();
  if (*version > kSchemaVersion) {
    return Error(ErrorCode::kUnsupported, "database schema version " + std::to_string(*version) +
                                              " is newer than this riptide supports (" +
                                              std::to_string(kSchemaVersion) +
                                              "); upgrade riptide or use another data directory");
  }
  while (*version < kSchemaVersion) {
    Transaction tx(db);
    if (Status s = tx.begin(); !s) return s;
    version = db.user_version();
    if (!version) return version.error();
    if (*version >= kSchemaVersion) break;
    int next = *version + 1;
    std::string what = "migrate schema to version " + std::to_string(next);
    if (Status s = db.exec(kMigrations[static_cast<size_t>(*version)], what); !s) return s;
    std::string set_version = "PRAGMA user_version = " + std::to_string(next);
    if (Status s = db.exec(set_version.c_str(), what); !s) return s;
    if (Status s = tx.commit(); !s) return s;
    *version = next;
  }
  return Status::ok_status();
}

// Creates the data directory; a directory riptide creates itself is private to its user (it holds
// key hashes and fetched pages).
Status ensure_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::ok_status();
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 "cannot create data directory " + dir.string() + ": " + ec.message());
  }
  if (created) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error(ErrorCode::kIo, "data directory " + dir.string() + " is not a directory");
  }
  return Status::ok_status();
}

}  // namespace

struct SqliteStore::PendingUsage {
  struct Entry {
    Usage usage;
    int64_t last_used_at = 0;
  };
  using Map = std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>;

  std::mutex mutex;
  std::condition_variable_any wake;
  Map by_key;

  void merge(Map&& other) {
    for (auto& [key_id, entry] : other) {
      Entry& into = by_key[key_id];
      add_to(into.usage, entry.usage);
      into.last_used_at = std::max(into.last_used_at, entry.last_used_at);
    }
  }
};

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::filesystem::path default_data_dir(const EnvLookup& env) {
  // The XDG spec says a relative $XDG_STATE_HOME is invalid and must be ignored.
  std::optional<std::string> state = env("XDG_STATE_HOME");
  if (state && !state->empty() && state->front() == '/') {
    return std::filesystem::path(*state) / "riptide";
  }
  std::optional<std::string> home = env("HOME");
  std::filesystem::path home_dir;
  if (home && !home->empty()) {
    home_dir = *home;
  } else {
    // A service started without HOME (some init systems): the user's home from the password
    // database. getpwuid's static buffer is fine here: this runs once at startup.
    const passwd* entry = getpwuid(getuid());
    home_dir = entry != nullptr && entry->pw_dir != nullptr ? entry->pw_dir : "/";
  }
  return home_dir / ".local" / "state" / "riptide";
}

std::filesystem::path default_data_dir() {
  return default_data_dir(process_env);
}

int SqliteStore::schema_version() {
  return kSchemaVersion;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& data_dir,
                                                       SqliteStoreOptions options) {
  if (Status s = ensure_directory(data_dir); !s) return s.error();
  std::filesystem::path path = data_dir / kDatabaseFileName;
  std::string where = path.string();

  auto db = std::make_unique<SqliteConnection>();
  // NOMUTEX: SqliteConnection::mutex already serialises every use of the connection.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(where.c_str(), &db->conn, flags, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db->conn, rc, "open " + where);
  sqlite3_extended_result_codes(db->conn, 1);
  sqlite3_busy_timeout(db->conn, static_cast<int>(options.busy_timeout.count()));

  // The first statement reads the file: a corrupt or foreign file fails here ("file is not a
  // database"). WAL lets `riptide keys` and readers work while the server writes; synchronous
  // NORMAL is durable against crashes of the process in WAL mode (a power loss may drop the last
  // commits, never corrupt the file).
  if (Status s = db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                          "PRAGMA foreign_keys = ON;",
                          "open " + where);
      !s) {
    return s.error();
  }
  for (size_t i = 0; i < kStmtCount && i <= kUserVersion; ++i) {
    rc = sqlite3_prepare_v3(db->conn, kStatements[i], -1, SQLITE_PREPARE_PERSISTENT, &db->stmts[i],
                            nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db->conn, rc, "open " + where);
  }
  if (Status s = migrate(*db); !s) {
    return Error(s.error().code(), where + ": " + s.error().message());
  }
  // The other statements name tables, so they are prepared once the schema exists.
  for (size_t i = kUserVersion + 1; i < kStmtCount; ++i) {
    rc = sqlite3_prepare_v3(db->conn, kStatements[i], -1, SQLITE_PREPARE_PERSISTENT, &db->stmts[i],
                            nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db->conn, rc, "prepare statement on " + where);
  }
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(path), std::move(options), std::move(db)));
}

SqliteStore::SqliteStore(std::filesystem::path path, SqliteStoreOptions options,
                         std::unique_ptr<SqliteConnection> db)
    : path_(std::move(path)),
      options_(std::move(options)),
      db_(std::move(db)),
      pending_(std::make_unique<PendingUsage>()) {
  if (!options_.clock) options_.clock = system_unix_seconds;
  flusher_ = std::jthread([this](const std::stop_token& stop) { flush_loop(stop); });
}

SqliteStore::~SqliteStore() {
  flusher_.request_stop();
  if (flusher_.joinable()) flusher_.join();
  // Nowhere to report a failure from a destructor; an explicit flush() before closing does.
  (void)flush();
}

int64_t SqliteStore::now() const {
  return options_.clock();
}

void SqliteStore::flush_loop(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(pending_->mutex);
      // Wakes early only to stop; otherwise writes whatever accumulated once per interval.
      pending_->wake.wait_for(lock, stop, options_.usage_flush_interval, [] { return false; });
      if (stop.stop_requested() || pending_->by_key.empty()) continue;
    }
    // A failure keeps the deltas buffered; the next round retries.
    (void)flush();
  }
}

Status SqliteStore::ping() {
  std::lock_guard lock(db_->mutex);
  Result<int> version = db_->user_version();
  if (!version) return version.error();
  if (*version != kSchemaVersion) {
    return Error(ErrorCode::kIo, path_.string() + ": schema version changed underneath to " +
                                     std::to_string(*version));
  }
  if (db_->flush_error) {
    return Error(ErrorCode::kIo,
                 "usage counters cannot be written: " + db_->flush_error->message());
  }
  return Status::ok_status();
}

Status SqliteStore::insert_key(const ApiKeyRecord& key) {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kInsertKey);
  use.text(1, key.id)
      .text(2, key.name)
      .text(3, key.prefix)
      .text(4, key.sha256_hex)
      .integer(5, key.admin ? 1 : 0)
      .integer(6, key.created_at)
      .optional_integer(7, key.revoked_at)
      .optional_integer(8, key.last_used_at)
      .integer(9, key.rate_per_minute)
      .integer(10, key.burst)
      .integer(11, key.concurrency);
  return use.run("insert API key " + key.id);
}

Result<std::optional<ApiKeyRecord>> SqliteStore::find_key_by_hash(std::string_view sha256_hex) {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kFindKeyByHash);
  use.text(1, sha256_hex);
  Result<bool> row = use.step("find API key");
  if (!row) return row.error();
  if (!*row) return std::optional<ApiKeyRecord>();
  return std::optional<ApiKeyRecord>(read_key(use));
}

Result<std::vector<ApiKeyRecord>> SqliteStore::list_keys() {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kListKeys);
  std::vector<ApiKeyRecord> keys;
  while (true) {
    Result<bool> row = use.step("list API keys");
    if (!row) return row.error();
    if (!*row) break;
    keys.push_back(read_key(use));
  }
  return keys;
}

Status SqliteStore::revoke_key(std::string_view id_or_prefix) {
  if (id_or_prefix.empty()) {
    return Error(ErrorCode::kInvalidArgument, "revoke: give a key id or the start of a key");
  }
  std::lock_guard lock(db_->mutex);
  std::vector<std::string> matches;
  {
    Use exact = db_->use(kKeyById);
    exact.text(1, id_or_prefix);
    Result<bool> row = exact.step("revoke API key");
    if (!row) return row.error();
    if (*row) matches.push_back(exact.column_bytes(0));
  }
  if (matches.empty()) {
    Use by_prefix = db_->use(kKeysByPrefix);
    by_prefix.text(1, id_or_prefix);
    while (true) {
      Result<bool> row = by_prefix.step("revoke API key");
      if (!row) return row.error();
      if (!*row) break;
      matches.push_back(by_prefix.column_bytes(0));
    }
  }
  // Appended piecewise: `"'" + std::string(...)` trips GCC 12's false -Wrestrict at -O3.
  std::string quoted(1, '\'');
  quoted.append(id_or_prefix);
  quoted += '\'';
  if (matches.empty()) {
    return Error(ErrorCode::kNotFound, "no API key id or prefix matches " + quoted);
  }
  if (matches.size() > 1) {
    std::string ids;
    for (const std::string& id : matches) ids += (ids.empty() ? "" : ", ") + id;
    return Error(ErrorCode::kInvalidArgument, quoted + " matches " +
                                                  std::to_string(matches.size()) + " keys (" + ids +
                                                  "); give the key id");
  }
  Use revoke = db_->use(kRevokeKey);
  revoke.text(1, matches.front()).integer(2, now());
  return revoke.run("revoke API key " + matches.front());
}

void SqliteStore::add_usage(std::string_view key_id, const Usage& delta) {
  int64_t at = now();
  std::lock_guard lock(pending_->mutex);
  auto it = pending_->by_key.find(key_id);
  if (it == pending_->by_key.end())
    it = pending_->by_key.emplace(std::string(key_id), PendingUsage::Entry{}).first;
  add_to(it->second.usage, delta);
  it->second.last_used_at = std::max(it->second.last_used_at, at);
}

Result<Usage> SqliteStore::usage(std::string_view key_id) {
  // Lock order everywhere: the connection, then the pending map. flush() holds the connection
  // while it moves deltas from the map into the file, so this sees each delta exactly once.
  std::lock_guard db_lock(db_->mutex);
  Usage total;
  {
    Use use = db_->use(kGetUsage);
    use.text(1, key_id);
    Result<bool> row = use.step("read usage");
    if (!row) return row.error();
    if (*row) {
      total.requests = column_u64(use, 0);
      total.pages = column_u64(use, 1);
      total.errors = column_u64(use, 2);
      total.bytes_in = column_u64(use, 3);
      total.bytes_out = column_u64(use, 4);
    }
  }
  std::lock_guard pending_lock(pending_->mutex);
  if (auto it = pending_->by_key.find(key_id); it != pending_->by_key.end()) {
    add_to(total, it->second.usage);
  }
  return total;
}

Status SqliteStore::flush() {
  std::lock_guard db_lock(db_->mutex);
  PendingUsage::Map batch;
  {
    std::lock_guard pending_lock(pending_->mutex);
    batch.swap(pending_->by_key);
  }
  if (batch.empty()) {
    db_->flush_error.reset();
    return Status::ok_status();
  }

  // One transaction for the whole batch: one WAL commit per second, whatever the request rate.
  Status status = [&]() -> Status {
    Transaction tx(*db_);
    if (Status s = tx.begin(); !s) return s;
    for (const auto& [key_id, entry] : batch) {
      Use add = db_->use(kAddUsage);
      add.text(1, key_id)
          .integer(2, to_sql_int(entry.usage.requests))
          .integer(3, to_sql_int(entry.usage.pages))
          .integer(4, to_sql_int(entry.usage.errors))
          .integer(5, to_sql_int(entry.usage.bytes_in))
          .integer(6, to_sql_int(entry.usage.bytes_out));
      if (Status s = add.run("write usage of " + key_id); !s) return s;
      Use touch = db_->use(kTouchKey);
      touch.text(1, key_id).integer(2, entry.last_used_at);
      if (Status s = touch.run("write last use of " + key_id); !s) return s;
    }
    return tx.commit();
  }();
  if (status.ok()) {
    db_->flush_error.reset();
  } else {
    // Keep the counts for the next attempt rather than losing them.
    db_->flush_error = status.error();
    std::lock_guard pending_lock(pending_->mutex);
    pending_->merge(std::move(batch));
  }
  return status;
}

Result<std::optional<CacheEntry>> SqliteStore::cache_get(std::string_view key,
                                                         std::chrono::seconds max_age) {
  // max_age 0 asks for a fresh result (server/config.h), so nothing cached qualifies.
  if (max_age.count() <= 0) return std::optional<CacheEntry>();
  int64_t current = now();
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kCacheGet);
  use.text(1, key);
  Result<bool> row = use.step("read cache");
  if (!row) return row.error();
  if (!*row) return std::optional<CacheEntry>();
  CacheEntry entry;
  entry.stored_at = use.column_int(1);
  // An entry from the future (the clock was set back) counts as fresh.
  if (current - entry.stored_at > max_age.count()) return std::optional<CacheEntry>();
  entry.value = use.column_bytes(0);
  return std::optional<CacheEntry>(std::move(entry));
}

Status SqliteStore::cache_put(std::string_view key, std::string_view value) {
  if (value.size() > options_.cache_max_bytes) return Status::ok_status();
  int64_t current = now();
  std::lock_guard lock(db_->mutex);
  Transaction tx(*db_);
  if (Status s = tx.begin(); !s) return s;
  {
    Use put = db_->use(kCachePut);
    put.text(1, key).blob(2, value).integer(3, to_sql_int(value.size())).integer(4, current);
    if (Status s = put.run("write cache"); !s) return s;
  }
  Result<CacheSize> size = db_->cache_size();
  if (!size) return size.error();
  uint64_t total = size->bytes;
  if (total > options_.cache_max_bytes) {
    // Oldest stored first. Reads do not refresh an entry: the oldest are also the least fresh,
    // the first a max_age would refuse anyway, and a hit stays a pure read.
    uint64_t excess = total - options_.cache_max_bytes;
    std::vector<int64_t> victims;
    {
      Use oldest = db_->use(kCacheOldest);
      uint64_t freed = 0;
      while (freed < excess) {
        Result<bool> row = oldest.step("find cache entries to evict");
        if (!row) return row.error();
        if (!*row) break;
        victims.push_back(oldest.column_int(0));
        freed += column_u64(oldest, 1);
      }
    }
    for (int64_t rowid : victims) {
      Use del = db_->use(kCacheDelete);
      del.integer(1, rowid);
      if (Status s = del.run("evict cache entry"); !s) return s;
    }
  }
  return tx.commit();
}

Status SqliteStore::create_crawl_job(const CrawlJobRecord& job) {
  std::lock_guard lock(db_->mutex);
  Use insert = db_->use(kInsertCrawlJob);
  bind_crawl_job(insert, job);
  return insert.run("create crawl job " + job.id);
}

Status SqliteStore::checkpoint_crawl_job(const CrawlJobRecord& job,
                                         const std::vector<CrawlResultRecord>& results,
                                         const std::string* frontier_json) {
  std::lock_guard lock(db_->mutex);
  Transaction tx(*db_);
  if (Status s = tx.begin(); !s) return s;
  int64_t last_seq = 0;
  {
    Use read = db_->use(kCrawlJobLastSeq);
    read.text(1, job.id);
    Result<bool> row = read.step("checkpoint crawl job " + job.id);
    if (!row) return row.error();
    if (!*row) return Error(ErrorCode::kNotFound, "no crawl job " + job.id);
    last_seq = read.column_int(0);
  }
  // Checked before anything is written; a failure later still rolls back (Transaction).
  for (size_t i = 0; i < results.size(); ++i) {
    uint64_t expected = static_cast<uint64_t>(last_seq) + 1 + i;
    if (results[i].seq != expected) {
      return Error(ErrorCode::kInvalidArgument, "crawl job " + job.id + ": result seq " +
                                                    std::to_string(results[i].seq) + " where " +
                                                    std::to_string(expected) + " comes next");
    }
  }
  for (const CrawlResultRecord& result : results) {
    Use insert = db_->use(kInsertCrawlResult);
    insert.text(1, job.id)
        .integer(2, to_sql_int(result.seq))
        .text(3, result.url)
        .integer(4, result.ok ? 1 : 0)
        .integer(5, simhash_to_sql(result.simhash))
        .text(6, result.json);
    if (Status s = insert.run("store crawl result of " + job.id); !s) return s;
  }
  {
    Use update = db_->use(kUpdateCrawlJob);
    update.text(1, job.id)
        .text(2, crawl_job_state_name(job.state))
        .text(3, job.error)
        .optional_integer(4, job.started_at)
        .optional_integer(5, job.finished_at)
        .text(6, job.progress_json)
        .integer(7, last_seq + static_cast<int64_t>(results.size()));
    if (Status s = update.run("update crawl job " + job.id); !s) return s;
  }
  if (frontier_json != nullptr) {
    Use put = db_->use(kPutCrawlFrontier);
    put.text(1, job.id).text(2, *frontier_json);
    if (Status s = put.run("store frontier of crawl job " + job.id); !s) return s;
  }
  return tx.commit();
}

Result<std::optional<CrawlJobRecord>> SqliteStore::get_crawl_job(std::string_view id) {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kGetCrawlJob);
  use.text(1, id);
  Result<bool> row = use.step("read crawl job");
  if (!row) return row.error();
  if (!*row) return std::optional<CrawlJobRecord>();
  Result<CrawlJobRecord> job = read_crawl_job(use);
  if (!job) return job.error();
  return std::optional<CrawlJobRecord>(std::move(*job));
}

Result<std::optional<std::string>> SqliteStore::crawl_frontier(std::string_view id) {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kGetCrawlFrontier);
  use.text(1, id);
  Result<bool> row = use.step("read crawl frontier");
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(use.column_bytes(0));
}

namespace {

Result<std::vector<CrawlJobRecord>> read_crawl_jobs(Use& use, std::string_view what) {
  std::vector<CrawlJobRecord> jobs;
  while (true) {
    Result<bool> row = use.step(what);
    if (!row) return row.error();
    if (!*row) break;
    Result<CrawlJobRecord> job = read_crawl_job(use);
    if (!job) return job.error();
    jobs.push_back(std::move(*job));
  }
  return jobs;
}

}  // namespace

Result<std::vector<CrawlJobRecord>> SqliteStore::list_crawl_jobs(std::string_view owner,
                                                                 size_t limit) {
  std::lock_guard lock(db_->mutex);
  if (owner.empty()) {
    Use use = db_->use(kListCrawlJobs);
    use.integer(1, to_sql_int(limit));
    return read_crawl_jobs(use, "list crawl jobs");
  }
  Use use = db_->use(kListCrawlJobsOfOwner);
  use.text(1, owner).integer(2, to_sql_int(limit));
  return read_crawl_jobs(use, "list crawl jobs");
}

Result<std::vector<CrawlJobRecord>> SqliteStore::unfinished_crawl_jobs() {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kUnfinishedCrawlJobs);
  return read_crawl_jobs(use, "list unfinished crawl jobs");
}

Result<std::vector<CrawlResultRecord>> SqliteStore::crawl_results(std::string_view id,
                                                                  uint64_t after_seq,
                                                                  size_t limit) {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kCrawlResults);
  use.text(1, id).integer(2, to_sql_int(after_seq)).integer(3, to_sql_int(limit));
  std::vector<CrawlResultRecord> results;
  while (true) {
    Result<bool> row = use.step("read crawl results");
    if (!row) return row.error();
    if (!*row) break;
    CrawlResultRecord& result = results.emplace_back();
    result.seq = column_u64(use, 0);
    result.url = use.column_bytes(1);
    result.ok = use.column_int(2) != 0;
    result.simhash = simhash_from_sql(use.column_int(3));
    result.json = use.column_bytes(4);
  }
  return results;
}

Result<std::vector<std::pair<uint64_t, std::string>>> SqliteStore::crawl_fingerprints(
    std::string_view id) {
  std::lock_guard lock(db_->mutex);
  Use use = db_->use(kCrawlFingerprints);
  use.text(1, id);
  std::vector<std::pair<uint64_t, std::string>> fingerprints;
  while (true) {
    Result<bool> row = use.step("read crawl fingerprints");
    if (!row) return row.error();
    if (!*row) break;
    fingerprints.emplace_back(simhash_from_sql(use.column_int(0)), use.column_bytes(1));
  }
  return fingerprints;
}

Status SqliteStore::delete_crawl_job(std::string_view id) {
  std::lock_guard lock(db_->mutex);
  Use del = db_->use(kDeleteCrawlJob);
  del.text(1, id);
  // Results and checkpoint go with it (ON DELETE CASCADE), in the statement's own transaction.
  if (Status s = del.run("delete crawl job"); !s) return s;
  if (sqlite3_changes(db_->conn) == 0) {
    return Error(ErrorCode::kNotFound, "no crawl job " + std::string(id));
  }
  return Status::ok_status();
}

Result<SqliteStore::CacheSize> SqliteStore::cache_size() {
  std::lock_guard lock(db_->mutex);
  return db_->cache_size();
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir,
                                                 uint64_t cache_max_bytes) {
  SqliteStoreOptions options;
  options.cache_max_bytes = cache_max_bytes;
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::open(data_dir, std::move(options));
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace riptide::store
