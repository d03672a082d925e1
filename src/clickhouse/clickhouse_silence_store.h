// ClickHouseSilenceStore: the silences of a cluster of vigia nodes
// (storage.backend = "clickhouse"), shared through ClickHouse's `silences` table (a
// VersionedRowTable, scope "rules"): one row per write of a silence (key: its id, body: its
// JSON of silence_store.h), the latest version winning — a create and, later, its expiry. A
// node writes only the silence it created or expired, with a version above every version it
// has read (max(now, seen + 1)): an expiry through any node wins over the create it saw.
// Load returns every silence not ended more than a day ago (SilenceSet forgets those too).
//
// Every node's SilenceSet reads it (SilenceSet::Refresh): the holder of the rules lease before
// each notification round, any node before it lists silences (docs/alerting.md).
//
// Thread-safety: externally synchronized (SilenceSet calls it under its mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "alerting/silence_store.h"
#include "clickhouse/versioned_row_table.h"
#include "common/env.h"

namespace vigia::clickhouse {

class ClickHouseSilenceStore final : public SilenceStore {
 public:
  // REQUIRES: env outlives the store.
  ClickHouseSilenceStore(std::unique_ptr<VersionedRowTable> table, Env* env);

  // A row whose body does not decode is skipped.
  Result<std::vector<Silence>> Load() override;
  Status Write(const std::vector<Silence>& all, const Silence& changed) override;
  bool shared() const override { return true; }

 private:
  std::unique_ptr<VersionedRowTable> table_;
  Env* const env_;
  uint64_t version_ = 0;  // the highest version seen or written
};

}  // namespace vigia::clickhouse
