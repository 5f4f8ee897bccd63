#pragma once

#include <string>

#include "html/dom.h"

namespace riptide::extract {

// The text a reader sees in the subtree at `root`: scripts, styles, templates, <head> content and
// hidden elements (the `hidden` attribute, aria-hidden="true", inline display:none) are skipped;
// whitespace collapses as in CSS normal flow except inside <pre>/<textarea>; block elements
// separate paragraphs with a blank line, <br> and table rows end a line. Iterative, so any DOM
// depth is safe.
std::string visible_text(const html::Node* root);

// Whether an element is never rendered or explicitly hidden.
bool is_hidden(const html::Node* element);

// Whether an element starts a new block (paragraph break before and after).
bool is_block(const html::Node* element);

}  // namespace riptide::extract
