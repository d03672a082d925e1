#include "common/vector_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace vigia {
namespace {

using Pool = VectorPool<uint64_t>;

std::vector<uint64_t> WithCapacity(size_t n) {
  std::vector<uint64_t> v;
  v.reserve(n);
  v.push_back(7);  // a used buffer: Give must hand it out empty
  return v;
}

TEST(VectorPoolTest, TakeReturnsAGivenBufferWithinTwiceTheRequest) {
  Pool pool(1 << 20, 1024);
  auto v = WithCapacity(1000);
  const uint64_t* data = v.data();
  pool.Give(v);
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_EQ(pool.stats().idle, 1u);
  EXPECT_EQ(pool.stats().idle_bytes, 1000 * sizeof(uint64_t));

  EXPECT_EQ(pool.Take(1001).capacity(), 0u);  // too small
  EXPECT_EQ(pool.Take(499).capacity(), 0u);   // would pin more than twice the request
  std::vector<uint64_t> got = pool.Take(500);
  EXPECT_EQ(got.data(), data);
  EXPECT_TRUE(got.empty());
  EXPECT_GE(got.capacity(), 1000u);
  EXPECT_EQ(pool.stats().idle, 0u);
  EXPECT_EQ(pool.stats().idle_bytes, 0u);
  EXPECT_EQ(pool.stats().takes, 1u);
  EXPECT_EQ(pool.stats().misses, 2u);
}

TEST(VectorPoolTest, TakePrefersTheSmallestBufferThatFits) {
  Pool pool(1 << 20, 1024);
  auto big = WithCapacity(4000);
  auto mid = WithCapacity(2000);
  auto small = WithCapacity(1000);
  const uint64_t* mid_data = mid.data();
  pool.Give(big);
  pool.Give(mid);
  pool.Give(small);
  EXPECT_EQ(pool.Take(1500).data(), mid_data);
  EXPECT_EQ(pool.stats().idle, 2u);
}

TEST(VectorPoolTest, SmallBuffersAndRequestsBypassThePool) {
  Pool pool(1 << 20, 4096);
  auto v = WithCapacity(100);  // 800 bytes < 4096
  pool.Give(v);
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_EQ(pool.stats().idle, 0u);
  auto big = WithCapacity(1000);
  pool.Give(big);
  EXPECT_EQ(pool.Take(100).capacity(), 0u);  // a small request is not served from the pool
  EXPECT_EQ(pool.stats().misses, 0u);        // nor counted as a miss
  EXPECT_EQ(pool.stats().idle, 1u);
}

TEST(VectorPoolTest, TheIdleBoundEvictsTheOldestBuffers) {
  const size_t bytes = 1000 * sizeof(uint64_t);
  Pool pool(3 * bytes, 1024);
  std::vector<const uint64_t*> data;
  for (int i = 0; i < 5; ++i) {
    auto v = WithCapacity(1000);
    data.push_back(v.data());
    pool.Give(v);
    EXPECT_LE(pool.stats().idle_bytes, 3 * bytes);
  }
  EXPECT_EQ(pool.stats().idle, 3u);
  EXPECT_EQ(pool.stats().evictions, 2u);
  // The three given last are the ones kept.
  std::vector<const uint64_t*> kept;
  for (int i = 0; i < 3; ++i) kept.push_back(pool.Take(1000).data());
  for (int i = 2; i < 5; ++i) {
    EXPECT_NE(std::find(kept.begin(), kept.end(), data[i]), kept.end()) << i;
  }
  // A buffer bigger than the whole bound is freed, not kept at the others' expense.
  auto huge = WithCapacity(4000);
  pool.Give(huge);
  EXPECT_EQ(pool.stats().idle, 0u);
}

TEST(VectorPoolTest, ReleaseIfIdleFreesOnlyAfterTheIdleTime) {
  Pool pool(1 << 20, 1024);
  auto v = WithCapacity(1000);
  pool.Give(v);
  EXPECT_EQ(pool.ReleaseIfIdle(std::chrono::hours(1)), 0u);
  EXPECT_EQ(pool.stats().idle, 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(pool.ReleaseIfIdle(std::chrono::milliseconds(10)), 1000 * sizeof(uint64_t));
  EXPECT_EQ(pool.stats().idle, 0u);
  EXPECT_EQ(pool.stats().idle_bytes, 0u);
  EXPECT_EQ(pool.stats().releases, 1u);
}

TEST(VectorPoolTest, ConcurrentTakeAndGiveKeepTheAccounting) {
  Pool pool(64 * 1000 * sizeof(uint64_t), 1024);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 2000; ++i) {
        std::vector<uint64_t> v = pool.Take(1000);
        if (v.capacity() < 1000) v.reserve(1000 + static_cast<size_t>(t));
        v.assign(1000, static_cast<uint64_t>(i));
        pool.Give(v);
      }
    });
  }
  for (auto& th : threads) th.join();
  const Pool::Stats s = pool.stats();
  EXPECT_LE(s.idle, 4u);
  EXPECT_GE(s.takes, 1u);
  size_t expect_bytes = 0;
  for (size_t i = 0; i < s.idle; ++i) {
    std::vector<uint64_t> v = pool.Take(1000);
    EXPECT_TRUE(v.empty());
    expect_bytes += v.capacity() * sizeof(uint64_t);
  }
  EXPECT_EQ(expect_bytes, s.idle_bytes);
}

}  // namespace
}  // namespace vigia
