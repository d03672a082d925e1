// ClickHouse as a StorageBackend (storage.backend = "clickhouse", docs/clickhouse.md): ingest
// appends to the ClickHouseOutbox (acknowledged once in the outbox WAL under
// <data>/clickhouse, shipped exactly once in the background), reads go to
// ClickHouseQueryBackend over the same events table. The backlog is reported in
// /health/ready and /metrics. The nodes share the alert state, silences and audit logs
// through ClickHouse's tables (schema versions 3 and 4).
#include "clickhouse/clickhouse_alert_state_store.h"
#include "clickhouse/clickhouse_audit_store.h"
#include "clickhouse/clickhouse_outbox.h"
#include "clickhouse/clickhouse_query_backend.h"
#include "clickhouse/clickhouse_silence_store.h"
#include "clickhouse/clickhouse_tail_reader.h"
#include "clickhouse/clickhouse_versioned_row_table.h"
#include "common/limits.h"
#include "common/logger.h"
#include "server/cluster_tail.h"
#include "server/module_store.h"
#include "server/server_collectors.h"
#include "server/server_context.h"
#include "server/storage_backend.h"

namespace vigia {
namespace {

// The tails' polls (server/cluster_tail.h) over ClickHouseTailReader.
class ClickHouseTailSource final : public ClusterTailSource {
 public:
  explicit ClickHouseTailSource(clickhouse::ClickHouseBackendOptions options)
      : reader_(std::move(options)) {}

  Result<std::string> Compile(const Filter& filter, int64_t now_ns) override {
    return clickhouse::ClickHouseTailReader::Condition(filter, now_ns);
  }

  Result<ReadResult> Read(const std::vector<std::string>& conditions, int64_t from_ns,
                          const std::function<bool(int64_t, uint64_t)>& keep,
                          const std::function<Status(std::shared_ptr<EventBatch>)>& on_batch,
                          const std::atomic<bool>* cancel) override {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(limits::kTailClusterPollTimeoutMs);
    VIGIA_ASSIGN_OR_RETURN(clickhouse::TailReadResult r,
                           reader_.Read(conditions, from_ns, keep, on_batch, deadline, cancel));
    return ReadResult{r.rows_read, r.bytes_read, r.shards_total, r.shards_unavailable};
  }

 private:
  clickhouse::ClickHouseTailReader reader_;
};

class ClickHouseStorage final : public StorageBackend {
 public:
  ClickHouseStorage(std::unique_ptr<clickhouse::ClickHouseOutbox> outbox,
                    clickhouse::ClickHouseBackendOptions query)
      : outbox_(std::move(outbox)), query_(std::move(query)) {}

  Store* store() override { return outbox_.get(); }

  Result<std::unique_ptr<QueryBackend>> MakeQueryBackend() override {
    return std::unique_ptr<QueryBackend>(
        std::make_unique<clickhouse::ClickHouseQueryBackend>(query_));
  }

  HealthState Health(JsonWriter* details) const override {
    Status st = outbox_->Health();
    const clickhouse::ClickHouseOutboxStats s = outbox_->outbox_stats();
    details->KV("backend", "clickhouse");
    details->Key("clickhouse")
        .BeginObject()
        .KV("url", query_.url)
        .KV("backlog_bytes", s.backlog_bytes)
        .KV("backlog_events", s.backlog_rows)
        .KV("shipped_events", s.shipped_rows)
        .KV("failures", s.failures);
    if (!s.last_error.empty()) details->KV("last_error", s.last_error);
    details->EndObject();
    if (!st.ok()) {
      details->KV("store", st.ToString());
      return HealthState::kUnavailable;
    }
    // ClickHouse down or behind: the node still acknowledges events (into its outbox) until
    // the backlog is full, and queries fail; degraded, not unready.
    details->KV("store", s.last_error.empty() ? "ok" : "degraded");
    return s.last_error.empty() ? HealthState::kOk : HealthState::kDegraded;
  }

  Status Close() override { return outbox_->Close(); }

  // The tables of schema version 3, scope "rules" (the state of the rules lease's holder).
  std::unique_ptr<AlertStateStore> MakeAlertStateStore(Env* env, const std::string&) override {
    return std::make_unique<clickhouse::ClickHouseAlertStateStore>(
        SharedTable(clickhouse::kAlertStateTable), env);
  }
  std::unique_ptr<SilenceStore> MakeSilenceStore(Env* env, const std::string&) override {
    return std::make_unique<clickhouse::ClickHouseSilenceStore>(
        SharedTable(clickhouse::kSilencesTable), env);
  }
  // The audit tables of schema version 4: every node's log (its chains and checkpoints).
  std::unique_ptr<ClusterTailSource> MakeClusterTailSource() override {
    return std::make_unique<ClickHouseTailSource>(query_);
  }
  std::unique_ptr<audit::ClusterLedgerStore> MakeClusterLedgerStore() override {
    return std::make_unique<clickhouse::ClickHouseAuditStore>(
        clickhouse::ClickHouseClient(query_.url, query_.user, query_.password), query_.schema,
        limits::kAuditClusterRequestTimeoutMs);
  }

 private:
  std::unique_ptr<clickhouse::VersionedRowTable> SharedTable(std::string_view table) const {
    return std::make_unique<clickhouse::ClickHouseVersionedRowTable>(
        clickhouse::ClickHouseClient(query_.url, query_.user, query_.password), query_.schema,
        std::string(table), "rules", limits::kSharedAlertStateRequestTimeoutMs);
  }

  std::unique_ptr<clickhouse::ClickHouseOutbox> outbox_;
  clickhouse::ClickHouseBackendOptions query_;
};

}  // namespace

Result<std::unique_ptr<StorageBackend>> OpenClickHouseStorage(const StoreModuleOptions& options,
                                                              ServerContext* ctx) {
  const ClickHouseStorageOptions& ch = options.clickhouse;
  clickhouse::SchemaOptions schema;
  schema.database = ch.database;
  schema.cluster = ch.cluster;

  clickhouse::ClickHouseOutboxOptions oo;
  oo.data_dir = options.store.data_dir;
  oo.fsync = options.store.fsync;
  oo.sync_interval_ms = options.store.sync_interval_ms;
  oo.segment_bytes = options.store.wal_segment_bytes;
  oo.env = options.store.env != nullptr ? options.store.env : ctx->env;
  oo.url = ch.url;
  oo.user = ch.user;
  oo.password = ch.password;
  oo.schema = schema;
  oo.max_backlog_bytes = ch.max_backlog_bytes;
  oo.insert_quorum = ch.insert_quorum;
  oo.insert_concurrency = ch.insert_concurrency;
  oo.lock_data_dir = false;  // the server holds the data directory's lock (server.cpp)
  VIGIA_ASSIGN_OR_RETURN(std::unique_ptr<clickhouse::ClickHouseOutbox> outbox,
                         clickhouse::ClickHouseOutbox::Open(oo));

  if (ctx->metrics != nullptr) {
    MetricRegistry* m = ctx->metrics;
    Gauge* backlog_bytes = m->GetGauge(
        "vigia_clickhouse_backlog_bytes",
        "Acknowledged events not yet in ClickHouse: bytes of the outbox (storage.backend = "
        "clickhouse); ingest answers 503 past clickhouse.max_backlog_bytes.");
    Gauge* backlog_events = m->GetGauge("vigia_clickhouse_backlog_events",
                                        "Acknowledged events not yet in ClickHouse.");
    Counter* shipped = m->GetCounter("vigia_clickhouse_shipped_rows_total",
                                     "Events inserted into ClickHouse by this node.");
    Counter* skipped =
        m->GetCounter("vigia_clickhouse_skipped_rows_total",
                      "Events left out of a re-sent batch because ClickHouse already had them.");
    Counter* failures = m->GetCounter("vigia_clickhouse_insert_failures_total",
                                      "Failed inserts into ClickHouse (each is retried).");
    const clickhouse::ClickHouseOutbox* o = outbox.get();
    m->AddCollector([=] {
      const clickhouse::ClickHouseOutboxStats s = o->outbox_stats();
      backlog_bytes->Set(static_cast<double>(s.backlog_bytes));
      backlog_events->Set(static_cast<double>(s.backlog_rows));
      MirrorCounter(shipped, s.shipped_rows);
      MirrorCounter(skipped, s.skipped_rows);
      MirrorCounter(failures, s.failures);
    });
  }

  clickhouse::ClickHouseBackendOptions qo;
  qo.url = ch.url;
  qo.user = ch.user;
  qo.password = ch.password;
  qo.schema = schema;
  qo.allow_partial = ch.partial_results;
  return std::unique_ptr<StorageBackend>(
      std::make_unique<ClickHouseStorage>(std::move(outbox), std::move(qo)));
}

}  // namespace vigia
