#include "server/access.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store/api_keys.h"
#include "store/sqlite_store.h"
#include "tests/support/fake_store.h"
#include "tests/support/temp_dir.h"

namespace riptide::server {
namespace {

using std::chrono::seconds;

// AccessControl over a FakeStore with a clock the test moves by hand.
class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override { make_access(); }

  void make_access() {
    access_ = std::make_unique<AccessControl>(config_, store_);
    access_->set_clock_for_testing([this] { return now_; });
  }

  std::string create_key(store::KeyLimits limits = {}, bool admin = false) {
    Result<store::CreatedKey> created = store::create_api_key(store_, "test key", admin, limits);
    EXPECT_TRUE(created.ok());
    key_ids_.push_back(created->record.id);
    return "Bearer " + created->key;
  }

  Admission admit(const std::string& header, bool admin_only = false) {
    return access_->admit(header, admin_only);
  }

  ServerConfig config_;
  testing::FakeStore store_;
  AccessControl::Clock::time_point now_{seconds(1'000'000)};
  std::unique_ptr<AccessControl> access_;
  std::vector<std::string> key_ids_;
};

TEST_F(AccessTest, MissingOrMalformedAuthorizationIsMissingKey) {
  for (const char* header : {"", "   ", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Bearerrt_x",
                             "Token rt_abc", "Bearer rt_a rt_b"}) {
    Admission a = admit(header);
    ASSERT_TRUE(a.denial.has_value()) << header;
    EXPECT_EQ(*a.denial, Denial::kMissingKey) << header;
    EXPECT_FALSE(a.lease);
    EXPECT_FALSE(a.message.empty());
  }
  EXPECT_EQ(store_.find_calls, 0);
}

TEST_F(AccessTest, SchemeIsCaseInsensitiveAndWhitespaceIsTrimmed) {
  std::string key = create_key().substr(7);
  for (const std::string& header :
       {"Bearer " + key, "bearer " + key, "BEARER   " + key + "  ", " \tBearer\t" + key}) {
    Admission a = admit(header);
    EXPECT_FALSE(a.denial.has_value()) << header << ": " << a.message;
    EXPECT_TRUE(a.lease);
    EXPECT_EQ(a.principal.key_id, key_ids_.front());
  }
}

TEST_F(AccessTest, UnknownKeyIsInvalid) {
  Result<std::string> unknown = store::generate_api_key();
  ASSERT_TRUE(unknown.ok());
  Admission a = admit("Bearer " + *unknown);
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(*a.denial, Denial::kInvalidKey);
  // The not-found answer is cached too: guessing the same key again does not reach the store.
  EXPECT_EQ(*admit("Bearer " + *unknown).denial, Denial::kInvalidKey);
  EXPECT_EQ(store_.find_calls, 1);
}

TEST_F(AccessTest, TokenNotShapedLikeAKeyIsInvalidWithoutAStoreLookup) {
  Admission a = admit("Bearer not-a-riptide-key");
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(*a.denial, Denial::kInvalidKey);
  EXPECT_EQ(store_.find_calls, 0);
}

TEST_F(AccessTest, RevokedKeyIsForbidden) {
  std::string header = create_key();
  ASSERT_TRUE(store_.revoke_key(key_ids_.front()).ok());
  Admission a = admit(header);
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(*a.denial, Denial::kRevokedKey);
  EXPECT_EQ(a.message, "API key revoked");
  EXPECT_FALSE(a.lease);
}

TEST_F(AccessTest, LookupsAreCachedAndARevocationTakesEffectWithinTheTtl) {
  std::string header = create_key();
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(admit(header).denial);
  EXPECT_EQ(store_.find_calls, 1);

  ASSERT_TRUE(store_.revoke_key(key_ids_.front()).ok());
  now_ += kKeyCacheTtl;
  Admission a = admit(header);
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(*a.denial, Denial::kRevokedKey);
  EXPECT_EQ(store_.find_calls, 2);
}

TEST_F(AccessTest, AdminRoutesNeedAnAdminKey) {
  std::string normal = create_key();
  std::string admin = create_key({}, true);
  Admission a = admit(normal, true);
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(*a.denial, Denial::kNotAdmin);
  Admission b = admit(admin, true);
  EXPECT_FALSE(b.denial) << b.message;
  EXPECT_TRUE(b.principal.admin);
  EXPECT_FALSE(admit(normal, false).denial);
}

TEST_F(AccessTest, StoreErrorIsReportedAndNotCached) {
  std::string header = create_key();
  store_.fail = true;
  Admission a = admit(header);
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(*a.denial, Denial::kStoreError);
  EXPECT_NE(a.message.find("disk I/O error"), std::string::npos) << a.message;
  store_.fail = false;
  EXPECT_FALSE(admit(header).denial);
}

TEST_F(AccessTest, KeyLimitsOverrideTheServerDefaults) {
  config_.rate_per_minute = 100;
  config_.burst = 7;
  config_.key_concurrency = 3;
  make_access();
  Admission own = admit(create_key({30, 5, 2}));
  ASSERT_FALSE(own.denial);
  EXPECT_EQ(own.principal.rate_per_minute, 30u);
  EXPECT_EQ(own.principal.burst, 5u);
  EXPECT_EQ(own.principal.concurrency, 2u);
  EXPECT_EQ(own.rate.limit, 30u);
  Admission defaults = admit(create_key());
  ASSERT_FALSE(defaults.denial);
  EXPECT_EQ(defaults.principal.rate_per_minute, 100u);
  EXPECT_EQ(defaults.principal.burst, 7u);
  EXPECT_EQ(defaults.principal.concurrency, 3u);
}

TEST_F(AccessTest, BurstThenTooManyRequestsWithRetryAfterUntilOneToken) {
  // 6 a minute = one token every 10 s; the bucket holds 3.
  std::string header = create_key({6, 3, 0});
  for (uint32_t i = 0; i < 3; ++i) {
    Admission a = admit(header);
    ASSERT_FALSE(a.denial) << "request " << i << ": " << a.message;
    EXPECT_EQ(a.rate.limit, 6u);
    EXPECT_EQ(a.rate.remaining, 2 - i);
    EXPECT_EQ(a.rate.reset_seconds, 10 * (i + 1));  // until the bucket is full again
  }
  Admission limited = admit(header);
  ASSERT_TRUE(limited.denial.has_value());
  EXPECT_EQ(*limited.denial, Denial::kRateLimited);
  EXPECT_EQ(limited.rate.retry_after_seconds, 10u);
  EXPECT_EQ(limited.rate.remaining, 0u);
  EXPECT_EQ(limited.rate.reset_seconds, 30u);
  EXPECT_FALSE(limited.lease);

  now_ += seconds(7);
  Admission still = admit(header);
  ASSERT_TRUE(still.denial.has_value());
  EXPECT_EQ(still.rate.retry_after_seconds, 3u);

  now_ += seconds(3);
  Admission refilled = admit(header);
  EXPECT_FALSE(refilled.denial) << refilled.message;
  EXPECT_EQ(refilled.rate.remaining, 0u);
  EXPECT_TRUE(admit(header).denial.has_value());
}

TEST_F(AccessTest, RetryAfterIsRoundedUpAndNeverZero) {
  std::string header = create_key({600, 1, 0});  // a token every 100 ms
  ASSERT_FALSE(admit(header).denial);
  Admission a = admit(header);
  ASSERT_TRUE(a.denial.has_value());
  EXPECT_EQ(a.rate.retry_after_seconds, 1u);
  now_ += std::chrono::milliseconds(100);
  EXPECT_FALSE(admit(header).denial);
}

TEST_F(AccessTest, BucketRefillsToBurstAndNoFurther) {
  std::string header = create_key({60, 4, 0});
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(admit(header).denial);
  ASSERT_TRUE(admit(header).denial.has_value());
  now_ += seconds(3600);  // an hour idle refills at most `burst` tokens
  for (uint32_t i = 0; i < 4; ++i) {
    Admission a = admit(header);
    ASSERT_FALSE(a.denial) << i;
    EXPECT_EQ(a.rate.remaining, 3 - i);
  }
  EXPECT_TRUE(admit(header).denial.has_value());
}

TEST_F(AccessTest, ABucketSurvivesTheCacheTtl) {
  std::string header = create_key({1, 2, 0});  // one token a minute
  ASSERT_FALSE(admit(header).denial);
  ASSERT_FALSE(admit(header).denial);
  now_ += kKeyCacheTtl * 2;  // the lookup is refreshed, the bucket stays empty
  ASSERT_TRUE(admit(header).denial.has_value());
  EXPECT_EQ(store_.find_calls, 2);
}

TEST_F(AccessTest, KeysHaveSeparateBuckets) {
  std::string a = create_key({60, 1, 0});
  std::string b = create_key({60, 1, 0});
  ASSERT_FALSE(admit(a).denial);
  ASSERT_TRUE(admit(a).denial.has_value());
  EXPECT_FALSE(admit(b).denial);
}

TEST_F(AccessTest, ConcurrencyCapAndLeaseRelease) {
  std::string header = create_key({60, 10, 2});
  Admission first = admit(header);
  Admission second = admit(header);
  ASSERT_FALSE(first.denial);
  ASSERT_FALSE(second.denial);
  EXPECT_EQ(second.rate.remaining, 8u);

  Admission third = admit(header);
  ASSERT_TRUE(third.denial.has_value());
  EXPECT_EQ(*third.denial, Denial::kConcurrency);
  EXPECT_EQ(third.rate.retry_after_seconds, config_.retry_after_seconds);
  EXPECT_EQ(third.rate.remaining, 8u);  // turned away without spending a token
  EXPECT_FALSE(third.lease);

  first.lease.reset();
  Admission fourth = admit(header);
  EXPECT_FALSE(fourth.denial) << fourth.message;
  EXPECT_EQ(fourth.rate.remaining, 7u);
}

TEST_F(AccessTest, RateLimitedRequestDoesNotHoldAConcurrencySlot) {
  std::string header = create_key({60, 1, 1});
  {
    Admission a = admit(header);
    ASSERT_FALSE(a.denial);
  }
  Admission limited = admit(header);
  ASSERT_TRUE(limited.denial.has_value());
  EXPECT_EQ(*limited.denial, Denial::kRateLimited);
  now_ += seconds(1);
  Admission next = admit(header);
  EXPECT_FALSE(next.denial) << next.message;  // not kConcurrency: the slot was given back
}

TEST_F(AccessTest, AnonymousWhenAuthIsOff) {
  config_.auth_required = false;
  config_.rate_per_minute = 60;
  config_.burst = 2;
  make_access();
  Admission a = admit("");
  ASSERT_FALSE(a.denial) << a.message;
  EXPECT_EQ(a.principal.key_id, "anonymous");
  EXPECT_FALSE(a.principal.admin);
  EXPECT_EQ(a.principal.rate_per_minute, 60u);
  // Still rate limited with the server's defaults, whatever header is sent.
  ASSERT_FALSE(admit("Bearer whatever").denial);
  Admission limited = admit("");
  ASSERT_TRUE(limited.denial.has_value());
  EXPECT_EQ(*limited.denial, Denial::kRateLimited);
  now_ += seconds(1);
  Admission admin = admit("", true);
  ASSERT_TRUE(admin.denial.has_value());
  EXPECT_EQ(*admin.denial, Denial::kNotAdmin);
  EXPECT_EQ(store_.find_calls, 0);
}

TEST_F(AccessTest, ZeroServerRateMeansNoRateLimit) {
  config_.rate_per_minute = 0;
  config_.key_concurrency = 0;
  make_access();
  std::string header = create_key();
  std::vector<Admission> held;
  for (int i = 0; i < 1000; ++i) {
    held.push_back(admit(header));
    ASSERT_FALSE(held.back().denial) << i;
  }
}

TEST_F(AccessTest, ZeroServerBurstActsAsOne) {
  config_.rate_per_minute = 60;
  config_.burst = 0;
  make_access();
  std::string header = create_key();
  ASSERT_FALSE(admit(header).denial);
  Admission limited = admit(header);
  ASSERT_TRUE(limited.denial.has_value());
  EXPECT_EQ(*limited.denial, Denial::kRateLimited);
  now_ += seconds(1);
  EXPECT_FALSE(admit(header).denial);
}

// Many threads on one key at one instant: the bucket admits exactly `burst`, the rest are 429.
TEST_F(AccessTest, ConcurrentAdmitsNeverOverspendTheBucket) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  constexpr uint32_t kBurst = 1000;
  std::string header = create_key({1, kBurst, 0});
  std::atomic<int> admitted{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Admission a = admit(header);
        if (!a.denial) {
          ++admitted;
        } else if (*a.denial == Denial::kRateLimited) {
          ++limited;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), static_cast<int>(kBurst));
  EXPECT_EQ(limited.load(), kThreads * kPerThread - static_cast<int>(kBurst));
}

// The same path over the real SQLite store: a key made by create_api_key is admitted, and
// revoking it by its shown prefix locks it out once the cached lookup expires.
TEST(AccessSqliteTest, KeyLifecycleOnTheRealStore) {
  testing::TempDir dir;
  ASSERT_TRUE(dir.ok());
  auto opened = store::SqliteStore::open(dir.path(), {});
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  store::SqliteStore& db = **opened;

  Result<store::CreatedKey> created = store::create_api_key(db, "lifecycle", false, {60, 5, 2});
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  AccessControl access(ServerConfig{}, db);
  AccessControl::Clock::time_point now{seconds(50)};
  access.set_clock_for_testing([&] { return now; });

  Admission a = access.admit("Bearer " + created->key, false);
  ASSERT_FALSE(a.denial) << a.message;
  EXPECT_EQ(a.principal.key_id, created->record.id);
  EXPECT_EQ(a.principal.name, "lifecycle");
  EXPECT_EQ(a.rate.remaining, 4u);
  a.lease.reset();

  ASSERT_TRUE(db.revoke_key(created->record.prefix).ok());
  now += kKeyCacheTtl;
  Admission revoked = access.admit("Bearer " + created->key, false);
  ASSERT_TRUE(revoked.denial.has_value());
  EXPECT_EQ(*revoked.denial, Denial::kRevokedKey);
}

}  // namespace
}  // namespace riptide::server
