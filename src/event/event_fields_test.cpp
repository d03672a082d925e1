#include "event/event_fields.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigia {
namespace {

TEST(EventFieldsTest, CanonicalNamesAreUniqueAndRecognized) {
  std::set<std::string_view> seen;
  for (std::string_view n : fields::kAllCanonical) {
    EXPECT_TRUE(seen.insert(n).second) << n;
    EXPECT_TRUE(fields::IsCanonical(n)) << n;
  }
  EXPECT_TRUE(fields::IsCanonical("ts"));
  EXPECT_TRUE(fields::IsCanonical("error.type"));
  EXPECT_FALSE(fields::IsCanonical("message"));
  EXPECT_FALSE(fields::IsCanonical("Level"));
  EXPECT_FALSE(fields::IsCanonical("meta.saleId"));
}

TEST(EventFieldsTest, LevelSpellings) {
  EXPECT_EQ(ParseLevel("WARNING"), EventLevel::kWarn);
  EXPECT_EQ(ParseLevel("warn"), EventLevel::kWarn);
  EXPECT_EQ(ParseLevel("CRITICAL"), EventLevel::kFatal);
  EXPECT_EQ(ParseLevel("Fatal"), EventLevel::kFatal);
  EXPECT_EQ(ParseLevel("ERR"), EventLevel::kError);
  EXPECT_EQ(ParseLevel("INFO"), EventLevel::kInfo);
  EXPECT_EQ(ParseLevel("DEBUG"), EventLevel::kDebug);
  EXPECT_EQ(ParseLevel("trace"), EventLevel::kTrace);
  EXPECT_EQ(ParseLevel("notice"), EventLevel::kInfo);
  EXPECT_EQ(ParseLevel("emerg"), EventLevel::kFatal);
  EXPECT_EQ(ParseLevel("verbose"), std::nullopt);
  EXPECT_EQ(ParseLevel(""), std::nullopt);
  EXPECT_EQ(LevelName(EventLevel::kWarn), "warn");
}

TEST(EventFieldsTest, KindSpellings) {
  EXPECT_EQ(ParseKind("Request"), EventKind::kRequest);
  EXPECT_EQ(ParseKind("AUDIT"), EventKind::kAudit);
  EXPECT_EQ(ParseKind("probe"), EventKind::kProbe);
  EXPECT_EQ(ParseKind("alert"), EventKind::kAlert);
  EXPECT_EQ(ParseKind("Event"), std::nullopt);
  EXPECT_EQ(KindName(EventKind::kMetric), "metric");
}

TEST(EventFieldsTest, PerfClassThresholds) {
  EXPECT_EQ(PerfClassFor(0), "excellent");
  EXPECT_EQ(PerfClassFor(49.99), "excellent");
  EXPECT_EQ(PerfClassFor(50), "good");
  EXPECT_EQ(PerfClassFor(199.9), "good");
  EXPECT_EQ(PerfClassFor(200), "slow");
  EXPECT_EQ(PerfClassFor(999), "slow");
  EXPECT_EQ(PerfClassFor(1000), "very_slow");
}

}  // namespace
}  // namespace vigia
