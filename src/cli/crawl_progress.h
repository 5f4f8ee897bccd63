#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "crawl/crawler.h"

// Progress of `riptide crawl` on standard error (docs/crawl.md "Command line"): a live one-line
// bar on a terminal, plain lines at a slower pace otherwise (a log file or CI output must not fill
// up with redraws), and one summary line at the end.
namespace riptide::cli {

// A terminal bar is redrawn at most this often (10 times a second is smooth without flicker or
// measurable cost).
inline constexpr std::chrono::milliseconds kBarRedrawInterval{100};
// Interval of the plain progress lines when standard error is not a terminal.
inline constexpr std::chrono::milliseconds kProgressLineInterval{2000};
// Cells of the bar itself ("[#####     ]") when max_pages is known.
inline constexpr size_t kBarCells = 20;
// Terminal width assumed when the terminal does not say.
inline constexpr size_t kDefaultTerminalColumns = 80;

// Pages finished per second (done + failed; robots skips cost no request), over the elapsed time.
double pages_per_second(const crawl::CrawlProgress& progress);

// "0:07", "12:34", "1:02:03".
std::string format_duration(std::chrono::seconds duration);

// The bar's text, at most `columns` - 1 characters (a line that fills the terminal would wrap and
// break the redraw). `max_pages` 0 means no page limit: no bar and no ETA.
//   [########            ] 412/1000 pages  52.3 pages/s  ETA 0:11  3 failed  588 queued
//   412 pages  52.3 pages/s  0:08  3 failed  1022 queued  8 in flight
std::string progress_bar_text(const crawl::CrawlProgress& progress, uint64_t max_pages,
                              size_t columns);

// One plain progress line (no newline):
//   riptide crawl: 412 pages, 3 failed, 2 skipped, 588 queued, 8 in flight, 52.3 pages/s,
//   8.0 s elapsed, ETA 11 s
std::string progress_line_text(const crawl::CrawlProgress& progress, uint64_t max_pages);

// The final line (no newline): how the crawl ended, the counts, time and rate.
//   riptide crawl: completed: 1000 pages (3 failed, 2 skipped by robots.txt, 5 duplicates) in
//   19.2 s, 52.1 pages/s
std::string summary_text(const crawl::CrawlProgress& progress, std::string_view how_it_ended);

// Draws progress on `out` (standard error). Not thread-safe: one thread calls it (the CLI's
// monitor loop).
class ProgressDisplay {
 public:
  enum class Style : uint8_t {
    kBar,    // a terminal: the bar redrawn in place
    kLines,  // anything else: a line every kProgressLineInterval
  };
  using Clock = std::chrono::steady_clock;

  ProgressDisplay(std::FILE* out, Style style, uint64_t max_pages, size_t columns,
                  Clock::time_point start);

  // Draws when due (at most every kBarRedrawInterval, or every kProgressLineInterval).
  void update(const crawl::CrawlProgress& progress, Clock::time_point now);
  // Prints a message on a line of its own (erasing the bar first).
  void message(std::string_view text);
  // Erases the bar and prints summary_text.
  void finish(const crawl::CrawlProgress& progress, std::string_view how_it_ended);

 private:
  void erase_bar();

  std::FILE* out_;
  Style style_;
  uint64_t max_pages_;
  size_t columns_;
  Clock::time_point next_draw_;
  bool bar_drawn_ = false;
};

}  // namespace riptide::cli
