// `riptide extract [FILE|-] [--url URL] [--format json|text]`: decode, parse and extract a page.
// For now the content is the page's visible text (the `full` mode); article scoring, Markdown and
// metadata arrive with the extraction engine (src/extract/).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/io.h"
#include "core/strings.h"
#include "extract/visible_text.h"
#include "fetch/charset.h"
#include "html/parser.h"

namespace riptide::cli {

namespace {

struct ExtractArgs {
  std::string file = "-";
  std::string url;
  std::string format = "json";
};

size_t count_words(std::string_view text) {
  return str::split_whitespace(text).size();
}

int run_extract(const ExtractArgs& args) {
  auto bytes = read_input(args.file);
  if (!bytes.ok()) {
    std::fprintf(stderr, "riptide extract: %s\n", bytes.error().message().c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  fetch::DetectedEncoding encoding = fetch::detect_encoding(*bytes);
  auto utf8 = fetch::to_utf8(*bytes, encoding.encoding);
  if (!utf8.ok()) {
    std::fprintf(stderr, "riptide extract: %s: %s\n", args.file.c_str(),
                 utf8.error().to_string().c_str());
    return 1;
  }
  html::Parser parser;
  html::Document doc;
  Status parsed = parser.parse(*utf8, doc);
  if (!parsed.ok()) {
    std::fprintf(stderr, "riptide extract: %s: %s\n", args.file.c_str(),
                 parsed.error().to_string().c_str());
    return 1;
  }
  std::string text = extract::visible_text(doc.body() != nullptr ? doc.body() : doc.root());
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  if (args.format == "text") {
    std::printf("%s\n", text.c_str());
    return 0;
  }
  std::string language;
  if (html::Node* root = doc.html_element()) language = std::string(root->attr_value("lang"));
  nlohmann::ordered_json out = {
      {"url", args.url},
      {"title", str::collapse_whitespace(doc.title())},
      {"language", language},
      {"mode", "full"},
      {"text", text},
      {"word_count", count_words(text)},
      {"stats",
       {{"input_bytes", bytes->size()},
        {"encoding", std::string(fetch::encoding_name(encoding.encoding))},
        {"nodes", doc.node_count},
        {"time_ms", ms},
        {"limits", doc.limits.describe()}}},
  };
  std::printf("%s\n",
              out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace

void register_extract(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExtractArgs>();
  auto* cmd = app.add_subcommand("extract", "Extract a page's content as JSON or text");
  cmd->add_option("file", args->file, "HTML file, or - for standard input")->default_val("-");
  cmd->add_option("--url", args->url, "The page's URL (base for links)");
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"json", "text"}))
      ->default_val("json");
  cmd->callback([args, &exit_code] { exit_code = run_extract(*args); });
}

}  // namespace riptide::cli
