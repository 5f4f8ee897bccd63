#include "url/percent_encode.h"

#include <array>

#include "core/strings.h"

namespace riptide::url {
namespace {

// One bit per EncodeSet for every byte, built at compile time.
constexpr std::array<uint8_t, 256> build_sets() {
  std::array<uint8_t, 256> t{};
  auto add = [&t](EncodeSet from, std::string_view bytes) {
    for (char c : bytes) {
      for (int s = static_cast<int>(from); s <= static_cast<int>(EncodeSet::kFormUrlencoded); ++s) {
        // Each set contains the sets listed before it, except that kSpecialQuery's ' is in no
        // later set (kPath and its descendants derive from kQuery).
        if (from == EncodeSet::kSpecialQuery && s != static_cast<int>(EncodeSet::kSpecialQuery)) {
          continue;
        }
        t[static_cast<uint8_t>(c)] |= static_cast<uint8_t>(1u << s);
      }
    }
  };
  for (int b = 0; b < 256; ++b) {
    if (b < 0x20 || b > 0x7E) t[b] = 0xFF;
  }
  // The fragment set derives from the C0 control set only.
  for (char c : std::string_view(" \"<>`")) {
    t[static_cast<uint8_t>(c)] |= 1u << static_cast<int>(EncodeSet::kFragment);
  }
  add(EncodeSet::kQuery, " \"#<>");
  add(EncodeSet::kSpecialQuery, "'");
  add(EncodeSet::kPath, "?^`{}");
  add(EncodeSet::kUserinfo, "/:;=@[\\]|");
  add(EncodeSet::kComponent, "$%&+,");
  add(EncodeSet::kFormUrlencoded, "!'()~");
  return t;
}

constexpr std::array<uint8_t, 256> kSets = build_sets();

constexpr char kHex[] = "0123456789ABCDEF";

}  // namespace

bool in_encode_set(uint8_t byte, EncodeSet set) {
  return (kSets[byte] >> static_cast<int>(set)) & 1u;
}

void percent_encode_append(std::string& out, std::string_view input, EncodeSet set) {
  const uint8_t mask = static_cast<uint8_t>(1u << static_cast<int>(set));
  // Copies runs of bytes that need no encoding in one append.
  size_t start = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    auto b = static_cast<uint8_t>(input[i]);
    if ((kSets[b] & mask) == 0) continue;
    out.append(input.data() + start, i - start);
    const char escape[3] = {'%', kHex[b >> 4], kHex[b & 0xF]};
    out.append(escape, 3);
    start = i + 1;
  }
  out.append(input.data() + start, input.size() - start);
}

std::string percent_encode(std::string_view input, EncodeSet set) {
  std::string out;
  out.reserve(input.size());
  percent_encode_append(out, input, set);
  return out;
}

std::string percent_decode(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c == '%' && i + 2 < input.size() && str::is_hex_digit(input[i + 1]) &&
        str::is_hex_digit(input[i + 2])) {
      out.push_back(
          static_cast<char>(str::hex_value(input[i + 1]) * 16 + str::hex_value(input[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace riptide::url
