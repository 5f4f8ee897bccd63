// `riptide crawl` end to end: the built binary crawls local sites (TestHttpServer, and the
// generated tests/support/crawl_site.h) and the tests check its JSON lines, its Markdown
// directory, its exit codes and what the site was asked for.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/crawl_site.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_http_server.h"
#include "tests/support/text_file.h"

namespace riptide::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Long enough for a slow shared machine; every crawl here takes well under a second alone.
constexpr milliseconds kRunTimeout{60'000};
// An interrupted crawl stops within about a second (crawler.h); allow for a busy machine.
constexpr milliseconds kStopTimeout{5'000};

// `riptide crawl ARGS...` as a child process, stdout and stderr in files of `dir`.
class Crawl {
 public:
  Crawl(const fs::path& dir, std::vector<std::string> args)
      : out_(dir / "stdout"), err_(dir / "stderr") {
    args.insert(args.begin(), {RIPTIDE_BINARY, "crawl"});
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string out = out_.string();
    std::string err = err_.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec (the test process has threads).
      int in_fd = ::open("/dev/null", O_RDONLY);
      int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(127);
      ::dup2(in_fd, 0);
      ::dup2(out_fd, 1);
      ::dup2(err_fd, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Crawl() {
    if (pid_ > 0 && exit_code_ == kRunning) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // The exit code, or -1 when the process is still running after `timeout` (it is killed).
  int wait(milliseconds timeout = kRunTimeout) {
    if (exit_code_ != kRunning) return exit_code_;
    Clock::time_point deadline = Clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        exit_code_ = -1;
        return exit_code_;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  void signal(int signal_number) const { ::kill(pid_, signal_number); }

  std::string out() const { return read_text_file(out_); }
  std::string err() const { return read_text_file(err_); }
  std::vector<std::string> out_lines() const { return text_lines(out()); }

 private:
  static constexpr int kRunning = -2;
  fs::path out_;
  fs::path err_;
  pid_t pid_ = -1;
  int exit_code_ = kRunning;
};

// An article the extractor keeps whole. The crawler follows the links of the main content, so
// each anchor ("<a href=x>X</a>") stands in a sentence of its own paragraph, not in a link list.
std::string page(const std::string& title, const std::vector<std::string>& anchors) {
  std::string html = "<!doctype html><html><head><title>" + title +
                     "</title></head><body><article><h1>" + title + "</h1><p>This page is about " +
                     title +
                     " and nothing else; it has a few sentences so that the extractor keeps it as "
                     "the main content of the page.</p>";
  for (const std::string& anchor : anchors) {
    html += "<p>You can read on at the " + anchor +
            " page, which tells more of the story and is well worth a read.</p>";
  }
  return html + "</article></body></html>";
}

// A small site whose every page and answer the tests know:
//   /  -> /a, /b, /private/secret (robots.txt: disallowed), /a?utm_source=x (the same as /a),
//         /missing (404), http://localhost:PORT/ (another host: out of scope)
//   /a -> /c, /, /b          /b -> /c#top, /old (301 -> /moved)          /c -> /d (depth 3)
class SmallSite {
 public:
  SmallSite() {
    server_.route("/robots.txt", [](const HttpRequest&) {
      return html_response("User-agent: *\nDisallow: /private/\n", 200, "text/plain");
    });
    server_.route("/", [this](const HttpRequest&) {
      return html_response(
          page("Home", {"<a href=a>A</a>", "<a href=/b>B</a>", "<a href=/private/secret>secret</a>",
                        "<a href='/a?utm_source=x'>A again</a>", "<a href=/missing>missing</a>",
                        "<a href='" + localhost_url() + "'>other host</a>"}));
    });
    server_.route("/a", [](const HttpRequest&) {
      return html_response(
          page("Alpha", {"<a href=/c>C</a>", "<a href=/>home</a>", "<a href=b>B</a>"}));
    });
    server_.route("/b", [](const HttpRequest&) {
      return html_response(page("Beta", {"<a href='/c#top'>C</a>", "<a href=/old>old</a>"}));
    });
    server_.route("/c", [](const HttpRequest&) {
      return html_response(page("Gamma", {"<a href=/d>D</a>"}));
    });
    server_.route("/d", [](const HttpRequest&) { return html_response(page("Delta", {})); });
    server_.route("/old", [](const HttpRequest&) { return redirect_response(301, "/moved"); });
    server_.route("/moved", [](const HttpRequest&) {
      return html_response(page("Moved", {"<a href=/>home</a>"}));
    });
  }
  TestHttpServer& server() { return server_; }
  std::string url(std::string_view path = "/") const { return server_.url(path); }
  std::string localhost_url() const { return "http://localhost:" + std::to_string(server_.port()); }

  // Paths requested, with how often.
  std::map<std::string, int> requested() const {
    std::map<std::string, int> counts;
    for (const HttpRequest& request : server_.requests()) ++counts[request.target];
    return counts;
  }

 private:
  TestHttpServer server_;
};

// The flags every crawl of a local site needs: the SSRF guard lets loopback through, no delay.
std::vector<std::string> local_crawl(std::string seed, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {std::move(seed), "--allow-private-networks", "--delay", "0"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::map<std::string, json> lines_by_crawl_url(const std::vector<std::string>& lines) {
  std::map<std::string, json> by_url;
  for (const std::string& line : lines) {
    json parsed = json::parse(line);
    std::string url = parsed["crawl_url"];
    EXPECT_FALSE(by_url.contains(url)) << "reported twice: " << url;
    by_url[url] = std::move(parsed);
  }
  return by_url;
}

TEST(CrawlCli, JsonLinesHaveExactlyTheExpectedPages) {
  SmallSite site;
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  // The default engine: extraction in the WebAssembly sandbox.
  Crawl crawl(dir.path(), local_crawl(site.url("/"), {"--max-depth", "2"}));
  ASSERT_EQ(crawl.wait(), 0) << crawl.err();

  std::map<std::string, json> lines = lines_by_crawl_url(crawl.out_lines());
  std::set<std::string> urls;
  for (const auto& [url, line] : lines) urls.insert(url);
  EXPECT_EQ(urls, (std::set<std::string>{site.url("/"), site.url("/a"), site.url("/b"),
                                         site.url("/c"), site.url("/old"), site.url("/missing"),
                                         site.url("/private/secret")}));

  const json& home = lines[site.url("/")];
  EXPECT_EQ(home["depth"], 0);
  EXPECT_EQ(home["status"], 200);
  EXPECT_EQ(home["title"], "Home");
  EXPECT_TRUE(home["error"].is_null());
  EXPECT_NE(home["markdown"].get<std::string>().find("This page is about Home"), std::string::npos);
  EXPECT_EQ(lines[site.url("/c")]["depth"], 2);
  EXPECT_EQ(lines[site.url("/c")]["title"], "Gamma");
  const json& moved = lines[site.url("/old")];
  EXPECT_EQ(moved["final_url"], site.url("/moved"));
  EXPECT_EQ(moved["title"], "Moved");
  const json& missing = lines[site.url("/missing")];
  EXPECT_EQ(missing["status"], 404);
  EXPECT_EQ(missing["error"]["code"], "fetch_failed");
  EXPECT_FALSE(missing.contains("title"));
  const json& secret = lines[site.url("/private/secret")];
  EXPECT_EQ(secret["skipped"], true);
  EXPECT_TRUE(secret["status"].is_null());

  // Asked once each; never the disallowed page, the page beyond the depth or the other host.
  std::map<std::string, int> requested = site.requested();
  EXPECT_EQ(requested, (std::map<std::string, int>{{"/robots.txt", 1},
                                                   {"/", 1},
                                                   {"/a", 1},
                                                   {"/b", 1},
                                                   {"/c", 1},
                                                   {"/old", 1},
                                                   {"/moved", 1},
                                                   {"/missing", 1}}));
  // Standard error is not a terminal: no bar, a summary line at the end.
  std::string err = crawl.err();
  EXPECT_EQ(err.find('\r'), std::string::npos);
  EXPECT_NE(err.find("riptide crawl: completed: 6 pages (1 failed, 1 skipped by robots.txt"),
            std::string::npos)
      << err;
}

TEST(CrawlCli, MaxPagesIsExact) {
  CrawlSite site(CrawlSiteConfig::plain(300));
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string output = (dir.path() / "out.jsonl").string();
  Crawl crawl(dir.path(), local_crawl(site.url("/"), {"--max-pages", "25", "--max-depth", "50",
                                                      "--host-concurrency", "4", "--engine",
                                                      "native", "--output", output}));
  ASSERT_EQ(crawl.wait(), 0) << crawl.err();
  EXPECT_TRUE(crawl.out().empty());
  std::map<std::string, json> lines = lines_by_crawl_url(text_lines(read_text_file(output)));
  EXPECT_EQ(lines.size(), 25u);
  for (const auto& [url, line] : lines) {
    EXPECT_EQ(line["status"], 200) << url;
    EXPECT_GE(line["word_count"].get<int>(), 300) << url;
  }
  EXPECT_EQ(site.page_requests().size(), 25u);
}

// The pattern and sitemap flags reach the crawler.
TEST(CrawlCli, ExcludePatternsAreApplied) {
  SmallSite site;
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  Crawl crawl(dir.path(),
              local_crawl(site.url("/"), {"--max-depth", "2", "--engine", "native", "--exclude",
                                          "/b", "--exclude", "re:^/miss"}));
  ASSERT_EQ(crawl.wait(), 0) << crawl.err();
  std::set<std::string> urls;
  for (const auto& [url, line] : lines_by_crawl_url(crawl.out_lines())) urls.insert(url);
  // /b is excluded, so /old (linked only from /b) is never found.
  EXPECT_EQ(urls, (std::set<std::string>{site.url("/"), site.url("/a"), site.url("/c"),
                                         site.url("/private/secret")}));
}

TEST(CrawlCli, SitemapOnlyCrawlsTheSeedAndTheSitemapPages) {
  CrawlSiteConfig config;
  config.pages = 100;
  config.throttle_once = false;
  CrawlSite site(config);
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  Crawl crawl(dir.path(),
              local_crawl(site.url("/"), {"--sitemap-only", "--engine", "native",
                                          "--host-concurrency", "4", "--max-depth", "50"}));
  ASSERT_EQ(crawl.wait(), 0) << crawl.err();
  std::set<std::string> expected = {"/"};
  for (const SitePage& page : site.pages()) {
    if (page.in_sitemap) expected.insert(page.target);
  }
  std::set<std::string> reported;
  for (const auto& [url, line] : lines_by_crawl_url(crawl.out_lines())) {
    reported.insert(url.substr(site.url("").size()));
    const SitePage* page = site.page(url.substr(site.url("").size()));
    ASSERT_NE(page, nullptr) << url;
    EXPECT_EQ(line["skipped"], page->disallowed) << url;
  }
  EXPECT_EQ(reported, expected);
  EXPECT_GT(expected.size(), 5u);
}

TEST(CrawlCli, OutputDirHasOneMarkdownFilePerPageAndAnIndex) {
  SmallSite site;
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  fs::path pages = dir.path() / "pages";
  Crawl crawl(dir.path(), local_crawl(site.url("/"), {"--max-depth", "2", "--engine", "native",
                                                      "--output-dir", pages.string()}));
  ASSERT_EQ(crawl.wait(), 0) << crawl.err();
  EXPECT_TRUE(crawl.out().empty());

  std::set<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(pages)) {
    if (entry.is_regular_file()) files.insert(fs::relative(entry.path(), pages).string());
  }
  EXPECT_EQ(files,
            (std::set<std::string>{"index.md", "a.md", "b.md", "c.md", "old.md", "index.jsonl"}));
  std::string alpha = read_text_file(pages / "a.md");
  EXPECT_TRUE(alpha.starts_with("---\nurl: \"" + site.url("/a") + "\"\ntitle: \"Alpha\"\n---\n\n"))
      << alpha;
  EXPECT_NE(alpha.find("This page is about Alpha"), std::string::npos) << alpha;

  std::map<std::string, json> index =
      lines_by_crawl_url(text_lines(read_text_file(pages / "index.jsonl")));
  EXPECT_EQ(index.size(), 7u);
  EXPECT_EQ(index[site.url("/old")]["file"], "old.md");
  EXPECT_TRUE(index[site.url("/missing")]["file"].is_null());
  EXPECT_FALSE(index[site.url("/a")].contains("markdown"));

  // A second crawl into the same directory is refused before anything is fetched.
  site.server().clear_log();
  Crawl again(dir.path(), local_crawl(site.url("/"), {"--output-dir", pages.string()}));
  EXPECT_EQ(again.wait(), 2);
  EXPECT_NE(again.err().find("is not empty"), std::string::npos) << again.err();
  EXPECT_EQ(site.server().request_count(), 0u);
}

// A site that never ends: page /p/N answers after `delay` and links /p/2N+1 and /p/2N+2.
void serve_endless_slow_site(TestHttpServer& server, milliseconds delay) {
  server.set_fallback([delay](const HttpRequest& request) {
    uint64_t n = 0;
    if (request.path.starts_with("/p/")) n = std::stoull(request.path.substr(3));
    HttpResponse response = html_response(page(
        "Page " + std::to_string(n), {"<a href=/p/" + std::to_string(2 * n + 1) + ">next</a>",
                                      "<a href=/p/" + std::to_string(2 * n + 2) + ">other</a>"}));
    response.delay = delay;
    return response;
  });
}

// Waits until `path` has at least `count` complete lines.
bool wait_for_lines(const fs::path& path, size_t count, milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (text_lines(read_text_file(path)).size() >= count) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

TEST(CrawlCli, SigintStopsKeepsTheLinesWrittenAndExits130) {
  TestHttpServer server;
  serve_endless_slow_site(server, milliseconds(50));
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  fs::path output = dir.path() / "out.jsonl";
  Crawl crawl(dir.path(),
              local_crawl(server.url("/p/0"),
                          {"--max-depth", "1000", "--engine", "native", "--concurrency", "2",
                           "--host-concurrency", "2", "--output", output.string()}));
  ASSERT_TRUE(wait_for_lines(output, 3, kRunTimeout)) << crawl.err();
  Clock::time_point signalled = Clock::now();
  crawl.signal(SIGINT);
  ASSERT_EQ(crawl.wait(kStopTimeout), 130) << crawl.err();
  EXPECT_LT(Clock::now() - signalled, std::chrono::seconds(2));

  std::vector<std::string> lines = text_lines(read_text_file(output));
  EXPECT_GE(lines.size(), 3u);
  for (const std::string& line : lines) {
    json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(parsed.is_discarded()) << line;
    EXPECT_EQ(parsed["status"], 200);
  }
  std::string err = crawl.err();
  EXPECT_NE(err.find("riptide crawl: stopping"), std::string::npos) << err;
  EXPECT_NE(err.find("riptide crawl: interrupted: "), std::string::npos) << err;
}

// Sends `signals` once the endless site's first page is written; the crawl must exit 130 in time
// with every line written intact.
void expect_stopped_by(const std::vector<int>& signals) {
  TestHttpServer server;
  serve_endless_slow_site(server, milliseconds(50));
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  Crawl crawl(dir.path(),
              local_crawl(server.url("/p/0"), {"--max-depth", "1000", "--engine", "native"}));
  ASSERT_TRUE(wait_for_lines(dir.path() / "stdout", 1, kRunTimeout)) << crawl.err();
  for (int signal_number : signals) crawl.signal(signal_number);
  EXPECT_EQ(crawl.wait(kStopTimeout), 130) << crawl.err();
  for (const std::string& line : crawl.out_lines()) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
  }
}

TEST(CrawlCli, SigtermStopsToo) {
  expect_stopped_by({SIGTERM});
}

TEST(CrawlCli, ASecondSigintExitsAtOnce) {
  expect_stopped_by({SIGINT, SIGINT});
}

TEST(CrawlCli, UsageErrorsExit2BeforeFetching) {
  SmallSite site;
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string seed = site.url("/");
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::vector<Case> cases = {
      {{}, "urls is required"},
      {{seed, "--scope", "planet"}, "--scope"},
      {{seed, "--order", "dfs"}, "--order"},
      {{seed, "--sitemap", "--sitemap-only"}, "excludes"},
      {{seed, "--output", "x.jsonl", "--output-dir", "d"}, "excludes"},
      {{seed, "--host-concurrency", "0"}, "--host-concurrency"},
      {{seed, "--delay", "-1"}, "--delay"},
      {{seed, "--max-pages", "many"}, "--max-pages"},
      {{seed, "--budget", "/blog/*"}, "--budget \"/blog/*\": expected PATTERN=PAGES"},
      {{seed, "--budget", "/blog/*=x"}, "expected PATTERN=PAGES"},
      {{seed, "--mode", "summary"}, "unknown mode \"summary\""},
      {{seed, "--mode", "custom"}, "--mode custom needs at least one --selector"},
      {{seed, "--selector", "p"}, "--selector needs --mode custom"},
      {{seed, "--mode", "custom", "--selector", "p[[["}, "invalid selector"},
      {{seed, "--include", "re:(unclosed"}, "invalid_argument"},
      {{"ftp://example.com/"}, "invalid_argument"},
      {{seed, "--frobnicate"}, "--frobnicate"},
  };
  for (const Case& c : cases) {
    Crawl crawl(dir.path(), c.args);
    EXPECT_EQ(crawl.wait(), 2) << c.message << "\n" << crawl.err();
    EXPECT_NE(crawl.err().find(c.message), std::string::npos) << crawl.err();
    EXPECT_TRUE(crawl.out().empty()) << c.message;
  }
  EXPECT_EQ(site.server().request_count(), 0u);
}

TEST(CrawlCli, FailuresToStartExit1) {
  SmallSite site;
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  Crawl unwritable(dir.path(),
                   local_crawl(site.url("/"), {"--output", "/nonexistent-dir/out.jsonl"}));
  EXPECT_EQ(unwritable.wait(), 1);
  EXPECT_NE(unwritable.err().find("cannot open /nonexistent-dir/out.jsonl"), std::string::npos)
      << unwritable.err();
  EXPECT_EQ(site.server().request_count(), 0u);

  // Without --allow-private-networks the SSRF guard refuses the local site (robots.txt is the
  // first request): nothing is requested, the error is blocked_address, exit 1 with a hint.
  Crawl guarded(dir.path(), {site.url("/"), "--delay", "0"});
  EXPECT_EQ(guarded.wait(), 1) << guarded.err();
  EXPECT_NE(guarded.err().find("blocked_address"), std::string::npos) << guarded.err();
  EXPECT_NE(guarded.err().find("--allow-private-networks"), std::string::npos) << guarded.err();
  EXPECT_EQ(site.server().request_count(), 0u);
}

}  // namespace
}  // namespace riptide::testing
