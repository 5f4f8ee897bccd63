#pragma once

// Each subcommand registers itself on the CLI11 app; `exit_code` receives its process exit code.
namespace CLI {
class App;
}

namespace riptide::cli {

void register_parse(CLI::App& app, int& exit_code);
void register_url(CLI::App& app, int& exit_code);
void register_select(CLI::App& app, int& exit_code);
void register_extract(CLI::App& app, int& exit_code);
void register_bench(CLI::App& app, int& exit_code);
void register_keys(CLI::App& app, int& exit_code);
void register_serve(CLI::App& app, int& exit_code);
void register_config(CLI::App& app, int& exit_code);
void register_crawl(CLI::App& app, int& exit_code);

}  // namespace riptide::cli
