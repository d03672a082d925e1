// AuditBytes: the batch codec encoding (store/wal/batch_codec.h) of exactly a batch's
// kind=audit events, in order, with each event's offset — what AuditLedger::AppendAuditEvents
// takes so that no audit event is encoded a second time. The chainer (audit_chainer.h) makes
// it from the WAL's bytes of the batch while they are valid (WalObserver::Written): for a
// batch of audit events only those bytes as they are, for a mixed batch its audit events cut
// out of them (batch_codec::CutEvents: a memcpy per audit event, the other events' bytes not
// read); the ledger's records are those bytes or cuts of them.
//
// Thread-safety: a value type; FromWal is a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/event.h"
#include "store/wal/batch_codec.h"

namespace vigia::audit {

struct AuditBytes {
  std::string bytes;
  std::vector<uint32_t> offsets;  // offsets[k]: where the k-th audit event starts in bytes

  batch_codec::EncodedEvents view() const { return {bytes, offsets}; }
  // Memory held (the chainer's lag accounting).
  size_t MemoryUsage() const { return bytes.capacity() + offsets.capacity() * sizeof(uint32_t); }

  // From `wal`, the encoding of `batch` (EncodeToScratchWithOffsets: the WAL's record): its
  // audit events' bytes into *out. false when the batch holds no audit event (*out
  // untouched). An error only for bytes that are not the batch's (a bug: they are the WAL's).
  static Result<bool> FromWal(const EventBatch& batch, const batch_codec::EncodedEvents& wal,
                              AuditBytes* out);
};

}  // namespace vigia::audit
