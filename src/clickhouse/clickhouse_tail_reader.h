// ClickHouseTailReader: the reads behind a live tail in a cluster (server/cluster_tail.h;
// docs/scale-out.md "The live tail in a cluster"). A node's tails are served by polling the
// events table (the Distributed `events` on a cluster) for the rows at or after a time,
// rather than from the node's own ingest, so a tail on any node shows what every node
// ingested.
//
// One read serves every tail of the node: each tail's filter is compiled once (Condition: the
// superset WHERE condition of the query compiler, clickhouse_sql.h, with its _time range), and
// a read asks for the rows that satisfy any of them — `ts >= from AND (c1 OR c2 ...)` — in
// (ts, seq) order, every column. The exact filters run in vigia, per tail. `seq` is the row's
// place in its node's outbox plus a random base per node (clickhouse_outbox.h), so (ts, seq)
// names a row across the cluster; the reader hands it to the caller's row filter, which drops
// rows the caller has already seen.
//
// Errors as for queries (clickhouse_query_backend.h): Unavailable when ClickHouse or a shard
// is down (unless allow_partial: then the rows of the live shards, and the missing shards in
// the result), InvalidArgument for a statement ClickHouse refused, DeadlineExceeded.
//
// Thread-safety: thread-safe (each Read has its own request).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_query_backend.h"
#include "common/status.h"
#include "event/event.h"
#include "vql/vql_ast.h"

namespace vigia::clickhouse {

struct TailReadResult {
  uint64_t rows_read = 0;     // rows ClickHouse returned (the row filter's left-outs included)
  uint64_t bytes_read = 0;    // bytes of the answer
  uint32_t shards_total = 0;  // allow_partial on a cluster only
  uint32_t shards_unavailable = 0;  // ditto: the rows of these shards are missing
};

class ClickHouseTailReader {
 public:
  explicit ClickHouseTailReader(ClickHouseBackendOptions options);

  // The SQL condition of one tail's filter (a superset of it; relative _time resolved against
  // now_ns). InvalidArgument when the filter cannot be compiled (e.g. a bad regex).
  static Result<std::string> Condition(const Filter& filter, int64_t now_ns);

  // The statement Read sends. REQUIRES: !conditions.empty().
  std::string Sql(const std::vector<std::string>& conditions, int64_t from_ns) const;

  // Reads the rows with ts >= from_ns satisfying any of `conditions`, in (ts, seq) order;
  // `keep(ts, seq)` is asked once per row, and the kept ones reach `on_batch` in batches.
  Result<TailReadResult> Read(const std::vector<std::string>& conditions, int64_t from_ns,
                              const std::function<bool(int64_t ts, uint64_t seq)>& keep,
                              const std::function<Status(std::shared_ptr<EventBatch>)>& on_batch,
                              std::chrono::steady_clock::time_point deadline,
                              const std::atomic<bool>* cancel) const;

 private:
  ClickHouseBackendOptions options_;
  mutable ClickHouseClient client_;
};

}  // namespace vigia::clickhouse
