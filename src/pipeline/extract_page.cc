#include "pipeline/extract_page.h"

#include <chrono>
#include <string>
#include <utility>

#include "lang/detect.h"

namespace riptide::pipeline {

namespace {

// Runs `run` on the html, confirms the language and fills stats.time_ms: what both overloads
// share.
template <typename Run>
Result<extract::Record> extract_timed(std::string_view html, const extract::Options& options,
                                      Run&& run) {
  auto start = std::chrono::steady_clock::now();
  Result<extract::Record> record = run(html);
  if (!record.ok()) return record;
  // CLD2 reads the extracted text; in metadata mode there is no body, so it reads what the page
  // says about itself.
  std::string sample = record->text;
  if (options.mode == extract::Mode::kMetadata) {
    sample = record->title + "\n\n" + record->description;
  }
  lang::Detection detected = lang::detect(sample, record->language);
  record->language = lang::choose_language(record->language, detected);
  record->stats.time_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return record;
}

}  // namespace

Result<extract::Record> extract_page(sandbox::Engine& engine, sandbox::EngineKind kind,
                                     std::string_view utf8_html, const extract::Options& options) {
  return extract_timed(utf8_html, options, [&](std::string_view html) -> Result<extract::Record> {
    Result<sandbox::Extraction> out = engine.extract(html, options, kind);
    if (!out.ok()) return out.error();
    return std::move(out->record);
  });
}

Result<extract::Record> extract_page(extract::Extractor& extractor, std::string_view utf8_html,
                                     const extract::Options& options) {
  return extract_timed(utf8_html, options,
                       [&](std::string_view html) { return extractor.extract(html, options); });
}

}  // namespace riptide::pipeline
