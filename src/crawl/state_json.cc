#include "crawl/state_json.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace riptide::crawl {

namespace {

using Json = nlohmann::json;

// Reads one document's fields, remembering the first problem. Each accessor returns a neutral
// value after a failure, so a reader runs to its end and reports only the first error.
class Reader {
 public:
  explicit Reader(std::string_view what) : what_(what) {}

  bool failed() const { return error_.has_value(); }
  Error error() const { return Error(ErrorCode::kInvalidArgument, *error_); }

  void fail(const std::string& where, std::string_view problem) {
    if (!error_) error_ = std::string(what_) + ": " + where + ": " + std::string(problem);
  }

  // The root: an object with exactly the members `names` (none missing, none unknown).
  template <size_t N>
  bool members(const Json& root, const std::array<std::string_view, N>& names) {
    if (!root.is_object()) {
      fail("document", "not a JSON object");
      return false;
    }
    for (std::string_view name : names) {
      if (!root.contains(name)) fail(std::string(name), "missing");
    }
    for (const auto& member : root.items()) {
      bool known = false;
      for (std::string_view name : names) known = known || member.key() == name;
      if (!known) fail(member.key(), "unknown member");
    }
    return !failed();
  }

  // A non-negative integer up to `max`. Fractions, exponents and negative numbers are refused
  // (nlohmann parses them as float or signed).
  uint64_t unsigned_number(const Json& value, const std::string& where,
                           uint64_t max = std::numeric_limits<uint64_t>::max()) {
    if (!value.is_number_unsigned()) {
      fail(where, "expected a non-negative integer");
      return 0;
    }
    uint64_t number = value.get<uint64_t>();
    if (number > max) {
      fail(where, "larger than " + std::to_string(max));
      return 0;
    }
    return number;
  }

  std::string string(const Json& value, const std::string& where) {
    if (!value.is_string()) {
      fail(where, "expected a string");
      return {};
    }
    return value.get<std::string>();
  }

  // An array; nullptr (after recording why) otherwise.
  const Json::array_t* array(const Json& value, const std::string& where,
                             std::optional<size_t> size = std::nullopt) {
    if (!value.is_array()) {
      fail(where, "expected an array");
      return nullptr;
    }
    const Json::array_t& elements = value.get_ref<const Json::array_t&>();
    if (size && elements.size() != *size) {
      fail(where, "expected " + std::to_string(*size) + " elements");
      return nullptr;
    }
    return &elements;
  }

  std::vector<std::string> strings(const Json& value, const std::string& where) {
    std::vector<std::string> out;
    const Json::array_t* elements = array(value, where);
    if (elements == nullptr) return out;
    out.reserve(elements->size());
    for (size_t i = 0; i < elements->size() && !failed(); ++i) {
      out.push_back(string((*elements)[i], at(where, i)));
    }
    return out;
  }

  static std::string at(const std::string& where, size_t index) {
    return where + "[" + std::to_string(index) + "]";
  }

 private:
  std::string_view what_;
  std::optional<std::string> error_;
};

// Parses `json` (at most `max_bytes`) into a tree; discarded (with the reason in `reader`) when it
// is not JSON. No exceptions: nlohmann's non-throwing parse.
Json parse(std::string_view json, size_t max_bytes, Reader& reader) {
  if (json.size() > max_bytes) {
    reader.fail("document", "longer than " + std::to_string(max_bytes) + " bytes");
    return Json(Json::value_t::discarded);
  }
  Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) reader.fail("document", "not valid JSON");
  return root;
}

// Invalid UTF-8 cannot come from canonical URLs, but dump() would throw on it: replaced instead.
std::string dump(const Json& root) {
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

constexpr std::array<std::string_view, 7> kFrontierMembers = {
    "v", "seeds", "pending", "finished", "handed_out", "budget_used", "host_delays_ms"};

constexpr std::array<std::string_view, 8> kProgressMembers = {
    "pages_done", "pages_failed", "pages_skipped", "duplicates",
    "queued",     "in_flight",    "bytes_fetched", "elapsed_ms"};

}  // namespace

std::string frontier_state_to_json(const FrontierState& state) {
  Json pending = Json::array();
  for (const FrontierState::Entry& entry : state.pending) {
    pending.push_back(Json::array({entry.url, entry.depth, entry.attempts}));
  }
  Json host_delays = Json::array();
  for (const auto& [host, delay_ms] : state.host_delays_ms) {
    // A negative delay means none (set_host_delay clamps); written as 0 so it reads back.
    host_delays.push_back(
        Json::array({host, static_cast<uint64_t>(std::max<int64_t>(delay_ms, 0))}));
  }
  Json root = Json::object();
  root["v"] = kFrontierStateVersion;
  root["seeds"] = state.seeds;
  root["pending"] = std::move(pending);
  root["finished"] = state.finished;
  root["handed_out"] = state.pages_handed_out;
  root["budget_used"] = state.budget_used;
  root["host_delays_ms"] = std::move(host_delays);
  return dump(root);
}

Result<FrontierState> frontier_state_from_json(std::string_view json) {
  Reader reader("frontier state");
  Json root = parse(json, kMaxFrontierStateJsonBytes, reader);
  if (reader.failed() || !reader.members(root, kFrontierMembers)) return reader.error();

  if (uint64_t version = reader.unsigned_number(root["v"], "v");
      !reader.failed() && version != kFrontierStateVersion) {
    reader.fail("v", "version " + std::to_string(version) + " is not " +
                         std::to_string(kFrontierStateVersion));
  }
  FrontierState state;
  state.seeds = reader.strings(root["seeds"], "seeds");
  if (const Json::array_t* pending = reader.array(root["pending"], "pending")) {
    state.pending.reserve(pending->size());
    for (size_t i = 0; i < pending->size() && !reader.failed(); ++i) {
      std::string where = Reader::at("pending", i);
      const Json::array_t* entry = reader.array((*pending)[i], where, 3);
      if (entry == nullptr) break;
      FrontierState::Entry& out = state.pending.emplace_back();
      out.url = reader.string((*entry)[0], where + "[0]");
      out.depth = static_cast<uint32_t>(
          reader.unsigned_number((*entry)[1], where + "[1]", std::numeric_limits<uint32_t>::max()));
      out.attempts = static_cast<uint32_t>(
          reader.unsigned_number((*entry)[2], where + "[2]", std::numeric_limits<uint32_t>::max()));
    }
  }
  state.finished = reader.strings(root["finished"], "finished");
  state.pages_handed_out = reader.unsigned_number(root["handed_out"], "handed_out");
  if (const Json::array_t* used = reader.array(root["budget_used"], "budget_used")) {
    state.budget_used.reserve(used->size());
    for (size_t i = 0; i < used->size() && !reader.failed(); ++i) {
      state.budget_used.push_back(reader.unsigned_number((*used)[i], Reader::at("budget_used", i)));
    }
  }
  if (const Json::array_t* delays = reader.array(root["host_delays_ms"], "host_delays_ms")) {
    for (size_t i = 0; i < delays->size() && !reader.failed(); ++i) {
      std::string where = Reader::at("host_delays_ms", i);
      const Json::array_t* entry = reader.array((*delays)[i], where, 2);
      if (entry == nullptr) break;
      std::string host = reader.string((*entry)[0], where + "[0]");
      auto delay_ms = static_cast<int64_t>(reader.unsigned_number(
          (*entry)[1], where + "[1]", static_cast<uint64_t>(std::numeric_limits<int64_t>::max())));
      state.host_delays_ms.emplace_back(std::move(host), delay_ms);
    }
  }
  if (reader.failed()) return reader.error();
  return state;
}

std::string progress_to_json(const CrawlProgress& progress) {
  Json root = Json::object();
  root["pages_done"] = progress.pages_done;
  root["pages_failed"] = progress.pages_failed;
  root["pages_skipped"] = progress.pages_skipped;
  root["duplicates"] = progress.duplicates;
  root["queued"] = progress.queued;
  root["in_flight"] = progress.in_flight;
  root["bytes_fetched"] = progress.bytes_fetched;
  root["elapsed_ms"] = static_cast<uint64_t>(std::max<int64_t>(progress.elapsed.count(), 0));
  return dump(root);
}

Result<CrawlProgress> progress_from_json(std::string_view json) {
  Reader reader("crawl progress");
  Json root = parse(json, kMaxProgressJsonBytes, reader);
  if (reader.failed() || !reader.members(root, kProgressMembers)) return reader.error();
  CrawlProgress progress;
  progress.pages_done = reader.unsigned_number(root["pages_done"], "pages_done");
  progress.pages_failed = reader.unsigned_number(root["pages_failed"], "pages_failed");
  progress.pages_skipped = reader.unsigned_number(root["pages_skipped"], "pages_skipped");
  progress.duplicates = reader.unsigned_number(root["duplicates"], "duplicates");
  progress.queued = reader.unsigned_number(root["queued"], "queued");
  progress.in_flight = reader.unsigned_number(root["in_flight"], "in_flight");
  progress.bytes_fetched = reader.unsigned_number(root["bytes_fetched"], "bytes_fetched");
  progress.elapsed = std::chrono::milliseconds(static_cast<int64_t>(reader.unsigned_number(
      root["elapsed_ms"], "elapsed_ms",
      static_cast<uint64_t>(std::numeric_limits<std::chrono::milliseconds::rep>::max()))));
  if (reader.failed()) return reader.error();
  return progress;
}

}  // namespace riptide::crawl
