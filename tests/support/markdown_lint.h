#pragma once

// Checks of the Markdown renderer's output promises, shared by the corpus test and the
// markdown_render_fuzz fuzzer: outside fenced code blocks no line ends in whitespace and blank
// lines never repeat.
#include <cstddef>
#include <string>
#include <string_view>

namespace riptide::testing_support {

// Removes what container blocks put before a line's content: indentation, "> " and list
// markers ("- ", "* ", "12. ", "3) ").
inline void strip_container_prefixes(std::string_view& line) {
  while (!line.empty()) {
    if (line.front() == ' ' || line.front() == '>') {
      line.remove_prefix(1);
      continue;
    }
    size_t digits = 0;
    while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
    size_t marker = digits;
    if (marker < line.size() && ((digits == 0 && (line[0] == '-' || line[0] == '*')) ||
                                 (digits > 0 && (line[marker] == '.' || line[marker] == ')')))) {
      if (marker + 1 < line.size() && line[marker + 1] == ' ') {
        line.remove_prefix(marker + 2);
        continue;
      }
    }
    break;
  }
}

// Returns "" when `md` keeps the promises, else a description of the first violation.
inline std::string markdown_lint(std::string_view md) {
  size_t fence = 0;  // length of the open code fence, 0 outside code
  int blank_run = 0;
  size_t pos = 0;
  while (pos <= md.size()) {
    size_t nl = md.find('\n', pos);
    if (nl == std::string_view::npos) nl = md.size();
    std::string_view line = md.substr(pos, nl - pos);
    std::string_view body = line;
    strip_container_prefixes(body);
    size_t ticks = 0;
    while (ticks < body.size() && body[ticks] == '`') ++ticks;
    // An opening fence's info string has no backticks (CommonMark 4.5): such a line is a code
    // span, not a fence.
    bool opens = ticks >= 3 && body.find('`', ticks) == std::string_view::npos;
    if (fence == 0 && opens) {
      fence = ticks;
      blank_run = 0;
    } else if (fence != 0 && ticks >= fence && ticks == body.size()) {
      fence = 0;
    } else if (fence == 0) {
      if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
        return "trailing whitespace: \"" + std::string(line) + "\"";
      }
      blank_run = body.empty() ? blank_run + 1 : 0;
      if (blank_run > 1) return "two blank lines before offset " + std::to_string(pos);
    }
    pos = nl + 1;
  }
  return {};
}

}  // namespace riptide::testing_support
