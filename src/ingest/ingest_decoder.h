// IngestDecoder: one ingest protocol's front end. Turns a request body (or one datagram or
// stream frame) into canonical events appended to an EventBatch, with a verdict per record:
// each record (an NDJSON line, a JSON array element, an OTLP log record, a syslog message)
// is accepted or rejected on its own, so one bad record never costs the others.
//
// Decoders feed a Canonicalizer (src/ingest/normalize/canonicalizer.h), so the alias rules,
// limits, derived fields and the admission window (too old for the retention / too far in
// the future) apply alike to every protocol. What they return goes to
// IngestPipeline::Submit (ingest_pipeline.h).
//
// To add a protocol: a folder src/ingest/<protocol>/ with a class implementing
// IngestDecoder, and one line in the table of ingest_protocols.cpp.
//
// Thread-safety: a decoder is externally synchronized (parsers and canonicalizer state are
// reused between calls); use one per thread. IngestPipeline::Ingest keeps one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/limits.h"
#include "common/query_priority.h"
#include "event/event.h"
#include "ingest/normalize/canonicalizer.h"

namespace vigia {

// Per-request bounds every decoder applies.
struct IngestLimits {
  size_t max_line_bytes = limits::kMaxLineBytes;  // one record's encoded bytes
  size_t max_fields = limits::kMaxFieldsPerEvent;
  size_t max_depth = limits::kMaxNestingDepth;
  size_t max_reported_errors = limits::kMaxReportedErrors;
  size_t max_field_name_bytes = limits::kMaxFieldNameBytes;
};
using DecodeLimits = IngestLimits;

// What a decoder is built with: the limits and the derivers (not owned; they outlive it).
struct DecoderOptions {
  IngestLimits limits;
  std::vector<const FieldDeriver*> derivers = BuiltinFieldDerivers();
  // (glob, service) pairs: an event whose protocol names a target (the Elasticsearch index)
  // and which carries no service gets the service of the first glob ('*' matches any run)
  // matching the target. Empty: the target never sets the service.
  std::vector<std::pair<std::string, std::string>> service_by_target;
};

// Which tenant the events of a request are stored under. There is no default: a request
// without a binding is refused (IngestPipeline::Ingest fails with Internal), so a new
// front end cannot forget to decide.
//   FromKey(t)    the request came with a tenant-bound API key: every event is stored under
//                 `t`, whatever `tenant` field it carries (the client's is replaced)
//   FromEvents()  each event's own `tenant` field partitions it (absent = the default
//                 tenant): for admin, legacy and open-mode requests, and for the events
//                 the server itself produces (audit, alerts)
struct TenantBinding {
  enum class Mode : uint8_t { kUnset, kFromEvents, kFromKey };
  Mode mode = Mode::kUnset;
  std::string_view tenant;  // kFromKey only

  static TenantBinding FromEvents() { return {Mode::kFromEvents, {}}; }
  // REQUIRES: `tenant` non-empty; it outlives the request.
  static TenantBinding FromKey(std::string_view tenant) { return {Mode::kFromKey, tenant}; }
};

// One request (or frame) to decode.
struct IngestRequest {
  std::string_view body;          // decompressed
  std::string_view content_type;  // as sent (parameters included); may be empty
  int64_t receive_ts_ns = 0;      // ts of events that carry none
  TenantBinding tenant;           // required: see TenantBinding
  // What the request's URL names for protocols that have it: the index of
  // POST /{index}/_bulk (Elasticsearch). Empty for most.
  std::string_view target;
  AdmissionWindow admission;  // event times accepted (IngestPipeline fills it)
  // Where a decoder gives way to running queries: the line protocols' decoders (NDJSON,
  // Elasticsearch bulk, syslog) call IngestCheckpoint per record; the others (OTLP, Loki,
  // Sentry: smaller requests) give way only between batches. IngestPipeline fills it;
  // nullptr: never pauses.
  QueryPriority::IngestTurn* turn = nullptr;
};

// Calls req.turn->Checkpoint() when `record` (1-based) ends a run of
// limits::kIngestCheckpointRecords.
inline void IngestCheckpoint(const IngestRequest& req, uint64_t record) {
  if (req.turn != nullptr && record % limits::kIngestCheckpointRecords == 0) {
    req.turn->Checkpoint();
  }
}

struct LineError {
  uint64_t line = 0;  // 1-based record number (line, array element, log record, message)
  std::string error;  // e.g. "invalid JSON: unclosed string", "older than retention (30d)"
};

// Why a record was refused, counted per protocol in GET /metrics
// (vigia_ingest_rejections_total{protocol,reason}) and GET /v1/stats.
enum class RejectReason : uint8_t {
  kInvalid,      // not decodable as the protocol's record (bad JSON, bad syslog header, ...)
  kTooLarge,     // over a limit: record bytes, fields, nesting, field name length
  kTooOld,       // older than the retention keeps (the admission window)
  kTooNew,       // further ahead than ingest.max_future_sec
  kUnsupported,  // a valid request vigia does not do (Elasticsearch delete/update)
};
inline constexpr size_t kRejectReasonCount = 5;

inline std::string_view RejectReasonName(RejectReason r) {
  switch (r) {
    case RejectReason::kInvalid:
      return "invalid";
    case RejectReason::kTooLarge:
      return "too_large";
    case RejectReason::kTooOld:
      return "too_old";
    case RejectReason::kTooNew:
      return "too_new";
    case RejectReason::kUnsupported:
      return "unsupported";
  }
  return "invalid";
}

// The reason of a refusal from its message. The messages are written in few places and
// are stable (they are the API's per-record errors): the canonicalizer's limits ("more than
// N fields", "nesting deeper than N", "field name longer than N bytes"), the decoders'
// ("line longer than N bytes"), the admission window's (ingest_pipeline.cpp: "older than
// retention (…)", "more than … in the future") and the Elasticsearch decoder's
// ("vigia is append-only: …"); everything else is a malformed record.
inline RejectReason ClassifyRejection(std::string_view error) {
  constexpr auto npos = std::string_view::npos;
  if (error.find("older than retention") != npos) return RejectReason::kTooOld;
  if (error.find(" in the future") != npos) return RejectReason::kTooNew;
  if (error.find("append-only") != npos) return RejectReason::kUnsupported;
  if (error.find("longer than ") != npos || error.find("more than ") != npos ||
      error.find("deeper than ") != npos) {
    return RejectReason::kTooLarge;
  }
  return RejectReason::kInvalid;
}

struct DecodeResult {
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  // The body's lines, blank ones included, when NdjsonDecoder read it as lines (0 for a JSON
  // array body and for the other decoders): a caller decoding a file in pieces numbers the
  // lines of its errors across them.
  uint64_t records = 0;
  std::vector<LineError> errors;  // at most max_reported_errors; counts stay exact
  // rejected, by RejectReason (sums to rejected).
  std::array<uint64_t, kRejectReasonCount> rejected_by{};
  // Set when the body as a whole cannot be decoded (a broken protobuf or JSON envelope):
  // nothing was accepted, and the route answers 400 with this reason.
  std::string undecodable;
  // The protocol's own answer for the route to send once the events are stored, when its
  // clients need more than counts (the per-item array of an Elasticsearch _bulk response,
  // every item in order). Empty for most protocols.
  std::string reply;

  // Counts one refused record: its reason (from `error`), and `error` itself under
  // `record` while fewer than `max_reported` are listed.
  void Reject(uint64_t record, std::string error, size_t max_reported) {
    ++rejected;
    ++rejected_by[static_cast<size_t>(ClassifyRejection(error))];
    if (errors.size() < max_reported) errors.push_back({record, std::move(error)});
  }
};

class IngestDecoder {
 public:
  virtual ~IngestDecoder() = default;
  // The protocol's name ("ndjson"), as registered in ingest_protocols.cpp.
  virtual std::string_view protocol() const = 0;
  // Appends one canonical event per accepted record of `req` to `out` and counts the rest.
  virtual DecodeResult Decode(const IngestRequest& req, EventBatch* out) = 0;
};

}  // namespace vigia
