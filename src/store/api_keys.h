#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

// API keys (docs/api.md "Authentication"): how a key is made, hashed and compared. The key is
// shown to its owner once; the store keeps only its SHA-256, so a leaked database does not leak
// usable keys.
namespace riptide::store {

// "rt_" + base64url (no padding) of kApiKeyRandomBytes from getrandom(2): 256 bits of entropy,
// far beyond guessing, and the prefix makes a leaked key recognisable to secret scanners.
inline constexpr std::string_view kApiKeyScheme = "rt_";
inline constexpr size_t kApiKeyRandomBytes = 32;
inline constexpr size_t kApiKeyLength = kApiKeyScheme.size() + (kApiKeyRandomBytes * 4 + 2) / 3;
// `riptide keys list` shows this many leading characters so an owner can recognise a key; the
// rest (at least 238 bits) stays secret.
inline constexpr size_t kApiKeyShownPrefixChars = 8;
// Key ids: "key_" + this many random bytes as hex.
inline constexpr size_t kApiKeyIdRandomBytes = 4;
// Length of a lowercase hex SHA-256.
inline constexpr size_t kSha256HexLength = 64;
// A key name is free text for humans; bounded so a list stays readable.
inline constexpr size_t kMaxApiKeyNameBytes = 200;

// A key's own limits; 0 = the server's default (server/config.h).
struct KeyLimits {
  uint32_t rate_per_minute = 0;
  uint32_t burst = 0;
  uint32_t concurrency = 0;
};

struct CreatedKey {
  std::string key;  // the plaintext key: give it to the user once, never store or log it
  ApiKeyRecord record;
};

// A fresh key (format above). Fails only if the kernel's random source fails.
Result<std::string> generate_api_key();

// True when `text` has the shape of a key made by generate_api_key (scheme, length, alphabet):
// anything else is refused without a store lookup.
bool is_well_formed_api_key(std::string_view text);

// Lowercase hex SHA-256 of `data` (OpenSSL libcrypto).
std::string sha256_hex(std::string_view data);

// Compares two strings in time that depends only on their lengths (CRYPTO_memcmp), so comparing
// a presented key's hash with a stored one leaks nothing about where they differ.
bool equal_constant_time(std::string_view a, std::string_view b);

// Makes a key, stores its record (hash only) and returns the plaintext once with the record.
// `name` must be non-empty, at most kMaxApiKeyNameBytes, without control characters.
Result<CreatedKey> create_api_key(Store& store, std::string_view name, bool admin,
                                  const KeyLimits& limits);

}  // namespace riptide::store
