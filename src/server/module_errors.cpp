#include "server/module_errors.h"

#include <algorithm>

#include "common/json_writer.h"
#include "common/logger.h"
#include "errors/error_file_names.h"
#include "event/event_fields.h"
#include "server/own_events.h"
#include "server/route_errors.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;

std::string_view StringOf(const Value* v) {
  return v != nullptr && v->type == ValueType::kString ? v->s : std::string_view();
}

std::string_view StringOf(const QueryRecord& r, std::string_view name) {
  const OwnedValue* v = r.Get(name);
  return v != nullptr && v->type == ValueType::kString ? std::string_view(v->s)
                                                       : std::string_view();
}

int64_t IntOf(const QueryRecord& r, std::string_view name) {
  const OwnedValue* v = r.Get(name);
  if (v == nullptr) return 0;
  if (v->type == ValueType::kInt) return v->i;
  if (v->type == ValueType::kFloat) return static_cast<int64_t>(v->f);
  return 0;
}

// Occurrence fields read from an event (batch) or a query row alike.
template <typename Get>
errors::ErrorOccurrence OccurrenceOf(const Get& get) {
  errors::ErrorOccurrence o;
  o.tenant = get("tenant");
  o.fingerprint = get("fingerprint");
  o.error.type = get("error.type");
  o.error.message = get("error.message");
  o.error.stack = get("error.stack");
  o.error.function = get("error.function");
  o.error.file = get("error.file");
  o.error.msg = get("msg");
  o.user = get("user_id");
  o.service = get("service");
  o.release = get("version");
  o.environment = get("env");
  o.event_id = get("event_id");
  if (o.event_id.empty()) o.event_id = get("request_id");
  if (o.event_id.empty()) o.event_id = get("trace_id");
  return o;
}

// An operator's change recorded in the audit trail, for the rebuild to replay.
struct RecordedChange {
  int64_t ts_ns = 0;
  std::string tenant, fingerprint;
  errors::StatusChange change;
};

}  // namespace

std::string ErrorAuditLine(const errors::GroupEvent& e, const errors::StatusChange* change) {
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
    if (change->ignore_for_ns > 0) w.KV("ignore_for_sec", change->ignore_for_ns / kNsPerSec);
    if (change->ignore_count > 0) w.KV("ignore_count", change->ignore_count);
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
  VIGIA_RETURN_IF_ERROR(ctx->env->CreateDir(dir_));
  // A table that cannot be rebuilt (a corrupt part fails the query) must not keep the server
  // from starting: it starts empty, /health/ready says why (degraded), and it is not saved
  // until it changes, so the next start tries the rebuild again.
  if (Status st = LoadOrRebuild(); !st.ok()) {
    table_.Clear();
    rebuild_error_ = st.ToString();
    loaded_from_ = "empty";
    logger::Error("error-group table not rebuilt; starting empty", {{"error", rebuild_error_}});
  }
  saved_version_ = table_.version();
  if (loaded_from_ == "rebuilt") VIGIA_RETURN_IF_ERROR(Save());

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

  ctx->ingest->AddObserver(this);
  ctx->error_hooks = &hooks_;
  ctx->error_groups = &table_;
  ctx->scheduler->AddTask(ScheduledTask{
      "errors.persist", int64_t{options_.persist_interval_sec} * kNsPerSec, -1, 0, [this] {
        FlushAudit();
        return SaveIfChanged();
      }});
  logger::Info("error groups", {{"groups", std::to_string(table_.size())},
                                {"from", loaded_from_},
                                {"file", JoinPath(dir_, errors::kGroupsFile)}});
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
  // The operators' changes first (few), then every occurrence in time order with the
  // changes applied as their time comes, so regressions replay as they happened.
  std::vector<RecordedChange> changes;
  {
    VIGIA_ASSIGN_OR_RETURN(Query q,
                           ParseVql("kind:audit entity:error "
                                    "action:in(error.resolved, error.ignored, error.unresolved)"));
    VIGIA_ASSIGN_OR_RETURN(QueryResult r, ctx_->query_backend->Run(q, opt));
    for (const QueryRecord& row : r.rows) {
      std::optional<errors::GroupStatus> s =
          errors::ParseGroupStatus(StringOf(row, "group_status"));
      if (!s || *s == errors::GroupStatus::kRegressed) continue;
      RecordedChange c;
      c.ts_ns = IntOf(row, "ts");
      c.tenant = StringOf(row, "tenant");
      c.fingerprint = StringOf(row, "entity_id");
      c.change.status = *s;
      c.change.actor = StringOf(row, "actor");
      const OwnedValue* next = row.Get("in_next_release");
      c.change.in_next_release = next != nullptr && next->type == ValueType::kBool && next->b;
      c.change.ignore_for_ns = IntOf(row, "ignore_for_sec") * kNsPerSec;
      c.change.ignore_count =
          static_cast<uint64_t>(std::max<int64_t>(0, IntOf(row, "ignore_count")));
      changes.push_back(std::move(c));
    }
    std::stable_sort(
        changes.begin(), changes.end(),
        [](const RecordedChange& a, const RecordedChange& b) { return a.ts_ns < b.ts_ns; });
  }
  size_t next_change = 0;
  auto apply_changes_until = [&](int64_t ts) {
    for (; next_change < changes.size() && changes[next_change].ts_ns <= ts; ++next_change) {
      const RecordedChange& c = changes[next_change];
      (void)table_.Change(c.tenant, c.fingerprint, c.change, c.ts_ns);  // gone groups: skip
    }
  };
  uint64_t rows = 0;
  auto observe = [&](const std::vector<QueryRecord>& batch) {
    for (const QueryRecord& row : batch) {
      errors::ErrorOccurrence o =
          OccurrenceOf([&row](std::string_view n) { return StringOf(row, n); });
      if (o.fingerprint.empty()) continue;
      o.ts_ns = IntOf(row, "ts");
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

void ErrorsModule::Dispatch(std::vector<errors::GroupEvent> events) {
  std::string audit;
  for (const errors::GroupEvent& e : events) {
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
    audit += ErrorAuditLine(e, nullptr);
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
  VIGIA_ASSIGN_OR_RETURN(errors::GroupEvent e, table_.Change(tenant, fingerprint, change, now));
  events_status_->Inc();
  Status saved = Save();
  std::string line = ErrorAuditLine(e, &change);
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
  return SaveIfChanged();
}

HealthState ErrorsModule::Health(JsonWriter* details) const {
  // A failed save is logged and retried; a failed rebuild leaves the groups incomplete.
  if (rebuild_error_.empty()) return HealthState::kOk;
  details->KV("error_groups", "not rebuilt from the store: " + rebuild_error_);
  return HealthState::kDegraded;
}

}  // namespace vigia
