// `riptide config [--config FILE] [service flags...]`: prints the configuration `riptide serve`
// would run with, after defaults, the TOML file, RIPTIDE_* variables and flags
// (docs/operations.md "Configuration"), as a complete TOML file that serve reads back unchanged.
// Exit codes: 0 printed, 2 invalid configuration (the error on stderr), 1 unreadable file.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/config_file.h"

namespace riptide::cli {

namespace {

int run_config(const ServiceFlags& flags) {
  Result<ServiceConfig> config = load_service_config(flags);
  if (!config) {
    std::fprintf(stderr, "riptide config: %s\n", config.error().to_string().c_str());
    return config.error().code() == ErrorCode::kIo ? 1 : 2;
  }
  std::string text = service_config_toml(*config);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void register_config(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ServiceFlags>();
  auto* cmd = app.add_subcommand(
      "config",
      "Print the effective service configuration as TOML (defaults, file, environment "
      "and flags applied)");
  add_service_flags(*cmd, *flags);
  cmd->callback([flags, &exit_code] { exit_code = run_config(*flags); });
}

}  // namespace riptide::cli
