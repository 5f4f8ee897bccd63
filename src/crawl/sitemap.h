#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// Sitemaps (https://www.sitemaps.org/protocol.html, protocol 0.9): the XML <urlset> and
// <sitemapindex> formats, plain-text sitemaps (one URL per line), each optionally gzip-compressed.
// The crawler uses them as seeds; docs/crawl.md "Sitemaps" describes what is accepted.
namespace riptide::crawl {

// sitemaps.org "Sitemap file location" / "Using Sitemap index files": a sitemap (or an index) may
// hold at most 50,000 URLs and be at most 50 MB (52,428,800 bytes) uncompressed. A body that
// decompresses past kMaxSitemapBytes is refused (a zip bomb must not cost more memory than a
// legitimate sitemap); entries past kMaxSitemapUrls are dropped and Sitemap::truncated is set.
inline constexpr size_t kMaxSitemapBytes = 50 * 1024 * 1024;
inline constexpr size_t kMaxSitemapUrls = 50'000;
// The protocol's default <priority> for a URL that gives none.
inline constexpr double kDefaultSitemapPriority = 0.5;

enum class SitemapKind : uint8_t {
  kUrlset,  // <urlset>: pages
  kIndex,   // <sitemapindex>: further sitemaps to fetch
  kText,    // a text file, one URL per line: pages
};

// <changefreq>: a hint, which the protocol says crawlers may ignore.
enum class ChangeFrequency : uint8_t {
  kUnspecified,  // absent or not one of the values below
  kAlways,
  kHourly,
  kDaily,
  kWeekly,
  kMonthly,
  kYearly,
  kNever,
};

struct SitemapEntry {
  // <loc>, or the text line: an absolute http(s) URL in its WHATWG serialization.
  std::string url;
  // <lastmod> as written, when it is a W3C Datetime (YYYY, YYYY-MM, YYYY-MM-DD, or a date with
  // "Thh:mm[:ss[.s+]]" and a zone "Z" / "+hh:mm" / "-hh:mm"); "" when absent or malformed.
  std::string lastmod;
  // <priority> in [0.0, 1.0] (urlset only); nullopt when absent or malformed, meaning
  // kDefaultSitemapPriority.
  std::optional<double> priority;
  ChangeFrequency changefreq = ChangeFrequency::kUnspecified;  // urlset only
};

struct Sitemap {
  SitemapKind kind = SitemapKind::kUrlset;
  // In document order, at most kMaxSitemapUrls.
  std::vector<SitemapEntry> entries;
  // Entries dropped because their URL was missing, relative, not http(s), unparsable or given
  // twice (<url> with two <loc>); or text lines that are not such a URL.
  uint32_t skipped = 0;
  // More than kMaxSitemapUrls entries: the rest of the document was not read.
  bool truncated = false;
};

// Parses a sitemap body as fetched: gzip (by its magic bytes 1f 8b, whatever the URL or
// Content-Type says), then XML when the first non-blank character is '<', else plain text.
// Invalid entries are skipped and counted, never fatal. Errors:
//   kResourceLimit  more than kMaxSitemapBytes uncompressed, or XML nested too deep;
//   kInvalidInput   corrupt or truncated gzip data; an empty body; an XML root other than
//                   <urlset> or <sitemapindex> (an HTML error page, an RSS feed);
//   kParseError     malformed XML ("sitemap: XML line L, column C: ...").
// Elements other than the protocol's (extensions such as <image:image>, <xhtml:link>) are
// ignored; namespaces are matched by local name only.
Result<Sitemap> parse_sitemap(std::string_view body);

// The gzip stream `compressed` decompressed (concatenated members included), refusing output
// beyond `max_bytes` (kResourceLimit) and corrupt or truncated input (kInvalidInput).
Result<std::string> gunzip(std::string_view compressed, size_t max_bytes);

// True when `bytes` starts with the gzip magic number (RFC 1952 2.3.1).
bool is_gzip(std::string_view bytes);

std::string_view sitemap_kind_name(SitemapKind kind);
std::string_view change_frequency_name(ChangeFrequency frequency);

}  // namespace riptide::crawl
