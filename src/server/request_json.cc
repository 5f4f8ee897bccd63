#include "server/request_json.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "html/selector.h"
#include "url/url.h"

namespace riptide::server::request_json {

namespace {

// Bytes of a caller's value quoted back in an error message; the rest is elided.
constexpr size_t kMaxEchoBytes = 96;

// True when brackets outside strings open more than `max_depth` deep. A linear scan with no
// allocation, run before the parser builds anything.
bool nesting_exceeds(std::string_view body, uint32_t max_depth) {
  uint32_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

// `s` in double quotes, cut to kMaxEchoBytes on a UTF-8 character boundary so the message stays
// valid UTF-8 (the request's strings were validated by the JSON parser).
std::string quote(std::string_view s) {
  std::string out = "\"";
  if (s.size() <= kMaxEchoBytes) {
    out += s;
  } else {
    size_t end = kMaxEchoBytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    out += s.substr(0, end);
    out += "…";
  }
  out += '"';
  return out;
}

Result<Json> parse_object(std::string_view body) {
  if (nesting_exceeds(body, kMaxRequestJsonDepth)) {
    return invalid("request body nests more than " + std::to_string(kMaxRequestJsonDepth) +
                   " levels deep");
  }
  // Exceptions off: a malformed body (or invalid UTF-8 in a string) comes back discarded.
  Json json = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return invalid("request body is not valid JSON");
  if (!json.is_object()) return invalid("request body must be a JSON object");
  return json;
}

Status check_fields(const Json& object, std::initializer_list<std::string_view> known,
                    Dialect dialect, std::string_view where) {
  if (dialect == Dialect::kCompat) return {};
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return invalid("unknown field " + quote(std::string(where) + item.key()));
    }
  }
  return {};
}

const Json* member(const Json& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

Result<std::string> decode_url(const Json& value, const std::string& field) {
  if (!value.is_string()) return invalid(field + " must be a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty()) return invalid(field + " must not be empty");
  Result<url::Url> parsed = url::parse(text);
  if (!parsed.ok()) return invalid(field + " is not a valid URL: " + quote(text));
  if (parsed->scheme_type() != url::Scheme::kHttp && parsed->scheme_type() != url::Scheme::kHttps) {
    return invalid(field + " must be an http or https URL: " + quote(text));
  }
  return std::string(parsed->href());
}

Result<uint64_t> decode_count(const Json& value, const std::string& field, uint64_t min,
                              uint64_t max) {
  bool in_range = false;
  uint64_t n = 0;
  if (value.is_number_unsigned()) {
    n = value.get<uint64_t>();
    in_range = n >= min && n <= max;
  } else if (value.is_number_integer()) {
    int64_t signed_n = value.get<int64_t>();
    in_range = signed_n >= 0 && static_cast<uint64_t>(signed_n) >= min &&
               static_cast<uint64_t>(signed_n) <= max;
    n = in_range ? static_cast<uint64_t>(signed_n) : 0;
  }
  if (!in_range) {
    return invalid(field + " must be a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max));
  }
  return n;
}

Status decode_options(const Json& object, const std::string& prefix, ExtractOptions* out) {
  if (const Json* mode = member(object, "mode")) {
    if (!mode->is_string() ||
        !extract::parse_mode(mode->get_ref<const std::string&>(), &out->mode)) {
      return invalid(prefix + "mode must be one of article, full, metadata, custom");
    }
  }
  if (const Json* selectors = member(object, "selectors")) {
    if (!selectors->is_array()) {
      return invalid(prefix + "selectors must be an array of CSS selector strings");
    }
    if (selectors->size() > kMaxSelectors) {
      return invalid(prefix + "selectors has " + std::to_string(selectors->size()) +
                     " entries; at most " + std::to_string(kMaxSelectors) + " are allowed");
    }
    for (size_t i = 0; i < selectors->size(); ++i) {
      const Json& selector = (*selectors)[i];
      std::string field = prefix + "selectors[" + std::to_string(i) + "]";
      if (!selector.is_string()) return invalid(field + " must be a string");
      const auto& text = selector.get_ref<const std::string&>();
      auto parsed = html::parse_selector_list(text);
      if (!parsed.ok()) {
        return invalid(field + " is not a valid CSS selector: " + parsed.error().message());
      }
      out->selectors.push_back(text);
    }
  }
  if (out->mode == extract::Mode::kCustom && out->selectors.empty()) {
    return invalid(prefix + "selectors are required with mode custom (at least one CSS selector)");
  }
  if (out->mode != extract::Mode::kCustom && !out->selectors.empty()) {
    return invalid(prefix + "selectors are only used with mode custom");
  }
  if (const Json* formats = member(object, "formats")) {
    if (!formats->is_array() || formats->empty()) {
      return invalid(prefix +
                     "formats must be a non-empty array of markdown, text, html, links, media, "
                     "metadata");
    }
    out->formats = 0;
    for (size_t i = 0; i < formats->size(); ++i) {
      const Json& format = (*formats)[i];
      bool known = false;
      if (format.is_string()) {
        for (Format f : {Format::kMarkdown, Format::kText, Format::kHtml, Format::kLinks,
                         Format::kMedia, Format::kMetadata}) {
          if (format.get_ref<const std::string&>() == format_name(f)) {
            out->formats |= static_cast<FormatSet>(f);
            known = true;
          }
        }
      }
      if (!known) {
        return invalid(prefix + "formats[" + std::to_string(i) +
                       "] must be one of markdown, text, html, links, media, metadata");
      }
    }
  }
  if (const Json* max_age = member(object, "max_age")) {
    Result<uint64_t> seconds =
        decode_count(*max_age, prefix + "max_age", 0, std::numeric_limits<uint64_t>::max());
    if (!seconds.ok()) return seconds.error();
    out->max_age = std::chrono::seconds(
        std::min<uint64_t>(*seconds, static_cast<uint64_t>(kMaxCacheAge.count())));
  }
  return {};
}

}  // namespace riptide::server::request_json
