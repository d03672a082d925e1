// The fields of an error occurrence (errors::ErrorOccurrence) read alike from a stored event
// and from a query row, for the errors module's ingest observer, its rebuild from the store
// and the cluster refresh (error_groups_cluster.h).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "errors/error_group.h"
#include "query/query_record.h"

namespace vigia {

// A string column of a query row; "" when absent or not a string.
inline std::string_view RowString(const QueryRecord& r, std::string_view name) {
  const OwnedValue* v = r.Get(name);
  return v != nullptr && v->type == ValueType::kString ? std::string_view(v->s)
                                                       : std::string_view();
}

// An integer column of a query row (a float truncated); 0 when absent.
inline int64_t RowInt(const QueryRecord& r, std::string_view name) {
  const OwnedValue* v = r.Get(name);
  if (v == nullptr) return 0;
  if (v->type == ValueType::kInt) return v->i;
  if (v->type == ValueType::kFloat) return static_cast<int64_t>(v->f);
  return 0;
}

// Occurrence fields through `get(name) -> std::string_view` (ts_ns is the caller's).
template <typename Get>
errors::ErrorOccurrence OccurrenceOf(const Get& get) {
  errors::ErrorOccurrence o;
  o.tenant = get("tenant");
  o.fingerprint = get("fingerprint");
  o.error.type = get("error.type");
  o.error.message = get("error.message");
  o.error.stack = get("error.stack");
  o.error.function = get("error.function");
  o.error.file = get("error.file");
  o.error.msg = get("msg");
  o.user = get("user_id");
  o.service = get("service");
  o.release = get("version");
  o.environment = get("env");
  o.event_id = get("event_id");
  if (o.event_id.empty()) o.event_id = get("request_id");
  if (o.event_id.empty()) o.event_id = get("trace_id");
  return o;
}

// The occurrence a query row holds.
inline errors::ErrorOccurrence OccurrenceOfRow(const QueryRecord& row) {
  errors::ErrorOccurrence o =
      OccurrenceOf([&row](std::string_view n) { return RowString(row, n); });
  o.ts_ns = RowInt(row, "ts");
  return o;
}

}  // namespace vigia
