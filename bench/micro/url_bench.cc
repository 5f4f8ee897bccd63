// URL parse and crawl-normalisation throughput on the links of real pages: every href="…" and
// src="…" attribute value in the shared corpus (../shared/corpus), resolved against a page URL
// as a crawler resolves the links it finds. Link extraction happens once, before timing.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/fetch/corpus_pages.h"
#include "url/normalize.h"
#include "url/url.h"

namespace {

// Appends the quoted values of href= and src= attributes (a byte scan, good enough to collect
// realistic link text; entity references are left undecoded).
void collect_links(std::string_view page, std::vector<std::string>& out) {
  for (std::string_view attribute : {"href=", "src="}) {
    for (size_t at = page.find(attribute); at != std::string_view::npos;
         at = page.find(attribute, at + 1)) {
      size_t start = at + attribute.size();
      if (start >= page.size() || (page[start] != '"' && page[start] != '\'')) continue;
      const char quote = page[start++];
      size_t end = page.find(quote, start);
      if (end == std::string_view::npos || end - start > 4096) continue;
      out.emplace_back(page.substr(start, end - start));
    }
  }
}

riptide::Result<std::vector<std::string>> load_links(const std::string& dir) {
  auto paths = riptide::testing::corpus_page_paths(dir);
  if (!paths.ok()) return paths.error();
  std::vector<std::string> links;
  for (const std::string& path : *paths) {
    auto bytes = riptide::testing::read_page_bytes(path);
    if (!bytes.ok()) return bytes.error();
    collect_links(*bytes, links);
  }
  return links;
}

constexpr const char* kPageUrl = "https://www.example.com/news/2026/11/article.html?id=42";

void bm_url_parse(benchmark::State& state, const std::vector<std::string>& links) {
  auto base = riptide::url::parse(kPageUrl);
  size_t ok = 0;
  for (auto _ : state) {
    for (const std::string& link : links) {
      auto url = riptide::url::parse(link, &*base);
      ok += url.ok();
      benchmark::DoNotOptimize(url);
    }
  }
  state.counters["urls/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * links.size()), benchmark::Counter::kIsRate);
  state.counters["ok%"] =
      100.0 * static_cast<double>(ok) / static_cast<double>(state.iterations() * links.size());
}

void bm_url_parse_normalize(benchmark::State& state, const std::vector<std::string>& links) {
  auto base = riptide::url::parse(kPageUrl);
  for (auto _ : state) {
    for (const std::string& link : links) {
      auto url = riptide::url::parse(link, &*base);
      if (url.ok()) benchmark::DoNotOptimize(riptide::url::normalize(*url));
    }
  }
  state.counters["urls/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * links.size()), benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::string dir = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  auto links = load_links(dir);
  if (!links.ok()) {
    std::fprintf(stderr, "url_bench: %s\n", links.error().to_string().c_str());
    return 1;
  }
  size_t bytes = 0;
  for (const auto& link : *links) bytes += link.size();
  std::printf(
      "links: %zu from %s (%.1f bytes on average)\n", links->size(), dir.c_str(),
      links->empty() ? 0.0 : static_cast<double>(bytes) / static_cast<double>(links->size()));
  std::fflush(stdout);
  benchmark::RegisterBenchmark("url_parse", bm_url_parse, std::cref(*links))
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("url_parse_normalize", bm_url_parse_normalize, std::cref(*links))
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
