#include "html/tree_dump.h"

#include <algorithm>
#include <vector>

namespace riptide::html {

namespace {

void indent(size_t depth, std::string& out) {
  out.append("| ");
  out.append(depth * 2, ' ');
}

void dump_attributes(const Node* n, size_t depth, std::string& out) {
  if (n->attr_count == 0) return;
  std::vector<std::pair<std::string, std::string_view>> attrs;
  attrs.reserve(n->attr_count);
  for (uint32_t i = 0; i < n->attr_count; ++i) {
    const Attribute& a = n->attrs[i];
    std::string name;
    switch (a.ns) {
      case AttrNamespace::kNone:
        break;
      case AttrNamespace::kXlink:
        name = "xlink ";
        break;
      case AttrNamespace::kXml:
        name = "xml ";
        break;
      case AttrNamespace::kXmlns:
        name = "xmlns ";
        break;
    }
    name.append(a.name);
    attrs.emplace_back(std::move(name), a.value);
  }
  std::sort(attrs.begin(), attrs.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [name, value] : attrs) {
    indent(depth, out);
    out.append(name);
    out.append("=\"");
    out.append(value);
    out.append("\"\n");
  }
}

void dump_node(const Document& doc, const Node* n, size_t depth, std::string& out) {
  indent(depth, out);
  switch (n->type) {
    case NodeType::kElement:
      out.push_back('<');
      if (n->ns == Namespace::kSvg) out.append("svg ");
      if (n->ns == Namespace::kMathMl) out.append("math ");
      out.append(n->name);
      out.append(">\n");
      dump_attributes(n, depth + 1, out);
      if (n->template_content != nullptr) {
        indent(depth + 1, out);
        out.append("content\n");
      }
      break;
    case NodeType::kText:
      out.push_back('"');
      out.append(n->data);
      out.append("\"\n");
      break;
    case NodeType::kComment:
      out.append("<!-- ");
      out.append(n->data);
      out.append(" -->\n");
      break;
    case NodeType::kDoctype:
      out.append("<!DOCTYPE ");
      out.append(n->name);
      if (doc.doctype_has_public_id || doc.doctype_has_system_id) {
        out.append(" \"");
        out.append(doc.doctype_public_id);
        out.append("\" \"");
        out.append(doc.doctype_system_id);
        out.push_back('"');
      }
      out.append(">\n");
      break;
    case NodeType::kDocument:
    case NodeType::kFragment:
      break;
  }
}

}  // namespace

std::string dump_children(const Document& doc, const Node* parent) {
  std::string out;
  // Explicit stack of (next sibling to visit) per level; a template's content is one level
  // below its "content" line, i.e. two below the template.
  struct Level {
    const Node* next;
    size_t depth;
  };
  std::vector<Level> stack;
  if (parent->first_child != nullptr) stack.push_back({parent->first_child, 0});
  while (!stack.empty()) {
    Level& top = stack.back();
    const Node* n = top.next;
    size_t depth = top.depth;
    if (n == nullptr) {
      stack.pop_back();
      continue;
    }
    top.next = n->next_sibling;
    dump_node(doc, n, depth, out);
    if (n->template_content != nullptr && n->template_content->first_child != nullptr) {
      stack.push_back({n->template_content->first_child, depth + 2});
    } else if (n->first_child != nullptr) {
      stack.push_back({n->first_child, depth + 1});
    }
  }
  return out;
}

std::string dump_tree(const Document& doc) {
  return dump_children(doc, doc.root());
}

}  // namespace riptide::html
