// Helpers to recognise kind=audit events in a batch and read their string fields, shared
// by the ledger (which chains them) and the action catalogue (which flags them).
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <string_view>

#include "event/event.h"
#include "event/event_fields.h"

namespace vigia::audit {

// Fields the action catalogue adds to audit events (action_catalogue.h).
inline constexpr std::string_view kCataloguedField = "catalogued";
inline constexpr std::string_view kMissingFieldsField = "missing_fields";

// The string value of field `name` of event `e`; empty when absent or not a string.
inline std::string_view StringField(const EventBatch& b, const EventBatch::EventRef& e,
                                    std::string_view name) {
  const Value* v = b.Find(e, name);
  return v != nullptr && v->type == ValueType::kString ? v->s : std::string_view{};
}

inline bool IsAuditEvent(const EventBatch& b, const EventBatch::EventRef& e) {
  // `kind` is an event's first field (event.h invariants), so this is one comparison for
  // the batches that hold no audit event at all.
  auto fields = b.fields(e);
  if (!fields.empty() && fields[0].name == fields::kKind) {
    return fields[0].value.type == ValueType::kString && fields[0].value.s == "audit";
  }
  return StringField(b, e, fields::kKind) == "audit";
}

}  // namespace vigia::audit
