#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_client.h"
#include "tests/support/temp_dir.h"

// The real `riptide` binary under test (docs/api.md, docs/operations.md): a temp data dir, API
// keys made with `riptide keys create`, then `riptide serve --port 0` as a child process, talked
// to over HTTP. The path of the binary comes from CMake (RIPTIDE_BINARY).
namespace riptide::testing {

// How long `riptide serve` may take to print its "listening on" line (a debug build warms the
// sandbox pool first).
inline constexpr std::chrono::milliseconds kServeReadyTimeout{20'000};
// SIGTERM to exit: the server's shutdown grace in the tests is shorter than this.
inline constexpr std::chrono::milliseconds kServeStopTimeout{15'000};
// A one-shot CLI command (`riptide keys create`, `riptide extract --url`).
inline constexpr std::chrono::milliseconds kCommandTimeout{20'000};

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs `riptide ARGS...` to completion (killed after `timeout`), capturing stdout and stderr.
// `env` entries are added to (or replace in) the test's own environment.
CommandResult run_riptide(const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env = {},
                          std::chrono::milliseconds timeout = kCommandTimeout);

// An API key created before the server starts (`riptide keys create`); 0 limits = the server's.
struct KeySpec {
  std::string name;
  bool admin = false;
  uint32_t rate_per_minute = 0;
  uint32_t burst = 0;
  uint32_t concurrency = 0;
};

struct ServeOptions {
  // After `serve --port 0 --data-dir DIR`: e.g. "--no-auth", "--allow-cidr", "127.0.0.1/32".
  std::vector<std::string> args;
  // RIPTIDE_* settings that have no flag (docs/operations.md), e.g. a short fetch timeout.
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<KeySpec> keys;
  // Serve from this existing directory instead of a fresh temporary one, and leave it in place
  // at the end: a restart on the same data (the caller owns the directory, e.g. a TempDir).
  std::filesystem::path data_dir;
};

// One `riptide serve` child process. The destructor stops it (SIGTERM, then SIGKILL after
// kServeStopTimeout) and removes its data dir (unless ServeOptions::data_dir gave it); the child
// also gets SIGKILL if the test process dies (PR_SET_PDEATHSIG), so no server outlives a crashed
// test.
class ServeProcess {
 public:
  // Creates the keys, spawns the server and waits for "listening on http://HOST:PORT". On
  // failure returns null and sets `error` (with the server's stderr).
  static std::unique_ptr<ServeProcess> start(const ServeOptions& options, std::string* error);
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  const std::string& base_url() const { return base_url_; }  // "http://127.0.0.1:PORT"
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& data_dir() const {
    return given_data_dir_.empty() ? data_dir_.path() : given_data_dir_;
  }
  HttpClient client() const { return HttpClient(base_url_); }
  // The plaintext key created for KeySpec `name` (fails the test if there is none).
  const std::string& key(const std::string& name) const;

  // Sends `signal` to the server.
  void signal(int signal) const;
  // Waits for the process to exit; its exit code, or nullopt if it is still running after
  // `timeout` (or died by a signal: then `*killed_by` is set when given).
  std::optional<int> wait(std::chrono::milliseconds timeout, int* killed_by = nullptr);
  // SIGTERM + wait; SIGKILL if it does not exit in time. The exit code (nullopt if killed).
  std::optional<int> stop(std::chrono::milliseconds timeout = kServeStopTimeout);
  bool running();

  // Everything the server wrote to stderr (its JSON logs) so far, from byte `from` on.
  std::string stderr_text(size_t from = 0) const;
  // stderr_text() once it contains `needle`, or as it is after `timeout`: the log is written by
  // an asynchronous logger, so a line may reach the file some time after the event.
  std::string wait_for_stderr(std::string_view needle,
                              std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  const std::filesystem::path& stderr_path() const { return stderr_path_; }
  // Runs `riptide ARGS... --data-dir DIR` on this server's data dir (e.g. `keys revoke`).
  CommandResult run_with_data_dir(std::vector<std::string> args) const;

 private:
  ServeProcess() = default;

  TempDir data_dir_;
  std::filesystem::path given_data_dir_;  // ServeOptions::data_dir, when set
  std::filesystem::path stderr_path_;
  std::map<std::string, std::string> keys_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> exit_code_;
  bool reaped_ = false;
  std::string base_url_;
  uint16_t port_ = 0;
};

// A GoogleTest fixture sharing one server per test suite: a suite derives from it, and its
// static SetUpTestSuite calls start_suite_server(options). TearDownTestSuite stops the server;
// every test's TearDown checks the server is still alive and, when the test failed, prints what
// the server logged during the test.
class ServeFixture : public ::testing::Test {
 public:
  static void TearDownTestSuite();

 protected:
  static void start_suite_server(const ServeOptions& options);
  static ServeProcess& server();
  static HttpClient client() { return server().client(); }
  static const std::string& key(const std::string& name) { return server().key(name); }

  void SetUp() override;
  void TearDown() override;

 private:
  static std::unique_ptr<ServeProcess>& suite_server();
  static std::string& suite_start_error();

  size_t log_start_ = 0;  // size of the server's log when the test started
};

// The last `max_lines` lines of `text` (for failure output).
std::string tail_lines(std::string_view text, size_t max_lines);

}  // namespace riptide::testing
