#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "html/dom.h"
#include "html/tag.h"

// CSS selectors (a Selectors Level 4 subset) compiled once and matched against the DOM.
//
// Supported: type and universal selectors, #id, .class, attribute selectors ([a], =, ~=, |=, ^=,
// $=, *= with the i/s flags), the descendant, child, next-sibling and subsequent-sibling
// combinators, and the pseudo-classes :not() :is() :where() :has() :first-child :last-child
// :only-child :nth-child(An+B [of S]) :nth-last-child() :nth-of-type() :nth-last-of-type()
// :first-of-type :last-of-type :only-of-type :empty :root :scope. Unsupported syntax (namespace
// prefixes, pseudo-elements, dynamic pseudo-classes such as :hover) is a parse error, never
// silently ignored, because a selector that quietly matches nothing is worse than an error for
// the people writing extraction rules; for the same reason :is() and :where() take strict, not
// forgiving, lists. Class and id matching is case-sensitive unless MatchOptions says the document
// is in quirks mode.
//
// Cost: matching never recurses over the DOM. select_all walks the tree once and keeps small
// fixed-size caches for that walk, so :nth-*(An+B) and '~' stay linear over long sibling lists.
// Still proportional to the tree they search: :has() walks the anchor's subtree (or following
// siblings) per candidate, and descendant combinators walk ancestors (bounded by the parser's
// limits::kMaxDomDepth).
namespace riptide::html {

class SelectorList;

// Selectors 4, 16 "Combinators". kNone marks the leftmost compound (or, on a relative selector
// inside :has(), the absence of a leading combinator, which means descendant).
enum class Combinator : uint8_t { kNone, kDescendant, kChild, kNextSibling, kSubsequentSibling };

// One complex selector ("div > p.note"), compiled right to left: compound 0 is the subject.
// Self-contained: nested selector lists (:not, :is, :has, "of S") are owned by it.
class Selector {
 public:
  enum class Kind : uint8_t {
    kType,           // name_/lower_name_ + tag
    kId,             // value
    kClass,          // value
    kAttrExists,     // [name]
    kAttrEquals,     // [name=value]
    kAttrIncludes,   // [name~=value]
    kAttrDash,       // [name|=value]
    kAttrPrefix,     // [name^=value]
    kAttrSuffix,     // [name$=value]
    kAttrSubstring,  // [name*=value]
    kNthChild,       // a, b, optional nested "of S"
    kNthLastChild,
    kNthOfType,
    kNthLastOfType,
    kEmpty,
    kRoot,
    kScope,
    kHasAnchor,  // the element :has() is evaluated for; leftmost compound of a relative selector
    kNot,        // nested list
    kIs,         // nested list (also :where; specificity is not tracked)
    kHas,        // nested list of relative selectors
  };
  // How an attribute value is compared: per the HTML attribute's rules, or forced by a flag.
  enum class CaseMode : uint8_t { kDefault, kInsensitive, kSensitive };

  // One simple selector. Strings are (offset, length) into the owning Selector's text pool so
  // a Selector can be moved freely.
  struct Simple {
    Kind kind = Kind::kType;
    CaseMode case_mode = CaseMode::kDefault;
    Tag tag = Tag::kUnknown;    // kType: interned lower-case name, kUnknown if not interned
    uint32_t name_offset = 0;   // kType / attributes: name as written
    uint32_t lower_offset = 0;  // kType / attributes: ASCII lower-cased name
    uint32_t name_length = 0;   // both names have the same length
    uint32_t value_offset = 0;  // id / class / attribute value
    uint32_t value_length = 0;
    // Attribute selector without a flag whose name is one of the HTML attributes whose values
    // are compared ASCII case-insensitively on HTML elements (HTML 4.16.2 "Case-sensitivity").
    bool html_case_insensitive = false;
    int32_t a = 0;  // An+B
    int32_t b = 0;
    uint32_t nested = kNoNested;  // index into nested_ lists
  };
  // A run of simple selectors with the combinator that links it to the compound on its left.
  struct Compound {
    uint32_t first = 0;  // into simples_
    uint32_t count = 0;
    Combinator left = Combinator::kNone;
  };
  static constexpr uint32_t kNoNested = UINT32_MAX;

  Selector();
  ~Selector();
  Selector(Selector&&) noexcept;
  Selector& operator=(Selector&&) noexcept;
  Selector(const Selector&) = delete;
  Selector& operator=(const Selector&) = delete;

  const std::vector<Compound>& compounds() const { return compounds_; }
  const std::vector<Simple>& simples() const { return simples_; }
  const SelectorList& nested(uint32_t index) const;
  // Leading combinator of a relative selector (inside :has); kNone for ordinary selectors.
  Combinator leading() const { return leading_; }

  std::string_view name(const Simple& s) const {
    return {text_.data() + s.name_offset, s.name_length};
  }
  std::string_view lower_name(const Simple& s) const {
    return {text_.data() + s.lower_offset, s.name_length};
  }
  std::string_view value(const Simple& s) const {
    return {text_.data() + s.value_offset, s.value_length};
  }

 private:
  friend class SelectorParser;

  std::vector<Compound> compounds_;  // right to left
  std::vector<Simple> simples_;
  std::vector<SelectorList> nested_;
  std::string text_;
  Combinator leading_ = Combinator::kNone;
};

// A comma-separated list of selectors; an element matches the list if it matches any of them.
class SelectorList {
 public:
  SelectorList();
  ~SelectorList();
  SelectorList(SelectorList&&) noexcept;
  SelectorList& operator=(SelectorList&&) noexcept;
  SelectorList(const SelectorList&) = delete;
  SelectorList& operator=(const SelectorList&) = delete;

  const std::vector<Selector>& selectors() const { return selectors_; }
  size_t size() const { return selectors_.size(); }

 private:
  friend class SelectorParser;
  std::vector<Selector> selectors_;
};

// Parses a selector list. Errors are kInvalidArgument with a message naming the problem and
// its byte offset in `text` ("unexpected ')' at 12", "unknown pseudo-class :hover at 3"), or
// kResourceLimit for text longer than limits::kMaxSelectorBytes or :not/:is/:where/:has/"of S"
// nesting deeper than limits::kMaxSelectorNesting.
Result<SelectorList> parse_selector_list(std::string_view text);

// How the document's mode affects matching. In quirks mode class and id selectors match ASCII
// case-insensitively (Selectors 4, 6.6/6.7; HTML "quirks mode" note), as browsers do for pages
// without a doctype.
struct MatchOptions {
  bool quirks_mode = false;
  static MatchOptions for_document(const Document& doc) {
    return MatchOptions{doc.quirks_mode == QuirksMode::kQuirks};
  }
};

// True if `element` matches the selector (or any selector of the list). Non-elements never
// match. :scope matches the document's root element here. Iterative over the DOM: safe for
// any tree depth.
bool matches(const Selector& selector, const Node* element, const MatchOptions& options = {});
bool matches(const SelectorList& list, const Node* element, const MatchOptions& options = {});

// Every element strictly inside `root` (not `root` itself) that matches `list`, in document
// order, without duplicates, like querySelectorAll: combinators may still look at ancestors
// and siblings outside `root`, and :scope matches `root` when it is an element. Template
// contents are not searched.
std::vector<Node*> select_all(const SelectorList& list, Node* root,
                              const MatchOptions& options = {});
// The first element select_all would return, or null.
Node* select_first(const SelectorList& list, Node* root, const MatchOptions& options = {});

}  // namespace riptide::html
