// Streaming batches from a real riptide serve (docs/api.md "Streaming"): NDJSON lines and SSE
// events parsed as a client would, each result sent the moment it is ready.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api_checks.h"
#include "response_parsing.h"
#include "serve_fixture.h"
#include "server/config.h"
#include "test_site.h"

namespace riptide::testing {
namespace {

const Headers kAcceptNdjson = {{"Accept", "application/x-ndjson"}};
const Headers kAcceptSse = {{"Accept", "text/event-stream"}};

struct ParsedLine {
  TimedLine line;
  nlohmann::json json;
};

// Every line of an NDJSON batch stream parsed as JSON (a test failure for a line that is not):
// one line per item, {"type": "result" | "error", "index", "url", ...}, in the order they finished.
std::vector<ParsedLine> parse_ndjson(const HttpResult& result) {
  std::vector<ParsedLine> lines;
  for (TimedLine& line : result.lines()) {
    nlohmann::json json = nlohmann::json::parse(line.text, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << "not JSON: " << line.text;
    lines.push_back({std::move(line), std::move(json)});
  }
  return lines;
}

// Item index → document title (or error code) of a stream.
std::map<int, std::string> outcomes(const std::vector<ParsedLine>& lines) {
  std::map<int, std::string> out;
  for (const ParsedLine& line : lines) {
    const nlohmann::json index = json_at(line.json, "/index");
    out[index.is_number_integer() ? index.get<int>() : -1] =
        json_at(line.json, "/type") == "result" ? string_at(line.json, "/document/title")
                                                : string_at(line.json, "/error/code");
  }
  return out;
}

class StreamTest : public SiteFixture {
 public:
  static void SetUpTestSuite() { start_site_and_server(site_fetching_options()); }

 protected:
  static HttpResult post(std::string_view path, const nlohmann::json& body, const Headers& accept) {
    return client().post(path, body.dump(), bearer(key("user"), accept));
  }
  // Cache-busting query so every test fetches (a cached item would not be slow).
  static std::string fresh_url(std::string_view path) {
    return site().url(std::string(path) + "?t=" + std::to_string(++counter_));
  }

  static inline int counter_ = 0;
};

TEST_F(StreamTest, NdjsonSendsEachResultWhenReady) {
  // The slow item first: a server that buffered, or streamed in input order, would hold the fast
  // ones back until it finished.
  const std::vector<std::string> urls = {fresh_url("/slow"), fresh_url("/article"),
                                         fresh_url("/second")};
  const HttpResult result = post("/v1/batch", {{"urls", urls}, {"concurrency", 3}}, kAcceptNdjson);
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_TRUE(result.header("Content-Type").value_or("").starts_with("application/x-ndjson"));
  const std::vector<ParsedLine> lines = parse_ndjson(result);
  ASSERT_EQ(lines.size(), urls.size()) << result.body;

  std::set<int> indexes;
  for (const ParsedLine& line : lines) {
    const nlohmann::json index_json = json_at(line.json, "/index");
    ASSERT_TRUE(index_json.is_number_integer()) << line.line.text;
    const int index = index_json.get<int>();
    ASSERT_GE(index, 0) << line.line.text;
    ASSERT_LT(index, static_cast<int>(urls.size()));
    indexes.insert(index);
    EXPECT_EQ(json_at(line.json, "/type"), "result") << line.line.text;
    EXPECT_EQ(json_at(line.json, "/url"), urls[static_cast<size_t>(index)]);
    EXPECT_TRUE(line.json.contains("document")) << line.line.text;
  }
  EXPECT_EQ(indexes.size(), urls.size()) << "every index exactly once";

  EXPECT_EQ(json_at(lines.back().json, "/index"), 0) << "the slow item finishes last";
  EXPECT_EQ(json_at(lines.back().json, "/document/title"), kSecondTitle);
  // The first line reached the client while the slow page was still being served.
  EXPECT_LT(lines.front().line.arrived - result.started, kSlowPageDelay)
      << "the first result was held back until the slow one finished";
  EXPECT_GE(lines.back().line.arrived - result.started, kSlowPageDelay);
}

TEST_F(StreamTest, NdjsonReportsErrorsPerItem) {
  const std::vector<std::string> urls = {fresh_url("/article"), site().url("/pdf"),
                                         "http://10.0.0.1/"};
  const HttpResult result = post("/v1/batch", {{"urls", urls}}, kAcceptNdjson);
  ASSERT_EQ(result.status, 200) << describe(result);
  const std::vector<ParsedLine> lines = parse_ndjson(result);
  ASSERT_EQ(lines.size(), urls.size()) << result.body;
  std::map<int, nlohmann::json> by_index;
  for (const ParsedLine& line : lines) {
    by_index[json_at(line.json, "/index").get<int>()] = line.json;
  }
  EXPECT_EQ(json_at(by_index[0], "/type"), "result");
  EXPECT_EQ(json_at(by_index[1], "/type"), "error");
  EXPECT_EQ(json_at(by_index[1], "/error/code"), "unsupported_content_type");
  EXPECT_FALSE(string_at(by_index[1], "/error/message").empty());
  EXPECT_EQ(json_at(by_index[2], "/type"), "error");
  EXPECT_EQ(json_at(by_index[2], "/error/code"), "blocked_address");
  EXPECT_EQ(json_at(by_index[2], "/url"), urls[2]);
}

TEST_F(StreamTest, SseSendsResultErrorProgressAndDone) {
  const std::vector<std::string> urls = {fresh_url("/article"), site().url("/pdf"),
                                         fresh_url("/second")};
  const HttpResult result = post("/v1/batch", {{"urls", urls}}, kAcceptSse);
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_TRUE(result.header("Content-Type").value_or("").starts_with("text/event-stream"));
  const std::vector<SseEvent> events = parse_sse(result.body);
  ASSERT_FALSE(events.empty()) << result.body;

  std::set<int> result_indexes;
  int errors = 0;
  int last_progress_done = -1;
  for (size_t i = 0; i < events.size(); ++i) {
    const SseEvent& event = events[i];
    const nlohmann::json data = nlohmann::json::parse(event.data, nullptr, false);
    ASSERT_FALSE(data.is_discarded()) << event.event << ": " << event.data;
    if (event.event == "result") {
      const nlohmann::json index = json_at(data, "/index");
      result_indexes.insert(index.is_number_integer() ? index.get<int>() : -1);
      EXPECT_TRUE(data.contains("document"));
    } else if (event.event == "error") {
      ++errors;
      EXPECT_EQ(json_at(data, "/index"), 1);
      EXPECT_EQ(json_at(data, "/error/code"), "unsupported_content_type");
    } else if (event.event == "progress") {
      EXPECT_EQ(json_at(data, "/total"), 3) << event.data;
      const nlohmann::json done = json_at(data, "/done");
      ASSERT_TRUE(done.is_number_integer()) << event.data;
      EXPECT_GE(done.get<int>(), last_progress_done) << "progress goes forward";
      last_progress_done = done.get<int>();
    } else if (event.event == "done") {
      EXPECT_EQ(i, events.size() - 1) << "done is the last event";
      EXPECT_EQ(json_at(data, "/total"), 3) << event.data;
      EXPECT_EQ(json_at(data, "/succeeded"), 2);
      EXPECT_EQ(json_at(data, "/failed"), 1);
      EXPECT_GE(json_at(data, "/elapsed_ms"), 0.0);
    } else {
      ADD_FAILURE() << "unexpected event " << event.event;
    }
  }
  EXPECT_EQ(result_indexes, (std::set<int>{0, 2}));
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(last_progress_done, 3) << "the last progress event counts every item";
  EXPECT_EQ(events.back().event, "done");
}

TEST_F(StreamTest, CompatStreamRoutesGiveTheV1Documents) {
  const std::vector<std::string> urls = {site().url("/article"), site().url("/second")};
  const HttpResult v1 = post("/v1/batch", {{"urls", urls}}, kAcceptNdjson);
  ASSERT_EQ(v1.status, 200) << describe(v1);
  const std::map<int, std::string> expected = outcomes(parse_ndjson(v1));
  ASSERT_EQ(expected, (std::map<int, std::string>{{0, kArticleTitle}, {1, kSecondTitle}}));

  const std::pair<const char*, nlohmann::json> routes[] = {
      {"/extract/stream", {{"urls", urls}}},
      {"/crawl/stream", {{"urls", urls}, {"options", {{"mode", "article"}}}}},
  };
  for (const auto& [path, body] : routes) {
    SCOPED_TRACE(path);
    // NDJSON without an Accept header; the same documents as /v1/batch.
    const HttpResult ndjson = post(path, body, {});
    ASSERT_EQ(ndjson.status, 200) << describe(ndjson);
    EXPECT_TRUE(ndjson.header("Content-Type").value_or("").starts_with("application/x-ndjson"));
    EXPECT_EQ(outcomes(parse_ndjson(ndjson)), expected);

    const HttpResult sse = post(path, body, kAcceptSse);
    ASSERT_EQ(sse.status, 200) << describe(sse);
    const std::vector<SseEvent> events = parse_sse(sse.body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().event, "done");
  }
}

TEST_F(StreamTest, BatchOverTheItemLimitIs400) {
  std::vector<std::string> urls(server::kMaxBatchItems + 1, site().url("/article"));
  const HttpResult result = post("/v1/batch", {{"urls", urls}}, kAcceptNdjson);
  EXPECT_TRUE(is_api_error(result, 400));
  EXPECT_EQ(site().request_count(), 0u);
}

}  // namespace
}  // namespace riptide::testing
