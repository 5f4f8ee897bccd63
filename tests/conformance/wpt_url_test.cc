// WPT URL conformance: runs ../shared/wpt-url/urltestdata.json (the URL parser), toascii.json
// and IdnaTestV2.json (the host parser's domain to ASCII), setters_tests.json (the API setters)
// and the UTF-8 cases of percent-encoding.json against riptide::url. Fails when a test not listed
// in tests/conformance/known_failures/wpt_url.txt fails; listed tests that now pass are reported so
// the list can shrink. Pass -v to print known failures as well.
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "url/url.h"

namespace {

using nlohmann::json;

// JSON test files may hold lone surrogate escapes (\uD800), which are not Unicode scalar values
// and which nlohmann-json rejects. Browsers hand such strings to the URL parser as USVStrings,
// i.e. with each lone surrogate replaced by U+FFFD; do the same to the JSON text.
std::string replace_lone_surrogates(const std::string& text) {
  auto hex4 = [&](size_t at, unsigned* out) {
    if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return false;
    unsigned v = 0;
    for (size_t i = at + 2; i < at + 6; ++i) {
      char c = text[i];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return false;
      v = v * 16 + static_cast<unsigned>(d);
    }
    *out = v;
    return true;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\\') {
      out.append("\\\\");
      i += 2;
      continue;
    }
    unsigned v = 0;
    if (hex4(i, &v) && v >= 0xD800 && v <= 0xDFFF) {
      unsigned low = 0;
      if (v <= 0xDBFF && hex4(i + 6, &low) && low >= 0xDC00 && low <= 0xDFFF) {
        out.append(text, i, 12);
        i += 12;
      } else {
        out.append("\\uFFFD");
        i += 6;
      }
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

bool load_json(const std::string& path, json* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::printf("cannot open %s\n", path.c_str());
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  *out = json::parse(replace_lone_surrogates(ss.str()), nullptr, /*allow_exceptions=*/false);
  if (out->is_discarded()) {
    std::printf("cannot parse %s\n", path.c_str());
    return false;
  }
  return true;
}

std::map<std::string, std::string> load_known_failures(const std::string& path) {
  std::map<std::string, std::string> known;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find(' ');
    known[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return known;
}

struct Tally {
  size_t total = 0;
  size_t passed = 0;
  size_t unexpected = 0;
};

class Runner {
 public:
  Runner(std::map<std::string, std::string> known, bool verbose)
      : known_(std::move(known)), verbose_(verbose) {}

  // Records one test outcome; `detail` describes a failure.
  void record(Tally& tally, const std::string& id, bool ok, const std::string& detail) {
    ++tally.total;
    const bool is_known = known_.count(id) != 0;
    if (is_known) seen_known_.insert(id);
    if (ok) {
      ++tally.passed;
      if (is_known) std::printf("NOW PASSING (remove from known failures): %s\n", id.c_str());
      return;
    }
    if (!is_known) ++tally.unexpected;
    if (!is_known || verbose_) {
      std::printf("%s %s\n%s\n", is_known ? "KNOWN FAILURE" : "FAIL", id.c_str(), detail.c_str());
    }
  }

  void report_stale() const {
    for (const auto& [id, reason] : known_) {
      if (!seen_known_.count(id)) std::printf("known failure %s matches no test\n", id.c_str());
    }
  }

 private:
  std::map<std::string, std::string> known_;
  std::set<std::string> seen_known_;
  bool verbose_;
};

std::string describe(const json& test) {
  return "  test: " + test.dump();
}

// urltestdata.json: objects with input, base (string or null) and either failure:true or the
// expected href, protocol, username, password, host, hostname, port, pathname, search, hash and
// (sometimes) origin.
void run_urltestdata(const json& tests, Runner& runner, Tally& tally) {
  static const char* const kFields[] = {"href",   "protocol", "username", "password",
                                        "host",   "hostname", "port",     "pathname",
                                        "search", "hash",     "origin"};
  size_t index = 0;
  for (const auto& test : tests) {
    if (!test.is_object()) continue;
    const std::string id = "urltestdata#" + std::to_string(index++);
    const std::string input = test.at("input").get<std::string>();
    riptide::Result<riptide::url::Url> url = riptide::Error();
    if (test.contains("base") && test.at("base").is_string()) {
      auto base = riptide::url::parse(test.at("base").get<std::string>());
      if (!base.ok()) {
        runner.record(tally, id, false, describe(test) + "\n  base failed to parse");
        continue;
      }
      url = riptide::url::parse(input, &*base);
    } else {
      url = riptide::url::parse(input);
    }
    const bool expect_failure = test.value("failure", false);
    if (expect_failure || !url.ok()) {
      std::string detail = describe(test);
      if (url.ok()) detail += "\n  actual href: " + std::string(url->href());
      if (!url.ok()) detail += "\n  actual error: " + url.error().to_string();
      runner.record(tally, id, expect_failure != url.ok(), detail);
      continue;
    }
    std::string mismatches;
    for (const char* field : kFields) {
      if (!test.contains(field)) continue;
      std::string actual;
      const std::string f = field;
      if (f == "href") actual = url->href();
      if (f == "protocol") actual = url->protocol();
      if (f == "username") actual = url->username();
      if (f == "password") actual = url->password();
      if (f == "host") actual = url->host();
      if (f == "hostname") actual = url->hostname();
      if (f == "port") actual = url->port();
      if (f == "pathname") actual = url->pathname();
      if (f == "search") actual = url->search();
      if (f == "hash") actual = url->hash();
      if (f == "origin") actual = url->origin();
      const std::string expected = test.at(field).get<std::string>();
      if (actual != expected) {
        mismatches += "\n  " + f + ": expected " + json(expected).dump() + ", actual " +
                      json(actual).dump(-1, ' ', false, json::error_handler_t::replace);
      }
    }
    runner.record(tally, id, mismatches.empty(), describe(test) + mismatches);
  }
}

// toascii.json / IdnaTestV2.json: {input, output} where output null means failure. Like WPT's
// toascii.window.js and IdnaTestV2.window.js, the input is the host of "https://" + input + "/x"
// and host, hostname, pathname and href are compared. For IdnaTestV2, WPT first percent-encodes
// the code points that would end the host (: / ? # \) so that they reach the host parser.
void run_toascii(const json& tests, const std::string& name, bool encode_host_ending,
                 Runner& runner, Tally& tally) {
  size_t index = 0;
  for (const auto& test : tests) {
    if (!test.is_object()) continue;
    const std::string id = name + "#" + std::to_string(index++);
    // An empty host cannot be expressed through a URL ("https:///x" has the host "x"); WPT skips
    // it for the same reason.
    if (test.at("input").get<std::string>().empty()) continue;
    std::string input;
    for (char c : test.at("input").get<std::string>()) {
      if (encode_host_ending && (c == ':' || c == '/' || c == '?' || c == '#' || c == '\\')) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        input += '%';
        input += kHex[static_cast<unsigned char>(c) >> 4];
        input += kHex[c & 0xF];
      } else {
        input += c;
      }
    }
    auto url = riptide::url::parse("https://" + input + "/x");
    std::string detail = describe(test);
    bool ok;
    if (test.at("output").is_null()) {
      ok = !url.ok();
      if (url.ok()) detail += "\n  actual href: " + json(std::string(url->href())).dump();
    } else {
      const std::string expected = test.at("output").get<std::string>();
      ok = url.ok() && url->host() == expected && url->hostname() == expected &&
           url->pathname() == "/x" && url->href() == "https://" + expected + "/x";
      detail += url.ok() ? "\n  actual href: " + json(std::string(url->href())).dump()
                         : "\n  actual error: " + url.error().to_string();
    }
    runner.record(tally, id, ok, detail);
  }
}

// setters_tests.json: {setter: [{href, new_value, expected: {field: value}}]}; each test parses
// href, applies the setter and compares the listed fields.
void run_setters(const json& tests, Runner& runner, Tally& tally) {
  for (const auto& [setter, cases] : tests.items()) {
    if (setter == "comment" || !cases.is_array()) continue;
    size_t index = 0;
    for (const auto& test : cases) {
      if (!test.is_object()) continue;
      const std::string id = "setters/" + setter + "#" + std::to_string(index++);
      auto url = riptide::url::parse(test.at("href").get<std::string>());
      if (!url.ok()) {
        runner.record(tally, id, false, describe(test) + "\n  href failed to parse");
        continue;
      }
      const std::string value = test.at("new_value").get<std::string>();
      riptide::url::Url& u = *url;
      if (setter == "href") u.set_href(value);
      if (setter == "protocol") u.set_protocol(value);
      if (setter == "username") u.set_username(value);
      if (setter == "password") u.set_password(value);
      if (setter == "host") u.set_host(value);
      if (setter == "hostname") u.set_hostname(value);
      if (setter == "port") u.set_port(value);
      if (setter == "pathname") u.set_pathname(value);
      if (setter == "search") u.set_search(value);
      if (setter == "hash") u.set_hash(value);
      std::string mismatches;
      for (const auto& [field, expected_value] : test.at("expected").items()) {
        std::string actual;
        if (field == "href") actual = u.href();
        if (field == "protocol") actual = u.protocol();
        if (field == "username") actual = u.username();
        if (field == "password") actual = u.password();
        if (field == "host") actual = u.host();
        if (field == "hostname") actual = u.hostname();
        if (field == "port") actual = u.port();
        if (field == "pathname") actual = u.pathname();
        if (field == "search") actual = u.search();
        if (field == "hash") actual = u.hash();
        const std::string expected = expected_value.get<std::string>();
        if (actual != expected) {
          mismatches += "\n  " + field + ": expected " + json(expected).dump() + ", actual " +
                        json(actual).dump(-1, ' ', false, json::error_handler_t::replace);
        }
      }
      runner.record(tally, id, mismatches.empty(), describe(test) + mismatches);
    }
  }
}

// percent-encoding.json: {input, output: {encoding: expected}}. riptide parses URLs as UTF-8
// only, so only the "utf-8" expectations apply. As in WPT's percent-encoding.window.js, the input
// is both the query and the fragment of a special URL.
void run_percent_encoding(const json& tests, Runner& runner, Tally& tally) {
  size_t index = 0;
  for (const auto& test : tests) {
    if (!test.is_object()) continue;
    const std::string id = "percent-encoding#" + std::to_string(index++);
    const std::string input = test.at("input").get<std::string>();
    const std::string expected_part = test.at("output").at("utf-8").get<std::string>();
    const std::string expected =
        "https://doesnotmatter.invalid/?" + expected_part + "#" + expected_part;
    auto url = riptide::url::parse("https://doesnotmatter.invalid/?" + input + "#" + input);
    const bool ok = url.ok() && url->href() == expected;
    std::string detail = describe(test);
    detail += url.ok() ? "\n  actual href: " + std::string(url->href())
                       : "\n  actual error: " + url.error().to_string();
    runner.record(tally, id, ok, detail);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool verbose = argc > 1 && std::string(argv[1]) == "-v";
  const std::string dir = std::string(RIPTIDE_SHARED_DIR) + "/wpt-url/";
  Runner runner(load_known_failures(std::string(RIPTIDE_SOURCE_DIR) +
                                    "/tests/conformance/known_failures/wpt_url.txt"),
                verbose);
  bool loaded = true;
  size_t unexpected = 0;
  enum class Kind { kUrls, kHosts, kPercentEncoding, kSetters };
  struct Suite {
    const char* file;
    Kind kind;
  };
  for (const Suite& suite :
       {Suite{"urltestdata.json", Kind::kUrls}, Suite{"toascii.json", Kind::kHosts},
        Suite{"IdnaTestV2.json", Kind::kHosts},
        Suite{"percent-encoding.json", Kind::kPercentEncoding},
        Suite{"setters_tests.json", Kind::kSetters}}) {
    json tests;
    if (!load_json(dir + suite.file, &tests)) {
      loaded = false;
      continue;
    }
    Tally tally;
    std::string name(suite.file);
    name = name.substr(0, name.find('.'));
    switch (suite.kind) {
      case Kind::kUrls:
        run_urltestdata(tests, runner, tally);
        break;
      case Kind::kHosts:
        run_toascii(tests, name, /*encode_host_ending=*/name == "IdnaTestV2", runner, tally);
        break;
      case Kind::kPercentEncoding:
        run_percent_encoding(tests, runner, tally);
        break;
      case Kind::kSetters:
        run_setters(tests, runner, tally);
        break;
    }
    std::printf("%-22s %5zu / %5zu passed (%.2f%%), %zu unexpected failures\n", suite.file,
                tally.passed, tally.total,
                tally.total
                    ? 100.0 * static_cast<double>(tally.passed) / static_cast<double>(tally.total)
                    : 0.0,
                tally.unexpected);
    unexpected += tally.unexpected;
  }
  runner.report_stale();
  return loaded && unexpected == 0 ? 0 : 1;
}
