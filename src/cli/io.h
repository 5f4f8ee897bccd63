#pragma once

#include <string>

#include "core/result.h"

namespace riptide::cli {

// Reads a whole file ("-" = standard input) as bytes.
Result<std::string> read_input(const std::string& path);

}  // namespace riptide::cli
