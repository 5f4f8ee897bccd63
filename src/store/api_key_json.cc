#include "store/api_key_json.h"

#include <time.h>

#include <optional>
#include <string>

namespace riptide::store {

std::string format_time_utc(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm utc {};
  char text[32];
  if (gmtime_r(&t, &utc) == nullptr ||
      strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) {
    return std::to_string(unix_seconds);
  }
  return text;
}

namespace {

nlohmann::ordered_json optional_time(const std::optional<int64_t>& unix_seconds) {
  return unix_seconds ? nlohmann::ordered_json(format_time_utc(*unix_seconds)) : nullptr;
}

// A key's own limit, or null: 0 in the store means the server's default.
nlohmann::ordered_json limit_json(uint32_t value) {
  return value != 0 ? nlohmann::ordered_json(value) : nullptr;
}

}  // namespace

nlohmann::ordered_json api_key_to_json(const ApiKeyRecord& key) {
  nlohmann::ordered_json out;
  out["id"] = key.id;
  out["name"] = key.name;
  out["prefix"] = key.prefix;
  out["admin"] = key.admin;
  out["created_at"] = format_time_utc(key.created_at);
  out["last_used_at"] = optional_time(key.last_used_at);
  out["revoked_at"] = optional_time(key.revoked_at);
  out["rate_per_minute"] = limit_json(key.rate_per_minute);
  out["burst"] = limit_json(key.burst);
  out["concurrency"] = limit_json(key.concurrency);
  return out;
}

nlohmann::ordered_json usage_to_json(const Usage& usage) {
  nlohmann::ordered_json out;
  out["requests"] = usage.requests;
  out["pages"] = usage.pages;
  out["errors"] = usage.errors;
  out["bytes_in"] = usage.bytes_in;
  out["bytes_out"] = usage.bytes_out;
  return out;
}

}  // namespace riptide::store
