#include "guest/abi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/utf8.h"
#include "extract/extractor.h"

namespace riptide::guest {
namespace {

using extract::Link;
using extract::Media;
using extract::MediaKind;
using extract::Mode;
using extract::Record;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A record with every field set, non-ASCII text and every link flag and media kind.
Record full_record() {
  Record r;
  r.url = "https://example.org/a?b=c";
  r.title = "Überschrift — 東京";
  r.byline = "Ana Núñez";
  r.published = "2026-03-02T07:15:00+00:00";
  r.site_name = "Example";
  r.description = "A description.";
  r.language = "de";
  r.markdown = "# Title\n\nBody with `code`.\n";
  r.text = "Title\n\nBody with code.";
  r.html = "<h1>Title</h1><p>Body</p>";
  r.links = {{"https://a.example/", "A", true, false, true, "en"},
             {"https://b.example/x", "", false, true, false, ""}};
  r.page_links = {{"https://a.example/nav", "Home", false, false, false, ""},
                  {"https://a.example/", "A", true, false, true, "en"},
                  {"https://c.example/", "C", false, true, false, "fr"}};
  r.media = {{"https://m.example/1.jpg", MediaKind::kImage, "alt"},
             {"https://m.example/2.mp4", MediaKind::kVideo, ""},
             {"https://m.example/3.mp3", MediaKind::kAudio, "ü"}};
  r.categories = {"News", "Local"};
  r.word_count = 1234;
  r.reading_time = 7;
  r.quality_score = 88;
  r.stats.time_ms = 1.25;
  r.stats.input_bytes = uint64_t{5} << 32;  // above 32 bits: the field is 64-bit on the wire
  r.stats.nodes = 321;
  r.stats.memory_pages = 40;
  r.stats.limits = "dom_depth";
  return r;
}

void expect_same_links(const std::vector<Link>& a, const std::vector<Link>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].url, b[i].url);
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ(a[i].nofollow, b[i].nofollow);
    EXPECT_EQ(a[i].ugc, b[i].ugc);
    EXPECT_EQ(a[i].sponsored, b[i].sponsored);
    EXPECT_EQ(a[i].hreflang, b[i].hreflang);
  }
}

void expect_same(const Record& a, const Record& b) {
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.byline, b.byline);
  EXPECT_EQ(a.published, b.published);
  EXPECT_EQ(a.site_name, b.site_name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.language, b.language);
  EXPECT_EQ(a.markdown, b.markdown);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.html, b.html);
  expect_same_links(a.links, b.links);
  expect_same_links(a.page_links, b.page_links);
  ASSERT_EQ(a.media.size(), b.media.size());
  for (size_t i = 0; i < a.media.size(); ++i) {
    EXPECT_EQ(a.media[i].url, b.media[i].url);
    EXPECT_EQ(a.media[i].kind, b.media[i].kind);
    EXPECT_EQ(a.media[i].alt, b.media[i].alt);
  }
  EXPECT_EQ(a.categories, b.categories);
  EXPECT_EQ(a.word_count, b.word_count);
  EXPECT_EQ(a.reading_time, b.reading_time);
  EXPECT_EQ(a.quality_score, b.quality_score);
  EXPECT_EQ(a.stats.time_ms, b.stats.time_ms);
  EXPECT_EQ(a.stats.input_bytes, b.stats.input_bytes);
  EXPECT_EQ(a.stats.nodes, b.stats.nodes);
  EXPECT_EQ(a.stats.memory_pages, b.stats.memory_pages);
  EXPECT_EQ(a.stats.limits, b.stats.limits);
}

std::string encoded(const Record& r) {
  std::string out;
  encode_record(r, &out);
  return out;
}

// The error message of decoding `bytes` as a result, "" when it decodes.
std::string result_error(const std::string& bytes) {
  auto decoded = decode_result(bytes);
  if (decoded.ok()) return "";
  EXPECT_EQ(decoded.error().code(), ErrorCode::kInternal);
  return decoded.error().message();
}

TEST(AbiRecord, RoundTripsEveryField) {
  Record r = full_record();
  auto decoded = decode_result(encoded(r));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_TRUE(decoded->ok);
  expect_same(r, decoded->record);
}

TEST(AbiRecord, RoundTripsEmptyRecord) {
  auto decoded = decode_result(encoded(Record{}));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_TRUE(decoded->ok);
  expect_same(Record{}, decoded->record);
}

TEST(AbiRecord, RoundTripsARealExtraction) {
  extract::Extractor extractor;
  extract::Options options;
  options.url = "https://news.example/a/b";
  const std::string html =
      "<html lang=fr><title>Le titre</title><body><nav><a href=/x>Accueil</a></nav><article>"
      "<h1>Le titre</h1><p>Un paragraphe assez long pour être retenu comme contenu principal, "
      "avec <a href='../c' rel='nofollow ugc'>un lien</a> et <img src=i.png alt='une image'>."
      "</p></article></body></html>";
  auto record = extractor.extract(html, options);
  ASSERT_TRUE(record.ok());
  ASSERT_FALSE(record->links.empty());
  EXPECT_TRUE(record->page_links.empty());  // not asked for
  auto decoded = decode_result(encoded(*record));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  expect_same(*record, decoded->record);

  // With page_links: the navigation link too, before the article's.
  options.page_links = true;
  record = extractor.extract(html, options);
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->page_links.size(), 2u);
  EXPECT_EQ(record->page_links[0].url, "https://news.example/x");
  EXPECT_EQ(record->page_links[1].url, "https://news.example/c");
  EXPECT_TRUE(record->page_links[1].nofollow);
  ASSERT_EQ(record->links.size(), 1u);
  decoded = decode_result(encoded(*record));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  expect_same(*record, decoded->record);
}

TEST(AbiRecord, DecodeThenEncodeIsIdentity) {
  // The encoding is canonical: whatever the decoder accepts re-encodes to the same bytes, so the
  // host never acts on bytes it did not fully check.
  std::string bytes = encoded(full_record());
  auto decoded = decode_result(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(encoded(decoded->record), bytes);
}

TEST(AbiRecord, EveryTruncationIsAnError) {
  std::string bytes = encoded(full_record());
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::string message = result_error(bytes.substr(0, len));
    EXPECT_TRUE(contains(message, "invalid guest output: ")) << len << ": " << message;
  }
}

TEST(AbiRecord, TrailingBytesAreAnError) {
  EXPECT_TRUE(contains(result_error(encoded(full_record()) + "x"), "1 trailing bytes"));
}

TEST(AbiRecord, SingleByteCorruptionNeverCrashesAndIsCanonicalWhenAccepted) {
  std::string bytes = encoded(full_record());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ (1 << bit));
      auto decoded = decode_result(corrupt);
      if (decoded.ok() && decoded->ok) {
        EXPECT_EQ(encoded(decoded->record), corrupt) << i;
      }
    }
  }
}

TEST(AbiRecord, RejectsBadTagAndVersion) {
  std::string bytes = encoded(Record{});
  std::string tag = bytes;
  tag[0] = 'X';
  EXPECT_TRUE(contains(result_error(tag), "result: bad tag at byte 0"));
  std::string version = bytes;
  version[3] = 1;  // a v1 guest's result: its record has no page_links
  EXPECT_TRUE(contains(result_error(version), "ABI version 1, expected 2"));
}

TEST(AbiRecord, RejectsInvalidUtf8WithFieldAndOffset) {
  Record r;
  r.title = "ok";
  std::string bytes = encoded(r);
  // tag(4) status(1) url(4 + 0) title length(4): the title's bytes start at offset 13.
  ASSERT_EQ(bytes.substr(13, 2), "ok");
  bytes[14] = static_cast<char>(0xC3);  // a lead byte with no continuation
  EXPECT_EQ(result_error(bytes), "invalid guest output: title: invalid UTF-8 at byte 14");
}

TEST(AbiRecord, RejectsForgedCounts) {
  Record r;
  std::string bytes = encoded(r);
  // tag(4) status(1) ten empty strings (40): the link count is at offset 45.
  size_t links_at = 45;
  std::string huge = bytes;
  huge[links_at + 3] = 0x7F;  // 2^30-ish links
  EXPECT_TRUE(contains(result_error(huge), "links: count"));
  EXPECT_TRUE(contains(result_error(huge), "exceeds cap"));
  std::string plausible = bytes;
  plausible[links_at] = 100;  // under the cap, but 100 links cannot fit in what remains
  EXPECT_TRUE(contains(result_error(plausible), "exceeds the remaining bytes"));
}

TEST(AbiRecord, RejectsOutOfRangeValues) {
  Record r = full_record();
  r.quality_score = 101;
  EXPECT_TRUE(contains(result_error(encoded(r)), "quality_score: above 100"));
  r = full_record();
  r.stats.time_ms = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(contains(result_error(encoded(r)), "stats.time_ms"));
  r.stats.time_ms = -1;
  EXPECT_TRUE(contains(result_error(encoded(r)), "stats.time_ms"));
  r = full_record();
  r.media[0].kind = static_cast<MediaKind>(7);
  EXPECT_TRUE(contains(result_error(encoded(r)), "media[].kind: unknown kind 7"));
}

TEST(AbiRecord, RejectsUnknownLinkFlags) {
  Record r;
  r.links = {Link{"u", "t", false, false, false, ""}};
  std::string bytes = encoded(r);
  // After the count (4 bytes at 45): url "u" (5), text "t" (5), then the flag byte.
  size_t flags_at = 45 + 4 + 5 + 5;
  ASSERT_EQ(bytes[flags_at], 0);
  bytes[flags_at] = 0x08;
  EXPECT_TRUE(contains(result_error(bytes), "links[].flags: unknown flag bits"));
}

TEST(AbiError, EveryExtractorErrorCodeRoundTrips) {
  for (ErrorCode code :
       {ErrorCode::kInvalidInput, ErrorCode::kParseError, ErrorCode::kResourceLimit,
        ErrorCode::kUnsupported, ErrorCode::kInternal, ErrorCode::kInvalidArgument}) {
    std::string bytes;
    encode_error(Error(code, "what went wrong"), &bytes);
    auto decoded = decode_result(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_FALSE(decoded->ok);
    EXPECT_EQ(decoded->guest_error.code(), code);
    EXPECT_EQ(decoded->guest_error.message(), "what went wrong");
  }
}

TEST(AbiError, CodesWithoutAWireCodeBecomeInternal) {
  for (ErrorCode code : {ErrorCode::kTimeout, ErrorCode::kNotFound, ErrorCode::kIo}) {
    EXPECT_EQ(to_wire(code), WireError::kInternal);
  }
  EXPECT_EQ(wire_error_name(WireError::kInvalidHtml), "invalid_html");
  EXPECT_EQ(wire_error_name(WireError::kUnsupportedMode), "unsupported_mode");
}

TEST(AbiError, UnknownStatusIsRejected) {
  std::string bytes;
  encode_error(Error(ErrorCode::kInternal, "x"), &bytes);
  bytes[4] = 42;
  EXPECT_TRUE(contains(result_error(bytes), "unknown error code 42"));
}

TEST(AbiError, LongMessagesAreCutOnACodePointBoundary) {
  std::string message;
  while (message.size() <= limits::kMaxGuestMessageBytes) message += "é";  // 2 bytes each
  message = "x" + message;  // so the cap falls inside a two-byte sequence
  std::string bytes;
  encode_error(Error(ErrorCode::kParseError, message), &bytes);
  auto decoded = decode_result(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  const std::string& got = decoded->guest_error.message();
  EXPECT_LE(got.size(), limits::kMaxGuestMessageBytes);
  EXPECT_GE(got.size(), limits::kMaxGuestMessageBytes - 1);
  EXPECT_TRUE(utf8::is_valid(got));
}

TEST(AbiRequest, RoundTripsOptionsAndHtml) {
  extract::Options options;
  options.mode = Mode::kCustom;
  options.url = "https://example.org/ü";
  options.selectors = {"article p", "h1, h2"};
  options.include_html = false;
  options.page_links = true;
  options.max_input_bytes = 12345;
  std::string html = "<p>hello\xff</p>";  // invalid UTF-8 in the page is the parser's business
  std::string bytes = encode_request(html, options);
  EXPECT_EQ(bytes, encode_request_head(options, html.size()) + html);
  auto req = decode_request(bytes);
  ASSERT_TRUE(req.ok()) << req.error().to_string();
  EXPECT_EQ(req->html, html);
  EXPECT_EQ(req->options.mode, Mode::kCustom);
  EXPECT_EQ(req->options.url, options.url);
  EXPECT_EQ(req->options.selectors, options.selectors);
  EXPECT_FALSE(req->options.include_html);
  EXPECT_TRUE(req->options.page_links);
  EXPECT_EQ(req->options.max_input_bytes, 12345u);
}

TEST(AbiRequest, UnknownModeIsUnsupported) {
  extract::Options options;
  options.mode = static_cast<Mode>(9);
  auto req = decode_request(encode_request("<p>x</p>", options));
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(req.error().message(), "unsupported mode 9");
}

TEST(AbiRequest, MalformedRequestsAreInvalidArguments) {
  extract::Options options;
  options.url = "https://example.org/";
  std::string bytes = encode_request("<p>x</p>", options);
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto req = decode_request(bytes.substr(0, len));
    ASSERT_FALSE(req.ok()) << len;
    EXPECT_EQ(req.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(contains(req.error().message(), "invalid request: ")) << req.error().message();
  }
  std::string flags = bytes;
  flags[5] = static_cast<char>(0x80);
  EXPECT_TRUE(contains(decode_request(flags).error().message(), "flags: unknown flag bits"));
  std::string url = bytes;
  url[4 + 1 + 1 + 8 + 4] = static_cast<char>(0xFF);  // first byte of the URL
  EXPECT_TRUE(contains(decode_request(url).error().message(), "url: invalid UTF-8"));
}

TEST(AbiRequest, SelectorCountIsCapped) {
  extract::Options options;
  options.mode = Mode::kCustom;
  options.selectors.assign(limits::kMaxRequestSelectors + 1, "p");
  auto req = decode_request(encode_request("", options));
  ASSERT_FALSE(req.ok());
  EXPECT_TRUE(contains(req.error().message(), "selectors: count 257 exceeds cap 256"));
}

TEST(AbiRequest, InputLimitAboveTheParserLimitIsClamped) {
  extract::Options options;
  options.max_input_bytes = SIZE_MAX;
  auto req = decode_request(encode_request("", options));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->options.max_input_bytes, limits::kMaxHtmlBytes);
}

TEST(AbiInfo, RoundTrips) {
  GuestInfo info;
  info.version = "0.1.0";
  info.build = "Clang 14 wasm32-wasi Release";
  info.modes = all_modes();
  std::string bytes;
  encode_info(info, &bytes);
  auto decoded = decode_info(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->abi_version, kAbiVersion);
  EXPECT_EQ(decoded->version, info.version);
  EXPECT_EQ(decoded->build, info.build);
  EXPECT_EQ(decoded->modes, info.modes);
  for (size_t len = 0; len < bytes.size(); ++len)
    EXPECT_FALSE(decode_info(bytes.substr(0, len)).ok());
  bytes.back() = 4;  // not a mode
  EXPECT_TRUE(contains(decode_info(bytes).error().message(), "modes[]: unknown mode"));
}

TEST(AbiModes, MaskRoundTripsAndRejectsUnknownBits) {
  auto modes = modes_from_mask(modes_mask(all_modes()));
  ASSERT_TRUE(modes.ok());
  EXPECT_EQ(*modes, all_modes());
  EXPECT_EQ(modes_mask({Mode::kFull, Mode::kCustom}), 0b1010u);
  auto partial = modes_from_mask(0b0101);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(*partial, (std::vector<Mode>{Mode::kArticle, Mode::kMetadata}));
  EXPECT_FALSE(modes_from_mask(1u << 4).ok());
}

}  // namespace
}  // namespace riptide::guest
