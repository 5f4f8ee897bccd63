#include "html/selector.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/strings.h"
#include "html/dom.h"
#include "html/parser.h"
#include "html/serializer.h"
#include "html/tag.h"

namespace riptide::html {
namespace {

// Builds a DOM from well-formed markup written for these tests: every element is closed (or
// self-closed with "/>"), no implied tags, no character references. <svg> and everything inside
// it is in the SVG namespace, names keep their case. Independent of the HTML parser, so the
// matcher is tested on exactly the tree written down.
class MarkupBuilder {
 public:
  explicit MarkupBuilder(Document& doc) : doc_(doc) {}

  void build(std::string_view m) {
    Node* cur = doc_.root();
    size_t i = 0;
    while (i < m.size()) {
      if (m.substr(i, 4) == "<!--") {
        size_t end = m.find("-->", i);
        append_child(cur, doc_.create_comment(m.substr(i + 4, end - i - 4)));
        i = end + 3;
      } else if (m.substr(i, 2) == "</") {
        i = m.find('>', i) + 1;
        cur = cur->parent;
      } else if (m[i] == '<') {
        ++i;
        size_t start = i;
        while (!is_end_of_name(m[i])) ++i;
        std::string_view name = m.substr(start, i - start);
        bool svg = name == "svg" || (cur->is_element() && cur->ns == Namespace::kSvg);
        Node* e = doc_.create_element(lookup_tag(str::to_lower(name)), doc_.arena().copy(name),
                                      svg ? Namespace::kSvg : Namespace::kHtml);
        std::vector<Attribute> attrs;
        for (;;) {
          while (m[i] == ' ') ++i;
          if (m[i] == '>' || m[i] == '/') break;
          start = i;
          while (!is_end_of_name(m[i]) && m[i] != '=') ++i;
          Attribute a;
          a.name = doc_.arena().copy(m.substr(start, i - start));
          if (m[i] == '=') {
            ++i;
            char quote = m[i];
            if (quote == '"' || quote == '\'') {
              size_t end = m.find(quote, i + 1);
              a.value = doc_.arena().copy(m.substr(i + 1, end - i - 1));
              i = end + 1;
            } else {
              start = i;
              while (!is_end_of_name(m[i])) ++i;
              a.value = doc_.arena().copy(m.substr(start, i - start));
            }
          }
          attrs.push_back(a);
        }
        if (!attrs.empty()) {
          e->attrs = doc_.arena().make_array<Attribute>(attrs.size());
          for (size_t k = 0; k < attrs.size(); ++k) e->attrs[k] = attrs[k];
          e->attr_count = static_cast<uint32_t>(attrs.size());
        }
        append_child(cur, e);
        if (m[i] == '/') {
          i += 2;
        } else {
          ++i;
          cur = e;
        }
      } else {
        size_t end = m.find('<', i);
        if (end == std::string_view::npos) end = m.size();
        append_child(cur, doc_.create_text(m.substr(i, end - i)));
        i = end;
      }
    }
  }

 private:
  static bool is_end_of_name(char c) { return c == ' ' || c == '>' || c == '/'; }
  Document& doc_;
};

// The id of an element, or its name when it has none.
std::string label(const Node* n) {
  std::string_view id = n->attr_value("id");
  return std::string(id.empty() ? n->name : id);
}

std::string labels(const std::vector<Node*>& nodes) {
  std::string out;
  for (const Node* n : nodes) {
    if (!out.empty()) out += ' ';
    out += label(n);
  }
  return out;
}

constexpr std::string_view kPage =
    "<html id=html><head id=head><title id=title>T</title></head>"
    "<body id=body>\n"
    " <div id=main class=' content  main ' lang='en-US' data-x='Hello World'>\n"
    "  <h1 id=h1 class=title>Head</h1>\n"
    "  <p id=p1 class=lead>One</p>\n"
    "  <p id=p2 title='a b c'>Two <a id=a1 href='https://example.com/x.PDF' hreflang=EN "
    "rel='nofollow noopener'>link</a></p>\n"
    "  <ul id=list><li id=li1>1</li><li id=li2 class=odd>2</li><!-- c --><li id=li3>3</li>"
    "<li id=li4 class=odd>4</li>text<li id=li5>5</li></ul>\n"
    "  <div id=empty></div>\n"
    "  <div id=comment><!-- only a comment --></div>\n"
    "  <span id=s1></span>\n"
    "  <DIV id=upper></DIV>\n"
    "  <p id=p4 class='a:b' data-empty=''>Four</p>\n"
    " </div>\n"
    " <aside id=side><p id=p3>Side</p><em id=em1>x</em><p id=p5>y</p></aside>\n"
    " <svg id=svg viewBox='0 0 1 1'><foreignObject id=fo><div id=fodiv></div></foreignObject>"
    "<rect id=rect/></svg>\n"
    "</body></html>";

class SelectorMatchTest : public ::testing::Test {
 protected:
  void SetUp() override { MarkupBuilder(doc_).build(kPage); }

  // Labels of select_all(selector, document) or "ERROR: message".
  std::string select(std::string_view selector) {
    Result<SelectorList> list = parse_selector_list(selector);
    if (!list.ok()) return "ERROR: " + list.error().message();
    return labels(select_all(*list, doc_.root()));
  }
  Node* by_id(std::string_view id) {
    for (Node* n = doc_.root(); n != nullptr; n = next_in_subtree(n, doc_.root())) {
      if (n->is_element() && n->attr_value("id") == id) return n;
    }
    return nullptr;
  }

  Document doc_;
};

struct MatchCase {
  const char* selector;
  const char* expected;  // labels in document order
};

TEST_F(SelectorMatchTest, MatchesDocumentInOrder) {
  const MatchCase cases[] = {
      // Type and universal selectors; HTML names are ASCII case-insensitive.
      {"title", "title"},
      {"TITLE", "title"},
      {"li", "li1 li2 li3 li4 li5"},
      {"nosuch", ""},
      {"custom-x", ""},
      {"*",
       "html head title body main h1 p1 p2 a1 list li1 li2 li3 li4 li5 empty comment s1 "
       "upper p4 side p3 em1 p5 svg fo fodiv rect"},
      {"div", "main empty comment upper fodiv"},
      // SVG names are case-sensitive.
      {"foreignObject", "fo"},
      {"foreignobject", ""},
      {"svg rect", "rect"},
      // ID and class.
      {"#p2", "p2"},
      {"#P2", ""},
      {"p#p2", "p2"},
      {"div#p2", ""},
      {".odd", "li2 li4"},
      {".main", "main"},
      {".content.main", "main"},
      {".Main", ""},
      {".lead.odd", ""},
      {"li.odd#li4", "li4"},
      {"#main.content", "main"},
      // Attribute selectors.
      {"[title]", "p2"},
      {"[TITLE]", "p2"},
      {"[title=\"a b c\"]", "p2"},
      {"[title='a b c']", "p2"},
      {"[title=a]", ""},
      {"[title~=b]", "p2"},
      {"[title~='b c']", ""},
      {"[title~='']", ""},
      {"[lang|=en]", "main"},
      {"[lang|=en-US]", "main"},
      {"[lang|=e]", ""},
      {"[href^='https://']", "a1"},
      {"[href$='.PDF']", "a1"},
      {"[href$='.pdf']", ""},
      {"[href$='.pdf' i]", "a1"},
      {"[href$='.pdf' I]", "a1"},
      {"[href*=example]", "a1"},
      {"[href^='']", ""},
      {"[href$='']", ""},
      {"[href*='']", ""},
      {"[data-empty='']", "p4"},
      {"[data-empty]", "p4"},
      {"[data-x='hello world']", ""},
      {"[data-x='hello world' i]", "main"},
      {"[ data-x = 'Hello World' ]", "main"},
      {"[rel~=noopener]", "a1"},
      // hreflang is one of HTML's case-insensitive attributes; the s flag overrides that.
      {"[hreflang=en]", "a1"},
      {"[hreflang=en s]", ""},
      {"[hreflang=EN s]", "a1"},
      // Attribute names on SVG elements are case-sensitive.
      {"[viewBox]", "svg"},
      {"[viewbox]", ""},
      // CSS escapes in identifiers and strings.
      {".a\\:b", "p4"},
      {"#\\70 1", "p1"},
      {"#\\000070 1", "p1"},  // the space ends the escape
      {"#\\0000701", "p1"},
      {"[data-x='Hello\\20World']", "main"},
      {"[data-x=\"Hello\\\nWorld\"]", ""},
      {"[data-x=\"Hello \\\nWorld\"]", "main"},
      {"\\64 iv#main", "main"},
      {"[title='a\\ b c']", "p2"},
      // Combinators.
      {"body p", "p1 p2 p4 p3 p5"},
      {"div p", "p1 p2 p4"},
      {"body > p", ""},
      {"aside > p", "p3 p5"},
      {"h1 + p", "p1"},
      {"h1 + p + p", "p2"},
      {"h1 ~ p", "p1 p2 p4"},
      {"h1 ~ div", "empty comment upper"},
      {"p ~ em", "em1"},
      {"em + p", "p5"},
      {"p + em ~ p", "p5"},
      {"li + li", "li2 li3 li4 li5"},
      {"li ~ .odd", "li2 li4"},
      {"html body div p a", "a1"},
      {"html > body > div > p > a", "a1"},
      {"body > div p > a", "a1"},
      {"div > p ~ ul li.odd + li", "li3 li5"},
      {"  div\t>\np  ", "p1 p2 p4"},
      {"div/* comment */p", "ERROR: unexpected 'p' at 16"},
      {"div /* comment */ > p", "p1 p2 p4"},
      {"foreignObject > div", "fodiv"},
      {"svg div", "fodiv"},
      // Lists: document order, no duplicates.
      {"p, li", "p1 p2 li1 li2 li3 li4 li5 p4 p3 p5"},
      {"#p3, #p1, p", "p1 p2 p4 p3 p5"},
      // Tree-structural pseudo-classes (text and comments do not count as siblings).
      {":root", "html"},
      {"li:first-child", "li1"},
      {"li:last-child", "li5"},
      {"p:first-child", "p3"},
      {"p:last-child", "p4 p5"},
      {":only-child", "html title a1 fodiv"},
      {"p:first-of-type", "p1 p3"},
      {"p:last-of-type", "p4 p5"},
      {"em:only-of-type", "em1"},
      {"ul:only-of-type", "list"},
      {"div:empty", "empty comment upper fodiv"},
      {"li:empty", ""},
      {"span:empty, rect:empty", "s1 rect"},
      {"li:nth-child(2)", "li2"},
      {"li:nth-child(odd)", "li1 li3 li5"},
      {"li:nth-child(even)", "li2 li4"},
      {"li:nth-child(2n+1)", "li1 li3 li5"},
      {"li:nth-child(-n+3)", "li1 li2 li3"},
      {"li:nth-child(n+4)", "li4 li5"},
      {"li:nth-child(0n+5)", "li5"},
      {"li:nth-child(3n)", "li3"},
      {"li:nth-last-child(1)", "li5"},
      {"li:nth-last-child(-n+2)", "li4 li5"},
      {"p:nth-of-type(2)", "p2 p5"},
      {"p:nth-last-of-type(2)", "p2 p3"},
      {"li:nth-child(2 of .odd)", "li4"},
      {"li:nth-last-child(1 of .odd)", "li4"},
      {"li:nth-child(odd of :not(.odd))", "li1 li5"},
      // Logical pseudo-classes.
      {"li:not(.odd)", "li1 li3 li5"},
      {"p:not(#p1, #p2)", "p4 p3 p5"},
      {"p:not(div p)", "p3 p5"},
      {"div:not(:empty)", "main"},
      {":is(h1, p).lead", "p1"},
      {":is(aside, ul) > :is(p, li):first-child", "li1 p3"},
      {"p:where(:not(.lead))", "p2 p4 p3 p5"},
      {":is(div p) a", "a1"},
      {":is(:not(:is(li)))#li1", ""},
      {"div:has(a)", "main"},
      {"div:has(> p)", "main"},
      {"div:has(> a)", ""},
      {"p:has(+ p)", "p1"},
      {"h1:has(~ ul)", "h1"},
      {"h1:has(+ ul)", ""},
      {"li:has(+ li + .odd)", "li2"},
      {"aside:has(p + em)", "side"},
      {"body > :has(li.odd)", "main"},
      {":has(> li:nth-child(5))", "list"},
      {"p:has(+ em, > a)", "p2 p3"},
      {"h1:has(+ p a)", ""},
      {"h1:has(~ p a)", "h1"},
      {"section:has(a), p:not(:has(a))", "p1 p4 p3 p5"},
      {":scope > body", "body"},
      // ASCII case-insensitive keywords.
      {"LI:NTH-CHILD(ODD):Not(.odd)", "li1 li3 li5"},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(select(c.selector), c.expected) << "selector: " << c.selector;
  }
}

TEST_F(SelectorMatchTest, MatchesSingleElements) {
  Result<SelectorList> list = parse_selector_list("ul > li.odd");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(matches(*list, by_id("li2")));
  EXPECT_FALSE(matches(*list, by_id("li1")));
  EXPECT_TRUE(matches(list->selectors()[0], by_id("li4")));
  EXPECT_FALSE(matches(*list, doc_.root()));
  EXPECT_FALSE(matches(*list, by_id("li2")->first_child));  // text node
  EXPECT_FALSE(matches(*list, nullptr));
}

TEST_F(SelectorMatchTest, SelectWithinSubtree) {
  Result<SelectorList> list = parse_selector_list("p");
  ASSERT_TRUE(list.ok());
  // Only strict descendants of the root, like querySelectorAll.
  EXPECT_EQ(labels(select_all(*list, by_id("side"))), "p3 p5");
  EXPECT_EQ(labels(select_all(*list, by_id("p1"))), "");
  EXPECT_EQ(label(select_first(*list, by_id("side"))), "p3");
  EXPECT_EQ(label(select_first(*list, doc_.root())), "p1");
  EXPECT_EQ(select_first(*list, by_id("list")), nullptr);
  // Combinators still see ancestors outside the root.
  Result<SelectorList> outer = parse_selector_list("body aside p");
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(labels(select_all(*outer, by_id("side"))), "p3 p5");
  // :scope is the root element.
  Result<SelectorList> scoped = parse_selector_list(":scope > p");
  ASSERT_TRUE(scoped.ok());
  EXPECT_EQ(labels(select_all(*scoped, by_id("main"))), "p1 p2 p4");
}

struct NthCase {
  const char* an_plus_b;
  const char* expected;  // 1-based indices among 10 siblings
};

TEST(SelectorNthTest, AnPlusBSyntax) {
  Document doc;
  Node* ol = doc.create_element(Tag::kOl, "ol");
  append_child(doc.root(), ol);
  static const char* const kIds[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
  for (const char* id : kIds) {
    Node* li = doc.create_element(Tag::kLi, "li");
    li->attrs = doc.arena().make_array<Attribute>(1);
    li->attrs[0] = Attribute{"id", id};
    li->attr_count = 1;
    append_child(ol, li);
  }
  const NthCase cases[] = {
      {"odd", "1 3 5 7 9"},
      {"even", "2 4 6 8 10"},
      {" EVEN ", "2 4 6 8 10"},
      {"3", "3"},
      {"+5", "5"},
      {"-1", ""},
      {"0", ""},
      {"n", "1 2 3 4 5 6 7 8 9 10"},
      {"+n", "1 2 3 4 5 6 7 8 9 10"},
      {"N", "1 2 3 4 5 6 7 8 9 10"},
      {"-n+3", "1 2 3"},
      {"-n + 3", "1 2 3"},
      {"n+8", "8 9 10"},
      {"+n+8", "8 9 10"},
      {"n-8", "1 2 3 4 5 6 7 8 9 10"},
      {"n- 8", "1 2 3 4 5 6 7 8 9 10"},
      {"-n-8", ""},
      {"-n- 1", ""},
      {"2n+1", "1 3 5 7 9"},
      {"2n + 1", "1 3 5 7 9"},
      {"2n +1", "1 3 5 7 9"},
      {"2n- 1", "1 3 5 7 9"},
      {"2n-1", "1 3 5 7 9"},
      {"2n - 1", "1 3 5 7 9"},
      {"+2n", "2 4 6 8 10"},
      {"-2n+7", "1 3 5 7"},
      {"3n-1", "2 5 8"},
      {"0n+4", "4"},
      {"-0n+4", "4"},
      {"4n+0", "4 8"},
      {"99999999999999n+1", "1"},
      {"-99999999999999n+99999999999", ""},
      {"1 of :not([id='1'])", "2"},
  };
  for (const NthCase& c : cases) {
    std::string sel = std::string("li:nth-child(") + c.an_plus_b + ")";
    Result<SelectorList> list = parse_selector_list(sel);
    ASSERT_TRUE(list.ok()) << sel << ": " << list.error().message();
    EXPECT_EQ(labels(select_all(*list, doc.root())), c.expected) << sel;
  }
}

struct ErrorCase {
  const char* selector;
  const char* message;
};

TEST(SelectorParseTest, ErrorsNamePositionAndProblem) {
  const ErrorCase cases[] = {
      {"", "unexpected end of selector at 0"},
      {"   ", "unexpected end of selector at 3"},
      {"div)", "unexpected ')' at 3"},
      {"div p)", "unexpected ')' at 5"},
      {":hover", "unknown pseudo-class :hover at 0"},
      {"a:visited", "unknown pseudo-class :visited at 1"},
      {"a:contains(x)", "unknown pseudo-class :contains() at 1"},
      {"p::before", "pseudo-elements are not supported at 1"},
      {"a:", "expected pseudo-class name after ':' at 2"},
      {"a:1", "expected pseudo-class name after ':' at 2"},
      {"svg|rect", "namespace prefixes are not supported at 0"},
      {"*|a", "namespace prefixes are not supported at 0"},
      {"|a", "namespace prefixes are not supported at 0"},
      {"[xlink|href]", "namespace prefixes are not supported at 1"},
      {"[*|href]", "namespace prefixes are not supported at 1"},
      {"[]", "expected attribute name at 1"},
      {"['a']", "expected attribute name at 1"},
      {"[a=]", "expected attribute value at 3"},
      {"[a==b]", "expected attribute value at 3"},
      {"[a=1]", "expected attribute value at 3"},
      {"[a&=b]", "unexpected '&' at 2"},
      {"[a ~ = b]", "unexpected '~' at 3"},
      {"[a=b x]", "invalid attribute flag 'x' at 5"},
      {"[a=b i s]", "expected ']' at 7"},
      {"[a=b", "expected ']' at 4"},
      {"[a", "unexpected end of selector at 2"},
      {"[a b]", "unexpected 'b' at 3"},
      {"#1a", "invalid id selector '#1a' at 0"},
      {"#", "unexpected '#' at 0"},
      {". a", "expected class name after '.' at 1"},
      {".1", "unexpected number at 0"},
      {"a,,b", "unexpected ',' at 2"},
      {"a,", "unexpected end of selector at 2"},
      {",a", "unexpected ',' at 0"},
      {"a >", "unexpected end of selector at 3"},
      {"> a", "unexpected '>' at 0"},
      {"a > > b", "unexpected '>' at 4"},
      {"a + ~ b", "unexpected '~' at 4"},
      {"div[x]span", "unexpected 'span' at 6"},
      {".a*", "unexpected '*' at 2"},
      {"a{}", "unexpected '{' at 1"},
      {"@media", "unexpected '@' at 0"},
      {"'abc'", "unexpected string at 0"},
      {"[a='b\n']", "unterminated string at 3"},
      {":not()", "unexpected ')' at 5"},
      {":not(a", "unexpected end of selector at 6"},
      {":not(a b", "unexpected end of selector at 8"},
      {":is(a))", "unexpected ')' at 6"},
      {":has()", "unexpected ')' at 5"},
      {":has(>)", "unexpected ')' at 6"},
      {":has(:has(a))", ":has() cannot be nested at 5"},
      {":has(:is(:has(a)))", ":has() cannot be nested at 9"},
      {":nth-child()", "invalid an+b expression at 11"},
      {":nth-child(2x)", "invalid an+b expression at 11"},
      {":nth-child(+ n)", "invalid an+b expression at 11"},
      {":nth-child(1.5)", "invalid an+b expression at 11"},
      {":nth-child(n + -1)", "invalid an+b expression at 15"},
      {":nth-child(n -)", "invalid an+b expression at 14"},
      {":nth-child(2n 1)", "unexpected number at 14"},
      {":nth-child(--n)", "invalid an+b expression at 11"},
      {":nth-child(n-a)", "invalid an+b expression at 11"},
      {":nth-child(odd of)", "unexpected ')' at 17"},
      {":nth-of-type(2 of p)", "unexpected 'of' at 15"},
      {":first-child(1)", "unknown pseudo-class :first-child() at 0"},
  };
  for (const ErrorCase& c : cases) {
    Result<SelectorList> list = parse_selector_list(c.selector);
    if (list.ok()) {
      ADD_FAILURE() << "parsed: " << c.selector;
      continue;
    }
    EXPECT_EQ(list.error().code(), ErrorCode::kInvalidArgument) << c.selector;
    EXPECT_EQ(list.error().message(), c.message) << "selector: " << c.selector;
  }
}

TEST(SelectorParseTest, LimitsAreErrorsNotCrashes) {
  std::string long_selector(limits::kMaxSelectorBytes + 1, 'a');
  Result<SelectorList> too_long = parse_selector_list(long_selector);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), ErrorCode::kResourceLimit);

  auto nested = [](uint32_t depth, const char* open) {
    std::string s;
    for (uint32_t i = 0; i < depth; ++i) s += open;
    s += "a";
    s.append(depth, ')');
    return s;
  };
  EXPECT_TRUE(parse_selector_list(nested(limits::kMaxSelectorNesting, ":not(")).ok());
  EXPECT_TRUE(parse_selector_list(nested(limits::kMaxSelectorNesting, ":is(")).ok());
  for (const char* open : {":not(", ":is(", ":where(", "a:nth-child(1 of "}) {
    Result<SelectorList> deep = parse_selector_list(nested(limits::kMaxSelectorNesting + 1, open));
    ASSERT_FALSE(deep.ok()) << open;
    EXPECT_EQ(deep.error().code(), ErrorCode::kResourceLimit);
    EXPECT_NE(deep.error().message().find("nesting deeper than 32"), std::string::npos);
  }
  // Unbalanced opening parentheses all the way to the byte limit stop at the nesting limit.
  std::string opens;
  while (opens.size() + 5 <= limits::kMaxSelectorBytes) opens += ":is(";
  EXPECT_EQ(parse_selector_list(opens).error().code(), ErrorCode::kResourceLimit);
}

TEST(SelectorParseTest, LongSelectorsAtTheByteLimit) {
  // Many compounds and many list entries: parsing and matching loop rather than recurse.
  std::string chain = "p";
  while (chain.size() + 4 <= limits::kMaxSelectorBytes) chain += " > p";
  Result<SelectorList> list = parse_selector_list(chain);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->selectors()[0].compounds().size(), (chain.size() + 3) / 4);

  Document doc;
  Node* parent = doc.root();
  for (int i = 0; i < 5000; ++i) {
    Node* p = doc.create_element(Tag::kP, "p");
    append_child(parent, p);
    parent = p;
  }
  // Elements with at least as many <p> ancestors-or-self as there are compounds match.
  size_t compounds = list->selectors()[0].compounds().size();
  EXPECT_EQ(select_all(*list, doc.root()).size(), 5000 - compounds + 1);

  std::string many = "a";
  while (many.size() + 2 <= limits::kMaxSelectorBytes) many += ",a";
  Result<SelectorList> wide = parse_selector_list(many);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->size(), (many.size() + 1) / 2);
}

TEST(SelectorParseTest, CompiledForm) {
  Result<SelectorList> list = parse_selector_list("ul#x > li.a[href] , p");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  const Selector& s = list->selectors()[0];
  // Right to left: the subject compound comes first.
  ASSERT_EQ(s.compounds().size(), 2u);
  EXPECT_EQ(s.compounds()[0].left, Combinator::kChild);
  EXPECT_EQ(s.compounds()[0].count, 3u);
  EXPECT_EQ(s.compounds()[1].left, Combinator::kNone);
  const Selector::Simple& li = s.simples()[s.compounds()[0].first];
  EXPECT_EQ(li.kind, Selector::Kind::kType);
  EXPECT_EQ(li.tag, Tag::kLi);
  EXPECT_EQ(s.name(li), "li");
}

// Selectors on trees built by the HTML parser: implied elements, case folding of names, adjusted
// SVG names, character references and template contents.
struct HtmlCase {
  const char* html;
  const char* selector;
  const char* expected;  // outer HTML of the matches, joined by '|'
};

TEST(SelectorHtmlTest, MatchesParsedDocuments) {
  const HtmlCase cases[] = {
      {"<table><tr><td>1<td>2</table>", "table > tbody > tr > td:nth-child(2)", "<td>2</td>"},
      {"<table><tr><td>1<td>2</table>", "table > tr", ""},
      {"<p>a<p>b<p>c", "p + p", "<p>b</p>|<p>c</p>"},
      {"<p>a<p>b<p>c", "body > p:last-child", "<p>c</p>"},
      {"<ul><li>a<li>b</ul><ul><li>c</ul>", "li:only-child", "<li>c</li>"},
      {"<ul><li>a<li>b</ul><ul><li>c</ul>", "ul:has(> li + li) li:first-of-type", "<li>a</li>"},
      {"<DIV CLASS=Foo ID=Bar>x</DIV>", "div.Foo#Bar", "<div class=\"Foo\" id=\"Bar\">x</div>"},
      {"<DIV CLASS=Foo ID=Bar>x</DIV>", "DIV[CLASS=Foo]", "<div class=\"Foo\" id=\"Bar\">x</div>"},
      {"<DIV CLASS=Foo ID=Bar>x</DIV>", ".foo, #bar", ""},
      {"<p title='a&amp;b&lt;'>x</p>", "[title='a&b<']", "<p title=\"a&amp;b&lt;\">x</p>"},
      {"<svg viewbox='0 0 1 1'><foreignobject><p>x</p></foreignobject></svg>", "svg[viewBox]",
       "<svg viewBox=\"0 0 1 1\"><foreignObject><p>x</p></foreignObject></svg>"},
      {"<svg viewbox='0 0 1 1'><foreignobject><p>x</p></foreignobject></svg>", "[viewbox]", ""},
      {"<svg><foreignobject><p>x</p></foreignobject></svg>", "foreignObject > p", "<p>x</p>"},
      {"<svg><foreignobject><p>x</p></foreignobject></svg>", "foreignobject", ""},
      {"<template><p>t</p></template><p>x</p>", "p", "<p>x</p>"},
      {"<p> </p><p><!--c--></p><p></p>", "p:empty", "<p><!--c--></p>|<p></p>"},
      {"<title>t</title><p>x", ":root > head > title", "<title>t</title>"},
      {"<title>t</title><p>x", "body:root, :root > p", ""},
      {"<a href=/x hreflang=EN rel='nofollow ugc'>l</a>", "a[hreflang=en][rel~=ugc]",
       "<a href=\"/x\" hreflang=\"EN\" rel=\"nofollow ugc\">l</a>"},
      {"<article><h2>T</h2><p>1</p><aside><p>2</p></aside><p>3</p></article>",
       "article > p:not(:first-of-type)", "<p>3</p>"},
      {"<article><h2>T</h2><p>1</p><aside><p>2</p></aside><p>3</p></article>",
       "article :is(h2, aside > p)", "<h2>T</h2>|<p>2</p>"},
  };
  for (const HtmlCase& c : cases) {
    Document doc = parse_document(c.html);
    Result<SelectorList> list = parse_selector_list(c.selector);
    ASSERT_TRUE(list.ok()) << c.selector << ": " << list.error().message();
    std::string got;
    for (const Node* n : select_all(*list, doc.root())) {
      if (!got.empty()) got += '|';
      got += outer_html(n);
    }
    EXPECT_EQ(got, c.expected) << "html: " << c.html << "\nselector: " << c.selector;
  }
}

TEST(SelectorHtmlTest, HtmlRootMatchesRoot) {
  Document doc = parse_document("<p>x");
  Result<SelectorList> list = parse_selector_list(":root");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(select_first(*list, doc.root()), doc.html_element());
}

TEST(SelectorHtmlTest, QuirksModeClassesAndIdsIgnoreCase) {
  // No doctype: quirks mode, where class and id selectors are ASCII case-insensitive.
  Document quirks = parse_document("<p class=Lead id=First>a</p>");
  ASSERT_EQ(quirks.quirks_mode, QuirksMode::kQuirks);
  Result<SelectorList> list = parse_selector_list(".lead#first");
  ASSERT_TRUE(list.ok());
  MatchOptions options = MatchOptions::for_document(quirks);
  EXPECT_EQ(select_all(*list, quirks.root(), options).size(), 1u);
  EXPECT_NE(select_first(*list, quirks.root(), options), nullptr);
  EXPECT_TRUE(select_all(*list, quirks.root()).empty());
  // Other attribute values and names stay as they were.
  Result<SelectorList> attr = parse_selector_list("[class=lead]");
  ASSERT_TRUE(attr.ok());
  EXPECT_TRUE(select_all(*attr, quirks.root(), options).empty());

  Document standard = parse_document("<!doctype html><p class=Lead id=First>a</p>");
  ASSERT_EQ(standard.quirks_mode, QuirksMode::kNoQuirks);
  EXPECT_TRUE(select_all(*list, standard.root(), MatchOptions::for_document(standard)).empty());
}

// select_all caches sibling indices; on a long, mixed list its answers must equal matches(),
// which counts siblings afresh every time.
TEST(SelectorNthTest, LongSiblingListsAgreeWithMatches) {
  Document doc;
  Node* body = doc.create_element(Tag::kBody, "body");
  append_child(doc.root(), body);
  Node* lists[2];
  for (Node*& list : lists) {
    list = doc.create_element(Tag::kDiv, "div");
    append_child(body, list);
    for (int i = 0; i < 1200; ++i) {
      bool p = i % 3 == 0 || i % 7 == 0;
      Node* e = doc.create_element(p ? Tag::kP : Tag::kSpan, p ? "p" : "span");
      append_child(list, e);
      if (i % 5 == 0) append_child(list, doc.create_text("t"));
      if (i % 11 == 0) append_child(e, doc.create_element(Tag::kB, "b"));
    }
  }
  for (const char* text :
       {"p:nth-child(2n+1)", "span:nth-last-child(3n+1)", "p:nth-of-type(4n+2)",
        "span:nth-last-of-type(5n+1)", ":nth-child(7n) > b",
        "p:nth-of-type(2n) b, span:nth-child(n+1190)", "div:nth-child(2) > :nth-last-of-type(2n+1)",
        ":nth-child(2n of p)",
        // Subsequent-sibling chains, whose failures select_all remembers per run of siblings.
        "p ~ span", "span ~ p:has(b)", "p:has(b) ~ span", "p:has(b) ~ span ~ p:has(b)",
        "p + span ~ p:has(b)", ":is(p:has(b) ~ span) ~ p b", "div ~ div > span:has(b) ~ p > b",
        "p:nth-child(13n) ~ span:nth-child(17n+3)"}) {
    Result<SelectorList> list = parse_selector_list(text);
    ASSERT_TRUE(list.ok()) << text;
    std::vector<Node*> expected;
    for (Node* n = doc.root()->first_child; n != nullptr; n = next_in_subtree(n, doc.root())) {
      if (matches(*list, n)) expected.push_back(n);
    }
    ASSERT_FALSE(expected.empty()) << text;
    EXPECT_EQ(select_all(*list, doc.root()), expected) << text;
    EXPECT_EQ(select_first(*list, doc.root()), expected.front()) << text;
    // A subtree root starts with a cold cache in the middle of the list.
    std::vector<Node*> in_second;
    for (Node* n : expected) {
      if (n->parent == lists[1] || (n->parent != nullptr && n->parent->parent == lists[1])) {
        in_second.push_back(n);
      }
    }
    EXPECT_EQ(select_all(*list, lists[1]), in_second) << text;
  }
}

// 100,000 siblings: with the index cache, :nth-child(2n) over the list is linear, not quadratic.
TEST(SelectorNthTest, HundredThousandSiblings) {
  Document doc;
  Node* ul = doc.create_element(Tag::kUl, "ul");
  append_child(doc.root(), ul);
  for (int i = 0; i < 100'000; ++i) append_child(ul, doc.create_element(Tag::kLi, "li"));
  for (const char* text : {"li:nth-child(2n)", "li:nth-last-child(2n+1)", "li:nth-of-type(even)",
                           "li:nth-last-of-type(odd)"}) {
    Result<SelectorList> list = parse_selector_list(text);
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(select_all(*list, doc.root()).size(), 50'000u) << text;
  }
}

// 100,000 siblings and a '~' whose left side never matches: select_all stays linear.
TEST(SelectorSiblingTest, HundredThousandSiblings) {
  Document doc;
  Node* ul = doc.create_element(Tag::kUl, "ul");
  append_child(doc.root(), ul);
  append_child(ul, doc.create_element(Tag::kH2, "h2"));
  for (int i = 0; i < 100'000; ++i) append_child(ul, doc.create_element(Tag::kLi, "li"));
  auto count = [&doc](const char* text) {
    Result<SelectorList> list = parse_selector_list(text);
    EXPECT_TRUE(list.ok()) << text;
    return select_all(*list, doc.root()).size();
  };
  EXPECT_EQ(count("p ~ li"), 0u);
  EXPECT_EQ(count("h2 ~ li"), 100'000u);
  EXPECT_EQ(count("h2 ~ li ~ li"), 99'999u);
  EXPECT_EQ(count("p ~ li, li ~ p"), 0u);
  EXPECT_EQ(count("li:first-of-type ~ li:nth-child(2n)"), 49'999u);
}

// A 100,000-deep tree: matching walks parent links in loops, never the C stack.
TEST(SelectorDeepTest, HundredThousandDeepDom) {
  constexpr int kDepth = 100'000;
  Document doc;
  Node* section = doc.create_element(Tag::kSection, "section");
  append_child(doc.root(), section);
  Node* parent = section;
  for (int i = 0; i < kDepth; ++i) {
    Node* div = doc.create_element(Tag::kDiv, "div");
    append_child(parent, div);
    parent = div;
  }
  Node* p = doc.create_element(Tag::kP, "p");
  append_child(parent, p);
  Node* deepest_div = parent;

  auto parse = [](std::string_view text) {
    Result<SelectorList> list = parse_selector_list(text);
    EXPECT_TRUE(list.ok()) << text;
    return std::move(list).value();
  };
  EXPECT_EQ(select_all(parse("div > div"), doc.root()).size(), size_t{kDepth - 1});
  EXPECT_EQ(select_all(parse("section p"), doc.root()).size(), 1u);
  EXPECT_EQ(select_all(parse("section > div"), doc.root()).size(), 1u);
  EXPECT_EQ(select_all(parse("div:empty, p:empty"), doc.root()).size(), 1u);
  EXPECT_EQ(select_first(parse("p"), doc.root()), p);
  EXPECT_TRUE(matches(parse("section div div p:only-child"), p));
  EXPECT_FALSE(matches(parse("aside p"), p));        // walks all ancestors, fails
  EXPECT_FALSE(matches(parse("aside div > p"), p));  // backtracks over all of them
  EXPECT_TRUE(matches(parse("section > div > div p"), p));
  EXPECT_FALSE(matches(parse("section > div > div > span p"), p));
  EXPECT_TRUE(matches(parse("section:has(p)"), section));  // walks the whole subtree
  EXPECT_TRUE(matches(parse("section:has(div > p:last-child)"), section));
  EXPECT_FALSE(matches(parse("section:has(> p)"), section));
  EXPECT_TRUE(matches(parse(":has(> p)"), deepest_div));
  EXPECT_TRUE(matches(parse(":root > div:first-child p"), p));
}

}  // namespace
}  // namespace riptide::html
