#include "html/parser.h"

#include <string>

#include "core/limits.h"
#include "html/tree_builder.h"

namespace riptide::html {

namespace {

Status too_large(size_t bytes) {
  return Error(ErrorCode::kResourceLimit, "HTML input of " + std::to_string(bytes) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limits::kMaxHtmlBytes) + " bytes");
}

}  // namespace

Parser::Parser(ParseOptions options)
    : options_(options), builder_(std::make_unique<TreeBuilder>(options)) {}

Parser::~Parser() = default;

Status Parser::parse(std::string_view utf8, Document& doc) {
  doc.clear();
  if (utf8.size() > limits::kMaxHtmlBytes) return too_large(utf8.size());
  builder_->build(utf8, doc);
  return Status::ok_status();
}

Status Parser::parse_fragment(std::string_view utf8, std::string_view context_name,
                              Namespace context_ns, Document& doc) {
  doc.clear();
  if (utf8.size() > limits::kMaxHtmlBytes) return too_large(utf8.size());
  builder_->build_fragment(utf8, context_name, context_ns, doc);
  return Status::ok_status();
}

Document parse_document(std::string_view utf8) {
  Document doc;
  Parser parser;
  // The only failure is oversized input; the caller then gets an empty document.
  (void)parser.parse(utf8, doc);
  return doc;
}

}  // namespace riptide::html
