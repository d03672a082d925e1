// DecodeEvents: turns a POST /v1/events body (NDJSON, or one JSON array of objects) into
// normalized events, validating each line on its own so one bad line never costs the others.
//
// Thread-safety: an NdjsonDecoder is externally synchronized (it reuses a simdjson parser);
// use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/limits.h"
#include "event/event.h"
#include "event/normalizer.h"

namespace vigia {

struct DecodeLimits {
  size_t max_line_bytes = limits::kMaxLineBytes;
  size_t max_fields = limits::kMaxFieldsPerEvent;
  size_t max_depth = limits::kMaxNestingDepth;
  size_t max_reported_errors = limits::kMaxReportedErrors;
  size_t max_field_name_bytes = limits::kMaxFieldNameBytes;
};

struct LineError {
  uint64_t line = 0;  // 1-based line number (element number for a JSON array body)
  std::string error;  // e.g. "invalid JSON: unclosed string", "more than 1000 fields"
};

struct DecodeResult {
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::vector<LineError> errors;  // at most max_reported_errors; counts stay exact
};

class NdjsonDecoder {
 public:
  explicit NdjsonDecoder(DecodeLimits limits = {});
  // `ua` (not owned, may be null) derives browser/os/device from each event's ua.
  NdjsonDecoder(DecodeLimits limits, const UserAgentClassifier* ua);
  ~NdjsonDecoder();

  // Decodes `body` and appends one normalized event per good line to `out`. Events without
  // a timestamp get `receive_ts_ns`. Blank lines are skipped and not counted.
  //
  // Framing: a body whose first non-blank byte is '[' is one JSON array of objects (line =
  // element number); anything else is NDJSON split on '\n' (a trailing '\r' is dropped, line
  // numbers count every physical line). A leading UTF-8 BOM is ignored. Lines longer than
  // max_line_bytes are rejected without being parsed; the reasons of the others come from
  // Normalizer::Normalize.
  DecodeResult Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
