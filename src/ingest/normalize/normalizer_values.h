// Value helpers of the canonicalizer: numeric/timestamp text parsing, outcome words, and the
// typed conversion of an input value (InValue, whatever format it came from) into the Value
// a canonical slot or a dynamic field keeps. Internal to src/ingest/normalize.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/arena.h"
#include "event/event.h"
#include "ingest/normalize/normalizer_keys.h"

namespace vigia::normalize {

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

// One input value as a front end hands it to the Canonicalizer. kJson is the compact JSON
// text of an array or object the canonicalizer captured (already in the batch's arena).
struct InValue {
  enum Type : uint8_t { kString, kInt, kUint, kDouble, kBool, kNull, kJson };
  Type type = kNull;
  bool stable = false;  // a kString's text is in the arena or static storage (else: copy it)
  std::string_view s;   // kString, kJson
  union {               // by type
    int64_t i;
    uint64_t u;
    double d;
    bool b;
  };
};

// Compact JSON text of a value (kJson: the captured text itself).
void AppendInJson(const InValue& in, std::string* out);

// Converting input values to Values. Strings that are not `stable` are returned as views
// into the front end's buffer (`*stable` false: the caller copies them into the batch if the
// field survives); text made here (JSON of numbers beyond int64, joined stacks, upper-cased
// methods) is already in `arena` (`*stable` true). `scratch` is reused working space.

// The JSON text of any value, in `arena`.
std::string_view JsonText(const InValue& in, Arena* arena, std::string* scratch);
// The value an input keeps as a dynamic field. Returns false for null (dropped).
bool ToValue(const InValue& in, Arena* arena, std::string* scratch, Value* v, bool* stable);
// The text of a value that failed coercion (kept as <name>_raw).
Value RawText(const InValue& in, Arena* arena, std::string* scratch, bool* stable);

enum class Coerced { kOk, kNull, kFail };
// Converts an input value to the type of a canonical slot (see SlotType). An array for a
// kStack slot arrives already joined into lines (a kString; see Canonicalizer).
Coerced Coerce(SlotType type, const InValue& in, Arena* arena, std::string* scratch, Value* v,
               bool* stable);

}  // namespace vigia::normalize
