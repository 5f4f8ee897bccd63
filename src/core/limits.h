#pragma once

#include <cstddef>
#include <cstdint>

// Every resource limit riptide enforces, in one place. Code checks them with arithmetic that
// cannot overflow (`len <= end - pos`), and reports an exceeded limit instead of crashing.
namespace riptide::limits {

// HTML parsing.
// Elements deeper than this are attached at this depth (flattened), never recursed into.
inline constexpr uint32_t kMaxDomDepth = 512;
// Nodes beyond this are dropped; the document reports the limit.
inline constexpr uint32_t kMaxNodes = 4'000'000;
// Attributes per element beyond this are dropped.
inline constexpr uint32_t kMaxAttributesPerElement = 1024;
// Total attribute name+value bytes per element beyond this are dropped.
inline constexpr size_t kMaxAttributeBytes = 1 << 20;
// Largest document the parser accepts (bytes of UTF-8 input).
inline constexpr size_t kMaxHtmlBytes = size_t{512} << 20;
// Parse errors recorded per document (later ones are only counted).
inline constexpr uint32_t kMaxRecordedParseErrors = 256;
// Open-element stack entries the adoption agency algorithm's inner loop may scan.
inline constexpr uint32_t kMaxAdoptionOuterLoops = 8;
// Active formatting elements examined per "reconstruct" step (bounded for hostile input).
inline constexpr uint32_t kMaxActiveFormattingElements = 64;

// CSS selectors.
inline constexpr size_t kMaxSelectorBytes = 16 * 1024;
inline constexpr uint32_t kMaxSelectorNesting = 32;

// URLs.
inline constexpr size_t kMaxUrlBytes = 64 * 1024;

// Character encodings (fetch).
// How far into a document encoding detection looks for a <meta charset> past the first 1024
// bytes (what a browser's tree builder would still act on; see fetch/charset.h).
inline constexpr size_t kMaxLateMetaScanBytes = 256 * 1024;

// JSON (core/json.h), e.g. JSON-LD blocks embedded in pages.
inline constexpr size_t kMaxJsonBytes = size_t{8} << 20;
// Arrays and objects nested deeper than this are a parse failure (kResourceLimit).
inline constexpr uint32_t kMaxJsonDepth = 256;
// Values per JSON text (each costs one tape entry).
inline constexpr uint32_t kMaxJsonValues = 1 << 18;

// Extraction (src/extract): output lists are capped so a hostile page cannot blow up the record.
inline constexpr uint32_t kMaxLinksPerDocument = 20'000;
inline constexpr uint32_t kMaxMediaPerDocument = 5'000;
inline constexpr uint32_t kMaxCategories = 64;
// JSON-LD blocks read per document.
inline constexpr uint32_t kMaxJsonLdBlocks = 64;

// Markdown rendering (extract/markdown.h).
// Blockquotes and list items nested deeper than this add no further line prefixes, so output
// stays linear in the input however deep the nesting.
inline constexpr uint32_t kMaxMarkdownNesting = 32;
// Tables with more columns than this render as plain blocks instead of GFM tables (every row is
// padded to the widest one, so the column count bounds the padding per row).
inline constexpr uint32_t kMaxMarkdownTableColumns = 64;

// Guest ABI (src/guest/abi.h, docs/abi.md).
// CSS selectors one request may carry (custom mode).
inline constexpr uint32_t kMaxRequestSelectors = 256;
// Bytes of a guest error message or of an info string; longer error messages are cut.
inline constexpr size_t kMaxGuestMessageBytes = 64 * 1024;

}  // namespace riptide::limits
