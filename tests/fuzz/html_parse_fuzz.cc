// Fuzzes the HTML parser (document and fragment parsing), the serializer and the tree dump.
// Checks the invariants the rest of riptide relies on: text and attribute values are valid UTF-8
// and the tree depth stays within the depth limit; serialized output parses again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "core/utf8.h"
#include "html/parser.h"
#include "html/serializer.h"
#include "html/tree_dump.h"

namespace {

using riptide::html::Document;
using riptide::html::Namespace;
using riptide::html::Node;

void check(const Document& doc) {
  std::vector<std::pair<const Node*, uint32_t>> stack{{doc.root(), 0}};
  while (!stack.empty()) {
    auto [n, depth] = stack.back();
    stack.pop_back();
    if (depth > riptide::limits::kMaxDomDepth + 8) std::abort();
    if (!riptide::utf8::is_valid(n->data)) std::abort();
    for (uint32_t i = 0; i < n->attr_count; ++i) {
      if (!riptide::utf8::is_valid(n->attrs[i].value)) std::abort();
    }
    for (const Node* c = n->first_child; c != nullptr; c = c->next_sibling) {
      if (c->parent != n) std::abort();
      stack.emplace_back(c, depth + 1);
    }
    if (n->template_content != nullptr) stack.emplace_back(n->template_content, depth + 1);
  }
}

struct Context {
  const char* name;
  Namespace ns;
};

constexpr Context kContexts[] = {
    {"body", Namespace::kHtml},   {"td", Namespace::kHtml},       {"table", Namespace::kHtml},
    {"select", Namespace::kHtml}, {"template", Namespace::kHtml}, {"title", Namespace::kHtml},
    {"svg", Namespace::kSvg},     {"path", Namespace::kSvg},      {"mi", Namespace::kMathMl},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static riptide::html::Parser parser;
  Document doc;
  if (!parser.parse(input, doc).ok()) return 0;
  check(doc);
  std::string html = riptide::html::outer_html(doc.root());
  std::string tree = riptide::html::dump_tree(doc);
  Document again;
  if (!parser.parse(html, again).ok()) std::abort();
  check(again);

  if (size > 0) {
    const Context& ctx = kContexts[data[0] % (sizeof(kContexts) / sizeof(kContexts[0]))];
    Document fragment;
    if (parser.parse_fragment(input.substr(1), ctx.name, ctx.ns, fragment).ok()) {
      check(fragment);
      (void)riptide::html::inner_html(fragment.root());
    }
  }
  return 0;
}
