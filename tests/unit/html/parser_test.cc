// Parser, tree dump and serializer behaviour that the extractor and the CLI rely on. The
// html5lib-tests conformance suite (tests/conformance) covers tree construction in depth; these
// tests pin the public API: the tree format, text merging, fragments, quirks, scripting flag,
// parser reuse, and HTML serialization.

#include <gtest/gtest.h>

#include <string>

#include "core/limits.h"
#include "html/parser.h"
#include "html/serializer.h"
#include "html/tree_dump.h"

namespace riptide::html {
namespace {

std::string dump(std::string_view html) {
  Document doc;
  Parser parser;
  EXPECT_TRUE(parser.parse(html, doc).ok());
  return dump_tree(doc);
}

struct TreeCase {
  const char* name;
  const char* input;
  const char* tree;
};

class TreeTest : public ::testing::TestWithParam<TreeCase> {};

TEST_P(TreeTest, DumpsHtml5libFormat) {
  EXPECT_EQ(dump(GetParam().input), GetParam().tree);
}

const TreeCase kTreeCases[] = {
    {"implied_html_head_body", "Hello", "| <html>\n|   <head>\n|   <body>\n|     \"Hello\"\n"},
    {"doctype_and_comment", "<!DOCTYPE html><!--c--><p>x",
     "| <!DOCTYPE html>\n| <!-- c -->\n| <html>\n|   <head>\n|   <body>\n|     <p>\n"
     "|       \"x\"\n"},
    {"doctype_ids",
     "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\" "
     "\"http://www.w3.org/TR/html4/strict.dtd\">",
     "| <!DOCTYPE html \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
     "| <html>\n|   <head>\n|   <body>\n"},
    {"attributes_sorted", "<div z=1 a=2 m=\"&amp;\">",
     "| <html>\n|   <head>\n|   <body>\n|     <div>\n|       a=\"2\"\n|       m=\"&\"\n"
     "|       z=\"1\"\n"},
    {"paragraphs_close_each_other", "<p>One<p>Two",
     "| <html>\n|   <head>\n|   <body>\n|     <p>\n|       \"One\"\n|     <p>\n|       \"Two\"\n"},
    {"misnested_formatting_adoption", "<b>1<p>2</b>3</p>",
     "| <html>\n|   <head>\n|   <body>\n|     <b>\n|       \"1\"\n|     <p>\n|       <b>\n"
     "|         \"2\"\n|       \"3\"\n"},
    {"foster_parenting", "<table>x<tr><td>y</table>",
     "| <html>\n|   <head>\n|   <body>\n|     \"x\"\n|     <table>\n|       <tbody>\n"
     "|         <tr>\n|           <td>\n|             \"y\"\n"},
    {"svg_names_and_attributes",
     "<svg viewbox=\"0 0 1 1\" xlink:href=\"#a\"><foreignobject><p>x</p></foreignobject>"
     "<clippath/></svg>",
     "| <html>\n|   <head>\n|   <body>\n|     <svg svg>\n|       viewBox=\"0 0 1 1\"\n"
     "|       xlink href=\"#a\"\n|       <svg foreignObject>\n|         <p>\n|           \"x\"\n"
     "|       <svg clipPath>\n"},
    {"mathml", "<math><mi>x</mi><annotation-xml encoding=\"text/html\"><div>d</div>",
     "| <html>\n|   <head>\n|   <body>\n|     <math math>\n|       <math mi>\n"
     "|         \"x\"\n|       <math annotation-xml>\n|         encoding=\"text/html\"\n"
     "|         <div>\n|           \"d\"\n"},
    {"template_content", "<template><td>x</td></template>",
     "| <html>\n|   <head>\n|     <template>\n|       content\n|         <td>\n"
     "|           \"x\"\n|   <body>\n"},
    {"rcdata_and_rawtext", "<title>a<b></title><style>p<i></style><textarea>\nx</textarea>",
     "| <html>\n|   <head>\n|     <title>\n|       \"a<b>\"\n|     <style>\n"
     "|       \"p<i>\"\n|   <body>\n|     <textarea>\n|       \"x\"\n"},
    {"noscript_scripting_off", "<head><noscript><link></noscript>",
     "| <html>\n|   <head>\n|     <noscript>\n|       <link>\n|   <body>\n"},
    {"plaintext", "<plaintext></plaintext><b>",
     "| <html>\n|   <head>\n|   <body>\n|     <plaintext>\n|       \"</plaintext><b>\"\n"},
    {"entities_merge_into_one_text_node", "a&amp;b&lt;c&#x41;",
     "| <html>\n|   <head>\n|   <body>\n|     \"a&b<cA\"\n"},
};

INSTANTIATE_TEST_SUITE_P(Parser, TreeTest, ::testing::ValuesIn(kTreeCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ParserTest, IgnoredEndTagBetweenTextMergesTextNodes) {
  Document doc;
  Parser parser;
  ASSERT_TRUE(parser.parse("x</div>y<!---->z", doc).ok());
  Node* body = doc.body();
  ASSERT_NE(body, nullptr);
  ASSERT_NE(body->first_child, nullptr);
  EXPECT_EQ(body->first_child->data, "xy");
  EXPECT_EQ(body->last_child->data, "z");
}

TEST(ParserTest, NulInBodyIsDroppedAndCounted) {
  Document doc;
  Parser parser;
  ASSERT_TRUE(parser.parse(std::string_view("<p>a\0b</p>", 10), doc).ok());
  EXPECT_EQ(text_content(doc.body()), "ab");
  EXPECT_GT(doc.parse_error_count, 0u);
}

TEST(ParserTest, DocumentAccessors) {
  Document doc = parse_document("<title> T </title><p>body");
  ASSERT_NE(doc.html_element(), nullptr);
  ASSERT_NE(doc.head(), nullptr);
  ASSERT_NE(doc.body(), nullptr);
  EXPECT_EQ(doc.title(), " T ");
  EXPECT_EQ(doc.node_count, 8u);  // document, html, head, title, its text, body, p, its text
}

TEST(ParserTest, QuirksModeFromDoctype) {
  EXPECT_EQ(parse_document("<p>").quirks_mode, QuirksMode::kQuirks);
  EXPECT_EQ(parse_document("<!DOCTYPE html>").quirks_mode, QuirksMode::kNoQuirks);
  EXPECT_EQ(parse_document("<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
                           "\"http://www.w3.org/TR/html4/loose.dtd\">")
                .quirks_mode,
            QuirksMode::kLimitedQuirks);
  EXPECT_EQ(parse_document("<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">")
                .quirks_mode,
            QuirksMode::kQuirks);
  EXPECT_EQ(parse_document("<!DOCTYPE html PUBLIC \"-//IETF//DTD HTML 2.0//EN\">").quirks_mode,
            QuirksMode::kQuirks);
}

TEST(ParserTest, QuirksModeKeepsPOpenAroundTable) {
  // 13.2.6.4.7: only outside quirks mode does <table> close an open <p>.
  EXPECT_NE(dump("<p><table>").find("|     <p>\n|       <table>"), std::string::npos);
  EXPECT_NE(dump("<!DOCTYPE html><p><table>").find("|     <p>\n|     <table>"), std::string::npos);
}

TEST(ParserTest, ScriptingOnMakesNoscriptRawText) {
  ParseOptions options;
  options.scripting = true;
  Parser parser(options);
  Document doc;
  ASSERT_TRUE(parser.parse("<body><noscript><p>x</p></noscript>", doc).ok());
  EXPECT_EQ(dump_tree(doc),
            "| <html>\n|   <head>\n|   <body>\n|     <noscript>\n|       \"<p>x</p>\"\n");
}

TEST(ParserTest, ReusedParserGivesSameResult) {
  Parser parser;
  Document a;
  Document b;
  ASSERT_TRUE(parser.parse("<table><tr><td><b>x<svg><desc>", a).ok());
  ASSERT_TRUE(parser.parse("<p>other</p>", b).ok());
  ASSERT_TRUE(parser.parse("<table><tr><td><b>x<svg><desc>", b).ok());
  EXPECT_EQ(dump_tree(a), dump_tree(b));
}

TEST(ParserTest, FragmentInTableRowContext) {
  Parser parser;
  Document doc;
  ASSERT_TRUE(parser.parse_fragment("<td>a<td>b", "tr", Namespace::kHtml, doc).ok());
  EXPECT_EQ(dump_children(doc, doc.html_element()), "| <td>\n|   \"a\"\n| <td>\n|   \"b\"\n");
}

TEST(ParserTest, FragmentInSvgContextStaysForeign) {
  Parser parser;
  Document doc;
  ASSERT_TRUE(parser.parse_fragment("<path/><b>x", "svg", Namespace::kSvg, doc).ok());
  EXPECT_EQ(dump_children(doc, doc.html_element()), "| <svg path>\n| <b>\n|   \"x\"\n");
}

TEST(ParserTest, FragmentInTextareaIsText) {
  Parser parser;
  Document doc;
  ASSERT_TRUE(parser.parse_fragment("<b>&amp;</textarea>", "textarea", Namespace::kHtml, doc).ok());
  EXPECT_EQ(dump_children(doc, doc.html_element()), "| \"<b>&</textarea>\"\n");
}

TEST(ParserTest, OversizedInputIsAResourceLimitError) {
  // The size check runs before any byte is read, so a view with an oversized length over a small
  // buffer exercises it without allocating half a gigabyte.
  static const char kByte = 'x';
  std::string_view huge(&kByte, limits::kMaxHtmlBytes + 1);
  Parser parser;
  Document doc;
  Status status = parser.parse(huge, doc);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kResourceLimit);
}

struct SerializeCase {
  const char* name;
  const char* input;
  const char* body_inner_html;
};

class SerializeTest : public ::testing::TestWithParam<SerializeCase> {};

TEST_P(SerializeTest, InnerHtmlOfBody) {
  Document doc = parse_document(std::string("<body>") + GetParam().input);
  ASSERT_NE(doc.body(), nullptr);
  EXPECT_EQ(inner_html(doc.body()), GetParam().body_inner_html);
}

const SerializeCase kSerializeCases[] = {
    {"text_escaping", "a &amp; b &lt; c &gt; d&nbsp;\"q\"", "a &amp; b &lt; c &gt; d&nbsp;\"q\""},
    {"attribute_escaping", "<a title='x \"y\" &amp; <z> &nbsp;'>t</a>",
     "<a title=\"x &quot;y&quot; &amp; &lt;z&gt; &nbsp;\">t</a>"},
    {"void_elements", "<br><img src=a><input><hr>", "<br><img src=\"a\"><input><hr>"},
    {"raw_text_not_escaped", "<script>if (a < b && c) x()</script><xmp>&<</xmp>",
     "<script>if (a < b && c) x()</script><xmp>&<</xmp>"},
    {"comments", "<!-- hi -->", "<!-- hi -->"},
    {"nested", "<div><p>a<b>b</b></p></div>", "<div><p>a<b>b</b></p></div>"},
    {"template_content", "<template><p>x</p></template>", "<template><p>x</p></template>"},
    {"foreign_attributes", "<svg xlink:href=\"#a\" xml:lang=en viewbox=\"0 0 1 1\"></svg>",
     "<svg xlink:href=\"#a\" xml:lang=\"en\" viewBox=\"0 0 1 1\"></svg>"},
};

INSTANTIATE_TEST_SUITE_P(Serializer, SerializeTest, ::testing::ValuesIn(kSerializeCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(SerializerTest, OuterHtmlIncludesTheNode) {
  Document doc = parse_document("<div id=a><span>x</span></div><p>next");
  Node* div = doc.body()->first_child;
  ASSERT_TRUE(div->is(Tag::kDiv));
  EXPECT_EQ(outer_html(div), "<div id=\"a\"><span>x</span></div>");
  EXPECT_EQ(outer_html(div->first_child->first_child), "x");
}

TEST(SerializerTest, RoundTripKeepsTheTree) {
  const char* inputs[] = {
      "<!DOCTYPE html><title>t</title><p>a<b>b<i>c</b>d</i>e",
      "<table><caption>c</caption><tr><td>1<td>2</table>",
      "<ul><li>one<li>two</ul><select><option>a<option selected>b</select>",
      "<svg><g><circle r=1></circle></g></svg><math><mi>x</mi></math>",
      "<pre>x\ny</pre><textarea>a&lt;/textarea&gt;</textarea>",
  };
  for (const char* input : inputs) {
    Document first = parse_document(input);
    std::string html = inner_html(first.root());
    Document second = parse_document(html);
    EXPECT_EQ(dump_tree(first), dump_tree(second)) << input << "\nserialized: " << html;
  }
}

}  // namespace
}  // namespace riptide::html
