#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/result.h"

// Character encodings of fetched documents: the HTML Standard's encoding sniffing (13.2.3) and
// conversion of every WHATWG Encoding Standard encoding to UTF-8, which is all the parser reads.
namespace riptide::fetch {

// The encodings of the Encoding Standard (section 4 "Encodings"), in its table order.
enum class Encoding : uint8_t {
  kUtf8,
  kIbm866,
  kIso8859_2,
  kIso8859_3,
  kIso8859_4,
  kIso8859_5,
  kIso8859_6,
  kIso8859_7,
  kIso8859_8,
  kIso8859_8I,
  kIso8859_10,
  kIso8859_13,
  kIso8859_14,
  kIso8859_15,
  kIso8859_16,
  kKoi8R,
  kKoi8U,
  kMacintosh,
  kWindows874,
  kWindows1250,
  kWindows1251,
  kWindows1252,
  kWindows1253,
  kWindows1254,
  kWindows1255,
  kWindows1256,
  kWindows1257,
  kWindows1258,
  kXMacCyrillic,
  kGbk,
  kGb18030,
  kBig5,
  kEucJp,
  kIso2022Jp,
  kShiftJis,
  kEucKr,
  kReplacement,
  kUtf16Be,
  kUtf16Le,
  kXUserDefined,
};

// The encoding's name as the Encoding Standard spells it ("windows-1252", "Shift_JIS", "UTF-8").
std::string_view encoding_name(Encoding encoding);

// "Get an encoding" (Encoding Standard 4.2): trims ASCII whitespace, matches the label ASCII
// case-insensitively against the full label table. nullopt is the standard's "failure".
std::optional<Encoding> encoding_from_label(std::string_view label);

// Where a detected encoding came from, in the order 13.2.3.2 consults the sources.
enum class EncodingSource : uint8_t {
  kBom,       // byte order mark (step 1, "BOM sniff")
  kHttp,      // charset parameter of the Content-Type header (step 3, transport layer)
  kMeta,      // <meta> or XML declaration found by the prescan (step 4)
  kLateMeta,  // a <meta> past the prescanned bytes (13.2.3.4 "change the encoding")
  kContent,   // no declaration, but the bytes are valid non-ASCII UTF-8 (step 7, autodetection)
  kFallback,  // nothing applied: windows-1252 (step 8)
};

std::string_view encoding_source_name(EncodingSource source);

struct DetectedEncoding {
  Encoding encoding = Encoding::kWindows1252;
  EncodingSource source = EncodingSource::kFallback;
};

struct DetectOptions {
  // Bytes handed to the prescan; the standard encourages 1024 (13.2.3.2 step 4).
  size_t prescan_bytes = 1024;
  // A browser that finds no declaration in the prescanned bytes still changes the encoding when
  // its tree builder meets a <meta charset> later (13.2.3.4), so detection looks for one in this
  // many bytes too, skipping comments and script/style/textarea/title text. 0 disables it.
  size_t late_meta_bytes = limits::kMaxLateMetaScanBytes;
  // Step 7 allows autodetection. When nothing declares an encoding and the whole document is
  // valid UTF-8 containing non-ASCII bytes, it is UTF-8 (a windows-1252 reading would be
  // mojibake, and real legacy-encoded text is almost never valid UTF-8 by accident).
  bool detect_utf8 = true;
};

// The HTML Standard's "determining the character encoding" (13.2.3.2) for a complete document:
// BOM, then the charset parameter of `http_content_type` (a Content-Type header value, may be
// empty), then the prescan, then a later <meta>, then UTF-8 autodetection (see DetectOptions),
// then windows-1252.
DetectedEncoding detect_encoding(std::string_view bytes, std::string_view http_content_type = {},
                                 const DetectOptions& options = {});

// "Prescan a byte stream to determine its encoding" (13.2.3.2) over all of `bytes` (callers pass
// the first 1024 bytes), including the UTF-16 XML declaration check and the "get an XML encoding"
// fallback. nullopt when the prescan finds nothing.
std::optional<Encoding> prescan_encoding(std::string_view bytes);

// HTML "the algorithm for extracting a character encoding from a meta element", given the value
// of a <meta content> attribute ("text/html; charset=utf-8").
std::optional<Encoding> encoding_from_meta_content(std::string_view content);

// The encoding named by the charset parameter of a Content-Type value
// ("text/html; charset=Shift_JIS"), nullopt when absent or not a known label.
std::optional<Encoding> encoding_from_content_type(std::string_view content_type);

// Decodes `bytes` in `encoding` to UTF-8 as the Encoding Standard's "decode" does: a leading
// BOM wins over `encoding` and is removed, and every invalid byte sequence becomes U+FFFD (never a
// failure). The only error is an encoding this system's iconv cannot convert (kUnsupported).
Result<std::string> to_utf8(std::string_view bytes, Encoding encoding);

// detect_encoding + to_utf8: the UTF-8 text of a fetched HTML document.
Result<std::string> decode_html(std::string_view bytes, std::string_view content_type = {});

}  // namespace riptide::fetch
