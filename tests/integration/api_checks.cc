#include "api_checks.h"

#include <fstream>
#include <sstream>

namespace riptide::testing {
namespace {

// Enough of a failing response's body to see what went wrong without flooding the log.
constexpr size_t kDescribeBodyBytes = 600;

}  // namespace

std::string describe(const HttpResult& result) {
  if (!result.ok()) return "transport error: " + result.transport_error;
  std::string out = "HTTP " + std::to_string(result.status) + " ";
  out += result.body.substr(0, kDescribeBodyBytes);
  if (result.body.size() > kDescribeBodyBytes) out += "...";
  return out;
}

nlohmann::json body_json(const HttpResult& result) {
  nlohmann::json json = nlohmann::json::parse(result.body, nullptr, false);
  if (json.is_discarded()) ADD_FAILURE() << "body is not JSON: " << describe(result);
  return json;
}

nlohmann::json json_at(const nlohmann::json& json, std::string_view pointer) {
  const nlohmann::json::json_pointer path{std::string(pointer)};
  return json.contains(path) ? json.at(path) : nlohmann::json();
}

std::string string_at(const nlohmann::json& json, std::string_view pointer) {
  const nlohmann::json value = json_at(json, pointer);
  return value.is_string() ? value.get<std::string>() : std::string();
}

::testing::AssertionResult is_api_error(const HttpResult& result, long status,
                                        std::string_view code) {
  if (result.status != status) {
    return ::testing::AssertionFailure()
           << "expected HTTP " << status << ", got " << describe(result);
  }
  const std::string content_type = result.header("Content-Type").value_or("");
  if (!content_type.starts_with("application/json")) {
    return ::testing::AssertionFailure() << "error Content-Type is [" << content_type << "]";
  }
  const nlohmann::json json = nlohmann::json::parse(result.body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("error") ||
      !json["error"].is_object()) {
    return ::testing::AssertionFailure() << "not an error body: " << describe(result);
  }
  const nlohmann::json& error = json["error"];
  if (!error.value("code", nlohmann::json()).is_string() ||
      !error.value("message", nlohmann::json()).is_string() ||
      error["message"].get<std::string>().empty()) {
    return ::testing::AssertionFailure() << "error without code/message: " << describe(result);
  }
  if (!code.empty() && error["code"].get<std::string>() != code) {
    return ::testing::AssertionFailure()
           << "expected error code " << code << ", got " << describe(result);
  }
  const std::string request_id = result.header("X-Request-Id").value_or("");
  if (request_id.empty() || error.value("request_id", std::string()) != request_id) {
    return ::testing::AssertionFailure() << "error.request_id does not match X-Request-Id ["
                                         << request_id << "]: " << describe(result);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult has_standard_headers(const HttpResult& result) {
  struct Expected {
    const char* name;
    const char* value;  // substring that must be present
  };
  static constexpr Expected kExpected[] = {
      {"X-Content-Type-Options", "nosniff"}, {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},    {"Content-Security-Policy", "default-src 'none'"},
      {"Cache-Control", "no-store"},         {"Server", "riptide/"},
  };
  for (const Expected& expected : kExpected) {
    const std::optional<std::string> value = result.header(expected.name);
    if (!value || value->find(expected.value) == std::string::npos) {
      return ::testing::AssertionFailure() << expected.name << " is [" << value.value_or("absent")
                                           << "], expected it to contain " << expected.value;
    }
  }
  if (result.header("X-Request-Id").value_or("").empty()) {
    return ::testing::AssertionFailure() << "no X-Request-Id";
  }
  return ::testing::AssertionSuccess();
}

std::string read_source_file(std::string_view relative_path) {
  const std::string path = std::string(RIPTIDE_SOURCE_DIR) + "/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace riptide::testing
