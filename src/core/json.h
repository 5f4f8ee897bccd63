#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// A small JSON reader (RFC 8259) for data embedded in web pages, chiefly JSON-LD. It builds a
// read-only tree stored flat in one array (a "tape", as in simdjson), so neither parsing nor
// destruction recurses, whatever the nesting. Lenient where real pages need it and it is cheap:
// a leading UTF-8 BOM, trailing commas in arrays and objects, raw control characters and "\'"
// inside strings, and trailing ';' after the value are accepted. Invalid UTF-8 and lone surrogate
// escapes become U+FFFD, so every string handed out is valid UTF-8.
namespace riptide::json {

enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

namespace detail {
// One value on the tape. Containers are followed by their children in document order; `next` is
// the tape index of the next sibling (0 when last).
struct Node {
  Type type = Type::kNull;
  bool boolean = false;
  uint32_t next = 0;
  uint32_t count = 0;       // children of an array or object
  uint32_t key_offset = 0;  // member name in the string pool (object members only)
  uint32_t key_length = 0;
  uint32_t text_offset = 0;  // string value, or a number's literal text, in the string pool
  uint32_t text_length = 0;
  double number = 0;
};
struct Tape {
  std::vector<Node> nodes;
  std::string pool;
};
}  // namespace detail

class Value;

// Iterates over the elements of an array or the members of an object.
class ChildIterator {
 public:
  ChildIterator() = default;
  ChildIterator(const detail::Tape* tape, uint32_t index) : tape_(tape), index_(index) {}
  Value operator*() const;
  ChildIterator& operator++();
  bool operator==(const ChildIterator& other) const { return index_ == other.index_; }
  bool operator!=(const ChildIterator& other) const { return index_ != other.index_; }

 private:
  const detail::Tape* tape_ = nullptr;
  uint32_t index_ = 0;  // 0 = end (index 0 is the root, which is never a child)
};

struct ChildRange {
  ChildIterator first;
  ChildIterator last;
  ChildIterator begin() const { return first; }
  ChildIterator end() const { return last; }
};

// A view of one value in a Document; valid as long as the Document lives (moving the Document
// keeps it valid). A default-constructed Value is "missing": exists() is false and it behaves
// like null, so lookups can be chained (`v["author"]["name"].as_string()`).
class Value {
 public:
  Value() = default;
  Value(const detail::Tape* tape, uint32_t index) : tape_(tape), index_(index) {}

  bool exists() const { return tape_ != nullptr; }
  Type type() const { return tape_ != nullptr ? node().type : Type::kNull; }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kNumber; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  bool as_bool() const { return is_bool() && node().boolean; }
  // The number (0 unless a number). Integers up to 2^53 are exact.
  double as_number() const { return is_number() ? node().number : 0; }
  // The decoded string ("" unless a string); for a number, use number_text().
  std::string_view as_string() const { return is_string() ? text() : std::string_view(); }
  // A number's literal as written ("12.50"), "" otherwise.
  std::string_view number_text() const { return is_number() ? text() : std::string_view(); }
  // The member name when this value is a member of an object, else "".
  std::string_view key() const;

  // Number of elements (array) or members (object); 0 otherwise.
  uint32_t size() const { return (is_array() || is_object()) ? node().count : 0; }
  // Elements of an array or members of an object (see key()); empty for other values.
  ChildRange children() const;
  // The i-th element or member, or a missing Value.
  Value at(uint32_t i) const;
  // The object member named `name` (the first one when names repeat), or a missing Value.
  Value get(std::string_view name) const;
  Value operator[](std::string_view name) const { return get(name); }

 private:
  const detail::Node& node() const { return tape_->nodes[index_]; }
  std::string_view text() const {
    const detail::Node& n = node();
    return std::string_view(tape_->pool).substr(n.text_offset, n.text_length);
  }

  const detail::Tape* tape_ = nullptr;
  uint32_t index_ = 0;
};

// A parsed JSON text. Movable; values stay valid across moves.
class Document {
 public:
  Document() : tape_(std::make_unique<detail::Tape>()) {}
  Value root() const { return Value(tape_.get(), 0); }
  // Number of values in the document (the root included).
  size_t value_count() const { return tape_->nodes.size(); }

 private:
  friend class Reader;
  std::unique_ptr<detail::Tape> tape_;
};

// Parses one JSON text. Errors: kParseError (malformed input, with the byte offset), and
// kResourceLimit for input longer than limits::kMaxJsonBytes or nested deeper than
// limits::kMaxJsonDepth.
Result<Document> parse(std::string_view text);

}  // namespace riptide::json
