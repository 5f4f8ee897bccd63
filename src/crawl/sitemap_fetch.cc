#include "crawl/sitemap_fetch.h"

#include <deque>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "fetch/fetcher.h"
#include "url/url.h"

namespace riptide::crawl {

namespace {

// A sitemap waiting to be fetched: its URL (serialized, no fragment) and how many indexes lie
// between it and a starting sitemap.
struct PendingSitemap {
  std::string url;
  std::string host;  // url::Url::host(): hostname plus a non-default port
  uint32_t depth = 0;
};

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

// Breadth-first walk state: the queue, the sitemaps already queued (so an index cycle fetches
// each sitemap once) and the page URLs already collected.
class Collector {
 public:
  Collector(const fetch::Fetcher& fetcher, const std::atomic<bool>* cancel)
      : fetcher_(fetcher), cancel_(cancel) {}

  SitemapCollection run(const std::vector<std::string>& sitemap_urls) {
    for (const std::string& url : sitemap_urls) {
      Result<url::Url> parsed = url::parse(url);
      if (!parsed.ok() || (parsed->scheme_type() != url::Scheme::kHttp &&
                           parsed->scheme_type() != url::Scheme::kHttps)) {
        result_.problems.push_back(url + ": not an http(s) URL");
        continue;
      }
      enqueue(*parsed, 0);
    }
    while (!queue_.empty() && !pages_dropped_) {
      if (cancelled(cancel_)) {
        result_.cancelled = true;
        break;
      }
      if (pages_full()) {
        cap_reached(page_cap_message() + "; " + std::to_string(queue_.size()) +
                    " sitemaps not fetched");
        break;
      }
      PendingSitemap next = std::move(queue_.front());
      queue_.pop_front();
      visit(next);
    }
    if (over_fetch_cap_ > 0) {
      cap_reached(std::to_string(over_fetch_cap_) + " sitemap URLs not fetched: at most " +
                  std::to_string(kMaxSitemapFetches) + " sitemaps are fetched per crawl");
    }
    return std::move(result_);
  }

 private:
  // Queues at most what the fetch cap lets us fetch, so a hostile index tree costs no more
  // memory than kMaxSitemapFetches queued URLs.
  void enqueue(const url::Url& url, uint32_t depth) {
    std::string key(url.href_without_fragment());
    if (queued_.count(key) != 0) return;
    if (result_.sitemaps_fetched + queue_.size() >= kMaxSitemapFetches) {
      ++over_fetch_cap_;
      return;
    }
    queued_.insert(key);
    queue_.push_back({std::move(key), std::string(url.host()), depth});
  }

  void cap_reached(std::string why) {
    result_.truncated = true;
    result_.problems.push_back(std::move(why));
  }

  void visit(const PendingSitemap& sitemap) {
    ++result_.sitemaps_fetched;
    fetch::FetchOptions options;
    options.raw = true;
    options.cancel = cancel_;
    // A sitemap may be 50 MB uncompressed (sitemaps.org), and served uncompressed.
    options.max_body_bytes = kMaxSitemapBytes;
    options.max_wire_bytes = kMaxSitemapBytes;
    Result<fetch::FetchResponse> response = fetcher_.fetch(sitemap.url, options);
    if (!response.ok()) {
      if (cancelled(cancel_)) {
        result_.cancelled = true;  // the fetch was aborted: not a problem of the sitemap
        return;
      }
      // Fetch errors start with the URL already.
      result_.problems.push_back(response.error().to_string());
      return;
    }
    if (response->status < 200 || response->status > 299) {
      result_.problems.push_back(sitemap.url + ": HTTP " + std::to_string(response->status));
      return;
    }
    // gzip is recognised by its magic bytes here, whatever the URL or Content-Type says.
    Result<Sitemap> parsed = parse_sitemap(response->body);
    if (!parsed.ok()) {
      result_.problems.push_back(sitemap.url + ": " + parsed.error().to_string());
      return;
    }
    if (parsed->truncated) {
      cap_reached(sitemap.url + ": more than " + std::to_string(kMaxSitemapUrls) +
                  " entries, the rest was not read");
    }
    if (parsed->kind == SitemapKind::kIndex) {
      follow_index(sitemap, *parsed);
    } else {
      add_pages(std::move(parsed->entries));
    }
  }

  void follow_index(const PendingSitemap& index, const Sitemap& parsed) {
    if (index.depth == kMaxSitemapDepth) {
      cap_reached(index.url + ": sitemap index nested deeper than " +
                  std::to_string(kMaxSitemapDepth) + " levels, not followed");
      return;
    }
    size_t other_hosts = 0;
    for (const SitemapEntry& entry : parsed.entries) {
      // parse_sitemap only keeps absolute http(s) URLs in their serialized form.
      Result<url::Url> child = url::parse(entry.url);
      if (!child.ok()) continue;
      if (child->host() != index.host) {
        ++other_hosts;
        continue;
      }
      enqueue(*child, index.depth + 1);
    }
    if (other_hosts > 0) {
      result_.problems.push_back(index.url + ": ignored " + std::to_string(other_hosts) +
                                 " sitemap URL(s) on other hosts");
    }
  }

  void add_pages(std::vector<SitemapEntry> entries) {
    for (SitemapEntry& entry : entries) {
      if (seen_pages_.count(entry.url) != 0) continue;
      if (pages_full()) {
        cap_reached(page_cap_message());
        pages_dropped_ = true;
        return;
      }
      seen_pages_.insert(entry.url);
      result_.pages.push_back(std::move(entry));
    }
  }

  bool pages_full() const { return result_.pages.size() == kMaxSitemapPages; }

  static std::string page_cap_message() {
    return "at most " + std::to_string(kMaxSitemapPages) +
           " page URLs are taken from sitemaps per crawl";
  }

  const fetch::Fetcher& fetcher_;
  const std::atomic<bool>* cancel_;
  SitemapCollection result_;
  std::deque<PendingSitemap> queue_;
  std::unordered_set<std::string> queued_;
  std::unordered_set<std::string> seen_pages_;
  // Sitemap URLs not queued because the fetch cap was already spoken for (a URL listed twice
  // counts twice).
  size_t over_fetch_cap_ = 0;
  bool pages_dropped_ = false;  // the page cap made a new page URL go: nothing more to do
};

}  // namespace

SitemapCollection collect_sitemaps(const fetch::Fetcher& fetcher,
                                   const std::vector<std::string>& sitemap_urls,
                                   const std::atomic<bool>* cancel) {
  return Collector(fetcher, cancel).run(sitemap_urls);
}

}  // namespace riptide::crawl
