#pragma once

#include <cstdint>
#include <string_view>

namespace riptide::html {

// Interned names of the elements the parser, selectors and extractor treat specially. Any other
// element is kUnknown and is compared by its name. Names are ASCII lower case; SVG's
// foreignObject is interned under its lower-cased token name "foreignobject".
enum class Tag : uint16_t {
  kUnknown = 0,
  kA,              // a
  kAbbr,           // abbr
  kAcronym,        // acronym
  kAddress,        // address
  kAnnotationXml,  // annotation-xml
  kApplet,         // applet
  kArea,           // area
  kArticle,        // article
  kAside,          // aside
  kAudio,          // audio
  kB,              // b
  kBase,           // base
  kBasefont,       // basefont
  kBdi,            // bdi
  kBdo,            // bdo
  kBgsound,        // bgsound
  kBig,            // big
  kBlink,          // blink
  kBlockquote,     // blockquote
  kBody,           // body
  kBr,             // br
  kButton,         // button
  kCanvas,         // canvas
  kCaption,        // caption
  kCenter,         // center
  kCite,           // cite
  kCode,           // code
  kCol,            // col
  kColgroup,       // colgroup
  kData,           // data
  kDatalist,       // datalist
  kDd,             // dd
  kDel,            // del
  kDesc,           // desc
  kDetails,        // details
  kDfn,            // dfn
  kDialog,         // dialog
  kDir,            // dir
  kDiv,            // div
  kDl,             // dl
  kDt,             // dt
  kEm,             // em
  kEmbed,          // embed
  kFieldset,       // fieldset
  kFigcaption,     // figcaption
  kFigure,         // figure
  kFont,           // font
  kFooter,         // footer
  kForeignObject,  // foreignobject
  kForm,           // form
  kFrame,          // frame
  kFrameset,       // frameset
  kH1,             // h1
  kH2,             // h2
  kH3,             // h3
  kH4,             // h4
  kH5,             // h5
  kH6,             // h6
  kHead,           // head
  kHeader,         // header
  kHgroup,         // hgroup
  kHr,             // hr
  kHtml,           // html
  kI,              // i
  kIframe,         // iframe
  kImage,          // image
  kImg,            // img
  kInput,          // input
  kIns,            // ins
  kIsindex,        // isindex
  kKbd,            // kbd
  kKeygen,         // keygen
  kLabel,          // label
  kLegend,         // legend
  kLi,             // li
  kLink,           // link
  kListing,        // listing
  kMain,           // main
  kMalignmark,     // malignmark
  kMap,            // map
  kMark,           // mark
  kMarquee,        // marquee
  kMath,           // math
  kMenu,           // menu
  kMenuitem,       // menuitem
  kMeta,           // meta
  kMeter,          // meter
  kMglyph,         // mglyph
  kMi,             // mi
  kMn,             // mn
  kMo,             // mo
  kMs,             // ms
  kMtext,          // mtext
  kNav,            // nav
  kNobr,           // nobr
  kNoembed,        // noembed
  kNoframes,       // noframes
  kNoscript,       // noscript
  kObject,         // object
  kOl,             // ol
  kOptgroup,       // optgroup
  kOption,         // option
  kOutput,         // output
  kP,              // p
  kParam,          // param
  kPicture,        // picture
  kPlaintext,      // plaintext
  kPre,            // pre
  kProgress,       // progress
  kQ,              // q
  kRb,             // rb
  kRp,             // rp
  kRt,             // rt
  kRtc,            // rtc
  kRuby,           // ruby
  kS,              // s
  kSamp,           // samp
  kScript,         // script
  kSearch,         // search
  kSection,        // section
  kSelect,         // select
  kSlot,           // slot
  kSmall,          // small
  kSource,         // source
  kSpan,           // span
  kStrike,         // strike
  kStrong,         // strong
  kStyle,          // style
  kSub,            // sub
  kSummary,        // summary
  kSup,            // sup
  kSvg,            // svg
  kTable,          // table
  kTbody,          // tbody
  kTd,             // td
  kTemplate,       // template
  kTextarea,       // textarea
  kTfoot,          // tfoot
  kTh,             // th
  kThead,          // thead
  kTime,           // time
  kTitle,          // title
  kTr,             // tr
  kTrack,          // track
  kTt,             // tt
  kU,              // u
  kUl,             // ul
  kVar,            // var
  kVideo,          // video
  kWbr,            // wbr
  kXmp,            // xmp
  kCount,
};

// Maps an ASCII lower-case tag name to its Tag (kUnknown when not interned).
Tag lookup_tag(std::string_view lower_name);

// The canonical lower-case name of an interned tag ("" for kUnknown).
std::string_view tag_name(Tag tag);

}  // namespace riptide::html
