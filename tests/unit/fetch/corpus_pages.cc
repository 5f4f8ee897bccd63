#include "tests/unit/fetch/corpus_pages.h"

#include <zlib.h>

#include <fstream>
#include <sstream>
#include <string_view>

#include "core/utf8.h"

namespace riptide::testing {
namespace {

// The string value of `"key": "..."` in one JSON line, with the escapes JSON allows.
std::optional<std::string> json_string_field(std::string_view line, std::string_view key) {
  // Built with append: GCC 12's -Wrestrict misfires on `"\"" + std::string(key)` at -O3.
  std::string pattern;
  pattern.append(1, '"').append(key).append(1, '"');
  size_t at = line.find(pattern);
  if (at == std::string_view::npos) return std::nullopt;
  at = line.find('"', line.find(':', at + pattern.size()));
  if (at == std::string_view::npos) return std::nullopt;
  std::string value;
  for (size_t i = at + 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') return value;
    if (c != '\\') {
      value.push_back(c);
      continue;
    }
    if (++i >= line.size()) break;
    switch (line[i]) {
      case 'n':
        value.push_back('\n');
        break;
      case 't':
        value.push_back('\t');
        break;
      case 'r':
        value.push_back('\r');
        break;
      case 'b':
        value.push_back('\b');
        break;
      case 'f':
        value.push_back('\f');
        break;
      case 'u': {
        if (line.size() - i < 5) return std::nullopt;
        char32_t cp =
            static_cast<char32_t>(std::stoul(std::string(line.substr(i + 1, 4)), nullptr, 16));
        i += 4;
        // A surrogate pair spells an astral code point.
        if (cp >= 0xD800 && cp < 0xDC00 && line.size() - i >= 7 && line[i + 1] == '\\' &&
            line[i + 2] == 'u') {
          char32_t lo =
              static_cast<char32_t>(std::stoul(std::string(line.substr(i + 3, 4)), nullptr, 16));
          if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        utf8::append(value, cp);
        break;
      }
      default:
        value.push_back(line[i]);
        break;  // \" \\ \/
    }
  }
  return std::nullopt;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::vector<std::string>> corpus_page_paths(const std::string& corpus_dir) {
  std::ifstream in(corpus_dir + "/pages.jsonl");
  if (!in) return Error(ErrorCode::kIo, "cannot open " + corpus_dir + "/pages.jsonl");
  std::vector<std::string> paths;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::optional<std::string> html = json_string_field(line, "html");
    if (!html)
      return Error(ErrorCode::kParseError,
                   "pages.jsonl line without \"html\": " + line.substr(0, 80));
    std::string path = corpus_dir;
    path.append(1, '/').append(*html);
    paths.push_back(std::move(path));
  }
  return paths;
}

Result<std::string> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot open " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Result<std::string> read_page_bytes(const std::string& path) {
  if (!ends_with(path, ".gz")) return read_file_bytes(path);
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Error(ErrorCode::kIo, "cannot open " + path);
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  bool failed = n < 0;
  gzclose(gz);
  if (failed) return Error(ErrorCode::kIo, "corrupt gzip data in " + path);
  return out;
}

}  // namespace riptide::testing
