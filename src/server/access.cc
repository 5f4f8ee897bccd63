#include "server/access.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "core/strings.h"
#include "store/api_keys.h"
#include "store/store.h"

namespace riptide::server {
namespace {

// Key lookups are spread over this many independently locked shards (by the first hex digit of
// the key's hash) so that requests of different keys rarely meet on a lock.
constexpr size_t kCacheShards = 16;
// Cached lookups per shard, found and not found alike. Past it the expired ones are dropped, and
// if that frees nothing the shard starts over: a flood of made-up keys must not grow memory.
constexpr size_t kMaxCachedKeysPerShard = 4096;

constexpr std::string_view kAnonymousKeyId = "anonymous";
constexpr std::string_view kBearerScheme = "bearer";

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
// Bound on a bucket's window (burst × interval) so the arithmetic below cannot overflow for any
// uint32 rate and burst; it is over 70 years, which no real limit reaches.
constexpr int64_t kMaxWindowNanos = std::numeric_limits<int64_t>::max() / 4;

// Rate and concurrency state of one key, shared by the key's cache entries and its leases. The
// token bucket is kept as GCRA (the "generic cell rate algorithm"): one theoretical arrival time
// (TAT) instead of a token count and a refill timestamp. It admits exactly what a token bucket of
// `burst` tokens refilled at `rate_per_minute` admits, and one atomic compare-and-swap updates it,
// so the hot path takes no lock.
struct KeyState {
  // Nanoseconds on AccessControl::Clock; the bucket is full whenever tat <= now.
  std::atomic<int64_t> tat{std::numeric_limits<int64_t>::min()};
  std::atomic<uint32_t> in_flight{0};
};

class KeyLease final : public Lease {
 public:
  explicit KeyLease(std::shared_ptr<KeyState> state) : state_(std::move(state)) {}
  ~KeyLease() override { state_->in_flight.fetch_sub(1, std::memory_order_release); }
  KeyLease(const KeyLease&) = delete;
  KeyLease& operator=(const KeyLease&) = delete;

 private:
  std::shared_ptr<KeyState> state_;
};

// What one lookup of a key hash found, immutable once built and shared by readers.
struct KeyInfo {
  bool found = false;
  bool revoked = false;
  Principal principal;
  std::shared_ptr<KeyState> state;  // set when found
};

struct CachedKey {
  AccessControl::Clock::time_point expires;
  std::shared_ptr<const KeyInfo> info;
};

struct alignas(64) CacheShard {
  std::mutex mutex;
  std::unordered_map<std::string, CachedKey> entries;  // by lowercase hex SHA-256
};

// "Bearer <token>": the scheme is case-insensitive (RFC 9110 section 11.1), whitespace around the
// value and between scheme and token is tolerated. Anything else is no key at all.
std::optional<std::string_view> bearer_token(std::string_view header) {
  header = str::trim(header);
  if (header.size() <= kBearerScheme.size() || !str::istarts_with(header, kBearerScheme)) {
    return std::nullopt;
  }
  char separator = header[kBearerScheme.size()];
  if (separator != ' ' && separator != '\t') return std::nullopt;
  std::string_view token = str::trim(header.substr(kBearerScheme.size() + 1));
  if (token.empty()) return std::nullopt;
  for (char c : token) {
    if (str::is_html_space(c)) return std::nullopt;
  }
  return token;
}

uint32_t ceil_seconds(int64_t nanos) {
  if (nanos <= 0) return 0;
  int64_t seconds = (nanos + kNanosPerSecond - 1) / kNanosPerSecond;
  return static_cast<uint32_t>(std::min<int64_t>(seconds, std::numeric_limits<uint32_t>::max()));
}

struct Bucket {
  int64_t interval;  // nanoseconds per token
  int64_t window;    // burst × interval: how far ahead of now the TAT may run

  Bucket(uint32_t rate_per_minute, uint32_t burst)
      : interval(std::max<int64_t>(kNanosPerMinute / rate_per_minute, 1)) {
    int64_t tokens = std::max<uint32_t>(burst, 1);
    window = tokens > kMaxWindowNanos / interval ? kMaxWindowNanos : tokens * interval;
  }

  uint32_t whole_tokens_left(int64_t tat, int64_t now) const {
    int64_t ahead = std::max<int64_t>(tat - now, 0);
    return static_cast<uint32_t>((window - ahead) / interval);
  }
};

}  // namespace

struct AccessControl::Impl {
  Impl(const ServerConfig& config, store::Store& store) : config_(config), store_(store) {
    anonymous_ = std::make_shared<KeyInfo>();
    anonymous_->found = true;
    anonymous_->principal.key_id = std::string(kAnonymousKeyId);
    anonymous_->principal.name = std::string(kAnonymousKeyId);
    anonymous_->principal.rate_per_minute = config_.rate_per_minute;
    anonymous_->principal.burst = config_.burst;
    anonymous_->principal.concurrency = config_.key_concurrency;
    anonymous_->state = std::make_shared<KeyState>();
  }

  Clock::time_point now() const { return now_ ? now_() : Clock::now(); }

  Admission admit(std::string_view authorization, bool admin_only);
  // The cached lookup of `token`, or a fresh one from the store; nullptr with `error` set when
  // the store failed.
  std::shared_ptr<const KeyInfo> lookup(std::string_view token, Clock::time_point now,
                                        std::string& error);
  std::shared_ptr<const KeyInfo> load(const std::string& hash, std::string& error);
  std::shared_ptr<KeyState> state_for(const std::string& key_id);
  void take(const KeyInfo& info, Clock::time_point now, Admission& admission);

  ServerConfig config_;
  store::Store& store_;
  std::function<Clock::time_point()> now_;
  std::shared_ptr<KeyInfo> anonymous_;
  std::array<CacheShard, kCacheShards> cache_;
  // Rate state outlives cache entries (they expire every kKeyCacheTtl; the bucket must not refill
  // when they do). One entry per key that was ever presented valid, so bounded by the store.
  std::mutex states_mutex_;
  std::unordered_map<std::string, std::shared_ptr<KeyState>> states_;
};

std::shared_ptr<KeyState> AccessControl::Impl::state_for(const std::string& key_id) {
  std::lock_guard lock(states_mutex_);
  std::shared_ptr<KeyState>& state = states_[key_id];
  if (!state) state = std::make_shared<KeyState>();
  return state;
}

std::shared_ptr<const KeyInfo> AccessControl::Impl::load(const std::string& hash,
                                                         std::string& error) {
  Result<std::optional<store::ApiKeyRecord>> found = store_.find_key_by_hash(hash);
  if (!found) {
    error = found.error().to_string();
    return nullptr;
  }
  auto info = std::make_shared<KeyInfo>();
  const std::optional<store::ApiKeyRecord>& record = *found;
  // The store finds the row by an index on the hash; the comparison here is what decides, and it
  // takes the same time wherever two hashes differ.
  if (!record || !store::equal_constant_time(record->sha256_hex, hash)) return info;
  info->found = true;
  info->revoked = record->revoked_at.has_value();
  Principal& p = info->principal;
  p.key_id = record->id;
  p.name = record->name;
  p.admin = record->admin;
  p.rate_per_minute =
      record->rate_per_minute != 0 ? record->rate_per_minute : config_.rate_per_minute;
  p.burst = record->burst != 0 ? record->burst : config_.burst;
  p.concurrency = record->concurrency != 0 ? record->concurrency : config_.key_concurrency;
  info->state = state_for(record->id);
  return info;
}

std::shared_ptr<const KeyInfo> AccessControl::Impl::lookup(std::string_view token,
                                                           Clock::time_point now,
                                                           std::string& error) {
  // The cache is keyed by the hash, never the key, so no plaintext key stays in memory and the
  // map's (not constant-time) probing can only reveal facts about hashes.
  std::string hash = store::sha256_hex(token);
  CacheShard& shard = cache_[static_cast<size_t>(str::hex_value(hash[0])) % kCacheShards];
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(hash);
    if (it != shard.entries.end() && now < it->second.expires) return it->second.info;
  }
  // Looked up outside the shard lock: a slow store must not stall other keys of the shard.
  std::shared_ptr<const KeyInfo> info = load(hash, error);
  if (!info) return nullptr;
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= kMaxCachedKeysPerShard) {
    std::erase_if(shard.entries, [&](const auto& entry) { return entry.second.expires <= now; });
    if (shard.entries.size() >= kMaxCachedKeysPerShard) shard.entries.clear();
  }
  shard.entries.insert_or_assign(std::move(hash), CachedKey{now + kKeyCacheTtl, info});
  return info;
}

void AccessControl::Impl::take(const KeyInfo& info, Clock::time_point now, Admission& admission) {
  const Principal& p = info.principal;
  KeyState& state = *info.state;
  admission.rate.limit = p.rate_per_minute;
  const int64_t t =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();

  // The concurrency slot first: a request turned away for concurrency keeps its token.
  uint32_t before = state.in_flight.fetch_add(1, std::memory_order_acq_rel);
  if (p.concurrency != 0 && before >= p.concurrency) {
    state.in_flight.fetch_sub(1, std::memory_order_release);
    admission.denial = Denial::kConcurrency;
    admission.message =
        "too many concurrent requests for this key (limit " + std::to_string(p.concurrency) + ")";
    admission.rate.retry_after_seconds = std::max<uint32_t>(config_.retry_after_seconds, 1);
    if (p.rate_per_minute != 0) {
      Bucket bucket(p.rate_per_minute, p.burst);
      int64_t tat = state.tat.load(std::memory_order_relaxed);
      admission.rate.remaining = bucket.whole_tokens_left(tat, t);
      admission.rate.reset_seconds = ceil_seconds(tat - t);
    }
    return;
  }

  if (p.rate_per_minute != 0) {  // 0: the server runs without a rate limit
    Bucket bucket(p.rate_per_minute, p.burst);
    int64_t tat = state.tat.load(std::memory_order_relaxed);
    int64_t next = 0;
    do {
      next = std::max(tat, t) + bucket.interval;
      if (next - t > bucket.window) {
        state.in_flight.fetch_sub(1, std::memory_order_release);
        admission.denial = Denial::kRateLimited;
        admission.message =
            "rate limit exceeded (" + std::to_string(p.rate_per_minute) + " requests per minute)";
        admission.rate.remaining = 0;
        admission.rate.reset_seconds = ceil_seconds(tat - t);
        // When the bucket holds one whole token again; never 0, which would invite a retry loop.
        admission.rate.retry_after_seconds =
            std::max<uint32_t>(ceil_seconds(next - t - bucket.window), 1);
        return;
      }
    } while (!state.tat.compare_exchange_weak(tat, next, std::memory_order_relaxed));
    admission.rate.remaining = bucket.whole_tokens_left(next, t);
    admission.rate.reset_seconds = ceil_seconds(next - t);
  }
  admission.lease = std::make_unique<KeyLease>(info.state);
}

Admission AccessControl::Impl::admit(std::string_view authorization, bool admin_only) {
  Admission admission;
  Clock::time_point t = now();
  std::shared_ptr<const KeyInfo> info;
  if (!config_.auth_required) {
    info = anonymous_;
  } else {
    std::optional<std::string_view> token = bearer_token(authorization);
    if (!token) {
      admission.denial = Denial::kMissingKey;
      admission.message = "missing API key: send the header 'Authorization: Bearer <key>'";
      return admission;
    }
    // Not the shape of any key we issue: refused without hashing or asking the store.
    if (!store::is_well_formed_api_key(*token)) {
      admission.denial = Denial::kInvalidKey;
      admission.message = "invalid API key";
      return admission;
    }
    std::string error;
    info = lookup(*token, t, error);
    if (!info) {
      admission.denial = Denial::kStoreError;
      admission.message = "API keys cannot be checked right now: " + error;
      return admission;
    }
    if (!info->found) {
      admission.denial = Denial::kInvalidKey;
      admission.message = "invalid API key";
      return admission;
    }
  }
  admission.principal = info->principal;
  if (info->revoked) {
    admission.denial = Denial::kRevokedKey;
    admission.message = "API key revoked";
    return admission;
  }
  if (admin_only && !info->principal.admin) {
    admission.denial = Denial::kNotAdmin;
    admission.message = config_.auth_required ? "this route needs an admin API key"
                                              : "admin routes are disabled when auth is off";
    return admission;
  }
  // Usage (and with it the key's last_used_at) is not recorded here but by the server when the
  // response is complete (ServerServices::usage_store), where its status and size are known; the
  // store buffers it, so no request waits on a disk write.
  take(*info, t, admission);
  return admission;
}

AccessControl::AccessControl(const ServerConfig& config, store::Store& store)
    : impl_(std::make_unique<Impl>(config, store)) {}

AccessControl::~AccessControl() = default;

Admission AccessControl::admit(std::string_view authorization, bool admin_only) {
  return impl_->admit(authorization, admin_only);
}

void AccessControl::set_clock_for_testing(std::function<Clock::time_point()> now) {
  impl_->now_ = std::move(now);
}

}  // namespace riptide::server
