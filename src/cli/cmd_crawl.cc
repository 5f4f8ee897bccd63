// `riptide crawl URL [URL...] [--max-depth N] [--max-pages N] [--include P]... [--exclude P]...
// [--budget PATTERN=N]... [--scope host|domain|subdomains] [--sitemap | --sitemap-only]
// [--order bfs|best] [--delay SECONDS] [--host-concurrency N] [--concurrency N]
// [--time-budget SECONDS] [--mode M] [--selector S]... [--engine wasm|native]
// [--allow-private-networks] [--allow-cidr CIDR]... [--config FILE]
// [--output FILE | --output-dir DIR]`: crawls a site with crawl::Crawler (docs/crawl.md) and
// writes each page as it is reported: JSON lines on standard output (or --output FILE), or one
// Markdown file per page plus index.jsonl (--output-dir; cli/crawl_output.h). Fetch and sandbox
// settings come from the shared configuration (cli/config_file.h: defaults, TOML file, RIPTIDE_*
// variables, these flags).
//
// Progress goes to standard error (cli/crawl_progress.h). SIGINT or SIGTERM cancels the crawl:
// pages already written stay (every line is flushed as it is written), the crawler stops within
// about a second, and the exit code is 130; a second signal exits at once.
//
// Exit codes: 0 the crawl ran to its end (pages that failed are in the output with their error;
// a time budget that ran out is an end too), 1 it could not start, fetched nothing (every page
// skipped by robots.txt) or its output could not be written, 2 invalid arguments, 130
// interrupted.
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "cli/crawl_output.h"
#include "cli/crawl_progress.h"
#include "cli/extraction_flags.h"
#include "core/strings.h"
#include "crawl/crawler.h"
#include "crawl/robots_cache.h"
#include "crawl/url_filter.h"
#include "extract/extractor.h"
#include "fetch/fetcher.h"
#include "sandbox/engine.h"
#include "url/url.h"

namespace riptide::cli {

namespace {

// The exit code of an interrupted crawl: 128 + SIGINT, what shells report for a Ctrl-C.
constexpr int kExitInterrupted = 130;
// How long a second Ctrl-C waits for the page being written (a line takes microseconds, a
// Markdown file a few milliseconds; a stuck disk must not hold the exit up).
constexpr std::chrono::milliseconds kLastWriteWait{500};
// The longest --delay accepted: beyond the frontier's longest back-off a crawl would stall.
constexpr double kMaxDelaySeconds = std::chrono::duration<double>(crawl::kMaxBackoff).count();
// The longest --time-budget accepted (30 days); it only has to fit in milliseconds comfortably.
constexpr double kMaxTimeBudgetSeconds = 30.0 * 24 * 3600;

struct CrawlArgs {
  std::vector<std::string> seeds;
  uint32_t max_depth = crawl::FrontierConfig{}.max_depth;
  uint64_t max_pages = 0;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> budgets;
  std::string scope = "host";
  bool sitemap = false;
  bool sitemap_only = false;
  std::string order = "bfs";
  double delay = std::chrono::duration<double>(crawl::kDefaultHostDelay).count();
  uint32_t host_concurrency = crawl::kDefaultHostConcurrency;
  uint32_t concurrency = crawl::kDefaultCrawlConcurrency;
  double time_budget = 0;
  ExtractionFlags extraction;  // --mode, --selector, --engine
  std::optional<std::string> config_path;
  bool allow_private_networks = false;
  std::vector<std::string> allow_cidrs;
  std::string output = "-";
  std::string output_dir;
};

// An error before the crawl starts: a bad argument (kInvalidArgument) is a usage error.
int start_error(const Error& error) {
  std::fprintf(stderr, "riptide crawl: %s\n", error.to_string().c_str());
  return error.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

// "PATTERN=N" (the last '=' splits, so a pattern may contain '=').
Result<crawl::PathBudget> parse_budget(std::string_view text) {
  size_t equals = text.rfind('=');
  std::optional<uint64_t> pages =
      equals == std::string_view::npos ? std::nullopt : str::parse_uint(text.substr(equals + 1));
  if (!pages.has_value() || equals == 0) {
    return Error(ErrorCode::kInvalidArgument, "--budget \"" + std::string(text) +
                                                  "\": expected PATTERN=PAGES, e.g. /blog/*=100");
  }
  return crawl::PathBudget{std::string(text.substr(0, equals)), *pages};
}

// The options from the arguments; kInvalidArgument naming the flag otherwise.
Result<crawl::CrawlOptions> crawl_options(const CrawlArgs& args) {
  crawl::CrawlOptions options;
  crawl::FrontierConfig& frontier = options.frontier;
  std::optional<crawl::Scope> scope = crawl::parse_scope(args.scope);
  if (!scope.has_value()) {
    return Error(ErrorCode::kInvalidArgument, "--scope: expected host, domain or subdomains");
  }
  frontier.filter.scope = *scope;
  frontier.filter.include = args.include;
  frontier.filter.exclude = args.exclude;
  for (const std::string& text : args.budgets) {
    Result<crawl::PathBudget> budget = parse_budget(text);
    if (!budget.ok()) return budget.error();
    frontier.filter.budgets.push_back(std::move(budget).value());
  }
  frontier.order = args.order == "best" ? crawl::Order::kBestFirst : crawl::Order::kBreadthFirst;
  frontier.max_depth = args.max_depth;
  frontier.max_pages = args.max_pages;
  frontier.host_delay =
      std::chrono::duration_cast<crawl::Duration>(std::chrono::duration<double>(args.delay));
  frontier.host_concurrency = args.host_concurrency;
  options.concurrency = args.concurrency;
  options.time_budget = std::chrono::milliseconds(std::llround(args.time_budget * 1000));
  options.use_sitemaps = args.sitemap || args.sitemap_only;
  options.sitemap_only = args.sitemap_only;
  options.engine_kind = args.extraction.engine_kind();
  if (Status flags = apply_extraction_flags(args.extraction, options.extract); !flags.ok()) {
    return flags.error();
  }
  // The Markdown directory has no use for the cleaned HTML; JSON lines carry it like `extract`.
  options.extract.include_html = args.output_dir.empty();
  return options;
}

// The extraction engine for a crawl: the crawler runs one extraction thread per pool instance,
// and extraction is CPU-bound, so more instances than hardware threads only add memory.
std::unique_ptr<sandbox::Engine> make_crawl_engine(sandbox::SandboxConfig config,
                                                   sandbox::EngineKind kind) {
  uint32_t threads = std::max(1u, std::thread::hardware_concurrency());
  config.pool.max_pool_size = std::clamp(config.pool.max_pool_size, 1u, threads);
  config.pool.initial_pool_size =
      kind == sandbox::EngineKind::kNative
          ? 0
          : std::min(config.pool.initial_pool_size, config.pool.max_pool_size);
  return sandbox::Engine::create(config);
}

size_t terminal_columns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return kDefaultTerminalColumns;
}

std::string_view end_description(crawl::CrawlEnd end, bool interrupted) {
  if (interrupted) return "interrupted";
  switch (end) {
    case crawl::CrawlEnd::kCompleted:
      return "completed";
    case crawl::CrawlEnd::kCancelled:
      return "cancelled";
    case crawl::CrawlEnd::kTimeBudget:
      return "time budget reached";
    case crawl::CrawlEnd::kFailed:
      return "failed";
  }
  return "ended";
}

int run_crawl(const CrawlArgs& args) {
  // Block the stop signals before any thread starts: every thread inherits the mask, so only the
  // sigtimedwait below receives them and no crawler thread is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<crawl::CrawlOptions> options = crawl_options(args);
  if (!options.ok()) return start_error(options.error());
  ServiceFlags flags;
  flags.config_path = args.config_path;
  flags.allow_private_networks = args.allow_private_networks;
  flags.allow_cidrs = args.allow_cidrs;
  Result<ServiceConfig> service = load_service_config(flags);
  if (!service.ok()) return start_error(service.error());

  fetch::Fetcher fetcher(service->fetch);
  std::unique_ptr<sandbox::Engine> engine =
      make_crawl_engine(service->sandbox, options->engine_kind);
  crawl::RobotsCache robots(fetcher);
  Result<std::unique_ptr<crawl::Crawler>> created = crawl::Crawler::create(
      crawl::CrawlEnv{fetcher, *engine, robots}, std::move(options).value(), args.seeds);
  if (!created.ok()) return start_error(created.error());
  crawl::Crawler& crawler = **created;
  const uint64_t max_pages = args.max_pages;

  std::unique_ptr<JsonlSink> jsonl;
  std::unique_ptr<MarkdownDirSink> markdown;
  if (!args.output_dir.empty()) {
    // The seeds parsed in Crawler::create; the first one's host keeps the top level.
    Result<url::Url> first = url::parse(args.seeds.front());
    std::string home_host = first.ok() ? std::string(first->host()) : std::string();
    auto opened = MarkdownDirSink::open(args.output_dir, std::move(home_host));
    if (!opened.ok()) return start_error(opened.error());
    markdown = std::move(opened).value();
  } else {
    auto opened = JsonlSink::open(args.output);
    if (!opened.ok()) return start_error(opened.error());
    jsonl = std::move(opened).value();
  }
  OutputSink& output = markdown ? static_cast<OutputSink&>(*markdown) : *jsonl;

  // A live bar needs a terminal on stderr, and JSON lines on the same terminal would tear it.
  bool lines_on_terminal = !markdown && args.output == "-" && ::isatty(STDOUT_FILENO);
  auto style = ::isatty(STDERR_FILENO) && !lines_on_terminal ? ProgressDisplay::Style::kBar
                                                             : ProgressDisplay::Style::kLines;
  ProgressDisplay display(stderr, style, max_pages, terminal_columns(STDERR_FILENO),
                          std::chrono::steady_clock::now());

  std::atomic<bool> finished{false};
  crawl::CrawlEnd end = crawl::CrawlEnd::kFailed;
  std::thread runner([&] {
    end = crawler.run(output);
    finished.store(true, std::memory_order_release);
  });

  // The monitor: stop signals, output failures and progress, until the crawl has ended.
  bool interrupted = false;
  bool output_failed = false;
  timespec tick{0, std::chrono::nanoseconds(kBarRedrawInterval).count()};
  while (!finished.load(std::memory_order_acquire)) {
    int signal_number = ::sigtimedwait(&signals, nullptr, &tick);
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      if (interrupted) {
        // The second signal: the user does not want to wait. Written lines are flushed; a page
        // being written is let finish, so the output does not end in half a line.
        display.message("riptide crawl: interrupted again, exiting now");
        (void)output.stop_writing(kLastWriteWait);
        std::_Exit(kExitInterrupted);
      }
      interrupted = true;
      display.message("riptide crawl: stopping (press Ctrl-C again to exit at once)");
      crawler.cancel();
    }
    if (!output_failed && output.failure().has_value()) {
      output_failed = true;
      crawler.cancel();
    }
    display.update(crawler.progress(), std::chrono::steady_clock::now());
  }
  runner.join();

  Status closed = markdown ? markdown->close() : jsonl->close();
  crawl::CrawlProgress progress = crawler.progress();
  display.finish(progress, end_description(end, interrupted));
  if (std::optional<Error> failure = output.failure()) {
    std::fprintf(stderr, "riptide crawl: %s\n", failure->to_string().c_str());
    return 1;
  }
  if (!closed.ok()) {
    std::fprintf(stderr, "riptide crawl: %s\n", closed.error().to_string().c_str());
    return 1;
  }
  if (interrupted) return kExitInterrupted;
  if (end == crawl::CrawlEnd::kFailed) {
    std::optional<Error> why = crawler.failure();
    std::fprintf(stderr, "riptide crawl: %s\n",
                 why.has_value() ? why->to_string().c_str() : "the crawl could not start");
    if (why.has_value() && why->code() == ErrorCode::kBlockedAddress) {
      std::fprintf(stderr,
                   "riptide crawl: a loopback or private site needs --allow-private-networks "
                   "(or --allow-cidr)\n");
    }
    return 1;
  }
  if (progress.pages_done + progress.pages_failed == 0 && progress.pages_skipped > 0) {
    // Every page was skipped without a request: robots.txt disallows them, or could not be
    // fetched (5xx, timeout: RFC 9309 2.3.1.4 disallows everything then). Each line's
    // skip_reason says which. (A site the SSRF guard refuses is reported as blocked_address.)
    std::fprintf(stderr,
                 "riptide crawl: nothing was fetched: robots.txt disallows every page or could not "
                 "be fetched (see skip_reason in the output)\n");
    return 1;
  }
  return 0;
}

}  // namespace

void register_crawl(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CrawlArgs>();
  auto* cmd = app.add_subcommand(
      "crawl", "Crawl a site: every page's content and metadata as JSON lines or Markdown files");
  cmd->add_option("urls", args->seeds, "Seed URL(s); the scope is drawn around them")->required();
  cmd->add_option("--max-depth", args->max_depth,
                  "Links followed from the seeds (seeds are depth 0)")
      ->capture_default_str();
  cmd->add_option("--max-pages", args->max_pages,
                  "Pages requested at most, failures included (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--include", args->include,
                  "Only URLs whose path+query matches (glob with *, or re:REGEX; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", args->exclude,
                  "Never URLs whose path+query matches (glob or re:REGEX; repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--budget", args->budgets,
                  "PATTERN=N: at most N pages matching PATTERN (repeatable), e.g. /blog/*=100")
      ->allow_extra_args(false);
  cmd->add_option("--scope", args->scope,
                  "host (the seeds' hosts), domain (their registrable domains) or subdomains")
      ->check(CLI::IsMember({"host", "domain", "subdomains"}))
      ->capture_default_str();
  auto* sitemap = cmd->add_flag("--sitemap", args->sitemap,
                                "Also seed from the sitemaps (robots.txt Sitemap: lines, else "
                                "/sitemap.xml)");
  auto* sitemap_only = cmd->add_flag("--sitemap-only", args->sitemap_only,
                                     "Crawl only the seeds and their sitemaps' URLs (links on "
                                     "pages are not followed)");
  sitemap->excludes(sitemap_only);
  cmd->add_option("--order", args->order,
                  "bfs (breadth-first) or best (short, parameter-free URLs first)")
      ->check(CLI::IsMember({"bfs", "best"}))
      ->capture_default_str();
  cmd->add_option("--delay", args->delay,
                  "Seconds between requests to one host (robots.txt Crawl-delay may raise it)")
      ->check(CLI::Range(0.0, kMaxDelaySeconds))
      ->capture_default_str();
  cmd->add_option("--host-concurrency", args->host_concurrency, "Requests at once per host")
      ->check(CLI::Range(1u, crawl::kMaxCrawlConcurrency))
      ->capture_default_str();
  cmd->add_option("--concurrency", args->concurrency, "Requests at once over all hosts")
      ->check(CLI::Range(1u, crawl::kMaxCrawlConcurrency))
      ->capture_default_str();
  cmd->add_option("--time-budget", args->time_budget, "Stop after this many seconds (0 = none)")
      ->check(CLI::Range(0.0, kMaxTimeBudgetSeconds))
      ->capture_default_str();
  add_extraction_flags(*cmd, args->extraction);
  cmd->add_option("--config", args->config_path,
                  "TOML configuration file for fetch and sandbox settings (default: "
                  "$RIPTIDE_CONFIG, else none)");
  cmd->add_flag("--allow-private-networks", args->allow_private_networks,
                "Let the crawl reach loopback, private and link-local addresses (SSRF guard off)");
  cmd->add_option("--allow-cidr", args->allow_cidrs,
                  "Address block the crawl may reach despite the SSRF guard (repeatable)")
      ->allow_extra_args(false);
  auto* output = cmd->add_option("--output,-o", args->output,
                                 "JSON lines file, one line per page (default -: standard output)");
  auto* output_dir =
      cmd->add_option("--output-dir", args->output_dir,
                      "Directory (new or empty) for one Markdown file per page plus index.jsonl");
  output->excludes(output_dir);
  cmd->callback([args, &exit_code] { exit_code = run_crawl(*args); });
}

}  // namespace riptide::cli
