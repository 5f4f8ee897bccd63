#pragma once

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "extract/record.h"

// The record's JSON form, one definition for every output: `riptide extract`, the HTTP API
// (docs/api.md), the golden files and the differential tests.
namespace riptide::pipeline {

// The record as a JSON object with record.h's field names, in record.h's order; links as
// {url, text, nofollow, ugc, sponsored, hreflang}, media as {url, kind, alt}, stats as
// {time_ms, input_bytes, nodes, memory_pages, limits}.
nlohmann::ordered_json record_to_json(const extract::Record& record);

// {"code": "resource_limit", "message": "..."}
nlohmann::ordered_json error_to_json(const Error& error);

}  // namespace riptide::pipeline
