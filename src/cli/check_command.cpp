// `vigia check`: the daily report (monitor/check_report.h; docs/monitoring.md) — probes,
// KPIs with colour and trend, SLOs, alerts fired in the last 24 h, new error types, failed
// logins, disk, TLS certificates, backup, store integrity.
//   vigia check [--server URL] [--api-key K]            a running server (GET /v1/check)
//   vigia check --data DIR [--kpis FILE]                a data directory, read-only
//   options: --format text|markdown|json, --color auto|always|never
// Exit code: 0 green (or nothing to judge), 1 yellow, 2 red — also 2 when the server cannot
// be reached or the data directory cannot be opened, so cron and CI act on it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "backup/backup_file_names.h"
#include "cli/cmd_query_source.h"
#include "cli/commands.h"
#include "cli/server_backend.h"
#include "cli/server_options.h"
#include "common/env.h"
#include "common/limits.h"
#include "monitor/check_render.h"
#include "monitor/check_report.h"
#include "monitor/monitor_config.h"
#include "query/local_store_backend.h"
#include "store/store.h"

namespace vigia::cli {
namespace {

struct CheckArgs {
  ServerOptions conn;
  std::string data_dir;
  std::string kpis_file;
  std::string format = "text";
  std::string color = "auto";
  int disk_free_yellow_percent = limits::kCheckDiskFreeYellowPercent;
  int disk_free_red_percent = limits::kCheckDiskFreeRedPercent;
};

// The report of a data directory opened read-only: the KPIs of `kpis_file` (or the shipped
// set) evaluated locally, the store's own counters for disk and integrity.
Result<std::string> LocalReport(const CheckArgs& a) {
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<LocalStoreBackend> backend,
                         LocalStoreBackend::OpenReadOnly(a.data_dir));
  VIGIA_ASSIGN_OR_RETURN(MonitorConfig loaded, LoadMonitorConfig(a.kpis_file));
  auto config = std::make_shared<const MonitorConfig>(std::move(loaded));
  KpiEvaluator kpis(backend.get(), config);
  SloEvaluator slos(backend.get(), config);
  CheckInputs in;
  in.backend = backend.get();
  in.kpis = &kpis;
  in.slos = &slos;
  in.now_ns = NowNs();
  CheckFacts& f = in.facts;
  f.source = "data directory " + a.data_dir;
  const StoreStats st = backend->store().Stats();
  f.store_events = st.events;
  f.data_bytes = st.part_disk_bytes + st.wal_bytes;
  if (Result<DiskSpace> d = DiskSpaceOf(a.data_dir); d.ok()) {
    f.has_disk = true;
    f.fs_free_bytes = d->free_bytes;
    f.fs_total_bytes = d->total_bytes;
  }
  f.disk_free_yellow_percent = a.disk_free_yellow_percent;
  f.disk_free_red_percent = a.disk_free_red_percent;
  // The backup module's last backup and verification, as it recorded them (backup.md).
  if (Result<std::string> b =
          Env::Default()->ReadFileToString(JoinPath(a.data_dir, backup_file_names::kStateFile));
      b.ok()) {
    f.backup_json = std::move(*b);
  }
  for (const DegradedPart& d : backend->store().Degraded()) {
    f.degraded_parts.push_back(d.part + ": " + d.reason);
  }
  for (const ProbeTarget& t : config->probes) f.probe_targets.push_back(t.name);
  return BuildCheckReport(in);
}

int Run(CheckArgs a) {
  CheckFormat format = CheckFormat::kText;
  if (a.format == "markdown" || a.format == "md") {
    format = CheckFormat::kMarkdown;
  } else if (a.format == "json") {
    format = CheckFormat::kJson;
  } else if (a.format != "text") {
    std::fprintf(stderr, "vigia check: --format: expected text, markdown or json\n");
    return 2;
  }
  const bool ansi = a.color == "always" ||
                    (a.color == "auto" && ::isatty(STDOUT_FILENO) && format == CheckFormat::kText);
  Result<std::string> report = Status::Internal("no source");
  if (!a.data_dir.empty()) {
    report = LocalReport(a);
  } else {
    a.conn.ResolveDefaults();
    report = HttpGet(a.conn.server, a.conn.api_key, "/v1/check");
  }
  if (!report.ok()) {
    std::fprintf(stderr, "vigia check: %s\n", report.status().ToString().c_str());
    return 2;
  }
  Result<RenderedCheck> out = RenderCheckReport(*report, format, ansi);
  if (!out.ok()) {
    std::fprintf(stderr, "vigia check: %s\n", out.status().ToString().c_str());
    return 2;
  }
  std::fwrite(out->text.data(), 1, out->text.size(), stdout);
  return out->exit_code;
}

}  // namespace

void RegisterCheckCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Daily report: probes, KPIs, SLOs, alerts, new errors, failed logins, disk, TLS, "
      "backup, integrity; exit 0 green, 1 yellow, 2 red");
  args->conn.AddTo(cmd);
  cmd->add_option("--data", args->data_dir, "read a data directory instead of a server");
  cmd->add_option("--kpis", args->kpis_file,
                  "with --data: KPI/SLO/probe definitions (default: the shipped set)");
  cmd->add_option("--disk-free-yellow-percent", args->disk_free_yellow_percent,
                  "with --data: the disk is yellow below this free percentage (default 15)")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--disk-free-red-percent", args->disk_free_red_percent,
                  "with --data: the disk is red below this free percentage (default 5)")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--format", args->format, "text (default), markdown or json");
  cmd->add_option("--color", args->color, "auto (default: on a terminal), always or never");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace vigia::cli
