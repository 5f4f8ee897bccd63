#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

// Where a golden case's input page is (tests/golden/README.md): the case folder's input.html;
// `"corpus": PATH` — a page of the shared corpus; `"input_case": NAME` — the input.html of another
// case, so several modes of one page need one copy of it. Shared by the golden test and the
// sandbox instance test, which both walk every case.
namespace riptide::testing {

inline std::filesystem::path golden_case_input(const std::filesystem::path& case_dir,
                                               const nlohmann::json& spec,
                                               const std::filesystem::path& shared_dir) {
  if (spec.contains("corpus")) return shared_dir / "corpus" / spec["corpus"].get<std::string>();
  if (spec.contains("input_case")) {
    return case_dir.parent_path() / spec["input_case"].get<std::string>() / "input.html";
  }
  return case_dir / "input.html";
}

}  // namespace riptide::testing
