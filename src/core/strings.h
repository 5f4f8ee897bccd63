#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace riptide::str {

// ASCII-only helpers: HTML and URL syntax is ASCII case-insensitive, never locale dependent.
constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
constexpr char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}
constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
constexpr bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// HTML "ASCII whitespace": TAB, LF, FF, CR, SPACE.
constexpr bool is_html_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
constexpr int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_lower(std::string_view s);
void to_lower_in_place(std::string& s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
bool iends_with(std::string_view s, std::string_view suffix);
bool icontains(std::string_view haystack, std::string_view needle);

// Trims HTML whitespace at both ends.
std::string_view trim(std::string_view s);
// Splits on HTML whitespace, dropping empty pieces.
std::vector<std::string_view> split_whitespace(std::string_view s);
// Splits on `sep`, keeping empty pieces.
std::vector<std::string_view> split(std::string_view s, char sep);
// Collapses runs of HTML whitespace into one space and trims.
std::string collapse_whitespace(std::string_view s);
// Parses a non-negative decimal integer that fits in uint64; nullopt otherwise.
std::optional<uint64_t> parse_uint(std::string_view s);
// Replaces every occurrence of `from` (non-empty) with `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace riptide::str
