// LeaseTable: where the nodes of a cluster publish their lease heartbeats and read each
// other's (LeaseKeeper's storage). The production table is ClickHouse's `leases`
// (clickhouse_lease_table.h); tests use an in-memory one shared by several keepers.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigia::clickhouse {

// One node's heartbeat for one lease: the node is alive until `expires_ns` (on the writer's
// wall clock), and `holder` says whether it holds the lease.
struct LeaseRow {
  std::string node;
  int64_t heartbeat_ns = 0;
  int64_t expires_ns = 0;
  bool holder = false;
};

class LeaseTable {
 public:
  virtual ~LeaseTable() = default;
  // Appends `row` for `lease`; OK once a later Read by any node sees it.
  virtual Status Write(std::string_view lease, const LeaseRow& row) = 0;
  // The latest row (highest heartbeat_ns) of every node that ever wrote for `lease`.
  virtual Result<std::vector<LeaseRow>> Read(std::string_view lease) = 0;
};

}  // namespace vigia::clickhouse
