// Selector parsing: a CSS Syntax Level 3 tokenizer (the subset selectors need) followed by a
// recursive-descent parser for the Selectors Level 4 grammar. Recursion happens only for nested
// selector lists (:not/:is/:where/:has/"of S") and is bounded by limits::kMaxSelectorNesting;
// sequences of compounds and simple selectors are parsed in loops.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "html/selector.h"

namespace riptide::html {

namespace {

enum class TokenType : uint8_t {
  kIdent,
  kFunction,  // ident immediately followed by '('; value is the name
  kHash,
  kString,
  kNumber,
  kDimension,  // number + unit; value is the unit
  kPercentage,
  kWhitespace,
  kDelim,
  kColon,
  kComma,
  kLeftBracket,
  kRightBracket,
  kLeftParen,
  kRightParen,
  kEof,
};

struct Token {
  TokenType type = TokenType::kEof;
  char delim = 0;
  bool hash_is_id = false;  // hash token with type flag "id" (would start an identifier)
  bool is_integer = false;  // number/dimension without fraction or exponent
  bool has_sign = false;    // number/dimension written with a leading '+' or '-'
  uint32_t pos = 0;         // byte offset in the selector text
  int64_t int_value = 0;    // integer part, saturated to +/- kIntClamp
  std::string value;        // decoded ident / function name / hash name / string / unit
};

constexpr int64_t kIntClamp = int64_t{1} << 40;

Error syntax_error(std::string message, uint32_t pos) {
  return Error(ErrorCode::kInvalidArgument, std::move(message) + " at " + std::to_string(pos));
}

// CSS Syntax 3, 4.2 "Definitions": whitespace, newline, name code points. Bytes >= 0x80 are
// parts of non-ASCII code points, which are name code points; NUL becomes U+FFFD (3.3
// "Preprocessing the input stream"), also a name code point. Input is never assumed valid UTF-8.
constexpr bool is_css_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
constexpr bool is_newline(char c) {
  return c == '\n' || c == '\r' || c == '\f';
}
constexpr bool is_name_start(char c) {
  return str::is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80 || c == '\0';
}
constexpr bool is_name_char(char c) {
  return is_name_start(c) || str::is_digit(c) || c == '-';
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : s_(text) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    for (;;) {
      Token t;
      Status st = next(t);
      if (!st.ok()) return st.error();
      bool eof = t.type == TokenType::kEof;
      out.push_back(std::move(t));
      if (eof) return out;
    }
  }

 private:
  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  bool has(size_t i) const { return i < s_.size(); }

  // 4.3.8 "Check if two code points are a valid escape".
  bool valid_escape(size_t i) const {
    return has(i) && s_[i] == '\\' && !(has(i + 1) && is_newline(s_[i + 1]));
  }
  // 4.3.9 "Check if three code points would start an ident sequence".
  bool starts_ident(size_t i) const {
    if (!has(i)) return false;
    char c = s_[i];
    if (c == '-') {
      return (has(i + 1) && (is_name_start(s_[i + 1]) || s_[i + 1] == '-')) || valid_escape(i + 1);
    }
    if (is_name_start(c)) return true;
    return valid_escape(i);
  }
  // 4.3.10 "Check if three code points would start a number".
  bool starts_number(size_t i) const {
    if (!has(i)) return false;
    char c = s_[i];
    if (c == '+' || c == '-') {
      return str::is_digit(at(i + 1)) || (at(i + 1) == '.' && str::is_digit(at(i + 2)));
    }
    if (c == '.') return str::is_digit(at(i + 1));
    return str::is_digit(c);
  }

  // 4.3.7 "Consume an escaped code point"; pos_ is just past the backslash.
  void consume_escape(std::string& out) {
    if (!has(pos_)) {
      utf8::append(out, utf8::kReplacement);
      return;
    }
    if (str::is_hex_digit(s_[pos_])) {
      char32_t cp = 0;
      for (int n = 0; n < 6 && has(pos_) && str::is_hex_digit(s_[pos_]); ++n, ++pos_) {
        cp = cp * 16 + static_cast<char32_t>(str::hex_value(s_[pos_]));
      }
      if (has(pos_) && is_css_space(s_[pos_])) {
        // A CRLF pair is one newline after preprocessing.
        if (s_[pos_] == '\r' && at(pos_ + 1) == '\n') ++pos_;
        ++pos_;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = utf8::kReplacement;
      utf8::append(out, cp);
      return;
    }
    // Any other code point stands for itself; copy its bytes as they are.
    size_t len = 1;
    if (static_cast<unsigned char>(s_[pos_]) >= 0x80) {
      utf8::decode(s_.data() + pos_, s_.data() + s_.size(), &len);
    }
    if (s_[pos_] == '\0') {
      utf8::append(out, utf8::kReplacement);
    } else {
      out.append(s_.substr(pos_, len));
    }
    pos_ += len;
  }

  // 4.3.12 "Consume an ident sequence".
  std::string consume_name() {
    std::string out;
    while (has(pos_)) {
      char c = s_[pos_];
      if (c == '\0') {
        utf8::append(out, utf8::kReplacement);
        ++pos_;
      } else if (is_name_char(c)) {
        out.push_back(c);
        ++pos_;
      } else if (valid_escape(pos_)) {
        ++pos_;
        consume_escape(out);
      } else {
        break;
      }
    }
    return out;
  }

  // 4.3.3 "Consume a numeric token" with 4.3.13 "Consume a number". Only the integer part is
  // kept: An+B needs integers, and a fraction or exponent just makes the token non-integer.
  void consume_numeric(Token& t) {
    t.is_integer = true;
    char c = s_[pos_];
    bool negative = false;
    if (c == '+' || c == '-') {
      t.has_sign = true;
      negative = c == '-';
      ++pos_;
    }
    int64_t v = 0;
    while (has(pos_) && str::is_digit(s_[pos_])) {
      v = std::min<int64_t>(v * 10 + (s_[pos_] - '0'), kIntClamp);
      ++pos_;
    }
    if (at(pos_) == '.' && str::is_digit(at(pos_ + 1))) {
      t.is_integer = false;
      ++pos_;
      while (has(pos_) && str::is_digit(s_[pos_])) ++pos_;
    }
    if ((at(pos_) == 'e' || at(pos_) == 'E') &&
        (str::is_digit(at(pos_ + 1)) ||
         ((at(pos_ + 1) == '+' || at(pos_ + 1) == '-') && str::is_digit(at(pos_ + 2))))) {
      t.is_integer = false;
      pos_ += 2;
      while (has(pos_) && str::is_digit(s_[pos_])) ++pos_;
    }
    t.int_value = negative ? -v : v;
    if (starts_ident(pos_)) {
      t.type = TokenType::kDimension;
      t.value = consume_name();
    } else if (at(pos_) == '%') {
      t.type = TokenType::kPercentage;
      ++pos_;
    } else {
      t.type = TokenType::kNumber;
    }
  }

  // 4.3.5 "Consume a string token"; pos_ is just past the opening quote. An unescaped newline
  // makes a bad string, which no selector can contain.
  Status consume_string(Token& t, char quote) {
    t.type = TokenType::kString;
    while (has(pos_)) {
      char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        return {};
      }
      if (is_newline(c)) return syntax_error("unterminated string", t.pos);
      if (c == '\\') {
        if (!has(pos_ + 1)) {
          ++pos_;
          continue;
        }
        if (is_newline(s_[pos_ + 1])) {
          // An escaped newline is a line continuation.
          pos_ += (s_[pos_ + 1] == '\r' && at(pos_ + 2) == '\n') ? 3 : 2;
          continue;
        }
        ++pos_;
        consume_escape(t.value);
        continue;
      }
      if (c == '\0') {
        utf8::append(t.value, utf8::kReplacement);
      } else {
        t.value.push_back(c);
      }
      ++pos_;
    }
    // EOF inside a string is a parse error, but the token stands (4.3.5).
    return {};
  }

  // 4.3.1 "Consume a token".
  Status next(Token& t) {
    // Comments are not tokens (4.3.2); they separate tokens without being whitespace.
    while (at(pos_) == '/' && at(pos_ + 1) == '*' && has(pos_ + 1)) {
      size_t end = s_.find("*/", pos_ + 2);
      pos_ = end == std::string_view::npos ? s_.size() : end + 2;
    }
    t.pos = static_cast<uint32_t>(pos_);
    if (!has(pos_)) {
      t.type = TokenType::kEof;
      return {};
    }
    char c = s_[pos_];
    if (is_css_space(c)) {
      while (has(pos_) && is_css_space(s_[pos_])) ++pos_;
      t.type = TokenType::kWhitespace;
      return {};
    }
    if (c == '"' || c == '\'') {
      ++pos_;
      return consume_string(t, c);
    }
    if (c == '#') {
      if (has(pos_ + 1) && (is_name_char(s_[pos_ + 1]) || valid_escape(pos_ + 1))) {
        t.type = TokenType::kHash;
        t.hash_is_id = starts_ident(pos_ + 1);
        ++pos_;
        t.value = consume_name();
        return {};
      }
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == ':') {
      ++pos_;
      t.type = c == '('   ? TokenType::kLeftParen
               : c == ')' ? TokenType::kRightParen
               : c == '[' ? TokenType::kLeftBracket
               : c == ']' ? TokenType::kRightBracket
               : c == ',' ? TokenType::kComma
                          : TokenType::kColon;
      return {};
    } else if (starts_number(pos_)) {
      consume_numeric(t);
      return {};
    } else if (starts_ident(pos_)) {
      // 4.3.4 "Consume an ident-like token".
      t.value = consume_name();
      t.type = TokenType::kIdent;
      if (at(pos_) == '(' && has(pos_)) {
        ++pos_;
        t.type = TokenType::kFunction;
      }
      return {};
    }
    t.type = TokenType::kDelim;
    t.delim = c;
    ++pos_;
    return {};
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// HTML 4.16.2 "Case-sensitivity of selectors": attributes whose values are compared ASCII
// case-insensitively on HTML elements in HTML documents. Sorted for binary search.
constexpr std::array<std::string_view, 46> kCaseInsensitiveAttributes = {
    "accept",     "accept-charset", "align",     "alink",    "axis",     "bgcolor", "charset",
    "checked",    "clear",          "codetype",  "color",    "compact",  "declare", "defer",
    "dir",        "direction",      "disabled",  "enctype",  "face",     "frame",   "hreflang",
    "http-equiv", "lang",           "language",  "link",     "media",    "method",  "multiple",
    "nohref",     "noresize",       "noshade",   "nowrap",   "readonly", "rel",     "rev",
    "rules",      "scope",          "scrolling", "selected", "shape",    "target",  "text",
    "type",       "valign",         "valuetype", "vlink",
};

std::string describe(const Token& t) {
  switch (t.type) {
    case TokenType::kIdent:
      return "'" + t.value + "'";
    case TokenType::kFunction:
      return "'" + t.value + "('";
    case TokenType::kHash:
      return "'#" + t.value + "'";
    case TokenType::kString:
      return "string";
    case TokenType::kNumber:
    case TokenType::kDimension:
    case TokenType::kPercentage:
      return "number";
    case TokenType::kWhitespace:
      return "whitespace";
    case TokenType::kDelim:
      return std::string("'") + t.delim + "'";
    case TokenType::kColon:
      return "':'";
    case TokenType::kComma:
      return "','";
    case TokenType::kLeftBracket:
      return "'['";
    case TokenType::kRightBracket:
      return "']'";
    case TokenType::kLeftParen:
      return "'('";
    case TokenType::kRightParen:
      return "')'";
    case TokenType::kEof:
      return "end of selector";
  }
  return "token";
}

int32_t clamp32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN + 1, INT32_MAX));
}

// "n-<digits>" (ASCII case-insensitive n): the digits' value, else -1.
int64_t ndash_digits(std::string_view s) {
  if (s.size() < 3 || str::to_lower(s[0]) != 'n' || s[1] != '-') return -1;
  int64_t v = 0;
  for (char c : s.substr(2)) {
    if (!str::is_digit(c)) return -1;
    v = std::min<int64_t>(v * 10 + (c - '0'), kIntClamp);
  }
  return v;
}

}  // namespace

// Builds Selector/SelectorList objects from the token stream. Friend of both.
class SelectorParser {
 public:
  explicit SelectorParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<SelectorList> parse() {
    SelectorList list;
    Status st = parse_list(list, /*relative=*/false, /*depth=*/0, /*in_has=*/false);
    if (!st.ok()) return st.error();
    return list;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  bool peek_is(TokenType type, size_t ahead = 0) const { return peek(ahead).type == type; }
  bool peek_delim(char c, size_t ahead = 0) const {
    return peek(ahead).type == TokenType::kDelim && peek(ahead).delim == c;
  }
  void advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool skip_ws() {
    bool any = false;
    while (peek_is(TokenType::kWhitespace)) {
      advance();
      any = true;
    }
    return any;
  }
  Error unexpected(const Token& t) const {
    return syntax_error("unexpected " + describe(t), t.pos);
  }
  Error namespace_error(const Token& t) const {
    return syntax_error("namespace prefixes are not supported", t.pos);
  }

  static uint32_t add_text(Selector& sel, std::string_view s) {
    auto offset = static_cast<uint32_t>(sel.text_.size());
    sel.text_.append(s);
    return offset;
  }
  static void set_name(Selector& sel, Selector::Simple& simple, std::string_view name) {
    simple.name_offset = add_text(sel, name);
    simple.lower_offset = add_text(sel, str::to_lower(name));
    simple.name_length = static_cast<uint32_t>(name.size());
  }
  static void set_value(Selector& sel, Selector::Simple& simple, std::string_view value) {
    simple.value_offset = add_text(sel, value);
    simple.value_length = static_cast<uint32_t>(value.size());
  }

  // Selectors 4, 4.1 "Selector lists": complex selectors separated by commas. Top-level lists end
  // at EOF; nested ones (depth > 0) at ')', which the caller consumes.
  Status parse_list(SelectorList& out, bool relative, uint32_t depth, bool in_has) {
    for (;;) {
      Selector sel;
      Status st = parse_complex(sel, relative, depth, in_has);
      if (!st.ok()) return st;
      out.selectors_.push_back(std::move(sel));
      const Token& t = peek();
      if (t.type == TokenType::kComma) {
        advance();
        continue;
      }
      if (depth > 0 ? t.type == TokenType::kRightParen : t.type == TokenType::kEof) return {};
      return unexpected(t);
    }
  }

  // 3.1 "Structure and terminology": compounds joined by combinators (16 "Combinators"). A
  // relative selector (:has) may start with a combinator; it is compiled as
  // "<the :has anchor> <comb> ...", the descendant combinator when none is written.
  // Stops before ',' / ')' / EOF with trailing whitespace skipped.
  Status parse_complex(Selector& sel, bool relative, uint32_t depth, bool in_has) {
    skip_ws();
    Combinator pending = Combinator::kNone;
    if (relative) {
      pending = Combinator::kDescendant;
      if (peek_delim('>')) pending = Combinator::kChild;
      if (peek_delim('+')) pending = Combinator::kNextSibling;
      if (peek_delim('~')) pending = Combinator::kSubsequentSibling;
      if (peek_is(TokenType::kDelim) && pending != Combinator::kDescendant) {
        sel.leading_ = pending;
        advance();
        skip_ws();
      } else {
        sel.leading_ = Combinator::kDescendant;
      }
      Selector::Simple anchor;
      anchor.kind = Selector::Kind::kHasAnchor;
      sel.simples_.push_back(anchor);
      sel.compounds_.push_back({0, 1, Combinator::kNone});
    }
    for (;;) {
      auto first = static_cast<uint32_t>(sel.simples_.size());
      bool any = false;
      Status st = parse_compound(sel, depth, in_has, any);
      if (!st.ok()) return st;
      if (!any) return unexpected(peek());
      sel.compounds_.push_back(
          {first, static_cast<uint32_t>(sel.simples_.size()) - first, pending});
      bool ws = skip_ws();
      const Token& t = peek();
      if (t.type == TokenType::kDelim && (t.delim == '>' || t.delim == '+' || t.delim == '~')) {
        pending = t.delim == '>'   ? Combinator::kChild
                  : t.delim == '+' ? Combinator::kNextSibling
                                   : Combinator::kSubsequentSibling;
        advance();
        skip_ws();
        continue;
      }
      if (t.type == TokenType::kComma || t.type == TokenType::kRightParen ||
          t.type == TokenType::kEof) {
        break;
      }
      if (!ws) return unexpected(t);
      pending = Combinator::kDescendant;
    }
    // Matching runs right to left: make compound 0 the subject.
    std::reverse(sel.compounds_.begin(), sel.compounds_.end());
    return {};
  }

  // 3.1: [ <type-selector>? <subclass-selector>* ]; `any` says whether anything was consumed.
  Status parse_compound(Selector& sel, uint32_t depth, bool in_has, bool& any) {
    const Token& first = peek();
    if (first.type == TokenType::kIdent || peek_delim('*')) {
      // 5.1 "Type selectors" / 5.2 "Universal selector"; ns|E is not supported.
      if (peek_delim('|', 1)) return namespace_error(first);
      if (first.type == TokenType::kIdent) {
        Selector::Simple simple;
        simple.kind = Selector::Kind::kType;
        set_name(sel, simple, first.value);
        simple.tag = lookup_tag(str::to_lower(first.value));
        sel.simples_.push_back(simple);
      }
      any = true;
      advance();
    } else if (peek_delim('|')) {
      return namespace_error(first);
    }
    for (;;) {
      const Token& t = peek();
      if (t.type == TokenType::kHash) {
        // 6.7 "ID selectors": the hash must be a valid identifier ("#1a" is not).
        if (!t.hash_is_id) return syntax_error("invalid id selector '#" + t.value + "'", t.pos);
        Selector::Simple simple;
        simple.kind = Selector::Kind::kId;
        set_value(sel, simple, t.value);
        sel.simples_.push_back(simple);
        advance();
      } else if (t.type == TokenType::kDelim && t.delim == '.') {
        // 6.6 "Class selectors".
        advance();
        const Token& name = peek();
        if (name.type != TokenType::kIdent) {
          return syntax_error("expected class name after '.'", name.pos);
        }
        Selector::Simple simple;
        simple.kind = Selector::Kind::kClass;
        set_value(sel, simple, name.value);
        sel.simples_.push_back(simple);
        advance();
      } else if (t.type == TokenType::kLeftBracket) {
        Status st = parse_attribute(sel);
        if (!st.ok()) return st;
      } else if (t.type == TokenType::kColon) {
        Status st = parse_pseudo(sel, depth, in_has);
        if (!st.ok()) return st;
      } else {
        return {};
      }
      any = true;
    }
  }

  // 6 "Attribute selectors": '[' name [ op value [i|s] ]? ']' with whitespace allowed inside.
  Status parse_attribute(Selector& sel) {
    advance();  // '['
    skip_ws();
    if (peek_delim('|') || (peek_delim('*') && peek_delim('|', 1))) return namespace_error(peek());
    const Token& name = peek();
    if (name.type != TokenType::kIdent) return syntax_error("expected attribute name", name.pos);
    if (peek_delim('|', 1) && !peek_delim('=', 2)) return namespace_error(name);
    Selector::Simple simple;
    simple.kind = Selector::Kind::kAttrExists;
    set_name(sel, simple, name.value);
    std::string lower = str::to_lower(name.value);
    simple.html_case_insensitive = std::binary_search(kCaseInsensitiveAttributes.begin(),
                                                      kCaseInsensitiveAttributes.end(), lower);
    advance();
    skip_ws();
    if (!peek_is(TokenType::kRightBracket)) {
      const Token& op = peek();
      if (op.type != TokenType::kDelim) return unexpected(op);
      if (op.delim == '=') {
        simple.kind = Selector::Kind::kAttrEquals;
        advance();
      } else if (peek_delim('=', 1) &&
                 std::string_view("~|^$*").find(op.delim) != std::string_view::npos) {
        simple.kind = op.delim == '~'   ? Selector::Kind::kAttrIncludes
                      : op.delim == '|' ? Selector::Kind::kAttrDash
                      : op.delim == '^' ? Selector::Kind::kAttrPrefix
                      : op.delim == '$' ? Selector::Kind::kAttrSuffix
                                        : Selector::Kind::kAttrSubstring;
        advance();
        advance();
      } else {
        return unexpected(op);
      }
      skip_ws();
      const Token& value = peek();
      if (value.type != TokenType::kIdent && value.type != TokenType::kString) {
        return syntax_error("expected attribute value", value.pos);
      }
      set_value(sel, simple, value.value);
      advance();
      skip_ws();
      // 6.3 "Case-sensitivity": the i and s flags.
      if (peek_is(TokenType::kIdent)) {
        const Token& flag = peek();
        std::string f = str::to_lower(flag.value);
        if (f == "i") {
          simple.case_mode = Selector::CaseMode::kInsensitive;
        } else if (f == "s") {
          simple.case_mode = Selector::CaseMode::kSensitive;
        } else {
          return syntax_error("invalid attribute flag '" + flag.value + "'", flag.pos);
        }
        advance();
        skip_ws();
      }
    }
    if (!peek_is(TokenType::kRightBracket)) return syntax_error("expected ']'", peek().pos);
    advance();
    sel.simples_.push_back(simple);
    return {};
  }

  Status parse_pseudo(Selector& sel, uint32_t depth, bool in_has) {
    uint32_t colon_pos = peek().pos;
    advance();  // ':'
    const Token& t = peek();
    if (t.type == TokenType::kColon) {
      return syntax_error("pseudo-elements are not supported", colon_pos);
    }
    using Kind = Selector::Kind;
    Selector::Simple simple;
    if (t.type == TokenType::kIdent) {
      // 14 "Tree-structural pseudo-classes" and 3.6 ":root"/":scope".
      std::string name = str::to_lower(t.value);
      auto nth = [&](Kind kind) {
        Selector::Simple s;
        s.kind = kind;
        s.a = 0;
        s.b = 1;
        sel.simples_.push_back(s);
      };
      if (name == "first-child") {
        nth(Kind::kNthChild);
      } else if (name == "last-child") {
        nth(Kind::kNthLastChild);
      } else if (name == "only-child") {
        nth(Kind::kNthChild);
        nth(Kind::kNthLastChild);
      } else if (name == "first-of-type") {
        nth(Kind::kNthOfType);
      } else if (name == "last-of-type") {
        nth(Kind::kNthLastOfType);
      } else if (name == "only-of-type") {
        nth(Kind::kNthOfType);
        nth(Kind::kNthLastOfType);
      } else if (name == "empty" || name == "root" || name == "scope") {
        simple.kind = name == "empty" ? Kind::kEmpty : name == "root" ? Kind::kRoot : Kind::kScope;
        sel.simples_.push_back(simple);
      } else {
        return syntax_error("unknown pseudo-class :" + t.value, colon_pos);
      }
      advance();
      return {};
    }
    if (t.type != TokenType::kFunction) {
      return syntax_error("expected pseudo-class name after ':'", t.pos);
    }
    std::string name = str::to_lower(t.value);
    const uint32_t fn_pos = colon_pos;
    bool is_nth = name == "nth-child" || name == "nth-last-child" || name == "nth-of-type" ||
                  name == "nth-last-of-type";
    bool is_logical = name == "not" || name == "is" || name == "where" || name == "has";
    if (!is_nth && !is_logical) {
      return syntax_error("unknown pseudo-class :" + t.value + "()", colon_pos);
    }
    advance();  // function token, '(' included
    if (name == "has" && in_has) return syntax_error(":has() cannot be nested", fn_pos);
    SelectorList nested;
    bool has_nested = false;
    if (is_nth) {
      simple.kind = name == "nth-child"        ? Kind::kNthChild
                    : name == "nth-last-child" ? Kind::kNthLastChild
                    : name == "nth-of-type"    ? Kind::kNthOfType
                                               : Kind::kNthLastOfType;
      skip_ws();
      Status st = parse_an_plus_b(simple.a, simple.b);
      if (!st.ok()) return st;
      skip_ws();
      // 14.3.1 ":nth-child(An+B [of S]?)"; "of S" is not part of :nth-of-type.
      if (peek_is(TokenType::kIdent) && str::iequals(peek().value, "of") &&
          (simple.kind == Kind::kNthChild || simple.kind == Kind::kNthLastChild)) {
        if (depth + 1 > limits::kMaxSelectorNesting) return nesting_error(fn_pos);
        advance();
        st = parse_list(nested, /*relative=*/false, depth + 1, in_has);
        if (!st.ok()) return st;
        has_nested = true;
      }
    } else {
      // 4.2 :is(), 4.3 :not(), 4.4 :where(), 4.5 :has(). Parsed as strict (not forgiving)
      // lists, so a typo is reported rather than silently matching nothing.
      if (depth + 1 > limits::kMaxSelectorNesting) return nesting_error(fn_pos);
      simple.kind = name == "not" ? Kind::kNot : name == "has" ? Kind::kHas : Kind::kIs;
      bool relative = simple.kind == Kind::kHas;
      Status st = parse_list(nested, relative, depth + 1, in_has || relative);
      if (!st.ok()) return st;
      has_nested = true;
    }
    if (!peek_is(TokenType::kRightParen)) return unexpected(peek());
    advance();
    if (has_nested) {
      simple.nested = static_cast<uint32_t>(sel.nested_.size());
      sel.nested_.push_back(std::move(nested));
    }
    sel.simples_.push_back(simple);
    return {};
  }

  static Error nesting_error(uint32_t pos) {
    return Error(ErrorCode::kResourceLimit, "selector nesting deeper than " +
                                                std::to_string(limits::kMaxSelectorNesting) +
                                                " at " + std::to_string(pos));
  }

  // CSS Syntax 3, 6.2 "Parsing An+B" over tokens. Whitespace is allowed between the parts except
  // between a leading '+' and 'n'.
  Status parse_an_plus_b(int32_t& a, int32_t& b) {
    const Token& t = peek();
    const Error invalid = syntax_error("invalid an+b expression", t.pos);
    b = 0;
    if (t.type == TokenType::kNumber) {
      if (!t.is_integer) return invalid;
      a = 0;
      b = clamp32(t.int_value);
      advance();
      return {};
    }
    std::string n_part;  // the part starting at 'n': "n", "n-", "n-3"
    if (t.type == TokenType::kIdent) {
      std::string v = str::to_lower(t.value);
      if (v == "odd" || v == "even") {
        a = 2;
        b = v == "odd" ? 1 : 0;
        advance();
        return {};
      }
      if (v[0] == '-') {
        a = -1;
        n_part = v.substr(1);
      } else {
        a = 1;
        n_part = v;
      }
      advance();
    } else if (t.type == TokenType::kDelim && t.delim == '+' && peek_is(TokenType::kIdent, 1) &&
               peek(1).value[0] != '-') {
      a = 1;
      n_part = str::to_lower(peek(1).value);
      advance();
      advance();
    } else if (t.type == TokenType::kDimension && t.is_integer) {
      a = clamp32(t.int_value);
      n_part = str::to_lower(t.value);
      advance();
    } else {
      return invalid;
    }
    if (n_part == "n") {
      // Optional " + 5", " - 5" or "+5" / "-5" (a signed number token).
      size_t save = pos_;
      skip_ws();
      const Token& next = peek();
      if (next.type == TokenType::kNumber && next.is_integer && next.has_sign) {
        b = clamp32(next.int_value);
        advance();
        return {};
      }
      if (next.type == TokenType::kDelim && (next.delim == '+' || next.delim == '-')) {
        bool negative = next.delim == '-';
        advance();
        skip_ws();
        const Token& num = peek();
        if (num.type != TokenType::kNumber || !num.is_integer || num.has_sign) {
          return syntax_error("invalid an+b expression", num.pos);
        }
        b = clamp32(negative ? -num.int_value : num.int_value);
        advance();
        return {};
      }
      pos_ = save;
      return {};
    }
    if (n_part == "n-") {
      skip_ws();
      const Token& num = peek();
      if (num.type != TokenType::kNumber || !num.is_integer || num.has_sign) {
        return syntax_error("invalid an+b expression", num.pos);
      }
      b = clamp32(-num.int_value);
      advance();
      return {};
    }
    int64_t digits = ndash_digits(n_part);
    if (digits < 0) return invalid;
    b = clamp32(-digits);
    return {};
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

Selector::Selector() = default;
Selector::~Selector() = default;
Selector::Selector(Selector&&) noexcept = default;
Selector& Selector::operator=(Selector&&) noexcept = default;
const SelectorList& Selector::nested(uint32_t index) const {
  return nested_[index];
}

SelectorList::SelectorList() = default;
SelectorList::~SelectorList() = default;
SelectorList::SelectorList(SelectorList&&) noexcept = default;
SelectorList& SelectorList::operator=(SelectorList&&) noexcept = default;

Result<SelectorList> parse_selector_list(std::string_view text) {
  if (text.size() > limits::kMaxSelectorBytes) {
    return Error(ErrorCode::kResourceLimit,
                 "selector longer than " + std::to_string(limits::kMaxSelectorBytes) + " bytes");
  }
  Result<std::vector<Token>> tokens = Tokenizer(text).run();
  if (!tokens.ok()) return tokens.error();
  return SelectorParser(std::move(tokens).value()).parse();
}

}  // namespace riptide::html
