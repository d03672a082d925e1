// ClickHouseVersionedRowTable: a VersionedRowTable in one of the shared-state tables of schema
// version 3 (`alert_state`, `silences`; clickhouse_schema.h): rows (scope, key, version,
// deleted, body) in a ReplacingMergeTree by version, read back as the argMax by version of
// each key of the scope (merges are eventual, so readers never rely on them). On a cluster
// the table is Distributed over `<table>_local`, sharded by the scope: with the scope "rules"
// every row lives on the shard that holds lease `rules`'s heartbeats, so the shared state is
// reachable exactly when the lease is. Writes are synchronous (insert_distributed_sync) and
// reads skip unavailable shards, like the lease table's (clickhouse_lease_table.h).
//
// Thread-safety: thread-safe (ClickHouseClient is).
#pragma once

#include <string>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/versioned_row_table.h"

namespace vigia::clickhouse {

class ClickHouseVersionedRowTable final : public VersionedRowTable {
 public:
  // `table`: kAlertStateTable or kSilencesTable; `timeout_ms`: each statement's deadline.
  ClickHouseVersionedRowTable(ClickHouseClient client, SchemaOptions schema, std::string table,
                              std::string scope, int timeout_ms);

  Status Write(const std::vector<VersionedRow>& rows) override;
  Result<std::vector<VersionedRow>> Read() override;

 private:
  ClickHouseClient client_;
  const SchemaOptions schema_;
  const std::string table_;
  const std::string scope_;
  const int timeout_ms_;
};

}  // namespace vigia::clickhouse
