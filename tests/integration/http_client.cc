#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace riptide::testing {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) std::abort();
  });
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* result = static_cast<HttpResult*>(user);
  const size_t bytes = size * count;
  result->chunks.push_back({std::chrono::steady_clock::now(), std::string(data, bytes)});
  result->body.append(data, bytes);
  return bytes;
}

// libcurl hands over every header line of every response it saw (an interim 100 Continue too);
// only the last response's headers are kept: a status line starts a new set.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* result = static_cast<HttpResult*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    result->headers.clear();
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;  // the blank line ending the headers
  result->headers.emplace_back(std::string(trim(line.substr(0, colon))),
                               std::string(trim(line.substr(colon + 1))));
  return bytes;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::optional<std::string> HttpResult::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResult::header_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) values.push_back(value);
  }
  return values;
}

std::vector<TimedLine> HttpResult::lines() const {
  std::vector<TimedLine> out;
  std::string pending;
  for (const BodyChunk& chunk : chunks) {
    size_t start = 0;
    while (start <= chunk.data.size()) {
      const size_t newline = chunk.data.find('\n', start);
      if (newline == std::string::npos) {
        pending.append(chunk.data, start, std::string::npos);
        break;
      }
      pending.append(chunk.data, start, newline - start);
      if (!pending.empty() && pending.back() == '\r') pending.pop_back();
      out.push_back({chunk.arrived, std::move(pending)});
      pending.clear();
      start = newline + 1;
    }
  }
  if (!pending.empty()) out.push_back({finished, std::move(pending)});
  return out;
}

HttpResult perform(const ClientRequest& request) {
  global_init();
  HttpResult result;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    result.transport_error = "curl_easy_init failed";
    return result;
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "Content-Type")) has_content_type = true;
    // "Name;" is libcurl's way to send a header with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  if (!request.body.empty() && !has_content_type) {
    headers.reset(curl_slist_append(headers.release(), "Content-Type: application/json"));
  }
  // libcurl would otherwise send `Expect: 100-continue` for large bodies and wait for it.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));

  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &result);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &result);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never a proxy from the environment
  // Tests look at what the server sent: no automatic decoding, no redirects followed.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);

  result.started = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(h);
  result.finished = std::chrono::steady_clock::now();
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  if (code != CURLE_OK) {
    result.transport_error = curl_easy_strerror(code);
    result.connect_failed = code == CURLE_COULDNT_CONNECT;
  }
  return result;
}

HttpResult HttpClient::get(std::string_view path, const Headers& headers) const {
  return send("GET", path, {}, headers);
}

HttpResult HttpClient::post(std::string_view path, std::string body, const Headers& headers) const {
  return send("POST", path, std::move(body), headers);
}

HttpResult HttpClient::send(std::string method, std::string_view path, std::string body,
                            const Headers& headers, std::chrono::milliseconds timeout) const {
  ClientRequest request;
  request.method = std::move(method);
  request.url = base_ + std::string(path);
  request.headers = headers;
  request.body = std::move(body);
  request.timeout = timeout;
  return perform(request);
}

Headers bearer(std::string_view key, Headers extra) {
  extra.emplace_back("Authorization", "Bearer " + std::string(key));
  return extra;
}

}  // namespace riptide::testing
