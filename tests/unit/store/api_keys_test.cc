#include "store/api_keys.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <string>

#include "tests/support/fake_store.h"

namespace riptide::store {
namespace {

// FIPS 180-4 examples (NIST "SHA256.pdf", "SHA2_Additional.pdf") and the empty message.
TEST(Sha256Hex, KnownAnswers) {
  struct Case {
    std::string input;
    std::string_view digest;
  };
  const Case cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1'000'000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(sha256_hex(c.input), c.digest) << "input of " << c.input.size() << " bytes";
  }
}

TEST(GenerateApiKey, HasTheDocumentedFormat) {
  Result<std::string> key = generate_api_key();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 46u);  // "rt_" + 43 base64url characters (32 bytes, no padding)
  EXPECT_TRUE(std::regex_match(*key, std::regex("rt_[A-Za-z0-9_-]{43}"))) << *key;
  EXPECT_TRUE(is_well_formed_api_key(*key));
}

TEST(GenerateApiKey, KeysAreDistinctAndUseTheWholeAlphabet) {
  std::set<std::string> keys;
  std::set<char> seen;
  for (int i = 0; i < 1000; ++i) {
    Result<std::string> key = generate_api_key();
    ASSERT_TRUE(key.ok());
    keys.insert(*key);
    for (char c : key->substr(3)) seen.insert(c);
  }
  EXPECT_EQ(keys.size(), 1000u);
  // 43 000 random characters from 64: a missing character would mean a broken encoder or source.
  EXPECT_EQ(seen.size(), 64u);
}

TEST(IsWellFormedApiKey, RefusesOtherShapes) {
  const std::string good = "rt_" + std::string(43, 'A');
  EXPECT_TRUE(is_well_formed_api_key(good));
  for (const std::string& bad :
       {std::string(), std::string("rt_"), good.substr(0, 45), good + "A", "RT_" + good.substr(3),
        "sk_" + good.substr(3), "rt_" + std::string(42, 'A') + "+",
        "rt_" + std::string(42, 'A') + "=", "rt_" + std::string(42, 'A') + " "}) {
    EXPECT_FALSE(is_well_formed_api_key(bad)) << bad;
  }
}

TEST(EqualConstantTime, ComparesContentAndLength) {
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "xbc"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_FALSE(equal_constant_time("", "a"));
}

TEST(CreateApiKey, StoresTheHashNeverTheKey) {
  testing::FakeStore store;
  int64_t before = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  Result<CreatedKey> created = create_api_key(store, "ci pipeline", true, {120, 10, 4});
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_TRUE(is_well_formed_api_key(created->key));

  Result<std::vector<ApiKeyRecord>> keys = store.list_keys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  const ApiKeyRecord& stored = keys->front();
  EXPECT_EQ(stored.sha256_hex, sha256_hex(created->key));
  EXPECT_EQ(stored.sha256_hex.size(), kSha256HexLength);
  EXPECT_TRUE(std::regex_match(stored.id, std::regex("key_[0-9a-f]{8}"))) << stored.id;
  EXPECT_EQ(stored.prefix, created->key.substr(0, 8));
  EXPECT_EQ(stored.name, "ci pipeline");
  EXPECT_TRUE(stored.admin);
  EXPECT_EQ(stored.rate_per_minute, 120u);
  EXPECT_EQ(stored.burst, 10u);
  EXPECT_EQ(stored.concurrency, 4u);
  EXPECT_GE(stored.created_at, before);
  EXPECT_LE(stored.created_at, before + 60);
  EXPECT_FALSE(stored.revoked_at.has_value());
  EXPECT_FALSE(stored.last_used_at.has_value());
  // No stored field holds the secret part of the key.
  const std::string secret = created->key.substr(kApiKeyShownPrefixChars);
  for (const std::string& field : {stored.id, stored.name, stored.prefix, stored.sha256_hex}) {
    EXPECT_EQ(field.find(secret), std::string::npos) << field;
  }
  EXPECT_EQ(created->record.id, stored.id);
}

TEST(CreateApiKey, TwoKeysDiffer) {
  testing::FakeStore store;
  Result<CreatedKey> a = create_api_key(store, "a", false, {});
  Result<CreatedKey> b = create_api_key(store, "a", false, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key, b->key);
  EXPECT_NE(a->record.id, b->record.id);
  EXPECT_NE(a->record.sha256_hex, b->record.sha256_hex);
}

TEST(CreateApiKey, RefusesBadNamesAndStoresNothing) {
  testing::FakeStore store;
  for (const std::string& name :
       {std::string(), std::string("tab\there"), std::string("nl\n"),
        std::string(kMaxApiKeyNameBytes + 1, 'x'), std::string("bad \xff utf8")}) {
    Result<CreatedKey> created = create_api_key(store, name, false, {});
    ASSERT_FALSE(created.ok()) << name;
    EXPECT_EQ(created.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(create_api_key(store, std::string(kMaxApiKeyNameBytes, 'x'), false, {}).ok());
  EXPECT_TRUE(create_api_key(store, "équipe données", false, {}).ok());
  EXPECT_EQ(store.list_keys()->size(), 2u);
}

TEST(CreateApiKey, ReportsAStoreFailure) {
  testing::FakeStore store;
  store.fail = true;
  Result<CreatedKey> created = create_api_key(store, "x", false, {});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace riptide::store
