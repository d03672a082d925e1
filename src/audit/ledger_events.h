// LedgerEvent: one audit event read back from a ledger record, with its chain position —
// the readers' view (GET /v1/audit, `vigia audit log`, exports, action counts) of v1
// records (one event, its canonical JSON) and v2 batch records (several events in the
// batch codec) alike (ledger_record.h).
//
// Thread-safety: value type and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "audit/ledger_record.h"
#include "common/status.h"

namespace vigia::audit {

struct LedgerEvent {
  uint64_t seq = 0;         // the event's chain position
  uint64_t record_seq = 0;  // its record's first position (v1: seq)
  uint32_t index = 0;       // its place in that record, from 0 (v1: 0)
  uint32_t count = 1;       // events in that record
  uint8_t version = 1;      // the record's
  int64_t ts_ns = 0;
  Hash prev{};  // the record's previous hash
  Hash hash{};  // the record's hash
  // The event's canonical JSON (event/event_json.h): for v1 the exact bytes hashed, for v2
  // written from the decoded codec bytes (the bytes hashed are the record's payload).
  // Valid during the callback only.
  std::string_view payload;
};

// Calls emit for each event of `rec` in order until it returns false; *stopped (optional)
// tells whether it did. Corruption when a v2 payload does not decode or holds another
// number of events than the record's count.
Status ForEachEvent(const LedgerRecord& rec, const std::function<bool(const LedgerEvent&)>& emit,
                    bool* stopped = nullptr);

}  // namespace vigia::audit
