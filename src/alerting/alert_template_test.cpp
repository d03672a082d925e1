#include "alerting/alert_template.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

TEST(AlertTemplateTest, RendersLabelsAndValue) {
  auto t =
      AlertTemplate::Parse("{{ $labels.route }} at {{$value}} ({{ $value | humanizePercentage }})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Render({{"route", "/pay"}}, 0.0123), "/pay at 0.0123 (1.23%)");
  EXPECT_EQ(t->Render({}, 12), " at 12 (1200%)");
}

TEST(AlertTemplateTest, PrintfAndHumanize) {
  auto t = AlertTemplate::Parse("p95 {{ $value | printf \"%.1f\" }} ms, {{ $value | humanize }}");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->Render({}, 1234567.0), "p95 1234567.0 ms, 1.235M");
  auto d = AlertTemplate::Parse("{{ $labels.n | printf \"%d failures\" }}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Render({{"n", "12"}}, 0), "12 failures");
}

// %d of a value outside long long's range saturates instead of being undefined behaviour
// (found by alerting_fuzz under UBSan: a label of "-1e300").
TEST(AlertTemplateTest, PrintfDSaturatesOutOfRangeValues) {
  auto d = AlertTemplate::Parse("{{ $labels.n | printf \"%d\" }}");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Render({{"n", "-1e300"}}, 0), "-9223372036854775808");
  EXPECT_EQ(d->Render({{"n", "1e300"}}, 0), "9223372036854775807");
  EXPECT_EQ(d->Render({{"n", "nan"}}, 0), "0");
  EXPECT_EQ(d->Render({{"n", "-7.9"}}, 0), "-7");
  auto v = AlertTemplate::Parse("{{ $value | printf \"%d\" }}");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Render({}, -1e300), "-9223372036854775808");
}

TEST(AlertTemplateTest, ErrorsNameTheColumn) {
  auto t = AlertTemplate::Parse("ok {{ $labls.route }}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message().rfind("column 4: unknown template action", 0), 0u)
      << t.status().message();
  EXPECT_FALSE(AlertTemplate::Parse("{{ $value").ok());
  EXPECT_FALSE(AlertTemplate::Parse("{{ $value | upper }}").ok());
  EXPECT_FALSE(AlertTemplate::Parse("{{ $value | printf \"%x\" }}").ok());
  EXPECT_FALSE(AlertTemplate::Parse("{{ $value | printf \"%f %f\" }}").ok());
  EXPECT_TRUE(AlertTemplate::Parse("no actions at all").ok());
}

}  // namespace
}  // namespace vigia
