#include "core/arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace riptide {
namespace {

TEST(ArenaTest, AllocationsAreAlignedAndDistinct) {
  Arena arena(1024);
  auto* a = static_cast<char*>(arena.allocate(3, 1));
  auto* b = static_cast<uint64_t*>(arena.allocate(sizeof(uint64_t), alignof(uint64_t)));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % alignof(uint64_t), 0u);
  EXPECT_NE(static_cast<void*>(a), static_cast<void*>(b));
  *b = 42;
  a[0] = a[1] = a[2] = 'x';
  EXPECT_EQ(*b, 42u);
}

TEST(ArenaTest, LargeAllocationsGetTheirOwnBlockAndKeepBumping) {
  Arena arena(1024);
  char* small1 = static_cast<char*>(arena.allocate(16, 1));
  char* big = static_cast<char*>(arena.allocate(100000, 1));
  char* small2 = static_cast<char*>(arena.allocate(16, 1));
  big[0] = big[99999] = 'y';
  EXPECT_EQ(small2, small1 + 16);  // the dedicated block did not waste the current one
  EXPECT_GE(arena.bytes_reserved(), 100000u);
}

TEST(ArenaTest, CopyOutlivesSourceAndEmptyIsEmpty) {
  Arena arena;
  std::string_view copied;
  {
    std::string source = "hello";
    copied = arena.copy(source);
  }
  EXPECT_EQ(copied, "hello");
  EXPECT_TRUE(arena.copy("").empty());
}

TEST(ArenaTest, ExtendGrowsOnlyTheLastAllocation) {
  Arena arena(1024);
  char* a = static_cast<char*>(arena.allocate(8, 1));
  EXPECT_TRUE(arena.try_extend(a, 8, 16));
  char* b = static_cast<char*>(arena.allocate(8, 1));
  EXPECT_EQ(b, a + 16);
  EXPECT_FALSE(arena.try_extend(a, 16, 32));
  EXPECT_FALSE(arena.try_extend(b, 8, 4096));  // does not fit the block
}

TEST(ArenaTest, ResetKeepsOneBlockAndMemoryIsReusable) {
  Arena arena(1024);
  for (int i = 0; i < 100; ++i) (void)arena.allocate(512, 8);
  EXPECT_GT(arena.bytes_reserved(), 1024u * 10);
  arena.reset();
  EXPECT_LE(arena.bytes_reserved(), 1024u);
  auto* p = arena.make<int>(7);
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace riptide
