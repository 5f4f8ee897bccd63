// `riptide parse`: parse HTML files with riptide::html::Parser.
//   riptide parse FILE [--tree]     one-line summary, or the html5lib tree format with --tree
//   riptide parse --stats FILE...   per file: bytes, nodes, parse time, MB/s; then a total line
// Files are decoded to UTF-8 first (fetch::decode_html: BOM, <meta charset>, UTF-8 detection).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/io.h"
#include "fetch/charset.h"
#include "html/parser.h"
#include "html/tree_dump.h"

namespace riptide::cli {

namespace {

struct ParseArgs {
  std::vector<std::string> files;
  bool tree = false;
  bool stats = false;
};

// Reads and decodes one file; prints the error and returns false on failure.
bool load(const std::string& path, std::string& utf8) {
  auto bytes = read_input(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "riptide parse: %s\n", bytes.error().message().c_str());
    return false;
  }
  auto text = fetch::decode_html(*bytes);
  if (!text.ok()) {
    std::fprintf(stderr, "riptide parse: %s: %s\n", path.c_str(), text.error().to_string().c_str());
    return false;
  }
  utf8 = std::move(*text);
  return true;
}

int run_stats(const ParseArgs& args) {
  html::Parser parser;
  html::Document doc;
  std::string utf8;
  size_t total_bytes = 0;
  uint64_t total_nodes = 0;
  double total_seconds = 0;
  int failures = 0;
  std::printf("%-40s %12s %10s %10s %10s\n", "file", "bytes", "nodes", "ms", "MB/s");
  for (const std::string& path : args.files) {
    if (!load(path, utf8)) {
      ++failures;
      continue;
    }
    auto start = std::chrono::steady_clock::now();
    Status status = parser.parse(utf8, doc);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) {
      std::fprintf(stderr, "riptide parse: %s: %s\n", path.c_str(),
                   status.error().to_string().c_str());
      ++failures;
      continue;
    }
    total_bytes += utf8.size();
    total_nodes += doc.node_count;
    total_seconds += seconds;
    std::printf("%-40s %12zu %10u %10.3f %10.1f\n", path.c_str(), utf8.size(), doc.node_count,
                seconds * 1e3, seconds > 0 ? utf8.size() / 1e6 / seconds : 0.0);
  }
  std::printf("%-40s %12zu %10llu %10.3f %10.1f\n", "total", total_bytes,
              static_cast<unsigned long long>(total_nodes), total_seconds * 1e3,
              total_seconds > 0 ? total_bytes / 1e6 / total_seconds : 0.0);
  return failures == 0 ? 0 : 1;
}

int run_one(const ParseArgs& args) {
  if (args.files.size() != 1) {
    std::fprintf(stderr, "riptide parse: expected one FILE (use --stats for several)\n");
    return 1;
  }
  const std::string& path = args.files[0];
  std::string utf8;
  if (!load(path, utf8)) return 1;
  html::Parser parser;
  html::Document doc;
  Status status = parser.parse(utf8, doc);
  if (!status.ok()) {
    std::fprintf(stderr, "riptide parse: %s: %s\n", path.c_str(),
                 status.error().to_string().c_str());
    return 1;
  }
  if (args.tree) {
    std::string dump = html::dump_tree(doc);
    std::fwrite(dump.data(), 1, dump.size(), stdout);
    return 0;
  }
  std::string limits = doc.limits.any() ? doc.limits.describe() : "none";
  std::printf("%s: %zu bytes, %u nodes, %u parse errors, limits: %s\n", path.c_str(), utf8.size(),
              doc.node_count, doc.parse_error_count, limits.c_str());
  return 0;
}

}  // namespace

void register_parse(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ParseArgs>();
  auto* cmd = app.add_subcommand("parse", "Parse HTML files and print a summary, tree or stats");
  cmd->add_option("files", args->files, "HTML file(s); - for standard input")->required();
  cmd->add_flag("--tree", args->tree, "Print the document tree in the html5lib-tests format");
  cmd->add_flag("--stats", args->stats, "Print bytes, nodes, parse time and MB/s per file");
  cmd->callback([args, &exit_code] {
    if (args->tree && args->stats) {
      std::fprintf(stderr, "riptide parse: --tree and --stats cannot be combined\n");
      exit_code = 1;
      return;
    }
    exit_code = args->stats ? run_stats(*args) : run_one(*args);
  });
}

}  // namespace riptide::cli
