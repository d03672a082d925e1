#include "audit/audit_bytes.h"

#include "audit/audit_event.h"

namespace vigia::audit {

Result<bool> AuditBytes::FromWal(const EventBatch& batch, const batch_codec::EncodedEvents& wal,
                                 AuditBytes* out) {
  if (wal.event_offsets.size() != batch.size()) {
    return Status::Internal("audit bytes: bug: " + std::to_string(wal.event_offsets.size()) +
                            " event offsets for a batch of " + std::to_string(batch.size()));
  }
  std::vector<uint32_t> picks;
  const auto events = batch.events();
  for (uint32_t i = 0; i < events.size(); ++i) {
    if (IsAuditEvent(batch, events[i])) picks.push_back(i);
  }
  if (picks.empty()) return false;
  if (picks.size() == events.size()) {
    out->bytes.assign(wal.bytes);
    out->offsets.assign(wal.event_offsets.begin(), wal.event_offsets.end());
    return true;
  }
  out->bytes.clear();
  VIGIA_RETURN_IF_ERROR(batch_codec::CutEvents(wal, picks, &out->bytes, &out->offsets));
  return true;
}

}  // namespace vigia::audit
