#pragma once

// A generated web site for crawl tests and the crawl benchmark, served on 127.0.0.1 by
// TestHttpServer: thousands of article-like pages and every trap a polite crawler must handle,
// generated deterministically from a seed, with the generator's knowledge of the site (every
// URL, its link depth from "/", whether robots.txt disallows it, what it duplicates) exposed so
// tests can compute what a correct crawl requests and compare it with the server's request log.
//
//   riptide::testing::CrawlSite site({.pages = 2000});
//   crawl(site.url("/"), max_depth = 3);
//   EXPECT_EQ(site.page_targets_requested(), site.expected_targets({.max_depth = 3}));
//
// The site (N = config.pages, i in [0, N)):
//   /                       home, depth 0: links /articles/0, /chain/0, both listings, /busy,
//                           one out-of-scope link to localhost (same server, other host name)
//                           and one to example.com
//   /list?sort=a, ?sort=b   listings (distinct pages: the query is part of the URL)
//   /articles/<i>           articles in a `fanout`-ary tree (children, parent), plus a link to
//                           a pseudo-random article (cycles, shortcuts) and the feature links
//                           below on every k-th article; some links carry ?utm_source= or
//                           ?ref_src= (tracking parameters: the crawler must strip them) or a
//                           #fragment, some are relative ("7"), some absolute
//   /chain/<j>              a linear chain (depth j + 1) linking forward and back: deep pages
//   /print/<i>              the same article text and title as /articles/<i> (a duplicate)
//   /old/<i>                301 (relative Location) → /older/<i> 301 (absolute) → /moved/<i>
//   /missing/<i>, /broken/<i>   404 and 500
//   /private/<i>            disallowed by robots.txt ("Disallow: /private/")
//   /private/public-<i>     allowed again ("Allow: /private/public-", the longer match)
//   /articles/<i>?print=1   disallowed ("Disallow: /*?print=")
//   /busy                   429 with Retry-After the first time, 200 afterwards
//   /orphan/<k>             linked from nowhere: only the sitemaps list them
//   /robots.txt             the rules above, optional Crawl-delay, a Sitemap line, a group for
//                           another bot that disallows everything (must not apply to riptide)
//   /sitemap_index.xml      (also at /sitemap.xml) an index of two gzip children
//   /sitemaps/pages-<n>.xml.gz  urlsets: the orphans, every 10th article, the last chain page
//                           and one disallowed page
// Every page is 300–600 words of distinct prose (an English vocabulary, seeded PRNG) in an
// <article>, with header/nav/footer boilerplate. Links to other pages stand inline in the
// article's paragraphs, so they are followed whether a crawler reads the whole page's links or
// only the main content's; the boilerplate links only to "/" and "#top".
//
// Thread-safe: the pages are computed in the constructor and immutable after; the server's
// handler threads only read them (and flip the one-shot 429 flag, atomically).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tests/support/test_http_server.h"

namespace riptide::testing {

// Sizes of the generated prose; the crawler fingerprints pages of at least 50 words.
inline constexpr uint32_t kSiteMinWords = 300;
inline constexpr uint32_t kSiteMaxWords = 600;
// At most this many articles: the page table and the sitemaps stay small.
inline constexpr uint32_t kMaxSitePages = 1'000'000;

struct CrawlSiteConfig {
  uint32_t pages = 1000;  // /articles/<i>, i in [0, pages); at least 1
  uint64_t seed = 1;      // a different seed: different text and random links
  uint32_t fanout = 4;    // children per article in the tree (>= 1)
  uint32_t chain_length = 20;
  uint32_t orphans = 5;
  // Every k-th article (i % k == k - 1) carries the feature; 0 turns the feature off.
  uint32_t duplicate_every = 50;        // links /print/<i>
  uint32_t redirect_every = 40;         // links /old/<i>
  uint32_t not_found_every = 60;        // links /missing/<i>
  uint32_t server_error_every = 70;     // links /broken/<i>
  uint32_t disallowed_every = 30;       // links /private/<i>
  uint32_t allowed_private_every = 45;  // links /private/public-<i>
  uint32_t print_query_every = 35;      // links /articles/<i>?print=1
  bool listings = true;                 // /list?sort=a and ?sort=b
  bool throttle_once = true;            // /busy
  uint32_t retry_after_seconds = 1;     // /busy's Retry-After
  bool sitemaps = true;                 // the index and its children, the robots.txt Sitemap line
  // robots.txt Crawl-delay in seconds (written with three decimals); none when unset.
  std::optional<double> crawl_delay_seconds;
  // /articles/<i> answer only after this long (cancel tests: transfers still in flight).
  std::chrono::milliseconds article_delay{0};

  // Only the home page and articles (no traps, no chain, no orphans, an allow-all robots.txt,
  // no sitemaps): N + 1 pages of HTML, what the crawl benchmark fetches.
  static CrawlSiteConfig plain(uint32_t pages);
};

enum class SitePageKind : uint8_t {
  kHome,
  kListing,
  kArticle,
  kChain,
  kDuplicate,       // /print/<i>
  kRedirect,        // /old/<i> and /older/<i>: 301
  kRedirectTarget,  // /moved/<i>
  kNotFound,        // 404
  kServerError,     // 500
  kDisallowed,      // /private/<i> and /articles/<i>?print=1
  kAllowedPrivate,  // /private/public-<i>
  kThrottled,       // /busy: 429 once, then 200
  kOrphan,
};

struct SitePage {
  std::string target;  // path + query as requested ("/list?sort=a")
  SitePageKind kind = SitePageKind::kArticle;
  int status = 200;  // the answer (for /busy: after the first 429)
  // Shortest link distance from "/" as a crawler counts depth: a redirect hop has the depth of
  // the link that led to it (the crawler follows redirects within one fetch). Unset: no link
  // path leads here (orphans).
  std::optional<uint32_t> depth;
  // The same with every sitemap page entered at depth 0 as well (a crawl seeded from sitemaps).
  std::optional<uint32_t> sitemap_depth;
  bool disallowed = false;  // by robots.txt
  bool in_sitemap = false;
  std::string duplicate_of;  // kDuplicate: the article it copies
  std::string redirect_to;   // kRedirect: the next hop's target
  // Targets linked from the page's content, canonical (no fragment, no tracking parameter,
  // resolved, same host only), without repeats. Empty for non-HTML answers.
  std::vector<std::string> links;
  // The hrefs as written in the HTML, in order: relative, absolute, with tracking parameters or a
  // fragment, and the out-of-scope ones (other host names) that `links` leaves out.
  std::vector<std::string> hrefs;
  uint64_t text_seed = 0;  // the prose; equal for a duplicate and its original
};

// What a correct crawl from "/" requests (expected_targets).
struct CrawlExpectation {
  uint32_t max_depth = 3;
  bool respect_robots = true;
  bool use_sitemaps = false;  // depths count from the sitemap pages too (sitemap_depth)
};

class CrawlSite {
 public:
  // Starts serving on 127.0.0.1: port 0 (the kernel picks) unless `port` is given.
  // Throws std::invalid_argument on a bad config (tests and the benchmark binary only).
  explicit CrawlSite(CrawlSiteConfig config, uint16_t port = 0);
  ~CrawlSite();
  CrawlSite(const CrawlSite&) = delete;
  CrawlSite& operator=(const CrawlSite&) = delete;

  const CrawlSiteConfig& config() const { return config_; }
  TestHttpServer& server() { return server_; }
  uint16_t port() const { return server_.port(); }
  // "http://127.0.0.1:<port>" + target.
  std::string url(std::string_view target = "/") const { return server_.url(target); }

  const std::vector<SitePage>& pages() const { return pages_; }
  // The page served at `target` (path + query), or null.
  const SitePage* page(std::string_view target) const;

  // The page targets a correct crawl from "/" requests, redirect hops included: every page
  // within max_depth (by depth or sitemap_depth), minus the disallowed ones when robots.txt is
  // respected. /robots.txt and the sitemap documents are not pages. With no max_pages limit.
  std::set<std::string> expected_targets(const CrawlExpectation& expectation) const;

  // The server's request log, without /robots.txt and the sitemap documents, in arrival order.
  std::vector<HttpRequest> page_requests() const;

  // The served body of `target` as the server answers it (tests that extract pages directly).
  std::string html(std::string_view target) const;

  static constexpr std::string_view kRobotsTarget = "/robots.txt";
  static constexpr std::string_view kSitemapIndexTarget = "/sitemap_index.xml";
  static constexpr std::string_view kSitemapTarget = "/sitemap.xml";
  static constexpr std::string_view kThrottledTarget = "/busy";
  // The number of gzip sitemap children the index lists.
  static constexpr uint32_t kSitemapChildren = 2;

  // Whether `target` is /robots.txt or a sitemap document.
  static bool is_meta_target(std::string_view target);

 private:
  HttpResponse respond(const HttpRequest& request);
  std::string robots_txt() const;
  void build_pages();
  void build_sitemaps();
  void compute_depths();
  std::string render(const SitePage& page) const;

  CrawlSiteConfig config_;
  std::vector<SitePage> pages_;
  std::unordered_map<std::string, size_t> index_;  // target → pages_ position
  std::string robots_;
  std::string sitemap_index_;
  std::vector<std::string> sitemap_children_;  // gzip bodies, /sitemaps/pages-<n>.xml.gz
  std::atomic<bool> throttled_once_{false};
  // Last: destroyed first, so no handler runs on a half-destroyed site.
  TestHttpServer server_;
};

std::string_view site_page_kind_name(SitePageKind kind);

}  // namespace riptide::testing
