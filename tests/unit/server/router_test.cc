#include "server/router.h"

#include <gtest/gtest.h>

#include <string>

namespace riptide::server {
namespace {

Handler noop() {
  return [](HttpRequest, std::shared_ptr<ResponseWriter>) {};
}

Router make_router() {
  Router router;
  router.add("GET", "/health/live", Access::kPublic, noop());
  router.add("POST", "/v1/extract", Access::kKey, noop());
  router.add("GET", "/v1/crawl/{id}", Access::kKey, noop());
  router.add("DELETE", "/v1/crawl/{id}", Access::kKey, noop());
  router.add("GET", "/v1/crawl/active", Access::kKey, noop());
  router.add("GET", "/v1/crawl/{id}/pages/{page}", Access::kKey, noop());
  router.add("POST", "/api/auth/keys", Access::kAdmin, noop());
  return router;
}

TEST(Router, FindsLiteralRoute) {
  Router router = make_router();
  Router::Match match = router.match("POST", "/v1/extract");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route->pattern, "/v1/extract");
  EXPECT_EQ(match.route->access, Access::kKey);
  EXPECT_TRUE(match.path_params.empty());
  EXPECT_EQ(router.match("POST", "/api/auth/keys").route->access, Access::kAdmin);
}

TEST(Router, UnknownPathIsNotFound) {
  Router router = make_router();
  struct Case {
    const char* path;
  } cases[] = {{"/"},
               {"/v1"},
               {"/v1/extract/"},
               {"/V1/extract"},
               {"/v1/crawl/"},
               {"/v1/crawl/a/b"},
               {""},
               {"*"},
               {"http://x/v1/extract"},
               {"/health/live/extra"}};
  for (const Case& c : cases) {
    EXPECT_EQ(router.match("GET", c.path).kind, Router::Match::Kind::kNotFound) << c.path;
  }
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router = make_router();
  Router::Match match = router.match("GET", "/v1/extract");
  EXPECT_EQ(match.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "POST");
  match = router.match("PUT", "/v1/crawl/abc");
  EXPECT_EQ(match.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD, DELETE");
  // Methods are case-sensitive (RFC 9110 9.1).
  EXPECT_EQ(router.match("post", "/v1/extract").kind, Router::Match::Kind::kMethodNotAllowed);
}

TEST(Router, ExtractsPathParams) {
  Router router = make_router();
  Router::Match match = router.match("GET", "/v1/crawl/job_42");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route->pattern, "/v1/crawl/{id}");
  ASSERT_EQ(match.path_params.size(), 1u);
  EXPECT_EQ(match.path_params[0], (Header{"id", "job_42"}));

  match = router.match("GET", "/v1/crawl/j1/pages/7");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  ASSERT_EQ(match.path_params.size(), 2u);
  EXPECT_EQ(match.path_params[0], (Header{"id", "j1"}));
  EXPECT_EQ(match.path_params[1], (Header{"page", "7"}));

  match = router.match("DELETE", "/v1/crawl/j1");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route->method, "DELETE");
}

TEST(Router, LiteralSegmentBeatsParameter) {
  Router router = make_router();
  Router::Match match = router.match("GET", "/v1/crawl/active");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route->pattern, "/v1/crawl/active");
  EXPECT_TRUE(match.path_params.empty());
}

TEST(Router, HeadIsServedByGet) {
  Router router = make_router();
  Router::Match match = router.match("HEAD", "/health/live");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route->method, "GET");
  EXPECT_EQ(match.allow, "GET, HEAD");
}

TEST(Router, RouteIndexesFollowRegistration) {
  Router router = make_router();
  for (size_t i = 0; i < router.routes().size(); ++i) EXPECT_EQ(router.routes()[i].index, i);
}

}  // namespace
}  // namespace riptide::server
