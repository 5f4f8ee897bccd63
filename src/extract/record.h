#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace riptide::extract {

// What the caller asks for (ARCHITECTURE.md "Extracted document").
enum class Mode : uint8_t {
  kArticle,   // the main content only
  kFull,      // all visible content (navigation included; scripts, styles, hidden removed)
  kMetadata,  // metadata only, no body
  kCustom,    // the union of CSS selector matches, in document order
};
std::string_view mode_name(Mode mode);
// "article" | "full" | "metadata" | "custom"; false when unknown.
bool parse_mode(std::string_view name, Mode* out);

struct Link {
  std::string url;   // absolute (resolved against the page URL)
  std::string text;  // anchor text, whitespace collapsed
  bool nofollow = false;
  bool ugc = false;
  bool sponsored = false;
  std::string hreflang;
};

enum class MediaKind : uint8_t { kImage, kVideo, kAudio };
std::string_view media_kind_name(MediaKind kind);

struct Media {
  std::string url;  // absolute
  MediaKind kind = MediaKind::kImage;
  std::string alt;
};

struct Stats {
  double time_ms = 0;         // filled by the host (the portable code has no clock)
  uint64_t input_bytes = 0;   // UTF-8 bytes handed to the extractor
  uint32_t nodes = 0;         // DOM nodes parsed
  uint32_t memory_pages = 0;  // wasm guest memory pages (filled by the sandbox)
  std::string limits;         // limits hit while parsing, "" when none
};

// One extracted document. Strings are UTF-8; empty means "not found".
struct Record {
  std::string url;  // canonical URL when the page declares one, else the given URL
  std::string title;
  std::string byline;
  std::string published;  // ISO 8601 (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[Z|±hh:mm])
  std::string site_name;
  std::string description;
  std::string language;  // BCP-47 primary tag ("en"), from markup; the host may confirm/fill it
  std::string markdown;
  std::string text;
  std::string html;         // cleaned main content
  std::vector<Link> links;  // of the content
  // With Options::page_links: every link of the document (collect_links over the whole page,
  // before the content is chosen), for crawlers. Not part of the record's JSON.
  std::vector<Link> page_links;
  std::vector<Media> media;
  std::vector<std::string> categories;
  uint32_t word_count = 0;
  uint32_t reading_time = 0;   // minutes, at kWordsPerMinute, rounded up; 0 for no words
  uint32_t quality_score = 0;  // 0–100, see docs/extraction.md
  Stats stats;
};

}  // namespace riptide::extract
