// Fuzzes the checkpoint readers (crawl/state_json.h): a stored frontier or progress document may
// be damaged or edited by hand, and a resumed crawl reads it back. Beyond not crashing or hanging:
// whatever frontier_state_from_json accepts is written back in one canonical form that reads back
// to the same state and the same bytes, and the same holds for progress.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawl/state_json.h"

namespace {

void check(bool condition, const char* what, std::string_view input) {
  if (condition) return;
  std::fprintf(stderr, "crawl_state_json_fuzz: %s: %.*s\n", what,
               static_cast<int>(input.size() < 200 ? input.size() : 200), input.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace riptide::crawl;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  riptide::Result<FrontierState> state = frontier_state_from_json(input);
  if (state.ok()) {
    const std::string written = frontier_state_to_json(*state);
    riptide::Result<FrontierState> again = frontier_state_from_json(written);
    check(again.ok(), "written frontier state does not read back", input);
    check(frontier_state_to_json(*again) == written, "frontier state round trip differs", input);
  } else {
    check(state.error().code() == riptide::ErrorCode::kInvalidArgument,
          "frontier state error is not kInvalidArgument", input);
  }

  riptide::Result<CrawlProgress> progress = progress_from_json(input);
  if (progress.ok()) {
    const std::string written = progress_to_json(*progress);
    riptide::Result<CrawlProgress> again = progress_from_json(written);
    check(again.ok() && progress_to_json(*again) == written, "progress round trip differs", input);
  } else {
    check(progress.error().code() == riptide::ErrorCode::kInvalidArgument,
          "progress error is not kInvalidArgument", input);
  }
  return 0;
}
