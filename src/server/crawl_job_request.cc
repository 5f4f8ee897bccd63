// POST /v1/crawl bodies and their stored form (crawl_jobs.h): decode_crawl_job_request and
// crawl_request_to_json. Apart from the job manager so it links without the crawler (the API
// fuzzer and the decoding tests use it alone).
#include "server/crawl_jobs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crawl/url_filter.h"
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
using request_json::quote;
using OrderedJson = nlohmann::ordered_json;

// A duration given in (possibly fractional) seconds, in [0, max], to the millisecond.
Result<std::chrono::milliseconds> decode_seconds(const Json& value, const std::string& field,
                                                 std::chrono::milliseconds max) {
  double max_seconds = static_cast<double>(max.count()) / 1000.0;
  if (!value.is_number() || !(value.get<double>() >= 0) || value.get<double>() > max_seconds) {
    return invalid(field + " must be a number of seconds from 0 to " +
                   std::to_string(max.count() / 1000));
  }
  return std::chrono::milliseconds(std::llround(value.get<double>() * 1000.0));
}

double to_seconds(std::chrono::milliseconds ms) {
  return static_cast<double>(ms.count()) / 1000.0;
}

Result<bool> decode_bool(const Json& value, const std::string& field) {
  if (!value.is_boolean()) return invalid(field + " must be true or false");
  return value.get<bool>();
}

// include / exclude: arrays of UrlPattern strings, each compiled so the error names the entry.
Status decode_patterns(const Json& object, const std::string& field,
                       std::vector<std::string>* out) {
  const Json* value = member(object, field);
  if (value == nullptr) return {};
  if (!value->is_array()) return invalid(field + " must be an array of URL pattern strings");
  if (value->size() > crawl::kMaxPatterns) {
    return invalid(field + " has " + std::to_string(value->size()) + " entries; at most " +
                   std::to_string(crawl::kMaxPatterns) + " are allowed");
  }
  for (size_t i = 0; i < value->size(); ++i) {
    std::string name = field + "[" + std::to_string(i) + "]";
    const Json& pattern = (*value)[i];
    if (!pattern.is_string()) return invalid(name + " must be a string");
    const auto& text = pattern.get_ref<const std::string&>();
    Result<crawl::UrlPattern> compiled = crawl::UrlPattern::compile(text);
    if (!compiled.ok()) {
      return invalid(name + " is not a valid URL pattern: " + compiled.error().message());
    }
    out->push_back(text);
  }
  return {};
}

// budgets: {pattern: max_pages}.
Status decode_budgets(const Json& object, std::vector<crawl::PathBudget>* out) {
  const Json* value = member(object, "budgets");
  if (value == nullptr) return {};
  if (!value->is_object()) {
    return invalid("budgets must be an object of URL pattern: page count");
  }
  if (value->size() > crawl::kMaxPatterns) {
    return invalid("budgets has " + std::to_string(value->size()) + " entries; at most " +
                   std::to_string(crawl::kMaxPatterns) + " are allowed");
  }
  for (const auto& item : value->items()) {
    std::string name = "budgets[" + quote(item.key()) + "]";
    Result<crawl::UrlPattern> compiled = crawl::UrlPattern::compile(item.key());
    if (!compiled.ok()) {
      return invalid(name + " is not a valid URL pattern: " + compiled.error().message());
    }
    Result<uint64_t> pages =
        decode_count(item.value(), name, 0, std::numeric_limits<uint64_t>::max());
    if (!pages.ok()) return pages.error();
    out->push_back(crawl::PathBudget{item.key(), *pages});
  }
  return {};
}

Status decode_seeds(const Json& object, std::vector<std::string>* out) {
  const Json* url = member(object, "url");
  const Json* urls = member(object, "urls");
  if (url != nullptr && urls != nullptr) return invalid("give either url or urls, not both");
  if (url == nullptr && urls == nullptr) return invalid("either url or urls is required");
  if (url != nullptr) {
    Result<std::string> href = decode_url(*url, "url");
    if (!href.ok()) return href.error();
    out->push_back(std::move(*href));
    return {};
  }
  if (!urls->is_array() || urls->empty()) {
    return invalid("urls must be a non-empty array of URL strings");
  }
  if (urls->size() > kMaxCrawlSeeds) {
    return invalid("urls has " + std::to_string(urls->size()) + " entries; at most " +
                   std::to_string(kMaxCrawlSeeds) + " are allowed");
  }
  for (size_t i = 0; i < urls->size(); ++i) {
    Result<std::string> href = decode_url((*urls)[i], "urls[" + std::to_string(i) + "]");
    if (!href.ok()) return href.error();
    out->push_back(std::move(*href));
  }
  return {};
}

// The members besides seeds, patterns and extraction options: limits, scope, order, politeness.
Status decode_crawl_options(const Json& json, const CrawlJobsConfig& config,
                            crawl::CrawlOptions* options) {
  crawl::FrontierConfig& frontier = options->frontier;
  if (const Json* value = member(json, "max_depth")) {
    Result<uint64_t> depth =
        decode_count(*value, "max_depth", 0, std::numeric_limits<uint64_t>::max());
    if (!depth.ok()) return depth.error();
    frontier.max_depth = static_cast<uint32_t>(std::min<uint64_t>(*depth, kMaxCrawlDepth));
  }
  frontier.max_pages = config.max_pages_cap;
  if (const Json* value = member(json, "max_pages")) {
    Result<uint64_t> pages =
        decode_count(*value, "max_pages", 1, std::numeric_limits<uint64_t>::max());
    if (!pages.ok()) return pages.error();
    frontier.max_pages =
        config.max_pages_cap == 0 ? *pages : std::min(*pages, config.max_pages_cap);
  }
  if (const Json* value = member(json, "scope")) {
    std::optional<crawl::Scope> scope;
    if (value->is_string()) scope = crawl::parse_scope(value->get_ref<const std::string&>());
    if (!scope) return invalid("scope must be one of host, domain, subdomains");
    frontier.filter.scope = *scope;
  }
  if (const Json* value = member(json, "order")) {
    if (*value == "bfs") {
      frontier.order = crawl::Order::kBreadthFirst;
    } else if (*value == "best") {
      frontier.order = crawl::Order::kBestFirst;
    } else {
      return invalid("order must be one of bfs, best");
    }
  }
  if (const Json* value = member(json, "sitemap")) {
    if (value->is_boolean()) {
      options->use_sitemaps = value->get<bool>();
    } else if (*value == "only") {
      options->use_sitemaps = true;
      options->sitemap_only = true;
    } else {
      return invalid("sitemap must be true, false or \"only\"");
    }
  }
  if (const Json* value = member(json, "delay")) {
    Result<std::chrono::milliseconds> delay =
        decode_seconds(*value, "delay", kMaxCrawlRequestDelay);
    if (!delay.ok()) return delay.error();
    frontier.host_delay = *delay;
  }
  if (const Json* value = member(json, "host_concurrency")) {
    Result<uint64_t> n = decode_count(*value, "host_concurrency", 1, kMaxCrawlHostConcurrency);
    if (!n.ok()) return n.error();
    frontier.host_concurrency = static_cast<uint32_t>(*n);
  }
  if (const Json* value = member(json, "concurrency")) {
    Result<uint64_t> n = decode_count(*value, "concurrency", 1, crawl::kMaxCrawlConcurrency);
    if (!n.ok()) return n.error();
    options->concurrency = static_cast<uint32_t>(*n);
  }
  if (const Json* value = member(json, "time_budget")) {
    Result<std::chrono::milliseconds> budget =
        decode_seconds(*value, "time_budget", kMaxCrawlTimeBudget);
    if (!budget.ok()) return budget.error();
    options->time_budget = *budget;
  }
  if (const Json* value = member(json, "respect_robots")) {
    Result<bool> respect = decode_bool(*value, "respect_robots");
    if (!respect.ok()) return respect.error();
    options->respect_robots = *respect;
  }
  return {};
}

OrderedJson formats_to_json(FormatSet formats) {
  OrderedJson out = OrderedJson::array();
  for (Format f : {Format::kMarkdown, Format::kText, Format::kHtml, Format::kLinks, Format::kMedia,
                   Format::kMetadata}) {
    if (has_format(formats, f)) out.push_back(format_name(f));
  }
  return out;
}

}  // namespace

Result<CrawlRequest> decode_crawl_job_request(std::string_view body,
                                              const CrawlJobsConfig& config) {
  Result<Json> json = parse_object(body);
  if (!json.ok()) return json.error();
  if (Status known =
          check_fields(*json,
                       {"url", "urls", "max_depth", "max_pages", "include", "exclude", "budgets",
                        "scope", "sitemap", "order", "delay", "host_concurrency", "concurrency",
                        "time_budget", "respect_robots", "mode", "selectors", "formats"},
                       Dialect::kV1);
      !known.ok()) {
    return known.error();
  }
  CrawlRequest request;
  crawl::CrawlOptions& options = request.options;
  options.engine_kind = config.engine_kind;
  if (Status s = decode_seeds(*json, &request.seeds); !s.ok()) return s.error();
  if (Status s = decode_crawl_options(*json, config, &options); !s.ok()) return s.error();
  crawl::UrlFilterConfig& filter = options.frontier.filter;
  if (Status s = decode_patterns(*json, "include", &filter.include); !s.ok()) return s.error();
  if (Status s = decode_patterns(*json, "exclude", &filter.exclude); !s.ok()) return s.error();
  if (Status s = decode_budgets(*json, &filter.budgets); !s.ok()) return s.error();

  ExtractOptions extract;
  if (Status s = decode_options(*json, "", &extract); !s.ok()) return s.error();
  request.formats = extract.formats;
  options.extract.mode = extract.mode;
  options.extract.selectors = std::move(extract.selectors);
  // The cleaned HTML costs a serialization per page; only made when it is asked for.
  options.extract.include_html = has_format(request.formats, Format::kHtml);

  // What the crawler will build: catches what the pieces above cannot see on their own (a seed
  // the crawl canonicalisation refuses).
  Result<crawl::UrlFilter> built = crawl::UrlFilter::create(filter, request.seeds);
  if (!built.ok()) return invalid(built.error().message());
  return request;
}

nlohmann::ordered_json crawl_request_to_json(const CrawlRequest& request) {
  const crawl::CrawlOptions& options = request.options;
  const crawl::FrontierConfig& frontier = options.frontier;
  OrderedJson out = OrderedJson::object();
  out["urls"] = request.seeds;
  out["max_depth"] = frontier.max_depth;
  // 0 (no limit) is only possible when the server has no cap; absent means that then.
  if (frontier.max_pages != 0) out["max_pages"] = frontier.max_pages;
  out["include"] = frontier.filter.include;
  out["exclude"] = frontier.filter.exclude;
  OrderedJson budgets = OrderedJson::object();
  for (const crawl::PathBudget& budget : frontier.filter.budgets) {
    budgets[budget.pattern] = budget.max_pages;
  }
  out["budgets"] = std::move(budgets);
  out["scope"] = crawl::scope_name(frontier.filter.scope);
  if (options.sitemap_only) {
    out["sitemap"] = "only";
  } else {
    out["sitemap"] = options.use_sitemaps;
  }
  out["order"] = frontier.order == crawl::Order::kBestFirst ? "best" : "bfs";
  out["delay"] =
      to_seconds(std::chrono::duration_cast<std::chrono::milliseconds>(frontier.host_delay));
  out["host_concurrency"] = frontier.host_concurrency;
  out["concurrency"] = options.concurrency;
  out["time_budget"] = to_seconds(options.time_budget);
  out["respect_robots"] = options.respect_robots;
  out["mode"] = extract::mode_name(options.extract.mode);
  out["selectors"] = options.extract.selectors;
  out["formats"] = formats_to_json(request.formats);
  return out;
}

}  // namespace riptide::server
