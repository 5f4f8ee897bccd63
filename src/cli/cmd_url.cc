// Placeholder until the url subcommand lands; replaced by its implementation.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace riptide::cli {

void register_url(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("url", "(not yet available)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "riptide url: not yet available\n");
    exit_code = 2;
  });
}

}  // namespace riptide::cli
