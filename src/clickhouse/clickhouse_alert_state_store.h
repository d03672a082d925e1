// ClickHouseAlertStateStore: the alert state of a cluster of vigia nodes
// (storage.backend = "clickhouse"), shared through ClickHouse's `alert_state` table (a
// VersionedRowTable, scope "rules"): one row per alert instance (key "i" 0x1f group 0x1f rule
// 0x1f fingerprint) and per notification group (key "g" 0x1f group key), its body the
// instance's or group's JSON of alert_state_file.h. Save writes, in one INSERT, only the rows
// whose body changed since this node last read or wrote them, and a tombstone for each that
// is gone; every row of one write has one version, above every version this node has seen
// (max(now, seen + 1)), so a new holder whose clock is behind the old one's still wins.
//
// The alerts module loads it when the node acquires the rules lease (before its first
// evaluation) and saves only while it holds it (docs/scale-out.md, "Alert state and
// silences"): a firing alert is not notified again after a takeover, `for:` timers continue,
// and the new holder sends the resolve.
//
// Thread-safety: externally synchronized (AlertStateStore).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "alerting/alert_state_store.h"
#include "clickhouse/versioned_row_table.h"
#include "common/env.h"

namespace vigia::clickhouse {

class ClickHouseAlertStateStore final : public AlertStateStore {
 public:
  // REQUIRES: env outlives the store.
  ClickHouseAlertStateStore(std::unique_ptr<VersionedRowTable> table, Env* env);

  // Every live row; a row whose body does not decode is skipped (counted in
  // skipped_rows()), so one damaged row does not stop alerting.
  Result<AlertStateSnapshot> Load() override;
  Status Save(const AlertStateSnapshot& s) override;
  bool shared() const override { return true; }

  uint64_t skipped_rows() const { return skipped_rows_; }

 private:
  std::unique_ptr<VersionedRowTable> table_;
  Env* const env_;
  std::map<std::string, std::string> written_;  // key → body of what the table holds (known)
  uint64_t version_ = 0;                        // the highest version seen or written
  uint64_t skipped_rows_ = 0;
};

}  // namespace vigia::clickhouse
