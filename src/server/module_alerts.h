// AlertsModule: alerting in the server (docs/alerting.md). Loads the rule files of
// alerts.rules_dir (at start, on SIGHUP and POST /v1/rules/reload; a bad set is refused
// whole and the running rules stay; the notification file reloads with them), evaluates them
// through the query module's QueryBackend from the scheduler task `alerts.evaluate` (every second;
// each group on its own interval, src/alerting/alert_engine.h), writes every transition as a
// kind=alert event through the ingest pipeline, persists the alert state after every change,
// routes and groups firing and resolved alerts to receivers through a durable outbox
// (src/alerting/notify_*.h), keeps the silences, and serves GET
// /v1/rules, GET /v1/alerts, POST /v1/rules/reload and GET/POST/DELETE /v1/silences. With
// the errors module it listens to ctx->error_hooks and adds the built-in group of
// error-group rules (new group, regression, rate) to every loaded set.
//
// The state and the silences live where the storage backend says (storage_backend.h): in
// <data>/alerts (state.json, silences.json) on one node; with storage.backend = "clickhouse"
// in tables every node shares (docs/scale-out.md): the node that takes the rules lease loads
// the state before its first evaluation and is the only one to write it; silences are written
// by the node that creates or expires them and re-read by the holder every round (1 s) before
// notifying, and by any node before listing them.
//
// Thread-safety: see ServerModule; the engine is thread-safe and reloads serialize on a
// mutex.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "alerting/alert_engine.h"
#include "alerting/alert_state_store.h"
#include "alerting/error_group_alerts.h"
#include "alerting/notify_config.h"
#include "alerting/notify_dispatcher.h"
#include "alerting/notify_outbox.h"
#include "alerting/rule_signals.h"
#include "alerting/silences.h"
#include "common/limits.h"
#include "server/server_module.h"

namespace vigia {

// [alerts].
struct AlertsModuleOptions {
  std::string rules_dir;  // *.yml / *.yaml rule files; empty = no rules
  // Receivers and routes (alerting/notify_config.h); empty = every alert to a `log` receiver.
  std::string notify_file;
  // Delivery retries (tests shorten them).
  int64_t retry_base_ns = limits::kNotifyRetryBaseNs;
  // The built-in error-group alerts (alerting/error_group_alerts.h): on by default, firing on
  // the errors module's new groups, regressions and rate crossings; resolved this long after
  // a group's last such event.
  bool error_group_alerts = true;
  int64_t error_group_resolve_sec = 300;
};

class AlertsModule final : public ServerModule {
 public:
  explicit AlertsModule(AlertsModuleOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "alerts"; }
  // REQUIRES: the query and ingest modules started before (ctx->query_backend, ctx->ingest);
  // the monitor module too when rules reference KPIs or SLOs (ctx->kpis, ctx->slos).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Reload() override;
  Status Stop() override;
  HealthState Health(JsonWriter* details) const override;

 private:
  // Loads the rules directory and, on a reload (not at start), the notification file, and
  // installs them together; a set with any error changes neither (the old keep running).
  Status LoadRules(std::string_view actor);
  bool ErrorGroupAlertsOn() const;
  // `set` plus the built-in error-group rules when they are on.
  RuleSet WithBuiltinRules(RuleSet set) const;
  // Switches the dispatcher and the outbox to `config` (a reloaded notification file),
  // keeping what each group has sent.
  void InstallNotifyConfig(std::unique_ptr<NotifyConfig> config);
  Status EvaluateDue();
  // Writes transitions as kind=alert events and saves the state when there were any.
  void Record(const std::vector<AlertTransition>& transitions);
  void WriteEvents(const std::string& ndjson);
  // A kind=audit event of an admin action (rules.reload, silence.create, silence.expire).
  void Audit(std::string_view action, std::string_view actor, std::string_view entity,
             std::string_view entity_id, std::string_view outcome, std::string_view msg);
  // Saves the state through the store; with a shared store only while this node holds the
  // rules lease and has loaded the shared state.
  Status SaveState();
  // The shared state (the previous holder's) replaces this node's instances and notification
  // memory; at the first evaluation after this node takes the rules lease.
  Status LoadSharedState();
  // Logs an error of the shared state or silences when it differs from the last one of `what`.
  void NoteSharedError(std::string_view what, const Status& st);
  // Routes and groups the current instances; queues what is due in the outbox.
  bool Notify(int64_t now_ns);
  void LogNotification(const Notification& n);

  const AlertsModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<RuleSignals> signals_;  // the monitor's KPIs and SLOs, for kpi:/slo: rules
  // The errors module's group events for the built-in rules; wraps signals_ (the engine's).
  std::unique_ptr<ErrorGroupFeed> error_feed_;
  std::unique_ptr<AlertEngine> engine_;
  std::unique_ptr<SilenceSet> silences_;
  std::mutex notify_mu_;  // notify_config_, dispatcher_, and outbox_'s Enqueue vs Reconfigure
  std::unique_ptr<NotifyConfig> notify_config_;
  std::unique_ptr<NotifyDispatcher> dispatcher_;
  std::unique_ptr<NotifyOutbox> outbox_;
  // Where the alert state lives (alert_state_store.h): <data>/alerts/state.json, or the
  // cluster's ClickHouse (storage_backend.h).
  std::unique_ptr<AlertStateStore> state_store_;
  // Shared store: whether this node loaded the state since it took the rules lease.
  std::atomic<bool> shared_state_loaded_{false};
  mutable std::mutex mu_;   // reloads; the members below
  std::string load_error_;  // of the latest failed load; empty when it succeeded
  int64_t loaded_at_ns_ = 0;
  std::map<std::string, std::string> shared_errors_;  // NoteSharedError's, by what
  std::mutex save_mu_;                                // one state write at a time
};

}  // namespace vigia
