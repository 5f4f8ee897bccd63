#include "fetch/fetcher.h"

#include <curl/curl.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <ctime>
#include <mutex>
#include <optional>

#include "fetch/address_guard.h"
#include "fetch/charset.h"
#include "url/url.h"

namespace riptide::fetch {

namespace {

// A Retry-After beyond a day is treated as a day: the value only schedules a later attempt, and a
// far-future date is more likely a misconfigured server than a real instruction.
constexpr uint32_t kMaxRetryAfterSeconds = 24 * 60 * 60;
// Curl handles one thread keeps (one per Fetcher it used most recently). Each holds the
// keep-alive connections of its Fetcher; a thread serving more Fetchers than this reconnects.
constexpr size_t kMaxCachedHandlesPerThread = 4;
// Bytes of a URL quoted in error messages.
constexpr size_t kMaxQuotedUrlBytes = 200;
// How long one wait for socket activity may last when the call has a cancel flag: the flag is
// looked at after each wait, so this bounds how late a cancel is noticed while the server sends
// nothing. Without a flag the wait is as long as curl_easy_perform's own.
constexpr int kCancelCheckIntervalMs = 50;
constexpr int kIdleWaitMs = 1'000;
constexpr const char* kAcceptHeader =
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

enum class Outcome : uint8_t {
  kOk,
  kHttpError,
  kBlocked,
  kTimeout,
  kTooLarge,
  kUnsupportedType,
  kFailed,
};
constexpr std::array<const char*, 7> kOutcomeNames = {
    "ok", "http_error", "blocked", "timeout", "too_large", "unsupported_type", "failed"};

void init_curl_once() {
  // curl_global_init is not thread-safe and must run before any other libcurl call.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One Fetcher's libcurl state on one thread: the easy handle of a transfer and the multi handle
// that runs it. The multi handle owns the connection pool, so keep-alive connections live as long
// as it does.
struct CurlHandles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
};

void cleanup(CurlHandles handles) {
  curl_easy_cleanup(handles.easy);
  curl_multi_cleanup(handles.multi);
}

// The curl handles of the current thread, keyed by Fetcher id, most recently used last. Handles
// are never shared between Fetchers: a connection a permissive Fetcher (allow_private_networks)
// opened must not be reused by one with the guard on, and reuse skips the connect-time check.
class HandleCache {
 public:
  HandleCache() = default;
  HandleCache(const HandleCache&) = delete;
  HandleCache& operator=(const HandleCache&) = delete;
  ~HandleCache() {
    for (Entry& entry : entries_) cleanup(entry.handles);
  }

  // The thread's handles for `fetcher_id`, created on first use; nullopt when curl cannot
  // allocate them.
  std::optional<CurlHandles> acquire(uint64_t fetcher_id) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& entry) { return entry.fetcher_id == fetcher_id; });
    if (it != entries_.end()) {
      std::rotate(it, it + 1, entries_.end());
      return entries_.back().handles;
    }
    CurlHandles handles{curl_easy_init(), curl_multi_init()};
    if (handles.easy == nullptr || handles.multi == nullptr) {
      cleanup(handles);  // both accept null
      return std::nullopt;
    }
    if (entries_.size() == kMaxCachedHandlesPerThread) {
      cleanup(entries_.front().handles);
      entries_.erase(entries_.begin());
    }
    entries_.push_back({fetcher_id, handles});
    return handles;
  }

  void release(uint64_t fetcher_id) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& entry) { return entry.fetcher_id == fetcher_id; });
    if (it == entries_.end()) return;
    cleanup(it->handles);
    entries_.erase(it);
  }

 private:
  struct Entry {
    uint64_t fetcher_id;
    CurlHandles handles;
  };
  std::vector<Entry> entries_;
};

thread_local HandleCache t_handles;

std::atomic<uint64_t> g_next_fetcher_id{1};

// The limits and modes of one fetch() call: FetchConfig's, with FetchOptions' overrides applied.
struct CallSettings {
  uint32_t max_redirects = 0;
  size_t max_body_bytes = 0;
  size_t max_wire_bytes = 0;
  bool raw = false;
  bool truncate_body = false;
  const std::atomic<bool>* cancel = nullptr;
};

CallSettings settings_for(const FetchConfig& config, const FetchOptions& options) {
  CallSettings settings;
  settings.max_redirects = options.max_redirects.value_or(config.max_redirects);
  settings.max_body_bytes =
      options.max_body_bytes != 0 ? options.max_body_bytes : config.max_body_bytes;
  settings.max_wire_bytes =
      options.max_wire_bytes != 0 ? options.max_wire_bytes : config.max_wire_bytes;
  settings.raw = options.raw;
  settings.truncate_body = options.truncate_body;
  settings.cancel = options.cancel;
  return settings;
}

// What one hop's callbacks share with fetch().
struct Transfer {
  const AddressGuard* guard = nullptr;
  const CallSettings* settings = nullptr;
  std::string body;
  bool body_too_large = false;
  bool wire_too_large = false;
  bool truncated = false;  // settings->truncate_body: the body was cut, reading stopped
  bool cancelled = false;
  std::string blocked;  // "127.0.0.1, loopback (127.0.0.0/8)" when the guard refused
};

bool cancel_requested(const CallSettings& settings) {
  return settings.cancel != nullptr && settings.cancel->load(std::memory_order_relaxed);
}

// CURLOPT_OPENSOCKETFUNCTION: the SSRF check on the address curl is about to connect to, after
// its own DNS resolution, so a name that resolves (or re-resolves, DNS rebinding) to an internal
// address is refused. Every connection curl makes goes through here, including each address it
// tries (happy eyeballs) and each redirect hop; curl has no other way to open a socket, so options
// such as CURLOPT_CONNECT_TO or CURLOPT_RESOLVE (never set here) could not bypass it either.
curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(user);
  std::optional<IpAddress> ip = purpose == CURLSOCKTYPE_IPCXN
                                    ? address_from_sockaddr(&address->addr, address->addrlen)
                                    : std::nullopt;
  if (!ip) {
    transfer->blocked = "a non-IP address";
    return CURL_SOCKET_BAD;
  }
  if (std::optional<std::string_view> reason = transfer->guard->refusal(*ip)) {
    transfer->blocked = ip->to_string() + ", " + std::string(*reason);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// CURLOPT_WRITEFUNCTION: receives the body after content decoding, so this is where a zip bomb
// is stopped. Returning less than `count` aborts the transfer (CURLE_WRITE_ERROR).
size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;  // size is always 1
  size_t room = transfer->settings->max_body_bytes - transfer->body.size();
  if (bytes > room) {
    if (transfer->settings->truncate_body) {
      transfer->body.append(data, room);
      transfer->truncated = true;
    } else {
      transfer->body_too_large = true;
    }
    return 0;
  }
  transfer->body.append(data, bytes);
  return bytes;
}

// CURLOPT_XFERINFOFUNCTION: `now` counts body bytes as received on the wire (before decoding).
// CURLOPT_MAXFILESIZE_LARGE only checks a declared Content-Length, so a chunked body without one
// is capped here. libcurl calls this whenever data arrives, so a cancel during a body that keeps
// coming is seen here; run_transfer() sees it while nothing arrives.
int on_progress(void* user, curl_off_t, curl_off_t now, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  if (now > 0 && static_cast<uint64_t>(now) > transfer->settings->max_wire_bytes) {
    transfer->wire_too_large = true;
    return 1;
  }
  if (cancel_requested(*transfer->settings)) {
    transfer->cancelled = true;
    return 1;
  }
  return 0;
}

// Runs the transfer set up on `handles.easy` to its end and returns its result. This is what
// curl_easy_perform does, through the multi interface so that the wait for socket activity can
// be short when the call can be cancelled (curl_easy_perform waits up to a second at a time).
CURLcode run_transfer(const CurlHandles& handles, Transfer& transfer) {
  if (curl_multi_add_handle(handles.multi, handles.easy) != CURLM_OK) return CURLE_FAILED_INIT;
  int wait_ms = transfer.settings->cancel != nullptr ? kCancelCheckIntervalMs : kIdleWaitMs;
  CURLcode code = CURLE_FAILED_INIT;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(handles.multi, &running) != CURLM_OK) break;
    if (running == 0) {
      int queued = 0;
      CURLMsg* message = curl_multi_info_read(handles.multi, &queued);
      if (message != nullptr && message->msg == CURLMSG_DONE) code = message->data.result;
      break;
    }
    if (cancel_requested(*transfer.settings)) {
      transfer.cancelled = true;
      code = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    if (curl_multi_poll(handles.multi, nullptr, 0, wait_ms, nullptr) != CURLM_OK) break;
  }
  // Removing an unfinished transfer aborts it and closes its connection.
  curl_multi_remove_handle(handles.multi, handles.easy);
  return code;
}

std::string quoted(std::string_view url) {
  if (url.size() <= kMaxQuotedUrlBytes) return std::string(url);
  return std::string(url.substr(0, kMaxQuotedUrlBytes)) + "...";
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// The media type of a Content-Type value, lower-cased, without parameters ("text/html").
std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
  return lower;
}

// MIME Sniffing Standard 7.1 ("identifying a resource with an unknown MIME type"), its HTML rows:
// after leading whitespace, one of these tags (ASCII case-insensitive) followed by a space or '>'.
bool sniffs_as_html(std::string_view body) {
  static constexpr std::string_view kPatterns[] = {"<!doctype html",
                                                   "<html",
                                                   "<head",
                                                   "<script",
                                                   "<iframe",
                                                   "<h1",
                                                   "<div",
                                                   "<font",
                                                   "<table",
                                                   "<a",
                                                   "<style",
                                                   "<title",
                                                   "<b",
                                                   "<body",
                                                   "<br",
                                                   "<p",
                                                   "<!--"};
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // a UTF-8 BOM
  size_t start = body.find_first_not_of("\t\n\f\r ");
  if (start == std::string_view::npos) return false;
  body.remove_prefix(start);
  for (std::string_view pattern : kPatterns) {
    if (body.size() <= pattern.size()) continue;
    bool match = std::equal(pattern.begin(), pattern.end(), body.begin(),
                            [](char p, char b) { return p == ascii_lower(b); });
    char next = body[pattern.size()];
    if (match && (next == ' ' || next == '>')) return true;
  }
  return false;
}

// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date; seconds from now, 0 when absent
// or unparseable.
uint32_t parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return 0;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range) return kMaxRetryAfterSeconds;
    return static_cast<uint32_t>(std::min<uint64_t>(seconds, kMaxRetryAfterSeconds));
  }
  std::string date(value);
  time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return 0;
  time_t now = std::time(nullptr);
  if (when <= now) return 0;
  return static_cast<uint32_t>(std::min<int64_t>(when - now, kMaxRetryAfterSeconds));
}

std::string header_value(CURL* handle, const char* name) {
  curl_header* header = nullptr;
  if (curl_easy_header(handle, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK) return {};
  return header->value;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_fetchable_scheme(const url::Url& parsed) {
  return parsed.scheme_type() == url::Scheme::kHttp || parsed.scheme_type() == url::Scheme::kHttps;
}

Outcome outcome_of(const Result<FetchResponse>& result) {
  if (result.ok()) {
    return result->status >= 200 && result->status < 300 ? Outcome::kOk : Outcome::kHttpError;
  }
  switch (result.error().code()) {
    case ErrorCode::kBlockedAddress:
      return Outcome::kBlocked;
    case ErrorCode::kTimeout:
      return Outcome::kTimeout;
    case ErrorCode::kResourceLimit:
      return Outcome::kTooLarge;
    case ErrorCode::kUnsupportedContentType:
      return Outcome::kUnsupportedType;
    default:
      return Outcome::kFailed;
  }
}

}  // namespace

struct Fetcher::Impl {
  uint64_t id = g_next_fetcher_id.fetch_add(1);
  std::optional<AddressGuard> guard;
  std::optional<Error> config_error;  // FetchConfig::validate's, returned by every fetch()
  std::array<prometheus::Counter*, kOutcomeNames.size()> outcomes{};
  prometheus::Histogram* duration = nullptr;

  Result<FetchResponse> fetch(const FetchConfig& config, const CallSettings& settings,
                              std::string_view url) const;
  // One request without following redirects; the body lands in `transfer`.
  Status perform(const CurlHandles& handles, const FetchConfig& config, std::string_view url,
                 std::chrono::milliseconds remaining, Transfer& transfer) const;
};

bool is_too_many_redirects(const Error& error) {
  return error.code() == ErrorCode::kFetchFailed &&
         error.message().find(kTooManyRedirects) != std::string::npos;
}

Status FetchConfig::validate() const {
  Result<AddressGuard> guard = AddressGuard::create(allow_private_networks, allow_cidrs);
  if (!guard.ok()) return guard.error();
  return Status::ok_status();
}

Fetcher::Fetcher(FetchConfig config, std::shared_ptr<prometheus::Registry> registry)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  init_curl_once();
  Result<AddressGuard> guard =
      AddressGuard::create(config_.allow_private_networks, config_.allow_cidrs);
  if (guard.ok()) {
    impl_->guard = std::move(*guard);
  } else {
    impl_->config_error = guard.error();
  }
  if (registry != nullptr) {
    auto& total = prometheus::BuildCounter()
                      .Name("riptide_fetch_total")
                      .Help(
                          "Page fetches by outcome (ok, http_error, blocked, timeout, too_large, "
                          "unsupported_type, failed)")
                      .Register(*registry);
    for (size_t i = 0; i < kOutcomeNames.size(); ++i) {
      impl_->outcomes[i] = &total.Add({{"outcome", kOutcomeNames[i]}});
    }
    impl_->duration = &prometheus::BuildHistogram()
                           .Name("riptide_fetch_duration_seconds")
                           .Help("Wall time of one fetch including redirects")
                           .Register(*registry)
                           .Add({}, prometheus::Histogram::BucketBoundaries{0.05, 0.1, 0.25, 0.5, 1,
                                                                            2.5, 5, 10, 30});
  }
}

Fetcher::~Fetcher() {
  // Handles cached by other threads are dropped when those threads evict them or exit.
  t_handles.release(impl_->id);
}

Result<FetchResponse> Fetcher::fetch(std::string_view url) const {
  return fetch(url, FetchOptions{});
}

Result<FetchResponse> Fetcher::fetch(std::string_view url, const FetchOptions& options) const {
  auto start = std::chrono::steady_clock::now();
  Result<FetchResponse> result = impl_->fetch(config_, settings_for(config_, options), url);
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (result.ok()) result->elapsed_ms = elapsed.count() * 1000;
  if (impl_->duration != nullptr) {
    impl_->outcomes[static_cast<size_t>(outcome_of(result))]->Increment();
    impl_->duration->Observe(elapsed.count());
  }
  return result;
}

Status Fetcher::Impl::perform(const CurlHandles& handles, const FetchConfig& config,
                              std::string_view url, std::chrono::milliseconds remaining,
                              Transfer& transfer) const {
  const CallSettings& settings = *transfer.settings;
  CURL* handle = handles.easy;
  std::string target(url);
  char error_buffer[CURL_ERROR_SIZE] = {};
  // reset keeps the handle's connection cache, so keep-alive connections survive it.
  curl_easy_reset(handle);
  curl_slist* headers = curl_slist_append(nullptr, kAcceptHeader);
  curl_easy_setopt(handle, CURLOPT_URL, target.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // Redirects are followed by fetch() so that each hop is parsed by our URL parser and checked.
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  // "" disables proxies, including the http_proxy/https_proxy environment variables: a proxy
  // would connect on our behalf, past the address guard.
  curl_easy_setopt(handle, CURLOPT_PROXY, "");
  curl_easy_setopt(handle, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  // A body that is to be cut is read only up to the cut, however long it says it is.
  if (!settings.truncate_body) {
    curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(settings.max_wire_bytes));
  }
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(config.connect_timeout, remaining).count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
  curl_easy_setopt(handle, CURLOPT_USERAGENT, config.user_agent.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  CURLcode code = run_transfer(handles, transfer);
  // The cached handle outlives this frame: it must not keep pointers into it.
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  if (code == CURLE_OK) return Status::ok_status();
  // on_body stopped the transfer at the cut on purpose.
  if (transfer.truncated && code == CURLE_WRITE_ERROR) return Status::ok_status();

  std::string where = quoted(url) + ": ";
  if (transfer.cancelled) return Error(ErrorCode::kTimeout, where + "cancelled");
  if (!transfer.blocked.empty()) {
    return Error(ErrorCode::kBlockedAddress,
                 where + "refused to connect to " + transfer.blocked +
                     "; the SSRF guard blocks non-public addresses unless "
                     "allow_private_networks or allow_cidrs admits them");
  }
  if (transfer.body_too_large) {
    return Error(ErrorCode::kResourceLimit, where + "body exceeds " +
                                                std::to_string(settings.max_body_bytes) +
                                                " bytes after decompression");
  }
  if (transfer.wire_too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return Error(ErrorCode::kResourceLimit, where + "response exceeds " +
                                                std::to_string(settings.max_wire_bytes) +
                                                " bytes as received");
  }
  std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error(ErrorCode::kTimeout, where + "timed out (" + detail + "; connect timeout " +
                                            std::to_string(config.connect_timeout.count()) +
                                            " ms, total " +
                                            std::to_string(config.total_timeout.count()) + " ms)");
    case CURLE_URL_MALFORMAT:
      return Error(ErrorCode::kInvalidArgument, where + "malformed URL (" + detail + ")");
    case CURLE_COULDNT_RESOLVE_HOST:
      return Error(ErrorCode::kFetchFailed, where + "could not resolve the host (" + detail + ")");
    case CURLE_COULDNT_CONNECT:
      return Error(ErrorCode::kFetchFailed, where + "could not connect (" + detail + ")");
    case CURLE_BAD_CONTENT_ENCODING:
      return Error(
          ErrorCode::kFetchFailed,
          where + "the body could not be decoded as its Content-Encoding says (" + detail + ")");
    default:
      return Error(ErrorCode::kFetchFailed, where + "fetch failed (" + detail + ")");
  }
}

Result<FetchResponse> Fetcher::Impl::fetch(const FetchConfig& config, const CallSettings& settings,
                                           std::string_view url) const {
  if (config_error) return *config_error;
  Result<url::Url> parsed = url::parse(url);
  if (!parsed.ok()) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid URL \"" + quoted(url) + "\": " + parsed.error().message());
  }
  if (!is_fetchable_scheme(*parsed)) {
    return Error(ErrorCode::kInvalidArgument, "cannot fetch \"" + quoted(url) + "\": scheme \"" +
                                                  std::string(parsed->scheme()) +
                                                  "\" is not http or https");
  }
  std::optional<CurlHandles> handles = t_handles.acquire(id);
  if (!handles) return Error(ErrorCode::kInternal, "curl_easy_init or curl_multi_init failed");
  CURL* handle = handles->easy;

  auto start = std::chrono::steady_clock::now();
  FetchResponse response;
  response.url = std::string(url);
  url::Url current = std::move(*parsed);
  std::vector<std::string> visited = {std::string(current.href_without_fragment())};
  Transfer transfer;
  long status = 0;
  for (uint32_t hop = 0;; ++hop) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::chrono::milliseconds remaining = config.total_timeout - elapsed;
    if (remaining.count() <= 0) {
      return Error(ErrorCode::kTimeout, quoted(current.href()) + ": total timeout of " +
                                            std::to_string(config.total_timeout.count()) +
                                            " ms reached after " + std::to_string(hop) +
                                            " redirects");
    }
    if (cancel_requested(settings)) {
      return Error(ErrorCode::kTimeout, quoted(current.href()) + ": cancelled");
    }
    transfer = Transfer{};
    transfer.guard = &*guard;
    transfer.settings = &settings;
    Status performed =
        perform(*handles, config, current.href_without_fragment(), remaining, transfer);
    if (!performed.ok()) return performed.error();
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    if (!is_redirect(status)) break;
    std::string location = header_value(handle, "Location");
    if (location.empty()) break;  // a 3xx without Location is the final response

    std::string where = quoted(current.href()) + ": ";
    if (hop == settings.max_redirects) {
      return Error(ErrorCode::kFetchFailed, where + std::string(kTooManyRedirects) +
                                                " (more than " +
                                                std::to_string(settings.max_redirects) + ")");
    }
    Result<url::Url> next = url::parse(location, &current);
    if (!next.ok()) {
      return Error(ErrorCode::kFetchFailed,
                   where + "invalid redirect Location \"" + quoted(location) + "\"");
    }
    if (!is_fetchable_scheme(*next)) {
      return Error(ErrorCode::kFetchFailed,
                   where + "refused redirect to \"" + quoted(next->href()) + "\": scheme \"" +
                       std::string(next->scheme()) + "\" is not http or https");
    }
    // A fragment is not sent, and a Location without one inherits the current one (RFC 9110
    // 10.2.2); only the part before it can loop.
    std::string key(next->href_without_fragment());
    if (std::find(visited.begin(), visited.end(), key) != visited.end()) {
      return Error(ErrorCode::kFetchFailed,
                   where + "redirect loop back to \"" + quoted(key) + "\"");
    }
    if (!next->has_fragment() && current.has_fragment()) next->set_hash(current.hash());
    visited.push_back(std::move(key));
    response.redirects.emplace_back(next->href());
    current = std::move(*next);
  }

  response.final_url = std::string(current.href());
  response.status = static_cast<int>(status);
  response.body_bytes = transfer.body.size();
  response.truncated = transfer.truncated;
  char* content_type = nullptr;
  curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) response.content_type = content_type;
  if (status == 429 || status == 503) {
    response.retry_after_seconds = parse_retry_after(header_value(handle, "Retry-After"));
  }
  if (settings.raw) {
    response.body = std::move(transfer.body);
    return response;
  }
  if (status < 200 || status >= 300) return response;

  std::string type = media_type(response.content_type);
  bool html = type == "text/html" || type == "application/xhtml+xml" ||
              (type.empty() && sniffs_as_html(transfer.body));
  if (!html) {
    return Error(
        ErrorCode::kUnsupportedContentType,
        quoted(response.final_url) + ": unsupported content type " +
            (type.empty() ? std::string("(none, and the body does not look like HTML)") : type));
  }
  DetectedEncoding detected = detect_encoding(transfer.body, response.content_type);
  Result<std::string> utf8 = to_utf8(transfer.body, detected.encoding);
  if (!utf8.ok()) {
    return Error(utf8.error().code(), quoted(response.final_url) + ": " + utf8.error().message());
  }
  response.html = std::move(*utf8);
  response.encoding = std::string(encoding_name(detected.encoding));
  response.encoding_source = std::string(encoding_source_name(detected.source));
  return response;
}

}  // namespace riptide::fetch
