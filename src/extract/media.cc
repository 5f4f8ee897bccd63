#include "extract/media.h"

#include <string>
#include <unordered_set>

#include "core/limits.h"
#include "core/strings.h"

namespace riptide::extract {

using html::Node;
using html::Tag;

namespace {

// A non-negative decimal number ("300", "1.5", ".5"); -1 when malformed. Hand-written because
// floating-point std::from_chars is missing from the wasm32 libc++.
double parse_decimal(std::string_view s) {
  if (s.empty()) return -1;
  double value = 0;
  size_t i = 0;
  bool digits = false;
  while (i < s.size() && str::is_digit(s[i])) {
    value = value * 10 + (s[i] - '0');
    digits = true;
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < s.size() && str::is_digit(s[i])) {
      value += (s[i] - '0') * scale;
      scale /= 10;
      digits = true;
      ++i;
    }
  }
  return digits && i == s.size() ? value : -1;
}

void apply_descriptor(std::string_view d, SrcsetCandidate& c) {
  if (d.size() < 2) return;
  char unit = str::to_lower(d.back());
  double v = parse_decimal(d.substr(0, d.size() - 1));
  if (v <= 0) return;
  if (unit == 'w') c.width = v;
  if (unit == 'x') c.density = v;
}

// A declared dimension of at most one pixel ("1", "0", "1px"): tracking pixels and spacers.
bool tiny_dimension(std::string_view value) {
  value = str::trim(value);
  if (str::iends_with(value, "px")) value = value.substr(0, value.size() - 2);
  double v = parse_decimal(value);
  return v >= 0 && v <= 1;
}

class MediaCollector {
 public:
  MediaCollector(const url::Url* base, std::vector<Media>& out) : base_(base), out_(out) {}

  bool full() const { return out_.size() >= limits::kMaxMediaPerDocument; }

  void add(std::string_view raw_url, MediaKind kind, std::string alt) {
    raw_url = str::trim(raw_url);
    if (raw_url.empty() || full()) return;
    auto resolved = url::parse(raw_url, base_);
    if (!resolved.ok()) return;
    if (resolved->scheme_type() != url::Scheme::kHttp &&
        resolved->scheme_type() != url::Scheme::kHttps) {
      return;
    }
    std::string href(resolved->href());
    if (!seen_.insert(href).second) return;
    out_.push_back({std::move(href), kind, std::move(alt)});
  }

  // The URL to report for an <img>: see the header for the order.
  static std::string_view image_url(const Node* img) {
    const Node* picture = img->parent;
    if (picture != nullptr && picture->is(Tag::kPicture)) {
      std::string_view best = best_in_picture(picture, img);
      if (!best.empty()) return best;
    }
    for (std::string_view attr : {"srcset", "data-srcset", "data-lazy-srcset"}) {
      std::string_view candidate = largest_srcset_candidate(img->attr_value(attr));
      if (usable(candidate)) return candidate;
    }
    for (std::string_view attr : {"data-src", "data-lazy-src", "data-original", "src"}) {
      std::string_view candidate = str::trim(img->attr_value(attr));
      if (usable(candidate)) return candidate;
    }
    return {};
  }

  void image(const Node* img) {
    if (is_tracking_pixel(img)) return;
    add(image_url(img), MediaKind::kImage, str::collapse_whitespace(img->attr_value("alt")));
  }

  void video_or_audio(const Node* element, MediaKind kind) {
    std::string alt = str::collapse_whitespace(element->attr_value("title"));
    if (alt.empty()) alt = str::collapse_whitespace(element->attr_value("aria-label"));
    std::string_view src = str::trim(element->attr_value("src"));
    if (!usable(src)) {
      src = {};
      for (const Node* c = element->first_child; c != nullptr; c = c->next_sibling) {
        if (!c->is(Tag::kSource)) continue;
        std::string_view s = str::trim(c->attr_value("src"));
        if (usable(s)) {
          src = s;
          break;
        }
      }
    }
    add(src, kind, alt);
    if (kind == MediaKind::kVideo) {
      std::string_view poster = str::trim(element->attr_value("poster"));
      if (usable(poster)) add(poster, MediaKind::kImage, alt);
    }
  }

 private:
  static bool usable(std::string_view u) {
    return !u.empty() && !str::istarts_with(u, "data:") && !str::istarts_with(u, "blob:");
  }

  // The largest candidate among the <source> elements before `img` in its <picture> and `img`
  // itself, compared by width descriptor, then density (HTML 4.8.4.2: the sources are
  // alternatives of the same image).
  // The view points into an attribute value, so it lives as long as the document.
  static std::string_view best_in_picture(const Node* picture, const Node* img) {
    SrcsetCandidate best;
    bool found = false;
    auto consider = [&](std::string_view srcset) {
      for (const SrcsetCandidate& c : parse_srcset(srcset)) {
        if (!usable(c.url)) continue;
        double d = c.width == 0 && c.density == 0 ? 1 : c.density;
        double best_d = best.width == 0 && best.density == 0 ? 1 : best.density;
        bool better = !found || c.width > best.width || (c.width == best.width && d > best_d);
        if (better) {
          best = c;
          if (best.width == 0 && best.density == 0) best.density = 1;
          found = true;
        }
      }
    };
    for (const Node* c = picture->first_child; c != nullptr && c != img; c = c->next_sibling) {
      if (!c->is(Tag::kSource)) continue;
      std::string_view srcset = c->attr_value("srcset");
      if (srcset.empty()) srcset = c->attr_value("data-srcset");
      consider(srcset);
    }
    consider(img->attr_value("srcset"));
    if (!found) consider(img->attr_value("data-srcset"));
    return found ? best.url : std::string_view();
  }

  const url::Url* base_;
  std::vector<Media>& out_;
  std::unordered_set<std::string> seen_;
};

// og:image, og:image:url, og:image:secure_url and twitter:image values in <meta> elements.
bool is_page_image_meta(const Node* meta) {
  std::string_view key = meta->attr_value("property");
  if (key.empty()) key = meta->attr_value("name");
  return str::iequals(key, "og:image") || str::iequals(key, "og:image:url") ||
         str::iequals(key, "og:image:secure_url") || str::iequals(key, "twitter:image") ||
         str::iequals(key, "twitter:image:src");
}

}  // namespace

std::vector<SrcsetCandidate> parse_srcset(std::string_view s) {
  std::vector<SrcsetCandidate> out;
  size_t i = 0;
  auto is_space = [](char c) { return str::is_html_space(c); };
  while (i < s.size()) {
    // Splitting loop: skip whitespace and commas, then the URL is the run of non-whitespace.
    while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
    if (i == s.size()) break;
    size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    std::string_view url = s.substr(start, i - start);
    SrcsetCandidate candidate;
    if (!url.empty() && url.back() == ',') {
      // A URL ending in ',' has no descriptors; the commas end the candidate.
      while (!url.empty() && url.back() == ',') url.remove_suffix(1);
    } else {
      // Descriptor tokenizer: whitespace-separated tokens up to a ',' outside parentheses.
      size_t token_start = i;
      bool in_parens = false;
      bool in_token = false;
      for (;;) {
        if (i == s.size()) {
          if (in_token) apply_descriptor(s.substr(token_start, i - token_start), candidate);
          break;
        }
        char c = s[i];
        if (!in_parens && (c == ',' || is_space(c))) {
          if (in_token) apply_descriptor(s.substr(token_start, i - token_start), candidate);
          in_token = false;
          ++i;
          if (c == ',') break;
          continue;
        }
        if (!in_token) {
          in_token = true;
          token_start = i;
        }
        if (c == '(') in_parens = true;
        if (c == ')') in_parens = false;
        ++i;
      }
    }
    if (url.empty()) continue;
    candidate.url = url;
    out.push_back(candidate);
  }
  return out;
}

std::string_view largest_srcset_candidate(std::string_view srcset) {
  std::vector<SrcsetCandidate> candidates = parse_srcset(srcset);
  const SrcsetCandidate* best = nullptr;
  bool any_width = false;
  for (const SrcsetCandidate& c : candidates) any_width = any_width || c.width > 0;
  for (const SrcsetCandidate& c : candidates) {
    if (best == nullptr) {
      best = &c;
      continue;
    }
    if (any_width) {
      if (c.width > best->width) best = &c;
    } else {
      double d = c.density > 0 ? c.density : 1;
      double best_d = best->density > 0 ? best->density : 1;
      if (d > best_d) best = &c;
    }
  }
  return best != nullptr ? best->url : std::string_view();
}

bool is_tracking_pixel(const Node* img) {
  for (std::string_view name : {"width", "height"}) {
    const html::Attribute* a = img->attr(name);
    if (a != nullptr && tiny_dimension(a->value)) return true;
  }
  return false;
}

std::vector<Media> collect_media(const Node* root, const url::Url* base) {
  std::vector<Media> media;
  if (root == nullptr) return media;
  MediaCollector collector(base, media);
  if (root->type == html::NodeType::kDocument) {
    for (const Node* n = root; n != nullptr; n = html::next_in_subtree(n, root)) {
      if (n->is(Tag::kMeta) && is_page_image_meta(n)) {
        collector.add(n->attr_value("content"), MediaKind::kImage, {});
      }
    }
  }
  for (const Node* n = root; n != nullptr && !collector.full();
       n = html::next_in_subtree(n, root)) {
    if (n->ns != html::Namespace::kHtml || n->type != html::NodeType::kElement) continue;
    switch (n->tag) {
      case Tag::kImg:
        collector.image(n);
        break;
      case Tag::kVideo:
        collector.video_or_audio(n, MediaKind::kVideo);
        break;
      case Tag::kAudio:
        collector.video_or_audio(n, MediaKind::kAudio);
        break;
      default:
        break;
    }
  }
  return media;
}

}  // namespace riptide::extract
