#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Reading what riptide serve sends the way a client would: Server-Sent Events
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
// and the Prometheus text exposition format.
namespace riptide::testing {

struct SseEvent {
  std::string event = "message";  // the spec's default type when no "event:" field is given
  std::string data;               // "data:" lines joined with '\n'
  std::string id;
};

// Events in order; comments (":...") ignored; an unterminated last event is dropped, as a
// browser would.
std::vector<SseEvent> parse_sse(std::string_view body);

// The sum of the samples of `name` whose labels include every entry of `labels` (exact name:
// a histogram's "_count" series is asked for by that name); nullopt when no sample matches.
std::optional<double> metric_value(std::string_view exposition, std::string_view name,
                                   const std::map<std::string, std::string>& labels = {});

}  // namespace riptide::testing
