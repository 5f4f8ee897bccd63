#include "core/error.h"

namespace riptide {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kParseError:
      return "parse_error";
    case ErrorCode::kResourceLimit:
      return "resource_limit";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kBlockedAddress:
      return "blocked_address";
    case ErrorCode::kUnsupportedContentType:
      return "unsupported_content_type";
    case ErrorCode::kFetchFailed:
      return "fetch_failed";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out(error_code_name(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace riptide
