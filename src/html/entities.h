#pragma once

#include <cstddef>
#include <string_view>

namespace riptide::html {

// The longest named character reference name, including its ';' (HTML 13.5).
inline constexpr size_t kMaxEntityNameLength = 32;

struct EntityMatch {
  size_t length = 0;           // bytes of the name consumed (0: no entity matched)
  std::string_view expansion;  // UTF-8; static storage
  bool semicolon = false;      // the matched name ends in ';'
};

// Finds the longest name in the named character reference table that is a prefix of `s` (`s`
// starts just after the '&'). Implements the "consume the maximum number of characters possible"
// step of 13.2.5.73 Named character reference state. Examines at most kMaxEntityNameLength bytes.
EntityMatch match_named_entity(std::string_view s);

}  // namespace riptide::html
