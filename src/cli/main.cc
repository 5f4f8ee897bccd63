// riptide: the one binary. Subcommands are wired here; their logic lives in the layers below.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"

namespace {
// Invalid arguments, for every subcommand (the README's command list).
constexpr int kUsageExitCode = 2;
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"riptide: web content extraction and crawling"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "riptide 0.1.0");
  int exit_code = 0;
  riptide::cli::register_parse(app, exit_code);
  riptide::cli::register_url(app, exit_code);
  riptide::cli::register_select(app, exit_code);
  riptide::cli::register_extract(app, exit_code);
  riptide::cli::register_bench(app, exit_code);
  riptide::cli::register_keys(app, exit_code);
  riptide::cli::register_serve(app, exit_code);
  riptide::cli::register_config(app, exit_code);
  riptide::cli::register_crawl(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes (105, 109, ...) mean "bad arguments"; every riptide command documents
    // that as exit code 2. --help and --version exit 0.
    return app.exit(e) == 0 ? 0 : kUsageExitCode;
  }
  return exit_code;
}
