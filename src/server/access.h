#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/config.h"

namespace riptide::store {
class Store;
}

// Who may call the API and how often (docs/api.md "Authentication" and "Rate limits"):
// `Authorization: Bearer <key>` checked against the SHA-256 hashes in the store, then a per-key
// token bucket and concurrency cap.
namespace riptide::server {

struct Principal {
  std::string key_id;  // "anonymous" under --no-auth
  std::string name;
  bool admin = false;
  // Effective limits: the key's own, else the server's. A server configured with
  // rate_per_minute 0 does not rate limit; concurrency 0 is no cap; burst 0 acts as 1.
  uint32_t rate_per_minute = 0;
  uint32_t burst = 0;
  uint32_t concurrency = 0;
};

enum class Denial : uint8_t {
  kMissingKey,   // 401: no Authorization header, or not "Bearer <key>"
  kInvalidKey,   // 401: no such key
  kRevokedKey,   // 403
  kNotAdmin,     // 403: an admin route with an ordinary key
  kRateLimited,  // 429: token bucket empty
  kConcurrency,  // 429: the key's concurrency cap is reached
  kStoreError,   // 503: the store could not be read
};

// Values for the X-RateLimit-Limit / -Remaining / -Reset headers and Retry-After.
struct RateInfo {
  uint32_t limit = 0;                // requests per minute
  uint32_t remaining = 0;            // whole tokens left
  uint32_t reset_seconds = 0;        // until the bucket is full again
  uint32_t retry_after_seconds = 0;  // set on kRateLimited / kConcurrency
};

// Held for as long as a request runs; releases the key's concurrency slot when destroyed.
class Lease {
 public:
  virtual ~Lease() = default;
};

struct Admission {
  std::optional<Denial> denial;  // empty = admitted
  std::string message;           // for the error body, e.g. "API key revoked"
  Principal principal;
  RateInfo rate;
  std::unique_ptr<Lease> lease;  // set when admitted
};

class AccessControl {
 public:
  using Clock = std::chrono::steady_clock;
  // `store` must outlive this. With config.auth_required false every request is "anonymous"
  // (still rate limited with the server's defaults) and admin routes are refused (kNotAdmin):
  // without keys nobody is an admin.
  AccessControl(const ServerConfig& config, store::Store& store);
  ~AccessControl();

  // Authenticates the Authorization header value (may be empty), checks `admin_only`, then takes
  // a token and a concurrency slot. Thread-safe. Lookups of a key are cached for a few seconds,
  // so a revocation takes effect within kKeyCacheTtl.
  Admission admit(std::string_view authorization, bool admin_only);

  // Tests drive the token buckets and the lookup cache with their own clock. Call before the
  // first admit (not synchronised with it).
  void set_clock_for_testing(std::function<Clock::time_point()> now);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline constexpr std::chrono::milliseconds kKeyCacheTtl{2000};

}  // namespace riptide::server
