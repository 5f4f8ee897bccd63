#include "crawl/sitemap.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "core/limits.h"
#include "core/strings.h"
#include "crawl/xml_reader.h"
#include "url/url.h"

namespace riptide::crawl {
namespace {

// Output is produced in pieces of this size, so a small sitemap never allocates the full cap.
constexpr size_t kGunzipChunkBytes = 256 * 1024;
// zlib counts input in a 32-bit uInt: it is fed at most this much at a time.
constexpr size_t kMaxZlibInputChunk = size_t{1} << 30;
// Text kept per field: one byte more than url::parse accepts, so an over-long <loc> still fails
// there, while a hostile megabyte-long <lastmod> costs nothing.
constexpr size_t kMaxFieldBytes = limits::kMaxUrlBytes + 1;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_blank(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// True when s[pos, pos + n) is n ASCII digits whose value lies in [min, max].
bool read_number(std::string_view s, size_t pos, size_t n, int min, int max) {
  if (n > s.size() || pos > s.size() - n) return false;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!str::is_digit(s[i])) return false;
    value = value * 10 + (s[i] - '0');
  }
  return value >= min && value <= max;
}

// W3C Datetime (https://www.w3.org/TR/NOTE-datetime), the format sitemaps.org requires for
// <lastmod>: YYYY | YYYY-MM | YYYY-MM-DD | YYYY-MM-DDThh:mmTZD | YYYY-MM-DDThh:mm:ssTZD |
// YYYY-MM-DDThh:mm:ss.sTZD, where TZD is Z, +hh:mm or -hh:mm.
bool is_w3c_datetime(std::string_view s) {
  if (!read_number(s, 0, 4, 0, 9999)) return false;
  if (s.size() == 4) return true;
  if (s[4] != '-' || !read_number(s, 5, 2, 1, 12)) return false;
  if (s.size() == 7) return true;
  if (s.size() < 10 || s[7] != '-' || !read_number(s, 8, 2, 1, 31)) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' || !read_number(s, 11, 2, 0, 23) || s.size() < 16 || s[13] != ':' ||
      !read_number(s, 14, 2, 0, 59)) {
    return false;
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!read_number(s, pos + 1, 2, 0, 60)) return false;  // 60: a leap second
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t digits_start = ++pos;
      while (pos < s.size() && str::is_digit(s[pos])) ++pos;
      if (pos == digits_start) return false;
    }
  }
  std::string_view zone = s.substr(pos);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && read_number(zone, 1, 2, 0, 23) &&
         zone[3] == ':' && read_number(zone, 4, 2, 0, 59);
}

// <priority>: a decimal number from 0.0 to 1.0 ("0.8", "1", ".5"); no sign or exponent.
std::optional<double> parse_priority(std::string_view s) {
  size_t digits = 0;
  size_t dots = 0;
  for (char c : s) {
    if (str::is_digit(c)) {
      ++digits;
    } else if (c == '.') {
      ++dots;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0 || dots > 1) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0.0 || value > 1.0) {
    return std::nullopt;
  }
  return value;
}

constexpr std::string_view kChangeFrequencyNames[] = {
    "", "always", "hourly", "daily", "weekly", "monthly", "yearly", "never",
};

ChangeFrequency parse_change_frequency(std::string_view s) {
  for (size_t i = 1; i < std::size(kChangeFrequencyNames); ++i) {
    if (str::iequals(s, kChangeFrequencyNames[i])) return static_cast<ChangeFrequency>(i);
  }
  return ChangeFrequency::kUnspecified;
}

// The serialization of `text` when it is an absolute http or https URL. sitemaps.org requires
// fully qualified URLs, so nothing is resolved against the sitemap's own URL.
std::optional<std::string> absolute_http_url(std::string_view text) {
  text = trim_blank(text);
  if (text.empty()) return std::nullopt;
  Result<url::Url> parsed = url::parse(text);
  if (!parsed.ok()) return std::nullopt;
  if (parsed->scheme_type() != url::Scheme::kHttp && parsed->scheme_type() != url::Scheme::kHttps) {
    return std::nullopt;
  }
  return std::string(parsed->href());
}

// Appends an entry unless the sitemap is full; returns false (and marks the sitemap truncated)
// when it is, so the caller stops reading.
bool add_entry(Sitemap& sitemap, SitemapEntry entry) {
  if (sitemap.entries.size() >= kMaxSitemapUrls) {
    sitemap.truncated = true;
    return false;
  }
  sitemap.entries.push_back(std::move(entry));
  return true;
}

// sitemaps.org "Text file": one URL per line, nothing else. Blank lines are not entries.
Sitemap parse_text_sitemap(std::string_view text) {
  Sitemap sitemap;
  sitemap.kind = SitemapKind::kText;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    line = trim_blank(line);
    if (line.empty()) continue;
    std::optional<std::string> url = absolute_http_url(line);
    if (!url) {
      ++sitemap.skipped;
      continue;
    }
    if (!add_entry(sitemap, SitemapEntry{std::move(*url), {}, std::nullopt, {}})) break;
  }
  return sitemap;
}

enum class Field : uint8_t { kNone, kLoc, kLastmod, kChangefreq, kPriority };

Field field_of(std::string_view local_name, SitemapKind kind) {
  if (local_name == "loc") return Field::kLoc;
  if (local_name == "lastmod") return Field::kLastmod;
  // <sitemap> children of an index have only <loc> and <lastmod>.
  if (kind == SitemapKind::kUrlset && local_name == "changefreq") return Field::kChangefreq;
  if (kind == SitemapKind::kUrlset && local_name == "priority") return Field::kPriority;
  return Field::kNone;
}

// One <url> or <sitemap> element being read.
struct PendingEntry {
  std::string loc;
  uint32_t loc_count = 0;
  bool loc_too_long = false;
  SitemapEntry entry;
};

Error with_context(const Error& error) {
  return Error(error.code(), "sitemap: " + error.message());
}

// The <urlset> / <sitemapindex> formats (sitemaps.org "XML tag definitions"): the root, its
// <url> / <sitemap> children, and their field children. Anything deeper or unknown is skipped.
Result<Sitemap> parse_xml_sitemap(std::string_view text) {
  XmlReader reader(text);
  Sitemap sitemap;
  uint32_t depth = 0;
  bool in_entry = false;
  Field field = Field::kNone;
  std::string field_text;
  bool field_too_long = false;
  PendingEntry pending;
  while (true) {
    Result<XmlEvent> event = reader.next();
    if (!event.ok()) return with_context(event.error());
    switch (event->type) {
      case XmlEventType::kStartElement:
        ++depth;
        if (depth == 1) {
          if (event->local_name == "urlset") {
            sitemap.kind = SitemapKind::kUrlset;
          } else if (event->local_name == "sitemapindex") {
            sitemap.kind = SitemapKind::kIndex;
          } else {
            return Error(ErrorCode::kInvalidInput, "not a sitemap: the root element is <" +
                                                       std::string(event->name) +
                                                       ">, expected <urlset> or <sitemapindex>");
          }
        } else if (depth == 2) {
          in_entry =
              event->local_name == (sitemap.kind == SitemapKind::kUrlset ? "url" : "sitemap");
          pending = PendingEntry{};
        } else if (depth == 3 && in_entry) {
          field = field_of(event->local_name, sitemap.kind);
          field_text.clear();
          field_too_long = false;
        }
        break;
      case XmlEventType::kText:
        if (depth == 3 && field != Field::kNone && !field_too_long) {
          if (event->text.size() > kMaxFieldBytes - field_text.size()) {
            field_too_long = true;
          } else {
            field_text.append(event->text);
          }
        }
        break;
      case XmlEventType::kEndElement:
        if (depth == 3 && field != Field::kNone) {
          std::string_view value = trim_blank(field_text);
          switch (field) {
            case Field::kLoc:
              ++pending.loc_count;
              pending.loc = value;
              pending.loc_too_long = field_too_long;
              break;
            case Field::kLastmod:
              if (!field_too_long && is_w3c_datetime(value)) pending.entry.lastmod = value;
              break;
            case Field::kChangefreq:
              if (!field_too_long) pending.entry.changefreq = parse_change_frequency(value);
              break;
            case Field::kPriority:
              if (!field_too_long) pending.entry.priority = parse_priority(value);
              break;
            case Field::kNone:
              break;
          }
          field = Field::kNone;
        } else if (depth == 2 && in_entry) {
          in_entry = false;
          std::optional<std::string> url;
          // Two <loc> in one entry: there is no telling which the publisher meant.
          if (pending.loc_count == 1 && !pending.loc_too_long) url = absolute_http_url(pending.loc);
          if (!url) {
            ++sitemap.skipped;
          } else {
            pending.entry.url = std::move(*url);
            if (!add_entry(sitemap, std::move(pending.entry))) return sitemap;
          }
        }
        --depth;
        break;
      case XmlEventType::kEndOfDocument:
        return sitemap;
    }
  }
}

}  // namespace

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Result<std::string> gunzip(std::string_view compressed, size_t max_bytes) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper (RFC 1952), not zlib's own.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Error(ErrorCode::kInternal, "zlib could not be initialised");
  }
  struct InflateEnd {
    z_stream* stream;
    ~InflateEnd() { inflateEnd(stream); }
  } inflate_end{&stream};

  std::string out;
  size_t fed = 0;  // bytes of `compressed` handed to zlib so far
  while (true) {
    if (stream.avail_in == 0 && fed < compressed.size()) {
      size_t n = std::min(compressed.size() - fed, kMaxZlibInputChunk);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + fed));
      stream.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    // Room for one byte past the cap, so output that reaches it proves the limit exceeded.
    size_t room = std::min(kGunzipChunkBytes, max_bytes + 1 - out.size());
    size_t old_size = out.size();
    out.resize(old_size + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + old_size);
    stream.avail_out = static_cast<uInt>(room);
    int rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(old_size + room - stream.avail_out);
    if (out.size() > max_bytes) {
      return Error(ErrorCode::kResourceLimit,
                   "gzip data expands past the limit of " + std::to_string(max_bytes) + " bytes");
    }
    if (rc == Z_STREAM_END) {
      // RFC 1952 2.2: a gzip file is a series of members; bytes after the last one that do not
      // start another member are ignored, as gzip(1) does.
      std::string_view rest = compressed.substr(fed - stream.avail_in);
      if (!is_gzip(rest) || inflateReset(&stream) != Z_OK) return out;
      continue;
    }
    if (rc == Z_BUF_ERROR && stream.avail_in == 0 && fed == compressed.size()) {
      return Error(ErrorCode::kInvalidInput, "truncated gzip data");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Error(ErrorCode::kInvalidInput,
                   std::string("corrupt gzip data: ") + (stream.msg ? stream.msg : "bad stream"));
    }
  }
}

Result<Sitemap> parse_sitemap(std::string_view body) {
  std::string decompressed;
  std::string_view text = body;
  if (is_gzip(body)) {
    Result<std::string> inflated = gunzip(body, kMaxSitemapBytes);
    if (!inflated.ok()) return with_context(inflated.error());
    decompressed = std::move(inflated).value();
    text = decompressed;
  } else if (body.size() > kMaxSitemapBytes) {
    return Error(ErrorCode::kResourceLimit, "sitemap larger than the protocol's limit of " +
                                                std::to_string(kMaxSitemapBytes) + " bytes");
  }
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  std::string_view content = trim_blank(text);
  if (content.empty()) return Error(ErrorCode::kInvalidInput, "sitemap is empty");
  if (content.front() == '<') return parse_xml_sitemap(text);
  return parse_text_sitemap(text);
}

std::string_view sitemap_kind_name(SitemapKind kind) {
  switch (kind) {
    case SitemapKind::kUrlset:
      return "urlset";
    case SitemapKind::kIndex:
      return "index";
    case SitemapKind::kText:
      return "text";
  }
  return "unknown";
}

std::string_view change_frequency_name(ChangeFrequency frequency) {
  size_t i = static_cast<size_t>(frequency);
  return i < std::size(kChangeFrequencyNames) ? kChangeFrequencyNames[i] : "";
}

}  // namespace riptide::crawl
