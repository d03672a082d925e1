// OtlpEventWriter: feeds one OTLP log record to the Canonicalizer in the order both OTLP
// encodings share (otlp_protobuf_reader.h, otlp_json_reader.h), so the mapping of
// docs/ingest-otlp.md is written once:
//
//   Begin    ts (time_unix_nano, else observed_time_unix_nano, else the receive time),
//            level (severity_number, else severity_text), severity_text when it says more
//            than the level, trace_id, span_id, event.name
//   (the reader feeds the body, the record's attributes, then the resource's, through
//   canonicalizer(): the record's own spellings come first, so they win over duplicates)
//   End      scope.name, scope.version, then EndEvent (aliases, limits, admission, derivers)
//
// Thread-safety: externally synchronized (per-event state); one per decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "event/event.h"
#include "ingest/ingest_decoder.h"
#include "ingest/normalize/canonicalizer.h"

namespace vigia::otlp {

// The scalar parts of a LogRecord, whatever its encoding.
struct RecordHeader {
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  uint64_t severity_number = 0;
  std::string_view severity_text;
  std::string_view trace_id_hex;  // lowercase hex; empty when absent
  std::string_view span_id_hex;
  std::string_view event_name;
};

struct Scope {
  std::string_view name;
  std::string_view version;
};

class OtlpEventWriter {
 public:
  // REQUIRES: canon outlives the writer.
  explicit OtlpEventWriter(Canonicalizer* canon) : canon_(canon) {}

  // Frees the scratch strings of the previous event; call before building the next header.
  void NewEvent() { scratch_used_ = 0; }
  // Starts an event in `out` with the record's own fields. False when the canonicalizer
  // refused one (error() says why).
  bool Begin(EventBatch* out, const RecordHeader& h);
  // Adds the scope and appends the event. False when it was refused.
  bool End(const Scope& scope, int64_t receive_ts_ns);

  Canonicalizer& canonicalizer() { return *canon_; }
  // A string that stays valid until the next NewEvent (for values the reader builds: hex ids,
  // base64 of bytes values, numbers given as text).
  std::string* Scratch();
  const std::string& error() const { return canon_->error(); }

 private:
  Canonicalizer* canon_;
  std::deque<std::string> scratch_;  // deque: growing keeps earlier strings in place
  size_t scratch_used_ = 0;
};

// Counts a rejected record and keeps its reason while fewer than `max_errors` are kept.
void RejectRecord(DecodeResult* result, size_t max_errors, uint64_t record_no, std::string reason);

}  // namespace vigia::otlp
