#include "core/json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/limits.h"

namespace riptide::json {
namespace {

// Serialises a value back to compact JSON-like text (strings unescaped, numbers as written) so
// tests can compare whole trees. Iterative, like the code under test.
std::string dump(Value root) {
  std::string out;
  struct Item {
    Value value;
    bool close = false;
    char closer = 0;
  };
  std::vector<Item> stack{{root}};
  std::vector<bool> first_in_container;
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    if (item.close) {
      out.push_back(item.closer);
      continue;
    }
    Value v = item.value;
    if (!out.empty() && out.back() != '[' && out.back() != '{' && out.back() != ':') {
      out.push_back(',');
    }
    if (!v.key().empty()) {
      out += '"' + std::string(v.key()) + "\":";
    }
    switch (v.type()) {
      case Type::kNull:
        out += "null";
        break;
      case Type::kBool:
        out += v.as_bool() ? "true" : "false";
        break;
      case Type::kNumber:
        out += v.number_text();
        break;
      case Type::kString:
        out += '"' + std::string(v.as_string()) + '"';
        break;
      case Type::kArray:
      case Type::kObject: {
        bool object = v.is_object();
        out.push_back(object ? '{' : '[');
        stack.push_back({Value(), true, object ? '}' : ']'});
        std::vector<Value> children;
        for (Value child : v.children()) children.push_back(child);
        for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back({*it});
        break;
      }
    }
  }
  return out;
}

struct RoundTripCase {
  const char* input;
  const char* expected;  // dump() of the parsed value
};

TEST(JsonTest, ParsesValidDocuments) {
  const RoundTripCase cases[] = {
      {"null", "null"},
      {"true", "true"},
      {" false ", "false"},
      {"0", "0"},
      {"-12.5e+3", "-12.5e+3"},
      {"\"hi\"", "\"hi\""},
      {"[]", "[]"},
      {"{}", "{}"},
      {"[1,[2,[3]],{}]", "[1,[2,[3]],{}]"},
      {"{\"a\":1,\"b\":[true,null],\"c\":{\"d\":\"e\"}}",
       "{\"a\":1,\"b\":[true,null],\"c\":{\"d\":\"e\"}}"},
      {"\t\r\n{ \"a\" :\n[ 1 , 2 ] }\n", "{\"a\":[1,2]}"},
  };
  for (const auto& c : cases) {
    auto doc = parse(c.input);
    ASSERT_TRUE(doc.ok()) << c.input << ": " << doc.error().to_string();
    EXPECT_EQ(dump(doc->root()), c.expected) << c.input;
  }
}

TEST(JsonTest, LenientWhereJsonLdInTheWildNeedsIt) {
  const RoundTripCase cases[] = {
      {"\xEF\xBB\xBF{\"a\":1}", "{\"a\":1}"},                  // UTF-8 BOM
      {"[1,2,]", "[1,2]"},                                     // trailing comma in an array
      {"{\"a\":1,}", "{\"a\":1}"},                             // trailing comma in an object
      {"{\"a\":\"line\nbreak\"}", "{\"a\":\"line\nbreak\"}"},  // raw control character
      {"\"it\\'s\"", "\"it's\""},                              // \' escape
      {"{\"a\":1};", "{\"a\":1}"},                             // statement-style trailing ';'
  };
  for (const auto& c : cases) {
    auto doc = parse(c.input);
    ASSERT_TRUE(doc.ok()) << c.input << ": " << doc.error().to_string();
    EXPECT_EQ(dump(doc->root()), c.expected) << c.input;
  }
}

TEST(JsonTest, RejectsMalformedInput) {
  const char* cases[] = {
      "",
      "   ",
      "{",
      "[1,2",
      "[1 2]",
      "{\"a\" 1}",
      "{a:1}",
      "{\"a\":}",
      "[,]",
      "[1,,2]",
      "{,}",
      "[}",
      "{]",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "+1",
      "tru",
      "nul",
      "NaN",
      "Infinity",
      "\"unterminated",
      "\"bad \\x escape\"",
      "\"\\u12G4\"",
      "\"\\u12\"",
      "{} {}",
      "[1] x",
  };
  for (const char* input : cases) {
    auto doc = parse(input);
    EXPECT_FALSE(doc.ok()) << "accepted: " << input;
    if (!doc.ok()) {
      EXPECT_EQ(doc.error().code(), ErrorCode::kParseError) << input;
    }
  }
}

TEST(JsonTest, ErrorNamesTheOffset) {
  auto doc = parse("[1, 2, x]");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message().find("offset 7"), std::string::npos) << doc.error().message();
}

struct StringCase {
  const char* input;
  std::string expected;
};

TEST(JsonTest, DecodesStringEscapesAndUnicode) {
  const StringCase cases[] = {
      {R"("a\"b\\c\/d")", "a\"b\\c/d"},
      {R"("\b\f\n\r\t")", "\b\f\n\r\t"},
      {R"("\u0041\u00e9\u20AC")", "A\xC3\xA9\xE2\x82\xAC"},
      {R"("\ud83d\ude00")", "\xF0\x9F\x98\x80"},  // surrogate pair → U+1F600
      {R"("\uD834\uDD1E")", "\xF0\x9D\x84\x9E"},  // upper-case hex, U+1D11E
      {R"("x\ud83dy")", "x\xEF\xBF\xBDy"},        // lone high surrogate → U+FFFD
      {R"("x\ude00y")", "x\xEF\xBF\xBDy"},        // lone low surrogate → U+FFFD
      {R"("\ud83d\u0041")",
       "\xEF\xBF\xBD"
       "A"},                               // high surrogate + non-surrogate
      {"\"caf\xC3\xA9\"", "caf\xC3\xA9"},  // raw UTF-8 passes through
      {"\"a\xFF"
       "b\"",
       "a\xEF\xBF\xBD"
       "b"},  // invalid UTF-8 → U+FFFD
      {R"("\u0000")", std::string(1, '\0')},
  };
  for (const auto& c : cases) {
    auto doc = parse(c.input);
    ASSERT_TRUE(doc.ok()) << c.input << ": " << doc.error().to_string();
    EXPECT_EQ(doc->root().as_string(), c.expected) << c.input;
  }
}

TEST(JsonTest, NumbersKeepTheirLiteralAndValue) {
  auto doc = parse("[0, -1, 3.25, 1e3, 9007199254740993, -0.5E-2]");
  ASSERT_TRUE(doc.ok());
  Value a = doc->root();
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a.at(0).as_number(), 0);
  EXPECT_EQ(a.at(1).as_number(), -1);
  EXPECT_EQ(a.at(2).as_number(), 3.25);
  EXPECT_EQ(a.at(3).as_number(), 1000);
  EXPECT_EQ(a.at(4).number_text(), "9007199254740993");
  EXPECT_DOUBLE_EQ(a.at(5).as_number(), -0.005);
  EXPECT_EQ(a.at(2).as_string(), "");  // typed accessors never mix kinds
}

TEST(JsonTest, ObjectLookupAndMissingValuesChain) {
  auto doc = parse(R"({"author":{"name":"Ada","@type":"Person"},"tags":["a","b"],"x":1,"x":2})");
  ASSERT_TRUE(doc.ok());
  Value root = doc->root();
  EXPECT_EQ(root.size(), 4u);
  EXPECT_EQ(root["author"]["name"].as_string(), "Ada");
  EXPECT_EQ(root["tags"].at(1).as_string(), "b");
  EXPECT_EQ(root["x"].as_number(), 1);  // first of repeated names
  EXPECT_FALSE(root["missing"].exists());
  EXPECT_FALSE(root["missing"]["deeper"].at(3).exists());
  EXPECT_EQ(root["missing"]["deeper"].as_string(), "");
  EXPECT_FALSE(root["tags"]["name"].exists());  // get() on an array
  EXPECT_FALSE(root["tags"].at(2).exists());
  std::vector<std::string> keys;
  for (Value member : root.children()) keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"author", "tags", "x", "x"}));
}

TEST(JsonTest, ValuesSurviveMovingTheDocument) {
  auto parsed = parse(R"({"a":"b"})");
  ASSERT_TRUE(parsed.ok());
  Value a = parsed->root()["a"];
  Document moved = std::move(parsed).value();
  EXPECT_EQ(a.as_string(), "b");
  EXPECT_EQ(moved.root()["a"].as_string(), "b");
}

TEST(JsonTest, DeepNestingIsALimitNotACrash) {
  const uint32_t depth = limits::kMaxJsonDepth;
  std::string ok_input = std::string(depth, '[') + std::string(depth, ']');
  auto ok = parse(ok_input);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->value_count(), depth);

  std::string too_deep = std::string(depth + 1, '[') + std::string(depth + 1, ']');
  auto deep = parse(too_deep);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code(), ErrorCode::kResourceLimit);

  // Far past the limit (and unterminated): still a clean error, found without recursion.
  auto huge = parse(std::string(1'000'000, '['));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code(), ErrorCode::kResourceLimit);
}

TEST(JsonTest, ValueCountAndSizeLimits) {
  std::string many = "[";
  for (uint32_t i = 0; i < limits::kMaxJsonValues; ++i) many += "0,";
  many += "0]";
  auto doc = parse(many);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code(), ErrorCode::kResourceLimit);

  std::string big(limits::kMaxJsonBytes + 1, ' ');
  auto too_big = parse(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code(), ErrorCode::kResourceLimit);
}

}  // namespace
}  // namespace riptide::json
