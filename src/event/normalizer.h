// Normalizer: turns one JSON object (an application's log line, in whatever spelling it
// uses) into one canonical event in an EventBatch (DESIGN.md §2). The rules in full are in
// src/event/NORMALIZATION.md; in short:
//
//  - Every accepted spelling of the alias table maps to its canonical name; nested objects
//    are flattened with dots (meta.saleId); arrays are kept as compact JSON text; nulls are
//    dropped (a null carries no value; the column store treats absent and null alike).
//  - Precedence when several spellings give the same canonical field: the canonical
//    spelling beats an alias; a key inside extra/extra_fields beats the same kind of key
//    outside (as Python's `log_data.update(extra_fields)` in seed 000 does); otherwise the
//    first occurrence wins. A losing alias is kept as a dynamic field under its own name
//    (nothing is lost); an exact duplicate name is dropped.
//  - Values are typed: status/bytes_*/error.line integers, duration_ms/value floats,
//    sensitive bool, numeric strings converted. A value that cannot be converted is kept
//    as the string field "<name>_raw" (status "success" → status_raw, and also outcome).
//  - kind defaults to log; an unknown kind value is kept as kind_raw and kind stays log
//    (rejecting would lose lines of apps that use "kind" for their own purposes, e.g.
//    Kubernetes events). level defaults to info (error for kind=error); unknown values go
//    to level_raw.
//  - ts: the best-ranked spelling that parses wins; a line whose only timestamps are
//    unparseable is rejected ("unparseable ts"); no timestamp at all → receive time.
//  - Derived: method from a route like "POST /sales/{id}/pay", perf_class from duration_ms,
//    and (when a UserAgentClassifier is configured) browser/os/device from ua.
//
// Output order within an event: kind, level, the other canonical fields in
// fields::kAllCanonical order, then dynamic fields in input order.
//
// Thread-safety: externally synchronized (owns a reusable simdjson parser); one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"

namespace vigia {

// Result of classifying a User-Agent. Views must stay valid until the next Classify call
// on the same thread (the normalizer copies them into the batch right away).
struct UserAgentInfo {
  std::string_view browser, browser_version, os, os_version, device;
};

// Hook for the UA-parser issue (uap-core rules): when set in NormalizerOptions, every event
// with a `ua` gets browser/browser_version/os/os_version/device unless the line already had
// them. Implementations must be thread-safe (one classifier serves every ingest thread).
class UserAgentClassifier {
 public:
  virtual ~UserAgentClassifier() = default;
  // Returns false when nothing is known about `ua` (no fields are added).
  virtual bool Classify(std::string_view ua, UserAgentInfo* out) const = 0;
};

struct NormalizerOptions {
  size_t max_fields = limits::kMaxFieldsPerEvent;  // leaves after flattening, nulls included
  size_t max_depth = limits::kMaxNestingDepth;     // the line's object itself is depth 1
  size_t max_field_name_bytes = limits::kMaxFieldNameBytes;
  const UserAgentClassifier* ua_classifier = nullptr;  // not owned; may be null
};

class Normalizer {
 public:
  // Bytes that must be readable after the JSON text for NormalizePadded (simdjson's padding).
  static constexpr size_t kPadding = 64;

  explicit Normalizer(NormalizerOptions options = {});
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Parses `json`, which must be one JSON object, and appends one event to `out` (ts =
  // `receive_ts_ns` when the line has none). On failure returns InvalidArgument whose
  // message is the reason ("invalid JSON: unclosed string", "not a JSON object",
  // "invalid UTF-8", "more than 1000 fields", "nesting deeper than 32", "unparseable ts:
  // ...", "field name longer than 256 bytes") and appends no event.
  Status Normalize(std::string_view json, int64_t receive_ts_ns, EventBatch* out);

  // Same without copying `json` first.
  // REQUIRES: `readable` >= json.size() + kPadding bytes starting at json.data() may be read.
  Status NormalizePadded(std::string_view json, size_t readable, int64_t receive_ts_ns,
                         EventBatch* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
