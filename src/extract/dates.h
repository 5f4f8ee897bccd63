#pragma once

#include <string>
#include <string_view>

namespace riptide::extract {

// Normalises a date as pages write it to ISO 8601: "YYYY-MM-DD" when only a date is given, else
// "YYYY-MM-DDThh:mm:ss" followed by "Z" or "±hh:mm" when the text names a zone. Returns "" when
// the text is not a (possible) date. Accepted forms (docs/extraction.md, "Dates"):
//   ISO 8601 and its common relaxations: 2024-03-05, 2024-03-05T10:20:30.5+01:00,
//     2024-03-05 10:20, 2024/03/05, 2024.03.05
//   numeric day-first: 05.03.2024, 05-03-2024; 05/03/2024 is day-first only when the first number
//     is above 12, else month-first (the US reading of slashes)
//   month names in English, German, French and Spanish, full or abbreviated: "March 5, 2024",
//     "5 March 2024", "5. März 2024", "5 mars 2024", "5 de marzo de 2024", "Mar 5th 2024"; also
//     Italian, Portuguese and Dutch names and Russian/Ukrainian genitives ("15 августа 2016")
//   RFC 2822 / HTTP dates: "Tue, 05 Mar 2024 10:20:30 GMT", "... +0100"
//   optional time "10:20[:30]" with am/pm, zones Z/UTC/GMT, ±hh:mm, ±hhmm and a few abbreviations
// Leading words ("Published:", "Updated on", weekday names) are skipped; text after a complete
// date and time is ignored. Impossible dates (2023-02-29, month 13, 25:00) are rejected, as are
// unix timestamps and years outside 1000-9999.
std::string normalize_date(std::string_view text);

}  // namespace riptide::extract
