// ClusterModule: the node's part in a cluster of vigia nodes on one ClickHouse
// (storage.backend = "clickhouse", docs/scale-out.md). It gives the node its id
// (cluster_node_id.h) and keeps the lease "rules" (clickhouse/lease_keeper.h) — a task
// `cluster.lease` every cluster.lease_renew_ms on the module's own scheduler thread, so long
// work on the server's scheduler never delays a renewal — and publishes it as
// ctx->rules_lease: the alerts module evaluates rules and the monitor module runs probes only
// while this node holds it, so N nodes with the same rules fire once. Each acquisition and loss
// is a kind=audit event (cluster.lease.acquire / cluster.lease.lose, actor node:<id>); on a
// graceful stop the node releases the lease so another takes over at its next renewal. Serves
// GET /v1/cluster (node id, holder, live nodes), reports the lease in /health/ready and the
// metrics vigia_cluster_lease_held{lease="rules"}, vigia_cluster_lease_acquired_total and
// vigia_cluster_lease_renew_failures_total.
//
// With the embedded store it does nothing: ctx->rules_lease stays null and every module runs
// as on one node.
//
// Thread-safety: see ServerModule; the keeper is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "clickhouse/clickhouse_lease_table.h"
#include "clickhouse/lease_keeper.h"
#include "common/limits.h"
#include "common/scheduler.h"
#include "server/module_store.h"
#include "server/server_module.h"

namespace vigia {

// [cluster]
struct ClusterModuleOptions {
  std::string node_id;  // "" = the id persisted under <data>/cluster (created at first start)
  int lease_ttl_ms = limits::kClusterLeaseTtlMs;
  int lease_renew_ms = limits::kClusterLeaseRenewMs;  // at most lease_ttl_ms / 2
};

class ClusterModule final : public ServerModule {
 public:
  ClusterModule(ClusterModuleOptions options, StoreModuleOptions store)
      : options_(std::move(options)), store_(std::move(store)) {}

  std::string_view name() const override { return "cluster"; }
  // REQUIRES: the store and ingest modules started before (ctx->ingest, for the audit
  // events).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Stop() override;
  HealthState Health(JsonWriter* details) const override;

 private:
  Status Renew();
  void WriteStatus(JsonWriter* w) const;
  void Audit(std::string_view action, std::string_view msg);

  const ClusterModuleOptions options_;
  const StoreModuleOptions store_;
  ServerContext* ctx_ = nullptr;
  std::string node_id_;
  std::unique_ptr<clickhouse::ClickHouseLeaseTable> table_;
  std::unique_ptr<clickhouse::LeaseKeeper> keeper_;
  std::unique_ptr<Scheduler> scheduler_;  // the renewals' own thread
  std::mutex renew_mu_;                   // the members below
  bool was_held_ = false;
  std::string logged_error_;
};

}  // namespace vigia
