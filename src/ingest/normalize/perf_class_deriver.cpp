#include "ingest/normalize/perf_class_deriver.h"

#include "event/event_fields.h"

namespace vigia {

void PerfClassDeriver::Derive(CanonicalEvent& event) const {
  using normalize::Slot;
  if (!event.Has(Slot::kDurationMs)) return;
  // duration_ms is a float slot: the canonicalizer stores it as kFloat or not at all.
  const Value& duration = event.Get(Slot::kDurationMs);
  if (duration.type != ValueType::kFloat) return;
  event.AddIfAbsent(Slot::kPerfClass, Value::String(PerfClassFor(duration.f)), true);
}

DeriverSlots PerfClassDeriver::Slots() const {
  using normalize::Slot;
  using normalize::SlotBit;
  return {SlotBit(Slot::kDurationMs), SlotBit(Slot::kPerfClass)};
}

const std::vector<const FieldDeriver*>& BuiltinFieldDerivers() {
  static const PerfClassDeriver perf_class;
  static const std::vector<const FieldDeriver*> builtin = {&perf_class};
  return builtin;
}

}  // namespace vigia
