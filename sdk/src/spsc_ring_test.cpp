#include "spsc_ring.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace vigia::sdk::internal {
namespace {

// Writes a record the way the fast encoder may: the payload, then garbage over the kSlack
// bytes after it. Returns false when the ring is full.
bool put(SpscRing& ring, uint32_t seq, size_t payload) {
  char* p = ring.reserve(payload);
  if (p == nullptr) return false;
  for (size_t i = 0; i < payload; ++i) p[i] = static_cast<char>(seq + i);
  std::memset(p + payload, 0xAA, SpscRing::kSlack);
  ring.commit();
  return true;
}

bool intact(const char* d, size_t len, uint32_t seq, size_t payload) {
  if (len != payload) return false;
  for (size_t i = 0; i < payload; ++i)
    if (d[i] != static_cast<char>(seq + i)) return false;
  return true;
}

// The ring refuses a record whose slack would land on the oldest unread record: filled to the
// last byte after the consumer has moved on (so the free space ends inside the buffer, not at
// its end), every record still reads back as written.
TEST(SpscRing, SlackNeverOverwritesUnreadRecords) {
  SpscRing ring(4096);
  const size_t payload = 56;  // 64-byte records: the ring holds 64 of them exactly
  uint32_t seq = 0;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(put(ring, seq++, payload));
  ASSERT_EQ(ring.drain([](const char*, size_t) {}, 100), 10u);
  const uint32_t first = seq;
  while (put(ring, seq, payload)) ++seq;
  // 4096 bytes free, but the last 64-byte record would leave no room for its slack.
  EXPECT_EQ(seq - first, 63u);
  uint32_t expect = first;
  size_t bad = 0;
  ring.drain(
      [&](const char* d, size_t len) {
        if (!intact(d, len, expect, payload)) ++bad;
        ++expect;
      },
      1000);
  EXPECT_EQ(expect, seq);
  EXPECT_EQ(bad, 0u);
}

// A record that ends at the buffer's end writes its slack into the bytes allocated past it.
TEST(SpscRing, RecordEndingAtTheBufferEnd) {
  SpscRing ring(4096);
  uint32_t seq = 0;
  for (int i = 0; i < 63; ++i) ASSERT_TRUE(put(ring, seq++, 56));
  ASSERT_EQ(ring.drain([](const char*, size_t) {}, 100), 63u);
  ASSERT_TRUE(put(ring, seq, 56));      // offsets 4032..4096, slack at 4096..4104
  ASSERT_TRUE(put(ring, seq + 1, 56));  // wraps to offset 0
  uint32_t expect = seq;
  size_t bad = 0;
  EXPECT_EQ(ring.drain(
                [&](const char* d, size_t len) {
                  if (!intact(d, len, expect, 56)) ++bad;
                  ++expect;
                },
                10),
            2u);
  EXPECT_EQ(bad, 0u);
}

// One producer writing records of varied sizes (and their slack) while the consumer reads:
// every record arrives intact and in order (run under ThreadSanitizer with the concurrent
// tests).
TEST(SpscRing, ConcurrentProducerAndConsumer) {
  SpscRing ring(4096);
  constexpr uint32_t kRecords = 200000;
  auto size_of = [](uint32_t s) { return static_cast<size_t>(s % 200); };
  std::thread producer([&] {
    for (uint32_t s = 0; s < kRecords;) {
      if (put(ring, s, size_of(s))) {
        ++s;
      } else {
        std::this_thread::yield();
      }
    }
  });
  uint32_t expect = 0;
  size_t bad = 0;
  while (expect < kRecords) {
    const size_t n = ring.drain(
        [&](const char* d, size_t len) {
          if (!intact(d, len, expect, size_of(expect))) ++bad;
          ++expect;
        },
        256);
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_TRUE(ring.empty());
}

}  // namespace
}  // namespace vigia::sdk::internal
