#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace riptide::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Appends the UTF-8 encoding of `cp` to `out`. Surrogates and values above U+10FFFF are encoded
// as U+FFFD. Returns the number of bytes written (1..4).
size_t encode(char32_t cp, char* out);
void append(std::string& out, char32_t cp);

// Decodes one code point from [p, end). On malformed input returns U+FFFD and consumes the
// maximal invalid subpart (WHATWG "UTF-8 decode" behaviour); `*len` receives the bytes consumed
// (at least 1 when p < end).
char32_t decode(const char* p, const char* end, size_t* len);

// Returns the byte offset of the first invalid sequence, or s.size() when all of `s` is valid.
size_t find_invalid(std::string_view s);
inline bool is_valid(std::string_view s) {
  return find_invalid(s) == s.size();
}

// Copies `s` replacing every invalid sequence with U+FFFD.
std::string sanitize(std::string_view s);

// Number of code points (invalid sequences count one each).
size_t length(std::string_view s);

}  // namespace riptide::utf8
