#include "ingest/normalize/perf_class_deriver.h"

#include "event/event_fields.h"

namespace vigia {

void PerfClassDeriver::Derive(CanonicalEvent& event) const {
  using normalize::Slot;
  if (!event.Has(Slot::kDurationMs)) return;
  event.AddIfAbsent(Slot::kPerfClass, Value::String(PerfClassFor(event.Get(Slot::kDurationMs).f)),
                    true);
}

const std::vector<const FieldDeriver*>& BuiltinFieldDerivers() {
  static const PerfClassDeriver perf_class;
  static const std::vector<const FieldDeriver*> builtin = {&perf_class};
  return builtin;
}

}  // namespace vigia
