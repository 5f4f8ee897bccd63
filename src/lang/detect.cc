#include "lang/detect.h"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <algorithm>

#include "core/strings.h"
#include "core/utf8.h"

namespace riptide::lang {

std::string primary_subtag(std::string_view code) {
  size_t end = 0;
  while (end < code.size() && str::is_alpha(code[end])) ++end;
  if (end < 2 || end > 3) return {};
  std::string tag = str::to_lower(code.substr(0, end));
  // CLD2 and old markup use withdrawn ISO 639 codes; BCP 47 uses their replacements.
  if (tag == "iw") return "he";
  if (tag == "in") return "id";
  if (tag == "ji") return "yi";
  if (tag == "jw") return "jv";
  if (tag == "mo") return "ro";
  if (tag == "un" || tag == "xx" || tag == "und" || tag == "mul" || tag == "zxx") return {};
  return tag;
}

Detection detect(std::string_view utf8_text, std::string_view hint) {
  Detection out;
  std::string_view text = utf8_text.substr(0, std::min(utf8_text.size(), kMaxDetectBytes));
  // CLD2 returns UNKNOWN for invalid UTF-8 (and cutting at kMaxDetectBytes may split a
  // sequence), so always hand it sanitized text.
  std::string clean = utf8::sanitize(text);
  if (clean.empty()) return out;

  std::string hint_tag = primary_subtag(hint);
  CLD2::CLDHints hints = {hint_tag.empty() ? nullptr : hint_tag.c_str(), nullptr,
                          CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language language3[3];
  int percent3[3] = {0, 0, 0};
  double scores3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  CLD2::Language top = CLD2::ExtDetectLanguageSummary(
      clean.data(), static_cast<int>(clean.size()), /*is_plain_text=*/true, &hints, /*flags=*/0,
      language3, percent3, scores3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable);
  if (top == CLD2::UNKNOWN_LANGUAGE) return out;
  out.language = primary_subtag(CLD2::LanguageCode(top));
  out.reliable = reliable && !out.language.empty();
  out.percent = percent3[0];
  out.text_bytes = text_bytes;
  return out;
}

std::string choose_language(std::string_view declared, const Detection& detected) {
  std::string markup = primary_subtag(declared);
  if (markup.empty()) return detected.reliable ? detected.language : std::string();
  if (detected.reliable && !detected.language.empty() && detected.language != markup &&
      detected.text_bytes >= kMinOverrideTextBytes) {
    return detected.language;
  }
  return markup;
}

}  // namespace riptide::lang
