#include "url/idna.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "core/utf8.h"
#include "url/idna_tables.h"

namespace riptide::url {
namespace {

using idna_data::ValueRange;

// Value of `cp` in a sorted table of closed ranges; 0 (the property's default) outside them.
uint8_t range_value(const ValueRange* table, size_t count, uint32_t cp) {
  const ValueRange* end = table + count;
  const ValueRange* it =
      std::upper_bound(table, end, cp, [](uint32_t c, const ValueRange& r) { return c < r.first; });
  if (it == table) return 0;
  --it;
  return cp <= it->last ? it->value : 0;
}

const idna_data::MappingRange& mapping_range(uint32_t cp) {
  const auto* begin = idna_data::kMappingRanges;
  const auto* end = begin + idna_data::kMappingRangeCount;
  const auto* it = std::upper_bound(
      begin, end, cp, [](uint32_t c, const idna_data::MappingRange& r) { return c < r.start; });
  // The table starts at U+0000, so every code point has a range.
  return *(it - 1);
}

// UTS #46 section 5 status with the alternate-case compression undone.
idna_data::IdnaStatus effective_status(uint32_t cp, const idna_data::MappingRange& r) {
  auto status = static_cast<idna_data::IdnaStatus>(r.status);
  if (status == idna_data::kMappedAlternate) {
    return (cp - r.start) % 2 == 0 ? idna_data::kMapped : idna_data::kValid;
  }
  if (status == idna_data::kMappedDelta) return idna_data::kMapped;
  return status;
}

// UTS #46 section 4 step 1 (Map). Returns false when a disallowed code point is seen: ToASCII
// fails on any recorded error, so processing can stop there.
bool map_code_points(std::u32string_view input, std::u32string& out) {
  for (char32_t cp : input) {
    if (cp < 0x80) {
      // ASCII: with UseSTD3ASCIIRules=false only upper-case letters are mapped.
      out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
      continue;
    }
    const auto& r = mapping_range(cp);
    switch (static_cast<idna_data::IdnaStatus>(r.status)) {
      case idna_data::kValid:
      case idna_data::kDeviation:  // Transitional_Processing=false keeps deviations.
        out.push_back(cp);
        break;
      case idna_data::kIgnored:
        break;
      case idna_data::kMapped:
        out.append(idna_data::kMappingPool + r.value, r.length);
        break;
      case idna_data::kMappedDelta:
        out.push_back(static_cast<char32_t>(static_cast<int64_t>(cp) + r.value));
        break;
      case idna_data::kMappedAlternate:
        out.push_back((cp - r.start) % 2 == 0
                          ? static_cast<char32_t>(static_cast<int64_t>(cp) + r.value)
                          : cp);
        break;
      case idna_data::kDisallowed:
      default:
        return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// UAX #15 normalization.

constexpr char32_t kSBase = 0xAC00;
constexpr char32_t kLBase = 0x1100;
constexpr char32_t kVBase = 0x1161;
constexpr char32_t kTBase = 0x11A7;
constexpr uint32_t kLCount = 19;
constexpr uint32_t kVCount = 21;
constexpr uint32_t kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount;
constexpr uint32_t kSCount = kLCount * kNCount;

uint8_t combining_class(char32_t cp) {
  if (cp < 0x300) return 0;  // No code point below U+0300 has a non-zero class.
  return range_value(idna_data::kCombiningClasses, idna_data::kCombiningClassesCount, cp);
}

const idna_data::Decomposition* find_decomposition(char32_t cp) {
  const auto* begin = idna_data::kDecompositions;
  const auto* end = begin + idna_data::kDecompositionCount;
  const auto* it = std::lower_bound(
      begin, end, cp, [](const idna_data::Decomposition& d, uint32_t c) { return d.cp < c; });
  return (it != end && it->cp == cp) ? it : nullptr;
}

// Appends the full canonical decomposition of `cp` (UAX #15 section 3, with the Hangul
// syllable algorithm of Unicode 3.12). The table holds one level; an explicit stack expands it.
void decompose(char32_t cp, std::u32string& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  if (cp < 0xC0) {
    out.push_back(cp);
    return;
  }
  char32_t stack[32];
  size_t depth = 0;
  stack[depth++] = cp;
  while (depth > 0) {
    char32_t c = stack[--depth];
    const idna_data::Decomposition* d = find_decomposition(c);
    // Unicode decompositions nest a few levels at most; the bound only guards the array.
    if (d == nullptr || depth + 2 > sizeof(stack) / sizeof(stack[0])) {
      out.push_back(c);
      continue;
    }
    if (d->second != 0) stack[depth++] = d->second;
    stack[depth++] = d->first;
  }
}

char32_t compose_pair(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  const auto* begin = idna_data::kCompositions;
  const auto* end = begin + idna_data::kCompositionCount;
  const auto* it = std::lower_bound(
      begin, end, std::pair<uint32_t, uint32_t>(a, b),
      [](const idna_data::Composition& c, const std::pair<uint32_t, uint32_t>& key) {
        return c.first < key.first || (c.first == key.first && c.second < key.second);
      });
  if (it != end && it->first == a && it->second == b) return it->composite;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// RFC 3492 Punycode parameters (section 5).

constexpr uint32_t kBase = 36;
constexpr uint32_t kTMin = 1;
constexpr uint32_t kTMax = 26;
constexpr uint32_t kSkew = 38;
constexpr uint32_t kDamp = 700;
constexpr uint32_t kInitialBias = 72;
constexpr uint32_t kInitialN = 128;
constexpr uint32_t kMaxInt = UINT32_MAX;

// RFC 3492 6.1 Bias adaptation function.
uint32_t adapt(uint32_t delta, uint32_t num_points, bool first_time) {
  delta = first_time ? delta / kDamp : delta / 2;
  delta += delta / num_points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (((kBase - kTMin + 1) * delta) / (delta + kSkew));
}

uint32_t threshold(uint32_t k, uint32_t bias) {
  if (k <= bias) return kTMin;
  if (k >= bias + kTMax) return kTMax;
  return k - bias;
}

char encode_digit(uint32_t d) {
  return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

int decode_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0' + 26;
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A';
  return -1;
}

// ---------------------------------------------------------------------------------------------
// UTS #46 section 4.1 validity criteria.

bool is_virama(char32_t cp) {
  return combining_class(cp) == 9;
}

uint8_t joining_type(char32_t cp) {
  return range_value(idna_data::kJoiningTypes, idna_data::kJoiningTypesCount, cp);
}

uint8_t bidi_class(char32_t cp) {
  if (cp < 0x80) {
    // Fast path for ASCII; matches the table.
    if (str::is_alpha(static_cast<char>(cp))) return idna_data::kBidiL;
    if (cp >= '0' && cp <= '9') return idna_data::kBidiEN;
  }
  return range_value(idna_data::kBidiClasses, idna_data::kBidiClassesCount, cp);
}

// RFC 5892 Appendix A.1 / A.2 (CONTEXTJ) for U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH
// JOINER at position `i`.
bool joiner_allowed(std::u32string_view label, size_t i) {
  if (i > 0 && is_virama(label[i - 1])) return true;
  if (label[i] == 0x200D) return false;
  // (Joining_Type:{L,D})(Joining_Type:T)*\u200C(Joining_Type:T)*(Joining_Type:{R,D})
  bool before = false;
  for (size_t j = i; j-- > 0;) {
    uint8_t t = joining_type(label[j]);
    if (t == idna_data::kJoinT) continue;
    before = t == idna_data::kJoinL || t == idna_data::kJoinD;
    break;
  }
  if (!before) return false;
  for (size_t j = i + 1; j < label.size(); ++j) {
    uint8_t t = joining_type(label[j]);
    if (t == idna_data::kJoinT) continue;
    return t == idna_data::kJoinR || t == idna_data::kJoinD;
  }
  return false;
}

// RFC 5893 section 2, the six conditions of the Bidi Rule, for one label of a Bidi domain name.
bool satisfies_bidi_rule(std::u32string_view label) {
  using namespace idna_data;
  if (label.empty()) return true;
  uint8_t first = bidi_class(label[0]);
  // Condition 1.
  if (first != kBidiL && first != kBidiR && first != kBidiAL) return false;
  // The last character that is not NSM decides conditions 3 and 6.
  size_t end = label.size();
  while (end > 0 && bidi_class(label[end - 1]) == kBidiNSM) --end;
  if (end == 0) return false;
  uint8_t last = bidi_class(label[end - 1]);
  if (first == kBidiL) {
    for (char32_t cp : label) {
      uint8_t b = bidi_class(cp);
      // Condition 5.
      if (b != kBidiL && b != kBidiEN && b != kBidiES && b != kBidiCS && b != kBidiET &&
          b != kBidiON && b != kBidiBN && b != kBidiNSM) {
        return false;
      }
    }
    // Condition 6.
    return last == kBidiL || last == kBidiEN;
  }
  bool has_en = false;
  bool has_an = false;
  for (char32_t cp : label) {
    uint8_t b = bidi_class(cp);
    // Condition 2.
    if (b != kBidiR && b != kBidiAL && b != kBidiAN && b != kBidiEN && b != kBidiES &&
        b != kBidiCS && b != kBidiET && b != kBidiON && b != kBidiBN && b != kBidiNSM) {
      return false;
    }
    has_en = has_en || b == kBidiEN;
    has_an = has_an || b == kBidiAN;
  }
  // Conditions 3 and 4.
  if (has_en && has_an) return false;
  return last == kBidiR || last == kBidiAL || last == kBidiEN || last == kBidiAN;
}

// UTS #46 4.1 criteria 1 and 4 to 8 (CheckHyphens=false); the Bidi rule (9) needs the whole
// domain and is checked by the caller.
bool label_is_valid(std::u32string_view label, bool check_nfc) {
  if (label.empty()) return true;
  if (check_nfc && to_nfc(label) != label) return false;
  // 4: without CheckHyphens a label must not begin with "xn--".
  if (label.size() >= 4 && label[0] == 'x' && label[1] == 'n' && label[2] == '-' &&
      label[3] == '-') {
    return false;
  }
  // 6: must not begin with a combining mark.
  if (label[0] >= 0x300 && range_value(idna_data::kMarks, idna_data::kMarksCount, label[0])) {
    return false;
  }
  for (size_t i = 0; i < label.size(); ++i) {
    char32_t cp = label[i];
    if (cp == '.') return false;  // 5
    if (cp < 0x80) continue;      // ASCII is valid without UseSTD3ASCIIRules (7).
    auto status = effective_status(cp, mapping_range(cp));
    if (status != idna_data::kValid && status != idna_data::kDeviation) return false;  // 7
    if ((cp == 0x200C || cp == 0x200D) && !joiner_allowed(label, i)) return false;     // 8
  }
  return true;
}

bool has_xn_prefix(std::u32string_view label) {
  return label.size() >= 4 && label[0] == 'x' && label[1] == 'n' && label[2] == '-' &&
         label[3] == '-';
}

Error idna_error(std::string_view what, std::string_view domain) {
  std::string message = "invalid domain (";
  message.append(what);
  message.append("): ");
  message.append(domain.substr(0, 256));
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

std::u32string to_nfc(std::u32string_view input) {
  // Quick check: nothing below U+0300 decomposes into, or composes with, anything else there
  // (U+00C0..U+00FF decompose, but only into pairs that compose back to them).
  bool simple = true;
  for (char32_t cp : input) {
    if (cp >= 0x300) {
      simple = false;
      break;
    }
  }
  if (simple) return std::u32string(input);

  std::u32string d;
  d.reserve(input.size() + 8);
  for (char32_t cp : input) decompose(cp, d);

  // Canonical ordering: stable sort of each run of non-starters by combining class. Classes
  // are looked up once per code point and carried with it (the code point in the low 24 bits).
  std::vector<uint32_t> keyed(d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    keyed[i] = (uint32_t{combining_class(d[i])} << 24) | static_cast<uint32_t>(d[i]);
  }
  for (size_t i = 0; i < keyed.size();) {
    if ((keyed[i] >> 24) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < keyed.size() && (keyed[j] >> 24) != 0) ++j;
    if (j - i > 1) {
      std::stable_sort(keyed.begin() + static_cast<ptrdiff_t>(i),
                       keyed.begin() + static_cast<ptrdiff_t>(j),
                       [](uint32_t a, uint32_t b) { return (a >> 24) < (b >> 24); });
    }
    i = j;
  }

  // Canonical composition (UAX #15 section 3, D117).
  std::u32string out;
  out.reserve(d.size());
  size_t starter = SIZE_MAX;
  uint8_t last_class = 0;
  for (uint32_t key : keyed) {
    const char32_t cp = key & 0xFFFFFF;
    const uint8_t cc = static_cast<uint8_t>(key >> 24);
    if (starter != SIZE_MAX) {
      bool adjacent = out.size() == starter + 1;
      if (adjacent || (last_class != 0 && last_class < cc)) {
        char32_t composite = compose_pair(out[starter], cp);
        if (composite != 0) {
          out[starter] = composite;
          continue;
        }
      }
    }
    if (cc == 0) starter = out.size();
    last_class = cc;
    out.push_back(cp);
  }
  return out;
}

bool punycode_encode(std::u32string_view input, std::string& out) {
  // RFC 3492 6.3, reorganised so hostile input cannot make it quadratic: the standard loop
  // rescans the whole input once per distinct code point to count the code points below the
  // current one before each occurrence. Here the occurrences are visited in (code point,
  // position) order and a Fenwick tree over positions answers those counts, for O(n log n).
  const size_t length = input.size();
  std::vector<std::pair<char32_t, uint32_t>> occurrences;
  std::vector<uint32_t> tree(length + 1, 0);  // counts of positions holding a handled value
  auto add = [&tree, length](size_t position) {
    for (size_t i = position + 1; i <= length; i += i & (~i + 1)) ++tree[i];
  };
  auto below = [&tree](size_t position) {  // handled positions in [0, position)
    uint64_t sum = 0;
    for (size_t i = position; i > 0; i -= i & (~i + 1)) sum += tree[i];
    return sum;
  };
  uint32_t basic = 0;
  for (size_t i = 0; i < length; ++i) {
    if (input[i] < 0x80) {
      out.push_back(static_cast<char>(input[i]));
      add(i);
      ++basic;
    } else {
      occurrences.emplace_back(input[i], static_cast<uint32_t>(i));
    }
  }
  if (basic > 0) out.push_back('-');
  std::sort(occurrences.begin(), occurrences.end());

  uint64_t n = kInitialN;
  uint64_t delta = 0;
  uint32_t bias = kInitialBias;
  uint32_t handled = basic;
  for (size_t k = 0; k < occurrences.size();) {
    const char32_t m = occurrences[k].first;
    delta += (m - n) * (handled + uint64_t{1});
    if (delta > kMaxInt) return false;
    n = m;
    size_t previous = 0;
    const size_t group_start = k;
    for (; k < occurrences.size() && occurrences[k].first == m; ++k) {
      const size_t position = occurrences[k].second;
      delta += below(position) - below(previous);
      if (delta > kMaxInt) return false;
      uint32_t q = static_cast<uint32_t>(delta);
      for (uint32_t base_k = kBase;; base_k += kBase) {
        uint32_t t = threshold(base_k, bias);
        if (q < t) break;
        out.push_back(encode_digit(t + (q - t) % (kBase - t)));
        q = (q - t) / (kBase - t);
      }
      out.push_back(encode_digit(q));
      bias = adapt(static_cast<uint32_t>(delta), handled + 1, handled == basic);
      delta = 0;
      ++handled;
      previous = position + 1;
    }
    delta += below(length) - below(previous) + 1;
    if (delta > kMaxInt) return false;
    ++n;
    for (size_t j = group_start; j < k; ++j) add(occurrences[j].second);
  }
  return true;
}

bool punycode_decode(std::string_view input, std::u32string& out) {
  uint32_t n = kInitialN;
  uint32_t i = 0;
  uint32_t bias = kInitialBias;
  size_t delimiter = input.rfind('-');
  size_t pos = 0;
  if (delimiter != std::string_view::npos) {
    for (size_t j = 0; j < delimiter; ++j) {
      if (static_cast<unsigned char>(input[j]) >= 0x80) return false;
      out.push_back(static_cast<unsigned char>(input[j]));
    }
    pos = delimiter + 1;
  }
  while (pos < input.size()) {
    uint32_t old_i = i;
    uint32_t w = 1;
    for (uint32_t k = kBase;; k += kBase) {
      if (pos >= input.size()) return false;
      int digit = decode_digit(input[pos++]);
      if (digit < 0) return false;
      uint32_t d = static_cast<uint32_t>(digit);
      if (d > (kMaxInt - i) / w) return false;
      i += d * w;
      uint32_t t = threshold(k, bias);
      if (d < t) break;
      if (w > kMaxInt / (kBase - t)) return false;
      w *= kBase - t;
    }
    uint32_t length = static_cast<uint32_t>(out.size()) + 1;
    bias = adapt(i - old_i, length, old_i == 0);
    if (i / length > kMaxInt - n) return false;
    n += i / length;
    i %= length;
    if (n < 0x80 || n > 0x10FFFF) return false;
    out.insert(out.begin() + i, static_cast<char32_t>(n));
    ++i;
  }
  return true;
}

Result<std::string> domain_to_ascii(std::string_view domain) {
  // 3.3 domain to ASCII step 1: an ASCII domain is only ASCII-lowercased; UTS #46 (and its
  // checks of "xn--" labels) applies to domains with a non-ASCII code point.
  bool ascii = true;
  for (char c : domain) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return str::to_lower(domain);

  std::u32string code_points;
  code_points.reserve(domain.size());
  const char* p = domain.data();
  const char* end = p + domain.size();
  while (p < end) {
    size_t len = 0;
    code_points.push_back(utf8::decode(p, end, &len));
    p += len;
  }

  // UTS #46 section 4 Processing: 1 Map, 2 Normalize, 3 Break, 4 Convert/Validate.
  std::u32string mapped;
  mapped.reserve(code_points.size());
  if (!map_code_points(code_points, mapped)) return idna_error("disallowed code point", domain);
  std::u32string normalized = to_nfc(mapped);

  std::vector<std::u32string> labels;
  bool bidi_domain = false;
  for (size_t start = 0; start <= normalized.size();) {
    size_t dot = normalized.find(U'.', start);
    if (dot == std::u32string::npos) dot = normalized.size();
    std::u32string_view label(normalized.data() + start, dot - start);
    start = dot + 1;
    std::u32string unicode_label;
    if (has_xn_prefix(label)) {
      std::string ascii_label;
      for (char32_t cp : label) {
        if (cp >= 0x80) return idna_error("non-ASCII punycode label", domain);
        ascii_label.push_back(static_cast<char>(cp));
      }
      if (!punycode_decode(std::string_view(ascii_label).substr(4), unicode_label)) {
        return idna_error("invalid punycode", domain);
      }
      bool all_ascii = true;
      for (char32_t cp : unicode_label) all_ascii = all_ascii && cp < 0x80;
      if (unicode_label.empty() || all_ascii) return idna_error("invalid punycode", domain);
      if (!label_is_valid(unicode_label, /*check_nfc=*/true)) {
        return idna_error("invalid label", domain);
      }
    } else {
      if (!label_is_valid(label, /*check_nfc=*/false)) return idna_error("invalid label", domain);
      unicode_label.assign(label);
    }
    for (char32_t cp : unicode_label) {
      if (cp < 0x590) continue;  // No R, AL or AN code point precedes Hebrew.
      uint8_t b = bidi_class(cp);
      if (b == idna_data::kBidiR || b == idna_data::kBidiAL || b == idna_data::kBidiAN) {
        bidi_domain = true;
      }
    }
    labels.push_back(std::move(unicode_label));
  }
  if (bidi_domain) {
    for (const auto& label : labels) {
      if (!satisfies_bidi_rule(label)) return idna_error("bidi rule", domain);
    }
  }

  // UTS #46 section 4.2 ToASCII step 3.
  std::string out;
  out.reserve(domain.size() + 8);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.push_back('.');
    const auto& label = labels[i];
    bool all_ascii = true;
    for (char32_t cp : label) all_ascii = all_ascii && cp < 0x80;
    if (all_ascii) {
      for (char32_t cp : label) out.push_back(static_cast<char>(cp));
    } else {
      out.append("xn--");
      if (!punycode_encode(label, out)) return idna_error("punycode overflow", domain);
    }
  }
  return out;
}

}  // namespace riptide::url
