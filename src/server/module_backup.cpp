#include "server/module_backup.h"

#include <simdjson.h>

#include "backup/backup_create.h"
#include "backup/backup_file_names.h"
#include "backup/backup_verify.h"
#include "common/json_writer.h"
#include "common/limits.h"
#include "common/logger.h"
#include "common/time_format.h"
#include "common/time_units.h"
#include "server/http_errors.h"
#include "server/own_events.h"

namespace vigia {
namespace {

constexpr int64_t kWeekNs = 7 * kNanosPerDay;

std::string ReadPassphrase(const std::string& file, Status* st) {
  auto p = Env::Default()->ReadFileToString(file);
  if (!p.ok()) {
    *st = p.status();
    return "";
  }
  std::string s = std::move(*p);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string SummaryJson(const BackupManifest& m, const std::string& verify) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .KV("id", m.id)
      .KV("created", FormatRfc3339(m.created_ns, 0))
      .KV("parent", m.parent)
      .KV("events", m.events)
      .KV("files", uint64_t{m.files.size()})
      .KV("bytes", m.bytes)
      .KV("new_blobs", m.new_blobs)
      .KV("new_blob_bytes", m.new_blob_bytes)
      .KV("reused_blobs", m.reused_blobs)
      .KV("wal_seq", m.wal_seq)
      .KV("duration_sec", m.duration_sec)
      .KV("verify", verify)
      .EndObject();
  return out;
}

}  // namespace

Status BackupModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  // Whether or not this server makes backups, a restore into its directory is recorded.
  ReportRestoreMarker();
  if (options_.target.empty()) return Status::Ok();
  if (ctx->store == nullptr)
    return Status::Internal("backup module: the store module must start first");
  BackupKeySource key;
  key.key_file = options_.key_file;
  if (!options_.passphrase_file.empty()) {
    Status st;
    key.passphrase = ReadPassphrase(options_.passphrase_file, &st);
    VIGIA_RETURN_IF_ERROR(st);
  }
  const int schedules =
      (options_.interval_sec > 0) + !options_.schedule.empty() + !options_.at.empty();
  if (schedules > 1) {
    return Status::InvalidArgument(
        "backup.interval_sec, backup.schedule and backup.at: set one of them");
  }
  if (!options_.schedule.empty() || !options_.at.empty()) {
    auto tz = TimeZone::Load(ctx->env, options_.timezone);
    if (!tz.ok()) return Status(tz.status().code(), "backup.timezone: " + tz.status().message());
    tz_ = *tz;
    auto cron = options_.schedule.empty() ? CronSchedule::Daily(options_.at)
                                          : CronSchedule::Parse(options_.schedule);
    if (!cron.ok()) {
      return Status::InvalidArgument(
          options_.schedule.empty()
              ? "backup.at: expected HH:MM (in backup.timezone), got \"" + options_.at + "\""
              : "backup.schedule: " + cron.status().message());
    }
    cron_ = *cron;
  }
  VIGIA_ASSIGN_OR_RETURN(auto target, OpenBackupTarget(options_.target));
  auto repo = BackupRepository::Open(std::move(target), key, /*create=*/true);
  if (!repo.ok()) {
    return Status(repo.status().code(),
                  "backup.target " + options_.target + ": " + repo.status().message());
  }
  repo_ = std::move(*repo);
  report_dir_ = options_.report_dir.empty()
                    ? JoinPath(ctx->data_dir, backup_file_names::kReportsDir)
                    : options_.report_dir;
  runs_ok_ = ctx->metrics->GetCounter("vigia_backup_runs_total", "Backups made, by result",
                                      {"result"}, {"ok"});
  runs_failed_ = ctx->metrics->GetCounter("vigia_backup_runs_total", "Backups made, by result",
                                          {"result"}, {"failed"});
  last_success_ = ctx->metrics->GetGauge("vigia_backup_last_success_timestamp_seconds",
                                         "Unix time of the last successful backup");
  last_verify_ok_ = ctx->metrics->GetGauge("vigia_backup_last_verify_ok",
                                           "1 when the last backup verification passed, else 0");
  LoadState();
  if (options_.interval_sec > 0 || cron_) {
    ScheduledTask task;
    task.name = "backup.run";
    task.interval_ns = int64_t{limits::kBackupScheduleCheckSec} * kNanosPerSecond;
    task.first_delay_ns = 0;
    task.run = [this] { return RunIfDue(); };
    ctx->scheduler->AddTask(std::move(task));
  }
  return Status::Ok();
}

int64_t BackupModule::NextDueNs(int64_t last_backup_ns, int64_t last_failure_ns) const {
  int64_t due = INT64_MAX;
  if (options_.interval_sec > 0) {
    due =
        last_backup_ns == 0 ? 0 : last_backup_ns + int64_t{options_.interval_sec} * kNanosPerSecond;
  } else if (cron_) {
    // The first firing after the last backup; with none yet, at once (a first backup as
    // soon as backups are configured).
    due = last_backup_ns == 0 ? 0 : cron_->NextAfter(last_backup_ns, tz_).value_or(INT64_MAX);
  }
  if (due != INT64_MAX && last_failure_ns > last_backup_ns) {
    due = std::max(due, last_failure_ns + int64_t{limits::kBackupRetrySec} * kNanosPerSecond);
  }
  return due;
}

Status BackupModule::RunIfDue() {
  int64_t last, failed;
  {
    std::lock_guard<std::mutex> l(state_mu_);
    last = last_backup_ns_;
    failed = last_failure_ns_;
  }
  if (ctx_->env->NowNanos() < NextDueNs(last, failed)) return Status::Ok();
  return RunBackup("scheduler", false).status();
}

void BackupModule::LoadState() {
  const std::string path = JoinPath(ctx_->data_dir, backup_file_names::kStateFile);
  Env* env = ctx_->env;
  if (!env->FileExists(path)) return;
  auto json = env->ReadFileToString(path);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!json.ok() || parser.parse(simdjson::padded_string(*json)).get(doc) != simdjson::SUCCESS) {
    logger::Warn("backup: unreadable state file, starting without it", {{"path", path}});
    return;
  }
  std::lock_guard<std::mutex> l(state_mu_);
  std::string_view sv;
  int64_t n = 0;
  if (doc["last_backup"].get_string().get(sv) == simdjson::SUCCESS) last_id_ = sv;
  if (doc["last_backup_ns"].get_int64().get(n) == simdjson::SUCCESS) last_backup_ns_ = n;
  if (doc["last_error"].get_string().get(sv) == simdjson::SUCCESS) last_error_ = sv;
  if (doc["last_failure_ns"].get_int64().get(n) == simdjson::SUCCESS) last_failure_ns_ = n;
  if (doc["last_verify_ns"].get_int64().get(n) == simdjson::SUCCESS) last_verify_ns_ = n;
  if (doc["last_verify"].get_string().get(sv) == simdjson::SUCCESS) last_verify_result_ = sv;
  if (last_backup_ns_ != 0) last_success_->Set(static_cast<double>(last_backup_ns_) / 1e9);
  if (!last_verify_result_.empty()) last_verify_ok_->Set(last_verify_result_ == "passed" ? 1 : 0);
}

void BackupModule::SaveState() {
  // The same keys as the health details (what `vigia check --data` reads), plus the exact
  // times the schedule needs.
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("target", options_.target).KV("last_backup", last_id_);
  if (last_backup_ns_ != 0) w.KV("last_backup_at", FormatRfc3339(last_backup_ns_, 0));
  w.KV("last_backup_ns", last_backup_ns_);
  if (!last_error_.empty()) w.KV("last_error", last_error_);
  w.KV("last_failure_ns", last_failure_ns_);
  if (last_verify_ns_ != 0) w.KV("last_verify_at", FormatRfc3339(last_verify_ns_, 0));
  w.KV("last_verify_ns", last_verify_ns_);
  if (!last_verify_result_.empty()) w.KV("last_verify", last_verify_result_);
  w.EndObject();
  Status st =
      WriteFileAtomic(ctx_->env, JoinPath(ctx_->data_dir, backup_file_names::kStateFile), out);
  if (!st.ok()) logger::Warn("backup: could not save the state file", {{"error", st.ToString()}});
}

void BackupModule::Emit(std::string_view line) {
  if (ctx_->ingest == nullptr) return;  // `vigia backup` run offline: nowhere to record
  RecordOwnEvents(*ctx_, line, "backup event");
}

void BackupModule::EmitAudit(const std::string& action, const std::string& actor,
                             const std::string& id, bool ok, const std::string& msg) {
  std::string line;
  JsonWriter w(&line);
  BeginOwnAuditEvent(&w, {.action = action, .actor = actor, .entity = "backup", .entity_id = id});
  w.KV("level", ok ? "info" : "error").KV("outcome", ok ? "success" : "failure").KV("msg", msg);
  w.EndObject();
  Emit(line);
}

void BackupModule::EmitAlert(const std::string& what, const std::string& msg) {
  std::string line;
  JsonWriter w(&line);
  w.BeginObject()
      .KV("kind", "alert")
      .KV("service", "vigia")
      .KV("level", "error")
      .KV("alert", what)
      .KV("state", "firing")
      .KV("msg", msg)
      .EndObject();
  Emit(line);
}

void BackupModule::ReportRestoreMarker() {
  const std::string path = JoinPath(ctx_->data_dir, backup_file_names::kRestoredMarker);
  Env* env = Env::Default();
  if (!env->FileExists(path)) return;
  auto json = env->ReadFileToString(path);
  std::string id = "unknown", msg = "data directory restored from a backup";
  if (json.ok()) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(*json);
    std::string_view v;
    if (parser.parse(padded)["backup_id"].get_string().get(v) == simdjson::SUCCESS) id = v;
    msg += ": " + *json;
  }
  EmitAudit("backup.restored", "vigia backup restore", id, true, msg);
  logger::Info("backup: this data directory was restored from a backup", {{"backup_id", id}});
  (void)env->RemoveFile(path);
}

Result<std::string> BackupModule::RunBackup(const std::string& actor, bool force_verify) {
  std::unique_lock<std::mutex> run(run_mu_, std::try_to_lock);
  if (!run.owns_lock()) return Status::Unavailable("a backup is already running");
  const int64_t started_ns = ctx_->env->NowNanos();  // the schedule's clock
  auto m = CreateBackup(repo_.get(), BackupSource{ctx_->data_dir, ctx_->store}, ctx_->env);
  if (!m.ok()) {
    runs_failed_->Inc();
    {
      std::lock_guard<std::mutex> l(state_mu_);
      last_error_ = m.status().ToString();
      last_failure_ns_ = ctx_->env->NowNanos();
      SaveState();
    }
    logger::Error("backup: failed",
                  {{"target", options_.target}, {"error", m.status().ToString()}});
    EmitAudit("backup.created", actor, "", false, "backup failed: " + m.status().ToString());
    EmitAlert("backup.failed",
              "backup to " + options_.target + " failed: " + m.status().ToString());
    return m.status();
  }
  runs_ok_->Inc();
  last_success_->Set(static_cast<double>(m->created_ns) / 1e9);
  logger::Info("backup: created", {{"id", m->id},
                                   {"events", m->events},
                                   {"bytes", m->bytes},
                                   {"new_blob_bytes", m->new_blob_bytes},
                                   {"duration_sec", m->duration_sec}});
  EmitAudit("backup.created", actor, m->id, true,
            "backup " + m->id + ": " + std::to_string(m->events) + " events, " +
                std::to_string(m->new_blob_bytes) + " new bytes stored in " + options_.target);
  int64_t last_verify;
  {
    std::lock_guard<std::mutex> l(state_mu_);
    last_id_ = m->id;
    last_backup_ns_ = started_ns;
    last_error_.clear();
    last_verify = last_verify_ns_;
    SaveState();
  }
  if (options_.retention.any()) {
    auto pruned = PruneBackups(repo_.get(), options_.retention, ctx_->env->NowNanos());
    if (!pruned.ok()) {
      logger::Error("backup: prune failed", {{"error", pruned.status().ToString()}});
    } else if (!pruned->deleted.empty()) {
      logger::Info("backup: pruned", {{"deleted", pruned->deleted.size()},
                                      {"blobs_deleted", pruned->blobs_deleted},
                                      {"bytes_freed", pruned->blob_bytes_freed}});
    }
  }
  const bool verify_now = force_verify || options_.verify == BackupVerifyPolicy::kEach ||
                          (options_.verify == BackupVerifyPolicy::kWeekly &&
                           (last_verify == 0 || ctx_->env->NowNanos() - last_verify >= kWeekNs));
  std::string verify = "skipped";
  if (verify_now) {
    const char* t = std::getenv("TMPDIR");
    auto r = VerifyBackup(repo_.get(), m->id, t && *t ? t : "/tmp");
    std::string evidence;
    bool ok = false;
    if (!r.ok()) {
      verify = "failed: " + r.status().ToString();
    } else {
      ok = r->ok();
      auto path = WriteEvidence(*repo_, *r, report_dir_);
      evidence = path.ok() ? *path : "(evidence not written: " + path.status().ToString() + ")";
      verify = ok ? "passed" : "failed";
      if (!ok) {
        for (const VerifyCheck& c : r->checks) {
          if (!c.ok) verify += "; " + c.name + ": " + c.detail;
        }
      }
    }
    last_verify_ok_->Set(ok ? 1 : 0);
    {
      std::lock_guard<std::mutex> l(state_mu_);
      last_verify_ns_ = ctx_->env->NowNanos();
      last_verify_result_ = verify;
      SaveState();
    }
    EmitAudit("backup.verified", actor, m->id, ok,
              "verification of backup " + m->id + " " + verify +
                  (evidence.empty() ? "" : "; evidence: " + evidence));
    if (!ok) {
      logger::Error("backup: verification failed", {{"id", m->id}, {"result", verify}});
      EmitAlert("backup.verify_failed", "verification of backup " + m->id + " " + verify);
    }
  }
  return SummaryJson(*m, verify);
}

void BackupModule::RegisterRoutes(Router* router) {
  if (!repo_) return;
  // Role: admin.
  router->Add("POST", "/v1/admin/backups", Access::kAdmin,
              [this](HttpRequest& req, HttpResponse* resp) {
                if (!req.body.empty()) {
                  simdjson::dom::parser parser;
                  simdjson::padded_string padded(req.body);
                  simdjson::dom::element root;
                  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
                    SetError(resp, error_code::kBadRequest, "the body must be a JSON object");
                    return;
                  }
                  std::string_view target;
                  if (root["target"].get_string().get(target) == simdjson::SUCCESS &&
                      target != options_.target) {
                    SetError(resp, error_code::kBadRequest,
                             "this server backs up to its configured backup.target (" +
                                 options_.target + "), not " + std::string(target));
                    return;
                  }
                }
                auto r = RunBackup("api", false);
                if (!r.ok()) {
                  SetStatusError(resp, r.status());
                  return;
                }
                resp->SetJson(201, *r);
              });
  // Role: admin.
  router->Add("GET", "/v1/admin/backups", Access::kAdmin, [this](HttpRequest&, HttpResponse* resp) {
    std::lock_guard<std::mutex> run(run_mu_);
    auto ids = repo_->ListBackups();
    if (!ids.ok()) {
      SetStatusError(resp, ids.status());
      return;
    }
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().KV("target", options_.target).Key("backups").BeginArray();
    for (const std::string& id : *ids) {
      auto m = repo_->ReadManifest(id);
      if (!m.ok()) {
        w.BeginObject().KV("id", id).KV("error", m.status().ToString()).EndObject();
        continue;
      }
      w.Raw(SummaryJson(*m, ""));
    }
    w.EndArray().EndObject();
    resp->SetJson(200, out);
  });
}

HealthState BackupModule::Health(JsonWriter* details) const {
  if (!repo_) return HealthState::kOk;
  std::lock_guard<std::mutex> l(state_mu_);
  details->Key("backup").BeginObject();
  details->KV("target", options_.target);
  if (options_.interval_sec > 0) {
    details->KV("schedule", "every " + std::to_string(options_.interval_sec) + " s");
  } else if (cron_) {
    details->KV("schedule", cron_->text() + " (" + tz_.name() + ")");
  }
  details->KV("last_backup", last_id_);
  if (last_backup_ns_ != 0) details->KV("last_backup_at", FormatRfc3339(last_backup_ns_, 0));
  if (!last_error_.empty()) details->KV("last_error", last_error_);
  if (last_verify_ns_ != 0) details->KV("last_verify_at", FormatRfc3339(last_verify_ns_, 0));
  if (!last_verify_result_.empty()) details->KV("last_verify", last_verify_result_);
  if (const int64_t next = NextDueNs(last_backup_ns_, last_failure_ns_); next != INT64_MAX) {
    details->KV("next_backup_at", next == 0 ? std::string("now") : FormatRfc3339(next, 0));
  }
  details->EndObject();
  const bool failed =
      !last_error_.empty() || (!last_verify_result_.empty() && last_verify_result_ != "passed");
  return failed ? HealthState::kDegraded : HealthState::kOk;
}

}  // namespace vigia
