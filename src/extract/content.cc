#include "extract/content.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/strings.h"
#include "extract/dates.h"
#include "extract/visible_text.h"

namespace riptide::extract {

using html::Node;
using html::NodeType;
using html::Tag;

namespace {

// ---------------------------------------------------------------------------------------------
// Elements that are never content in any mode.

bool is_never_content(const Node* e) {
  if (e->ns == html::Namespace::kSvg) return e->tag == Tag::kSvg;  // icons: labels, not text
  if (e->ns != html::Namespace::kHtml) return false;
  // <source> carries no text; inside <picture>, <video> or <audio> it names the media the
  // content shows (the largest srcset candidate, a video's file).
  if (e->tag == Tag::kSource && e->parent != nullptr &&
      (e->parent->is(Tag::kPicture) || e->parent->is(Tag::kVideo) || e->parent->is(Tag::kAudio))) {
    return false;
  }
  switch (e->tag) {
    case Tag::kScript:
    case Tag::kStyle:
    case Tag::kTemplate:
    case Tag::kNoscript:  // parsed with scripting off; a reader with scripts never sees it
    case Tag::kIframe:
    case Tag::kObject:
    case Tag::kEmbed:
    case Tag::kNoembed:
    case Tag::kNoframes:
    case Tag::kSelect:
    case Tag::kDatalist:
    case Tag::kInput:
    case Tag::kButton:
    case Tag::kTextarea:
    case Tag::kCanvas:
    case Tag::kHead:
    case Tag::kTitle:
    case Tag::kMeta:
    case Tag::kLink:
    case Tag::kBase:
    case Tag::kParam:
    case Tag::kSource:  // a media element's sources stay (see below)
    case Tag::kTrack:
    case Tag::kDialog:
    case Tag::kRp:  // ruby fallback parentheses, not rendered where ruby is supported
    case Tag::kRt:  // ruby annotations (readings) sit above the text, they are not part of it
      return true;
    default:
      return is_hidden(e);
  }
}

// Non-whitespace bytes of the text in a subtree (iterative).
size_t visible_bytes(const Node* root) {
  size_t n = 0;
  for (const Node* t = root; t != nullptr; t = html::next_in_subtree(t, root)) {
    if (!t->is_text()) continue;
    for (char c : t->data) n += str::is_html_space(c) ? 0 : 1;
  }
  return n;
}

// Removes comments, doctypes and never-content elements under `root` (iteratively).
void remove_non_content(Node* root) {
  size_t total = SIZE_MAX;  // the page's visible bytes, counted only when a big noscript shows up
  Node* node = root->first_child;
  while (node != nullptr) {
    bool drop = node->type == NodeType::kComment || node->type == NodeType::kDoctype ||
                (node->is_element() && is_never_content(node));
    // An unclosed <noscript> (parsed with scripting off) can swallow the rest of the page; one
    // holding most of the page's text is the page: unwrap it (renderers skip noscript). So is a
    // noscript holding a whole article's worth of text: the static copy of a body that a script
    // renders from a template (notices and tracking pixels are a line at most).
    constexpr size_t kSmallNoscriptBytes = 256;
    constexpr size_t kArticleNoscriptBytes = 1000;
    size_t noscript_bytes = drop && node->is(Tag::kNoscript) ? visible_bytes(node) : 0;
    if (noscript_bytes >= kSmallNoscriptBytes && total == SIZE_MAX) total = visible_bytes(root);
    if (noscript_bytes >= kSmallNoscriptBytes &&
        (noscript_bytes * 2 > total || noscript_bytes >= kArticleNoscriptBytes)) {
      Node* parent = node->parent;
      Node* first = node->first_child;
      Node* after = html::next_skipping_children(node, root);
      while (Node* child = node->first_child) {
        html::remove_node(child);
        html::insert_before(parent, child, node);
      }
      html::remove_node(node);
      node = first != nullptr ? first : after;
      continue;
    }
    if (drop) {
      Node* next = html::next_skipping_children(node, root);
      html::remove_node(node);
      node = next;
    } else {
      node = html::next_in_subtree(node, root);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// class/id hints. Generic words sites use for the roles of their page regions; a hint is a
// signal, never a verdict on its own (see is_boilerplate for the safeguards).

enum Hint : uint16_t {
  kHintStrong = 1 << 0,    // comments, share bars, related links, cookie/newsletter boxes
  kHintUnlikely = 1 << 1,  // page chrome (header, footer, sidebar, menus) unless also kHintMaybe
  kHintMaybe = 1 << 2,     // words of the main content's wrapper
  kHintPositive = 1 << 3,  // +weight in scoring
  kHintNegative = 1 << 4,  // -weight in scoring
  kHintMeta = 1 << 5,      // dates, bylines, post meta lines (boilerplate by the corpus convention)
  kHintHidden = 1 << 6,    // visually hidden / screen-reader-only text
  kHintLede = 1 << 7,      // the standfirst above the body (lead, intro, abstract, summary)
  kHintAuthorBox = 1 << 8,  // the author's bio box ("author-bio", "about-the-author", "autor-info")
  kHintGate = 1 << 9,       // a paywall: the prompt to subscribe, or the walled body itself
  kHintControl = 1 << 10,   // show/hide toggles ("expand", "collapse"): a control on a label
};

enum class Match : uint8_t {
  kSubstring,   // anywhere in the lower-cased class + id
  kWordPrefix,  // a word (split at non-alphanumerics) starts with it
  kWord,        // a word equals it
  kClassToken,  // a whole whitespace-separated class name (or the id) equals it
};

struct HintRule {
  std::string_view needle;
  Match match;
  uint16_t bits;
};

constexpr uint16_t kBoiler = kHintStrong | kHintNegative;
constexpr uint16_t kChrome = kHintUnlikely | kHintNegative;

constexpr HintRule kHintRules[] = {
    {"comment", Match::kSubstring, kBoiler},
    {"kommentar", Match::kSubstring, kBoiler},
    {"comentario", Match::kSubstring, kBoiler},
    {"disclaimer", Match::kSubstring, kBoiler},
    {"instagram", Match::kSubstring, kBoiler},
    {"fb-post", Match::kSubstring, kBoiler},
    {"disqus", Match::kSubstring, kBoiler},
    {"share", Match::kSubstring, kBoiler},
    {"sharing", Match::kSubstring, kBoiler},
    {"social", Match::kSubstring, kBoiler},
    {"related", Match::kSubstring, kBoiler},
    {"recommend", Match::kSubstring, kBoiler},
    {"newsletter", Match::kSubstring, kBoiler},
    {"subscri", Match::kSubstring, kBoiler},
    {"signup", Match::kSubstring, kBoiler},
    {"cookie", Match::kSubstring, kBoiler},
    {"consent", Match::kSubstring, kBoiler},
    {"gdpr", Match::kSubstring, kBoiler},
    {"breadcrumb", Match::kSubstring, kBoiler},
    {"advert", Match::kSubstring, kBoiler},
    {"sponsor", Match::kSubstring, kBoiler},
    {"promo", Match::kSubstring, kBoiler},
    {"outbrain", Match::kSubstring, kBoiler},
    {"taboola", Match::kSubstring, kBoiler},
    {"popup", Match::kSubstring, kBoiler},
    {"paywall", Match::kSubstring, kHintGate},
    {"vote", Match::kWordPrefix, kBoiler},
    {"voting", Match::kWordPrefix, kBoiler},
    {"modal", Match::kSubstring, kBoiler},
    {"pagination", Match::kSubstring, kBoiler},
    {"pager", Match::kWord, kBoiler},
    {"ad", Match::kWord, kBoiler},
    {"ads", Match::kWord, kBoiler},
    {"adsbygoogle", Match::kWord, kBoiler},
    {"tags", Match::kWord, kBoiler},
    {"tagcloud", Match::kWord, kBoiler},
    {"rating", Match::kWordPrefix, kBoiler},
    {"next", Match::kWord, kChrome},
    {"prev", Match::kWord, kChrome},
    {"utility", Match::kWord, kHintMeta | kHintNegative},
    {"licen", Match::kSubstring, kHintMeta | kHintNegative},
    {"footer", Match::kSubstring, kChrome},
    {"header", Match::kSubstring, kChrome},
    {"masthead", Match::kSubstring, kChrome},
    {"sidebar", Match::kSubstring, kChrome},
    {"side-bar", Match::kSubstring, kChrome},
    {"menu", Match::kSubstring, kChrome},
    {"nav", Match::kWordPrefix, kChrome},
    {"banner", Match::kSubstring, kChrome},
    {"widget", Match::kSubstring, kHintNegative},
    {"toolbar", Match::kSubstring, kChrome},
    {"skip", Match::kWordPrefix, kChrome},
    {"expand", Match::kWordPrefix, kHintControl},
    {"collapse", Match::kWordPrefix, kHintControl},
    {"toggle", Match::kSubstring, kHintControl},
    {"edit", Match::kWord, kChrome},  // "edit this post/section" links of CMSs and wikis
    {"editsection", Match::kSubstring, kChrome},
    {"rss", Match::kWord, kChrome},
    {"search", Match::kWordPrefix, kChrome},
    {"login", Match::kSubstring, kChrome},
    {"teaser", Match::kSubstring, kChrome | kHintLede},
    {"lead", Match::kWord, kHintLede},
    {"lede", Match::kWord, kHintLede},
    {"intro", Match::kWordPrefix, kHintLede},
    {"abstract", Match::kWord, kHintLede},
    {"summary", Match::kWord, kHintLede},
    {"excerpt", Match::kWordPrefix, kHintLede},
    {"subtitle", Match::kWord, kHintLede},
    {"subheadline", Match::kWord, kHintLede},
    {"standfirst", Match::kWord, kHintLede},
    {"chapo", Match::kWordPrefix, kHintLede},
    {"sommario", Match::kWord, kHintLede},
    {"leader", Match::kWord, kHintLede},
    {"slider", Match::kSubstring, kChrome},
    {"carousel", Match::kSubstring, kChrome},
    {"supplement", Match::kSubstring, kChrome},
    {"community", Match::kSubstring, kChrome},
    {"contact", Match::kSubstring, kHintNegative},
    {"shopping", Match::kSubstring, kHintNegative},
    {"scroll", Match::kSubstring, kHintNegative},
    {"date", Match::kWordPrefix, kHintMeta | kHintNegative},
    {"time", Match::kWord, kHintMeta | kHintNegative},
    {"timestamp", Match::kWord, kHintMeta | kHintNegative},
    {"byline", Match::kSubstring, kHintMeta | kHintNegative},
    {"profile", Match::kSubstring, kHintMeta | kHintNegative},  // a post author's box (forums)
    {"author", Match::kSubstring, kHintMeta | kHintNegative},
    {"meta", Match::kWord, kHintMeta | kHintNegative},
    {"postmeta", Match::kWord, kHintMeta | kHintNegative},
    {"entrymeta", Match::kWord, kHintMeta | kHintNegative},
    {"posted", Match::kWordPrefix, kHintMeta | kHintNegative},
    {"published", Match::kWordPrefix, kHintMeta | kHintNegative},
    {"dateline", Match::kWord, kHintMeta | kHintNegative},
    {"caption", Match::kSubstring, kHintMeta | kHintNegative},
    {"legend", Match::kWord, kHintMeta | kHintNegative},
    {"source", Match::kWord, kHintMeta | kHintNegative},
    {"sources", Match::kWord, kHintMeta | kHintNegative},
    {"imagedescription", Match::kWord, kHintMeta | kHintNegative},
    {"bildunterschrift", Match::kSubstring, kHintMeta | kHintNegative},
    {"bilduntertitel", Match::kSubstring, kHintMeta | kHintNegative},
    {"credit", Match::kSubstring, kHintMeta | kHintNegative},
    {"copyright", Match::kSubstring, kHintMeta | kHintNegative},
    {"article", Match::kSubstring, kHintMaybe | kHintPositive},
    {"content", Match::kSubstring, kHintMaybe | kHintPositive},
    {"main", Match::kWord, kHintMaybe | kHintPositive},
    {"body", Match::kSubstring, kHintMaybe | kHintPositive},
    {"column", Match::kSubstring, kHintMaybe},
    {"story", Match::kSubstring, kHintMaybe | kHintPositive},
    {"entry", Match::kSubstring, kHintMaybe | kHintPositive},
    {"text", Match::kSubstring, kHintMaybe | kHintPositive},
    {"post", Match::kWord, kHintPositive},
    {"blog", Match::kSubstring, kHintPositive},
    {"hentry", Match::kWord, kHintPositive},
    {"hidden", Match::kClassToken, kHintHidden},
    {"hide", Match::kClassToken, kHintHidden},
    {"invisible", Match::kClassToken, kHintHidden},
    {"d-none", Match::kClassToken, kHintHidden},
    {"sr-only", Match::kClassToken, kHintHidden},
    {"visually-hidden", Match::kClassToken, kHintHidden},
    {"visuallyhidden", Match::kClassToken, kHintHidden},
    {"screen-reader-text", Match::kClassToken, kHintHidden},
};

// The rules bucketed by the first letter of their needle, so matching is one pass over the
// string instead of one search per rule (this runs for every element with a class or id).
constexpr size_t kHintRuleCount = sizeof(kHintRules) / sizeof(kHintRules[0]);
struct HintIndex {
  uint8_t begin[27] = {};  // rules for letter c are order[begin[c - 'a'] .. begin[c - 'a' + 1])
  uint8_t order[kHintRuleCount] = {};
};
constexpr HintIndex build_hint_index() {
  HintIndex index;
  size_t n = 0;
  for (int c = 0; c < 26; ++c) {
    index.begin[c] = static_cast<uint8_t>(n);
    for (size_t r = 0; r < kHintRuleCount; ++r) {
      if (kHintRules[r].needle[0] == static_cast<char>('a' + c)) {
        index.order[n++] = static_cast<uint8_t>(r);
      }
    }
  }
  index.begin[26] = static_cast<uint8_t>(n);
  return index;
}
constexpr HintIndex kHintIndex = build_hint_index();
static_assert(kHintRuleCount < 256);

bool rule_matches_at(const HintRule& rule, std::string_view s, size_t at) {
  if (s.compare(at, rule.needle.size(), rule.needle) != 0) return false;
  if (rule.match == Match::kSubstring) return true;
  const size_t end = at + rule.needle.size();
  const bool word = rule.match != Match::kClassToken;
  auto is_sep = [word](char c) { return word ? !str::is_alnum(c) : str::is_html_space(c); };
  const bool starts = at == 0 || is_sep(s[at - 1]);
  const bool ends = end == s.size() || is_sep(s[end]);
  return starts && (rule.match == Match::kWordPrefix || ends);
}

// Hints of a lower-cased "class id" string.
uint16_t match_hints(std::string_view s) {
  uint16_t bits = 0;
  for (size_t at = 0; at < s.size(); ++at) {
    char c = s[at];
    if (c < 'a' || c > 'z') continue;
    const int letter = c - 'a';
    for (uint8_t k = kHintIndex.begin[letter]; k < kHintIndex.begin[letter + 1]; ++k) {
      const HintRule& rule = kHintRules[kHintIndex.order[k]];
      if ((bits & rule.bits) == rule.bits) continue;
      if (rule_matches_at(rule, s, at)) bits |= rule.bits;
    }
  }
  return bits;
}

// Utility classes that hide an element when the page is printed ("noprint", Bootstrap's
// "d-print-none" and "hidden-print", Tailwind's "print:hidden"). Sites hide their chrome (menus,
// share bars, "From Wikipedia, the free encyclopedia") from the printed page and keep the
// article: the print view is the publisher's own answer to what the content is.
bool is_print_hidden_class(std::string_view token) {
  constexpr std::string_view kPrintHidden[] = {
      "noprint",    "no-print",   "d-print-none",  "hidden-print",  "print-hidden",
      "hide-print", "print-hide", "hide-on-print", "not-printable", "print:hidden"};
  for (std::string_view c : kPrintHidden) {
    if (str::iequals(token, c)) return true;
  }
  return false;
}

// Hints from an element's class and id (and ARIA role / itemprop for the semantic ones).
uint16_t element_hints(const Node* e, std::string& scratch) {
  std::string_view cls = e->attr_value("class");
  std::string_view id = e->attr_value("id");
  if (cls.empty() && id.empty()) return 0;
  // Long class lists (utility CSS) carry no more signal after the first few hundred bytes.
  constexpr size_t kMaxHintBytes = 256;
  scratch.clear();
  // Class names are lower-cased token by token. State modifiers describe what a block contains
  // or offers, not what it is: BEM "block--has-ads" keeps "block", and tokens like
  // "has-sidebar", "with-comments", "no-share" are skipped.
  size_t classes = 0;
  bool print_hidden = false;
  for (std::string_view token : str::split_whitespace(cls.substr(0, kMaxHintBytes))) {
    ++classes;
    if (is_print_hidden_class(token)) {
      print_hidden = true;
      continue;
    }
    if (str::istarts_with(token, "has-") || str::istarts_with(token, "has_") ||
        str::istarts_with(token, "with-") || str::istarts_with(token, "no-")) {
      continue;
    }
    size_t modifier = token.find("--has-");
    if (modifier != std::string_view::npos && modifier > 0) token = token.substr(0, modifier);
    for (char c : token) scratch.push_back(str::to_lower(c));
    scratch.push_back(' ');
  }
  for (char c : id.substr(0, kMaxHintBytes)) scratch.push_back(str::to_lower(c));
  uint16_t bits = match_hints(scratch);
  // An author's box: a name-the-author word with a word for a bio, box or description.
  if ((scratch.find("author") != std::string::npos || scratch.find("autor") != std::string::npos) &&
      (scratch.find("bio") != std::string::npos || scratch.find("box") != std::string::npos ||
       scratch.find("info") != std::string::npos || scratch.find("desc") != std::string::npos ||
       scratch.find("about") != std::string::npos || scratch.find("detail") != std::string::npos)) {
    bits |= kHintAuthorBox;
  }
  // A long generated class list (CMS post classes: "post type-post tag-sharing category-ads …")
  // names taxonomy terms, not the element's role: keep only its content-wrapper words.
  constexpr size_t kMaxRoleClasses = 5;
  if (classes > kMaxRoleClasses) {
    bits &= kHintMaybe | kHintPositive | kHintHidden;
  }
  // Utility classes are no taxonomy terms: the print marker counts in long class lists too.
  if (print_hidden) bits |= kChrome;
  return bits;
}

bool is_heading(const Node* e) {
  switch (e->tag) {
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
      return e->ns == html::Namespace::kHtml && e->is_element();
    default:
      return false;
  }
}

// Blocks that hold one paragraph's worth of text themselves (their score goes to the parent).
bool is_paragraph_tag(const Node* e) {
  if (e->ns != html::Namespace::kHtml) return false;
  switch (e->tag) {
    case Tag::kP:
    case Tag::kPre:
    case Tag::kBlockquote:
    case Tag::kLi:
    case Tag::kDd:
    case Tag::kDt:
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
    case Tag::kFigcaption:
    case Tag::kCaption:
    case Tag::kAddress:
      return true;
    default:
      return false;
  }
}

// Where inline text is attributed: the nearest block-level ancestor.
bool is_text_block(const Node* e) {
  return is_block(e) || e->is(Tag::kTd) || e->is(Tag::kTh);
}

bool role_is_chrome(std::string_view role) {
  role = str::trim(role);
  return str::iequals(role, "navigation") || str::iequals(role, "banner") ||
         str::iequals(role, "contentinfo") || str::iequals(role, "complementary") ||
         str::iequals(role, "search") || str::iequals(role, "menu") ||
         str::iequals(role, "menubar") || str::iequals(role, "toolbar") ||
         str::iequals(role, "dialog") || str::iequals(role, "alertdialog");
}

// Marks the content root chosen by a page's own semantics.
bool is_semantic_main(const Node* e) {
  if (e->is(Tag::kArticle) || e->is(Tag::kMain)) return true;
  std::string_view itemprop = e->attr_value("itemprop");
  if (!itemprop.empty() && str::icontains(itemprop, "articlebody")) return true;
  std::string_view role = str::trim(e->attr_value("role"));
  return str::iequals(role, "main") || str::iequals(role, "article");
}

// Counts non-space code points and commas in UTF-8 text (ASCII, CJK and Arabic commas).
struct TextCounts {
  uint32_t chars = 0;
  uint32_t commas = 0;
};

TextCounts count_text(std::string_view s) {
  TextCounts c;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    unsigned char b = p[i];
    if (b < 0x80) {
      if (b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f') continue;
      ++c.chars;
      if (b == ',') ++c.commas;
      continue;
    }
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    ++c.chars;
    // U+FF0C FULLWIDTH COMMA, U+3001 IDEOGRAPHIC COMMA, U+060C ARABIC COMMA.
    if (b == 0xEF && n - i >= 3 && p[i + 1] == 0xBC && p[i + 2] == 0x8C) ++c.commas;
    if (b == 0xE3 && n - i >= 3 && p[i + 1] == 0x80 && p[i + 2] == 0x81) ++c.commas;
    if (b == 0xD8 && n - i >= 2 && p[i + 1] == 0x8C) ++c.commas;
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Per-element statistics, in pre-order; a parent always precedes its descendants, and the
// subtree of element i is [i, end).

struct Info {
  Node* node = nullptr;
  int32_t parent = -1;
  uint32_t end = 0;
  int32_t block = 0;        // nearest block ancestor-or-self (receives inline text)
  uint32_t chars = 0;       // text code points in the subtree (whitespace excluded)
  uint32_t link_chars = 0;  // of which inside <a>
  uint32_t commas = 0;
  uint32_t inline_chars = 0;  // text whose nearest block is this element
  uint32_t inline_link_chars = 0;
  uint32_t inline_commas = 0;
  uint32_t paragraphs = 0;  // paragraph blocks in the subtree
  uint32_t images = 0;
  uint32_t tables = 0;  // <table> elements in the subtree, itself included
  float score = 0;
  uint16_t hints = 0;
  bool scored = false;
  bool in_link = false;
  bool has_main = false;   // the subtree contains an article/main/articleBody element
  bool boiler = false;     // boilerplate region by tag, role or hints (safeguards applied)
  bool in_boiler = false;  // it or an ancestor is
  bool in_main = false;    // it or an ancestor is an article/main/articleBody element
};

// Paragraph blocks shorter than this do not vote for their ancestors.
constexpr uint32_t kMinParagraphChars = 25;
// Ancestors a paragraph votes for (readability's heuristic depth).
constexpr int kScoreLevels = 5;
// A best candidate with less text than this is "poor": fall back to the cleaned body.
constexpr uint32_t kPoorCandidateChars = 140;

class Extractor {
 public:
  explicit Extractor(html::Document& doc) : doc_(doc) {}

  ContentResult article(const ContentOptions& options);
  ContentResult full();

 private:
  void build(Node* root);
  void classify();
  void score_paragraphs();
  int32_t pick_top();
  std::vector<int32_t> merge_siblings(int32_t top);
  bool remove_in_content(int32_t i, uint32_t content_chars) const;
  void clean_content(const std::vector<int32_t>& roots, uint32_t content_chars);
  void init_score(Info& in);
  Node* make_fragment() { return doc_.create_node(NodeType::kFragment); }
  static void drop_empty_headings(Node* fragment);

  float link_density(const Info& in) const {
    return in.chars == 0 ? 0.f : static_cast<float>(in.link_chars) / static_cast<float>(in.chars);
  }

  bool in_body_hint(const Node* block) const;
  bool in_data_table(int32_t i) const;
  int32_t nearest_main(int32_t i) const;
  bool has_lede(uint32_t i) const;
  bool is_loose_page_link(const Info& in) const;
  bool is_loose_link_line(const Info& in) const;
  uint32_t plain_chars_outside_boilerplate() const;
  int32_t find_headline(int32_t top, std::string_view title) const;
  bool is_standfirst_block(uint32_t b, int32_t top) const;
  void add_standfirst(int32_t top, std::string_view title, std::vector<int32_t>& roots) const;

  html::Document& doc_;
  int32_t kept_ = -1;      // element that clean_content keeps with its ancestors (or -1)
  std::string body_hint_;  // whitespace-collapsed articleBody hint; empty when unusable
  std::vector<Info> infos_;
  std::string scratch_;
};

void Extractor::build(Node* root) {
  infos_.clear();
  infos_.reserve(1024);
  Info& r = infos_.emplace_back();
  r.node = root;
  r.parent = -1;
  r.block = 0;
  Node* node = root->first_child;
  if (node == nullptr) {
    infos_[0].end = 1;
    return;
  }
  int32_t cur = 0;
  while (true) {
    if (node->is_element()) {
      auto idx = static_cast<int32_t>(infos_.size());
      Info& in = infos_.emplace_back();
      const Info& parent = infos_[static_cast<size_t>(cur)];
      in.node = node;
      in.parent = cur;
      // A named anchor (<a name=…> or <a id=…> without href) marks a place; its text is not a
      // link.
      in.in_link = parent.in_link ||
                   (node->is(Tag::kA) &&
                    (node->has_attr("href") || !(node->has_attr("name") || node->has_attr("id"))));
      in.block = is_text_block(node) ? idx : parent.block;
      in.hints = element_hints(node, scratch_);
      if (node->is(Tag::kImg) || node->is(Tag::kPicture)) in.images = 1;
      if (node->is(Tag::kTable)) in.tables = 1;
      if (node->first_child != nullptr) {
        cur = idx;
        node = node->first_child;
        continue;
      }
      in.end = static_cast<uint32_t>(idx + 1);
    } else if (node->is_text()) {
      TextCounts c = count_text(node->data);
      Info& in = infos_[static_cast<size_t>(cur)];
      in.chars += c.chars;
      in.commas += c.commas;
      if (in.in_link) in.link_chars += c.chars;
      Info& block = infos_[static_cast<size_t>(in.block)];
      block.inline_chars += c.chars;
      block.inline_commas += c.commas;
      if (in.in_link) block.inline_link_chars += c.chars;
    }
    while (node->next_sibling == nullptr) {
      Info& open = infos_[static_cast<size_t>(cur)];
      open.end = static_cast<uint32_t>(infos_.size());
      if (cur == 0) return;
      node = open.node;
      cur = open.parent;
    }
    node = node->next_sibling;
  }
}

// A paywall's prompt ("To read on, create your account", the login form under it) is a few
// short lines; the walled body it covers ("steady-paywall-container") is the article.
bool is_paywall_prompt(const Info& in) {
  constexpr uint32_t kMaxPromptChars = 600;
  return (in.hints & kHintGate) != 0 && in.chars < kMaxPromptChars;
}

// Totals bottom-up, then the boilerplate regions top-down.
void Extractor::classify() {
  for (size_t i = infos_.size(); i-- > 0;) {
    Info& in = infos_[i];
    if (static_cast<int32_t>(i) == in.block && in.inline_chars >= kMinParagraphChars) {
      ++in.paragraphs;
    }
    // Only an article element with real text of its own protects its ancestors: teaser cards
    // in "related" lists are <article>s too.
    constexpr uint32_t kMinMainUnlinkedChars = 200;
    if (is_semantic_main(in.node) && in.chars - in.link_chars >= kMinMainUnlinkedChars) {
      in.has_main = true;
    }
    if (in.parent < 0) continue;
    Info& p = infos_[static_cast<size_t>(in.parent)];
    p.chars += in.chars;
    p.link_chars += in.link_chars;
    p.commas += in.commas;
    p.paragraphs += in.paragraphs;
    p.images += in.images;
    p.tables += in.tables;
    p.has_main = p.has_main || in.has_main;
  }
  // Plain (unlinked) text measures where the writing is; menus and link lists barely count.
  const uint32_t total = infos_[0].chars - infos_[0].link_chars;
  for (size_t i = 1; i < infos_.size(); ++i) {
    Info& in = infos_[i];
    const Node* e = in.node;
    const Info& parent = infos_[static_cast<size_t>(in.parent)];
    in.in_main = parent.in_main || is_semantic_main(e);
    // A <header> inside an article is its headline and standfirst, not the page banner.
    bool chrome = e->is(Tag::kNav) || e->is(Tag::kAside) || e->is(Tag::kFooter) ||
                  (e->is(Tag::kHeader) && !parent.in_main) || e->is(Tag::kMenu) ||
                  role_is_chrome(e->attr_value("role"));
    // Page-chrome words on table parts and list items name a component ("table-header",
    // "menu-item" of a recipe card), never a page region.
    const bool component = e->is(Tag::kTable) || e->is(Tag::kTbody) || e->is(Tag::kThead) ||
                           e->is(Tag::kTr) || e->is(Tag::kTd) || e->is(Tag::kTh) ||
                           e->is(Tag::kLi) || is_heading(e);
    bool hinted = (in.hints & (kHintStrong | kHintHidden)) != 0 || is_paywall_prompt(in) ||
                  (!component && (in.hints & kHintUnlikely) != 0 && (in.hints & kHintMaybe) == 0);
    bool boiler = (chrome || hinted) && !in.has_main;
    // "teaser-text" above an article is its standfirst; a teaser list is links with blurbs.
    constexpr uint32_t kMaxLedeParagraphs = 2;
    if (boiler && !chrome && (in.hints & kHintLede) != 0 && (in.hints & kHintStrong) == 0 &&
        in.paragraphs <= kMaxLedeParagraphs && in.link_chars * 4 < in.chars) {
      boiler = false;
    }
    // Page-chrome words on a region holding most of the page's paragraphs are a theme's naming
    // habit (elementor-widget, site-header-wrap), not a verdict.
    const uint32_t unlinked = in.chars - in.link_chars;
    if (boiler && !chrome && unlinked * 2 > total &&
        ((in.hints & kHintStrong) == 0 || (in.hints & kHintMaybe) != 0)) {
      boiler = false;
    }
    // "entry share", "article-body social-enabled": a content word and several plain-text
    // paragraphs outweigh a feature word (one comment is rarely more than two paragraphs).
    constexpr uint32_t kMinArticleParagraphs = 3;
    if (boiler && !chrome && (in.hints & kHintMaybe) != 0 &&
        in.paragraphs >= kMinArticleParagraphs && in.link_chars * 5 < in.chars) {
      boiler = false;
    }
    // A region holding most of the page's text is the page, whatever its name says.
    if (boiler && unlinked * 10 > total * 6 && !e->is(Tag::kNav)) boiler = false;
    in.boiler = boiler;
    in.in_boiler = boiler || parent.in_boiler;
  }
}

// Whether the start of the block's text appears in the articleBody hint.
bool Extractor::in_body_hint(const Node* block) const {
  std::string text = str::collapse_whitespace(html::text_content(block));
  constexpr size_t kProbeBytes = 48;
  if (text.size() > kProbeBytes) {
    size_t cut = kProbeBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  return !text.empty() && body_hint_.find(text) != std::string::npos;
}

void Extractor::init_score(Info& in) {
  if (in.scored) return;
  in.scored = true;
  const Node* e = in.node;
  float s = 0;
  if (e->ns == html::Namespace::kHtml) {
    switch (e->tag) {
      case Tag::kDiv:
      case Tag::kArticle:
      case Tag::kMain:
      case Tag::kSection:
        s = 5;
        break;
      case Tag::kPre:
      case Tag::kTd:
      case Tag::kBlockquote:
        s = 3;
        break;
      case Tag::kAddress:
      case Tag::kOl:
      case Tag::kUl:
      case Tag::kDl:
      case Tag::kDd:
      case Tag::kDt:
      case Tag::kLi:
      case Tag::kForm:
        s = -3;
        break;
      case Tag::kH1:
      case Tag::kH2:
      case Tag::kH3:
      case Tag::kH4:
      case Tag::kH5:
      case Tag::kH6:
      case Tag::kTh:
        s = -5;
        break;
      default:
        break;
    }
  }
  if ((in.hints & kHintPositive) != 0) s += 25;
  if ((in.hints & kHintNegative) != 0) s -= 25;
  if (is_semantic_main(e)) s += 15;
  in.score = s;
}

// Every paragraph block votes for its nearest ancestors (readability's content score: one point,
// one per comma, one per 100 characters up to three), discounted by its own link density.
void Extractor::score_paragraphs() {
  for (size_t i = 0; i < infos_.size(); ++i) {
    Info& in = infos_[i];
    if (in.in_boiler || static_cast<int32_t>(i) != in.block) continue;
    if (in.inline_chars < kMinParagraphChars) continue;
    float ld = static_cast<float>(in.inline_link_chars) / static_cast<float>(in.inline_chars);
    if (ld > 0.5f) continue;
    float vote = (1.f + static_cast<float>(in.inline_commas) +
                  std::min(static_cast<float>(in.inline_chars) / 100.f, 3.f)) *
                 (1.f - ld);
    // The publisher's own copy of the article (JSON-LD articleBody) vouches for a paragraph.
    if (!body_hint_.empty() && in_body_hint(in.node)) vote *= 2;
    int32_t j = is_paragraph_tag(in.node) ? in.parent : static_cast<int32_t>(i);
    for (int level = 0; j >= 0 && level < kScoreLevels; ++level) {
      Info& a = infos_[static_cast<size_t>(j)];
      init_score(a);
      float divider = level == 0 ? 1.f : level == 1 ? 2.f : static_cast<float>(level) * 3.f;
      a.score += vote / divider;
      j = a.parent;
    }
  }
  for (Info& in : infos_) {
    if (in.scored) in.score *= 1.f - link_density(in);
  }
}

// Unlinked text of the page outside its boilerplate regions: what a reader would read.
uint32_t Extractor::plain_chars_outside_boilerplate() const {
  uint32_t boiler = 0;
  for (uint32_t i = 1; i < infos_.size();) {
    const Info& in = infos_[i];
    if (in.boiler) {
      boiler += in.chars - in.link_chars;
      i = in.end;  // nested regions are inside this one's count
    } else {
      ++i;
    }
  }
  return infos_[0].chars - infos_[0].link_chars - boiler;
}

// The nearest article/main/articleBody element at or above `i`, or -1.
int32_t Extractor::nearest_main(int32_t i) const {
  for (; i > 0; i = infos_[static_cast<size_t>(i)].parent) {
    if (is_semantic_main(infos_[static_cast<size_t>(i)].node)) return i;
  }
  return -1;
}

int32_t Extractor::pick_top() {
  int32_t top = -1;
  for (size_t i = 0; i < infos_.size(); ++i) {
    const Info& in = infos_[i];
    if (!in.scored || in.in_boiler) continue;
    if (top < 0 || in.score > infos_[static_cast<size_t>(top)].score) {
      top = static_cast<int32_t>(i);
    }
  }
  if (top < 0) return top;
  const float best = infos_[static_cast<size_t>(top)].score;
  if (best <= 0) return top;

  // Pages that append further articles as the reader scrolls repeat the article markup; the
  // page's own article is the first of them, whichever scores best.
  {
    const Info& t = infos_[static_cast<size_t>(top)];
    std::string_view cls = t.node->attr_value("class");
    if (!cls.empty()) {
      const int32_t top_main = nearest_main(top);
      // Each check climbs the tree: a bounded number keeps hostile pages linear.
      constexpr int kMaxRepeatChecks = 32;
      int checks = 0;
      for (size_t i = 1; i < static_cast<size_t>(top) && checks < kMaxRepeatChecks; ++i) {
        const Info& in = infos_[i];
        if (!in.scored || in.in_boiler || in.end > static_cast<uint32_t>(top)) continue;
        if (in.node->tag != t.node->tag || in.node->attr_value("class") != cls) continue;
        if (in.score * 2 < best) continue;
        ++checks;
        // Sections of one article share its article element; repeated articles each have one.
        int32_t a = nearest_main(static_cast<int32_t>(i));
        if (a < 0 || a == top_main) continue;
        top = static_cast<int32_t>(i);
        break;
      }
    }
  }

  // Several near-best candidates inside one ancestor: the article is split (e.g. by ads) and
  // that ancestor holds all of it.
  std::vector<int32_t> alternatives;
  for (size_t i = 0; i < infos_.size(); ++i) {
    const Info& in = infos_[i];
    if (static_cast<int32_t>(i) == top || !in.scored || in.in_boiler) continue;
    if (in.score >= best * 0.75f) alternatives.push_back(static_cast<int32_t>(i));
  }
  // The strongest few suffice (and bound the ancestor walk below on hostile pages).
  constexpr size_t kMaxAlternatives = 16;
  if (alternatives.size() > kMaxAlternatives) {
    std::partial_sort(alternatives.begin(), alternatives.begin() + kMaxAlternatives,
                      alternatives.end(), [this](int32_t x, int32_t y) {
                        return infos_[static_cast<size_t>(x)].score >
                               infos_[static_cast<size_t>(y)].score;
                      });
    alternatives.resize(kMaxAlternatives);
  }
  constexpr size_t kMinAlternatives = 3;
  if (alternatives.size() >= kMinAlternatives) {
    for (int32_t a = infos_[static_cast<size_t>(top)].parent; a > 0;
         a = infos_[static_cast<size_t>(a)].parent) {
      const Info& anc = infos_[static_cast<size_t>(a)];
      size_t inside = 0;
      for (int32_t alt : alternatives) {
        if (alt > a && static_cast<uint32_t>(alt) < anc.end) ++inside;
      }
      if (inside >= kMinAlternatives) {
        top = a;
        break;
      }
    }
  }

  // Climb while the parent scores better: the candidate was one part of a larger article.
  float last = infos_[static_cast<size_t>(top)].score;
  const float threshold = last / 3;
  for (int32_t a = infos_[static_cast<size_t>(top)].parent; a > 0;
       a = infos_[static_cast<size_t>(a)].parent) {
    const Info& anc = infos_[static_cast<size_t>(a)];
    if (!anc.scored) continue;
    if (anc.score < threshold) break;
    if (anc.score > last) {
      top = a;
      break;
    }
    last = anc.score;
  }

  // The page's own article/main element wins over a candidate holding only a small part of its
  // plain text (an intro block, one section of a long article).
  for (int32_t a = infos_[static_cast<size_t>(top)].parent; a > 0;
       a = infos_[static_cast<size_t>(a)].parent) {
    const Info& anc = infos_[static_cast<size_t>(a)];
    if (anc.in_boiler) break;
    if (!is_semantic_main(anc.node)) continue;
    const Info& t = infos_[static_cast<size_t>(top)];
    if ((t.chars - t.link_chars) * 10 < (anc.chars - anc.link_chars) * 6) top = a;
    break;
  }

  // A lone child carries nothing its parent does not.
  while (top > 0) {
    const Info& in = infos_[static_cast<size_t>(top)];
    const Info& p = infos_[static_cast<size_t>(in.parent)];
    if (in.parent == 0 || p.in_boiler || p.chars != in.chars) break;
    top = in.parent;
  }
  return top;
}

bool ends_sentence_like(const Node* e) {
  std::string text = html::text_content(e);
  std::string_view t = str::trim(text);
  return !t.empty() && (t.back() == '.' || t.find(". ") != std::string_view::npos);
}

// Whether element i is or holds a standfirst: a lede-hinted block of plain text.
bool Extractor::has_lede(uint32_t i) const {
  constexpr uint32_t kMinLedeChars = 40;
  for (uint32_t j = i; j < infos_[i].end; ++j) {
    const Info& in = infos_[j];
    if ((in.hints & kHintLede) == 0 || in.in_boiler) continue;
    if (in.chars >= kMinLedeChars && in.link_chars * 4 < in.chars) return true;
  }
  return false;
}

// Siblings of the top candidate that belong to the article too (readability's sibling pass).
std::vector<int32_t> Extractor::merge_siblings(int32_t top) {
  std::vector<int32_t> out;
  const Info& t = infos_[static_cast<size_t>(top)];
  if (top == 0) {
    out.push_back(top);
    return out;
  }
  const Info& parent = infos_[static_cast<size_t>(t.parent)];
  const float threshold = std::max(10.f, t.score * 0.2f);
  std::string_view top_class = t.node->attr_value("class");
  for (uint32_t i = static_cast<uint32_t>(t.parent) + 1; i < parent.end; i = infos_[i].end) {
    const Info& s = infos_[i];
    if (static_cast<int32_t>(i) == top) {
      out.push_back(static_cast<int32_t>(i));
      continue;
    }
    if (s.boiler || s.chars == 0) continue;
    // The standfirst (lead, intro, abstract) above the body is part of the article.
    if (i < static_cast<uint32_t>(top) && has_lede(i)) {
      out.push_back(static_cast<int32_t>(i));
      continue;
    }
    float bonus = 0;
    if (!top_class.empty() && s.node->attr_value("class") == top_class) bonus = t.score * 0.2f;
    bool include = s.scored && s.score + bonus >= threshold;
    if (!include && s.paragraphs > 0 && s.inline_chars == s.chars) {
      float ld = link_density(s);
      include =
          (s.chars > 80 && ld < 0.25f) || (s.chars <= 80 && ld == 0 && ends_sentence_like(s.node));
    }
    if (include) out.push_back(static_cast<int32_t>(i));
  }
  return out;
}

std::string trimmed_text(const Node* root);
bool ends_like_sentence(std::string_view t);

// A picture's credit line set as a paragraph of its own: "Titelbild: X/picture-alliance",
// "(Credit: A / Grist)", "Crédits photos : Agency", or a source line crediting a text or a
// table ("Quelle: Landesregierung"). The label before the colon is a word or two naming a
// picture, a credit or a source, in the languages sites usually label them in.
bool is_credit_line(std::string_view t) {
  if (!t.empty() && t.front() == '(') t.remove_prefix(1);
  constexpr size_t kMaxLabelBytes = 24;
  size_t colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > kMaxLabelBytes) return false;
  // An empty field ("Bildautor:") credits no one: a form label, not a credit.
  if (str::trim(t.substr(colon + 1)).empty()) return false;
  std::string label = str::to_lower(t.substr(0, colon));
  constexpr size_t kMaxLabelWords = 2;
  size_t words = 1;
  for (char c : str::trim(label)) words += c == ' ' ? 1 : 0;
  if (words > kMaxLabelWords) return false;
  constexpr std::string_view kCreditWords[] = {"credit",
                                               "cr\xC3\xA9"
                                               "dit",
                                               "photo",
                                               "foto",
                                               "bild",
                                               "quelle",
                                               "source",
                                               "fuente",
                                               "image",
                                               "picture"};
  for (std::string_view w : kCreditWords) {
    if (label.find(w) != std::string::npos) return true;
  }
  return false;
}

// A picture's caption closed by its credit: "Lee Elder in 1975. | © Agency/Getty Images",
// "Die Zeiten im Überblick. (Foto: Getty)". Captions are not article text by the corpus
// convention; the credit at the end is what tells a caption from a short paragraph.
bool ends_with_credit(std::string_view t) {
  constexpr size_t kMaxCreditBytes = 60;
  size_t copyright = t.rfind("\xC2\xA9");  // ©
  if (copyright != std::string_view::npos && t.size() - copyright <= kMaxCreditBytes) return true;
  if (t.empty() || t.back() != ')') return false;
  size_t open = t.rfind('(');
  return open != std::string_view::npos && t.size() - open <= kMaxCreditBytes &&
         is_credit_line(t.substr(open, t.size() - 1 - open));
}

// A paragraph of its own that is a picture's credit or a caption closed by one.
bool is_credit_block(const Info& in) {
  constexpr uint32_t kMaxCreditChars = 120;
  constexpr uint32_t kMaxCreditedCaptionChars = 200;
  if (!is_text_block(in.node) || in.chars >= kMaxCreditedCaptionChars || in.paragraphs > 1) {
    return false;
  }
  // The line is judged where its text is: a wrapper whose text sits in nested blocks is not read
  // (reading every wrapper of a deeply nested line would cost time quadratic in the depth).
  if (in.inline_chars * 2 < in.chars) return false;
  std::string t = trimmed_text(in.node);
  return (in.chars < kMaxCreditChars && is_credit_line(t)) || ends_with_credit(t);
}

// A line of a few words that is a date, or a date and time after a label: "12.03.2024 Sport",
// "Posted: Sun Oct 12, 2025 7:41 pm". Datelines are post metadata by the corpus
// convention; a heading naming a date ("Results of March 5, 2024") or a sentence is text.
bool is_labelled_dateline(const Info& in) {
  constexpr uint32_t kMaxDatelineChars = 48;
  constexpr size_t kMaxDatelineWords = 8;
  const Node* e = in.node;
  if (!is_text_block(e) || is_heading(e) || e->is(Tag::kTd) || e->is(Tag::kTh)) return false;
  if (in.chars == 0 || in.chars > kMaxDatelineChars || in.paragraphs > 1) return false;
  std::string t = trimmed_text(e);
  if (ends_like_sentence(t) && t.back() != ')') return false;
  if (str::split_whitespace(t).size() > kMaxDatelineWords) return false;
  // A labelled date without a clock time may announce an event ("Termin: 29.02.2020"); a
  // post's stamp carries the time it went up.
  std::string date = normalize_date(t);
  // (No-break and em spaces often pad the date: the first letter or digit decides.)
  auto first = std::find_if(t.begin(), t.end(), [](char c) { return str::is_alnum(c); });
  bool unlabelled = first != t.end() && str::is_digit(*first);
  return !date.empty() && (unlabelled || date.find('T') != std::string::npos);
}

// A script's show/hide control ("MORE+", "Hide Images"): a label of a few words named as a
// toggle, other than a link to somewhere. The same words on a region with text name the
// collapsible region itself (Bootstrap's "collapse"), which is content.
bool is_toggle_control(const Info& in) {
  constexpr uint32_t kMaxControlChars = 24;
  const Node* e = in.node;
  if ((in.hints & kHintControl) == 0 || in.chars == 0 || in.chars > kMaxControlChars) return false;
  return !(e->is(Tag::kA) && e->attr("href") != nullptr);
}

// A link to a place on the same page ("#content", "#mw-head") that stands outside any sentence:
// its block holds only link text. Skip links ("Jump to navigation"), "back to top", tables of
// contents and script controls (href="#") move the reader around the page; they are no part
// of the article. Footnote marks (href="#cite-1") sit inside a sentence and stay.
bool Extractor::is_loose_page_link(const Info& in) const {
  if (!in.node->is(Tag::kA) || in.chars == 0) return false;
  std::string_view href = str::trim(in.node->attr_value("href"));
  if (href.empty() || href.front() != '#') return false;
  const Info& block = infos_[static_cast<size_t>(in.block)];
  return block.inline_link_chars == block.inline_chars;
}

// Whether a table starts with a header row (<thead>, or <th> cells in its first row): a table
// of data with named columns, whatever its cells link to. Layout tables have no headers.
bool has_header_row(const Node* table) {
  const Node* row = nullptr;
  for (const Node* c = table->first_child; c != nullptr && row == nullptr; c = c->next_sibling) {
    if (c->is(Tag::kThead)) return true;
    if (c->is(Tag::kTr)) row = c;
    if (c->is(Tag::kTbody)) {
      for (const Node* r = c->first_child; r != nullptr && row == nullptr; r = r->next_sibling) {
        if (r->is(Tag::kTr)) row = r;
      }
    }
  }
  if (row == nullptr) return false;
  for (const Node* cell = row->first_child; cell != nullptr; cell = cell->next_sibling) {
    if (cell->is(Tag::kTh)) return true;
  }
  return false;
}

// Whether element i is a row or cell of a data table: one without tables nested in it (layout
// tables nest, and their cells hold whole page regions).
bool Extractor::in_data_table(int32_t i) const {
  const Node* e = infos_[static_cast<size_t>(i)].node;
  if (!e->is(Tag::kTr) && !e->is(Tag::kTd) && !e->is(Tag::kTh) && !e->is(Tag::kTbody) &&
      !e->is(Tag::kThead) && !e->is(Tag::kTfoot)) {
    return false;
  }
  // tr > tbody > table at most, a cell one level more.
  constexpr int kMaxTableLevels = 4;
  int32_t a = infos_[static_cast<size_t>(i)].parent;
  for (int level = 0; level < kMaxTableLevels && a > 0; ++level) {
    const Info& anc = infos_[static_cast<size_t>(a)];
    if (anc.node->is(Tag::kTable)) return anc.tables == 1;
    a = anc.parent;
  }
  return false;
}

// Whether an element's previous or next element sibling has its class: an item of a list of
// like blocks (teaser cards, or a block inside one), not a block of its own.
bool repeats_its_class(const Node* e) {
  std::string_view cls = e->attr_value("class");
  if (cls.empty()) return false;
  const Node* prev = e->prev_sibling;
  while (prev != nullptr && !prev->is_element()) prev = prev->prev_sibling;
  const Node* next = e->next_sibling;
  while (next != nullptr && !next->is_element()) next = next->next_sibling;
  return (prev != nullptr && prev->attr_value("class") == cls) ||
         (next != nullptr && next->attr_value("class") == cls);
}

// An inline run of links that is the only loose text of a block holding other blocks: a line
// of its own between paragraphs made of links ("docker, installation, install" tags, share
// links). A block made of links is judged as a link list below; this is the same line without
// a block of its own.
bool Extractor::is_loose_link_line(const Info& in) const {
  if (is_text_block(in.node) || in.chars == 0 || in.link_chars * 5 < in.chars * 4) return false;
  const Info& block = infos_[static_cast<size_t>(in.block)];
  return block.inline_chars == in.chars && block.chars > in.chars;
}

// Cleaning inside the chosen content (readability's "clean conditionally", plus the boilerplate
// regions and the meta lines the corpus convention excludes).
bool Extractor::remove_in_content(int32_t i, uint32_t content_chars) const {
  const Info& in = infos_[static_cast<size_t>(i)];
  const Node* e = in.node;
  if (in.has_main) return false;
  if (in.boiler) return true;
  // Inside the article the strong hints win over "content"-like words (comment-content).
  if (((in.hints & kHintStrong) != 0 || is_paywall_prompt(in)) && in.chars * 2 < content_chars) {
    return true;
  }
  if ((in.hints & kHintMeta) != 0 && in.chars < 200 && in.paragraphs <= 1) return true;
  // A bio box says who wrote the article, not what it says.
  constexpr uint32_t kMaxAuthorBoxChars = 1500;
  if ((in.hints & kHintAuthorBox) != 0 && in.chars < kMaxAuthorBoxChars &&
      in.chars * 2 < content_chars) {
    return true;
  }
  if (e->is(Tag::kTime) && in.parent >= 0) return true;
  // Short image captions and credits ("Foto: …", "Getty Images") are not article text by the
  // corpus convention; a long caption tells part of the story (slideshows, photo essays).
  constexpr uint32_t kMaxCreditCaptionChars = 120;
  if (e->is(Tag::kFigcaption) && in.chars < kMaxCreditCaptionChars) return true;
  if (is_credit_block(in)) return true;
  if (is_loose_page_link(in)) return true;
  if (is_loose_link_line(in)) return true;
  if (is_labelled_dateline(in)) return true;
  if (is_toggle_control(in)) return true;
  // Inline elements flow inside their paragraph: judged with it, never alone (a linked phrase is
  // part of its sentence).
  if (!is_text_block(e)) return false;
  if (in.chars == 0) return in.images == 0 && !e->is(Tag::kHr);
  // The rows and cells of a data table that was kept are judged with it: a linked product or
  // ingredient name is one column of the data, not a link list.
  if (in_data_table(i)) return false;
  if (e->is(Tag::kTable) && in.tables == 1 && has_header_row(e)) return false;
  float ld = link_density(in);
  // Link lists (menus, teasers) are removed; a container that also holds a good amount of plain
  // text is kept and cleaned inside instead.
  const uint32_t unlinked = in.chars - in.link_chars;
  if (ld > 0.6f && unlinked < 400) return true;
  bool conditional = e->is(Tag::kDiv) || e->is(Tag::kSection) || e->is(Tag::kUl) ||
                     e->is(Tag::kOl) || e->is(Tag::kTable) || e->is(Tag::kForm) ||
                     e->is(Tag::kFieldset) || e->is(Tag::kDl);
  if (!conditional) return false;
  constexpr uint32_t kManyCommas = 10;
  if (in.commas >= kManyCommas) return false;
  // A negative score from a list's tag alone says nothing; with a negative class it does
  // (but not "teaser-text" on a standfirst: one such block, not one of a list of teasers).
  constexpr uint32_t kFewParagraphs = 2;
  const bool standfirst = (in.hints & kHintLede) != 0 && !repeats_its_class(e) &&
                          (e->parent == nullptr || !repeats_its_class(e->parent));
  if ((in.hints & kHintNegative) != 0 && !standfirst && in.scored && in.score < 0 &&
      in.paragraphs <= kFewParagraphs && in.chars * 2 < content_chars) {
    return true;
  }
  if ((in.hints & kHintPositive) == 0 && ld > 0.33f && unlinked < 200) return true;
  return false;
}

bool has_text(const Node* root);

// Whitespace-trimmed text of a subtree, at most kMaxShortTextBytes of it: the callers only
// look at short lines, and the bound keeps nested blocks from costing quadratic time.
constexpr size_t kMaxShortTextBytes = 512;
std::string trimmed_text(const Node* root) {
  std::string text;
  size_t visible = 0;  // non-whitespace bytes: indentation must not use up the budget
  for (const Node* n = root; n != nullptr && visible < kMaxShortTextBytes;
       n = html::next_in_subtree(n, root)) {
    if (!n->is_text()) continue;
    for (char c : n->data) {
      text.push_back(c);
      if (!str::is_html_space(c) && ++visible >= kMaxShortTextBytes) break;
    }
  }
  std::string_view t = str::trim(text);
  return std::string(t);
}

bool ends_like_sentence(std::string_view t) {
  if (t.empty()) return false;
  char c = t.back();
  return c == '.' || c == '!' || c == '?' || c == '"' || c == ')' ||
         (t.size() >= 3 &&
          (t.substr(t.size() - 3) == "\u201C" || t.substr(t.size() - 3) == "\u201D" ||
           t.substr(t.size() - 3) == "\u2026" || t.substr(t.size() - 3) == "\u3002"));
}

// A short line that names what follows rather than saying something: a heading, or a block of
// a few words without a sentence end.
constexpr uint32_t kMaxLabelChars = 60;
bool is_label(const Node* e) {
  if (!e->is_element() || !(is_heading(e) || is_text_block(e) || e->is(Tag::kStrong) ||
                            e->is(Tag::kB) || e->is(Tag::kSpan))) {
    return false;
  }
  std::string t = trimmed_text(e);
  if (t.empty()) return false;
  uint32_t chars = count_text(t).chars;
  if (chars > kMaxLabelChars) return false;
  return is_heading(e) || !ends_like_sentence(t) || t.back() == ':';
}

bool is_list_item_or_row(const Node* e) {
  return e->is(Tag::kLi) || e->is(Tag::kTr) || e->is(Tag::kTd) || e->is(Tag::kTh);
}

// Lines that are only a date or a time ("23.10.2018", "19:49"): digits and separators, with a
// day, minute or year of two digits or more. Fractions ("1/4", "1 1/2": a recipe's quantities)
// are made of single digits.
bool is_date_line(std::string_view t) {
  constexpr size_t kMaxDateLine = 40;
  if (t.empty() || t.size() > kMaxDateLine) return false;
  size_t run = 0;
  size_t longest_run = 0;
  for (char c : t) {
    if (str::is_digit(c)) {
      longest_run = std::max(longest_run, ++run);
    } else if (c != '.' && c != ':' && c != '/' && c != '-' && c != ' ' && c != ',') {
      return false;
    } else {
      run = 0;
    }
  }
  return longest_run >= 2;
}

// Soft hyphens (U+00AD) and zero-width spaces (U+200B) are invisible line-breaking hints; a
// reader (and a text search) sees the word without them.
void strip_invisible(Node* fragment, Arena& arena) {
  for (Node* n = fragment->first_child; n != nullptr; n = html::next_in_subtree(n, fragment)) {
    if (!n->is_text()) continue;
    std::string_view d = n->data;
    if (d.find("\xC2\xAD") == std::string_view::npos &&
        d.find("\xE2\x80\x8B") == std::string_view::npos) {
      continue;
    }
    std::string out;
    out.reserve(d.size());
    for (size_t i = 0; i < d.size(); ++i) {
      if (d.compare(i, 2, "\xC2\xAD") == 0) {
        ++i;
        continue;
      }
      if (d.compare(i, 3, "\xE2\x80\x8B") == 0) {
        i += 2;
        continue;
      }
      out.push_back(d[i]);
    }
    n->data = arena.copy(out);
  }
}

void Extractor::clean_content(const std::vector<int32_t>& roots, uint32_t content_chars) {
  for (int32_t r : roots) {
    const Info& root = infos_[static_cast<size_t>(r)];
    for (uint32_t i = static_cast<uint32_t>(r) + 1; i < root.end;) {
      // The best candidate of a fallback and the blocks holding it are kept (their contents
      // are still cleaned): short as it is, it is the text the page's scoring found.
      const bool holds_kept = kept_ >= 0 && i <= static_cast<uint32_t>(kept_) &&
                              static_cast<uint32_t>(kept_) < infos_[i].end;
      if (!holds_kept && remove_in_content(static_cast<int32_t>(i), content_chars)) {
        Node* label = infos_[i].node->prev_sibling;
        while (label != nullptr && !label->is_element() && !has_text(label)) {
          label = label->prev_sibling;
        }
        html::remove_node(infos_[i].node);
        // "Related articles", "Mehr zum Thema:" above a removed block went with it.
        // A caption sits under a picture, not under a label of its own, and the item or row
        // before a removed one is its sibling in a list or table, never its label.
        // An inline element (an "[edit]" link in a heading) has no label of its own: the text
        // before it is part of the same line.
        // A show/hide control under a heading belongs to the section the heading names.
        if (infos_[i].chars > 0 && label != nullptr && is_text_block(infos_[i].node) &&
            is_label(label) && !is_credit_block(infos_[i]) && !is_toggle_control(infos_[i]) &&
            !is_list_item_or_row(label)) {
          html::remove_node(label);
        }
        i = infos_[i].end;
      } else {
        ++i;
      }
    }
  }
}

bool has_text(const Node* root) {
  for (const Node* n = root; n != nullptr; n = html::next_in_subtree(n, root)) {
    if (n->is_text() && !str::trim(n->data).empty()) return true;
  }
  return false;
}

// A heading with nothing after it before the next heading introduced a block that was removed
// ("Related articles", "Comments").
void Extractor::drop_empty_headings(Node* fragment) {
  std::vector<Node*> doomed;
  for (Node* n = fragment->first_child; n != nullptr; n = html::next_in_subtree(n, fragment)) {
    if (!is_heading(n)) continue;
    // Only a short label introduces a block; a long heading is text in its own right.
    constexpr size_t kMaxLabelBytes = 100;
    if (html::text_content(n).size() > kMaxLabelBytes) continue;
    const Node* next = n->next_sibling;
    // Bounded look-ahead: a long run of empty siblings is layout, and the cap keeps hostile
    // pages (many headings before many <br>) linear.
    constexpr int kMaxEmptySiblings = 32;
    int skipped = 0;
    while (next != nullptr && skipped < kMaxEmptySiblings && !has_text(next)) {
      next = next->next_sibling;
      ++skipped;
    }
    if (skipped == kMaxEmptySiblings) continue;
    bool trailing = next == nullptr && n->parent == fragment;
    if (trailing || (next != nullptr && is_heading(next) && next->tag <= n->tag)) {
      doomed.push_back(n);
    }
  }
  for (Node* n : doomed) html::remove_node(n);
}

bool is_attached_under(const Node* n, const Node* root) {
  while (n != nullptr && n != root) n = n->parent;
  return n == root;
}

// Table cells hold times, numbers and dates as data ("07:12", "12"), never as a dateline.
bool is_in_table(const Node* n, const Node* root) {
  for (; n != nullptr && n != root; n = n->parent) {
    if (n->is(Tag::kTd) || n->is(Tag::kTh) || n->is(Tag::kTable)) return true;
  }
  return false;
}

bool is_removable_date_line(const Node* b, const Node* root) {
  return !is_in_table(b, root) && is_date_line(trimmed_text(b));
}

// After cleaning, the content's own boundary: labels and date lines left at its end belonged to
// the blocks removed after the article (share bars, "more on this topic", comment forms), and a
// line that is only a date is never article text.
void trim_content(Node* fragment) {
  std::vector<Node*> blocks;
  for (Node* n = fragment->first_child; n != nullptr; n = html::next_in_subtree(n, fragment)) {
    if (!n->is_text() || str::trim(n->data).empty()) continue;
    Node* b = n->parent;
    while (b != fragment && b->parent != fragment && !is_text_block(b)) b = b->parent;
    if (b == fragment) continue;
    if (blocks.empty() || blocks.back() != b) blocks.push_back(b);
  }
  constexpr size_t kMaxTrailingRemovals = 8;
  size_t removed = 0;
  while (!blocks.empty() && removed < kMaxTrailingRemovals) {
    Node* b = blocks.back();
    blocks.pop_back();
    if (!is_attached_under(b, fragment)) continue;
    std::string t = trimmed_text(b);
    // Signatures ("Euer Hans") are short plain lines too: only headings and "…:" lead-ins count.
    bool label = is_label(b) && (is_heading(b) || (!t.empty() && t.back() == ':'));
    if (!label && (is_in_table(b, fragment) || !is_date_line(t))) break;
    html::remove_node(b);
    ++removed;
  }
  for (Node* b : blocks) {
    if (is_attached_under(b, fragment) && is_removable_date_line(b, fragment)) html::remove_node(b);
  }
}

// Text code points in the sibling run [first, last], counting stops once above `limit`.
uint32_t run_chars(const Node* first, const Node* last, uint32_t limit) {
  uint32_t seen = 0;
  for (const Node* s = first; s != nullptr; s = s->next_sibling) {
    for (const Node* n = s; n != nullptr && seen <= limit; n = html::next_in_subtree(n, s)) {
      if (n->is_text()) seen += count_text(n->data).chars;
    }
    if (s == last || seen > limit) break;
  }
  return seen;
}

// The text of the sibling run [first, last].
std::string unit_text(const Node* first, const Node* last) {
  std::string text;
  for (const Node* s = first; s != nullptr; s = s->next_sibling) {
    text.append(html::text_content(s));
    text.push_back(' ');
    if (s == last) break;
  }
  return text;
}

// A fixed list of phrases grouped by first byte at compile time, so that contains_any reads the
// text once and compares each position only with the phrases that can start there. (One find()
// per phrase read each short paragraph about 90 times; in the sandbox, where memchr is a plain
// loop, that was 14% of a crawl's CPU time.)
template <size_t N>
struct PhraseTable {
  std::array<std::string_view, N> phrases;  // grouped by first byte
  std::array<uint16_t, 257> start{};        // those starting with byte b: [start[b], start[b + 1])
};

// Every phrase must be non-empty (an empty one does not compile: it has no first byte).
template <size_t N>
constexpr PhraseTable<N> phrase_table(const std::string_view (&phrases)[N]) {
  static_assert(N < 65536, "start[] counts in 16 bits");
  PhraseTable<N> table;
  for (std::string_view p : phrases) ++table.start[static_cast<unsigned char>(p[0]) + 1];
  for (size_t b = 0; b < 256; ++b) {
    table.start[b + 1] = static_cast<uint16_t>(table.start[b + 1] + table.start[b]);
  }
  std::array<uint16_t, 256> next{};
  for (size_t b = 0; b < 256; ++b) next[b] = table.start[b];
  for (std::string_view p : phrases) table.phrases[next[static_cast<unsigned char>(p[0])]++] = p;
  return table;
}

template <size_t N>
bool contains_any(std::string_view text, const PhraseTable<N>& table) {
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    for (size_t i = table.start[byte]; i < table.start[byte + 1]; ++i) {
      const std::string_view phrase = table.phrases[i];
      if (phrase.size() <= text.size() - pos && text.substr(pos, phrase.size()) == phrase) {
        return true;
      }
    }
  }
  return false;
}

// An advertising or affiliate disclosure ("This post contains … our advertisers. We may receive
// compensation …", "*Werbung. Dieser Beitrag enthält Werbung für …"): the site's legal line,
// set at the top or the bottom of a post. `lower` as for is_site_notice.
bool is_ad_disclosure(std::string_view lower) {
  static constexpr auto kDisclosurePhrases =
      phrase_table({"our advertisers", "receive compensation", "affiliate link", "affiliate-link",
                    "enth\xC3\xA4lt werbung", "enth\xC3\xA4lt affiliate", "advertiser disclosure",
                    "enlaces de afiliado", "liens affili\xC3\xA9s"});
  return contains_any(lower, kDisclosurePhrases);
}

// A short paragraph that speaks for the site, not the article: a subscription or membership
// prompt, "follow us on …", an app download, a copyright, licence or disclaimer notice, a
// consent line, a letters or comment invitation, an advert label, a "more on this" or "back to
// the list" label. Sites put these under the article, inside its container, so only their
// wording tells them apart. The cues are generic phrases in the languages sites usually use for
// them; `lower` is the ASCII-lower-cased, whitespace-collapsed text.
bool is_site_notice(std::string_view lower) {
  static constexpr auto kNoticePhrases = phrase_table(
      {// subscriptions, memberships, newsletters, accounts
       "subscri", "newsletter", "sign up for", "sign up to", "sign me up", "become a member",
       "support us", "abonnier", "abonnement", "unterst\xC3\xBCtze uns", "suscr", "ap\xC3\xB3yanos",
       "hazte miembro", "abonnez", "soutenez",
       "cr\xC3\xA9"
       "ez votre compte",
       "connectez-vous", "inscrivez-vous", "subskrypc", "iscriviti", "abbonati", "assine",
       "inscreva-se", "abonneer", "nieuwsbrief", "rss-feed", "rss feed", "rss 2.0",
       // following the site, its apps
       "follow us", "folgen sie uns", "folge uns", "folgt uns", "s\xC3\xADguenos", "suivez-nous",
       "seguici", "siga-nos", "volg ons", "obserwuj", "zapraszamy do", "app store",
       "ios and android", "ios und android", "get the latest",
       // rights, licences, disclaimers
       "all rights reserved", "copyright", "\xC2\xA9", "alle rechte vorbehalten",
       "derechos reservados", "droits r\xC3\xA9serv\xC3\xA9s", "riproduzione riservata", "cc-by",
       "cc by", "creative commons", "licensed under", "unter der lizenz", "not responsible for",
       "opinions expressed", "meinung des autors", "meinung der redaktion", "ohne gew\xC3\xA4hr",
       // reader mail, comments, sharing, the author box, the rest of a paywalled text
       "letter to the editor", "letters to the editor",
       "escr\xC3\xAD"
       "benos",
       "escribirnos", "kommentar schreiben", "kommentare schreiben", "einen kommentar",
       "artikel teilen", "beitrag teilen", "about the author",
       "\xC3\xBC"
       "ber den autor",
       "\xC3\x9C"
       "ber den autor",
       "\xC3\xBC"
       "ber die autorin",
       "\xC3\x9C"
       "ber die autorin",
       "read the rest", "advertise with"});
  if (contains_any(lower, kNoticePhrases)) return true;
  // "Follow X on Twitter", "Únete … Telegram": a social network and a verb to follow or join
  // (only "join us/our": users join groups on a network in many an article's last lines).
  static constexpr auto kNetworks = phrase_table({"facebook", "twitter", "instagram", "telegram",
                                                  "whatsapp", "linkedin", "youtube", "tiktok"});
  static constexpr auto kFollowVerbs =
      phrase_table({"follow", "folge", "seguir", "s\xC3\xADguenos", "\xC3\xBAnete", "\xC3\x9Anete",
                    "suivez", "seguici", "siga", "volg", "join us", "join our"});
  if (contains_any(lower, kNetworks) && contains_any(lower, kFollowVerbs)) {
    return true;
  }
  // Consent to a privacy policy (the checkbox line of a sign-up form).
  static constexpr auto kPrivacy =
      phrase_table({"privacy", "datenschutz", "privacidad", "confidentialit\xC3\xA9"});
  static constexpr auto kAgree = phrase_table({"i agree", "einverstanden", "acepto", "accepte"});
  if (contains_any(lower, kPrivacy) && contains_any(lower, kAgree)) {
    return true;
  }
  // Labels, not sentences: "Weitere Informationen zum Thema:", "Related", "zurück zur Liste".
  constexpr size_t kMaxLabelBytes = 80;
  if (lower.size() <= kMaxLabelBytes && !ends_like_sentence(lower)) {
    static constexpr auto kLabelPhrases = phrase_table(
        {"weitere informationen", "mehr zum thema", "more on this", "read more", "related",
         "\xC3\xA4hnliche beitr\xC3\xA4ge", "auch interessieren", "you may also like",
         "lesen sie auch", "auch interessant", "te puede interesar", "lee tambi\xC3\xA9n",
         "\xC3\xA0 lire aussi", "leggi anche", "weiterlesen", "mehr erfahren", "learn more"});
    if (contains_any(lower, kLabelPhrases)) return true;
    constexpr std::string_view kBackLinks[] = {
        "zur\xC3\xBC"
        "ck zu",
        "back to", "volver a", "retour \xC3\xA0"};
    for (std::string_view b : kBackLinks) {
      if (lower.substr(0, b.size()) == b) return true;
    }
  }
  // A lone advert or contact label ("- Anzeige -", "Kontakt").
  std::string word;
  for (char c : lower) {
    if (str::is_alnum(c)) word.push_back(c);
  }
  constexpr std::string_view kLabels[] = {"anzeige", "werbung", "advertisement", "publicidad",
                                          "anuncio", "kontakt", "contact"};
  for (std::string_view l : kLabels) {
    if (word == l) return true;
  }
  return false;
}

// The heading of a comment section ("Comments", "3 Kommentare", "Leave a reply"); `lower` is
// ASCII-lower-cased and whitespace-collapsed.
bool is_comments_label(std::string_view lower) {
  // Counts and punctuation around the words ("12 Comments", "Kommentare (3)", "Comments:").
  auto is_word_char = [](char c) {
    return str::is_alpha(c) || static_cast<unsigned char>(c) >= 0x80;
  };
  while (!lower.empty() && !is_word_char(lower.front())) lower.remove_prefix(1);
  while (!lower.empty() && !is_word_char(lower.back())) lower.remove_suffix(1);
  constexpr std::string_view kLabels[] = {"comment",
                                          "comments",
                                          "kommentar",
                                          "kommentare",
                                          "leserkommentare",
                                          "comentario",
                                          "comentarios",
                                          "commentaire",
                                          "commentaires",
                                          "commenti",
                                          "komentarze",
                                          "reacties",
                                          "leave a comment",
                                          "leave a reply",
                                          "schreibe einen kommentar",
                                          "deja un comentario",
                                          "laisser un commentaire"};
  for (std::string_view l : kLabels) {
    if (lower == l) return true;
  }
  return false;
}

// Removes `n` and everything after it in document order under `root`.
void remove_from(Node* n, Node* root) {
  for (Node* a = n; a != nullptr && a != root; a = a->parent) {
    while (Node* next = a->next_sibling) html::remove_node(next);
  }
  html::remove_node(n);
}

// Site notices in the last part of the content (see is_site_notice) are removed. Only the tail
// is searched: the same words inside the article are part of what it says, and a notice block
// is short. A unit is one line of phrasing content: the children of a text block between its
// nested blocks and line breaks (all of a plain paragraph), or such a run directly in the
// content.
void drop_trailing_notices(Node* fragment) {
  struct Unit {
    Node* block;  // the nearest text block (or the fragment)
    Node* first;  // the first and last child of `block` in the run
    Node* last;
    uint32_t chars;
  };
  auto is_line_break = [](const Node* n) {
    return n->is_element() && (is_text_block(n) || n->is(Tag::kHr));
  };
  std::vector<Unit> units;
  uint32_t total = 0;
  for (Node* n = fragment->first_child; n != nullptr; n = html::next_in_subtree(n, fragment)) {
    if (!n->is_text()) continue;
    const uint32_t chars = count_text(n->data).chars;
    if (chars == 0) continue;
    total += chars;
    Node* top = n;
    Node* b = n->parent;
    while (b != fragment && !is_text_block(b)) {
      top = b;
      b = b->parent;
    }
    bool extends = false;
    if (!units.empty() && units.back().block == b) {
      // The run continues when only phrasing content lies between its end and `top`.
      const Node* s = units.back().last;
      while (s != nullptr && s != top && (s == units.back().last || !is_line_break(s))) {
        s = s->next_sibling;
      }
      extends = s == top;
    }
    if (extends) {
      units.back().last = top;
    } else {
      units.push_back({b, top, top, 0});
    }
    units.back().chars += chars;
  }
  // A comment section's heading in the second half ends the article: what follows are the
  // comments, their form, or what a site puts under them.
  uint32_t before = 0;
  for (size_t i = 1; i < units.size(); ++i) {
    before += units[i - 1].chars;
    constexpr uint32_t kMaxCommentsLabelChars = 30;
    const Unit& u = units[i];
    if (before * 2 < total || u.chars > kMaxCommentsLabelChars) continue;
    if (run_chars(u.first, u.last, u.chars) != u.chars) continue;
    std::string lower = str::collapse_whitespace(unit_text(u.first, u.last));
    str::to_lower_in_place(lower);
    if (!is_comments_label(lower)) continue;
    const bool whole_block =
        u.block != fragment && run_chars(u.block->first_child, nullptr, u.chars) == u.chars;
    remove_from(whole_block ? u.block : u.first, fragment);
    total = before;
    units.resize(i);
    break;
  }
  // A short line whose text is only this unit's (inline elements holding blocks of their own
  // are not one line), lower-cased; "" otherwise.
  constexpr uint32_t kMaxNoticeChars = 600;
  auto short_line = [fragment](const Unit& u) {
    std::string lower;
    if (u.chars >= kMaxNoticeChars || !is_attached_under(u.first, fragment) ||
        run_chars(u.first, u.last, u.chars) != u.chars) {
      return lower;
    }
    lower = str::collapse_whitespace(unit_text(u.first, u.last));
    str::to_lower_in_place(lower);
    return lower;
  };
  auto remove_unit = [fragment](const Unit& u) {
    // A block holding only this line goes as a whole (with its images and empty wrappers).
    if (u.block != fragment && run_chars(u.block->first_child, nullptr, u.chars) == u.chars) {
      html::remove_node(u.block);
      return;
    }
    Node* s = u.first;
    while (s != nullptr) {
      Node* next = s == u.last ? nullptr : s->next_sibling;
      html::remove_node(s);
      s = next;
    }
  };
  // The head and the tail: the first and the last quarter of the text, at most kMaxEndChars.
  constexpr uint32_t kMaxEndChars = 1500;
  const uint32_t window = std::min(total / 4, kMaxEndChars);
  uint32_t seen = 0;
  for (size_t i = 0; i < units.size() && seen <= window; ++i) {
    seen += units[i].chars;
    if (is_ad_disclosure(short_line(units[i]))) remove_unit(units[i]);
  }
  seen = 0;
  for (size_t i = units.size(); i-- > 1 && seen <= window;) {
    seen += units[i].chars;
    std::string lower = short_line(units[i]);
    if (!lower.empty() && (is_site_notice(lower) || is_ad_disclosure(lower))) {
      remove_unit(units[i]);
    }
  }
}

// The article's headline: the nearest <h1> before the body that names the page's title (any
// <h1> when the title is unknown). Site-logo <h1>s and headlines of other articles do not.
int32_t Extractor::find_headline(int32_t top, std::string_view title) const {
  // Bounded backwards scan: the headline sits just above the body.
  constexpr int kMaxHeadlineScan = 400;
  const std::string want = str::collapse_whitespace(title);
  int scanned = 0;
  for (int32_t i = top - 1; i > 0 && scanned < kMaxHeadlineScan; --i, ++scanned) {
    const Info& in = infos_[static_cast<size_t>(i)];
    if (!in.node->is(Tag::kH1) || in.end > static_cast<uint32_t>(top)) continue;
    if (want.empty()) return i;
    std::string text = str::collapse_whitespace(trimmed_text(in.node));
    constexpr size_t kMinTitleBytes = 8;
    if (text.size() < kMinTitleBytes) continue;
    if (str::icontains(want, text) || str::icontains(text, want)) return i;
    // Headline and declared title often differ only in their last words ("… – was ist
    // günstiger?" / "… – was lohnt sich?"): a shared start of most of the shorter one counts.
    size_t common = 0;
    while (common < text.size() && common < want.size() &&
           str::to_lower(text[common]) == str::to_lower(want[common])) {
      ++common;
    }
    constexpr size_t kMinCommonBytes = 20;
    if (common >= kMinCommonBytes && common * 3 >= std::min(text.size(), want.size()) * 2) return i;
  }
  return -1;
}

// A block between the headline and the body that reads as the standfirst: a paragraph's worth of
// plain text, not a meta line, caption or credit, and not inside a share bar, a related-links
// box, navigation or a sidebar (the headline's header region as a whole may well be chrome).
bool Extractor::is_standfirst_block(uint32_t b, int32_t top) const {
  const Info& in = infos_[b];
  constexpr uint32_t kMinStandfirstChars = 80;
  if (!is_text_block(in.node) || in.inline_chars < kMinStandfirstChars) return false;
  if (in.inline_link_chars * 4 >= in.inline_chars) return false;
  if (in.node->is(Tag::kFigcaption) || in.node->is(Tag::kCaption) || in.node->is(Tag::kLi) ||
      in.node->is(Tag::kTd) || in.node->is(Tag::kTh) || is_credit_block(in)) {
    return false;
  }
  for (int32_t a = static_cast<int32_t>(b); a > 0; a = infos_[static_cast<size_t>(a)].parent) {
    const Info& anc = infos_[static_cast<size_t>(a)];
    if (a < top && anc.end > static_cast<uint32_t>(top)) break;  // shared with the body
    const Node* e = anc.node;
    if ((anc.hints & (kHintStrong | kHintMeta | kHintHidden)) != 0 || e->is(Tag::kNav) ||
        e->is(Tag::kAside) || e->is(Tag::kFooter) || e->is(Tag::kFigure) || e->is(Tag::kMenu)) {
      return false;
    }
  }
  return true;
}

// The standfirst by position: the plain-text paragraphs between the article's headline and the
// start of its body. Sites mark it up in every way (a <p> in the article's header, an <h2>
// subtitle, itemprop=description, "deck", "hero-text") and often inside a header region that
// is page chrome as a whole, so position is the signal that carries across sites.
void Extractor::add_standfirst(int32_t top, std::string_view title,
                               std::vector<int32_t>& roots) const {
  const int32_t headline = find_headline(top, title);
  if (headline < 0) return;
  // A headline far above the body (more than a standfirst's worth of text between them) heads
  // something else.
  constexpr uint32_t kMaxGapChars = 1500;
  constexpr size_t kMaxStandfirstBlocks = 3;
  std::vector<int32_t> found;
  uint32_t gap = 0;
  for (uint32_t b = infos_[static_cast<size_t>(headline)].end; b < static_cast<uint32_t>(top);) {
    const Info& in = infos_[b];
    if (in.end > static_cast<uint32_t>(top)) {  // an ancestor of the body: look inside
      ++b;
      continue;
    }
    if (!in.in_link) gap += in.inline_chars - in.inline_link_chars;
    if (gap > kMaxGapChars) return;
    bool inside_root = false;
    for (int32_t r : roots) {
      const Info& root = infos_[static_cast<size_t>(r)];
      if ((static_cast<uint32_t>(r) <= b && b < root.end) ||
          (b <= static_cast<uint32_t>(r) && static_cast<uint32_t>(r) < in.end)) {
        inside_root = true;
      }
    }
    if (!inside_root && is_standfirst_block(b, top)) {
      if (found.size() == kMaxStandfirstBlocks) return;
      found.push_back(static_cast<int32_t>(b));
      b = in.end;
      continue;
    }
    ++b;
  }
  roots.insert(roots.end(), found.begin(), found.end());
  std::sort(roots.begin(), roots.end());
}

ContentResult Extractor::article(const ContentOptions& options) {
  // A short articleBody is a teaser or a truncated copy, not a reference for the paragraphs.
  constexpr size_t kMinBodyHintBytes = 200;
  if (options.article_body_hint.size() >= kMinBodyHintBytes) {
    body_hint_ = str::collapse_whitespace(options.article_body_hint);
  }
  ContentResult result;
  result.root = make_fragment();
  Node* body = doc_.body() != nullptr ? doc_.body() : doc_.root();
  if (body == nullptr) return result;
  remove_non_content(body);
  build(body);
  classify();
  score_paragraphs();
  int32_t top = pick_top();

  std::vector<int32_t> roots;
  uint32_t content_chars = 0;
  if (top >= 0) {
    roots = merge_siblings(top);
    // A standfirst a few levels up (header > p.intro beside the body's wrappers).
    constexpr int kLedeLevels = 3;
    int32_t a = infos_[static_cast<size_t>(top)].parent;
    for (int level = 0; level < kLedeLevels && a > 0; ++level) {
      const Info& anc = infos_[static_cast<size_t>(a)];
      if (anc.in_boiler) break;
      std::vector<int32_t> ledes;
      for (uint32_t i = static_cast<uint32_t>(anc.parent) + 1; i < static_cast<uint32_t>(a);
           i = infos_[i].end) {
        if (!infos_[i].boiler && has_lede(i)) ledes.push_back(static_cast<int32_t>(i));
      }
      roots.insert(roots.begin(), ledes.begin(), ledes.end());
      a = anc.parent;
    }
    add_standfirst(top, options.title_hint, roots);
    for (int32_t r : roots) content_chars += infos_[static_cast<size_t>(r)].chars;
  }
  if (top < 0 || content_chars < kPoorCandidateChars) {
    // Fallback: the whole body minus its boilerplate regions.
    result.used_fallback = true;
    roots.clear();
    for (uint32_t i = 1; i < infos_[0].end; i = infos_[i].end) {
      if (!infos_[i].boiler) roots.push_back(static_cast<int32_t>(i));
    }
    kept_ = top;
    content_chars = infos_[0].chars;
  }
  uint32_t content_plain = 0;  // unlinked text of the content before cleaning
  for (int32_t r : roots) {
    const Info& in = infos_[static_cast<size_t>(r)];
    content_plain += in.chars - in.link_chars;
  }
  clean_content(roots, content_chars);
  for (int32_t r : roots) {
    Node* n = infos_[static_cast<size_t>(r)].node;
    html::remove_node(n);
    html::append_child(result.root, n);
  }
  drop_empty_headings(result.root);
  drop_trailing_notices(result.root);
  trim_content(result.root);
  strip_invisible(result.root, doc_.arena());

  if (!result.used_fallback && top >= 0) {
    // How clearly the content stands out, not how long it is (length has its own part in the
    // quality score): the share of the page's readable text (unlinked, outside boilerplate
    // regions) the content holds, and whether the page's own markup (article, main,
    // articleBody) agrees. A short, complete news item on a clean page is a confident result.
    const Info& t = infos_[static_cast<size_t>(top)];
    const uint32_t page_plain = plain_chars_outside_boilerplate();
    double dominance = page_plain == 0 ? 0 : static_cast<double>(content_plain) / page_plain;
    double semantic = t.in_main || t.has_main ? 1 : 0;
    result.confidence = 0.75 * std::min(dominance, 1.0) + 0.25 * semantic;
  } else {
    result.confidence = content_chars > 0 ? 0.2 : 0;
  }
  return result;
}

ContentResult Extractor::full() {
  ContentResult result;
  result.root = make_fragment();
  Node* body = doc_.body() != nullptr ? doc_.body() : doc_.root();
  if (body == nullptr) return result;
  remove_non_content(body);
  while (Node* child = body->first_child) {
    html::remove_node(child);
    html::append_child(result.root, child);
  }
  strip_invisible(result.root, doc_.arena());
  result.confidence = has_text(result.root) ? 1 : 0;
  return result;
}

}  // namespace

ContentResult extract_article(html::Document& doc, const ContentOptions& options) {
  Extractor extractor(doc);
  return extractor.article(options);
}

ContentResult extract_full(html::Document& doc) {
  Extractor extractor(doc);
  return extractor.full();
}

}  // namespace riptide::extract
