#pragma once

#include <string>

#include "html/dom.h"

namespace riptide::html {

// HTML serialization (WHATWG HTML 13.3 "Serializing HTML fragments"). Iterative, so any depth is
// safe. Text is escaped (&, U+00A0, <, >) except inside raw-text elements (style, script, xmp,
// iframe, noembed, noframes, plaintext); attribute values escape &, U+00A0, ", <, >. Void
// elements get no end tag; a <template> serializes its content fragment.

// The node's children (innerHTML). For a template, its content's children.
void append_inner_html(const Node* node, std::string& out);
std::string inner_html(const Node* node);

// The node itself and its subtree (outerHTML). A document or fragment serializes its children.
void append_outer_html(const Node* node, std::string& out);
std::string outer_html(const Node* node);

// True for the void elements of 13.1.2 (area, br, img, …), which have no end tag.
bool is_void_element(const Node* node);

}  // namespace riptide::html
