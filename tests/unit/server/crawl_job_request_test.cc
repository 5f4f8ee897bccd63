#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "server/crawl_jobs.h"

namespace riptide::server {
namespace {

using ::testing::HasSubstr;

TEST(CrawlJobRequest, DefaultsAreTheCrawlersAndTheServersCaps) {
  CrawlJobsConfig config;
  Result<CrawlRequest> request =
      decode_crawl_job_request(R"({"url": "https://Example.com/docs#top"})", config);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->seeds, std::vector<std::string>{"https://example.com/docs#top"});
  const crawl::CrawlOptions& options = request->options;
  EXPECT_EQ(options.frontier.max_pages, kDefaultMaxCrawlPages);
  EXPECT_EQ(options.frontier.max_depth, crawl::FrontierConfig{}.max_depth);
  EXPECT_EQ(options.frontier.host_delay, crawl::kDefaultHostDelay);
  EXPECT_EQ(options.frontier.host_concurrency, crawl::kDefaultHostConcurrency);
  EXPECT_EQ(options.frontier.filter.scope, crawl::Scope::kHost);
  EXPECT_EQ(options.concurrency, crawl::kDefaultCrawlConcurrency);
  EXPECT_TRUE(options.respect_robots);
  EXPECT_FALSE(options.use_sitemaps);
  EXPECT_EQ(options.time_budget.count(), 0);
  EXPECT_EQ(options.extract.mode, extract::Mode::kArticle);
  EXPECT_TRUE(options.extract.include_html);  // every format, html included
  EXPECT_EQ(request->formats, kAllFormats);
  EXPECT_EQ(options.engine_kind, sandbox::EngineKind::kWasm);
}

TEST(CrawlJobRequest, EveryFieldIsDecodedAndRoundTrips) {
  CrawlJobsConfig config;
  config.engine_kind = sandbox::EngineKind::kNative;
  const char* body = R"({
    "urls": ["https://a.example/", "https://b.example/start"],
    "max_depth": 5, "max_pages": 250,
    "include": ["/blog/*", "re:^/docs/[a-z]+$"], "exclude": ["*?print=1"],
    "budgets": {"/blog/*": 40, "/tags/*": 0},
    "scope": "subdomains", "sitemap": "only", "order": "best",
    "delay": 0.25, "host_concurrency": 2, "concurrency": 4, "time_budget": 90.5,
    "respect_robots": false, "mode": "custom", "selectors": ["main", "article p"],
    "formats": ["metadata", "markdown"]})";
  Result<CrawlRequest> request = decode_crawl_job_request(body, config);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  const crawl::CrawlOptions& options = request->options;
  EXPECT_EQ(request->seeds.size(), 2u);
  EXPECT_EQ(options.frontier.max_depth, 5u);
  EXPECT_EQ(options.frontier.max_pages, 250u);
  EXPECT_EQ(options.frontier.filter.include,
            (std::vector<std::string>{"/blog/*", "re:^/docs/[a-z]+$"}));
  EXPECT_EQ(options.frontier.filter.exclude, std::vector<std::string>{"*?print=1"});
  ASSERT_EQ(options.frontier.filter.budgets.size(), 2u);
  EXPECT_EQ(options.frontier.filter.budgets[0].pattern, "/blog/*");
  EXPECT_EQ(options.frontier.filter.budgets[0].max_pages, 40u);
  EXPECT_EQ(options.frontier.filter.budgets[1].max_pages, 0u);
  EXPECT_EQ(options.frontier.filter.scope, crawl::Scope::kSubdomains);
  EXPECT_TRUE(options.use_sitemaps);
  EXPECT_TRUE(options.sitemap_only);
  EXPECT_EQ(options.frontier.order, crawl::Order::kBestFirst);
  EXPECT_EQ(options.frontier.host_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(options.frontier.host_concurrency, 2u);
  EXPECT_EQ(options.concurrency, 4u);
  EXPECT_EQ(options.time_budget, std::chrono::milliseconds(90'500));
  EXPECT_FALSE(options.respect_robots);
  EXPECT_EQ(options.extract.mode, extract::Mode::kCustom);
  EXPECT_EQ(options.extract.selectors, (std::vector<std::string>{"main", "article p"}));
  EXPECT_FALSE(options.extract.include_html);  // html not among the formats
  EXPECT_EQ(request->formats,
            static_cast<FormatSet>(Format::kMarkdown) | static_cast<FormatSet>(Format::kMetadata));
  EXPECT_EQ(options.engine_kind, sandbox::EngineKind::kNative);

  // The stored form decodes to the same request (resume rebuilds the crawl from it).
  nlohmann::ordered_json stored = crawl_request_to_json(*request);
  EXPECT_EQ(stored["sitemap"], "only");
  EXPECT_EQ(stored["delay"], 0.25);
  EXPECT_EQ(stored["formats"], nlohmann::ordered_json::parse(R"(["markdown", "metadata"])"));
  Result<CrawlRequest> again = decode_crawl_job_request(stored.dump(), config);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(crawl_request_to_json(*again), stored);
  EXPECT_EQ(again->seeds, request->seeds);
  EXPECT_EQ(again->options.frontier.host_delay, options.frontier.host_delay);
  EXPECT_EQ(again->options.time_budget, options.time_budget);
  EXPECT_EQ(again->options.extract.selectors, options.extract.selectors);
  EXPECT_EQ(again->formats, request->formats);
}

TEST(CrawlJobRequest, DefaultsRoundTripToo) {
  CrawlJobsConfig config;
  Result<CrawlRequest> request =
      decode_crawl_job_request(R"({"url": "http://127.0.0.1:8080/", "sitemap": true})", config);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  nlohmann::ordered_json stored = crawl_request_to_json(*request);
  EXPECT_EQ(stored["sitemap"], true);
  EXPECT_EQ(stored["max_pages"], kDefaultMaxCrawlPages);
  Result<CrawlRequest> again = decode_crawl_job_request(stored.dump(), config);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(crawl_request_to_json(*again), stored);
}

TEST(CrawlJobRequest, LimitsAboveTheCapsAreLowered) {
  CrawlJobsConfig config;
  config.max_pages_cap = 500;
  Result<CrawlRequest> request = decode_crawl_job_request(
      R"({"url": "https://a.example/", "max_pages": 1000000, "max_depth": 100000})", config);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->options.frontier.max_pages, 500u);
  EXPECT_EQ(request->options.frontier.max_depth, kMaxCrawlDepth);
}

struct Refusal {
  const char* body;
  const char* message;  // a substring of the error message
};

class CrawlJobRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(CrawlJobRefusal, NamesTheField) {
  Result<CrawlRequest> request = decode_crawl_job_request(GetParam().body, CrawlJobsConfig{});
  ASSERT_FALSE(request.ok()) << GetParam().body;
  EXPECT_EQ(request.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(request.error().message(), HasSubstr(GetParam().message)) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, CrawlJobRefusal,
    ::testing::Values(
        Refusal{"", "request body is not valid JSON"},
        Refusal{"[]", "request body must be a JSON object"},
        Refusal{R"({"url": "https://a.example/", "fromats": ["text"]})",
                "unknown field \"fromats\""},
        Refusal{R"({"url": "https://a.example/", "max_age": 0})", "unknown field \"max_age\""},
        Refusal{"{}", "either url or urls is required"},
        Refusal{R"({"url": "https://a.example/", "urls": ["https://b.example/"]})",
                "give either url or urls, not both"},
        Refusal{R"({"url": "ftp://a.example/"})", "url must be an http or https URL"},
        Refusal{R"({"urls": []})", "urls must be a non-empty array of URL strings"},
        Refusal{R"({"urls": ["https://a.example/", "mailto:x@y"]})",
                "urls[1] must be an http or https URL"},
        Refusal{R"({"url": "https://a.example/", "max_pages": 0})",
                "max_pages must be a whole number from 1"},
        Refusal{R"({"url": "https://a.example/", "max_depth": -1})",
                "max_depth must be a whole number from 0"},
        Refusal{R"({"url": "https://a.example/", "max_depth": 1.5})",
                "max_depth must be a whole number"},
        Refusal{R"({"url": "https://a.example/", "include": "/blog/*"})",
                "include must be an array of URL pattern strings"},
        Refusal{R"({"url": "https://a.example/", "include": ["/a", "re:("]})",
                "include[1] is not a valid URL pattern"},
        Refusal{R"({"url": "https://a.example/", "exclude": [7]})", "exclude[0] must be a string"},
        Refusal{R"({"url": "https://a.example/", "exclude": [""]})",
                "exclude[0] is not a valid URL pattern"},
        Refusal{R"({"url": "https://a.example/", "budgets": ["/a"]})", "budgets must be an object"},
        Refusal{R"({"url": "https://a.example/", "budgets": {"/a/*": "ten"}})",
                "budgets[\"/a/*\"] must be a whole number"},
        Refusal{R"({"url": "https://a.example/", "budgets": {"re:([a-z]": 3}})",
                "budgets[\"re:([a-z]\"] is not a valid URL pattern"},
        Refusal{R"({"url": "https://a.example/", "scope": "world"})",
                "scope must be one of host, domain, subdomains"},
        Refusal{R"({"url": "https://a.example/", "sitemap": "yes"})",
                "sitemap must be true, false or \"only\""},
        Refusal{R"({"url": "https://a.example/", "order": "dfs"})",
                "order must be one of bfs, best"},
        Refusal{R"({"url": "https://a.example/", "delay": -0.5})",
                "delay must be a number of seconds from 0 to 60"},
        Refusal{R"({"url": "https://a.example/", "delay": 61})",
                "delay must be a number of seconds from 0 to 60"},
        Refusal{R"({"url": "https://a.example/", "delay": "1"})",
                "delay must be a number of seconds"},
        Refusal{R"({"url": "https://a.example/", "host_concurrency": 0})",
                "host_concurrency must be a whole number from 1 to 16"},
        Refusal{R"({"url": "https://a.example/", "concurrency": 65})",
                "concurrency must be a whole number from 1 to 64"},
        Refusal{R"({"url": "https://a.example/", "time_budget": 1e9})",
                "time_budget must be a number of seconds from 0 to 604800"},
        Refusal{R"({"url": "https://a.example/", "respect_robots": "no"})",
                "respect_robots must be true or false"},
        Refusal{R"({"url": "https://a.example/", "mode": "summary"})",
                "mode must be one of article, full, metadata, custom"},
        Refusal{R"({"url": "https://a.example/", "mode": "custom"})",
                "selectors are required with mode custom"},
        Refusal{R"({"url": "https://a.example/", "formats": ["pdf"]})",
                "formats[0] must be one of markdown, text, html, links, media, metadata"}));

TEST(CrawlJobRequest, TooManySeedsOrPatternsAreRefused) {
  std::string urls;
  for (size_t i = 0; i <= kMaxCrawlSeeds; ++i) {
    urls += (i ? ",\"https://a.example/" : "\"https://a.example/") + std::to_string(i) + "\"";
  }
  Result<CrawlRequest> seeds =
      decode_crawl_job_request("{\"urls\": [" + urls + "]}", CrawlJobsConfig{});
  ASSERT_FALSE(seeds.ok());
  EXPECT_THAT(seeds.error().message(), HasSubstr("urls has 101 entries; at most 100"));

  std::string patterns;
  for (size_t i = 0; i <= crawl::kMaxPatterns; ++i) {
    patterns += (i ? ",\"/p" : "\"/p") + std::to_string(i) + "\"";
  }
  Result<CrawlRequest> include = decode_crawl_job_request(
      R"({"url": "https://a.example/", "include": [)" + patterns + "]}", CrawlJobsConfig{});
  ASSERT_FALSE(include.ok());
  EXPECT_THAT(include.error().message(), HasSubstr("include has 257 entries; at most 256"));
}

}  // namespace
}  // namespace riptide::server
