// riptide crawl's outputs (cli/crawl_output.h): the JSON line of a page, the Markdown directory's
// file names (unique, sanitised, never outside the directory) and both sinks on real files.
#include "cli/crawl_output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/text_file.h"

namespace riptide::cli {
namespace {

using riptide::testing::read_text_file;
using riptide::testing::text_lines;

namespace fs = std::filesystem;
using nlohmann::ordered_json;

crawl::CrawlPage document_page(std::string url, std::string markdown = "# Otters\n\nThey swim.") {
  crawl::CrawlPage page;
  page.url = url;
  page.final_url = url;
  page.depth = 1;
  page.status = 200;
  extract::Record record;
  record.url = url;
  record.title = "Otters \"return\"";
  record.published = "2024-05-01";
  record.markdown = std::move(markdown);
  record.text = "Otters. They swim.";
  record.html = "<h1>Otters</h1><p>They swim.</p>";
  record.word_count = 3;
  page.record = std::move(record);
  return page;
}

crawl::CrawlPage error_page(std::string url) {
  crawl::CrawlPage page;
  page.url = url;
  page.final_url = url;
  page.depth = 2;
  page.status = 404;
  page.error = Error(ErrorCode::kFetchFailed, "origin answered HTTP 404");
  return page;
}

std::vector<std::string> keys_of(const ordered_json& json) {
  std::vector<std::string> keys;
  for (auto& [key, value] : json.items()) keys.push_back(key);
  return keys;
}

// A fresh directory path (not created) per test, removed afterwards.
class TempDir {
 public:
  explicit TempDir(const std::string& suffix = "")
      : path_(fs::path(::testing::TempDir()) /
              ("crawl_output_test." + std::to_string(getpid()) + "." +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix)) {
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(CrawlPageJson, DocumentHasTheRecordAndTheCrawlFields) {
  crawl::CrawlPage page = document_page("https://a.com/otters");
  page.record->url = "https://a.com/canonical-otters";  // the page declares a canonical URL
  page.duplicate_of = "https://a.com/first";
  ordered_json json = crawl_page_json(page);
  std::vector<std::string> keys = keys_of(json);
  ASSERT_GE(keys.size(), 10u);
  EXPECT_EQ((std::vector<std::string>(keys.begin(), keys.begin() + 10)),
            (std::vector<std::string>{"url", "crawl_url", "final_url", "depth", "status", "skipped",
                                      "skip_reason", "duplicate_of", "error", "title"}));
  EXPECT_EQ(json["url"], "https://a.com/canonical-otters");
  EXPECT_EQ(json["crawl_url"], "https://a.com/otters");
  EXPECT_EQ(json["depth"], 1);
  EXPECT_EQ(json["status"], 200);
  EXPECT_EQ(json["skipped"], false);
  EXPECT_TRUE(json["skip_reason"].is_null());
  EXPECT_EQ(json["duplicate_of"], "https://a.com/first");
  EXPECT_TRUE(json["error"].is_null());
  EXPECT_EQ(json["title"], "Otters \"return\"");
  EXPECT_EQ(json["markdown"], "# Otters\n\nThey swim.");
  EXPECT_EQ(json["html"], "<h1>Otters</h1><p>They swim.</p>");
  EXPECT_TRUE(json.contains("links"));
  EXPECT_TRUE(json.contains("stats"));

  ordered_json index = crawl_page_json(page, /*bodies=*/false);
  EXPECT_FALSE(index.contains("markdown"));
  EXPECT_FALSE(index.contains("text"));
  EXPECT_FALSE(index.contains("html"));
  EXPECT_EQ(index["title"], json["title"]);
  EXPECT_EQ(index["word_count"], 3);
}

TEST(CrawlPageJson, ErrorsAndSkipsHaveNoRecordFields) {
  ordered_json failed = crawl_page_json(error_page("https://a.com/gone"));
  EXPECT_EQ(failed["url"], "https://a.com/gone");
  EXPECT_EQ(failed["status"], 404);
  EXPECT_EQ(failed["error"]["code"], "fetch_failed");
  EXPECT_EQ(failed["error"]["message"], "origin answered HTTP 404");
  EXPECT_FALSE(failed.contains("title"));

  crawl::CrawlPage skipped;
  skipped.url = "https://a.com/private/x";
  skipped.depth = 1;
  skipped.skipped = true;
  skipped.skip_reason = "disallowed by robots.txt";
  ordered_json json = crawl_page_json(skipped);
  EXPECT_EQ(json["skipped"], true);
  EXPECT_EQ(json["skip_reason"], "disallowed by robots.txt");
  EXPECT_TRUE(json["status"].is_null());
  EXPECT_TRUE(json["final_url"].is_null());
  EXPECT_TRUE(json["error"].is_null());
  EXPECT_EQ(json_line(json).find('\n'), std::string::npos);
}

TEST(CrawlPageJson, InvalidUtf8IsReplacedNotThrown) {
  crawl::CrawlPage page = error_page("https://a.com/\xff");
  std::string line = json_line(crawl_page_json(page));
  EXPECT_NE(line.find("https://a.com/\xEF\xBF\xBD"), std::string::npos) << line;  // U+FFFD
  EXPECT_EQ(ordered_json::parse(line)["status"], 404);
}

TEST(MarkdownFileNames, DerivedFromTheUrlPath) {
  struct Case {
    const char* url;
    const char* name;
  };
  const Case cases[] = {
      {"https://a.com/", "index.md"},
      {"https://a.com/blog/", "blog/index.md"},
      {"https://a.com/blog/x.html", "blog/x.md"},
      {"https://a.com/blog/2024/05/otters", "blog/2024/05/otters.md"},
      {"https://a.com/p?id=3&sort=a%20b", "p_id_3_sort_a_20b.md"},
      {"https://a.com/?page=2", "index_page_2.md"},
      {"https://a.com/notes.md", "notes.md"},
      {"https://a.com/x.md/y", "x.md_/y.md"},
      {"https://a.com/index.jsonl/y", "index.jsonl_/y.md"},
      {"https://a.com/.hidden", "_hidden.md"},
      {"https://a.com/caf%C3%A9", "caf_C3_A9.md"},
      {"https://a.com/a b/c", "a_20b/c.md"},
      {"https://docs.a.com/guide", "docs.a.com/guide.md"},
      {"https://a.com:8080/x", "a.com_8080/x.md"},
      {"https://a.com/.html", "_html.md"},
  };
  for (const Case& c : cases) {
    MarkdownFileNames names("a.com");
    Result<std::string> name = names.assign(c.url);
    ASSERT_TRUE(name.ok()) << c.url;
    EXPECT_EQ(*name, c.name) << c.url;
  }
}

TEST(MarkdownFileNames, UniqueIgnoringCase) {
  MarkdownFileNames names("a.com");
  EXPECT_EQ(*names.assign("https://a.com/x"), "x.md");
  EXPECT_EQ(*names.assign("https://a.com/x.html"), "x-2.md");
  EXPECT_EQ(*names.assign("https://a.com/X"), "X-3.md");
  EXPECT_EQ(*names.assign("https://a.com/x-2"), "x-2-2.md");
  EXPECT_EQ(*names.assign("https://a.com/"), "index.md");
  EXPECT_EQ(*names.assign("https://a.com/index.htm"), "index-2.md");
}

TEST(MarkdownFileNames, LongAndDeepPathsAreBounded) {
  MarkdownFileNames names("a.com");
  std::string long_segment(1000, 'a');
  Result<std::string> name = names.assign("https://a.com/" + long_segment);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, std::string(kMaxOutputNameBytes, 'a') + ".md");
  // Truncated names that collide stay unique.
  EXPECT_EQ(*names.assign("https://a.com/" + long_segment + "b"),
            std::string(kMaxOutputNameBytes, 'a') + "-2.md");

  std::string deep = "https://a.com";
  for (int i = 0; i < 40; ++i) deep += "/d" + std::to_string(i);
  Result<std::string> deep_name = names.assign(deep);
  ASSERT_TRUE(deep_name.ok());
  size_t slashes = std::count(deep_name->begin(), deep_name->end(), '/');
  EXPECT_EQ(slashes, kMaxOutputDirDepth) << *deep_name;
  EXPECT_NE(deep_name->find("d16_d17_"), std::string::npos) << *deep_name;
}

// Whatever the URL, the name is a relative path of safe, non-dot segments ending in ".md".
TEST(MarkdownFileNames, NeverLeaveTheDirectory) {
  const char* urls[] = {
      "https://a.com/../../etc/passwd",
      "https://a.com/%2e%2e/%2e%2e/etc/passwd",
      "https://a.com/..%2f..%2fetc/passwd",
      "https://a.com/a/./b/../../../c",
      "https://a.com//x//y",
      "https://a.com/%00/x%0a",
      "https://a.com/...",
      "https://a.com/..../x",
      "https://[::1]:8080/x",
      "http://127.0.0.1/.git/config",
      "not a url at all",
      "https://a.com/\\..\\..\\win",
  };
  MarkdownFileNames names("a.com");
  for (const char* url : urls) {
    Result<std::string> name = names.assign(url);
    ASSERT_TRUE(name.ok()) << url;
    ASSERT_FALSE(name->empty());
    EXPECT_NE(name->front(), '/') << url;
    EXPECT_TRUE(name->ends_with(".md")) << *name;
    size_t start = 0;
    while (start <= name->size()) {
      size_t slash = name->find('/', start);
      if (slash == std::string::npos) slash = name->size();
      std::string segment = name->substr(start, slash - start);
      EXPECT_FALSE(segment.empty()) << url << " -> " << *name;
      EXPECT_NE(segment.front(), '.') << url << " -> " << *name;
      for (char c : segment) {
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')
            << url << " -> " << *name;
      }
      start = slash + 1;
    }
  }
}

TEST(MarkdownPageText, FrontMatterThenMarkdown) {
  crawl::CrawlPage page = document_page("https://a.com/otters");
  EXPECT_EQ(markdown_page_text(*page.record),
            "---\nurl: \"https://a.com/otters\"\ntitle: \"Otters \\\"return\\\"\"\n"
            "date: \"2024-05-01\"\n---\n\n# Otters\n\nThey swim.\n");
  page.record->published.clear();
  EXPECT_EQ(markdown_page_text(*page.record).find("date:"), std::string::npos);
}

TEST(JsonlSink, WritesOneFlushedLinePerPage) {
  TempDir dir;
  fs::create_directories(dir.path());
  std::string path = (dir.path() / "out.jsonl").string();
  Result<std::unique_ptr<JsonlSink>> sink = JsonlSink::open(path);
  ASSERT_TRUE(sink.ok()) << sink.error().to_string();
  (*sink)->on_page(document_page("https://a.com/"));
  // Written as the page arrives, before the sink is closed.
  EXPECT_EQ(text_lines(read_text_file(path)).size(), 1u);
  (*sink)->on_page(error_page("https://a.com/gone"));
  ASSERT_TRUE((*sink)->close().ok());
  std::vector<std::string> lines = text_lines(read_text_file(path));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(ordered_json::parse(lines[0])["title"], "Otters \"return\"");
  EXPECT_EQ(ordered_json::parse(lines[1])["error"]["code"], "fetch_failed");
  EXPECT_EQ((*sink)->pages_written(), 2u);
  EXPECT_FALSE((*sink)->failure().has_value());
}

TEST(JsonlSink, NothingIsWrittenAfterStopWriting) {
  TempDir dir;
  fs::create_directories(dir.path());
  std::string path = (dir.path() / "out.jsonl").string();
  Result<std::unique_ptr<JsonlSink>> sink = JsonlSink::open(path);
  ASSERT_TRUE(sink.ok());
  (*sink)->on_page(document_page("https://a.com/"));
  EXPECT_TRUE((*sink)->stop_writing(std::chrono::milliseconds(0)));
  (*sink)->on_page(document_page("https://a.com/b"));
  EXPECT_EQ((*sink)->pages_written(), 1u);
  EXPECT_EQ(text_lines(read_text_file(path)).size(), 1u);
  EXPECT_FALSE((*sink)->failure().has_value());
}

TEST(JsonlSink, AWriteFailureIsKeptAndLaterPagesDropped) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  Result<std::unique_ptr<JsonlSink>> sink = JsonlSink::open("/dev/full");
  ASSERT_TRUE(sink.ok());
  (*sink)->on_page(document_page("https://a.com/"));
  std::optional<Error> failure = (*sink)->failure();
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code(), ErrorCode::kIo);
  EXPECT_NE(failure->message().find("/dev/full"), std::string::npos) << failure->message();
  (*sink)->on_page(document_page("https://a.com/b"));
  EXPECT_EQ((*sink)->pages_written(), 0u);

  Result<std::unique_ptr<JsonlSink>> missing = JsonlSink::open("/nonexistent-dir/out.jsonl");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
}

TEST(MarkdownDirSink, OneFilePerDocumentAndAnIndexOfEveryPage) {
  TempDir dir;
  Result<std::unique_ptr<MarkdownDirSink>> sink =
      MarkdownDirSink::open(dir.path().string(), "a.com");
  ASSERT_TRUE(sink.ok()) << sink.error().to_string();
  (*sink)->on_page(document_page("https://a.com/"));
  (*sink)->on_page(document_page("https://a.com/blog/otters.html", "Otters *swim*."));
  (*sink)->on_page(error_page("https://a.com/gone"));
  EXPECT_EQ(text_lines(read_text_file(dir.path() / "index.jsonl")).size(), 3u);  // before close
  ASSERT_TRUE((*sink)->close().ok());
  EXPECT_FALSE((*sink)->failure().has_value());

  EXPECT_EQ(read_text_file(dir.path() / "blog" / "otters.md"),
            "---\nurl: \"https://a.com/blog/otters.html\"\ntitle: \"Otters \\\"return\\\"\"\n"
            "date: \"2024-05-01\"\n---\n\nOtters *swim*.\n");
  EXPECT_TRUE(fs::is_regular_file(dir.path() / "index.md"));
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir.path()).string());
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"blog/otters.md", "index.jsonl", "index.md"}));

  std::vector<std::string> lines = text_lines(read_text_file(dir.path() / "index.jsonl"));
  ordered_json first = ordered_json::parse(lines[0]);
  EXPECT_EQ(first["file"], "index.md");
  EXPECT_FALSE(first.contains("markdown"));
  EXPECT_EQ(ordered_json::parse(lines[1])["file"], "blog/otters.md");
  ordered_json gone = ordered_json::parse(lines[2]);
  EXPECT_TRUE(gone["file"].is_null());
  EXPECT_EQ(gone["error"]["code"], "fetch_failed");
}

TEST(MarkdownDirSink, RefusesANonEmptyDirectoryOrAFile) {
  TempDir dir;
  fs::create_directories(dir.path());
  std::ofstream(dir.path() / "old.md") << "from an earlier crawl";
  Result<std::unique_ptr<MarkdownDirSink>> sink =
      MarkdownDirSink::open(dir.path().string(), "a.com");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(sink.error().message().find("is not empty"), std::string::npos);
  EXPECT_EQ(read_text_file(dir.path() / "old.md"), "from an earlier crawl");

  Result<std::unique_ptr<MarkdownDirSink>> file =
      MarkdownDirSink::open((dir.path() / "old.md").string(), "a.com");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message().find("not a directory"), std::string::npos);
}

// A symbolic link planted inside the directory while the crawl runs is not followed.
TEST(MarkdownDirSink, DoesNotFollowASymlinkPlantedInTheDirectory) {
  TempDir dir;
  TempDir outside_parent(".outside");
  fs::path outside = outside_parent.path();
  fs::create_directories(outside);
  Result<std::unique_ptr<MarkdownDirSink>> sink =
      MarkdownDirSink::open(dir.path().string(), "a.com");
  ASSERT_TRUE(sink.ok());
  fs::create_directory_symlink(outside, dir.path() / "blog");
  (*sink)->on_page(document_page("https://a.com/blog/x"));
  std::optional<Error> failure = (*sink)->failure();
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code(), ErrorCode::kIo);
  EXPECT_TRUE(fs::is_empty(outside));
}

}  // namespace
}  // namespace riptide::cli
