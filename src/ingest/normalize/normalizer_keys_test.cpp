#include "ingest/normalize/normalizer_keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "event/event_fields.h"

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

}  // namespace
}  // namespace vigia::normalize
