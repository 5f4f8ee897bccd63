#include "extract/metadata.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <unordered_set>

#include "core/json.h"
#include "core/limits.h"
#include "core/strings.h"
#include "core/utf8.h"
#include "extract/links.h"
#include "html/entities.h"

namespace riptide::extract {

using html::Node;
using html::Tag;

namespace {

// Bylines longer than this are prose (an author bio), not a name.
constexpr size_t kMaxBylineBytes = 120;
// Category and breadcrumb labels longer than this are sentences, not labels.
constexpr size_t kMaxCategoryBytes = 100;
// Breadcrumb items of more words than this name the current page (its headline), not a section.
constexpr size_t kMaxCrumbWords = 6;
// Objects collected from all JSON-LD blocks of a page.
constexpr size_t kMaxJsonLdObjects = 2048;
// Byline candidates examined per page (each costs a bounded text walk).
constexpr uint32_t kMaxBylineAttempts = 64;
// Nodes examined inside one byline or heading candidate when looking for a nested name or link.
constexpr size_t kMaxNodesPerCandidate = 512;
// <h1> texts compared with the title.
constexpr size_t kMaxHeadings = 8;

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool contains_lower(std::string_view haystack, std::string_view lower_needle) {
  return str::icontains(haystack, lower_needle);
}

// HTML character references in JSON-LD strings: many CMSs HTML-escape text before putting it in
// JSON ("Caf&eacute; &amp; Bar"). Only terminated references are decoded (13.5 names; numeric
// references as in 13.2.5.80 without the legacy remapping).
std::string decode_entities(std::string_view s) {
  if (s.find('&') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    std::string_view rest = s.substr(i + 1);
    if (!rest.empty() && rest[0] == '#') {
      size_t j = 1;
      bool hex = j < rest.size() && (rest[j] == 'x' || rest[j] == 'X');
      if (hex) ++j;
      size_t digits_start = j;
      uint32_t cp = 0;
      while (j < rest.size() && j - digits_start < 8 &&
             (hex ? str::is_hex_digit(rest[j]) : str::is_digit(rest[j]))) {
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(str::hex_value(rest[j]));
        ++j;
      }
      if (j > digits_start && j < rest.size() && rest[j] == ';') {
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = utf8::kReplacement;
        utf8::append(out, cp);
        i += j + 2;
        continue;
      }
    } else {
      html::EntityMatch m = html::match_named_entity(rest);
      if (m.length > 0 && m.semicolon) {
        out.append(m.expansion);
        i += m.length + 1;
        continue;
      }
    }
    out.push_back('&');
    ++i;
  }
  return out;
}

size_t word_count(std::string_view s) {
  return str::split_whitespace(s).size();
}

bool looks_like_url(std::string_view s) {
  return str::istarts_with(s, "http://") || str::istarts_with(s, "https://") ||
         str::istarts_with(s, "//") || str::istarts_with(s, "www.");
}

// Bylines of more words than this are sentences (a bio, a teaser), not names.
constexpr size_t kMaxBylineWords = 12;

// Removes markup some CMSs leave in <meta name=author> ("<a href=…>Name</a>").
std::string strip_tags(std::string_view s) {
  if (s.find('<') == std::string_view::npos) return std::string(s);
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') {
      in_tag = true;
    } else if (c == '>' && in_tag) {
      in_tag = false;
      out.push_back(' ');
    } else if (!in_tag) {
      out.push_back(c);
    }
  }
  return out;
}

// "By Jane Doe" → "Jane Doe": the word introducing a byline, in the languages we read dates in.
std::string strip_byline_prefix(std::string s) {
  static constexpr std::string_view kPrefixes[] = {
      "written by", "posted by", "published by", "article by",   "story by",        "text by",
      "author:",    "authors:",  "by",           "erstellt von", "geschrieben von", "autor:",
      "autorin:",   "von",       "par",          "por"};
  for (std::string_view p : kPrefixes) {
    if (s.size() > p.size() && str::istarts_with(s, p)) {
      char next = s[p.size()];
      if (p.back() == ':' || next == ' ' || next == ':') {
        size_t start = p.size();
        while (start < s.size() && (s[start] == ' ' || s[start] == ':')) ++start;
        return s.substr(start);
      }
    }
    if (str::iequals(s, p)) return {};  // only the introducing word, the name is elsewhere
  }
  return s;
}

// Separators between a name and what follows it in a byline ("Jane Doe | 5 March 2024").
constexpr std::string_view kBylineSeparators[] = {" | ", " \xE2\x80\x93 ", " \xE2\x80\x94 ",
                                                  " \xC2\xB7 ", " \xE2\x80\xA2 "};

std::string clean_byline(std::string_view raw) {
  std::string s = str::collapse_whitespace(strip_tags(raw));
  // Leading separators left over from the surrounding markup ("| Jane Doe").
  size_t start = 0;
  while (start < s.size() && (s[start] == '|' || s[start] == '-' || s[start] == ',' ||
                              s[start] == ':' || s[start] == ' ')) {
    ++start;
  }
  s = strip_byline_prefix(s.substr(start));
  for (std::string_view sep : kBylineSeparators) {
    size_t at = s.find(sep);
    if (at != std::string::npos && at > 0) s.resize(at);
  }
  // "Jane Doe - https://jane.example": the name without the homepage that follows it.
  if (!looks_like_url(s)) {
    std::string kept;
    for (std::string_view word : str::split_whitespace(s)) {
      if (looks_like_url(word)) break;
      if (!kept.empty()) kept.push_back(' ');
      kept.append(word);
    }
    while (!kept.empty() &&
           (kept.back() == '-' || kept.back() == ' ' || kept.back() == ',' || kept.back() == '|')) {
      kept.pop_back();
    }
    s = std::move(kept);
  }
  s = std::string(str::trim(s));
  if (s.size() < 2 || s.size() > kMaxBylineBytes || looks_like_url(s)) return {};
  if (word_count(s) > kMaxBylineWords || str::iends_with(s, " by")) return {};
  return s;
}

// ---------------------------------------------------------------------------------------------
// Separators between a title and the site name, and clean_title.

constexpr std::string_view kTitleSeparators[] = {
    " | ",  " - ",        " \xE2\x80\x93 ", " \xE2\x80\x94 ", " \xC2\xB7 ", " \xE2\x80\xA2 ",
    " :: ", " \xC2\xBB ", " // ",           " \xE2\x80\xBA "};
// Separators that put a site name first ("Site | Title"); a hyphen there is too often part of
// the title itself.
constexpr std::string_view kPrefixSeparators[] = {" | ", " :: ", " \xC2\xBB ", " // ",
                                                  " \xE2\x80\xBA "};

std::string strip_known_site(std::string_view title, std::string_view site) {
  for (std::string_view sep : kTitleSeparators) {
    if (title.size() > sep.size() + site.size()) {
      std::string_view tail = title.substr(title.size() - site.size());
      std::string_view before = title.substr(title.size() - site.size() - sep.size(), sep.size());
      if (str::iequals(tail, site) && before == sep) {
        return std::string(str::trim(title.substr(0, title.size() - site.size() - sep.size())));
      }
      std::string_view head = title.substr(0, site.size());
      std::string_view after = title.substr(site.size(), sep.size());
      if (str::iequals(head, site) && after == sep) {
        return std::string(str::trim(title.substr(site.size() + sep.size())));
      }
    }
  }
  return {};
}

std::string strip_guessed_site(std::string_view title) {
  // Suffix: the part after the last separator.
  size_t best = std::string_view::npos;
  size_t best_len = 0;
  for (std::string_view sep : kTitleSeparators) {
    size_t at = title.rfind(sep);
    if (at != std::string_view::npos && (best == std::string_view::npos || at > best)) {
      best = at;
      best_len = sep.size();
    }
  }
  if (best != std::string_view::npos) {
    std::string_view head = str::trim(title.substr(0, best));
    std::string_view tail = str::trim(title.substr(best + best_len));
    size_t tail_words = word_count(tail);
    if (!head.empty() && tail_words >= 1 && tail_words <= 4 && word_count(head) >= tail_words) {
      return std::string(head);
    }
  }
  // Prefix: "Site | A longer title".
  size_t first = std::string_view::npos;
  size_t first_len = 0;
  for (std::string_view sep : kPrefixSeparators) {
    size_t at = title.find(sep);
    if (at != std::string_view::npos && (first == std::string_view::npos || at < first)) {
      first = at;
      first_len = sep.size();
    }
  }
  if (first != std::string_view::npos) {
    std::string_view head = str::trim(title.substr(0, first));
    std::string_view rest = str::trim(title.substr(first + first_len));
    size_t head_words = word_count(head);
    if (!rest.empty() && head_words >= 1 && head_words <= 3 && word_count(rest) > head_words + 1) {
      return std::string(rest);
    }
  }
  return {};
}

// When the page's <h1> is one of the parts of a title joined by a separator ("Headline | Site",
// "Section - Headline"), the heading is the title without the site's decorations.
std::string prefer_heading(const std::string& title, const std::vector<std::string>& headings) {
  auto separator_ends_at = [](std::string_view t, size_t end) {
    for (std::string_view sep : kTitleSeparators) {
      if (end >= sep.size() && t.substr(end - sep.size(), sep.size()) == sep) return true;
    }
    return false;
  };
  auto separator_starts_at = [](std::string_view t, size_t start) {
    for (std::string_view sep : kTitleSeparators) {
      if (t.substr(start, sep.size()) == sep) return true;
    }
    return false;
  };
  std::string_view t(title);
  for (const std::string& h : headings) {
    if (h.empty() || h.size() >= title.size()) continue;
    // Any occurrence delimited by separators or the ends: first, last or a middle part
    // ("tag - Question - Site").
    for (size_t at = t.find(h); at != std::string_view::npos; at = t.find(h, at + 1)) {
      size_t end = at + h.size();
      bool left = at == 0 || separator_ends_at(t, at);
      bool right = end == t.size() || separator_starts_at(t, end);
      if (left && right) return h;
    }
  }
  return title;
}

std::string site_from_title(std::string_view full, std::string_view title) {
  if (full.size() <= title.size()) return {};
  for (std::string_view sep : kTitleSeparators) {
    std::string_view rest;
    if (full.substr(0, title.size()) == title && full.substr(title.size(), sep.size()) == sep) {
      rest = full.substr(title.size() + sep.size());
    } else if (full.size() >= title.size() + sep.size() &&
               full.substr(full.size() - title.size()) == title &&
               full.substr(full.size() - title.size() - sep.size(), sep.size()) == sep) {
      rest = full.substr(0, full.size() - title.size() - sep.size());
    } else {
      continue;
    }
    rest = str::trim(rest);
    bool one_part = true;
    for (std::string_view other : kTitleSeparators)
      one_part = one_part && rest.find(other) == rest.npos;
    size_t words = word_count(rest);
    if (one_part && words >= 1 && words <= 4) return std::string(rest);
    return {};
  }
  return {};
}

// "Headline : 31.10.2023, 10.19 Uhr" → "Headline": a trailing part after a separator (or " : ")
// that starts with a digit and is a date is a timestamp, not part of the title.
std::string strip_date_suffix(const std::string& title) {
  std::vector<std::pair<size_t, size_t>> cuts;  // (position, separator length)
  auto collect = [&](std::string_view sep) {
    for (size_t at = title.find(sep); at != std::string::npos; at = title.find(sep, at + 1)) {
      if (at > 0) cuts.emplace_back(at, sep.size());
    }
  };
  for (std::string_view sep : kTitleSeparators) collect(sep);
  collect(" : ");
  // The date may itself contain ", " ("31.10.2023, 10.19 Uhr"): try the rightmost cut first.
  std::sort(cuts.begin(), cuts.end(),
            [](const auto& x, const auto& y) { return x.first > y.first; });
  for (const auto& [at, length] : cuts) {
    std::string_view tail = str::trim(std::string_view(title).substr(at + length));
    if (!tail.empty() && str::is_digit(tail[0]) && !normalize_date(tail).empty()) {
      return std::string(str::trim(std::string_view(title).substr(0, at)));
    }
  }
  return title;
}

std::string clean_title_impl(std::string_view raw, std::string_view raw_site, bool guess) {
  std::string title = str::collapse_whitespace(raw);
  std::string site = str::collapse_whitespace(raw_site);
  if (title.empty()) return title;
  if (!site.empty()) {
    std::string stripped = strip_known_site(title, site);
    if (!stripped.empty()) return strip_date_suffix(stripped);
  }
  title = strip_date_suffix(title);
  if (guess) {
    std::string stripped = strip_guessed_site(title);
    if (!stripped.empty()) return stripped;
  }
  return title;
}

// ---------------------------------------------------------------------------------------------
// One pass over the DOM collects every HTML source.

struct MetaEntry {
  std::string key;  // lower-cased name / property / itemprop / http-equiv
  std::string_view value;
};

struct Crumb {
  std::string text;
  std::string_view href;
};

struct PageScan {
  std::string_view html_lang;
  std::vector<MetaEntry> metas;
  std::string_view canonical_href;
  std::string_view image_src_href;
  std::vector<std::string> json_ld;
  const Node* title = nullptr;
  std::string itemprop_headline;
  std::string itemprop_author;
  std::string itemprop_published;
  std::string itemprop_modified;
  std::string itemprop_image;
  std::string time_pubdate;
  std::string time_in_article;
  std::string time_any;
  std::string date_element;  // text of the first element whose class/id names a date
  uint32_t date_attempts = 0;
  std::string rel_author;
  std::string byline_strong;  // class/id contains "byline"
  std::string byline_weak;    // class/id contains "author"
  uint32_t byline_attempts = 0;
  uint32_t heading_attempts = 0;
  std::vector<Crumb> crumbs;
  bool crumbs_done = false;
  std::vector<std::string> headings;  // text of the first kMaxHeadings <h1> elements

  // The first value of the first key (in key order) present; "" when none.
  std::string_view meta(std::initializer_list<std::string_view> keys) const {
    for (std::string_view key : keys) {
      for (const MetaEntry& e : metas) {
        if (e.key == key && !str::trim(e.value).empty()) return str::trim(e.value);
      }
    }
    return {};
  }
  // Every value of these keys, in document order.
  std::vector<std::string_view> meta_all(std::initializer_list<std::string_view> keys) const {
    std::vector<std::string_view> out;
    for (const MetaEntry& e : metas) {
      for (std::string_view key : keys) {
        if (e.key == key && !str::trim(e.value).empty()) out.push_back(str::trim(e.value));
      }
    }
    return out;
  }
};

bool has_rel(const Node* n, std::string_view token) {
  for (std::string_view t : str::split_whitespace(n->attr_value("rel"))) {
    if (str::iequals(t, token)) return true;
  }
  return false;
}

// Words in class and id values that the heuristics below look for, found in one pass per
// element (the scan visits every element, so this is the hot path).
enum Hint : uint32_t {
  kHintByline = 1 << 0,
  kHintAuthor = 1 << 1,  // "author", and "autor" (de/es/pt/pl…), "auteur" (fr)
  kHintBreadcrumb = 1 << 2,
  kHintDate = 1 << 3,  // "date", "published"
  kHintUpdate = 1 << 4,
  // Regions whose bylines and dates are not the article's.
  kHintComment = 1 << 5,
  kHintSidebar = 1 << 6,
  kHintWidget = 1 << 7,
  kHintRelated = 1 << 8,
  kHintNav = 1 << 9,
  kHintCurrent = 1 << 10,  // "current-date": today's date in a page header
  kHintBio = 1 << 11,
  kHintPicture = 1 << 12,  // "photo", "caption", "credit", "gallery": a picture's credit line
};

uint32_t hints_in(std::string_view value) {
  struct Word {
    std::string_view text;
    uint32_t hint;
  };
  static constexpr Word kWords[] = {
      {"byline", kHintByline},   {"author", kHintAuthor},         {"autor", kHintAuthor},
      {"auteur", kHintAuthor},   {"breadcrumb", kHintBreadcrumb}, {"date", kHintDate},
      {"published", kHintDate},  {"update", kHintUpdate},         {"comment", kHintComment},
      {"sidebar", kHintSidebar}, {"widget", kHintWidget},         {"related", kHintRelated},
      {"nav", kHintNav},         {"current", kHintCurrent},       {"bio", kHintBio},
      {"photo", kHintPicture},   {"caption", kHintPicture},       {"credit", kHintPicture},
      {"gallery", kHintPicture},
  };
  uint32_t mask = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = str::to_lower(value[i]);
    if (c != 'a' && c != 'b' && c != 'c' && c != 'd' && c != 'g' && c != 'n' && c != 'p' &&
        c != 'r' && c != 's' && c != 'u' && c != 'w') {
      continue;
    }
    for (const Word& w : kWords) {
      if (w.text[0] != c || w.text.size() > value.size() - i) continue;
      size_t k = 1;
      while (k < w.text.size() && str::to_lower(value[i + k]) == w.text[k]) ++k;
      if (k == w.text.size()) mask |= w.hint;
    }
  }
  return mask;
}

uint32_t hints_of(const Node* n) {
  uint32_t mask = 0;
  if (const html::Attribute* a = n->attr("class")) mask |= hints_in(a->value);
  if (const html::Attribute* a = n->attr("id")) mask |= hints_in(a->value);
  return mask;
}

bool class_or_id_contains(const Node* n, std::string_view lower_needle) {
  return contains_lower(n->attr_value("class"), lower_needle) ||
         contains_lower(n->attr_value("id"), lower_needle);
}

// Whether an ancestor (or `n`) is one of `tags` or has a class/id containing one of `hints`.
// Bounded by the tree depth, which the parser caps at limits::kMaxDomDepth.
bool inside(const Node* n, std::initializer_list<Tag> tags,
            std::initializer_list<std::string_view> hints) {
  for (const Node* p = n; p != nullptr; p = p->parent) {
    if (!p->is_element()) continue;
    for (Tag t : tags) {
      if (p->is(t)) return true;
    }
    for (std::string_view h : hints) {
      if (class_or_id_contains(p, h)) return true;
    }
  }
  return false;
}

// Whether `n` or an ancestor is <nav>, <footer>, <aside>, <figure> or <figcaption>, or has a
// class/id with one of the
// `hints`. Bounded by the tree depth (limits::kMaxDomDepth).
bool inside_region(const Node* n, uint32_t hints) {
  for (const Node* p = n; p != nullptr; p = p->parent) {
    if (!p->is_element()) continue;
    if (p->is(Tag::kNav) || p->is(Tag::kFooter) || p->is(Tag::kAside) || p->is(Tag::kFigure) ||
        p->is(Tag::kFigcaption)) {
      return true;
    }
    if (p->attr_count != 0 && (hints_of(p) & hints) != 0) return true;
  }
  return false;
}

// The microdata property value of an element (HTML 5.2.4 "Values").
std::string itemprop_value(const Node* e) {
  std::string_view v;
  switch (e->tag) {
    case Tag::kMeta:
      v = e->attr_value("content");
      break;
    case Tag::kAudio:
    case Tag::kEmbed:
    case Tag::kIframe:
    case Tag::kImg:
    case Tag::kSource:
    case Tag::kTrack:
    case Tag::kVideo:
      v = e->attr_value("src");
      break;
    case Tag::kA:
    case Tag::kArea:
    case Tag::kLink:
      v = e->attr_value("href");
      break;
    case Tag::kObject:
      v = e->attr_value("data");
      break;
    case Tag::kData:
    case Tag::kMeter:
      v = e->attr_value("value");
      break;
    case Tag::kTime:
      if (e->has_attr("datetime")) {
        v = e->attr_value("datetime");
        break;
      }
      return collapsed_text(e, 512);
    default:
      if (e->has_attr("content")) {  // common (invalid) pattern: <span itemprop content="…">
        v = e->attr_value("content");
        break;
      }
      return collapsed_text(e, 512);
  }
  return str::collapse_whitespace(v);
}

// An itemprop=author element: the nested itemprop=name when it is an item, else its text.
std::string itemprop_author_value(const Node* e) {
  for (const Node* n = e->first_child; n != nullptr; n = html::next_in_subtree(n, e)) {
    if (!n->is_element()) continue;
    for (std::string_view p : str::split_whitespace(n->attr_value("itemprop"))) {
      if (p == "name") return itemprop_value(n);
    }
  }
  return itemprop_value(e);
}

void read_itemprops(const Node* n, PageScan& scan) {
  const html::Attribute* attr = n->attr("itemprop");
  if (attr == nullptr || n->is(Tag::kMeta)) return;  // <meta itemprop> is read as a meta entry
  for (std::string_view p : str::split_whitespace(attr->value)) {
    if (p == "headline" && scan.itemprop_headline.empty()) {
      scan.itemprop_headline = itemprop_value(n);
    } else if (p == "author" && scan.itemprop_author.empty()) {
      scan.itemprop_author = itemprop_author_value(n);
    } else if (p == "datePublished" && scan.itemprop_published.empty()) {
      scan.itemprop_published = itemprop_value(n);
    } else if (p == "dateModified" && scan.itemprop_modified.empty()) {
      scan.itemprop_modified = itemprop_value(n);
    } else if (p == "image" && scan.itemprop_image.empty() && !n->is(Tag::kMeta)) {
      scan.itemprop_image = itemprop_value(n);
    }
  }
}

void read_meta(const Node* n, PageScan& scan) {
  const html::Attribute* content = n->attr("content");
  if (content == nullptr) return;
  for (std::string_view attr : {"property", "name", "itemprop", "http-equiv"}) {
    std::string_view key = str::trim(n->attr_value(attr));
    if (key.empty()) continue;
    // Microdata names are case-sensitive, but "datePublished" vs "datepublished" is a typo
    // worth forgiving; the prefix keeps them apart from <meta name>.
    std::string lower = str::to_lower(key);
    if (attr == std::string_view("itemprop")) lower = "itemprop:" + lower;
    scan.metas.push_back({std::move(lower), content->value});
  }
}

void read_time(const Node* n, PageScan& scan) {
  std::string_view datetime = n->attr_value("datetime");
  if (n->has_attr("pubdate") && scan.time_pubdate.empty()) {
    scan.time_pubdate = datetime.empty() ? collapsed_text(n, 256) : std::string(datetime);
  }
  if (datetime.empty()) return;
  if (scan.time_any.empty()) scan.time_any = std::string(datetime);
  if (scan.time_in_article.empty() && inside(n, {Tag::kArticle}, {})) {
    scan.time_in_article = std::string(datetime);
  }
}

// Date candidates from markup without machine-readable dates: a short element whose class or id
// names a date ("date", "post-date", "entry-date", "published"), away from navigation (where a
// "current date" shows today), comments and sidebars.
void read_date_element(const Node* n, uint32_t hints, PageScan& scan) {
  if ((hints & kHintDate) == 0 || (hints & kHintUpdate) != 0 || !scan.date_element.empty()) return;
  if (n->is(Tag::kTime) || n->is(Tag::kBody) || n->is(Tag::kHtml)) return;
  if (++scan.date_attempts > kMaxBylineAttempts) return;
  if (inside_region(
          n, kHintComment | kHintSidebar | kHintWidget | kHintRelated | kHintNav | kHintCurrent)) {
    return;
  }
  std::string text = collapsed_text(n, 128);
  if (text.size() > 80) return;
  std::string date = normalize_date(text);
  if (!date.empty()) scan.date_element = std::move(date);
}

// /2024/03/05/ in a URL's path, as blogs and news sites lay out their archives.
std::string date_from_url_path(std::string_view path) {
  for (size_t i = 0; i + 11 <= path.size(); ++i) {
    if (path[i] != '/') continue;
    std::string_view rest = path.substr(i + 1);
    if (rest.size() < 10 || !str::is_digit(rest[0]) || !str::is_digit(rest[3]) || rest[4] != '/' ||
        (i > 0 && str::is_digit(path[i - 1]))) {
      continue;
    }
    size_t end = rest.find('/', 5);
    if (end == std::string_view::npos) continue;
    size_t day_end = rest.find('/', end + 1);
    if (day_end == std::string_view::npos) continue;  // the day must be a whole segment
    std::string_view candidate = rest.substr(0, day_end);
    if (candidate.size() > 10) continue;
    std::string date = normalize_date(candidate);
    if (!date.empty()) return date;
  }
  return {};
}

// Byline candidates: elements whose class or id names a byline or author (generic hints), away
// from comments, sidebars and navigation.
void read_byline(const Node* n, uint32_t hints, PageScan& scan) {
  bool strong = scan.byline_strong.empty() && (hints & kHintByline) != 0;
  bool weak = !strong && scan.byline_weak.empty() && (hints & kHintAuthor) != 0;
  if (!strong && !weak) return;
  if (++scan.byline_attempts > kMaxBylineAttempts) return;
  if (n->is(Tag::kHtml) || n->is(Tag::kBody) || n->is(Tag::kArticle) || n->is(Tag::kMain)) return;
  if (inside_region(
          n, kHintComment | kHintSidebar | kHintWidget | kHintRelated | kHintBio | kHintPicture)) {
    return;
  }
  // A byline block often wraps the name in rel=author or itemprop=name; prefer that.
  std::string text;
  size_t budget = kMaxNodesPerCandidate;
  for (const Node* c = n->first_child; c != nullptr && budget-- > 0;
       c = html::next_in_subtree(c, n)) {
    if (!c->is_element()) continue;
    if ((c->is(Tag::kA) && has_rel(c, "author")) ||
        c->attr_value("itemprop") == std::string_view("name")) {
      text = clean_byline(collapsed_text(c, 512));
      if (!text.empty()) break;
    }
  }
  if (text.empty()) text = clean_byline(collapsed_text(n, 512));
  if (text.empty()) return;
  (strong ? scan.byline_strong : scan.byline_weak) = std::move(text);
}

// The site root: "/", "https://host", "https://host/".
bool is_root_href(std::string_view href) {
  if (href == "/") return true;
  size_t scheme = href.find("://");
  if (scheme == std::string_view::npos) return false;
  size_t slash = href.find('/', scheme + 3);
  return slash == std::string_view::npos || slash == href.size() - 1;
}

// A page-header container: <header>, or the id / class token "header" that themes give it.
bool is_page_header(const Node* n) {
  if (n->is(Tag::kHeader)) return true;
  std::string_view id = n->attr_value("id");
  if (str::iequals(id, "header") || str::iequals(id, "headerimg") ||
      str::iequals(id, "site-header")) {
    return true;
  }
  for (std::string_view token : str::split_whitespace(n->attr_value("class"))) {
    if (str::iequals(token, "header") || str::iequals(token, "site-header")) return true;
  }
  return false;
}

// A heading that is the site's logo or name rather than a headline: it links to the site root,
// is marked as a logo / site title, or sits in a page header outside any article.
bool is_logo_heading(const Node* h) {
  size_t budget = kMaxNodesPerCandidate;
  for (const Node* c = h->first_child; c != nullptr && budget-- > 0;
       c = html::next_in_subtree(c, h)) {
    if (c->is(Tag::kA) && is_root_href(str::trim(c->attr_value("href")))) return true;
  }
  if (inside(h, {},
             {"logo", "site-title", "site-name", "sitename", "brand", "masthead", "blog-title",
              "site-branding"})) {
    return true;
  }
  bool in_header = false;
  for (const Node* p = h; p != nullptr; p = p->parent) {
    if (!p->is_element()) continue;
    if (p->is(Tag::kArticle) || p->is(Tag::kMain)) return false;
    in_header = in_header || is_page_header(p);
  }
  return in_header;
}

bool is_breadcrumb_container(const Node* n, uint32_t hints) {
  return (hints & kHintBreadcrumb) != 0 ||
         contains_lower(n->attr_value("aria-label"), "breadcrumb");
}

// Characters used between breadcrumb items, trimmed from item text.
std::string_view trim_crumb_separators(std::string_view s) {
  static constexpr std::string_view kSeparators[] = {
      ">", "/", "|", "\xC2\xBB", "\xE2\x80\xBA", "\xC2\xB7", "\xE2\x86\x92", "\\", "-"};
  bool changed = true;
  while (changed && !s.empty()) {
    changed = false;
    s = str::trim(s);
    for (std::string_view sep : kSeparators) {
      if (s.size() >= sep.size() && s.substr(0, sep.size()) == sep) {
        s.remove_prefix(sep.size());
        changed = true;
      }
      if (s.size() >= sep.size() && s.substr(s.size() - sep.size()) == sep) {
        s.remove_suffix(sep.size());
        changed = true;
      }
    }
  }
  return str::trim(s);
}

void read_breadcrumbs(const Node* container, PageScan& scan) {
  // A class on each item (<li class="breadcrumb-item">) rather than on the list: use the list.
  if ((container->is(Tag::kLi) || container->is(Tag::kA) || container->is(Tag::kSpan)) &&
      container->parent != nullptr &&
      (container->parent->is(Tag::kOl) || container->parent->is(Tag::kUl))) {
    container = container->parent;
  }
  bool has_items = false;
  for (const Node* n = container->first_child; n != nullptr;
       n = html::next_in_subtree(n, container)) {
    if (n->is(Tag::kLi)) {
      has_items = true;
      break;
    }
  }
  for (const Node* n = container->first_child; n != nullptr;) {
    bool item = has_items ? n->is(Tag::kLi) : n->is(Tag::kA);
    if (!item) {
      n = html::next_in_subtree(n, container);
      continue;
    }
    Crumb crumb;
    crumb.text = std::string(trim_crumb_separators(collapsed_text(n, 512)));
    const Node* a = n->is(Tag::kA) ? n : nullptr;
    for (const Node* c = n->first_child; a == nullptr && c != nullptr;
         c = html::next_in_subtree(c, n)) {
      if (c->is(Tag::kA)) a = c;
    }
    if (a != nullptr) crumb.href = a->attr_value("href");
    scan.crumbs.push_back(std::move(crumb));
    n = html::next_skipping_children(n, container);
  }
  scan.crumbs_done = true;
}

PageScan scan_page(const html::Document& doc) {
  PageScan scan;
  const Node* root = doc.root();
  const Node* n = root;
  while (n != nullptr) {
    if (!n->is_element() || n->ns != html::Namespace::kHtml) {
      n = html::next_in_subtree(n, root);
      continue;
    }
    switch (n->tag) {
      case Tag::kHtml:
        if (scan.html_lang.empty()) scan.html_lang = n->attr_value("lang");
        break;
      case Tag::kMeta:
        read_meta(n, scan);
        break;
      case Tag::kLink:
        if (scan.canonical_href.empty() && has_rel(n, "canonical")) {
          scan.canonical_href = n->attr_value("href");
        }
        if (scan.image_src_href.empty() && has_rel(n, "image_src")) {
          scan.image_src_href = n->attr_value("href");
        }
        break;
      case Tag::kScript:
        if (str::iequals(str::trim(n->attr_value("type")), "application/ld+json") &&
            scan.json_ld.size() < limits::kMaxJsonLdBlocks) {
          scan.json_ld.push_back(html::text_content(n));
        }
        n = html::next_skipping_children(n, root);
        continue;
      case Tag::kStyle:
        n = html::next_skipping_children(n, root);
        continue;
      case Tag::kTitle:
        if (scan.title == nullptr) scan.title = n;
        break;
      case Tag::kH1:
        if (scan.headings.size() < kMaxHeadings && ++scan.heading_attempts <= kMaxBylineAttempts &&
            !is_logo_heading(n)) {
          scan.headings.push_back(collapsed_text(n, 1024));
        }
        break;
      case Tag::kTime:
        read_time(n, scan);
        break;
      case Tag::kA:
        if (scan.rel_author.empty() && has_rel(n, "author") &&
            ++scan.byline_attempts <= kMaxBylineAttempts) {
          scan.rel_author = clean_byline(collapsed_text(n, 512));
        }
        break;
      default:
        break;
    }
    read_itemprops(n, scan);
    if (n->tag != Tag::kHead && n->tag != Tag::kMeta && n->tag != Tag::kLink) {
      uint32_t hints = n->attr_count == 0 ? 0 : hints_of(n);
      read_byline(n, hints, scan);
      read_date_element(n, hints, scan);
      if (!scan.crumbs_done && is_breadcrumb_container(n, hints) && !n->is(Tag::kBody) &&
          !n->is(Tag::kHtml)) {
        read_breadcrumbs(n, scan);
        n = html::next_skipping_children(n, root);
        continue;
      }
    }
    n = html::next_in_subtree(n, root);
  }
  return scan;
}

// ---------------------------------------------------------------------------------------------
// JSON-LD (https://www.w3.org/TR/json-ld11/ with schema.org vocabulary)

enum class LdKind : uint8_t { kOther, kArticle, kPage, kWebSite, kBreadcrumbs };

// schema.org types read as the page's main item, and as the page itself.
constexpr std::string_view kArticleTypes[] = {"Article",
                                              "NewsArticle",
                                              "BlogPosting",
                                              "ReportageNewsArticle",
                                              "AnalysisNewsArticle",
                                              "OpinionNewsArticle",
                                              "ReviewNewsArticle",
                                              "BackgroundNewsArticle",
                                              "SatiricalArticle",
                                              "ScholarlyArticle",
                                              "TechArticle",
                                              "Report",
                                              "SocialMediaPosting",
                                              "LiveBlogPosting",
                                              "DiscussionForumPosting",
                                              "Review",
                                              "Recipe",
                                              "HowTo",
                                              "AdvertiserContentArticle",
                                              "MedicalScholarlyArticle",
                                              "APIReference"};
constexpr std::string_view kPageTypes[] = {
    "WebPage", "ItemPage",       "AboutPage",   "CollectionPage",    "ProfilePage", "QAPage",
    "FAQPage", "MedicalWebPage", "ContactPage", "SearchResultsPage", "CheckoutPage"};

// "schema:NewsArticle", "http://schema.org/NewsArticle" → "NewsArticle".
std::string_view bare_type(std::string_view t) {
  size_t cut = t.find_last_of("/:#");
  return cut == std::string_view::npos ? t : t.substr(cut + 1);
}

template <size_t N>
bool type_in(json::Value type, const std::string_view (&types)[N]) {
  auto match = [&](std::string_view t) {
    t = bare_type(t);
    for (std::string_view candidate : types) {
      if (t == candidate) return true;
    }
    return false;
  };
  if (type.is_string()) return match(type.as_string());
  for (json::Value t : type.children()) {
    if (t.is_string() && match(t.as_string())) return true;
  }
  return false;
}

bool type_is(json::Value type, std::string_view name) {
  const std::string_view types[] = {name};
  return type_in(type, types);
}

class JsonLd {
 public:
  void add_block(std::string_view text) {
    text = str::trim(text);
    // Wrappers some sites put around the data: <!-- … -->, //<![CDATA[ … //]]>.
    for (std::string_view open : {"<!--", "//<![CDATA[", "/*<![CDATA[*/", "<![CDATA["}) {
      if (text.substr(0, open.size()) == open) text = str::trim(text.substr(open.size()));
    }
    for (std::string_view close : {"-->", "//]]>", "/*]]>*/", "]]>"}) {
      if (text.size() >= close.size() && text.substr(text.size() - close.size()) == close) {
        text = str::trim(text.substr(0, text.size() - close.size()));
      }
    }
    auto parsed = json::parse(text);
    if (!parsed.ok()) return;
    docs_.push_back(std::move(parsed).value());
    collect(docs_.back().root());
  }

  // The first article-like object, and the first web page object (the page's own description).
  json::Value article() const { return article_; }
  json::Value page() const { return page_; }
  json::Value website() const { return website_; }
  json::Value breadcrumbs() const { return breadcrumbs_; }

  // A node reference {"@id": …} replaced by the node with that @id elsewhere in the page's
  // JSON-LD (Yoast-style @graph), else the value itself.
  json::Value resolve(json::Value v) const {
    if (!v.is_object()) return v;
    std::string_view id = v["@id"].as_string();
    if (id.empty() || v.size() > 2) return v;
    for (json::Value o : objects_) {
      if (o.size() > v.size() && o["@id"].as_string() == id) return o;
    }
    return v;
  }

 private:
  // Walks arrays, @graph and mainEntity (iteratively) and classifies the objects found.
  void collect(json::Value root) {
    std::vector<json::Value> stack{root};
    while (!stack.empty() && objects_.size() < kMaxJsonLdObjects) {
      json::Value v = stack.back();
      stack.pop_back();
      if (v.is_array()) {
        size_t first = stack.size();
        for (json::Value item : v.children()) stack.push_back(item);
        std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
        continue;
      }
      if (!v.is_object()) continue;
      objects_.push_back(v);
      json::Value type = v["@type"];
      if (!article_.exists() && type_in(type, kArticleTypes)) article_ = v;
      if (!page_.exists() && type_in(type, kPageTypes)) page_ = v;
      if (!website_.exists() && type_is(type, "WebSite")) website_ = v;
      if (!breadcrumbs_.exists() && type_is(type, "BreadcrumbList")) breadcrumbs_ = v;
      // Nested items worth classifying: the graph, the page's main entity, its breadcrumbs.
      json::Value main_entity = v["mainEntity"];
      if (main_entity.is_object() || main_entity.is_array()) stack.push_back(main_entity);
      json::Value graph = v["@graph"];
      if (graph.exists()) stack.push_back(graph);
      json::Value crumbs = v["breadcrumb"];
      if (crumbs.is_object()) stack.push_back(crumbs);
    }
  }

  std::vector<json::Document> docs_;
  std::vector<json::Value> objects_;
  json::Value article_;
  json::Value page_;
  json::Value website_;
  json::Value breadcrumbs_;
};

// A JSON-LD value as text: a string, a number, the "name" or "@value" of an object, or the first
// such text of an array. Entity-decoded and whitespace-collapsed.
std::string ld_text(json::Value v, const JsonLd& ld) {
  if (v.is_array()) {
    for (json::Value item : v.children()) {
      std::string t = ld_text(ld.resolve(item).is_array() ? json::Value() : item, ld);
      if (!t.empty()) return t;
    }
    return {};
  }
  if (v.is_object()) {
    json::Value r = ld.resolve(v);
    json::Value inner = r["name"].exists() ? r["name"] : r["@value"];
    return inner.is_string() ? str::collapse_whitespace(decode_entities(inner.as_string()))
                             : std::string();
  }
  if (v.is_number()) return std::string(v.number_text());
  return str::collapse_whitespace(decode_entities(v.as_string()));
}

// Names of people or organisations (author, creator): strings, objects with a name, or arrays
// of either; URLs are skipped; joined with ", ".
std::string ld_names(json::Value v, const JsonLd& ld) {
  std::vector<std::string> names;
  auto add = [&](json::Value item) {
    std::string name;
    if (item.is_string()) {
      name = str::collapse_whitespace(decode_entities(item.as_string()));
    } else if (item.is_object()) {
      json::Value r = ld.resolve(item);
      name = ld_text(r["name"], ld);
      if (name.empty()) {
        std::string given = ld_text(r["givenName"], ld);
        std::string family = ld_text(r["familyName"], ld);
        name = str::collapse_whitespace(given + " " + family);
      }
    }
    if (name.empty() || looks_like_url(name)) return;
    for (const std::string& n : names) {
      if (str::iequals(n, name)) return;
    }
    names.push_back(std::move(name));
  };
  if (v.is_array()) {
    for (json::Value item : v.children()) add(item);
  } else {
    add(v);
  }
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// A URL from a string, an object's url / contentUrl / @id, or the first of an array.
std::string ld_url(json::Value v, const JsonLd& ld) {
  if (v.is_array()) {
    for (json::Value item : v.children()) {
      if (item.is_array()) continue;
      std::string u = ld_url(item, ld);
      if (!u.empty()) return u;
    }
    return {};
  }
  if (v.is_object()) {
    json::Value r = ld.resolve(v);
    for (std::string_view key : {"url", "contentUrl", "@id"}) {
      if (r[key].is_string()) return std::string(str::trim(r[key].as_string()));
    }
    return {};
  }
  return std::string(str::trim(v.as_string()));
}

// A list of labels: an array of strings, or one string (split on commas when `split`).
void ld_labels(json::Value v, bool split, std::vector<std::string>& out) {
  auto add_string = [&](std::string_view s) {
    std::string decoded = decode_entities(s);
    if (split) {
      for (std::string_view part : str::split(decoded, ',')) {
        out.push_back(str::collapse_whitespace(part));
      }
    } else {
      out.push_back(str::collapse_whitespace(decoded));
    }
  };
  if (v.is_string()) add_string(v.as_string());
  for (json::Value item : v.children()) {
    if (item.is_string()) add_string(item.as_string());
  }
}

// ---------------------------------------------------------------------------------------------
// Assembly

std::string resolve_http_url(std::string_view raw, const url::Url* base) {
  raw = str::trim(raw);
  if (raw.empty()) return {};
  auto u = url::parse(raw, base);
  if (!u.ok()) return {};
  if (u->scheme_type() != url::Scheme::kHttp && u->scheme_type() != url::Scheme::kHttps) return {};
  return std::string(u->href());
}

// The first candidate that normalize_date accepts.
std::string first_date(std::initializer_list<std::string_view> candidates) {
  for (std::string_view c : candidates) {
    std::string d = normalize_date(c);
    if (!d.empty()) return d;
  }
  return {};
}

bool is_home_crumb(std::string_view text, std::string_view href, const url::Url* base) {
  static constexpr std::string_view kHomeWords[] = {
      "home", "homepage", "home page", "start", "startseite", "accueil", "inicio", "portada"};
  for (std::string_view w : kHomeWords) {
    if (str::iequals(text, w)) return true;
  }
  if (href.empty()) return false;
  auto u = url::parse(str::trim(href), base);
  return u.ok() && u->pathname() == "/" && u->query().empty();
}

class CategoryList {
 public:
  explicit CategoryList(std::vector<std::string>& out) : out_(out) {}
  void exclude(std::string_view s) {
    if (!s.empty()) seen_.insert(str::to_lower(s));
  }
  void add(std::string_view raw) {
    std::string s = str::collapse_whitespace(raw);
    // U+00A0 NO-BREAK SPACE around a label is padding, not content.
    while (s.size() >= 2 && s.compare(0, 2, "\xC2\xA0") == 0) s = str::trim(s.substr(2));
    while (s.size() >= 2 && s.compare(s.size() - 2, 2, "\xC2\xA0") == 0) {
      s = str::trim(s.substr(0, s.size() - 2));
    }
    if (s.empty() || s.size() > kMaxCategoryBytes || out_.size() >= limits::kMaxCategories) return;
    if (!seen_.insert(str::to_lower(s)).second) return;
    out_.push_back(std::move(s));
  }

 private:
  std::vector<std::string>& out_;
  std::unordered_set<std::string> seen_;
};

void add_ld_breadcrumbs(json::Value list, const JsonLd& ld, const url::Url* base,
                        CategoryList& categories) {
  struct Item {
    double position;
    size_t order;
    std::string name;
    std::string href;
  };
  std::vector<Item> items;
  json::Value elements = list["itemListElement"];
  size_t order = 0;
  for (json::Value e : elements.children()) {
    json::Value r = ld.resolve(e);
    json::Value item = ld.resolve(r["item"]);
    std::string name = ld_text(r["name"], ld);
    if (name.empty()) name = ld_text(item["name"], ld);
    std::string href = item.is_string() ? std::string(item.as_string()) : ld_url(item, ld);
    double position = r["position"].is_number() ? r["position"].as_number() : 0;
    if (r["position"].is_string()) {
      auto p = str::parse_uint(r["position"].as_string());
      position = p ? static_cast<double>(*p) : 0;
    }
    items.push_back({position, order++, std::move(name), std::move(href)});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.position < b.position; });
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == 0 && is_home_crumb(items[i].name, items[i].href, base)) continue;
    if (word_count(items[i].name) <= kMaxCrumbWords) categories.add(items[i].name);
  }
}

}  // namespace

std::string normalize_language(std::string_view tag) {
  tag = str::trim(tag);
  size_t cut = tag.find_first_of(",;");
  if (cut != std::string_view::npos) tag = str::trim(tag.substr(0, cut));
  size_t end = tag.find_first_of("-_");
  std::string_view primary = tag.substr(0, end);
  if (primary.size() < 2 || primary.size() > 3) return {};
  for (char c : primary) {
    if (!str::is_alpha(c)) return {};
  }
  std::string lang = str::to_lower(primary);
  if (lang == "und" || lang == "mul" || lang == "zxx" || lang == "mis") return {};
  // ISO 639 codes withdrawn in favour of new ones (IANA language subtag registry
  // "Preferred-Value").
  if (lang == "iw") return "he";
  if (lang == "in") return "id";
  if (lang == "ji") return "yi";
  return lang;
}

std::string clean_title(std::string_view title, std::string_view site_name) {
  return clean_title_impl(title, site_name, true);
}

Metadata extract_metadata(const html::Document& doc, const url::Url* page_url) {
  Metadata md;
  if (doc.root() == nullptr) return md;
  PageScan scan = scan_page(doc);
  JsonLd ld;
  for (const std::string& block : scan.json_ld) ld.add_block(block);
  json::Value article = ld.article();
  json::Value page = ld.page();

  // Site name first: clean_title needs it.
  md.site_name = ld_text(ld.resolve(article["publisher"])["name"], ld);
  if (md.site_name.empty()) md.site_name = ld_text(ld.resolve(page["publisher"])["name"], ld);
  if (md.site_name.empty()) md.site_name = ld_text(ld.website()["name"], ld);
  if (md.site_name.empty()) {
    md.site_name = str::collapse_whitespace(
        scan.meta({"og:site_name", "application-name", "dc.publisher", "dcterms.publisher"}));
  }

  // Title: a part of the candidate that equals an <h1> wins; otherwise declared headlines are
  // trusted to be clean except for an exact site name, while <title> and a WebPage name also go
  // through the separator heuristic.
  struct TitleCandidate {
    std::string text;
    bool guess;  // may go through clean_title's separator heuristic
  };
  std::vector<TitleCandidate> candidates;
  auto add_title = [&](std::string_view text, bool guess) {
    std::string collapsed = str::collapse_whitespace(text);
    if (!collapsed.empty()) candidates.push_back({std::move(collapsed), guess});
  };
  add_title(ld_text(article["headline"], ld), false);
  add_title(ld_text(article["name"], ld), false);
  add_title(scan.meta({"og:title", "twitter:title", "dc.title", "dcterms.title"}), false);
  add_title(scan.itemprop_headline, false);
  if (scan.title != nullptr) add_title(html::text_content(scan.title), true);
  add_title(ld_text(page["headline"], ld), true);
  add_title(ld_text(page["name"], ld), true);
  // A candidate that is the page's <h1> (ASCII case-insensitively) is confirmed by the page
  // itself and wins, as the heading's text (e.g. a JSON-LD "headline" holding a description
  // while "name" is the heading).
  for (const TitleCandidate& c : candidates) {
    for (const std::string& h : scan.headings) {
      if (md.title.empty() && str::iequals(c.text, h)) md.title = h;
    }
  }
  for (const TitleCandidate& c : candidates) {
    if (!md.title.empty()) break;
    std::string heading = prefer_heading(c.text, scan.headings);
    md.title = heading != c.text ? heading : clean_title_impl(c.text, md.site_name, c.guess);
  }
  if (md.title.empty() && !scan.headings.empty()) md.title = scan.headings.front();

  // No declared site name: what <title> adds to the chosen title ("Title | Site"), when that is
  // one short part.
  if (md.site_name.empty() && scan.title != nullptr && !md.title.empty()) {
    md.site_name =
        site_from_title(str::collapse_whitespace(html::text_content(scan.title)), md.title);
  }

  // Byline: the first usable name that is not just the site's own name.
  auto offer_byline = [&](std::string_view candidate) {
    if (!md.byline.empty()) return;
    std::string name = clean_byline(candidate);
    if (!name.empty() && !str::iequals(name, md.site_name)) md.byline = std::move(name);
  };
  offer_byline(ld_names(article["author"], ld));
  offer_byline(ld_names(article["creator"], ld));
  offer_byline(ld_names(page["author"], ld));
  for (std::string_view v :
       scan.meta_all({"article:author", "author", "dc.creator", "dcterms.creator", "parsely-author",
                      "sailthru.author", "byl", "itemprop:author"})) {
    offer_byline(v);
  }
  offer_byline(scan.itemprop_author);
  offer_byline(scan.rel_author);
  offer_byline(scan.byline_strong);
  offer_byline(scan.byline_weak);

  // Dates.
  md.published = first_date(
      {ld_text(article["datePublished"], ld), ld_text(article["dateCreated"], ld),
       ld_text(page["datePublished"], ld),
       scan.meta({"article:published_time", "og:published_time", "article:published",
                  "itemprop:datepublished"}),
       scan.meta({"date", "pubdate", "publishdate", "publish-date", "publish_date",
                  "publication_date", "dc.date", "dc.date.issued", "dc.date.created",
                  "dcterms.date", "dcterms.issued", "dcterms.created", "citation_publication_date",
                  "citation_date", "sailthru.date", "parsely-pub-date", "article.published"}),
       scan.itemprop_published, scan.time_pubdate, scan.time_in_article, scan.time_any,
       scan.date_element});
  md.modified = first_date({ld_text(article["dateModified"], ld), ld_text(page["dateModified"], ld),
                            scan.meta({"article:modified_time", "og:updated_time",
                                       "article:modified", "itemprop:datemodified"}),
                            scan.meta({"last-modified", "dcterms.modified", "dc.date.modified",
                                       "article.updated", "lastmod"}),
                            scan.itemprop_modified});

  // Description.
  md.description = ld_text(article["description"], ld);
  if (md.description.empty()) {
    md.description = str::collapse_whitespace(
        scan.meta({"og:description", "twitter:description", "dc.description", "dcterms.description",
                   "description"}));
  }
  if (md.description.empty()) md.description = ld_text(page["description"], ld);

  // Language.
  md.language = normalize_language(scan.html_lang);
  if (md.language.empty()) {
    md.language = normalize_language(scan.meta({"content-language", "language"}));
  }
  if (md.language.empty()) md.language = normalize_language(scan.meta({"og:locale"}));
  if (md.language.empty()) md.language = normalize_language(ld_text(article["inLanguage"], ld));
  if (md.language.empty()) md.language = normalize_language(ld_text(page["inLanguage"], ld));
  if (md.language.empty()) {
    md.language = normalize_language(scan.meta({"dc.language", "dcterms.language"}));
  }

  // Canonical URL.
  md.canonical_url = resolve_http_url(scan.canonical_href, page_url);
  if (md.canonical_url.empty())
    md.canonical_url = resolve_http_url(scan.meta({"og:url"}), page_url);
  if (md.canonical_url.empty())
    md.canonical_url = resolve_http_url(ld_url(article["url"], ld), page_url);

  // Last resort for the date: an archive-style path in the canonical or page URL.
  if (md.published.empty() && !md.canonical_url.empty()) {
    auto canonical = url::parse(md.canonical_url);
    if (canonical.ok()) md.published = date_from_url_path(canonical->pathname());
  }
  if (md.published.empty() && page_url != nullptr) {
    md.published = date_from_url_path(page_url->pathname());
  }

  // Image.
  md.image = resolve_http_url(ld_url(article["image"], ld), page_url);
  if (md.image.empty()) md.image = resolve_http_url(ld_url(article["thumbnailUrl"], ld), page_url);
  if (md.image.empty()) {
    md.image = resolve_http_url(scan.meta({"og:image", "og:image:url", "og:image:secure_url",
                                           "twitter:image", "twitter:image:src", "itemprop:image"}),
                                page_url);
  }
  if (md.image.empty()) md.image = resolve_http_url(scan.itemprop_image, page_url);
  if (md.image.empty()) md.image = resolve_http_url(scan.image_src_href, page_url);
  if (md.image.empty())
    md.image = resolve_http_url(ld_url(page["primaryImageOfPage"], ld), page_url);

  // Article body hint.
  if (article["articleBody"].is_string()) {
    md.article_body = decode_entities(str::trim(article["articleBody"].as_string()));
  }

  // Categories, in priority order: sections, breadcrumbs, then keywords and tags.
  CategoryList categories(md.categories);
  categories.exclude(md.title);
  categories.exclude(md.site_name);
  std::vector<std::string> labels;
  // Sections are sometimes one comma-separated string ("Business, Politics").
  ld_labels(article["articleSection"], true, labels);
  for (std::string_view v : scan.meta_all({"article:section"})) {
    for (std::string_view part : str::split(v, ',')) labels.emplace_back(part);
  }
  for (const std::string& l : labels) categories.add(l);
  if (ld.breadcrumbs().exists()) add_ld_breadcrumbs(ld.breadcrumbs(), ld, page_url, categories);
  for (size_t i = 0; i < scan.crumbs.size(); ++i) {
    if (i == 0 && is_home_crumb(scan.crumbs[i].text, scan.crumbs[i].href, page_url)) continue;
    if (word_count(scan.crumbs[i].text) <= kMaxCrumbWords) categories.add(scan.crumbs[i].text);
  }
  labels.clear();
  ld_labels(article["keywords"], true, labels);
  for (std::string_view v : scan.meta_all({"article:tag"})) labels.emplace_back(v);
  for (std::string_view v : scan.meta_all({"keywords", "news_keywords"})) {
    for (std::string_view part : str::split(v, ',')) labels.emplace_back(part);
  }
  for (const std::string& l : labels) categories.add(l);
  return md;
}

}  // namespace riptide::extract
