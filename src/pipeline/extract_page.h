#pragma once

#include <string_view>

#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "sandbox/engine.h"

// One page through the host pipeline: extraction, then the language confirmed with CLD2
// (docs/extraction.md "Language"). The input is already UTF-8 (decoded from a file by the CLI,
// by the fetcher, or a JSON string in an API request), so nothing here sniffs an encoding.
namespace riptide::pipeline {

// Extracts `utf8_html` with `engine` (`kind` kWasm: in the WebAssembly sandbox, with the native
// fallback while its breaker is open; kNative: natively), then settles `language` with
// lang::choose_language on the record's text (title and description in metadata mode) and fills
// stats.time_ms (extraction + language detection).
Result<extract::Record> extract_page(sandbox::Engine& engine, sandbox::EngineKind kind,
                                     std::string_view utf8_html, const extract::Options& options);

// The same with a native extractor of the caller's (the golden tests).
Result<extract::Record> extract_page(extract::Extractor& extractor, std::string_view utf8_html,
                                     const extract::Options& options);

}  // namespace riptide::pipeline
