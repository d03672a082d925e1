// The persisted alerting state, <data>/alerts/state.json (alerting_names.h): every alert
// instance (pending timers and firing alerts with their times) and what each notification
// group last sent, so a restart — even after kill -9 — neither forgets a firing alert nor
// notifies everything again. Written atomically and checksummed (checksummed_file.h) after
// every evaluation that changed something.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerting/alert_state.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia {

// What one notification group (notify_dispatcher.h) has sent: per alert fingerprint, the
// state it was last sent in ("firing"/"resolved"), and when.
struct NotifiedGroup {
  std::string key;  // receiver + group_by values
  std::string receiver;
  int64_t first_seen_ns = 0;
  int64_t last_notify_ns = 0;               // 0 = never sent
  std::map<std::string, std::string> sent;  // fingerprint → state name
};

struct AlertStateSnapshot {
  std::vector<AlertInstance> instances;
  std::vector<NotifiedGroup> groups;
};

std::string EncodeAlertState(const AlertStateSnapshot& s);
Result<AlertStateSnapshot> DecodeAlertState(std::string_view json);

Status SaveAlertState(Env* env, const std::string& path, const AlertStateSnapshot& s);
// An empty snapshot when the file does not exist; Corruption when it is damaged.
Result<AlertStateSnapshot> LoadAlertState(Env* env, const std::string& path);

}  // namespace vigia
