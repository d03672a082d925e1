#include "server/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigia {
namespace {

TEST(RequestIdTest, SaneIds) {
  EXPECT_TRUE(IsSaneRequestId("abc-123_X.y:z"));
  EXPECT_TRUE(IsSaneRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsSaneRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsSaneRequestId(""));
  EXPECT_FALSE(IsSaneRequestId("a b"));
  EXPECT_FALSE(IsSaneRequestId("a\"b"));
  EXPECT_FALSE(IsSaneRequestId("a\nb"));
  EXPECT_FALSE(IsSaneRequestId("caf\xc3\xa9"));
}

TEST(RequestIdTest, UuidV7Shape) {
  std::string id = NewUuidV7();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[13], '-');
  EXPECT_EQ(id[18], '-');
  EXPECT_EQ(id[23], '-');
  EXPECT_EQ(id[14], '7');                                          // version
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // variant 10xx
  for (char c : id) {
    EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
  }
}

TEST(RequestIdTest, UuidV7UniqueAndTimeOrdered) {
  std::set<std::string> ids;
  std::string prev_ms;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuidV7();
    EXPECT_TRUE(ids.insert(id).second);
    std::string ms = id.substr(0, 13);  // the 48-bit millisecond timestamp
    EXPECT_GE(ms, prev_ms);
    prev_ms = ms;
  }
}

TEST(RequestIdTest, ChooseKeepsSaneClientId) {
  EXPECT_EQ(ChooseRequestId("client-42"), "client-42");
  std::string generated = ChooseRequestId("bad id!");
  EXPECT_EQ(generated.size(), 36u);
  EXPECT_EQ(ChooseRequestId("").size(), 36u);
}

}  // namespace
}  // namespace vigia
