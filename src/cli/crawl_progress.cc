#include "cli/crawl_progress.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace riptide::cli {

namespace {

uint64_t pages_finished(const crawl::CrawlProgress& progress) {
  return progress.pages_done + progress.pages_failed;
}

// printf into a std::string (the texts here are short; longer ones are cut, never overrun).
[[gnu::format(printf, 1, 2)]] std::string formatted(const char* format, ...) {
  char buffer[256];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  if (n < 0) return "";
  return std::string(buffer, std::min(static_cast<size_t>(n), sizeof buffer - 1));
}

double seconds_of(std::chrono::milliseconds elapsed) {
  return static_cast<double>(elapsed.count()) / 1000.0;
}

// The time left to reach max_pages at the current rate; nullopt when it cannot be told.
std::optional<std::chrono::seconds> eta(const crawl::CrawlProgress& progress, uint64_t max_pages) {
  double rate = pages_per_second(progress);
  uint64_t finished = pages_finished(progress);
  if (max_pages == 0 || rate <= 0) return std::nullopt;
  uint64_t remaining = finished >= max_pages ? 0 : max_pages - finished;
  double seconds = std::ceil(static_cast<double>(remaining) / rate);
  // Beyond this the estimate means nothing (and would overflow the conversion).
  constexpr double kMaxEtaSeconds = 1e9;
  if (seconds > kMaxEtaSeconds) return std::nullopt;
  return std::chrono::seconds(static_cast<int64_t>(seconds));
}

}  // namespace

double pages_per_second(const crawl::CrawlProgress& progress) {
  if (progress.elapsed.count() <= 0) return 0;
  return static_cast<double>(pages_finished(progress)) * 1000.0 /
         static_cast<double>(progress.elapsed.count());
}

std::string format_duration(std::chrono::seconds duration) {
  int64_t total = std::max<int64_t>(0, duration.count());
  char buffer[48];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%" PRId64 ":%02d:%02d", total / 3600,
                  static_cast<int>(total / 60 % 60), static_cast<int>(total % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%d:%02d", static_cast<int>(total / 60),
                  static_cast<int>(total % 60));
  }
  return buffer;
}

std::string progress_bar_text(const crawl::CrawlProgress& progress, uint64_t max_pages,
                              size_t columns) {
  uint64_t finished = pages_finished(progress);
  std::string text;
  if (max_pages > 0) {
    // In floating point: finished * kBarCells could overflow for a huge max_pages.
    size_t filled = finished >= max_pages
                        ? kBarCells
                        : static_cast<size_t>(static_cast<double>(finished) /
                                              static_cast<double>(max_pages) * kBarCells);
    text += '[';
    text.append(filled, '#');
    text.append(kBarCells - filled, ' ');
    text += formatted("] %" PRIu64 "/%" PRIu64 " pages", finished, max_pages);
  } else {
    text += formatted("%" PRIu64 " pages", finished);
  }
  // The most telling figures first: a narrow terminal cuts the end of the line.
  std::optional<std::chrono::seconds> left = eta(progress, max_pages);
  text += formatted("  %.1f pages/s  %s%s  %" PRIu64 " failed  %" PRIu64 " queued",
                    pages_per_second(progress), left.has_value() ? "ETA " : "",
                    format_duration(left.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                        progress.elapsed)))
                        .c_str(),
                    progress.pages_failed, progress.queued);
  if (max_pages == 0) text += formatted("  %" PRIu64 " in flight", progress.in_flight);
  size_t limit = columns > 1 ? columns - 1 : 0;
  if (text.size() > limit) text.resize(limit);
  return text;
}

std::string progress_line_text(const crawl::CrawlProgress& progress, uint64_t max_pages) {
  std::string text = formatted("riptide crawl: %" PRIu64, pages_finished(progress));
  if (max_pages > 0) text += formatted("/%" PRIu64, max_pages);
  text += formatted(" pages, %" PRIu64 " failed, %" PRIu64 " skipped, %" PRIu64 " queued, %" PRIu64
                    " in flight, %.1f pages/s, %.1f s elapsed",
                    progress.pages_failed, progress.pages_skipped, progress.queued,
                    progress.in_flight, pages_per_second(progress), seconds_of(progress.elapsed));
  if (std::optional<std::chrono::seconds> left = eta(progress, max_pages)) {
    text += formatted(", ETA %" PRId64 " s", static_cast<int64_t>(left->count()));
  }
  return text;
}

std::string summary_text(const crawl::CrawlProgress& progress, std::string_view how_it_ended) {
  return formatted("riptide crawl: %.*s: %" PRIu64 " pages (%" PRIu64 " failed, %" PRIu64
                   " skipped by robots.txt, %" PRIu64 " duplicates) in %.1f s, %.1f pages/s",
                   static_cast<int>(how_it_ended.size()), how_it_ended.data(),
                   pages_finished(progress), progress.pages_failed, progress.pages_skipped,
                   progress.duplicates, seconds_of(progress.elapsed), pages_per_second(progress));
}

ProgressDisplay::ProgressDisplay(std::FILE* out, Style style, uint64_t max_pages, size_t columns,
                                 Clock::time_point start)
    : out_(out),
      style_(style),
      max_pages_(max_pages),
      columns_(columns == 0 ? kDefaultTerminalColumns : columns),
      next_draw_(start + (style == Style::kBar ? kBarRedrawInterval : kProgressLineInterval)) {}

void ProgressDisplay::update(const crawl::CrawlProgress& progress, Clock::time_point now) {
  if (now < next_draw_) return;
  if (style_ == Style::kBar) {
    // "\r" back to the line's start, ESC [ K (ECMA-48 EL) erases what a longer bar left behind.
    std::fprintf(out_, "\r%s\x1b[K", progress_bar_text(progress, max_pages_, columns_).c_str());
    bar_drawn_ = true;
    next_draw_ = now + kBarRedrawInterval;
  } else {
    std::fprintf(out_, "%s\n", progress_line_text(progress, max_pages_).c_str());
    next_draw_ = now + kProgressLineInterval;
  }
  std::fflush(out_);
}

void ProgressDisplay::erase_bar() {
  if (!bar_drawn_) return;
  std::fputs("\r\x1b[K", out_);
  bar_drawn_ = false;
}

void ProgressDisplay::message(std::string_view text) {
  erase_bar();
  std::fprintf(out_, "%.*s\n", static_cast<int>(text.size()), text.data());
  std::fflush(out_);
}

void ProgressDisplay::finish(const crawl::CrawlProgress& progress, std::string_view how_it_ended) {
  message(summary_text(progress, how_it_ended));
}

}  // namespace riptide::cli
