#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "extract/extractor.h"
#include "sandbox/engine.h"

namespace CLI {
class App;
}

// The extraction flags `riptide extract` and `riptide crawl` share: --mode, --selector, --engine.
namespace riptide::cli {

struct ExtractionFlags {
  std::string mode = "article";
  std::vector<std::string> selectors;
  std::string engine = "wasm";

  sandbox::EngineKind engine_kind() const {
    return engine == "native" ? sandbox::EngineKind::kNative : sandbox::EngineKind::kWasm;
  }
};

// Registers the three flags on `cmd`; values land in `flags` (which must outlive the parse).
void add_extraction_flags(CLI::App& cmd, ExtractionFlags& flags);

// Sets options.mode and options.selectors. kInvalidArgument, with the message the commands print
// after their name: an unknown mode ("unsupported_mode: unknown mode ..."), custom without a
// selector, a selector without custom, or a selector that does not parse (named).
Status apply_extraction_flags(const ExtractionFlags& flags, extract::Options& options);

}  // namespace riptide::cli
