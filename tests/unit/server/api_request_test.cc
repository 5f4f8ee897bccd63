#include "server/api_request.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace riptide::server {
namespace {

// A body that must be refused, and the message the caller reads.
struct Refusal {
  const char* body;
  const char* message;
};

class ExtractRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(ExtractRefusal, NamesTheField) {
  Result<ExtractRequest> request = decode_extract_request(GetParam().body, Dialect::kV1);
  ASSERT_FALSE(request.ok()) << GetParam().body;
  EXPECT_EQ(request.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(request.error().message(), GetParam().message) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, ExtractRefusal,
    ::testing::Values(
        Refusal{"", "request body is not valid JSON"},
        Refusal{"{\"url\": ", "request body is not valid JSON"},
        Refusal{"{\"html\": \"\xff\"}", "request body is not valid JSON"},
        Refusal{"[1, 2]", "request body must be a JSON object"},
        Refusal{"\"https://example.com/\"", "request body must be a JSON object"},
        Refusal{"{}", "either url or html is required"},
        Refusal{R"({"url": 5})", "url must be a string"},
        Refusal{R"({"url": ""})", "url must not be empty"},
        Refusal{R"({"url": "not a url"})", "url is not a valid URL: \"not a url\""},
        Refusal{R"({"url": "ftp://example.com/x"})",
                "url must be an http or https URL: \"ftp://example.com/x\""},
        Refusal{R"({"url": "file:///etc/passwd"})",
                "url must be an http or https URL: \"file:///etc/passwd\""},
        Refusal{R"({"html": 1})", "html must be a string"},
        Refusal{R"({"html": "<p>x", "url": "javascript:void"})",
                "url must be an http or https URL: \"javascript:void\""},
        Refusal{R"({"html": "x", "mode": "summary"})",
                "mode must be one of article, full, metadata, custom"},
        Refusal{R"({"html": "x", "mode": 1})",
                "mode must be one of article, full, metadata, custom"},
        Refusal{R"({"html": "x", "mode": "custom"})",
                "selectors are required with mode custom (at least one CSS selector)"},
        Refusal{R"({"html": "x", "mode": "custom", "selectors": []})",
                "selectors are required with mode custom (at least one CSS selector)"},
        Refusal{R"({"html": "x", "selectors": ["p"]})", "selectors are only used with mode custom"},
        Refusal{R"({"html": "x", "mode": "custom", "selectors": "p"})",
                "selectors must be an array of CSS selector strings"},
        Refusal{R"({"html": "x", "mode": "custom", "selectors": ["p", 3]})",
                "selectors[1] must be a string"},
        Refusal{R"({"html": "x", "formats": []})",
                "formats must be a non-empty array of markdown, text, html, links, media, "
                "metadata"},
        Refusal{R"({"html": "x", "formats": "markdown"})",
                "formats must be a non-empty array of markdown, text, html, links, media, "
                "metadata"},
        Refusal{R"({"html": "x", "formats": ["markdown", "pdf"]})",
                "formats[1] must be one of markdown, text, html, links, media, metadata"},
        Refusal{R"({"url": "https://a.example/", "max_age": -1})",
                "max_age must be a whole number from 0 to 18446744073709551615"},
        Refusal{R"({"url": "https://a.example/", "max_age": 1.5})",
                "max_age must be a whole number from 0 to 18446744073709551615"},
        Refusal{R"({"url": "https://a.example/", "max_age": "60"})",
                "max_age must be a whole number from 0 to 18446744073709551615"},
        Refusal{R"({"url": "https://a.example/", "fromats": ["text"]})",
                "unknown field \"fromats\""}));

TEST(DecodeExtractRequest, UrlIsParsedAndSerialized) {
  auto request =
      decode_extract_request(R"({"url": "HTTPS://Example.COM:443/a/../b"})", Dialect::kV1);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->page.url, "https://example.com/b");
  EXPECT_TRUE(request->page.fetches());
  EXPECT_EQ(request->options.mode, extract::Mode::kArticle);
  EXPECT_EQ(request->options.formats, kAllFormats);
  EXPECT_FALSE(request->options.max_age.has_value());
}

TEST(DecodeExtractRequest, HtmlWithBaseUrlAndEveryOption) {
  auto request = decode_extract_request(
      R"({"html": "<p>hi</p>", "url": "http://a.example/x", "mode": "custom",
          "selectors": ["article p", "h1, h2"], "formats": ["text", "metadata", "text"],
          "max_age": 0})",
      Dialect::kV1);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_FALSE(request->page.fetches());
  EXPECT_EQ(*request->page.html, "<p>hi</p>");
  EXPECT_EQ(request->page.url, "http://a.example/x");
  EXPECT_EQ(request->options.mode, extract::Mode::kCustom);
  EXPECT_EQ(request->options.selectors, (std::vector<std::string>{"article p", "h1, h2"}));
  EXPECT_EQ(request->options.formats,
            static_cast<FormatSet>(Format::kText) | static_cast<FormatSet>(Format::kMetadata));
  EXPECT_EQ(request->options.max_age, std::chrono::seconds(0));
}

TEST(DecodeExtractRequest, InvalidSelectorCarriesTheParsersReason) {
  auto request = decode_extract_request(
      R"({"html": "x", "mode": "custom", "selectors": ["p", "a[href"]})", Dialect::kV1);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().message().rfind("selectors[1] is not a valid CSS selector: ", 0), 0u)
      << request.error().message();
}

TEST(DecodeExtractRequest, HugeMaxAgeIsCapped) {
  auto request = decode_extract_request(
      R"({"url": "https://a.example/", "max_age": 18446744073709551615})", Dialect::kV1);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->options.max_age, kMaxCacheAge);
}

TEST(DecodeExtractRequest, CompatIgnoresUnknownFields) {
  auto request = decode_extract_request(
      R"({"url": "https://a.example/", "mode": "full", "includeImages": true})", Dialect::kCompat);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->options.mode, extract::Mode::kFull);
  EXPECT_FALSE(decode_extract_request(R"({"url": "https://a.example/", "includeImages": true})",
                                      Dialect::kV1)
                   .ok());
}

TEST(DecodeExtractRequest, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = R"({"html": "x", "junk": )" + std::string(100'000, '[');
  auto request = decode_extract_request(deep, Dialect::kCompat);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().message(), "request body nests more than 32 levels deep");
  // Brackets inside strings are text, not nesting.
  std::string text = R"({"html": ")" + std::string(1000, '[') + R"("})";
  EXPECT_TRUE(decode_extract_request(text, Dialect::kV1).ok());
}

TEST(DecodeExtractRequest, EchoedValuesAreCutOnACharacterBoundary) {
  // 95 ASCII bytes, then "é" straddling the 96-byte cut.
  std::string url = "ftp://h/" + std::string(87, 'a') + "\xc3\xa9" + std::string(50, 'b');
  auto request = decode_extract_request(R"({"url": ")" + url + R"("})", Dialect::kV1);
  ASSERT_FALSE(request.ok());
  const std::string& message = request.error().message();
  std::string expected =
      "url must be an http or https URL: \"ftp://h/" + std::string(87, 'a') + "…\"";
  EXPECT_EQ(message, expected);
}

ServerConfig small_batches() {
  ServerConfig config;
  config.max_batch_items = 3;
  config.default_batch_concurrency = 2;
  config.max_batch_concurrency = 4;
  return config;
}

class BatchRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(BatchRefusal, NamesTheField) {
  Result<BatchRequest> request =
      decode_batch_request(GetParam().body, Dialect::kV1, small_batches());
  ASSERT_FALSE(request.ok()) << GetParam().body;
  EXPECT_EQ(request.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(request.error().message(), GetParam().message) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, BatchRefusal,
    ::testing::Values(
        Refusal{"{}", "either urls or items is required"},
        Refusal{R"({"urls": ["http://a.example/"], "items": []})",
                "give either urls or items, not both"},
        Refusal{R"({"urls": "http://a.example/"})", "urls must be an array of URL strings"},
        Refusal{R"({"urls": []})", "urls must not be empty"},
        Refusal{R"({"urls": ["http://a/", "http://b/", "http://c/", "http://d/"]})",
                "urls has 4 entries; at most 3 are allowed"},
        Refusal{R"({"urls": ["http://a/", "gopher://b/"]})",
                "urls[1] must be an http or https URL: \"gopher://b/\""},
        Refusal{R"({"items": [{"html": "x"}]})", "items[0].url is required"},
        Refusal{R"({"items": ["http://a/"]})", "items[0] must be an object {url, html?}"},
        Refusal{R"({"items": [{"url": "http://a/", "html": 2}]})",
                "items[0].html must be a string"},
        Refusal{R"({"items": [{"url": "http://a/", "title": "t"}]})",
                "unknown field \"items[0].title\""},
        Refusal{R"({"urls": ["http://a/"], "concurrency": 0})",
                "concurrency must be a whole number from 1 to 4294967295"},
        Refusal{R"({"urls": ["http://a/"], "mode": "everything"})",
                "mode must be one of article, full, metadata, custom"}));

TEST(DecodeBatchRequest, UrlsInOrderWithDefaultConcurrency) {
  auto request = decode_batch_request(R"({"urls": ["http://b.example/", "http://a.example/"]})",
                                      Dialect::kV1, small_batches());
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  ASSERT_EQ(request->items.size(), 2u);
  EXPECT_EQ(request->items[0].url, "http://b.example/");
  EXPECT_EQ(request->items[1].url, "http://a.example/");
  EXPECT_EQ(request->concurrency, 2u);
}

TEST(DecodeBatchRequest, ItemsMixFetchedAndGivenHtml) {
  auto request = decode_batch_request(
      R"({"items": [{"url": "http://a.example/"}, {"url": "http://b.example/", "html": "<p>b"}],
          "concurrency": 100, "formats": ["links"]})",
      Dialect::kV1, small_batches());
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_TRUE(request->items[0].fetches());
  EXPECT_FALSE(request->items[1].fetches());
  EXPECT_EQ(*request->items[1].html, "<p>b");
  EXPECT_EQ(request->concurrency, 4u) << "lowered to max_batch_concurrency";
  EXPECT_EQ(request->options.formats, static_cast<FormatSet>(Format::kLinks));
}

TEST(DecodeCrawlRequest, OptionsNestAndUnknownOnesAreIgnored) {
  auto request = decode_crawl_request(
      R"({"urls": ["https://a.example/"], "options": {"mode": "metadata", "concurrency": 3,
          "maxDepth": 2}})",
      small_batches());
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->options.mode, extract::Mode::kMetadata);
  EXPECT_EQ(request->concurrency, 3u);

  auto bad = decode_crawl_request(R"({"urls": ["https://a.example/"], "options": {"mode": 7}})",
                                  small_batches());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "options.mode must be one of article, full, metadata, custom");
  EXPECT_EQ(decode_crawl_request(R"({"options": {}})", small_batches()).error().message(),
            "urls is required");
  EXPECT_EQ(decode_crawl_request(R"({"urls": ["https://a/"], "options": []})", small_batches())
                .error()
                .message(),
            "options must be an object");
}

TEST(DecodeKeyRequest, Fields) {
  auto key = decode_key_request(R"({"name": "ci", "admin": true, "rate_per_minute": 60})");
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(key->name, "ci");
  EXPECT_TRUE(key->admin);
  EXPECT_EQ(key->rate_per_minute, 60u);
  EXPECT_EQ(key->burst, 0u);

  EXPECT_EQ(decode_key_request("{}").error().message(), "name is required");
  EXPECT_EQ(decode_key_request(R"({"name": ""})").error().message(),
            "name must be a non-empty string");
  EXPECT_EQ(decode_key_request(R"({"name": "x", "admin": "yes"})").error().message(),
            "admin must be true or false");
  EXPECT_EQ(decode_key_request(R"({"name": "x", "burst": 5000000})").error().message(),
            "burst must be a whole number from 0 to 1000000");
}

}  // namespace
}  // namespace riptide::server
