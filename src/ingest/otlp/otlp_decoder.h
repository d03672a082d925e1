// OtlpDecoder: the IngestDecoder of OTLP/HTTP logs (POST /v1/logs, /otlp/v1/logs): an
// ExportLogsServiceRequest in its protobuf (application/x-protobuf) or JSON
// (application/json) encoding into one canonical event per LogRecord. The media type picks
// the reader (otlp_protobuf_reader.h, otlp_json_reader.h); both feed the Canonicalizer
// through OtlpEventWriter, so aliases, limits, the admission window and the derivers apply
// as for NDJSON. The mapping is documented in docs/ingest-otlp.md.
//
// Records are numbered from 1 across the request in the order they appear (resourceLogs,
// then scopeLogs, then logRecords); an error names the record's path too. A body whose
// envelope cannot be decoded sets DecodeResult::undecodable and accepts nothing.
//
// Thread-safety: externally synchronized; use one per thread.
#pragma once

#include <memory>
#include <string_view>

#include "ingest/ingest_decoder.h"

namespace vigia {

class OtlpDecoder final : public IngestDecoder {
 public:
  explicit OtlpDecoder(DecoderOptions options = {});
  ~OtlpDecoder() override;

  std::string_view protocol() const override { return "otlp"; }
  // application/x-protobuf (or application/protobuf) → protobuf; anything else → JSON.
  DecodeResult Decode(const IngestRequest& req, EventBatch* out) override;

  DecodeResult DecodeProtobuf(std::string_view body, int64_t receive_ts_ns, EventBatch* out);
  DecodeResult DecodeJson(std::string_view body, int64_t receive_ts_ns, EventBatch* out);

  // True when `content_type` names OTLP's binary encoding.
  static bool IsProtobuf(std::string_view content_type);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
