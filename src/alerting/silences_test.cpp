#include "alerting/silences.h"

#include <gtest/gtest.h>

#include "alerting/alert_test_util.h"

namespace vigia {
namespace {

using testing::kSec;

TEST(SilencesTest, MatchersFollowAlertmanager) {
  LabelSet l = {{"alertname", "HighErrorRate"}, {"route", "/sales/1"}};
  EXPECT_TRUE(LabelMatcher::Parse("alertname=HighErrorRate")->Matches(l));
  EXPECT_FALSE(LabelMatcher::Parse("alertname!=HighErrorRate")->Matches(l));
  EXPECT_TRUE(LabelMatcher::Parse("route=~/sales.*")->Matches(l));
  EXPECT_FALSE(LabelMatcher::Parse("route=~sales")->Matches(l));  // anchored
  EXPECT_TRUE(LabelMatcher::Parse("team!~ops|db")->Matches(l));
  EXPECT_TRUE(LabelMatcher::Parse("team=")->Matches(l));  // absent = ""
  EXPECT_FALSE(LabelMatcher::Parse("1x=y").ok());
  EXPECT_FALSE(LabelMatcher::Parse("x=~(").ok());
  EXPECT_FALSE(LabelMatcher::Parse("novalue").ok());
}

TEST(SilencesTest, ParseRequestAndWindow) {
  auto s = ParseSilenceRequest(
      R"({"matchers":["alertname=A",{"name":"route","value":"/a.*","isRegex":true}],"duration":"1h","comment":"deploy","createdBy":"ana"})",
      100 * kSec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->matchers.size(), 2u);
  EXPECT_EQ(s->ends_at_ns, 100 * kSec + 3600 * kSec);
  EXPECT_EQ(s->StatusAt(100 * kSec), "active");
  EXPECT_FALSE(ParseSilenceRequest(R"({"matchers":["a=b"],"duration":"1h"})", 0).ok());
  EXPECT_FALSE(ParseSilenceRequest(R"({"matchers":[],"duration":"1h","comment":"x"})", 0).ok());
  EXPECT_FALSE(ParseSilenceRequest(R"({"matchers":["a=b"],"comment":"x"})", 0).ok());
}

TEST(SilencesTest, AddMatchExpire) {
  SilenceSet set(Env::Default(), "");
  Silence s =
      *ParseSilenceRequest(R"({"matchers":["alertname=A"],"duration":"1h","comment":"c"})", 0);
  auto id = set.Add(s, 0);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(set.Matching({{"alertname", "A"}}, 10 * kSec), std::vector<std::string>{*id});
  EXPECT_TRUE(set.Matching({{"alertname", "B"}}, 10 * kSec).empty());
  ASSERT_TRUE(set.Expire(*id, 20 * kSec).ok());
  EXPECT_TRUE(set.Matching({{"alertname", "A"}}, 20 * kSec).empty());
  EXPECT_EQ(set.Expire("nope", 0).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigia
