#include "crawl/simhash.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace riptide::crawl {
namespace {

// FNV-1a 64-bit parameters (http://www.isthe.com/chongo/tech/comp/fnv/).
constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

// MurmurHash3 fmix64: every input bit affects every output bit.
constexpr uint64_t finalize(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

constexpr bool is_ascii_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Non-ASCII code points that separate words (see simhash.h).
constexpr bool is_separator(char32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x3000 && cp <= 0x3003) || cp == 0xFEFF;
}

// The words of `text`, lowercased, joined by single spaces into `words`; `starts` receives the
// offset of each word (a space never occurs inside a word, so shingles are substrings).
void split_words(std::string_view text, std::string& words, std::vector<size_t>& starts) {
  bool in_word = false;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    unsigned char byte = static_cast<unsigned char>(*p);
    size_t len = 1;
    bool word_char;
    if (byte < 0x80) {
      word_char = is_ascii_word_char(*p);
    } else {
      word_char = !is_separator(utf8::decode(p, end, &len));
    }
    if (word_char) {
      if (!in_word) {
        if (!words.empty()) words.push_back(' ');
        starts.push_back(words.size());
        in_word = true;
      }
      if (byte < 0x80) {
        words.push_back(*p >= 'A' && *p <= 'Z' ? static_cast<char>(*p - 'A' + 'a') : *p);
      } else {
        words.append(p, len);
      }
    } else {
      in_word = false;
    }
    p += len;
  }
}

// kSpread[v] has byte j equal to bit j of v: eight one-byte counters, one per bit of a hash byte.
constexpr std::array<uint64_t, 256> make_spread() {
  std::array<uint64_t, 256> table{};
  for (uint32_t v = 0; v < 256; ++v) {
    for (uint32_t j = 0; j < 8; ++j) table[v] |= uint64_t{(v >> j) & 1} << (8 * j);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kSpread = make_spread();
// A one-byte counter holds 255 increments.
constexpr size_t kMaxLaneCount = 255;

}  // namespace

uint64_t stable_hash64(std::string_view bytes) {
  uint64_t h = kFnvOffsetBasis;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return finalize(h);
}

uint64_t simhash(std::string_view text) {
  std::string words;
  std::vector<size_t> starts;
  split_words(text, words, starts);
  if (starts.empty()) return 0;
  size_t per_shingle = std::min(kShingleWords, starts.size());
  size_t shingles = starts.size() - per_shingle + 1;
  // Bit b of the fingerprint is set when more than half of the shingle hashes have it set (the
  // votes +1 for set, -1 for clear sum to more than 0). The set bits are counted eight hashes'
  // bytes at a time: kSpread turns a hash byte into eight one-byte counters that one 64-bit add
  // bumps together; they are moved to `set` before they can overflow. A bit-by-bit loop made
  // this 17% of a whole crawl's CPU time.
  std::array<uint64_t, 64> set{};
  std::array<uint64_t, 8> lanes{};  // lanes[k] byte j counts bit 8k + j
  size_t pending = 0;
  auto flush = [&] {
    for (int k = 0; k < 8; ++k) {
      for (int j = 0; j < 8; ++j) set[8 * k + j] += (lanes[k] >> (8 * j)) & 0xff;
      lanes[k] = 0;
    }
    pending = 0;
  };
  for (size_t i = 0; i < shingles; ++i) {
    size_t last = i + per_shingle;  // index of the word after the shingle
    size_t end = last < starts.size() ? starts[last] - 1 : words.size();
    uint64_t h = stable_hash64(std::string_view(words).substr(starts[i], end - starts[i]));
    for (int k = 0; k < 8; ++k) lanes[k] += kSpread[(h >> (8 * k)) & 0xff];
    if (++pending == kMaxLaneCount) flush();
  }
  flush();
  uint64_t fingerprint = 0;
  for (int b = 0; b < 64; ++b) {
    if (2 * set[b] > shingles) fingerprint |= uint64_t{1} << b;
  }
  return fingerprint;
}

}  // namespace riptide::crawl
