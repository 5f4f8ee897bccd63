// `riptide keys create|list|revoke`: manage the API keys of a riptide service in its data
// directory (docs/api.md "Authentication"). The same store file `riptide serve` uses; SQLite's
// locking lets both run at once, and a running server sees a revocation within kKeyCacheTtl.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "server/config.h"
#include "store/api_key_json.h"
#include "store/api_keys.h"
#include "store/sqlite_store.h"

namespace riptide::cli {
namespace {

struct KeysOptions {
  std::optional<std::string> config_path;
  std::optional<std::string> data_dir;
  bool json = false;
  // create
  std::string name;
  bool admin = false;
  uint32_t rate_per_minute = 0;
  uint32_t burst = 0;
  uint32_t concurrency = 0;
  // revoke
  std::string id_or_prefix;
};

void print_error(const char* command, const Error& error) {
  std::fprintf(stderr, "riptide keys %s: %s\n", command, error.to_string().c_str());
}

// The store `riptide serve` would open with the same --config / --data-dir / environment: the
// data directory comes from the shared loader (cli/config_file.h), so both always agree.
Result<std::unique_ptr<store::SqliteStore>> open_store(const KeysOptions& options) {
  ServiceFlags flags;
  flags.config_path = options.config_path;
  flags.data_dir = options.data_dir;
  Result<ServiceConfig> config = load_service_config(flags);
  if (!config) return config.error();
  store::SqliteStoreOptions store_options;
  store_options.cache_max_bytes = config->server.cache_max_bytes;
  return store::SqliteStore::open(config->data_dir, store_options);
}

void print_json(const nlohmann::ordered_json& value) {
  // Names are validated UTF-8 on creation; replace rather than throw on anything older.
  std::string text = value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::printf("%s\n", text.c_str());
}

int run_create(const KeysOptions& options) {
  auto opened = open_store(options);
  if (!opened) {
    print_error("create", opened.error());
    return 1;
  }
  store::KeyLimits limits{options.rate_per_minute, options.burst, options.concurrency};
  Result<store::CreatedKey> created =
      store::create_api_key(**opened, options.name, options.admin, limits);
  if (!created) {
    print_error("create", created.error());
    return 1;
  }
  if (options.json) {
    nlohmann::ordered_json out;
    out["key"] = created->key;
    out.update(store::api_key_to_json(created->record));
    print_json(out);
  } else {
    std::printf("%s\n", created->key.c_str());
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "created API key %s (%s%s). This is the only time the key is shown: riptide "
               "stores its SHA-256, not the key.\n",
               created->record.id.c_str(), created->record.name.c_str(),
               options.admin ? ", admin" : "");
  return 0;
}

// Pads `text` to `width` display columns (names are UTF-8: count code points, not bytes).
void print_cell(const std::string& text, size_t width) {
  size_t columns = 0;
  for (char c : text) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  std::printf("%s%*s", text.c_str(), static_cast<int>(width - std::min(width, columns) + 2), "");
}

int run_list(const KeysOptions& options) {
  auto opened = open_store(options);
  if (!opened) {
    print_error("list", opened.error());
    return 1;
  }
  store::SqliteStore& db = **opened;
  Result<std::vector<store::ApiKeyRecord>> keys = db.list_keys();
  if (!keys) {
    print_error("list", keys.error());
    return 1;
  }
  std::vector<store::Usage> usages;
  for (const store::ApiKeyRecord& key : *keys) {
    Result<store::Usage> usage = db.usage(key.id);
    if (!usage) {
      print_error("list", usage.error());
      return 1;
    }
    usages.push_back(*usage);
  }

  if (options.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (size_t i = 0; i < keys->size(); ++i) {
      nlohmann::ordered_json key = store::api_key_to_json((*keys)[i]);
      key["usage"] = store::usage_to_json(usages[i]);
      out.push_back(std::move(key));
    }
    print_json(out);
    return 0;
  }

  std::vector<std::vector<std::string>> rows;
  rows.push_back(
      {"ID", "NAME", "PREFIX", "ADMIN", "CREATED", "LAST USED", "REVOKED", "REQUESTS", "PAGES"});
  for (size_t i = 0; i < keys->size(); ++i) {
    const store::ApiKeyRecord& key = (*keys)[i];
    rows.push_back({key.id, key.name, key.prefix, key.admin ? "yes" : "no",
                    store::format_time_utc(key.created_at),
                    key.last_used_at ? store::format_time_utc(*key.last_used_at) : "never",
                    key.revoked_at ? store::format_time_utc(*key.revoked_at) : "-",
                    std::to_string(usages[i].requests), std::to_string(usages[i].pages)});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < row.size(); ++c) print_cell(row[c], widths[c]);
    std::printf("%s\n", row.back().c_str());
  }
  return 0;
}

int run_revoke(const KeysOptions& options) {
  auto opened = open_store(options);
  if (!opened) {
    print_error("revoke", opened.error());
    return 1;
  }
  if (Status s = (*opened)->revoke_key(options.id_or_prefix); !s) {
    print_error("revoke", s.error());
    return 1;
  }
  std::printf("revoked %s\n", options.id_or_prefix.c_str());
  return 0;
}

// The two service flags that locate the store, with serve's names and meaning.
void add_data_dir_option(CLI::App* cmd, KeysOptions& options) {
  cmd->add_option("--config", options.config_path,
                  "TOML configuration file (default: $RIPTIDE_CONFIG, else none); only its "
                  "data directory is used");
  cmd->add_option("--data-dir", options.data_dir,
                  "The service's data directory (default: $RIPTIDE_DATA_DIR, the config file's "
                  "store.data_dir, else $XDG_STATE_HOME/riptide or ~/.local/state/riptide)");
}

}  // namespace

void register_keys(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<KeysOptions>();
  auto* keys = app.add_subcommand("keys", "Create, list and revoke API keys of the service");
  keys->require_subcommand(1);

  auto* create = keys->add_subcommand(
      "create", "Create an API key; prints the key once on stdout (only its hash is stored)");
  create->add_option("--name", options->name, "What the key is for (shown by list)")->required();
  create->add_flag("--admin", options->admin, "The key may create keys over the API");
  create
      ->add_option("--rate-per-minute", options->rate_per_minute,
                   "Requests per minute (default: the server's, " +
                       std::to_string(server::kDefaultRatePerMinute) + ")")
      ->check(CLI::Range(1u, UINT32_MAX));
  create
      ->add_option("--burst", options->burst,
                   "Requests allowed at once before the rate applies (default: the server's, " +
                       std::to_string(server::kDefaultBurst) + ")")
      ->check(CLI::Range(1u, UINT32_MAX));
  create
      ->add_option("--concurrency", options->concurrency,
                   "Requests in flight at once (default: the server's, " +
                       std::to_string(server::kDefaultKeyConcurrency) + ")")
      ->check(CLI::Range(1u, UINT32_MAX));
  create->add_flag("--json", options->json, "Print the key and its record as one JSON object");
  add_data_dir_option(create, *options);
  create->callback([options, &exit_code] { exit_code = run_create(*options); });

  auto* list = keys->add_subcommand("list", "List the API keys (never the keys themselves)");
  list->add_flag("--json", options->json, "Print a JSON array, usage counters included");
  add_data_dir_option(list, *options);
  list->callback([options, &exit_code] { exit_code = run_list(*options); });

  auto* revoke = keys->add_subcommand("revoke", "Revoke an API key (it is kept, marked revoked)");
  revoke->add_option("id_or_prefix", options->id_or_prefix, "The key's id or its shown prefix")
      ->required();
  add_data_dir_option(revoke, *options);
  revoke->callback([options, &exit_code] { exit_code = run_revoke(*options); });
}

}  // namespace riptide::cli
