// Markdown and text rendering over the shared corpus of real pages (../shared/corpus): the
// output promises of extract/markdown.h must hold on every page, and the plain text must keep
// every annotated main-content segment that the page's visible text contains.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "extract/markdown.h"
#include "extract/visible_text.h"
#include "fetch/charset.h"
#include "html/parser.h"
#include "tests/support/markdown_lint.h"
#include "tests/unit/fetch/corpus_pages.h"
#include "url/url.h"

namespace riptide::extract {
namespace {

// Whitespace normalisation as the corpus metric does it (Python's str.split(): U+00A0 is
// whitespace too).
std::string normalize_space(std::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool nbsp = c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || nbsp) {
      if (nbsp) ++i;
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Lines outside fenced code blocks have no trailing whitespace and blank lines never repeat.
::testing::AssertionResult well_formed_markdown(std::string_view md) {
  std::string problem = testing_support::markdown_lint(md);
  if (problem.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << problem;
}

TEST(MarkdownCorpusTest, EveryPageRendersWellFormed) {
  const std::string dir = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  Result<std::string> index = testing::read_file_bytes(dir + "/pages.jsonl");
  if (!index.ok()) GTEST_SKIP() << "corpus not available at " << dir;

  html::Parser parser;
  html::Document doc;
  size_t pages = 0;
  size_t segments_visible = 0;
  size_t segments_lost = 0;
  std::string_view rest = *index;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    Result<json::Document> entry = json::parse(line);
    ASSERT_TRUE(entry.ok());
    json::Value root = entry->root();
    std::string id(root["id"].as_string());
    Result<std::string> bytes =
        testing::read_page_bytes(dir + "/" + std::string(root["html"].as_string()));
    ASSERT_TRUE(bytes.ok()) << id;
    Result<std::string> utf8 = fetch::decode_html(*bytes);
    ASSERT_TRUE(utf8.ok()) << id;
    ASSERT_TRUE(parser.parse(*utf8, doc).ok()) << id;
    const html::Node* body = doc.body() != nullptr ? doc.body() : doc.root();
    Result<url::Url> base = url::parse(root["url"].as_string());
    RenderOptions options;
    if (base.ok()) options.base = &base.value();

    std::string md = to_markdown(body, options);
    std::string text = to_text(body);
    ++pages;
    EXPECT_TRUE(utf8::is_valid(md)) << id;
    EXPECT_TRUE(utf8::is_valid(text)) << id;
    EXPECT_TRUE(well_formed_markdown(md)) << id;
    for (const std::string* s : {&md, &text}) {
      if (s->empty()) continue;
      EXPECT_FALSE(str::is_html_space(s->front()) || str::is_html_space(s->back())) << id;
    }

    std::string visible = normalize_space(visible_text(body));
    std::string plain = normalize_space(text);
    for (json::Value segment : root["with"].children()) {
      std::string want = normalize_space(segment.as_string());
      if (want.empty() || visible.find(want) == std::string::npos) continue;
      ++segments_visible;
      if (plain.find(want) == std::string::npos) {
        ++segments_lost;
        ADD_FAILURE() << id << ": to_text lost \"" << want << "\"";
      }
    }
  }
  EXPECT_GT(pages, 600u);
  EXPECT_GT(segments_visible, 1000u);
  EXPECT_EQ(segments_lost, 0u);
}

}  // namespace
}  // namespace riptide::extract
