#include "extract/markdown.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "html/dom.h"
#include "html/parser.h"
#include "url/url.h"

namespace riptide::extract {
namespace {

struct Case {
  const char* name;
  const char* html;
  const char* expected;
};

std::string markdown(std::string_view html, const RenderOptions& options = {}) {
  html::Document doc = html::parse_document(html);
  return to_markdown(doc.root(), options);
}

std::string text(std::string_view html) {
  html::Document doc = html::parse_document(html);
  return to_text(doc.root());
}

void run_markdown_cases(const Case* cases, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(markdown(cases[i].html), cases[i].expected) << cases[i].name << "\n" << cases[i].html;
  }
}

TEST(MarkdownTest, BlocksAndHeadings) {
  static const Case kCases[] = {
      {"empty", "", ""},
      {"only whitespace", "<p>  \n </p><div> </div>", ""},
      {"paragraphs one blank line apart",
       "<p>One</p>\n\n<p>Two</p><div><div><p>Three</p></div></div>", "One\n\nTwo\n\nThree"},
      {"heading levels", "<h1>A</h1><h2>B</h2><h3>C</h3><h4>D</h4><h5>E</h5><h6>F</h6>",
       "# A\n\n## B\n\n### C\n\n#### D\n\n##### E\n\n###### F"},
      {"heading collapsed to one line", "<h2>  Multi\n line <br> title<p>and block</p> </h2>",
       "## Multi line title and block"},
      {"empty heading dropped", "<p>a</p><h2> </h2><p>b</p>", "a\n\nb"},
      {"closing hashes escaped", "<h2>Issue #</h2><h3>C#</h3>", "## Issue \\#\n\n### C#"},
      {"whitespace collapses", "<p>  a \n\t b   c  </p>", "a b c"},
      {"nbsp is a space", "<p>a&nbsp;b&nbsp;&nbsp; c</p>", "a b c"},
      {"inline flow keeps spacing",
       "<p>He<span>llo</span> <a>wor</a>ld, <b></b>again<i> </i>now</p>", "Hello world, again now"},
      {"hr", "<p>a</p><hr><p>b</p>", "a\n\n---\n\nb"},
      {"hard break", "<p>line one<br>line two</p>", "line one\\\nline two"},
      {"trailing br dropped", "<p>a<br></p><p>b</p>", "a\n\nb"},
      {"double br is a paragraph", "<p>a<br><br>b</p>", "a\n\nb"},
      {"skips hidden and non-rendered",
       "<p>a<script>x()</script><style>p{}</style><span hidden>h</span>"
       "<span style='display: none'>n</span><template>t</template>b</p>"
       "<svg><text>svg</text></svg><noscript>ns</noscript>",
       "ab"},
      {"head skipped", "<html><head><title>T</title></head><body><p>x</p></body></html>", "x"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, InlineFormatting) {
  static const Case kCases[] = {
      {"emphasis", "<p><em>a</em> <strong>b</strong> <del>c</del> <s>d</s> <i>e</i> <b>f</b></p>",
       "*a* **b** ~~c~~ ~~d~~ *e* **f**"},
      {"spaces move outside markers", "<p>x<em> a </em>y</p>", "x *a* y"},
      {"empty emphasis dropped", "<p>a<b> </b>b<i></i>c</p>", "a bc"},
      {"nested same emphasis not doubled", "<p><b>a <strong>b</strong> c</b></p>", "**a b c**"},
      {"adjacent strong runs join", "<p><b>a</b><b>b</b></p>", "**ab**"},
      {"emphasis across blocks closes and reopens", "<em><p>a</p><p>b</p></em>", "*a*\n\n*b*"},
      {"inline code", "<p>Use <code>std::move</code> here</p>", "Use `std::move` here"},
      {"code with backticks", "<p><code>a`b</code> <code>``x</code></p>", "``a`b`` ``` ``x ```"},
      {"code keeps markdown characters raw", "<p><code>*p_ = [x]</code></p>", "`*p_ = [x]`"},
      {"code whitespace outside", "<p>a<code> x </code>b</p>", "a `x` b"},
      {"kbd", "<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd></p>", "Press `Ctrl`+`C`"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, EmphasisThatCommonMarkCanParse) {
  // CommonMark 6.2 flanking rules: markers that could not open or close are left out (the text
  // stays), instead of printing literal asterisks.
  static const Case kCases[] = {
      {"punctuation after a word", "<p>Delgado<em>, Fiscal</em> general</p>",
       "Delgado, Fiscal general"},
      {"closer after punctuation before a word", "<p><b>33%</b>of all</p>", "33%of all"},
      {"closer after punctuation before a space", "<p><b>Note:</b> text</p>", "**Note:** text"},
      {"closer after punctuation at the end", "<p>See <i>this.</i></p>", "See *this.*"},
      {"quote marks", "<p>the „<i>Extrablatt</i>“ and <b>„x“</b>y</p>",
       "the „*Extrablatt*“ and „x“y"},
      {"adjacent runs are one run", "<p><b>Delgado</b><i>, Fiscal.</i></p>",
       "**Delgado**, Fiscal."},
      {"nested closers after a word", "<p><b><i>word</i></b>next</p>", "***word***next"},
      {"emphasis over a double br", "<p><b>a<br><br>b</b></p>", "**a**\n\n**b**"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, Links) {
  static const Case kCases[] = {
      {"link", "<p>See <a href='https://x.org/a'>the docs</a>.</p>",
       "See [the docs](https://x.org/a)."},
      {"title", "<a href='/a' title='A \"b\"'>t</a>", "[t](/a \"A \\\"b\\\"\")"},
      {"javascript dropped to text",
       "<p><a href='javascript:void(0)'>click</a> "
       "<a href=' JavaScript:x'>me</a></p>",
       "click me"},
      {"empty text link dropped", "<p>a<a href='/x'> </a>b<a href='/y'></a></p>", "a b"},
      {"no href is text", "<p><a name='x'>anchor</a></p>", "anchor"},
      {"brackets in link text", "<a href='/x'>[1] a]b</a>", "[\\[1\\] a\\]b](/x)"},
      {"parens in url", "<a href='/a (b)'>t</a>", "[t](</a (b)>)"},
      {"image", "<img src='/i.png' alt='An [x] image'>", "![An \\[x\\] image](/i.png)"},
      {"markdown in alt and title escaped", "<img src='/i' alt='a`b *c*' title='t`'>",
       "![a\\`b \\*c\\*](/i \"t\\`\")"},
      {"entities in title and url", "<a href='/?a=1&amp;copy;' title='&amp;uuml;'>t</a>",
       "[t](/?a=1\\&copy; \"\\&uuml;\")"},
      {"image in link", "<a href='/p'><img src='i.png' alt='a'></a>", "[![a](i.png)](/p)"},
      {"data image falls back to data-src",
       "<img src='data:image/gif;base64,R0' data-src='/r.jpg'>", "![](/r.jpg)"},
      {"image without source dropped", "<p>a<img alt='x'>b</p>", "ab"},
      {"tracking pixel dropped", "<p>a</p><img src='/p.gif' width=1 height='1px' alt=''>", "a"},
      {"small picture kept", "<img src='/i.png' width=16 height=16 alt='i'>", "![i](/i.png)"},
      {"block link links its first block", "<a href='/post'><h2>Title</h2><p>Summary</p></a>",
       "## [Title](/post)\n\nSummary"},
      {"emphasis inside link", "<a href='/x'><b>bold</b> text</a>", "[**bold** text](/x)"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, ResolvesAgainstBase) {
  Result<url::Url> base = url::parse("https://example.com/dir/page.html");
  ASSERT_TRUE(base.ok());
  RenderOptions options;
  options.base = &base.value();
  EXPECT_EQ(markdown("<a href='../x?q=1#f'>a</a> <img src='i.png' alt='b'>", options),
            "[a](https://example.com/x?q=1#f) ![b](https://example.com/dir/i.png)");
  EXPECT_EQ(markdown("<a href='https://other.org/'>o</a>", options), "[o](https://other.org/)");
  // Unparsable values stay as written.
  EXPECT_EQ(markdown("<a href='http://[bad'>x</a>", options), "[x](http://[bad)");
  EXPECT_EQ(markdown("<a href='javascript:alert(1)'>x</a>", options), "x");
}

TEST(MarkdownTest, Lists) {
  static const Case kCases[] = {
      {"tight bullets", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
      {"ordered", "<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"},
      {"start", "<ol start='9'><li>a</li><li>b</li><li>c</li></ol>", "9. a\n10. b\n11. c"},
      {"reversed", "<ol reversed><li>a</li><li>b</li><li>c</li></ol>", "3. a\n2. b\n1. c"},
      {"li value", "<ol><li>a</li><li value='7'>b</li><li>c</li></ol>", "1. a\n7. b\n8. c"},
      {"nested three deep",
       "<ul><li>a<ul><li>b<ol><li>c</li><li>d</li></ol></li></ul></li><li>e</li></ul>",
       "- a\n  - b\n    1. c\n    2. d\n- e"},
      {"nested indent follows marker width", "<ol start='10'><li>ten<ul><li>x</li></ul></li></ol>",
       "10. ten\n    - x"},
      {"loose list with paragraphs", "<ul><li><p>a</p><p>a2</p></li><li><p>b</p></li></ul>",
       "- a\n\n  a2\n\n- b"},
      {"items with several blocks are loose", "<ul><li><h3>T</h3><div>x</div></li><li>y</li></ul>",
       "- ### T\n\n  x\n\n- y"},
      {"div at item start keeps list tight", "<ul><li><div>a</div></li><li><div>b</div></li></ul>",
       "- a\n- b"},
      {"list separated from paragraphs", "<p>before</p><ul><li>x</li></ul><p>after</p>",
       "before\n\n- x\n\nafter"},
      {"text after nested list", "<ul><li>a<ul><li>b</li></ul>c</li></ul>", "- a\n  - b\n\n  c"},
      {"adjacent lists stay apart",
       "<ul><li>a</li></ul><ul><li>b</li></ul><ul><li>c</li></ul>"
       "<ol><li>d</li></ol><ol><li>e</li></ol>",
       "- a\n\n* b\n\n- c\n\n1. d\n\n1) e"},
      {"content between items", "<ul><li>a</li><a href='/x'>x</a><li>b</li></ul>",
       "- a\n\n[x](/x)\n\n- b"},
      {"empty items skipped", "<ul><li></li><li>a</li><li> </li></ul>", "- a"},
      {"empty first item keeps the blank line", "<p>x</p><ol><li></li><li>b</li></ol>",
       "x\n\n2. b"},
      {"code block in item", "<ul><li>run:<pre>make\n\nmake test</pre></li></ul>",
       "- run:\n\n  ```\n  make\n\n  make test\n  ```"},
      {"hard break in item", "<ol><li>a<br>b</li></ol>", "1. a\\\n   b"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, Blockquotes) {
  static const Case kCases[] = {
      {"quote", "<blockquote><p>a</p><p>b</p></blockquote>", "> a\n>\n> b"},
      {"nested", "<blockquote>a<blockquote>b</blockquote>c</blockquote>", "> a\n>\n> > b\n>\n> c"},
      {"list in quote", "<blockquote><ul><li>x</li><li>y</li></ul></blockquote>", "> - x\n> - y"},
      {"quote in list", "<ul><li><blockquote>q</blockquote></li></ul>", "- > q"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, CodeBlocks) {
  static const Case kCases[] = {
      {"whitespace kept exactly", "<pre>  a  b\n\tc\n</pre>", "```\n  a  b\n\tc\n```"},
      {"language from code class", "<pre><code class='language-cpp'>int x;</code></pre>",
       "```cpp\nint x;\n```"},
      {"lang- on pre", "<pre class='lang-py'>x = 1</pre>", "```py\nx = 1\n```"},
      {"highlight-source on parent",
       "<div class='highlight highlight-source-rust'><pre>fn</pre></div>", "```rust\nfn\n```"},
      {"fence longer than backtick runs", "<pre>a ``` b ````</pre>", "`````\na ``` b ````\n`````"},
      {"markup inside pre is text", "<pre><b>bold</b> *x* <a href='/'>l</a>\n</pre>",
       "```\nbold *x* l\n```"},
      {"br inside pre", "<pre>a<br>b</pre>", "```\na\nb\n```"},
      {"pre in quote", "<blockquote><pre>a\n\nb</pre></blockquote>", "> ```\n> a\n>\n> b\n> ```"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, Tables) {
  static const Case kCases[] = {
      {"th header", "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
       "| A | B |\n| --- | --- |\n| 1 | 2 |"},
      {"thead/tbody",
       "<table><thead><tr><td>A</td><td>B</td></tr></thead><tbody><tr><td>1</td><td>2</td></tr>"
       "</tbody></table>",
       "| A | B |\n| --- | --- |\n| 1 | 2 |"},
      {"first row as header without th",
       "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
       "| a | b |\n| --- | --- |\n| c | d |"},
      {"pipes escaped, breaks become spaces",
       "<table><tr><th>x|y</th><th><code>a|b</code></th></tr>"
       "<tr><td><p>p1</p><p>p2</p></td><td>l1<br>l2</td></tr></table>",
       "| x\\|y | `a\\|b` |\n| --- | --- |\n| p1 p2 | l1 l2 |"},
      {"colspan flattened with empty cells",
       "<table><tr><th colspan=2>Wide</th><th>C</th></tr><tr><td>1</td><td>2</td><td>3</td></tr>"
       "</table>",
       "| Wide | | C |\n| --- | --- | --- |\n| 1 | 2 | 3 |"},
      {"rowspan leaves empty cells below",
       "<table><tr><th>A</th><th>B</th></tr><tr><td rowspan=2>x</td><td>1</td></tr>"
       "<tr><td>2</td></tr></table>",
       "| A | B |\n| --- | --- |\n| x | 1 |\n| | 2 |"},
      {"rows padded", "<table><tr><th>A</th><th>B</th><th>C</th></tr><tr><td>1</td></tr></table>",
       "| A | B | C |\n| --- | --- | --- |\n| 1 | | |"},
      {"caption above", "<table><caption>Totals</caption><tr><td>a</td><td>b</td></tr></table>",
       "Totals\n\n| a | b |\n| --- | --- |"},
      {"formatting inside cells",
       "<table><tr><td><b>a</b></td><td><a href='/u'>link</a></td></tr></table>",
       "| **a** | [link](/u) |\n| --- | --- |"},
      {"single column is layout", "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>",
       "a\n\nb"},
      {"nested table is layout",
       "<table><tr><td><p>left</p></td><td><table><tr><td>x</td><td>y</td></tr></table></td></tr>"
       "</table>",
       "left\n\n| x | y |\n| --- | --- |"},
      {"headerless table whose cells stack blocks is layout",
       "<table><tr><td><b>ann</b></td><td><div>Posted today</div><div>First post.</div></td></tr>"
       "<tr><td><b>bo</b></td><td><div>Posted later</div><div>A reply.</div></td></tr></table>",
       "**ann**\n\nPosted today\n\nFirst post.\n\n**bo**\n\nPosted later\n\nA reply."},
      {"stacked cells under a header row stay a table",
       "<table><tr><th>Step</th><th>Notes</th></tr><tr><td>1</td><td><p>Mix.</p><p>Rest.</p></td>"
       "</tr></table>",
       "| Step | Notes |\n| --- | --- |\n| 1 | Mix. Rest. |"},
      {"presentation table is layout",
       "<table role=presentation><tr><td>a</td><td>b</td></tr></table>", "a\n\nb"},
      {"table in list item", "<ul><li>t<table><tr><td>a</td><td>b</td></tr></table></li></ul>",
       "- t\n\n  | a | b |\n  | --- | --- |"},
      {"emphasis around table", "<b>x<table><tr><td>a</td><td>b</td></tr></table>y</b>",
       "**x**\n\n| a | b |\n| --- | --- |\n\n**y**"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, DefinitionListsAndFigures) {
  static const Case kCases[] = {
      {"dl", "<dl><dt>Term</dt><dd>Def one</dd><dd>Def two</dd><dt>T2</dt><dd>D2</dd></dl>",
       "**Term**\n: Def one\n: Def two\n\n**T2**\n: D2"},
      {"figure", "<figure><img src='/a.png' alt='A'><figcaption>Fig. 1</figcaption></figure>",
       "![A](/a.png)\n\nFig. 1"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, EscapesOnlyWhatChangesMeaning) {
  static const Case kCases[] = {
      {"ordinary punctuation untouched", "<p>Hello, world! (a) {b} 3 + 4 = 7; 50% off - ok. #1</p>",
       "Hello, world! (a) {b} 3 + 4 = 7; 50% off - ok. #1"},
      {"line-start heading", "<p># not a heading</p>", "\\# not a heading"},
      {"hashtag untouched", "<p>#hashtag</p>", "#hashtag"},
      {"line-start quote", "<p>> not a quote</p>", "\\> not a quote"},
      {"line-start bullets", "<p>- a</p><p>+ b</p><p>* c</p>", "\\- a\n\n\\+ b\n\n\\* c"},
      {"line-start ordered", "<p>1. a</p><p>2024) b</p><p>3.5 c</p>",
       "1\\. a\n\n2024\\) b\n\n3.5 c"},
      {"setext underline", "<p>a<br>===</p><p>---</p>", "a\\\n\\===\n\n\\---"},
      {"nbsp after a list number", "<p>1.&nbsp;Step</p>", "1\\. Step"},
      {"emphasis characters", "<p>a*b* 2 * 3 _x_ snake_case</p>",
       "a\\*b\\* 2 * 3 \\_x\\_ snake_case"},
      {"backslash and backtick", "<p>C:\\dir a\\* `x`</p>", "C:\\dir a\\\\\\* \\`x\\`"},
      {"html-like and entity-like", "<p>a &lt;b&gt; 1 &lt; 2 &amp;amp; AT&amp;T</p>",
       "a \\<b> 1 < 2 \\&amp; AT&T"},
      {"link-like text", "<p>[x](y) [1]</p>", "[x\\](y) [1]"},
      {"lone star decided by what follows",
       "<p>fields marked <span>*</span> are required</p>"
       "<p>a <span>*</span><b>b</b> c</p><p>x_<i>y</i>_z</p>",
       "fields marked * are required\n\na \\***b** c\n\nx\\_*y*\\_z"},
      {"lone star before a closer", "<p><b>Email <span>*</span></b> x</p>", "**Email \\*** x"},
      {"tilde", "<p>~~no~~ ~5 min</p>", "\\~\\~no\\~\\~ \\~5 min"},
  };
  run_markdown_cases(kCases, std::size(kCases));
}

TEST(MarkdownTest, NoTrailingSpacesOrBlankRuns) {
  std::string md = markdown(
      "<div> <p>a </p> \n\n <div>\n</div><p> b<br> </p><ul><li> c </li></ul>\n<blockquote> <p>d"
      "</p> </blockquote></div>  ");
  EXPECT_EQ(md, "a\n\nb\n\n- c\n\n> d");
  EXPECT_EQ(md.find(" \n"), std::string::npos);
  EXPECT_EQ(md.find("\n\n\n"), std::string::npos);
}

TEST(MarkdownTest, RendersElementAndFragmentRoots) {
  html::Document doc = html::parse_document("<div id=a><p>x <b>y</b></p></div><p>z</p>");
  const html::Node* div = doc.body()->first_element_child();
  EXPECT_EQ(to_markdown(div), "x **y**");
  EXPECT_EQ(to_text(div), "x y");
  EXPECT_EQ(to_markdown(nullptr), "");
  EXPECT_EQ(to_text(nullptr), "");
}

TEST(MarkdownTest, DeepNestingDoesNotCrash) {
  for (html::Tag tag : {html::Tag::kDiv, html::Tag::kBlockquote, html::Tag::kUl, html::Tag::kEm,
                        html::Tag::kA, html::Tag::kTable}) {
    html::Document doc;
    html::Node* parent = doc.root();
    std::string_view name = html::tag_name(tag);
    for (int i = 0; i < 100'000; ++i) {
      html::Node* e = doc.create_element(tag, name);
      if (tag == html::Tag::kUl) {
        html::Node* li = doc.create_element(html::Tag::kLi, "li");
        html::append_child(parent, li);
        parent = li;
      }
      html::append_child(parent, e);
      parent = e;
    }
    html::append_child(parent, doc.create_text("deep"));
    std::string md = to_markdown(doc.root());
    EXPECT_NE(md.find("deep"), std::string::npos) << html::tag_name(tag);
    // Output stays small: nesting beyond the limit adds no prefixes.
    EXPECT_LT(md.size(), 1000u) << html::tag_name(tag);
    EXPECT_EQ(to_text(doc.root()), "deep") << html::tag_name(tag);
  }
}

TEST(TextTest, PlainTextRendering) {
  static const Case kCases[] = {
      {"empty", "", ""},
      {"paragraphs", "<h1>Title</h1><p>One <b>bold</b> and <a href='/x'>link</a>.</p><p>Two</p>",
       "Title\n\nOne bold and link.\n\nTwo"},
      {"lists without markers", "<ul><li>a</li><li>b<ol><li>c</li></ol></li></ul><p>d</p>",
       "a\nb\nc\n\nd"},
      {"no characters inserted in running text", "<p>a<em>b</em>c <span>d</span><code>e</code></p>",
       "abc de"},
      {"markdown characters are not escaped", "<p># *x* [y] 1. a_b</p>", "# *x* [y] 1. a_b"},
      {"br", "<p>a<br>b</p>", "a\nb"},
      {"table rows and tabs",
       "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>x <b>y</b></td></tr></table>",
       "A\tB\n1\tx y"},
      {"pre kept", "<p>x</p><pre>  a\n   b\n</pre><p>y</p>", "x\n\n  a\n   b\n\ny"},
      {"images and hidden skipped", "<p>a<img src='/i' alt='alt'>b<span hidden>c</span></p>", "ab"},
      {"blockquote and heading", "<blockquote><p>q</p></blockquote><h2>h <i>i</i></h2>",
       "q\n\nh i"},
      {"nbsp", "<p>a&nbsp;&nbsp;b</p>", "a b"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(text(c.html), c.expected) << c.name << "\n" << c.html;
  }
}

}  // namespace
}  // namespace riptide::extract
