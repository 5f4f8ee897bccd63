#include "cli/config_file.h"

#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>
#include <variant>

namespace riptide::cli {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Where an option's value lives in ServiceConfig. The alternative decides how the value is
// parsed (bool, integer, string, list) and converted (durations from their unit).
using Field =
    std::variant<bool& (*)(ServiceConfig&), uint16_t& (*)(ServiceConfig&),
                 uint32_t& (*)(ServiceConfig&), uint64_t& (*)(ServiceConfig&),
                 milliseconds& (*)(ServiceConfig&), seconds& (*)(ServiceConfig&),
                 std::string& (*)(ServiceConfig&), std::vector<std::string>& (*)(ServiceConfig&),
                 std::filesystem::path& (*)(ServiceConfig&)>;

struct Spec {
  std::string_view section;
  std::string_view key;  // durations carry their unit: _ms (milliseconds) or _s (seconds)
  int64_t min;           // integer range, inclusive; unused for other kinds
  int64_t max;
  Field field;
  std::string_view env = {};  // when not RIPTIDE_<SECTION>_<KEY>
};

constexpr int64_t kU16 = UINT16_MAX;
constexpr int64_t kU32 = UINT32_MAX;
constexpr int64_t kI64 = INT64_MAX;

// Every option (docs/operations.md lists them with their defaults and meaning). Keys are the
// struct members' names; the sandbox's nested instance/pool/breaker members are flattened into
// [sandbox] (their names do not collide; the breaker's `window` is `failure_window_ms`).
// Minimums exclude values that would break the service (no I/O thread, a zero timeout).
const Spec kSpecs[] = {
    // [server]
    {"server", "host", 0, 0, +[](ServiceConfig& c) -> std::string& { return c.server.host; }},
    {"server", "port", 0, kU16, +[](ServiceConfig& c) -> uint16_t& { return c.server.port; }},
    {"server", "io_threads", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.io_threads; }},
    {"server", "worker_threads", 0, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.worker_threads; }},
    {"server", "worker_queue", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.worker_queue; }},
    {"server", "fetch_threads", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.fetch_threads; }},
    {"server", "fetch_queue", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.fetch_queue; }},
    {"server", "max_connections", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.max_connections; }},
    {"server", "max_header_bytes", 1024, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.server.max_header_bytes; }},
    {"server", "max_body_bytes", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.server.max_body_bytes; }},
    {"server", "read_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.server.read_timeout; }},
    {"server", "idle_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.server.idle_timeout; }},
    {"server", "write_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.server.write_timeout; }},
    {"server", "shutdown_grace_ms", 0, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.server.shutdown_grace; }},
    {"server", "retry_after_seconds", 0, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.retry_after_seconds; }},
    {"server", "auth_required", 0, 0,
     +[](ServiceConfig& c) -> bool& { return c.server.auth_required; }},
    {"server", "rate_per_minute", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.rate_per_minute; }},
    {"server", "burst", 1, kU32, +[](ServiceConfig& c) -> uint32_t& { return c.server.burst; }},
    {"server", "key_concurrency", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.key_concurrency; }},
    {"server", "cors_origins", 0, 0,
     +[](ServiceConfig& c) -> std::vector<std::string>& { return c.server.cors_origins; }},
    {"server", "max_batch_items", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.max_batch_items; }},
    {"server", "default_batch_concurrency", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.default_batch_concurrency; }},
    {"server", "max_batch_concurrency", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.server.max_batch_concurrency; }},
    {"server", "stream_buffer_bytes", 1024, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.server.stream_buffer_bytes; }},
    {"server", "access_log", 0, 0, +[](ServiceConfig& c) -> bool& { return c.server.access_log; }},
    // [fetch]
    {"fetch", "connect_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.fetch.connect_timeout; }},
    {"fetch", "total_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.fetch.total_timeout; }},
    // Lowering the redirect limit is allowed, raising it beyond the documented maximum is not.
    {"fetch", "max_redirects", 0, fetch::kMaxRedirects,
     +[](ServiceConfig& c) -> uint32_t& { return c.fetch.max_redirects; }},
    {"fetch", "max_body_bytes", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.fetch.max_body_bytes; }},
    {"fetch", "max_wire_bytes", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.fetch.max_wire_bytes; }},
    {"fetch", "user_agent", 0, 0,
     +[](ServiceConfig& c) -> std::string& { return c.fetch.user_agent; }},
    {"fetch", "allow_private_networks", 0, 0,
     +[](ServiceConfig& c) -> bool& { return c.fetch.allow_private_networks; }},
    {"fetch", "allow_cidrs", 0, 0,
     +[](ServiceConfig& c) -> std::vector<std::string>& { return c.fetch.allow_cidrs; }},
    // [sandbox]
    {"sandbox", "memory_bytes", static_cast<int64_t>(sandbox::kWasmPageBytes), kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.sandbox.instance.memory_bytes; }},
    {"sandbox", "timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.sandbox.instance.timeout; }},
    {"sandbox", "max_input_bytes", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.sandbox.instance.max_input_bytes; }},
    {"sandbox", "max_output_bytes", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.sandbox.instance.max_output_bytes; }},
    {"sandbox", "initial_pool_size", 0, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.sandbox.pool.initial_pool_size; }},
    {"sandbox", "max_pool_size", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.sandbox.pool.max_pool_size; }},
    {"sandbox", "max_uses_per_instance", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.sandbox.pool.max_uses_per_instance; }},
    {"sandbox", "recycle_memory_bytes", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.sandbox.pool.recycle_memory_bytes; }},
    {"sandbox", "acquire_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.sandbox.pool.acquire_timeout; }},
    {"sandbox", "reservation_cache", 0, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.sandbox.pool.reservation_cache; }},
    {"sandbox", "failure_threshold", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.sandbox.breaker.failure_threshold; }},
    {"sandbox", "failure_window_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.sandbox.breaker.window; }},
    {"sandbox", "recovery_timeout_ms", 1, kI64,
     +[](ServiceConfig& c) -> milliseconds& { return c.sandbox.breaker.recovery_timeout; }},
    {"sandbox", "half_open_max_requests", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.sandbox.breaker.half_open_max_requests; }},
    {"sandbox", "success_threshold", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.sandbox.breaker.success_threshold; }},
    {"sandbox", "fallback_enabled", 0, 0,
     +[](ServiceConfig& c) -> bool& { return c.sandbox.fallback_enabled; }},
    // [crawl]
    {"crawl", "max_running", 1, kU32,
     +[](ServiceConfig& c) -> uint32_t& { return c.crawl.max_running; }},
    {"crawl", "max_pages", 1, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.crawl.max_pages_cap; }},
    // [store]
    {"store", "data_dir", 0, 0,
     +[](ServiceConfig& c) -> std::filesystem::path& { return c.data_dir; }, "RIPTIDE_DATA_DIR"},
    {"store", "cache_max_age_s", 0, kI64,
     +[](ServiceConfig& c) -> seconds& { return c.server.cache_max_age; }},
    {"store", "cache_max_bytes", 0, kI64,
     +[](ServiceConfig& c) -> uint64_t& { return c.server.cache_max_bytes; }},
    // [log]
    {"log", "level", 0, 0, +[](ServiceConfig& c) -> std::string& { return c.log_level; }},
};

// Levenshtein distance (insertions, deletions, substitutions), for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Edits within which an unknown name is taken for a typo of a known one.
constexpr size_t kMaxTypoEdits = 2;

// " (did you mean 'port'?)" for the closest candidate within kMaxTypoEdits, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = kMaxTypoEdits + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best != nullptr ? " (did you mean '" + *best + "'?)" : std::string();
}

std::vector<std::string> keys_of(std::string_view section) {
  std::vector<std::string> keys;
  for (const Spec& spec : kSpecs) {
    if (spec.section == section) keys.emplace_back(spec.key);
  }
  return keys;
}

const std::vector<std::string> kSections = {"server", "fetch", "sandbox", "crawl", "store", "log"};

const Spec* find_spec(std::string_view section, std::string_view key) {
  for (const Spec& spec : kSpecs) {
    if (spec.section == section && spec.key == key) return &spec;
  }
  return nullptr;
}

bool has_section(std::string_view section) {
  return std::any_of(std::begin(kSpecs), std::end(kSpecs),
                     [&](const Spec& spec) { return spec.section == section; });
}

OptionKind kind_of(const Spec& spec) {
  return std::visit(
      [](auto field) {
        using T = std::remove_reference_t<decltype(field(std::declval<ServiceConfig&>()))>;
        if constexpr (std::is_same_v<T, bool>) {
          return OptionKind::kBool;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          return OptionKind::kStringList;
        } else if constexpr (std::is_same_v<T, std::string> ||
                             std::is_same_v<T, std::filesystem::path>) {
          return OptionKind::kString;
        } else {
          return OptionKind::kInteger;
        }
      },
      spec.field);
}

std::string env_name(const Spec& spec) {
  if (!spec.env.empty()) return std::string(spec.env);
  std::string name = "RIPTIDE_";
  name += spec.section;
  name += '_';
  name += spec.key;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return name;
}

std::string dotted(const Spec& spec) {
  return std::string(spec.section) + "." + std::string(spec.key);
}

// A value read from the file, the environment or a flag, before it is stored.
using Value = std::variant<bool, int64_t, std::string, std::vector<std::string>>;

Error bad_value(std::string_view where, std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::string(where) + ": " + message);
}

// Stores `value` (of the kind the field expects) after the range check. Relative paths are
// resolved against `base_dir` (the config file's directory) when it is not empty.
Status store_value(const Spec& spec, Value value, std::string_view where,
                   const std::filesystem::path& base_dir, ServiceConfig& config) {
  if (const int64_t* number = std::get_if<int64_t>(&value)) {
    if (*number < spec.min || *number > spec.max) {
      return bad_value(where, dotted(spec) + " must be between " + std::to_string(spec.min) +
                                  " and " + std::to_string(spec.max) + ", got " +
                                  std::to_string(*number));
    }
  }
  std::visit(
      [&](auto field) {
        auto& target = field(config);
        using T = std::remove_reference_t<decltype(target)>;
        if constexpr (std::is_same_v<T, bool>) {
          target = std::get<bool>(value);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          target = std::get<std::vector<std::string>>(std::move(value));
        } else if constexpr (std::is_same_v<T, std::string>) {
          target = std::get<std::string>(std::move(value));
        } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
          // Empty means "not set" (the default directory), never "the file's directory".
          std::filesystem::path path(std::get<std::string>(std::move(value)));
          target =
              path.is_relative() && !path.empty() && !base_dir.empty() ? base_dir / path : path;
        } else if constexpr (std::is_same_v<T, milliseconds> || std::is_same_v<T, seconds>) {
          target = T(std::get<int64_t>(value));
        } else {
          target = static_cast<T>(std::get<int64_t>(value));
        }
      },
      spec.field);
  return Status::ok_status();
}

// Environment variables and flags arrive as text.
Result<Value> parse_text(const Spec& spec, std::string_view text, std::string_view where) {
  switch (kind_of(spec)) {
    case OptionKind::kBool: {
      std::string lower(text);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return Value(true);
      if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
        return Value(false);
      }
      return bad_value(where,
                       dotted(spec) + " expects true or false, got '" + std::string(text) + "'");
    }
    case OptionKind::kInteger: {
      int64_t number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return bad_value(where,
                         dotted(spec) + " expects an integer, got '" + std::string(text) + "'");
      }
      return Value(number);
    }
    case OptionKind::kString:
      return Value(std::string(text));
    case OptionKind::kStringList: {
      // Comma-separated; blanks around entries are dropped, empty entries skipped.
      std::vector<std::string> items;
      size_t start = 0;
      while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view item = text.substr(start, comma - start);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
          item.remove_prefix(1);
        }
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
          item.remove_suffix(1);
        }
        if (!item.empty()) items.emplace_back(item);
        start = comma + 1;
      }
      return Value(std::move(items));
    }
  }
  return Error(ErrorCode::kInternal, "unknown option kind");
}

std::string_view toml_type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string_view kind_name(OptionKind kind) {
  switch (kind) {
    case OptionKind::kBool:
      return "a boolean (true or false)";
    case OptionKind::kInteger:
      return "an integer";
    case OptionKind::kString:
      return "a string";
    case OptionKind::kStringList:
      return "an array of strings";
  }
  return "?";
}

// "riptide.toml:4:8"
std::string toml_where(std::string_view source, const toml::source_region& region) {
  return std::string(source) + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

Result<Value> parse_toml_node(const Spec& spec, const toml::node& node, std::string_view source,
                              std::string_view where) {
  OptionKind kind = kind_of(spec);
  auto wrong_type = [&]() {
    return bad_value(where, dotted(spec) + " expects " + std::string(kind_name(kind)) + ", got " +
                                std::string(toml_type_name(node.type())));
  };
  switch (kind) {
    case OptionKind::kBool:
      if (const auto* value = node.as_boolean()) return Value(value->get());
      return wrong_type();
    case OptionKind::kInteger:
      if (const auto* value = node.as_integer()) return Value(value->get());
      return wrong_type();
    case OptionKind::kString:
      if (const auto* value = node.as_string()) return Value(value->get());
      return wrong_type();
    case OptionKind::kStringList: {
      const auto* array = node.as_array();
      if (array == nullptr) return wrong_type();
      std::vector<std::string> items;
      for (const toml::node& item : *array) {
        const auto* text = item.as_string();
        if (text == nullptr) {
          return bad_value(toml_where(source, item.source()),
                           dotted(spec) + " expects an array of strings, found " +
                               std::string(toml_type_name(item.type())) + " in it");
        }
        items.push_back(text->get());
      }
      return Value(std::move(items));
    }
  }
  return Error(ErrorCode::kInternal, "unknown option kind");
}

Result<std::string> read_config_file(const std::filesystem::path& path) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Error(ErrorCode::kIo, "config file " + path.string() + ": " + ec.message());
  if (size > kMaxConfigFileBytes) {
    return Error(ErrorCode::kInvalidArgument, "config file " + path.string() + " is larger than " +
                                                  std::to_string(kMaxConfigFileBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Error(ErrorCode::kIo, "config file " + path.string() + ": cannot be read");
  return text.str();
}

// Strings handed to the flags' callbacks; the optionals say "given" even for an empty value.
void add_text_flag(CLI::App& app, std::string name, std::optional<std::string>& target,
                   std::string help) {
  app.add_option_function<std::string>(
      std::move(name), [&target](const std::string& value) { target = value; }, std::move(help));
}

}  // namespace

void add_service_flags(CLI::App& app, ServiceFlags& flags) {
  add_text_flag(app, "--config", flags.config_path,
                "TOML configuration file (default: $RIPTIDE_CONFIG, else none)");
  add_text_flag(app, "--data-dir", flags.data_dir,
                "Directory for riptide.db (default: $XDG_STATE_HOME/riptide or "
                "~/.local/state/riptide)");
  add_text_flag(app, "--host", flags.host,
                std::string("Address to listen on (default ") + server::kDefaultHost + ")");
  add_text_flag(app, "--port", flags.port,
                "Port to listen on, 0 = any free port (default " +
                    std::to_string(server::kDefaultPort) + ")");
  add_text_flag(app, "--log-level", flags.log_level,
                "trace, debug, info, warn, error, critical or off (default info)");
  add_text_flag(app, "--workers", flags.workers,
                "Extraction threads, 0 = one per hardware thread (default 0)");
  add_text_flag(app, "--io-threads", flags.io_threads,
                "HTTP I/O threads (default " + std::to_string(server::kDefaultIoThreads) + ")");
  app.add_flag("--no-auth", flags.no_auth,
               "Serve without API keys (local use only; logged as a warning)");
  app.add_flag("--allow-private-networks", flags.allow_private_networks,
               "Let the fetcher reach loopback, private and link-local addresses (SSRF guard off)");
  app.add_option("--allow-cidr", flags.allow_cidrs,
                 "Address block the fetcher may reach despite the SSRF guard (repeatable; "
                 "replaces fetch.allow_cidrs from the file or environment)");
}

Status apply_config_toml(std::string_view toml_text, std::string_view source,
                         const std::filesystem::path& base_dir, ServiceConfig& config) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    return bad_value(toml_where(source, error.source()), std::string(error.description()));
  }
  for (auto&& [section_key, section_node] : root) {
    std::string_view section = section_key.str();
    const toml::table* table = section_node.as_table();
    if (table == nullptr || !has_section(section)) {
      std::string what = table == nullptr ? "unknown top-level key '" : "unknown section '";
      std::string hint = table == nullptr ? std::string() : did_you_mean(section, kSections);
      if (hint.empty()) hint = " (sections: server, fetch, sandbox, crawl, store, log)";
      return bad_value(toml_where(source, section_key.source()),
                       what + std::string(section) + "'" + hint);
    }
    for (auto&& [key, node] : *table) {
      const Spec* spec = find_spec(section, key.str());
      std::string where = toml_where(source, key.source());
      if (spec == nullptr) {
        std::string hint = did_you_mean(key.str(), keys_of(section));
        for (const char* unit : {"_ms", "_s"}) {
          std::string with_unit = std::string(key.str()) + unit;
          if (find_spec(section, with_unit) != nullptr) {
            hint = " (durations carry their unit: '" + with_unit + "')";
          }
        }
        return bad_value(where, "unknown key '" + std::string(section) + "." +
                                    std::string(key.str()) + "'" + hint);
      }
      Result<Value> value = parse_toml_node(*spec, node, source, where);
      if (!value) return value.error();
      if (Status s = store_value(*spec, std::move(*value), where, base_dir, config); !s) return s;
    }
  }
  return Status::ok_status();
}

Status validate_service_config(const ServiceConfig& config) {
  auto invalid = [](std::string message) {
    return Error(ErrorCode::kInvalidArgument, "invalid configuration: " + std::move(message));
  };
  if (config.server.host.empty()) return invalid("server.host is empty");
  if (config.fetch.user_agent.empty()) return invalid("fetch.user_agent is empty");
  if (std::find(std::begin(kLogLevels), std::end(kLogLevels), config.log_level) ==
      std::end(kLogLevels)) {
    return invalid("log.level '" + config.log_level +
                   "' is not one of trace, debug, info, warn, error, critical, off");
  }
  if (config.server.default_batch_concurrency > config.server.max_batch_concurrency) {
    return invalid("server.default_batch_concurrency (" +
                   std::to_string(config.server.default_batch_concurrency) +
                   ") exceeds server.max_batch_concurrency (" +
                   std::to_string(config.server.max_batch_concurrency) + ")");
  }
  if (config.sandbox.pool.initial_pool_size > config.sandbox.pool.max_pool_size) {
    return invalid("sandbox.initial_pool_size (" +
                   std::to_string(config.sandbox.pool.initial_pool_size) +
                   ") exceeds sandbox.max_pool_size (" +
                   std::to_string(config.sandbox.pool.max_pool_size) + ")");
  }
  if (Status s = config.fetch.validate(); !s) return invalid(s.error().message());
  return Status::ok_status();
}

Environment process_environment() {
  return Environment{store::process_env, [] {
                       std::vector<std::string> names;
                       for (char** entry = environ; entry != nullptr && *entry != nullptr;
                            ++entry) {
                         std::string_view text(*entry);
                         names.emplace_back(text.substr(0, text.find('=')));
                       }
                       return names;
                     }};
}

// A RIPTIDE_* variable that is neither an option nor one of kOtherRiptideVariables is a typo.
Status check_unknown_variables(const Environment& env) {
  if (!env.names) return Status::ok_status();
  std::vector<std::string> known;
  for (const Spec& spec : kSpecs) known.push_back(env_name(spec));
  for (const std::string& name : env.names()) {
    if (name.rfind("RIPTIDE_", 0) != 0) continue;
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (std::find(std::begin(kOtherRiptideVariables), std::end(kOtherRiptideVariables), name) !=
        std::end(kOtherRiptideVariables)) {
      continue;
    }
    return bad_value(name, "unknown environment variable" + did_you_mean(name, known) +
                               "; the options' variables are listed in docs/operations.md");
  }
  return Status::ok_status();
}

Result<ServiceConfig> load_service_config(const ServiceFlags& flags,
                                          const Environment& environment) {
  const store::EnvLookup& env = environment.get;
  if (Status s = check_unknown_variables(environment); !s) return s.error();
  ServiceConfig config;

  // File layer.
  std::optional<std::string> config_path = flags.config_path;
  if (!config_path) {
    config_path = env("RIPTIDE_CONFIG");
    if (config_path && config_path->empty()) config_path.reset();
  }
  if (config_path) {
    std::filesystem::path path(*config_path);
    Result<std::string> text = read_config_file(path);
    if (!text) return text.error();
    if (Status s = apply_config_toml(*text, path.string(), path.parent_path(), config); !s) {
      return s.error();
    }
  }

  // Environment layer: relative paths are the process's business (its working directory).
  for (const Spec& spec : kSpecs) {
    std::string name = env_name(spec);
    std::optional<std::string> text = env(name);
    if (!text) continue;
    Result<Value> value = parse_text(spec, *text, name);
    if (!value) return value.error();
    if (Status s = store_value(spec, std::move(*value), name, {}, config); !s) return s.error();
  }

  // Flag layer.
  struct TextFlag {
    const std::optional<std::string>& value;
    const char* flag;
    std::string_view section;
    std::string_view key;
  };
  const TextFlag text_flags[] = {
      {flags.data_dir, "--data-dir", "store", "data_dir"},
      {flags.host, "--host", "server", "host"},
      {flags.port, "--port", "server", "port"},
      {flags.log_level, "--log-level", "log", "level"},
      {flags.workers, "--workers", "server", "worker_threads"},
      {flags.io_threads, "--io-threads", "server", "io_threads"},
  };
  for (const TextFlag& flag : text_flags) {
    if (!flag.value) continue;
    const Spec& spec = *find_spec(flag.section, flag.key);
    Result<Value> value = parse_text(spec, *flag.value, flag.flag);
    if (!value) return value.error();
    if (Status s = store_value(spec, std::move(*value), flag.flag, {}, config); !s) {
      return s.error();
    }
  }
  if (flags.no_auth) config.server.auth_required = false;
  if (flags.allow_private_networks) config.fetch.allow_private_networks = true;
  if (!flags.allow_cidrs.empty()) config.fetch.allow_cidrs = flags.allow_cidrs;

  if (config.data_dir.empty()) config.data_dir = store::default_data_dir(env);
  if (Status s = validate_service_config(config); !s) return s.error();
  return config;
}

std::string service_config_toml(const ServiceConfig& config) {
  // The field accessors take a mutable config; they only read here.
  ServiceConfig copy = config;
  toml::table root;
  for (const Spec& spec : kSpecs) {
    toml::table* section = root[spec.section].as_table();
    if (section == nullptr) {
      section = root.insert_or_assign(spec.section, toml::table{}).first->second.as_table();
    }
    std::visit(
        [&](auto field) {
          const auto& value = field(copy);
          using T = std::remove_cvref_t<decltype(value)>;
          if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
            section->insert_or_assign(spec.key, value);
          } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
            section->insert_or_assign(spec.key, value.string());
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            toml::array items;
            for (const std::string& item : value) items.push_back(item);
            section->insert_or_assign(spec.key, std::move(items));
          } else if constexpr (std::is_same_v<T, milliseconds> || std::is_same_v<T, seconds>) {
            section->insert_or_assign(spec.key, static_cast<int64_t>(value.count()));
          } else {
            // Every range tops out at INT64_MAX, so stored values fit.
            section->insert_or_assign(spec.key, static_cast<int64_t>(value));
          }
        },
        spec.field);
  }
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

std::vector<OptionInfo> service_options() {
  std::vector<OptionInfo> options;
  for (const Spec& spec : kSpecs) {
    options.push_back(
        OptionInfo{spec.section, spec.key, env_name(spec), kind_of(spec), spec.min, spec.max});
  }
  return options;
}

}  // namespace riptide::cli
