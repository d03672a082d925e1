// OtlpProtobufReader: the binary (application/x-protobuf) encoding of an OTLP/HTTP logs
// request — an ExportLogsServiceRequest (third_party/opentelemetry-proto) — into canonical
// events, one per LogRecord, through OtlpEventWriter (the mapping of docs/ingest-otlp.md).
//
// Read with ProtoReader (ingest/protowire/proto_reader.h) rather than generated classes:
// strings are views into the body, so nothing is copied before the Canonicalizer keeps what
// it stores, and each LogRecord is decoded on its own: a malformed record (or one the
// canonicalizer refuses) is rejected with its number and path
// ("resourceLogs[0].scopeLogs[1].logRecords[3]: ...") and the rest are kept. The envelope
// (request, ResourceLogs, ScopeLogs framing) is checked first: when it is broken nothing is
// accepted and DecodeResult::undecodable says why (the route's 400).
//
// Thread-safety: externally synchronized; one per decoder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest_decoder.h"
#include "ingest/otlp/otlp_event_writer.h"

namespace vigia::otlp {

class OtlpProtobufReader {
 public:
  // REQUIRES: writer outlives the reader.
  OtlpProtobufReader(OtlpEventWriter* writer, IngestLimits limits)
      : writer_(writer), limits_(limits) {}

  DecodeResult Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out);

 private:
  // Each returns false when the input is malformed (wire_error_) or the canonicalizer
  // refused the event (writer_->error()).
  bool FeedKeyValue(std::string_view kv, bool map_key);
  bool FeedAnyValue(std::string_view key, std::string_view any);
  bool FeedBody(std::string_view any);
  bool FeedRecord(std::string_view record, EventBatch* out);
  bool WireError(std::string_view what);

  OtlpEventWriter* writer_;
  IngestLimits limits_;
  // Per ResourceLogs / ScopeLogs / record.
  std::vector<std::string_view> resource_attrs_;
  std::vector<std::string_view> record_attrs_;
  Scope scope_;
  int64_t receive_ts_ = 0;
  std::string wire_error_;
};

// True when `body`'s envelope (ExportLogsServiceRequest → ResourceLogs → ScopeLogs, down to
// the framing of each LogRecord) is well-formed protobuf; else false with the reason.
bool CheckOtlpEnvelope(std::string_view body, std::string* reason);

}  // namespace vigia::otlp
