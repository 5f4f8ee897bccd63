#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "serve_fixture.h"
#include "tests/support/test_http_server.h"

// The local site that riptide serve fetches from in the integration tests: the sample article
// plainly, behind a redirect chain, gzipped, as a zip bomb, in windows-1251, slowly, as a PDF,
// and redirecting to an address outside the test's allowlist.
namespace riptide::testing {

// The fetch timeout the servers of these tests run with (short, so the timeout test is fast).
inline constexpr std::chrono::milliseconds kTestFetchTimeout{2000};
// A page that answers within the timeout but late enough to tell streaming from buffering.
inline constexpr std::chrono::milliseconds kSlowPageDelay{1000};
// A page that answers after the fetch timeout.
inline constexpr std::chrono::milliseconds kHangingPageDelay{kTestFetchTimeout * 3};
// Decompressed size of /bomb: more than the fetcher's 10 MiB cap (fetch::kDefaultMaxBodyBytes),
// from a few tens of KiB on the wire.
inline constexpr size_t kBombBytes = size_t{32} << 20;

// Paths and what the fetched documents say.
inline constexpr const char* kArticleTitle = "River survey finds otters back in the upper valley";
inline constexpr const char* kSecondTitle = "Tide tables for the harbour";
inline constexpr const char* kCyrillicTitle = "Новости долины";
inline constexpr const char* kCyrillicSentence = "Выдры вернулись в верхнюю долину реки";

// Registers the routes above on `site` (see test_site.cc for the list):
//   /article /second /redirect/1 (→ /redirect/2 → /redirect/3 → /article) /gzip /bomb
//   /cp1251 (charset in Content-Type) /cp1251-meta (charset in <meta>) /slow (kSlowPageDelay)
//   /hang (kHangingPageDelay) /pdf /missing (404) /to-other-loopback (→ 127.0.0.2, same port)
void add_test_site_routes(TestHttpServer& site);

// The sample article (samples/article.html) and a second, shorter page.
const std::string& article_html();
const std::string& second_html();

// UTF-8 Cyrillic (А..я, Ё, ё) and ASCII to windows-1251; other characters become '?'.
std::string to_windows_1251(std::string_view utf8);

// `data` as a gzip member (RFC 1952), for Content-Encoding: gzip.
std::string gzip(std::string_view data);

// A server that may fetch from the test site (127.0.0.1/32 only, not the rest of loopback) with
// kTestFetchTimeout, and one API key named "user".
ServeOptions site_fetching_options();

// ServeFixture plus a test site started before the suite's server (and stopped after it); every
// test starts with an empty request log. A suite calls start_site_and_server(options) from its
// SetUpTestSuite.
class SiteFixture : public ServeFixture {
 public:
  static void TearDownTestSuite();

 protected:
  static void start_site_and_server(const ServeOptions& options);
  static TestHttpServer& site() { return *suite_site(); }
  void SetUp() override;

 private:
  static std::unique_ptr<TestHttpServer>& suite_site();
};

}  // namespace riptide::testing
