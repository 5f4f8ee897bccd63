#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "html/tag.h"

namespace riptide::html {

// HTML tokenizer (WHATWG HTML 13.2.5). Works on UTF-8 input that has been pre-processed by
// the tokenizer itself (CR and CRLF become LF; 13.2.3.5). The tree builder drives it one token
// at a time and switches its state for RCDATA/RAWTEXT/script/PLAINTEXT elements.

enum class TokenType : uint8_t { kDoctype, kStartTag, kEndTag, kComment, kCharacter, kEof };

// Tokenizer states the tree builder may switch to (13.2.5.1–13.2.5.5).
enum class TokenizerState : uint8_t { kData, kRcdata, kRawtext, kScriptData, kPlaintext };

struct TokenAttribute {
  std::string_view name;  // ASCII lower case, as tokenized
  std::string_view value;
};

// One token. All views are valid until the next call to Tokenizer::next().
struct Token {
  TokenType type = TokenType::kEof;
  // kCharacter: a run of characters (may contain U+0000 and mixed whitespace; the tree builder
  //   splits it as its insertion mode needs). kComment: the comment text. kStartTag/kEndTag: the
  //   ASCII-lower-cased tag name. kDoctype: the name (lower-cased).
  std::string_view data;
  Tag tag = Tag::kUnknown;  // lookup_tag(data) for tags
  bool self_closing = false;
  std::span<const TokenAttribute> attributes;  // start tags (end-tag attributes are dropped)

  // kDoctype only.
  bool force_quirks = false;
  bool has_name = false;
  bool has_public_id = false;
  bool has_system_id = false;
  std::string_view public_id;
  std::string_view system_id;
};

class Tokenizer {
 public:
  Tokenizer();
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Starts tokenizing `input` (UTF-8; invalid sequences become U+FFFD). `input` must outlive the
  // tokenizer's use of it. Reuses internal buffers across documents.
  void reset(std::string_view input);

  // Produces the next token into `token`. After kEof, keeps returning kEof.
  void next(Token& token);

  // Tree builder hooks.
  void set_state(TokenizerState state);
  // Set while the adjusted current node is not in the HTML namespace (13.2.5.42 markup
  // declaration open: CDATA sections are only recognised in foreign content).
  void set_allow_cdata(bool allow) { allow_cdata_ = allow; }
  // The tag name used for "appropriate end tag" checks; set automatically by each emitted start
  // tag, and by the fragment parser from the context element.
  void set_last_start_tag(std::string_view lower_name);

  uint32_t parse_error_count() const { return parse_errors_; }
  // Attributes dropped because of the per-element limits (duplicates are not counted).
  bool attributes_limited() const { return attributes_limited_; }

 private:
  struct Impl;
  Impl* impl_ = nullptr;
  bool allow_cdata_ = false;
  bool attributes_limited_ = false;
  uint32_t parse_errors_ = 0;
};

}  // namespace riptide::html
