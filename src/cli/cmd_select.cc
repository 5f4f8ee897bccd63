// Placeholder until the select subcommand lands; replaced by its implementation.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace riptide::cli {

void register_select(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("select", "(not yet available)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "riptide select: not yet available\n");
    exit_code = 2;
  });
}

}  // namespace riptide::cli
