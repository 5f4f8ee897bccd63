// quality_bench: scores riptide's main-content extraction on the shared corpus
// (RIPTIDE_SHARED_DIR/corpus, see its README.md for the format and the standard metric).
//
//   quality_bench [--mode article|full] [--verbose] [--segments] [--page ID] [--corpus DIR]
//                 [--half even|odd]
//
// --verbose: per-page counts, worst first. --segments: every missed/included segment, one per
// line (page TAB MISSED|INCLUDED TAB segment). --page: one page's text and its misses.
//
// Each page is gunzipped and decoded to UTF-8 before timing; the timed part is what a request
// costs once the bytes are UTF-8: parse + extract + render the text.

#include <nlohmann/json.hpp>

#include <time.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "extract/content.h"
#include "extract/markdown.h"
#include "extract/metadata.h"
#include "fetch/charset.h"
#include "html/parser.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace {

using riptide::extract::ContentOptions;
using riptide::extract::ContentResult;

struct Page {
  std::string id;
  std::string path;
  std::vector<std::string> with;
  std::vector<std::string> without;
};

struct Counts {
  size_t tp = 0, fp = 0, fn = 0, tn = 0;
  void add(const Counts& o) {
    tp += o.tp;
    fp += o.fp;
    fn += o.fn;
    tn += o.tn;
  }
  double precision() const { return tp + fp == 0 ? 0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 0 : double(tp) / double(tp + fn); }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
  double accuracy() const {
    size_t all = tp + fp + fn + tn;
    return all == 0 ? 0 : double(tp + tn) / double(all);
  }
};

// The metric's normalisation: runs of whitespace become one space, ends trimmed.
std::string normalize_space(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// The `text` output of the extracted content (what the API returns).
std::string render_text(const riptide::html::Node* fragment) {
  return riptide::extract::to_text(fragment);
}

// This thread's CPU time in ms: on a shared, loaded machine wall time mostly measures the
// scheduler; CPU time measures the work.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct PageResult {
  const Page* page = nullptr;
  Counts counts;
  double ms = 0;
  bool fallback = false;
  double confidence = 0;
  std::string text;
};

void usage() {
  std::fprintf(stderr,
               "usage: quality_bench [--mode article|full] [--verbose] [--segments] [--page ID] "
               "[--corpus DIR] [--half even|odd]\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "article";
  std::string only_page;
  // --half scores only every other page (0-based line index even or odd): two disjoint halves, so
  // a change can be checked to help both instead of fitting the pages it was made on.
  std::string half;
  bool verbose = false;
  bool list_segments = false;
  std::string corpus = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--verbose") {
      verbose = true;
    } else if (a == "--segments") {
      list_segments = true;
    } else if (a == "--mode" && i + 1 < argc) {
      mode = argv[++i];
    } else if (a == "--page" && i + 1 < argc) {
      only_page = argv[++i];
    } else if (a == "--corpus" && i + 1 < argc) {
      corpus = argv[++i];
    } else if (a == "--half" && i + 1 < argc &&
               (std::string_view(argv[i + 1]) == "even" ||
                std::string_view(argv[i + 1]) == "odd")) {
      half = argv[++i];
    } else {
      usage();
      return 2;
    }
  }
  if (mode != "article" && mode != "full") {
    usage();
    return 2;
  }

  std::ifstream list(corpus + "/pages.jsonl");
  if (!list) {
    std::fprintf(stderr, "quality_bench: cannot open %s/pages.jsonl\n", corpus.c_str());
    return 1;
  }
  std::vector<Page> pages;
  std::string line;
  size_t line_index = 0;
  while (std::getline(list, line)) {
    if (line.empty()) continue;
    const bool odd_line = (line_index++ % 2) == 1;
    if (!half.empty() && odd_line != (half == "odd")) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      std::fprintf(stderr, "quality_bench: bad JSON line in pages.jsonl\n");
      return 1;
    }
    Page p;
    p.id = j.value("id", "");
    p.path = corpus + "/" + j.value("html", "");
    for (const auto& s : j["with"]) p.with.push_back(normalize_space(s.get<std::string>()));
    for (const auto& s : j["without"]) p.without.push_back(normalize_space(s.get<std::string>()));
    if (only_page.empty() || p.id == only_page) pages.push_back(std::move(p));
  }
  if (pages.empty()) {
    std::fprintf(stderr, "quality_bench: no page %s\n", only_page.c_str());
    return 1;
  }

  riptide::html::Parser parser;
  riptide::html::Document doc;
  std::vector<PageResult> results;
  std::string bytes;
  size_t with_article_body = 0;
  std::vector<double> phase_ms[4];  // parse, metadata, content, render
  for (const Page& page : pages) {
    riptide::Result<std::string> read = riptide::testing::read_page_bytes(page.path);
    if (!read.ok()) {
      std::fprintf(stderr, "quality_bench: %s\n", read.error().to_string().c_str());
      return 1;
    }
    bytes = std::move(read).value();
    auto utf8 = riptide::fetch::decode_html(bytes);
    if (!utf8.ok()) {
      std::fprintf(stderr, "quality_bench: %s: %s\n", page.id.c_str(),
                   utf8.error().to_string().c_str());
      return 1;
    }
    const double start = cpu_ms();
    riptide::Status parsed = parser.parse(*utf8, doc);
    if (!parsed.ok()) {
      std::fprintf(stderr, "quality_bench: %s: %s\n", page.id.c_str(),
                   parsed.error().to_string().c_str());
      return 1;
    }
    const double parsed_at = cpu_ms();
    // Metadata runs first, as in a real request: its title and JSON-LD articleBody are hints.
    riptide::extract::Metadata meta = riptide::extract::extract_metadata(doc, nullptr);
    ContentOptions options;
    options.title_hint = meta.title;
    options.article_body_hint = meta.article_body;
    if (!meta.article_body.empty()) ++with_article_body;
    const double meta_at = cpu_ms();
    ContentResult content = mode == "full" ? riptide::extract::extract_full(doc)
                                           : riptide::extract::extract_article(doc, options);
    const double extracted_at = cpu_ms();
    std::string text = render_text(content.root);
    const double end = cpu_ms();
    phase_ms[0].push_back(parsed_at - start);
    phase_ms[1].push_back(meta_at - parsed_at);
    phase_ms[2].push_back(extracted_at - meta_at);
    phase_ms[3].push_back(end - extracted_at);

    PageResult r;
    r.page = &page;
    r.ms = end - start;
    r.fallback = content.used_fallback;
    r.confidence = content.confidence;
    r.text = normalize_space(text);
    for (const std::string& s : page.with) {
      (r.text.find(s) != std::string::npos ? r.counts.tp : r.counts.fn) += 1;
    }
    for (const std::string& s : page.without) {
      (r.text.find(s) != std::string::npos ? r.counts.fp : r.counts.tn) += 1;
    }
    if (list_segments && only_page.empty()) {
      for (const std::string& s : page.with) {
        if (r.text.find(s) == std::string::npos) {
          std::printf("%s\tMISSED\t%s\n", page.id.c_str(), s.c_str());
        }
      }
      for (const std::string& s : page.without) {
        if (r.text.find(s) != std::string::npos) {
          std::printf("%s\tINCLUDED\t%s\n", page.id.c_str(), s.c_str());
        }
      }
    }
    if (!only_page.empty()) {
      std::printf("== %s (%.3f ms, confidence %.2f%s)\n%s\n\n", page.id.c_str(), r.ms, r.confidence,
                  r.fallback ? ", fallback" : "", text.c_str());
      for (const std::string& s : page.with) {
        if (r.text.find(s) == std::string::npos) std::printf("MISSED:   %s\n", s.c_str());
      }
      for (const std::string& s : page.without) {
        if (r.text.find(s) != std::string::npos) std::printf("INCLUDED: %s\n", s.c_str());
      }
    }
    results.push_back(std::move(r));
  }

  Counts total;
  std::vector<double> times;
  size_t fallbacks = 0;
  for (const PageResult& r : results) {
    total.add(r.counts);
    times.push_back(r.ms);
    if (r.fallback) ++fallbacks;
  }
  if (verbose) {
    // Worst first: by errors (missed + included) relative to the page's segments.
    std::vector<const PageResult*> order;
    for (const PageResult& r : results) order.push_back(&r);
    auto badness = [](const PageResult* r) {
      size_t all = r->counts.tp + r->counts.fp + r->counts.fn + r->counts.tn;
      return all == 0 ? 0.0 : double(r->counts.fp + r->counts.fn) / double(all);
    };
    std::stable_sort(order.begin(), order.end(), [&](const PageResult* a, const PageResult* b) {
      return badness(a) > badness(b);
    });
    std::printf("%-60s %4s %4s %4s %4s %8s %5s\n", "page", "TP", "FN", "FP", "TN", "ms", "conf");
    for (const PageResult* r : order) {
      std::printf("%-60s %4zu %4zu %4zu %4zu %8.3f %5.2f%s\n", r->page->id.c_str(), r->counts.tp,
                  r->counts.fn, r->counts.fp, r->counts.tn, r->ms, r->confidence,
                  r->fallback ? " fallback" : "");
    }
  }
  std::sort(times.begin(), times.end());
  double mean = 0;
  for (double t : times) mean += t;
  mean /= static_cast<double>(times.size());
  double median = times.size() % 2 == 1
                      ? times[times.size() / 2]
                      : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
  std::printf(
      "mode %s, %zu pages: precision %.3f recall %.3f F1 %.3f accuracy %.3f "
      "(TP %zu FN %zu FP %zu TN %zu); fallbacks %zu; JSON-LD articleBody on %zu; median %.3f ms, "
      "mean %.3f ms CPU per page\n",
      mode.c_str(), results.size(), total.precision(), total.recall(), total.f1(), total.accuracy(),
      total.tp, total.fn, total.fp, total.tn, fallbacks, with_article_body, median, mean);
  std::printf("median ms CPU per phase: parse %.3f, metadata %.3f, content %.3f, render %.3f\n",
              median_of(phase_ms[0]), median_of(phase_ms[1]), median_of(phase_ms[2]),
              median_of(phase_ms[3]));
  return 0;
}
