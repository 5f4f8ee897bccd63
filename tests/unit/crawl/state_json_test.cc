// Checkpoint JSON (crawl/state_json.h): frontier snapshots and progress survive the round trip
// exactly (a 10 000-entry state, extreme values, a real frontier restored from its JSON), and
// every malformed document is kInvalidArgument naming what is wrong.
#include "crawl/state_json.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace riptide::crawl {
namespace {

void expect_same_state(const FrontierState& got, const FrontierState& want) {
  EXPECT_EQ(got.seeds, want.seeds);
  ASSERT_EQ(got.pending.size(), want.pending.size());
  for (size_t i = 0; i < want.pending.size(); ++i) {
    EXPECT_EQ(got.pending[i].url, want.pending[i].url) << i;
    EXPECT_EQ(got.pending[i].depth, want.pending[i].depth) << i;
    EXPECT_EQ(got.pending[i].attempts, want.pending[i].attempts) << i;
  }
  EXPECT_EQ(got.finished, want.finished);
  EXPECT_EQ(got.pages_handed_out, want.pages_handed_out);
  EXPECT_EQ(got.budget_used, want.budget_used);
  EXPECT_EQ(got.host_delays_ms, want.host_delays_ms);
}

FrontierState parse_ok(const std::string& json) {
  Result<FrontierState> state = frontier_state_from_json(json);
  EXPECT_TRUE(state.ok()) << state.error().to_string() << "\n" << json.substr(0, 300);
  return state.ok() ? *state : FrontierState{};
}

TEST(FrontierStateJsonTest, TenThousandEntryStateRoundTripsExactly) {
  FrontierState state;
  state.seeds = {"https://site.test/", "https://other.test/start"};
  for (uint32_t i = 0; i < 10'000; ++i) {
    state.pending.push_back(
        {"https://site.test/p/" + std::to_string(i) + "?q=" + std::to_string(i * 7), i % 17,
         i % 4});
    state.finished.push_back("https://site.test/done/" + std::to_string(i));
  }
  state.pages_handed_out = 12'345;
  state.budget_used = {0, 100, 7};
  state.host_delays_ms = {{"site.test", 1500}, {"other.test:8080", 0}};

  std::string json = frontier_state_to_json(state);
  FrontierState back = parse_ok(json);
  expect_same_state(back, state);
  // Writing what was read gives the same bytes: the format has one spelling per state.
  EXPECT_EQ(frontier_state_to_json(back), json);
}

TEST(FrontierStateJsonTest, EmptyAndExtremeValuesRoundTrip) {
  expect_same_state(parse_ok(frontier_state_to_json(FrontierState{})), FrontierState{});

  FrontierState state;
  state.seeds = {"https://x.test/\"quoted\"\\back\\slash", "https://xn--caf-dma.test/caf\xC3\xA9"};
  state.pending = {{"https://x.test/a", std::numeric_limits<uint32_t>::max(),
                    std::numeric_limits<uint32_t>::max()},
                   {"", 0, 0}};
  state.finished = {"https://x.test/\x01\x1f"};
  state.pages_handed_out = std::numeric_limits<uint64_t>::max();
  state.budget_used = {std::numeric_limits<uint64_t>::max(), 0};
  state.host_delays_ms = {{"x.test", std::numeric_limits<int64_t>::max()}};
  expect_same_state(parse_ok(frontier_state_to_json(state)), state);
}

TEST(FrontierStateJsonTest, ARealFrontierContinuesFromItsJson) {
  FrontierConfig config;
  config.host_delay = Duration::zero();
  config.max_depth = 5;
  config.filter.budgets = {{"/blog/*", 2}};
  Result<std::unique_ptr<Frontier>> made = Frontier::create(config, {"https://site.test/"});
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Frontier& frontier = **made;
  const Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
  NextResult first = frontier.next(now);
  ASSERT_EQ(first.kind, NextResult::Kind::kUrl);
  for (std::string link : {"/a", "/b?utm_source=x", "/blog/1", "/blog/2", "/blog/3", "/c#f"}) {
    (void)frontier.add("https://site.test" + link, nullptr, 1);
  }
  frontier.done(first.item, now, FetchOutcome{});
  frontier.set_host_delay("site.test", std::chrono::milliseconds(2500));
  NextResult in_flight = frontier.next(now + std::chrono::seconds(3));
  ASSERT_EQ(in_flight.kind, NextResult::Kind::kUrl);

  FrontierState snapshot = frontier.snapshot();
  FrontierState back = parse_ok(frontier_state_to_json(snapshot));
  expect_same_state(back, snapshot);
  Result<std::unique_ptr<Frontier>> restored = Frontier::restore(config, back);
  ASSERT_TRUE(restored.ok()) << restored.error().to_string();
  EXPECT_EQ(frontier_state_to_json((*restored)->snapshot()), frontier_state_to_json(snapshot));
}

TEST(FrontierStateJsonTest, MalformedDocumentsAreInvalidArgumentNamingTheField) {
  const std::string valid = frontier_state_to_json(FrontierState{});
  ASSERT_EQ(valid,
            R"({"budget_used":[],"finished":[],"handed_out":0,"host_delays_ms":[],"pending":[],)"
            R"("seeds":[],"v":1})");
  // The valid document with `member`'s value replaced by `value` ("" leaves the member out).
  auto with = [](const std::string& member, const std::string& value) {
    const std::vector<std::pair<std::string, std::string>> members = {
        {"v", "1"},          {"seeds", "[]"},       {"pending", "[]"},        {"finished", "[]"},
        {"handed_out", "0"}, {"budget_used", "[]"}, {"host_delays_ms", "[]"},
    };
    std::string json;
    for (const auto& [name, text] : members) {
      const std::string& written = name == member ? value : text;
      if (written.empty()) continue;
      json += (json.empty() ? "{\"" : ",\"") + name + "\":" + written;
    }
    return json + "}";
  };
  ASSERT_TRUE(frontier_state_from_json(with("seeds", R"(["https://a.test/"])")).ok());

  struct Case {
    std::string json;
    std::string names;  // expected in the message
  };
  const std::vector<Case> cases = {
      {"", "not valid JSON"},
      {"null", "not a JSON object"},
      {"[]", "not a JSON object"},
      {valid.substr(0, valid.size() - 1), "not valid JSON"},
      {valid + " x", "not valid JSON"},
      {valid + valid, "not valid JSON"},
      {"\xEF\xBB\xBF" + valid.substr(0, 5) + "\xFF" + valid.substr(5), "not valid JSON"},
      {std::string(100'000, '['), "not valid JSON"},
      {with("seeds", ""), "seeds: missing"},
      {with("v", ""), "v: missing"},
      {valid.substr(0, valid.size() - 1) + R"(,"extra":1})", "extra: unknown member"},
      {with("v", "2"), "v: version 2"},
      {with("v", "\"1\""), "v: expected a non-negative integer"},
      {with("v", "1.0"), "v: expected a non-negative integer"},
      {with("seeds", "{}"), "seeds: expected an array"},
      {with("seeds", R"(["a",1])"), "seeds[1]: expected a string"},
      {with("pending", R"([["u",1]])"), "pending[0]: expected 3 elements"},
      {with("pending", R"([["u",1,0,0]])"), "pending[0]: expected 3 elements"},
      {with("pending", R"(["u"])"), "pending[0]: expected an array"},
      {with("pending", R"([[1,0,0]])"), "pending[0][0]: expected a string"},
      {with("pending", R"([["u",-1,0]])"), "pending[0][1]: expected a non-negative integer"},
      {with("pending", R"([["u",1.5,0]])"), "pending[0][1]: expected a non-negative integer"},
      {with("pending", R"([["u",1e2,0]])"), "pending[0][1]: expected a non-negative integer"},
      {with("pending", R"([["u",4294967296,0]])"), "pending[0][1]: larger than 4294967295"},
      {with("pending", R"([["u",0,true]])"), "pending[0][2]: expected a non-negative integer"},
      {with("finished", "[null]"), "finished[0]: expected a string"},
      {with("handed_out", "-1"), "handed_out: expected a non-negative integer"},
      {with("handed_out", "18446744073709551616"), "handed_out: expected a non-negative integer"},
      {with("budget_used", "[1,-1]"), "budget_used[1]: expected a non-negative integer"},
      {with("host_delays_ms", R"([["h"]])"), "host_delays_ms[0]: expected 2 elements"},
      {with("host_delays_ms", R"([["h",-5]])"), "host_delays_ms[0][1]: expected a non-negative"},
      {with("host_delays_ms", R"([["h",9223372036854775808]])"), "host_delays_ms[0][1]: larger"},
  };
  for (const Case& c : cases) {
    Result<FrontierState> state = frontier_state_from_json(c.json);
    ASSERT_FALSE(state.ok()) << c.json.substr(0, 200);
    EXPECT_EQ(state.error().code(), ErrorCode::kInvalidArgument) << c.json.substr(0, 200);
    EXPECT_NE(state.error().message().find(c.names), std::string::npos)
        << state.error().message() << " lacks " << c.names;
  }
}

TEST(ProgressJsonTest, RoundTripsEveryCounter) {
  CrawlProgress progress;
  progress.pages_done = 1;
  progress.pages_failed = 2;
  progress.pages_skipped = 3;
  progress.duplicates = 4;
  progress.queued = 5;
  progress.in_flight = 6;
  progress.bytes_fetched = std::numeric_limits<uint64_t>::max();
  progress.elapsed = std::chrono::milliseconds(123'456);
  std::string json = progress_to_json(progress);
  EXPECT_EQ(json, R"({"bytes_fetched":18446744073709551615,"duplicates":4,"elapsed_ms":123456,)"
                  R"("in_flight":6,"pages_done":1,"pages_failed":2,"pages_skipped":3,"queued":5})");
  Result<CrawlProgress> back = progress_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->pages_done, 1u);
  EXPECT_EQ(back->pages_failed, 2u);
  EXPECT_EQ(back->pages_skipped, 3u);
  EXPECT_EQ(back->duplicates, 4u);
  EXPECT_EQ(back->queued, 5u);
  EXPECT_EQ(back->in_flight, 6u);
  EXPECT_EQ(back->bytes_fetched, progress.bytes_fetched);
  EXPECT_EQ(back->elapsed, progress.elapsed);
}

TEST(ProgressJsonTest, MalformedDocumentsAreInvalidArgument) {
  const std::string valid = progress_to_json(CrawlProgress{});
  ASSERT_TRUE(progress_from_json(valid).ok());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not valid JSON"},
      {"{}", "pages_done: missing"},
      {"[1]", "not a JSON object"},
      {valid.substr(0, valid.size() - 1) + R"(,"rate":1})", "rate: unknown member"},
      {R"({"pages_done":-1,"pages_failed":0,"pages_skipped":0,"duplicates":0,"queued":0,)"
       R"("in_flight":0,"bytes_fetched":0,"elapsed_ms":0})",
       "pages_done: expected a non-negative integer"},
      {R"({"pages_done":0,"pages_failed":0,"pages_skipped":0,"duplicates":0,"queued":0,)"
       R"("in_flight":0,"bytes_fetched":0,"elapsed_ms":9223372036854775808})",
       "elapsed_ms: larger"},
      {valid + std::string(kMaxProgressJsonBytes, ' '), "longer than 4096 bytes"},
  };
  for (const auto& [json, names] : cases) {
    Result<CrawlProgress> progress = progress_from_json(json);
    ASSERT_FALSE(progress.ok()) << json;
    EXPECT_EQ(progress.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(progress.error().message().find(names), std::string::npos)
        << progress.error().message() << " lacks " << names;
  }
}

}  // namespace
}  // namespace riptide::crawl
