#include "store/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <span>

#include "core/utf8.h"

namespace riptide::store {
namespace {

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kKeyIdScheme = "key_";

// Fills `out` from getrandom(2) (the kernel CSPRNG; blocks only before it is seeded at boot).
Status fill_random(std::span<unsigned char> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kIo, std::string("getrandom failed: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

// RFC 4648 section 5, without padding.
std::string base64url(std::span<const unsigned char> bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += kBase64UrlAlphabet[(v >> 18) & 63];
    out += kBase64UrlAlphabet[(v >> 12) & 63];
    out += kBase64UrlAlphabet[(v >> 6) & 63];
    out += kBase64UrlAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{bytes[i]} << 16;
    if (rest == 2) v |= uint32_t{bytes[i + 1]} << 8;
    out += kBase64UrlAlphabet[(v >> 18) & 63];
    out += kBase64UrlAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kBase64UrlAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

Status validate_name(std::string_view name) {
  if (name.empty()) return Error(ErrorCode::kInvalidArgument, "a key needs a name");
  if (name.size() > kMaxApiKeyNameBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "key name longer than " + std::to_string(kMaxApiKeyNameBytes) + " bytes");
  }
  if (!utf8::is_valid(name)) return Error(ErrorCode::kInvalidArgument, "key name is not UTF-8");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Error(ErrorCode::kInvalidArgument, "key name contains a control character");
    }
  }
  return {};
}

// The SHA-256 implementation, fetched once: an implicit fetch per digest (EVP_sha256() with
// OpenSSL 3) takes a lock on the provider store, and this runs on every uncached request.
const EVP_MD* sha256_md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

}  // namespace

Result<std::string> generate_api_key() {
  std::array<unsigned char, kApiKeyRandomBytes> random{};
  if (Status s = fill_random(random); !s) return s.error();
  std::string key(kApiKeyScheme);
  key += base64url(random);
  return key;
}

bool is_well_formed_api_key(std::string_view text) {
  if (text.size() != kApiKeyLength || text.substr(0, kApiKeyScheme.size()) != kApiKeyScheme) {
    return false;
  }
  for (char c : text.substr(kApiKeyScheme.size())) {
    if (!is_base64url_char(c)) return false;
  }
  return true;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // EVP_Digest fails only on allocation failure or a broken provider; a key hashed wrongly would
  // let nobody in, so treat it as the bug-class failure it is.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256_md(), nullptr) != 1) {
    std::abort();
  }
  return to_hex(std::span<const unsigned char>(digest.data(), length));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<CreatedKey> create_api_key(Store& store, std::string_view name, bool admin,
                                  const KeyLimits& limits) {
  if (Status s = validate_name(name); !s) return s.error();
  Result<std::string> key = generate_api_key();
  if (!key) return key.error();
  std::array<unsigned char, kApiKeyIdRandomBytes> id_bytes{};
  if (Status s = fill_random(id_bytes); !s) return s.error();

  CreatedKey created;
  created.key = std::move(key).value();
  ApiKeyRecord& record = created.record;
  record.id = std::string(kKeyIdScheme) + to_hex(id_bytes);
  record.name = std::string(name);
  record.prefix = created.key.substr(0, kApiKeyShownPrefixChars);
  record.sha256_hex = sha256_hex(created.key);
  record.admin = admin;
  record.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  record.rate_per_minute = limits.rate_per_minute;
  record.burst = limits.burst;
  record.concurrency = limits.concurrency;
  // 32 random id bits: a clash needs tens of thousands of keys, and the store's unique id
  // constraint turns one into an error rather than a silent overwrite.
  if (Status s = store.insert_key(record); !s) return s.error();
  return created;
}

}  // namespace riptide::store
