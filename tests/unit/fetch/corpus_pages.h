#pragma once

#include <string>
#include <vector>

#include "core/result.h"

// Reading the shared extraction corpus (../shared/corpus): shared by the fetch tests and the
// parse benchmark. Host-only test support, never linked into riptide itself.
namespace riptide::testing {

// The paths of every page listed in `corpus_dir`/pages.jsonl (the "html" field of each line),
// joined to corpus_dir, in file order.
Result<std::vector<std::string>> corpus_page_paths(const std::string& corpus_dir);

// The raw bytes of a page file, gunzipped when the name ends in ".gz".
Result<std::string> read_page_bytes(const std::string& path);

// The raw bytes of any file.
Result<std::string> read_file_bytes(const std::string& path);

}  // namespace riptide::testing
