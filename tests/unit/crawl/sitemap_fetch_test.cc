// Sitemap collection (crawl/sitemap_fetch.h) against the local test site: indexes followed
// breadth-first, gzip files and gzip transfer encoding, cycles, other hosts, problems, the caps
// and cancel.
#include "crawl/sitemap_fetch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "tests/support/gzip.h"
#include "tests/support/site_fetch_config.h"
#include "tests/support/test_http_server.h"

namespace riptide::crawl {
namespace {

using std::chrono::milliseconds;
using testing::gzip;
using testing::html_response;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::site_fetch_config;
using testing::TestHttpServer;

std::string urlset(const std::vector<std::string>& urls) {
  std::string xml = "<?xml version=\"1.0\"?>\n<urlset>\n";
  for (const std::string& url : urls) xml += "  <url><loc>" + url + "</loc></url>\n";
  return xml + "</urlset>\n";
}

std::string sitemap_index(const std::vector<std::string>& urls) {
  std::string xml = "<?xml version=\"1.0\"?>\n<sitemapindex>\n";
  for (const std::string& url : urls) xml += "  <sitemap><loc>" + url + "</loc></sitemap>\n";
  return xml + "</sitemapindex>\n";
}

HttpResponse xml_response(std::string body) {
  return html_response(std::move(body), 200, "application/xml");
}

std::vector<std::string> page_urls(const SitemapCollection& collection) {
  std::vector<std::string> urls;
  for (const SitemapEntry& entry : collection.pages) urls.push_back(entry.url);
  return urls;
}

bool has_problem(const SitemapCollection& collection, std::string_view text) {
  return std::any_of(collection.problems.begin(), collection.problems.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

TEST(CollectSitemaps, FollowsAnIndexToGzipAndPlainChildren) {
  TestHttpServer site;
  site.route("/sitemap_index.xml", [&](const HttpRequest&) {
    return xml_response(
        sitemap_index({site.url("/a.xml.gz"), site.url("/b.xml"), site.url("/c.txt")}));
  });
  // A gzip file, served as such: the body arrives compressed and is recognised by its magic.
  site.route("/a.xml.gz", [&](const HttpRequest&) {
    return html_response(gzip(urlset({site.url("/1"), site.url("/2")})), 200, "application/gzip");
  });
  // gzip as a transfer encoding of XML: libcurl decodes it.
  site.route("/b.xml", [&](const HttpRequest&) {
    HttpResponse response = xml_response(gzip(urlset({site.url("/3"), site.url("/1")})));
    response.headers.emplace_back("Content-Encoding", "gzip");
    return response;
  });
  // A plain-text sitemap.
  site.route("/c.txt", [&](const HttpRequest&) {
    return html_response(site.url("/4") + "\n" + site.url("/2") + "\n", 200, "text/plain");
  });
  fetch::Fetcher fetcher(site_fetch_config());
  SitemapCollection collection = collect_sitemaps(fetcher, {site.url("/sitemap_index.xml")});
  // In document order, children in the index's order, duplicates (/1, /2) once.
  EXPECT_EQ(page_urls(collection), (std::vector<std::string>{site.url("/1"), site.url("/2"),
                                                             site.url("/3"), site.url("/4")}));
  EXPECT_EQ(collection.sitemaps_fetched, 4u);
  EXPECT_TRUE(collection.problems.empty()) << collection.problems[0];
  EXPECT_FALSE(collection.truncated);
  EXPECT_FALSE(collection.cancelled);
}

TEST(CollectSitemaps, FetchesEachSitemapOfACycleOnce) {
  TestHttpServer site;
  site.route("/a.xml", [&](const HttpRequest&) {
    return xml_response(sitemap_index({site.url("/b.xml"), site.url("/pages.xml")}));
  });
  site.route("/b.xml", [&](const HttpRequest&) {
    return xml_response(sitemap_index({site.url("/a.xml"), site.url("/pages.xml#again")}));
  });
  site.route("/pages.xml",
             [&](const HttpRequest&) { return xml_response(urlset({site.url("/page")})); });
  fetch::Fetcher fetcher(site_fetch_config());
  // The same start URL twice counts once too.
  SitemapCollection collection =
      collect_sitemaps(fetcher, {site.url("/a.xml"), site.url("/a.xml")});
  EXPECT_EQ(site.requests_for("/a.xml").size(), 1u);
  EXPECT_EQ(site.requests_for("/b.xml").size(), 1u);
  EXPECT_EQ(site.requests_for("/pages.xml").size(), 1u);
  EXPECT_EQ(collection.sitemaps_fetched, 3u);
  EXPECT_EQ(page_urls(collection), std::vector<std::string>{site.url("/page")});
  EXPECT_FALSE(collection.truncated);
}

TEST(CollectSitemaps, IgnoresIndexEntriesOnOtherHosts) {
  TestHttpServer site;
  TestHttpServer other;  // another port on 127.0.0.1: another host for the sitemap rule
  other.set_fallback([&](const HttpRequest&) { return xml_response(urlset({other.url("/x")})); });
  site.route("/index.xml", [&](const HttpRequest&) {
    return xml_response(sitemap_index({other.url("/sitemap.xml"), site.url("/mine.xml")}));
  });
  site.route("/mine.xml",
             [&](const HttpRequest&) { return xml_response(urlset({site.url("/mine")})); });
  fetch::Fetcher fetcher(site_fetch_config());
  SitemapCollection collection = collect_sitemaps(fetcher, {site.url("/index.xml")});
  EXPECT_EQ(other.request_count(), 0u);
  EXPECT_EQ(page_urls(collection), std::vector<std::string>{site.url("/mine")});
  EXPECT_TRUE(has_problem(collection, "ignored 1 sitemap URL(s) on other hosts"));
  // A start URL on another host is the caller's choice (robots.txt named it) and is fetched.
  SitemapCollection direct = collect_sitemaps(fetcher, {other.url("/sitemap.xml")});
  EXPECT_EQ(page_urls(direct), std::vector<std::string>{other.url("/x")});
}

TEST(CollectSitemaps, ReportsUnusableSitemapsAndGoesOn) {
  TestHttpServer site;  // unrouted paths answer 404
  site.route("/index.xml", [&](const HttpRequest&) {
    return xml_response(sitemap_index({site.url("/missing.xml"), site.url("/html.xml"),
                                       site.url("/broken.xml"), site.url("/good.xml")}));
  });
  site.route("/html.xml", [](const HttpRequest&) { return html_response("<html><p>hi</p>"); });
  site.route("/broken.xml", [](const HttpRequest&) { return xml_response("<urlset><url>"); });
  site.route("/good.xml",
             [&](const HttpRequest&) { return xml_response(urlset({site.url("/ok")})); });
  fetch::Fetcher fetcher(site_fetch_config());
  SitemapCollection collection =
      collect_sitemaps(fetcher, {site.url("/index.xml"), "ftp://example.com/sitemap.xml"});
  EXPECT_EQ(page_urls(collection), std::vector<std::string>{site.url("/ok")});
  EXPECT_EQ(collection.sitemaps_fetched, 5u);
  ASSERT_EQ(collection.problems.size(), 4u);
  EXPECT_TRUE(has_problem(collection, "ftp://example.com/sitemap.xml: not an http(s) URL"));
  EXPECT_TRUE(has_problem(collection, site.url("/missing.xml") + ": HTTP 404"));
  EXPECT_TRUE(has_problem(collection, site.url("/html.xml") + ": invalid_input"));
  EXPECT_TRUE(has_problem(collection, site.url("/broken.xml") + ": parse_error"));
  EXPECT_FALSE(collection.truncated);

  // A server that cannot be reached is a problem line too.
  TestHttpServer gone;
  std::string gone_url = gone.url("/sitemap.xml");
  gone.stop();
  SitemapCollection unreachable = collect_sitemaps(fetcher, {gone_url});
  ASSERT_EQ(unreachable.problems.size(), 1u);
  EXPECT_NE(unreachable.problems[0].find("fetch_failed"), std::string::npos)
      << unreachable.problems[0];
}

TEST(CollectSitemaps, StopsAtTheFetchCap) {
  TestHttpServer site;
  constexpr int kChildren = 150;
  site.route("/index.xml", [&](const HttpRequest&) {
    std::vector<std::string> children;
    for (int i = 0; i < kChildren; ++i) children.push_back(site.url("/s" + std::to_string(i)));
    return xml_response(sitemap_index(children));
  });
  site.set_fallback([&](const HttpRequest& request) {
    return xml_response(urlset({site.url("/page" + request.path)}));
  });
  fetch::Fetcher fetcher(site_fetch_config());
  SitemapCollection collection = collect_sitemaps(fetcher, {site.url("/index.xml")});
  EXPECT_EQ(collection.sitemaps_fetched, kMaxSitemapFetches);
  EXPECT_EQ(site.request_count(), kMaxSitemapFetches);
  EXPECT_EQ(collection.pages.size(), kMaxSitemapFetches - 1);  // one page per child
  EXPECT_TRUE(collection.truncated);
  EXPECT_TRUE(has_problem(collection, "51 sitemap URLs not fetched"));
}

TEST(CollectSitemaps, StopsAtTheDepthCap) {
  // /i0 lists /i1 lists /i2 ... : indexes at depths 0..3 are read, /i3's children not fetched.
  TestHttpServer site;
  site.set_fallback([&](const HttpRequest& request) {
    int n = std::stoi(request.path.substr(2));
    return xml_response(sitemap_index({site.url("/i" + std::to_string(n + 1))}));
  });
  fetch::Fetcher fetcher(site_fetch_config());
  SitemapCollection collection = collect_sitemaps(fetcher, {site.url("/i0")});
  EXPECT_EQ(collection.sitemaps_fetched, kMaxSitemapDepth + 1);
  EXPECT_EQ(site.requests_for("/i3").size(), 1u);
  EXPECT_EQ(site.requests_for("/i4").size(), 0u);
  EXPECT_TRUE(collection.truncated);
  EXPECT_TRUE(has_problem(collection, "nested deeper than 3 levels"));
}

TEST(CollectSitemaps, StopsAtThePageCap) {
  // Five text sitemaps of 50,000 distinct URLs each (the per-file maximum): 250,000 > the cap.
  constexpr int kSitemaps = 5;
  std::vector<std::string> bodies;
  for (int s = 0; s < kSitemaps; ++s) {
    std::string body;
    for (size_t i = 0; i < kMaxSitemapUrls; ++i) {
      body += "http://example.com/" + std::to_string(s) + "/" + std::to_string(i) + "\n";
    }
    bodies.push_back(std::move(body));
  }
  TestHttpServer site;
  std::vector<std::string> starts;
  for (int s = 0; s < kSitemaps; ++s) {
    std::string path = "/s" + std::to_string(s) + ".txt";
    site.route(path, [&bodies, s](const HttpRequest&) {
      return html_response(bodies[s], 200, "text/plain");
    });
    starts.push_back(site.url(path));
  }
  fetch::Fetcher fetcher(site_fetch_config());
  SitemapCollection collection = collect_sitemaps(fetcher, starts);
  EXPECT_EQ(collection.pages.size(), kMaxSitemapPages);
  EXPECT_EQ(collection.pages.back().url, "http://example.com/3/49999");
  EXPECT_EQ(collection.sitemaps_fetched, 4u);  // the fifth is not fetched once the cap is hit
  EXPECT_TRUE(collection.truncated);
  EXPECT_TRUE(has_problem(collection, "at most 200000 page URLs"));
}

TEST(CollectSitemaps, CancelStopsTheWalk) {
  TestHttpServer site;
  site.route("/index.xml", [&](const HttpRequest&) {
    return xml_response(sitemap_index({site.url("/fast.xml"), site.url("/slow.xml")}));
  });
  site.route("/fast.xml",
             [&](const HttpRequest&) { return xml_response(urlset({site.url("/fast")})); });
  site.route("/slow.xml", [&](const HttpRequest&) {
    HttpResponse response = xml_response(urlset({site.url("/slow")}));
    response.delay = milliseconds(5'000);
    return response;
  });
  fetch::Fetcher fetcher(site_fetch_config());
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    // Cancel once the slow sitemap has been asked for.
    while (site.requests_for("/slow.xml").empty()) std::this_thread::sleep_for(milliseconds(5));
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  SitemapCollection collection = collect_sitemaps(fetcher, {site.url("/index.xml")}, &cancel);
  auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_LT(elapsed, milliseconds(1'000));
  EXPECT_TRUE(collection.cancelled);
  EXPECT_EQ(page_urls(collection), std::vector<std::string>{site.url("/fast")});
  EXPECT_TRUE(collection.problems.empty());

  // Already cancelled: nothing is fetched.
  site.clear_log();
  SitemapCollection none = collect_sitemaps(fetcher, {site.url("/index.xml")}, &cancel);
  EXPECT_EQ(site.request_count(), 0u);
  EXPECT_TRUE(none.cancelled);
  EXPECT_EQ(none.sitemaps_fetched, 0u);
}

}  // namespace
}  // namespace riptide::crawl
