#include "extract/dates.h"

#include <cstdint>
#include <vector>

#include "core/strings.h"

namespace riptide::extract {

namespace {

// Dates are short; longer text is cut here so a whole paragraph handed in costs little.
constexpr size_t kMaxDateTextBytes = 256;

struct Token {
  enum class Kind : uint8_t { kNumber, kWord, kPunct };
  Kind kind = Kind::kPunct;
  bool space_before = false;
  char punct = 0;
  int digits = 0;      // kNumber: digit count
  int64_t value = -1;  // kNumber: the value when digits <= 9, else -1
  std::string word;    // kWord: lower-cased (ASCII and Latin-1 letters)
};

bool is_word_byte(char c) {
  return str::is_alpha(c) || static_cast<unsigned char>(c) >= 0x80;
}

// Lower-cases ASCII and the Latin-1 capitals U+00C0-U+00DE (except U+00D7) in UTF-8, enough for
// the month names of the languages below ("MÄRZ", "Février", "AOÛT").
std::string lower_word(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = str::to_lower(out[i]);
    auto c = static_cast<unsigned char>(out[i]);
    if (c == 0xC3 && i + 1 < out.size()) {
      auto next = static_cast<unsigned char>(out[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) out[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
  return out;
}

// U+00A0 NO-BREAK SPACE separates words like a space.
bool is_nbsp(std::string_view text, size_t i) {
  return text[i] == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0';
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  bool space = false;
  while (i < text.size()) {
    char c = text[i];
    if (str::is_html_space(c) || is_nbsp(text, i)) {
      space = true;
      i += c == '\xC2' ? 2 : 1;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    if (str::is_digit(c)) {
      size_t start = i;
      int64_t value = 0;
      while (i < text.size() && str::is_digit(text[i])) {
        if (i - start < 9) value = value * 10 + (text[i] - '0');
        ++i;
      }
      t.kind = Token::Kind::kNumber;
      t.digits = static_cast<int>(i - start);
      t.value = t.digits <= 9 ? value : -1;
    } else if (is_word_byte(c)) {
      size_t start = i;
      while (i < text.size() && is_word_byte(text[i]) && !is_nbsp(text, i)) ++i;
      std::string_view raw = text.substr(start, i - start);
      t.kind = Token::Kind::kWord;
      t.word = lower_word(raw);
    } else {
      t.kind = Token::Kind::kPunct;
      t.punct = c;
      ++i;
    }
    tokens.push_back(std::move(t));
  }
  return tokens;
}

struct NamedNumber {
  std::string_view name;
  int value;
};

// Month names and abbreviations, lower case: English, German, French, Spanish, Italian,
// Portuguese, Dutch, and Russian/Ukrainian genitive forms (docs/extraction.md lists them).
constexpr NamedNumber kMonths[] = {
    {"january", 1},
    {"jan", 1},
    {"januar", 1},
    {"jänner", 1},
    {"jän", 1},
    {"janvier", 1},
    {"janv", 1},
    {"enero", 1},
    {"ene", 1},
    {"february", 2},
    {"feb", 2},
    {"februar", 2},
    {"feber", 2},
    {"février", 2},
    {"fevrier", 2},
    {"févr", 2},
    {"fevr", 2},
    {"fév", 2},
    {"febrero", 2},
    {"march", 3},
    {"mar", 3},
    {"märz", 3},
    {"maerz", 3},
    {"mär", 3},
    {"mrz", 3},
    {"mars", 3},
    {"marzo", 3},
    {"april", 4},
    {"apr", 4},
    {"avril", 4},
    {"avr", 4},
    {"abril", 4},
    {"abr", 4},
    {"may", 5},
    {"mai", 5},
    {"mayo", 5},
    {"june", 6},
    {"jun", 6},
    {"juni", 6},
    {"juin", 6},
    {"junio", 6},
    {"july", 7},
    {"jul", 7},
    {"juli", 7},
    {"juillet", 7},
    {"juil", 7},
    {"julio", 7},
    {"august", 8},
    {"aug", 8},
    {"août", 8},
    {"aout", 8},
    {"agosto", 8},
    {"ago", 8},
    {"september", 9},
    {"sep", 9},
    {"sept", 9},
    {"septembre", 9},
    {"septiembre", 9},
    {"setiembre", 9},
    {"set", 9},
    {"october", 10},
    {"oct", 10},
    {"oktober", 10},
    {"okt", 10},
    {"octobre", 10},
    {"octubre", 10},
    {"november", 11},
    {"nov", 11},
    {"novembre", 11},
    {"noviembre", 11},
    {"december", 12},
    {"dec", 12},
    {"dezember", 12},
    {"dez", 12},
    {"décembre", 12},
    {"decembre", 12},
    {"déc", 12},
    {"diciembre", 12},
    {"dic", 12},
    // Italian
    {"gennaio", 1},
    {"gen", 1},
    {"febbraio", 2},
    {"aprile", 4},
    {"maggio", 5},
    {"mag", 5},
    {"giugno", 6},
    {"giu", 6},
    {"luglio", 7},
    {"lug", 7},
    {"settembre", 9},
    {"ottobre", 10},
    {"ott", 10},
    {"dicembre", 12},
    // Portuguese
    {"janeiro", 1},
    {"fevereiro", 2},
    {"fev", 2},
    {"março", 3},
    {"maio", 5},
    {"junho", 6},
    {"julho", 7},
    {"setembro", 9},
    {"outubro", 10},
    {"dezembro", 12},
    // Dutch
    {"januari", 1},
    {"februari", 2},
    {"maart", 3},
    {"mrt", 3},
    {"mei", 5},
    {"augustus", 8},
    // Russian and Ukrainian, genitive ("15 августа 2016")
    {"января", 1},
    {"февраля", 2},
    {"марта", 3},
    {"апреля", 4},
    {"мая", 5},
    {"июня", 6},
    {"июля", 7},
    {"августа", 8},
    {"сентября", 9},
    {"октября", 10},
    {"ноября", 11},
    {"декабря", 12},
    {"січня", 1},
    {"лютого", 2},
    {"березня", 3},
    {"квітня", 4},
    {"травня", 5},
    {"червня", 6},
    {"липня", 7},
    {"серпня", 8},
    {"вересня", 9},
    {"жовтня", 10},
    {"листопада", 11},
    {"грудня", 12},
};

// Zone abbreviations RFC 2822 (section 4.3, obsolete zones) allows, plus central European ones
// common on German pages; offsets in minutes.
constexpr NamedNumber kZones[] = {
    {"est", -300}, {"edt", -240}, {"cst", -360}, {"cdt", -300}, {"mst", -420},
    {"mdt", -360}, {"pst", -480}, {"pdt", -420}, {"cet", 60},   {"cest", 120},
    {"mez", 60},   {"mesz", 120}, {"bst", 60},
};

// Words that may sit between the parts of a date ("5 de marzo de 2024", "the 5th of March").
constexpr std::string_view kFillers[] = {"de", "del", "of", "the", "le", "den", "el", "im"};
// Ordinal suffixes written straight after the day ("5th", "1er").
constexpr std::string_view kOrdinals[] = {"st", "nd", "rd", "th", "er"};
// Words that may introduce the time ("at 10:20", "um 10:20", "à 10h", "T10:20").
constexpr std::string_view kTimeIntroducers[] = {"t", "at", "um", "à", "a", "las", "kl"};

int lookup(const NamedNumber* table, size_t size, std::string_view word) {
  for (size_t i = 0; i < size; ++i) {
    if (table[i].name == word) return table[i].value;
  }
  return 0;
}

int month_of(const Token& t) {
  if (t.kind != Token::Kind::kWord) return 0;
  return lookup(kMonths, std::size(kMonths), t.word);
}

template <size_t N>
bool is_one_of(const Token& t, const std::string_view (&words)[N]) {
  if (t.kind != Token::Kind::kWord) return false;
  for (std::string_view w : words) {
    if (t.word == w) return true;
  }
  return false;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool valid_date(int y, int m, int d) {
  return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

void append2(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

class DateParser {
 public:
  explicit DateParser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::string run() {
    // Skip leading words and punctuation ("Published:", "Tue,") up to the first number or month.
    while (i_ < t_.size() && t_[i_].kind != Token::Kind::kNumber && month_of(t_[i_]) == 0) ++i_;
    if (i_ == t_.size()) return {};
    if (!numeric_date() && !textual_date()) return {};
    if (!valid_date(y_, m_, d_)) return {};
    std::string out;
    out.reserve(25);
    out += std::to_string(y_);
    out.push_back('-');
    append2(out, m_);
    out.push_back('-');
    append2(out, d_);
    if (!time()) return out;
    out.push_back('T');
    append2(out, hh_);
    out.push_back(':');
    append2(out, mm_);
    out.push_back(':');
    append2(out, ss_);
    if (has_zone_) {
      if (zone_minutes_ == 0 && zone_is_utc_) {
        out.push_back('Z');
      } else {
        int z = zone_minutes_ < 0 ? -zone_minutes_ : zone_minutes_;
        out.push_back(zone_minutes_ < 0 ? '-' : '+');
        append2(out, z / 60);
        out.push_back(':');
        append2(out, z % 60);
      }
    }
    return out;
  }

 private:
  const Token* at(size_t k) const { return k < t_.size() ? &t_[k] : nullptr; }
  bool number_at(size_t k, int min_digits, int max_digits) const {
    const Token* t = at(k);
    return t != nullptr && t->kind == Token::Kind::kNumber && t->digits >= min_digits &&
           t->digits <= max_digits;
  }
  bool punct_at(size_t k, char c) const {
    const Token* t = at(k);
    return t != nullptr && t->kind == Token::Kind::kPunct && t->punct == c;
  }
  int value(size_t k) const { return static_cast<int>(t_[k].value); }

  // YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, and the day-first / month-first forms ending in a year.
  bool numeric_date() {
    size_t i = i_;
    if (!number_at(i, 1, 4)) return false;
    const Token* sep = at(i + 1);
    if (sep == nullptr || sep->kind != Token::Kind::kPunct) return false;
    char p = sep->punct;
    if (p != '-' && p != '/' && p != '.') return false;
    if (!number_at(i + 2, 1, 2) || !punct_at(i + 3, p)) return false;
    if (t_[i].digits == 4) {
      if (!number_at(i + 4, 1, 2)) return false;
      y_ = value(i);
      m_ = value(i + 2);
      d_ = value(i + 4);
    } else {
      if (t_[i].digits > 2 || !number_at(i + 4, 4, 4)) return false;
      int a = value(i);
      int b = value(i + 2);
      y_ = value(i + 4);
      // Dots and dashes are day-first (European); slashes are month-first (US) unless the first
      // number cannot be a month.
      if (p == '/' && a <= 12) {
        m_ = a;
        d_ = b;
      } else {
        d_ = a;
        m_ = b;
      }
    }
    i_ = i + 5;
    return true;
  }

  // Day, month name and year in any order a language writes them.
  bool textual_date() {
    y_ = m_ = d_ = 0;
    size_t i = i_;
    while (y_ == 0 || m_ == 0 || d_ == 0) {
      const Token* t = at(i);
      if (t == nullptr) return false;
      switch (t->kind) {
        case Token::Kind::kNumber: {
          if (punct_at(i + 1, ':')) return false;  // a time before the date is complete
          const Token* next = at(i + 1);
          if (next != nullptr && !next->space_before && is_one_of(*next, kOrdinals)) ++i;
          if (t->value == 0) return false;  // no day, month or year is 0 ("00", "0000")
          if (t->digits == 4) {
            if (y_ != 0) return false;
            y_ = static_cast<int>(t->value);
          } else if (t->digits <= 2 && d_ == 0) {
            d_ = static_cast<int>(t->value);
          } else if (t->digits == 2 && y_ == 0 && m_ != 0) {
            // RFC 2822 4.3 obsolete two-digit year: 00-49 → 20xx, 50-99 → 19xx.
            y_ = t->value < 50 ? 2000 + static_cast<int>(t->value)
                               : 1900 + static_cast<int>(t->value);
          } else {
            return false;
          }
          break;
        }
        case Token::Kind::kWord: {
          int month = month_of(*t);
          if (month != 0) {
            if (m_ != 0) return false;
            m_ = month;
          } else if (!is_one_of(*t, kFillers)) {
            return false;
          }
          break;
        }
        case Token::Kind::kPunct:
          if (t->punct != ',' && t->punct != '.' && t->punct != '-' && t->punct != '/') {
            return false;
          }
          break;
      }
      ++i;
    }
    i_ = i;
    return true;
  }

  // Optional "hh:mm[:ss[.frac]] [am|pm] [zone]" after the date; false when there is no valid time.
  bool time() {
    size_t i = i_;
    while (const Token* t = at(i)) {
      if ((t->kind == Token::Kind::kPunct && (t->punct == ',' || t->punct == '-')) ||
          is_one_of(*t, kTimeIntroducers)) {
        ++i;
        continue;
      }
      break;
    }
    if (!number_at(i, 1, 2) || !punct_at(i + 1, ':') || !number_at(i + 2, 2, 2)) return false;
    hh_ = value(i);
    mm_ = value(i + 2);
    i += 3;
    if (punct_at(i, ':') && number_at(i + 1, 2, 2)) {
      ss_ = value(i + 1);
      i += 2;
      if (punct_at(i, '.') && number_at(i + 1, 1, 99) && !t_[i + 1].space_before) i += 2;
    }
    // 12-hour clock: "10:20 am", "10:20 p.m."
    int meridiem = 0;  // 1 am, 2 pm
    if (const Token* t = at(i); t != nullptr && t->kind == Token::Kind::kWord) {
      if (t->word == "am" || t->word == "pm") {
        meridiem = t->word == "am" ? 1 : 2;
        ++i;
      } else if ((t->word == "a" || t->word == "p") && punct_at(i + 1, '.') && at(i + 2) &&
                 at(i + 2)->kind == Token::Kind::kWord && at(i + 2)->word == "m") {
        meridiem = t->word == "a" ? 1 : 2;
        i += 3;
        if (punct_at(i, '.')) ++i;
      } else if (t->word == "uhr" || t->word == "h") {
        ++i;
      }
    }
    if (meridiem != 0) {
      if (hh_ < 1 || hh_ > 12) return false;
      if (meridiem == 1 && hh_ == 12) hh_ = 0;
      if (meridiem == 2 && hh_ != 12) hh_ += 12;
    }
    if (hh_ > 23 || mm_ > 59 || ss_ > 59) return false;
    zone(i);
    return true;
  }

  // "Z", "UTC"/"GMT"/"UT" (optionally followed by an offset), "±hh:mm", "±hhmm", "±hh", or a
  // zone abbreviation. An unreadable zone leaves the time without one.
  void zone(size_t i) {
    const Token* t = at(i);
    if (t == nullptr) return;
    if (t->kind == Token::Kind::kWord) {
      if (t->word == "z" || t->word == "utc" || t->word == "gmt" || t->word == "ut") {
        has_zone_ = true;
        zone_is_utc_ = true;
        zone_minutes_ = 0;
        if (offset(i + 1)) zone_is_utc_ = zone_minutes_ == 0;
        return;
      }
      int minutes = lookup(kZones, std::size(kZones), t->word);
      if (minutes != 0) {
        has_zone_ = true;
        zone_minutes_ = minutes;
      }
      return;
    }
    offset(i);
  }

  bool offset(size_t i) {
    if (!punct_at(i, '+') && !punct_at(i, '-')) return false;
    int sign = t_[i].punct == '-' ? -1 : 1;
    int h = 0;
    int m = 0;
    if (number_at(i + 1, 4, 4)) {
      h = value(i + 1) / 100;
      m = value(i + 1) % 100;
    } else if (t_[i].space_before) {
      // After a space only RFC 2822's "+hhmm" is an offset; "10:00 - 19:00" is a time range.
      return false;
    } else if (number_at(i + 1, 1, 2)) {
      h = value(i + 1);
      if (punct_at(i + 2, ':') && number_at(i + 3, 2, 2)) m = value(i + 3);
    } else {
      return false;
    }
    if (h > 14 || m > 59) return false;  // real offsets span -12:00 to +14:00
    has_zone_ = true;
    zone_minutes_ = sign * (h * 60 + m);
    return true;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int y_ = 0;
  int m_ = 0;
  int d_ = 0;
  int hh_ = 0;
  int mm_ = 0;
  int ss_ = 0;
  bool has_zone_ = false;
  bool zone_is_utc_ = false;
  int zone_minutes_ = 0;
};

}  // namespace

std::string normalize_date(std::string_view text) {
  text = str::trim(text);
  if (text.size() > kMaxDateTextBytes) text = text.substr(0, kMaxDateTextBytes);
  if (text.empty()) return {};
  return DateParser(tokenize(text)).run();
}

}  // namespace riptide::extract
