#include "server/module_audit.h"

#include <limits>
#include <map>

#include "audit/audit_event.h"
#include "audit/audit_log.h"
#include "audit/cluster_verifier.h"
#include "audit/export_csv.h"
#include "audit/ledger_verifier.h"
#include "common/json_writer.h"
#include "common/logger.h"
#include "common/time_format.h"
#include "server/cluster_node_id.h"
#include "server/http_errors.h"
#include "server/route_query.h"
#include "server/storage_backend.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

// since/until: RFC 3339, or a duration back from now ("1h", "7d").
bool ParseTimeParam(std::string_view text, int64_t now_ns, int64_t* out) {
  if (text.empty()) return true;
  if (std::optional<int64_t> d = ParseDurationNs(text)) {
    *out = now_ns - *d;
    return true;
  }
  if (std::optional<int64_t> t = ParseRfc3339(text)) {
    *out = *t;
    return true;
  }
  return false;
}

// The tenant whose chain a request reads: `tenant=` for a key of every tenant, else the
// key's own (asking for another is 403).
bool RequestTenant(const HttpRequest& req, HttpResponse* resp, std::string* tenant) {
  std::string asked = PercentDecode(req.QueryParam("tenant"));
  if (req.principal.all_tenants) {
    *tenant = std::move(asked);
    return true;
  }
  if (!req.QueryParam("tenant").empty() && asked != req.principal.tenant) {
    SetError(resp, error_code::kForbidden,
             "this API key may read only tenant " + req.principal.tenant);
    return false;
  }
  *tenant = req.principal.tenant;
  return true;
}

void WriteReport(JsonWriter& w, const audit::TenantReport& r) {
  w.BeginObject();
  // "records": the audit events (chain positions), as before ledger v2; "ledger_records":
  // the records holding them (a v2 batch record holds several).
  w.KV("tenant", r.tenant).KV("ok", r.ok()).KV("records", r.events).KV("last_seq", r.last_seq);
  w.KV("ledger_records", r.records);
  w.KV("checkpoints", r.checkpoints).KV("sealed_seq", r.sealed_seq).KV("pruned_seq", r.pruned_seq);
  w.KV("signatures_checked", r.signatures_checked);
  w.KV("incomplete_tail_bytes", r.incomplete_tail_bytes);
  w.Key("breaks").BeginArray();
  for (const audit::ChainBreak& b : r.breaks) {
    w.BeginObject().KV("kind", audit::TamperKindName(b.kind)).KV("seq", b.seq);
    w.KV("offset", b.offset).KV("detail", b.detail);
    if (b.record_count > 0) {
      w.KV("record_seq", b.record_seq).KV("record_count", static_cast<uint64_t>(b.record_count));
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// Sets a counter to `value` (the mirror's own totals, read at scrape time).
void CatchUp(Counter* c, uint64_t value) {
  const uint64_t cur = c->value();
  if (value > cur) c->Inc(value - cur);
}

// GET /v1/audit/verify?scope=cluster: every node's log, each chain's report as above.
void WriteClusterReport(JsonWriter& w, const audit::ClusterReport& r,
                        const audit::AuditMirrorStats& mirror) {
  w.BeginObject().KV("scope", "cluster").KV("ok", r.ok());
  w.KV("records", r.events()).KV("ledger_records", r.records());
  w.Key("logs").BeginArray();
  for (const audit::LogReport& l : r.logs) {
    w.BeginObject().KV("public_key", l.public_key_hex).Key("nodes").BeginArray();
    for (const std::string& n : l.nodes) w.String(n);
    w.EndArray();
    w.KV("own", l.own).KV("pinned", l.pinned).KV("trusted", l.trusted).KV("missing", l.missing);
    w.KV("ok", l.ok()).Key("tenants").BeginArray();
    for (const audit::TenantReport& t : l.tenants) WriteReport(w, t);
    w.EndArray().EndObject();
  }
  w.EndArray();
  // This node's own mirror round, run just before: a failure means its newest records may
  // not be in the report yet.
  w.Key("mirror").BeginObject().KV("ok", mirror.error.empty()).KV("error", mirror.error);
  w.EndObject().EndObject();
}

}  // namespace

AuditModule::AuditModule(AuditModuleOptions options) : options_(std::move(options)) {}

AuditModule::~AuditModule() = default;

Status AuditModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  if (ctx->data_dir.empty()) return Status::Internal("audit module needs the store module");
  audit::AuditLedgerOptions lo;
  lo.dir = ctx->data_dir + "/audit";
  lo.env = ctx->env;
  VIGIA_ASSIGN_OR_RETURN(ledger_, audit::AuditLedger::Open(std::move(lo)));
  audit::AuditChainerOptions co;
  co.store = ctx->store;
  co.ledger = ledger_.get();
  co.env = ctx->env;
  co.sync_each_group = options_.fsync == FsyncPolicy::kAlways;
  co.sync_interval_ms = options_.chain_sync_interval_ms;
  Result<std::unique_ptr<audit::AuditChainer>> chainer = audit::AuditChainer::Start(co);
  if (chainer.ok()) {
    chainer_ = std::move(*chainer);
    ctx->ingest_gates.push_back(this);
  } else if (chainer.status().code() == StatusCode::kUnavailable) {
    // No WAL to observe (another store backend): chain on the acknowledgement path.
    logger::Info("audit: the store has no WAL to observe; chaining at ingest",
                 {{"reason", chainer.status().message()}});
    ledger_.reset();
    audit::AuditLedgerOptions sync_lo;
    sync_lo.dir = ctx->data_dir + "/audit";
    sync_lo.env = ctx->env;
    sync_lo.sync_each_append = options_.fsync == FsyncPolicy::kAlways;
    VIGIA_ASSIGN_OR_RETURN(ledger_, audit::AuditLedger::Open(std::move(sync_lo)));
    ctx->commit_hooks.push_back(this);
  } else {
    return chainer.status();
  }

  if (ctx->storage != nullptr) cluster_store_ = ctx->storage->MakeClusterLedgerStore();
  if (cluster_store_ != nullptr) {
    VIGIA_ASSIGN_OR_RETURN(node_id_, LoadOrCreateNodeId(ctx->env, ctx->data_dir, options_.node_id));
    audit::AuditMirrorOptions mo;
    mo.ledger = ledger_.get();
    mo.store = cluster_store_.get();
    mo.node = node_id_;
    mo.env = ctx->env;
    mirror_ = std::make_unique<audit::AuditMirror>(mo);
    audit::AuditMirror* mirror = mirror_.get();
    const std::string node = node_id_;
    // Logged on a change only: ClickHouse down fails every round until it is back.
    auto failing = std::make_shared<bool>(false);
    ctx->scheduler->AddTask(ScheduledTask{
        "audit.mirror", int64_t{limits::kAuditMirrorIntervalMs} * 1'000'000, -1, 0,
        [mirror, node, failing]() -> Status {
          Status st = mirror->RunOnce();
          if (!st.ok() && !*failing) {
            logger::Error("audit mirror into ClickHouse failed; retrying every round",
                          {{"node_id", node}, {"error", st.ToString()}});
          } else if (st.ok() && *failing) {
            logger::Info("audit mirror into ClickHouse works again", {{"node_id", node}});
          }
          *failing = !st.ok();
          return Status::Ok();
        }});
    Counter* m_records = ctx->metrics->GetCounter(
        "vigia_audit_mirror_records_total",
        "Audit ledger records this node appended to ClickHouse (cluster mode; re-sends included)");
    Counter* m_checkpoints = ctx->metrics->GetCounter(
        "vigia_audit_mirror_checkpoints_total",
        "Signed audit checkpoints this node appended to ClickHouse (cluster mode)");
    Counter* m_failures = ctx->metrics->GetCounter(
        "vigia_audit_mirror_failures_total",
        "Failed rounds of the audit mirror into ClickHouse (each is retried the next round)");
    Gauge* m_error = ctx->metrics->GetGauge("vigia_audit_mirror_error",
                                            "1 while the audit mirror's last round failed, else 0");
    ctx->metrics->AddCollector([mirror, m_records, m_checkpoints, m_failures, m_error] {
      const audit::AuditMirrorStats s = mirror->stats();
      CatchUp(m_records, s.records);
      CatchUp(m_checkpoints, s.checkpoints);
      CatchUp(m_failures, s.failures);
      m_error->Set(s.error.empty() ? 0.0 : 1.0);
    });
  }

  if (options_.catalogue_file.empty()) {
    catalogue_ = audit::ActionCatalogue::Default();
  } else {
    Result<std::string> text = ctx->env->ReadFileToString(options_.catalogue_file);
    if (!text.ok())
      return Status::InvalidArgument("audit.catalogue_file: " + text.status().ToString());
    VIGIA_ASSIGN_OR_RETURN(catalogue_,
                           audit::ActionCatalogue::Parse(*text, options_.catalogue_file));
  }
  ctx->batch_redactors.push_back(this);
  const char* events_help =
      "Audit events seen at ingest, by whether the action catalogue has their action";
  catalogued_ =
      ctx->metrics->GetCounter("vigia_audit_events_total", events_help, {"catalogued"}, {"true"});
  uncatalogued_ =
      ctx->metrics->GetCounter("vigia_audit_events_total", events_help, {"catalogued"}, {"false"});
  incomplete_ = ctx->metrics->GetCounter(
      "vigia_audit_missing_fields_total",
      "Catalogued audit events that lacked a required field (flagged missing_fields)");

  records_ = ctx->metrics->GetCounter("vigia_audit_records_total",
                                      "Audit events appended to the hash-chained ledger");
  failures_ = ctx->metrics->GetCounter(
      "vigia_audit_append_failures_total",
      "Ingest requests refused (503) because their audit events could not be chained");
  checkpoints_ = ctx->metrics->GetCounter("vigia_audit_checkpoint_runs_total",
                                          "Checkpoint runs (each signs every chain that grew)");

  audit::AuditLedger* ledger = ledger_.get();
  audit::AuditChainer* chainer_ptr = chainer_.get();
  Env* env = ctx->env;
  Counter* runs = checkpoints_;
  // A checkpoint seals what was written before it: the chainer catches up first (bounded).
  ctx->scheduler->AddTask(
      ScheduledTask{"audit.checkpoint", int64_t{options_.checkpoint_interval_sec} * 1'000'000'000,
                    -1, 0, [ledger, chainer_ptr, env, runs] {
                      if (chainer_ptr != nullptr)
                        (void)chainer_ptr->WaitChained(limits::kAuditChainWaitMs);
                      runs->Inc();
                      return ledger->Checkpoint(env->NowNanos());
                    }});
  if (chainer_ == nullptr && options_.fsync == FsyncPolicy::kInterval) {
    ctx->scheduler->AddTask(ScheduledTask{"audit.sync",
                                          int64_t{options_.sync_interval_ms} * 1'000'000, -1, 0,
                                          [ledger] { return ledger->Sync(); }});
  }
  if (options_.retention_days > 0) {
    pruned_ = ctx->metrics->GetCounter(
        "vigia_audit_pruned_records_total",
        "Chained audit records dropped by audit.retention_days (whole checkpointed segments)");
    const int64_t keep_ns = int64_t{options_.retention_days} * 86'400'000'000'000;
    Counter* pruned = pruned_;
    // Like a checkpoint, a prune acts on what was written before it: the chainer catches up
    // first (bounded), so the anchor is chosen over the whole chain (the records after the
    // newest old-enough checkpoint included).
    ctx->scheduler->AddTask(
        ScheduledTask{"audit.retention", int64_t{3600} * 1'000'000'000, -1, 0,
                      [ledger, chainer_ptr, env, keep_ns, pruned]() -> Status {
                        if (chainer_ptr != nullptr)
                          (void)chainer_ptr->WaitChained(limits::kAuditChainWaitMs);
                        Result<uint64_t> n = ledger->Prune(env->NowNanos() - keep_ns);
                        if (!n.ok()) return n.status();
                        pruned->Inc(*n);
                        return Status::Ok();
                      }});
  }
  if (chainer_ != nullptr) {
    Gauge* lag_batches = ctx->metrics->GetGauge(
        "vigia_audit_chain_lag_batches",
        "WAL records (batches) written and not chained yet by the audit chainer");
    Gauge* lag_events = ctx->metrics->GetGauge(
        "vigia_audit_chain_lag_events",
        "Events of the batches written to the WAL and not chained yet (audit or not)");
    Gauge* lag_bytes = ctx->metrics->GetGauge(
        "vigia_audit_chain_lag_bytes",
        "Memory of the batches queued for the audit chainer (bounded: kAuditChainMaxLagBytes)");
    Gauge* lag_seconds = ctx->metrics->GetGauge(
        "vigia_audit_chain_lag_seconds",
        "How long the oldest batch written to the WAL and not chained yet has waited (0 when "
        "none waits)");
    Gauge* erroring = ctx->metrics->GetGauge(
        "vigia_audit_chain_error",
        "1 while a failed ledger or position write is being retried (the error: /v1/stats "
        "audit_chain.error), else 0");
    Counter* chained = ctx->metrics->GetCounter(
        "vigia_audit_chain_events_total",
        "Audit events the chainer appended to the ledger (the catch-up at start included)");
    Counter* chain_failures = ctx->metrics->GetCounter(
        "vigia_audit_chain_failures_total",
        "Failed ledger or position writes of the audit chainer (each retry counts)");
    audit::AuditChainer* c = chainer_.get();
    ctx->metrics->AddCollector([this, c, lag_batches, lag_events, lag_bytes, lag_seconds, erroring,
                                chained, chain_failures] {
      audit::AuditChainLag l = c->lag();
      lag_batches->Set(static_cast<double>(l.batches));
      lag_events->Set(static_cast<double>(l.events));
      lag_bytes->Set(static_cast<double>(l.bytes));
      lag_seconds->Set(static_cast<double>(l.behind_ns) / 1e9);
      erroring->Set(l.error.empty() ? 0.0 : 1.0);
      if (uint64_t before = chained_seen_.exchange(l.chained_events); l.chained_events > before)
        chained->Inc(l.chained_events - before);
      if (uint64_t before = failures_seen_.exchange(l.failures); l.failures > before)
        chain_failures->Inc(l.failures - before);
      uint64_t n = ledger_->records_appended();
      uint64_t before = records_seen_.exchange(n);
      if (n > before) records_->Inc(n - before);
    });
    ctx->stats_sections.push_back(
        {"audit_chain", [c](JsonWriter* w) {
           audit::AuditChainLag l = c->lag();
           w->BeginObject();
           w->KV("pending_batches", l.batches)
               .KV("pending_events", l.events)
               .KV("pending_bytes", l.bytes);
           w->KV("behind_seconds", static_cast<double>(l.behind_ns) / 1e9);
           w->KV("written_wal_seq", l.written_seq)
               .KV("chained_wal_seq", l.chained_seq)
               .KV("durable_wal_seq", l.durable_seq);
           w->KV("chained_events", l.chained_events)
               .KV("caught_up_records", l.caught_up_records)
               .KV("skipped_events", l.skipped_events);
           w->KV("failures", l.failures).KV("error", l.error).KV("last_error", l.last_error);
           w->EndObject();
         }});
  }
  std::vector<audit::ChainHead> heads = ledger_->Heads();
  logger::Info("audit ledger", {{"dir", ledger_->dir()},
                                {"chains", std::to_string(heads.size())},
                                {"public_key", ledger_->key().public_key_hex()}});
  return Status::Ok();
}

Status AuditModule::AdmitBatch(const EventBatch& batch) {
  if (chainer_ == nullptr) return Status::Ok();
  for (const auto& e : batch.events()) {
    if (audit::IsAuditEvent(batch, e)) {
      Status st = chainer_->Admit();
      if (!st.ok()) failures_->Inc();
      return st;
    }
  }
  return Status::Ok();
}

Status AuditModule::Committed(std::string_view tenant, const EventBatch& batch) {
  uint64_t before = ledger_->records_appended();
  Status st = ledger_->AppendAuditEvents(tenant, batch);
  if (!st.ok()) {
    failures_->Inc();
    logger::Error("audit ledger append failed", {{"error", st.ToString()}});
    return Status::Unavailable("audit ledger: " + st.message());
  }
  records_->Inc(ledger_->records_appended() - before);
  return Status::Ok();
}

void AuditModule::Redact(std::string_view, EventBatch* batch) const {
  catalogue_.Annotate(batch, [this](const audit::AnnotatedAction& a) {
    if (a.catalogued) {
      catalogued_->Inc();
      if (a.missing_fields) incomplete_->Inc();
      return;
    }
    uncatalogued_->Inc();
    // The registry caps this family's label sets (overflow to "other"): clients choose
    // action names.
    ctx_->metrics
        ->GetCounter("vigia_audit_uncatalogued_total",
                     "Audit events whose action is not in the catalogue (stored, flagged "
                     "catalogued=false)",
                     {"action"}, {std::string(a.action)})
        ->Inc();
  });
}

void AuditModule::RegisterRoutes(Router* router) {
  if (!ledger_) return;
  audit::AuditLedger* ledger = ledger_.get();
  // Every read of the chain first waits (bounded) for the chainer to chain what was written
  // before the request, so a client reads its own acknowledged audit events.
  audit::AuditChainer* chainer = chainer_.get();
  ServerContext* ctx = ctx_;
  router->Add("GET", "/v1/audit", Access::kRead,
              [ledger, ctx, chainer](HttpRequest& req, HttpResponse* resp) {
                if (chainer != nullptr) (void)chainer->WaitChained(limits::kAuditChainWaitMs);
                audit::AuditFilter f;
                f.actor = PercentDecode(req.QueryParam("actor"));
                f.entity = PercentDecode(req.QueryParam("entity"));
                f.entity_id = PercentDecode(req.QueryParam("entity_id"));
                f.action = PercentDecode(req.QueryParam("action"));
                std::string tenant;
                if (!RequestTenant(req, resp, &tenant)) return;
                int64_t now = ctx->env->NowNanos();
                if (!ParseTimeParam(PercentDecode(req.QueryParam("since")), now, &f.since_ns) ||
                    !ParseTimeParam(PercentDecode(req.QueryParam("until")), now, &f.until_ns)) {
                  SetError(resp, error_code::kBadRequest,
                           "since/until: expected RFC 3339 or a duration such as 1h");
                  return;
                }
                f.limit = limits::kDefaultQueryRowLimit;
                if (std::string l = PercentDecode(req.QueryParam("limit")); !l.empty()) {
                  char* end = nullptr;
                  unsigned long long v = std::strtoull(l.c_str(), &end, 10);
                  if (end == l.c_str() || *end != '\0' || v == 0) {
                    SetError(resp, error_code::kBadRequest, "limit: expected a positive integer");
                    return;
                  }
                  f.limit = v;
                }
                std::string format = PercentDecode(req.QueryParam("format"));
                bool json = format == "json";
                if (!format.empty() && !json && format != "ndjson") {
                  SetError(resp, error_code::kBadRequest, "format: expected ndjson or json");
                  return;
                }
                std::string body;
                if (json) {
                  body = "{\"tenant\":";
                  AppendJsonString(&body, tenant);
                  body += ",\"records\":[";
                }
                bool first = true;
                Status st = audit::ScanAuditLog(
                    ctx->env, ledger->dir(), tenant, f, [&](const audit::LedgerEvent& rec) {
                      if (json && !first) body += ',';
                      first = false;
                      body += "{\"seq\":" + std::to_string(rec.seq) +
                              ",\"record\":" + std::to_string(rec.record_seq) +
                              ",\"index\":" + std::to_string(rec.index) + ",\"hash\":\"" +
                              audit::HashHex(rec.hash) + "\",\"prev\":\"" +
                              audit::HashHex(rec.prev) + "\",\"event\":";
                      body.append(rec.payload);
                      body += '}';
                      if (!json) body += '\n';
                      return true;
                    });
                if (!st.ok()) {
                  SetError(resp, ErrorForStatus(st), st.message());
                  return;
                }
                if (json) body += "]}";
                resp->status = 200;
                resp->content_type = json ? "application/json" : "application/x-ndjson";
                resp->body = std::move(body);
              });
  const audit::ActionCatalogue* catalogue = &catalogue_;
  router->Add("GET", "/v1/audit/actions", Access::kRead,
              [ledger, ctx, catalogue, chainer](HttpRequest& req, HttpResponse* resp) {
                if (chainer != nullptr) (void)chainer->WaitChained(limits::kAuditChainWaitMs);
                std::string tenant;
                if (!RequestTenant(req, resp, &tenant)) return;
                audit::AuditFilter f;
                int64_t now = ctx->env->NowNanos();
                if (!ParseTimeParam(PercentDecode(req.QueryParam("since")), now, &f.since_ns) ||
                    !ParseTimeParam(PercentDecode(req.QueryParam("until")), now, &f.until_ns)) {
                  SetError(resp, error_code::kBadRequest,
                           "since/until: expected RFC 3339 or a duration such as 1h");
                  return;
                }
                Result<std::map<std::string, uint64_t>> counts =
                    audit::CountActions(ctx->env, ledger->dir(), tenant, f);
                if (!counts.ok()) {
                  SetError(resp, ErrorForStatus(counts.status()), counts.status().message());
                  return;
                }
                resp->SetJson(200, audit::ActionCountsJson(*catalogue, *counts, tenant));
              });
  router->Add("GET", "/v1/audit/export", Access::kAdmin,
              [ledger, ctx, chainer](HttpRequest& req, HttpResponse* resp) {
                std::string tenant;
                if (!RequestTenant(req, resp, &tenant)) return;
                if (chainer != nullptr && !chainer->WaitChained(limits::kAuditChainWaitMs)) {
                  resp->headers.emplace_back("X-Vigia-Audit-Chain-Behind",
                                             std::to_string(chainer->lag().batches));
                }
                std::string format = PercentDecode(req.QueryParam("format"));
                if (!format.empty() && format != "ndjson" && format != "csv") {
                  SetError(resp, error_code::kBadRequest, "format: expected ndjson or csv");
                  return;
                }
                std::string body;
                auto out = [&](std::string_view c) { body.append(c); };
                Status st = format == "csv"
                                ? audit::WriteAuditExportCsv(ctx->env, ledger->dir(), tenant, out)
                                : audit::WriteAuditExport(ctx->env, ledger->dir(), tenant, out);
                if (!st.ok()) {
                  SetError(resp, ErrorForStatus(st), st.message());
                  return;
                }
                resp->status = 200;
                resp->content_type = format == "csv" ? "text/csv" : "application/x-ndjson";
                resp->body = std::move(body);
              });
  audit::AuditMirror* mirror = mirror_.get();
  audit::ClusterLedgerStore* cluster = cluster_store_.get();
  const std::vector<std::string> trusted = options_.trusted_keys;
  router->Add(
      "GET", "/v1/audit/verify", Access::kAdmin,
      [ledger, ctx, chainer, mirror, cluster, trusted](HttpRequest& req, HttpResponse* resp) {
        const std::string scope = PercentDecode(req.QueryParam("scope"));
        if (scope == "cluster") {
          if (cluster == nullptr) {
            SetError(resp, error_code::kBadRequest,
                     "scope=cluster: this node is not in a cluster (storage.backend is "
                     "not clickhouse); its own chains are the whole trail");
            return;
          }
          audit::ClusterVerifyOptions o;
          std::string tenant;
          if (!RequestTenant(req, resp, &tenant)) return;
          o.all_tenants = req.principal.all_tenants && req.QueryParam("tenant").empty();
          o.tenant = tenant;
          o.trusted_keys = trusted;
          o.own_key = ledger->key().public_key_hex();
          // This node's newest records first, so the report covers what it acknowledged.
          (void)mirror->RunOnce();
          Result<audit::ClusterReport> r = audit::VerifyCluster(cluster, o);
          if (!r.ok()) {
            SetError(resp, ErrorForStatus(r.status()),
                     "cluster audit verification: " + r.status().message());
            return;
          }
          std::string body;
          JsonWriter w(&body);
          WriteClusterReport(w, *r, mirror->stats());
          resp->SetJson(200, std::move(body));
          return;
        }
        if (!scope.empty() && scope != "node") {
          SetError(resp, error_code::kBadRequest, "scope: expected node or cluster");
          return;
        }
        // Everything written before the request is chained first (bounded wait).
        bool caught_up = chainer == nullptr || chainer->WaitChained(limits::kAuditChainWaitMs);
        audit::AuditChainLag lag = chainer ? chainer->lag() : audit::AuditChainLag{};
        audit::VerifyOptions o;
        o.public_key_hex = ledger->key().public_key_hex();
        Result<std::vector<audit::TenantReport>> reports =
            audit::VerifyLedgerDir(ctx->env, ledger->dir(), o);
        if (!reports.ok()) {
          SetError(resp, ErrorForStatus(reports.status()), reports.status().message());
          return;
        }
        std::string tenant;
        if (!RequestTenant(req, resp, &tenant)) return;
        bool all = req.principal.all_tenants && req.QueryParam("tenant").empty();
        std::string body;
        JsonWriter w(&body);
        bool ok = true;
        w.BeginObject().Key("tenants").BeginArray();
        for (const audit::TenantReport& r : *reports) {
          if (!all && r.tenant != tenant) continue;
          ok = ok && r.ok();
          WriteReport(w, r);
        }
        w.EndArray().KV("ok", ok);
        // The chain's lag behind the WAL: what this report could not include yet.
        w.Key("chain").BeginObject().KV("caught_up", caught_up);
        w.KV("pending_batches", lag.batches).KV("pending_events", lag.events);
        w.KV("chained_wal_seq", lag.chained_seq).KV("written_wal_seq", lag.written_seq);
        w.EndObject().EndObject();
        resp->SetJson(200, std::move(body));
      });
  router->Add("GET", "/v1/audit/public-key", Access::kRead,
              [ledger](HttpRequest&, HttpResponse* resp) {
                std::string body;
                JsonWriter w(&body);
                w.BeginObject().KV("public_key", ledger->key().public_key_hex()).EndObject();
                resp->SetJson(200, std::move(body));
              });
}

Status AuditModule::Stop() {
  if (!ledger_) return Status::Ok();
  if (chainer_ != nullptr) {
    // Everything the WAL holds is chained (and the position written) before the checkpoint.
    Status cs = chainer_->Stop();
    if (!cs.ok()) logger::Error("audit: chainer stop failed", {{"error", cs.ToString()}});
  }
  // A last checkpoint seals everything ingested before the shutdown.
  Status st = ledger_->Checkpoint(ctx_->env->NowNanos());
  if (!st.ok()) logger::Error("audit: final checkpoint failed", {{"error", st.ToString()}});
  if (mirror_ != nullptr && mirror_->stats().error.empty()) {
    // The last records and that checkpoint into ClickHouse (else the next start sends them;
    // not tried when the last round failed: a shutdown does not wait for a ClickHouse that is
    // down).
    Status ms = mirror_->RunOnce();
    if (!ms.ok()) {
      logger::Warn("audit: the last mirror round failed; the next start sends the rest",
                   {{"error", ms.ToString()}});
    }
  }
  return st;
}

HealthState AuditModule::Health(JsonWriter* details) const {
  if (mirror_ != nullptr) {
    const audit::AuditMirrorStats s = mirror_->stats();
    details->KV("node_id", node_id_);
    details->KV("mirror_records", s.records);
    // ClickHouse down or refusing: the chains go on locally and the mirror catches up.
    if (!s.error.empty()) {
      details->KV("audit_mirror", s.error);
      return HealthState::kDegraded;
    }
  }
  // The chainer retrying a failed ledger write: ingest goes on (the WAL keeps the events)
  // until the lag bound refuses audit events (503 + vigia_audit_append_failures_total).
  if (chainer_ == nullptr) return HealthState::kOk;
  Status st = chainer_->health();
  if (st.ok()) return HealthState::kOk;
  details->KV("audit_chain", st.ToString());
  return HealthState::kDegraded;
}

}  // namespace vigia
