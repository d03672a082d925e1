// ClickHouseAuditStore: the cluster's ClusterLedgerStore (audit/cluster_ledger_store.h) in the
// audit tables of schema version 4 (clickhouse_schema.h; docs/clickhouse.md):
//
//   audit_keys        (key, node)                            a node's published key
//   audit_records     (key, tenant, seq, last_seq, record)   a chain record, its exact bytes
//   audit_checkpoints (key, tenant, seq, checkpoint)         a signed checkpoint's JSON line
//
// ReplacingMergeTree with every column in the sort key: merges fold only identical rows, so a
// retried INSERT is one row and a different row at a used position stays beside the node's own
// for the verifier to see. On a cluster each is `<table>_local` on every server and a
// Distributed table sharded by cityHash64(key): one node's log on one shard. Inserts are
// RowBinary, synchronous through the Distributed table (insert_distributed_sync = 1); reads
// never skip an unavailable shard — a verification that cannot read every log fails
// (Unavailable) rather than pass over the logs it could not see. Reads take the distinct rows
// (GROUP BY), so unmerged duplicates do not matter.
//
// Thread-safety: thread-safe (ClickHouseClient is).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/cluster_ledger_store.h"
#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"

namespace vigia::clickhouse {

class ClickHouseAuditStore final : public audit::ClusterLedgerStore {
 public:
  // `timeout_ms`: each statement's deadline.
  ClickHouseAuditStore(ClickHouseClient client, SchemaOptions schema, int timeout_ms);

  Status PublishKey(std::string_view public_key_hex, std::string_view node) override;
  Status AppendRecords(std::string_view public_key_hex,
                       const std::vector<audit::MirroredRecord>& records) override;
  Status AppendCheckpoints(std::string_view public_key_hex,
                           const std::vector<CheckpointRow>& checkpoints) override;
  Result<std::map<std::string, audit::MirroredHead>> Heads(
      std::string_view public_key_hex) override;
  Result<std::vector<audit::PublishedLog>> Logs() override;
  Result<std::vector<std::string>> Tenants(std::string_view public_key_hex) override;
  Result<std::string> ReadChain(std::string_view public_key_hex, std::string_view tenant,
                                uint64_t max_bytes) override;
  Result<std::vector<std::string>> ReadCheckpoints(std::string_view public_key_hex,
                                                   std::string_view tenant) override;

 private:
  std::string Table(std::string_view name) const;
  ClickHouseRequest Request(std::string sql) const;
  Status Insert(std::string_view table, const char* columns, std::string rows);
  // Runs a SELECT ... FORMAT TabSeparated, calling `row` per line as the answer streams in.
  Status Select(std::string sql,
                const std::function<Status(std::string_view line,
                                           const std::vector<std::string_view>& fields)>& row);

  // A SELECT of one hex() column: `value` gets each row's bytes.
  Status SelectHex(std::string sql, std::string_view table,
                   const std::function<Status(std::string&& value)>& value);

  ClickHouseClient client_;
  const SchemaOptions schema_;
  const int timeout_ms_;
};

}  // namespace vigia::clickhouse
