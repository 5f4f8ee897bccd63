#include "server/work_pool.h"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

namespace riptide::server {
namespace {

using namespace std::chrono_literals;

TEST(WorkPool, RunsSubmittedTasks) {
  WorkPool pool("test", 2, 16);
  EXPECT_EQ(pool.threads(), 2u);
  std::atomic<int> done{0};
  std::promise<void> all;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(pool.try_submit([&] {
      if (++done == 10) all.set_value();
    }));
  }
  ASSERT_EQ(all.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(done.load(), 10);
}

TEST(WorkPool, RejectsWhenQueueIsFullAndCountsIt) {
  prometheus::Registry registry;
  prometheus::Counter& rejections =
      prometheus::BuildCounter().Name("rejections").Register(registry).Add({});
  WorkPool pool("test", 1, 2, &rejections);

  // Block the only thread so every further task waits in the queue.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.try_submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  EXPECT_EQ(pool.active(), 1u);

  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
  EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
  EXPECT_EQ(pool.queued(), 2u);
  // The queue holds 2: the third is refused at once, not queued and never run.
  bool destroyed_unrun = false;
  struct Flag {
    bool* flag;
    ~Flag() { *flag = true; }
  };
  auto flag = std::make_shared<Flag>(Flag{&destroyed_unrun});
  EXPECT_FALSE(pool.try_submit([&ran, flag] { ran += 100; }));
  flag.reset();
  EXPECT_TRUE(destroyed_unrun);
  EXPECT_EQ(rejections.Value(), 1.0);

  release.set_value();
  pool.stop();
  EXPECT_EQ(ran.load(), 2);
}

TEST(WorkPool, StopRunsQueuedTasksThenRefuses) {
  WorkPool pool("test", 1, 100);
  std::atomic<int> ran{0};
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.try_submit([&] { ++ran; }));
  pool.stop();
  EXPECT_EQ(ran.load(), 50);
  EXPECT_FALSE(pool.try_submit([&] { ++ran; }));
  pool.stop();  // idempotent
}

TEST(WorkPool, ZeroThreadsMeansOnePerCore) {
  WorkPool pool("test", 0, 1);
  EXPECT_GE(pool.threads(), 1u);
}

TEST(WorkPool, TasksRunOnPoolThreads) {
  WorkPool pool("test", 2, 8);
  std::promise<std::thread::id> where;
  ASSERT_TRUE(pool.try_submit([&] { where.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(where.get_future().get(), std::this_thread::get_id());
}

}  // namespace
}  // namespace riptide::server
