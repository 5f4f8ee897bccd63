#include "server/extract_service.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/http.h"
#include "tests/support/fake_store.h"
#include "tests/unit/sandbox/metric_value.h"

namespace riptide::server {
namespace {

using sandbox::testing::metric_value;
using Json = nlohmann::ordered_json;

constexpr const char* kPage = R"(<!doctype html>
<html lang="en"><head><title>Tides of the North Sea</title>
<meta name="description" content="How the tides work."></head>
<body><nav><a href="/">Home</a></nav>
<article><h1>Tides of the North Sea</h1>
<p>The North Sea has two high tides a day. The tidal wave travels anticlockwise around the basin,
and the range differs a great deal from one coast to the other.</p>
<p>At amphidromic points the range is close to zero, while in the Wash it reaches several
metres. Read <a href="more.html">more about amphidromes</a> on the next page.</p>
<img src="chart.png" alt="Tide chart">
</article></body></html>)";

// The fetcher's stand-in: answers from a table and counts calls.
struct FakeOrigin {
  struct Page {
    int status = 200;
    std::string html;
    std::string final_url;  // "" = no redirect
  };
  std::map<std::string, Page> pages;
  std::map<std::string, Error> errors;
  int fetches = 0;

  Result<fetch::FetchResponse> fetch(std::string_view url) {
    ++fetches;
    if (auto it = errors.find(std::string(url)); it != errors.end()) return it->second;
    auto it = pages.find(std::string(url));
    if (it == pages.end()) return Error(ErrorCode::kFetchFailed, "no such test page");
    fetch::FetchResponse response;
    response.url = std::string(url);
    response.final_url = it->second.final_url.empty() ? response.url : it->second.final_url;
    response.status = it->second.status;
    if (response.status >= 200 && response.status < 300) response.html = it->second.html;
    return response;
  }
};

class ExtractServiceTest : public ::testing::Test {
 protected:
  ExtractServiceTest() {
    sandbox::SandboxConfig config;
    config.pool.initial_pool_size = 0;
    config.pool.max_pool_size = 1;
    engine_ = sandbox::Engine::create(config);
    store_.now = 1'000'000;  // the tests age cache entries by moving it
    origin_.pages["https://tides.example/north-sea"] = {200, kPage, ""};
  }

  ExtractService& service(sandbox::EngineKind kind = sandbox::EngineKind::kNative) {
    if (!service_) {
      ExtractServiceOptions options;
      options.engine_kind = kind;
      options.cache_max_age = std::chrono::seconds(3600);
      service_ = std::make_unique<ExtractService>(
          *engine_, [this](std::string_view url) { return origin_.fetch(url); }, &store_, options,
          registry_);
    }
    return *service_;
  }

  Result<Document> run_url(std::string url, ExtractOptions options = {}) {
    return service().run(PageInput{std::move(url), std::nullopt}, options);
  }

  double metric(const std::string& name, const std::map<std::string, std::string>& labels) {
    return metric_value(*registry_, name, labels);
  }

  std::unique_ptr<sandbox::Engine> engine_;
  FakeOrigin origin_;
  riptide::testing::FakeStore store_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<ExtractService> service_;
};

std::vector<std::string> keys_of(const Json& json) {
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  return keys;
}

TEST_F(ExtractServiceTest, HtmlInTheRequestIsExtractedWithoutFetchOrCache) {
  PageInput page{"https://tides.example/north-sea", std::string(kPage)};
  Result<Document> document = service().run(page, {});
  ASSERT_TRUE(document.ok()) << document.error().to_string();
  EXPECT_EQ(document->json["title"], "Tides of the North Sea");
  EXPECT_EQ(document->json["language"], "en");
  EXPECT_NE(document->json["text"].get<std::string>().find("amphidromic points"),
            std::string::npos);
  EXPECT_EQ(document->json["links"][0]["url"], "https://tides.example/more.html");
  EXPECT_EQ(document->cache, CacheStatus::kNone);
  EXPECT_EQ(document->input_bytes, std::string(kPage).size());
  EXPECT_EQ(origin_.fetches, 0);
  EXPECT_EQ(store_.cache_gets + store_.cache_puts, 0);
  EXPECT_EQ(metric("riptide_extract_total", {{"outcome", "ok"}}), 1);
}

TEST_F(ExtractServiceTest, SandboxAndNativeGiveTheSameDocument) {
  PageInput page{"https://tides.example/north-sea", std::string(kPage)};
  Result<Document> native = service(sandbox::EngineKind::kNative).run(page, {});
  service_.reset();
  Result<Document> wasm = service(sandbox::EngineKind::kWasm).run(page, {});
  ASSERT_TRUE(native.ok() && wasm.ok());
  native->json.erase("stats");
  wasm->json.erase("stats");
  EXPECT_EQ(native->json, wasm->json);
}

TEST_F(ExtractServiceTest, SecondRequestForAUrlIsACacheHit) {
  Result<Document> first = run_url("https://tides.example/north-sea");
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->cache, CacheStatus::kMiss);
  EXPECT_EQ(origin_.fetches, 1);

  Result<Document> second = run_url("https://tides.example/north-sea");
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->cache, CacheStatus::kHit);
  EXPECT_EQ(origin_.fetches, 1) << "served from the cache";
  EXPECT_EQ(second->json, first->json);
  EXPECT_EQ(second->input_bytes, 0u);
  EXPECT_EQ(metric("riptide_cache_total", {{"result", "hit"}}), 1);
  EXPECT_EQ(metric("riptide_cache_total", {{"result", "miss"}}), 1);
  EXPECT_EQ(metric("riptide_extract_total", {{"outcome", "ok"}}), 2);
}

TEST_F(ExtractServiceTest, MaxAgeZeroFetchesAfreshAndRefreshesTheEntry) {
  ASSERT_TRUE(run_url("https://tides.example/north-sea").ok());
  ExtractOptions fresh;
  fresh.max_age = std::chrono::seconds(0);
  Result<Document> again = run_url("https://tides.example/north-sea", fresh);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cache, CacheStatus::kMiss);
  EXPECT_EQ(origin_.fetches, 2);
  EXPECT_EQ(store_.cache_gets, 1) << "max_age 0 does not even look";
  EXPECT_EQ(store_.cache_puts, 2);
}

TEST_F(ExtractServiceTest, EntriesOlderThanMaxAgeAreStale) {
  ASSERT_TRUE(run_url("https://tides.example/north-sea").ok());
  store_.now += 120;
  ExtractOptions recent;
  recent.max_age = std::chrono::seconds(60);
  EXPECT_EQ(run_url("https://tides.example/north-sea", recent)->cache, CacheStatus::kMiss);
  EXPECT_EQ(origin_.fetches, 2);
  // The server's default (3600 s here) still accepts the refreshed entry.
  store_.now += 120;
  EXPECT_EQ(run_url("https://tides.example/north-sea")->cache, CacheStatus::kHit);
}

TEST_F(ExtractServiceTest, CacheKeyIsTheNormalizedUrlModeAndSelectors) {
  ExtractOptions article;
  // Fragment, tracking parameters and default port do not make another page.
  EXPECT_EQ(cache_key("https://tides.example:443/north-sea?utm_source=x#top", article),
            cache_key("https://tides.example/north-sea", article));
  EXPECT_NE(cache_key("https://tides.example/north-sea?page=2", article),
            cache_key("https://tides.example/north-sea", article));

  ExtractOptions full;
  full.mode = extract::Mode::kFull;
  EXPECT_NE(cache_key("https://tides.example/north-sea", full),
            cache_key("https://tides.example/north-sea", article));

  ExtractOptions custom_a;
  custom_a.mode = extract::Mode::kCustom;
  custom_a.selectors = {"a", "b"};
  ExtractOptions custom_b = custom_a;
  custom_b.selectors = {"a, b"};
  EXPECT_NE(cache_key("https://tides.example/", custom_a),
            cache_key("https://tides.example/", custom_b));

  // Formats only filter the cached record.
  ExtractOptions text_only;
  text_only.formats = static_cast<FormatSet>(Format::kText);
  EXPECT_EQ(cache_key("https://tides.example/north-sea", text_only),
            cache_key("https://tides.example/north-sea", article));
}

TEST_F(ExtractServiceTest, TrackingParametersShareTheCacheEntry) {
  origin_.pages["https://tides.example/north-sea?utm_source=feed"] = {200, kPage, ""};
  ASSERT_TRUE(run_url("https://tides.example/north-sea").ok());
  EXPECT_EQ(run_url("https://tides.example/north-sea?utm_source=feed")->cache, CacheStatus::kHit);
  EXPECT_EQ(origin_.fetches, 1);
}

TEST_F(ExtractServiceTest, FormatsFilterTheDocument) {
  ExtractOptions text;
  text.formats = static_cast<FormatSet>(Format::kText);
  Result<Document> document = run_url("https://tides.example/north-sea", text);
  ASSERT_TRUE(document.ok());
  EXPECT_EQ(keys_of(document->json), (std::vector<std::string>{"url", "text", "stats"}));

  // A later request with other formats is served from the same (complete) cache entry.
  ExtractOptions metadata_and_html;
  metadata_and_html.formats =
      static_cast<FormatSet>(Format::kMetadata) | static_cast<FormatSet>(Format::kHtml);
  Result<Document> cached = run_url("https://tides.example/north-sea", metadata_and_html);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->cache, CacheStatus::kHit);
  EXPECT_EQ(keys_of(cached->json),
            (std::vector<std::string>{"url", "title", "byline", "published", "site_name",
                                      "description", "language", "html", "categories", "word_count",
                                      "reading_time", "quality_score", "stats"}));
  EXPECT_NE(cached->json["html"].get<std::string>().find("<p>"), std::string::npos);
}

TEST(FilterDocument, EachFormatKeepsItsFields) {
  Json record = {{"url", "u"},
                 {"title", "t"},
                 {"byline", ""},
                 {"published", ""},
                 {"site_name", ""},
                 {"description", ""},
                 {"language", "en"},
                 {"markdown", "m"},
                 {"text", "x"},
                 {"html", "<p>x</p>"},
                 {"links", Json::array()},
                 {"media", Json::array()},
                 {"categories", Json::array()},
                 {"word_count", 1},
                 {"reading_time", 1},
                 {"quality_score", 9},
                 {"stats", Json::object()}};
  struct Case {
    Format format;
    std::vector<std::string> keys;
  };
  for (const Case& c : std::vector<Case>{
           {Format::kMarkdown, {"url", "markdown", "stats"}},
           {Format::kText, {"url", "text", "stats"}},
           {Format::kHtml, {"url", "html", "stats"}},
           {Format::kLinks, {"url", "links", "stats"}},
           {Format::kMedia, {"url", "media", "stats"}},
           {Format::kMetadata,
            {"url", "title", "byline", "published", "site_name", "description", "language",
             "categories", "word_count", "reading_time", "quality_score", "stats"}}}) {
    EXPECT_EQ(keys_of(filter_document(record, static_cast<FormatSet>(c.format))), c.keys)
        << format_name(c.format);
  }
  EXPECT_EQ(filter_document(record, kAllFormats), record);
}

TEST_F(ExtractServiceTest, RelativeLinksResolveAgainstTheUrlAfterRedirects) {
  origin_.pages["https://tides.example/old"] = {200, kPage, "https://tides.example/archive/ns"};
  Result<Document> document = run_url("https://tides.example/old");
  ASSERT_TRUE(document.ok());
  EXPECT_EQ(document->json["links"][0]["url"], "https://tides.example/archive/more.html");
}

TEST_F(ExtractServiceTest, OriginErrorStatusIsFetchFailedAndNotCached) {
  origin_.pages["https://tides.example/gone"] = {404, "", ""};
  Result<Document> document = run_url("https://tides.example/gone");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code(), ErrorCode::kFetchFailed);
  EXPECT_EQ(document.error().message(), "origin answered HTTP 404");
  EXPECT_EQ(store_.cache_puts, 0);
  EXPECT_EQ(metric("riptide_extract_total", {{"outcome", "fetch_failed"}}), 1);
  EXPECT_FALSE(run_url("https://tides.example/gone").ok()) << "errors are never cached";
  EXPECT_EQ(origin_.fetches, 2);
}

TEST_F(ExtractServiceTest, FetcherErrorsPassThrough) {
  origin_.errors.emplace("http://10.0.0.1/",
                         Error(ErrorCode::kBlockedAddress, "10.0.0.1 is a private address"));
  Result<Document> document = run_url("http://10.0.0.1/");
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code(), ErrorCode::kBlockedAddress);
  EXPECT_EQ(document.error().message(), "10.0.0.1 is a private address");
  EXPECT_EQ(metric("riptide_extract_total", {{"outcome", "blocked_address"}}), 1);
}

TEST_F(ExtractServiceTest, ExtractorErrorsPassThrough) {
  PageInput page{"", std::string(kPage)};
  ExtractOptions custom;
  custom.mode = extract::Mode::kCustom;
  custom.selectors = {"p"};
  sandbox::SandboxConfig small;
  small.instance.max_input_bytes = 100;
  engine_ = sandbox::Engine::create(small);
  Result<Document> document = service().run(page, custom);
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().code(), ErrorCode::kResourceLimit);
  EXPECT_EQ(http_status_for(document.error().code()), 422u);
}

TEST_F(ExtractServiceTest, ABrokenCacheServesUncached) {
  store_.fail = true;
  Result<Document> document = run_url("https://tides.example/north-sea");
  ASSERT_TRUE(document.ok()) << document.error().to_string();
  EXPECT_EQ(document->cache, CacheStatus::kMiss);
  EXPECT_EQ(metric("riptide_cache_errors_total", {{"op", "get"}}), 1);
  EXPECT_EQ(metric("riptide_cache_errors_total", {{"op", "put"}}), 1);
}

TEST_F(ExtractServiceTest, StagesRunSeparately) {
  Result<LoadedPage> loaded =
      service().load(PageInput{"https://tides.example/north-sea", std::nullopt}, {});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->html, kPage);
  EXPECT_FALSE(loaded->cached.has_value());
  EXPECT_EQ(metric("riptide_extract_total", {{"outcome", "ok"}}), 0) << "counted once, at the end";
  Result<Document> document = service().extract(std::move(*loaded), {});
  ASSERT_TRUE(document.ok());
  EXPECT_EQ(metric("riptide_extract_total", {{"outcome", "ok"}}), 1);
}

}  // namespace
}  // namespace riptide::server
