#include "response_parsing.h"

#include <cstdlib>

namespace riptide::testing {
namespace {

// Splits at "\r\n", "\n" or "\r" (the SSE spec accepts all three).
std::vector<std::string_view> split_lines(std::string_view text, bool* last_terminated) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  *last_terminated = true;
  while (start < text.size()) {
    const size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      *last_terminated = false;
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') ++start;
  }
  return lines;
}

// One Prometheus sample line: `name{a="x",b="y"} value [timestamp]`.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::optional<Sample> parse_sample(std::string_view line) {
  Sample sample;
  size_t pos = line.find_first_of("{ ");
  if (pos == std::string_view::npos || pos == 0) return std::nullopt;
  sample.name = std::string(line.substr(0, pos));
  if (line[pos] == '{') {
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      const size_t eq = line.find('=', pos);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
        return std::nullopt;
      }
      std::string label(line.substr(pos, eq - pos));
      std::string value;
      size_t i = eq + 2;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value += line[i] == 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
      }
      if (i >= line.size()) return std::nullopt;
      sample.labels.emplace(std::move(label), std::move(value));
      pos = i + 1;
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) return std::nullopt;
    ++pos;  // '}'
  }
  const std::string rest(line.substr(pos));
  char* end = nullptr;
  sample.value = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str()) return std::nullopt;
  return sample;
}

}  // namespace

std::vector<SseEvent> parse_sse(std::string_view body) {
  std::vector<SseEvent> events;
  bool last_terminated = true;
  SseEvent current;
  bool has_data = false;
  for (std::string_view line : split_lines(body, &last_terminated)) {
    if (line.empty()) {
      if (has_data) events.push_back(std::move(current));
      current = SseEvent();
      has_data = false;
      continue;
    }
    if (line.front() == ':') continue;
    const size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") {
      current.event = std::string(value);
    } else if (field == "data") {
      if (has_data) current.data += '\n';
      current.data += value;
      has_data = true;
    } else if (field == "id") {
      current.id = std::string(value);
    }
  }
  return events;
}

std::optional<double> metric_value(std::string_view exposition, std::string_view name,
                                   const std::map<std::string, std::string>& labels) {
  bool last_terminated = true;
  std::optional<double> sum;
  for (std::string_view line : split_lines(exposition, &last_terminated)) {
    if (line.empty() || line.front() == '#') continue;
    std::optional<Sample> sample = parse_sample(line);
    if (!sample || sample->name != name) continue;
    bool matches = true;
    for (const auto& [label, value] : labels) {
      auto it = sample->labels.find(label);
      matches = matches && it != sample->labels.end() && it->second == value;
    }
    if (matches) sum = sum.value_or(0) + sample->value;
  }
  return sum;
}

}  // namespace riptide::testing
