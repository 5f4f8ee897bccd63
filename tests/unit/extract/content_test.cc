#include "extract/content.h"

#include <gtest/gtest.h>

#include <string>

#include "extract/visible_text.h"
#include "html/parser.h"

namespace riptide::extract {
namespace {

// The rendered text of an extraction result (each top-level node a paragraph).
std::string text_of(const ContentResult& r) {
  std::string out;
  for (const html::Node* n = r.root->first_child; n != nullptr; n = n->next_sibling) {
    std::string part = visible_text(n);
    if (part.empty()) continue;
    if (!out.empty()) out.append("\n\n");
    out.append(part);
  }
  return out;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

constexpr std::string_view kArticleParagraphs =
    "<p>The city council voted on Tuesday to expand the tram network, adding three new lines "
    "that will connect the northern suburbs with the harbour, the university and the airport.</p>"
    "<p>Construction is expected to begin next spring, and officials said the first line could "
    "open within four years, although the budget, which was revised twice, remains contested.</p>"
    "<p>Residents along the planned routes, many of whom attended the meeting, were divided: "
    "some welcomed the faster connections, others worried about noise, parking and trees.</p>"
    "<p>The opposition announced that it would ask for an independent review of the costs, "
    "arguing that similar projects in other cities had run over budget by a third or more.</p>";

std::string news_page() {
  std::string page =
      "<!doctype html><html><head><title>Council expands tram network</title>"
      "<script>var tracking = 'Tracking script text';</script>"
      "<style>body { color: red }</style></head><body>"
      "<div id=cookie-banner>We use cookies to improve your experience. Accept all cookies</div>"
      "<header><a href=/>Daily Example</a><nav><ul><li><a href=/news>News</a></li>"
      "<li><a href=/sport>Sport</a></li><li><a href=/culture>Culture</a></li></ul></nav></header>"
      "<main><article><h1>Council expands tram network</h1><div class=article-body>";
  page.append(kArticleParagraphs);
  page.append(
      "</div><div class=share-buttons><a href=#>Share on Facebook</a> <a href=#>Share on "
      "Twitter</a></div>"
      "<section class=related-articles><h2>Related articles</h2><ul>"
      "<li><a href=/a>Bus fares to rise in January, operators say</a></li>"
      "<li><a href=/b>New bike lanes planned for the old town</a></li></ul></section>"
      "<section id=comments><h2>Comments</h2><div class=comment><p>Reader comment: this is "
      "a waste of money, the buses work fine and nobody asked for trams.</p></div></section>"
      "</article></main>"
      "<aside class=sidebar><h3>Most read</h3><ul><li><a href=/c>Storm warning for the coast"
      "</a></li></ul></aside>"
      "<footer><p>Copyright 2026 Daily Example. All rights reserved. Imprint, privacy policy."
      "</p></footer></body></html>");
  return page;
}

// The article text of a page made of `before`, the article paragraphs and `after`.
std::string article_text(std::string_view before, std::string_view after,
                         std::string_view title = {}) {
  std::string page(before);
  page.append(kArticleParagraphs);
  page.append(after);
  html::Document doc = html::parse_document(page);
  ContentOptions options;
  options.title_hint = title;
  return text_of(extract_article(doc, options));
}

TEST(ExtractArticle, FindsTheArticleAndDropsBoilerplate) {
  html::Document doc = html::parse_document(news_page());
  ContentResult r = extract_article(doc, {});
  ASSERT_NE(r.root, nullptr);
  EXPECT_EQ(r.root->type, html::NodeType::kFragment);
  EXPECT_FALSE(r.used_fallback);
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_TRUE(contains(text, "Residents along the planned routes")) << text;
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_FALSE(contains(text, "Tracking script")) << text;
  EXPECT_FALSE(contains(text, "cookies")) << text;
  EXPECT_FALSE(contains(text, "Sport")) << text;
  EXPECT_FALSE(contains(text, "Share on Facebook")) << text;
  EXPECT_FALSE(contains(text, "Bus fares to rise")) << text;
  EXPECT_FALSE(contains(text, "Related articles")) << text;
  EXPECT_FALSE(contains(text, "Reader comment")) << text;
  EXPECT_FALSE(contains(text, "Most read")) << text;
  EXPECT_FALSE(contains(text, "All rights reserved")) << text;
  EXPECT_GT(r.confidence, 0.3);
  EXPECT_LE(r.confidence, 1.0);
}

// Regression: the dateline cleanup removed table cells that hold only a time or a number.
TEST(ExtractArticle, TimesAndNumbersInTableCellsAreData) {
  std::string page = "<html><body><article><h1>Timetable changes</h1>";
  page.append(kArticleParagraphs);
  page.append(
      "<table><tr><th>Line</th><th>Departs</th><th>Stops</th></tr>"
      "<tr><td>North</td><td>07:12</td><td>12</td></tr>"
      "<tr><td>Harbour</td><td>09:42</td><td>8</td></tr></table></article></body></html>");
  html::Document doc = html::parse_document(page);
  ContentResult r = extract_article(doc, {});
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "07:12")) << text;
  EXPECT_TRUE(contains(text, "09:42")) << text;
  EXPECT_TRUE(contains(text, "12")) << text;
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
}

// A paywall's prompt is boilerplate; a container of the walled body named after the paywall is
// the article.
TEST(ExtractArticle, PaywallPromptIsDroppedWalledBodyIsKept) {
  std::string page =
      "<html><body><article><h1>Pensions and the long view</h1><div class=\"entry paywall-body\">";
  page.append(kArticleParagraphs);
  page.append(
      "</div><div class=account-paywall><h2>To keep reading, create your free account</h2>"
      "<p>Already registered? Sign in here</p></div></article></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_FALSE(contains(text, "To keep reading")) << text;
  EXPECT_FALSE(contains(text, "Already registered")) << text;
}

// Chrome the page hides from print, skip links and in-page navigation, vote counters and
// "[edit]" links go; the heading holding an edit link keeps its own text, and footnote marks
// (in-page links inside a sentence) stay.
TEST(ExtractArticle, PrintHiddenChromeSkipLinksVotesAndEditLinksAreDropped) {
  std::string page =
      "<html><body><div id=content><h1>Tram network</h1>"
      "<div class=noprint>From the city wiki, the shared notebook</div>"
      "<a href=#top-nav>Jump to navigation</a> <a href=#search>Jump to search</a>"
      "<div class=votes>42</div><h2><span>Background</span> <span class=editsection>"
      "<a href=/edit?s=1>edit</a></span></h2>"
      "<p>The plan was first drafted in 2019.<a href=#note-1>[1]</a> It has been revised twice "
      "since, each time after a public consultation, and the latest version adds a line.</p>";
  page.append(kArticleParagraphs);
  page.append(
      "<p><a href=#top>Back to top</a></p><p class=\"d-print-none\">Print this page</p>"
      "</div></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "Background")) << text;
  EXPECT_TRUE(contains(text, "first drafted in 2019.[1] It has been")) << text;
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "shared notebook")) << text;
  EXPECT_FALSE(contains(text, "Jump to")) << text;
  EXPECT_FALSE(contains(text, "42")) << text;
  EXPECT_FALSE(contains(text, "edit")) << text;
  EXPECT_FALSE(contains(text, "Back to top")) << text;
  EXPECT_FALSE(contains(text, "Print this page")) << text;
}

// Forum posts: the author's profile box and the "Posted: <date and time>" line are post
// metadata; a date inside a sentence, a heading naming a date and an event's date stay.
TEST(ExtractArticle, PostDatelinesAndProfilesAreDropped) {
  std::string page =
      "<html><body><div class=thread><div class=post><div class=profile><b>ann_rows</b><br>"
      "Posts: 212</div><div class=postdate>Posted: Sun Oct 12, 2025 7:41 pm</div>"
      "<div class=entry><p>&nbsp;31.01.2016&emsp;<a href=/cat/transport>Transport</a></p>";
  page.append(kArticleParagraphs);
  page.append(
      "<h3>Meeting of March 5, 2026</h3><p>Date: 5 March 2026</p>"
      "<p>On 12 October 2025 the plans were shown in the town hall, with maps and models of "
      "every stop.</p></div></div></div></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_TRUE(contains(text, "Meeting of March 5, 2026")) << text;
  EXPECT_TRUE(contains(text, "Date: 5 March 2026")) << text;
  EXPECT_TRUE(contains(text, "On 12 October 2025 the plans")) << text;
  EXPECT_FALSE(contains(text, "Posted:")) << text;
  EXPECT_FALSE(contains(text, "Posts: 212")) << text;
  EXPECT_FALSE(contains(text, "ann_rows")) << text;
  EXPECT_FALSE(contains(text, "31.01.2016")) << text;
  EXPECT_FALSE(contains(text, "Transport")) << text;
}

// A <picture>'s <source> names the larger files of the picture the article shows; a loose
// <source> means nothing.
TEST(ExtractArticle, PictureSourcesStayForTheMediaList) {
  std::string page = "<html><body><article><h1>Tram network</h1>";
  page.append(kArticleParagraphs);
  page.append(
      "<figure><picture><source srcset=\"/t-1600.webp 1600w\"><img src=/t.jpg alt=Tram>"
      "</picture></figure><div><source src=/stray.mp4></div></article></body></html>");
  html::Document doc = html::parse_document(page);
  ContentResult r = extract_article(doc, {});
  int picture_sources = 0;
  int stray_sources = 0;
  for (const html::Node* n = r.root; n != nullptr; n = html::next_in_subtree(n, r.root)) {
    if (!n->is(html::Tag::kSource)) continue;
    (n->parent->is(html::Tag::kPicture) ? picture_sources : stray_sources) += 1;
  }
  EXPECT_EQ(picture_sources, 1);
  EXPECT_EQ(stray_sources, 0);
}

// Recipe-card markup: show/hide controls go, a quantity line ("1/4", "1 1/2") is no date, and a
// heading whose id names it a section's header ("ingredients_header") is no page header.
TEST(ExtractArticle, TogglesGoFractionsAndSectionHeadersStay) {
  std::string page =
      "<html><body><div class=recipe><p><span class=full-desc>A tray bake for a crowd, with "
      "apples from the autumn market and a crumble made with oats.</span> <a class=expandLink>"
      "MORE+</a></p><h2 id=recipe_ingredients_header>Ingredients</h2>"
      "<div class=ingredient><div class=quantity>1/4</div><div>cup butter</div></div>"
      "<div class=ingredient><div class=quantity>1 1/2</div><div>cups oats</div></div>"
      "<h2 id=recipe_steps_header>Steps</h2><div class=toggle-images>Hide images</div>";
  page.append(kArticleParagraphs);
  page.append("</div></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_TRUE(contains(text, "Ingredients")) << text;
  EXPECT_TRUE(contains(text, "1/4")) << text;
  EXPECT_TRUE(contains(text, "1 1/2")) << text;
  EXPECT_TRUE(contains(text, "Steps")) << text;
  EXPECT_FALSE(contains(text, "MORE+")) << text;
  EXPECT_FALSE(contains(text, "Hide images")) << text;
}

// A line of tag links set loose between the article's blocks goes; a sentence with a link in
// the same place stays.
TEST(ExtractArticle, LooseLineOfLinksIsDropped) {
  std::string page = "<html><body><article><h1>Tram network</h1><div>";
  page.append(kArticleParagraphs);
  page.append(
      "<span class=icon></span><span><a href=/t/tram>tram</a>, <a href=/t/council>council</a>, "
      "<a href=/t/budget>budget</a></span></div><div><p>The ferry keeps its timetable for now, "
      "the harbour office said on Wednesday.</p><span>Times are posted at <a href=/ferry>the "
      "harbour office</a>.</span></div></article></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_TRUE(contains(text, "Times are posted at the harbour office")) << text;
  EXPECT_FALSE(contains(text, "council, budget")) << text;
}

TEST(ExtractArticle, ContentIsMovedOutOfThePage) {
  html::Document doc = html::parse_document(news_page());
  ContentResult r = extract_article(doc, {});
  // The article paragraphs now live under the fragment, not under <body>.
  std::string rest = visible_text(doc.body());
  EXPECT_FALSE(contains(rest, "The city council voted")) << rest;
  for (const html::Node* n = r.root->first_child; n != nullptr; n = n->next_sibling) {
    EXPECT_EQ(n->parent, r.root);
  }
}

TEST(ExtractArticle, ArticleWithoutSemanticMarkup) {
  // Table-era layout: no article/main, no class names; the text-dense cell wins.
  std::string page =
      "<html><body><table><tr><td><a href=/1>Home</a><br><a href=/2>About us</a><br>"
      "<a href=/3>Products</a><br><a href=/4>Contact</a></td><td>";
  page.append(kArticleParagraphs);
  page.append(
      "</td></tr></table><div><a href=/imprint>Imprint</a> | <a href=/privacy>Privacy"
      "</a></div></body></html>");
  html::Document doc = html::parse_document(page);
  ContentResult r = extract_article(doc, {});
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_FALSE(contains(text, "About us")) << text;
  EXPECT_FALSE(contains(text, "Privacy")) << text;
}

TEST(ExtractArticle, ArticleSplitIntoSiblingBlocks) {
  // Paragraph groups separated by an advert: every group belongs to the article.
  std::string page =
      "<html><body><div class=wrap><div class=text-block><p>The museum reopened on Sunday after "
      "a renovation that took three years, cost twelve million euros, and moved the entrance."
      "</p><p>Visitors, who queued for hours, praised the new galleries, the light, and the "
      "café.</p></div><div class=ad-slot><a href=/ad>Buy now</a></div><div class=text-block>"
      "<p>The director said the collection, now shown in chronological order, would be "
      "extended next year with loans from Vienna, Prague and Budapest.</p><p>Admission stays "
      "free on the first Sunday of each month, the city confirmed, despite higher costs.</p>"
      "</div></div></body></html>";
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The museum reopened")) << text;
  EXPECT_TRUE(contains(text, "Admission stays free")) << text;
  EXPECT_FALSE(contains(text, "Buy now")) << text;
}

TEST(ExtractArticle, StandfirstIsKeptRelatedTeaserCardsAreNot) {
  // The lead paragraph sits in the article header, beside the body's wrapper; the related
  // articles are <article> teaser cards under a label.
  std::string page =
      "<html><body><main><article><header><h1>Council expands tram network</h1>"
      "<p class=intro>Three new lines will link the suburbs with the harbour by 2030.</p>"
      "<div class=byline>By A. Writer</div></header><div class=article-body>";
  page.append(kArticleParagraphs);
  page.append(
      "</div></article><div class=more><h2>More from the city desk</h2>"
      "<article><h3><a href=/x>Library hours extended over the holidays</a></h3></article>"
      "<article><h3><a href=/y>New playground opens in the east park</a></h3></article>"
      "</div></main></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "Three new lines will link the suburbs")) << text;
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "By A. Writer")) << text;
  EXPECT_FALSE(contains(text, "Library hours extended")) << text;
  EXPECT_FALSE(contains(text, "More from the city desk")) << text;
}

TEST(ExtractArticle, StandfirstBetweenHeadlineAndBodyIsKept) {
  // The standfirst has no lead/intro class and sits in the page header beside the headline (page
  // chrome as a whole); what lies between the headline and the body is the standfirst, unless
  // it is a share bar or a caption.
  std::string text = article_text(
      "<html><body><header class=page-head><div class=topbar><a href=/>Daily Example</a> "
      "<a href=/news>News</a></div><h1>Council expands tram network</h1>"
      "<p>Three new lines will link the northern suburbs with the harbour by 2030, the largest "
      "expansion of the network in forty years.</p>"
      "<div class=share-tools><p>Share this story with your friends and family on every social "
      "network you use, it only takes a second.</p></div></header><div class=story>",
      "</div></body></html>", "Council expands tram network");
  EXPECT_TRUE(contains(text, "Three new lines will link the northern suburbs")) << text;
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "Share this story")) << text;
  EXPECT_FALSE(contains(text, "Daily Example")) << text;
}

TEST(ExtractArticle, TeaserClassedStandfirstStaysTeaserCardsGo) {
  // "teaser" names the standfirst above this article's body; the same word on cards of
  // a list below it names teasers of other articles.
  std::string text = article_text(
      "<html><body><article><header class=head><div class=teaser>Three new lines will "
      "link the northern suburbs with the harbour by 2030.</div></header><div class=body>",
      "<h2>Latest</h2><div class=grid><div class=card><div class=card-teaser>The library "
      "extends its opening hours over the holidays, the city announced.</div></div>"
      "<div class=card><div class=card-teaser>A new playground opens in the east park next "
      "week after two years of planning.</div></div></div></div></article></body></html>");
  EXPECT_TRUE(contains(text, "Three new lines will link the northern suburbs")) << text;
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "The library extends")) << text;
}

TEST(ExtractArticle, HeadlineMayEndDifferentlyFromTheTitle) {
  // The declared title and the <h1> share their start and differ in the last words.
  std::string text = article_text(
      "<html><body><header><h1>Council expands tram network: what changes for you</h1><p>Three "
      "new lines will link the northern suburbs with the harbour by 2030, the largest expansion "
      "of the network in forty years.</p></header><div class=story>",
      "</div></body></html>", "Council expands tram network: what it will cost");
  EXPECT_TRUE(contains(text, "Three new lines will link the northern suburbs")) << text;
}

TEST(ExtractArticle, NamedAnchorTextIsNotLinkText) {
  // <a name=…> marks a place for the table of contents; the question it wraps is text, while an
  // <a href> wrapping a whole line is a link.
  std::string text = article_text(
      "<html><body><div class=story>",
      "<p><a name=q1>One of the most frequent questions from listeners is this one: what does "
      "the professor say?</a></p><p><a href=/more>Read more stories from the tram network "
      "series in our archive section</a></p></div></body></html>");
  EXPECT_TRUE(contains(text, "what does the professor say?")) << text;
  EXPECT_FALSE(contains(text, "Read more stories")) << text;
}

TEST(ExtractArticle, TextBelowASiteLogoHeadlineIsNoStandfirst) {
  // The only <h1> is the site's name, not the page's title: the tagline under it stays out.
  std::string text = article_text(
      "<html><body><header class=masthead><h1>Daily Example</h1><p>Independent news from the "
      "city and the region since 1921, published every morning and updated all day long.</p>"
      "</header><div class=story>",
      "</div></body></html>", "Council expands tram network");
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "Independent news from the city")) << text;
}

TEST(ExtractArticle, LinkedCellsOfADataTableStay) {
  // An ingredient list and a comparison table whose names link elsewhere are data, not link
  // lists; the unlinked row before a linked one is its neighbour, not its label.
  std::string text = article_text(
      "<html><body><div class=recipe>",
      "<table class=ingredients><tr><td>125 g</td><td>Flour</td></tr>"
      "<tr><td>65 g</td><td>Sugar</td></tr><tr><td>1 tsp</td><td>Baking powder</td></tr>"
      "<tr><td>500 ml</td><td>Whole milk</td></tr><tr><td>200 g</td><td>Sour cream</td></tr>"
      "<tr><td>65 g</td><td>Butter or margarine</td></tr>"
      "<tr><td>1</td><td><a href=/egg>Egg</a></td></tr>"
      "<tr><td>2 tins</td><td><a href=/mandarins>Mandarins, drained and halved</a></td></tr>"
      "</table><table><thead><tr><th>Platform</th><th>x86</th></tr></thead><tbody>"
      "<tr><td><a href=/mac>Desktop for Mac</a></td><td><a href=/mac>yes</a></td></tr>"
      "<tr><td><a href=/win>Desktop for Windows</a></td><td><a href=/win>yes</a></td></tr>"
      "</tbody></table></div></body></html>");
  EXPECT_TRUE(contains(text, "Butter or margarine")) << text;
  EXPECT_TRUE(contains(text, "Mandarins, drained and halved")) << text;
  EXPECT_TRUE(contains(text, "Desktop for Windows")) << text;
}

TEST(ExtractArticle, ListItemBeforeARemovedItemIsNotItsLabel) {
  std::string text =
      article_text("<html><body><div class=post>",
                   "<h2>bookmarks</h2><ul><li>built-in</li><li><a href=/home>home page</a></li>"
                   "<li>Bookmarks record locations so you can return to them later.</li></ul>"
                   "</div></body></html>");
  EXPECT_TRUE(contains(text, "built-in")) << text;
  EXPECT_TRUE(contains(text, "Bookmarks record locations")) << text;
  EXPECT_FALSE(contains(text, "home page")) << text;
}

TEST(ExtractArticle, InlineLinksAndSoftHyphensInsideParagraphs) {
  // A linked phrase is part of its sentence; soft hyphens are invisible.
  std::string page =
      "<html><body><div class=content><p>The report, published by the <a href=/agency>national "
      "statistics agency</a> on Monday, shows that exports rose for the third month in a row, "
      "driven by machinery, chemicals and food.</p><p>Econ\xC2\xADomists, however, warned that "
      "the trend could reverse, since orders from abroad, especially from Asia, fell in May."
      "</p></div><ul class=nav><li><a href=/a>Home</a></li><li><a href=/b>Economy</a></li></ul>"
      "</body></html>";
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "published by the national statistics agency on Monday")) << text;
  EXPECT_TRUE(contains(text, "Economists, however, warned")) << text;
  EXPECT_FALSE(contains(text, "Home")) << text;
}

TEST(ExtractArticle, UnclosedNoscriptHoldingThePageIsNotDropped) {
  // With scripting off an unclosed <noscript> swallows the rest of the page; a small one (a
  // tracking pixel, "enable JavaScript") is still dropped.
  std::string page =
      "<html><body><noscript>Please enable JavaScript.</noscript><noscript><div id=page>"
      "<div class=text>";
  page.append(kArticleParagraphs);
  page.append("</div></div></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "enable JavaScript")) << text;
  html::Document full_doc = html::parse_document(page);
  std::string full = text_of(extract_full(full_doc));
  EXPECT_TRUE(contains(full, "independent review of the costs")) << full;
  EXPECT_FALSE(contains(full, "enable JavaScript")) << full;
}

TEST(ExtractArticle, NoscriptCopyOfATemplatedArticleIsKept) {
  // A script renders the body from a template; the <noscript> beside it holds the static copy.
  // It is under half of the page's text (long link lists around it) but an article's worth.
  std::string page =
      "<html><body><div class=post><h1>Trams</h1><script type=text/template>"
      "<p>Template copy</p></script><noscript>";
  page.append(kArticleParagraphs);
  page.append(kArticleParagraphs);
  page.append("</noscript></div><ul class=links>");
  constexpr int kLinks = 60;
  for (int i = 0; i < kLinks; ++i) page.append("<li><a href=/x>Another headline on the budget</a>");
  page.append("</ul></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "Another headline")) << text;
}

TEST(ExtractArticle, CreditLinesBesideTheTextAreDropped) {
  // A picture's credit set as a paragraph of its own is not article text; a field label with
  // nothing after it, and a sentence that merely mentions a photo, stay.
  std::string page = "<html><body><article><p>Titelbild: Jane Doe/picture-alliance</p>";
  page.append(kArticleParagraphs);
  page.append(
      "<p>(Credit: Clayton Example / Grist)</p><p>Quelle: Example Ministry</p><ul><li>Ort: "
      "Kasberg</li><li>Bildautor: </li>"
      "</ul><p>The mayor at the vote. | \u00A9 Example Agency/Getty Images</p>"
      "<p>The new tram on its first test run. (Foto: Example)</p><ul>"
      "</ul><p>Photos of the new trams were shown: residents liked the colours.</p>"
      "</article></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "picture-alliance")) << text;
  EXPECT_FALSE(contains(text, "Grist")) << text;
  EXPECT_FALSE(contains(text, "Getty Images")) << text;
  EXPECT_FALSE(contains(text, "Example Ministry")) << text;
  EXPECT_FALSE(contains(text, "first test run")) << text;
  EXPECT_TRUE(contains(text, "Ort: Kasberg")) << text;
  EXPECT_TRUE(contains(text, "residents liked the colours")) << text;
}

// The article text of a page whose article is `head`, kArticleParagraphs and `tail` (markup
// inside the article's body container).
std::string article_text_around(std::string_view head, std::string_view tail) {
  std::string page = "<html><body><article><h1>Council expands tram network</h1><div class=body>";
  page.append(head);
  page.append(kArticleParagraphs);
  page.append(tail);
  page.append("</div></article></body></html>");
  html::Document doc = html::parse_document(page);
  return text_of(extract_article(doc, {}));
}

std::string article_text_with_tail(std::string_view tail) {
  return article_text_around("", tail);
}

TEST(ExtractArticle, SiteNoticesAtTheEndAreDropped) {
  // Prompts that speak for the site sit inside the article's container, after its text.
  std::string text = article_text_with_tail(
      "<p>Residents can join a Facebook group that the council set up for questions.</p>"
      "<p>Subscribe now to our weekend edition for the full story.</p>"
      "<p>Follow the Daily Example on Twitter and Facebook for breaking news.</p>"
      "<p>\xC2\xA9 2026 Daily Example. This article may not be reprinted without permission.</p>"
      "<p>- Anzeige -</p>");
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_TRUE(contains(text, "join a Facebook group")) << text;  // a sentence, not a prompt
  EXPECT_FALSE(contains(text, "Subscribe now")) << text;
  EXPECT_FALSE(contains(text, "Follow the Daily Example")) << text;
  EXPECT_FALSE(contains(text, "may not be reprinted")) << text;
  EXPECT_FALSE(contains(text, "Anzeige")) << text;
}

TEST(ExtractArticle, NoticeLinesAndLabelsAtTheEndAreDropped) {
  // A disclaimer, a licence line, a "more on this" label and a back link under the article, and
  // a newsletter line set as phrasing content beside the article's blocks.
  std::string text = article_text_with_tail(
      "<p>The opinions expressed here are those of the author, not of the newspaper.</p>"
      "<p>This text is licensed under CC-BY 4.0.</p>"
      "<p>Read more on transport:</p><p><a href=/news>Back to the news list</a></p>"
      "<b>Weekly round-ups?</b> <a href=/nl>Get our newsletter</a>");
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_FALSE(contains(text, "opinions expressed")) << text;
  EXPECT_FALSE(contains(text, "CC-BY")) << text;
  EXPECT_FALSE(contains(text, "Read more on transport")) << text;
  EXPECT_FALSE(contains(text, "Back to the news list")) << text;
  EXPECT_FALSE(contains(text, "Weekly round-ups?")) << text;
  EXPECT_FALSE(contains(text, "Get our newsletter")) << text;
}

TEST(ExtractArticle, CommentSectionHeadingEndsTheArticle) {
  // A comment thread without comment class names, inside the article's container: its heading
  // ends the article.
  std::string text = article_text_with_tail(
      "<h3>3 Comments</h3><p>Finally! I have waited for this tram for twenty years, and my "
      "children will be the ones who ride it.</p><p>March 3, 2026</p>"
      "<p>Another waste of money by a council that never listens to the people who pay.</p>");
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_FALSE(contains(text, "Comments")) << text;
  EXPECT_FALSE(contains(text, "waited for this tram")) << text;
  EXPECT_FALSE(contains(text, "Another waste of money")) << text;
}

TEST(ExtractArticle, AuthorBioBoxIsDropped) {
  // A bio longer than a byline, in a box named for the author, inside the article.
  std::string text = article_text_with_tail(
      "<div class=entry-author-info><h4>Jane Example</h4><p>Jane Example has covered city "
      "politics, transport and housing for fifteen years, first for a regional weekly and since "
      "2019 for the Daily Example, where she also edits the weekend magazine. She studied "
      "history in Leipzig and urban planning in Vienna, and she lives with her family, two cats "
      "and far too many bicycles near the harbour that the new tram line will serve.</p></div>");
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
  EXPECT_FALSE(contains(text, "covered city politics")) << text;
}

TEST(ExtractArticle, AdvertisingDisclosureIsDropped) {
  // The disclosure line above the post is the site's legal notice, not the article.
  std::string text = article_text_around(
      "<p><em>This post contains affiliate links: we may receive compensation when you buy "
      "through them.</em></p>",
      "");
  EXPECT_TRUE(contains(text, "The city council voted on Tuesday")) << text;
  EXPECT_FALSE(contains(text, "affiliate links")) << text;
}

TEST(ExtractArticle, NoticeWordsInsideTheArticleAreText) {
  // The same words before the article's last part are what the article talks about.
  std::string page =
      "<html><body><article><h1>Newsletters are back</h1><div class=body>"
      "<p>Publishers say readers subscribe to newsletters again, and that a newsletter now "
      "brings more loyal readers than search, social networks, or the home page ever did.</p>"
      "<p>Several newsrooms, which had closed their lists a decade ago, hired editors for them "
      "this year, and some of those lists already count more than a hundred thousand readers."
      "</p>";
  page.append(kArticleParagraphs);
  page.append("</div></article></body></html>");
  html::Document doc = html::parse_document(page);
  std::string text = text_of(extract_article(doc, {}));
  EXPECT_TRUE(contains(text, "readers subscribe to newsletters again")) << text;
  EXPECT_TRUE(contains(text, "independent review of the costs")) << text;
}

TEST(ExtractArticle, NoClearArticleFallsBack) {
  // Short blocks only: no paragraph is long enough to vote, so the cleaned body is returned.
  html::Document doc = html::parse_document(
      "<html><body><nav><a href=/>Home</a></nav><div>Opening hours</div><div>Mon-Fri 9-17</div>"
      "<div>Phone 0123 456</div></body></html>");
  ContentResult r = extract_article(doc, {});
  EXPECT_TRUE(r.used_fallback);
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "Opening hours")) << text;
  EXPECT_TRUE(contains(text, "Mon-Fri 9-17")) << text;
  EXPECT_FALSE(contains(text, "Home")) << text;
  EXPECT_LT(r.confidence, 0.5);
}

TEST(ExtractArticle, FallbackKeepsTheShortArticleBesideLinkLists) {
  // A paywalled teaser is too short to stand alone, and its wrapper is mostly links (related
  // stories): the fallback keeps the teaser and still drops the links.
  html::Document doc = html::parse_document(
      "<html><body><div class=page><div class=wrap><div class=story><p>A senior official said in a "
      "sworn "
      "statement that anyone determined enough could walk out.</p></div>"
      "<ul><li><a href=/a>Storm warning issued for the whole coast tonight</a></li>"
      "<li><a href=/b>Harbour reopens after three weeks of repairs</a></li>"
      "<li><a href=/c>School board elects a new chair after long debate</a></li>"
      "<li><a href=/d>Ferry timetable changes from next Monday</a></li></ul></div></div>"
      "</body></html>");
  ContentResult r = extract_article(doc, {});
  EXPECT_TRUE(r.used_fallback);
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "anyone determined enough could walk out")) << text;
  EXPECT_FALSE(contains(text, "Storm warning")) << text;
}

TEST(ExtractArticle, EmptyDocument) {
  html::Document doc = html::parse_document("");
  ContentResult r = extract_article(doc, {});
  ASSERT_NE(r.root, nullptr);
  EXPECT_EQ(r.root->first_child, nullptr);
  EXPECT_EQ(r.confidence, 0);
  html::Document empty;  // not even <html>: no body at all
  ContentResult e = extract_article(empty, {});
  ASSERT_NE(e.root, nullptr);
  EXPECT_EQ(e.root->first_child, nullptr);
}

// 100,000 nested elements built directly (the parser would flatten them at kMaxDomDepth): every
// pass must be iterative.
TEST(ExtractArticle, DeepNestingDoesNotRecurse) {
  html::Document doc = html::parse_document("<html><body></body></html>");
  html::Node* parent = doc.body();
  constexpr int kDepth = 100'000;
  for (int i = 0; i < kDepth; ++i) {
    html::Node* div = doc.create_element(html::Tag::kDiv, "div");
    html::append_child(parent, div);
    parent = div;
  }
  html::Node* p = doc.create_element(html::Tag::kP, "p");
  html::append_child(parent, p);
  html::append_child(p, doc.create_text("A paragraph at the very bottom of a deep tree, long "
                                        "enough to count, with commas, clauses, and a point."));
  ContentResult r = extract_article(doc, {});
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "A paragraph at the very bottom")) << text.substr(0, 200);
}

TEST(ExtractFull, KeepsNavigationDropsScriptsAndHidden) {
  html::Document doc = html::parse_document(news_page() + "");
  ContentResult r = extract_full(doc);
  std::string text = text_of(r);
  EXPECT_TRUE(contains(text, "The city council voted")) << text;
  EXPECT_TRUE(contains(text, "Sport")) << text;
  EXPECT_TRUE(contains(text, "All rights reserved")) << text;
  EXPECT_FALSE(contains(text, "Tracking script")) << text;
  EXPECT_FALSE(contains(text, "color: red")) << text;
}

TEST(ExtractFull, HiddenElementsAreRemoved) {
  html::Document doc = html::parse_document(
      "<body><p>Visible text</p><p hidden>Hidden attribute</p>"
      "<div style='display: none'>Display none</div><span aria-hidden=true>Icon label</span>"
      "<template><p>Template content</p></template></body>");
  std::string text = text_of(extract_full(doc));
  EXPECT_EQ(text, "Visible text");
}

}  // namespace
}  // namespace riptide::extract
