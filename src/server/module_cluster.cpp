#include "server/module_cluster.h"

#include "common/logger.h"
#include "server/cluster_node_id.h"
#include "server/own_events.h"

namespace vigia {

// ServerContext's (server_context.h), here beside the module that publishes the lease.
bool ServerContext::HoldsRulesLease() const {
  return rules_lease == nullptr || rules_lease->Held();
}

Status ClusterModule::Start(ServerContext* ctx) {
  ctx_ = ctx;
  if (store_.backend != "clickhouse") return Status::Ok();
  if (ctx->ingest == nullptr) {
    return Status::Internal("cluster module: the ingest module must start first");
  }
  if (options_.lease_renew_ms * 2 > options_.lease_ttl_ms) {
    return Status::InvalidArgument(
        "cluster.lease_renew_ms (" + std::to_string(options_.lease_renew_ms) +
        ") must be at most half of cluster.lease_ttl_ms (" + std::to_string(options_.lease_ttl_ms) +
        "): a holder must be able to miss a renewal");
  }
  VIGIA_ASSIGN_OR_RETURN(node_id_, LoadOrCreateNodeId(ctx->env, ctx->data_dir, options_.node_id));

  const ClickHouseStorageOptions& ch = store_.clickhouse;
  clickhouse::SchemaOptions schema;
  schema.database = ch.database;
  schema.cluster = ch.cluster;
  table_ = std::make_unique<clickhouse::ClickHouseLeaseTable>(
      clickhouse::ClickHouseClient(ch.url, ch.user, ch.password), schema,
      std::min(limits::kClusterLeaseRequestTimeoutMs, options_.lease_renew_ms));
  clickhouse::LeaseOptions lo;
  lo.lease = "rules";
  lo.node_id = node_id_;
  lo.ttl_ns = int64_t{options_.lease_ttl_ms} * 1'000'000;
  lo.renew_ns = int64_t{options_.lease_renew_ms} * 1'000'000;
  lo.env = ctx->env;
  lo.table = table_.get();
  keeper_ = std::make_unique<clickhouse::LeaseKeeper>(lo);
  ctx->rules_lease = keeper_.get();
  logger::Info("cluster node", {{"node_id", node_id_},
                                {"lease_ttl_ms", options_.lease_ttl_ms},
                                {"lease_renew_ms", options_.lease_renew_ms}});

  if (ctx->metrics != nullptr) {
    MetricRegistry* m = ctx->metrics;
    Gauge* held = m->GetGauge(
        "vigia_cluster_lease_held",
        "1 while this node holds the lease (rules: it evaluates alert rules and runs probes).",
        {"lease"}, {"rules"});
    Gauge* acquired = m->GetSampledCounter("vigia_cluster_lease_acquired_total",
                                           "Times this node took the lease.", {"lease"}, {"rules"});
    Gauge* failures = m->GetSampledCounter(
        "vigia_cluster_lease_renew_failures_total",
        "Lease renewals whose read or write in ClickHouse failed.", {"lease"}, {"rules"});
    const clickhouse::LeaseKeeper* k = keeper_.get();
    m->AddCollector([k, held, acquired, failures] {
      const clickhouse::LeaseStatus s = k->status();
      held->Set(s.held ? 1 : 0);
      acquired->Set(static_cast<double>(s.acquired));
      failures->Set(static_cast<double>(s.renew_failures));
    });
  }

  // Its own thread, not the server's scheduler: a long rule evaluation or backup there must not
  // delay a renewal past the TTL.
  SchedulerOptions so;
  so.env = ctx->env;
  so.threads = 1;
  scheduler_ = std::make_unique<Scheduler>(so);
  ScheduledTask task;
  task.name = "cluster.lease";
  task.interval_ns = lo.renew_ns;
  task.first_delay_ns = 0;
  task.run = [this] { return Renew(); };
  scheduler_->AddTask(std::move(task));
  scheduler_->Start();
  return Status::Ok();
}

Status ClusterModule::Renew() {
  Status st = keeper_->Tick();
  const bool held = keeper_->Held();
  std::lock_guard lock(renew_mu_);
  // A failing renewal is logged when its error changes, not every round.
  const std::string error = st.ok() ? std::string() : st.ToString();
  if (error != logged_error_) {
    if (error.empty()) {
      logger::Info("cluster lease renewals work again", {{"node_id", node_id_}});
    } else {
      logger::Error("cluster lease not renewed",
                    {{"node_id", node_id_},
                     {"error", error},
                     {"hint", "the `leases` table comes with `vigia clickhouse migrate`"}});
    }
    logged_error_ = error;
  }
  if (held != was_held_) {
    was_held_ = held;
    if (held) {
      Audit("cluster.lease.acquire", "node " + node_id_ +
                                         " holds lease rules: it evaluates "
                                         "alert rules and runs probes");
    } else {
      Audit("cluster.lease.lose", "node " + node_id_ + " gave up lease rules" +
                                      (error.empty() ? std::string() : ": " + error));
    }
  }
  return Status::Ok();
}

void ClusterModule::Audit(std::string_view action, std::string_view msg) {
  std::string audit;
  JsonWriter w(&audit);
  const std::string actor = "node:" + node_id_;
  BeginOwnAuditEvent(&w, {.action = action,
                          .actor = actor,
                          .entity = "cluster_lease",
                          .entity_id = "rules",
                          .ts_ns = ctx_->env->NowNanos()});
  w.KV("outcome", "success").KV("msg", msg).EndObject();
  audit += '\n';
  RecordOwnEvents(*ctx_, audit, "cluster audit event");
}

void ClusterModule::WriteStatus(JsonWriter* w) const {
  const clickhouse::LeaseStatus s = keeper_->status();
  w->KV("node_id", node_id_);
  w->Key("leases").BeginObject().Key("rules").BeginObject();
  w->KV("held", s.held).KV("holder", s.holder);
  w->Key("live_nodes").BeginArray();
  for (const std::string& n : s.live) w->String(n);
  w->EndArray();
  w->KV("ttl_ms", options_.lease_ttl_ms).KV("renew_ms", options_.lease_renew_ms);
  w->KV("acquired", s.acquired).KV("lost", s.lost).KV("renew_failures", s.renew_failures);
  if (!s.last_error.empty()) w->KV("last_error", s.last_error);
  w->EndObject().EndObject();
}

void ClusterModule::RegisterRoutes(Router* router) {
  router->Add("GET", "/v1/cluster", Access::kAdmin, [this](HttpRequest&, HttpResponse* resp) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject();
    if (keeper_ == nullptr) {
      w.KV("mode", "single");  // the embedded store: no lease, this node does everything
    } else {
      w.KV("mode", "clickhouse");
      WriteStatus(&w);
    }
    w.EndObject();
    resp->SetJson(200, std::move(out));
  });
}

Status ClusterModule::Stop() {
  if (keeper_ == nullptr) return Status::Ok();
  scheduler_->Stop();
  // Graceful: the next node takes over at its next renewal instead of after the TTL. Not
  // fatal for the stop when ClickHouse is away (the lease then runs out by itself).
  Status st = keeper_->Release();
  if (!st.ok()) logger::Warn("cluster lease not released", {{"error", st.ToString()}});
  return Status::Ok();
}

HealthState ClusterModule::Health(JsonWriter* details) const {
  if (keeper_ == nullptr) return HealthState::kOk;
  details->Key("cluster").BeginObject();
  WriteStatus(details);
  details->EndObject();
  // Renewals failing: the node serves, but neither holds nor can take the lease.
  return keeper_->status().last_error.empty() ? HealthState::kOk : HealthState::kDegraded;
}

}  // namespace vigia
