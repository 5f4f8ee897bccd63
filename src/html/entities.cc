#include "html/entities.h"

#include <cstdint>

namespace riptide::html {

namespace {

#include "html/entities_table.inc"

// The byte at `index` of entry `e`'s name; entries are sorted bytewise, so within a range sharing
// a prefix of length `index` they are sorted by this byte.
inline unsigned char name_byte(const EntityEntry& e, size_t index) {
  return static_cast<unsigned char>(kNames[e.name_offset + index]);
}

}  // namespace

EntityMatch match_named_entity(std::string_view s) {
  EntityMatch match;
  if (s.empty()) return match;
  const auto first = static_cast<unsigned char>(s[0]);
  if (first >= 128) return match;
  size_t lo = kFirstByte[first].begin;
  size_t hi = kFirstByte[first].end;
  const size_t limit = s.size() < kMaxEntityNameLength ? s.size() : kMaxEntityNameLength;
  // Invariant: every entry in [lo, hi) starts with s[0, k). The range shrinks by binary search on
  // the next byte, so the work is bounded by the longest name, not by the input.
  for (size_t k = 1; lo < hi; ++k) {
    if (kEntries[lo].name_length == k) {
      // The entry equal to the prefix sorts first in its range.
      const EntityEntry& e = kEntries[lo];
      match.length = k;
      match.expansion = std::string_view(kValues + e.value_offset, e.value_length);
      match.semicolon = s[k - 1] == ';';
      ++lo;
    }
    if (k >= limit) break;
    const auto c = static_cast<unsigned char>(s[k]);
    size_t a = lo, b = hi;
    while (a < b) {  // first entry whose byte k is >= c
      size_t mid = a + (b - a) / 2;
      if (name_byte(kEntries[mid], k) < c) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    size_t new_lo = a;
    b = hi;
    while (a < b) {  // first entry whose byte k is > c
      size_t mid = a + (b - a) / 2;
      if (name_byte(kEntries[mid], k) <= c) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    lo = new_lo;
    hi = a;
  }
  return match;
}

}  // namespace riptide::html
