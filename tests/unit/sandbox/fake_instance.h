#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "sandbox/pool.h"
#include "sandbox/runtime.h"

// A scripted stand-in for ExtractorInstance, for the pool and engine tests. The page text tells
// it what to do, so a test reads like the scenario it checks:
//   "trap"          the guest traps (out of bounds): error, dead
//   "timeout"       the guest runs past its deadline: kTimeout, dead
//   "garbage"       the guest's output fails validation: error, dead
//   "bad-input"     the guest answers with a structured error (kInvalidInput), stays alive
//   "grow:N"        the instance's memory grows by N pages (one grow failure if over its cap)
//   "sleep:MS"      takes MS milliseconds
//   anything else   a record whose title is the page
namespace riptide::sandbox::testing {

// Shared by every instance one factory makes: what the test wants to observe or break.
struct FakeWorld {
  std::atomic<int> created{0};
  std::atomic<int> destroyed{0};
  std::atomic<int> extractions{0};
  std::atomic<int> in_use{0};
  std::atomic<int> max_in_use{0};
  std::atomic<bool> fail_creation{false};
  uint32_t initial_pages = 16;
  uint32_t max_pages = 4096;
};

class FakeInstance : public PooledInstance {
 public:
  explicit FakeInstance(FakeWorld* world) : world_(world), pages_(world->initial_pages) {
    ++world_->created;
  }
  ~FakeInstance() override { ++world_->destroyed; }

  Result<extract::Record> extract(std::string_view html, const extract::Options&) override {
    ++world_->extractions;
    int now = ++world_->in_use;
    int seen = world_->max_in_use.load();
    while (now > seen && !world_->max_in_use.compare_exchange_weak(seen, now)) {
    }
    Result<extract::Record> out = run(html);
    --world_->in_use;
    return out;
  }
  bool dead() const override { return dead_; }
  TrapKind last_trap() const override { return trap_; }
  uint32_t current_pages() const override { return pages_; }
  uint32_t peak_pages() const override { return pages_; }
  uint64_t grow_failures() const override { return grow_failures_; }

 private:
  Result<extract::Record> run(std::string_view html) {
    if (html == "trap") {
      dead_ = true;
      trap_ = TrapKind::kOutOfBounds;
      return Error(ErrorCode::kInternal, "guest trap: out_of_bounds");
    }
    if (html == "timeout") {
      dead_ = true;
      trap_ = TrapKind::kTimeout;
      return Error(ErrorCode::kTimeout, "extraction exceeded 5000 ms");
    }
    if (html == "garbage") {
      dead_ = true;
      return Error(ErrorCode::kInternal, "invalid guest output: string length past the end");
    }
    if (html == "bad-input") return Error(ErrorCode::kInvalidInput, "not html");
    if (html.substr(0, 5) == "grow:") {
      uint32_t add = static_cast<uint32_t>(std::stoul(std::string(html.substr(5))));
      if (pages_ + add > world_->max_pages) {
        ++grow_failures_;
      } else {
        pages_ += add;
      }
    } else if (html.substr(0, 6) == "sleep:") {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::stoi(std::string(html.substr(6)))));
    }
    extract::Record record;
    record.title = std::string(html);
    return record;
  }

  FakeWorld* world_;
  uint32_t pages_;
  uint64_t grow_failures_ = 0;
  bool dead_ = false;
  TrapKind trap_ = TrapKind::kNone;
};

inline InstanceFactory fake_factory(FakeWorld* world) {
  return [world]() -> Result<std::unique_ptr<PooledInstance>> {
    if (world->fail_creation) return Error(ErrorCode::kInternal, "instantiation failed");
    return std::unique_ptr<PooledInstance>(std::make_unique<FakeInstance>(world));
  };
}

}  // namespace riptide::sandbox::testing
