#include "server/module_alerts.h"

#include "alerting/alert_json.h"
#include "alerting/alert_state_file.h"
#include "alerting/alert_state_store.h"
#include "alerting/alerting_names.h"
#include "alerting/rule_file.h"
#include "common/logger.h"
#include "common/time_format.h"
#include "errors/error_group_hooks.h"
#include "server/http_errors.h"
#include "server/monitor_rule_signals.h"
#include "server/own_events.h"
#include "server/storage_backend.h"

namespace vigia {

Status AlertsModule::Start(ServerContext* ctx) {
  if (ctx->query_backend == nullptr || ctx->ingest == nullptr) {
    return Status::Internal("alerts module: the query and ingest modules must start first");
  }
  ctx_ = ctx;
  signals_ = std::make_unique<MonitorRuleSignals>(ctx->kpis, ctx->slos);
  error_feed_ = std::make_unique<ErrorGroupFeed>(signals_.get());
  engine_ = std::make_unique<AlertEngine>(
      AlertEngineOptions{ctx->query_backend, ctx->metrics, error_feed_.get()});
  const std::string dir = JoinPath(ctx->data_dir, alerting_names::kAlertsDir);
  VIGIA_RETURN_IF_ERROR(ctx->env->CreateDir(dir));
  // The storage backend says where the state and the silences live: the files in `dir`, or
  // the tables a ClickHouse cluster's nodes share.
  if (ctx->storage != nullptr) {
    state_store_ = ctx->storage->MakeAlertStateStore(ctx->env, dir);
    silences_ = std::make_unique<SilenceSet>(ctx->storage->MakeSilenceStore(ctx->env, dir));
  } else {
    state_store_ =
        std::make_unique<FileAlertStateStore>(ctx->env, JoinPath(dir, alerting_names::kStateFile));
    silences_ =
        std::make_unique<SilenceSet>(ctx->env, JoinPath(dir, alerting_names::kSilencesFile));
  }
  Status silences = silences_->Load();
  if (!silences.ok()) logger::Error("silences not restored", {{"error", silences.ToString()}});

  if (options_.notify_file.empty()) {
    notify_config_ = std::make_unique<NotifyConfig>(DefaultNotifyConfig());
  } else {
    // Unlike rules, a broken notification setup stops the start: running without being able
    // to tell anyone is worse than not running.
    Result<NotifyConfig> nc = LoadNotifyConfig(ctx->env, options_.notify_file);
    if (!nc.ok()) return Status::InvalidArgument("alerts.notify_file: " + nc.status().message());
    notify_config_ = std::make_unique<NotifyConfig>(std::move(*nc));
  }
  dispatcher_ = std::make_unique<NotifyDispatcher>(notify_config_.get());
  NotifyOutboxOptions outbox;
  outbox.env = ctx->env;
  outbox.dir = JoinPath(dir, alerting_names::kOutboxDir);
  outbox.config = notify_config_.get();
  outbox.metrics = ctx->metrics;
  outbox.log_sink = [this](const Notification& n) { LogNotification(n); };
  outbox.retry_base_ns = options_.retry_base_ns;
  outbox_ = std::make_unique<NotifyOutbox>(std::move(outbox));
  VIGIA_RETURN_IF_ERROR(outbox_->Start());

  // A bad rules directory does not stop the server (ingest and queries matter more than
  // alerts): it starts without rules, says so in /health/ready, and a fixed set loads on
  // SIGHUP or POST /v1/rules/reload.
  Status loaded = LoadRules("startup");
  if (!loaded.ok()) {
    logger::Error("alert rules not loaded", {{"error", loaded.message()}});
    // The built-in error-group rules run all the same.
    Record(engine_->SetRules(std::make_shared<const RuleSet>(WithBuiltinRules(RuleSet())),
                             ctx->env->NowNanos()));
  }
  if (ErrorGroupAlertsOn()) {
    ErrorGroupFeed* feed = error_feed_.get();
    // Runs on the ingest thread after the events are stored: only queue (never blocks).
    ctx->error_hooks->AddListener([feed](const errors::GroupEvent& e) {
      ErrorGroupEvent out;
      switch (e.kind) {
        case errors::GroupEventKind::kNewGroup:
          out.kind = ErrorGroupEventKind::kNew;
          break;
        case errors::GroupEventKind::kRegression:
          out.kind = ErrorGroupEventKind::kRegression;
          break;
        case errors::GroupEventKind::kRateAbove:
          out.kind = ErrorGroupEventKind::kRateAbove;
          break;
        case errors::GroupEventKind::kIgnoreEnded:
        case errors::GroupEventKind::kStatusChanged:
          return;  // operators' and automatic status changes are audit events, not alerts
      }
      out.tenant = e.tenant;
      out.fingerprint = e.fingerprint;
      out.title = e.title;
      out.service = e.service;
      out.count = e.count;
      out.rate_per_min = e.rate_per_min;
      feed->Push(std::move(out));
    });
    Gauge* dropped = ctx->metrics->GetSampledCounter(
        "vigia_alerts_error_group_events_dropped_total",
        "Error-group events not alerted on: the queue for the error-group rules was full");
    ctx->metrics->AddCollector(
        [feed, dropped] { dropped->Set(static_cast<double>(feed->dropped())); });
  }

  // A shared state is loaded when this node takes the rules lease (EvaluateDue), not here:
  // by then the previous holder's latest state is in it.
  Result<AlertStateSnapshot> state =
      state_store_->shared() ? AlertStateSnapshot{} : state_store_->Load();
  if (!state.ok()) {
    // The state is rebuilt by the next evaluations; only timers and notification memory
    // are lost, which is the best a damaged file allows.
    logger::Error("alert state not restored", {{"error", state.status().ToString()}});
  } else {
    engine_->Restore(std::move(state->instances));
    dispatcher_->Restore(state->groups);
  }

  // Without a rules directory or error-group rules there is nothing to evaluate (both are
  // fixed for the process).
  if (options_.rules_dir.empty() && !ErrorGroupAlertsOn()) return Status::Ok();
  ScheduledTask task;
  task.name = "alerts.evaluate";
  task.interval_ns = 1'000'000'000;
  task.first_delay_ns = 0;
  task.run = [this] { return EvaluateDue(); };
  ctx->scheduler->AddTask(std::move(task));
  return Status::Ok();
}

Status AlertsModule::LoadRules(std::string_view actor) {
  std::shared_ptr<const RuleSet> rules;
  std::string errors;
  if (options_.rules_dir.empty()) {
    rules = std::make_shared<const RuleSet>(WithBuiltinRules(RuleSet()));
  } else {
    Result<RuleSet> set = LoadRulesDir(ctx_->env, options_.rules_dir);
    if (set.ok()) {
      // Rules naming a KPI or an SLO: the name must exist in the monitor's definitions.
      Status names = CheckRuleSignalNames(
          *set,
          [this](SignalKind kind, std::string_view name) { return signals_->Has(kind, name); },
          "monitor.kpis_file");
      if (names.ok()) {
        rules = std::make_shared<const RuleSet>(WithBuiltinRules(std::move(*set)));
      } else {
        errors = names.message();
      }
    } else {
      errors = set.status().message();
    }
  }
  // The notification file is read at start by Start (where an error stops the server); a
  // reload re-reads it with the rules, and refuses both when either is bad.
  std::unique_ptr<NotifyConfig> notify;
  if (actor != "startup" && !options_.notify_file.empty()) {
    Result<NotifyConfig> nc = LoadNotifyConfig(ctx_->env, options_.notify_file);
    if (nc.ok()) {
      notify = std::make_unique<NotifyConfig>(std::move(*nc));
    } else {
      errors += (errors.empty() ? "" : "\n") + nc.status().message();
    }
  }
  if (!errors.empty()) {
    {
      std::lock_guard lock(mu_);
      load_error_ = errors;
    }
    if (actor != "startup") {
      Audit("rules.reload", actor, "alert_rules", options_.rules_dir, "failure",
            "alert rules refused: " + errors);
    }
    return Status::InvalidArgument(errors);
  }
  if (notify) InstallNotifyConfig(std::move(notify));
  const int64_t now = ctx_->env->NowNanos();
  std::vector<AlertTransition> gone = engine_->SetRules(rules, now);
  {
    std::lock_guard lock(mu_);
    load_error_.clear();
    loaded_at_ns_ = now;
  }
  logger::Info("alert rules loaded", {{"groups", rules->groups.size()},
                                      {"rules", rules->RuleCount()},
                                      {"dir", options_.rules_dir}});
  // A reload is an admin action: recorded like the others (kind=audit). Loading at start
  // is not.
  if (actor != "startup") {
    Audit("rules.reload", actor, "alert_rules", options_.rules_dir, "success",
          "alert rules loaded: " + std::to_string(rules->RuleCount()) + " rules" +
              (options_.notify_file.empty() ? "" : ", notification file reloaded"));
  }
  Record(gone);
  return Status::Ok();
}

bool AlertsModule::ErrorGroupAlertsOn() const {
  return options_.error_group_alerts && ctx_ != nullptr && ctx_->error_hooks != nullptr;
}

RuleSet AlertsModule::WithBuiltinRules(RuleSet set) const {
  if (ErrorGroupAlertsOn()) {
    ErrorGroupRulesOptions o;
    o.keep_firing_for_ns = options_.error_group_resolve_sec * 1'000'000'000;
    set.groups.push_back(ErrorGroupRules(o));
  }
  return set;
}

void AlertsModule::InstallNotifyConfig(std::unique_ptr<NotifyConfig> config) {
  std::lock_guard lock(notify_mu_);
  // Groups keep what they sent (no repeated notification after a reload); their routes are
  // found again in the new tree at the next evaluation.
  auto dispatcher = std::make_unique<NotifyDispatcher>(config.get());
  dispatcher->Restore(dispatcher_->Export());
  Status st = outbox_->Reconfigure(config.get());
  if (!st.ok()) logger::Error("notification outbox not restarted", {{"error", st.ToString()}});
  dispatcher_ = std::move(dispatcher);
  notify_config_ = std::move(config);
  logger::Info("notification file reloaded",
               {{"file", options_.notify_file}, {"receivers", notify_config_->receivers.size()}});
}

void AlertsModule::Audit(std::string_view action, std::string_view actor, std::string_view entity,
                         std::string_view entity_id, std::string_view outcome,
                         std::string_view msg) {
  std::string audit;
  JsonWriter w(&audit);
  BeginOwnAuditEvent(&w, {.action = action,
                          .actor = actor,
                          .entity = entity,
                          .entity_id = entity_id,
                          .ts_ns = ctx_->env->NowNanos()});
  w.KV("outcome", outcome).KV("msg", msg).EndObject();
  audit += '\n';
  WriteEvents(audit);
}

Status AlertsModule::Reload() { return LoadRules("signal"); }

Status AlertsModule::EvaluateDue() {
  // In a cluster only the holder of the rules lease evaluates (module_cluster.h): N nodes
  // with the same rules fire once.
  if (!ctx_->HoldsRulesLease()) {
    // Taking the lease (again) later loads the state the holder of the time left.
    shared_state_loaded_ = false;
    return Status::Ok();
  }
  if (state_store_->shared() && !shared_state_loaded_) {
    // Never evaluate without the previous holder's state: its firing alerts would fire and
    // notify again, its pending timers restart, its resolves never go out. Retried every tick.
    Status loaded = LoadSharedState();
    NoteSharedError("alert state not loaded from the cluster", loaded);
    if (!loaded.ok()) return Status::Ok();
  }
  const int64_t now = ctx_->env->NowNanos();
  if (silences_->shared()) {
    // Silences created or expired through any node, read every round (one small SELECT a
    // second): a silence mutes the holder from its next round on. On an error the last ones
    // read stay.
    NoteSharedError("silences not refreshed from the cluster", silences_->Refresh());
  }
  std::vector<AlertTransition> transitions = engine_->Tick(now);
  // Notify before recording, so the saved state says what was queued for delivery.
  const bool queued = Notify(now);
  if (!transitions.empty()) {
    Record(transitions);
  } else if (queued) {
    Status saved = SaveState();
    if (!saved.ok()) logger::Error("alert state not saved", {{"error", saved.ToString()}});
  }
  return Status::Ok();
}

bool AlertsModule::Notify(int64_t now_ns) {
  // Held while queueing too: a reload must not swap the outbox's receivers in between.
  std::lock_guard lock(notify_mu_);
  std::vector<Notification> due = dispatcher_->Update(
      engine_->Instances(),
      [&](const LabelSet& labels) { return !silences_->Matching(labels, now_ns).empty(); }, now_ns);
  for (const Notification& n : due) {
    Status st = outbox_->Enqueue(n);
    if (!st.ok()) {
      logger::Error("notification not queued",
                    {{"receiver", n.receiver}, {"error", st.ToString()}});
    }
  }
  return !due.empty();
}

void AlertsModule::LogNotification(const Notification& n) {
  std::string ndjson;
  const int64_t now = ctx_->env->NowNanos();
  for (const NotifiedAlert& a : n.alerts) {
    JsonWriter w(&ndjson);
    w.BeginObject().KV("ts", now).KV("kind", "alert");
    w.KV("level", a.resolved ? "info" : "warn").KV("service", "vigia");
    auto summary = a.annotations.find("summary");
    w.KV("msg", "notification: " + a.rule + (a.resolved ? " resolved " : " firing ") +
                    FormatLabels(a.labels) +
                    (summary == a.annotations.end() ? "" : " — " + summary->second));
    w.Key("notification").BeginObject().KV("receiver", n.receiver).KV("group_key", n.group_key);
    w.EndObject();
    w.Key("alert").BeginObject().KV("name", a.rule).KV("fingerprint", a.fingerprint);
    w.KV("state", a.resolved ? "resolved" : "firing").KV("value", a.value);
    w.Key("labels").BeginObject();
    for (const auto& [k, v] : a.labels) w.KV(k, v);
    w.EndObject().EndObject().EndObject();
    ndjson += '\n';
  }
  WriteEvents(ndjson);
}

void AlertsModule::Record(const std::vector<AlertTransition>& transitions) {
  if (transitions.empty()) return;
  const int64_t now = ctx_->env->NowNanos();
  std::string ndjson;
  for (const AlertTransition& t : transitions) {
    ndjson += AlertTransitionEvent(t, now);
    logger::Info("alert " + std::string(AlertStateName(t.instance.state)),
                 {{"rule", t.instance.rule},
                  {"labels", FormatLabels(t.instance.labels)},
                  {"value", t.instance.value}});
  }
  WriteEvents(ndjson);
  Status saved = SaveState();
  if (!saved.ok()) logger::Error("alert state not saved", {{"error", saved.ToString()}});
}

void AlertsModule::WriteEvents(const std::string& ndjson) {
  RecordOwnEvents(*ctx_, ndjson, "alert events");
}

Status AlertsModule::LoadSharedState() {
  std::lock_guard lock(save_mu_);
  VIGIA_ASSIGN_OR_RETURN(AlertStateSnapshot s, state_store_->Load());
  const size_t instances = s.instances.size(), groups = s.groups.size();
  engine_->ReplaceInstances(std::move(s.instances));
  {
    std::lock_guard notify_lock(notify_mu_);
    // What the previous holder sent: a firing alert it notified is not notified again, and its
    // resolve is owed from here.
    auto dispatcher = std::make_unique<NotifyDispatcher>(notify_config_.get());
    dispatcher->Restore(s.groups);
    dispatcher_ = std::move(dispatcher);
  }
  shared_state_loaded_ = true;
  logger::Info("alert state loaded from the cluster",
               {{"instances", instances}, {"notification_groups", groups}});
  return Status::Ok();
}

void AlertsModule::NoteSharedError(std::string_view what, const Status& st) {
  std::lock_guard lock(mu_);
  std::string& last = shared_errors_[std::string(what)];
  const std::string error = st.ok() ? std::string() : st.ToString();
  if (error == last) return;  // logged when it changes, not every second
  if (!error.empty()) logger::Error(std::string(what), {{"error", error}});
  last = error;
}

Status AlertsModule::SaveState() {
  std::lock_guard lock(save_mu_);
  // A shared state is written only by the holder of the rules lease that has loaded it: a node
  // that lost the lease (or never held it) must not overwrite the holder's.
  if (state_store_->shared() && !(shared_state_loaded_ && ctx_->HoldsRulesLease())) {
    return Status::Ok();
  }
  AlertStateSnapshot s;
  s.instances = engine_->Instances();
  {
    std::lock_guard notify_lock(notify_mu_);
    s.groups = dispatcher_->Export();
  }
  return state_store_->Save(s);
}

Status AlertsModule::Stop() {
  if (outbox_) outbox_->Stop();
  if (!engine_) return Status::Ok();
  return SaveState();
}

HealthState AlertsModule::Health(JsonWriter* details) const {
  std::lock_guard lock(mu_);
  if (!engine_) return HealthState::kOk;
  // In a cluster: the shared state or silences cannot be read or written (ClickHouse away, or
  // a database without the tables of schema version 3) — the holder evaluates no rules then.
  for (const auto& [what, error] : shared_errors_) {
    if (error.empty()) continue;
    details->KV("alert_state_error",
                what + ": " + error + " (the tables come with `vigia clickhouse migrate`)");
    return HealthState::kDegraded;
  }
  if (options_.rules_dir.empty()) return HealthState::kOk;
  details->KV("alert_rules", engine_->rules()->RuleCount());
  if (!load_error_.empty()) {
    details->KV("alert_rules_error", load_error_);
    return HealthState::kDegraded;
  }
  return HealthState::kOk;
}

void AlertsModule::RegisterRoutes(Router* router) {
  // Admin: alerts and rules span every tenant.
  router->Add("GET", "/v1/rules", Access::kAdmin, [this](HttpRequest&, HttpResponse* resp) {
    std::shared_ptr<const RuleSet> rules = engine_->rules();
    std::string out;
    JsonWriter w(&out);
    w.BeginObject();
    w.KV("rules_dir", options_.rules_dir);
    {
      std::lock_guard lock(mu_);
      w.Key("loaded_at");
      if (loaded_at_ns_ == 0) {
        w.Null();
      } else {
        w.String(FormatRfc3339(loaded_at_ns_, 3));
      }
      w.KV("load_error", load_error_);
    }
    w.Key("files").BeginArray();
    for (const std::string& f : rules->files) w.String(f);
    w.EndArray();
    WriteRuleGroups(
        &w, *rules, engine_->Health(),
        [this](const std::string& g) { return engine_->NextEvalNs(g); }, engine_->Instances());
    w.EndObject();
    resp->SetJson(200, std::move(out));
  });
  // Admin: alerts and rules span every tenant. ?state=pending|firing|resolved narrows the list.
  router->Add("GET", "/v1/alerts", Access::kAdmin, [this](HttpRequest& req, HttpResponse* resp) {
    std::string_view want = req.QueryParam("state");
    AlertState filter = AlertState::kInactive;
    if (!want.empty() && !ParseAlertState(want, &filter)) {
      SetError(resp, error_code::kBadRequest,
               "state: expected pending, firing or resolved, got \"" + std::string(want) + "\"");
      return;
    }
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("alerts").BeginArray();
    const int64_t now = ctx_->env->NowNanos();
    for (const AlertInstance& a : engine_->Instances()) {
      if (!want.empty() && a.state != filter) continue;
      WriteAlertInstance(&w, a, silences_->Matching(a.labels, now));
    }
    w.EndArray().EndObject();
    resp->SetJson(200, std::move(out));
  });
  // Admin.
  router->Add("POST", "/v1/rules/reload", Access::kAdmin, [this](HttpRequest&, HttpResponse* resp) {
    Status st = LoadRules("api");
    if (!st.ok()) {
      SetError(resp, error_code::kBadRequest,
               "rules not reloaded (the previous rules keep running):\n" + st.message());
      return;
    }
    std::shared_ptr<const RuleSet> rules = engine_->rules();
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().KV("reloaded", true).KV("groups", rules->groups.size());
    w.KV("rules", rules->RuleCount()).EndObject();
    resp->SetJson(200, std::move(out));
  });
  // Admin: alerts and rules span every tenant.
  router->Add("GET", "/v1/silences", Access::kAdmin, [this](HttpRequest&, HttpResponse* resp) {
    if (silences_->shared()) {
      // Every node's silences, as the cluster holds them now (the last ones read on an error).
      NoteSharedError("silences not refreshed from the cluster", silences_->Refresh());
    }
    const int64_t now = ctx_->env->NowNanos();
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("silences").BeginArray();
    for (const Silence& s : silences_->List()) {
      w.BeginObject().KV("id", s.id).KV("status", s.StatusAt(now));
      w.Key("matchers").BeginArray();
      for (const LabelMatcher& m : s.matchers) w.String(m.ToString());
      w.EndArray();
      w.KV("startsAt", FormatRfc3339(s.starts_at_ns, 3));
      w.KV("endsAt", FormatRfc3339(s.ends_at_ns, 3));
      w.KV("createdAt", FormatRfc3339(s.created_at_ns, 3));
      w.KV("createdBy", s.created_by).KV("comment", s.comment).EndObject();
    }
    w.EndArray().EndObject();
    resp->SetJson(200, std::move(out));
  });
  // Admin.
  router->Add("POST", "/v1/silences", Access::kAdmin, [this](HttpRequest& req, HttpResponse* resp) {
    const int64_t now = ctx_->env->NowNanos();
    Result<Silence> s = ParseSilenceRequest(req.body, now);
    if (!s.ok()) {
      SetError(resp, error_code::kBadRequest, s.status().message());
      return;
    }
    std::string matchers;
    for (const LabelMatcher& m : s->matchers)
      matchers += (matchers.empty() ? "" : ",") + m.ToString();
    const std::string by = s->created_by;
    Result<std::string> id = silences_->Add(std::move(*s), now);
    if (!id.ok()) {
      SetStatusError(resp, id.status());
      return;
    }
    Audit("silence.create", by, "silence", *id, "success", "silence created: " + matchers);
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().KV("silenceID", *id).EndObject();
    resp->SetJson(200, std::move(out));
  });
  // Admin.
  router->Add("DELETE", "/v1/silences/{id}", Access::kAdmin,
              [this](HttpRequest& req, HttpResponse* resp) {
                std::string id(req.PathParam("id"));
                Status st = silences_->Expire(id, ctx_->env->NowNanos());
                if (!st.ok()) {
                  SetStatusError(resp, st);
                  return;
                }
                Audit("silence.expire", "api", "silence", id, "success", "silence expired");
                std::string out;
                JsonWriter w(&out);
                w.BeginObject().KV("expired", id).EndObject();
                resp->SetJson(200, std::move(out));
              });
}

}  // namespace vigia
