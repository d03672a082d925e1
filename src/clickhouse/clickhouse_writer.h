// ClickHouseWriter: inserts event batches into the events table (clickhouse_schema.h) over
// HTTP as RowBinary (clickhouse_row_codec.h). One Insert is one INSERT statement: ClickHouse
// stores it whole or not at all, and a ReplicatedMergeTree drops a retried identical block
// (insert_deduplicate), so a batch retried after a lost answer is not stored twice there.
//
// Each event gets a sequence number (`seq`): the writer's start time in ns plus a counter, so
// events of one node with equal timestamps keep their ingest order in query answers, and two
// nodes' numbers practically never collide (ties across nodes are ordered by it too, just not
// by arrival).
//
// Thread-safety: thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "common/status.h"
#include "event/event.h"

namespace vigia::clickhouse {

class ClickHouseWriter {
 public:
  ClickHouseWriter(ClickHouseClient client, SchemaOptions schema, uint64_t first_seq);

  // Inserts every event of `batch`; OK once ClickHouse acknowledged the statement.
  Status Insert(const EventBatch& batch);

 private:
  ClickHouseClient client_;
  SchemaOptions schema_;
  std::atomic<uint64_t> next_seq_;
};

}  // namespace vigia::clickhouse
