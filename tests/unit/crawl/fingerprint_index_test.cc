// The near-duplicate index (crawl/fingerprint_index.h): the same answers as comparing against
// every earlier fingerprint, including the earliest-match rule.
#include "crawl/fingerprint_index.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace riptide::crawl {
namespace {

// The answer by brute force: the earliest fingerprint within kNearDuplicateBits.
std::optional<size_t> linear_find(const std::vector<uint64_t>& earlier, uint64_t fingerprint) {
  for (size_t i = 0; i < earlier.size(); ++i) {
    if (is_near_duplicate(earlier[i], fingerprint)) return i;
  }
  return std::nullopt;
}

uint64_t flip_bits(uint64_t value, std::mt19937_64& rng, int bits) {
  // Distinct positions, possibly all in one band or spread over several.
  uint64_t mask = 0;
  while (std::popcount(mask) < bits) mask |= uint64_t{1} << (rng() % 64);
  return value ^ mask;
}

TEST(FingerprintIndex, FindsWithinThreeBitsInAnyBandAndNothingFurther) {
  FingerprintIndex index;
  EXPECT_EQ(index.find(0x0123456789abcdefull), nullptr);
  const uint64_t base = 0x0123456789abcdefull;
  index.add(base, "a");
  EXPECT_EQ(*index.find(base), "a");
  // Three bits, one in each of three bands; three bits in one band.
  EXPECT_EQ(*index.find(base ^ 0x0000'0001'0001'0001ull), "a");
  EXPECT_EQ(*index.find(base ^ 0x0000'0000'0000'0007ull), "a");
  // Four bits, one per band: no band agrees, and it is not a near-duplicate.
  EXPECT_EQ(index.find(base ^ 0x0001'0001'0001'0001ull), nullptr);
  EXPECT_EQ(index.find(base ^ 0x000full), nullptr);
}

TEST(FingerprintIndex, ReturnsTheEarliestMatch) {
  FingerprintIndex index;
  const uint64_t base = 0xfedcba9876543210ull;
  index.add(base ^ 0x1, "first");  // one bit from base
  index.add(base, "second");       // exact
  index.add(base ^ 0x10000, "third");
  EXPECT_EQ(*index.find(base), "first");
  // Within reach of all three: the earliest wins.
  EXPECT_EQ(*index.find(base ^ 0x10001), "first");
  // 4 bits from "first", 3 from "second", 2 from "third".
  EXPECT_EQ(*index.find(base ^ 0x10000 ^ 0x6), "second");
  EXPECT_EQ(index.size(), 3u);
}

TEST(FingerprintIndex, AgreesWithALinearScan) {
  std::mt19937_64 rng(42);
  FingerprintIndex index;
  std::vector<uint64_t> earlier;
  for (int i = 0; i < 5000; ++i) {
    uint64_t fingerprint = rng();
    // Every third page is a variant of an earlier one, 0 to 5 bits away.
    if (!earlier.empty() && i % 3 == 0) {
      const uint64_t source = earlier[rng() % earlier.size()];
      const int bits = static_cast<int>(rng() % 6);
      fingerprint = bits == 0 ? source : flip_bits(source, rng, bits);
    }
    const std::optional<size_t> expected = linear_find(earlier, fingerprint);
    const std::string* found = index.find(fingerprint);
    if (expected) {
      ASSERT_NE(found, nullptr) << i;
      EXPECT_EQ(*found, std::to_string(*expected)) << i;
    } else {
      EXPECT_EQ(found, nullptr) << i << " found " << *found;
    }
    index.add(fingerprint, std::to_string(earlier.size()));
    earlier.push_back(fingerprint);
  }
}

}  // namespace
}  // namespace riptide::crawl
