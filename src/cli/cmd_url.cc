// `riptide url [--base B] [--normalize] [--] URL...`: parses each URL with the WHATWG URL parser
// and prints one JSON object per line (the URL Standard's API field names), or
// {"input": ..., "error": ...} for a URL that fails to parse (exit code 1 if any did).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "url/normalize.h"
#include "url/url.h"

namespace riptide::cli {
namespace {

struct UrlOptions {
  std::string base;
  bool normalize = false;
  std::vector<std::string> urls;
};

void print_line(const nlohmann::ordered_json& line) {
  // Input echoed back may be invalid UTF-8; replace rather than throw.
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

nlohmann::ordered_json error_line(const std::string& input, const Error& error) {
  nlohmann::ordered_json line;
  line["input"] = input;
  line["error"] = error.to_string();
  return line;
}

nlohmann::ordered_json url_line(const url::Url& u) {
  nlohmann::ordered_json line;
  line["href"] = std::string(u.href());
  line["protocol"] = std::string(u.protocol());
  line["username"] = std::string(u.username());
  line["password"] = std::string(u.password());
  line["host"] = std::string(u.host());
  line["hostname"] = std::string(u.hostname());
  line["port"] = std::string(u.port());
  line["pathname"] = std::string(u.pathname());
  line["search"] = std::string(u.search());
  line["hash"] = std::string(u.hash());
  line["origin"] = u.origin();
  return line;
}

int run(const UrlOptions& options) {
  std::optional<url::Url> base;
  if (!options.base.empty()) {
    auto parsed = url::parse(options.base);
    if (!parsed.ok()) {
      print_line(error_line(options.base, Error(parsed.error().code(),
                                                "invalid base URL: " + parsed.error().message())));
      return 1;
    }
    base = std::move(parsed).value();
  }
  int exit_code = 0;
  for (const std::string& input : options.urls) {
    auto parsed = url::parse(input, base ? &*base : nullptr);
    if (!parsed.ok()) {
      print_line(error_line(input, parsed.error()));
      exit_code = 1;
      continue;
    }
    print_line(url_line(options.normalize ? url::normalize(*parsed) : *parsed));
  }
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

void register_url(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<UrlOptions>();
  auto* cmd = app.add_subcommand(
      "url", "Parse URLs (WHATWG URL Standard) and print their components, one JSON line each");
  cmd->add_option("--base", options->base, "Resolve each URL against this absolute URL");
  cmd->add_flag("--normalize", options->normalize,
                "Print the crawl-normalised URL (no fragment, no tracking parameters, "
                "unreserved characters decoded)");
  cmd->add_option("urls", options->urls, "URLs to parse (use -- before URLs starting with '-')")
      ->required();
  cmd->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace riptide::cli
