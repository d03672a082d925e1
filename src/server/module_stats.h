// GET /v1/stats: the store's counters (events, WAL, memtable, parts, merges, retention,
// compression, degraded parts), where the disk bytes go (per partition, per column) and the
// server's periodic tasks (runs, failures: Scheduler::Stats), the ingest counters per
// protocol (IngestMetrics::Snapshot: accepted, rejected by reason, bytes, requests), and the
// modules' own sections (ServerContext::stats_sections: the audit chain's lag), as JSON for
// operators and dashboards. Behind the /v1/ API-key guard like every /v1/ route.
// The field names are documented in docs/http-api.md. StatsModule registers it.
//
// Thread-safety: the handler is thread-safe (it reads the thread-safe Store).
#pragma once

#include <string>

#include "common/scheduler.h"
#include "ingest/ingest_pipeline.h"
#include "server/ingest_metrics.h"
#include "server/server_module.h"
#include "store/store.h"

namespace vigia {

// The /v1/stats body for these values (exposed for tests).
std::string StatsJson(const StoreStats& stats, const StoreUsage& usage,
                      const std::vector<DegradedPart>& degraded,
                      const std::vector<ScheduledTaskStats>& tasks, const IngestStats& ingest,
                      const std::vector<ProtocolIngestStats>& protocols = {},
                      const std::vector<StatsSection>& sections = {});

class StatsModule final : public ServerModule {
 public:
  std::string_view name() const override { return "stats"; }
  // REQUIRES: the store module started before (ctx->store).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;

 private:
  const ServerContext* ctx_ = nullptr;
};

}  // namespace vigia
