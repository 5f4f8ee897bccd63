#include "core/json.h"

#include <cstdlib>
#include <string>

#include "core/limits.h"
#include "core/utf8.h"

namespace riptide::json {

using detail::Node;
using detail::Tape;

Value ChildIterator::operator*() const {
  return Value(tape_, index_);
}

ChildIterator& ChildIterator::operator++() {
  index_ = tape_->nodes[index_].next;
  return *this;
}

std::string_view Value::key() const {
  if (tape_ == nullptr) return {};
  const Node& n = node();
  return std::string_view(tape_->pool).substr(n.key_offset, n.key_length);
}

ChildRange Value::children() const {
  if (size() == 0) return {};
  return {ChildIterator(tape_, index_ + 1), ChildIterator(tape_, 0)};
}

Value Value::at(uint32_t i) const {
  if (i >= size()) return {};
  uint32_t child = index_ + 1;
  for (uint32_t k = 0; k < i; ++k) child = tape_->nodes[child].next;
  return Value(tape_, child);
}

Value Value::get(std::string_view name) const {
  if (!is_object()) return {};
  for (Value member : children()) {
    if (member.key() == name) return member;
  }
  return {};
}

// The parser: an explicit stack of open containers instead of recursion, so nesting costs heap
// entries (bounded by kMaxJsonDepth), never C stack.
class Reader {
 public:
  explicit Reader(std::string_view text)
      : begin_(text.data()), pos_(text.data()), end_(text.data() + text.size()) {}

  Result<Document> run() {
    Document doc;
    tape_ = doc.tape_.get();
    Status status = parse_all();
    if (!status.ok()) return status.error();
    return doc;
  }

 private:
  enum class Want : uint8_t { kValue, kValueOrEnd, kKeyOrEnd, kCommaOrEnd };
  struct Frame {
    uint32_t node;
    uint32_t last_child;
    bool is_object;
  };

  Error fail(const char* what) const {
    return Error(ErrorCode::kParseError,
                 std::string("json: ") + what + " at offset " + std::to_string(pos_ - begin_));
  }

  // RFC 8259 section 2: insignificant whitespace is space, tab, LF and CR.
  void skip_space() {
    while (pos_ != end_ && (*pos_ == ' ' || *pos_ == '\t' || *pos_ == '\n' || *pos_ == '\r')) {
      ++pos_;
    }
  }

  Status parse_all() {
    if (end_ - pos_ >= 3 && static_cast<unsigned char>(pos_[0]) == 0xEF &&
        static_cast<unsigned char>(pos_[1]) == 0xBB &&
        static_cast<unsigned char>(pos_[2]) == 0xBF) {
      pos_ += 3;
    }
    Want want = Want::kValue;
    for (;;) {
      skip_space();
      switch (want) {
        case Want::kValue: {
          if (pos_ == end_) return fail("unexpected end of input, expected a value");
          char c = *pos_;
          if (c == '{' || c == '[') {
            if (stack_.size() >= limits::kMaxJsonDepth) {
              return Error(ErrorCode::kResourceLimit,
                           "json: nesting deeper than " + std::to_string(limits::kMaxJsonDepth));
            }
            bool object = c == '{';
            auto index = add(object ? Type::kObject : Type::kArray);
            if (!index.ok()) return index.error();
            stack_.push_back({*index, 0, object});
            ++pos_;
            want = object ? Want::kKeyOrEnd : Want::kValueOrEnd;
            continue;
          }
          Status scalar = parse_scalar();
          if (!scalar.ok()) return scalar;
          want = Want::kCommaOrEnd;
          continue;
        }
        case Want::kValueOrEnd:
          if (pos_ != end_ && *pos_ == ']') {
            close();
            want = Want::kCommaOrEnd;
          } else {
            want = Want::kValue;
          }
          continue;
        case Want::kKeyOrEnd: {
          if (pos_ == end_) return fail("unexpected end of input in an object");
          if (*pos_ == '}') {
            close();
            want = Want::kCommaOrEnd;
            continue;
          }
          if (*pos_ != '"') return fail("expected a member name");
          ++pos_;
          key_offset_ = static_cast<uint32_t>(tape_->pool.size());
          Status key = parse_string_body();
          if (!key.ok()) return key;
          key_length_ = static_cast<uint32_t>(tape_->pool.size()) - key_offset_;
          skip_space();
          if (pos_ == end_ || *pos_ != ':') return fail("expected ':' after a member name");
          ++pos_;
          want = Want::kValue;
          continue;
        }
        case Want::kCommaOrEnd: {
          if (stack_.empty()) {
            // Lenient: scripts sometimes end the embedded value with ';'.
            while (pos_ != end_ && *pos_ == ';') {
              ++pos_;
              skip_space();
            }
            if (pos_ != end_) return fail("unexpected text after the value");
            return Status::ok_status();
          }
          if (pos_ == end_) return fail("unexpected end of input in a container");
          const Frame& top = stack_.back();
          char c = *pos_;
          if (c == ',') {
            ++pos_;
            // Lenient: a trailing comma before the closing bracket is accepted.
            want = top.is_object ? Want::kKeyOrEnd : Want::kValueOrEnd;
          } else if ((c == '}' && top.is_object) || (c == ']' && !top.is_object)) {
            close();
          } else {
            return fail(top.is_object ? "expected ',' or '}'" : "expected ',' or ']'");
          }
          continue;
        }
      }
    }
  }

  // Appends a value node, links it into the open container and gives it the pending member name.
  Result<uint32_t> add(Type type) {
    if (tape_->nodes.size() >= limits::kMaxJsonValues) {
      return Error(ErrorCode::kResourceLimit,
                   "json: more than " + std::to_string(limits::kMaxJsonValues) + " values");
    }
    auto index = static_cast<uint32_t>(tape_->nodes.size());
    Node node;
    node.type = type;
    if (!stack_.empty()) {
      Frame& parent = stack_.back();
      if (parent.last_child != 0) tape_->nodes[parent.last_child].next = index;
      parent.last_child = index;
      ++tape_->nodes[parent.node].count;
      if (parent.is_object) {
        node.key_offset = key_offset_;
        node.key_length = key_length_;
      }
    }
    tape_->nodes.push_back(node);
    return index;
  }

  void close() {
    stack_.pop_back();
    ++pos_;
  }

  bool consume_literal(std::string_view word) {
    if (static_cast<size_t>(end_ - pos_) < word.size() ||
        std::string_view(pos_, word.size()) != word) {
      return false;
    }
    pos_ += word.size();
    return true;
  }

  Status parse_scalar() {
    char c = *pos_;
    if (c == '"') {
      ++pos_;
      auto offset = static_cast<uint32_t>(tape_->pool.size());
      Status body = parse_string_body();
      if (!body.ok()) return body;
      auto index = add(Type::kString);
      if (!index.ok()) return index.error();
      Node& node = tape_->nodes[*index];
      node.text_offset = offset;
      node.text_length = static_cast<uint32_t>(tape_->pool.size()) - offset;
      return Status::ok_status();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    Type type;
    bool boolean = false;
    if (consume_literal("true")) {
      type = Type::kBool;
      boolean = true;
    } else if (consume_literal("false")) {
      type = Type::kBool;
    } else if (consume_literal("null")) {
      type = Type::kNull;
    } else {
      return fail("unexpected character");
    }
    auto index = add(type);
    if (!index.ok()) return index.error();
    tape_->nodes[*index].boolean = boolean;
    return Status::ok_status();
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  Status parse_number() {
    const char* start = pos_;
    if (*pos_ == '-') ++pos_;
    if (pos_ == end_ || !is_digit(*pos_)) return fail("invalid number");
    if (*pos_ == '0') {
      ++pos_;
    } else {
      while (pos_ != end_ && is_digit(*pos_)) ++pos_;
    }
    if (pos_ != end_ && *pos_ == '.') {
      ++pos_;
      if (pos_ == end_ || !is_digit(*pos_)) return fail("invalid number fraction");
      while (pos_ != end_ && is_digit(*pos_)) ++pos_;
    }
    if (pos_ != end_ && (*pos_ == 'e' || *pos_ == 'E')) {
      ++pos_;
      if (pos_ != end_ && (*pos_ == '+' || *pos_ == '-')) ++pos_;
      if (pos_ == end_ || !is_digit(*pos_)) return fail("invalid number exponent");
      while (pos_ != end_ && is_digit(*pos_)) ++pos_;
    }
    std::string_view literal(start, static_cast<size_t>(pos_ - start));
    auto offset = static_cast<uint32_t>(tape_->pool.size());
    tape_->pool.append(literal);
    auto index = add(Type::kNumber);
    if (!index.ok()) return index.error();
    Node& node = tape_->nodes[*index];
    node.text_offset = offset;
    node.text_length = static_cast<uint32_t>(literal.size());
    // strtod needs a terminated string; the grammar above guarantees it parses all of it.
    // (Floating-point std::from_chars is missing from the wasm32 libc++.)
    number_buffer_.assign(literal);
    node.number = std::strtod(number_buffer_.c_str(), nullptr);
    return Status::ok_status();
  }

  Result<uint32_t> parse_hex4() {
    if (end_ - pos_ < 4) return fail("truncated \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = pos_[i];
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return fail("invalid \\u escape");
      }
      value = value * 16 + digit;
    }
    pos_ += 4;
    return value;
  }

  // Decodes a string (after its opening quote) onto the end of the pool, consuming the closing
  // quote. RFC 8259 section 7; see the header for the lenient parts.
  Status parse_string_body() {
    std::string& out = tape_->pool;
    for (;;) {
      const char* run = pos_;
      while (pos_ != end_ && *pos_ != '"' && *pos_ != '\\' &&
             static_cast<unsigned char>(*pos_) < 0x80) {
        ++pos_;
      }
      out.append(run, static_cast<size_t>(pos_ - run));
      if (pos_ == end_) return fail("unterminated string");
      char c = *pos_;
      if (c == '"') {
        ++pos_;
        return Status::ok_status();
      }
      if (c != '\\') {
        size_t length = 0;
        char32_t cp = utf8::decode(pos_, end_, &length);
        if (cp == utf8::kReplacement) {
          utf8::append(out, cp);
        } else {
          out.append(pos_, length);
        }
        pos_ += length;
        continue;
      }
      ++pos_;
      if (pos_ == end_) return fail("unterminated escape");
      char e = *pos_++;
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case '\'':  // lenient: not JSON, but common in hand-written JSON-LD
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto unit = parse_hex4();
          if (!unit.ok()) return unit.error();
          char32_t cp = *unit;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate pairs with an immediately following \uDC00-\uDFFF escape;
            // alone it is not a character (section 8.2) and becomes U+FFFD.
            if (end_ - pos_ >= 6 && pos_[0] == '\\' && pos_[1] == 'u') {
              pos_ += 2;
              auto low = parse_hex4();
              if (!low.ok()) return low.error();
              if (*low >= 0xDC00 && *low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
              } else {
                utf8::append(out, utf8::kReplacement);
                cp = *low >= 0xD800 && *low <= 0xDFFF ? utf8::kReplacement : *low;
              }
            } else {
              cp = utf8::kReplacement;
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = utf8::kReplacement;
          }
          utf8::append(out, cp);
          break;
        }
        default:
          --pos_;
          return fail("invalid escape");
      }
    }
  }

  const char* begin_;
  const char* pos_;
  const char* end_;
  Tape* tape_ = nullptr;
  std::vector<Frame> stack_;
  uint32_t key_offset_ = 0;
  uint32_t key_length_ = 0;
  std::string number_buffer_;
};

Result<Document> parse(std::string_view text) {
  if (text.size() > limits::kMaxJsonBytes) {
    return Error(ErrorCode::kResourceLimit,
                 "json: input larger than " + std::to_string(limits::kMaxJsonBytes) + " bytes");
  }
  return Reader(text).run();
}

}  // namespace riptide::json
