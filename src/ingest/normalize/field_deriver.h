// FieldDeriver: one step of field derivation at ingest — adds canonical fields computed
// from others (perf_class from duration_ms, browser/os/device from ua; the error
// fingerprint next). Derivers form an ordered list that the Canonicalizer runs on every
// event it accepts, after the event's own fields and the kind/level defaults and before the
// event is appended to its batch: per event and in place, so derivation costs no second pass
// over the batch and a later deriver sees what an earlier one added.
//
// A deriver only adds what an event does not already carry: a field the line sent wins
// (CanonicalEvent::AddIfAbsent). The list is owned by whoever builds the pipeline (the
// server: IngestPipelineOptions::derivers) and handed to every decoder it makes.
//
// To add a derived field: write a FieldDeriver in src/ingest/normalize/, append it to the
// list (BuiltinFieldDerivers() when it needs no configuration, else where the server builds
// IngestPipelineOptions).
//
// Thread-safety: a FieldDeriver is shared by every ingest thread; Derive must be safe to
// call concurrently. CanonicalEvent is a view valid only during one Derive call.
#pragma once

#include <cstdint>
#include <vector>

#include "common/arena.h"
#include "event/event.h"
#include "ingest/normalize/normalizer_keys.h"

namespace vigia {

namespace normalize {
struct CanonicalSlots;  // the Canonicalizer's per-event slot state (canonicalizer.cpp)
}  // namespace normalize

// The canonical fields of the event being canonicalized, as a deriver sees them.
class CanonicalEvent {
 public:
  explicit CanonicalEvent(normalize::CanonicalSlots* slots) : slots_(slots) {}

  bool Has(normalize::Slot slot) const;
  // REQUIRES: Has(slot).
  const Value& Get(normalize::Slot slot) const;
  // Sets `slot` to `v` unless the event already carries it. `stable`: a string value is in
  // arena() or static storage; otherwise it must stay valid until Derive returns and is
  // copied into the batch when the event is appended.
  void AddIfAbsent(normalize::Slot slot, const Value& v, bool stable);
  // The batch's arena, for text a deriver builds.
  Arena& arena();

 private:
  normalize::CanonicalSlots* slots_;
};

// The slots a deriver reads and the slots it may add (bitmasks of normalize::SlotBit), so a
// FieldProjection (field_projection.h) that needs one of the outputs decodes the inputs too.
struct DeriverSlots {
  uint64_t reads = 0;
  uint64_t writes = 0;
};

class FieldDeriver {
 public:
  virtual ~FieldDeriver() = default;
  virtual void Derive(CanonicalEvent& event) const = 0;
  // Every slot Derive may look at, and every slot it may add: a projection trusts this.
  virtual DeriverSlots Slots() const = 0;
};

// The derivers every canonicalizer runs unless told otherwise (perf_class), in order.
const std::vector<const FieldDeriver*>& BuiltinFieldDerivers();

}  // namespace vigia
