#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

// Content fingerprints for near-duplicate detection (Charikar's SimHash, "Similarity estimation
// techniques from rounding algorithms", STOC 2002): pages whose extracted text differs only a
// little get fingerprints that differ in only a few bits, so the crawler can flag the same
// article served under several URLs, or with a different date or counter in it.
namespace riptide::crawl {

// Fingerprints at most this many bits apart are near-duplicates. Manku, Jain and Das Sarma
// ("Detecting Near-Duplicates for Web Crawling", WWW 2007) chose 3 for 64-bit SimHash from
// hand-labelled pairs of an 8-billion-page web repository: at 3 bits precision and recall were
// both about 0.75; smaller thresholds lost recall and larger ones precision. Our tests hold the
// two ends: a one-word change in an article stays within 3 bits, and unrelated articles are
// more than 10 apart. The threshold suits long texts: on ../shared/corpus (article text, one
// word in the middle replaced) the edit moved a text of n words by about 45/sqrt(n) bits on
// average, and by more than 3 bits in 14% of 300-600-word pages, 7% of 600-1000, 3% of
// 1000-2000 and none of the 37 pages over 2000 words.
inline constexpr int kNearDuplicateBits = 3;

// Words per shingle (overlapping word n-gram) hashed as one feature. Three words keep word
// order in the fingerprint (a page and the same words shuffled differ) while a single changed
// word disturbs only three features.
inline constexpr size_t kShingleWords = 3;

// A 64-bit hash identical on every platform and in every build: FNV-1a over the bytes, then
// MurmurHash3's 64-bit finaliser, because SimHash uses every bit of the hash as a vote and
// FNV-1a's high bits barely change for short inputs that differ in their last byte.
uint64_t stable_hash64(std::string_view bytes);

// The 64-bit SimHash of `text` (UTF-8, e.g. a Record's text). Words are runs of ASCII letters
// and digits and of non-ASCII characters, lowercased in ASCII; ASCII whitespace and punctuation,
// Latin-1 punctuation and no-break space (U+0080-U+00BF), General Punctuation (U+2000-U+206F:
// typographic spaces, dashes, quotes, ellipsis) and ideographic space and punctuation
// (U+3000-U+3003) separate them. Each shingle of kShingleWords consecutive words is one
// feature. Text with fewer words is a single feature; text with none hashes to 0. Invalid UTF-8
// counts as word characters.
uint64_t simhash(std::string_view text);

// Number of bits in which two fingerprints differ.
inline int hamming_distance(uint64_t a, uint64_t b) {
  return std::popcount(a ^ b);
}

inline bool is_near_duplicate(uint64_t a, uint64_t b) {
  return hamming_distance(a, b) <= kNearDuplicateBits;
}

}  // namespace riptide::crawl
