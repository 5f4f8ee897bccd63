#include "fetch/charset.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "core/strings.h"
#include "core/utf8.h"

namespace riptide::fetch {
namespace {

struct EncodingInfo {
  std::string_view name;  // Encoding Standard name
  const char* iconv;      // glibc iconv name; nullptr when decoded natively
  // How a byte iconv rejects is decoded: legacy single-byte indexes fill their 0x80-0x9F holes
  // with the C1 controls (index-windows-125x, index-windows-874).
  bool single_byte;
};

// Indexed by Encoding. The iconv choices are the closest glibc supersets of the WHATWG indexes:
// the "GBK" decoder is the gb18030 decoder (Encoding Standard 10.1.1), "EUC-KR" is really
// windows-949 (UHC), "Shift_JIS" is windows-31j (CP932) and "Big5" includes HKSCS. ISO-2022-JP
// needs glibc's -2 variant for the half-width katakana escape (ESC ( I), which its plain
// ISO-2022-JP converter passes through as raw bytes.
constexpr std::array<EncodingInfo, 40> kEncodings = {{
    {"UTF-8", nullptr, false},
    {"IBM866", "IBM866", true},
    {"ISO-8859-2", "ISO-8859-2", true},
    {"ISO-8859-3", "ISO-8859-3", true},
    {"ISO-8859-4", "ISO-8859-4", true},
    {"ISO-8859-5", "ISO-8859-5", true},
    {"ISO-8859-6", "ISO-8859-6", true},
    {"ISO-8859-7", "ISO-8859-7", true},
    {"ISO-8859-8", "ISO-8859-8", true},
    {"ISO-8859-8-I", "ISO-8859-8", true},
    {"ISO-8859-10", "ISO-8859-10", true},
    {"ISO-8859-13", "ISO-8859-13", true},
    {"ISO-8859-14", "ISO-8859-14", true},
    {"ISO-8859-15", "ISO-8859-15", true},
    {"ISO-8859-16", "ISO-8859-16", true},
    {"KOI8-R", "KOI8-R", true},
    {"KOI8-U", "KOI8-U", true},
    {"macintosh", "MACINTOSH", true},
    {"windows-874", "CP874", true},
    {"windows-1250", "CP1250", true},
    {"windows-1251", "CP1251", true},
    {"windows-1252", nullptr, true},
    {"windows-1253", "CP1253", true},
    {"windows-1254", "CP1254", true},
    {"windows-1255", "CP1255", true},
    {"windows-1256", "CP1256", true},
    {"windows-1257", "CP1257", true},
    {"windows-1258", "CP1258", true},
    {"x-mac-cyrillic", "MAC-CYRILLIC", true},
    {"GBK", "GB18030", false},
    {"gb18030", "GB18030", false},
    {"Big5", "BIG5-HKSCS", false},
    {"EUC-JP", "EUC-JP", false},
    {"ISO-2022-JP", "ISO-2022-JP-2", false},
    {"Shift_JIS", "CP932", false},
    {"EUC-KR", "CP949", false},
    {"replacement", nullptr, false},
    {"UTF-16BE", nullptr, false},
    {"UTF-16LE", nullptr, false},
    {"x-user-defined", nullptr, false},
}};

const EncodingInfo& info(Encoding encoding) {
  return kEncodings[static_cast<size_t>(encoding)];
}

struct Label {
  std::string_view label;
  Encoding encoding;
};

// Encoding Standard 4.2 "Names and labels": every label, lowercase (spec data).
constexpr Label kLabels[] = {
    // UTF-8
    {"unicode-1-1-utf-8", Encoding::kUtf8},
    {"unicode11utf8", Encoding::kUtf8},
    {"unicode20utf8", Encoding::kUtf8},
    {"utf-8", Encoding::kUtf8},
    {"utf8", Encoding::kUtf8},
    {"x-unicode20utf8", Encoding::kUtf8},
    // Legacy single-byte encodings
    {"866", Encoding::kIbm866},
    {"cp866", Encoding::kIbm866},
    {"csibm866", Encoding::kIbm866},
    {"ibm866", Encoding::kIbm866},
    {"csisolatin2", Encoding::kIso8859_2},
    {"iso-8859-2", Encoding::kIso8859_2},
    {"iso-ir-101", Encoding::kIso8859_2},
    {"iso8859-2", Encoding::kIso8859_2},
    {"iso88592", Encoding::kIso8859_2},
    {"iso_8859-2", Encoding::kIso8859_2},
    {"iso_8859-2:1987", Encoding::kIso8859_2},
    {"l2", Encoding::kIso8859_2},
    {"latin2", Encoding::kIso8859_2},
    {"csisolatin3", Encoding::kIso8859_3},
    {"iso-8859-3", Encoding::kIso8859_3},
    {"iso-ir-109", Encoding::kIso8859_3},
    {"iso8859-3", Encoding::kIso8859_3},
    {"iso88593", Encoding::kIso8859_3},
    {"iso_8859-3", Encoding::kIso8859_3},
    {"iso_8859-3:1988", Encoding::kIso8859_3},
    {"l3", Encoding::kIso8859_3},
    {"latin3", Encoding::kIso8859_3},
    {"csisolatin4", Encoding::kIso8859_4},
    {"iso-8859-4", Encoding::kIso8859_4},
    {"iso-ir-110", Encoding::kIso8859_4},
    {"iso8859-4", Encoding::kIso8859_4},
    {"iso88594", Encoding::kIso8859_4},
    {"iso_8859-4", Encoding::kIso8859_4},
    {"iso_8859-4:1988", Encoding::kIso8859_4},
    {"l4", Encoding::kIso8859_4},
    {"latin4", Encoding::kIso8859_4},
    {"csisolatincyrillic", Encoding::kIso8859_5},
    {"cyrillic", Encoding::kIso8859_5},
    {"iso-8859-5", Encoding::kIso8859_5},
    {"iso-ir-144", Encoding::kIso8859_5},
    {"iso8859-5", Encoding::kIso8859_5},
    {"iso88595", Encoding::kIso8859_5},
    {"iso_8859-5", Encoding::kIso8859_5},
    {"iso_8859-5:1988", Encoding::kIso8859_5},
    {"arabic", Encoding::kIso8859_6},
    {"asmo-708", Encoding::kIso8859_6},
    {"csiso88596e", Encoding::kIso8859_6},
    {"csiso88596i", Encoding::kIso8859_6},
    {"csisolatinarabic", Encoding::kIso8859_6},
    {"ecma-114", Encoding::kIso8859_6},
    {"iso-8859-6", Encoding::kIso8859_6},
    {"iso-8859-6-e", Encoding::kIso8859_6},
    {"iso-8859-6-i", Encoding::kIso8859_6},
    {"iso-ir-127", Encoding::kIso8859_6},
    {"iso8859-6", Encoding::kIso8859_6},
    {"iso88596", Encoding::kIso8859_6},
    {"iso_8859-6", Encoding::kIso8859_6},
    {"iso_8859-6:1987", Encoding::kIso8859_6},
    {"csisolatingreek", Encoding::kIso8859_7},
    {"ecma-118", Encoding::kIso8859_7},
    {"elot_928", Encoding::kIso8859_7},
    {"greek", Encoding::kIso8859_7},
    {"greek8", Encoding::kIso8859_7},
    {"iso-8859-7", Encoding::kIso8859_7},
    {"iso-ir-126", Encoding::kIso8859_7},
    {"iso8859-7", Encoding::kIso8859_7},
    {"iso88597", Encoding::kIso8859_7},
    {"iso_8859-7", Encoding::kIso8859_7},
    {"iso_8859-7:1987", Encoding::kIso8859_7},
    {"sun_eu_greek", Encoding::kIso8859_7},
    {"csiso88598e", Encoding::kIso8859_8},
    {"csisolatinhebrew", Encoding::kIso8859_8},
    {"hebrew", Encoding::kIso8859_8},
    {"iso-8859-8", Encoding::kIso8859_8},
    {"iso-8859-8-e", Encoding::kIso8859_8},
    {"iso-ir-138", Encoding::kIso8859_8},
    {"iso8859-8", Encoding::kIso8859_8},
    {"iso88598", Encoding::kIso8859_8},
    {"iso_8859-8", Encoding::kIso8859_8},
    {"iso_8859-8:1988", Encoding::kIso8859_8},
    {"visual", Encoding::kIso8859_8},
    {"csiso88598i", Encoding::kIso8859_8I},
    {"iso-8859-8-i", Encoding::kIso8859_8I},
    {"logical", Encoding::kIso8859_8I},
    {"csisolatin6", Encoding::kIso8859_10},
    {"iso-8859-10", Encoding::kIso8859_10},
    {"iso-ir-157", Encoding::kIso8859_10},
    {"iso8859-10", Encoding::kIso8859_10},
    {"iso885910", Encoding::kIso8859_10},
    {"l6", Encoding::kIso8859_10},
    {"latin6", Encoding::kIso8859_10},
    {"iso-8859-13", Encoding::kIso8859_13},
    {"iso8859-13", Encoding::kIso8859_13},
    {"iso885913", Encoding::kIso8859_13},
    {"iso-8859-14", Encoding::kIso8859_14},
    {"iso8859-14", Encoding::kIso8859_14},
    {"iso885914", Encoding::kIso8859_14},
    {"csisolatin9", Encoding::kIso8859_15},
    {"iso-8859-15", Encoding::kIso8859_15},
    {"iso8859-15", Encoding::kIso8859_15},
    {"iso885915", Encoding::kIso8859_15},
    {"iso_8859-15", Encoding::kIso8859_15},
    {"l9", Encoding::kIso8859_15},
    {"iso-8859-16", Encoding::kIso8859_16},
    {"cskoi8r", Encoding::kKoi8R},
    {"koi", Encoding::kKoi8R},
    {"koi8", Encoding::kKoi8R},
    {"koi8-r", Encoding::kKoi8R},
    {"koi8_r", Encoding::kKoi8R},
    {"koi8-ru", Encoding::kKoi8U},
    {"koi8-u", Encoding::kKoi8U},
    {"csmacintosh", Encoding::kMacintosh},
    {"mac", Encoding::kMacintosh},
    {"macintosh", Encoding::kMacintosh},
    {"x-mac-roman", Encoding::kMacintosh},
    {"dos-874", Encoding::kWindows874},
    {"iso-8859-11", Encoding::kWindows874},
    {"iso8859-11", Encoding::kWindows874},
    {"iso885911", Encoding::kWindows874},
    {"tis-620", Encoding::kWindows874},
    {"windows-874", Encoding::kWindows874},
    {"cp1250", Encoding::kWindows1250},
    {"windows-1250", Encoding::kWindows1250},
    {"x-cp1250", Encoding::kWindows1250},
    {"cp1251", Encoding::kWindows1251},
    {"windows-1251", Encoding::kWindows1251},
    {"x-cp1251", Encoding::kWindows1251},
    {"ansi_x3.4-1968", Encoding::kWindows1252},
    {"ascii", Encoding::kWindows1252},
    {"cp1252", Encoding::kWindows1252},
    {"cp819", Encoding::kWindows1252},
    {"csisolatin1", Encoding::kWindows1252},
    {"ibm819", Encoding::kWindows1252},
    {"iso-8859-1", Encoding::kWindows1252},
    {"iso-ir-100", Encoding::kWindows1252},
    {"iso8859-1", Encoding::kWindows1252},
    {"iso88591", Encoding::kWindows1252},
    {"iso_8859-1", Encoding::kWindows1252},
    {"iso_8859-1:1987", Encoding::kWindows1252},
    {"l1", Encoding::kWindows1252},
    {"latin1", Encoding::kWindows1252},
    {"us-ascii", Encoding::kWindows1252},
    {"windows-1252", Encoding::kWindows1252},
    {"x-cp1252", Encoding::kWindows1252},
    {"cp1253", Encoding::kWindows1253},
    {"windows-1253", Encoding::kWindows1253},
    {"x-cp1253", Encoding::kWindows1253},
    {"cp1254", Encoding::kWindows1254},
    {"csisolatin5", Encoding::kWindows1254},
    {"iso-8859-9", Encoding::kWindows1254},
    {"iso-ir-148", Encoding::kWindows1254},
    {"iso8859-9", Encoding::kWindows1254},
    {"iso88599", Encoding::kWindows1254},
    {"iso_8859-9", Encoding::kWindows1254},
    {"iso_8859-9:1989", Encoding::kWindows1254},
    {"l5", Encoding::kWindows1254},
    {"latin5", Encoding::kWindows1254},
    {"windows-1254", Encoding::kWindows1254},
    {"x-cp1254", Encoding::kWindows1254},
    {"cp1255", Encoding::kWindows1255},
    {"windows-1255", Encoding::kWindows1255},
    {"x-cp1255", Encoding::kWindows1255},
    {"cp1256", Encoding::kWindows1256},
    {"windows-1256", Encoding::kWindows1256},
    {"x-cp1256", Encoding::kWindows1256},
    {"cp1257", Encoding::kWindows1257},
    {"windows-1257", Encoding::kWindows1257},
    {"x-cp1257", Encoding::kWindows1257},
    {"cp1258", Encoding::kWindows1258},
    {"windows-1258", Encoding::kWindows1258},
    {"x-cp1258", Encoding::kWindows1258},
    {"x-mac-cyrillic", Encoding::kXMacCyrillic},
    {"x-mac-ukrainian", Encoding::kXMacCyrillic},
    // Legacy multi-byte Chinese (simplified)
    {"chinese", Encoding::kGbk},
    {"csgb2312", Encoding::kGbk},
    {"csiso58gb231280", Encoding::kGbk},
    {"gb2312", Encoding::kGbk},
    {"gb_2312", Encoding::kGbk},
    {"gb_2312-80", Encoding::kGbk},
    {"gbk", Encoding::kGbk},
    {"iso-ir-58", Encoding::kGbk},
    {"x-gbk", Encoding::kGbk},
    {"gb18030", Encoding::kGb18030},
    // Legacy multi-byte Chinese (traditional)
    {"big5", Encoding::kBig5},
    {"big5-hkscs", Encoding::kBig5},
    {"cn-big5", Encoding::kBig5},
    {"csbig5", Encoding::kBig5},
    {"x-x-big5", Encoding::kBig5},
    // Legacy multi-byte Japanese
    {"cseucpkdfmtjapanese", Encoding::kEucJp},
    {"euc-jp", Encoding::kEucJp},
    {"x-euc-jp", Encoding::kEucJp},
    {"csiso2022jp", Encoding::kIso2022Jp},
    {"iso-2022-jp", Encoding::kIso2022Jp},
    {"csshiftjis", Encoding::kShiftJis},
    {"ms932", Encoding::kShiftJis},
    {"ms_kanji", Encoding::kShiftJis},
    {"shift-jis", Encoding::kShiftJis},
    {"shift_jis", Encoding::kShiftJis},
    {"sjis", Encoding::kShiftJis},
    {"windows-31j", Encoding::kShiftJis},
    {"x-sjis", Encoding::kShiftJis},
    // Legacy multi-byte Korean
    {"cseuckr", Encoding::kEucKr},
    {"csksc56011987", Encoding::kEucKr},
    {"euc-kr", Encoding::kEucKr},
    {"iso-ir-149", Encoding::kEucKr},
    {"korean", Encoding::kEucKr},
    {"ks_c_5601-1987", Encoding::kEucKr},
    {"ks_c_5601-1989", Encoding::kEucKr},
    {"ksc5601", Encoding::kEucKr},
    {"ksc_5601", Encoding::kEucKr},
    {"windows-949", Encoding::kEucKr},
    // Legacy miscellaneous. The replacement encoding's labels name encodings that could smuggle
    // markup past ASCII-based filters; documents in them decode to a single U+FFFD.
    {"csiso2022kr", Encoding::kReplacement},
    {"hz-gb-2312", Encoding::kReplacement},
    {"iso-2022-cn", Encoding::kReplacement},
    {"iso-2022-cn-ext", Encoding::kReplacement},
    {"iso-2022-kr", Encoding::kReplacement},
    {"unicodefffe", Encoding::kUtf16Be},
    {"utf-16be", Encoding::kUtf16Be},
    {"csunicode", Encoding::kUtf16Le},
    {"iso-10646-ucs-2", Encoding::kUtf16Le},
    {"ucs-2", Encoding::kUtf16Le},
    {"unicode", Encoding::kUtf16Le},
    {"unicodefeff", Encoding::kUtf16Le},
    {"utf-16", Encoding::kUtf16Le},
    {"utf-16le", Encoding::kUtf16Le},
    {"x-user-defined", Encoding::kXUserDefined},
};

// The longest label ("csisolatincyrillic") bounds the lowercase buffer below.
constexpr size_t kMaxLabelBytes = 32;

bool is_utf16(Encoding e) {
  return e == Encoding::kUtf16Be || e == Encoding::kUtf16Le;
}

bool has_prefix(std::string_view s, size_t pos, std::string_view prefix) {
  return pos <= s.size() && s.size() - pos >= prefix.size() &&
         s.compare(pos, prefix.size(), prefix) == 0;
}

bool ihas_prefix(std::string_view s, size_t pos, std::string_view prefix) {
  return pos <= s.size() && str::istarts_with(s.substr(pos), prefix);
}

// ---------------------------------------------------------------------------------------------
// 13.2.3.2 "Prescan a byte stream to determine its encoding" and its "get an attribute".

// Running out of bytes anywhere ends the prescan (its end condition), so every step can report
// kEnd besides its own result.
enum class Step : uint8_t { kFound, kNone, kEnd };

class Prescanner {
 public:
  // `skip_raw_text` is off for the standard's prescan; the late scan in detect_encoding turns it
  // on to see only the <meta> elements a tree builder would see.
  Prescanner(std::string_view bytes, bool skip_raw_text)
      : s_(bytes), skip_raw_text_(skip_raw_text) {}

  std::optional<Encoding> run() {
    // "Prescan for UTF-16 XML declarations": these bytes can only be an XML declaration in
    // UTF-16 without a BOM.
    if (has_prefix(s_, 0, std::string_view("<\0?\0x\0", 6))) return Encoding::kUtf16Le;
    if (has_prefix(s_, 0, std::string_view("\0<\0?\0x", 6))) return Encoding::kUtf16Be;
    std::optional<Encoding> found;
    if (loop(found) == Step::kFound) return found;
    return xml_encoding();
  }

 private:
  // The "Loop" step; returns kFound with `found` set, or kEnd.
  Step loop(std::optional<Encoding>& found) {
    while (pos_ < s_.size()) {
      if (has_prefix(s_, pos_, "<!--")) {
        // Skip to the '>' ending a "-->"; the dashes may be those of "<!--" ("<!-->").
        size_t close = s_.find("-->", pos_ + 2);
        if (close == std::string_view::npos) return Step::kEnd;
        pos_ = close + 3;
        continue;
      }
      if (ihas_prefix(s_, pos_, "<meta") && pos_ + 5 < s_.size() &&
          (is_space(byte(pos_ + 5)) || byte(pos_ + 5) == '/')) {
        pos_ += 6;
        Step step = meta(found);
        if (step != Step::kNone) return step;
        ++pos_;  // "Next byte"
        continue;
      }
      if (byte(pos_) == '<' &&
          ((pos_ + 1 < s_.size() && str::is_alpha(s_[pos_ + 1])) ||
           (pos_ + 2 < s_.size() && s_[pos_ + 1] == '/' && str::is_alpha(s_[pos_ + 2])))) {
        // Any other start or end tag: skip its name, then its attributes.
        size_t name_start = pos_ + 1;
        while (pos_ < s_.size() && !is_space(byte(pos_)) && byte(pos_) != '>') ++pos_;
        std::string_view tag = s_.substr(name_start, pos_ - name_start);
        Step step;
        while ((step = attribute()) == Step::kFound) {
        }
        if (step == Step::kEnd) return step;
        ++pos_;
        if (skip_raw_text_ && is_raw_text(tag)) {
          // The tree builder never sees a <meta> inside these elements' text.
          size_t close = find_end_tag(tag);
          if (close == std::string_view::npos) return Step::kEnd;
          pos_ = close;
        }
        continue;
      }
      if (byte(pos_) == '<' && pos_ + 1 < s_.size() &&
          (s_[pos_ + 1] == '!' || s_[pos_ + 1] == '/' || s_[pos_ + 1] == '?')) {
        size_t close = s_.find('>', pos_ + 1);
        if (close == std::string_view::npos) return Step::kEnd;
        pos_ = close + 1;
        continue;
      }
      ++pos_;
    }
    return Step::kEnd;
  }

  // The "<meta" branch: reads the element's attributes, then its processing steps.
  Step meta(std::optional<Encoding>& found) {
    // The "attribute list" only matters for the three names acted on, so it is three flags (a
    // list of every name would make a hostile <meta> with many attributes quadratic).
    bool seen_http_equiv = false;
    bool seen_content = false;
    bool seen_charset = false;
    bool got_pragma = false;
    std::optional<bool> need_pragma;
    bool charset_set = false;  // charset is no longer null (it may be "failure": nullopt)
    std::optional<Encoding> charset;
    Step step;
    while ((step = attribute()) == Step::kFound) {
      if (name_ == "http-equiv" && !seen_http_equiv) {
        seen_http_equiv = true;
        if (value_ == "content-type") got_pragma = true;
      } else if (name_ == "content" && !seen_content) {
        seen_content = true;
        std::optional<Encoding> from_content = encoding_from_meta_content(value_);
        if (from_content && !charset_set) {
          charset_set = true;
          charset = from_content;
          need_pragma = true;
        }
      } else if (name_ == "charset" && !seen_charset) {
        seen_charset = true;
        charset_set = true;
        charset = encoding_from_label(value_);
        need_pragma = false;
      }
    }
    if (step == Step::kEnd) return step;
    // "Processing".
    if (!need_pragma.has_value()) return Step::kNone;
    if (*need_pragma && !got_pragma) return Step::kNone;
    if (!charset) return Step::kNone;
    // A <meta> that could be read as ASCII cannot be in UTF-16.
    if (is_utf16(*charset)) charset = Encoding::kUtf8;
    if (*charset == Encoding::kXUserDefined) charset = Encoding::kWindows1252;
    found = charset;
    return Step::kFound;
  }

  // "Get an attribute": kFound with name_/value_ set (lowercased), kNone at '>', or kEnd.
  Step attribute() {
    name_.clear();
    value_.clear();
    // Step 1: skip whitespace and '/'.
    while (pos_ < s_.size() && (is_space(byte(pos_)) || byte(pos_) == '/')) ++pos_;
    if (pos_ >= s_.size()) return Step::kEnd;
    // Step 2.
    if (byte(pos_) == '>') return Step::kNone;
    // Step 4: the attribute name.
    for (;; ++pos_) {
      if (pos_ >= s_.size()) return Step::kEnd;
      char c = s_[pos_];
      if (c == '=' && !name_.empty()) {
        ++pos_;
        return attribute_value();
      }
      if (is_space(static_cast<unsigned char>(c))) break;
      if (c == '/' || c == '>') return Step::kFound;
      name_.push_back(str::to_lower(c));
    }
    // Steps 6-8 ("Spaces"): whitespace, then '=' or the attribute has no value.
    while (pos_ < s_.size() && is_space(byte(pos_))) ++pos_;
    if (pos_ >= s_.size()) return Step::kEnd;
    if (byte(pos_) != '=') return Step::kFound;
    ++pos_;
    return attribute_value();
  }

  // Steps 9-12 of "get an attribute", from just after the '='.
  Step attribute_value() {
    while (pos_ < s_.size() && is_space(byte(pos_))) ++pos_;
    if (pos_ >= s_.size()) return Step::kEnd;
    char c = s_[pos_];
    if (c == '"' || c == '\'') {
      size_t close = s_.find(c, pos_ + 1);
      if (close == std::string_view::npos) return Step::kEnd;
      append_lower(value_, s_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return Step::kFound;
    }
    if (c == '>') return Step::kFound;
    for (;; ++pos_) {
      if (pos_ >= s_.size()) return Step::kEnd;
      unsigned char b = byte(pos_);
      if (is_space(b) || b == '>') return Step::kFound;
      value_.push_back(str::to_lower(static_cast<char>(b)));
    }
  }

  // "Get an XML encoding": the prescan found no <meta>, but an XML declaration at the very
  // start may name the encoding.
  std::optional<Encoding> xml_encoding() const {
    if (!has_prefix(s_, 0, "<?xml")) return std::nullopt;
    size_t end = s_.find('>');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view decl = s_.substr(0, end);
    size_t p = decl.find("encoding");
    if (p == std::string_view::npos) return std::nullopt;
    p += 8;
    auto skip_controls = [&] {
      while (p < decl.size() && static_cast<unsigned char>(decl[p]) <= 0x20) ++p;
    };
    skip_controls();
    if (p >= decl.size() || decl[p] != '=') return std::nullopt;
    ++p;
    skip_controls();
    if (p >= decl.size() || (decl[p] != '"' && decl[p] != '\'')) return std::nullopt;
    size_t close = decl.find(decl[p], p + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view label = decl.substr(p + 1, close - p - 1);
    for (char c : label) {
      if (static_cast<unsigned char>(c) <= 0x20) return std::nullopt;
    }
    std::optional<Encoding> encoding = encoding_from_label(label);
    if (encoding && is_utf16(*encoding)) encoding = Encoding::kUtf8;
    return encoding;
  }

  // Elements whose content is text to the tokenizer (13.2.5 RAWTEXT/RCDATA/script data states).
  static bool is_raw_text(std::string_view tag) {
    for (std::string_view name : {"script", "style", "textarea", "title", "xmp", "iframe",
                                  "noembed", "noframes", "noscript"}) {
      if (str::iequals(tag, name)) return true;
    }
    return false;
  }

  // The offset of the next "</tag" (ASCII case-insensitive) at or after pos_, or npos.
  size_t find_end_tag(std::string_view tag) const {
    for (size_t i = s_.find("</", pos_); i != std::string_view::npos; i = s_.find("</", i + 2)) {
      if (str::istarts_with(s_.substr(i + 2), tag)) return i;
    }
    return std::string_view::npos;
  }

  static bool is_space(unsigned char b) {
    return b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D || b == 0x20;
  }
  unsigned char byte(size_t i) const { return static_cast<unsigned char>(s_[i]); }
  static void append_lower(std::string& out, std::string_view s) {
    for (char c : s) out.push_back(str::to_lower(c));
  }

  std::string_view s_;
  bool skip_raw_text_;
  size_t pos_ = 0;
  std::string name_;
  std::string value_;
};

// ---------------------------------------------------------------------------------------------
// Decoders.

void append_replacement(std::string& out) {
  out.append("\xEF\xBF\xBD");
}

// index-windows-1252 for 0x80-0x9F (Encoding Standard index data); 0xA0-0xFF are Latin-1.
constexpr char16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

std::string decode_windows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char c : bytes) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else if (b < 0xA0) {
      utf8::append(out, kWindows1252High[b - 0x80]);
    } else {
      utf8::append(out, b);
    }
  }
  return out;
}

std::string decode_x_user_defined(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      utf8::append(out, 0xF780 + b - 0x80);
    }
  }
  return out;
}

// Encoding Standard 14.2.1 "shared UTF-16 decoder".
std::string decode_utf16(std::string_view bytes, bool big_endian) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  auto unit = [&](size_t i) -> char16_t {
    unsigned char a = static_cast<unsigned char>(bytes[i]);
    unsigned char b = static_cast<unsigned char>(bytes[i + 1]);
    return static_cast<char16_t>(big_endian ? (a << 8) | b : (b << 8) | a);
  };
  size_t i = 0;
  while (bytes.size() - i >= 2) {
    char16_t u = unit(i);
    i += 2;
    if (u < 0xD800 || u > 0xDFFF) {
      utf8::append(out, u);
    } else if (u >= 0xDC00) {
      append_replacement(out);  // a trail surrogate on its own
    } else if (bytes.size() - i >= 2 && unit(i) >= 0xDC00 && unit(i) <= 0xDFFF) {
      char32_t cp = 0x10000 + ((u - 0xD800) << 10) + (unit(i) - 0xDC00);
      utf8::append(out, cp);
      i += 2;
    } else {
      append_replacement(out);  // a lead surrogate not followed by a trail: the next unit is kept
    }
  }
  if (i < bytes.size()) append_replacement(out);  // an odd final byte
  return out;
}

// What a byte iconv rejects decodes to, where the WHATWG decoder accepts it.
char32_t rejected_byte(Encoding encoding, unsigned char b) {
  if (info(encoding).single_byte && b >= 0x80 && b < 0xA0) return b;  // C1 filler
  if (encoding == Encoding::kShiftJis && b == 0x80) return 0x80;
  if ((encoding == Encoding::kGbk || encoding == Encoding::kGb18030) && b == 0x80) return 0x20AC;
  return utf8::kReplacement;
}

// How many bytes one rejected sequence spans. The Encoding Standard's CJK decoders read a lead
// byte and the byte after it as one pair, and only give the second byte back when it is ASCII; so
// an invalid pair with a non-ASCII second byte is a single U+FFFD.
size_t rejected_length(Encoding encoding, const char* in, size_t in_left) {
  if (in_left < 2 || static_cast<unsigned char>(in[1]) < 0x80) return 1;
  unsigned char lead = static_cast<unsigned char>(in[0]);
  switch (encoding) {
    case Encoding::kShiftJis:
      return (lead >= 0x81 && lead <= 0x9F) || (lead >= 0xE0 && lead <= 0xFC) ? 2 : 1;
    case Encoding::kEucJp:
      return lead == 0x8E || lead == 0x8F || (lead >= 0xA1 && lead <= 0xFE) ? 2 : 1;
    case Encoding::kGbk:
    case Encoding::kGb18030:
    case Encoding::kBig5:
    case Encoding::kEucKr:
      return lead >= 0x81 && lead <= 0xFE ? 2 : 1;
    default:
      return 1;
  }
}

class Iconv {
 public:
  // A null `from` leaves the converter closed (ok() is false).
  explicit Iconv(const char* from)
      : cd_(from != nullptr ? iconv_open("UTF-8", from) : reinterpret_cast<iconv_t>(-1)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// Characters the main converter rejects but the WHATWG index has. EUC-JP decodes through
// index-jis0208, which includes the NEC row 13 symbols (①, ㈱, ㍻ ...) and the NEC-selected IBM
// extensions (rows 89-92) that glibc's EUC-JP rejects. Its CP932 (Shift_JIS) converter has both,
// so a rejected two-byte sequence is re-encoded as the Shift_JIS bytes of the same JIS X 0208
// row and cell and decoded there.
class ExtensionDecoder {
 public:
  explicit ExtensionDecoder(Encoding encoding)
      : cd_(encoding == Encoding::kEucJp ? "CP932" : nullptr) {}

  // Tries one character at `in`; on success writes its UTF-8 (at most `room` bytes) at `out`,
  // advances `*used` and returns the bytes consumed, else returns 0.
  size_t convert(const char* in, size_t in_left, char* out, size_t room, size_t* used) {
    if (!cd_.ok() || in_left < 2) return 0;
    unsigned lead = static_cast<unsigned char>(in[0]);
    unsigned trail = static_cast<unsigned char>(in[1]);
    if (lead < 0xA1 || lead > 0xFE || trail < 0xA1 || trail > 0xFE) return 0;
    // JIS X 0208 row/cell (0x21-0x7E each) to Shift_JIS bytes.
    unsigned row = lead - 0x80;
    unsigned cell = trail - 0x80;
    char sjis[2];
    sjis[0] = static_cast<char>(((row + 1) >> 1) + (row <= 0x5E ? 0x70 : 0xB0));
    sjis[1] = static_cast<char>((row & 1) ? cell + (cell >= 0x60 ? 0x20 : 0x1F) : cell + 0x7E);
    iconv(cd_.get(), nullptr, nullptr, nullptr, nullptr);
    char* src = sjis;
    size_t src_left = 2;
    char* dst = out;
    size_t dst_left = room;
    if (iconv(cd_.get(), &src, &src_left, &dst, &dst_left) == static_cast<size_t>(-1) ||
        src_left != 0 || dst == out) {
      return 0;
    }
    *used += static_cast<size_t>(dst - out);
    return 2;
  }

 private:
  Iconv cd_;  // open when the encoding has an extension converter
};

Result<std::string> decode_iconv(std::string_view bytes, Encoding encoding) {
  Iconv cd(info(encoding).iconv);
  if (!cd.ok()) {
    return Error(ErrorCode::kUnsupported,
                 "iconv cannot decode " + std::string(encoding_name(encoding)));
  }
  ExtensionDecoder extension(encoding);
  std::string out;
  out.resize(bytes.size() + bytes.size() / 2 + 16);
  size_t used = 0;
  // iconv's interface takes a non-const input pointer but never writes through it.
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  auto ensure = [&](size_t need) {
    if (out.size() - used < need) out.resize(std::max(out.size() * 2, used + need));
  };
  // Each iteration converts the rest, grows the output, or consumes one rejected byte, so the
  // loop ends.
  while (in_left > 0) {
    char* out_ptr = out.data() + used;
    size_t out_left = out.size() - used;
    size_t rc = iconv(cd.get(), &in, &in_left, &out_ptr, &out_left);
    int err = errno;
    used = static_cast<size_t>(out_ptr - out.data());
    if (rc != static_cast<size_t>(-1)) break;
    if (err == E2BIG) {
      ensure(out.size() - used + 64);
    } else if (err == EILSEQ) {
      ensure(8);
      if (size_t taken = extension.convert(in, in_left, out.data() + used, 8, &used)) {
        in += taken;
        in_left -= taken;
        continue;
      }
      used +=
          utf8::encode(rejected_byte(encoding, static_cast<unsigned char>(*in)), out.data() + used);
      size_t skip = rejected_length(encoding, in, in_left);
      in += skip;
      in_left -= skip;
    } else if (err == EINVAL) {
      // A sequence cut off by the end of the input is one error (the Encoding Standard's
      // decoders emit one U+FFFD at end-of-queue with a pending lead byte).
      ensure(4);
      used += utf8::encode(utf8::kReplacement, out.data() + used);
      in_left = 0;
    } else {
      return Error(ErrorCode::kInternal, std::string("iconv failed: ") + std::strerror(err));
    }
  }
  // Return a stateful decoder (ISO-2022-JP) to its initial state, which may emit output.
  while (true) {
    char* out_ptr = out.data() + used;
    size_t out_left = out.size() - used;
    size_t rc = iconv(cd.get(), nullptr, nullptr, &out_ptr, &out_left);
    used = static_cast<size_t>(out_ptr - out.data());
    if (rc != static_cast<size_t>(-1) || errno != E2BIG) break;
    ensure(out.size() - used + 64);
  }
  out.resize(used);
  return out;
}

// Legacy single-byte encodings: the 128 high bytes are decoded once per call through iconv into
// a table, then the document is decoded from the table. Byte by byte (with a flush after each),
// iconv cannot compose a letter with a following combining mark as its CP1255/CP1258 converters
// otherwise do, which the WHATWG decoders never do.
Result<std::string> decode_single_byte(std::string_view bytes, Encoding encoding) {
  Iconv cd(info(encoding).iconv);
  if (!cd.ok()) {
    return Error(ErrorCode::kUnsupported,
                 "iconv cannot decode " + std::string(encoding_name(encoding)));
  }
  struct Utf8Char {
    char bytes[8];
    uint8_t size;
  };
  std::array<Utf8Char, 128> high{};
  for (int b = 0x80; b <= 0xFF; ++b) {
    Utf8Char& entry = high[static_cast<size_t>(b - 0x80)];
    char in_byte = static_cast<char>(b);
    char* in = &in_byte;
    size_t in_left = 1;
    char* out = entry.bytes;
    size_t out_left = sizeof entry.bytes;
    bool ok = iconv(cd.get(), &in, &in_left, &out, &out_left) != static_cast<size_t>(-1) &&
              iconv(cd.get(), nullptr, nullptr, &out, &out_left) != static_cast<size_t>(-1) &&
              out != entry.bytes;
    if (!ok) {
      iconv(cd.get(), nullptr, nullptr, nullptr, nullptr);  // back to the initial state
      out = entry.bytes +
            utf8::encode(rejected_byte(encoding, static_cast<unsigned char>(b)), entry.bytes);
    }
    entry.size = static_cast<uint8_t>(out - entry.bytes);
  }
  // index-x-mac-cyrillic maps 0xFF to the euro sign; glibc's MAC-CYRILLIC predates it (U+00A4).
  if (encoding == Encoding::kXMacCyrillic) {
    Utf8Char& euro = high[0x7F];
    euro.size = static_cast<uint8_t>(utf8::encode(0x20AC, euro.bytes));
  }
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  for (char c : bytes) {
    unsigned char b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      const Utf8Char& entry = high[b - 0x80];
      out.append(entry.bytes, entry.size);
    }
  }
  return out;
}

}  // namespace

std::string_view encoding_name(Encoding encoding) {
  return info(encoding).name;
}

std::optional<Encoding> encoding_from_label(std::string_view label) {
  label = str::trim(label);
  if (label.empty() || label.size() > kMaxLabelBytes) return std::nullopt;
  char lower[kMaxLabelBytes];
  for (size_t i = 0; i < label.size(); ++i) lower[i] = str::to_lower(label[i]);
  std::string_view key(lower, label.size());
  for (const Label& entry : kLabels) {
    if (entry.label == key) return entry.encoding;
  }
  return std::nullopt;
}

std::string_view encoding_source_name(EncodingSource source) {
  switch (source) {
    case EncodingSource::kBom:
      return "bom";
    case EncodingSource::kHttp:
      return "http";
    case EncodingSource::kMeta:
      return "meta";
    case EncodingSource::kLateMeta:
      return "late-meta";
    case EncodingSource::kContent:
      return "content";
    case EncodingSource::kFallback:
      return "fallback";
  }
  return "fallback";
}

std::optional<Encoding> prescan_encoding(std::string_view bytes) {
  return Prescanner(bytes, /*skip_raw_text=*/false).run();
}

std::optional<Encoding> encoding_from_meta_content(std::string_view s) {
  size_t pos = 0;
  while (true) {
    // Step 2: the next "charset", ASCII case-insensitively.
    size_t found = std::string_view::npos;
    for (size_t i = pos; s.size() - i >= 7 && i < s.size(); ++i) {
      if (str::istarts_with(s.substr(i), "charset")) {
        found = i;
        break;
      }
    }
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + 7;
    // Step 3: whitespace after "charset".
    while (pos < s.size() && str::is_html_space(s[pos])) ++pos;
    // Step 4: not followed by '=': look for the next "charset" from here.
    if (pos >= s.size() || s[pos] != '=') continue;
    ++pos;
    while (pos < s.size() && str::is_html_space(s[pos])) ++pos;
    if (pos >= s.size()) return std::nullopt;
    char c = s[pos];
    if (c == '"' || c == '\'') {
      size_t close = s.find(c, pos + 1);
      if (close == std::string_view::npos) return std::nullopt;  // unmatched quote
      return encoding_from_label(s.substr(pos + 1, close - pos - 1));
    }
    size_t end = pos;
    while (end < s.size() && !str::is_html_space(s[end]) && s[end] != ';') ++end;
    return encoding_from_label(s.substr(pos, end - pos));
  }
}

std::optional<Encoding> encoding_from_content_type(std::string_view content_type) {
  // MIME Sniffing 4.4 "parse a MIME type", parameters only: ";"-separated name=value pairs whose
  // value may be an HTTP quoted-string; the first "charset" parameter counts.
  size_t pos = content_type.find(';');
  while (pos != std::string_view::npos && pos < content_type.size()) {
    ++pos;  // past ';'
    while (pos < content_type.size() && str::is_html_space(content_type[pos])) ++pos;
    size_t name_end = pos;
    while (name_end < content_type.size() && content_type[name_end] != ';' &&
           content_type[name_end] != '=') {
      ++name_end;
    }
    std::string_view name = content_type.substr(pos, name_end - pos);
    pos = name_end;
    if (pos >= content_type.size()) break;
    if (content_type[pos] == ';') continue;
    ++pos;  // past '='
    std::string value;
    if (pos < content_type.size() && content_type[pos] == '"') {
      ++pos;
      while (pos < content_type.size() && content_type[pos] != '"') {
        if (content_type[pos] == '\\' && pos + 1 < content_type.size()) ++pos;
        value.push_back(content_type[pos]);
        ++pos;
      }
      pos = content_type.find(';', pos);
    } else {
      size_t end = content_type.find(';', pos);
      value = std::string(str::trim(content_type.substr(
          pos, end == std::string_view::npos ? std::string_view::npos : end - pos)));
      pos = end;
    }
    if (str::iequals(name, "charset")) return encoding_from_label(value);
  }
  return std::nullopt;
}

DetectedEncoding detect_encoding(std::string_view bytes, std::string_view http_content_type,
                                 const DetectOptions& options) {
  // Step 1: BOM sniffing (Encoding Standard "BOM sniff").
  if (has_prefix(bytes, 0, "\xEF\xBB\xBF")) return {Encoding::kUtf8, EncodingSource::kBom};
  if (has_prefix(bytes, 0, "\xFE\xFF")) return {Encoding::kUtf16Be, EncodingSource::kBom};
  if (has_prefix(bytes, 0, "\xFF\xFE")) return {Encoding::kUtf16Le, EncodingSource::kBom};
  // Step 3: the transport layer's charset.
  if (std::optional<Encoding> http = encoding_from_content_type(http_content_type)) {
    return {*http, EncodingSource::kHttp};
  }
  // Step 4: the prescan over the first bytes.
  if (std::optional<Encoding> meta =
          prescan_encoding(bytes.substr(0, std::min(bytes.size(), options.prescan_bytes)))) {
    return {*meta, EncodingSource::kMeta};
  }
  // A <meta> past the prescanned bytes: a browser's tree builder would meet it while the
  // confidence is still tentative and re-decode the document ("change the encoding", 13.2.3.4,
  // from the "in head" rules for meta, 13.2.6.4.4), so the document ends up in that encoding.
  if (bytes.size() > options.prescan_bytes && options.late_meta_bytes > 0) {
    std::string_view window = bytes.substr(0, std::min(bytes.size(), options.late_meta_bytes));
    if (std::optional<Encoding> late = Prescanner(window, /*skip_raw_text=*/true).run()) {
      return {*late, EncodingSource::kLateMeta};
    }
  }
  // Step 7: autodetection, limited to recognising UTF-8.
  if (options.detect_utf8) {
    bool ascii = true;
    for (char c : bytes) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii && utf8::is_valid(bytes)) return {Encoding::kUtf8, EncodingSource::kContent};
  }
  return {Encoding::kWindows1252, EncodingSource::kFallback};
}

Result<std::string> to_utf8(std::string_view bytes, Encoding encoding) {
  // Encoding Standard "decode": a BOM overrides the given encoding and is not part of the text.
  if (has_prefix(bytes, 0, "\xEF\xBB\xBF")) {
    encoding = Encoding::kUtf8;
    bytes.remove_prefix(3);
  } else if (has_prefix(bytes, 0, "\xFE\xFF")) {
    encoding = Encoding::kUtf16Be;
    bytes.remove_prefix(2);
  } else if (has_prefix(bytes, 0, "\xFF\xFE")) {
    encoding = Encoding::kUtf16Le;
    bytes.remove_prefix(2);
  }
  switch (encoding) {
    case Encoding::kUtf8:
      return utf8::sanitize(bytes);
    case Encoding::kWindows1252:
      return decode_windows1252(bytes);
    case Encoding::kXUserDefined:
      return decode_x_user_defined(bytes);
    case Encoding::kUtf16Be:
      return decode_utf16(bytes, true);
    case Encoding::kUtf16Le:
      return decode_utf16(bytes, false);
    case Encoding::kReplacement:
      // Encoding Standard 14.1: the whole input becomes one U+FFFD.
      return bytes.empty() ? std::string() : std::string("\xEF\xBF\xBD");
    default:
      break;
  }
  // Pure ASCII decodes to itself in every remaining encoding except ISO-2022-JP (whose escape
  // sequences are ASCII bytes).
  if (encoding != Encoding::kIso2022Jp) {
    bool ascii = true;
    for (char c : bytes) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (ascii) return std::string(bytes);
  }
  if (info(encoding).single_byte) return decode_single_byte(bytes, encoding);
  Result<std::string> out = decode_iconv(bytes, encoding);
  if (out.ok() && encoding == Encoding::kIso2022Jp) {
    // glibc copies an escape sequence it does not know through as raw bytes; the Encoding
    // Standard's decoder turns its ESC into an error (U+FFFD) and keeps the bytes after it.
    *out = str::replace_all(*out, "\x1B", "\xEF\xBF\xBD");
  }
  return out;
}

Result<std::string> decode_html(std::string_view bytes, std::string_view content_type) {
  return to_utf8(bytes, detect_encoding(bytes, content_type).encoding);
}

}  // namespace riptide::fetch
