#include "cli/crawl_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "pipeline/record_json.h"
#include "url/url.h"

namespace riptide::cli {

namespace {

// The record's fields that carry the page's content; the Markdown directory's index leaves them
// out (the content is in the page's file).
constexpr std::array<std::string_view, 3> kBodyFields = {"markdown", "text", "html"};

// File name extensions of server-side page types that say nothing about the content; the page's
// file gets ".md" instead ("x.html" -> "x.md").
constexpr std::array<std::string_view, 7> kPageExtensions = {".html", ".htm",  ".shtml", ".php",
                                                             ".asp",  ".aspx", ".jsp"};

bool is_safe_name_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// One path segment (or query) as a file or directory name: safe bytes only, no leading '.', at
// most kMaxOutputNameBytes. `text` is not empty.
std::string sanitise_name(std::string_view text) {
  std::string out;
  out.reserve(text.size() < kMaxOutputNameBytes ? text.size() : kMaxOutputNameBytes);
  for (char c : text) {
    if (out.size() == kMaxOutputNameBytes) break;
    out += is_safe_name_byte(static_cast<unsigned char>(c)) ? c : '_';
  }
  if (!out.empty() && out[0] == '.') out[0] = '_';
  return out;
}

// A directory name that cannot equal a page file's name (those end in ".md") or the index.
std::string directory_name(std::string_view segment) {
  std::string name = sanitise_name(segment);
  if (str::iends_with(name, ".md") || str::iequals(name, kIndexFileName)) name += '_';
  return name;
}

Error io_error(const std::string& what) {
  return Error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

// write(2) until everything is written (it may write less at a time).
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool write_line(std::FILE* out, const std::string& line) {
  return std::fwrite(line.data(), 1, line.size(), out) == line.size() &&
         std::fputc('\n', out) != EOF && std::fflush(out) == 0;
}

}  // namespace

nlohmann::ordered_json crawl_page_json(const crawl::CrawlPage& page, bool bodies) {
  using nlohmann::ordered_json;
  ordered_json record;
  if (page.record.has_value()) record = pipeline::record_to_json(*page.record);
  ordered_json out;
  // The document's URL first, as in every record; then the crawl's fields; then the rest.
  out["url"] = page.record.has_value() ? std::move(record["url"]) : ordered_json(page.url);
  out["crawl_url"] = page.url;
  out["final_url"] = page.final_url.empty() ? ordered_json(nullptr) : ordered_json(page.final_url);
  out["depth"] = page.depth;
  out["status"] = page.status == 0 ? ordered_json(nullptr) : ordered_json(page.status);
  out["skipped"] = page.skipped;
  out["skip_reason"] = page.skipped ? ordered_json(page.skip_reason) : ordered_json(nullptr);
  out["duplicate_of"] =
      page.duplicate_of.has_value() ? ordered_json(*page.duplicate_of) : ordered_json(nullptr);
  out["error"] =
      page.error.has_value() ? pipeline::error_to_json(*page.error) : ordered_json(nullptr);
  if (!page.record.has_value()) return out;
  for (auto& [key, value] : record.items()) {
    if (key == "url") continue;
    if (!bodies && std::find(kBodyFields.begin(), kBodyFields.end(), key) != kBodyFields.end()) {
      continue;
    }
    out[key] = std::move(value);
  }
  return out;
}

std::string json_line(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<std::string> MarkdownFileNames::assign(std::string_view url_text) {
  std::vector<std::string> dirs;
  std::string stem = "index";
  std::string query;
  Result<url::Url> parsed = url::parse(url_text);
  if (parsed.ok()) {
    const url::Url& url = *parsed;
    if (url.host() != home_host_) dirs.push_back(directory_name(url.host()));
    std::vector<std::string_view> segments;
    std::string_view path = url.pathname();
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      if (slash > start) segments.push_back(path.substr(start, slash - start));
      start = slash + 1;
    }
    // A path ending in '/' names a directory: its page is that directory's index.
    bool directory = path.empty() || path.back() == '/';
    if (!directory && !segments.empty()) {
      std::string_view last = segments.back();
      segments.pop_back();
      for (std::string_view extension : kPageExtensions) {
        if (last.size() > extension.size() && str::iends_with(last, extension)) {
          last.remove_suffix(extension.size());
          break;
        }
      }
      stem = sanitise_name(last);
    }
    for (std::string_view segment : segments) dirs.push_back(directory_name(segment));
    if (!url.query().empty()) query = sanitise_name(url.query());
  } else {
    stem = "page";
  }
  // Too deep: the extra directories become part of the file name.
  if (dirs.size() > kMaxOutputDirDepth) {
    std::string folded;
    for (size_t i = kMaxOutputDirDepth; i < dirs.size(); ++i) folded += dirs[i] + "_";
    stem = folded + stem;
    dirs.resize(kMaxOutputDirDepth);
  }
  if (!query.empty()) stem += "_" + query;
  if (stem.size() > kMaxOutputNameBytes) stem.resize(kMaxOutputNameBytes);
  if (str::iends_with(stem, ".md")) stem.resize(stem.size() - 3);  // "/a.md": a.md, not a.md.md
  if (stem.empty()) stem = "index";

  std::string base;
  for (const std::string& dir : dirs) base += dir + "/";
  base += stem;
  for (uint32_t n = 1; n <= kMaxNameSuffix; ++n) {
    std::string candidate = n == 1 ? base + ".md" : base + "-" + std::to_string(n) + ".md";
    if (taken_.insert(str::to_lower(candidate)).second) return candidate;
  }
  return Error(ErrorCode::kResourceLimit, "no free file name for " + std::string(url_text) +
                                              " after " + std::to_string(kMaxNameSuffix) +
                                              " tries");
}

std::string markdown_page_text(const extract::Record& record) {
  auto quoted = [](const std::string& value) { return json_line(nlohmann::ordered_json(value)); };
  std::string text = "---\nurl: " + quoted(record.url) + "\ntitle: " + quoted(record.title) + "\n";
  if (!record.published.empty()) text += "date: " + quoted(record.published) + "\n";
  text += "---\n\n";
  text += record.markdown;
  if (text.back() != '\n') text += '\n';
  return text;
}

void OutputSink::on_page(const crawl::CrawlPage& page) {
  std::lock_guard write_lock(writing_);
  if (stopped_ || failure().has_value()) return;
  Status written = write_page(page);
  std::lock_guard lock(mutex_);
  if (written.ok()) {
    ++pages_written_;
  } else {
    failure_ = written.error();
  }
}

std::optional<Error> OutputSink::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

uint64_t OutputSink::pages_written() const {
  std::lock_guard lock(mutex_);
  return pages_written_;
}

bool OutputSink::stop_writing(std::chrono::milliseconds timeout) {
  if (!writing_.try_lock_for(timeout)) return false;
  stopped_ = true;
  writing_.unlock();
  return true;
}

Result<std::unique_ptr<JsonlSink>> JsonlSink::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<JsonlSink>(new JsonlSink(stdout, false, "stdout"));
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) return io_error("cannot open " + path);
  return std::unique_ptr<JsonlSink>(new JsonlSink(out, true, path));
}

JsonlSink::JsonlSink(std::FILE* out, bool owned, std::string path)
    : out_(out), owned_(owned), path_(std::move(path)) {}

JsonlSink::~JsonlSink() {
  (void)close();
}

Status JsonlSink::write_page(const crawl::CrawlPage& page) {
  if (out_ == nullptr) return Error(ErrorCode::kIo, path_ + " is closed");
  if (!write_line(out_, json_line(crawl_page_json(page)))) return io_error("cannot write " + path_);
  return Status();
}

Status JsonlSink::close() {
  if (out_ == nullptr) return Status();
  bool ok = std::fflush(out_) == 0;
  if (owned_) ok = std::fclose(out_) == 0 && ok;
  out_ = nullptr;
  if (!ok) return io_error("cannot write " + path_);
  return Status();
}

Result<std::unique_ptr<MarkdownDirSink>> MarkdownDirSink::open(const std::string& dir,
                                                               std::string home_host) {
  std::error_code ec;
  std::filesystem::path path(dir);
  if (std::filesystem::exists(path, ec)) {
    if (!std::filesystem::is_directory(path, ec)) {
      return Error(ErrorCode::kInvalidArgument, dir + " exists and is not a directory");
    }
    if (!std::filesystem::is_empty(path, ec) || ec) {
      return Error(ErrorCode::kInvalidArgument,
                   dir + " is not empty (the pages of one crawl go into a new or empty directory)");
    }
  } else if (!std::filesystem::create_directories(path, ec) || ec) {
    return Error(ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  }
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open " + dir);
  int index_fd = ::openat(fd, std::string(kIndexFileName).c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  std::FILE* index = index_fd < 0 ? nullptr : ::fdopen(index_fd, "w");
  if (index == nullptr) {
    Error error = io_error("cannot create " + dir + "/" + std::string(kIndexFileName));
    if (index_fd >= 0) ::close(index_fd);
    ::close(fd);
    return error;
  }
  return std::unique_ptr<MarkdownDirSink>(
      new MarkdownDirSink(fd, index, dir, std::move(home_host)));
}

MarkdownDirSink::MarkdownDirSink(int dir_fd, std::FILE* index, std::string dir,
                                 std::string home_host)
    : dir_fd_(dir_fd), index_(index), dir_(std::move(dir)), names_(std::move(home_host)) {}

MarkdownDirSink::~MarkdownDirSink() {
  (void)close();
}

Status MarkdownDirSink::write_page_file(const std::string& relative, const std::string& text) {
  // Walk down from the output directory one name at a time: a directory is created if missing
  // and opened without following symbolic links, so nothing outside `dir_` is ever touched.
  int fd = dir_fd_;
  size_t start = 0;
  auto close_walk = [&] {
    if (fd != dir_fd_) ::close(fd);
  };
  for (size_t slash = relative.find('/'); slash != std::string::npos;
       slash = relative.find('/', start)) {
    std::string name = relative.substr(start, slash - start);
    if (::mkdirat(fd, name.c_str(), 0755) != 0 && errno != EEXIST) {
      Error error = io_error("cannot create " + dir_ + "/" + relative.substr(0, slash));
      close_walk();
      return error;
    }
    int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      Error error = io_error("cannot open " + dir_ + "/" + relative.substr(0, slash));
      close_walk();
      return error;
    }
    close_walk();
    fd = next;
    start = slash + 1;
  }
  std::string name = relative.substr(start);
  int file = ::openat(fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  close_walk();
  if (file < 0) return io_error("cannot create " + dir_ + "/" + relative);
  bool ok = write_all(file, text);
  ok = ::close(file) == 0 && ok;
  if (!ok) return io_error("cannot write " + dir_ + "/" + relative);
  return Status();
}

Status MarkdownDirSink::write_page(const crawl::CrawlPage& page) {
  if (index_ == nullptr) return Error(ErrorCode::kIo, dir_ + " is closed");
  nlohmann::ordered_json line = crawl_page_json(page, /*bodies=*/false);
  line["file"] = nullptr;
  if (page.record.has_value()) {
    Result<std::string> name = names_.assign(page.url);
    if (!name.ok()) return name.error();
    Status written = write_page_file(*name, markdown_page_text(*page.record));
    if (!written.ok()) return written;
    line["file"] = *name;
  }
  if (!write_line(index_, json_line(line))) {
    return io_error("cannot write " + dir_ + "/" + std::string(kIndexFileName));
  }
  return Status();
}

Status MarkdownDirSink::close() {
  bool ok = true;
  if (index_ != nullptr) {
    ok = std::fclose(index_) == 0;
    index_ = nullptr;
  }
  if (dir_fd_ >= 0) {
    ::close(dir_fd_);
    dir_fd_ = -1;
  }
  if (!ok) return io_error("cannot write " + dir_ + "/" + std::string(kIndexFileName));
  return Status();
}

}  // namespace riptide::cli
