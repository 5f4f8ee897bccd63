#include "server/http.h"

#include <nlohmann/json.hpp>

#include <string>

#include "core/strings.h"

namespace riptide::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding (URL Standard 5.1): '+' is a space, %XX a byte;
// a '%' not followed by two hex digits stays as it is.
std::string form_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && in.size() - i > 2 && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (str::iequals(h.first, name)) return h.second;
  }
  return {};
}

bool HttpRequest::has_header(std::string_view name) const {
  for (const Header& h : headers) {
    if (str::iequals(h.first, name)) return true;
  }
  return false;
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string key = form_decode(pair.substr(0, eq));
    if (key != name) continue;
    return eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string_view HttpRequest::path_param(std::string_view name) const {
  for (const Header& p : path_params) {
    if (p.first == name) return p.second;
  }
  return {};
}

HttpResponse json_response(unsigned status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  // Replace invalid UTF-8 instead of throwing: messages may quote client input.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse error_response(unsigned status, std::string_view code, std::string_view message,
                            std::string_view request_id, uint32_t retry_after_seconds) {
  nlohmann::json body = {
      {"error", {{"code", code}, {"message", message}, {"request_id", request_id}}}};
  HttpResponse response = json_response(status, body);
  if (retry_after_seconds > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  }
  return response;
}

unsigned http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kUnsupported:
      return 400;
    case ErrorCode::kBlockedAddress:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kInvalidInput:
    case ErrorCode::kParseError:
    case ErrorCode::kResourceLimit:
      return 422;
    case ErrorCode::kUnsupportedContentType:
      return 415;
    case ErrorCode::kFetchFailed:
      return 502;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse error_response(const Error& error, std::string_view request_id,
                            uint32_t retry_after_seconds) {
  unsigned status = http_status_for(error.code());
  return error_response(status, error_code_name(error.code()), error.message(), request_id,
                        status == 503 ? retry_after_seconds : 0);
}

}  // namespace riptide::server
