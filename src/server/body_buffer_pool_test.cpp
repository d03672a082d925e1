// BodyBufferPool: recycling within the bounds, freeing outside them.
#include "server/body_buffer_pool.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace vigia {
namespace {

constexpr size_t kKiB = 1024;

std::string Buffer(size_t capacity) {
  std::string s;
  s.reserve(capacity);
  s.assign(capacity / 2, 'x');
  return s;
}

TEST(BodyBufferPoolTest, GivenBufferComesBackEmptyWithItsMemory) {
  BodyBufferPool pool(1024 * kKiB, 128 * kKiB, 512 * kKiB);
  EXPECT_EQ(pool.Take().capacity(), std::string().capacity());  // empty pool: a new string
  std::string s = Buffer(256 * kKiB);
  const char* data = s.data();
  const size_t cap = s.capacity();
  pool.Give(s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.capacity(), std::string().capacity());  // the memory went to the pool
  EXPECT_EQ(pool.idle(), 1u);
  EXPECT_EQ(pool.idle_bytes(), cap);
  std::string back = pool.Take();
  EXPECT_TRUE(back.empty());
  EXPECT_EQ(back.data(), data);
  EXPECT_EQ(back.capacity(), cap);
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.idle_bytes(), 0u);
}

TEST(BodyBufferPoolTest, TakeHandsOutTheLargestBuffer) {
  BodyBufferPool pool(4096 * kKiB, 128 * kKiB, 2048 * kKiB);
  for (size_t c : {200 * kKiB, 900 * kKiB, 300 * kKiB}) {
    std::string s = Buffer(c);
    pool.Give(s);
  }
  ASSERT_EQ(pool.idle(), 3u);
  EXPECT_GE(pool.Take().capacity(), 900 * kKiB);
  const size_t second = pool.Take().capacity();
  EXPECT_GE(second, 300 * kKiB);
  EXPECT_LT(second, 900 * kKiB);
  EXPECT_GE(pool.Take().capacity(), 200 * kKiB);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(BodyBufferPoolTest, BuffersOutsideTheBoundsAreFreed) {
  BodyBufferPool pool(1024 * kKiB, 128 * kKiB, 512 * kKiB);
  std::string small = Buffer(64 * kKiB);
  pool.Give(small);
  std::string big = Buffer(600 * kKiB);
  pool.Give(big);
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_TRUE(small.empty());
  EXPECT_TRUE(big.empty());
  // The idle total stays within its bound: two of ~400 KiB fit in 1 MiB, a third does not.
  for (int i = 0; i < 3; ++i) {
    std::string s = Buffer(400 * kKiB);
    pool.Give(s);
  }
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_LE(pool.idle_bytes(), 1024 * kKiB);
}

TEST(BodyBufferPoolTest, ConcurrentTakeAndGiveKeepTheBound) {
  BodyBufferPool pool(2048 * kKiB, 128 * kKiB, 1024 * kKiB);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 200; ++i) {
        std::string s = pool.Take();
        s.reserve((128 + 64 * ((t + i) % 8)) * kKiB);
        s.assign(1000, 'y');
        pool.Give(s);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GE(pool.idle(), 1u);
  EXPECT_LE(pool.idle(), 4u);
  EXPECT_LE(pool.idle_bytes(), 2048 * kKiB);
  size_t sum = 0;
  while (pool.idle() > 0) sum += pool.Take().capacity();
  EXPECT_EQ(pool.idle_bytes(), 0u);
  EXPECT_GT(sum, 0u);
}

}  // namespace
}  // namespace vigia
