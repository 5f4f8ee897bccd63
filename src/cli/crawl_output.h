#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/result.h"
#include "crawl/crawler.h"

// Where `riptide crawl` writes its pages (docs/crawl.md "Command line"): JSON lines on standard
// output or in a file, or a directory of Markdown files with an index. Both write each page as it
// arrives and flush it, so an interrupted or crashed crawl keeps every page reported before.
namespace riptide::cli {

// The longest file or directory name the Markdown directory uses (ext4 allows 255 bytes; the
// margin leaves room for a "-NNN" uniqueness suffix and ".md").
inline constexpr size_t kMaxOutputNameBytes = 120;
// Directory levels below the output directory; deeper URL paths are folded into the file name.
inline constexpr size_t kMaxOutputDirDepth = 16;
// Most "-N" suffixes tried for a unique file name before the sink gives up on the page (only
// reachable with thousands of URLs that sanitise to the same name).
inline constexpr uint32_t kMaxNameSuffix = 100'000;
// The index of a Markdown directory, next to the pages.
inline constexpr std::string_view kIndexFileName = "index.jsonl";

// One output line for a crawled page: the record's JSON (pipeline::record_to_json; "url" is the
// record's URL) plus the crawl's fields "crawl_url" (the canonical URL requested), "final_url"
// (after redirects), "depth", "status", "skipped", "duplicate_of" and "error" ({code, message});
// fields a page does not have are null. Without `bodies` the record's markdown, text and html are
// left out (the Markdown directory's index).
nlohmann::ordered_json crawl_page_json(const crawl::CrawlPage& page, bool bodies = true);

// The JSON text of `json` on one line; invalid UTF-8 (a URL echoed back) is replaced, not thrown.
std::string json_line(const nlohmann::ordered_json& json);

// Relative file names for the pages of a Markdown directory, derived from their URLs:
//   https://a.com/            -> index.md
//   https://a.com/blog/       -> blog/index.md
//   https://a.com/blog/x.html -> blog/x.md
//   https://a.com/p?id=3      -> p_id_3.md
//   https://b.a.com/y         -> b.a.com/y.md   (a host other than `home_host`)
// Every name stays inside the directory: each path segment is reduced to [A-Za-z0-9._-] (other
// bytes become '_'), a leading '.' becomes '_' (so no "..", no hidden files), segments are cut to
// kMaxOutputNameBytes and the path to kMaxOutputDirDepth directories. Names are unique ignoring
// ASCII case (a case-insensitive file system keeps them apart too): a taken name gets "-2", "-3".
// Files always end in ".md" and directories never do, and no directory is named like the index,
// so a file never collides with a directory.
class MarkdownFileNames {
 public:
  // `home_host`: host[:port] whose pages go at the top level.
  explicit MarkdownFileNames(std::string home_host) : home_host_(std::move(home_host)) {}

  // A new unique relative path ("blog/x.md"); kResourceLimit when kMaxNameSuffix are taken.
  Result<std::string> assign(std::string_view url);

 private:
  std::string home_host_;
  std::unordered_set<std::string> taken_;  // ASCII-lowercased relative paths
};

// The page file's text: a YAML front matter block (url, title, date when the page has a
// publication date; values as JSON strings, which YAML reads unchanged), a blank line, then the
// Markdown.
std::string markdown_page_text(const extract::Record& record);

// The sinks' common part: on_page writes one page under a lock; the first failure is kept and
// later pages are dropped, so the caller can stop the crawl (failure() is safe from any thread).
class OutputSink : public crawl::CrawlSink {
 public:
  void on_page(const crawl::CrawlPage& page) final;

  std::optional<Error> failure() const;
  uint64_t pages_written() const;

  // Waits up to `timeout` for a page being written to be complete, then drops every later page:
  // for a process about to exit at once (a second Ctrl-C), so the output does not end in half a
  // line. False when the write did not finish in time.
  bool stop_writing(std::chrono::milliseconds timeout);

 protected:
  // Writes one page; called with the write lock held, never after a failure.
  virtual Status write_page(const crawl::CrawlPage& page) = 0;

 private:
  std::timed_mutex writing_;  // held while a page is written
  bool stopped_ = false;      // guarded by writing_
  mutable std::mutex mutex_;  // guards the two below
  std::optional<Error> failure_;
  uint64_t pages_written_ = 0;
};

// One JSON line per page (crawl_page_json) on `out`, flushed after each line.
class JsonlSink : public OutputSink {
 public:
  // Opens `path` for writing (truncated); "-" is standard output. kIo when it cannot be opened.
  static Result<std::unique_ptr<JsonlSink>> open(const std::string& path);
  ~JsonlSink() override;
  JsonlSink(const JsonlSink&) = delete;
  JsonlSink& operator=(const JsonlSink&) = delete;

  // Flushes and closes the file (standard output is flushed only); kIo when that fails.
  Status close();

 private:
  JsonlSink(std::FILE* out, bool owned, std::string path);
  Status write_page(const crawl::CrawlPage& page) override;

  std::FILE* out_;
  bool owned_;
  std::string path_;
};

// One Markdown file per page with a record (markdown_page_text, named by MarkdownFileNames) and
// index.jsonl with one line per page (crawl_page_json without bodies, plus "file": the page's
// relative path or null), both written as pages arrive.
class MarkdownDirSink : public OutputSink {
 public:
  // Creates `dir` (and its parents) if missing. An existing `dir` must be an empty directory, so
  // no earlier crawl's files mix with this one's and no file is overwritten (kInvalidArgument
  // otherwise). `home_host` as for MarkdownFileNames. kIo when it cannot be created.
  static Result<std::unique_ptr<MarkdownDirSink>> open(const std::string& dir,
                                                       std::string home_host);
  ~MarkdownDirSink() override;
  MarkdownDirSink(const MarkdownDirSink&) = delete;
  MarkdownDirSink& operator=(const MarkdownDirSink&) = delete;

  Status close();

 private:
  MarkdownDirSink(int dir_fd, std::FILE* index, std::string dir, std::string home_host);
  Status write_page(const crawl::CrawlPage& page) override;
  // Writes the page file at `relative` (directories created as needed, never following a
  // symbolic link, never replacing a file).
  Status write_page_file(const std::string& relative, const std::string& text);

  int dir_fd_;
  std::FILE* index_;
  std::string dir_;
  MarkdownFileNames names_;
};

}  // namespace riptide::cli
