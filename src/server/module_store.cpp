#include "server/module_store.h"

#include <unistd.h>

#include <cerrno>

#include "common/logger.h"
#include "server/route_erase.h"

namespace vigia {

Status StoreModule::Start(ServerContext* ctx) {
  StoreOptions so = options_.store;
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
  VIGIA_ASSIGN_OR_RETURN(store_, Store::Open(so));
  StoreStats stats = store_->Stats();
  logger::Info("store opened", {{"data_dir", so.data_dir},
                                {"events", stats.events},
                                {"wal_records_replayed", stats.wal_records_replayed},
                                {"wal_corrupt_records", stats.wal_corrupt_records},
                                {"wal_torn_tail_bytes", stats.wal_torn_tail_bytes}});
  ctx->store = store_.get();
  ctx->data_dir = so.data_dir;
  // Ingest admits what any retention rule still keeps; rows of a shorter rule (debug for
  // 3 days) are then removed by the store as their days pass.
  ctx->retention_days = so.retention.MaxDays();
  if (so.retention.ByAge() || so.retention.max_disk_bytes > 0) {
    ScheduledTask retention;
    retention.name = "store.retention";
    retention.interval_ns = int64_t{options_.retention_interval_sec} * 1'000'000'000;
    Store* store = store_.get();
    retention.run = [store] { return store->RunRetention(); };
    ctx->scheduler->AddTask(std::move(retention));
  }
  data_dir_ = so.data_dir;
  ctx_ = ctx;
  return Status::Ok();
}

void StoreModule::RegisterRoutes(Router* router) { AddEraseRoutes(ctx_, router); }

Status StoreModule::Stop() {
  if (!store_) return Status::Ok();
  return store_->Close();
}

HealthState StoreModule::Health(JsonWriter* details) const {
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

}  // namespace vigia
