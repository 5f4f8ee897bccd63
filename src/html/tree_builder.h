#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "html/dom.h"
#include "html/parser.h"
#include "html/tokenizer.h"

namespace riptide::html {

// 13.2.4.1 The insertion mode. "in select" and "in select in table" are gone: since the
// customizable-<select> parser change (whatwg/html#10557) <select> content is parsed "in body",
// which is what the html5lib-tests snapshot in ../shared expects.
enum class InsertionMode : uint8_t {
  kInitial,
  kBeforeHtml,
  kBeforeHead,
  kInHead,
  kInHeadNoscript,
  kAfterHead,
  kInBody,
  kText,
  kInTable,
  kInTableText,
  kInCaption,
  kInColumnGroup,
  kInTableBody,
  kInRow,
  kInCell,
  kInTemplate,
  kAfterBody,
  kInFrameset,
  kAfterFrameset,
  kAfterAfterBody,
  kAfterAfterFrameset,
};

// The tree construction stage (WHATWG HTML 13.2.6): drives the tokenizer and builds a Document.
// One TreeBuilder is reused across documents (its stacks and buffers stay allocated). Everything
// is iterative; the open-element stack and the list of active formatting elements are bounded
// (limits::kMaxDomDepth, limits::kMaxActiveFormattingElements) so hostile input costs linear time.
class TreeBuilder {
 public:
  explicit TreeBuilder(ParseOptions options) : options_(options) {}

  // Builds `doc` (already cleared) from `input`.
  void build(std::string_view input, Document& doc);
  // 13.4 The HTML fragment parsing algorithm; the nodes become children of the <html> element.
  void build_fragment(std::string_view input, std::string_view context_name, Namespace context_ns,
                      Document& doc);

 private:
  struct InsertPos {
    Node* parent = nullptr;
    Node* before = nullptr;  // null: append
  };
  enum class Scope : uint8_t { kDefault, kListItem, kButton, kTable, kSelect };

  void start(std::string_view input, Document& doc);
  void run();
  void finish();
  void fill_selectedcontent();

  // Dispatch (13.2.6 tree construction dispatcher).
  void dispatch(Token& t);
  void process(Token& t);  // by the current insertion mode
  bool bypass_at_depth_limit(Token& t);

  // Insertion modes (13.2.6.4.x).
  void initial(Token& t);
  void before_html(Token& t);
  void before_head(Token& t);
  void in_head(Token& t);
  void in_head_noscript(Token& t);
  void after_head(Token& t);
  void in_body(Token& t);
  void in_body_start(Token& t);
  void in_body_end(Token& t);
  void in_body_characters(std::string_view s);
  void text_mode(Token& t);
  void in_table(Token& t);
  void in_table_anything_else(Token& t);
  void in_table_text(Token& t);
  void in_caption(Token& t);
  void in_column_group(Token& t);
  void in_table_body(Token& t);
  void in_row(Token& t);
  void in_cell(Token& t);
  void in_template(Token& t);
  void after_body(Token& t);
  void in_frameset(Token& t);
  void after_frameset(Token& t);
  void after_after_body(Token& t);
  void after_after_frameset(Token& t);
  void foreign_content(Token& t);  // 13.2.6.5

  // Tree helpers.
  Node* adjusted_current_node() const;
  Node* current() const { return open_.back(); }
  InsertPos appropriate_place(Node* override_target = nullptr) const;
  Node* create_element(const Token& t, Namespace ns);
  Node* clone_element(const Node* n);
  void insert_at(InsertPos pos, Node* node);
  Node* insert_html(const Token& t);  // "insert an HTML element"; sets pushed_
  Node* insert_void(const Token& t);  // insert and immediately pop
  Node* insert_synthetic(Tag tag);    // insert an element for a start tag with no attributes
  Node* insert_foreign(const Token& t, Namespace ns);
  bool push(Node* n);
  void insert_text(std::string_view s);
  void append_text(Node* text, std::string_view s);
  void insert_comment(const Token& t, Node* parent);
  void generic_text_element(const Token& t, TokenizerState state);
  void add_missing_attributes(Node* target, const Token& t);

  // Stack of open elements (13.2.4.3).
  static bool is_scope_boundary(const Node* n, Scope scope);
  bool in_scope(Tag tag, Scope scope) const;
  bool node_in_scope(const Node* node, Scope scope) const;
  bool heading_in_scope() const;
  bool table_body_in_table_scope() const;
  bool template_on_stack() const;
  int stack_index(const Node* n) const;
  void pop() {
    if (open_.size() > 1) open_.pop_back();
  }
  void pop_until(Tag tag);
  void pop_until_heading();
  void pop_to_index(size_t index);  // pops open_[index] and everything above it
  void remove_from_stack(const Node* n);
  void generate_implied_end_tags(Tag except = Tag::kUnknown);
  void generate_all_implied_end_tags();
  void close_p();
  void clear_to_table_context();
  void clear_to_table_body_context();
  void clear_to_row_context();
  void close_cell();
  void reset_insertion_mode();

  // List of active formatting elements (13.2.4.3); null entries are markers.
  void push_formatting(Node* n);
  void push_marker() { afe_.push_back(nullptr); }
  void clear_formatting_to_marker();
  void reconstruct_formatting();
  int formatting_index(const Node* n) const;
  bool adoption_agency(const Token& t);  // false: act as "any other end tag"
  void any_other_end_tag(const Token& t);

  ParseOptions options_;
  Tokenizer tokenizer_;
  Document* doc_ = nullptr;
  InsertionMode mode_ = InsertionMode::kInitial;
  InsertionMode original_mode_ = InsertionMode::kInitial;
  std::vector<InsertionMode> template_modes_;
  std::vector<Node*> open_;
  std::vector<Node*> afe_;
  Node* head_ = nullptr;
  Node* form_ = nullptr;
  Node* context_ = nullptr;  // fragment case only
  bool frameset_ok_ = true;
  bool foster_parenting_ = false;
  bool pushed_ = false;        // whether the last insert_html() pushed its element
  bool skip_newline_ = false;  // after <pre>, <listing>, <textarea>
  bool stopped_ = false;
  bool saw_selectedcontent_ = false;
  uint32_t errors_ = 0;

  // 13.2.6.4.10 "in table text": the pending table character tokens.
  std::string pending_text_;
  bool pending_non_space_ = false;

  // Growable text nodes: capacity of a node's data buffer when larger than its size, so that
  // appending stays amortized O(1) even when appends alternate between text nodes.
  Node* grow_node_ = nullptr;
  size_t grow_cap_ = 0;
  std::unordered_map<Node*, size_t> grow_caps_;
  std::string scratch_;
};

}  // namespace riptide::html
