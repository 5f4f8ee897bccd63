// Percent-encode sets (URL Standard 1.3).
#include "url/percent_encode.h"

#include <gtest/gtest.h>

namespace riptide::url {
namespace {

TEST(PercentEncode, SetsContainWhatTheStandardLists) {
  const std::string all_ascii_printable = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  struct Case {
    EncodeSet set;
    const char* encoded;  // the printable ASCII punctuation the set encodes
  };
  const Case cases[] = {
      {EncodeSet::kC0Control, ""},
      {EncodeSet::kFragment, " \"<>`"},
      {EncodeSet::kQuery, " \"#<>"},
      {EncodeSet::kSpecialQuery, " \"#'<>"},
      {EncodeSet::kPath, " \"#<>?^`{}"},
      {EncodeSet::kUserinfo, " \"#/:;<=>?@[\\]^`{|}"},
      {EncodeSet::kComponent, " \"#$%&+,/:;<=>?@[\\]^`{|}"},
      {EncodeSet::kFormUrlencoded, " !\"#$%&'()+,/:;<=>?@[\\]^`{|}~"},
  };
  for (const auto& c : cases) {
    std::string got;
    for (char ch : all_ascii_printable) {
      if (in_encode_set(static_cast<uint8_t>(ch), c.set)) got.push_back(ch);
    }
    EXPECT_EQ(got, c.encoded) << static_cast<int>(c.set);
    // Controls, DEL and non-ASCII bytes are in every set; letters and digits in none.
    EXPECT_TRUE(in_encode_set(0x00, c.set));
    EXPECT_TRUE(in_encode_set(0x1F, c.set));
    EXPECT_TRUE(in_encode_set(0x7F, c.set));
    EXPECT_TRUE(in_encode_set(0xC3, c.set));
    EXPECT_FALSE(in_encode_set('a', c.set));
    EXPECT_FALSE(in_encode_set('7', c.set));
  }
}

TEST(PercentEncode, EncodesBytesAsUpperCaseHex) {
  EXPECT_EQ(percent_encode("a b\xC3\xA9/", EncodeSet::kComponent), "a%20b%C3%A9%2F");
  EXPECT_EQ(percent_encode("", EncodeSet::kPath), "");
}

TEST(PercentDecode, DecodesOnlyWellFormedEscapes) {
  EXPECT_EQ(percent_decode("%41%2f%zz%4"), "A/%zz%4");
  EXPECT_EQ(percent_decode("%"), "%");
  EXPECT_EQ(percent_decode("%c3%A9"), "\xC3\xA9");
}

}  // namespace
}  // namespace riptide::url
