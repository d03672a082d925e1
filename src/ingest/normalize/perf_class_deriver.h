// PerfClassDeriver: perf_class from duration_ms (excellent/good/slow/critical; the bands
// are PerfClassFor in event/event_fields.h). Built in: BuiltinFieldDerivers() lists it.
//
// Thread-safety: stateless; thread-safe.
#pragma once

#include "ingest/normalize/field_deriver.h"

namespace vigia {

class PerfClassDeriver final : public FieldDeriver {
 public:
  void Derive(CanonicalEvent& event) const override;
  DeriverSlots Slots() const override;
};

}  // namespace vigia
