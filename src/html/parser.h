#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "html/dom.h"

namespace riptide::html {

struct ParseOptions {
  // The scripting flag (13.2.4.x): with scripting on, <noscript> content is raw text.
  // riptide never runs scripts, so extraction parses with scripting off (the default).
  bool scripting = false;
};

class TreeBuilder;

// Parses whole documents and fragments (WHATWG HTML 13.2.6 tree construction). Reuse one Parser
// across documents to keep its buffers warm. Not thread-safe; use one per thread.
class Parser {
 public:
  explicit Parser(ParseOptions options = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Parses `utf8` into `doc` (which is cleared first). HTML parsing never fails on content;
  // the only error is input larger than limits::kMaxHtmlBytes (kResourceLimit). Limits hit while
  // building the tree are reported in doc.limits.
  Status parse(std::string_view utf8, Document& doc);

  // The HTML fragment parsing algorithm (13.4) with a context element `context_name` in
  // namespace `context_ns`. The resulting nodes are the children of doc.root()'s <html> element,
  // as in the html5lib-tests "#document-fragment" format.
  Status parse_fragment(std::string_view utf8, std::string_view context_name, Namespace context_ns,
                        Document& doc);

 private:
  ParseOptions options_;
  std::unique_ptr<TreeBuilder> builder_;
};

// Convenience: parse a whole document with default options.
Document parse_document(std::string_view utf8);

}  // namespace riptide::html
