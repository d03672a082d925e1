#include "monitor/monitor_config.h"

#include <gtest/gtest.h>

#include "monitor/default_kpis.h"

namespace vigia {
namespace {

TEST(MonitorConfig, DefaultSetParses) {
  Result<MonitorConfig> c = LoadMonitorConfig("");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (const char* name : {"rate_429", "login_failures_per_ip", "secrets_in_logs",
                           "auth_denied_share", "latency_p95", "uptime", "rate_5xx"}) {
    EXPECT_NE(c->FindKpi(name), nullptr) << name;
  }
  EXPECT_EQ(c->FindKpi("uptime")->direction, KpiDirection::kHigherIsBetter);
  EXPECT_EQ(c->FindKpi("rate_429")->window_ns, int64_t{3600} * 1'000'000'000);
  ASSERT_NE(c->FindSlo("availability"), nullptr);
  EXPECT_DOUBLE_EQ(c->FindSlo("availability")->target_percent, 99.9);
}

TEST(MonitorConfig, VqlErrorIsRejectedWithItsPosition) {
  Result<MonitorConfig> c = ParseMonitorConfig(R"([[kpi]]
name = "ok"
query = 'kind:request | stats count() as value'
window = "1h"
direction = "lower"
green = 1
yellow = 2

[[kpi]]
name = "broken"
query = 'kind:request | stats count() as value )'
window = "1h"
direction = "lower"
green = 1
yellow = 2
)",
                                               "kpis.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("kpis.toml:9: kpi \"broken\": query: 1:39:"),
            std::string::npos)
      << c.status().message();
}

TEST(MonitorConfig, BadDefinitionsAreRejected) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"[[kpi]]\nname = \"a\"\nquery = '*'\nwindow = \"1h\"\ndirection = \"up\"\ngreen = 1\n"
       "yellow = 2\n",
       "direction: expected \"lower\" or \"higher\""},
      {"[[kpi]]\nname = \"a\"\nquery = '*'\nwindow = \"1x\"\ndirection = \"lower\"\ngreen = 1\n"
       "yellow = 2\n",
       "window: expected a duration"},
      {"[[kpi]]\nname = \"a\"\nquery = '*'\nwindow = \"1h\"\ndirection = \"lower\"\ngreen = 3\n"
       "yellow = 2\n",
       "green must be <= yellow"},
      {"[[kpi]]\nname = \"a\"\nquery = '*'\nwindow = \"1h\"\ndirection = \"lower\"\n"
       "yellow = 2\n",
       "green: missing"},
      {"[[kpi]]\nname = \"A b\"\n", "name: use 1-64 of"},
      {"[[slo]]\nname = \"s\"\ntotal = 'kind:request | limit 1'\ngood = '*'\ntarget = 99\n"
       "period = \"30d\"\n",
       "total: must be a filter"},
      {"[[slo]]\nname = \"s\"\ntotal = '*'\ngood = '*'\ntarget = 100\nperiod = \"30d\"\n",
       "target: a percentage"},
      {"[kpis]\nx = 1\n", "unknown table \"kpis\""},
      {"[[kpi]]\nname = \"a\"\nquery = '*'\nwindow = \"1h\"\ndirection = \"lower\"\ngreen = 1\n"
       "yellow = 2\ncolour = 3\n",
       "unknown key \"colour\""},
      {"[[kpi]\n", "kpis.toml:1:"},
  };
  for (const Case& c : cases) {
    Result<MonitorConfig> r = ParseMonitorConfig(c.text, "kpis.toml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.error), std::string::npos)
        << r.status().message() << "\nwanted: " << c.error;
  }
}

TEST(MonitorConfig, DuplicateNamesAreRejected) {
  const std::string kpi =
      "[[kpi]]\nname = \"a\"\nquery = '*'\nwindow = \"1h\"\ndirection = \"lower\"\ngreen = 1\n"
      "yellow = 2\n";
  Result<MonitorConfig> r = ParseMonitorConfig(kpi + kpi, "kpis.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("defined twice"), std::string::npos);
}

TEST(MonitorConfig, MissingFileIsAnError) {
  Result<MonitorConfig> r = LoadMonitorConfig("/nonexistent/kpis.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace vigia
