#include "ingest/normalize/normalizer_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "event/event_fields.h"
#include "ingest/normalize/key_map.h"

namespace vigia::normalize {
namespace {

// Every canonical name and some aliases, of every length from 2 to 14 bytes.
std::vector<std::string> Keys() {
  std::vector<std::string> keys;
  for (std::string_view k : fields::kAllCanonical) keys.emplace_back(k);
  for (const char* k : {"ts", "timestamp", "@timestamp", "time", "timeUnixNano", "message",
                        "severity", "lvl", "extra", "extra_fields", "error", "exception"}) {
    keys.emplace_back(k);
  }
  return keys;
}

TEST(NormalizerKeys, EveryKeyIsFoundAndNoNearMissIsTakenForIt) {
  for (const std::string& key : Keys()) {
    SCOPED_TRACE(key);
    const KeyInfo* info = LookupTopLevelKey(key);
    ASSERT_NE(info, nullptr);
    // Found through a copy at another address (the lookup compares bytes, not pointers).
    const std::string copy = key;
    EXPECT_EQ(LookupTopLevelKey(copy), info);
    // One byte different, at every position: never the same entry (the comparison reads
    // every byte of keys of every length).
    for (size_t i = 0; i < key.size(); ++i) {
      std::string near = key;
      near[i] = static_cast<char>(near[i] ^ 0x01);
      EXPECT_NE(LookupTopLevelKey(near), info) << near;
    }
    EXPECT_NE(LookupTopLevelKey(key + "x"), info);
    EXPECT_NE(LookupTopLevelKey(key.substr(0, key.size() - 1)), info);
    EXPECT_NE(LookupTopLevelKey("x" + key.substr(1)), info);
  }
  EXPECT_EQ(LookupTopLevelKey(""), nullptr);
  EXPECT_EQ(LookupTopLevelKey("not_a_known_key_at_all_x"), nullptr);
}

TEST(NormalizerKeys, TopLevelKeysListsWhatTheLookupKnows) {
  const std::vector<std::string_view> keys = TopLevelKeys();
  EXPECT_GT(keys.size(), static_cast<size_t>(kSlotCount));
  for (std::string_view k : keys) EXPECT_NE(LookupTopLevelKey(k), nullptr) << k;
  for (const std::string& k : Keys()) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  }
}

// Many keys of every length 0..40 sharing prefixes, suffixes and middles (what the hash
// reads): each is found with its own value, and keys one byte off are not found.
TEST(KeyMapTest, FindsEveryKeyAndNothingElse) {
  std::vector<std::string> names;
  for (size_t len = 0; len <= 40; ++len) {
    for (char c : {'a', 'b', 'z'}) {
      std::string k(len, 'x');
      if (len > 0) k[len / 2] = c;
      names.push_back(k);
    }
  }
  std::vector<KeyMap<int>::Entry> entries;
  for (size_t i = 0; i < names.size(); ++i) entries.push_back({names[i], static_cast<int>(i)});
  entries.push_back({names[5], -1});  // a key given twice keeps its first value
  const KeyMap<int> map(entries);
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    const std::string copy = names[i];
    const int* v = map.Find(copy);
    // "" and "x": the len-0 and len-1 keys with c at [0] collide as strings; first wins.
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(names[static_cast<size_t>(*v)], names[i]);
    std::string near = names[i] + "x";
    near[0] = 'q';
    EXPECT_EQ(map.Find(near), nullptr);
  }
  EXPECT_EQ(*map.Find(names[5]), 5);
  EXPECT_EQ(map.Find("not there"), nullptr);
  EXPECT_EQ(KeyMap<int>().Find(""), nullptr);
  EXPECT_EQ(KeyMap<int>().Find("ts"), nullptr);
}

}  // namespace
}  // namespace vigia::normalize
