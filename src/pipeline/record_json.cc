#include "pipeline/record_json.h"

#include <string>
#include <utility>

namespace riptide::pipeline {

nlohmann::ordered_json record_to_json(const extract::Record& r) {
  nlohmann::ordered_json links = nlohmann::ordered_json::array();
  for (const extract::Link& l : r.links) {
    links.push_back({{"url", l.url},
                     {"text", l.text},
                     {"nofollow", l.nofollow},
                     {"ugc", l.ugc},
                     {"sponsored", l.sponsored},
                     {"hreflang", l.hreflang}});
  }
  nlohmann::ordered_json media = nlohmann::ordered_json::array();
  for (const extract::Media& m : r.media) {
    media.push_back(
        {{"url", m.url}, {"kind", std::string(extract::media_kind_name(m.kind))}, {"alt", m.alt}});
  }
  nlohmann::ordered_json out;
  out["url"] = r.url;
  out["title"] = r.title;
  out["byline"] = r.byline;
  out["published"] = r.published;
  out["site_name"] = r.site_name;
  out["description"] = r.description;
  out["language"] = r.language;
  out["markdown"] = r.markdown;
  out["text"] = r.text;
  out["html"] = r.html;
  out["links"] = std::move(links);
  out["media"] = std::move(media);
  out["categories"] = r.categories;
  out["word_count"] = r.word_count;
  out["reading_time"] = r.reading_time;
  out["quality_score"] = r.quality_score;
  out["stats"] = {{"time_ms", r.stats.time_ms},
                  {"input_bytes", r.stats.input_bytes},
                  {"nodes", r.stats.nodes},
                  {"memory_pages", r.stats.memory_pages},
                  {"limits", r.stats.limits}};
  return out;
}

nlohmann::ordered_json error_to_json(const Error& error) {
  return {{"code", std::string(error_code_name(error.code()))}, {"message", error.message()}};
}

}  // namespace riptide::pipeline
