#include "extract/extractor.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_set>
#include <utility>

#include "core/strings.h"
#include "core/utf8.h"
#include "extract/content.h"
#include "extract/links.h"
#include "extract/markdown.h"
#include "extract/media.h"
#include "extract/metadata.h"
#include "html/selector.h"
#include "html/serializer.h"
#include "url/url.h"

namespace riptide::extract {

using html::Node;
using html::NodeType;
using html::Tag;

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::kArticle:
      return "article";
    case Mode::kFull:
      return "full";
    case Mode::kMetadata:
      return "metadata";
    case Mode::kCustom:
      return "custom";
  }
  return "article";
}

bool parse_mode(std::string_view name, Mode* out) {
  for (Mode m : {Mode::kArticle, Mode::kFull, Mode::kMetadata, Mode::kCustom}) {
    if (name == mode_name(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}

std::string_view media_kind_name(MediaKind kind) {
  switch (kind) {
    case MediaKind::kImage:
      return "image";
    case MediaKind::kVideo:
      return "video";
    case MediaKind::kAudio:
      return "audio";
  }
  return "image";
}

namespace {

// Code points that separate words like whitespace does: Unicode White_Space, the zero-width
// space (a word-break hint in Thai, Khmer and some CJK text), and the dashes, ellipsis and slash
// that English often writes between words without spaces ("then—suddenly", "and/or").
bool is_separator_cp(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == '/' || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || (c >= 0x2012 && c <= 0x2015) ||
         c == 0x2026 || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 ||
         c == 0xFEFF;
}

// Punctuation and symbols, which neither make nor break a word ("don't", "e-mail" and "(see"
// are one word each; "—" and "·" alone are none): ASCII punctuation, Latin-1 punctuation and
// symbols, General Punctuation through the arrows, maths, box drawing and dingbats blocks, CJK
// Symbols and Punctuation, CJK compatibility forms and fullwidth ASCII punctuation.
bool is_punct_cp(char32_t c) {
  if (c < 0x80) return !str::is_alnum(static_cast<char>(c));
  if (c >= 0xA1 && c <= 0xBF) return c != 0xAA && c != 0xB2 && c != 0xB3 && c != 0xB9 && c != 0xBA;
  if (c == 0xD7 || c == 0xF7) return true;
  if (c >= 0x2010 && c <= 0x2BFF) return true;
  if (c >= 0x3001 && c <= 0x303F) return true;
  if (c >= 0xFE30 && c <= 0xFE4F) return true;
  if (c >= 0xFF01 && c <= 0xFF0F) return true;
  return c >= 0xFF1A && c <= 0xFF20;
}

// Han ideographs (URO, extension A, compatibility, extensions B+), Hiragana and Katakana
// (including the half-width forms): each character counts as one word.
bool is_cjk_word_cp(char32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F) ||
         (c >= 0x20000 && c <= 0x3FFFF);
}

// The first <base href> in tree order (HTML 4.2.3 "the base element": the frozen base URL of the
// document is the first base element with an href attribute), or "".
std::string_view base_href(const html::Document& doc) {
  const Node* root = doc.root();
  for (const Node* n = root; n != nullptr; n = html::next_in_subtree(n, root)) {
    if (n->is(Tag::kBase) && n->has_attr("href")) return n->attr_value("href");
    if (n->is(Tag::kBody)) break;  // <base> belongs in <head>; stop at the body
  }
  return {};
}

// The URL relative references resolve against: the document's <base href> resolved against the
// page URL, else the page URL, else (no page URL given) the declared canonical URL.
std::optional<url::Url> base_url(const html::Document& doc, std::string_view page_url,
                                 std::string_view canonical) {
  std::optional<url::Url> page;
  if (!page_url.empty()) {
    if (auto parsed = url::parse(page_url); parsed.ok()) page = std::move(parsed).value();
  }
  if (!page && !canonical.empty()) {
    if (auto parsed = url::parse(canonical); parsed.ok()) page = std::move(parsed).value();
  }
  std::string_view href = str::trim(base_href(doc));
  if (!href.empty()) {
    auto parsed = url::parse(href, page ? &*page : nullptr);
    // A javascript: or other non-hierarchical base would make every link opaque; ignore it.
    if (parsed.ok() && (parsed->protocol() == "http:" || parsed->protocol() == "https:")) {
      return std::move(parsed).value();
    }
  }
  return page;
}

bool is_unrendered(const Node* n) {
  return n->is(Tag::kScript) || n->is(Tag::kStyle) || n->is(Tag::kTemplate) ||
         n->is(Tag::kNoscript) || n->is(Tag::kLink) || n->is(Tag::kMeta);
}

// Share of the content's text (non-whitespace bytes of text nodes) that sits inside links.
// Iterative pre-order walk that remembers the outermost open <a>.
double link_density(const Node* root) {
  uint64_t total = 0;
  uint64_t linked = 0;
  const Node* link = nullptr;
  const Node* n = root->first_child;
  while (n != nullptr) {
    if (n->is_text()) {
      uint64_t bytes = 0;
      for (char c : n->data) bytes += str::is_html_space(c) ? 0 : 1;
      total += bytes;
      if (link != nullptr) linked += bytes;
    } else if (n->is(Tag::kA) && link == nullptr) {
      link = n;
    }
    if (n->first_child != nullptr && !is_unrendered(n)) {
      n = n->first_child;
      continue;
    }
    // Leave n (and every ancestor whose last child we have finished).
    while (n != root) {
      if (n == link) link = nullptr;
      if (n->next_sibling != nullptr) break;
      n = n->parent;
    }
    n = n == root ? nullptr : n->next_sibling;
  }
  return total == 0 ? 0 : static_cast<double>(linked) / static_cast<double>(total);
}

// Removes what a custom selection may have picked up that is never content: scripts, styles,
// templates and comments (the renderers skip them anyway; this keeps Record::html clean).
void remove_unrendered(Node* root) {
  std::vector<Node*> doomed;
  for (Node* n = root->first_child; n != nullptr;) {
    if (n->type == NodeType::kComment ||
        (n->is_element() && is_unrendered(n) && !n->is(Tag::kNoscript))) {
      doomed.push_back(n);
      n = html::next_skipping_children(n, root);
    } else {
      n = html::next_in_subtree(n, root);
    }
  }
  for (Node* n : doomed) html::remove_node(n);
}

}  // namespace

uint32_t count_words(std::string_view text) {
  uint32_t words = 0;
  bool in_word = false;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    size_t len = 1;
    char32_t c = static_cast<unsigned char>(*p);
    if (c >= 0x80) c = utf8::decode(p, end, &len);
    p += len;
    if (is_separator_cp(c)) {
      in_word = false;
    } else if (is_cjk_word_cp(c)) {
      ++words;
      in_word = false;
    } else if (is_punct_cp(c)) {
      // Neither starts nor ends a word.
    } else if (!in_word) {
      ++words;
      in_word = true;
    }
  }
  return words;
}

uint32_t reading_minutes(uint32_t words) {
  return words / kWordsPerMinute + (words % kWordsPerMinute != 0 ? 1 : 0);
}

uint32_t quality_score(const QualitySignals& s) {
  double confidence = std::clamp(s.confidence, 0.0, 1.0);
  double length = std::min(1.0, static_cast<double>(s.words) / 300.0);
  double density = std::clamp(s.link_density, 0.0, 1.0);
  // Link density says something once there is text to measure it on: the points grow with the
  // first few sentences, not with the article's length (length has its own part above).
  constexpr double kDensityWords = 50;
  double measured = std::min(1.0, static_cast<double>(s.words) / kDensityWords);
  double score = 40 * confidence + 25 * length + 20 * (1 - density) * measured;
  score += s.has_title ? 5 : 0;
  score += s.has_published ? 3 : 0;
  score += s.has_byline ? 3 : 0;
  score += s.has_description ? 2 : 0;
  score += s.has_language ? 2 : 0;
  return static_cast<uint32_t>(std::clamp(std::lround(score), 0L, 100L));
}

Extractor::Extractor() = default;
Extractor::~Extractor() = default;

Result<Record> Extractor::extract(std::string_view utf8_html, const Options& options) {
  size_t max_bytes = std::min(options.max_input_bytes, limits::kMaxHtmlBytes);
  if (utf8_html.size() > max_bytes) {
    return Error(ErrorCode::kResourceLimit, "input of " + std::to_string(utf8_html.size()) +
                                                " bytes exceeds the limit of " +
                                                std::to_string(max_bytes) + " bytes");
  }
  // Selectors are compiled before parsing so a typo fails fast, and the error names the
  // selector the caller wrote.
  std::vector<html::SelectorList> selectors;
  if (options.mode == Mode::kCustom) {
    if (options.selectors.empty()) {
      return Error(ErrorCode::kInvalidArgument, "custom mode needs at least one selector");
    }
    for (const std::string& text : options.selectors) {
      auto parsed = html::parse_selector_list(text);
      if (!parsed.ok()) {
        return Error(parsed.error().code(),
                     "invalid selector \"" + text + "\": " + parsed.error().message());
      }
      selectors.push_back(std::move(parsed).value());
    }
  }

  Status parsed = parser_.parse(utf8_html, doc_);
  if (!parsed.ok()) return parsed.error();

  Record record;
  record.stats.input_bytes = utf8_html.size();
  record.stats.nodes = doc_.node_count;
  record.stats.limits = doc_.limits.describe();

  // Metadata first: content extraction moves and removes nodes it reads (<time>, bylines).
  std::optional<url::Url> page;
  if (!options.url.empty()) {
    if (auto u = url::parse(options.url); u.ok()) page = std::move(u).value();
  }
  Metadata meta = extract_metadata(doc_, page ? &*page : nullptr);
  std::optional<url::Url> base = base_url(doc_, options.url, meta.canonical_url);
  const url::Url* base_ptr = base ? &*base : nullptr;

  record.url = !meta.canonical_url.empty() ? meta.canonical_url
               : page                      ? std::string(page->href())
                                           : options.url;
  record.title = std::move(meta.title);
  record.byline = std::move(meta.byline);
  record.published = std::move(meta.published);
  record.site_name = std::move(meta.site_name);
  record.description = std::move(meta.description);
  record.language = std::move(meta.language);
  record.categories = std::move(meta.categories);

  QualitySignals signals;
  signals.has_title = !record.title.empty();
  signals.has_byline = !record.byline.empty();
  signals.has_published = !record.published.empty();
  signals.has_description = !record.description.empty();
  signals.has_language = !record.language.empty();

  // Before the mode's content extraction, which takes the chosen content out of the document.
  if (options.page_links) record.page_links = collect_links(doc_.root(), base_ptr);

  Node* content = nullptr;
  switch (options.mode) {
    case Mode::kArticle: {
      ContentOptions hints;
      hints.title_hint = record.title;
      hints.article_body_hint = meta.article_body;
      ContentResult result = extract_article(doc_, hints);
      content = result.root;
      signals.confidence = result.confidence;
      break;
    }
    case Mode::kFull: {
      ContentResult result = extract_full(doc_);
      content = result.root;
      signals.confidence = result.confidence;
      break;
    }
    case Mode::kMetadata:
      break;
    case Mode::kCustom: {
      // Union of all matches; a match inside another match is covered by its ancestor, so only
      // the outermost matches are moved (in document order) and nothing is emitted twice.
      std::unordered_set<const Node*> matched;
      html::MatchOptions match_options = html::MatchOptions::for_document(doc_);
      for (const html::SelectorList& list : selectors) {
        for (const Node* n : html::select_all(list, doc_.root(), match_options)) matched.insert(n);
      }
      std::vector<Node*> outermost;
      Node* root = doc_.root();
      for (Node* n = root->first_child; n != nullptr;) {
        if (matched.count(n) != 0) {
          outermost.push_back(n);
          n = html::next_skipping_children(n, root);
        } else {
          n = html::next_in_subtree(n, root);
        }
      }
      content = doc_.create_node(NodeType::kFragment);
      for (Node* n : outermost) {
        html::remove_node(n);
        html::append_child(content, n);
      }
      remove_unrendered(content);
      signals.confidence = content->first_child != nullptr ? 1 : 0;
      break;
    }
  }

  if (content != nullptr) {
    RenderOptions render;
    render.base = base_ptr;
    record.markdown = to_markdown(content, render);
    record.text = to_text(content);
    if (options.include_html) html::append_inner_html(content, record.html);
    record.links = collect_links(content, base_ptr);
    record.media = collect_media(content, base_ptr);
    signals.link_density = link_density(content);
  }
  // The page's declared image (og:image, JSON-LD image) leads the media list: it is the picture
  // the publisher chose to represent the page. When the content shows it too, that entry (with
  // its alt text) is moved to the front.
  if (!meta.image.empty()) {
    auto found = std::find_if(record.media.begin(), record.media.end(),
                              [&](const Media& m) { return m.url == meta.image; });
    if (found != record.media.end()) {
      std::rotate(record.media.begin(), found, found + 1);
    } else {
      if (record.media.size() >= limits::kMaxMediaPerDocument) record.media.pop_back();
      Media image;
      image.url = std::move(meta.image);
      image.kind = MediaKind::kImage;
      record.media.insert(record.media.begin(), std::move(image));
    }
  }

  record.word_count = count_words(record.text);
  record.reading_time = reading_minutes(record.word_count);
  signals.words = record.word_count;
  record.quality_score = quality_score(signals);
  return record;
}

}  // namespace riptide::extract
