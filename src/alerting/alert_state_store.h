// AlertStateStore: where the alerts module keeps its alert state (alert_state_file.h's
// snapshot: every alert instance with its timers, and what each notification group last
// sent). The embedded store keeps it in <data>/alerts/state.json (FileAlertStateStore, the
// behaviour of every single-node vigia); with storage.backend = "clickhouse" the nodes share
// it in ClickHouse (clickhouse/clickhouse_alert_state_store.h), so the node that takes the
// rules lease over continues the previous holder's alerts (docs/scale-out.md).
//
// A shared() store is read by the holder of the rules lease when it acquires the lease,
// before its first evaluation, and written only while it holds it; a file store is read once
// at start and written after every change.
//
// Thread-safety: implementations are externally synchronized (the alerts module saves one
// snapshot at a time).
#pragma once

#include <string>

#include "alerting/alert_state_file.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia {

class AlertStateStore {
 public:
  virtual ~AlertStateStore() = default;
  // The whole persisted state (empty when nothing was ever saved); Corruption when it is
  // damaged, another error when it cannot be read now.
  virtual Result<AlertStateSnapshot> Load() = 0;
  // Persists `s` as the whole state (one evaluation round's changes in one write).
  virtual Status Save(const AlertStateSnapshot& s) = 0;
  // True when other nodes read and write the same state (load on lease acquisition).
  virtual bool shared() const = 0;
};

// <data>/alerts/state.json (alerting_names.h), written atomically and checksummed.
class FileAlertStateStore final : public AlertStateStore {
 public:
  FileAlertStateStore(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  Result<AlertStateSnapshot> Load() override { return LoadAlertState(env_, path_); }
  Status Save(const AlertStateSnapshot& s) override { return SaveAlertState(env_, path_, s); }
  bool shared() const override { return false; }

 private:
  Env* const env_;
  const std::string path_;
};

}  // namespace vigia
