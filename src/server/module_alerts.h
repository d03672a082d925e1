// AlertsModule: alerting in the server (docs/alerting.md). Loads the rule files of
// alerts.rules_dir (at start, on SIGHUP and POST /v1/rules/reload; a bad set is refused
// whole and the running rules stay), evaluates them through the query module's
// QueryBackend from the scheduler task `alerts.evaluate` (every second; each group on its
// own interval, src/alerting/alert_engine.h), writes every transition as a kind=alert
// event through the ingest pipeline, persists the alert state in <data>/alerts after every
// change, routes and groups firing and resolved alerts to receivers through a durable outbox
// (src/alerting/notify_*.h), keeps the silences (<data>/alerts/silences.json), and serves GET
// /v1/rules, GET /v1/alerts, POST /v1/rules/reload and GET/POST/DELETE /v1/silences.
//
// Thread-safety: see ServerModule; the engine is thread-safe and reloads serialize on a
// mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "alerting/alert_engine.h"
#include "alerting/notify_config.h"
#include "alerting/notify_dispatcher.h"
#include "alerting/notify_outbox.h"
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
};

class AlertsModule final : public ServerModule {
 public:
  explicit AlertsModule(AlertsModuleOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "alerts"; }
  // REQUIRES: the query and ingest modules started before (ctx->query_backend, ctx->ingest).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Reload() override;
  Status Stop() override;
  HealthState Health(JsonWriter* details) const override;

 private:
  // Loads the rules directory and installs it; on error keeps the old rules.
  Status LoadRules(std::string_view actor);
  Status EvaluateDue();
  // Writes transitions as kind=alert events and saves the state when there were any.
  void Record(const std::vector<AlertTransition>& transitions);
  void WriteEvents(const std::string& ndjson);
  // A kind=audit event of an admin action (rules.reload, silence.create, silence.expire).
  void Audit(std::string_view action, std::string_view actor, std::string_view entity,
             std::string_view entity_id, std::string_view outcome, std::string_view msg);
  Status SaveState();
  // Routes and groups the current instances; queues what is due in the outbox.
  bool Notify(int64_t now_ns);
  void LogNotification(const Notification& n);

  const AlertsModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<AlertEngine> engine_;
  std::unique_ptr<SilenceSet> silences_;
  NotifyConfig notify_config_;
  std::mutex notify_mu_;  // dispatcher_
  std::unique_ptr<NotifyDispatcher> dispatcher_;
  std::unique_ptr<NotifyOutbox> outbox_;
  std::string state_path_;
  mutable std::mutex mu_;   // reloads; the members below
  std::string load_error_;  // of the latest failed load; empty when it succeeded
  int64_t loaded_at_ns_ = 0;
  std::mutex save_mu_;  // one state write at a time
};

}  // namespace vigia
