// Fuzzes the JSON reader (core/json.h), which reads untrusted JSON-LD from pages. Any input must
// either fail cleanly or give a tree whose strings and member names are valid UTF-8 and whose
// container sizes match their children; writing the tree back out as strict JSON and parsing
// that must give the same tree (the lenient extras never change what a value means).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/utf8.h"

namespace {

using riptide::json::Type;
using riptide::json::Value;

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "json_parse_fuzz: %s\n", what);
  std::abort();
}

void write_string(std::string_view s, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// Strict JSON serialisation, iterative (the tree may be kMaxJsonDepth deep).
std::string serialize(Value root) {
  struct Item {
    Value value;
    bool first = true;    // first child of its container (no comma before it)
    bool member = false;  // an object member: write its name first
    char closer = 0;      // non-zero: emit this closing bracket
  };
  std::string out;
  std::vector<Item> stack{{root, true, false, 0}};
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    if (item.closer != 0) {
      out.push_back(item.closer);
      continue;
    }
    Value v = item.value;
    if (!item.first) out.push_back(',');
    check(riptide::utf8::is_valid(v.key()), "member name is not valid UTF-8");
    if (item.member) {
      write_string(v.key(), out);
      out.push_back(':');
    }
    switch (v.type()) {
      case Type::kNull:
        out += "null";
        break;
      case Type::kBool:
        out += v.as_bool() ? "true" : "false";
        break;
      case Type::kNumber:
        check(!v.number_text().empty(), "number without literal");
        out += v.number_text();
        break;
      case Type::kString:
        check(riptide::utf8::is_valid(v.as_string()), "string is not valid UTF-8");
        write_string(v.as_string(), out);
        break;
      case Type::kArray:
      case Type::kObject: {
        bool object = v.is_object();
        out.push_back(object ? '{' : '[');
        stack.push_back({Value(), true, false, object ? '}' : ']'});
        std::vector<Value> children;
        for (Value child : v.children()) children.push_back(child);
        check(children.size() == v.size(), "size() differs from the number of children");
        for (size_t i = children.size(); i-- > 0;)
          stack.push_back({children[i], i == 0, object, 0});
        break;
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto doc = riptide::json::parse(input);
  if (!doc.ok()) return 0;
  std::string once = serialize(doc->root());
  auto again = riptide::json::parse(once);
  check(again.ok(), "serialised tree does not parse");
  check(serialize(again->root()) == once, "serialise/parse is not a round trip");
  return 0;
}
