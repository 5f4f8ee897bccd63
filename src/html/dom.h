#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "html/tag.h"

namespace riptide::html {

enum class NodeType : uint8_t { kDocument, kDoctype, kElement, kText, kComment, kFragment };
enum class Namespace : uint8_t { kHtml, kSvg, kMathMl };
// Namespaces of adjusted foreign attributes (xlink:href, xml:lang, xmlns:xlink).
enum class AttrNamespace : uint8_t { kNone, kXlink, kXml, kXmlns };
enum class QuirksMode : uint8_t { kNoQuirks, kQuirks, kLimitedQuirks };

// One attribute. `name` is the local name (lower case for HTML elements; case-adjusted for SVG
// and MathML, e.g. "viewBox"); a namespaced attribute has `ns` set and `name` without prefix
// (xlink:href → ns kXlink, name "href"). Views live as long as the document's arena.
struct Attribute {
  std::string_view name;
  std::string_view value;
  AttrNamespace ns = AttrNamespace::kNone;
};

// A DOM node in a document arena. Plain data with intrusive links; a document frees all its
// nodes in one step. Views and pointers live as long as the Document.
struct Node {
  NodeType type = NodeType::kElement;
  Namespace ns = Namespace::kHtml;
  Tag tag = Tag::kUnknown;  // interned tag for HTML-namespace elements and known foreign ones
  uint32_t attr_count = 0;

  Node* parent = nullptr;
  Node* first_child = nullptr;
  Node* last_child = nullptr;
  Node* prev_sibling = nullptr;
  Node* next_sibling = nullptr;

  // Element: local name as it appears in the tree ("div", "foreignObject").
  // Doctype: the doctype name.
  std::string_view name;
  // Text and comment: the character data. Doctype: unused (see Document).
  std::string_view data;
  Attribute* attrs = nullptr;
  // <template> in the HTML namespace: its content fragment (a kFragment node), else null.
  Node* template_content = nullptr;

  bool is_element() const { return type == NodeType::kElement; }
  bool is_text() const { return type == NodeType::kText; }
  // True for an HTML-namespace element with the given interned tag.
  bool is(Tag t) const { return type == NodeType::kElement && tag == t && ns == Namespace::kHtml; }

  // The value of the first attribute with this (already lower-case) name and no namespace, or
  // null when absent.
  const Attribute* attr(std::string_view lower_name) const {
    for (uint32_t i = 0; i < attr_count; ++i) {
      if (attrs[i].name == lower_name && attrs[i].ns == AttrNamespace::kNone) return &attrs[i];
    }
    return nullptr;
  }
  std::string_view attr_value(std::string_view lower_name) const {
    const Attribute* a = attr(lower_name);
    return a != nullptr ? a->value : std::string_view();
  }
  bool has_attr(std::string_view lower_name) const { return attr(lower_name) != nullptr; }

  Node* first_element_child() const;
  Node* next_element_sibling() const;
  Node* prev_element_sibling() const;
};

// Next node in document order (pre-order) within the subtree rooted at `root`, or null. Iterative:
// safe for any depth.
inline Node* next_in_subtree(const Node* node, const Node* root) {
  if (node->first_child != nullptr) return node->first_child;
  while (node != root) {
    if (node->next_sibling != nullptr) return node->next_sibling;
    node = node->parent;
  }
  return nullptr;
}
// Next node in pre-order that is not inside `node`'s subtree.
inline Node* next_skipping_children(const Node* node, const Node* root) {
  while (node != root) {
    if (node->next_sibling != nullptr) return node->next_sibling;
    node = node->parent;
  }
  return nullptr;
}

// Appends the concatenated text of all text descendants of `node` (iterative).
void append_text_content(const Node* node, std::string& out);
std::string text_content(const Node* node);

// Limits the parser hit while building this document (see core/limits.h).
struct LimitReport {
  bool depth_limited = false;       // elements deeper than kMaxDomDepth were attached at the limit
  bool node_limited = false;        // nodes beyond kMaxNodes were dropped
  bool attributes_limited = false;  // attributes beyond the per-element limits were dropped
  bool any() const { return depth_limited || node_limited || attributes_limited; }
  // Human-readable list of the limits hit, e.g. "DOM depth limit (512) reached"; empty if none.
  std::string describe() const;
};

// A parsed document: the node tree plus what the parser noticed. Owns the arena all nodes,
// names and text live in. Movable, not copyable.
class Document {
 public:
  Document();
  Document(Document&&) noexcept = default;
  Document& operator=(Document&&) noexcept = default;

  Node* root() const { return root_; }
  Arena& arena() { return *arena_; }

  // <html>, <head>, <body> when present (null otherwise).
  Node* html_element() const;
  Node* head() const;
  Node* body() const;
  // The first <title> element's text, whitespace not collapsed.
  std::string title() const;

  QuirksMode quirks_mode = QuirksMode::kNoQuirks;
  // Doctype identifiers (the doctype node itself carries the name).
  std::string_view doctype_public_id;
  std::string_view doctype_system_id;
  bool doctype_has_public_id = false;
  bool doctype_has_system_id = false;

  uint32_t node_count = 0;
  uint32_t parse_error_count = 0;
  LimitReport limits;

  // Creates nodes in this document's arena (used by the tree builder and tests).
  Node* create_element(Tag tag, std::string_view name, Namespace ns = Namespace::kHtml);
  Node* create_text(std::string_view text);
  Node* create_comment(std::string_view text);
  Node* create_node(NodeType type);

  // Resets to an empty document, keeping the arena's first block for reuse.
  void clear();

 private:
  std::unique_ptr<Arena> arena_;
  Node* root_ = nullptr;
};

// Tree mutation (used by the tree builder, the extractor's cleanup and tests).
void append_child(Node* parent, Node* child);
void insert_before(Node* parent, Node* child, Node* reference);  // reference null → append
void remove_node(Node* node);  // detaches node (with its subtree) from its parent

}  // namespace riptide::html
