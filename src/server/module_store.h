// StoreModule: opens the storage backend `storage.backend` names (storage_backend.h: the
// embedded store in the data directory, replaying the WAL, or the ClickHouse outbox) and
// publishes it in the ServerContext (ctx->store: where ingest appends; ctx->storage: the
// query module's backend). For the embedded store it runs retention on the server's scheduler
// every retention.interval_sec (the store applies it once at Open). Reports the storage's
// health (can it take writes, is the data directory writable, which parts are corrupt; the
// ClickHouse backlog), serves the right to erasure (POST /v1/admin/erase, route_erase.h) and
// closes
// the store last, so the WAL is durable when the server exits.
//
// Thread-safety: see ServerModule.
#pragma once

#include <memory>
#include <string>

#include "common/limits.h"
#include "server/server_module.h"
#include "server/storage_backend.h"
#include "store/store.h"

namespace vigia {

// [clickhouse]: where storage.backend = "clickhouse" stores events (docs/clickhouse.md).
struct ClickHouseStorageOptions {
  std::string url = "http://127.0.0.1:8123";
  std::string user;
  std::string password;
  std::string database = "vigia";
  std::string cluster;  // "" = one server; else the cluster of the Distributed `events`
  uint64_t max_backlog_bytes = limits::kClickHouseMaxBacklogBytes;
  // clickhouse.partial_results: with a shard down, answer from the live shards and mark the
  // answer partial instead of failing (off: a query with a shard down is a 503).
  bool partial_results = false;
  // clickhouse.insert_quorum: 0 = an insert is acknowledged by one replica of each shard and
  // copied to the others asynchronously (ClickHouse's default); N >= 2 = acknowledged once N
  // replicas hold it, so an acknowledged event survives the loss of a replica's disk — while a
  // shard has fewer than N live replicas its inserts fail and the outbox buffers them.
  int insert_quorum = 0;
  // clickhouse.insert_concurrency: INSERTs in flight at once (limits.h).
  int insert_concurrency = limits::kClickHouseInsertConcurrency;
};

// [storage], [clickhouse], [data], [wal], [store], [retention] and log.stats_interval_sec,
// with the server's defaults (the library's StoreOptions keep everything by default; the
// server keeps 30 days).
struct StoreModuleOptions {
  std::string backend = "embedded";  // storage.backend: a name of StorageBackendKinds()
  ClickHouseStorageOptions clickhouse;
  StoreOptions store = ServerDefaults();
  // How often the scheduler applies retention.
  int retention_interval_sec = limits::kRetentionIntervalMs / 1000;

  static StoreOptions ServerDefaults() {
    StoreOptions o;
    o.sync_interval_ms = limits::kWalSyncIntervalMs;
    o.wal_segment_bytes = limits::kWalSegmentBytes;
    o.retention.days = limits::kRetentionDays;
    o.stats_log_interval_ms = limits::kStatsLogIntervalSec * 1000;
    return o;
  }
};

class StoreModule final : public ServerModule {
 public:
  explicit StoreModule(StoreModuleOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "store"; }
  Status Start(ServerContext* ctx) override;
  // POST /v1/admin/erase (route_erase.h).
  void RegisterRoutes(Router* router) override;
  Status Stop() override;
  // unavailable: the store cannot take writes (the reason under "store"); degraded:
  // corrupt parts, listed under "degraded_parts".
  HealthState Health(JsonWriter* details) const override;

 private:
  const StoreModuleOptions options_;
  std::unique_ptr<StorageBackend> storage_;
  ServerContext* ctx_ = nullptr;
};

}  // namespace vigia
