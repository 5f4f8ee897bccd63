#include "crawl/xml_reader.h"

#include <algorithm>
#include <string>

#include "core/utf8.h"

namespace riptide::crawl {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// "&#x10FFFF;" has 6 digits; more (even leading zeros) is treated as malformed.
constexpr size_t kMaxReferenceDigits = 8;
// The longest reference worth looking for ("&#x" + 8 digits + ";"), so finding the ';' of a
// bare '&' costs a bounded scan, not one to the end of the text.
constexpr size_t kMaxReferenceBytes = 3 + kMaxReferenceDigits + 1;

// XML 1.0 2.3 [3] S.
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// XML 1.0 2.3 [4] NameStartChar, [4a] NameChar, with every non-ASCII byte accepted: the reader
// only needs to find where a name ends, and the names it compares are ASCII.
constexpr bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

std::string_view local_part(std::string_view name) {
  size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool starts_with_at(std::string_view s, size_t pos, std::string_view prefix) {
  return pos <= s.size() && s.substr(pos).starts_with(prefix);
}

// The predefined entities (XML 1.0 4.6); nothing else is ever expanded.
std::optional<char> predefined_entity(std::string_view name) {
  if (name == "amp") return '&';
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "quot") return '"';
  if (name == "apos") return '\'';
  return std::nullopt;
}

// XML 1.0 2.2 [2] Char: a character reference must name one of these.
constexpr bool is_xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

}  // namespace

XmlReader::XmlReader(std::string_view document) : doc_(document) {
  if (doc_.starts_with(kUtf8Bom)) pos_ = kUtf8Bom.size();
}

Result<XmlEvent> XmlReader::fail(ErrorCode code, std::string_view message) {
  size_t at = std::min(pos_, doc_.size());
  size_t line = 1 + static_cast<size_t>(std::count(doc_.begin(), doc_.begin() + at, '\n'));
  size_t line_start = at == 0 ? std::string_view::npos : doc_.rfind('\n', at - 1);
  size_t column = line_start == std::string_view::npos ? at + 1 : at - line_start;
  error_ = Error(code, "XML line " + std::to_string(line) + ", column " + std::to_string(column) +
                           ": " + std::string(message));
  return *error_;
}

void XmlReader::skip_space() {
  while (pos_ < doc_.size() && is_space(doc_[pos_])) ++pos_;
}

std::string_view XmlReader::read_name() {
  size_t start = pos_;
  if (pos_ >= doc_.size() || !is_name_start(doc_[pos_])) return {};
  ++pos_;
  while (pos_ < doc_.size() && is_name_char(doc_[pos_])) ++pos_;
  return doc_.substr(start, pos_ - start);
}

bool XmlReader::skip_until(std::string_view terminator) {
  size_t end = doc_.find(terminator, pos_);
  if (end == std::string_view::npos) return false;
  pos_ = end + terminator.size();
  return true;
}

// XML 1.0 2.8 [28] doctypedecl, skipped unread: quoted literals and the internal subset in
// brackets may contain '>', and comments inside the subset may contain anything.
bool XmlReader::skip_doctype() {
  int brackets = 0;
  while (pos_ < doc_.size()) {
    char c = doc_[pos_];
    if (c == '"' || c == '\'') {
      size_t close = doc_.find(c, pos_ + 1);
      if (close == std::string_view::npos) return false;
      pos_ = close + 1;
    } else if (brackets > 0 && starts_with_at(doc_, pos_, "<!--")) {
      if (!skip_until("-->")) return false;
    } else {
      ++pos_;
      if (c == '[') ++brackets;
      if (c == ']' && brackets > 0) --brackets;
      if (c == '>' && brackets == 0) return true;
    }
  }
  return false;
}

Result<XmlEvent> XmlReader::next() {
  if (error_) return *error_;
  if (pending_end_) {
    pending_end_ = false;
    std::string_view name = open_.back();
    open_.pop_back();
    return XmlEvent{XmlEventType::kEndElement, name, local_part(name), {}};
  }
  while (pos_ < doc_.size()) {
    if (doc_[pos_] == '<') {
      Result<XmlEvent> event = read_markup();
      // Comments, processing instructions and the doctype report nothing: read on.
      if (!event.ok() || event->type != XmlEventType::kEndOfDocument) return event;
      continue;
    }
    if (open_.empty()) {
      // XML 1.0 2.8 [27] Misc: only whitespace around the root element.
      size_t end = std::min(doc_.find('<', pos_), doc_.size());
      if (!std::all_of(doc_.begin() + pos_, doc_.begin() + end, is_space)) {
        return fail(ErrorCode::kParseError,
                    seen_root_ ? "text after the root element" : "text before the root element");
      }
      pos_ = end;
      continue;
    }
    return read_text();
  }
  if (!open_.empty()) {
    return fail(ErrorCode::kParseError,
                "unexpected end of document inside <" + std::string(open_.back()) + ">");
  }
  if (!seen_root_) return fail(ErrorCode::kParseError, "no root element");
  return XmlEvent{};
}

// Reads the markup at '<'. Returns kEndOfDocument (never reported from here) for markup that
// produces no event.
Result<XmlEvent> XmlReader::read_markup() {
  if (starts_with_at(doc_, pos_, "<!--")) {
    pos_ += 4;
    if (!skip_until("-->")) return fail(ErrorCode::kParseError, "unterminated comment");
    return XmlEvent{};
  }
  if (starts_with_at(doc_, pos_, "<?")) {
    if (!skip_until("?>")) {
      return fail(ErrorCode::kParseError, "unterminated processing instruction");
    }
    return XmlEvent{};
  }
  if (starts_with_at(doc_, pos_, "<![CDATA[")) {
    if (open_.empty()) return fail(ErrorCode::kParseError, "CDATA section outside an element");
    return read_cdata();
  }
  if (starts_with_at(doc_, pos_, "<!DOCTYPE")) {
    if (seen_root_ || seen_doctype_) {
      return fail(ErrorCode::kParseError, "a document type declaration must precede the root");
    }
    seen_doctype_ = true;
    if (!skip_doctype()) {
      return fail(ErrorCode::kParseError, "unterminated document type declaration");
    }
    return XmlEvent{};
  }
  if (starts_with_at(doc_, pos_, "</")) return read_end_tag();
  return read_start_tag();
}

// XML 1.0 3.1 [40] STag and [44] EmptyElemTag; attributes ([41]) are checked and skipped.
Result<XmlEvent> XmlReader::read_start_tag() {
  size_t tag_start = pos_;
  ++pos_;  // '<'
  std::string_view name = read_name();
  if (name.empty()) return fail(ErrorCode::kParseError, "'<' not followed by an element name");
  // Namespaces in XML 1.0 [7] QName: callers match local names, so "url:" must not pass as "".
  if (local_part(name).empty()) {
    return fail(ErrorCode::kParseError,
                "element name <" + std::string(name) + "> has no local part");
  }
  if (seen_root_ && open_.empty()) {
    pos_ = tag_start;
    return fail(ErrorCode::kParseError, "a second root element <" + std::string(name) + ">");
  }
  while (true) {
    size_t before_space = pos_;
    skip_space();
    if (pos_ >= doc_.size()) {
      return fail(ErrorCode::kParseError, "unexpected end of document in a tag");
    }
    if (doc_[pos_] == '>') {
      ++pos_;
      break;
    }
    if (starts_with_at(doc_, pos_, "/>")) {
      pos_ += 2;
      pending_end_ = true;
      break;
    }
    if (pos_ == before_space) {
      return fail(ErrorCode::kParseError, "missing whitespace before an attribute");
    }
    if (read_name().empty()) return fail(ErrorCode::kParseError, "invalid attribute name");
    skip_space();
    if (pos_ >= doc_.size() || doc_[pos_] != '=') {
      return fail(ErrorCode::kParseError, "attribute without '='");
    }
    ++pos_;
    skip_space();
    if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) {
      return fail(ErrorCode::kParseError, "attribute value not quoted");
    }
    size_t close = doc_.find(doc_[pos_], pos_ + 1);
    if (close == std::string_view::npos) {
      return fail(ErrorCode::kParseError, "unterminated attribute value");
    }
    if (doc_.substr(pos_ + 1, close - pos_ - 1).find('<') != std::string_view::npos) {
      return fail(ErrorCode::kParseError, "'<' in an attribute value");
    }
    pos_ = close + 1;
  }
  if (open_.size() >= kMaxXmlDepth) {
    pos_ = tag_start;
    return fail(ErrorCode::kResourceLimit,
                "elements nested deeper than " + std::to_string(kMaxXmlDepth));
  }
  seen_root_ = true;
  open_.push_back(name);
  return XmlEvent{XmlEventType::kStartElement, name, local_part(name), {}};
}

// XML 1.0 3.1 [42] ETag.
Result<XmlEvent> XmlReader::read_end_tag() {
  size_t tag_start = pos_;
  pos_ += 2;  // "</"
  std::string_view name = read_name();
  skip_space();
  if (name.empty() || pos_ >= doc_.size() || doc_[pos_] != '>') {
    pos_ = tag_start;
    return fail(ErrorCode::kParseError, "malformed end tag");
  }
  if (open_.empty() || open_.back() != name) {
    pos_ = tag_start;
    // Appended piecewise: `"<" + std::string(...)` trips GCC 12's false -Wrestrict at -O3.
    std::string message = "end tag </";
    message.append(name).append("> does not match ");
    if (open_.empty()) {
      message += "any open element";
    } else {
      message.append("<").append(open_.back()).append(">");
    }
    return fail(ErrorCode::kParseError, message);
  }
  ++pos_;
  open_.pop_back();
  return XmlEvent{XmlEventType::kEndElement, name, local_part(name), {}};
}

// XML 1.0 2.7 [18] CDSect: the content is taken as written.
Result<XmlEvent> XmlReader::read_cdata() {
  constexpr std::string_view kOpen = "<![CDATA[";
  size_t start = pos_ + kOpen.size();
  size_t end = doc_.find("]]>", start);
  if (end == std::string_view::npos) return fail(ErrorCode::kParseError, "unterminated CDATA");
  pos_ = end + 3;
  return XmlEvent{XmlEventType::kText, {}, {}, doc_.substr(start, end - start)};
}

// XML 1.0 2.4 character data up to the next '<', with 4.1 references decoded.
Result<XmlEvent> XmlReader::read_text() {
  text_.clear();
  size_t end = std::min(doc_.find('<', pos_), doc_.size());
  while (pos_ < end) {
    // Searched within this run only: a search to the end of the document for every run would
    // make a long sitemap without '&' quadratic.
    size_t amp = doc_.substr(pos_, end - pos_).find('&');
    amp = amp == std::string_view::npos ? end : pos_ + amp;
    text_.append(doc_.substr(pos_, amp - pos_));
    pos_ = amp;
    if (pos_ >= end) break;
    size_t window = std::min(end - pos_, kMaxReferenceBytes);
    size_t semicolon = doc_.substr(pos_, window).find(';');
    if (semicolon != std::string_view::npos) semicolon += pos_;
    if (starts_with_at(doc_, pos_, "&#")) {
      // [66] CharRef: strict, since a malformed one cannot be read as anything else.
      bool hex = starts_with_at(doc_, pos_, "&#x");
      size_t digits_start = pos_ + (hex ? 3 : 2);
      if (semicolon == std::string_view::npos || semicolon <= digits_start) {
        return fail(ErrorCode::kParseError, "malformed character reference");
      }
      uint32_t cp = 0;
      for (size_t i = digits_start; i < semicolon; ++i) {
        char c = doc_[i];
        uint32_t digit;
        if (c >= '0' && c <= '9') {
          digit = static_cast<uint32_t>(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
          digit = static_cast<uint32_t>(c - 'a' + 10);
        } else if (hex && c >= 'A' && c <= 'F') {
          digit = static_cast<uint32_t>(c - 'A' + 10);
        } else {
          return fail(ErrorCode::kParseError, "malformed character reference");
        }
        // kMaxReferenceBytes leaves room for 8 hex or 9 decimal digits: no overflow.
        cp = cp * (hex ? 16 : 10) + digit;
      }
      if (!is_xml_char(cp)) {
        return fail(ErrorCode::kParseError, "character reference to a character XML forbids");
      }
      utf8::append(text_, static_cast<char32_t>(cp));
      pos_ = semicolon + 1;
      continue;
    }
    // [68] EntityRef: only the predefined entities; anything else stays as written.
    std::optional<char> c;
    if (semicolon != std::string_view::npos) {
      c = predefined_entity(doc_.substr(pos_ + 1, semicolon - pos_ - 1));
    }
    if (c) {
      text_.push_back(*c);
      pos_ = semicolon + 1;
    } else {
      text_.push_back('&');
      ++pos_;
    }
  }
  return XmlEvent{XmlEventType::kText, {}, {}, text_};
}

}  // namespace riptide::crawl
