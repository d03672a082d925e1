// ClickHouseQueryBackend: the QueryBackend (query/query_backend.h) of events stored in
// ClickHouse — one server or a cluster through its Distributed `events` table
// (clickhouse_schema.h, docs/clickhouse.md).
//
// How a query runs: the filter is compiled to a WHERE clause that is a superset of it
// (clickhouse_sql.h: time range, tenant, kind, service, ids, numeric ranges, words pushed
// down); ClickHouse returns the candidate rows in (ts, seq) order as RowBinary, only the
// columns the query reads; vigia runs the exact filter and every pipe over them with the row
// evaluator — the reference engine — so answers are the embedded store's, by construction.
// A plain filter with a limit stops reading as soon as it has its rows. A first `stats`/`top`
// whose every part has an exact SQL form runs in ClickHouse as one GROUP BY
// (clickhouse_stats_pushdown.h) and only the groups come back; when its answer cannot be
// vouched for (mixed types in `x`, a possible int overflow...) or the query has no exact
// form, the candidate rows are read and aggregated in vigia as above (docs/clickhouse.md).
//
// QueryStats: rows_scanned = rows ClickHouse read for the answer (the candidate rows),
// rows_matched, bytes_read = bytes of the answer received from ClickHouse.
//
// Errors: InvalidArgument (a bad regex; a statement ClickHouse refused), Unavailable
// (ClickHouse unreachable, a shard down, cancelled), DeadlineExceeded, ResourceExhausted (the
// evaluator's group/memory limits), Corruption (an answer that is not rows of the table).
//
// Thread-safety: thread-safe; every Run has its own HTTP request and evaluator.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "query/query_backend.h"

namespace vigia::clickhouse {

struct ClickHouseBackendOptions {
  std::string url = "http://127.0.0.1:8123";
  std::string user;
  std::string password;
  SchemaOptions schema;
  // Events decoded per batch handed to the evaluator.
  size_t events_per_batch = 4096;
  // On a cluster (schema.cluster set): with a shard down, answer from the live shards
  // (ClickHouse's skip_unavailable_shards) and report the missing ones in
  // QueryStats::shards_unavailable, instead of failing with Unavailable.
  bool allow_partial = false;
  // Aggregation pushdown (clickhouse_stats_pushdown.h). Off: every stats query reads its
  // candidate rows, as before it existed — for measurements and comparisons.
  bool pushdown = true;
};

// How many shards of `cluster` answer now, through the server `client` talks to:
// stats->shards_total, and stats->shards_unavailable raised to the missing count. One row of
// system.one per live shard (the cluster() table function with skip_unavailable_shards)
// against the shard count of the cluster's definition. InvalidArgument when `cluster` is not
// a cluster of that server.
Status ProbeShards(ClickHouseClient& client, const std::string& cluster, QueryStats* stats);

class ClickHouseQueryBackend final : public QueryBackend {
 public:
  explicit ClickHouseQueryBackend(ClickHouseBackendOptions options);

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  using QueryBackend::Run;

  // Stats/top queries since construction: answered by a ClickHouse GROUP BY; planned for it
  // but refused at run time (the row evaluator answered); not pushable (ditto).
  struct PushdownCounters {
    uint64_t pushed = 0;
    uint64_t refused = 0;
    uint64_t not_pushable = 0;
  };
  PushdownCounters pushdown_counters() const {
    return {pushed_.load(), refused_.load(), not_pushable_.load()};
  }

  // The SQL Run would send for `q` (`vigia query --explain`), and what vigia does after it.
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override;

 private:
  // The candidate rows' statement; `where` (if given) receives its WHERE condition.
  Result<std::string> BuildSql(const Query& q, const QueryOptions& options,
                               std::vector<int>* columns, std::string* where = nullptr) const;
  Result<QueryResult> RunOnce(const Query& q, const QueryOptions& options,
                              const QueryObserver& observer);

  // The first stats/top as a GROUP BY; nullopt when the answer was refused (run the rows).
  Result<std::optional<QueryResult>> RunPushdown(const Query& q, const QueryOptions& options,
                                                 const QueryObserver& observer,
                                                 const std::string& sql);

  ClickHouseBackendOptions options_;
  mutable ClickHouseClient client_;
  std::atomic<uint64_t> pushed_{0}, refused_{0}, not_pushable_{0};
};

}  // namespace vigia::clickhouse
