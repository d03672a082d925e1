#include "server/module_errors.h"

#include <algorithm>

#include "clickhouse/lease_keeper.h"
#include "common/json_writer.h"
#include "common/logger.h"
#include "common/time_format.h"
#include "common/time_units.h"
#include "errors/error_file_names.h"
#include "event/event_fields.h"
#include "server/error_occurrence.h"
#include "server/own_events.h"
#include "server/route_errors.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

std::string_view StringOf(const Value* v) {
  return v != nullptr && v->type == ValueType::kString ? v->s : std::string_view();
}

}  // namespace

std::string ErrorAuditLine(const errors::GroupEvent& e, const errors::StatusChange* change,
                           const errors::ErrorGroup* group) {
  const std::string action = errors::AuditActionOf(e);
  if (action.empty()) return "";
  std::string line;
  JsonWriter w(&line);
  BeginOwnAuditEvent(&w, {.action = action,
                          .actor = e.actor,
                          .entity = "error",
                          .entity_id = e.fingerprint,
                          .ts_ns = e.ts_ns,
                          .tenant = e.tenant});
  w.KV("outcome", "success");
  std::string msg = "error group \"" + e.title + "\" " + std::string(GroupStatusName(e.status));
  if (!e.details.empty()) msg += " (" + e.details + ")";
  w.KV("msg", msg).KV("details", e.details).KV("group_status", GroupStatusName(e.status));
  if (change != nullptr) {
    if (change->in_next_release) w.KV("in_next_release", true);
    if (change->ignore_for_ns > 0) w.KV("ignore_for_sec", change->ignore_for_ns / kNanosPerSecond);
    if (change->ignore_count > 0) w.KV("ignore_count", change->ignore_count);
  }
  if (group != nullptr) {
    // What the other nodes of a cluster cannot know later: the bound by count and the
    // releases a resolve in the next release leaves out, as this node's table had them.
    if (group->ignore_until_count > 0) w.KV("ignore_until_count", group->ignore_until_count);
    if (group->resolved_in_next_release) {
      w.Key("resolved_releases").BeginArray();
      for (const std::string& r : group->resolved_releases) w.String(r);
      w.EndArray();
    }
  }
  w.EndObject();
  line += '\n';
  return line;
}

ErrorsModule::ErrorsModule(ErrorsModuleOptions options)
    : options_(options),
      table_(errors::ErrorGroupTableOptions{options.max_groups, options.rate_threshold_per_min}) {}

ErrorsModule::~ErrorsModule() = default;

Status ErrorsModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  if (ctx->ingest == nullptr || ctx->query_backend == nullptr || ctx->data_dir.empty()) {
    return Status::Internal("errors module needs the store, ingest and query modules");
  }
  dir_ = JoinPath(ctx->data_dir, errors::kErrorsDir);
  if (ctx->rules_lease != nullptr) {
    // A cluster: the table is the store's (refreshed below), neither counted here nor saved.
    cluster_ = std::make_unique<ClusterErrorGroups>(ctx->query_backend, ctx->env);
    loaded_from_ = "cluster";
  } else {
    VIGIA_RETURN_IF_ERROR(ctx->env->CreateDir(dir_));
    // A table that cannot be rebuilt (a corrupt part fails the query) must not keep the
    // server from starting: it starts empty, /health/ready says why (degraded), and it is
    // not saved until it changes, so the next start tries the rebuild again.
    if (Status st = LoadOrRebuild(); !st.ok()) {
      table_.Clear();
      rebuild_error_ = st.ToString();
      loaded_from_ = "empty";
      logger::Error("error-group table not rebuilt; starting empty", {{"error", rebuild_error_}});
    }
    saved_version_ = table_.version();
    if (loaded_from_ == "rebuilt") VIGIA_RETURN_IF_ERROR(Save());
  }

  MetricRegistry* m = ctx->metrics;
  const std::string kEvents = "vigia_error_group_events_total";
  const std::string kHelp =
      "Error-group transitions: new groups, regressions, rate crossings, "
      "ignores that ended, operators' status changes";
  events_new_ = m->GetCounter(kEvents, kHelp, {"kind"}, {"new"});
  events_regression_ = m->GetCounter(kEvents, kHelp, {"kind"}, {"regression"});
  events_rate_ = m->GetCounter(kEvents, kHelp, {"kind"}, {"rate"});
  events_ignore_ended_ = m->GetCounter(kEvents, kHelp, {"kind"}, {"ignore_ended"});
  events_status_ = m->GetCounter(kEvents, kHelp, {"kind"}, {"status"});
  std::vector<Gauge*> by_status;
  for (errors::GroupStatus s : {errors::GroupStatus::kUnresolved, errors::GroupStatus::kResolved,
                                errors::GroupStatus::kRegressed, errors::GroupStatus::kIgnored}) {
    by_status.push_back(m->GetGauge("vigia_error_groups", "Error groups in the table by status",
                                    {"status"}, {std::string(GroupStatusName(s))}));
  }
  Gauge* dropped = m->GetSampledCounter(
      "vigia_error_groups_dropped_total",
      "Error events of new groups not tracked because the table is full (errors.max_groups)");
  const errors::ErrorGroupTable* table = &table_;
  m->AddCollector([table, by_status, dropped] {
    uint64_t n[4] = {0, 0, 0, 0};
    table->Select([&n](const errors::ErrorGroup& g) {
      ++n[static_cast<size_t>(g.status)];
      return false;
    });
    for (size_t i = 0; i < 4; ++i) by_status[i]->Set(static_cast<double>(n[i]));
    dropped->Set(static_cast<double>(table->dropped()));
  });

  ctx->error_hooks = &hooks_;
  ctx->error_groups = &table_;
  if (cluster_ != nullptr) {
    ctx->scheduler->AddTask(ScheduledTask{"errors.cluster_refresh",
                                          int64_t{options_.cluster_refresh_ms} * 1'000'000, 0, 0,
                                          [this] { return RefreshFromCluster(); }});
    logger::Info("error groups from the cluster",
                 {{"refresh_ms", std::to_string(options_.cluster_refresh_ms)}});
    return Status::Ok();
  }
  ctx->ingest->AddObserver(this);
  ctx->scheduler->AddTask(ScheduledTask{
      "errors.persist", int64_t{options_.persist_interval_sec} * kNanosPerSecond, -1, 0, [this] {
        FlushAudit();
        return SaveIfChanged();
      }});
  logger::Info("error groups", {{"groups", std::to_string(table_.size())},
                                {"from", loaded_from_},
                                {"file", JoinPath(dir_, errors::kGroupsFile)}});
  return Status::Ok();
}

Status ErrorsModule::RefreshFromCluster() {
  FlushAudit();
  std::vector<errors::RecordedChange> local;
  uint64_t made_before_read;
  {
    std::lock_guard lock(cluster_mu_);
    local = local_changes_;
    made_before_read = local_changes_made_;
  }
  Result<ClusterErrorGroupsRefresh> r = cluster_->Read(local);
  const int64_t now = ctx_->env->NowNanos();
  std::lock_guard lock(cluster_mu_);
  if (!r.ok()) {
    if (refresh_error_ != r.status().ToString()) {
      logger::Error("error groups not refreshed from the cluster",
                    {{"error", r.status().ToString()}});
    }
    refresh_error_ = r.status().ToString();
    return Status::Ok();  // logged once; retried at the next interval
  }
  refresh_error_.clear();
  refresh_statements_ += r->statements;
  if (local_changes_made_ != made_before_read) {
    // An operator changed a group through this node while the store was read: this answer
    // does not have the change, and replacing the table with it would undo, until the next
    // refresh, what the node showed at once. The next refresh reads with the change.
    return Status::Ok();
  }
  refreshed_at_ns_ = now;
  // A change made here is dropped once the store shows it (or a later one), or after an
  // hour (its audit event never arrived: the store's view wins).
  std::erase_if(local_changes_, [&](const errors::RecordedChange& c) {
    if (now - c.ts_ns > 3600 * kNanosPerSecond) return true;
    auto read = r->changes_read.find(errors::GroupKey(c.tenant, c.fingerprint));
    return read != r->changes_read.end() && read->second >= c.ts_ns;
  });
  std::vector<errors::GroupEvent> events = errors::TransitionsBetween(
      table_.Snapshot(), &r->groups, now, options_.rate_threshold_per_min);
  table_.Replace(std::move(r->groups));
  if (!has_baseline_) events.clear();  // the first table is where we start, not news
  has_baseline_ = true;
  // What a node that takes the lease passes on: the transitions it noticed while the old
  // holder may already have been dead (its last heartbeat's TTL, a renew interval, and two
  // refreshes, which may have run late).
  const clickhouse::LeaseOptions& lease = ctx_->rules_lease->options();
  const int64_t lookback =
      lease.ttl_ns + lease.renew_ns + 2 * int64_t{options_.cluster_refresh_ms} * 1'000'000;
  std::erase_if(recent_, [&](const auto& e) { return now - e.first > lookback; });
  for (const errors::GroupEvent& e : events) recent_.emplace_back(now, e);
  const bool holds = ctx_->HoldsRulesLease();
  std::vector<errors::GroupEvent> pass;
  if (holds && held_at_last_refresh_) {
    pass = std::move(events);
  } else if (holds) {
    for (const auto& [at, e] : recent_) pass.push_back(e);
  }
  held_at_last_refresh_ = holds;
  if (!pass.empty()) Dispatch(std::move(pass), &*r);
  return Status::Ok();
}

Status ErrorsModule::LoadOrRebuild() {
  const std::string path = JoinPath(dir_, errors::kGroupsFile);
  if (ctx_->env->FileExists(path)) {
    Result<std::string> text = ctx_->env->ReadFileToString(path);
    Status st = text.ok() ? table_.Load(*text) : text.status();
    if (st.ok()) {
      loaded_from_ = "file";
      return Status::Ok();
    }
    logger::Error("error-group table unreadable; rebuilding it from the store",
                  {{"file", path}, {"error", st.ToString()}});
  }
  return Rebuild();
}

Status ErrorsModule::Rebuild() {
  table_.Clear();
  QueryOptions opt;
  opt.now_ns = ctx_->env->NowNanos();
  opt.scope = TenantScope::All();
  // A one-off start-up job: it gives way to the user's queries, and its columns are not made
  // "hot" (query/hot_columns.h) — as a user's query they had every flush and merge of the
  // next 10 minutes decode `fingerprint`, `kind` and the timestamps into the chunk cache for
  // nobody: 1 GiB of memory over a 100M-event ingest (docs/ingest-performance.md, round
  // fourteen).
  opt.background = true;
  // The operators' changes first (few), then every occurrence in time order with the
  // changes applied as their time comes, so regressions replay as they happened.
  std::vector<errors::RecordedChange> changes;
  {
    VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql(kErrorAuditQuery));
    VIGIA_ASSIGN_OR_RETURN(QueryResult r, ctx_->query_backend->Run(q, opt));
    for (const QueryRecord& row : r.rows) {
      if (std::optional<errors::RecordedChange> c = RecordedChangeOfRow(row)) {
        changes.push_back(std::move(*c));
      }
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const errors::RecordedChange& a, const errors::RecordedChange& b) {
                       return a.ts_ns < b.ts_ns;
                     });
  }
  size_t next_change = 0;
  auto apply_changes_until = [&](int64_t ts) {
    for (; next_change < changes.size() && changes[next_change].ts_ns <= ts; ++next_change) {
      const errors::RecordedChange& c = changes[next_change];
      (void)table_.Change(c.tenant, c.fingerprint, c.change, c.ts_ns);  // gone groups: skip
    }
  };
  uint64_t rows = 0;
  auto observe = [&](const std::vector<QueryRecord>& batch) {
    for (const QueryRecord& row : batch) {
      errors::ErrorOccurrence o = OccurrenceOfRow(row);
      if (o.fingerprint.empty()) continue;
      apply_changes_until(o.ts_ns);
      (void)table_.Observe(o, o.ts_ns, nullptr);
      ++rows;
    }
  };
  VIGIA_ASSIGN_OR_RETURN(Query q, ParseVql("fingerprint:*"));
  QueryObserver obs;
  obs.on_rows = [&](std::vector<QueryRecord> batch) {
    observe(batch);
    return Status::Ok();
  };
  VIGIA_ASSIGN_OR_RETURN(QueryResult r, ctx_->query_backend->Run(q, opt, obs));
  observe(r.rows);
  apply_changes_until(INT64_MAX);
  loaded_from_ = rows == 0 && changes.empty() ? "empty" : "rebuilt";
  if (rows != 0) {
    logger::Info("error-group table rebuilt from the store",
                 {{"events", std::to_string(rows)},
                  {"groups", std::to_string(table_.size())},
                  {"status_changes", std::to_string(changes.size())}});
  }
  return Status::Ok();
}

Status ErrorsModule::Save() {
  std::lock_guard lock(save_mu_);
  const uint64_t version = table_.version();
  const std::string text = table_.Serialize();
  const std::string tmp = JoinPath(dir_, errors::kGroupsTmpFile);
  Status st = [&]() -> Status {
    VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, ctx_->env->NewWritableFile(tmp));
    VIGIA_RETURN_IF_ERROR(f->Append(text));
    VIGIA_RETURN_IF_ERROR(f->Sync());
    VIGIA_RETURN_IF_ERROR(f->Close());
    VIGIA_RETURN_IF_ERROR(ctx_->env->RenameFile(tmp, JoinPath(dir_, errors::kGroupsFile)));
    return ctx_->env->SyncDir(dir_);
  }();
  if (st.ok()) saved_version_ = version;
  last_save_ = st;
  if (!st.ok()) logger::Error("error-group table not saved", {{"error", st.ToString()}});
  return st;
}

Status ErrorsModule::SaveIfChanged() {
  {
    std::lock_guard lock(save_mu_);
    if (table_.version() == saved_version_) return Status::Ok();
  }
  return Save();
}

void ErrorsModule::Publish(std::shared_ptr<const EventBatch> batch) {
  std::vector<errors::GroupEvent> events;
  const int64_t now = ctx_->env->NowNanos();
  for (const EventBatch::EventRef& e : batch->events()) {
    const Value* fp = batch->Find(e, "fingerprint");
    if (fp == nullptr || fp->type != ValueType::kString || fp->s.empty()) continue;
    errors::ErrorOccurrence o =
        OccurrenceOf([&](std::string_view n) { return StringOf(batch->Find(e, n)); });
    o.ts_ns = e.ts_ns;
    (void)table_.Observe(o, now, &events);
  }
  if (!events.empty()) Dispatch(std::move(events));
}

void ErrorsModule::Dispatch(std::vector<errors::GroupEvent> events,
                            const ClusterErrorGroupsRefresh* recorded) {
  std::string audit;
  for (const errors::GroupEvent& e : events) {
    bool record = true;
    if (recorded != nullptr && e.kind == errors::GroupEventKind::kRegression) {
      // A regression the store already records (a previous holder's) is not recorded again.
      auto r = recorded->regressions_recorded.find(errors::GroupKey(e.tenant, e.fingerprint));
      std::optional<errors::ErrorGroup> g = table_.Get(e.tenant, e.fingerprint);
      record = r == recorded->regressions_recorded.end() || !g ||
               r->second.latest_ns < g->status_changed_ns;
    }
    switch (e.kind) {
      case errors::GroupEventKind::kNewGroup:
        events_new_->Inc();
        break;
      case errors::GroupEventKind::kRegression:
        events_regression_->Inc();
        break;
      case errors::GroupEventKind::kRateAbove:
        events_rate_->Inc();
        break;
      case errors::GroupEventKind::kIgnoreEnded:
        events_ignore_ended_->Inc();
        break;
      case errors::GroupEventKind::kStatusChanged:
        events_status_->Inc();
        break;
    }
    if (record) audit += ErrorAuditLine(e, nullptr);
    hooks_.Notify(e);
  }
  if (!audit.empty()) {
    // Ingesting from inside the pipeline's observer would re-enter it on this thread: the
    // persist task writes these lines.
    std::lock_guard lock(audit_mu_);
    pending_audit_ += audit;
  }
}

void ErrorsModule::FlushAudit() {
  std::string lines;
  {
    std::lock_guard lock(audit_mu_);
    lines.swap(pending_audit_);
  }
  if (lines.empty()) return;
  Result<DecodeResult> r = IngestOwnEvents(*ctx_, lines);
  if (!r.ok()) {
    logger::Error("error-group audit events not stored; retrying",
                  {{"error", r.status().ToString()}});
    std::lock_guard lock(audit_mu_);
    pending_audit_.insert(0, lines);
  }
}

Result<errors::ErrorGroup> ErrorsModule::ChangeStatus(const std::string& tenant,
                                                      const std::string& fingerprint,
                                                      const errors::StatusChange& change) {
  const int64_t now = ctx_->env->NowNanos();
  // In a cluster the change to the table and its entry in local_changes_ are one step under
  // cluster_mu_, so a refresh that read the store before the change cannot replace the table
  // after it (RefreshFromCluster).
  std::unique_lock<std::mutex> cluster_lock(cluster_mu_, std::defer_lock);
  if (cluster_ != nullptr) cluster_lock.lock();
  VIGIA_ASSIGN_OR_RETURN(errors::GroupEvent e, table_.Change(tenant, fingerprint, change, now));
  events_status_->Inc();
  std::optional<errors::ErrorGroup> changed = table_.Get(tenant, fingerprint);
  Status saved;
  if (cluster_ != nullptr) {
    // Shown by this node at once (its next refreshes apply it until the store has its audit
    // event), by the others after their next refresh that reads the audit event.
    errors::RecordedChange c;
    c.ts_ns = now;
    c.tenant = tenant;
    c.fingerprint = fingerprint;
    c.change = change;
    if (changed) {
      c.ignore_until_count = changed->ignore_until_count;
      c.resolved_releases = changed->resolved_releases;
    }
    local_changes_.push_back(std::move(c));
    ++local_changes_made_;
    cluster_lock.unlock();
  } else {
    saved = Save();
  }
  std::string line = ErrorAuditLine(e, &change, changed ? &*changed : nullptr);
  Result<DecodeResult> r = IngestOwnEvents(*ctx_, line);
  if (!r.ok()) {
    // The change stands; its record goes with the next flush.
    std::lock_guard lock(audit_mu_);
    pending_audit_ += line;
  }
  hooks_.Notify(e);
  VIGIA_RETURN_IF_ERROR(saved);
  std::optional<errors::ErrorGroup> g = table_.Get(tenant, fingerprint);
  if (!g) return Status::NotFound("no error group " + fingerprint);
  return *g;
}

void ErrorsModule::RegisterRoutes(Router* router) { AddErrorRoutes(ctx_, this, router); }

Status ErrorsModule::Stop() {
  if (ctx_ == nullptr) return Status::Ok();
  FlushAudit();
  if (cluster_ != nullptr) return Status::Ok();
  return SaveIfChanged();
}

HealthState ErrorsModule::Health(JsonWriter* details) const {
  if (cluster_ != nullptr) {
    std::lock_guard lock(cluster_mu_);
    details->Key("error_groups").BeginObject();
    details->KV("source", "cluster").KV("groups", static_cast<uint64_t>(table_.size()));
    if (refreshed_at_ns_ != 0) details->KV("refreshed", FormatRfc3339(refreshed_at_ns_, 3));
    details->KV("statements", refresh_statements_);
    if (!refresh_error_.empty()) details->KV("error", refresh_error_);
    details->EndObject();
    // Degraded while the refresh fails: the groups shown are as of the last one.
    return refresh_error_.empty() ? HealthState::kOk : HealthState::kDegraded;
  }
  // A failed save is logged and retried; a failed rebuild leaves the groups incomplete.
  if (rebuild_error_.empty()) return HealthState::kOk;
  details->KV("error_groups", "not rebuilt from the store: " + rebuild_error_);
  return HealthState::kDegraded;
}

}  // namespace vigia
