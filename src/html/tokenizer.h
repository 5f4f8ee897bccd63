#pragma once

#include <array>
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
//
// Token views point into the input whenever the bytes need no change (the common case: no copy),
// otherwise into buffers the tokenizer reuses. Character tokens are runs: adjacent text may come
// as several tokens, split anywhere. Work per input byte is bounded (no recursion, named
// character references examine at most 32 bytes, duplicate-attribute checks use a hash index).

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
  // Where a pending attribute's bytes live: in the input, or in attr_buf_ (which may reallocate
  // while a tag is being tokenized, so views are made only when the tag is emitted).
  struct AttrPiece {
    size_t offset = 0;
    size_t length = 0;
    bool in_buffer = false;
  };
  struct PendingAttribute {
    AttrPiece name;
    AttrPiece value;
  };
  // Sub-states of the script data states (13.2.5.4, 13.2.5.15–13.2.5.31) that survive between
  // characters of one text run.
  enum class ScriptState : uint8_t {
    kNormal,
    kEscaped,
    kEscapedDash,
    kEscapedDashDash,
    kDoubleEscaped,
    kDoubleEscapedDash,
    kDoubleEscapedDashDash,
  };

  bool text_run(Token& token);
  bool script_run(Token& token);
  bool emit_text(Token& token);
  bool at_appropriate_end_tag(const char* p) const;
  bool markup(Token& token);
  bool tag(Token& token, const char* p, bool end_tag);
  bool tag_attributes(Token& token, const char* p, bool end_tag);
  bool comment(Token& token, const char* p);
  bool bogus_comment(Token& token, const char* p);
  bool doctype(Token& token, const char* p);
  void emit_eof(Token& token);
  void text_append_input(const char* begin, const char* end);
  void text_append(std::string_view bytes);
  // Decodes the character reference at `p` (an '&'). Returns the bytes to emit and moves `p`
  // past the consumed characters; or, when the input stays literal text, returns an empty view
  // and moves `p` past the bytes that are known to be plain text (at least the '&').
  std::string_view char_ref(const char*& p, bool in_attribute, char* scratch);
  AttrPiece attr_copy_input(const char* begin, const char* end);
  std::string_view piece_view(const AttrPiece& piece) const;
  void finish_attribute(const PendingAttribute& attr, size_t buffer_mark);
  bool is_duplicate_attribute(std::string_view name);
  Tag lookup_tag_cached(std::string_view name);
  void index_attribute(size_t i);

  // Input after preprocessing (13.2.3.5): either the caller's bytes or normalized_.
  const char* begin_ = nullptr;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  std::string normalized_;

  TokenizerState state_ = TokenizerState::kData;
  ScriptState script_state_ = ScriptState::kNormal;
  bool eof_ = false;

  // The pending character run: a view of the input while no byte needed changing, else text_buf_.
  const char* text_begin_ = nullptr;
  const char* text_end_ = nullptr;
  bool text_in_buffer_ = false;
  std::string text_buf_;

  std::string last_start_tag_;
  // A small direct-mapped cache in front of lookup_tag(): real pages use few distinct tag names.
  struct TagCacheEntry {
    uint8_t length = 0;  // 0: empty
    char name[15] = {};
    Tag tag = Tag::kUnknown;
  };
  std::array<TagCacheEntry, 64> tag_cache_{};
  std::string name_buf_;
  std::string attr_buf_;
  std::vector<PendingAttribute> pending_attrs_;
  std::vector<TokenAttribute> attrs_;
  size_t attr_bytes_ = 0;
  // Open-addressing index (1-based positions in pending_attrs_) used for tags with many
  // attributes.
  std::vector<uint16_t> attr_index_;
  bool attr_index_active_ = false;
  std::string comment_buf_;
  std::string doctype_name_;
  std::string public_id_;
  std::string system_id_;

  bool allow_cdata_ = false;
  bool attributes_limited_ = false;
  uint32_t parse_errors_ = 0;
};

}  // namespace riptide::html
