// `riptide extract [FILE|-]... [--url URL] [--mode article|full|metadata|custom] [--selector S]...
// [--format json|markdown|text|jsonl] [--engine wasm|native] [--allow-private-networks]`: decode,
// parse and extract pages (src/extract/extractor.h), by default inside the WebAssembly sandbox
// (src/sandbox/engine.h); `--engine native` runs the same code natively. Both print the same
// output except stats.time_ms and stats.memory_pages (guest memory; 0 natively).
// With a file, --url is only the page's URL (the base for links). With --url and no file the page
// is fetched (src/fetch/fetcher.h: SSRF guard on unless --allow-private-networks, redirects,
// decompression, charset to UTF-8) and its final URL is the base; a non-2xx status is an error
// (fetch_failed), as are the fetcher's own (blocked_address, unsupported_content_type, timeout).
// One file (or standard input) prints one record; `--format jsonl FILE...` prints one JSON line
// per file, each with its file name and stats, or {"file", "error": {code, message}} for a file
// that fails (the others are still processed and the exit code becomes 1).
// Exit codes: 0 success, 1 a file could not be read or extracted, 2 invalid arguments (unknown
// mode "unsupported_mode", invalid selector, several files without jsonl).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/extract_json.h"
#include "cli/extraction_flags.h"
#include "cli/io.h"
#include "core/strings.h"
#include "extract/extractor.h"
#include "fetch/charset.h"
#include "fetch/fetcher.h"
#include "pipeline/extract_page.h"
#include "pipeline/record_json.h"
#include "sandbox/engine.h"

namespace riptide::cli {

Result<extract::Record> extract_bytes(extract::Extractor& extractor, std::string_view bytes,
                                      const extract::Options& options) {
  Result<std::string> utf8 = fetch::decode_html(bytes);
  if (!utf8.ok()) return utf8.error();
  return pipeline::extract_page(extractor, *utf8, options);
}

Result<extract::Record> extract_bytes(sandbox::Engine& engine, sandbox::EngineKind kind,
                                      std::string_view bytes, const extract::Options& options) {
  Result<std::string> utf8 = fetch::decode_html(bytes);
  if (!utf8.ok()) return utf8.error();
  return pipeline::extract_page(engine, kind, *utf8, options);
}

std::unique_ptr<sandbox::Engine> make_cli_engine() {
  // One command, one thread: a single instance, made on first use rather than pre-warmed.
  sandbox::SandboxConfig config;
  config.pool.initial_pool_size = 0;
  config.pool.max_pool_size = 1;
  return sandbox::Engine::create(config);
}

namespace {

struct ExtractArgs {
  std::vector<std::string> files;
  std::string url;
  ExtractionFlags extraction;  // --mode, --selector, --engine
  std::string format = "json";
  bool allow_private_networks = false;

  // --url without a file: fetch the page instead of reading standard input.
  bool fetching() const { return files.empty() && !url.empty(); }
};

// Strings are valid UTF-8 by construction, but a file name echoed back may not be; replace
// rather than throw.
std::string dump(const nlohmann::ordered_json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

// Fetches args.url and extracts it with the final URL (after redirects) as the page's URL.
Result<extract::Record> fetch_and_extract(const ExtractArgs& args, extract::Options options,
                                          sandbox::Engine& engine) {
  fetch::FetchConfig config;
  config.allow_private_networks = args.allow_private_networks;
  fetch::Fetcher fetcher(std::move(config));
  Result<fetch::FetchResponse> page = fetcher.fetch(args.url);
  if (!page.ok()) return page.error();
  if (page->status < 200 || page->status >= 300) {
    return Error(ErrorCode::kFetchFailed, page->final_url + ": the server answered HTTP status " +
                                              std::to_string(page->status));
  }
  options.url = page->final_url;
  // Already UTF-8: pipeline::extract_page does not sniff an encoding again.
  return pipeline::extract_page(engine, args.extraction.engine_kind(), page->html, options);
}

// One jsonl line: {key: source, ...the record's fields} or {key: source, "error": {code, message}}.
nlohmann::ordered_json jsonl_line(const char* key, const std::string& source,
                                  const Result<extract::Record>& record) {
  nlohmann::ordered_json line;
  line[key] = source;
  if (record.ok()) {
    nlohmann::ordered_json json = pipeline::record_to_json(*record);
    for (auto& [name, value] : json.items()) line[name] = std::move(value);
  } else {
    line["error"] = pipeline::error_to_json(record.error());
  }
  return line;
}

int run_jsonl(const ExtractArgs& args, const extract::Options& options) {
  std::unique_ptr<sandbox::Engine> engine = make_cli_engine();
  if (args.fetching()) {
    Result<extract::Record> record = fetch_and_extract(args, options, *engine);
    print(dump(jsonl_line("url", args.url, record), -1));
    return record.ok() ? 0 : 1;
  }
  int exit_code = 0;
  std::vector<std::string> files = args.files.empty() ? std::vector<std::string>{"-"} : args.files;
  for (const std::string& file : files) {
    Result<std::string> bytes = read_input(file);
    Result<extract::Record> record =
        bytes.ok() ? extract_bytes(*engine, args.extraction.engine_kind(), *bytes, options)
                   : Result<extract::Record>(bytes.error());
    print(dump(jsonl_line("file", file, record), -1));
    if (!record.ok()) exit_code = 1;
  }
  return exit_code;
}

int run_extract(const ExtractArgs& args) {
  extract::Options options;
  if (Status flags = apply_extraction_flags(args.extraction, options); !flags.ok()) {
    std::fprintf(stderr, "riptide extract: %s\n", flags.error().message().c_str());
    return 2;
  }
  if (args.allow_private_networks && !args.fetching()) {
    std::fprintf(stderr,
                 "riptide extract: --allow-private-networks applies only to fetching (--url "
                 "without a file)\n");
    return 2;
  }
  options.url = args.url;
  options.include_html = args.format == "json" || args.format == "jsonl";

  if (args.format == "jsonl") return run_jsonl(args, options);
  if (args.files.size() > 1) {
    std::fprintf(stderr, "riptide extract: several files need --format jsonl\n");
    return 2;
  }
  std::unique_ptr<sandbox::Engine> engine;
  Result<extract::Record> record = Error(ErrorCode::kInternal, "no input");
  if (args.fetching()) {
    engine = make_cli_engine();
    record = fetch_and_extract(args, options, *engine);
    if (!record.ok()) {
      // The fetcher's messages start with the URL.
      std::fprintf(stderr, "riptide extract: %s\n", record.error().to_string().c_str());
      return 1;
    }
  } else {
    std::string file = args.files.empty() ? "-" : args.files[0];
    Result<std::string> bytes = read_input(file);
    if (!bytes.ok()) {
      std::fprintf(stderr, "riptide extract: %s\n", bytes.error().message().c_str());
      return 1;
    }
    engine = make_cli_engine();
    record = extract_bytes(*engine, args.extraction.engine_kind(), *bytes, options);
    if (!record.ok()) {
      std::fprintf(stderr, "riptide extract: %s: %s\n", file.c_str(),
                   record.error().to_string().c_str());
      return 1;
    }
  }
  if (args.format == "markdown") {
    print(record->markdown);
  } else if (args.format == "text") {
    print(record->text);
  } else {
    print(dump(pipeline::record_to_json(*record), 2));
  }
  if (std::fflush(stdout) != 0) {
    std::fprintf(stderr, "riptide extract: cannot write output\n");
    return 1;
  }
  return 0;
}

}  // namespace

void register_extract(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExtractArgs>();
  auto* cmd = app.add_subcommand(
      "extract", "Extract a page's main content and metadata as JSON, Markdown or text");
  cmd->add_option("files", args->files,
                  "HTML file(s), or - for standard input (the default); several need "
                  "--format jsonl");
  cmd->add_option("--url", args->url,
                  "The page's URL (base for links and media); without a file, the page to fetch");
  add_extraction_flags(*cmd, args->extraction);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"json", "markdown", "text", "jsonl"}))
      ->default_val("json");
  cmd->add_flag("--allow-private-networks", args->allow_private_networks,
                "Let --url fetch loopback, private, link-local and other non-public addresses "
                "(refused by default: SSRF guard)");
  cmd->callback([args, &exit_code] { exit_code = run_extract(*args); });
}

}  // namespace riptide::cli
