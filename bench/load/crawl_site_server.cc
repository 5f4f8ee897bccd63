// crawl_site_server: serves the generated crawl test site (tests/support/crawl_site.h) on
// loopback for the crawl benchmark (bench/load/crawl_bench.sh) and for trying `riptide crawl` by
// hand. HTTP/1.1 keep-alive, one thread per connection.
//
// usage: crawl_site_server [--pages N] [--port P] [--seed S] [--full]
//   --pages N  articles (default 10000); the site is the home page plus N articles (plain), or
//              with --full every trap of the test site (robots.txt rules, sitemaps, duplicates,
//              redirects, 404/500, a 429, a deep chain, orphans)
//   --port P   127.0.0.1:P (default 0: a free port)
// Prints "listening on http://127.0.0.1:PORT (N pages)" once serving, then runs until SIGINT or
// SIGTERM and prints the number of requests served.

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/crawl_site.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: crawl_site_server [--pages N] [--port P] [--seed S] [--full]\n"
               "  serves the generated crawl site on 127.0.0.1 until SIGINT/SIGTERM\n");
  return 2;
}

std::optional<uint64_t> parse_number(const char* text, uint64_t max) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  uint64_t value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(*p - '0');
    if (value > max) return std::nullopt;
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t pages = 10'000;
  uint64_t port = 0;
  uint64_t seed = 1;
  bool full = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    std::optional<uint64_t> number;
    if (arg == "--pages" && (number = parse_number(value, riptide::testing::kMaxSitePages)) &&
        *number > 0) {
      pages = *number;
      ++i;
    } else if (arg == "--port" && (number = parse_number(value, 65535))) {
      port = *number;
      ++i;
    } else if (arg == "--seed" && (number = parse_number(value, UINT64_MAX / 10))) {
      seed = *number;
      ++i;
    } else if (arg == "--full") {
      full = true;
    } else {
      return usage();
    }
  }

  // Block the stop signals before any thread starts, so every server thread inherits the mask
  // and sigwait() below is the only place they are received.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  riptide::testing::CrawlSiteConfig config =
      full ? riptide::testing::CrawlSiteConfig{}
           : riptide::testing::CrawlSiteConfig::plain(static_cast<uint32_t>(pages));
  config.pages = static_cast<uint32_t>(pages);
  config.seed = seed;
  try {
    riptide::testing::CrawlSite site(config, static_cast<uint16_t>(port));
    std::printf("listening on %s (%zu pages)\n", site.url("").c_str(), site.pages().size());
    std::fflush(stdout);
    int received = 0;
    sigwait(&stop_signals, &received);
    site.server().stop();
    std::printf("served %zu requests\n", site.server().request_count());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crawl_site_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
