#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "extract/dates.h"
#include "html/dom.h"
#include "url/url.h"

namespace riptide::extract {

// What a page says about itself. Strings are UTF-8 with whitespace collapsed (except
// article_body); empty means "not found". Dates are ISO 8601 (see normalize_date), URLs absolute.
struct Metadata {
  std::string title;
  std::string byline;
  std::string published;
  std::string modified;
  std::string site_name;
  std::string description;
  std::string language;  // primary language subtag ("en"), see normalize_language
  std::string canonical_url;
  std::string image;
  // JSON-LD articleBody: the publisher's own copy of the article text, a hint for content
  // detection (not rendered output).
  std::string article_body;
  // Sections, breadcrumbs, tags and keywords; deduplicated (ASCII case-insensitive), in order of
  // priority, at most limits::kMaxCategories.
  std::vector<std::string> categories;
};

// Reads the page's metadata from JSON-LD, OpenGraph, Twitter cards, Dublin Core, <meta> names,
// microdata (itemprop), <time>, rel=author, byline/breadcrumb markup and <title>, in the priority
// documented in docs/extraction.md ("Metadata"). Runs before content extraction and does not
// modify the document. `page_url` (may be null) resolves relative canonical and image URLs.
// Iterative over DOM depth; JSON-LD blocks that fail to parse are skipped.
Metadata extract_metadata(const html::Document& doc, const url::Url* page_url);

// The primary language subtag of a BCP 47 tag or locale, lower case: "en-US" → "en",
// "DE_de" → "de", "pt-BR, en" → "pt". Deprecated ISO 639 codes map to current ones ("iw" → "he").
// "" when the tag does not start with a 2-3 letter language code, and for "und"/"mul"/"zxx".
std::string normalize_language(std::string_view tag);

// Removes the site name from a page title: " | Site", " - Site", " — Site", "Site | " … when
// `site_name` is known and matches (ASCII case-insensitive); otherwise, when the part after the
// last separator is short (at most 4 words, and no longer than the rest in words), that part is
// taken to be the site name and dropped, and "Site | Long title" loses a short leading part.
// A trailing timestamp part ("Headline : 31.10.2023, 10.19 Uhr") is dropped too.
// Whitespace is collapsed. Never returns "" for a non-blank title.
std::string clean_title(std::string_view title, std::string_view site_name);

}  // namespace riptide::extract
