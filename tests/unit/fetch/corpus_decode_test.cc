// Every page of the shared corpus (real pages in many encodings, some gzipped) decodes to valid
// UTF-8 through decode_html, the entry point the CLI, benchmark and fetcher use.

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "core/utf8.h"
#include "fetch/charset.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace riptide::fetch {
namespace {

TEST(CorpusDecodeTest, EveryPageDecodesToValidUtf8) {
  const std::string corpus = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  Result<std::vector<std::string>> paths = riptide::testing::corpus_page_paths(corpus);
  ASSERT_TRUE(paths.ok()) << paths.error().to_string();
  ASSERT_GT(paths->size(), 600u);
  std::map<std::string, int> by_encoding;
  std::map<std::string, int> by_source;
  for (const std::string& path : *paths) {
    Result<std::string> bytes = riptide::testing::read_page_bytes(path);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    ASSERT_FALSE(bytes->empty()) << path;
    DetectedEncoding detected = detect_encoding(*bytes);
    ++by_encoding[std::string(encoding_name(detected.encoding))];
    ++by_source[std::string(encoding_source_name(detected.source))];
    Result<std::string> text = decode_html(*bytes);
    ASSERT_TRUE(text.ok()) << path << ": " << text.error().to_string();
    EXPECT_TRUE(utf8::is_valid(*text)) << path;
    // Decoding never loses a page: markup survives in every ASCII-compatible encoding.
    EXPECT_NE(text->find('<'), std::string::npos) << path;
  }
  std::printf("%zu pages; sources:", paths->size());
  for (const auto& [source, n] : by_source) std::printf(" %s=%d", source.c_str(), n);
  std::printf("\nencodings:");
  for (const auto& [name, n] : by_encoding) std::printf(" %s=%d", name.c_str(), n);
  std::printf("\n");
}

}  // namespace
}  // namespace riptide::fetch
