// Canonicalizer: the format-neutral half of normalization. A front end (JSON today, OTLP,
// Loki or syslog next) walks its own input and feeds one event as a stream of calls — keys
// with typed values, nested objects and arrays — and the canonicalizer applies every rule of
// NORMALIZATION.md and appends one canonical event to an EventBatch:
//
//  - the alias table (normalizer_keys.h) maps each accepted spelling to its canonical field;
//    precedence: the canonical spelling beats an alias, a key inside extra/extra_fields beats
//    the same kind of key outside, else the first occurrence wins; a losing alias is kept as
//    a dynamic field under its own name;
//  - nested objects are flattened with dots (meta.saleId); arrays become compact JSON text,
//    except an array of stack lines (error.stack), which is joined with newlines; an object
//    given to a canonical field (status: {...}) is kept as its JSON text;
//  - error objects fill error.*, `details` objects flatten as details.*, "POST /x" routes
//    also set method, values are typed (status int, duration_ms float, ...) and what cannot
//    be converted is kept as <name>_raw;
//  - ts: the best-ranked spelling that parses; only unparseable ones reject the event;
//  - limits: fields (leaves, nulls included), nesting depth, field name bytes;
//  - admission: an event whose time is outside the AdmissionWindow is refused (accepted means
//    kept: retention would drop it, or it is too far in the future);
//  - kind/level defaults, then the FieldDerivers in order (field_deriver.h);
//  - with a FieldProjection (field_projection.h), the keys that cannot produce a field of it
//    are only counted and checked against the limits, not canonicalized: same acceptance,
//    same reasons, same values for the projected fields, less work.
//
// Protocol of one event (every call but BeginEvent returns false once the event failed;
// error() says why, the caller stops feeding it and nothing is appended):
//
//   BeginEvent(out)
//   String/Int/Uint/Double/Bool/Null(key, v), BeginObject(key) ... EndObject(),
//   BeginArray(key) ... EndArray()       — the top-level object's members in input order;
//                                          array elements are passed with an empty key
//   EndEvent(receive_ts_ns)              — appends the event (true) or refuses it (false)
//
// Views: keys and non-`stable` string values must stay valid until EndEvent returns; the
// canonicalizer keeps views (zero copy) and copies only what the emitted event keeps.
//
// Thread-safety: externally synchronized (per-event state); one per thread. The derivers it
// runs are shared and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "event/event.h"
#include "ingest/normalize/field_deriver.h"
#include "ingest/normalize/field_projection.h"

namespace vigia {

struct CanonicalizerOptions {
  size_t max_fields = limits::kMaxFieldsPerEvent;  // leaves after flattening, nulls included
  size_t max_depth = limits::kMaxNestingDepth;     // the event's object itself is depth 1
  size_t max_field_name_bytes = limits::kMaxFieldNameBytes;
  // Run in this order on every accepted event. Not owned; must outlive the canonicalizer.
  std::vector<const FieldDeriver*> derivers = BuiltinFieldDerivers();
  // Null: every field. Not owned; must outlive the canonicalizer. Ingest never sets it.
  const FieldProjection* projection = nullptr;
};

// The event times ingest accepts, with the reasons it gives for the others. The default
// accepts every time (tools that read files, tests); IngestPipeline builds the real one from
// the retention and ingest.max_future at each request.
struct AdmissionWindow {
  int64_t min_ts_ns = std::numeric_limits<int64_t>::min();
  int64_t max_ts_ns = std::numeric_limits<int64_t>::max();
  std::string too_old;  // "older than retention (30d)"
  std::string too_new;  // "more than 1d in the future"
};

class Canonicalizer {
 public:
  explicit Canonicalizer(CanonicalizerOptions options = {});
  ~Canonicalizer();
  Canonicalizer(const Canonicalizer&) = delete;
  Canonicalizer& operator=(const Canonicalizer&) = delete;

  // Applies to the events ended from now on.
  void SetAdmission(AdmissionWindow window);
  const CanonicalizerOptions& options() const;

  void BeginEvent(EventBatch* out);
  bool String(std::string_view key, std::string_view v, bool stable = false);
  bool Int(std::string_view key, int64_t v);
  bool Uint(std::string_view key, uint64_t v);  // beyond int64 (kept as its digits)
  bool Double(std::string_view key, double v);
  bool Bool(std::string_view key, bool v);
  bool Null(std::string_view key);
  bool BeginObject(std::string_view key);
  bool EndObject();
  bool BeginArray(std::string_view key);
  bool EndArray();
  // With a projection, for a front end's fast path: a scalar member of the event's own
  // object (not inside extra or any other object) that is outside the projection is counted
  // and checked as a leaf here (kSkipped, or kFailed: the event failed) instead of being
  // fed; kFeed: feed it (String/Int/...). Without a projection, always kFeed.
  enum class Member { kFeed, kSkipped, kFailed };
  Member SkipTopLevelScalar(std::string_view key);
  // For a front end that has found by itself that `n` scalar members of the event's own
  // object are outside the projection (FieldProjection::MayWant) and their names within
  // max_field_name_bytes: counts them as leaves, as SkipTopLevelScalar would have one by
  // one. False when that makes too many fields (the event failed). Call it before feeding
  // the next member and before EndEvent, so a failure keeps its place among the checks.
  bool SkipTopLevelLeaves(size_t n);
  // Appends the event: ts is its best parseable timestamp, else `receive_ts_ns`. Returns
  // false (nothing appended) for "unparseable ts: ..." or a time outside the admission window.
  bool EndEvent(int64_t receive_ts_ns);

  // Why the current event failed: "more than 1000 fields", "nesting deeper than 32",
  // "field name longer than 256 bytes", "unparseable ts: \"...\"", "older than retention
  // (30d)", "more than 1d in the future".
  const std::string& error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
