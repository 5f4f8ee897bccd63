#include "server/http.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace riptide::server {
namespace {

TEST(HttpRequest, HeaderLookupIsCaseInsensitive) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Thing", "1"}, {"x-thing", "2"}};
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(request.header("x-THING"), "1");  // the first one
  EXPECT_EQ(request.header("Accept"), "");
  EXPECT_TRUE(request.has_header("x-thing"));
  EXPECT_FALSE(request.has_header("accept"));
}

TEST(HttpRequest, QueryParamsAreFormDecoded) {
  HttpRequest request;
  request.query = "mode=full&url=https%3A%2F%2Fa.example%2F%3Fq%3D1&q=a+b&empty=&flag&bad=%zz%4";
  EXPECT_EQ(request.query_param("mode"), "full");
  EXPECT_EQ(request.query_param("url"), "https://a.example/?q=1");
  EXPECT_EQ(request.query_param("q"), "a b");
  EXPECT_EQ(request.query_param("empty"), "");
  EXPECT_EQ(request.query_param("flag"), "");
  EXPECT_EQ(request.query_param("bad"), "%zz%4");
  EXPECT_EQ(request.query_param("missing"), std::nullopt);
  request.query = "";
  EXPECT_EQ(request.query_param("mode"), std::nullopt);
}

TEST(HttpRequest, PathParams) {
  HttpRequest request;
  request.path_params = {{"id", "abc"}};
  EXPECT_EQ(request.path_param("id"), "abc");
  EXPECT_EQ(request.path_param("page"), "");
}

TEST(HttpResponse, ErrorBodyHasCodeMessageAndRequestId) {
  HttpResponse response = error_response(429, "rate_limited", "slow down", "req-1", 7);
  EXPECT_EQ(response.status, 429u);
  EXPECT_EQ(response.content_type, "application/json");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "rate_limited");
  EXPECT_EQ(body["error"]["message"], "slow down");
  EXPECT_EQ(body["error"]["request_id"], "req-1");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (Header{"Retry-After", "7"}));
  EXPECT_TRUE(error_response(404, "not_found", "x", "r").headers.empty());
}

TEST(HttpResponse, InvalidUtf8InMessageDoesNotThrow) {
  HttpResponse response = error_response(400, "invalid_argument", "bad \xff byte", "r");
  nlohmann::json body = nlohmann::json::parse(response.body);
  // U+FFFD replaces the invalid byte.
  EXPECT_EQ(body["error"]["message"], "bad \xef\xbf\xbd byte");
}

TEST(HttpResponse, ErrorCodesMapToStatuses) {
  struct Case {
    ErrorCode code;
    unsigned status;
  } cases[] = {{ErrorCode::kInvalidArgument, 400},
               {ErrorCode::kBlockedAddress, 403},
               {ErrorCode::kNotFound, 404},
               {ErrorCode::kResourceLimit, 422},
               {ErrorCode::kUnsupportedContentType, 415},
               {ErrorCode::kFetchFailed, 502},
               {ErrorCode::kUnavailable, 503},
               {ErrorCode::kTimeout, 504},
               {ErrorCode::kInternal, 500}};
  for (const Case& c : cases) {
    EXPECT_EQ(http_status_for(c.code), c.status) << error_code_name(c.code);
  }
  HttpResponse busy = error_response(Error(ErrorCode::kUnavailable, "pool exhausted"), "r", 2);
  EXPECT_EQ(busy.status, 503u);
  EXPECT_EQ(nlohmann::json::parse(busy.body)["error"]["code"], "unavailable");
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].second, "2");
  // Retry-After only where retrying later helps.
  EXPECT_TRUE(error_response(Error(ErrorCode::kInvalidArgument, "x"), "r", 2).headers.empty());
}

}  // namespace
}  // namespace riptide::server
