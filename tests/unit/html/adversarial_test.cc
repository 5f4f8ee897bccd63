// Hostile documents: each must parse in (near) linear time with bounded memory and report the
// limit it hit instead of crashing, recursing or going quadratic. The time bounds are loose
// (unoptimised debug builds, shared machines); a quadratic algorithm on these sizes would take
// minutes to hours, so they still catch one.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/utf8.h"
#include "html/parser.h"
#include "html/serializer.h"
#include "html/tree_dump.h"

namespace riptide::html {
namespace {

constexpr double kSecondsBound = 30.0;

std::string repeat(std::string_view piece, size_t count) {
  std::string out;
  out.reserve(piece.size() * count);
  for (size_t i = 0; i < count; ++i) out.append(piece);
  return out;
}

// Deepest element nesting in the document (iterative).
size_t max_depth(const Document& doc) {
  size_t best = 0;
  std::vector<std::pair<const Node*, size_t>> stack{{doc.root(), 0}};
  while (!stack.empty()) {
    auto [n, d] = stack.back();
    stack.pop_back();
    if (d > best) best = d;
    for (const Node* c = n->first_child; c != nullptr; c = c->next_sibling) {
      stack.emplace_back(c, d + 1);
    }
    if (n->template_content != nullptr) stack.emplace_back(n->template_content, d + 1);
  }
  return best;
}

class AdversarialTest : public ::testing::Test {
 protected:
  // Parses `input`, checks the time bound, and leaves the result in doc_.
  void parse(std::string_view input) {
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(parser_.parse(input, doc_).ok());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, kSecondsBound) << "input of " << input.size() << " bytes";
  }

  Parser parser_;
  Document doc_;
};

TEST_F(AdversarialTest, MillionNestedDivs) {
  parse(repeat("<div>", 1'000'000));
  EXPECT_TRUE(doc_.limits.depth_limited);
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
  EXPECT_GE(doc_.node_count, 1'000'000u);  // flattened, not dropped
  // Serializing the result must not recurse either. (The tree dump indents two spaces per
  // level, so its size grows with depth times width; it is checked on a deep tree below.)
  EXPECT_GT(outer_html(doc_.root()).size(), 5'000'000u);
}

TEST_F(AdversarialTest, MillionNestedFormattingElements) {
  parse(repeat("<b>", 1'000'000));
  EXPECT_TRUE(doc_.limits.depth_limited);
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
  parse(repeat("<a href=x>", 1'000'000));
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
  parse(repeat("<b><i>x", 500'000) + repeat("</b>y</i>", 500'000));
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
}

TEST_F(AdversarialTest, MillionNestedTables) {
  parse(repeat("<table>", 1'000'000));
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
  parse(repeat("<table><tr><td>", 400'000) + "x");
  EXPECT_TRUE(doc_.limits.depth_limited);
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
}

TEST_F(AdversarialTest, RawTextAtTheDepthLimitStaysText) {
  // Past the limit elements are flattened, but script/style/textarea content must still be
  // tokenized as text (never as markup) and stay inside its element.
  std::string deep = repeat("<div>", limits::kMaxDomDepth + 50);
  parse(deep + "<script><b>s</b></script><textarea><i>t</i></textarea><style><u></style>after");
  EXPECT_TRUE(doc_.limits.depth_limited);
  int scripts = 0;
  for (Node* n = doc_.root(); n != nullptr; n = next_in_subtree(n, doc_.root())) {
    if (n->is(Tag::kB) || n->is(Tag::kI) || n->is(Tag::kU)) {
      ADD_FAILURE() << "markup in raw text";
    }
    if (n->is(Tag::kScript)) {
      ++scripts;
      EXPECT_EQ(text_content(n), "<b>s</b>");
    }
    if (n->is(Tag::kTextarea)) {
      EXPECT_EQ(text_content(n), "<i>t</i>");
    }
    if (n->is(Tag::kStyle)) {
      EXPECT_EQ(text_content(n), "<u>");
    }
  }
  EXPECT_EQ(scripts, 1);
  EXPECT_NE(text_content(doc_.body()).find("after"), std::string::npos);
  // Table structure at the limit is flattened too, without breaking the rest of the tree.
  parse(deep + "<table><tr><td>a</td><td>b</td></tr></table><p>c");
  EXPECT_NE(text_content(doc_.body()).find("abc"), std::string::npos);
}

TEST_F(AdversarialTest, HundredThousandUnclosedFormattingElements) {
  // Distinct attributes defeat the Noah's Ark clause; the list of active formatting elements is
  // still capped (kMaxActiveFormattingElements), so reconstruction and the adoption agency stay
  // bounded per token.
  std::string input;
  for (int i = 0; i < 100'000; ++i) {
    input += "<b id=" + std::to_string(i) + "><i>";
  }
  for (int i = 0; i < 100'000; ++i) input += "<p>x</b>y</i>";
  parse(input);
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);

  // Formatting elements popped by </div> leave entries behind markers (<object>); lookups must
  // not rescan those stale entries for every adoption-agency step.
  input.clear();
  for (int level = 0; level < 400; ++level) {
    input += "<div>";
    for (int i = 0; i < 64; ++i) input += "<b id=" + std::to_string(i) + ">";
    input += "</div><object>";
  }
  for (int i = 0; i < 100'000; ++i) input += "<b><span><div>x</b>";
  parse(input);
  EXPECT_LE(max_depth(doc_), limits::kMaxDomDepth + 4);
}

TEST_F(AdversarialTest, HundredMegabyteTextNode) {
  std::string input = "<p>" + std::string(100u << 20, 'a');
  parse(input);
  Node* p = doc_.body()->first_child;
  ASSERT_NE(p, nullptr);
  ASSERT_NE(p->first_child, nullptr);
  EXPECT_EQ(p->first_child, p->last_child);  // one text node
  EXPECT_EQ(p->first_child->data.size(), 100u << 20);
}

TEST_F(AdversarialTest, MillionAttributesOnOneElement) {
  std::string input = "<div";
  for (int i = 0; i < 1'000'000; ++i) input += " a" + std::to_string(i) + "=v";
  input += ">x";
  parse(input);
  EXPECT_TRUE(doc_.limits.attributes_limited);
  Node* div = doc_.body()->first_child;
  ASSERT_NE(div, nullptr);
  EXPECT_LE(div->attr_count, limits::kMaxAttributesPerElement);
}

TEST_F(AdversarialTest, RepeatedBodyTagsWithNewAttributes) {
  // Each <body> copies its new attributes onto the existing body; the copy is capped.
  std::string input = "<body>";
  for (int i = 0; i < 200'000; ++i) input += "<body a" + std::to_string(i) + "=1>";
  parse(input);
  EXPECT_TRUE(doc_.limits.attributes_limited);
  EXPECT_EQ(doc_.body()->attr_count, limits::kMaxAttributesPerElement);
}

TEST_F(AdversarialTest, UnterminatedCommentAndScript) {
  std::string body(10u << 20, 'c');
  parse("<!--" + body);
  ASSERT_NE(doc_.root()->first_child, nullptr);
  EXPECT_EQ(doc_.root()->first_child->type, NodeType::kComment);
  EXPECT_EQ(doc_.root()->first_child->data.size(), body.size());

  parse("<script>" + body + "<!--<script>");
  Node* script = doc_.head()->first_child;
  ASSERT_NE(script, nullptr);
  EXPECT_TRUE(script->is(Tag::kScript));
  EXPECT_EQ(text_content(script).size(), body.size() + 12);
}

TEST_F(AdversarialTest, InvalidUtf8BecomesReplacementCharacters) {
  std::string input;
  for (int i = 0; i < 200'000; ++i) {
    input += static_cast<char>(0x80 + (i % 0x80));
    input += "<p title=\"\xC3\">\xF0\x9F\x98\xED\xA0\x80";
  }
  parse(input);
  for (Node* n = doc_.root(); n != nullptr; n = next_in_subtree(n, doc_.root())) {
    if (n->type == NodeType::kText || n->type == NodeType::kComment) {
      ASSERT_TRUE(utf8::is_valid(n->data));
    }
    for (uint32_t i = 0; i < n->attr_count; ++i) ASSERT_TRUE(utf8::is_valid(n->attrs[i].value));
  }
}

TEST_F(AdversarialTest, NulBytesEverywhere) {
  std::string piece("<d\0iv \0a=\0 b\0=x>\0t\0<!--\0--><svg>\0</svg>", 37);
  parse(repeat(piece, 200'000));
  std::string text = text_content(doc_.body());
  // NUL is dropped in HTML content and becomes U+FFFD in foreign content; never kept.
  EXPECT_EQ(text.find('\0'), std::string::npos);
  EXPECT_GT(doc_.parse_error_count, 0u);
}

TEST_F(AdversarialTest, EntityFlood) {
  parse("<p>" + repeat("&amp;&notin;&#x1F600;&#0;&bogus;", 400'000));
  Node* p = doc_.body()->first_child;
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->first_child, p->last_child);
  std::string expected_piece = "&\xE2\x88\x89\xF0\x9F\x98\x80\xEF\xBF\xBD&bogus;";
  EXPECT_EQ(p->first_child->data.size(), expected_piece.size() * 400'000);
}

TEST_F(AdversarialTest, NodeLimitDropsFurtherNodes) {
  parse(repeat("<br>", limits::kMaxNodes + 10'000));
  EXPECT_TRUE(doc_.limits.node_limited);
  EXPECT_LE(doc_.node_count, limits::kMaxNodes);
}

Node* build_chain(Document& doc, int depth) {
  Node* parent = doc.root();
  for (int i = 0; i < depth; ++i) {
    Node* div = doc.create_element(Tag::kDiv, "div");
    append_child(parent, div);
    parent = div;
  }
  append_child(parent, doc.create_text("x"));
  return parent;
}

TEST(AdversarialDomTest, SerializeMillionDeepTree) {
  // Trees built by other code (not the parser) can be arbitrarily deep.
  Document doc;
  build_chain(doc, 1'000'000);
  EXPECT_EQ(outer_html(doc.root()).size(), 1'000'000u * 11 + 1);
  EXPECT_EQ(text_content(doc.root()), "x");
}

TEST(AdversarialDomTest, DumpDeepTree) {
  // Deep enough to overflow a recursive dumper's stack frames in a small-stack thread, small
  // enough for the quadratic indentation of the format.
  Document doc;
  build_chain(doc, 2'000);
  std::string dump = dump_tree(doc);
  std::string last_line = "| " + std::string(2 * 2'000, ' ') + "\"x\"\n";
  ASSERT_GE(dump.size(), last_line.size());
  EXPECT_EQ(dump.substr(dump.size() - last_line.size()), last_line);
}

}  // namespace
}  // namespace riptide::html
