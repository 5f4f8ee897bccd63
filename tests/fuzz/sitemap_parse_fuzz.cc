// Fuzzes the sitemap parser (crawl/sitemap.h) and its XML reader on raw bytes as a server could
// send them. A parse either fails cleanly or yields at most kMaxSitemapUrls entries, each an
// absolute http(s) URL in WHATWG serialization with a priority in [0, 1]. The XML reader's events
// must nest (every start has its end, depth within kMaxXmlDepth) and its text can never outgrow
// the input, which is what makes entity expansion attacks impossible. The same bytes go through
// gunzip with a small cap, which must never be exceeded.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawl/sitemap.h"
#include "crawl/xml_reader.h"
#include "url/url.h"

namespace {

// A cap small enough that fuzzed gzip streams reach it.
constexpr size_t kFuzzGunzipCap = 4096;

void check(bool condition, const char* what, std::string_view detail) {
  if (condition) return;
  std::fprintf(stderr, "sitemap_parse_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check_sitemap(const riptide::crawl::Sitemap& sitemap) {
  check(sitemap.entries.size() <= riptide::crawl::kMaxSitemapUrls, "too many entries", "");
  for (const riptide::crawl::SitemapEntry& entry : sitemap.entries) {
    auto url = riptide::url::parse(entry.url);
    check(url.ok(), "entry URL does not parse", entry.url);
    check(url->href() == entry.url, "entry URL is not serialized", entry.url);
    check(url->scheme() == "http" || url->scheme() == "https", "entry URL not http(s)", entry.url);
    if (entry.priority) {
      check(*entry.priority >= 0.0 && *entry.priority <= 1.0, "priority out of range", entry.url);
    }
    if (sitemap.kind != riptide::crawl::SitemapKind::kUrlset) {
      check(!entry.priority && entry.changefreq == riptide::crawl::ChangeFrequency::kUnspecified,
            "urlset-only field outside a urlset", entry.url);
    }
  }
}

void check_xml_events(std::string_view text) {
  using riptide::crawl::XmlEventType;
  riptide::crawl::XmlReader reader(text);
  size_t text_bytes = 0;
  uint32_t depth = 0;
  while (true) {
    auto event = reader.next();
    if (!event.ok()) return;
    switch (event->type) {
      case XmlEventType::kStartElement:
        ++depth;
        check(!event->local_name.empty(), "empty element name", event->name);
        break;
      case XmlEventType::kEndElement:
        check(depth > 0, "end without start", event->name);
        --depth;
        break;
      case XmlEventType::kText:
        text_bytes += event->text.size();
        check(text_bytes <= text.size(), "text larger than the document", "");
        break;
      case XmlEventType::kEndOfDocument:
        check(depth == 0, "document ended with open elements", "");
        return;
    }
    check(depth == reader.depth(), "depth disagrees with the events", "");
    check(depth <= riptide::crawl::kMaxXmlDepth, "depth past the limit", "");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto sitemap = riptide::crawl::parse_sitemap(bytes);
  if (sitemap.ok()) check_sitemap(*sitemap);
  check_xml_events(bytes);
  auto inflated = riptide::crawl::gunzip(bytes, kFuzzGunzipCap);
  if (inflated.ok()) {
    check(inflated->size() <= kFuzzGunzipCap, "gunzip output past its cap", "");
    check_xml_events(*inflated);
  }
  return 0;
}
