#include "cli/config_file.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace riptide::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using Env = std::map<std::string, std::string>;

// An injected environment holding `vars` (and HOME, so the default data dir is predictable).
Environment lookup(Env vars) {
  vars.emplace("HOME", "/home/test");
  auto shared = std::make_shared<const Env>(std::move(vars));
  return Environment{[shared](const std::string& name) -> std::optional<std::string> {
                       auto it = shared->find(name);
                       if (it == shared->end()) return std::nullopt;
                       return it->second;
                     },
                     [shared] {
                       std::vector<std::string> names;
                       for (const auto& [name, value] : *shared) names.push_back(name);
                       return names;
                     }};
}

// Parses `args` (after the program name) with the shared flags registered on a fresh app.
ServiceFlags parse_flags(std::vector<std::string> args) {
  CLI::App app;
  ServiceFlags flags;
  add_service_flags(app, flags);
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
  app.parse(args);
  return flags;
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }

  std::string write_file(const std::string& name, const std::string& text) {
    fs::path path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }

  testing::TempDir dir_;
};

TEST_F(ConfigFileTest, DefaultsWhenNothingIsGiven) {
  Result<ServiceConfig> config = load_service_config(ServiceFlags{}, lookup({}));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_TRUE(config->server.auth_required);
  EXPECT_EQ(config->server.io_threads, server::kDefaultIoThreads);
  EXPECT_EQ(config->server.cache_max_age, server::kDefaultCacheMaxAge);
  EXPECT_FALSE(config->fetch.allow_private_networks);
  EXPECT_EQ(config->fetch.total_timeout, fetch::kDefaultTotalTimeout);
  EXPECT_EQ(config->sandbox.pool.max_pool_size, sandbox::kDefaultMaxPoolSize);
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->data_dir, fs::path("/home/test/.local/state/riptide"));
  EXPECT_EQ(load_service_config(ServiceFlags{}, lookup({{"XDG_STATE_HOME", "/st"}}))->data_dir,
            fs::path("/st/riptide"));
}

TEST_F(ConfigFileTest, FileThenEnvironmentThenFlags) {
  std::string file = write_file("riptide.toml", R"(
[server]
host = "0.0.0.0"
port = 1000
io_threads = 3
[fetch]
allow_cidrs = ["10.0.0.0/8"]
[store]
data_dir = "/from/file"
[log]
level = "warn"
)");
  ServiceFlags file_only;
  file_only.config_path = file;
  Result<ServiceConfig> config = load_service_config(file_only, lookup({}));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.port, 1000);
  EXPECT_EQ(config->server.io_threads, 3u);
  EXPECT_EQ(config->fetch.allow_cidrs, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(config->data_dir, fs::path("/from/file"));
  EXPECT_EQ(config->log_level, "warn");

  Env env = {{"RIPTIDE_SERVER_PORT", "2000"},
             {"RIPTIDE_DATA_DIR", "/from/env"},
             {"RIPTIDE_FETCH_ALLOW_CIDRS", "127.0.0.1/32, ::1/128"},
             {"RIPTIDE_LOG_LEVEL", "error"}};
  config = load_service_config(file_only, lookup(env));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->server.host, "0.0.0.0");  // only in the file
  EXPECT_EQ(config->server.port, 2000);
  EXPECT_EQ(config->data_dir, fs::path("/from/env"));
  EXPECT_EQ(config->fetch.allow_cidrs, (std::vector<std::string>{"127.0.0.1/32", "::1/128"}));
  EXPECT_EQ(config->log_level, "error");

  ServiceFlags all = parse_flags({"--config", file, "--port", "3000", "--data-dir", "/from/flag",
                                  "--allow-cidr", "192.168.0.0/16", "--log-level", "debug",
                                  "--io-threads", "5", "--workers", "7"});
  config = load_service_config(all, lookup(env));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.port, 3000);
  EXPECT_EQ(config->data_dir, fs::path("/from/flag"));
  EXPECT_EQ(config->fetch.allow_cidrs, std::vector<std::string>{"192.168.0.0/16"});
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->server.io_threads, 5u);
  EXPECT_EQ(config->server.worker_threads, 7u);
}

TEST_F(ConfigFileTest, BooleanFlagsOnlyEverLoosenFromTheirSwitch) {
  std::string file = write_file("c.toml", "[server]\nauth_required = true\n");
  ServiceFlags flags = parse_flags({"--config", file, "--no-auth", "--allow-private-networks"});
  Result<ServiceConfig> config = load_service_config(flags, lookup({}));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_FALSE(config->server.auth_required);
  EXPECT_TRUE(config->fetch.allow_private_networks);
  // Without the switches the environment decides.
  config = load_service_config(parse_flags({}),
                               lookup({{"RIPTIDE_SERVER_AUTH_REQUIRED", "false"},
                                       {"RIPTIDE_FETCH_ALLOW_PRIVATE_NETWORKS", "yes"}}));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_FALSE(config->server.auth_required);
  EXPECT_TRUE(config->fetch.allow_private_networks);
}

TEST_F(ConfigFileTest, ConfigPathFromEnvironmentAndFlag) {
  std::string a = write_file("a.toml", "[server]\nport = 1111\n");
  std::string b = write_file("b.toml", "[server]\nport = 2222\n");
  EXPECT_EQ(load_service_config(ServiceFlags{}, lookup({{"RIPTIDE_CONFIG", a}}))->server.port,
            1111);
  EXPECT_EQ(load_service_config(parse_flags({"--config", b}), lookup({{"RIPTIDE_CONFIG", a}}))
                ->server.port,
            2222);
  Result<ServiceConfig> missing = load_service_config(
      parse_flags({"--config", (dir_.path() / "nope.toml").string()}), lookup({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
  EXPECT_NE(missing.error().message().find("nope.toml"), std::string::npos);
}

TEST_F(ConfigFileTest, RelativeDataDirInFileIsRelativeToTheFile) {
  std::string file = write_file("c.toml", "[store]\ndata_dir = \"state\"\n");
  Result<ServiceConfig> config = load_service_config(parse_flags({"--config", file}), lookup({}));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->data_dir, dir_.path() / "state");
  // From the environment or a flag it is the process's (relative to its working directory).
  config = load_service_config(parse_flags({"--data-dir", "here"}), lookup({}));
  EXPECT_EQ(config->data_dir, fs::path("here"));
}

// The error for `toml` (applied alone), or "" when it is accepted.
std::string toml_error(const std::string& toml) {
  ServiceConfig config;
  Status status = apply_config_toml(toml, "test.toml", {}, config);
  if (status.ok()) return "";
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  return status.error().message();
}

TEST(ConfigToml, UnknownKeysAndSectionsAreErrorsWithTheirPosition) {
  EXPECT_EQ(toml_error("[server]\nprot = 80\n"),
            "test.toml:2:1: unknown key 'server.prot' (did you mean 'port'?)");
  EXPECT_EQ(toml_error("[server]\nport = 80\n\n[srever]\nport = 80\n"),
            "test.toml:4:2: unknown section 'srever' (did you mean 'server'?)");
  EXPECT_EQ(
      toml_error("[http]\nport = 80\n"),
      "test.toml:1:2: unknown section 'http' (sections: server, fetch, sandbox, crawl, store, "
      "log)");
  EXPECT_EQ(toml_error("port = 80\n"),
            "test.toml:1:1: unknown top-level key 'port' (sections: server, fetch, sandbox, crawl, "
            "store, log)");
  // A key of another section is unknown where it was put.
  EXPECT_EQ(toml_error("[fetch]\nport = 80\n"), "test.toml:2:1: unknown key 'fetch.port'");
  // A sub-table under a section is not a key either.
  EXPECT_EQ(toml_error("[server.tls]\ncert = \"x\"\n"), "test.toml:1:9: unknown key 'server.tls'");
  // Durations need their unit suffix.
  EXPECT_EQ(toml_error("[fetch]\ntotal_timeout = 5\n"),
            "test.toml:2:1: unknown key 'fetch.total_timeout' (durations carry their unit: "
            "'total_timeout_ms')");
}

TEST(ConfigToml, WrongTypesNameTheKey) {
  EXPECT_EQ(toml_error("[server]\nport = \"80\"\n"),
            "test.toml:2:1: server.port expects an integer, got a string");
  EXPECT_EQ(toml_error("[server]\nauth_required = 1\n"),
            "test.toml:2:1: server.auth_required expects a boolean (true or false), got an "
            "integer");
  EXPECT_EQ(toml_error("[server]\nhost = 127\n"),
            "test.toml:2:1: server.host expects a string, got an integer");
  EXPECT_EQ(toml_error("[fetch]\nconnect_timeout_ms = 1.5\n"),
            "test.toml:2:1: fetch.connect_timeout_ms expects an integer, got a floating-point "
            "number");
  EXPECT_EQ(toml_error("[fetch]\nallow_cidrs = \"10.0.0.0/8\"\n"),
            "test.toml:2:1: fetch.allow_cidrs expects an array of strings, got a string");
  EXPECT_EQ(toml_error("[fetch]\nallow_cidrs = [\"10.0.0.0/8\", 7]\n"),
            "test.toml:2:30: fetch.allow_cidrs expects an array of strings, found an integer in "
            "it");
  EXPECT_EQ(toml_error("server = 5\n"),
            "test.toml:1:1: unknown top-level key 'server' (sections: server, fetch, sandbox, "
            "crawl, store, log)");
}

TEST(ConfigToml, OutOfRangeValuesAreErrors) {
  EXPECT_EQ(toml_error("[server]\nport = 65536\n"),
            "test.toml:2:1: server.port must be between 0 and 65535, got 65536");
  EXPECT_EQ(toml_error("[server]\nport = -1\n"),
            "test.toml:2:1: server.port must be between 0 and 65535, got -1");
  EXPECT_EQ(toml_error("[server]\nio_threads = 0\n"),
            "test.toml:2:1: server.io_threads must be between 1 and 4294967295, got 0");
  EXPECT_EQ(toml_error("[fetch]\nmax_redirects = 11\n"),
            "test.toml:2:1: fetch.max_redirects must be between 0 and 10, got 11");
  EXPECT_EQ(toml_error("[sandbox]\ntimeout_ms = 0\n"),
            "test.toml:2:1: sandbox.timeout_ms must be between 1 and 9223372036854775807, got 0");
  // The documented zeros are accepted.
  EXPECT_EQ(toml_error("[server]\nport = 0\nworker_threads = 0\n[store]\ncache_max_age_s = 0\n"),
            "");
}

TEST(ConfigToml, SyntaxErrorsHaveLineAndColumn) {
  std::string error = toml_error("[server]\nport = = 80\n");
  EXPECT_EQ(error.rfind("test.toml:2:", 0), 0u) << error;
  error = toml_error("[server\n");
  EXPECT_EQ(error.rfind("test.toml:1:", 0), 0u) << error;
  // A key given twice is a TOML error, not "last one wins".
  error = toml_error("[server]\nport = 1\nport = 2\n");
  EXPECT_EQ(error.rfind("test.toml:3:", 0), 0u) << error;
}

TEST_F(ConfigFileTest, EnvironmentAndFlagErrorsNameTheirSource) {
  Result<ServiceConfig> config =
      load_service_config(ServiceFlags{}, lookup({{"RIPTIDE_SERVER_PORT", "80a"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(),
            "RIPTIDE_SERVER_PORT: server.port expects an integer, got '80a'");
  config = load_service_config(ServiceFlags{}, lookup({{"RIPTIDE_SERVER_PORT", ""}}));
  ASSERT_FALSE(config.ok());
  config = load_service_config(ServiceFlags{},
                               lookup({{"RIPTIDE_FETCH_ALLOW_PRIVATE_NETWORKS", "maybe"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(),
            "RIPTIDE_FETCH_ALLOW_PRIVATE_NETWORKS: fetch.allow_private_networks expects true or "
            "false, got 'maybe'");
  config = load_service_config(parse_flags({"--port", "99999"}), lookup({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), "--port: server.port must be between 0 and 65535, got 99999");
  config = load_service_config(parse_flags({"--io-threads", "0"}), lookup({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message().rfind("--io-threads: ", 0), 0u);
  config = load_service_config(parse_flags({"--workers", "-1"}), lookup({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message().rfind("--workers: ", 0), 0u);
}

TEST_F(ConfigFileTest, UnknownRiptideVariablesAreRefused) {
  Result<ServiceConfig> config =
      load_service_config(ServiceFlags{}, lookup({{"RIPTIDE_SERVER_PROT", "80"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(config.error().message(),
            "RIPTIDE_SERVER_PROT: unknown environment variable (did you mean "
            "'RIPTIDE_SERVER_PORT'?); the options' variables are listed in docs/operations.md");
  config = load_service_config(ServiceFlags{}, lookup({{"RIPTIDE_STORE_DATA_DIR", "/x"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message().rfind("RIPTIDE_STORE_DATA_DIR: unknown environment", 0), 0u);
  // Variables riptide reads elsewhere, and anything not RIPTIDE_*, are fine.
  config = load_service_config(
      ServiceFlags{},
      lookup({{"RIPTIDE_GOLDEN_UPDATE", "1"}, {"PATH", "/bin"}, {"RIPTIDEX", "y"}}));
  EXPECT_TRUE(config.ok()) << config.error().to_string();
}

TEST_F(ConfigFileTest, CrossFieldAndValueValidation) {
  auto error_of = [](const ServiceFlags& flags, Env env) {
    Result<ServiceConfig> config = load_service_config(flags, lookup(std::move(env)));
    return config.ok() ? std::string() : config.error().message();
  };
  EXPECT_EQ(error_of({}, {{"RIPTIDE_SANDBOX_INITIAL_POOL_SIZE", "9"}}),
            "invalid configuration: sandbox.initial_pool_size (9) exceeds sandbox.max_pool_size "
            "(8)");
  EXPECT_EQ(error_of({}, {{"RIPTIDE_SERVER_DEFAULT_BATCH_CONCURRENCY", "65"}}),
            "invalid configuration: server.default_batch_concurrency (65) exceeds "
            "server.max_batch_concurrency (64)");
  EXPECT_EQ(error_of(parse_flags({"--log-level", "verbose"}), {}),
            "invalid configuration: log.level 'verbose' is not one of trace, debug, info, warn, "
            "error, critical, off");
  EXPECT_EQ(error_of(parse_flags({"--host", ""}), {}),
            "invalid configuration: server.host is empty");
  // CIDRs are checked by the fetcher's own validation.
  std::string cidr = error_of(parse_flags({"--allow-cidr", "10.0.0.0/33"}), {});
  EXPECT_EQ(cidr.rfind("invalid configuration: ", 0), 0u) << cidr;
  EXPECT_NE(cidr.find("10.0.0.0/33"), std::string::npos) << cidr;
  EXPECT_EQ(error_of(parse_flags({"--allow-cidr", "::1/128", "--allow-cidr", "10.1.0.0/16"}), {}),
            "");
}

// One valid, non-default value per option, as TOML and as environment text.
struct Sample {
  const char* toml;
  const char* env;
};
const std::map<std::string, Sample> kSamples = {
    {"server.host", {"\"0.0.0.0\"", "0.0.0.0"}},
    {"server.port", {"9090", "9090"}},
    {"server.io_threads", {"4", "4"}},
    {"server.worker_threads", {"3", "3"}},
    {"server.worker_queue", {"10", "10"}},
    {"server.fetch_threads", {"5", "5"}},
    {"server.fetch_queue", {"11", "11"}},
    {"server.max_connections", {"12", "12"}},
    {"server.max_header_bytes", {"8192", "8192"}},
    {"server.max_body_bytes", {"1000000", "1000000"}},
    {"server.read_timeout_ms", {"1500", "1500"}},
    {"server.idle_timeout_ms", {"1600", "1600"}},
    {"server.write_timeout_ms", {"1700", "1700"}},
    {"server.shutdown_grace_ms", {"1800", "1800"}},
    {"server.retry_after_seconds", {"3", "3"}},
    {"server.auth_required", {"false", "false"}},
    {"server.rate_per_minute", {"61", "61"}},
    {"server.burst", {"7", "7"}},
    {"server.key_concurrency", {"8", "8"}},
    {"server.cors_origins", {"[\"https://a.example\", \"*\"]", "https://a.example,*"}},
    {"server.max_batch_items", {"13", "13"}},
    {"server.default_batch_concurrency", {"2", "2"}},
    {"server.max_batch_concurrency", {"16", "16"}},
    {"server.stream_buffer_bytes", {"65536", "65536"}},
    {"server.access_log", {"false", "off"}},
    {"fetch.connect_timeout_ms", {"1100", "1100"}},
    {"fetch.total_timeout_ms", {"1200", "1200"}},
    {"fetch.max_redirects", {"3", "3"}},
    {"fetch.max_body_bytes", {"2000", "2000"}},
    {"fetch.max_wire_bytes", {"3000", "3000"}},
    {"fetch.user_agent", {"\"test-agent/1\"", "test-agent/1"}},
    {"fetch.allow_private_networks", {"true", "TRUE"}},
    {"fetch.allow_cidrs", {"[\"10.0.0.0/8\"]", "10.0.0.0/8"}},
    {"sandbox.memory_bytes", {"131072", "131072"}},
    {"sandbox.timeout_ms", {"900", "900"}},
    {"sandbox.max_input_bytes", {"4000", "4000"}},
    {"sandbox.max_output_bytes", {"5000", "5000"}},
    {"sandbox.initial_pool_size", {"1", "1"}},
    {"sandbox.max_pool_size", {"4", "4"}},
    {"sandbox.max_uses_per_instance", {"50", "50"}},
    {"sandbox.recycle_memory_bytes", {"6000", "6000"}},
    {"sandbox.acquire_timeout_ms", {"700", "700"}},
    {"sandbox.reservation_cache", {"0", "0"}},
    {"sandbox.failure_threshold", {"9", "9"}},
    {"sandbox.failure_window_ms", {"1900", "1900"}},
    {"sandbox.recovery_timeout_ms", {"2100", "2100"}},
    {"sandbox.half_open_max_requests", {"1", "1"}},
    {"sandbox.success_threshold", {"2", "2"}},
    {"sandbox.fallback_enabled", {"false", "0"}},
    {"crawl.max_running", {"5", "5"}},
    {"crawl.max_pages", {"250", "250"}},
    {"store.data_dir", {"\"/srv/riptide\"", "/srv/riptide"}},
    {"store.cache_max_age_s", {"120", "120"}},
    {"store.cache_max_bytes", {"1048576", "1048576"}},
    {"log.level", {"\"debug\"", "debug"}},
};

// The lines of the full TOML dump that differ from the defaults' dump.
std::vector<std::string> changed_lines(const ServiceConfig& config) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string section;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("[", 0) == 0)
        section = line;
      else if (!line.empty())
        out.push_back(section + " " + line);
    }
    return out;
  };
  std::vector<std::string> base = lines(service_config_toml(ServiceConfig{}));
  std::vector<std::string> now = lines(service_config_toml(config));
  std::vector<std::string> changed;
  for (const std::string& line : now) {
    if (std::find(base.begin(), base.end(), line) == base.end()) changed.push_back(line);
  }
  return changed;
}

TEST(ConfigOptions, EveryKeyIsParsableFromFileAndEnvironment) {
  std::set<std::string> env_names;
  for (const OptionInfo& option : service_options()) {
    std::string name = std::string(option.section) + "." + std::string(option.key);
    SCOPED_TRACE(name);
    auto sample = kSamples.find(name);
    ASSERT_NE(sample, kSamples.end()) << "add a sample value for " << name;
    EXPECT_TRUE(env_names.insert(option.env).second) << "duplicate env name " << option.env;

    // From a file: exactly this option's line of the dump changes.
    ServiceConfig from_file;
    std::string toml = "[" + std::string(option.section) + "]\n" + std::string(option.key) + " = " +
                       sample->second.toml + "\n";
    Status status = apply_config_toml(toml, "t.toml", {}, from_file);
    ASSERT_TRUE(status.ok()) << status.error().to_string();
    std::vector<std::string> changed = changed_lines(from_file);
    ASSERT_EQ(changed.size(), 1u) << toml;
    EXPECT_NE(changed[0].find(std::string(option.key) + " = "), std::string::npos) << changed[0];

    // From the environment: the same value.
    Result<ServiceConfig> from_env =
        load_service_config(ServiceFlags{}, lookup({{option.env, sample->second.env}}));
    ASSERT_TRUE(from_env.ok()) << from_env.error().to_string();
    if (name != "store.data_dir") from_env->data_dir.clear();  // filled from HOME otherwise
    EXPECT_EQ(service_config_toml(*from_env), service_config_toml(from_file));
  }
  EXPECT_EQ(kSamples.size(), service_options().size());
  EXPECT_TRUE(env_names.count("RIPTIDE_SERVER_PORT"));
  EXPECT_TRUE(env_names.count("RIPTIDE_FETCH_ALLOW_PRIVATE_NETWORKS"));
  EXPECT_TRUE(env_names.count("RIPTIDE_DATA_DIR"));
  EXPECT_TRUE(env_names.count("RIPTIDE_LOG_LEVEL"));
}

TEST(ConfigOptions, DumpReadsBackToTheSameConfiguration) {
  ServiceConfig config;
  config.server.port = 1234;
  config.server.cors_origins = {"https://a.example", "with \"quotes\""};
  config.fetch.user_agent = "agent \\ with \u00e9";
  config.sandbox.breaker.window = milliseconds(4321);
  config.server.cache_max_age = seconds(77);
  config.data_dir = "/var/lib/riptide";
  std::string dumped = service_config_toml(config);
  ServiceConfig read;
  Status status = apply_config_toml(dumped, "dump.toml", {}, read);
  ASSERT_TRUE(status.ok()) << status.error().to_string() << "\n" << dumped;
  EXPECT_EQ(service_config_toml(read), dumped);
  EXPECT_EQ(read.server.cors_origins, config.server.cors_origins);
  EXPECT_EQ(read.sandbox.breaker.window, milliseconds(4321));
  // The defaults' dump (what docs/operations.md shows as a starting file) reads back too.
  ServiceConfig defaults;
  ASSERT_TRUE(apply_config_toml(service_config_toml(ServiceConfig{}), "d.toml", {}, defaults).ok());
  EXPECT_TRUE(defaults.data_dir.empty());
}

// The default of section.key as the defaults' TOML dump shows it, quotes removed.
std::string default_value(const std::string& section, const std::string& key) {
  std::istringstream in(service_config_toml(ServiceConfig{}));
  std::string current;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("[", 0) == 0) current = line.substr(1, line.size() - 2);
    if (current != section || line.rfind(key + " = ", 0) != 0) continue;
    std::string value = line.substr(key.size() + 3);
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"')) {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "<missing>";
}

// docs/operations.md documents every option: its key and its environment variable.
TEST(ConfigOptions, OperationsGuideListsEveryOption) {
  std::ifstream in(fs::path(RIPTIDE_SOURCE_DIR) / "docs" / "operations.md");
  ASSERT_TRUE(in) << "docs/operations.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  for (const OptionInfo& option : service_options()) {
    std::string section = "### `[" + std::string(option.section) + "]`";
    size_t at = doc.find(section);
    ASSERT_NE(at, std::string::npos) << section;
    // The row lives in its section's table: between this heading and the next one.
    std::string rows = doc.substr(at, doc.find("\n### ", at + 1) - at);
    std::string row = "| `" + std::string(option.key) + "` | `" + option.env + "` |";
    size_t row_at = rows.find(row);
    ASSERT_NE(row_at, std::string::npos) << "no row " << row;
    if (option.key == "data_dir") continue;  // computed from the environment
    // Columns: key | environment | flag | default | meaning. The default cell starts with the
    // value the code has (as the defaults' TOML dump prints it, without quotes).
    std::string line = rows.substr(row_at, rows.find('\n', row_at) - row_at);
    size_t cell = 0;
    for (int bars = 0; bars < 3 && cell != std::string::npos; ++bars) {
      cell = line.find('|', cell + 1);
    }
    ASSERT_NE(cell, std::string::npos) << line;
    std::string shown = line.substr(cell + 1);
    shown.erase(0, shown.find_first_not_of(" `"));
    std::string expected = default_value(std::string(option.section), std::string(option.key));
    EXPECT_EQ(shown.rfind(expected, 0), 0u)
        << option.section << "." << option.key << ": documented '" << shown << "', code has '"
        << expected << "'";
  }
}

}  // namespace
}  // namespace riptide::cli
