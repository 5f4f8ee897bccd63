#include "extract/visible_text.h"

#include "core/strings.h"

namespace riptide::extract {

using html::Node;
using html::NodeType;
using html::Tag;

namespace {

bool is_non_rendered(const Node* e) {
  if (e->ns != html::Namespace::kHtml) return false;
  switch (e->tag) {
    case Tag::kScript:
    case Tag::kStyle:
    case Tag::kTemplate:
    case Tag::kHead:
    case Tag::kNoscript:  // parsed with scripting off, but a reader with scripts sees no noscript
    case Tag::kIframe:
    case Tag::kObject:
    case Tag::kEmbed:
    case Tag::kNoembed:
    case Tag::kNoframes:
    case Tag::kSelect:
    case Tag::kDatalist:
    case Tag::kTitle:
    case Tag::kMeta:
    case Tag::kLink:
    case Tag::kBase:
    case Tag::kInput:
    case Tag::kButton:
    case Tag::kCanvas:
    case Tag::kTrack:
    case Tag::kSource:
    case Tag::kParam:
      return true;
    default:
      return false;
  }
}

// Collapses whitespace into `out`, tracking whether a space is pending between words.
class TextSink {
 public:
  explicit TextSink(std::string& out) : out_(out) {}

  void text(std::string_view s, bool preformatted) {
    if (preformatted) {
      flush_break();
      if (pending_space_) out_.push_back(' ');
      pending_space_ = false;
      out_.append(s);
      return;
    }
    for (char c : s) {
      if (str::is_html_space(c)) {
        if (!out_.empty() && breaks_ == 0) pending_space_ = true;
        continue;
      }
      flush_break();
      if (pending_space_) out_.push_back(' ');
      pending_space_ = false;
      out_.push_back(c);
    }
  }

  // Requests `n` newlines (1 = line break, 2 = paragraph break) before the next text.
  void request_break(int n) {
    if (out_.empty()) return;
    if (n > breaks_) breaks_ = n;
    pending_space_ = false;
  }

 private:
  void flush_break() {
    if (breaks_ == 0) return;
    // Trim trailing spaces before the break.
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    for (int i = 0; i < breaks_; ++i) out_.push_back('\n');
    breaks_ = 0;
  }

  std::string& out_;
  int breaks_ = 0;
  bool pending_space_ = false;
};

}  // namespace

bool is_hidden(const Node* e) {
  if (!e->is_element()) return false;
  if (is_non_rendered(e)) return true;
  if (e->has_attr("hidden")) return true;
  if (str::iequals(str::trim(e->attr_value("aria-hidden")), "true")) return true;
  std::string_view style = e->attr_value("style");
  if (!style.empty()) {
    std::string compact;
    for (char c : style) {
      if (!str::is_html_space(c)) compact.push_back(str::to_lower(c));
    }
    if (compact.find("display:none") != std::string::npos ||
        compact.find("visibility:hidden") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_block(const Node* e) {
  if (!e->is_element() || e->ns != html::Namespace::kHtml) return false;
  switch (e->tag) {
    case Tag::kAddress:
    case Tag::kArticle:
    case Tag::kAside:
    case Tag::kBlockquote:
    case Tag::kBody:
    case Tag::kCaption:
    case Tag::kCenter:
    case Tag::kDd:
    case Tag::kDetails:
    case Tag::kDialog:
    case Tag::kDir:
    case Tag::kDiv:
    case Tag::kDl:
    case Tag::kDt:
    case Tag::kFieldset:
    case Tag::kFigcaption:
    case Tag::kFigure:
    case Tag::kFooter:
    case Tag::kForm:
    case Tag::kH1:
    case Tag::kH2:
    case Tag::kH3:
    case Tag::kH4:
    case Tag::kH5:
    case Tag::kH6:
    case Tag::kHeader:
    case Tag::kHgroup:
    case Tag::kHr:
    case Tag::kHtml:
    case Tag::kLegend:
    case Tag::kLi:
    case Tag::kListing:
    case Tag::kMain:
    case Tag::kMenu:
    case Tag::kNav:
    case Tag::kOl:
    case Tag::kP:
    case Tag::kPre:
    case Tag::kSearch:
    case Tag::kSection:
    case Tag::kSummary:
    case Tag::kTable:
    case Tag::kTbody:
    case Tag::kTfoot:
    case Tag::kThead:
    case Tag::kTr:
    case Tag::kUl:
    case Tag::kXmp:
      return true;
    default:
      return false;
  }
}

std::string visible_text(const Node* root) {
  std::string out;
  TextSink sink(out);
  int pre_depth = 0;
  const Node* node = root;
  // Pre-order walk with explicit exit handling: when a subtree is finished, climb and "leave"
  // each ancestor on the way up.
  while (node != nullptr) {
    bool descend = false;
    if (node->type == NodeType::kText) {
      sink.text(node->data, pre_depth > 0);
    } else if (node->type == NodeType::kElement || node->type == NodeType::kDocument) {
      if (node->type == NodeType::kElement && is_hidden(node)) {
        descend = false;
      } else {
        if (node->is(Tag::kBr)) sink.request_break(1);
        if (is_block(node)) sink.request_break(node->is(Tag::kLi) || node->is(Tag::kTr) ? 1 : 2);
        if (node->is(Tag::kTd) || node->is(Tag::kTh)) sink.text(" ", false);
        if (node->is(Tag::kPre) || node->is(Tag::kTextarea) || node->is(Tag::kListing)) {
          ++pre_depth;
        }
        descend = node->first_child != nullptr;
        if (!descend &&
            (node->is(Tag::kPre) || node->is(Tag::kTextarea) || node->is(Tag::kListing))) {
          --pre_depth;
        }
      }
    }
    if (descend) {
      node = node->first_child;
      continue;
    }
    // Leave `node` and any ancestors whose children are all done.
    while (node != nullptr) {
      if (node != root && node->next_sibling != nullptr) {
        node = node->next_sibling;
        break;
      }
      if (node == root) {
        node = nullptr;
        break;
      }
      node = node->parent;
      if (node == nullptr) break;
      if (is_block(node)) sink.request_break(node->is(Tag::kLi) || node->is(Tag::kTr) ? 1 : 2);
      if (node->is(Tag::kPre) || node->is(Tag::kTextarea) || node->is(Tag::kListing)) --pre_depth;
      if (node == root) {
        node = nullptr;
        break;
      }
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace riptide::extract
