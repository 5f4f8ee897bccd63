#pragma once

#include <string>

#include "html/dom.h"

namespace riptide::html {

// The html5lib-tests tree format ("#document" sections): one node per line, "| " then two spaces
// per depth level; elements as <name> (<svg name>/<math name> for foreign ones), attributes on
// their own lines one level deeper, sorted by name, as name="value" (xlink href="…" when
// namespaced); text as "text"; comments as <!-- text -->; a doctype as <!DOCTYPE name> or
// <!DOCTYPE name "public" "system">; a template's contents under a "content" line. Iterative.
// Every line ends in '\n'.
std::string dump_tree(const Document& doc);

// The children of `parent` at depth 0 (for fragments: the children of the <html> element).
std::string dump_children(const Document& doc, const Node* parent);

}  // namespace riptide::html
