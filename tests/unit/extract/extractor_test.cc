#include "extract/extractor.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace riptide::extract {
namespace {

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A news page with the usual chrome around one article.
std::string news_page() {
  return R"(<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Harbour ferry returns after winter repairs | Coastline Post</title>
<meta name="description" content="The harbour ferry is back on its route after three months in dry dock.">
<meta property="og:site_name" content="Coastline Post">
<meta property="og:image" content="/img/ferry-large.jpg">
<meta name="author" content="Ines Carvalho">
<meta property="article:published_time" content="2026-03-02T07:15:00+00:00">
<script>var tracker = 1;</script></head><body>
<header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<div class="cookie-notice">We use cookies. <button>OK</button></div>
<main><article>
<h1>Harbour ferry returns after winter repairs</h1>
<p>The harbour ferry resumed its crossings on Monday morning after three months in dry dock,
where engineers replaced both engines and repainted the hull below the waterline.</p>
<p>Commuters who had relied on a replacement bus service, which took almost an hour longer,
said they were relieved. "It is twelve minutes across the water instead of fifty around it,"
said one passenger who makes the trip every day to the hospital on the far shore.</p>
<p>The operator said the new engines burn about a fifth less fuel. Timetables are unchanged,
and the <a href="/timetable">full timetable</a> is posted at both piers and online.</p>
<figure><img src="pics/ferry.jpg" alt="The ferry leaving the north pier"></figure>
<p>The next scheduled maintenance is planned for the winter after next, when the ferry will be
out of service for no more than four weeks, according to the harbour authority.</p>
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Pier lights to be replaced</a></li>
<li><a href="/b">Harbour festival dates announced</a></li></ul></aside></main>
<footer><a href="/privacy">Privacy</a> &copy; Coastline Post</footer></body></html>)";
}

// A page that is mostly links.
std::string link_farm() {
  std::string page = "<html><head><title>Links</title></head><body><ul>";
  for (int i = 0; i < 60; ++i) {
    page += "<li><a href=\"/p" + std::to_string(i) + "\">Great offer number " + std::to_string(i) +
            "</a></li>";
  }
  page += "</ul></body></html>";
  return page;
}

Options with_url(Mode mode) {
  Options options;
  options.mode = mode;
  options.url = "https://news.example/local/ferry";
  return options;
}

TEST(ExtractorTest, ArticleModeKeepsTheArticleAndDropsChrome) {
  Extractor extractor;
  auto record = extractor.extract(news_page(), with_url(Mode::kArticle));
  ASSERT_TRUE(record.ok()) << record.error().to_string();
  EXPECT_EQ(record->title, "Harbour ferry returns after winter repairs");
  EXPECT_EQ(record->byline, "Ines Carvalho");
  EXPECT_EQ(record->published, "2026-03-02T07:15:00+00:00");
  EXPECT_EQ(record->site_name, "Coastline Post");
  EXPECT_EQ(record->language, "en");
  EXPECT_EQ(record->url, "https://news.example/local/ferry");
  EXPECT_TRUE(contains(record->markdown, "resumed its crossings on Monday morning"));
  EXPECT_TRUE(contains(record->markdown, "no more than four weeks"));
  EXPECT_TRUE(contains(record->text, "twelve minutes across the water"));
  EXPECT_TRUE(contains(record->html, "<p>The harbour ferry resumed"));
  for (std::string_view chrome : {"cookies", "Related stories", "Privacy", "Sport", "tracker"}) {
    EXPECT_FALSE(contains(record->markdown, chrome)) << chrome;
    EXPECT_FALSE(contains(record->text, chrome)) << chrome;
  }
  // Links and media come from the content, absolute; og:image leads the media list.
  ASSERT_EQ(record->links.size(), 1u);
  EXPECT_EQ(record->links[0].url, "https://news.example/timetable");
  EXPECT_EQ(record->links[0].text, "full timetable");
  ASSERT_EQ(record->media.size(), 2u);
  EXPECT_EQ(record->media[0].url, "https://news.example/img/ferry-large.jpg");
  EXPECT_EQ(record->media[1].url, "https://news.example/local/pics/ferry.jpg");
  EXPECT_EQ(record->media[1].alt, "The ferry leaving the north pier");
  EXPECT_EQ(record->word_count, count_words(record->text));
  EXPECT_GT(record->word_count, 100u);
  EXPECT_EQ(record->reading_time, 1u);
  EXPECT_EQ(record->stats.input_bytes, news_page().size());
  EXPECT_GT(record->stats.nodes, 50u);
  EXPECT_EQ(record->stats.limits, "");
}

TEST(ExtractorTest, FullModeKeepsNavigationButNotScripts) {
  Extractor extractor;
  auto record = extractor.extract(news_page(), with_url(Mode::kFull));
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(contains(record->text, "Sport"));
  EXPECT_TRUE(contains(record->text, "Related stories"));
  EXPECT_TRUE(contains(record->text, "resumed its crossings"));
  EXPECT_FALSE(contains(record->text, "tracker"));
  EXPECT_FALSE(contains(record->html, "<script"));
  EXPECT_GT(record->links.size(), 5u);
}

TEST(ExtractorTest, MetadataModeHasNoBody) {
  Extractor extractor;
  auto record = extractor.extract(news_page(), with_url(Mode::kMetadata));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->title, "Harbour ferry returns after winter repairs");
  EXPECT_EQ(record->description,
            "The harbour ferry is back on its route after three months in dry dock.");
  EXPECT_EQ(record->markdown, "");
  EXPECT_EQ(record->text, "");
  EXPECT_EQ(record->html, "");
  EXPECT_TRUE(record->links.empty());
  EXPECT_EQ(record->word_count, 0u);
  EXPECT_EQ(record->reading_time, 0u);
  // The declared image is metadata, so it is still reported.
  ASSERT_EQ(record->media.size(), 1u);
  EXPECT_EQ(record->media[0].url, "https://news.example/img/ferry-large.jpg");
}

constexpr std::string_view kCustomPage = R"(<body>
<div class="card" id="one"><p class="lead">First lead</p><p>First body</p></div>
<p class="note">A note between cards</p>
<div class="card" id="two"><p class="lead">Second lead</p><script>bad()</script></div>
</body>)";

TEST(ExtractorTest, CustomModeIsTheUnionInDocumentOrder) {
  Extractor extractor;
  Options options;
  options.mode = Mode::kCustom;
  // Given in reverse document order: the output still follows the document.
  options.selectors = {"#two", ".note", "#one"};
  auto record = extractor.extract(kCustomPage, options);
  ASSERT_TRUE(record.ok()) << record.error().to_string();
  EXPECT_EQ(record->text, "First lead\n\nFirst body\n\nA note between cards\n\nSecond lead");
  EXPECT_FALSE(contains(record->html, "script"));
}

TEST(ExtractorTest, CustomModeDoesNotRepeatNestedMatches) {
  Extractor extractor;
  Options options;
  options.mode = Mode::kCustom;
  options.selectors = {".lead", ".card", "p.lead, #one"};
  auto record = extractor.extract(kCustomPage, options);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->text, "First lead\n\nFirst body\n\nSecond lead");
  EXPECT_EQ(record->markdown, "First lead\n\nFirst body\n\nSecond lead");
}

TEST(ExtractorTest, CustomModeWithoutMatchesIsEmpty) {
  Extractor extractor;
  Options options;
  options.mode = Mode::kCustom;
  options.selectors = {"table"};
  auto record = extractor.extract(kCustomPage, options);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->text, "");
  EXPECT_EQ(record->word_count, 0u);
}

TEST(ExtractorTest, InvalidSelectorIsAnErrorNamingIt) {
  Extractor extractor;
  Options options;
  options.mode = Mode::kCustom;
  options.selectors = {"p", "div >> span"};
  auto record = extractor.extract(kCustomPage, options);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(record.error().message(), "div >> span")) << record.error().message();

  options.selectors = {"a:hover"};
  record = extractor.extract(kCustomPage, options);
  ASSERT_FALSE(record.ok());
  EXPECT_TRUE(contains(record.error().message(), "a:hover"));

  options.selectors.clear();
  record = extractor.extract(kCustomPage, options);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ExtractorTest, OversizedInputIsAResourceLimitError) {
  Extractor extractor;
  Options options;
  options.max_input_bytes = 100;
  std::string page(101, 'x');
  auto record = extractor.extract(page, options);
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code(), ErrorCode::kResourceLimit);
  page.resize(100);
  EXPECT_TRUE(extractor.extract(page, options).ok());
}

TEST(ExtractorTest, ParserLimitsAreReportedNotFatal) {
  std::string page = "<body>";
  for (int i = 0; i < 2000; ++i) page += "<div>";
  page += "deep text";
  Extractor extractor;
  auto record = extractor.extract(page, Options{});
  ASSERT_TRUE(record.ok());
  EXPECT_NE(record->stats.limits, "");
  EXPECT_TRUE(contains(record->text, "deep text"));
}

TEST(ExtractorTest, ReusedExtractorDoesNotLeakBetweenDocuments) {
  Extractor extractor;
  ASSERT_TRUE(extractor.extract(news_page(), with_url(Mode::kArticle)).ok());
  auto second = extractor.extract("<title>Plain</title><p>Just one short line.</p>", Options{});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->title, "Plain");
  EXPECT_EQ(second->byline, "");
  EXPECT_TRUE(second->media.empty());
  EXPECT_EQ(second->text, "Just one short line.");
  EXPECT_FALSE(contains(second->text, "ferry"));
}

TEST(ExtractorTest, BaseElementChangesHowLinksResolve) {
  Extractor extractor;
  Options options;
  options.mode = Mode::kFull;
  options.url = "https://site.example/blog/post";
  auto record = extractor.extract(
      "<head><base href=\"https://cdn.example/assets/\"></head><body><p><a href=\"doc.pdf\">Doc"
      "</a> <img src=\"a.png\" alt=\"A\"></p></body>",
      options);
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->links.size(), 1u);
  EXPECT_EQ(record->links[0].url, "https://cdn.example/assets/doc.pdf");
  ASSERT_EQ(record->media.size(), 1u);
  EXPECT_EQ(record->media[0].url, "https://cdn.example/assets/a.png");
}

TEST(ExtractorTest, UrlFallsBackToTheGivenUrlWithoutCanonical) {
  Extractor extractor;
  Options options;
  options.url = "https://site.example/x";
  auto record = extractor.extract("<p>Hello</p>", options);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->url, "https://site.example/x");
  auto canonical = extractor.extract(
      "<link rel=canonical href=\"https://site.example/canonical\"><p>Hello</p>", options);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(canonical->url, "https://site.example/canonical");
}

struct WordCase {
  std::string_view text;
  uint32_t words;
};

TEST(CountWordsTest, Table) {
  const WordCase cases[] = {
      {"", 0},
      {"   \n\t ", 0},
      {"one", 1},
      {"Hello, world!", 2},
      {"don't use e-mail", 3},
      {"then\xE2\x80\x94suddenly", 2},  // em dash between words
      {"and/or", 2},
      {"\xE2\x80\x94 \xC2\xB7 | * -", 0},  // punctuation only
      {"3.14 is pi", 3},
      {"\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x81\xAB\xE8\xA1\x8C\xE3\x81\x8F", 5},  // 東京に行く
      {"\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C", 4},  // 你好，世界
      {"Tokyo \xE6\x9D\xB1\xE4\xBA\xAC 2026", 4},
      {"\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xEB\xB2\x88\xEC\x97\xAD", 2},  // 한국어 번역
      {"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80",
       2},                             // Привет мир
      {"caf\xC3\xA9\xC2\xA0noir", 2},  // no-break space separates
      {"a\xFF"
       "b c",
       2},  // invalid byte counts like a letter
  };
  for (const WordCase& c : cases) EXPECT_EQ(count_words(c.text), c.words) << c.text;
}

TEST(ReadingTimeTest, RoundsUpAtTheStatedRate) {
  EXPECT_EQ(kWordsPerMinute, 200u);
  EXPECT_EQ(reading_minutes(0), 0u);
  EXPECT_EQ(reading_minutes(1), 1u);
  EXPECT_EQ(reading_minutes(200), 1u);
  EXPECT_EQ(reading_minutes(201), 2u);
  EXPECT_EQ(reading_minutes(1000), 5u);
}

TEST(QualityScoreTest, WithinRangeAndMonotonic) {
  QualitySignals none;
  EXPECT_EQ(quality_score(none), 0u);
  QualitySignals best;
  best.confidence = 1;
  best.words = 5000;
  best.link_density = 0;
  best.has_title = best.has_byline = best.has_published = best.has_description = best.has_language =
      true;
  EXPECT_EQ(quality_score(best), 100u);

  QualitySignals s;
  s.confidence = 0.5;
  s.words = 120;
  s.link_density = 0.3;
  uint32_t base = quality_score(s);
  QualitySignals more = s;
  more.confidence = 0.8;
  EXPECT_GT(quality_score(more), base);
  more = s;
  more.words = 250;
  EXPECT_GT(quality_score(more), base);
  more = s;
  more.link_density = 0.9;
  EXPECT_LT(quality_score(more), base);
  more = s;
  more.has_title = true;
  EXPECT_EQ(quality_score(more), base + 5);
  // Without text, link density earns nothing.
  QualitySignals empty;
  empty.has_title = true;
  EXPECT_EQ(quality_score(empty), 5u);
}

TEST(QualityScoreTest, ArticleScoresHigherThanLinkFarm) {
  Extractor extractor;
  auto article = extractor.extract(news_page(), with_url(Mode::kArticle));
  ASSERT_TRUE(article.ok());
  uint32_t article_score = article->quality_score;
  auto farm = extractor.extract(link_farm(), with_url(Mode::kArticle));
  ASSERT_TRUE(farm.ok());
  EXPECT_GT(article_score, farm->quality_score + 20)
      << article_score << " vs " << farm->quality_score;
  EXPECT_LE(article_score, 100u);
}

// The score measures how clean and certain the result is, not how long the article is: a
// complete ~200-word story on a clean page with its metadata scores high, and the same story
// sharing the page with as much unrelated text scores lower.
TEST(QualityScoreTest, ShortCleanArticleScoresHighCrowdedPageLower) {
  Extractor extractor;
  auto clean = extractor.extract(news_page(), with_url(Mode::kArticle));
  ASSERT_TRUE(clean.ok());
  EXPECT_LT(clean->word_count, 250u);
  EXPECT_GE(clean->quality_score, 80u);
  std::string crowded = news_page();
  std::string other =
      "<div><p>Elsewhere in town, the library extends its opening hours on Thursdays until nine "
      "in the evening, and the reading room on the first floor gets new lamps and chairs.</p>"
      "<p>The swimming pool closes for two weeks in April while the changing rooms are "
      "refurbished; season tickets are extended by the same period, the council said.</p>"
      "<p>A second-hand book market returns to the square on the last Saturday of the month, "
      "with stalls from schools, charities and the historical society.</p></div>";
  crowded.insert(crowded.find("<footer>"), other);
  auto shared = extractor.extract(crowded, with_url(Mode::kArticle));
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->word_count, clean->word_count);
  EXPECT_LT(shared->quality_score, clean->quality_score);
}

TEST(ModeTest, NamesRoundTrip) {
  for (Mode m : {Mode::kArticle, Mode::kFull, Mode::kMetadata, Mode::kCustom}) {
    Mode parsed = Mode::kArticle;
    ASSERT_TRUE(parse_mode(mode_name(m), &parsed));
    EXPECT_EQ(parsed, m);
  }
  Mode out = Mode::kFull;
  EXPECT_FALSE(parse_mode("Article", &out));
  EXPECT_FALSE(parse_mode("", &out));
  EXPECT_FALSE(parse_mode("readability", &out));
  EXPECT_EQ(out, Mode::kFull);
}

}  // namespace
}  // namespace riptide::extract
