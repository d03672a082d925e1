#include "ingest/otlp/otlp_event_writer.h"

#include <limits>

#include "ingest/otlp/otlp_mapping.h"

namespace vigia::otlp {

std::string* OtlpEventWriter::Scratch() {
  if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
  return &scratch_[scratch_used_++];
}

bool OtlpEventWriter::Begin(EventBatch* out, const RecordHeader& h) {
  Canonicalizer& c = *canon_;
  c.BeginEvent(out);
  const uint64_t ts = h.time_unix_nano != 0 ? h.time_unix_nano : h.observed_time_unix_nano;
  if (ts != 0) {
    if (ts > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      if (!c.Uint("ts", ts)) return false;
    } else if (!c.Int("ts", static_cast<int64_t>(ts))) {
      return false;
    }
  }
  std::string_view level = LevelOfSeverity(h.severity_number);
  if (!level.empty()) {
    if (!c.String("level", level, /*stable=*/true)) return false;
    if (!h.severity_text.empty() && !SeverityTextIsLevel(h.severity_text, level) &&
        !c.String("severity_text", h.severity_text)) {
      return false;
    }
  } else if (!h.severity_text.empty() && !c.String("level", h.severity_text)) {
    return false;
  }
  if (!h.trace_id_hex.empty() && !c.String("trace_id", h.trace_id_hex)) return false;
  if (!h.span_id_hex.empty() && !c.String("span_id", h.span_id_hex)) return false;
  if (!h.event_name.empty() && !c.String("event.name", h.event_name)) return false;
  return true;
}

bool OtlpEventWriter::End(const Scope& scope, int64_t receive_ts_ns) {
  Canonicalizer& c = *canon_;
  if (!scope.name.empty() && !c.String("scope.name", scope.name)) return false;
  if (!scope.version.empty() && !c.String("scope.version", scope.version)) return false;
  return c.EndEvent(receive_ts_ns);
}

void RejectRecord(DecodeResult* result, size_t max_errors, uint64_t record_no, std::string reason) {
  result->Reject(record_no, std::move(reason), max_errors);
}

}  // namespace vigia::otlp
