#include "extract/markdown.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "extract/media.h"
#include "extract/visible_text.h"
#include "url/url.h"

namespace riptide::extract {

using html::Namespace;
using html::Node;
using html::NodeType;
using html::Tag;

namespace {

// HTML 4.9.11 (table processing model): colspan is clamped to 1..1000, rowspan to 0..65534.
constexpr uint32_t kMaxColspan = 1000;
constexpr uint32_t kMaxRowspan = 65534;
constexpr uint32_t kNone = UINT32_MAX;

// Pre-order walk calling enter(node) -> bool (true: the node was entered and will be left) and
// leave(node) for every entered node after its subtree. Iterative, so any depth is safe.
template <typename Enter, typename Leave>
void walk(const Node* root, Enter&& enter, Leave&& leave) {
  const Node* node = root;
  while (node != nullptr) {
    if (enter(node)) {
      if (node->first_child != nullptr) {
        node = node->first_child;
        continue;
      }
      leave(node);
    }
    while (true) {
      if (node == root) {
        node = nullptr;
        break;
      }
      if (node->next_sibling != nullptr) {
        node = node->next_sibling;
        break;
      }
      node = node->parent;
      leave(node);
    }
  }
}

bool is_space(char c) {
  return str::is_html_space(c);
}
bool is_nbsp(const char* p, const char* end) {
  return static_cast<unsigned char>(p[0]) == 0xC2 && end - p >= 2 &&
         static_cast<unsigned char>(p[1]) == 0xA0;
}
// Letters and digits for emphasis flanking; non-ASCII bytes count as letters.
bool is_wordish(char c) {
  return str::is_alnum(c) || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ascii_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Elements skipped with their subtree, beyond extract::is_hidden: foreign graphics, form text and
// media fallback content are not part of what a reader sees.
bool is_skipped(const Node* e) {
  if (e->ns == Namespace::kSvg) return true;
  if (e->ns == Namespace::kHtml) {
    switch (e->tag) {
      case Tag::kTextarea:
      case Tag::kVideo:
      case Tag::kAudio:
      case Tag::kMap:
      case Tag::kOption:
      case Tag::kOptgroup:
        return true;
      default:
        break;
    }
  }
  return is_hidden(e);
}

int heading_level(const Node* e) {
  switch (e->tag) {
    case Tag::kH1:
      return 1;
    case Tag::kH2:
      return 2;
    case Tag::kH3:
      return 3;
    case Tag::kH4:
      return 4;
    case Tag::kH5:
      return 5;
    default:
      return 6;
  }
}

// HTML 2.3.4.1 "rules for parsing integers" (leading whitespace, optional sign, digits; trailing
// garbage ignored). Saturates instead of overflowing.
bool parse_html_int(std::string_view s, int64_t* out) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    negative = s[i] == '-';
    ++i;
  }
  if (i >= s.size() || !str::is_digit(s[i])) return false;
  int64_t v = 0;
  for (; i < s.size() && str::is_digit(s[i]); ++i) {
    if (v < 1'000'000'000'000) v = v * 10 + (s[i] - '0');
  }
  *out = negative ? -v : v;
  return true;
}

uint32_t span_attr(const Node* cell, std::string_view name, uint32_t lo, uint32_t hi) {
  int64_t v = 0;
  if (!parse_html_int(cell->attr_value(name), &v)) return 1;
  if (v < lo) return lo == 0 ? 1 : lo;  // rowspan=0 ("to the end of the group") renders as 1
  if (v > hi) return hi;
  return static_cast<uint32_t>(v);
}

bool is_cell(const Node* e) {
  return e->is(Tag::kTd) || e->is(Tag::kTh);
}

// Whether a table cell holds two or more block-level children (paragraphs, divs, lists).
bool holds_several_blocks(const Node* cell) {
  int blocks = 0;
  for (const Node* c = cell->first_child; c != nullptr; c = c->next_sibling) {
    if (c->is_element() && is_block(c) && ++blocks >= 2) return true;
  }
  return false;
}

// "javascript:" / "vbscript:" URLs run code instead of navigating; compared the way the URL
// parser reads a scheme (leading C0/space trimmed, ASCII tab/newline removed, case-insensitive).
bool is_script_url(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) <= 0x20) ++i;
  char scheme[12];
  size_t n = 0;
  for (; i < s.size() && n < sizeof(scheme); ++i) {
    char c = s[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;
    scheme[n++] = str::to_lower(c);
    if (c == ':') break;
  }
  std::string_view got(scheme, n);
  return got == "javascript:" || got == "vbscript:";
}

// Characters that never need a look at their context when written as Markdown text.
constexpr std::array<bool, 256> make_safe_table() {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = true;
  for (char c : std::string_view(" \t\n\f\r\\`*_~[]<&")) t[static_cast<unsigned char>(c)] = false;
  t[0xC2] = false;  // lead byte of U+00A0
  return t;
}
constexpr std::array<bool, 256> kSafe = make_safe_table();

// Which emphasis marker an inline frame writes.
enum class Marker : uint8_t { kEm, kStrong, kStrike, kLink };
constexpr std::array<std::string_view, 3> kMarkerText = {"*", "**", "~~"};

enum class Kind : uint8_t {
  kPlain,    // no exit action
  kBlock,    // paragraph break before and after
  kHeading,  // one line, `#` marker
  kList,
  kItem,
  kQuote,
  kInline,  // emphasis or link: markers around content
  kDataTable,
  kRow,
  kCell,
  kTerm,        // <dt>
  kDefinition,  // <dd>
};

struct Frame {
  const Node* node = nullptr;
  Kind kind = Kind::kPlain;
  Marker marker = Marker::kEm;
  bool container = false;     // pushed a blockquote/list-item container
  bool has_inline = false;    // owns the last entry of inline_
  bool loose = false;         // kList
  bool ordered = false;       // kList
  uint32_t out_at_enter = 0;  // kList: output size when the list started
  bool alternate = false;     // kList: uses "*" / ")" markers
  bool after_stray = false;   // kList: content outside items was seen since the last item
  int8_t saved_item_state = 0;
  int item_break = 1;  // kItem, kList (break between items)
  int64_t next_number = 1;
  int64_t step = 1;
  uint32_t saved_item_serial = 0;
  uint32_t closer_offset = 0;  // kInline link: "](url "title")" in closers_
  uint32_t closer_len = 0;
  uint32_t colspan = 1;  // kCell
  uint32_t rowspan = 1;
  uint32_t saved_inline_base = 0;  // kDataTable
};

struct Container {
  bool quote = false;
  bool first_pending = false;  // list item whose marker line has not been written yet
  uint8_t marker_len = 0;
  int item_break = 1;
  char marker[16] = {};
};

// kSkipped: the opener could not open emphasis here (see can_open), so neither marker is written.
enum class InlineState : uint8_t { kPending, kOpen, kSkipped, kDone };
struct InlineEntry {
  uint32_t frame = 0;
  InlineState state = InlineState::kPending;
  uint32_t open_pos = 0;  // where the opener was written
};

// A closer written after punctuation only closes when whitespace or punctuation follows
// (CommonMark 6.2 "right-flanking"); until that is known its span is remembered here.
struct FragileSpan {
  uint32_t open_pos = 0;
  uint32_t close_pos = 0;
  uint32_t len = 0;
};

// CommonMark 6.2 classifies the characters around a delimiter run.
enum class CharClass : uint8_t { kSpace, kPunct, kWord };

CharClass classify(char32_t cp) {
  if (cp < 0x80) {
    char c = static_cast<char>(cp);
    if (is_space(c) || c == '\v' || c == '\0') return CharClass::kSpace;
    return is_ascii_punct(c) ? CharClass::kPunct : CharClass::kWord;
  }
  // Unicode whitespace (Zs) and the punctuation/symbol blocks real text uses: Latin-1
  // punctuation and symbols, General Punctuation, currency, arrows/math/technical/box drawing/
  // dingbats, CJK punctuation, fullwidth punctuation, emoji.
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
      cp == 0x205F || cp == 0x3000) {
    return CharClass::kSpace;
  }
  if (cp >= 0xA1 && cp <= 0xBF) {
    bool letter_or_number = cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 ||
                            cp == 0xBA || (cp >= 0xBC && cp <= 0xBE);
    return letter_or_number ? CharClass::kWord : CharClass::kPunct;
  }
  if (cp == 0xD7 || cp == 0xF7 || (cp >= 0x2010 && cp <= 0x205E) ||
      (cp >= 0x20A0 && cp <= 0x20CF) || (cp >= 0x2190 && cp <= 0x23FF) ||
      (cp >= 0x2500 && cp <= 0x27BF) || (cp >= 0x3001 && cp <= 0x3004) ||
      (cp >= 0x3008 && cp <= 0x3020) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
      (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
      (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0x1F000 && cp <= 0x1FAFF)) {
    return CharClass::kPunct;
  }
  return CharClass::kWord;
}

CharClass class_at(const char* p, const char* end) {
  if (p >= end) return CharClass::kSpace;
  if (static_cast<unsigned char>(*p) < 0x80) return classify(static_cast<unsigned char>(*p));
  size_t len = 0;
  return classify(utf8::decode(p, end, &len));
}

struct TableInfo {
  const Node* node = nullptr;
  bool nested = false;  // contains another table
  bool presentation = false;
  bool headed = false;        // has a header cell, <thead> or <caption>
  bool stacked_cell = false;  // a cell holds several blocks (a post: date line, then its text)
  uint32_t rows = 0;
  uint32_t max_columns = 0;
};

struct CellSpan {
  uint32_t start = 0;
  uint32_t end = 0;
};

enum ItemState : int8_t { kNoItem = 0, kTightItem = 1, kLooseItem = 2 };

class Renderer {
 public:
  Renderer(std::string& out, const url::Url* base, bool plain)
      : out_(out), base_(base), plain_(plain) {}

  void render(const Node* root) {
    if (root == nullptr) return;
    root_ = root;
    pending_break_ = 1;  // the first line still gets its container prefixes
    walk(
        root, [this](const Node* n) { return enter(n); }, [this](const Node* n) { leave(n); });
    while (!out_.empty() && str::is_html_space(out_.back())) out_.pop_back();
    // A text table row whose first cells are empty starts with tabs.
    size_t lead = 0;
    while (lead < out_.size() && (out_[lead] == '\t' || out_[lead] == '\n')) ++lead;
    out_.erase(0, lead);
  }

 private:
  // ---- Output primitives -------------------------------------------------------------------

  // Asks for `n` newlines (1: new line, 2: blank line) before the next content. Inside a one-line
  // context (heading, table cell) a break is just a space. Emphasis and links cannot span blocks,
  // so open ones are closed here and reopened at the next content (links are not reopened).
  void request_block_break(int n) {
    if (single_line_ > 0) {
      pending_space_ = true;
      return;
    }
    close_open_inlines();
    fragile_.clear();  // a line break follows them, so they close
    deferred_pos_ = kNone;
    if (n > pending_break_) pending_break_ = n;
    hard_break_ = false;
  }

  void on_br() {
    if (single_line_ > 0) {
      pending_space_ = true;
      return;
    }
    if (pending_break_ == 0) {
      pending_break_ = 1;
      hard_break_ = true;
    } else if (hard_break_) {
      // Two <br> in a row read as a paragraph break, which emphasis and links cannot span.
      close_open_inlines();
      fragile_.clear();
      pending_break_ = 2;
      hard_break_ = false;
    }
  }

  // Writes what must precede content: the pending break with container prefixes, or a pending
  // space; then (for inline content) a block marker and the pending inline openers.
  // `next` is the class of the first character of the content that follows.
  void flush(bool block_level, CharClass next = CharClass::kPunct) {
    if (!fragile_.empty() || deferred_pos_ != kNone) {
      bool pending_opener = false;
      for (size_t i = inline_base_; i < inline_.size(); ++i) {
        if (inline_[i].state == InlineState::kPending) pending_opener = true;
      }
      bool spaced = block_level || pending_break_ > 0 || pending_space_;
      CharClass after = spaced ? CharClass::kSpace : pending_opener ? CharClass::kPunct : next;
      if (deferred_pos_ != kNone) resolve_deferred(spaced, after);
      resolve_fragile(after);
    }
    if (pending_break_ > 0) {
      trim_trailing_spaces();
      if (!out_.empty()) {
        int n = effective_break();
        if (n == 1 && hard_break_ && !plain_) out_.push_back('\\');
        out_.push_back('\n');
        if (n >= 2) {
          write_prefix(/*blank=*/true);
          trim_trailing_spaces();
          out_.push_back('\n');
        }
      }
      pending_break_ = 0;
      hard_break_ = false;
      pending_space_ = false;
      after_list_serial_ = 0;
      write_prefix(/*blank=*/false);
      line_start_ = true;
    } else if (pending_space_) {
      pending_space_ = false;
      if (!line_start_ && !out_.empty()) {
        char last = out_.back();
        if (last != ' ' && last != '\n' && last != '\t') out_.push_back(' ');
      }
    }
    if (block_level) return;
    if (!block_marker_.empty()) {
      out_.append(block_marker_);
      block_marker_ = {};
      block_marker_frame_ = kNone;
      line_start_ = false;
      heading_content_start_ = static_cast<uint32_t>(out_.size());
    }
    for (size_t i = inline_base_; i < inline_.size(); ++i) {
      InlineEntry& e = inline_[i];
      if (e.state != InlineState::kPending) continue;
      const Frame& f = frames_[e.frame];
      bool more = false;  // another opener follows this one directly
      for (size_t j = i + 1; j < inline_.size() && !more; ++j) {
        more = inline_[j].state == InlineState::kPending;
      }
      if (f.marker != Marker::kLink && !can_open(more ? CharClass::kPunct : next)) {
        e.state = InlineState::kSkipped;
        continue;
      }
      e.open_pos = static_cast<uint32_t>(out_.size());
      open_inline(f, e);
      e.state = InlineState::kOpen;
      line_start_ = false;
    }
  }

  // The class of the last character written (line starts count as whitespace).
  CharClass class_before_end() const {
    if (out_.empty() || line_start_) return CharClass::kSpace;
    size_t i = out_.size() - 1;
    size_t stop = out_.size() >= 4 ? out_.size() - 4 : 0;
    while (i > stop && (static_cast<unsigned char>(out_[i]) & 0xC0) == 0x80) --i;
    return class_at(out_.data() + i, out_.data() + out_.size());
  }

  // Markers written back to back form one delimiter run; what counts is the character before it.
  CharClass class_before_run() const {
    if (run_end_ != out_.size() || run_start_ == 0) return class_before_end();
    size_t i = run_start_ - 1;
    if (out_[i] == '\n') return CharClass::kSpace;
    size_t stop = run_start_ >= 4 ? run_start_ - 4 : 0;
    while (i > stop && (static_cast<unsigned char>(out_[i]) & 0xC0) == 0x80) --i;
    return class_at(out_.data() + i, out_.data() + run_start_);
  }

  void note_marker(size_t pos, size_t len) {
    if (run_end_ != pos) run_start_ = pos;
    run_end_ = pos + len;
  }

  // CommonMark 6.2: a "*" run opens emphasis only when left-flanking: not followed by
  // whitespace, and followed by punctuation only when preceded by whitespace or punctuation
  // ("a*,*" would print its asterisks). Such emphasis is dropped, keeping the text.
  bool can_open(CharClass next) const {
    if (next == CharClass::kSpace) return false;
    return next != CharClass::kPunct || class_before_run() != CharClass::kWord;
  }

  // Settles remembered closers now that the next character's class is known: before a word
  // character they could not close, so their markers (and their openers') are removed.
  void resolve_fragile(CharClass next) {
    if (fragile_.empty()) return;
    if (next == CharClass::kWord &&
        fragile_.back().close_pos + fragile_.back().len == out_.size()) {
      // Remove from the end backwards so earlier positions stay valid.
      span_buf_.clear();
      for (const FragileSpan& f : fragile_) {
        span_buf_.emplace_back(f.close_pos, f.len);
        span_buf_.emplace_back(f.open_pos, f.len);
      }
      std::sort(span_buf_.begin(), span_buf_.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      for (const auto& [start, len] : span_buf_) out_.erase(start, len);
      run_end_ = kNone;
      last_closer_end_ = kNone;
      bracket_pos_ = kNone;
    }
    fragile_.clear();
  }

  void trim_trailing_spaces() {
    while (!out_.empty() && (out_.back() == ' ' || (plain_ && out_.back() == '\t'))) {
      out_.pop_back();
    }
  }

  // The break actually written: a list item that has not started keeps the separation chosen
  // for its list (a <p> or <div> at the start of a tight item must not loosen the list).
  int effective_break() {
    int n = pending_break_;
    for (size_t i = containers_.size(); i-- > 0;) {
      const Container& c = containers_[i];
      if (c.quote) continue;  // a quote's "> " does not change the separation
      if (!c.first_pending) break;
      n = c.item_break;
    }
    // Text after a nested list inside the same item needs a blank line, or it would continue the
    // nested list's last paragraph (CommonMark "lazy continuation line").
    if (!plain_ && after_list_serial_ != 0 && after_list_serial_ == item_serial_ && n < 2) n = 2;
    return n;
  }

  // Container prefixes of a new line: "> " per quote, the marker of a list item that starts on
  // this line, else spaces of the marker's width. A blank line stops at a list item that has not
  // started (the caller trims trailing spaces).
  void write_prefix(bool blank) {
    for (Container& c : containers_) {
      if (c.quote) {
        // A blank line before a quote's first line belongs to the enclosing containers.
        if (blank && c.first_pending) return;
        if (!blank) c.first_pending = false;
        out_.append("> ");
      } else if (c.first_pending) {
        if (blank) return;
        out_.append(c.marker, c.marker_len);
        c.first_pending = false;
      } else {
        out_.append(c.marker_len, ' ');
      }
    }
  }

  void open_inline(const Frame& f, InlineEntry& e) {
    if (f.marker == Marker::kLink) {
      out_.push_back('[');
      return;
    }
    std::string_view m = kMarkerText[static_cast<size_t>(f.marker)];
    // "**a****b**" (adjacent <b>s) reads badly; join them into one run.
    if (last_closer_end_ == out_.size() && last_closer_marker_ == f.marker &&
        out_.size() >= m.size()) {
      out_.resize(out_.size() - m.size());
      run_end_ = kNone;
      last_closer_end_ = kNone;
      e.open_pos = last_closer_open_pos_;
      fragile_.clear();
      return;
    }
    note_marker(out_.size(), m.size());
    out_.append(m);
  }

  void close_inline(const Frame& f, const InlineEntry& e) {
    if (e.state != InlineState::kOpen) return;
    if (deferred_pos_ != kNone) resolve_deferred(false, CharClass::kPunct);
    if (f.marker == Marker::kLink) {
      resolve_fragile(CharClass::kPunct);
      out_.append(closers_, f.closer_offset, f.closer_len);
      last_closer_end_ = kNone;
      return;
    }
    std::string_view m = kMarkerText[static_cast<size_t>(f.marker)];
    uint32_t pos = static_cast<uint32_t>(out_.size());
    if (!fragile_.empty() && fragile_.back().close_pos + fragile_.back().len != pos) {
      fragile_.clear();  // something was written after those closers: they stand
    }
    if (class_before_run() == CharClass::kPunct) {
      fragile_.push_back({e.open_pos, pos, static_cast<uint32_t>(m.size())});
    }
    note_marker(pos, m.size());
    out_.append(m);
    last_closer_end_ = out_.size();
    last_closer_marker_ = f.marker;
    last_closer_open_pos_ = e.open_pos;
  }

  void close_open_inlines() {
    for (size_t i = inline_.size(); i-- > inline_base_;) {
      InlineEntry& e = inline_[i];
      if (e.state != InlineState::kOpen && e.state != InlineState::kSkipped) continue;
      const Frame& f = frames_[e.frame];
      close_inline(f, e);
      e.state = f.marker == Marker::kLink ? InlineState::kDone : InlineState::kPending;
    }
  }

  // Text outside the cells of a GFM table (inter-row whitespace) is not rendered.
  bool suppressed() const { return table_active_ && !in_cell_; }

  // ---- Text --------------------------------------------------------------------------------

  void on_text(std::string_view s) {
    if (suppressed()) return;
    const char* p = s.data();
    const char* end = p + s.size();
    while (p < end) {
      if (is_space(*p)) {
        pending_space_ = true;
        ++p;
        continue;
      }
      if (is_nbsp(p, end)) {
        pending_space_ = true;
        p += 2;
        continue;
      }
      flush(false, class_at(p, end));
      if (plain_) {
        const char* q = p;
        while (q < end && !is_space(*q) && !is_nbsp(q, end)) ++q;
        out_.append(p, static_cast<size_t>(q - p));
        line_start_ = false;
        p = q;
        continue;
      }
      if (bracket_pos_ != kNone) {
        // "]" ended the previous text node; "](" / "][" / "]:" would make it link syntax.
        if (bracket_pos_ + 1 == out_.size() && (*p == '(' || *p == '[' || *p == ':')) {
          out_.insert(bracket_pos_, 1, '\\');
        }
        bracket_pos_ = kNone;
      }
      if (line_start_) {
        p = write_line_start(p, end);
        line_start_ = false;
        continue;
      }
      const char* q = p;
      while (q < end && kSafe[static_cast<unsigned char>(*q)]) ++q;
      if (q > p) {
        out_.append(p, static_cast<size_t>(q - p));
        p = q;
        continue;
      }
      write_special(p, end, false);
      ++p;
    }
  }

  // Writes the character at p, escaped when it could change the Markdown's meaning here.
  void write_special(const char* p, const char* end, bool at_line_start) {
    char c = *p;
    char prev = (at_line_start || out_.empty()) ? ' ' : out_.back();
    char next = p + 1 < end ? p[1] : '\0';  // '\0': not known (the next text node)
    bool escape = false;
    switch (c) {
      case '\\':
        // A backslash escapes only ASCII punctuation (CommonMark 2.4).
        escape = next == '\0' || is_ascii_punct(next);
        break;
      case '`':
        escape = true;
        break;
      case '*':
      case '~':
        // A delimiter run surrounded by whitespace can neither open nor close emphasis. What
        // follows the last character of a text node is decided when it is written.
        if (!at_line_start && is_space(prev) && next == '\0') {
          defer_escape(false);
          break;
        }
        escape = at_line_start || !(is_space(prev) && is_space(next));
        break;
      case '_':
        // Intraword underscores never delimit emphasis (CommonMark 6.2).
        if (is_wordish(prev) && next == '\0') {
          defer_escape(true);
          break;
        }
        escape = !(is_wordish(prev) && is_wordish(next));
        break;
      case '[':
        escape = in_link_ > 0;
        break;
      case ']':
        escape = in_link_ > 0 || next == '(' || next == '[' || next == ':';
        if (!escape && next == '\0') bracket_pos_ = out_.size();
        break;
      case '<':
        escape = next == '\0' || str::is_alpha(next) || next == '/' || next == '!' || next == '?';
        break;
      case '&':
        escape = starts_entity(p + 1, end);
        break;
      default:
        break;
    }
    if (escape) out_.push_back('\\');
    out_.push_back(c);
  }

  // Leaves the decision on escaping the character about to be written to the next flush:
  // it is escaped when something other than whitespace follows directly (`word_ok`: other than
  // whitespace or a word character).
  void defer_escape(bool word_ok) {
    deferred_pos_ = out_.size();
    deferred_word_ok_ = word_ok;
  }

  void resolve_deferred(bool spaced, CharClass next) {
    if (deferred_pos_ + 1 == out_.size() && !spaced &&
        !(deferred_word_ok_ && next == CharClass::kWord)) {
      out_.insert(deferred_pos_, 1, '\\');
    }
    deferred_pos_ = kNone;
  }

  // Whether "&" followed by [p, end) reads as a character reference ("&amp;", "&#38;").
  static bool starts_entity(const char* p, const char* end) {
    const char* q = p;
    if (q < end && *q == '#') ++q;
    const char* name = q;
    while (q < end && str::is_alnum(*q) && q - name < 32) ++q;
    return q > name && q < end && *q == ';';
  }

  // The first character of a line: block syntax (headings, quotes, list markers, setext
  // underlines) is escaped. Returns the position after what was written.
  const char* write_line_start(const char* p, const char* end) {
    char c = *p;
    char next = p + 1 < end ? p[1] : '\0';
    // U+00A0 is written as a space, so it counts as one here.
    auto blank_at = [end](const char* q) { return q == end || is_space(*q) || is_nbsp(q, end); };
    bool next_blank = blank_at(p + 1);
    switch (c) {
      case '#':
        if (next_blank || next == '#') out_.push_back('\\');
        out_.push_back(c);
        return p + 1;
      case '>':
        out_.push_back('\\');
        out_.push_back(c);
        return p + 1;
      case '-':
      case '=':
        if (next_blank || next == c) out_.push_back('\\');
        out_.push_back(c);
        return p + 1;
      case '+':
        if (next_blank) out_.push_back('\\');
        out_.push_back(c);
        return p + 1;
      default:
        break;
    }
    if (str::is_digit(c)) {
      // "2024. A year" would start an ordered list (up to 9 digits, then '.' or ')').
      const char* q = p;
      while (q < end && str::is_digit(*q) && q - p < 10) ++q;
      out_.append(p, static_cast<size_t>(q - p));
      if (q - p <= 9 && q < end && (*q == '.' || *q == ')') && blank_at(q + 1)) {
        out_.push_back('\\');
        out_.push_back(*q);
        ++q;
      }
      return q;
    }
    if (!kSafe[static_cast<unsigned char>(c)]) {
      write_special(p, end, true);
      return p + 1;
    }
    out_.push_back(c);
    return p + 1;
  }

  // Appends the text of `e`'s subtree to `buf` (hidden elements skipped). `preserve` keeps
  // whitespace and turns <br> into a newline; otherwise whitespace collapses to single spaces
  // and *lead/*trail report whitespace trimmed at the ends.
  void gather_text(const Node* e, bool preserve, std::string& buf, bool* lead, bool* trail) {
    bool space = false;
    bool any = false;
    *lead = false;
    *trail = false;
    const Node* node = e->first_child;
    while (node != nullptr) {
      if (node->is_element()) {
        if (is_skipped(node)) {
          node = html::next_skipping_children(node, e);
          continue;
        }
        if (node->is(Tag::kBr)) {
          if (preserve) {
            buf.push_back('\n');
          } else {
            space = true;
          }
        }
      } else if (node->is_text()) {
        std::string_view s = node->data;
        if (preserve) {
          buf.append(s);
        } else {
          const char* p = s.data();
          const char* end = p + s.size();
          while (p < end) {
            if (is_space(*p) || is_nbsp(p, end)) {
              p += is_space(*p) ? 1 : 2;
              space = true;
              continue;
            }
            if (space) {
              if (any) {
                buf.push_back(' ');
              } else {
                *lead = true;
              }
              space = false;
            }
            buf.push_back(*p++);
            any = true;
          }
        }
      }
      node = html::next_in_subtree(node, e);
    }
    if (!preserve) {
      if (space && any) *trail = true;
      if (space && !any) *lead = true;
    }
  }

  static size_t longest_backtick_run(std::string_view s) {
    size_t best = 0;
    size_t run = 0;
    for (char c : s) {
      run = c == '`' ? run + 1 : 0;
      best = std::max(best, run);
    }
    return best;
  }

  // An inline code span (CommonMark 6.1): a fence longer than any backtick run inside, padded
  // with a space when the content starts or ends with a backtick.
  void write_code_span(std::string_view content, bool lead, bool trail) {
    if (lead) pending_space_ = true;
    if (content.empty() || suppressed()) return;
    flush(false);
    size_t fence = longest_backtick_run(content) + 1;
    bool pad = content.front() == '`' || content.back() == '`';
    out_.append(fence, '`');
    if (pad) out_.push_back(' ');
    out_.append(content);
    if (pad) out_.push_back(' ');
    out_.append(fence, '`');
    line_start_ = false;
    if (trail) pending_space_ = true;
  }

  void on_code(const Node* e) {
    scratch_.clear();
    bool lead = false;
    bool trail = false;
    gather_text(e, false, scratch_, &lead, &trail);
    write_code_span(scratch_, lead, trail);
  }

  static std::string_view language_from_class(const Node* e) {
    if (e == nullptr || !e->is_element()) return {};
    std::string_view cls = e->attr_value("class");
    size_t i = 0;
    while (i < cls.size()) {
      while (i < cls.size() && is_space(cls[i])) ++i;
      size_t start = i;
      while (i < cls.size() && !is_space(cls[i])) ++i;
      std::string_view token = cls.substr(start, i - start);
      for (std::string_view prefix : {"language-", "lang-", "highlight-source-"}) {
        if (token.size() > prefix.size() && str::istarts_with(token, prefix)) {
          return token.substr(prefix.size());
        }
      }
    }
    return {};
  }

  void on_pre(const Node* e) {
    if (suppressed()) return;
    pre_buf_.clear();
    bool lead = false;
    bool trail = false;
    if (single_line_ > 0) {
      gather_text(e, false, pre_buf_, &lead, &trail);
      if (plain_) {
        on_text(pre_buf_);
      } else {
        write_code_span(pre_buf_, lead, trail);
      }
      return;
    }
    gather_text(e, true, pre_buf_, &lead, &trail);
    while (!pre_buf_.empty() && pre_buf_.back() == '\n') pre_buf_.pop_back();
    request_block_break(2);
    bool blank = std::all_of(pre_buf_.begin(), pre_buf_.end(), [](char c) { return is_space(c); });
    if (blank) return;
    flush(true);
    if (plain_) {
      out_.append(pre_buf_);
      request_block_break(2);
      return;
    }
    std::string_view lang = language_from_class(e);
    const Node* code = e->first_element_child();
    if (lang.empty() && code != nullptr && code->is(Tag::kCode)) lang = language_from_class(code);
    if (lang.empty()) lang = language_from_class(e->parent);
    size_t fence = std::max<size_t>(3, longest_backtick_run(pre_buf_) + 1);
    out_.append(fence, '`');
    for (char c : lang) {
      // An info string may not contain backticks; keep it one word.
      if (str::is_alnum(c) || c == '-' || c == '_' || c == '+' || c == '.' || c == '#') {
        out_.push_back(c);
      }
    }
    size_t start = 0;
    while (start <= pre_buf_.size()) {
      size_t nl = pre_buf_.find('\n', start);
      if (nl == std::string::npos) nl = pre_buf_.size();
      out_.push_back('\n');
      if (nl == start) {
        write_prefix(true);
        trim_trailing_spaces();
      } else {
        write_prefix(false);
        out_.append(pre_buf_, start, nl - start);
      }
      start = nl + 1;
    }
    out_.push_back('\n');
    write_prefix(false);
    out_.append(fence, '`');
    line_start_ = false;
    request_block_break(2);
  }

  // ---- Links and images --------------------------------------------------------------------

  // Appends the URL for an href/src value to `buf`; false when it must not become a link.
  bool resolve(std::string_view raw, std::string& buf) {
    raw = str::trim(raw);
    if (raw.empty() || is_script_url(raw)) return false;
    if (base_ != nullptr) {
      Result<url::Url> r = url::parse(raw, base_);
      if (r.ok()) {
        std::string_view scheme = r->scheme();
        if (scheme == "javascript" || scheme == "vbscript") return false;
        write_destination(r->href(), buf);
        return true;
      }
    }
    write_destination(raw, buf);
    return true;
  }

  // A link destination (CommonMark 6.3): in <...> when it has spaces, parentheses or brackets.
  static void write_destination(std::string_view u, std::string& buf) {
    bool pointy = false;
    for (char c : u) {
      if (c == ' ' || c == '(' || c == ')' || c == '<' || c == '>' ||
          static_cast<unsigned char>(c) < 0x20) {
        pointy = true;
      }
    }
    if (pointy) buf.push_back('<');
    const char* end = u.data() + u.size();
    for (const char* p = u.data(); p < end; ++p) {
      char c = *p;
      if (c == '\n' || c == '\r') continue;
      // Character references are decoded in destinations too (CommonMark 6.3).
      if (c == '\\' || (pointy && (c == '<' || c == '>')) ||
          (c == '&' && starts_entity(p + 1, end))) {
        buf.push_back('\\');
      }
      buf.push_back(c);
    }
    if (pointy) buf.push_back('>');
  }

  static void write_title(std::string_view title, std::string& buf) {
    std::string t = str::collapse_whitespace(title);
    if (t.empty()) return;
    buf.append(" \"");
    const char* end = t.data() + t.size();
    for (const char* p = t.data(); p < end; ++p) {
      // Backticks too: a code span binds tighter than the link around the title.
      if (*p == '"' || *p == '\\' || *p == '`' || (*p == '&' && starts_entity(p + 1, end))) {
        buf.push_back('\\');
      }
      buf.push_back(*p);
    }
    buf.push_back('"');
  }

  void on_image(const Node* e) {
    if (plain_ || suppressed() || is_tracking_pixel(e)) return;
    std::string_view src = str::trim(e->attr_value("src"));
    if (src.empty() || str::istarts_with(src, "data:")) {
      // Lazy-loading pages keep the real URL in data-* attributes.
      for (std::string_view name : {"data-src", "data-lazy-src", "data-original"}) {
        std::string_view v = str::trim(e->attr_value(name));
        if (!v.empty()) {
          src = v;
          break;
        }
      }
    }
    if (src.empty() || str::istarts_with(src, "data:")) return;
    scratch_.clear();
    if (!resolve(src, scratch_)) return;
    flush(false);
    out_.append("![");
    std::string alt = str::collapse_whitespace(e->attr_value("alt"));
    const char* alt_end = alt.data() + alt.size();
    for (const char* p = alt.data(); p < alt_end; ++p) {
      // The alt text is inline content: brackets, code spans, emphasis, tags and character
      // references would be parsed.
      char c = *p;
      if (c == '[' || c == ']' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '<' ||
          (c == '&' && starts_entity(p + 1, alt_end))) {
        out_.push_back('\\');
      }
      out_.push_back(c);
    }
    out_.append("](");
    out_.append(scratch_);
    write_title(e->attr_value("title"), out_);
    out_.push_back(')');
    line_start_ = false;
  }

  // ---- Tables ------------------------------------------------------------------------------

  // One pass over the whole subtree recording, per table in document order, what decides
  // between a GFM table and a layout table.
  void scan_tables() {
    tables_scanned_ = true;
    std::vector<uint32_t> open;
    walk(
        root_,
        [&](const Node* n) {
          if (!n->is_element() && n->type != NodeType::kDocument &&
              n->type != NodeType::kFragment) {
            return false;
          }
          if (n->is(Tag::kTable)) {
            if (!open.empty()) tables_[open.back()].nested = true;
            open.push_back(static_cast<uint32_t>(tables_.size()));
            TableInfo info;
            info.node = n;
            std::string_view role = str::trim(n->attr_value("role"));
            info.presentation = str::iequals(role, "presentation") || str::iequals(role, "none");
            tables_.push_back(info);
          } else if ((n->is(Tag::kThead) || n->is(Tag::kCaption)) && !open.empty()) {
            tables_[open.back()].headed = true;
          } else if (n->is(Tag::kTr) && !open.empty()) {
            uint64_t columns = 0;
            TableInfo& t = tables_[open.back()];
            for (const Node* c = n->first_child; c != nullptr; c = c->next_sibling) {
              if (!is_cell(c)) continue;
              columns += span_attr(c, "colspan", 1, kMaxColspan);
              t.headed = t.headed || c->is(Tag::kTh);
              t.stacked_cell = t.stacked_cell || holds_several_blocks(c);
            }
            ++t.rows;
            t.max_columns = static_cast<uint32_t>(
                std::min<uint64_t>(std::max<uint64_t>(t.max_columns, columns), UINT32_MAX));
          }
          return true;
        },
        [&](const Node* n) {
          if (n->is(Tag::kTable)) open.pop_back();
        });
  }

  bool is_data_table(const Node* table) {
    if (!tables_scanned_) scan_tables();
    while (table_cursor_ < tables_.size() && tables_[table_cursor_].node != table) ++table_cursor_;
    if (table_cursor_ == tables_.size()) return false;
    const TableInfo& t = tables_[table_cursor_++];
    // A table without any header whose cells stack blocks (a forum's posts, a page's columns)
    // lays the page out; a data cell holds one value or one paragraph, and a data table names
    // its columns or rows more often than not.
    if (!t.headed && t.stacked_cell) return false;
    return !t.nested && !t.presentation && t.rows > 0 && t.max_columns >= 2 &&
           t.max_columns <= limits::kMaxMarkdownTableColumns;
  }

  void enter_data_table(const Node* table, Frame& f) {
    // 4.9.2: the caption is the table's first <caption> child; it reads as a line above.
    for (const Node* c = table->first_child; c != nullptr; c = c->next_sibling) {
      if (!c->is(Tag::kCaption)) continue;
      if (!is_skipped(c)) {
        pre_buf_.clear();
        bool lead = false;
        bool trail = false;
        gather_text(c, false, pre_buf_, &lead, &trail);
        request_block_break(2);
        on_text(pre_buf_);
      }
      break;
    }
    request_block_break(2);
    table_active_ = true;
    in_cell_ = false;
    cells_.clear();
    row_ends_.clear();
    rowspan_left_.clear();
    column_ = 0;
    if (!plain_) {
      // The table's first line starts here; continuation lines get prefixes when rebuilt.
      flush(true);
      line_start_ = false;
      table_start_ = static_cast<uint32_t>(out_.size());
      block_marker_ = {};
      block_marker_frame_ = kNone;
    }
    f.saved_inline_base = inline_base_;
    inline_base_ = static_cast<uint32_t>(inline_.size());
  }

  void add_empty_cell() {
    if (column_ >= limits::kMaxMarkdownTableColumns) return;
    uint32_t at = static_cast<uint32_t>(out_.size());
    cells_.push_back({at, at});
    ++column_;
  }

  // Columns still covered by a rowspan from an earlier row become empty cells.
  void skip_spanned_columns(uint32_t until) {
    while (column_ < until && column_ < rowspan_left_.size() && rowspan_left_[column_] > 0) {
      --rowspan_left_[column_];
      add_empty_cell();
    }
  }

  void enter_cell(Frame& f) {
    f.kind = Kind::kCell;
    in_cell_ = true;
    ++single_line_;
    if (plain_) {
      if (cells_in_row_ > 0) {
        flush(true);
        out_.push_back('\t');
        pending_space_ = false;
      }
      ++cells_in_row_;
      return;
    }
    skip_spanned_columns(UINT32_MAX);
    f.colspan = span_attr(f.node, "colspan", 1, kMaxColspan);
    f.rowspan = span_attr(f.node, "rowspan", 0, kMaxRowspan);
    pending_space_ = false;
    pending_break_ = 0;
    hard_break_ = false;
    line_start_ = false;
    fragile_.clear();
    deferred_pos_ = kNone;
    last_closer_end_ = kNone;  // markers never join across cells
    cell_start_ = static_cast<uint32_t>(out_.size());
  }

  void leave_cell(const Frame& f) {
    in_cell_ = false;
    --single_line_;
    pending_space_ = false;
    fragile_.clear();  // " |" follows
    deferred_pos_ = kNone;
    last_closer_end_ = kNone;
    if (plain_) return;
    if (column_ < limits::kMaxMarkdownTableColumns) {
      cells_.push_back({cell_start_, static_cast<uint32_t>(out_.size())});
      uint32_t first = column_;
      ++column_;
      for (uint32_t i = 1; i < f.colspan; ++i) add_empty_cell();
      if (f.rowspan > 1) {
        if (rowspan_left_.size() < column_) rowspan_left_.resize(column_, 0);
        for (uint32_t c = first; c < column_; ++c) rowspan_left_[c] = f.rowspan - 1;
      }
    }
  }

  void enter_row() {
    cells_in_row_ = 0;
    row_start_ = static_cast<uint32_t>(cells_.size());
    column_ = 0;
    if (plain_) request_block_break(1);
  }

  void leave_row() {
    if (plain_) return;
    // Columns after the last cell that a rowspan still covers.
    for (uint32_t c = column_; c < rowspan_left_.size(); ++c) {
      if (rowspan_left_[c] == 0) continue;
      while (column_ < c) add_empty_cell();
      skip_spanned_columns(c + 1);
    }
    if (cells_.size() > row_start_) row_ends_.push_back(static_cast<uint32_t>(cells_.size()));
  }

  void append_cell(std::string& buf, CellSpan cell) {
    std::string_view s = std::string_view(out_).substr(cell.start, cell.end - cell.start);
    s = str::trim(s);
    if (s.empty()) {
      buf.append(" |");
      return;
    }
    buf.push_back(' ');
    for (char c : s) {
      if (c == '|') {
        buf.append("\\|");  // GFM 4.10: pipes inside cells, code spans included, are escaped
      } else {
        buf.push_back(c == '\n' ? ' ' : c);
      }
    }
    buf.append(" |");
  }

  void leave_data_table(const Frame& f) {
    table_active_ = false;
    in_cell_ = false;
    inline_base_ = f.saved_inline_base;
    if (plain_) {
      request_block_break(2);
      return;
    }
    size_t columns = 0;
    uint32_t begin = 0;
    for (uint32_t end : row_ends_) {
      columns = std::max<size_t>(columns, end - begin);
      begin = end;
    }
    table_buf_.clear();
    begin = 0;
    for (size_t r = 0; r < row_ends_.size(); ++r) {
      uint32_t end = row_ends_[r];
      if (r > 0) {
        table_buf_.push_back('\n');
        swap_prefix_into(table_buf_);
      }
      table_buf_.push_back('|');
      for (size_t c = 0; c < columns; ++c) {
        if (begin + c < end) {
          append_cell(table_buf_, cells_[begin + c]);
        } else {
          table_buf_.append(" |");
        }
      }
      if (r == 0) {
        table_buf_.push_back('\n');
        swap_prefix_into(table_buf_);
        table_buf_.push_back('|');
        for (size_t c = 0; c < columns; ++c) table_buf_.append(" --- |");
      }
      begin = end;
    }
    out_.resize(table_start_);
    out_.append(table_buf_);
    line_start_ = false;
    request_block_break(2);
  }

  // Appends the continuation prefix of the current containers to `buf`.
  void swap_prefix_into(std::string& buf) {
    size_t before = out_.size();
    write_prefix(false);
    buf.append(out_, before, std::string::npos);
    out_.resize(before);
  }

  // ---- Elements ----------------------------------------------------------------------------

  bool push(Frame f) {
    frames_.push_back(f);
    return true;
  }

  void push_inline(Frame& f, Marker m) {
    f.kind = Kind::kInline;
    f.marker = m;
    f.has_inline = true;
    inline_.push_back({static_cast<uint32_t>(frames_.size()), InlineState::kPending});
  }

  // Content between list items would continue the previous item's paragraph.
  void note_stray_list_content() {
    if (frames_.empty() || frames_.back().kind != Kind::kList) return;
    request_block_break(2);
    frames_.back().after_stray = true;
  }

  bool enter(const Node* n) {
    if (n->type == NodeType::kText) {
      if (!str::trim(n->data).empty()) note_stray_list_content();
      on_text(n->data);
      return false;
    }
    Frame f;
    f.node = n;
    if (n->type == NodeType::kDocument || n->type == NodeType::kFragment) return push(f);
    if (n->type != NodeType::kElement) return false;
    if (is_skipped(n)) return false;
    if (!n->is(Tag::kLi)) note_stray_list_content();
    if (n->ns != Namespace::kHtml) return push(f);
    switch (n->tag) {
      case Tag::kBr:
        if (!suppressed()) on_br();
        return false;
      case Tag::kWbr:
        return false;
      case Tag::kHr:
        request_block_break(2);
        if (!plain_ && single_line_ == 0) {
          flush(true);
          out_.append("---");
          line_start_ = false;
          request_block_break(2);
        }
        return false;
      case Tag::kImg:
      case Tag::kImage:
        on_image(n);
        return false;
      case Tag::kPre:
      case Tag::kListing:
      case Tag::kXmp:
      case Tag::kPlaintext:
        on_pre(n);
        return false;
      case Tag::kCode:
      case Tag::kKbd:
      case Tag::kSamp:
        if (plain_) return push(f);
        on_code(n);
        return false;
      case Tag::kH1:
      case Tag::kH2:
      case Tag::kH3:
      case Tag::kH4:
      case Tag::kH5:
      case Tag::kH6:
        request_block_break(2);
        if (single_line_ > 0) return push(f);
        f.kind = Kind::kHeading;
        ++single_line_;
        heading_content_start_ = kNone;
        if (!plain_) {
          static constexpr std::string_view kHashes = "###### ";
          int level = heading_level(n);
          block_marker_ = kHashes.substr(static_cast<size_t>(6 - level));
          block_marker_frame_ = static_cast<uint32_t>(frames_.size());
        }
        return push(f);
      case Tag::kUl:
      case Tag::kOl:
      case Tag::kMenu:
      case Tag::kDir:
        return enter_list(n, f);
      case Tag::kLi:
        return enter_item(n, f);
      case Tag::kBlockquote:
        request_block_break(2);
        if (single_line_ > 0) return push(f);
        f.kind = Kind::kQuote;
        if (!plain_ && containers_.size() < limits::kMaxMarkdownNesting) {
          Container c;
          c.quote = true;
          c.first_pending = true;
          containers_.push_back(c);
          f.container = true;
        }
        return push(f);
      case Tag::kEm:
      case Tag::kI:
      case Tag::kStrong:
      case Tag::kB:
      case Tag::kS:
      case Tag::kDel:
      case Tag::kStrike: {
        if (plain_) return push(f);
        Marker m = (n->tag == Tag::kEm || n->tag == Tag::kI)       ? Marker::kEm
                   : (n->tag == Tag::kStrong || n->tag == Tag::kB) ? Marker::kStrong
                                                                   : Marker::kStrike;
        size_t index = static_cast<size_t>(m);
        // Nested same-kind emphasis would double the markers ("**" inside "*" reads as strong).
        if (emphasis_depth_[index]++ > 0) {
          --emphasis_depth_[index];
          return push(f);
        }
        push_inline(f, m);
        return push(f);
      }
      case Tag::kA: {
        if (plain_ || in_link_ > 0 || !n->has_attr("href")) return push(f);
        uint32_t offset = static_cast<uint32_t>(closers_.size());
        closers_.append("](");
        if (!resolve(n->attr_value("href"), closers_)) {
          closers_.resize(offset);
          return push(f);
        }
        write_title(n->attr_value("title"), closers_);
        closers_.push_back(')');
        f.closer_offset = offset;
        f.closer_len = static_cast<uint32_t>(closers_.size() - offset);
        ++in_link_;
        push_inline(f, Marker::kLink);
        return push(f);
      }
      case Tag::kTable:
        if (single_line_ > 0 || table_active_ || !is_data_table(n)) {
          f.kind = Kind::kBlock;
          request_block_break(2);
          return push(f);
        }
        f.kind = Kind::kDataTable;
        enter_data_table(n, f);
        return push(f);
      case Tag::kCaption:
        if (table_active_) return false;  // written by enter_data_table
        break;
      case Tag::kThead:
      case Tag::kTbody:
      case Tag::kTfoot:
        if (table_active_) return push(f);
        break;
      case Tag::kTr:
        if (table_active_ && !in_cell_) {
          f.kind = Kind::kRow;
          enter_row();
          return push(f);
        }
        break;
      case Tag::kTd:
      case Tag::kTh:
        if (table_active_ && !in_cell_ && !frames_.empty() && frames_.back().kind == Kind::kRow) {
          enter_cell(f);
          return push(f);
        }
        // A layout table's cells are blocks of their own.
        f.kind = Kind::kBlock;
        request_block_break(2);
        return push(f);
      case Tag::kDt: {
        const Node* prev = n->prev_element_sibling();
        request_block_break(prev != nullptr && prev->is(Tag::kDt) ? 1 : 2);
        f.kind = Kind::kTerm;
        if (!plain_ && emphasis_depth_[static_cast<size_t>(Marker::kStrong)]++ == 0) {
          push_inline(f, Marker::kStrong);
          f.kind = Kind::kTerm;
        } else if (!plain_) {
          --emphasis_depth_[static_cast<size_t>(Marker::kStrong)];
        }
        return push(f);
      }
      case Tag::kDd:
        request_block_break(1);
        f.kind = Kind::kDefinition;
        if (!plain_ && single_line_ == 0) {
          block_marker_ = ": ";
          block_marker_frame_ = static_cast<uint32_t>(frames_.size());
        }
        return push(f);
      default:
        break;
    }
    if (is_block(n)) {
      f.kind = Kind::kBlock;
      request_block_break(2);
    }
    return push(f);
  }

  bool enter_list(const Node* n, Frame& f) {
    if (single_line_ > 0) {
      request_block_break(1);
      f.kind = Kind::kBlock;
      return push(f);
    }
    f.kind = Kind::kList;
    f.ordered = n->is(Tag::kOl);
    uint32_t items = 0;
    for (const Node* li = n->first_child; li != nullptr; li = li->next_sibling) {
      if (!li->is(Tag::kLi)) continue;
      ++items;
      // Loose when an item holds a paragraph or several blocks: those are separated by blank
      // lines, which makes the whole list loose in CommonMark (5.3) anyway.
      int blocks = 0;
      for (const Node* c = li->first_child; c != nullptr && !f.loose; c = c->next_sibling) {
        if (!c->is_element() || is_skipped(c)) continue;
        if (c->is(Tag::kP)) f.loose = true;
        if (is_block(c) && !c->is(Tag::kUl) && !c->is(Tag::kOl) && !c->is(Tag::kMenu) &&
            ++blocks >= 2) {
          f.loose = true;
        }
      }
    }
    f.item_break = f.loose ? 2 : 1;
    if (f.ordered) {
      bool reversed = n->has_attr("reversed");
      f.step = reversed ? -1 : 1;
      int64_t start = 0;
      if (parse_html_int(n->attr_value("start"), &start)) {
        f.next_number = start;
      } else {
        f.next_number = reversed ? items : 1;
      }
    }
    // A list right inside a tight item stays tight; "2." cannot interrupt a paragraph, so an
    // ordered list not starting at 1 always gets a blank line before it.
    bool tight_parent = item_state_ == kTightItem || (plain_ && item_state_ != kNoItem);
    bool needs_blank = f.ordered && f.next_number != 1;
    request_block_break(tight_parent && !needs_blank ? 1 : 2);
    f.out_at_enter = static_cast<uint32_t>(out_.size());
    // Two lists in a row would merge into one (loose) list; a list that follows another list of
    // the same kind at the same level switches its bullet ("-" / "*") or delimiter ("." / ")"),
    // which starts a new list (CommonMark 5.3).
    f.alternate = last_list_end_ == out_.size() && last_list_depth_ == containers_.size() &&
                  last_list_ordered_ == f.ordered && !last_list_alternate_;
    return push(f);
  }

  bool enter_item(const Node* n, Frame& f) {
    if (single_line_ > 0) {
      request_block_break(1);
      f.kind = Kind::kBlock;
      return push(f);
    }
    f.kind = Kind::kItem;
    Frame* list = nullptr;
    if (!frames_.empty() && frames_.back().kind == Kind::kList &&
        frames_.back().node == n->parent) {
      list = &frames_.back();
    }
    bool loose = list != nullptr && list->loose;
    f.item_break = loose ? 2 : 1;
    request_block_break(f.item_break);
    f.saved_item_state = item_state_;
    f.saved_item_serial = item_serial_;
    item_state_ = loose ? kLooseItem : kTightItem;
    item_serial_ = ++item_serial_counter_;
    if (plain_ || containers_.size() >= limits::kMaxMarkdownNesting) return push(f);
    Container c;
    c.first_pending = true;
    // The first item also carries the break before its list.
    // Until an item has written something, an item also carries the break before its list.
    // After content outside the items, the item starts a new paragraph-level block.
    bool first = list == nullptr || list->out_at_enter == out_.size();
    c.item_break = first ? std::max(pending_break_, f.item_break) : f.item_break;
    if (list != nullptr && list->after_stray) c.item_break = 2;
    if (list != nullptr) list->after_stray = false;
    if (list != nullptr && list->ordered) {
      int64_t number = list->next_number;
      int64_t value = 0;
      if (parse_html_int(n->attr_value("value"), &value)) number = value;
      list->next_number = number + list->step;
      // CommonMark list numbers have at most 9 digits and no sign.
      number = std::clamp<int64_t>(number, 0, 999'999'999);
      char digits[12];
      int len = 0;
      do {
        digits[len++] = static_cast<char>('0' + number % 10);
        number /= 10;
      } while (number > 0);
      while (len > 0) c.marker[c.marker_len++] = digits[--len];
      c.marker[c.marker_len++] = list->alternate ? ')' : '.';
      c.marker[c.marker_len++] = ' ';
    } else {
      c.marker[c.marker_len++] = list != nullptr && list->alternate ? '*' : '-';
      c.marker[c.marker_len++] = ' ';
    }
    containers_.push_back(c);
    f.container = true;
    return push(f);
  }

  void leave(const Node* n) {
    (void)n;
    Frame f = frames_.back();
    uint32_t index = static_cast<uint32_t>(frames_.size() - 1);
    if (f.has_inline) {
      InlineEntry e = inline_.back();
      inline_.pop_back();
      close_inline(f, e);
      if (f.marker == Marker::kLink) {
        --in_link_;
        closers_.resize(f.closer_offset);
      } else {
        --emphasis_depth_[static_cast<size_t>(f.marker)];
      }
    }
    if (block_marker_frame_ == index) {
      block_marker_ = {};
      block_marker_frame_ = kNone;
    }
    switch (f.kind) {
      case Kind::kPlain:
      case Kind::kInline:
        break;
      case Kind::kBlock:
        request_block_break(2);
        break;
      case Kind::kHeading:
        --single_line_;
        fragile_.clear();  // the line ends here
        deferred_pos_ = kNone;
        if (heading_content_start_ != kNone) escape_closing_hashes();
        heading_content_start_ = kNone;
        request_block_break(2);
        break;
      case Kind::kList:
        if (out_.size() != f.out_at_enter) {
          last_list_end_ = out_.size();
          last_list_depth_ = containers_.size();
          last_list_ordered_ = f.ordered;
          last_list_alternate_ = f.alternate;
        }
        if (item_state_ != kNoItem) {
          request_block_break(1);
          after_list_serial_ = item_serial_;
        } else {
          request_block_break(2);
        }
        break;
      case Kind::kItem:
        if (f.container) containers_.pop_back();
        item_state_ = static_cast<ItemState>(f.saved_item_state);
        item_serial_ = f.saved_item_serial;
        request_block_break(f.item_break);
        break;
      case Kind::kQuote:
        if (f.container) containers_.pop_back();
        request_block_break(2);
        break;
      case Kind::kDataTable:
        leave_data_table(f);
        break;
      case Kind::kRow:
        leave_row();
        break;
      case Kind::kCell:
        leave_cell(f);
        break;
      case Kind::kTerm:
      case Kind::kDefinition:
        request_block_break(1);
        break;
    }
    frames_.pop_back();
  }

  // "## Title #" would lose its " #" as an ATX closing sequence (CommonMark 4.2).
  void escape_closing_hashes() {
    size_t end = out_.size();
    size_t i = end;
    while (i > heading_content_start_ && out_[i - 1] == '#') --i;
    if (i == end) return;
    if (i == heading_content_start_ || out_[i - 1] == ' ') out_.insert(i, 1, '\\');
  }

  std::string& out_;
  const url::Url* base_;
  const bool plain_;
  const Node* root_ = nullptr;

  std::vector<Frame> frames_;
  std::vector<Container> containers_;
  std::vector<InlineEntry> inline_;
  uint32_t inline_base_ = 0;
  std::string closers_;  // link closers of open links, a stack of slices
  std::string scratch_;
  std::string pre_buf_;
  std::string table_buf_;

  int pending_break_ = 0;
  bool hard_break_ = false;
  bool pending_space_ = false;
  bool line_start_ = true;
  int single_line_ = 0;
  int in_link_ = 0;
  std::array<int, 3> emphasis_depth_ = {0, 0, 0};
  std::string_view block_marker_;
  uint32_t block_marker_frame_ = kNone;
  uint32_t heading_content_start_ = kNone;
  size_t bracket_pos_ = kNone;   // a "]" written last in a text node, not escaped
  size_t deferred_pos_ = kNone;  // see defer_escape
  bool deferred_word_ok_ = false;
  size_t last_closer_end_ = kNone;
  uint32_t last_closer_open_pos_ = 0;
  size_t last_list_end_ = kNone;  // where the last list ended, its level and kind
  size_t last_list_depth_ = 0;
  bool last_list_ordered_ = false;
  bool last_list_alternate_ = false;
  size_t run_start_ = 0;  // the delimiter run (emphasis markers) written last
  size_t run_end_ = kNone;
  std::vector<FragileSpan> fragile_;
  std::vector<std::pair<uint32_t, uint32_t>> span_buf_;  // (position, length) to erase
  Marker last_closer_marker_ = Marker::kEm;

  ItemState item_state_ = kNoItem;
  uint32_t item_serial_ = 0;
  uint32_t item_serial_counter_ = 0;
  uint32_t after_list_serial_ = 0;

  bool tables_scanned_ = false;
  std::vector<TableInfo> tables_;
  size_t table_cursor_ = 0;
  bool table_active_ = false;
  bool in_cell_ = false;
  uint32_t table_start_ = 0;
  uint32_t cell_start_ = 0;
  uint32_t row_start_ = 0;
  uint32_t column_ = 0;
  uint32_t cells_in_row_ = 0;
  std::vector<CellSpan> cells_;
  std::vector<uint32_t> row_ends_;
  std::vector<uint32_t> rowspan_left_;
};

}  // namespace

std::string to_markdown(const Node* root, const RenderOptions& options) {
  std::string out;
  Renderer(out, options.base, /*plain=*/false).render(root);
  return out;
}

std::string to_text(const Node* root) {
  std::string out;
  Renderer(out, nullptr, /*plain=*/true).render(root);
  return out;
}

}  // namespace riptide::extract
