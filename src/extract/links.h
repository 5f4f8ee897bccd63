#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "extract/record.h"
#include "html/dom.h"
#include "url/url.h"

namespace riptide::extract {

// The hyperlinks (<a href>) in the subtree at `root`, in document order, as absolute URLs resolved
// against `base` (when `base` is null only absolute hrefs are kept). Policy (docs/extraction.md,
// "Links"):
//   - kept: http, https and ftp URLs, and mailto: addresses;
//   - dropped: other schemes (javascript:, data:, tel:, …), unparsable hrefs, empty hrefs (they
//     point at the page itself) and fragment-only hrefs ("#top", "#section-2": in-page navigation);
//   - text: the anchor's text with whitespace collapsed (scripts and styles skipped); when empty,
//     the alt text of images inside, then the aria-label / title attribute;
//   - rel flags nofollow / ugc / sponsored (ASCII case-insensitive tokens), hreflang as written;
//   - identical (url, text) pairs are reported once; at most limits::kMaxLinksPerDocument.
// Iterative over DOM depth.
std::vector<Link> collect_links(const html::Node* root, const url::Url* base);

// The text of `node`'s subtree with whitespace collapsed, skipping script, style, template and
// noscript content; stops once about `max_bytes` are collected or 4 * `max_bytes` nodes are
// visited. Iterative.
std::string collapsed_text(const html::Node* node, size_t max_bytes = 4096);

}  // namespace riptide::extract
