#include "server/api_request.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <utility>

#include "server/request_json.h"

namespace riptide::server {

namespace {

using request_json::check_fields;
using request_json::decode_count;
using request_json::decode_options;
using request_json::decode_url;
using request_json::invalid;
using request_json::Json;
using request_json::member;
using request_json::parse_object;

// Per-key limits given over the API: far above any sane value, low enough that the token bucket's
// arithmetic stays exact.
constexpr uint64_t kMaxKeyLimit = 1'000'000;

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
