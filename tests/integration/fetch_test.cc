// riptide serve fetching URLs from a local test site (docs/api.md, docs/operations.md
// "Fetching"): redirects, gzip, a zip bomb, windows-1251, timeouts, a PDF, the response cache,
// and the SSRF guard, which refuses loopback and private addresses unless allowed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <iterator>
#include <memory>
#include <string>

#include "api_checks.h"
#include "response_parsing.h"
#include "serve_fixture.h"
#include "test_site.h"

namespace riptide::testing {
namespace {

using std::chrono::milliseconds;

// A page fetched and extracted on loopback takes a few milliseconds; a zip bomb must be cut off
// long before the fetch timeout, not decompressed to the end.
constexpr milliseconds kBombDeadline{kTestFetchTimeout};

std::string url_body(const std::string& url, nlohmann::json extra = nlohmann::json::object()) {
  extra["url"] = url;
  return extra.dump();
}

// A server that may fetch from the test site.
class FetchTest : public SiteFixture {
 public:
  static void SetUpTestSuite() { start_site_and_server(site_fetching_options()); }

 protected:
  static HttpResult extract_url(const std::string& url,
                                nlohmann::json extra = nlohmann::json::object()) {
    return client().post("/v1/extract", url_body(url, std::move(extra)), bearer(key("user")));
  }
};

TEST_F(FetchTest, FetchesAndExtractsAPage) {
  const HttpResult result = extract_url(site().url("/article"));
  ASSERT_EQ(result.status, 200) << describe(result);
  const nlohmann::json doc = body_json(result);
  EXPECT_EQ(doc.value("title", ""), kArticleTitle);
  EXPECT_NE(doc.value("markdown", "").find("Otters have returned"), std::string::npos);
  ASSERT_EQ(site().requests_for("/article").size(), 1u);
  // The fetcher names itself.
  EXPECT_NE(site().requests_for("/article")[0].header("User-Agent").find("riptide"),
            std::string::npos);
}

TEST_F(FetchTest, SecondRequestIsServedFromTheCacheUnlessMaxAgeIsZero) {
  const std::string url = site().url("/article?cache-test");
  const HttpResult first = extract_url(url);
  ASSERT_EQ(first.status, 200) << describe(first);
  EXPECT_EQ(first.header("X-Cache").value_or(""), "miss");
  const HttpResult second = extract_url(url);
  ASSERT_EQ(second.status, 200) << describe(second);
  EXPECT_EQ(second.header("X-Cache").value_or(""), "hit");
  EXPECT_EQ(body_json(second).value("title", ""), kArticleTitle);
  EXPECT_EQ(site().requests_for("/article").size(), 1u);

  const HttpResult fresh = extract_url(url, {{"max_age", 0}});
  ASSERT_EQ(fresh.status, 200) << describe(fresh);
  EXPECT_EQ(fresh.header("X-Cache").value_or(""), "miss");
  EXPECT_EQ(site().requests_for("/article").size(), 2u);

  const HttpResult metrics = client().get("/metrics");
  EXPECT_GE(metric_value(metrics.body, "riptide_cache_total", {{"result", "hit"}}).value_or(0), 1)
      << metrics.body;
  EXPECT_GE(metric_value(metrics.body, "riptide_fetch_total", {{"outcome", "ok"}}).value_or(0), 2);
}

TEST_F(FetchTest, FollowsARedirectChain) {
  const HttpResult result = extract_url(site().url("/redirect/1"));
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_EQ(body_json(result).value("title", ""), kArticleTitle);
  for (const char* hop : {"/redirect/1", "/redirect/2", "/redirect/3", "/article"}) {
    EXPECT_EQ(site().requests_for(hop).size(), 1u) << hop;
  }
}

TEST_F(FetchTest, DecodesGzip) {
  const HttpResult result = extract_url(site().url("/gzip"));
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_EQ(body_json(result).value("title", ""), kArticleTitle);
  ASSERT_EQ(site().requests_for("/gzip").size(), 1u);
  EXPECT_NE(site().requests_for("/gzip")[0].header("Accept-Encoding").find("gzip"),
            std::string::npos);
}

TEST_F(FetchTest, ZipBombIsAResourceLimitError) {
  const HttpResult result = extract_url(site().url("/bomb"));
  EXPECT_TRUE(is_api_error(result, 422, "resource_limit"));
  EXPECT_LT(result.finished - result.started, kBombDeadline);
  EXPECT_EQ(client().get("/health/live").status, 200);
}

TEST_F(FetchTest, Windows1251PageBecomesUtf8) {
  for (const char* path : {"/cp1251", "/cp1251-meta"}) {
    SCOPED_TRACE(path);
    const HttpResult result = extract_url(site().url(path));
    ASSERT_EQ(result.status, 200) << describe(result);
    const nlohmann::json doc = body_json(result);
    EXPECT_EQ(doc.value("title", ""), kCyrillicTitle);
    EXPECT_NE(doc.value("text", "").find(kCyrillicSentence), std::string::npos)
        << doc.value("text", "");
    EXPECT_EQ(doc.value("language", ""), "ru");
  }
}

TEST_F(FetchTest, SlowPageTimesOut) {
  const HttpResult result = extract_url(site().url("/hang"));
  EXPECT_TRUE(is_api_error(result, 504, "timeout"));
  const auto elapsed = result.finished - result.started;
  EXPECT_GE(elapsed, kTestFetchTimeout - milliseconds(100));
  EXPECT_LT(elapsed, kHangingPageDelay);
}

TEST_F(FetchTest, PdfIsAnUnsupportedContentType) {
  const HttpResult result = extract_url(site().url("/pdf"));
  ASSERT_TRUE(is_api_error(result, 415, "unsupported_content_type"));
  EXPECT_NE(string_at(body_json(result), "/error/message").find("application/pdf"),
            std::string::npos);
}

TEST_F(FetchTest, OriginErrorIsFetchFailed) {
  const HttpResult result = extract_url(site().url("/missing"));
  ASSERT_TRUE(is_api_error(result, 502, "fetch_failed"));
  EXPECT_NE(string_at(body_json(result), "/error/message").find("404"), std::string::npos);
}

TEST_F(FetchTest, RedirectOutsideTheAllowlistIsBlocked) {
  // 127.0.0.2 is loopback but not in 127.0.0.1/32: the hop is refused before connecting.
  const HttpResult result = extract_url(site().url("/to-other-loopback"));
  EXPECT_TRUE(is_api_error(result, 403, "blocked_address"));
  EXPECT_EQ(site().request_count(), 1u);
}

TEST_F(FetchTest, CompatCrawlFetchesEveryUrl) {
  const nlohmann::json body = {{"urls", {site().url("/article"), site().url("/second")}},
                               {"options", {{"mode", "article"}}}};
  const HttpResult result = client().post("/crawl", body.dump(), bearer(key("user")));
  ASSERT_EQ(result.status, 200) << describe(result);
  const nlohmann::json json = body_json(result);
  ASSERT_TRUE(json_at(json, "/results").is_array()) << describe(result);
  ASSERT_EQ(json_at(json, "/results").size(), 2u);
  EXPECT_EQ(json_at(json, "/results/0/document/title"), kArticleTitle);
  EXPECT_EQ(json_at(json, "/results/1/document/title"), kSecondTitle);
}

// A server with the SSRF guard at its default: every private or loopback destination is refused
// without a connection being made.
class SsrfTest : public SiteFixture {
 public:
  static void SetUpTestSuite() {
    ServeOptions options;
    options.keys = {{.name = "user"}};
    start_site_and_server(options);
  }
};

TEST_F(SsrfTest, LoopbackAndPrivateAddressesAreRefusedWithoutConnecting) {
  const std::string port = std::to_string(site().port());
  const std::string urls[] = {
      site().url("/article"),
      "http://localhost:" + port + "/article",
      "http://[::1]:" + port + "/article",
      "http://[::ffff:127.0.0.1]:" + port + "/article",
      "http://10.0.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://0x7f000001:" + port + "/article",
  };
  for (const std::string& url : urls) {
    SCOPED_TRACE(url);
    const HttpResult result =
        client().post("/v1/extract", nlohmann::json{{"url", url}}.dump(), bearer(key("user")));
    EXPECT_TRUE(is_api_error(result, 403, "blocked_address"));
  }
  EXPECT_EQ(site().request_count(), 0u) << "the test site was contacted";
  const HttpResult metrics = client().get("/metrics");
  EXPECT_GE(metric_value(metrics.body, "riptide_fetch_total", {{"outcome", "blocked"}}).value_or(0),
            static_cast<double>(std::size(urls)))
      << metrics.body;
}

TEST_F(SsrfTest, BatchItemsAreRefusedOneByOne) {
  const nlohmann::json body = {
      {"items",
       {{{"url", site().url("/article")}},
        {{"url", "https://example.org/inline"}, {"html", second_html()}}}}};
  const HttpResult result = client().post("/v1/batch", body.dump(), bearer(key("user")));
  ASSERT_EQ(result.status, 200) << describe(result);
  const nlohmann::json json = body_json(result);
  ASSERT_EQ(json_at(json, "/results").size(), 2u) << describe(result);
  EXPECT_EQ(json_at(json, "/results/0/error/code"), "blocked_address");
  EXPECT_EQ(json_at(json, "/results/1/document/title"), kSecondTitle);
  EXPECT_EQ(site().request_count(), 0u);
}

}  // namespace
}  // namespace riptide::testing
