#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "crawl/simhash.h"

// The SimHash fingerprints of one crawl's pages, indexed for the near-duplicate question "which
// earlier page is within kNearDuplicateBits of this one?" without comparing against every page.
//
// The pigeonhole index of Manku, Jain and Das Sarma ("Detecting Near-Duplicates for Web
// Crawling", WWW 2007, section 3): the 64 bits are cut into kNearDuplicateBits + 1 bands; two
// fingerprints that differ in at most kNearDuplicateBits bits cannot differ in every band, so
// they agree exactly on at least one. Each band value maps to the pages that have it, and only
// those candidates are compared bit by bit. With random fingerprints a band of 16 bits matches
// one page in 65 536, so a lookup among 10 000 pages compares about one candidate instead of
// 10 000.
namespace riptide::crawl {

class FingerprintIndex {
 public:
  // Bands of the pigeonhole split: one more than the bits two near-duplicates may differ in.
  static constexpr int kBands = kNearDuplicateBits + 1;
  static constexpr int kBandBits = 64 / kBands;
  static_assert(kBands * kBandBits == 64, "the bands must cover the 64 bits exactly");

  // The URL of the earliest added page whose fingerprint is within kNearDuplicateBits of
  // `fingerprint`, or null. The pointer lives until the next add().
  const std::string* find(uint64_t fingerprint) const;

  // Adds a page; later find() calls may return it.
  void add(uint64_t fingerprint, std::string url);

  size_t size() const { return pages_.size(); }

 private:
  struct Page {
    uint64_t fingerprint = 0;
    std::string url;
  };
  static uint32_t band(uint64_t fingerprint, int index) {
    return static_cast<uint32_t>(fingerprint >> (index * kBandBits)) & ((1u << kBandBits) - 1);
  }

  std::vector<Page> pages_;  // in the order added: an index is also "how early"
  // Per band: band value -> indices into pages_, ascending.
  std::array<std::unordered_map<uint32_t, std::vector<uint32_t>>, kBands> bands_;
};

}  // namespace riptide::crawl
