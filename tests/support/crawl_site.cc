#include "tests/support/crawl_site.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <deque>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <utility>

#include "tests/support/gzip.h"

namespace riptide::testing {

namespace {

// Articles listed by each listing page (sort=a ascending, sort=b descending).
constexpr uint32_t kListingArticles = 20;
// Every k-th article is listed in the sitemaps.
constexpr uint32_t kSitemapArticleEvery = 10;
// Words per generated sentence and sentences per paragraph.
constexpr uint32_t kMinSentenceWords = 8;
constexpr uint32_t kMaxSentenceWords = 16;
constexpr uint32_t kMinParagraphSentences = 3;
constexpr uint32_t kMaxParagraphSentences = 5;
// A <h2> before every this many paragraphs (after the first).
constexpr uint32_t kParagraphsPerSection = 3;
// A link wraps this many words of a sentence; a sentence holds links at word 0 and word 3.
constexpr uint32_t kLinkWords = 2;
constexpr uint32_t kLinkSlotWords = 3;
constexpr uint32_t kLinkSlotsPerSentence = 2;
// Links every page can hold: the shortest prose has at least this many sentences.
constexpr uint32_t kMinLinkSlots =
    kLinkSlotsPerSentence * ((kSiteMinWords + kMaxSentenceWords - 1) / kMaxSentenceWords);

constexpr std::string_view kVocabulary[] = {
    "river",      "valley",    "harbour",  "survey",    "council",   "market",    "bridge",
    "station",    "winter",    "summer",   "morning",   "evening",   "village",   "county",
    "forest",     "meadow",    "garden",   "library",   "museum",    "theatre",   "festival",
    "report",     "committee", "budget",   "project",   "railway",   "engineer",  "teacher",
    "student",    "farmer",    "fisher",   "captain",   "doctor",    "nurse",     "writer",
    "painter",    "builder",   "driver",   "keeper",    "ranger",    "otter",     "heron",
    "salmon",     "badger",    "falcon",   "orchard",   "vineyard",  "quarry",    "mill",
    "lighthouse", "ferry",     "canal",    "tunnel",    "road",      "path",      "trail",
    "hill",       "mountain",  "lake",     "island",    "coast",     "cliff",     "beach",
    "storm",      "rain",      "snow",     "wind",      "sunlight",  "shadow",    "season",
    "harvest",    "grain",     "bread",    "cheese",    "apple",     "pear",      "plum",
    "timber",     "stone",     "iron",     "copper",    "glass",     "paper",     "ink",
    "record",     "archive",   "letter",   "journal",   "map",       "chart",     "table",
    "window",     "door",      "roof",     "wall",      "street",    "square",    "corner",
    "school",     "hospital",  "church",   "chapel",    "hall",      "office",    "shop",
    "bakery",     "workshop",  "factory",  "warehouse", "dock",      "pier",      "boat",
    "engine",     "signal",    "clock",    "bell",      "lamp",      "candle",    "fire",
    "water",      "field",     "fence",    "gate",      "barn",      "stable",    "horse",
    "sheep",      "cattle",    "flock",    "herd",      "nest",      "egg",       "seed",
    "root",       "branch",    "leaf",     "flower",    "moss",      "fern",      "reed",
    "found",      "built",     "opened",   "closed",    "repaired",  "measured",  "counted",
    "planted",    "gathered",  "carried",  "crossed",   "followed",  "watched",   "noted",
    "described",  "announced", "returned", "restored",  "visited",   "mapped",    "recorded",
    "old",        "new",       "quiet",    "busy",      "narrow",    "wide",      "early",
    "late",       "northern",  "southern", "eastern",   "western",   "upper",     "lower",
    "small",      "large",     "bright",   "dark",      "careful",   "steady",    "slow",
    "quick",      "local",     "public",   "private",   "ancient",   "modern",    "green",
    "the",        "a",         "of",       "in",        "on",        "by",        "with",
    "near",       "after",     "before",   "during",    "since",     "under",     "over",
    "and",        "but",       "while",    "because",   "although",  "then",      "again",
    "every",      "some",      "many",     "few",       "each",      "their",     "its",
    "was",        "were",      "had",      "has",       "will",      "could",     "would",
    "first",      "second",    "third",    "last",      "next",      "whole",     "half",
    "residents",  "visitors",  "members",  "workers",   "families",  "children",  "neighbours",
    "said",       "wrote",     "agreed",   "asked",     "explained", "suggested", "expected",
    "today",      "yesterday", "tomorrow", "already",   "soon",      "often",     "rarely",
    "perhaps",    "certainly", "finally",  "together",  "alone",     "outside",   "inside",
    "beyond",
};

// SplitMix64 (Steele, Lea, Flood 2014): a fixed, platform-independent sequence for a seed, so
// the site is the same on every machine (std::uniform_int_distribution is not).
class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // In [low, high].
  uint32_t between(uint32_t low, uint32_t high) {
    return low + static_cast<uint32_t>(next() % (uint64_t{high} - low + 1));
  }

 private:
  uint64_t state_;
};

uint64_t page_seed(uint64_t site_seed, uint64_t ordinal) {
  Prng prng(site_seed * 0x100000001B3ULL + ordinal);
  return prng.next();
}

// A page's prose: the title, then paragraphs of sentences of words, with section headings.
struct Prose {
  std::string title;
  std::string author;
  std::vector<std::vector<std::string_view>> sentences;
  std::vector<uint32_t> paragraph_starts;  // index of each paragraph's first sentence
  std::vector<std::string> headings;       // one per section after the first
};

std::string capitalized(std::string_view word) {
  std::string out(word);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

std::string words_title(Prng& prng, uint32_t count) {
  std::string title;
  for (uint32_t i = 0; i < count; ++i) {
    if (i > 0) title += ' ';
    title += capitalized(kVocabulary[prng.next() % std::size(kVocabulary)]);
  }
  return title;
}

Prose make_prose(uint64_t seed) {
  Prng prng(seed);
  Prose prose;
  prose.title = words_title(prng, prng.between(4, 8));
  prose.author = words_title(prng, 2);
  const uint32_t target_words = prng.between(kSiteMinWords, kSiteMaxWords);
  uint32_t words = 0;
  uint32_t sentences_left_in_paragraph = 0;
  while (words < target_words) {
    if (sentences_left_in_paragraph == 0) {
      prose.paragraph_starts.push_back(static_cast<uint32_t>(prose.sentences.size()));
      sentences_left_in_paragraph = prng.between(kMinParagraphSentences, kMaxParagraphSentences);
      if (prose.paragraph_starts.size() % kParagraphsPerSection == 1 &&
          prose.paragraph_starts.size() > 1) {
        prose.headings.push_back(words_title(prng, prng.between(2, 5)));
      }
    }
    // The last sentence may be shorter so the total lands on target_words, but never below
    // kMinSentenceWords (link slots need the words).
    uint32_t length = std::max(
        kMinSentenceWords,
        std::min(prng.between(kMinSentenceWords, kMaxSentenceWords), target_words - words));
    std::vector<std::string_view> sentence;
    for (uint32_t i = 0; i < length; ++i) {
      sentence.push_back(kVocabulary[prng.next() % std::size(kVocabulary)]);
    }
    prose.sentences.push_back(std::move(sentence));
    words += length;
    --sentences_left_in_paragraph;
  }
  return prose;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
}

bool every(uint32_t k, uint32_t i) {
  return k != 0 && i % k == k - 1;
}

std::string article_target(uint32_t i) {
  return "/articles/" + std::to_string(i);
}

std::string chain_target(uint32_t j) {
  return "/chain/" + std::to_string(j);
}

}  // namespace

CrawlSiteConfig CrawlSiteConfig::plain(uint32_t pages) {
  CrawlSiteConfig config;
  config.pages = pages;
  config.chain_length = 0;
  config.orphans = 0;
  config.duplicate_every = 0;
  config.redirect_every = 0;
  config.not_found_every = 0;
  config.server_error_every = 0;
  config.disallowed_every = 0;
  config.allowed_private_every = 0;
  config.print_query_every = 0;
  config.listings = false;
  config.throttle_once = false;
  config.sitemaps = false;
  return config;
}

std::string_view site_page_kind_name(SitePageKind kind) {
  switch (kind) {
    case SitePageKind::kHome:
      return "home";
    case SitePageKind::kListing:
      return "listing";
    case SitePageKind::kArticle:
      return "article";
    case SitePageKind::kChain:
      return "chain";
    case SitePageKind::kDuplicate:
      return "duplicate";
    case SitePageKind::kRedirect:
      return "redirect";
    case SitePageKind::kRedirectTarget:
      return "redirect_target";
    case SitePageKind::kNotFound:
      return "not_found";
    case SitePageKind::kServerError:
      return "server_error";
    case SitePageKind::kDisallowed:
      return "disallowed";
    case SitePageKind::kAllowedPrivate:
      return "allowed_private";
    case SitePageKind::kThrottled:
      return "throttled";
    case SitePageKind::kOrphan:
      return "orphan";
  }
  return "unknown";
}

CrawlSite::CrawlSite(CrawlSiteConfig config, uint16_t port)
    : config_(std::move(config)), server_(port) {
  if (config_.pages == 0 || config_.pages > kMaxSitePages) {
    throw std::invalid_argument("crawl site: pages must be in [1, " +
                                std::to_string(kMaxSitePages) + "]");
  }
  if (config_.fanout == 0) throw std::invalid_argument("crawl site: fanout must be >= 1");
  if (config_.crawl_delay_seconds && !(*config_.crawl_delay_seconds >= 0)) {
    throw std::invalid_argument("crawl site: crawl_delay_seconds must be >= 0");
  }
  build_pages();
  // Checked here rather than when a page is served: a handler thread must not throw.
  for (const SitePage& page : pages_) {
    if (page.hrefs.size() > kMinLinkSlots) {
      throw std::invalid_argument("crawl site: " + std::to_string(page.hrefs.size()) +
                                  " links on " + page.target + ", at most " +
                                  std::to_string(kMinLinkSlots) + " fit (lower the fanout)");
    }
  }
  compute_depths();
  build_sitemaps();
  robots_ = robots_txt();
  server_.set_fallback([this](const HttpRequest& request) { return respond(request); });
}

CrawlSite::~CrawlSite() {
  server_.stop();
}

void CrawlSite::build_pages() {
  uint64_t ordinal = 0;
  auto add = [&](std::string target, SitePageKind kind, int status = 200) -> size_t {
    SitePage page;
    page.target = std::move(target);
    page.kind = kind;
    page.status = status;
    page.text_seed = page_seed(config_.seed, ordinal++);
    page.disallowed = kind == SitePageKind::kDisallowed;
    index_.emplace(page.target, pages_.size());
    pages_.push_back(std::move(page));
    return pages_.size() - 1;
  };
  // `href` as written; `target` the canonical same-host target it leads to ("" when out of
  // scope). Pages are referenced by position: pages_ grows while links are added.
  auto link = [&](size_t from, std::string href, std::string target) {
    SitePage& page = pages_[from];
    page.hrefs.push_back(std::move(href));
    if (!target.empty() &&
        std::find(page.links.begin(), page.links.end(), target) == page.links.end()) {
      page.links.push_back(std::move(target));
    }
  };
  const uint32_t n = config_.pages;

  const size_t home = add("/", SitePageKind::kHome);
  link(home, "/articles/0", article_target(0));
  if (config_.chain_length > 0) link(home, "chain/0", chain_target(0));
  if (config_.listings) {
    link(home, "/list?sort=a", "/list?sort=a");
    link(home, url("/list?sort=b"), "/list?sort=b");
  }
  if (config_.throttle_once) {
    link(home, std::string(kThrottledTarget), std::string(kThrottledTarget));
  }
  // The same server under another host name: out of a host-scoped crawl's scope.
  link(home, "http://localhost:" + std::to_string(port()) + "/articles/1", "");
  link(home, "https://example.com/about", "");

  if (config_.listings) {
    const uint32_t listed = std::min(n, kListingArticles);
    for (const char* sort : {"a", "b"}) {
      const size_t listing = add(std::string("/list?sort=") + sort, SitePageKind::kListing);
      for (uint32_t k = 0; k < listed; ++k) {
        const uint32_t i = sort[0] == 'a' ? k : listed - 1 - k;
        link(listing, article_target(i), article_target(i));
      }
      const std::string other = sort[0] == 'a' ? "/list?sort=b" : "/list?sort=a";
      link(listing, "?sort=" + other.substr(other.size() - 1), other);
    }
  }

  for (uint32_t i = 0; i < n; ++i) add(article_target(i), SitePageKind::kArticle);
  for (uint32_t i = 0; i < n; ++i) {
    const size_t at = index_.at(article_target(i));
    for (uint32_t m = 0; m < config_.fanout; ++m) {
      const uint64_t child = uint64_t{i} * config_.fanout + 1 + m;
      if (child >= n) break;
      // Relative to /articles/<i>: "7" is /articles/7.
      link(at, std::to_string(child), article_target(static_cast<uint32_t>(child)));
    }
    if (i > 0) {
      const uint32_t parent = (i - 1) / config_.fanout;
      const std::string target = article_target(parent);
      switch (i % 3) {
        case 0:
          link(at, target + "?utm_source=related&utm_medium=web", target);
          break;
        case 1:
          link(at, url(target), target);
          break;
        default:
          link(at, target + "#comments", target);
      }
    }
    Prng prng(pages_[at].text_seed);
    const uint32_t related = static_cast<uint32_t>(prng.next() % n);
    if (related != i) {
      const std::string target = article_target(related);
      link(at, i % 2 == 0 ? target : target + "?ref_src=twsrc%5Etfw", target);
    }
  }

  for (uint32_t j = 0; j < config_.chain_length; ++j) add(chain_target(j), SitePageKind::kChain);
  for (uint32_t j = 0; j < config_.chain_length; ++j) {
    const size_t at = index_.at(chain_target(j));
    if (j + 1 < config_.chain_length) link(at, std::to_string(j + 1), chain_target(j + 1));
    link(at, j == 0 ? "/" : chain_target(j - 1), j == 0 ? "/" : chain_target(j - 1));
  }

  for (uint32_t i = 0; i < n; ++i) {
    const std::string article = article_target(i);
    const std::string number = std::to_string(i);
    // Adds the feature page when article i carries it, linked from the article; its position.
    auto feature = [&](uint32_t k, std::string target, SitePageKind kind,
                       int status) -> std::optional<size_t> {
      if (!every(k, i)) return std::nullopt;
      const size_t at = add(target, kind, status);
      link(index_.at(article), target, target);
      return at;
    };
    if (auto at =
            feature(config_.duplicate_every, "/print/" + number, SitePageKind::kDuplicate, 200)) {
      pages_[*at].duplicate_of = article;
      pages_[*at].text_seed = pages_[index_.at(article)].text_seed;
      link(*at, article, article);
    }
    if (auto at = feature(config_.redirect_every, "/old/" + number, SitePageKind::kRedirect, 301)) {
      pages_[*at].redirect_to = "/older/" + number;
      const size_t hop = add("/older/" + number, SitePageKind::kRedirect, 301);
      pages_[hop].redirect_to = "/moved/" + number;
      const size_t moved = add("/moved/" + number, SitePageKind::kRedirectTarget);
      link(moved, article, article);
    }
    feature(config_.not_found_every, "/missing/" + number, SitePageKind::kNotFound, 404);
    feature(config_.server_error_every, "/broken/" + number, SitePageKind::kServerError, 500);
    // Pages a crawler should not see link only home, so robots.txt does not change any depth.
    for (auto at :
         {feature(config_.disallowed_every, "/private/" + number, SitePageKind::kDisallowed, 200),
          feature(config_.allowed_private_every, "/private/public-" + number,
                  SitePageKind::kAllowedPrivate, 200),
          feature(config_.print_query_every, article + "?print=1", SitePageKind::kDisallowed,
                  200)}) {
      if (at) link(*at, "/", "/");
    }
  }

  if (config_.throttle_once) {
    const size_t busy = add(std::string(kThrottledTarget), SitePageKind::kThrottled);
    link(busy, "/", "/");
  }
  for (uint32_t k = 0; k < config_.orphans; ++k) {
    const size_t orphan = add("/orphan/" + std::to_string(k), SitePageKind::kOrphan);
    link(orphan, "/", "/");
  }
}

void CrawlSite::compute_depths() {
  // Sitemap membership first: sitemap_depth starts from those pages.
  if (config_.sitemaps) {
    for (size_t at = 0; at < pages_.size(); ++at) {
      SitePage& page = pages_[at];
      const bool article_listed = page.kind == SitePageKind::kArticle &&
                                  std::stoul(page.target.substr(10)) % kSitemapArticleEvery == 0;
      const bool last_chain = page.kind == SitePageKind::kChain &&
                              page.target == chain_target(config_.chain_length - 1);
      page.in_sitemap = page.kind == SitePageKind::kOrphan || article_listed || last_chain;
    }
    // One disallowed page: a sitemap entry does not exempt a URL from robots.txt.
    auto disallowed = std::find_if(pages_.begin(), pages_.end(),
                                   [](const SitePage& page) { return page.disallowed; });
    if (disallowed != pages_.end()) disallowed->in_sitemap = true;
  }
  // 0-1 breadth-first search: a link costs one level, a redirect hop none (the crawler follows
  // redirects within the fetch of the link that led there).
  auto bfs = [&](bool from_sitemaps) {
    constexpr uint32_t kUnreached = std::numeric_limits<uint32_t>::max();
    std::vector<uint32_t> depth(pages_.size(), kUnreached);
    std::deque<size_t> queue;
    depth[index_.at("/")] = 0;
    queue.push_back(index_.at("/"));
    if (from_sitemaps) {
      for (size_t at = 0; at < pages_.size(); ++at) {
        if (pages_[at].in_sitemap && depth[at] != 0) {
          depth[at] = 0;
          queue.push_back(at);
        }
      }
    }
    while (!queue.empty()) {
      const size_t at = queue.front();
      queue.pop_front();
      const SitePage& page = pages_[at];
      if (!page.redirect_to.empty()) {
        const size_t next = index_.at(page.redirect_to);
        if (depth[at] < depth[next]) {
          depth[next] = depth[at];
          queue.push_front(next);
        }
        continue;
      }
      for (const std::string& target : page.links) {
        const size_t next = index_.at(target);
        if (depth[at] + 1 < depth[next]) {
          depth[next] = depth[at] + 1;
          queue.push_back(next);
        }
      }
    }
    for (size_t at = 0; at < pages_.size(); ++at) {
      if (depth[at] == kUnreached) continue;
      (from_sitemaps ? pages_[at].sitemap_depth : pages_[at].depth) = depth[at];
    }
  };
  bfs(false);
  if (config_.sitemaps) {
    bfs(true);
  } else {
    for (SitePage& page : pages_) page.sitemap_depth = page.depth;
  }
}

void CrawlSite::build_sitemaps() {
  if (!config_.sitemaps) return;
  std::vector<std::string> urlsets(kSitemapChildren);
  size_t entry = 0;
  for (const SitePage& page : pages_) {
    if (!page.in_sitemap) continue;
    std::string& urlset = urlsets[entry++ % kSitemapChildren];
    urlset += "  <url><loc>";
    append_escaped(urlset, url(page.target));
    urlset += "</loc><lastmod>2026-11-30</lastmod><priority>0.5</priority></url>\n";
  }
  constexpr std::string_view kXmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  constexpr std::string_view kNamespace = "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
  sitemap_index_ = std::string(kXmlHead) + "<sitemapindex " + std::string(kNamespace) + ">\n";
  for (uint32_t n = 0; n < kSitemapChildren; ++n) {
    const std::string child = "/sitemaps/pages-" + std::to_string(n + 1) + ".xml.gz";
    sitemap_index_ += "  <sitemap><loc>" + url(child) + "</loc></sitemap>\n";
    sitemap_children_.push_back(gzip(std::string(kXmlHead) + "<urlset " + std::string(kNamespace) +
                                     ">\n" + urlsets[n] + "</urlset>\n"));
  }
  sitemap_index_ += "</sitemapindex>\n";
}

std::string CrawlSite::robots_txt() const {
  std::string robots = "# The riptide crawl test site.\n";
  // A group for another crawler: it must not apply to riptide (RFC 9309 2.2.1).
  robots += "User-agent: otherbot\nDisallow: /\n\n";
  robots += "User-agent: *\n";
  bool any_rule = false;
  if (config_.disallowed_every != 0 || config_.allowed_private_every != 0) {
    robots += "Disallow: /private/\nAllow: /private/public-\n";
    any_rule = true;
  }
  if (config_.print_query_every != 0) {
    robots += "Disallow: /*?print=\n";
    any_rule = true;
  }
  if (!any_rule) robots += "Disallow:\n";
  if (config_.crawl_delay_seconds) {
    char delay[32];
    std::snprintf(delay, sizeof delay, "%.3f", *config_.crawl_delay_seconds);
    robots += "Crawl-delay: " + std::string(delay) + "\n";
  }
  if (config_.sitemaps) robots += "\nSitemap: " + url(kSitemapIndexTarget) + "\n";
  return robots;
}

std::string CrawlSite::render(const SitePage& page) const {
  const Prose prose = make_prose(page.text_seed);
  const size_t sentences = prose.sentences.size();
  assert(page.hrefs.size() <= sentences * kLinkSlotsPerSentence);  // checked by the constructor
  std::string html;
  html.reserve(8192);
  html += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  html += prose.title;
  html += " | Riptide Test Site</title>\n<meta name=\"author\" content=\"";
  html += prose.author;
  html +=
      "\">\n</head>\n<body>\n<header id=\"top\"><a class=\"logo\" href=\"/\">Riptide Test "
      "Site</a>\n<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"#top\">Top</a></li>"
      "</ul></nav></header>\n<main>\n<article>\n<h1>";
  html += prose.title;
  html += "</h1>\n<p class=\"byline\">By ";
  html += prose.author;
  html += "</p>\n";
  size_t paragraph = 0;
  for (size_t s = 0; s < sentences; ++s) {
    if (paragraph < prose.paragraph_starts.size() && prose.paragraph_starts[paragraph] == s) {
      if (paragraph > 0) html += "</p>\n";
      if (paragraph > 0 && paragraph % kParagraphsPerSection == 0) {
        html += "<h2>" + prose.headings[paragraph / kParagraphsPerSection - 1] + "</h2>\n";
      }
      html += "<p>";
      ++paragraph;
    } else {
      html += ' ';
    }
    const std::vector<std::string_view>& words = prose.sentences[s];
    for (size_t w = 0; w < words.size(); ++w) {
      // Link k sits in sentence k % sentences at slot k / sentences: spread over the article.
      const size_t slot = w / kLinkSlotWords;
      const size_t k = slot * sentences + s;
      const bool starts_link =
          w % kLinkSlotWords == 0 && slot < kLinkSlotsPerSentence && k < page.hrefs.size();
      if (w > 0) html += ' ';
      if (starts_link) {
        html += "<a href=\"";
        append_escaped(html, page.hrefs[k]);
        html += "\">";
      }
      html += w == 0 ? capitalized(words[w]) : std::string(words[w]);
      const bool ends_link = w % kLinkSlotWords == kLinkWords - 1 && slot < kLinkSlotsPerSentence &&
                             k < page.hrefs.size();
      if (ends_link) html += "</a>";
    }
    html += '.';
  }
  html +=
      "</p>\n</article>\n</main>\n<footer><p>Copyright 2026 Riptide Test Site. Every page "
      "here is generated for crawl tests.</p></footer>\n</body>\n</html>\n";
  return html;
}

std::string CrawlSite::html(std::string_view target) const {
  const SitePage* found = page(target);
  return found == nullptr ? std::string() : render(*found);
}

const SitePage* CrawlSite::page(std::string_view target) const {
  auto it = index_.find(std::string(target));
  return it == index_.end() ? nullptr : &pages_[it->second];
}

bool CrawlSite::is_meta_target(std::string_view target) {
  return target == kRobotsTarget || target == kSitemapIndexTarget || target == kSitemapTarget ||
         target.rfind("/sitemaps/", 0) == 0;
}

std::set<std::string> CrawlSite::expected_targets(const CrawlExpectation& expectation) const {
  std::set<std::string> targets;
  for (const SitePage& page : pages_) {
    const std::optional<uint32_t>& depth =
        expectation.use_sitemaps ? page.sitemap_depth : page.depth;
    if (!depth || *depth > expectation.max_depth) continue;
    if (expectation.respect_robots && page.disallowed) continue;
    targets.insert(page.target);
  }
  return targets;
}

std::vector<HttpRequest> CrawlSite::page_requests() const {
  std::vector<HttpRequest> requests = server_.requests();
  std::erase_if(requests, [](const HttpRequest& request) { return is_meta_target(request.path); });
  return requests;
}

HttpResponse CrawlSite::respond(const HttpRequest& request) {
  if (request.path == kRobotsTarget) return html_response(robots_, 200, "text/plain");
  if (config_.sitemaps) {
    if (request.path == kSitemapIndexTarget || request.path == kSitemapTarget) {
      return html_response(sitemap_index_, 200, "application/xml");
    }
    for (uint32_t n = 0; n < kSitemapChildren; ++n) {
      if (request.path == "/sitemaps/pages-" + std::to_string(n + 1) + ".xml.gz") {
        return html_response(sitemap_children_[n], 200, "application/gzip");
      }
    }
  }
  // An unknown query on a known path gets the path's page, as most real sites answer (a crawler
  // that kept a tracking parameter still gets a page; the request log shows the mistake).
  const SitePage* found = page(request.target);
  if (found == nullptr) found = page(request.path);
  if (found == nullptr) {
    return html_response("<!doctype html><title>Not found</title><p>No such page.</p>", 404);
  }
  switch (found->kind) {
    case SitePageKind::kRedirect: {
      // The first hop's Location is relative, the second's absolute: crawlers must resolve both.
      const bool first_hop = found->target.rfind("/old/", 0) == 0;
      HttpResponse response = redirect_response(
          found->status, first_hop ? found->redirect_to : url(found->redirect_to));
      response.body = "<!doctype html><title>Moved</title>";
      response.headers.emplace_back("Content-Type", "text/html");
      return response;
    }
    case SitePageKind::kNotFound:
      return html_response("<!doctype html><title>Not found</title><p>Gone.</p>", 404);
    case SitePageKind::kServerError:
      return html_response("<!doctype html><title>Error</title><p>Broken.</p>", 500);
    case SitePageKind::kThrottled:
      if (!throttled_once_.exchange(true)) {
        HttpResponse response =
            html_response("<!doctype html><title>Slow down</title><p>Too many requests.</p>", 429);
        response.headers.emplace_back("Retry-After", std::to_string(config_.retry_after_seconds));
        return response;
      }
      break;
    default:
      break;
  }
  HttpResponse response = html_response(render(*found));
  if (found->kind == SitePageKind::kArticle) response.delay = config_.article_delay;
  return response;
}

}  // namespace riptide::testing
