// StorageBackend: where a server's events live, as `storage.backend` chooses — the embedded
// store (the default) or a ClickHouse server or cluster (docs/clickhouse.md). A backend gives
// the server the two seams everything else is written against: the `Store` the ingest
// pipeline appends to (what acknowledges an event) and the `QueryBackend` /v1/query, /v1/trace
// and the tail's backfill read from. The store module opens the configured one and publishes
// it (ServerContext::store, ::storage); the query module asks it for its QueryBackend.
//
// A new backend is a function opening it plus one row of the table in storage_backend.cpp.
//
// Thread-safety: store() and MakeQueryBackend() are called from the server's start (one
// thread); Health() from any thread; the objects handed out have their own contracts.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "alerting/alert_state_store.h"
#include "alerting/silence_store.h"
#include "audit/cluster_ledger_store.h"
#include "common/json_writer.h"
#include "common/status.h"
#include "query/query_backend.h"
#include "server/server_module.h"
#include "store/store.h"

namespace vigia {

class ClusterTailSource;
struct ServerContext;
struct StoreModuleOptions;

class StorageBackend {
 public:
  virtual ~StorageBackend() = default;
  // Where ingest appends; owned by the backend, valid until Close() returned.
  virtual Store* store() = 0;
  // The reads over the same events (the query module wraps it: metering, tenant scope).
  virtual Result<std::unique_ptr<QueryBackend>> MakeQueryBackend() = 0;
  // The store module's health: the state, and its details under the module's name.
  virtual HealthState Health(JsonWriter* details) const = 0;
  // Last thing the server does: the WAL is durable once it returns.
  virtual Status Close() = 0;
  // Where the alerts module keeps its alert state and silences; `alerts_dir` is
  // <data>/alerts. The default: the files there (one node's own); ClickHouse's: the tables
  // every node of the cluster shares (docs/scale-out.md).
  virtual std::unique_ptr<AlertStateStore> MakeAlertStateStore(Env* env,
                                                               const std::string& alerts_dir);
  virtual std::unique_ptr<SilenceStore> MakeSilenceStore(Env* env, const std::string& alerts_dir);
  // Where the audit module mirrors this node's audit ledger so that every node verifies every
  // node's chains (audit/audit_mirror.h, audit/cluster_verifier.h). The default: none (one
  // node: its ledger files are the whole trail); ClickHouse's: the audit tables of schema
  // version 4 (docs/scale-out.md).
  virtual std::unique_ptr<audit::ClusterLedgerStore> MakeClusterLedgerStore();
  // Where the tails of a node in a cluster read every node's events (server/cluster_tail.h).
  // The default: none (one node: the tails follow its own ingest); ClickHouse's: polls of
  // the events table.
  virtual std::unique_ptr<ClusterTailSource> MakeClusterTailSource();
};

struct StorageBackendKind {
  std::string_view name;  // the value of storage.backend
  // Opens the backend; may register periodic tasks (ctx->scheduler) and metrics
  // (ctx->metrics).
  Result<std::unique_ptr<StorageBackend>> (*open)(const StoreModuleOptions& options,
                                                  ServerContext* ctx);
};

// Every backend, the default ("embedded") first.
std::span<const StorageBackendKind> StorageBackendKinds();
// The backend named `name`; InvalidArgument listing the names when there is none.
Result<const StorageBackendKind*> FindStorageBackend(std::string_view name);

// The openers of the table (storage_embedded.cpp, storage_clickhouse.cpp).
Result<std::unique_ptr<StorageBackend>> OpenEmbeddedStorage(const StoreModuleOptions& options,
                                                            ServerContext* ctx);
Result<std::unique_ptr<StorageBackend>> OpenClickHouseStorage(const StoreModuleOptions& options,
                                                              ServerContext* ctx);

}  // namespace vigia
