#pragma once

#include <string_view>

#include "html/dom.h"

// Main-content detection: which part of a page is the article, and what around and inside it is
// boilerplate (navigation, footers, share bars, teasers, comments, cookie banners).
namespace riptide::extract {

struct ContentOptions {
  // The page title from metadata (<title>, og:title, JSON-LD headline): helps find the headline
  // and so the article's start. May be empty.
  std::string_view title_hint;
  // The JSON-LD articleBody text when the page declares one: blocks whose text overlaps it are
  // likely content. May be empty.
  std::string_view article_body_hint;
};

struct ContentResult {
  // A NodeType::kFragment node created in the document whose children are the main-content nodes
  // (moved out of the page), boilerplate removed. Never null: an empty fragment when nothing is
  // found. Lives as long as the document.
  html::Node* root = nullptr;
  // 0..1: how sure the scorer is that `root` is the article (feeds quality_score): in article
  // mode 0.75 × the content's share of the page's readable text + 0.25 when the page's own
  // article/main/articleBody markup agrees; 0.2 when the fallback was used.
  double confidence = 0;
  // The best candidate was poor and a broader fallback (the cleaned body) was used instead.
  bool used_fallback = false;
};

// `article` mode: the main content of `doc`. Mutates the document (removes boilerplate, moves the
// content into the returned fragment). Iterative over DOM depth; linear passes over the tree.
ContentResult extract_article(html::Document& doc, const ContentOptions& options);

// `full` mode: the visible body with scripts, styles, templates, form controls and hidden
// elements removed (navigation and footers stay). Mutates `doc` like extract_article.
//
// Both modes strip soft hyphens (U+00AD) and zero-width spaces (U+200B) from the text nodes they
// return (invisible to a reader; they would break text search), and unwrap an unclosed
// <noscript> that holds most of the page instead of dropping it.
ContentResult extract_full(html::Document& doc);

}  // namespace riptide::extract
