// QueryModule: the read side of the API — /v1/query and /v1/trace (route_query.h) and the
// live /v1/tail (route_tail.h). Owns the QueryBackend they run on, made by the storage
// backend the store module opened (storage_backend.h: LocalStoreBackend over the embedded
// store, or ClickHouseQueryBackend); tails follow the ingest module's live feed, or in a
// cluster the module's ClusterTail (cluster_tail.h: polls of ClickHouse, every node's events).
// Publishes it, metered, as ctx->query_backend for the modules after it. Sizes the
// decoded-chunk cache.
//
// Thread-safety: see ServerModule.
#pragma once

#include <memory>

#include "common/limits.h"
#include "query/query_backend.h"
#include "server/cluster_tail.h"
#include "server/route_query.h"
#include "server/server_module.h"

namespace vigia {

// [query] and [tail].
struct QueryModuleOptions {
  uint64_t cache_bytes = limits::kQueryChunkCacheBytes;  // decoded-chunk cache bound
  QueryRouteOptions routes;  // query.timeout_ms, max_concurrent, max_concurrent_per_key
  int tail_cluster_poll_ms = limits::kTailClusterPollMs;  // tail.cluster_poll_ms
  int tail_cluster_lag_ms = limits::kTailClusterLagMs;    // tail.cluster_lag_ms
};

class QueryModule final : public ServerModule {
 public:
  explicit QueryModule(QueryModuleOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "query"; }
  // REQUIRES: the store and ingest modules started before (ctx->store, ctx->live_feed).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Stop() override;

 private:
  // The chunk cache's size and hit counts: vigia_query_chunk_cache_* in /metrics and
  // "query_cache" in /v1/stats (what the cache holds is much of a server's memory).
  void ExportChunkCache(ServerContext* ctx);

  const QueryModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  // Outlives the routes' handlers and the queries they started: the server destroys the
  // router before the modules.
  std::unique_ptr<QueryBackend> local_;        // the storage backend's
  std::unique_ptr<QueryBackend> backend_;      // local_ metered (vigia_queries_total)
  std::unique_ptr<QueryBackend> scoped_;       // backend_ behind the tenant guard: what routes see
  std::unique_ptr<ClusterTail> cluster_tail_;  // in a cluster: what the tails follow
};

}  // namespace vigia
