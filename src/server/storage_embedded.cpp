// The embedded store as a StorageBackend (storage.backend = "embedded", the default): the
// Store of the data directory, retention on the server's scheduler, and LocalStoreBackend (the
// columnar engine) for reads.
#include <unistd.h>

#include <cerrno>

#include "common/logger.h"
#include "query/local_store_backend.h"
#include "server/module_store.h"
#include "server/server_context.h"
#include "server/storage_backend.h"

namespace vigia {
namespace {

class EmbeddedStorage final : public StorageBackend {
 public:
  EmbeddedStorage(std::unique_ptr<Store> store, std::string data_dir)
      : store_(std::move(store)), data_dir_(std::move(data_dir)) {}

  Store* store() override { return store_.get(); }

  Result<std::unique_ptr<QueryBackend>> MakeQueryBackend() override {
    return std::unique_ptr<QueryBackend>(std::make_unique<LocalStoreBackend>(store_.get()));
  }

  HealthState Health(JsonWriter* details) const override {
    Status st = store_->Health();
    if (st.ok() && ::access(data_dir_.c_str(), W_OK) != 0) {
      st = Status::FromErrno("data directory " + data_dir_ + " is not writable", errno);
    }
    if (!st.ok()) {
      details->KV("store", st.ToString());
      return HealthState::kUnavailable;
    }
    // Corrupt parts do not make the server unready: it still takes writes and answers every
    // query that does not touch them, so an orchestrator must not restart or drain it (that
    // would not repair the part); the body names the parts for the operator.
    std::vector<DegradedPart> degraded = store_->Degraded();
    details->KV("store", degraded.empty() ? "ok" : "degraded");
    if (degraded.empty()) return HealthState::kOk;
    details->Key("degraded_parts").BeginArray();
    for (const DegradedPart& d : degraded) {
      details->BeginObject().KV("part", d.part).KV("error", d.reason).EndObject();
    }
    details->EndArray();
    return HealthState::kDegraded;
  }

  Status Close() override { return store_->Close(); }

 private:
  std::unique_ptr<Store> store_;
  std::string data_dir_;
};

}  // namespace

Result<std::unique_ptr<StorageBackend>> OpenEmbeddedStorage(const StoreModuleOptions& options,
                                                            ServerContext* ctx) {
  StoreOptions so = options.store;
  if (so.env == nullptr) so.env = ctx->env;
  so.retention_interval_ms = 0;  // the scheduler runs it (below), not a timer of the store's
  // WAL fsync latency: what an ingest acknowledgement waits for under wal.fsync = "always"
  // and the durability lag under "interval".
  if (ctx->metrics != nullptr) {
    Histogram* wal_sync = ctx->metrics->GetHistogram(
        "vigia_store_wal_sync_duration_seconds", "Duration of WAL fsyncs.",
        {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
    so.on_wal_sync = [wal_sync](int64_t ns) { wal_sync->Observe(static_cast<double>(ns) / 1e9); };
  }
  // Columns of fresh batches and parts prepared for the queries before they read them.
  if (so.fresh_data == nullptr) so.fresh_data = LocalStoreBackend::FreshDataWarmer();
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(so));
  StoreStats stats = store->Stats();
  logger::Info("store opened", {{"data_dir", so.data_dir},
                                {"events", stats.events},
                                {"wal_records_replayed", stats.wal_records_replayed},
                                {"wal_corrupt_records", stats.wal_corrupt_records},
                                {"wal_torn_tail_bytes", stats.wal_torn_tail_bytes}});
  if (so.retention.ByAge() || so.retention.max_disk_bytes > 0) {
    ScheduledTask retention;
    retention.name = "store.retention";
    retention.interval_ns = int64_t{options.retention_interval_sec} * 1'000'000'000;
    Store* s = store.get();
    retention.run = [s] { return s->RunRetention(); };
    ctx->scheduler->AddTask(std::move(retention));
  }
  return std::unique_ptr<StorageBackend>(
      std::make_unique<EmbeddedStorage>(std::move(store), so.data_dir));
}

}  // namespace vigia
