#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crawl/sitemap.h"

namespace riptide::fetch {
class Fetcher;
}

// Collecting page URLs from sitemaps (docs/crawl.md "Sitemaps"): fetch each sitemap (raw body,
// gunzip when gzip by magic bytes, whatever the Content-Type), parse it, follow index entries
// breadth-first, and return the page entries. Bounded in every dimension, so a hostile sitemap
// tree cannot make a crawl fetch forever.
namespace riptide::crawl {

// Sitemap documents fetched per crawl (indexes included).
inline constexpr uint32_t kMaxSitemapFetches = 100;
// Nesting of sitemap indexes followed (an index listing an index listing a urlset is depth 2).
inline constexpr uint32_t kMaxSitemapDepth = 3;
// Page URLs collected per crawl from all sitemaps together.
inline constexpr size_t kMaxSitemapPages = 200'000;

struct SitemapCollection {
  std::vector<SitemapEntry> pages;  // in document order, duplicates removed (exact URL)
  uint32_t sitemaps_fetched = 0;
  // One line per sitemap that could not be used: "https://a.com/s.xml: HTTP 404".
  std::vector<std::string> problems;
  // A cap above was reached (or a single sitemap had more than kMaxSitemapUrls entries); the
  // problems say which.
  bool truncated = false;
  bool cancelled = false;  // the cancel flag stopped the walk; `pages` holds what was collected
};

// Starts from `sitemap_urls` (from robots.txt "Sitemap:" lines, or "<origin>/sitemap.xml").
// Index entries are followed only when on the same host as the sitemap that lists them
// (sitemaps.org's cross-host rule needs robots.txt proof we do not check); "host" includes a
// non-default port. Sitemap URLs are deduplicated (without fragment), so an index cycle fetches
// each sitemap once. Fetch errors, non-2xx answers and unparsable bodies become `problems` lines
// and the walk goes on. `cancel` may be null; when set, the fetch under way is aborted and the
// pages collected so far are returned.
SitemapCollection collect_sitemaps(const fetch::Fetcher& fetcher,
                                   const std::vector<std::string>& sitemap_urls,
                                   const std::atomic<bool>* cancel = nullptr);

}  // namespace riptide::crawl
