#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace riptide {

// What went wrong, as a small stable set that maps onto the API's error codes.
enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // the caller passed something malformed (bad URL, bad selector, bad flag)
  kInvalidInput,     // the input document is unusable (not HTML, undecodable)
  kParseError,       // a parser gave up on the input
  kResourceLimit,    // a named limit (depth, nodes, bytes) was exceeded
  kTimeout,
  kUnsupported,
  kNotFound,
  kIo,
  kInternal,
  // A capacity or health condition on our side, not the input's fault; retrying later may work
  // (the sandbox pool had no free instance in time, or its breaker is open with no fallback).
  // The server answers 503 with Retry-After.
  kUnavailable,
  // Fetching (src/fetch): the URL resolves to an address the SSRF guard refuses (loopback,
  // private, link-local, CGNAT, multicast, cloud metadata) and no allowlist admits it.
  kBlockedAddress,
  // The fetched resource is not HTML/XHTML (a PDF, an image, JSON).
  kUnsupportedContentType,
  // The origin could not be reached or answered badly: DNS failure, refused connection, TLS
  // error, too many redirects, an HTTP error status from the origin.
  kFetchFailed,
};

std::string_view error_code_name(ErrorCode code);

// An error as a value: a code plus a human-readable message that names the offending input.
class Error {
 public:
  Error() = default;
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "resource_limit: DOM depth limit 512 exceeded"
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

}  // namespace riptide
