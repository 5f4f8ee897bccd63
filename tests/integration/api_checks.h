#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "http_client.h"

// Assertions on riptide's API responses shared by the integration tests (docs/api.md).
namespace riptide::testing {

// The body parsed as JSON; a discarded value (and a test failure) when it is not JSON.
nlohmann::json body_json(const HttpResult& result);

// The value at a JSON Pointer (RFC 6901, "/results/0/document/title"), null when any step is
// missing: test code reads nested fields of untrusted responses without throwing or asserting.
nlohmann::json json_at(const nlohmann::json& json, std::string_view pointer);
// The string at `pointer`, "" when missing or not a string.
std::string string_at(const nlohmann::json& json, std::string_view pointer);

// `result` is the standard error: HTTP `status`, a JSON body {"error": {"code", "message",
// "request_id"}} with the given code (any when empty), a message, and the request id of the
// X-Request-Id header.
::testing::AssertionResult is_api_error(const HttpResult& result, long status,
                                        std::string_view code = {});

// The headers every response carries (X-Request-Id, the security headers, Server).
::testing::AssertionResult has_standard_headers(const HttpResult& result);

// A request description for failure messages: "POST /v1/extract -> 500 {...}".
std::string describe(const HttpResult& result);

// The bytes of a file under the source tree (samples, test data).
std::string read_source_file(std::string_view relative_path);

}  // namespace riptide::testing
