#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "tests/support/test_http_server.h"

// A small site for crawl job tests (tests/unit/server, tests/integration), served by
// TestHttpServer on 127.0.0.1.
namespace riptide::testing {

// A site of `pages` pages: "/" and "/p/1".."/p/{pages-1}", page k linking to 2k+1 and 2k+2 (a
// binary tree, depth ⌊log2(k+1)⌋) and back to "/" (a cycle the crawler must not follow twice).
// Every page has its own text (distinct fingerprints: no page is a near-duplicate of another).
// Anything else, robots.txt included, is 404 (robots: allow all).
class TreeSite {
 public:
  explicit TreeSite(int pages) : pages_(pages) {
    server_.set_fallback([this](const HttpRequest& request) {
      const int page = page_of(request.path);
      if (page < 0) return html_response("<h1>not here</h1>", 404);
      return html_response(html(page));
    });
  }

  TestHttpServer& server() { return server_; }
  std::string root() const { return server_.url("/"); }
  static std::string path(int page) { return page == 0 ? "/" : "/p/" + std::to_string(page); }
  // The URLs the crawler reports (canonical: what url::normalize makes of them).
  std::set<std::string> urls() const {
    std::set<std::string> out;
    for (int page = 0; page < pages_; ++page) out.insert(server_.url(path(page)));
    return out;
  }
  // Requests of site pages (robots.txt and 404s left out), by path.
  std::map<std::string, int> page_requests(std::chrono::steady_clock::time_point since = {}) const {
    std::map<std::string, int> out;
    for (const HttpRequest& request : server_.requests()) {
      if (request.arrival >= since && page_of(request.path) >= 0) ++out[request.path];
    }
    return out;
  }

 private:
  int page_of(const std::string& p) const {
    if (p == "/") return 0;
    if (!p.starts_with("/p/") || p.size() > 8) return -1;
    int page = 0;
    for (char c : p.substr(3)) {
      if (c < '0' || c > '9') return -1;
      page = page * 10 + (c - '0');
    }
    return page > 0 && page < pages_ ? page : -1;
  }

  std::string html(int page) const {
    static const char* const kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo",
                                             "ba", "de", "fu", "go", "hi", "ja", "ke", "pu"};
    uint32_t state = 2654435761u * static_cast<uint32_t>(page + 1);
    auto next = [&state] {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      return state;
    };
    std::string text;
    for (int word = 0; word < 120; ++word) {
      uint32_t r = next();
      text += std::string(kSyllables[r % 16]) + kSyllables[(r >> 4) % 16] +
              kSyllables[(r >> 8) % 16] + (word % 12 == 11 ? ". " : " ");
    }
    std::string links = "<a href=\"/\">home</a>";
    for (int child : {2 * page + 1, 2 * page + 2}) {
      if (child < pages_)
        links += " <a href=\"" + path(child) + "\">page " + std::to_string(child) + "</a>";
    }
    return "<!doctype html><html lang=\"en\"><head><title>Page " + std::to_string(page) +
           "</title></head><body><nav>" + links + "</nav><article><h1>Page " +
           std::to_string(page) + "</h1><p>" + text + "</p></article></body></html>";
  }

  const int pages_;
  TestHttpServer server_;
};

}  // namespace riptide::testing
