#include "html/tokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"

namespace riptide::html {
namespace {

// Serializes tokens compactly: text as is (adjacent runs merged), tags as "<a x=1>", "</a>",
// "<br/>", comments "<!--c-->", DOCTYPEs "<!DOCTYPE name|pub|sys|q>" (q when force-quirks).
// When `drive` is set, it switches states the way the tree builder does after start tags.
struct Run {
  std::vector<std::string> tokens;
  uint32_t errors = 0;
  bool limited = false;
};

TokenizerState state_after(Tag tag) {
  switch (tag) {
    case Tag::kTitle:
    case Tag::kTextarea:
      return TokenizerState::kRcdata;
    case Tag::kStyle:
    case Tag::kXmp:
    case Tag::kIframe:
    case Tag::kNoembed:
    case Tag::kNoframes:
      return TokenizerState::kRawtext;
    case Tag::kScript:
      return TokenizerState::kScriptData;
    case Tag::kPlaintext:
      return TokenizerState::kPlaintext;
    default:
      return TokenizerState::kData;
  }
}

Run tokenize(std::string_view input, TokenizerState initial = TokenizerState::kData,
             bool drive = true, bool cdata = false) {
  Tokenizer tok;
  tok.reset(input);
  tok.set_state(initial);
  tok.set_allow_cdata(cdata);
  Run run;
  Token t;
  bool last_was_text = false;
  for (size_t guard = 0; guard < input.size() + 2; ++guard) {
    tok.next(t);
    if (t.type == TokenType::kEof) break;
    std::string s;
    switch (t.type) {
      case TokenType::kCharacter:
        if (last_was_text) {
          run.tokens.back() += std::string(t.data);
          continue;
        }
        s = std::string(t.data);
        break;
      case TokenType::kStartTag:
        s = "<" + std::string(t.data);
        for (const auto& a : t.attributes) {
          s += " " + std::string(a.name) + "=" + std::string(a.value);
        }
        s += t.self_closing ? "/>" : ">";
        if (drive) tok.set_state(state_after(t.tag));
        break;
      case TokenType::kEndTag:
        s = "</" + std::string(t.data) + ">";
        break;
      case TokenType::kComment:
        s = "<!--" + std::string(t.data) + "-->";
        break;
      case TokenType::kDoctype:
        s = "<!DOCTYPE " + (t.has_name ? std::string(t.data) : "(none)") + "|" +
            (t.has_public_id ? std::string(t.public_id) : "(none)") + "|" +
            (t.has_system_id ? std::string(t.system_id) : "(none)") + (t.force_quirks ? "|q" : "") +
            ">";
        break;
      case TokenType::kEof:
        break;
    }
    last_was_text = t.type == TokenType::kCharacter;
    run.tokens.push_back(s);
  }
  // After EOF the tokenizer keeps returning EOF.
  tok.next(t);
  EXPECT_EQ(t.type, TokenType::kEof);
  run.errors = tok.parse_error_count();
  run.limited = tok.attributes_limited();
  return run;
}

std::string joined(const Run& run) {
  std::string out;
  for (size_t i = 0; i < run.tokens.size(); ++i) {
    if (i) out += "·";
    out += run.tokens[i];
  }
  return out;
}

struct Case {
  const char* name;
  std::string_view input;
  std::string_view expected;  // tokens joined with "·"
};

void run_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(joined(tokenize(c.input)), c.expected) << c.name;
  }
}

TEST(TokenizerTest, TagsAndAttributes) {
  run_cases({
      {"simple", "<p>Hi</p>", "<p>·Hi·</p>"},
      {"upper-case names are lowered", "<DIV ID=x Class='y'>", "<div id=x class=y>"},
      {"self-closing", "<br/><img src=a />", "<br/>·<img src=a/>"},
      {"unquoted value ends at whitespace", "<a href=/x?y=1 title=t>", "<a href=/x?y=1 title=t>"},
      {"empty and valueless attributes", "<input disabled value=''>", "<input disabled= value=>"},
      {"duplicate keeps first", "<a x=1 x=2 X=3>", "<a x=1>"},
      {"end tag attributes dropped", "</p class=x>", "</p>"},
      {"< followed by space is text", "a < b", "a < b"},
      {"</> is dropped", "a</>b<i>", "ab·<i>"},
      {"</ + digit is a bogus comment", "</3 x>", "<!--3 x-->"},
      {"<? is a bogus comment", "<?xml version='1.0'?>", "<!--?xml version='1.0'?-->"},
      {"eof in tag drops it", "x<div class='a", "x"},
      {"eof after </", "a</", "a</"},
      {"eof after <", "a<", "a<"},
      {"attribute name with quote", "<a b\"c=d>", "<a b\"c=d>"},
      {"missing whitespace between attributes", "<a x='1'y='2'>", "<a x=1 y=2>"},
  });
}

TEST(TokenizerTest, TagEnumIsLookedUp) {
  Tokenizer tok;
  tok.reset("<DiV><custom-el></TABLE>");
  Token t;
  tok.next(t);
  EXPECT_EQ(t.tag, Tag::kDiv);
  tok.next(t);
  EXPECT_EQ(t.tag, Tag::kUnknown);
  EXPECT_EQ(t.data, "custom-el");
  tok.next(t);
  EXPECT_EQ(t.type, TokenType::kEndTag);
  EXPECT_EQ(t.tag, Tag::kTable);
}

TEST(TokenizerTest, CommentsAndDoctypes) {
  run_cases({
      {"comment", "<!-- c -->", "<!-- c -->"},
      {"abrupt empty comments", "<!--><!--->", "<!---->·<!---->"},
      {"dashes inside", "<!--a--b---->", "<!--a--b---->"},
      {"--!> closes", "<!--x--!>y", "<!--x-->·y"},
      {"unterminated comment", "<!--abc", "<!--abc-->"},
      {"unterminated comment, trailing dashes dropped", "<!--abc--", "<!--abc-->"},
      {"unterminated comment, --! dropped", "<!--abc--!", "<!--abc-->"},
      {"incorrectly opened comment", "<!x>", "<!--x-->"},
      {"doctype html", "<!DOCTYPE html>", "<!DOCTYPE html|(none)|(none)>"},
      {"doctype with ids",
       "<!doctype HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" 'http://www.w3.org/TR/html4'>",
       "<!DOCTYPE html|-//W3C//DTD HTML 4.01//EN|http://www.w3.org/TR/html4>"},
      {"doctype without name", "<!DOCTYPE>", "<!DOCTYPE (none)|(none)|(none)|q>"},
      {"doctype at eof", "<!DOCTYPE html", "<!DOCTYPE html|(none)|(none)|q>"},
      {"bogus doctype", "<!DOCTYPE html junk>", "<!DOCTYPE html|(none)|(none)|q>"},
  });
}

TEST(TokenizerTest, StateSwitchingByTheTreeBuilder) {
  run_cases({
      {"title is RCDATA", "<title>a<b>&amp;</title><b>", "<title>·a<b>&·</title>·<b>"},
      {"textarea end tag is case-insensitive", "<textarea><p></TEXTAREA >x",
       "<textarea>·<p>·</textarea>·x"},
      {"style is RAWTEXT", "<style>a&amp;<b></style>", "<style>·a&amp;<b>·</style>"},
      {"only the matching end tag ends RAWTEXT", "<style></styl></stylex></style>",
       "<style>·</styl></stylex>·</style>"},
      {"script data", "<script>if (a<b) x='</p>';</script>",
       "<script>·if (a<b) x='</p>';·</script>"},
      {"script escaped", "<script><!-- </script>x", "<script>·<!-- ·</script>·x"},
      {"script double escaped keeps </script>", "<script><!--<script></script>--></script>x",
       "<script>·<!--<script></script>-->·</script>·x"},
      {"plaintext never ends", "<plaintext></plaintext><b>", "<plaintext>·</plaintext><b>"},
      {"unterminated script at eof", "<script><!--<script>", "<script>·<!--<script>"},
      {"unterminated RCDATA at eof", "<title>abc</titl", "<title>·abc</titl"},
  });
}

TEST(TokenizerTest, SetLastStartTagForFragments) {
  Tokenizer tok;
  tok.reset("a</b></textarea>c");
  tok.set_state(TokenizerState::kRcdata);
  tok.set_last_start_tag("textarea");
  Token t;
  tok.next(t);
  EXPECT_EQ(t.type, TokenType::kCharacter);
  EXPECT_EQ(t.data, "a</b>");
  tok.next(t);
  EXPECT_EQ(t.type, TokenType::kEndTag);
  EXPECT_EQ(t.data, "textarea");
  tok.next(t);
  EXPECT_EQ(t.data, "c");
}

TEST(TokenizerTest, CdataOnlyInForeignContent) {
  EXPECT_EQ(joined(tokenize("<![CDATA[x<y]]>z", TokenizerState::kData, true, true)), "x<yz");
  EXPECT_EQ(joined(tokenize("<![CDATA[a]]]>", TokenizerState::kData, true, true)), "a]");
  EXPECT_EQ(joined(tokenize("<![CDATA[open", TokenizerState::kData, true, true)), "open");
  EXPECT_EQ(joined(tokenize("<![CDATA[]]>", TokenizerState::kData, true, true)), "");
  EXPECT_EQ(joined(tokenize("<![CDATA[x<y]]>z")), "<!--[CDATA[x<y]]-->·z");
}

TEST(TokenizerTest, CharacterReferences) {
  run_cases({
      {"named", "&amp;&lt;&gt;&quot;&nbsp;", "&<>\"\u00a0"},
      {"legacy without semicolon", "&amp &copy2", "& ©2"},
      {"longest match wins", "&notin; &notit;", "∉ ¬it;"},
      {"two code points", "&NotEqualTilde;", "\u2242\u0338"},
      {"longest name", "&CounterClockwiseContourIntegral;", "\u2233"},
      {"unknown stays literal", "&foo; &", "&foo; &"},
      {"no semicolon, not legacy", "&hellip", "&hellip"},
      {"decimal and hex", "&#65;&#x42;&#X43", "ABC"},
      {"C1 replacement table", "&#x80;&#x9F;&#x81;", "€Ÿ\u0081"},
      {"zero, surrogate, out of range", "&#0;&#xD800;&#x110000;", "\uFFFD\uFFFD\uFFFD"},
      {"huge number saturates", "&#99999999999999999999999999;", "\uFFFD"},
      {"CR from a reference is kept", "&#13;", "\r"},
      {"no digits", "&#;&#x;&#xg", "&#;&#x;&#xg"},
      {"in attribute: legacy before = stays", "<a href='?x=1&copy=2&amp;y'>",
       "<a href=?x=1&copy=2&y>"},
      {"in attribute: legacy before alnum stays", "<a t=&notit>", "<a t=&notit>"},
      {"in attribute: with semicolon expands", "<a t='&copy;2'>", "<a t=©2>"},
      {"in attribute: legacy before other char", "<a t=\"&copy.\">", "<a t=©.>"},
      {"RCDATA decodes", "<textarea>&lt;b&gt;", "<textarea>·<b>"},
  });
}

TEST(TokenizerTest, NulBytes) {
  using namespace std::string_view_literals;
  run_cases({
      {"data keeps NUL", "a\0b"sv, "a\0b"sv},
      {"tag name", "<a\0b>"sv, "<a\uFFFDb>"},
      {"attribute name and value", "<a x\0=\"\0\">"sv, "<a x\uFFFD=\uFFFD>"},
      {"comment", "<!--\0-->"sv, "<!--\uFFFD-->"},
      {"RCDATA replaces", "<title>\0"sv, "<title>·\uFFFD"},
      {"script replaces", "<script>\0</script>"sv, "<script>·\uFFFD·</script>"},
  });
  EXPECT_GT(tokenize(std::string_view("a\0b", 3)).errors, 0u);
}

TEST(TokenizerTest, InputPreprocessing) {
  run_cases({
      {"CR LF and lone CR become LF", "a\r\nb\rc\r", "a\nb\nc\n"},
      {"CR in attribute value", "<a t='1\r\n2'>", "<a t=1\n2>"},
      {"invalid byte",
       "a\xFF"
       "b",
       "a\uFFFDb"},
      {"overlong encoding", "\xC0\xAF", "\uFFFD\uFFFD"},
      {"truncated sequence at end", "x\xE2\x82", "x\uFFFD"},
      {"surrogate encoding", "\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},
      {"valid multi-byte text is untouched", "héllo ✓ 𝄞", "héllo ✓ 𝄞"},
      {"U+FFFD itself is valid", "\uFFFD", "\uFFFD"},
  });
}

TEST(TokenizerTest, ParseErrorsAreCounted) {
  using namespace std::string_view_literals;
  struct ErrorCase {
    std::string_view input;
    TokenizerState state;
    uint32_t errors;
  };
  const ErrorCase cases[] = {
      {"<!DOCTYPE html><p class=a>text &amp; more</p>", TokenizerState::kData, 0},
      {"a\r\nb\tc\fd", TokenizerState::kData, 0},
      {"\x01 \x7F", TokenizerState::kData, 2},          // control-character-in-input-stream
      {"\xC2\x80 \xC2\xA0", TokenizerState::kData, 1},  // U+0080 is a C1 control, U+00A0 is not
      {"\xEF\xB7\x90 \xEF\xBF\xBF \xF4\x8F\xBF\xBE", TokenizerState::kData, 3},  // noncharacters
      {"a\0b"sv, TokenizerState::kData, 1},       // unexpected-null-character, counted once
      {"<a x=1 x=2>", TokenizerState::kData, 1},  // duplicate-attribute
      {"&#x80;&amp", TokenizerState::kData, 2},   // control reference, missing semicolon
      {"<!--x", TokenizerState::kData, 1},        // eof-in-comment
      {"<!--x", TokenizerState::kScriptData, 1},  // eof-in-script-html-comment-like-text
      {"</>", TokenizerState::kData, 1},          // missing-end-tag-name
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(tokenize(c.input, c.state, false).errors, c.errors) << c.input;
  }
}

// Runs are scanned 16 bytes at a time where SIMD is available; put the interesting byte at every
// offset around the block boundaries.
TEST(TokenizerTest, SpecialBytesAtEveryOffset) {
  for (size_t k = 0; k < 40; ++k) {
    const std::string pad(k, 'x');
    EXPECT_EQ(joined(tokenize(pad + "&amp;" + pad + "<b>")), pad + "&" + pad + "·<b>") << k;
    EXPECT_EQ(joined(tokenize("<a t=\"" + pad + "&lt;" + pad + "\" u='" + pad + "'>")),
              "<a t=" + pad + "<" + pad + " u=" + pad + ">")
        << k;
    EXPECT_EQ(joined(tokenize(pad + "\r\n" + pad + "\r" + pad)), pad + "\n" + pad + "\n" + pad)
        << k;
    EXPECT_EQ(joined(tokenize(pad + "\xFF" + pad)), pad + "\uFFFD" + pad) << k;
    EXPECT_EQ(joined(tokenize(pad + "\x01" + pad)).size(), 2 * k + 1) << k;
    EXPECT_EQ(tokenize(pad + "\x01" + pad + "\x02").errors, 2u) << k;
    EXPECT_EQ(joined(tokenize("<script><!--" + pad + "-->" + pad + "</script>")),
              "<script>·<!--" + pad + "-->" + pad + "·</script>")
        << k;
    EXPECT_EQ(joined(tokenize("<style>" + pad + "<" + pad + "</style>")),
              "<style>·" + pad + "<" + pad + "·</style>")
        << k;
  }
}

TEST(TokenizerTest, TextRunsAreViewsIntoTheInput) {
  const std::string input = "<p>plain text, no changes</p>";
  Tokenizer tok;
  tok.reset(input);
  Token t;
  tok.next(t);
  tok.next(t);
  ASSERT_EQ(t.type, TokenType::kCharacter);
  EXPECT_EQ(t.data, "plain text, no changes");
  EXPECT_EQ(t.data.data(), input.data() + 3);
}

TEST(TokenizerTest, HugeTextRun) {
  std::string input(32 << 20, 'x');
  input += "<b>";
  Tokenizer tok;
  tok.reset(input);
  Token t;
  size_t text = 0;
  for (tok.next(t); t.type == TokenType::kCharacter; tok.next(t)) text += t.data.size();
  EXPECT_EQ(text, size_t{32} << 20);
  EXPECT_EQ(t.type, TokenType::kStartTag);
}

TEST(TokenizerTest, EntityFloodFinishesQuickly) {
  std::string input;
  for (int i = 0; i < 1'000'000; ++i) input += "&amp;";
  const auto start = std::chrono::steady_clock::now();
  Tokenizer tok;
  tok.reset(input);
  Token t;
  size_t text = 0;
  for (tok.next(t); t.type == TokenType::kCharacter; tok.next(t)) {
    for (char c : t.data) EXPECT_EQ(c, '&');
    text += t.data.size();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(text, 1'000'000u);
  // Linear work: well under a second even in a debug build; quadratic behaviour would take
  // minutes.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 5000);
}

TEST(TokenizerTest, AttributeCountLimit) {
  std::string input = "<div";
  const uint32_t n = limits::kMaxAttributesPerElement + 10;
  for (uint32_t i = 0; i < n; ++i) input += " a" + std::to_string(i) + "=v";
  input += "><p x=1>";
  Tokenizer tok;
  tok.reset(input);
  Token t;
  tok.next(t);
  ASSERT_EQ(t.type, TokenType::kStartTag);
  ASSERT_EQ(t.attributes.size(), limits::kMaxAttributesPerElement);
  EXPECT_EQ(t.attributes.front().name, "a0");
  EXPECT_EQ(t.attributes.back().name, "a" + std::to_string(limits::kMaxAttributesPerElement - 1));
  EXPECT_TRUE(tok.attributes_limited());
  tok.next(t);
  EXPECT_EQ(t.attributes.size(), 1u);
}

TEST(TokenizerTest, ManyDuplicateAttributesKeepTheFirst) {
  // Past the linear-scan threshold duplicates are found through the hash index.
  std::string input = "<div";
  for (int i = 0; i < 100; ++i) input += " a" + std::to_string(i) + "=first";
  for (int i = 0; i < 100; ++i) input += " A" + std::to_string(i) + "=second";
  input += ">";
  Tokenizer tok;
  tok.reset(input);
  Token t;
  tok.next(t);
  ASSERT_EQ(t.attributes.size(), 100u);
  for (const auto& a : t.attributes) EXPECT_EQ(a.value, "first");
  EXPECT_FALSE(tok.attributes_limited());  // duplicates do not count as limited
  EXPECT_GE(tok.parse_error_count(), 100u);
}

TEST(TokenizerTest, AttributeByteLimit) {
  const std::string big(limits::kMaxAttributeBytes - 10, 'v');
  const std::string input = "<a x='" + big + "' y=1234567890123 z=1>";
  Tokenizer tok;
  tok.reset(input);
  Token t;
  tok.next(t);
  ASSERT_EQ(t.type, TokenType::kStartTag);
  ASSERT_EQ(t.attributes.size(), 2u);  // y would pass the byte budget; z still fits
  EXPECT_EQ(t.attributes[0].name, "x");
  EXPECT_EQ(t.attributes[0].value.size(), big.size());
  EXPECT_EQ(t.attributes[1].name, "z");
  EXPECT_TRUE(tok.attributes_limited());
}

TEST(TokenizerTest, ReuseAcrossDocuments) {
  Tokenizer tok;
  Token t;
  tok.reset("<script>");
  tok.next(t);
  tok.set_state(TokenizerState::kScriptData);
  tok.set_allow_cdata(true);
  tok.reset("<b>&amp;");
  tok.next(t);
  EXPECT_EQ(t.type, TokenType::kStartTag);
  tok.next(t);
  EXPECT_EQ(t.data, "&");
  EXPECT_EQ(tok.parse_error_count(), 0u);
  tok.next(t);
  EXPECT_EQ(t.type, TokenType::kEof);
}

}  // namespace
}  // namespace riptide::html
