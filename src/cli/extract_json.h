#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string_view>

#include "core/result.h"
#include "extract/extractor.h"
#include "extract/record.h"
#include "sandbox/engine.h"

// The host side of `riptide extract`, shared by the CLI and the golden tests: decode the bytes,
// extract, confirm the language with CLD2, and write the record as JSON.
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

// The same for a page already decoded to UTF-8 (fetch::FetchResponse::html): no second encoding
// sniff, which would re-decode a page whose <meta charset> still names its original encoding.
Result<extract::Record> extract_utf8(sandbox::Engine& engine, sandbox::EngineKind kind,
                                     std::string_view html, const extract::Options& options);

// The engine `riptide extract` uses: the sandbox's default limits (sandbox/config.h: 10 MiB of
// input with either engine; in the sandbox also 5 s and 256 MiB per page), one instance made on
// first use.
std::unique_ptr<sandbox::Engine> make_cli_engine();

// The record as a JSON object with record.h's field names, in record.h's order; links as
// {url, text, nofollow, ugc, sponsored, hreflang}, media as {url, kind, alt}, stats as
// {time_ms, input_bytes, nodes, memory_pages, limits}.
nlohmann::ordered_json record_to_json(const extract::Record& record);

// {"code": "resource_limit", "message": "..."}
nlohmann::ordered_json error_to_json(const Error& error);

}  // namespace riptide::cli
