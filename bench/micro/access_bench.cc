// What access control costs a request (server/access.h): AccessControl::admit on a cached key,
// from one and several threads, on one shared key and on a key per thread, and the SHA-256 of a
// key that every admit computes. The store is the in-memory fake: the store is only asked on a
// cache miss (once per key every kKeyCacheTtl), which this measures separately.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "server/access.h"
#include "store/api_keys.h"
#include "tests/support/fake_store.h"

namespace {

using riptide::server::AccessControl;
using riptide::server::Admission;

constexpr int kKeys = 8;
// High enough that no benchmark iteration is ever rate limited or capped.
constexpr uint32_t kUnlimited = std::numeric_limits<uint32_t>::max();

struct Fixture {
  riptide::testing::FakeStore store;
  std::unique_ptr<AccessControl> access;
  std::vector<std::string> headers;

  explicit Fixture(bool auth_required) {
    riptide::server::ServerConfig config;
    config.auth_required = auth_required;
    config.rate_per_minute = kUnlimited;  // the anonymous principal's limits
    config.burst = kUnlimited;
    access = std::make_unique<AccessControl>(config, store);
    for (int i = 0; i < kKeys; ++i) {
      auto created = riptide::store::create_api_key(store, "bench", false,
                                                    {kUnlimited, kUnlimited, kUnlimited});
      if (!created.ok()) std::abort();
      headers.push_back("Bearer " + created->key);
    }
  }
};

Fixture& fixture(bool auth_required) {
  static Fixture with_auth(true);
  static Fixture without_auth(false);
  return auth_required ? with_auth : without_auth;
}

void admit_loop(benchmark::State& state, AccessControl& access, const std::string& header) {
  for (auto _ : state) {
    Admission a = access.admit(header, false);
    if (a.denial) state.SkipWithError(a.message.c_str());
    benchmark::DoNotOptimize(a);
  }
}

void bm_admit_one_key(benchmark::State& state) {
  Fixture& f = fixture(true);
  admit_loop(state, *f.access, f.headers[0]);
}
BENCHMARK(bm_admit_one_key)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void bm_admit_key_per_thread(benchmark::State& state) {
  Fixture& f = fixture(true);
  admit_loop(state, *f.access, f.headers[static_cast<size_t>(state.thread_index()) % kKeys]);
}
BENCHMARK(bm_admit_key_per_thread)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

void bm_admit_anonymous(benchmark::State& state) {
  Fixture& f = fixture(false);
  admit_loop(state, *f.access, "");
}
BENCHMARK(bm_admit_anonymous)->Threads(1)->Threads(2)->UseRealTime();

void bm_sha256_key(benchmark::State& state) {
  const std::string key = fixture(true).headers[0].substr(7);
  for (auto _ : state) benchmark::DoNotOptimize(riptide::store::sha256_hex(key));
}
BENCHMARK(bm_sha256_key);

}  // namespace

BENCHMARK_MAIN();
