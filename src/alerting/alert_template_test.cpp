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
