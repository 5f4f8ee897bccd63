// API keys and rate limits on a real `riptide serve` (docs/api.md "Authentication" and "Rate
// limits"): keys made by `riptide keys create`, revoked by `riptide keys revoke` while the server
// runs, created over the API by an admin key; 401/403/429 with their headers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "api_checks.h"
#include "response_parsing.h"
#include "serve_fixture.h"
#include "server/access.h"

namespace riptide::testing {
namespace {

// The limited key's bucket: two requests, then 429 (one token a minute refills too slowly for
// the test to see it).
constexpr uint32_t kLimitedBurst = 2;
constexpr uint32_t kLimitedRatePerMinute = 1;
// How long a revocation may take to reach a running server: the key cache TTL plus slack for a
// loaded machine.
constexpr auto kRevocationDeadline = server::kKeyCacheTtl + std::chrono::milliseconds(3000);
constexpr std::chrono::milliseconds kRevocationPoll{100};
// Usage counters reach the store at most a second after a request (store/store.h add_usage).
constexpr std::chrono::milliseconds kUsageDeadline{4000};

const std::string kTinyPage =
    R"({"html": "<html><head><title>T</title></head><body><p>Hello there.</p></body></html>",)"
    R"( "url": "https://example.org/t"})";

class AuthTest : public ServeFixture {
 public:
  static void SetUpTestSuite() {
    ServeOptions options;
    options.keys = {
        {.name = "user"},
        {.name = "admin", .admin = true},
        {.name = "to-revoke"},
        {.name = "counted"},
        {.name = "limited", .rate_per_minute = kLimitedRatePerMinute, .burst = kLimitedBurst}};
    start_suite_server(options);
  }

 protected:
  static HttpResult extract_with(const Headers& headers) {
    return client().post("/v1/extract", kTinyPage, headers);
  }

  // The entry of the key named `name` in `riptide keys list --json` (null when missing).
  static nlohmann::json listed_key(const std::string& name) {
    const CommandResult listed = server().run_with_data_dir({"keys", "list", "--json"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    const nlohmann::json json = nlohmann::json::parse(listed.out, nullptr, false);
    if (!json.is_array()) {
      ADD_FAILURE() << "keys list --json is not a list: " << listed.out;
      return nullptr;
    }
    for (const nlohmann::json& entry : json) {
      if (entry.value("name", "") == name) return entry;
    }
    ADD_FAILURE() << "no key named " << name << " in " << listed.out;
    return nullptr;
  }
};

TEST_F(AuthTest, MissingKeyIs401) {
  const HttpResult result = extract_with({});
  EXPECT_TRUE(is_api_error(result, 401, "unauthorized"));
  EXPECT_TRUE(has_standard_headers(result));
}

TEST_F(AuthTest, UnknownOrMalformedKeyIs401) {
  EXPECT_TRUE(is_api_error(extract_with(bearer("rt_not-a-real-key")), 401, "unauthorized"));
  // A real key under another scheme, and a bare key without the scheme.
  EXPECT_TRUE(
      is_api_error(extract_with({{"Authorization", "Basic " + key("user")}}), 401, "unauthorized"));
  EXPECT_TRUE(is_api_error(extract_with({{"Authorization", key("user")}}), 401, "unauthorized"));
  // A key with one character changed.
  std::string altered = key("user");
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(is_api_error(extract_with(bearer(altered)), 401, "unauthorized"));
}

TEST_F(AuthTest, ValidKeyIsAdmittedWithRateLimitHeaders) {
  const HttpResult result = extract_with(bearer(key("user")));
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_EQ(result.header("X-RateLimit-Limit").value_or(""),
            std::to_string(server::kDefaultRatePerMinute));
  EXPECT_FALSE(result.header("X-RateLimit-Remaining").value_or("").empty());
  EXPECT_FALSE(result.header("X-RateLimit-Reset").value_or("").empty());
  // The scheme is case-insensitive.
  EXPECT_EQ(extract_with({{"Authorization", "bearer " + key("user")}}).status, 200);
}

TEST_F(AuthTest, RevokedKeyIs403WithinTheCacheTtl) {
  const std::string revoked = key("to-revoke");
  ASSERT_EQ(extract_with(bearer(revoked)).status, 200);
  const std::string id = listed_key("to-revoke").value("id", "");
  ASSERT_FALSE(id.empty());
  const CommandResult revoke = server().run_with_data_dir({"keys", "revoke", id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out << revoke.err;

  const auto revoked_at = std::chrono::steady_clock::now();
  HttpResult result;
  while (true) {
    result = extract_with(bearer(revoked));
    if (result.status != 200) break;
    ASSERT_LT(std::chrono::steady_clock::now() - revoked_at, kRevocationDeadline)
        << "a revoked key still works";
    std::this_thread::sleep_for(kRevocationPoll);
  }
  EXPECT_TRUE(is_api_error(result, 403, "forbidden"));
  // Other keys are unaffected.
  EXPECT_EQ(extract_with(bearer(key("user"))).status, 200);
}

TEST_F(AuthTest, AdminRouteRefusesAnOrdinaryKey) {
  const HttpResult result =
      client().post("/api/auth/keys", R"({"name": "sneaky"})", bearer(key("user")));
  EXPECT_TRUE(is_api_error(result, 403, "forbidden"));
  EXPECT_TRUE(
      is_api_error(client().post("/api/auth/keys", R"({"name": "anon"})"), 401, "unauthorized"));
}

TEST_F(AuthTest, AdminKeyCreatesAWorkingKey) {
  const HttpResult created =
      client().post("/api/auth/keys", R"({"name": "made-by-admin"})", bearer(key("admin")));
  ASSERT_EQ(created.status, 201) << describe(created);
  const nlohmann::json json = body_json(created);
  const std::string new_key = json.value("key", "");
  ASSERT_FALSE(new_key.empty()) << describe(created);
  EXPECT_EQ(json.value("name", ""), "made-by-admin");
  EXPECT_FALSE(json.value("id", "").empty());
  EXPECT_FALSE(json.value("admin", true));

  const HttpResult used = extract_with(bearer(new_key));
  EXPECT_EQ(used.status, 200) << describe(used);
  // An ordinary key made over the API cannot make keys.
  EXPECT_TRUE(
      is_api_error(client().post("/api/auth/keys", R"({"name": "second"})", bearer(new_key)), 403));
  // The CLI sees it too (one store).
  const CommandResult listed = server().run_with_data_dir({"keys", "list", "--json"});
  EXPECT_NE(listed.out.find("made-by-admin"), std::string::npos) << listed.out;
  // Malformed creation bodies are 400.
  EXPECT_TRUE(is_api_error(client().post("/api/auth/keys", "{", bearer(key("admin"))), 400));
}

TEST_F(AuthTest, BurstExhaustedIs429WithRetryAfter) {
  const Headers limited = bearer(key("limited"));
  for (uint32_t i = 0; i < kLimitedBurst; ++i) {
    const HttpResult ok = extract_with(limited);
    ASSERT_EQ(ok.status, 200) << "request " << i << ": " << describe(ok);
    EXPECT_EQ(ok.header("X-RateLimit-Limit").value_or(""), std::to_string(kLimitedRatePerMinute));
    EXPECT_EQ(ok.header("X-RateLimit-Remaining").value_or(""),
              std::to_string(kLimitedBurst - 1 - i));
  }
  const HttpResult refused = extract_with(limited);
  ASSERT_TRUE(is_api_error(refused, 429, "rate_limited"));
  const int retry_after = std::stoi(refused.header("Retry-After").value_or("0"));
  // One token a minute: the next one is most of a minute away.
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  EXPECT_EQ(refused.header("X-RateLimit-Remaining").value_or(""), "0");
  EXPECT_EQ(refused.header("X-RateLimit-Limit").value_or(""),
            std::to_string(kLimitedRatePerMinute));
  EXPECT_FALSE(refused.header("X-RateLimit-Reset").value_or("").empty());

  // Other keys have their own buckets.
  EXPECT_EQ(extract_with(bearer(key("user"))).status, 200);
  const HttpResult metrics = client().get("/metrics");
  EXPECT_GE(metric_value(metrics.body, "riptide_rate_limit_rejections_total").value_or(0), 1)
      << metrics.body;
}

TEST_F(AuthTest, PublicRoutesNeedNoKey) {
  for (const char* path : {"/health/live", "/health/ready", "/health", "/metrics"}) {
    EXPECT_EQ(client().get(path).status, 200) << path;
  }
}

TEST_F(AuthTest, UsageIsCountedPerKey) {
  constexpr int kPages = 3;
  for (int i = 0; i < kPages; ++i) ASSERT_EQ(extract_with(bearer(key("counted"))).status, 200);
  ASSERT_TRUE(is_api_error(client().post("/v1/extract", "{", bearer(key("counted"))), 400));

  const auto deadline = std::chrono::steady_clock::now() + kUsageDeadline;
  nlohmann::json entry;
  while (true) {
    entry = listed_key("counted");
    if (entry.is_null() || json_at(entry, "/usage/requests") >= kPages + 1) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "usage never counted: " << entry;
    std::this_thread::sleep_for(kRevocationPoll);
  }
  EXPECT_EQ(json_at(entry, "/usage/requests"), kPages + 1) << entry;
  EXPECT_EQ(json_at(entry, "/usage/pages"), kPages) << entry;
  EXPECT_EQ(json_at(entry, "/usage/errors"), 1) << entry;
  EXPECT_GT(json_at(entry, "/usage/bytes_out"), 0) << entry;
  EXPECT_TRUE(json_at(entry, "/last_used_at").is_string()) << entry;
}

// `riptide serve --no-auth`: for local use, anyone may call the API, and the log says so loudly.
class NoAuthTest : public ServeFixture {
 public:
  static void SetUpTestSuite() {
    ServeOptions options;
    options.args = {"--no-auth"};
    start_suite_server(options);
  }
};

TEST_F(NoAuthTest, RequestsWithoutAKeyAreServedAndTheLogWarns) {
  const HttpResult result = client().post("/v1/extract", kTinyPage);
  ASSERT_EQ(result.status, 200) << describe(result);
  EXPECT_EQ(string_at(body_json(result), "/title"), "T");
  // Still rate limited with the server's defaults.
  EXPECT_EQ(result.header("X-RateLimit-Limit").value_or(""),
            std::to_string(server::kDefaultRatePerMinute));

  const std::string log = server().wait_for_stderr("\"auth_disabled\"");
  const size_t warning = log.find("\"auth_disabled\"");
  ASSERT_NE(warning, std::string::npos) << log;
  const size_t line_start = log.rfind('\n', warning) + 1;
  EXPECT_NE(log.substr(line_start, warning - line_start).find("\"level\":\"warn"),
            std::string::npos)
      << log.substr(line_start, 300);
}

}  // namespace
}  // namespace riptide::testing
