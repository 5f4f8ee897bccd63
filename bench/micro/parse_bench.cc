// Document parse throughput over every page of the shared corpus (../shared/corpus): riptide's
// html::Parser (one instance reused across documents, as the extractor uses it) against Debian's
// gumbo as a baseline. Pages are gunzipped and decoded to UTF-8 with fetch::decode_html once,
// before timing, so both parsers see the same UTF-8 bytes and only parsing is measured.

#include <benchmark/benchmark.h>
#include <gumbo.h>

#include <cstdio>
#include <string>
#include <vector>

#include "fetch/charset.h"
#include "html/parser.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace {

struct Corpus {
  std::vector<std::string> raw;    // as fetched (gunzipped), in the page's own encoding
  std::vector<std::string> pages;  // UTF-8
  size_t raw_bytes = 0;
  size_t total_bytes = 0;
};

riptide::Result<Corpus> load_corpus(const std::string& dir) {
  auto paths = riptide::testing::corpus_page_paths(dir);
  if (!paths.ok()) return paths.error();
  Corpus corpus;
  for (const std::string& path : *paths) {
    auto bytes = riptide::testing::read_page_bytes(path);
    if (!bytes.ok()) return bytes.error();
    auto text = riptide::fetch::decode_html(*bytes);
    if (!text.ok()) return text.error();
    corpus.total_bytes += text->size();
    corpus.pages.push_back(std::move(*text));
    corpus.raw_bytes += bytes->size();
    corpus.raw.push_back(std::move(*bytes));
  }
  return corpus;
}

// The step before parsing: encoding detection and conversion to UTF-8 of the raw pages.
void bm_decode_html(benchmark::State& state, const Corpus& corpus) {
  for (auto _ : state) {
    for (const std::string& raw : corpus.raw) {
      auto text = riptide::fetch::decode_html(raw);
      benchmark::DoNotOptimize(text);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.raw_bytes));
}

void bm_riptide_parse(benchmark::State& state, const Corpus& corpus) {
  riptide::html::Parser parser;
  riptide::html::Document doc;
  // An untimed pass counts the nodes (and warms the parser's buffers, as in a long-running
  // server).
  size_t nodes = 0;
  for (const std::string& page : corpus.pages) {
    riptide::Status status = parser.parse(page, doc);
    if (!status.ok()) {
      state.SkipWithError(status.error().to_string().c_str());
      return;
    }
    nodes += doc.node_count;
  }
  for (auto _ : state) {
    for (const std::string& page : corpus.pages) {
      riptide::Status status = parser.parse(page, doc);
      benchmark::DoNotOptimize(status);
      benchmark::DoNotOptimize(doc.root());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.total_bytes));
  state.counters["pages/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * corpus.pages.size()), benchmark::Counter::kIsRate);
  state.counters["nodes/page"] =
      static_cast<double>(nodes) / static_cast<double>(corpus.pages.size());
}

// Nodes in a gumbo tree (the document included), walked with an explicit stack.
size_t gumbo_node_count(const GumboNode* root) {
  size_t count = 0;
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    ++count;
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) children = &node->v.document.children;
    if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
      children = &node->v.element.children;
    }
    if (children == nullptr) continue;
    for (unsigned i = 0; i < children->length; ++i) {
      stack.push_back(static_cast<const GumboNode*>(children->data[i]));
    }
  }
  return count;
}

void bm_gumbo_parse(benchmark::State& state, const Corpus& corpus) {
  // An untimed pass counts the nodes, as a check that both parsers build comparable trees.
  size_t nodes = 0;
  for (const std::string& page : corpus.pages) {
    GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, page.data(), page.size());
    nodes += gumbo_node_count(output->document);
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
  for (auto _ : state) {
    for (const std::string& page : corpus.pages) {
      GumboOutput* output =
          gumbo_parse_with_options(&kGumboDefaultOptions, page.data(), page.size());
      benchmark::DoNotOptimize(output->root);
      gumbo_destroy_output(&kGumboDefaultOptions, output);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.total_bytes));
  state.counters["pages/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * corpus.pages.size()), benchmark::Counter::kIsRate);
  state.counters["nodes/page"] =
      static_cast<double>(nodes) / static_cast<double>(corpus.pages.size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::string dir = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  riptide::Result<Corpus> corpus = load_corpus(dir);
  if (!corpus.ok()) {
    std::fprintf(stderr, "parse_bench: %s\n", corpus.error().to_string().c_str());
    return 1;
  }
  std::printf("corpus: %zu pages, %.1f MB of UTF-8 (%s)\n", corpus->pages.size(),
              static_cast<double>(corpus->total_bytes) / 1e6, dir.c_str());
  std::fflush(stdout);
  benchmark::RegisterBenchmark("riptide_parse", bm_riptide_parse, std::cref(*corpus))
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("gumbo_parse", bm_gumbo_parse, std::cref(*corpus))
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("decode_html", bm_decode_html, std::cref(*corpus))
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
