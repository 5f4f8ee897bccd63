#include "serve_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>
#include <thread>

extern char** environ;

#ifndef RIPTIDE_BINARY
#error "RIPTIDE_BINARY (the path of the riptide executable) must be defined by CMake"
#endif

namespace riptide::testing {
namespace {

using Clock = std::chrono::steady_clock;
using EnvList = std::vector<std::pair<std::string, std::string>>;

// How often a wait for a child process looks again (waitpid has no timeout).
constexpr std::chrono::milliseconds kWaitPollInterval{5};
// Lines of the server's log shown when a test fails.
constexpr size_t kFailureLogLines = 40;
// The server logs asynchronously: a failed test waits this long before showing the log.
constexpr std::chrono::milliseconds kLogSettle{100};
constexpr std::string_view kListeningPrefix = "listening on http://";

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// The test's environment without RIPTIDE_* (a developer's settings must not change a test), plus
// `extra` (replacing same-named entries).
std::vector<std::string> child_environment(const EnvList& extra) {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (text.starts_with("RIPTIDE_")) continue;
    const std::string_view name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [key, value] : extra) replaced = replaced || key == name;
    if (!replaced) out.emplace_back(text);
  }
  for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + exec of the riptide binary with stdin from /dev/null and the given stdout/stderr. The
// child gets SIGKILL when the test process dies, so a crashed or killed test leaves no server
// behind (PR_SET_PDEATHSIG follows the forking thread: spawn from the test's main thread).
// Returns the pid, or -1 with `error` set.
pid_t spawn_riptide(const std::vector<std::string>& args, const EnvList& env, int stdout_fd,
                    int stderr_fd, std::string* error) {
  std::vector<std::string> argv_strings{RIPTIDE_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = child_environment(env);
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    *error = errno_text("open /dev/null");
    return -1;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = errno_text("fork");
    ::close(null_fd);
    return -1;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(stdout_fd, STDOUT_FILENO) < 0 ||
        ::dup2(stderr_fd, STDERR_FILENO) < 0) {
      ::_exit(127);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(null_fd);
  return pid;
}

// waitpid with a timeout. True when the child exited (status in `*status`).
bool wait_child(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kWaitPollInterval);
  }
}

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) == 0) {
      read = fds[0];
      write = fds[1];
    }
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
};

std::string read_file(const std::filesystem::path& path, size_t from) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string tail_lines(std::string_view text, size_t max_lines) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (size_t lines = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return std::string(text.substr(pos));
}

CommandResult run_riptide(const std::vector<std::string>& args, const EnvList& env,
                          std::chrono::milliseconds timeout) {
  CommandResult result;
  Pipe out;
  Pipe err;
  if (out.read < 0 || err.read < 0) {
    result.err = errno_text("pipe2");
    return result;
  }
  std::string error;
  const pid_t pid = spawn_riptide(args, env, out.write, err.write, &error);
  out.close_write();
  err.close_write();
  if (pid < 0) {
    result.err = error;
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    const int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;  // EOF: the Pipe destructor closes it
        --open_fds;
      }
    }
  }
  int status = 0;
  if (result.timed_out) ::kill(pid, SIGKILL);
  if (!wait_child(pid, result.timed_out ? kServeStopTimeout : timeout, &status)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    result.timed_out = true;
    return result;
  }
  if (WIFEXITED(status) && !result.timed_out) result.exit_code = WEXITSTATUS(status);
  return result;
}

std::unique_ptr<ServeProcess> ServeProcess::start(const ServeOptions& options, std::string* error) {
  std::unique_ptr<ServeProcess> server(new ServeProcess());
  server->given_data_dir_ = options.data_dir;
  if (options.data_dir.empty() && !server->data_dir_.ok()) {
    *error = errno_text("mkdtemp");
    return nullptr;
  }
  const std::string data_dir = server->data_dir().string();
  for (const KeySpec& spec : options.keys) {
    std::vector<std::string> args{"keys", "create", "--data-dir", data_dir, "--name", spec.name};
    if (spec.admin) args.emplace_back("--admin");
    if (spec.rate_per_minute != 0) {
      args.insert(args.end(), {"--rate-per-minute", std::to_string(spec.rate_per_minute)});
    }
    if (spec.burst != 0) args.insert(args.end(), {"--burst", std::to_string(spec.burst)});
    if (spec.concurrency != 0) {
      args.insert(args.end(), {"--concurrency", std::to_string(spec.concurrency)});
    }
    CommandResult created = run_riptide(args);
    const std::string key = trim_line(created.out);
    if (created.exit_code != 0 || key.empty() || key.find('\n') != std::string::npos) {
      *error = "riptide keys create --name " + spec.name + " failed (exit " +
               std::to_string(created.exit_code) + "): stdout [" + created.out + "] stderr [" +
               created.err + "]";
      return nullptr;
    }
    server->keys_[spec.name] = key;
  }

  // The log goes next to (not into) what the server owns in its data dir; a server restarted on
  // the same directory gets a log of its own.
  server->stderr_path_ = server->data_dir() / "itest-serve-stderr.log";
  for (int run = 2; std::filesystem::exists(server->stderr_path_); ++run) {
    server->stderr_path_ =
        server->data_dir() / ("itest-serve-stderr-" + std::to_string(run) + ".log");
  }
  const int stderr_fd =
      ::open(server->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (stderr_fd < 0) {
    *error = errno_text("open " + server->stderr_path_.string());
    return nullptr;
  }
  Pipe out;
  std::vector<std::string> args{"serve", "--port", "0", "--data-dir", data_dir};
  args.insert(args.end(), options.args.begin(), options.args.end());
  EnvList env = options.env;
  // Nothing of the test may land in the user's real state directory.
  env.emplace_back("XDG_STATE_HOME", data_dir);
  server->pid_ = spawn_riptide(args, env, out.write, stderr_fd, error);
  ::close(stderr_fd);
  out.close_write();
  if (server->pid_ < 0) return nullptr;

  // Read stdout until the "listening on" line (the server prints it once it accepts).
  std::string text;
  const auto deadline = Clock::now() + kServeReadyTimeout;
  std::string failure;
  while (true) {
    const size_t newline = text.find('\n');
    if (newline != std::string::npos) {
      const std::string line = trim_line(text.substr(0, newline));
      const size_t at = line.find(kListeningPrefix);
      const size_t colon = line.rfind(':');
      unsigned port = 0;
      if (at == 0 && colon != std::string::npos && colon > kListeningPrefix.size()) {
        const char* first = line.data() + colon + 1;
        const char* last = line.data() + line.size();
        auto [end, ec] = std::from_chars(first, last, port);
        if (ec == std::errc() && end == last && port > 0 && port <= 65535) {
          server->port_ = static_cast<uint16_t>(port);
          server->base_url_ = line.substr(std::string_view("listening on ").size());
          break;
        }
      }
      failure = "unexpected first line on stdout: [" + line + "]";
      break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      failure =
          "no \"listening on\" line within " + std::to_string(kServeReadyTimeout.count()) + " ms";
      break;
    }
    pollfd fd{out.read, POLLIN, 0};
    const int n = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char buffer[512];
    const ssize_t got = ::read(out.read, buffer, sizeof buffer);
    if (got == 0) {
      failure = "riptide serve closed stdout (exited?) before \"listening on\"";
      break;
    }
    if (got > 0) text.append(buffer, static_cast<size_t>(got));
  }
  // Keep stdout open: the server must never get EPIPE/SIGPIPE from a closed pipe.
  server->stdout_fd_ = out.read;
  out.read = -1;
  if (!failure.empty()) {
    server->stop(std::chrono::milliseconds(2000));
    *error = failure + "\n--- riptide serve stderr ---\n" +
             tail_lines(server->stderr_text(), kFailureLogLines);
    return nullptr;
  }
  return server;
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0 && !reaped_) {
    const std::optional<int> code = stop();
    if (code != 0) {
      std::cerr << "riptide serve (pid " << pid_ << ") did not exit 0 on SIGTERM\n"
                << tail_lines(stderr_text(), kFailureLogLines) << "\n";
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

const std::string& ServeProcess::key(const std::string& name) const {
  static const std::string kNone;
  auto it = keys_.find(name);
  if (it == keys_.end()) {
    ADD_FAILURE() << "no key named " << name << " was created for this server";
    return kNone;
  }
  return it->second;
}

void ServeProcess::signal(int signal) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signal);
}

std::optional<int> ServeProcess::wait(std::chrono::milliseconds timeout, int* killed_by) {
  if (!reaped_) {
    int status = 0;
    if (!wait_child(pid_, timeout, &status)) return std::nullopt;
    reaped_ = true;
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    if (WIFSIGNALED(status) && killed_by != nullptr) *killed_by = WTERMSIG(status);
  }
  return exit_code_;
}

std::optional<int> ServeProcess::stop(std::chrono::milliseconds timeout) {
  if (reaped_) return exit_code_;
  signal(SIGTERM);
  if (std::optional<int> code = wait(timeout); code || reaped_) return code;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reaped_ = true;
  return std::nullopt;
}

bool ServeProcess::running() {
  if (reaped_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
  reaped_ = true;
  if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
  return false;
}

std::string ServeProcess::stderr_text(size_t from) const {
  return read_file(stderr_path_, from);
}

std::string ServeProcess::wait_for_stderr(std::string_view needle,
                                          std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string text = stderr_text();
  while (text.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    text = stderr_text();
  }
  return text;
}

CommandResult ServeProcess::run_with_data_dir(std::vector<std::string> args) const {
  args.insert(args.end(), {"--data-dir", data_dir().string()});
  return run_riptide(args);
}

std::unique_ptr<ServeProcess>& ServeFixture::suite_server() {
  static std::unique_ptr<ServeProcess> server;
  return server;
}

std::string& ServeFixture::suite_start_error() {
  static std::string error;
  return error;
}

void ServeFixture::start_suite_server(const ServeOptions& options) {
  suite_start_error().clear();
  suite_server() = ServeProcess::start(options, &suite_start_error());
}

void ServeFixture::TearDownTestSuite() {
  suite_server().reset();
}

ServeProcess& ServeFixture::server() {
  return *suite_server();
}

void ServeFixture::SetUp() {
  ASSERT_TRUE(suite_server() != nullptr) << "riptide serve did not start: " << suite_start_error();
  ASSERT_TRUE(suite_server()->running()) << "riptide serve exited before this test:\n"
                                         << tail_lines(server().stderr_text(), kFailureLogLines);
  std::error_code ignored;
  log_start_ = static_cast<size_t>(std::filesystem::file_size(server().stderr_path(), ignored));
}

void ServeFixture::TearDown() {
  if (suite_server() == nullptr) return;
  EXPECT_TRUE(suite_server()->running()) << "riptide serve died during this test";
  if (HasFailure()) {
    std::this_thread::sleep_for(kLogSettle);
    std::cerr << "--- riptide serve's log during this test (last lines) ---\n"
              << tail_lines(server().stderr_text(log_start_), kFailureLogLines) << "\n";
  }
}

}  // namespace riptide::testing
