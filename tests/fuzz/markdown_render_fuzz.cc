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
#include "tests/support/markdown_lint.h"
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

void check_lines(std::string_view md) {
  std::string problem = riptide::testing_support::markdown_lint(md);
  if (problem.empty()) return;
  std::fprintf(stderr, "markdown_render_fuzz: %s\n", problem.c_str());
  std::abort();
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
