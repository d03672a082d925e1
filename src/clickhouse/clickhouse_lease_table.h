// ClickHouseLeaseTable: the LeaseTable of storage.backend = "clickhouse" — the heartbeat rows
// in ClickHouse's `leases` table (schema version 2, clickhouse_schema.h). On a cluster
// `leases` is Distributed over `leases_local` with every row of a lease on one shard, and the
// writes are synchronous (insert_distributed_sync), so whichever server a node talks to, a
// write it saw acknowledged is in every later read. Reads skip unavailable shards: a shard
// that does not hold the lease's rows being down does not stop the lease; the one that holds
// them being down does (no write succeeds, so no node holds the lease — it fails safe).
//
// Thread-safety: thread-safe (ClickHouseClient is).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/lease_table.h"

namespace vigia::clickhouse {

class ClickHouseLeaseTable final : public LeaseTable {
 public:
  // `timeout_ms`: the deadline of each statement.
  ClickHouseLeaseTable(ClickHouseClient client, SchemaOptions schema, int timeout_ms);

  Status Write(std::string_view lease, const LeaseRow& row) override;
  Result<std::vector<LeaseRow>> Read(std::string_view lease) override;

 private:
  ClickHouseClient client_;
  const SchemaOptions schema_;
  const int timeout_ms_;
};

// Whether `id` may name a node: 1-64 of [A-Za-z0-9._-] (it goes into SQL and TSV unescaped
// otherwise, and into logs and metrics).
bool ValidNodeId(std::string_view id);

}  // namespace vigia::clickhouse
