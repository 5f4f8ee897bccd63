#include "lang/detect.h"

#include <gtest/gtest.h>

#include <string>

namespace riptide::lang {
namespace {

constexpr std::string_view kGerman =
    "Die Wanderung beginnt am Bahnhof und führt zunächst durch einen dichten Fichtenwald. Nach "
    "etwa einer Stunde erreicht man eine Lichtung mit einer kleinen Hütte, in der es im Sommer "
    "Kuchen und kalte Getränke gibt. Der letzte Anstieg ist steil, aber kurz.";
constexpr std::string_view kEnglish =
    "The harbour ferry resumed its crossings on Monday morning after three months in dry dock, "
    "where engineers replaced both engines and repainted the hull below the waterline. Commuters "
    "said they were relieved to have the service back.";

TEST(PrimarySubtagTest, Table) {
  EXPECT_EQ(primary_subtag("en"), "en");
  EXPECT_EQ(primary_subtag("en-US"), "en");
  EXPECT_EQ(primary_subtag("zh-Hant"), "zh");
  EXPECT_EQ(primary_subtag("DE_de"), "de");
  EXPECT_EQ(primary_subtag("iw"), "he");
  EXPECT_EQ(primary_subtag("jw"), "jv");
  EXPECT_EQ(primary_subtag("haw"), "haw");
  EXPECT_EQ(primary_subtag("un"), "");
  EXPECT_EQ(primary_subtag("und"), "");
  EXPECT_EQ(primary_subtag(""), "");
  EXPECT_EQ(primary_subtag("x"), "");
  EXPECT_EQ(primary_subtag("english"), "");
}

TEST(DetectTest, RecognisesLanguagesOfRealText) {
  Detection de = detect(kGerman);
  EXPECT_EQ(de.language, "de");
  EXPECT_TRUE(de.reliable);
  EXPECT_GE(de.text_bytes, kMinOverrideTextBytes);
  Detection en = detect(kEnglish);
  EXPECT_EQ(en.language, "en");
  EXPECT_TRUE(en.reliable);
  // Japanese: "The city announced that the library will open until ten at night from April."
  Detection ja = detect(
      "\xE5\xB8\x82\xE3\x81\xAF\xE9\xA7\x85\xE5\x89\x8D\xE5\x9B\xB3\xE6\x9B\xB8\xE9\xA4\xA8\xE3"
      "\x81\xAE\xE9\x96\x8B\xE9\xA4\xA8\xE6\x99\x82\xE9\x96\x93\xE3\x82\x92\xE5\x9B\x9B\xE6\x9C"
      "\x88\xE3\x81\x8B\xE3\x82\x89\xE5\x8D\x88\xE5\xBE\x8C\xE5\x8D\x81\xE6\x99\x82\xE3\x81\xBE"
      "\xE3\x81\xA7\xE5\xBB\xB6\xE9\x95\xB7\xE3\x81\x99\xE3\x82\x8B\xE3\x81\xA8\xE7\x99\xBA\xE8"
      "\xA1\xA8\xE3\x81\x97\xE3\x81\x9F\xE3\x80\x82");
  EXPECT_EQ(ja.language, "ja");
}

TEST(DetectTest, EmptyAndInvalidInputAreHarmless) {
  EXPECT_EQ(detect("").language, "");
  EXPECT_FALSE(detect("").reliable);
  Detection junk = detect("\xFF\xFE\xC3\x28 12345 !!!");
  EXPECT_FALSE(junk.reliable);
  // Text longer than kMaxDetectBytes, cut inside a multi-byte sequence, still works.
  std::string long_text;
  while (long_text.size() < kMaxDetectBytes + 100) long_text += "\xC3\xA9t\xC3\xA9 ";
  (void)detect(long_text);
}

TEST(ChooseLanguageTest, Rules) {
  Detection reliable_de{"de", true, 99, 400};
  Detection short_de{"de", true, 99, 80};
  Detection unreliable_de{"de", false, 60, 400};
  // Nothing declared: a reliable detection fills it, an unreliable one does not.
  EXPECT_EQ(choose_language("", reliable_de), "de");
  EXPECT_EQ(choose_language("", unreliable_de), "");
  // Declared and agreeing, or too little text, or unreliable: the markup wins.
  EXPECT_EQ(choose_language("de-AT", reliable_de), "de");
  EXPECT_EQ(choose_language("en", short_de), "en");
  EXPECT_EQ(choose_language("en", unreliable_de), "en");
  // A reliable detection over enough text overrides a template's lang="en".
  EXPECT_EQ(choose_language("en", reliable_de), "de");
  EXPECT_EQ(choose_language("en-US", Detection{}), "en");
}

TEST(ChooseLanguageTest, EndToEndWithRealText) {
  EXPECT_EQ(choose_language("en", detect(kGerman, "en")), "de");
  EXPECT_EQ(choose_language("en", detect(kEnglish, "en")), "en");
  EXPECT_EQ(choose_language("", detect(kEnglish)), "en");
}

}  // namespace
}  // namespace riptide::lang
