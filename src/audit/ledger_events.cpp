#include "audit/ledger_events.h"

#include <string>

#include "event/event.h"
#include "event/event_json.h"
#include "store/wal/batch_codec.h"

namespace vigia::audit {

Status ForEachEvent(const LedgerRecord& rec, const std::function<bool(const LedgerEvent&)>& emit,
                    bool* stopped) {
  if (stopped != nullptr) *stopped = false;
  LedgerEvent ev;
  ev.record_seq = rec.seq;
  ev.count = rec.count;
  ev.version = rec.version;
  ev.prev = rec.prev;
  ev.hash = rec.hash;
  if (rec.version != 2) {
    ev.seq = rec.seq;
    ev.ts_ns = rec.ts_ns;
    ev.payload = rec.payload;
    if (!emit(ev) && stopped != nullptr) *stopped = true;
    return Status::Ok();
  }
  EventBatch batch;
  Status st = batch_codec::Decode(rec.payload, &batch);
  if (!st.ok()) {
    return Status::Corruption("batch record " + std::to_string(rec.seq) + ": " + st.message());
  }
  if (batch.size() != rec.count) {
    return Status::Corruption("batch record " + std::to_string(rec.seq) + " holds " +
                              std::to_string(batch.size()) + " events, its header says " +
                              std::to_string(rec.count));
  }
  std::string json;
  uint32_t i = 0;
  for (const EventBatch::EventRef& e : batch.events()) {
    json.clear();
    AppendEventJson(batch, e, &json);
    ev.seq = rec.seq + i;
    ev.index = i;
    ev.ts_ns = e.ts_ns;
    ev.payload = json;
    ++i;
    if (!emit(ev)) {
      if (stopped != nullptr) *stopped = true;
      break;
    }
  }
  return Status::Ok();
}

}  // namespace vigia::audit
