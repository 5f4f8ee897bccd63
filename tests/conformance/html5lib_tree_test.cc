// Runs the html5lib-tests tree-construction suite (../shared/html5lib-tests/tree-construction/
// *.dat, not scripted/) against riptide::html::Parser and compares the html5lib tree dump.
//
// Tests marked #script-on are skipped (riptide parses with scripting off); #script-off tests run
// with scripting off like the rest. #document-fragment tests use Parser::parse_fragment with the
// given context element ("svg path", "math mi", "td"). Parse errors are not compared. The run
// fails when a test not listed in tests/conformance/known_failures/html5lib_tree.txt fails
// (id "<file>:<index>", index counting from 0 in the file); listed tests that now pass are
// reported so the list can shrink.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "html/parser.h"
#include "html/tree_dump.h"

namespace {

namespace fs = std::filesystem;
using riptide::html::Document;
using riptide::html::Namespace;
using riptide::html::Parser;

struct TreeTest {
  std::string data;
  std::string expected;
  std::string fragment_context;  // empty: whole document
  bool script_on = false;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits a .dat file into tests. Sections start with a line "#name"; a test starts at "#data".
// The text of #data and #document ends before the newline that precedes the next section.
std::vector<TreeTest> parse_dat(const std::string& text) {
  std::vector<TreeTest> tests;
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      if (pos < text.size()) lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::string section;
  std::string body;
  TreeTest current;
  bool have = false;
  auto flush_section = [&]() {
    if (section.empty()) return;
    // Drop the newline that separates this section from the next heading.
    if (!body.empty() && body.back() == '\n') body.pop_back();
    if (section == "#data") {
      current.data = body;
    } else if (section == "#document") {
      while (!body.empty() && body.back() == '\n') body.pop_back();
      current.expected = body;
    } else if (section == "#document-fragment") {
      current.fragment_context = body;
    }
    body.clear();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    bool heading =
        !line.empty() && line[0] == '#' &&
        (line == "#data" || line == "#errors" || line == "#new-errors" || line == "#document" ||
         line == "#document-fragment" || line == "#script-on" || line == "#script-off");
    // "#data" may only start a test after a blank line or at the top, but lines of a #document
    // never start with '#', so any heading line is a heading.
    if (heading) {
      flush_section();
      if (line == "#data") {
        if (have) tests.push_back(current);
        current = TreeTest();
        have = true;
      }
      if (line == "#script-on") current.script_on = true;
      section = line;
      continue;
    }
    body += line;
    body += '\n';
  }
  flush_section();
  if (have) tests.push_back(current);
  return tests;
}

std::set<std::string> read_known_failures(const fs::path& path) {
  std::set<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    out.insert(line.substr(0, sp));
  }
  return out;
}

std::string run_test(Parser& parser, const TreeTest& test) {
  Document doc;
  if (test.fragment_context.empty()) {
    if (!parser.parse(test.data, doc).ok()) return "<parse failed>";
    return riptide::html::dump_tree(doc);
  }
  std::string ctx = test.fragment_context;
  Namespace ns = Namespace::kHtml;
  if (ctx.rfind("svg ", 0) == 0) {
    ns = Namespace::kSvg;
    ctx = ctx.substr(4);
  } else if (ctx.rfind("math ", 0) == 0) {
    ns = Namespace::kMathMl;
    ctx = ctx.substr(5);
  }
  if (!parser.parse_fragment(test.data, ctx, ns, doc).ok()) return "<parse failed>";
  return riptide::html::dump_children(doc, doc.html_element());
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = argc > 1 && std::string(argv[1]) == "-v";
  fs::path dir = fs::path(RIPTIDE_SHARED_DIR) / "html5lib-tests" / "tree-construction";
  fs::path known_path = fs::path(RIPTIDE_SOURCE_DIR) / "tests" / "conformance" / "known_failures" /
                        "html5lib_tree.txt";
  std::set<std::string> known = read_known_failures(known_path);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".dat")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no .dat files in %s\n", dir.c_str());
    return 1;
  }
  Parser parser;
  int total = 0;
  int passed = 0;
  int skipped = 0;
  int unexpected = 0;
  std::vector<std::string> now_passing;
  for (const fs::path& file : files) {
    std::vector<TreeTest> tests = parse_dat(read_file(file));
    int file_pass = 0;
    int file_total = 0;
    for (size_t i = 0; i < tests.size(); ++i) {
      const TreeTest& test = tests[i];
      if (test.script_on) {
        ++skipped;
        continue;
      }
      std::string id = file.filename().string() + ":" + std::to_string(i);
      std::string got = run_test(parser, test);
      while (!got.empty() && got.back() == '\n') got.pop_back();
      ++file_total;
      bool ok = got == test.expected;
      bool listed = known.count(id) > 0;
      if (ok) {
        ++file_pass;
        if (listed) now_passing.push_back(id);
      } else if (!listed || verbose) {
        if (!listed) ++unexpected;
        std::printf("FAIL %s%s\n#data\n%s\n#expected\n%s\n#got\n%s\n\n", id.c_str(),
                    listed ? " (known)" : "", test.data.c_str(), test.expected.c_str(),
                    got.c_str());
      }
    }
    std::printf("%-48s %4d/%4d\n", file.filename().c_str(), file_pass, file_total);
    total += file_total;
    passed += file_pass;
  }
  std::printf("html5lib tree-construction: %d/%d passed (%.2f%%), %d skipped (#script-on)\n",
              passed, total, total > 0 ? 100.0 * passed / total : 0.0, skipped);
  for (const std::string& id : now_passing) {
    std::printf("known failure now passes (remove from the list): %s\n", id.c_str());
  }
  if (unexpected > 0) {
    std::printf("%d unexpected failure(s)\n", unexpected);
    return 1;
  }
  return 0;
}
