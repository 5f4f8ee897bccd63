// Runs the html5lib-tests tokenizer suite (../shared/html5lib-tests/tokenizer/*.test) against
// riptide::html::Tokenizer.
//
// Every test runs once per initial state. Adjacent Character tokens are merged on both sides and
// parse errors are not compared (riptide only counts them). The run fails when a test that is not
// listed in tests/conformance/known_failures/html5lib_tokenizer.txt fails; listed tests that now
// pass are reported so the list can shrink.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "html/tokenizer.h"

namespace {

using nlohmann::json;
using riptide::html::Token;
using riptide::html::Tokenizer;
using riptide::html::TokenizerState;
using riptide::html::TokenType;

// Encodes a code point as (generalized) UTF-8. Lone surrogates, which a "doubleEscaped" test may
// contain, get their WTF-8 bytes: UTF-8 input cannot carry them, so such tests cannot pass and
// are listed as known failures.
void append_code_point(std::string& out, uint32_t cp) {
  if (cp >= 0xD800 && cp <= 0xDFFF) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    return;
  }
  riptide::utf8::append(out, static_cast<char32_t>(cp));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_escape(const std::string& s, size_t i, uint32_t* cp) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
  uint32_t v = 0;
  for (size_t k = 2; k < 6; ++k) {
    const int h = hex_value(s[i + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  *cp = v;
  return true;
}

// The second round of unescaping for "doubleEscaped" tests: \uHHHH sequences, where a high and a
// low surrogate escape in a row form one code point.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    if (read_escape(s, i, &cp)) {
      i += 6;
      uint32_t low;
      if (cp >= 0xD800 && cp <= 0xDBFF && read_escape(s, i, &low) && low >= 0xDC00 &&
          low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
      append_code_point(out, cp);
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

json unescape_json(const json& j) {
  if (j.is_string()) return unescape(j.get<std::string>());
  if (j.is_array()) {
    json out = json::array();
    for (const auto& e : j) out.push_back(unescape_json(e));
    return out;
  }
  if (j.is_object()) {
    json out = json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[unescape(it.key())] = unescape_json(*it);
    return out;
  }
  return j;
}

// Merges adjacent ["Character", ...] tokens.
json merge_characters(const json& tokens) {
  json out = json::array();
  for (const auto& t : tokens) {
    if (t[0] == "Character" && !out.empty() && out.back()[0] == "Character") {
      out.back()[1] = out.back()[1].get<std::string>() + t[1].get<std::string>();
    } else {
      out.push_back(t);
    }
  }
  return out;
}

json to_json(const Token& t) {
  switch (t.type) {
    case TokenType::kDoctype:
      return json::array({"DOCTYPE", t.has_name ? json(std::string(t.data)) : json(nullptr),
                          t.has_public_id ? json(std::string(t.public_id)) : json(nullptr),
                          t.has_system_id ? json(std::string(t.system_id)) : json(nullptr),
                          !t.force_quirks});
    case TokenType::kStartTag: {
      json attrs = json::object();
      for (const auto& a : t.attributes) {
        const std::string name(a.name);
        if (!attrs.contains(name)) attrs[name] = std::string(a.value);
      }
      json out = json::array({"StartTag", std::string(t.data), attrs});
      if (t.self_closing) out.push_back(true);
      return out;
    }
    case TokenType::kEndTag:
      return json::array({"EndTag", std::string(t.data)});
    case TokenType::kComment:
      return json::array({"Comment", std::string(t.data)});
    case TokenType::kCharacter:
      return json::array({"Character", std::string(t.data)});
    case TokenType::kEof:
      break;
  }
  return json();
}

json tokenize(const std::string& input, const std::string& state, const json& last_start_tag,
              uint32_t* errors) {
  Tokenizer tok;
  std::string text = input;
  if (state == "CDATA section state") {
    // Starting in the CDATA section state is the same as starting in the data state, in foreign
    // content, right after "<![CDATA[" (13.2.5.42).
    text = "<![CDATA[" + input;
  }
  tok.reset(text);
  if (state == "CDATA section state") tok.set_allow_cdata(true);
  if (state == "PLAINTEXT state") tok.set_state(TokenizerState::kPlaintext);
  if (state == "RCDATA state") tok.set_state(TokenizerState::kRcdata);
  if (state == "RAWTEXT state") tok.set_state(TokenizerState::kRawtext);
  if (state == "Script data state") tok.set_state(TokenizerState::kScriptData);
  if (last_start_tag.is_string()) tok.set_last_start_tag(last_start_tag.get<std::string>());
  json out = json::array();
  Token t;
  // Bounded: every token consumes input, so more tokens than bytes (plus one) means a loop.
  for (size_t guard = 0; guard <= text.size() + 1; ++guard) {
    tok.next(t);
    if (t.type == TokenType::kEof) {
      *errors = tok.parse_error_count();
      return merge_characters(out);
    }
    out.push_back(to_json(t));
  }
  out.push_back(json::array({"ERROR", "tokenizer did not reach EOF"}));
  return out;
}

// JSON text for a report line; invalid UTF-8 (lone surrogates) is shown as U+FFFD.
std::string show(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::map<std::string, std::string> load_known_failures(const std::string& path) {
  std::map<std::string, std::string> known;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    const std::string id = line.substr(0, space);
    known[id] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return known;
}

std::string state_id(const std::string& state) {
  std::string id;
  for (char c : state) {
    if (c == ' ') break;  // "Script data state" -> "script"
    id.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = std::string(RIPTIDE_SHARED_DIR) + "/html5lib-tests/tokenizer/";
  const std::string known_path =
      std::string(RIPTIDE_SOURCE_DIR) + "/tests/conformance/known_failures/html5lib_tokenizer.txt";
  const bool verbose = argc > 1 && std::string(argv[1]) == "-v";
  const auto known = load_known_failures(known_path);
  std::set<std::string> seen_known;
  size_t total = 0, passed = 0, unexpected = 0;
  // Informational only: riptide counts parse errors but the suite does not compare them.
  size_t error_counts_matching = 0;
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::printf("no .test files in %s\n", dir.c_str());
    return 1;
  }
  for (const std::string& file : files) {
    std::ifstream in(dir + file);
    if (!in) {
      std::printf("cannot open %s%s\n", dir.c_str(), file.c_str());
      return 1;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const json doc = json::parse(buffer.str(), nullptr, false);
    if (doc.is_discarded()) {
      std::printf("cannot parse %s\n", file.c_str());
      return 1;
    }
    if (!doc.contains("tests")) {
      // xmlViolation.test only has "xmlViolationTests", for a tokenizer mode that coerces output
      // to XML; riptide does not have that mode.
      std::printf("%-30s skipped (no \"tests\": XML-coercion mode only)\n", file.c_str());
      continue;
    }
    size_t file_total = 0, file_passed = 0;
    const json& tests = doc["tests"];
    for (size_t i = 0; i < tests.size(); ++i) {
      const json& test = tests[i];
      const bool double_escaped = test.value("doubleEscaped", false);
      std::string input = test["input"].get<std::string>();
      json expected = test["output"];
      if (double_escaped) {
        input = unescape(input);
        expected = unescape_json(expected);
      }
      expected = merge_characters(expected);
      json states =
          test.contains("initialStates") ? test["initialStates"] : json::array({"Data state"});
      const json last = test.contains("lastStartTag") ? test["lastStartTag"] : json(nullptr);
      for (const auto& st : states) {
        const std::string state = st.get<std::string>();
        const std::string id = file + ":" + std::to_string(i) + ":" + state_id(state);
        uint32_t errors = 0;
        const json actual = tokenize(input, state, last, &errors);
        const size_t expected_errors = test.contains("errors") ? test["errors"].size() : 0;
        if (errors == expected_errors) ++error_counts_matching;
        if (verbose && errors != expected_errors) {
          std::printf("ERROR COUNT %s: %u, expected %zu\n", id.c_str(), errors, expected_errors);
        }
        const bool ok = actual == expected;
        ++file_total;
        ++total;
        const bool is_known = known.count(id) != 0;
        if (is_known) seen_known.insert(id);
        if (ok) {
          ++file_passed;
          ++passed;
          if (is_known) std::printf("NOW PASSING (remove from known failures): %s\n", id.c_str());
        } else if (!is_known || verbose) {
          if (!is_known) ++unexpected;
          std::printf("%s %s [%s]\n  input:    %s\n  expected: %s\n  actual:   %s\n",
                      is_known ? "KNOWN FAILURE" : "FAIL", id.c_str(),
                      test.value("description", "").c_str(), show(json(input)).c_str(),
                      show(expected).c_str(), show(actual).c_str());
        }
      }
    }
    std::printf("%-30s %5zu / %5zu passed\n", file.c_str(), file_passed, file_total);
  }
  for (const auto& [id, reason] : known) {
    if (!seen_known.count(id)) std::printf("known failure %s matches no test\n", id.c_str());
  }
  std::printf("total: %zu / %zu passed (%.2f%%), %zu unexpected failures\n", passed, total,
              total ? 100.0 * static_cast<double>(passed) / static_cast<double>(total) : 0.0,
              unexpected);
  std::printf("parse error counts equal to the expected number: %zu / %zu (informational)\n",
              error_counts_matching, total);
  return unexpected == 0 ? 0 : 1;
}
