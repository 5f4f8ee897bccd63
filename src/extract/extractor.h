#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/result.h"
#include "extract/record.h"
#include "html/dom.h"
#include "html/parser.h"

// The extraction API: one call turns a page's UTF-8 HTML into a Record in one of the four modes
// (ARCHITECTURE.md "Extracted document"; docs/extraction.md "Extraction API, modes and quality
// score"). Portable: no exceptions, no I/O, no clock (the host fills Stats::time_ms).
namespace riptide::extract {

struct Options {
  Mode mode = Mode::kArticle;
  // The page's URL: the base for relative links and media (after any <base href>), and
  // Record::url when the page declares no canonical URL. May be empty.
  std::string url;
  // kCustom: CSS selectors (each may itself be a comma-separated list). The content is the union
  // of their matches in document order; an element inside another match is not repeated.
  std::vector<std::string> selectors;
  // Fill Record::html with the cleaned main content serialized as HTML.
  bool include_html = true;
  // Fill Record::page_links with every link of the whole page, navigation included, whatever the
  // mode: the links a crawler follows (Record::links has only the content's).
  bool page_links = false;
  // Inputs larger than this (bytes of UTF-8) are rejected with kResourceLimit. Values above
  // limits::kMaxHtmlBytes are treated as limits::kMaxHtmlBytes.
  size_t max_input_bytes = limits::kMaxHtmlBytes;
};

// reading_time = ceil(word_count / kWordsPerMinute): a common adult silent-reading rate for
// non-fiction prose (estimates in the literature range from about 200 to 250 wpm).
inline constexpr uint32_t kWordsPerMinute = 200;

// Words in `text` as word_count reports them: a run of characters between separators
// (whitespace, dashes, ellipsis, '/') is one word when it holds at least one character that is
// not punctuation or a symbol, so "don't" and "e-mail" are one word and "—" or "|" none. Every
// Han ideograph, Hiragana and Katakana character counts as a word on its own: those scripts do
// not separate words with spaces, and one character per word is the usual convention for
// counting CJK text ("東京に行く" is 5). Hangul, which uses spaces, counts like Latin. Invalid
// UTF-8 sequences count like letters.
uint32_t count_words(std::string_view text);

// Reading time in minutes for `words` words: ceil(words / kWordsPerMinute), 0 for no words.
uint32_t reading_minutes(uint32_t words);

// The inputs of the quality score, exposed so the score can be explained and tested.
struct QualitySignals {
  double confidence = 0;    // the content detector's confidence, 0..1
  uint32_t words = 0;       // word_count of the content
  double link_density = 0;  // share of the content's text bytes inside links, 0..1
  bool has_title = false;
  bool has_byline = false;
  bool has_published = false;
  bool has_description = false;
  bool has_language = false;
};

// 0–100, the sum of (docs/extraction.md "Quality score"):
//   up to 40 points  content confidence × 40;
//   up to 25 points  text length: 25 × min(1, words / 300);
//   up to 20 points  low link density: 20 × (1 − link_density) × min(1, words / 50);
//   up to 15 points  metadata: title 5, published 3, byline 3, description 2, language 2.
// The link-density points need a few sentences to measure on, so an empty page scores no more
// than its metadata. Non-decreasing in confidence, words and each metadata
// flag, non-increasing in link density.
uint32_t quality_score(const QualitySignals& signals);

// Extracts records from HTML documents. Keeps its parser and document between calls so their
// buffers are reused; one Extractor per thread.
class Extractor {
 public:
  Extractor();
  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // Parses `utf8_html` and extracts a Record in `options.mode`. Errors:
  //   kResourceLimit   input larger than options.max_input_bytes;
  //   kInvalidArgument kCustom with no selectors or an invalid one (the message names it).
  // Limits hit while parsing (DOM depth, node count, attributes) are not errors; they are listed
  // in Record::stats.limits. Invalid UTF-8 in the input is replaced by U+FFFD by the parser.
  Result<Record> extract(std::string_view utf8_html, const Options& options);

 private:
  html::Parser parser_;
  html::Document doc_;
};

}  // namespace riptide::extract
