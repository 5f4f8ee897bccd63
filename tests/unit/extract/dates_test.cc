#include "extract/dates.h"

#include <gtest/gtest.h>

namespace riptide::extract {
namespace {

struct DateCase {
  const char* input;
  const char* expected;  // "" = not a date
};

TEST(NormalizeDateTest, IsoAndNumericForms) {
  const DateCase cases[] = {
      {"2024-03-05", "2024-03-05"},
      {"  2024-03-05\n", "2024-03-05"},
      {"2024-3-5", "2024-03-05"},
      {"2024-03-05T10:20:30+01:00", "2024-03-05T10:20:30+01:00"},
      {"2024-03-05T10:20:30Z", "2024-03-05T10:20:30Z"},
      {"2024-03-05T10:20:30.123456Z", "2024-03-05T10:20:30Z"},
      {"2024-03-05T10:20:30-0500", "2024-03-05T10:20:30-05:00"},
      {"2024-03-05T10:20:30+00:00", "2024-03-05T10:20:30+00:00"},
      {"2024-03-05T10:20", "2024-03-05T10:20:00"},
      {"2024-03-05 10:20", "2024-03-05T10:20:00"},
      {"2024-03-05 10:20:30 UTC", "2024-03-05T10:20:30Z"},
      {"2024-03-05 10:20:30.000000", "2024-03-05T10:20:30"},
      {"2024/03/05", "2024-03-05"},
      {"2024.03.05", "2024-03-05"},
      {"05.03.2024", "2024-03-05"},  // day-first with dots
      {"5.3.2024", "2024-03-05"},
      {"05-03-2024", "2024-03-05"},  // day-first with dashes
      {"25/12/2023", "2023-12-25"},  // slashes: first number > 12 → day-first
      {"12/25/2023", "2023-12-25"},  // slashes: month-first (US)
      {"03/05/2024", "2024-03-05"},  // ambiguous slashes read month-first
      {"05.03.2024 14:30", "2024-03-05T14:30:00"},
      {"05.03.2024, 14:30 Uhr", "2024-03-05T14:30:00"},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_date(c.input), c.expected) << c.input;
}

TEST(NormalizeDateTest, MonthNamesInFourLanguages) {
  const DateCase cases[] = {
      {"March 5, 2024", "2024-03-05"},
      {"Mar 5, 2024", "2024-03-05"},
      {"Mar. 5 2024", "2024-03-05"},
      {"March 5th, 2024", "2024-03-05"},
      {"5 March 2024", "2024-03-05"},
      {"the 1st of March 2024", "2024-03-01"},
      {"Tuesday, March 5, 2024", "2024-03-05"},
      {"SEPT 30, 2023", "2023-09-30"},
      {"2024 March 5", "2024-03-05"},
      {"5. März 2024", "2024-03-05"},
      {"5. MÄRZ 2024", "2024-03-05"},
      {"05. Dezember 2023", "2023-12-05"},
      {"1. Jänner 2024", "2024-01-01"},
      {"Dienstag, 5. März 2024 um 10:20 Uhr", "2024-03-05T10:20:00"},
      {"5 mars 2024", "2024-03-05"},
      {"1er février 2024", "2024-02-01"},
      {"15 août 2023", "2023-08-15"},
      {"Publié le 3 décembre 2023 à 08:15", "2023-12-03T08:15:00"},
      {"5 de marzo de 2024", "2024-03-05"},
      {"12 de septiembre del 2022", "2022-09-12"},
      {"3 dic 2021", "2021-12-03"},
      {"15 agosto 2016", "2016-08-15"},
      {"15 августа 2016, 13:43", "2016-08-15T13:43:00"},
      {"3 березня 2022", "2022-03-03"},
      {"12 de março de 2020", "2020-03-12"},
      {"1 mei 2019", "2019-05-01"},
      {"Check out 5 March 2024", "2024-03-05"},
      {"5\xC2\xA0March\xC2\xA0"
       "2024",
       "2024-03-05"},  // no-break spaces
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_date(c.input), c.expected) << c.input;
}

TEST(NormalizeDateTest, TimesAndZones) {
  const DateCase cases[] = {
      {"Tue, 05 Mar 2024 10:20:30 GMT", "2024-03-05T10:20:30Z"},         // RFC 2822 / HTTP
      {"Tue, 05 Mar 2024 10:20:30 +0100", "2024-03-05T10:20:30+01:00"},  // numeric zone
      {"Tue, 5 Mar 24 10:20:30 EST", "2024-03-05T10:20:30-05:00"},       // 2-digit year, EST
      {"05 Mar 99 00:00 PDT", "1999-03-05T00:00:00-07:00"},
      {"March 5, 2024 at 10:20 am", "2024-03-05T10:20:00"},
      {"March 5, 2024 at 12:05 AM", "2024-03-05T00:05:00"},
      {"March 5, 2024, 12:05 PM", "2024-03-05T12:05:00"},
      {"March 5, 2024 3:45 p.m. EDT", "2024-03-05T15:45:00-04:00"},
      {"2024-03-05T10:20:30 GMT+0200", "2024-03-05T10:20:30+02:00"},
      {"5. März 2024 10:20 MEZ", "2024-03-05T10:20:00+01:00"},
      {"30.03.2020, 13:15 - 19:00", "2020-03-30T13:15:00"},  // a time range, not an offset
      {"2024-03-05T10:20:30+23:00", "2024-03-05T10:20:30"},  // no such offset
      {"2024-03-05T10:20:30 -0800", "2024-03-05T10:20:30-08:00"},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_date(c.input), c.expected) << c.input;
}

TEST(NormalizeDateTest, PrefixesAndTrailingTextAroundADate) {
  const DateCase cases[] = {
      {"Published: 2024-03-05", "2024-03-05"},
      {"Updated on March 5, 2024", "2024-03-05"},
      {"March 5, 2024 by Jane Doe", "2024-03-05"},
      {"2024-03-05 (updated)", "2024-03-05"},
      {"March 5, 2024 March 6", "2024-03-05"},
      {"2024-03-05T25:00", "2024-03-05"},  // an impossible time is dropped, the date kept
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_date(c.input), c.expected) << c.input;
}

TEST(NormalizeDateTest, RejectsImpossibleDatesAndNonDates) {
  const char* cases[] = {
      "",
      "   ",
      "yesterday",
      "2 hours ago",
      "3 comments",
      "March 2024",  // no day
      "March 5",     // no year
      "2024-13-01",  // month 13
      "2024-00-10",  // month 0
      "2024-04-31",  // April has 30 days
      "2023-02-29",  // not a leap year
      "1900-02-29",  // century rule
      "31.02.2024",
      "1709634030",  // a unix timestamp
      "20240305",    // compact ISO is not read (indistinguishable from other numbers)
      "0999-01-01",  // year out of range
      "Version 1.2.3",
      "13/13/2024",
      "32 March 2024",
      "00 March 2024",
  };
  for (const char* input : cases) EXPECT_EQ(normalize_date(input), "") << input;
  EXPECT_EQ(normalize_date("2024-02-29"), "2024-02-29");  // leap year
  EXPECT_EQ(normalize_date("2000-02-29"), "2000-02-29");  // 400-year rule
}

TEST(NormalizeDateTest, LongInputIsCheap) {
  std::string text(100000, 'x');
  EXPECT_EQ(normalize_date(text), "");
  EXPECT_EQ(normalize_date("2024-03-05 " + text), "2024-03-05");
}

}  // namespace
}  // namespace riptide::extract
