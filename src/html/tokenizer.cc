#include "html/tokenizer.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/limits.h"
#include "core/utf8.h"
#include "html/entities.h"

namespace riptide::html {

namespace {

// Character classes, one bit each, so that every scanning loop is a single table lookup per byte.
enum : uint16_t {
  kWs = 1 << 0,           // ASCII whitespace as the tokenizer sees it: TAB LF FF SPACE (CR is gone)
  kAlpha = 1 << 1,        // ASCII letters
  kDigit = 1 << 2,        // ASCII digits
  kUpper = 1 << 3,        // ASCII upper-case letters
  kHex = 1 << 4,          // ASCII hex digits
  kStopData = 1 << 5,     // data and RCDATA runs: < & NUL
  kStopRaw = 1 << 6,      // RAWTEXT and script data runs: < NUL
  kStopEscaped = 1 << 7,  // escaped script data runs: - < NUL
  kStopTagName = 1 << 8,  // tag name: whitespace / > NUL upper
  kStopAttrName = 1 << 9,       // attribute name: whitespace / > = NUL upper " ' <
  kStopUnquoted = 1 << 10,      // unquoted attribute value: whitespace & > NUL " ' < = `
  kStopDoubleQuoted = 1 << 11,  // " & NUL
  kStopSingleQuoted = 1 << 12,  // ' & NUL
  kStopNul = 1 << 13,           // PLAINTEXT runs: NUL
};

constexpr std::array<uint16_t, 256> make_classes() {
  std::array<uint16_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint16_t v = 0;
    const bool ws = c == '\t' || c == '\n' || c == '\f' || c == ' ';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool alpha = upper || (c >= 'a' && c <= 'z');
    const bool digit = c >= '0' && c <= '9';
    if (ws) v |= kWs;
    if (alpha) v |= kAlpha;
    if (digit) v |= kDigit;
    if (upper) v |= kUpper;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    if (c == '<' || c == '&' || c == 0) v |= kStopData;
    if (c == '<' || c == 0) v |= kStopRaw;
    if (c == '-' || c == '<' || c == 0) v |= kStopEscaped;
    if (ws || upper || c == '/' || c == '>' || c == 0) v |= kStopTagName;
    if (ws || upper || c == '/' || c == '>' || c == '=' || c == 0 || c == '"' || c == '\'' ||
        c == '<') {
      v |= kStopAttrName;
    }
    if (ws || c == '&' || c == '>' || c == 0 || c == '"' || c == '\'' || c == '<' || c == '=' ||
        c == '`') {
      v |= kStopUnquoted;
    }
    if (c == '"' || c == '&' || c == 0) v |= kStopDoubleQuoted;
    if (c == '\'' || c == '&' || c == 0) v |= kStopSingleQuoted;
    if (c == 0) v |= kStopNul;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}

constexpr std::array<uint16_t, 256> kClass = make_classes();

inline uint16_t cls(char c) {
  return kClass[static_cast<unsigned char>(c)];
}
inline bool is_ws(char c) {
  return (cls(c) & kWs) != 0;
}
inline bool is_alpha(char c) {
  return (cls(c) & kAlpha) != 0;
}
inline bool is_alnum(char c) {
  return (cls(c) & (kAlpha | kDigit)) != 0;
}
inline char to_lower(char c) {
  return (cls(c) & kUpper) ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Returns the first position in [p, end) whose class intersects `mask`, or `end`.
inline const char* scan(const char* p, const char* end, uint16_t mask) {
  while (end - p >= 4) {
    if (cls(p[0]) & mask) return p;
    if (cls(p[1]) & mask) return p + 1;
    if (cls(p[2]) & mask) return p + 2;
    if (cls(p[3]) & mask) return p + 3;
    p += 4;
  }
  while (p < end && !(cls(*p) & mask)) ++p;
  return p;
}

// scan() for a set of at most three bytes (repeat one to use fewer): compares 16 bytes at a time
// where SSE2 is available (every x86-64 host). Long text, script and attribute runs spend most of
// their time here.
template <char kA, char kB, char kC>
inline const char* find_first_of(const char* p, const char* end, uint16_t mask) {
#if defined(__SSE2__)
  const __m128i a = _mm_set1_epi8(kA);
  const __m128i b = _mm_set1_epi8(kB);
  const __m128i c = _mm_set1_epi8(kC);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)),
                                     _mm_cmpeq_epi8(v, c));
    const int bits = _mm_movemask_epi8(hit);
    if (bits != 0) return p + __builtin_ctz(static_cast<unsigned>(bits));
    p += 16;
  }
#else
  // Eight bytes at a time with the "has a zero byte" bit trick (e.g. for wasm32 builds): the
  // lowest flagged byte is exact, so on a little-endian machine it is the first match.
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    constexpr uint64_t kPa = kOnes * static_cast<unsigned char>(kA);
    constexpr uint64_t kPb = kOnes * static_cast<unsigned char>(kB);
    constexpr uint64_t kPc = kOnes * static_cast<unsigned char>(kC);
    while (end - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      const uint64_t a = v ^ kPa, b = v ^ kPb, c = v ^ kPc;
      const uint64_t hit = ((a - kOnes) & ~a) | ((b - kOnes) & ~b) | ((c - kOnes) & ~c);
      if ((hit & kHigh) != 0) return p + (std::countr_zero(hit & kHigh) >> 3);
      p += 8;
    }
  }
#endif
  return scan(p, end, mask);
}

constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// 13.2.5.80 Numeric character reference end state: the replacements for C1 controls 0x80–0x9F
// (0 where the code point stays as it is).
constexpr char16_t kC1Replacements[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  //
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       //
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  //
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

// Case-insensitive comparison of [p, p + lower.size()) with an ASCII lower-case word; the caller
// guarantees the bytes exist.
inline bool equals_ignore_case(const char* p, std::string_view lower) {
  for (size_t i = 0; i < lower.size(); ++i) {
    if (to_lower(p[i]) != lower[i]) return false;
  }
  return true;
}

inline bool starts_with_ignore_case(const char* p, const char* end, std::string_view lower) {
  return static_cast<size_t>(end - p) >= lower.size() && equals_ignore_case(p, lower);
}

// True when the 8 bytes of `v` are all printable ASCII (0x20–0x7E): nothing to check or change.
inline bool printable_ascii_word(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t below_space = (v - kOnes * 0x20) & ~v & kHigh;
  const uint64_t x = v ^ (kOnes * 0x7F);
  const uint64_t del = (x - kOnes) & ~x & kHigh;
  return ((v & kHigh) | below_space | del) == 0;
}

// Length of the well-formed UTF-8 sequence starting with the non-ASCII byte at u[0] (Unicode
// Table 3-7), or 0 when it is ill-formed. A literal U+FFFD is well-formed input.
inline size_t utf8_sequence_length(const unsigned char* u, size_t avail) {
  const unsigned b0 = u[0];
  if (b0 >= 0xC2 && b0 <= 0xDF) return avail >= 2 && (u[1] & 0xC0) == 0x80 ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (avail < 3) return 0;
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;
    return u[1] >= lo && u[1] <= hi && (u[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (avail < 4) return 0;
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return u[1] >= lo && u[1] <= hi && (u[2] & 0xC0) == 0x80 && (u[3] & 0xC0) == 0x80 ? 4 : 0;
  }
  return 0;
}

// The first index at or after `i` holding a CR or an ill-formed UTF-8 sequence, or `n`. Counts
// the 13.2.3.5 input stream parse errors on the way: control characters other than ASCII
// whitespace and U+0000 (control-character-in-input-stream), and noncharacters
// (noncharacter-in-input-stream).
size_t skip_clean_input(const char* s, size_t i, size_t n, uint32_t* errors) {
  const auto* u = reinterpret_cast<const unsigned char*>(s);
  while (i < n) {
#if defined(__SSE2__)
    if (n - i >= 16) {
      // Bytes below 0x20 (signed compare: also every byte >= 0x80) and DEL, except TAB LF FF.
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      const __m128i odd = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                       _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
      const __m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\f')));
      const unsigned special = static_cast<unsigned>(_mm_movemask_epi8(odd)) &
                               ~static_cast<unsigned>(_mm_movemask_epi8(ws));
      if (special == 0) {
        i += 16;
        continue;
      }
      i += static_cast<size_t>(__builtin_ctz(special));
    }
#endif
    if (n - i >= 8) {
      uint64_t v;
      std::memcpy(&v, s + i, 8);
      if (printable_ascii_word(v)) {
        i += 8;
        continue;
      }
    }
    const unsigned b = u[i];
    if (b < 0x80) {
      if (b < 0x20 || b == 0x7F) {
        if (b == '\r') return i;
        if (b != '\t' && b != '\n' && b != '\f' && b != 0) ++*errors;
      }
      ++i;
      continue;
    }
    const size_t len = utf8_sequence_length(u + i, n - i);
    if (len == 0) return i;
    if (len == 2) {
      if (b == 0xC2 && u[i + 1] < 0xA0) ++*errors;  // U+0080–U+009F
    } else if (len == 3) {
      if (b == 0xEF && ((u[i + 1] == 0xB7 && u[i + 2] >= 0x90 && u[i + 2] <= 0xAF) ||
                        (u[i + 1] == 0xBF && u[i + 2] >= 0xBE))) {
        ++*errors;  // U+FDD0–U+FDEF, U+FFFE, U+FFFF
      }
    } else if ((u[i + 1] & 0x0F) == 0x0F && u[i + 2] == 0xBF && u[i + 3] >= 0xBE) {
      ++*errors;  // U+1FFFE, U+1FFFF, ... U+10FFFF
    }
    i += len;
  }
  return n;
}

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

void Tokenizer::reset(std::string_view input) {
  // 13.2.3.5 Preprocessing the input stream: CR LF and lone CR become LF. Invalid UTF-8 becomes
  // U+FFFD (the decoder's job in 13.2.3.2). Most documents need neither, and are tokenized in
  // place.
  const char* s = input.data();
  const size_t n = input.size();
  parse_errors_ = 0;
  size_t i = skip_clean_input(s, 0, n, &parse_errors_);
  if (i == n) {
    begin_ = s;
    end_ = s + n;
  } else {
    normalized_.clear();
    normalized_.reserve(n);
    size_t clean = 0;
    while (i < n) {
      normalized_.append(s + clean, i - clean);
      if (s[i] == '\r') {
        normalized_.push_back('\n');
        ++i;
        if (i < n && s[i] == '\n') ++i;
      } else {
        // The maximal ill-formed subpart becomes one U+FFFD (WHATWG Encoding, UTF-8 decoder).
        size_t bad = 0;
        (void)utf8::decode(s + i, s + n, &bad);
        normalized_.append(kReplacementUtf8);
        i += bad;
      }
      clean = i;
      i = skip_clean_input(s, i, n, &parse_errors_);
    }
    normalized_.append(s + clean, n - clean);
    begin_ = normalized_.data();
    end_ = begin_ + normalized_.size();
  }
  pos_ = begin_;
  state_ = TokenizerState::kData;
  script_state_ = ScriptState::kNormal;
  eof_ = false;
  text_begin_ = text_end_ = nullptr;
  text_in_buffer_ = false;
  text_buf_.clear();
  last_start_tag_.clear();
  allow_cdata_ = false;
  attributes_limited_ = false;
}

void Tokenizer::set_state(TokenizerState state) {
  state_ = state;
  script_state_ = ScriptState::kNormal;
}

void Tokenizer::set_last_start_tag(std::string_view lower_name) {
  last_start_tag_.assign(lower_name);
}

void Tokenizer::next(Token& token) {
  token = Token{};
  for (;;) {
    const bool emitted =
        state_ == TokenizerState::kScriptData ? script_run(token) : text_run(token);
    if (emitted) return;
    // pos_ is at a '<' that starts a tag, comment, DOCTYPE or CDATA section, and no text is
    // pending.
    if (markup(token)) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Character runs

void Tokenizer::text_append_input(const char* begin, const char* end) {
  if (begin == end) return;
  if (!text_in_buffer_) {
    if (text_begin_ == text_end_) {
      text_begin_ = begin;
      text_end_ = end;
      return;
    }
    if (text_end_ == begin) {
      text_end_ = end;
      return;
    }
    text_buf_.assign(text_begin_, text_end_);
    text_in_buffer_ = true;
  }
  text_buf_.append(begin, end);
}

void Tokenizer::text_append(std::string_view bytes) {
  if (!text_in_buffer_) {
    text_buf_.assign(text_begin_, text_end_);
    text_in_buffer_ = true;
  }
  text_buf_.append(bytes);
}

bool Tokenizer::emit_text(Token& token) {
  std::string_view text =
      text_in_buffer_ ? std::string_view(text_buf_)
                      : std::string_view(text_begin_, static_cast<size_t>(text_end_ - text_begin_));
  text_begin_ = text_end_ = nullptr;
  text_in_buffer_ = false;
  if (text.empty()) return false;
  token.type = TokenType::kCharacter;
  token.data = text;
  return true;
}

void Tokenizer::emit_eof(Token& token) {
  pos_ = end_;
  eof_ = true;
  token.type = TokenType::kEof;
}

bool Tokenizer::at_appropriate_end_tag(const char* p) const {
  // 13.2.5.11–13.2.5.13 (and the RAWTEXT/script equivalents): "</" + the last start tag's name
  // (ASCII case-insensitive, letters only) + whitespace, "/" or ">". Anything else stays text.
  const size_t n = last_start_tag_.size();
  if (n == 0 || static_cast<size_t>(end_ - p) < n + 3 || p[1] != '/') return false;
  const char* q = p + 2;
  for (size_t i = 0; i < n; ++i) {
    if (!is_alpha(q[i]) || to_lower(q[i]) != last_start_tag_[i]) return false;
  }
  const char t = q[n];
  return is_ws(t) || t == '/' || t == '>';
}

bool Tokenizer::text_run(Token& token) {
  if (eof_) {
    emit_eof(token);
    return true;
  }
  const char* p = pos_;
  const char* run = p;
  for (;;) {
    switch (state_) {
      case TokenizerState::kRawtext:
        p = find_first_of<'<', '\0', '\0'>(p, end_, kStopRaw);
        break;
      case TokenizerState::kPlaintext:
        p = find_first_of<'\0', '\0', '\0'>(p, end_, kStopNul);
        break;
      default:
        p = find_first_of<'<', '&', '\0'>(p, end_, kStopData);
        break;
    }
    if (p == end_) {
      text_append_input(run, p);
      pos_ = p;
      if (emit_text(token)) return true;
      emit_eof(token);
      return true;
    }
    const char c = *p;
    if (c == '<') {
      bool is_markup;
      if (state_ == TokenizerState::kData) {
        // 13.2.5.6 Tag open state / 13.2.5.7 End tag open state: decide whether this '<' starts
        // markup. "<" before EOF, "</" before EOF and "<" before anything but a letter, "!",
        // "/" or "?" are emitted as text (with a parse error).
        const char* q = p + 1;
        if (q == end_) {
          is_markup = false;
        } else if (is_alpha(*q) || *q == '!' || *q == '?') {
          is_markup = true;
        } else if (*q == '/') {
          is_markup = q + 1 < end_;
        } else {
          is_markup = false;
        }
        if (!is_markup) ++parse_errors_;
      } else {
        is_markup = at_appropriate_end_tag(p);
      }
      if (is_markup) {
        text_append_input(run, p);
        pos_ = p;
        return emit_text(token);
      }
      ++p;
      continue;
    }
    if (c == '&') {
      // 13.2.5.72 Character reference state, returning to data or RCDATA.
      char scratch[4];
      const char* q = p;
      const std::string_view replacement = char_ref(q, false, scratch);
      if (!replacement.empty()) {
        text_append_input(run, p);
        text_append(replacement);
        run = q;
      }
      p = q;
      continue;
    }
    // U+0000: a parse error; data emits it as is, the other states emit U+FFFD.
    ++parse_errors_;
    if (state_ == TokenizerState::kData) {
      ++p;
      continue;
    }
    text_append_input(run, p);
    text_append(kReplacementUtf8);
    run = ++p;
  }
}

bool Tokenizer::script_run(Token& token) {
  if (eof_) {
    emit_eof(token);
    return true;
  }
  const char* p = pos_;
  const char* run = p;
  ScriptState st = script_state_;
  for (;;) {
    if (st == ScriptState::kNormal) {
      p = find_first_of<'<', '\0', '\0'>(p, end_, kStopRaw);
    } else if (st == ScriptState::kEscaped || st == ScriptState::kDoubleEscaped) {
      p = find_first_of<'-', '<', '\0'>(p, end_, kStopEscaped);
    }
    if (p == end_) {
      // eof-in-script-html-comment-like-text (counted once: the state is left behind).
      if (st != ScriptState::kNormal) ++parse_errors_;
      script_state_ = ScriptState::kNormal;
      text_append_input(run, p);
      pos_ = p;
      if (emit_text(token)) return true;
      emit_eof(token);
      return true;
    }
    const char c = *p;
    if (c == '\0') {
      // 13.2.5.4 and the escaped states: U+0000 is a parse error and becomes U+FFFD; a dash state
      // returns to its (double) escaped state.
      ++parse_errors_;
      text_append_input(run, p);
      text_append(kReplacementUtf8);
      run = ++p;
      if (st == ScriptState::kEscapedDash || st == ScriptState::kEscapedDashDash) {
        st = ScriptState::kEscaped;
      } else if (st == ScriptState::kDoubleEscapedDash ||
                 st == ScriptState::kDoubleEscapedDashDash) {
        st = ScriptState::kDoubleEscaped;
      }
      continue;
    }
    bool escaped_lt = false;
    bool double_escaped_lt = false;
    switch (st) {
      case ScriptState::kNormal:
        // 13.2.5.15 Script data less-than sign state (c == '<').
        if (at_appropriate_end_tag(p)) {
          script_state_ = ScriptState::kNormal;
          text_append_input(run, p);
          pos_ = p;
          return emit_text(token);
        }
        // 13.2.5.18–13.2.5.19 Script data escape start (dash) states: "<!--".
        if (end_ - p >= 4 && p[1] == '!' && p[2] == '-' && p[3] == '-') {
          p += 4;
          st = ScriptState::kEscapedDashDash;
        } else {
          ++p;
        }
        break;
      case ScriptState::kEscaped:  // 13.2.5.20
        if (c == '-') {
          ++p;
          st = ScriptState::kEscapedDash;
        } else {
          escaped_lt = true;
        }
        break;
      case ScriptState::kEscapedDash:  // 13.2.5.21
        if (c == '-') {
          ++p;
          st = ScriptState::kEscapedDashDash;
        } else if (c == '<') {
          escaped_lt = true;
        } else {
          ++p;
          st = ScriptState::kEscaped;
        }
        break;
      case ScriptState::kEscapedDashDash:  // 13.2.5.22
        if (c == '-') {
          ++p;
        } else if (c == '<') {
          escaped_lt = true;
        } else {
          st = c == '>' ? ScriptState::kNormal : ScriptState::kEscaped;
          ++p;
        }
        break;
      case ScriptState::kDoubleEscaped:  // 13.2.5.27
        if (c == '-') {
          ++p;
          st = ScriptState::kDoubleEscapedDash;
        } else {
          double_escaped_lt = true;
        }
        break;
      case ScriptState::kDoubleEscapedDash:  // 13.2.5.28
        if (c == '-') {
          ++p;
          st = ScriptState::kDoubleEscapedDashDash;
        } else if (c == '<') {
          double_escaped_lt = true;
        } else {
          ++p;
          st = ScriptState::kDoubleEscaped;
        }
        break;
      case ScriptState::kDoubleEscapedDashDash:  // 13.2.5.29
        if (c == '-') {
          ++p;
        } else if (c == '<') {
          double_escaped_lt = true;
        } else {
          st = c == '>' ? ScriptState::kNormal : ScriptState::kDoubleEscaped;
          ++p;
        }
        break;
    }
    if (escaped_lt) {
      // 13.2.5.23 Script data escaped less-than sign state.
      if (at_appropriate_end_tag(p)) {
        script_state_ = ScriptState::kNormal;
        text_append_input(run, p);
        pos_ = p;
        return emit_text(token);
      }
      st = ScriptState::kEscaped;
      ++p;
      if (p < end_ && is_alpha(*p)) {
        // 13.2.5.26 Script data double escape start state.
        const char* q = p;
        while (q < end_ && is_alpha(*q)) ++q;
        if (q < end_ && (is_ws(*q) || *q == '/' || *q == '>') && q - p == 6 &&
            equals_ignore_case(p, "script")) {
          st = ScriptState::kDoubleEscaped;
          ++q;
        }
        p = q;
      }
    } else if (double_escaped_lt) {
      // 13.2.5.30 Script data double escaped less-than sign state.
      st = ScriptState::kDoubleEscaped;
      ++p;
      if (p < end_ && *p == '/') {
        // 13.2.5.31 Script data double escape end state.
        const char* q = ++p;
        while (q < end_ && is_alpha(*q)) ++q;
        if (q < end_ && (is_ws(*q) || *q == '/' || *q == '>') && q - p == 6 &&
            equals_ignore_case(p, "script")) {
          st = ScriptState::kEscaped;
          ++q;
        }
        p = q;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Character references

std::string_view Tokenizer::char_ref(const char*& p, bool in_attribute, char* scratch) {
  // 13.2.5.72 Character reference state; p is at the '&'.
  const char* q = p + 1;
  if (q == end_) {
    ++p;
    return {};
  }
  if (is_alnum(*q)) {
    // 13.2.5.73 Named character reference state.
    const size_t avail = static_cast<size_t>(end_ - q);
    const EntityMatch m = match_named_entity(
        std::string_view(q, avail < kMaxEntityNameLength ? avail : kMaxEntityNameLength));
    if (m.length == 0) {
      // 13.2.5.74 Ambiguous ampersand state: the alphanumerics stay text; a following ';' is an
      // unknown-named-character-reference error.
      const char* r = q;
      while (r < end_ && is_alnum(*r)) ++r;
      if (r < end_ && *r == ';') ++parse_errors_;
      p = r;
      return {};
    }
    const char* after = q + m.length;
    if (!m.semicolon) {
      // In attribute values a legacy reference followed by '=' or an alphanumeric stays literal
      // for historical reasons ("&amp=" in URLs).
      if (in_attribute && after < end_ && (*after == '=' || is_alnum(*after))) {
        p = after;
        return {};
      }
      ++parse_errors_;  // missing-semicolon-after-character-reference
    }
    p = after;
    return m.expansion;
  }
  if (*q != '#') {
    ++p;
    return {};
  }
  // 13.2.5.75–13.2.5.79 Numeric character reference states.
  const char* r = q + 1;
  bool hex = false;
  if (r < end_ && (*r == 'x' || *r == 'X')) {
    hex = true;
    ++r;
  }
  const char* digits = r;
  uint32_t cp = 0;
  if (hex) {
    while (r < end_ && (cls(*r) & kHex)) {
      const char d = *r;
      const uint32_t v = (cls(d) & kDigit) ? static_cast<uint32_t>(d - '0')
                                           : static_cast<uint32_t>((d | 0x20) - 'a' + 10);
      // Saturate past U+10FFFF so that long digit strings cannot overflow.
      cp = cp > 0x10FFFF ? cp : cp * 16 + v;
      ++r;
    }
  } else {
    while (r < end_ && (cls(*r) & kDigit)) {
      cp = cp > 0x10FFFF ? cp : cp * 10 + static_cast<uint32_t>(*r - '0');
      ++r;
    }
  }
  if (r == digits) {
    // absence-of-digits-in-numeric-character-reference: "&#" or "&#x" stays text.
    ++parse_errors_;
    p = r;
    return {};
  }
  if (r < end_ && *r == ';') {
    ++r;
  } else {
    ++parse_errors_;  // missing-semicolon-after-character-reference
  }
  p = r;
  // 13.2.5.80 Numeric character reference end state.
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++parse_errors_;
    cp = utf8::kReplacement;
  } else if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
    ++parse_errors_;  // noncharacter-character-reference; the code point is kept
  } else if (cp == 0x0D || (cp < 0x20 && !is_ws(static_cast<char>(cp))) ||
             (cp >= 0x7F && cp <= 0x9F)) {
    ++parse_errors_;  // control-character-reference
    if (cp >= 0x80 && kC1Replacements[cp - 0x80] != 0) cp = kC1Replacements[cp - 0x80];
  }
  const size_t len = utf8::encode(cp, scratch);
  return std::string_view(scratch, len);
}

// ---------------------------------------------------------------------------------------------
// Markup: tags, comments, DOCTYPEs, CDATA sections

bool Tokenizer::markup(Token& token) {
  const char* p = pos_;
  if (state_ != TokenizerState::kData) {
    // An appropriate end tag in RCDATA, RAWTEXT or script data (checked by the run).
    return tag(token, p + 2, true);
  }
  const char c = p[1];
  if (is_alpha(c)) return tag(token, p + 1, false);
  if (c == '/') {
    const char c2 = p[2];
    if (is_alpha(c2)) return tag(token, p + 2, true);
    ++parse_errors_;
    if (c2 == '>') {
      // missing-end-tag-name: "</>" is dropped.
      pos_ = p + 3;
      return false;
    }
    // invalid-first-character-of-tag-name: a bogus comment holding everything up to '>'.
    return bogus_comment(token, p + 2);
  }
  if (c == '?') {
    // unexpected-question-mark-instead-of-tag-name: the '?' is part of the comment.
    ++parse_errors_;
    return bogus_comment(token, p + 1);
  }
  // 13.2.5.42 Markup declaration open state.
  const char* q = p + 2;
  if (end_ - q >= 2 && q[0] == '-' && q[1] == '-') return comment(token, q + 2);
  if (starts_with_ignore_case(q, end_, "doctype")) return doctype(token, q + 7);
  if (end_ - q >= 7 && std::memcmp(q, "[CDATA[", 7) == 0) {
    if (allow_cdata_) {
      // 13.2.5.69–13.2.5.71 CDATA section states: the content up to "]]>" is character data.
      const char* begin = q + 7;
      const char* r = begin;
      const char* close = nullptr;
      while (end_ - r >= 3) {
        r = static_cast<const char*>(std::memchr(r, ']', static_cast<size_t>(end_ - r - 2)));
        if (r == nullptr) break;
        if (r[1] == ']' && r[2] == '>') {
          close = r;
          break;
        }
        ++r;
      }
      if (close == nullptr) {
        ++parse_errors_;  // eof-in-cdata
        close = end_;
        pos_ = end_;
      } else {
        pos_ = close + 3;
      }
      if (close == begin) return false;
      token.type = TokenType::kCharacter;
      token.data = std::string_view(begin, static_cast<size_t>(close - begin));
      return true;
    }
    // cdata-in-html-content: a bogus comment starting with "[CDATA[".
    ++parse_errors_;
    return bogus_comment(token, q);
  }
  ++parse_errors_;  // incorrectly-opened-comment
  return bogus_comment(token, q);
}

bool Tokenizer::bogus_comment(Token& token, const char* p) {
  // 13.2.5.41 Bogus comment state: everything up to the next '>' (or EOF); U+0000 becomes U+FFFD.
  const char* close = static_cast<const char*>(std::memchr(p, '>', static_cast<size_t>(end_ - p)));
  const char* stop = close ? close : end_;
  std::string_view data(p, static_cast<size_t>(stop - p));
  if (std::memchr(p, '\0', data.size()) != nullptr) {
    comment_buf_.clear();
    for (char c : data) {
      if (c == '\0') {
        ++parse_errors_;
        comment_buf_.append(kReplacementUtf8);
      } else {
        comment_buf_.push_back(c);
      }
    }
    data = comment_buf_;
  }
  pos_ = close ? close + 1 : end_;
  token.type = TokenType::kComment;
  token.data = data;
  return true;
}

bool Tokenizer::comment(Token& token, const char* p) {
  // 13.2.5.43–13.2.5.52 Comment states. Their output reduces to: "<!-->" and "<!--->" are empty
  // comments (abrupt-closing-of-empty-comment); otherwise the comment ends at the first "-->" or
  // "--!>" (incorrectly-closed-comment) and its text is everything before it. At EOF a trailing
  // "-", "--" or "--!" is dropped (eof-in-comment).
  token.type = TokenType::kComment;
  if (p < end_ && *p == '>') {
    ++parse_errors_;
    pos_ = p + 1;
    return true;
  }
  if (end_ - p >= 2 && p[0] == '-' && p[1] == '>') {
    ++parse_errors_;
    pos_ = p + 2;
    return true;
  }
  const char* close = nullptr;
  const char* after = end_;
  const char* r = p;
  while (r < end_) {
    r = static_cast<const char*>(std::memchr(r, '-', static_cast<size_t>(end_ - r)));
    if (r == nullptr) break;
    if (end_ - r >= 3 && r[1] == '-') {
      if (r[2] == '>') {
        close = r;
        after = r + 3;
        break;
      }
      if (r[2] == '!' && end_ - r >= 4 && r[3] == '>') {
        ++parse_errors_;  // incorrectly-closed-comment
        close = r;
        after = r + 4;
        break;
      }
    }
    ++r;
  }
  if (close == nullptr) {
    ++parse_errors_;  // eof-in-comment
    close = end_;
    const size_t len = static_cast<size_t>(end_ - p);
    std::string_view rest(p, len);
    if (rest.size() >= 3 && rest.substr(rest.size() - 3) == "--!") {
      close -= 3;
    } else if (rest.size() >= 2 && rest.substr(rest.size() - 2) == "--") {
      close -= 2;
    } else if (!rest.empty() && rest.back() == '-') {
      close -= 1;
    }
  }
  std::string_view data(p, static_cast<size_t>(close - p));
  // nested-comment errors ("<!--" inside a comment) only affect the error count.
  if (data.find("<!--") != std::string_view::npos) ++parse_errors_;
  if (std::memchr(p, '\0', data.size()) != nullptr) {
    comment_buf_.clear();
    for (char c : data) {
      if (c == '\0') {
        ++parse_errors_;
        comment_buf_.append(kReplacementUtf8);
      } else {
        comment_buf_.push_back(c);
      }
    }
    data = comment_buf_;
  }
  pos_ = after;
  token.data = data;
  return true;
}

bool Tokenizer::doctype(Token& token, const char* p) {
  // 13.2.5.53–13.2.5.68 DOCTYPE states. DOCTYPEs are rare and short, so this follows the spec
  // one character at a time.
  enum class S {
    kDoctype,
    kBeforeName,
    kName,
    kAfterName,
    kAfterPublicKeyword,
    kBeforePublicId,
    kPublicIdDouble,
    kPublicIdSingle,
    kAfterPublicId,
    kBetweenIds,
    kAfterSystemKeyword,
    kBeforeSystemId,
    kSystemIdDouble,
    kSystemIdSingle,
    kAfterSystemId,
    kBogus,
  };
  doctype_name_.clear();
  public_id_.clear();
  system_id_.clear();
  token.type = TokenType::kDoctype;
  S s = S::kDoctype;
  bool done = false;
  while (!done) {
    if (p == end_) {
      // eof-in-doctype (none in the bogus DOCTYPE state).
      if (s != S::kBogus) {
        ++parse_errors_;
        token.force_quirks = true;
      }
      break;
    }
    const char c = *p;
    switch (s) {
      case S::kDoctype:  // 13.2.5.53
        if (is_ws(c)) {
          ++p;
        } else if (c != '>') {
          ++parse_errors_;  // missing-whitespace-before-doctype-name
        }
        s = S::kBeforeName;
        break;
      case S::kBeforeName:  // 13.2.5.54
        if (is_ws(c)) {
          ++p;
          break;
        }
        if (c == '>') {
          ++parse_errors_;  // missing-doctype-name
          token.force_quirks = true;
          ++p;
          done = true;
          break;
        }
        token.has_name = true;
        s = S::kName;
        break;
      case S::kName:  // 13.2.5.55
        ++p;
        if (is_ws(c)) {
          s = S::kAfterName;
        } else if (c == '>') {
          done = true;
        } else if (c == '\0') {
          ++parse_errors_;
          doctype_name_.append(kReplacementUtf8);
        } else {
          doctype_name_.push_back(to_lower(c));
        }
        break;
      case S::kAfterName:  // 13.2.5.56
        if (is_ws(c)) {
          ++p;
        } else if (c == '>') {
          ++p;
          done = true;
        } else if (starts_with_ignore_case(p, end_, "public")) {
          p += 6;
          s = S::kAfterPublicKeyword;
        } else if (starts_with_ignore_case(p, end_, "system")) {
          p += 6;
          s = S::kAfterSystemKeyword;
        } else {
          ++parse_errors_;  // invalid-character-sequence-after-doctype-name
          token.force_quirks = true;
          s = S::kBogus;
        }
        break;
      case S::kAfterPublicKeyword:  // 13.2.5.57
      case S::kBeforePublicId:      // 13.2.5.58
      case S::kAfterSystemKeyword:  // 13.2.5.63
      case S::kBeforeSystemId: {    // 13.2.5.64
        const bool public_id = s == S::kAfterPublicKeyword || s == S::kBeforePublicId;
        const bool keyword = s == S::kAfterPublicKeyword || s == S::kAfterSystemKeyword;
        if (is_ws(c)) {
          ++p;
          if (keyword) s = public_id ? S::kBeforePublicId : S::kBeforeSystemId;
        } else if (c == '"' || c == '\'') {
          if (keyword) ++parse_errors_;  // missing-whitespace-after-doctype-*-keyword
          ++p;
          if (public_id) {
            token.has_public_id = true;
            s = c == '"' ? S::kPublicIdDouble : S::kPublicIdSingle;
          } else {
            token.has_system_id = true;
            s = c == '"' ? S::kSystemIdDouble : S::kSystemIdSingle;
          }
        } else if (c == '>') {
          ++parse_errors_;  // missing-doctype-*-identifier
          token.force_quirks = true;
          ++p;
          done = true;
        } else {
          ++parse_errors_;  // missing-quote-before-doctype-*-identifier
          token.force_quirks = true;
          s = S::kBogus;
        }
        break;
      }
      case S::kPublicIdDouble:    // 13.2.5.59
      case S::kPublicIdSingle:    // 13.2.5.60
      case S::kSystemIdDouble:    // 13.2.5.65
      case S::kSystemIdSingle: {  // 13.2.5.66
        const bool public_id = s == S::kPublicIdDouble || s == S::kPublicIdSingle;
        const char quote = (s == S::kPublicIdDouble || s == S::kSystemIdDouble) ? '"' : '\'';
        std::string& id = public_id ? public_id_ : system_id_;
        ++p;
        if (c == quote) {
          s = public_id ? S::kAfterPublicId : S::kAfterSystemId;
        } else if (c == '\0') {
          ++parse_errors_;
          id.append(kReplacementUtf8);
        } else if (c == '>') {
          ++parse_errors_;  // abrupt-doctype-*-identifier
          token.force_quirks = true;
          done = true;
        } else {
          id.push_back(c);
        }
        break;
      }
      case S::kAfterPublicId:  // 13.2.5.61
      case S::kBetweenIds:     // 13.2.5.62
        if (is_ws(c)) {
          ++p;
          s = S::kBetweenIds;
        } else if (c == '>') {
          ++p;
          done = true;
        } else if (c == '"' || c == '\'') {
          if (s == S::kAfterPublicId) ++parse_errors_;  // missing-whitespace-between-*
          ++p;
          token.has_system_id = true;
          s = c == '"' ? S::kSystemIdDouble : S::kSystemIdSingle;
        } else {
          ++parse_errors_;  // missing-quote-before-doctype-system-identifier
          token.force_quirks = true;
          s = S::kBogus;
        }
        break;
      case S::kAfterSystemId:  // 13.2.5.67
        if (is_ws(c)) {
          ++p;
        } else if (c == '>') {
          ++p;
          done = true;
        } else {
          // unexpected-character-after-doctype-system-identifier; not force-quirks.
          ++parse_errors_;
          s = S::kBogus;
        }
        break;
      case S::kBogus:  // 13.2.5.68
        ++p;
        if (c == '>') {
          done = true;
        } else if (c == '\0') {
          ++parse_errors_;
        }
        break;
    }
  }
  pos_ = p;
  token.data = doctype_name_;
  token.public_id = public_id_;
  token.system_id = system_id_;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Tags

Tokenizer::AttrPiece Tokenizer::attr_copy_input(const char* begin, const char* end) {
  AttrPiece piece;
  piece.offset = static_cast<size_t>(begin - begin_);
  piece.length = static_cast<size_t>(end - begin);
  return piece;
}

std::string_view Tokenizer::piece_view(const AttrPiece& piece) const {
  const char* base = piece.in_buffer ? attr_buf_.data() : begin_;
  return std::string_view(base + piece.offset, piece.length);
}

bool Tokenizer::tag(Token& token, const char* p, bool end_tag) {
  // 13.2.5.8 Tag name state. Names are views of the input unless they need lower-casing or
  // U+0000 replacement.
  const char* name_begin = p;
  p = scan(p, end_, kStopTagName);
  std::string_view name;
  if (p < end_ && (*p == '\0' || (cls(*p) & kUpper) != 0)) {
    name_buf_.assign(name_begin, p);
    while (p < end_) {
      const char c = *p;
      if (is_ws(c) || c == '/' || c == '>') break;
      if (c == '\0') {
        ++parse_errors_;
        name_buf_.append(kReplacementUtf8);
      } else {
        name_buf_.push_back(to_lower(c));
      }
      ++p;
    }
    name = name_buf_;
  } else {
    name = std::string_view(name_begin, static_cast<size_t>(p - name_begin));
  }
  if (p == end_) {
    ++parse_errors_;  // eof-in-tag: the tag is dropped
    emit_eof(token);
    return true;
  }
  token.type = end_tag ? TokenType::kEndTag : TokenType::kStartTag;
  token.data = name;
  return tag_attributes(token, p, end_tag);
}

bool Tokenizer::tag_attributes(Token& token, const char* p, bool end_tag) {
  pending_attrs_.clear();
  attr_buf_.clear();
  attr_bytes_ = 0;
  attr_index_active_ = false;
  bool self_closing = false;
  for (;;) {
    // 13.2.5.32 Before attribute name state.
    while (p < end_ && is_ws(*p)) ++p;
    if (p == end_) break;
    if (*p == '>') {
      ++p;
      goto emit;
    }
    if (*p == '/') {
      // 13.2.5.40 Self-closing start tag state.
      ++p;
      if (p == end_) break;
      if (*p == '>') {
        self_closing = true;
        ++p;
        goto emit;
      }
      ++parse_errors_;  // unexpected-solidus-in-tag
      continue;
    }
    {
      // 13.2.5.33 Attribute name state.
      const size_t mark = attr_buf_.size();
      PendingAttribute attr;
      const char* name_begin = p;
      if (*p == '=') {
        ++parse_errors_;  // unexpected-equals-sign-before-attribute-name
        ++p;
      }
      bool in_buffer = false;
      const char* run = p;
      for (;;) {
        p = scan(p, end_, kStopAttrName);
        if (in_buffer) attr_buf_.append(run, p);
        if (p == end_) break;
        const char c = *p;
        if (c == '"' || c == '\'' || c == '<') {
          ++parse_errors_;  // unexpected-character-in-attribute-name
          if (in_buffer) attr_buf_.push_back(c);
          run = ++p;
          continue;
        }
        if (c == '\0' || (cls(c) & kUpper)) {
          if (!in_buffer) {
            attr_buf_.append(name_begin, p);
            in_buffer = true;
          }
          if (c == '\0') {
            ++parse_errors_;  // unexpected-null-character
            attr_buf_.append(kReplacementUtf8);
          } else {
            attr_buf_.push_back(to_lower(c));
          }
          run = ++p;
          continue;
        }
        break;
      }
      if (in_buffer) {
        attr.name.in_buffer = true;
        attr.name.offset = mark;
        attr.name.length = attr_buf_.size() - mark;
      } else {
        attr.name = attr_copy_input(name_begin, p);
      }
      // 13.2.5.34 After attribute name state.
      while (p < end_ && is_ws(*p)) ++p;
      if (p == end_) break;
      if (*p != '=') {
        finish_attribute(attr, mark);
        continue;
      }
      ++p;
      // 13.2.5.35 Before attribute value state.
      while (p < end_ && is_ws(*p)) ++p;
      if (p == end_) break;
      if (*p == '>') {
        ++parse_errors_;  // missing-attribute-value
        finish_attribute(attr, mark);
        ++p;
        goto emit;
      }
      // 13.2.5.36–13.2.5.38 Attribute value states.
      char quote = 0;
      uint16_t mask = kStopUnquoted;
      if (*p == '"' || *p == '\'') {
        quote = *p;
        mask = quote == '"' ? kStopDoubleQuoted : kStopSingleQuoted;
        ++p;
      }
      const char* value_begin = p;
      const char* value_run = p;
      const size_t value_mark = attr_buf_.size();
      bool value_in_buffer = false;
      bool closed = false;
      for (;;) {
        if (quote == '"') {
          p = find_first_of<'"', '&', '\0'>(p, end_, mask);
        } else if (quote == '\'') {
          p = find_first_of<'\'', '&', '\0'>(p, end_, mask);
        } else {
          p = scan(p, end_, mask);
        }
        if (p == end_) break;
        const char c = *p;
        if (c == '&') {
          char scratch[4];
          const char* q = p;
          const std::string_view replacement = char_ref(q, true, scratch);
          if (!replacement.empty()) {
            if (!value_in_buffer) {
              value_in_buffer = true;
              attr_buf_.append(value_begin, p);
            } else {
              attr_buf_.append(value_run, p);
            }
            attr_buf_.append(replacement);
            value_run = q;
          }
          p = q;
          continue;
        }
        if (c == '\0') {
          ++parse_errors_;  // unexpected-null-character
          if (!value_in_buffer) {
            value_in_buffer = true;
            attr_buf_.append(value_begin, p);
          } else {
            attr_buf_.append(value_run, p);
          }
          attr_buf_.append(kReplacementUtf8);
          value_run = ++p;
          continue;
        }
        if (quote != 0) {  // the closing quote
          closed = true;
          break;
        }
        if (is_ws(c) || c == '>') {
          closed = true;
          break;
        }
        ++parse_errors_;  // unexpected-character-in-unquoted-attribute-value
        ++p;
      }
      if (!closed) break;  // eof-in-tag
      if (value_in_buffer) {
        attr_buf_.append(value_run, p);
        attr.value.in_buffer = true;
        attr.value.offset = value_mark;
        attr.value.length = attr_buf_.size() - value_mark;
      } else {
        attr.value = attr_copy_input(value_begin, p);
      }
      finish_attribute(attr, mark);
      if (quote != 0) {
        ++p;
        // 13.2.5.39 After attribute value (quoted) state.
        if (p < end_ && !is_ws(*p) && *p != '/' && *p != '>') {
          ++parse_errors_;  // missing-whitespace-between-attributes
        }
      }
    }
  }
  // eof-in-tag: the tag is dropped.
  ++parse_errors_;
  emit_eof(token);
  return true;

emit:
  pos_ = p;
  state_ = TokenizerState::kData;
  script_state_ = ScriptState::kNormal;
  if (end_tag) {
    if (!pending_attrs_.empty()) ++parse_errors_;  // end-tag-with-attributes
    if (self_closing) ++parse_errors_;             // end-tag-with-trailing-solidus
  } else {
    attrs_.clear();
    for (const PendingAttribute& a : pending_attrs_) {
      attrs_.push_back(TokenAttribute{piece_view(a.name), piece_view(a.value)});
    }
    token.attributes = std::span<const TokenAttribute>(attrs_.data(), attrs_.size());
    token.self_closing = self_closing;
    last_start_tag_.assign(token.data);
  }
  token.tag = lookup_tag_cached(token.data);
  return true;
}

Tag Tokenizer::lookup_tag_cached(std::string_view name) {
  const size_t n = name.size();
  if (n == 0 || n > sizeof(TagCacheEntry::name)) return lookup_tag(name);
  const auto first = static_cast<unsigned char>(name[0]);
  const auto last = static_cast<unsigned char>(name[n - 1]);
  TagCacheEntry& e = tag_cache_[(n * 7 + first * 5 + last) & (tag_cache_.size() - 1)];
  if (e.length == n && std::memcmp(e.name, name.data(), n) == 0) return e.tag;
  e.tag = lookup_tag(name);
  e.length = static_cast<uint8_t>(n);
  std::memcpy(e.name, name.data(), n);
  return e.tag;
}

namespace {

// Duplicate-attribute checks scan linearly up to this many attributes, then use a hash index, so
// that a tag with thousands of attributes costs O(1) per attribute, not O(n).
constexpr size_t kLinearAttributeScan = 16;
constexpr size_t kAttributeIndexSize = 2 * limits::kMaxAttributesPerElement;
static_assert((kAttributeIndexSize & (kAttributeIndexSize - 1)) == 0, "power of two");
static_assert(limits::kMaxAttributesPerElement < 0xFFFF, "indices are stored as uint16_t");

size_t hash_name(std::string_view name) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h & (kAttributeIndexSize - 1);
}

}  // namespace

bool Tokenizer::is_duplicate_attribute(std::string_view name) {
  const size_t count = pending_attrs_.size();
  if (count < kLinearAttributeScan) {
    for (const PendingAttribute& other : pending_attrs_) {
      if (piece_view(other.name) == name) return true;
    }
    return false;
  }
  if (!attr_index_active_) {
    attr_index_.assign(kAttributeIndexSize, 0);
    attr_index_active_ = true;
    for (size_t i = 0; i < count; ++i) index_attribute(i);
  }
  for (size_t slot = hash_name(name);; slot = (slot + 1) & (kAttributeIndexSize - 1)) {
    const uint16_t entry = attr_index_[slot];
    if (entry == 0) return false;
    if (piece_view(pending_attrs_[entry - 1u].name) == name) return true;
  }
}

void Tokenizer::index_attribute(size_t i) {
  size_t slot = hash_name(piece_view(pending_attrs_[i].name));
  while (attr_index_[slot] != 0) slot = (slot + 1) & (kAttributeIndexSize - 1);
  attr_index_[slot] = static_cast<uint16_t>(i + 1);
}

void Tokenizer::finish_attribute(const PendingAttribute& attr, size_t buffer_mark) {
  if (is_duplicate_attribute(piece_view(attr.name))) {
    ++parse_errors_;  // duplicate-attribute: the first one wins (13.2.5.33)
    attr_buf_.resize(buffer_mark);
    return;
  }
  const size_t bytes = attr.name.length + attr.value.length;
  if (pending_attrs_.size() >= limits::kMaxAttributesPerElement ||
      bytes > limits::kMaxAttributeBytes - attr_bytes_) {
    attributes_limited_ = true;
    attr_buf_.resize(buffer_mark);
    return;
  }
  attr_bytes_ += bytes;
  pending_attrs_.push_back(attr);
  if (attr_index_active_) index_attribute(pending_attrs_.size() - 1);
}

}  // namespace riptide::html
