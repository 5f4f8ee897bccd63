#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "store/store.h"

// An API key's record and usage as JSON, one form for `riptide keys create|list --json` and
// POST /api/auth/keys (docs/api.md "Authentication"). Never holds the key itself, only its
// record; the creator adds "key" once.
namespace riptide::store {

// "2026-12-03T10:00:00Z" (ISO 8601, UTC); the number itself when the time cannot be formatted.
std::string format_time_utc(int64_t unix_seconds);

// {id, name, prefix, admin, created_at, last_used_at, revoked_at, rate_per_minute, burst,
// concurrency}: times as ISO 8601 UTC ("2026-12-03T10:00:00Z") or null; a limit of 0 (the
// server's default) as null.
nlohmann::ordered_json api_key_to_json(const ApiKeyRecord& key);

// {requests, pages, errors, bytes_in, bytes_out}
nlohmann::ordered_json usage_to_json(const Usage& usage);

}  // namespace riptide::store
