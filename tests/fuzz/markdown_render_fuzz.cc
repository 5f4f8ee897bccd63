// Fuzzes Markdown and text rendering (extract/markdown.h) of any parsed document: the output
// promises must hold for every input. Both renderings are valid UTF-8 without trailing whitespace
// (Markdown without leading whitespace, text without leading line breaks); outside fenced code, no
// Markdown line ends in whitespace and blank lines never repeat; rendering is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "core/utf8.h"
#include "extract/markdown.h"
#include "html/parser.h"
#include "url/url.h"

namespace {

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "markdown_render_fuzz: %s\n", what);
  std::abort();
}

void check_trimmed(std::string_view s, const char* what) {
  if (s.empty()) return;
  check(!riptide::str::is_html_space(s.front()) && !riptide::str::is_html_space(s.back()), what);
}

// Removes what container blocks put before a line's content: indentation, "> " and list
// markers ("- ", "* ", "12. ", "3) ").
void strip_container_prefixes(std::string_view& line) {
  while (!line.empty()) {
    if (line.front() == ' ' || line.front() == '>') {
      line.remove_prefix(1);
      continue;
    }
    size_t digits = 0;
    while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
    size_t marker = digits > 0 ? digits : 0;
    if (marker < line.size() && ((digits == 0 && (line[0] == '-' || line[0] == '*')) ||
                                 (digits > 0 && (line[marker] == '.' || line[marker] == ')')))) {
      if (marker + 1 < line.size() && line[marker + 1] == ' ') {
        line.remove_prefix(marker + 2);
        continue;
      }
    }
    break;
  }
}

void check_lines(std::string_view md) {
  size_t fence = 0;  // length of the open code fence, 0 outside code
  int blank_run = 0;
  size_t pos = 0;
  while (pos <= md.size()) {
    size_t nl = md.find('\n', pos);
    if (nl == std::string_view::npos) nl = md.size();
    std::string_view line = md.substr(pos, nl - pos);
    std::string_view body = line;
    strip_container_prefixes(body);
    size_t ticks = 0;
    while (ticks < body.size() && body[ticks] == '`') ++ticks;
    // An opening fence's info string has no backticks (CommonMark 4.5): such a line is a code
    // span, not a fence.
    bool opens = ticks >= 3 && body.find('`', ticks) == std::string_view::npos;
    if (fence == 0 && opens) {
      fence = ticks;
      blank_run = 0;
    } else if (fence != 0 && ticks >= fence && ticks == body.size()) {
      fence = 0;
    } else if (fence == 0) {
      check(line.empty() || (line.back() != ' ' && line.back() != '\t'),
            "markdown line ends in whitespace");
      blank_run = body.empty() ? blank_run + 1 : 0;
      check(blank_run <= 1, "markdown has two blank lines in a row");
    }
    pos = nl + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static riptide::html::Parser parser;
  static riptide::html::Document doc;
  static const riptide::url::Url base = *riptide::url::parse("https://fuzz.example/dir/page.html");
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!parser.parse(input, doc).ok()) return 0;
  riptide::extract::RenderOptions options;
  options.base = &base;
  std::string md = riptide::extract::to_markdown(doc.root(), options);
  std::string text = riptide::extract::to_text(doc.root());
  check(riptide::utf8::is_valid(md), "markdown is not UTF-8");
  check(riptide::utf8::is_valid(text), "text is not UTF-8");
  check_trimmed(md, "markdown has leading or trailing whitespace");
  // Text keeps the indentation of a <pre> that starts it, but never starts with a line break.
  check(text.empty() || (text.front() != '\n' && !riptide::str::is_html_space(text.back())),
        "text has leading line breaks or trailing whitespace");
  check_lines(md);
  check(md == riptide::extract::to_markdown(doc.root(), options), "markdown not deterministic");
  return 0;
}
