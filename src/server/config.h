#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// Configuration of the HTTP service (docs/operations.md lists every option with its default).
// Every default is a named constant so the documentation, the config loader (cli/config_file.h)
// and the server agree on one value.
namespace riptide::server {

inline constexpr const char* kDefaultHost = "127.0.0.1";
inline constexpr uint16_t kDefaultPort = 8080;
// Asio threads that accept, read and write; they never run an extraction.
inline constexpr uint32_t kDefaultIoThreads = 2;
// Threads that run extractions (CPU-bound). 0 = one per hardware thread.
inline constexpr uint32_t kDefaultWorkerThreads = 0;
// Extraction tasks waiting for a worker beyond which requests get 503 + Retry-After.
inline constexpr uint32_t kDefaultWorkerQueue = 256;
// Threads that fetch URLs (blocking libcurl transfers, mostly waiting on the network).
inline constexpr uint32_t kDefaultFetchThreads = 16;
// Fetches waiting for a fetch thread beyond which requests get 503 + Retry-After.
inline constexpr uint32_t kDefaultFetchQueue = 1024;
// Open connections beyond which new ones are closed at once.
inline constexpr uint32_t kDefaultMaxConnections = 4096;

// Request limits (413 beyond them). The body must hold the sandbox's largest page (10 MiB)
// JSON-escaped, which can nearly double it.
inline constexpr size_t kDefaultMaxHeaderBytes = size_t{16} << 10;
inline constexpr size_t kDefaultMaxBodyBytes = size_t{24} << 20;
// A request's header and body must arrive within this (slow-loris); an idle keep-alive
// connection is closed after kDefaultIdleTimeout.
inline constexpr std::chrono::milliseconds kDefaultReadTimeout{15'000};
inline constexpr std::chrono::milliseconds kDefaultIdleTimeout{60'000};
// A streaming response whose client has not accepted a byte for this long is abandoned.
inline constexpr std::chrono::milliseconds kDefaultWriteTimeout{60'000};
// SIGTERM: stop accepting, let in-flight requests finish for at most this long, then exit.
inline constexpr std::chrono::milliseconds kDefaultShutdownGrace{30'000};
// Seconds in the Retry-After of a 503 (worker queue full, pool exhausted, breaker open).
inline constexpr uint32_t kDefaultRetryAfterSeconds = 1;

// Per-key limits (a key's own values in the store override them; 0 there = these).
// Token bucket: refills rate_per_minute tokens a minute, holds at most `burst`.
inline constexpr uint32_t kDefaultRatePerMinute = 600;
inline constexpr uint32_t kDefaultBurst = 100;
// Requests of one key in flight at once (429 beyond).
inline constexpr uint32_t kDefaultKeyConcurrency = 32;

// Batches and streams.
inline constexpr uint32_t kMaxBatchItems = 1000;
inline constexpr uint32_t kDefaultBatchConcurrency = 8;
inline constexpr uint32_t kMaxBatchConcurrency = 64;
// Bytes of a streaming response queued for a slow client; producers pause beyond it.
inline constexpr size_t kStreamBufferBytes = size_t{1} << 20;

// Response cache (URL requests only): a cached record younger than max_age is served without
// fetching. A request's own "max_age" (seconds) overrides; 0 forces a fresh fetch.
inline constexpr std::chrono::seconds kDefaultCacheMaxAge{3600};
// The cache evicts its oldest entries beyond this many bytes.
inline constexpr uint64_t kDefaultCacheMaxBytes = uint64_t{512} << 20;

struct ServerConfig {
  std::string host = kDefaultHost;
  uint16_t port = kDefaultPort;  // 0 = any free port (the log and stdout name the one chosen)
  uint32_t io_threads = kDefaultIoThreads;
  uint32_t worker_threads = kDefaultWorkerThreads;
  uint32_t worker_queue = kDefaultWorkerQueue;
  uint32_t fetch_threads = kDefaultFetchThreads;
  uint32_t fetch_queue = kDefaultFetchQueue;
  uint32_t max_connections = kDefaultMaxConnections;
  size_t max_header_bytes = kDefaultMaxHeaderBytes;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::chrono::milliseconds read_timeout = kDefaultReadTimeout;
  std::chrono::milliseconds idle_timeout = kDefaultIdleTimeout;
  std::chrono::milliseconds write_timeout = kDefaultWriteTimeout;
  std::chrono::milliseconds shutdown_grace = kDefaultShutdownGrace;
  uint32_t retry_after_seconds = kDefaultRetryAfterSeconds;

  // false only with `riptide serve --no-auth` (local use; logged loudly).
  bool auth_required = true;
  uint32_t rate_per_minute = kDefaultRatePerMinute;
  uint32_t burst = kDefaultBurst;
  uint32_t key_concurrency = kDefaultKeyConcurrency;

  // CORS: origins allowed to call the API from a browser. Empty = no CORS headers; "*" = any.
  std::vector<std::string> cors_origins;

  uint32_t max_batch_items = kMaxBatchItems;
  uint32_t default_batch_concurrency = kDefaultBatchConcurrency;
  uint32_t max_batch_concurrency = kMaxBatchConcurrency;
  size_t stream_buffer_bytes = kStreamBufferBytes;

  std::chrono::seconds cache_max_age = kDefaultCacheMaxAge;
  uint64_t cache_max_bytes = kDefaultCacheMaxBytes;

  // Structured JSON access log lines (spdlog) for every request.
  bool access_log = true;
};

}  // namespace riptide::server
