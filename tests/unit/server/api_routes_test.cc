#include "server/api_routes.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/work_pool.h"
#include "store/api_keys.h"
#include "tests/support/fake_store.h"
#include "tests/unit/server/fake_writer.h"
#include "tests/unit/server/pool_blocker.h"
#include "tests/unit/server/route_harness.h"

// The API's handlers called the way the server calls them (router match, then the handler with a
// request and a writer), without sockets: the routes, which body each reads, how it answers, and
// what it does when a pool is full. End-to-end HTTP is tests/integration.
namespace riptide::server {
namespace {

using Json = nlohmann::json;
using testing::body_of;
using testing::FakeWriter;
using testing::header_of;
using testing::PoolBlocker;
using testing::wait_idle;

constexpr const char* kPage =
    "<html lang=\"en\"><head><title>Tides</title></head><body><article><p>The North Sea has two "
    "high tides a day, and the tidal wave travels anticlockwise around the basin.</p></article>"
    "</body></html>";

class ApiRoutesTest : public ::testing::Test {
 protected:
  ApiRoutesTest() {
    sandbox::SandboxConfig sandbox_config;
    sandbox_config.pool.initial_pool_size = 0;
    engine_ = sandbox::Engine::create(sandbox_config);
    ExtractServiceOptions options;
    options.engine_kind = sandbox::EngineKind::kNative;
    service_ = std::make_unique<ExtractService>(
        *engine_,
        [this](std::string_view url) -> Result<fetch::FetchResponse> {
          ++fetches_;
          fetch::FetchResponse response;
          response.url = response.final_url = std::string(url);
          response.status = 200;
          response.html = kPage;
          return response;
        },
        &store_, options);
    server_.config.retry_after_seconds = 7;
    register_api_routes(server_.router, server_.context,
                        ApiServices{*service_, store_, server_.delayed});
  }

  // Calls the route as the server would after admitting `key_id`.
  std::shared_ptr<FakeWriter> call(const std::string& path, std::string body,
                                   std::vector<Header> headers = {},
                                   const std::string& key_id = "key_test", bool admin = false) {
    return server_.call("POST", path, std::move(body), std::move(headers),
                        Principal{key_id, "test", admin});
  }

  riptide::testing::FakeStore store_;
  std::unique_ptr<sandbox::Engine> engine_;
  std::unique_ptr<ExtractService> service_;
  std::atomic<int> fetches_{0};
  // Last: destroyed first, so its pools finish their tasks while the service still exists.
  testing::RouteHarness server_;
};

TEST_F(ApiRoutesTest, EveryRouteIsRegisteredWithItsAccess) {
  struct Case {
    const char* path;
    Access access;
  };
  for (const Case& c :
       {Case{"/v1/extract", Access::kKey}, Case{"/v1/batch", Access::kKey},
        Case{"/api/extract", Access::kKey}, Case{"/extract", Access::kKey},
        Case{"/extract/stream", Access::kKey}, Case{"/crawl", Access::kKey},
        Case{"/crawl/stream", Access::kKey}, Case{"/api/auth/keys", Access::kAdmin}}) {
    Router::Match match = server_.router.match("POST", c.path);
    ASSERT_EQ(match.kind, Router::Match::Kind::kFound) << c.path;
    EXPECT_EQ(match.route->access, c.access) << c.path;
    EXPECT_EQ(server_.router.match("GET", c.path).kind, Router::Match::Kind::kMethodNotAllowed);
  }
}

TEST_F(ApiRoutesTest, ExtractAnswersTheDocumentAndCountsUsage) {
  auto writer = call("/v1/extract", Json{{"html", kPage}, {"formats", {"text"}}}.dump());
  ASSERT_TRUE(writer->sent());
  EXPECT_EQ(writer->sent()->status, 200u);
  Json body = body_of(writer);
  EXPECT_EQ(body["text"],
            "The North Sea has two high tides a day, and the tidal wave travels "
            "anticlockwise around the basin.");
  EXPECT_FALSE(body.contains("markdown"));
  EXPECT_FALSE(header_of(writer, "X-Cache")) << "given HTML is never cached";
  store::Usage usage = *store_.usage("key_test");
  EXPECT_EQ(usage.pages, 1u);
  EXPECT_EQ(usage.bytes_in, std::string(kPage).size());
}

TEST_F(ApiRoutesTest, UrlRequestsSayWhetherTheCacheAnswered) {
  std::string body = Json{{"url", "https://tides.example/"}}.dump();
  auto first = call("/v1/extract", body);
  auto second = call("/v1/extract", body);
  ASSERT_TRUE(first->sent() && second->sent());
  EXPECT_EQ(header_of(first, "X-Cache"), "miss");
  EXPECT_EQ(header_of(second, "X-Cache"), "hit");
  EXPECT_EQ(fetches_, 1);
}

TEST_F(ApiRoutesTest, V1RefusesUnknownFieldsTheCompatRoutesIgnoreThem) {
  std::string body = Json{{"html", kPage}, {"includeImages", true}}.dump();
  auto v1 = call("/v1/extract", body);
  EXPECT_EQ(v1->sent()->status, 400u);
  EXPECT_EQ(body_of(v1)["error"]["code"], "invalid_argument");
  EXPECT_EQ(body_of(v1)["error"]["message"], "unknown field \"includeImages\"");
  EXPECT_EQ(body_of(v1)["error"]["request_id"], "req-1");
  for (const char* compat : {"/api/extract", "/extract"}) {
    auto writer = call(compat, body);
    EXPECT_EQ(writer->sent()->status, 200u) << compat;
    EXPECT_EQ(body_of(writer)["title"], "Tides") << compat;
  }
}

TEST_F(ApiRoutesTest, BatchRoutesAnswerInTheirDefaultForm) {
  std::string batch = Json{{"urls", {"https://a.example/", "https://b.example/"}}}.dump();
  std::string crawl = Json{{"urls", {"https://a.example/"}}, {"options", {{"depth", 2}}}}.dump();

  Json v1 = body_of(call("/v1/batch", batch));
  ASSERT_EQ(v1["results"].size(), 2u);
  EXPECT_EQ(v1["results"][1]["url"], "https://b.example/");
  EXPECT_EQ(v1["summary"]["succeeded"], 2);

  Json crawled = body_of(call("/crawl", crawl));
  ASSERT_EQ(crawled["results"].size(), 1u);
  EXPECT_EQ(crawled["results"][0]["document"]["title"], "Tides");

  for (const auto& [path, body] :
       {std::pair{"/extract/stream", batch}, std::pair{"/crawl/stream", crawl}}) {
    auto writer = call(path, body);
    EXPECT_EQ(writer->content_type(), "application/x-ndjson") << path;
    EXPECT_TRUE(writer->finished()) << path;
  }
  auto sse = call("/crawl/stream", crawl, {{"Accept", "text/event-stream"}});
  EXPECT_EQ(sse->content_type(), "text/event-stream");
  EXPECT_EQ(call("/v1/batch", batch, {{"Accept", "application/x-ndjson"}})->lines().size(), 2u);
}

TEST_F(ApiRoutesTest, AFullWorkerQueueIs503WithRetryAfter) {
  PoolBlocker blocked(server_.workers);
  auto writer = call("/v1/extract", Json{{"html", kPage}}.dump());
  ASSERT_TRUE(writer->sent());
  EXPECT_EQ(writer->sent()->status, 503u);
  EXPECT_EQ(body_of(writer)["error"]["code"], "unavailable");
  EXPECT_EQ(header_of(writer, "Retry-After"), "7");

  // A body too large to decode on the I/O thread meets the same full queue.
  std::string big(100'000, 'x');
  auto large = call("/v1/extract", Json{{"html", "<p>" + big + "</p>"}}.dump());
  EXPECT_EQ(large->sent()->status, 503u);
}

TEST_F(ApiRoutesTest, AFullFetchQueueIs503ForUrlRequests) {
  PoolBlocker blocked(server_.fetchers);
  auto writer = call("/v1/extract", Json{{"url", "https://tides.example/"}}.dump());
  ASSERT_TRUE(writer->sent());
  EXPECT_EQ(writer->sent()->status, 503u);
  EXPECT_EQ(header_of(writer, "Retry-After"), "7");
  EXPECT_EQ(fetches_, 0);
}

TEST_F(ApiRoutesTest, LargeBodiesAreDecodedOnAWorker) {
  std::string text(100'000, 'a');
  auto writer =
      call("/v1/extract", Json{{"html", "<p>" + text + "</p>"}, {"formats", {"text"}}}.dump());
  ASSERT_TRUE(writer->sent());
  EXPECT_EQ(writer->sent()->status, 200u);
  EXPECT_EQ(body_of(writer)["text"], text);

  // Where decoding ran shows when the workers are busy: a cached URL needs no worker once its
  // small body is decoded on the I/O thread, but the same request padded past the inline limit
  // (a compat route ignores the padding) must first be decoded on a worker.
  std::string small = Json{{"url", "https://tides.example/"}}.dump();
  ASSERT_EQ(call("/extract", small)->sent()->status, 200u);
  PoolBlocker blocked(server_.workers);
  ASSERT_TRUE(wait_idle(server_.fetchers));
  auto cached = call("/extract", small);
  EXPECT_EQ(cached->sent()->status, 200u);
  EXPECT_EQ(header_of(cached, "X-Cache"), "hit");
  std::string padded =
      Json{{"url", "https://tides.example/"}, {"padding", std::string(100'000, ' ')}}.dump();
  EXPECT_EQ(call("/extract", padded)->sent()->status, 503u);
}

TEST_F(ApiRoutesTest, AdminCreatesAKeyThatIsStoredHashed) {
  auto writer =
      call("/api/auth/keys", R"({"name": "ci", "rate_per_minute": 60})", {}, "key_admin", true);
  ASSERT_TRUE(writer->sent());
  EXPECT_EQ(writer->sent()->status, 201u);
  Json body = body_of(writer);
  std::string key = body.value("key", "");
  EXPECT_TRUE(store::is_well_formed_api_key(key)) << key;
  EXPECT_EQ(body["name"], "ci");
  EXPECT_EQ(body["rate_per_minute"], 60);
  EXPECT_EQ(body["admin"], false);
  auto stored = store_.find_key_by_hash(store::sha256_hex(key));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->id, body["id"]);

  auto bad = call("/api/auth/keys", R"({"admin": true})", {}, "key_admin", true);
  EXPECT_EQ(bad->sent()->status, 400u);
  EXPECT_EQ(body_of(bad)["error"]["message"], "name is required");
}

}  // namespace
}  // namespace riptide::server
