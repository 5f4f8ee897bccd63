#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "extract/links.h"
#include "extract/media.h"
#include "html/parser.h"
#include "url/url.h"

namespace riptide::extract {
namespace {

constexpr const char* kBase = "https://example.com/blog/post.html?x=1";

std::vector<Link> links_of(const std::string& body, const char* base_url = kBase) {
  html::Document doc = html::parse_document("<body>" + body + "</body>");
  if (base_url == nullptr) return collect_links(doc.root(), nullptr);
  auto base = url::parse(base_url);
  EXPECT_TRUE(base.ok());
  return collect_links(doc.root(), &*base);
}

std::vector<Media> media_of(const std::string& html, bool from_document = false) {
  html::Document doc = html::parse_document(html);
  auto base = url::parse(kBase);
  EXPECT_TRUE(base.ok());
  const html::Node* root = from_document ? doc.root() : doc.body();
  return collect_media(root, &*base);
}

std::vector<std::string> urls(const std::vector<Link>& links) {
  std::vector<std::string> out;
  for (const Link& l : links) out.push_back(l.url);
  return out;
}

std::vector<std::string> urls(const std::vector<Media>& media) {
  std::vector<std::string> out;
  for (const Media& m : media) out.push_back(m.url);
  return out;
}

struct UrlCase {
  const char* href;
  const char* expected;  // "" = dropped
};

TEST(CollectLinksTest, ResolvesAgainstTheBaseAndFiltersSchemes) {
  const UrlCase cases[] = {
      {"https://other.org/a", "https://other.org/a"},
      {"/root", "https://example.com/root"},
      {"sibling.html", "https://example.com/blog/sibling.html"},
      {"../up", "https://example.com/up"},
      {"//cdn.example.net/x", "https://cdn.example.net/x"},
      {"?page=2", "https://example.com/blog/post.html?page=2"},
      {"  /trimmed  ", "https://example.com/trimmed"},
      {"other.html#part", "https://example.com/blog/other.html#part"},
      {"HTTP://EXAMPLE.COM/Case", "http://example.com/Case"},
      {"mailto:someone@example.com", "mailto:someone@example.com"},
      {"ftp://files.example.com/f", "ftp://files.example.com/f"},
      {"javascript:void(0)", ""},
      {" JavaScript:alert(1)", ""},
      {"data:text/html,hi", ""},
      {"tel:+123", ""},
      {"#top", ""},  // fragment-only: in-page navigation
      {"#", ""},
      {"", ""},  // empty: the page itself
      {"http://[bad", ""},
  };
  for (const auto& c : cases) {
    auto links = links_of(std::string("<a href=\"") + c.href + "\">text</a>");
    if (c.expected[0] == '\0') {
      EXPECT_TRUE(links.empty()) << c.href;
    } else {
      ASSERT_EQ(links.size(), 1u) << c.href;
      EXPECT_EQ(links[0].url, c.expected) << c.href;
    }
  }
}

TEST(CollectLinksTest, WithoutBaseOnlyAbsoluteLinksSurvive) {
  auto links = links_of("<a href=/rel>r</a><a href=https://e.org/abs>a</a>", nullptr);
  EXPECT_EQ(urls(links), std::vector<std::string>{"https://e.org/abs"});
}

TEST(CollectLinksTest, TextRelAndHreflang) {
  auto links = links_of(
      "<a href=/a>  Some\n  <b>bold</b>   text<script>var x;</script> </a>"
      "<a href=/b rel=\"NoFollow ugc\"><img src=x.png alt=\" Logo  image \"></a>"
      "<a href=/c rel=sponsored aria-label=\"Labelled\"></a>"
      "<a href=/d title=Titled hreflang=de-AT><span></span></a>"
      "<a href=/e>line<br>break</a>");
  ASSERT_EQ(links.size(), 5u);
  EXPECT_EQ(links[0].text, "Some bold text");
  EXPECT_FALSE(links[0].nofollow || links[0].ugc || links[0].sponsored);
  EXPECT_EQ(links[1].text, "Logo image");
  EXPECT_TRUE(links[1].nofollow);
  EXPECT_TRUE(links[1].ugc);
  EXPECT_FALSE(links[1].sponsored);
  EXPECT_EQ(links[2].text, "Labelled");
  EXPECT_TRUE(links[2].sponsored);
  EXPECT_EQ(links[3].text, "Titled");
  EXPECT_EQ(links[3].hreflang, "de-AT");
  EXPECT_EQ(links[4].text, "line break");
}

TEST(CollectLinksTest, DeduplicatesIdenticalUrlAndText) {
  auto links = links_of(
      "<a href=/x>Same</a><a href=\"https://example.com/x\">Same</a>"
      "<a href=/x>Other text</a><a href=/y>Same</a><a>no href</a>");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].text, "Same");
  EXPECT_EQ(links[1].text, "Other text");
  EXPECT_EQ(links[2].url, "https://example.com/y");
}

TEST(CollectLinksTest, OnlyTheGivenSubtree) {
  html::Document doc = html::parse_document(
      "<body><nav><a href=/nav>Nav</a></nav><article><a href=/in>In</a></article></body>");
  const html::Node* article = nullptr;
  for (const html::Node* n = doc.root(); n != nullptr; n = html::next_in_subtree(n, doc.root())) {
    if (n->is(html::Tag::kArticle)) article = n;
  }
  ASSERT_NE(article, nullptr);
  auto links = collect_links(article, nullptr);
  ASSERT_EQ(links.size(), 0u);  // relative without a base
  auto base = url::parse(kBase);
  links = collect_links(article, &*base);
  EXPECT_EQ(urls(links), std::vector<std::string>{"https://example.com/in"});
}

TEST(CollectLinksTest, DeepNestingAndNull) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<span>";
  deep += "<a href=/deep>deep</a>";
  auto links = links_of(deep);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].url, "https://example.com/deep");
  EXPECT_TRUE(collect_links(nullptr, nullptr).empty());
}

struct SrcsetCase {
  const char* srcset;
  const char* expected;
};

TEST(SrcsetTest, LargestCandidate) {
  const SrcsetCase cases[] = {
      {"a.jpg 300w, b.jpg 1200w, c.jpg 800w", "b.jpg"},
      {"a.jpg 1x, b.jpg 2x, c.jpg 1.5x", "b.jpg"},
      {"a.jpg, b.jpg 2x", "b.jpg"},       // no descriptor = 1x
      {"a.jpg 3x, b.jpg 100w", "b.jpg"},  // w descriptors win when present
      {"  a.jpg   640w  ,\n b.jpg 1280w ", "b.jpg"},
      {"single.jpg", "single.jpg"},
      {"https://img.example/w_300,h_200/a.jpg 300w, https://img.example/w_900,h_600/a.jpg 900w",
       "https://img.example/w_900,h_600/a.jpg"},               // commas inside URLs
      {"a.jpg 100w 50h, b.jpg 200w (fancy, thing)", "b.jpg"},  // parentheses and h descriptors
      {"a.jpg,, b.jpg 2x", "b.jpg"},  // commas ending a URL end its candidate
      {"a.jpg, b.jpg", "a.jpg"},      // equal densities: the first
      {"a.jpg 0.5x, b.jpg .75x", "b.jpg"},
      {"", ""},
      {" , , ", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(largest_srcset_candidate(c.srcset), c.expected) << c.srcset;
  }
}

TEST(SrcsetTest, ParsesDescriptors) {
  auto candidates = parse_srcset("a.jpg 480w, b.jpg 2x, c.jpg");
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].url, "a.jpg");
  EXPECT_EQ(candidates[0].width, 480);
  EXPECT_EQ(candidates[1].density, 2);
  EXPECT_EQ(candidates[2].width, 0);
  EXPECT_EQ(candidates[2].density, 0);
}

TEST(CollectMediaTest, ImageSourcesAndAbsolutisation) {
  struct Case {
    const char* name;
    const char* html;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"plain src", "<img src=a.png>", {"https://example.com/blog/a.png"}},
      {"srcset largest beats src",
       "<img src=small.jpg srcset=\"m.jpg 600w, l.jpg 1200w\">",
       {"https://example.com/blog/l.jpg"}},
      {"lazy data-src beats placeholder src",
       "<img src=\"data:image/gif;base64,R0lGOD\" data-src=/real.jpg>",
       {"https://example.com/real.jpg"}},
      {"data-lazy-src",
       "<img src=spacer.gif data-lazy-src=/lazy.jpg>",
       {"https://example.com/lazy.jpg"}},
      {"data-original",
       "<img data-original=//cdn.example.org/o.jpg>",
       {"https://cdn.example.org/o.jpg"}},
      {"data-srcset",
       "<img data-srcset=\"/s.jpg 100w, /l.jpg 900w\">",
       {"https://example.com/l.jpg"}},
      {"data URI only: dropped", "<img src=\"data:image/png;base64,AAAA\">", {}},
      {"1x1 tracker dropped", "<img src=/pixel.gif width=1 height=1>", {}},
      {"1px wide spacer dropped", "<img src=/spacer.gif width=\"1px\">", {}},
      {"0 height dropped", "<img src=/t.gif height=0>", {}},
      {"normal size kept",
       "<img src=/big.jpg width=640 height=480>",
       {"https://example.com/big.jpg"}},
      {"deduplicated",
       "<img src=/a.jpg><img src=https://example.com/a.jpg><img src=/b.jpg>",
       {"https://example.com/a.jpg", "https://example.com/b.jpg"}},
      {"non-http dropped", "<img src=\"ftp://x/a.png\"><img src=\"blob:https://e/1\">", {}},
      {"picture picks the largest source",
       "<picture><source srcset=\"/p-800.webp 800w, /p-1600.webp 1600w\" type=image/webp>"
       "<source srcset=\"/p-1000.jpg 1000w\"><img src=/p-400.jpg alt=Pic></picture>",
       {"https://example.com/p-1600.webp"}},
      {"picture densities",
       "<picture><source srcset=\"/d1.jpg, /d2.jpg 2x\"><img src=/d0.jpg>",
       {"https://example.com/d2.jpg"}},
      {"picture without srcsets uses img",
       "<picture><source media=\"(min-width: 1px)\"><img src=/only.jpg></picture>",
       {"https://example.com/only.jpg"}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(urls(media_of(std::string("<body>") + c.html)), c.expected) << c.name;
  }
}

TEST(CollectMediaTest, KindsAltAndPoster) {
  auto media = media_of(
      "<body><img src=/a.jpg alt=\"  An\n image \">"
      "<video src=/v.mp4 poster=/poster.jpg title=\"Clip\"></video>"
      "<video><source src=\"data:video/mp4,x\"><source src=/v2.webm><source src=/v2.mp4></video>"
      "<audio aria-label=Podcast><source src=/a.mp3></audio>"
      "<audio src=/b.ogg></audio></body>");
  ASSERT_EQ(media.size(), 6u);
  EXPECT_EQ(media[0].kind, MediaKind::kImage);
  EXPECT_EQ(media[0].alt, "An image");
  EXPECT_EQ(media[1].kind, MediaKind::kVideo);
  EXPECT_EQ(media[1].url, "https://example.com/v.mp4");
  EXPECT_EQ(media[1].alt, "Clip");
  EXPECT_EQ(media[2].kind, MediaKind::kImage);
  EXPECT_EQ(media[2].url, "https://example.com/poster.jpg");
  EXPECT_EQ(media[3].url, "https://example.com/v2.webm");
  EXPECT_EQ(media[4].kind, MediaKind::kAudio);
  EXPECT_EQ(media[4].alt, "Podcast");
  EXPECT_EQ(media[5].url, "https://example.com/b.ogg");
}

TEST(CollectMediaTest, OgImageOnlyForTheWholeDocument) {
  std::string html =
      "<head><meta property=og:image content=/og.jpg>"
      "<meta name=twitter:image content=/og.jpg></head><body><img src=/body.jpg></body>";
  EXPECT_EQ(urls(media_of(html, true)), (std::vector<std::string>{"https://example.com/og.jpg",
                                                                  "https://example.com/body.jpg"}));
  EXPECT_EQ(urls(media_of(html, false)), std::vector<std::string>{"https://example.com/body.jpg"});
}

TEST(CollectMediaTest, DeepNestingAndNull) {
  std::string deep = "<body>";
  for (int i = 0; i < 100000; ++i) deep += "<div>";
  deep += "<img src=/deep.png>";
  EXPECT_EQ(urls(media_of(deep)), std::vector<std::string>{"https://example.com/deep.png"});
  EXPECT_TRUE(collect_media(nullptr, nullptr).empty());
}

}  // namespace
}  // namespace riptide::extract
