#pragma once

#include <chrono>

#include "fetch/fetcher.h"

namespace riptide::testing {

// A fetch::FetchConfig for tests against TestHttpServer: the SSRF guard admits 127.0.0.1 only
// (the site's address), with timeouts short enough that a hanging test fails fast.
inline fetch::FetchConfig site_fetch_config() {
  fetch::FetchConfig config;
  config.allow_cidrs = {"127.0.0.1/32"};
  config.connect_timeout = std::chrono::milliseconds(2'000);
  config.total_timeout = std::chrono::milliseconds(5'000);
  return config;
}

}  // namespace riptide::testing
