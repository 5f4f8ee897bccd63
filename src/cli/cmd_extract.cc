// Placeholder until the extract subcommand lands; replaced by its implementation.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace riptide::cli {

void register_extract(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("extract", "(not yet available)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "riptide extract: not yet available\n");
    exit_code = 2;
  });
}

}  // namespace riptide::cli
