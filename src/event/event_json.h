// EventJson: writes one event as a canonical JSON object — the form of the read-back API,
// query output and tests: {"ts":"<RFC 3339, ns>","kind":...,"level":...,<other fields in
// stored order>}. Dotted names stay flat ("meta.saleId":...). Floats always carry a '.' or
// an exponent so that decoding the text gives a float again (decode(EventJson(e)) == e).
//
// Thread-safety: pure functions on a const batch; thread-safe.
#pragma once

#include <string>

#include "event/event.h"

namespace vigia {

// Appends the event `e` of `batch` to `out` (no trailing newline).
void AppendEventJson(const EventBatch& batch, const EventBatch::EventRef& e, std::string* out);

// Convenience wrapper returning a new string.
std::string EventJson(const EventBatch& batch, const EventBatch::EventRef& e);

// Appends `v` as JSON: shortest round-trip digits, with ".0" added to integral values;
// NaN/Inf (never produced by the normalizer) become null.
void AppendJsonDouble(std::string* out, double v);

// Appends a Value as JSON (strings escaped).
void AppendJsonValue(std::string* out, const Value& v);

}  // namespace vigia
