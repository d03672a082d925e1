// BackupModule: the server's backups (src/backup; docs/backup.md). With `backup.target` set
// it opens (creating on first use) the encrypted repository there at Start — a wrong key
// stops the server with the reason — and then:
//   - on its schedule — every backup.interval_sec, or a cron expression backup.schedule
//     ("30 2 * * *", common/cron_schedule.h), or daily at backup.at ("HH:MM"); the last two
//     in backup.timezone (default UTC; DST rules in cron_schedule.h) —
//     backs up the running store (Store::Checkpoint: ingest goes on) plus every other file
//     of the data directory, prunes per backup.keep_* / max_age_days, and verifies the new
//     backup (backup.verify = "each", or "weekly": when the last verification is 7 days old)
//     writing the evidence report into backup.report_dir. The scheduler task `backup.run`
//     only checks every minute whether a backup is due, against the last backup recorded in
//     <data_dir>/backup-state.json, so restarts neither skip nor repeat a scheduled backup (a
//     server restarted daily still backs up daily; one that was down at 02:30 backs up when
//     it is back), and a failed backup is retried after limits::kBackupRetrySec;
//   - POST /v1/admin/backups (role: admin) makes a backup now and answers its summary (201);
//     GET /v1/admin/backups (role: admin) lists the repository's backups.
// Each backup, verification and restore is a kind=audit event through ctx->ingest
// (action backup.created / backup.verified / backup.restored; outcome success|failure); a
// failed backup or verification is also a kind=alert event (level error). A restore is
// recorded by `vigia backup restore` as a marker file in the restored directory, which this
// module turns into the backup.restored event at the next start.
// Metrics: vigia_backup_runs_total{result}, vigia_backup_last_success_timestamp_seconds,
// vigia_backup_last_verify_ok. /health/ready shows the last backup and verification under
// "backup" (degraded when the last one failed).
//
// Thread-safety: see ServerModule; one backup at a time (a second request gets 503).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "backup/backup_prune.h"
#include "backup/backup_repository.h"
#include "common/cron_schedule.h"
#include "common/metric_registry.h"
#include "common/time_zone.h"
#include "server/server_module.h"

namespace vigia {

enum class BackupVerifyPolicy { kNever, kEach, kWeekly };

// [backup]
struct BackupModuleOptions {
  std::string target;  // "" = no backups (the module does nothing)
  std::string key_file;
  std::string passphrase_file;
  int interval_sec = 0;  // 0 = no scheduled backups by interval (the route still works)
  // A cron expression (5 fields, or @daily ...), instead of interval_sec; "" = not set.
  std::string schedule;
  // Daily at this time of day ("HH:MM"): the same as schedule = "MM HH * * *"; "" = not set.
  std::string at;
  // The time zone of schedule and at (an IANA name, from the system's zoneinfo).
  std::string timezone = "UTC";
  // Seed deployments keep 14-30 days of daily backups.
  BackupRetention retention = [] {
    BackupRetention r;
    r.keep_daily = 14;
    return r;
  }();
  BackupVerifyPolicy verify = BackupVerifyPolicy::kWeekly;
  std::string report_dir;  // "" = <data_dir>/backup-reports
};

class BackupModule final : public ServerModule {
 public:
  explicit BackupModule(BackupModuleOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "backup"; }
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  HealthState Health(JsonWriter* details) const override;

  // One backup (+ prune + verification per policy) now, as the scheduled task does; the
  // manifest's summary as JSON. `actor` goes into the audit events.
  Result<std::string> RunBackup(const std::string& actor, bool force_verify);

  // When the next scheduled backup is due (wall clock, ns), given the last successful one
  // (0 = none: due at once) and the last failed attempt; INT64_MAX when nothing is
  // scheduled. Public for tests.
  int64_t NextDueNs(int64_t last_backup_ns, int64_t last_failure_ns) const;

 private:
  void Emit(std::string_view ndjson_line);
  void EmitAudit(const std::string& action, const std::string& actor, const std::string& id,
                 bool ok, const std::string& msg);
  void EmitAlert(const std::string& what, const std::string& msg);
  void ReportRestoreMarker();
  // <data_dir>/backup-state.json: what Health reports, kept across restarts.
  void LoadState();
  void SaveState();  // REQUIRES: state_mu_ held
  Status RunIfDue();

  const BackupModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<BackupRepository> repo_;
  std::string report_dir_;
  std::mutex run_mu_;  // one backup at a time

  mutable std::mutex state_mu_;
  std::string last_id_;               // guarded by state_mu_
  int64_t last_backup_ns_ = 0;        // guarded by state_mu_
  std::string last_error_;            // guarded by state_mu_
  int64_t last_verify_ns_ = 0;        // guarded by state_mu_
  std::string last_verify_result_;    // guarded by state_mu_: "", "passed", "failed: ..."
  int64_t last_failure_ns_ = 0;       // guarded by state_mu_
  std::optional<CronSchedule> cron_;  // backup.schedule or backup.at; unset with interval_sec
  TimeZone tz_ = TimeZone::Utc();

  Counter* runs_ok_ = nullptr;
  Counter* runs_failed_ = nullptr;
  Gauge* last_success_ = nullptr;
  Gauge* last_verify_ok_ = nullptr;
};

}  // namespace vigia
