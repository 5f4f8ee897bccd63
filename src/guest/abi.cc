#include "guest/abi.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <utility>

#include "core/limits.h"
#include "core/utf8.h"

namespace riptide::guest {

using extract::Link;
using extract::Media;
using extract::MediaKind;
using extract::Mode;
using extract::Record;

namespace {

// The wire codes, their names and the ErrorCode each stands for (docs/abi.md "Error codes").
struct WireCode {
  WireError wire;
  ErrorCode code;
  std::string_view name;
};
constexpr WireCode kWireCodes[] = {
    {WireError::kInvalidHtml, ErrorCode::kInvalidInput, "invalid_html"},
    {WireError::kParseError, ErrorCode::kParseError, "parse_error"},
    {WireError::kResourceLimit, ErrorCode::kResourceLimit, "resource_limit"},
    {WireError::kUnsupportedMode, ErrorCode::kUnsupported, "unsupported_mode"},
    {WireError::kInternal, ErrorCode::kInternal, "internal"},
    {WireError::kInvalidArgument, ErrorCode::kInvalidArgument, "invalid_argument"},
};

}  // namespace

WireError to_wire(ErrorCode code) {
  for (const WireCode& w : kWireCodes) {
    if (w.code == code) return w.wire;
  }
  return WireError::kInternal;
}

ErrorCode from_wire(WireError code) {
  for (const WireCode& w : kWireCodes) {
    if (w.wire == code) return w.code;
  }
  return ErrorCode::kInternal;
}

std::string_view wire_error_name(WireError code) {
  for (const WireCode& w : kWireCodes) {
    if (w.wire == code) return w.name;
  }
  return "internal";
}

namespace {

// Appends little-endian integers and length-prefixed strings.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void raw(const char* data, size_t size) { out_->append(data, size); }
  void u8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void u32(uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    raw(b, 4);
  }
  void u64(uint64_t v) {
    u32(static_cast<uint32_t>(v));
    u32(static_cast<uint32_t>(v >> 32));
  }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  // Lengths are 32-bit: the guest's address space is, and every producer is capped far below.
  void str(std::string_view s) {
    assert(s.size() <= UINT32_MAX);
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void count(size_t n) {
    assert(n <= UINT32_MAX);
    u32(static_cast<uint32_t>(n));
  }

 private:
  std::string* out_;
};

// Reads what Writer writes from an untrusted buffer. The first failure is kept (field name, byte
// offset, what was wrong) and every later read fails, so callers check once at the end of a
// section; no read ever goes past `end_`.
class Reader {
 public:
  explicit Reader(std::string_view in)
      : begin_(in.data()), pos_(in.data()), end_(in.data() + in.size()) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return pos_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }

  bool magic(const char (&expected)[4], const char* field) {
    const char* start = pos_;
    std::string_view got;
    if (!take(4, field, &got)) return false;
    if (got.substr(0, 3) != std::string_view(expected, 3)) return fail_at(start, field, "bad tag");
    if (got[3] != expected[3]) {
      return fail_at(start, field,
                     "ABI version " + std::to_string(static_cast<uint8_t>(got[3])) + ", expected " +
                         std::to_string(static_cast<uint8_t>(expected[3])));
    }
    return true;
  }
  bool u8(const char* field, uint8_t* out) {
    std::string_view b;
    if (!take(1, field, &b)) return false;
    *out = static_cast<uint8_t>(b[0]);
    return true;
  }
  bool u32(const char* field, uint32_t* out) {
    std::string_view b;
    if (!take(4, field, &b)) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(b[i])} << (8 * i);
    *out = v;
    return true;
  }
  bool u64(const char* field, uint64_t* out) {
    uint32_t lo = 0;
    uint32_t hi = 0;
    if (!u32(field, &lo) || !u32(field, &hi)) return false;
    *out = (uint64_t{hi} << 32) | lo;
    return true;
  }
  bool f64(const char* field, double* out) {
    uint64_t bits = 0;
    if (!u64(field, &bits)) return false;
    std::memcpy(out, &bits, sizeof bits);
    return true;
  }
  // A length-prefixed byte string, not validated (the HTML of a request).
  bool bytes(const char* field, std::string_view* out) {
    uint32_t len = 0;
    if (!u32(field, &len)) return false;
    return take(len, field, out);
  }
  // A length-prefixed string of at most `max_len` bytes of valid UTF-8.
  bool str(const char* field, std::string* out, size_t max_len = SIZE_MAX) {
    const char* start = pos_;
    std::string_view s;
    if (!bytes(field, &s)) return false;
    if (s.size() > max_len) {
      return fail_at(
          start, field,
          "length " + std::to_string(s.size()) + " exceeds cap " + std::to_string(max_len));
    }
    size_t bad = utf8::find_invalid(s);
    if (bad != s.size()) return fail_at(s.data() + bad, field, "invalid UTF-8");
    out->assign(s.data(), s.size());
    return true;
  }
  // An element count: at most `cap`, and no more elements than the remaining bytes could hold
  // at `min_item_bytes` each (so a forged count cannot make the caller reserve or loop for long).
  bool count(const char* field, uint32_t cap, size_t min_item_bytes, uint32_t* out) {
    const char* start = pos_;
    uint32_t n = 0;
    if (!u32(field, &n)) return false;
    if (n > cap) {
      return fail_at(start, field,
                     "count " + std::to_string(n) + " exceeds cap " + std::to_string(cap));
    }
    if (n > remaining() / min_item_bytes) {
      return fail_at(start, field, "count " + std::to_string(n) + " exceeds the remaining bytes");
    }
    *out = n;
    return true;
  }
  // Records the first failure, at the current offset or at `at` (where the bad field started).
  bool fail(const char* field, const std::string& what) { return fail_at(pos_, field, what); }
  bool fail_at(const char* at, const char* field, const std::string& what) {
    if (error_.empty()) {
      error_ = std::string(field) + ": " + what + " at byte " +
               std::to_string(static_cast<size_t>(at - begin_));
    }
    pos_ = end_;
    return false;
  }
  bool expect_end(const char* field) {
    if (failed()) return false;
    if (!at_end()) return fail(field, std::to_string(remaining()) + " trailing bytes");
    return true;
  }

 private:
  bool take(size_t n, const char* field, std::string_view* out) {
    if (failed()) return false;
    if (n > remaining())
      return fail(field, "truncated (need " + std::to_string(n) + " bytes, " +
                             std::to_string(remaining()) + " left)");
    *out = std::string_view(pos_, n);
    pos_ += n;
    return true;
  }

  const char* begin_;
  const char* pos_;
  const char* end_;
  std::string error_;
};

Error invalid_output(const Reader& reader) {
  return Error(ErrorCode::kInternal, "invalid guest output: " + reader.error());
}

constexpr uint32_t kModeCount = 4;
// Smallest encodings of a list element: a link is two empty strings, a flag byte and an empty
// hreflang; a media item two empty strings and a kind; a category an empty string.
constexpr size_t kMinLinkBytes = 4 + 4 + 1 + 4;
constexpr size_t kMinMediaBytes = 4 + 1 + 4;
constexpr size_t kMinStringBytes = 4;

void write_links(Writer& w, const std::vector<Link>& links) {
  w.count(links.size());
  for (const Link& l : links) {
    w.str(l.url);
    w.str(l.text);
    w.u8((l.nofollow ? kLinkNofollow : 0) | (l.ugc ? kLinkUgc : 0) |
         (l.sponsored ? kLinkSponsored : 0));
    w.str(l.hreflang);
  }
}

// Field names in decode errors, per list of links.
struct LinkFields {
  const char* list;
  const char* url;
  const char* text;
  const char* flags;
  const char* hreflang;
};
constexpr LinkFields kContentLinks{"links", "links[].url", "links[].text", "links[].flags",
                                   "links[].hreflang"};
constexpr LinkFields kPageLinks{"page_links", "page_links[].url", "page_links[].text",
                                "page_links[].flags", "page_links[].hreflang"};

bool read_links(Reader& r, const LinkFields& fields, std::vector<Link>* links) {
  uint32_t n = 0;
  r.count(fields.list, limits::kMaxLinksPerDocument, kMinLinkBytes, &n);
  links->resize(n);
  for (Link& l : *links) {
    uint8_t flags = 0;
    r.str(fields.url, &l.url);
    r.str(fields.text, &l.text);
    if (r.u8(fields.flags, &flags) && (flags & ~(kLinkNofollow | kLinkUgc | kLinkSponsored))) {
      r.fail(fields.flags, "unknown flag bits");
    }
    l.nofollow = (flags & kLinkNofollow) != 0;
    l.ugc = (flags & kLinkUgc) != 0;
    l.sponsored = (flags & kLinkSponsored) != 0;
    r.str(fields.hreflang, &l.hreflang);
    if (r.failed()) return false;
  }
  return !r.failed();
}

}  // namespace

std::string encode_request_head(const extract::Options& options, size_t html_size) {
  assert(html_size <= UINT32_MAX);
  std::string out;
  out.reserve(64 + options.url.size());
  Writer w(&out);
  w.raw(kRequestMagic, 4);
  w.u8(static_cast<uint8_t>(options.mode));
  w.u8((options.include_html ? kFlagIncludeHtml : 0) | (options.page_links ? kFlagPageLinks : 0));
  w.u64(options.max_input_bytes);
  w.str(options.url);
  w.count(options.selectors.size());
  for (const std::string& s : options.selectors) w.str(s);
  w.u32(static_cast<uint32_t>(html_size));
  return out;
}

std::string encode_request(std::string_view html, const extract::Options& options) {
  std::string out = encode_request_head(options, html.size());
  out.append(html.data(), html.size());
  return out;
}

Result<RequestView> decode_request(std::string_view bytes) {
  Reader r(bytes);
  RequestView req;
  uint8_t mode = 0;
  uint8_t flags = 0;
  uint64_t max_input = 0;
  uint32_t selectors = 0;
  r.magic(kRequestMagic, "request");
  r.u8("mode", &mode);
  r.u8("flags", &flags);
  if (!r.failed() && (flags & ~(kFlagIncludeHtml | kFlagPageLinks)) != 0) {
    r.fail("flags", "unknown flag bits");
  }
  r.u64("max_input_bytes", &max_input);
  r.str("url", &req.options.url, limits::kMaxUrlBytes);
  r.count("selectors", limits::kMaxRequestSelectors, kMinStringBytes, &selectors);
  for (uint32_t i = 0; i < selectors && !r.failed(); ++i) {
    std::string s;
    r.str("selectors[]", &s, limits::kMaxSelectorBytes);
    req.options.selectors.push_back(std::move(s));
  }
  r.bytes("html", &req.html);
  if (!r.expect_end("request")) {
    return Error(ErrorCode::kInvalidArgument, "invalid request: " + r.error());
  }
  // Checked after the structure, so a well-formed request for a newer mode gets a clear answer.
  if (mode >= kModeCount) {
    return Error(ErrorCode::kUnsupported, "unsupported mode " + std::to_string(mode));
  }
  req.options.mode = static_cast<Mode>(mode);
  req.options.include_html = (flags & kFlagIncludeHtml) != 0;
  req.options.page_links = (flags & kFlagPageLinks) != 0;
  req.options.max_input_bytes =
      max_input > limits::kMaxHtmlBytes ? limits::kMaxHtmlBytes : static_cast<size_t>(max_input);
  return req;
}

void encode_record(const Record& r, std::string* out) {
  out->clear();
  Writer w(out);
  w.raw(kResultMagic, 4);
  w.u8(0);
  for (const std::string* s : {&r.url, &r.title, &r.byline, &r.published, &r.site_name,
                               &r.description, &r.language, &r.markdown, &r.text, &r.html}) {
    w.str(*s);
  }
  write_links(w, r.links);
  write_links(w, r.page_links);
  w.count(r.media.size());
  for (const Media& m : r.media) {
    w.str(m.url);
    w.u8(static_cast<uint8_t>(m.kind));
    w.str(m.alt);
  }
  w.count(r.categories.size());
  for (const std::string& c : r.categories) w.str(c);
  w.u32(r.word_count);
  w.u32(r.reading_time);
  w.u32(r.quality_score);
  w.f64(r.stats.time_ms);
  w.u64(r.stats.input_bytes);
  w.u32(r.stats.nodes);
  w.u32(r.stats.memory_pages);
  w.str(r.stats.limits);
}

void encode_error(const Error& error, std::string* out) {
  out->clear();
  Writer w(out);
  w.raw(kResultMagic, 4);
  w.u8(static_cast<uint8_t>(to_wire(error.code())));
  std::string_view message = error.message();
  if (message.size() > limits::kMaxGuestMessageBytes) {
    // Cut at a code point boundary so the message stays valid UTF-8.
    size_t cut = limits::kMaxGuestMessageBytes;
    while (cut > 0 && (static_cast<uint8_t>(message[cut]) & 0xC0) == 0x80) --cut;
    message = message.substr(0, cut);
  }
  w.str(message);
}

Result<DecodedResult> decode_result(std::string_view bytes) {
  Reader r(bytes);
  DecodedResult out;
  uint8_t status = 0;
  r.magic(kResultMagic, "result");
  if (!r.u8("status", &status)) return invalid_output(r);
  if (status != 0) {
    if (status > static_cast<uint8_t>(WireError::kInvalidArgument)) {
      r.fail("status", "unknown error code " + std::to_string(status));
      return invalid_output(r);
    }
    std::string message;
    r.str("message", &message, limits::kMaxGuestMessageBytes);
    if (!r.expect_end("result")) return invalid_output(r);
    out.guest_error = Error(from_wire(static_cast<WireError>(status)), std::move(message));
    return out;
  }
  Record& rec = out.record;
  r.str("url", &rec.url);
  r.str("title", &rec.title);
  r.str("byline", &rec.byline);
  r.str("published", &rec.published);
  r.str("site_name", &rec.site_name);
  r.str("description", &rec.description);
  r.str("language", &rec.language);
  r.str("markdown", &rec.markdown);
  r.str("text", &rec.text);
  r.str("html", &rec.html);

  if (!read_links(r, kContentLinks, &rec.links) || !read_links(r, kPageLinks, &rec.page_links)) {
    return invalid_output(r);
  }
  uint32_t n = 0;
  r.count("media", limits::kMaxMediaPerDocument, kMinMediaBytes, &n);
  rec.media.resize(n);
  for (Media& m : rec.media) {
    uint8_t kind = 0;
    r.str("media[].url", &m.url);
    if (r.u8("media[].kind", &kind) && kind > static_cast<uint8_t>(MediaKind::kAudio)) {
      r.fail("media[].kind", "unknown kind " + std::to_string(kind));
    }
    m.kind = static_cast<MediaKind>(kind);
    r.str("media[].alt", &m.alt);
    if (r.failed()) return invalid_output(r);
  }
  n = 0;
  r.count("categories", limits::kMaxCategories, kMinStringBytes, &n);
  rec.categories.resize(n);
  for (std::string& c : rec.categories) {
    if (!r.str("categories[]", &c)) return invalid_output(r);
  }
  r.u32("word_count", &rec.word_count);
  r.u32("reading_time", &rec.reading_time);
  if (r.u32("quality_score", &rec.quality_score) && rec.quality_score > 100) {
    r.fail("quality_score", "above 100");
  }
  if (r.f64("stats.time_ms", &rec.stats.time_ms) &&
      !(std::isfinite(rec.stats.time_ms) && rec.stats.time_ms >= 0)) {
    r.fail("stats.time_ms", "not a finite non-negative number");
  }
  r.u64("stats.input_bytes", &rec.stats.input_bytes);
  r.u32("stats.nodes", &rec.stats.nodes);
  r.u32("stats.memory_pages", &rec.stats.memory_pages);
  r.str("stats.limits", &rec.stats.limits);
  if (!r.expect_end("result")) return invalid_output(r);
  out.ok = true;
  return out;
}

void encode_info(const GuestInfo& info, std::string* out) {
  out->clear();
  Writer w(out);
  w.raw(kInfoMagic, 4);
  w.u32(info.abi_version);
  w.str(info.version);
  w.str(info.build);
  w.count(info.modes.size());
  for (Mode m : info.modes) w.u8(static_cast<uint8_t>(m));
}

Result<GuestInfo> decode_info(std::string_view bytes) {
  Reader r(bytes);
  GuestInfo info;
  uint32_t n = 0;
  r.magic(kInfoMagic, "info");
  r.u32("abi_version", &info.abi_version);
  r.str("version", &info.version, limits::kMaxGuestMessageBytes);
  r.str("build", &info.build, limits::kMaxGuestMessageBytes);
  r.count("modes", kModeCount, 1, &n);
  for (uint32_t i = 0; i < n && !r.failed(); ++i) {
    uint8_t m = 0;
    if (r.u8("modes[]", &m) && m >= kModeCount) r.fail("modes[]", "unknown mode");
    info.modes.push_back(static_cast<Mode>(m));
  }
  if (!r.expect_end("info")) return invalid_output(r);
  return info;
}

uint32_t modes_mask(const std::vector<Mode>& modes) {
  uint32_t mask = 0;
  for (Mode m : modes) mask |= uint32_t{1} << static_cast<uint32_t>(m);
  return mask;
}

Result<std::vector<Mode>> modes_from_mask(uint32_t mask) {
  if ((mask >> kModeCount) != 0) {
    return Error(ErrorCode::kInternal,
                 "invalid guest output: modes: unknown mode bits " + std::to_string(mask));
  }
  std::vector<Mode> modes;
  for (uint32_t i = 0; i < kModeCount; ++i) {
    if (mask & (uint32_t{1} << i)) modes.push_back(static_cast<Mode>(i));
  }
  return modes;
}

std::vector<Mode> all_modes() {
  return {Mode::kArticle, Mode::kFull, Mode::kMetadata, Mode::kCustom};
}

}  // namespace riptide::guest
