// riptide crawl's progress display (cli/crawl_progress.h): the texts, and how often they are drawn.
#include "cli/crawl_progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>

namespace riptide::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

crawl::CrawlProgress progress_at(uint64_t done, uint64_t failed, milliseconds elapsed) {
  crawl::CrawlProgress progress;
  progress.pages_done = done;
  progress.pages_failed = failed;
  progress.pages_skipped = 2;
  progress.duplicates = 5;
  progress.queued = 588;
  progress.in_flight = 8;
  progress.elapsed = elapsed;
  return progress;
}

// Reads back what a display wrote to a temporary file.
std::string contents(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  return text;
}

TEST(CrawlProgress, RateAndDuration) {
  EXPECT_DOUBLE_EQ(pages_per_second(progress_at(97, 3, milliseconds(4000))), 25.0);
  EXPECT_DOUBLE_EQ(pages_per_second(progress_at(10, 0, milliseconds(0))), 0.0);
  EXPECT_EQ(format_duration(seconds(7)), "0:07");
  EXPECT_EQ(format_duration(seconds(754)), "12:34");
  EXPECT_EQ(format_duration(seconds(3723)), "1:02:03");
  EXPECT_EQ(format_duration(seconds(-5)), "0:00");
}

TEST(CrawlProgress, BarWithAPageLimitShowsFillAndEta) {
  // 400 of 1000 at 50 pages/s: 600 left, 12 s.
  std::string bar = progress_bar_text(progress_at(397, 3, milliseconds(8000)), 1000, 200);
  EXPECT_EQ(bar,
            "[########            ] 400/1000 pages  50.0 pages/s  ETA 0:12  3 failed  588 queued");
  std::string done = progress_bar_text(progress_at(1000, 0, milliseconds(8000)), 1000, 200);
  EXPECT_EQ(done.substr(0, kBarCells + 3), "[" + std::string(kBarCells, '#') + "] ");
  EXPECT_NE(done.find("ETA 0:00"), std::string::npos) << done;
  // A limit near the top of uint64_t neither overflows nor fills the bar.
  std::string huge = progress_bar_text(progress_at(397, 3, milliseconds(8000)), UINT64_MAX, 200);
  EXPECT_EQ(huge.substr(0, kBarCells + 3), "[" + std::string(kBarCells, ' ') + "] ") << huge;
}

TEST(CrawlProgress, BarWithoutALimitShowsElapsedTime) {
  std::string bar = progress_bar_text(progress_at(397, 3, milliseconds(8000)), 0, 200);
  EXPECT_EQ(bar, "400 pages  50.0 pages/s  0:08  3 failed  588 queued  8 in flight");
  // Nothing done yet: no rate, so no ETA even with a limit.
  std::string start = progress_bar_text(progress_at(0, 0, milliseconds(0)), 1000, 200);
  EXPECT_EQ(start.find("ETA"), std::string::npos) << start;
}

TEST(CrawlProgress, BarNeverWrapsTheTerminal) {
  std::string bar = progress_bar_text(progress_at(397, 3, milliseconds(8000)), 1000, 40);
  EXPECT_EQ(bar.size(), 39u);
  EXPECT_TRUE(progress_bar_text(progress_at(1, 0, milliseconds(1)), 1000, 1).empty());
}

TEST(CrawlProgress, LineAndSummary) {
  crawl::CrawlProgress progress = progress_at(397, 3, milliseconds(8000));
  EXPECT_EQ(progress_line_text(progress, 1000),
            "riptide crawl: 400/1000 pages, 3 failed, 2 skipped, 588 queued, 8 in flight, "
            "50.0 pages/s, 8.0 s elapsed, ETA 12 s");
  EXPECT_EQ(progress_line_text(progress, 0),
            "riptide crawl: 400 pages, 3 failed, 2 skipped, 588 queued, 8 in flight, "
            "50.0 pages/s, 8.0 s elapsed");
  EXPECT_EQ(summary_text(progress, "interrupted"),
            "riptide crawl: interrupted: 400 pages (3 failed, 2 skipped by robots.txt, "
            "5 duplicates) in 8.0 s, 50.0 pages/s");
}

// What a display writes when updated with `progress` every `tick` for `ticks` ticks, then `last`.
std::string display_output(ProgressDisplay::Style style, uint64_t max_pages, milliseconds tick,
                           int ticks, const crawl::CrawlProgress& progress,
                           const std::function<void(ProgressDisplay&)>& last) {
  std::FILE* file = std::tmpfile();
  EXPECT_NE(file, nullptr);
  if (file == nullptr) return "";
  auto start = ProgressDisplay::Clock::time_point{} + seconds(100);
  ProgressDisplay display(file, style, max_pages, 80, start);
  for (int i = 1; i <= ticks; ++i) display.update(progress, start + tick * i);
  last(display);
  std::string text = contents(file);
  std::fclose(file);
  return text;
}

TEST(ProgressDisplay, LinesEveryTwoSecondsThenTheSummary) {
  crawl::CrawlProgress progress = progress_at(10, 0, milliseconds(1000));
  // Called every 100 ms for 5 s: lines at 2 s and 4 s only.
  std::string text =
      display_output(ProgressDisplay::Style::kLines, 0, milliseconds(100), 50, progress,
                     [&](ProgressDisplay& display) { display.finish(progress, "completed"); });
  std::string line = progress_line_text(progress, 0) + "\n";
  EXPECT_EQ(text, line + line + summary_text(progress, "completed") + "\n");
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(ProgressDisplay, BarRedrawsAtMostTenTimesASecondAndIsErasedAtTheEnd) {
  crawl::CrawlProgress progress = progress_at(10, 0, milliseconds(1000));
  // Called every 10 ms for one second: at most 10 redraws.
  std::string text =
      display_output(ProgressDisplay::Style::kBar, 100, milliseconds(10), 100, progress,
                     [](ProgressDisplay& display) { display.message("riptide crawl: stopping"); });
  std::string bar = "\r" + progress_bar_text(progress, 100, 80) + "\x1b[K";
  size_t draws = 0;
  for (size_t at = text.find(bar); at != std::string::npos; at = text.find(bar, at + 1)) ++draws;
  EXPECT_EQ(draws, 10u);
  // The message starts on an erased line, not after the bar.
  EXPECT_TRUE(text.ends_with("\x1b[K\r\x1b[Kriptide crawl: stopping\n")) << text;
}

}  // namespace
}  // namespace riptide::cli
