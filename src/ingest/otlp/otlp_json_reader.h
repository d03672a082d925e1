// OtlpJsonReader: the JSON (application/json) encoding of an OTLP/HTTP logs request into
// canonical events, one per LogRecord, through OtlpEventWriter (docs/ingest-otlp.md).
//
// OTLP's JSON mapping (protobuf's JSON with OTLP's exceptions): field names in lowerCamelCase
// (the proto's snake_case names are accepted too), enums as names or integers, trace and
// span ids as hex (not base64), 64-bit integers as strings or numbers, bytes values as
// base64 (kept as that text). Unknown fields are ignored.
//
// The body is parsed with simdjson (DOM) as a whole: invalid JSON, a root that is not an
// object, or an envelope of the wrong shape (resourceLogs, scopeLogs, logRecords not arrays
// of objects) makes the request undecodable (DecodeResult::undecodable, the route's 400).
// Inside, each log record stands alone: one of the wrong shape, or one the canonicalizer
// refuses, is rejected with its number and path and the rest are kept.
//
// Thread-safety: externally synchronized (a reusable simdjson parser); one per decoder.
#pragma once

#include <memory>
#include <string_view>

#include "ingest/ingest_decoder.h"
#include "ingest/otlp/otlp_event_writer.h"

namespace vigia::otlp {

class OtlpJsonReader {
 public:
  // REQUIRES: writer outlives the reader.
  OtlpJsonReader(OtlpEventWriter* writer, IngestLimits limits);
  ~OtlpJsonReader();

  DecodeResult Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia::otlp
