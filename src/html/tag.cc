#include "html/tag.h"

#include <algorithm>
#include <array>

namespace riptide::html {

namespace {

struct TagEntry {
  std::string_view name;
  Tag tag;
};

// Sorted by name for binary search.
constexpr std::array<TagEntry, 151> kTags = {{
    {"a", Tag::kA},
    {"abbr", Tag::kAbbr},
    {"acronym", Tag::kAcronym},
    {"address", Tag::kAddress},
    {"annotation-xml", Tag::kAnnotationXml},
    {"applet", Tag::kApplet},
    {"area", Tag::kArea},
    {"article", Tag::kArticle},
    {"aside", Tag::kAside},
    {"audio", Tag::kAudio},
    {"b", Tag::kB},
    {"base", Tag::kBase},
    {"basefont", Tag::kBasefont},
    {"bdi", Tag::kBdi},
    {"bdo", Tag::kBdo},
    {"bgsound", Tag::kBgsound},
    {"big", Tag::kBig},
    {"blink", Tag::kBlink},
    {"blockquote", Tag::kBlockquote},
    {"body", Tag::kBody},
    {"br", Tag::kBr},
    {"button", Tag::kButton},
    {"canvas", Tag::kCanvas},
    {"caption", Tag::kCaption},
    {"center", Tag::kCenter},
    {"cite", Tag::kCite},
    {"code", Tag::kCode},
    {"col", Tag::kCol},
    {"colgroup", Tag::kColgroup},
    {"data", Tag::kData},
    {"datalist", Tag::kDatalist},
    {"dd", Tag::kDd},
    {"del", Tag::kDel},
    {"desc", Tag::kDesc},
    {"details", Tag::kDetails},
    {"dfn", Tag::kDfn},
    {"dialog", Tag::kDialog},
    {"dir", Tag::kDir},
    {"div", Tag::kDiv},
    {"dl", Tag::kDl},
    {"dt", Tag::kDt},
    {"em", Tag::kEm},
    {"embed", Tag::kEmbed},
    {"fieldset", Tag::kFieldset},
    {"figcaption", Tag::kFigcaption},
    {"figure", Tag::kFigure},
    {"font", Tag::kFont},
    {"footer", Tag::kFooter},
    {"foreignobject", Tag::kForeignObject},
    {"form", Tag::kForm},
    {"frame", Tag::kFrame},
    {"frameset", Tag::kFrameset},
    {"h1", Tag::kH1},
    {"h2", Tag::kH2},
    {"h3", Tag::kH3},
    {"h4", Tag::kH4},
    {"h5", Tag::kH5},
    {"h6", Tag::kH6},
    {"head", Tag::kHead},
    {"header", Tag::kHeader},
    {"hgroup", Tag::kHgroup},
    {"hr", Tag::kHr},
    {"html", Tag::kHtml},
    {"i", Tag::kI},
    {"iframe", Tag::kIframe},
    {"image", Tag::kImage},
    {"img", Tag::kImg},
    {"input", Tag::kInput},
    {"ins", Tag::kIns},
    {"isindex", Tag::kIsindex},
    {"kbd", Tag::kKbd},
    {"keygen", Tag::kKeygen},
    {"label", Tag::kLabel},
    {"legend", Tag::kLegend},
    {"li", Tag::kLi},
    {"link", Tag::kLink},
    {"listing", Tag::kListing},
    {"main", Tag::kMain},
    {"malignmark", Tag::kMalignmark},
    {"map", Tag::kMap},
    {"mark", Tag::kMark},
    {"marquee", Tag::kMarquee},
    {"math", Tag::kMath},
    {"menu", Tag::kMenu},
    {"menuitem", Tag::kMenuitem},
    {"meta", Tag::kMeta},
    {"meter", Tag::kMeter},
    {"mglyph", Tag::kMglyph},
    {"mi", Tag::kMi},
    {"mn", Tag::kMn},
    {"mo", Tag::kMo},
    {"ms", Tag::kMs},
    {"mtext", Tag::kMtext},
    {"nav", Tag::kNav},
    {"nobr", Tag::kNobr},
    {"noembed", Tag::kNoembed},
    {"noframes", Tag::kNoframes},
    {"noscript", Tag::kNoscript},
    {"object", Tag::kObject},
    {"ol", Tag::kOl},
    {"optgroup", Tag::kOptgroup},
    {"option", Tag::kOption},
    {"output", Tag::kOutput},
    {"p", Tag::kP},
    {"param", Tag::kParam},
    {"picture", Tag::kPicture},
    {"plaintext", Tag::kPlaintext},
    {"pre", Tag::kPre},
    {"progress", Tag::kProgress},
    {"q", Tag::kQ},
    {"rb", Tag::kRb},
    {"rp", Tag::kRp},
    {"rt", Tag::kRt},
    {"rtc", Tag::kRtc},
    {"ruby", Tag::kRuby},
    {"s", Tag::kS},
    {"samp", Tag::kSamp},
    {"script", Tag::kScript},
    {"search", Tag::kSearch},
    {"section", Tag::kSection},
    {"select", Tag::kSelect},
    {"slot", Tag::kSlot},
    {"small", Tag::kSmall},
    {"source", Tag::kSource},
    {"span", Tag::kSpan},
    {"strike", Tag::kStrike},
    {"strong", Tag::kStrong},
    {"style", Tag::kStyle},
    {"sub", Tag::kSub},
    {"summary", Tag::kSummary},
    {"sup", Tag::kSup},
    {"svg", Tag::kSvg},
    {"table", Tag::kTable},
    {"tbody", Tag::kTbody},
    {"td", Tag::kTd},
    {"template", Tag::kTemplate},
    {"textarea", Tag::kTextarea},
    {"tfoot", Tag::kTfoot},
    {"th", Tag::kTh},
    {"thead", Tag::kThead},
    {"time", Tag::kTime},
    {"title", Tag::kTitle},
    {"tr", Tag::kTr},
    {"track", Tag::kTrack},
    {"tt", Tag::kTt},
    {"u", Tag::kU},
    {"ul", Tag::kUl},
    {"var", Tag::kVar},
    {"video", Tag::kVideo},
    {"wbr", Tag::kWbr},
    {"xmp", Tag::kXmp},
}};

constexpr std::array<std::string_view, static_cast<size_t>(Tag::kCount)> make_names() {
  std::array<std::string_view, static_cast<size_t>(Tag::kCount)> names{};
  for (const auto& e : kTags) names[static_cast<size_t>(e.tag)] = e.name;
  return names;
}

constexpr auto kNames = make_names();

}  // namespace

Tag lookup_tag(std::string_view lower_name) {
  if (lower_name.empty() || lower_name.size() > 14) return Tag::kUnknown;
  auto it = std::lower_bound(kTags.begin(), kTags.end(), lower_name,
                             [](const TagEntry& e, std::string_view n) { return e.name < n; });
  if (it != kTags.end() && it->name == lower_name) return it->tag;
  return Tag::kUnknown;
}

std::string_view tag_name(Tag tag) {
  auto i = static_cast<size_t>(tag);
  return i < kNames.size() ? kNames[i] : std::string_view();
}

}  // namespace riptide::html
