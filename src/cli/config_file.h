#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "fetch/fetcher.h"
#include "sandbox/config.h"
#include "server/config.h"
#include "server/crawl_jobs.h"
#include "store/sqlite_store.h"

namespace CLI {
class App;
}

// Configuration of `riptide serve` / `extract` / `crawl` (docs/operations.md "Configuration"),
// from lowest to highest precedence: the built-in defaults (the named constants in
// server/config.h, server/crawl_jobs.h, fetch/fetcher.h, sandbox/config.h) → a TOML file →
// RIPTIDE_* environment variables → command-line flags.
namespace riptide::cli {

inline constexpr std::string_view kDefaultLogLevel = "info";
// spdlog's level names, lowest to highest.
inline constexpr std::string_view kLogLevels[] = {"trace", "debug",    "info", "warn",
                                                  "error", "critical", "off"};
// A config file larger than this is refused before parsing (a real one is a few KiB).
inline constexpr uintmax_t kMaxConfigFileBytes = uintmax_t{1} << 20;

struct ServiceConfig {
  server::ServerConfig server;
  fetch::FetchConfig fetch;
  sandbox::SandboxConfig sandbox;
  // The service's crawl jobs (max_running, max_pages_cap; the engine follows the sandbox's).
  server::CrawlJobsConfig crawl;
  // Always set after load_service_config: the configured directory, else
  // store::default_data_dir().
  std::filesystem::path data_dir;
  std::string log_level = std::string(kDefaultLogLevel);
};

// The flags every service command shares. Unset optionals leave lower layers in charge.
struct ServiceFlags {
  std::optional<std::string> config_path;  // --config
  std::optional<std::string> data_dir;     // --data-dir
  std::optional<std::string> host;         // --host
  std::optional<std::string> port;         // --port
  std::optional<std::string> log_level;    // --log-level
  std::optional<std::string> workers;      // --workers
  std::optional<std::string> io_threads;   // --io-threads
  bool no_auth = false;                    // --no-auth
  bool allow_private_networks = false;     // --allow-private-networks
  std::vector<std::string> allow_cidrs;    // --allow-cidr (repeatable; replaces the file's list)
};

// The environment the loader reads: a variable by name, and every variable's name (so that an
// unknown RIPTIDE_* variable, a typo, is refused rather than ignored). Tests inject their own.
struct Environment {
  store::EnvLookup get;
  std::function<std::vector<std::string>()> names;
};
Environment process_environment();

// RIPTIDE_* variables that are not configuration options but are read elsewhere: never refused.
inline constexpr std::string_view kOtherRiptideVariables[] = {
    "RIPTIDE_CONFIG",         // the config file (below)
    "RIPTIDE_GOLDEN_UPDATE",  // tests/golden: rewrite the expected files
};

// Registers the shared flags on a subcommand; values land in `flags` when the app parses.
// `flags` must outlive the parse.
void add_service_flags(CLI::App& app, ServiceFlags& flags);

// Builds the configuration: defaults, then the TOML file named by --config or $RIPTIDE_CONFIG
// (none when neither is given), then the environment, then the flags; then validates it.
// Errors (kInvalidArgument) name where the bad value came from: "riptide.toml:4:8: server.port
// ...", "RIPTIDE_SERVER_PORT: ...", "--port: ...", and refuse unknown keys and RIPTIDE_*
// variables (with the closest known name when one is near). A missing or unreadable file is kIo.
Result<ServiceConfig> load_service_config(const ServiceFlags& flags,
                                          const Environment& env = process_environment());

// Applies TOML text to `config` (the file layer alone; tests and tools). `source` names the text
// in errors; relative paths in it are resolved against `base_dir`.
Status apply_config_toml(std::string_view toml, std::string_view source,
                         const std::filesystem::path& base_dir, ServiceConfig& config);

// Ranges and cross-field rules (initial pool ≤ max pool, CIDRs well formed, a known log level).
Status validate_service_config(const ServiceConfig& config);

// The whole configuration as TOML in the file's layout (every option, defaults included): what
// `apply_config_toml` reads back to the same values.
std::string service_config_toml(const ServiceConfig& config);

// One configurable option, for documentation and tests: its TOML section and key, its
// environment variable, and the accepted value kind and integer range.
enum class OptionKind : uint8_t { kBool, kInteger, kString, kStringList };
struct OptionInfo {
  std::string_view section;
  std::string_view key;
  std::string env;
  OptionKind kind;
  int64_t min = 0;
  int64_t max = 0;
};
std::vector<OptionInfo> service_options();

}  // namespace riptide::cli
