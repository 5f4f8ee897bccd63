// html5lib-tests encoding/ (tests1.dat, tests2.dat, test-yahoo-jp.dat): each #data is a document
// prefix and #encoding the encoding a browser's sniffing (13.2.3.2, no HTTP header) settles on.
// Failures listed in known_failures_encoding.txt ("file:index reason") are tolerated; any other
// failure fails the test, and listed tests that now pass are reported.

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fetch/charset.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace riptide::fetch {
namespace {

struct EncodingCase {
  std::string id;  // "tests1.dat:3" (1-based)
  std::string data;
  std::string expected;
};

std::vector<EncodingCase> parse_dat(const std::string& file_name, const std::string& text) {
  std::vector<EncodingCase> cases;
  const std::string kData = "#data\n";
  const std::string kEncoding = "\n#encoding\n";
  size_t pos = text.find(kData);
  while (pos != std::string::npos) {
    size_t data_start = pos + kData.size();
    size_t enc = text.find(kEncoding, data_start);
    if (enc == std::string::npos) break;
    size_t name_start = enc + kEncoding.size();
    size_t name_end = text.find('\n', name_start);
    if (name_end == std::string::npos) name_end = text.size();
    EncodingCase c;
    c.id = file_name + ":" + std::to_string(cases.size() + 1);
    c.data = text.substr(data_start, enc - data_start);
    c.expected = text.substr(name_start, name_end - name_start);
    cases.push_back(std::move(c));
    pos = text.find(kData, name_end);
  }
  return cases;
}

std::set<std::string> read_known_failures(const std::string& path) {
  std::set<std::string> ids;
  Result<std::string> text = riptide::testing::read_file_bytes(path);
  if (!text.ok()) return ids;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    ids.insert(line.substr(0, line.find(' ')));
  }
  return ids;
}

TEST(Html5libEncodingTest, SniffsTheExpectedEncoding) {
  const std::string dir = std::string(RIPTIDE_SHARED_DIR) + "/html5lib-tests/encoding/";
  const std::set<std::string> known = read_known_failures(
      std::string(RIPTIDE_SOURCE_DIR) + "/tests/unit/fetch/known_failures_encoding.txt");
  int total = 0;
  int passed = 0;
  std::vector<std::string> unexpected;
  std::vector<std::string> fixed;
  for (const char* file : {"tests1.dat", "tests2.dat", "test-yahoo-jp.dat"}) {
    Result<std::string> text = riptide::testing::read_file_bytes(dir + file);
    ASSERT_TRUE(text.ok()) << text.error().to_string();
    std::vector<EncodingCase> cases = parse_dat(file, *text);
    ASSERT_FALSE(cases.empty()) << file;
    for (const EncodingCase& c : cases) {
      ++total;
      std::optional<Encoding> expected = encoding_from_label(c.expected);
      DetectedEncoding got = detect_encoding(c.data);
      bool ok = expected.has_value() && got.encoding == *expected;
      if (ok) ++passed;
      bool listed = known.count(c.id) > 0;
      if (!ok && !listed) {
        unexpected.push_back(c.id + ": expected " + c.expected + ", got " +
                             std::string(encoding_name(got.encoding)) + " (" +
                             std::string(encoding_source_name(got.source)) + ")");
      }
      if (ok && listed) fixed.push_back(c.id);
    }
  }
  std::printf("html5lib encoding tests: %d/%d pass\n", passed, total);
  for (const std::string& id : fixed) {
    std::printf("now passing, remove from known_failures_encoding.txt: %s\n", id.c_str());
  }
  for (const std::string& msg : unexpected) ADD_FAILURE() << msg;
}

}  // namespace
}  // namespace riptide::fetch
