// MetricsModule: GET /metrics, the Prometheus text exposition of the server's
// MetricRegistry (ServerContext::metrics), plus the process metrics every Prometheus
// exporter has (process_cpu_seconds_total, process_resident_memory_bytes,
// process_open_fds, process_start_time_seconds), vigia_build_info, and the server's own
// state read at scrape time (server_collectors.h: store, WAL, partitions, ingest, tail,
// scheduler). Behind the same
// API-key guard as /v1/ when keys are configured (Prometheus sends them as
// `authorization: credentials`).
//
// Other modules register their metrics in ctx->metrics at Start (or lazily) and keep the
// series pointers; this module only serves them. It is last in the module list so the
// collectors of every other module are in place.
//
// Thread-safety: the handler is thread-safe (MetricRegistry is).
#pragma once

#include "server/server_module.h"

namespace vigia {

class MetricsModule final : public ServerModule {
 public:
  std::string_view name() const override { return "metrics"; }
  // REQUIRES: ctx->metrics set (the server core owns the registry).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;

 private:
  ServerContext* ctx_ = nullptr;
};

}  // namespace vigia
