#include "query/group_key_index.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

namespace vigia {
namespace {

// Random keys, many of them prefixes of others or equal but for one byte, and the empty key,
// against a std::unordered_map: every key finds its own group through the index's growth, and
// keys never inserted are not found.
TEST(GroupKeyIndex, FindsEveryKeyItWasGivenAndNoOther) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    GroupKeyIndex index;
    std::unordered_map<std::string, uint32_t> oracle;
    auto random_key = [&] {
      std::string k(rng() % 12, '\0');
      for (char& c : k) c = static_cast<char>('a' + rng() % 3);  // few letters: many near-equal
      return k;
    };
    for (int i = 0; i < 20000; ++i) {
      const std::string k = random_key();
      const uint64_t h = GroupKeyIndex::Hash(k);
      auto found = index.Find(k, h);
      auto it = oracle.find(k);
      if (it == oracle.end()) {
        ASSERT_FALSE(found.has_value()) << k;
        const uint32_t g = index.Insert(k, h);
        ASSERT_EQ(g, oracle.size());
        oracle.emplace(k, g);
      } else {
        ASSERT_TRUE(found.has_value()) << k;
        ASSERT_EQ(*found, it->second) << k;
      }
    }
    ASSERT_EQ(index.size(), oracle.size());
    for (const auto& [k, g] : oracle) {
      EXPECT_EQ(index.key(g), k);
      EXPECT_EQ(index.Find(k, GroupKeyIndex::Hash(k)), g);
    }
    EXPECT_FALSE(index.Find("not a key", GroupKeyIndex::Hash("not a key")).has_value());
  }
}

// Keys whose hashes collide on every slot bit still find their own group: the probe compares
// the whole hash and then the bytes. (Equal hashes for different keys are forced here by
// passing the same hash, as a full-hash collision would.)
TEST(GroupKeyIndex, KeysWithTheSameHashAreToldApartByTheirBytes) {
  GroupKeyIndex index;
  const uint64_t h = 42;
  const uint32_t a = index.Insert("10.0.0.1", h);
  const uint32_t b = index.Insert("10.0.0.2", h);
  const uint32_t c = index.Insert("", h);
  EXPECT_EQ(index.Find("10.0.0.1", h), a);
  EXPECT_EQ(index.Find("10.0.0.2", h), b);
  EXPECT_EQ(index.Find("", h), c);
  EXPECT_FALSE(index.Find("10.0.0.3", h).has_value());
  EXPECT_EQ(index.key(b), "10.0.0.2");
  EXPECT_GT(index.memory_bytes(), 0u);
}

}  // namespace
}  // namespace vigia
