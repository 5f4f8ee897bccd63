#pragma once

#include <string>

#include "html/dom.h"

namespace riptide::url {
class Url;
}

namespace riptide::extract {

struct RenderOptions {
  // Relative href/src values are resolved against this URL. When null, or when a value does not
  // parse as a URL, the attribute value is kept as written (trimmed).
  const url::Url* base = nullptr;
};

// GitHub-flavoured Markdown of the subtree at `root` (a document, fragment or element); "" for
// null. Both renderers walk the tree iteratively (any DOM depth is safe), run in time linear in
// the subtree, and skip what a reader never sees (scripts, styles, templates, <head>, SVG, form
// controls, hidden elements; see is_hidden in extract/visible_text.h).
//
// Conventions (what the output promises):
// - Whitespace collapses as in CSS normal flow, except in <pre>. A no-break space (U+00A0) is an
//   ordinary collapsible space. No leading/trailing whitespace; no trailing spaces on any line
//   outside code blocks; never more than one blank line in a row (outside code blocks).
// - Headings are ATX (`#`..`######`) on one line. Paragraph-level blocks are separated by one
//   blank line. `<br>` is a hard break written as a backslash at the end of the line (visible,
//   and unlike two trailing spaces it survives editors); two `<br>` in a row end the paragraph.
// - Lists: `-` for bullets, `N.` for ordered lists (start, reversed and li value respected).
//   Nested content is indented to the parent marker's width. A list is loose (items separated by
//   blank lines) when an item holds a <p>, tight otherwise. Nesting of blockquotes and list items
//   deeper than limits::kMaxMarkdownNesting is flattened.
// - Tables with one header row (the first row) become GFM tables when they have 2 to
//   limits::kMaxMarkdownTableColumns columns, no nested table and no role=presentation; every
//   other table (layout) renders its cells as ordinary blocks. In a GFM table, cell content is
//   one line (line and paragraph breaks become spaces), `|` is escaped as `\|`, a colspan cell
//   is followed by empty cells, cells covered by a rowspan are empty, and rows are padded to the
//   widest row. A <caption> becomes a paragraph above the table.
// - <pre> becomes a fenced code block (language from a language-x / lang-x /
//   highlight-source-x class on the pre, its code child or its parent), content byte for byte,
//   fence longer than any backtick run inside. <code>/<kbd>/<samp> become code spans.
// - Emphasis `*`, strong `**`, strikethrough `~~`; links `[text](url "title")`, with
//   javascript:/vbscript: links and links without text reduced to their text; images
//   `![alt](url "title")` (data: and empty sources fall back to data-src, else dropped);
//   `<hr>` is `---`; <dt> is a bold line and each <dd> a line starting with ": ".
// - Text is escaped only where it would otherwise change meaning: backslashes before
//   punctuation, backticks, `*`/`_`/`~` that could delimit emphasis, `<` that could open a tag,
//   `&` that could start an entity, `]` that could close a link (and `[`/`]` inside link text),
//   and block markers at the start of a line (`#`, `>`, `-`, `+`, `=`, `1.`).
std::string to_markdown(const html::Node* root, const RenderOptions& options = {});

// The same content as plain text: blocks separated by one blank line, list items and <br> on
// their own lines without markers, table rows on their own lines with cells separated by a tab.
// Only whitespace is ever inserted between pieces of running text (a quality metric searches
// annotated text as substrings after whitespace normalisation), and inline elements flow
// without spaces added or lost. Images, alt text and link targets are not text. No leading line
// breaks and no trailing whitespace (a <pre> that starts the text keeps its indentation).
std::string to_text(const html::Node* root);

}  // namespace riptide::extract
