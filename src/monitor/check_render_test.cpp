#include "monitor/check_render.h"

#include <gtest/gtest.h>

#include "monitor/check_report.h"
#include "monitor/default_kpis.h"
#include "monitor/monitor_test_util.h"

namespace vigia {
namespace {

using testing::kMin;
using testing::kNow;

// A report over in-memory events (the reference engine), as the server and the CLI build it.
std::string Report(const testing::EventSet& events, CheckFacts facts) {
  std::unique_ptr<QueryBackend> backend = events.Backend();
  auto config = std::make_shared<const MonitorConfig>(
      ParseMonitorConfig(DefaultKpisToml(), "defaults").value());
  KpiEvaluator kpis(backend.get(), config);
  SloEvaluator slos(backend.get(), config);
  CheckInputs in;
  in.backend = backend.get();
  in.kpis = &kpis;
  in.slos = &slos;
  in.now_ns = kNow;
  in.facts = std::move(facts);
  return BuildCheckReport(in);
}

CheckFacts HealthyFacts() {
  CheckFacts f;
  f.source = "test";
  f.server_status = "ok";
  f.has_disk = true;
  f.fs_free_bytes = 50;
  f.fs_total_bytes = 100;
  return f;
}

TEST(CheckReport, ColoursAndExitCodes) {
  testing::EventSet events;
  testing::Request ok;
  events.Add(ok, 1000);
  std::string json = Report(events, HealthyFacts());
  Result<RenderedCheck> r = RenderCheckReport(json, CheckFormat::kText, false);
  ASSERT_TRUE(r.ok()) << json;
  EXPECT_EQ(r->color, "green") << json;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_NE(r->text.find("[green]  KPIs"), std::string::npos) << r->text;

  // Disk below 15 % free: yellow; below 5 %: red; a degraded part: red.
  CheckFacts f = HealthyFacts();
  f.fs_free_bytes = 10;
  r = RenderCheckReport(Report(events, f), CheckFormat::kText, false);
  EXPECT_EQ(r->exit_code, 1) << r->text;
  EXPECT_NE(r->text.find("[yellow] Disk"), std::string::npos) << r->text;
  f.fs_free_bytes = 4;
  EXPECT_EQ(RenderCheckReport(Report(events, f), CheckFormat::kJson, false)->exit_code, 2);
  f = HealthyFacts();
  f.degraded_parts = {"p/0001: checksum mismatch"};
  r = RenderCheckReport(Report(events, f), CheckFormat::kMarkdown, false);
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_NE(r->text.find("## Store integrity (red)"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("| p/0001: checksum mismatch |"), std::string::npos) << r->text;

  // A backup whose verification failed is red; one that passed is green.
  f = HealthyFacts();
  f.backup_json = R"({"target":"/b","last_backup":"x","last_backup_at":"2026-11-22T03:00:00Z",)"
                  R"("last_verify":"failed: audit_chain"})";
  json = Report(events, f);
  EXPECT_NE(json.find(R"("last_verify":"failed: audit_chain"},"color":"red"})"), std::string::npos)
      << json;
  f.backup_json = R"({"last_backup_at":"2026-11-22T03:00:00Z","last_verify":"passed"})";
  EXPECT_EQ(RenderCheckReport(Report(events, f), CheckFormat::kJson, false)->exit_code, 0);
}

TEST(CheckReport, ConfiguredProbeWithoutResultsIsYellowAndServerDownIsRed) {
  testing::EventSet events;
  CheckFacts f = HealthyFacts();
  f.probe_targets = {"db"};
  std::string json = Report(events, f);
  EXPECT_NE(json.find(R"("name":"db","runs_24h":0,"uptime_24h":null,"last":null,)"),
            std::string::npos)
      << json;
  EXPECT_EQ(RenderCheckReport(json, CheckFormat::kJson, false)->exit_code, 1);
  f = HealthyFacts();
  f.server_status = "unavailable";
  EXPECT_EQ(RenderCheckReport(Report(events, f), CheckFormat::kJson, false)->exit_code, 2);
}

TEST(CheckRender, RefusesWhatIsNotAReport) {
  EXPECT_FALSE(RenderCheckReport("{}", CheckFormat::kText, false).ok());
  EXPECT_FALSE(RenderCheckReport("not json", CheckFormat::kMarkdown, false).ok());
  EXPECT_EQ(CheckExitCode("none"), 0);
  EXPECT_EQ(CheckExitCode("yellow"), 1);
  EXPECT_EQ(CheckExitCode("red"), 2);
}

}  // namespace
}  // namespace vigia
