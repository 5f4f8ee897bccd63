#include "crawl/fingerprint_index.h"

#include <limits>
#include <utility>

namespace riptide::crawl {

const std::string* FingerprintIndex::find(uint64_t fingerprint) const {
  uint32_t best = std::numeric_limits<uint32_t>::max();
  for (int i = 0; i < kBands; ++i) {
    auto bucket = bands_[i].find(band(fingerprint, i));
    if (bucket == bands_[i].end()) continue;
    // Indices are ascending, so the first near-duplicate in a bucket is its earliest; stopping
    // there keeps a crawl of thousands of identical pages from scanning them all each time.
    for (uint32_t index : bucket->second) {
      if (index >= best) break;
      if (is_near_duplicate(pages_[index].fingerprint, fingerprint)) {
        best = index;
        break;
      }
    }
  }
  return best == std::numeric_limits<uint32_t>::max() ? nullptr : &pages_[best].url;
}

void FingerprintIndex::add(uint64_t fingerprint, std::string url) {
  const auto index = static_cast<uint32_t>(pages_.size());
  pages_.push_back(Page{fingerprint, std::move(url)});
  for (int i = 0; i < kBands; ++i) bands_[i][band(fingerprint, i)].push_back(index);
}

}  // namespace riptide::crawl
