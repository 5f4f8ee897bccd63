#include "extract/links.h"

#include <unordered_set>

#include "core/limits.h"
#include "core/strings.h"

namespace riptide::extract {

using html::Node;
using html::NodeType;
using html::Tag;

namespace {

bool skipped_for_text(const Node* n) {
  return n->is(Tag::kScript) || n->is(Tag::kStyle) || n->is(Tag::kTemplate) ||
         n->is(Tag::kNoscript);
}

bool kept_scheme(const url::Url& u) {
  url::Scheme s = u.scheme_type();
  return s == url::Scheme::kHttp || s == url::Scheme::kHttps || s == url::Scheme::kFtp ||
         u.scheme() == "mailto";
}

// The alt text of the first image inside `a` that has one.
std::string image_alt(const Node* a) {
  for (const Node* n = a->first_child; n != nullptr; n = html::next_in_subtree(n, a)) {
    if (n->is(Tag::kImg)) {
      std::string alt = str::collapse_whitespace(n->attr_value("alt"));
      if (!alt.empty()) return alt;
    }
  }
  return {};
}

void read_rel(const Node* a, Link& link) {
  for (std::string_view token : str::split_whitespace(a->attr_value("rel"))) {
    if (str::iequals(token, "nofollow")) link.nofollow = true;
    if (str::iequals(token, "ugc")) link.ugc = true;
    if (str::iequals(token, "sponsored")) link.sponsored = true;
  }
}

}  // namespace

std::string collapsed_text(const Node* node, size_t max_bytes) {
  std::string raw;
  if (node == nullptr) return raw;
  if (node->type == NodeType::kText) {
    raw.assign(node->data.substr(0, max_bytes));
    return str::collapse_whitespace(raw);
  }
  // Empty markup costs nothing in bytes, so the walk is bounded by nodes too: callers that try
  // many candidates (bylines, dates) must not rescan huge subtrees.
  size_t node_budget = max_bytes * 4 + 64;
  const Node* n = node->first_child;
  while (n != nullptr && raw.size() < max_bytes && node_budget-- > 0) {
    if (n->type == NodeType::kElement && skipped_for_text(n)) {
      n = html::next_skipping_children(n, node);
      continue;
    }
    if (n->type == NodeType::kText) {
      raw.append(n->data.substr(0, max_bytes - raw.size()));
    } else if (n->type == NodeType::kElement && !raw.empty() && raw.back() != ' ' &&
               (n->is(Tag::kBr) || n->is(Tag::kP) || n->is(Tag::kDiv) || n->is(Tag::kLi))) {
      // Line-breaking elements separate words even without whitespace in the source.
      raw.push_back(' ');
    }
    n = html::next_in_subtree(n, node);
  }
  return str::collapse_whitespace(raw);
}

std::vector<Link> collect_links(const Node* root, const url::Url* base) {
  std::vector<Link> links;
  if (root == nullptr) return links;
  std::unordered_set<std::string> seen;
  for (const Node* n = root; n != nullptr; n = html::next_in_subtree(n, root)) {
    if (!n->is(Tag::kA)) continue;
    const html::Attribute* href_attr = n->attr("href");
    if (href_attr == nullptr) continue;
    std::string_view href = str::trim(href_attr->value);
    if (href.empty() || href.front() == '#') continue;
    auto resolved = url::parse(href, base);
    if (!resolved.ok() || !kept_scheme(*resolved)) continue;

    Link link;
    link.url = std::string(resolved->href());
    link.text = collapsed_text(n);
    if (link.text.empty()) link.text = image_alt(n);
    if (link.text.empty()) link.text = str::collapse_whitespace(n->attr_value("aria-label"));
    if (link.text.empty()) link.text = str::collapse_whitespace(n->attr_value("title"));
    read_rel(n, link);
    link.hreflang = std::string(str::trim(n->attr_value("hreflang")));

    std::string key = link.url;
    key.push_back('\0');
    key += link.text;
    if (!seen.insert(std::move(key)).second) continue;
    links.push_back(std::move(link));
    if (links.size() >= limits::kMaxLinksPerDocument) break;
  }
  return links;
}

}  // namespace riptide::extract
