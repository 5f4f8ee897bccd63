#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// A small pull reader for the subset of XML 1.0 that sitemaps use (sitemap.h): elements,
// attributes (checked for syntax, then skipped), character data, CDATA sections, comments,
// processing instructions and the five predefined entities plus numeric character references.
//
// XXE-safe by construction: a <!DOCTYPE> is skipped without being read, so no internal or
// external entity is ever defined, fetched or expanded. A reference to any other entity
// ("&lol9;" in a billion-laughs document) stays in the text as written, and so does a bare '&'
// (real sitemaps often carry unescaped "?a=1&b=2" in URLs). Output is never larger than the
// input.
//
// Namespaces are not processed: callers compare local names ("image:loc" -> "loc").
// Structure is checked strictly: one root element, matching end tags, nothing but whitespace,
// comments and processing instructions outside the root.
namespace riptide::crawl {

// Open elements deeper than this are an error (kResourceLimit): a sitemap needs three levels.
inline constexpr uint32_t kMaxXmlDepth = 64;

enum class XmlEventType : uint8_t {
  kStartElement,
  kEndElement,  // also reported for an empty-element tag <a/>, right after its kStartElement
  kText,        // character data or a CDATA section, entity references decoded
  kEndOfDocument,
};

struct XmlEvent {
  XmlEventType type = XmlEventType::kEndOfDocument;
  // kStartElement / kEndElement: the element's name as written ("image:loc") and its local
  // part ("loc"). Views into the document.
  std::string_view name;
  std::string_view local_name;
  // kText: the decoded text. Valid until the next call to next().
  std::string_view text;
};

// Reads events one at a time from a complete document held by the caller; builds no tree. Memory
// is the open-element stack plus the current text run. The document must outlive the reader.
class XmlReader {
 public:
  explicit XmlReader(std::string_view document);

  // The next event. Errors are kParseError ("line L, column C: ...") for malformed input and
  // kResourceLimit past kMaxXmlDepth; after an error or kEndOfDocument, every call repeats it.
  Result<XmlEvent> next();

  // Elements open after the last event (1 inside the root element).
  uint32_t depth() const { return static_cast<uint32_t>(open_.size()); }

 private:
  Result<XmlEvent> fail(ErrorCode code, std::string_view message);
  Result<XmlEvent> read_markup();
  Result<XmlEvent> read_start_tag();
  Result<XmlEvent> read_end_tag();
  Result<XmlEvent> read_text();
  Result<XmlEvent> read_cdata();
  // Skips "<!-- ... -->", "<? ... ?>" or "<!DOCTYPE ...>" starting at pos_; false on EOF.
  bool skip_until(std::string_view terminator);
  bool skip_doctype();
  // Reads an XML Name at pos_; empty when there is none.
  std::string_view read_name();
  void skip_space();

  std::string_view doc_;
  size_t pos_ = 0;
  std::vector<std::string_view> open_;  // names of the open elements, root first
  std::string text_;
  bool seen_root_ = false;
  bool seen_doctype_ = false;
  bool pending_end_ = false;  // the last start tag was <a/>: report its end next
  std::optional<Error> error_;
};

}  // namespace riptide::crawl
