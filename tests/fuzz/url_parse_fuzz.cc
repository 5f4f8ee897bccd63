// Fuzzes the URL parser (absolute and relative against a base), serialization round trips and
// crawl normalisation. Any input must either fail cleanly or produce a URL whose href parses
// back to the same href (the URL Standard's serializer is meant to be idempotent), and
// normalising twice must give the same result as normalising once. Punycode and NFC, the
// building blocks of IDNA, are checked on the same bytes, and so are the API setters.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "url/idna.h"
#include "url/normalize.h"
#include "url/url.h"

namespace {

void check(bool condition, const char* what, std::string_view detail) {
  if (condition) return;
  std::fprintf(stderr, "url_parse_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check_round_trip(const riptide::url::Url& url) {
  auto again = riptide::url::parse(url.href());
  check(again.ok(), "href does not reparse", url.href());
  check(again->href() == url.href(), "href is not idempotent", url.href());
  const riptide::url::Url once = riptide::url::normalize(url);
  const riptide::url::Url twice = riptide::url::normalize(once);
  check(once.href() == twice.href(), "normalize is not idempotent", url.href());
  riptide::url::NormalizeOptions sorted;
  sorted.sort_query_parameters = true;
  sorted.remove_fragment = false;
  (void)riptide::url::normalize(url, sorted);
  (void)url.origin();
}

// Every API setter, given the input as its value, must leave a URL whose href reparses to
// itself.
void check_setters(std::string_view input) {
  static const char* const kTargets[] = {"https://u:p@example.com:8080/a/b?q#f", "foo://h/p?q",
                                         "foo:/p", "file:///C:/x", "mailto:x@y?z"};
  using Setter = bool (riptide::url::Url::*)(std::string_view);
  static const Setter kSetters[] = {
      &riptide::url::Url::set_protocol, &riptide::url::Url::set_username,
      &riptide::url::Url::set_password, &riptide::url::Url::set_host,
      &riptide::url::Url::set_hostname, &riptide::url::Url::set_port,
      &riptide::url::Url::set_pathname, &riptide::url::Url::set_search,
      &riptide::url::Url::set_hash};
  const std::string_view value = input.substr(0, 256);
  for (const char* target : kTargets) {
    for (Setter setter : kSetters) {
      auto url = riptide::url::parse(target);
      if (!url.ok()) continue;
      ((*url).*setter)(value);
      auto again = riptide::url::parse(url->href());
      check(again.ok(), "href after a setter does not reparse", url->href());
      check(again->href() == url->href(), "href after a setter is not idempotent", url->href());
    }
  }
}

// Punycode must round-trip any code point sequence, and NFC must be idempotent.
void check_idna_primitives(std::string_view input) {
  std::u32string code_points;
  const char* p = input.data();
  const char* end = p + input.size();
  while (p < end && code_points.size() < 256) {
    size_t len = 0;
    code_points.push_back(riptide::utf8::decode(p, end, &len));
    p += len;
  }
  std::string encoded;
  if (riptide::url::punycode_encode(code_points, encoded)) {
    std::u32string decoded;
    check(riptide::url::punycode_decode(encoded, decoded), "punycode output does not decode",
          encoded);
    check(decoded == code_points, "punycode does not round-trip", encoded);
  }
  const std::u32string once = riptide::url::to_nfc(code_points);
  check(riptide::url::to_nfc(once) == once, "NFC is not idempotent", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto url = riptide::url::parse(input);
  if (url.ok()) check_round_trip(*url);
  check_idna_primitives(input);
  check_setters(input);
  // The same bytes as a reference relative to a few bases of different kinds.
  static const char* const kBases[] = {"https://user:pw@example.com:8080/a/b/c?q#f",
                                       "file:///C:/dir/file", "foo://host/p", "mailto:x@y"};
  for (const char* base_text : kBases) {
    auto base = riptide::url::parse(base_text);
    if (!base.ok()) continue;
    auto relative = riptide::url::parse(input, &*base);
    if (relative.ok()) check_round_trip(*relative);
  }
  return 0;
}
