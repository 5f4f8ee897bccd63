// Selector matching, right to left. Nothing here recurses over the DOM: combinators walk parent
// and sibling links in loops, backtracking uses an explicit stack, and :has() walks subtrees with
// next_in_subtree. The only recursion is into nested selector lists (:not/:is/:has/"of S"), whose
// depth the parser bounds by limits::kMaxSelectorNesting.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "html/selector.h"

namespace riptide::html {

namespace {

using Kind = Selector::Kind;

// Remembers recently computed sibling indices during one select_all/select_first walk, so that
// :nth-child(2n) and friends over a long list of siblings cost O(1) per element instead of a walk
// over all earlier siblings (which made a page with 100,000 <li> quadratic). Direct-mapped by
// parent: fixed size, no allocation; a miss only costs the plain walk.
class NthCache {
 public:
  struct Entry {
    const Node* parent = nullptr;
    const Node* element = nullptr;
    int64_t index = 0;
    Kind kind = Kind::kType;
  };
  Entry& slot(const Node* parent, Kind kind) {
    auto h = reinterpret_cast<uintptr_t>(parent) >> 4;
    h ^= static_cast<uintptr_t>(kind) * 0x9e37u;
    return entries_[(h ^ (h >> 7)) & (kSlots - 1)];
  }

 private:
  static constexpr size_t kSlots = 64;
  Entry entries_[kSlots];
};

// Remembers, during one select_all/select_first walk, what is known about runs of siblings for
// the part of a selector left of a '~' combinator: either "every candidate from `from` back to
// the first sibling fails" or "some candidate from `from` backwards matches". Without it, "p ~ li"
// or "h2 ~ li" over 100,000 <li> re-walks all earlier siblings for each one (quadratic). Valid
// because whether a candidate starts a match of compounds index+1.. depends only on the
// candidate, not on the element that led to it.
class SiblingMemo {
 public:
  enum class Known : uint8_t { kNothing, kAllFail, kSomeMatch };
  Known lookup(const Selector* sel, uint32_t index, const Node* candidate) {
    const Entry& e = slot(sel, index, candidate->parent);
    if (e.from != candidate || e.sel != sel || e.index != index) return Known::kNothing;
    return e.known;
  }
  void record(const Selector* sel, uint32_t index, const Node* from, Known known) {
    slot(sel, index, from->parent) = Entry{sel, from, index, known};
  }

 private:
  struct Entry {
    const Selector* sel = nullptr;
    const Node* from = nullptr;
    uint32_t index = 0;
    Known known = Known::kNothing;
  };
  Entry& slot(const Selector* sel, uint32_t index, const Node* parent) {
    auto h = (reinterpret_cast<uintptr_t>(parent) >> 4) ^ (reinterpret_cast<uintptr_t>(sel) >> 3);
    h ^= index * 0x9e37u;
    return entries_[(h ^ (h >> 7)) & (kSlots - 1)];
  }
  static constexpr size_t kSlots = 64;
  Entry entries_[kSlots];
};

struct MatchContext {
  const Node* scope = nullptr;    // what :scope matches; null means the root element
  const Node* anchor = nullptr;   // the element the innermost :has() is evaluated for
  bool quirks = false;            // class and id compare ASCII case-insensitively
  NthCache* nth_cache = nullptr;  // only while walking a tree that does not change
  // Same, and only outside :has(), where results also depend on the anchor.
  SiblingMemo* sibling_memo = nullptr;
};

bool match_list(const SelectorList& list, const Node* e, const MatchContext& ctx);
bool match_selector(const Selector& sel, const Node* e, const MatchContext& ctx);

bool equals(std::string_view a, std::string_view b, bool ci) {
  return ci ? str::iequals(a, b) : a == b;
}

bool starts_with(std::string_view s, std::string_view prefix, bool ci) {
  return ci ? str::istarts_with(s, prefix) : s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix, bool ci) {
  return ci ? str::iends_with(s, suffix)
            : s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(std::string_view s, std::string_view needle, bool ci) {
  return ci ? str::icontains(s, needle) : s.find(needle) != std::string_view::npos;
}

// True if the whitespace-separated list `list` contains `word` (6.6 class selectors, 6.1 ~=).
bool contains_word(std::string_view list, std::string_view word, bool ci) {
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && str::is_html_space(list[i])) ++i;
    size_t start = i;
    while (i < list.size() && !str::is_html_space(list[i])) ++i;
    if (i > start && equals(list.substr(start, i - start), word, ci)) return true;
  }
  return false;
}

// Attribute with no namespace named `name` (already in the element's case).
const Attribute* find_attr(const Node* e, std::string_view name) {
  for (uint32_t i = 0; i < e->attr_count; ++i) {
    const Attribute& a = e->attrs[i];
    if (a.ns == AttrNamespace::kNone && a.name == name) return &a;
  }
  return nullptr;
}

// 6.1 / 6.2: attribute presence and value selectors. Selector attribute names are ASCII
// case-insensitive on HTML elements (whose attribute names the parser lower-cases) and
// case-sensitive on foreign ones ("viewBox").
bool match_attribute(const Selector& sel, const Selector::Simple& s, const Node* e) {
  bool html = e->ns == Namespace::kHtml;
  const Attribute* attr = find_attr(e, html ? sel.lower_name(s) : sel.name(s));
  if (attr == nullptr) return false;
  if (s.kind == Kind::kAttrExists) return true;
  bool ci = s.case_mode == Selector::CaseMode::kInsensitive ||
            (s.case_mode == Selector::CaseMode::kDefault && s.html_case_insensitive && html);
  std::string_view v = attr->value;
  std::string_view want = sel.value(s);
  switch (s.kind) {
    case Kind::kAttrEquals:
      return equals(v, want, ci);
    case Kind::kAttrIncludes:
      // "[att~=val]": never matches an empty value or one containing whitespace.
      for (char c : want) {
        if (str::is_html_space(c)) return false;
      }
      return !want.empty() && contains_word(v, want, ci);
    case Kind::kAttrDash:
      return equals(v, want, ci) ||
             (v.size() > want.size() && v[want.size()] == '-' && starts_with(v, want, ci));
    case Kind::kAttrPrefix:
      return !want.empty() && starts_with(v, want, ci);
    case Kind::kAttrSuffix:
      return !want.empty() && ends_with(v, want, ci);
    case Kind::kAttrSubstring:
      return !want.empty() && contains(v, want, ci);
    default:
      return false;
  }
}

// 5.1 "Type selectors": ASCII case-insensitive for HTML elements (the tree holds their names in
// lower case), case-sensitive for SVG and MathML ("foreignObject").
bool match_type(const Selector& sel, const Selector::Simple& s, const Node* e) {
  if (e->ns == Namespace::kHtml) {
    if (s.tag != Tag::kUnknown && e->tag != Tag::kUnknown) return s.tag == e->tag;
    return e->name == sel.lower_name(s);
  }
  return e->name == sel.name(s);
}

bool same_type(const Node* a, const Node* b) {
  return a->tag == b->tag && a->ns == b->ns && a->name == b->name;
}

// 14.3 "Child-indexed pseudo-classes": is there an n >= 0 with a*n + b == index?
bool nth_matches(int64_t a, int64_t b, int64_t index) {
  if (a == 0) return index == b;
  int64_t diff = index - b;
  return diff % a == 0 && diff / a >= 0;
}

// 1-based position of `e` among its qualifying siblings (element siblings, of its type for the
// of-type kinds), counted from the end for the "last" kinds, using and updating the cache: a
// cached earlier sibling of the same kind (and type) lets the walk stop there.
int64_t cached_sibling_index(const Node* e, Kind kind, NthCache& cache) {
  bool backward = kind == Kind::kNthLastChild || kind == Kind::kNthLastOfType;
  bool of_type = kind == Kind::kNthOfType || kind == Kind::kNthLastOfType;
  NthCache::Entry& entry = cache.slot(e->parent, kind);
  if (entry.element == e && entry.kind == kind) return entry.index;
  const Node* hint = nullptr;
  if (entry.parent == e->parent && entry.kind == kind && entry.element != nullptr &&
      (!of_type || same_type(entry.element, e))) {
    hint = entry.element;
  }
  int64_t between = 0;  // qualifying siblings between the hint (or the start) and e
  bool found = false;
  for (const Node* sib = e->prev_sibling; sib != nullptr; sib = sib->prev_sibling) {
    if (sib == hint) {
      found = true;
      break;
    }
    if (sib->is_element() && (!of_type || same_type(sib, e))) ++between;
  }
  int64_t index;
  if (!backward) {
    index = found ? entry.index + between + 1 : between + 1;
  } else if (found) {
    index = entry.index - between - 1;
  } else {
    index = 1;
    for (const Node* sib = e->next_sibling; sib != nullptr; sib = sib->next_sibling) {
      if (sib->is_element() && (!of_type || same_type(sib, e))) ++index;
    }
  }
  entry = NthCache::Entry{e->parent, e, index, kind};
  return index;
}

bool match_nth(const Selector& sel, const Selector::Simple& s, const Node* e,
               const MatchContext& ctx) {
  const SelectorList* of = s.nested != Selector::kNoNested ? &sel.nested(s.nested) : nullptr;
  if (of != nullptr && !match_list(*of, e, ctx)) return false;
  // With a > 0 every sibling may count, so the cache pays off; with a <= 0 the index can never
  // exceed b and the walk below stops there (:first-child looks at one sibling).
  if (s.a > 0 && of == nullptr && ctx.nth_cache != nullptr && e->parent != nullptr) {
    return nth_matches(s.a, s.b, cached_sibling_index(e, s.kind, *ctx.nth_cache));
  }
  bool backward = s.kind == Kind::kNthLastChild || s.kind == Kind::kNthLastOfType;
  bool of_type = s.kind == Kind::kNthOfType || s.kind == Kind::kNthLastOfType;
  int64_t limit = s.a <= 0 ? s.b : INT64_MAX;
  int64_t index = 1;
  for (const Node* sib = backward ? e->next_sibling : e->prev_sibling; sib != nullptr;
       sib = backward ? sib->next_sibling : sib->prev_sibling) {
    if (!sib->is_element()) continue;
    if (of_type && !same_type(sib, e)) continue;
    if (of != nullptr && !match_list(*of, sib, ctx)) continue;
    if (++index > limit) return false;
  }
  return nth_matches(s.a, s.b, index);
}

// 14.2 ":empty": no element children and no text (comments do not count).
bool is_empty(const Node* e) {
  for (const Node* c = e->first_child; c != nullptr; c = c->next_sibling) {
    if (c->is_element()) return false;
    if (c->is_text() && !c->data.empty()) return false;
  }
  return true;
}

bool is_root(const Node* e) {
  return e->parent != nullptr && e->parent->type == NodeType::kDocument;
}

bool is_sibling_combinator(Combinator c) {
  return c == Combinator::kNextSibling || c == Combinator::kSubsequentSibling;
}

// 4.5 ":has()": does any element reachable from `anchor` through the relative selector's leading
// combinator match it (with `anchor` as its leftmost compound)? Walks only the part of the tree
// the combinators can reach: children, descendants, following siblings, or their subtrees.
bool match_has(const SelectorList& relative, const Node* anchor, const MatchContext& outer) {
  MatchContext ctx{outer.scope, anchor, outer.quirks, outer.nth_cache, nullptr};
  for (const Selector& sel : relative.selectors()) {
    const auto& compounds = sel.compounds();
    // compounds.back() is the anchor; the one before it holds the leading combinator.
    bool later_all_siblings = true;
    for (size_t i = 0; i + 2 < compounds.size(); ++i) {
      if (!is_sibling_combinator(compounds[i].left)) later_all_siblings = false;
    }
    Combinator leading = sel.leading();
    if (leading == Combinator::kDescendant || leading == Combinator::kChild) {
      if (leading == Combinator::kChild && later_all_siblings) {
        for (const Node* c = anchor->first_child; c != nullptr; c = c->next_sibling) {
          if (c->is_element() && match_selector(sel, c, ctx)) return true;
        }
        continue;
      }
      for (const Node* n = anchor->first_child; n != nullptr; n = next_in_subtree(n, anchor)) {
        if (n->is_element() && match_selector(sel, n, ctx)) return true;
      }
      continue;
    }
    for (const Node* sib = anchor->next_sibling; sib != nullptr; sib = sib->next_sibling) {
      if (!sib->is_element()) continue;
      if (match_selector(sel, sib, ctx)) return true;
      if (later_all_siblings) continue;
      for (const Node* n = sib->first_child; n != nullptr; n = next_in_subtree(n, sib)) {
        if (n->is_element() && match_selector(sel, n, ctx)) return true;
      }
    }
  }
  return false;
}

bool match_simple(const Selector& sel, const Selector::Simple& s, const Node* e,
                  const MatchContext& ctx) {
  switch (s.kind) {
    case Kind::kType:
      return match_type(sel, s, e);
    case Kind::kId: {
      const Attribute* id = find_attr(e, "id");
      return id != nullptr && equals(id->value, sel.value(s), ctx.quirks);
    }
    case Kind::kClass: {
      const Attribute* cls = find_attr(e, "class");
      return cls != nullptr && contains_word(cls->value, sel.value(s), ctx.quirks);
    }
    case Kind::kAttrExists:
    case Kind::kAttrEquals:
    case Kind::kAttrIncludes:
    case Kind::kAttrDash:
    case Kind::kAttrPrefix:
    case Kind::kAttrSuffix:
    case Kind::kAttrSubstring:
      return match_attribute(sel, s, e);
    case Kind::kNthChild:
    case Kind::kNthLastChild:
    case Kind::kNthOfType:
    case Kind::kNthLastOfType:
      return match_nth(sel, s, e, ctx);
    case Kind::kEmpty:
      return is_empty(e);
    case Kind::kRoot:
      return is_root(e);
    case Kind::kScope:
      return ctx.scope != nullptr ? e == ctx.scope : is_root(e);
    case Kind::kHasAnchor:
      return e == ctx.anchor;
    case Kind::kNot:
      return !match_list(sel.nested(s.nested), e, ctx);
    case Kind::kIs:
      return match_list(sel.nested(s.nested), e, ctx);
    case Kind::kHas:
      return match_has(sel.nested(s.nested), e, ctx);
  }
  return false;
}

bool match_compound(const Selector& sel, const Selector::Compound& c, const Node* e,
                    const MatchContext& ctx) {
  const Selector::Simple* simples = sel.simples().data();
  for (uint32_t i = c.first; i < c.first + c.count; ++i) {
    if (!match_simple(sel, simples[i], e, ctx)) return false;
  }
  return true;
}

// The element a combinator leads to from `e` (leftwards in the selector), or null.
const Node* step(Combinator c, const Node* e) {
  if (is_sibling_combinator(c)) return e->prev_element_sibling();
  const Node* p = e->parent;
  return p != nullptr && p->is_element() ? p : nullptr;
}

// Why a partial match failed, which tells the backtracking how far to go back (the approach of
// Servo's selector matcher): a failure under a child or next-sibling combinator can only be
// retried from the nearest descendant / subsequent-sibling combinator, and running out of
// ancestors fails the whole selector, since every other candidate has the same ancestors.
enum class Outcome : uint8_t { kRestartFromSibling, kRestartFromDescendant, kFailGlobally };

struct Frame {
  uint32_t index;         // compound whose `left` combinator this frame is iterating
  const Node* candidate;  // element currently tried for compound index + 1
  const Node* first;      // the first candidate tried
};

// A stack that lives inline for typical selectors and spills to the heap for long ones.
class FrameStack {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const Frame& at(size_t k) const { return k < kInline ? inline_[k] : heap_[k - kInline]; }
  Frame& back() { return size_ <= kInline ? inline_[size_ - 1] : heap_[size_ - 1 - kInline]; }
  void push(Frame f) {
    if (size_ < kInline) {
      inline_[size_] = f;
    } else {
      heap_.push_back(f);
    }
    ++size_;
  }
  void pop() {
    if (size_ > kInline) heap_.pop_back();
    --size_;
  }

 private:
  static constexpr size_t kInline = 16;
  Frame inline_[kInline];
  std::vector<Frame> heap_;
  size_t size_ = 0;
};

bool match_selector(const Selector& sel, const Node* e, const MatchContext& ctx) {
  if (!e->is_element()) return false;
  const auto& compounds = sel.compounds();
  const auto n = static_cast<uint32_t>(compounds.size());
  // Most elements fail the subject compound; decide those before setting up backtracking.
  if (!match_compound(sel, compounds[0], e, ctx)) return false;
  if (n == 1) return true;
  SiblingMemo* memo = ctx.sibling_memo;
  FrameStack stack;
  // On success every '~' frame's run of candidates, from its first one back, holds a match.
  auto succeed = [&]() {
    if (memo != nullptr) {
      for (size_t k = 0; k < stack.size(); ++k) {
        const Frame& f = stack.at(k);
        if (compounds[f.index].left == Combinator::kSubsequentSibling) {
          memo->record(&sel, f.index, f.first, SiblingMemo::Known::kSomeMatch);
        }
      }
    }
    return true;
  };
  // What the memo knows about candidate `next` of a '~' combinator at compound `index`.
  auto known = [&sel, memo](Combinator c, uint32_t index, const Node* next) {
    if (next == nullptr || memo == nullptr || c != Combinator::kSubsequentSibling) {
      return SiblingMemo::Known::kNothing;
    }
    return memo->lookup(&sel, index, next);
  };
  uint32_t i = 0;
  const Node* el = e;
  bool known_match = true;  // compound i is already known to match el
  for (;;) {
    Outcome outcome;
    if (!known_match && !match_compound(sel, compounds[i], el, ctx)) {
      outcome = Outcome::kRestartFromSibling;
    } else if (i + 1 == n) {
      return succeed();
    } else {
      Combinator c = compounds[i].left;
      const Node* next = step(c, el);
      SiblingMemo::Known k = known(c, i, next);
      if (k == SiblingMemo::Known::kSomeMatch) return succeed();
      if (k == SiblingMemo::Known::kAllFail) next = nullptr;
      if (next != nullptr) {
        stack.push({i, next, next});
        ++i;
        el = next;
        known_match = false;
        continue;
      }
      outcome = is_sibling_combinator(c) ? Outcome::kRestartFromDescendant : Outcome::kFailGlobally;
    }
    // Unwind to the nearest frame that may try another candidate.
    for (;;) {
      if (outcome == Outcome::kFailGlobally || stack.empty()) return false;
      Frame& f = stack.back();
      Combinator c = compounds[f.index].left;
      if (c == Combinator::kNextSibling ||
          (c == Combinator::kSubsequentSibling && outcome == Outcome::kRestartFromDescendant)) {
        stack.pop();
        continue;
      }
      if (c == Combinator::kChild) {
        outcome = Outcome::kRestartFromDescendant;
        stack.pop();
        continue;
      }
      const Node* next = step(c, f.candidate);
      SiblingMemo::Known k = known(c, f.index, next);
      if (k == SiblingMemo::Known::kSomeMatch) return succeed();
      if (k == SiblingMemo::Known::kAllFail) next = nullptr;
      if (next == nullptr) {
        // Every candidate of a '~' frame failed with "restart from sibling": remember that.
        if (memo != nullptr && c == Combinator::kSubsequentSibling) {
          memo->record(&sel, f.index, f.first, SiblingMemo::Known::kAllFail);
        }
        outcome =
            is_sibling_combinator(c) ? Outcome::kRestartFromDescendant : Outcome::kFailGlobally;
        stack.pop();
        continue;
      }
      f.candidate = next;
      i = f.index + 1;
      el = next;
      break;
    }
  }
}

bool match_list(const SelectorList& list, const Node* e, const MatchContext& ctx) {
  for (const Selector& sel : list.selectors()) {
    if (match_selector(sel, e, ctx)) return true;
  }
  return false;
}

}  // namespace

bool matches(const Selector& selector, const Node* element, const MatchOptions& options) {
  return element != nullptr &&
         match_selector(selector, element, MatchContext{nullptr, nullptr, options.quirks_mode});
}

bool matches(const SelectorList& list, const Node* element, const MatchOptions& options) {
  return element != nullptr &&
         match_list(list, element, MatchContext{nullptr, nullptr, options.quirks_mode});
}

std::vector<Node*> select_all(const SelectorList& list, Node* root, const MatchOptions& options) {
  std::vector<Node*> out;
  if (root == nullptr) return out;
  NthCache cache;
  SiblingMemo memo;
  MatchContext ctx{root->is_element() ? root : nullptr, nullptr, options.quirks_mode, &cache,
                   &memo};
  for (Node* n = root->first_child; n != nullptr; n = next_in_subtree(n, root)) {
    if (n->is_element() && match_list(list, n, ctx)) out.push_back(n);
  }
  return out;
}

Node* select_first(const SelectorList& list, Node* root, const MatchOptions& options) {
  if (root == nullptr) return nullptr;
  NthCache cache;
  SiblingMemo memo;
  MatchContext ctx{root->is_element() ? root : nullptr, nullptr, options.quirks_mode, &cache,
                   &memo};
  for (Node* n = root->first_child; n != nullptr; n = next_in_subtree(n, root)) {
    if (n->is_element() && match_list(list, n, ctx)) return n;
  }
  return nullptr;
}

}  // namespace riptide::html
