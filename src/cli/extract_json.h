#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "sandbox/engine.h"

// The host side of `riptide extract`, shared by the CLI and the golden tests: decode the bytes,
// then the shared pipeline (pipeline/extract_page.h: extract, confirm the language with CLD2).
// The record's JSON is pipeline/record_json.h.
namespace riptide::cli {

// Decodes `bytes` (HTML encoding sniffing, fetch::decode_html), runs `extractor`, fills
// stats.time_ms (decode excluded: parse + extract + language detection) and settles `language`
// with lang::choose_language on the record's text (title and description in metadata mode).
Result<extract::Record> extract_bytes(extract::Extractor& extractor, std::string_view bytes,
                                      const extract::Options& options);

// The same through the sandbox engine (src/sandbox/engine.h): `kind` kWasm extracts in the
// WebAssembly sandbox (native fallback while its breaker is open), kNative natively.
Result<extract::Record> extract_bytes(sandbox::Engine& engine, sandbox::EngineKind kind,
                                      std::string_view bytes, const extract::Options& options);

// The engine `riptide extract` uses: the sandbox's default limits (sandbox/config.h: 10 MiB of
// input with either engine; in the sandbox also 5 s and 256 MiB per page), one instance made on
// first use.
std::unique_ptr<sandbox::Engine> make_cli_engine();

}  // namespace riptide::cli
