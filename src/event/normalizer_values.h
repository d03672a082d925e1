// Value helpers of the normalizer: simdjson error reasons, numeric/timestamp text parsing,
// outcome words and compact JSON text of a DOM element. Internal to src/event (the header
// pulls in simdjson.h, which only the normalizer's .cpp files should pay for).
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/arena.h"
#include "event/event.h"
#include "event/normalizer_keys.h"

namespace vigia::normalize {

// "invalid JSON: unclosed string", "invalid UTF-8", "nesting deeper than 32", ...
std::string JsonErrorReason(simdjson::error_code e, size_t max_depth);

// ASCII case-insensitive comparison against a lowercase literal.
bool EqualsLower(std::string_view s, std::string_view lower);

// Whole-string numeric parsing; false on anything else (or a non-finite double).
bool ParseDoubleText(std::string_view s, double* out);
bool ParseIntText(std::string_view s, int64_t* out);  // also "200.0", "2e2"
bool DoubleToInt(double d, int64_t* out);             // integral and within int64_t

// Epoch numbers by magnitude (s, ms, µs, ns) to ns; nullopt on overflow.
std::optional<int64_t> EpochIntToNs(int64_t v);
std::optional<int64_t> EpochDoubleToNs(double v);
// RFC 3339 text, or an epoch number written as a string.
std::optional<int64_t> ParseTsText(std::string_view s);

// "success"/"failure" for outcome words (ok, failed, denied, ...); empty for other text.
std::string_view OutcomeFor(std::string_view s);

// Compact JSON text of any element (arrays kept as text, objects in string fields).
void AppendElementJson(simdjson::dom::element el, std::string* out);

// Converting elements to Values. Strings of the parsed line are returned as views into the
// parser (`*stable` false: the caller copies them into the batch if the field survives);
// text made here (JSON of arrays, joined stacks, upper-cased methods) is already in `arena`
// (`*stable` true). `scratch` is reused working space.

// The text of any element, copied into `arena`.
std::string_view JsonText(simdjson::dom::element el, Arena* arena, std::string* scratch);
// The value an element keeps as a dynamic field. Returns false for null (dropped).
bool ToValue(simdjson::dom::element el, Arena* arena, std::string* scratch, Value* v, bool* stable);
// The text of a value that failed coercion (kept as <name>_raw).
Value RawText(simdjson::dom::element el, Arena* arena, std::string* scratch, bool* stable);

enum class Coerced { kOk, kNull, kFail };
// Converts an element to the type of a canonical slot (see SlotType).
Coerced Coerce(SlotType type, simdjson::dom::element el, Arena* arena, std::string* scratch,
               Value* v, bool* stable);

// Typed accessors. REQUIRES: the element has that type (checked by the caller).
inline std::string_view Str(simdjson::dom::element el) { return el.get_string().value_unsafe(); }
inline simdjson::dom::object Obj(simdjson::dom::element el) {
  return el.get_object().value_unsafe();
}
inline simdjson::dom::array Arr(simdjson::dom::element el) { return el.get_array().value_unsafe(); }
inline int64_t I64(simdjson::dom::element el) { return el.get_int64().value_unsafe(); }
inline uint64_t U64(simdjson::dom::element el) { return el.get_uint64().value_unsafe(); }
inline double Dbl(simdjson::dom::element el) { return el.get_double().value_unsafe(); }
inline bool Bool(simdjson::dom::element el) { return el.get_bool().value_unsafe(); }

}  // namespace vigia::normalize
