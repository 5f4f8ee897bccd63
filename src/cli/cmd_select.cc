// `riptide select SELECTOR FILE`: prints the outer HTML of every element matching a CSS
// selector list, in document order, each followed by a newline. Exit codes: 0 success (also
// when nothing matches), 1 unreadable or undecodable input, 2 invalid selector.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/io.h"
#include "fetch/charset.h"
#include "html/parser.h"
#include "html/selector.h"
#include "html/serializer.h"

namespace riptide::cli {

namespace {

struct SelectArgs {
  std::string selector;
  std::string file;
};

int run_select(const SelectArgs& args) {
  // The selector is checked first so a typo is reported without reading a large file.
  Result<html::SelectorList> list = html::parse_selector_list(args.selector);
  if (!list.ok()) {
    std::fprintf(stderr, "riptide select: invalid selector: %s\n", list.error().message().c_str());
    return 2;
  }
  Result<std::string> bytes = read_input(args.file);
  if (!bytes.ok()) {
    std::fprintf(stderr, "riptide select: %s\n", bytes.error().message().c_str());
    return 1;
  }
  // Files are bytes in any encoding; the parser reads UTF-8 (HTML 13.2.3 encoding sniffing).
  Result<std::string> utf8 = fetch::decode_html(*bytes);
  if (!utf8.ok()) {
    std::fprintf(stderr, "riptide select: %s: %s\n", args.file.c_str(),
                 utf8.error().to_string().c_str());
    return 1;
  }
  html::Document doc;
  html::Parser parser;
  Status parsed = parser.parse(*utf8, doc);
  if (!parsed.ok()) {
    std::fprintf(stderr, "riptide select: %s: %s\n", args.file.c_str(),
                 parsed.error().to_string().c_str());
    return 1;
  }
  std::string out;
  for (const html::Node* node :
       html::select_all(*list, doc.root(), html::MatchOptions::for_document(doc))) {
    html::append_outer_html(node, out);
    out.push_back('\n');
    if (out.size() >= (1 << 16)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) {
    std::fprintf(stderr, "riptide select: cannot write output\n");
    return 1;
  }
  return 0;
}

}  // namespace

void register_select(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SelectArgs>();
  auto* cmd = app.add_subcommand(
      "select", "Print the outer HTML of each element matching a CSS selector, one per line");
  cmd->add_option("SELECTOR", args->selector,
                  "Selector list: type, #id, .class, [attr op value i|s], combinators, :not() "
                  ":is() :where() :has() :nth-child(An+B of S) and other structural pseudo-classes")
      ->required();
  cmd->add_option("FILE", args->file, "HTML file to search, or - for standard input")->required();
  cmd->callback([args, &exit_code] { exit_code = run_select(*args); });
}

}  // namespace riptide::cli
