#include "html/dom.h"

namespace riptide::html {

Node* Node::first_element_child() const {
  for (Node* c = first_child; c != nullptr; c = c->next_sibling) {
    if (c->is_element()) return c;
  }
  return nullptr;
}

Node* Node::next_element_sibling() const {
  for (Node* c = next_sibling; c != nullptr; c = c->next_sibling) {
    if (c->is_element()) return c;
  }
  return nullptr;
}

Node* Node::prev_element_sibling() const {
  for (Node* c = prev_sibling; c != nullptr; c = c->prev_sibling) {
    if (c->is_element()) return c;
  }
  return nullptr;
}

void append_text_content(const Node* node, std::string& out) {
  if (node->type == NodeType::kText) {
    out.append(node->data);
    return;
  }
  for (const Node* n = node->first_child; n != nullptr; n = next_in_subtree(n, node)) {
    if (n->type == NodeType::kText) out.append(n->data);
  }
}

std::string text_content(const Node* node) {
  std::string out;
  append_text_content(node, out);
  return out;
}

std::string LimitReport::describe() const {
  std::string out;
  auto add = [&out](const char* s) {
    if (!out.empty()) out += "; ";
    out += s;
  };
  if (depth_limited) add("DOM depth limit reached: deeper elements were attached at the limit");
  if (node_limited) add("node limit reached: further nodes were dropped");
  if (attributes_limited) add("attribute limit reached: further attributes were dropped");
  return out;
}

Document::Document() : arena_(std::make_unique<Arena>()) {
  root_ = create_node(NodeType::kDocument);
}

Node* Document::create_node(NodeType type) {
  Node* n = arena_->make<Node>();
  n->type = type;
  ++node_count;
  return n;
}

Node* Document::create_element(Tag tag, std::string_view name, Namespace ns) {
  Node* n = create_node(NodeType::kElement);
  n->tag = tag;
  n->ns = ns;
  n->name = name;
  return n;
}

Node* Document::create_text(std::string_view text) {
  Node* n = create_node(NodeType::kText);
  n->data = arena_->copy(text);
  return n;
}

Node* Document::create_comment(std::string_view text) {
  Node* n = create_node(NodeType::kComment);
  n->data = arena_->copy(text);
  return n;
}

void Document::clear() {
  arena_->reset();
  node_count = 0;
  parse_error_count = 0;
  limits = {};
  quirks_mode = QuirksMode::kNoQuirks;
  doctype_public_id = doctype_system_id = {};
  doctype_has_public_id = doctype_has_system_id = false;
  root_ = create_node(NodeType::kDocument);
}

Node* Document::html_element() const {
  for (Node* c = root_->first_child; c != nullptr; c = c->next_sibling) {
    if (c->is(Tag::kHtml)) return c;
  }
  return nullptr;
}

Node* Document::head() const {
  Node* html = html_element();
  if (html == nullptr) return nullptr;
  for (Node* c = html->first_child; c != nullptr; c = c->next_sibling) {
    if (c->is(Tag::kHead)) return c;
  }
  return nullptr;
}

Node* Document::body() const {
  Node* html = html_element();
  if (html == nullptr) return nullptr;
  for (Node* c = html->first_child; c != nullptr; c = c->next_sibling) {
    if (c->is(Tag::kBody) || c->is(Tag::kFrameset)) return c;
  }
  return nullptr;
}

std::string Document::title() const {
  for (Node* n = root_->first_child; n != nullptr; n = next_in_subtree(n, root_)) {
    if (n->is(Tag::kTitle)) return text_content(n);
    if (n->type == NodeType::kElement && n->ns == Namespace::kSvg && n->name == "title") continue;
  }
  return {};
}

void append_child(Node* parent, Node* child) {
  insert_before(parent, child, nullptr);
}

void insert_before(Node* parent, Node* child, Node* reference) {
  if (child->parent != nullptr) remove_node(child);
  child->parent = parent;
  if (reference == nullptr) {
    child->prev_sibling = parent->last_child;
    child->next_sibling = nullptr;
    if (parent->last_child != nullptr) {
      parent->last_child->next_sibling = child;
    } else {
      parent->first_child = child;
    }
    parent->last_child = child;
    return;
  }
  child->next_sibling = reference;
  child->prev_sibling = reference->prev_sibling;
  if (reference->prev_sibling != nullptr) {
    reference->prev_sibling->next_sibling = child;
  } else {
    parent->first_child = child;
  }
  reference->prev_sibling = child;
}

void remove_node(Node* node) {
  Node* parent = node->parent;
  if (parent == nullptr) return;
  if (node->prev_sibling != nullptr) {
    node->prev_sibling->next_sibling = node->next_sibling;
  } else {
    parent->first_child = node->next_sibling;
  }
  if (node->next_sibling != nullptr) {
    node->next_sibling->prev_sibling = node->prev_sibling;
  } else {
    parent->last_child = node->prev_sibling;
  }
  node->parent = node->prev_sibling = node->next_sibling = nullptr;
}

}  // namespace riptide::html
