// VersionedRowTable: a key → value table kept as versioned rows, where the row with the
// highest version of a key wins and a deletion is a tombstone row — the shape of state that
// several cluster nodes share through ClickHouse, which has no UPDATE or compare-and-swap
// (the alert state and the silences: clickhouse_alert_state_store.h,
// clickhouse_silence_store.h). The production table is ClickHouseVersionedRowTable
// (clickhouse_versioned_row_table.h); tests use an in-memory one.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace vigia::clickhouse {

struct VersionedRow {
  std::string key;
  uint64_t version = 0;  // higher wins; writers keep it above every version they have read
  bool deleted = false;  // a tombstone: the key is gone (body empty)
  std::string body;
};

class VersionedRowTable {
 public:
  virtual ~VersionedRowTable() = default;
  // Appends `rows` in one write; OK once a later Read by any node sees them.
  virtual Status Write(const std::vector<VersionedRow>& rows) = 0;
  // The row with the highest version of every key ever written, tombstones included.
  virtual Result<std::vector<VersionedRow>> Read() = 0;
};

}  // namespace vigia::clickhouse
