#include "core/utf8.h"

namespace riptide::utf8 {

size_t encode(char32_t cp, char* out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

void append(std::string& out, char32_t cp) {
  char buf[4];
  out.append(buf, encode(cp, buf));
}

char32_t decode(const char* p, const char* end, size_t* len) {
  const auto* s = reinterpret_cast<const unsigned char*>(p);
  size_t avail = static_cast<size_t>(end - p);
  if (avail == 0) {
    *len = 0;
    return kReplacement;
  }
  unsigned char b0 = s[0];
  if (b0 < 0x80) {
    *len = 1;
    return b0;
  }
  size_t need;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    *len = 1;
    return kReplacement;
  }
  size_t i = 1;
  for (; i <= need; ++i) {
    if (i >= avail) break;
    unsigned char b = s[i];
    if (b < lo || b > hi) break;
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (i <= need) {
    *len = i;  // the maximal invalid subpart
    return kReplacement;
  }
  *len = need + 1;
  return cp;
}

size_t find_invalid(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    size_t len;
    char32_t cp = decode(p, end, &len);
    if (cp == kReplacement) {
      // U+FFFD itself is valid (EF BF BD); anything else decoding to it was malformed.
      if (!(len == 3 && static_cast<unsigned char>(p[0]) == 0xEF &&
            static_cast<unsigned char>(p[1]) == 0xBF && static_cast<unsigned char>(p[2]) == 0xBD)) {
        return static_cast<size_t>(p - s.data());
      }
    }
    p += len;
  }
  return s.size();
}

std::string sanitize(std::string_view s) {
  size_t bad = find_invalid(s);
  if (bad == s.size()) return std::string(s);
  std::string out(s.substr(0, bad));
  out.reserve(s.size() + 8);
  const char* p = s.data() + bad;
  const char* end = s.data() + s.size();
  while (p < end) {
    size_t len;
    char32_t cp = decode(p, end, &len);
    if (cp == kReplacement) {
      append(out, kReplacement);
    } else {
      out.append(p, len);
    }
    p += len;
  }
  return out;
}

size_t length(std::string_view s) {
  size_t n = 0;
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    size_t len;
    (void)decode(p, end, &len);
    p += len;
    ++n;
  }
  return n;
}

}  // namespace riptide::utf8
