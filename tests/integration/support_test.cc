// The integration tests' own parsers, so a broken helper cannot make a server test pass.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_client.h"
#include "response_parsing.h"
#include "test_site.h"

namespace riptide::testing {
namespace {

TEST(ParseSse, EventsDataLinesCommentsAndLineEndings) {
  const std::vector<SseEvent> events = parse_sse(
      ": a comment\n"
      "event: result\ndata: {\"index\":0}\n\n"
      "data: first\r\ndata:second\r\n\r\n"
      "event: done\rdata: {}\r\r"
      "event: cut\ndata: never dispatched\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event, "result");
  EXPECT_EQ(events[0].data, "{\"index\":0}");
  EXPECT_EQ(events[1].event, "message");
  EXPECT_EQ(events[1].data, "first\nsecond");
  EXPECT_EQ(events[2].event, "done");
  EXPECT_EQ(events[2].data, "{}");
}

TEST(MetricValue, SumsMatchingSeries) {
  const std::string text =
      "# HELP riptide_http_requests_total Requests\n"
      "# TYPE riptide_http_requests_total counter\n"
      "riptide_http_requests_total{route=\"/health/live\",method=\"GET\",status=\"200\"} 7\n"
      "riptide_http_requests_total{route=\"/health/live\",method=\"GET\",status=\"404\"} 1\n"
      "riptide_http_requests_total{route=\"/v1/extract\",method=\"POST\",status=\"200\"} 2.5e1\n"
      "riptide_odd{label=\"a \\\"quoted\\\" } value\"} 3\n"
      "riptide_plain 42 1700000000\n";
  EXPECT_EQ(metric_value(text, "riptide_http_requests_total"), 33);
  EXPECT_EQ(metric_value(text, "riptide_http_requests_total", {{"route", "/health/live"}}), 8);
  EXPECT_EQ(metric_value(text, "riptide_http_requests_total",
                         {{"route", "/v1/extract"}, {"status", "200"}}),
            25);
  EXPECT_EQ(metric_value(text, "riptide_odd", {{"label", "a \"quoted\" } value"}}), 3);
  EXPECT_EQ(metric_value(text, "riptide_plain"), 42);
  EXPECT_EQ(metric_value(text, "riptide_http_requests_total", {{"route", "/nope"}}), std::nullopt);
  EXPECT_EQ(metric_value(text, "riptide_http_requests"), std::nullopt);
}

TEST(HttpResultLines, LinesSplitAcrossChunksGetTheTimeOfTheirLastChunk) {
  HttpResult result;
  const auto t0 = std::chrono::steady_clock::now();
  const auto t1 = t0 + std::chrono::milliseconds(10);
  const auto t2 = t0 + std::chrono::milliseconds(20);
  result.chunks = {{t0, "{\"a\":1}\n{\"b\""}, {t1, ":2}\r\n"}, {t2, "tail"}};
  result.finished = t2 + std::chrono::milliseconds(1);
  const std::vector<TimedLine> lines = result.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "{\"a\":1}");
  EXPECT_EQ(lines[0].arrived, t0);
  EXPECT_EQ(lines[1].text, "{\"b\":2}");
  EXPECT_EQ(lines[1].arrived, t1);
  EXPECT_EQ(lines[2].text, "tail");
  EXPECT_EQ(lines[2].arrived, result.finished);
}

TEST(TestSite, Windows1251Encoding) {
  EXPECT_EQ(to_windows_1251("Ab Аая Ёё €"), "Ab \xC0\xE0\xFF \xA8\xB8 ?");
}

}  // namespace
}  // namespace riptide::testing
