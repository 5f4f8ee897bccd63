// Native and sandboxed extraction agree byte for byte on every page of ../shared/corpus (issue 4:
// "Native and sandboxed output are byte-identical on every page"). The guest is the same
// src/extract code built with clang-14/libc++ for wasm32; a difference here means the code
// depends on something the two standard libraries do differently (unstable sort order, hash
// iteration order, float formatting) and must be fixed in src/extract.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "extract/extractor.h"
#include "fetch/charset.h"
#include "sandbox/engine.h"
#include "sandbox/instance.h"
#include "sandbox/metrics.h"
#include "sandbox/runtime.h"
#include "tests/support/record_json.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace riptide::sandbox {
namespace {

// The first byte where `a` and `b` differ, with some context from each.
std::string first_difference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i > 60 ? i - 60 : 0;
  return "at byte " + std::to_string(i) + "\n    native: …" + a.substr(from, 160) +
         "\n    wasm:   …" + b.substr(from, 160);
}

std::unique_ptr<ExtractorInstance> new_instance() {
  Result<std::unique_ptr<ExtractorInstance>> made = ExtractorInstance::create(InstanceLimits{});
  EXPECT_TRUE(made.ok()) << made.error().to_string();
  return made.ok() ? std::move(*made) : nullptr;
}

struct ModeCase {
  extract::Mode mode;
  bool include_html;
};

// Extracts every `stride`-th corpus page in each of `cases` natively and in the guest and fails
// listing every extraction whose JSON differs (or whose error code differs).
void expect_corpus_agrees(const std::vector<ModeCase>& cases, size_t stride) {
  init_runtime();
  std::string corpus = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  Result<std::vector<std::string>> paths = testing::corpus_page_paths(corpus);
  ASSERT_TRUE(paths.ok()) << paths.error().to_string();
  ASSERT_GT(paths->size(), 100u);

  extract::Extractor native;
  std::unique_ptr<ExtractorInstance> guest = new_instance();
  ASSERT_NE(guest, nullptr);
  std::vector<std::string> differing;
  size_t compared = 0;
  size_t expected = 0;
  for (size_t i = 0; i < paths->size(); i += stride) {
    const std::string& path = (*paths)[i];
    Result<std::string> bytes = testing::read_page_bytes(path);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    Result<std::string> html = fetch::decode_html(*bytes);
    ASSERT_TRUE(html.ok()) << path << ": " << html.error().to_string();
    for (const ModeCase& c : cases) {
      ++expected;
      extract::Options options;
      options.mode = c.mode;
      options.include_html = c.include_html;
      options.url = "https://corpus.example/page";
      Result<extract::Record> a = native.extract(*html, options);
      Result<extract::Record> b = guest->extract(*html, options);
      std::string where =
          path.substr(path.rfind('/') + 1) + " (" + std::string(extract::mode_name(c.mode)) + ")";
      if (guest->dead()) {
        differing.push_back(where + ": the guest died: " +
                            (b.ok() ? std::string("(no error)") : b.error().to_string()));
        guest = new_instance();
        ASSERT_NE(guest, nullptr);
        continue;
      }
      ++compared;
      if (a.ok() != b.ok()) {
        differing.push_back(where + ": " +
                            (a.ok() ? "only the guest failed: " + b.error().to_string()
                                    : "only native failed: " + a.error().to_string()));
        continue;
      }
      if (!a.ok()) {
        if (a.error().code() != b.error().code()) {
          differing.push_back(where + ": error " + a.error().to_string() + " vs " +
                              b.error().to_string());
        }
        continue;
      }
      std::string ja = testing::comparable_json(std::move(*a));
      std::string jb = testing::comparable_json(std::move(*b));
      if (ja != jb) differing.push_back(where + " " + first_difference(ja, jb));
    }
  }
  std::string report;
  for (const std::string& d : differing) report += "  " + d + "\n";
  EXPECT_TRUE(differing.empty()) << differing.size() << " of " << compared
                                 << " extractions differ:\n"
                                 << report;
  EXPECT_EQ(compared, expected);
}

// What `riptide extract` prints by default, on every page.
TEST(Differential, EveryCorpusPageInArticleMode) {
  expect_corpus_agrees({{extract::Mode::kArticle, true}}, 1);
}

// Full and metadata mode take other paths through the extractor (the whole visible text;
// metadata only); every 4th page keeps the test at a few seconds.
TEST(Differential, CorpusSampleInFullAndMetadataModes) {
  expect_corpus_agrees({{extract::Mode::kFull, true}, {extract::Mode::kMetadata, false}}, 4);
}

// The engine end to end with the real guest: the sandbox is used (not the fallback), reused
// from the pool, agrees with --engine native, and the metrics registry sees both.
TEST(EngineWithGuest, SandboxAndNativeAgreeAndAreCounted) {
  std::string sample = std::string(RIPTIDE_SOURCE_DIR) + "/samples/article.html";
  Result<std::string> html = testing::read_file_bytes(sample);
  ASSERT_TRUE(html.ok()) << html.error().to_string();
  SandboxConfig config;
  config.pool.initial_pool_size = 1;
  config.pool.max_pool_size = 1;
  std::unique_ptr<Engine> engine = Engine::create(config);
  extract::Options options;
  options.url = "https://example.org/news/river-survey";
  Result<Extraction> first = engine->extract(*html, options);
  Result<Extraction> second = engine->extract(*html, options);
  Result<Extraction> native = engine->extract(*html, options, EngineKind::kNative);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  ASSERT_TRUE(native.ok()) << native.error().to_string();
  EXPECT_EQ(first->engine, EngineKind::kWasm);
  EXPECT_FALSE(first->fallback);
  EXPECT_GT(first->record.stats.memory_pages, 0u);
  EXPECT_EQ(native->engine, EngineKind::kNative);
  EXPECT_EQ(testing::comparable_json(first->record), testing::comparable_json(native->record));
  EXPECT_EQ(testing::comparable_json(first->record), testing::comparable_json(second->record));
  PoolStats stats = engine->pool().stats();
  EXPECT_EQ(stats.created, 1u) << "the second extraction reuses the pre-warmed instance";
  EXPECT_EQ(stats.hits, 2u);
  std::string text = metrics_text(engine->registry());
  EXPECT_NE(text.find("riptide_sandbox_extractions_total{engine=\"wasm\",outcome=\"ok\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("riptide_sandbox_extractions_total{engine=\"native\",outcome=\"ok\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("riptide_sandbox_instantiations_total 1"), std::string::npos);
}

// Several threads through one engine with fewer instances than threads: every call is served in
// the sandbox (waiting for an instance, never falling back), each thread's records are the same.
TEST(EngineWithGuest, ConcurrentCallersShareThePool) {
  std::string sample = std::string(RIPTIDE_SOURCE_DIR) + "/samples/article.html";
  Result<std::string> html = testing::read_file_bytes(sample);
  ASSERT_TRUE(html.ok()) << html.error().to_string();
  SandboxConfig config;
  config.pool.initial_pool_size = 1;
  config.pool.max_pool_size = 2;
  config.pool.acquire_timeout = std::chrono::seconds(30);
  std::unique_ptr<Engine> engine = Engine::create(config);
  Result<Extraction> reference = engine->extract(*html, extract::Options{});
  ASSERT_TRUE(reference.ok()) << reference.error().to_string();
  std::string want = testing::comparable_json(reference->record);
  constexpr int kThreads = 4;
  constexpr int kCalls = 25;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        Result<Extraction> out = engine->extract(*html, extract::Options{});
        if (!out.ok() || out->engine != EngineKind::kWasm ||
            testing::comparable_json(out->record) != want) {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  PoolStats stats = engine->pool().stats();
  EXPECT_LE(stats.created, 2u);
  EXPECT_EQ(stats.hits + stats.misses, uint64_t{kThreads * kCalls + 1});
  EXPECT_EQ(stats.exhausted, 0u);
  EXPECT_EQ(engine->breaker().state(), BreakerState::kClosed);
}

}  // namespace
}  // namespace riptide::sandbox
