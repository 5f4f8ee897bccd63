#include "crawl/simhash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "extract/extractor.h"
#include "fetch/charset.h"
#include "tests/unit/fetch/corpus_pages.h"

namespace riptide::crawl {
namespace {

// The one-word-change test uses articles of at least kLongTextWords words. One changed word
// moves kShingleWords shingles, which can only flip a bit whose vote was within a few shingles of
// a tie, and ties get rarer as texts grow (simhash.h gives the figures for shorter texts).
constexpr uint32_t kLongTextWords = 2000;
constexpr size_t kLongPages = 12;
// Distinct articles (at least kArticleWords words) compared pairwise as unrelated texts.
constexpr uint32_t kArticleWords = 300;
constexpr size_t kUnrelatedPages = 24;

// Fingerprints are stored with crawl results and compared across runs and machines, so the hash
// must never change: these values pin it (a change here invalidates stored fingerprints). They
// were computed by an independent Python implementation of FNV-1a + fmix64 and of the shingle
// votes, checked against the published FNV-1a test vector fnv1a64("a") = 0xaf63dc4c8601ec8c.
TEST(SimhashTest, HashIsStable) {
  EXPECT_EQ(stable_hash64(""), 0xefd01f60ba992926ULL);
  EXPECT_EQ(stable_hash64("a"), 0x82a2a958a9bece5bULL);
  EXPECT_EQ(stable_hash64("the quick brown"), 0xb988dcdba1b6ed46ULL);
  EXPECT_EQ(simhash("The quick brown fox jumps over the lazy dog"), 0x599980df21d6e8cdULL);
}

TEST(SimhashTest, EmptyAndWordlessTextHashToZero) {
  EXPECT_EQ(simhash(""), 0u);
  EXPECT_EQ(simhash(" \t\n ... --- !!! \xC2\xA0 \xE2\x80\x94"), 0u);
}

TEST(SimhashTest, CaseAndSeparatorsDoNotMatter) {
  uint64_t base = simhash("the quick brown fox jumps over the lazy dog");
  EXPECT_EQ(simhash("The Quick, BROWN fox -- jumps over ... the lazy dog!"), base);
  // No-break space, em dash, curly quotes and an ideographic space separate words too.
  EXPECT_EQ(simhash("the\xC2\xA0quick\xE2\x80\x94"
                    "brown \xE2\x80\x9C"
                    "fox\xE2\x80\x9D jumps\xE3\x80\x80over the lazy dog"),
            base);
  // Non-ASCII letters are word characters: "café" is one word, not "caf" + "é".
  EXPECT_NE(simhash("un caf\xC3\xA9 noir ce matin"), simhash("un caf \xC3\xA9 noir ce matin"));
}

TEST(SimhashTest, WordOrderMatters) {
  EXPECT_NE(simhash("one two three four five six seven eight"),
            simhash("eight seven six five four three two one"));
}

TEST(SimhashTest, ShortTextsAreOneFeature) {
  // Fewer than kShingleWords words: the whole text is the single shingle.
  EXPECT_EQ(simhash("Hello, world"), stable_hash64("hello world"));
  EXPECT_EQ(simhash("hello"), stable_hash64("hello"));
  EXPECT_EQ(simhash("a b c"), stable_hash64("a b c"));
}

TEST(SimhashTest, EachBitIsTheMajorityVoteOfTheShingles) {
  // "a b c" repeated: the shingles cycle through three features, "a b c" once more than the
  // other two, so a bit is set exactly when at least two of the three hashes have it. 600 words
  // (598 shingles) also cross the 255-shingle point where the counters are carried over.
  const uint64_t abc = stable_hash64("a b c");
  const uint64_t bca = stable_hash64("b c a");
  const uint64_t cab = stable_hash64("c a b");
  std::string text;
  for (int i = 0; i < 200; ++i) text += "a b c ";
  EXPECT_EQ(simhash(text), (abc & bca) | (abc & cab) | (bca & cab));
  // Two shingles: a tie (one vote each way) leaves a bit clear, so only bits both have are set.
  EXPECT_EQ(simhash("a b a b"), stable_hash64("a b a") & stable_hash64("b a b"));
  // "a b a" twice and "b a b" once: the majority is "a b a".
  EXPECT_EQ(simhash("a b a b a"), stable_hash64("a b a"));
}

TEST(SimhashTest, HammingDistance) {
  EXPECT_EQ(hamming_distance(0, 0), 0);
  EXPECT_EQ(hamming_distance(0, ~uint64_t{0}), 64);
  EXPECT_EQ(hamming_distance(0b1011, 0b0110), 3);
  EXPECT_TRUE(is_near_duplicate(0b1011, 0b0110));
  EXPECT_FALSE(is_near_duplicate(0b1111, 0));
}

struct CorpusTexts {
  std::vector<std::string> articles;    // the first kUnrelatedPages with >= kArticleWords words
  std::vector<std::string> long_texts;  // the first kLongPages with >= kLongTextWords words
};

// Extracted texts (article mode) of corpus pages, in corpus order: what the crawler will
// fingerprint. Stops reading the corpus once both lists are full.
CorpusTexts corpus_texts() {
  const std::string corpus = std::string(RIPTIDE_SHARED_DIR) + "/corpus";
  Result<std::vector<std::string>> paths = riptide::testing::corpus_page_paths(corpus);
  EXPECT_TRUE(paths.ok()) << paths.error().to_string();
  CorpusTexts texts;
  if (!paths.ok()) return texts;
  extract::Extractor extractor;
  for (const std::string& path : *paths) {
    if (texts.articles.size() == kUnrelatedPages && texts.long_texts.size() == kLongPages) break;
    Result<std::string> bytes = riptide::testing::read_page_bytes(path);
    EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
    if (!bytes.ok()) continue;
    Result<std::string> html = fetch::decode_html(*bytes);
    if (!html.ok()) continue;
    Result<extract::Record> record = extractor.extract(*html, extract::Options{});
    if (!record.ok()) continue;
    if (record->word_count >= kArticleWords && texts.articles.size() < kUnrelatedPages) {
      texts.articles.push_back(record->text);
    }
    if (record->word_count >= kLongTextWords && texts.long_texts.size() < kLongPages) {
      texts.long_texts.push_back(record->text);
    }
  }
  return texts;
}

// Replaces the word in the middle of `text` (the first run of ASCII letters after the middle
// byte) by "zebra".
std::string change_one_word(const std::string& text) {
  size_t start = text.size() / 2;
  while (start < text.size() && !std::isalpha(static_cast<unsigned char>(text[start]))) ++start;
  while (start > 0 && std::isalpha(static_cast<unsigned char>(text[start - 1]))) --start;
  size_t end = start;
  while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
  return text.substr(0, start) + "zebra" + text.substr(end);
}

TEST(SimhashTest, CorpusNearDuplicatesAndUnrelatedPages) {
  CorpusTexts texts = corpus_texts();
  ASSERT_EQ(texts.articles.size(), kUnrelatedPages);
  ASSERT_EQ(texts.long_texts.size(), kLongPages);

  int max_changed = 0;
  for (const std::string& text : texts.long_texts) {
    uint64_t fingerprint = simhash(text);
    EXPECT_EQ(simhash(std::string(text)), fingerprint);
    std::string changed = change_one_word(text);
    ASSERT_NE(changed, text);
    int distance = hamming_distance(simhash(changed), fingerprint);
    max_changed = std::max(max_changed, distance);
    EXPECT_LE(distance, kNearDuplicateBits) << text.substr(0, 200);
  }

  std::vector<uint64_t> fingerprints;
  for (const std::string& text : texts.articles) fingerprints.push_back(simhash(text));
  int min_unrelated = 64;
  for (size_t i = 0; i < fingerprints.size(); ++i) {
    for (size_t j = i + 1; j < fingerprints.size(); ++j) {
      int distance = hamming_distance(fingerprints[i], fingerprints[j]);
      min_unrelated = std::min(min_unrelated, distance);
      EXPECT_GT(distance, 10) << texts.articles[i].substr(0, 100) << "\n vs \n"
                              << texts.articles[j].substr(0, 100);
    }
  }
  std::printf(
      "one-word change in %zu long texts: at most %d bits; %zu unrelated articles: at "
      "least %d bits apart\n",
      texts.long_texts.size(), max_changed, texts.articles.size(), min_unrelated);
}

}  // namespace
}  // namespace riptide::crawl
