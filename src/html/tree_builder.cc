#include "html/tree_builder.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/limits.h"
#include "core/strings.h"

namespace riptide::html {

namespace {

using limits::kMaxDomDepth;

constexpr size_t kTagCount = static_cast<size_t>(Tag::kCount);

// Per-tag categories of 13.2.4.3 (HTML namespace only).
enum : uint8_t {
  kSpecial = 1,      // "special" category
  kFormatting = 2,   // formatting elements
  kImpliedEnd = 4,   // "generate implied end tags"
  kThorough = 8,     // "generate all implied end tags thoroughly"
  kScopeBase = 16,   // boundary of "has an element in scope" (HTML part)
  kTableScope = 32,  // boundary of "in table scope"
};

constexpr std::array<uint8_t, kTagCount> make_flags() {
  std::array<uint8_t, kTagCount> f{};
  auto set = [&f](Tag t, uint8_t bit) { f[static_cast<size_t>(t)] |= bit; };
  for (Tag t : {Tag::kAddress,   Tag::kApplet,   Tag::kArea,     Tag::kArticle,    Tag::kAside,
                Tag::kBase,      Tag::kBasefont, Tag::kBgsound,  Tag::kBlockquote, Tag::kBody,
                Tag::kBr,        Tag::kButton,   Tag::kCaption,  Tag::kCenter,     Tag::kCol,
                Tag::kColgroup,  Tag::kDd,       Tag::kDetails,  Tag::kDir,        Tag::kDiv,
                Tag::kDl,        Tag::kDt,       Tag::kEmbed,    Tag::kFieldset,   Tag::kFigcaption,
                Tag::kFigure,    Tag::kFooter,   Tag::kForm,     Tag::kFrame,      Tag::kFrameset,
                Tag::kH1,        Tag::kH2,       Tag::kH3,       Tag::kH4,         Tag::kH5,
                Tag::kH6,        Tag::kHead,     Tag::kHeader,   Tag::kHgroup,     Tag::kHr,
                Tag::kHtml,      Tag::kIframe,   Tag::kImg,      Tag::kInput,      Tag::kKeygen,
                Tag::kLi,        Tag::kLink,     Tag::kListing,  Tag::kMain,       Tag::kMarquee,
                Tag::kMenu,      Tag::kMeta,     Tag::kNav,      Tag::kNoembed,    Tag::kNoframes,
                Tag::kNoscript,  Tag::kObject,   Tag::kOl,       Tag::kP,          Tag::kParam,
                Tag::kPlaintext, Tag::kPre,      Tag::kScript,   Tag::kSearch,     Tag::kSection,
                Tag::kSelect,    Tag::kSource,   Tag::kStyle,    Tag::kSummary,    Tag::kTable,
                Tag::kTbody,     Tag::kTd,       Tag::kTemplate, Tag::kTextarea,   Tag::kTfoot,
                Tag::kTh,        Tag::kThead,    Tag::kTitle,    Tag::kTr,         Tag::kTrack,
                Tag::kUl,        Tag::kWbr,      Tag::kXmp}) {
    set(t, kSpecial);
  }
  for (Tag t : {Tag::kA, Tag::kB, Tag::kBig, Tag::kCode, Tag::kEm, Tag::kFont, Tag::kI, Tag::kNobr,
                Tag::kS, Tag::kSmall, Tag::kStrike, Tag::kStrong, Tag::kTt, Tag::kU}) {
    set(t, kFormatting);
  }
  for (Tag t : {Tag::kDd, Tag::kDt, Tag::kLi, Tag::kOptgroup, Tag::kOption, Tag::kP, Tag::kRb,
                Tag::kRp, Tag::kRt, Tag::kRtc}) {
    set(t, kImpliedEnd | kThorough);
  }
  for (Tag t : {Tag::kCaption, Tag::kColgroup, Tag::kTbody, Tag::kTd, Tag::kTfoot, Tag::kTh,
                Tag::kThead, Tag::kTr}) {
    set(t, kThorough);
  }
  // <select> joined the default scope boundaries with customizable <select> (whatwg/html#10557).
  for (Tag t : {Tag::kApplet, Tag::kCaption, Tag::kHtml, Tag::kTable, Tag::kTd, Tag::kTh,
                Tag::kMarquee, Tag::kObject, Tag::kSelect, Tag::kTemplate}) {
    set(t, kScopeBase);
  }
  for (Tag t : {Tag::kHtml, Tag::kTable, Tag::kTemplate}) set(t, kTableScope);
  return f;
}

constexpr std::array<uint8_t, kTagCount> kFlags = make_flags();

bool has_flag(Tag t, uint8_t bit) {
  return (kFlags[static_cast<size_t>(t)] & bit) != 0;
}

bool is_html(const Node* n, Tag t) {
  return n->tag == t && n->ns == Namespace::kHtml;
}

// 13.2.6.5: MathML text integration points.
bool is_mathml_text_ip(const Node* n) {
  return n->ns == Namespace::kMathMl &&
         (n->tag == Tag::kMi || n->tag == Tag::kMo || n->tag == Tag::kMn || n->tag == Tag::kMs ||
          n->tag == Tag::kMtext);
}

// HTML integration points: annotation-xml with an HTML encoding, SVG foreignObject/desc/title.
bool is_html_ip(const Node* n) {
  if (n->ns == Namespace::kSvg) {
    return n->tag == Tag::kForeignObject || n->tag == Tag::kDesc || n->tag == Tag::kTitle;
  }
  if (n->ns == Namespace::kMathMl && n->tag == Tag::kAnnotationXml) {
    std::string_view enc = n->attr_value("encoding");
    return str::iequals(enc, "text/html") || str::iequals(enc, "application/xhtml+xml");
  }
  return false;
}

bool is_special(const Node* n) {
  if (n->ns == Namespace::kHtml) return has_flag(n->tag, kSpecial);
  if (n->ns == Namespace::kMathMl) return is_mathml_text_ip(n) || n->tag == Tag::kAnnotationXml;
  return n->tag == Tag::kForeignObject || n->tag == Tag::kDesc || n->tag == Tag::kTitle;
}

bool is_heading(Tag t) {
  return t == Tag::kH1 || t == Tag::kH2 || t == Tag::kH3 || t == Tag::kH4 || t == Tag::kH5 ||
         t == Tag::kH6;
}

size_t leading_space(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && str::is_html_space(s[i])) ++i;
  return i;
}

bool all_space(std::string_view s) {
  return leading_space(s) == s.size();
}

// Same tag name: interned tags compare by Tag, others by name.
bool same_name(const Node* n, const Token& t) {
  if (t.tag != Tag::kUnknown) return n->tag == t.tag;
  return n->tag == Tag::kUnknown && n->name == t.data;
}

struct NamePair {
  std::string_view from;
  std::string_view to;
};

// 13.2.6.5 "adjust SVG tag names" table.
constexpr NamePair kSvgTagNames[] = {
    {"altglyph", "altGlyph"},
    {"altglyphdef", "altGlyphDef"},
    {"altglyphitem", "altGlyphItem"},
    {"animatecolor", "animateColor"},
    {"animatemotion", "animateMotion"},
    {"animatetransform", "animateTransform"},
    {"clippath", "clipPath"},
    {"feblend", "feBlend"},
    {"fecolormatrix", "feColorMatrix"},
    {"fecomponenttransfer", "feComponentTransfer"},
    {"fecomposite", "feComposite"},
    {"feconvolvematrix", "feConvolveMatrix"},
    {"fediffuselighting", "feDiffuseLighting"},
    {"fedisplacementmap", "feDisplacementMap"},
    {"fedistantlight", "feDistantLight"},
    {"fedropshadow", "feDropShadow"},
    {"feflood", "feFlood"},
    {"fefunca", "feFuncA"},
    {"fefuncb", "feFuncB"},
    {"fefuncg", "feFuncG"},
    {"fefuncr", "feFuncR"},
    {"fegaussianblur", "feGaussianBlur"},
    {"feimage", "feImage"},
    {"femerge", "feMerge"},
    {"femergenode", "feMergeNode"},
    {"femorphology", "feMorphology"},
    {"feoffset", "feOffset"},
    {"fepointlight", "fePointLight"},
    {"fespecularlighting", "feSpecularLighting"},
    {"fespotlight", "feSpotLight"},
    {"fetile", "feTile"},
    {"feturbulence", "feTurbulence"},
    {"foreignobject", "foreignObject"},
    {"glyphref", "glyphRef"},
    {"lineargradient", "linearGradient"},
    {"radialgradient", "radialGradient"},
    {"textpath", "textPath"},
};

// 13.2.6.5 "adjust SVG attributes" table.
constexpr NamePair kSvgAttributes[] = {
    {"attributename", "attributeName"},
    {"attributetype", "attributeType"},
    {"basefrequency", "baseFrequency"},
    {"baseprofile", "baseProfile"},
    {"calcmode", "calcMode"},
    {"clippathunits", "clipPathUnits"},
    {"diffuseconstant", "diffuseConstant"},
    {"edgemode", "edgeMode"},
    {"filterunits", "filterUnits"},
    {"glyphref", "glyphRef"},
    {"gradienttransform", "gradientTransform"},
    {"gradientunits", "gradientUnits"},
    {"kernelmatrix", "kernelMatrix"},
    {"kernelunitlength", "kernelUnitLength"},
    {"keypoints", "keyPoints"},
    {"keysplines", "keySplines"},
    {"keytimes", "keyTimes"},
    {"lengthadjust", "lengthAdjust"},
    {"limitingconeangle", "limitingConeAngle"},
    {"markerheight", "markerHeight"},
    {"markerunits", "markerUnits"},
    {"markerwidth", "markerWidth"},
    {"maskcontentunits", "maskContentUnits"},
    {"maskunits", "maskUnits"},
    {"numoctaves", "numOctaves"},
    {"pathlength", "pathLength"},
    {"patterncontentunits", "patternContentUnits"},
    {"patterntransform", "patternTransform"},
    {"patternunits", "patternUnits"},
    {"pointsatx", "pointsAtX"},
    {"pointsaty", "pointsAtY"},
    {"pointsatz", "pointsAtZ"},
    {"preservealpha", "preserveAlpha"},
    {"preserveaspectratio", "preserveAspectRatio"},
    {"primitiveunits", "primitiveUnits"},
    {"refx", "refX"},
    {"refy", "refY"},
    {"repeatcount", "repeatCount"},
    {"repeatdur", "repeatDur"},
    {"requiredextensions", "requiredExtensions"},
    {"requiredfeatures", "requiredFeatures"},
    {"specularconstant", "specularConstant"},
    {"specularexponent", "specularExponent"},
    {"spreadmethod", "spreadMethod"},
    {"startoffset", "startOffset"},
    {"stddeviation", "stdDeviation"},
    {"stitchtiles", "stitchTiles"},
    {"surfacescale", "surfaceScale"},
    {"systemlanguage", "systemLanguage"},
    {"tablevalues", "tableValues"},
    {"targetx", "targetX"},
    {"targety", "targetY"},
    {"textlength", "textLength"},
    {"viewbox", "viewBox"},
    {"viewtarget", "viewTarget"},
    {"xchannelselector", "xChannelSelector"},
    {"ychannelselector", "yChannelSelector"},
    {"zoomandpan", "zoomAndPan"},
};

std::string_view lookup_pair(const NamePair* begin, const NamePair* end, std::string_view name) {
  for (const NamePair* p = begin; p != end; ++p) {
    if (p->from == name) return p->to;
  }
  return {};
}

struct ForeignAttr {
  std::string_view qualified;
  std::string_view local;
  AttrNamespace ns;
};

// 13.2.6.5 "adjust foreign attributes" table.
constexpr ForeignAttr kForeignAttributes[] = {
    {"xlink:actuate", "actuate", AttrNamespace::kXlink},
    {"xlink:arcrole", "arcrole", AttrNamespace::kXlink},
    {"xlink:href", "href", AttrNamespace::kXlink},
    {"xlink:role", "role", AttrNamespace::kXlink},
    {"xlink:show", "show", AttrNamespace::kXlink},
    {"xlink:title", "title", AttrNamespace::kXlink},
    {"xlink:type", "type", AttrNamespace::kXlink},
    {"xml:lang", "lang", AttrNamespace::kXml},
    {"xml:space", "space", AttrNamespace::kXml},
    {"xmlns", "xmlns", AttrNamespace::kXmlns},
    {"xmlns:xlink", "xlink", AttrNamespace::kXmlns},
};

// 13.2.6.4.1: public identifier prefixes that put the document in quirks mode.
constexpr std::string_view kQuirksPublicPrefixes[] = {
    "+//silmaril//dtd html pro v0r11 19970101//",
    "-//as//dtd html 3.0 aswedit + extensions//",
    "-//advasoft ltd//dtd html 3.0 aswedit + extensions//",
    "-//ietf//dtd html 2.0 level 1//",
    "-//ietf//dtd html 2.0 level 2//",
    "-//ietf//dtd html 2.0 strict level 1//",
    "-//ietf//dtd html 2.0 strict level 2//",
    "-//ietf//dtd html 2.0 strict//",
    "-//ietf//dtd html 2.0//",
    "-//ietf//dtd html 2.1e//",
    "-//ietf//dtd html 3.0//",
    "-//ietf//dtd html 3.2 final//",
    "-//ietf//dtd html 3.2//",
    "-//ietf//dtd html 3//",
    "-//ietf//dtd html level 0//",
    "-//ietf//dtd html level 1//",
    "-//ietf//dtd html level 2//",
    "-//ietf//dtd html level 3//",
    "-//ietf//dtd html strict level 0//",
    "-//ietf//dtd html strict level 1//",
    "-//ietf//dtd html strict level 2//",
    "-//ietf//dtd html strict level 3//",
    "-//ietf//dtd html strict//",
    "-//ietf//dtd html//",
    "-//metrius//dtd metrius presentational//",
    "-//microsoft//dtd internet explorer 2.0 html strict//",
    "-//microsoft//dtd internet explorer 2.0 html//",
    "-//microsoft//dtd internet explorer 2.0 tables//",
    "-//microsoft//dtd internet explorer 3.0 html strict//",
    "-//microsoft//dtd internet explorer 3.0 html//",
    "-//microsoft//dtd internet explorer 3.0 tables//",
    "-//netscape comm. corp.//dtd html//",
    "-//netscape comm. corp.//dtd strict html//",
    "-//o'reilly and associates//dtd html 2.0//",
    "-//o'reilly and associates//dtd html extended 1.0//",
    "-//o'reilly and associates//dtd html extended relaxed 1.0//",
    "-//sq//dtd html 2.0 hotmetal + extensions//",
    "-//softquad software//dtd hotmetal pro 6.0::19990601::extensions to html 4.0//",
    "-//softquad//dtd hotmetal pro 4.0::19971010::extensions to html 4.0//",
    "-//spyglass//dtd html 2.0 extended//",
    "-//sun microsystems corp.//dtd hotjava html//",
    "-//sun microsystems corp.//dtd hotjava strict html//",
    "-//w3c//dtd html 3 1995-03-24//",
    "-//w3c//dtd html 3.2 draft//",
    "-//w3c//dtd html 3.2 final//",
    "-//w3c//dtd html 3.2//",
    "-//w3c//dtd html 3.2s draft//",
    "-//w3c//dtd html 4.0 frameset//",
    "-//w3c//dtd html 4.0 transitional//",
    "-//w3c//dtd html experimental 19960712//",
    "-//w3c//dtd html experimental 970421//",
    "-//w3c//dtd w3 html//",
    "-//w3o//dtd w3 html 3.0//",
    "-//webtechs//dtd mozilla html 2.0//",
    "-//webtechs//dtd mozilla html//",
};

QuirksMode doctype_quirks(const Token& t) {
  if (t.force_quirks || t.data != "html") return QuirksMode::kQuirks;
  std::string_view pub = t.has_public_id ? t.public_id : std::string_view();
  std::string_view sys = t.has_system_id ? t.system_id : std::string_view();
  if (t.has_public_id) {
    if (str::iequals(pub, "-//W3O//DTD W3 HTML Strict 3.0//EN//") ||
        str::iequals(pub, "-/W3C/DTD HTML 4.0 Transitional/EN") || str::iequals(pub, "HTML")) {
      return QuirksMode::kQuirks;
    }
    for (std::string_view prefix : kQuirksPublicPrefixes) {
      if (str::istarts_with(pub, prefix)) return QuirksMode::kQuirks;
    }
  }
  if (t.has_system_id &&
      str::iequals(sys, "http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd")) {
    return QuirksMode::kQuirks;
  }
  if (t.has_public_id) {
    bool html401 = str::istarts_with(pub, "-//W3C//DTD HTML 4.01 Frameset//") ||
                   str::istarts_with(pub, "-//W3C//DTD HTML 4.01 Transitional//");
    if (html401 && !t.has_system_id) return QuirksMode::kQuirks;
    if (str::istarts_with(pub, "-//W3C//DTD XHTML 1.0 Frameset//") ||
        str::istarts_with(pub, "-//W3C//DTD XHTML 1.0 Transitional//") || html401) {
      return QuirksMode::kLimitedQuirks;
    }
  }
  return QuirksMode::kNoQuirks;
}

// Nodes one token can create at most (html/head/body, reconstructed formatting elements, the
// adoption agency's clones); parsing stops this far below kMaxNodes so the limit is never passed.
constexpr uint32_t kNodesPerTokenBound = 4 * limits::kMaxActiveFormattingElements + 64;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Driver

void TreeBuilder::start(std::string_view input, Document& doc) {
  doc_ = &doc;
  tokenizer_.reset(input);
  mode_ = original_mode_ = InsertionMode::kInitial;
  template_modes_.clear();
  open_.clear();
  afe_.clear();
  head_ = form_ = context_ = nullptr;
  frameset_ok_ = true;
  foster_parenting_ = pushed_ = skip_newline_ = stopped_ = saw_selectedcontent_ = false;
  errors_ = 0;
  pending_text_.clear();
  pending_non_space_ = false;
  grow_node_ = nullptr;
  grow_cap_ = 0;
  grow_caps_.clear();
}

void TreeBuilder::build(std::string_view input, Document& doc) {
  start(input, doc);
  run();
  finish();
}

void TreeBuilder::build_fragment(std::string_view input, std::string_view context_name,
                                 Namespace context_ns, Document& doc) {
  start(input, doc);
  std::string lower = str::to_lower(context_name);
  Tag context_tag = lookup_tag(lower);
  std::string_view name = doc.arena().copy(context_ns == Namespace::kHtml ? lower : context_name);
  // The context element is not part of the document; it only steers the parser.
  context_ = doc.create_element(context_tag, name, context_ns);
  --doc.node_count;
  if (context_ns == Namespace::kHtml) {
    switch (context_tag) {
      case Tag::kTitle:
      case Tag::kTextarea:
        tokenizer_.set_state(TokenizerState::kRcdata);
        break;
      case Tag::kStyle:
      case Tag::kXmp:
      case Tag::kIframe:
      case Tag::kNoembed:
      case Tag::kNoframes:
        tokenizer_.set_state(TokenizerState::kRawtext);
        break;
      case Tag::kScript:
        tokenizer_.set_state(TokenizerState::kScriptData);
        break;
      case Tag::kNoscript:
        if (options_.scripting) tokenizer_.set_state(TokenizerState::kRawtext);
        break;
      case Tag::kPlaintext:
        tokenizer_.set_state(TokenizerState::kPlaintext);
        break;
      default:
        break;
    }
  }
  // No start tag has been emitted yet, so no end tag is "appropriate" (13.2.5): a fragment in a
  // <script> context keeps "</script>" as text.
  Node* html = doc.create_element(Tag::kHtml, tag_name(Tag::kHtml));
  append_child(doc.root(), html);
  open_.push_back(html);
  if (context_->is(Tag::kTemplate)) template_modes_.push_back(InsertionMode::kInTemplate);
  reset_insertion_mode();
  // The form element pointer would be the context's nearest <form> ancestor; a lone context
  // element has none.
  run();
  finish();
}

void TreeBuilder::finish() {
  if (saw_selectedcontent_) fill_selectedcontent();
  doc_->parse_error_count = tokenizer_.parse_error_count() + errors_;
  if (tokenizer_.attributes_limited()) doc_->limits.attributes_limited = true;
  open_.clear();
  afe_.clear();
  grow_caps_.clear();
}

// "Maybe clone an option into selectedcontent" (4.10.7, customizable <select>): each <select>'s
// first <selectedcontent> gets a copy of its selected option's children: the last option with a
// `selected` attribute, else the first option. Done once after parsing, which gives the same tree
// as cloning whenever an option is popped.
void TreeBuilder::fill_selectedcontent() {
  Node* root = doc_->root();
  std::vector<std::pair<const Node*, Node*>> work;  // (source node, destination parent)
  for (Node* n = root->first_child; n != nullptr; n = next_in_subtree(n, root)) {
    if (!n->is(Tag::kSelect)) continue;
    Node* target = nullptr;
    Node* first_option = nullptr;
    Node* selected = nullptr;
    for (Node* d = n->first_child; d != nullptr;) {
      if (d->is(Tag::kSelect)) {
        d = next_skipping_children(d, n);
        continue;
      }
      if (target == nullptr && d->is_element() && d->ns == Namespace::kHtml &&
          d->name == "selectedcontent") {
        target = d;
      }
      if (d->is(Tag::kOption)) {
        if (first_option == nullptr) first_option = d;
        if (d->has_attr("selected")) selected = d;
      }
      d = next_in_subtree(d, n);
    }
    const Node* option = selected != nullptr ? selected : first_option;
    if (target == nullptr || option == nullptr) continue;
    // A <selectedcontent> inside the option (or the reverse) would copy into itself.
    bool nested = false;
    for (const Node* a = target; a != nullptr && a != n; a = a->parent) nested |= a == option;
    for (const Node* a = option; a != nullptr && a != n; a = a->parent) nested |= a == target;
    if (nested) continue;
    while (target->first_child != nullptr) remove_node(target->first_child);
    for (const Node* c = option->last_child; c != nullptr; c = c->prev_sibling) {
      work.emplace_back(c, target);
    }
    while (!work.empty() && doc_->node_count < limits::kMaxNodes) {
      auto [src, parent] = work.back();
      work.pop_back();
      Node* copy = nullptr;
      if (src->type == NodeType::kElement) {
        copy = clone_element(src);
      } else if (src->type == NodeType::kText) {
        copy = doc_->create_text(src->data);
      } else if (src->type == NodeType::kComment) {
        copy = doc_->create_comment(src->data);
      } else {
        continue;
      }
      append_child(parent, copy);
      for (const Node* c = src->last_child; c != nullptr; c = c->prev_sibling) {
        work.emplace_back(c, copy);
      }
    }
    work.clear();
  }
}

void TreeBuilder::run() {
  Token t;
  for (;;) {
    tokenizer_.next(t);
    if (skip_newline_) {
      skip_newline_ = false;
      if (t.type == TokenType::kCharacter && !t.data.empty() && t.data[0] == '\n') {
        t.data.remove_prefix(1);
        if (t.data.empty()) continue;
      }
    }
    if (doc_->node_count + kNodesPerTokenBound >= limits::kMaxNodes) {
      doc_->limits.node_limited = true;
      return;
    }
    dispatch(t);
    if (t.type == TokenType::kEof || stopped_) return;
    Node* acn = adjusted_current_node();
    tokenizer_.set_allow_cdata(acn != nullptr && acn->ns != Namespace::kHtml);
  }
}

Node* TreeBuilder::adjusted_current_node() const {
  if (open_.empty()) return nullptr;
  if (context_ != nullptr && open_.size() == 1) return context_;
  return open_.back();
}

// 13.2.6 Tree construction dispatcher.
void TreeBuilder::dispatch(Token& t) {
  Node* acn = adjusted_current_node();
  bool html_rules = acn == nullptr || acn->ns == Namespace::kHtml || t.type == TokenType::kEof;
  if (!html_rules) {
    bool start = t.type == TokenType::kStartTag;
    bool chars = t.type == TokenType::kCharacter;
    if (is_mathml_text_ip(acn)) {
      html_rules = (start && t.tag != Tag::kMglyph && t.tag != Tag::kMalignmark) || chars;
    }
    if (!html_rules && acn->ns == Namespace::kMathMl && acn->tag == Tag::kAnnotationXml && start &&
        t.tag == Tag::kSvg) {
      html_rules = true;
    }
    if (!html_rules && (start || chars) && is_html_ip(acn)) html_rules = true;
  }
  if (t.type == TokenType::kStartTag && open_.size() >= kMaxDomDepth &&
      mode_ != InsertionMode::kInTableText && bypass_at_depth_limit(t)) {
    return;
  }
  if (html_rules) {
    process(t);
  } else {
    foreign_content(t);
  }
}

// Elements deeper than kMaxDomDepth become children of the element at the limit: they are
// inserted but not pushed, and their start tag changes no insertion mode. This keeps the stack
// of open elements (and every scope walk over it) bounded. Elements whose content the tokenizer
// must treat as text take the normal path, which switches the tokenizer even when push() refuses
// the element (then their text lands beside it, still as text, never as markup).
bool TreeBuilder::bypass_at_depth_limit(Token& t) {
  switch (t.tag) {
    case Tag::kHtml:
    case Tag::kBody:
    case Tag::kHead:
    case Tag::kFrameset:
      return false;
    case Tag::kScript:
    case Tag::kStyle:
    case Tag::kXmp:
    case Tag::kIframe:
    case Tag::kNoembed:
    case Tag::kNoframes:
    case Tag::kTextarea:
    case Tag::kTitle:
    case Tag::kPlaintext:
      return false;
    case Tag::kNoscript:
      if (options_.scripting) return false;
      break;
    default:
      break;
  }
  doc_->limits.depth_limited = true;
  Node* acn = adjusted_current_node();
  Namespace ns = Namespace::kHtml;
  if (acn->ns != Namespace::kHtml && !is_html_ip(acn) && !is_mathml_text_ip(acn)) {
    ns = acn->ns;
  } else if (t.tag == Tag::kSvg) {
    ns = Namespace::kSvg;
  } else if (t.tag == Tag::kMath) {
    ns = Namespace::kMathMl;
  }
  Node* n = create_element(t, ns);
  insert_at(appropriate_place(), n);
  frameset_ok_ = false;
  return true;
}

void TreeBuilder::process(Token& t) {
  switch (mode_) {
    case InsertionMode::kInitial:
      return initial(t);
    case InsertionMode::kBeforeHtml:
      return before_html(t);
    case InsertionMode::kBeforeHead:
      return before_head(t);
    case InsertionMode::kInHead:
      return in_head(t);
    case InsertionMode::kInHeadNoscript:
      return in_head_noscript(t);
    case InsertionMode::kAfterHead:
      return after_head(t);
    case InsertionMode::kInBody:
      return in_body(t);
    case InsertionMode::kText:
      return text_mode(t);
    case InsertionMode::kInTable:
      return in_table(t);
    case InsertionMode::kInTableText:
      return in_table_text(t);
    case InsertionMode::kInCaption:
      return in_caption(t);
    case InsertionMode::kInColumnGroup:
      return in_column_group(t);
    case InsertionMode::kInTableBody:
      return in_table_body(t);
    case InsertionMode::kInRow:
      return in_row(t);
    case InsertionMode::kInCell:
      return in_cell(t);
    case InsertionMode::kInTemplate:
      return in_template(t);
    case InsertionMode::kAfterBody:
      return after_body(t);
    case InsertionMode::kInFrameset:
      return in_frameset(t);
    case InsertionMode::kAfterFrameset:
      return after_frameset(t);
    case InsertionMode::kAfterAfterBody:
      return after_after_body(t);
    case InsertionMode::kAfterAfterFrameset:
      return after_after_frameset(t);
  }
}

// ---------------------------------------------------------------------------------------------
// Tree helpers

// 13.2.6.1 "appropriate place for inserting a node", including foster parenting.
TreeBuilder::InsertPos TreeBuilder::appropriate_place(Node* override_target) const {
  Node* target = override_target != nullptr ? override_target : current();
  InsertPos pos{target, nullptr};
  if (foster_parenting_ && target->ns == Namespace::kHtml &&
      (target->tag == Tag::kTable || target->tag == Tag::kTbody || target->tag == Tag::kTfoot ||
       target->tag == Tag::kThead || target->tag == Tag::kTr)) {
    int last_template = -1;
    int last_table = -1;
    for (int i = static_cast<int>(open_.size()) - 1; i >= 0; --i) {
      if (last_template < 0 && is_html(open_[i], Tag::kTemplate)) last_template = i;
      if (last_table < 0 && is_html(open_[i], Tag::kTable)) last_table = i;
      if (last_template >= 0 && last_table >= 0) break;
    }
    if (last_template >= 0 && (last_table < 0 || last_template > last_table)) {
      pos = {open_[last_template], nullptr};
    } else if (last_table < 0) {
      pos = {open_[0], nullptr};  // fragment case
    } else if (open_[last_table]->parent != nullptr) {
      pos = {open_[last_table]->parent, open_[last_table]};
    } else {
      pos = {open_[last_table - 1], nullptr};
    }
  }
  if (pos.parent->template_content != nullptr) pos = {pos.parent->template_content, nullptr};
  return pos;
}

// 13.2.6.1 "create an element for a token", with the attribute adjustments of 13.2.6.5 for
// foreign elements.
Node* TreeBuilder::create_element(const Token& t, Namespace ns) {
  Arena& arena = doc_->arena();
  std::string_view name;
  if (ns == Namespace::kHtml) {
    name = t.tag != Tag::kUnknown ? tag_name(t.tag) : arena.copy(t.data);
  } else {
    name = ns == Namespace::kSvg
               ? lookup_pair(std::begin(kSvgTagNames), std::end(kSvgTagNames), t.data)
               : std::string_view();
    if (name.empty()) name = t.tag != Tag::kUnknown ? tag_name(t.tag) : arena.copy(t.data);
  }
  Node* n = doc_->create_element(t.tag, name, ns);
  if (!t.attributes.empty()) {
    n->attrs = arena.make_array<Attribute>(t.attributes.size());
    n->attr_count = static_cast<uint32_t>(t.attributes.size());
    for (size_t i = 0; i < t.attributes.size(); ++i) {
      const TokenAttribute& a = t.attributes[i];
      Attribute& out = n->attrs[i];
      out.value = arena.copy(a.value);
      if (ns != Namespace::kHtml) {
        std::string_view adjusted;
        if (ns == Namespace::kSvg) {
          adjusted = lookup_pair(std::begin(kSvgAttributes), std::end(kSvgAttributes), a.name);
        } else if (a.name == "definitionurl") {
          adjusted = "definitionURL";
        }
        if (!adjusted.empty()) {
          out.name = adjusted;
          continue;
        }
        bool foreign = false;
        for (const ForeignAttr& f : kForeignAttributes) {
          if (f.qualified == a.name) {
            out.name = f.local;
            out.ns = f.ns;
            foreign = true;
            break;
          }
        }
        if (foreign) continue;
      }
      out.name = arena.copy(a.name);
    }
  }
  if (ns == Namespace::kHtml && t.tag == Tag::kTemplate) {
    n->template_content = doc_->create_node(NodeType::kFragment);
  }
  if (ns == Namespace::kHtml && t.tag == Tag::kUnknown && t.data == "selectedcontent") {
    saw_selectedcontent_ = true;
  }
  return n;
}

Node* TreeBuilder::clone_element(const Node* src) {
  Node* n = doc_->create_element(src->tag, src->name, src->ns);
  if (src->attr_count > 0) {
    n->attrs = doc_->arena().make_array<Attribute>(src->attr_count);
    std::copy(src->attrs, src->attrs + src->attr_count, n->attrs);
    n->attr_count = src->attr_count;
  }
  return n;
}

void TreeBuilder::insert_at(InsertPos pos, Node* node) {
  insert_before(pos.parent, node, pos.before);
}

bool TreeBuilder::push(Node* n) {
  // The dispatcher keeps the stack at kMaxDomDepth (+1 for a raw-text element, +2 for the
  // elements a start tag may imply); this is the backstop.
  if (open_.size() >= kMaxDomDepth + 4) {
    doc_->limits.depth_limited = true;
    return false;
  }
  open_.push_back(n);
  return true;
}

Node* TreeBuilder::insert_html(const Token& t) {
  Node* n = create_element(t, Namespace::kHtml);
  insert_at(appropriate_place(), n);
  pushed_ = push(n);
  return n;
}

Node* TreeBuilder::insert_void(const Token& t) {
  Node* n = create_element(t, Namespace::kHtml);
  insert_at(appropriate_place(), n);
  return n;
}

Node* TreeBuilder::insert_synthetic(Tag tag) {
  Token t;
  t.type = TokenType::kStartTag;
  t.tag = tag;
  t.data = tag_name(tag);
  return insert_html(t);
}

Node* TreeBuilder::insert_foreign(const Token& t, Namespace ns) {
  Node* n = create_element(t, ns);
  insert_at(appropriate_place(), n);
  pushed_ = false;
  if (!t.self_closing) pushed_ = push(n);
  return n;
}

// 13.2.6.1 "insert a character": consecutive characters merge into one Text node.
void TreeBuilder::insert_text(std::string_view s) {
  if (s.empty()) return;
  InsertPos pos = appropriate_place();
  if (pos.parent->type == NodeType::kDocument) return;
  Node* prev = pos.before != nullptr ? pos.before->prev_sibling : pos.parent->last_child;
  if (prev != nullptr && prev->type == NodeType::kText) {
    append_text(prev, s);
    return;
  }
  Node* n = doc_->create_text(s);
  insert_at(pos, n);
}

// Appends in place when the arena allows it, else into a buffer of doubled capacity whose size is
// remembered, so a text node of n bytes costs O(n) however it is assembled.
void TreeBuilder::append_text(Node* text, std::string_view s) {
  Arena& arena = doc_->arena();
  size_t size = text->data.size();
  size_t cap = size;
  if (text == grow_node_) {
    cap = grow_cap_;
  } else {
    if (grow_node_ != nullptr && grow_cap_ > grow_node_->data.size()) {
      grow_caps_[grow_node_] = grow_cap_;
    }
    auto it = grow_caps_.find(text);
    if (it != grow_caps_.end()) cap = it->second;
    grow_node_ = text;
  }
  char* data = const_cast<char*>(text->data.data());
  size_t need = size + s.size();
  if (need > cap) {
    if (data != nullptr && arena.try_extend(data, cap, need)) {
      cap = need;
    } else {
      size_t new_cap = std::max<size_t>(need * 2, 64);
      char* grown = static_cast<char*>(arena.allocate(new_cap, 1));
      if (size > 0) std::memcpy(grown, data, size);
      data = grown;
      cap = new_cap;
    }
  }
  std::memcpy(data + size, s.data(), s.size());
  text->data = std::string_view(data, need);
  grow_cap_ = cap;
}

void TreeBuilder::insert_comment(const Token& t, Node* parent) {
  Node* n = doc_->create_comment(t.data);
  if (parent != nullptr) {
    append_child(parent, n);
  } else {
    insert_at(appropriate_place(), n);
  }
}

// 13.2.6.2 generic raw text / RCDATA element parsing algorithms.
void TreeBuilder::generic_text_element(const Token& t, TokenizerState state) {
  insert_html(t);
  tokenizer_.set_state(state);
  if (!pushed_) return;
  original_mode_ = mode_;
  mode_ = InsertionMode::kText;
}

// 13.2.6.4.7 "<html>"/"<body>" in body: copy the attributes the element does not have yet. The
// per-element attribute limit also applies here, or repeated tags would grow (and copy) the
// array without bound.
void TreeBuilder::add_missing_attributes(Node* target, const Token& t) {
  if (t.attributes.empty()) return;
  if (target->attr_count >= limits::kMaxAttributesPerElement) {
    doc_->limits.attributes_limited = true;
    return;
  }
  uint32_t added = 0;
  for (const TokenAttribute& a : t.attributes) {
    if (target->attr(a.name) == nullptr) ++added;
  }
  if (added == 0) return;
  if (target->attr_count + added > limits::kMaxAttributesPerElement) {
    doc_->limits.attributes_limited = true;
    added = limits::kMaxAttributesPerElement - target->attr_count;
  }
  Arena& arena = doc_->arena();
  auto* attrs = arena.make_array<Attribute>(target->attr_count + added);
  std::copy(target->attrs, target->attrs + target->attr_count, attrs);
  uint32_t n = target->attr_count;
  for (const TokenAttribute& a : t.attributes) {
    bool present = false;
    for (uint32_t i = 0; i < n; ++i) {
      if (attrs[i].name == a.name && attrs[i].ns == AttrNamespace::kNone) present = true;
    }
    if (present) continue;
    if (n == target->attr_count + added) break;
    attrs[n].name = arena.copy(a.name);
    attrs[n].value = arena.copy(a.value);
    ++n;
  }
  target->attrs = attrs;
  target->attr_count = n;
}

// ---------------------------------------------------------------------------------------------
// Stack of open elements

// 13.2.4.2 "has an element in the specific scope": the boundary element types per scope.
bool TreeBuilder::is_scope_boundary(const Node* n, Scope scope) {
  if (n->ns == Namespace::kHtml) {
    switch (scope) {
      case Scope::kTable:
        return has_flag(n->tag, kTableScope);
      case Scope::kSelect:
        return n->tag != Tag::kOptgroup && n->tag != Tag::kOption;
      case Scope::kListItem:
        return has_flag(n->tag, kScopeBase) || n->tag == Tag::kOl || n->tag == Tag::kUl;
      case Scope::kButton:
        return has_flag(n->tag, kScopeBase) || n->tag == Tag::kButton;
      case Scope::kDefault:
        return has_flag(n->tag, kScopeBase);
    }
    return false;
  }
  if (scope == Scope::kSelect) return true;
  // The foreign boundaries are exactly the foreign "special" elements.
  return scope != Scope::kTable && is_special(n);
}

bool TreeBuilder::node_in_scope(const Node* node, Scope scope) const {
  for (size_t i = open_.size(); i-- > 0;) {
    const Node* n = open_[i];
    if (n == node) return true;
    if (is_scope_boundary(n, scope)) return false;
  }
  return false;
}

bool TreeBuilder::in_scope(Tag tag, Scope scope) const {
  for (size_t i = open_.size(); i-- > 0;) {
    const Node* n = open_[i];
    if (n->tag == tag && n->ns == Namespace::kHtml) return true;
    if (is_scope_boundary(n, scope)) return false;
  }
  return false;
}

bool TreeBuilder::heading_in_scope() const {
  for (size_t i = open_.size(); i-- > 0;) {
    const Node* n = open_[i];
    if (n->ns == Namespace::kHtml) {
      if (is_heading(n->tag)) return true;
      if (has_flag(n->tag, kScopeBase)) return false;
    } else if (is_special(n)) {
      return false;
    }
  }
  return false;
}

bool TreeBuilder::table_body_in_table_scope() const {
  return in_scope(Tag::kTbody, Scope::kTable) || in_scope(Tag::kThead, Scope::kTable) ||
         in_scope(Tag::kTfoot, Scope::kTable);
}

bool TreeBuilder::template_on_stack() const {
  for (const Node* n : open_) {
    if (is_html(n, Tag::kTemplate)) return true;
  }
  return false;
}

int TreeBuilder::stack_index(const Node* n) const {
  for (size_t i = open_.size(); i-- > 0;) {
    if (open_[i] == n) return static_cast<int>(i);
  }
  return -1;
}

void TreeBuilder::pop_to_index(size_t index) {
  if (index == 0) index = 1;  // the root element stays
  if (index < open_.size()) open_.resize(index);
}

void TreeBuilder::pop_until(Tag tag) {
  for (size_t i = open_.size(); i-- > 1;) {
    if (is_html(open_[i], tag)) {
      open_.resize(i);
      return;
    }
  }
}

void TreeBuilder::pop_until_heading() {
  for (size_t i = open_.size(); i-- > 1;) {
    if (open_[i]->ns == Namespace::kHtml && is_heading(open_[i]->tag)) {
      open_.resize(i);
      return;
    }
  }
}

void TreeBuilder::remove_from_stack(const Node* n) {
  int i = stack_index(n);
  if (i > 0) open_.erase(open_.begin() + i);
}

void TreeBuilder::generate_implied_end_tags(Tag except) {
  while (open_.size() > 1) {
    const Node* n = current();
    if (n->ns != Namespace::kHtml || !has_flag(n->tag, kImpliedEnd) || n->tag == except) return;
    open_.pop_back();
  }
}

void TreeBuilder::generate_all_implied_end_tags() {
  while (open_.size() > 1) {
    const Node* n = current();
    if (n->ns != Namespace::kHtml || !has_flag(n->tag, kThorough)) return;
    open_.pop_back();
  }
}

// 13.2.6.4.7 "close a p element".
void TreeBuilder::close_p() {
  generate_implied_end_tags(Tag::kP);
  if (!is_html(current(), Tag::kP)) ++errors_;
  pop_until(Tag::kP);
}

void TreeBuilder::clear_to_table_context() {
  while (open_.size() > 1) {
    const Node* n = current();
    if (is_html(n, Tag::kTable) || is_html(n, Tag::kTemplate) || is_html(n, Tag::kHtml)) return;
    open_.pop_back();
  }
}

void TreeBuilder::clear_to_table_body_context() {
  while (open_.size() > 1) {
    const Node* n = current();
    if (is_html(n, Tag::kTbody) || is_html(n, Tag::kTfoot) || is_html(n, Tag::kThead) ||
        is_html(n, Tag::kTemplate) || is_html(n, Tag::kHtml)) {
      return;
    }
    open_.pop_back();
  }
}

void TreeBuilder::clear_to_row_context() {
  while (open_.size() > 1) {
    const Node* n = current();
    if (is_html(n, Tag::kTr) || is_html(n, Tag::kTemplate) || is_html(n, Tag::kHtml)) return;
    open_.pop_back();
  }
}

// 13.2.6.4.15 "close the cell".
void TreeBuilder::close_cell() {
  generate_implied_end_tags();
  for (size_t i = open_.size(); i-- > 1;) {
    if (is_html(open_[i], Tag::kTd) || is_html(open_[i], Tag::kTh)) {
      open_.resize(i);
      break;
    }
  }
  clear_formatting_to_marker();
  mode_ = InsertionMode::kInRow;
}

// 13.2.4.1 "reset the insertion mode appropriately".
void TreeBuilder::reset_insertion_mode() {
  for (size_t i = open_.size(); i-- > 0;) {
    Node* node = open_[i];
    bool last = i == 0;
    if (last && context_ != nullptr) node = context_;
    if (node->ns == Namespace::kHtml) {
      switch (node->tag) {
        case Tag::kTd:
        case Tag::kTh:
          if (!last) {
            mode_ = InsertionMode::kInCell;
            return;
          }
          break;
        case Tag::kTr:
          mode_ = InsertionMode::kInRow;
          return;
        case Tag::kTbody:
        case Tag::kThead:
        case Tag::kTfoot:
          mode_ = InsertionMode::kInTableBody;
          return;
        case Tag::kCaption:
          mode_ = InsertionMode::kInCaption;
          return;
        case Tag::kColgroup:
          mode_ = InsertionMode::kInColumnGroup;
          return;
        case Tag::kTable:
          mode_ = InsertionMode::kInTable;
          return;
        case Tag::kTemplate:
          mode_ = template_modes_.empty() ? InsertionMode::kInBody : template_modes_.back();
          return;
        case Tag::kHead:
          if (!last) {
            mode_ = InsertionMode::kInHead;
            return;
          }
          break;
        case Tag::kBody:
          mode_ = InsertionMode::kInBody;
          return;
        case Tag::kFrameset:
          mode_ = InsertionMode::kInFrameset;
          return;
        case Tag::kHtml:
          mode_ = head_ == nullptr ? InsertionMode::kBeforeHead : InsertionMode::kAfterHead;
          return;
        default:
          break;
      }
    }
    if (last) {
      mode_ = InsertionMode::kInBody;
      return;
    }
  }
  mode_ = InsertionMode::kInBody;
}

// ---------------------------------------------------------------------------------------------
// List of active formatting elements

// Searches only after the last marker: every caller asks about an element that is above the
// last marker-pushing element in the stack (the adoption agency only looks between the formatting
// element and the furthest block, which contain no special elements), and stale entries below
// markers must not make each lookup cost the whole list.
int TreeBuilder::formatting_index(const Node* n) const {
  for (size_t i = afe_.size(); i-- > 0;) {
    if (afe_[i] == nullptr) return -1;
    if (afe_[i] == n) return static_cast<int>(i);
  }
  return -1;
}

// 13.2.4.3 "push onto the list of active formatting elements", with the Noah's Ark clause. The
// list after the last marker is also capped at kMaxActiveFormattingElements (oldest dropped) so
// reconstruction and the adoption agency stay bounded on hostile input.
void TreeBuilder::push_formatting(Node* n) {
  size_t first = afe_.size();
  while (first > 0 && afe_[first - 1] != nullptr) --first;
  int same = 0;
  size_t earliest = afe_.size();
  for (size_t i = afe_.size(); i-- > first;) {
    const Node* e = afe_[i];
    if (e->tag != n->tag || e->ns != n->ns || e->name != n->name ||
        e->attr_count != n->attr_count) {
      continue;
    }
    bool equal = true;
    for (uint32_t a = 0; a < n->attr_count && equal; ++a) {
      bool found = false;
      for (uint32_t b = 0; b < e->attr_count; ++b) {
        if (e->attrs[b].name == n->attrs[a].name && e->attrs[b].ns == n->attrs[a].ns &&
            e->attrs[b].value == n->attrs[a].value) {
          found = true;
          break;
        }
      }
      equal = found;
    }
    if (!equal) continue;
    ++same;
    earliest = i;
  }
  if (same >= 3) afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(earliest));
  if (afe_.size() - first >= limits::kMaxActiveFormattingElements) {
    afe_.erase(afe_.begin() + static_cast<std::ptrdiff_t>(first));
  }
  afe_.push_back(n);
}

void TreeBuilder::clear_formatting_to_marker() {
  while (!afe_.empty()) {
    Node* e = afe_.back();
    afe_.pop_back();
    if (e == nullptr) return;
  }
}

// 13.2.4.3 "reconstruct the active formatting elements".
void TreeBuilder::reconstruct_formatting() {
  if (afe_.empty()) return;
  Node* last = afe_.back();
  if (last == nullptr || stack_index(last) >= 0) return;
  size_t i = afe_.size() - 1;
  while (i > 0) {
    Node* e = afe_[i - 1];
    if (e == nullptr || stack_index(e) >= 0) break;
    --i;
  }
  for (; i < afe_.size(); ++i) {
    if (open_.size() >= kMaxDomDepth) {
      // Past the depth limit the clones could not be pushed: forget the rest instead of
      // re-creating them for every later character.
      doc_->limits.depth_limited = true;
      afe_.resize(i);
      return;
    }
    Node* clone = clone_element(afe_[i]);
    insert_at(appropriate_place(), clone);
    open_.push_back(clone);
    afe_[i] = clone;
  }
}

// 13.2.6.4.7 the adoption agency algorithm. Returns false when the caller must act as described
// in "any other end tag".
bool TreeBuilder::adoption_agency(const Token& t) {
  Node* cur = current();
  if (cur->ns == Namespace::kHtml && same_name(cur, t) && formatting_index(cur) < 0) {
    pop();
    return true;
  }
  for (uint32_t outer = 0; outer < limits::kMaxAdoptionOuterLoops; ++outer) {
    int fe_afe = -1;
    for (size_t i = afe_.size(); i-- > 0;) {
      if (afe_[i] == nullptr) break;
      if (afe_[i]->ns == Namespace::kHtml && same_name(afe_[i], t)) {
        fe_afe = static_cast<int>(i);
        break;
      }
    }
    if (fe_afe < 0) return false;
    Node* fe = afe_[fe_afe];
    int fe_stack = stack_index(fe);
    if (fe_stack < 0) {
      ++errors_;
      afe_.erase(afe_.begin() + fe_afe);
      return true;
    }
    if (!node_in_scope(fe, Scope::kDefault)) {
      ++errors_;
      return true;
    }
    if (fe != current()) ++errors_;
    int fb_stack = -1;
    for (size_t i = static_cast<size_t>(fe_stack) + 1; i < open_.size(); ++i) {
      if (is_special(open_[i])) {
        fb_stack = static_cast<int>(i);
        break;
      }
    }
    if (fb_stack < 0) {
      pop_to_index(static_cast<size_t>(fe_stack));
      afe_.erase(afe_.begin() + fe_afe);
      return true;
    }
    Node* furthest = open_[fb_stack];
    Node* common_ancestor = open_[fe_stack - 1];
    int bookmark = fe_afe;
    Node* last_node = furthest;
    int node_index = fb_stack;
    for (int inner = 1;; ++inner) {
      --node_index;
      Node* node = open_[node_index];
      if (node == fe) break;
      int node_afe = formatting_index(node);
      if (inner > 3 && node_afe >= 0) {
        afe_.erase(afe_.begin() + node_afe);
        if (node_afe < bookmark) --bookmark;
        node_afe = -1;
      }
      if (node_afe < 0) {
        open_.erase(open_.begin() + node_index);
        continue;
      }
      Node* clone = clone_element(node);
      afe_[node_afe] = clone;
      open_[node_index] = clone;
      node = clone;
      if (last_node == furthest) bookmark = node_afe + 1;
      append_child(node, last_node);
      last_node = node;
    }
    if (last_node->parent != nullptr) remove_node(last_node);
    insert_at(appropriate_place(common_ancestor), last_node);
    Node* clone = clone_element(fe);
    while (furthest->first_child != nullptr) append_child(clone, furthest->first_child);
    append_child(furthest, clone);
    int fe_now = formatting_index(fe);
    afe_.insert(afe_.begin() + bookmark, clone);
    if (fe_now >= bookmark) ++fe_now;
    afe_.erase(afe_.begin() + fe_now);
    remove_from_stack(fe);
    int fb_now = stack_index(furthest);
    open_.insert(open_.begin() + fb_now + 1, clone);
  }
  return true;
}

// 13.2.6.4.7 "any other end tag" in body.
void TreeBuilder::any_other_end_tag(const Token& t) {
  for (size_t i = open_.size(); i-- > 1;) {
    Node* node = open_[i];
    if (node->ns == Namespace::kHtml && same_name(node, t)) {
      generate_implied_end_tags(t.tag == Tag::kUnknown ? Tag::kCount : t.tag);
      // generate_implied_end_tags never pops a non-implied element, so node is still at i
      // unless it was itself implied (then it is gone with the rest above it).
      if (open_.size() > i) open_.resize(i);
      return;
    }
    if (is_special(node)) {
      ++errors_;
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Insertion modes

// 13.2.6.4.1
void TreeBuilder::initial(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      t.data.remove_prefix(leading_space(t.data));
      if (t.data.empty()) return;
      break;
    }
    case TokenType::kComment:
      insert_comment(t, doc_->root());
      return;
    case TokenType::kDoctype: {
      Node* n = doc_->create_node(NodeType::kDoctype);
      n->name = doc_->arena().copy(t.data);
      doc_->doctype_has_public_id = t.has_public_id;
      doc_->doctype_has_system_id = t.has_system_id;
      doc_->doctype_public_id = doc_->arena().copy(t.public_id);
      doc_->doctype_system_id = doc_->arena().copy(t.system_id);
      append_child(doc_->root(), n);
      doc_->quirks_mode = doctype_quirks(t);
      mode_ = InsertionMode::kBeforeHtml;
      return;
    }
    default:
      break;
  }
  ++errors_;
  doc_->quirks_mode = QuirksMode::kQuirks;
  mode_ = InsertionMode::kBeforeHtml;
  process(t);
}

// 13.2.6.4.2
void TreeBuilder::before_html(Token& t) {
  switch (t.type) {
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kComment:
      insert_comment(t, doc_->root());
      return;
    case TokenType::kCharacter:
      t.data.remove_prefix(leading_space(t.data));
      if (t.data.empty()) return;
      break;
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) {
        Node* html = create_element(t, Namespace::kHtml);
        append_child(doc_->root(), html);
        open_.push_back(html);
        mode_ = InsertionMode::kBeforeHead;
        return;
      }
      break;
    case TokenType::kEndTag:
      if (t.tag != Tag::kHead && t.tag != Tag::kBody && t.tag != Tag::kHtml && t.tag != Tag::kBr) {
        ++errors_;
        return;
      }
      break;
    case TokenType::kEof:
      break;
  }
  Node* html = doc_->create_element(Tag::kHtml, tag_name(Tag::kHtml));
  append_child(doc_->root(), html);
  open_.push_back(html);
  mode_ = InsertionMode::kBeforeHead;
  process(t);
}

// 13.2.6.4.3
void TreeBuilder::before_head(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter:
      t.data.remove_prefix(leading_space(t.data));
      if (t.data.empty()) return;
      break;
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) return in_body(t);
      if (t.tag == Tag::kHead) {
        head_ = insert_html(t);
        mode_ = InsertionMode::kInHead;
        return;
      }
      break;
    case TokenType::kEndTag:
      if (t.tag != Tag::kHead && t.tag != Tag::kBody && t.tag != Tag::kHtml && t.tag != Tag::kBr) {
        ++errors_;
        return;
      }
      break;
    case TokenType::kEof:
      break;
  }
  head_ = insert_synthetic(Tag::kHead);
  mode_ = InsertionMode::kInHead;
  process(t);
}

// 13.2.6.4.4
void TreeBuilder::in_head(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      size_t n = leading_space(t.data);
      if (n > 0) {
        insert_text(t.data.substr(0, n));
        t.data.remove_prefix(n);
        if (t.data.empty()) return;
      }
      break;
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      switch (t.tag) {
        case Tag::kHtml:
          return in_body(t);
        case Tag::kBase:
        case Tag::kBasefont:
        case Tag::kBgsound:
        case Tag::kLink:
        case Tag::kMeta:
          insert_void(t);
          return;
        case Tag::kTitle:
          return generic_text_element(t, TokenizerState::kRcdata);
        case Tag::kNoscript:
          if (options_.scripting) return generic_text_element(t, TokenizerState::kRawtext);
          insert_html(t);
          if (pushed_) mode_ = InsertionMode::kInHeadNoscript;
          return;
        case Tag::kNoframes:
        case Tag::kStyle:
          return generic_text_element(t, TokenizerState::kRawtext);
        case Tag::kScript:
          return generic_text_element(t, TokenizerState::kScriptData);
        case Tag::kTemplate:
          insert_html(t);
          if (!pushed_) return;
          push_marker();
          frameset_ok_ = false;
          mode_ = InsertionMode::kInTemplate;
          template_modes_.push_back(InsertionMode::kInTemplate);
          return;
        case Tag::kHead:
          ++errors_;
          return;
        default:
          break;
      }
      break;
    case TokenType::kEndTag:
      switch (t.tag) {
        case Tag::kHead:
          pop();
          mode_ = InsertionMode::kAfterHead;
          return;
        case Tag::kBody:
        case Tag::kHtml:
        case Tag::kBr:
          break;
        case Tag::kTemplate:
          if (!template_on_stack()) {
            ++errors_;
            return;
          }
          generate_all_implied_end_tags();
          pop_until(Tag::kTemplate);
          clear_formatting_to_marker();
          if (!template_modes_.empty()) template_modes_.pop_back();
          reset_insertion_mode();
          return;
        default:
          ++errors_;
          return;
      }
      break;
    case TokenType::kEof:
      break;
  }
  pop();
  mode_ = InsertionMode::kAfterHead;
  process(t);
}

// 13.2.6.4.5
void TreeBuilder::in_head_noscript(Token& t) {
  switch (t.type) {
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kCharacter: {
      size_t n = leading_space(t.data);
      if (n > 0) {
        insert_text(t.data.substr(0, n));
        t.data.remove_prefix(n);
        if (t.data.empty()) return;
      }
      break;
    }
    case TokenType::kComment:
      return in_head(t);
    case TokenType::kStartTag:
      switch (t.tag) {
        case Tag::kHtml:
          return in_body(t);
        case Tag::kBasefont:
        case Tag::kBgsound:
        case Tag::kLink:
        case Tag::kMeta:
        case Tag::kNoframes:
        case Tag::kStyle:
          return in_head(t);
        case Tag::kHead:
        case Tag::kNoscript:
          ++errors_;
          return;
        default:
          break;
      }
      break;
    case TokenType::kEndTag:
      if (t.tag == Tag::kNoscript) {
        pop();
        mode_ = InsertionMode::kInHead;
        return;
      }
      if (t.tag != Tag::kBr) {
        ++errors_;
        return;
      }
      break;
    case TokenType::kEof:
      break;
  }
  ++errors_;
  pop();
  mode_ = InsertionMode::kInHead;
  process(t);
}

// 13.2.6.4.6
void TreeBuilder::after_head(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      size_t n = leading_space(t.data);
      if (n > 0) {
        insert_text(t.data.substr(0, n));
        t.data.remove_prefix(n);
        if (t.data.empty()) return;
      }
      break;
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      switch (t.tag) {
        case Tag::kHtml:
          return in_body(t);
        case Tag::kBody:
          insert_html(t);
          frameset_ok_ = false;
          mode_ = InsertionMode::kInBody;
          return;
        case Tag::kFrameset:
          insert_html(t);
          mode_ = InsertionMode::kInFrameset;
          return;
        case Tag::kBase:
        case Tag::kBasefont:
        case Tag::kBgsound:
        case Tag::kLink:
        case Tag::kMeta:
        case Tag::kNoframes:
        case Tag::kScript:
        case Tag::kStyle:
        case Tag::kTemplate:
        case Tag::kTitle: {
          ++errors_;
          if (head_ == nullptr) return;
          open_.push_back(head_);
          in_head(t);
          remove_from_stack(head_);
          return;
        }
        case Tag::kHead:
          ++errors_;
          return;
        default:
          break;
      }
      break;
    case TokenType::kEndTag:
      if (t.tag == Tag::kTemplate) return in_head(t);
      if (t.tag != Tag::kBody && t.tag != Tag::kHtml && t.tag != Tag::kBr) {
        ++errors_;
        return;
      }
      break;
    case TokenType::kEof:
      break;
  }
  insert_synthetic(Tag::kBody);
  mode_ = InsertionMode::kInBody;
  process(t);
}

// 13.2.6.4.7 "in body"
void TreeBuilder::in_body(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter:
      return in_body_characters(t.data);
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      return in_body_start(t);
    case TokenType::kEndTag:
      return in_body_end(t);
    case TokenType::kEof:
      if (!template_modes_.empty()) return in_template(t);
      stopped_ = true;
      return;
  }
}

void TreeBuilder::in_body_characters(std::string_view s) {
  // U+0000 is a parse error and ignored; the common case has none.
  if (std::memchr(s.data(), 0, s.size()) != nullptr) {
    ++errors_;
    scratch_.clear();
    for (char c : s) {
      if (c != '\0') scratch_.push_back(c);
    }
    if (scratch_.empty()) return;
    std::string copy;
    copy.swap(scratch_);
    in_body_characters(copy);
    copy.swap(scratch_);
    return;
  }
  if (s.empty()) return;
  reconstruct_formatting();
  insert_text(s);
  if (frameset_ok_ && !all_space(s)) frameset_ok_ = false;
}

void TreeBuilder::in_body_start(Token& t) {
  switch (t.tag) {
    case Tag::kHtml:
      ++errors_;
      if (!template_on_stack()) add_missing_attributes(open_[0], t);
      return;
    case Tag::kBase:
    case Tag::kBasefont:
    case Tag::kBgsound:
    case Tag::kLink:
    case Tag::kMeta:
    case Tag::kNoframes:
    case Tag::kScript:
    case Tag::kStyle:
    case Tag::kTemplate:
    case Tag::kTitle:
      return in_head(t);
    case Tag::kBody:
      ++errors_;
      if (open_.size() == 1 || !is_html(open_[1], Tag::kBody) || template_on_stack()) return;
      frameset_ok_ = false;
      add_missing_attributes(open_[1], t);
      return;
    case Tag::kFrameset:
      ++errors_;
      if (open_.size() == 1 || !is_html(open_[1], Tag::kBody) || !frameset_ok_) return;
      remove_node(open_[1]);
      open_.resize(1);
      insert_html(t);
      mode_ = InsertionMode::kInFrameset;
      return;
    case Tag::kAddress:
    case Tag::kArticle:
    case Tag::kAside:
    case Tag::kBlockquote:
    case Tag::kCenter:
    case Tag::kDetails:
    case Tag::kDialog:
    case Tag::kDir:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kFieldset:
    case Tag::kFigcaption:
    case Tag::kFigure:
    case Tag::kFooter:
    case Tag::kHeader:
    case Tag::kHgroup:
    case Tag::kMain:
    case Tag::kMenu:
    case Tag::kNav:
    case Tag::kOl:
    case Tag::kP:
    case Tag::kSearch:
    case Tag::kSection:
    case Tag::kSummary:
    case Tag::kUl:
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      insert_html(t);
      return;
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      if (current()->ns == Namespace::kHtml && is_heading(current()->tag)) {
        ++errors_;
        pop();
      }
      insert_html(t);
      return;
    case Tag::kPre:
    case Tag::kListing:
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      insert_html(t);
      skip_newline_ = true;
      frameset_ok_ = false;
      return;
    case Tag::kForm: {
      bool has_template = template_on_stack();
      if (form_ != nullptr && !has_template) {
        ++errors_;
        return;
      }
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      Node* n = insert_html(t);
      if (!has_template) form_ = n;
      return;
    }
    case Tag::kLi:
    case Tag::kDd:
    case Tag::kDt: {
      frameset_ok_ = false;
      for (size_t i = open_.size(); i-- > 0;) {
        Node* node = open_[i];
        bool match = t.tag == Tag::kLi ? is_html(node, Tag::kLi)
                                       : (is_html(node, Tag::kDd) || is_html(node, Tag::kDt));
        if (match) {
          generate_implied_end_tags(node->tag);
          if (current() != node) ++errors_;
          pop_to_index(i);
          break;
        }
        if (is_special(node) && !is_html(node, Tag::kAddress) && !is_html(node, Tag::kDiv) &&
            !is_html(node, Tag::kP)) {
          break;
        }
      }
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      insert_html(t);
      return;
    }
    case Tag::kPlaintext:
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      insert_html(t);
      tokenizer_.set_state(TokenizerState::kPlaintext);
      return;
    case Tag::kButton:
      if (in_scope(Tag::kButton, Scope::kDefault)) {
        ++errors_;
        generate_implied_end_tags();
        pop_until(Tag::kButton);
      }
      reconstruct_formatting();
      insert_html(t);
      frameset_ok_ = false;
      return;
    case Tag::kA: {
      for (size_t i = afe_.size(); i-- > 0;) {
        Node* e = afe_[i];
        if (e == nullptr) break;
        if (is_html(e, Tag::kA)) {
          ++errors_;
          Token end;
          end.type = TokenType::kEndTag;
          end.tag = Tag::kA;
          end.data = tag_name(Tag::kA);
          if (!adoption_agency(end)) any_other_end_tag(end);
          int k = formatting_index(e);
          if (k >= 0) afe_.erase(afe_.begin() + k);
          remove_from_stack(e);
          break;
        }
      }
      reconstruct_formatting();
      Node* n = insert_html(t);
      if (pushed_) push_formatting(n);
      return;
    }
    case Tag::kB:
    case Tag::kBig:
    case Tag::kCode:
    case Tag::kEm:
    case Tag::kFont:
    case Tag::kI:
    case Tag::kS:
    case Tag::kSmall:
    case Tag::kStrike:
    case Tag::kStrong:
    case Tag::kTt:
    case Tag::kU: {
      reconstruct_formatting();
      Node* n = insert_html(t);
      if (pushed_) push_formatting(n);
      return;
    }
    case Tag::kNobr: {
      reconstruct_formatting();
      if (in_scope(Tag::kNobr, Scope::kDefault)) {
        ++errors_;
        Token end;
        end.type = TokenType::kEndTag;
        end.tag = Tag::kNobr;
        end.data = tag_name(Tag::kNobr);
        if (!adoption_agency(end)) any_other_end_tag(end);
        reconstruct_formatting();
      }
      Node* n = insert_html(t);
      if (pushed_) push_formatting(n);
      return;
    }
    case Tag::kApplet:
    case Tag::kMarquee:
    case Tag::kObject:
      reconstruct_formatting();
      insert_html(t);
      if (pushed_) push_marker();
      frameset_ok_ = false;
      return;
    case Tag::kTable:
      if (doc_->quirks_mode != QuirksMode::kQuirks && in_scope(Tag::kP, Scope::kButton)) {
        close_p();
      }
      insert_html(t);
      frameset_ok_ = false;
      if (pushed_) mode_ = InsertionMode::kInTable;
      return;
    case Tag::kArea:
    case Tag::kBr:
    case Tag::kEmbed:
    case Tag::kImg:
    case Tag::kKeygen:
    case Tag::kWbr:
      reconstruct_formatting();
      insert_void(t);
      frameset_ok_ = false;
      return;
    case Tag::kInput: {
      if (context_ != nullptr && context_->is(Tag::kSelect)) {
        ++errors_;
        return;
      }
      if (in_scope(Tag::kSelect, Scope::kDefault)) {
        ++errors_;
        pop_until(Tag::kSelect);
      }
      reconstruct_formatting();
      insert_void(t);
      bool hidden = false;
      for (const TokenAttribute& a : t.attributes) {
        if (a.name == "type") {
          hidden = str::iequals(a.value, "hidden");
          break;
        }
      }
      if (!hidden) frameset_ok_ = false;
      return;
    }
    case Tag::kParam:
    case Tag::kSource:
    case Tag::kTrack:
      insert_void(t);
      return;
    case Tag::kHr:
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      if (in_scope(Tag::kSelect, Scope::kDefault)) {
        generate_implied_end_tags();
        if (in_scope(Tag::kOption, Scope::kDefault) || in_scope(Tag::kOptgroup, Scope::kDefault)) {
          ++errors_;
        }
      }
      insert_void(t);
      frameset_ok_ = false;
      return;
    case Tag::kImage:
      ++errors_;
      t.tag = Tag::kImg;
      t.data = tag_name(Tag::kImg);
      return process(t);
    case Tag::kTextarea:
      insert_html(t);
      tokenizer_.set_state(TokenizerState::kRcdata);
      skip_newline_ = true;
      frameset_ok_ = false;
      if (pushed_) {
        original_mode_ = mode_;
        mode_ = InsertionMode::kText;
      }
      return;
    case Tag::kXmp:
      if (in_scope(Tag::kP, Scope::kButton)) close_p();
      reconstruct_formatting();
      frameset_ok_ = false;
      return generic_text_element(t, TokenizerState::kRawtext);
    case Tag::kIframe:
      frameset_ok_ = false;
      return generic_text_element(t, TokenizerState::kRawtext);
    case Tag::kNoembed:
      return generic_text_element(t, TokenizerState::kRawtext);
    case Tag::kNoscript:
      if (options_.scripting) return generic_text_element(t, TokenizerState::kRawtext);
      reconstruct_formatting();
      insert_html(t);
      return;
    case Tag::kSelect:
      // Customizable <select> (whatwg/html#10557): content is parsed in body.
      if (context_ != nullptr && context_->is(Tag::kSelect)) {
        ++errors_;
        return;
      }
      if (in_scope(Tag::kSelect, Scope::kDefault)) {
        ++errors_;
        pop_until(Tag::kSelect);
        return;
      }
      reconstruct_formatting();
      insert_html(t);
      frameset_ok_ = false;
      return;
    case Tag::kOption:
      if (in_scope(Tag::kSelect, Scope::kDefault)) {
        generate_implied_end_tags(Tag::kOptgroup);
        if (in_scope(Tag::kOption, Scope::kDefault)) ++errors_;
      } else if (is_html(current(), Tag::kOption)) {
        pop();
      }
      reconstruct_formatting();
      insert_html(t);
      return;
    case Tag::kOptgroup:
      if (in_scope(Tag::kSelect, Scope::kDefault)) {
        generate_implied_end_tags();
        if (in_scope(Tag::kOption, Scope::kDefault) || in_scope(Tag::kOptgroup, Scope::kDefault)) {
          ++errors_;
        }
      } else if (is_html(current(), Tag::kOption)) {
        pop();
      }
      reconstruct_formatting();
      insert_html(t);
      return;
    case Tag::kRb:
    case Tag::kRtc:
      if (in_scope(Tag::kRuby, Scope::kDefault)) {
        generate_implied_end_tags();
        if (!is_html(current(), Tag::kRuby)) ++errors_;
      }
      insert_html(t);
      return;
    case Tag::kRp:
    case Tag::kRt:
      if (in_scope(Tag::kRuby, Scope::kDefault)) {
        generate_implied_end_tags(Tag::kRtc);
        if (!is_html(current(), Tag::kRuby) && !is_html(current(), Tag::kRtc)) ++errors_;
      }
      insert_html(t);
      return;
    case Tag::kMath:
    case Tag::kSvg:
      reconstruct_formatting();
      insert_foreign(t, t.tag == Tag::kMath ? Namespace::kMathMl : Namespace::kSvg);
      return;
    case Tag::kCaption:
    case Tag::kCol:
    case Tag::kColgroup:
    case Tag::kFrame:
    case Tag::kHead:
    case Tag::kTbody:
    case Tag::kTd:
    case Tag::kTfoot:
    case Tag::kTh:
    case Tag::kThead:
    case Tag::kTr:
      ++errors_;
      return;
    default:
      reconstruct_formatting();
      insert_html(t);
      return;
  }
}

void TreeBuilder::in_body_end(Token& t) {
  switch (t.tag) {
    case Tag::kTemplate:
      return in_head(t);
    case Tag::kBody:
      if (!in_scope(Tag::kBody, Scope::kDefault)) {
        ++errors_;
        return;
      }
      mode_ = InsertionMode::kAfterBody;
      return;
    case Tag::kHtml:
      if (!in_scope(Tag::kBody, Scope::kDefault)) {
        ++errors_;
        return;
      }
      mode_ = InsertionMode::kAfterBody;
      return process(t);
    case Tag::kAddress:
    case Tag::kArticle:
    case Tag::kAside:
    case Tag::kBlockquote:
    case Tag::kButton:
    case Tag::kCenter:
    case Tag::kDetails:
    case Tag::kDialog:
    case Tag::kDir:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kFieldset:
    case Tag::kFigcaption:
    case Tag::kFigure:
    case Tag::kFooter:
    case Tag::kHeader:
    case Tag::kHgroup:
    case Tag::kListing:
    case Tag::kMain:
    case Tag::kMenu:
    case Tag::kNav:
    case Tag::kOl:
    case Tag::kPre:
    case Tag::kSearch:
    case Tag::kSection:
    case Tag::kSelect:
    case Tag::kSummary:
    case Tag::kUl:
      if (!in_scope(t.tag, Scope::kDefault)) {
        ++errors_;
        return;
      }
      generate_implied_end_tags();
      if (!is_html(current(), t.tag)) ++errors_;
      pop_until(t.tag);
      return;
    case Tag::kForm:
      if (!template_on_stack()) {
        Node* node = form_;
        form_ = nullptr;
        if (node == nullptr || !node_in_scope(node, Scope::kDefault)) {
          ++errors_;
          return;
        }
        generate_implied_end_tags();
        if (current() != node) ++errors_;
        remove_from_stack(node);
        return;
      }
      if (!in_scope(Tag::kForm, Scope::kDefault)) {
        ++errors_;
        return;
      }
      generate_implied_end_tags();
      if (!is_html(current(), Tag::kForm)) ++errors_;
      pop_until(Tag::kForm);
      return;
    case Tag::kP:
      if (!in_scope(Tag::kP, Scope::kButton)) {
        ++errors_;
        insert_synthetic(Tag::kP);
      }
      close_p();
      return;
    case Tag::kLi:
      if (!in_scope(Tag::kLi, Scope::kListItem)) {
        ++errors_;
        return;
      }
      generate_implied_end_tags(Tag::kLi);
      if (!is_html(current(), Tag::kLi)) ++errors_;
      pop_until(Tag::kLi);
      return;
    case Tag::kDd:
    case Tag::kDt:
      if (!in_scope(t.tag, Scope::kDefault)) {
        ++errors_;
        return;
      }
      generate_implied_end_tags(t.tag);
      if (!is_html(current(), t.tag)) ++errors_;
      pop_until(t.tag);
      return;
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
      if (!heading_in_scope()) {
        ++errors_;
        return;
      }
      generate_implied_end_tags();
      if (!is_html(current(), t.tag)) ++errors_;
      pop_until_heading();
      return;
    case Tag::kA:
    case Tag::kB:
    case Tag::kBig:
    case Tag::kCode:
    case Tag::kEm:
    case Tag::kFont:
    case Tag::kI:
    case Tag::kNobr:
    case Tag::kS:
    case Tag::kSmall:
    case Tag::kStrike:
    case Tag::kStrong:
    case Tag::kTt:
    case Tag::kU:
      if (!adoption_agency(t)) any_other_end_tag(t);
      return;
    case Tag::kApplet:
    case Tag::kMarquee:
    case Tag::kObject:
      if (!in_scope(t.tag, Scope::kDefault)) {
        ++errors_;
        return;
      }
      generate_implied_end_tags();
      if (!is_html(current(), t.tag)) ++errors_;
      pop_until(t.tag);
      clear_formatting_to_marker();
      return;
    case Tag::kBr: {
      ++errors_;
      Token br;
      br.type = TokenType::kStartTag;
      br.tag = Tag::kBr;
      br.data = tag_name(Tag::kBr);
      reconstruct_formatting();
      insert_void(br);
      frameset_ok_ = false;
      return;
    }
    default:
      any_other_end_tag(t);
      return;
  }
}

// 13.2.6.4.8 "text"
void TreeBuilder::text_mode(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter:
      insert_text(t.data);
      return;
    case TokenType::kEof:
      ++errors_;
      pop();
      mode_ = original_mode_;
      return process(t);
    case TokenType::kEndTag:
      pop();
      mode_ = original_mode_;
      return;
    default:
      return;
  }
}

// 13.2.6.4.9 "in table"
void TreeBuilder::in_table(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      const Node* n = current();
      if (n->ns == Namespace::kHtml &&
          (n->tag == Tag::kTable || n->tag == Tag::kTbody || n->tag == Tag::kTemplate ||
           n->tag == Tag::kTfoot || n->tag == Tag::kThead || n->tag == Tag::kTr)) {
        pending_text_.clear();
        pending_non_space_ = false;
        original_mode_ = mode_;
        mode_ = InsertionMode::kInTableText;
        return process(t);
      }
      return in_table_anything_else(t);
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      switch (t.tag) {
        case Tag::kCaption:
          clear_to_table_context();
          push_marker();
          insert_html(t);
          if (pushed_) {
            mode_ = InsertionMode::kInCaption;
          } else {
            afe_.pop_back();
          }
          return;
        case Tag::kColgroup:
          clear_to_table_context();
          insert_html(t);
          if (pushed_) mode_ = InsertionMode::kInColumnGroup;
          return;
        case Tag::kCol:
          clear_to_table_context();
          insert_synthetic(Tag::kColgroup);
          if (!pushed_) return;
          mode_ = InsertionMode::kInColumnGroup;
          return process(t);
        case Tag::kTbody:
        case Tag::kTfoot:
        case Tag::kThead:
          clear_to_table_context();
          insert_html(t);
          if (pushed_) mode_ = InsertionMode::kInTableBody;
          return;
        case Tag::kTd:
        case Tag::kTh:
        case Tag::kTr:
          clear_to_table_context();
          insert_synthetic(Tag::kTbody);
          if (!pushed_) return;
          mode_ = InsertionMode::kInTableBody;
          return process(t);
        case Tag::kTable:
          ++errors_;
          if (!in_scope(Tag::kTable, Scope::kTable)) return;
          pop_until(Tag::kTable);
          reset_insertion_mode();
          return process(t);
        case Tag::kStyle:
        case Tag::kScript:
        case Tag::kTemplate:
          return in_head(t);
        case Tag::kInput: {
          bool hidden = false;
          for (const TokenAttribute& a : t.attributes) {
            if (a.name == "type") {
              hidden = str::iequals(a.value, "hidden");
              break;
            }
          }
          if (!hidden) break;
          ++errors_;
          insert_void(t);
          return;
        }
        case Tag::kForm:
          ++errors_;
          if (template_on_stack() || form_ != nullptr) return;
          form_ = insert_void(t);
          return;
        default:
          break;
      }
      break;
    case TokenType::kEndTag:
      switch (t.tag) {
        case Tag::kTable:
          if (!in_scope(Tag::kTable, Scope::kTable)) {
            ++errors_;
            return;
          }
          pop_until(Tag::kTable);
          reset_insertion_mode();
          return;
        case Tag::kBody:
        case Tag::kCaption:
        case Tag::kCol:
        case Tag::kColgroup:
        case Tag::kHtml:
        case Tag::kTbody:
        case Tag::kTd:
        case Tag::kTfoot:
        case Tag::kTh:
        case Tag::kThead:
        case Tag::kTr:
          ++errors_;
          return;
        case Tag::kTemplate:
          return in_head(t);
        default:
          break;
      }
      break;
    case TokenType::kEof:
      return in_body(t);
  }
  in_table_anything_else(t);
}

void TreeBuilder::in_table_anything_else(Token& t) {
  ++errors_;
  foster_parenting_ = true;
  in_body(t);
  foster_parenting_ = false;
}

// 13.2.6.4.10 "in table text"
void TreeBuilder::in_table_text(Token& t) {
  if (t.type == TokenType::kCharacter) {
    for (char c : t.data) {
      if (c == '\0') {
        ++errors_;
        continue;
      }
      if (!str::is_html_space(c)) pending_non_space_ = true;
      pending_text_.push_back(c);
    }
    return;
  }
  if (!pending_text_.empty()) {
    if (pending_non_space_) {
      ++errors_;
      foster_parenting_ = true;
      in_body_characters(pending_text_);
      foster_parenting_ = false;
    } else {
      insert_text(pending_text_);
    }
    pending_text_.clear();
    pending_non_space_ = false;
  }
  mode_ = original_mode_;
  process(t);
}

// 13.2.6.4.11 "in caption"
void TreeBuilder::in_caption(Token& t) {
  bool close = false;
  if (t.type == TokenType::kEndTag && t.tag == Tag::kCaption) {
    if (!in_scope(Tag::kCaption, Scope::kTable)) {
      ++errors_;
      return;
    }
    generate_implied_end_tags();
    if (!is_html(current(), Tag::kCaption)) ++errors_;
    pop_until(Tag::kCaption);
    clear_formatting_to_marker();
    mode_ = InsertionMode::kInTable;
    return;
  }
  if (t.type == TokenType::kStartTag) {
    switch (t.tag) {
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kTbody:
      case Tag::kTd:
      case Tag::kTfoot:
      case Tag::kTh:
      case Tag::kThead:
      case Tag::kTr:
        close = true;
        break;
      default:
        break;
    }
  } else if (t.type == TokenType::kEndTag) {
    switch (t.tag) {
      case Tag::kTable:
        close = true;
        break;
      case Tag::kBody:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kHtml:
      case Tag::kTbody:
      case Tag::kTd:
      case Tag::kTfoot:
      case Tag::kTh:
      case Tag::kThead:
      case Tag::kTr:
        ++errors_;
        return;
      default:
        break;
    }
  }
  if (close) {
    if (!in_scope(Tag::kCaption, Scope::kTable)) {
      ++errors_;
      return;
    }
    generate_implied_end_tags();
    pop_until(Tag::kCaption);
    clear_formatting_to_marker();
    mode_ = InsertionMode::kInTable;
    return process(t);
  }
  in_body(t);
}

// 13.2.6.4.12 "in column group"
void TreeBuilder::in_column_group(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      size_t n = leading_space(t.data);
      if (n > 0) {
        insert_text(t.data.substr(0, n));
        t.data.remove_prefix(n);
        if (t.data.empty()) return;
      }
      break;
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) return in_body(t);
      if (t.tag == Tag::kCol) {
        insert_void(t);
        return;
      }
      if (t.tag == Tag::kTemplate) return in_head(t);
      break;
    case TokenType::kEndTag:
      if (t.tag == Tag::kColgroup) {
        if (!is_html(current(), Tag::kColgroup)) {
          ++errors_;
          return;
        }
        pop();
        mode_ = InsertionMode::kInTable;
        return;
      }
      if (t.tag == Tag::kCol) {
        ++errors_;
        return;
      }
      if (t.tag == Tag::kTemplate) return in_head(t);
      break;
    case TokenType::kEof:
      return in_body(t);
  }
  if (!is_html(current(), Tag::kColgroup)) {
    ++errors_;
    return;
  }
  pop();
  mode_ = InsertionMode::kInTable;
  process(t);
}

// 13.2.6.4.13 "in table body"
void TreeBuilder::in_table_body(Token& t) {
  if (t.type == TokenType::kStartTag) {
    switch (t.tag) {
      case Tag::kTr:
        clear_to_table_body_context();
        insert_html(t);
        if (pushed_) mode_ = InsertionMode::kInRow;
        return;
      case Tag::kTh:
      case Tag::kTd:
        ++errors_;
        clear_to_table_body_context();
        insert_synthetic(Tag::kTr);
        if (!pushed_) return;
        mode_ = InsertionMode::kInRow;
        return process(t);
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kTbody:
      case Tag::kTfoot:
      case Tag::kThead:
        if (!table_body_in_table_scope()) {
          ++errors_;
          return;
        }
        clear_to_table_body_context();
        pop();
        mode_ = InsertionMode::kInTable;
        return process(t);
      default:
        break;
    }
  } else if (t.type == TokenType::kEndTag) {
    switch (t.tag) {
      case Tag::kTbody:
      case Tag::kTfoot:
      case Tag::kThead:
        if (!in_scope(t.tag, Scope::kTable)) {
          ++errors_;
          return;
        }
        clear_to_table_body_context();
        pop();
        mode_ = InsertionMode::kInTable;
        return;
      case Tag::kTable:
        if (!table_body_in_table_scope()) {
          ++errors_;
          return;
        }
        clear_to_table_body_context();
        pop();
        mode_ = InsertionMode::kInTable;
        return process(t);
      case Tag::kBody:
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kHtml:
      case Tag::kTd:
      case Tag::kTh:
      case Tag::kTr:
        ++errors_;
        return;
      default:
        break;
    }
  }
  in_table(t);
}

// 13.2.6.4.14 "in row"
void TreeBuilder::in_row(Token& t) {
  if (t.type == TokenType::kStartTag) {
    switch (t.tag) {
      case Tag::kTh:
      case Tag::kTd:
        clear_to_row_context();
        insert_html(t);
        if (!pushed_) return;
        mode_ = InsertionMode::kInCell;
        push_marker();
        return;
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kTbody:
      case Tag::kTfoot:
      case Tag::kThead:
      case Tag::kTr:
        if (!in_scope(Tag::kTr, Scope::kTable)) {
          ++errors_;
          return;
        }
        clear_to_row_context();
        pop();
        mode_ = InsertionMode::kInTableBody;
        return process(t);
      default:
        break;
    }
  } else if (t.type == TokenType::kEndTag) {
    switch (t.tag) {
      case Tag::kTr:
        if (!in_scope(Tag::kTr, Scope::kTable)) {
          ++errors_;
          return;
        }
        clear_to_row_context();
        pop();
        mode_ = InsertionMode::kInTableBody;
        return;
      case Tag::kTable:
        if (!in_scope(Tag::kTr, Scope::kTable)) {
          ++errors_;
          return;
        }
        clear_to_row_context();
        pop();
        mode_ = InsertionMode::kInTableBody;
        return process(t);
      case Tag::kTbody:
      case Tag::kTfoot:
      case Tag::kThead:
        if (!in_scope(t.tag, Scope::kTable)) {
          ++errors_;
          return;
        }
        if (!in_scope(Tag::kTr, Scope::kTable)) return;
        clear_to_row_context();
        pop();
        mode_ = InsertionMode::kInTableBody;
        return process(t);
      case Tag::kBody:
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kHtml:
      case Tag::kTd:
      case Tag::kTh:
        ++errors_;
        return;
      default:
        break;
    }
  }
  in_table(t);
}

// 13.2.6.4.15 "in cell"
void TreeBuilder::in_cell(Token& t) {
  if (t.type == TokenType::kEndTag) {
    switch (t.tag) {
      case Tag::kTd:
      case Tag::kTh:
        if (!in_scope(t.tag, Scope::kTable)) {
          ++errors_;
          return;
        }
        generate_implied_end_tags();
        if (!is_html(current(), t.tag)) ++errors_;
        pop_until(t.tag);
        clear_formatting_to_marker();
        mode_ = InsertionMode::kInRow;
        return;
      case Tag::kBody:
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kHtml:
        ++errors_;
        return;
      case Tag::kTable:
      case Tag::kTbody:
      case Tag::kTfoot:
      case Tag::kThead:
      case Tag::kTr:
        if (!in_scope(t.tag, Scope::kTable)) {
          ++errors_;
          return;
        }
        close_cell();
        return process(t);
      default:
        break;
    }
  } else if (t.type == TokenType::kStartTag) {
    switch (t.tag) {
      case Tag::kCaption:
      case Tag::kCol:
      case Tag::kColgroup:
      case Tag::kTbody:
      case Tag::kTd:
      case Tag::kTfoot:
      case Tag::kTh:
      case Tag::kThead:
      case Tag::kTr:
        if (!in_scope(Tag::kTd, Scope::kTable) && !in_scope(Tag::kTh, Scope::kTable)) {
          ++errors_;
          return;
        }
        close_cell();
        return process(t);
      default:
        break;
    }
  }
  in_body(t);
}

// 13.2.6.4.18 "in template"
void TreeBuilder::in_template(Token& t) {
  auto switch_to = [this, &t](InsertionMode mode) {
    if (!template_modes_.empty()) template_modes_.pop_back();
    template_modes_.push_back(mode);
    mode_ = mode;
    process(t);
  };
  switch (t.type) {
    case TokenType::kCharacter:
    case TokenType::kComment:
    case TokenType::kDoctype:
      return in_body(t);
    case TokenType::kStartTag:
      switch (t.tag) {
        case Tag::kBase:
        case Tag::kBasefont:
        case Tag::kBgsound:
        case Tag::kLink:
        case Tag::kMeta:
        case Tag::kNoframes:
        case Tag::kScript:
        case Tag::kStyle:
        case Tag::kTemplate:
        case Tag::kTitle:
          return in_head(t);
        case Tag::kCaption:
        case Tag::kColgroup:
        case Tag::kTbody:
        case Tag::kTfoot:
        case Tag::kThead:
          return switch_to(InsertionMode::kInTable);
        case Tag::kCol:
          return switch_to(InsertionMode::kInColumnGroup);
        case Tag::kTr:
          return switch_to(InsertionMode::kInTableBody);
        case Tag::kTd:
        case Tag::kTh:
          return switch_to(InsertionMode::kInRow);
        default:
          return switch_to(InsertionMode::kInBody);
      }
    case TokenType::kEndTag:
      if (t.tag == Tag::kTemplate) return in_head(t);
      ++errors_;
      return;
    case TokenType::kEof:
      if (!template_on_stack()) {
        stopped_ = true;
        return;
      }
      ++errors_;
      pop_until(Tag::kTemplate);
      clear_formatting_to_marker();
      if (!template_modes_.empty()) template_modes_.pop_back();
      reset_insertion_mode();
      return process(t);
  }
}

// 13.2.6.4.19 "after body"
void TreeBuilder::after_body(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      size_t n = leading_space(t.data);
      if (n > 0) {
        in_body_characters(t.data.substr(0, n));
        t.data.remove_prefix(n);
        if (t.data.empty()) return;
      }
      break;
    }
    case TokenType::kComment:
      insert_comment(t, open_[0]);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) return in_body(t);
      break;
    case TokenType::kEndTag:
      if (t.tag == Tag::kHtml) {
        if (context_ != nullptr) {
          ++errors_;
          return;
        }
        mode_ = InsertionMode::kAfterAfterBody;
        return;
      }
      break;
    case TokenType::kEof:
      stopped_ = true;
      return;
  }
  ++errors_;
  mode_ = InsertionMode::kInBody;
  process(t);
}

// 13.2.6.4.20 "in frameset"
void TreeBuilder::in_frameset(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      // Only whitespace is inserted; every other character is a parse error and ignored.
      std::string spaces;
      for (char c : t.data) {
        if (str::is_html_space(c)) spaces.push_back(c);
      }
      if (spaces.size() != t.data.size()) ++errors_;
      insert_text(spaces);
      return;
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      switch (t.tag) {
        case Tag::kHtml:
          return in_body(t);
        case Tag::kFrameset:
          insert_html(t);
          return;
        case Tag::kFrame:
          insert_void(t);
          return;
        case Tag::kNoframes:
          return in_head(t);
        default:
          ++errors_;
          return;
      }
    case TokenType::kEndTag:
      if (t.tag == Tag::kFrameset) {
        if (open_.size() == 1) {
          ++errors_;
          return;
        }
        pop();
        if (context_ == nullptr && !is_html(current(), Tag::kFrameset)) {
          mode_ = InsertionMode::kAfterFrameset;
        }
        return;
      }
      ++errors_;
      return;
    case TokenType::kEof:
      stopped_ = true;
      return;
  }
}

// 13.2.6.4.21 "after frameset"
void TreeBuilder::after_frameset(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      std::string spaces;
      for (char c : t.data) {
        if (str::is_html_space(c)) spaces.push_back(c);
      }
      if (spaces.size() != t.data.size()) ++errors_;
      insert_text(spaces);
      return;
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) return in_body(t);
      if (t.tag == Tag::kNoframes) return in_head(t);
      ++errors_;
      return;
    case TokenType::kEndTag:
      if (t.tag == Tag::kHtml) {
        mode_ = InsertionMode::kAfterAfterFrameset;
        return;
      }
      ++errors_;
      return;
    case TokenType::kEof:
      stopped_ = true;
      return;
  }
}

// 13.2.6.4.22 "after after body"
void TreeBuilder::after_after_body(Token& t) {
  switch (t.type) {
    case TokenType::kComment:
      insert_comment(t, doc_->root());
      return;
    case TokenType::kDoctype:
      return in_body(t);
    case TokenType::kCharacter: {
      size_t n = leading_space(t.data);
      if (n > 0) {
        in_body_characters(t.data.substr(0, n));
        t.data.remove_prefix(n);
        if (t.data.empty()) return;
      }
      break;
    }
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) return in_body(t);
      break;
    case TokenType::kEndTag:
      break;
    case TokenType::kEof:
      stopped_ = true;
      return;
  }
  ++errors_;
  mode_ = InsertionMode::kInBody;
  process(t);
}

// 13.2.6.4.23 "after after frameset"
void TreeBuilder::after_after_frameset(Token& t) {
  switch (t.type) {
    case TokenType::kComment:
      insert_comment(t, doc_->root());
      return;
    case TokenType::kDoctype:
      return in_body(t);
    case TokenType::kCharacter: {
      std::string spaces;
      for (char c : t.data) {
        if (str::is_html_space(c)) spaces.push_back(c);
      }
      if (spaces.size() != t.data.size()) ++errors_;
      in_body_characters(spaces);
      return;
    }
    case TokenType::kStartTag:
      if (t.tag == Tag::kHtml) return in_body(t);
      if (t.tag == Tag::kNoframes) return in_head(t);
      ++errors_;
      return;
    case TokenType::kEndTag:
      ++errors_;
      return;
    case TokenType::kEof:
      stopped_ = true;
      return;
  }
}

// 13.2.6.5 The rules for parsing tokens in foreign content.
void TreeBuilder::foreign_content(Token& t) {
  switch (t.type) {
    case TokenType::kCharacter: {
      std::string_view s = t.data;
      if (std::memchr(s.data(), 0, s.size()) != nullptr) {
        ++errors_;
        scratch_.clear();
        for (char c : s) {
          if (c == '\0') {
            scratch_.append("\xEF\xBF\xBD");
          } else {
            scratch_.push_back(c);
          }
        }
        std::string copy;
        copy.swap(scratch_);
        insert_text(copy);
        if (!all_space(copy)) {
          // U+FFFD alone does not clear frameset-ok; other characters do.
          for (char c : s) {
            if (c != '\0' && !str::is_html_space(c)) frameset_ok_ = false;
          }
        }
        copy.swap(scratch_);
        return;
      }
      insert_text(s);
      if (frameset_ok_ && !all_space(s)) frameset_ok_ = false;
      return;
    }
    case TokenType::kComment:
      insert_comment(t, nullptr);
      return;
    case TokenType::kDoctype:
      ++errors_;
      return;
    case TokenType::kStartTag: {
      bool breakout = false;
      switch (t.tag) {
        case Tag::kB:
        case Tag::kBig:
        case Tag::kBlockquote:
        case Tag::kBody:
        case Tag::kBr:
        case Tag::kCenter:
        case Tag::kCode:
        case Tag::kDd:
        case Tag::kDiv:
        case Tag::kDl:
        case Tag::kDt:
        case Tag::kEm:
        case Tag::kEmbed:
        case Tag::kH1:
        case Tag::kH2:
        case Tag::kH3:
        case Tag::kH4:
        case Tag::kH5:
        case Tag::kH6:
        case Tag::kHead:
        case Tag::kHr:
        case Tag::kI:
        case Tag::kImg:
        case Tag::kLi:
        case Tag::kListing:
        case Tag::kMenu:
        case Tag::kMeta:
        case Tag::kNobr:
        case Tag::kOl:
        case Tag::kP:
        case Tag::kPre:
        case Tag::kRuby:
        case Tag::kS:
        case Tag::kSmall:
        case Tag::kSpan:
        case Tag::kStrong:
        case Tag::kStrike:
        case Tag::kSub:
        case Tag::kSup:
        case Tag::kTable:
        case Tag::kTt:
        case Tag::kU:
        case Tag::kUl:
        case Tag::kVar:
          breakout = true;
          break;
        case Tag::kFont:
          for (const TokenAttribute& a : t.attributes) {
            if (a.name == "color" || a.name == "face" || a.name == "size") breakout = true;
          }
          break;
        default:
          break;
      }
      if (breakout) {
        ++errors_;
        while (open_.size() > 1) {
          const Node* n = current();
          if (n->ns == Namespace::kHtml || is_mathml_text_ip(n) || is_html_ip(n)) break;
          open_.pop_back();
        }
        return process(t);
      }
      Node* acn = adjusted_current_node();
      insert_foreign(t, acn->ns);
      return;
    }
    case TokenType::kEndTag: {
      Node* cur = current();
      if (t.tag == Tag::kBr || t.tag == Tag::kP) {
        // </br> and </p> break out of foreign content like the start tags above.
        ++errors_;
        while (open_.size() > 1) {
          const Node* n = current();
          if (n->ns == Namespace::kHtml || is_mathml_text_ip(n) || is_html_ip(n)) break;
          open_.pop_back();
        }
        return process(t);
      }
      if (t.tag == Tag::kScript && cur->ns == Namespace::kSvg && cur->name == "script") {
        pop();
        return;
      }
      if (!str::iequals(cur->name, t.data)) ++errors_;
      for (size_t i = open_.size(); i-- > 0;) {
        Node* node = open_[i];
        if (i == 0) return;
        if (str::iequals(node->name, t.data)) {
          pop_to_index(i);
          return;
        }
        if (open_[i - 1]->ns == Namespace::kHtml) {
          return process(t);
        }
      }
      return;
    }
    case TokenType::kEof:
      return process(t);
  }
}

}  // namespace riptide::html
