// NdjsonDecoder: the native protocol's IngestDecoder — a POST /v1/events body (NDJSON, or one
// JSON array of objects) into normalized events, validating each line on its own so one bad
// line never costs the others. Each line goes through the JSON Normalizer
// (src/ingest/normalize/normalizer.h) and its Canonicalizer.
//
// Thread-safety: externally synchronized (it reuses a simdjson parser); use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "ingest/ingest_decoder.h"
#include "ingest/normalize/field_projection.h"

namespace vigia {

class NdjsonDecoder final : public IngestDecoder {
 public:
  explicit NdjsonDecoder(DecoderOptions options = {});
  explicit NdjsonDecoder(IngestLimits limits);
  // Decodes only what can produce the fields of `projection` (not owned; outlives the
  // decoder): the same lines are accepted and rejected with the same reasons, and those
  // fields get the values a full decode gives them (field_projection.h). For readers that
  // need a few fields of each event (`vigia query --file`); ingest decodes every field.
  NdjsonDecoder(DecoderOptions options, const FieldProjection* projection);
  ~NdjsonDecoder() override;

  std::string_view protocol() const override { return "ndjson"; }
  DecodeResult Decode(const IngestRequest& req, EventBatch* out) override;

  // Decodes `body` and appends one normalized event per good line to `out`. Events without
  // a timestamp get `receive_ts_ns`. Blank lines are skipped and not counted.
  //
  // Framing: a body whose first non-blank byte is '[' is one JSON array of objects (line =
  // element number); anything else is NDJSON split on '\n' (a trailing '\r' is dropped, line
  // numbers count every physical line). A leading UTF-8 BOM is ignored. Lines longer than
  // max_line_bytes are rejected without being parsed; the reasons of the others come from
  // Normalizer::Normalize. Accepts every event time (no admission window): for tools that
  // read files.
  DecodeResult Decode(std::string_view body, int64_t receive_ts_ns, EventBatch* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia
