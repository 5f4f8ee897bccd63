#pragma once

#include <string_view>
#include <vector>

#include "extract/record.h"
#include "html/dom.h"
#include "url/url.h"

namespace riptide::extract {

// Images, videos and audio in the subtree at `root`, in document order, as absolute http(s) URLs
// resolved against `base`. Policy (docs/extraction.md, "Media"):
//   - <img>: the largest srcset candidate (by w descriptor, else by density), then lazy-loading
//     attributes (data-srcset, data-src, data-lazy-src, data-original), then src; inside <picture>
//     the <source srcset> candidates compete with the <img>'s and one image is reported;
//     alt text from alt;
//   - <video>/<audio>: src, else the first <source src>; a video's poster is reported as an image;
//     alt text from title / aria-label;
//   - when `root` is a document node, og:image / twitter:image from <meta> come first;
//   - skipped: data:, blob: and other non-http(s) URLs, and images declared 1 pixel wide or high
//     (tracking pixels, spacers); duplicates by URL; at most limits::kMaxMediaPerDocument.
// Iterative over DOM depth.
std::vector<Media> collect_media(const html::Node* root, const url::Url* base);

// Whether an <img> declares a width or height of at most one pixel ("1", "0", "1px"): a tracking
// pixel or a spacer, never a picture (media and Markdown both leave it out).
bool is_tracking_pixel(const html::Node* img);

// One candidate of a srcset attribute (HTML 4.8.4.3.10).
struct SrcsetCandidate {
  std::string_view url;
  double width = 0;    // w descriptor, 0 when absent
  double density = 0;  // x descriptor, 0 when absent (a candidate without descriptors is 1x)
};

// Parses a srcset attribute (HTML 4.8.4.3.10 "parse a srcset attribute", without the error
// recovery that drops whole candidates for duplicate descriptors). Views point into `srcset`.
std::vector<SrcsetCandidate> parse_srcset(std::string_view srcset);

// The URL of the largest candidate: the greatest w descriptor when any candidate has one, else
// the greatest density; "" when there are no candidates.
std::string_view largest_srcset_candidate(std::string_view srcset);

}  // namespace riptide::extract
