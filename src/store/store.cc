#include "store/store.h"

#include <array>

namespace riptide::store {

namespace {

// Indexed by CrawlJobState; these names are the API's (GET /v1/crawl/{id}) and the stored ones.
constexpr std::array<std::string_view, 5> kCrawlJobStateNames = {"queued", "running", "completed",
                                                                 "cancelled", "failed"};

}  // namespace

std::string_view crawl_job_state_name(CrawlJobState state) {
  return kCrawlJobStateNames[static_cast<size_t>(state)];
}

std::optional<CrawlJobState> parse_crawl_job_state(std::string_view name) {
  for (size_t i = 0; i < kCrawlJobStateNames.size(); ++i) {
    if (kCrawlJobStateNames[i] == name) return static_cast<CrawlJobState>(i);
  }
  return std::nullopt;
}

}  // namespace riptide::store
