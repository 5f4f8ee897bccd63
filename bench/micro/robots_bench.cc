// What robots.txt costs the crawler (crawl/robots.h): parsing a large site's robots.txt once per
// host, and the allowed() check every discovered URL goes through. The file is generated in the
// shape of big sites' robots.txt (a "*" group and several named groups, prefix rules, "*"
// wildcards, "$" anchors, query rules, comments, sitemaps); the paths mix allowed and disallowed
// ones with percent-escapes and queries.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "crawl/robots.h"

namespace {

// About 600 rules in 6 groups (~20 KB), the size of the largest real-world files commonly seen.
std::string large_robots_txt() {
  std::string body = "# generated for robots_bench\nSitemap: https://example.com/sitemap.xml\n";
  const char* agents[] = {"googlebot", "bingbot", "*", "slurp", "riptide-news", "*"};
  int n = 0;
  for (const char* agent : agents) {
    body += "\nUser-agent: ";
    body += agent;
    body += "\nCrawl-delay: 1\n";
    for (int i = 0; i < 100; ++i, ++n) {
      const std::string id = std::to_string(n);
      switch (i % 5) {
        case 0:
          body += "Disallow: /private/" + id + "/\n";
          break;
        case 1:
          body += "Disallow: /*/print/" + id + "$\n";
          break;
        case 2:
          body += "Allow: /private/" + id + "/public/\n";
          break;
        case 3:
          body += "Disallow: /search?q=" + id + "*\n";
          break;
        default:
          body += "Disallow: /*.pdf?session=" + id + " # comment\n";
          break;
      }
    }
  }
  return body;
}

std::vector<std::string> sample_paths() {
  std::vector<std::string> paths;
  for (int i = 0; i < 64; ++i) {
    const std::string id = std::to_string(i * 7);
    paths.push_back("/private/" + id + "/page.html");
    paths.push_back("/blog/2024/05/some-article-title-" + id + "/print/" + id);
    paths.push_back("/private/" + id + "/public/caf%C3%A9-menu");
    paths.push_back("/search?q=" + id + "&page=2&utm_source=x");
    paths.push_back("/docs/report-" + id + ".pdf?session=abc%2Fdef");
  }
  return paths;
}

void BM_RobotsParse(benchmark::State& state) {
  const std::string body = large_robots_txt();
  for (auto _ : state) {
    riptide::crawl::Robots robots = riptide::crawl::Robots::parse(body);
    benchmark::DoNotOptimize(robots);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_RobotsParse);

void BM_RobotsAllowed(benchmark::State& state) {
  const riptide::crawl::Robots robots = riptide::crawl::Robots::parse(large_robots_txt());
  const std::vector<std::string> paths = sample_paths();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(robots.allowed(paths[i]));
    i = (i + 1) % paths.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RobotsAllowed);

}  // namespace

BENCHMARK_MAIN();
