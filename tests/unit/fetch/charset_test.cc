#include "fetch/charset.h"

#include <iconv.h>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/utf8.h"

namespace riptide::fetch {
namespace {

using namespace std::string_view_literals;

std::string decode(std::string_view bytes, Encoding encoding) {
  Result<std::string> r = to_utf8(bytes, encoding);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? r.value() : std::string();
}

// An independent encoder for round trips: glibc iconv from UTF-8 to `iconv_name`.
std::string encode_with_iconv(std::string_view utf8_text, const char* iconv_name) {
  iconv_t cd = iconv_open(iconv_name, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1)) << iconv_name;
  std::string out(utf8_text.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8_text.data());
  size_t in_left = utf8_text.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &out_ptr, &out_left), static_cast<size_t>(-1));
  EXPECT_NE(iconv(cd, nullptr, nullptr, &out_ptr, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(static_cast<size_t>(out_ptr - out.data()));
  return out;
}

DetectedEncoding detect(std::string_view bytes, std::string_view content_type = {}) {
  return detect_encoding(bytes, content_type);
}

// --- labels -----------------------------------------------------------------------------------

TEST(EncodingLabelTest, ResolvesAliasesCaseInsensitivelyWithWhitespace) {
  struct Case {
    std::string_view label;
    Encoding expected;
  };
  const Case cases[] = {
      {"latin1", Encoding::kWindows1252},
      {"ISO-8859-1", Encoding::kWindows1252},
      {"ascii", Encoding::kWindows1252},
      {"US-ASCII", Encoding::kWindows1252},
      {"sjis", Encoding::kShiftJis},
      {"Windows-31J", Encoding::kShiftJis},
      {"gb2312", Encoding::kGbk},
      {"GB_2312-80", Encoding::kGbk},
      {"gb18030", Encoding::kGb18030},
      {"big5-hkscs", Encoding::kBig5},
      {"ks_c_5601-1987", Encoding::kEucKr},
      {"x-euc-jp", Encoding::kEucJp},
      {" utf8\t", Encoding::kUtf8},
      {"unicode-1-1-utf-8", Encoding::kUtf8},
      {"utf-16", Encoding::kUtf16Le},
      {"UTF-16BE", Encoding::kUtf16Be},
      {"iso-8859-9", Encoding::kWindows1254},
      {"tis-620", Encoding::kWindows874},
      {"iso-8859-11", Encoding::kWindows874},
      {"koi8-ru", Encoding::kKoi8U},
      {"x-mac-ukrainian", Encoding::kXMacCyrillic},
      {"logical", Encoding::kIso8859_8I},
      {"iso-2022-kr", Encoding::kReplacement},
      {"hz-gb-2312", Encoding::kReplacement},
      {"csisolatincyrillic", Encoding::kIso8859_5},
  };
  for (const Case& c : cases) {
    std::optional<Encoding> got = encoding_from_label(c.label);
    ASSERT_TRUE(got.has_value()) << c.label;
    EXPECT_EQ(*got, c.expected) << c.label;
  }
}

TEST(EncodingLabelTest, RejectsUnknownLabels) {
  for (std::string_view label :
       {""sv, "utf-7"sv, "utf8 x"sv, "latin-1"sv, "replacement"sv, "utf-32"sv, "iso-8859-0"sv,
        "a-very-long-label-that-names-nothing"sv}) {
    EXPECT_FALSE(encoding_from_label(label).has_value()) << label;
  }
}

TEST(EncodingLabelTest, EveryEncodingsNameIsOneOfItsLabels) {
  // The Encoding Standard lists each encoding's name among its labels (except "replacement").
  for (int i = 0; i <= static_cast<int>(Encoding::kXUserDefined); ++i) {
    Encoding e = static_cast<Encoding>(i);
    if (e == Encoding::kReplacement) continue;
    std::optional<Encoding> back = encoding_from_label(encoding_name(e));
    ASSERT_TRUE(back.has_value()) << encoding_name(e);
    EXPECT_EQ(*back, e) << encoding_name(e);
  }
}

// --- detection --------------------------------------------------------------------------------

TEST(DetectEncodingTest, ByteOrderMarksWinOverEverything) {
  const std::string_view meta = "<meta charset=iso-8859-2>";
  auto d = detect("\xEF\xBB\xBF" + std::string(meta), "text/html; charset=shift_jis");
  EXPECT_EQ(d.encoding, Encoding::kUtf8);
  EXPECT_EQ(d.source, EncodingSource::kBom);
  d = detect("\xFE\xFF\x00<"sv, "text/html; charset=utf-8");
  EXPECT_EQ(d.encoding, Encoding::kUtf16Be);
  EXPECT_EQ(d.source, EncodingSource::kBom);
  d = detect("\xFF\xFE<\x00"sv);
  EXPECT_EQ(d.encoding, Encoding::kUtf16Le);
  EXPECT_EQ(d.source, EncodingSource::kBom);
}

TEST(DetectEncodingTest, HttpCharsetBeatsMeta) {
  auto d = detect("<meta charset=iso-8859-2>", "text/html; charset=Shift_JIS");
  EXPECT_EQ(d.encoding, Encoding::kShiftJis);
  EXPECT_EQ(d.source, EncodingSource::kHttp);
  // An unknown charset in the header is ignored, and the meta decides.
  d = detect("<meta charset=iso-8859-2>", "text/html; charset=bogus");
  EXPECT_EQ(d.encoding, Encoding::kIso8859_2);
  EXPECT_EQ(d.source, EncodingSource::kMeta);
  // No charset parameter at all.
  d = detect("<meta charset=iso-8859-2>", "text/html");
  EXPECT_EQ(d.source, EncodingSource::kMeta);
}

TEST(DetectEncodingTest, ContentTypeParameterSyntax) {
  EXPECT_EQ(encoding_from_content_type("text/html;charset=utf-8"), Encoding::kUtf8);
  EXPECT_EQ(encoding_from_content_type("text/html; CHARSET=\"windows-1251\""),
            Encoding::kWindows1251);
  EXPECT_EQ(encoding_from_content_type("text/html; foo=\"a;b\"; charset=koi8-r"), Encoding::kKoi8R);
  EXPECT_EQ(encoding_from_content_type("text/html; charset=gbk ; q=1"), Encoding::kGbk);
  // The first charset parameter counts.
  EXPECT_EQ(encoding_from_content_type("text/html; charset=euc-kr; charset=utf-8"),
            Encoding::kEucKr);
  EXPECT_FALSE(encoding_from_content_type("text/html").has_value());
  EXPECT_FALSE(encoding_from_content_type("").has_value());
  EXPECT_FALSE(encoding_from_content_type("text/html; charset").has_value());
}

TEST(DetectEncodingTest, FallbackIsWindows1252) {
  auto d = detect("<html><body>plain ascii</body></html>");
  EXPECT_EQ(d.encoding, Encoding::kWindows1252);
  EXPECT_EQ(d.source, EncodingSource::kFallback);
  // Latin-1 text that is not valid UTF-8 stays windows-1252.
  d = detect("<p>caf\xE9</p>");
  EXPECT_EQ(d.encoding, Encoding::kWindows1252);
  EXPECT_EQ(d.source, EncodingSource::kFallback);
}

TEST(DetectEncodingTest, UndeclaredValidUtf8IsDetected) {
  auto d = detect("<p>caf\xC3\xA9 \xE2\x82\xAC</p>");
  EXPECT_EQ(d.encoding, Encoding::kUtf8);
  EXPECT_EQ(d.source, EncodingSource::kContent);
  DetectOptions off;
  off.detect_utf8 = false;
  EXPECT_EQ(detect_encoding("<p>caf\xC3\xA9</p>", {}, off).encoding, Encoding::kWindows1252);
}

// --- prescan ----------------------------------------------------------------------------------

std::optional<Encoding> prescan(std::string_view s) {
  return prescan_encoding(s);
}

TEST(PrescanTest, AttributeQuoting) {
  EXPECT_EQ(prescan("<meta charset=\"iso-8859-2\">"), Encoding::kIso8859_2);
  EXPECT_EQ(prescan("<meta charset='iso-8859-2'>"), Encoding::kIso8859_2);
  EXPECT_EQ(prescan("<meta charset=iso-8859-2>"), Encoding::kIso8859_2);
  EXPECT_EQ(prescan("<META CHARSET=ISO-8859-2>"), Encoding::kIso8859_2);
  EXPECT_EQ(prescan("<meta\ncharset = \"koi8-r\" >"), Encoding::kKoi8R);
  EXPECT_EQ(prescan("<meta/charset=koi8-r>"), Encoding::kKoi8R);
  // "<metacharset" is not a meta element.
  EXPECT_FALSE(prescan("<metacharset=koi8-r>").has_value());
}

TEST(PrescanTest, HttpEquivContentType) {
  EXPECT_EQ(prescan("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=euc-jp\">"),
            Encoding::kEucJp);
  EXPECT_EQ(prescan("<meta content=\"text/html; charset=euc-jp\" http-equiv=content-type>"),
            Encoding::kEucJp);
  // content without http-equiv=content-type declares nothing ("need pragma").
  EXPECT_FALSE(prescan("<meta content=\"text/html; charset=euc-jp\">").has_value());
  // http-equiv without content declares nothing either.
  EXPECT_FALSE(prescan("<meta http-equiv=\"Content-Type\">").has_value());
  // A later meta still counts.
  EXPECT_EQ(prescan("<meta http-equiv=\"Content-Type\"><meta charset=big5>"), Encoding::kBig5);
  // charset wins over content on the same element, whatever the order.
  EXPECT_EQ(prescan("<meta content=\"text/html; charset=euc-jp\" http-equiv=content-type "
                    "charset=big5>"),
            Encoding::kBig5);
}

TEST(PrescanTest, MetaInsideCommentsAndOtherMarkupIsIgnored) {
  EXPECT_FALSE(prescan("<!-- <meta charset=koi8-r> -->").has_value());
  EXPECT_EQ(prescan("<!-- <meta charset=koi8-r> --><meta charset=big5>"), Encoding::kBig5);
  // "<!-->" is a complete comment.
  EXPECT_EQ(prescan("<!--><meta charset=big5>"), Encoding::kBig5);
  // A meta inside an attribute value of another tag is not a tag.
  EXPECT_FALSE(prescan("<div title=\"<meta charset=koi8-r>\">").has_value());
  // Processing instructions and end tags are skipped to their '>'.
  EXPECT_EQ(prescan("<?php echo 1 ?><!DOCTYPE html></x y=z><meta charset=gbk>"), Encoding::kGbk);
  // An unterminated comment hides everything after it.
  EXPECT_FALSE(prescan("<!-- <meta charset=koi8-r>").has_value());
}

TEST(PrescanTest, Utf16AndUserDefinedInMetaAreRemapped) {
  EXPECT_EQ(prescan("<meta charset=utf-16le>"), Encoding::kUtf8);
  EXPECT_EQ(prescan("<meta charset=utf-16be>"), Encoding::kUtf8);
  EXPECT_EQ(prescan("<meta charset=x-user-defined>"), Encoding::kWindows1252);
}

TEST(PrescanTest, UnknownLabelsAndDuplicates) {
  // A charset naming no encoding is "failure": that meta declares nothing, a later one may.
  EXPECT_FALSE(prescan("<meta charset=bogus>").has_value());
  EXPECT_EQ(prescan("<meta charset=bogus><meta charset=koi8-r>"), Encoding::kKoi8R);
  // The first of two same-named attributes counts.
  EXPECT_EQ(prescan("<meta charset=koi8-r charset=big5>"), Encoding::kKoi8R);
}

TEST(PrescanTest, ManyAttributesStayLinear) {
  // A hostile <meta> with 20k attributes (~130 KB): the prescan must stay linear and still honour
  // the first charset attribute after them.
  std::string meta = "<meta";
  for (int i = 0; i < 20000; ++i) meta += " a" + std::to_string(i);
  meta += " charset=koi8-r charset=big5>";
  EXPECT_EQ(prescan(meta), Encoding::kKoi8R);
  std::string late = "<!--" + std::string(2000, '-') + "-->" + meta;
  EXPECT_EQ(detect(late).encoding, Encoding::kKoi8R);
}

TEST(PrescanTest, TruncatedInputDeclaresNothing) {
  EXPECT_FALSE(prescan("<meta charset=euc-jp").has_value());
  EXPECT_FALSE(prescan("<meta charset=\"euc-jp").has_value());
  EXPECT_FALSE(prescan("<meta").has_value());
  EXPECT_FALSE(prescan("<").has_value());
}

TEST(PrescanTest, XmlDeclarations) {
  EXPECT_EQ(prescan("<?xml version=\"1.0\" encoding=\"windows-1251\"?><html>"),
            Encoding::kWindows1251);
  // A meta wins over the XML declaration.
  EXPECT_EQ(prescan("<?xml version=\"1.0\" encoding=\"windows-1251\"?><meta charset=koi8-r>"),
            Encoding::kKoi8R);
  // Only at the very start.
  EXPECT_FALSE(prescan(" <?xml version=\"1.0\" encoding=\"windows-1251\"?>").has_value());
  // "<?x" in UTF-16 without a BOM.
  EXPECT_EQ(prescan("<\0?\0x\0m\0l\0"sv), Encoding::kUtf16Le);
  EXPECT_EQ(prescan("\0<\0?\0x\0m\0l"sv), Encoding::kUtf16Be);
}

TEST(PrescanTest, OnlyTheFirst1024BytesAreScanned) {
  DetectOptions prescan_only;
  prescan_only.late_meta_bytes = 0;
  std::string early = "<html><head>" + std::string(900, ' ') + "<meta charset=koi8-r>";
  EXPECT_EQ(detect_encoding(early, {}, prescan_only).encoding, Encoding::kKoi8R);
  std::string late = "<html><head>" + std::string(1100, ' ') + "<meta charset=koi8-r>";
  auto d = detect_encoding(late, {}, prescan_only);
  EXPECT_EQ(d.encoding, Encoding::kWindows1252);
  EXPECT_EQ(d.source, EncodingSource::kFallback);
}

TEST(DetectEncodingTest, LateMetaChangesTheEncodingAsATreeBuilderWould) {
  const std::string pad = "<html><head><!--" + std::string(2000, 'x') + "-->";
  auto d = detect(pad + "<meta charset=koi8-r>");
  EXPECT_EQ(d.encoding, Encoding::kKoi8R);
  EXPECT_EQ(d.source, EncodingSource::kLateMeta);
  // A <meta> in script or style text is not an element.
  d = detect(pad + "<script>document.write('<meta charset=koi8-r>')</script>");
  EXPECT_EQ(d.source, EncodingSource::kFallback);
  d = detect(pad + "<STYLE>/* <meta charset=koi8-r> */</Style><meta charset=big5>");
  EXPECT_EQ(d.encoding, Encoding::kBig5);
  // The prescanned bytes still come first.
  d = detect("<meta charset=gbk>" + pad + "<meta charset=koi8-r>");
  EXPECT_EQ(d.encoding, Encoding::kGbk);
  EXPECT_EQ(d.source, EncodingSource::kMeta);
}

TEST(MetaContentTest, ExtractsCharsetFromContentValue) {
  EXPECT_EQ(encoding_from_meta_content("text/html; charset=utf-8"), Encoding::kUtf8);
  EXPECT_EQ(encoding_from_meta_content("text/html;charset = 'koi8-r'"), Encoding::kKoi8R);
  EXPECT_EQ(encoding_from_meta_content("charset=\"big5\"; x"), Encoding::kBig5);
  EXPECT_EQ(encoding_from_meta_content("CHARSET=gbk;foo"), Encoding::kGbk);
  // "charset" not followed by '=' is skipped, and the search continues.
  EXPECT_EQ(encoding_from_meta_content("charsetcharset=euc-kr"), Encoding::kEucKr);
  EXPECT_FALSE(encoding_from_meta_content("text/html; charset='utf-8").has_value());
  EXPECT_FALSE(encoding_from_meta_content("text/html").has_value());
  EXPECT_FALSE(encoding_from_meta_content("text/html; charset=").has_value());
}

// --- conversion -------------------------------------------------------------------------------

TEST(ToUtf8Test, KnownBytesInLegacyEncodings) {
  EXPECT_EQ(decode("\x80 \x93quoted\x94 caf\xE9", Encoding::kWindows1252),
            "\xE2\x82\xAC \xE2\x80\x9Cquoted\xE2\x80\x9D caf\xC3\xA9");
  EXPECT_EQ(decode("\xA3\xF3\x64\xBC", Encoding::kIso8859_2), "Łódź");
  EXPECT_EQ(decode("\xCF\xF0\xE8\xE2\xE5\xF2", Encoding::kWindows1251), "Привет");
  EXPECT_EQ(decode("\xF0\xD2\xC9\xD7\xC5\xD4", Encoding::kKoi8R), "Привет");
  EXPECT_EQ(decode("\x93\xFA\x96\x7B\x8C\xEA", Encoding::kShiftJis), "日本語");
  EXPECT_EQ(decode("\xC6\xFC\xCB\xDC\xB8\xEC", Encoding::kEucJp), "日本語");
  EXPECT_EQ(decode("\x1B$BF|K\\8l\x1B(B", Encoding::kIso2022Jp), "日本語");
  // EUC-JP: NEC row 13 and NEC-selected IBM extensions are in index-jis0208; the wave dash and
  // minus sign are U+301C and U+2212 there.
  EXPECT_EQ(decode("\xAD\xA1\xAD\xEA\xA1\xC1\xA1\xDD\xF9\xA1", Encoding::kEucJp), "①㈱〜−纊");
  // ISO-2022-JP's katakana (ESC ( I) and Roman (ESC ( J) states.
  EXPECT_EQ(decode("\x1B(I1\x1B(J\\~\x1B(Bx", Encoding::kIso2022Jp), "ｱ¥‾x");
  EXPECT_EQ(decode("\xD6\xD0\xCE\xC4", Encoding::kGbk), "中文");
  EXPECT_EQ(decode("\xD6\xD0\xCE\xC4\xA2\xE3", Encoding::kGb18030), "中文€");
  EXPECT_EQ(decode("\xA4\xA4\xA4\xE5", Encoding::kBig5), "中文");
  EXPECT_EQ(decode("\xC7\xD1\xB1\xB9\xBE\xEE", Encoding::kEucKr), "한국어");
  EXPECT_EQ(decode("h\0\xE9\0=\xD8\0\xDE"sv, Encoding::kUtf16Le), "hé😀");
  EXPECT_EQ(decode("\0h\0\xE9\xD8=\xDE\0"sv, Encoding::kUtf16Be), "hé😀");
}

TEST(ToUtf8Test, Windows1252HolesAreC1Controls) {
  // index-windows-1252 maps 0x81 0x8D 0x8F 0x90 0x9D to U+0081.. (iconv's CP1252 rejects them).
  EXPECT_EQ(decode("\x81\x8D\x8F\x90\x9D", Encoding::kWindows1252),
            "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  // The same holds for the other windows-125x indexes.
  EXPECT_EQ(decode("\x81", Encoding::kWindows1250), "\xC2\x81");
  EXPECT_EQ(decode("\x81", Encoding::kWindows874), "\xC2\x81");
}

TEST(ToUtf8Test, SingleByteDecodersFollowTheWhatwgIndexes) {
  // index-x-mac-cyrillic: 0xFF is the euro sign.
  EXPECT_EQ(decode("\xFF\xA2", Encoding::kXMacCyrillic), "€Ґ");
  // index-windows-1255: a letter and a following point stay two code points (no composition).
  EXPECT_EQ(decode("\xE0\xC8", Encoding::kWindows1255), "\xD7\x90\xD6\xB8");
  // index-windows-1258: likewise for a base letter and a combining accent.
  EXPECT_EQ(decode("a\xCC", Encoding::kWindows1258), "a\xCC\x80");
  // index-koi8-u: Ukrainian letters.
  EXPECT_EQ(decode("\xA4\xB4\xAD\xBD", Encoding::kKoi8U), "єЄґҐ");
}

TEST(ToUtf8Test, RoundTripsThroughAnIndependentEncoder) {
  struct Case {
    Encoding encoding;
    const char* iconv_name;
    std::string_view text;
  };
  const Case cases[] = {
      {Encoding::kWindows1252, "CP1252", "Grüße aus Köln – „Straße“ … œuvre Ÿ €5 ©"},
      {Encoding::kIso8859_2, "ISO-8859-2", "Zażółć gęślą jaźń. Příliš žluťoučký kůň."},
      {Encoding::kShiftJis, "CP932", "日本語のテキスト、カタカナとﾊﾝｶｸ。①Ⅱ"},
      {Encoding::kEucJp, "EUC-JP", "吾輩は猫である。名前はまだ無い。"},
      {Encoding::kGbk, "GBK", "简体中文测试，全角标点。"},
      {Encoding::kGb18030, "GB18030", "简体中文 € 𠀀"},
      {Encoding::kBig5, "BIG5-HKSCS", "繁體中文測試，臺灣。"},
      {Encoding::kEucKr, "CP949", "한국어 텍스트입니다. 똠방각하"},
      {Encoding::kWindows1251, "CP1251", "Съешь же ещё этих мягких французских булок"},
      {Encoding::kWindows1253, "CP1253", "Ελληνικά κείμενα"},
      {Encoding::kIso8859_7, "ISO-8859-7", "Ελληνικά κείμενα"},
      {Encoding::kWindows1256, "CP1256", "النص العربي"},
      {Encoding::kWindows874, "CP874", "ภาษาไทย"},
      {Encoding::kUtf16Le, "UTF-16LE", "mixed ASCII, ünïcödé and 😀 astral"},
      {Encoding::kUtf16Be, "UTF-16BE", "mixed ASCII, ünïcödé and 😀 astral"},
  };
  for (const Case& c : cases) {
    std::string bytes = encode_with_iconv(c.text, c.iconv_name);
    ASSERT_FALSE(bytes.empty()) << c.iconv_name;
    EXPECT_EQ(decode(bytes, c.encoding), c.text) << encoding_name(c.encoding);
  }
}

TEST(ToUtf8Test, InvalidBytesBecomeReplacementCharacters) {
  const std::string kFffd = "\xEF\xBF\xBD";
  // UTF-8: maximal invalid subparts.
  EXPECT_EQ(decode("a\xFF"
                   "b\xE2\x82",
                   Encoding::kUtf8),
            "a" + kFffd + "b" + kFffd);
  // Shift_JIS: a lead byte followed by a byte that cannot trail gives U+FFFD, and the ASCII byte
  // is kept.
  EXPECT_EQ(decode("\x93 x", Encoding::kShiftJis), kFffd + " x");
  // An invalid pair whose second byte is not ASCII is one error.
  EXPECT_EQ(decode("\xC7\xFF"
                   "a",
                   Encoding::kEucKr),
            kFffd + "a");
  EXPECT_EQ(decode("\x81\xFD"
                   "a",
                   Encoding::kShiftJis),
            kFffd + "a");
  // EUC-JP truncated at the end.
  EXPECT_EQ(decode("ok\xC6", Encoding::kEucJp), "ok" + kFffd);
  // GBK: 0xFF is never valid; 0x80 is the euro sign.
  EXPECT_EQ(decode("\xFF"
                   "x\x80",
                   Encoding::kGbk),
            kFffd + "x€");
  // ISO-8859-3 has unassigned positions.
  EXPECT_EQ(decode("\xA5", Encoding::kIso8859_3), kFffd);
  // ISO-2022-JP: an unknown escape sequence is an error; the bytes after ESC are kept.
  EXPECT_EQ(decode("a\x1B(Zb", Encoding::kIso2022Jp), "a" + kFffd + "(Zb");
  // UTF-16: lone surrogates and an odd final byte.
  EXPECT_EQ(decode("\x00\xD8"
                   "a\x00"sv,
                   Encoding::kUtf16Le),
            kFffd + "a");
  EXPECT_EQ(decode("\x00\xDC"
                   "a"sv,
                   Encoding::kUtf16Le),
            kFffd + kFffd);
}

TEST(ToUtf8Test, ByteOrderMarkIsStrippedAndOverridesTheEncoding) {
  EXPECT_EQ(decode("\xEF\xBB\xBFhi", Encoding::kUtf8), "hi");
  EXPECT_EQ(decode("\xEF\xBB\xBF\xC3\xA9", Encoding::kWindows1252), "é");
  EXPECT_EQ(decode("\xFF\xFEh\0i\0"sv, Encoding::kWindows1252), "hi");
  EXPECT_EQ(decode("\xFE\xFF\0h\0i"sv, Encoding::kUtf16Le), "hi");
}

TEST(ToUtf8Test, SpecialEncodings) {
  EXPECT_EQ(decode("abc", Encoding::kReplacement), "\xEF\xBF\xBD");
  EXPECT_EQ(decode("", Encoding::kReplacement), "");
  EXPECT_EQ(decode("a\x80\xFF", Encoding::kXUserDefined), "a\xEF\x9E\x80\xEF\x9F\xBF");
}

TEST(ToUtf8Test, OutputIsValidUtf8ForArbitraryBytesInEveryEncoding) {
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 7919 + i / 256) & 0xFF));
  for (int i = 0; i <= static_cast<int>(Encoding::kXUserDefined); ++i) {
    Encoding e = static_cast<Encoding>(i);
    std::string out = decode(bytes, e);
    EXPECT_TRUE(utf8::is_valid(out)) << encoding_name(e);
    if (e != Encoding::kReplacement) {
      EXPECT_FALSE(out.empty()) << encoding_name(e);
    }
  }
}

TEST(DecodeHtmlTest, DetectsAndConverts) {
  std::string page = "<meta charset=shift_jis><p>\x93\xFA\x96\x7B</p>";
  Result<std::string> r = decode_html(page);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "<meta charset=shift_jis><p>日本</p>");
  r = decode_html("<p>caf\xE9</p>", "text/html; charset=iso-8859-1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "<p>café</p>");
}

}  // namespace
}  // namespace riptide::fetch
