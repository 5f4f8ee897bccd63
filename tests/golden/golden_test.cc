// Golden tests of the whole extraction path (tests/golden/README.md): every directory under
// cases/ holds case.json (options, and optionally a page of the shared corpus to read instead
// of input.html), expected.json (metadata and fields) and expected.md (the Markdown). The runner
// extracts each page exactly as `riptide extract` does and compares; on a mismatch it prints a
// unified diff. `--update` (or RIPTIDE_GOLDEN_UPDATE=1) rewrites the expected files instead.
//
// usage: golden_test CASES_DIR SHARED_DIR [--update] [CASE...]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/extract_json.h"
#include "extract/extractor.h"
#include "pipeline/record_json.h"
#include "tests/support/golden_case.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace fs = std::filesystem;
using riptide::extract::Extractor;
using riptide::extract::Options;

namespace {

// A case file's bytes, gunzipped when the name ends in ".gz" (corpus-derived inputs).
bool read_file(const fs::path& path, std::string& out) {
  riptide::Result<std::string> bytes = riptide::testing::read_page_bytes(path.string());
  if (!bytes.ok()) return false;
  out = std::move(bytes).value();
  return true;
}

bool write_file(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  return static_cast<bool>(out);
}

// The compared part of a record: everything but the body renderings (markdown is compared on its
// own, text and html follow from the same content) and the stats (timing, parser node counts).
std::string expected_json(const riptide::extract::Record& record) {
  nlohmann::ordered_json json = riptide::pipeline::record_to_json(record);
  json.erase("markdown");
  json.erase("text");
  json.erase("html");
  json.erase("stats");
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void print_diff(const fs::path& expected, const std::string& actual) {
  fs::path tmp = fs::temp_directory_path() / ("golden_actual_" + std::to_string(::getpid()));
  write_file(tmp, actual);
  std::string cmd = "diff -u '" + expected.string() + "' '" + tmp.string() + "'";
  std::fflush(stdout);
  if (std::system(cmd.c_str()) == -1) std::printf("(diff not available)\n");
  fs::remove(tmp);
}

struct Counts {
  int passed = 0;
  int failed = 0;
  int updated = 0;
  int pending = 0;
};

// Runs one case; returns false on a mismatch or a broken case.
bool run_case(const fs::path& dir, const fs::path& shared, bool update, Extractor& extractor,
              Counts& counts) {
  std::string name = dir.filename().string();
  std::string text;
  if (!read_file(dir / "case.json", text)) {
    std::printf("FAIL %s: cannot read case.json\n", name.c_str());
    return false;
  }
  nlohmann::json spec = nlohmann::json::parse(text, nullptr, false);
  if (spec.is_discarded() || !spec.is_object()) {
    std::printf("FAIL %s: case.json is not a JSON object\n", name.c_str());
    return false;
  }
  // A page whose current output is known to be wrong stays in the suite as a reminder, with the
  // reason, but has no expected files: blessing wrong output would hide the defect.
  if (spec.contains("pending")) {
    std::printf("PENDING %s: %s\n", name.c_str(), spec["pending"].get<std::string>().c_str());
    ++counts.pending;
    return true;
  }
  Options options;
  options.url = spec.value("url", "");
  std::string mode = spec.value("mode", "article");
  if (!riptide::extract::parse_mode(mode, &options.mode)) {
    std::printf("FAIL %s: unknown mode %s\n", name.c_str(), mode.c_str());
    return false;
  }
  if (spec.contains("selectors"))
    options.selectors = spec["selectors"].get<std::vector<std::string>>();
  fs::path input = riptide::testing::golden_case_input(dir, spec, shared);
  std::string bytes;
  if (!read_file(input, bytes)) {
    std::printf("FAIL %s: cannot read %s\n", name.c_str(), input.string().c_str());
    return false;
  }
  auto record = riptide::cli::extract_bytes(extractor, bytes, options);
  if (!record.ok()) {
    std::printf("FAIL %s: %s\n", name.c_str(), record.error().to_string().c_str());
    return false;
  }
  std::string actual_json = expected_json(*record);
  std::string actual_md = record->markdown + "\n";
  bool ok = true;
  for (const auto& [file, actual] :
       {std::pair<const char*, const std::string&>{"expected.json", actual_json},
        std::pair<const char*, const std::string&>{"expected.md", actual_md}}) {
    std::string expected;
    bool have = read_file(dir / file, expected);
    if (have && expected == actual) continue;
    if (update) {
      write_file(dir / file, actual);
      std::printf("UPDATED %s/%s\n", name.c_str(), file);
      ++counts.updated;
      continue;
    }
    ok = false;
    std::printf("FAIL %s: %s %s\n", name.c_str(), file, have ? "differs" : "is missing");
    if (have) print_diff(dir / file, actual);
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: golden_test CASES_DIR SHARED_DIR [--update] [CASE...]\n");
    return 2;
  }
  fs::path cases = argv[1];
  fs::path shared = argv[2];
  const char* env = std::getenv("RIPTIDE_GOLDEN_UPDATE");
  bool update = env != nullptr && std::string(env) == "1";
  std::vector<std::string> only;
  for (int i = 3; i < argc; ++i) {
    if (std::string(argv[i]) == "--update") {
      update = true;
    } else {
      only.push_back(argv[i]);
    }
  }
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cases, ec)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    if (only.empty() || std::find(only.begin(), only.end(), name) != only.end()) {
      dirs.push_back(entry.path());
    }
  }
  if (ec) {
    std::fprintf(stderr, "golden_test: cannot list %s: %s\n", cases.string().c_str(),
                 ec.message().c_str());
    return 2;
  }
  std::sort(dirs.begin(), dirs.end());
  Extractor extractor;
  Counts counts;
  for (const fs::path& dir : dirs) {
    if (run_case(dir, shared, update, extractor, counts)) {
      ++counts.passed;
    } else {
      ++counts.failed;
    }
  }
  std::printf("golden: %d cases, %d passed (%d of them pending), %d failed, %d files updated\n",
              static_cast<int>(dirs.size()), counts.passed, counts.pending, counts.failed,
              counts.updated);
  return counts.failed == 0 && !dirs.empty() ? 0 : 1;
}
