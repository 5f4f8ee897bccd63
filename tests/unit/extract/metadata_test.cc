#include "extract/metadata.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "html/parser.h"
#include "url/url.h"

namespace riptide::extract {
namespace {

constexpr const char* kPageUrl = "https://example.com/news/2024/story.html";

Metadata extract(const std::string& html, const char* page_url = kPageUrl) {
  html::Document doc = html::parse_document(html);
  if (page_url == nullptr) return extract_metadata(doc, nullptr);
  auto base = url::parse(page_url);
  EXPECT_TRUE(base.ok());
  return extract_metadata(doc, &*base);
}

std::string head(const std::string& inner) {
  return "<!doctype html><html><head>" + inner + "</head><body></body></html>";
}

std::string ld(const std::string& json) {
  return "<script type=\"application/ld+json\">" + json + "</script>";
}

struct FieldCase {
  const char* name;
  std::string html;
  std::string Metadata::*field;
  std::string expected;
};

void run(const std::vector<FieldCase>& cases) {
  for (const FieldCase& c : cases) {
    Metadata md = extract(c.html);
    EXPECT_EQ(md.*(c.field), c.expected) << c.name;
  }
}

TEST(MetadataTest, TitleSourcesAndPriority) {
  const auto t = &Metadata::title;
  run({
      {"json-ld headline", head(ld(R"({"@type":"NewsArticle","headline":"LD headline"})")), t,
       "LD headline"},
      {"json-ld name when no headline", head(ld(R"({"@type":"BlogPosting","name":"LD name"})")), t,
       "LD name"},
      {"json-ld beats og",
       head(ld(R"({"@type":"Article","headline":"LD"})") +
            "<meta property=og:title content=OG><title>T</title>"),
       t, "LD"},
      {"og:title", head("<meta property=\"og:title\" content=\"OG title\"><title>T</title>"), t,
       "OG title"},
      {"twitter:title", head("<meta name=\"twitter:title\" content=\"TW title\"><title>T</title>"),
       t, "TW title"},
      {"og beats twitter",
       head("<meta name=twitter:title content=TW><meta property=og:title content=OG>"), t, "OG"},
      {"dublin core", head("<meta name=\"DC.title\" content=\"DC title\"><title>T</title>"), t,
       "DC title"},
      {"itemprop headline",
       "<title>T | Site</title><body><h1 itemprop=headline>Micro headline</h1>", t,
       "Micro headline"},
      {"title element, suffix guessed", head("<title>A long story about things | Example</title>"),
       t, "A long story about things"},
      {"title element, site name known",
       head("<meta property=og:site_name content=\"Example News\">"
            "<title>Short - Example News</title>"),
       t, "Short"},
      {"og:title loses the known site name",
       head("<meta property=og:site_name content=Example>"
            "<meta property=og:title content=\"Story - Example\">"),
       t, "Story"},
      {"json-ld entities decoded",
       head(ld(R"({"@type":"Article","headline":"Caf&eacute; &amp; Bar &#8211; &#x41;"})")), t,
       "Caf\xC3\xA9 & Bar \xE2\x80\x93 A"},
      {"whitespace collapsed", head("<title>\n  Spaced\n\n  out  </title>"), t, "Spaced out"},
      {"h1 as last resort", "<body><h1> Only a <em>heading</em></h1><p>x</p></body>", t,
       "Only a heading"},
      {"json-ld WebPage name after title", head(ld(R"({"@type":"WebPage","name":"Page name"})")), t,
       "Page name"},
      {"h1 that is part of the title",
       "<title>Stew with apples | Love goes through the stomach</title><body><h1>Other</h1>"
       "<h1> Stew with  apples</h1></body>",
       t, "Stew with apples"},
      {"h1 part beats a declared title's suffix",
       head("<meta property=og:title content=\"Breaking - Town hall burns\">") +
           "<body><h1>Town hall burns</h1>",
       t, "Town hall burns"},
      {"h1 in the middle part",
       "<title>git - How do I undo it? - Q&amp;A Site</title><body>"
       "<h1>How do I undo it?</h1>",
       t, "How do I undo it?"},
      {"candidate equal to the h1 wins",
       head(ld(R"({"@type":"Article","headline":"technique for reducing dimensions",
          "name":"t-SNE"})")) +
           "<body><h1>t-SNE</h1>",
       t, "t-SNE"},
      {"part match does not override a declared headline",
       head(ld(R"({"@type":"Article","headline":"Big story"})") + "<title>News | Site</title>") +
           "<body><h1>News</h1>",
       t, "Big story"},
      {"logo h1 linking home is not the headline",
       "<title>Post title here | My Blog</title><body><h1><a href=\"https://blog.example\">"
       "My Blog</a></h1><h2>Post title here</h2>",
       t, "Post title here"},
      {"h1 in the page header is not the headline",
       "<title>Tea time | Cosy Corner</title><body><div id=header><h1>Cosy Corner</h1></div>", t,
       "Tea time"},
      {"h1 in an article header is the headline",
       "<title>Section | Tea time at five</title><body><article><header><h1>Tea time at five"
       "</h1></header></article>",
       t, "Tea time at five"},
      {"svg title ignored", "<body><svg><title>icon</title></svg><h1>Real</h1></body>", t, "Real"},
  });
}

TEST(MetadataTest, JsonLdShapes) {
  const auto t = &Metadata::title;
  run({
      {"@graph", head(ld(R"({"@context":"https://schema.org","@graph":[
          {"@type":"WebSite","name":"Site"},{"@type":"NewsArticle","headline":"In graph"}]})")),
       t, "In graph"},
      {"top-level array", head(ld(R"([{"@type":"Organization","name":"Org"},
          {"@type":"Article","headline":"In array"}])")),
       t, "In array"},
      {"type array", head(ld(R"({"@type":["Thing","NewsArticle"],"headline":"Typed"})")), t,
       "Typed"},
      {"prefixed type", head(ld(R"({"@type":"http://schema.org/BlogPosting","headline":"P"})")), t,
       "P"},
      {"mainEntity of a WebPage", head(ld(R"({"@type":"WebPage","name":"Page",
          "mainEntity":{"@type":"Article","headline":"Main entity"}})")),
       t, "Main entity"},
      {"second block",
       head(ld(R"({"@type":"Organization","name":"O"})") +
            ld(R"({"@type":"Article","headline":"Second block"})")),
       t, "Second block"},
      {"invalid block skipped",
       head(ld("{not json") + ld(R"({"@type":"Article","headline":"Ok"})")), t, "Ok"},
      {"cdata wrapper", head(ld("//<![CDATA[\n{\"@type\":\"Article\",\"headline\":\"CD\"}\n//]]>")),
       t, "CD"},
      {"comment wrapper", head(ld("<!-- {\"@type\":\"Article\",\"headline\":\"CM\"} -->")), t,
       "CM"},
      {"trailing comma", head(ld(R"({"@type":"Article","headline":"TC",})")), t, "TC"},
      {"type attribute case and spaces",
       head("<script type=\" Application/LD+JSON \">{\"@type\":\"Article\",\"headline\":\"C\"}"
            "</script>"),
       t, "C"},
      {"other script types ignored",
       head("<script type=application/json>{\"@type\":\"Article\",\"headline\":\"No\"}</script>"
            "<title>Yes</title>"),
       t, "Yes"},
  });
}

TEST(MetadataTest, BylineSourcesAndPriority) {
  const auto b = &Metadata::byline;
  run({
      {"json-ld author string", head(ld(R"({"@type":"Article","author":"Jane Doe"})")), b,
       "Jane Doe"},
      {"json-ld author object", head(ld(R"({"@type":"Article","author":{"@type":"Person",
          "name":"Jane Doe","url":"https://e.com/jane"}})")),
       b, "Jane Doe"},
      {"json-ld author array", head(ld(R"({"@type":"Article","author":[{"name":"A. One"},
          {"name":"B. Two"},"C. Three",{"name":"A. One"}]})")),
       b, "A. One, B. Two, C. Three"},
      {"json-ld author @id reference", head(ld(R"({"@graph":[
          {"@type":"Article","author":{"@id":"https://e.com/#/person/1"}},
          {"@type":"Person","@id":"https://e.com/#/person/1","name":"Referenced"}]})")),
       b, "Referenced"},
      {"json-ld given/family name",
       head(ld(R"({"@type":"Article","author":{"givenName":"Ada","familyName":"Lovelace"}})")), b,
       "Ada Lovelace"},
      {"json-ld beats meta",
       head(ld(R"({"@type":"Article","author":"LD"})") + "<meta name=author content=Meta>"), b,
       "LD"},
      {"article:author (not a URL)",
       head("<meta property=article:author content=\"https://facebook.com/x\">"
            "<meta property=article:author content=\"Og Author\">"),
       b, "Og Author"},
      {"meta author", head("<meta name=author content=\"Meta Author\">"), b, "Meta Author"},
      {"dublin core creator", head("<meta name=DC.creator content=\"DC Creator\">"), b,
       "DC Creator"},
      {"itemprop author with name",
       "<body><div itemprop=author itemscope><span itemprop=name>Micro Name</span>"
       "<span>bio text</span></div></body>",
       b, "Micro Name"},
      {"rel=author link", "<body><a rel=author href=/a>By Linked Author</a></body>", b,
       "Linked Author"},
      {"byline class", "<body><p class=\"article-byline\">By  Class\nByline</p></body>", b,
       "Class Byline"},
      {"author class", "<body><span class=author-name>Weak Hint</span></body>", b, "Weak Hint"},
      {"byline beats author class",
       "<body><span class=author>Weak</span><div class=byline>Strong</div></body>", b, "Strong"},
      {"author in comments ignored",
       "<body><div class=comments><span class=author>Commenter</span></div>"
       "<span class=author>Real</span></body>",
       b, "Real"},
      {"photo credit is not a byline",
       "<body><div class=article-photo><img src=a.jpg><span class=author>Photo: Agency</span>"
       "</div><figure><figcaption><span class=byline>Pic Person</span></figcaption></figure>"
       "<span class=author>Writer Name</span></body>",
       b, "Writer Name"},
      {"author bio too long ignored",
       "<body><div class=author>" + std::string(300, 'x') +
           "</div><div class=author>Short Name</div></body>",
       b, "Short Name"},
      {"autor class", "<body><p class=node-autor_name>Redacci\xC3\xB3n fama</p></body>", b,
       "Redacci\xC3\xB3n fama"},
      {"german prefix", "<body><div class=byline>Von Hans Meier</div></body>", b, "Hans Meier"},
      {"markup in meta author", head("<meta name=author content=\"<a href='/x'>Tagged</a>\">"), b,
       "Tagged"},
      {"name cut at a separator",
       "<body><div class=byline>By Jane Roe | 5 March 2024 | 3 min read</div></body>", b,
       "Jane Roe"},
      {"homepage after the name",
       head("<meta name=author content=\"Frank B - http://fb.example\">"), b, "Frank B"},
      {"leading separator", "<body><span class=author>| Lead Sep</span></body>", b, "Lead Sep"},
      {"introducing word only",
       "<body><span class=byline>Article by</span>"
       "<span class=author>Later Name</span></body>",
       b, "Later Name"},
      {"site name is not a byline",
       head(ld(R"({"@type":"Article","author":{"@type":"Organization","name":"Site"},
          "publisher":{"name":"Site"}})") +
            "<meta name=author content=\"Real Person\">"),
       b, "Real Person"},
      {"sentence is not a byline",
       "<body><div class=byline>one two three four five six seven eight nine ten eleven twelve "
       "thirteen</div></body>",
       b, ""},
      {"none", head("<title>x</title>"), b, ""},
  });
}

TEST(MetadataTest, DateSourcesAndPriority) {
  const auto p = &Metadata::published;
  const auto m = &Metadata::modified;
  run({
      {"json-ld datePublished",
       head(ld(R"({"@type":"Article","datePublished":"2024-03-05T10:20:30+01:00"})")), p,
       "2024-03-05T10:20:30+01:00"},
      {"json-ld beats og",
       head(ld(R"({"@type":"Article","datePublished":"2024-01-01"})") +
            "<meta property=article:published_time content=2023-01-01>"),
       p, "2024-01-01"},
      {"unparsable json-ld date falls through",
       head(ld(R"({"@type":"Article","datePublished":"soon"})") +
            "<meta property=article:published_time content=2023-01-01>"),
       p, "2023-01-01"},
      {"article:published_time",
       head("<meta property=article:published_time content=\"2024-03-05T10:20:30Z\">"), p,
       "2024-03-05T10:20:30Z"},
      {"meta date", head("<meta name=date content=\"March 5, 2024\">"), p, "2024-03-05"},
      {"meta pubdate", head("<meta name=pubdate content=\"20.11.2023\">"), p, "2023-11-20"},
      {"dublin core date", head("<meta name=DC.date content=2022-02-02>"), p, "2022-02-02"},
      {"dcterms.issued", head("<meta name=dcterms.issued content=2022-02-03>"), p, "2022-02-03"},
      {"meta itemprop", head("<meta itemprop=datePublished content=2021-05-06>"), p, "2021-05-06"},
      {"itemprop on time", "<body><time itemprop=datePublished datetime=2021-05-07>May 7</time>", p,
       "2021-05-07"},
      {"time pubdate", "<body><time>x</time><time pubdate datetime=2020-01-02>x</time></body>", p,
       "2020-01-02"},
      {"time in article beats earlier time",
       "<body><aside><time datetime=2019-01-01>x</time></aside>"
       "<article><time datetime=2020-02-02>y</time></article></body>",
       p, "2020-02-02"},
      {"any time datetime", "<body><time datetime=\"2018-08-08\">x</time></body>", p, "2018-08-08"},
      {"json-ld dateModified", head(ld(R"({"@type":"Article","dateModified":"2024-04-01"})")), m,
       "2024-04-01"},
      {"article:modified_time", head("<meta property=article:modified_time content=2024-04-02>"), m,
       "2024-04-02"},
      {"og:updated_time", head("<meta property=og:updated_time content=2024-04-03>"), m,
       "2024-04-03"},
      {"element with a date class",
       "<body><div class=navbar><span class=current-date>Tuesday, April 26, 2022</span></div>"
       "<span class=updated-date>3 May 2022</span><p class=post-date>21.10.2019</p></body>",
       p, "2019-10-21"},
      {"archive path in the canonical URL",
       head("<link rel=canonical href=\"https://e.com/2014/05/18/a-post/\">"), p, "2014-05-18"},
      {"archive path needs whole segments",
       head("<link rel=canonical href=\"https://e.com/2014/05/18-a-post\">"), p, ""},
      {"no date", head("<title>x</title>"), p, ""},
  });
}

TEST(MetadataTest, SiteDescriptionImageCanonical) {
  run({
      {"og:site_name", head("<meta property=og:site_name content=\"OG Site\">"),
       &Metadata::site_name, "OG Site"},
      {"json-ld publisher beats og",
       head(ld(R"({"@type":"Article","publisher":{"@type":"Organization","name":"Pub"}})") +
            "<meta property=og:site_name content=OG>"),
       &Metadata::site_name, "Pub"},
      {"json-ld WebSite name", head(ld(R"({"@graph":[{"@type":"WebSite","name":"WS"}]})")),
       &Metadata::site_name, "WS"},
      {"application-name", head("<meta name=application-name content=App>"), &Metadata::site_name,
       "App"},
      {"site name from the title's suffix",
       head("<title>How the river was saved | Daily Planet</title>"), &Metadata::site_name,
       "Daily Planet"},
      {"site name from the title's prefix",
       "<title>Planet News | River saved</title><body><h1>River saved</h1>", &Metadata::site_name,
       "Planet News"},
      {"no site name from a long remainder",
       "<title>River saved | Planet News | Local</title><body><h1>River saved</h1>",
       &Metadata::site_name, ""},
      {"json-ld description", head(ld(R"({"@type":"Article","description":"LD desc"})")),
       &Metadata::description, "LD desc"},
      {"og description beats meta",
       head("<meta name=description content=Meta><meta property=og:description content=OG>"),
       &Metadata::description, "OG"},
      {"meta description", head("<meta name=description content=\"  Plain \n description \">"),
       &Metadata::description, "Plain description"},
      {"json-ld image string", head(ld(R"({"@type":"Article","image":"/img/a.jpg"})")),
       &Metadata::image, "https://example.com/img/a.jpg"},
      {"json-ld image object", head(ld(R"({"@type":"Article","image":{"@type":"ImageObject",
          "url":"https://cdn.example.com/b.jpg"}})")),
       &Metadata::image, "https://cdn.example.com/b.jpg"},
      {"json-ld image array", head(ld(R"({"@type":"Article","image":["https://e.com/1.jpg",
          "https://e.com/2.jpg"]})")),
       &Metadata::image, "https://e.com/1.jpg"},
      {"og:image", head("<meta property=og:image content=\"//cdn.example.com/og.png\">"),
       &Metadata::image, "https://cdn.example.com/og.png"},
      {"twitter:image", head("<meta name=twitter:image content=tw.png>"), &Metadata::image,
       "https://example.com/news/2024/tw.png"},
      {"link image_src", head("<link rel=image_src href=/src.png>"), &Metadata::image,
       "https://example.com/src.png"},
      {"data: image dropped", head("<meta property=og:image content=\"data:image/png;base64,xx\">"),
       &Metadata::image, ""},
      {"canonical made absolute", head("<link rel=canonical href=\"/news/story\">"),
       &Metadata::canonical_url, "https://example.com/news/story"},
      {"canonical beats og:url",
       head("<meta property=og:url content=https://example.com/og><link rel=\"Canonical\" "
            "href=https://example.com/c>"),
       &Metadata::canonical_url, "https://example.com/c"},
      {"og:url", head("<meta property=og:url content=https://example.com/og>"),
       &Metadata::canonical_url, "https://example.com/og"},
      {"javascript canonical ignored", head("<link rel=canonical href=\"javascript:x()\">"),
       &Metadata::canonical_url, ""},
      {"article body", head(ld(R"({"@type":"Article","articleBody":" First para.\n\nSecond. "})")),
       &Metadata::article_body, "First para.\n\nSecond."},
  });
}

TEST(MetadataTest, RelativeUrlsWithoutPageUrl) {
  Metadata md = extract(head("<link rel=canonical href=/rel><meta property=og:image content=/i.png>"
                             "<meta property=og:url content=https://example.com/abs>"),
                        nullptr);
  EXPECT_EQ(md.canonical_url, "https://example.com/abs");  // relative canonical unusable
  EXPECT_EQ(md.image, "");
}

TEST(MetadataTest, LanguageSourcesAndPriority) {
  const auto l = &Metadata::language;
  run({
      {"html lang", "<html lang=en-US><head></head></html>", l, "en"},
      {"html lang beats meta",
       "<html lang=fr><head><meta http-equiv=content-language content=de></head></html>", l, "fr"},
      {"content-language", head("<meta http-equiv=\"Content-Language\" content=\"de-AT\">"), l,
       "de"},
      {"og:locale", head("<meta property=og:locale content=pt_BR>"), l, "pt"},
      {"json-ld inLanguage", head(ld(R"({"@type":"Article","inLanguage":"es-ES"})")), l, "es"},
      {"invalid html lang falls through",
       "<html lang=\"x\"><head><meta property=og:locale content=it_IT></head></html>", l, "it"},
      {"none", head(""), l, ""},
  });
}

TEST(MetadataTest, CategoriesFromAllSourcesDeduplicatedInPriorityOrder) {
  std::string html =
      "<html><head><title>The Story</title>" +
      ld(R"({"@graph":[{"@type":"NewsArticle","headline":"The Story","articleSection":"Politics",
          "keywords":["Elections","politics"," Votes "]},
          {"@type":"BreadcrumbList","itemListElement":[
            {"@type":"ListItem","position":2,"name":"World","item":"https://example.com/world"},
            {"@type":"ListItem","position":1,"name":"Start page","item":"https://example.com/"},
            {"@type":"ListItem","position":3,"item":{"@id":"https://example.com/world/eu",
             "name":"Europe"}},
            {"@type":"ListItem","position":4,"name":"The Story"}]}]})") +
      "<meta property=article:section content=\"National, &nbsp;Politics\">"
      "<meta property=article:tag content=Tag1><meta property=article:tag content=tag1>"
      "<meta name=keywords content=\"alpha, beta,,Elections\">"
      "</head><body><nav aria-label=Breadcrumb><ol><li><a href=/>Home</a></li>"
      "<li><a href=/world>World</a> &rsaquo;</li><li><a href=/local>Local</a></li></ol></nav>"
      "</body></html>";
  Metadata md = extract(html);
  std::vector<std::string> expected = {"Politics",  "National", "World", "Europe", "Local",
                                       "Elections", "Votes",    "Tag1",  "alpha",  "beta"};
  EXPECT_EQ(md.categories, expected);
}

TEST(MetadataTest, HtmlBreadcrumbVariants) {
  struct Case {
    const char* name;
    std::string body;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"class on list",
       "<ul class=breadcrumbs><li><a href=/>Home</a></li><li>Sport</li></ul>",
       {"Sport"}},
      {"class on items",
       "<ol><li class=breadcrumb-item><a href=/x>Tech</a></li>"
       "<li class=breadcrumb-item>Gadgets</li></ol>",
       {"Tech", "Gadgets"}},
      {"anchors without list",
       "<div id=breadcrumb><a href=/>Start</a> &gt; <a href=/a>Alpha</a> &gt; "
       "<a href=/a/b>Beta</a></div>",
       {"Alpha", "Beta"}},
      {"current page headline is not a category",
       "<ol class=breadcrumb><li><a href=/n>News</a></li><li>Current page: Town hall burns "
       "down after the storm</li></ol>",
       {"News"}},
      {"root link without home word",
       "<div class=breadcrumb><a href=\"https://example.com/\">Example</a> / "
       "<a href=/a>Culture</a></div>",
       {"Culture"}},
  };
  for (const Case& c : cases) {
    Metadata md = extract("<body>" + c.body + "</body>");
    EXPECT_EQ(md.categories, c.expected) << c.name;
  }
}

TEST(MetadataTest, DocumentIsNotModifiedAndDeepTreesAreSafe) {
  // 100,000 levels (the parser flattens below limits::kMaxDomDepth; attributes survive).
  std::string deep = "<span class=byline>Top Author</span>";
  for (int i = 0; i < 100000; ++i) deep += "<div class=wrapper>";
  deep += "<time datetime=2024-01-02></time>";
  html::Document doc = html::parse_document("<title>Deep | Site</title><body>" + deep);
  uint32_t nodes = doc.node_count;
  Metadata md = extract_metadata(doc, nullptr);
  EXPECT_EQ(md.title, "Deep");
  EXPECT_EQ(md.byline, "Top Author");
  EXPECT_EQ(md.published, "2024-01-02");
  EXPECT_EQ(doc.node_count, nodes);
}

TEST(MetadataTest, HostileMarkupCostsBoundedWork) {
  // Thousands of empty candidates for every heuristic: each is examined a bounded number of
  // times, so this stays linear instead of walking every subtree again.
  std::string html = "<body>";
  for (int i = 0; i < 20000; ++i) {
    html += "<span class=\"author byline post-date\"><time pubdate><h1><a rel=author>";
  }
  html::Document doc = html::parse_document(html);
  Metadata md = extract_metadata(doc, nullptr);
  EXPECT_EQ(md.byline, "");
  EXPECT_EQ(md.published, "");
}

TEST(MetadataTest, EmptyDocument) {
  html::Document doc = html::parse_document("");
  Metadata md = extract_metadata(doc, nullptr);
  EXPECT_EQ(md.title, "");
  EXPECT_TRUE(md.categories.empty());
}

struct TitleCase {
  const char* title;
  const char* site;
  const char* expected;
};

TEST(CleanTitleTest, KnownSiteName) {
  const TitleCase cases[] = {
      {"Story | Example", "Example", "Story"},
      {"Story - Example", "example", "Story"},
      {"Story \xE2\x80\x94 The Site", "The Site", "Story"},
      {"Story \xC2\xB7 Site", "Site", "Story"},
      {"Example | Story here", "Example", "Story here"},
      {"Example", "Example", "Example"},  // a title that is only the site name stays
      {"Example Story", "Example", "Example Story"},
  };
  for (const auto& c : cases) EXPECT_EQ(clean_title(c.title, c.site), c.expected) << c.title;
}

TEST(CleanTitleTest, GuessedSiteName) {
  const TitleCase cases[] = {
      {"How the river was saved | Daily Planet", "", "How the river was saved"},
      {"Python (programming language) - Wikipedia", "", "Python (programming language)"},
      {"Section | Story title | Site", "", "Section | Story title"},
      {"Daily Planet | How the river was saved in the end", "",
       "How the river was saved in the end"},
      {"Spider-Man review", "", "Spider-Man review"},                  // no separator
      {"Q&A - Why the sky is blue", "", "Q&A - Why the sky is blue"},  // tail longer than head
      {"Site - A tagline of this site", "", "Site - A tagline of this site"},
      {"  lots   of\n space  ", "", "lots of space"},
      {"So viel Regen : 31.10.2023, 10.19 Uhr", "", "So viel Regen"},
      {"Rain report - 2024-03-05 | Site", "Site", "Rain report"},
      {"Top 10 albums of 2024", "", "Top 10 albums of 2024"},
      {"Scores, 2024 season", "", "Scores, 2024 season"},
      {"Battle of Hastings, 14 October 1066", "", "Battle of Hastings, 14 October 1066"},
      {"", "", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(clean_title(c.title, c.site), c.expected) << c.title;
}

TEST(NormalizeLanguageTest, Table) {
  const std::pair<const char*, const char*> cases[] = {
      {"en", "en"},
      {"en-US", "en"},
      {"DE_de", "de"},
      {" fr-CA ", "fr"},
      {"zh-Hant-TW", "zh"},
      {"pt-BR, en", "pt"},
      {"ast", "ast"},
      {"iw", "he"},
      {"x", ""},
      {"i-klingon", ""},
      {"english", ""},
      {"e1", ""},
      {"und", ""},
      {"", ""},
      {"-en", ""},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(normalize_language(input), expected) << input;
  }
}

}  // namespace
}  // namespace riptide::extract
