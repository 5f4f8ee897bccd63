#include "html/serializer.h"

#include <vector>

namespace riptide::html {

namespace {

void escape(std::string_view s, bool attribute, std::string& out) {
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char* rep = nullptr;
    size_t skip = 1;
    switch (s[i]) {
      case '&':
        rep = "&amp;";
        break;
      case '<':
        rep = "&lt;";
        break;
      case '>':
        rep = "&gt;";
        break;
      case '"':
        if (attribute) rep = "&quot;";
        break;
      case '\xC2':
        // U+00A0 NO-BREAK SPACE is C2 A0 in UTF-8.
        if (i + 1 < s.size() && s[i + 1] == '\xA0') {
          rep = "&nbsp;";
          skip = 2;
        }
        break;
      default:
        break;
    }
    if (rep == nullptr) continue;
    out.append(s.data() + run, i - run);
    out.append(rep);
    i += skip - 1;
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

bool is_raw_text_parent(const Node* parent) {
  if (parent == nullptr || parent->type != NodeType::kElement || parent->ns != Namespace::kHtml) {
    return false;
  }
  switch (parent->tag) {
    case Tag::kStyle:
    case Tag::kScript:
    case Tag::kXmp:
    case Tag::kIframe:
    case Tag::kNoembed:
    case Tag::kNoframes:
    case Tag::kPlaintext:
      return true;
    default:
      return false;
  }
}

void start_tag(const Node* n, std::string& out) {
  out.push_back('<');
  out.append(n->name);
  for (uint32_t i = 0; i < n->attr_count; ++i) {
    const Attribute& a = n->attrs[i];
    out.push_back(' ');
    switch (a.ns) {
      case AttrNamespace::kNone:
        break;
      case AttrNamespace::kXml:
        out.append("xml:");
        break;
      case AttrNamespace::kXlink:
        out.append("xlink:");
        break;
      case AttrNamespace::kXmlns:
        if (a.name != "xmlns") out.append("xmlns:");
        break;
    }
    out.append(a.name);
    out.append("=\"");
    escape(a.value, true, out);
    out.push_back('"');
  }
  out.push_back('>');
}

const Node* children_of(const Node* n) {
  if (n->template_content != nullptr) return n->template_content->first_child;
  return n->first_child;
}

// Serializes the sibling chain starting at `first`, whose parent is `parent`.
void serialize_children(const Node* parent, const Node* first, std::string& out) {
  std::vector<const Node*> open;  // elements whose end tag is pending
  const Node* n = first;
  const Node* n_parent = parent;
  while (n != nullptr) {
    bool descended = false;
    switch (n->type) {
      case NodeType::kElement: {
        start_tag(n, out);
        if (is_void_element(n)) break;
        const Node* child = children_of(n);
        if (child != nullptr) {
          open.push_back(n);
          n_parent = n;
          n = child;
          descended = true;
          break;
        }
        out.append("</");
        out.append(n->name);
        out.push_back('>');
        break;
      }
      case NodeType::kText:
        if (is_raw_text_parent(n_parent)) {
          out.append(n->data);
        } else {
          escape(n->data, false, out);
        }
        break;
      case NodeType::kComment:
        out.append("<!--");
        out.append(n->data);
        out.append("-->");
        break;
      case NodeType::kDoctype:
        out.append("<!DOCTYPE ");
        out.append(n->name);
        out.push_back('>');
        break;
      case NodeType::kDocument:
      case NodeType::kFragment:
        break;
    }
    if (descended) continue;
    while (n != nullptr && n->next_sibling == nullptr) {
      if (open.empty()) {
        n = nullptr;
        break;
      }
      n = open.back();
      open.pop_back();
      n_parent = open.empty() ? parent : open.back();
      out.append("</");
      out.append(n->name);
      out.push_back('>');
    }
    if (n != nullptr) n = n->next_sibling;
  }
}

}  // namespace

bool is_void_element(const Node* n) {
  if (n->type != NodeType::kElement || n->ns != Namespace::kHtml) return false;
  switch (n->tag) {
    case Tag::kArea:
    case Tag::kBase:
    case Tag::kBasefont:
    case Tag::kBgsound:
    case Tag::kBr:
    case Tag::kCol:
    case Tag::kEmbed:
    case Tag::kFrame:
    case Tag::kHr:
    case Tag::kImg:
    case Tag::kInput:
    case Tag::kKeygen:
    case Tag::kLink:
    case Tag::kMeta:
    case Tag::kParam:
    case Tag::kSource:
    case Tag::kTrack:
    case Tag::kWbr:
      return true;
    default:
      return false;
  }
}

void append_inner_html(const Node* node, std::string& out) {
  if (node->type == NodeType::kElement && is_void_element(node)) return;
  serialize_children(node, children_of(node), out);
}

std::string inner_html(const Node* node) {
  std::string out;
  append_inner_html(node, out);
  return out;
}

void append_outer_html(const Node* node, std::string& out) {
  if (node->type == NodeType::kDocument || node->type == NodeType::kFragment) {
    append_inner_html(node, out);
    return;
  }
  // A one-node chain: serialize `node` as if it were its parent's only child.
  Node copy = *node;
  copy.next_sibling = nullptr;
  serialize_children(node->parent, &copy, out);
}

std::string outer_html(const Node* node) {
  std::string out;
  append_outer_html(node, out);
  return out;
}

}  // namespace riptide::html
