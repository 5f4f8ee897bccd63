#pragma once

#include <string>
#include <string_view>

// Language identification of extracted text with CLD2 (Debian's libcld2). Host-only: the
// portable extractor reports the language the markup declares; the host confirms or fills it
// here (docs/extraction.md "Language").
namespace riptide::lang {

struct Detection {
  // Primary language subtag, lower case ("en", "de", "zh"); "" when CLD2 does not know.
  std::string language;
  // CLD2's own verdict: the top language is clearly ahead of the second for this much text.
  bool reliable = false;
  // Share (0..100) of the text's letters in `language`.
  int percent = 0;
  // Letter bytes CLD2 scored (markup, digits and punctuation excluded).
  int text_bytes = 0;
};

// Detects the language of UTF-8 plain text (invalid sequences are replaced first). `hint` is the
// language the page declares (a BCP 47 tag, may be empty); it nudges CLD2 towards that language
// on short or ambiguous text. Only the first kMaxDetectBytes of text are examined.
Detection detect(std::string_view utf8_text, std::string_view hint = {});

// Text beyond this many bytes does not change the verdict on real pages and only costs time: on
// the 675 corpus pages 16 KiB and 64 KiB give identical languages, and on a long page (41 KB of
// text) CLD2 cost about as much as the whole extraction before the cap came down from 64 KiB.
inline constexpr size_t kMaxDetectBytes = 16 * 1024;

// When detected text overrides the declared language: CLD2 must be reliable and have scored at
// least this many letter bytes (about 40 words; shorter text, e.g. a caption or a product name,
// is too easily misread, and templates rarely get the declared language wrong on short pages).
inline constexpr int kMinOverrideTextBytes = 200;

// The record's language from the markup's `declared` primary tag (may be "") and a detection:
//   - nothing declared: the detected language when CLD2 is reliable, else "";
//   - declared and the detection agrees, is unreliable, or saw fewer than
//     kMinOverrideTextBytes letters: the declared language;
//   - declared, but a reliable detection over enough text disagrees: the detected language
//     (site templates often keep lang="en" on translated pages).
std::string choose_language(std::string_view declared, const Detection& detected);

// BCP 47 primary subtag of a CLD2 or markup code: "zh-Hant" → "zh", "iw" → "he"; "" for "un"
// and other unknowns.
std::string primary_subtag(std::string_view code);

}  // namespace riptide::lang
