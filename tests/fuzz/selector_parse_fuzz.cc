// Fuzzes selector parsing and matching: any bytes either parse or yield an error with a message;
// a parsed list is matched against a document and select_all / select_first / matches must agree
// (document order, no duplicates). Input "SELECTOR\n---\nHTML" matches against HTML parsed by
// the real parser; otherwise against a small fixed page built by hand.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "html/dom.h"
#include "html/parser.h"
#include "html/selector.h"
#include "html/tag.h"

namespace {

using riptide::html::Attribute;
using riptide::html::Document;
using riptide::html::Namespace;
using riptide::html::Node;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "selector_parse_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

Node* add(Document& doc, Node* parent, std::string_view name,
          std::initializer_list<Attribute> attrs = {}, Namespace ns = Namespace::kHtml) {
  Node* e = doc.create_element(riptide::html::lookup_tag(riptide::str::to_lower(name)), name, ns);
  if (attrs.size() > 0) {
    e->attrs = doc.arena().make_array<Attribute>(attrs.size());
    for (const Attribute& a : attrs) e->attrs[e->attr_count++] = a;
  }
  riptide::html::append_child(parent, e);
  return e;
}

// A small page with the features selectors look at: ids, classes, attributes with case-varying
// values, text and comment siblings, empty elements, repeated types, and SVG content.
void build_page(Document& doc) {
  Node* html = add(doc, doc.root(), "html", {{"lang", "en-US"}});
  Node* head = add(doc, html, "head");
  riptide::html::append_child(add(doc, head, "title"), doc.create_text("t"));
  Node* body = add(doc, html, "body", {{"class", "page  home"}});
  Node* main = add(doc, body, "div", {{"id", "main"}, {"class", "a b"}, {"data-x", "Hello-World"}});
  add(doc, main, "h1", {{"id", "h"}});
  riptide::html::append_child(main, doc.create_text("text"));
  Node* p = add(doc, main, "p", {{"class", "lead"}, {"title", "x y z"}});
  add(doc, p, "a",
      {{"href", "https://example.com/A.pdf"}, {"hreflang", "EN"}, {"rel", "nofollow"}});
  riptide::html::append_child(main, doc.create_comment("c"));
  Node* ul = add(doc, main, "ul");
  for (int i = 0; i < 5; ++i) add(doc, ul, "li", {{"class", i % 2 == 0 ? "odd" : "even"}});
  add(doc, main, "p", {{"id", "empty"}});
  Node* aside = add(doc, body, "aside");
  add(doc, aside, "p");
  add(doc, aside, "em");
  Node* svg = add(doc, body, "svg", {{"viewBox", "0 0 1 1"}}, Namespace::kSvg);
  Node* fo = add(doc, svg, "foreignObject", {}, Namespace::kSvg);
  add(doc, fo, "div", {{"id", "inner"}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view html;
  constexpr std::string_view kSeparator = "\n---\n";
  if (size_t cut = text.find(kSeparator); cut != std::string_view::npos) {
    html = text.substr(cut + kSeparator.size());
    text = text.substr(0, cut);
  }
  riptide::Result<riptide::html::SelectorList> list = riptide::html::parse_selector_list(text);
  if (!list.ok()) {
    check(!list.error().message().empty(), "errors carry a message");
    return 0;
  }
  check(list->size() > 0, "a parsed list is not empty");
  Document doc;
  if (html.data() != nullptr) {
    riptide::html::Parser parser;
    (void)parser.parse(html, doc);
  } else {
    build_page(doc);
  }
  std::vector<Node*> all = riptide::html::select_all(*list, doc.root());
  Node* first = riptide::html::select_first(*list, doc.root());
  check(all.empty() ? first == nullptr : first == all.front(), "select_first is the first match");
  size_t next = 0;
  for (Node* n = doc.root()->first_child; n != nullptr;
       n = riptide::html::next_in_subtree(n, doc.root())) {
    bool matched = riptide::html::matches(*list, n);
    bool listed = next < all.size() && all[next] == n;
    check(matched == listed, "select_all lists exactly the matching elements in document order");
    if (listed) ++next;
    bool any = false;
    for (const riptide::html::Selector& s : list->selectors()) any = any || matches(s, n);
    check(any == matched, "a list matches when one of its selectors does");
  }
  check(next == all.size(), "select_all returns nothing outside the document");
  return 0;
}
