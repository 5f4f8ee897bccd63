// The HTTP API of a real `riptide serve` (docs/api.md): extraction from HTML in the body on the
// /v1 and compatibility routes, batches as JSON, health, metrics, and the protocol-level
// protections every route shares (400, 404, 405, 413, request ids, security headers).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

#include "api_checks.h"
#include "response_parsing.h"
#include "serve_fixture.h"
#include "server/config.h"
#include "test_site.h"

namespace riptide::testing {
namespace {

// The server's request body limit in this suite: small, so a 413 needs no large upload.
constexpr size_t kMaxBodyBytes = 64 * 1024;
// The one origin this suite's server allows for CORS.
constexpr const char* kAllowedOrigin = "https://app.example.org";
constexpr const char* kArticleUrl = "https://example.org/news/river-survey";

std::string extract_body(const std::string& html, nlohmann::json extra = nlohmann::json::object()) {
  extra["html"] = html;
  extra["url"] = kArticleUrl;
  return extra.dump();
}

// A record without the fields that differ between two runs of the same extraction.
nlohmann::json stable(nlohmann::json document) {
  if (document.is_object()) document.erase("stats");
  return document;
}

class ApiTest : public ServeFixture {
 public:
  static void SetUpTestSuite() {
    ServeOptions options;
    options.keys = {{.name = "user"}};
    options.env = {{"RIPTIDE_SERVER_MAX_BODY_BYTES", std::to_string(kMaxBodyBytes)},
                   {"RIPTIDE_SERVER_CORS_ORIGINS", kAllowedOrigin}};
    start_suite_server(options);
  }

 protected:
  HttpResult post_extract(std::string_view path, std::string body, Headers extra = {}) {
    return client().post(path, std::move(body), bearer(key("user"), std::move(extra)));
  }

  const std::string& article_ = article_html();
};

TEST_F(ApiTest, ExtractFromHtmlReturnsTheDocument) {
  const HttpResult result = post_extract("/v1/extract", extract_body(article_));
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_TRUE(result.header("Content-Type").value_or("").starts_with("application/json"));
  EXPECT_TRUE(has_standard_headers(result));
  const nlohmann::json doc = body_json(result);
  ASSERT_TRUE(doc.is_object()) << describe(result);
  EXPECT_EQ(doc.value("url", ""), kArticleUrl);
  EXPECT_EQ(doc.value("title", ""), kArticleTitle);
  EXPECT_EQ(doc.value("byline", ""), "Mara Lindqvist");
  EXPECT_EQ(doc.value("site_name", ""), "The Valley Courier");
  EXPECT_EQ(doc.value("language", ""), "en");
  EXPECT_GT(doc.value("word_count", 0), 50);
  EXPECT_NE(doc.value("markdown", "").find("Otters have returned to the upper reaches"),
            std::string::npos);
  EXPECT_NE(doc.value("text", "").find("Otters have returned"), std::string::npos);
  // Navigation and the cookie banner are not content.
  EXPECT_EQ(doc.value("text", "").find("We use cookies"), std::string::npos);
  EXPECT_TRUE(doc.contains("stats"));
}

TEST_F(ApiTest, CompatRoutesGiveTheSameDocumentAsV1) {
  const HttpResult v1 = post_extract("/v1/extract", extract_body(article_));
  ASSERT_EQ(v1.status, 200) << describe(v1);
  const nlohmann::json expected = stable(body_json(v1));
  for (const char* path : {"/api/extract", "/extract"}) {
    SCOPED_TRACE(path);
    const HttpResult compat = post_extract(path, extract_body(article_, {{"mode", "article"}}));
    ASSERT_EQ(compat.status, 200) << describe(compat);
    EXPECT_EQ(stable(body_json(compat)), expected);
  }
}

TEST_F(ApiTest, FormatsSelectTheFieldsReturned) {
  const HttpResult result =
      post_extract("/v1/extract", extract_body(article_, {{"formats", {"markdown"}}}));
  ASSERT_EQ(result.status, 200) << describe(result);
  const nlohmann::json doc = body_json(result);
  EXPECT_TRUE(doc.contains("markdown"));
  EXPECT_TRUE(doc.contains("url"));
  for (const char* absent : {"text", "html", "links", "media"}) {
    EXPECT_FALSE(doc.contains(absent)) << absent << " was not asked for";
  }
}

TEST_F(ApiTest, MetadataModeHasNoBody) {
  const HttpResult result =
      post_extract("/v1/extract", extract_body(article_, {{"mode", "metadata"}}));
  ASSERT_EQ(result.status, 200) << describe(result);
  const nlohmann::json doc = body_json(result);
  EXPECT_EQ(doc.value("title", ""), kArticleTitle);
  EXPECT_EQ(doc.value("markdown", ""), "");
}

TEST_F(ApiTest, CustomModeUsesTheSelectors) {
  const HttpResult result = post_extract(
      "/v1/extract", extract_body(article_, {{"mode", "custom"}, {"selectors", {"p.byline"}}}));
  ASSERT_EQ(result.status, 200) << describe(result);
  const std::string text = body_json(result).value("text", "");
  EXPECT_NE(text.find("Mara Lindqvist"), std::string::npos) << text;
  EXPECT_EQ(text.find("Otters have returned"), std::string::npos) << text;
}

TEST_F(ApiTest, BatchOfItemsAnswersInInputOrder) {
  nlohmann::json body = {{"items",
                          {{{"url", kArticleUrl}, {"html", article_}},
                           {{"url", "https://example.org/second"}, {"html", second_html()}}}}};
  const HttpResult result = client().post("/v1/batch", body.dump(), bearer(key("user")));
  ASSERT_EQ(result.status, 200) << describe(result);
  const nlohmann::json json = body_json(result);
  ASSERT_TRUE(json_at(json, "/results").is_array()) << describe(result);
  ASSERT_EQ(json_at(json, "/results").size(), 2u);
  EXPECT_EQ(json_at(json, "/results/0/index"), 0);
  EXPECT_EQ(json_at(json, "/results/0/url"), kArticleUrl);
  EXPECT_EQ(json_at(json, "/results/0/document/title"), kArticleTitle);
  EXPECT_EQ(json_at(json, "/results/1/index"), 1);
  EXPECT_EQ(json_at(json, "/results/1/document/title"), kSecondTitle);
  ASSERT_TRUE(json.contains("summary")) << describe(result);
  EXPECT_EQ(json_at(json, "/summary/total"), 2);
  EXPECT_EQ(json_at(json, "/summary/succeeded"), 2);
  EXPECT_EQ(json_at(json, "/summary/failed"), 0);
}

TEST_F(ApiTest, HealthRoutesArePublic) {
  const HttpResult live = client().get("/health/live");
  ASSERT_EQ(live.status, 200) << describe(live);
  EXPECT_EQ(body_json(live).value("status", ""), "ok");
  EXPECT_TRUE(has_standard_headers(live));

  const HttpResult ready = client().get("/health/ready");
  EXPECT_EQ(ready.status, 200) << describe(ready);

  for (const char* path : {"/health", "/health/detailed"}) {
    SCOPED_TRACE(path);
    const HttpResult detail = client().get(path);
    ASSERT_EQ(detail.status, 200) << describe(detail);
    const nlohmann::json json = body_json(detail);
    EXPECT_FALSE(json.value("version", "").empty()) << describe(detail);
    EXPECT_TRUE(json.contains("uptime_s")) << describe(detail);
    const std::string dump = json.dump();
    for (const char* component : {"sandbox", "store", "breaker"}) {
      EXPECT_NE(dump.find(component), std::string::npos) << component << " in " << dump;
    }
  }

  const HttpResult breakers = client().get("/health/circuit-breakers");
  ASSERT_EQ(breakers.status, 200) << describe(breakers);
  // A server that has not failed is closed.
  EXPECT_NE(breakers.body.find("closed"), std::string::npos) << describe(breakers);
}

TEST_F(ApiTest, MetricsCountRequestsByRouteAndStatus) {
  const HttpResult before = client().get("/metrics");
  ASSERT_EQ(before.status, 200) << describe(before);
  EXPECT_TRUE(before.header("Content-Type").value_or("").starts_with("text/plain"));
  const std::map<std::string, std::string> labels = {{"route", "/health/live"}, {"status", "200"}};
  const double live_before =
      metric_value(before.body, "riptide_http_requests_total", labels).value_or(0);
  constexpr int kRequests = 5;
  for (int i = 0; i < kRequests; ++i) ASSERT_EQ(client().get("/health/live").status, 200);
  ASSERT_EQ(post_extract("/v1/extract", extract_body(article_)).status, 200);

  const HttpResult after = client().get("/metrics");
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(metric_value(after.body, "riptide_http_requests_total", labels).value_or(0),
            live_before + kRequests)
      << after.body;
  EXPECT_GE(metric_value(after.body, "riptide_http_requests_total",
                         {{"route", "/v1/extract"}, {"status", "200"}})
                .value_or(0),
            1)
      << after.body;
  EXPECT_GE(metric_value(after.body, "riptide_http_request_duration_seconds_count",
                         {{"route", "/v1/extract"}})
                .value_or(0),
            1);
  // The sandbox's own metrics share the registry.
  EXPECT_GE(metric_value(after.body, "riptide_sandbox_extractions_total").value_or(0), 1);
}

TEST_F(ApiTest, MalformedJsonIs400) {
  const HttpResult result = post_extract("/v1/extract", R"({"html": "<p>x</p>", )");
  EXPECT_TRUE(is_api_error(result, 400));
  EXPECT_TRUE(has_standard_headers(result));
}

TEST_F(ApiTest, InvalidFieldsAre400NamingTheField) {
  const HttpResult no_input = post_extract("/v1/extract", R"({"mode": "article"})");
  EXPECT_TRUE(is_api_error(no_input, 400));

  const HttpResult bad_mode = post_extract("/v1/extract", extract_body(article_, {{"mode", "x"}}));
  ASSERT_TRUE(is_api_error(bad_mode, 400));
  EXPECT_NE(string_at(body_json(bad_mode), "/error/message").find("mode"), std::string::npos);

  const HttpResult bad_url =
      post_extract("/v1/extract", R"({"url": "ftp://example.org/file.html"})");
  EXPECT_TRUE(is_api_error(bad_url, 400));
}

TEST_F(ApiTest, UnknownRouteIs404) {
  const HttpResult result = client().get("/v1/nothing-here", bearer(key("user")));
  EXPECT_TRUE(is_api_error(result, 404));
  EXPECT_TRUE(has_standard_headers(result));
}

TEST_F(ApiTest, WrongMethodIs405WithAllow) {
  const HttpResult live = client().send("POST", "/health/live", "{}");
  ASSERT_TRUE(is_api_error(live, 405));
  EXPECT_NE(live.header("Allow").value_or("").find("GET"), std::string::npos);

  const HttpResult result = client().get("/v1/extract", bearer(key("user")));
  ASSERT_TRUE(is_api_error(result, 405));
  EXPECT_NE(result.header("Allow").value_or("").find("POST"), std::string::npos);
}

TEST_F(ApiTest, OversizedBodyIs413) {
  const std::string html(kMaxBodyBytes + 1024, 'a');
  // With Expect: 100-continue the server can refuse from Content-Length alone, before the body.
  const HttpResult result =
      post_extract("/v1/extract", extract_body(html), {{"Expect", "100-continue"}});
  EXPECT_TRUE(is_api_error(result, 413));

  // Without it the body arrives anyway; the answer must still be 413, not a reset connection.
  const HttpResult streamed = post_extract("/v1/extract", extract_body(html));
  EXPECT_TRUE(is_api_error(streamed, 413));

  // The server is still fine afterwards.
  EXPECT_EQ(client().get("/health/live").status, 200);
}

TEST_F(ApiTest, OversizedHeadersAre431) {
  const std::string big(server::kDefaultMaxHeaderBytes + 1024, 'x');
  const HttpResult result = client().get("/health/live", {{"X-Padding", big}});
  EXPECT_TRUE(is_api_error(result, 431));
  EXPECT_EQ(client().get("/health/live").status, 200);
}

TEST_F(ApiTest, RequestIdIsEchoedOrGenerated) {
  const HttpResult echoed = client().get("/health/live", {{"X-Request-Id", "itest-42.abc"}});
  EXPECT_EQ(echoed.header("X-Request-Id").value_or(""), "itest-42.abc");

  const HttpResult generated = client().get("/health/live");
  const std::string id = generated.header("X-Request-Id").value_or("");
  EXPECT_FALSE(id.empty());
  EXPECT_NE(id, client().get("/health/live").header("X-Request-Id").value_or(""));

  // An id that is not a sane token is replaced, never reflected.
  const std::string hostile = "a<script>" + std::string(100, 'x');
  const HttpResult replaced = client().get("/health/live", {{"X-Request-Id", hostile}});
  const std::string fresh = replaced.header("X-Request-Id").value_or("");
  EXPECT_FALSE(fresh.empty());
  EXPECT_NE(fresh, hostile);

  // Error bodies carry the same id.
  const HttpResult error = client().get("/nope", {{"X-Request-Id", "itest-err-1"}});
  EXPECT_TRUE(is_api_error(error, 404));
  EXPECT_EQ(error.header("X-Request-Id").value_or(""), "itest-err-1");
}

TEST_F(ApiTest, CorsPreflightAndHeadersForAnAllowedOriginOnly) {
  const HttpResult preflight =
      client().send("OPTIONS", "/v1/extract", {},
                    {{"Origin", kAllowedOrigin},
                     {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "authorization, content-type"}});
  ASSERT_EQ(preflight.status, 204) << describe(preflight);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin").value_or(""), kAllowedOrigin);
  EXPECT_NE(preflight.header("Access-Control-Allow-Methods").value_or("").find("POST"),
            std::string::npos);
  std::string allowed_headers = preflight.header("Access-Control-Allow-Headers").value_or("");
  for (char& c : allowed_headers)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(allowed_headers.find("authorization"), std::string::npos) << allowed_headers;
  EXPECT_NE(allowed_headers.find("content-type"), std::string::npos) << allowed_headers;
  EXPECT_NE(preflight.header("Vary").value_or("").find("Origin"), std::string::npos);

  const HttpResult simple = client().get("/health/live", {{"Origin", kAllowedOrigin}});
  EXPECT_EQ(simple.header("Access-Control-Allow-Origin").value_or(""), kAllowedOrigin);

  const HttpResult other = client().get("/health/live", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_FALSE(other.header("Access-Control-Allow-Origin").has_value());
}

}  // namespace
}  // namespace riptide::testing
