// `riptide serve [--config FILE] [--data-dir DIR] [--host H] [--port P] [--no-auth]
// [--allow-private-networks] [--allow-cidr CIDR]... [--workers N] [--io-threads N]
// [--log-level L]`: the HTTP service (docs/operations.md; configuration from defaults, the TOML
// file, RIPTIDE_* variables and flags through cli/config_file.h). Builds the store, the sandbox
// engine, the fetcher, access control and the crawl job manager (resuming jobs a previous run left
// unfinished), serves until SIGTERM or SIGINT, then shuts down gracefully (crawls checkpoint and
// stop, in-flight requests finish for up to the shutdown grace), flushes the store and exits 0. A
// second signal during the shutdown exits at once (status 1).
//
// When it is serving it prints exactly one line to stdout, `listening on http://HOST:PORT` (the
// real port with --port 0), so scripts and tests know where to connect; everything else is JSON
// lines on stderr. Exit codes: 0 after a clean shutdown, 1 the store or the listening address is
// unusable, 2 invalid configuration or arguments.
#include <prometheus/registry.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "fetch/fetcher.h"
#include "sandbox/engine.h"
#include "server/access.h"
#include "server/api_routes.h"
#include "server/config.h"
#include "server/crawl_jobs.h"
#include "server/crawl_routes.h"
#include "server/extract_service.h"
#include "server/health_routes.h"
#include "server/http_server.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace riptide::cli {

namespace {

// "127.0.0.1" -> "127.0.0.1", "::1" -> "[::1]" (RFC 3986 3.2.2).
std::string url_host(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

// The first SIGINT/SIGTERM; every thread inherits the blocked mask, so only sigwait sees them.
int wait_for_signal(const sigset_t& signals) {
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  return signal_number;
}

int run_serve(const ServiceFlags& flags) {
  using server::ServerContext;
  auto started = std::chrono::steady_clock::now();

  // Block the shutdown signals before any thread starts, so that they reach sigwait below and
  // never interrupt an I/O or worker thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<ServiceConfig> loaded = load_service_config(flags);
  if (!loaded.ok()) {
    std::fprintf(stderr, "riptide serve: %s\n", loaded.error().to_string().c_str());
    return loaded.error().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  ServiceConfig& service = loaded.value();
  server::ServerConfig& config = service.server;
  auto registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<spdlog::logger> logger = server::make_json_logger("riptide");
  logger->set_level(spdlog::level::from_str(service.log_level));  // validated by the loader
  auto log = [&logger](ServerContext::LogLevel level, std::string_view event,
                       std::string_view message) {
    std::string fields = "\"event\":\"";
    server::append_json_escaped(fields, event);
    fields += "\",\"msg\":\"";
    server::append_json_escaped(fields, message);
    fields += '"';
    server::log_json_line(*logger, level, fields);
  };
  auto fail = [&](std::string_view event, const std::string& message) {
    log(ServerContext::LogLevel::kError, event, message);
    logger->flush();
    std::fprintf(stderr, "riptide serve: %s\n", message.c_str());
    return 1;
  };

  const std::filesystem::path& data_dir = service.data_dir;
  Result<std::unique_ptr<store::Store>> opened =
      store::open_sqlite_store(data_dir, config.cache_max_bytes);
  if (!opened.ok()) {
    return fail("store_failed", "cannot open the store in " + data_dir.string() + ": " +
                                    opened.error().to_string());
  }
  std::unique_ptr<store::Store> store = std::move(opened).value();
  log(ServerContext::LogLevel::kInfo, "store_opened", data_dir.string());

  fetch::Fetcher fetcher(service.fetch, registry);
  if (service.fetch.allow_private_networks) {
    log(ServerContext::LogLevel::kWarn, "ssrf_guard_off",
        "--allow-private-networks: URLs may reach loopback and private addresses");
  }

  // Every worker may hold an instance at once; fewer instances would leave workers waiting for
  // one and failing with `unavailable` after the acquire timeout.
  sandbox::SandboxConfig& sandbox_config = service.sandbox;
  uint32_t workers = config.worker_threads != 0 ? config.worker_threads
                                                : std::max(1u, std::thread::hardware_concurrency());
  if (sandbox_config.pool.max_pool_size < workers) {
    log(ServerContext::LogLevel::kInfo, "sandbox_pool_raised",
        "sandbox max_pool_size raised to the " + std::to_string(workers) + " worker threads");
    sandbox_config.pool.max_pool_size = workers;
  }
  std::unique_ptr<sandbox::Engine> engine = sandbox::Engine::create(sandbox_config, registry);

  server::AccessControl access(config, *store);
  if (!config.auth_required) {
    log(ServerContext::LogLevel::kWarn, "auth_disabled",
        "--no-auth: AUTHENTICATION IS OFF, anyone who can connect may use this service; "
        "for local use only");
  }

  // The API's pipeline: declared before the server, so it outlives every handler and pool task.
  server::ExtractServiceOptions extract_options;
  extract_options.cache_max_age = config.cache_max_age;
  server::ExtractService extract_service(
      *engine, [&fetcher](std::string_view url) { return fetcher.fetch(url); }, store.get(),
      extract_options, registry);
  server::DelayedRunner delayed;
  // Crawl jobs fetch with the service's fetcher and extract with its engine; declared before the
  // server for the same reason.
  const server::CrawlJobsConfig& crawl_config = service.crawl;
  server::CrawlJobs crawl_jobs(crawl_config, *store, fetcher, *engine, registry);

  server::ServerServices services;
  services.admit = [&access](std::string_view authorization, bool admin_only) {
    return access.admit(authorization, admin_only);
  };
  services.usage_store = store.get();
  services.registry = registry;
  services.logger = logger;
  server::HttpServer http(config, services);
  server::register_health_routes(http.router(), http.context(),
                                 server::HealthSources{engine.get(), store.get(), started});
  server::register_api_routes(http.router(), http.context(),
                              server::ApiServices{extract_service, *store, delayed});
  server::register_crawl_routes(http.router(), http.context(),
                                server::CrawlServices{crawl_jobs, crawl_config, delayed});

  Status listening = http.start();
  if (!listening.ok()) {
    http.shutdown();
    return fail("listen_failed", listening.error().to_string());
  }

  // Jobs a previous run left queued or running continue from their last checkpoint.
  Result<size_t> resumed = crawl_jobs.resume_unfinished();
  if (resumed.ok()) {
    log(ServerContext::LogLevel::kInfo, "crawl_jobs_resumed",
        std::to_string(*resumed) + " unfinished crawl job(s) queued again");
  } else {
    log(ServerContext::LogLevel::kError, "crawl_resume_failed", resumed.error().to_string());
  }
  std::printf("listening on http://%s:%u\n", url_host(config.host).c_str(),
              static_cast<unsigned>(http.port()));
  std::fflush(stdout);

  int signal_number = wait_for_signal(signals);
  log(ServerContext::LogLevel::kInfo, "signal",
      signal_number == SIGTERM ? "SIGTERM: shutting down" : "SIGINT: shutting down");
  // A second signal while draining means "now".
  std::thread impatient([&signals, &logger] {
    wait_for_signal(signals);
    logger->flush();
    std::fprintf(stderr, "riptide serve: second signal, exiting without finishing requests\n");
    std::_Exit(1);
  });
  impatient.detach();

  // Crawls first: each stores its checkpoint (state left "running" for the next start) and the
  // result streams end, so none of them holds the HTTP shutdown for its grace period.
  crawl_jobs.shutdown();
  log(ServerContext::LogLevel::kInfo, "crawl_jobs_stopped", "");
  http.shutdown();
  Status flushed = store->flush();
  if (flushed.ok()) {
    log(ServerContext::LogLevel::kInfo, "store_flushed", "");
  } else {
    log(ServerContext::LogLevel::kError, "store_flush_failed", flushed.error().to_string());
  }
  log(ServerContext::LogLevel::kInfo, "exit", "bye");
  logger->flush();
  return 0;
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ServiceFlags>();
  auto* cmd = app.add_subcommand("serve", "Run the HTTP extraction service");
  add_service_flags(*cmd, *flags);
  cmd->callback([flags, &exit_code] { exit_code = run_serve(*flags); });
}

}  // namespace riptide::cli
