// The alias table of docs/architecture.md ("The event model") as data: which input keys map to
// which canonical field ("slot"), how a slot's value is typed, and what the normalizer does
// with special keys (ts, route, status, error objects, extra/extra_fields, details).
// normalizer.cpp walks the JSON; this file only answers "what is this key?".
//
// Thread-safety: immutable tables built on first use (thread-safe static init); thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace vigia::normalize {

// One per canonical field, in fields::kAllCanonical order (that is also the order the
// normalizer stores them in an event).
enum class Slot : uint8_t {
  kKind,
  kLevel,
  kService,
  kEnv,
  kHost,
  kVersion,
  kTenant,
  kMsg,
  kRequestId,
  kTraceId,
  kSpanId,
  kUserId,
  kSessionId,
  kMethod,
  kRoute,
  kPath,
  kStatus,
  kDurationMs,
  kIp,
  kUa,
  kBytesIn,
  kBytesOut,
  kBrowser,
  kBrowserVersion,
  kOs,
  kOsVersion,
  kDevice,
  kPerfClass,
  kErrorType,
  kErrorMessage,
  kErrorStack,
  kErrorCode,
  kErrorFile,
  kErrorLine,
  kErrorFunction,
  kFingerprint,
  kAction,
  kActor,
  kEntity,
  kEntityId,
  kOutcome,
  kSensitive,
  kMetric,
  kValue,
  kUnit,
  kDetails,
  kCount,
};
inline constexpr int kSlotCount = static_cast<int>(Slot::kCount);
static_assert(kSlotCount <= 64, "filled slots are tracked in a uint64_t bitmask");

// A slot's bit in a set of slots (uint64_t bitmasks: filled slots, a deriver's inputs).
constexpr uint64_t SlotBit(Slot s) { return uint64_t{1} << static_cast<int>(s); }

// How a value is coerced into a slot.
enum class SlotType : uint8_t {
  kString,   // strings as is; numbers/bools as their JSON text; objects/arrays as JSON text
  kInt,      // integers; integral floats; numeric strings ("200")
  kFloat,    // any number; numeric strings
  kBool,     // true/false; "true"/"false" strings
  kStack,    // like kString, but an array of lines is joined into one text
  kKind,     // one of the six kinds, case-insensitive
  kLevel,    // level spellings (see ParseLevel)
  kOutcome,  // success/failure with synonyms mapped; other strings kept
  kMethod,   // HTTP method, upper-cased
};

struct SlotInfo {
  std::string_view name;  // canonical name
  SlotType type;
  std::string_view raw_name;  // where a value that cannot be coerced is kept: "<name>_raw"
};
const SlotInfo& GetSlotInfo(Slot s);

enum class KeyAction : uint8_t {
  kSlot,     // value goes to `slot`
  kTs,       // one of the timestamp spellings
  kRoute,    // route/endpoint: "POST /x" also sets method
  kStatus,   // status: numeric; a text value ("success") also derives outcome
  kError,    // error container: object flattened into error.*, a string is error.message
  kExtra,    // extra/extra_fields: keys behave as top-level keys
  kDetails,  // details/detalhes: an object is flattened as details.*, a scalar is `details`
};

struct KeyInfo {
  KeyAction action;
  Slot slot;       // for kSlot/kRoute/kStatus/kDetails
  bool canonical;  // the canonical spelling (wins over aliases)
};

// Top-level keys (and keys inside extra/extra_fields). nullptr for dynamic keys.
const KeyInfo* LookupTopLevelKey(std::string_view key);
// Every key LookupTopLevelKey knows (static storage), for tables built over them
// (FieldProjection's key classes).
std::vector<std::string_view> TopLevelKeys();
// Keys inside an error container (type/tipo, message/mensagem, ...). nullptr for others,
// which are kept as error.<key>.
const KeyInfo* LookupErrorKey(std::string_view key);

// FNV-1a; used for the key tables and the normalizer's per-event name set.
inline uint64_t HashName(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace vigia::normalize
