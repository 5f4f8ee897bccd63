#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "extract/record.h"
#include "pipeline/record_json.h"

// Comparing the native and the sandboxed extractor byte for byte (the differential test and
// fuzzer): both records serialized the way `riptide extract` prints them.
namespace riptide::testing {

// `record` as one line of riptide's JSON, without the two stats that depend on where it ran
// (time_ms: the clock; memory_pages: guest memory, 0 natively).
inline std::string comparable_json(extract::Record record) {
  record.stats.time_ms = 0;
  record.stats.memory_pages = 0;
  return pipeline::record_to_json(record).dump(-1, ' ', false,
                                               nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace riptide::testing
