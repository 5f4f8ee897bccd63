#include "cli/extraction_flags.h"

#include <CLI/CLI.hpp>

#include "html/selector.h"

namespace riptide::cli {

void add_extraction_flags(CLI::App& cmd, ExtractionFlags& flags) {
  cmd.add_option("--mode", flags.mode,
                 "article (main content), full (all visible content), metadata (no body) or "
                 "custom (--selector matches)")
      ->default_val("article");
  cmd.add_option("--selector", flags.selectors,
                 "CSS selector for --mode custom; repeat for a union in document order")
      ->allow_extra_args(false);
  cmd.add_option("--engine", flags.engine,
                 "wasm (the WebAssembly sandbox) or native (the same extractor, unsandboxed)")
      ->check(CLI::IsMember({"wasm", "native"}))
      ->default_val("wasm");
}

Status apply_extraction_flags(const ExtractionFlags& flags, extract::Options& options) {
  if (!extract::parse_mode(flags.mode, &options.mode)) {
    return Error(ErrorCode::kInvalidArgument,
                 "unsupported_mode: unknown mode \"" + flags.mode +
                     "\" (expected article, full, metadata or custom)");
  }
  if (options.mode == extract::Mode::kCustom && flags.selectors.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--mode custom needs at least one --selector");
  }
  if (options.mode != extract::Mode::kCustom && !flags.selectors.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--selector needs --mode custom");
  }
  // Checked before any page is read or fetched, so a typo is reported once, as a usage error.
  for (const std::string& selector : flags.selectors) {
    auto parsed = html::parse_selector_list(selector);
    if (!parsed.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   "invalid selector \"" + selector + "\": " + parsed.error().message());
    }
  }
  options.selectors = flags.selectors;
  return Status();
}

}  // namespace riptide::cli
