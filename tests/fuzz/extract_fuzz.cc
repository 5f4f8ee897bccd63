// Fuzzes the whole extraction path (extract/extractor.h): any bytes, in every mode (custom with
// two fixed selector lists), must give a record or an error, never a crash. Records must keep
// their promises: every string valid UTF-8, word_count and reading_time consistent with the text,
// quality_score within 0..100, metadata mode without a body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "extract/extractor.h"

namespace {

using riptide::extract::Mode;
using riptide::extract::Record;

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "extract_fuzz: %s\n", what);
  std::abort();
}

void check_utf8(std::string_view s, const char* field) {
  check(riptide::utf8::is_valid(s), field);
}

void check_record(const Record& r, Mode mode, size_t input_bytes) {
  check_utf8(r.url, "url is not UTF-8");
  check_utf8(r.title, "title is not UTF-8");
  check_utf8(r.byline, "byline is not UTF-8");
  check_utf8(r.published, "published is not UTF-8");
  check_utf8(r.site_name, "site_name is not UTF-8");
  check_utf8(r.description, "description is not UTF-8");
  check_utf8(r.language, "language is not UTF-8");
  check_utf8(r.markdown, "markdown is not UTF-8");
  check_utf8(r.text, "text is not UTF-8");
  check_utf8(r.html, "html is not UTF-8");
  check_utf8(r.stats.limits, "stats.limits is not UTF-8");
  for (const auto& link : r.links) {
    check_utf8(link.url, "link url is not UTF-8");
    check_utf8(link.text, "link text is not UTF-8");
    check_utf8(link.hreflang, "hreflang is not UTF-8");
    check(!link.url.empty(), "empty link url");
  }
  for (const auto& media : r.media) {
    check_utf8(media.url, "media url is not UTF-8");
    check_utf8(media.alt, "media alt is not UTF-8");
    check(!media.url.empty(), "empty media url");
  }
  for (const auto& category : r.categories) check_utf8(category, "category is not UTF-8");
  check(r.word_count == riptide::extract::count_words(r.text), "word_count disagrees with text");
  check(r.reading_time == riptide::extract::reading_minutes(r.word_count),
        "reading_time disagrees with word_count");
  check(r.quality_score <= 100, "quality_score above 100");
  check(r.stats.input_bytes == input_bytes, "stats.input_bytes is not the input size");
  if (mode == Mode::kMetadata) {
    check(r.markdown.empty() && r.text.empty() && r.html.empty() && r.links.empty(),
          "metadata mode has a body");
  }
  if (r.text.empty()) check(r.word_count == 0, "words without text");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One extractor for the whole run, as a server thread would use it: state must not leak
  // between documents in a way that breaks a later one.
  static riptide::extract::Extractor extractor;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  riptide::extract::Options options;
  options.url = "https://fuzz.example/dir/page.html?q=1";
  for (Mode mode : {Mode::kArticle, Mode::kFull, Mode::kMetadata, Mode::kCustom}) {
    options.mode = mode;
    options.selectors = {"article p, h1 + p", "div.content > :is(ul, ol) li:nth-child(2n+1)"};
    auto record = extractor.extract(input, options);
    check(record.ok(), "extraction of an in-limits input failed");
    check_record(*record, mode, size);
  }
  // An invalid selector is an error, whatever the input.
  options.mode = Mode::kCustom;
  options.selectors = {"p", "p:unknown-pseudo"};
  check(!extractor.extract(input, options).ok(), "invalid selector accepted");
  return 0;
}
