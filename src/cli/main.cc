// riptide: the one binary. Subcommands are wired here; their logic lives in the layers below.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
