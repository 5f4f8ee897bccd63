#include "server/api_request.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <utility>

#include "html/selector.h"
#include "url/url.h"

namespace riptide::server {

namespace {

using Json = nlohmann::json;

// Bytes of a caller's value quoted back in an error message; the rest is elided.
constexpr size_t kMaxEchoBytes = 96;
// Per-key limits given over the API: far above any sane value, low enough that the token bucket's
// arithmetic stays exact.
constexpr uint64_t kMaxKeyLimit = 1'000'000;

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

// kV1: a member of `object` not in `known` is an error naming it (`where` prefixes the name,
// e.g. "items[3]."). kCompat: ignored.
Status check_fields(const Json& object, std::initializer_list<std::string_view> known,
                    Dialect dialect, std::string_view where = {}) {
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

// A whole number in [min, max], or an error "<field> must be ...".
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

// The members every extraction request may carry: mode, selectors, formats, max_age. `prefix`
// names where they sit ("options." in a crawl body).
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

Status decode_concurrency(const Json& object, const std::string& prefix, const ServerConfig& config,
                          uint32_t* out) {
  *out = std::min(config.default_batch_concurrency, config.max_batch_concurrency);
  const Json* value = member(object, "concurrency");
  if (value == nullptr) return {};
  Result<uint64_t> n =
      decode_count(*value, prefix + "concurrency", 1, std::numeric_limits<uint32_t>::max());
  if (!n.ok()) return n.error();
  *out = static_cast<uint32_t>(std::min<uint64_t>(*n, config.max_batch_concurrency));
  return {};
}

Status check_batch_size(size_t size, const std::string& field, const ServerConfig& config) {
  if (size == 0) return invalid(field + " must not be empty");
  if (size > config.max_batch_items) {
    return invalid(field + " has " + std::to_string(size) + " entries; at most " +
                   std::to_string(config.max_batch_items) + " are allowed");
  }
  return {};
}

Status decode_urls(const Json& urls, const ServerConfig& config, std::vector<PageInput>* out) {
  if (!urls.is_array()) return invalid("urls must be an array of URL strings");
  if (Status size = check_batch_size(urls.size(), "urls", config); !size.ok()) return size;
  out->reserve(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) {
    Result<std::string> url = decode_url(urls[i], "urls[" + std::to_string(i) + "]");
    if (!url.ok()) return url.error();
    out->push_back(PageInput{std::move(*url), std::nullopt});
  }
  return {};
}

Status decode_items(const Json& items, Dialect dialect, const ServerConfig& config,
                    std::vector<PageInput>* out) {
  if (!items.is_array()) return invalid("items must be an array of {url, html?} objects");
  if (Status size = check_batch_size(items.size(), "items", config); !size.ok()) return size;
  out->reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    std::string field = "items[" + std::to_string(i) + "]";
    const Json& item = items[i];
    if (!item.is_object()) return invalid(field + " must be an object {url, html?}");
    if (Status known = check_fields(item, {"url", "html"}, dialect, field + "."); !known.ok()) {
      return known;
    }
    const Json* url = member(item, "url");
    if (url == nullptr) return invalid(field + ".url is required");
    Result<std::string> href = decode_url(*url, field + ".url");
    if (!href.ok()) return href.error();
    PageInput page{std::move(*href), std::nullopt};
    if (const Json* html = member(item, "html")) {
      if (!html->is_string()) return invalid(field + ".html must be a string");
      page.html = html->get<std::string>();
    }
    out->push_back(std::move(page));
  }
  return {};
}

}  // namespace

std::string_view format_name(Format format) {
  switch (format) {
    case Format::kMarkdown:
      return "markdown";
    case Format::kText:
      return "text";
    case Format::kHtml:
      return "html";
    case Format::kLinks:
      return "links";
    case Format::kMedia:
      return "media";
    case Format::kMetadata:
      return "metadata";
  }
  return "";
}

Result<ExtractRequest> decode_extract_request(std::string_view body, Dialect dialect) {
  Result<Json> json = parse_object(body);
  if (!json.ok()) return json.error();
  if (Status known =
          check_fields(*json, {"url", "html", "mode", "selectors", "formats", "max_age"}, dialect);
      !known.ok()) {
    return known.error();
  }
  ExtractRequest request;
  const Json* url = member(*json, "url");
  const Json* html = member(*json, "html");
  if (url == nullptr && html == nullptr) return invalid("either url or html is required");
  if (url != nullptr) {
    Result<std::string> href = decode_url(*url, "url");
    if (!href.ok()) return href.error();
    request.page.url = std::move(*href);
  }
  if (html != nullptr) {
    if (!html->is_string()) return invalid("html must be a string");
    request.page.html = html->get<std::string>();
  }
  if (Status options = decode_options(*json, "", &request.options); !options.ok()) {
    return options.error();
  }
  return request;
}

Result<BatchRequest> decode_batch_request(std::string_view body, Dialect dialect,
                                          const ServerConfig& config) {
  Result<Json> json = parse_object(body);
  if (!json.ok()) return json.error();
  if (Status known = check_fields(
          *json, {"urls", "items", "mode", "selectors", "formats", "concurrency", "max_age"},
          dialect);
      !known.ok()) {
    return known.error();
  }
  BatchRequest request;
  const Json* urls = member(*json, "urls");
  const Json* items = member(*json, "items");
  if (urls != nullptr && items != nullptr) return invalid("give either urls or items, not both");
  if (urls == nullptr && items == nullptr) return invalid("either urls or items is required");
  Status pages = urls != nullptr ? decode_urls(*urls, config, &request.items)
                                 : decode_items(*items, dialect, config, &request.items);
  if (!pages.ok()) return pages.error();
  if (Status options = decode_options(*json, "", &request.options); !options.ok()) {
    return options.error();
  }
  if (Status concurrency = decode_concurrency(*json, "", config, &request.concurrency);
      !concurrency.ok()) {
    return concurrency.error();
  }
  return request;
}

Result<BatchRequest> decode_crawl_request(std::string_view body, const ServerConfig& config) {
  Result<Json> json = parse_object(body);
  if (!json.ok()) return json.error();
  BatchRequest request;
  const Json* urls = member(*json, "urls");
  if (urls == nullptr) return invalid("urls is required");
  if (Status pages = decode_urls(*urls, config, &request.items); !pages.ok()) {
    return pages.error();
  }
  request.concurrency = std::min(config.default_batch_concurrency, config.max_batch_concurrency);
  if (const Json* options = member(*json, "options")) {
    if (!options->is_object()) return invalid("options must be an object");
    if (Status decoded = decode_options(*options, "options.", &request.options); !decoded.ok()) {
      return decoded.error();
    }
    if (Status concurrency = decode_concurrency(*options, "options.", config, &request.concurrency);
        !concurrency.ok()) {
      return concurrency.error();
    }
  }
  return request;
}

Result<KeyRequest> decode_key_request(std::string_view body) {
  Result<Json> json = parse_object(body);
  if (!json.ok()) return json.error();
  KeyRequest request;
  const Json* name = member(*json, "name");
  if (name == nullptr) return invalid("name is required");
  if (!name->is_string() || name->get_ref<const std::string&>().empty()) {
    return invalid("name must be a non-empty string");
  }
  // Its length and characters are store::create_api_key's to check.
  request.name = name->get<std::string>();
  if (const Json* admin = member(*json, "admin")) {
    if (!admin->is_boolean()) return invalid("admin must be true or false");
    request.admin = admin->get<bool>();
  }
  for (auto [field, out] :
       {std::pair{"rate_per_minute", &request.rate_per_minute}, std::pair{"burst", &request.burst},
        std::pair{"concurrency", &request.concurrency}}) {
    const Json* value = member(*json, field);
    if (value == nullptr) continue;
    Result<uint64_t> n = decode_count(*value, field, 0, kMaxKeyLimit);
    if (!n.ok()) return n.error();
    *out = static_cast<uint32_t>(*n);
  }
  return request;
}

}  // namespace riptide::server
