#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "crawl/crawler.h"
#include "crawl/frontier.h"

// JSON forms of a crawl's checkpoint: the frontier snapshot (store::Store::checkpoint_crawl_job's
// `frontier_json`) and the progress counters (store::CrawlJobRecord::progress_json). The format is
// documented in docs/crawl.md, "Checkpoints". Readers are strict: what they accept is exactly what
// the writers produce, so a malformed or foreign document (a damaged row, a hand edit) is
// kInvalidArgument naming the first bad field, never a crash or a partly restored crawl.
namespace riptide::crawl {

// The frontier format's version ("v"); a reader refuses other versions.
inline constexpr uint64_t kFrontierStateVersion = 1;
// The largest frontier document read back: about three million URLs. A checkpoint is our own
// data, but a damaged row must not make the reader build an unbounded tree.
inline constexpr size_t kMaxFrontierStateJsonBytes = size_t{256} << 20;
// Progress is eight counters; anything longer is not ours.
inline constexpr size_t kMaxProgressJsonBytes = 4096;

std::string frontier_state_to_json(const FrontierState& state);
Result<FrontierState> frontier_state_from_json(std::string_view json);

std::string progress_to_json(const CrawlProgress& progress);
Result<CrawlProgress> progress_from_json(std::string_view json);

}  // namespace riptide::crawl
