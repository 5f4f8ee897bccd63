// ExtractorInstance: the real extractor guest (src/guest → wasm32-wasi → wasm2c) run through the
// guest ABI. Its records must equal the native extractor's byte for byte (as riptide's JSON), its
// errors must map onto the documented codes, and every failure must leave the process usable.
#include "sandbox/instance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "extract/extractor.h"
#include "fetch/charset.h"
#include "pipeline/record_json.h"
#include "tests/support/golden_case.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace riptide::sandbox {
namespace {

namespace fs = std::filesystem;
using extract::Mode;
using extract::Options;

std::unique_ptr<ExtractorInstance> make_instance(const InstanceLimits& limits = {}) {
  auto made = ExtractorInstance::create(limits);
  EXPECT_TRUE(made.ok()) << made.error().to_string();
  return made.ok() ? std::move(*made) : nullptr;
}

// riptide's JSON of a record, without the two stats the host fills after the call (time_ms,
// memory_pages): everything the extractor itself decides.
std::string record_json(extract::Record record) {
  record.stats.time_ms = 0;
  record.stats.memory_pages = 0;
  return pipeline::record_to_json(record).dump(1, ' ', false,
                                               nlohmann::json::error_handler_t::strict);
}

std::string outcome(const Result<extract::Record>& result) {
  return result.ok() ? record_json(*result) : "error " + result.error().to_string();
}

// Extracts `html` natively and in the guest and expects identical outcomes. Returns whether the
// native extraction gave a record (so callers can check they compared real records).
bool expect_same_as_native(ExtractorInstance& instance, const std::string& html,
                           const Options& options, const std::string& label) {
  extract::Extractor native;
  auto native_result = native.extract(html, options);
  std::string expected = outcome(native_result);
  std::string actual = outcome(instance.extract(html, options));
  EXPECT_FALSE(instance.dead()) << label;
  if (expected == actual) return native_result.ok();
  size_t at = 0;
  while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) ++at;
  ADD_FAILURE() << label << ": guest differs from native at byte " << at
                << "\nnative: " << expected.substr(at > 200 ? at - 200 : 0, 400)
                << "\nguest:  " << actual.substr(at > 200 ? at - 200 : 0, 400);
  return native_result.ok();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// UTF-8 HTML as `riptide extract` hands it to the extractor.
std::string decoded_page(const std::string& path) {
  auto bytes = testing::read_page_bytes(path);
  EXPECT_TRUE(bytes.ok()) << path;
  if (!bytes.ok()) return "";
  auto html = fetch::decode_html(*bytes);
  EXPECT_TRUE(html.ok()) << path;
  return html.ok() ? *html : "";
}

// A big article: `paragraphs` paragraphs of prose with links, in a page with some chrome.
std::string big_page(int paragraphs) {
  std::string page =
      "<html><head><title>Big</title></head><body><nav><a href=/>Home</a></nav>"
      "<article><h1>Big</h1>";
  for (int i = 0; i < paragraphs; ++i) {
    page += "<p>Paragraph " + std::to_string(i) +
            " holds a sentence of ordinary prose about the harbour, the ferry and the weather, "
            "with <a href='/p" +
            std::to_string(i) + "'>a link</a> and <em>some emphasis</em>.</p>";
  }
  return page + "</article></body></html>";
}

TEST(GuestRange, BuffersMustLieInsideTheMemory) {
  constexpr uint64_t kPage = 65536;
  EXPECT_TRUE(guest_range_ok(kPage, 0, 0));
  EXPECT_TRUE(guest_range_ok(kPage, 0, kPage));
  EXPECT_TRUE(guest_range_ok(kPage, kPage - 1, 1));
  EXPECT_TRUE(guest_range_ok(kPage, kPage, 0));
  EXPECT_FALSE(guest_range_ok(kPage, kPage - 1, 2));
  EXPECT_FALSE(guest_range_ok(kPage, kPage + 1, 0));
  // The 32-bit sum of these wraps to 0x10: a guest must not get a huge pointer past the check.
  EXPECT_FALSE(guest_range_ok(kPage, 0xFFFFFFF0u, 0x20));
  EXPECT_FALSE(guest_range_ok(uint64_t{4} << 30, 0xFFFFFFFFu, 0xFFFFFFFFu));
}

TEST(ExtractorInstance, GoldenCasesMatchNative) {
  auto instance = make_instance();
  ASSERT_NE(instance, nullptr);
  fs::path cases = fs::path(RIPTIDE_SOURCE_DIR) / "tests/golden/cases";
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(cases)) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  int compared = 0;
  for (const fs::path& dir : dirs) {
    auto spec = nlohmann::json::parse(read_file(dir / "case.json"));
    Options options;
    options.url = spec.value("url", "");
    ASSERT_TRUE(extract::parse_mode(spec.value("mode", "article"), &options.mode));
    if (spec.contains("selectors")) {
      options.selectors = spec["selectors"].get<std::vector<std::string>>();
    }
    std::string path =
        riptide::testing::golden_case_input(dir, spec, fs::path(RIPTIDE_SHARED_DIR)).string();
    if (expect_same_as_native(*instance, decoded_page(path), options, dir.filename().string())) {
      ++compared;
    }
  }
  EXPECT_GE(compared, 50);  // records, not errors
  EXPECT_EQ(instance->uses(), dirs.size());
}

TEST(ExtractorInstance, CorpusPagesMatchNativeInEveryMode) {
  auto paths = testing::corpus_page_paths(std::string(RIPTIDE_SHARED_DIR) + "/corpus");
  ASSERT_TRUE(paths.ok()) << paths.error().to_string();
  ASSERT_GE(paths->size(), 12u);
  auto instance = make_instance();
  ASSERT_NE(instance, nullptr);
  // A dozen pages spread over the corpus, each in one of the four modes in turn.
  const Mode modes[] = {Mode::kArticle, Mode::kFull, Mode::kMetadata, Mode::kCustom};
  size_t step = paths->size() / 12;
  int records = 0;
  for (size_t i = 0; i < 12; ++i) {
    const std::string& path = (*paths)[i * step];
    Options options;
    options.url = "https://corpus.example/" + std::to_string(i) + "/page.html";
    options.mode = modes[i % 4];
    if (options.mode == Mode::kCustom) options.selectors = {"h1, h2", "p a[href]"};
    options.include_html = i % 3 != 0;
    records += expect_same_as_native(*instance, decoded_page(path), options, path) ? 1 : 0;
  }
  EXPECT_EQ(records, 12);
}

TEST(ExtractorInstance, PrefaultedInstancesExtractLikeNative) {
  // The first instance of the process teaches the module its prefault plan; later ones are
  // populated by it. A plan is only a hint: with or without it the guest sees the same memory.
  auto first = make_instance();
  ASSERT_NE(first, nullptr);
  const uint64_t before = memory_prefaulted_bytes();
  auto prefaulted = make_instance();
  ASSERT_NE(prefaulted, nullptr);
  if (memory_prefault_supported()) {
    // At least the data segment (~200 KB) and the top of the stack.
    EXPECT_GE(memory_prefaulted_bytes() - before, 100000u);
  }
  set_memory_prefault_enabled(false);
  auto plain = make_instance();
  set_memory_prefault_enabled(true);
  ASSERT_NE(plain, nullptr);
  auto paths = testing::corpus_page_paths(std::string(RIPTIDE_SHARED_DIR) + "/corpus");
  ASSERT_TRUE(paths.ok()) << paths.error().to_string();
  ASSERT_GE(paths->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const std::string& path = (*paths)[i * (paths->size() / 3)];
    Options options;
    options.include_html = true;
    EXPECT_TRUE(expect_same_as_native(*prefaulted, decoded_page(path), options, path));
    EXPECT_TRUE(expect_same_as_native(*plain, decoded_page(path), options, path));
  }
}

TEST(ExtractorInstance, ExtractorErrorsMatchNative) {
  auto instance = make_instance();
  ASSERT_NE(instance, nullptr);
  Options custom;
  custom.mode = Mode::kCustom;
  expect_same_as_native(*instance, "<p>x</p>", custom, "custom without selectors");
  custom.selectors = {"p[", "div"};
  expect_same_as_native(*instance, "<p>x</p>", custom, "invalid selector");
  Options small;
  small.max_input_bytes = 10;
  expect_same_as_native(*instance, "<p>eleven b</p>", small, "over the request's input limit");

  auto result = instance->extract("<p>x</p>", custom);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  result = instance->extract("<p>eleven b</p>", small);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kResourceLimit);
  // Structured errors leave the instance usable.
  EXPECT_FALSE(instance->dead());
  EXPECT_EQ(instance->last_trap(), TrapKind::kNone);
  EXPECT_TRUE(instance->extract("<title>t</title><p>fine</p>", Options{}).ok());
}

TEST(ExtractorInstance, UnknownModeIsUnsupported) {
  auto instance = make_instance();
  ASSERT_NE(instance, nullptr);
  Options options;
  options.mode = static_cast<Mode>(7);
  auto result = instance->extract("<p>x</p>", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(result.error().message(), "unsupported mode 7");
  EXPECT_FALSE(instance->dead());
}

TEST(ExtractorInstance, OversizedInputIsAResourceLimitBeforeTheGuestRuns) {
  InstanceLimits limits;
  limits.max_input_bytes = 1000;
  auto instance = make_instance(limits);
  ASSERT_NE(instance, nullptr);
  auto result = instance->extract(std::string(1001, 'x'), Options{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kResourceLimit);
  EXPECT_FALSE(instance->dead());
  EXPECT_EQ(instance->uses(), 0u);
  EXPECT_TRUE(instance->extract(std::string(1000, 'x'), Options{}).ok());
}

TEST(ExtractorInstance, OutputOverTheLimitKillsTheInstance) {
  InstanceLimits limits;
  limits.max_output_bytes = 200;
  auto instance = make_instance(limits);
  ASSERT_NE(instance, nullptr);
  auto result = instance->extract(big_page(20), Options{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kResourceLimit);
  EXPECT_TRUE(instance->dead());
  // A dead instance refuses further calls instead of running a poisoned guest.
  auto again = instance->extract("<p>x</p>", Options{});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kInternal);
}

TEST(ExtractorInstance, InfoHealthModesAndReset) {
  auto instance = make_instance();
  ASSERT_NE(instance, nullptr);
  auto info = instance->info();
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->abi_version, guest::kAbiVersion);
  EXPECT_FALSE(info->version.empty());
  EXPECT_NE(info->build.find("wasm32-wasi"), std::string::npos) << info->build;
  EXPECT_EQ(info->modes, guest::all_modes());
  auto modes = instance->modes();
  ASSERT_TRUE(modes.ok());
  EXPECT_EQ(*modes, guest::all_modes());
  EXPECT_TRUE(instance->health().ok());

  std::string page = big_page(200);
  auto before = instance->extract(page, Options{});
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(instance->reset().ok());
  EXPECT_TRUE(instance->health().ok());
  auto after = instance->extract(page, Options{});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(record_json(*before), record_json(*after));
  EXPECT_FALSE(instance->dead());
  EXPECT_EQ(instance->uses(), 2u);  // info, modes, health and reset are not extractions
}

TEST(ExtractorInstance, StatsComeFromTheHost) {
  auto instance = make_instance();
  ASSERT_NE(instance, nullptr);
  uint32_t pages_before = instance->current_pages();
  EXPECT_GT(pages_before, 0u);
  auto result = instance->extract(big_page(3000), Options{});
  ASSERT_TRUE(result.ok());
  EXPECT_GT(result->stats.time_ms, 0);
  EXPECT_EQ(result->stats.memory_pages, instance->current_pages());
  EXPECT_GT(instance->current_pages(), pages_before);  // a ~600 KB page needs more memory
  EXPECT_GE(instance->peak_pages(), instance->current_pages());
  EXPECT_EQ(instance->grow_failures(), 0u);
}

TEST(ExtractorInstance, TinyMemoryCapFailsCleanlyAndTheNextInstanceWorks) {
  InstanceLimits tiny;
  tiny.max_pages = 1;  // raised to the module's initial size: no room to grow at all
  auto instance = make_instance(tiny);
  ASSERT_NE(instance, nullptr);
  auto result = instance->extract(big_page(5000), Options{});
  ASSERT_FALSE(result.ok());
  RecordProperty("error", result.error().to_string());
  if (result.error().code() == ErrorCode::kResourceLimit) {
    EXPECT_FALSE(instance->dead());  // the guest's allocator said no: nothing was corrupted
  } else {
    EXPECT_EQ(result.error().code(), ErrorCode::kInternal) << result.error().to_string();
    EXPECT_TRUE(instance->dead());
    EXPECT_NE(instance->last_trap(), TrapKind::kNone);
    EXPECT_EQ(result.error().message().rfind("guest trap: ", 0), 0u) << result.error().message();
  }
  EXPECT_GT(instance->grow_failures(), 0u);
  EXPECT_EQ(instance->peak_pages(), instance->current_pages());

  // A page small enough to be copied in, but whose DOM does not fit: the guest's operator new
  // fails, which aborts the guest (a trap), never the host.
  auto small = make_instance(tiny);
  ASSERT_NE(small, nullptr);
  auto trapped = small->extract(big_page(100), Options{});
  ASSERT_FALSE(trapped.ok());
  EXPECT_EQ(trapped.error().message(), "guest trap: unreachable") << trapped.error().to_string();
  EXPECT_TRUE(small->dead());
  EXPECT_EQ(small->last_trap(), TrapKind::kUnreachable);

  auto fresh = make_instance();
  ASSERT_NE(fresh, nullptr);
  auto ok = fresh->extract(big_page(5000), Options{});
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
}

TEST(ExtractorInstance, TimeoutKillsTheInstanceAndTheNextOneWorks) {
  InstanceLimits limits;
  // Long enough that instantiation never hits it on a loaded CI machine, far shorter than the
  // extraction below.
  limits.timeout = std::chrono::milliseconds(100);
  limits.max_input_bytes = size_t{16} << 20;
  auto instance = make_instance(limits);
  ASSERT_NE(instance, nullptr);
  // ~12 MB of article: hundreds of milliseconds of work.
  auto result = instance->extract(big_page(60000), Options{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kTimeout) << result.error().to_string();
  EXPECT_TRUE(instance->dead());
  EXPECT_EQ(instance->last_trap(), TrapKind::kTimeout);

  auto fresh = make_instance();
  ASSERT_NE(fresh, nullptr);
  EXPECT_TRUE(fresh->extract("<title>t</title><p>after a timeout</p>", Options{}).ok());
}

TEST(ExtractorInstance, InstancesOnSeveralThreadsAgreeWithNative) {
  // Each thread owns one instance (as the pool hands them out); trap state and memories are per
  // thread and per instance, so concurrent guests must not disturb each other.
  std::string page = big_page(400);
  extract::Extractor native;
  auto expected_record = native.extract(page, Options{});
  ASSERT_TRUE(expected_record.ok());
  std::string expected = record_json(*expected_record);
  constexpr int kThreads = 4;
  constexpr int kRounds = 10;
  std::vector<int> matches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto made = ExtractorInstance::create({});
      if (!made.ok()) return;
      for (int i = 0; i < kRounds; ++i) {
        auto record = (*made)->extract(page, Options{});
        if (record.ok() && record_json(*record) == expected) ++matches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(matches[t], kRounds) << "thread " << t;
}

TEST(ExtractorInstance, ManyInstancesComeAndGo) {
  // Each instance reserves its own guard-page memory; creating and dropping them must not leak.
  size_t live_before = live_memory_reservations();
  for (int i = 0; i < 200; ++i) {
    auto instance = make_instance();
    ASSERT_NE(instance, nullptr);
    if (i % 50 == 0) {
      EXPECT_TRUE(instance->extract("<p>x</p>", Options{}).ok());
    }
  }
  EXPECT_EQ(live_memory_reservations(), live_before);
}

}  // namespace
}  // namespace riptide::sandbox
