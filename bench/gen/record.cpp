#include "gen/record.h"

namespace vigia::bench {

std::string_view KindName(RecordKind k) {
  switch (k) {
    case RecordKind::kLog:
      return "log";
    case RecordKind::kRequest:
      return "request";
    case RecordKind::kAudit:
      return "audit";
    case RecordKind::kError:
      return "error";
  }
  return "log";
}

std::string_view LevelName(RecordLevel l) {
  switch (l) {
    case RecordLevel::kDebug:
      return "debug";
    case RecordLevel::kInfo:
      return "info";
    case RecordLevel::kWarn:
      return "warn";
    case RecordLevel::kError:
      return "error";
  }
  return "info";
}

void Record::Reset() {
  kind = RecordKind::kLog;
  level = RecordLevel::kInfo;
  service = {};
  host = {};
  logger = {};
  request_id.clear();
  user_id.clear();
  store_id.clear();
  msg.clear();
  method = {};
  route = {};
  route_index = -1;
  path.clear();
  status = 0;
  duration_cents = 0;
  ip.clear();
  ua = {};
  bytes_out = 0;
  action = {};
  actor.clear();
  entity = {};
  entity_id.clear();
  success = true;
  sensitive = false;
  error = nullptr;
  num_meta = 0;
}

MetaField& Record::AddMeta(std::string_view key, bool is_int) {
  // Scenarios add at most kMaxMeta fields; exceeding it is a generator bug, and silently
  // overwriting the last slot keeps the output valid JSON either way.
  MetaField& m = meta[num_meta < kMaxMeta ? num_meta++ : kMaxMeta - 1];
  m.key = key;
  m.value.clear();
  m.is_int = is_int;
  return m;
}

}  // namespace vigia::bench
